/*
 * api_h_session.c - logging in and out of the dashboard, and the health
 * check (api_auth_int.h).  These routes need no scope: the core does not
 * authenticate them, so each handler looks at the credentials itself.
 *
 * Logging in wants a JSON body (Content-Type: application/json): a form
 * posted by another site cannot send that without the browser asking
 * first, so no other site can log a visitor in under its own account
 * ("login CSRF").  The cookie is HttpOnly, SameSite=Strict, Path=/, and
 * Secure when the request came over TLS.
 */
#include "api/api_auth_int.h"
#include "api/api_core_int.h"
#include "core/jsonw.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* {"user","csrf","scopes":[...]} */
static void who_json(struct http_resp *resp, const char *user, const char *csrf, unsigned scopes)
{
	static const char *const names[] = {"records:write", "read", "sync", "admin"};
	bool first = true;

	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addc(&resp->body, '{');
	jsonw_kv_str(&resp->body, 0, "user", user);
	jsonw_kv_str(&resp->body, 1, "csrf", csrf);
	buf_addstr(&resp->body, ",\"scopes\":[");
	for (unsigned i = 0; i < 4; i++) {
		if (!(scopes & (1u << i)))
			continue;
		if (!first)
			buf_addc(&resp->body, ',');
		jsonw_str(&resp->body, names[i]);
		first = false;
	}
	buf_addstr(&resp->body, "]}");
}

static void set_cookie(struct http_resp *resp, const struct http_req *req, const char *id,
                       int64_t max_age_s)
{
	char v[HTTP_HDR_VALUE];

	snprintf(v, sizeof(v), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
	         API_SESSION_COOKIE, id, (long long)max_age_s, req->tls ? "; Secure" : "");
	http_resp_header(resp, "Set-Cookie", v);
}

static bool is_json(const struct http_req *req)
{
	const char *ct = http_req_header(req, "Content-Type");

	return ct != NULL && strncasecmp(ct, "application/json", 16) == 0 &&
	       (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

/* o[key] when it is a string, else NULL. */
static const char *str_field(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void api_h_session_post(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	enum json_tokener_error jerr = json_tokener_success;
	json_object *o = NULL;
	const char *name, *password;
	struct bs_error err;
	struct buf id;
	char csrf[STORE_AUTH_CSRF_MAX], retry[32];
	int64_t retry_ms = 0;
	int rc;

	buf_init(&id, 256);
	bs_error_clear(&err);
	if (!is_json(req)) {
		api_error(resp, 415, NULL,
		          "send the login as JSON (Content-Type: application/json)");
		goto out;
	}
	o = json_tokener_parse_verbose(req->body, &jerr);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		api_error(resp, 400, NULL, "the body is not a JSON object: %s",
		          o == NULL ? json_tokener_error_desc(jerr) : "expected {...}");
		goto out;
	}
	name = str_field(o, "name");
	password = str_field(o, "password");
	if (name == NULL || name[0] == '\0') {
		api_error(resp, 400, "name", "give the user name as \"name\"");
		goto out;
	}
	if (password == NULL) {
		api_error(resp, 400, "password", "give the password as \"password\"");
		goto out;
	}
	rc = api_auth_login(c->st, c->now_ms, name, password, &retry_ms, &err);
	if (rc == BS_ELIMIT) {
		snprintf(retry, sizeof(retry), "%lld", (long long)((retry_ms + 999) / 1000));
		http_resp_header(resp, "Retry-After", retry);
		api_error(resp, 429, NULL, "%s", err.msg);
		goto out;
	}
	if (rc == BS_EAUTH) {
		api_error(resp, 401, NULL, "%s", err.msg);
		goto out;
	}
	if (rc == BS_OK)
		rc = api_auth_session_new(c->st, c->now_ms, name, &id, csrf, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	set_cookie(resp, req, buf_cstr(&id), API_SESSION_MS / 1000);
	who_json(resp, name, csrf,
	         API_SCOPE_RECORDS_WRITE | API_SCOPE_READ | API_SCOPE_SYNC | API_SCOPE_ADMIN);
out:
	json_object_put(o);
	buf_free(&id);
}

void api_h_session_get(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct api_auth a;
	struct bs_error err;
	int rc = api_auth_identify(c->st, c->now_ms, req, &a, &err);

	if (rc == BS_ENOTFOUND || rc == BS_EAUTH)
		api_error(resp, 401, NULL, "%s", err.msg);
	else if (rc != BS_OK)
		api_error_bs(resp, rc, &err);
	else
		who_json(resp, a.who.name, a.csrf, a.who.scopes);
}

void api_h_session_delete(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct api_auth a;
	struct bs_error err;
	int rc = api_auth_identify(c->st, c->now_ms, req, &a, &err);

	if (rc == BS_OK && a.who.session) {
		if (!api_auth_csrf_ok(&a, req)) {
			api_error(resp, 403, NULL, "missing or wrong X-CSRF-Token header");
			return;
		}
		rc = store_session_remove(c->st, a.session, &err);
		if (rc != BS_OK) {
			api_error_bs(resp, rc, &err);
			return;
		}
	} else if (rc != BS_OK && rc != BS_ENOTFOUND && rc != BS_EAUTH) {
		api_error_bs(resp, rc, &err);
		return;
	}
	/* no session (or a token): nothing to end, the cookie is cleared anyway */
	set_cookie(resp, req, "", 0);
	resp->status = 204;
	resp->content_type = NULL;
}

void api_h_healthz(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	(void)c;
	(void)req;
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"status\":\"ok\"}");
}
