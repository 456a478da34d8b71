/*
 * cmd_inbound_payments.c - `booksync inbound`, its payments half
 * (cmd_inbound_int.h; docs/inbound.md): `--once` runs the import of one
 * target (for cron), `--status` lists what it skipped or failed for a
 * person to reconcile, flagging what has waited more than 24 hours.
 */
#include "cli/cmd_inbound_int.h"

#include "core/buf.h"
#include "inbound/inbound.h"
#include "store/settings.h"
#include "store/store.h"
#include "store/store_inbound.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (INT64_C(24) * 3600 * 1000)

struct status_w {
	bool json;
	int64_t now, n;
};

static int status_cb(void *arg, const struct store_inbound_row *r)
{
	struct status_w *w = arg;
	bool overdue = store_inbound_overdue(r, w->now - DAY_MS);
	struct buf amt;

	buf_init(&amt, 64);
	cli_money(&amt, r->amount, r->currency);
	w->n++;
	if (w->json) {
		fputs(w->n > 1 ? ",\n    {\"ledger_id\": " : "\n    {\"ledger_id\": ", stdout);
		cli_json_str(stdout, r->ledger_id);
		fputs(", \"state\": ", stdout);
		cli_json_str(stdout, r->state);
		fputs(", \"reason\": ", stdout);
		cli_json_str(stdout, r->reason);
		fputs(", \"customer\": ", stdout);
		cli_json_str(stdout, r->customer);
		fputs(", \"sale\": ", stdout);
		cli_json_str(stdout, r->sale);
		fputs(", \"amount\": ", stdout);
		cli_json_str(stdout, buf_cstr(&amt));
		fputs(", \"currency\": ", stdout);
		cli_json_str(stdout, r->currency);
		printf(", \"decided_ms\": %lld, \"overdue\": %s}", (long long)r->decided_ms,
		       overdue ? "true" : "false");
	} else {
		printf("%-8s %-38s %12s %-3s %-20s %s%s\n", r->state, r->ledger_id, buf_cstr(&amt),
		       r->currency, r->sale[0] != '\0' ? r->sale : r->customer, r->reason,
		       overdue ? "  [unapplied over 24 h]" : "");
	}
	buf_free(&amt);
	return 0;
}

static int status(struct store *st, const char *target, bool json, struct bs_error *err)
{
	struct status_w w = {json, cli_now_ms(), 0};
	struct store_inbound_counts c;
	int rc;

	if (json)
		fputs("{\n  \"payments\": [", stdout);
	rc = store_inbound_each(st, target, NULL, status_cb, &w, err);
	if (rc == BS_OK)
		rc = store_inbound_count(st, target, w.now - DAY_MS, &c, err);
	if (rc != BS_OK)
		return rc;
	if (json)
		printf("\n  ],\n  \"applied\": %lld, \"skipped\": %lld, \"failed\": %lld, "
		       "\"reversed\": %lld, \"reconciled\": %lld, \"overdue\": %lld\n}\n",
		       (long long)c.applied, (long long)c.skipped, (long long)c.failed,
		       (long long)c.reversed, (long long)c.reconciled, (long long)c.overdue);
	else
		printf(
		    "%lld applied, %lld skipped, %lld failed, %lld reversed, %lld reconciled; %lld "
		    "unapplied for over 24 hours\n",
		    (long long)c.applied, (long long)c.skipped, (long long)c.failed,
		    (long long)c.reversed, (long long)c.reconciled, (long long)c.overdue);
	return BS_OK;
}

static int once(const struct cli_ctx *ctx, const struct cli_cmd *cmd, struct store *st,
                const char *target, int64_t max_pages, struct bs_error *err)
{
	struct inbound_result r;
	struct buf on;
	int rc;

	buf_init(&on, 16);
	rc = settings_get(st, "import_payments", &on, err);
	if (rc == BS_OK && strcmp(buf_cstr(&on), "true") != 0) {
		buf_free(&on);
		fprintf(stderr,
		        "booksync %s: importing payments is off (booksync settings "
		        "import_payments true)\n",
		        cmd->name);
		return CLI_OK;
	}
	buf_free(&on);
	if (rc != BS_OK)
		return cli_fail(cmd, rc, err->msg);
	rc = inbound_run_target(st, ctx->db_path, target, cli_now_ms, max_pages, &r, err);
	printf("%s: %lld payment%s read in %lld page%s: %lld applied, %lld skipped, %lld failed, "
	       "%lld ignored%s\n",
	       target, (long long)r.read, r.read == 1 ? "" : "s", (long long)r.pages,
	       r.pages == 1 ? "" : "s", (long long)r.applied, (long long)r.skipped,
	       (long long)r.failed, (long long)r.ignored, r.done ? "" : " (more to read)");
	if (r.reversed > 0) /* after the line tests and scripts read, on its own */
		printf("%s: %lld applied before and deleted in the ledger since: reversed\n",
		       target, (long long)r.reversed);
	if (rc != BS_OK)
		return cli_fail(cmd, rc, err->msg);
	return r.failed > 0 ? CLI_REJECTED : CLI_OK;
}

int cmd_inbound_payments(const struct cli_ctx *ctx, const struct cli_cmd *cmd, int argc,
                         char **argv)
{
	static const struct option longopts[] = {
	    {"once", no_argument, NULL, 'o'},
	    {"status", no_argument, NULL, 's'},
	    {"target", required_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},
	    {"max-pages", required_argument, NULL, 'm'},
	    {"reconciled", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	struct store *st = NULL;
	struct bs_error err;
	struct buf tb;
	const char *want = NULL, *target = NULL, *done_by_hand = NULL;
	bool do_once = false, do_status = false, json = false;
	int64_t max_pages = 0;
	int c, rc;

	if (cli_wants_help(cmd, argc, argv))
		return CLI_OK;
	bs_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		char *end = NULL;

		if (c == 'o')
			do_once = true;
		else if (c == 's')
			do_status = true;
		else if (c == 't')
			want = optarg;
		else if (c == 'j')
			json = true;
		else if (c == 'r')
			done_by_hand = optarg;
		else if (c == 'm') {
			max_pages = strtoll(optarg, &end, 10);
			if (end == optarg || *end != '\0' || max_pages < 1)
				return cli_usage_error(cmd, "--max-pages takes a positive number");
		} else
			return cli_usage_error(cmd, "unknown option");
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if ((int)do_once + (int)do_status + (done_by_hand != NULL) != 1)
		return cli_usage_error(cmd, "say --once, --status or --reconciled ID");
	rc = cli_store_open(ctx, cmd, do_status ? 0 : STORE_OPEN_CHECK, &st);
	if (rc != CLI_OK)
		return rc;
	buf_init(&tb, 256);
	rc = store_target_pick(st, want, &tb, &target, &err);
	if (rc != BS_OK) {
		rc = cli_fail(cmd, rc, err.msg);
	} else if (do_status) {
		rc = status(st, target, json, &err);
		rc = rc == BS_OK ? CLI_OK : cli_fail(cmd, rc, err.msg);
	} else if (target == NULL) {
		rc = cli_fail(cmd, BS_ESTATE, "no ledger connected: run booksync connect first");
	} else if (done_by_hand != NULL) {
		rc = store_inbound_reconcile(st, target, done_by_hand, "reconciled by hand (cli)",
		                             cli_now_ms(), &err);
		if (rc == BS_OK)
			printf("%s: payment %s reconciled; it leaves the list to reconcile\n",
			       target, done_by_hand);
		rc = rc == BS_OK ? CLI_OK : cli_fail(cmd, rc, err.msg);
	} else {
		rc = once(ctx, cmd, st, target, max_pages, &err);
	}
	buf_free(&tb);
	store_close(st);
	return rc;
}
