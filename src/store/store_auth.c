/*
 * store_auth.c - store_auth.h's public functions: the checks every backend
 * shares (names, NULLs), then the backend's auth operations.
 */
#include "store/store_int.h"

#include <string.h>

bool store_auth_name_ok(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n >= STORE_AUTH_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

static int name_check(const char *what, const char *name, struct bs_error *err)
{
	if (store_auth_name_ok(name))
		return BS_OK;
	return bs_error_set(err, BS_EINVAL,
	                    "%s name '%s' is not valid: use 1 to %d of A-Z a-z 0-9 . _ @ -", what,
	                    name ? name : "", STORE_AUTH_NAME_MAX - 1);
}

int store_user_add(struct store *st, const char *name, const char *pwhash, int64_t now_ms,
                   struct bs_error *err)
{
	int rc = name_check("user", name, err);

	if (rc != BS_OK)
		return rc;
	if (pwhash == NULL || pwhash[0] == '\0')
		return bs_error_set(err, BS_EINVAL, "no password hash");
	return st->ops->auth->user_add(st, name, pwhash, now_ms, err);
}

int store_user_get(struct store *st, const char *name, struct buf *pwhash, struct bs_error *err)
{
	if (!store_auth_name_ok(name))
		return bs_error_set(err, BS_ENOTFOUND, "no such user");
	return st->ops->auth->user_get(st, name, pwhash, err);
}

int store_user_remove(struct store *st, const char *name, struct bs_error *err)
{
	int rc = name_check("user", name, err);

	return rc != BS_OK ? rc : st->ops->auth->user_remove(st, name, err);
}

int store_users_each(struct store *st, store_user_cb cb, void *arg, struct bs_error *err)
{
	return st->ops->auth->users_each(st, cb, arg, err);
}

int store_token_add(struct store *st, const char *name, const unsigned char *hash, unsigned scopes,
                    int64_t now_ms, struct bs_error *err)
{
	int rc = name_check("token", name, err);

	if (rc != BS_OK)
		return rc;
	if (scopes == 0)
		return bs_error_set(err, BS_EINVAL, "a token needs at least one scope");
	return st->ops->auth->token_add(st, name, hash, scopes, now_ms, err);
}

int store_token_find(struct store *st, const unsigned char *hash, int64_t now_ms,
                     struct store_token *out, struct bs_error *err)
{
	return st->ops->auth->token_find(st, hash, now_ms, out, err);
}

int store_token_remove(struct store *st, const char *name, struct bs_error *err)
{
	int rc = name_check("token", name, err);

	return rc != BS_OK ? rc : st->ops->auth->token_remove(st, name, err);
}

int store_tokens_each(struct store *st, store_token_cb cb, void *arg, struct bs_error *err)
{
	return st->ops->auth->tokens_each(st, cb, arg, err);
}

int store_session_add(struct store *st, const unsigned char *hash, const struct store_session *s,
                      struct bs_error *err)
{
	return st->ops->auth->session_add(st, hash, s, err);
}

int store_session_find(struct store *st, const unsigned char *hash, int64_t now_ms,
                       struct store_session *out, struct bs_error *err)
{
	return st->ops->auth->session_find(st, hash, now_ms, out, err);
}

int store_session_remove(struct store *st, const unsigned char *hash, struct bs_error *err)
{
	return st->ops->auth->session_remove(st, hash, err);
}

int store_login_failures(struct store *st, const char *name, int64_t since_ms, int64_t *count,
                         int64_t *oldest_ms, struct bs_error *err)
{
	return st->ops->auth->login_failures(st, name, since_ms, count, oldest_ms, err);
}

int store_login_failed(struct store *st, const char *name, int64_t now_ms, int64_t keep_ms,
                       struct bs_error *err)
{
	return st->ops->auth->login_failed(st, name, now_ms, keep_ms, err);
}

int store_login_clear(struct store *st, const char *name, struct bs_error *err)
{
	return st->ops->auth->login_clear(st, name, err);
}
