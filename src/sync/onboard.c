/*
 * onboard.c - connect an organisation, read it and link what already
 * exists there (see onboard.h).
 */
#include "sync/onboard.h"

#include "core/grow.h"
#include "core/secret.h"
#include "http/client.h"
#include "core/jsonr.h"
#include "core/jsonw.h"
#include "core/money.h"
#include "ledger/xero/xero.h"
#include "store/settings.h"

#include <ctype.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* GET path and parse; the list under `coll` into *arr (owned by *root). */
static int get_list(struct session *s, const char *path, const char *coll,
                    struct json_object **root, struct json_object **arr, uint64_t *calls,
                    struct bs_error *err)
{
	struct buf body;
	int rc;

	buf_init(&body, (size_t)64 << 20);
	*root = NULL;
	*arr = NULL;
	rc = session_get(s, path, &body, err);
	(*calls)++;
	if (rc == BS_OK) {
		*root = json_tokener_parse(buf_cstr(&body));
		if (*root == NULL || !json_object_object_get_ex(*root, coll, arr) ||
		    !json_object_is_type(*arr, json_type_array))
			rc = bs_error_set(err, BS_EPROTO, "Xero's %s answer has no %s", path, coll);
	}
	buf_free(&body);
	return rc;
}

/* "/Date(1539993600000+0000)/" or "2026-09-30T00:00:00" -> "YYYY-MM-DD". */
static void date_of(const char *v, char out[11])
{
	out[0] = '\0';
	if (v == NULL)
		return;
	if (strncmp(v, "/Date(", 6) == 0) {
		long long ms = strtoll(v + 6, NULL, 10);
		time_t t = (time_t)(ms / 1000);
		struct tm tm;

		if (gmtime_r(&t, &tm) != NULL)
			strftime(out, 11, "%Y-%m-%d", &tm);
		return;
	}
	if (strlen(v) >= 10)
		snprintf(out, 11, "%.10s", v);
}

static int save_setting(struct session *s, const char *prefix, const char *value,
                        struct bs_error *err)
{
	struct buf k;
	int rc;

	buf_init(&k, 512);
	rc = buf_printf(&k, "%s:%s", prefix, s->target);
	if (rc == BS_OK)
		rc = store_setting_set(s->st, buf_cstr(&k), value, err);
	buf_free(&k);
	return rc;
}

static int read_org(struct session *s, struct onboard_stats *st, struct bs_error *err)
{
	struct json_object *root, *arr, *org;
	const char *name, *base;
	int rc = get_list(s, "/Organisation", "Organisations", &root, &arr, &st->calls, err);

	if (rc != BS_OK || json_object_array_length(arr) == 0)
		goto out;
	org = json_object_array_get_idx(arr, 0);
	name = jsonr_str(org, "Name");
	base = jsonr_str(org, "BaseCurrency");
	snprintf(st->org_name, sizeof(st->org_name), "%s", name != NULL ? name : "");
	snprintf(st->base_currency, sizeof(st->base_currency), "%s", base != NULL ? base : "");
	date_of(jsonr_str(org, "PeriodLockDate"), st->lock_date);
	{
		char eoy[11];

		date_of(jsonr_str(org, "EndOfYearLockDate"), eoy);
		if (strcmp(eoy, st->lock_date) > 0)
			memcpy(st->lock_date, eoy, sizeof(eoy));
	}
	/* the organisation's base currency wins over a guess made before */
	if (st->base_currency[0] != '\0' && money_currency_exponent(st->base_currency) >= 0)
		rc = store_setting_set(s->st, "base_currency", st->base_currency, err);
	if (rc == BS_OK)
		rc = save_setting(s, "lockdate", st->lock_date, err);
out:
	json_object_put(root);
	return rc;
}

static int read_accounts(struct session *s, struct onboard_stats *st, struct bs_error *err)
{
	struct json_object *root, *arr;
	struct buf out, cur;
	size_t n;
	int rc = get_list(s, "/Accounts", "Accounts", &root, &arr, &st->calls, err);

	if (rc != BS_OK)
		goto done;
	buf_init(&out, (size_t)4 << 20);
	buf_init(&cur, 64);
	n = json_object_array_length(arr);
	rc = buf_addc(&out, '[');
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		struct json_object *a = json_object_array_get_idx(arr, i);
		const char *code = jsonr_str(a, "Code"), *status = jsonr_str(a, "Status");
		const char *type = jsonr_str(a, "Type");

		if (code == NULL || code[0] == '\0')
			continue;
		rc = buf_addstr(&out, st->accounts ? ",{" : "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&out, 0, "code", code);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&out, 1, "name",
			                  jsonr_str(a, "Name") ? jsonr_str(a, "Name") : "");
		if (rc == BS_OK)
			rc = buf_printf(
			    &out, ",\"archived\":%s}",
			    status != NULL && strcmp(status, "ARCHIVED") == 0 ? "true" : "false");
		st->accounts++;
		/* a liability that takes payments: where gift vouchers live */
		if (st->gift_account[0] == '\0' && jsonr_bool(a, "EnablePaymentsToAccount") &&
		    type != NULL && strstr(type, "LIAB") != NULL)
			snprintf(st->gift_account, sizeof(st->gift_account), "%s", code);
	}
	if (rc == BS_OK)
		rc = buf_addc(&out, ']');
	if (rc == BS_OK)
		rc = save_setting(s, "chart", buf_cstr(&out), err);
	if (rc == BS_OK && st->gift_account[0] != '\0' &&
	    store_setting_get(s->st, "account.gift_voucher", &cur, NULL) == BS_ENOTFOUND)
		rc = store_setting_set(s->st, "account.gift_voucher", st->gift_account, err);
	buf_free(&out);
	buf_free(&cur);
done:
	json_object_put(root);
	return rc;
}

static int read_tax_rates(struct session *s, struct onboard_stats *st, struct bs_error *err)
{
	struct json_object *root, *arr;
	struct buf out;
	size_t n;
	int rc = get_list(s, "/TaxRates", "TaxRates", &root, &arr, &st->calls, err);

	if (rc != BS_OK)
		goto done;
	buf_init(&out, (size_t)1 << 20);
	n = json_object_array_length(arr);
	rc = buf_addc(&out, '[');
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		struct json_object *t = json_object_array_get_idx(arr, i);
		const char *code = jsonr_str(t, "TaxType"), *status = jsonr_str(t, "Status");
		const char *rate = jsonr_str(t, "EffectiveRate") ? jsonr_str(t, "EffectiveRate")
		                                                 : jsonr_str(t, "DisplayTaxRate");

		if (code == NULL)
			continue;
		rc = buf_addstr(&out, st->tax_rates ? ",{" : "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&out, 0, "code", code);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&out, 1, "name",
			                  jsonr_str(t, "Name") ? jsonr_str(t, "Name") : "");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&out, 1, "rate", rate ? rate : "0");
		if (rc == BS_OK)
			rc = buf_printf(&out, ",\"sales\":%s,\"purchases\":%s,\"active\":%s}",
			                jsonr_bool(t, "CanApplyToRevenue") ? "true" : "false",
			                jsonr_bool(t, "CanApplyToExpenses") ? "true" : "false",
			                status == NULL || strcmp(status, "ACTIVE") == 0 ? "true"
			                                                                : "false");
		st->tax_rates++;
	}
	if (rc == BS_OK)
		rc = buf_addc(&out, ']');
	if (rc == BS_OK)
		rc = save_setting(s, "taxrates", buf_cstr(&out), err);
	buf_free(&out);
done:
	json_object_put(root);
	return rc;
}

/* tracking:<target> = [{"name":"Region","options":["North","South"]}] (active only) */
static int read_tracking(struct session *s, struct onboard_stats *st, struct bs_error *err)
{
	struct json_object *root, *arr;
	struct buf out;
	size_t n;
	int rc =
	    get_list(s, "/TrackingCategories", "TrackingCategories", &root, &arr, &st->calls, err);

	if (rc != BS_OK)
		goto done;
	buf_init(&out, (size_t)1 << 20);
	n = json_object_array_length(arr);
	rc = buf_addc(&out, '[');
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		struct json_object *t = json_object_array_get_idx(arr, i), *opts;
		const char *name = jsonr_str(t, "Name"), *status = jsonr_str(t, "Status");
		size_t w = 0;

		if (name == NULL || (status != NULL && strcmp(status, "ACTIVE") != 0))
			continue;
		rc = buf_addstr(&out, st->tracking++ ? ",{" : "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&out, 0, "name", name);
		if (rc == BS_OK)
			rc = buf_addstr(&out, ",\"options\":[");
		if (json_object_object_get_ex(t, "Options", &opts) &&
		    json_object_is_type(opts, json_type_array)) {
			for (size_t j = 0; rc == BS_OK && j < json_object_array_length(opts); j++) {
				struct json_object *o = json_object_array_get_idx(opts, j);
				const char *on = jsonr_str(o, "Name"), *os = jsonr_str(o, "Status");

				if (on == NULL || (os != NULL && strcmp(os, "ACTIVE") != 0))
					continue;
				if (w++ > 0)
					rc = buf_addc(&out, ',');
				if (rc == BS_OK)
					rc = jsonw_str(&out, on);
			}
		}
		if (rc == BS_OK)
			rc = buf_addstr(&out, "]}");
	}
	if (rc == BS_OK)
		rc = buf_addc(&out, ']');
	if (rc == BS_OK)
		rc = save_setting(s, "tracking", buf_cstr(&out), err);
	buf_free(&out);
done:
	json_object_put(root);
	return rc;
}

/* ---- linking what exists -------------------------------------------------- */

struct name_id {
	char *key; /* lower-cased name or code */
	char id[LEDGER_ID_MAX];
};

struct names {
	struct name_id *v;
	size_t n, cap;
};

static int names_add(struct names *l, const char *key, const char *id)
{
	struct name_id *e;

	if (grow_array(&l->v, &l->cap, l->n, 256, sizeof(*l->v)) != BS_OK)
		return BS_ENOMEM;
	e = &l->v[l->n];
	e->key = strdup(key);
	if (e->key == NULL)
		return BS_ENOMEM;
	for (char *p = e->key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(e->id, sizeof(e->id), "%s", id);
	l->n++;
	return BS_OK;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_id *)a)->key, ((const struct name_id *)b)->key);
}

static const char *names_find(const struct names *l, const char *key)
{
	struct name_id probe, *hit;
	char low[512];
	size_t i;

	for (i = 0; i < sizeof(low) - 1 && key[i] != '\0'; i++)
		low[i] = (char)tolower((unsigned char)key[i]);
	low[i] = '\0';
	probe.key = low;
	if (l->n == 0)
		return NULL;
	hit = bsearch(&probe, l->v, l->n, sizeof(*l->v), name_cmp);
	return hit != NULL ? hit->id : NULL;
}

static void names_free(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].key);
	free(l->v);
}

/* Read every page of a list endpoint into names (key field -> id field). */
/* Every page of a list, each element's key fields keyf[k] into out[k]. */
static int read_all(struct session *s, const char *coll, const char *const *keyf,
                    struct names *const *out, size_t nkeys, const char *idf, size_t *seen,
                    uint64_t *calls, struct bs_error *err)
{
	int rc = BS_OK;

	for (int page = 1; rc == BS_OK; page++) {
		struct json_object *root, *arr;
		char path[128];
		size_t n;

		snprintf(path, sizeof(path), "/%s?page=%d&pageSize=100", coll, page);
		rc = get_list(s, path, coll, &root, &arr, calls, err);
		n = rc == BS_OK ? json_object_array_length(arr) : 0;
		for (size_t i = 0; rc == BS_OK && i < n; i++) {
			struct json_object *el = json_object_array_get_idx(arr, i);
			const char *id = jsonr_str(el, idf);

			if (id == NULL)
				continue;
			(*seen)++;
			for (size_t k = 0; rc == BS_OK && k < nkeys; k++) {
				const char *v = jsonr_str(el, keyf[k]);

				if (v != NULL && v[0] != '\0')
					rc = names_add(out[k], v, id);
			}
		}
		json_object_put(root);
		if (n < 100)
			break;
	}
	for (size_t k = 0; rc == BS_OK && k < nkeys; k++) {
		if (out[k]->n > 1)
			qsort(out[k]->v, out[k]->n, sizeof(*out[k]->v), name_cmp);
	}
	return rc;
}

struct linker {
	struct session *s;
	const struct names *names;           /* by name (contacts) or code (items) */
	const struct names *emails, *taxnos; /* contacts: the other identities */
	const char *type;
	size_t linked;
	struct bs_error *err;
	/* collected first: linking changes the rows being walked */
	struct pending_link {
		enum record_kind kind;
		char id[RECORD_ID_MAX + 1];
		char ledger_id[LEDGER_ID_MAX];
	} * v;
	size_t n, cap;
};

static int link_row(void *arg, const struct store_row *r)
{
	struct linker *l = arg;
	const char *key = r->reference;
	struct buf body;
	struct json_object *o = NULL;
	const char *hit;

	buf_init(&body, (size_t)1 << 20);
	if (store_record_get(l->s->st, r->kind, r->id, NULL, &body, NULL) == BS_OK)
		o = json_tokener_parse(buf_cstr(&body));
	if (r->kind == RECORD_PRODUCT)
		key = jsonr_str(o, "sku") ? jsonr_str(o, "sku") : key;
	/* DESIGN.md: a contact is matched by name, then e-mail, then tax number */
	hit = key != NULL && key[0] ? names_find(l->names, key) : NULL;
	if (hit == NULL && l->emails != NULL && jsonr_str(o, "email") != NULL)
		hit = names_find(l->emails, jsonr_str(o, "email"));
	if (hit == NULL && l->taxnos != NULL && jsonr_str(o, "tax_number") != NULL)
		hit = names_find(l->taxnos, jsonr_str(o, "tax_number"));
	if (hit != NULL) {
		if (grow_array(&l->v, &l->cap, l->n, 64, sizeof(*l->v)) != BS_OK) {
			json_object_put(o);
			buf_free(&body);
			return BS_ENOMEM;
		}
		l->v[l->n].kind = r->kind;
		snprintf(l->v[l->n].id, sizeof(l->v[0].id), "%s", r->id);
		snprintf(l->v[l->n].ledger_id, sizeof(l->v[0].ledger_id), "%s", hit);
		l->n++;
	}
	json_object_put(o);
	buf_free(&body);
	return 0;
}

static int link_tab(struct linker *l, const char *tab)
{
	struct store_actor who = {"connect", l->s->now_ms()};
	int rc = store_pending_each(l->s->st, l->s->target, tab, link_row, l, l->err);

	for (size_t i = 0; rc == BS_OK && i < l->n; i++) {
		const struct pending_link *p = &l->v[i];

		rc = store_begin(l->s->st, l->err);
		if (rc == BS_OK)
			rc = store_link_set(l->s->st, l->s->target, p->kind, p->id, l->type,
			                    p->ledger_id, "", who.now_ms, l->err);
		if (rc == BS_OK)
			rc = store_state_apply(l->s->st, p->kind, p->id, l->s->target, SYNC_EV_PLAN,
			                       NULL, &who, NULL, l->err);
		if (rc == BS_OK)
			rc = store_state_apply(
			    l->s->st, p->kind, p->id, l->s->target, SYNC_EV_POSTED,
			    "already in the ledger: linked on connect", &who, NULL, l->err);
		if (rc == BS_OK)
			rc = store_commit(l->s->st, l->err);
		else
			store_rollback(l->s->st);
		if (rc == BS_ESTATE)
			rc = BS_OK;
		else if (rc == BS_OK)
			l->linked++;
	}
	l->n = 0;
	return rc;
}

int onboard_run(struct session *s, struct onboard_stats *st, struct bs_error *err)
{
	struct names contacts = {0}, emails = {0}, taxnos = {0}, items = {0};
	static const char *const contact_keys[] = {"Name", "EmailAddress", "TaxNumber"};
	static const char *const item_keys[] = {"Code"};
	struct names *contact_out[] = {&contacts, &emails, &taxnos};
	struct names *item_out[] = {&items};
	struct linker l = {0};
	int rc;

	memset(st, 0, sizeof(*st));
	rc = read_org(s, st, err);
	if (rc == BS_OK)
		rc = read_accounts(s, st, err);
	if (rc == BS_OK)
		rc = read_tax_rates(s, st, err);
	if (rc == BS_OK)
		rc = read_tracking(s, st, err);
	if (rc == BS_OK)
		rc = read_all(s, "Contacts", contact_keys, contact_out, 3, "ContactID",
		              &st->contacts_seen, &st->calls, err);
	if (rc == BS_OK)
		rc = read_all(s, "Items", item_keys, item_out, 1, "ItemID", &st->items_seen,
		              &st->calls, err);
	l.s = s;
	l.err = err;
	if (rc == BS_OK) {
		l.names = &contacts;
		l.emails = &emails;
		l.taxnos = &taxnos;
		l.type = "Contact";
		rc = link_tab(&l, "sales/customers");
		if (rc == BS_OK)
			rc = link_tab(&l, "purchases/suppliers");
		st->contacts_linked = l.linked;
	}
	if (rc == BS_OK) {
		l.names = &items;
		l.emails = l.taxnos = NULL;
		l.type = "Item";
		l.linked = 0;
		rc = link_tab(&l, "other/products");
		st->items_linked = l.linked;
	}
	free(l.v);
	names_free(&contacts);
	names_free(&emails);
	names_free(&taxnos);
	names_free(&items);
	return rc;
}

/* A code: by itself when the page redirects straight back, else from the
 * browser through a local listener.  The redirect_uri used into `redirect`. */
static int get_code(struct http_client *http, const struct xero_endpoints *ep,
                    const struct onboard_auth *a, const char *state, struct buf *code,
                    struct buf *redirect, struct bs_error *err)
{
	struct xero_oauth_listener *l = NULL;
	struct buf url;
	int rc;

	if (a->auto_approve) {
		buf_reset(redirect);
		buf_addstr(redirect, "http://127.0.0.1:8719/callback");
		rc = xero_oauth_auto_approve(http, ep, a->client_id, buf_cstr(redirect), NULL,
		                             state, code, err);
		if (rc != BS_ESTATE)
			return rc;
	}
	rc = xero_oauth_callback_listen(0, &l, err);
	if (rc != BS_OK)
		return rc;
	buf_reset(redirect);
	buf_addstr(redirect, xero_oauth_callback_redirect_uri(l));
	buf_init(&url, 8192);
	rc = xero_oauth_authorize_url(ep, a->client_id, buf_cstr(redirect), NULL, state, &url);
	if (rc == BS_OK) {
		if (a->show_url != NULL)
			a->show_url(a->arg, buf_cstr(&url));
		rc = xero_oauth_callback_wait(l, state, 300000, code, err);
	}
	buf_free(&url);
	xero_oauth_callback_free(l);
	return rc;
}

int onboard_authorize(const struct onboard_auth *a, struct session_creds *creds,
                      struct xero_tenant **tenants, size_t *n, struct bs_error *err)
{
	struct xero_endpoints ep;
	struct http_client *http = NULL;
	struct buf code, redirect;
	char state[64];
	int rc;

	*tenants = NULL;
	*n = 0;
	memset(creds, 0, sizeof(*creds));
	buf_init(&code, 4096);
	buf_init(&redirect, 1024);
	rc = xero_endpoints_init(&ep, a->base_url, err);
	if (rc == BS_OK)
		rc = http_client_new(&http, err);
	if (rc == BS_OK) {
		xero_oauth_new_state(state, sizeof(state));
		rc = get_code(http, &ep, a, state, &code, &redirect, err);
	}
	if (rc == BS_OK)
		rc = xero_oauth_exchange_code(http, &ep, a->client_id, a->client_secret,
		                              buf_cstr(&code), buf_cstr(&redirect), a->now_ms,
		                              &creds->tokens, err);
	if (rc == BS_OK)
		rc = xero_oauth_connections(http, &ep, creds->tokens.access_token, tenants, n, err);
	if (rc == BS_OK) {
		snprintf(creds->base_url, sizeof(creds->base_url), "%s",
		         a->base_url != NULL ? a->base_url : "");
		snprintf(creds->client_id, sizeof(creds->client_id), "%s", a->client_id);
		snprintf(creds->client_secret, sizeof(creds->client_secret), "%s",
		         a->client_secret);
	}
	http_client_free(http);
	secret_buf_wipe(&code);
	buf_free(&redirect);
	return rc;
}

int onboard_pick_tenant(const struct xero_tenant *t, size_t n, const char *want, size_t *pick,
                        struct bs_error *err)
{
	if (n == 0)
		return bs_error_set(err, BS_EAUTH, "the grant covers no organisation");
	if (want == NULL) {
		*pick = 0;
		return n == 1 ? BS_OK
		              : bs_error_set(err, BS_ECONFLICT,
		                             "the grant covers %zu organisations; name one", n);
	}
	for (*pick = 0; *pick < n; (*pick)++) {
		if (strcmp(t[*pick].tenant_id, want) == 0)
			return BS_OK;
	}
	return bs_error_set(err, BS_ENOTFOUND, "%s is not among the organisations granted", want);
}

int onboard_connect(struct store *st, const char *db_path, struct session_creds *creds,
                    const struct xero_tenant *t, int64_t (*now_ms)(void), struct buf *target,
                    struct onboard_stats *stats, struct bs_error *err)
{
	struct store_actor who = {"connect", 0};
	struct session sess;
	unsigned char key[SECRET_KEY_BYTES];
	struct buf kp;
	int rc;

	memset(&sess, 0, sizeof(sess));
	buf_init(&kp, 4096);
	snprintf(creds->tenant_id, sizeof(creds->tenant_id), "%s", t->tenant_id);
	snprintf(creds->tenant_name, sizeof(creds->tenant_name), "%s", t->tenant_name);
	buf_reset(target);
	rc = buf_printf(target, "xero:%s", creds->tenant_id);
	who.now_ms = now_ms();
	if (rc == BS_OK)
		rc = session_key_path(db_path, &kp);
	if (rc == BS_OK)
		rc = secret_key_load_or_create(buf_cstr(&kp), key, err);
	if (rc == BS_OK)
		rc = store_target_add(st, buf_cstr(target), creds->tenant_name, &who, err);
	if (rc == BS_OK)
		rc = session_save(st, key, buf_cstr(target), creds, err);
	if (rc == BS_OK)
		rc = session_open(&sess, st, db_path, buf_cstr(target), now_ms, err);
	if (rc == BS_OK)
		rc = onboard_run(&sess, stats, err);
	session_close(&sess);
	sodium_memzero(key, sizeof(key));
	buf_free(&kp);
	return rc;
}
