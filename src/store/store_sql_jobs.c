/*
 * store_sql_jobs.c - `booksync serve`'s sync jobs and the figures of
 * GET /metrics in SQLite (see store.h "jobs").
 *
 * A job is written a handful of times in its life (queued, running,
 * waiting, ended), so the statements are prepared per call, not kept in
 * the statement cache.
 */
#include "store/store_sql_int.h"

#include <stdio.h>
#include <string.h>

#define JOB_COLS                                                                                   \
	"id, target, origin, state, phase, posted, failed, calls, total, has_summary, s_posted,"   \
	" s_failed, s_skipped, s_waiting, s_calls, message, created_ms, started_ms, finished_ms,"  \
	" request, rate_limited, runner, worker"

/* A row of JOB_COLS into *j. */
static void job_row(struct db_stmt *q, struct store_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = db_col_int64(q, 0);
	sq_col_copy(q, 1, j->target, sizeof(j->target));
	sq_col_copy(q, 2, j->origin, sizeof(j->origin));
	sq_col_copy(q, 3, j->state, sizeof(j->state));
	sq_col_copy(q, 4, j->phase, sizeof(j->phase));
	j->posted = db_col_int64(q, 5);
	j->failed = db_col_int64(q, 6);
	j->calls = db_col_int64(q, 7);
	j->total = db_col_int64(q, 8);
	j->has_summary = db_col_int64(q, 9) != 0;
	j->s_posted = db_col_int64(q, 10);
	j->s_failed = db_col_int64(q, 11);
	j->s_skipped = db_col_int64(q, 12);
	j->s_waiting = db_col_int64(q, 13);
	j->s_calls = db_col_int64(q, 14);
	sq_col_copy(q, 15, j->message, sizeof(j->message));
	j->created_ms = db_col_int64(q, 16);
	j->started_ms = db_col_int64(q, 17);
	j->finished_ms = db_col_int64(q, 18);
	j->rate_limited = db_col_int64(q, 20);
	sq_col_copy(q, 21, j->runner, sizeof(j->runner));
	sq_col_copy(q, 22, j->worker, sizeof(j->worker));
}

/* Bind what store_job_update writes, as ?2.. (?1 is the id). */
static void bind_mutable(struct db_stmt *q, const struct store_job *j)
{
	db_bind_text(q, 2, j->state);
	db_bind_text(q, 3, j->phase);
	db_bind_int64(q, 4, j->posted);
	db_bind_int64(q, 5, j->failed);
	db_bind_int64(q, 6, j->calls);
	db_bind_int64(q, 7, j->total);
	db_bind_int64(q, 8, j->has_summary ? 1 : 0);
	db_bind_int64(q, 9, j->s_posted);
	db_bind_int64(q, 10, j->s_failed);
	db_bind_int64(q, 11, j->s_skipped);
	db_bind_int64(q, 12, j->s_waiting);
	db_bind_int64(q, 13, j->s_calls);
	db_bind_text(q, 14, j->message);
	db_bind_int64(q, 15, j->started_ms);
	db_bind_int64(q, 16, j->finished_ms);
	db_bind_int64(q, 21, j->rate_limited);
	db_bind_text(q, 22, j->worker);
}

/* The open job whose key is `same` into *out (struct store_job zeroed
 * when it has ended since). */
static int job_same(struct sq_store *s, const char *same, struct store_job *out,
                    struct bs_error *err)
{
	static const char sql[] = "SELECT " JOB_COLS " FROM jobs WHERE same = ?1"
	                          " AND (state = 'queued' OR state = 'running')";
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading a job");
	memset(out, 0, sizeof(*out));
	db_bind_text(q, 1, same);
	rc = db_step(q);
	if (rc == DB_ROW)
		job_row(q, out);
	rc = rc == DB_ROW || rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, "reading a job");
	db_finalize(q);
	return rc;
}

/* One try at inserting j; *added says whether the key let it in. */
static int job_insert(struct sq_store *s, struct store_job *j, const char *request,
                      const char *same, bool *added, struct bs_error *err)
{
	/* jobs_same_open refuses a second open job of one key: nothing then */
	static const char sql[] =
	    "INSERT INTO jobs(state, phase, posted, failed, calls, total, has_summary, s_posted,"
	    " s_failed, s_skipped, s_waiting, s_calls, message, started_ms, finished_ms, target,"
	    " origin, request, created_ms, rate_limited, worker, runner, same)"
	    " VALUES(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	    " ?19, ?20, ?21, ?22, ?23, ?24) ON CONFLICT DO NOTHING";
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	*added = false;
	if (rc != DB_OK)
		return sq_fail(s, rc, err, "adding a job");
	bind_mutable(q, j);
	db_bind_text(q, 17, j->target);
	db_bind_text(q, 18, j->origin);
	db_bind_text(q, 19, request);
	db_bind_int64(q, 20, j->created_ms);
	db_bind_text(q, 23, j->runner);
	db_bind_text(q, 24, same);
	if ((rc = sq_done(s, q, err, "adding a job")) == BS_OK) {
		*added = db_changes(s->db) == 1;
		if (*added)
			j->id = db_last_insert_id(s->db);
	}
	db_finalize(q);
	return rc;
}

int sq_job_add(struct store *st, struct store_job *j, const char *request, const char *same,
               struct store_job *twin, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct store_job found = {0};
	bool added = false;
	int rc = BS_OK;

	/* refused for a twin that has ended by the time it is read: again */
	for (int tries = 0; tries < 3 && rc == BS_OK && !added && found.id == 0; tries++)
		if ((rc = job_insert(s, j, request, same, &added, err)) == BS_OK && !added)
			rc = job_same(s, same != NULL ? same : "", &found, err);
	if (rc != BS_OK || added)
		return rc;
	if (twin != NULL)
		*twin = found;
	return bs_error_set(err, BS_ECONFLICT, "the same sync is already %s (job %lld)",
	                    found.id > 0 ? found.state : "open", (long long)found.id);
}

int sq_job_update(struct store *st, const struct store_job *j, struct bs_error *err)
{
	static const char sql[] =
	    "UPDATE jobs SET state = ?2, phase = ?3, posted = ?4, failed = ?5, calls = ?6,"
	    " total = ?7, has_summary = ?8, s_posted = ?9, s_failed = ?10, s_skipped = ?11,"
	    " s_waiting = ?12, s_calls = ?13, message = ?14, started_ms = ?15, finished_ms = ?16,"
	    " rate_limited = ?21 WHERE id = ?1 AND worker = ?22";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "updating a job");
	db_bind_int64(q, 1, j->id);
	bind_mutable(q, j);
	rc = sq_done(s, q, err, "updating a job");
	if (rc == BS_OK && db_changes(s->db) == 0)
		rc = bs_error_set(err, BS_ENOTFOUND, "no job %lld", (long long)j->id);
	db_finalize(q);
	return rc;
}

int sq_job_take(struct store *st, const char *target, const char *worker, int64_t now_ms,
                struct store_job *out, struct buf *request, struct bs_error *err)
{
	/* the oldest first: a target's jobs run in the order they came */
	static const char pick[] =
	    "SELECT id FROM jobs WHERE target = ?1 AND runner = 'fleet'"
	    " AND (state = 'queued' OR (state = 'running' AND worker <> ?2)) ORDER BY id LIMIT 1";
	static const char mark[] =
	    "UPDATE jobs SET state = 'running', worker = ?2, message = '',"
	    " started_ms = CASE WHEN started_ms = 0 THEN ?3 ELSE started_ms END WHERE id = ?1";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int64_t id = 0;
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	if ((rc = db_prepare(s->db, pick, &q)) != DB_OK) {
		rc = sq_fail(s, rc, err, "taking a job");
		goto out;
	}
	db_bind_text(q, 1, target);
	db_bind_text(q, 2, worker);
	rc = db_step(q);
	if (rc == DB_ROW)
		id = db_col_int64(q, 0);
	db_finalize(q);
	if (rc != DB_ROW) {
		rc = rc == DB_DONE ? bs_error_set(err, BS_ENOTFOUND, "no job waits for %s", target)
		                   : sq_fail(s, rc, err, "taking a job");
		goto out;
	}
	if ((rc = db_prepare(s->db, mark, &q)) != DB_OK) {
		rc = sq_fail(s, rc, err, "taking a job");
		goto out;
	}
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, worker);
	db_bind_int64(q, 3, now_ms);
	rc = sq_done(s, q, err, "taking a job");
	db_finalize(q);
	if (rc == BS_OK)
		rc = sq_job_get(st, id, out, request, err);
out:
	return tx_leave(s, rc, err);
}

int sq_job_get(struct store *st, int64_t id, struct store_job *out, struct buf *request,
               struct bs_error *err)
{
	static const char sql[] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?1";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading a job");
	db_bind_int64(q, 1, id);
	rc = db_step(q);
	if (rc == DB_ROW) {
		job_row(q, out);
		rc = BS_OK;
		if (request != NULL) {
			const char *t = db_col_text(q, 19);

			buf_reset(request);
			rc = buf_addstr(request, t != NULL ? (const char *)t : "{}");
		}
	} else if (rc == DB_DONE) {
		rc = bs_error_set(err, BS_ENOTFOUND, "no job %lld", (long long)id);
	} else {
		rc = sq_fail(s, rc, err, "reading a job");
	}
	db_finalize(q);
	return rc;
}

struct job_walk {
	store_job_cb cb;
	void *arg;
};

static int job_walk_row(void *arg, struct db_stmt *q)
{
	struct job_walk *w = arg;
	struct store_job j;
	const char *req = db_col_text(q, 19);

	job_row(q, &j);
	return w->cb(w->arg, &j, req != NULL ? (const char *)req : "{}");
}

/* The rows of sql to cb; ?1 is `text` when it is not NULL, else ?1 and ?2
 * are the first nbind of a and b. */
static int jobs_query(struct sq_store *s, const char *sql, const char *text, int64_t a, int64_t b,
                      int nbind, store_job_cb cb, void *arg, struct bs_error *err)
{
	struct job_walk w = {cb, arg};
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "listing jobs");
	if (text != NULL)
		db_bind_text(q, 1, text);
	else if (nbind > 0)
		db_bind_int64(q, 1, a);
	if (text == NULL && nbind > 1)
		db_bind_int64(q, 2, b);
	rc = sq_rows(s, q, job_walk_row, &w, err, "listing jobs");
	db_finalize(q);
	return rc;
}

int sq_jobs_page(struct store *st, int64_t before, size_t limit, store_job_cb cb, void *arg,
                 struct bs_error *err)
{
	static const char sql[] = "SELECT " JOB_COLS " FROM jobs WHERE id < ?1"
	                          " ORDER BY id DESC LIMIT ?2";

	return jobs_query(sq(st), sql, NULL, before > 0 ? before : INT64_MAX, (int64_t)limit, 2, cb,
	                  arg, err);
}

int sq_jobs_open(struct store *st, const char *target, store_job_cb cb, void *arg,
                 struct bs_error *err)
{
	static const char one[] = "SELECT " JOB_COLS " FROM jobs WHERE target = ?1"
	                          " AND (state = 'queued' OR state = 'running') ORDER BY id";
	static const char every[] = "SELECT " JOB_COLS " FROM jobs"
	                            " WHERE state = 'queued' OR state = 'running' ORDER BY id";

	return jobs_query(sq(st), target != NULL ? one : every, target, 0, 0, 0, cb, arg, err);
}

int sq_jobs_last(struct store *st, store_job_cb cb, void *arg, struct bs_error *err)
{
	static const char sql[] =
	    "SELECT " JOB_COLS " FROM jobs WHERE id IN (SELECT max(id) FROM jobs"
	    " WHERE state = 'done' OR state = 'failed' GROUP BY target) ORDER BY target";

	return jobs_query(sq(st), sql, NULL, 0, 0, 0, cb, arg, err);
}

int sq_jobs_abandon(struct store *st, const char *message, int64_t now_ms, int64_t *n,
                    struct bs_error *err)
{
	static const char sql[] = "UPDATE jobs SET state = 'failed', message = ?1, finished_ms = ?2"
	                          " WHERE (state = 'queued' OR state = 'running') AND runner = ''";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "ending abandoned jobs");
	db_bind_text(q, 1, message);
	db_bind_int64(q, 2, now_ms);
	rc = sq_done(s, q, err, "ending abandoned jobs");
	if (rc == BS_OK && n != NULL)
		*n = db_changes(s->db);
	db_finalize(q);
	return rc;
}

struct metric_walk {
	store_metric_cb cb;
	void *arg;
};

static int metric_row(void *arg, struct db_stmt *q)
{
	struct metric_walk *w = arg;
	const char *t = db_col_text(q, 0), *a = db_col_text(q, 1), *b = db_col_text(q, 2);

	return w->cb(w->arg, t != NULL ? (const char *)t : "", a != NULL ? (const char *)a : "",
	             b != NULL ? (const char *)b : "", db_col_int64(q, 3));
}

int sq_metrics_each(struct store *st, enum store_metric m, int64_t since_ms, store_metric_cb cb,
                    void *arg, struct bs_error *err)
{
	static const char *const sql[] = {
	    [STORE_METRIC_STATES] = "SELECT s.target, s.state, r.tab, count(*) FROM sync_state s"
	                            " JOIN records r ON r.rowid = s.record"
	                            " GROUP BY s.target, s.state, r.tab",
	    [STORE_METRIC_OUTBOX] = "SELECT target, '', '', count(*) FROM outbox"
	                            " WHERE status = 'ready' OR status = 'frozen' GROUP BY target",
	    [STORE_METRIC_REQUESTS] = "SELECT target, '', '', count(*) FROM requests"
	                              " WHERE created_ms >= ?1 GROUP BY target",
	    [STORE_METRIC_429] =
	        "SELECT target, '', '', sum(rate_limited) FROM jobs GROUP BY target",
	};
	struct sq_store *s = sq(st);
	struct metric_walk w = {cb, arg};
	struct db_stmt *q = NULL;
	int rc;

	if ((unsigned)m > STORE_METRIC_429)
		return bs_error_set(err, BS_EINVAL, "no such metric");
	rc = db_prepare(s->db, sql[m], &q);
	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading metrics");
	if (m == STORE_METRIC_REQUESTS)
		db_bind_int64(q, 1, since_ms);
	rc = sq_rows(s, q, metric_row, &w, err, "reading metrics");
	db_finalize(q);
	return rc;
}
