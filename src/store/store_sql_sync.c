/*
 * store_sql_sync.c - the sync engine's tables in SQLite: links between
 * records and ledger documents, serials, the outbox and frozen requests.
 *
 * The outbox is booksync's write-ahead log (docs/exactly-once.md): an
 * operation is written before anything is sent, frozen into a request with
 * its idempotency key before the request leaves, and completed in the
 * transaction that records the ledger's answer.
 */
#include "store/store_sql_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void bind_key(struct db_stmt *q, const char *target, enum record_kind kind, const char *id,
                     const char *ledger_type)
{
	db_bind_text(q, 1, target);
	db_bind_int64(q, 2, (int)kind);
	db_bind_text(q, 3, id);
	db_bind_text(q, 4, ledger_type);
}

int sq_link_get(struct store *st, const char *target, enum record_kind kind, const char *id,
                const char *ledger_type, struct store_link *out, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_LINK_GET, &q, err);

	if (rc != BS_OK)
		return rc;
	bind_key(q, target, kind, id, ledger_type);
	rc = db_step(q);
	if (rc == DB_ROW) {
		buf_copy(out->ledger_id, sizeof(out->ledger_id), db_col_text(q, 0));
		buf_copy(out->number, sizeof(out->number), db_col_text(q, 1));
		out->serial = db_col_int64(q, 2);
		db_reset(q);
		return BS_OK;
	}
	db_reset(q);
	if (rc == DB_DONE)
		return BS_ENOTFOUND; /* common and expected: no message */
	return sq_fail(s, rc, err, "reading a link");
}

int sq_link_set(struct store *st, const char *target, enum record_kind kind, const char *id,
                const char *ledger_type, const char *ledger_id, const char *number, int64_t now_ms,
                struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_LINK_SET, &q, err);

	if (rc != BS_OK)
		return rc;
	bind_key(q, target, kind, id, ledger_type);
	db_bind_text(q, 5, ledger_id);
	db_bind_text(q, 6, number != NULL ? number : "");
	db_bind_int64(q, 7, now_ms);
	return sq_done(s, q, err, "writing a link");
}

int sq_link_drop(struct store *st, const char *target, enum record_kind kind, const char *id,
                 const char *ledger_type, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_LINK_DROP, &q, err);

	if (rc != BS_OK)
		return rc;
	bind_key(q, target, kind, id, ledger_type);
	return sq_done(s, q, err, "dropping a link");
}

/* The next value of `counter`, held in s->ctr until the commit. */
static int counter_next(struct sq_store *s, const char *counter, int64_t *value,
                        struct bs_error *err)
{
	if (!s->ctr.valid || strcmp(s->ctr.name, counter) != 0) {
		struct db_stmt *q = NULL;
		int rc;

		/* another target's counter: write the held one back first */
		if ((rc = tx_counter_flush(s, err)) != BS_OK)
			return rc;
		if ((rc = sq_stmt(s, Q_COUNTER_GET, &q, err)) != BS_OK)
			return rc;
		db_bind_text(q, 1, counter);
		rc = db_step(q);
		if (rc != DB_ROW && rc != DB_DONE) {
			db_reset(q);
			return sq_fail(s, rc, err, "allocating a serial");
		}
		buf_copy(s->ctr.name, sizeof(s->ctr.name), counter);
		s->ctr.value = rc == DB_ROW ? db_col_int64(q, 0) : 0;
		s->ctr.dirty = false;
		s->ctr.valid = true;
		db_reset(q);
	}
	*value = ++s->ctr.value;
	s->ctr.dirty = true;
	return BS_OK;
}

int sq_serial_next(struct store *st, const char *target, int64_t *serial, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	char counter[256];
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	snprintf(counter, sizeof(counter), "serial:%s", target);
	rc = counter_next(s, counter, serial, err);
	return tx_leave(s, rc, err);
}

int sq_serial_keep(struct store *st, const char *target, enum record_kind kind, const char *id,
                   const char *ledger_type, int64_t serial, int64_t now_ms, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_LINK_SERIAL, &q, err);

	if (rc != BS_OK)
		return rc;
	bind_key(q, target, kind, id, ledger_type);
	db_bind_int64(q, 5, serial);
	db_bind_int64(q, 6, now_ms);
	return sq_done(s, q, err, "allocating a serial");
}

int sq_serial(struct store *st, const char *target, enum record_kind kind, const char *id,
              const char *ledger_type, int64_t now_ms, int64_t *serial, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct store_link link = {0};
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	rc = sq_link_get(st, target, kind, id, ledger_type, &link, err);
	if (rc == BS_OK && link.serial > 0) {
		*serial = link.serial;
		goto out;
	}
	if (rc != BS_OK && rc != BS_ENOTFOUND)
		goto out;
	if ((rc = sq_serial_next(st, target, serial, err)) != BS_OK)
		goto out;
	rc = sq_serial_keep(st, target, kind, id, ledger_type, *serial, now_ms, err);
out:
	return tx_leave(s, rc, err);
}

/*
 * Whether this outbox row is to hold the history row of its record's move
 * to queued (struct store_held_move): only the record's first row of the
 * transaction, inside one, with a target short enough to remember.  An
 * offer of another record that no move took is withdrawn first, so no
 * outbox row holds a move that did not happen.
 */
static int held_take(struct sq_store *s, const char *target, int64_t rowid,
                     const struct store_held_move *held, bool *take, struct bs_error *err)
{
	size_t n = strlen(target);

	*take = false;
	if (held == NULL || rowid <= 0 || s->tx_depth == 0 || n >= sizeof(s->held.target))
		return BS_OK;
	if (s->held.valid) {
		int rc;

		if (s->held.rowid == rowid && strcmp(s->held.target, target) == 0)
			return BS_OK; /* a second row of the same record */
		s->held.valid = false;
		if ((rc = sq_held_settle(s, s->held.rowid, s->held.target, false, err)) != BS_OK)
			return rc;
	}
	s->held.valid = true;
	s->held.from = held->from;
	s->held.rowid = rowid;
	memcpy(s->held.target, target, n + 1);
	*take = true;
	return BS_OK;
}

int sq_outbox_add(struct store *st, const char *target, enum record_kind kind, const char *id,
                  int64_t rowid, const char *doc_type, const char *op, const char *body,
                  const char *deps, int64_t now_ms, const struct store_held_move *held,
                  int64_t serial, int64_t *op_id, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	bool take = false;
	int rc = held_take(s, target, rowid, held, &take, err);

	if (rc != BS_OK)
		return rc;
	rc = sq_stmt(s,
	             take        ? Q_OUTBOX_ADD_HELD
	             : rowid > 0 ? Q_OUTBOX_ADD_ROW
	                         : Q_OUTBOX_ADD,
	             &q, err);
	if (rc != BS_OK) {
		s->held.valid = false;
		return rc;
	}
	db_bind_text(q, 1, target);
	if (rowid > 0) {
		db_bind_int64(q, 2, rowid);
	} else {
		db_bind_int64(q, 2, (int)kind);
		db_bind_text(q, 3, id);
	}
	db_bind_text(q, 4, doc_type);
	db_bind_text(q, 5, op);
	db_bind_text(q, 6, body);
	db_bind_text(q, 7, deps != NULL ? deps : "");
	db_bind_int64(q, 8, now_ms);
	if (take) {
		db_bind_text(q, 9, sync_state_name(held->from));
		db_bind_text(q, 10, held->actor);
		db_bind_text(q, 11, held->reason != NULL ? held->reason : "");
	}
	if (rowid > 0)
		db_bind_int64(q, 12, serial > 0 ? serial : 0);
	rc = sq_done(s, q, err, "writing the outbox");
	if (rc != BS_OK)
		s->held.valid = false;
	if (rc == BS_OK && db_changes(s->db) != 1)
		rc = bs_error_set(err, BS_ENOTFOUND, "no record %s:%s", record_kind_name(kind), id);
	if (rc == BS_OK && op_id != NULL)
		*op_id = db_last_insert_id(s->db);
	return rc;
}

struct op_walk {
	store_op_cb cb;
	void *arg;
	int64_t last; /* the id of the last row handed over */
	int64_t rows; /* rows of this page */
};

static int op_row(void *arg, struct db_stmt *q)
{
	struct op_walk *w = arg;
	struct store_op op;
	int k = db_col_int(q, 1);

	op.id = db_col_int64(q, 0);
	op.kind = k >= 0 && k < RECORD_KIND_COUNT ? (enum record_kind)k : RECORD_SALE;
	op.record_id = (const char *)db_col_text(q, 2);
	op.doc_type = (const char *)db_col_text(q, 3);
	op.op = (const char *)db_col_text(q, 4);
	op.body = (const char *)db_col_text(q, 5);
	op.deps = (const char *)db_col_text(q, 6);
	op.status = store_op_status_parse((const char *)db_col_text(q, 7));
	op.request = db_col_int64(q, 8);
	w->last = op.id;
	w->rows++;
	return w->cb(w->arg, &op);
}

/*
 * PostgreSQL hands a statement's whole result over at once (db_pg.c), so a
 * walk its callback stops after one batch would still fetch every matching
 * operation, bodies and all: the dispatcher's walk of a target's ready
 * invoices, once per batch of 50, moved the whole backlog each time
 * (quadratic in it, and all of it in memory).  There the walk goes a page
 * of OUTBOX_PAGE rows at a time after the last id handed over, each page
 * a seek on outbox_status; SQLite steps one row at a time and needs none.
 */
#define OUTBOX_PAGE 256

int sq_outbox_each(struct store *st, const char *target, const char *status, const char *doc_type,
                   int64_t request, store_op_cb cb, void *arg, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct op_walk ow = {cb, arg, 0, 0};
	struct db_stmt *q = NULL;
	struct buf sql;
	bool paged = db_engine(s->db) != DB_SQLITE;
	int rc, n = 2, after = 0;

	/*
	 * Only the filters given appear in the WHERE: "(?2 IS NULL OR ...)"
	 * would keep SQLite off the (target, status, doc_type, id) index and
	 * make every call scan and sort the whole outbox, bodies and all.
	 */
	buf_init(&sql, 2048);
	rc = buf_addstr(&sql,
	                "SELECT o.id, r.kind, r.id, o.doc_type, o.op, o.body, o.deps, o.status,"
	                " coalesce(o.request, 0) FROM outbox o"
	                " JOIN records r ON r.rowid = o.record WHERE o.target = ?1");
	if (rc == BS_OK && status != NULL)
		rc = buf_printf(&sql, " AND o.status = ?%d", n++);
	if (rc == BS_OK && doc_type != NULL)
		rc = buf_printf(&sql, " AND o.doc_type = ?%d", n++);
	if (rc == BS_OK && request != 0)
		rc = buf_printf(&sql, " AND o.request = ?%d", n++);
	if (rc == BS_OK && paged) {
		after = n++;
		rc = buf_printf(&sql, " AND o.id > ?%d", after);
	}
	if (rc == BS_OK)
		rc = buf_addstr(&sql, " ORDER BY o.id");
	if (rc == BS_OK && paged)
		rc = buf_printf(&sql, " LIMIT %d", OUTBOX_PAGE);
	if (rc != BS_OK)
		goto out;
	rc = db_prepare(s->db, buf_cstr(&sql), &q);
	if (rc != DB_OK) {
		rc = sq_fail(s, rc, err, "reading the outbox");
		goto out;
	}
	do {
		n = 2;
		db_reset(q);
		db_bind_text(q, 1, target);
		if (status != NULL)
			db_bind_text(q, n++, status);
		if (doc_type != NULL)
			db_bind_text(q, n++, doc_type);
		if (request != 0)
			db_bind_int64(q, n++, request);
		if (paged)
			db_bind_int64(q, after, ow.last);
		ow.rows = 0;
		rc = sq_rows(s, q, op_row, &ow, err, "reading the outbox");
	} while (rc == BS_OK && paged && ow.rows == OUTBOX_PAGE);
out:
	db_finalize(q);
	buf_free(&sql);
	return rc;
}

int sq_outbox_set(struct store *st, int64_t op_id, const char *status, int64_t request,
                  struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_OUTBOX_SET, &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_int64(q, 1, op_id);
	db_bind_text(q, 2, status);
	db_bind_int64(q, 3, request);
	return sq_done(s, q, err, "updating the outbox");
}

int sq_outbox_delete(struct store *st, int64_t op_id, struct bs_error *err)
{
	/* the history row and the serial it holds outlive it (struct
	 * store_held_move, store_serial_next) */
	static const enum stmt_id steps[] = {Q_HELD_WRITE_OP, Q_HELD_SERIALS_OP, Q_OUTBOX_DEL};
	struct sq_store *s = sq(st);
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	for (size_t i = 0; rc == BS_OK && i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct db_stmt *q = NULL;

		if ((rc = sq_stmt(s, steps[i], &q, err)) != BS_OK)
			break;
		db_bind_int64(q, 1, op_id);
		rc = sq_done(s, q, err, "deleting from the outbox");
	}
	return tx_leave(s, rc, err);
}

int sq_outbox_has(struct store *st, const char *target, enum record_kind kind, const char *id,
                  bool *has, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_OUTBOX_HAS, &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, target);
	db_bind_int64(q, 2, (int)kind);
	db_bind_text(q, 3, id);
	rc = db_step(q);
	*has = rc == DB_ROW;
	db_reset(q);
	return rc == DB_ROW || rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, "reading the outbox");
}

/* This store's random id, made once: keeps idempotency keys of two stores
 * (a re-initialised demo, a second machine) from ever meeting. */
static int store_uid(struct sq_store *s, char out[33], struct bs_error *err)
{
	struct buf v;
	int rc;

	buf_init(&v, 256);
	rc = s->base.ops->setting_get(&s->base, "store.id", &v, err);
	if (rc == BS_ENOTFOUND) {
		unsigned char raw[16];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(out, 33, raw, sizeof(raw));
		rc = s->base.ops->setting_set(&s->base, "store.id", out, err);
	} else if (rc == BS_OK) {
		buf_copy(out, 33, buf_cstr(&v));
	}
	buf_free(&v);
	return rc;
}

int sq_request_create(struct store *st, const char *target, const char *doc_type, int64_t now_ms,
                      int64_t *id, struct buf *key, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	char uid[33], tmp[64];
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	if ((rc = store_uid(s, uid, err)) != BS_OK)
		goto out;
	if ((rc = sq_stmt(s, Q_REQ_CREATE, &q, err)) != BS_OK)
		goto out;
	/* a placeholder key, replaced once the row id is known */
	snprintf(tmp, sizeof(tmp), "pending-%lld", (long long)now_ms);
	db_bind_text(q, 1, target);
	db_bind_text_copy(q, 2, tmp, -1);
	db_bind_text(q, 3, doc_type);
	db_bind_int64(q, 4, now_ms);
	if ((rc = sq_done(s, q, err, "freezing a request")) != BS_OK)
		goto out;
	*id = db_last_insert_id(s->db);
	buf_reset(key);
	if ((rc = buf_printf(key, "bs-%s-%lld", uid, (long long)*id)) != BS_OK)
		goto out;
	if ((rc = sq_stmt(s, Q_REQ_KEY, &q, err)) != BS_OK)
		goto out;
	db_bind_int64(q, 1, *id);
	db_bind_text(q, 2, buf_cstr(key));
	rc = sq_done(s, q, err, "freezing a request");
out:
	return tx_leave(s, rc, err);
}

int sq_request_set(struct store *st, int64_t id, const char *status, int64_t now_ms,
                   struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_REQ_SET, &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_int64(q, 1, id);
	db_bind_text(q, 2, status);
	db_bind_int64(q, 3, now_ms);
	return sq_done(s, q, err, "updating a request");
}

struct request_walk {
	store_request_cb cb;
	void *arg;
};

static int request_row(void *arg, struct db_stmt *q)
{
	struct request_walk *w = arg;
	struct store_request rq;

	rq.id = db_col_int64(q, 0);
	rq.key = (const char *)db_col_text(q, 1);
	rq.doc_type = (const char *)db_col_text(q, 2);
	rq.status = store_rq_status_parse((const char *)db_col_text(q, 3));
	rq.created_ms = db_col_int64(q, 4);
	return w->cb(w->arg, &rq);
}

int sq_requests_each(struct store *st, const char *target, const char *status, store_request_cb cb,
                     void *arg, struct bs_error *err)
{
	static const char sql[] = "SELECT id, idempotency_key, doc_type, status, created_ms"
	                          " FROM requests WHERE target = ?1 AND (?2 IS NULL OR status = ?2)"
	                          " ORDER BY id";
	struct sq_store *s = sq(st);
	struct request_walk rw = {cb, arg};
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, sql, &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading requests");
	db_bind_text(q, 1, target);
	if (status != NULL)
		db_bind_text(q, 2, status);
	rc = sq_rows(s, q, request_row, &rw, err, "reading requests");
	db_finalize(q);
	return rc;
}

/*
 * A page of pending records of one kind, in id order after `after`.
 *
 * The walk goes along the records' UNIQUE(id, kind) index from `after`
 * (the kind is checked in the index, the state by the sync_state key), so
 * a page costs the ids it passes over.  CROSS JOIN keeps SQLite from
 * starting at sync_state_by_state instead: that reads the whole pending
 * set and sorts it for every page, quadratic over a large walk.  The `+`
 * keeps it off that index for the state test too: one probe of the
 * (record, target) key and a look at the state is a third of the work of
 * three probes of (target, state, record), one per pending state.
 */
int sq_keys_page(struct store *st, const char *target, const char *const *tabs,
                 enum record_kind kind, const char *after, size_t limit, store_page_cb cb,
                 void *arg, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	struct buf sql;
	int rc, ntabs = 0;

	if (limit == 0)
		return BS_OK;
	buf_init(&sql, 4096);
	if (target != NULL)
		rc = buf_addstr(
		    &sql, "SELECT r.kind, r.id, r.rowid FROM records r CROSS JOIN sync_state s"
		          " WHERE r.kind = ?1 AND r.id > ?2 AND s.record = r.rowid"
		          " AND s.target = ?4"
		          " AND +s.state IN ('not_imported', 'changed', 'waiting')");
	else
		rc = buf_addstr(&sql, "SELECT r.kind, r.id, r.rowid FROM records r"
		                      " WHERE r.kind = ?1 AND r.id > ?2");
	for (; rc == BS_OK && tabs != NULL && tabs[ntabs] != NULL; ntabs++)
		rc = buf_printf(&sql,
		                "%s r.tab = ?%d OR substr(r.tab, 1, length(?%d) + 1) = ?%d || '/'",
		                ntabs == 0 ? " AND (" : " OR", ntabs + 5, ntabs + 5, ntabs + 5);
	if (rc == BS_OK && ntabs > 0)
		rc = buf_addc(&sql, ')');
	if (rc == BS_OK)
		rc = buf_addstr(&sql, " ORDER BY r.id LIMIT ?3");
	if (rc != BS_OK)
		goto out;
	rc = db_prepare(s->db, buf_cstr(&sql), &q);
	if (rc != DB_OK) {
		rc = sq_fail(s, rc, err, "listing records");
		goto out;
	}
	db_bind_int64(q, 1, (int)kind);
	db_bind_text(q, 2, after);
	db_bind_int64(q, 3, limit > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
	if (target != NULL)
		db_bind_text(q, 4, target);
	for (int i = 0; i < ntabs; i++)
		db_bind_text(q, i + 5, tabs[i]);
	/* Column 0 is r.kind = ?1: every row has the `kind` asked for. */
	rc = sq_rows_key_ids(s, q, cb, arg, err, "listing records");
out:
	db_finalize(q);
	buf_free(&sql);
	return rc;
}
