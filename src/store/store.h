/*
 * store.h - booksync's persistent state: the storage interface.
 *
 * Everything booksync knows lives in the store: source records (canonical
 * JSON, hash, version), the sync state of each record per target, the
 * history of every transition, current errors, settings, links between
 * source records and ledger documents, and (for the sync engine) the outbox
 * and its frozen requests.
 *
 * This header is the interface; store_sql.c is the embedded backend
 * (WAL, foreign keys, prepared statements, numbered migrations applied on
 * open).  A PostgreSQL backend implements the same `struct store_ops`
 * (store_int.h) and nothing above this header changes.
 *
 * Transactions: every write function runs inside the caller's transaction
 * when one is open (store_begin), else in its own.  One logical step = one
 * transaction: a record and its state rows and history are written
 * together or not at all.  Inside store_begin a call that fails may leave
 * part of its writes: the caller must then roll the transaction back.
 * Refusals that leave it usable -- BS_ECONFLICT from store_record_put,
 * BS_ESTATE from store_state_apply, BS_ENOTFOUND -- write nothing.
 *
 * Errors: BS_ESTORE (corrupt, schema, constraint), BS_EREADONLY, BS_EBUSY
 * (locked past the busy timeout), BS_ENOTFOUND, BS_ECONFLICT, BS_ESTATE,
 * with the detail in `err`.  Strings handed to callbacks are valid only
 * during the call.
 */
#ifndef BS_STORE_STORE_H
#define BS_STORE_STORE_H

#include "core/buf.h"
#include "core/error.h"
#include "model/record.h"
#include "model/sync_state.h"

#include <stdbool.h>
#include <stdint.h>

struct store;

#define STORE_SCHEMA_VERSION 15

enum store_open_flags {
	/* create the file when missing, initialise it when empty (`booksync init`) */
	STORE_OPEN_CREATE = 1 << 0,
	/* verify the file first (PRAGMA quick_check): for commands that write */
	STORE_OPEN_CHECK = 1 << 1,
	/* a 512 KiB page cache instead of 4 MiB: for the many connections of a
	 * server's pool, whose memory is the cache times the connections */
	STORE_OPEN_SMALL_CACHE = 1 << 2,
};

/* Who did it and when: written to every history row. */
struct store_actor {
	const char *name; /* "import", "cli", "sync", "api:<user>" */
	int64_t now_ms;   /* Unix time in milliseconds */
};

/*
 * Open the store at `path` (a file name, or a SQLite URI "file:x.db?mode=ro")
 * and bring its schema up to STORE_SCHEMA_VERSION.  *out is owned by the
 * caller and released with store_close.
 *
 * A store is known positively (the backend's file mark, or for a store
 * made before there was one, its tables); anything else is BS_ESTORE "not a
 * booksync store" and is left as it was: another program's database, a
 * file that is no database, and an empty file (zero bytes, or a database
 * with nothing in it).  Without STORE_OPEN_CREATE a missing file is
 * BS_ENOTFOUND ("run booksync init"); with it a missing file is created and
 * an empty one initialised, but a foreign one is still refused.
 *
 * STORE_OPEN_CHECK reads the whole file once (PRAGMA quick_check) before
 * anything is written: a damaged store is BS_ESTORE "corrupt".  It costs a
 * read of every page (about 0.2 s for 120,000 records), so a process asks
 * for it once, on the open that will write.  A store written by a newer
 * booksync is BS_ESTORE.  A read-only open works in a directory the process
 * cannot write to, as long as no write-ahead log is beside the file.
 *
 * A path "postgresql://..." (or "postgres://...") is a PostgreSQL database
 * (libpq's address) and the store is its schema named by a `schema=NAME`
 * parameter, "booksync" without one (store_pg_open.c, docs/scale-out.md):
 * STORE_OPEN_CREATE makes the schema, STORE_OPEN_CHECK and
 * STORE_OPEN_SMALL_CACHE mean nothing there.
 */
int store_open(const char *path, unsigned flags, struct store **out, struct bs_error *err);

/* Whether path is a PostgreSQL address rather than a file. */
bool store_path_is_pg(const char *path);

/*
 * Split a PostgreSQL address into libpq's address without the schema=
 * parameter (into conninfo) and the schema's name (schema[cap], "booksync"
 * when absent).  BS_EINVAL for a name that is not letters, digits and '_'
 * (not starting with a digit) of up to 63 bytes.
 */
int store_pg_split(const char *path, struct buf *conninfo, char *schema, size_t cap,
                   struct bs_error *err);
void store_close(struct store *st);

/*
 * This connection's page cache, in KiB, for a run whose working set is not
 * the one the size at open was chosen for (4 MiB, for work that walks keys
 * in order; an import's writes to indexes of random keys want 16).  *old,
 * when non-NULL, receives the size before, to put it back.  On
 * PostgreSQL, whose cache is the server's, nothing is done and *old is 0.
 * BS_EINVAL for kib <= 0.
 */
int store_cache_set(struct store *st, int kib, int *old, struct bs_error *err);

/* The schema version the file is at. */
int store_schema_version(struct store *st, int *version, struct bs_error *err);

/* Explicit transaction around several calls; nesting is BS_ESTATE. */
int store_begin(struct store *st, struct bs_error *err);
int store_commit(struct store *st, struct bs_error *err);
void store_rollback(struct store *st);

/* --- settings --------------------------------------------------------- */

/* Value of `key` into `value` (reset first); BS_ENOTFOUND when unset. */
int store_setting_get(struct store *st, const char *key, struct buf *value, struct bs_error *err);
int store_setting_set(struct store *st, const char *key, const char *value, struct bs_error *err);
int store_setting_unset(struct store *st, const char *key, struct bs_error *err);
typedef int (*store_setting_cb)(void *arg, const char *key, const char *value);
int store_settings_each(struct store *st, store_setting_cb cb, void *arg, struct bs_error *err);

/* --- locks ------------------------------------------------------------ */

#define STORE_LOCK_OWNER_MAX 64
#define STORE_LOCK_HOST_MAX  256

/* Who holds a lock, and until when. */
struct store_lock {
	char owner[STORE_LOCK_OWNER_MAX]; /* a random id, one per holding process */
	char host[STORE_LOCK_HOST_MAX];
	int64_t pid;
	int64_t acquired_ms;
	int64_t expires_ms; /* the lease's end: the holder renews it as it works */
};

/* Whether `holder` is gone (its process died), so its lock may be taken
 * before its lease ends. */
typedef bool (*store_lock_gone_cb)(void *arg, const struct store_lock *holder);

/*
 * Take the lock `name` for `me`, in one transaction.  Granted (the row
 * becomes *me) when nobody holds it, when me->owner does already (a
 * renewal), when the holder's lease ended at or before now_ms, or when
 * gone (may be NULL) says the holder is gone.  Otherwise BS_EBUSY ("NAME
 * is held by ..."), the holder copied to *holder (may be NULL), nothing
 * written.  Strings longer than the struct's fields are BS_EINVAL.
 */
int store_lock_take(struct store *st, const char *name, const struct store_lock *me, int64_t now_ms,
                    store_lock_gone_cb gone, void *arg, struct store_lock *holder,
                    struct bs_error *err);

/* Give up `name` if `owner` holds it; a lock someone else holds stays. */
int store_lock_release(struct store *st, const char *name, const char *owner, struct bs_error *err);

/* --- records ---------------------------------------------------------- */

enum store_put_result {
	STORE_PUT_NEW,       /* first time seen */
	STORE_PUT_UNCHANGED, /* same content (same hash): nothing changed */
	STORE_PUT_CHANGED,   /* new content: pending again on every target */
	STORE_PUT_STALE,     /* lower version than stored: ignored */
};

/*
 * Store a validated record.  Versions (docs/records.md): a higher version
 * replaces; a lower one is STORE_PUT_STALE; the same version with other
 * content is BS_ECONFLICT (rejected, nothing written); without versions the
 * hash decides.  New content for a member of a consolidated document is
 * BS_ECONFLICT too, unless only what the lock allows changed (its memo:
 * docs/consolidation.md "Locking").  New content moves the record's state on every target
 * through SYNC_EV_NEW_VERSION, with history.  Inside a transaction opened
 * with store_begin, any failure but BS_ECONFLICT may leave part of this
 * record written: the caller must then roll the transaction back.
 */
int store_record_put(struct store *st, const struct record *r, const struct store_actor *who,
                     enum store_put_result *result, struct bs_error *err);

/* A stored record's facts.  Strings point into the struct (valid until the
 * next call with the same struct). */
struct store_record_info {
	int64_t rowid;
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	int64_t version;
	char tab[32];
	char date[11];
	char currency[4];
	bool has_total;
	int64_t total;
};

/* Look up kind:id; its canonical JSON into `body` when non-NULL. */
int store_record_get(struct store *st, enum record_kind kind, const char *id,
                     struct store_record_info *info, struct buf *body, struct bs_error *err);

struct store_record_extra; /* below, with the links */

/*
 * store_record_get, and the record's state on `target` into *state
 * (not_imported when it has no row there yet), in one read.  With x
 * non-NULL, the planner's way: the record is looked up by x->rowid when
 * that is set (a hint from store_pending_page: a row that is no longer
 * kind:id is passed over and kind:id looked up), and with x->link_type
 * set, its own link of that type on target comes in the same read
 * (store_link_get's answer without a second look-up).
 */
int store_record_get_on(struct store *st, enum record_kind kind, const char *id, const char *target,
                        struct store_record_info *info, struct buf *body, enum sync_state *state,
                        struct store_record_extra *x, struct bs_error *err);

/*
 * Resolve a user's REF: "KIND:ID" ("sale:SO-1") or a bare ID unique across
 * kinds.  BS_ENOTFOUND when nothing matches, BS_ECONFLICT (message listing
 * the kinds) when a bare ID is ambiguous, BS_EINVAL for an unknown kind.
 */
int store_ref_resolve(struct store *st, const char *ref, enum record_kind *kind,
                      char id[RECORD_ID_MAX + 1], struct bs_error *err);

/* Every record of `kind` (id, canonical JSON), in id order.  A non-zero
 * return from cb stops the walk and is returned. */
typedef int (*store_record_cb)(void *arg, const char *id, const char *body);
int store_records_each(struct store *st, enum record_kind kind, store_record_cb cb, void *arg,
                       struct bs_error *err);

/* Every record of `kind` whose reference `field` ("supplier_id") names
 * ref_id (id, canonical JSON), in id order: a contact's documents.  A
 * non-zero return from cb stops the walk and is returned. */
int store_records_referencing(struct store *st, enum record_kind kind, const char *field,
                              const char *ref_id, store_record_cb cb, void *arg,
                              struct bs_error *err);

/* Number of records, all kinds. */
int store_record_count(struct store *st, int64_t *count, struct bs_error *err);

/* --- targets and sync state -------------------------------------------- */

/* Register a connected ledger organisation ("xero:<tenant>"); every stored
 * record gets state not_imported there.  Idempotent. */
int store_target_add(struct store *st, const char *target, const char *name,
                     const struct store_actor *who, struct bs_error *err);

typedef int (*store_target_cb)(void *arg, const char *target, const char *name);
int store_targets_each(struct store *st, store_target_cb cb, void *arg, struct bs_error *err);

/*
 * The target a command means: `target` itself when given (it must exist,
 * else BS_ENOTFOUND); else the only one connected; NULL in *out when none is
 * connected; BS_EINVAL ("name one with --target") when several are.
 * *out points into `buf`.
 */
int store_target_pick(struct store *st, const char *target, struct buf *buf, const char **out,
                      struct bs_error *err);

/*
 * Move kind:id on `target` through `ev` (model/sync_state.h), writing the state,
 * `reason` (NULL to clear) and a history row in one transaction.
 * BS_ESTATE with the refusal in err when the state machine says no.
 */
int store_state_apply(struct store *st, enum record_kind kind, const char *id, const char *target,
                      enum sync_event ev, const char *reason, const struct store_actor *who,
                      enum sync_state *new_state, struct bs_error *err);

/* store_state_apply for a record the caller read (store_record_get) in the
 * open transaction: `rec` names it, and the store need not find it again. */
int store_state_apply_rec(struct store *st, const struct store_record_info *rec, const char *target,
                          enum sync_event ev, const char *reason, const struct store_actor *who,
                          enum sync_state *new_state, struct bs_error *err);

/* kind:id's state on target (not_imported when it has no row yet) and its
 * reason into `reason` when non-NULL.  BS_ENOTFOUND when no such record. */
int store_state_get(struct store *st, enum record_kind kind, const char *id, const char *target,
                    enum sync_state *state, struct buf *reason, struct bs_error *err);

/* A row of `pending` / `errors` / a tab listing. */
struct store_row {
	enum record_kind kind;
	const char *id;
	const char *tab;
	const char *date;     /* "" when none */
	const char *currency; /* "" = base */
	bool has_total;
	int64_t total;
	enum sync_state state;
	const char *reason;    /* why waiting / skipped / failed, "" when none */
	const char *reference; /* the record's reference or name, "" when none */
	const char *contact;   /* its customer's or supplier's name (the id while that
	                          is not imported), "" when none; set by store_rows_page
	                          only, "" elsewhere */
};

typedef int (*store_row_cb)(void *arg, const struct store_row *row);

/*
 * What awaits upload on `target` (NULL: before any connection every record
 * is not imported), optionally limited to tabs starting with `tab` (NULL or
 * "" for all): states not_imported, changed, waiting.  Ordered by tab,
 * date, kind, id.  A non-zero return from cb stops the walk and is returned.
 */
int store_pending_each(struct store *st, const char *target, const char *tab, store_row_cb cb,
                       void *arg, struct bs_error *err);

/*
 * The same set as store_pending_each, but only each record's kind and id,
 * in no particular order: what the planner needs, without the labels and
 * the sort that a listing pays for.  At most `max` of them (0: all): a
 * caller that only asks whether the set fits in `max - 1` says so, and a
 * store that fetches a whole result at once (PostgreSQL) fetches no more.
 */
typedef int (*store_key_cb)(void *arg, enum record_kind kind, const char *id);
int store_pending_keys_each(struct store *st, const char *target, const char *tab, size_t max,
                            store_key_cb cb, void *arg, struct bs_error *err);

/*
 * One page of that set, for walking it in bounded memory: the records of
 * `kind` whose id sorts after `after` ("" for the first page), in id order
 * (bytewise, as strcmp), at most `limit` of them.  `tabs` is a
 * NULL-terminated list of tabs or groups (at most STORE_PAGE_TABS_MAX), or
 * NULL for every tab.  A page follows the records' id index from `after`,
 * so it costs about the ids it passes over, not the size of the pending
 * set, and pages read inside the caller's transaction see its writes.
 * Each record comes with its rowid (store_record_info.rowid), which
 * store_record_extra takes as a hint.  A non-zero return from cb stops
 * the walk and is returned.
 */
#define STORE_PAGE_TABS_MAX 16
typedef int (*store_page_cb)(void *arg, enum record_kind kind, const char *id, int64_t rowid);
int store_pending_page(struct store *st, const char *target, const char *const *tabs,
                       enum record_kind kind, const char *after, size_t limit, store_page_cb cb,
                       void *arg, struct bs_error *err);

/* Rows in `state` on target (errors: SYNC_ERROR), same shape and order. */
int store_state_each(struct store *st, const char *target, enum sync_state state, const char *tab,
                     store_row_cb cb, void *arg, struct bs_error *err);

/*
 * Refused re-imports (docs/consolidation.md "Locking"): records whose new
 * content the import refused because they are members of a consolidated
 * document already posted on `target`.  The store writes one when it
 * refuses (store_record_put answers BS_ECONFLICT): committed at once when
 * the caller holds no transaction, else kept when the caller commits (the
 * import commits its batch after a rejection).  It is removed when a
 * version the lock allows is stored for the record.  `row` is labelled as store_state_each
 * labels rows, its state SYNC_CONSOLIDATED and its reason the refusal;
 * at_ms is when it was last refused.  Order: tab, date, kind, id.
 */
typedef int (*store_refusal_cb)(void *arg, const struct store_row *row, int64_t at_ms);
int store_refusals_each(struct store *st, const char *target, const char *tab, store_refusal_cb cb,
                        void *arg, struct bs_error *err);

/* A person has seen the refusal and keeps the posted version: forget it.
 * BS_ENOTFOUND when kind:id has none on target. */
int store_refusal_dismiss(struct store *st, const char *target, enum record_kind kind,
                          const char *id, struct bs_error *err);

/* --- history ------------------------------------------------------------ */

struct store_history_row {
	int64_t seq;
	int64_t at_ms;
	enum record_kind kind;
	const char *id;
	const char *target; /* "" for record events (ingest) */
	const char *actor;
	const char *from; /* state names, or "" */
	const char *to;
	const char *reason;
};

typedef int (*store_history_cb)(void *arg, const struct store_history_row *row);

/* History of one record (kind/id given) or of all (id NULL), oldest first,
 * at most `limit` rows (0 = all) counted from the newest.  A move to
 * `queued` still held by its outbox row (struct store_held_move) comes
 * last, with a seq above every written row's (it gets its own seq when
 * written). */
int store_history_each(struct store *st, const enum record_kind *kind, const char *id,
                       int64_t limit, store_history_cb cb, void *arg, struct bs_error *err);

/* --- the sync engine's tables: links, serials, outbox, requests ------- */

#define STORE_LEDGER_ID_MAX 64

/* The ledger document a record became on a target ("Invoice", "Contact"). */
struct store_link {
	char ledger_id[STORE_LEDGER_ID_MAX]; /* "" while only a serial is allocated */
	char number[256];
	int64_t serial; /* 0 when none was allocated */
};

/* What the planner reads with a record (store_record_get_on). */
struct store_record_extra {
	int64_t rowid;          /* in: store_record_info.rowid as a page gave it; 0: unknown */
	const char *link_type;  /* in: its own link of this type is read too; NULL: none */
	bool linked;            /* out: store_link_get would say BS_OK */
	struct store_link link; /* out: its answer, when linked */
};

/*
 * kind:id's `ledger_type` document on target into *out.  BS_ENOTFOUND
 * when unlinked, without a message: err is left as it was (being unlinked
 * is common and expected; the caller words it if it must).
 */
int store_link_get(struct store *st, const char *target, enum record_kind kind, const char *id,
                   const char *ledger_type, struct store_link *out, struct bs_error *err);

/* Record the ledger id and number (the serial, if any, is kept). */
int store_link_set(struct store *st, const char *target, enum record_kind kind, const char *id,
                   const char *ledger_type, const char *ledger_id, const char *number,
                   int64_t now_ms, struct bs_error *err);

/* Forget the ledger id (document deleted or voided in the ledger) but keep
 * the serial history: the next serial is allocated anew.  No such link is
 * BS_OK: nothing changes. */
int store_link_drop(struct store *st, const char *target, enum record_kind kind, const char *id,
                    const char *ledger_type, struct bs_error *err);

/*
 * The serial of kind:id's `ledger_type` document on target (the unique
 * reference of docs/mapping-xero.md): allocated once, the first time, from a per-target
 * counter, and kept so a retry carries the same number.
 */
int store_serial(struct store *st, const char *target, enum record_kind kind, const char *id,
                 const char *ledger_type, int64_t now_ms, int64_t *serial, struct bs_error *err);

/*
 * A fresh serial from target's counter, written nowhere yet, for a caller
 * that has just read the document's link (store_link_get) in this
 * transaction and found no serial there: the planner, once per document.
 * The caller keeps it in the same transaction, either with the document
 * it numbers (store_outbox_add_rec's `serial`: that outbox row holds it,
 * and the store moves it into links when the record moves on from
 * `queued` or the row is deleted) or in links at once (store_serial_keep).
 * Kept with the document, it costs no links row while planning.
 */
int store_serial_next(struct store *st, const char *target, int64_t *serial, struct bs_error *err);

/* Keep `serial` as kind:id's `ledger_type` document's on target, in links. */
int store_serial_keep(struct store *st, const char *target, enum record_kind kind, const char *id,
                      const char *ledger_type, int64_t serial, int64_t now_ms,
                      struct bs_error *err);

/*
 * Walk callbacks (store_*_each) return 0 to go on, STORE_WALK_STOP to stop
 * early (the walk then returns STORE_WALK_STOP, which is no error), or a
 * negative enum bs_status, which stops the walk and is returned.
 */
#define STORE_WALK_STOP 1

/* Where an outbox operation is.  The store keeps it as text (stores made
 * before the enum), mapped by store_op_status_name alone. */
enum store_op_status {
	STORE_OP_ANY,    /* a filter: every status */
	STORE_OP_READY,  /* planned, not yet frozen */
	STORE_OP_FROZEN, /* frozen into a request, its answer not yet recorded */
	STORE_OP_DONE,   /* the ledger accepted it (or it was found there) */
	STORE_OP_FAILED, /* the ledger refused it */
};

/* Where a request is; kept as text like enum store_op_status. */
enum store_rq_status {
	STORE_RQ_ANY,    /* a filter: every status */
	STORE_RQ_FROZEN, /* frozen with its key; may have been sent */
	STORE_RQ_SENT,   /* sent, answer not recorded (older stores) */
	STORE_RQ_DONE,   /* every member's answer recorded */
};

/* "ready", "frozen", ... as stored; NULL for STORE_OP_ANY. */
const char *store_op_status_name(enum store_op_status s);
const char *store_rq_status_name(enum store_rq_status s);

/* An outbox operation as stored.  Strings valid during the callback. */
struct store_op {
	int64_t id;
	enum record_kind kind;
	const char *record_id;
	const char *doc_type; /* ledger type name */
	const char *op;       /* "create", "update", "void" */
	const char *body;     /* ledger-neutral JSON */
	const char *deps;     /* space-separated symbols */
	enum store_op_status status;
	int64_t request; /* 0 until frozen */
};

typedef int (*store_op_cb)(void *arg, const struct store_op *op);

int store_outbox_add(struct store *st, const char *target, enum record_kind kind, const char *id,
                     const char *doc_type, const char *op, const char *body, const char *deps,
                     int64_t now_ms, int64_t *op_id, struct bs_error *err);

/*
 * The history row of a record's coming move to `queued`, offered with the
 * first outbox row that move writes: from the state `from`, by `actor`,
 * for `reason`, at the row's now_ms.  The outbox row keeps it, and the
 * move (store_state_apply_rec, in the same transaction, from `from` to
 * `queued`) writes no history row of its own: one row and one index entry
 * fewer a planned document.  The held row is written into history, in
 * order, when the record moves on from `queued` or the outbox row is
 * deleted; until then store_history_each shows it from the outbox.  A
 * move that does not match (another from-state, not to `queued`) writes
 * its own row and the offer is withdrawn, so history has the move once
 * whatever the caller does.  Strings are copied; NULL offers nothing.
 */
struct store_held_move {
	enum sync_state from;
	const char *actor;
	const char *reason;
};

/* store_outbox_add for a record the caller read in the open transaction,
 * with the history row of its move to `queued` when `held` is not NULL
 * (above; only the record's first outbox row of the transaction holds
 * it), and the serial of its doc_type document when `serial` > 0
 * (store_serial_next). */
int store_outbox_add_rec(struct store *st, const char *target, const struct store_record_info *rec,
                         const char *doc_type, const char *op, const char *body, const char *deps,
                         int64_t now_ms, const struct store_held_move *held, int64_t serial,
                         int64_t *op_id, struct bs_error *err);

/* Operations on target with `status` (STORE_OP_ANY any), of `doc_type`
 * (NULL any), of `request` (0 any), oldest first.  cb stops the walk as
 * above. */
int store_outbox_each(struct store *st, const char *target, enum store_op_status status,
                      const char *doc_type, int64_t request, store_op_cb cb, void *arg,
                      struct bs_error *err);

/*
 * Set op_id's status and request (0 clears it), or delete the op.  An
 * op_id that is not there is BS_OK and changes nothing.  A request that is
 * not there is BS_ESTORE (a constraint of the store), the op unchanged.
 */
int store_outbox_set(struct store *st, int64_t op_id, enum store_op_status status, int64_t request,
                     struct bs_error *err);
int store_outbox_delete(struct store *st, int64_t op_id, struct bs_error *err);

/* Queued work of kind:id on target: true when an unfinished op exists. */
int store_outbox_has(struct store *st, const char *target, enum record_kind kind, const char *id,
                     bool *has, struct bs_error *err);

struct store_request {
	int64_t id;
	const char *key; /* idempotency key */
	const char *doc_type;
	enum store_rq_status status;
	int64_t created_ms;
};

typedef int (*store_request_cb)(void *arg, const struct store_request *rq);

/*
 * Freeze a request: a new row with a fresh idempotency key (this store's
 * random id + the request number, so two stores never share a key) and
 * status "frozen".  The key goes into key (reset first).
 */
int store_request_create(struct store *st, const char *target, const char *doc_type, int64_t now_ms,
                         int64_t *id, struct buf *key, struct bs_error *err);

/* Set request id's status (now_ms is its sent or done time).  An id that
 * is not there is BS_OK and changes nothing. */
int store_request_set(struct store *st, int64_t id, enum store_rq_status status, int64_t now_ms,
                      struct bs_error *err);

/* Requests on target with `status` (STORE_RQ_ANY any), oldest first.  cb
 * stops the walk as above. */
int store_requests_each(struct store *st, const char *target, enum store_rq_status status,
                        store_request_cb cb, void *arg, struct bs_error *err);

/* --- jobs (`booksync serve`'s sync jobs, src/api/api_jobs.c) ---------- */

/* One sync job as stored.  Plain data; the store does not interpret state
 * or phase beyond the allowed states. */
struct store_job {
	int64_t id;
	char target[128];
	char origin[16]; /* "api", "dashboard", "schedule" */
	char state[12];  /* "queued", "running", "done", "failed" */
	char phase[12];  /* "target", "lock", "session", "plan", "send", "done" */
	int64_t posted, failed, calls, total; /* progress */
	bool has_summary;
	int64_t s_posted, s_failed, s_skipped, s_waiting, s_calls;
	int64_t rate_limited; /* 429 answers the job met */
	char message[512];
	int64_t created_ms, started_ms, finished_ms; /* Unix ms; 0 = not yet */
	/* who runs it: "" the serve that was asked (in memory, api_jobs.c),
	 * "fleet" any fleet worker (worker/worker.h), which takes it with
	 * store_job_take; set when it is added, never changed */
	char runner[8];
	char worker[64]; /* the fleet worker ("<id>/<thread>") that took it last, or "" */
};

/*
 * Insert job j (its id is ignored) with its request JSON; the new id into
 * j->id.  Ids are never reused.  `same`, when not NULL, is what makes two
 * jobs the same sync (sync_job_spec.key): while a job of the same `same`
 * is queued or running, nothing is inserted, BS_ECONFLICT is returned and
 * that job is read into *twin (when not NULL).  The test and the insert
 * are one statement, so two processes sharing the store never both add.
 */
int store_job_add(struct store *st, struct store_job *j, const char *request, const char *same,
                  struct store_job *twin, struct bs_error *err);

/* Write j's state, phase, progress, summary, message and times (by id; the
 * target, origin, runner and request never change).  Only while the row's
 * worker is j->worker: a fleet job another worker has taken since is
 * not overwritten.  BS_ENOTFOUND for no such id, or another's. */
int store_job_update(struct store *st, const struct store_job *j, struct bs_error *err);

/*
 * A fleet worker that holds target's lease takes the oldest of target's
 * fleet jobs (runner "fleet") that is queued, or running under another
 * worker (which held the lease before and died, or lost it): the row is
 * marked running under `worker`, started at now_ms if it had not
 * started, and read into *out, its request into request (may be NULL).
 * One transaction.  BS_ENOTFOUND when there is none.
 */
int store_job_take(struct store *st, const char *target, const char *worker, int64_t now_ms,
                   struct store_job *out, struct buf *request, struct bs_error *err);

/* Job id into *out and its request into request (may be NULL); BS_ENOTFOUND. */
int store_job_get(struct store *st, int64_t id, struct store_job *out, struct buf *request,
                  struct bs_error *err);

typedef int (*store_job_cb)(void *arg, const struct store_job *j, const char *request);

/* Up to limit jobs with id < before (0: from the newest), newest first.
 * cb stops the walk by returning non-zero, which is returned. */
int store_jobs_page(struct store *st, int64_t before, size_t limit, store_job_cb cb, void *arg,
                    struct bs_error *err);

/* The jobs of target (NULL: of every target) that are queued or running,
 * oldest first, as store_jobs_page hands them. */
int store_jobs_open(struct store *st, const char *target, store_job_cb cb, void *arg,
                    struct bs_error *err);

/* The newest ended job ("done" or "failed") of each target, by target. */
int store_jobs_last(struct store *st, store_job_cb cb, void *arg, struct bs_error *err);

/* What GET /metrics counts (store_metrics_each). */
enum store_metric {
	STORE_METRIC_STATES,   /* (target, state, tab, records) */
	STORE_METRIC_OUTBOX,   /* (target, "", "", operations not done: ready or frozen) */
	STORE_METRIC_REQUESTS, /* (target, "", "", requests frozen since since_ms) */
	STORE_METRIC_429,      /* (target, "", "", 429 answers met by jobs) */
};

typedef int (*store_metric_cb)(void *arg, const char *target, const char *a, const char *b,
                               int64_t n);

/* The rows of metric m, by target; cb stops the walk as above.  STATES
 * reads every state row: about a second at a million records. */
int store_metrics_each(struct store *st, enum store_metric m, int64_t since_ms, store_metric_cb cb,
                       void *arg, struct bs_error *err);

/* Mark every queued or running job of a serve's own (runner "") failed
 * with `message` at now_ms (a server that stopped without ending them; the
 * fleet's jobs are the fleet's); how many into *n (may be NULL). */
int store_jobs_abandon(struct store *st, const char *message, int64_t now_ms, int64_t *n,
                       struct bs_error *err);

/* --- paged listings (the REST API) -------------------------------------- */

/* The states of `pending` and of `errors`, as masks of 1u << enum sync_state. */
#define STORE_MASK_PENDING (1u << SYNC_NOT_IMPORTED | 1u << SYNC_CHANGED | 1u << SYNC_WAITING)
#define STORE_MASK_ERRORS  (1u << SYNC_ERROR)

/* A row's place in the listing order: tab, date, kind, id (as store_pending_each). */
struct store_row_key {
	const char *tab;
	const char *date;
	enum record_kind kind;
	const char *id;
};

/*
 * One page of the rows store_pending_each / store_state_each list: rows
 * whose state is in `state_mask` on `target` (NULL: before any connection
 * every record is not_imported), on `tab` (a tab or group; NULL or "" for
 * all), strictly after `after` in the listing order (NULL for the first
 * page), at most `limit` of them, each with its contact.  Pages follow a
 * key, never an offset, so a page costs about its own rows however deep it
 * is: the walk goes down an index in listing order when many rows match
 * (at most two windows of 10,000 records, then the matching rows after
 * them are sorted when they are fewer than 20,000), or sorts the matching
 * rows when few do (up to 4,000).
 * A non-zero return from cb stops the walk and is returned.
 */
int store_rows_page(struct store *st, const char *target, unsigned state_mask, const char *tab,
                    const struct store_row_key *after, size_t limit, store_row_cb cb, void *arg,
                    struct bs_error *err);

/* Per tab: the rows pending and the rows in error on target (NULL: every
 * record pending, none in error), refused re-imports counted as errors.
 * Tabs with neither are not reported; a tab may be reported more than
 * once, so add the figures up. */
typedef int (*store_tab_count_cb)(void *arg, const char *tab, int64_t pending, int64_t errors);
int store_tab_counts(struct store *st, const char *target, store_tab_count_cb cb, void *arg,
                     struct bs_error *err);

/* One day's activity on a target (stats): documents that reached the ledger
 * (moved to imported or consolidated) and requests made, by UTC day. */
struct store_day {
	const char *target;
	const char *day; /* "YYYY-MM-DD" */
	int64_t posted;
	int64_t calls;
};
typedef int (*store_day_cb)(void *arg, const struct store_day *d);

/* Every ledger document kind:id is linked to, on every target, by target
 * then type; ledger_id "" while only a serial is allocated (in links, or
 * held by the document's outbox row: store_serial_next). */
typedef int (*store_link_cb)(void *arg, const char *target, const char *ledger_type,
                             const struct store_link *link);
int store_links_each(struct store *st, enum record_kind kind, const char *id, store_link_cb cb,
                     void *arg, struct bs_error *err);

/* Days from since_ms on (oldest first, then by target); days with neither
 * a document nor a request are not reported. */
int store_days_each(struct store *st, const char *target, int64_t since_ms, store_day_cb cb,
                    void *arg, struct bs_error *err);

#endif
