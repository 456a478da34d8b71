/*
 * db_sqlite.c - db.h over SQLite: each call is SQLite's own.
 *
 * A statement is SQLite's, wrapped so db.h's dispatch finds its driver:
 * the wrapper costs one allocation per prepare and one indirect call per
 * step, bind or column, which the store's cached statements pay once per
 * connection and per row.
 */
#include "store/db.h"

#include <sqlite3.h>
#include <stdlib.h>

struct dbs {
	struct db base;
	sqlite3 *h;
};

struct dbs_stmt {
	struct db_stmt base;
	sqlite3_stmt *q;
};

static const struct db_ops dbs_ops;

static sqlite3_stmt *S(struct db_stmt *q)
{
	return ((struct dbs_stmt *)q)->q;
}
static sqlite3 *H(struct db *db)
{
	return ((struct dbs *)db)->h;
}

static int dbs_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct dbs_stmt *w = malloc(sizeof(*w));
	int rc;

	*out = NULL;
	if (w == NULL)
		return DB_NOMEM;
	rc = sqlite3_prepare_v3(H(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &w->q, NULL);
	if (rc != SQLITE_OK) {
		free(w);
		return rc & 0xff;
	}
	w->base.ops = &dbs_ops;
	*out = &w->base;
	return DB_OK;
}

static int dbs_exec(struct db *db, const char *sql)
{
	return sqlite3_exec(H(db), sql, NULL, NULL, NULL) & 0xff;
}

static int64_t dbs_changes(struct db *db)
{
	return sqlite3_changes(H(db));
}
static int64_t dbs_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(H(db));
}
static const char *dbs_errmsg(struct db *db)
{
	return sqlite3_errmsg(H(db));
}

static void dbs_close(struct db *db)
{
	sqlite3_close(H(db));
	free(db);
}

static int dbs_step(struct db_stmt *q)
{
	int rc = sqlite3_step(S(q));

	return rc == SQLITE_ROW || rc == SQLITE_DONE ? rc : rc & 0xff;
}

static void dbs_reset(struct db_stmt *q)
{
	sqlite3_reset(S(q));
}
static void dbs_clear(struct db_stmt *q)
{
	sqlite3_clear_bindings(S(q));
}

static void dbs_finalize(struct db_stmt *q)
{
	sqlite3_finalize(S(q));
	free(q);
}

static int dbs_bind_int64(struct db_stmt *q, int i, int64_t v)
{
	return sqlite3_bind_int64(S(q), i, v);
}

static int dbs_bind_text(struct db_stmt *q, int i, const char *s, int n, bool copy)
{
	return sqlite3_bind_text(S(q), i, s, n, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

static int dbs_bind_blob(struct db_stmt *q, int i, const void *p, int n)
{
	return sqlite3_bind_blob(S(q), i, p, n, SQLITE_TRANSIENT);
}

static int dbs_bind_null(struct db_stmt *q, int i)
{
	return sqlite3_bind_null(S(q), i);
}
static int64_t dbs_col_int64(struct db_stmt *q, int i)
{
	return sqlite3_column_int64(S(q), i);
}

static const char *dbs_col_text(struct db_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(S(q), i);
}

static const void *dbs_col_blob(struct db_stmt *q, int i)
{
	return sqlite3_column_blob(S(q), i);
}
static int dbs_col_bytes(struct db_stmt *q, int i)
{
	return sqlite3_column_bytes(S(q), i);
}
static int dbs_col_count(struct db_stmt *q)
{
	return sqlite3_column_count(S(q));
}

static const struct db_ops dbs_ops = {
    .engine = DB_SQLITE,
    .prepare = dbs_prepare,
    .exec = dbs_exec,
    .changes = dbs_changes,
    .last_insert_id = dbs_last_insert_id,
    .errmsg = dbs_errmsg,
    .close = dbs_close,
    .step = dbs_step,
    .reset = dbs_reset,
    .clear = dbs_clear,
    .finalize = dbs_finalize,
    .bind_int64 = dbs_bind_int64,
    .bind_text = dbs_bind_text,
    .bind_blob = dbs_bind_blob,
    .bind_null = dbs_bind_null,
    .col_int64 = dbs_col_int64,
    .col_text = dbs_col_text,
    .col_blob = dbs_col_blob,
    .col_bytes = dbs_col_bytes,
    .col_count = dbs_col_count,
};

struct db *db_sqlite_wrap(struct sqlite3 *handle)
{
	struct dbs *d = malloc(sizeof(*d));

	if (d == NULL)
		return NULL;
	d->base.ops = &dbs_ops;
	d->h = handle;
	return &d->base;
}

struct sqlite3 *db_sqlite_handle(struct db *db)
{
	return db != NULL && db->ops == &dbs_ops ? H(db) : NULL;
}
