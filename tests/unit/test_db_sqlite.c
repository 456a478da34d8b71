/*
 * test_db_sqlite.c - the SQLite driver's checkpointer
 * (db_sqlite_checkpoint_aside in store/db.h).
 *
 * A writer that commits back to back, as the planner does: its WAL is
 * checkpointed by the thread, stays within the bound the driver promises
 * (64 MiB of frames and one transaction's), starts over, and every committed
 * row is in the file after the close.  The same writes without the
 * checkpointer take SQLite's own checkpoints and run none of the thread's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE      4096
#define FRAME     (PAGE + 24)
#define ROW_BYTES (16 * PAGE) /* a commit of about 17 frames */
#define COMMITS   1200        /* about 20,000 frames of 4 KiB: past the force once */
#define WAL_BOUND ((16384 + 64) * (off_t)FRAME + 32) /* 64 MiB of 4 KiB pages */

struct fixture {
	char dir[64], file[96], wal[100];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-dbs-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->file, sizeof(f->file), "%s/t.db", f->dir);
	snprintf(f->wal, sizeof(f->wal), "%s-wal", f->file);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[128];

	unlink(f->file);
	unlink(f->wal);
	snprintf(p, sizeof(p), "%s-shm", f->file);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct db *open_wal(const char *file)
{
	sqlite3 *h = NULL;
	struct db *db;

	assert_int_equal(
	    sqlite3_open_v2(file, &h,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL),
	    SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	db = db_sqlite_wrap(h);
	assert_non_null(db);
	assert_int_equal(db_exec(db, "PRAGMA journal_mode=WAL"), DB_OK);
	assert_int_equal(db_exec(db, "PRAGMA synchronous=NORMAL"), DB_OK);
	assert_int_equal(
	    db_exec(db, "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, b BLOB)"), DB_OK);
	return db;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* n transactions of one row each; the WAL's largest size seen. */
static off_t write_rows(struct db *db, const char *wal, int n)
{
	struct db_stmt *q = NULL;
	char *blob = calloc(1, ROW_BYTES);
	off_t most = 0;

	assert_non_null(blob);
	assert_int_equal(db_prepare(db, "INSERT INTO t(b) VALUES(?1)", &q), DB_OK);
	for (int i = 0; i < n; i++) {
		blob[0] = (char)i;
		assert_int_equal(db_exec(db, "BEGIN IMMEDIATE"), DB_OK);
		db_bind_blob(q, 1, blob, ROW_BYTES);
		assert_int_equal(db_step(q), DB_DONE);
		db_reset(q);
		assert_int_equal(db_exec(db, "COMMIT"), DB_OK);
		if (file_size(wal) > most)
			most = file_size(wal);
	}
	db_finalize(q);
	free(blob);
	return most;
}

static int64_t rows_in(const char *file)
{
	struct db *db = open_wal(file);
	struct db_stmt *q = NULL;
	int64_t n;

	assert_int_equal(db_prepare(db, "SELECT count(*) FROM t", &q), DB_OK);
	assert_int_equal(db_step(q), DB_ROW);
	n = db_col_int64(q, 0);
	db_finalize(q);
	db_close(db);
	return n;
}

static void test_aside(void **state)
{
	struct fixture *f = *state;
	char cwd[4096];
	struct db *db;
	off_t most;

	/* opened by a relative name, written from elsewhere: the thread
	 * finds the file by the name SQLite resolved */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	db = open_wal("t.db");
	assert_int_equal(chdir("/"), 0);

	assert_int_equal(db_sqlite_checkpoint_aside(db), DB_OK);
	/* one is enough */
	assert_int_equal(db_sqlite_checkpoint_aside(db), DB_MISUSE);
	/* nothing started before a commit needed it */
	assert_int_equal(db_sqlite_checkpoints(db, true), 0);
	/* about 2,500 frames, short of the force: what reached the file was
	 * copied by the thread */
	assert_true(write_rows(db, f->wal, 150) > 0);
	assert_true(db_sqlite_checkpoints(db, true) > 0);
	assert_true(file_size(f->file) >= (off_t)1000 * PAGE);
	most = write_rows(db, f->wal, COMMITS - 150);
	/* and the WAL never outgrew the bound */
	assert_true(most > (off_t)1000 * FRAME);
	assert_true(most <= WAL_BOUND);
	db_close(db);
	/* the last close copied the rest: every row, no WAL left */
	assert_int_equal(file_size(f->wal), 0);
	assert_int_equal(rows_in(f->file), COMMITS);
	assert_int_equal(chdir(cwd), 0);
}

static void test_without(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_wal(f->file);
	off_t most = write_rows(db, f->wal, COMMITS);

	/* SQLite's own checkpoints, none of the thread's */
	assert_int_equal(db_sqlite_checkpoints(db, true), 0);
	assert_true(most <= (off_t)(1000 + 64) * FRAME + 32);
	db_close(db);
	assert_int_equal(rows_in(f->file), COMMITS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_without, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
