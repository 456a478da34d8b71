/*
 * oauth.c - Xero OAuth 2.0 client side (see oauth.h).
 *
 * Token replies are parsed into a local struct and copied out only when
 * whole, so a failed refresh never leaves a half-updated token set.  Buffers
 * that held a token, a code or the Basic credentials are wiped before they
 * are freed.  Text from the server (error codes) is sanitised before it
 * enters a message.
 *
 * The callback listener runs libmicrohttpd with a thread per connection:
 * the /callback handler records the query, then blocks until
 * xero_oauth_callback_wait (which knows the expected state) gives a
 * verdict, so the browser is told the truth.
 */
#include "ledger/xero/oauth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#define TOKEN_TIMEOUT_MS 30000L
#define TOKEN_REPLY_MAX  ((size_t)256 << 10)
#define CONN_REPLY_MAX   ((size_t)4 << 20)
#define EXPIRES_IN_MAX   (INT64_C(10) * 366 * 86400) /* ten years: anything above is nonsense */

/* ------------------------------------------------------------- endpoints */

static int set_url(char *dst, const char *base, size_t blen, const char *path, struct bs_error *err)
{
	size_t plen = strlen(path);

	if (blen + plen >= XERO_URL_MAX)
		return bs_error_set(err, BS_EINVAL, "base URL is too long (%zu bytes)", blen);
	memcpy(dst, base, blen);
	memcpy(dst + blen, path, plen + 1);
	return BS_OK;
}

int xero_endpoints_init(struct xero_endpoints *ep, const char *base_url, struct bs_error *err)
{
	size_t blen;
	int rc;

	memset(ep, 0, sizeof(*ep));
	if (base_url == NULL || base_url[0] == '\0') {
		static const char *const real[4] = {
		    "https://login.xero.com/identity/connect/authorize",
		    "https://identity.xero.com/connect/token", "https://api.xero.com/connections",
		    "https://api.xero.com/api.xro/2.0"};
		char *dst[4] = {ep->authorize_url, ep->token_url, ep->connections_url,
		                ep->api_base};

		for (int i = 0; i < 4; i++)
			set_url(dst[i], real[i], strlen(real[i]), "", NULL);
		return BS_OK;
	}
	if (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0)
		return bs_error_set(err, BS_EINVAL, "base URL must start with http:// or https://");
	if (strpbrk(base_url, "?# \t\r\n") != NULL)
		return bs_error_set(err, BS_EINVAL,
		                    "base URL must be scheme://host[:port][/path] only");
	blen = strlen(base_url);
	while (blen > 0 && base_url[blen - 1] == '/')
		blen--;
	rc = set_url(ep->authorize_url, base_url, blen, "/identity/connect/authorize", err);
	if (rc == BS_OK)
		rc = set_url(ep->token_url, base_url, blen, "/connect/token", err);
	if (rc == BS_OK)
		rc = set_url(ep->connections_url, base_url, blen, "/connections", err);
	if (rc == BS_OK)
		rc = set_url(ep->api_base, base_url, blen, "/api.xro/2.0", err);
	if (rc != BS_OK)
		memset(ep, 0, sizeof(*ep));
	return rc;
}

/* ------------------------------------------------------------- authorize */

void xero_oauth_new_state(char *out, size_t n)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	if (n == 0)
		return;
	if (sodium_init() < 0) {
		out[0] = '\0'; /* an empty state is refused by every check below */
		return;
	}
	for (size_t i = 0; i + 1 < n; i++)
		out[i] = alphabet[randombytes_uniform(64)];
	out[n - 1] = '\0';
}

int xero_oauth_authorize_url(const struct xero_endpoints *ep, const char *client_id,
                             const char *redirect_uri, const char *scopes, const char *state,
                             struct buf *out)
{
	size_t before = out->len;
	int rc;

	rc = buf_addstr(out, ep->authorize_url);
	if (rc == BS_OK)
		rc = buf_addstr(out, strchr(ep->authorize_url, '?') ? "&" : "?");
	if (rc == BS_OK)
		rc = buf_addstr(out, "response_type=code&client_id=");
	if (rc == BS_OK)
		rc = http_url_encode(out, client_id);
	if (rc == BS_OK)
		rc = buf_addstr(out, "&redirect_uri=");
	if (rc == BS_OK)
		rc = http_url_encode(out, redirect_uri);
	if (rc == BS_OK)
		rc = buf_addstr(out, "&scope=");
	if (rc == BS_OK)
		rc = http_url_encode(out, scopes ? scopes : XERO_SCOPES_DEFAULT);
	if (rc == BS_OK)
		rc = buf_addstr(out, "&state=");
	if (rc == BS_OK)
		rc = http_url_encode(out, state);
	if (rc != BS_OK)
		buf_truncate(out, before);
	return rc;
}

/* ------------------------------------------------------------- token endpoint */

/* Copy at most 64 printable ASCII characters of server text into out[80]. */
static void sanitise(const char *s, char *out, size_t outlen)
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

	sanitise(code, e, sizeof(e));
	if (code != NULL && strcmp(code, "invalid_grant") == 0)
		return refresh ? bs_error_set(err, BS_EAUTH,
		                              "the refresh token was refused (invalid_grant): run "
		                              "booksync connect again")
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

int xero_oauth_parse_token_response(long status, const char *body, size_t len, bool refresh,
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

		sanitise(s, e, sizeof(e));
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

static void wipe(struct buf *b)
{
	if (b->ptr != NULL)
		sodium_memzero(b->ptr, b->cap);
	buf_free(b);
}

static int token_call(struct http_client *http, const struct xero_endpoints *ep,
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
	                           .timeout_ms = TOKEN_TIMEOUT_MS};
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
	rc = xero_oauth_parse_token_response(resp.status, resp.body.ptr, resp.body.len, refresh,
	                                     now_ms, out, err);
out:
	wipe(&auth);
	wipe(&resp.body);
	http_response_free(&resp);
	return rc;
}

int xero_oauth_exchange_code(struct http_client *http, const struct xero_endpoints *ep,
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
	wipe(&form);
	return rc;
}

int xero_oauth_refresh(struct http_client *http, const struct xero_endpoints *ep,
                       const char *client_id, const char *client_secret, const char *refresh_token,
                       int64_t now_ms, struct ledger_tokens *out, struct bs_error *err)
{
	struct ledger_tokens *t = NULL;
	char old[XERO_REFRESH_TOKEN_MAX];
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
	wipe(&form);
	return rc;
}

/* ------------------------------------------------------------- connections */

static void copy_trunc(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int xero_oauth_connections(struct http_client *http, const struct xero_endpoints *ep,
                           const char *access_token, struct ledger_tenant **out, size_t *n,
                           struct bs_error *err)
{
	struct buf auth;
	struct http_response resp;
	struct ledger_tenant *arr = NULL;
	json_object *o = NULL;
	const char *hdrs[3];
	struct http_request req = {.method = "GET",
	                           .url = ep->connections_url,
	                           .headers = hdrs,
	                           .timeout_ms = TOKEN_TIMEOUT_MS};
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	buf_init(&auth, XERO_ACCESS_TOKEN_MAX + 64);
	http_response_init(&resp);
	resp.body.max = CONN_REPLY_MAX;
	rc = buf_addstr(&auth, "Authorization: Bearer ");
	if (rc == BS_OK)
		rc = buf_addstr(&auth, access_token);
	if (rc != BS_OK) {
		rc = bs_error_set(err, BS_EINVAL, "access token too long");
		goto out;
	}
	hdrs[0] = buf_cstr(&auth);
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	rc = http_send(http, &req, &resp, err);
	if (rc == BS_ETOOBIG)
		rc = bs_error_set(err, BS_EPROTO, "connections: reply over %zu bytes",
		                  CONN_REPLY_MAX);
	if (rc != BS_OK)
		goto out;
	if (resp.status == 401 || resp.status == 403) {
		rc = bs_error_set(err, BS_EAUTH,
		                  "connections: HTTP %ld, the access token was refused (expired "
		                  "or revoked)",
		                  resp.status);
		goto out;
	}
	if (resp.status == 429) {
		rc = bs_error_set(err, BS_ELIMIT, "connections: rate limited (HTTP 429)");
		goto out;
	}
	if (resp.status >= 500) {
		rc = bs_error_set(err, BS_ENET, "connections: server unavailable (HTTP %ld)",
		                  resp.status);
		goto out;
	}
	if (resp.status != 200) {
		rc = bs_error_set(err, BS_EPROTO, "connections: HTTP %ld", resp.status);
		goto out;
	}
	o = json_tokener_parse(buf_cstr(&resp.body));
	if (o == NULL || !json_object_is_type(o, json_type_array)) {
		rc = bs_error_set(err, BS_EPROTO, "connections: reply is not a JSON array");
		goto out;
	}
	count = json_object_array_length(o);
	if (count > XERO_TENANTS_MAX) {
		rc = bs_error_set(err, BS_EPROTO, "connections: %zu tenants, over %d", count,
		                  XERO_TENANTS_MAX);
		goto out;
	}
	if (count > 0) {
		arr = calloc(count, sizeof(*arr));
		if (arr == NULL) {
			rc = bs_error_set(err, BS_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < count; i++) {
		json_object *c = json_object_array_get_idx(o, i);
		const char *tid = jstr(c, "tenantId");

		if (!json_object_is_type(c, json_type_object) || tid == NULL || tid[0] == '\0' ||
		    strlen(tid) >= sizeof(arr[i].tenant_id)) {
			rc = bs_error_set(err, BS_EPROTO,
			                  "connections: entry %zu has no usable tenantId", i);
			goto out;
		}
		copy_trunc(arr[i].tenant_id, sizeof(arr[i].tenant_id), tid);
		copy_trunc(arr[i].connection_id, sizeof(arr[i].connection_id), jstr(c, "id"));
		copy_trunc(arr[i].tenant_type, sizeof(arr[i].tenant_type), jstr(c, "tenantType"));
		copy_trunc(arr[i].tenant_name, sizeof(arr[i].tenant_name), jstr(c, "tenantName"));
	}
	*out = arr;
	*n = count;
	arr = NULL;
out:
	free(arr);
	json_object_put(o);
	wipe(&auth);
	http_response_free(&resp);
	return rc;
}

/* ------------------------------------------------------------- redirects */

/*
 * Judge the parameters of a redirect back to us.  error first (its message
 * is the useful one), then state in constant time, then the code.
 */
static int judge(const char *error, const char *error_desc, const char *state, const char *code,
                 const char *expected_state, struct buf *out, struct bs_error *err)
{
	size_t sl, el;

	if (error != NULL) {
		char e[80], d[80];

		sanitise(error, e, sizeof(e));
		sanitise(error_desc, d, sizeof(d));
		return bs_error_set(err, BS_EAUTH, "authorization refused: %s%s%s", e,
		                    d[0] ? ": " : "", d);
	}
	if (expected_state == NULL || expected_state[0] == '\0')
		return bs_error_set(err, BS_EINVAL, "no expected state to check the redirect with");
	sl = state ? strlen(state) : 0;
	el = strlen(expected_state);
	if (state == NULL || sl != el || sodium_memcmp(state, expected_state, el) != 0)
		return bs_error_set(err, BS_EAUTH,
		                    "the redirect's state %s: it does not answer this connect "
		                    "attempt (possible forgery); run booksync connect again",
		                    state == NULL ? "is missing" : "does not match");
	if (code == NULL || code[0] == '\0')
		return bs_error_set(err, BS_EPROTO, "the redirect carries no authorization code");
	if (buf_addstr(out, code) != BS_OK)
		return bs_error_set(err, BS_EPROTO, "the authorization code is too long");
	return BS_OK;
}

/* Read one query parameter: value in b (or NULL when absent). */
static int param(const char *url, const char *name, struct buf *b, const char **val,
                 struct bs_error *err)
{
	int rc = http_url_query_param(url, name, b);

	*val = NULL;
	if (rc == BS_OK) {
		*val = buf_cstr(b);
		return BS_OK;
	}
	if (rc == BS_ENOTFOUND)
		return BS_OK;
	return bs_error_set(err, BS_EPROTO, "the redirect's %s parameter is malformed", name);
}

int xero_oauth_code_from_redirect(const char *location, const char *expected_state,
                                  struct buf *code, struct bs_error *err)
{
	struct buf b[4];
	const char *v[4];
	static const char *const names[4] = {"error", "error_description", "state", "code"};
	int rc = BS_OK;

	for (int i = 0; i < 4; i++)
		buf_init(&b[i], 8192);
	for (int i = 0; i < 4 && rc == BS_OK; i++)
		rc = param(location, names[i], &b[i], &v[i], err);
	if (rc == BS_OK)
		rc = judge(v[0], v[1], v[2], v[3], expected_state, code, err);
	for (int i = 0; i < 4; i++)
		wipe(&b[i]);
	return rc;
}

/* Does `loc` start with redirect_uri, followed by '?', '#' or nothing? */
static bool is_redirect_to(const char *loc, const char *redirect_uri)
{
	size_t n = strlen(redirect_uri);

	return strncmp(loc, redirect_uri, n) == 0 &&
	       (loc[n] == '\0' || loc[n] == '?' || loc[n] == '#');
}

int xero_oauth_auto_approve(struct http_client *http, const struct xero_endpoints *ep,
                            const char *client_id, const char *redirect_uri, const char *scopes,
                            const char *state, struct buf *code, struct bs_error *err)
{
	struct buf url;
	struct http_response resp;
	struct http_request req = {.method = "GET", .timeout_ms = TOKEN_TIMEOUT_MS};
	const char *loc;
	int rc;

	buf_init(&url, 16384);
	http_response_init(&resp);
	resp.body.max = (size_t)1 << 20;
	rc = xero_oauth_authorize_url(ep, client_id, redirect_uri, scopes, state, &url);
	if (rc != BS_OK) {
		rc = bs_error_set(err, rc, "authorize URL too long");
		goto out;
	}
	req.url = buf_cstr(&url);
	rc = http_send(http, &req, &resp, err);
	if (rc == BS_ETOOBIG)
		rc = bs_error_set(err, BS_ESTATE,
		                  "the authorization page needs a person: open the URL in a "
		                  "browser");
	if (rc != BS_OK)
		goto out;
	loc = http_response_header(&resp, "Location");
	if (resp.status >= 300 && resp.status < 400 && loc != NULL &&
	    is_redirect_to(loc, redirect_uri)) {
		rc = xero_oauth_code_from_redirect(loc, state, code, err);
	} else if (resp.status >= 400 && resp.status < 500) {
		char e[80];

		sanitise(buf_cstr(&resp.body), e, sizeof(e));
		rc = bs_error_set(err, BS_EAUTH, "the authorization server refused: HTTP %ld%s%s",
		                  resp.status, e[0] ? ": " : "", e);
	} else if (resp.status >= 500) {
		rc =
		    bs_error_set(err, BS_ENET, "the authorization server is unavailable (HTTP %ld)",
		                 resp.status);
	} else {
		rc = bs_error_set(err, BS_ESTATE,
		                  "the authorization page needs a person: open the URL in a "
		                  "browser (HTTP %ld)",
		                  resp.status);
	}
out:
	buf_free(&url);
	http_response_free(&resp);
	return rc;
}

/* ------------------------------------------------------------- callback listener */

enum verdict { V_NONE, V_OK, V_FAIL };

struct xero_oauth_listener {
	struct MHD_Daemon *d;
	char redirect_uri[64];
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool arrived;        /* the first /callback request came */
	bool answered;       /* and its response was sent (or the connection ended) */
	bool closing;
	enum verdict verdict;
	struct buf p[4]; /* error, error_description, state, code as received */
	bool has[4];
};

static const char *const cb_names[4] = {"error", "error_description", "state", "code"};

static const char page_ok[] =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>booksync</title></head>"
    "<body><h1>booksync is connected</h1><p>You may close this tab.</p></body></html>\n";
static const char page_fail[] =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>booksync</title></head>"
    "<body><h1>booksync could not connect</h1><p>The terminal running booksync says why. "
    "You may close this tab.</p></body></html>\n";
static const char page_gone[] = "This connect attempt is already complete.\n";
static const char page_404[] = "Not found.\n";

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *text,
                              const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Connection", "close");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static enum MHD_Result cb_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct xero_oauth_listener *l = cls;
	static int marker;
	struct timespec dl;
	enum verdict v;
	(void)version;
	(void)upload;

	if (*con_cls == NULL) { /* headers only so far */
		*con_cls = &marker;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0; /* a body is ignored */
		return MHD_YES;
	}
	if (strcmp(url, "/callback") != 0 || strcmp(method, "GET") != 0)
		return answer(conn, 404, page_404, "text/plain; charset=utf-8");
	pthread_mutex_lock(&l->lock);
	if (l->arrived) {
		pthread_mutex_unlock(&l->lock);
		return answer(conn, 410, page_gone, "text/plain; charset=utf-8");
	}
	l->arrived = true;
	for (int i = 0; i < 4; i++) {
		const char *val =
		    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, cb_names[i]);

		l->has[i] = val != NULL && buf_addstr(&l->p[i], val) == BS_OK;
	}
	*con_cls = l; /* this connection carries the decisive request */
	pthread_cond_broadcast(&l->cond);
	/* the verdict comes from xero_oauth_callback_wait; do not wait forever */
	deadline_in(&dl, 60000);
	while (l->verdict == V_NONE && !l->closing)
		if (pthread_cond_timedwait(&l->cond, &l->lock, &dl) == ETIMEDOUT)
			break;
	v = l->verdict;
	pthread_mutex_unlock(&l->lock);
	if (v == V_OK)
		return answer(conn, 200, page_ok, "text/html; charset=utf-8");
	return answer(conn, 400, page_fail, "text/html; charset=utf-8");
}

static void cb_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct xero_oauth_listener *l = cls;
	(void)conn;
	(void)toe;

	if (*con_cls == l) {
		pthread_mutex_lock(&l->lock);
		l->answered = true;
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
	}
	*con_cls = NULL;
}

int xero_oauth_callback_listen(unsigned port, struct xero_oauth_listener **out,
                               struct bs_error *err)
{
	struct xero_oauth_listener *l;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const union MHD_DaemonInfo *info;
	pthread_condattr_t ca;
	int rc = BS_OK;

	*out = NULL;
	if (port > 65535)
		return bs_error_set(err, BS_EINVAL, "port %u is out of range", port);
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	for (int i = 0; i < 4; i++)
		buf_init(&l->p[i], 8192);
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cond, &ca);
	pthread_condattr_destroy(&ca);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	l->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
	                        (uint16_t)port, NULL, NULL, cb_handler, l, MHD_OPTION_SOCK_ADDR,
	                        (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, cb_completed,
	                        l, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	                        MHD_OPTION_CONNECTION_LIMIT, (unsigned)16, MHD_OPTION_END);
	if (l->d == NULL) {
		rc = bs_error_set(err, BS_EIO, "cannot listen on 127.0.0.1:%u (in use?)", port);
		goto out;
	}
	info = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0) {
		rc = bs_error_set(err, BS_EIO, "cannot tell which port the listener got");
		goto out;
	}
	snprintf(l->redirect_uri, sizeof(l->redirect_uri), "http://127.0.0.1:%u/callback",
	         (unsigned)info->port);
	*out = l;
	l = NULL;
out:
	xero_oauth_callback_free(l);
	return rc;
}

const char *xero_oauth_callback_redirect_uri(const struct xero_oauth_listener *l)
{
	return l->redirect_uri;
}

int xero_oauth_callback_wait(struct xero_oauth_listener *l, const char *expected_state,
                             long timeout_ms, struct buf *code, struct bs_error *err)
{
	struct timespec dl;
	const char *v[4];
	int rc;

	deadline_in(&dl, timeout_ms > 0 ? timeout_ms : 0);
	pthread_mutex_lock(&l->lock);
	while (!l->arrived)
		if (pthread_cond_timedwait(&l->cond, &l->lock, &dl) == ETIMEDOUT)
			break;
	if (!l->arrived) {
		pthread_mutex_unlock(&l->lock);
		return bs_error_set(err, BS_ESTATE,
		                    "no browser came back to %s within %ld s: open the URL and "
		                    "approve, then try again",
		                    l->redirect_uri, timeout_ms / 1000);
	}
	for (int i = 0; i < 4; i++)
		v[i] = l->has[i] ? buf_cstr(&l->p[i]) : NULL;
	rc = judge(v[0], v[1], v[2], v[3], expected_state, code, err);
	l->verdict = rc == BS_OK ? V_OK : V_FAIL;
	pthread_cond_broadcast(&l->cond);
	/* let the page reach the browser before the caller frees the listener */
	deadline_in(&dl, 2000);
	while (!l->answered)
		if (pthread_cond_timedwait(&l->cond, &l->lock, &dl) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void xero_oauth_callback_free(struct xero_oauth_listener *l)
{
	if (l == NULL)
		return;
	if (l->d != NULL) {
		pthread_mutex_lock(&l->lock);
		l->closing = true;
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
		MHD_stop_daemon(l->d);
	}
	for (int i = 0; i < 4; i++)
		wipe(&l->p[i]);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
