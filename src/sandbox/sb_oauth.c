/*
 * sb_oauth.c - the sandbox's OAuth 2.0 identity server: an authorisation
 * endpoint that approves at once and redirects back, and a token endpoint
 * for the authorization_code and refresh_token grants, with the ledger's
 * token lifetimes (sb->tok_*_ms; Xero: access 30 min, refresh 60 days
 * unused; QBO: access 1 hour, refresh 100 days), rotation on every refresh
 * with a 30-minute grace for the replaced token, and (QBO) revocation.
 * The two ledgers differ in form only: QBO's redirect carries realmId, its
 * token reply always has a refresh token and x_refresh_token_expires_in.
 *
 * Access and id tokens are JWT-shaped (HS256 with a per-sandbox key) so SDKs
 * that decode them find the claims they expect; the sandbox itself only
 * looks them up in its token table.
 */
#include "core/buf.h"
#include "sandbox/sb_int.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE_MS     (INT64_C(5) * 60 * 1000)
#define CODE_MIN_MS (INT64_C(60) * 1000) /* the floor of a time-scaled code's life */

void sb_token_free(void *p)
{
	free(p);
}

/* The next scope of a list separated by spaces or '+' (as a form may
 * leave them): its start, length in *len, or NULL at the end; *p moves on. */
static const char *scope_next(const char **p, size_t *len)
{
	const char *s = *p;

	while (*s == ' ' || *s == '+')
		s++;
	*len = strcspn(s, " +");
	*p = s + *len;
	return *len > 0 ? s : NULL;
}

bool sb_scope_has(const char *list, const char *scope)
{
	size_t n = strlen(scope), len;
	const char *p = list, *s;

	while (p != NULL && (s = scope_next(&p, &len)) != NULL)
		if (len == n && strncmp(s, scope, n) == 0)
			return true;
	return false;
}

static void random_hex(char *out, size_t nbytes)
{
	uint8_t b[64];

	if (nbytes > sizeof(b))
		nbytes = sizeof(b);
	randombytes_buf(b, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, b, nbytes);
}

static int b64url(struct buf *b, const void *p, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *tmp = malloc(cap);
	int rc;

	if (tmp == NULL)
		return BS_ENOMEM;
	sodium_bin2base64(tmp, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	rc = buf_addstr(b, tmp);
	free(tmp);
	return rc;
}

/* header.payload.signature */
static int jwt_make(struct sandbox *sb, json_object *claims, struct buf *out)
{
	static const char hdr[] = "{\"alg\":\"HS256\",\"kid\":\"sandbox\",\"typ\":\"JWT\"}";
	const char *pl = json_object_to_json_string_ext(claims, JSON_C_TO_STRING_PLAIN |
	                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	int rc;

	buf_reset(out);
	rc = b64url(out, hdr, strlen(hdr));
	if (rc == BS_OK)
		rc = buf_addc(out, '.');
	if (rc == BS_OK)
		rc = b64url(out, pl, strlen(pl));
	if (rc != BS_OK)
		return rc;
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, sb->jwt_key, sizeof(sb->jwt_key));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)out->ptr, out->len);
	crypto_auth_hmacsha256_final(&st, mac);
	rc = buf_addc(out, '.');
	if (rc == BS_OK)
		rc = b64url(out, mac, sizeof(mac));
	return rc;
}

void sb_token_persist(struct sandbox *sb, const char *key, const struct sb_token *t)
{
	json_object *o;

	if (sb->db == NULL)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_int((int)t->kind));
	sb_jset_str(o, "client", t->client);
	sb_jset_str(o, "scope", t->scope);
	if (t->realm[0] != '\0')
		sb_jset_str(o, "realm", t->realm);
	json_object_object_add(o, "expires", json_object_new_int64(t->expires_ms));
	json_object_object_add(o, "rotated", json_object_new_int64(t->rotated_ms));
	sb_state_put(sb, "token", key, json_object_to_json_string(o));
	json_object_put(o);
}

static struct sb_token *token_add(struct sandbox *sb, const char *key, enum sb_tok_kind kind,
                                  const char *client, const char *scope, const char *realm,
                                  int64_t expires)
{
	struct sb_token *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->kind = kind;
	snprintf(t->client, sizeof(t->client), "%s", client);
	snprintf(t->scope, sizeof(t->scope), "%s", scope);
	snprintf(t->realm, sizeof(t->realm), "%s", realm != NULL ? realm : "");
	t->expires_ms = expires;
	if (sb_map_put(&sb->tokens, key, t) != BS_OK) {
		free(t);
		return NULL;
	}
	if (kind != SBT_CODE)
		sb_token_persist(sb, key, t);
	return t;
}

static json_object *scope_array(const char *scope)
{
	json_object *arr = json_object_new_array();
	const char *p = scope, *s;
	size_t len;

	while ((s = scope_next(&p, &len)) != NULL)
		json_object_array_add(arr, json_object_new_string_len(s, (int)len));
	return arr;
}

/* Drop tokens that can never be used again, so a long run stays small. */
static void token_sweep(struct sandbox *sb, int64_t now)
{
	for (size_t i = 0; i < sb->tokens.cap; i++) {
		struct sb_token *t;
		bool dead;

		if (!sb_map_live(&sb->tokens, i))
			continue;
		t = sb->tokens.ents[i].val;
		dead = t->expires_ms <= now ||
		       (t->rotated_ms != 0 &&
		        t->rotated_ms + sb->tok_grace_ms / sb->time_scale <= now);
		if (dead) {
			if (t->kind != SBT_CODE)
				sb_state_del(sb, "token", sb->tokens.ents[i].key);
			free(sb_map_del(&sb->tokens, sb->tokens.ents[i].key));
		}
	}
}

/* Issue an access token (+ id token, + refresh token with offline_access). */
int sb_token_issue(struct sandbox *sb, const char *client, const char *scope, const char *realm,
                   struct buf *json)
{
	int64_t now = sb_now(sb), secs = now / 1000;
	/* --limits time-scale=N shortens every lifetime N times (tests) */
	int64_t access_ms = sb->tok_access_ms / sb->time_scale;
	json_object *claims = json_object_new_object(), *resp = json_object_new_object();
	bool qbo = sb->ledger == SANDBOX_QBO;
	struct buf at, idt;
	char jti[40], sid[40], refresh[80];
	int rc;

	if (sb->tokens.n > 0 && sb->tokens.n % 256 == 0)
		token_sweep(sb, now);
	buf_init(&at, 8192);
	buf_init(&idt, 8192);
	sb_uuid(jti);
	sb_uuid(sid);
	json_object_object_add(claims, "nbf", json_object_new_int64(secs));
	json_object_object_add(claims, "exp", json_object_new_int64(secs + access_ms / 1000));
	sb_jset_str(claims, "iss", sb->url);
	sb_jset_str(claims, "aud", "sandbox/resources");
	sb_jset_str(claims, "client_id", client);
	sb_jset_str(claims, "sub", "sandbox-user");
	json_object_object_add(claims, "auth_time", json_object_new_int64(secs));
	sb_jset_str(claims, "xero_userid", "00000000-0000-4000-8000-000000000001");
	sb_jset_str(claims, "global_session_id", sid);
	sb_jset_str(claims, "sid", sid);
	sb_jset_str(claims, "jti", jti);
	sb_jset_str(claims, "authentication_event_id", sid);
	json_object_object_add(claims, "scope", scope_array(scope));
	rc = jwt_make(sb, claims, &at);
	json_object_put(claims);
	if (rc != BS_OK)
		goto out;
	claims = json_object_new_object();
	json_object_object_add(claims, "nbf", json_object_new_int64(secs));
	json_object_object_add(claims, "exp", json_object_new_int64(secs + 300));
	sb_jset_str(claims, "iss", sb->url);
	sb_jset_str(claims, "aud", client);
	json_object_object_add(claims, "iat", json_object_new_int64(secs));
	sb_jset_str(claims, "sub", "sandbox-user");
	json_object_object_add(claims, "auth_time", json_object_new_int64(secs));
	sb_jset_str(claims, "xero_userid", "00000000-0000-4000-8000-000000000001");
	sb_jset_str(claims, "global_session_id", sid);
	sb_jset_str(claims, "sid", sid);
	sb_jset_str(claims, "preferred_username", "sandbox@example.com");
	sb_jset_str(claims, "email", "sandbox@example.com");
	sb_jset_str(claims, "given_name", "Sandbox");
	sb_jset_str(claims, "family_name", "User");
	sb_jset_str(claims, "name", "Sandbox User");
	rc = jwt_make(sb, claims, &idt);
	json_object_put(claims);
	if (rc != BS_OK)
		goto out;
	if (token_add(sb, buf_cstr(&at), SBT_ACCESS, client, scope, realm, now + access_ms) ==
	    NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	if (qbo)
		sb_jset_str(resp, "token_type", "bearer");
	if (!qbo || sb_scope_has(scope, "openid"))
		sb_jset_str(resp, "id_token", buf_cstr(&idt));
	sb_jset_str(resp, "access_token", buf_cstr(&at));
	json_object_object_add(resp, "expires_in",
	                       json_object_new_int64(access_ms >= 1000 ? access_ms / 1000 : 1));
	if (!qbo)
		sb_jset_str(resp, "token_type", "Bearer");
	/* QBO hands out a refresh token with every grant; Xero with offline_access */
	if (qbo || sb_scope_has(scope, "offline_access")) {
		int64_t refresh_ms = sb->tok_refresh_ms / sb->time_scale;

		random_hex(refresh, 32);
		if (token_add(sb, refresh, SBT_REFRESH, client, scope, realm, now + refresh_ms) ==
		    NULL) {
			rc = BS_ENOMEM;
			goto out;
		}
		sb_jset_str(resp, "refresh_token", refresh);
		if (qbo)
			json_object_object_add(resp, "x_refresh_token_expires_in",
			                       json_object_new_int64(refresh_ms / 1000));
	}
	if (!qbo)
		sb_jset_str(resp, "scope", scope);
	buf_reset(json);
	rc = buf_addstr(json, json_object_to_json_string_ext(
	                          resp, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(resp);
	buf_free(&at);
	buf_free(&idt);
	return rc;
}

int sandbox_issue_token(struct sandbox *sb, const char *scope, char *tok, size_t toklen)
{
	struct buf b;
	json_object *o;
	int rc;

	buf_init(&b, 0);
	pthread_mutex_lock(&sb->lock);
	rc = sb_token_issue(sb, "sandbox-test", scope, NULL, &b); /* any company */
	pthread_mutex_unlock(&sb->lock);
	if (rc == BS_OK) {
		o = json_tokener_parse(buf_cstr(&b));
		const char *at = sb_jstr(o, "access_token");

		if (at == NULL)
			rc = BS_EINTERNAL;
		else if (strlen(at) >= toklen)
			rc = BS_ETOOBIG;
		else
			memcpy(tok, at, strlen(at) + 1);
		json_object_put(o);
	}
	buf_free(&b);
	return rc;
}

struct sb_token *sb_oauth_check(struct sandbox *sb, const char *authz)
{
	struct sb_token *t;

	if (authz == NULL || strncasecmp(authz, "Bearer ", 7) != 0)
		return NULL;
	authz += 7;
	while (*authz == ' ')
		authz++;
	t = sb_map_get(&sb->tokens, authz);
	if (t == NULL || t->kind != SBT_ACCESS)
		return NULL;
	if (t->expires_ms <= sb_now(sb))
		return NULL;
	return t;
}

/* ---- form and URL encoding ---- */

/* %-decode s[0..n) ('+' is a space) into a fresh string. */
static char *form_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t j = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[j++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && buf_hexval((unsigned char)s[i + 1]) >= 0 &&
		           buf_hexval((unsigned char)s[i + 2]) >= 0) {
			out[j++] = (char)(buf_hexval((unsigned char)s[i + 1]) * 16 +
			                  buf_hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
}

/* The value of `key` in a form body, decoded (caller frees), or NULL. */
static char *form_get(const char *body, size_t len, const char *key)
{
	size_t kn = strlen(key);
	const char *p = body, *end = body + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *eq;

		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && (size_t)(eq - p) == kn && memcmp(p, key, kn) == 0)
			return form_decode(eq + 1, (size_t)(amp - eq - 1));
		p = amp + 1;
	}
	return NULL;
}

static int url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = BS_OK;

	for (; *s && rc == BS_OK; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			rc = buf_addc(b, (char)c);
		} else {
			char t[3] = {'%', hex[c >> 4], hex[c & 15]};

			rc = buf_add(b, t, 3);
		}
	}
	return rc;
}

static bool client_ok(struct sandbox *sb, const char *id, const char *secret)
{
	if (id == NULL || id[0] == '\0')
		return false;
	if (sb->nclients == 0)
		return true;
	for (size_t i = 0; i < sb->nclients; i++) {
		const char *c = sb->clients[i];
		size_t n = strlen(id);

		if (strncmp(c, id, n) == 0 && c[n] == ':' &&
		    (secret == NULL || strcmp(c + n + 1, secret) == 0))
			return true;
	}
	return false;
}

void sb_oauth_authorize(struct sandbox *sb, const struct sandbox_request *req,
                        struct sandbox_response *resp)
{
	const char *client = sb_query(req, "client_id");
	const char *redirect = sb_query(req, "redirect_uri");
	const char *scope = sb_query(req, "scope");
	const char *state = sb_query(req, "state");
	const char *rtype = sb_query(req, "response_type");
	/* QBO: the company picked (booksync connect qbo --tenant ID), as a
	 * person picks it on Intuit's page; absent: the default company */
	const char *realm = sb_query(req, "realmId");
	char code[80];
	struct sb_token *t;
	struct buf loc;

	if (redirect == NULL || strncmp(redirect, "http", 4) != 0) {
		sb_resp_text(resp, 400, "text/plain",
		             "invalid_request: redirect_uri is required\n");
		return;
	}
	if (rtype != NULL && strcmp(rtype, "code") != 0) {
		sb_resp_text(resp, 400, "text/plain", "unsupported_response_type\n");
		return;
	}
	if (!client_ok(sb, client, NULL)) {
		sb_resp_text(resp, 400, "text/plain", "unauthorized_client\n");
		return;
	}
	if (scope == NULL)
		scope = "";
	if (sb->ledger != SANDBOX_QBO || realm == NULL || realm[0] == '\0')
		realm = sb->ledger == SANDBOX_QBO ? sb->default_tenant : NULL;
	else if (!qbo_has_realm(sb, realm)) {
		sb_resp_text(resp, 400, "text/plain",
		             "invalid_request: no company with that realmId\n");
		return;
	}
	random_hex(code, 24);
	/* A code is exchanged at once, so its life is not time-scaled below a
	 * minute: at time-scale 600 five minutes would be half a second, and a
	 * loaded test machine loses the race between redirect and exchange. */
	t = token_add(sb, code, SBT_CODE, client, scope, realm,
	              sb_now(sb) + (CODE_MS / sb->time_scale > CODE_MIN_MS
	                                ? CODE_MS / sb->time_scale
	                                : CODE_MIN_MS));
	if (t == NULL) {
		sb_resp_text(resp, 500, "text/plain", "out of memory\n");
		return;
	}
	snprintf(t->redirect, sizeof(t->redirect), "%s", redirect);
	/* authorising connects every tenant again (after DELETE /connections) */
	for (size_t i = 0; i < sb->ntenants; i++) {
		if (!sb->tenants[i]->connected) {
			sb->tenants[i]->connected = true;
			sb_state_save_tenant(sb, sb->tenants[i]);
		}
	}
	buf_init(&loc, SANDBOX_HDR_VALUE - 1);
	if (sb->ledger == SANDBOX_QBO) {
		/* Intuit: code, state and the company's realmId */
		if (buf_addstr(&loc, redirect) != BS_OK ||
		    buf_addstr(&loc, strchr(redirect, '?') ? "&code=" : "?code=") != BS_OK ||
		    buf_addstr(&loc, code) != BS_OK ||
		    (state != NULL &&
		     (buf_addstr(&loc, "&state=") != BS_OK || url_encode(&loc, state) != BS_OK)) ||
		    buf_addstr(&loc, "&realmId=") != BS_OK || buf_addstr(&loc, realm) != BS_OK)
			goto too_long;
	} else if (buf_addstr(&loc, redirect) != BS_OK ||
	           buf_addstr(&loc, strchr(redirect, '?') ? "&code=" : "?code=") != BS_OK ||
	           buf_addstr(&loc, code) != BS_OK || buf_addstr(&loc, "&scope=") != BS_OK ||
	           url_encode(&loc, scope) != BS_OK ||
	           (state != NULL &&
	            (buf_addstr(&loc, "&state=") != BS_OK || url_encode(&loc, state) != BS_OK)) ||
	           buf_addstr(&loc, "&session_state=sandbox") != BS_OK) {
		goto too_long;
	}
	sb_resp_text(resp, 302, "text/plain", "");
	sb_resp_header(resp, "Location", "%s", buf_cstr(&loc));
	buf_free(&loc);
	return;
too_long:
	buf_free(&loc);
	sb_resp_text(resp, 400, "text/plain", "invalid_request: redirect too long\n");
}

static void oauth_error(struct sandbox_response *resp, const char *err)
{
	char body[96];

	snprintf(body, sizeof(body), "{\"error\":\"%s\"}", err);
	sb_resp_text(resp, 400, "application/json", body);
}

void sb_oauth_token(struct sandbox *sb, const struct sandbox_request *req,
                    struct sandbox_response *resp)
{
	char *grant = NULL, *id = NULL, *secret = NULL, *code = NULL, *refresh = NULL,
	     *redirect = NULL;
	const char *authz = sb_header(req, "Authorization");
	struct sb_token *t;
	int64_t now = sb_now(sb);
	char client[128], scope[512], realm[24];

	if (strcmp(req->method, "POST") != 0) {
		sb_resp_text(resp, 405, "text/plain", "POST only\n");
		return;
	}
	grant = form_get(req->body, req->body_len, "grant_type");
	if (authz != NULL && strncasecmp(authz, "Basic ", 6) == 0) {
		uint8_t raw[512];
		size_t rawlen = 0;
		const char *b64 = authz + 6;

		if (sodium_base642bin(raw, sizeof(raw) - 1, b64, strlen(b64), " ", &rawlen, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) == 0) {
			char *colon;

			raw[rawlen] = '\0';
			colon = memchr(raw, ':', rawlen);
			if (colon != NULL && memchr(raw, '\0', rawlen) == NULL) {
				*colon = '\0';
				id = strdup((char *)raw);
				secret = strdup(colon + 1);
			}
		}
	}
	if (id == NULL) {
		free(secret); /* a half-read Basic header (one strdup failed) */
		id = form_get(req->body, req->body_len, "client_id");
		secret = form_get(req->body, req->body_len, "client_secret");
	}
	if (grant == NULL) {
		oauth_error(resp, "unsupported_grant_type");
		goto out;
	}
	if (!client_ok(sb, id, secret ? secret : "")) {
		oauth_error(resp, "invalid_client");
		goto out;
	}
	if (strcmp(grant, "authorization_code") == 0) {
		code = form_get(req->body, req->body_len, "code");
		redirect = form_get(req->body, req->body_len, "redirect_uri");
		t = code ? sb_map_get(&sb->tokens, code) : NULL;
		if (t == NULL || t->kind != SBT_CODE || t->expires_ms <= now ||
		    strcmp(t->client, id) != 0 ||
		    (redirect != NULL && strcmp(redirect, t->redirect) != 0)) {
			oauth_error(resp, "invalid_grant");
			goto out;
		}
		snprintf(scope, sizeof(scope), "%s", t->scope);
		snprintf(realm, sizeof(realm), "%s", t->realm);
		free(sb_map_del(&sb->tokens, code)); /* single use */
	} else if (strcmp(grant, "refresh_token") == 0) {
		refresh = form_get(req->body, req->body_len, "refresh_token");
		t = refresh ? sb_map_get(&sb->tokens, refresh) : NULL;
		if (t == NULL || t->kind != SBT_REFRESH || t->expires_ms <= now ||
		    strcmp(t->client, id) != 0 ||
		    (t->rotated_ms != 0 &&
		     t->rotated_ms + sb->tok_grace_ms / sb->time_scale <= now)) {
			oauth_error(resp, "invalid_grant");
			goto out;
		}
		snprintf(scope, sizeof(scope), "%s", t->scope);
		snprintf(realm, sizeof(realm), "%s", t->realm);
		if (t->rotated_ms == 0) {
			t->rotated_ms = now;
			sb_token_persist(sb, refresh, t);
		}
	} else {
		oauth_error(resp, "unsupported_grant_type");
		goto out;
	}
	snprintf(client, sizeof(client), "%s", id);
	if (sb_token_issue(sb, client, scope, realm, &resp->body) != BS_OK) {
		sb_resp_text(resp, 500, "application/json", "{\"error\":\"server_error\"}");
		goto out;
	}
	resp->status = 200;
	resp->content_type = "application/json";
out:
	free(grant);
	free(id);
	if (secret)
		sodium_memzero(secret, strlen(secret));
	free(secret);
	free(code);
	free(refresh);
	free(redirect);
}

/*
 * Revoke a refresh or access token (Intuit's revoke endpoint): the body is
 * JSON {"token": T} (or a form token=T), the client authenticates as for
 * the token endpoint.  Revoking a refresh token ends the grant: every access
 * token of that client, scope and company goes too.  An unknown token is answered
 * 200 like a known one (RFC 7009 §2.2).
 */
void sb_oauth_revoke(struct sandbox *sb, const struct sandbox_request *req,
                     struct sandbox_response *resp)
{
	json_object *in = NULL;
	char *tok = NULL;
	struct sb_token *t;

	if (strcmp(req->method, "POST") != 0) {
		sb_resp_text(resp, 405, "text/plain", "POST only\n");
		return;
	}
	if (req->body_len > 0 && req->body[0] == '{') {
		in = json_tokener_parse(req->body);
		if (sb_jstr(in, "token") != NULL)
			tok = strdup(sb_jstr(in, "token"));
	} else {
		tok = form_get(req->body, req->body_len, "token");
	}
	if (tok == NULL || tok[0] == '\0') {
		oauth_error(resp, "invalid_request");
		goto out;
	}
	t = sb_map_get(&sb->tokens, tok);
	if (t != NULL && t->kind == SBT_REFRESH) {
		char client[128], scope[512], realm[24];

		snprintf(client, sizeof(client), "%s", t->client);
		snprintf(scope, sizeof(scope), "%s", t->scope);
		snprintf(realm, sizeof(realm), "%s", t->realm);
		for (size_t i = 0; i < sb->tokens.cap; i++) {
			struct sb_token *a;

			if (!sb_map_live(&sb->tokens, i))
				continue;
			a = sb->tokens.ents[i].val;
			if (a->kind == SBT_ACCESS && strcmp(a->client, client) == 0 &&
			    strcmp(a->scope, scope) == 0 && strcmp(a->realm, realm) == 0) {
				sb_state_del(sb, "token", sb->tokens.ents[i].key);
				free(sb_map_del(&sb->tokens, sb->tokens.ents[i].key));
			}
		}
	}
	if (t != NULL && t->kind != SBT_CODE) {
		sb_state_del(sb, "token", tok);
		free(sb_map_del(&sb->tokens, tok));
	}
	sb_resp_text(resp, 200, "application/json", "");
out:
	json_object_put(in);
	free(tok);
}
