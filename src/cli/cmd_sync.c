/*
 * cmd_sync.c - `booksync sync`: Upload All, Upload Selected, Sync All.
 */
#include "cli/sync_print.h"
#include "consolidate/consolidate.h"
#include "store/store.h"
#include "sync/tabs.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static int cmd_sync_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_sync_entry = {
    "sync",
    "post pending records to the connected ledger",
    "usage: booksync [--db PATH] sync [--target T] [--tab TAB [--select REF...] | --everything]\n"
    "                                [--today YYYY-MM-DD] [--dry-run] [--json]\n"
    "\n"
    "Without options: Sync All, i.e. Customers, Invoices, Suppliers, Supplier Invoices\n"
    "and COGS (like the dashboard's button).  --tab TAB is Upload All of that tab;\n"
    "with --select REF... only those records (Upload Selected).  --everything syncs\n"
    "every tab in dependency order.  Any sync first posts the contacts its documents\n"
    "need.  Each document is posted exactly once: a second sync right after posts\n"
    "nothing; a changed record updates its ledger document in place.\n"
    "\n"
    "Options:\n"
    "  --target T     xero:<tenant>; may be left out while one ledger is connected\n"
    "  --tab TAB      a tab or group (invoices, sales/payments, purchases, ...)\n"
    "  --select REF   records of that tab, KIND:ID or ID (repeat, or list after it);\n"
    "                 a record of another tab is refused\n"
    "  --everything   every tab\n"
    "  --today DATE   the day that decides whether a consolidation day or month has\n"
    "                 ended (default: today in the 'timezone' setting's zone, else\n"
    "                 UTC; see docs/consolidation.md)\n"
    "  --dry-run      print exactly what would be posted (documents, lines, totals,\n"
    "                 rounding corrections); send and save nothing, so it takes no\n"
    "                 sync lock (see Exit)\n"
    "  --json         one JSON document on stdout\n"
    "\n"
    "Exit: 0 all posted, 1 some records failed (see booksync errors), 2 usage error\n"
    "(a REF that is not on TAB, ...), 3 ledger unreachable or not authorised, 4 store\n"
    "error, or another sync of this target is running (one at a time; a sync that\n"
    "was killed does not count).\n",
    cmd_sync_exec,
};

static int cmd_sync_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'}, {"tab", required_argument, NULL, 'b'},
	    {"select", no_argument, NULL, 's'},       {"everything", no_argument, NULL, 'e'},
	    {"dry-run", no_argument, NULL, 'n'},      {"json", no_argument, NULL, 'j'},
	    {"today", required_argument, NULL, 'd'},  {NULL, 0, NULL, 0},
	};
	struct sync_run_opts po = {0};
	struct plan_ref *refs = NULL;
	struct bs_error err;
	bool json = false, select = false;
	int c, code, rc;

	if (cli_wants_help(&cmd_sync_entry, argc, argv))
		return CLI_OK;
	bs_error_clear(&err);
	/* no "+": options may follow the --select REF list (GNU getopt moves
	 * the REFs, the only operands, to the end) */
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			po.target = optarg;
			break;
		case 'b':
			if (tabs_resolve(optarg, &po.tab, &err) != BS_OK)
				return cli_usage_error(&cmd_sync_entry, "%s", err.msg);
			break;
		case 's':
			select = true;
			break;
		case 'e':
			po.everything = true;
			break;
		case 'n':
			po.dry_run = true;
			break;
		case 'j':
			json = true;
			break;
		case 'd':
			if (cons_date_check(optarg) != BS_OK)
				return cli_usage_error(&cmd_sync_entry,
				                       "--today: '%s' is not a date YYYY-MM-DD",
				                       optarg);
			po.today = optarg;
			break;
		default:
			return cli_usage_error(&cmd_sync_entry, "unknown option");
		}
	}
	if (po.everything && po.tab != NULL)
		return cli_usage_error(&cmd_sync_entry,
		                       "--tab and --everything exclude each other");
	if (select && po.tab == NULL)
		return cli_usage_error(&cmd_sync_entry, "--select goes with --tab");
	if (!select && optind < argc)
		return cli_usage_error(&cmd_sync_entry, "unexpected argument '%s'", argv[optind]);
	if (select) {
		struct store *st = NULL;

		if (optind >= argc)
			return cli_usage_error(&cmd_sync_entry, "--select needs at least one REF");
		refs = calloc((size_t)(argc - optind), sizeof(*refs));
		if (refs == NULL)
			return CLI_STORE;
		code = cli_store_open(ctx, &cmd_sync_entry, 0, &st);
		for (int i = optind; code == CLI_OK && i < argc; i++) {
			struct plan_ref *r = &refs[po.nrefs];
			struct store_record_info info;

			if (store_ref_resolve(st, argv[i], &r->kind, r->id, &err) != BS_OK)
				code = cli_usage_error(&cmd_sync_entry, "%s", err.msg);
			else if ((rc = store_record_get(st, r->kind, r->id, &info, NULL, &err)) !=
			         BS_OK)
				code = cli_fail(&cmd_sync_entry, rc, err.msg);
			/* Upload Selected picks rows of that tab: another tab's
			 * record is a mistake to name, not nothing to post */
			else if (!tabs_holds(po.tab, info.tab))
				code = cli_usage_error(
				    &cmd_sync_entry, "%s:%s is not on the %s tab (it is on %s)",
				    record_kind_name(r->kind), r->id, po.tab, info.tab);
			else
				po.nrefs++;
		}
		store_close(st);
		if (code != CLI_OK) {
			free(refs);
			return code;
		}
		po.refs = refs;
	}
	code = cli_sync(ctx, &cmd_sync_entry, &po, json);
	free(refs);
	return code;
}
