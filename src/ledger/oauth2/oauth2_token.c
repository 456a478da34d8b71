/*
 * oauth2_token.c - OAuth 2.0 client side, the calls with a token in them
 * (see oauth2.h): base URLs, the token endpoint (code exchange, refresh)
 * and revocation.  Getting the authorization code is oauth2_code.c.
 *
 * Token replies are parsed into a local struct and copied out only when
 * whole, so a failed refresh never leaves a half-updated token set.  Buffers
 * that held a token, a code or the Basic credentials are wiped before they
 * are freed.  Text from the server (error codes) is sanitised before it
 * enters a message.
 */
#include "ledger/oauth2/oauth2.h"

#include "core/jsonw.h"
#include "core/secret.h"

#include <errno.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN_REPLY_MAX ((size_t)256 << 10)
#define EXPIRES_IN_MAX  (INT64_C(10) * 366 * 86400) /* ten years: anything above is nonsense */

/* ------------------------------------------------------------- base URLs */

int oauth2_url_join(char *dst, const char *base, size_t blen, const char *path,
                    struct bs_error *err)
{
	size_t plen = strlen(path);

	if (blen + plen >= OAUTH2_URL_MAX)
		return bs_error_set(err, BS_EINVAL, "base URL is too long (%zu bytes)", blen);
	memcpy(dst, base, blen);
	memcpy(dst + blen, path, plen + 1);
	return BS_OK;
}

int oauth2_base_check(const char *base_url, size_t *blen, struct bs_error *err)
{
	size_t n;

	if (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0)
		return bs_error_set(err, BS_EINVAL, "base URL must start with http:// or https://");
	if (strpbrk(base_url, "?# \t\r\n") != NULL)
		return bs_error_set(err, BS_EINVAL,
		                    "base URL must be scheme://host[:port][/path] only");
	n = strlen(base_url);
	while (n > 0 && base_url[n - 1] == '/')
		n--;
	*blen = n;
	return BS_OK;
}

/* ------------------------------------------------------------- token endpoint */

/* Copy at most 64 printable ASCII characters of server text into out[80]. */
void oauth2_sanitise(const char *s, char *out, size_t outlen)
{
	size_t j = 0;

	for (; s != NULL && *s != '\0' && j + 1 < outlen && j < 64; s++)
		out[j++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	out[j] = '\0';
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Copy a string field into dst[cap]; BS_EPROTO when it does not fit. */
static int copy_field(char *dst, size_t cap, const char *src, const char *name,
                      struct bs_error *err)
{
	size_t n = strlen(src);

	if (n >= cap)
		return bs_error_set(err, BS_EPROTO, "token reply: %s is %zu bytes, over %zu", name,
		                    n, cap - 1);
	memcpy(dst, src, n + 1);
	return BS_OK;
}

static int token_error(long status, json_object *o, bool refresh, struct bs_error *err)
{
	char e[80];
	const char *code = jstr(o, "error");

	oauth2_sanitise(code, e, sizeof(e));
	if (code != NULL && strcmp(code, "invalid_grant") == 0)
		return refresh ? bs_error_set(err, BS_EAUTH,
		                              "the refresh token was refused (invalid_grant): it "
		                              "expired or was revoked")
		               : bs_error_set(err, BS_EAUTH,
		                              "the authorization code was refused (invalid_grant): "
		                              "it was used, expired or issued for another "
		                              "redirect URI; run booksync connect again");
	if (code != NULL &&
	    (strcmp(code, "invalid_client") == 0 || strcmp(code, "unauthorized_client") == 0))
		return bs_error_set(err, BS_EAUTH,
		                    "the token endpoint refused the client id or secret (%s): "
		                    "check the app's credentials",
		                    e);
	if (status == 429)
		return bs_error_set(err, BS_ELIMIT, "token endpoint: rate limited (HTTP 429)");
	if (status >= 500)
		return bs_error_set(err, BS_ENET, "token endpoint unavailable (HTTP %ld)", status);
	if (status == 401 || status == 403)
		return bs_error_set(err, BS_EAUTH, "token endpoint: HTTP %ld%s%s", status,
		                    e[0] ? ", " : "", e);
	return bs_error_set(err, BS_EPROTO, "token endpoint: HTTP %ld%s%s", status,
	                    e[0] ? ", error " : "", e);
}

int oauth2_parse_token_response(long status, const char *body, size_t len, bool refresh,
                                int64_t now_ms, struct ledger_tokens *out, struct bs_error *err)
{
	struct json_tokener *tok = NULL;
	json_object *o = NULL, *v;
	struct ledger_tokens *t = NULL;
	const char *s;
	int64_t expires_in;
	int rc = BS_OK;

	if (len > TOKEN_REPLY_MAX || len > (size_t)INT32_MAX)
		return bs_error_set(err, BS_EPROTO, "token reply: %zu bytes is too big", len);
	tok = json_tokener_new();
	t = calloc(1, sizeof(*t));
	if (tok == NULL || t == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory parsing a token reply");
		goto out;
	}
	o = json_tokener_parse_ex(tok, body ? body : "", (int)len);
	/* trailing bytes after the value, or not an object: as good as no JSON */
	if (o != NULL &&
	    (json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	if (status != 200) {
		rc = token_error(status, o, refresh, err);
		goto out;
	}
	if (o == NULL) {
		rc = bs_error_set(err, BS_EPROTO, "token reply is not a JSON object");
		goto out;
	}
	s = jstr(o, "token_type");
	if (s != NULL && strcasecmp(s, "Bearer") != 0) {
		char e[80];

		oauth2_sanitise(s, e, sizeof(e));
		rc = bs_error_set(err, BS_EPROTO, "token reply: token_type %s, expected Bearer", e);
		goto out;
	}
	s = jstr(o, "access_token");
	if (s == NULL || s[0] == '\0') {
		rc = bs_error_set(err, BS_EPROTO, "token reply without an access_token");
		goto out;
	}
	rc = copy_field(t->access_token, sizeof(t->access_token), s, "access_token", err);
	if (rc != BS_OK)
		goto out;
	if (!json_object_object_get_ex(o, "expires_in", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		rc = bs_error_set(err, BS_EPROTO, "token reply without an integer expires_in");
		goto out;
	}
	errno = 0;
	expires_in = json_object_get_int64(v);
	if (errno != 0 || expires_in <= 0 || expires_in > EXPIRES_IN_MAX ||
	    now_ms > INT64_MAX - expires_in * 1000) {
		rc = bs_error_set(err, BS_EPROTO, "token reply: expires_in %lld out of range",
		                  (long long)expires_in);
		goto out;
	}
	t->expires_at_ms = now_ms + expires_in * 1000;
	t->issued_at_ms = now_ms;
	s = jstr(o, "refresh_token");
	if (s != NULL) {
		rc =
		    copy_field(t->refresh_token, sizeof(t->refresh_token), s, "refresh_token", err);
		if (rc != BS_OK)
			goto out;
	}
	s = jstr(o, "scope");
	if (s != NULL) {
		rc = copy_field(t->scope, sizeof(t->scope), s, "scope", err);
		if (rc != BS_OK)
			goto out;
	}
	memcpy(out, t, sizeof(*t));
out:
	if (t != NULL) {
		sodium_memzero(t, sizeof(*t));
		free(t);
	}
	json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

/* "Authorization: Basic base64(id:secret)" into hdr (wipe it after use). */
static int basic_header(struct buf *hdr, const char *id, const char *secret, struct bs_error *err)
{
	struct buf raw;
	char *b64 = NULL;
	size_t cap;
	int rc;

	if (strchr(id, ':') != NULL)
		return bs_error_set(err, BS_EINVAL, "client id must not contain ':'");
	buf_init(&raw, 4096);
	rc = buf_addstr(&raw, id);
	if (rc == BS_OK)
		rc = buf_addc(&raw, ':');
	if (rc == BS_OK)
		rc = buf_addstr(&raw, secret);
	if (rc != BS_OK) {
		rc = bs_error_set(err, BS_EINVAL, "client id and secret are too long");
		goto out;
	}
	cap = sodium_base64_ENCODED_LEN(raw.len, sodium_base64_VARIANT_ORIGINAL);
	b64 = malloc(cap);
	if (b64 == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	sodium_bin2base64(b64, cap, (const unsigned char *)raw.ptr, raw.len,
	                  sodium_base64_VARIANT_ORIGINAL);
	rc = buf_addstr(hdr, "Authorization: Basic ");
	if (rc == BS_OK)
		rc = buf_addstr(hdr, b64);
	if (rc != BS_OK)
		rc = bs_error_set(err, rc, "out of memory");
out:
	if (b64 != NULL) {
		sodium_memzero(b64, cap);
		free(b64);
	}
	if (raw.ptr != NULL)
		sodium_memzero(raw.ptr, raw.cap);
	buf_free(&raw);
	return rc;
}

static int token_call(struct http_client *http, const struct oauth2_endpoints *ep,
                      const char *client_id, const char *client_secret, struct buf *form,
                      bool refresh, int64_t now_ms, struct ledger_tokens *out, struct bs_error *err)
{
	struct buf auth;
	struct http_response resp;
	const char *hdrs[4];
	struct http_request req = {.method = "POST",
	                           .url = ep->token_url,
	                           .headers = hdrs,
	                           .body = form->ptr ? form->ptr : "",
	                           .body_len = form->len,
	                           .timeout_ms = OAUTH2_TIMEOUT_MS};
	int rc;

	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	buf_init(&auth, 8192);
	http_response_init(&resp);
	resp.body.max = TOKEN_REPLY_MAX;
	rc = basic_header(&auth, client_id, client_secret, err);
	if (rc != BS_OK)
		goto out;
	hdrs[0] = buf_cstr(&auth);
	hdrs[1] = "Content-Type: application/x-www-form-urlencoded";
	hdrs[2] = "Accept: application/json";
	hdrs[3] = NULL;
	rc = http_send(http, &req, &resp, err);
	if (rc == BS_ETOOBIG)
		rc = bs_error_set(err, BS_EPROTO, "token endpoint: reply over %zu bytes",
		                  TOKEN_REPLY_MAX);
	if (rc != BS_OK)
		goto out;
	rc = oauth2_parse_token_response(resp.status, resp.body.ptr, resp.body.len, refresh, now_ms,
	                                 out, err);
out:
	secret_buf_wipe(&auth);
	secret_buf_wipe(&resp.body);
	http_response_free(&resp);
	return rc;
}

int oauth2_exchange_code(struct http_client *http, const struct oauth2_endpoints *ep,
                         const char *client_id, const char *client_secret, const char *code,
                         const char *redirect_uri, int64_t now_ms, struct ledger_tokens *out,
                         struct bs_error *err)
{
	struct buf form;
	int rc;

	buf_init(&form, 16384);
	rc = http_form_add(&form, "grant_type", "authorization_code");
	if (rc == BS_OK)
		rc = http_form_add(&form, "code", code);
	if (rc == BS_OK)
		rc = http_form_add(&form, "redirect_uri", redirect_uri);
	if (rc != BS_OK)
		rc = bs_error_set(err, rc, "authorization code or redirect URI too long");
	else
		rc = token_call(http, ep, client_id, client_secret, &form, false, now_ms, out, err);
	secret_buf_wipe(&form);
	return rc;
}

int oauth2_refresh(struct http_client *http, const struct oauth2_endpoints *ep,
                   const char *client_id, const char *client_secret, const char *refresh_token,
                   int64_t now_ms, struct ledger_tokens *out, struct bs_error *err)
{
	struct ledger_tokens *t = NULL;
	char old[LEDGER_REFRESH_TOKEN_MAX];
	struct buf form;
	size_t n = strlen(refresh_token);
	int rc;

	if (n == 0 || n >= sizeof(old))
		return bs_error_set(err, BS_EINVAL, "refresh token is empty or too long");
	memcpy(old, refresh_token, n + 1); /* refresh_token may point into *out */
	buf_init(&form, 16384);
	t = malloc(sizeof(*t));
	if (t == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	rc = http_form_add(&form, "grant_type", "refresh_token");
	if (rc == BS_OK)
		rc = http_form_add(&form, "refresh_token", old);
	if (rc != BS_OK) {
		rc = bs_error_set(err, rc, "refresh token too long");
		goto out;
	}
	memset(t, 0, sizeof(*t));
	rc = token_call(http, ep, client_id, client_secret, &form, true, now_ms, t, err);
	if (rc != BS_OK)
		goto out;
	if (t->refresh_token[0] == '\0')
		memcpy(t->refresh_token, old, n + 1);
	memcpy(out, t, sizeof(*t));
out:
	if (t != NULL) {
		sodium_memzero(t, sizeof(*t));
		free(t);
	}
	sodium_memzero(old, sizeof(old));
	secret_buf_wipe(&form);
	return rc;
}

/* ------------------------------------------------------------- revoke */

int oauth2_revoke(struct http_client *http, const struct oauth2_endpoints *ep,
                  const char *client_id, const char *client_secret, const char *token,
                  struct bs_error *err)
{
	struct buf auth, body;
	struct http_response resp;
	const char *hdrs[4];
	struct http_request req = {.method = "POST",
	                           .url = ep->revoke_url,
	                           .headers = hdrs,
	                           .timeout_ms = OAUTH2_TIMEOUT_MS};
	int rc;

	if (ep->revoke_url[0] == '\0')
		return bs_error_set(err, BS_EUNSUPPORTED, "this ledger has no revoke endpoint");
	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	buf_init(&auth, 8192);
	buf_init(&body, 8192);
	http_response_init(&resp);
	resp.body.max = TOKEN_REPLY_MAX;
	rc = basic_header(&auth, client_id, client_secret, err);
	if (rc != BS_OK)
		goto out;
	rc = buf_addc(&body, '{');
	if (rc == BS_OK)
		rc = jsonw_kv_str(&body, 0, "token", token);
	if (rc == BS_OK)
		rc = buf_addc(&body, '}');
	if (rc != BS_OK) {
		rc = bs_error_set(err, BS_EINVAL, "token too long to revoke");
		goto out;
	}
	hdrs[0] = buf_cstr(&auth);
	hdrs[1] = "Content-Type: application/json";
	hdrs[2] = "Accept: application/json";
	hdrs[3] = NULL;
	req.body = body.ptr;
	req.body_len = body.len;
	rc = http_send(http, &req, &resp, err);
	if (rc == BS_ETOOBIG)
		rc = bs_error_set(err, BS_EPROTO, "revoke: reply over %zu bytes", TOKEN_REPLY_MAX);
	if (rc != BS_OK)
		goto out;
	if (resp.status == 200)
		rc = BS_OK;
	else if (resp.status == 429)
		rc = bs_error_set(err, BS_ELIMIT, "revoke: rate limited (HTTP 429)");
	else if (resp.status >= 500)
		rc = bs_error_set(err, BS_ENET, "revoke: server unavailable (HTTP %ld)",
		                  resp.status);
	else if (resp.status == 400 || resp.status == 401 || resp.status == 403)
		rc = bs_error_set(err, BS_EAUTH, "revoke refused (HTTP %ld)", resp.status);
	else
		rc = bs_error_set(err, BS_EPROTO, "revoke: HTTP %ld", resp.status);
out:
	secret_buf_wipe(&auth);
	secret_buf_wipe(&body);
	http_response_free(&resp);
	return rc;
}
