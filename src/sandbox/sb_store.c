/*
 * sb_store.c - the sandbox's state in memory: document collections and
 * their id and number indexes, write transactions with an undo log, and
 * tenants with their seeded organisation (chart of accounts, tax rates,
 * currencies, tracking categories).
 */
#include "sandbox/sb_int.h"

#include "core/grow.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- collections */

static void lower_copy(char *out, size_t n, const char *s)
{
	size_t i = 0;

	for (; s[i] && i + 1 < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* The Types whose documents share a kind's numbers ("ACCREC|INV-0001"),
 * the sales one first. */
static const char *const typed_numbers[SBK_COUNT][2] = {
    [SBK_INVOICES] = {"ACCREC", "ACCPAY"},
    [SBK_CREDITNOTES] = {"ACCRECCREDIT", "ACCPAYCREDIT"},
};

bool sb_numkey(int kind, json_object *obj, char *out, size_t n)
{
	const struct sb_kind *k = &sb_kinds[kind];
	const char *num, *st;
	char tmp[600];

	if (k->num_field == NULL)
		return false;
	num = sb_jstr(obj, k->num_field);
	if (num == NULL || num[0] == '\0')
		return false;
	st = sb_jstr(obj, "Status");
	/* a deleted document frees its number (FACTS §7) */
	if (st != NULL && strcmp(st, "DELETED") == 0)
		return false;
	if (typed_numbers[kind][0] != NULL) {
		const char *ty = sb_jstr(obj, "Type");

		snprintf(tmp, sizeof(tmp), "%s|%s", ty ? ty : "", num);
	} else {
		snprintf(tmp, sizeof(tmp), "%s", num);
	}
	lower_copy(out, n, tmp);
	return true;
}

static void doc_unindex(struct sb_coll *c, struct sb_doc *d)
{
	if (d->numkey != NULL) {
		if (sb_map_get(&c->by_num, d->numkey) == d)
			sb_map_del(&c->by_num, d->numkey);
		free(d->numkey);
		d->numkey = NULL;
	}
}

static int doc_index(struct sb_coll *c, int kind, struct sb_doc *d)
{
	char key[600];

	if (d->gone || !sb_numkey(kind, d->obj, key, sizeof(key)))
		return BS_OK;
	d->numkey = strdup(key);
	if (d->numkey == NULL)
		return BS_ENOMEM;
	return sb_map_put(&c->by_num, key, d);
}

struct sb_doc *sb_find(struct sb_tenant *tn, int kind, const char *id)
{
	char key[64];
	struct sb_doc *d;

	lower_copy(key, sizeof(key), id);
	d = sb_map_get(&tn->coll[kind].by_id, key);
	return d && !d->gone ? d : NULL;
}

struct sb_doc *sb_find_num(struct sb_tenant *tn, int kind, const char *numkey)
{
	char key[600];

	lower_copy(key, sizeof(key), numkey);
	return sb_map_get(&tn->coll[kind].by_num, key);
}

struct sb_doc *sb_find_number(struct sb_tenant *tn, int kind, const char *num)
{
	struct sb_doc *d = NULL;
	char key[300];

	if (typed_numbers[kind][0] == NULL)
		return sb_find_num(tn, kind, num);
	for (size_t i = 0; i < 2 && d == NULL; i++) {
		snprintf(key, sizeof(key), "%s|%s", typed_numbers[kind][i], num);
		d = sb_find_num(tn, kind, key);
	}
	return d;
}

int sb_coll_append(struct sb_tenant *tn, int kind, struct sb_doc *d)
{
	struct sb_coll *c = &tn->coll[kind];
	char key[64];

	// NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
	if (grow_array(&c->docs, &c->cap, c->n, 16, sizeof(*c->docs)) != BS_OK)
		return BS_ENOMEM;
	lower_copy(key, sizeof(key), d->id);
	if (sb_map_put(&c->by_id, key, d) != BS_OK)
		return BS_ENOMEM;
	c->docs[c->n++] = d;
	return doc_index(c, kind, d);
}

void sb_doc_free(struct sb_doc *d)
{
	if (d == NULL)
		return;
	json_object_put(d->obj);
	free(d->numkey);
	free(d);
}

/* ------------------------------------------------------------- txn */

void sb_txn_init(struct sb_txn *t, struct sandbox *sb, struct sb_tenant *tn)
{
	memset(t, 0, sizeof(*t));
	t->sb = sb;
	t->tn = tn;
	t->now = sb_now(sb);
}

int sb_put(struct sb_txn *t, int kind, struct sb_doc *old, json_object *obj, struct sb_doc **out)
{
	struct sb_coll *c = &t->tn->coll[kind];
	struct sb_undo *u;
	struct sb_doc *d;
	int rc;

	if (grow_array(&t->u, &t->cap, t->n, 16, sizeof(*t->u)) != BS_OK) {
		json_object_put(obj);
		return BS_ENOMEM;
	}
	u = &t->u[t->n];
	if (old == NULL) {
		const char *id = sb_jstr(obj, sb_kinds[kind].id_field);

		d = calloc(1, sizeof(*d));
		if (d == NULL || id == NULL) {
			free(d);
			json_object_put(obj);
			return id == NULL ? BS_EINTERNAL : BS_ENOMEM;
		}
		snprintf(d->id, sizeof(d->id), "%s", id);
		d->obj = obj;
		d->seq = ++t->sb->doc_seq;
		d->updated_ms = t->now;
		rc = sb_coll_append(t->tn, kind, d);
		if (rc != BS_OK) {
			char key[64];

			lower_copy(key, sizeof(key), d->id);
			if (sb_map_get(&c->by_id, key) == d)
				sb_map_del(&c->by_id, key);
			if (c->n > 0 && c->docs[c->n - 1] == d)
				c->n--;
			doc_unindex(c, d);
			sb_doc_free(d);
			return rc;
		}
		u->old = NULL;
		u->old_updated = 0;
	} else {
		d = old;
		doc_unindex(c, d);
		u->old = d->obj;
		u->old_updated = d->updated_ms;
		d->obj = obj;
		d->updated_ms = t->now;
		rc = doc_index(c, kind, d);
		if (rc != BS_OK) {
			doc_unindex(c, d);
			d->obj = u->old;
			d->updated_ms = u->old_updated;
			json_object_put(obj);
			doc_index(c, kind, d);
			return rc;
		}
	}
	u->tn = t->tn;
	u->kind = kind;
	u->doc = d;
	t->n++;
	if (out)
		*out = d;
	return BS_OK;
}

void sb_txn_rollback_to(struct sb_txn *t, size_t mark)
{
	while (t->n > mark) {
		struct sb_undo *u = &t->u[--t->n];
		struct sb_coll *c = &u->tn->coll[u->kind];
		struct sb_doc *d = u->doc;

		doc_unindex(c, d);
		if (u->old == NULL) {
			char key[64];

			lower_copy(key, sizeof(key), d->id);
			sb_map_del(&c->by_id, key);
			/* undone in reverse order, so a created doc is the last one */
			if (c->n > 0 && c->docs[c->n - 1] == d)
				c->n--;
			sb_doc_free(d);
		} else {
			json_object_put(d->obj);
			d->obj = u->old;
			d->updated_ms = u->old_updated;
			doc_index(c, u->kind, d);
		}
	}
}

static int persist_doc(struct sandbox *sb, struct sb_tenant *tn, int kind, struct sb_doc *d)
{
	char key[128];
	char meta[160];
	struct buf b;
	int rc;

	if (sb->db == NULL)
		return BS_OK;
	snprintf(key, sizeof(key), "%s/%d/%s", tn->id, kind, d->id);
	buf_init(&b, 0);
	snprintf(meta, sizeof(meta),
	         "{\"seq\":%llu,\"updated\":%lld,\"gone\":%s,\"obj\":", (unsigned long long)d->seq,
	         (long long)d->updated_ms, d->gone ? "true" : "false");
	rc = buf_addstr(&b, meta);
	if (rc == BS_OK)
		rc = buf_addstr(
		    &b, json_object_to_json_string_ext(d->obj, JSON_C_TO_STRING_PLAIN |
		                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
	if (rc == BS_OK)
		rc = buf_addc(&b, '}');
	if (rc == BS_OK)
		rc = sb_state_put(sb, "doc", key, buf_cstr(&b));
	buf_free(&b);
	return rc;
}

int sb_txn_commit(struct sb_txn *t)
{
	struct sandbox *sb = t->sb;
	int rc = BS_OK;

	sb_state_begin(sb);
	for (size_t i = 0; i < t->n; i++) {
		struct sb_undo *u = &t->u[i];
		bool first = true;

		for (size_t j = 0; j < i; j++)
			if (t->u[j].doc == u->doc)
				first = false;
		if (!first)
			continue;
		if (rc == BS_OK)
			rc = persist_doc(sb, u->tn, u->kind, u->doc);
		if (sb->hook_url != NULL && sb_kinds[u->kind].webhook != NULL)
			sb_hook_event(sb, u->tn, u->kind, u->doc, u->old == NULL);
	}
	if (t->n > 0 && t->tn != NULL && rc == BS_OK)
		rc = sb_state_save_tenant(sb, t->tn);
	sb_state_end(sb, rc == BS_OK);
	for (size_t i = 0; i < t->n; i++)
		json_object_put(t->u[i].old);
	t->n = 0;
	return rc;
}

void sb_txn_free(struct sb_txn *t)
{
	sb_txn_rollback_to(t, 0);
	free(t->u);
	t->u = NULL;
	t->cap = 0;
}

/* ------------------------------------------------------------- tenants */

struct sb_tenant *sb_tenant_find(struct sandbox *sb, const char *id)
{
	char key[40];

	if (id == NULL || strlen(id) >= sizeof(key))
		return NULL;
	lower_copy(key, sizeof(key), id);
	return sb_map_get(&sb->tenant_by_id, key);
}

void sb_tenant_free(struct sb_tenant *tn)
{
	if (tn == NULL)
		return;
	for (int k = 0; k < SBK_COUNT; k++) {
		struct sb_coll *c = &tn->coll[k];

		for (size_t i = 0; i < c->n; i++)
			sb_doc_free(c->docs[i]);
		free(c->docs);
		sb_map_free(&c->by_id, NULL);
		sb_map_free(&c->by_num, NULL);
	}
	for (size_t i = 0; i < tn->idem.cap; i++) {
		if (sb_map_live(&tn->idem, i)) {
			struct sb_idem *ie = tn->idem.ents[i].val;

			free(ie->body);
			free(ie);
		}
	}
	sb_map_free(&tn->idem, NULL);
	sb_window_free(&tn->minute);
	sb_window_free(&tn->day);
	json_object_put(tn->org);
	free(tn);
}

void sb_tenants_clear(struct sandbox *sb)
{
	for (size_t i = 0; i < sb->ntenants; i++)
		sb_tenant_free(sb->tenants[i]);
	free(sb->tenants);
	sb->tenants = NULL;
	sb->ntenants = 0;
	sb_map_free(&sb->tenant_by_id, NULL);
}

static json_object *org_json(const char *id, const char *name, const char *currency,
                             const char *country, int64_t now)
{
	json_object *o = json_object_new_object();
	char d[48], s[48];

	sb_jset_str(o, "OrganisationID", id);
	sb_jset_str(o, "APIKey", "");
	sb_jset_str(o, "Name", name);
	sb_jset_str(o, "LegalName", name);
	json_object_object_add(o, "PaysTax", json_object_new_boolean(1));
	sb_jset_str(o, "Version", country);
	sb_jset_str(o, "OrganisationType", "COMPANY");
	sb_jset_str(o, "BaseCurrency", currency);
	sb_jset_str(o, "CountryCode", country);
	json_object_object_add(o, "IsDemoCompany", json_object_new_boolean(0));
	sb_jset_str(o, "OrganisationStatus", "ACTIVE");
	json_object_object_add(o, "FinancialYearEndDay", json_object_new_int(31));
	json_object_object_add(o, "FinancialYearEndMonth", json_object_new_int(3));
	sb_jset_str(o, "SalesTaxBasis", "PAYMENTS");
	sb_jset_str(o, "SalesTaxPeriod", "TWOMONTHS");
	sb_jset_str(o, "DefaultSalesTax", "Tax Exclusive");
	sb_jset_str(o, "DefaultPurchasesTax", "Tax Exclusive");
	sb_msdate(d, sizeof(d), now);
	sb_jset_str(o, "CreatedDateUTC", d);
	sb_jset_str(o, "OrganisationEntityType", "COMPANY");
	sb_jset_str(o, "Timezone", "NEWZEALANDSTANDARDTIME");
	snprintf(s, sizeof(s), "!%.5s", id);
	sb_jset_str(o, "ShortCode", s);
	sb_jset_str(o, "Edition", "BUSINESS");
	sb_jset_str(o, "Class", "PREMIUM");
	json_object_object_add(o, "Addresses", json_object_new_array());
	json_object_object_add(o, "Phones", json_object_new_array());
	json_object_object_add(o, "ExternalLinks", json_object_new_array());
	json_object_object_add(o, "PaymentTerms", json_object_new_object());
	return o;
}

int sb_tenant_create(struct sandbox *sb, const char *name, const char *currency,
                     const char *country, const char *id, struct sb_tenant **out)
{
	struct sb_tenant *tn = calloc(1, sizeof(*tn));
	struct sb_tenant **nt;
	int64_t now = sb_now(sb);
	char key[40];

	if (tn == NULL)
		return BS_ENOMEM;
	if (id != NULL)
		snprintf(tn->id, sizeof(tn->id), "%s", id);
	else
		sb_uuid(tn->id);
	sb_uuid(tn->conn_id);
	tn->created_ms = now;
	tn->period_lock_ms = INT64_MIN;
	tn->eoy_lock_ms = INT64_MIN;
	tn->connected = true;
	tn->tax_pct = 15;
	tn->ord = sb->ntenants;
	tn->org = org_json(tn->id, name, currency, country, now);
	sb_window_init(&tn->minute, sb->lim_minute);
	sb_window_init(&tn->day, sb->lim_day);
	if (tn->org == NULL)
		goto fail;
	nt = realloc(sb->tenants,
	             (sb->ntenants + 1) *
	                 sizeof(*nt)); // NOLINT(bugprone-sizeof-expression): an array of pointers
	if (nt == NULL)
		goto fail;
	sb->tenants = nt;
	lower_copy(key, sizeof(key), tn->id);
	if (sb_map_put(&sb->tenant_by_id, key, tn) != BS_OK)
		goto fail;
	sb->tenants[sb->ntenants++] = tn;
	*out = tn;
	return BS_OK;
fail:
	sb_tenant_free(tn);
	return BS_ENOMEM;
}

/* The default chart (docs/sandbox.md "Default organisation and tenants"). */
static const struct {
	const char *code, *name, *type, *tax, *cls, *system;
	bool pay;
} chart[] = {
    {"090", "Business Bank Account", "BANK", "NONE", "ASSET", NULL, false},
    {"091", "Business Savings Account", "BANK", "NONE", "ASSET", NULL, false},
    {"200", "Sales", "REVENUE", "OUTPUT2", "REVENUE", NULL, false},
    {"260", "Other Revenue", "REVENUE", "OUTPUT2", "REVENUE", NULL, false},
    {"270", "Interest Income", "REVENUE", "NONE", "REVENUE", NULL, false},
    {"310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT2", "EXPENSE", NULL, false},
    {"400", "Advertising", "EXPENSE", "INPUT2", "EXPENSE", NULL, false},
    {"404", "Bank Fees", "EXPENSE", "NONE", "EXPENSE", NULL, false},
    {"429", "General Expenses", "EXPENSE", "INPUT2", "EXPENSE", NULL, false},
    {"610", "Accounts Receivable", "CURRENT", "NONE", "ASSET", "DEBTORS", false},
    {"630", "Inventory", "INVENTORY", "NONE", "ASSET", NULL, false},
    {"800", "Accounts Payable", "CURRLIAB", "NONE", "LIABILITY", "CREDITORS", false},
    {"820", "GST", "CURRLIAB", "NONE", "LIABILITY", "GST", false},
    {"825", "Gift Voucher Liability", "CURRLIAB", "NONE", "LIABILITY", NULL, true},
    {"860", "Rounding", "CURRLIAB", "NONE", "LIABILITY", "ROUNDING", false},
    {"880", "Owner A Drawings", "EQUITY", "NONE", "EQUITY", NULL, false},
    {"960", "Retained Earnings", "EQUITY", "NONE", "EQUITY", "RETAINEDEARNINGS", false},
};

static const struct {
	const char *code, *desc;
} currencies[] = {
    {"NZD", "New Zealand Dollar"},
    {"AUD", "Australian Dollar"},
    {"USD", "United States Dollar"},
    {"GBP", "British Pound"},
    {"EUR", "Euro"},
    {"JPY", "Japanese Yen"},
};

static int seed_put(struct sb_txn *t, int kind, json_object *o)
{
	return sb_put(t, kind, NULL, o, NULL);
}

static json_object *tax_json(const char *name, const char *type, const char *report, int pct,
                             bool sales, bool purchases)
{
	json_object *o = json_object_new_object(), *comps = json_object_new_array(), *c;
	char txt[16];

	snprintf(txt, sizeof(txt), "%d.0000", pct);
	sb_jset_str(o, "Name", name);
	sb_jset_str(o, "TaxType", type);
	sb_jset_str(o, "ReportTaxType", report);
	json_object_object_add(o, "CanApplyToAssets", json_object_new_boolean(1));
	json_object_object_add(o, "CanApplyToEquity", json_object_new_boolean(1));
	json_object_object_add(o, "CanApplyToExpenses", json_object_new_boolean(purchases));
	json_object_object_add(o, "CanApplyToLiabilities", json_object_new_boolean(1));
	json_object_object_add(o, "CanApplyToRevenue", json_object_new_boolean(sales));
	json_object_object_add(o, "DisplayTaxRate", json_object_new_double_s(pct, txt));
	json_object_object_add(o, "EffectiveRate", json_object_new_double_s(pct, txt));
	sb_jset_str(o, "Status", "ACTIVE");
	c = json_object_new_object();
	sb_jset_str(c, "Name", "GST");
	json_object_object_add(c, "Rate", json_object_new_double_s(pct, txt));
	json_object_object_add(c, "IsCompound", json_object_new_boolean(0));
	json_object_object_add(c, "IsNonRecoverable", json_object_new_boolean(0));
	json_object_array_add(comps, c);
	json_object_object_add(o, "TaxComponents", comps);
	return o;
}

int sb_tenant_seed(struct sandbox *sb, struct sb_tenant *tn, int pct)
{
	struct sb_txn t;
	const char *base = sb_jstr(tn->org, "BaseCurrency");
	int rc = BS_OK;
	char id[40], ms[48];

	sb_txn_init(&t, sb, tn);
	sb_msdate(ms, sizeof(ms), t.now);
	for (size_t i = 0; rc == BS_OK && i < sizeof(chart) / sizeof(chart[0]); i++) {
		json_object *o = json_object_new_object();

		sb_uuid(id);
		sb_jset_str(o, "AccountID", id);
		sb_jset_str(o, "Code", chart[i].code);
		sb_jset_str(o, "Name", chart[i].name);
		sb_jset_str(o, "Status", "ACTIVE");
		sb_jset_str(o, "Type", chart[i].type);
		sb_jset_str(o, "TaxType", chart[i].tax);
		sb_jset_str(o, "Class", chart[i].cls);
		if (chart[i].system)
			sb_jset_str(o, "SystemAccount", chart[i].system);
		json_object_object_add(o, "EnablePaymentsToAccount",
		                       json_object_new_boolean(chart[i].pay));
		json_object_object_add(o, "ShowInExpenseClaims", json_object_new_boolean(0));
		if (strcmp(chart[i].type, "BANK") == 0) {
			sb_jset_str(o, "BankAccountNumber", "0102030405060700");
			sb_jset_str(o, "BankAccountType", "BANK");
			sb_jset_str(o, "CurrencyCode", base);
		}
		sb_jset_str(o, "ReportingCode", chart[i].cls);
		json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
		sb_jset_str(o, "UpdatedDateUTC", ms);
		json_object_object_add(o, "AddToWatchlist", json_object_new_boolean(0));
		rc = seed_put(&t, SBK_ACCOUNTS, o);
	}
	if (rc == BS_OK)
		rc = seed_put(&t, SBK_TAXRATES,
		              tax_json("GST on Income",
		                       pct == 15 || pct == 20 ? "OUTPUT2" : "OUTPUT", "OUTPUT", pct,
		                       true, false));
	if (rc == BS_OK)
		rc = seed_put(&t, SBK_TAXRATES,
		              tax_json("GST on Expenses",
		                       pct == 15 || pct == 20 ? "INPUT2" : "INPUT", "INPUT", pct,
		                       false, true));
	if (rc == BS_OK)
		rc = seed_put(&t, SBK_TAXRATES, tax_json("No GST", "NONE", "NONE", 0, true, true));
	if (rc == BS_OK)
		rc = seed_put(&t, SBK_TAXRATES,
		              tax_json("Zero Rated", "ZERORATED", "OUTPUT", 0, true, false));
	for (size_t i = 0; rc == BS_OK && i < sizeof(currencies) / sizeof(currencies[0]); i++) {
		json_object *o = json_object_new_object();

		sb_jset_str(o, "Code", currencies[i].code);
		sb_jset_str(o, "Description", currencies[i].desc);
		rc = seed_put(&t, SBK_CURRENCIES, o);
	}
	if (rc == BS_OK) {
		json_object *o = json_object_new_object(), *opts = json_object_new_array();
		static const char *const names[] = {"North", "South"};

		sb_uuid(id);
		sb_jset_str(o, "TrackingCategoryID", id);
		sb_jset_str(o, "Name", "Region");
		sb_jset_str(o, "Status", "ACTIVE");
		for (int i = 0; i < 2; i++) {
			json_object *op = json_object_new_object();

			sb_uuid(id);
			sb_jset_str(op, "TrackingOptionID", id);
			sb_jset_str(op, "Name", names[i]);
			sb_jset_str(op, "Status", "ACTIVE");
			json_object_array_add(opts, op);
		}
		json_object_object_add(o, "Options", opts);
		rc = seed_put(&t, SBK_TRACKING, o);
	}
	if (rc == BS_OK)
		rc = sb_txn_commit(&t);
	sb_txn_free(&t);
	if (rc == BS_OK) {
		tn->seeded = true;
		tn->tax_pct = pct;
		rc = sb_state_save_tenant(sb, tn);
	}
	return rc;
}

int sb_tenant_ready(struct sandbox *sb, struct sb_tenant *tn)
{
	return tn->seeded ? BS_OK : sb_tenant_seed(sb, tn, tn->tax_pct);
}

int sb_orgs_ensure(struct sandbox *sb, enum sandbox_ledger ledger, sb_org_add_fn add)
{
	char id[40], name[64];
	int rc = BS_OK;

	sb_state_begin(sb);
	for (unsigned i = 2; rc == BS_OK && i <= sb->norgs; i++) {
		if ((rc = sb_index_id(ledger, i, id, sizeof(id))) != BS_OK ||
		    (rc = sb_index_name(i, name, sizeof(name))) != BS_OK)
			break;
		rc = add(sb, id, name);
	}
	sb_state_end(sb, rc == BS_OK);
	return rc;
}

static int tenant_add(struct sandbox *sb, const char *id, const char *name)
{
	struct sb_tenant *tn;
	int rc;

	if (sb_tenant_find(sb, id) != NULL)
		return BS_OK;
	rc = sb_tenant_create(sb, name, "NZD", "NZ", id, &tn);
	return rc == BS_OK ? sb_state_save_tenant(sb, tn) : rc;
}

int sb_tenants_ensure(struct sandbox *sb)
{
	return sb_orgs_ensure(sb, SANDBOX_XERO, tenant_add);
}
