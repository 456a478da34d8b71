/*
 * cmd_connect.c - `booksync connect xero|qbo`: OAuth2, tenant, first read.
 *
 * The authorisation-code flow (docs/mapping-xero.md §4, docs/connect-qbo.md).  When standard input
 * is not a terminal and the authorize endpoint redirects straight back -- the sandbox auto-approves
 * -- the flow completes by itself; otherwise the URL is printed and a one-shot listener on
 * 127.0.0.1 waits for the browser's redirect.  Tokens are sealed in the store under the key file
 * beside it.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "ledger/ledger.h"
#include "core/secret.h"
#include "store/settings.h"
#include "store/store.h"
#include "sync/onboard.h"

#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmd_connect_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_connect_entry = {
    "connect",
    "connect a ledger organisation (OAuth2)",
    "usage: booksync [--db PATH] connect xero|qbo [--base-url URL] [--tenant ID]\n"
    "                                           [--client-id ID] [--client-secret S]\n"
    "\n"
    "Runs the ledger's OAuth2 authorisation-code flow: Xero with offline_access and\n"
    "the granular accounting scopes, QuickBooks Online with its accounting scope\n"
    "(the company is the realmId the redirect carries).  It prints the URL to open;\n"
    "when standard input is not a terminal and the authorize page redirects\n"
    "straight back (a sandbox), it completes by itself.  With several Xero\n"
    "organisations, name one with --tenant.  Then it reads the organisation (base\n"
    "currency, lock date), its chart of accounts and tax rates, and links contacts\n"
    "and items that already exist.\n"
    "\n"
    "The client id and secret come from the options, else\n"
    "$BOOKSYNC_XERO_CLIENT_ID / $BOOKSYNC_XERO_CLIENT_SECRET (Xero) or\n"
    "$BOOKSYNC_QBO_CLIENT_ID / $BOOKSYNC_QBO_CLIENT_SECRET (QuickBooks), else the\n"
    "settings qbo.client_id / qbo.client_secret.  Tokens are stored encrypted\n"
    "(libsodium secretbox) with a key file beside the store, created with mode 0600.\n"
    "\n"
    "Options:\n"
    "  --base-url URL   the ledger's host (a sandbox: http://127.0.0.1:PORT); default\n"
    "                   the real Xero or Intuit\n"
    "  --tenant ID      the organisation to use when the grant covers several\n"
    "                   (Xero); for QuickBooks the company's realmId, asked of\n"
    "                   the authorize page as realmId=ID (the sandbox picks that\n"
    "                   company; on Intuit's page the person picks) and checked\n"
    "                   against the realmId the redirect brings back\n",
    cmd_connect_exec,
};

static int fail(int status, const char *msg)
{
	fprintf(stderr, "booksync connect: %s\n", msg);
	return status == BS_EAUTH || status == BS_ENET || status == BS_EPROTO || status == BS_ESTATE
	           ? CLI_UNREACHABLE
	           : cli_exit_for(status);
}

/* The browser leg: the URL for the person to open. */
static void show_url(void *arg, const char *url)
{
	(void)arg;
	printf("Open this URL in a browser and approve booksync:\n\n  %s\n\n"
	       "Waiting for the redirect (5 minutes)...\n",
	       url);
	fflush(stdout);
}

/* Which organisation, or why none: a usage error (2) or not authorised (3). */
static int pick(const struct ledger_tenant *t, size_t n, const char *want, size_t *i)
{
	struct bs_error err;
	int rc = onboard_pick_tenant(t, n, want, i, &err);

	if (rc == BS_ENOTFOUND)
		return cli_usage_error(&cmd_connect_entry,
		                       "--tenant %s is not among the organisations granted", want);
	if (rc == BS_ECONFLICT) {
		fprintf(stderr,
		        "booksync connect: the grant covers %zu organisations; name one "
		        "with --tenant:\n",
		        n);
		for (size_t k = 0; k < n; k++)
			fprintf(stderr, "  %s  %s\n", t[k].tenant_id, t[k].tenant_name);
		return CLI_USAGE;
	}
	return rc == BS_OK ? CLI_OK : fail(rc, err.msg);
}

static void print_connected(const struct onboard_stats *ob, const char *target)
{
	const struct ledger_ops *l = ledger_for_target(target);

	printf("Connected to %s (%s) as target %s\n",
	       ob->org_name[0] ? ob->org_name
	       : l != NULL     ? l->caps->display_name
	                       : target,
	       ob->base_currency, target);
	printf("Read %zu accounts, %zu tax rates, %zu contacts, %zu items (%llu calls)\n",
	       ob->accounts, ob->tax_rates, ob->contacts_seen, ob->items_seen,
	       (unsigned long long)ob->calls);
	printf("Linked %zu existing contacts and %zu items instead of creating copies\n",
	       ob->contacts_linked, ob->items_linked);
	if (ob->lock_date[0])
		printf("Period lock date: %s (documents dated on or before it are refused)\n",
		       ob->lock_date);
	if (ob->timezone[0])
		printf("Time zone: %s (decides 'today' unless the timezone setting is set)\n",
		       ob->timezone);
	else
		printf("Time zone: not given by %s; 'today' is UTC's unless the timezone "
		       "setting is set\n",
		       l != NULL ? l->caps->display_name : "the ledger");
	if (ob->gift_account[0])
		printf("Gift voucher liability account: %s\n", ob->gift_account);
}

static int cmd_connect_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"base-url", required_argument, NULL, 'u'},
	    {"tenant", required_argument, NULL, 't'},
	    {"client-id", required_argument, NULL, 'i'},
	    {"client-secret", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	struct onboard_auth a = {0};
	const char *want_tenant = NULL;
	struct session_creds creds;
	struct ledger_tenant *tenants = NULL;
	struct store *st = NULL;
	struct onboard_stats ob;
	struct bs_error err;
	struct buf target, sid, ssecret;
	size_t ntenants = 0, i = 0;
	int c, rc, code;

	if (cli_wants_help(&cmd_connect_entry, argc, argv))
		return CLI_OK;
	/* connect LEDGER [options]: the ledger first, then its options */
	if (argc < 2 || ledger_find(argv[1]) == NULL)
		return cli_usage_error(&cmd_connect_entry, "say which ledger: connect xero|qbo");
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "+", longopts, NULL)) != -1) {
		if (c == 'u')
			a.base_url = optarg;
		else if (c == 't')
			want_tenant = optarg;
		else if (c == 'i')
			a.client_id = optarg;
		else if (c == 's')
			a.client_secret = optarg;
		else
			return cli_usage_error(&cmd_connect_entry, "unknown option");
	}
	if (optind < argc - 1)
		return cli_usage_error(&cmd_connect_entry, "unexpected argument '%s'",
		                       argv[optind + 1]);
	bs_error_clear(&err);
	memset(&creds, 0, sizeof(creds));
	buf_init(&target, 256);
	buf_init(&sid, 512);
	buf_init(&ssecret, 512);
	code = cli_store_open(ctx, &cmd_connect_entry, STORE_OPEN_CHECK, &st);
	if (code != CLI_OK)
		goto out;
	/* options first, then the environment, then the settings (onboard.h) */
	rc = onboard_client_creds(st, argv[1], a.client_id, a.client_secret, &sid, &ssecret, &err);
	if (rc == BS_EINVAL) {
		code = cli_usage_error(&cmd_connect_entry, "%s (or --client-id/--client-secret)",
		                       err.msg);
		goto out;
	}
	if (rc != BS_OK) {
		code = fail(rc, err.msg);
		goto out;
	}
	a.client_id = buf_cstr(&sid);
	a.client_secret = buf_cstr(&ssecret);
	/* no person at the terminal: the page may approve by itself (sandbox) */
	a.ledger = argv[1];
	a.auto_approve = isatty(STDIN_FILENO) != 1;
	a.show_url = show_url;
	a.now_ms = cli_now_ms();
	a.tenant_hint = want_tenant;
	rc = onboard_authorize(&a, &creds, &tenants, &ntenants, &err);
	/* a base URL or --tenant the ledger cannot take is the caller's to fix */
	code = rc == BS_EINVAL ? cli_usage_error(&cmd_connect_entry, "%s", err.msg)
	       : rc != BS_OK   ? fail(rc, err.msg)
	                       : pick(tenants, ntenants, want_tenant, &i);
	if (code != CLI_OK)
		goto out;
	rc = onboard_connect(st, ctx->db_path, &creds, &tenants[i], cli_now_ms, &target, &ob, &err);
	if (rc != BS_OK)
		code = fail(rc, err.msg);
	else
		print_connected(&ob, buf_cstr(&target));
out:
	free(tenants);
	buf_free(&target);
	secret_buf_wipe(&sid);
	secret_buf_wipe(&ssecret);
	sodium_memzero(&creds, sizeof(creds));
	store_close(st);
	return code;
}
