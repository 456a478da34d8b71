/*
 * cmd_consolidated.c - `booksync consolidated`: every member of a posted
 * consolidated document, with the document it went into
 * (docs/consolidation.md "Viewing").
 *
 * The consolidated documents are source records the planner wrote (their
 * `consolidation` field lists their members), so the listing reads them
 * and shows those the ledger has: failed, skipped and pending ones are not
 * shown, nor are records that posted on their own (see `history`).
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "store/store.h"
#include "sync/consview.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static int cmd_consolidated_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_consolidated_entry = {
    "consolidated",
    "list the members of posted consolidated documents",
    "usage: booksync [--db PATH] consolidated [--target T] [--search TEXT] [--type TYPE]\n"
    "                                        [--sort COLUMN] [--desc] [--page N]\n"
    "                                        [--per-page N] [--csv | --json]\n"
    "\n"
    "Every member document of a consolidated document the ledger holds: its booksync\n"
    "number, its type (sale invoice, sale credit note, sale invoice payment, sale\n"
    "credit note refund, COGS (invoice), COGS (credit note), journal, receive money,\n"
    "spend money), the consolidated document's name and its number in the ledger,\n"
    "its date and amount.  Failed, skipped and pending items are not shown; records\n"
    "synced on their own are in 'booksync history'.\n"
    "\n"
    "Options:\n"
    "  --search TEXT   rows whose document number or consolidated number holds TEXT\n"
    "  --type TYPE     rows of that type (as listed)\n"
    "  --sort COLUMN   number, type, consolidated, date or amount (default: date)\n"
    "  --desc          descending\n"
    "  --page N        page N (from 1) of --per-page rows (default 50)\n"
    "  --csv           the filtered view as CSV, all pages\n"
    "  --json          the page as one JSON document\n",
    cmd_consolidated_exec,
};

static void csv_out(const struct consview_row *w, struct buf *line)
{
	buf_reset(line);
	if (consview_csv_row(w, line) == BS_OK)
		fputs(buf_cstr(line), stdout);
}

/* A count from 1, -1 for anything else. */
static long parse_count(const char *s)
{
	int64_t v;

	return cli_whole(s, 1, 999999, &v) ? (long)v : -1;
}

static void print(const struct consview *r, bool csv, bool json, long page, long per)
{
	size_t from = csv ? 0 : (size_t)((page - 1) * per);
	size_t to = csv ? r->n : from + (size_t)per;

	if (to > r->n)
		to = r->n;
	struct buf line;

	buf_init(&line, BUF_MAX_DEFAULT);
	if (csv)
		fputs("number,type,consolidated,ledger_number,date,amount\n", stdout);
	else if (json)
		printf("{\n  \"total\": %zu, \"page\": %ld, \"per_page\": %ld,\n  \"rows\": [",
		       r->n, page, per);
	else
		printf("%-20s %-24s %-36s %-10s %12s\n", "NUMBER", "TYPE", "CONSOLIDATED", "DATE",
		       "AMOUNT");
	for (size_t i = from; i < to; i++) {
		const struct consview_row *w = &r->v[i];

		if (csv) {
			csv_out(w, &line);
		} else if (json) {
			fputs(i > from ? ",\n    {\"number\": " : "\n    {\"number\": ", stdout);
			cli_json_str(stdout, w->number);
			fputs(", \"type\": ", stdout);
			cli_json_str(stdout, w->type);
			fputs(", \"consolidated\": ", stdout);
			cli_json_str(stdout, w->cons);
			fputs(", \"ledger_number\": ", stdout);
			cli_json_str(stdout, w->ledger);
			fputs(", \"date\": ", stdout);
			cli_json_str(stdout, w->date);
			fputs(", \"amount\": ", stdout);
			cli_json_str(stdout, w->amount);
			fputs("}", stdout);
		} else {
			printf("%-20s %-24s %-36s %-10s %12s\n", w->number, w->type, w->cons,
			       w->date, w->amount);
		}
	}
	if (json)
		fputs("\n  ]\n}\n", stdout);
	else if (!csv)
		printf("-- rows %zu-%zu of %zu (page %ld)\n", r->n > 0 ? from + 1 : 0, to, r->n,
		       page);
	buf_free(&line);
}

static int cmd_consolidated_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'},   {"search", required_argument, NULL, 's'},
	    {"type", required_argument, NULL, 'y'},     {"sort", required_argument, NULL, 'o'},
	    {"desc", no_argument, NULL, 'd'},           {"page", required_argument, NULL, 'p'},
	    {"per-page", required_argument, NULL, 'n'}, {"csv", no_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},           {NULL, 0, NULL, 0},
	};
	struct consview r;
	struct consview_filter f;
	struct store *st = NULL;
	struct bs_error err;
	struct buf tb;
	const char *target_arg = NULL;
	bool csv = false, json = false;
	long page = 1, per = 50;
	int c, code;

	if (cli_wants_help(&cmd_consolidated_entry, argc, argv))
		return CLI_OK;
	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	f.sort = CONSVIEW_DATE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			target_arg = optarg;
			break;
		case 's':
			f.search = optarg;
			break;
		case 'y':
			f.type = optarg;
			break;
		case 'o':
			if (consview_col_parse(optarg, &f.sort) != BS_OK)
				return cli_usage_error(&cmd_consolidated_entry,
				                       "--sort: one of number, type, consolidated, "
				                       "date, amount");
			break;
		case 'd':
			f.desc = true;
			break;
		case 'p':
			if ((page = parse_count(optarg)) < 0)
				return cli_usage_error(&cmd_consolidated_entry,
				                       "--page: a whole number from 1");
			break;
		case 'n':
			if ((per = parse_count(optarg)) < 0)
				return cli_usage_error(&cmd_consolidated_entry,
				                       "--per-page: a whole number from 1");
			break;
		case 'c':
			csv = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return cli_usage_error(&cmd_consolidated_entry, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_consolidated_entry, "unexpected argument '%s'",
		                       argv[optind]);
	if (csv && json)
		return cli_usage_error(&cmd_consolidated_entry,
		                       "--csv and --json exclude each other");
	code = cli_store_open(ctx, &cmd_consolidated_entry, 0, &st);
	if (code != CLI_OK)
		return code;
	buf_init(&tb, 1024);
	bs_error_clear(&err);
	if (store_target_pick(st, target_arg, &tb, &f.target, &err) != BS_OK) {
		code = cli_usage_error(&cmd_consolidated_entry, "%s", err.msg);
		goto out;
	}
	{
		int rc = consview_load(st, &f, &r, &err);

		if (rc != BS_OK) {
			code = cli_fail(&cmd_consolidated_entry, rc, err.msg);
			goto out;
		}
	}
	print(&r, csv, json, page, per);
out:
	consview_free(&r);
	buf_free(&tb);
	store_close(st);
	return code;
}
