/*
 * store_sqlite_list.c - the SQLite store's listings: what is pending (as
 * keys for the planner, as labelled rows for `pending` and `errors`) and
 * the history.  Each is one query prepared per call: they run once per
 * command, not once per record.
 */
#include "store/store_sqlite_int.h"

#include <sqlite3.h>

struct key_walk {
	store_key_cb cb;
	void *arg;
};

/* A (kind, id) row; a kind this build does not know is passed over. */
static int key_row(void *arg, sqlite3_stmt *q)
{
	struct key_walk *w = arg;
	int k = sqlite3_column_int(q, 0);

	if (k < 0 || k >= RECORD_KIND_COUNT)
		return 0;
	return w->cb(w->arg, (enum record_kind)k, (const char *)sqlite3_column_text(q, 1));
}

int sq_rows_keys(struct sq_store *s, sqlite3_stmt *q, store_key_cb cb, void *arg,
                 struct bs_error *err, const char *what)
{
	struct key_walk w = {cb, arg};

	return sq_rows(s, q, key_row, &w, err, what);
}

/* Pending records' kinds and ids, unsorted (see store_pending_keys_each). */
int sq_keys_each(struct store *st, const char *target, const char *tab, store_key_cb cb, void *arg,
                 struct bs_error *err)
{
	static const char no_target[] = "SELECT kind, id FROM records WHERE ?1 IS NULL OR tab = ?1"
	                                " OR substr(tab, 1, length(?1) + 1) = ?1 || '/'";
	static const char with_target[] =
	    "SELECT r.kind, r.id FROM sync_state s JOIN records r ON r.rowid = s.record"
	    " WHERE s.target = ?2 AND s.state IN ('not_imported', 'changed', 'waiting')"
	    " AND (?1 IS NULL OR r.tab = ?1 OR substr(r.tab, 1, length(?1) + 1) = ?1 || '/')";
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, target != NULL ? with_target : no_target, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "listing records");
	if (tab != NULL && tab[0] != '\0')
		sqlite3_bind_text(q, 1, tab, -1, SQLITE_STATIC);
	if (target != NULL)
		sqlite3_bind_text(q, 2, target, -1, SQLITE_STATIC);
	rc = sq_rows_keys(s, q, cb, arg, err, "listing records");
	sqlite3_finalize(q);
	return rc;
}

struct row_walk {
	store_row_cb cb;
	void *arg;
};

/* One labelled row of the listing query below. */
static int label_row(void *arg, sqlite3_stmt *q)
{
	struct row_walk *w = arg;
	struct store_row row;
	int k = sqlite3_column_int(q, 0);

	row.kind = k >= 0 && k < RECORD_KIND_COUNT ? (enum record_kind)k : RECORD_SALE;
	row.id = (const char *)sqlite3_column_text(q, 1);
	row.tab = (const char *)sqlite3_column_text(q, 2);
	row.date = (const char *)sqlite3_column_text(q, 3);
	row.currency = (const char *)sqlite3_column_text(q, 4);
	row.has_total = sqlite3_column_int(q, 5) != 0;
	row.total = sqlite3_column_int64(q, 6);
	if (sync_state_from_name((const char *)sqlite3_column_text(q, 7), &row.state) != BS_OK)
		row.state = SYNC_NOT_IMPORTED;
	row.reason = (const char *)sqlite3_column_text(q, 8);
	row.reference = (const char *)sqlite3_column_text(q, 9);
	if (row.reason == NULL)
		row.reason = "";
	if (row.reference == NULL)
		row.reference = "";
	return w->cb(w->arg, &row);
}

/*
 * The listing query.  Without a target every record is "not imported"; the
 * reason column names references to records not imported yet, so `pending`
 * can say why a row will wait even before a ledger is connected.
 */
int sq_rows_each(struct store *st, const char *target, unsigned state_mask, const char *tab,
                 store_row_cb cb, void *arg, struct bs_error *err)
{
	static const char missing_refs[] =
	    "(SELECT group_concat(rr.field || ' ' || rr.ref_id, ', ') FROM record_refs rr"
	    " WHERE rr.record = r.rowid AND NOT EXISTS (SELECT 1 FROM records x"
	    " WHERE x.id = rr.ref_id AND ((1 << x.kind) & rr.kinds) != 0))";
	/* A billed purchase's reference is its bill's, whole: the supplier's
	 * invoice number + " / " + the purchase's reference or id, as
	 * rules_purchase_reference makes it (docs/states-and-tabs.md
	 * "Purchase orders and bills"). */
	static const char label[] =
	    "CASE WHEN r.kind = ?4 AND json_extract(r.body, '$.supplier_invoice_no') IS NOT NULL"
	    " THEN json_extract(r.body, '$.supplier_invoice_no') || ' / ' ||"
	    " coalesce(json_extract(r.body, '$.reference'), r.id)"
	    " ELSE coalesce(json_extract(r.body, '$.reference'), json_extract(r.body, '$.name'),"
	    " json_extract(r.body, '$.code'), json_extract(r.body, '$.sku'), '') END";
	struct sq_store *s = sq(st);
	struct row_walk rw = {cb, arg};
	struct buf sql;
	sqlite3_stmt *q = NULL;
	int rc;

	buf_init(&sql, 8192);
	if (target == NULL) {
		if (!(state_mask & (1u << SYNC_NOT_IMPORTED)))
			return BS_OK; /* nothing is in any other state yet */
		rc = buf_printf(&sql,
		                "SELECT r.kind, r.id, r.tab, r.date, r.currency, r.has_total,"
		                " r.total, 'not_imported', coalesce(%s, ''), %s FROM records r"
		                " WHERE (?1 IS NULL OR r.tab = ?1 OR"
		                " substr(r.tab, 1, length(?1) + 1) = ?1 || '/')"
		                " ORDER BY r.tab, r.date, r.kind, r.id",
		                missing_refs, label);
	} else {
		rc = buf_printf(&sql,
		                "SELECT r.kind, r.id, r.tab, r.date, r.currency, r.has_total,"
		                " r.total, s.state, s.reason, %s FROM sync_state s"
		                " JOIN records r ON r.rowid = s.record"
		                " WHERE s.target = ?2 AND (?3 >> (CASE s.state"
		                " WHEN 'not_imported' THEN 0 WHEN 'queued' THEN 1"
		                " WHEN 'imported' THEN 2 WHEN 'error' THEN 3 WHEN 'changed' THEN 4"
		                " WHEN 'skipped' THEN 5 WHEN 'waiting' THEN 6 ELSE 7 END)) & 1"
		                " AND (?1 IS NULL OR r.tab = ?1 OR"
		                " substr(r.tab, 1, length(?1) + 1) = ?1 || '/')"
		                " ORDER BY r.tab, r.date, r.kind, r.id",
		                label);
	}
	if (rc != BS_OK)
		goto out;
	rc = sqlite3_prepare_v2(s->db, buf_cstr(&sql), -1, &q, NULL);
	if (rc != SQLITE_OK) {
		rc = sq_fail(s, rc, err, "listing records");
		goto out;
	}
	if (tab != NULL && tab[0] != '\0')
		sqlite3_bind_text(q, 1, tab, -1, SQLITE_STATIC);
	if (target != NULL) {
		sqlite3_bind_text(q, 2, target, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)state_mask);
	}
	sqlite3_bind_int(q, 4, (int)RECORD_PURCHASE);
	rc = sq_rows(s, q, label_row, &rw, err, "listing records");
out:
	sqlite3_finalize(q);
	buf_free(&sql);
	return rc;
}

struct history_walk {
	store_history_cb cb;
	void *arg;
};

static int history_row(void *arg, sqlite3_stmt *q)
{
	struct history_walk *w = arg;
	struct store_history_row h;
	int k = sqlite3_column_int(q, 2);

	h.seq = sqlite3_column_int64(q, 0);
	h.at_ms = sqlite3_column_int64(q, 1);
	h.kind = k >= 0 && k < RECORD_KIND_COUNT ? (enum record_kind)k : RECORD_SALE;
	h.id = (const char *)sqlite3_column_text(q, 3);
	h.target = (const char *)sqlite3_column_text(q, 4);
	h.actor = (const char *)sqlite3_column_text(q, 5);
	h.from = (const char *)sqlite3_column_text(q, 6);
	h.to = (const char *)sqlite3_column_text(q, 7);
	h.reason = (const char *)sqlite3_column_text(q, 8);
	return w->cb(w->arg, &h);
}

int sq_history_each(struct store *st, const enum record_kind *kind, const char *id, int64_t limit,
                    store_history_cb cb, void *arg, struct bs_error *err)
{
	/* One record's history starts with its arrival, kept as created_ms. */
	static const char sql[] =
	    "SELECT * FROM (SELECT h.seq, h.at_ms, r.kind, r.id, h.target, h.actor,"
	    " h.from_state, h.to_state, h.reason FROM history h"
	    " JOIN records r ON r.rowid = h.record"
	    " WHERE ?1 IS NULL OR (r.kind = ?2 AND r.id = ?1)"
	    " UNION ALL SELECT 0, r.created_ms, r.kind, r.id, '', 'ingest', '', 'new', ''"
	    " FROM records r WHERE ?1 IS NOT NULL AND r.kind = ?2 AND r.id = ?1"
	    " ORDER BY 1 DESC LIMIT ?3) ORDER BY 1";
	struct sq_store *s = sq(st);
	struct history_walk hw = {cb, arg};
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "reading history");
	if (id != NULL && kind != NULL) {
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 2, (int)*kind);
	}
	sqlite3_bind_int64(q, 3, limit > 0 ? limit : -1);
	rc = sq_rows(s, q, history_row, &hw, err, "reading history");
	sqlite3_finalize(q);
	return rc;
}
