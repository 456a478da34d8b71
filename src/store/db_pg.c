/*
 * db_pg.c - db.h over PostgreSQL (libpq).
 *
 * A statement keeps its SQL, rewritten once at prepare (db.h: `?N` to
 * `$N`, `BEGIN IMMEDIATE` to BEGIN plus the store's writer lock), and its
 * parameters as text, each with the type its bind gave it (int8, text,
 * bytea), so PostgreSQL needs no guess where SQLite needs none
 * (`?1 IS NULL OR tab = ?1`).  The first step runs it with
 * PQexecParams and holds the whole result; later steps walk its rows.  A
 * statement run a second time (the store's cached ones) is prepared on the
 * server then, and runs prepared from there on: parsed and planned once,
 * as SQLite's are, instead of at every run.
 * Holding the result, rather than reading rows one by one, is what lets a
 * caller run other statements on the same connection while it walks one,
 * as the store does and SQLite allows; the store's long walks are paged
 * (store_pending_page), so a result stays a page.
 *
 * Results come as text: integers are parsed, PostgreSQL's booleans ('t',
 * 'f') read as 1 and 0, and bytea ('\x' and hex) is decoded on demand.
 * Notices are dropped rather than printed: a library does not write to
 * stderr.
 */
#include "store/db.h"
#include "store/db_pg_int.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OID_INT8  20
#define OID_TEXT  25
#define OID_BYTEA 17

struct dbp {
	struct db base;
	PGconn *c;
	int64_t changes;
	uint64_t names; /* server-side statements made: their names */
	char err[512];
};

struct dbp_param {
	unsigned type;   /* Oid; 0: NULL, the type left to the server */
	const char *val; /* own, num, or the caller's text (borrowed) */
	char *own;       /* an owned copy */
	int len;
	bool binary, bound;
	char num[24]; /* an integer's text */
};

struct dbp_stmt {
	struct db_stmt base;
	struct dbp *db;
	char *sql;
	bool begin_lock; /* BEGIN IMMEDIATE */
	int nparams;
	struct dbp_param *p;
	/* PQexecParams's arrays, filled from p at each run */
	const char **vals;
	int *lens, *fmts;
	Oid *types;
	/* prepared on the server (after its first run), with these types */
	int runs;
	bool prepared;
	char name[32];
	Oid *ptypes;
	PGresult *res;
	int row, nrows;
	/* decoded bytea of the current row, per column */
	unsigned char **blob;
	size_t *blob_len;
	int ncols_alloc;
};

static const struct db_ops dbp_ops;
static void dbp_finalize(struct db_stmt *qq);

static struct dbp *P(struct db *db)
{
	return (struct dbp *)db;
}
static struct dbp_stmt *Q(struct db_stmt *q)
{
	return (struct dbp_stmt *)q;
}

static void dbp_seterr(struct dbp *d, const char *what, const char *msg)
{
	size_t n;

	snprintf(d->err, sizeof(d->err), "%s%s", what, msg != NULL ? msg : "");
	n = strlen(d->err);
	while (n > 0 && (d->err[n - 1] == '\n' || d->err[n - 1] == ' '))
		d->err[--n] = '\0';
}

/* A failed result's code, by its SQLSTATE class. */
static int dbp_code(struct dbp *d, const PGresult *r)
{
	const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	dbp_seterr(d, "", r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(d->c));
	if (state == NULL)
		return DB_ERROR;
	if (strncmp(state, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return DB_BUSY;
	if (strcmp(state, "25006") == 0)
		return DB_READONLY;
	if (strcmp(state, "53200") == 0)
		return DB_NOMEM;
	return DB_ERROR;
}

/* Whether sql is SQLite's BEGIN IMMEDIATE (any case, any spacing). */
static bool is_begin_immediate(const char *sql)
{
	static const char want[] = "BEGINIMMEDIATE";
	size_t k = 0;

	for (; *sql != '\0'; sql++) {
		char c = *sql;

		if (c == ' ' || c == '\t' || c == '\n' || c == ';')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (k >= sizeof(want) - 1 || c != want[k++])
			return false;
	}
	return k == sizeof(want) - 1;
}

/*
 * SQLite's parameters in PostgreSQL's words: `?N` becomes `$N`, a bare `?`
 * the number after the largest so far (SQLite's rule).  Quoted text and
 * comments are copied as they are.  *nparams is the largest number.
 */
char *db_pg_translate(const char *sql, int *nparams)
{
	size_t n = strlen(sql), o = 0;
	/* a character becomes at most 8: a bare `?` after `?999999` is
	 * "$1000000", and every other character is copied */
	char *out = malloc(n * 8 + 16);
	int max = 0;
	char quote = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = sql[i];

		if (quote != 0) {
			out[o++] = c;
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '\'' || c == '"') {
			quote = c;
			out[o++] = c;
		} else if (c == '-' && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				out[o++] = sql[i++];
			if (i < n)
				out[o++] = '\n';
		} else if (c == '+' && i > 0 && (sql[i - 1] == ' ' || sql[i - 1] == '(') &&
		           ((sql[i + 1] >= 'a' && sql[i + 1] <= 'z') || sql[i + 1] == '_')) {
			/* SQLite's unary + on a column, which keeps its index out of
			 * the plan: PostgreSQL has no + for text, and its planner
			 * its own mind; `a + b` is always written with spaces */
		} else if (strncmp(sql + i, "INDEXED BY ", 11) == 0) {
			/* SQLite's index hint: PostgreSQL's planner chooses */
			i += 11;
			while (sql[i] == '_' || (sql[i] >= 'a' && sql[i] <= 'z') ||
			       (sql[i] >= '0' && sql[i] <= '9'))
				i++;
			i--;
		} else if (c == '?') {
			int num = 0;
			bool digits = false;

			while (sql[i + 1] >= '0' && sql[i + 1] <= '9' && num < 100000) {
				num = num * 10 + (sql[++i] - '0');
				digits = true;
			}
			if (!digits)
				num = max + 1;
			if (num > max)
				max = num;
			o += (size_t)snprintf(out + o, 16, "$%d", num);
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	*nparams = max;
	return out;
}

static int dbp_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct dbp_stmt *q = calloc(1, sizeof(*q));
	int rc = DB_NOMEM;

	*out = NULL;
	if (q == NULL)
		goto out;
	q->base.ops = &dbp_ops;
	q->db = P(db);
	q->begin_lock = is_begin_immediate(sql);
	q->sql = q->begin_lock ? strdup("BEGIN") : db_pg_translate(sql, &q->nparams);
	if (q->sql == NULL)
		goto out;
	if (q->nparams > 0) {
		size_t n = (size_t)q->nparams;

		q->p = calloc(n, sizeof(*q->p));
		q->vals = calloc(n, sizeof(*q->vals));
		q->lens = calloc(n, sizeof(*q->lens));
		q->fmts = calloc(n, sizeof(*q->fmts));
		q->types = calloc(n, sizeof(*q->types));
		q->ptypes = calloc(n, sizeof(*q->ptypes));
		if (q->p == NULL || q->vals == NULL || q->lens == NULL || q->fmts == NULL ||
		    q->types == NULL || q->ptypes == NULL)
			goto out;
	}
	*out = &q->base;
	q = NULL;
	rc = DB_OK;
out:
	if (q != NULL) {
		dbp_finalize(&q->base);
		dbp_seterr(P(db), "out of memory", NULL);
	}
	return rc;
}

/* Run one command for its effect; DB_OK or an error code. */
static int dbp_command(struct dbp *d, const char *sql)
{
	PGresult *r = PQexec(d->c, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = DB_OK;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = dbp_code(d, r);
	else if (st == PGRES_COMMAND_OK)
		d->changes = strtoll(PQcmdTuples(r)[0] != '\0' ? PQcmdTuples(r) : "0", NULL, 10);
	PQclear(r);
	return rc;
}

/* BEGIN, then the store's writer lock for the transaction: SQLite's
 * IMMEDIATE, one writer of a store at a time.  Readers are not held up. */
static int dbp_begin_immediate(struct dbp *d)
{
	return dbp_command(d, "BEGIN; SELECT pg_advisory_xact_lock(hashtext(current_schema()))");
}

static int dbp_exec(struct db *db, const char *sql)
{
	struct dbp *d = P(db);

	if (is_begin_immediate(sql))
		return dbp_begin_immediate(d);
	return dbp_command(d, sql);
}

static int64_t dbp_changes(struct db *db)
{
	return P(db)->changes;
}

static int64_t dbp_last_insert_id(struct db *db)
{
	struct dbp *d = P(db);
	PGresult *r = PQexec(d->c, "SELECT lastval()");
	int64_t v = 0;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static const char *dbp_errmsg(struct db *db)
{
	return P(db)->err;
}

static void dbp_close(struct db *db)
{
	PQfinish(P(db)->c);
	free(db);
}

static void blobs_clear(struct dbp_stmt *q)
{
	for (int i = 0; i < q->ncols_alloc; i++) {
		PQfreemem(q->blob[i]);
		q->blob[i] = NULL;
	}
}

static void dbp_reset(struct db_stmt *qq)
{
	struct dbp_stmt *q = Q(qq);

	blobs_clear(q);
	PQclear(q->res);
	q->res = NULL;
	q->row = q->nrows = 0;
}

/* Forget the server's copy of q. */
static void dbp_unprepare(struct dbp_stmt *q)
{
	char sql[64];

	if (!q->prepared)
		return;
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", q->name);
	PQclear(PQexec(q->db->c, sql));
	q->prepared = false;
}

/*
 * Have q prepared on the server with the types of this run's parameters
 * (again, under a new name, when they changed: a NULL bound where text
 * was).  Failing that (an aborted transaction, say), q runs unprepared.
 */
static void dbp_prepare_server(struct dbp_stmt *q)
{
	PGresult *r;

	if (q->prepared &&
	    (q->nparams == 0 || memcmp(q->ptypes, q->types, (size_t)q->nparams * sizeof(Oid)) == 0))
		return;
	dbp_unprepare(q);
	snprintf(q->name, sizeof(q->name), "bs_%llu", (unsigned long long)++q->db->names);
	r = PQprepare(q->db->c, q->name, q->sql, q->nparams, q->types);
	if (PQresultStatus(r) == PGRES_COMMAND_OK) {
		q->prepared = true;
		if (q->nparams > 0)
			memcpy(q->ptypes, q->types, (size_t)q->nparams * sizeof(Oid));
	}
	PQclear(r);
}

static int dbp_run(struct dbp_stmt *q)
{
	ExecStatusType st;

	if (q->begin_lock) {
		int rc = dbp_begin_immediate(q->db);

		/* a result that is done at once, as a command's */
		if (rc == DB_OK &&
		    (q->res = PQmakeEmptyPGresult(q->db->c, PGRES_COMMAND_OK)) == NULL)
			rc = DB_NOMEM;
		q->row = -1;
		q->nrows = 0;
		return rc;
	}
	for (int i = 0; i < q->nparams; i++) {
		q->vals[i] = q->p[i].val;
		q->lens[i] = q->p[i].len;
		q->fmts[i] = q->p[i].binary ? 1 : 0;
		/* never bound: NULL, as text (the store's `?N IS NULL OR x = ?N`) */
		q->types[i] = q->p[i].type != 0 || q->p[i].bound ? q->p[i].type : OID_TEXT;
	}
	if (q->runs++ > 0)
		dbp_prepare_server(q);
	if (q->prepared)
		q->res =
		    PQexecPrepared(q->db->c, q->name, q->nparams, q->vals, q->lens, q->fmts, 0);
	else
		q->res = PQexecParams(q->db->c, q->sql, q->nparams, q->types, q->vals, q->lens,
		                      q->fmts, 0);
	st = PQresultStatus(q->res);
	if (st == PGRES_TUPLES_OK) {
		q->nrows = PQntuples(q->res);
		q->row = -1;
		if (PQnfields(q->res) > q->ncols_alloc) {
			int n = PQnfields(q->res);
			unsigned char **b = realloc(q->blob, (size_t)n * sizeof(*b));
			size_t *l;

			if (b == NULL)
				return DB_NOMEM;
			q->blob = b;
			l = realloc(q->blob_len, (size_t)n * sizeof(*l));
			if (l == NULL)
				return DB_NOMEM;
			q->blob_len = l;
			for (int i = q->ncols_alloc; i < n; i++)
				q->blob[i] = NULL;
			q->ncols_alloc = n;
		}
		return DB_OK;
	}
	if (st == PGRES_COMMAND_OK) {
		const char *t = PQcmdTuples(q->res);

		q->db->changes = t[0] != '\0' ? strtoll(t, NULL, 10) : 0;
		q->nrows = 0;
		q->row = -1;
		return DB_OK;
	}
	return dbp_code(q->db, q->res);
}

static int dbp_step(struct db_stmt *qq)
{
	struct dbp_stmt *q = Q(qq);

	if (q->res == NULL) {
		int rc = dbp_run(q);

		if (rc != DB_OK) {
			PQclear(q->res);
			q->res = NULL;
			return rc;
		}
	}
	blobs_clear(q);
	if (q->row + 1 < q->nrows) {
		q->row++;
		return DB_ROW;
	}
	q->row = q->nrows;
	return DB_DONE;
}

static void param_clear(struct dbp_param *p)
{
	free(p->own);
	memset(p, 0, sizeof(*p));
}

static void dbp_clear(struct db_stmt *qq)
{
	struct dbp_stmt *q = Q(qq);

	if (q->p == NULL)
		return;
	for (int i = 0; i < q->nparams; i++)
		param_clear(&q->p[i]);
}

static void dbp_finalize(struct db_stmt *qq)
{
	struct dbp_stmt *q = Q(qq);

	dbp_reset(qq);
	dbp_clear(qq);
	if (q->db != NULL)
		dbp_unprepare(q);
	free(q->p);
	free(q->ptypes);
	free(q->vals);
	free(q->lens);
	free(q->fmts);
	free(q->types);
	free(q->blob);
	free(q->blob_len);
	free(q->sql);
	free(q);
}

/* The parameter i (from 1), cleared; NULL when out of range. */
static struct dbp_param *param(struct dbp_stmt *q, int i)
{
	if (i < 1 || i > q->nparams)
		return NULL;
	param_clear(&q->p[i - 1]);
	return &q->p[i - 1];
}

static int dbp_bind_int64(struct db_stmt *qq, int i, int64_t v)
{
	struct dbp_param *p = param(Q(qq), i);

	if (p == NULL)
		return DB_ERROR;
	p->type = OID_INT8;
	p->len = snprintf(p->num, sizeof(p->num), "%lld", (long long)v);
	p->val = p->num;
	return DB_OK;
}

static int dbp_bind_text(struct db_stmt *qq, int i, const char *s, int n, bool copy)
{
	struct dbp_param *p = param(Q(qq), i);

	if (p == NULL)
		return DB_ERROR;
	p->type = OID_TEXT;
	if (s == NULL)
		return DB_OK;
	p->len = n >= 0 ? n : (int)strlen(s);
	if (copy || n >= 0) {
		/* text mode wants the NUL at the end */
		p->own = malloc((size_t)p->len + 1);
		if (p->own == NULL)
			return DB_NOMEM;
		memcpy(p->own, s, (size_t)p->len);
		p->own[p->len] = '\0';
		p->val = p->own;
	} else {
		p->val = s;
	}
	return DB_OK;
}

static int dbp_bind_blob(struct db_stmt *qq, int i, const void *v, int n)
{
	struct dbp_param *p = param(Q(qq), i);

	if (p == NULL)
		return DB_ERROR;
	p->type = OID_BYTEA;
	p->binary = true;
	p->len = n;
	p->own = malloc(n > 0 ? (size_t)n : 1);
	if (p->own == NULL)
		return DB_NOMEM;
	if (n > 0)
		memcpy(p->own, v, (size_t)n);
	p->val = p->own;
	return DB_OK;
}

static int dbp_bind_null(struct db_stmt *qq, int i)
{
	struct dbp_param *p = param(Q(qq), i);

	if (p == NULL)
		return DB_ERROR;
	p->bound = true;
	return DB_OK;
}

/* Whether there is a current row with column i, and it is not NULL. */
static bool has(struct dbp_stmt *q, int i)
{
	return q->res != NULL && q->row >= 0 && q->row < q->nrows && i >= 0 &&
	       i < PQnfields(q->res) && !PQgetisnull(q->res, q->row, i);
}

static int64_t dbp_col_int64(struct db_stmt *qq, int i)
{
	struct dbp_stmt *q = Q(qq);
	const char *v;

	if (!has(q, i))
		return 0;
	v = PQgetvalue(q->res, q->row, i);
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	return strtoll(v, NULL, 10);
}

static const char *dbp_col_text(struct db_stmt *qq, int i)
{
	struct dbp_stmt *q = Q(qq);

	return has(q, i) ? PQgetvalue(q->res, q->row, i) : NULL;
}

static const void *dbp_col_blob(struct db_stmt *qq, int i)
{
	struct dbp_stmt *q = Q(qq);

	if (!has(q, i))
		return NULL;
	if (q->blob[i] == NULL) {
		q->blob[i] = PQunescapeBytea((const unsigned char *)PQgetvalue(q->res, q->row, i),
		                             &q->blob_len[i]);
	}
	return q->blob[i];
}

static int dbp_col_bytes(struct db_stmt *qq, int i)
{
	struct dbp_stmt *q = Q(qq);

	if (!has(q, i))
		return 0;
	if (PQftype(q->res, i) == OID_BYTEA && dbp_col_blob(qq, i) != NULL)
		return (int)q->blob_len[i];
	return PQgetlength(q->res, q->row, i);
}

static int dbp_col_count(struct db_stmt *qq)
{
	struct dbp_stmt *q = Q(qq);

	return q->res != NULL ? PQnfields(q->res) : 0;
}

static const struct db_ops dbp_ops = {
    .engine = DB_POSTGRES,
    .prepare = dbp_prepare,
    .exec = dbp_exec,
    .changes = dbp_changes,
    .last_insert_id = dbp_last_insert_id,
    .errmsg = dbp_errmsg,
    .close = dbp_close,
    .step = dbp_step,
    .reset = dbp_reset,
    .clear = dbp_clear,
    .finalize = dbp_finalize,
    .bind_int64 = dbp_bind_int64,
    .bind_text = dbp_bind_text,
    .bind_blob = dbp_bind_blob,
    .bind_null = dbp_bind_null,
    .col_int64 = dbp_col_int64,
    .col_text = dbp_col_text,
    .col_blob = dbp_col_blob,
    .col_bytes = dbp_col_bytes,
    .col_count = dbp_col_count,
};

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int db_pg_connect(const char *conninfo, const char *schema, struct db **out, char *msg, size_t cap)
{
	struct dbp *d = calloc(1, sizeof(*d));
	int rc = DB_NOMEM;

	*out = NULL;
	if (d == NULL) {
		snprintf(msg, cap, "out of memory");
		goto out;
	}
	d->base.ops = &dbp_ops;
	d->c = PQconnectdb(conninfo);
	if (d->c == NULL || PQstatus(d->c) != CONNECTION_OK) {
		snprintf(msg, cap, "%s", d->c != NULL ? PQerrorMessage(d->c) : "out of memory");
		rc = DB_ERROR;
		goto out;
	}
	PQsetNoticeProcessor(d->c, quiet, NULL);
	/*
	 * plan_cache_mode is PostgreSQL's default, auto: a prepared statement
	 * runs on a plan made for its values five times, then on its generic
	 * plan when that costs no more.  Forcing a plan per run (as this file
	 * once did, against a generic plan that scanned a new store's empty
	 * links table by the wrong index, since led by the ledger id) made the
	 * server plan every one of a document's ten statements: twice the
	 * planning time of the plans kept (bench/RESULTS.md, "PostgreSQL:
	 * plans kept").  The statements a document runs look rows up by their
	 * whole key, which a generic plan does by the key however the tables
	 * grow; ANALYZE (autovacuum) replans them when the statistics change.
	 */
	rc = dbp_command(d, "SET client_min_messages TO warning;"
	                    " SET plan_cache_mode TO auto");
	if (rc == DB_OK && schema != NULL) {
		char *id = PQescapeIdentifier(d->c, schema, strlen(schema));
		char sql[600];

		if (id == NULL) {
			rc = DB_ERROR;
			dbp_seterr(d, "", PQerrorMessage(d->c));
		} else {
			snprintf(sql, sizeof(sql), "SET search_path TO %s", id);
			PQfreemem(id);
			rc = dbp_command(d, sql);
		}
	}
	if (rc != DB_OK) {
		snprintf(msg, cap, "%s", d->err);
		goto out;
	}
	*out = &d->base;
	d = NULL;
out:
	if (d != NULL) {
		PQfinish(d->c);
		free(d);
	}
	return rc;
}
