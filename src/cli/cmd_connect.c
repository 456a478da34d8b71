/*
 * cmd_connect.c - `booksync connect xero`: OAuth2, tenant, first read.
 *
 * The authorisation-code flow (FACTS.md §4).  When standard input is not a
 * terminal and the authorize endpoint redirects straight back -- the
 * sandbox auto-approves -- the flow completes by itself; otherwise the URL
 * is printed and a one-shot listener on 127.0.0.1 waits for the browser's
 * redirect.  Tokens are sealed in the store under the key file beside it.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/secret.h"
#include "http/client.h"
#include "ledger/xero/oauth.h"
#include "store/store.h"
#include "sync/onboard.h"
#include "sync/session.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmd_connect_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_connect_entry = {
    "connect",
    "connect a ledger organisation (OAuth2)",
    "usage: booksync [--db PATH] connect xero [--base-url URL] [--tenant ID]\n"
    "                                       [--client-id ID] [--client-secret S]\n"
    "\n"
    "Runs Xero's OAuth2 authorisation-code flow and asks for offline_access and the\n"
    "granular accounting scopes.  It prints the URL to open; when standard input is\n"
    "not a terminal and the authorize page redirects straight back (the sandbox),\n"
    "it completes by itself.  With several organisations, name one with --tenant.\n"
    "Then it reads the organisation (base currency, lock date), its chart of\n"
    "accounts and tax rates, and links contacts and items that already exist.\n"
    "\n"
    "The client id and secret come from the options, else $BOOKSYNC_XERO_CLIENT_ID\n"
    "and $BOOKSYNC_XERO_CLIENT_SECRET.  Tokens are stored encrypted (libsodium\n"
    "secretbox) with a key file beside the store, created with mode 0600.\n"
    "\n"
    "Options:\n"
    "  --base-url URL   the API host (a sandbox: http://127.0.0.1:PORT); default Xero\n"
    "  --tenant ID      the organisation to use when the grant covers several\n",
    cmd_connect_exec,
};

static int fail(int status, const char *msg)
{
	fprintf(stderr, "booksync connect: %s\n", msg);
	return status == BS_EAUTH || status == BS_ENET || status == BS_EPROTO || status == BS_ESTATE
	           ? CLI_UNREACHABLE
	           : cli_exit_for(status);
}

static int64_t now_ms(void)
{
	return cli_now_ms();
}

/* Get an authorization code: by itself when the page redirects straight
 * back, else from the browser through a local listener. */
static int get_code(struct http_client *http, const struct xero_endpoints *ep,
                    const char *client_id, const char *state, struct buf *code,
                    struct buf *redirect, struct bs_error *err)
{
	struct xero_oauth_listener *l = NULL;
	struct buf url;
	int rc;

	if (isatty(STDIN_FILENO) != 1) {
		buf_reset(redirect);
		buf_addstr(redirect, "http://127.0.0.1:8719/callback");
		rc = xero_oauth_auto_approve(http, ep, client_id, buf_cstr(redirect), NULL, state,
		                             code, err);
		if (rc != BS_ESTATE)
			return rc;
	}
	rc = xero_oauth_callback_listen(0, &l, err);
	if (rc != BS_OK)
		return rc;
	buf_reset(redirect);
	buf_addstr(redirect, xero_oauth_callback_redirect_uri(l));
	buf_init(&url, 8192);
	rc = xero_oauth_authorize_url(ep, client_id, buf_cstr(redirect), NULL, state, &url);
	if (rc == BS_OK) {
		printf("Open this URL in a browser and approve booksync:\n\n  %s\n\n"
		       "Waiting for the redirect (5 minutes)...\n",
		       buf_cstr(&url));
		fflush(stdout);
		rc = xero_oauth_callback_wait(l, state, 300000, code, err);
	}
	buf_free(&url);
	xero_oauth_callback_free(l);
	return rc;
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
	const char *base = NULL, *want_tenant = NULL, *cid, *secret;
	struct session_creds creds;
	struct xero_endpoints ep;
	struct xero_tenant *tenants = NULL;
	struct http_client *http = NULL;
	struct store *st = NULL;
	struct session sess;
	struct onboard_stats ob;
	struct store_actor who = {"connect", 0};
	struct bs_error err;
	struct buf code, redirect, kp, target;
	unsigned char key[SECRET_KEY_BYTES];
	char state[64];
	size_t ntenants = 0, pick = 0;
	int c, rc, code_exit = CLI_OK;

	if (cli_wants_help(&cmd_connect_entry, argc, argv))
		return CLI_OK;
	cid = getenv("BOOKSYNC_XERO_CLIENT_ID");
	secret = getenv("BOOKSYNC_XERO_CLIENT_SECRET");
	/* connect LEDGER [options]: the ledger first, then its options */
	if (argc < 2 || strcmp(argv[1], "xero") != 0)
		return cli_usage_error(&cmd_connect_entry,
		                       argc >= 2 && strcmp(argv[1], "qbo") == 0
		                           ? "QuickBooks Online is not supported yet"
		                           : "say which ledger: connect xero");
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			base = optarg;
			break;
		case 't':
			want_tenant = optarg;
			break;
		case 'i':
			cid = optarg;
			break;
		case 's':
			secret = optarg;
			break;
		default:
			return cli_usage_error(&cmd_connect_entry, "unknown option");
		}
	}
	if (optind < argc - 1)
		return cli_usage_error(&cmd_connect_entry, "unexpected argument '%s'",
		                       argv[optind + 1]);
	if (cid == NULL || secret == NULL || cid[0] == '\0' || secret[0] == '\0')
		return cli_usage_error(
		    &cmd_connect_entry,
		    "no client credentials: set BOOKSYNC_XERO_CLIENT_ID and "
		    "BOOKSYNC_XERO_CLIENT_SECRET (or --client-id/--client-secret)");
	bs_error_clear(&err);
	memset(&creds, 0, sizeof(creds));
	memset(&sess, 0, sizeof(sess));
	buf_init(&code, 4096);
	buf_init(&redirect, 1024);
	buf_init(&kp, 4096);
	buf_init(&target, 256);
	code_exit = cli_store_open(ctx, &cmd_connect_entry, STORE_OPEN_CHECK, &st);
	if (code_exit != CLI_OK)
		goto out;
	rc = xero_endpoints_init(&ep, base, &err);
	if (rc == BS_OK)
		rc = http_client_new(&http, &err);
	if (rc == BS_OK) {
		xero_oauth_new_state(state, sizeof(state));
		rc = get_code(http, &ep, cid, state, &code, &redirect, &err);
	}
	if (rc == BS_OK)
		rc = xero_oauth_exchange_code(http, &ep, cid, secret, buf_cstr(&code),
		                              buf_cstr(&redirect), cli_now_ms(), &creds.tokens,
		                              &err);
	if (rc == BS_OK)
		rc = xero_oauth_connections(http, &ep, creds.tokens.access_token, &tenants,
		                            &ntenants, &err);
	if (rc != BS_OK) {
		code_exit = fail(rc, err.msg);
		goto out;
	}
	if (ntenants == 0) {
		code_exit = fail(BS_EAUTH, "the grant covers no organisation");
		goto out;
	}
	if (want_tenant != NULL) {
		for (pick = 0; pick < ntenants; pick++) {
			if (strcmp(tenants[pick].tenant_id, want_tenant) == 0)
				break;
		}
		if (pick == ntenants) {
			code_exit = cli_usage_error(&cmd_connect_entry,
			                            "--tenant %s is not among the organisations "
			                            "granted",
			                            want_tenant);
			goto out;
		}
	} else if (ntenants > 1) {
		fprintf(stderr,
		        "booksync connect: the grant covers %zu organisations; name one "
		        "with --tenant:\n",
		        ntenants);
		for (size_t i = 0; i < ntenants; i++)
			fprintf(stderr, "  %s  %s\n", tenants[i].tenant_id, tenants[i].tenant_name);
		code_exit = CLI_USAGE;
		goto out;
	}
	snprintf(creds.base_url, sizeof(creds.base_url), "%s", base != NULL ? base : "");
	snprintf(creds.client_id, sizeof(creds.client_id), "%s", cid);
	snprintf(creds.client_secret, sizeof(creds.client_secret), "%s", secret);
	snprintf(creds.tenant_id, sizeof(creds.tenant_id), "%s", tenants[pick].tenant_id);
	snprintf(creds.tenant_name, sizeof(creds.tenant_name), "%s", tenants[pick].tenant_name);
	buf_printf(&target, "xero:%s", creds.tenant_id);
	who.now_ms = cli_now_ms();
	rc = session_key_path(ctx->db_path, &kp);
	if (rc == BS_OK)
		rc = secret_key_load_or_create(buf_cstr(&kp), key, &err);
	if (rc == BS_OK)
		rc = store_target_add(st, buf_cstr(&target), creds.tenant_name, &who, &err);
	if (rc == BS_OK)
		rc = session_save(st, key, buf_cstr(&target), &creds, &err);
	if (rc == BS_OK)
		rc = session_open(&sess, st, ctx->db_path, buf_cstr(&target), now_ms, &err);
	if (rc == BS_OK)
		rc = onboard_run(&sess, &ob, &err);
	if (rc != BS_OK) {
		code_exit = fail(rc, err.msg);
		goto out;
	}
	printf("Connected to %s (%s) as target %s\n", ob.org_name[0] ? ob.org_name : "Xero",
	       ob.base_currency, buf_cstr(&target));
	printf("Read %zu accounts, %zu tax rates, %zu contacts, %zu items (%llu calls)\n",
	       ob.accounts, ob.tax_rates, ob.contacts_seen, ob.items_seen,
	       (unsigned long long)ob.calls);
	printf("Linked %zu existing contacts and %zu items instead of creating copies\n",
	       ob.contacts_linked, ob.items_linked);
	if (ob.lock_date[0])
		printf("Period lock date: %s (documents dated on or before it are refused)\n",
		       ob.lock_date);
	if (ob.gift_account[0])
		printf("Gift voucher liability account: %s\n", ob.gift_account);
out:
	session_close(&sess);
	free(tenants);
	http_client_free(http);
	secret_buf_wipe(&code);
	buf_free(&redirect);
	buf_free(&kp);
	buf_free(&target);
	memset(key, 0, sizeof(key));
	memset(&creds, 0, sizeof(creds));
	store_close(st);
	return code_exit;
}
