/*
 * sb_core.c - the socket-free request core, sandbox_handle(): routing to
 * OAuth, /connections, the admin endpoints and the Accounting API (or, for
 * a QuickBooks Online sandbox, to qbo_handle); for API
 * calls the token and tenant, the rate limits (sliding windows) and their
 * headers, Idempotency-Key replay and fault injection.  Also the response
 * helpers every handler uses.
 */
#include "sandbox/sb_int.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define IDEM_TTL_MS INT64_C(86400000)
#define MINUTE_MS   INT64_C(60000)
#define DAY_MS      INT64_C(86400000)

/* ------------------------------------------------------------- responses */

void sandbox_response_init(struct sandbox_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, 0);
	resp->status = 500;
	resp->content_type = "application/json; charset=utf-8";
}

void sandbox_response_free(struct sandbox_response *resp)
{
	buf_free(&resp->body);
}

void sb_resp_header(struct sandbox_response *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->hname[i], name) == 0)
			break;
	if (i == SANDBOX_MAX_HEADERS)
		return;
	snprintf(r->hname[i], SANDBOX_HDR_NAME, "%s", name);
	va_start(ap, fmt);
	/* the analyzer loses va_start when it inlines this variadic call */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	vsnprintf(r->hvalue[i], SANDBOX_HDR_VALUE, fmt, ap);
	va_end(ap);
	if (i == r->nheaders)
		r->nheaders++;
}

void sb_resp_json(struct sandbox_response *r, int status, json_object *o)
{
	buf_reset(&r->body);
	r->status = status;
	r->content_type = "application/json; charset=utf-8";
	if (buf_addstr(&r->body, json_object_to_json_string_ext(
	                             o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) !=
	    BS_OK) {
		buf_reset(&r->body);
		r->status = 500;
	}
}

void sb_resp_text(struct sandbox_response *r, int status, const char *ctype, const char *text)
{
	buf_reset(&r->body);
	r->status = status;
	r->content_type = ctype;
	if (buf_addstr(&r->body, text) != BS_OK)
		r->status = 500;
}

void sb_resp_problem(struct sandbox_response *r, int status, const char *title, const char *detail)
{
	json_object *o = json_object_new_object();
	char id[40];

	sb_uuid(id);
	json_object_object_add(o, "Type", NULL);
	sb_jset_str(o, "Title", title);
	json_object_object_add(o, "Status", json_object_new_int(status));
	sb_jset_str(o, "Detail", detail);
	sb_jset_str(o, "Instance", id);
	json_object_object_add(o, "Extensions", json_object_new_object());
	sb_resp_json(r, status, o);
	json_object_put(o);
}

void sb_resp_error(struct sandbox_response *r, int status, int num, const char *type,
                   const char *msg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ErrorNumber", json_object_new_int(num));
	sb_jset_str(o, "Type", type);
	sb_jset_str(o, "Message", msg);
	sb_resp_json(r, status, o);
	json_object_put(o);
}

const char *sb_header(const struct sandbox_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (req->headers[i].key && strcasecmp(req->headers[i].key, name) == 0)
			return req->headers[i].value;
	return NULL;
}

const char *sb_query(const struct sandbox_request *req, const char *name)
{
	for (size_t i = 0; i < req->nquery; i++)
		if (req->query[i].key && strcasecmp(req->query[i].key, name) == 0)
			return req->query[i].value ? req->query[i].value : "";
	return NULL;
}

void sb_envelope(struct sandbox *sb, json_object *env)
{
	char id[40], d[48];

	sb_uuid(id);
	sb_jset_str(env, "Id", id);
	sb_jset_str(env, "Status", "OK");
	sb_jset_str(env, "ProviderName", "booksync sandbox");
	sb_msdate(d, sizeof(d), sb_now(sb));
	sb_jset_str(env, "DateTimeUTC", d);
}

/* ------------------------------------------------------------- windows */

bool sb_window_fits(struct sb_window *w, int64_t now, int64_t span, int limit, int64_t *retry_ms,
                    int *remaining)
{
	while (w->n > 0 && w->ts[w->head] <= now - span) {
		w->head = (w->head + 1) % w->cap;
		w->n--;
	}
	*remaining = limit - (int)w->n;
	if (*remaining < 0)
		*remaining = 0;
	if ((int)w->n >= limit) {
		*retry_ms = w->ts[w->head] + span - now;
		return false;
	}
	return true;
}

void sb_window_init(struct sb_window *w, int max)
{
	memset(w, 0, sizeof(*w));
	w->max = max > 0 ? (size_t)max : 0;
}

void sb_window_free(struct sb_window *w)
{
	free(w->ts);
	sb_window_init(w, 0);
}

/* Room for one more time: double the ring (oldest first at 0), at most to
 * w->max slots.  false when it cannot grow (full at max, or no memory). */
static bool window_grow(struct sb_window *w)
{
	size_t ncap = w->cap ? w->cap * 2 : 16;
	int64_t *nts;

	if (w->cap >= w->max)
		return false;
	if (ncap > w->max)
		ncap = w->max;
	nts = malloc(ncap * sizeof(*nts));
	if (nts == NULL)
		return false;
	for (size_t i = 0; i < w->n; i++)
		nts[i] = w->ts[(w->head + i) % w->cap];
	free(w->ts);
	w->ts = nts;
	w->cap = ncap;
	w->head = 0;
	return true;
}

void sb_window_add(struct sb_window *w, int64_t now)
{
	if (w->max == 0)
		return; /* a zero limit keeps no window */
	if (w->n == w->cap && !window_grow(w)) {
		if (w->cap == 0)
			return;                   /* no memory for even one slot: not counted */
		w->head = (w->head + 1) % w->cap; /* full: drop the oldest */
		w->n--;
	}
	w->ts[(w->head + w->n) % w->cap] = now;
	w->n++;
}

/* ------------------------------------------------------------- faults */

static uint64_t splitmix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* The n-th API request's fault: a pure function of (seed, n). */
enum sb_fault sb_fault_draw(struct sandbox *sb)
{
	uint64_t n, r1, r2;

	if (sb->fault_ppm == 0 || sb->nfault_kinds == 0)
		return SBF_NONE;
	n = sb->fault_seq++;
	r1 = splitmix64(sb->fault_seed ^ splitmix64(n));
	r2 = splitmix64(r1);
	if (r1 % 1000000 >= sb->fault_ppm)
		return SBF_NONE;
	return sb->fault_kinds[r2 % (uint64_t)sb->nfault_kinds];
}

const char *sb_fault_name(enum sb_fault f)
{
	static const char *const names[] = {"", "500", "503", "slow", "drop", "lost"};

	return names[f];
}

/* ------------------------------------------------------------- counters */

const char *const sb_method_names[SB_NMETHODS] = {"GET", "PUT", "POST", "DELETE", "OTHER"};

int sb_method_idx(const char *m)
{
	for (int i = 0; i < SB_NMETHODS - 1; i++)
		if (strcmp(m, sb_method_names[i]) == 0)
			return i;
	return SB_NMETHODS - 1;
}

/* ------------------------------------------------------------- connections */

static void handle_connections(struct sandbox *sb, const struct sandbox_request *req,
                               struct sandbox_response *resp)
{
	struct sb_token *tok = sb_oauth_check(sb, sb_header(req, "Authorization"));
	const char *p = req->path + strlen("/connections");

	if (tok == NULL) {
		sb_resp_problem(resp, 401, "Unauthorized", "AuthenticationUnsuccessful");
		return;
	}
	if (strcmp(req->method, "GET") == 0 && (*p == '\0' || strcmp(p, "/") == 0)) {
		json_object *arr = json_object_new_array();
		const char *ev = sb_query(req, "authEventId");

		for (size_t i = 0; i < sb->ntenants; i++) {
			struct sb_tenant *tn = sb->tenants[i];
			json_object *c;
			char d[48];

			if (!tn->connected)
				continue;
			if (ev != NULL && strcasecmp(ev, tn->conn_id) != 0)
				continue;
			c = json_object_new_object();
			sb_jset_str(c, "id", tn->conn_id);
			sb_jset_str(c, "authEventId", tn->conn_id);
			sb_jset_str(c, "tenantId", tn->id);
			sb_jset_str(c, "tenantType", "ORGANISATION");
			sb_jset_str(c, "tenantName", sb_jstr(tn->org, "Name"));
			sb_isodate(d, sizeof(d), tn->created_ms, true);
			sb_jset_str(c, "createdDateUtc", d);
			sb_jset_str(c, "updatedDateUtc", d);
			json_object_array_add(arr, c);
		}
		sb_resp_json(resp, 200, arr);
		json_object_put(arr);
		return;
	}
	if (strcmp(req->method, "DELETE") == 0 && *p == '/') {
		for (size_t i = 0; i < sb->ntenants; i++) {
			if (strcasecmp(sb->tenants[i]->conn_id, p + 1) == 0 &&
			    sb->tenants[i]->connected) {
				sb->tenants[i]->connected = false;
				sb_state_save_tenant(sb, sb->tenants[i]);
				sb_resp_text(resp, 204, "text/plain", "");
				return;
			}
		}
		sb_resp_problem(resp, 404, "Not Found", "no such connection");
		return;
	}
	sb_resp_problem(resp, 405, "Method Not Allowed", "unsupported");
}

/* ------------------------------------------------------------- the API path */

static void rate_headers(struct sandbox *sb, struct sb_tenant *tn, struct sandbox_response *resp,
                         int64_t now)
{
	int64_t span_m = MINUTE_MS / sb->time_scale, span_d = DAY_MS / sb->time_scale, r;
	int rem;

	if (sb->limits_off)
		return;
	sb_window_fits(&sb->app, now, span_m, sb->lim_app, &r, &rem);
	sb_resp_header(resp, "X-AppMinLimit-Remaining", "%d", rem);
	if (tn != NULL) {
		sb_window_fits(&tn->day, now, span_d, sb->lim_day, &r, &rem);
		sb_resp_header(resp, "X-DayLimit-Remaining", "%d", rem);
		sb_window_fits(&tn->minute, now, span_m, sb->lim_minute, &r, &rem);
		sb_resp_header(resp, "X-MinLimit-Remaining", "%d", rem);
	}
}

/* 0 when the call may go ahead (and is counted), else fills a 429. */
static int rate_check(struct sandbox *sb, struct sb_tenant *tn, struct sandbox_response *resp,
                      int64_t now)
{
	int64_t span_m = MINUTE_MS / sb->time_scale, span_d = DAY_MS / sb->time_scale;
	int64_t retry = 0;
	int rem;
	const char *problem = NULL;

	if (sb->limits_off)
		return 0;
	if (tn->inflight >= sb->lim_conc) {
		problem = "Concurrent";
		retry = 1000;
	} else if (!sb_window_fits(&tn->day, now, span_d, sb->lim_day, &retry, &rem)) {
		problem = "Daily";
	} else if (!sb_window_fits(&tn->minute, now, span_m, sb->lim_minute, &retry, &rem)) {
		problem = "Minute";
	} else if (!sb_window_fits(&sb->app, now, span_m, sb->lim_app, &retry, &rem)) {
		problem = "AppMinute";
	}
	if (problem != NULL) {
		/* Retry-After: real seconds until a slot frees, rounded up, at least 1 */
		int64_t secs = (retry + 999) / 1000;

		tn->limited++;
		sb_resp_text(resp, 429, "application/json",
		             "{\"Title\":\"Too Many Requests\",\"Status\":429,"
		             "\"Detail\":\"Rate limit exceeded\"}");
		sb_resp_header(resp, "Retry-After", "%lld", (long long)(secs < 1 ? 1 : secs));
		sb_resp_header(resp, "X-Rate-Limit-Problem", "%s", problem);
		rate_headers(sb, tn, resp, now);
		return -1;
	}
	sb_window_add(&tn->day, now);
	sb_window_add(&tn->minute, now);
	sb_window_add(&sb->app, now);
	return 0;
}

static void idem_hash(const struct sandbox_request *req, uint8_t out[16])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 16);
	crypto_generichash_update(&st, (const uint8_t *)req->method, strlen(req->method) + 1);
	crypto_generichash_update(&st, (const uint8_t *)req->path, strlen(req->path) + 1);
	for (size_t i = 0; i < req->nquery; i++) {
		const char *k = req->query[i].key ? req->query[i].key : "";
		const char *v = req->query[i].value ? req->query[i].value : "";

		crypto_generichash_update(&st, (const uint8_t *)k, strlen(k) + 1);
		crypto_generichash_update(&st, (const uint8_t *)v, strlen(v) + 1);
	}
	if (req->body_len > 0)
		crypto_generichash_update(&st, (const uint8_t *)req->body, req->body_len);
	crypto_generichash_final(&st, out, 16);
}

static void idem_free(struct sb_idem *ie)
{
	if (ie) {
		free(ie->body);
		free(ie);
	}
}

/* Forget finished keys past their retention (running ones are in use). */
static void idem_sweep(struct sb_tenant *tn, int64_t now, int64_t ttl)
{
	for (size_t i = 0; i < tn->idem.cap; i++) {
		struct sb_idem *ie;

		if (!sb_map_live(&tn->idem, i))
			continue;
		ie = tn->idem.ents[i].val;
		if (ie->done && ie->created_ms + ttl <= now)
			idem_free(sb_map_del(&tn->idem, tn->idem.ents[i].key));
	}
}

static int counter_idx(const char *rest)
{
	size_t n = strcspn(rest, "/");
	int k = sb_kind_of(rest, n);

	if (k >= 0)
		return k;
	return k == -2 ? SBK_COUNT : SBK_COUNT + 1;
}

/* A fault that answers at once (500, 503, drop): true when it did. */
static bool fault_answer(struct sandbox *sb, enum sb_fault f, struct sandbox_response *resp,
                         int64_t now)
{
	if (f == SBF_500 || f == SBF_503)
		rate_headers(sb, NULL, resp, now);
	if (f == SBF_500) {
		sb_resp_text(resp, 500, "application/json",
		             "{\"ErrorNumber\":500,\"Type\":\"UnknownErrorException\","
		             "\"Message\":\"An error occurred in Xero. (sandbox fault)\"}");
		return true;
	}
	if (f == SBF_503) {
		sb_resp_text(resp, 503, "text/plain",
		             "The Xero API is currently offline for maintenance");
		return true;
	}
	if (f == SBF_DROP) {
		resp->drop = true;
		return true;
	}
	return false;
}

/*
 * A write's Idempotency-Key: a bad key, a replay or a conflict is answered
 * here (true).  Else *out is the entry that will keep this request's answer
 * (idem_end), or NULL when it could not be made (answered: true).
 */
static bool idem_begin(struct sandbox *sb, struct sb_tenant *tn, const struct sandbox_request *req,
                       const char *key, int64_t now, struct sandbox_response *resp,
                       struct sb_idem **out)
{
	struct sb_idem *ie;
	uint8_t h[16];

	*out = NULL;
	if (strlen(key) == 0 || strlen(key) > 128) {
		sb_resp_error(resp, 400, 10, "ValidationException",
		              "Idempotency-Key must be 1 to 128 characters");
		return true;
	}
	idem_hash(req, h);
	ie = sb_map_get(&tn->idem, key);
	if (ie != NULL && ie->created_ms + IDEM_TTL_MS / sb->time_scale <= now) {
		idem_free(sb_map_del(&tn->idem, key));
		ie = NULL;
	}
	if (ie != NULL) {
		if (memcmp(ie->hash, h, 16) != 0)
			sb_resp_error(resp, 409, 409, "IdempotencyKeyConflict",
			              "Idempotency-Key reused with a different request");
		else if (!ie->done)
			sb_resp_error(resp, 409, 409, "IdempotencyKeyInProgress",
			              "A request with this Idempotency-Key is in progress");
		else {
			sb_resp_text(resp, ie->status, "application/json; charset=utf-8", ie->body);
			sb_resp_header(resp, "Idempotent-Replayed", "true");
		}
		return true;
	}
	if (tn->calls % 1024 == 0)
		idem_sweep(tn, now, IDEM_TTL_MS / sb->time_scale);
	ie = calloc(1, sizeof(*ie));
	if (ie == NULL || sb_map_put(&tn->idem, key, ie) != BS_OK) {
		free(ie);
		sb_resp_problem(resp, 500, "Internal", "out of memory");
		return true;
	}
	memcpy(ie->hash, h, 16);
	ie->created_ms = now;
	*out = ie;
	return false;
}

/* Keep the answer for replays; a 5xx is not kept: a retry should run again. */
static void idem_end(struct sb_tenant *tn, const char *key, struct sb_idem *ie,
                     const struct sandbox_response *resp)
{
	if (resp->status >= 500) {
		idem_free(sb_map_del(&tn->idem, key));
		return;
	}
	ie->status = resp->status;
	ie->body = strdup(buf_cstr(&resp->body));
	ie->done = true;
	if (ie->body == NULL)
		idem_free(sb_map_del(&tn->idem, key));
}

static void handle_api(struct sandbox *sb, const struct sandbox_request *req,
                       struct sandbox_response *resp, const char **tenant_out, int *elements,
                       enum sb_fault *fault_out)
{
	const char *rest = req->path + strlen("/api.xro/2.0/");
	const char *tid = sb_header(req, "xero-tenant-id");
	const char *key = sb_header(req, "Idempotency-Key");
	struct sb_tenant *tn;
	struct sb_idem *ie = NULL;
	int64_t now = sb_now(sb);
	enum sb_fault f = sb_fault_draw(sb);

	*fault_out = f;
	if (fault_answer(sb, f, resp, now))
		return;
	if (sb_oauth_check(sb, sb_header(req, "Authorization")) == NULL) {
		sb_resp_problem(resp, 401, "Unauthorized", "AuthenticationUnsuccessful");
		rate_headers(sb, NULL, resp, now);
		return;
	}
	tn = sb_tenant_find(sb, tid);
	if (tn == NULL || !tn->connected) {
		sb_resp_problem(resp, 403, "Forbidden",
		                tid == NULL ? "AuthenticationUnsuccessful: xero-tenant-id missing"
		                            : "AuthenticationUnsuccessful: tenant not connected");
		rate_headers(sb, NULL, resp, now);
		return;
	}
	*tenant_out = tn->id;
	if (rate_check(sb, tn, resp, now) != 0)
		return;
	tn->calls++;
	tn->by_ep[counter_idx(rest)][sb_method_idx(req->method)]++;
	tn->inflight++;
	if (strcmp(req->method, "GET") != 0 && key != NULL &&
	    idem_begin(sb, tn, req, key, now, resp, &ie))
		goto done;
	if (f == SBF_SLOW) {
		/* sleep unlocked: the request stays "in flight" (concurrency, idempotency) */
		pthread_mutex_unlock(&sb->lock);
		usleep((useconds_t)sb->slow_ms * 1000);
		pthread_mutex_lock(&sb->lock);
		tn = sb_tenant_find(sb, *tenant_out);
		if (tn == NULL) { /* reset while we slept */
			sb_resp_problem(resp, 403, "Forbidden", "tenant gone");
			return;
		}
		if (ie != NULL && sb_map_get(&tn->idem, key) != ie)
			ie = NULL;
	}
	/* a --tenants organisation gets its chart at its first call */
	if (sb_tenant_ready(sb, tn) != BS_OK)
		sb_resp_problem(resp, 500, "Internal", "cannot seed the organisation");
	else
		sb_api_handle(sb, tn, req, rest, resp, elements);
	if (ie != NULL)
		idem_end(tn, key, ie, resp);
	if (f == SBF_LOST)
		resp->drop = true;
done:
	tn->inflight--;
	rate_headers(sb, tn, resp, now);
}

void sandbox_handle(struct sandbox *sb, const struct sandbox_request *req,
                    struct sandbox_response *resp)
{
	int64_t t0 = sb_mono_us();
	const char *tenant = NULL;
	int elements = 0;
	enum sb_fault f = SBF_NONE;
	const char *path = req->path ? req->path : "/";
	struct sandbox_request r = *req;

	r.path = path;
	if (r.method == NULL)
		r.method = "GET";
	pthread_mutex_lock(&sb->lock);
	if (strncmp(path, "/sandbox/", 9) == 0) {
		sb_admin_handle(sb, &r, resp);
		pthread_mutex_unlock(&sb->lock);
		return; /* admin calls are not logged: the log is about the API */
	}
	if (sb->ledger == SANDBOX_QBO)
		qbo_handle(sb, &r, resp, &tenant, &elements, &f);
	else if (strcmp(path, "/identity/connect/authorize") == 0)
		sb_oauth_authorize(sb, &r, resp);
	else if (strcmp(path, "/connect/token") == 0)
		sb_oauth_token(sb, &r, resp);
	else if (strcmp(path, "/connections") == 0 || strncmp(path, "/connections/", 13) == 0)
		handle_connections(sb, &r, resp);
	else if (strncmp(path, "/api.xro/2.0/", 13) == 0)
		handle_api(sb, &r, resp, &tenant, &elements, &f);
	else
		sb_resp_problem(resp, 404, "Not Found",
		                "The resource you're looking for cannot be found");
	sb_log_add(sb, &r, tenant, resp->drop ? 0 : resp->status, elements, sb_mono_us() - t0, f);
	pthread_mutex_unlock(&sb->lock);
}
