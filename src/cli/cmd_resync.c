/*
 * cmd_resync.c - `booksync resync`: send records now (docs/states-and-tabs.md).
 */
#include "cli/sync_print.h"
#include "store/store.h"

#include <getopt.h>
#include <stdlib.h>

static int cmd_resync_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_resync_entry = {
    "resync",
    "send records now: update the linked document, or create one",
    "usage: booksync [--db PATH] resync [--target T] [--json] REF...\n"
    "\n"
    "Sends each record now, whatever its state but queued, waiting or consolidated:\n"
    "a record linked to a ledger document updates it in place, an unlinked one is\n"
    "created.  Use it after fixing a record that landed on Errors.  REF is KIND:ID\n"
    "(sale:SO-1) or an ID unique across kinds.\n",
    cmd_resync_exec,
};

static int cmd_resync_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct sync_run_opts po = {0};
	struct plan_ref *refs;
	struct store *st = NULL;
	struct bs_error err;
	bool json = false;
	int c, code;

	if (cli_wants_help(&cmd_resync_entry, argc, argv))
		return CLI_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 't')
			po.target = optarg;
		else if (c == 'j')
			json = true;
		else
			return cli_usage_error(&cmd_resync_entry, "unknown option");
	}
	if (optind >= argc)
		return cli_usage_error(&cmd_resync_entry, "name at least one REF (sale:SO-1)");
	refs = calloc((size_t)(argc - optind), sizeof(*refs));
	if (refs == NULL)
		return CLI_STORE;
	code = cli_store_open(ctx, &cmd_resync_entry, 0, &st);
	bs_error_clear(&err);
	for (int i = optind; code == CLI_OK && i < argc; i++) {
		struct plan_ref *r = &refs[po.nrefs];

		if (store_ref_resolve(st, argv[i], &r->kind, r->id, &err) != BS_OK) {
			fprintf(stderr, "booksync resync: %s\n", err.msg);
			code = CLI_REJECTED;
		} else {
			po.nrefs++;
		}
	}
	store_close(st);
	if (code == CLI_OK) {
		po.refs = refs;
		po.resync = true;
		code = cli_sync(ctx, &cmd_resync_entry, &po, json);
	}
	free(refs);
	return code;
}
