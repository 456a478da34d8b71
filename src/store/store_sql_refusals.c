/*
 * store_sql_refusals.c - refused re-imports (store.h): new content for a
 * member of a posted consolidated document, which the record put refused
 * (docs/consolidation.md "Locking").  The put keeps and clears them here;
 * Errors lists them and a person dismisses them.
 */
#include "store/store_sql_int.h"

#include <stdio.h>
#include <string.h>

/*
 * Keep the refusal for Errors (store.h "Refused re-imports").  Called after
 * the put's own transaction has ended: when the put held the only one, its
 * rollback is over and this commits on its own; inside the caller's, the
 * caller's commit keeps it.
 */
int sq_refusal_put(struct sq_store *s, int64_t record, const char *target, const char *message,
                   int64_t now_ms, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	rc = db_prepare(s->db,
	                "INSERT INTO refusals(record, target, at_ms, message)"
	                " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(record, target) DO UPDATE"
	                " SET at_ms = excluded.at_ms, message = excluded.message",
	                &q);
	if (rc != DB_OK) {
		rc = sq_fail(s, rc, err, "keeping a refused re-import");
		goto out;
	}
	db_bind_int64(q, 1, record);
	db_bind_text(q, 2, target);
	db_bind_int64(q, 3, now_ms);
	db_bind_text(q, 4, message);
	rc = sq_done(s, q, err, "keeping a refused re-import");
	if (rc == BS_OK)
		s->refusals = 1;
out:
	db_finalize(q);
	return tx_leave(s, rc, err);
}

/* A version the lock allows was stored: the record's refusals are over.
 * Asks whether there are any once per transaction, so a bulk import pays
 * one query, not one per record. */
int sq_refusals_clear(struct sq_store *s, int64_t rowid, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc;

	if (s->refusals < 0) {
		rc = db_prepare(s->db, "SELECT EXISTS (SELECT 1 FROM refusals)", &q);
		if (rc != DB_OK)
			return sq_fail(s, rc, err, "reading refused re-imports");
		rc = db_step(q);
		s->refusals = rc == DB_ROW ? db_col_int(q, 0) : -1;
		db_finalize(q);
		if (rc != DB_ROW)
			return sq_fail(s, rc, err, "reading refused re-imports");
	}
	if (s->refusals == 0)
		return BS_OK;
	rc = db_prepare(s->db, "DELETE FROM refusals WHERE record = ?1", &q);
	if (rc != DB_OK)
		return sq_fail(s, rc, err, "clearing a refused re-import");
	db_bind_int64(q, 1, rowid);
	rc = sq_done(s, q, err, "clearing a refused re-import");
	db_finalize(q);
	return rc;
}

struct refusal_walk {
	store_refusal_cb cb;
	void *arg;
};

/* One refusal: the listing's columns (sq_row_of), then when. */
static int refusal_row(void *arg, struct db_stmt *q)
{
	struct refusal_walk *w = arg;
	struct store_row row;

	sq_row_of(q, &row);
	return w->cb(w->arg, &row, db_col_int64(q, 11));
}

int sq_refusals_each(struct store *st, const char *target, const char *tab, store_refusal_cb cb,
                     void *arg, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct refusal_walk w = {cb, arg};
	struct buf sql;
	int rc;

	buf_init(&sql, 2048);
	rc = buf_printf(&sql,
	                "SELECT r.kind, r.id, r.tab, r.date, r.currency, r.has_total, r.total,"
	                " 'consolidated', f.message, %s, NULL, f.at_ms"
	                " FROM refusals f JOIN records r ON r.rowid ="
	                " f.record WHERE f.target = ?2 AND (?1 IS NULL OR r.tab = ?1 OR"
	                " substr(r.tab, 1, length(?1) + 1) = ?1 || '/')"
	                " ORDER BY r.tab, r.date, r.kind, r.id",
	                sq_row_label);
	if (rc == BS_OK)
		rc = sq_listing_run(s, buf_cstr(&sql), tab, target, 0, refusal_row, &w, err,
		                    "listing refused re-imports");
	buf_free(&sql);
	return rc;
}

int sq_refusal_dismiss(struct store *st, const char *target, enum record_kind kind, const char *id,
                       struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db,
	                    "DELETE FROM refusals WHERE target = ?1 AND record ="
	                    " (SELECT rowid FROM records WHERE id = ?3 AND kind = ?2)",
	                    &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "dismissing a refused re-import");
	db_bind_text(q, 1, target);
	db_bind_int64(q, 2, (int)kind);
	db_bind_text(q, 3, id);
	rc = sq_done(s, q, err, "dismissing a refused re-import");
	if (rc == BS_OK && db_changes(s->db) == 0)
		rc = bs_error_set(err, BS_ENOTFOUND, "%s %s has no refused re-import on %s",
		                  record_kind_name(kind), id, target);
	db_finalize(q);
	return rc;
}
