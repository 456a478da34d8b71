/*
 * test_store.c - the SQLite store: records, versions, sync state, pending,
 * references, history, settings, transactions, read-only, empty, foreign and
 * corrupt files.
 *
 * Records are built by hand (not through src/model) so these tests pin the
 * store's own contract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "store/schema.h"
#include "store/store.h"
#include "store/store_sql_int.h"

#include <sqlite3.h>

#include "tstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fx {
	char dir[64];
	char path[512];
	struct store *st;
	struct store_actor who;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-store-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	tstore_db_path(f->path, sizeof(f->path), f->dir, "t");
	f->who.name = "test";
	f->who.now_ms = 1700000000000;
	if (store_open(f->path, STORE_OPEN_CREATE, &f->st, &err) != BS_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->st);
	tstore_db_drop(f->path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A record with body `body`; the hash is derived from the body's bytes. */
static void mk(struct record *r, enum record_kind kind, const char *id, int64_t version,
               const char *tab, const char *body)
{
	record_init(r);
	r->kind = kind;
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->version = version;
	r->tab = tab;
	snprintf(r->date, sizeof(r->date), "2026-10-01");
	buf_addstr(&r->canonical, body);
	memset(r->hash, 0, sizeof(r->hash));
	for (size_t i = 0; body[i] != '\0'; i++)
		r->hash[i % RECORD_HASH_LEN] =
		    (unsigned char)(r->hash[i % RECORD_HASH_LEN] * 31 + (unsigned char)body[i]);
}

static int put(struct fx *f, enum record_kind kind, const char *id, int64_t version,
               const char *body, enum store_put_result *res)
{
	struct record r;
	struct bs_error err;
	int rc;

	mk(&r, kind, id, version,
	   kind == RECORD_CUSTOMER   ? "sales/customers"
	   : kind == RECORD_SUPPLIER ? "purchases/suppliers"
	                             : "sales/invoices",
	   body);
	if (kind == RECORD_SALE) {
		r.nrefs = 1;
		r.refs[0].field = "customer_id";
		r.refs[0].kinds = 1u << RECORD_CUSTOMER;
		snprintf(r.refs[0].id, sizeof(r.refs[0].id), "C-1");
	}
	rc = store_record_put(f->st, &r, &f->who, res, &err);
	record_release(&r);
	return rc;
}

/* `sql`'s one value (a PRAGMA) in the file at path, read behind the
 * store's back. */
static int64_t pragma_of(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int64_t id = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return id;
}

static int64_t app_id_of(const char *path)
{
	return pragma_of(path, "PRAGMA application_id");
}

/* Make a plain SQLite file at dir/name with `sql` run in it. */
static void mk_sqlite(char *path, size_t cap, const char *dir, const char *name, const char *sql)
{
	sqlite3 *db = NULL;

	snprintf(path, cap, "%s/%s", dir, name);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_open_and_schema(void **state)
{
	struct fx *f = *state;
	struct store *st = NULL;
	struct bs_error err;
	int v = 0;

	assert_int_equal(store_schema_version(f->st, &v, &err), BS_OK);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	/* a new store's pages are 16 KiB (store_sqlite_open.c) */
	if (tstore_pg() == NULL)
		assert_int_equal(pragma_of(f->path, "PRAGMA page_size"), 16384);
	assert_int_equal(store_open("/tmp/bs-no-such-dir/x.db", 0, &st, &err), BS_ENOTFOUND);
	assert_non_null(strstr(err.msg, "booksync init"));
	assert_null(st);
}

/*
 * A store left at schema version 1 (sync_state's check as an IN list) is
 * brought to the current version on open: its states survive, and the
 * rebuilt check still refuses a state that is not one.
 */
static void test_migrate_from_v1(void **state)
{
	struct fx *f = *state;
	struct store *st = NULL;
	struct bs_error err;
	sqlite3 *db = NULL;
	char path[160];
	int v = 0;
	enum sync_state s;

	TSTORE_SQLITE_ONLY();
	snprintf(path, sizeof(path), "%s/v1.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, store_sqlite_migrations[0], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "PRAGMA user_version = 1;"
	                 "INSERT INTO targets(id, created_ms) VALUES('xero:t', 1);"
	                 "INSERT INTO records(rowid, kind, id, hash, body, tab, created_ms,"
	                 " updated_ms) VALUES(7, 0, 'C-1', x'00', '{}', 'sales/customers', 1, 1);"
	                 "INSERT INTO sync_state(record, target, state, reason, updated_ms)"
	                 " VALUES(7, 'xero:t', 'skipped', 'why not', 1);",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_open(path, 0, &st, &err), BS_OK);
	assert_int_equal(store_schema_version(st, &v, &err), BS_OK);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	assert_int_equal(store_state_get(st, RECORD_CUSTOMER, "C-1", "xero:t", &s, NULL, &err),
	                 BS_OK);
	assert_int_equal(s, SYNC_SKIPPED);
	store_close(st);
	assert_int_equal(app_id_of(path), STORE_SQLITE_APPLICATION_ID);
	/* a file that had its tables keeps its pages */
	assert_int_equal(pragma_of(path, "PRAGMA page_size"), 4096);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "UPDATE sync_state SET state = 'queued'", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "UPDATE sync_state SET state = 'posted'", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	sqlite3_close(db);
}

/* What a probed file is: the mark decides, else the tables of version 1. */
static void test_file_kind(void **state)
{
	static const struct {
		struct sq_probe p;
		enum sq_file want;
	} cases[] = {
	    /* app_id, user_version, objects, tables */
	    {{STORE_SQLITE_APPLICATION_ID, 2, 20, 11}, SQ_FILE_STORE},
	    {{STORE_SQLITE_APPLICATION_ID, 0, 0, 0}, SQ_FILE_STORE},  /* marked, then migrated */
	    {{STORE_SQLITE_APPLICATION_ID, 99, 1, 0}, SQ_FILE_STORE}, /* newer: migrate refuses */
	    {{0, 0, 0, 0}, SQ_FILE_EMPTY},
	    {{0, 1, 19, 11}, SQ_FILE_LEGACY},
	    {{0, 2, 20, 11}, SQ_FILE_LEGACY},
	    {{0, 0, 20, 11}, SQ_FILE_FOREIGN},          /* our tables, never migrated: not ours */
	    {{0, 2, 10, 10}, SQ_FILE_FOREIGN},          /* a table short */
	    {{0, 0, 1, 0}, SQ_FILE_FOREIGN},            /* one table of someone else's */
	    {{0, 0, 1, 1}, SQ_FILE_FOREIGN},            /* a lone `records` table */
	    {{0, 7, 0, 0}, SQ_FILE_FOREIGN},            /* nothing in it but a version */
	    {{0x47504b47, 0, 0, 0}, SQ_FILE_FOREIGN},   /* a GeoPackage's mark */
	    {{0x47504b47, 2, 20, 11}, SQ_FILE_FOREIGN}, /* our tables under another mark */
	    {{-1, 2, 20, 11}, SQ_FILE_FOREIGN},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (sq_file_kind(&cases[i].p) != cases[i].want)
			fail_msg("case %zu: got %d, want %d", i, sq_file_kind(&cases[i].p),
			         cases[i].want);
	}
}

/*
 * An empty file is no store: opening it fails without writing a byte;
 * STORE_OPEN_CREATE (init) makes it one, marked.  Another program's SQLite
 * file is refused either way and left as it was.
 */
static void test_empty_and_foreign_files(void **state)
{
	static const char *const foreign[] = {
	    "CREATE TABLE invoices(id, total);",
	    "PRAGMA application_id = 1196444487;",
	    "PRAGMA user_version = 3;",
	    "CREATE TABLE records(x); PRAGMA user_version = 2;",
	};
	struct fx *f = *state;
	struct store *st = NULL;
	struct bs_error err;
	struct stat sb;
	char path[160];
	FILE *fp;
	int v = 0;

	TSTORE_SQLITE_ONLY();
	snprintf(path, sizeof(path), "%s/empty.db", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(store_open(path, 0, &st, &err), BS_ESTORE);
	assert_null(st);
	assert_non_null(strstr(err.msg, "not a booksync store"));
	assert_non_null(strstr(err.msg, "booksync init"));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, &st, &err), BS_OK);
	assert_int_equal(store_schema_version(st, &v, &err), BS_OK);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	store_close(st);
	assert_int_equal(app_id_of(path), STORE_SQLITE_APPLICATION_ID);
	assert_int_equal(app_id_of(f->path), STORE_SQLITE_APPLICATION_ID);
	/* an SQLite file with nothing in it counts as empty */
	mk_sqlite(path, sizeof(path), f->dir, "blank.db", "PRAGMA user_version = 0; VACUUM;");
	assert_int_equal(store_open(path, 0, &st, &err), BS_ESTORE);
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, &st, &err), BS_OK);
	store_close(st);

	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		char name[32];
		unsigned flags[] = {0, STORE_OPEN_CREATE, STORE_OPEN_CREATE | STORE_OPEN_CHECK};

		snprintf(name, sizeof(name), "foreign%zu.db", i);
		mk_sqlite(path, sizeof(path), f->dir, name, foreign[i]);
		for (size_t j = 0; j < sizeof(flags) / sizeof(flags[0]); j++) {
			if (store_open(path, flags[j], &st, &err) != BS_ESTORE)
				fail_msg("%s opened with flags %u", foreign[i], flags[j]);
			assert_null(st);
			assert_non_null(strstr(err.msg, "not a booksync store"));
		}
		assert_int_not_equal(app_id_of(path), STORE_SQLITE_APPLICATION_ID);
	}
}

/*
 * A store made before the mark opens read-only as it is, and is marked on
 * the first open that may write.
 */
static void test_unmarked_store_is_marked(void **state)
{
	struct fx *f = *state;
	struct store *st = NULL;
	struct bs_error err;
	char uri[600], path[160];
	int64_t n = -1;

	TSTORE_SQLITE_ONLY();
	store_close(f->st);
	f->st = NULL;
	mk_sqlite(path, sizeof(path), f->dir, "t.db", "PRAGMA application_id = 0;");
	assert_int_equal(app_id_of(f->path), 0);
	snprintf(uri, sizeof(uri), "file:%s?mode=ro", f->path);
	assert_int_equal(store_open(uri, 0, &st, &err), BS_OK);
	assert_int_equal(store_record_count(st, &n, &err), BS_OK);
	assert_int_equal(n, 0);
	store_close(st);
	assert_int_equal(app_id_of(f->path), 0);
	assert_int_equal(store_open(f->path, 0, &f->st, &err), BS_OK);
	assert_int_equal(app_id_of(f->path), STORE_SQLITE_APPLICATION_ID);
}

/*
 * STORE_OPEN_CHECK finds garbage in the middle of the file before anything
 * is written; an open without it (a reading command's) does not look.
 */
static void test_quick_check(void **state)
{
	struct fx *f = *state;
	enum store_put_result res;
	struct store *st = NULL;
	struct bs_error err;
	char junk[12288];
	long size;
	FILE *fp;

	TSTORE_SQLITE_ONLY();
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	for (int i = 0; i < 3000; i++) {
		char id[32], body[64];

		snprintf(id, sizeof(id), "C-%d", i);
		snprintf(body, sizeof(body), "{\"name\":\"Customer %d\"}", i);
		assert_int_equal(put(f, RECORD_CUSTOMER, id, 0, body, &res), BS_OK);
	}
	assert_int_equal(store_commit(f->st, &err), BS_OK);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->path, STORE_OPEN_CHECK, &st, &err), BS_OK);
	store_close(st);

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = "garbage\n"[i % 8];
	fp = fopen(f->path, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	assert_true(size > 8 * (long)sizeof(junk));
	assert_int_equal(fseek(fp, size / 2 / 4096 * 4096, SEEK_SET), 0);
	assert_int_equal(fwrite(junk, 1, sizeof(junk), fp), sizeof(junk));
	fclose(fp);

	assert_int_equal(store_open(f->path, STORE_OPEN_CHECK, &st, &err), BS_ESTORE);
	assert_null(st);
	assert_non_null(strstr(err.msg, "corrupt"));
	assert_int_equal(store_open(f->path, STORE_OPEN_CREATE | STORE_OPEN_CHECK, &st, &err),
	                 BS_ESTORE);
	assert_int_equal(store_open(f->path, 0, &f->st, &err), BS_OK);
}

/* Serials: counted per target from 1, allocated once per record and type. */
static void test_serials(void **state)
{
	struct fx *f = *state;
	enum store_put_result res;
	struct store_link l;
	struct bs_error err;
	int64_t a = 0, b = 0, again = 0, other = 0;

	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":1}", &res), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-2", 0, "{\"x\":2}", &res), BS_OK);
	assert_int_equal(store_target_add(f->st, "xero:t1", "One", &f->who, &err), BS_OK);
	assert_int_equal(store_target_add(f->st, "xero:t2", "Two", &f->who, &err), BS_OK);
	assert_int_equal(store_serial(f->st, "xero:t1", RECORD_SALE, "S-1", "Invoice", 5, &a, &err),
	                 BS_OK);
	assert_int_equal(store_serial(f->st, "xero:t1", RECORD_SALE, "S-2", "Invoice", 5, &b, &err),
	                 BS_OK);
	assert_int_equal(
	    store_serial(f->st, "xero:t1", RECORD_SALE, "S-1", "Invoice", 6, &again, &err), BS_OK);
	assert_int_equal(
	    store_serial(f->st, "xero:t2", RECORD_SALE, "S-2", "Invoice", 6, &other, &err), BS_OK);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(again, 1);
	assert_int_equal(other, 1);
	/* the serial is kept on the link, which has no ledger id yet */
	assert_int_equal(store_link_get(f->st, "xero:t1", RECORD_SALE, "S-2", "Invoice", &l, &err),
	                 BS_OK);
	assert_int_equal(l.serial, 2);
	assert_string_equal(l.ledger_id, "");

	/* inside a transaction: a rollback gives the numbers back, a commit keeps them */
	assert_int_equal(put(f, RECORD_SALE, "S-3", 0, "{\"x\":3}", &res), BS_OK);
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_serial(f->st, "xero:t1", RECORD_SALE, "S-3", "Invoice", 7, &a, &err),
	                 BS_OK);
	assert_int_equal(a, 3);
	store_rollback(f->st);
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_serial(f->st, "xero:t2", RECORD_SALE, "S-1", "Invoice", 8, &b, &err),
	                 BS_OK);
	assert_int_equal(store_serial(f->st, "xero:t1", RECORD_SALE, "S-3", "Invoice", 8, &a, &err),
	                 BS_OK);
	assert_int_equal(store_commit(f->st, &err), BS_OK);
	assert_int_equal(a, 3);
	assert_int_equal(b, 2);
	/* and the counters were written back: the next ones follow on */
	assert_int_equal(store_serial(f->st, "xero:t2", RECORD_SALE, "S-3", "Invoice", 9, &b, &err),
	                 BS_OK);
	assert_int_equal(b, 3);
	assert_int_equal(
	    store_serial(f->st, "xero:t1", RECORD_SALE, "S-3", "CreditNote", 9, &a, &err), BS_OK);
	assert_int_equal(a, 4);
}

static void test_versions(void **state)
{
	struct fx *f = *state;
	enum store_put_result res;
	struct store_record_info info;
	struct bs_error err;
	struct buf body;

	buf_init(&body, 0);
	/* without versions the hash decides */
	assert_int_equal(put(f, RECORD_CUSTOMER, "C-1", 0, "{\"a\":1}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_NEW);
	assert_int_equal(put(f, RECORD_CUSTOMER, "C-1", 0, "{\"a\":1}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_UNCHANGED);
	assert_int_equal(put(f, RECORD_CUSTOMER, "C-1", 0, "{\"a\":2}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_CHANGED);
	assert_int_equal(store_record_get(f->st, RECORD_CUSTOMER, "C-1", &info, &body, &err),
	                 BS_OK);
	assert_string_equal(buf_cstr(&body), "{\"a\":2}");

	/* with versions: higher replaces, lower is stale, same+other is a conflict */
	assert_int_equal(put(f, RECORD_SALE, "S-1", 2, "{\"v\":2}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_NEW);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 1, "{\"v\":1}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_STALE);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 2, "{\"v\":2}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_UNCHANGED);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 2, "{\"v\":9}", &res), BS_ECONFLICT);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 3, "{\"v\":2}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_UNCHANGED);
	assert_int_equal(store_record_get(f->st, RECORD_SALE, "S-1", &info, &body, &err), BS_OK);
	assert_int_equal(info.version, 3);
	assert_string_equal(buf_cstr(&body), "{\"v\":2}");
	assert_int_equal(put(f, RECORD_SALE, "S-1", 4, "{\"v\":4}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_CHANGED);
	assert_int_equal(store_record_get(f->st, RECORD_SALE, "S-9", &info, NULL, &err),
	                 BS_ENOTFOUND);
	buf_free(&body);
}

struct rows {
	int n;
	char ids[16][16];
	enum sync_state states[16];
	char reasons[16][128];
};

static int rows_cb(void *arg, const struct store_row *r)
{
	struct rows *w = arg;

	if (w->n < 16) {
		snprintf(w->ids[w->n], sizeof(w->ids[0]), "%s", r->id);
		w->states[w->n] = r->state;
		snprintf(w->reasons[w->n], sizeof(w->reasons[0]), "%s", r->reason);
	}
	w->n++;
	return 0;
}

static void test_pending_without_target(void **state)
{
	struct fx *f = *state;
	enum store_put_result res;
	struct rows w = {0};
	struct bs_error err;

	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{}", &res), BS_OK);
	assert_int_equal(store_pending_each(f->st, NULL, NULL, rows_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.states[0], SYNC_NOT_IMPORTED);
	/* the customer is not there yet: the reason says what it will wait for */
	assert_string_equal(w.reasons[0], "customer_id C-1");
	/* a supplier called C-1 does not satisfy a customer reference */
	assert_int_equal(put(f, RECORD_SUPPLIER, "C-1", 0, "{}", &res), BS_OK);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_pending_each(f->st, NULL, "sales", rows_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.reasons[0], "customer_id C-1");
	assert_int_equal(put(f, RECORD_CUSTOMER, "C-1", 0, "{}", &res), BS_OK);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_pending_each(f->st, NULL, "sales/invoices", rows_cb, &w, &err),
	                 BS_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.reasons[0], "");
	/* group filter "sales" = customers + invoices; "purchases" = the supplier */
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_pending_each(f->st, NULL, "sales", rows_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 2);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_pending_each(f->st, NULL, "purchases", rows_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 1);
	/* "sale" is not a prefix match for "sales/..." */
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_pending_each(f->st, NULL, "sale", rows_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 0);
}

struct page_walk {
	struct store *st;
	struct buf *b;
};

/* store_pending_page's ids, space-separated; each rowid is its record's. */
static int page_cb(void *arg, enum record_kind kind, const char *id, int64_t rowid)
{
	struct page_walk *w = arg;
	struct store_record_info info;
	struct bs_error err;

	assert_int_equal(store_record_get(w->st, kind, id, &info, NULL, &err), BS_OK);
	assert_int_equal(rowid, info.rowid);
	return buf_printf(w->b, "%s%s", w->b->len ? " " : "", id);
}

static const char *page(struct fx *f, const char *target, const char *const *tabs,
                        enum record_kind kind, const char *after, size_t limit, struct buf *b)
{
	struct page_walk w = {f->st, b};
	struct bs_error err;

	buf_reset(b);
	assert_int_equal(
	    store_pending_page(f->st, target, tabs, kind, after, limit, page_cb, &w, &err), BS_OK);
	return buf_cstr(b);
}

/* Pages of one kind in bytewise id order after a cursor, only pending
 * records, only the tabs asked for, seeing the open transaction. */
static void test_pending_page(void **state)
{
	struct fx *f = *state;
	static const char *const ids[] = {"C-2", "C-10", "C-1", "C-3"};
	static const char *const sales[] = {"sales", NULL};
	static const char *const buying[] = {"purchases", NULL};
	static const char *const two[] = {"purchases/suppliers", "sales/customers", NULL};
	static const char *const many[STORE_PAGE_TABS_MAX + 2] = {
	    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q"};
	enum store_put_result res;
	struct bs_error err;
	struct buf b;

	buf_init(&b, 4096);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_int_equal(put(f, RECORD_CUSTOMER, ids[i], 0, "{}", &res), BS_OK);
	for (int i = 5; i >= 1; i--) {
		char id[16];

		snprintf(id, sizeof(id), "SO-%d", i);
		assert_int_equal(put(f, RECORD_SALE, id, 0, "{}", &res), BS_OK);
	}
	assert_int_equal(put(f, RECORD_SUPPLIER, "C-5", 0, "{}", &res), BS_OK);
	/* before any target every record is pending */
	assert_string_equal(page(f, NULL, NULL, RECORD_CUSTOMER, "", 10, &b), "C-1 C-10 C-2 C-3");
	assert_int_equal(store_target_add(f->st, "xero:t", "T", &f->who, &err), BS_OK);
	assert_string_equal(page(f, "xero:t", NULL, RECORD_CUSTOMER, "", 10, &b),
	                    "C-1 C-10 C-2 C-3");
	assert_string_equal(page(f, "xero:t", NULL, RECORD_CUSTOMER, "", 2, &b), "C-1 C-10");
	assert_string_equal(page(f, "xero:t", NULL, RECORD_CUSTOMER, "C-10", 2, &b), "C-2 C-3");
	assert_string_equal(page(f, "xero:t", NULL, RECORD_CUSTOMER, "C-3", 2, &b), "");
	assert_string_equal(page(f, "xero:t", NULL, RECORD_CUSTOMER, "", 0, &b), "");
	assert_string_equal(page(f, "xero:t", NULL, RECORD_SUPPLIER, NULL, 9, &b), "C-5");
	/* queued is not pending; waiting and changed are */
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "SO-2", "xero:t", SYNC_EV_PLAN, NULL,
	                                   &f->who, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "SO-3", "xero:t", SYNC_EV_WAIT,
	                                   "customer", &f->who, NULL, &err),
	                 BS_OK);
	assert_string_equal(page(f, "xero:t", NULL, RECORD_SALE, "SO-1", 2, &b), "SO-3 SO-4");
	/* inside a transaction a page sees its writes */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "SO-4", "xero:t", SYNC_EV_PLAN, NULL,
	                                   &f->who, NULL, &err),
	                 BS_OK);
	assert_string_equal(page(f, "xero:t", NULL, RECORD_SALE, "", 10, &b), "SO-1 SO-3 SO-5");
	store_rollback(f->st);
	assert_string_equal(page(f, "xero:t", NULL, RECORD_SALE, "", 10, &b),
	                    "SO-1 SO-3 SO-4 SO-5");
	/* tabs and groups */
	assert_string_equal(page(f, "xero:t", sales, RECORD_CUSTOMER, "", 10, &b),
	                    "C-1 C-10 C-2 C-3");
	assert_string_equal(page(f, "xero:t", buying, RECORD_CUSTOMER, "", 10, &b), "");
	assert_string_equal(page(f, "xero:t", buying, RECORD_SUPPLIER, "", 10, &b), "C-5");
	assert_string_equal(page(f, "xero:t", two, RECORD_SALE, "", 10, &b), "");
	assert_string_equal(page(f, "xero:t", two, RECORD_CUSTOMER, "C-2", 10, &b), "C-3");
	{
		struct page_walk w = {f->st, &b};

		assert_int_equal(store_pending_page(f->st, "xero:t", many, RECORD_SALE, "", 10,
		                                    page_cb, &w, &err),
		                 BS_EINVAL);
	}
	buf_free(&b);
}

static void test_states_and_reset(void **state)
{
	struct fx *f = *state;
	enum store_put_result res;
	enum sync_state to;
	struct rows w = {0};
	struct bs_error err;
	struct buf tb;
	const char *target = NULL;

	buf_init(&tb, 0);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":1}", &res), BS_OK);
	assert_int_equal(store_target_pick(f->st, NULL, &tb, &target, &err), BS_OK);
	assert_null(target);
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &f->who, &err), BS_OK);
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &f->who, &err), BS_OK);
	assert_int_equal(store_target_pick(f->st, NULL, &tb, &target, &err), BS_OK);
	assert_string_equal(target, "xero:t1");
	assert_int_equal(store_target_pick(f->st, "xero:zz", &tb, &target, &err), BS_ENOTFOUND);

	/* a record added after the target also gets a state row */
	assert_int_equal(put(f, RECORD_SALE, "S-2", 0, "{\"x\":2}", &res), BS_OK);
	assert_int_equal(store_pending_each(f->st, "xero:t1", NULL, rows_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 2);

	/* reset refuses queued, with the reason */
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-1", "xero:t1", SYNC_EV_PLAN, NULL,
	                                   &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(to, SYNC_QUEUED);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-1", "xero:t1", SYNC_EV_RESET,
	                                   NULL, &f->who, &to, &err),
	                 BS_ESTATE);
	assert_non_null(strstr(err.msg, "queued"));
	/* a new version while queued: posted lands in changed */
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":11}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_CHANGED);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-1", "xero:t1", SYNC_EV_POSTED,
	                                   NULL, &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(to, SYNC_CHANGED);
	/* changed is pending again */
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_pending_each(f->st, "xero:t1", NULL, rows_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 2);
	/* plan, post -> imported: no longer pending */
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-1", "xero:t1", SYNC_EV_PLAN, NULL,
	                                   &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-1", "xero:t1", SYNC_EV_POSTED,
	                                   NULL, &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(to, SYNC_IMPORTED);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_pending_each(f->st, "xero:t1", NULL, rows_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.ids[0], "S-2");
	/* a new version of an imported record: changed */
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":12}", &res), BS_OK);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_state_each(f->st, "xero:t1", SYNC_CHANGED, NULL, rows_cb, &w, &err),
	                 BS_OK);
	assert_int_equal(w.n, 1);
	/* failed keeps the message on the row and in errors */
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-2", "xero:t1", SYNC_EV_PLAN, NULL,
	                                   &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-2", "xero:t1", SYNC_EV_FAILED,
	                                   "Account must be valid.", &f->who, &to, &err),
	                 BS_OK);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_state_each(f->st, "xero:t1", SYNC_ERROR, NULL, rows_cb, &w, &err),
	                 BS_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.reasons[0], "Account must be valid.");
	/* reset: error -> not imported */
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-2", "xero:t1", SYNC_EV_RESET,
	                                   NULL, &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(to, SYNC_NOT_IMPORTED);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-404", "xero:t1", SYNC_EV_RESET,
	                                   NULL, &f->who, &to, &err),
	                 BS_ENOTFOUND);
	buf_free(&tb);
}

/* One record read the planner's way (store_record_extra): the body and
 * info of kind:id whatever rowid hint comes with it, and its own link of
 * the type asked, as store_link_get answers, on that target only. */
static void read_extra(struct fx *f, const char *id, int64_t hint, const char *type,
                       struct store_record_extra *x, struct buf *body)
{
	struct store_record_info info, want;
	struct store_link l;
	enum sync_state cur;
	struct bs_error err;
	int rc;

	memset(x, 0xa5, sizeof(*x)); /* every out field is written */
	x->rowid = hint;
	x->link_type = type;
	assert_int_equal(
	    store_record_get_on(f->st, RECORD_SALE, id, "xero:t1", &info, body, &cur, x, &err),
	    BS_OK);
	assert_int_equal(store_record_get(f->st, RECORD_SALE, id, &want, NULL, &err), BS_OK);
	assert_int_equal(info.rowid, want.rowid);
	assert_string_equal(info.id, id);
	rc = type != NULL ? store_link_get(f->st, "xero:t1", RECORD_SALE, id, type, &l, &err)
	                  : BS_ENOTFOUND;
	assert_int_equal(x->linked, rc == BS_OK);
	if (rc == BS_OK) {
		assert_string_equal(x->link.ledger_id, l.ledger_id);
		assert_string_equal(x->link.number, l.number);
		assert_int_equal(x->link.serial, l.serial);
	}
}

static void test_record_read_extra(void **state)
{
	struct fx *f = *state;
	struct store_record_extra x;
	struct store_record_info s1, s2;
	enum store_put_result res;
	enum sync_state cur;
	struct bs_error err;
	struct buf body;
	int64_t serial = 0;

	buf_init(&body, 0);
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &f->who, &err), BS_OK);
	assert_int_equal(store_target_add(f->st, "xero:t2", "Other", &f->who, &err), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":1}", &res), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-2", 0, "{\"x\":2}", &res), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-3", 0, "{\"x\":3}", &res), BS_OK);
	assert_int_equal(store_record_get(f->st, RECORD_SALE, "S-1", &s1, NULL, &err), BS_OK);
	assert_int_equal(store_record_get(f->st, RECORD_SALE, "S-2", &s2, NULL, &err), BS_OK);
	/* S-1 posted, S-2 only numbered, S-3 linked on the other target, as
	 * another kind, and as another type only */
	assert_int_equal(store_link_set(f->st, "xero:t1", RECORD_SALE, "S-1", "Invoice", "inv-1",
	                                "INV-1", 1, &err),
	                 BS_OK);
	assert_int_equal(
	    store_serial(f->st, "xero:t1", RECORD_SALE, "S-2", "Invoice", 1, &serial, &err), BS_OK);
	assert_true(serial > 0);
	assert_int_equal(
	    store_link_set(f->st, "xero:t2", RECORD_SALE, "S-3", "Invoice", "inv-3", "", 1, &err),
	    BS_OK);
	assert_int_equal(
	    store_link_set(f->st, "xero:t1", RECORD_CUSTOMER, "S-3", "Invoice", "c-3", "", 1, &err),
	    BS_OK);
	assert_int_equal(
	    store_link_set(f->st, "xero:t1", RECORD_SALE, "S-3", "Payment", "p-3", "", 1, &err),
	    BS_OK);

	read_extra(f, "S-1", 0, "Invoice", &x, &body);
	assert_true(x.linked);
	assert_string_equal(x.link.ledger_id, "inv-1");
	assert_string_equal(buf_cstr(&body), "{\"x\":1}");
	read_extra(f, "S-2", s2.rowid, "Invoice", &x, &body);
	assert_true(x.linked);
	assert_string_equal(x.link.ledger_id, "");
	assert_int_equal(x.link.serial, serial);
	read_extra(f, "S-3", 0, "Invoice", &x, &body);
	assert_false(x.linked);
	read_extra(f, "S-3", 0, "Payment", &x, &body);
	assert_true(x.linked);
	read_extra(f, "S-1", 0, NULL, &x, &body); /* no type: no link read */
	assert_false(x.linked);
	/* a hint that is another record's rowid, or none's, is passed over */
	read_extra(f, "S-1", s2.rowid, "Invoice", &x, &body);
	assert_string_equal(buf_cstr(&body), "{\"x\":1}");
	assert_true(x.linked);
	read_extra(f, "S-2", s1.rowid, "Invoice", &x, &body);
	assert_string_equal(buf_cstr(&body), "{\"x\":2}");
	read_extra(f, "S-3", INT64_MAX, "Invoice", &x, &body);
	assert_string_equal(buf_cstr(&body), "{\"x\":3}");
	/* and a record that is not there is not found, hint or not */
	x.rowid = s1.rowid;
	x.link_type = "Invoice";
	assert_int_equal(
	    store_record_get_on(f->st, RECORD_SALE, "S-9", "xero:t1", NULL, &body, &cur, &x, &err),
	    BS_ENOTFOUND);
	assert_int_equal(store_record_get_on(f->st, RECORD_CUSTOMER, "S-1", "xero:t1", NULL, &body,
	                                     &cur, &x, &err),
	                 BS_ENOTFOUND);
	/* the extra read needs a target */
	assert_int_equal(
	    store_record_get_on(f->st, RECORD_SALE, "S-1", NULL, NULL, &body, &cur, &x, &err),
	    BS_EINVAL);
	buf_free(&body);
}

/* The page cache resized and put back: the size before comes back in KiB
 * (SQLite); PostgreSQL has none of its own (0, nothing done). */
static void test_cache_set(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	int old = -1, now = -1;

	assert_int_equal(store_cache_set(f->st, 0, &old, &err), BS_EINVAL);
	assert_int_equal(store_cache_set(f->st, -5, NULL, &err), BS_EINVAL);
	assert_int_equal(store_cache_set(f->st, 4096, &old, &err), BS_OK);
	/* inside a transaction too (planning sizes it there) */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_cache_set(f->st, 1024, &now, &err), BS_OK);
	store_rollback(f->st);
	if (tstore_pg() != NULL) {
		assert_int_equal(old, 0);
		assert_int_equal(now, 0);
	} else {
		assert_int_equal(old, 4096); /* as store_open leaves it */
		assert_int_equal(now, 4096);
		assert_int_equal(store_cache_set(f->st, 16384, &now, &err), BS_OK);
		assert_int_equal(now, 1024);
		assert_int_equal(store_cache_set(f->st, old, &now, &err), BS_OK);
		assert_int_equal(now, 16384);
	}
}

/*
 * A record read with its state and moved in one transaction (the
 * planner's way: store_record_get_on, then store_state_apply_rec): each
 * transition starts from the row as the one before left it, a new version
 * put in between is seen, and nothing carries over a rollback.
 */
static void test_state_read_then_moved(void **state)
{
	struct fx *f = *state;
	struct store_record_info info;
	enum store_put_result res;
	enum sync_state cur, to;
	struct bs_error err;
	struct buf body;

	buf_init(&body, 0);
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &f->who, &err), BS_OK);
	assert_int_equal(store_target_add(f->st, "xero:t2", "Other", &f->who, &err), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":1}", &res), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-2", 0, "{\"x\":2}", &res), BS_OK);

	/* read, plan, fail: queued then error, each from the last */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_record_get_on(f->st, RECORD_SALE, "S-1", "xero:t1", &info, &body,
	                                     &cur, NULL, &err),
	                 BS_OK);
	assert_int_equal(cur, SYNC_NOT_IMPORTED);
	assert_int_equal(
	    store_state_apply_rec(f->st, &info, "xero:t1", SYNC_EV_PLAN, NULL, &f->who, &to, &err),
	    BS_OK);
	assert_int_equal(to, SYNC_QUEUED);
	/* the same record on the other target is its own row */
	assert_int_equal(store_state_apply_rec(f->st, &info, "xero:t2", SYNC_EV_POSTED, NULL,
	                                       &f->who, &to, &err),
	                 BS_ESTATE);
	assert_int_equal(store_state_apply_rec(f->st, &info, "xero:t1", SYNC_EV_FAILED, "no",
	                                       &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(to, SYNC_ERROR);
	assert_int_equal(store_commit(f->st, &err), BS_OK);
	assert_int_equal(store_state_get(f->st, RECORD_SALE, "S-1", "xero:t1", &cur, NULL, &err),
	                 BS_OK);
	assert_int_equal(cur, SYNC_ERROR);
	assert_int_equal(store_state_get(f->st, RECORD_SALE, "S-1", "xero:t2", &cur, NULL, &err),
	                 BS_OK);
	assert_int_equal(cur, SYNC_NOT_IMPORTED);

	/* read, then a new version arrives in the same transaction: the
	 * transition starts from what the put made (queued, changed pending) */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_record_get_on(f->st, RECORD_SALE, "S-2", "xero:t1", &info, &body,
	                                     &cur, NULL, &err),
	                 BS_OK);
	assert_int_equal(
	    store_state_apply_rec(f->st, &info, "xero:t1", SYNC_EV_PLAN, NULL, &f->who, &to, &err),
	    BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-2", 0, "{\"x\":22}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_CHANGED);
	assert_int_equal(store_state_apply_rec(f->st, &info, "xero:t1", SYNC_EV_POSTED, NULL,
	                                       &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(to, SYNC_CHANGED); /* from queued with the change pending */
	assert_int_equal(store_commit(f->st, &err), BS_OK);

	/* read and planned, rolled back: the next transaction reads the row */
	assert_int_equal(put(f, RECORD_SALE, "S-3", 0, "{\"x\":3}", &res), BS_OK);
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_record_get_on(f->st, RECORD_SALE, "S-3", "xero:t1", &info, &body,
	                                     &cur, NULL, &err),
	                 BS_OK);
	assert_int_equal(
	    store_state_apply_rec(f->st, &info, "xero:t1", SYNC_EV_PLAN, NULL, &f->who, &to, &err),
	    BS_OK);
	store_rollback(f->st);
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_state_apply_rec(f->st, &info, "xero:t1", SYNC_EV_POSTED, NULL,
	                                       &f->who, &to, &err),
	                 BS_ESTATE); /* not_imported cannot be posted: not queued */
	store_rollback(f->st);
	assert_int_equal(store_state_get(f->st, RECORD_SALE, "S-3", "xero:t1", &cur, NULL, &err),
	                 BS_OK);
	assert_int_equal(cur, SYNC_NOT_IMPORTED);
	buf_free(&body);
}

static int refusal_cb(void *arg, const struct store_row *row, int64_t at_ms)
{
	struct rows *w = arg;

	assert_int_equal(row->state, SYNC_CONSOLIDATED);
	assert_non_null(strstr(row->reason, "consolidated document"));
	assert_true(at_ms > 0);
	snprintf(w->ids[w->n < 16 ? w->n : 15], sizeof(w->ids[0]), "%s", row->id);
	w->n++;
	return 0;
}

/* A consolidated member's refused change outside any caller's transaction:
 * the put's own write is rolled back, the refusal is kept; an accepted
 * version takes it away; a dismissal too. */
static void test_refusals(void **state)
{
	struct fx *f = *state;
	enum store_put_result res;
	enum sync_state to;
	struct rows w = {0};
	struct bs_error err;

	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":1}", &res), BS_OK);
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &f->who, &err), BS_OK);
	assert_int_equal(store_refusals_each(f->st, "xero:t1", NULL, refusal_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 0);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-1", "xero:t1", SYNC_EV_PLAN, NULL,
	                                   &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-1", "xero:t1",
	                                   SYNC_EV_CONSOLIDATE, NULL, &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":2}", &res), BS_ECONFLICT);
	assert_int_equal(store_refusals_each(f->st, "xero:t1", NULL, refusal_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.ids[0], "S-1");
	w.n = 0;
	assert_int_equal(
	    store_refusals_each(f->st, "xero:t1", "sales/customers", refusal_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 0);
	/* the posted content again: withdrawn */
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":1}", &res), BS_OK);
	assert_int_equal(res, STORE_PUT_UNCHANGED);
	assert_int_equal(store_refusals_each(f->st, "xero:t1", NULL, refusal_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 0);
	/* refused twice: one row; dismissed once, then none to dismiss */
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":2}", &res), BS_ECONFLICT);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"x\":3}", &res), BS_ECONFLICT);
	assert_int_equal(store_refusals_each(f->st, "xero:t1", NULL, refusal_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 1);
	assert_int_equal(store_refusal_dismiss(f->st, "xero:t1", RECORD_SALE, "S-1", &err), BS_OK);
	assert_int_equal(store_refusal_dismiss(f->st, "xero:t1", RECORD_SALE, "S-1", &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_refusal_dismiss(f->st, "xero:t1", RECORD_SALE, "S-404", &err),
	                 BS_ENOTFOUND);
}

static void test_two_targets_need_a_name(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	struct buf tb;
	const char *target;

	buf_init(&tb, 0);
	assert_int_equal(store_target_add(f->st, "xero:a", "", &f->who, &err), BS_OK);
	assert_int_equal(store_target_add(f->st, "qbo:b", "", &f->who, &err), BS_OK);
	assert_int_equal(store_target_pick(f->st, NULL, &tb, &target, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "--target"));
	assert_int_equal(store_target_pick(f->st, "qbo:b", &tb, &target, &err), BS_OK);
	assert_string_equal(target, "qbo:b");
	buf_free(&tb);
}

static void test_ref_resolve(void **state)
{
	struct fx *f = *state;
	enum store_put_result res;
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	struct bs_error err;

	assert_int_equal(put(f, RECORD_CUSTOMER, "X-1", 0, "{}", &res), BS_OK);
	assert_int_equal(put(f, RECORD_SUPPLIER, "X-1", 0, "{}", &res), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "SO-7", 0, "{}", &res), BS_OK);
	assert_int_equal(store_ref_resolve(f->st, "SO-7", &kind, id, &err), BS_OK);
	assert_int_equal(kind, RECORD_SALE);
	assert_string_equal(id, "SO-7");
	assert_int_equal(store_ref_resolve(f->st, "sale:SO-7", &kind, id, &err), BS_OK);
	assert_int_equal(store_ref_resolve(f->st, "X-1", &kind, id, &err), BS_ECONFLICT);
	assert_non_null(strstr(err.msg, "customer:X-1"));
	assert_non_null(strstr(err.msg, "supplier:X-1"));
	assert_int_equal(store_ref_resolve(f->st, "supplier:X-1", &kind, id, &err), BS_OK);
	assert_int_equal(kind, RECORD_SUPPLIER);
	assert_int_equal(store_ref_resolve(f->st, "nope", &kind, id, &err), BS_ENOTFOUND);
	assert_int_equal(store_ref_resolve(f->st, "sale:nope", &kind, id, &err), BS_ENOTFOUND);
	assert_int_equal(store_ref_resolve(f->st, "bogus:SO-7", &kind, id, &err), BS_EINVAL);
	assert_int_equal(store_ref_resolve(f->st, "sale:", &kind, id, &err), BS_EINVAL);
	assert_int_equal(store_ref_resolve(f->st, ":x", &kind, id, &err), BS_EINVAL);
}

struct hist {
	int n;
	char last_to[32];
};

static int hist_cb(void *arg, const struct store_history_row *h)
{
	struct hist *s = arg;

	s->n++;
	snprintf(s->last_to, sizeof(s->last_to), "%s", h->to);
	return 0;
}

static void test_history(void **state)
{
	struct fx *f = *state;
	enum store_put_result res;
	enum sync_state to;
	enum record_kind k = RECORD_SALE;
	struct hist h = {0};
	struct bs_error err;

	assert_int_equal(store_target_add(f->st, "xero:t", "", &f->who, &err), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"a\":1}", &res), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"a\":1}", &res), BS_OK); /* no-op */
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S-1", "xero:t", SYNC_EV_PLAN, NULL,
	                                   &f->who, &to, &err),
	                 BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "S-1", 0, "{\"a\":2}", &res), BS_OK);
	/* new (from created_ms), plan, changed (record), queued->queued */
	assert_int_equal(store_history_each(f->st, &k, "S-1", 0, hist_cb, &h, &err), BS_OK);
	assert_int_equal(h.n, 4);
	memset(&h, 0, sizeof(h));
	assert_int_equal(store_history_each(f->st, &k, "S-1", 2, hist_cb, &h, &err), BS_OK);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.last_to, "queued");
	memset(&h, 0, sizeof(h));
	/* all records: the stored transitions only */
	assert_int_equal(store_history_each(f->st, NULL, NULL, 0, hist_cb, &h, &err), BS_OK);
	assert_int_equal(h.n, 3);
}

/* Renders one record's history as "from>to reason;" per row, seq checked
 * to rise. */
struct hist_text {
	char s[512];
	int64_t last_seq;
};

static int hist_text_cb(void *arg, const struct store_history_row *h)
{
	struct hist_text *t = arg;
	size_t n = strlen(t->s);

	assert_true(h->seq > t->last_seq || (h->seq == 0 && t->last_seq == 0));
	t->last_seq = h->seq;
	snprintf(t->s + n, sizeof(t->s) - n, "%s>%s %s;", h->from, h->to, h->reason);
	return 0;
}

/* The Invoice link of a record on xero:t as store_links_each lists it. */
static int view_cb(void *arg, const char *target, const char *ledger_type,
                   const struct store_link *link)
{
	struct store_link *v = arg;

	if (strcmp(target, "xero:t") == 0 && strcmp(ledger_type, "Invoice") == 0)
		*v = *link;
	return 0;
}

enum held_op {
	H_END,
	H_BEGIN,     /* store_begin and store_record_get_on S-1 (arg: other record) */
	H_EMIT,      /* an outbox row of the record read, offering a move from `from` */
	H_EMIT_BARE, /* one offering nothing */
	H_APPLY,     /* store_state_apply_rec ev */
	H_PUT,       /* a new version of S-1 (inside or outside the transaction) */
	H_DELETE,    /* store_outbox_delete of the last row emitted */
	H_COMMIT,
	H_ROLLBACK,
};

struct held_step {
	enum held_op op;
	const char *id;       /* H_BEGIN: the record read (NULL: S-1) */
	enum sync_state from; /* H_EMIT: the offer's from-state */
	enum sync_event ev;   /* H_APPLY: the move; H_EMIT: the offer's reason */
	int64_t serial;       /* H_EMIT: the Invoice's serial the row keeps (0: none) */
};

/*
 * A record's move to queued whose history row its outbox row holds
 * (struct store_held_move): history shows each move once and in order,
 * whatever follows -- the move on, a new version, the row deleted, a move
 * that does not match the offer, a rollback, two rows, two records.
 */
static void test_history_held(void **state)
{
	static const struct {
		const char *name;
		struct held_step steps[10];
		const char *want;    /* S-1's history after the steps */
		int64_t want_serial; /* its Invoice's serial in links (0: no link) */
		int64_t shown;       /* store_links_each's, when not want_serial */
	} cases[] = {
	    {"held: shown from the outbox, the serial still in its row",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED, .serial = 7},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_COMMIT}},
	     ">new ;not_imported>queued plan;",
	     .shown = 7},
	    {"posted later: written before the move on, the serial into links",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED, .serial = 8},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_COMMIT},
	      {H_BEGIN},
	      {H_APPLY, .ev = SYNC_EV_POSTED},
	      {H_COMMIT}},
	     ">new ;not_imported>queued plan;queued>imported posted;",
	     8},
	    {"a new version while queued",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED, .serial = 11},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_COMMIT},
	      {H_PUT}},
	     ">new ;not_imported>queued plan;>changed ;queued>queued new version arrived;",
	     11},
	    {"row deleted, record waits",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED, .serial = 9},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_COMMIT},
	      {H_BEGIN},
	      {H_DELETE},
	      {H_APPLY, .ev = SYNC_EV_WAIT},
	      {H_COMMIT}},
	     ">new ;not_imported>queued plan;queued>waiting wait;",
	     9},
	    {"failed in the same transaction",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED, .serial = 10},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_APPLY, .ev = SYNC_EV_FAILED},
	      {H_COMMIT}},
	     ">new ;not_imported>queued plan;queued>error failed;",
	     10},
	    {"offer from another state: the move writes its own",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_CHANGED},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_COMMIT},
	      {H_BEGIN},
	      {H_APPLY, .ev = SYNC_EV_POSTED},
	      {H_COMMIT}},
	     ">new ;not_imported>queued plan;queued>imported posted;"},
	    {"a move not to queued: its own row, no held one",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED},
	      {H_APPLY, .ev = SYNC_EV_SKIP},
	      {H_COMMIT}},
	     ">new ;not_imported>skipped skip;"},
	    {"two rows of one record: one move",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED, .serial = 14},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_COMMIT},
	      {H_BEGIN},
	      {H_APPLY, .ev = SYNC_EV_POSTED},
	      {H_COMMIT}},
	     ">new ;not_imported>queued plan;queued>imported posted;",
	     14},
	    {"rolled back: nothing",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED, .serial = 12},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_ROLLBACK}},
	     ">new ;"},
	    {"a row offering nothing: the move's own row; its serial moves all the same",
	     {{H_BEGIN},
	      {H_EMIT_BARE, .serial = 13},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_COMMIT},
	      {H_BEGIN},
	      {H_APPLY, .ev = SYNC_EV_POSTED},
	      {H_COMMIT}},
	     ">new ;not_imported>queued plan;queued>imported posted;",
	     13},
	    {"an offer no move took, then another record's: withdrawn",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED},
	      {H_BEGIN, "S-2"},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED},
	      {H_APPLY, .ev = SYNC_EV_PLAN},
	      {H_COMMIT}},
	     ">new ;"},
	    {"resync's reason",
	     {{H_BEGIN},
	      {H_EMIT, NULL, SYNC_NOT_IMPORTED, SYNC_EV_RESYNC},
	      {H_APPLY, .ev = SYNC_EV_RESYNC},
	      {H_COMMIT}},
	     ">new ;not_imported>queued resync;"},
	};
	struct fx *f = *state;
	enum record_kind k = RECORD_SALE;
	struct bs_error err;
	struct buf body;

	buf_init(&body, 0);
	assert_int_equal(store_target_add(f->st, "xero:t", "", &f->who, &err), BS_OK);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char s1[32], s2[32];
		struct store_record_info info;
		struct store_link link = {0}, view;
		struct hist_text t = {"", 0};
		enum store_put_result res;
		enum sync_state cur;
		int64_t op_id = 0;
		int version = 1, rc;

		/* each case on records of its own */
		snprintf(s1, sizeof(s1), "S-1-%zu", c);
		snprintf(s2, sizeof(s2), "S-2-%zu", c);
		assert_int_equal(put(f, RECORD_SALE, s1, 0, "{\"v\":0}", &res), BS_OK);
		assert_int_equal(put(f, RECORD_SALE, s2, 0, "{\"v\":0}", &res), BS_OK);
		for (const struct held_step *st = cases[c].steps; st->op != H_END; st++) {
			/* the reason of the move offered: plan's unless the step names one */
			struct store_held_move held = {
			    st->from, "sync",
			    sync_event_name(st->ev != SYNC_EV_NEW_VERSION ? st->ev : SYNC_EV_PLAN)};
			char v[32];

			switch (st->op) {
			case H_BEGIN:
				if (st->id == NULL)
					assert_int_equal(store_begin(f->st, &err), BS_OK);
				assert_int_equal(store_record_get_on(
				                     f->st, RECORD_SALE, st->id != NULL ? s2 : s1,
				                     "xero:t", &info, &body, &cur, NULL, &err),
				                 BS_OK);
				break;
			case H_EMIT:
			case H_EMIT_BARE:
				assert_int_equal(
				    store_outbox_add_rec(f->st, "xero:t", &info, "Invoice",
				                         "create", "{}", "", f->who.now_ms,
				                         st->op == H_EMIT ? &held : NULL,
				                         st->serial, &op_id, &err),
				    BS_OK);
				break;
			case H_APPLY:
				assert_int_equal(store_state_apply_rec(f->st, &info, "xero:t",
				                                       st->ev, NULL, &f->who, &cur,
				                                       &err),
				                 BS_OK);
				break;
			case H_PUT:
				snprintf(v, sizeof(v), "{\"v\":%d}", version++);
				assert_int_equal(put(f, RECORD_SALE, s1, 0, v, &res), BS_OK);
				break;
			case H_DELETE:
				assert_int_equal(store_outbox_delete(f->st, op_id, &err), BS_OK);
				break;
			case H_COMMIT:
				assert_int_equal(store_commit(f->st, &err), BS_OK);
				break;
			case H_ROLLBACK:
				store_rollback(f->st);
				break;
			case H_END:
				break;
			}
		}
		assert_int_equal(store_history_each(f->st, &k, s1, 0, hist_text_cb, &t, &err),
		                 BS_OK);
		if (strcmp(t.s, cases[c].want) != 0)
			fail_msg("%s: history %s, want %s", cases[c].name, t.s, cases[c].want);
		/* the serial in links once the record has moved on */
		rc = store_link_get(f->st, "xero:t", RECORD_SALE, s1, "Invoice", &link, &err);
		if (cases[c].want_serial == 0 ? rc != BS_ENOTFOUND
		                              : rc != BS_OK || link.serial != cases[c].want_serial)
			fail_msg("%s: link %d serial %lld, want %lld", cases[c].name, rc,
			         (long long)link.serial, (long long)cases[c].want_serial);
		/* the record's links as the API lists them show a held serial too */
		memset(&view, 0, sizeof(view));
		assert_int_equal(store_links_each(f->st, RECORD_SALE, s1, view_cb, &view, &err),
		                 BS_OK);
		if (view.serial != (cases[c].shown ? cases[c].shown : cases[c].want_serial))
			fail_msg("%s: links show serial %lld", cases[c].name,
			         (long long)view.serial);
	}
	buf_free(&body);
}

static void test_settings_and_tx(void **state)
{
	struct fx *f = *state;
	enum store_put_result res;
	struct bs_error err;
	struct buf v;
	int64_t n = -1;

	buf_init(&v, 0);
	assert_int_equal(store_setting_get(f->st, "k", &v, &err), BS_ENOTFOUND);
	assert_int_equal(store_setting_set(f->st, "k", "v1", &err), BS_OK);
	assert_int_equal(store_setting_set(f->st, "k", "v2", &err), BS_OK);
	assert_int_equal(store_setting_get(f->st, "k", &v, &err), BS_OK);
	assert_string_equal(buf_cstr(&v), "v2");
	assert_int_equal(store_setting_unset(f->st, "k", &err), BS_OK);
	assert_int_equal(store_setting_get(f->st, "k", &v, &err), BS_ENOTFOUND);

	/* rolled back work leaves nothing */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_begin(f->st, &err), BS_ESTATE);
	assert_int_equal(put(f, RECORD_SALE, "T-1", 0, "{}", &res), BS_OK);
	store_rollback(f->st);
	assert_int_equal(store_record_count(f->st, &n, &err), BS_OK);
	assert_int_equal(n, 0);
	/* a conflict inside a batch undoes only itself */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "T-1", 1, "{\"a\":1}", &res), BS_OK);
	assert_int_equal(put(f, RECORD_SALE, "T-1", 1, "{\"a\":2}", &res), BS_ECONFLICT);
	assert_int_equal(put(f, RECORD_SALE, "T-2", 1, "{}", &res), BS_OK);
	assert_int_equal(store_commit(f->st, &err), BS_OK);
	assert_int_equal(store_commit(f->st, &err), BS_ESTATE);
	assert_int_equal(store_record_count(f->st, &n, &err), BS_OK);
	assert_int_equal(n, 2);
	buf_free(&v);
}

static void test_read_only_and_corrupt(void **state)
{
	struct fx *f = *state;
	struct store *ro = NULL, *bad = NULL;
	enum store_put_result res;
	struct record r;
	struct bs_error err;
	char uri[600], junk[160];
	FILE *fp;

	TSTORE_SQLITE_ONLY();
	snprintf(uri, sizeof(uri), "file:%s?mode=ro", f->path);
	assert_int_equal(store_open(uri, 0, &ro, &err), BS_OK);
	mk(&r, RECORD_CUSTOMER, "C-9", 0, "sales/customers", "{}");
	assert_int_equal(store_record_put(ro, &r, &f->who, &res, &err), BS_EREADONLY);
	assert_non_null(strstr(err.msg, "read-only"));
	record_release(&r);
	store_close(ro);

	snprintf(junk, sizeof(junk), "%s/junk.db", f->dir);
	fp = fopen(junk, "w");
	assert_non_null(fp);
	fputs("this is not a database, just text long enough to have a header.......", fp);
	fclose(fp);
	assert_int_equal(store_open(junk, 0, &bad, &err), BS_ESTORE);
	assert_non_null(strstr(err.msg, "not a booksync store"));
	assert_null(bad);
}

struct walk_seen {
	char got[64];
	int n, stop_after;
};

static int seen_key(void *arg, enum record_kind kind, const char *id)
{
	struct walk_seen *w = arg;
	size_t len = strlen(w->got);

	snprintf(w->got + len, sizeof(w->got) - len, "%d%s;", (int)kind, id);
	return ++w->n == w->stop_after ? 7 : 0;
}

static int seen_pair(void *arg, const char *a, const char *b)
{
	struct walk_seen *w = arg;
	size_t len = strlen(w->got);

	snprintf(w->got + len, sizeof(w->got) - len, "%s=%s;", a, b != NULL ? b : "NULL");
	return ++w->n == w->stop_after ? 7 : 0;
}

/*
 * sq_rows, the one walk under every listing: each row to the callback, a
 * non-zero return ends the walk and is what it returns, the end is BS_OK,
 * an SQLite failure mid-walk is sq_fail's status naming `what`; kinds this
 * build does not know are passed over by sq_rows_keys.
 */
static void test_rows_walk(void **state)
{
	static const struct {
		const char *sql;
		bool pairs;
		int stop_after, want_rc;
		const char *want;
	} cases[] = {
	    {"VALUES (0, 'a'), (1, 'b')", false, 0, BS_OK, "0a;1b;"},
	    {"VALUES (0, 'a'), (99, 'x'), (-1, 'y'), (1, 'b')", false, 0, BS_OK, "0a;1b;"},
	    {"VALUES (0, 'a'), (1, 'b'), (0, 'c')", false, 2, 7, "0a;1b;"},
	    {"SELECT 0, 'a' WHERE 0", false, 0, BS_OK, ""},
	    {"SELECT 0, 'a' UNION ALL SELECT abs(-9223372036854775807 - 1), 'x'", false, 0,
	     BS_ESTORE, "0a;"},
	    {"VALUES ('k', 'v'), ('k2', NULL)", true, 0, BS_OK, "k=v;k2=NULL;"},
	    {"VALUES ('k', 'v'), ('k2', 'w')", true, 1, 7, "k=v;"},
	};
	struct fx *f = *state;
	struct sq_store *s = sq(f->st);

	TSTORE_SQLITE_ONLY();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct walk_seen w = {.stop_after = cases[i].stop_after};
		struct bs_error err = {0};
		struct db_stmt *q = NULL;
		int rc;

		assert_int_equal(db_prepare(s->db, cases[i].sql, &q), DB_OK);
		rc = cases[i].pairs ? sq_rows_pairs(s, q, seen_pair, &w, &err, "walking")
		                    : sq_rows_keys(s, q, seen_key, &w, &err, "walking");
		db_finalize(q);
		if (rc != cases[i].want_rc || strcmp(w.got, cases[i].want) != 0)
			fail_msg("case %zu: rc %d, saw \"%s\"; want %d, \"%s\"", i, rc, w.got,
			         cases[i].want_rc, cases[i].want);
		if (rc == BS_ESTORE && strncmp(err.msg, "walking: ", 9) != 0)
			fail_msg("case %zu: message \"%s\"", i, err.msg);
	}
}

/* A job of the serve's (runner "") or the fleet's, queued. */
static int64_t job_add(struct fx *f, const char *target, const char *runner, int64_t created)
{
	struct store_job j;
	struct bs_error err;

	memset(&j, 0, sizeof(j));
	snprintf(j.target, sizeof(j.target), "%s", target);
	snprintf(j.origin, sizeof(j.origin), "api");
	snprintf(j.state, sizeof(j.state), "queued");
	snprintf(j.phase, sizeof(j.phase), "target");
	snprintf(j.runner, sizeof(j.runner), "%s", runner);
	j.created_ms = created;
	assert_int_equal(store_job_add(f->st, &j, "{\"target\":\"x\"}", NULL, NULL, &err), BS_OK);
	return j.id;
}

struct open_seen {
	int n;
	int64_t ids[8];
};

static int open_row(void *arg, const struct store_job *j, const char *request)
{
	struct open_seen *o = arg;

	assert_string_equal(request, "{\"target\":\"x\"}");
	if (o->n < 8)
		o->ids[o->n] = j->id;
	o->n++;
	return 0;
}

/*
 * The fleet's jobs (store_job_take): the oldest of a target first, only
 * the fleet's, a job running under a worker taken over by another (the
 * first died or lost its lease), whose writes then stop; a serve that
 * starts abandons only its own; what store_jobs_open lists.
 */
static void test_fleet_jobs(void **state)
{
	struct fx *f = *state;
	struct store_job j, k;
	struct open_seen seen = {0};
	struct bs_error err;
	struct buf req;
	int64_t serve_job, a1, a2, other, n = 0;

	buf_init(&req, 0);
	serve_job = job_add(f, "xero:t1", "", 1000);
	a1 = job_add(f, "xero:t1", "fleet", 1001);
	a2 = job_add(f, "xero:t1", "fleet", 1002);
	other = job_add(f, "xero:t2", "fleet", 1003);

	/* A takes t1's oldest fleet job, never the serve's */
	assert_int_equal(store_job_take(f->st, "xero:t1", "A/0", 5000, &j, &req, &err), BS_OK);
	assert_int_equal(j.id, a1);
	assert_string_equal(j.state, "running");
	assert_string_equal(j.worker, "A/0");
	assert_string_equal(j.runner, "fleet");
	assert_int_equal(j.started_ms, 5000);
	assert_string_equal(buf_cstr(&req), "{\"target\":\"x\"}");
	/* its own running job is not handed to it again: the next one is */
	assert_int_equal(store_job_take(f->st, "xero:t1", "A/0", 5100, &k, NULL, &err), BS_OK);
	assert_int_equal(k.id, a2);

	/* A dies; B, the target's next claimant, takes a1 over, start kept */
	assert_int_equal(store_job_take(f->st, "xero:t1", "B/1", 9000, &j, NULL, &err), BS_OK);
	assert_int_equal(j.id, a1);
	assert_string_equal(j.worker, "B/1");
	assert_int_equal(j.started_ms, 5000);
	/* A's late write of a1 is refused; B's goes in */
	memset(&k, 0, sizeof(k));
	assert_int_equal(store_job_get(f->st, a1, &k, NULL, &err), BS_OK);
	snprintf(k.worker, sizeof(k.worker), "A/0");
	snprintf(k.state, sizeof(k.state), "done");
	assert_int_equal(store_job_update(f->st, &k, &err), BS_ENOTFOUND);
	snprintf(j.state, sizeof(j.state), "done");
	j.rate_limited = 3;
	assert_int_equal(store_job_update(f->st, &j, &err), BS_OK);
	assert_int_equal(store_job_get(f->st, a1, &k, NULL, &err), BS_OK);
	assert_string_equal(k.state, "done");
	assert_int_equal(k.rate_limited, 3);

	/* B takes a2 (A's, running), then t1 has none; t2's is its own */
	assert_int_equal(store_job_take(f->st, "xero:t1", "B/1", 9100, &j, NULL, &err), BS_OK);
	assert_int_equal(j.id, a2);
	assert_int_equal(store_job_take(f->st, "xero:t1", "B/1", 9200, &j, NULL, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_job_take(f->st, "xero:t3", "B/1", 9200, &j, NULL, &err),
	                 BS_ENOTFOUND);

	/* open jobs of t1, oldest first: the serve's queued one and a2 */
	assert_int_equal(store_jobs_open(f->st, "xero:t1", open_row, &seen, &err), BS_OK);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.ids[0], serve_job);
	assert_int_equal(seen.ids[1], a2);

	/* a serve starting fails its own job, not the fleet's */
	assert_int_equal(store_jobs_abandon(f->st, "serve stopped", 10000, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_job_get(f->st, serve_job, &j, NULL, &err), BS_OK);
	assert_string_equal(j.state, "failed");
	assert_int_equal(store_job_get(f->st, a2, &j, NULL, &err), BS_OK);
	assert_string_equal(j.state, "running");
	assert_int_equal(store_job_get(f->st, other, &j, NULL, &err), BS_OK);
	assert_string_equal(j.state, "queued");
	assert_string_equal(j.worker, "");
	buf_free(&req);
}

/* A job added with a key while another of the key is open: refused, the
 * open one named; once that ends, the key is free; keys apart, and no
 * key at all, never clash. */
static void test_job_keys(void **state)
{
	struct fx *f = *state;
	struct store_job j, twin;
	struct bs_error err;
	int64_t first;

	memset(&j, 0, sizeof(j));
	snprintf(j.target, sizeof(j.target), "xero:t1");
	snprintf(j.state, sizeof(j.state), "queued");
	snprintf(j.runner, sizeof(j.runner), "fleet");
	assert_int_equal(store_job_add(f->st, &j, "{}", "K1", NULL, &err), BS_OK);
	first = j.id;
	assert_int_equal(store_job_add(f->st, &j, "{}", "K1", &twin, &err), BS_ECONFLICT);
	assert_int_equal(twin.id, first);
	assert_string_equal(twin.state, "queued");
	assert_int_equal(j.id, first); /* untouched */
	/* running is open too */
	assert_int_equal(store_job_take(f->st, "xero:t1", "A/0", 10, &twin, NULL, &err), BS_OK);
	assert_int_equal(store_job_add(f->st, &j, "{}", "K1", &twin, &err), BS_ECONFLICT);
	assert_string_equal(twin.state, "running");
	/* another key, and none, go in */
	assert_int_equal(store_job_add(f->st, &j, "{}", "K2", NULL, &err), BS_OK);
	assert_int_equal(store_job_add(f->st, &j, "{}", NULL, NULL, &err), BS_OK);
	assert_int_equal(store_job_add(f->st, &j, "{}", NULL, NULL, &err), BS_OK);
	/* the first ends: its key is free again */
	assert_int_equal(store_job_get(f->st, first, &twin, NULL, &err), BS_OK);
	snprintf(twin.state, sizeof(twin.state), "done");
	assert_int_equal(store_job_update(f->st, &twin, &err), BS_OK);
	assert_int_equal(store_job_add(f->st, &j, "{}", "K1", NULL, &err), BS_OK);
	assert_true(j.id > first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_and_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
	    cmocka_unit_test(test_file_kind),
	    cmocka_unit_test_setup_teardown(test_empty_and_foreign_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unmarked_store_is_marked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quick_check, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_serials, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_without_target, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_page, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_states_and_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_state_read_then_moved, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_read_extra, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cache_set, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_targets_need_a_name, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ref_resolve, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_history_held, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_settings_and_tx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_and_corrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rows_walk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fleet_jobs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_job_keys, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
