/*
 * store_sqlite_events.c - the events outbox in SQLite (store_events.h;
 * the table is migration 7 -> 8 in schema.c).
 */
#include "store/store_sqlite_int.h"

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

const struct store_events_ops sq_events_ops = {
    .add = ev_add,
};
