/*
 * test_db_pg.c - the pure rewrites that let the store's SQL and migrations
 * run on PostgreSQL (store/db_pg_int.h), table-driven; no server needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "store/db_pg_int.h"
#include "store/schema.h"

#include <stdlib.h>
#include <string.h>

static void test_translate(void **state)
{
	static const struct {
		const char *in, *want;
		int nparams;
	} cases[] = {
	    {"SELECT 1", "SELECT 1", 0},
	    {"SELECT ?1", "SELECT $1", 1},
	    {"SELECT ?, ?", "SELECT $1, $2", 2},
	    {"SELECT ?3, ?", "SELECT $3, $4", 4},
	    {"SELECT ?2, ?1", "SELECT $2, $1", 2},
	    {"WHERE a = ?12 AND b = ?2", "WHERE a = $12 AND b = $2", 12},
	    {"WHERE ?1 IS NULL OR tab = ?1", "WHERE $1 IS NULL OR tab = $1", 1},
	    /* quoted text and identifiers are left as they are */
	    {"SELECT '?1', ?1", "SELECT '?1', $1", 1},
	    {"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1},
	    {"SELECT \"a?b\" FROM t WHERE x = ?", "SELECT \"a?b\" FROM t WHERE x = $1", 1},
	    {"SELECT '$.status'", "SELECT '$.status'", 0},
	    /* comments too */
	    {"SELECT 1 -- why ?\nFROM t WHERE a = ?", "SELECT 1 -- why ?\nFROM t WHERE a = $1", 1},
	    /* SQLite's hints go */
	    {"FROM inbound_payments ip INDEXED BY inbound_by_sale WHERE",
	     "FROM inbound_payments ip  WHERE", 0},
	    {"AND +s.state IN ('a')", "AND s.state IN ('a')", 0},
	    {"WHERE (+s.state = ?1)", "WHERE (s.state = $1)", 1},
	    /* but addition stays */
	    {"length(?1) + 1", "length($1) + 1", 1},
	    {"a + b", "a + b", 0},
	    {"x+1", "x+1", 0},
	    {"INSERT INTO t VALUES(?1, ?2) ON CONFLICT DO NOTHING",
	     "INSERT INTO t VALUES($1, $2) ON CONFLICT DO NOTHING", 2},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = -1;
		char *got = db_pg_translate(cases[i].in, &n);

		assert_non_null(got);
		if (strcmp(got, cases[i].want) != 0 || n != cases[i].nparams)
			fail_msg("case %zu: \"%s\" (%d params), want \"%s\" (%d)", i, got, n,
			         cases[i].want, cases[i].nparams);
		free(got);
	}
}

static void test_rewrite(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"CREATE TABLE t(a INTEGER NOT NULL);", "CREATE TABLE t(a BIGINT NOT NULL);"},
	    {"  id INTEGER PRIMARY KEY,", "  id BIGSERIAL PRIMARY KEY,"},
	    {"  seq INTEGER PRIMARY KEY AUTOINCREMENT,", "  seq BIGSERIAL PRIMARY KEY,"},
	    {"  hash BLOB NOT NULL", "  hash BYTEA NOT NULL"},
	    {"  name TEXT PRIMARY KEY", "  name TEXT COLLATE \"C\" PRIMARY KEY"},
	    {") WITHOUT ROWID;", ");"},
	    {"  user TEXT NOT NULL", "  \"user\" TEXT COLLATE \"C\" NOT NULL"},
	    {"CREATE INDEX s ON sessions(user);", "CREATE INDEX s ON sessions(\"user\");"},
	    /* words only at a word's start */
	    {"  MYINTEGER INTEGER", "  MYINTEGER BIGINT"},
	    {"  context_x TEXT", "  context_x TEXT COLLATE \"C\""},
	    {"-- an INTEGER in a comment", "-- an BIGINT in a comment"},
	    {"  request INTEGER REFERENCES requests(id),", "  request BIGINT,"},
	    {"CREATE INDEX links_by_ledger ON links(target, ledger_type, ledger_id);",
	     "CREATE INDEX links_by_ledger ON links(ledger_id, target, ledger_type);"},
	    {"ALTER TABLE events ADD COLUMN since_ms INTEGER NOT NULL DEFAULT 0;",
	     "ALTER TABLE events ADD COLUMN since_ms BIGINT NOT NULL DEFAULT 0;"},
	};
	struct buf out;

	(void)state;
	buf_init(&out, 1 << 20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(store_pg_rewrite(cases[i].in, &out), BS_OK);
		if (strcmp(buf_cstr(&out), cases[i].want) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, buf_cstr(&out), cases[i].want);
	}
	/* every migration rewrites, and none keeps a word PostgreSQL refuses */
	for (int i = 0; i < store_sqlite_migration_count; i++) {
		assert_int_equal(store_pg_rewrite(store_sqlite_migrations[i], &out), BS_OK);
		assert_null(strstr(buf_cstr(&out), "WITHOUT ROWID"));
		assert_null(strstr(buf_cstr(&out), "AUTOINCREMENT"));
		assert_null(strstr(buf_cstr(&out), " BLOB"));
		assert_null(strstr(buf_cstr(&out), "INTEGER PRIMARY KEY"));
	}
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_translate),
	    cmocka_unit_test(test_rewrite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
