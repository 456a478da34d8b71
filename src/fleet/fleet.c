/*
 * fleet.c - the stores, leases and app budget many workers share (see
 * fleet.h), in the schema booksync_fleet of the stores' database.
 *
 * Every statement names its tables with the schema, and the session's
 * search_path is the fleet's too, so a store's tables are never reached by
 * accident.  Leases and the budget run on the database's clock (NOW_MS):
 * workers on several machines agree on it, where their own clocks may not.
 */
#include "fleet/fleet.h"

#include "core/buf.h"
#include "store/db.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
/* The statement's start: stable within it, so a comparison with it is an
 * index condition (clock_timestamp() is volatile: a filter row by row). */
#define STMT_NOW_MS "(extract(epoch FROM statement_timestamp()) * 1000)::bigint"
/* when a lease row is due: its next sync, or a job's asking if sooner (the
 * index leases_due_at is on this expression, written the same) */
#define DUE_MS "least(next_due_ms, CASE WHEN asked_ms > 0 THEN asked_ms ELSE next_due_ms END)"

struct fleet {
	struct db *db;
};

static const char fleet_ddl[] =
    "SELECT pg_advisory_xact_lock(hashtext('booksync_fleet'));\n"
    "CREATE SCHEMA IF NOT EXISTS booksync_fleet;\n"
    "CREATE TABLE IF NOT EXISTS booksync_fleet.stores(\n"
    "  name TEXT COLLATE \"C\" PRIMARY KEY,\n"
    "  added_ms BIGINT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS booksync_fleet.leases(\n"
    "  store TEXT COLLATE \"C\" NOT NULL REFERENCES booksync_fleet.stores(name)\n"
    "    ON DELETE CASCADE,\n"
    "  target TEXT COLLATE \"C\" NOT NULL,\n"
    "  owner TEXT NOT NULL DEFAULT '',         -- the worker holding it, '' none\n"
    "  expires_ms BIGINT NOT NULL DEFAULT 0,  -- the lease's end\n"
    "  next_due_ms BIGINT NOT NULL DEFAULT 0, -- when it is to be synced again\n"
    "  runs BIGINT NOT NULL DEFAULT 0,\n"
    "  result TEXT NOT NULL DEFAULT '',       -- how the last run ended\n"
    "  PRIMARY KEY(store, target)\n"
    ");\n"
    /* a sync job waits (fleet_ask): claimable from then, whatever next_due_ms says */
    "ALTER TABLE booksync_fleet.leases ADD COLUMN IF NOT EXISTS asked_ms BIGINT NOT NULL\n"
    "  DEFAULT 0;\n"
    /* the claim's order: the old index on next_due_ms alone gives way */
    "DROP INDEX IF EXISTS booksync_fleet.leases_due;\n"
    "CREATE INDEX IF NOT EXISTS leases_due_at ON booksync_fleet.leases((" DUE_MS "));\n"
    "CREATE TABLE IF NOT EXISTS booksync_fleet.app_calls(\n"
    "  app TEXT NOT NULL,\n"
    "  at_ms BIGINT NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS app_calls_by_app ON booksync_fleet.app_calls(app, at_ms);\n";

static int fail(struct fleet *f, int rc, struct bs_error *err, const char *what)
{
	return bs_error_set(err, rc == DB_BUSY ? BS_EBUSY : BS_ESTORE, "%s: %s", what,
	                    db_errmsg(f->db));
}

/* Run sql (no rows wanted) in a transaction of its own. */
static int exec_tx(struct fleet *f, const char *sql, struct bs_error *err, const char *what)
{
	int rc = db_exec(f->db, "BEGIN");

	if (rc == DB_OK)
		rc = db_exec(f->db, sql);
	if (rc == DB_OK)
		rc = db_exec(f->db, "COMMIT");
	if (rc != DB_OK) {
		int status = fail(f, rc, err, what);

		db_exec(f->db, "ROLLBACK");
		return status;
	}
	return BS_OK;
}

int fleet_open(const char *url, struct fleet **out, struct bs_error *err)
{
	struct fleet *f = NULL;
	struct buf conninfo;
	char schema[64], msg[512];
	int rc;

	*out = NULL;
	buf_init(&conninfo, 4096);
	if (!store_path_is_pg(url)) {
		rc = bs_error_set(err, BS_EINVAL,
		                  "workers share a PostgreSQL database: --db postgresql://...");
		goto out;
	}
	if ((rc = store_pg_split(url, &conninfo, schema, sizeof(schema), err)) != BS_OK)
		goto out;
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	if (db_pg_connect(buf_cstr(&conninfo), "booksync_fleet", &f->db, msg, sizeof(msg)) !=
	    DB_OK) {
		rc = bs_error_set(err, BS_ESTORE, "cannot reach the database: %s", msg);
		goto out;
	}
	if ((rc = exec_tx(f, fleet_ddl, err, "making the fleet's tables")) != BS_OK)
		goto out;
	*out = f;
	f = NULL;
out:
	fleet_close(f);
	buf_free(&conninfo);
	return rc;
}

void fleet_close(struct fleet *f)
{
	if (f == NULL)
		return;
	db_close(f->db);
	free(f);
}

int fleet_store_url(const char *url, const char *store, char *out, size_t cap)
{
	struct buf conninfo;
	char old[64];
	struct bs_error err;
	int rc;

	buf_init(&conninfo, 4096);
	rc = store_pg_split(url, &conninfo, old, sizeof(old), &err);
	if (rc == BS_OK) {
		int n = snprintf(out, cap, "%s%sschema=%s", buf_cstr(&conninfo),
		                 strchr(buf_cstr(&conninfo), '?') != NULL ? "&" : "?", store);
		if (n < 0 || (size_t)n >= cap)
			rc = BS_EINVAL;
	}
	buf_free(&conninfo);
	return rc;
}

/* Prepare sql on the fleet's connection. */
static int prep(struct fleet *f, const char *sql, struct db_stmt **q, struct bs_error *err,
                const char *what)
{
	int rc = db_prepare(f->db, sql, q);

	return rc == DB_OK ? BS_OK : fail(f, rc, err, what);
}

/* Step q to its end; BS_OK or the failure about `what`.  Finalizes q. */
static int done(struct fleet *f, struct db_stmt *q, struct bs_error *err, const char *what)
{
	int rc = db_step(q);

	db_finalize(q);
	return rc == DB_DONE || rc == DB_ROW ? BS_OK : fail(f, rc, err, what);
}

int fleet_store_add(struct fleet *f, const char *store, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = prep(f,
	              "INSERT INTO booksync_fleet.stores(name, added_ms) VALUES(?1, " NOW_MS ")"
	              " ON CONFLICT DO NOTHING",
	              &q, err, "registering the store");

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, store);
	return done(f, q, err, "registering the store");
}

int fleet_refresh(struct fleet *f, int64_t *added, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = prep(f, "SELECT name FROM booksync_fleet.stores ORDER BY name", &q, err,
	              "listing stores");

	*added = 0;
	if (rc != BS_OK)
		return rc;
	/* the names first: the inserts below must not run inside this walk */
	while ((rc = db_step(q)) == DB_ROW) {
		if (n == cap) {
			size_t ncap = cap != 0 ? cap * 2 : 64;
			char **nn = realloc(names, ncap * sizeof(*nn));

			if (nn == NULL) {
				rc = DB_NOMEM;
				break;
			}
			names = nn;
			cap = ncap;
		}
		if ((names[n] = strdup(db_col_text(q, 0))) == NULL) {
			rc = DB_NOMEM;
			break;
		}
		n++;
	}
	db_finalize(q);
	rc = rc == DB_DONE ? BS_OK : fail(f, rc, err, "listing stores");
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		char sql[512];

		/* a registered name is a schema name (store_pg_split's rule) */
		snprintf(sql, sizeof(sql),
		         "INSERT INTO booksync_fleet.leases(store, target)"
		         " SELECT ?1, id FROM \"%s\".targets WHERE true ON CONFLICT DO NOTHING",
		         names[i]);
		if ((rc = prep(f, sql, &q, err, "adding leases")) != BS_OK)
			break;
		db_bind_text(q, 1, names[i]);
		rc = db_step(q);
		db_finalize(q);
		if (rc == DB_DONE) {
			*added += db_changes(f->db);
			rc = BS_OK;
		} else {
			/* a store not made yet, or dropped: the others go on */
			rc = BS_OK;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int fleet_ask(struct fleet *f, const char *store, const char *target, int64_t in_ms,
              struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = fleet_store_add(f, store, err);

	if (rc == BS_OK)
		rc = prep(f,
		          "INSERT INTO booksync_fleet.leases AS l(store, target, asked_ms)"
		          " VALUES(?1, ?2, " NOW_MS " + ?3) ON CONFLICT (store, target) DO UPDATE"
		          " SET asked_ms = " NOW_MS " + ?3",
		          &q, err, "asking for a worker");
	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, store);
	db_bind_text(q, 2, target);
	db_bind_int64(q, 3, in_ms > 0 ? in_ms : 0);
	return done(f, q, err, "asking for a worker");
}

int fleet_claim(struct fleet *f, const char *owner, int64_t lease_ms, struct fleet_lease *out,
                int64_t *next_in_ms, struct bs_error *err)
{
	/* the asked time stays until the release (fleet_release): a worker
	 * that dies leaves the target asked for */
	static const char claim_sql[] =
	    "UPDATE booksync_fleet.leases l SET owner = ?1, expires_ms = " NOW_MS " + ?2,"
	    " runs = l.runs + 1"
	    " FROM (SELECT store, target FROM booksync_fleet.leases"
	    "       WHERE " DUE_MS " <= " STMT_NOW_MS " AND expires_ms <= " NOW_MS
	    "       ORDER BY " DUE_MS ", store, target LIMIT 1 FOR UPDATE SKIP LOCKED) d"
	    " WHERE l.store = d.store AND l.target = d.target"
	    " RETURNING l.store, l.target, l.expires_ms, l.next_due_ms <= " NOW_MS ", " NOW_MS;
	static const char next_sql[] =
	    "SELECT count(*), coalesce(min(greatest(" DUE_MS ", expires_ms)) - " NOW_MS ", 0)"
	    " FROM booksync_fleet.leases";
	struct db_stmt *q = NULL;
	int rc = prep(f, claim_sql, &q, err, "claiming a target");

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, owner);
	db_bind_int64(q, 2, lease_ms);
	rc = db_step(q);
	if (rc == DB_ROW) {
		memset(out, 0, sizeof(*out));
		snprintf(out->store, sizeof(out->store), "%s", db_col_text(q, 0));
		snprintf(out->target, sizeof(out->target), "%s", db_col_text(q, 1));
		snprintf(out->owner, sizeof(out->owner), "%s", owner);
		out->expires_ms = db_col_int64(q, 2);
		out->scheduled = db_col_int64(q, 3) != 0;
		out->claimed_ms = db_col_int64(q, 4);
		db_finalize(q);
		return BS_OK;
	}
	db_finalize(q);
	if (rc != DB_DONE)
		return fail(f, rc, err, "claiming a target");
	if (next_in_ms != NULL) {
		if ((rc = prep(f, next_sql, &q, err, "claiming a target")) != BS_OK)
			return rc;
		*next_in_ms = -1;
		if ((rc = db_step(q)) == DB_ROW && db_col_int64(q, 0) > 0)
			*next_in_ms = db_col_int64(q, 1) > 0 ? db_col_int64(q, 1) : 0;
		db_finalize(q);
		if (rc != DB_ROW)
			return fail(f, rc, err, "claiming a target");
	}
	return bs_error_set(err, BS_ENOTFOUND, "no target is due");
}

int fleet_busy(struct fleet *f, int64_t *n, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = prep(f,
	              "SELECT count(*) FROM booksync_fleet.leases"
	              " WHERE " DUE_MS " <= " NOW_MS " OR expires_ms > " NOW_MS,
	              &q, err, "counting targets");

	if (rc != BS_OK)
		return rc;
	*n = 0;
	if ((rc = db_step(q)) == DB_ROW)
		*n = db_col_int64(q, 0);
	db_finalize(q);
	return rc == DB_ROW ? BS_OK : fail(f, rc, err, "counting targets");
}

/* Prepare a statement on one lease: ?1 store, ?2 target, ?3 owner bound,
 * ?4 `ms`. */
static int lease_stmt(struct fleet *f, const char *sql, const struct fleet_lease *l, int64_t ms,
                      struct db_stmt **q, struct bs_error *err, const char *what)
{
	int rc = prep(f, sql, q, err, what);

	if (rc != BS_OK)
		return rc;
	db_bind_text(*q, 1, l->store);
	db_bind_text(*q, 2, l->target);
	db_bind_text(*q, 3, l->owner);
	db_bind_int64(*q, 4, ms);
	return BS_OK;
}

int fleet_renew(struct fleet *f, struct fleet_lease *l, int64_t lease_ms, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = lease_stmt(f,
	                    "UPDATE booksync_fleet.leases SET expires_ms = " NOW_MS " + ?4"
	                    " WHERE store = ?1 AND target = ?2 AND owner = ?3 RETURNING expires_ms",
	                    l, lease_ms, &q, err, "renewing a lease");

	if (rc != BS_OK)
		return rc;
	rc = db_step(q);
	if (rc == DB_ROW)
		l->expires_ms = db_col_int64(q, 0);
	db_finalize(q);
	if (rc == DB_ROW)
		return BS_OK;
	if (rc == DB_DONE)
		return bs_error_set(err, BS_ECONFLICT, "the lease of %s/%s ran out", l->store,
		                    l->target);
	return fail(f, rc, err, "renewing a lease");
}

int fleet_release(struct fleet *f, const struct fleet_lease *l, int64_t next_in_ms,
                  const char *result, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = lease_stmt(f,
	                    "UPDATE booksync_fleet.leases SET owner = '', expires_ms = 0,"
	                    " next_due_ms = CASE WHEN ?4 < 0 THEN next_due_ms"
	                    "                    ELSE " NOW_MS " + ?4 END,"
	                    " asked_ms = CASE WHEN asked_ms >= ?6 THEN asked_ms ELSE 0 END,"
	                    " result = substr(?5, 1, 200)"
	                    " WHERE store = ?1 AND target = ?2 AND owner = ?3",
	                    l, next_in_ms, &q, err, "releasing a lease");

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 5, result != NULL ? result : "");
	/* asked before the claim: answered by this run; since: asked still */
	db_bind_int64(q, 6, l->claimed_ms);
	return done(f, q, err, "releasing a lease");
}

int fleet_app_take(struct fleet *f, const char *app, int limit, int64_t window_ms, int64_t *wait_ms,
                   struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int64_t count = 0, oldest = 0, now = 0;
	int rc = db_exec(f->db, "BEGIN");

	*wait_ms = 0;
	if (rc != DB_OK)
		return fail(f, rc, err, "taking an app call");
	/* one taker per app at a time: the count and the insert agree */
	rc = db_prepare(f->db, "SELECT pg_advisory_xact_lock(hashtext('booksync_app:' || ?1))", &q);
	if (rc == DB_OK) {
		db_bind_text(q, 1, app);
		rc = db_step(q) == DB_ROW ? DB_OK : DB_ERROR;
		db_finalize(q);
	}
	if (rc == DB_OK)
		rc = db_prepare(f->db,
		                "WITH gone AS (DELETE FROM booksync_fleet.app_calls"
		                " WHERE app = ?1 AND at_ms <= " NOW_MS " - ?2)"
		                " SELECT count(*), coalesce(min(at_ms), 0), " NOW_MS
		                " FROM booksync_fleet.app_calls"
		                " WHERE app = ?1 AND at_ms > " NOW_MS " - ?2",
		                &q);
	if (rc == DB_OK) {
		db_bind_text(q, 1, app);
		db_bind_int64(q, 2, window_ms);
		if ((rc = db_step(q)) == DB_ROW) {
			count = db_col_int64(q, 0);
			oldest = db_col_int64(q, 1);
			now = db_col_int64(q, 2);
			rc = DB_OK;
		}
		db_finalize(q);
	}
	if (rc == DB_OK && count < limit) {
		rc = db_prepare(f->db, "INSERT INTO booksync_fleet.app_calls VALUES(?1, ?2)", &q);
		if (rc == DB_OK) {
			db_bind_text(q, 1, app);
			db_bind_int64(q, 2, now);
			rc = db_step(q) == DB_DONE ? DB_OK : DB_ERROR;
			db_finalize(q);
		}
	} else if (rc == DB_OK) {
		*wait_ms = oldest + window_ms - now + 1;
		if (*wait_ms < 1)
			*wait_ms = 1;
	}
	if (rc == DB_OK)
		rc = db_exec(f->db, "COMMIT");
	if (rc != DB_OK) {
		int status = fail(f, rc, err, "taking an app call");

		db_exec(f->db, "ROLLBACK");
		return status;
	}
	return BS_OK;
}

int64_t fleet_sync_app_take(void *f, int per_minute, int time_scale)
{
	int64_t window = 60000 / (time_scale > 0 ? time_scale : 1), wait = 0;
	struct bs_error err;

	if (per_minute <= 0 ||
	    fleet_app_take(f, "xero", per_minute, window + window / 20, &wait, &err) != BS_OK)
		return 0;
	return wait;
}

int fleet_each(struct fleet *f, fleet_row_cb cb, void *arg, struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = prep(f,
	              "SELECT store, target, owner, result, greatest(expires_ms - " NOW_MS ", 0),"
	              " " DUE_MS " - " NOW_MS ", runs, asked_ms > 0 FROM booksync_fleet.leases"
	              " ORDER BY store, target",
	              &q, err, "listing leases");

	if (rc != BS_OK)
		return rc;
	while ((rc = db_step(q)) == DB_ROW) {
		struct fleet_row r = {db_col_text(q, 0),  db_col_text(q, 1),
		                      db_col_text(q, 2),  db_col_text(q, 3),
		                      db_col_int64(q, 4), db_col_int64(q, 5),
		                      db_col_int64(q, 6), db_col_int64(q, 7) != 0};
		int stop = cb(arg, &r);

		if (stop != 0) {
			db_finalize(q);
			return stop;
		}
	}
	db_finalize(q);
	return rc == DB_DONE ? BS_OK : fail(f, rc, err, "listing leases");
}
