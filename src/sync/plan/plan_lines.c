/*
 * plan_lines.c - sales invoices, bills, credit notes and purchase orders.
 *
 * Their lines go through rules_rounding with the ledger's decimals, so the
 * ledger's total is predicted and corrected to the source's; each line
 * gets its tax code, its account and what of its tracking the ledger has.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"
#include "core/jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/*
 * A line's tracking, as far as the ledger has the category and option
 * (read on connect).  What it lacks is left out of the document and
 * counted, so the sync summary says so: never dropped in silence, and a
 * record is not failed for a category the organisation does not use.
 */
static int put_tracking(struct planner *p, struct json_object *line)
{
	struct json_object *tr;
	size_t kept = 0;
	int rc = BS_OK;

	if (!json_object_object_get_ex(line, "tracking", &tr) ||
	    !json_object_is_type(tr, json_type_object))
		return BS_OK;
	json_object_object_foreach(tr, name, opt)
	{
		const char *o = json_object_get_string(opt);
		bool known = false;

		for (size_t i = 0; p->ctx.tracking_json != NULL && o != NULL &&
		                   i < json_object_array_length(p->ctx.tracking_json) && !known;
		     i++) {
			struct json_object *c = json_object_array_get_idx(p->ctx.tracking_json, i),
			                   *os;
			const char *cn = jsonr_str(c, "name");

			if (cn == NULL || strcmp(cn, name) != 0 ||
			    !json_object_object_get_ex(c, "options", &os))
				continue;
			for (size_t j = 0; j < json_object_array_length(os); j++)
				known |=
				    strcmp(json_object_get_string(json_object_array_get_idx(os, j)),
				           o) == 0;
		}
		if (!known) {
			if (p->stats->tracking_dropped++ == 0)
				snprintf(p->stats->tracking_example,
				         sizeof(p->stats->tracking_example), "%s=%s", name,
				         o != NULL ? o : "");
			continue;
		}
		rc = buf_addstr(&p->s.doc, kept++ ? "," : ",\"tracking\":{");
		if (rc == BS_OK)
			rc = jsonw_str(&p->s.doc, name);
		if (rc == BS_OK)
			rc = buf_addc(&p->s.doc, ':');
		if (rc == BS_OK)
			rc = jsonw_str(&p->s.doc, o);
		if (rc != BS_OK)
			return rc;
	}
	return kept > 0 ? buf_addc(&p->s.doc, '}') : BS_OK;
}

/* One line as the ledger gets it: rules_rounding's amounts, the line's
 * tax code and account, and its tracking. */
static int put_line(struct planner *p, struct json_object *l, const struct rules_ledger_line *ll,
                    int64_t tax_rate, enum rules_direction dir, bool first)
{
	const char *tax = NULL, *acct = NULL;
	int rc = plan_tax_code(p, tax_rate, dir, &tax);

	if (rc == BS_OK)
		rc = plan_account_code_for(p, jsonr_str(l, "account"), jsonr_str(l, "sku"),
		                           dir == RULES_SALES ? PLAN_S_SALES : PLAN_S_PURCHASES,
		                           dir, &acct);
	if (rc != BS_OK)
		return rc;
	rc = buf_addstr(&p->s.doc, first ? "{" : ",{");
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 0, "description",
		                  ll->description != NULL && ll->description[0] != '\0'
		                      ? ll->description
		                      : "Item");
	if (rc == BS_OK)
		rc = plan_put_dec(&p->s.doc, "quantity", ll->qty, QTY_DP, 0);
	if (rc == BS_OK)
		rc = plan_put_dec(&p->s.doc, "unit_amount", ll->unit_amount, MONEY_DP, 2);
	if (rc == BS_OK && ll->discount_pct != 0)
		rc = plan_put_dec(&p->s.doc, "discount_rate", ll->discount_pct, PCT_DP, 0);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "account", acct);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "tax_type", tax);
	if (rc == BS_OK)
		rc = plan_put_dec(&p->s.doc, "line_amount", ll->line_amount, MONEY_DP, 2);
	if (rc == BS_OK)
		rc = put_tracking(p, l);
	if (rc == BS_OK)
		rc = buf_addc(&p->s.doc, '}');
	return rc;
}

/* The rounding correction line, on account.rounding, without tax. */
static int put_correction(struct planner *p, int64_t correction, enum rules_direction dir,
                          bool first)
{
	const char *acct = NULL;
	int rc = plan_account_code(p, NULL, PLAN_S_ROUNDING, dir, &acct);

	if (rc == BS_OK)
		rc = buf_addstr(&p->s.doc, first ? "{" : ",{");
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 0, "description", RULES_ROUNDING_DESCRIPTION);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "quantity", "1");
	if (rc == BS_OK)
		rc = plan_put_dec(&p->s.doc, "unit_amount", correction, MONEY_DP, 2);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "account", acct);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "tax_type", p->ctx.ledger->tax_none);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "rounding", "true");
	if (rc == BS_OK)
		rc = buf_addc(&p->s.doc, '}');
	return rc;
}

/* The lines of an invoice / credit note / bill / PO, rounding included. */
static int put_doc_lines(struct planner *p, struct json_object *o, const char *price_key,
                         enum rules_direction dir, int cur_dp, bool fold, bool *corrected)
{
	struct json_object *lines = plan_jarr(o, "lines");
	size_t n = lines != NULL ? json_object_array_length(lines) : 0;
	struct rules_line *in = calloc(n ? n : 1, sizeof(*in));
	struct rules_ledger_line *out = calloc(n ? n : 1, sizeof(*out));
	struct rules_rounding_in ri = {0};
	struct rules_rounding_out ro = {0};
	const char *mode = jsonr_str(o, "tax_mode");
	int rc = BS_OK;

	if (in == NULL || out == NULL) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);

		in[i].qty = plan_jfixed(l, "qty", QTY_DP);
		in[i].unit_price = plan_jfixed(l, price_key, MONEY_DP);
		in[i].discount_pct = plan_jfixed(l, "discount_pct", PCT_DP);
		in[i].tax_rate = plan_jfixed(l, "tax_rate", PCT_DP);
		in[i].description = jsonr_str(l, "description") != NULL
		                        ? jsonr_str(l, "description")
		                        : jsonr_str(l, "sku");
	}
	ri.lines = in;
	ri.nlines = n;
	ri.tax_mode = mode != NULL && strcmp(mode, "inclusive") == 0 ? MONEY_TAX_INCLUSIVE
	              : mode != NULL && strcmp(mode, "none") == 0    ? MONEY_TAX_NONE
	                                                             : MONEY_TAX_EXCLUSIVE;
	ri.currency_dp = cur_dp;
	ri.ledger_unit_dp = p->ctx.ledger->unit_dp;
	ri.ledger_amount_dp = p->ctx.ledger->amount_dp;
	ri.ledger_round = p->o->ledger_round;
	ri.fold_discount = fold;
	ri.tax_rounding = p->ctx.ledger->tax_rounding;
	ri.rounding_account = plan_sv(p, PLAN_S_ROUNDING);
	ro.lines = out;
	ro.cap = n;
	buf_reset(&p->s.desc);
	if ((rc = rules_rounding(&ri, &ro, &p->s.desc, p->err)) != BS_OK)
		goto out;
	rc = buf_addstr(&p->s.doc, ",\"lines\":[");
	for (size_t i = 0; rc == BS_OK && i < ro.nlines; i++)
		rc = put_line(p, json_object_array_get_idx(lines, ro.lines[i].src), &ro.lines[i],
		              in[ro.lines[i].src].tax_rate, dir, i == 0);
	if (rc == BS_OK && ro.has_correction) {
		rc = put_correction(p, ro.correction, dir, ro.nlines == 0);
		*corrected = true;
	}
	if (rc == BS_OK)
		rc = buf_addc(&p->s.doc, ']');
	if (rc == BS_OK)
		rc = plan_put_dec(&p->s.doc, "expected_total", ro.ledger_total, MONEY_DP, 2);
	/* where a correction goes if the ledger's total still differs after
	 * posting (dispatch.c: the post-hoc update) */
	if (rc == BS_OK) {
		const char *racct = NULL;
		int arc = plan_account_code(p, NULL, PLAN_S_ROUNDING, dir, &racct);

		/* optional: without a usable rounding account the document goes
		 * as planned, and a total the ledger still disputes fails the
		 * record saying so (dispatch.c); any other failure is the run's */
		if (arc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 1, "rounding_account", racct);
		else if (arc == BS_EINVAL || arc == BS_ENOTFOUND)
			bs_error_clear(p->err);
		else
			rc = arc;
	}
	if (rc == BS_OK && ro.residual != 0)
		rc = plan_put_dec(&p->s.doc, "residual", ro.residual, MONEY_DP, 2);
out:
	free(in);
	free(out);
	return rc;
}

/* Sales invoices, bills, credit notes and purchase orders. */
int plan_build_document(struct planner *p, const struct plan_item *it, const char *type,
                        bool purchases, const char *op)
{
	enum record_kind kind = it->kind;
	const char *id = it->id;
	struct json_object *o = it->o;
	enum rules_direction dir = purchases ? RULES_PURCHASES : RULES_SALES;
	const char *date = jsonr_str(o, "invoice_date") != NULL ? jsonr_str(o, "invoice_date")
	                                                        : jsonr_str(o, "date");
	const char *cur = NULL, *mode = jsonr_str(o, "tax_mode");
	struct buf rate;
	bool corrected = false, is_po = strcmp(type, "PurchaseOrder") == 0;
	int cur_dp = 2, rc;

	if (is_po)
		date = jsonr_str(o, "date");
	if ((rc = plan_check_lock(p, date)) != BS_OK)
		return rc;
	buf_init(&rate, 64);
	rc = plan_currency_of(p, o, it->info->total, &cur, &cur_dp, &rate);
	if (rc == BS_OK)
		rc = plan_doc_begin(p, type, op, kind, id, date);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "subtype", purchases ? "purchases" : "sales");
	if (rc == BS_OK) {
		if (jsonr_str(o, "customer_id") != NULL)
			rc = plan_put_sym(p, "contact", "Contact", RECORD_CUSTOMER,
			                  jsonr_str(o, "customer_id"));
		else if (jsonr_str(o, "supplier_id") != NULL)
			rc = plan_put_sym(p, "contact", "Contact", RECORD_SUPPLIER,
			                  jsonr_str(o, "supplier_id"));
	}
	/* The number: the unique reference for sales documents (docs/mapping-xero.md),
	 * supplier invoice number / purchase reference for bills (same). */
	if (rc == BS_OK) {
		const char *ref =
		    jsonr_str(o, "reference") != NULL ? jsonr_str(o, "reference") : id;
		struct buf whole;
		bool cut = false;

		/* a purchase's reference is kept whole beside its (cut) number */
		buf_init(&whole, 4096);
		buf_reset(&p->s.num);
		if (kind == RECORD_PURCHASE) {
			rc = plan_purchase_number(p, it, !is_po, ref, &whole);
			ref = buf_cstr(&whole);
		} else if (purchases) {
			rc = buf_addstr(&p->s.num, ref);
		} else {
			rc = plan_unique_number(p, kind, id, type, ref, &cut);
		}
		/* a consolidated document whose name does not fit whole takes its
		 * short form (docs/consolidation.md), never a cut name */
		if (rc == BS_OK && (cut || (p->ctx.ledger->doc_number_max > 0 &&
		                            p->s.num.len > p->ctx.ledger->doc_number_max)))
			rc = plan_cons_short_number(p, o);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 1, "number", buf_cstr(&p->s.num));
		if (rc == BS_OK)
			rc = plan_put_opt(&p->s.doc, "reference", ref);
		buf_free(&whole);
	}
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "due_date", jsonr_str(o, "due_date"));
	if (rc == BS_OK && is_po)
		rc = plan_put_opt(&p->s.doc, "delivery_date", jsonr_str(o, "dispatch_date"));
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "currency", cur);
	if (rc == BS_OK && rate.len > 0)
		rc = jsonw_kv_str(&p->s.doc, 1, "currency_rate", buf_cstr(&rate));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "status",
		                  is_po ? "AUTHORISED" : plan_sv(p, PLAN_S_STATUS));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "amounts", mode != NULL ? mode : "exclusive");
	if (rc == BS_OK)
		/* purchases price lines in unit_cost; credit notes, either side, in
		 * unit_price ("as sale", docs/records.md) */
		rc = put_doc_lines(p, o, kind == RECORD_PURCHASE ? "unit_cost" : "unit_price", dir,
		                   cur_dp, strcmp(type, "CreditNote") == 0, &corrected);
	if (rc == BS_OK && corrected)
		p->stats->corrections++;
	buf_free(&rate);
	return rc;
}
