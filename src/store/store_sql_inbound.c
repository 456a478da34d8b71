/*
 * store_sql_inbound.c - payments imported from the ledger in SQLite
 * (store_inbound.h; the tables are migration 8 -> 9 in schema.c).
 */
#include "store/store_sql_int.h"

#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define COLS                                                                                       \
	"target, ledger_id, state, reason, contact, customer, invoice, sale, currency, amount, "   \
	"date, updated_ms, event, decided_ms"

static void row_of(struct db_stmt *q, struct store_inbound_row *r)
{
	memset(r, 0, sizeof(*r));
	sq_col_copy(q, 0, r->target, sizeof(r->target));
	sq_col_copy(q, 1, r->ledger_id, sizeof(r->ledger_id));
	sq_col_copy(q, 2, r->state, sizeof(r->state));
	sq_col_copy(q, 3, r->reason, sizeof(r->reason));
	sq_col_copy(q, 4, r->contact, sizeof(r->contact));
	sq_col_copy(q, 5, r->customer, sizeof(r->customer));
	sq_col_copy(q, 6, r->invoice, sizeof(r->invoice));
	sq_col_copy(q, 7, r->sale, sizeof(r->sale));
	sq_col_copy(q, 8, r->currency, sizeof(r->currency));
	r->amount = db_col_int64(q, 9);
	sq_col_copy(q, 10, r->date, sizeof(r->date));
	r->updated_ms = db_col_int64(q, 11);
	sq_col_copy(q, 12, r->event, sizeof(r->event));
	r->decided_ms = db_col_int64(q, 13);
}

static int in_get(struct store *st, const char *target, const char *ledger_id,
                  struct store_inbound_row *out, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt_sql(
	    s, Q_IN_GET,
	    "SELECT " COLS " FROM inbound_payments WHERE target = ?1 AND ledger_id = ?2", &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, target);
	db_bind_text(q, 2, ledger_id);
	rc = db_step(q);
	if (rc == DB_ROW) {
		row_of(q, out);
		rc = BS_OK;
	} else if (rc == DB_DONE) {
		rc = BS_ENOTFOUND;
	} else {
		rc = sq_fail(s, rc, err, "reading an inbound payment");
	}
	db_reset(q);
	return rc;
}

static int in_add(struct store *st, const struct store_inbound_row *r, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt_sql(s, Q_IN_ADD,
	                     "INSERT INTO inbound_payments(" COLS ")"
	                     " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
	                     &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, r->target);
	db_bind_text(q, 2, r->ledger_id);
	db_bind_text(q, 3, r->state);
	db_bind_text(q, 4, r->reason);
	db_bind_text(q, 5, r->contact);
	db_bind_text(q, 6, r->customer);
	db_bind_text(q, 7, r->invoice);
	db_bind_text(q, 8, r->sale);
	db_bind_text(q, 9, r->currency);
	db_bind_int64(q, 10, r->amount);
	db_bind_text(q, 11, r->date);
	db_bind_int64(q, 12, r->updated_ms);
	db_bind_text(q, 13, r->event);
	db_bind_int64(q, 14, r->decided_ms);
	rc = db_step(q);
	if ((rc & 0xff) == DB_CONSTRAINT)
		rc = bs_error_set(err, BS_ECONFLICT, "inbound payment %s: decided already",
		                  r->ledger_id);
	else if (rc != DB_DONE)
		rc = sq_fail(s, rc, err, "recording an inbound payment");
	else
		rc = BS_OK;
	db_reset(q);
	return rc;
}

/* A decision changed later: the row in one of the states `from` (SQL
 * text) becomes `to`, with reason, event (NULL: kept) and decided_ms. */
static int in_move(struct sq_store *s, const char *target, const char *ledger_id, const char *from,
                   const char *to, const char *reason, const char *event, int64_t decided_ms,
                   struct bs_error *err)
{
	struct db_stmt *q = NULL;
	char sql[256];
	int rc;

	snprintf(sql, sizeof(sql),
	         "UPDATE inbound_payments SET state = ?3, reason = ?4,"
	         " event = coalesce(?5, event), decided_ms = ?6"
	         " WHERE target = ?1 AND ledger_id = ?2 AND state IN (%s)",
	         from);
	rc = db_prepare(s->db, sql, &q);
	if (rc != DB_OK)
		return sq_fail(s, rc, err, "changing an inbound payment");
	db_bind_text(q, 1, target);
	db_bind_text(q, 2, ledger_id);
	db_bind_text(q, 3, to);
	db_bind_text(q, 4, reason);
	if (event != NULL)
		db_bind_text(q, 5, event);
	db_bind_int64(q, 6, decided_ms);
	rc = sq_done(s, q, err, "changing an inbound payment");
	if (rc == BS_OK && db_changes(s->db) == 0)
		rc = bs_error_set(err, BS_ENOTFOUND, "inbound payment %s: none %s on %s", ledger_id,
		                  strcmp(to, "reversed") == 0 ? "applied" : "skipped or failed",
		                  target);
	db_finalize(q);
	return rc;
}

static int in_reverse(struct store *st, const char *target, const char *ledger_id,
                      const char *reason, const char *event, int64_t decided_ms,
                      struct bs_error *err)
{
	return in_move(sq(st), target, ledger_id, "'applied'", "reversed", reason, event,
	               decided_ms, err);
}

static int in_reconcile(struct store *st, const char *target, const char *ledger_id,
                        const char *note, int64_t decided_ms, struct bs_error *err)
{
	return in_move(sq(st), target, ledger_id, "'skipped', 'failed'", "reconciled", note, NULL,
	               decided_ms, err);
}

/* Hands each row of the prepared listing q to cb and finalizes q: BS_OK,
 * what cb returned to stop (STORE_WALK_STOP or its error), or the store's
 * error. */
static int walk_rows(struct sq_store *s, struct db_stmt *q, store_inbound_cb cb, void *arg,
                     struct bs_error *err)
{
	struct store_inbound_row r;
	int stop = 0, rc;

	while ((rc = db_step(q)) == DB_ROW) {
		row_of(q, &r);
		if ((stop = cb(arg, &r)) != 0)
			break;
	}
	if (stop != 0)
		rc = stop; /* STORE_WALK_STOP or the callback's error */
	else
		rc = rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, "listing inbound payments");
	db_finalize(q);
	return rc;
}

static int in_each(struct store *st, const char *target, const char *state, store_inbound_cb cb,
                   void *arg, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db,
	                    "SELECT " COLS " FROM inbound_payments"
	                    " WHERE (?1 = '' OR target = ?1) AND (?2 = '' OR state = ?2)"
	                    " ORDER BY decided_ms, target, ledger_id",
	                    &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "listing inbound payments");
	db_bind_text(q, 1, target);
	db_bind_text(q, 2, state);
	return walk_rows(s, q, cb, arg, err);
}

/*
 * The statement is put together from fixed pieces (every value is bound):
 * a condition that is always true for "any" would keep SQLite off the
 * index of (target, state, decided_ms), which with the primary key's
 * ledger_id is the listing order itself for one target and state.  The
 * parameters keep their numbers whether or not their piece is in:
 * ?1 target, ?2 state, ?3 decided_ms, ?4 target and ?5 ledger_id of the
 * key to start after, ?6 the limit.
 */
static int in_page(struct store *st, const char *target, const char *state,
                   const struct store_inbound_key *after, size_t limit, store_inbound_cb cb,
                   void *arg, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	char sql[768];
	int rc;

	snprintf(sql, sizeof(sql),
	         "SELECT " COLS " FROM inbound_payments WHERE %s%s%s"
	         " ORDER BY decided_ms, target, ledger_id LIMIT ?6",
	         target[0] != '\0' ? "target = ?1" : "1 = 1",
	         state[0] == '\0'                  ? ""
	         : strcmp(state, "unapplied") == 0 ? " AND state IN ('skipped', 'failed')"
	                                           : " AND state = ?2",
	         after == NULL ? ""
	                       : " AND (decided_ms > ?3 OR (decided_ms = ?3 AND (target > ?4"
	                         " OR (target = ?4 AND ledger_id > ?5))))");
	rc = db_prepare(s->db, sql, &q);
	if (rc != DB_OK)
		return sq_fail(s, rc, err, "listing inbound payments");
	db_bind_text(q, 1, target);
	db_bind_text(q, 2, state);
	if (after != NULL) {
		db_bind_int64(q, 3, after->decided_ms);
		db_bind_text(q, 4, after->target);
		db_bind_text(q, 5, after->ledger_id);
	}
	db_bind_int64(q, 6, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
	return walk_rows(s, q, cb, arg, err);
}

static int in_count(struct store *st, const char *target, int64_t overdue_before_ms,
                    struct store_inbound_counts *out, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(
	    s->db,
	    "SELECT COUNT(CASE WHEN state = 'applied' THEN 1 END),"
	    " COUNT(CASE WHEN state = 'skipped' THEN 1 END),"
	    " COUNT(CASE WHEN state = 'failed' THEN 1 END),"
	    " COUNT(CASE WHEN state IN ('skipped', 'failed') AND decided_ms < ?2 THEN 1 END),"
	    " COUNT(CASE WHEN state = 'reversed' THEN 1 END),"
	    " COUNT(CASE WHEN state = 'reconciled' THEN 1 END)"
	    " FROM inbound_payments WHERE ?1 = '' OR target = ?1",
	    &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "counting inbound payments");
	db_bind_text(q, 1, target);
	db_bind_int64(q, 2, overdue_before_ms);
	rc = db_step(q);
	if (rc == DB_ROW) {
		out->applied = db_col_int64(q, 0);
		out->skipped = db_col_int64(q, 1);
		out->failed = db_col_int64(q, 2);
		out->overdue = db_col_int64(q, 3);
		out->reversed = db_col_int64(q, 4);
		out->reconciled = db_col_int64(q, 5);
		rc = BS_OK;
	} else {
		rc = sq_fail(s, rc, err, "counting inbound payments");
	}
	db_finalize(q);
	return rc;
}

static int in_mark_get(struct store *st, const char *target, int64_t *since_ms, int64_t *page,
                       struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc =
	    db_prepare(s->db, "SELECT since_ms, page FROM inbound_marks WHERE target = ?1", &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading the inbound mark");
	db_bind_text(q, 1, target);
	rc = db_step(q);
	if (rc == DB_ROW) {
		*since_ms = db_col_int64(q, 0);
		*page = db_col_int64(q, 1);
		rc = BS_OK;
	} else if (rc == DB_DONE) {
		rc = BS_OK;
	} else {
		rc = sq_fail(s, rc, err, "reading the inbound mark");
	}
	db_finalize(q);
	return rc;
}

static int in_mark_set(struct store *st, const char *target, int64_t since_ms, int64_t page,
                       int64_t now_ms, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(
	    s->db,
	    "INSERT INTO inbound_marks(target, since_ms, page, updated_ms) VALUES(?1, ?2, ?3, ?4)"
	    " ON CONFLICT(target) DO UPDATE SET since_ms = ?2, page = ?3, updated_ms = ?4",
	    &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "saving the inbound mark");
	db_bind_text(q, 1, target);
	db_bind_int64(q, 2, since_ms);
	db_bind_int64(q, 3, page);
	db_bind_int64(q, 4, now_ms);
	rc = db_step(q);
	rc = rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, "saving the inbound mark");
	db_finalize(q);
	return rc;
}

/* A sale's open balance as booksync knows it (docs/inbound.md "Open
 * balance"): its total less the source's payments naming it and the
 * payments imported to it.  json_extract reads only this customer's
 * sales.  The imported sum names inbound_by_sale: left to itself SQLite
 * (no sqlite_stat1) picks the primary key on target alone, which reads
 * every payment of the target per candidate, so a pass grew with the
 * square of N (bench/RESULTS.md, inbound).  "sale <> ''" is always true
 * here (a sale id is never empty) and lets the same words use the partial
 * index of stores made before 7e4f8e0. */
static const char open_sql[] =
    "SELECT r.id, l.ledger_id, r.currency, r.total"
    "  - COALESCE((SELECT SUM(p.total) FROM record_refs pr JOIN records p ON p.rowid = pr.record"
    "              WHERE pr.field = 'sale_id' AND pr.ref_id = r.id AND p.kind = ?4), 0)"
    "  - COALESCE((SELECT SUM(ip.amount) FROM inbound_payments ip INDEXED BY inbound_by_sale"
    "              WHERE ip.target = ?1 AND ip.sale = r.id AND ip.sale <> ''"
    "                AND ip.state = 'applied'), 0)"
    " FROM record_refs cr JOIN records r ON r.rowid = cr.record AND r.kind = ?3"
    " JOIN links l ON l.target = ?1 AND l.kind = ?3 AND l.source_id = r.id"
    "   AND l.ledger_type = 'Invoice' AND l.ledger_id <> ''"
    " WHERE cr.field = 'customer_id' AND cr.ref_id = ?2"
    "   AND COALESCE(json_extract(r.body, '$.status'), '') <> 'void'"
    " ORDER BY r.id";

static int in_open_invoices(struct store *st, const char *target, const char *customer,
                            store_open_invoice_cb cb, void *arg, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	struct store_open_invoice inv;
	int stop = 0;
	int rc = sq_stmt_sql(s, Q_IN_OPEN, open_sql, &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, target);
	db_bind_text(q, 2, customer);
	db_bind_int64(q, 3, (int)RECORD_SALE);
	db_bind_int64(q, 4, (int)RECORD_PAYMENT);
	while ((rc = db_step(q)) == DB_ROW) {
		const char *cur = db_col_text(q, 2);

		inv.sale_id = (const char *)db_col_text(q, 0);
		inv.ledger_id = (const char *)db_col_text(q, 1);
		inv.currency = cur != NULL ? (const char *)cur : "";
		inv.balance = db_col_int64(q, 3);
		if ((stop = cb(arg, &inv)) != 0)
			break;
	}
	if (stop != 0)
		rc = stop;
	else
		rc = rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, "reading open invoices");
	db_reset(q);
	return rc;
}

static int in_link_find(struct store *st, const char *target, const char *ledger_type,
                        const char *ledger_id, enum record_kind *kind, struct buf *id_out,
                        struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt_sql(s, Q_IN_LINK_FIND,
	                     "SELECT kind, source_id FROM links WHERE target = ?1"
	                     " AND ledger_type = ?2 AND ledger_id = ?3 LIMIT 1",
	                     &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, target);
	db_bind_text(q, 2, ledger_type);
	db_bind_text(q, 3, ledger_id);
	rc = db_step(q);
	if (rc == DB_ROW) {
		*kind = (enum record_kind)db_col_int(q, 0);
		rc = buf_addstr(id_out, (const char *)db_col_text(q, 1));
		if (rc != BS_OK)
			rc = bs_error_set(err, rc, "out of memory");
	} else if (rc == DB_DONE) {
		rc = BS_ENOTFOUND;
	} else {
		rc = sq_fail(s, rc, err, "finding a link");
	}
	db_reset(q);
	return rc;
}

const struct store_inbound_ops sq_inbound_ops = {
    .get = in_get,
    .add = in_add,
    .reverse = in_reverse,
    .reconcile = in_reconcile,
    .each = in_each,
    .page = in_page,
    .count = in_count,
    .mark_get = in_mark_get,
    .mark_set = in_mark_set,
    .open_invoices = in_open_invoices,
    .link_find = in_link_find,
};
