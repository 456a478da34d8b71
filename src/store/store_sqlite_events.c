/*
 * store_sqlite_events.c - the events outbox in SQLite (store_events.h;
 * the table is migration 7 -> 8 in schema.c) and the webhook inbox
 * (store_hooks.h, migration 10 -> 11).
 */
#include "store/store_sqlite_int.h"

#include <string.h>

static int ev_add(struct store *st, const char *id, const char *type, const char *target,
                  const char *data, int64_t now_ms, int64_t *seq, struct bs_error *err)
{
	static const char sql[] = "INSERT INTO events(id, type, target, data, created_ms, next_ms)"
	                          " VALUES(?1, ?2, ?3, ?4, ?5, ?5)";
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "adding an event");
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, data, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, now_ms);
	rc = sqlite3_step(q);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		rc = bs_error_set(err, BS_ECONFLICT, "event %s: that id is taken", id);
	else if (rc != SQLITE_DONE)
		rc = sq_fail(s, rc, err, "adding an event");
	else {
		rc = BS_OK;
		if (seq != NULL)
			*seq = sqlite3_last_insert_rowid(s->db);
	}
	sqlite3_finalize(q);
	return rc;
}

#define EV_COLS                                                                                    \
	"seq, id, type, target, created_ms, state, attempts, next_ms, delivered_ms, since_ms,"     \
	" last_error, data"

static void row_event(sqlite3_stmt *q, struct store_event *e)
{
	memset(e, 0, sizeof(*e));
	e->seq = sqlite3_column_int64(q, 0);
	sq_col_copy(q, 1, e->id, sizeof(e->id));
	sq_col_copy(q, 2, e->type, sizeof(e->type));
	sq_col_copy(q, 3, e->target, sizeof(e->target));
	e->created_ms = sqlite3_column_int64(q, 4);
	sq_col_copy(q, 5, e->state, sizeof(e->state));
	e->attempts = sqlite3_column_int64(q, 6);
	e->next_ms = sqlite3_column_int64(q, 7);
	e->delivered_ms = sqlite3_column_int64(q, 8);
	e->since_ms = sqlite3_column_int64(q, 9);
	if (e->since_ms == 0)
		e->since_ms = e->created_ms;
	sq_col_copy(q, 10, e->last_error, sizeof(e->last_error));
}

struct walk {
	store_event_cb cb;
	void *arg;
};

static int walk_row(void *arg, sqlite3_stmt *q)
{
	struct walk *w = arg;
	struct store_event e;
	const unsigned char *data = sqlite3_column_text(q, 11);

	row_event(q, &e);
	return w->cb(w->arg, &e, data != NULL ? (const char *)data : "{}");
}

/* Prepare sql, bind (int64 a, int64 b as limit or -1, text c), walk it. */
static int walk(struct store *st, const char *sql, int64_t a, size_t limit, const char *c,
                store_event_cb cb, void *arg, struct bs_error *err, const char *what)
{
	struct sq_store *s = sq(st);
	struct walk w = {cb, arg};
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, what);
	sqlite3_bind_int64(q, 1, a);
	sqlite3_bind_int64(q, 2, limit > 0 ? (int64_t)limit : -1);
	if (c != NULL)
		sqlite3_bind_text(q, 3, c, -1, SQLITE_STATIC);
	rc = sq_rows(s, q, walk_row, &w, err, what);
	sqlite3_finalize(q);
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
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "recording a delivery attempt");
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, next_ms);
	sqlite3_bind_int64(q, 4, now_ms);
	sqlite3_bind_text(q, 5, last_error, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc != SQLITE_DONE)
		rc = sq_fail(s, rc, err, "recording a delivery attempt");
	else if (sqlite3_changes(s->db) == 0)
		rc = bs_error_set(err, BS_ENOTFOUND, "event %s is not pending", id);
	else
		rc = BS_OK;
	sqlite3_finalize(q);
	return rc;
}

static int ev_redeliver(struct store *st, const char *id, int64_t now_ms, int64_t *n,
                        struct bs_error *err)
{
	static const char sql[] = "UPDATE events SET state = 'pending', attempts = 0, next_ms = ?2,"
	                          " since_ms = ?2, last_error = ''"
	                          " WHERE state = 'dead' AND (?1 IS NULL OR id = ?1)";
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int64_t changed = 0;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "re-delivering events");
	if (id != NULL)
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, now_ms);
	rc = sqlite3_step(q);
	if (rc != SQLITE_DONE) {
		rc = sq_fail(s, rc, err, "re-delivering events");
	} else {
		changed = sqlite3_changes(s->db);
		rc = BS_OK;
		if (id != NULL && changed == 0)
			rc = bs_error_set(err, BS_ENOTFOUND, "no dead event %s", id);
	}
	if (n != NULL)
		*n = changed;
	sqlite3_finalize(q);
	return rc;
}

static int hook_add(struct store *st, const struct store_hook *h, int64_t now_ms, bool *added,
                    struct bs_error *err)
{
	static const char sql[] =
	    "INSERT OR IGNORE INTO webhook_inbox(source, key, target, category,"
	    " resource, body, received_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	*added = false;
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "keeping a webhook event");
	sqlite3_bind_text(q, 1, h->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, h->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, h->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, h->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, h->resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, h->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, now_ms);
	rc = sqlite3_step(q);
	if (rc != SQLITE_DONE) {
		rc = sq_fail(s, rc, err, "keeping a webhook event");
	} else {
		*added = sqlite3_changes(s->db) > 0;
		rc = BS_OK;
	}
	sqlite3_finalize(q);
	q = NULL;
	/* the oldest by seq (its key: no scan), those past the retention */
	if (rc == BS_OK &&
	    (rc = sqlite3_prepare_v2(s->db,
	                             "DELETE FROM webhook_inbox WHERE seq IN (SELECT seq FROM"
	                             " webhook_inbox ORDER BY seq LIMIT ?2) AND received_ms < ?1",
	                             -1, &q, NULL)) != SQLITE_OK)
		return sq_fail(s, rc, err, "dropping old webhook events");
	if (rc == BS_OK) {
		sqlite3_bind_int64(q, 1, now_ms - STORE_HOOK_KEEP_MS);
		sqlite3_bind_int(q, 2, STORE_HOOK_PRUNE);
		rc = sq_done(s, q, err, "dropping old webhook events");
		sqlite3_finalize(q);
	}
	return rc;
}

static int hooks_count(struct store *st, int64_t *n, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM webhook_inbox", -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "counting webhook events");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(q, 0);
		rc = BS_OK;
	} else {
		rc = sq_fail(s, rc, err, "counting webhook events");
	}
	sqlite3_finalize(q);
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
