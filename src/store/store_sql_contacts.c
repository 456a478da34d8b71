/*
 * store_sql_contacts.c - the contact import's decisions in SQLite
 * (store_contacts.h; the table is migration 9 -> 10 in schema.c).
 */
#include "store/store_sql_int.h"

#define COLS                                                                                       \
	"target, ledger_id, side, name, email, tax_number, status, record_kind, record_id,"        \
	" reason, decided_by, created_ms, updated_ms"

static void row_read(struct db_stmt *q, struct store_contact *c)
{
	sq_col_copy(q, 0, c->target, sizeof(c->target));
	sq_col_copy(q, 1, c->ledger_id, sizeof(c->ledger_id));
	sq_col_copy(q, 2, c->side, sizeof(c->side));
	sq_col_copy(q, 3, c->name, sizeof(c->name));
	sq_col_copy(q, 4, c->email, sizeof(c->email));
	sq_col_copy(q, 5, c->tax_number, sizeof(c->tax_number));
	sq_col_copy(q, 6, c->status, sizeof(c->status));
	sq_col_copy(q, 7, c->record_kind, sizeof(c->record_kind));
	sq_col_copy(q, 8, c->record_id, sizeof(c->record_id));
	sq_col_copy(q, 9, c->reason, sizeof(c->reason));
	sq_col_copy(q, 10, c->decided_by, sizeof(c->decided_by));
	c->created_ms = db_col_int64(q, 11);
	c->updated_ms = db_col_int64(q, 12);
}

static int ct_get(struct store *st, const char *target, const char *ledger_id,
                  struct store_contact *out, struct bs_error *err)
{
	static const char sql[] =
	    "SELECT " COLS " FROM inbound_contacts WHERE target = ?1 AND ledger_id = ?2";
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading an inbound contact");
	db_bind_text(q, 1, target);
	db_bind_text(q, 2, ledger_id);
	rc = db_step(q);
	if (rc == DB_ROW) {
		row_read(q, out);
		rc = BS_OK;
	} else if (rc == DB_DONE)
		rc = bs_error_set(err, BS_ENOTFOUND, "no contact %s read from %s", ledger_id,
		                  target);
	else
		rc = sq_fail(s, rc, err, "reading an inbound contact");
	db_finalize(q);
	return rc;
}

static int ct_put(struct store *st, const struct store_contact *c, int64_t now_ms,
                  struct bs_error *err)
{
	static const char sql[] =
	    "INSERT INTO inbound_contacts(" COLS ")"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)"
	    " ON CONFLICT(target, ledger_id) DO UPDATE SET side = excluded.side,"
	    " name = excluded.name, email = excluded.email, tax_number = excluded.tax_number,"
	    " status = excluded.status, record_kind = excluded.record_kind,"
	    " record_id = excluded.record_id, reason = excluded.reason,"
	    " decided_by = excluded.decided_by, updated_ms = excluded.updated_ms";
	const char *v[] = {c->target,    c->ledger_id,  c->side,      c->name,
	                   c->email,     c->tax_number, c->status,    c->record_kind,
	                   c->record_id, c->reason,     c->decided_by};
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "writing an inbound contact");
	for (int i = 0; i < (int)(sizeof(v) / sizeof(v[0])); i++)
		db_bind_text(q, i + 1, v[i]);
	db_bind_int64(q, 12, now_ms);
	rc = db_step(q);
	rc = rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, "writing an inbound contact");
	db_finalize(q);
	return rc;
}

struct walk {
	store_contact_cb cb;
	void *arg;
};

static int walk_row(void *arg, struct db_stmt *q)
{
	struct walk *w = arg;
	struct store_contact c;

	row_read(q, &c);
	return w->cb(w->arg, &c);
}

static int ct_each(struct store *st, const char *target, const char *status, store_contact_cb cb,
                   void *arg, struct bs_error *err)
{
	static const char sql[] =
	    "SELECT " COLS " FROM inbound_contacts"
	    " WHERE (?1 IS NULL OR target = ?1) AND (?2 IS NULL OR status = ?2)"
	    " ORDER BY target, ledger_id";
	struct sq_store *s = sq(st);
	struct walk w = {cb, arg};
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "listing inbound contacts");
	if (target != NULL)
		db_bind_text(q, 1, target);
	if (status != NULL)
		db_bind_text(q, 2, status);
	rc = sq_rows(s, q, walk_row, &w, err, "listing inbound contacts");
	db_finalize(q);
	return rc;
}

const struct store_contacts_ops sq_contacts_ops = {
    .get = ct_get,
    .put = ct_put,
    .each = ct_each,
};
