/*
 * store_sql_int.h - internals shared by the SQL backend's files.
 *
 * One backend, two engines: its queries run on SQLite or PostgreSQL
 * through db.h, and only opening differs (store_sqlite_open.c: the file,
 * its mark, its check, PRAGMA user_version; store_pg_open.c: the schema,
 * the migrations rewritten for PostgreSQL).  The rest is split by concern:
 * store_sql.c (statement cache, errors, transactions, closing, settings,
 * the operations table), store_sql_records.c (records,
 * targets, sync state, history), store_sql_list.c (pending and history
 * listings), store_sql_sync.c (links, serials, outbox, requests, and the
 * planner's paged walk over pending records) and
 * store_sql_lock.c (the locks), store_sql_jobs.c (serve's sync jobs).
 * All use the one statement cache and transaction helpers declared here;
 * the sq_* operations below are what the operations table points at, each
 * documented by its store.h counterpart.
 */
#ifndef BS_STORE_STORE_SQL_INT_H
#define BS_STORE_STORE_SQL_INT_H

#include "store/db.h"
#include "store/store_int.h"

#include <stdbool.h>

enum stmt_id {
	Q_SETTING_GET,
	Q_SETTING_SET,
	Q_SETTING_DEL,
	Q_SETTINGS_ALL,
	Q_REC_FIND,
	Q_REC_INSERT,
	Q_REC_UPDATE,
	Q_REC_VERSION,
	Q_REC_GET,
	Q_REC_GET_ON,
	Q_REC_GET_EXTRA,
	Q_REC_GET_EXTRA_ROW,
	Q_REC_KINDS,
	Q_REC_COUNT,
	Q_REFS_DEL,
	Q_REFS_INSERT,
	Q_TARGET_INSERT,
	Q_TARGET_FILL,
	Q_TARGETS_ALL,
	Q_STATES_OF,
	Q_STATE_GET,
	Q_STATE_SET,
	Q_STATE_UPDATE,
	Q_STATE_INSERT_NEW,
	Q_HISTORY_ADD,
	Q_ERROR_ADD,
	Q_TX_BEGIN,
	Q_TX_COMMIT,
	Q_TX_ROLLBACK,
	Q_LINK_GET,
	Q_LINK_SET,
	Q_LINK_DROP,
	Q_LINK_SERIAL,
	Q_COUNTER_PUT,
	Q_COUNTER_GET,
	Q_OUTBOX_ADD,
	Q_OUTBOX_ADD_ROW,
	Q_OUTBOX_ADD_HELD,
	Q_HELD_WRITE,
	Q_HELD_WRITE_OP,
	Q_HELD_CLEAR,
	Q_HELD_SERIALS,
	Q_HELD_SERIALS_OP,
	Q_HELD_CLEAR_ALL,
	Q_OUTBOX_SET,
	Q_OUTBOX_DEL,
	Q_OUTBOX_HAS,
	Q_REQ_CREATE,
	Q_REQ_KEY,
	Q_REQ_SET,
	Q_REC_ROWID,
	Q_STATE_OF,
	/* prepared by their modules with sq_stmt_sql (SQL kept there) */
	Q_IN_GET,
	Q_IN_ADD,
	Q_IN_LINK_FIND,
	Q_IN_OPEN,
	Q_STMT_COUNT
};

struct sq_store {
	struct store base;
	struct db *db;
	struct db_stmt *stmt[Q_STMT_COUNT];
	int tx_depth; /* 0: autocommit; 1: store_begin; more: savepoints */
	bool user_tx;
	bool readonly; /* opened read-only: writes are refused */
	int ntargets;  /* cached count of targets, -1 = unknown */
	/* whether any refused re-import is stored: -1 unknown (asked once per
	 * transaction, so a put clears one only when there is one) */
	int refusals;
	/*
	 * The serial counter last used, held for the open transaction: read
	 * once, counted up here, written back just before COMMIT and dropped
	 * on ROLLBACK.  BEGIN IMMEDIATE holds the write lock, so no other
	 * connection moves it meanwhile.  Saves two statements per serial.
	 */
	struct sq_counter {
		char name[256];
		int64_t value;
		bool valid, dirty;
	} ctr;
	/*
	 * The sync_state row of one record on one target as this transaction
	 * last saw it: read with the record (sq_record_get with a target) or
	 * written by a transition (state_apply_locked).  The planner reads a
	 * record and moves it in the same transaction, so its transitions
	 * need not read the row again.  Dropped when the transaction ends and
	 * whenever another statement that writes sync_state is taken
	 * (sq_stmt_sql); BEGIN IMMEDIATE keeps other connections out.
	 */
	struct sq_seen {
		bool valid, row, pending;
		enum sync_state state;
		int64_t rowid;
		char target[128];
	} seen;
	/*
	 * The outbox row written in this transaction that holds the history
	 * row of its record's coming move to `queued` (struct store_held_move):
	 * state_apply_locked then writes none, or withdraws the offer when
	 * the move is another.  Dropped when the transaction ends.
	 */
	struct sq_held {
		bool valid;
		enum sync_state from;
		int64_t rowid;
		char target[128];
	} held;
};

/* What opening a file finds in it, read before anything is written. */
struct sq_probe {
	int64_t app_id;       /* PRAGMA application_id */
	int64_t user_version; /* PRAGMA user_version: the schema version */
	int64_t objects;      /* rows of sqlite_master */
	int64_t tables;       /* how many of SQ_LEGACY_TABLES are there */
};

/* The tables of schema version 1, which every store made before the
 * application id has: how such a store is still known as booksync's. */
#define SQ_LEGACY_TABLES 11

enum sq_file {
	SQ_FILE_STORE,   /* marked as a booksync store */
	SQ_FILE_LEGACY,  /* a booksync store from before the mark */
	SQ_FILE_EMPTY,   /* nothing in it: only `init` may make it a store */
	SQ_FILE_FOREIGN, /* someone else's database */
};

/* Pure: what the file probed is. */
enum sq_file sq_file_kind(const struct sq_probe *p);

/* The backend behind a struct store. */
struct sq_store *sq(struct store *st);

/* Map an SQLite result code to a bs_status with a message about `what`. */
int sq_fail(struct sq_store *s, int rc, struct bs_error *err, const char *what);

/* The cached statement `id`, reset, bindings cleared.  Owned by the store
 * (finalized at close): reset it after use, never finalize it.  sq_stmt_sql
 * is the same for the ids whose SQL their module keeps; `sql` must be the
 * same text at every call for that id. */
int sq_stmt(struct sq_store *s, enum stmt_id id, struct db_stmt **out, struct bs_error *err);
int sq_stmt_sql(struct sq_store *s, enum stmt_id id, const char *sql, struct db_stmt **out,
                struct bs_error *err);

/* Step a statement that returns no rows we need; reset it. */
int sq_done(struct sq_store *s, struct db_stmt *q, struct bs_error *err, const char *what);

int sq_exec(struct sq_store *s, const char *sql, struct bs_error *err, const char *what);

/* Column i of the current row as text into out[cap] ("" for NULL;
 * truncated to fit, always NUL-terminated). */
void sq_col_copy(struct db_stmt *q, int i, char *out, size_t cap);

/* Step q (the caller's, prepared and bound) through its rows, handing each
 * to row(arg, q); a non-zero return from row stops the walk and is returned
 * as is.  The end is BS_OK, an SQLite failure sq_fail() about `what`.  q is
 * neither reset nor finalized: that stays the caller's. */
int sq_rows(struct sq_store *s, struct db_stmt *q, int (*row)(void *arg, struct db_stmt *q),
            void *arg, struct bs_error *err, const char *what);

/* sq_rows() over rows of two text columns, each handed to cb(arg, a, b). */
int sq_rows_pairs(struct sq_store *s, struct db_stmt *q,
                  int (*cb)(void *arg, const char *a, const char *b), void *arg,
                  struct bs_error *err, const char *what);

/* sq_rows() over (kind, id) rows, each handed to cb; a kind this build
 * does not know is passed over (store_sql_list.c). */
int sq_rows_keys(struct sq_store *s, struct db_stmt *q, store_key_cb cb, void *arg,
                 struct bs_error *err, const char *what);
/* The same over (kind, id, rowid) rows (store_pending_page's). */
int sq_rows_key_ids(struct sq_store *s, struct db_stmt *q, store_page_cb cb, void *arg,
                    struct bs_error *err, const char *what);

/* Walk a cached statement whose rows are two text columns (settings,
 * targets): a non-zero return from cb stops and is returned. */
int sq_walk_pairs(struct sq_store *s, enum stmt_id id,
                  int (*cb)(void *arg, const char *a, const char *b), void *arg,
                  struct bs_error *err, const char *what);

/* A transaction, or a savepoint inside the caller's: see store_sql.c. */
int tx_enter(struct sq_store *s, struct bs_error *err);
int tx_leave(struct sq_store *s, int status, struct bs_error *err);
/* Write the held serial counter back now (tx_leave does it at COMMIT). */
int tx_counter_flush(struct sq_store *s, struct bs_error *err);

/* The operations of a store on either engine (store_sql.c). */
extern const struct store_ops sq_ops;

/* store_sql.c: the connection and the settings. */
void sq_close(struct store *st);
int sq_cache_set(struct store *st, int kib, int *old, struct bs_error *err);
int sq_schema_version(struct store *st, int *version, struct bs_error *err);
int sq_begin(struct store *st, struct bs_error *err);
int sq_commit(struct store *st, struct bs_error *err);
void sq_rollback(struct store *st);
int sq_setting_get(struct store *st, const char *key, struct buf *value, struct bs_error *err);
int sq_setting_set(struct store *st, const char *key, const char *value, struct bs_error *err);
int sq_settings_each(struct store *st, store_setting_cb cb, void *arg, struct bs_error *err);

/* store_sql_records.c: records, targets, sync state (see store_int.h). */
int sq_record_put(struct store *st, const struct record *r, const struct store_actor *who,
                  enum store_put_result *result, struct bs_error *err);
int sq_record_get(struct store *st, enum record_kind kind, const char *id, const char *target,
                  enum sync_state *state, struct store_record_info *info, struct buf *body,
                  struct store_record_extra *x, struct bs_error *err);
int sq_record_kinds_of(struct store *st, const char *id, unsigned *kinds, struct bs_error *err);
int sq_record_count(struct store *st, int64_t *count, struct bs_error *err);
int sq_records_referencing(struct store *st, enum record_kind kind, const char *field,
                           const char *ref_id, store_record_cb cb, void *arg, struct bs_error *err);
int sq_records_each(struct store *st, enum record_kind kind, store_record_cb cb, void *arg,
                    struct bs_error *err);
int sq_target_add(struct store *st, const char *target, const char *name,
                  const struct store_actor *who, struct bs_error *err);
int sq_targets_each(struct store *st, store_target_cb cb, void *arg, struct bs_error *err);
int sq_state_apply(struct store *st, enum record_kind kind, const char *id, int64_t rowid,
                   const char *target, enum sync_event ev, const char *reason,
                   const struct store_actor *who, enum sync_state *new_state, struct bs_error *err);
int sq_state_get(struct store *st, enum record_kind kind, const char *id, const char *target,
                 enum sync_state *state, struct buf *reason, struct bs_error *err);

/* store_sql_list.c: the listings (see store_int.h). */
int sq_keys_each(struct store *st, const char *target, const char *tab, size_t max, store_key_cb cb,
                 void *arg, struct bs_error *err);
int sq_rows_each(struct store *st, const char *target, unsigned state_mask, const char *tab,
                 store_row_cb cb, void *arg, struct bs_error *err);
int sq_history_each(struct store *st, const enum record_kind *kind, const char *id, int64_t limit,
                    store_history_cb cb, void *arg, struct bs_error *err);

/* store_sql_lock.c: locks (see store.h). */
int sq_lock_take(struct store *st, const char *name, const struct store_lock *me, int64_t now_ms,
                 store_lock_gone_cb gone, void *arg, struct store_lock *holder,
                 struct bs_error *err);
int sq_lock_release(struct store *st, const char *name, const char *owner, struct bs_error *err);

/* store_sql_sync.c: the sync engine's tables (see store.h). */
int sq_link_get(struct store *st, const char *target, enum record_kind kind, const char *id,
                const char *ledger_type, struct store_link *out, struct bs_error *err);
int sq_link_set(struct store *st, const char *target, enum record_kind kind, const char *id,
                const char *ledger_type, const char *ledger_id, const char *number, int64_t now_ms,
                struct bs_error *err);
int sq_link_drop(struct store *st, const char *target, enum record_kind kind, const char *id,
                 const char *ledger_type, struct bs_error *err);
int sq_serial(struct store *st, const char *target, enum record_kind kind, const char *id,
              const char *ledger_type, int64_t now_ms, int64_t *serial, struct bs_error *err);
int sq_serial_next(struct store *st, const char *target, int64_t *serial, struct bs_error *err);
int sq_serial_keep(struct store *st, const char *target, enum record_kind kind, const char *id,
                   const char *ledger_type, int64_t serial, int64_t now_ms, struct bs_error *err);
int sq_outbox_add(struct store *st, const char *target, enum record_kind kind, const char *id,
                  int64_t rowid, const char *doc_type, const char *op, const char *body,
                  const char *deps, int64_t now_ms, const struct store_held_move *held,
                  int64_t serial, int64_t *op_id, struct bs_error *err);
int sq_outbox_each(struct store *st, const char *target, const char *status, const char *doc_type,
                   int64_t request, store_op_cb cb, void *arg, struct bs_error *err);
int sq_outbox_set(struct store *st, int64_t op_id, const char *status, int64_t request,
                  struct bs_error *err);
int sq_outbox_delete(struct store *st, int64_t op_id, struct bs_error *err);
/* The history rows record's outbox rows on target hold (struct
 * store_held_move) written into history and their serials into links
 * (write), or (write false) the history offers dropped, serials kept;
 * what was moved or dropped is cleared from the rows.  Inside the
 * caller's transaction. */
int sq_held_settle(struct sq_store *s, int64_t record, const char *target, bool write,
                   struct bs_error *err);
int sq_outbox_has(struct store *st, const char *target, enum record_kind kind, const char *id,
                  bool *has, struct bs_error *err);
int sq_request_create(struct store *st, const char *target, const char *doc_type, int64_t now_ms,
                      int64_t *id, struct buf *key, struct bs_error *err);
int sq_request_set(struct store *st, int64_t id, const char *status, int64_t now_ms,
                   struct bs_error *err);
int sq_requests_each(struct store *st, const char *target, const char *status, store_request_cb cb,
                     void *arg, struct bs_error *err);
/* The planner's walk over the pending set, a page at a time (store_pending_page). */
int sq_keys_page(struct store *st, const char *target, const char *const *tabs,
                 enum record_kind kind, const char *after, size_t limit, store_page_cb cb,
                 void *arg, struct bs_error *err);

/* jobs (store_sql_jobs.c) */
int sq_job_add(struct store *st, struct store_job *j, const char *request, const char *same,
               struct store_job *twin, struct bs_error *err);
int sq_job_update(struct store *st, const struct store_job *j, struct bs_error *err);
int sq_job_take(struct store *st, const char *target, const char *worker, int64_t now_ms,
                struct store_job *out, struct buf *request, struct bs_error *err);
int sq_jobs_open(struct store *st, const char *target, store_job_cb cb, void *arg,
                 struct bs_error *err);
int sq_job_get(struct store *st, int64_t id, struct store_job *out, struct buf *request,
               struct bs_error *err);
int sq_jobs_page(struct store *st, int64_t before, size_t limit, store_job_cb cb, void *arg,
                 struct bs_error *err);
int sq_jobs_last(struct store *st, store_job_cb cb, void *arg, struct bs_error *err);
int sq_metrics_each(struct store *st, enum store_metric m, int64_t since_ms, store_metric_cb cb,
                    void *arg, struct bs_error *err);
int sq_jobs_abandon(struct store *st, const char *message, int64_t now_ms, int64_t *n,
                    struct bs_error *err);
/* store_sql_auth.c: users, tokens, sessions, failed logins (store_auth.h). */
extern const struct store_auth_ops sq_auth_ops;
/* store_sql_events.c: the events outbox (store_events.h). */
extern const struct store_events_ops sq_events_ops;
extern const struct store_inbound_ops sq_inbound_ops;
extern const struct store_contacts_ops sq_contacts_ops;

/* The REST API's listings (store_sql_list.c; store.h "paged listings"). */
int sq_rows_page(struct store *st, const char *target, unsigned state_mask, const char *tab,
                 const struct store_row_key *after, size_t limit, store_row_cb cb, void *arg,
                 struct bs_error *err);
int sq_tab_counts(struct store *st, const char *target, store_tab_count_cb cb, void *arg,
                  struct bs_error *err);
int sq_days_each(struct store *st, const char *target, int64_t since_ms, store_day_cb cb, void *arg,
                 struct bs_error *err);
int sq_links_each(struct store *st, enum record_kind kind, const char *id, store_link_cb cb,
                  void *arg, struct bs_error *err);

/* The listing's label column (a record's reference, or its name, code or
 * SKU; a billed purchase's bill reference), over records aliased `r`;
 * binds ?4 to RECORD_PURCHASE. */
extern const char sq_row_label[];

/* A listing row out of the columns kind, id, tab, date, currency,
 * has_total, total, state, reason, label, [contact]: the pointers are the
 * statement's, valid until it steps again. */
void sq_row_of(struct db_stmt *q, struct store_row *out);

/* Prepare a listing's sql, bind ?1 tab (NULL or "": every tab), ?2 target
 * and ?3 mask (when target is not NULL), ?4 RECORD_PURCHASE, hand each row
 * to row (sq_rows), finalize. */
int sq_listing_run(struct sq_store *s, const char *sql, const char *tab, const char *target,
                   int64_t mask, int (*row)(void *arg, struct db_stmt *q), void *arg,
                   struct bs_error *err, const char *what);

/* Refused re-imports (store.h; store_sql_refusals.c).  sq_refusal_put
 * keeps one, in its own transaction or the caller's; sq_refusals_clear
 * drops the record's, asking once per transaction whether there are any. */
int sq_refusal_put(struct sq_store *s, int64_t record, const char *target, const char *message,
                   int64_t now_ms, struct bs_error *err);
int sq_refusals_clear(struct sq_store *s, int64_t rowid, struct bs_error *err);
int sq_refusals_each(struct store *st, const char *target, const char *tab, store_refusal_cb cb,
                     void *arg, struct bs_error *err);
int sq_refusal_dismiss(struct store *st, const char *target, enum record_kind kind, const char *id,
                       struct bs_error *err);

#endif
