/*
 * sb_doc_lines.c - line items of invoices, credit notes, purchase orders
 * and bank transactions: an ItemCode's defaults, Quantity x UnitAmount less
 * discounts rounded once to the currency's decimals (or the missing one of
 * them worked out from LineAmount), the account's tax type and each line's
 * tax, and the document's sums (docs/mapping-xero.md §5).
 */
#include "sandbox/sb_doc_int.h"

#include <stdio.h>
#include <string.h>

/* What one line is worked out from, and what it comes to. */
struct line_work {
	const char *desc, *code, *acct, *tax;
	json_object *item; /* the item's SalesDetails / PurchaseDetails, or NULL */
	bool has_qty, has_unit, has_amt;
	int64_t qty, unit, amt, disc, damt, taxamt, rate;
};

/* Steps return BS_OK, BS_EINVAL with the message in errs, or BS_ERANGE
 * ("A line amount is out of range"). */

int sb_tax_rate_of(struct sb_txn *t, const char *type, int64_t *pct)
{
	struct sb_doc *d = sb_find_num(t->tn, SBK_TAXRATES, type);

	if (d == NULL)
		return BS_ENOTFOUND;
	if (sb_jdec(json_object_object_get(d->obj, "EffectiveRate"), PCT_DP, PCT_DP, pct) != BS_OK)
		return BS_EINTERNAL;
	return BS_OK;
}

/* An ItemCode lends its description, account and tax type to the line. */
static int line_item(struct sb_txn *t, const struct sb_line_opts *lo, struct line_work *w,
                     struct sb_errs *errs)
{
	struct sb_doc *it;

	if (w->code == NULL || !*w->code)
		return BS_OK;
	it = sb_find_num(t->tn, SBK_ITEMS, w->code);
	if (it == NULL) {
		sb_err(errs, "Item code '%s' is not valid", w->code);
		return BS_EINVAL;
	}
	w->item = json_object_object_get(it->obj, lo->sales ? "SalesDetails" : "PurchaseDetails");
	if (w->desc == NULL)
		w->desc = sb_jstr(it->obj, lo->sales ? "Description" : "PurchaseDescription");
	if (w->acct == NULL && w->item != NULL)
		w->acct = sb_jstr(w->item, "AccountCode");
	if (w->tax == NULL && w->item != NULL)
		w->tax = sb_jstr(w->item, "TaxType");
	return BS_OK;
}

/* DiscountRate / DiscountAmount: sales invoices only. */
static int line_discounts(struct sb_txn *t, json_object *in, const struct sb_line_opts *lo,
                          struct line_work *w, struct sb_errs *errs)
{
	json_object *v = json_object_object_get(in, "DiscountRate");

	if (v == NULL && json_object_object_get(in, "DiscountAmount") == NULL)
		return BS_OK;
	if (!lo->discounts) {
		sb_err(errs, "Discounts are only allowed on sales invoices (ACCREC)");
		return BS_EINVAL;
	}
	if (v != NULL) {
		int64_t d6;

		/* Xero keeps a DiscountRate at 2 dp (FACTS §5) */
		if (sb_jdec(v, 6, 6, &d6) != BS_OK ||
		    money_round(d6, 6, 2, t->sb->rounding, &d6) != BS_OK || d6 < 0 ||
		    d6 > 100000000) {
			sb_err(errs, "Discount rate must be between 0 and 100");
			return BS_EINVAL;
		}
		w->disc = d6 / 100;
	}
	v = json_object_object_get(in, "DiscountAmount");
	if (v != NULL && (sb_parse_amount(t, v, lo->dp, &w->damt) != BS_OK || w->damt < 0)) {
		sb_err(errs, "Discount amount must be a positive number");
		return BS_EINVAL;
	}
	return BS_OK;
}

/* Quantity, UnitAmount (or the item's UnitPrice), LineAmount, discounts. */
static int line_inputs(struct sb_txn *t, json_object *in, const struct sb_line_opts *lo,
                       struct line_work *w, struct sb_errs *errs)
{
	int udp = t->unitdp4 ? 4 : 2;
	json_object *v = json_object_object_get(in, "Quantity");

	w->has_qty = v != NULL;
	if (w->has_qty) {
		int64_t q8;

		if (sb_jdec(v, 8, 8, &q8) != BS_OK ||
		    money_round(q8, 8, 4, t->sb->rounding, &q8) != BS_OK) {
			sb_err(errs, "Quantity must be a number");
			return BS_EINVAL;
		}
		w->qty = q8 / 10000;
	}
	v = json_object_object_get(in, "UnitAmount");
	w->has_unit = v != NULL;
	if (!w->has_unit && w->item != NULL &&
	    json_object_object_get(w->item, "UnitPrice") != NULL) {
		v = json_object_object_get(w->item, "UnitPrice");
		w->has_unit = true;
	}
	if (w->has_unit && sb_parse_amount(t, v, udp, &w->unit) != BS_OK) {
		sb_err(errs, "Unit amount must be a number");
		return BS_EINVAL;
	}
	v = json_object_object_get(in, "LineAmount");
	w->has_amt = v != NULL;
	if (w->has_amt && sb_parse_amount(t, v, lo->dp, &w->amt) != BS_OK) {
		sb_err(errs, "Line amount must be a number");
		return BS_EINVAL;
	}
	return line_discounts(t, in, lo, w, errs);
}

/* LineAmount = Quantity x UnitAmount less discounts, or what is missing
 * worked out from LineAmount, as Xero does. */
static int line_amount(struct sb_txn *t, const struct sb_line_opts *lo, struct line_work *w,
                       struct sb_errs *errs)
{
	enum money_round rm = t->sb->rounding;
	int udp = t->unitdp4 ? 4 : 2;
	int64_t calc = 0;

	if (!w->has_qty && w->has_unit && w->has_amt && w->unit != 0) {
		/* Xero works out what is missing from LineAmount */
		if (money_muldiv(w->amt, QTY_SCALE, w->unit, rm, &w->qty) != BS_OK)
			return BS_ERANGE;
	}
	if (!w->has_unit && w->has_amt && w->has_qty && w->qty != 0) {
		/* Quantity and LineAmount: the unit price follows */
		if (money_muldiv(w->amt, QTY_SCALE, w->qty, rm, &w->unit) != BS_OK ||
		    money_round(w->unit, MONEY_DP, udp, rm, &w->unit) != BS_OK)
			return BS_ERANGE;
		w->has_unit = true;
	} else if (w->has_unit || w->has_qty) {
		if (money_line_amount(w->qty, w->unit, w->disc, lo->dp, rm, &calc) != BS_OK ||
		    money_sub(calc, w->damt, &calc) != BS_OK)
			return BS_ERANGE;
		if (w->has_amt && calc != w->amt) {
			char a1[40], a2[40];

			sb_fmt_amount(a1, sizeof(a1), w->amt, 2);
			sb_fmt_amount(a2, sizeof(a2), calc, 2);
			sb_err(errs, "The line total %s does not match the expected line total %s",
			       a1, a2);
			return BS_EINVAL;
		}
		w->amt = calc;
	} else if (w->has_amt) {
		w->unit = w->amt; /* quantity 1 */
		if (money_round(w->unit, MONEY_DP, udp, rm, &w->unit) != BS_OK)
			return BS_ERANGE;
		w->has_unit = w->has_qty = true;
	}
	return BS_OK;
}

/* The account, the tax type (the account's by default) and the line's tax;
 * then what a line must have whatever its numbers. */
static int line_tax(struct sb_txn *t, json_object *in, const struct sb_line_opts *lo,
                    struct line_work *w, struct sb_errs *errs)
{
	json_object *v;

	if (w->acct != NULL && *w->acct) {
		struct sb_doc *a = sb_find_num(t->tn, SBK_ACCOUNTS, w->acct);

		if (a == NULL) {
			sb_err(errs, "Account must be valid.");
			return BS_EINVAL;
		}
		if (w->tax == NULL)
			w->tax = sb_jstr(a->obj, "TaxType");
	}
	if (w->tax == NULL || !*w->tax)
		w->tax = "NONE";
	if (sb_tax_rate_of(t, w->tax, &w->rate) != BS_OK) {
		sb_err(errs, "Tax rate must be valid.");
		return BS_EINVAL;
	}
	if ((v = json_object_object_get(in, "TaxAmount")) != NULL && lo->mode != MONEY_TAX_NONE) {
		/* a supplied TaxAmount overrides the computed one (spec:LineItem.TaxAmount) */
		if (sb_parse_amount(t, v, lo->dp, &w->taxamt) != BS_OK) {
			sb_err(errs, "Tax amount must be a number");
			return BS_EINVAL;
		}
	} else if (money_tax(w->amt, w->rate, lo->mode, lo->dp, t->sb->rounding, &w->taxamt) !=
	           BS_OK) {
		return BS_ERANGE;
	}
	if ((v = json_object_object_get(in, "Tracking")) != NULL &&
	    json_object_is_type(v, json_type_array) && json_object_array_length(v) > 2) {
		sb_err(errs, "A line item can have at most 2 tracking categories");
		return BS_EINVAL;
	}
	if (w->desc == NULL || w->desc[0] == '\0') {
		sb_err(errs, "Description must be at least 1 character long");
		return BS_EINVAL;
	}
	return BS_OK;
}

/* The stored line, in Xero's field order. */
static json_object *line_json(json_object *in, const struct line_work *w)
{
	json_object *o = json_object_new_object(), *v;
	const char *lid = sb_jstr(in, "LineItemID");
	char id[40];

	if (lid != NULL && strlen(lid) < 40)
		snprintf(id, sizeof(id), "%s", lid);
	else
		sb_uuid(id);
	sb_jset_str(o, "LineItemID", id);
	if (w->desc != NULL)
		sb_jset_str(o, "Description", w->desc);
	if (w->has_qty || w->has_unit)
		json_object_object_add(o, "Quantity", sb_jdec_json(w->qty, QTY_DP, 4));
	if (w->has_unit)
		sb_jset_amount(o, "UnitAmount", w->unit, 2);
	if (w->code != NULL)
		sb_jset_str(o, "ItemCode", w->code);
	if (w->acct != NULL)
		sb_jset_str(o, "AccountCode", w->acct);
	sb_jset_str(o, "TaxType", w->tax);
	sb_jset_amount(o, "TaxAmount", w->taxamt, 2);
	sb_jset_amount(o, "LineAmount", w->amt, 2);
	if (w->disc != 0)
		json_object_object_add(o, "DiscountRate", sb_jdec_json(w->disc, PCT_DP, 2));
	if (w->damt != 0)
		sb_jset_amount(o, "DiscountAmount", w->damt, 2);
	v = json_object_object_get(in, "Tracking");
	json_object_object_add(o, "Tracking", v ? json_object_get(v) : json_object_new_array());
	return o;
}

/* Add the line to the document's sums: net, tax and discount given. */
static int line_sum(struct sb_txn *t, const struct sb_line_opts *lo, const struct line_work *w,
                    struct sb_line_sums *sums)
{
	int64_t net = lo->mode == MONEY_TAX_INCLUSIVE ? w->amt - w->taxamt : w->amt, gross = 0;

	if (money_add(sums->sub, net, &sums->sub) != BS_OK ||
	    money_add(sums->tax, w->taxamt, &sums->tax) != BS_OK)
		return BS_ERANGE;
	if ((w->disc != 0 || w->damt != 0) &&
	    money_line_amount(w->qty, w->unit, 0, lo->dp, t->sb->rounding, &gross) == BS_OK)
		money_add(sums->discount, gross - w->amt, &sums->discount);
	sums->nlines++;
	return BS_OK;
}

static int build_line(struct sb_txn *t, json_object *in, const struct sb_line_opts *lo,
                      json_object **out, struct sb_line_sums *sums, struct sb_errs *errs)
{
	struct line_work w;
	int rc;

	if (!json_object_is_type(in, json_type_object)) {
		sb_err(errs, "A line item must be an object");
		return BS_EINVAL;
	}
	memset(&w, 0, sizeof(w));
	w.qty = QTY_SCALE;
	w.desc = sb_jstr(in, "Description");
	w.code = sb_jstr(in, "ItemCode");
	w.acct = sb_jstr(in, "AccountCode");
	w.tax = sb_jstr(in, "TaxType");
	rc = line_item(t, lo, &w, errs);
	if (rc == BS_OK)
		rc = line_inputs(t, in, lo, &w, errs);
	if (rc == BS_OK)
		rc = line_amount(t, lo, &w, errs);
	if (rc == BS_OK)
		rc = line_tax(t, in, lo, &w, errs);
	if (rc == BS_OK) {
		*out = line_json(in, &w);
		rc = line_sum(t, lo, &w, sums);
		if (rc != BS_OK) {
			json_object_put(*out);
			*out = NULL;
		}
	}
	if (rc == BS_ERANGE)
		sb_err(errs, "A line amount is out of range");
	return rc == BS_OK ? BS_OK : BS_EINVAL;
}

int sb_build_lines(struct sb_txn *t, json_object *arr, const struct sb_line_opts *lo,
                   json_object **out, struct sb_line_sums *sums, struct sb_errs *errs)
{
	json_object *res = json_object_new_array();
	size_t n;

	memset(sums, 0, sizeof(*sums));
	if (arr == NULL) {
		*out = res;
		return BS_OK;
	}
	if (!json_object_is_type(arr, json_type_array)) {
		sb_err(errs, "LineItems must be an array");
		json_object_put(res);
		return BS_EINVAL;
	}
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		json_object *l = NULL;

		if (build_line(t, json_object_array_get_idx(arr, i), lo, &l, sums, errs) == BS_OK)
			json_object_array_add(res, l);
	}
	if (errs->n > 0) {
		json_object_put(res);
		return BS_EINVAL;
	}
	if (money_add(sums->sub, sums->tax, &sums->total) != BS_OK) {
		sb_err(errs, "The total is out of range");
		json_object_put(res);
		return BS_EINVAL;
	}
	*out = res;
	return BS_OK;
}

enum money_tax_mode sb_lat_mode(const char *lat)
{
	if (strcmp(lat, "Inclusive") == 0)
		return MONEY_TAX_INCLUSIVE;
	if (strcmp(lat, "NoTax") == 0)
		return MONEY_TAX_NONE;
	return MONEY_TAX_EXCLUSIVE;
}
