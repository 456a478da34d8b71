/*
 * db_pg_int.h - the PostgreSQL side's pure rewrites, for their tests.
 *
 * db_pg_translate turns the store's SQL (SQLite's dialect, db.h) into
 * PostgreSQL's: `?N` to `$N`, a bare `?` to the number after the largest
 * so far, SQLite's planner hints (`INDEXED BY name`, a unary `+` before a
 * column) dropped; quoted text and `--` comments are copied as they are.
 * store_pg_rewrite does the same for a migration's DDL (store_pg_open.c:
 * the types, WITHOUT ROWID, the reserved word user, ...).
 */
#ifndef BS_STORE_DB_PG_INT_H
#define BS_STORE_DB_PG_INT_H

#include "core/buf.h"

/* The rewritten SQL (malloc'd: the caller frees it) and in *nparams the
 * number of parameters; NULL when out of memory. */
char *db_pg_translate(const char *sql, int *nparams);

/* A migration of schema.c in PostgreSQL's words, into out (reset first). */
int store_pg_rewrite(const char *sqlite_ddl, struct buf *out);

#endif
