/*
 * sb_admin.c - the /sandbox/ admin and inspection endpoints (health, the
 * request log, counters, tenants and their settings, reset, the webhook
 * intent check), the admin token that guards them when one is set, and the
 * request log they read (a ring of the last 10,000 API requests).
 */
#include "sandbox/sb_int.h"

#include "core/civil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------- request log */

void sb_log_add(struct sandbox *sb, const struct sandbox_request *req, const char *tenant,
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
	snprintf(l->fault, sizeof(l->fault), "%s", sb_fault_name(f));
	sb->log_total++;
}

/* ------------------------------------------------------------- endpoints */

static void admin_log(struct sandbox *sb, const struct sandbox_request *req,
                      struct sandbox_response *resp)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	uint64_t since = 0, first = sb->log_total - sb->log_n;
	const char *s = sb_query(req, "since");
	char d[48];

	if (s != NULL && !sb_parse_uint(s, strlen(s), UINT64_MAX, &since))
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
			for (int m = 0; m < SB_NMETHODS; m++) {
				char key[64];

				if (tn->by_ep[k][m] == 0)
					continue;
				snprintf(key, sizeof(key), "%s %s", sb_method_names[m],
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

/* The request body as a JSON object, or NULL (empty, not JSON, not an object). */
static json_object *body_object(const struct sandbox_request *req)
{
	struct json_tokener *tok;
	json_object *in = NULL;

	if (req->body_len == 0)
		return NULL;
	tok = json_tokener_new();
	if (tok != NULL)
		in = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
	json_tokener_free(tok);
	if (in != NULL && !json_object_is_type(in, json_type_object)) {
		json_object_put(in);
		in = NULL;
	}
	return in;
}

static void admin_tenant_create(struct sandbox *sb, const struct sandbox_request *req,
                                struct sandbox_response *resp)
{
	json_object *in = body_object(req), *out;
	struct sb_tenant *tn;
	const char *name, *cur, *country;
	int pct;

	if (in == NULL) {
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
	in = body_object(req);
	if (in == NULL) {
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
		if (civil_parse(json_object_get_string(v), &ms) != BS_OK) {
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

int sb_reset_state(struct sandbox *sb)
{
	struct sb_tenant *tn = NULL;
	char id[40];
	int rc;

	snprintf(id, sizeof(id), "%s", sb->default_tenant);
	sb_state_begin(sb); /* one transaction, however many organisations */
	sb_tenants_clear(sb);
	sb_state_wipe(sb);
	sb->log_n = sb->log_head = 0;
	sb->app.n = sb->app.head = 0;
	if (sb->ledger == SANDBOX_QBO)
		rc = qbo_reset(sb);
	else
		rc = sb_tenant_create(sb, "Booksync Sandbox Ltd", "NZD", "NZ", id[0] ? id : NULL,
		                      &tn);
	if (rc == BS_OK && sb->ledger != SANDBOX_QBO) {
		snprintf(sb->default_tenant, sizeof(sb->default_tenant), "%s", tn->id);
		rc = sb_state_save_tenant(sb, tn);
		if (rc == BS_OK)
			rc = sb_tenant_seed(sb, tn, 15);
		/* the others of --tenants N: seeded at their first API call */
		if (rc == BS_OK)
			rc = sb_tenants_ensure(sb);
	}
	/* tokens survive a reset (the wipe took them from the state file too):
	 * a connected client keeps working */
	for (size_t i = 0; sb->db && i < sb->tokens.cap; i++)
		if (sb_map_live(&sb->tokens, i))
			sb_token_persist(sb, sb->tokens.ents[i].key, sb->tokens.ents[i].val);
	sb_state_end(sb, rc == BS_OK);
	return rc;
}

static void admin_token_hash(const char *tok, size_t n, uint8_t out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)tok, n, NULL, 0);
}

int sb_admin_token_set(struct sandbox *sb, const char *token, struct bs_error *err)
{
	if (token == NULL || token[0] == '\0')
		return BS_OK;
	/* printable ASCII without spaces: a token every client can send in a
	 * header as it is (ends are trimmed, controls refused) */
	for (const char *c = token; *c; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
			return bs_error_set(err, BS_EINVAL,
			                    "--admin-token: printable ASCII without spaces only");
	admin_token_hash(token, strlen(token), sb->admin_hash);
	sb->admin_auth = true;
	return BS_OK;
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

void sb_admin_handle(struct sandbox *sb, const struct sandbox_request *req,
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
	if (sb->ledger == SANDBOX_QBO && get &&
	    (strcmp(p, "tenants") == 0 || strcmp(p, "counters") == 0)) {
		/* the companies, and the calls per realm */
		qbo_admin_list(sb, strcmp(p, "counters") == 0, resp);
	} else if (sb->ledger == SANDBOX_QBO && strcmp(p, "log") != 0 && strcmp(p, "health") != 0 &&
	           strcmp(p, "reset") != 0) {
		/* creating tenants, their settings and the intent check are Xero's */
		sb_resp_problem(resp, 404, "Not Found",
		                "no such admin endpoint on a QuickBooks Online sandbox");
	} else if (get && strcmp(p, "log") == 0) {
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
		if (sb_reset_state(sb) == BS_OK)
			sb_resp_text(resp, 200, "application/json", "{\"status\":\"reset\"}");
		else
			sb_resp_problem(resp, 500, "Internal", "reset failed");
	} else if (post && strcmp(p, "webhooks/intent") == 0) {
		sb_hook_intent(sb, resp);
	} else {
		sb_resp_problem(resp, 404, "Not Found", "no such admin endpoint");
	}
}
