/*
 * fuzz_api_request.c - libFuzzer target: arbitrary requests through the
 * API core's socket-free dispatch (api_core_int.h): raw path splitting and
 * %-decoding, route matching, the embedded files' name checks, bearer
 * tokens, the session cookie, CSRF, scopes, and the session, users and
 * health handlers.  The route table is the fuzzer's own (the real one's
 * other areas need a running server); logging in is left out of it, as a
 * password hash per input would slow the fuzzer to a crawl.
 *
 * Input format (lines split on '\n'):
 *   METHOD
 *   /raw/path         as sent (%-escapes kept); the decoded path is derived
 *   Header: value     zero or more header lines, ended by an empty line
 *   body...           the rest, raw
 * Each input is run twice: as is, and with a valid token (or, when the
 * input sends a Cookie, a valid session cookie and CSRF token) added.
 */
#include "api/api_auth.h"
#include "api/api_auth_int.h"
#include "api/api_core_int.h"
#include "core/buf.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUT  (64 * 1024)
#define MAX_FIELDS 32
#define NOW        INT64_C(1790000000000)

static struct store *st;
static char token_hdr[96], cookie_hdr[128], csrf[STORE_AUTH_CSRF_MAX];

static void echo(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	(void)req;
	api_json(resp, 200);
	for (size_t i = 0; i < c->nparam; i++)
		buf_addstr(&resp->body, c->param[i]);
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/records/{kind}/{id}", API_SCOPE_READ, echo},
    {"POST", "/api/v1/records", API_SCOPE_RECORDS_WRITE, echo},
    {"POST", "/api/v1/records/{kind}/{id}/resync", API_SCOPE_SYNC, echo},
    {"GET", "/api/v1/session", 0, api_h_session_get},
    {"DELETE", "/api/v1/session", 0, api_h_session_delete},
    {"GET", "/api/v1/healthz", 0, api_h_healthz},
    {"GET", "/api/v1/users", API_SCOPE_ADMIN, api_h_users_list},
    {"DELETE", "/api/v1/users/{name}", API_SCOPE_ADMIN, api_h_users_remove},
    {NULL, NULL, 0, NULL},
};

static void init_once(void)
{
	char dir[] = "/tmp/bs-fuzzapi.XXXXXX", db[64];
	struct buf b;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(db, sizeof(db), "%s/t.db", dir);
	/* the file is unlinked at once: the open connection keeps it */
	if (store_open(db, STORE_OPEN_CREATE, &st, NULL) != BS_OK)
		abort();
	buf_init(&b, 256);
	if (api_user_add(st, "ann", "fuzzing password", NOW, NULL) != BS_OK ||
	    api_token_create(st, "fuzz", API_SCOPE_READ | API_SCOPE_SYNC | API_SCOPE_RECORDS_WRITE,
	                     NOW, &b, NULL) != BS_OK)
		abort();
	snprintf(token_hdr, sizeof(token_hdr), "Bearer %s", buf_cstr(&b));
	if (api_auth_session_new(st, NOW, "ann", &b, csrf, NULL) != BS_OK)
		abort();
	snprintf(cookie_hdr, sizeof(cookie_hdr), "bs_session=%s", buf_cstr(&b));
	buf_free(&b);
	unlink(db);
}

static char *next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL) {
		*p = end;
		*end = '\0';
		return s;
	}
	*nl = '\0';
	*p = nl + 1;
	return s;
}

/* %-decode raw into out[n] up to '?' (what libmicrohttpd hands the server). */
static void decode(const char *raw, char *out, size_t n)
{
	size_t o = 0;

	for (; *raw && *raw != '?' && o + 1 < n; raw++) {
		int hi = raw[0] == '%' ? buf_hexval(raw[1]) : -1,
		    lo = hi < 0 ? -1 : buf_hexval(raw[2]);

		if (lo >= 0 && (hi | lo) != 0) {
			out[o++] = (char)(hi * 16 + lo);
			raw += 2;
		} else {
			out[o++] = *raw;
		}
	}
	out[o] = '\0';
}

static void run(const struct http_req *req)
{
	struct api_call call = {NULL, st, "", NOW, routes};
	struct http_resp resp;

	http_resp_init(&resp, 1 << 20);
	api_dispatch(&call, req, &resp);
	if (resp.status < 100 || resp.status > 599)
		abort();
	http_resp_free(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_kv headers[MAX_FIELDS + 2];
	struct http_req req;
	char *buf, *p, *end, *line, path[4096];
	size_t nh = 0;
	bool cookie = false;

	if (st == NULL)
		init_once();
	if (size > MAX_INPUT)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = buf;
	end = buf + size;
	memset(&req, 0, sizeof(req));
	req.method = next_line(&p, end);
	req.raw_path = next_line(&p, end);
	if (req.method == NULL || req.raw_path == NULL)
		goto out;
	decode(req.raw_path, path, sizeof(path));
	req.path = path;
	while ((line = next_line(&p, end)) != NULL && *line && nh < MAX_FIELDS) {
		char *colon = strchr(line, ':');

		if (colon == NULL)
			continue;
		*colon = '\0';
		headers[nh].key = line;
		headers[nh].value = colon[1] == ' ' ? colon + 2 : colon + 1;
		cookie = cookie || strcmp(line, "Cookie") == 0;
		nh++;
	}
	req.headers = headers;
	req.nheaders = nh;
	req.body = p < end ? p : "";
	req.body_len = p < end ? (size_t)(end - p) : 0;
	req.peer = "127.0.0.1";
	run(&req);
	/* again, authenticated: the credentials come first, so they count */
	memmove(headers + 2, headers, nh * sizeof(headers[0]));
	headers[0] = cookie ? (struct http_kv){"Cookie", cookie_hdr}
	                    : (struct http_kv){"Authorization", token_hdr};
	headers[1] = (struct http_kv){"X-CSRF-Token", csrf};
	req.nheaders = nh + 2;
	/* logging out would end the session the next inputs use */
	if (!(cookie && strcmp(req.method, "DELETE") == 0))
		run(&req);
out:
	free(buf);
	return 0;
}
