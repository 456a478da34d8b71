/*
 * test_sandbox_util.h - shared by the test_sandbox_*.c cmocka tests: start
 * an in-process sandbox and talk to it over loopback HTTP with libcurl.
 * Header-only (static functions) because each test is its own executable.
 */
#ifndef TEST_SANDBOX_UTIL_H
#define TEST_SANDBOX_UTIL_H

#include "core/buf.h"
#include "sandbox/sandbox.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

struct tc {
	struct sandbox *sb;
	char url[128];
	char token[4096];
	char tenant[64];
	CURL *curl;
	struct buf body;
	struct buf headers;
	long status;
	json_object *json; /* last response parsed, or NULL */
};

/* A fake clock the tests move by hand. */
struct fake_clock {
	int64_t now_ms;
};

static inline int64_t fake_now(void *ctx)
{
	return __atomic_load_n(&((struct fake_clock *)ctx)->now_ms, __ATOMIC_SEQ_CST);
}

static inline size_t tc_write(char *p, size_t sz, size_t n, void *ud)
{
	return buf_add(ud, p, sz * n) == BS_OK ? sz * n : 0;
}

/* Start a sandbox with cfg (NULL = defaults, limits off) and take a token
 * with `scope` (NULL = broad scopes + offline_access). */
static inline int tc_start(struct tc *t, const struct sandbox_config *cfg, const char *scope)
{
	struct sandbox_config dflt;
	struct bs_error err;

	memset(t, 0, sizeof(*t));
	memset(&dflt, 0, sizeof(dflt));
	dflt.limits = "off";
	if (sandbox_start(cfg ? cfg : &dflt, &t->sb, &err) != BS_OK) {
		fprintf(stderr, "sandbox_start: %s\n", err.msg);
		return -1;
	}
	snprintf(t->url, sizeof(t->url), "%s", sandbox_url(t->sb));
	snprintf(t->tenant, sizeof(t->tenant), "%s", sandbox_default_tenant(t->sb));
	if (sandbox_issue_token(t->sb,
	                        scope ? scope
	                              : "openid profile email accounting.transactions "
	                                "accounting.contacts accounting.settings offline_access",
	                        t->token, sizeof(t->token)) != BS_OK)
		return -1;
	t->curl = curl_easy_init();
	buf_init(&t->body, 0);
	buf_init(&t->headers, 0);
	return t->curl ? 0 : -1;
}

static inline void tc_stop(struct tc *t)
{
	json_object_put(t->json);
	t->json = NULL;
	if (t->curl)
		curl_easy_cleanup(t->curl);
	buf_free(&t->body);
	buf_free(&t->headers);
	sandbox_stop(t->sb);
}

/*
 * One request.  `path` is appended to the base URL (may carry a query);
 * `extra` is a NULL-terminated list of "Header: value" strings or NULL.
 * auth = false sends no Authorization / xero-tenant-id headers.
 * Returns the HTTP status (0 when the connection failed).
 */
static inline long tc_req(struct tc *t, const char *method, const char *path, const char *body,
                          const char *const *extra, bool auth)
{
	char url[2048], h1[4200], h2[128];
	struct curl_slist *h = NULL;
	CURLcode rc;

	json_object_put(t->json);
	t->json = NULL;
	buf_reset(&t->body);
	buf_reset(&t->headers);
	snprintf(url, sizeof(url), "%s%s", t->url, path);
	curl_easy_reset(t->curl);
	curl_easy_setopt(t->curl, CURLOPT_URL, url);
	curl_easy_setopt(t->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(t->curl, CURLOPT_WRITEFUNCTION, tc_write);
	curl_easy_setopt(t->curl, CURLOPT_WRITEDATA, &t->body);
	curl_easy_setopt(t->curl, CURLOPT_HEADERFUNCTION, tc_write);
	curl_easy_setopt(t->curl, CURLOPT_HEADERDATA, &t->headers);
	curl_easy_setopt(t->curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(t->curl, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		h = curl_slist_append(h, "Content-Type: application/json");
	}
	if (auth) {
		snprintf(h1, sizeof(h1), "Authorization: Bearer %s", t->token);
		snprintf(h2, sizeof(h2), "xero-tenant-id: %s", t->tenant);
		h = curl_slist_append(h, h1);
		h = curl_slist_append(h, h2);
	}
	h = curl_slist_append(h, "Accept: application/json");
	for (size_t i = 0; extra && extra[i]; i++)
		h = curl_slist_append(h, extra[i]);
	curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(t->curl);
	curl_slist_free_all(h);
	t->status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->status);
	if (t->body.len > 0)
		t->json = json_tokener_parse(buf_cstr(&t->body));
	return t->status;
}

static inline long tc_api(struct tc *t, const char *method, const char *path, const char *body)
{
	char p[2048];

	snprintf(p, sizeof(p), "/api.xro/2.0/%s", path);
	return tc_req(t, method, p, body, NULL, true);
}

/* A response header's value (static buffer), or NULL. */
static inline const char *tc_header(struct tc *t, const char *name)
{
	static char val[512];
	const char *p = buf_cstr(&t->headers);
	size_t n = strlen(name);

	while (*p) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			size_t len;

			p += n + 1;
			while (*p == ' ')
				p++;
			len = strcspn(p, "\r\n");
			if (len >= sizeof(val))
				len = sizeof(val) - 1;
			memcpy(val, p, len);
			val[len] = '\0';
			return val;
		}
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return NULL;
}

/* Walk "Invoices.0.Total" in the last response; returns the JSON text of
 * the value (strings without quotes) in a static buffer, or NULL. */
static inline const char *tc_get(struct tc *t, const char *path)
{
	static char out[4096];
	json_object *o = t->json;
	char seg[128];

	while (o != NULL && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		if (json_object_is_type(o, json_type_array)) {
			size_t idx = (size_t)strtoul(seg, NULL, 10);

			if (idx >= json_object_array_length(o))
				return NULL;
			o = json_object_array_get_idx(o, idx);
		} else if (!json_object_object_get_ex(o, seg, &o)) {
			return NULL;
		}
		path += n;
		if (*path == '.')
			path++;
	}
	if (o == NULL)
		return NULL;
	if (json_object_is_type(o, json_type_string))
		snprintf(out, sizeof(out), "%s", json_object_get_string(o));
	else
		snprintf(out, sizeof(out), "%s", json_object_to_json_string(o));
	return out;
}

/* Length of the array at path, or -1. */
static inline int tc_len(struct tc *t, const char *path)
{
	json_object *o = t->json;
	char seg[128];

	while (o != NULL && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(seg))
			return -1;
		memcpy(seg, path, n);
		seg[n] = '\0';
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)strtoul(seg, NULL, 10));
		else if (!json_object_object_get_ex(o, seg, &o))
			return -1;
		path += n;
		if (*path == '.')
			path++;
	}
	return o && json_object_is_type(o, json_type_array) ? (int)json_object_array_length(o) : -1;
}

/* Remove a sandbox's state file and its SQLite WAL and index beside it. */
static inline void tc_state_unlink(const char *path)
{
	char side[512];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

#endif
