/*
 * store_sqlite.c - the embedded SQLite backend of the store.
 *
 * One connection per struct store.  WAL journal, foreign keys on,
 * synchronous=NORMAL (durable at checkpoint, never corrupt), a busy timeout
 * so a second booksync process waits instead of failing.  Every statement is
 * prepared once, on first use, and cached for the life of the connection:
 * the ingest path runs the same four statements a million times.
 *
 * Writes go through tx_enter/tx_leave: a SAVEPOINT inside the caller's
 * transaction (so one bad record never takes its batch down), else BEGIN
 * IMMEDIATE (so two writers queue on the lock instead of deadlocking on
 * upgrade).
 */
#include "store/schema.h"
#include "store/store_sqlite_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
                     " r.total, r.body, coalesce(s.state, 'not_imported') FROM records r"
                     " LEFT JOIN sync_state s ON s.record = r.rowid AND s.target = ?3"
                     " WHERE r.kind = ?1 AND r.id = ?2",
    [Q_REC_KINDS] = "SELECT kind FROM records WHERE id = ?1",
    [Q_REC_COUNT] = "SELECT count(*) FROM records",
    [Q_REFS_DEL] = "DELETE FROM record_refs WHERE record = ?1",
    [Q_REFS_INSERT] = "INSERT INTO record_refs(record, field, kinds, ref_id)"
                      " VALUES(?1, ?2, ?3, ?4)",
    [Q_TARGET_INSERT] = "INSERT OR IGNORE INTO targets(id, name, created_ms) VALUES(?1, ?2, ?3)",
    [Q_TARGET_FILL] = "INSERT OR IGNORE INTO sync_state(record, target, state, updated_ms)"
                      " SELECT rowid, ?1, 'not_imported', ?2 FROM records",
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
                         " created_ms) VALUES(?1, ?2, ?4, ?5, ?6, ?7, 'ready', ?8)",
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

/* Translate an SQLite result code into a bs_status and a message. */
int sq_fail(struct sq_store *s, int rc, struct bs_error *err, const char *what)
{
	int code;

	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		code = BS_ENOMEM;
		break;
	case SQLITE_READONLY:
		code = BS_EREADONLY;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = BS_EBUSY;
		break;
	default:
		code = BS_ESTORE;
		break;
	}
	if (code == BS_EREADONLY)
		return bs_error_set(err, code, "%s: the store is read-only", what);
	if (code == BS_EBUSY)
		return bs_error_set(err, code, "%s: the store is locked by another process", what);
	return bs_error_set(err, code, "%s: %s", what,
	                    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

/* The cached statement `id`, reset and with bindings cleared. */
int sq_stmt(struct sq_store *s, enum stmt_id id, sqlite3_stmt **out, struct bs_error *err)
{
	int rc;

	if (s->stmt[id] == NULL) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		                        &s->stmt[id], NULL);
		if (rc != SQLITE_OK)
			return sq_fail(s, rc, err, "preparing a query");
	} else {
		sqlite3_reset(s->stmt[id]);
		sqlite3_clear_bindings(s->stmt[id]);
	}
	*out = s->stmt[id];
	return BS_OK;
}

/* Run a statement that returns no rows (or ignore them). */
int sq_done(struct sq_store *s, sqlite3_stmt *q, struct bs_error *err, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_fail(s, rc, err, what);
	return BS_OK;
}

int sq_exec(struct sq_store *s, const char *sql, struct bs_error *err, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? BS_OK : sq_fail(s, rc, err, what);
}

/* Run one of the cached transaction-control statements. */
static int tx_run(struct sq_store *s, enum stmt_id id, struct bs_error *err, const char *what)
{
	sqlite3_stmt *q = NULL;
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

	if (s->tx_depth == 0)
		rc = tx_run(s, Q_TX_BEGIN, err, "starting a transaction");
	if (rc == BS_OK)
		s->tx_depth++;
	return rc;
}

/* Write the held serial counter back (see struct sq_counter). */
int tx_counter_flush(struct sq_store *s, struct bs_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (!s->ctr.valid || !s->ctr.dirty)
		return BS_OK;
	rc = sq_stmt(s, Q_COUNTER_PUT, &q, err);
	if (rc != BS_OK)
		return rc;
	sqlite3_bind_text(q, 1, s->ctr.name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, s->ctr.value);
	rc = sq_done(s, q, err, "saving the serial counter");
	if (rc == BS_OK)
		s->ctr.dirty = false;
	return rc;
}

/* Finish what tx_enter started: commit on ok, else roll it back. */
int tx_leave(struct sq_store *s, int status, struct bs_error *err)
{
	int rc;

	s->tx_depth--;
	if (s->tx_depth == 0) {
		if (status == BS_OK)
			status = tx_counter_flush(s, err);
		s->ctr.valid = false;
		if (status == BS_OK) {
			rc = tx_run(s, Q_TX_COMMIT, err, "committing");
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

static void sq_close(struct store *st)
{
	struct sq_store *s = sq(st);

	for (int i = 0; i < Q_STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->user_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(s->db);
	free(s);
}

static int sq_schema_version(struct store *st, int *version, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "reading the schema version");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(q, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_OK ? BS_OK : sq_fail(s, rc, err, "reading the schema version");
}

/* Apply every migration above the file's version, each in its own tx. */
static int sq_migrate(struct sq_store *s, struct bs_error *err)
{
	int version = 0, rc;

	rc = sq_schema_version(&s->base, &version, err);
	if (rc != BS_OK)
		return rc;
	if (version > store_sqlite_migration_count)
		return bs_error_set(err, BS_ESTORE,
		                    "the store is at schema version %d, newer than this booksync "
		                    "(%d): upgrade booksync",
		                    version, store_sqlite_migration_count);
	for (; version < store_sqlite_migration_count; version++) {
		char sql[64];

		if ((rc = tx_enter(s, err)) != BS_OK)
			return rc;
		rc = sq_exec(s, store_sqlite_migrations[version], err, "migrating the store");
		if (rc == BS_OK) {
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
			rc = sq_exec(s, sql, err, "migrating the store");
		}
		if ((rc = tx_leave(s, rc, err)) != BS_OK)
			return rc;
	}
	return BS_OK;
}

static int sq_begin(struct store *st, struct bs_error *err)
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

static int sq_commit(struct store *st, struct bs_error *err)
{
	struct sq_store *s = sq(st);

	if (!s->user_tx)
		return bs_error_set(err, BS_ESTATE, "no transaction is open");
	s->user_tx = false;
	return tx_leave(s, BS_OK, err);
}

static void sq_rollback(struct store *st)
{
	struct sq_store *s = sq(st);

	if (!s->user_tx)
		return;
	s->user_tx = false;
	tx_leave(s, BS_ESTATE, NULL);
}

static int sq_setting_get(struct store *st, const char *key, struct buf *value,
                          struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sq_stmt(s, Q_SETTING_GET, &q, err);

	if (rc != BS_OK)
		return rc;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	buf_reset(value);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		rc = buf_add(value, sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0));
		sqlite3_reset(q);
		return rc;
	}
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return bs_error_set(err, BS_ENOTFOUND, "setting '%s' is not set", key);
	return sq_fail(s, rc, err, "reading a setting");
}

static int sq_setting_set(struct store *st, const char *key, const char *value,
                          struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sq_stmt(s, value != NULL ? Q_SETTING_SET : Q_SETTING_DEL, &q, err);

	if (rc != BS_OK)
		return rc;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (value != NULL)
		sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	return sq_done(s, q, err, "saving a setting");
}

/* Walk a cached statement whose rows are two text columns (settings,
 * targets): a non-zero return from cb stops and is returned. */
static int walk_pairs(struct sq_store *s, enum stmt_id id,
                      int (*cb)(void *arg, const char *a, const char *b), void *arg,
                      struct bs_error *err, const char *what)
{
	sqlite3_stmt *q = NULL;
	int rc = sq_stmt(s, id, &q, err);

	if (rc != BS_OK)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int stop = cb(arg, (const char *)sqlite3_column_text(q, 0),
		              (const char *)sqlite3_column_text(q, 1));
		if (stop != 0) {
			sqlite3_reset(q);
			return stop;
		}
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? BS_OK : sq_fail(s, rc, err, what);
}

static int sq_settings_each(struct store *st, store_setting_cb cb, void *arg, struct bs_error *err)
{
	return walk_pairs(sq(st), Q_SETTINGS_ALL, cb, arg, err, "listing settings");
}

static int history_add(struct sq_store *s, int64_t record, const char *target,
                       const struct store_actor *who, const char *from, const char *to,
                       const char *reason, struct bs_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc = sq_stmt(s, Q_HISTORY_ADD, &q, err);

	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int64(q, 1, record);
	sqlite3_bind_text(q, 2, target != NULL ? target : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, who->now_ms);
	sqlite3_bind_text(q, 4, who->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, reason != NULL ? reason : "", -1, SQLITE_STATIC);
	return sq_done(s, q, err, "writing history");
}

static int refs_write(struct sq_store *s, int64_t record, const struct record *r, bool replace,
                      struct bs_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (replace) {
		if ((rc = sq_stmt(s, Q_REFS_DEL, &q, err)) != BS_OK)
			return rc;
		sqlite3_bind_int64(q, 1, record);
		if ((rc = sq_done(s, q, err, "writing references")) != BS_OK)
			return rc;
	}
	for (size_t i = 0; i < r->nrefs; i++) {
		if ((rc = sq_stmt(s, Q_REFS_INSERT, &q, err)) != BS_OK)
			return rc;
		sqlite3_bind_int64(q, 1, record);
		sqlite3_bind_text(q, 2, r->refs[i].field, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)r->refs[i].kinds);
		sqlite3_bind_text(q, 4, r->refs[i].id, -1, SQLITE_STATIC);
		if ((rc = sq_done(s, q, err, "writing references")) != BS_OK)
			return rc;
	}
	return BS_OK;
}

/* Bind the content columns shared by insert and update, from `first`. */
static void bind_content(sqlite3_stmt *q, int first, const struct record *r)
{
	sqlite3_bind_blob(q, first, r->hash, RECORD_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(q, first + 1, buf_cstr(&r->canonical), (int)r->canonical.len,
	                  SQLITE_STATIC);
	sqlite3_bind_text(q, first + 2, r->tab, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, first + 3, r->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, first + 4, r->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, first + 5, r->has_total);
	sqlite3_bind_int64(q, first + 6, r->total);
}

/* New content on an existing record: every target's state moves. */
static int states_new_version(struct sq_store *s, int64_t record, const struct store_actor *who,
                              struct bs_error *err)
{
	struct change {
		char target[128];
		enum sync_state from, to;
		bool pending;
	} changes[16];
	size_t n = 0;
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = sq_stmt(s, Q_STATES_OF, &q, err)) != BS_OK)
		return rc;
	sqlite3_bind_int64(q, 1, record);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && n < sizeof(changes) / sizeof(changes[0])) {
		struct change *c = &changes[n];
		const char *why = NULL;

		snprintf(c->target, sizeof(c->target), "%s", sqlite3_column_text(q, 0));
		if (sync_state_from_name((const char *)sqlite3_column_text(q, 1), &c->from) !=
		    BS_OK)
			continue;
		if (sync_transition(c->from, sqlite3_column_int(q, 2) != 0, SYNC_EV_NEW_VERSION,
		                    &c->to, &c->pending, &why) != BS_OK) {
			/* Consolidated: the ledger document is locked; keep the
			 * state and say so in history. */
			c->to = c->from;
			c->pending = false;
		}
		n++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_fail(s, rc, err, "reading sync state");
	for (size_t i = 0; i < n; i++) {
		const char *reason = changes[i].from == SYNC_CONSOLIDATED
		                         ? "new version arrived; the consolidated document "
		                           "is locked and keeps the old content"
		                         : "new version arrived";
		if ((rc = sq_stmt(s, Q_STATE_SET, &q, err)) != BS_OK)
			return rc;
		sqlite3_bind_int64(q, 1, record);
		sqlite3_bind_text(q, 2, changes[i].target, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, sync_state_name(changes[i].to), -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 4, changes[i].pending);
		sqlite3_bind_text(q, 5, "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 6, who->now_ms);
		if ((rc = sq_done(s, q, err, "writing sync state")) != BS_OK)
			return rc;
		rc =
		    history_add(s, record, changes[i].target, who, sync_state_name(changes[i].from),
		                sync_state_name(changes[i].to), reason, err);
		if (rc != BS_OK)
			return rc;
	}
	return BS_OK;
}

/* How many targets exist: new records need a state row on each. Cached;
 * target_add forgets it. */
static int count_targets(struct sq_store *s, struct bs_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM targets", -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "counting targets");
	rc = sqlite3_step(q);
	s->ntargets = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? BS_OK : sq_fail(s, rc, err, "counting targets");
}

static int record_put_locked(struct sq_store *s, const struct record *r,
                             const struct store_actor *who, enum store_put_result *result,
                             struct bs_error *err)
{
	sqlite3_stmt *q = NULL;
	int64_t rowid, old_version;
	bool same;
	char reason[64];
	int rc;

	/*
	 * Insert first: in a bulk import almost every record is new, and the
	 * unique key then answers "is it there?" in the same B-tree descent.
	 */
	if (sqlite3_db_readonly(s->db, "main") == 1)
		goto existing; /* re-reading what is there needs no write */
	if ((rc = sq_stmt(s, Q_REC_INSERT, &q, err)) != BS_OK)
		return rc;
	sqlite3_bind_int(q, 1, (int)r->kind);
	sqlite3_bind_text(q, 2, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, r->version);
	bind_content(q, 4, r);
	sqlite3_bind_int64(q, 11, who->now_ms);
	if ((rc = sq_done(s, q, err, "storing a record")) != BS_OK)
		return rc;
	if (sqlite3_changes(s->db) == 1) {
		rowid = sqlite3_last_insert_rowid(s->db);
		if ((rc = refs_write(s, rowid, r, false, err)) != BS_OK)
			return rc;
		if (s->ntargets < 0 && (rc = count_targets(s, err)) != BS_OK)
			return rc;
		if (s->ntargets > 0) {
			if ((rc = sq_stmt(s, Q_STATE_INSERT_NEW, &q, err)) != BS_OK)
				return rc;
			sqlite3_bind_int64(q, 1, rowid);
			sqlite3_bind_int64(q, 2, who->now_ms);
			if ((rc = sq_done(s, q, err, "writing sync state")) != BS_OK)
				return rc;
		}
		/*
		 * A first arrival is no transition: the row's created_ms says when,
		 * and the history command shows it from there.  Writing a history
		 * row for it too cost a sixth of a million-record import.
		 */
		*result = STORE_PUT_NEW;
		return BS_OK;
	}
existing:
	if ((rc = sq_stmt(s, Q_REC_FIND, &q, err)) != BS_OK)
		return rc;
	sqlite3_bind_int(q, 1, (int)r->kind);
	sqlite3_bind_text(q, 2, r->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		/* not there on a read-only store: the write it needs is refused */
		return sq_fail(s, rc == SQLITE_DONE ? SQLITE_READONLY : rc, err,
		               "storing a record");
	}
	rowid = sqlite3_column_int64(q, 0);
	old_version = sqlite3_column_int64(q, 1);
	same = sqlite3_column_bytes(q, 2) == RECORD_HASH_LEN &&
	       memcmp(sqlite3_column_blob(q, 2), r->hash, RECORD_HASH_LEN) == 0;
	sqlite3_reset(q);

	if (r->version != 0 && old_version != 0) {
		if (r->version < old_version) {
			*result = STORE_PUT_STALE;
			return BS_OK;
		}
		if (r->version == old_version && !same)
			return bs_error_set(err, BS_ECONFLICT,
			                    "%s %s: version %lld is already stored with other "
			                    "content; send a higher version",
			                    record_kind_name(r->kind), r->id,
			                    (long long)r->version);
	}
	if (same) {
		*result = STORE_PUT_UNCHANGED;
		if (r->version == old_version)
			return BS_OK;
		if ((rc = sq_stmt(s, Q_REC_VERSION, &q, err)) != BS_OK)
			return rc;
		sqlite3_bind_int64(q, 1, rowid);
		sqlite3_bind_int64(q, 2, r->version);
		sqlite3_bind_int64(q, 3, who->now_ms);
		return sq_done(s, q, err, "storing a record");
	}
	if ((rc = sq_stmt(s, Q_REC_UPDATE, &q, err)) != BS_OK)
		return rc;
	sqlite3_bind_int64(q, 1, rowid);
	sqlite3_bind_int64(q, 2, r->version);
	bind_content(q, 3, r);
	sqlite3_bind_int64(q, 10, who->now_ms);
	if ((rc = sq_done(s, q, err, "storing a record")) != BS_OK)
		return rc;
	if ((rc = refs_write(s, rowid, r, true, err)) != BS_OK)
		return rc;
	*result = STORE_PUT_CHANGED;
	snprintf(reason, sizeof(reason), "version %lld", (long long)r->version);
	rc = history_add(s, rowid, NULL, who, "", "changed", r->version ? reason : "", err);
	if (rc != BS_OK)
		return rc;
	return states_new_version(s, rowid, who, err);
}

static int sq_record_put(struct store *st, const struct record *r, const struct store_actor *who,
                         enum store_put_result *result, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	int rc;

	if ((rc = tx_enter(s, err)) != BS_OK)
		return rc;
	rc = record_put_locked(s, r, who, result, err);
	return tx_leave(s, rc, err);
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(dst, cap, "%s", t != NULL ? (const char *)t : "");
}

static int sq_record_get(struct store *st, enum record_kind kind, const char *id,
                         const char *target, enum sync_state *state, struct store_record_info *info,
                         struct buf *body, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sq_stmt(s, target != NULL ? Q_REC_GET_ON : Q_REC_GET, &q, err);

	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int(q, 1, (int)kind);
	sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
	if (target != NULL)
		sqlite3_bind_text(q, 3, target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		if (rc == SQLITE_DONE)
			return bs_error_set(err, BS_ENOTFOUND, "no record %s:%s",
			                    record_kind_name(kind), id);
		return sq_fail(s, rc, err, "reading a record");
	}
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		info->rowid = sqlite3_column_int64(q, 0);
		info->kind = kind;
		snprintf(info->id, sizeof(info->id), "%s", id);
		info->version = sqlite3_column_int64(q, 1);
		copy_col(info->tab, sizeof(info->tab), q, 2);
		copy_col(info->date, sizeof(info->date), q, 3);
		copy_col(info->currency, sizeof(info->currency), q, 4);
		info->has_total = sqlite3_column_int(q, 5) != 0;
		info->total = sqlite3_column_int64(q, 6);
	}
	if (target != NULL && state != NULL &&
	    sync_state_from_name((const char *)sqlite3_column_text(q, 8), state) != BS_OK)
		*state = SYNC_NOT_IMPORTED;
	rc = BS_OK;
	if (body != NULL) {
		buf_reset(body);
		rc = buf_add(body, sqlite3_column_text(q, 7), (size_t)sqlite3_column_bytes(q, 7));
	}
	sqlite3_reset(q);
	return rc;
}

static int sq_record_kinds_of(struct store *st, const char *id, unsigned *kinds,
                              struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sq_stmt(s, Q_REC_KINDS, &q, err);

	if (rc != BS_OK)
		return rc;
	*kinds = 0;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int k = sqlite3_column_int(q, 0);

		if (k >= 0 && k < RECORD_KIND_COUNT)
			*kinds |= 1u << k;
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? BS_OK : sq_fail(s, rc, err, "looking up a record");
}

static int sq_record_count(struct store *st, int64_t *count, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sq_stmt(s, Q_REC_COUNT, &q, err);

	if (rc != BS_OK)
		return rc;
	rc = sqlite3_step(q);
	*count = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? BS_OK : sq_fail(s, rc, err, "counting records");
}

static int sq_records_each(struct store *st, enum record_kind kind, store_record_cb cb, void *arg,
                           struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(
	    s->db, "SELECT id, body FROM records WHERE kind = ?1 ORDER BY id", -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "listing records");
	sqlite3_bind_int(q, 1, (int)kind);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int stop = cb(arg, (const char *)sqlite3_column_text(q, 0),
		              (const char *)sqlite3_column_text(q, 1));
		if (stop != 0) {
			sqlite3_finalize(q);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? BS_OK : sq_fail(s, rc, err, "listing records");
	sqlite3_finalize(q);
	return rc;
}

static int sq_target_add(struct store *st, const char *target, const char *name,
                         const struct store_actor *who, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	s->ntargets = -1;
	if ((rc = sq_stmt(s, Q_TARGET_INSERT, &q, err)) != BS_OK)
		goto out;
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name != NULL ? name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, who->now_ms);
	if ((rc = sq_done(s, q, err, "adding a target")) != BS_OK)
		goto out;
	if ((rc = sq_stmt(s, Q_TARGET_FILL, &q, err)) != BS_OK)
		goto out;
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, who->now_ms);
	rc = sq_done(s, q, err, "adding a target");
out:
	return tx_leave(s, rc, err);
}

static int sq_targets_each(struct store *st, store_target_cb cb, void *arg, struct bs_error *err)
{
	return walk_pairs(sq(st), Q_TARGETS_ALL, cb, arg, err, "listing targets");
}

/* kind:id's rowid; only that column: not the body, not the others. */
static int record_rowid(struct sq_store *s, enum record_kind kind, const char *id, int64_t *rowid,
                        struct bs_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc = sq_stmt(s, Q_REC_ROWID, &q, err);

	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int(q, 1, (int)kind);
	sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*rowid = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? bs_error_set(err, BS_ENOTFOUND, "no record %s:%s",
		                                        record_kind_name(kind), id)
		                         : sq_fail(s, rc, err, "reading a record");
	return BS_OK;
}

/* rowid: kind:id's when the caller knows it, else 0 (found here). */
static int state_apply_locked(struct sq_store *s, enum record_kind kind, const char *id,
                              int64_t rowid, const char *target, enum sync_event ev,
                              const char *reason, const struct store_actor *who,
                              enum sync_state *new_state, struct bs_error *err)
{
	enum sync_state from = SYNC_NOT_IMPORTED, to;
	bool pending = false, pending_out, has_row = false;
	const char *why = NULL;
	sqlite3_stmt *q = NULL;
	int rc;

	if (rowid <= 0 && (rc = record_rowid(s, kind, id, &rowid, err)) != BS_OK)
		return rc;
	if ((rc = sq_stmt(s, Q_STATE_GET, &q, err)) != BS_OK)
		return rc;
	sqlite3_bind_int64(q, 1, rowid);
	sqlite3_bind_text(q, 2, target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		if (sync_state_from_name((const char *)sqlite3_column_text(q, 0), &from) != BS_OK)
			from = SYNC_NOT_IMPORTED;
		pending = sqlite3_column_int(q, 1) != 0;
		has_row = true;
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(q);
		return sq_fail(s, rc, err, "reading sync state");
	}
	sqlite3_reset(q);
	rc = sync_transition(from, pending, ev, &to, &pending_out, &why);
	if (rc == BS_ESTATE)
		return bs_error_set(err, rc, "%s %s: cannot %s: %s", record_kind_name(kind), id,
		                    ev == SYNC_EV_RESET ? "reset" : sync_event_name(ev), why);
	if (rc != BS_OK)
		return bs_error_set(err, rc, "%s %s: bad transition", record_kind_name(kind), id);
	/* an existing row is updated in place: the upsert would try an insert first */
	if ((rc = sq_stmt(s, has_row ? Q_STATE_UPDATE : Q_STATE_SET, &q, err)) != BS_OK)
		return rc;
	sqlite3_bind_int64(q, 1, rowid);
	sqlite3_bind_text(q, 2, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, sync_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, pending_out);
	sqlite3_bind_text(q, 5, reason != NULL ? reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, who->now_ms);
	if ((rc = sq_done(s, q, err, "writing sync state")) != BS_OK)
		return rc;
	if (ev == SYNC_EV_FAILED && reason != NULL) {
		if ((rc = sq_stmt(s, Q_ERROR_ADD, &q, err)) != BS_OK)
			return rc;
		sqlite3_bind_int64(q, 1, rowid);
		sqlite3_bind_text(q, 2, target, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, who->now_ms);
		sqlite3_bind_text(q, 4, reason, -1, SQLITE_STATIC);
		if ((rc = sq_done(s, q, err, "writing an error")) != BS_OK)
			return rc;
	}
	rc = history_add(s, rowid, target, who, sync_state_name(from), sync_state_name(to),
	                 reason != NULL ? reason : sync_event_name(ev), err);
	if (rc == BS_OK && new_state != NULL)
		*new_state = to;
	return rc;
}

static int sq_state_apply(struct store *st, enum record_kind kind, const char *id, int64_t rowid,
                          const char *target, enum sync_event ev, const char *reason,
                          const struct store_actor *who, enum sync_state *new_state,
                          struct bs_error *err)
{
	struct sq_store *s = sq(st);
	int rc = tx_enter(s, err);

	if (rc != BS_OK)
		return rc;
	rc = state_apply_locked(s, kind, id, rowid, target, ev, reason, who, new_state, err);
	return tx_leave(s, rc, err);
}

static int sq_state_get(struct store *st, enum record_kind kind, const char *id, const char *target,
                        enum sync_state *state, struct buf *reason, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3_stmt *q = NULL;
	int rc = sq_stmt(s, Q_STATE_OF, &q, err);

	if (rc != BS_OK)
		return rc;
	sqlite3_bind_int(q, 1, (int)kind);
	sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		if (sync_state_from_name((const char *)sqlite3_column_text(q, 0), state) != BS_OK)
			*state = SYNC_NOT_IMPORTED;
		rc = BS_OK;
		if (reason != NULL) {
			buf_reset(reason);
			rc = buf_addstr(reason, (const char *)sqlite3_column_text(q, 1));
		}
		sqlite3_reset(q);
		return rc;
	}
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return BS_ENOTFOUND;
	return sq_fail(s, rc, err, "reading sync state");
}

/* Pending records' kinds and ids, unsorted (see store_pending_keys_each). */
static int sq_keys_each(struct store *st, const char *target, const char *tab, store_key_cb cb,
                        void *arg, struct bs_error *err)
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
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int k = sqlite3_column_int(q, 0);
		int stop;

		if (k < 0 || k >= RECORD_KIND_COUNT)
			continue;
		stop = cb(arg, (enum record_kind)k, (const char *)sqlite3_column_text(q, 1));
		if (stop != 0) {
			sqlite3_finalize(q);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? BS_OK : sq_fail(s, rc, err, "listing records");
	sqlite3_finalize(q);
	return rc;
}

/*
 * The listing query.  Without a target every record is "not imported"; the
 * reason column names references to records not imported yet, so `pending`
 * can say why a row will wait even before a ledger is connected.
 */
static int sq_rows_each(struct store *st, const char *target, unsigned state_mask, const char *tab,
                        store_row_cb cb, void *arg, struct bs_error *err)
{
	static const char missing_refs[] =
	    "(SELECT group_concat(rr.field || ' ' || rr.ref_id, ', ') FROM record_refs rr"
	    " WHERE rr.record = r.rowid AND NOT EXISTS (SELECT 1 FROM records x"
	    " WHERE x.id = rr.ref_id AND ((1 << x.kind) & rr.kinds) != 0))";
	static const char label[] =
	    "coalesce(json_extract(r.body, '$.reference'), json_extract(r.body, '$.name'),"
	    " json_extract(r.body, '$.code'), json_extract(r.body, '$.sku'), '')";
	struct sq_store *s = sq(st);
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
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_row row;
		int k = sqlite3_column_int(q, 0);

		row.kind = k >= 0 && k < RECORD_KIND_COUNT ? (enum record_kind)k : RECORD_SALE;
		row.id = (const char *)sqlite3_column_text(q, 1);
		row.tab = (const char *)sqlite3_column_text(q, 2);
		row.date = (const char *)sqlite3_column_text(q, 3);
		row.currency = (const char *)sqlite3_column_text(q, 4);
		row.has_total = sqlite3_column_int(q, 5) != 0;
		row.total = sqlite3_column_int64(q, 6);
		if (sync_state_from_name((const char *)sqlite3_column_text(q, 7), &row.state) !=
		    BS_OK)
			row.state = SYNC_NOT_IMPORTED;
		row.reason = (const char *)sqlite3_column_text(q, 8);
		row.reference = (const char *)sqlite3_column_text(q, 9);
		if (row.reason == NULL)
			row.reason = "";
		if (row.reference == NULL)
			row.reference = "";
		if ((rc = cb(arg, &row)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? BS_OK : sq_fail(s, rc, err, "listing records");
out:
	sqlite3_finalize(q);
	buf_free(&sql);
	return rc;
}

static int sq_history_each(struct store *st, const enum record_kind *kind, const char *id,
                           int64_t limit, store_history_cb cb, void *arg, struct bs_error *err)
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
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "reading history");
	if (id != NULL && kind != NULL) {
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 2, (int)*kind);
	}
	sqlite3_bind_int64(q, 3, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
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
		if ((rc = cb(arg, &h)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? BS_OK : sq_fail(s, rc, err, "reading history");
out:
	sqlite3_finalize(q);
	return rc;
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .setting_get = sq_setting_get,
    .setting_set = sq_setting_set,
    .settings_each = sq_settings_each,
    .record_put = sq_record_put,
    .record_get = sq_record_get,
    .record_kinds_of = sq_record_kinds_of,
    .record_count = sq_record_count,
    .records_each = sq_records_each,
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
    .outbox_add = sq_outbox_add,
    .outbox_each = sq_outbox_each,
    .outbox_set = sq_outbox_set,
    .outbox_delete = sq_outbox_delete,
    .outbox_has = sq_outbox_has,
    .request_create = sq_request_create,
    .request_set = sq_request_set,
    .requests_each = sq_requests_each,
};

/*
 * Once per process, before SQLite initialises: no memory statistics.  With
 * them on, every allocation SQLite makes takes a global mutex and updates
 * counters nobody reads (a tenth of a planned record's instructions).  When
 * SQLite is already initialised the call is refused, harmlessly.
 */
static void sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_sqlite_open(const char *path, unsigned flags, struct store **out, struct bs_error *err)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	struct sq_store *s;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
	int rc;

	*out = NULL;
	pthread_once(&configured, sq_configure);
	if (flags & STORE_OPEN_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	s->base.ops = &sqlite_ops;
	s->ntargets = -1;
	rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_CANTOPEN && !(flags & STORE_OPEN_CREATE))
			rc = bs_error_set(err, BS_ENOTFOUND,
			                  "no store at %s: run 'booksync init' first", path);
		else
			rc = bs_error_set(err, BS_ESTORE, "cannot open the store %s: %s", path,
			                  s->db != NULL ? sqlite3_errmsg(s->db)
			                                : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	rc = sq_exec(s, "SELECT count(*) FROM sqlite_master", err, "opening the store");
	if (rc != BS_OK) {
		if (rc == BS_ESTORE && err != NULL) {
			char why[BS_ERROR_MSG_MAX];

			snprintf(why, sizeof(why), "%s", err->msg);
			bs_error_set(err, BS_ESTORE, "%s is not a booksync store (%s)", path, why);
		}
		goto fail;
	}
	/* journal_mode=WAL needs write access; a read-only store keeps its mode. */
	if (sqlite3_db_readonly(s->db, "main") == 0)
		sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	/*
	 * 16 MiB of page cache (inside the 64 MiB budget, with the import ring) keeps the index
	 * pages a batch touches in memory; without it a million-record import
	 * re-reads and re-writes the same index pages thousands of times.
	 */
	rc = sq_exec(s,
	             "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
	             " PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;",
	             err, "opening the store");
	if (rc != BS_OK)
		goto fail;
	if ((rc = sq_migrate(s, err)) != BS_OK)
		goto fail;
	*out = &s->base;
	return BS_OK;
fail:
	sq_close(&s->base);
	return rc;
}
