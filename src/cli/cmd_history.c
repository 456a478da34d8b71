/*
 * cmd_history.c - `booksync history`: every transition, with time, actor
 * and reason, for one record or for all.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/jsonr.h"
#include "rules/rules.h"
#include "store/store.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <time.h>

static int cmd_history_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_history_entry = {
    "history",
    "show the history of a record, or of everything",
    "usage: booksync [--db PATH] history [REF] [--limit N] [--json]\n"
    "\n"
    "Every transition of a record: when, who (import, cli, sync, ...), from which\n"
    "state to which, and why.  REF is KIND:ID (sale:SO-1) or an ID unique across\n"
    "kinds.  Without REF, the newest entries of all records.  Each entry on a\n"
    "ledger says the Accounting Status it left (Imported, or Not Imported Yet Or\n"
    "Reset For Re-import); with REF, the record's status on each ledger follows.\n"
    "\n"
    "Options:\n"
    "  --limit N   at most N entries, the newest (default 50 without REF, all with)\n"
    "  --json      one JSON document on stdout\n",
    cmd_history_exec,
};

struct hist {
	bool json;
	uint64_t n;
	struct store *st;
	enum record_kind kind;
	const char *id;
};

/* With REF: the record's Accounting Status on each ledger, now. */
static int status_cb(void *arg, const char *target, const char *name)
{
	struct hist *s = arg;
	enum sync_state st;

	(void)name;
	if (store_state_get(s->st, s->kind, s->id, target, &st, NULL, NULL) != BS_OK)
		return 0;
	if (s->json) {
		fputs(s->n++ > 0 ? ",\n    {\"target\": " : "\n    {\"target\": ", stdout);
		cli_json_str(stdout, target);
		fputs(", \"accounting_status\": ", stdout);
		cli_json_str(stdout, rules_accounting_status(st));
		fputc('}', stdout);
	} else {
		printf("Accounting Status on %s: %s\n", target, rules_accounting_status(st));
	}
	return 0;
}

static void fmt_time(char out[32], int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(out, 32, "%lld", (long long)ms);
		return;
	}
	snprintf(out + 19, 13, ".%03dZ", (int)(ms % 1000));
}

/* The Accounting Status an entry on a ledger left the record in; "" for
 * entries that are not on one (arrival, a new version). */
static const char *accounting(const struct store_history_row *h)
{
	enum sync_state s;

	if (h->target[0] == '\0' || sync_state_from_name(h->to, &s) != BS_OK)
		return "";
	return rules_accounting_status(s);
}

static int hist_cb(void *arg, const struct store_history_row *h)
{
	struct hist *s = arg;
	char when[32];

	fmt_time(when, h->at_ms);
	s->n++;
	if (s->json) {
		fputs(s->n > 1 ? ",\n    {\"at\": " : "\n    {\"at\": ", stdout);
		cli_json_str(stdout, when);
		fputs(", \"kind\": ", stdout);
		cli_json_str(stdout, record_kind_name(h->kind));
		fputs(", \"id\": ", stdout);
		cli_json_str(stdout, h->id);
		fputs(", \"target\": ", stdout);
		cli_json_str(stdout, h->target);
		fputs(", \"actor\": ", stdout);
		cli_json_str(stdout, h->actor);
		fputs(", \"from\": ", stdout);
		cli_json_str(stdout, h->from);
		fputs(", \"to\": ", stdout);
		cli_json_str(stdout, h->to);
		fputs(", \"reason\": ", stdout);
		cli_json_str(stdout, h->reason);
		fputs(", \"accounting_status\": ", stdout);
		cli_json_str(stdout, accounting(h));
		fputc('}', stdout);
		return 0;
	}
	printf("%s  %s:%s  %s  %s  %s%s%s%s%s\n", when, record_kind_name(h->kind), h->id,
	       h->target[0] ? h->target : "-", h->actor, h->from, h->from[0] ? " -> " : "", h->to,
	       h->reason[0] ? "  " : "", h->reason);
	return 0;
}

/*
 * The record's reference as booksync shows it, whole, into out: a billed
 * purchase's is its bill's (supplier invoice number + " / " + its
 * reference), anything else's its own reference ("" when none).
 */
static void whole_reference(struct store *st, enum record_kind kind, const char *id,
                            struct buf *out)
{
	struct buf body;
	struct json_object *o = NULL;
	const char *inv, *ref;
	bool cut;

	buf_init(&body, (size_t)16 << 20);
	if (store_record_get(st, kind, id, NULL, &body, NULL) == BS_OK)
		o = json_tokener_parse(buf_cstr(&body));
	inv = jsonr_str(o, "supplier_invoice_no");
	ref = jsonr_str(o, "reference");
	if (kind != RECORD_PURCHASE || inv == NULL ||
	    rules_purchase_reference(true, inv, ref != NULL ? ref : id, 0, out, NULL, &cut, NULL) !=
	        BS_OK)
		(void)buf_addstr(out, ref != NULL ? ref : "");
	json_object_put(o);
	buf_free(&body);
}

static int cmd_history_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"limit", required_argument, NULL, 'l'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct hist h = {false, 0, NULL, RECORD_SALE, NULL};
	struct store *st = NULL;
	struct bs_error err;
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	long long limit = -1;
	char *end;
	int c, rc;

	if (cli_wants_help(&cmd_history_entry, argc, argv))
		return CLI_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			limit = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || limit < 1)
				return cli_usage_error(&cmd_history_entry,
				                       "--limit needs a positive number");
			break;
		case 'j':
			h.json = true;
			break;
		default:
			return cli_usage_error(&cmd_history_entry, "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error(&cmd_history_entry, "name at most one REF");
	rc = cli_store_open(ctx, &cmd_history_entry, 0, &st);
	if (rc != CLI_OK)
		return rc;
	bs_error_clear(&err);
	if (optind < argc) {
		rc = store_ref_resolve(st, argv[optind], &kind, id, &err);
		if (rc != BS_OK) {
			rc = cli_fail(&cmd_history_entry, rc, err.msg);
			goto out;
		}
	}
	if (limit < 0)
		limit = optind < argc ? 0 : 50;
	if (h.json)
		fputs("{\n  \"history\": [", stdout);
	rc = store_history_each(st, optind < argc ? &kind : NULL, optind < argc ? id : NULL, limit,
	                        hist_cb, &h, &err);
	if (h.json)
		fputs("\n  ]", stdout);
	if (rc == BS_OK && optind < argc) {
		struct buf ref;

		buf_init(&ref, 4096);
		whole_reference(st, kind, id, &ref);
		if (h.json) {
			fputs(",\n  \"reference\": ", stdout);
			cli_json_str(stdout, buf_cstr(&ref));
		} else if (ref.len > 0) {
			printf("Reference: %s\n", buf_cstr(&ref));
		}
		buf_free(&ref);
		h.st = st;
		h.kind = kind;
		h.id = id;
		h.n = 0;
		if (h.json)
			fputs(",\n  \"accounting_status\": [", stdout);
		rc = store_targets_each(st, status_cb, &h, &err);
		if (h.json)
			fputs("\n  ]", stdout);
	}
	if (h.json)
		fputs("\n}\n", stdout);
	rc = rc == BS_OK ? CLI_OK : cli_fail(&cmd_history_entry, rc, err.msg);
out:
	store_close(st);
	return rc;
}
