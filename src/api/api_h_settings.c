/*
 * api_h_settings.c - GET and PUT /api/v1/settings: every setting `booksync
 * settings` covers, checked by the same catalogue (store/settings.h) with
 * the same messages (docs/openapi.yaml).
 *
 * A PUT carries several settings at once and is all or nothing: each is
 * checked against the others as they will be (settings_check_with, inside
 * one transaction), and the first bad one is a 400 naming its key, with
 * nothing saved.  Secrets (a key ending in "secret") are never sent back:
 * the answer says whether one is set.
 */
#include "api/api_data_int.h"

#include "core/jsonw.h"
#include "store/settings.h"
#include "store/store.h"

#include <json-c/json.h>
#include <limits.h>
#include <string.h>

static bool is_secret(const char *key)
{
	size_t n = strlen(key);

	return n >= 6 && strcmp(key + n - 6, "secret") == 0;
}

/* One item: key, value (null for a secret, or a family's pattern), its
 * default, whether the value is the default, help and choices. */
static int item(struct buf *b, bool comma, const struct settings_def *d, const char *key,
                const char *value, bool is_default)
{
	if (comma)
		buf_addc(b, ',');
	buf_addc(b, '{');
	jsonw_kv_str(b, 0, "key", key);
	buf_addstr(b, ",\"value\":");
	if (value == NULL || is_secret(key))
		buf_addstr(b, "null");
	else
		jsonw_str(b, value);
	buf_addstr(b, is_secret(key) ? ",\"secret\":true" : ",\"secret\":false");
	buf_addstr(b, value != NULL && value[0] != '\0' ? ",\"set\":true" : ",\"set\":false");
	jsonw_kv_str(b, 1, "default", d->def);
	buf_addstr(b, is_default ? ",\"is_default\":true" : ",\"is_default\":false");
	buf_addstr(b, strchr(key, '*') != NULL ? ",\"pattern\":true" : ",\"pattern\":false");
	jsonw_kv_str(b, 1, "help", d->help);
	buf_addstr(b, ",\"choices\":");
	if (d->choices != NULL) {
		const char *p = d->choices;
		bool first = true;

		buf_addc(b, '[');
		while (*p != '\0') {
			const char *bar = strchr(p, '|');
			size_t n = bar != NULL ? (size_t)(bar - p) : strlen(p);

			if (!first)
				buf_addc(b, ',');
			first = false;
			jsonw_strn(b, p, n);
			p += n;
			if (*p == '|')
				p++;
		}
		buf_addc(b, ']');
	} else {
		buf_addstr(b, "null");
	}
	return buf_addc(b, '}');
}

struct fam {
	struct buf *out;
	const struct settings_def *def;
	size_t *n;
};

/* The stored members of a family (tax.sales.15 of tax.sales.*). */
static int fam_cb(void *arg, const char *key, const char *value)
{
	struct fam *f = arg;

	if (settings_find(key) != f->def || strcmp(key, f->def->key) == 0)
		return 0;
	item(f->out, (*f->n)++ > 0, f->def, key, value, false);
	return 0;
}

/* The whole list into resp (200), in the catalogue's order. */
static void answer_list(struct api_ctx *c, struct http_resp *resp)
{
	const struct settings_def *defs;
	struct bs_error err;
	struct buf v;
	size_t n, count = 0;
	int rc = BS_OK;

	buf_init(&v, 64 * 1024);
	bs_error_clear(&err);
	defs = settings_all(&n);
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	for (size_t i = 0; i < n && rc == BS_OK; i++) {
		struct fam f = {&resp->body, &defs[i], &count};
		bool family_only = defs[i].key[strlen(defs[i].key) - 1] == '*';

		if (family_only) {
			item(&resp->body, count++ > 0, &defs[i], defs[i].key, NULL, true);
			rc = store_settings_each(c->st, fam_cb, &f, &err);
			continue;
		}
		rc = store_setting_get(c->st, defs[i].key, &v, &err);
		if (rc == BS_ENOTFOUND) {
			buf_reset(&v);
			buf_addstr(&v, defs[i].def);
			item(&resp->body, count++ > 0, &defs[i], defs[i].key, buf_cstr(&v), true);
			rc = BS_OK;
		} else if (rc == BS_OK) {
			item(&resp->body, count++ > 0, &defs[i], defs[i].key, buf_cstr(&v), false);
		}
		if (rc == BS_OK && settings_is_family(&defs[i]))
			rc = store_settings_each(c->st, fam_cb, &f, &err);
	}
	if (rc != BS_OK)
		api_error_bs(resp, rc, &err);
	else if (buf_addstr(&resp->body, "]}") != BS_OK)
		api_error(resp, 500, NULL, "the answer is too large");
	buf_free(&v);
}

void api_h_settings_get(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	(void)req;
	answer_list(c, resp);
}

/*
 * Body: {"key": "value", ...}; a null value returns the key to its
 * default (as `settings --unset`).  Answers the whole list as GET does.
 */
void api_h_settings_put(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct json_tokener *tok = NULL;
	struct json_object *obj = NULL;
	struct bs_error err;
	struct buf dv;
	bool in_tx = false;
	int rc;

	buf_init(&dv, 64 * 1024);
	bs_error_clear(&err);
	tok = json_tokener_new();
	if (tok == NULL) {
		api_error(resp, 500, NULL, "out of memory");
		goto out;
	}
	if (req->body_len > 0 && req->body_len < INT_MAX)
		obj = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
	if (obj != NULL) {
		size_t end = json_tokener_get_parse_end(tok);

		while (end < req->body_len && strchr(" \t\r\n", req->body[end]) != NULL)
			end++;
		if (end != req->body_len) {
			json_object_put(obj);
			obj = NULL;
		}
	}
	if (obj == NULL) {
		api_error(resp, 400, NULL,
		          "the body must be a JSON object of settings: "
		          "{\"account.sales\": \"200\"}");
		goto out;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		api_error(resp, 400, NULL, "the body must be a JSON object of settings");
		goto out;
	}
	/* the catalogue's word on each, before the store is touched */
	json_object_object_foreach(obj, key, val)
	{
		const char *text = json_object_get_string(val);

		if (settings_find(key) == NULL) {
			settings_check(key, "", &err);
			api_error(resp, 400, key, "%s", err.msg[0] ? err.msg : "unknown setting");
			goto out;
		}
		if (val != NULL && !json_object_is_type(val, json_type_string) &&
		    !json_object_is_type(val, json_type_int) &&
		    !json_object_is_type(val, json_type_boolean) &&
		    !json_object_is_type(val, json_type_double)) {
			api_error(resp, 400, key, "%s: give the value as a string, or null", key);
			goto out;
		}
		if (val != NULL && settings_check(key, text, &err) != BS_OK) {
			api_error(resp, 400, key, "%s", err.msg);
			goto out;
		}
	}
	if ((rc = store_begin(c->st, &err)) != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	in_tx = true;
	json_object_object_foreach(obj, key2, val2)
	{
		const struct settings_def *d = settings_find(key2);

		if (val2 == NULL) {
			/* back to the default: checked as a change to it */
			rc = BS_OK;
			if (strcmp(d->key, key2) != 0 && strchr(d->key, '*')[1] != '\0' &&
			    settings_get(c->st, d->key, &dv, &err) == BS_OK)
				rc = settings_check_with(c->st, key2, buf_cstr(&dv), &err);
			if (rc == BS_OK)
				rc = store_setting_unset(c->st, key2, &err);
		} else {
			const char *text = json_object_get_string(val2);

			rc = settings_check_with(c->st, key2, text, &err);
			if (rc == BS_OK)
				rc = store_setting_set(c->st, key2, text, &err);
		}
		if (rc == BS_EINVAL || rc == BS_ENOTFOUND) {
			api_error(resp, 400, key2, "%s", err.msg);
			goto out;
		}
		if (rc != BS_OK) {
			api_error_bs(resp, rc, &err);
			goto out;
		}
	}
	rc = store_commit(c->st, &err);
	in_tx = false;
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	answer_list(c, resp);
out:
	if (in_tx)
		store_rollback(c->st);
	json_object_put(obj);
	if (tok != NULL)
		json_tokener_free(tok);
	buf_free(&dv);
}
