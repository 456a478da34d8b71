/*
 * store_sql_auth.c - users, API tokens, sessions and failed logins in
 * SQLite (store_auth.h; the tables are migration 4 -> 5 in schema.c).
 *
 * The statements are prepared per call, not cached: they run once a login
 * or once a request's authentication, next to a password hash or a network
 * round trip, and keeping them out of the shared cache keeps this file to
 * itself.  Each call is one statement, so autocommit is its transaction.
 */
#include "store/store_sql_int.h"

#include <stdio.h>
#include <string.h>

static int run2(struct sq_store *s, const char *sql, const char *text, int64_t n,
                struct bs_error *err, const char *what);

static int prep(struct sq_store *s, const char *sql, struct db_stmt **q, struct bs_error *err,
                const char *what)
{
	int rc = db_prepare(s->db, sql, q);

	return rc == DB_OK ? BS_OK : sq_fail(s, rc, err, what);
}

/* Step a write; a constraint failure becomes `conflict` with `msg`. */
static int write_step(struct sq_store *s, struct db_stmt *q, int conflict, const char *msg,
                      struct bs_error *err, const char *what)
{
	int rc = db_step(q);

	if (rc == DB_DONE || rc == DB_ROW)
		return BS_OK;
	if ((rc & 0xff) == DB_CONSTRAINT && conflict != BS_OK)
		return bs_error_set(err, conflict, "%s", msg);
	return sq_fail(s, rc, err, what);
}

static int a_user_add(struct store *st, const char *name, const char *pwhash, int64_t now_ms,
                      struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	char msg[128];
	int rc = prep(s, "INSERT INTO users(name, pwhash, created_ms) VALUES(?1, ?2, ?3)", &q, err,
	              "adding a user");

	if (rc != BS_OK)
		return rc;
	snprintf(msg, sizeof(msg), "user '%s' already exists", name);
	db_bind_text(q, 1, name);
	db_bind_text(q, 2, pwhash);
	db_bind_int64(q, 3, now_ms);
	rc = write_step(s, q, BS_ECONFLICT, msg, err, "adding a user");
	db_finalize(q);
	return rc;
}

static int a_user_get(struct store *st, const char *name, struct buf *pwhash, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = prep(s, "SELECT pwhash FROM users WHERE name = ?1", &q, err, "reading a user");

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, name);
	buf_reset(pwhash);
	rc = db_step(q);
	if (rc == DB_ROW)
		rc = buf_addstr(pwhash, (const char *)db_col_text(q, 0));
	else if (rc == DB_DONE)
		rc = bs_error_set(err, BS_ENOTFOUND, "no such user");
	else
		rc = sq_fail(s, rc, err, "reading a user");
	db_finalize(q);
	return rc;
}

/* DELETE by name; BS_ENOTFOUND ("no <what> 'name'") when nothing went. */
static int delete_named(struct sq_store *s, const char *sql, const char *what, const char *name,
                        struct bs_error *err)
{
	struct db_stmt *q = NULL;
	int rc = prep(s, sql, &q, err, "removing");

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, name);
	rc = write_step(s, q, BS_OK, NULL, err, "removing");
	if (rc == BS_OK && db_changes(s->db) == 0)
		rc = bs_error_set(err, BS_ENOTFOUND, "no %s '%s'", what, name);
	db_finalize(q);
	return rc;
}

static int a_user_remove(struct store *st, const char *name, struct bs_error *err)
{
	return delete_named(sq(st), "DELETE FROM users WHERE name = ?1", "user", name, err);
}

static int a_users_each(struct store *st, store_user_cb cb, void *arg, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc =
	    prep(s, "SELECT name, created_ms FROM users ORDER BY name", &q, err, "listing users");

	if (rc != BS_OK)
		return rc;
	while ((rc = db_step(q)) == DB_ROW) {
		int r = cb(arg, (const char *)db_col_text(q, 0), db_col_int64(q, 1));

		if (r != 0) {
			db_finalize(q);
			return r;
		}
	}
	rc = rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, "listing users");
	db_finalize(q);
	return rc;
}

static int a_token_add(struct store *st, const char *name, const unsigned char *hash,
                       unsigned scopes, int64_t now_ms, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	char msg[128];
	int rc =
	    prep(s, "INSERT INTO api_tokens(name, hash, scopes, created_ms) VALUES(?1, ?2, ?3, ?4)",
	         &q, err, "adding a token");

	if (rc != BS_OK)
		return rc;
	snprintf(msg, sizeof(msg), "token '%s' already exists", name);
	db_bind_text(q, 1, name);
	db_bind_blob(q, 2, hash, STORE_AUTH_HASH);
	db_bind_int64(q, 3, (int64_t)scopes);
	db_bind_int64(q, 4, now_ms);
	rc = write_step(s, q, BS_ECONFLICT, msg, err, "adding a token");
	db_finalize(q);
	return rc;
}

static void token_row(struct db_stmt *q, struct store_token *t)
{
	memset(t, 0, sizeof(*t));
	buf_copy(t->name, sizeof(t->name), (const char *)db_col_text(q, 0));
	t->scopes = (unsigned)db_col_int64(q, 1);
	t->created_ms = db_col_int64(q, 2);
	t->used_ms = db_col_int64(q, 3);
}

/*
 * Find by hash and note the use.  The use is written at most once a minute
 * per token, so a busy API client does not turn every read into a write.
 */
static int a_token_find(struct store *st, const unsigned char *hash, int64_t now_ms,
                        struct store_token *out, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = prep(s, "SELECT name, scopes, created_ms, used_ms FROM api_tokens WHERE hash = ?1",
	              &q, err, "reading a token");

	if (rc != BS_OK)
		return rc;
	db_bind_blob(q, 1, hash, STORE_AUTH_HASH);
	rc = db_step(q);
	if (rc == DB_ROW)
		token_row(q, out);
	rc = rc == DB_ROW    ? BS_OK
	     : rc == DB_DONE ? bs_error_set(err, BS_ENOTFOUND, "no such token")
	                     : sq_fail(s, rc, err, "reading a token");
	db_finalize(q);
	q = NULL;
	if (rc != BS_OK || now_ms - out->used_ms < 60000)
		return rc;
	if (prep(s, "UPDATE api_tokens SET used_ms = ?2 WHERE hash = ?1", &q, NULL, "") == BS_OK) {
		db_bind_blob(q, 1, hash, STORE_AUTH_HASH);
		db_bind_int64(q, 2, now_ms);
		/* best effort: a busy store must not refuse a valid token */
		(void)db_step(q);
		db_finalize(q);
	}
	return BS_OK;
}

static int a_token_remove(struct store *st, const char *name, struct bs_error *err)
{
	return delete_named(sq(st), "DELETE FROM api_tokens WHERE name = ?1", "token", name, err);
}

static int a_tokens_each(struct store *st, store_token_cb cb, void *arg, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	struct store_token t;
	int rc = prep(s, "SELECT name, scopes, created_ms, used_ms FROM api_tokens ORDER BY name",
	              &q, err, "listing tokens");

	if (rc != BS_OK)
		return rc;
	while ((rc = db_step(q)) == DB_ROW) {
		int r;

		token_row(q, &t);
		if ((r = cb(arg, &t)) != 0) {
			db_finalize(q);
			return r;
		}
	}
	rc = rc == DB_DONE ? BS_OK : sq_fail(s, rc, err, "listing tokens");
	db_finalize(q);
	return rc;
}

static int a_session_add(struct store *st, const unsigned char *hash,
                         const struct store_session *ss, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = prep(s,
	              "INSERT INTO sessions(hash, \"user\", csrf, created_ms, expires_ms)"
	              " VALUES(?1, ?2, ?3, ?4, ?5)",
	              &q, err, "adding a session");

	if (rc != BS_OK)
		return rc;
	/* sessions nobody used again would stay forever: each login sweeps */
	rc = run2(s, "DELETE FROM sessions WHERE expires_ms <= ?2 AND ?1 IS NOT NULL", "",
	          ss->created_ms, err, "forgetting expired sessions");
	if (rc != BS_OK) {
		db_finalize(q);
		return rc;
	}
	db_bind_blob(q, 1, hash, STORE_AUTH_HASH);
	db_bind_text(q, 2, ss->user);
	db_bind_text(q, 3, ss->csrf);
	db_bind_int64(q, 4, ss->created_ms);
	db_bind_int64(q, 5, ss->expires_ms);
	rc = write_step(s, q, BS_ENOTFOUND, "no such user (or a session id reused)", err,
	                "adding a session");
	db_finalize(q);
	return rc;
}

static int a_session_remove(struct store *st, const unsigned char *hash, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = prep(s, "DELETE FROM sessions WHERE hash = ?1", &q, err, "removing a session");

	if (rc != BS_OK)
		return rc;
	db_bind_blob(q, 1, hash, STORE_AUTH_HASH);
	rc = write_step(s, q, BS_OK, NULL, err, "removing a session");
	db_finalize(q);
	return rc;
}

static int a_session_find(struct store *st, const unsigned char *hash, int64_t now_ms,
                          struct store_session *out, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc =
	    prep(s, "SELECT \"user\", csrf, created_ms, expires_ms FROM sessions WHERE hash = ?1",
	         &q, err, "reading a session");

	if (rc != BS_OK)
		return rc;
	db_bind_blob(q, 1, hash, STORE_AUTH_HASH);
	memset(out, 0, sizeof(*out));
	rc = db_step(q);
	if (rc == DB_ROW) {
		buf_copy(out->user, sizeof(out->user), (const char *)db_col_text(q, 0));
		buf_copy(out->csrf, sizeof(out->csrf), (const char *)db_col_text(q, 1));
		out->created_ms = db_col_int64(q, 2);
		out->expires_ms = db_col_int64(q, 3);
		rc = BS_OK;
	} else {
		rc = rc == DB_DONE ? bs_error_set(err, BS_ENOTFOUND, "no such session")
		                   : sq_fail(s, rc, err, "reading a session");
	}
	db_finalize(q);
	if (rc == BS_OK && out->expires_ms <= now_ms) {
		(void)a_session_remove(st, hash, NULL);
		rc = bs_error_set(err, BS_ENOTFOUND, "the session has expired");
	}
	return rc;
}

static int a_login_failures(struct store *st, const char *name, int64_t since_ms, int64_t *count,
                            int64_t *oldest_ms, struct bs_error *err)
{
	struct sq_store *s = sq(st);
	struct db_stmt *q = NULL;
	int rc = prep(s,
	              "SELECT count(*), coalesce(min(at_ms), 0) FROM login_failures"
	              " WHERE name = ?1 AND at_ms >= ?2",
	              &q, err, "reading failed logins");

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, name);
	db_bind_int64(q, 2, since_ms);
	rc = db_step(q);
	if (rc == DB_ROW) {
		*count = db_col_int64(q, 0);
		*oldest_ms = db_col_int64(q, 1);
		rc = BS_OK;
	} else {
		rc = sq_fail(s, rc, err, "reading failed logins");
	}
	db_finalize(q);
	return rc;
}

/* Run `sql` with ?1 text and ?2 int64 bound (either may be unused). */
static int run2(struct sq_store *s, const char *sql, const char *text, int64_t n,
                struct bs_error *err, const char *what)
{
	struct db_stmt *q = NULL;
	int rc = prep(s, sql, &q, err, what);

	if (rc != BS_OK)
		return rc;
	db_bind_text(q, 1, text);
	db_bind_int64(q, 2, n);
	rc = write_step(s, q, BS_OK, NULL, err, what);
	db_finalize(q);
	return rc;
}

static int a_login_failed(struct store *st, const char *name, int64_t now_ms, int64_t keep_ms,
                          struct bs_error *err)
{
	struct sq_store *s = sq(st);
	int rc = run2(s, "DELETE FROM login_failures WHERE at_ms < ?2 AND ?1 IS NOT NULL", "",
	              now_ms - keep_ms, err, "forgetting old failed logins");

	if (rc != BS_OK)
		return rc;
	return run2(s, "INSERT INTO login_failures(name, at_ms) VALUES(?1, ?2)", name, now_ms, err,
	            "recording a failed login");
}

static int a_login_clear(struct store *st, const char *name, struct bs_error *err)
{
	return run2(sq(st), "DELETE FROM login_failures WHERE name = ?1 AND ?2 = ?2", name, 0, err,
	            "clearing failed logins");
}

const struct store_auth_ops sq_auth_ops = {
    .user_add = a_user_add,
    .user_get = a_user_get,
    .user_remove = a_user_remove,
    .users_each = a_users_each,
    .token_add = a_token_add,
    .token_find = a_token_find,
    .token_remove = a_token_remove,
    .tokens_each = a_tokens_each,
    .session_add = a_session_add,
    .session_find = a_session_find,
    .session_remove = a_session_remove,
    .login_failures = a_login_failures,
    .login_failed = a_login_failed,
    .login_clear = a_login_clear,
};
