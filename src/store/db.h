/*
 * db.h - one small SQL interface over SQLite and PostgreSQL.
 *
 * The store's queries are written once (store_sql*.c) and run on either
 * engine through this interface, which is SQLite's own shape: prepare,
 * bind, step through rows, read columns, reset.  db_sqlite.c passes each
 * call to SQLite; db_pg.c runs the statement with libpq when it is first
 * stepped and walks the rows of the result it holds.
 *
 * The SQL is SQLite's dialect where the two agree, which is almost
 * everywhere the store goes.  The PostgreSQL driver rewrites only the
 * parameters (`?N` to `$N`, a bare `?` to the next number, as SQLite
 * numbers them) and `BEGIN IMMEDIATE` (to `BEGIN`, then a transaction-long
 * lock on the store's schema, which is what IMMEDIATE means: one writer at
 * a time).  The functions SQLite has and PostgreSQL lacks (json_extract,
 * date(secs, 'unixepoch'), group_concat) are made in the store's schema
 * when it is created (store_pg_open.c).  Where the dialects differ
 * otherwise, the caller asks db_engine().
 *
 * Result codes are SQLite's numbers (DB_OK, DB_ROW, DB_DONE, ...), so an
 * error maps to a bs_status in one place (sq_fail); db_errmsg() has the
 * engine's words.  Memory: a statement belongs to its connection and is
 * finalized by the caller before the connection is closed; text and blobs
 * read from a row stay valid until the statement steps, resets or is
 * finalized.  Text bound with db_bind_text must stay valid until the
 * statement is reset (SQLite's SQLITE_STATIC); db_bind_text_copy copies.
 * Not thread-safe: one connection per thread.
 */
#ifndef BS_STORE_DB_H
#define BS_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

/* SQLite's numbers, so db_sqlite.c passes them through. */
enum db_rc {
	DB_OK = 0,
	DB_ERROR = 1,
	DB_BUSY = 5,
	DB_LOCKED = 6,
	DB_NOMEM = 7,
	DB_READONLY = 8,
	DB_CONSTRAINT = 19,
	DB_MISUSE = 21,
	DB_ROW = 100,
	DB_DONE = 101,
};

enum db_engine { DB_SQLITE, DB_POSTGRES };

/* The two drivers, as db.c's dispatch sees them (db_sqlite.c, db_pg.c). */
struct db_ops {
	enum db_engine engine;
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
	int (*exec)(struct db *db, const char *sql);
	int64_t (*changes)(struct db *db);
	int64_t (*last_insert_id)(struct db *db);
	const char *(*errmsg)(struct db *db);
	void (*close)(struct db *db);
	int (*step)(struct db_stmt *q);
	void (*reset)(struct db_stmt *q);
	void (*clear)(struct db_stmt *q);
	void (*finalize)(struct db_stmt *q);
	int (*bind_int64)(struct db_stmt *q, int i, int64_t v);
	int (*bind_text)(struct db_stmt *q, int i, const char *s, int n, bool copy);
	int (*bind_blob)(struct db_stmt *q, int i, const void *p, int n);
	int (*bind_null)(struct db_stmt *q, int i);
	int64_t (*col_int64)(struct db_stmt *q, int i);
	const char *(*col_text)(struct db_stmt *q, int i);
	const void *(*col_blob)(struct db_stmt *q, int i);
	int (*col_bytes)(struct db_stmt *q, int i);
	int (*col_count)(struct db_stmt *q);
};

/* What both drivers' structs begin with. */
struct db {
	const struct db_ops *ops;
};
struct db_stmt {
	const struct db_ops *ops;
};

/* Wrap an open SQLite connection (db_sqlite.c).  The struct db takes it
 * over: db_close closes it.  NULL when out of memory (nothing taken). */
struct sqlite3;
struct db *db_sqlite_wrap(struct sqlite3 *handle);
/* The SQLite connection under db (the SQLite backend's own PRAGMAs). */
struct sqlite3 *db_sqlite_handle(struct db *db);

/* The file's page size (a new file's, once set: the size it will have),
 * or -1 (not SQLite's, or unreadable). */
int64_t db_sqlite_page_size(struct db *db);

/*
 * Checkpoint the WAL of db's connection from a thread with its own
 * connection to the same file (by the absolute name SQLite opened),
 * instead of inside the commit that crosses SQLite's 1,000 frames: a
 * writer that commits often (the planner, an import) then does not wait
 * for the copying and its fsync, which run on another core.  The thread
 * starts at the first commit that needs it and is stopped by db_close,
 * before the connection's own last checkpoint.  A commit that finds the
 * WAL holding 64 MiB (in frames of the file's page size) checkpoints
 * itself, so the WAL stays bounded when the thread falls behind.
 * DB_MISUSE for a connection that is not SQLite's, has one already or is
 * on no file; DB_ERROR when its page size cannot be read; DB_NOMEM.  For
 * a writable connection on a file in WAL mode, after its page size is
 * set.
 */
int db_sqlite_checkpoint_aside(struct db *db);

/*
 * The checkpoints db's checkpointer has run; with `wait`, after the one a
 * commit asked for, if any, is done.  0 without a checkpointer.  For tests.
 */
unsigned long db_sqlite_checkpoints(struct db *db, bool wait);

/*
 * Connect to PostgreSQL (db_pg.c).  `conninfo` is libpq's (a
 * postgresql:// URI or key=value words); `schema`, if not NULL, is set as
 * the search_path of the session.  DB_OK with *out, else an error code
 * with the words in msg[cap].
 */
int db_pg_connect(const char *conninfo, const char *schema, struct db **out, char *msg, size_t cap);

static inline enum db_engine db_engine(const struct db *db)
{
	return db->ops->engine;
}

/* Prepare sql (one statement) into *out: DB_OK or an error code. */
static inline int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	return db->ops->prepare(db, sql, out);
}
/* Run sql, one or more statements separated by ';', discarding rows. */
static inline int db_exec(struct db *db, const char *sql)
{
	return db->ops->exec(db, sql);
}
/* Rows changed by the last INSERT, UPDATE or DELETE stepped to its end. */
static inline int64_t db_changes(struct db *db)
{
	return db->ops->changes(db);
}
/* The key of the row the last successful INSERT made (an INTEGER PRIMARY
 * KEY, on PostgreSQL a BIGSERIAL); unspecified when it made none. */
static inline int64_t db_last_insert_id(struct db *db)
{
	return db->ops->last_insert_id(db);
}
/* The engine's words about the last failure; valid until the next call. */
static inline const char *db_errmsg(struct db *db)
{
	return db->ops->errmsg(db);
}
/* Close the connection; NULL is ignored.  Every statement must be
 * finalized first. */
static inline void db_close(struct db *db)
{
	if (db != NULL)
		db->ops->close(db);
}

/* DB_ROW with a row to read, DB_DONE at the end, else an error code.  As
 * SQLite's, the statement functions take a NULL statement: an error for
 * db_step, nothing for db_reset and db_clear_bindings. */
static inline int db_step(struct db_stmt *q)
{
	return q != NULL ? q->ops->step(q) : DB_ERROR;
}
/* Back to before the first step; the bindings stay. */
static inline void db_reset(struct db_stmt *q)
{
	if (q != NULL)
		q->ops->reset(q);
}
/* Every parameter back to NULL. */
static inline void db_clear_bindings(struct db_stmt *q)
{
	if (q != NULL)
		q->ops->clear(q);
}
/* Free the statement; NULL is ignored. */
static inline void db_finalize(struct db_stmt *q)
{
	if (q != NULL)
		q->ops->finalize(q);
}

/* Parameters are numbered from 1. */
static inline int db_bind_int64(struct db_stmt *q, int i, int64_t v)
{
	return q->ops->bind_int64(q, i, v);
}
/* s NULL binds NULL. */
static inline int db_bind_text(struct db_stmt *q, int i, const char *s)
{
	return q->ops->bind_text(q, i, s, -1, false);
}
/* s[0..n) (n < 0: to the NUL), copied now. */
static inline int db_bind_text_copy(struct db_stmt *q, int i, const char *s, int n)
{
	return q->ops->bind_text(q, i, s, n, true);
}
static inline int db_bind_blob(struct db_stmt *q, int i, const void *p, int n)
{
	return q->ops->bind_blob(q, i, p, n);
}
static inline int db_bind_null(struct db_stmt *q, int i)
{
	return q->ops->bind_null(q, i);
}

/* Columns are numbered from 0.  NULL reads as 0 and as a NULL pointer. */
static inline int64_t db_col_int64(struct db_stmt *q, int i)
{
	return q->ops->col_int64(q, i);
}
static inline int db_col_int(struct db_stmt *q, int i)
{
	return (int)q->ops->col_int64(q, i);
}
static inline const char *db_col_text(struct db_stmt *q, int i)
{
	return q->ops->col_text(q, i);
}
static inline const void *db_col_blob(struct db_stmt *q, int i)
{
	return q->ops->col_blob(q, i);
}
/* The length in bytes of column i's text or blob, as last read. */
static inline int db_col_bytes(struct db_stmt *q, int i)
{
	return q->ops->col_bytes(q, i);
}
static inline int db_col_count(struct db_stmt *q)
{
	return q->ops->col_count(q);
}

#endif
