/*
 * qbo_cur.c - the QuickBooks Online sandbox's multicurrency: the currencies
 * the default company knows, a document's CurrencyRef and ExchangeRate, and
 * QBO's rule that a customer or vendor has one currency, fixed, which its
 * transactions must be in.  Preferences CurrencyPrefs decide whether
 * multicurrency is on and what the home currency is (docs/sandbox.md,
 * "Currencies (QBO)").
 */
#include "sandbox/qbo_int.h"

#include <stdio.h>
#include <string.h>

#define BIZ_MSG "A business validation error has occurred while processing your request"

/* The company's currency list: the Xero sandbox's, so one store can sync the
 * same records into both. */
static const struct {
	const char *code, *name;
} currencies[] = {
    {"NZD", "New Zealand Dollar"},
    {"AUD", "Australian Dollar"},
    {"USD", "United States Dollar"},
    {"GBP", "British Pound Sterling"},
    {"EUR", "Euro"},
    {"JPY", "Japanese Yen"},
};

static const char *currency_name(const char *code)
{
	for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (strcmp(currencies[i].code, code) == 0)
			return currencies[i].name;
	return NULL;
}

static json_object *prefs(struct qbo_ctx *c)
{
	struct qbo_coll *pc = &c->r->coll[QBE_PREFERENCES];

	return pc->n ? pc->docs[0]->obj : NULL;
}

/* The home currency (Preferences), "NZD" when unset. */
static const char *home_currency(struct qbo_ctx *c)
{
	const char *h = sb_jstr(sb_jget_path(prefs(c), "CurrencyPrefs.HomeCurrency"), "value");

	return h != NULL ? h : "NZD";
}

static bool multicurrency(struct qbo_ctx *c)
{
	json_object *v = sb_jget_path(prefs(c), "CurrencyPrefs.MultiCurrencyEnabled");

	return v != NULL && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

int qbo_check_currency(struct qbo_ctx *c, json_object *doc, bool txn)
{
	const char *home = home_currency(c);
	const char *cur = sb_jstr(sb_jget_path(doc, "CurrencyRef"), "value");
	json_object *cr, *rate;
	int64_t r;

	if (cur == NULL)
		cur = home;
	if (strcmp(cur, home) != 0 && !multicurrency(c))
		return qbo_verr(c->f, "6000", BIZ_MSG, "CurrencyRef",
		                "Multicurrency is not enabled: %s is not the home currency %s", cur,
		                home);
	if (currency_name(cur) == NULL)
		return qbo_verr(c->f, "6000", BIZ_MSG, "CurrencyRef",
		                "Currency %s is not in the company's currency list", cur);
	cr = json_object_new_object();
	sb_jset_str(cr, "value", cur);
	sb_jset_str(cr, "name", currency_name(cur));
	json_object_object_add(doc, "CurrencyRef", cr); /* frees the old one (and cur) */
	if (!txn)
		return BS_OK;
	cur = sb_jstr(cr, "value");
	rate = json_object_object_get(doc, "ExchangeRate");
	if (strcmp(cur, home) == 0) {
		/* home currency: the rate is 1 whatever was sent */
		json_object_object_add(doc, "ExchangeRate", json_object_new_int(1));
		return BS_OK;
	}
	if (rate == NULL) /* no rate feed here: a foreign document without one is at 1 */
		return json_object_object_add(doc, "ExchangeRate", json_object_new_int(1)) == 0
		           ? BS_OK
		           : BS_ENOMEM;
	if (sb_jdec(rate, 10, 10, &r) != BS_OK || r <= 0)
		return qbo_verr(c->f, "6000", BIZ_MSG, "ExchangeRate",
		                "ExchangeRate must be a positive number with at most 10 decimals");
	return BS_OK;
}

int qbo_check_party_currency(struct qbo_ctx *c, int ent, json_object *doc)
{
	const char *key = NULL, *pid, *pcur, *dcur;
	struct qbo_doc *party;
	int pent;

	switch (ent) {
	case QBE_INVOICE:
	case QBE_CREDITMEMO:
	case QBE_PAYMENT:
		key = "CustomerRef";
		pent = QBE_CUSTOMER;
		break;
	case QBE_BILL:
	case QBE_BILLPAYMENT:
	case QBE_PURCHASEORDER:
	case QBE_VENDORCREDIT:
		key = "VendorRef";
		pent = QBE_VENDOR;
		break;
	default:
		return BS_OK;
	}
	/* a missing or unknown party is the reference check's to report */
	pid = sb_jstr(json_object_object_get(doc, key), "value");
	party = pid != NULL ? qbo_find(c, pent, pid) : NULL;
	if (party == NULL)
		return BS_OK;
	pcur = sb_jstr(sb_jget_path(party->obj, "CurrencyRef"), "value");
	dcur = sb_jstr(sb_jget_path(doc, "CurrencyRef"), "value");
	if (pcur == NULL || dcur == NULL || strcmp(pcur, dcur) == 0)
		return BS_OK;
	return qbo_verr(c->f, "6000", BIZ_MSG, "CurrencyRef",
	                "The transaction's currency (%s) must be the %s's currency (%s)", dcur,
	                pent == QBE_CUSTOMER ? "customer" : "vendor", pcur);
}
