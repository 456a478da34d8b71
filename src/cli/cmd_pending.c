/*
 * cmd_pending.c - `booksync pending`: what awaits upload, per tab.
 *
 * Without --tab: a count per tab (every tab, zero or not, in dashboard
 * order).  With --tab: that tab's rows, each with its state and, for a row
 * that will wait, why.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "rules/rules.h"
#include "store/store.h"
#include "sync/tabs.h"

#include <getopt.h>
#include <string.h>

static int cmd_pending_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_pending_entry = {
    "pending",
    "list what awaits upload, per tab",
    "usage: booksync [--db PATH] pending [--target T] [--tab TAB] [--json]\n"
    "\n"
    "Without --tab, counts per tab; with --tab, the rows of that tab (or group:\n"
    "'sales'), each with its state and why it waits.  A tab may be named by its last\n"
    "part where that is unique ('invoices').  Before any ledger is connected every\n"
    "record is listed as not imported.\n"
    "\n"
    "Options:\n"
    "  --target T   xero:<tenant> or qbo:<realm>; may be left out while one is connected\n"
    "  --tab TAB    list the rows of TAB\n"
    "  --json       one JSON document on stdout\n",
    cmd_pending_exec,
};

#define MAX_TABS 32

struct walk {
	bool json, rows;
	size_t ntabs;
	const struct tabs_def *tabs;
	uint64_t counts[MAX_TABS];
	uint64_t total;
	struct buf money;
};

/* The words for why a row is not simply waiting its turn. */
static const char *note_prefix(const struct store_row *r)
{
	if (r->reason[0] == '\0')
		return "";
	if (r->state == SYNC_NOT_IMPORTED)
		return "will wait for ";
	return "";
}

static void row_json(struct walk *w, const struct store_row *r)
{
	fputs(w->total > 1 ? ",\n    {\"kind\": " : "\n    {\"kind\": ", stdout);
	cli_json_str(stdout, record_kind_name(r->kind));
	fputs(", \"id\": ", stdout);
	cli_json_str(stdout, r->id);
	fputs(", \"tab\": ", stdout);
	cli_json_str(stdout, r->tab);
	fputs(", \"date\": ", stdout);
	cli_json_str(stdout, r->date);
	fputs(", \"reference\": ", stdout);
	cli_json_str(stdout, r->reference);
	fputs(", \"total\": ", stdout);
	if (r->has_total)
		cli_json_str(stdout, buf_cstr(&w->money));
	else
		fputs("null", stdout);
	fputs(", \"currency\": ", stdout);
	cli_json_str(stdout, r->currency);
	fputs(", \"state\": ", stdout);
	cli_json_str(stdout, sync_state_name(r->state));
	fputs(", \"reason\": ", stdout);
	cli_json_str(stdout, r->reason);
	fputs(", \"accounting_status\": ", stdout);
	cli_json_str(stdout, rules_accounting_status(r->state));
	fputc('}', stdout);
}

static int row_cb(void *arg, const struct store_row *r)
{
	struct walk *w = arg;

	for (size_t i = 0; i < w->ntabs; i++) {
		if (strcmp(w->tabs[i].name, r->tab) == 0) {
			w->counts[i]++;
			break;
		}
	}
	w->total++;
	if (!w->rows)
		return 0;
	buf_reset(&w->money);
	if (r->has_total)
		cli_money(&w->money, r->total, r->currency);
	if (w->json) {
		row_json(w, r);
		return 0;
	}
	printf("%-26.26s %-22.22s %-10s %-16s %13s %-3s  %s%s%s%s\n", r->tab, r->id, r->date,
	       r->reference, buf_cstr(&w->money), r->currency, sync_state_label(r->state),
	       r->reason[0] ? " - " : "", note_prefix(r), r->reason);
	return 0;
}

static void summary_json(const struct walk *w, const char *target)
{
	fputs(w->rows ? "\n  ],\n  \"tabs\": [" : "  \"tabs\": [", stdout);
	for (size_t i = 0; i < w->ntabs; i++) {
		fputs(i ? ",\n    {\"tab\": " : "\n    {\"tab\": ", stdout);
		cli_json_str(stdout, w->tabs[i].name);
		fputs(", \"label\": ", stdout);
		cli_json_str(stdout, w->tabs[i].label);
		printf(", \"pending\": %llu}", (unsigned long long)w->counts[i]);
	}
	printf("\n  ],\n  \"total\": %llu,\n  \"target\": ", (unsigned long long)w->total);
	if (target != NULL)
		cli_json_str(stdout, target);
	else
		fputs("null", stdout);
	fputs("\n}\n", stdout);
}

static void summary_text(const struct walk *w, const char *target)
{
	if (w->rows) {
		printf("%llu pending\n", (unsigned long long)w->total);
		return;
	}
	if (target == NULL)
		printf("No ledger connected yet: every record is Not Imported Yet.\n\n");
	else
		printf("Pending uploads to %s\n\n", target);
	printf("  %-34s %9s\n", "TAB", "PENDING");
	for (size_t i = 0; i < w->ntabs; i++)
		printf("  %-34s %9llu\n", w->tabs[i].label, (unsigned long long)w->counts[i]);
	printf("  %-34s %9llu\n", "Total", (unsigned long long)w->total);
}

static int cmd_pending_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'},
	    {"tab", required_argument, NULL, 'b'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct walk w = {0};
	struct store *st = NULL;
	struct bs_error err;
	struct buf tbuf;
	const char *want_target = NULL, *tab = NULL, *target = NULL;
	int c, rc;

	if (cli_wants_help(&cmd_pending_entry, argc, argv))
		return CLI_OK;
	bs_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			want_target = optarg;
			break;
		case 'b':
			if (tabs_resolve(optarg, &tab, &err) != BS_OK)
				return cli_usage_error(&cmd_pending_entry, "%s", err.msg);
			break;
		case 'j':
			w.json = true;
			break;
		default:
			return cli_usage_error(&cmd_pending_entry, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_pending_entry, "unexpected argument '%s'",
		                       argv[optind]);
	rc = cli_store_open(ctx, &cmd_pending_entry, 0, &st);
	if (rc != CLI_OK)
		return rc;
	buf_init(&tbuf, 256);
	buf_init(&w.money, 64);
	w.tabs = tabs_all(&w.ntabs);
	w.rows = tab != NULL;
	rc = store_target_pick(st, want_target, &tbuf, &target, &err);
	if (rc != BS_OK) {
		rc = cli_fail(&cmd_pending_entry, rc, err.msg);
		goto out;
	}
	if (w.json)
		fputs(w.rows ? "{\n  \"rows\": [" : "{\n", stdout);
	rc = store_pending_each(st, target, tab, row_cb, &w, &err);
	if (rc != BS_OK) {
		if (w.json)
			fputs("\n", stdout);
		rc = cli_fail(&cmd_pending_entry, rc, err.msg);
		goto out;
	}
	if (w.json)
		summary_json(&w, target);
	else
		summary_text(&w, target);
	rc = CLI_OK;
out:
	buf_free(&w.money);
	buf_free(&tbuf);
	store_close(st);
	return rc;
}
