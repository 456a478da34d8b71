/*
 * store_sqlite_jobs.c - `booksync serve`'s sync jobs and the figures of
 * GET /metrics in SQLite (see store.h "jobs").
 *
 * A job is written a handful of times in its life (queued, running,
 * waiting, ended), so the statements are prepared per call, not kept in
 * the statement cache.
 */
#include "store/store_sqlite_int.h"

#include <stdio.h>
#include <string.h>

#define JOB_COLS                                                                                   \
	"id, target, origin, state, phase, posted, failed, calls, total, has_summary, s_posted,"   \
	" s_failed, s_skipped, s_waiting, s_calls, message, created_ms, started_ms, finished_ms,"  \
	" request"

static void col_text(sqlite3_stmt *q, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
}

/* A row of JOB_COLS into *j. */
static void job_row(sqlite3_stmt *q, struct store_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = sqlite3_column_int64(q, 0);
	col_text(q, 1, j->target, sizeof(j->target));
	col_text(q, 2, j->origin, sizeof(j->origin));
	col_text(q, 3, j->state, sizeof(j->state));
	col_text(q, 4, j->phase, sizeof(j->phase));
	j->posted = sqlite3_column_int64(q, 5);
	j->failed = sqlite3_column_int64(q, 6);
	j->calls = sqlite3_column_int64(q, 7);
	j->total = sqlite3_column_int64(q, 8);
	j->has_summary = sqlite3_column_int64(q, 9) != 0;
	j->s_posted = sqlite3_column_int64(q, 10);
	j->s_failed = sqlite3_column_int64(q, 11);
	j->s_skipped = sqlite3_column_int64(q, 12);
	j->s_waiting = sqlite3_column_int64(q, 13);
	j->s_calls = sqlite3_column_int64(q, 14);
	col_text(q, 15, j->message, sizeof(j->message));
	j->created_ms = sqlite3_column_int64(q, 16);
	j->started_ms = sqlite3_column_int64(q, 17);
	j->finished_ms = sqlite3_column_int64(q, 18);
	j->rate_limited = sqlite3_column_int64(q, 20);
}

/* Bind what store_job_update writes, as ?2.. (?1 is the id). */
static void bind_mutable(sqlite3_stmt *q, const struct store_job *j)
{
	sqlite3_bind_text(q, 2, j->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, j->phase, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, j->posted);
	sqlite3_bind_int64(q, 5, j->failed);
	sqlite3_bind_int64(q, 6, j->calls);
	sqlite3_bind_int64(q, 7, j->total);
	sqlite3_bind_int64(q, 8, j->has_summary ? 1 : 0);
	sqlite3_bind_int64(q, 9, j->s_posted);
	sqlite3_bind_int64(q, 10, j->s_failed);
	sqlite3_bind_int64(q, 11, j->s_skipped);
	sqlite3_bind_int64(q, 12, j->s_waiting);
	sqlite3_bind_int64(q, 13, j->s_calls);
	sqlite3_bind_text(q, 14, j->message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 15, j->started_ms);
	sqlite3_bind_int64(q, 16, j->finished_ms);
	sqlite3_bind_int64(q, 21, j->rate_limited);
}

int sq_job_add(struct store *st, struct store_job *j, const char *request, struct bs_error *err)
{
	static const char sql[] =
	    "INSERT INTO jobs(state, phase, posted, failed, calls, total, has_summary, s_posted,"
	    " s_failed, s_skipped, s_waiting, s_calls, message, started_ms, finished_ms, target,"
	    " origin, request, created_ms, rate_limited)"
	    " VALUES(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	    " ?19, ?20, ?21)";
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "adding a job");
	bind_mutable(q, j);
	sqlite3_bind_text(q, 17, j->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 18, j->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 19, request, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 20, j->created_ms);
	rc = sq_done(s, q, err, "adding a job");
	if (rc == BS_OK)
		j->id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(q);
	return rc;
}

int sq_job_update(struct store *st, const struct store_job *j, struct bs_error *err)
{
	static const char sql[] =
	    "UPDATE jobs SET state = ?2, phase = ?3, posted = ?4, failed = ?5, calls = ?6,"
	    " total = ?7, has_summary = ?8, s_posted = ?9, s_failed = ?10, s_skipped = ?11,"
	    " s_waiting = ?12, s_calls = ?13, message = ?14, started_ms = ?15, finished_ms = ?16,"
	    " rate_limited = ?21 WHERE id = ?1";
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "updating a job");
	sqlite3_bind_int64(q, 1, j->id);
	bind_mutable(q, j);
	rc = sq_done(s, q, err, "updating a job");
	if (rc == BS_OK && sqlite3_changes(s->db) == 0)
		rc = bs_error_set(err, BS_ENOTFOUND, "no job %lld", (long long)j->id);
	sqlite3_finalize(q);
	return rc;
}

int sq_job_get(struct store *st, int64_t id, struct store_job *out, struct buf *request,
               struct bs_error *err)
{
	static const char sql[] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?1";
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "reading a job");
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		job_row(q, out);
		rc = BS_OK;
		if (request != NULL) {
			const unsigned char *t = sqlite3_column_text(q, 19);

			buf_reset(request);
			rc = buf_addstr(request, t != NULL ? (const char *)t : "{}");
		}
	} else if (rc == SQLITE_DONE) {
		rc = bs_error_set(err, BS_ENOTFOUND, "no job %lld", (long long)id);
	} else {
		rc = sq_fail(s, rc, err, "reading a job");
	}
	sqlite3_finalize(q);
	return rc;
}

struct job_walk {
	store_job_cb cb;
	void *arg;
};

static int job_walk_row(void *arg, sqlite3_stmt *q)
{
	struct job_walk *w = arg;
	struct store_job j;
	const unsigned char *req = sqlite3_column_text(q, 19);

	job_row(q, &j);
	return w->cb(w->arg, &j, req != NULL ? (const char *)req : "{}");
}

static int jobs_query(struct sq_store *s, const char *sql, int64_t a, int64_t b, int nbind,
                      store_job_cb cb, void *arg, struct bs_error *err)
{
	struct job_walk w = {cb, arg};
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "listing jobs");
	if (nbind > 0)
		sqlite3_bind_int64(q, 1, a);
	if (nbind > 1)
		sqlite3_bind_int64(q, 2, b);
	rc = sq_rows(s, q, job_walk_row, &w, err, "listing jobs");
	sqlite3_finalize(q);
	return rc;
}

int sq_jobs_page(struct store *st, int64_t before, size_t limit, store_job_cb cb, void *arg,
                 struct bs_error *err)
{
	static const char sql[] = "SELECT " JOB_COLS " FROM jobs WHERE id < ?1"
	                          " ORDER BY id DESC LIMIT ?2";

	return jobs_query(sq(st), sql, before > 0 ? before : INT64_MAX, (int64_t)limit, 2, cb, arg,
	                  err);
}

int sq_jobs_last(struct store *st, store_job_cb cb, void *arg, struct bs_error *err)
{
	static const char sql[] =
	    "SELECT " JOB_COLS " FROM jobs WHERE id IN (SELECT max(id) FROM jobs"
	    " WHERE state = 'done' OR state = 'failed' GROUP BY target) ORDER BY target";

	return jobs_query(sq(st), sql, 0, 0, 0, cb, arg, err);
}

int sq_jobs_abandon(struct store *st, const char *message, int64_t now_ms, int64_t *n,
                    struct bs_error *err)
{
	static const char sql[] = "UPDATE jobs SET state = 'failed', message = ?1, finished_ms = ?2"
	                          " WHERE state = 'queued' OR state = 'running'";
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "ending abandoned jobs");
	sqlite3_bind_text(q, 1, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, now_ms);
	rc = sq_done(s, q, err, "ending abandoned jobs");
	if (rc == BS_OK && n != NULL)
		*n = sqlite3_changes(s->db);
	sqlite3_finalize(q);
	return rc;
}

struct metric_walk {
	store_metric_cb cb;
	void *arg;
};

static int metric_row(void *arg, sqlite3_stmt *q)
{
	struct metric_walk *w = arg;
	const unsigned char *t = sqlite3_column_text(q, 0), *a = sqlite3_column_text(q, 1),
	                    *b = sqlite3_column_text(q, 2);

	return w->cb(w->arg, t != NULL ? (const char *)t : "", a != NULL ? (const char *)a : "",
	             b != NULL ? (const char *)b : "", sqlite3_column_int64(q, 3));
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
	sqlite3_stmt *q = NULL;
	int rc;

	if ((unsigned)m > STORE_METRIC_429)
		return bs_error_set(err, BS_EINVAL, "no such metric");
	rc = sqlite3_prepare_v2(s->db, sql[m], -1, &q, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "reading metrics");
	if (m == STORE_METRIC_REQUESTS)
		sqlite3_bind_int64(q, 1, since_ms);
	rc = sq_rows(s, q, metric_row, &w, err, "reading metrics");
	sqlite3_finalize(q);
	return rc;
}
