/*
 * sync_print.c - how `sync` and `resync` show a run (see sync_print.h).
 */
#include "cli/sync_print.h"
#include "consolidate/consolidate.h"
#include "store/settings.h"
#include "sync/onboard.h"

#include "ledger/ledger.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHOW_MAX 25

struct noted {
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	char why[300];
};

struct run {
	const struct cli_ctx *ctx;
	bool json, dry_run, drawn, opened;
	struct noted *skipped, *waiting, *failed;
	size_t nskipped, nwaiting, nfailed;
	uint64_t docs_shown;
	int64_t last_draw;
	const char *today; /* the day that decided whether a period has ended */
};

static void note(struct noted **v, size_t *n, enum record_kind kind, const char *id,
                 const char *why)
{
	struct noted *e;

	if (*n % 64 == 0) {
		struct noted *g = realloc(*v, (*n + 64) * sizeof(**v));

		if (g == NULL)
			return;
		*v = g;
	}
	e = &(*v)[(*n)++];
	e->kind = kind;
	snprintf(e->id, sizeof(e->id), "%s", id);
	snprintf(e->why, sizeof(e->why), "%s", why != NULL ? why : "");
}

static void on_record(void *arg, enum record_kind kind, const char *id, enum sync_state s,
                      const char *reason)
{
	struct run *r = arg;

	if (s == SYNC_SKIPPED)
		note(&r->skipped, &r->nskipped, kind, id, reason);
	else if (s == SYNC_WAITING)
		note(&r->waiting, &r->nwaiting, kind, id, reason);
	else if (s == SYNC_ERROR)
		note(&r->failed, &r->nfailed, kind, id, reason);
}

/* "kind:id" as a JSON string. */
static void json_ref(enum record_kind kind, const char *id)
{
	char ref[RECORD_ID_MAX + 32];

	snprintf(ref, sizeof(ref), "%s:%s", record_kind_name(kind), id);
	cli_json_str(stdout, ref);
}

static void on_doc(void *arg, enum record_kind kind, const char *id, const char *type,
                   const char *op, const char *body)
{
	struct run *r = arg;

	if (!r->dry_run)
		return;
	if (r->json) {
		fputs(r->docs_shown ? ",\n    {\"record\":" : "\n    {\"record\":", stdout);
		json_ref(kind, id);
		printf(",\"type\":\"%s\",\"op\":\"%s\",\"document\":%s}", type, op, body);
	} else {
		printf("%s %s for %s:%s\n  %s\n", op, type, record_kind_name(kind), id, body);
	}
	r->docs_shown++;
}

/* The JSON document opens as the first plan starts: a dry run's documents
 * follow as they are planned. */
static int on_progress(void *arg, const struct sync_progress *p, struct bs_error *err)
{
	struct run *r = arg;
	int64_t now = cli_now_ms();

	(void)err;
	if (p->phase == SYNC_PHASE_PLAN && r->json && !r->opened) {
		fputs(r->dry_run ? "{\n  \"documents\": [" : "{", stdout);
		r->opened = true;
	}
	if (p->phase != SYNC_PHASE_SEND || !r->ctx->stderr_tty || now - r->last_draw < 100)
		return BS_OK;
	r->last_draw = now;
	r->drawn = true;
	fprintf(stderr, "\rsyncing: %llu posted, %llu failed, %llu calls",
	        (unsigned long long)p->posted, (unsigned long long)p->failed,
	        (unsigned long long)p->calls);
	fflush(stderr);
	return BS_OK;
}

/* Grouped by reason: errors are listed one by one, the rest counted per
 * reason with a few examples, so a thousand "not invoiced yet" stay one line. */
static void list_text(const char *title, const struct noted *v, size_t n)
{
	bool *shown;
	size_t groups = 0;

	if (n == 0)
		return;
	printf("%s (%zu):\n", title, n);
	if (strcmp(title, "Errors") == 0) {
		for (size_t i = 0; i < n && i < SHOW_MAX; i++)
			printf("  %s:%s  %s\n", record_kind_name(v[i].kind), v[i].id, v[i].why);
		if (n > SHOW_MAX)
			printf("  ... and %zu more (booksync errors)\n", n - SHOW_MAX);
		return;
	}
	shown = calloc(n, sizeof(*shown));
	if (shown == NULL)
		return;
	for (size_t i = 0; i < n && groups < SHOW_MAX; i++) {
		size_t count = 0, ex = 0;

		if (shown[i])
			continue;
		for (size_t j = i; j < n; j++)
			count += strcmp(v[j].why, v[i].why) == 0;
		printf("  %zu x %s:", count, v[i].why);
		for (size_t j = i; j < n; j++) {
			if (shown[j] || strcmp(v[j].why, v[i].why) != 0)
				continue;
			shown[j] = true;
			if (ex++ < 3)
				printf(" %s:%s", record_kind_name(v[j].kind), v[j].id);
		}
		printf("%s\n", count > 3 ? " ..." : "");
		groups++;
	}
	free(shown);
}

static void list_json(const char *key, const struct noted *v, size_t n)
{
	printf(",\n  \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", {\"ref\":" : "{\"ref\":", stdout);
		json_ref(v[i].kind, v[i].id);
		fputs(",\"reason\":", stdout);
		cli_json_str(stdout, v[i].why);
		fputc('}', stdout);
	}
	fputc(']', stdout);
}

/* The exit code for a run that stopped in `phase` with `rc`. */
static int exit_for(enum sync_run_phase phase, int rc)
{
	switch (phase) {
	case SYNC_PHASE_TARGET:
		/* which ledger is meant is the user's to say: a usage error */
		return rc == BS_EAUTH                          ? CLI_UNREACHABLE
		       : rc == BS_EINVAL || rc == BS_ENOTFOUND ? CLI_USAGE
		                                               : cli_exit_for(rc);
	case SYNC_PHASE_SESSION:
		return rc == BS_EAUTH || rc == BS_ENET ? CLI_UNREACHABLE : cli_exit_for(rc);
	case SYNC_PHASE_SEND:
		return rc == BS_EAUTH || rc == BS_ENET || rc == BS_EPROTO ? CLI_UNREACHABLE
		                                                          : cli_exit_for(rc);
	default:
		return cli_exit_for(rc); /* LOCK: 4, another sync is running */
	}
}

static void print_json(const struct run *r, const struct sync_summary *sum)
{
	const struct plan_stats *ps = &sum->plan;
	const struct dispatch_stats *ds = &sum->sent;

	if (!r->opened)
		fputs(r->dry_run ? "{\n  \"documents\": [" : "{", stdout);
	printf("%s  \"target\": ", r->dry_run ? "\n  ],\n" : "\n");
	cli_json_str(stdout, sum->target);
	printf(",\n  \"dry_run\": %s,\n  \"planned\": %llu,\n  \"documents_planned\": %llu,"
	       "\n  \"corrections\": %llu,\n  \"posted\": %llu,\n  \"failed\": %llu,"
	       "\n  \"skipped\": %llu,\n  \"waiting\": %llu,\n  \"calls\": %llu,"
	       "\n  \"write_calls\": %llu,\n  \"rate_limited\": %llu,\n  \"retries\": %llu,"
	       "\n  \"recovered\": %llu",
	       r->dry_run ? "true" : "false", (unsigned long long)ps->planned,
	       (unsigned long long)ps->documents, (unsigned long long)ps->corrections,
	       (unsigned long long)ds->posted, (unsigned long long)ds->failed + ps->failed,
	       (unsigned long long)ps->skipped, (unsigned long long)ps->waiting + ds->waiting,
	       (unsigned long long)ds->calls, (unsigned long long)ds->write_calls,
	       (unsigned long long)ds->rate_limited, (unsigned long long)ds->retries,
	       (unsigned long long)ds->recovered);
	printf(",\n  \"tracking_left_out\": %llu", (unsigned long long)ps->tracking_dropped);
	printf(",\n  \"consolidated\": %llu", (unsigned long long)ps->consolidated);
	if (r->today != NULL) {
		fputs(",\n  \"today\": ", stdout);
		cli_json_str(stdout, r->today);
	}
	list_json("errors", r->failed, r->nfailed);
	list_json("skipped_records", r->skipped, r->nskipped);
	list_json("waiting_records", r->waiting, r->nwaiting);
	fputs("\n}\n", stdout);
}

static void print_text(const struct run *r, const struct sync_summary *sum)
{
	const struct plan_stats *ps = &sum->plan;
	const struct dispatch_stats *ds = &sum->sent;

	if (r->dry_run) {
		printf("\ndry run: %llu records would be queued as %llu documents (%llu with a "
		       "rounding correction); %llu skipped, %llu waiting, %llu cannot be built; "
		       "nothing was sent or saved\n",
		       (unsigned long long)ps->planned, (unsigned long long)ps->documents,
		       (unsigned long long)ps->corrections, (unsigned long long)ps->skipped,
		       (unsigned long long)ps->waiting, (unsigned long long)ps->failed);
		if (ps->consolidated > 0)
			printf(
			    "dry run: %llu records would be consolidated (docs/consolidation.md)\n",
			    (unsigned long long)ps->consolidated);
	} else {
		printf("Synced to %s: %llu documents posted, %llu failed, %llu skipped, %llu "
		       "waiting\n",
		       sum->target, (unsigned long long)ds->posted,
		       (unsigned long long)ds->failed + ps->failed, (unsigned long long)ps->skipped,
		       (unsigned long long)ps->waiting + ds->waiting);
		if (ps->consolidated > 0)
			printf("Consolidated: %llu records into their daily or monthly documents "
			       "(booksync consolidated)\n",
			       (unsigned long long)ps->consolidated);
		printf("Calls used: %llu (%llu writes), %llu rate-limited, %llu retried, %llu "
		       "recovered by lookup; %llu rounding corrections, %llu totals corrected "
		       "after posting\n",
		       (unsigned long long)ds->calls, (unsigned long long)ds->write_calls,
		       (unsigned long long)ds->rate_limited, (unsigned long long)ds->retries,
		       (unsigned long long)ds->recovered, (unsigned long long)ps->corrections,
		       (unsigned long long)ds->corrected);
		if (ps->tracking_dropped > 0) {
			/* the ledger's own name: tracking is added there, not here */
			const struct ledger_ops *ops = ledger_for_target(sum->target);
			const char *lname =
			    ops != NULL && ops->caps != NULL && ops->caps->display_name != NULL
			        ? ops->caps->display_name
			        : "the ledger";

			printf(
			    "%llu tracking value%s the organisation has no category or option for "
			    "%s left out (e.g. %s): add them in %s to keep them\n",
			    (unsigned long long)ps->tracking_dropped,
			    ps->tracking_dropped == 1 ? "" : "s",
			    ps->tracking_dropped == 1 ? "was" : "were", ps->tracking_example,
			    lname);
		}
	}
	list_text("Skipped", r->skipped, r->nskipped);
	list_text("Waiting", r->waiting, r->nwaiting);
	list_text("Errors", r->failed, r->nfailed);
}

/*
 * Today in the organisation's zone (onboard_org_timezone): the `timezone`
 * setting, else the zone connect read from the organisation (Xero's
 * Organisation.Timezone), else UTC; an offset, or an IANA name the C
 * library resolves.  out: "YYYY-MM-DD".
 */
static void org_today(struct store *st, const char *target, int64_t now_ms, char out[11])
{
	struct bs_error e;
	struct buf tz;
	int off = 0;

	buf_init(&tz, 128);
	if (onboard_org_timezone(st, target, &tz, &e) != BS_OK)
		buf_reset(&tz);
	if (tz.len > 0 && cons_tz_offset(buf_cstr(&tz), &off) != BS_OK) {
		/* an IANA name: the C library's zone database says the offset now */
		const char *old = getenv("TZ");
		char *saved = old != NULL ? strdup(old) : NULL;
		time_t t = (time_t)(now_ms / 1000);
		struct tm tm;

		setenv("TZ", buf_cstr(&tz), 1);
		tzset();
		if (localtime_r(&t, &tm) != NULL)
			off = (int)(tm.tm_gmtoff / 60);
		if (saved != NULL)
			setenv("TZ", saved, 1);
		else
			unsetenv("TZ");
		tzset();
		free(saved);
	}
	if (cons_today(now_ms, off, out) != BS_OK)
		cons_today(0, 0, out);
	buf_free(&tz);
}

int cli_sync(const struct cli_ctx *ctx, const struct cli_cmd *cmd, const struct sync_run_opts *in,
             bool json)
{
	/* a private copy: the callbacks' argument is this function's local */
	struct sync_run_opts o = *in, *opts = &o;
	struct run r = {ctx, json, in->dry_run, false, false, NULL, NULL, NULL, 0, 0, 0, 0, 0};
	struct sync_summary sum;
	struct store *st = NULL;
	struct bs_error err;
	char today[11];
	int rc, code;

	bs_error_clear(&err);
	code = cli_store_open(ctx, cmd, STORE_OPEN_CHECK, &st);
	if (code != CLI_OK)
		return code;
	opts->db_path = ctx->db_path;
	opts->now_ms = cli_now_ms;
	if (opts->today == NULL) {
		org_today(st, opts->target, cli_now_ms(), today);
		opts->today = today;
	}
	r.today = opts->today;
	opts->on_doc = on_doc;
	opts->on_record = on_record;
	opts->on_progress = on_progress;
	opts->arg = &r;
	rc = sync_run(st, opts, &sum, &err);
	if (r.drawn)
		fputs("\r\033[K", stderr);
	code = rc == BS_OK ? CLI_OK : exit_for(sum.phase, rc);
	if (rc != BS_OK)
		fprintf(stderr, "booksync %s: %s%s\n", cmd->name,
		        sum.phase == SYNC_PHASE_PLAN ? "planning failed: " : "", err.msg);
	/* a run that failed before it sent anything has nothing to show */
	if (rc == BS_OK || sum.phase == SYNC_PHASE_SEND) {
		if (json)
			print_json(&r, &sum);
		else
			print_text(&r, &sum);
	}
	if (code == CLI_OK && r.nfailed > 0)
		code = CLI_REJECTED;
	store_close(st);
	free(r.skipped);
	free(r.waiting);
	free(r.failed);
	return code;
}
