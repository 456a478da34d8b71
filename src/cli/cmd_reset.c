/*
 * cmd_reset.c - `booksync reset`: "Reset For Re-import".
 *
 * Moves imported, changed, error or skipped records back to not imported,
 * keeping their ledger links, so the next sync updates the linked document
 * (or creates a new one when it was deleted or voided).  Queued, waiting
 * and consolidated records refuse, with the reason.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "store/store.h"

#include <getopt.h>

static int cmd_reset_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_reset_entry = {
    "reset",
    "Reset For Re-import: make records pending again",
    "usage: booksync [--db PATH] reset [--target T] REF...\n"
    "\n"
    "Moves each record (imported, has changes, error or skipped) back to \"Not\n"
    "Imported Yet Or Reset For Re-import\".  Its link to the ledger document is\n"
    "kept: the next sync updates that document, or creates a new one if it was\n"
    "deleted or voided in the ledger.  Queued, waiting and consolidated records\n"
    "are refused with the reason.  REF is KIND:ID (sale:SO-1) or an ID unique\n"
    "across kinds.\n"
    "\n"
    "Options:\n"
    "  --target T   xero:<tenant> or qbo:<realm>; may be left out while one is connected\n"
    "\n"
    "Exit: 0 all reset, 1 some refused or unknown (listed), 4 store error.\n",
    cmd_reset_exec,
};

static int cmd_reset_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	struct store_actor who = {"cli", 0};
	struct store *st = NULL;
	struct bs_error err;
	struct buf tbuf;
	const char *want = NULL, *target = NULL;
	int c, rc, worst = CLI_OK;

	if (cli_wants_help(&cmd_reset_entry, argc, argv))
		return CLI_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c != 't')
			return cli_usage_error(&cmd_reset_entry, "unknown option");
		want = optarg;
	}
	if (optind >= argc)
		return cli_usage_error(&cmd_reset_entry, "name at least one REF (sale:SO-1)");
	rc = cli_store_open(ctx, &cmd_reset_entry, STORE_OPEN_CHECK, &st);
	if (rc != CLI_OK)
		return rc;
	buf_init(&tbuf, 256);
	bs_error_clear(&err);
	rc = store_target_pick(st, want, &tbuf, &target, &err);
	if (rc != BS_OK) {
		worst = cli_fail(&cmd_reset_entry, rc, err.msg);
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		enum record_kind kind;
		enum sync_state to;
		char id[RECORD_ID_MAX + 1];

		bs_error_clear(&err);
		rc = store_ref_resolve(st, argv[i], &kind, id, &err);
		if (rc == BS_OK && target == NULL) {
			printf("%s:%s: already not imported (no ledger is connected yet)\n",
			       record_kind_name(kind), id);
			continue;
		}
		if (rc == BS_OK) {
			who.now_ms = cli_now_ms();
			rc = store_state_apply(st, kind, id, target, SYNC_EV_RESET,
			                       "reset for re-import", &who, &to, &err);
		}
		if (rc == BS_OK) {
			printf("%s:%s: %s\n", record_kind_name(kind), id, sync_state_label(to));
			continue;
		}
		c = cli_fail(&cmd_reset_entry, rc, err.msg);
		if (c == CLI_STORE || c == CLI_USAGE)
			c = c == CLI_STORE ? CLI_STORE : CLI_REJECTED;
		if (c > worst)
			worst = c;
		if (c == CLI_STORE)
			break;
	}
out:
	buf_free(&tbuf);
	store_close(st);
	return worst;
}
