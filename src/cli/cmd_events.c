/*
 * cmd_events.c - `booksync events`: the outbox of events for the source
 * system (docs/events.md): deliver what is due once (for cron), list the
 * dead letters, re-deliver them.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "events/events.h"
#include "http/client.h"
#include "store/store.h"
#include "store/store_events.h"

#include <getopt.h>
#include <string.h>

static int cmd_events_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_events_entry = {
    "events",
    "deliver events to the source system; list and re-deliver failed ones",
    "usage: booksync [--db PATH] events --deliver\n"
    "       booksync [--db PATH] events --failed [--json]\n"
    "       booksync [--db PATH] events --redeliver ID | --all-failed\n"
    "\n"
    "--deliver posts every due event once to the setting events.url, signed\n"
    "with events.secret (serve does the same in the background).  An event not\n"
    "accepted is retried with backoff for 24 hours, then listed by --failed.\n"
    "--redeliver ID (or --all-failed) makes failed events due again now.\n"
    "\n"
    "Exit: 0 done, 1 some events failed this run, 2 usage, 4 store error.\n",
    cmd_events_exec,
};

static int print_one(void *arg, const struct store_event *e, const char *data)
{
	bool *json_first = arg;

	(void)data;
	if (json_first == NULL) {
		printf("%s  %-18s %-24s attempts %lld  %s\n", e->id, e->type, e->target,
		       (long long)e->attempts, e->last_error);
		return 0;
	}
	fputs(*json_first ? "\n  {\"id\": " : ",\n  {\"id\": ", stdout);
	*json_first = false;
	cli_json_str(stdout, e->id);
	fputs(", \"type\": ", stdout);
	cli_json_str(stdout, e->type);
	fputs(", \"target\": ", stdout);
	cli_json_str(stdout, e->target);
	printf(", \"attempts\": %lld, \"created_ms\": %lld, \"last_error\": ",
	       (long long)e->attempts, (long long)e->created_ms);
	cli_json_str(stdout, e->last_error);
	fputs("}", stdout);
	return 0;
}

static int deliver(struct store *st)
{
	struct events_run run = {0, 0, 0};
	struct http_client *c = NULL;
	struct bs_error err;
	int rc;

	bs_error_clear(&err);
	rc = http_client_new(&c, &err);
	if (rc == BS_OK)
		rc = events_deliver_due(st, c, cli_now_ms(), events_unit_ms(), 0, &run, &err);
	http_client_free(c);
	if (rc != BS_OK)
		return cli_fail(&cmd_events_entry, rc, err.msg);
	printf("delivered %lld, to retry %lld, failed %lld\n", (long long)run.delivered,
	       (long long)run.retried, (long long)run.dead);
	return run.retried + run.dead > 0 ? CLI_REJECTED : CLI_OK;
}

static int cmd_events_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"deliver", no_argument, NULL, 'd'},    {"failed", no_argument, NULL, 'f'},
	    {"json", no_argument, NULL, 'j'},       {"redeliver", required_argument, NULL, 'r'},
	    {"all-failed", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0},
	};
	const char *redeliver = NULL;
	bool do_deliver = false, failed = false, json = false, all = false, first = true;
	struct store *st = NULL;
	struct bs_error err;
	int64_t n = 0;
	int c, rc;

	if (cli_wants_help(&cmd_events_entry, argc, argv))
		return CLI_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 'd')
			do_deliver = true;
		else if (c == 'f')
			failed = true;
		else if (c == 'j')
			json = true;
		else if (c == 'r')
			redeliver = optarg;
		else if (c == 'a')
			all = true;
		else
			return cli_usage_error(&cmd_events_entry, "unknown option");
	}
	if (optind < argc)
		return cli_usage_error(&cmd_events_entry, "unexpected argument '%s'", argv[optind]);
	if (do_deliver + failed + (redeliver != NULL || all) != 1 || (redeliver != NULL && all))
		return cli_usage_error(
		    &cmd_events_entry,
		    "give one of --deliver, --failed, --redeliver ID, --all-failed");
	if (json && !failed)
		return cli_usage_error(&cmd_events_entry, "--json goes with --failed");
	rc = cli_store_open(ctx, &cmd_events_entry, failed ? 0 : STORE_OPEN_CHECK, &st);
	if (rc != CLI_OK)
		return rc;
	bs_error_clear(&err);
	if (do_deliver) {
		rc = deliver(st);
	} else if (failed) {
		if (json)
			fputs("{\"events\": [", stdout);
		rc = store_events_list(st, "dead", 0, print_one, json ? &first : NULL, &err);
		if (json)
			fputs(first ? "]}\n" : "\n]}\n", stdout);
		rc = rc == BS_OK ? CLI_OK : cli_fail(&cmd_events_entry, rc, err.msg);
	} else {
		rc = store_event_redeliver(st, redeliver, cli_now_ms(), &n, &err);
		if (rc == BS_OK)
			printf("%lld event(s) due again\n", (long long)n);
		rc = rc == BS_OK ? CLI_OK : cli_fail(&cmd_events_entry, rc, err.msg);
	}
	store_close(st);
	return rc;
}
