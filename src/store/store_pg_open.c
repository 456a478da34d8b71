/*
 * store_pg_open.c - opening a store in PostgreSQL (store.h, store_open
 * with a postgresql:// address).
 *
 * One store is one PostgreSQL schema: `?schema=NAME` in the address (else
 * "booksync") names it, and the session's search_path is set to it, so the
 * shared queries (store_sql*.c) name their tables bare as on SQLite.  One
 * organisation's store per schema keeps its data apart for export and
 * deletion and lets many stores share one server (docs/scale-out.md).
 *
 * The schema is SQLite's, migration for migration (schema.c): each is
 * rewritten for PostgreSQL by pg_ddl() below -- INTEGER to BIGINT (money
 * is int64 micros), an INTEGER PRIMARY KEY to BIGSERIAL, BLOB to BYTEA,
 * TEXT to TEXT COLLATE "C" (SQLite compares text byte by byte, and the
 * listings page by key in that order), WITHOUT ROWID dropped, the column
 * named user quoted -- and applied in its own transaction with its number
 * written to schema_version, so version N means the same tables on both
 * engines.  Before the first, the functions SQLite has and PostgreSQL
 * lacks are made in the schema (json_extract, date(secs, 'unixepoch'),
 * group_concat).
 */
#include "core/buf.h"
#include "store/db_pg_int.h"
#include "store/schema.h"
#include "store/store_sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The schema's prologue: its version table and SQLite's functions. */
static const char pg_prologue[] =
    "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);\n"
    "CREATE OR REPLACE FUNCTION json_extract(body text, path text) RETURNS text\n"
    "  LANGUAGE sql IMMUTABLE AS\n"
    "  $$ SELECT (body::jsonb) #>> string_to_array(substr(path, 3), '.') $$;\n"
    "CREATE OR REPLACE FUNCTION date(secs bigint, modifier text) RETURNS text\n"
    "  LANGUAGE sql IMMUTABLE AS\n"
    "  $$ SELECT to_char(to_timestamp(secs) AT TIME ZONE 'UTC', 'YYYY-MM-DD') $$;\n"
    "CREATE OR REPLACE FUNCTION bs_concat_step(acc text, val text, sep text) RETURNS text\n"
    "  LANGUAGE sql IMMUTABLE AS\n"
    "  $$ SELECT CASE WHEN val IS NULL THEN acc WHEN acc IS NULL THEN val\n"
    "                 ELSE acc || sep || val END $$;\n"
    "CREATE OR REPLACE AGGREGATE group_concat(text, text)\n"
    "  (SFUNC = bs_concat_step, STYPE = text);\n";

/* SQLite's words in a migration and PostgreSQL's, in the order tried. */
static const struct {
	const char *from, *to;
} pg_words[] = {
    {"INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY"},
    {"INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY"},
    {"INTEGER", "BIGINT"},
    {"BLOB", "BYTEA"},
    {"TEXT", "TEXT COLLATE \"C\""},
    {") WITHOUT ROWID;", ");"},
    /* a reserved word in PostgreSQL (the session's user) */
    {"  user TEXT", "  \"user\" TEXT COLLATE \"C\""},
    {"sessions(user)", "sessions(\"user\")"},
    /* the first schema refers to requests before making it, which
     * PostgreSQL does not allow: the key is added after (below) */
    {"request INTEGER REFERENCES requests(id)", "request BIGINT"},
    /* the reverse lookup's index, ledger id first: as SQLite's, PostgreSQL
     * would take it for the lookup by source id (its prefix matches two of
     * the key's four columns) while the table has no statistics yet, and
     * walk every link of the type; the same lookups use it either way */
    {"links_by_ledger ON links(target, ledger_type, ledger_id)",
     "links_by_ledger ON links(ledger_id, target, ledger_type)"},
};

int store_pg_rewrite(const char *sqlite_ddl, struct buf *out)
{
	const char *s = sqlite_ddl;
	int rc = BS_OK;

	buf_reset(out);
	while (rc == BS_OK && *s != '\0') {
		size_t k = 0, n = sizeof(pg_words) / sizeof(pg_words[0]);
		/* words only at a word's start (INTEGER, not ...INTEGER) */
		bool start = s == sqlite_ddl || !((s[-1] >= 'A' && s[-1] <= 'Z') ||
		                                  (s[-1] >= 'a' && s[-1] <= 'z') || s[-1] == '_');

		for (; start && k < n; k++)
			if (strncmp(s, pg_words[k].from, strlen(pg_words[k].from)) == 0)
				break;
		if (start && k < n) {
			rc = buf_addstr(out, pg_words[k].to);
			s += strlen(pg_words[k].from);
		} else {
			rc = buf_add(out, s, 1);
			s++;
		}
	}
	return rc;
}

/* Migration i (0-based) for PostgreSQL into out. */
static int pg_ddl(int i, struct buf *out)
{
	int rc = store_pg_rewrite(store_sqlite_migrations[i], out);

	if (rc == BS_OK && i == 0)
		rc = buf_addstr(out, "ALTER TABLE outbox ADD FOREIGN KEY (request)"
		                     " REFERENCES requests(id);\n");
	return rc;
}

/* The schema's version: 0 when it has no version table yet. */
static int pg_version(struct sq_store *s, int *version, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc =
	    db_prepare(s->db,
	               "SELECT count(*) FROM information_schema.tables"
	               " WHERE table_schema = current_schema() AND table_name = 'schema_version'",
	               &q);

	*version = 0;
	if (rc == DB_OK && (rc = db_step(q)) == DB_ROW) {
		rc = DB_OK;
		if (db_col_int64(q, 0) == 0) {
			db_finalize(q);
			return BS_OK;
		}
	}
	db_finalize(q);
	if (rc != DB_OK)
		return sq_fail(s, rc, err, "reading the schema version");
	return sq_schema_version(&s->base, version, err);
}

/* Bring the schema up to date, one migration per transaction. */
static int pg_migrate(struct sq_store *s, struct bs_error *err)
{
	struct buf ddl;
	int version = 0, rc;

	buf_init(&ddl, 1 << 20);
	if ((rc = tx_enter(s, err)) != BS_OK)
		goto out;
	/* under the writer lock: a second process waits, then sees it done */
	rc = pg_version(s, &version, err);
	if (rc == BS_OK && version == 0)
		rc = sq_exec(s, pg_prologue, err, "making the store");
	if ((rc = tx_leave(s, rc, err)) != BS_OK)
		goto out;
	if (version > store_sqlite_migration_count) {
		rc = bs_error_set(err, BS_ESTORE,
		                  "the store is at schema version %d, newer than this booksync "
		                  "(%d): upgrade booksync",
		                  version, store_sqlite_migration_count);
		goto out;
	}
	while (version < store_sqlite_migration_count) {
		char sql[64];

		if ((rc = tx_enter(s, err)) != BS_OK)
			break;
		rc = pg_version(s, &version, err); /* another process may have moved it */
		if (rc == BS_OK && version < store_sqlite_migration_count)
			rc = pg_ddl(version, &ddl);
		if (rc == BS_OK && version < store_sqlite_migration_count)
			rc = sq_exec(s, buf_cstr(&ddl), err, "migrating the store");
		if (rc == BS_OK && version < store_sqlite_migration_count) {
			snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES(%d)",
			         version + 1);
			rc = sq_exec(s, sql, err, "migrating the store");
		}
		if ((rc = tx_leave(s, rc, err)) != BS_OK)
			break;
		if (version < store_sqlite_migration_count)
			version++;
	}
out:
	buf_free(&ddl);
	return rc;
}

/*
 * Split "postgresql://...?a=b&schema=NAME&c=d" into libpq's address
 * without schema= (conninfo) and the schema's name.  A name is letters,
 * digits and '_', up to 63 bytes, not starting with a digit.
 */
int store_pg_split(const char *path, struct buf *conninfo, char *schema, size_t cap,
                   struct bs_error *err)
{
	const char *q = strchr(path, '?');
	const char *p;
	int rc;

	snprintf(schema, cap, "booksync");
	buf_reset(conninfo);
	rc = buf_add(conninfo, path, q != NULL ? (size_t)(q - path) : strlen(path));
	for (p = q != NULL ? q + 1 : NULL; rc == BS_OK && p != NULL && *p != '\0';) {
		const char *amp = strchr(p, '&');
		size_t len = amp != NULL ? (size_t)(amp - p) : strlen(p);

		if (len > 7 && strncmp(p, "schema=", 7) == 0) {
			if (len - 7 >= cap || len - 7 > 63)
				return bs_error_set(err, BS_EINVAL, "the schema name is too long");
			memcpy(schema, p + 7, len - 7);
			schema[len - 7] = '\0';
		} else if (len > 0) {
			rc = buf_addstr(conninfo, strchr(buf_cstr(conninfo), '?') ? "&" : "?");
			if (rc == BS_OK)
				rc = buf_add(conninfo, p, len);
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
	if (rc != BS_OK)
		return rc;
	for (const char *c = schema; *c != '\0'; c++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' ||
		          (*c >= '0' && *c <= '9' && c != schema);

		if (!ok)
			return bs_error_set(err, BS_EINVAL,
			                    "schema '%s': use letters, digits and '_' only",
			                    schema);
	}
	return BS_OK;
}

/* Whether the schema is there. */
static int pg_schema_exists(struct sq_store *s, const char *schema, bool *yes, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = db_prepare(s->db, "SELECT count(*) FROM pg_namespace WHERE nspname = ?1", &q);

	if (rc == DB_OK) {
		db_bind_text(q, 1, schema);
		rc = db_step(q);
	}
	if (rc == DB_ROW) {
		*yes = db_col_int64(q, 0) > 0;
		rc = DB_OK;
	}
	db_finalize(q);
	return rc == DB_OK ? BS_OK : sq_fail(s, rc, err, "opening the store");
}

int store_pg_open(const char *path, unsigned flags, struct store **out, struct bs_error *err)
{
	struct sq_store *s = NULL;
	struct buf conninfo;
	char schema[64], msg[512];
	bool exists = false;
	int rc;

	*out = NULL;
	buf_init(&conninfo, 4096);
	if ((rc = store_pg_split(path, &conninfo, schema, sizeof(schema), err)) != BS_OK)
		goto out;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	s->base.ops = &sq_ops;
	s->ntargets = -1;
	s->refusals = -1;
	if (db_pg_connect(buf_cstr(&conninfo), schema, &s->db, msg, sizeof(msg)) != DB_OK) {
		rc = bs_error_set(err, BS_ESTORE, "cannot open the store (PostgreSQL): %s", msg);
		goto out;
	}
	if ((rc = pg_schema_exists(s, schema, &exists, err)) != BS_OK)
		goto out;
	if (!exists && !(flags & STORE_OPEN_CREATE)) {
		rc = bs_error_set(err, BS_ENOTFOUND,
		                  "no store in schema '%s': run 'booksync init' first", schema);
		goto out;
	}
	if (!exists) {
		char sql[128];

		snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS \"%s\"", schema);
		if ((rc = sq_exec(s, sql, err, "making the store")) != BS_OK)
			goto out;
	}
	if ((rc = pg_migrate(s, err)) != BS_OK)
		goto out;
	*out = &s->base;
	s = NULL;
out:
	if (s != NULL)
		sq_close(&s->base);
	buf_free(&conninfo);
	return rc;
}
