/*
 * api_auth.c - who may use `booksync serve` and how a request proves it
 * (api_auth.h for the CLI, api_core_int.h for the core; docs/serve.md).
 *
 * Passwords: crypto_pwhash_str (Argon2id) at libsodium's interactive
 * limits, about 64 MiB and a tenth of a second each.  Hashing is done one
 * at a time in the process (hash_lock): a burst of logins then queues
 * instead of asking for 64 MiB per connection.
 *
 * Tokens and session ids are 256 random bits as URL-safe base64; only
 * their SHA-256 is stored.  A fast hash is right for them (unlike
 * passwords): with 256 bits of entropy there is nothing to guess, so the
 * hash only has to make a stolen store useless for logging in.
 *
 * The lockout counts failed logins per user name, whether or not the user
 * exists (so it does not tell which names exist); the 11th attempt within
 * 15 minutes is refused without even checking the password, and so is
 * every one after it until the oldest failure leaves the window.  An
 * unknown name costs the same hash as a known one, for the same reason.
 */
#include "api/api_auth.h"
#include "api/api_core_int.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define TOKEN_PREFIX    "bst_"
#define RANDOM_BYTES    32
#define RANDOM_TEXT     43 /* URL-safe base64 of 32 bytes, no padding */
#define FAILURE_KEEP_MS (INT64_C(24) * 3600 * 1000)

static pthread_mutex_t hash_lock = PTHREAD_MUTEX_INITIALIZER;

static const unsigned all_scopes =
    API_SCOPE_RECORDS_WRITE | API_SCOPE_READ | API_SCOPE_SYNC | API_SCOPE_ADMIN;

/* RANDOM_BYTES random bytes as URL-safe base64 into out[RANDOM_TEXT + 1]. */
static void random_text(char out[RANDOM_TEXT + 1])
{
	unsigned char raw[RANDOM_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, RANDOM_TEXT + 1, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

static void hash_text(const char *text, size_t n, unsigned char out[STORE_AUTH_HASH])
{
	crypto_hash_sha256(out, (const unsigned char *)text, n);
}

/* Only URL-safe base64 characters, exactly RANDOM_TEXT of them. */
static bool random_text_ok(const char *s, size_t n)
{
	if (n != RANDOM_TEXT)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

int api_scopes_parse(const char *list, unsigned *scopes, struct bs_error *err)
{
	const char *p = list ? list : "";

	*scopes = 0;
	while (*p) {
		char name[32];
		size_t n = strcspn(p, ",");
		unsigned bit;

		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0 || n >= sizeof(name))
			return bs_error_set(err, BS_EINVAL, "bad scope list '%s'", list);
		memcpy(name, p, n);
		name[n] = '\0';
		bit = api_scope_parse(name);
		if (bit == 0)
			return bs_error_set(
			    err, BS_EINVAL,
			    "unknown scope '%s' (known: records:write, read, sync, admin)", name);
		*scopes |= bit;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	if (*scopes == 0)
		return bs_error_set(err, BS_EINVAL,
		                    "no scope given (records:write, read, sync, admin)");
	return BS_OK;
}

int api_scopes_format(unsigned scopes, struct buf *out)
{
	static const char *const names[] = {"records:write", "read", "sync", "admin"};
	int rc = BS_OK;
	bool first = true;

	for (unsigned i = 0; i < 4 && rc == BS_OK; i++) {
		if (!(scopes & (1u << i)))
			continue;
		if (!first)
			rc = buf_addc(out, ',');
		if (rc == BS_OK)
			rc = buf_addstr(out, names[i]);
		first = false;
	}
	return rc;
}

int api_user_add(struct store *st, const char *name, const char *password, int64_t now_ms,
                 struct bs_error *err)
{
	char hash[crypto_pwhash_STRBYTES];
	size_t n = password ? strlen(password) : 0;
	int rc;

	if (!store_auth_name_ok(name))
		return bs_error_set(
		    err, BS_EINVAL,
		    "user name '%s' is not valid: use 1 to %d of A-Z a-z 0-9 . _ @ -",
		    name ? name : "", STORE_AUTH_NAME_MAX - 1);
	if (n < API_PASSWORD_MIN)
		return bs_error_set(err, BS_EINVAL, "the password needs at least %d characters",
		                    API_PASSWORD_MIN);
	if (n > API_PASSWORD_MAX)
		return bs_error_set(err, BS_EINVAL, "the password is over %d characters",
		                    API_PASSWORD_MAX);
	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	pthread_mutex_lock(&hash_lock);
	rc = crypto_pwhash_str(hash, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                       crypto_pwhash_MEMLIMIT_INTERACTIVE);
	pthread_mutex_unlock(&hash_lock);
	if (rc != 0)
		return bs_error_set(err, BS_ENOMEM, "not enough memory to hash the password");
	return store_user_add(st, name, hash, now_ms, err);
}

int api_token_create(struct store *st, const char *name, unsigned scopes, int64_t now_ms,
                     struct buf *token, struct bs_error *err)
{
	char text[RANDOM_TEXT + 1];
	unsigned char h[STORE_AUTH_HASH];
	int rc;

	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	random_text(text);
	buf_reset(token);
	rc = buf_printf(token, "%s%s", TOKEN_PREFIX, text);
	sodium_memzero(text, sizeof(text));
	if (rc != BS_OK)
		return bs_error_set(err, rc, "out of memory");
	hash_text(token->ptr, token->len, h);
	rc = store_token_add(st, name, h, scopes, now_ms, err);
	if (rc != BS_OK) {
		sodium_memzero(token->ptr, token->len);
		buf_reset(token);
	}
	return rc;
}

/* "Bearer <token>": the token's text, or NULL for another scheme. */
static const char *bearer_of(const char *authz)
{
	if (strncasecmp(authz, "Bearer ", 7) != 0)
		return NULL;
	authz += 7;
	while (*authz == ' ')
		authz++;
	return authz;
}

static int identify_token(struct store *st, int64_t now_ms, const char *authz, struct api_auth *a,
                          struct bs_error *err)
{
	const char *tok = bearer_of(authz);
	unsigned char h[STORE_AUTH_HASH];
	struct store_token t;
	size_t plen = strlen(TOKEN_PREFIX);
	int rc;

	if (tok == NULL)
		return bs_error_set(err, BS_EAUTH,
		                    "the Authorization header is not a Bearer token");
	if (strncmp(tok, TOKEN_PREFIX, plen) != 0 ||
	    !random_text_ok(tok + plen, strlen(tok + plen)))
		return bs_error_set(err, BS_EAUTH, "the bearer token is not valid");
	hash_text(tok, strlen(tok), h);
	rc = store_token_find(st, h, now_ms, &t, err);
	if (rc == BS_ENOTFOUND)
		return bs_error_set(err, BS_EAUTH, "the bearer token is not valid");
	if (rc != BS_OK)
		return rc;
	snprintf(a->who.name, sizeof(a->who.name), "%s", t.name);
	a->who.scopes = t.scopes;
	a->who.session = false;
	return BS_OK;
}

int api_auth_identify(struct store *st, int64_t now_ms, const struct http_req *req,
                      struct api_auth *a, struct bs_error *err)
{
	const char *authz = http_req_header(req, "Authorization");
	struct store_session s;
	struct buf id;
	int rc;

	memset(a, 0, sizeof(*a));
	if (authz != NULL)
		return identify_token(st, now_ms, authz, a, err);
	buf_init(&id, 256);
	if (!http_req_cookie(req, API_SESSION_COOKIE, &id)) {
		rc = BS_ENOTFOUND;
		bs_error_set(err, rc, "log in, or send an API token (Authorization: Bearer ...)");
		goto out;
	}
	if (!random_text_ok(buf_cstr(&id), id.len)) {
		rc = bs_error_set(err, BS_EAUTH, "the session is not valid: log in again");
		goto out;
	}
	hash_text(id.ptr, id.len, a->session);
	rc = store_session_find(st, a->session, now_ms, &s, err);
	if (rc == BS_ENOTFOUND) {
		rc = bs_error_set(err, BS_EAUTH, "the session has expired or ended: log in again");
		goto out;
	}
	if (rc != BS_OK)
		goto out;
	snprintf(a->who.name, sizeof(a->who.name), "%s", s.user);
	snprintf(a->csrf, sizeof(a->csrf), "%s", s.csrf);
	a->who.scopes = all_scopes;
	a->who.session = true;
out:
	buf_free(&id);
	return rc;
}

bool api_auth_csrf_ok(const struct api_auth *a, const struct http_req *req)
{
	const char *got = http_req_header(req, "X-CSRF-Token");
	size_t n = strlen(a->csrf);

	return got != NULL && n > 0 && strlen(got) == n && sodium_memcmp(got, a->csrf, n) == 0;
}

int api_auth_login(struct store *st, int64_t now_ms, const char *name, const char *password,
                   int64_t *retry_ms, struct bs_error *err)
{
	char dummy[crypto_pwhash_STRBYTES];
	struct buf hash;
	int64_t count = 0, oldest = 0;
	size_t n = strlen(password);
	bool ok = false;
	int rc;

	*retry_ms = 0;
	if (!store_auth_name_ok(name))
		return bs_error_set(err, BS_EAUTH, "wrong user name or password");
	/* the window holds failures less than API_LOCKOUT_MS old */
	rc = store_login_failures(st, name, now_ms - API_LOCKOUT_MS + 1, &count, &oldest, err);
	if (rc != BS_OK)
		return rc;
	if (count >= API_LOCKOUT_FAILS) {
		*retry_ms = oldest + API_LOCKOUT_MS - now_ms;
		if (*retry_ms < 1000)
			*retry_ms = 1000;
		return bs_error_set(err, BS_ELIMIT,
		                    "too many failed logins as '%s': try again in %lld seconds",
		                    name, (long long)((*retry_ms + 999) / 1000));
	}
	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	buf_init(&hash, crypto_pwhash_STRBYTES * 2);
	rc = store_user_get(st, name, &hash, err);
	if (rc != BS_OK && rc != BS_ENOTFOUND)
		goto out;
	pthread_mutex_lock(&hash_lock);
	if (rc == BS_OK && n <= API_PASSWORD_MAX)
		ok = crypto_pwhash_str_verify(buf_cstr(&hash), password, n) == 0;
	else if (crypto_pwhash_str(dummy, password, n < API_PASSWORD_MAX ? n : API_PASSWORD_MAX,
	                           crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                           crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		ok = false; /* the same work for a name that is not a user */
	pthread_mutex_unlock(&hash_lock);
	if (ok) {
		rc = store_login_clear(st, name, err);
		goto out;
	}
	rc = store_login_failed(st, name, now_ms, FAILURE_KEEP_MS, err);
	if (rc == BS_OK)
		rc = bs_error_set(err, BS_EAUTH, "wrong user name or password");
out:
	buf_free(&hash);
	return rc;
}

int api_auth_session_new(struct store *st, int64_t now_ms, const char *user, struct buf *id,
                         char csrf[STORE_AUTH_CSRF_MAX], struct bs_error *err)
{
	struct store_session s;
	char text[RANDOM_TEXT + 1];
	unsigned char h[STORE_AUTH_HASH];
	int rc;

	memset(&s, 0, sizeof(s));
	random_text(text);
	buf_reset(id);
	rc = buf_addstr(id, text);
	if (rc != BS_OK)
		return bs_error_set(err, rc, "out of memory");
	hash_text(text, RANDOM_TEXT, h);
	sodium_memzero(text, sizeof(text));
	snprintf(s.user, sizeof(s.user), "%s", user);
	random_text(s.csrf);
	s.created_ms = now_ms;
	s.expires_ms = now_ms + API_SESSION_MS;
	rc = store_session_add(st, h, &s, err);
	if (rc == BS_OK)
		snprintf(csrf, STORE_AUTH_CSRF_MAX, "%s", s.csrf);
	return rc;
}
