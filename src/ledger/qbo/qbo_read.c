/*
 * qbo_read.c - what connect reads of a QuickBooks Online company, as
 * ledger-neutral entities (ledger.h ledger_ops.read): CompanyInfo and
 * Preferences (name, home currency, close date), Account, TaxCode with its
 * TaxRate, Customer and Vendor (contacts, each with its role), Item.  Lists
 * are read by query, a page of 1000 at a time (QBO's most), through the
 * engine's get so every call is paced and counted; only the parsing of
 * QBO's shapes lives here.  QBO has no tracking categories as Xero's:
 * LEDGER_READ_TRACKING reads nothing.
 */
#include "ledger/qbo/qbo.h"
#include "ledger/qbo/qbo_int.h"

#include "core/grow.h"
#include "core/jsonr.h"

#include <ctype.h>
#include <strings.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_SIZE 1000

static int get_json(ledger_get_fn get, void *garg, const char *path, struct json_object **root,
                    struct bs_error *err)
{
	struct buf body;
	int rc;

	buf_init(&body, (size_t)64 << 20);
	*root = NULL;
	rc = get(garg, path, &body, err);
	if (rc == BS_OK) {
		*root = json_tokener_parse(buf_cstr(&body));
		if (*root == NULL || !json_object_is_type(*root, json_type_object))
			rc = bs_error_set(err, BS_EPROTO,
			                  "QuickBooks' answer to %.100s is not JSON", path);
		else if (json_object_object_get_ex(*root, "Fault", NULL))
			rc = bs_error_set(err, BS_EPROTO, "QuickBooks refused %.100s: %.200s", path,
			                  buf_cstr(&body));
	}
	buf_free(&body);
	return rc;
}

/* One page of `select * from entity` (STARTPOSITION is 1-based): the array
 * into *arr (NULL when the page is empty), owned by *root. */
static int query_page(ledger_get_fn get, void *garg, const char *entity, const char *where,
                      size_t start, struct json_object **root, struct json_object **arr,
                      struct bs_error *err)
{
	struct buf stmt, path;
	struct json_object *qr;
	int rc;

	*arr = NULL;
	buf_init(&stmt, 512);
	buf_init(&path, 2048);
	rc = buf_printf(&stmt, "select * from %s%s%s STARTPOSITION %zu MAXRESULTS %d", entity,
	                where != NULL ? " where " : "", where != NULL ? where : "", start,
	                PAGE_SIZE);
	if (rc == BS_OK)
		rc = buf_addstr(&path, "/query?query=");
	if (rc == BS_OK)
		rc = http_url_encode(&path, buf_cstr(&stmt));
	if (rc == BS_OK)
		rc = get_json(get, garg, buf_cstr(&path), root, err);
	if (rc == BS_OK) {
		if (!json_object_object_get_ex(*root, "QueryResponse", &qr))
			rc = bs_error_set(err, BS_EPROTO,
			                  "QuickBooks' %s query has no QueryResponse", entity);
		else if (json_object_object_get_ex(qr, entity, arr) &&
		         !json_object_is_type(*arr, json_type_array))
			rc = bs_error_set(err, BS_EPROTO, "QuickBooks' %s query is not a list",
			                  entity);
	}
	buf_free(&stmt);
	buf_free(&path);
	return rc;
}

typedef int (*row_fn)(struct json_object *row, void *ctx);

/* Every row of entity, page by page, each to fn(row, ctx). */
/* Every row of entity matching where (NULL: all), page by page, to fn. */
static int query_all_where(ledger_get_fn get, void *garg, const char *entity, const char *where,
                           row_fn fn, void *ctx, struct bs_error *err)
{
	size_t start = 1, n;
	int rc;

	do {
		struct json_object *root = NULL, *arr = NULL;

		rc = query_page(get, garg, entity, where, start, &root, &arr, err);
		n = rc == BS_OK && arr != NULL ? json_object_array_length(arr) : 0;
		for (size_t i = 0; rc == BS_OK && i < n; i++) {
			rc = fn(json_object_array_get_idx(arr, i), ctx);
			if (rc == BS_ENOMEM)
				bs_error_set(err, rc, "out of memory reading %s", entity);
		}
		json_object_put(root);
		start += n;
	} while (rc == BS_OK && n == PAGE_SIZE);
	return rc;
}

static int query_all(ledger_get_fn get, void *garg, const char *entity, row_fn fn, void *ctx,
                     struct bs_error *err)
{
	return query_all_where(get, garg, entity, NULL, fn, ctx, err);
}

/* A ref's value ({"value": "5"}) or a nested string (a.b), NULL when absent. */
static const char *path_str(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, a, &v))
		return NULL;
	return b != NULL ? jsonr_str(v, b) : json_object_get_string(v);
}

static bool active_of(struct json_object *o)
{
	struct json_object *v;

	return !json_object_object_get_ex(o, "Active", &v) || json_object_get_boolean(v);
}

/* ---- organisation ------------------------------------------------------- */

static int read_org(ledger_get_fn get, void *garg, ledger_entity_fn each, void *arg,
                    struct bs_error *err)
{
	struct json_object *root = NULL, *arr = NULL, *prefs = NULL, *p, *cp, *ai;
	struct ledger_entity e = {0};
	char lock[11] = "";
	const char *close = NULL;
	int rc;

	rc = query_page(get, garg, "CompanyInfo", NULL, 1, &root, &arr, err);
	if (rc == BS_OK && (arr == NULL || json_object_array_length(arr) == 0))
		rc = bs_error_set(err, BS_EPROTO, "QuickBooks has no CompanyInfo for this company");
	if (rc == BS_OK)
		rc = get_json(get, garg, "/preferences", &prefs, err);
	if (rc == BS_OK && !json_object_object_get_ex(prefs, "Preferences", &p))
		rc = bs_error_set(err, BS_EPROTO,
		                  "QuickBooks' preferences answer has no Preferences");
	if (rc == BS_OK) {
		struct json_object *ci = json_object_array_get_idx(arr, 0);

		e.id = jsonr_str(ci, "Id");
		e.name = jsonr_str(ci, "CompanyName");
		if (json_object_object_get_ex(p, "CurrencyPrefs", &cp))
			e.base_currency = path_str(cp, "HomeCurrency", "value");
		/* the close date: nothing on or before it may be posted */
		if (json_object_object_get_ex(p, "AccountingInfoPrefs", &ai))
			close = jsonr_str(ai, "BookCloseDate");
		if (close != NULL && strlen(close) >= 10)
			snprintf(lock, sizeof(lock), "%.10s", close);
		e.lock_date = lock;
		e.active = true;
		if (e.name == NULL || e.base_currency == NULL)
			rc = bs_error_set(err, BS_EPROTO,
			                  "QuickBooks' CompanyInfo / Preferences lack the name or "
			                  "home currency");
		else
			rc = each(arg, &e);
	}
	json_object_put(root);
	json_object_put(prefs);
	return rc;
}

/* ---- accounts ---------------------------------------------------------- */

struct rowctx {
	ledger_entity_fn each;
	void *arg;
	const char *role;
	struct taxrates *rates;
};

static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; s != NULL && *s; s++)
		if (strncasecmp(s, w, n) == 0)
			return true;
	return false;
}

static int account_row(struct json_object *row, void *ctx)
{
	struct rowctx *c = ctx;
	struct ledger_entity e = {0};
	const char *num = jsonr_str(row, "AcctNum"), *type = jsonr_str(row, "AccountType");

	e.id = jsonr_str(row, "Id");
	e.name = jsonr_str(row, "Name");
	/* the engine names an account by code: its number, else its name */
	e.code = num != NULL && num[0] != '\0' ? num : e.name;
	e.active = active_of(row);
	/* where gift vouchers live: a current liability named for them (any
	 * QBO account takes payments, so the name decides) */
	e.liability_payments = type != NULL && strcmp(type, "Other Current Liability") == 0 &&
	                       has_word(e.name, "gift");
	if (e.id == NULL || e.code == NULL)
		return BS_OK; /* nothing the engine could name */
	return c->each(c->arg, &e);
}

/* ---- tax codes --------------------------------------------------------- */

struct taxrate {
	char id[LEDGER_ID_MAX];
	char rate[32];
};

struct taxrates {
	struct taxrate *v;
	size_t n, cap;
};

static int taxrate_row(struct json_object *row, void *ctx)
{
	struct taxrates *r = ctx;
	const char *id = jsonr_str(row, "Id"), *rate = jsonr_str(row, "RateValue");

	if (id == NULL)
		return BS_OK;
	if (grow_array(&r->v, &r->cap, r->n, 32, sizeof(*r->v)) != BS_OK)
		return BS_ENOMEM;
	snprintf(r->v[r->n].id, sizeof(r->v[0].id), "%s", id);
	snprintf(r->v[r->n].rate, sizeof(r->v[0].rate), "%s", rate != NULL ? rate : "0");
	r->n++;
	return BS_OK;
}

/* The first rate of a TaxCode's SalesTaxRateList / PurchaseTaxRateList
 * ("GST": 15), NULL when the list is empty or absent. */
static const char *first_rate(struct json_object *code, const char *list, const struct taxrates *r)
{
	struct json_object *l, *d, *x;
	const char *id;

	if (!json_object_object_get_ex(code, list, &l) ||
	    !json_object_object_get_ex(l, "TaxRateDetail", &d) ||
	    !json_object_is_type(d, json_type_array) || json_object_array_length(d) == 0)
		return NULL;
	x = json_object_array_get_idx(d, 0);
	id = path_str(x, "TaxRateRef", "value");
	for (size_t i = 0; id != NULL && i < r->n; i++)
		if (strcmp(r->v[i].id, id) == 0)
			return r->v[i].rate;
	return "0";
}

static int taxcode_row(struct json_object *row, void *ctx)
{
	struct rowctx *c = ctx;
	struct ledger_entity e = {0};
	const char *sales = first_rate(row, "SalesTaxRateList", c->rates);
	const char *purch = first_rate(row, "PurchaseTaxRateList", c->rates);

	e.id = jsonr_str(row, "Id");
	e.code = e.name = jsonr_str(row, "Name");
	e.active = active_of(row);
	/* a code without rates (exempt, out of scope) applies to both sides at 0 */
	e.sales = sales != NULL || purch == NULL;
	e.purchases = purch != NULL || sales == NULL;
	e.rate = sales != NULL ? sales : purch != NULL ? purch : "0";
	if (e.id == NULL || e.code == NULL)
		return BS_OK;
	return c->each(c->arg, &e);
}

/* ---- contacts, items ----------------------------------------------------- */

static int party_row(struct json_object *row, void *ctx)
{
	struct rowctx *c = ctx;
	struct ledger_entity e = {0};

	e.id = jsonr_str(row, "Id");
	e.name = jsonr_str(row, "DisplayName");
	e.email = path_str(row, "PrimaryEmailAddr", "Address");
	e.tax_number = jsonr_str(row, "BusinessNumber");
	e.active = active_of(row);
	e.role = c->role;
	if (e.id == NULL)
		return BS_OK;
	return c->each(c->arg, &e);
}

static int item_row(struct json_object *row, void *ctx)
{
	struct rowctx *c = ctx;
	struct ledger_entity e = {0};
	const char *sku = jsonr_str(row, "Sku");

	e.id = jsonr_str(row, "Id");
	e.name = jsonr_str(row, "Name");
	/* an item's code: its SKU when the company keeps them, else its name */
	e.code = sku != NULL && sku[0] != '\0' ? sku : e.name;
	e.active = active_of(row);
	if (e.id == NULL || e.code == NULL)
		return BS_OK;
	return c->each(c->arg, &e);
}

int qbo_read_company(enum ledger_read what, ledger_get_fn get, void *garg, ledger_entity_fn each,
                     void *arg, struct bs_error *err)
{
	struct taxrates rates = {0};
	struct rowctx c = {each, arg, NULL, &rates};
	int rc = BS_OK;

	switch (what) {
	case LEDGER_READ_ORG:
		rc = read_org(get, garg, each, arg, err);
		break;
	case LEDGER_READ_ACCOUNTS:
		rc = query_all(get, garg, "Account", account_row, &c, err);
		break;
	case LEDGER_READ_TAX_RATES:
		rc = query_all(get, garg, "TaxRate", taxrate_row, &rates, err);
		if (rc == BS_OK)
			rc = query_all(get, garg, "TaxCode", taxcode_row, &c, err);
		break;
	case LEDGER_READ_TRACKING:
		break;
	case LEDGER_READ_CONTACTS:
		c.role = "customer";
		rc = query_all(get, garg, "Customer", party_row, &c, err);
		c.role = "vendor";
		if (rc == BS_OK)
			rc = query_all(get, garg, "Vendor", party_row, &c, err);
		break;
	case LEDGER_READ_ITEMS:
		rc = query_all(get, garg, "Item", item_row, &c, err);
		break;
	default:
		rc = bs_error_set(err, BS_EINVAL, "QuickBooks: nothing to read for %d", (int)what);
	}
	free(rates.v);
	return rc;
}

int qbo_read_contacts_since(int64_t since_ms, ledger_get_fn get, void *garg, ledger_entity_fn each,
                            void *arg, struct bs_error *err)
{
	struct rowctx c = {each, arg, NULL, NULL};
	char where[96];
	struct tm tm;
	time_t t = (time_t)(since_ms / 1000);
	int rc;

	if (since_ms <= 0)
		return qbo_read_company(LEDGER_READ_CONTACTS, get, garg, each, arg, err);
	if (gmtime_r(&t, &tm) == NULL)
		return bs_error_set(err, BS_EINVAL, "contacts since %lld: not a time",
		                    (long long)since_ms);
	/* an instant with its offset, as QBO's LastUpdatedTime carries one */
	snprintf(where, sizeof(where),
	         "MetaData.LastUpdatedTime >= '%04d-%02d-%02dT%02d:%02d:%02d+00:00'",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	c.role = "customer";
	rc = query_all_where(get, garg, "Customer", where, party_row, &c, err);
	c.role = "vendor";
	if (rc == BS_OK)
		rc = query_all_where(get, garg, "Vendor", where, party_row, &c, err);
	return rc;
}
