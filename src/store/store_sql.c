/*
 * store_sql.c - the SQL backend of the store: its core.
 *
 * One connection per struct store, to SQLite (WAL journal, foreign keys on,
 * synchronous=NORMAL: durable at checkpoint, never corrupt; a busy timeout
 * so a second booksync process waits instead of failing) or to PostgreSQL
 * (a schema per store), through db.h.  Every statement is prepared once, on
 * first use, and cached for the life of the connection: the ingest path
 * runs the same four statements a million times.
 *
 * Writes go through tx_enter/tx_leave: a SAVEPOINT inside the caller's
 * transaction (so one bad record never takes its batch down), else BEGIN
 * IMMEDIATE (so two writers queue on the lock instead of deadlocking on
 * upgrade).
 *
 * This file holds what the others share -- the statement cache, error
 * mapping, transactions, closing, the operations table -- and the settings.
 * The rest, by concern (store_sql_int.h lists them): store_sqlite_open.c
 * and store_pg_open.c (opening each engine's store, migrating it),
 * store_sql_records.c (records,
 * targets, sync state and history), store_sql_list.c (the listings),
 * store_sql_sync.c (the sync engine's tables).
 */
#include "store/store_sql_int.h"

#include <stdio.h>
#include <stdlib.h>

/* The planner's read of a record (sq_record_get with store_record_extra):
 * its state on target ?3 and its own link of type ?4 on it, with it. */
#define REC_GET_EXTRA                                                                              \
	"SELECT r.rowid, r.version, r.tab, r.date, r.currency, r.has_total, r.total, r.body,"      \
	" coalesce(s.state, 'not_imported'), coalesce(s.pending_change, 0),"                       \
	" s.record IS NOT NULL, l.source_id IS NOT NULL, coalesce(l.ledger_id, ''),"               \
	" coalesce(l.ledger_number, ''), coalesce(l.serial, 0) FROM records r"                     \
	" LEFT JOIN sync_state s ON s.record = r.rowid AND s.target = ?3"                          \
	" LEFT JOIN links l ON l.target = ?3 AND l.kind = ?1 AND l.source_id = ?2"                 \
	" AND l.ledger_type = ?4 "

/*
 * What an outbox row holds (docs/exactly-once.md "Held by the outbox"),
 * written where it belongs: the move to queued into history, as the move
 * would have written it, and the serial into links, as store_serial_keep
 * would have.  Each is completed by which rows: a record's on a target, or
 * one row by id.
 */
#define HELD_HISTORY                                                                               \
	"INSERT INTO history(record, target, at_ms, actor, from_state, to_state, reason)"          \
	" SELECT record, target, created_ms, hist_actor, hist_from, 'queued', hist_reason"         \
	" FROM outbox WHERE hist_from IS NOT NULL AND "
#define HELD_SERIALS                                                                               \
	"INSERT INTO links(target, kind, source_id, ledger_type, serial, updated_ms)"              \
	" SELECT o.target, r.kind, r.id, o.doc_type, o.serial, o.created_ms"                       \
	" FROM outbox o JOIN records r ON r.rowid = o.record WHERE o.serial IS NOT NULL AND "
#define HELD_SERIALS_UPSERT                                                                        \
	" ON CONFLICT(target, kind, source_id, ledger_type)"                                       \
	" DO UPDATE SET serial = excluded.serial"

static const char *const stmt_sql[Q_STMT_COUNT] = {
    [Q_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [Q_SETTING_SET] = "INSERT INTO settings(key, value) VALUES(?1, ?2)"
                      " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [Q_SETTING_DEL] = "DELETE FROM settings WHERE key = ?1",
    [Q_SETTINGS_ALL] = "SELECT key, value FROM settings ORDER BY key",
    [Q_REC_FIND] = "SELECT rowid, version, hash FROM records WHERE kind = ?1 AND id = ?2",
    [Q_REC_INSERT] = "INSERT INTO records(kind, id, version, hash, body, tab, date, currency,"
                     " has_total, total, created_ms, updated_ms)"
                     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)"
                     " ON CONFLICT(id, kind) DO NOTHING",
    [Q_REC_UPDATE] = "UPDATE records SET version = ?2, hash = ?3, body = ?4, tab = ?5,"
                     " date = ?6, currency = ?7, has_total = ?8, total = ?9, updated_ms = ?10"
                     " WHERE rowid = ?1",
    [Q_REC_VERSION] = "UPDATE records SET version = ?2, updated_ms = ?3 WHERE rowid = ?1",
    [Q_REC_GET] = "SELECT rowid, version, tab, date, currency, has_total, total, body"
                  " FROM records WHERE kind = ?1 AND id = ?2",
    [Q_REC_GET_ON] = "SELECT r.rowid, r.version, r.tab, r.date, r.currency, r.has_total,"
                     " r.total, r.body, coalesce(s.state, 'not_imported'),"
                     " coalesce(s.pending_change, 0), s.record IS NOT NULL FROM records r"
                     " LEFT JOIN sync_state s ON s.record = r.rowid AND s.target = ?3"
                     " WHERE r.kind = ?1 AND r.id = ?2",
    /* Q_REC_GET_ON and the record's own link of type ?4 (Q_LINK_GET;
     * none when ?4 is NULL), by kind and id or by rowid ?5 */
    [Q_REC_GET_EXTRA] = REC_GET_EXTRA "WHERE r.kind = ?1 AND r.id = ?2",
    [Q_REC_GET_EXTRA_ROW] = REC_GET_EXTRA "WHERE r.rowid = ?5 AND r.kind = ?1 AND r.id = ?2",
    [Q_REC_KINDS] = "SELECT kind FROM records WHERE id = ?1",
    [Q_REC_COUNT] = "SELECT count(*) FROM records",
    [Q_REFS_DEL] = "DELETE FROM record_refs WHERE record = ?1",
    [Q_REFS_INSERT] = "INSERT INTO record_refs(record, field, kinds, ref_id)"
                      " VALUES(?1, ?2, ?3, ?4)",
    [Q_TARGET_INSERT] = "INSERT INTO targets(id, name, created_ms) VALUES(?1, ?2, ?3)"
                        " ON CONFLICT DO NOTHING",
    /* WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT */
    [Q_TARGET_FILL] = "INSERT INTO sync_state(record, target, state, updated_ms)"
                      " SELECT rowid, ?1, 'not_imported', ?2 FROM records WHERE true"
                      " ON CONFLICT DO NOTHING",
    [Q_TARGETS_ALL] = "SELECT id, name FROM targets ORDER BY id",
    [Q_STATES_OF] = "SELECT target, state, pending_change FROM sync_state WHERE record = ?1",
    [Q_STATE_GET] = "SELECT state, pending_change FROM sync_state"
                    " WHERE record = ?1 AND target = ?2",
    [Q_STATE_SET] = "INSERT INTO sync_state(record, target, state, pending_change, reason,"
                    " updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
                    " ON CONFLICT(record, target) DO UPDATE SET state = excluded.state,"
                    " pending_change = excluded.pending_change, reason = excluded.reason,"
                    " updated_ms = excluded.updated_ms",
    [Q_STATE_UPDATE] = "UPDATE sync_state SET state = ?3, pending_change = ?4, reason = ?5,"
                       " updated_ms = ?6 WHERE record = ?1 AND target = ?2",
    [Q_STATE_INSERT_NEW] = "INSERT INTO sync_state(record, target, state, updated_ms)"
                           " SELECT ?1, id, 'not_imported', ?2 FROM targets",
    [Q_HISTORY_ADD] = "INSERT INTO history(record, target, at_ms, actor, from_state, to_state,"
                      " reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_ERROR_ADD] = "INSERT INTO errors(record, target, at_ms, message) VALUES(?1, ?2, ?3, ?4)",
    [Q_TX_BEGIN] = "BEGIN IMMEDIATE",
    [Q_TX_COMMIT] = "COMMIT",
    [Q_TX_ROLLBACK] = "ROLLBACK",
    [Q_LINK_GET] = "SELECT ledger_id, ledger_number, coalesce(serial, 0) FROM links"
                   " WHERE target = ?1 AND kind = ?2 AND source_id = ?3 AND ledger_type = ?4",
    [Q_LINK_SET] = "INSERT INTO links(target, kind, source_id, ledger_type, ledger_id,"
                   " ledger_number, updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                   " ON CONFLICT(target, kind, source_id, ledger_type) DO UPDATE SET"
                   " ledger_id = excluded.ledger_id, ledger_number = excluded.ledger_number,"
                   " updated_ms = excluded.updated_ms",
    [Q_LINK_DROP] = "UPDATE links SET ledger_id = '', ledger_number = '', serial = NULL"
                    " WHERE target = ?1 AND kind = ?2 AND source_id = ?3 AND ledger_type = ?4",
    [Q_LINK_SERIAL] = "INSERT INTO links(target, kind, source_id, ledger_type, serial,"
                      " updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
                      " ON CONFLICT(target, kind, source_id, ledger_type) DO UPDATE SET"
                      " serial = excluded.serial, updated_ms = excluded.updated_ms",
    /* the serial counter, held per transaction (struct sq_counter) and read
     * apart from its write: ... RETURNING buffers its row in an ephemeral table */
    [Q_COUNTER_PUT] = "INSERT INTO counters(name, value) VALUES(?1, ?2)"
                      " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
    [Q_COUNTER_GET] = "SELECT value FROM counters WHERE name = ?1",
    [Q_OUTBOX_ADD] = "INSERT INTO outbox(target, record, doc_type, op, body, deps, status,"
                     " created_ms) SELECT ?1, rowid, ?4, ?5, ?6, ?7, 'ready', ?8 FROM records"
                     " WHERE kind = ?2 AND id = ?3",
    [Q_OUTBOX_ADD_ROW] = "INSERT INTO outbox(target, record, doc_type, op, body, deps, status,"
                         " created_ms, serial) VALUES(?1, ?2, ?4, ?5, ?6, ?7, 'ready', ?8,"
                         " nullif(?12, 0))",
    /* the history row of the record's move to queued, held by this row
     * (struct store_held_move): its time is created_ms */
    [Q_OUTBOX_ADD_HELD] = "INSERT INTO outbox(target, record, doc_type, op, body, deps, status,"
                          " created_ms, hist_from, hist_actor, hist_reason, serial)"
                          " VALUES(?1, ?2, ?4, ?5, ?6, ?7, 'ready', ?8, ?9, ?10, ?11,"
                          " nullif(?12, 0))",
    [Q_HELD_WRITE] = HELD_HISTORY "record = ?1 AND target = ?2 ORDER BY id",
    [Q_HELD_WRITE_OP] = HELD_HISTORY "id = ?1",
    [Q_HELD_CLEAR] = "UPDATE outbox SET hist_from = NULL, hist_actor = NULL, hist_reason = NULL"
                     " WHERE record = ?1 AND target = ?2 AND hist_from IS NOT NULL",
    [Q_HELD_SERIALS] = HELD_SERIALS "o.record = ?1 AND o.target = ?2" HELD_SERIALS_UPSERT,
    [Q_HELD_SERIALS_OP] = HELD_SERIALS "o.id = ?1" HELD_SERIALS_UPSERT,
    [Q_HELD_CLEAR_ALL] = "UPDATE outbox SET hist_from = NULL, hist_actor = NULL,"
                         " hist_reason = NULL, serial = NULL WHERE record = ?1 AND target = ?2"
                         " AND (hist_from IS NOT NULL OR serial IS NOT NULL)",
    [Q_OUTBOX_SET] = "UPDATE outbox SET status = ?2, request = nullif(?3, 0) WHERE id = ?1",
    [Q_OUTBOX_DEL] = "DELETE FROM outbox WHERE id = ?1",
    [Q_OUTBOX_HAS] = "SELECT 1 FROM outbox o JOIN records r ON r.rowid = o.record"
                     " WHERE o.target = ?1 AND r.kind = ?2 AND r.id = ?3"
                     " AND o.status IN ('ready', 'frozen') LIMIT 1",
    [Q_REQ_CREATE] = "INSERT INTO requests(target, idempotency_key, doc_type, status,"
                     " created_ms) VALUES(?1, ?2, ?3, 'frozen', ?4)",
    [Q_REQ_KEY] = "UPDATE requests SET idempotency_key = ?2 WHERE id = ?1",
    [Q_REQ_SET] = "UPDATE requests SET status = ?2, sent_ms = CASE WHEN ?2 = 'sent' THEN ?3"
                  " ELSE sent_ms END, done_ms = CASE WHEN ?2 = 'done' THEN ?3 ELSE done_ms END"
                  " WHERE id = ?1",
    [Q_REC_ROWID] = "SELECT rowid FROM records WHERE kind = ?1 AND id = ?2",
    [Q_STATE_OF] = "SELECT coalesce(s.state, 'not_imported'), coalesce(s.reason, '')"
                   " FROM records r LEFT JOIN sync_state s ON s.record = r.rowid"
                   " AND s.target = ?3 WHERE r.kind = ?1 AND r.id = ?2",
};

struct sq_store *sq(struct store *st)
{
	return (struct sq_store *)st;
}

/* Translate a result code (db.h) into a bs_status and a message. */
int sq_fail(struct sq_store *s, int rc, struct bs_error *err, const char *what)
{
	int code;

	switch (rc & 0xff) {
	case DB_NOMEM:
		code = BS_ENOMEM;
		break;
	case DB_READONLY:
		code = BS_EREADONLY;
		break;
	case DB_BUSY:
	case DB_LOCKED:
		code = BS_EBUSY;
		break;
	default:
		code = BS_ESTORE;
		break;
	}
	if (code == BS_EREADONLY)
		bs_error_set(err, code, "%s: the store is read-only", what);
	else if (code == BS_EBUSY)
		bs_error_set(err, code, "%s: the store is locked by another process", what);
	else
		bs_error_set(err, code, "%s: %s", what,
		             s->db != NULL ? db_errmsg(s->db) : "no connection");
	return code; /* never BS_OK */
}

/* The cached statement `id`, reset and with bindings cleared. */
int sq_stmt(struct sq_store *s, enum stmt_id id, struct db_stmt **out, struct bs_error *err)
{
	return sq_stmt_sql(s, id, stmt_sql[id], out, err);
}

int sq_stmt_sql(struct sq_store *s, enum stmt_id id, const char *sql, struct db_stmt **out,
                struct bs_error *err)
{
	if (id == Q_STATE_SET || id == Q_STATE_UPDATE || id == Q_STATE_INSERT_NEW ||
	    id == Q_TARGET_FILL)
		s->seen.valid = false; /* a writer of sync_state: see struct sq_seen */
	if (s->stmt[id] == NULL) {
		int rc = db_prepare(s->db, sql, &s->stmt[id]);

		if (rc != DB_OK || s->stmt[id] == NULL) /* db.h: DB_OK gives one */
			return sq_fail(s, rc != DB_OK ? rc : DB_ERROR, err, "preparing a query");
	} else {
		db_reset(s->stmt[id]);
		db_clear_bindings(s->stmt[id]);
	}
	*out = s->stmt[id];
	return BS_OK;
}

/* Run a statement that returns no rows (or ignore them). */
int sq_done(struct sq_store *s, struct db_stmt *q, struct bs_error *err, const char *what)
{
	int rc = db_step(q);

	db_reset(q);
	if (rc != DB_DONE && rc != DB_ROW)
		return sq_fail(s, rc, err, what);
	return BS_OK;
}

void sq_col_copy(struct db_stmt *q, int i, char *out, size_t cap)
{
	buf_copy(out, cap, db_col_text(q, i)); /* a NULL column: "" */
}

int sq_exec(struct sq_store *s, const char *sql, struct bs_error *err, const char *what)
{
	int rc = db_exec(s->db, sql);

	return rc == DB_OK ? BS_OK : sq_fail(s, rc, err, what);
}

/* Run one of the cached transaction-control statements. */
static int tx_run(struct sq_store *s, enum stmt_id id, struct bs_error *err, const char *what)
{
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, id, &q, err);

	return rc != BS_OK ? rc : sq_done(s, q, err, what);
}

/*
 * A call made inside an open transaction joins it: no savepoint.  A
 * savepoint makes SQLite copy every page it touches into the statement
 * journal (4 KiB each), which made planning one record cost more than
 * building its document.  The price is store.h's rule: after a failed call
 * inside store_begin, the caller rolls the whole transaction back.  Every
 * refusal that leaves the transaction usable (a version conflict, a state
 * machine refusal) is decided before the call writes anything.
 */
int tx_enter(struct sq_store *s, struct bs_error *err)
{
	int rc = BS_OK;

	if (s->tx_depth == 0) {
		rc = tx_run(s, Q_TX_BEGIN, err, "starting a transaction");
		s->refusals = -1; /* another connection may have written one */
		s->seen.valid = false;
		s->held.valid = false;
	}
	if (rc == BS_OK)
		s->tx_depth++;
	return rc;
}

/* Write the held serial counter back (see struct sq_counter). */
int tx_counter_flush(struct sq_store *s, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc;

	if (!s->ctr.valid || !s->ctr.dirty)
		return BS_OK;
	rc = sq_stmt(s, Q_COUNTER_PUT, &q, err);
	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, s->ctr.name);
	db_bind_int64(q, 2, s->ctr.value);
	rc = sq_done(s, q, err, "saving the serial counter");
	if (rc == BS_OK)
		s->ctr.dirty = false;
	return rc;
}

/* Finish what tx_enter started: commit on ok, else roll it back. */
int tx_leave(struct sq_store *s, int status, struct bs_error *err)
{
	s->tx_depth--;
	if (s->tx_depth == 0) {
		if (status == BS_OK)
			status = tx_counter_flush(s, err);
		s->ctr.valid = false;
		s->seen.valid = false;
		s->held.valid = false;
		if (status == BS_OK) {
			int rc = tx_run(s, Q_TX_COMMIT, err, "committing");

			if (rc != BS_OK) {
				tx_run(s, Q_TX_ROLLBACK, NULL, "rolling back");
				return rc;
			}
			return BS_OK;
		}
		tx_run(s, Q_TX_ROLLBACK, NULL, "rolling back");
		return status;
	}
	return status; /* joined the caller's transaction: it decides */
}

void sq_close(struct store *st)
{
	struct sq_store *s = sq(st);

	for (int i = 0; i < Q_STMT_COUNT; i++)
		db_finalize(s->stmt[i]);
	if (s->user_tx)
		db_exec(s->db, "ROLLBACK");
	db_close(s->db);
	free(s);
}

int sq_schema_version(struct store *st, int *version, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc =
	    db_prepare(s->db,
	               db_engine(s->db) == DB_SQLITE ? "PRAGMA user_version"
	                                             : "SELECT max(version) FROM schema_version",
	               &q);

	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading the schema version");
	rc = db_step(q);
	if (rc == DB_ROW) {
		*version = db_col_int(q, 0);
		rc = DB_OK;
	}
	db_finalize(q);
	return rc == DB_OK ? BS_OK : sq_fail(s, rc, err, "reading the schema version");
}

int sq_begin(struct store *st, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	int rc;

	if (s->user_tx || s->tx_depth != 0)
		return bs_error_set(err, BS_ESTATE, "a transaction is already open");
	rc = tx_enter(s, err);
	if (rc == BS_OK)
		s->user_tx = true;
	return rc;
}

int sq_commit(struct store *st, struct bs_error *err)
{
	struct sq_store *s = sq(st);

	if (!s->user_tx)
		return bs_error_set(err, BS_ESTATE, "no transaction is open");
	s->user_tx = false;
	return tx_leave(s, BS_OK, err);
}

void sq_rollback(struct store *st)
{
	struct sq_store *s = sq(st);

	if (!s->user_tx)
		return;
	s->user_tx = false;
	tx_leave(s, BS_ESTATE, NULL);
}

int sq_setting_get(struct store *st, const char *key, struct buf *value, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, Q_SETTING_GET, &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, key);
	buf_reset(value);
	rc = db_step(q);
	if (rc == DB_ROW) {
		rc = buf_add(value, db_col_text(q, 0), (size_t)db_col_bytes(q, 0));
		db_reset(q);
		return rc;
	}
	db_reset(q);
	if (rc == DB_DONE)
		return bs_error_set(err, BS_ENOTFOUND, "setting '%s' is not set", key);
	return sq_fail(s, rc, err, "reading a setting");
}

int sq_setting_set(struct store *st, const char *key, const char *value, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, value != NULL ? Q_SETTING_SET : Q_SETTING_DEL, &q, err);

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, key);
	if (value != NULL)
		db_bind_text(q, 2, value);
	return sq_done(s, q, err, "saving a setting");
}

int sq_rows(struct sq_store *s, struct db_stmt *q, int (*row)(void *arg, struct db_stmt *q),
            void *arg, struct bs_error *err, const char *what)
{
	int rc;

	while ((rc = db_step(q)) == DB_ROW) {
		int stop = row(arg, q);

		if (stop != 0)
			return stop;
	}
	return rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, what);
}

struct pair_walk {
	int (*cb)(void *arg, const char *a, const char *b);
	void *arg;
};

static int pair_row(void *arg, struct db_stmt *q)
{
	struct pair_walk *w = arg;

	return w->cb(w->arg, (const char *)db_col_text(q, 0), (const char *)db_col_text(q, 1));
}

int sq_rows_pairs(struct sq_store *s, struct db_stmt *q,
                  int (*cb)(void *arg, const char *a, const char *b), void *arg,
                  struct bs_error *err, const char *what)
{
	struct pair_walk w = {cb, arg};

	return sq_rows(s, q, pair_row, &w, err, what);
}

/* Walk a cached statement whose rows are two text columns (settings,
 * targets): a non-zero return from cb stops and is returned. */
int sq_walk_pairs(struct sq_store *s, enum stmt_id id,
                  int (*cb)(void *arg, const char *a, const char *b), void *arg,
                  struct bs_error *err, const char *what)
{
	struct db_stmt *q = NULL;
	int rc = sq_stmt(s, id, &q, err);

	if (rc != BS_OK)
		return rc;
	rc = sq_rows_pairs(s, q, cb, arg, err, what);
	db_reset(q);
	return rc;
}

int sq_settings_each(struct store *st, store_setting_cb cb, void *arg, struct bs_error *err)
{
	return sq_walk_pairs(sq(st), Q_SETTINGS_ALL, cb, arg, err, "listing settings");
}
const struct store_ops sq_ops = {
    .name = "sql",
    .close = sq_close,
    .cache_set = sq_cache_set,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .setting_get = sq_setting_get,
    .setting_set = sq_setting_set,
    .settings_each = sq_settings_each,
    .lock_take = sq_lock_take,
    .lock_release = sq_lock_release,
    .record_put = sq_record_put,
    .record_get = sq_record_get,
    .record_kinds_of = sq_record_kinds_of,
    .record_count = sq_record_count,
    .records_each = sq_records_each,
    .records_referencing = sq_records_referencing,
    .target_add = sq_target_add,
    .targets_each = sq_targets_each,
    .state_apply = sq_state_apply,
    .state_get = sq_state_get,
    .keys_each = sq_keys_each,
    .keys_page = sq_keys_page,
    .rows_each = sq_rows_each,
    .history_each = sq_history_each,
    .link_get = sq_link_get,
    .link_set = sq_link_set,
    .link_drop = sq_link_drop,
    .serial = sq_serial,
    .serial_next = sq_serial_next,
    .serial_keep = sq_serial_keep,
    .outbox_add = sq_outbox_add,
    .outbox_each = sq_outbox_each,
    .outbox_set = sq_outbox_set,
    .outbox_delete = sq_outbox_delete,
    .outbox_has = sq_outbox_has,
    .request_create = sq_request_create,
    .request_set = sq_request_set,
    .requests_each = sq_requests_each,
    .job_add = sq_job_add,
    .job_update = sq_job_update,
    .job_take = sq_job_take,
    .jobs_open = sq_jobs_open,
    .job_get = sq_job_get,
    .jobs_page = sq_jobs_page,
    .jobs_last = sq_jobs_last,
    .jobs_abandon = sq_jobs_abandon,
    .metrics_each = sq_metrics_each,
    .auth = &sq_auth_ops,
    .events = &sq_events_ops,
    .inbound = &sq_inbound_ops,
    .contacts = &sq_contacts_ops,
    .rows_page = sq_rows_page,
    .tab_counts = sq_tab_counts,
    .refusals_each = sq_refusals_each,
    .refusal_dismiss = sq_refusal_dismiss,
    .days_each = sq_days_each,
    .links_each = sq_links_each,
};
