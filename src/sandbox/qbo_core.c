/*
 * qbo_core.c - the QuickBooks Online sandbox's request core, qbo_handle():
 * Intuit's OAuth paths (served by the shared sb_oauth.c), and for
 * /v3/company/<realmId>/... the bearer token, the per-realm limits (500 a
 * minute, 10 in flight, 40 batch calls a minute: 429 with the observed
 * ThrottleExceeded Fault), fault injection, requestid idempotency, and
 * the routing to entities, /query, /cdc and /batch.  Also the Fault body.
 */
#include "sandbox/qbo_int.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MINUTE_MS    INT64_C(60000)
#define REQID_TTL_MS INT64_C(86400000)
#define REQID_MAX    50
#define BATCH_MAX    30
#define ACCOUNTING   "com.intuit.quickbooks.accounting"
#define COMPANY_PATH "/v3/company/"

/* ------------------------------------------------------------- faults */

int qbo_fault(struct qbo_fault *f, int status, const char *type, const char *code, const char *msg,
              const char *element, const char *fmt, ...)
{
	va_list ap;

	if (f->n == 0) {
		f->type = type;
		f->status = status;
	}
	if (f->n < QBO_MAX_ERRS) {
		snprintf(f->e[f->n].code, sizeof(f->e[f->n].code), "%s", code);
		snprintf(f->e[f->n].msg, sizeof(f->e[f->n].msg), "%s", msg);
		snprintf(f->e[f->n].element, sizeof(f->e[f->n].element), "%s",
		         element ? element : "");
		va_start(ap, fmt);
		// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
		vsnprintf(f->e[f->n].detail, sizeof(f->e[f->n].detail), fmt, ap);
		va_end(ap);
		f->n++;
	}
	return BS_EINVAL;
}

static json_object *fault_obj(const struct qbo_fault *f)
{
	json_object *fo = json_object_new_object(), *arr = json_object_new_array();

	for (int i = 0; i < f->n; i++) {
		json_object *e = json_object_new_object();

		sb_jset_str(e, "Message", f->e[i].msg);
		sb_jset_str(e, "Detail", f->e[i].detail);
		sb_jset_str(e, "code", f->e[i].code);
		if (f->e[i].element[0])
			sb_jset_str(e, "element", f->e[i].element);
		json_object_array_add(arr, e);
	}
	json_object_object_add(fo, "Error", arr);
	sb_jset_str(fo, "type", f->type ? f->type : "ValidationFault");
	return fo;
}

void qbo_ctx_init(struct qbo_ctx *c, struct sandbox *sb, struct qbo_fault *f)
{
	memset(f, 0, sizeof(*f));
	memset(c, 0, sizeof(*c));
	c->sb = sb;
	c->r = sb->qbo;
	c->now = sb_now(sb);
	c->f = f;
}

json_object *qbo_fault_json(struct qbo_ctx *c, const struct qbo_fault *f)
{
	json_object *o = json_object_new_object();
	char t[48];

	json_object_object_add(o, "Fault", fault_obj(f));
	qbo_time(t, sizeof(t), c->now);
	sb_jset_str(o, "time", t);
	return o;
}

static void resp_fault(struct qbo_ctx *c, struct sandbox_response *resp, const struct qbo_fault *f)
{
	json_object *o = qbo_fault_json(c, f);

	sb_resp_json(resp, f->status ? f->status : 400, o);
	json_object_put(o);
}

/* Reply {"<key>": obj, "time": ...} (takes obj). */
static void resp_wrapped(struct qbo_ctx *c, struct sandbox_response *resp, const char *key,
                         json_object *obj)
{
	json_object *o = json_object_new_object();
	char t[48];

	json_object_object_add(o, key, obj);
	qbo_time(t, sizeof(t), c->now);
	sb_jset_str(o, "time", t);
	sb_resp_json(resp, 200, o);
	json_object_put(o);
}

/* ------------------------------------------------------------- entities */

/* The operation a POST asks for: ?operation=, else update when the body
 * has an Id, else create.  update&include=void is a void (BillPayment). */
static const char *post_op(const struct sandbox_request *req, json_object *in)
{
	const char *op = sb_query(req, "operation");
	const char *inc = sb_query(req, "include");

	if (op != NULL && strcasecmp(op, "update") == 0 && inc != NULL &&
	    strcasecmp(inc, "void") == 0)
		return "void";
	if (op != NULL)
		return op;
	return sb_jstr(in, "Id") != NULL ? "update" : "create";
}

static void handle_entity(struct qbo_ctx *c, int ent, const char *id,
                          const struct sandbox_request *req, struct sandbox_response *resp)
{
	json_object *in = NULL, *out = NULL;
	const char *op;

	if (strcmp(req->method, "GET") == 0) {
		if (qbo_read(c, ent, id, &out) != BS_OK)
			resp_fault(c, resp, c->f);
		else
			resp_wrapped(c, resp, qbo_ents[ent].name, out);
		return;
	}
	if (strcmp(req->method, "POST") != 0 || id != NULL) {
		qbo_fault(c->f, 405, "ValidationFault", "500", "Unsupported Operation", NULL,
		          "Operation %s %s is not supported", req->method, req->path);
		resp_fault(c, resp, c->f);
		return;
	}
	in = json_tokener_parse(req->body_len ? req->body : "");
	if (in == NULL || !json_object_is_type(in, json_type_object)) {
		qbo_verr(c->f, "2310", "Request has invalid or unsupported property", NULL,
		         "Request body is not a JSON object");
		resp_fault(c, resp, c->f);
		goto out;
	}
	op = post_op(req, in);
	if (qbo_op(c, ent, op, in, &out) != BS_OK)
		resp_fault(c, resp, c->f);
	else
		resp_wrapped(c, resp, qbo_ents[ent].name, out);
out:
	json_object_put(in);
}

/* ------------------------------------------------------------- batch */

/* One BatchItemResponse: the item runs on a copy of the context with its
 * own Fault, so a failing item leaves the others alone. */
static json_object *batch_item(const struct qbo_ctx *bc, json_object *item)
{
	struct qbo_ctx ic = *bc, *c = &ic;
	json_object *res = json_object_new_object(), *out = NULL, *v;
	const char *bid = sb_jstr(item, "bId"), *op = sb_jstr(item, "operation");
	const char *inc = sb_jstr(item, "optionsData");
	struct qbo_fault f;
	int ent = -1, rc = BS_EINVAL;
	const char *key = NULL;

	memset(&f, 0, sizeof(f));
	ic.f = &f;
	sb_jset_str(res, "bId", bid);
	if (bid == NULL || strlen(bid) == 0) {
		qbo_verr(&f, "2020",
		         "Required param missing, need to supply the required value "
		         "for the API",
		         "bId", "Required parameter bId is missing in the request");
	} else if ((v = json_object_object_get(item, "Query")) != NULL) {
		rc = qbo_query_run(c, json_object_get_string(v), &out);
		key = "QueryResponse";
	} else {
		json_object_object_foreach(item, k, val)
		{
			int e = qbo_ent_of(k, strlen(k));

			if (e >= 0 && json_object_is_type(val, json_type_object)) {
				ent = e;
				v = val;
			}
		}
		if (ent < 0 || op == NULL)
			qbo_verr(&f, "2020",
			         "Required param missing, need to supply the required "
			         "value for the API",
			         "operation",
			         "A batch item needs an operation and one entity, or a Query");
		else {
			if (strcasecmp(op, "update") == 0 && inc != NULL &&
			    strcasecmp(inc, "void") == 0)
				op = "void";
			rc = qbo_op(c, ent, op, v, &out);
			key = qbo_ents[ent].name;
		}
	}
	if (rc == BS_OK)
		json_object_object_add(res, key, out);
	else
		json_object_object_add(res, "Fault", fault_obj(&f));
	return res;
}

static void handle_batch(struct qbo_ctx *c, const struct sandbox_request *req,
                         struct sandbox_response *resp, int *elements)
{
	json_object *in = json_tokener_parse(req->body_len ? req->body : ""), *items, *arr;
	struct qbo_fault *top = c->f;
	size_t n;

	if (in == NULL || !json_object_object_get_ex(in, "BatchItemRequest", &items) ||
	    !json_object_is_type(items, json_type_array)) {
		qbo_verr(top, "2020",
		         "Required param missing, need to supply the required value "
		         "for the API",
		         "BatchItemRequest", "BatchItemRequest is missing");
		resp_fault(c, resp, top);
		goto out;
	}
	n = json_object_array_length(items);
	if (n == 0 || n > BATCH_MAX) {
		qbo_verr(top, "6000",
		         "A business validation error has occurred while processing "
		         "your request",
		         NULL, "A batch holds 1 to %d items, this one %zu", BATCH_MAX, n);
		resp_fault(c, resp, top);
		goto out;
	}
	/* an item does not see what earlier items of the same batch created */
	c->visible_seq = c->sb->doc_seq;
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, batch_item(c, json_object_array_get_idx(items, i)));
	c->visible_seq = 0;
	*elements = (int)n;
	resp_wrapped(c, resp, "BatchItemResponse", arr);
out:
	json_object_put(in);
}

/* ------------------------------------------------------------- routing */

static void route(struct qbo_ctx *c, const struct sandbox_request *req, const char *rest,
                  struct sandbox_response *resp, int *elements)
{
	size_t n = strcspn(rest, "/");
	const char *id = rest[n] == '/' && rest[n + 1] ? rest + n + 1 : NULL;
	json_object *out = NULL;
	int ent;

	*elements = 1;
	if (n == 5 && strncasecmp(rest, "query", 5) == 0) {
		const char *q = sb_query(req, "query");

		if (q == NULL && strcmp(req->method, "POST") == 0)
			q = req->body;
		if (qbo_query_run(c, q ? q : "", &out) != BS_OK)
			resp_fault(c, resp, c->f);
		else
			resp_wrapped(c, resp, "QueryResponse", out);
		return;
	}
	if (n == 3 && strncasecmp(rest, "cdc", 3) == 0) {
		if (qbo_cdc_run(c, sb_query(req, "entities"), sb_query(req, "changedSince"),
		                &out) != BS_OK)
			resp_fault(c, resp, c->f);
		else
			resp_wrapped(c, resp, "CDCResponse", out);
		return;
	}
	if (n == 5 && strncasecmp(rest, "batch", 5) == 0 && strcmp(req->method, "POST") == 0) {
		handle_batch(c, req, resp, elements);
		return;
	}
	ent = qbo_ent_of(rest, n);
	if (ent == QBE_COMPANYINFO || ent == QBE_PREFERENCES) {
		/* one each: /companyinfo/<realmId>, /preferences */
		struct qbo_coll *cl = &c->r->coll[ent];

		if (strcmp(req->method, "GET") == 0 && cl->n > 0)
			id = cl->docs[0]->id;
	}
	if (ent < 0 || (n > 0 && rest[0] >= 'A' && rest[0] <= 'Z')) {
		/* URIs are case-sensitive: entity segments are lower case */
		qbo_fault(c->f, 400, "ValidationFault", "4000", "Unsupported Operation", NULL,
		          "Operation Could not find resource for relative : /%.*s of full path: %s",
		          (int)n, rest, req->path);
		resp_fault(c, resp, c->f);
		return;
	}
	handle_entity(c, ent, id, req, resp);
}

/* ------------------------------------------------------------- requestid */

static void req_hash(const struct sandbox_request *req, uint8_t out[16])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 16);
	crypto_generichash_update(&st, (const uint8_t *)req->method, strlen(req->method) + 1);
	crypto_generichash_update(&st, (const uint8_t *)req->path, strlen(req->path) + 1);
	for (size_t i = 0; i < req->nquery; i++) {
		const char *k = req->query[i].key ? req->query[i].key : "";
		const char *v = req->query[i].value ? req->query[i].value : "";

		if (strcasecmp(k, "minorversion") == 0)
			continue; /* a retry may ask for another schema revision */
		crypto_generichash_update(&st, (const uint8_t *)k, strlen(k) + 1);
		crypto_generichash_update(&st, (const uint8_t *)v, strlen(v) + 1);
	}
	if (req->body_len > 0)
		crypto_generichash_update(&st, (const uint8_t *)req->body, req->body_len);
	crypto_generichash_final(&st, out, 16);
}

static void reqid_sweep(struct qbo_realm *r, int64_t now, int64_t ttl)
{
	for (size_t i = 0; i < r->reqids.cap; i++) {
		struct qbo_reqid *q;

		if (!sb_map_live(&r->reqids, i))
			continue;
		q = r->reqids.ents[i].val;
		if (q->created_ms + ttl <= now) {
			q = sb_map_del(&r->reqids, r->reqids.ents[i].key);
			free(q->body);
			free(q);
		}
	}
}

/* A replay answered (true), or a bad id refused (true); else false and
 * *store says whether this request's answer is to be kept. */
static bool reqid_begin(struct qbo_ctx *c, const struct sandbox_request *req, const char *rid,
                        struct sandbox_response *resp, bool *store, uint8_t hash[16])
{
	struct qbo_reqid *q;
	size_t max =
	    strncasecmp(req->path + strlen(COMPANY_PATH) + strlen(c->r->id) + 1, "batch", 5) == 0
	        ? 36
	        : REQID_MAX;

	*store = false;
	if (rid[0] == '\0' || strlen(rid) > max) {
		qbo_verr(c->f, "6000",
		         "A business validation error has occurred while processing "
		         "your request",
		         "requestid", "requestid must be 1 to %zu characters", max);
		resp_fault(c, resp, c->f);
		return true;
	}
	req_hash(req, hash);
	q = sb_map_get(&c->r->reqids, rid);
	if (q != NULL && q->created_ms + REQID_TTL_MS / c->sb->time_scale <= c->now) {
		q = sb_map_del(&c->r->reqids, rid);
		free(q->body);
		free(q);
		q = NULL;
	}
	if (q != NULL && q->body != NULL && memcmp(q->hash, hash, 16) == 0) {
		sb_resp_text(resp, q->status, "application/json; charset=utf-8", q->body);
		return true;
	}
	/* a different request under a known id runs as a new one, unkept */
	*store = q == NULL;
	if (c->r->calls % 1024 == 0)
		reqid_sweep(c->r, c->now, REQID_TTL_MS / c->sb->time_scale);
	return false;
}

static void reqid_end(struct qbo_ctx *c, const char *rid, const uint8_t hash[16],
                      const struct sandbox_response *resp)
{
	struct qbo_reqid *q;

	if (resp->status >= 500 || resp->status == 429 || resp->drop)
		return; /* a retry should run again */
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return;
	memcpy(q->hash, hash, 16);
	q->status = resp->status;
	q->created_ms = c->now;
	q->body = strdup(buf_cstr(&resp->body));
	if (q->body == NULL || sb_map_put(&c->r->reqids, rid, q) != BS_OK) {
		free(q->body);
		free(q);
	}
}

/* ------------------------------------------------------------- limits */

/* 0 when the call may go ahead (and is counted), else fills a 429. */
static int rate_check(struct qbo_ctx *c, bool batch, struct sandbox_response *resp)
{
	struct sandbox *sb = c->sb;
	struct qbo_realm *r = c->r;
	int64_t span = MINUTE_MS / sb->time_scale, retry;
	int rem;

	if (sb->limits_off)
		return 0;
	if (r->inflight >= sb->lim_conc ||
	    !sb_window_fits(&r->minute, c->now, span, sb->lim_minute, &retry, &rem) ||
	    (batch && !sb_window_fits(&r->batch, c->now, span, sb->lim_batch, &retry, &rem))) {
		r->limited++;
		qbo_fault(c->f, 429, "SERVICE", "3001",
		          "message=ThrottleExceeded; errorCode=003001; statusCode=429", NULL,
		          "The request limit was reached. Try again later");
		resp_fault(c, resp, c->f);
		return -1;
	}
	sb_window_add(&r->minute, c->now);
	if (batch)
		sb_window_add(&r->batch, c->now);
	return 0;
}

/* A fault that answers at once (500, 503, drop): true when it did. */
static bool fault_answer(struct qbo_ctx *c, enum sb_fault f, struct sandbox_response *resp)
{
	if (f == SBF_500) {
		qbo_fault(c->f, 500, "SystemFault", "10000",
		          "An application error has occurred while processing your request", NULL,
		          "System Failure Error: sandbox fault");
		resp_fault(c, resp, c->f);
		return true;
	}
	if (f == SBF_503) {
		sb_resp_text(resp, 503, "text/html",
		             "<html><body>Service Unavailable</body></html>");
		return true;
	}
	if (f == SBF_DROP) {
		resp->drop = true;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------- the API */

static void auth_fault(struct qbo_ctx *c, struct sandbox_response *resp, int status,
                       const char *code, const char *detail)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "message=%s; errorCode=00%s; statusCode=%d",
	         status == 401 ? "AuthenticationFailed" : "ApplicationAuthorizationFailed", code,
	         status);
	qbo_fault(c->f, status, status == 401 ? "AuthenticationFault" : "AuthorizationFault", code,
	          msg, NULL, "%s", detail);
	resp_fault(c, resp, c->f);
}

static void handle_company(struct qbo_ctx *c, const struct sandbox_request *req,
                           struct sandbox_response *resp, const char **tenant, int *elements,
                           enum sb_fault *fault_out)
{
	struct sandbox *sb = c->sb;
	const char *p = req->path + strlen(COMPANY_PATH), *rest, *rid = sb_query(req, "requestid");
	struct sb_token *tok;
	enum sb_fault f = sb_fault_draw(sb);
	bool store = false, batch;
	uint8_t hash[16];
	char realm[24];

	*fault_out = f;
	if (fault_answer(c, f, resp))
		return;
	tok = sb_oauth_check(sb, sb_header(req, "Authorization"));
	if (tok == NULL) {
		auth_fault(c, resp, 401, "3200", "Token expired or invalid");
		return;
	}
	rest = strchr(p, '/');
	if (rest != NULL && (size_t)(rest - p) < sizeof(realm)) {
		memcpy(realm, p, (size_t)(rest - p));
		realm[rest - p] = '\0';
		c->r = qbo_realm_find(sb, realm);
	} else {
		c->r = NULL;
	}
	/* a token is its grant's company (one issued in-process: any) */
	if (c->r == NULL || (tok->realm[0] != '\0' && strcmp(tok->realm, c->r->id) != 0)) {
		auth_fault(c, resp, 403, "3100", "The token has no access to this realm");
		return;
	}
	if (!sb_scope_has(tok->scope, ACCOUNTING)) {
		auth_fault(c, resp, 403, "3100", "The token lacks the " ACCOUNTING " scope");
		return;
	}
	rest++;
	*tenant = c->r->id;
	batch = strncasecmp(rest, "batch", 5) == 0;
	if (rate_check(c, batch, resp) != 0)
		return;
	c->r->calls++;
	c->r->inflight++;
	if (rid != NULL && reqid_begin(c, req, rid, resp, &store, hash))
		goto done;
	if (f == SBF_SLOW) {
		uint64_t epoch = sb->qbo_epoch;

		/* sleep unlocked: the request stays in flight */
		pthread_mutex_unlock(&sb->lock);
		usleep((useconds_t)sb->slow_ms * 1000);
		pthread_mutex_lock(&sb->lock);
		if (sb->qbo_epoch != epoch) { /* reset while we slept */
			auth_fault(c, resp, 403, "3100", "The company was reset");
			return;
		}
		c->now = sb_now(sb);
	}
	/* a --companies company gets its lists at its first call */
	if (qbo_realm_ready(c) != BS_OK) {
		qbo_fault(c->f, 500, "SystemFault", "10000",
		          "An application error has occurred while processing your request", NULL,
		          "cannot seed the company");
		resp_fault(c, resp, c->f);
	} else {
		route(c, req, rest, resp, elements);
	}
	if (store)
		reqid_end(c, rid, hash, resp);
	if (f == SBF_LOST)
		resp->drop = true;
done:
	c->r->inflight--;
}

void qbo_handle(struct sandbox *sb, const struct sandbox_request *req,
                struct sandbox_response *resp, const char **tenant, int *elements,
                enum sb_fault *fault)
{
	const char *path = req->path;
	struct qbo_fault f;
	struct qbo_ctx c;

	qbo_ctx_init(&c, sb, &f);
	if (strcmp(path, "/connect/oauth2") == 0)
		sb_oauth_authorize(sb, req, resp);
	else if (strcmp(path, "/oauth2/v1/tokens/bearer") == 0)
		sb_oauth_token(sb, req, resp);
	else if (strcmp(path, "/oauth2/v1/tokens/revoke") == 0)
		sb_oauth_revoke(sb, req, resp);
	else if (strncmp(path, COMPANY_PATH, strlen(COMPANY_PATH)) == 0 && sb->qbo != NULL)
		handle_company(&c, req, resp, tenant, elements, fault);
	else {
		qbo_fault(&f, 404, "ValidationFault", "4000", "Unsupported Operation", NULL,
		          "No such resource: %s", path);
		resp_fault(&c, resp, &f);
	}
}
