/*
 * sb_core.c - the sandbox's life cycle, the HTTP glue (libmicrohttpd) and
 * the socket-free request core: routing, auth, rate limits, idempotency,
 * fault injection, the request log and the /sandbox/ admin endpoints.
 */
#include "sandbox/sb_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX     ((size_t)3670016) /* 3.5 MB */
#define LOG_CAP      10000
#define IDEM_TTL_MS  INT64_C(86400000)
#define MINUTE_MS    INT64_C(60000)
#define DAY_MS       INT64_C(86400000)
#define BODY_ABS_MAX ((size_t)8 << 20) /* what we keep reading before answering 413 */

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

/* ------------------------------------------------------------- specs */

static bool parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* Walk "k=v,k=v": calls fn for each pair. */
static int spec_walk(const char *spec,
                     int (*fn)(struct sandbox *, const char *, size_t, const char *, size_t,
                               struct bs_error *),
                     struct sandbox *sb, struct bs_error *err)
{
	const char *p = spec;

	while (*p) {
		const char *end = strchr(p, ',');
		const char *eq;
		size_t len;
		int rc;

		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		eq = memchr(p, '=', len);
		if (eq == NULL)
			return bs_error_set(err, BS_EINVAL, "'%.*s': expected KEY=VALUE", (int)len,
			                    p);
		rc = fn(sb, p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1), err);
		if (rc != BS_OK)
			return rc;
		p = *end ? end + 1 : end;
	}
	return BS_OK;
}

static bool key_is(const char *k, size_t kn, const char *name)
{
	return strlen(name) == kn && memcmp(k, name, kn) == 0;
}

static int limit_pair(struct sandbox *sb, const char *k, size_t kn, const char *v, size_t vn,
                      struct bs_error *err)
{
	uint64_t n;

	if (!parse_uint(v, vn, 100000000, &n) || n == 0)
		return bs_error_set(err, BS_EINVAL, "limits: '%.*s' needs a positive integer",
		                    (int)kn, k);
	if (key_is(k, kn, "minute"))
		sb->lim_minute = (int)n;
	else if (key_is(k, kn, "day"))
		sb->lim_day = (int)n;
	else if (key_is(k, kn, "concurrent"))
		sb->lim_conc = (int)n;
	else if (key_is(k, kn, "app-minute"))
		sb->lim_app = (int)n;
	else if (key_is(k, kn, "time-scale"))
		sb->time_scale = (int)n;
	else
		return bs_error_set(err, BS_EINVAL, "limits: unknown key '%.*s'", (int)kn, k);
	return BS_OK;
}

static int fault_pair(struct sandbox *sb, const char *k, size_t kn, const char *v, size_t vn,
                      struct bs_error *err)
{
	uint64_t n;

	if (key_is(k, kn, "rate")) {
		int64_t ppm;

		if (money_parse_fixed(v, vn, 6, 6, &ppm) != BS_OK || ppm < 0 || ppm > 1000000)
			return bs_error_set(err, BS_EINVAL, "faults: rate must be 0..1");
		sb->fault_ppm = (uint32_t)ppm;
	} else if (key_is(k, kn, "seed")) {
		if (!parse_uint(v, vn, UINT64_MAX, &n))
			return bs_error_set(err, BS_EINVAL, "faults: bad seed");
		sb->fault_seed = n;
	} else if (key_is(k, kn, "slow-ms")) {
		if (!parse_uint(v, vn, 600000, &n))
			return bs_error_set(err, BS_EINVAL, "faults: bad slow-ms");
		sb->slow_ms = (int)n;
	} else if (key_is(k, kn, "kinds")) {
		const char *p = v, *end = v + vn;

		sb->nfault_kinds = 0;
		while (p < end) {
			const char *q = memchr(p, '+', (size_t)(end - p));
			size_t len;
			enum sb_fault f;

			if (q == NULL)
				q = end;
			len = (size_t)(q - p);
			if (key_is(p, len, "500"))
				f = SBF_500;
			else if (key_is(p, len, "503"))
				f = SBF_503;
			else if (key_is(p, len, "slow"))
				f = SBF_SLOW;
			else if (key_is(p, len, "drop"))
				f = SBF_DROP;
			else if (key_is(p, len, "lost"))
				f = SBF_LOST;
			else
				return bs_error_set(err, BS_EINVAL, "faults: unknown kind '%.*s'",
				                    (int)len, p);
			if (sb->nfault_kinds == 6)
				return bs_error_set(err, BS_EINVAL, "faults: too many kinds");
			sb->fault_kinds[sb->nfault_kinds++] = f;
			p = q < end ? q + 1 : q;
		}
	} else {
		return bs_error_set(err, BS_EINVAL, "faults: unknown key '%.*s'", (int)kn, k);
	}
	return BS_OK;
}

static int load_clients(struct sandbox *sb, const char *path, struct bs_error *err)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (f == NULL)
		return bs_error_set(err, BS_EINVAL, "clients file %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strcspn(line, "\r\n");
		char **nc;

		line[n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (strchr(line, ':') == NULL) {
			fclose(f);
			return bs_error_set(err, BS_EINVAL,
			                    "clients file %s: '%s' is not id:secret", path, line);
		}
		nc = realloc(sb->clients, (sb->nclients + 1) * sizeof(*nc));
		if (nc == NULL || (nc[sb->nclients] = strdup(line)) == NULL) {
			if (nc)
				sb->clients = nc;
			fclose(f);
			return BS_ENOMEM;
		}
		sb->clients = nc;
		sb->nclients++;
	}
	fclose(f);
	return BS_OK;
}

/* ------------------------------------------------------------- windows */

/* Forget calls older than the window; true when another call fits under `limit`. */
static bool window_fits(struct sb_window *w, int64_t now, int64_t span, int limit,
                        int64_t *retry_ms, int *remaining)
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

static void window_add(struct sb_window *w, int64_t now)
{
	if (w->cap == 0)
		return;       /* a zero limit keeps no window */
	if (w->n == w->cap) { /* limit lowered after allocation: drop the oldest */
		w->head = (w->head + 1) % w->cap;
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
static enum sb_fault fault_draw(struct sandbox *sb)
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

static const char *fault_name(enum sb_fault f)
{
	static const char *const names[] = {"", "500", "503", "slow", "drop", "lost"};

	return names[f];
}

/* ------------------------------------------------------------- log */

static int method_idx(const char *m)
{
	static const char *const ms[] = {"GET", "PUT", "POST", "DELETE"};

	for (int i = 0; i < 4; i++)
		if (strcmp(m, ms[i]) == 0)
			return i;
	return 4;
}

static void log_add(struct sandbox *sb, const struct sandbox_request *req, const char *tenant,
                    int status, int elements, int64_t dur_us, enum sb_fault f)
{
	struct sb_log *l;
	const char *idem = sb_header(req, "Idempotency-Key");

	if (sb->log == NULL)
		return;
	if (sb->log_n < sb->log_cap) {
		l = &sb->log[(sb->log_head + sb->log_n) % sb->log_cap];
		sb->log_n++;
	} else {
		l = &sb->log[sb->log_head];
		sb->log_head = (sb->log_head + 1) % sb->log_cap;
	}
	memset(l, 0, sizeof(*l));
	l->ts_ms = sb_now(sb);
	snprintf(l->method, sizeof(l->method), "%s", req->method);
	snprintf(l->path, sizeof(l->path), "%s", req->path);
	snprintf(l->tenant, sizeof(l->tenant), "%s", tenant ? tenant : "");
	snprintf(l->idem, sizeof(l->idem), "%s", idem ? idem : "");
	l->status = status;
	l->elements = elements;
	l->dur_us = dur_us;
	snprintf(l->fault, sizeof(l->fault), "%s", fault_name(f));
	sb->log_total++;
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------- admin */

static void admin_log(struct sandbox *sb, const struct sandbox_request *req,
                      struct sandbox_response *resp)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	uint64_t since = 0, first = sb->log_total - sb->log_n;
	const char *s = sb_query(req, "since");
	char d[48];

	if (s != NULL && !parse_uint(s, strlen(s), UINT64_MAX, &since))
		since = 0;
	for (size_t i = 0; i < sb->log_n; i++) {
		struct sb_log *l = &sb->log[(sb->log_head + i) % sb->log_cap];
		json_object *e;

		if (first + i < since)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "seq", json_object_new_int64((int64_t)(first + i)));
		sb_isodate(d, sizeof(d), l->ts_ms, true);
		sb_jset_str(e, "time", d);
		sb_jset_str(e, "method", l->method);
		sb_jset_str(e, "path", l->path);
		json_object_object_add(e, "status", json_object_new_int(l->status));
		if (l->tenant[0])
			sb_jset_str(e, "tenant", l->tenant);
		if (l->idem[0])
			sb_jset_str(e, "idempotency_key", l->idem);
		json_object_object_add(e, "elements", json_object_new_int(l->elements));
		json_object_object_add(e, "duration_us", json_object_new_int64(l->dur_us));
		if (l->fault[0])
			sb_jset_str(e, "fault", l->fault);
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "total", json_object_new_int64((int64_t)sb->log_total));
	json_object_object_add(o, "entries", arr);
	sb_resp_json(resp, 200, o);
	json_object_put(o);
}

static void admin_counters(struct sandbox *sb, struct sandbox_response *resp)
{
	static const char *const ms[] = {"GET", "PUT", "POST", "DELETE", "OTHER"};
	json_object *o = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(o, "app_minute_calls", json_object_new_int64((int64_t)sb->app.n));
	json_object_object_add(o, "webhooks_sent", json_object_new_int64((int64_t)sb->hook_sent));
	json_object_object_add(o, "webhooks_failed",
	                       json_object_new_int64((int64_t)sb->hook_failed));
	for (size_t i = 0; i < sb->ntenants; i++) {
		struct sb_tenant *tn = sb->tenants[i];
		json_object *t = json_object_new_object(), *by = json_object_new_object();

		sb_jset_str(t, "tenantId", tn->id);
		sb_jset_str(t, "name", sb_jstr(tn->org, "Name"));
		json_object_object_add(t, "calls", json_object_new_int64((int64_t)tn->calls));
		json_object_object_add(t, "rate_limited",
		                       json_object_new_int64((int64_t)tn->limited));
		json_object_object_add(t, "inflight", json_object_new_int(tn->inflight));
		for (int k = 0; k < SBK_COUNT + 2; k++) {
			for (int m = 0; m < 5; m++) {
				char key[64];

				if (tn->by_ep[k][m] == 0)
					continue;
				snprintf(key, sizeof(key), "%s %s", ms[m],
				         k < SBK_COUNT    ? sb_kinds[k].name
				         : k == SBK_COUNT ? "Organisation"
				                          : "other");
				json_object_object_add(
				    by, key, json_object_new_int64((int64_t)tn->by_ep[k][m]));
			}
		}
		json_object_object_add(t, "by_endpoint", by);
		json_object_array_add(arr, t);
	}
	json_object_object_add(o, "tenants", arr);
	sb_resp_json(resp, 200, o);
	json_object_put(o);
}

static json_object *tenant_summary(struct sb_tenant *tn)
{
	json_object *t = json_object_new_object();

	sb_jset_str(t, "tenantId", tn->id);
	sb_jset_str(t, "tenantName", sb_jstr(tn->org, "Name"));
	sb_jset_str(t, "baseCurrency", sb_jstr(tn->org, "BaseCurrency"));
	sb_jset_str(t, "countryCode", sb_jstr(tn->org, "CountryCode"));
	return t;
}

static int tax_pct_for(const char *country)
{
	if (strcmp(country, "NZ") == 0)
		return 15;
	if (strcmp(country, "AU") == 0)
		return 10;
	if (strcmp(country, "GB") == 0)
		return 20;
	return 0;
}

static void admin_tenant_create(struct sandbox *sb, const struct sandbox_request *req,
                                struct sandbox_response *resp)
{
	json_object *in = NULL, *out;
	struct sb_tenant *tn;
	const char *name, *cur, *country;
	int pct;
	struct json_tokener *tok = json_tokener_new();

	if (tok != NULL && req->body_len > 0)
		in = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
	json_tokener_free(tok);
	if (in == NULL || !json_object_is_type(in, json_type_object)) {
		sb_resp_problem(resp, 400, "Bad Request", "expected a JSON object");
		goto out;
	}
	name = sb_jstr(in, "Name");
	cur = sb_jstr(in, "BaseCurrency");
	country = sb_jstr(in, "CountryCode");
	if (name == NULL || name[0] == '\0')
		name = "Sandbox Org";
	if (cur == NULL)
		cur = "NZD";
	if (country == NULL)
		country = "NZ";
	if (money_currency_exponent(cur) < 0 || strlen(country) != 2) {
		sb_resp_problem(resp, 400, "Bad Request", "unknown BaseCurrency or CountryCode");
		goto out;
	}
	pct = tax_pct_for(country);
	if (json_object_object_get(in, "TaxRate") != NULL) {
		int64_t p;

		if (sb_jdec(json_object_object_get(in, "TaxRate"), 0, 0, &p) != BS_OK || p < 0 ||
		    p > 100) {
			sb_resp_problem(resp, 400, "Bad Request", "TaxRate: whole percent 0..100");
			goto out;
		}
		pct = (int)p;
	}
	if (sb_tenant_create(sb, name, cur, country, NULL, &tn) != BS_OK ||
	    sb_state_save_tenant(sb, tn) != BS_OK || sb_tenant_seed(sb, tn, pct) != BS_OK) {
		sb_resp_problem(resp, 500, "Internal", "cannot create tenant");
		goto out;
	}
	out = tenant_summary(tn);
	json_object_object_add(out, "Organisation", json_object_get(tn->org));
	sb_resp_json(resp, 201, out);
	json_object_put(out);
out:
	json_object_put(in);
}

static void admin_tenant_settings(struct sandbox *sb, const char *id,
                                  const struct sandbox_request *req, struct sandbox_response *resp)
{
	struct sb_tenant *tn = sb_tenant_find(sb, id);
	json_object *in = NULL;
	static const char *const keys[] = {"PeriodLockDate", "EndOfYearLockDate"};

	if (tn == NULL) {
		sb_resp_problem(resp, 404, "Not Found", "no such tenant");
		return;
	}
	if (req->body_len > 0) {
		struct json_tokener *tok = json_tokener_new();

		if (tok)
			in = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
		json_tokener_free(tok);
	}
	if (in == NULL || !json_object_is_type(in, json_type_object)) {
		sb_resp_problem(resp, 400, "Bad Request", "expected a JSON object");
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		json_object *v;
		int64_t ms;
		int64_t *slot = i == 0 ? &tn->period_lock_ms : &tn->eoy_lock_ms;

		if (!json_object_object_get_ex(in, keys[i], &v))
			continue;
		if (v == NULL || (json_object_is_type(v, json_type_string) &&
		                  json_object_get_string_len(v) == 0)) {
			*slot = INT64_MIN;
			json_object_object_del(tn->org, keys[i]);
			continue;
		}
		if (sb_parse_date(json_object_get_string(v), &ms) != BS_OK) {
			sb_resp_problem(resp, 400, "Bad Request", "lock dates are YYYY-MM-DD");
			goto out;
		}
		*slot = ms - ms % 86400000;
		sb_jset_date(tn->org, keys[i], NULL, *slot);
	}
	if (sb_jstr(in, "Name") != NULL)
		sb_jset_str(tn->org, "Name", sb_jstr(in, "Name"));
	sb_state_save_tenant(sb, tn);
	sb_resp_json(resp, 200, tn->org);
out:
	json_object_put(in);
}

static int reset_state(struct sandbox *sb)
{
	struct sb_tenant *tn;
	char id[40];
	int rc;

	snprintf(id, sizeof(id), "%s", sb->default_tenant);
	sb_tenants_clear(sb);
	sb_state_wipe(sb);
	sb->log_n = sb->log_head = 0;
	sb->app.n = sb->app.head = 0;
	rc = sb_tenant_create(sb, "Booksync Sandbox Ltd", "NZD", "NZ", id[0] ? id : NULL, &tn);
	if (rc == BS_OK) {
		snprintf(sb->default_tenant, sizeof(sb->default_tenant), "%s", tn->id);
		rc = sb_state_save_tenant(sb, tn);
	}
	if (rc == BS_OK)
		rc = sb_tenant_seed(sb, tn, 15);
	/* tokens survive a reset: a connected client keeps working */
	for (size_t i = 0; sb->db && i < sb->tokens.cap; i++) {
		if (sb_map_live(&sb->tokens, i)) {
			struct sb_token *t = sb->tokens.ents[i].val;
			char body[800];

			snprintf(body, sizeof(body),
			         "{\"kind\":%d,\"client\":\"%s\",\"scope\":\"%s\",\"expires\":%lld,"
			         "\"rotated\":%lld}",
			         (int)t->kind, t->client, t->scope, (long long)t->expires_ms,
			         (long long)t->rotated_ms);
			sb_state_put(sb, "token", sb->tokens.ents[i].key, body);
		}
	}
	return rc;
}

static void admin_token_hash(const char *tok, size_t n, uint8_t out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)tok, n, NULL, 0);
}

/*
 * May this request use the admin endpoints?  Always when no admin token is
 * set (sandbox_start allows that on loopback only); else only with
 * "Authorization: Bearer TOKEN".  The hashes are compared, in constant time,
 * so the time taken says nothing about the token's bytes or its length.
 */
static bool admin_allowed(const struct sandbox *sb, const struct sandbox_request *req)
{
	const char *authz = sb_header(req, "Authorization");
	uint8_t got[32];

	if (!sb->admin_auth)
		return true;
	if (authz == NULL || strncasecmp(authz, "Bearer ", 7) != 0)
		return false;
	authz += 7;
	while (*authz == ' ')
		authz++;
	admin_token_hash(authz, strlen(authz), got);
	return sodium_memcmp(got, sb->admin_hash, sizeof(got)) == 0;
}

static void handle_admin(struct sandbox *sb, const struct sandbox_request *req,
                         struct sandbox_response *resp)
{
	const char *p = req->path + strlen("/sandbox/");
	bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;

	if (!admin_allowed(sb, req)) {
		sb_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"booksync sandbox admin\"");
		sb_resp_problem(resp, 401, "Unauthorized",
		                "the /sandbox/ endpoints need Authorization: Bearer <admin token>");
		return;
	}
	if (get && strcmp(p, "log") == 0) {
		admin_log(sb, req, resp);
	} else if (get && strcmp(p, "counters") == 0) {
		admin_counters(sb, resp);
	} else if (get && strcmp(p, "health") == 0) {
		sb_resp_text(resp, 200, "application/json", "{\"status\":\"ok\"}");
	} else if (get && strcmp(p, "tenants") == 0) {
		json_object *arr = json_object_new_array();

		for (size_t i = 0; i < sb->ntenants; i++)
			json_object_array_add(arr, tenant_summary(sb->tenants[i]));
		sb_resp_json(resp, 200, arr);
		json_object_put(arr);
	} else if (post && strcmp(p, "tenants") == 0) {
		admin_tenant_create(sb, req, resp);
	} else if (post && strncmp(p, "tenants/", 8) == 0 && strlen(p) > 17 &&
	           strcmp(p + strlen(p) - 9, "/settings") == 0) {
		char id[64];
		size_t n = strlen(p) - 8 - 9;

		if (n >= sizeof(id)) {
			sb_resp_problem(resp, 404, "Not Found", "no such tenant");
			return;
		}
		memcpy(id, p + 8, n);
		id[n] = '\0';
		admin_tenant_settings(sb, id, req, resp);
	} else if (post && strcmp(p, "reset") == 0) {
		if (reset_state(sb) == BS_OK)
			sb_resp_text(resp, 200, "application/json", "{\"status\":\"reset\"}");
		else
			sb_resp_problem(resp, 500, "Internal", "reset failed");
	} else if (post && strcmp(p, "webhooks/intent") == 0) {
		sb_hook_intent(sb, resp);
	} else {
		sb_resp_problem(resp, 404, "Not Found", "no such admin endpoint");
	}
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
	window_fits(&sb->app, now, span_m, sb->lim_app, &r, &rem);
	sb_resp_header(resp, "X-AppMinLimit-Remaining", "%d", rem);
	if (tn != NULL) {
		window_fits(&tn->day, now, span_d, sb->lim_day, &r, &rem);
		sb_resp_header(resp, "X-DayLimit-Remaining", "%d", rem);
		window_fits(&tn->minute, now, span_m, sb->lim_minute, &r, &rem);
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
	} else if (!window_fits(&tn->day, now, span_d, sb->lim_day, &retry, &rem)) {
		problem = "Daily";
	} else if (!window_fits(&tn->minute, now, span_m, sb->lim_minute, &retry, &rem)) {
		problem = "Minute";
	} else if (!window_fits(&sb->app, now, span_m, sb->lim_app, &retry, &rem)) {
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
	window_add(&tn->day, now);
	window_add(&tn->minute, now);
	window_add(&sb->app, now);
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

static void handle_api(struct sandbox *sb, const struct sandbox_request *req,
                       struct sandbox_response *resp, const char **tenant_out, int *elements,
                       enum sb_fault *fault_out)
{
	const char *rest = req->path + strlen("/api.xro/2.0/");
	const char *tid = sb_header(req, "xero-tenant-id");
	const char *key = sb_header(req, "Idempotency-Key");
	struct sb_tenant *tn;
	struct sb_idem *ie = NULL;
	enum sb_fault f;
	int64_t now = sb_now(sb);
	bool write = strcmp(req->method, "GET") != 0;

	f = fault_draw(sb);
	*fault_out = f;
	if (f == SBF_500 || f == SBF_503)
		rate_headers(sb, NULL, resp, now);
	if (f == SBF_500) {
		sb_resp_text(resp, 500, "application/json",
		             "{\"ErrorNumber\":500,\"Type\":\"UnknownErrorException\","
		             "\"Message\":\"An error occurred in Xero. (sandbox fault)\"}");
		return;
	}
	if (f == SBF_503) {
		sb_resp_text(resp, 503, "text/plain",
		             "The Xero API is currently offline for maintenance");
		return;
	}
	if (f == SBF_DROP) {
		resp->drop = true;
		return;
	}
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
	tn->by_ep[counter_idx(rest)][method_idx(req->method)]++;
	tn->inflight++;
	if (write && key != NULL) {
		uint8_t h[16];

		if (strlen(key) == 0 || strlen(key) > 128) {
			sb_resp_error(resp, 400, 10, "ValidationException",
			              "Idempotency-Key must be 1 to 128 characters");
			goto done;
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
				sb_resp_text(resp, ie->status, "application/json; charset=utf-8",
				             ie->body);
				sb_resp_header(resp, "Idempotent-Replayed", "true");
			}
			ie = NULL;
			goto done;
		}
		if (tn->calls % 1024 == 0)
			idem_sweep(tn, now, IDEM_TTL_MS / sb->time_scale);
		ie = calloc(1, sizeof(*ie));
		if (ie == NULL || sb_map_put(&tn->idem, key, ie) != BS_OK) {
			free(ie);
			ie = NULL;
			sb_resp_problem(resp, 500, "Internal", "out of memory");
			goto done;
		}
		memcpy(ie->hash, h, 16);
		ie->created_ms = now;
	}
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
	sb_api_handle(sb, tn, req, rest, resp, elements);
	if (ie != NULL) {
		if (resp->status >= 500) {
			/* not kept: a retry should run again */
			idem_free(sb_map_del(&tn->idem, key));
		} else {
			ie->status = resp->status;
			ie->body = strdup(buf_cstr(&resp->body));
			ie->done = true;
			if (ie->body == NULL)
				idem_free(sb_map_del(&tn->idem, key));
		}
	}
	if (f == SBF_LOST)
		resp->drop = true;
done:
	tn->inflight--;
	rate_headers(sb, tn, resp, now);
}

void sandbox_handle(struct sandbox *sb, const struct sandbox_request *req,
                    struct sandbox_response *resp)
{
	int64_t t0 = mono_us();
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
		handle_admin(sb, &r, resp);
		pthread_mutex_unlock(&sb->lock);
		return; /* admin calls are not logged: the log is about the API */
	}
	if (strcmp(path, "/identity/connect/authorize") == 0)
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
	log_add(sb, &r, tenant, resp->drop ? 0 : resp->status, elements, mono_us() - t0, f);
	pthread_mutex_unlock(&sb->lock);
}

/* ------------------------------------------------------------- MHD glue */

struct conn_ctx {
	struct buf body;
	bool too_big;
};

#define MAX_KV 64

struct kv_collect {
	struct sandbox_kv kv[MAX_KV];
	size_t n;
};

static enum MHD_Result kv_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
	struct kv_collect *c = cls;

	(void)kind;
	if (c->n < MAX_KV) {
		c->kv[c->n].key = key;
		c->kv[c->n].value = value ? value : "";
		c->n++;
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	struct sandbox *sb = cls;
	struct conn_ctx *cc = *con_cls;
	struct kv_collect q, h;
	struct sandbox_request req;
	struct sandbox_response resp;
	struct MHD_Response *mr;
	enum MHD_Result ret;

	(void)version;
	if (cc == NULL) {
		cc = calloc(1, sizeof(*cc));
		if (cc == NULL)
			return MHD_NO;
		buf_init(&cc->body, BODY_ABS_MAX);
		*con_cls = cc;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!cc->too_big && buf_add(&cc->body, upload_data, *upload_size) != BS_OK)
			cc->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	sandbox_response_init(&resp);
	if (cc->too_big || cc->body.len > BODY_MAX) {
		sb_resp_problem(&resp, 413, "Payload Too Large",
		                "request bodies are limited to 3.5 MB");
	} else {
		q.n = h.n = 0;
		MHD_get_connection_values(con, MHD_GET_ARGUMENT_KIND, kv_iter, &q);
		MHD_get_connection_values(con, MHD_HEADER_KIND, kv_iter, &h);
		memset(&req, 0, sizeof(req));
		req.method = method;
		req.path = url;
		req.query = q.kv;
		req.nquery = q.n;
		req.headers = h.kv;
		req.nheaders = h.n;
		req.body = cc->body.ptr ? cc->body.ptr : "";
		req.body_len = cc->body.len;
		sandbox_handle(sb, &req, &resp);
	}
	if (resp.drop) {
		sandbox_response_free(&resp);
		return MHD_NO;
	}
	mr = MHD_create_response_from_buffer(
	    resp.body.len, resp.body.ptr ? resp.body.ptr : (void *)"", MHD_RESPMEM_MUST_COPY);
	if (mr == NULL) {
		sandbox_response_free(&resp);
		return MHD_NO;
	}
	if (resp.status != 204 && resp.status != 302)
		MHD_add_response_header(mr, "Content-Type", resp.content_type);
	for (size_t i = 0; i < resp.nheaders; i++)
		MHD_add_response_header(mr, resp.hname[i], resp.hvalue[i]);
	ret = MHD_queue_response(con, (unsigned)resp.status, mr);
	MHD_destroy_response(mr);
	sandbox_response_free(&resp);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *cc = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (cc != NULL) {
		buf_free(&cc->body);
		free(cc);
		*con_cls = NULL;
	}
}

/* ------------------------------------------------------------- life cycle */

const char *sandbox_url(const struct sandbox *sb)
{
	return sb->url;
}

const char *sandbox_default_tenant(const struct sandbox *sb)
{
	return sb->default_tenant;
}

/*
 * Parse --listen into sa.  A listen address outside 127.0.0.0/8 is refused
 * unless an admin token guards /sandbox/ (reset wipes every tenant): the
 * sandbox must not hand that to whoever can reach it on the network.
 */
static int parse_listen(struct sandbox *sb, const char *spec, struct sockaddr_in *sa,
                        struct bs_error *err)
{
	const char *colon = strrchr(spec, ':');
	uint64_t port;
	char host[64];

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host) ||
	    !parse_uint(colon + 1, strlen(colon + 1), 65535, &port))
		return bs_error_set(err, BS_EINVAL, "--listen '%s': expected ADDR:PORT", spec);
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return bs_error_set(err, BS_EINVAL, "--listen '%s': not an IPv4 address", spec);
	if ((ntohl(sa->sin_addr.s_addr) >> 24) != 127 && !sb->admin_auth)
		return bs_error_set(err, BS_EINVAL,
		                    "--listen '%s' is not a loopback address: give --admin-token "
		                    "(or BOOKSYNC_SANDBOX_ADMIN_TOKEN) so the /sandbox/ admin "
		                    "endpoints are not open to the network",
		                    spec);
	snprintf(sb->listen_addr, sizeof(sb->listen_addr), "%s", host);
	return BS_OK;
}

int sandbox_start(const struct sandbox_config *cfg, struct sandbox **out, struct bs_error *err)
{
	struct sandbox *sb;
	struct sockaddr_in sa;
	bool loaded = false;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	sb = calloc(1, sizeof(*sb));
	if (sb == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	pthread_mutex_init(&sb->lock, NULL);
	pthread_cond_init(&sb->hook_cond, NULL);
	sb->clock = cfg->clock;
	sb->rounding = cfg->rounding;
	sb->no_listen = cfg->no_listen;
	sb->lim_minute = 60;
	sb->lim_day = 5000;
	sb->lim_conc = 5;
	sb->lim_app = 10000;
	sb->time_scale = 1;
	sb->slow_ms = 2000;
	randombytes_buf(sb->jwt_key, sizeof(sb->jwt_key));
	if (cfg->admin_token != NULL && cfg->admin_token[0] != '\0') {
		/* printable ASCII without spaces: a token every client can send
		 * in a header as it is (ends are trimmed, controls refused) */
		for (const char *c = cfg->admin_token; *c; c++) {
			if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f) {
				rc = bs_error_set(
				    err, BS_EINVAL,
				    "--admin-token: printable ASCII without spaces only");
				goto fail;
			}
		}
		admin_token_hash(cfg->admin_token, strlen(cfg->admin_token), sb->admin_hash);
		sb->admin_auth = true;
	}
	if (cfg->limits != NULL) {
		if (strcmp(cfg->limits, "off") == 0)
			sb->limits_off = true;
		else if ((rc = spec_walk(cfg->limits, limit_pair, sb, err)) != BS_OK)
			goto fail;
	}
	if (cfg->faults != NULL && (rc = spec_walk(cfg->faults, fault_pair, sb, err)) != BS_OK)
		goto fail;
	if (sb->fault_ppm > 0 && sb->nfault_kinds == 0) {
		sb->fault_kinds[0] = SBF_500;
		sb->nfault_kinds = 1;
	}
	if (cfg->clients_path != NULL && (rc = load_clients(sb, cfg->clients_path, err)) != BS_OK)
		goto fail;
	if (cfg->webhook_url != NULL) {
		if (cfg->webhook_key == NULL || cfg->webhook_key[0] == '\0') {
			rc = bs_error_set(err, BS_EINVAL, "--webhook-url needs --webhook-key");
			goto fail;
		}
		sb->hook_url = strdup(cfg->webhook_url);
		sb->hook_key = strdup(cfg->webhook_key);
		if (sb->hook_url == NULL || sb->hook_key == NULL) {
			rc = BS_ENOMEM;
			goto fail;
		}
	}
	sb->app.cap = (size_t)sb->lim_app;
	sb->app.ts = calloc(sb->app.cap, sizeof(*sb->app.ts));
	sb->log_cap = LOG_CAP;
	sb->log = calloc(sb->log_cap, sizeof(*sb->log));
	if (sb->app.ts == NULL || sb->log == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto fail;
	}
	if (cfg->state_path != NULL) {
		if ((rc = sb_state_open(sb, cfg->state_path, err)) != BS_OK)
			goto fail;
		if ((rc = sb_state_load(sb, &loaded, err)) != BS_OK)
			goto fail;
	}
	if (loaded) {
		snprintf(sb->default_tenant, sizeof(sb->default_tenant), "%s", sb->tenants[0]->id);
	} else if ((rc = reset_state(sb)) != BS_OK) {
		bs_error_set(err, rc, "cannot seed the default organisation");
		goto fail;
	}
	if (sb->hook_url != NULL && (rc = sb_hook_start(sb)) != BS_OK) {
		bs_error_set(err, rc, "cannot start the webhook thread");
		goto fail;
	}
	if (!sb->no_listen) {
		int fd;
		struct sockaddr_in bound;
		socklen_t bl = sizeof(bound);
		const union MHD_DaemonInfo *di;

		if ((rc = parse_listen(sb, cfg->listen ? cfg->listen : "127.0.0.1:0", &sa, err)) !=
		    BS_OK)
			goto fail;
		sb->mhd = MHD_start_daemon(
		    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
		    on_request, sb, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED,
		    on_completed, sb, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned)512, MHD_OPTION_END);
		if (sb->mhd == NULL) {
			rc = bs_error_set(err, BS_EIO, "cannot listen on %s",
			                  cfg->listen ? cfg->listen : "127.0.0.1:0");
			goto fail;
		}
		di = MHD_get_daemon_info(sb->mhd, MHD_DAEMON_INFO_LISTEN_FD);
		fd = di ? di->listen_fd : -1;
		if (fd < 0 || getsockname(fd, (struct sockaddr *)&bound, &bl) != 0) {
			rc = bs_error_set(err, BS_EIO, "cannot read the bound port");
			goto fail;
		}
		sb->listen_port = ntohs(bound.sin_port);
		snprintf(sb->url, sizeof(sb->url), "http://%s:%d", sb->listen_addr,
		         sb->listen_port);
	}
	*out = sb;
	return BS_OK;
fail:
	sandbox_stop(sb);
	return rc;
}

void sandbox_stop(struct sandbox *sb)
{
	if (sb == NULL)
		return;
	if (sb->mhd != NULL)
		MHD_stop_daemon(sb->mhd);
	sb_hook_stop(sb);
	pthread_mutex_lock(&sb->lock);
	sb_tenants_clear(sb);
	sb_map_free(&sb->tokens, sb_token_free);
	sb_state_close(sb);
	pthread_mutex_unlock(&sb->lock);
	for (size_t i = 0; i < sb->nclients; i++)
		free(sb->clients[i]);
	free(sb->clients);
	free(sb->app.ts);
	free(sb->log);
	free(sb->hook_url);
	if (sb->hook_key != NULL)
		sodium_memzero(sb->hook_key, strlen(sb->hook_key));
	free(sb->hook_key);
	pthread_mutex_destroy(&sb->lock);
	pthread_cond_destroy(&sb->hook_cond);
	free(sb);
}
