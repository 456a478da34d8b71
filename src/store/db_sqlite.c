/*
 * db_sqlite.c - db.h over SQLite: each call is SQLite's own.
 *
 * A statement is SQLite's, wrapped so db.h's dispatch finds its driver:
 * the wrapper costs one allocation per prepare and one indirect call per
 * step, bind or column, which the store's cached statements pay once per
 * connection and per row.
 */
#include "store/db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * WAL frames after a commit at which the checkpointer is woken (SQLite's
 * own automatic checkpoint runs at 1,000, inside the commit), and the WAL
 * bytes at which the committing connection checkpoints itself, the
 * checkpointer having fallen that far behind: 64 MiB, 4,096 frames of a
 * new store's 16 KiB pages.
 */
#define CKPT_WAKE        1000
#define CKPT_FORCE_BYTES ((int64_t)64 << 20)

/* A connection's checkpointer (db_sqlite_checkpoint_aside). */
struct dbs_ckpt {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	bool running; /* th was started and not yet joined */
	bool wanted;  /* a commit left CKPT_WAKE frames or more */
	bool busy;    /* th is checkpointing */
	bool stop;
	int force;          /* frames of CKPT_FORCE_BYTES at the file's page size */
	unsigned long runs; /* checkpoints it ran, for db_sqlite_checkpoints */
	char path[];        /* the file, for the thread's own connection */
};

struct dbs {
	struct db base;
	sqlite3 *h;
	struct dbs_ckpt *ck; /* NULL: SQLite's automatic checkpoints */
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

/* ---- the checkpointer ------------------------------------------------- */

/*
 * The thread: its own connection to the file, a PASSIVE checkpoint each
 * time a commit asks for one.  PASSIVE copies what no reader still needs
 * and never waits for a lock, so the writer goes on meanwhile.  A failed
 * checkpoint is not fatal: the WAL keeps the frames, the next run (or the
 * close, or the forced one) copies them.
 */
static void *ckpt_main(void *arg)
{
	struct dbs_ckpt *ck = arg;
	sqlite3 *h = NULL;

	/* ck->path is a file's name (sqlite3_db_filename), not a URI */
	if (sqlite3_open_v2(ck->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	        SQLITE_OK ||
	    /* a connection that has read nothing has not seen the WAL yet:
	     * its checkpoints would find nothing to do */
	    sqlite3_exec(h, "PRAGMA schema_version", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		h = NULL;
	}
	pthread_mutex_lock(&ck->mu);
	for (;;) {
		while (!ck->wanted && !ck->stop)
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (ck->stop)
			break;
		ck->wanted = false;
		ck->busy = true;
		pthread_mutex_unlock(&ck->mu);
		if (h != NULL)
			sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&ck->mu);
		ck->busy = false;
		ck->runs++;
		pthread_cond_broadcast(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
	sqlite3_close(h);
	return NULL;
}

/*
 * sqlite3_wal_hook: after each commit, with the WAL's frame count.  Wakes
 * the checkpointer (started at the first need), or checkpoints here when
 * it cannot be started or the WAL holds CKPT_FORCE_BYTES.
 *
 * Why the force: SQLite starts the WAL over only at a write transaction
 * that begins with every frame copied, and a writer that commits back to
 * back always begins its next transaction before the thread is done.  So
 * here, between this commit and the next, the thread's run is waited for
 * and the rest copied: the next transaction starts the WAL over.
 */
static int ckpt_hook(void *arg, sqlite3 *h, const char *schema, int frames)
{
	struct dbs_ckpt *ck = arg;
	bool inline_ckpt = frames >= ck->force;

	if (frames < CKPT_WAKE)
		return SQLITE_OK;
	pthread_mutex_lock(&ck->mu);
	if (!ck->running && !ck->stop)
		ck->running = pthread_create(&ck->th, NULL, ckpt_main, ck) == 0;
	if (!ck->running) {
		inline_ckpt = true;
	} else if (!inline_ckpt) {
		ck->wanted = true;
		pthread_cond_signal(&ck->cv);
	}
	while (inline_ckpt && ck->busy)
		pthread_cond_wait(&ck->cv, &ck->mu);
	pthread_mutex_unlock(&ck->mu);
	if (inline_ckpt)
		sqlite3_wal_checkpoint_v2(h, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static void ckpt_free(struct dbs_ckpt *ck)
{
	if (ck == NULL)
		return;
	pthread_mutex_lock(&ck->mu);
	ck->stop = true;
	pthread_cond_broadcast(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	if (ck->running)
		pthread_join(ck->th, NULL);
	pthread_cond_destroy(&ck->cv);
	pthread_mutex_destroy(&ck->mu);
	free(ck);
}

static int64_t page_size(sqlite3 *h)
{
	sqlite3_stmt *q = NULL;
	int64_t size = -1;

	if (sqlite3_prepare_v2(h, "PRAGMA page_size", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		size = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return size;
}

int db_sqlite_checkpoint_aside(struct db *db)
{
	struct dbs *d = (struct dbs *)db;
	const char *path;
	struct dbs_ckpt *ck;
	int64_t page;
	size_t n;

	if (db->ops != &dbs_ops || d->ck != NULL)
		return DB_MISUSE;
	/* the file by its absolute name, as SQLite resolved it at the open */
	path = sqlite3_db_filename(d->h, "main");
	if (path == NULL || path[0] == '\0')
		return DB_MISUSE;
	if ((page = page_size(d->h)) <= 0)
		return DB_ERROR;
	n = strlen(path);
	if ((ck = calloc(1, sizeof(*ck) + n + 1)) == NULL)
		return DB_NOMEM;
	memcpy(ck->path, path, n + 1);
	ck->force = (int)(CKPT_FORCE_BYTES / page);
	if (ck->force < CKPT_WAKE)
		ck->force = CKPT_WAKE;
	if (pthread_mutex_init(&ck->mu, NULL) != 0) {
		free(ck);
		return DB_NOMEM;
	}
	if (pthread_cond_init(&ck->cv, NULL) != 0) {
		pthread_mutex_destroy(&ck->mu);
		free(ck);
		return DB_NOMEM;
	}
	d->ck = ck;
	sqlite3_wal_hook(d->h, ckpt_hook, ck);
	return DB_OK;
}

int64_t db_sqlite_page_size(struct db *db)
{
	return db->ops == &dbs_ops ? page_size(H(db)) : -1;
}

unsigned long db_sqlite_checkpoints(struct db *db, bool wait)
{
	struct dbs *d = (struct dbs *)db;
	unsigned long runs = 0;

	if (db->ops != &dbs_ops || d->ck == NULL)
		return 0;
	pthread_mutex_lock(&d->ck->mu);
	while (wait && (d->ck->wanted || d->ck->busy) && d->ck->running)
		pthread_cond_wait(&d->ck->cv, &d->ck->mu);
	runs = d->ck->runs;
	pthread_mutex_unlock(&d->ck->mu);
	return runs;
}

static void dbs_close(struct db *db)
{
	struct dbs *d = (struct dbs *)db;

	/* the thread first: the last close then checkpoints what is left */
	if (d->ck != NULL)
		sqlite3_wal_hook(d->h, NULL, NULL);
	ckpt_free(d->ck);
	sqlite3_close(d->h);
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
	d->ck = NULL;
	return &d->base;
}

struct sqlite3 *db_sqlite_handle(struct db *db)
{
	return db != NULL && db->ops == &dbs_ops ? H(db) : NULL;
}
