/*
 * api_dispatch.c - one request from start to handler (api_core_int.h):
 * security headers on every answer, the embedded files outside /api/,
 * routing over api_routes[], the body limit, authentication, scope and
 * CSRF.  No socket and no server state: tests call api_dispatch with a
 * request they built.
 *
 * Routing splits the raw path (as sent) at '/' and then %-decodes each
 * segment, so "/api/v1/records/sale/SO%2F1" has the id "SO/1" in one
 * segment.  A pattern's "{x}" matches any one non-empty segment.
 */
#include "api/api_core_int.h"
#include "api/api_static_int.h"
#include "core/buf.h"

#include <stdio.h>
#include <string.h>

#define MAX_SEGS 16

/* No inline script or style anywhere: the dashboard is plain files. */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                          "form-action 'self'; frame-ancestors 'none'";

static void security_headers(struct http_resp *resp)
{
	http_resp_header(resp, "Content-Security-Policy", csp);
	http_resp_header(resp, "X-Frame-Options", "DENY");
	http_resp_header(resp, "X-Content-Type-Options", "nosniff");
	http_resp_header(resp, "Referrer-Policy", "no-referrer");
}

/*
 * Split the path into segments, each %-decoded into `store` (which must
 * outlive segs).  False for a path that cannot be one of ours: not
 * absolute, too many segments, a bad escape, a NUL.
 */
static bool split_path(const char *raw, char *store, size_t cap, const char **segs, size_t *nsegs)
{
	size_t o = 0, n = 0;

	if (raw[0] != '/')
		return false;
	raw++;
	while (true) {
		if (n == MAX_SEGS)
			return false;
		segs[n++] = store + o;
		for (; *raw && *raw != '/'; raw++) {
			char ch = *raw;

			if (ch == '%') {
				int hi = buf_hexval(raw[1]), lo = hi < 0 ? -1 : buf_hexval(raw[2]);

				if (lo < 0 || (hi == 0 && lo == 0))
					return false;
				ch = (char)(hi * 16 + lo);
				raw += 2;
			}
			if (o + 2 > cap)
				return false;
			store[o++] = ch;
		}
		store[o++] = '\0';
		if (*raw == '\0')
			break;
		raw++;
	}
	*nsegs = n;
	return true;
}

/* Does `pattern` match segs?  Its {x} segments go to params. */
static bool match(const char *pattern, const char *const *segs, size_t nsegs, const char **params,
                  size_t *nparams)
{
	size_t i = 0, np = 0;
	const char *p = pattern + 1;

	while (true) {
		size_t len = strcspn(p, "/");

		if (i == nsegs)
			return false;
		if (p[0] == '{') {
			if (segs[i][0] == '\0' || np == 4)
				return false;
			params[np++] = segs[i];
		} else if (strlen(segs[i]) != len || memcmp(segs[i], p, len) != 0) {
			return false;
		}
		i++;
		p += len;
		if (*p == '\0')
			break;
		p++;
	}
	if (i != nsegs)
		return false;
	*nparams = np;
	return true;
}

static const char *scope_name(unsigned bit)
{
	switch (bit) {
	case API_SCOPE_RECORDS_WRITE:
		return "records:write";
	case API_SCOPE_READ:
		return "read";
	case API_SCOPE_SYNC:
		return "sync";
	default:
		return "admin";
	}
}

static bool changes_state(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0;
}

/* 405 or the answer to OPTIONS: the methods the path takes. */
static void allow_answer(const struct http_req *req, struct http_resp *resp, const char *allow)
{
	http_resp_header(resp, "Allow", allow);
	if (strcmp(req->method, "OPTIONS") == 0) {
		resp->status = 204;
		resp->content_type = NULL;
		return;
	}
	api_error(resp, 405, NULL, "%s is not allowed here (allowed: %s)", req->method, allow);
}

/* Authenticate and authorise for `route`; false when resp holds the refusal. */
static bool admit(const struct api_call *call, const struct api_route *route,
                  const struct http_req *req, struct http_resp *resp, struct api_auth *a)
{
	struct bs_error err;
	int rc;

	bs_error_clear(&err);
	rc = api_auth_identify(call->st, call->now_ms, req, a, &err);
	if (rc == BS_ENOTFOUND || rc == BS_EAUTH) {
		http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"booksync\"");
		api_error(resp, 401, NULL, "%s", err.msg);
		return false;
	}
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		return false;
	}
	if ((a->who.scopes & route->scope) != route->scope) {
		api_error(resp, 403, NULL, "'%s' does not have the scope '%s'", a->who.name,
		          scope_name(route->scope));
		return false;
	}
	if (a->who.session && changes_state(req->method) && !api_auth_csrf_ok(a, req)) {
		api_error(resp, 403, NULL,
		          "missing or wrong X-CSRF-Token header (the session's token from "
		          "POST or GET /api/v1/session)");
		return false;
	}
	return true;
}

void api_dispatch(const struct api_call *call, const struct http_req *req, struct http_resp *resp)
{
	const char *raw = req->raw_path != NULL ? req->raw_path : req->path;
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	const char *segs[MAX_SEGS];
	char store[1024], allow[64] = "";
	const struct api_route *route = NULL;
	struct api_ctx ctx;
	struct api_auth a;
	size_t nsegs = 0;

	security_headers(resp);
	/* /webhooks/ is routed like /api/: the ledgers' POSTs, signed */
	if (strncmp(req->path, "/api/", 5) != 0 && strcmp(req->path, "/api") != 0 &&
	    strncmp(req->path, "/webhooks/", 10) != 0) {
		api_static_serve(req, resp);
		return;
	}
	http_resp_header(resp, "Cache-Control", "no-store");
	memset(&ctx, 0, sizeof(ctx));
	if (!split_path(raw, store, sizeof(store), segs, &nsegs)) {
		api_error(resp, 404, NULL, "no such endpoint");
		return;
	}
	for (const struct api_route *r = call->routes ? call->routes : api_routes; r->fn != NULL;
	     r++) {
		const char *params[4];
		size_t np = 0;

		if (!match(r->pattern, segs, nsegs, params, &np))
			continue;
		if (strcmp(r->method, method) == 0 && route == NULL) {
			route = r;
			memcpy(ctx.param, params, np * sizeof(params[0]));
			ctx.nparam = np;
		}
		if (strstr(allow, r->method) == NULL && strlen(allow) + 16 < sizeof(allow)) {
			if (allow[0])
				strncat(allow, ", ", sizeof(allow) - strlen(allow) - 1);
			strncat(allow, r->method, sizeof(allow) - strlen(allow) - 1);
			if (strcmp(r->method, "GET") == 0)
				strncat(allow, ", HEAD", sizeof(allow) - strlen(allow) - 1);
		}
	}
	if (allow[0] == '\0') {
		api_error(resp, 404, NULL, "no such endpoint: %s", req->path);
		return;
	}
	if (route == NULL || strcmp(req->method, "OPTIONS") == 0) {
		strncat(allow, ", OPTIONS", sizeof(allow) - strlen(allow) - 1);
		allow_answer(req, resp, allow);
		return;
	}
	/* records come in bulk; a ledger's webhook batch has no size cap
	 * (QuickBooks aggregates minutes of changes) and must not be refused */
	if (req->body_len > API_BODY_SMALL &&
	    !(strcmp(method, "POST") == 0 && (strcmp(route->pattern, "/api/v1/records") == 0 ||
	                                      strncmp(route->pattern, "/webhooks/", 10) == 0))) {
		api_error(resp, 413, NULL, "the request body is over the limit of %zu bytes",
		          API_BODY_SMALL);
		return;
	}
	if (route->scope != 0) {
		if (!admit(call, route, req, resp, &a))
			return;
		ctx.who = &a.who;
	}
	ctx.srv = call->srv;
	ctx.st = call->st;
	ctx.db_path = call->db_path;
	ctx.now_ms = call->now_ms;
	route->fn(&ctx, req, resp);
	if (resp->status == 0)
		api_error(resp, 500, NULL, "the endpoint gave no answer");
}
