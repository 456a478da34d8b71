/*
 * api_h_users.c - the dashboard's users over the API (scope "admin"):
 * list, add, remove; the same rules as `booksync user` (api_auth.h).
 */
#include "api/api_auth.h"
#include "api/api_auth_int.h"
#include "core/jsonw.h"
#include "store/store_auth.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int user_row(void *arg, const char *name, int64_t created_ms)
{
	struct buf *b = arg;
	time_t t = (time_t)(created_ms / 1000);
	struct tm tm;
	char when[32];

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (b->ptr[b->len - 1] != '[')
		buf_addc(b, ',');
	buf_addc(b, '{');
	jsonw_kv_str(b, 0, "name", name);
	jsonw_kv_str(b, 1, "created_at", when);
	return buf_addc(b, '}');
}

void api_h_users_list(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct bs_error err;
	int rc;

	(void)req;
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	rc = store_users_each(c->st, user_row, &resp->body, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		return;
	}
	buf_addstr(&resp->body, "],\"next\":null}");
}

void api_h_users_add(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	enum json_tokener_error jerr = json_tokener_success;
	json_object *o = json_tokener_parse_verbose(req->body, &jerr);
	json_object *name = NULL, *pw = NULL;
	struct bs_error err;
	int rc;

	bs_error_clear(&err);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		api_error(resp, 400, NULL, "the body is not a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(o, "name", &name) ||
	    !json_object_is_type(name, json_type_string)) {
		api_error(resp, 400, "name", "give the user name as \"name\"");
		goto out;
	}
	if (!json_object_object_get_ex(o, "password", &pw) ||
	    !json_object_is_type(pw, json_type_string)) {
		api_error(resp, 400, "password", "give the password as \"password\"");
		goto out;
	}
	rc = api_user_add(c->st, json_object_get_string(name), json_object_get_string(pw),
	                  c->now_ms, &err);
	if (rc == BS_EINVAL) {
		api_error(resp, 400, strstr(err.msg, "password") ? "password" : "name", "%s",
		          err.msg);
		goto out;
	}
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	api_json(resp, 201);
	buf_reset(&resp->body);
	buf_addc(&resp->body, '{');
	jsonw_kv_str(&resp->body, 0, "name", json_object_get_string(name));
	buf_addc(&resp->body, '}');
out:
	json_object_put(o);
}

void api_h_users_remove(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct bs_error err;
	int rc;

	(void)req;
	bs_error_clear(&err);
	if (!store_auth_name_ok(c->param[0])) {
		api_error(resp, 404, NULL, "no such user");
		return;
	}
	rc = store_user_remove(c->st, c->param[0], &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		return;
	}
	resp->status = 204;
	resp->content_type = NULL;
}
