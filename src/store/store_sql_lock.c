/*
 * store_sql_lock.c - locks in SQLite (see store.h "locks").
 *
 * Taking a lock reads the holder and writes the new one inside one BEGIN
 * IMMEDIATE transaction, which holds SQLite's write lock: two processes
 * taking the same lock at once are serialised, and the second sees the
 * first's row.  The statements are prepared per call, not cached: a lock
 * is taken once a sync and renewed about once a minute.
 */
#include "store/store_sql_int.h"

#include <stdio.h>
#include <string.h>

/* The holder of `name` into *h; BS_ENOTFOUND when nobody holds it. */
static int lock_read(struct sq_store *s, const char *name, struct store_lock *h,
                     struct bs_error *err)
{
	static const char sql[] =
	    "SELECT owner, host, pid, acquired_ms, expires_ms FROM locks WHERE name = ?1";
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading a lock");
	db_bind_text(q, 1, name);
	rc = db_step(q);
	if (rc == DB_ROW) {
		buf_copy(h->owner, sizeof(h->owner), (const char *)db_col_text(q, 0));
		buf_copy(h->host, sizeof(h->host), (const char *)db_col_text(q, 1));
		h->pid = db_col_int64(q, 2);
		h->acquired_ms = db_col_int64(q, 3);
		h->expires_ms = db_col_int64(q, 4);
		rc = BS_OK;
	} else {
		rc = rc == DB_DONE ? BS_ENOTFOUND : sq_fail(s, rc, err, "reading a lock");
	}
	db_finalize(q);
	return rc;
}

static int lock_write(struct sq_store *s, const char *name, const struct store_lock *me,
                      struct bs_error *err)
{
	static const char sql[] =
	    "INSERT INTO locks(name, owner, host, pid, acquired_ms, expires_ms)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(name) DO UPDATE SET"
	    " owner = excluded.owner, host = excluded.host, pid = excluded.pid,"
	    " acquired_ms = excluded.acquired_ms, expires_ms = excluded.expires_ms";
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "writing a lock");
	db_bind_text(q, 1, name);
	db_bind_text(q, 2, me->owner);
	db_bind_text(q, 3, me->host);
	db_bind_int64(q, 4, me->pid);
	db_bind_int64(q, 5, me->acquired_ms);
	db_bind_int64(q, 6, me->expires_ms);
	rc = sq_done(s, q, err, "writing a lock");
	db_finalize(q);
	return rc;
}

int sq_lock_take(struct store *st, const char *name, const struct store_lock *me, int64_t now_ms,
                 store_lock_gone_cb gone, void *arg, struct store_lock *holder,
                 struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct store_lock h;
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	memset(&h, 0, sizeof(h));
	rc = lock_read(s, name, &h, err);
	if (rc == BS_OK && strcmp(h.owner, me->owner) != 0 && h.expires_ms > now_ms &&
	    (gone == NULL || !gone(arg, &h))) {
		if (holder != NULL)
			*holder = h;
		rc = bs_error_set(err, BS_EBUSY, "%s is held by process %lld on %s", name,
		                  (long long)h.pid, h.host);
		goto out;
	}
	if (rc == BS_OK || rc == BS_ENOTFOUND)
		rc = lock_write(s, name, me, err);
out:
	return tx_leave(s, rc, err);
}

int sq_lock_release(struct store *st, const char *name, const char *owner, struct bs_error *err)
{
	static const char sql[] = "DELETE FROM locks WHERE name = ?1 AND owner = ?2";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "releasing a lock");
	db_bind_text(q, 1, name);
	db_bind_text(q, 2, owner);
	rc = sq_done(s, q, err, "releasing a lock");
	db_finalize(q);
	return rc;
}
