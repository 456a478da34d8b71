/*
 * xero_read.c - what connect reads of a Xero organisation, as
 * ledger-neutral entities (ledger.h ledger_ops.read): /Organisation,
 * /Accounts, /TaxRates, /TrackingCategories, and every page of /Contacts
 * and /Items.  Calls go through the engine's get, so they are paced and
 * counted there; only the parsing of Xero's shapes lives here.
 */
#include "ledger/xero/xero.h"

#include "core/jsonr.h"
#include "http/client.h"
#include "ledger/xero/xero_tz.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_SIZE 100

/* GET path and parse; the list under `coll` into *arr (owned by *root). */
static int get_list(ledger_get_fn get, void *garg, const char *path, const char *coll,
                    struct json_object **root, struct json_object **arr, struct bs_error *err)
{
	struct buf body;
	int rc;

	buf_init(&body, (size_t)64 << 20);
	*root = NULL;
	*arr = NULL;
	rc = get(garg, path, &body, err);
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

static bool is_active(const char *status)
{
	return status == NULL || strcmp(status, "ACTIVE") == 0;
}

static int org_of(struct json_object *org, ledger_entity_fn each, void *arg)
{
	struct ledger_entity e = {0};
	char lock[11], eoy[11];

	date_of(jsonr_str(org, "PeriodLockDate"), lock);
	date_of(jsonr_str(org, "EndOfYearLockDate"), eoy);
	if (strcmp(eoy, lock) > 0)
		memcpy(lock, eoy, sizeof(eoy));
	e.name = jsonr_str(org, "Name") ? jsonr_str(org, "Name") : "";
	e.base_currency = jsonr_str(org, "BaseCurrency") ? jsonr_str(org, "BaseCurrency") : "";
	e.lock_date = lock;
	/* Xero names a Windows zone ("NEWZEALANDSTANDARDTIME"); the rest of
	 * booksync speaks IANA */
	e.timezone = xero_tz_iana(jsonr_str(org, "Timezone"));
	e.active = true;
	return each(arg, &e);
}

static int account_of(struct json_object *a, ledger_entity_fn each, void *arg)
{
	struct ledger_entity e = {0};
	const char *status = jsonr_str(a, "Status"), *type = jsonr_str(a, "Type");

	e.code = jsonr_str(a, "Code");
	if (e.code == NULL || e.code[0] == '\0')
		return 0;
	e.name = jsonr_str(a, "Name") ? jsonr_str(a, "Name") : "";
	e.active = status == NULL || strcmp(status, "ARCHIVED") != 0;
	e.liability_payments = jsonr_bool(a, "EnablePaymentsToAccount") && type != NULL &&
	                       strstr(type, "LIAB") != NULL;
	return each(arg, &e);
}

static int tax_rate_of(struct json_object *t, ledger_entity_fn each, void *arg)
{
	struct ledger_entity e = {0};

	e.code = jsonr_str(t, "TaxType");
	if (e.code == NULL)
		return 0;
	e.name = jsonr_str(t, "Name") ? jsonr_str(t, "Name") : "";
	e.rate = jsonr_str(t, "EffectiveRate") ? jsonr_str(t, "EffectiveRate")
	                                       : jsonr_str(t, "DisplayTaxRate");
	if (e.rate == NULL)
		e.rate = "0";
	e.sales = jsonr_bool(t, "CanApplyToRevenue");
	e.purchases = jsonr_bool(t, "CanApplyToExpenses");
	e.active = is_active(jsonr_str(t, "Status"));
	return each(arg, &e);
}

static int tracking_of(struct json_object *t, ledger_entity_fn each, void *arg)
{
	const char **options = NULL;
	struct ledger_entity e = {0};
	struct json_object *opts;
	size_t n = 0;
	int rc;

	e.name = jsonr_str(t, "Name");
	if (e.name == NULL || !is_active(jsonr_str(t, "Status")))
		return 0;
	if (json_object_object_get_ex(t, "Options", &opts) &&
	    json_object_is_type(opts, json_type_array))
		n = json_object_array_length(opts);
	if (n > 0 && (options = calloc(n, sizeof(*options))) == NULL)
		return BS_ENOMEM;
	for (size_t j = 0; j < n; j++) {
		struct json_object *o = json_object_array_get_idx(opts, j);
		const char *on = jsonr_str(o, "Name");

		if (on != NULL && is_active(jsonr_str(o, "Status")))
			options[e.noptions++] = on;
	}
	e.options = options;
	e.active = true;
	rc = each(arg, &e);
	free(options);
	return rc;
}

static int contact_of(struct json_object *c, ledger_entity_fn each, void *arg)
{
	struct ledger_entity e = {0};

	e.id = jsonr_str(c, "ContactID");
	if (e.id == NULL)
		return 0;
	e.name = jsonr_str(c, "Name");
	e.email = jsonr_str(c, "EmailAddress");
	e.tax_number = jsonr_str(c, "TaxNumber");
	e.active = true;
	return each(arg, &e);
}

static int item_of(struct json_object *i, ledger_entity_fn each, void *arg)
{
	struct ledger_entity e = {0};

	e.id = jsonr_str(i, "ItemID");
	if (e.id == NULL)
		return 0;
	e.code = jsonr_str(i, "Code");
	e.active = true;
	return each(arg, &e);
}

typedef int (*entity_of_fn)(struct json_object *el, ledger_entity_fn each, void *arg);

static const struct {
	const char *path, *coll;
	bool paged;
	entity_of_fn of;
} reads[] = {
    [LEDGER_READ_ORG] = {"/Organisation", "Organisations", false, org_of},
    [LEDGER_READ_ACCOUNTS] = {"/Accounts", "Accounts", false, account_of},
    [LEDGER_READ_TAX_RATES] = {"/TaxRates", "TaxRates", false, tax_rate_of},
    [LEDGER_READ_TRACKING] = {"/TrackingCategories", "TrackingCategories", false, tracking_of},
    [LEDGER_READ_CONTACTS] = {"/Contacts", "Contacts", true, contact_of},
    [LEDGER_READ_ITEMS] = {"/Items", "Items", true, item_of},
};

int xero_read(enum ledger_read what, ledger_get_fn get, void *garg, ledger_entity_fn each,
              void *arg, struct bs_error *err)
{
	int rc = BS_OK;

	if ((unsigned)what >= sizeof(reads) / sizeof(reads[0]))
		return bs_error_set(err, BS_EINVAL, "no such read");
	for (int page = 1; rc == BS_OK; page++) {
		struct json_object *root, *arr;
		char path[128];
		size_t n;

		if (reads[what].paged)
			snprintf(path, sizeof(path), "%s?page=%d&pageSize=%d", reads[what].path,
			         page, PAGE_SIZE);
		else
			snprintf(path, sizeof(path), "%s", reads[what].path);
		rc = get_list(get, garg, path, reads[what].coll, &root, &arr, err);
		n = rc == BS_OK ? json_object_array_length(arr) : 0;
		if (what == LEDGER_READ_ORG && n > 1)
			n = 1; /* the connection's one organisation */
		for (size_t i = 0; rc == BS_OK && i < n; i++)
			rc = reads[what].of(json_object_array_get_idx(arr, i), each, arg);
		json_object_put(root);
		if (!reads[what].paged || n < PAGE_SIZE)
			break;
	}
	return rc;
}

int xero_read_contacts_since(int64_t since_ms, ledger_get_fn get, void *garg, ledger_entity_fn each,
                             void *arg, struct bs_error *err)
{
	struct buf path, where;
	struct tm tm;
	time_t t = (time_t)(since_ms / 1000);
	int rc = BS_OK;
	size_t n = 0;

	if (since_ms <= 0)
		return xero_read(LEDGER_READ_CONTACTS, get, garg, each, arg, err);
	buf_init(&path, 1024);
	buf_init(&where, 256);
	/* Xero filters on the contact's last change (UTC): the where clause
	 * does with paging what If-Modified-Since does (docs/inbound-contacts.md) */
	if (gmtime_r(&t, &tm) == NULL)
		rc = bs_error_set(err, BS_EINVAL, "contacts since %lld: not a time",
		                  (long long)since_ms);
	if (rc == BS_OK)
		rc = buf_printf(&where, "UpdatedDateUTC>=DateTime(%d,%d,%d,%d,%d,%d)",
		                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		                tm.tm_sec);
	for (int page = 1; rc == BS_OK; page++) {
		struct json_object *root = NULL, *arr = NULL;

		buf_reset(&path);
		rc = buf_printf(&path, "/Contacts?page=%d&pageSize=%d&where=", page, PAGE_SIZE);
		if (rc == BS_OK)
			rc = http_url_encode(&path, buf_cstr(&where));
		if (rc == BS_OK)
			rc = get_list(get, garg, buf_cstr(&path), "Contacts", &root, &arr, err);
		n = rc == BS_OK ? json_object_array_length(arr) : 0;
		for (size_t i = 0; rc == BS_OK && i < n; i++)
			rc = contact_of(json_object_array_get_idx(arr, i), each, arg);
		json_object_put(root);
		if (n < PAGE_SIZE)
			break;
	}
	buf_free(&path);
	buf_free(&where);
	return rc;
}
