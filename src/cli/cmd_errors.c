/*
 * cmd_errors.c - `booksync errors`: the Errors tabs.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "store/store.h"
#include "sync/tabs.h"

#include <getopt.h>

static int cmd_errors_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_errors_entry = {
    "errors",
    "list records the ledger refused, with its reason",
    "usage: booksync [--db PATH] errors [--target T] [--tab TAB] [--json]\n"
    "\n"
    "Every record in error on the target, its reference (whole) and the ledger's\n"
    "message (or why it could not be built).  Fix the record at its source and\n"
    "import it again, or fix the setting named, then `booksync resync REF`.\n",
    cmd_errors_exec,
};

struct ew {
	bool json;
	uint64_t n;
};

static int err_cb(void *arg, const struct store_row *r)
{
	struct ew *w = arg;
	char ref[RECORD_ID_MAX + 32];

	snprintf(ref, sizeof(ref), "%s:%s", record_kind_name(r->kind), r->id);
	w->n++;
	if (w->json) {
		fputs(w->n > 1 ? ",\n    {\"ref\": " : "\n    {\"ref\": ", stdout);
		cli_json_str(stdout, ref);
		fputs(", \"tab\": ", stdout);
		cli_json_str(stdout, r->tab);
		fputs(", \"reference\": ", stdout);
		cli_json_str(stdout, r->reference);
		fputs(", \"message\": ", stdout);
		cli_json_str(stdout, r->reason);
		fputc('}', stdout);
	} else {
		/* the reference whole (a bill's: supplier invoice number / purchase) */
		printf("%-26s %-24s %s%s%s\n", r->tab, ref, r->reference,
		       r->reference[0] != '\0' ? " - " : "", r->reason);
	}
	return 0;
}

static int cmd_errors_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'},
	    {"tab", required_argument, NULL, 'b'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct ew w = {false, 0};
	struct store *st = NULL;
	struct bs_error err;
	struct buf tb;
	const char *want = NULL, *target = NULL, *tab = NULL;
	int c, rc;

	if (cli_wants_help(&cmd_errors_entry, argc, argv))
		return CLI_OK;
	bs_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 't')
			want = optarg;
		else if (c == 'b') {
			if (tabs_resolve(optarg, &tab, &err) != BS_OK)
				return cli_usage_error(&cmd_errors_entry, "%s", err.msg);
		} else if (c == 'j')
			w.json = true;
		else
			return cli_usage_error(&cmd_errors_entry, "unknown option");
	}
	rc = cli_store_open(ctx, &cmd_errors_entry, 0, &st);
	if (rc != CLI_OK)
		return rc;
	buf_init(&tb, 256);
	rc = store_target_pick(st, want, &tb, &target, &err);
	if (rc == BS_OK && target != NULL) {
		if (w.json)
			fputs("{\n  \"errors\": [", stdout);
		rc = store_state_each(st, target, SYNC_ERROR, tab, err_cb, &w, &err);
		if (w.json)
			printf("\n  ],\n  \"count\": %llu\n}\n", (unsigned long long)w.n);
		else if (rc == BS_OK)
			printf("%llu record%s in error\n", (unsigned long long)w.n,
			       w.n == 1 ? "" : "s");
	} else if (rc == BS_OK) {
		if (w.json)
			fputs("{\n  \"errors\": [],\n  \"count\": 0\n}\n", stdout);
		else
			puts("No ledger connected yet: nothing has failed.");
	}
	rc = rc == BS_OK ? CLI_OK : cli_fail(&cmd_errors_entry, rc, err.msg);
	buf_free(&tb);
	store_close(st);
	return rc;
}
