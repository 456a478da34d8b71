/*
 * api_core_int.h - between the server core (api_core.c, api_dispatch.c)
 * and authentication (api_auth.c): how one request is routed and who it
 * comes from.  Tests call api_dispatch directly, with a request they
 * built and a store they opened: no socket, no server.
 */
#ifndef BS_API_API_CORE_INT_H
#define BS_API_API_CORE_INT_H

#include "api/api_int.h"
#include "store/store_auth.h"

/* Request bodies: POST /api/v1/records takes up to API_BODY_MAX (the
 * server's cap: bigger ones get 413 before anything runs); every other
 * endpoint up to API_BODY_SMALL. */
#define API_BODY_MAX   ((size_t)8 << 20)
#define API_BODY_SMALL ((size_t)64 << 10)

#define API_SESSION_COOKIE "bs_session"
#define API_SESSION_MS     (INT64_C(12) * 3600 * 1000) /* a session lasts 12 hours */
#define API_LOCKOUT_FAILS  10                          /* failed logins ... */
#define API_LOCKOUT_MS     (INT64_C(15) * 60 * 1000)   /* ... within 15 minutes lock out */

/* What one request runs with. */
struct api_call {
	struct api_server *srv; /* NULL in tests of endpoints that need no server */
	struct store *st;       /* the request's store connection; NULL outside /api/ */
	const char *db_path;
	int64_t now_ms;
	const struct api_route *routes; /* NULL = api_routes (tests route their own) */
};

/*
 * Answer one request: security headers, the embedded files outside /api/,
 * else route (404, 405 with Allow), body size (413), authentication (401),
 * scope (403), CSRF for a cookie's state change (403), then the handler.
 */
void api_dispatch(const struct api_call *call, const struct http_req *req, struct http_resp *resp);

/* Who a request comes from, as api_auth_identify finds it. */
struct api_auth {
	struct api_principal who;
	char csrf[STORE_AUTH_CSRF_MAX];         /* the session's; "" for a token */
	unsigned char session[STORE_AUTH_HASH]; /* the session id's hash */
};

/*
 * Identify the caller: "Authorization: Bearer <token>" first, else the
 * session cookie.  BS_OK with *a filled; BS_ENOTFOUND when the request
 * carries neither; BS_EAUTH when what it carries is not valid (err says
 * which); store errors as they come.
 */
int api_auth_identify(struct store *st, int64_t now_ms, const struct http_req *req,
                      struct api_auth *a, struct bs_error *err);

/* True when the request's X-CSRF-Token equals the session's (in constant time). */
bool api_auth_csrf_ok(const struct api_auth *a, const struct http_req *req);

/*
 * Check name and password, with the lockout: BS_OK, or BS_EAUTH (wrong
 * name or password: one more failure counted), or BS_ELIMIT (locked out:
 * *retry_ms says when the oldest counted failure leaves the window).
 */
int api_auth_login(struct store *st, int64_t now_ms, const char *name, const char *password,
                   int64_t *retry_ms, struct bs_error *err);

/*
 * Start a session for `user`: its id (for the cookie) into *id, the
 * session's CSRF token into csrf.  Only the id's hash is stored.
 */
int api_auth_session_new(struct store *st, int64_t now_ms, const char *user, struct buf *id,
                         char csrf[STORE_AUTH_CSRF_MAX], struct bs_error *err);

#endif
