/*
 * sync_run.h - what `sync` and `resync` share: open the target's session,
 * plan, dispatch, and print the summary (or the dry run's documents).
 */
#ifndef BS_CLI_SYNC_RUN_H
#define BS_CLI_SYNC_RUN_H

#include "cli/cli.h"
#include "sync/plan.h"

/* Run a sync for `opts` (target filled from --target / the only target),
 * holding the target's sync lock unless it is a dry run (sync/synclock.h).
 * Returns the exit code: 0 ok, 1 some records failed, 3 unreachable or not
 * authorised, 4 store error or another sync of the target running. */
int cli_sync_run(const struct cli_ctx *ctx, const struct cli_cmd *cmd, const char *want_target,
                 const struct plan_opts *opts, bool json);

#endif
