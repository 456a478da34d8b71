/*
 * api_h_connections.c - /api/v1/connections: connect a ledger through the
 * browser (OAuth2 authorization code, the same library calls as `booksync
 * connect`: sync/onboard.h), list the connections, disconnect.
 *
 * POST /connections/{ledger} (admin) answers the authorize URL, whose
 * redirect_uri is this server's /api/v1/connections/{ledger}/callback and
 * whose `state` is random (192 bits) and single-use.  The callback needs
 * no credentials: the state is what ties it to the admin who started it,
 * so an attempt is found only by its state, only once, only within ten
 * minutes and only for the same ledger.  Attempts (with the client secret
 * they need for the code exchange) live in memory, never in the store; a
 * restart forgets them and the admin starts again.
 */
#include "api/api_jobs_int.h"

#include "core/jsonw.h"
#include "core/secret.h"
#include "ledger/oauth2/oauth2.h"
#include "sync/onboard.h"
#include "sync/session.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTEMPTS   16
#define ATTEMPT_MS (INT64_C(10) * 60 * 1000)

struct attempt {
	struct api_server *srv; /* NULL = a free slot */
	char state[48];
	char ledger[16];
	char base_url[512];
	char client_id[256];
	char client_secret[256];
	char redirect[768];
	char tenant[64]; /* the organisation asked for, or "" */
	char user[64];   /* the admin who started it */
	int64_t at_ms;   /* monotonic */
};

static pthread_mutex_t attempts_mu = PTHREAD_MUTEX_INITIALIZER;
static struct attempt attempts[ATTEMPTS];

/* Keep a; when every slot is taken the oldest attempt gives way. */
static void attempt_put(const struct attempt *a)
{
	size_t pick = 0;

	pthread_mutex_lock(&attempts_mu);
	for (size_t i = 0; i < ATTEMPTS; i++) {
		if (attempts[i].srv == NULL) {
			pick = i;
			break;
		}
		if (attempts[i].at_ms < attempts[pick].at_ms)
			pick = i;
	}
	attempts[pick] = *a;
	pthread_mutex_unlock(&attempts_mu);
}

/* Take (and so use up) srv's attempt with `state` for ledger into *out. */
static bool attempt_take(struct api_server *srv, const char *ledger, const char *state,
                         struct attempt *out)
{
	int64_t now = api_mono_ms();
	bool found = false;

	pthread_mutex_lock(&attempts_mu);
	for (size_t i = 0; i < ATTEMPTS && !found; i++) {
		struct attempt *a = &attempts[i];

		if (a->srv == NULL || a->srv != srv || strlen(a->state) != strlen(state) ||
		    sodium_memcmp(a->state, state, strlen(state)) != 0)
			continue;
		found = now - a->at_ms <= ATTEMPT_MS && strcmp(a->ledger, ledger) == 0;
		if (found)
			*out = *a;
		sodium_memzero(a, sizeof(*a));
	}
	pthread_mutex_unlock(&attempts_mu);
	return found;
}

void api_connect_forget(struct api_server *srv)
{
	pthread_mutex_lock(&attempts_mu);
	for (size_t i = 0; i < ATTEMPTS; i++)
		if (attempts[i].srv == srv)
			sodium_memzero(&attempts[i], sizeof(attempts[i]));
	pthread_mutex_unlock(&attempts_mu);
}

/* The connector of the path's {ledger}, or NULL (404 answered). */
static const struct ledger_ops *path_ledger(const struct api_ctx *c, struct http_resp *resp)
{
	const struct ledger_ops *l = c->nparam > 0 ? ledger_find(c->param[0]) : NULL;

	if (l == NULL)
		api_error(resp, 404, NULL, "no such ledger: xero or qbo");
	return l;
}

/* This server's callback URL for ledger: $BOOKSYNC_SERVE_URL (the address
 * people reach, behind a proxy) or the address it listens on. */
static int callback_uri(struct api_server *srv, const char *ledger, char *out, size_t cap)
{
	const char *base = getenv("BOOKSYNC_SERVE_URL");
	size_t blen;
	int n;

	if ((base == NULL || base[0] == '\0') && srv == NULL)
		return BS_EINVAL; /* no server (tests of the endpoints) */
	if (base == NULL || base[0] == '\0')
		base = api_url(srv);
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	n = snprintf(out, cap, "%.*s/api/v1/connections/%s/callback", (int)blen, base, ledger);
	return n > 0 && (size_t)n < cap ? BS_OK : BS_ETOOBIG;
}

/* Optional body {"base_url": "...", "tenant": "..."} into a (400 answered). */
static int connect_body(const struct http_req *req, struct attempt *a, struct http_resp *resp)
{
	struct json_object *o;
	int rc = BS_OK;

	if (req->body_len == 0)
		return BS_OK;
	o = json_tokener_parse(req->body);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		api_error(resp, 400, NULL, "the body is not a JSON object");
		rc = BS_EINVAL;
		goto out;
	}
	json_object_object_foreach(o, k, val)
	{
		const char *s = json_object_get_string(val);
		char *dst = strcmp(k, "base_url") == 0 ? a->base_url
		            : strcmp(k, "tenant") == 0 ? a->tenant
		                                       : NULL;
		size_t cap = dst == a->base_url ? sizeof(a->base_url) : sizeof(a->tenant);

		if (dst == NULL) {
			api_error(resp, 400, k, "unknown field '%s'", k);
			rc = BS_EINVAL;
			goto out;
		}
		if (!json_object_is_type(val, json_type_string) || strlen(s) >= cap) {
			api_error(resp, 400, k, "%s must be a string shorter than %zu", k, cap);
			rc = BS_EINVAL;
			goto out;
		}
		memcpy(dst, s, strlen(s) + 1);
	}
out:
	json_object_put(o);
	return rc;
}

void api_h_connect(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const struct ledger_ops *l = path_ledger(c, resp);
	struct onboard_auth oa = {0};
	struct attempt a;
	struct bs_error err;
	struct buf id, secret, url;
	int rc;

	if (l == NULL)
		return;
	memset(&a, 0, sizeof(a));
	buf_init(&id, 512);
	buf_init(&secret, 512);
	buf_init(&url, 4096);
	if (connect_body(req, &a, resp) != BS_OK)
		goto out;
	rc = onboard_client_creds(c->st, l->name, NULL, NULL, &id, &secret, &err);
	if (rc == BS_OK && (id.len >= sizeof(a.client_id) || secret.len >= sizeof(a.client_secret)))
		rc = bs_error_set(&err, BS_EINVAL, "the client id or secret is too long");
	if (rc == BS_OK && callback_uri(c->srv, l->name, a.redirect, sizeof(a.redirect)) != BS_OK)
		rc = bs_error_set(&err, BS_EINVAL, "the server's URL is too long");
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	a.srv = c->srv;
	oauth2_new_state(a.state, 33);
	snprintf(a.ledger, sizeof(a.ledger), "%s", l->name);
	memcpy(a.client_id, id.ptr, id.len + 1);
	memcpy(a.client_secret, secret.ptr, secret.len + 1);
	snprintf(a.user, sizeof(a.user), "%s", c->who != NULL ? c->who->name : "");
	a.at_ms = api_mono_ms();
	oa.ledger = l->name;
	oa.base_url = a.base_url[0] != '\0' ? a.base_url : NULL;
	oa.client_id = a.client_id;
	rc = onboard_authorize_start(&oa, a.redirect, a.state, &url, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	attempt_put(&a);
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addc(&resp->body, '{');
	jsonw_kv_str(&resp->body, 0, "authorize_url", buf_cstr(&url));
	buf_addc(&resp->body, '}');
out:
	sodium_memzero(&a, sizeof(a));
	buf_free(&id);
	secret_buf_wipe(&secret);
	buf_free(&url);
}

/* The page the browser lands on: the dashboard's Connect page. */
static void to_connect_page(struct http_resp *resp)
{
	resp->status = 302;
	resp->content_type = "text/plain";
	buf_reset(&resp->body);
	http_resp_header(resp, "Location", "/#connect");
}

void api_h_connect_callback(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const struct ledger_ops *l = path_ledger(c, resp);
	const char *state = http_req_query(req, "state");
	const char *code = http_req_query(req, "code");
	const char *refused = http_req_query(req, "error");
	const char *extra = NULL;
	const struct api_opts *ao;
	struct onboard_auth oa = {0};
	struct session_creds creds;
	struct ledger_tenant *tenants = NULL;
	struct onboard_stats ob;
	struct attempt a;
	struct bs_error err;
	struct buf target;
	size_t n = 0, pick = 0;
	int rc;

	if (l == NULL)
		return;
	memset(&creds, 0, sizeof(creds));
	memset(&a, 0, sizeof(a));
	buf_init(&target, 256);
	bs_error_clear(&err);
	if (state == NULL || strlen(state) < 16 || strlen(state) >= sizeof(a.state) ||
	    !attempt_take(c->srv, l->name, state, &a)) {
		api_error(resp, 400, "state",
		          "this connect attempt is unknown, used or expired: start it again");
		goto out;
	}
	if (refused != NULL) {
		char why[80];

		oauth2_sanitise(refused, why, sizeof(why));
		api_error(resp, 400, "error", "%s refused the connection: %s",
		          l->caps->display_name, why);
		goto out;
	}
	if (code == NULL || code[0] == '\0') {
		api_error(resp, 400, "code", "the redirect carries no code");
		goto out;
	}
	if (l->redirect_extra != NULL)
		extra = http_req_query(req, l->redirect_extra);
	ao = api_server_opts(c->srv);
	oa.ledger = l->name;
	oa.base_url = a.base_url[0] != '\0' ? a.base_url : NULL;
	oa.client_id = a.client_id;
	oa.client_secret = a.client_secret;
	oa.now_ms = ao->now_ms();
	rc = onboard_authorize_finish(&oa, a.redirect, code, extra, &creds, &tenants, &n, &err);
	if (rc == BS_OK)
		rc = onboard_pick_tenant(tenants, n, a.tenant[0] != '\0' ? a.tenant : NULL, &pick,
		                         &err);
	if (rc == BS_ECONFLICT)
		rc = bs_error_set(&err, BS_EINVAL,
		                  "the grant covers %zu organisations: start again naming one "
		                  "(\"tenant\")",
		                  n);
	if (rc == BS_OK)
		rc = onboard_connect(c->st, c->db_path, &creds, &tenants[pick], ao->now_ms, &target,
		                     &ob, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	to_connect_page(resp);
out:
	free(tenants);
	sodium_memzero(&creds, sizeof(creds));
	sodium_memzero(&a, sizeof(a));
	buf_free(&target);
}

struct conn_list {
	struct store *st;
	const char *ledger; /* "xero" */
	struct buf *body;
	size_t n, mine;
	int bad;
};

static int conn_item(struct conn_list *cl, const char *target, const char *name, bool connected)
{
	if (cl->n++ > 0)
		cl->bad |= buf_addc(cl->body, ',');
	cl->bad |= buf_addc(cl->body, '{');
	cl->bad |= jsonw_kv_str(cl->body, 0, "ledger", cl->ledger);
	if (target != NULL)
		cl->bad |= jsonw_kv_str(cl->body, 1, "target", target);
	else
		cl->bad |= buf_addstr(cl->body, ",\"target\":null");
	cl->bad |= jsonw_kv_str(cl->body, 1, "name", name);
	cl->bad |= buf_printf(cl->body, ",\"connected\":%s", connected ? "true" : "false");
	cl->bad |= jsonw_kv_str(cl->body, 1, "status",
	                        connected        ? "connected"
	                        : target != NULL ? "disconnected"
	                                         : "not connected");
	cl->bad |= buf_addc(cl->body, '}');
	return cl->bad != 0 ? BS_ETOOBIG : BS_OK;
}

static int conn_target(void *arg, const char *target, const char *name)
{
	struct conn_list *cl = arg;
	size_t n = strlen(cl->ledger);

	if (strncmp(target, cl->ledger, n) != 0 || target[n] != ':')
		return BS_OK;
	cl->mine++;
	return conn_item(cl, target, name, api_target_connected(cl->st, target));
}

void api_h_connections(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct conn_list cl = {c->st, NULL, &resp->body, 0, 0, 0};
	struct bs_error err;
	int rc = BS_OK;

	(void)req;
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	for (size_t i = 0; rc == BS_OK && ledger_nth(i) != NULL; i++) {
		cl.ledger = ledger_nth(i)->name;
		cl.mine = 0;
		rc = store_targets_each(c->st, conn_target, &cl, &err);
		/* a ledger never connected is listed too: the Connect page offers it */
		if (rc == BS_OK && cl.mine == 0)
			rc = conn_item(&cl, NULL, "", false);
	}
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		return;
	}
	if (buf_addstr(&resp->body, "]}") != BS_OK || cl.bad != 0)
		api_error(resp, 500, NULL, "the answer is too big");
}

struct one_target {
	const char *ledger;
	char target[128];
	size_t n;
};

static int pick_target(void *arg, const char *target, const char *name)
{
	struct one_target *ot = arg;
	size_t n = strlen(ot->ledger);

	(void)name;
	if (strncmp(target, ot->ledger, n) == 0 && target[n] == ':' &&
	    strlen(target) < sizeof(ot->target)) {
		ot->n++;
		memcpy(ot->target, target, strlen(target) + 1);
	}
	return BS_OK;
}

void api_h_disconnect(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const struct ledger_ops *l = path_ledger(c, resp);
	const char *want = http_req_query(req, "target");
	struct one_target ot = {NULL, "", 0};
	struct bs_error err, rerr;
	struct session s;
	bool revoked;
	char key[160];
	int rc;

	if (l == NULL)
		return;
	ot.ledger = l->name;
	if (want != NULL) {
		size_t n = strlen(l->name);

		if (strncmp(want, l->name, n) != 0 || want[n] != ':' ||
		    strlen(want) >= sizeof(ot.target)) {
			api_error(resp, 400, "target", "target is %s:<id>", l->name);
			return;
		}
		memcpy(ot.target, want, strlen(want) + 1);
	} else {
		rc = store_targets_each(c->st, pick_target, &ot, &err);
		if (rc != BS_OK) {
			api_error_bs(resp, rc, &err);
			return;
		}
		if (ot.n > 1) {
			api_error(resp, 400, "target", "several %s organisations: name one",
			          l->caps->display_name);
			return;
		}
	}
	if (ot.target[0] == '\0' || !api_target_connected(c->st, ot.target)) {
		api_error(resp, 404, NULL, "%s is not connected",
		          ot.target[0] ? ot.target : l->name);
		return;
	}
	/* the ledger is told first (while the tokens are still here); the
	 * sealed credentials go whether or not it could be, so a ledger that
	 * is down cannot keep a connection alive here.  The target, its
	 * records' states and links stay: connecting again carries on */
	bs_error_clear(&rerr);
	rc = session_open(&s, c->st, c->db_path, ot.target, api_server_opts(c->srv)->now_ms, &rerr);
	if (rc == BS_OK)
		rc = session_revoke(&s, &rerr);
	session_close(&s);
	revoked = rc == BS_OK;
	snprintf(key, sizeof(key), "cred:%s", ot.target);
	rc = store_setting_unset(c->st, key, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		return;
	}
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addc(&resp->body, '{');
	jsonw_kv_str(&resp->body, 0, "target", ot.target);
	buf_addstr(&resp->body, revoked ? ",\"revoked\":true" : ",\"revoked\":false");
	if (!revoked)
		jsonw_kv_str(&resp->body, 1, "detail",
		             rerr.msg[0] ? rerr.msg : bs_strerror(rerr.code));
	buf_addc(&resp->body, '}');
}
