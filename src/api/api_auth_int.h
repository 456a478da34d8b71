/*
 * api_auth_int.h - the handlers of the session, users and health endpoints (see api_int.h for the
 * handler contract and api_routes.c for their paths).
 */
#ifndef BS_API_API_AUTH_INT_H
#define BS_API_API_AUTH_INT_H

#include "api/api_int.h"

/* Handlers are added here, one declaration each, as they are written. */

/* POST /api/v1/session {"name","password"}: log in (cookie + CSRF token);
 * 400 bad body, 401 wrong name or password, 415 not JSON, 429 locked out. */
void api_h_session_post(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* GET /api/v1/session: who the caller is (session or token), else 401. */
void api_h_session_get(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* DELETE /api/v1/session: log out (CSRF checked), 204 and the cookie cleared. */
void api_h_session_delete(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* GET /api/v1/healthz: {"status":"ok"}, no authentication. */
void api_h_healthz(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* GET /api/v1/users (admin): {"items":[{"name","created_at"}],"next":null}. */
void api_h_users_list(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* POST /api/v1/users (admin) {"name","password"}: 201, 400 naming the field, 409 taken. */
void api_h_users_add(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* DELETE /api/v1/users/{name} (admin): 204 (its sessions end too), 404. */
void api_h_users_remove(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);

#endif
