/*
 * test_api_util.h - the fixture of the data endpoints' unit tests
 * (test_api_data.c, test_api_settings.c): a fresh store, a caller with
 * every scope, and call(), which hands a handler a request as the server
 * would and parses its JSON answer for the path helpers str/num/len.
 */
#ifndef BS_TEST_API_UTIL_H
#define BS_TEST_API_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/api_data_int.h"
#include "store/store.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fx {
	char dir[64], db[128];
	struct store *st;
	struct api_principal who;
	struct api_ctx c;
	struct http_resp resp;
	struct json_object *j; /* the last answer, parsed */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-apidata-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	if (store_open(f->db, STORE_OPEN_CREATE, &f->st, &err) != BS_OK)
		return -1;
	snprintf(f->who.name, sizeof(f->who.name), "tester");
	f->who.scopes = ~0u;
	f->c.st = f->st;
	f->c.db_path = f->db;
	f->c.who = &f->who;
	f->c.now_ms = 1764892800000; /* 2025-12-05T00:00:00Z */
	http_resp_init(&f->resp, BUF_MAX_DEFAULT);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	json_object_put(f->j);
	http_resp_free(&f->resp);
	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/*
 * Call handler fn with a request: `query` is "k=v&k=v" (not %-encoded:
 * the server decodes before handlers see it), `params` the path's {x}
 * segments.  The answer is parsed into f->j when it is JSON.
 */
static int call(struct fx *f, api_fn fn, const char *method, const char *query, const char *ctype,
                const char *body, const char *p0, const char *p1)
{
	struct http_kv q[16], h[2];
	char qs[1024];
	size_t nq = 0, nh = 0;

	memset(q, 0, sizeof(q));
	if (query != NULL) {
		char *save = NULL, *tok;

		snprintf(qs, sizeof(qs), "%s", query);
		for (tok = strtok_r(qs, "&", &save); tok != NULL && nq < 16;
		     tok = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(tok, '=');

			if (eq != NULL)
				*eq = '\0';
			q[nq].key = tok;
			q[nq].value = eq != NULL ? eq + 1 : "";
			nq++;
		}
	}
	if (ctype != NULL) {
		h[nh].key = strchr(ctype, ':') != NULL ? "Accept" : "Content-Type";
		h[nh].value = strchr(ctype, ':') != NULL ? strchr(ctype, ':') + 1 : ctype;
		nh++;
	}
	struct http_req req = {
	    .method = method,
	    .path = "/api/v1/x",
	    .query = q,
	    .nquery = nq,
	    .headers = h,
	    .nheaders = nh,
	    .body = body,
	    .body_len = body != NULL ? strlen(body) : 0,
	    .peer = "127.0.0.1",
	};

	f->c.param[0] = p0;
	f->c.param[1] = p1;
	f->c.nparam = p1 != NULL ? 2 : p0 != NULL ? 1 : 0;
	http_resp_free(&f->resp);
	http_resp_init(&f->resp, BUF_MAX_DEFAULT);
	fn(&f->c, &req, &f->resp);
	json_object_put(f->j);
	f->j = NULL;
	if (f->resp.content_type != NULL && strcmp(f->resp.content_type, "application/json") == 0)
		f->j = json_tokener_parse(buf_cstr(&f->resp.body));
	return f->resp.status;
}

static struct json_object *get(struct json_object *o, const char *path)
{
	char key[128];
	const char *p = path;

	while (o != NULL && *p != '\0') {
		size_t n = strcspn(p, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(key));
		else if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		p += n;
		if (*p == '.')
			p++;
	}
	return o;
}

static const char *str(struct fx *f, const char *path)
{
	struct json_object *o = get(f->j, path);

	return o != NULL && !json_object_is_type(o, json_type_null) ? json_object_get_string(o)
	                                                            : NULL;
}

static int64_t num(struct fx *f, const char *path)
{
	return json_object_get_int64(get(f->j, path));
}

static size_t len(struct fx *f, const char *path)
{
	struct json_object *o = get(f->j, path);

	return o != NULL && json_object_is_type(o, json_type_array) ? json_object_array_length(o)
	                                                            : (size_t)-1;
}

/* The error answer's status and param. */
static void assert_error(struct fx *f, int status, const char *param)
{
	assert_int_equal(f->resp.status, status);
	assert_non_null(f->j);
	assert_int_equal(num(f, "error.status"), status);
	assert_non_null(str(f, "error.message"));
	if (param != NULL)
		assert_string_equal(str(f, "error.param"), param);
}

#define CUST(id, name) "{\"kind\":\"customer\",\"id\":\"" id "\",\"name\":\"" name "\"}"
#define SALE(id, date, cust)                                                                       \
	"{\"kind\":\"sale\",\"id\":\"" id "\",\"date\":\"" date "\",\"reference\":\"R-" id         \
	"\",\"customer_id\":\"" cust "\",\"invoiced\":true,\"status\":\"invoiced\","               \
	"\"tax_mode\":\"exclusive\",\"lines\":[{\"sku\":\"X\",\"qty\":\"2\","                      \
	"\"unit_price\":\"10.25\",\"tax_rate\":\"15\",\"account\":\"200\"}]}"

static void post_ok(struct fx *f, const char *ctype, const char *body)
{
	assert_int_equal(call(f, api_h_records_post, "POST", NULL, ctype, body, NULL, NULL), 200);
	assert_non_null(f->j);
	if (num(f, "summary.rejected") != 0)
		fprintf(stderr, "%s\n", buf_cstr(&f->resp.body));
	assert_int_equal(num(f, "summary.rejected"), 0);
}

#endif
