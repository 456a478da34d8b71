/*
 * main.c - booksync's entry point: global options, then one subcommand.
 *
 *   booksync [--db PATH] COMMAND [ARGS...]
 *
 * The store path comes from --db, else $BOOKSYNC_DB, else ./booksync.db.
 */
#include "cli/cli.h"
#include "core/error.h"
#include "http/client.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const struct cli_cmd cmd_init_entry;
extern const struct cli_cmd cmd_import_entry;
extern const struct cli_cmd cmd_pending_entry;
extern const struct cli_cmd cmd_history_entry;
extern const struct cli_cmd cmd_reset_entry;
extern const struct cli_cmd cmd_settings_entry;
extern const struct cli_cmd cmd_sandbox_entry;
extern const struct cli_cmd cmd_connect_entry;
extern const struct cli_cmd cmd_sync_entry;
extern const struct cli_cmd cmd_errors_entry;
extern const struct cli_cmd cmd_resync_entry;
extern const struct cli_cmd cmd_consolidated_entry;
extern const struct cli_cmd cmd_serve_entry;
extern const struct cli_cmd cmd_worker_entry;
extern const struct cli_cmd cmd_user_entry;
extern const struct cli_cmd cmd_token_entry;
extern const struct cli_cmd cmd_inbound_entry;
extern const struct cli_cmd cmd_events_entry;

static const struct cli_cmd *const commands[] = {
    &cmd_init_entry,    &cmd_import_entry,  &cmd_connect_entry,      &cmd_settings_entry,
    &cmd_pending_entry, &cmd_sync_entry,    &cmd_errors_entry,       &cmd_resync_entry,
    &cmd_reset_entry,   &cmd_history_entry, &cmd_consolidated_entry, &cmd_sandbox_entry,
    &cmd_serve_entry,   &cmd_worker_entry,  &cmd_user_entry,         &cmd_token_entry,
    &cmd_inbound_entry, &cmd_events_entry,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fputs("usage: booksync [--db PATH] COMMAND [ARGS...]\n"
	      "\n"
	      "Posts an inventory / order system's transactions into accounting ledgers\n"
	      "(Xero, QuickBooks Online) exactly once, to the cent.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\n"
	      "Options:\n"
	      "  --db PATH  the store (default: $BOOKSYNC_DB, else ./booksync.db)\n"
	      "  --help     this text; 'booksync COMMAND --help' for a command\n"
	      "  --version  print the version\n"
	      "\n"
	      "Exit codes: 0 ok, 1 some records rejected or failed, 2 usage or unreadable\n"
	      "input, 3 target unreachable or not authorised, 4 store error.\n",
	      f);
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx = {0};
	int i = 1;

	ctx.db_path = getenv("BOOKSYNC_DB");
	if (ctx.db_path == NULL || ctx.db_path[0] == '\0')
		ctx.db_path = "booksync.db";
	ctx.stderr_tty = isatty(STDERR_FILENO) == 1;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			ctx.db_path = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			ctx.db_path = argv[i] + 5;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CLI_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts("booksync 0.1.0");
			return CLI_OK;
		} else {
			fprintf(stderr, "booksync: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return CLI_USAGE;
		}
	}
	/* an empty --db names no file: the user's mistake, not the store's */
	if (ctx.db_path[0] == '\0') {
		fputs("booksync: --db needs a PATH\n", stderr);
		return CLI_USAGE;
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	for (size_t c = 0; c < NCOMMANDS; c++) {
		if (strcmp(argv[i], commands[c]->name) == 0) {
			struct bs_error err;
			int rc;

			/* process-wide library set-up happens here, once */
			if (sodium_init() < 0 || http_global_init(&err) != BS_OK) {
				fputs("booksync: cannot initialise crypto / HTTP libraries\n",
				      stderr);
				return CLI_STORE;
			}
			rc = commands[c]->exec(&ctx, argc - i, argv + i);
			http_global_cleanup();
			return rc;
		}
	}
	fprintf(stderr, "booksync: unknown command '%s'; see 'booksync --help'\n", argv[i]);
	return CLI_USAGE;
}
