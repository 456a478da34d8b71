/*
 * test_api_auth.c - the API core without a socket (api_core_int.h):
 * routing (404, 405 with Allow, OPTIONS, {x} segments decoded from the
 * raw path), the embedded files and path traversal, security headers,
 * the body limit, authentication by token and by session cookie, scopes,
 * CSRF, logging in and out, the lockout, cookie parsing and scope lists.
 * Requests are built here and handed to api_dispatch with a store in a
 * temporary directory and a route table of the test's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/api_auth.h"
#include "api/api_auth_int.h"
#include "api/api_core_int.h"
#include "api/api_static_int.h"
#include "store/store.h"
#include "store/store_auth.h"
#include "tstore.h"

#define T0 INT64_C(1790000000000)

struct fx {
	char dir[64];
	char db[512];
	struct store *st;
	char tok_read[64], tok_sync[64], tok_write[64];
};

/* Echo who called and the route's parameters: {"who":..,"p":[..]}. */
static void echo(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	(void)req;
	api_json(resp, 200);
	buf_printf(&resp->body, "{\"who\":\"%s\",\"p\":[", c->who ? c->who->name : "");
	for (size_t i = 0; i < c->nparam; i++)
		buf_printf(&resp->body, "%s\"%s\"", i ? "," : "", c->param[i]);
	buf_addstr(&resp->body, "]}");
}

static void silent(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	(void)c;
	(void)req;
	resp->status = 0; /* no answer: the core must answer 500 */
}

static const struct api_route test_routes[] = {
    {"GET", "/api/v1/things/{kind}/{id}", API_SCOPE_READ, echo},
    {"POST", "/api/v1/things", API_SCOPE_SYNC, echo},
    {"DELETE", "/api/v1/things/{kind}/{id}", API_SCOPE_ADMIN, echo},
    {"POST", "/api/v1/records", API_SCOPE_RECORDS_WRITE, echo},
    {"GET", "/api/v1/silent", 0, silent},
    {"POST", "/api/v1/session", 0, api_h_session_post},
    {"GET", "/api/v1/session", 0, api_h_session_get},
    {"DELETE", "/api/v1/session", 0, api_h_session_delete},
    {"GET", "/api/v1/healthz", 0, api_h_healthz},
    {NULL, NULL, 0, NULL},
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;
	struct buf tok;

	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-apiauth.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	tstore_db_path(f->db, sizeof(f->db), f->dir, "t");
	assert_int_equal(store_open(f->db, STORE_OPEN_CREATE, &f->st, &err), BS_OK);
	assert_int_equal(api_user_add(f->st, "ann", "correct horse", T0, &err), BS_OK);
	buf_init(&tok, 128);
	assert_int_equal(api_token_create(f->st, "reader", API_SCOPE_READ, T0, &tok, &err), BS_OK);
	snprintf(f->tok_read, sizeof(f->tok_read), "%s", buf_cstr(&tok));
	assert_int_equal(
	    api_token_create(f->st, "syncer", API_SCOPE_SYNC | API_SCOPE_READ, T0, &tok, &err),
	    BS_OK);
	snprintf(f->tok_sync, sizeof(f->tok_sync), "%s", buf_cstr(&tok));
	assert_int_equal(api_token_create(f->st, "pusher", API_SCOPE_RECORDS_WRITE, T0, &tok, &err),
	                 BS_OK);
	snprintf(f->tok_write, sizeof(f->tok_write), "%s", buf_cstr(&tok));
	buf_free(&tok);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	store_close(f->st);
	tstore_db_drop(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A request: up to 4 headers as "Name", "value" pairs, NULL-ended. */
struct rq {
	struct http_req req;
	struct http_kv h[6];
};

static void rq_make(struct rq *r, const char *method, const char *path, const char *raw,
                    const char *body, const char *const *hdrs)
{
	memset(r, 0, sizeof(*r));
	r->req.method = method;
	r->req.path = path;
	r->req.raw_path = raw;
	r->req.body = body ? body : "";
	r->req.body_len = strlen(r->req.body);
	r->req.peer = "127.0.0.1";
	for (size_t i = 0; hdrs != NULL && hdrs[i] != NULL && i < 12; i += 2) {
		r->h[i / 2].key = hdrs[i];
		r->h[i / 2].value = hdrs[i + 1];
		r->req.nheaders++;
	}
	r->req.headers = r->h;
}

static const char *resp_header(const struct http_resp *resp, const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->hname[i], name) == 0)
			return resp->hvalue[i];
	return NULL;
}

static int run(struct fx *f, int64_t now, struct rq *r, struct http_resp *resp)
{
	struct api_call call = {NULL, f->st, f->db, now, test_routes};

	http_resp_init(resp, 1 << 20);
	api_dispatch(&call, &r->req, resp);
	return resp->status;
}

/* Status of one request (its response freed). */
static int status_of(struct fx *f, int64_t now, const char *method, const char *path,
                     const char *raw, const char *body, const char *const *hdrs)
{
	struct rq r;
	struct http_resp resp;
	int st;

	rq_make(&r, method, path, raw, body, hdrs);
	st = run(f, now, &r, &resp);
	http_resp_free(&resp);
	return st;
}

static void test_routing(void **state)
{
	static const struct {
		const char *method, *path, *raw;
		int status;
		const char *allow; /* expected in Allow, or NULL */
	} cases[] = {
	    {"GET", "/api/v1/healthz", NULL, 200, NULL},
	    {"HEAD", "/api/v1/healthz", NULL, 200, NULL},
	    {"POST", "/api/v1/healthz", NULL, 405, "GET, HEAD"},
	    {"PUT", "/api/v1/session", NULL, 405, "POST, GET, HEAD, DELETE"},
	    {"OPTIONS", "/api/v1/session", NULL, 204, "DELETE"},
	    {"GET", "/api/v1/nope", NULL, 404, NULL},
	    {"GET", "/api/v1/healthz/extra", NULL, 404, NULL},
	    {"GET", "/api/v1", NULL, 404, NULL},
	    {"GET", "/api/", NULL, 404, NULL},
	    {"GET", "/api/v1/things/sale", NULL, 404, NULL},
	    {"GET", "/api/v1/things/sale/SO-1/x", NULL, 404, NULL},
	    {"GET", "/api/v1/things//SO-1", NULL, 404, NULL},
	    {"GET", "/api/v1/things/sale/%zz", "/api/v1/things/sale/%zz", 404, NULL},
	    {"GET", "/api/v1/things/sale/x", "/api/v1/things/sale/%00x", 404, NULL},
	    {"GET", "/api/v1/silent", NULL, 500, NULL},
	    /* the embedded files: only what is in the set, never a traversal */
	    {"GET", "/robots.txt", NULL, 200, NULL},
	    {"HEAD", "/robots.txt", NULL, 200, NULL},
	    {"POST", "/robots.txt", NULL, 405, "GET, HEAD"},
	    {"GET", "/../robots.txt", NULL, 404, NULL},
	    {"GET", "/./robots.txt", NULL, 404, NULL},
	    {"GET", "/../robots.txt", "/%2e%2e/robots.txt", 404, NULL},
	    {"GET", "/x/../robots.txt", "/x/..%2frobots.txt", 404, NULL},
	    {"GET", "/robots.txt", "/robots%2Etxt", 200, NULL},
	    {"GET", "//robots.txt", NULL, 404, NULL},
	    {"GET", "/robots.txt/", NULL, 404, NULL},
	    {"GET", "/..%5crobots.txt", NULL, 404, NULL},
	    {"GET", "/etc/passwd", NULL, 404, NULL},
	    {"GET", "/../../../../etc/passwd", NULL, 404, NULL},
	    {"GET", "/.git/config", NULL, 404, NULL},
	    {"GET", "/CMakeLists.txt", NULL, 404, NULL},
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rq r;
		struct http_resp resp;
		const char *allow;

		rq_make(&r, cases[i].method, cases[i].path, cases[i].raw, NULL, NULL);
		run(f, T0, &r, &resp);
		if (resp.status != cases[i].status)
			fail_msg("case %zu: %s %s -> %d, want %d (%s)", i, cases[i].method,
			         cases[i].path, resp.status, cases[i].status, buf_cstr(&resp.body));
		allow = resp_header(&resp, "Allow");
		if (cases[i].allow != NULL &&
		    (allow == NULL || strstr(allow, cases[i].allow) == NULL))
			fail_msg("case %zu: Allow '%s' lacks '%s'", i, allow ? allow : "(none)",
			         cases[i].allow);
		/* every answer, whatever it is, carries the security headers */
		assert_non_null(
		    strstr(resp_header(&resp, "Content-Security-Policy"), "script-src 'self'"));
		assert_null(strstr(resp_header(&resp, "Content-Security-Policy"), "unsafe-inline"));
		assert_string_equal(resp_header(&resp, "X-Frame-Options"), "DENY");
		assert_string_equal(resp_header(&resp, "X-Content-Type-Options"), "nosniff");
		assert_string_equal(resp_header(&resp, "Referrer-Policy"), "no-referrer");
		if (strncmp(cases[i].path, "/api/", 5) == 0)
			assert_string_equal(resp_header(&resp, "Cache-Control"), "no-store");
		if (resp.status >= 400)
			assert_non_null(strstr(buf_cstr(&resp.body), "{\"error\":{\"status\":"));
		http_resp_free(&resp);
	}
}

static void test_static_file(void **state)
{
	struct fx *f = *state;
	const struct api_static_file *sf = api_static_find("robots.txt");
	const char *etag;
	struct rq r;
	struct http_resp resp;
	char hdr[64];

	assert_non_null(sf);
	assert_null(api_static_find("../robots.txt"));
	assert_null(api_static_find(""));
	rq_make(&r, "GET", "/robots.txt", NULL, NULL, NULL);
	assert_int_equal(run(f, T0, &r, &resp), 200);
	assert_string_equal(resp.content_type, "text/plain; charset=utf-8");
	assert_ptr_equal(resp.static_body, sf->data);
	assert_int_equal(resp.static_len, sf->len);
	assert_non_null(strstr((const char *)resp.static_body, "User-agent"));
	etag = resp_header(&resp, "ETag");
	assert_non_null(etag);
	assert_int_equal(strlen(etag), 18); /* quoted 16 hex digits */
	snprintf(hdr, sizeof(hdr), "%s", etag);
	http_resp_free(&resp);
	{
		const char *h[] = {"If-None-Match", hdr, NULL};

		assert_int_equal(status_of(f, T0, "GET", "/robots.txt", NULL, NULL, h), 304);
	}
	{
		const char *h[] = {"If-None-Match", "\"0000000000000000\"", NULL};

		assert_int_equal(status_of(f, T0, "GET", "/robots.txt", NULL, NULL, h), 200);
	}
}

static void test_params_decoded(void **state)
{
	struct fx *f = *state;
	char bearer[96];
	const char *h[] = {"Authorization", bearer, NULL};
	struct rq r;
	struct http_resp resp;

	snprintf(bearer, sizeof(bearer), "Bearer %s", f->tok_read);
	/* an encoded slash stays inside its segment */
	rq_make(&r, "GET", "/api/v1/things/sale/SO/1", "/api/v1/things/sale/SO%2F1%20x", NULL, h);
	assert_int_equal(run(f, T0, &r, &resp), 200);
	assert_string_equal(buf_cstr(&resp.body),
	                    "{\"who\":\"reader\",\"p\":[\"sale\",\"SO/1 x\"]}");
	http_resp_free(&resp);
}

static void test_tokens_and_scopes(void **state)
{
	struct fx *f = *state;
	char rd[96], sy[96], wr[96], unknown[96];
	const char *h_rd[] = {"Authorization", rd, NULL};
	const char *h_sy[] = {"Authorization", sy, NULL};
	const char *h_wr[] = {"Authorization", wr, NULL};
	const char *h_unknown[] = {"Authorization", unknown, NULL};
	const char *h_garbage[] = {"Authorization", "Bearer nonsense", NULL};
	const char *h_basic[] = {"Authorization", "Basic YW5uOnB3", NULL};
	const char *path = "/api/v1/things/sale/SO-1";
	struct rq r;
	struct http_resp resp;
	char big[70001];

	snprintf(rd, sizeof(rd), "Bearer %s", f->tok_read);
	snprintf(sy, sizeof(sy), "bearer  %s", f->tok_sync); /* scheme case, extra space */
	snprintf(wr, sizeof(wr), "Bearer %s", f->tok_write);
	snprintf(unknown, sizeof(unknown), "Bearer %s", f->tok_read);
	unknown[strlen(unknown) - 1] = unknown[strlen(unknown) - 1] == 'A' ? 'B' : 'A';

	/* no credentials: 401 and how to authenticate */
	rq_make(&r, "GET", path, NULL, NULL, NULL);
	assert_int_equal(run(f, T0, &r, &resp), 401);
	assert_non_null(resp_header(&resp, "WWW-Authenticate"));
	http_resp_free(&resp);
	assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h_garbage), 401);
	assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h_unknown), 401);
	assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h_basic), 401);
	/* the right scope passes, a token needs no CSRF token */
	assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h_rd), 200);
	assert_int_equal(status_of(f, T0, "POST", "/api/v1/things", NULL, "{}", h_sy), 200);
	assert_int_equal(status_of(f, T0, "POST", "/api/v1/records", NULL, "{}", h_wr), 200);
	/* the wrong one is 403, naming it */
	rq_make(&r, "POST", "/api/v1/things", NULL, "{}", h_rd);
	assert_int_equal(run(f, T0, &r, &resp), 403);
	assert_non_null(strstr(buf_cstr(&resp.body), "'sync'"));
	http_resp_free(&resp);
	assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h_wr), 403);
	assert_int_equal(status_of(f, T0, "DELETE", path, NULL, NULL, h_sy), 403);
	/* a removed token is refused at once */
	assert_int_equal(store_token_remove(f->st, "reader", NULL), BS_OK);
	assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h_rd), 401);
	/* bodies: 64 KiB except POST /records (the server caps that at 8 MiB) */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(status_of(f, T0, "POST", "/api/v1/things", NULL, big, h_sy), 413);
	assert_int_equal(status_of(f, T0, "POST", "/api/v1/records", NULL, big, h_wr), 200);
}

/* Log in as ann; the cookie's value into cookie ("bs_session=..."), the
 * CSRF token into csrf.  Returns the status. */
static int login(struct fx *f, int64_t now, const char *password, bool tls, char *cookie, size_t cn,
                 char *csrf, size_t sn)
{
	const char *h[] = {"Content-Type", "application/json; charset=utf-8", NULL};
	char body[256];
	struct rq r;
	struct http_resp resp;
	int st;

	snprintf(body, sizeof(body), "{\"name\":\"ann\",\"password\":\"%s\"}", password);
	rq_make(&r, "POST", "/api/v1/session", NULL, body, h);
	r.req.tls = tls;
	st = run(f, now, &r, &resp);
	if (st == 200) {
		const char *sc = resp_header(&resp, "Set-Cookie");
		const char *c = strstr(buf_cstr(&resp.body), "\"csrf\":\"");

		assert_non_null(sc);
		assert_non_null(strstr(sc, "; HttpOnly"));
		assert_non_null(strstr(sc, "; SameSite=Strict"));
		assert_non_null(strstr(sc, "; Path=/"));
		assert_true((strstr(sc, "; Secure") != NULL) == tls);
		snprintf(cookie, cn, "other=1; %.*s", (int)strcspn(sc, ";"), sc);
		assert_non_null(c);
		snprintf(csrf, sn, "%.*s", (int)strcspn(c + 8, "\""), c + 8);
		assert_int_equal(strlen(csrf), 43);
		assert_non_null(strstr(buf_cstr(&resp.body), "\"user\":\"ann\""));
		assert_non_null(strstr(buf_cstr(&resp.body), "\"admin\""));
	}
	if (st == 429)
		assert_non_null(resp_header(&resp, "Retry-After"));
	http_resp_free(&resp);
	return st;
}

static void test_session_and_csrf(void **state)
{
	struct fx *f = *state;
	char cookie[160], csrf[64], wrong[64];
	const char *path = "/api/v1/things/sale/SO-1";

	assert_int_equal(
	    login(f, T0, "correct horse", true, cookie, sizeof(cookie), csrf, sizeof(csrf)), 200);
	assert_int_equal(
	    login(f, T0, "correct horse", false, cookie, sizeof(cookie), csrf, sizeof(csrf)), 200);
	snprintf(wrong, sizeof(wrong), "%s", csrf);
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	{
		const char *h[] = {"Cookie", cookie, NULL};
		const char *h_csrf[] = {"Cookie", cookie, "X-CSRF-Token", csrf, NULL};
		const char *h_wrong[] = {"Cookie", cookie, "X-CSRF-Token", wrong, NULL};
		const char *h_empty[] = {"Cookie", cookie, "X-CSRF-Token", "", NULL};

		/* reading needs no CSRF token; every state change does */
		assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h), 200);
		assert_int_equal(status_of(f, T0, "GET", "/api/v1/session", NULL, NULL, h), 200);
		assert_int_equal(status_of(f, T0, "POST", "/api/v1/things", NULL, "{}", h), 403);
		assert_int_equal(status_of(f, T0, "POST", "/api/v1/things", NULL, "{}", h_wrong),
		                 403);
		assert_int_equal(status_of(f, T0, "POST", "/api/v1/things", NULL, "{}", h_empty),
		                 403);
		assert_int_equal(status_of(f, T0, "DELETE", path, NULL, NULL, h), 403);
		assert_int_equal(status_of(f, T0, "POST", "/api/v1/things", NULL, "{}", h_csrf),
		                 200);
		assert_int_equal(status_of(f, T0, "DELETE", path, NULL, NULL, h_csrf), 200);
		/* a session ends after 12 hours */
		assert_int_equal(status_of(f, T0 + API_SESSION_MS - 1, "GET", path, NULL, NULL, h),
		                 200);
		assert_int_equal(status_of(f, T0 + API_SESSION_MS, "GET", path, NULL, NULL, h),
		                 401);
	}
	/* logging out: CSRF-checked, then the session is gone */
	assert_int_equal(
	    login(f, T0, "correct horse", false, cookie, sizeof(cookie), csrf, sizeof(csrf)), 200);
	{
		const char *h[] = {"Cookie", cookie, NULL};
		const char *h_csrf[] = {"Cookie", cookie, "X-CSRF-Token", csrf, NULL};
		struct rq r;
		struct http_resp resp;

		assert_int_equal(status_of(f, T0, "DELETE", "/api/v1/session", NULL, NULL, h), 403);
		assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h), 200);
		rq_make(&r, "DELETE", "/api/v1/session", NULL, NULL, h_csrf);
		assert_int_equal(run(f, T0, &r, &resp), 204);
		assert_non_null(strstr(resp_header(&resp, "Set-Cookie"), "Max-Age=0"));
		http_resp_free(&resp);
		assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h), 401);
		assert_int_equal(status_of(f, T0, "GET", "/api/v1/session", NULL, NULL, h), 401);
	}
	{
		const char *h_bad[] = {"Cookie", "bs_session=abc", NULL};
		const char *h_forged[] = {
		    "Cookie", "bs_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL};

		assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h_bad), 401);
		assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h_forged), 401);
	}
	/* removing the user ends its sessions */
	assert_int_equal(
	    login(f, T0, "correct horse", false, cookie, sizeof(cookie), csrf, sizeof(csrf)), 200);
	assert_int_equal(store_user_remove(f->st, "ann", NULL), BS_OK);
	{
		const char *h[] = {"Cookie", cookie, NULL};

		assert_int_equal(status_of(f, T0, "GET", path, NULL, NULL, h), 401);
	}
}

static void test_login_bodies(void **state)
{
	static const struct {
		const char *ctype, *body;
		int status;
		const char *param;
	} cases[] = {
	    {NULL, "{\"name\":\"ann\",\"password\":\"correct horse\"}", 415, NULL},
	    {"text/plain", "{\"name\":\"ann\",\"password\":\"correct horse\"}", 415, NULL},
	    {"application/jsonx", "{\"name\":\"ann\",\"password\":\"correct horse\"}", 415, NULL},
	    {"application/json", "{\"name\":\"ann\",", 400, NULL},
	    {"application/json", "", 400, NULL},
	    {"application/json", "[1,2]", 400, NULL},
	    {"application/json", "{\"password\":\"x\"}", 400, "name"},
	    {"application/json", "{\"name\":7,\"password\":\"x\"}", 400, "name"},
	    {"application/json", "{\"name\":\"ann\"}", 400, "password"},
	    {"application/json", "{\"name\":\"ann\",\"password\":\"wrong one\"}", 401, NULL},
	    {"application/json", "{\"name\":\"bob\",\"password\":\"correct horse\"}", 401, NULL},
	    {"application/json", "{\"name\":\"../x\",\"password\":\"correct horse\"}", 401, NULL},
	    {"Application/JSON", "{\"name\":\"ann\",\"password\":\"correct horse\"}", 200, NULL},
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *h[] = {"Content-Type", cases[i].ctype, NULL};
		struct rq r;
		struct http_resp resp;

		rq_make(&r, "POST", "/api/v1/session", NULL, cases[i].body,
		        cases[i].ctype ? h : NULL);
		run(f, T0, &r, &resp);
		if (resp.status != cases[i].status)
			fail_msg("case %zu: %d, want %d (%s)", i, resp.status, cases[i].status,
			         buf_cstr(&resp.body));
		if (cases[i].param != NULL) {
			char want[64];

			snprintf(want, sizeof(want), "\"param\":\"%s\"", cases[i].param);
			assert_non_null(strstr(buf_cstr(&resp.body), want));
		}
		http_resp_free(&resp);
	}
}

static void test_lockout(void **state)
{
	struct fx *f = *state;
	char cookie[160], csrf[64];
	int64_t t = T0;
	struct bs_error err;

	/* 10 failures within 15 minutes: the 11th try is refused, right or wrong */
	for (int i = 0; i < API_LOCKOUT_FAILS; i++, t += 60000)
		assert_int_equal(login(f, t, "wrong password", false, cookie, sizeof(cookie), csrf,
		                       sizeof(csrf)),
		                 401);
	assert_int_equal(
	    login(f, t, "correct horse", false, cookie, sizeof(cookie), csrf, sizeof(csrf)), 429);
	assert_int_equal(
	    login(f, t, "wrong password", false, cookie, sizeof(cookie), csrf, sizeof(csrf)), 429);
	/* another user name is not locked */
	assert_int_equal(api_user_add(f->st, "bob", "battery staple", t, &err), BS_OK);
	{
		const char *h[] = {"Content-Type", "application/json", NULL};

		assert_int_equal(status_of(f, t, "POST", "/api/v1/session", NULL,
		                           "{\"name\":\"bob\",\"password\":\"battery staple\"}", h),
		                 200);
	}
	/* once the oldest failure is 15 minutes old, one more try is allowed */
	assert_int_equal(login(f, T0 + API_LOCKOUT_MS - 1, "correct horse", false, cookie,
	                       sizeof(cookie), csrf, sizeof(csrf)),
	                 429);
	assert_int_equal(login(f, T0 + API_LOCKOUT_MS, "correct horse", false, cookie,
	                       sizeof(cookie), csrf, sizeof(csrf)),
	                 200);
	/* and a success clears the count */
	{
		int64_t count = -1, oldest = 0;

		assert_int_equal(store_login_failures(f->st, "ann", 0, &count, &oldest, NULL),
		                 BS_OK);
		assert_int_equal(count, 0);
	}
	/* unknown names are counted too (no telling which names exist) */
	for (int i = 0; i < API_LOCKOUT_FAILS; i++) {
		const char *h[] = {"Content-Type", "application/json", NULL};

		assert_int_equal(status_of(f, T0, "POST", "/api/v1/session", NULL,
		                           "{\"name\":\"ghost\",\"password\":\"whatever\"}", h),
		                 401);
	}
	{
		const char *h[] = {"Content-Type", "application/json", NULL};

		assert_int_equal(status_of(f, T0, "POST", "/api/v1/session", NULL,
		                           "{\"name\":\"ghost\",\"password\":\"whatever\"}", h),
		                 429);
	}
}

static void test_cookie_parsing(void **state)
{
	static const struct {
		const char *header, *want; /* want NULL = absent */
	} cases[] = {
	    {"bs_session=abc", "abc"},     {"a=1; bs_session=abc; b=2", "abc"},
	    {"a=1;bs_session=abc", "abc"}, {"bs_session_x=1; bs_session=abc", "abc"},
	    {"xbs_session=abc", NULL},     {"bs_session_x=abc", NULL},
	    {"bs_sessio=abc", NULL},       {"", NULL},
	    {"bs_session=", ""},           {"a=1; bs_session=abc=def", "abc=def"},
	};
	struct buf out;

	(void)state;
	buf_init(&out, 256);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *h[] = {"Cookie", cases[i].header, NULL};
		struct rq r;
		bool got;

		rq_make(&r, "GET", "/", NULL, NULL, h);
		got = http_req_cookie(&r.req, "bs_session", &out);
		if (got != (cases[i].want != NULL) ||
		    (got && strcmp(buf_cstr(&out), cases[i].want) != 0))
			fail_msg("case %zu '%s': got %d '%s'", i, cases[i].header, got,
			         buf_cstr(&out));
	}
	buf_free(&out);
}

static void test_scope_lists(void **state)
{
	static const struct {
		const char *list;
		int rc;
		unsigned bits;
		const char *formatted;
	} cases[] = {
	    {"read", BS_OK, API_SCOPE_READ, "read"},
	    {"read,sync", BS_OK, API_SCOPE_READ | API_SCOPE_SYNC, "read,sync"},
	    {"admin, records:write", BS_OK, API_SCOPE_ADMIN | API_SCOPE_RECORDS_WRITE,
	     "records:write,admin"},
	    {"sync,sync", BS_OK, API_SCOPE_SYNC, "sync"},
	    {"", BS_EINVAL, 0, NULL},
	    {"read,", BS_OK, API_SCOPE_READ, "read"},
	    {",", BS_EINVAL, 0, NULL},
	    {"write", BS_EINVAL, 0, NULL},
	    {"READ", BS_EINVAL, 0, NULL},
	    {"read,,sync", BS_EINVAL, 0, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned bits = 0;
		struct buf out;
		int rc = api_scopes_parse(cases[i].list, &bits, NULL);

		if (rc != cases[i].rc)
			fail_msg("case %zu '%s': rc %d", i, cases[i].list, rc);
		if (rc != BS_OK)
			continue;
		assert_int_equal(bits, cases[i].bits);
		buf_init(&out, 128);
		assert_int_equal(api_scopes_format(bits, &out), BS_OK);
		assert_string_equal(buf_cstr(&out), cases[i].formatted);
		buf_free(&out);
	}
}

static void test_store_auth(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	struct buf tok;

	/* names: checked once for every backend */
	assert_int_equal(api_user_add(f->st, "ann", "another one", T0, &err), BS_ECONFLICT);
	assert_int_equal(api_user_add(f->st, "a b", "long enough", T0, &err), BS_EINVAL);
	assert_int_equal(api_user_add(f->st, "", "long enough", T0, &err), BS_EINVAL);
	assert_int_equal(api_user_add(f->st, "carl", "short", T0, &err), BS_EINVAL);
	assert_int_equal(store_user_remove(f->st, "nobody", &err), BS_ENOTFOUND);
	buf_init(&tok, 128);
	assert_int_equal(api_token_create(f->st, "reader", API_SCOPE_READ, T0, &tok, &err),
	                 BS_ECONFLICT);
	assert_int_equal(tok.len, 0); /* nothing shown for a token not made */
	assert_int_equal(api_token_create(f->st, "none", 0, T0, &tok, &err), BS_EINVAL);
	assert_int_equal(api_token_create(f->st, "fresh", API_SCOPE_ADMIN, T0, &tok, &err), BS_OK);
	assert_int_equal(tok.len, 47);
	assert_memory_equal(tok.ptr, "bst_", 4);
	buf_free(&tok);
	assert_int_equal(store_token_remove(f->st, "nobody", &err), BS_ENOTFOUND);
	assert_int_equal(store_token_remove(f->st, "fresh", &err), BS_OK);

	/* sessions: a new one sweeps the expired ones away */
	{
		unsigned char h1[STORE_AUTH_HASH], h2[STORE_AUTH_HASH];
		struct store_session s = {"ann", "csrf", T0, T0 + 1000}, got;

		memset(h1, 1, sizeof(h1));
		memset(h2, 2, sizeof(h2));
		assert_int_equal(store_session_add(f->st, h1, &s, &err), BS_OK);
		assert_int_equal(store_session_find(f->st, h1, T0, &got, &err), BS_OK);
		assert_string_equal(got.user, "ann");
		assert_string_equal(got.csrf, "csrf");
		s.created_ms = T0 + 2000;
		s.expires_ms = T0 + 5000;
		assert_int_equal(store_session_add(f->st, h2, &s, &err), BS_OK);
		assert_int_equal(store_session_find(f->st, h1, T0, &got, &err), BS_ENOTFOUND);
		assert_int_equal(store_session_find(f->st, h2, T0 + 4999, &got, &err), BS_OK);
		snprintf(s.user, sizeof(s.user), "nobody");
		assert_int_equal(store_session_add(f->st, h1, &s, &err), BS_ENOTFOUND);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_static_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_params_decoded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tokens_and_scopes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_and_csrf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_login_bodies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
	    cmocka_unit_test(test_cookie_parsing),
	    cmocka_unit_test(test_scope_lists),
	    cmocka_unit_test_setup_teardown(test_store_auth, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
