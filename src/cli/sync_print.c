/*
 * sync_run.c - the body of `sync` and `resync` (see sync_run.h).
 */
#include "cli/sync_run.h"

#include "core/buf.h"
#include "store/settings.h"
#include "sync/dispatch.h"
#include "sync/session.h"
#include "sync/synclock.h"

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
	struct session *sess;
	bool json, dry_run, drawn;
	struct noted *skipped, *waiting, *failed;
	size_t nskipped, nwaiting, nfailed;
	uint64_t docs_shown;
	int64_t last_draw;
	struct synclock lock; /* one sync of the target at a time; a dry run takes none */
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

static void on_verdict(void *arg, enum record_kind kind, const char *id, enum sync_state s,
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

static void on_failure(void *arg, enum record_kind kind, const char *id, const char *msg)
{
	struct run *r = arg;

	note(&r->failed, &r->nfailed, kind, id, msg);
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

static void on_progress(void *arg, uint64_t posted, uint64_t failed, uint64_t calls)
{
	struct run *r = arg;
	int64_t now = cli_now_ms();

	if (!r->ctx->stderr_tty || now - r->last_draw < 100)
		return;
	r->last_draw = now;
	r->drawn = true;
	fprintf(stderr, "\rsyncing: %llu posted, %llu failed, %llu calls",
	        (unsigned long long)posted, (unsigned long long)failed, (unsigned long long)calls);
	fflush(stderr);
}

static int64_t now_cb(void *clock)
{
	(void)clock;
	return cli_now_ms();
}

/* The governor's waits (a day's limit may mean hours) keep the lock's
 * lease alive: sleep in slices, renewing between them. */
static void sleep_cb(void *clock, int64_t ms)
{
	struct run *r = clock;

	while (ms > 0) {
		int64_t slice = ms < SYNCLOCK_LEASE_MS / 8 ? ms : SYNCLOCK_LEASE_MS / 8;

		session_sleep_ms(slice);
		ms -= slice;
		synclock_renew(&r->lock, cli_now_ms(), NULL);
	}
}

static int refresh_cb(void *arg, struct xero_conn *conn, struct bs_error *err)
{
	struct run *r = arg;
	int rc = synclock_renew(&r->lock, cli_now_ms(), err);

	(void)conn;
	return rc != BS_OK ? rc : session_refresh_if_needed(r->sess, err);
}

static void call_started_cb(void *arg)
{
	struct run *r = arg;

	session_window_save(r->sess);
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

int cli_sync_run(const struct cli_ctx *ctx, const struct cli_cmd *cmd, const char *want_target,
                 const struct plan_opts *in, bool json)
{
	/* a private copy: the callbacks and target set below point at this
	 * function's locals, which must not outlive it in the caller's struct */
	struct plan_opts opts = *in, *po = &opts;
	struct run r = {ctx, NULL, json, po->dry_run, false, NULL, NULL, NULL, 0, 0, 0, 0, 0};
	struct plan_stats ps = {0};
	struct dispatch_stats ds = {0};
	struct session sess;
	struct store *st = NULL;
	struct bs_error err;
	struct buf tbuf, round;
	bool have_session = false;
	int rc, code = CLI_OK;

	buf_init(&tbuf, 256);
	buf_init(&round, 64);
	bs_error_clear(&err);
	memset(&sess, 0, sizeof(sess));
	code = cli_store_open(ctx, cmd, 0, &st);
	if (code != CLI_OK)
		goto out;
	rc = store_target_pick(st, want_target, &tbuf, &po->target, &err);
	if (rc == BS_OK && po->target == NULL)
		rc = bs_error_set(&err, BS_EAUTH,
		                  "no ledger is connected: run booksync connect xero");
	if (rc == BS_OK)
		rc = settings_get(st, "ledger_rounding", &round, &err);
	if (rc != BS_OK) {
		/* which ledger is meant is the user's to say: a usage error */
		code = rc == BS_EAUTH                          ? CLI_UNREACHABLE
		       : rc == BS_EINVAL || rc == BS_ENOTFOUND ? CLI_USAGE
		                                               : cli_exit_for(rc);
		fprintf(stderr, "booksync %s: %s\n", cmd->name, err.msg);
		goto out;
	}
	po->ledger_round =
	    strcmp(buf_cstr(&round), "half-even") == 0 ? MONEY_HALF_EVEN : MONEY_HALF_AWAY;
	po->now_ms = cli_now_ms();
	po->on_doc = on_doc;
	po->on_verdict = on_verdict;
	po->arg = &r;
	if (!po->dry_run) {
		/* before the session: its token refresh must not race another's */
		rc = synclock_take(&r.lock, st, po->target, cli_now_ms(), &err);
		if (rc != BS_OK) {
			code = cli_exit_for(rc); /* 4: store error or locked */
			fprintf(stderr, "booksync %s: %s\n", cmd->name, err.msg);
			goto out;
		}
		rc = session_open(&sess, st, ctx->db_path, po->target, cli_now_ms, &err);
		have_session = true;
		if (rc != BS_OK) {
			code = rc == BS_EAUTH || rc == BS_ENET ? CLI_UNREACHABLE : cli_exit_for(rc);
			fprintf(stderr, "booksync %s: %s\n", cmd->name, err.msg);
			goto out;
		}
	}
	if (json)
		fputs(po->dry_run ? "{\n  \"documents\": [" : "{", stdout);
	rc = plan_run(st, po, &ps, &err);
	if (rc != BS_OK) {
		code = cli_exit_for(rc);
		fprintf(stderr, "booksync %s: planning failed: %s\n", cmd->name, err.msg);
		goto out;
	}
	if (!po->dry_run) {
		struct dispatch_opts d = {0};

		d.target = po->target;
		d.conn = sess.conn;
		d.gov = sess.gov; /* one governor per process: connect, sync, lookups */
		d.now_ms = now_cb;
		d.sleep_ms = sleep_cb;
		d.clock = &r;
		d.before_call = refresh_cb;
		d.call_started = call_started_cb;
		d.on_progress = on_progress;
		d.on_failure = on_failure;
		d.arg = &r;
		r.sess = &sess;
		rc = refresh_cb(&r, sess.conn, &err); /* the lease, after a long plan; the token */
		if (rc == BS_OK)
			rc = dispatch_run(st, &d, &ds, &err);
		/* documents voided in the ledger were reset: plan and send them anew */
		if (rc == BS_OK && ds.replanned > 0) {
			ds.replanned = 0;
			rc = plan_run(st, po, &ps, &err);
			if (rc == BS_OK)
				rc = dispatch_run(st, &d, &ds, &err);
		}
		if (r.drawn)
			fputs("\r\033[K", stderr);
		if (rc != BS_OK) {
			code = rc == BS_EAUTH || rc == BS_ENET || rc == BS_EPROTO
			           ? CLI_UNREACHABLE
			           : cli_exit_for(rc);
			fprintf(stderr, "booksync %s: %s\n", cmd->name, err.msg);
		}
	}
	if (json) {
		printf("%s  \"target\": ", po->dry_run ? "\n  ],\n" : "\n");
		cli_json_str(stdout, po->target);
		printf(",\n  \"dry_run\": %s,\n  \"planned\": %llu,\n  \"documents_planned\": %llu,"
		       "\n  \"corrections\": %llu,\n  \"posted\": %llu,\n  \"failed\": %llu,"
		       "\n  \"skipped\": %llu,\n  \"waiting\": %llu,\n  \"calls\": %llu,"
		       "\n  \"write_calls\": %llu,\n  \"rate_limited\": %llu,\n  \"retries\": %llu,"
		       "\n  \"recovered\": %llu",
		       po->dry_run ? "true" : "false", (unsigned long long)ps.planned,
		       (unsigned long long)ps.documents, (unsigned long long)ps.corrections,
		       (unsigned long long)ds.posted, (unsigned long long)ds.failed + ps.failed,
		       (unsigned long long)ps.skipped, (unsigned long long)ps.waiting + ds.waiting,
		       (unsigned long long)ds.calls, (unsigned long long)ds.write_calls,
		       (unsigned long long)ds.rate_limited, (unsigned long long)ds.retries,
		       (unsigned long long)ds.recovered);
		printf(",\n  \"tracking_left_out\": %llu", (unsigned long long)ps.tracking_dropped);
		list_json("errors", r.failed, r.nfailed);
		list_json("skipped_records", r.skipped, r.nskipped);
		list_json("waiting_records", r.waiting, r.nwaiting);
		fputs("\n}\n", stdout);
	} else if (po->dry_run) {
		printf("\ndry run: %llu records would be queued as %llu documents (%llu with a "
		       "rounding correction); %llu skipped, %llu waiting, %llu cannot be built; "
		       "nothing was sent or saved\n",
		       (unsigned long long)ps.planned, (unsigned long long)ps.documents,
		       (unsigned long long)ps.corrections, (unsigned long long)ps.skipped,
		       (unsigned long long)ps.waiting, (unsigned long long)ps.failed);
		list_text("Skipped", r.skipped, r.nskipped);
		list_text("Waiting", r.waiting, r.nwaiting);
		list_text("Errors", r.failed, r.nfailed);
	} else {
		printf("Synced to %s: %llu documents posted, %llu failed, %llu skipped, %llu "
		       "waiting\n",
		       po->target, (unsigned long long)ds.posted,
		       (unsigned long long)ds.failed + ps.failed, (unsigned long long)ps.skipped,
		       (unsigned long long)ps.waiting + ds.waiting);
		printf("Calls used: %llu (%llu writes), %llu rate-limited, %llu retried, %llu "
		       "recovered by lookup; %llu rounding corrections, %llu totals corrected "
		       "after posting\n",
		       (unsigned long long)ds.calls, (unsigned long long)ds.write_calls,
		       (unsigned long long)ds.rate_limited, (unsigned long long)ds.retries,
		       (unsigned long long)ds.recovered, (unsigned long long)ps.corrections,
		       (unsigned long long)ds.corrected);
		if (ps.tracking_dropped > 0)
			printf(
			    "%llu tracking value%s the organisation has no category or option for "
			    "%s left out (e.g. %s): add them in Xero to keep them\n",
			    (unsigned long long)ps.tracking_dropped,
			    ps.tracking_dropped == 1 ? "" : "s",
			    ps.tracking_dropped == 1 ? "was" : "were", ps.tracking_example);
		list_text("Skipped", r.skipped, r.nskipped);
		list_text("Waiting", r.waiting, r.nwaiting);
		list_text("Errors", r.failed, r.nfailed);
	}
	if (code == CLI_OK && r.nfailed > 0)
		code = CLI_REJECTED;
out:
	if (have_session)
		session_close(&sess);
	synclock_release(&r.lock);
	store_close(st);
	free(r.skipped);
	free(r.waiting);
	free(r.failed);
	buf_free(&tbuf);
	buf_free(&round);
	return code;
}
