/*
 * cmd_serve.c - `booksync serve`: the dashboard, the REST API and the
 * scheduler (src/api/api.h), until SIGTERM or SIGINT.
 *
 * The URL goes to stdout first, flushed, so a script that started us on
 * port 0 learns the port from the first line.  The signals are blocked
 * before any thread starts and waited for here, so a stop is an ordinary
 * call of api_stop (the running sync stops between ledger calls).
 * --workers runs the fleet's worker (worker/worker.h) in this process too:
 * a serve per machine is then a dashboard and N workers.  With --workers
 * or --fleet the store's syncs are the fleet's: the schedule's and the
 * sync jobs (api_jobs.c hands them to any worker of the database).
 */
#include "api/api.h"
#include "cli/cli.h"
#include "consolidate/consolidate.h"
#include "store/settings.h"
#include "store/store.h"
#include "worker/worker.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void log_line(const char *line)
{
	fprintf(stderr, "booksync serve: %s\n", line);
}

static int cmd_serve_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_serve_entry = {
    "serve",
    "the dashboard and the REST API (/api/v1/) over HTTP",
    "usage: booksync [--db PATH] serve [--listen ADDR:PORT] [--today YYYY-MM-DD]\n"
    "                                  [--workers N | --fleet]\n"
    "\n"
    "Serves the dashboard at / and the REST API at /api/v1/ (docs/openapi.yaml),\n"
    "and runs the scheduled sync (setting schedule.sync_minutes).  Prints its URL\n"
    "on the first line of stdout.  Log in with a user made by 'booksync user add';\n"
    "API clients send a token made by 'booksync token add'.  SIGTERM or SIGINT\n"
    "stop it cleanly: a running sync stops before its next ledger call.\n"
    "\n"
    "Options:\n"
    "  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; port 0 picks a\n"
    "                      free one).  Anything but loopback exposes the dashboard\n"
    "                      to the network: put a TLS proxy in front (docs/serve.md)\n"
    "  --today DATE        the consolidation day for every sync, as 'sync --today'\n"
    "  --workers N         with a postgresql:// store: also run N fleet workers, as\n"
    "                      'booksync worker --concurrency N', syncing every store of\n"
    "                      the database on its own schedule.sync_minutes (else every\n"
    "                      5 minutes); this store's schedule is then theirs, and\n"
    "                      its sync jobs (Sync now, POST /api/v1/sync) go to any\n"
    "                      worker of the fleet, here or on another machine\n"
    "  --fleet             as --workers, with no worker here: this serve is the\n"
    "                      dashboard and the API, and 'booksync worker' processes\n"
    "                      (on any machine) run its syncs and its jobs\n"
    "\n"
    "Exit: 0 stopped by a signal, 2 usage or a bad address, 3 cannot listen,\n"
    "4 store error.\n",
    cmd_serve_exec,
};

static int64_t now_ms(void)
{
	return cli_now_ms();
}

static void worker_log(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "booksync serve: worker: %s\n", line);
}

static int cmd_serve_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"today", required_argument, NULL, 'd'},
	    {"workers", required_argument, NULL, 'w'},
	    {"fleet", no_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	struct worker_opts wo = {.now_ms = now_ms, .log = worker_log};
	struct worker *w = NULL;
	struct api_opts opts;
	struct api_server *srv = NULL;
	struct bs_error err;
	int64_t workers = 0;
	bool fleet = false;
	sigset_t set;
	int c;

	if (cli_wants_help(&cmd_serve_entry, argc, argv))
		return CLI_OK;
	memset(&opts, 0, sizeof(opts));
	opts.db_path = ctx->db_path;
	opts.now_ms = now_ms;
	opts.log = log_line;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 'l')
			opts.listen = optarg;
		else if (c == 'd')
			opts.today = optarg;
		else if (c == 'w') {
			if (!cli_whole(optarg, 0, WORKER_MAX, &workers))
				return cli_usage_error(&cmd_serve_entry,
				                       "--workers takes 0 to %d, not '%s'",
				                       WORKER_MAX, optarg);
		} else if (c == 'f')
			fleet = true;
		else
			return cli_usage_error(&cmd_serve_entry, "unknown option");
	}
	if (optind < argc)
		return cli_usage_error(&cmd_serve_entry, "unexpected argument '%s'", argv[optind]);
	if (opts.today != NULL && cons_date_check(opts.today) != BS_OK)
		return cli_usage_error(&cmd_serve_entry, "--today: '%s' is not a date YYYY-MM-DD",
		                       opts.today);
	if (fleet && workers > 0)
		return cli_usage_error(&cmd_serve_entry,
		                       "--fleet runs no worker here: not with --workers");
	if ((workers > 0 || fleet) && !store_path_is_pg(ctx->db_path))
		return cli_usage_error(&cmd_serve_entry,
		                       "--%s: workers share a PostgreSQL database: "
		                       "--db postgresql://...",
		                       fleet ? "fleet" : "workers");
	opts.sync_by_workers = workers > 0 || fleet;
	cli_stop_signals_block(&set);
	bs_error_clear(&err);
	if (api_start(&opts, &srv, &err) != BS_OK) {
		fprintf(stderr, "booksync serve: %s\n",
		        err.msg[0] ? err.msg : bs_strerror(err.code));
		if (err.code == BS_ENOTFOUND)
			fprintf(stderr, "booksync serve: run 'booksync init' first\n");
		return err.code == BS_EINVAL      ? CLI_USAGE
		       : err.code == BS_EIO       ? CLI_UNREACHABLE
		       : err.code == BS_ENOTFOUND ? CLI_STORE
		                                  : cli_exit_for(err.code);
	}
	/* the workers before the address: a caller that reads the address
	 * finds them running */
	if (workers > 0) {
		wo.url = ctx->db_path;
		wo.concurrency = (int)workers;
		wo.every_ms = 300 * 1000;
		wo.lease_ms = 60 * 1000;
		wo.schedule_unit_ms = settings_minute_ms();
		if (worker_start(&wo, &w, &err) != BS_OK) {
			fprintf(stderr, "booksync serve: the workers: %s\n", err.msg);
			api_stop(srv);
			return cli_exit_for(err.code);
		}
	}
	fprintf(stderr, "booksync serve: listening on %s (stop with Ctrl-C)\n", api_url(srv));
	if (strncmp(api_url(srv), "http://127.", 11) != 0)
		fprintf(stderr,
		        "booksync serve: warning: %s is reachable from other machines over "
		        "plain HTTP; put a TLS proxy in front (docs/serve.md)\n",
		        api_url(srv));
	if (workers > 0)
		fprintf(stderr, "booksync serve: %lld workers (%s)\n", (long long)workers,
		        worker_id(w));
	else if (fleet)
		fprintf(stderr, "booksync serve: syncs and sync jobs go to the fleet's workers\n");
	/* the address last: whoever reads it finds every line above written */
	printf("%s\n", api_url(srv));
	fflush(stdout);
	cli_stop_signals_wait(&set);
	fprintf(stderr, "booksync serve: stopping\n");
	worker_stop(w, true);
	api_stop(srv);
	worker_end(w, NULL);
	return CLI_OK;
}
