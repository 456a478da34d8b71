/*
 * plan_context.c - what a planning run knows before it plans anything.
 *
 * The settings the planner reads, the ledger's chart, tax rates, tracking
 * categories and lock date as `booksync connect` stored them, and the
 * products' accounts; then the codes these give a line: its tax code
 * (rules_tax_choose) and its account (rules_account_code).
 */
#include "sync/plan/plan_int.h"

#include "core/grow.h"
#include "core/jsonr.h"
#include "store/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
const char *const plan_setting_keys[PLAN_S_NSET] = {
    "reference_prefix",   "invoice_status", "base_currency",        "account.sales",
    "account.purchases",  "account.cogs",   "account.inventory",    "account.adjustment",
    "account.rounding",   "account.bank",   "account.gift_voucher", "account.breakage",
    "money_task_contact",
};

const char *plan_sv(const struct planner *p, enum plan_setting i)
{
	return buf_cstr(&p->ctx.set[i]);
}

/* Collect the tax-code settings (settings.c: the tax.* family). */
static int tax_setting_cb(void *arg, const char *key, const char *value)
{
	struct planner *p = arg;
	static const struct {
		const char *prefix;
		enum rules_direction dir;
	} fam[] = {{"tax.sales.", RULES_SALES}, {"tax.purchases.", RULES_PURCHASES}};

	if (strcmp(key, "tax.zero_code") == 0) {
		buf_copy(p->ctx.zero_code, sizeof(p->ctx.zero_code), value);
		return 0;
	}
	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		size_t pl = strlen(fam[i].prefix);
		int64_t rate;

		if (strncmp(key, fam[i].prefix, pl) != 0 ||
		    money_parse_pct(key + pl, strlen(key + pl), &rate) != BS_OK ||
		    p->ctx.novr >= sizeof(p->ctx.ovr) / sizeof(p->ctx.ovr[0]))
			continue;
		buf_copy(p->ctx.ovr_code[p->ctx.novr], sizeof(p->ctx.ovr_code[0]), value);
		p->ctx.ovr[p->ctx.novr].rate = rate;
		p->ctx.ovr[p->ctx.novr].dir = fam[i].dir;
		p->ctx.ovr[p->ctx.novr].code = p->ctx.ovr_code[p->ctx.novr];
		p->ctx.novr++;
	}
	return 0;
}

static int prod_cmp(const void *a, const void *b)
{
	return strcmp(((const struct plan_prod *)a)->sku, ((const struct plan_prod *)b)->sku);
}

const struct plan_prod *plan_product_of(const struct planner *p, const char *sku)
{
	struct plan_prod key = {0};

	if (sku == NULL || p->ctx.nprods == 0)
		return NULL;
	key.sku = (char *)(uintptr_t)sku;
	return bsearch(&key, p->ctx.prods, p->ctx.nprods, sizeof(*p->ctx.prods), prod_cmp);
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int prod_collect(void *arg, const char *id, const char *body)
{
	struct planner *p = arg;
	struct json_object *o = json_tokener_parse(body);
	const char *sku = jsonr_str(o, "sku");

	(void)id;
	if (o != NULL && sku != NULL) {
		if (grow_array(&p->ctx.prods, &p->ctx.capprods, p->ctx.nprods, 64,
		               sizeof(*p->ctx.prods)) != BS_OK) {
			json_object_put(o);
			return BS_ENOMEM;
		}
		p->ctx.prods[p->ctx.nprods].sku = strdup(sku);
		p->ctx.prods[p->ctx.nprods].sales = dup_or_null(jsonr_str(o, "sales_account"));
		p->ctx.prods[p->ctx.nprods].purchases =
		    dup_or_null(jsonr_str(o, "purchase_account"));
		/* what consolidation groups by (plan_consolidate.c) */
		p->ctx.prods[p->ctx.nprods].category = dup_or_null(jsonr_str(o, "category"));
		p->ctx.prods[p->ctx.nprods].service =
		    jsonr_str(o, "type") != NULL && strcmp(jsonr_str(o, "type"), "service") == 0;
		p->ctx.prods[p->ctx.nprods].tracking = NULL;
		{
			struct json_object *tr;

			if (json_object_object_get_ex(o, "tracking", &tr) &&
			    json_object_is_type(tr, json_type_object)) {
				json_object_object_foreach(tr, k, v)
				{
					char pair[256];

					snprintf(pair, sizeof(pair), "%s=%s", k,
					         json_object_get_string(v));
					p->ctx.prods[p->ctx.nprods].tracking = strdup(pair);
					break;
				}
			}
		}
		if (p->ctx.prods[p->ctx.nprods].sku != NULL)
			p->ctx.nprods++;
	}
	json_object_put(o);
	return 0;
}

int plan_context_load(struct planner *p)
{
	struct buf v, key;
	int rc = BS_OK;

	buf_init(&v, (size_t)16 << 20);
	buf_init(&key, 512);
	for (int i = 0; i < PLAN_S_NSET && rc == BS_OK; i++) {
		buf_init(&p->ctx.set[i], 4096);
		rc = settings_get(p->st, plan_setting_keys[i], &p->ctx.set[i], p->err);
	}
	if (rc == BS_OK && (rc = settings_get(p->st, "disable_payment_sync", &v, p->err)) == BS_OK)
		p->ctx.no_payments = strcmp(buf_cstr(&v), "true") == 0;
	if (rc == BS_OK && (rc = settings_get(p->st, "disable_po_sync", &v, p->err)) == BS_OK)
		p->ctx.no_po = strcmp(buf_cstr(&v), "true") == 0;
	if (rc == BS_OK && (rc = settings_get(p->st, "upload_po_as_qbo_po", &v, p->err)) == BS_OK)
		p->ctx.po_opt_in = strcmp(buf_cstr(&v), "true") == 0;
	if (rc != BS_OK)
		goto out;
	p->ctx.base_dp =
	    money_currency_exponent(p->ctx.set[PLAN_S_BASE].len ? plan_sv(p, PLAN_S_BASE) : "NZD");
	if (p->ctx.base_dp < 0)
		p->ctx.base_dp = 2;

	/* chart:<target> = [{"code","name","active"}] */
	buf_printf(&key, "chart:%s", p->o->target);
	if (store_setting_get(p->st, buf_cstr(&key), &v, NULL) == BS_OK)
		p->ctx.chart_json = json_tokener_parse(buf_cstr(&v));
	if (p->ctx.chart_json != NULL && json_object_is_type(p->ctx.chart_json, json_type_array)) {
		size_t n = json_object_array_length(p->ctx.chart_json);

		p->ctx.chart = calloc(n ? n : 1, sizeof(*p->ctx.chart));
		for (size_t i = 0; p->ctx.chart != NULL && i < n; i++) {
			struct json_object *a = json_object_array_get_idx(p->ctx.chart_json, i);

			p->ctx.chart[p->ctx.nchart].code = jsonr_str(a, "code");
			p->ctx.chart[p->ctx.nchart].name = jsonr_str(a, "name");
			p->ctx.chart[p->ctx.nchart].active = !jsonr_bool(a, "archived");
			if (p->ctx.chart[p->ctx.nchart].code != NULL)
				p->ctx.nchart++;
		}
	}
	/* taxrates:<target> = [{"code","name","rate","sales","purchases","active"}] */
	buf_reset(&key);
	buf_printf(&key, "taxrates:%s", p->o->target);
	if (store_setting_get(p->st, buf_cstr(&key), &v, NULL) == BS_OK)
		p->ctx.tax_json = json_tokener_parse(buf_cstr(&v));
	if (p->ctx.tax_json != NULL && json_object_is_type(p->ctx.tax_json, json_type_array)) {
		size_t n = json_object_array_length(p->ctx.tax_json);

		p->ctx.rates = calloc(n ? n : 1, sizeof(*p->ctx.rates));
		for (size_t i = 0; p->ctx.rates != NULL && i < n; i++) {
			struct json_object *t = json_object_array_get_idx(p->ctx.tax_json, i);
			struct rules_tax_rate *r = &p->ctx.rates[p->ctx.nrates];

			r->code = jsonr_str(t, "code");
			r->name = jsonr_str(t, "name");
			r->rate = plan_jfixed(t, "rate", PCT_DP);
			r->sales = jsonr_bool(t, "sales");
			r->purchases = jsonr_bool(t, "purchases");
			r->active = jsonr_bool(t, "active");
			if (r->code != NULL)
				p->ctx.nrates++;
		}
	}
	if ((rc = store_settings_each(p->st, tax_setting_cb, p, p->err)) != BS_OK)
		goto out;
	if ((rc = store_records_each(p->st, RECORD_PRODUCT, prod_collect, p, p->err)) != BS_OK)
		goto out;
	if (p->ctx.nprods > 1)
		qsort(p->ctx.prods, p->ctx.nprods, sizeof(*p->ctx.prods), prod_cmp);
	buf_reset(&key);
	buf_printf(&key, "tracking:%s", p->o->target);
	if (store_setting_get(p->st, buf_cstr(&key), &v, NULL) == BS_OK)
		p->ctx.tracking_json = json_tokener_parse(buf_cstr(&v));
	buf_reset(&key);
	buf_printf(&key, "lockdate:%s", p->o->target);
	if (store_setting_get(p->st, buf_cstr(&key), &v, NULL) == BS_OK)
		buf_copy(p->ctx.lock_date, sizeof(p->ctx.lock_date), buf_cstr(&v));
out:
	buf_free(&v);
	buf_free(&key);
	return rc;
}

int plan_tax_code(struct planner *p, int64_t rate, enum rules_direction dir, const char **code)
{
	struct rules_tax_ctx ctx = {p->ctx.ledger, p->ctx.rates,
	                            p->ctx.nrates, p->ctx.ovr,
	                            p->ctx.novr,   p->ctx.zero_code[0] ? p->ctx.zero_code : NULL};

	const char *name = p->ctx.ledger->display_name;
	int rc = rules_tax_choose(&ctx, rate, dir, code, p->err);

	/* A rate the company lacks (docs/states-and-tabs.md "Errors"): the
	 * other way out is to add it in the ledger, which booksync reads on
	 * connect. */
	if (rc == BS_ENOTFOUND && p->err != NULL) {
		struct buf msg;

		buf_init(&msg, BS_ERROR_MSG_MAX);
		if (buf_addstr(&msg, p->err->msg) == BS_OK)
			rc = bs_error_set(
			    p->err, rc,
			    "%s; or add the rate in %s and run booksync connect again "
			    "so it is read, then re-upload",
			    buf_cstr(&msg), name != NULL && name[0] != '\0' ? name : "the ledger");
		buf_free(&msg);
	}
	return rc;
}

/* A line's account: its own, else its product's for the direction, else
 * the setting (rules_account_code); checked against the chart when known. */
int plan_account_code_for(struct planner *p, const char *line_account, const char *sku,
                          enum plan_setting fallback, enum rules_direction dir, const char **code)
{
	const struct plan_prod *pr = plan_product_of(p, sku);
	struct rules_account_sources src = {line_account, pr ? pr->sales : NULL,
	                                    pr ? pr->purchases : NULL, plan_sv(p, fallback),
	                                    plan_setting_keys[fallback]};

	if (p->ctx.nchart == 0) {
		const char *prod = pr == NULL           ? NULL
		                   : dir == RULES_SALES ? pr->sales
		                                        : pr->purchases;

		*code = line_account != NULL ? line_account
		        : prod != NULL       ? prod
		                             : plan_sv(p, fallback);
		if ((*code)[0] == '\0')
			return bs_error_set(p->err, BS_EINVAL, "no account: set %s",
			                    plan_setting_keys[fallback]);
		return BS_OK;
	}
	return rules_account_code(&src, dir, p->ctx.chart, p->ctx.nchart, code, p->err);
}

int plan_account_code(struct planner *p, const char *line_account, enum plan_setting fallback,
                      enum rules_direction dir, const char **code)
{
	struct rules_account_sources src = {line_account, NULL, NULL, plan_sv(p, fallback),
	                                    plan_setting_keys[fallback]};

	if (p->ctx.nchart == 0) {
		*code = line_account != NULL ? line_account : plan_sv(p, fallback);
		if ((*code)[0] == '\0')
			return bs_error_set(p->err, BS_EINVAL, "no account: set %s",
			                    plan_setting_keys[fallback]);
		return BS_OK;
	}
	return rules_account_code(&src, dir, p->ctx.chart, p->ctx.nchart, code, p->err);
}

int plan_check_lock(struct planner *p, const char *date)
{
	if (p->ctx.lock_date[0] == '\0' || date == NULL)
		return BS_OK;
	return rules_date_lock(date, p->ctx.lock_date, p->err);
}

void plan_context_free(struct plan_ctx *c)
{
	for (int i = 0; i < PLAN_S_NSET; i++)
		buf_free(&c->set[i]);
	json_object_put(c->chart_json);
	json_object_put(c->tracking_json);
	for (size_t i = 0; i < c->nprods; i++) {
		free(c->prods[i].sku);
		free(c->prods[i].sales);
		free(c->prods[i].purchases);
		free(c->prods[i].category);
		free(c->prods[i].tracking);
	}
	free(c->prods);
	json_object_put(c->tax_json);
	free(c->chart);
	free(c->rates);
}
