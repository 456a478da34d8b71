/*
 * tstore.h - a store in a fresh temporary directory, for the unit tests
 * that need a real one, and its removal afterwards.
 *
 * Header-only (static functions): each unit test is one program of one
 * translation unit, built by a glob in CMakeLists.txt.
 *
 * With $BOOKSYNC_TEST_PG (the address of a PostgreSQL server the harness
 * started: tests/integration/lib/with_pg.sh) a store is a fresh schema
 * there instead of a file, so the same cases assert the same behaviour on
 * both engines; CTest runs the store's tests once each way.
 */
#ifndef BS_TESTS_TSTORE_H
#define BS_TESTS_TSTORE_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "store/db.h"
#include "store/store.h"

#include <sqlite3.h>

/* The PostgreSQL server's address, or NULL to test on SQLite files. */
static inline const char *tstore_pg(void)
{
	const char *v = getenv("BOOKSYNC_TEST_PG");

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/*
 * Where a test's store named `name` goes: <dir>/<name>.db, or on
 * PostgreSQL a schema of its own (name, pid and a count: tests of one
 * program never share one).  out must hold 512 bytes.
 */
static inline void tstore_db_path(char *out, size_t cap, const char *dir, const char *name)
{
	static int n;

	if (tstore_pg() == NULL)
		snprintf(out, cap, "%s/%s.db", dir, name);
	else
		snprintf(out, cap, "%s%sschema=t_%s_%d_%d", tstore_pg(),
		         strchr(tstore_pg(), '?') != NULL ? "&" : "?", name, (int)getpid(), ++n);
}

/* The schema of the PostgreSQL store at path, into name[64]; false when
 * not testing on PostgreSQL or path names none. */
static inline bool tstore_schema(const char *path, char name[64])
{
	struct bs_error err;
	struct buf conninfo;
	bool ok;

	if (tstore_pg() == NULL || !store_path_is_pg(path))
		return false;
	buf_init(&conninfo, 4096);
	ok = store_pg_split(path, &conninfo, name, 64, &err) == BS_OK;
	buf_free(&conninfo);
	return ok;
}

/* Remove a PostgreSQL store's schema (files go with their directory). */
static inline void tstore_db_drop(const char *path)
{
	char name[64], sql[160];
	PGconn *c;

	if (!tstore_schema(path, name))
		return;
	snprintf(sql, sizeof(sql), "SET client_min_messages TO warning; DROP SCHEMA \"%s\" CASCADE",
	         name);
	c = PQconnectdb(tstore_pg());
	PQclear(PQexec(c, sql));
	PQfinish(c);
}

/*
 * A second connection to the store at path, for a test to read what
 * another process would see, behind the store's back (db.h; close it with
 * db_close).  NULL if it cannot connect.
 */
static inline struct db *tstore_side(const char *path)
{
	struct db *db = NULL;

	if (tstore_pg() != NULL) {
		char name[64], msg[256];

		if (!tstore_schema(path, name))
			return NULL;
		if (db_pg_connect(tstore_pg(), name, &db, msg, sizeof(msg)) != DB_OK)
			return NULL;
	} else {
		sqlite3 *h = NULL;

		if (sqlite3_open(path, &h) != SQLITE_OK || (db = db_sqlite_wrap(h)) == NULL)
			sqlite3_close(h);
	}
	return db;
}

/* Skip a test of SQLite's own files (cmocka's skip) on PostgreSQL. */
#define TSTORE_SQLITE_ONLY()                                                                       \
	do {                                                                                       \
		if (tstore_pg() != NULL)                                                           \
			skip();                                                                    \
	} while (0)

struct tstore {
	char dir[64];   /* /tmp/bs-test-<tag>-XXXXXX */
	char path[512]; /* <dir>/t.db, or a PostgreSQL schema's address */
	struct store *st;
};

/* Creates the directory and the store in it.  0, or -1 with nothing left
 * behind but perhaps the empty directory. */
static inline int tstore_open(struct tstore *t, const char *tag)
{
	struct bs_error err;

	snprintf(t->dir, sizeof(t->dir), "/tmp/bs-test-%s-XXXXXX", tag);
	if (mkdtemp(t->dir) == NULL)
		return -1;
	tstore_db_path(t->path, sizeof(t->path), t->dir, tag);
	return store_open(t->path, STORE_OPEN_CREATE, &t->st, &err) == BS_OK ? 0 : -1;
}

/* Closes the store and removes the directory.  0, or -1 if removal failed. */
static inline int tstore_close(struct tstore *t)
{
	char cmd[160];

	store_close(t->st);
	t->st = NULL;
	tstore_db_drop(t->path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Put kind:id on `tab` into st, with a small body of its own ({"id","kind"})
 * and a hash made from the body's bytes: a record for tests of the store's
 * contract, not of the source format.  0, or -1 with the words in err.
 */
static inline int tstore_put(struct store *st, const struct store_actor *who, enum record_kind kind,
                             const char *id, const char *tab, struct bs_error *err)
{
	enum store_put_result res;
	struct record r;
	int rc;

	record_init(&r);
	r.kind = kind;
	snprintf(r.id, sizeof(r.id), "%s", id);
	r.tab = tab;
	snprintf(r.date, sizeof(r.date), "2026-10-01");
	buf_printf(&r.canonical, "{\"id\":\"%s\",\"kind\":%d}", id, (int)kind);
	memset(r.hash, 0, sizeof(r.hash));
	for (size_t i = 0; i < r.canonical.len; i++)
		r.hash[i % RECORD_HASH_LEN] ^= (unsigned char)(r.canonical.ptr[i] + i);
	rc = store_record_put(st, &r, who, &res, err);
	record_release(&r);
	return rc == BS_OK ? 0 : -1;
}

#endif
