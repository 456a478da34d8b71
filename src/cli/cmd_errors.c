/*
 * cmd_errors.c - `booksync errors`: the Errors tabs.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/civil.h"
#include "store/store.h"
#include "sync/tabs.h"

#include <getopt.h>

static int cmd_errors_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_errors_entry = {
    "errors",
    "list records the ledger refused, with its reason",
    "usage: booksync [--db PATH] errors [--target T] [--tab TAB] [--json]\n"
    "       booksync [--db PATH] errors [--target T] --dismiss REF\n"
    "\n"
    "Every record in error on the target, its reference (whole) and the ledger's\n"
    "message (or why it could not be built).  Fix the record at its source and\n"
    "import it again, or fix the setting named, then `booksync resync REF`.\n"
    "\n"
    "Then the refused re-imports: new content for a member of a consolidated\n"
    "document already posted, which the ledger cannot take (the member keeps the\n"
    "posted version).  Import the posted version again, or post the difference\n"
    "as its own record (a credit note, a new sale), then --dismiss REF.\n"
    "REF is KIND:ID (sale:SO-1) or an ID unique across kinds.\n",
    cmd_errors_exec,
};

struct ew {
	bool json;
	uint64_t n, nref;
};

/* One row, the n-th of its list: a record in error, or (at != NULL, when
 * it was refused) a refused re-import. */
static void print_row(const struct ew *w, uint64_t n, const struct store_row *r, const char *at)
{
	char ref[RECORD_ID_MAX + 32];

	snprintf(ref, sizeof(ref), "%s:%s", record_kind_name(r->kind), r->id);
	if (w->json) {
		fputs(n > 1 ? ",\n    {\"ref\": " : "\n    {\"ref\": ", stdout);
		cli_json_str(stdout, ref);
		fputs(", \"tab\": ", stdout);
		cli_json_str(stdout, r->tab);
		fputs(", \"reference\": ", stdout);
		cli_json_str(stdout, r->reference);
		if (at != NULL) {
			fputs(", \"at\": ", stdout);
			cli_json_str(stdout, at);
		}
		fputs(", \"message\": ", stdout);
		cli_json_str(stdout, r->reason);
		fputc('}', stdout);
		return;
	}
	if (at != NULL && n == 1)
		puts("Refused re-imports (the posted version stands):");
	/* the reference whole (a bill's: supplier invoice number / purchase) */
	printf("%-26s %-24s %s%s%s", r->tab, ref, r->reference,
	       r->reference[0] != '\0' ? " - " : "", r->reason);
	if (at != NULL)
		printf(" (%sZ)", at);
	putchar('\n');
}

static int err_cb(void *arg, const struct store_row *r)
{
	struct ew *w = arg;

	print_row(w, ++w->n, r, NULL);
	return 0;
}

/* A refused re-import, after the errors. */
static int refused_cb(void *arg, const struct store_row *r, int64_t at_ms)
{
	struct ew *w = arg;
	char at[32];

	civil_format(at_ms, false, at, sizeof(at));
	print_row(w, ++w->nref, r, at);
	return 0;
}

/* --dismiss REF: the posted version stands; the refusal leaves Errors. */
static int dismiss(struct store *st, const char *target, const char *ref, struct bs_error *err)
{
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	int rc = store_ref_resolve(st, ref, &kind, id, err);

	if (rc == BS_OK)
		rc = store_refusal_dismiss(st, target, kind, id, err);
	if (rc == BS_OK)
		printf("%s:%s: refusal dismissed; the posted version stands\n",
		       record_kind_name(kind), id);
	return rc;
}

static int cmd_errors_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'},
	    {"tab", required_argument, NULL, 'b'},
	    {"json", no_argument, NULL, 'j'},
	    {"dismiss", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	struct ew w = {false, 0, 0};
	struct store *st = NULL;
	struct bs_error err;
	struct buf tb;
	const char *want = NULL, *target = NULL, *tab = NULL, *drop = NULL;
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
		else if (c == 'd')
			drop = optarg;
		else
			return cli_usage_error(&cmd_errors_entry, "unknown option");
	}
	rc = cli_store_open(ctx, &cmd_errors_entry, 0, &st);
	if (rc != CLI_OK)
		return rc;
	buf_init(&tb, 256);
	rc = store_target_pick(st, want, &tb, &target, &err);
	if (rc == BS_OK && target != NULL && drop != NULL) {
		rc = dismiss(st, target, drop, &err);
	} else if (rc == BS_OK && target != NULL) {
		if (w.json)
			fputs("{\n  \"errors\": [", stdout);
		rc = store_state_each(st, target, SYNC_ERROR, tab, err_cb, &w, &err);
		if (w.json)
			printf("\n  ],\n  \"count\": %llu,\n  \"refused\": [",
			       (unsigned long long)w.n);
		else if (rc == BS_OK)
			printf("%llu record%s in error\n", (unsigned long long)w.n,
			       w.n == 1 ? "" : "s");
		if (rc == BS_OK)
			rc = store_refusals_each(st, target, tab, refused_cb, &w, &err);
		if (w.json)
			printf("\n  ],\n  \"refused_count\": %llu\n}\n",
			       (unsigned long long)w.nref);
		else if (rc == BS_OK && w.nref > 0)
			printf("%llu refused re-import%s\n", (unsigned long long)w.nref,
			       w.nref == 1 ? "" : "s");
	} else if (rc == BS_OK && drop != NULL) {
		rc = bs_error_set(&err, BS_ENOTFOUND, "no ledger connected: nothing was refused");
	} else if (rc == BS_OK) {
		if (w.json)
			fputs("{\n  \"errors\": [],\n  \"count\": 0,\n  \"refused\": [],\n"
			      "  \"refused_count\": 0\n}\n",
			      stdout);
		else
			puts("No ledger connected yet: nothing has failed.");
	}
	rc = rc == BS_OK ? CLI_OK : cli_fail(&cmd_errors_entry, rc, err.msg);
	buf_free(&tb);
	store_close(st);
	return rc;
}
