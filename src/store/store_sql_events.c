/*
 * store_sql_events.c - the events outbox in SQLite (store_events.h;
 * the table is migration 7 -> 8 in schema.c) and the webhook inbox
 * (store_hooks.h, migration 10 -> 11).
 */
#include "store/store_sql_int.h"

#include <string.h>

static int ev_add(struct store *st, const char *id, const char *type, const char *target,
                  const char *data, int64_t now_ms, int64_t *seq, struct bs_error *err)
{
	static const char sql[] = "INSERT INTO events(id, type, target, data, created_ms, next_ms)"
	                          " VALUES(?1, ?2, ?3, ?4, ?5, ?5)";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "adding an event");
	db_bind_text(q, 1, id);
	db_bind_text(q, 2, type);
	db_bind_text(q, 3, target);
	db_bind_text(q, 4, data);
	db_bind_int64(q, 5, now_ms);
	rc = db_step(q);
	if ((rc & 0xff) == DB_CONSTRAINT)
		rc = bs_error_set(err, BS_ECONFLICT, "event %s: that id is taken", id);
	else if (rc != DB_DONE)
		rc = sq_fail(s, rc, err, "adding an event");
	else {
		rc = BS_OK;
		if (seq != NULL)
			*seq = db_last_insert_id(s->db);
	}
	db_finalize(q);
	return rc;
}

#define EV_COLS                                                                                    \
	"seq, id, type, target, created_ms, state, attempts, next_ms, delivered_ms, since_ms,"     \
	" last_error, data"

static void row_event(struct db_stmt *q, struct store_event *e)
{
	memset(e, 0, sizeof(*e));
	e->seq = db_col_int64(q, 0);
	sq_col_copy(q, 1, e->id, sizeof(e->id));
	sq_col_copy(q, 2, e->type, sizeof(e->type));
	sq_col_copy(q, 3, e->target, sizeof(e->target));
	e->created_ms = db_col_int64(q, 4);
	sq_col_copy(q, 5, e->state, sizeof(e->state));
	e->attempts = db_col_int64(q, 6);
	e->next_ms = db_col_int64(q, 7);
	e->delivered_ms = db_col_int64(q, 8);
	e->since_ms = db_col_int64(q, 9);
	if (e->since_ms == 0)
		e->since_ms = e->created_ms;
	sq_col_copy(q, 10, e->last_error, sizeof(e->last_error));
}

struct walk {
	store_event_cb cb;
	void *arg;
};

static int walk_row(void *arg, struct db_stmt *q)
{
	struct walk *w = arg;
	struct store_event e;
	const char *data = db_col_text(q, 11);

	row_event(q, &e);
	return w->cb(w->arg, &e, data != NULL ? (const char *)data : "{}");
}

/* Prepare sql, bind (int64 a, int64 b as limit or -1, text c), walk it. */
static int walk(struct store *st, const char *sql, int64_t a, size_t limit, const char *c,
                store_event_cb cb, void *arg, struct bs_error *err, const char *what)
{
	struct sq_store *s = sq(st);
	struct walk w = {cb, arg};
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, what);
	db_bind_int64(q, 1, a);
	db_bind_int64(q, 2, limit > 0 ? (int64_t)limit : INT64_MAX); /* no limit, on both engines */
	if (c != NULL)
		db_bind_text(q, 3, c);
	rc = sq_rows(s, q, walk_row, &w, err, what);
	db_finalize(q);
	return rc;
}

static int ev_due(struct store *st, int64_t now_ms, size_t limit, store_event_cb cb, void *arg,
                  struct bs_error *err)
{
	static const char sql[] = "SELECT " EV_COLS " FROM events WHERE state = 'pending'"
	                          " AND next_ms <= ?1 ORDER BY next_ms, seq LIMIT ?2";

	return walk(st, sql, now_ms, limit, NULL, cb, arg, err, "reading due events");
}

static int ev_list(struct store *st, const char *state, size_t limit, store_event_cb cb, void *arg,
                   struct bs_error *err)
{
	static const char sql[] = "SELECT " EV_COLS " FROM events WHERE ?3 IS NULL OR state = ?3"
	                          " ORDER BY seq DESC LIMIT ?2";

	return walk(st, sql, 0, limit, state, cb, arg, err, "listing events");
}

struct get_arg {
	struct store_event *out;
	struct buf *data;
	bool found;
};

static int get_row(void *arg, const struct store_event *e, const char *data)
{
	struct get_arg *g = arg;

	*g->out = *e;
	g->found = true;
	if (g->data != NULL) {
		buf_reset(g->data);
		return buf_addstr(g->data, data);
	}
	return BS_OK;
}

static int ev_get(struct store *st, const char *id, struct store_event *out, struct buf *data,
                  struct bs_error *err)
{
	static const char sql[] = "SELECT " EV_COLS " FROM events WHERE id = ?3 AND ?1 = ?1"
	                          " LIMIT ?2";
	struct get_arg g = {out, data, false};
	int rc = walk(st, sql, 0, 1, id, get_row, &g, err, "reading an event");

	if (rc == BS_OK && !g.found)
		rc = bs_error_set(err, BS_ENOTFOUND, "no event %s", id);
	return rc;
}

static int ev_attempt(struct store *st, const char *id, const char *outcome, int64_t now_ms,
                      int64_t next_ms, const char *last_error, struct bs_error *err)
{
	static const char sql[] =
	    "UPDATE events SET state = ?2, attempts = attempts + 1, next_ms = ?3,"
	    " delivered_ms = CASE WHEN ?2 = 'delivered' THEN ?4 ELSE 0 END,"
	    " last_error = substr(?5, 1, 199) WHERE id = ?1 AND state = 'pending'";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "recording a delivery attempt");
	db_bind_text(q, 1, id);
	db_bind_text(q, 2, outcome);
	db_bind_int64(q, 3, next_ms);
	db_bind_int64(q, 4, now_ms);
	db_bind_text(q, 5, last_error);
	rc = db_step(q);
	if (rc != DB_DONE)
		rc = sq_fail(s, rc, err, "recording a delivery attempt");
	else if (db_changes(s->db) == 0)
		rc = bs_error_set(err, BS_ENOTFOUND, "event %s is not pending", id);
	else
		rc = BS_OK;
	db_finalize(q);
	return rc;
}

static int ev_redeliver(struct store *st, const char *id, int64_t now_ms, int64_t *n,
                        struct bs_error *err)
{
	static const char sql[] = "UPDATE events SET state = 'pending', attempts = 0, next_ms = ?2,"
	                          " since_ms = ?2, last_error = ''"
	                          " WHERE state = 'dead' AND (?1 IS NULL OR id = ?1)";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int64_t changed = 0;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "re-delivering events");
	if (id != NULL)
		db_bind_text(q, 1, id);
	db_bind_int64(q, 2, now_ms);
	rc = db_step(q);
	if (rc != DB_DONE) {
		rc = sq_fail(s, rc, err, "re-delivering events");
	} else {
		changed = db_changes(s->db);
		rc = BS_OK;
		if (id != NULL && changed == 0)
			rc = bs_error_set(err, BS_ENOTFOUND, "no dead event %s", id);
	}
	if (n != NULL)
		*n = changed;
	db_finalize(q);
	return rc;
}

static int hook_add(struct store *st, const struct store_hook *h, int64_t now_ms, bool *added,
                    struct bs_error *err)
{
	static const char sql[] = "INSERT INTO webhook_inbox(source, key, target, category,"
	                          " resource, body, received_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	                          " ON CONFLICT DO NOTHING";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	*added = false;
	if (rc != DB_OK)
		return sq_fail(s, rc, err, "keeping a webhook event");
	db_bind_text(q, 1, h->source);
	db_bind_text(q, 2, h->key);
	db_bind_text(q, 3, h->target);
	db_bind_text(q, 4, h->category);
	db_bind_text(q, 5, h->resource);
	db_bind_text(q, 6, h->body);
	db_bind_int64(q, 7, now_ms);
	rc = db_step(q);
	if (rc != DB_DONE) {
		rc = sq_fail(s, rc, err, "keeping a webhook event");
	} else {
		*added = db_changes(s->db) > 0;
		rc = BS_OK;
	}
	db_finalize(q);
	q = NULL;
	/* the oldest by seq (its key: no scan), those past the retention */
	if (rc == BS_OK &&
	    (rc = db_prepare(s->db,
	                     "DELETE FROM webhook_inbox WHERE seq IN (SELECT seq FROM"
	                     " webhook_inbox ORDER BY seq LIMIT ?2) AND received_ms < ?1",
	                     &q)) != DB_OK)
		return sq_fail(s, rc, err, "dropping old webhook events");
	if (rc == BS_OK) {
		db_bind_int64(q, 1, now_ms - STORE_HOOK_KEEP_MS);
		db_bind_int64(q, 2, STORE_HOOK_PRUNE);
		rc = sq_done(s, q, err, "dropping old webhook events");
		db_finalize(q);
	}
	return rc;
}

static int hooks_count(struct store *st, int64_t *n, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, "SELECT count(*) FROM webhook_inbox", &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "counting webhook events");
	rc = db_step(q);
	if (rc == DB_ROW) {
		*n = db_col_int64(q, 0);
		rc = BS_OK;
	} else {
		rc = sq_fail(s, rc, err, "counting webhook events");
	}
	db_finalize(q);
	return rc;
}

const struct store_events_ops sq_events_ops = {
    .add = ev_add,
    .due = ev_due,
    .list = ev_list,
    .get = ev_get,
    .attempt = ev_attempt,
    .redeliver = ev_redeliver,
    .hook_add = hook_add,
    .hooks_count = hooks_count,
};
