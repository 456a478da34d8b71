/*
 * store_sql_list.c - the SQLite store's listings: what is pending (as
 * keys for the planner, as labelled rows for `pending` and `errors`) and
 * the history.  Each is one query prepared per call: they run once per
 * command, not once per record.
 */
#include "store/store_sql_int.h"

#include <stdio.h>
#include <string.h>

struct key_walk {
	store_key_cb cb;   /* (kind, id) rows */
	store_page_cb row; /* or (kind, id, rowid) rows */
	void *arg;
};

/* A (kind, id[, rowid]) row; a kind this build does not know is passed over. */
static int key_row(void *arg, struct db_stmt *q)
{
	struct key_walk *w = arg;
	int k = db_col_int(q, 0);

	if (k < 0 || k >= RECORD_KIND_COUNT)
		return 0;
	if (w->row != NULL)
		return w->row(w->arg, (enum record_kind)k, (const char *)db_col_text(q, 1),
		              db_col_int64(q, 2));
	return w->cb(w->arg, (enum record_kind)k, (const char *)db_col_text(q, 1));
}

int sq_rows_keys(struct sq_store *s, struct db_stmt *q, store_key_cb cb, void *arg,
                 struct bs_error *err, const char *what)
{
	struct key_walk w = {cb, NULL, arg};

	return sq_rows(s, q, key_row, &w, err, what);
}

int sq_rows_key_ids(struct sq_store *s, struct db_stmt *q, store_page_cb cb, void *arg,
                    struct bs_error *err, const char *what)
{
	struct key_walk w = {NULL, cb, arg};

	return sq_rows(s, q, key_row, &w, err, what);
}

/* Pending records' kinds and ids, unsorted (see store_pending_keys_each). */
int sq_keys_each(struct store *st, const char *target, const char *tab, size_t max, store_key_cb cb,
                 void *arg, struct bs_error *err)
{
	/* ?2 in both, so ?3 is the limit in both (PostgreSQL types each one) */
	static const char no_target[] = "SELECT kind, id FROM records WHERE (?1 IS NULL OR tab = ?1"
	                                " OR substr(tab, 1, length(?1) + 1) = ?1 || '/')"
	                                " AND ?2 IS NULL LIMIT ?3";
	static const char with_target[] =
	    "SELECT r.kind, r.id FROM sync_state s JOIN records r ON r.rowid = s.record"
	    " WHERE s.target = ?2 AND s.state IN ('not_imported', 'changed', 'waiting')"
	    " AND (?1 IS NULL OR r.tab = ?1 OR substr(r.tab, 1, length(?1) + 1) = ?1 || '/')"
	    " LIMIT ?3";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, target != NULL ? with_target : no_target, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "listing records");
	if (tab != NULL && tab[0] != '\0')
		db_bind_text(q, 1, tab);
	else
		db_bind_text(q, 1, NULL);
	db_bind_text(q, 2, target);
	/* no limit, on both engines */
	db_bind_int64(q, 3, max > 0 && max < (size_t)INT64_MAX ? (int64_t)max : INT64_MAX);
	rc = sq_rows_keys(s, q, cb, arg, err, "listing records");
	db_finalize(q);
	return rc;
}

struct row_walk {
	store_row_cb cb;
	void *arg;
};

/* Why a record waits before any connection: its references to records not
 * imported yet. */
static const char missing_refs[] =
    "(SELECT group_concat(rr.field || ' ' || rr.ref_id, ', ') FROM record_refs rr"
    " WHERE rr.record = r.rowid AND NOT EXISTS (SELECT 1 FROM records x"
    " WHERE x.id = rr.ref_id AND ((CAST(1 AS BIGINT) << CAST(x.kind AS INTEGER)) & rr.kinds) != "
    "0))";
/* A billed purchase's reference is its bill's, whole: the supplier's
 * invoice number + " / " + the purchase's reference or id, as
 * rules_purchase_reference makes it (docs/states-and-tabs.md
 * "Purchase orders and bills").  ?4 is RECORD_PURCHASE. */
const char sq_row_label[] =
    "CASE WHEN r.kind = ?4 AND json_extract(r.body, '$.supplier_invoice_no') IS NOT NULL"
    " THEN json_extract(r.body, '$.supplier_invoice_no') || ' / ' ||"
    " coalesce(json_extract(r.body, '$.reference'), r.id)"
    " ELSE coalesce(json_extract(r.body, '$.reference'), json_extract(r.body, '$.name'),"
    " json_extract(r.body, '$.code'), json_extract(r.body, '$.sku'), '') END";

void sq_row_of(struct db_stmt *q, struct store_row *out)
{
	struct store_row row;
	int k = db_col_int(q, 0);

	row.kind = k >= 0 && k < RECORD_KIND_COUNT ? (enum record_kind)k : RECORD_SALE;
	row.id = (const char *)db_col_text(q, 1);
	row.tab = (const char *)db_col_text(q, 2);
	row.date = (const char *)db_col_text(q, 3);
	row.currency = (const char *)db_col_text(q, 4);
	row.has_total = db_col_int(q, 5) != 0;
	row.total = db_col_int64(q, 6);
	if (sync_state_from_name((const char *)db_col_text(q, 7), &row.state) != BS_OK)
		row.state = SYNC_NOT_IMPORTED;
	row.reason = (const char *)db_col_text(q, 8);
	row.reference = (const char *)db_col_text(q, 9);
	if (row.reason == NULL)
		row.reason = "";
	if (row.reference == NULL)
		row.reference = "";
	row.contact = "";
	if (db_col_count(q) > 10 && db_col_text(q, 10) != NULL)
		row.contact = (const char *)db_col_text(q, 10);
	if (row.contact == NULL)
		row.contact = "";
	*out = row;
}

/* One labelled row of the listing query below. */
static int label_row(void *arg, struct db_stmt *q)
{
	struct row_walk *w = arg;
	struct store_row row;

	sq_row_of(q, &row);
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
	struct sq_store *s = sq(st);
	struct row_walk rw = {cb, arg};
	struct buf sql;
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
		                missing_refs, sq_row_label);
	} else {
		rc =
		    buf_printf(&sql,
		               "SELECT r.kind, r.id, r.tab, r.date, r.currency, r.has_total,"
		               " r.total, s.state, s.reason, %s FROM sync_state s"
		               " JOIN records r ON r.rowid = s.record"
		               " WHERE s.target = ?2 AND ((?3 >> (CASE s.state"
		               " WHEN 'not_imported' THEN 0 WHEN 'queued' THEN 1"
		               " WHEN 'imported' THEN 2 WHEN 'error' THEN 3 WHEN 'changed' THEN 4"
		               " WHEN 'skipped' THEN 5 WHEN 'waiting' THEN 6 ELSE 7 END)) & 1) <> 0"
		               " AND (?1 IS NULL OR r.tab = ?1 OR"
		               " substr(r.tab, 1, length(?1) + 1) = ?1 || '/')"
		               " ORDER BY r.tab, r.date, r.kind, r.id",
		               sq_row_label);
	}
	if (rc == BS_OK)
		rc = sq_listing_run(s, buf_cstr(&sql), tab, target, (int64_t)state_mask, label_row,
		                    &rw, err, "listing records");
	buf_free(&sql);
	return rc;
}

int sq_listing_run(struct sq_store *s, const char *sql, const char *tab, const char *target,
                   int64_t mask, int (*row)(void *arg, struct db_stmt *q), void *arg,
                   struct bs_error *err, const char *what)
{
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, what);
	if (tab != NULL && tab[0] != '\0')
		db_bind_text(q, 1, tab);
	if (target != NULL) {
		db_bind_text(q, 2, target);
		db_bind_int64(q, 3, (int64_t)mask);
	}
	db_bind_int64(q, 4, (int)RECORD_PURCHASE);
	rc = sq_rows(s, q, row, arg, err, what);
	db_finalize(q);
	return rc;
}

struct history_walk {
	store_history_cb cb;
	void *arg;
};

static int history_row(void *arg, struct db_stmt *q)
{
	struct history_walk *w = arg;
	struct store_history_row h;
	int k = db_col_int(q, 2);

	h.seq = db_col_int64(q, 0);
	h.at_ms = db_col_int64(q, 1);
	h.kind = k >= 0 && k < RECORD_KIND_COUNT ? (enum record_kind)k : RECORD_SALE;
	h.id = (const char *)db_col_text(q, 3);
	h.target = (const char *)db_col_text(q, 4);
	h.actor = (const char *)db_col_text(q, 5);
	h.from = (const char *)db_col_text(q, 6);
	h.to = (const char *)db_col_text(q, 7);
	h.reason = (const char *)db_col_text(q, 8);
	return w->cb(w->arg, &h);
}

/* A history row written, and one an outbox row holds: each the latest of
 * its record on its target, so numbered after every written row. */
#define HISTORY_COLS                                                                               \
	"h.seq, h.at_ms, r.kind, r.id, h.target, h.actor, h.from_state, h.to_state, h.reason"
#define HELD_COLS                                                                                  \
	"(SELECT coalesce(max(seq), 0) FROM history) + o.id, o.created_ms, r.kind, r.id,"          \
	" o.target, o.hist_actor, o.hist_from, 'queued', o.hist_reason"

int sq_history_each(struct store *st, const enum record_kind *kind, const char *id, int64_t limit,
                    store_history_cb cb, void *arg, struct bs_error *err)
{
	/*
	 * One record's: found by its key, then its rows on history_record and
	 * outbox_record, never a scan.  Its history starts with its arrival,
	 * kept as created_ms, and ends with the moves to queued its outbox
	 * rows still hold (docs/exactly-once.md "Held by the outbox").
	 */
	static const char one[] =
	    "SELECT * FROM (SELECT " HISTORY_COLS " FROM records r"
	    " JOIN history h ON h.record = r.rowid WHERE r.kind = ?2 AND r.id = ?1"
	    " UNION ALL SELECT 0, r.created_ms, r.kind, r.id, '', 'ingest', '', 'new', ''"
	    " FROM records r WHERE r.kind = ?2 AND r.id = ?1"
	    " UNION ALL SELECT " HELD_COLS " FROM records r JOIN outbox o ON o.record = r.rowid"
	    " WHERE r.kind = ?2 AND r.id = ?1 AND o.hist_from IS NOT NULL"
	    " ORDER BY 1 DESC LIMIT ?3) AS page ORDER BY 1";
	/* Every record's: the newest written rows and the newest held ones,
	 * each walked newest first and cut at the limit. */
	static const char all[] =
	    "SELECT * FROM (SELECT * FROM (SELECT " HISTORY_COLS " FROM history h"
	    " JOIN records r ON r.rowid = h.record ORDER BY h.seq DESC LIMIT ?3) AS w"
	    " UNION ALL SELECT * FROM (SELECT " HELD_COLS " FROM outbox o"
	    " JOIN records r ON r.rowid = o.record WHERE o.hist_from IS NOT NULL"
	    " ORDER BY o.id DESC LIMIT ?3) AS h"
	    " ORDER BY 1 DESC LIMIT ?3) AS page ORDER BY 1";
	bool of_one = id != NULL && kind != NULL;
	struct sq_store *s = sq(st);
	struct history_walk hw = {cb, arg};
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, of_one ? one : all, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading history");
	if (of_one) {
		db_bind_text(q, 1, id);
		db_bind_int64(q, 2, (int)*kind);
	}
	db_bind_int64(q, 3, limit > 0 ? limit : INT64_MAX); /* no limit, on both engines */
	rc = sq_rows(s, q, history_row, &hw, err, "reading history");
	db_finalize(q);
	return rc;
}

/* ---- the REST API's listings ------------------------------------------ */

/*
 * Up to SPARSE_MAX matching rows, a page sorts them (driven by
 * sync_state_by_state); beyond, it walks records_by_listing in order and
 * stops after `limit` matches (see WINDOW below).  The rows are counted up
 * to SORT_MAX, reading at most that many index entries (a few ms).
 */
#define SPARSE_MAX 4000
#define SORT_MAX   20000 /* the most matching rows a page sorts after its walk */

/* The customer's or supplier's name; the referenced id while that record
 * is not imported. */
static const char contact_sql[] =
    "coalesce((SELECT coalesce(json_extract(c.body, '$.name'), c.id) FROM record_refs rr"
    " JOIN records c ON c.id = rr.ref_id AND ((CAST(1 AS BIGINT) << CAST(c.kind AS INTEGER)) & "
    "rr.kinds) != 0"
    " WHERE rr.record = r.rowid AND rr.field IN ('customer_id', 'supplier_id', 'contact_id')"
    " LIMIT 1), (SELECT rr.ref_id FROM record_refs rr WHERE rr.record = r.rowid"
    " AND rr.field IN ('customer_id', 'supplier_id', 'contact_id') LIMIT 1), '')";

/* "s.state IN ('error', ...)" for the states of mask: our own names, never
 * the caller's text. */
static int states_in(struct buf *sql, unsigned mask)
{
	int rc = buf_addstr(sql, "s.state IN (");
	bool first = true;

	for (int i = 0; i < SYNC_STATE_COUNT && rc == BS_OK; i++) {
		if (!(mask & (1u << i)))
			continue;
		rc = buf_printf(sql, "%s'%s'", first ? "" : ", ",
		                sync_state_name((enum sync_state)i));
		first = false;
	}
	if (rc == BS_OK)
		rc = buf_addstr(sql, first ? "NULL)" : ")");
	return rc;
}

/* How many rows of target are in the mask's states, counted up to
 * bound + 1 (reading at most that many index entries). */
static int count_rows(struct sq_store *s, const char *target, unsigned mask, int bound, int *n,
                      struct bs_error *err)
{
	struct buf sql;
	struct db_stmt *q = NULL;
	int rc;

	buf_init(&sql, 4096);
	rc = buf_addstr(&sql, "SELECT count(*) FROM (SELECT 1 FROM sync_state s"
	                      " WHERE s.target = ?1 AND ");
	if (rc == BS_OK)
		rc = states_in(&sql, mask);
	if (rc == BS_OK)
		rc = buf_printf(&sql, " LIMIT %d)", bound + 1);
	if (rc != BS_OK)
		goto out;
	rc = db_prepare(s->db, buf_cstr(&sql), &q);
	if (rc != DB_OK) {
		rc = sq_fail(s, rc, err, "counting records");
		goto out;
	}
	db_bind_text(q, 1, target);
	rc = db_step(q);
	if (rc != DB_ROW) {
		rc = sq_fail(s, rc, err, "counting records");
		goto out;
	}
	*n = db_col_int(q, 0);
	rc = BS_OK;
out:
	db_finalize(q);
	buf_free(&sql);
	return rc;
}

/*
 * A walk down records_by_listing passes at most WINDOW index entries a
 * query; after WINDOWS of them without a full page (the matching rows are
 * rare there, or far on: every error in the last tab), the rest of the page
 * comes from sorting the matching rows after the last entry passed, which
 * costs the matching rows, not the records between -- when they are fewer
 * than SORT_MAX; more of them go on being walked, window by window.
 */
#define WINDOW  10000
#define WINDOWS 2

enum page_plan {
	PLAN_ALL,  /* no target: every record, down the index */
	PLAN_SORT, /* the matching rows' keys, sorted */
	PLAN_WALK, /* down the index, one window */
};

struct counted {
	struct row_walk rw;
	size_t n;
};

static int counted_row(void *arg, struct db_stmt *q)
{
	struct counted *c = arg;

	c->n++;
	return label_row(&c->rw, q);
}

/*
 * The conditions on r: the tab (also a range on the index's first column:
 * '/' sorts just before '0') and the key to start after.  With a key, the
 * key is the walk's start (SQLite seeks on the row value only when the tab
 * gives no other lower bound); without one, the tab is.
 */
static int filter_sql(struct buf *sql, bool has_tab, bool has_after, bool has_upto)
{
	int rc = BS_OK;

	if (has_tab && !has_after)
		rc = buf_addstr(sql, " AND r.tab >= ?2");
	/* with a window's end (inside the tab) as the upper bound, the tab's
	 * end is left out: SQLite bounds the walk by one of the two only */
	if (rc == BS_OK && has_tab && !has_upto)
		rc = buf_addstr(sql, " AND r.tab < ?2 || '0'");
	if (rc == BS_OK && has_tab)
		rc = buf_addstr(
		    sql, " AND (r.tab = ?2 OR substr(r.tab, 1, length(?2) + 1) = ?2 || '/')");
	if (rc == BS_OK && has_after)
		rc = buf_addstr(sql, " AND (r.tab, r.date, r.kind, r.id) > (?5, ?6, ?7, ?8)");
	if (rc == BS_OK && has_upto)
		rc = buf_addstr(sql, " AND (r.tab, r.date, r.kind, r.id) <= (?11, ?12, ?13, ?14)");
	return rc;
}

/*
 * Parameters: ?1 target, ?2 tab, ?4 RECORD_PURCHASE (label), ?5..?8 the
 * key after which the page starts, ?9 the limit, ?10 the window, ?11..?14
 * the last key of a walk's window.
 */
static void bind_page(struct db_stmt *q, const char *target, const char *tab,
                      const struct store_row_key *after, const struct store_row_key *upto,
                      size_t limit)
{
	if (upto != NULL) {
		db_bind_text_copy(q, 11, upto->tab, -1);
		db_bind_text_copy(q, 12, upto->date, -1);
		db_bind_int64(q, 13, (int)upto->kind);
		db_bind_text_copy(q, 14, upto->id, -1);
	}
	if (target != NULL)
		db_bind_text_copy(q, 1, target, -1);
	if (tab != NULL)
		db_bind_text_copy(q, 2, tab, -1);
	db_bind_int64(q, 4, (int)RECORD_PURCHASE);
	if (after != NULL) {
		db_bind_text_copy(q, 5, after->tab, -1);
		db_bind_text_copy(q, 6, after->date, -1);
		db_bind_int64(q, 7, (int)after->kind);
		db_bind_text_copy(q, 8, after->id, -1);
	}
	db_bind_int64(q, 9, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	db_bind_int64(q, 10, WINDOW);
}

/* One query of `plan`: up to limit rows after `after`, labelled only for
 * the rows handed out; *got counts them. */
static int page_query(struct sq_store *s, enum page_plan plan, const char *target, unsigned mask,
                      const char *tab, const struct store_row_key *after,
                      const struct store_row_key *upto, size_t limit, struct row_walk *rw,
                      size_t *got, struct bs_error *err)
{
	struct counted c = {*rw, 0};
	struct buf sql;
	struct db_stmt *q = NULL;
	int rc;

	buf_init(&sql, 16384);
	if (plan == PLAN_ALL)
		rc = buf_printf(&sql,
		                "SELECT r.kind, r.id, r.tab, r.date, r.currency, r.has_total,"
		                " r.total, 'not_imported', coalesce(%s, ''), %s, %s"
		                " FROM records r INDEXED BY records_by_listing WHERE 1",
		                missing_refs, sq_row_label, contact_sql);
	else if (plan == PLAN_SORT)
		rc =
		    buf_addstr(&sql, "SELECT s.record AS rid, s.state AS state, s.reason AS reason,"
		                     " r.tab AS t, r.date AS d, r.kind AS k, r.id AS i"
		                     " FROM sync_state s INDEXED BY sync_state_by_state"
		                     " CROSS JOIN records r ON r.rowid = s.record"
		                     " WHERE s.target = ?1 AND ");
	else
		/* down the index, whose order is the listing's: no sort, and the
		 * walk stops at the page's last row or at the window's end */
		rc = buf_printf(&sql,
		                "SELECT r.kind, r.id, r.tab, r.date, r.currency, r.has_total,"
		                " r.total, s.state, s.reason, %s, %s FROM records r INDEXED BY"
		                " records_by_listing CROSS JOIN sync_state s ON s.record = r.rowid"
		                " WHERE s.target = ?1 AND ",
		                sq_row_label, contact_sql);
	if (rc == BS_OK && plan != PLAN_ALL)
		rc = states_in(&sql, mask);
	if (rc == BS_OK)
		rc = filter_sql(&sql, tab != NULL, after != NULL, upto != NULL);
	if (rc == BS_OK)
		rc = buf_addstr(&sql, " ORDER BY r.tab, r.date, r.kind, r.id LIMIT ?9");
	if (rc == BS_OK && plan == PLAN_SORT) {
		/* the sort takes keys only; labels are made for the page's rows */
		struct buf inner;

		buf_init(&inner, 16384);
		rc = buf_addstr(&inner, buf_cstr(&sql));
		buf_reset(&sql);
		if (rc == BS_OK)
			rc = buf_printf(
			    &sql,
			    "SELECT r.kind, r.id, r.tab, r.date, r.currency, r.has_total,"
			    " r.total, p.state, p.reason, %s, %s FROM (%s) p"
			    " CROSS JOIN records r ON r.rowid = p.rid"
			    " ORDER BY p.t, p.d, p.k, p.i",
			    sq_row_label, contact_sql, buf_cstr(&inner));
		buf_free(&inner);
	}
	if (rc != BS_OK)
		goto out;
	rc = db_prepare(s->db, buf_cstr(&sql), &q);
	if (rc != DB_OK) {
		rc = sq_fail(s, rc, err, "listing records");
		goto out;
	}
	bind_page(q, target, tab, after, upto, limit);
	rc = sq_rows(s, q, counted_row, &c, err, "listing records");
out:
	*got = c.n;
	db_finalize(q);
	buf_free(&sql);
	return rc;
}

/* The last index entry a window after `after` passes, into key (its
 * strings in the bufs); *found false when the range ends inside it. */
static int window_end(struct sq_store *s, const char *tab, const struct store_row_key *after,
                      struct store_row_key *key, struct buf *kt, struct buf *kd, struct buf *ki,
                      bool *found, struct bs_error *err)
{
	struct buf sql;
	struct db_stmt *q = NULL;
	int rc;

	*found = false;
	buf_init(&sql, 4096);
	rc = buf_addstr(&sql, "SELECT r.tab, r.date, r.kind, r.id FROM records r"
	                      " INDEXED BY records_by_listing WHERE 1");
	if (rc == BS_OK)
		rc = filter_sql(&sql, tab != NULL, after != NULL, false);
	if (rc == BS_OK)
		rc = buf_addstr(&sql,
		                " ORDER BY r.tab, r.date, r.kind, r.id LIMIT 1 OFFSET ?10 - 1");
	if (rc != BS_OK)
		goto out;
	rc = db_prepare(s->db, buf_cstr(&sql), &q);
	if (rc != DB_OK) {
		rc = sq_fail(s, rc, err, "listing records");
		goto out;
	}
	bind_page(q, NULL, tab, after, NULL, 1);
	rc = db_step(q);
	if (rc == DB_ROW) {
		int k = db_col_int(q, 2);

		buf_reset(kt);
		buf_reset(kd);
		buf_reset(ki);
		rc = buf_addstr(kt, (const char *)db_col_text(q, 0));
		if (rc == BS_OK)
			rc = buf_addstr(kd, (const char *)db_col_text(q, 1));
		if (rc == BS_OK)
			rc = buf_addstr(ki, (const char *)db_col_text(q, 3));
		key->tab = buf_cstr(kt);
		key->date = buf_cstr(kd);
		key->kind = k >= 0 && k < RECORD_KIND_COUNT ? (enum record_kind)k : RECORD_SALE;
		key->id = buf_cstr(ki);
		*found = rc == BS_OK;
	} else if (rc == DB_DONE) {
		rc = BS_OK;
	} else {
		rc = sq_fail(s, rc, err, "listing records");
	}
out:
	db_finalize(q);
	buf_free(&sql);
	return rc;
}

int sq_rows_page(struct store *st, const char *target, unsigned state_mask, const char *tab,
                 const struct store_row_key *after, size_t limit, store_row_cb cb, void *arg,
                 struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct row_walk rw = {cb, arg};
	struct store_row_key keys[2];
	struct buf kb[2][3];
	enum page_plan plan = PLAN_ALL;
	bool found;
	size_t got = 0;
	int n = 0;
	int rc = BS_OK;

	for (int i = 0; i < 2; i++) {
		buf_init(&kb[i][0], 1024);
		buf_init(&kb[i][1], 64);
		buf_init(&kb[i][2], 1024);
	}
	if (tab != NULL && tab[0] == '\0')
		tab = NULL;
	/* A key before the tab's range asks for the tab's first page. */
	if (after != NULL && tab != NULL && strcmp(after->tab, tab) < 0)
		after = NULL;
	if (target == NULL && !(state_mask & (1u << SYNC_NOT_IMPORTED)))
		goto out; /* nothing is in any other state yet */
	if (target != NULL &&
	    (rc = count_rows(s, target, state_mask, SPARSE_MAX, &n, err)) != BS_OK)
		goto out;
	if (target != NULL)
		plan = n <= SPARSE_MAX ? PLAN_SORT : PLAN_WALK;
	if (plan != PLAN_WALK) {
		rc = page_query(s, plan, target, state_mask, tab, after, NULL, limit, &rw, &got,
		                err);
		goto out;
	}
	for (int w = 0;; w++) {
		struct store_row_key *end = &keys[w % 2];

		/* past the windows, count on (only then: it reads up to SORT_MAX
		 * index entries) to choose between sorting and walking on */
		if (w == WINDOWS &&
		    (rc = count_rows(s, target, state_mask, SORT_MAX, &n, err)) != BS_OK)
			goto out;
		if (w >= WINDOWS && n <= SORT_MAX)
			break;
		/* the window's last entry (an index-only read), then the walk
		 * up to it; `after` is the other key of the two */
		rc = window_end(s, tab, after, end, &kb[w % 2][0], &kb[w % 2][1], &kb[w % 2][2],
		                &found, err);
		if (rc == BS_OK)
			rc = page_query(s, PLAN_WALK, target, state_mask, tab, after,
			                found ? end : NULL, limit, &rw, &got, err);
		if (rc != BS_OK || got >= limit || !found)
			goto out; /* done, or the range ended inside the window */
		limit -= got;
		after = end;
	}
	rc = page_query(s, PLAN_SORT, target, state_mask, tab, after, NULL, limit, &rw, &got, err);
out:
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 3; j++)
			buf_free(&kb[i][j]);
	return rc;
}

struct count_walk {
	store_tab_count_cb cb;
	void *arg;
};

static int count_row(void *arg, struct db_stmt *q)
{
	struct count_walk *w = arg;

	return w->cb(w->arg, (const char *)db_col_text(q, 0), db_col_int64(q, 1),
	             db_col_int64(q, 2));
}

int sq_tab_counts(struct store *st, const char *target, store_tab_count_cb cb, void *arg,
                  struct bs_error *err)
{
	static const char no_target[] = "SELECT tab, count(*), 0 FROM records GROUP BY tab";
	static const char with_target[] =
	    "SELECT r.tab, sum(s.state IN ('not_imported', 'changed', 'waiting')),"
	    " sum(s.state = 'error') FROM sync_state s CROSS JOIN records r ON r.rowid = s.record"
	    " WHERE s.target = ?1 AND s.state IN ('not_imported', 'changed', 'waiting', 'error')"
	    " GROUP BY r.tab";
	struct sq_store *s = sq(st);
	struct count_walk w = {cb, arg};
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, target != NULL ? with_target : no_target, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "counting records");
	if (target != NULL)
		db_bind_text(q, 1, target);
	rc = sq_rows(s, q, count_row, &w, err, "counting records");
	db_finalize(q);
	q = NULL;
	/* refused re-imports are on Errors too (store.h), apart: few, and
	 * kept out of the large query's plan */
	if (rc == BS_OK && target != NULL) {
		rc = db_prepare(s->db,
		                "SELECT r.tab, 0, count(*) FROM refusals f JOIN records r"
		                " ON r.rowid = f.record WHERE f.target = ?1 GROUP BY r.tab",
		                &q);
		if (rc != DB_OK)
			return sq_fail(s, rc, err, "counting refused re-imports");
		db_bind_text(q, 1, target);
		rc = sq_rows(s, q, count_row, &w, err, "counting refused re-imports");
		db_finalize(q);
	}
	return rc;
}

struct day_walk {
	store_day_cb cb;
	void *arg;
};

static int day_row(void *arg, struct db_stmt *q)
{
	struct day_walk *w = arg;
	struct store_day d;

	d.target = (const char *)db_col_text(q, 0);
	d.day = (const char *)db_col_text(q, 1);
	d.posted = db_col_int64(q, 2);
	d.calls = db_col_int64(q, 3);
	return w->cb(w->arg, &d);
}

/*
 * Posted: history rows that moved a record to imported or consolidated.
 * Calls: requests created (each request is one call to the ledger; a
 * retry of a request is not counted again).  Both by UTC day.
 */
int sq_days_each(struct store *st, const char *target, int64_t since_ms, store_day_cb cb, void *arg,
                 struct bs_error *err)
{
	static const char sql[] =
	    "SELECT target, day, sum(posted), sum(calls) FROM ("
	    " SELECT h.target AS target, date(h.at_ms / 1000, 'unixepoch') AS day,"
	    " 1 AS posted, 0 AS calls FROM history h WHERE h.at_ms >= ?2"
	    " AND h.to_state IN ('imported', 'consolidated') AND h.target != ''"
	    " AND (?1 IS NULL OR h.target = ?1)"
	    " UNION ALL SELECT q.target, date(q.created_ms / 1000, 'unixepoch'), 0, 1"
	    " FROM requests q WHERE q.created_ms >= ?2 AND (?1 IS NULL OR q.target = ?1))"
	    " GROUP BY day, target ORDER BY day, target";
	struct sq_store *s = sq(st);
	struct day_walk w = {cb, arg};
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading daily figures");
	if (target != NULL)
		db_bind_text(q, 1, target);
	db_bind_int64(q, 2, since_ms);
	rc = sq_rows(s, q, day_row, &w, err, "reading daily figures");
	db_finalize(q);
	return rc;
}

struct link_walk {
	store_link_cb cb;
	void *arg;
};

static int link_row(void *arg, struct db_stmt *q)
{
	struct link_walk *w = arg;
	struct store_link l;

	memset(&l, 0, sizeof(l));
	sq_col_copy(q, 2, l.ledger_id, sizeof(l.ledger_id));
	sq_col_copy(q, 3, l.number, sizeof(l.number));
	l.serial = db_col_int64(q, 4);
	return w->cb(w->arg, (const char *)db_col_text(q, 0), (const char *)db_col_text(q, 1), &l);
}

int sq_links_each(struct store *st, enum record_kind kind, const char *id, store_link_cb cb,
                  void *arg, struct bs_error *err)
{
	/* links' key starts with target: one probe per target, no scan; with
	 * them the serials the record's outbox rows still hold (docs/exactly-once.md
	 * "Held by the outbox"): a link's ledger id and number, if any, are
	 * never '' and its serial is 0 when a row holds one */
	static const char sql[] =
	    "SELECT target, type, max(ledger_id), max(number), max(serial) FROM ("
	    "SELECT l.target AS target, l.ledger_type AS type, l.ledger_id AS ledger_id,"
	    " l.ledger_number AS number, coalesce(l.serial, 0) AS serial"
	    " FROM targets t JOIN links l ON l.target = t.id AND l.kind = ?1 AND l.source_id = ?2"
	    " UNION ALL SELECT o.target, o.doc_type, '', '', o.serial FROM records r"
	    " JOIN outbox o ON o.record = r.rowid WHERE r.kind = ?1 AND r.id = ?2"
	    " AND o.serial IS NOT NULL) AS l GROUP BY target, type ORDER BY target, type";
	struct sq_store *s = sq(st);
	struct link_walk w = {cb, arg};
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading links");
	db_bind_int64(q, 1, (int)kind);
	db_bind_text(q, 2, id);
	rc = sq_rows(s, q, link_row, &w, err, "reading links");
	db_finalize(q);
	return rc;
}
