/*
 * store_sqlite_open.c - opening the SQLite store: knowing the file for a
 * store before anything is written to it, checking it when the caller will
 * write, reading it in a directory the process may not write, and bringing
 * its schema up to date (store.h, store_open).  The queries are the shared SQL backend's
 * (store_sql.c).
 */
#include "store/schema.h"
#include "store/store_sql_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Apply every migration above the file's version, each in its own tx; with
 * `stamp`, mark the file as a booksync store in the first (or alone).
 */
static int sq_migrate(struct sq_store *s, bool stamp, struct bs_error *err)
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
	for (; version < store_sqlite_migration_count || stamp; version++) {
		bool migrate = version < store_sqlite_migration_count;
		char sql[64];

		if ((rc = tx_enter(s, err)) != BS_OK)
			break;
		if (migrate)
			rc = sq_exec(s, store_sqlite_migrations[version], err,
			             "migrating the store");
		if (rc == BS_OK && migrate) {
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
			rc = sq_exec(s, sql, err, "migrating the store");
		}
		if (rc == BS_OK && stamp) {
			snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
			         STORE_SQLITE_APPLICATION_ID);
			rc = sq_exec(s, sql, err, "marking the store");
		}
		if ((rc = tx_leave(s, rc, err)) != BS_OK)
			break;
		stamp = false;
	}
	/*
	 * A store known by its tables reads as well without the mark: when
	 * only the mark was to be written and another process holds the lock,
	 * the next writer writes it rather than this open failing.
	 */
	if (rc == BS_EBUSY && version >= store_sqlite_migration_count)
		rc = BS_OK;
	return rc;
}

enum sq_file sq_file_kind(const struct sq_probe *p)
{
	if (p->app_id == STORE_SQLITE_APPLICATION_ID)
		return SQ_FILE_STORE;
	if (p->app_id != 0)
		return SQ_FILE_FOREIGN;
	if (p->objects == 0 && p->user_version == 0)
		return SQ_FILE_EMPTY;
	if (p->tables == SQ_LEGACY_TABLES && p->user_version >= 1)
		return SQ_FILE_LEGACY;
	return SQ_FILE_FOREIGN;
}

/* The SQLite connection under the store's (the file's own PRAGMAs and
 * result codes, extended ones included, which db.h does not carry). */
static sqlite3 *sqh(struct sq_store *s)
{
	return db_sqlite_handle(s->db);
}

/* Open path into s->db; an SQLite result code (s->db may be set on
 * failure too, for its message: sq_close closes it). */
static int sq_connect(struct sq_store *s, const char *path, int oflags)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h, oflags, NULL);

	if (h != NULL && (s->db = db_sqlite_wrap(h)) == NULL) {
		sqlite3_close(h);
		return SQLITE_NOMEM;
	}
	if (h != NULL) {
		sqlite3_extended_result_codes(h, 1);
		sqlite3_busy_timeout(h, 5000);
	}
	return rc;
}

/* The file's mark, version and tables in one read; an SQLite result code. */
static int sq_probe_file(struct sq_store *s, struct sq_probe *p)
{
	static const char sql[] =
	    "SELECT (SELECT application_id FROM pragma_application_id),"
	    " (SELECT user_version FROM pragma_user_version),"
	    " (SELECT count(*) FROM sqlite_master),"
	    " (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
	    " ('settings', 'records', 'record_refs', 'targets', 'sync_state', 'history',"
	    " 'errors', 'links', 'outbox', 'counters', 'requests'))";
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(sqh(s), sql, -1, &q, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		p->app_id = sqlite3_column_int64(q, 0);
		p->user_version = sqlite3_column_int64(q, 1);
		p->objects = sqlite3_column_int64(q, 2);
		p->tables = sqlite3_column_int64(q, 3);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	return rc;
}

/* Whether the file has a write-ahead log beside it. */
static bool sq_has_wal(struct sq_store *s)
{
	const char *file = sqlite3_db_filename(sqh(s), "main");

	return file != NULL && file[0] != '\0' && access(sqlite3_filename_wal(file), F_OK) == 0;
}

/*
 * Reopen a WAL store read-only in a directory this process cannot write:
 * SQLite would create the shared-memory index (-shm) beside the file and
 * cannot.  With no write-ahead log beside it (the caller looked), the file
 * alone holds every committed transaction and nobody is writing it (a
 * writer keeps its log there), so it is read as immutable: without the
 * index and without locks.
 */
static int sq_reopen_immutable(struct sq_store *s, const char *path, struct bs_error *err)
{
	const char *file = sqlite3_db_filename(sqh(s), "main");
	struct buf uri;
	int rc;

	if (file == NULL || file[0] == '\0')
		return bs_error_set(err, BS_EREADONLY, "cannot read %s here", path);
	buf_init(&uri, 4096);
	rc = buf_addstr(&uri, "file:");
	for (const char *c = file; rc == BS_OK && *c != '\0'; c++) {
		if (strchr("?#%", *c) != NULL || (unsigned char)*c < 0x20)
			rc = buf_printf(&uri, "%%%02X", (unsigned)(unsigned char)*c);
		else
			rc = buf_add(&uri, c, 1);
	}
	if (rc == BS_OK)
		rc = buf_addstr(&uri, "?mode=ro&immutable=1");
	if (rc != BS_OK)
		goto out;
	db_close(s->db);
	s->db = NULL;
	rc = sq_connect(s, buf_cstr(&uri),
	                SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX);
	if (rc != SQLITE_OK) {
		rc = sq_fail(s, rc, err, "opening the store");
		goto out;
	}
out:
	buf_free(&uri);
	return rc;
}

/* Probe the file and say whether it may be opened (see store_open). */
static int sq_recognise(struct sq_store *s, const char *path, unsigned flags, bool *stamp,
                        struct bs_error *err)
{
	struct sq_probe p = {0};
	int rc = sq_probe_file(s, &p);

	if (((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) &&
	    sqlite3_db_readonly(sqh(s), "main") == 1 && sq_has_wal(s))
		return bs_error_set(err, BS_EREADONLY,
		                    "cannot read %s: it has a write-ahead log to merge and this "
		                    "process may not write beside it; open it once where it can",
		                    path);
	if ((rc == SQLITE_READONLY_DIRECTORY || rc == SQLITE_READONLY_CANTINIT) &&
	    sqlite3_db_readonly(sqh(s), "main") == 1) {
		if ((rc = sq_reopen_immutable(s, path, err)) != BS_OK)
			return rc;
		rc = sq_probe_file(s, &p);
	}
	if ((rc & 0xff) == SQLITE_NOTADB)
		return bs_error_set(err, BS_ESTORE, "%s is not a booksync store (%s)", path,
		                    sqlite3_errstr(rc));
	if ((rc & 0xff) == SQLITE_CORRUPT)
		return bs_error_set(err, BS_ESTORE, "%s is corrupt (%s): restore it from a backup",
		                    path, sqlite3_errmsg(sqh(s)));
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, err, "opening the store");
	switch (sq_file_kind(&p)) {
	case SQ_FILE_STORE:
		*stamp = false;
		return BS_OK;
	case SQ_FILE_LEGACY:
		*stamp = sqlite3_db_readonly(sqh(s), "main") == 0;
		return BS_OK;
	case SQ_FILE_EMPTY:
		*stamp = true;
		if (flags & STORE_OPEN_CREATE)
			return BS_OK;
		return bs_error_set(err, BS_ESTORE,
		                    "%s is not a booksync store (the file is empty): run "
		                    "'booksync init' to make one there",
		                    path);
	case SQ_FILE_FOREIGN:
	default:
		return bs_error_set(err, BS_ESTORE,
		                    "%s is not a booksync store (an SQLite database of another "
		                    "program)",
		                    path);
	}
}

/* PRAGMA quick_check: every page and index entry is read once. */
static int sq_quick_check(struct sq_store *s, const char *path, struct bs_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(sqh(s), "PRAGMA quick_check(1)", -1, &q, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *verdict = (const char *)sqlite3_column_text(q, 0);
		const char *nl = verdict != NULL ? strchr(verdict, '\n') : NULL;

		/* "*** in database main ***\nPage 74: ...": the page is the news */
		if (nl != NULL && strncmp(verdict, "***", 3) == 0)
			verdict = nl + 1;
		if (verdict != NULL && strcmp(verdict, "ok") == 0)
			rc = BS_OK;
		else
			rc = bs_error_set(err, BS_ESTORE,
			                  "%s is corrupt (%s): restore it from a backup", path,
			                  verdict != NULL ? verdict : "no verdict");
	} else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
		rc = bs_error_set(err, BS_ESTORE, "%s is corrupt (%s): restore it from a backup",
		                  path, sqlite3_errmsg(sqh(s)));
	} else {
		rc = sq_fail(s, rc, err, "checking the store");
	}
	sqlite3_finalize(q);
	return rc;
}

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

/* SQLite's cache_size is KiB when negative, pages when positive. */
int sq_cache_set(struct store *st, int kib, int *old, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	sqlite3 *h = sqh(s);
	sqlite3_stmt *q = NULL;
	char sql[64];

	if (h == NULL)
		return BS_OK; /* PostgreSQL */
	if (old != NULL && sqlite3_prepare_v2(h, "PRAGMA cache_size", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW) {
		int64_t v = sqlite3_column_int64(q, 0);

		*old = (int)(v < 0 ? -v : v * db_sqlite_page_size(s->db) / 1024);
	}
	sqlite3_finalize(q);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%d", kib);
	return sq_exec(s, sql, err, "sizing the page cache");
}

int store_sqlite_open(const char *path, unsigned flags, struct store **out, struct bs_error *err)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	struct sq_store *s;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
	bool stamp = false;
	int rc;

	*out = NULL;
	pthread_once(&configured, sq_configure);
	if (flags & STORE_OPEN_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	s->base.ops = &sq_ops;
	s->ntargets = -1;
	s->refusals = -1;
	rc = sq_connect(s, path, oflags);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_CANTOPEN && !(flags & STORE_OPEN_CREATE))
			rc = bs_error_set(err, BS_ENOTFOUND,
			                  "no store at %s: run 'booksync init' first", path);
		else
			rc = bs_error_set(err, BS_ESTORE, "cannot open the store %s: %s", path,
			                  s->db != NULL ? sqlite3_errmsg(sqh(s))
			                                : sqlite3_errstr(rc));
		goto fail;
	}
	/* nothing is written before the file is known to be a sound store */
	if ((rc = sq_recognise(s, path, flags, &stamp, err)) != BS_OK)
		goto fail;
	/*
	 * A new store's pages are 16 KiB, not SQLite's 4 (a file that has its
	 * tables keeps its size: then this is a no-op).  booksync writes in
	 * bulk -- an import, a plan, a request's 50 rows -- and a commit's WAL
	 * frames cost two system calls each whatever their size: with four
	 * times fewer, planning 24,000 documents is a fifth faster
	 * (bench/RESULTS.md "Checkpoints aside, 16 KiB pages").  A one-row
	 * commit writes more bytes, which no path here does often.
	 */
	if (stamp &&
	    (rc = sq_exec(s, "PRAGMA page_size=16384", err, "creating the store")) != BS_OK)
		goto fail;
	/* before the page cache is sized: a check in 16 MiB of fresh cache
	 * pages costs twice the system time of one in SQLite's default 2 MiB */
	if ((flags & STORE_OPEN_CHECK) && (rc = sq_quick_check(s, path, err)) != BS_OK)
		goto fail;
	/*
	 * (STORE_OPEN_SMALL_CACHE: 512 KiB, for a server's pool of connections.)
	 * 4 MiB of page cache serves what walks keys in order -- planning,
	 * sending, listing -- as well as more would, and memory is not free to
	 * touch: the first fill of 16 MiB is thousands of page faults
	 * (bench/RESULTS.md "A page cache of 4 MiB").  An import, whose writes
	 * to indexes of random keys need more, sizes it for its run
	 * (INGEST_CACHE_KIB, src/ingest/ingest.c).
	 */
	rc = sq_exec(s,
	             (flags & STORE_OPEN_SMALL_CACHE)
	                 ? "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
	                   " PRAGMA cache_size=-512; PRAGMA temp_store=MEMORY;"
	                 : "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
	                   " PRAGMA cache_size=-4096; PRAGMA temp_store=MEMORY;",
	             err, "opening the store");
	if (rc != BS_OK)
		goto fail;
	/* journal_mode=WAL needs write access; a read-only store keeps its mode. */
	s->readonly = sqlite3_db_readonly(sqh(s), "main") == 1;
	if (!s->readonly)
		db_exec(s->db, "PRAGMA journal_mode=WAL");
	/* a server's pooled connections commit little each: SQLite's own
	 * checkpoints serve them.  Without the thread (out of memory), SQLite's
	 * own serve this one too. */
	if (!s->readonly && !(flags & STORE_OPEN_SMALL_CACHE))
		(void)db_sqlite_checkpoint_aside(s->db);
	if ((rc = sq_migrate(s, stamp, err)) != BS_OK)
		goto fail;
	*out = &s->base;
	return BS_OK;
fail:
	sq_close(&s->base);
	return rc;
}
