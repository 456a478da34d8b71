/*
 * cmd_inbound_contacts.c - `booksync inbound --contacts`: bring in the
 * ledger's customers and suppliers that booksync does not have, list the
 * likely duplicates, and apply a person's decision on one
 * (docs/inbound-contacts.md; the work is src/inbound/contacts.h's).
 */
#include "cli/cmd_inbound_int.h"

#include "core/buf.h"
#include "inbound/contacts.h"
#include "store/store_contacts.h"
#include "sync/session.h"
#include "sync/synclock.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const struct cli_cmd contacts_cmd = {
    "inbound",
    "import contacts from the ledger",
    "usage: booksync [--db PATH] inbound --contacts [--target T] [--full] [--json]\n"
    "       booksync [--db PATH] inbound --contacts --list [--all] [--target T] [--json]\n"
    "       booksync [--db PATH] inbound --contacts --link LEDGER_ID --to REF [--target T]\n"
    "       booksync [--db PATH] inbound --contacts --create LEDGER_ID [--target T]\n"
    "       booksync [--db PATH] inbound --contacts --dismiss LEDGER_ID [--target T]\n"
    "\n"
    "Reads the ledger's contacts.  One booksync already has (linked) is skipped;\n"
    "one that matches a customer or supplier by tax number, e-mail or name is\n"
    "linked to it (no new record, nothing sent); a likely duplicate (an e-mail or\n"
    "name several share, a near-identical name, the same name with another tax\n"
    "number) is listed for a person; any other is imported as a new customer (a\n"
    "QBO vendor: supplier) with id <ledger>-<ledger id>, already synced.  A\n"
    "contact decided once is not decided again.  A run reads only the contacts\n"
    "changed since the previous complete run (less five minutes); --full reads all.\n"
    "\n"
    "  --list           the listed contacts awaiting a decision (--all: every\n"
    "                   contact decided, and how)\n"
    "  --link ID --to REF   link listed contact ID to customer or supplier REF\n"
    "  --create ID      import listed contact ID as a new record anyway\n"
    "  --dismiss ID     leave listed contact ID out, for good\n"
    "  --json           one JSON document on stdout\n"
    "\n"
    "Exit: 0 done, 1 some contacts failed, 2 usage, 3 ledger unreachable or not\n"
    "authorised, 4 store error.\n",
    NULL,
};

struct opts {
	const char *target, *link, *to, *create, *dismiss;
	bool list, all, json, full;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"contacts", no_argument, NULL, 'c'},
	    {"target", required_argument, NULL, 't'},
	    {"list", no_argument, NULL, 'l'},
	    {"all", no_argument, NULL, 'a'},
	    {"json", no_argument, NULL, 'j'},
	    {"link", required_argument, NULL, 'k'},
	    {"to", required_argument, NULL, 'o'},
	    {"create", required_argument, NULL, 'n'},
	    {"dismiss", required_argument, NULL, 'd'},
	    {"full", no_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	int c, verbs;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			break;
		case 't':
			o->target = optarg;
			break;
		case 'l':
			o->list = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'f':
			o->full = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'k':
			o->link = optarg;
			break;
		case 'o':
			o->to = optarg;
			break;
		case 'n':
			o->create = optarg;
			break;
		case 'd':
			o->dismiss = optarg;
			break;
		default:
			return cli_usage_error(&contacts_cmd, "unknown option or missing value: %s",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&contacts_cmd, "unexpected argument: %s", argv[optind]);
	verbs = o->list + (o->link != NULL) + (o->create != NULL) + (o->dismiss != NULL);
	if (verbs > 1)
		return cli_usage_error(&contacts_cmd,
		                       "--list, --link, --create and --dismiss go one at a time");
	if ((o->link != NULL) != (o->to != NULL))
		return cli_usage_error(&contacts_cmd, "--link LEDGER_ID needs --to REF, and back");
	if (o->full && verbs > 0)
		return cli_usage_error(&contacts_cmd, "--full goes with the import only");
	if (o->all && !o->list)
		return cli_usage_error(&contacts_cmd, "--all goes with --list");
	return CLI_OK;
}

struct lister {
	bool json;
	size_t n;
};

static int list_cb(void *arg, const struct store_contact *c)
{
	struct lister *l = arg;

	if (!l->json) {
		printf("%-12s %-38s %-30s %s%s%s%s%s\n", c->status, c->ledger_id, c->name,
		       c->record_kind, c->record_id[0] ? ":" : "", c->record_id,
		       c->reason[0] ? "  " : "", c->reason);
		l->n++;
		return 0;
	}
	printf("%s{\"ledger_id\":", l->n++ ? "," : "");
	cli_json_str(stdout, c->ledger_id);
	printf(",\"status\":");
	cli_json_str(stdout, c->status);
	printf(",\"side\":");
	cli_json_str(stdout, c->side);
	printf(",\"name\":");
	cli_json_str(stdout, c->name);
	printf(",\"email\":");
	cli_json_str(stdout, c->email);
	printf(",\"tax_number\":");
	cli_json_str(stdout, c->tax_number);
	printf(",\"record\":");
	if (c->record_id[0] != '\0') {
		printf("{\"kind\":");
		cli_json_str(stdout, c->record_kind);
		printf(",\"id\":");
		cli_json_str(stdout, c->record_id);
		printf("}");
	} else
		printf("null");
	printf(",\"reason\":");
	cli_json_str(stdout, c->reason);
	printf(",\"decided_by\":");
	cli_json_str(stdout, c->decided_by);
	printf("}");
	return 0;
}

static int do_list(struct store *st, const char *target, const struct opts *o, struct bs_error *err)
{
	struct lister l = {o->json, 0};
	int rc;

	if (o->json)
		printf("{\"target\":\"%s\",\"contacts\":[", target);
	rc =
	    store_contacts_each(st, target, o->all ? NULL : STORE_CONTACT_LISTED, list_cb, &l, err);
	if (o->json)
		printf("]}\n");
	else if (rc == BS_OK && l.n == 0)
		printf("%s\n", o->all ? "no contacts read yet" : "no contacts await a decision");
	return rc;
}

/* The import; *failed when some contacts could not be applied (reported). */
static int do_run(const struct cli_ctx *ctx, struct store *st, const char *target,
                  const struct opts *o, bool *failed, struct bs_error *err)
{
	struct synclock lk = {0};
	struct session s;
	struct contacts_stats cs;
	bool open = false;
	int rc = synclock_take(&lk, st, target, cli_now_ms(), err);

	if (rc == BS_OK)
		rc = session_open(&s, st, ctx->db_path, target, cli_now_ms, err);
	open = rc == BS_OK;
	if (rc == BS_OK)
		rc = contacts_run(&s, cli_now_ms(), o->full, &cs, err);
	if (open)
		session_close(&s);
	synclock_release(&lk);
	if (rc != BS_OK)
		return rc;
	if (o->json)
		printf("{\"target\":\"%s\",\"read\":%zu,\"known\":%zu,\"imported\":%zu,"
		       "\"linked\":%zu,\"listed\":%zu,\"failed\":%zu,\"calls\":%llu,\"since_ms\":%"
		       "lld}\n",
		       target, cs.seen, cs.known, cs.imported, cs.linked, cs.listed, cs.failed,
		       (unsigned long long)cs.calls, (long long)cs.since_ms);
	else
		printf("contacts: %zu read, %zu known, %zu imported, %zu linked, %zu listed for a "
		       "decision, %zu failed (%llu calls)\n",
		       cs.seen, cs.known, cs.imported, cs.linked, cs.listed, cs.failed,
		       (unsigned long long)cs.calls);
	*failed = cs.failed > 0;
	if (*failed)
		fprintf(stderr, "booksync inbound: %zu contacts failed; the last: %s\n", cs.failed,
		        err->msg);
	return BS_OK;
}

static int decide(struct store *st, const char *target, const struct opts *o, struct bs_error *err)
{
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	int rc;

	if (o->create != NULL)
		return contacts_decide_create(st, target, o->create, cli_now_ms(), err);
	if (o->dismiss != NULL)
		return contacts_decide_dismiss(st, target, o->dismiss, cli_now_ms(), err);
	rc = store_ref_resolve(st, o->to, &kind, id, err);
	if (rc == BS_OK)
		rc = contacts_decide_link(st, target, o->link, kind, id, cli_now_ms(), err);
	return rc;
}

int cmd_inbound_contacts(const struct cli_ctx *ctx, const struct cli_cmd *cmd, int argc,
                         char **argv)
{
	struct store *st = NULL;
	struct bs_error err;
	struct opts o;
	struct buf tb;
	const char *target = NULL;
	bool failed = false;
	int code, rc;

	(void)cmd;
	if (cli_wants_help(&contacts_cmd, argc, argv))
		return CLI_OK;
	code = parse(argc, argv, &o);
	if (code != CLI_OK)
		return code;
	bs_error_clear(&err);
	buf_init(&tb, 1024);
	code = cli_store_open(ctx, &contacts_cmd, o.list ? 0 : STORE_OPEN_CHECK, &st);
	if (code != CLI_OK)
		goto out;
	rc = store_target_pick(st, o.target, &tb, &target, &err);
	if (rc == BS_OK && target == NULL)
		rc = bs_error_set(&err, BS_ENOTFOUND,
		                  "no ledger is connected: run booksync connect");
	if (rc == BS_OK && o.list)
		rc = do_list(st, target, &o, &err);
	else if (rc == BS_OK && (o.link || o.create || o.dismiss))
		rc = decide(st, target, &o, &err);
	else if (rc == BS_OK)
		rc = do_run(ctx, st, target, &o, &failed, &err);
	if (rc == BS_OK && failed)
		code = CLI_REJECTED;
	else if (rc == BS_ENOTFOUND || rc == BS_ESTATE || rc == BS_ECONFLICT || rc == BS_EINVAL) {
		/* a decision that does not apply, or nothing to import into */
		cli_fail(&contacts_cmd, rc, err.msg);
		code = CLI_USAGE;
	} else if (rc != BS_OK)
		code = cli_fail(&contacts_cmd, rc, err.msg);
	else if (o.link || o.create || o.dismiss)
		printf("contact %s: %s\n",
		       o.link     ? o.link
		       : o.create ? o.create
		                  : o.dismiss,
		       o.link     ? "linked"
		       : o.create ? "created"
		                  : "dismissed");
out:
	store_close(st);
	buf_free(&tb);
	return code;
}
