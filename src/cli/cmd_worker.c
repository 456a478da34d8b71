/*
 * cmd_worker.c - `booksync worker`: sync the due targets of every store in
 * a PostgreSQL database, N at a time, beside other workers on this and
 * other machines (fleet/fleet.h, docs/scale-out.md).
 *
 * The engine is worker/worker.h (serve --workers runs the same): this
 * file is the command's options, its signals and its summary.
 */
#include "cli/cli.h"
#include "fleet/fleet.h"
#include "store/store.h"
#include "store/settings.h"
#include "worker/worker.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static int cmd_worker_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_worker_entry = {
    "worker",
    "sync every store of a PostgreSQL database, beside other workers",
    "usage: booksync --db postgresql://... worker [--concurrency N] [--every SECONDS]\n"
    "                                              [--lease SECONDS] [--once] [--status]\n"
    "\n"
    "Syncs the targets of every store in the database (each 'booksync init' on a\n"
    "postgresql://...?schema=NAME address registers its store), N at a time.  Run\n"
    "as many workers on as many machines as you like against one database: each\n"
    "target is synced by one worker at a time (a lease in the database, renewed\n"
    "while it syncs), a killed worker's targets go to another once its lease ends,\n"
    "and Xero's app-wide calls a minute are shared by all of them.  A run takes\n"
    "the target's waiting sync jobs first (Sync now or POST /api/v1/sync asked of\n"
    "a 'serve --fleet' or '--workers'), each to its end, then, when the target's\n"
    "time has come, Sync All, as the dashboard's button.  The credentials' key:\n"
    "$BOOKSYNC_KEY_FILE, the same file on every machine.  SIGTERM or SIGINT stop\n"
    "it once the running syncs end.\n"
    "\n"
    "Options:\n"
    "  --concurrency N   targets synced at once by this worker (default 4, 1..64)\n"
    "  --every SECONDS   how soon a synced target is due again (default 300)\n"
    "  --lease SECONDS   how long a claim lasts unless renewed (default 60): how\n"
    "                    soon a dead worker's targets are taken over\n"
    "  --once            stop when no target is due or being synced\n"
    "  --status          print every target's lease and exit\n"
    "\n"
    "Exit: 0 done or stopped, 1 some syncs failed (--once), 2 usage error,\n"
    "4 database error.\n",
    cmd_worker_exec,
};

/* A run's line to stdout, whole: the threads take turns (worker.h). */
static void log_line(void *arg, const char *line)
{
	(void)arg;
	if (strncmp(line, "error: ", 7) == 0) {
		fprintf(stderr, "booksync worker: %s\n", line + 7);
		return;
	}
	printf("%s\n", line);
	fflush(stdout);
}

static int print_row(void *arg, const struct fleet_row *r)
{
	(void)arg;
	printf("%-24s %-48s %-20s %6lld runs  due %+lld s%s  %s\n", r->store, r->target,
	       r->owner[0] != '\0' ? r->owner : "idle", (long long)r->runs,
	       (long long)(r->due_in_ms / 1000), r->asked ? " (a job waits)" : "", r->result);
	return 0;
}

static int cmd_worker_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"concurrency", required_argument, NULL, 'c'},
	    {"every", required_argument, NULL, 'e'},
	    {"lease", required_argument, NULL, 'l'},
	    {"once", no_argument, NULL, 'o'},
	    {"status", no_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	struct worker_opts wo = {.url = ctx->db_path, .now_ms = cli_now_ms, .log = log_line};
	struct worker_stats ws;
	struct worker *w = NULL;
	struct fleet *f = NULL;
	struct bs_error err;
	int64_t n = 4, every_s = 300, lease_s = 60, added = 0;
	bool status = false;
	sigset_t set;
	int opt, rc = CLI_OK;

	if (cli_wants_help(&cmd_worker_entry, argc, argv))
		return CLI_OK;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (!cli_whole(optarg, 1, WORKER_MAX, &n))
				return cli_usage_error(&cmd_worker_entry,
				                       "--concurrency takes 1 to 64, not '%s'",
				                       optarg);
			break;
		case 'e':
			if (!cli_whole(optarg, 1, 86400 * 7, &every_s))
				return cli_usage_error(
				    &cmd_worker_entry,
				    "--every takes seconds, 1 to a week, not '%s'", optarg);
			break;
		case 'l':
			if (!cli_whole(optarg, 2, 3600, &lease_s))
				return cli_usage_error(&cmd_worker_entry,
				                       "--lease takes seconds, 2 to 3600, not '%s'",
				                       optarg);
			break;
		case 'o':
			wo.once = true;
			break;
		case 's':
			status = true;
			break;
		default:
			return cli_usage_error(&cmd_worker_entry, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_worker_entry, "unexpected argument '%s'", argv[optind]);
	if (!store_path_is_pg(ctx->db_path))
		return cli_usage_error(
		    &cmd_worker_entry,
		    "workers share a PostgreSQL database: --db postgresql://...");
	if (status) {
		if (fleet_open(ctx->db_path, &f, &err) != BS_OK ||
		    fleet_refresh(f, &added, &err) != BS_OK ||
		    fleet_each(f, print_row, NULL, &err) != BS_OK)
			rc = cli_fail(&cmd_worker_entry, err.code, err.msg);
		fleet_close(f);
		return rc;
	}
	wo.concurrency = (int)n;
	wo.every_ms = every_s * 1000;
	wo.lease_ms = lease_s * 1000;
	wo.schedule_unit_ms = settings_minute_ms();
	if (!wo.once)
		cli_stop_signals_block(&set);
	if (worker_start(&wo, &w, &err) != BS_OK)
		return cli_fail(&cmd_worker_entry, err.code, err.msg);
	/* the id owners are named by (worker --status): which process holds what */
	fprintf(stderr, "booksync worker %s: %lld at a time\n", worker_id(w), (long long)n);
	if (!wo.once) {
		cli_stop_signals_wait(&set);
		worker_stop(w, false);
	}
	worker_end(w, &ws);
	if (wo.once)
		printf("worker: posted %lld, failed %lld, calls %lld, %d failed runs, "
		       "%lld waits for the app's budget\n",
		       ws.posted, ws.failed, ws.calls, ws.failed_runs, ws.app_waits);
	if (ws.fatal)
		rc = CLI_STORE;
	else if (wo.once && (ws.failed_runs > 0 || ws.failed > 0))
		rc = CLI_REJECTED;
	return rc;
}
