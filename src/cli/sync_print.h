/*
 * sync_print.h - what `sync` and `resync` share: run a sync (sync/run.h)
 * and show it -- the progress line on a terminal, a dry run's documents,
 * the summary as text or one JSON document, the exit code.
 */
#ifndef BS_CLI_SYNC_PRINT_H
#define BS_CLI_SYNC_PRINT_H

#include "cli/cli.h"
#include "sync/run.h"

/*
 * Open the store, run the sync `opts` describes (what to plan, the target
 * or NULL; the store path, clock and callbacks are this function's) and
 * print it.  Returns the exit code: 0 ok, 1 some records failed, 2 no such
 * target or several and none named, 3 unreachable or not authorised, 4
 * store error or another sync of the target running.
 */
int cli_sync(const struct cli_ctx *ctx, const struct cli_cmd *cmd, const struct sync_run_opts *opts,
             bool json);

#endif
