/*
 * store_auth.h - who may use `booksync serve`: users, API tokens, sessions
 * and failed logins, kept in the store (docs/serve.md).
 *
 * Secrets are never stored: a user's password only as its libsodium
 * crypto_pwhash_str text, an API token and a session id only as the
 * SHA-256 of their text (STORE_AUTH_HASH bytes).  Hashing and checking is
 * the API's business (src/api/api_auth.c); the store keeps and finds.
 *
 * Names (users, tokens) are 1..STORE_AUTH_NAME_MAX-1 characters of
 * [A-Za-z0-9._@-]; anything else is BS_EINVAL, checked here once for every
 * backend.  Errors as store.h: BS_ECONFLICT for a name already taken,
 * BS_ENOTFOUND for one that is not there.
 */
#ifndef BS_STORE_STORE_AUTH_H
#define BS_STORE_STORE_AUTH_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>

struct store;

#define STORE_AUTH_HASH     32 /* SHA-256 */
#define STORE_AUTH_NAME_MAX 64
#define STORE_AUTH_CSRF_MAX 64

/* True when `name` is a valid user or token name. */
bool store_auth_name_ok(const char *name);

/* --- users ------------------------------------------------------------ */

/* Add a user with its password hash.  BS_ECONFLICT when the name is taken. */
int store_user_add(struct store *st, const char *name, const char *pwhash, int64_t now_ms,
                   struct bs_error *err);
/* The password hash of `name` into pwhash (reset first); BS_ENOTFOUND. */
int store_user_get(struct store *st, const char *name, struct buf *pwhash, struct bs_error *err);
/* Remove a user and its sessions; BS_ENOTFOUND when there is none. */
int store_user_remove(struct store *st, const char *name, struct bs_error *err);
typedef int (*store_user_cb)(void *arg, const char *name, int64_t created_ms);
/* Every user by name; a non-zero return from cb stops and is returned. */
int store_users_each(struct store *st, store_user_cb cb, void *arg, struct bs_error *err);

/* --- API tokens ------------------------------------------------------- */

struct store_token {
	char name[STORE_AUTH_NAME_MAX];
	unsigned scopes; /* enum api_scope bits */
	int64_t created_ms;
	int64_t used_ms; /* last use, 0 = never */
};

/* Add a token by the hash of its text.  BS_ECONFLICT when the name is taken. */
int store_token_add(struct store *st, const char *name, const unsigned char *hash, unsigned scopes,
                    int64_t now_ms, struct bs_error *err);
/* The token whose text hashes to `hash`, marked used at now_ms; BS_ENOTFOUND. */
int store_token_find(struct store *st, const unsigned char *hash, int64_t now_ms,
                     struct store_token *out, struct bs_error *err);
/* Remove a token by name; BS_ENOTFOUND when there is none. */
int store_token_remove(struct store *st, const char *name, struct bs_error *err);
typedef int (*store_token_cb)(void *arg, const struct store_token *t);
int store_tokens_each(struct store *st, store_token_cb cb, void *arg, struct bs_error *err);

/* --- sessions --------------------------------------------------------- */

struct store_session {
	char user[STORE_AUTH_NAME_MAX];
	char csrf[STORE_AUTH_CSRF_MAX]; /* the session's CSRF token (not a credential alone) */
	int64_t created_ms;
	int64_t expires_ms;
};

/* Add a session by the hash of its id (the user must exist: BS_ENOTFOUND). */
int store_session_add(struct store *st, const unsigned char *hash, const struct store_session *s,
                      struct bs_error *err);
/* The session whose id hashes to `hash` and that has not expired at now_ms
 * (expired ones are deleted on the way); BS_ENOTFOUND. */
int store_session_find(struct store *st, const unsigned char *hash, int64_t now_ms,
                       struct store_session *out, struct bs_error *err);
/* Forget a session (logging out); no error when it is already gone. */
int store_session_remove(struct store *st, const unsigned char *hash, struct bs_error *err);

/* --- failed logins (the lockout) -------------------------------------- */

/* How many logins as `name` failed at or after since_ms, and the oldest of
 * them (0 when none). */
int store_login_failures(struct store *st, const char *name, int64_t since_ms, int64_t *count,
                         int64_t *oldest_ms, struct bs_error *err);
/* Record a failed login as `name` at now_ms; failures older than
 * now_ms - keep_ms (of every name) are forgotten on the way. */
int store_login_failed(struct store *st, const char *name, int64_t now_ms, int64_t keep_ms,
                       struct bs_error *err);
/* Forget the failures of `name` (after a successful login). */
int store_login_clear(struct store *st, const char *name, struct bs_error *err);

#endif
