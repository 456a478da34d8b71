/*
 * qbo_txn.c - the QuickBooks Online sandbox's transactions: the checks
 * every transaction shares (TxnDate, closed period, DocNumber length and
 * uniqueness, PrivateNote, currency), lines and QBO's arithmetic (Qty and
 * UnitPrice to 7 decimals, Amount and totals to 2, Amount = Qty × UnitPrice
 * or 6070), tax through TaxCodeRef and TxnTaxDetail (per tax rate, rounded
 * once), journal balance, and what payments apply to invoices and bills.
 */
#include "sandbox/qbo_int.h"

#include "core/civil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REQ_MSG   "Required param missing, need to supply the required value for the API"
#define BIZ_MSG   "A business validation error has occurred while processing your request"
#define MAX_RATES 16
#define E7        INT64_C(10000000)

struct rate_acc {
	char id[16];
	int64_t pct;  /* micros of a percent */
	int64_t net;  /* micros: taxable amounts (exclusive) */
	int64_t incl; /* micros: TaxInclusiveAmt sums (TaxInclusive) */
};

struct lines_ctx {
	bool sales;  /* SalesTaxRateList, else PurchaseTaxRateList */
	int calc;    /* 0 TaxExcluded, 1 TaxInclusive, 2 NotApplicable */
	int64_t net; /* Σ line Amounts (micros) */
	int64_t taxed_incl, taxed_net;
	struct rate_acc r[MAX_RATES];
	int nr;
};

/* ------------------------------------------------------------- numbers */

/* An Amount: a number with at most 7 decimals, kept at 2 (half away from
 * zero); micros.  BS_EINVAL with a Fault naming `el`. */
static int amount2(struct qbo_ctx *c, json_object *v, const char *el, int64_t *out)
{
	int64_t a7, r7;

	*out = 0;
	if (sb_jdec(v, 7, 7, &a7) != BS_OK || money_round(a7, 7, 2, MONEY_HALF_AWAY, &r7) != BS_OK)
		return qbo_verr(c->f, "6000", BIZ_MSG, el,
		                "%s must be a number with at most 7 decimal places", el);
	*out = r7 / 10;
	return BS_OK;
}

static int dec7(struct qbo_ctx *c, json_object *v, const char *el, int64_t *out)
{
	*out = 0;
	if (sb_jdec(v, 7, 7, out) != BS_OK)
		return qbo_verr(c->f, "6000", BIZ_MSG, el,
		                "%s must be a number with at most 7 decimal places", el);
	return BS_OK;
}

static void fmt2(char *out, size_t n, int64_t micros)
{
	sb_fmt_amount(out, n, micros, 2);
}

/* ------------------------------------------------------------- common */

bool qbo_closed(struct qbo_ctx *c, const char *txn_date)
{
	struct qbo_coll *pc = &c->r->coll[QBE_PREFERENCES];
	json_object *v;
	int64_t close, d;

	if (pc->n == 0 || txn_date == NULL)
		return false;
	v = sb_jget_path(pc->docs[0]->obj, "AccountingInfoPrefs.BookCloseDate");
	if (v == NULL || !json_object_is_type(v, json_type_string) ||
	    civil_parse(json_object_get_string(v), &close) != BS_OK ||
	    civil_parse(txn_date, &d) != BS_OK)
		return false;
	return d < close + INT64_C(86400000); /* the close date itself is closed */
}

/* DocNumbers are unique per entity (per vendor for bills and vendor credits). */
static bool docnum_checked(int ent)
{
	return ent == QBE_INVOICE || ent == QBE_CREDITMEMO || ent == QBE_PURCHASEORDER ||
	       ent == QBE_JOURNALENTRY || ent == QBE_BILL || ent == QBE_VENDORCREDIT;
}

static bool same_vendor(json_object *a, json_object *b)
{
	return a != NULL && b != NULL &&
	       strcmp(json_object_get_string(a), json_object_get_string(b)) == 0;
}

static int dup_error(struct qbo_ctx *c, int ent, const char *num, const struct qbo_doc *d)
{
	return qbo_verr(c->f, "6140", "Duplicate Document Number Error", "DocNumber",
	                "Duplicate Document Number Error : You must specify a different "
	                "number. This number has already been used. DocNumber=%s is assigned "
	                "to TxnType=%s with TxnId=%s",
	                num, qbo_ents[ent].name, d->id);
}

static int check_docnum(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	const char *num = sb_jstr(doc, "DocNumber");
	json_object *vr = sb_jget_path(doc, "VendorRef.value");
	struct qbo_coll *cl = &c->r->coll[ent];
	bool per_vendor = ent == QBE_BILL || ent == QBE_VENDORCREDIT;

	if (qbo_len(c, doc, "DocNumber", 21) != BS_OK)
		return BS_EINVAL;
	char key[160];
	const struct qbo_doc *hint;

	if (num == NULL || !docnum_checked(ent))
		return BS_OK;
	/* every stored number is in by_num: no entry, no duplicate; an entry
	 * still true is the duplicate; a stale one (renumbered, deleted,
	 * `old` itself) sends the check the long way */
	if (qbo_num_key(ent, num, vr != NULL ? json_object_get_string(vr) : NULL, key,
	                sizeof(key))) {
		hint = sb_map_get(&cl->by_num, key);
		if (hint == NULL)
			return BS_OK;
		if (!hint->deleted && hint != old && sb_jstr(hint->obj, "DocNumber") != NULL &&
		    strcasecmp(sb_jstr(hint->obj, "DocNumber"), num) == 0 &&
		    (!per_vendor || same_vendor(vr, sb_jget_path(hint->obj, "VendorRef.value"))))
			return dup_error(c, ent, num, hint);
	}
	for (size_t i = 0; i < cl->n; i++) {
		struct qbo_doc *d = cl->docs[i];
		const char *dn = sb_jstr(d->obj, "DocNumber");
		json_object *dv = sb_jget_path(d->obj, "VendorRef.value");

		if (d->deleted || d == old || dn == NULL || strcasecmp(dn, num) != 0)
			continue;
		if (per_vendor && !same_vendor(vr, dv))
			continue;
		return dup_error(c, ent, num, d);
	}
	return BS_OK;
}

int qbo_check_txn(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	const char *date = sb_jstr(doc, "TxnDate");
	int64_t ms;

	if (date == NULL) {
		char d[40];

		sb_isodate(d, sizeof(d), c->now, false);
		d[10] = '\0';
		sb_jset_str(doc, "TxnDate", d);
		date = sb_jstr(doc, "TxnDate");
	} else if (civil_parse(date, &ms) != BS_OK) {
		return qbo_verr(c->f, "6000", BIZ_MSG, "TxnDate", "TxnDate %s is not a date", date);
	}
	if (qbo_closed(c, date))
		return qbo_fault(c->f, 400, "ValidationFault", "6210", "Account Period Closed",
		                 "TxnDate",
		                 "Account Period Closed, Cannot Update Through Services API : The "
		                 "account period has closed and the books are locked (TxnDate %s).",
		                 date);
	if (qbo_len(c, doc, "PrivateNote", 4000) != BS_OK ||
	    check_docnum(c, ent, doc, old) != BS_OK)
		return BS_EINVAL;
	if (qbo_check_currency(c, doc, true) != BS_OK ||
	    qbo_check_party_currency(c, ent, doc) != BS_OK)
		return BS_EINVAL;
	return BS_OK;
}

/* ------------------------------------------------------------- lines */

static json_object *lines_of(struct qbo_ctx *c, json_object *doc)
{
	json_object *lines = json_object_object_get(doc, "Line");

	if (lines == NULL || !json_object_is_type(lines, json_type_array) ||
	    json_object_array_length(lines) == 0) {
		qbo_verr(c->f, "2020", REQ_MSG, "Line", "Required parameter Line is missing");
		return NULL;
	}
	return lines;
}

/* Add a taxable line to the rate sums of its tax code. */
static int tax_line(struct qbo_ctx *c, struct lines_ctx *lc, json_object *det, int64_t amount,
                    int64_t incl)
{
	struct qbo_doc *code, *rate;
	json_object *list;

	if (qbo_ref(c, det, "TaxCodeRef", QBE_TAXCODE, false, &code) != BS_OK)
		return BS_EINVAL;
	if (code == NULL || lc->calc == 2)
		return BS_OK;
	list = sb_jget_path(code->obj, lc->sales ? "SalesTaxRateList.TaxRateDetail"
	                                         : "PurchaseTaxRateList.TaxRateDetail");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		const char *rid = sb_jstr(
		    sb_jget_path(json_object_array_get_idx(list, i), "TaxRateRef"), "value");
		int k;

		rate = sb_map_get(&c->r->coll[QBE_TAXRATE].by_id, rid ? rid : "");
		if (rate == NULL)
			continue;
		for (k = 0; k < lc->nr && strcmp(lc->r[k].id, rate->id) != 0; k++)
			;
		if (k == lc->nr) {
			if (lc->nr == MAX_RATES)
				return qbo_verr(c->f, "6000", BIZ_MSG, "TaxCodeRef",
				                "Too many tax rates");
			snprintf(lc->r[k].id, sizeof(lc->r[k].id), "%s", rate->id);
			lc->r[k].pct = sb_jamount(rate->obj, "RateValue");
			lc->nr++;
		}
		lc->r[k].net += amount;
		lc->r[k].incl += incl;
	}
	if (list != NULL && json_object_array_length(list) > 0) {
		lc->taxed_incl += incl;
		lc->taxed_net += amount;
	}
	return BS_OK;
}

/* One item / expense line: Amount, Qty × UnitPrice, its references, tax. */
static int item_line(struct qbo_ctx *c, struct lines_ctx *lc, json_object *line, const char *dt,
                     json_object *det)
{
	json_object *qv = json_object_object_get(det, "Qty");
	json_object *pv = json_object_object_get(det, "UnitPrice");
	json_object *av = json_object_object_get(line, "Amount");
	int64_t amount, qty, price, prod, incl = 0;
	char a[40], p[40];

	if (av == NULL)
		return qbo_verr(c->f, "2020", REQ_MSG, "Line.Amount",
		                "Required parameter Line.Amount is missing in the request");
	if (amount2(c, av, "Line.Amount", &amount) != BS_OK)
		return BS_EINVAL;
	sb_jset_amount(line, "Amount", amount, 2);
	if (qv != NULL && pv != NULL) {
		if (dec7(c, qv, "Qty", &qty) != BS_OK || dec7(c, pv, "UnitPrice", &price) != BS_OK)
			return BS_EINVAL;
		/* qty × price at 7 + 7 decimals, to micros, then to cents */
		if (money_muldiv(qty, price, E7 * 10, MONEY_HALF_AWAY, &prod) != BS_OK ||
		    money_round(prod, MONEY_DP, 2, MONEY_HALF_AWAY, &prod) != BS_OK)
			return qbo_verr(c->f, "6000", BIZ_MSG, "Line.Amount",
			                "Qty × UnitPrice overflows");
		if (prod != amount) {
			fmt2(a, sizeof(a), amount);
			fmt2(p, sizeof(p), prod);
			return qbo_verr(
			    c->f, "6070", BIZ_MSG, "Line.Amount",
			    "Amount is not equal to UnitPrice * Qty. Supplied value:%s, "
			    "UnitPrice * Qty = %s",
			    a, p);
		}
	}
	if (strcmp(dt, "AccountBasedExpenseLineDetail") == 0) {
		if (qbo_ref(c, det, "AccountRef", QBE_ACCOUNT, true, NULL) != BS_OK)
			return BS_EINVAL;
	} else if (qbo_ref(c, det, "ItemRef", QBE_ITEM, strcmp(dt, "SalesItemLineDetail") != 0,
	                   NULL) != BS_OK) {
		return BS_EINVAL;
	}
	if (lc->calc == 1 && json_object_object_get(det, "TaxCodeRef") != NULL) {
		if (json_object_object_get(det, "TaxInclusiveAmt") == NULL)
			return qbo_verr(
			    c->f, "2020", REQ_MSG, "TaxInclusiveAmt",
			    "TaxInclusive lines with a TaxCodeRef need TaxInclusiveAmt");
		if (amount2(c, json_object_object_get(det, "TaxInclusiveAmt"), "TaxInclusiveAmt",
		            &incl) != BS_OK)
			return BS_EINVAL;
	}
	if (money_add(lc->net, amount, &lc->net) != BS_OK)
		return qbo_verr(c->f, "6000", BIZ_MSG, "Line.Amount", "total out of range");
	return tax_line(c, lc, det, amount, incl);
}

/* Walk the lines of a sales or purchase form (types: the item detail types). */
static int walk_lines(struct qbo_ctx *c, struct lines_ctx *lc, json_object *lines,
                      const char *const *types, size_t ntypes)
{
	int64_t subtotal = 0;

	for (size_t i = 0; i < json_object_array_length(lines); i++) {
		json_object *line = json_object_array_get_idx(lines, i), *det;
		const char *dt = sb_jstr(line, "DetailType");
		int64_t before = lc->net;

		if (dt == NULL)
			return qbo_verr(c->f, "2020", REQ_MSG, "Line.DetailType",
			                "Required parameter Line.DetailType is missing");
		if (strcmp(dt, "SubTotalLineDetail") == 0) {
			sb_jset_amount(line, "Amount", subtotal, 2);
			continue;
		}
		if (strcmp(dt, "DescriptionOnly") == 0)
			continue;
		if (!sb_in_list(types, ntypes, dt))
			return qbo_verr(c->f, "2170", "Invalid Enumeration", "Line.DetailType",
			                "Invalid Enumeration : %s is not a line type of this form "
			                "(DiscountLineDetail is not modelled)",
			                dt);
		det = json_object_object_get(line, dt);
		if (det == NULL || !json_object_is_type(det, json_type_object))
			return qbo_verr(c->f, "2020", REQ_MSG, dt,
			                "Required parameter %s is missing", dt);
		if (item_line(c, lc, line, dt, det) != BS_OK)
			return BS_EINVAL;
		subtotal += lc->net - before;
		if (!json_object_object_get(line, "LineNum"))
			json_object_object_add(line, "LineNum", json_object_new_int((int)i + 1));
		if (!json_object_object_get(line, "Id")) {
			char id[24];

			snprintf(id, sizeof(id), "%zu", i + 1);
			sb_jset_str(line, "Id", id);
		}
	}
	return BS_OK;
}

static int tax_calc(struct qbo_ctx *c, json_object *doc, struct lines_ctx *lc)
{
	static const char *const modes[] = {"TaxExcluded", "TaxInclusive", "NotApplicable"};
	const char *g = sb_jstr(doc, "GlobalTaxCalculation");

	lc->calc = 0;
	if (g == NULL) {
		sb_jset_str(doc, "GlobalTaxCalculation", "TaxExcluded");
		return BS_OK;
	}
	for (int i = 0; i < 3; i++)
		if (strcmp(g, modes[i]) == 0) {
			lc->calc = i;
			return BS_OK;
		}
	return qbo_verr(c->f, "2170", "Invalid Enumeration", "GlobalTaxCalculation",
	                "Invalid Enumeration : %s", g);
}

/* TxnTaxDetail and TotalAmt from the rate sums; *total in micros. */
static int totals(struct qbo_ctx *c, json_object *doc, struct lines_ctx *lc, int64_t *total)
{
	json_object *tt = json_object_new_object(), *arr = json_object_new_array();
	json_object *old = json_object_object_get(doc, "TxnTaxDetail");
	int64_t sum = 0;

	if (old != NULL)
		sb_jcopy(tt, old, "TxnTaxCodeRef");
	for (int k = 0; k < lc->nr; k++) {
		json_object *tl = json_object_new_object(), *det = json_object_new_object();
		json_object *ref = json_object_new_object();
		int64_t tax, base = lc->calc == 1 ? lc->r[k].incl : lc->r[k].net;
		int64_t div =
		    lc->calc == 1 ? 100 * INT64_C(1000000) + lc->r[k].pct : 100 * INT64_C(1000000);

		/* one rounding per rate, half away from zero, straight to 2
		 * decimals (no rounding to micros first: that would round twice) */
		if (money_muldiv(base, lc->r[k].pct, div * 10000, MONEY_HALF_AWAY, &tax) != BS_OK ||
		    money_muldiv(tax, 10000, 1, MONEY_HALF_AWAY, &tax) != BS_OK) {
			json_object_put(tl);
			json_object_put(det);
			json_object_put(ref);
			json_object_put(tt);
			json_object_put(arr);
			return qbo_verr(c->f, "6000", BIZ_MSG, "TxnTaxDetail", "tax out of range");
		}
		sum += tax;
		sb_jset_amount(tl, "Amount", tax, 2);
		sb_jset_str(tl, "DetailType", "TaxLineDetail");
		sb_jset_str(ref, "value", lc->r[k].id);
		json_object_object_add(det, "TaxRateRef", ref);
		json_object_object_add(det, "PercentBased", json_object_new_boolean(true));
		sb_jset_amount(det, "TaxPercent", lc->r[k].pct, 0);
		sb_jset_amount(det, "NetAmountTaxable",
		               lc->calc == 1 ? lc->r[k].incl - tax : lc->r[k].net, 2);
		json_object_object_add(tl, "TaxLineDetail", det);
		json_object_array_add(arr, tl);
	}
	sb_jset_amount(tt, "TotalTax", sum, 2);
	json_object_object_add(tt, "TaxLine", arr);
	json_object_object_add(doc, "TxnTaxDetail", tt);
	/* TaxInclusive: the taxed lines count at their inclusive amounts */
	*total = lc->calc == 1 ? lc->net - lc->taxed_net + lc->taxed_incl : lc->net + sum;
	sb_jset_amount(doc, "TotalAmt", *total, 2);
	return BS_OK;
}

/* Balance = TotalAmt less what payments applied to the stored version. */
static void set_balance(json_object *doc, const struct qbo_doc *old, int64_t total)
{
	int64_t paid = old ? sb_jamount(old->obj, "TotalAmt") - sb_jamount(old->obj, "Balance") : 0;

	sb_jset_amount(doc, "Balance", total - paid, 2);
}

int qbo_check_sales(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	static const char *const types[] = {"SalesItemLineDetail"};
	struct lines_ctx lc;
	json_object *lines;
	int64_t total = 0;

	memset(&lc, 0, sizeof(lc));
	lc.sales = true;
	if (qbo_check_txn(c, ent, doc, old) != BS_OK ||
	    qbo_ref(c, doc, "CustomerRef", QBE_CUSTOMER, true, NULL) != BS_OK ||
	    (lines = lines_of(c, doc)) == NULL || tax_calc(c, doc, &lc) != BS_OK ||
	    walk_lines(c, &lc, lines, types, 1) != BS_OK || totals(c, doc, &lc, &total) != BS_OK)
		return BS_EINVAL;
	set_balance(doc, old, total);
	return BS_OK;
}

int qbo_check_purchase(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	static const char *const types[] = {"AccountBasedExpenseLineDetail",
	                                    "ItemBasedExpenseLineDetail"};
	static const char *const paytypes[] = {"Cash", "Check", "CreditCard"};
	static const char *const postatus[] = {"Open", "Closed"};
	struct lines_ctx lc;
	json_object *lines;
	int64_t total = 0;

	memset(&lc, 0, sizeof(lc));
	if (qbo_check_txn(c, ent, doc, old) != BS_OK)
		return BS_EINVAL;
	if (ent == QBE_PURCHASE) {
		const char *pt = sb_jstr(doc, "PaymentType");

		if (qbo_ref(c, doc, "AccountRef", QBE_ACCOUNT, true, NULL) != BS_OK)
			return BS_EINVAL;
		if (pt == NULL)
			return qbo_verr(c->f, "2020", REQ_MSG, "PaymentType",
			                "Required parameter PaymentType is missing in the request");
		if (!sb_in_list(paytypes, 3, pt))
			return qbo_verr(c->f, "2170", "Invalid Enumeration", "PaymentType",
			                "Invalid Enumeration : %s", pt);
	} else if (qbo_ref(c, doc, "VendorRef", QBE_VENDOR, true, NULL) != BS_OK ||
	           qbo_ref(c, doc, "APAccountRef", QBE_ACCOUNT, false, NULL) != BS_OK) {
		return BS_EINVAL;
	}
	if (ent == QBE_PURCHASEORDER) {
		const char *st = sb_jstr(doc, "POStatus");

		if (st == NULL)
			sb_jset_str(doc, "POStatus", "Open");
		else if (!sb_in_list(postatus, 2, st))
			return qbo_verr(c->f, "2170", "Invalid Enumeration", "POStatus",
			                "Invalid Enumeration : %s", st);
	}
	if ((lines = lines_of(c, doc)) == NULL || tax_calc(c, doc, &lc) != BS_OK ||
	    walk_lines(c, &lc, lines, types, 2) != BS_OK || totals(c, doc, &lc, &total) != BS_OK)
		return BS_EINVAL;
	if (ent == QBE_BILL || ent == QBE_VENDORCREDIT)
		set_balance(doc, old, total);
	return BS_OK;
}

/* The AccountType of the account a line names ("" when unknown). */
static const char *acct_type(struct qbo_ctx *c, json_object *det)
{
	const char *id = sb_jstr(sb_jget_path(det, "AccountRef"), "value");
	struct qbo_doc *a = id ? qbo_find(c, QBE_ACCOUNT, id) : NULL;
	const char *t = a ? sb_jstr(a->obj, "AccountType") : NULL;

	return t ? t : "";
}

int qbo_check_journal(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	json_object *lines;
	int64_t debit = 0, credit = 0;
	int nd = 0, nc = 0;
	char a[40], b[40];

	if (qbo_check_txn(c, ent, doc, old) != BS_OK || (lines = lines_of(c, doc)) == NULL)
		return BS_EINVAL;
	for (size_t i = 0; i < json_object_array_length(lines); i++) {
		json_object *line = json_object_array_get_idx(lines, i);
		json_object *det = json_object_object_get(line, "JournalEntryLineDetail");
		const char *pt = sb_jstr(det, "PostingType"), *at;
		int64_t amount;

		if (det == NULL || json_object_object_get(line, "Amount") == NULL)
			return qbo_verr(c->f, "2020", REQ_MSG, "JournalEntryLineDetail",
			                "Every line needs Amount and JournalEntryLineDetail");
		if (amount2(c, json_object_object_get(line, "Amount"), "Line.Amount", &amount) !=
		        BS_OK ||
		    qbo_ref(c, det, "AccountRef", QBE_ACCOUNT, true, NULL) != BS_OK)
			return BS_EINVAL;
		sb_jset_amount(line, "Amount", amount, 2);
		if (pt == NULL || (strcmp(pt, "Debit") != 0 && strcmp(pt, "Credit") != 0))
			return qbo_verr(
			    c->f, "2170", "Invalid Enumeration", "PostingType",
			    "Invalid Enumeration : PostingType must be Debit or Credit");
		at = acct_type(c, det);
		if ((strcmp(at, "Accounts Receivable") == 0 ||
		     strcmp(at, "Accounts Payable") == 0) &&
		    sb_jget_path(det, "Entity.EntityRef.value") == NULL)
			return qbo_verr(c->f, "6000", BIZ_MSG, "Entity",
			                "A line on %s needs a %s in Entity", at,
			                at[9] == 'R' ? "Customer" : "Vendor");
		if (pt[0] == 'D') {
			debit += amount;
			nd++;
		} else {
			credit += amount;
			nc++;
		}
	}
	if (nd == 0 || nc == 0 || debit != credit) {
		fmt2(a, sizeof(a), debit);
		fmt2(b, sizeof(b), credit);
		return qbo_verr(c->f, "6000", BIZ_MSG, "Line",
		                "Transaction must balance: debits %s, credits %s (at least one "
		                "of each)",
		                a, b);
	}
	sb_jset_amount(doc, "TotalAmt", 0, 2); /* QBO reports 0 for journals */
	return BS_OK;
}

int qbo_check_deposit(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	json_object *lines;
	int64_t total = 0;

	if (qbo_check_txn(c, ent, doc, old) != BS_OK ||
	    qbo_ref(c, doc, "DepositToAccountRef", QBE_ACCOUNT, true, NULL) != BS_OK ||
	    (lines = lines_of(c, doc)) == NULL)
		return BS_EINVAL;
	for (size_t i = 0; i < json_object_array_length(lines); i++) {
		json_object *line = json_object_array_get_idx(lines, i);
		json_object *det = json_object_object_get(line, "DepositLineDetail");
		int64_t amount;

		if (json_object_object_get(line, "Amount") == NULL)
			return qbo_verr(c->f, "2020", REQ_MSG, "Line.Amount",
			                "Required parameter Line.Amount is missing");
		if (amount2(c, json_object_object_get(line, "Amount"), "Line.Amount", &amount) !=
		    BS_OK)
			return BS_EINVAL;
		sb_jset_amount(line, "Amount", amount, 2);
		if (json_object_object_get(line, "LinkedTxn") == NULL &&
		    (det == NULL ||
		     qbo_ref(c, det, "AccountRef", QBE_ACCOUNT, true, NULL) != BS_OK))
			return c->f->n ? BS_EINVAL
			               : qbo_verr(c->f, "2020", REQ_MSG, "DepositLineDetail",
			                          "A line needs DepositLineDetail.AccountRef or "
			                          "LinkedTxn");
		total += amount;
	}
	sb_jset_amount(doc, "TotalAmt", total, 2);
	return BS_OK;
}

/* ------------------------------------------------------------- payments */

/* The entity a payment's LinkedTxn TxnType names, or -1. */
static int link_ent(int ent, const char *type)
{
	if (type == NULL)
		return -1;
	if (ent == QBE_PAYMENT)
		return strcmp(type, "Invoice") == 0      ? QBE_INVOICE
		       : strcmp(type, "CreditMemo") == 0 ? QBE_CREDITMEMO
		                                         : -1;
	return strcmp(type, "Bill") == 0           ? QBE_BILL
	       : strcmp(type, "VendorCredit") == 0 ? QBE_VENDORCREDIT
	                                           : -1;
}

/* Move each linked document's Balance by sign × the line amount. */
static int apply(struct qbo_ctx *c, int ent, json_object *payment, int sign)
{
	json_object *lines = json_object_object_get(payment, "Line");

	for (size_t i = 0; lines && i < json_object_array_length(lines); i++) {
		json_object *line = json_object_array_get_idx(lines, i);
		json_object *lt = json_object_object_get(line, "LinkedTxn");
		int64_t amount = sb_jamount(line, "Amount");

		for (size_t j = 0; lt && j < json_object_array_length(lt); j++) {
			json_object *l = json_object_array_get_idx(lt, j);
			int le = link_ent(ent, sb_jstr(l, "TxnType"));
			struct qbo_doc *d =
			    le >= 0 ? sb_map_get(&c->r->coll[le].by_id,
			                         sb_jstr(l, "TxnId") ? sb_jstr(l, "TxnId") : "")
			            : NULL;
			int rc;

			if (d == NULL || d->deleted)
				continue;
			sb_jset_amount(d->obj, "Balance",
			               sb_jamount(d->obj, "Balance") - sign * amount, 2);
			if ((rc = qbo_put(c, le, d, json_object_get(d->obj), NULL)) != BS_OK)
				return rc;
		}
	}
	return BS_OK;
}

int qbo_unapply(struct qbo_ctx *c, int ent, json_object *payment)
{
	return apply(c, ent, payment, -1);
}

/* What the stored version `old` applied to document (le, id), micros. */
static int64_t applied_before(const struct qbo_doc *old, int ent, int le, const char *id)
{
	json_object *lines = old ? json_object_object_get(old->obj, "Line") : NULL;
	int64_t sum = 0;

	for (size_t i = 0; lines && i < json_object_array_length(lines); i++) {
		json_object *line = json_object_array_get_idx(lines, i);
		json_object *lt = json_object_object_get(line, "LinkedTxn");

		for (size_t j = 0; lt && j < json_object_array_length(lt); j++) {
			json_object *l = json_object_array_get_idx(lt, j);

			if (link_ent(ent, sb_jstr(l, "TxnType")) == le && sb_jstr(l, "TxnId") &&
			    strcmp(sb_jstr(l, "TxnId"), id) == 0)
				sum += sb_jamount(line, "Amount");
		}
	}
	return sum;
}

/* Check one payment line: its links exist, belong to the party, fit the balance. */
static int pay_line(struct qbo_ctx *c, int ent, json_object *line, const char *party,
                    const struct qbo_doc *old, int64_t *net)
{
	json_object *lt = json_object_object_get(line, "LinkedTxn");
	int64_t amount;
	char a[40], b[40];

	if (json_object_object_get(line, "Amount") == NULL || lt == NULL ||
	    !json_object_is_type(lt, json_type_array))
		return qbo_verr(c->f, "2020", REQ_MSG, "Line.LinkedTxn",
		                "Every line needs Amount and LinkedTxn");
	if (amount2(c, json_object_object_get(line, "Amount"), "Line.Amount", &amount) != BS_OK)
		return BS_EINVAL;
	sb_jset_amount(line, "Amount", amount, 2);
	for (size_t j = 0; j < json_object_array_length(lt); j++) {
		json_object *l = json_object_array_get_idx(lt, j);
		const char *type = sb_jstr(l, "TxnType"), *id = sb_jstr(l, "TxnId");
		int le = link_ent(ent, type);
		struct qbo_doc *d;
		int64_t avail;

		if (le < 0)
			return qbo_verr(c->f, "2170", "Invalid Enumeration", "LinkedTxn.TxnType",
			                "Invalid Enumeration : TxnType %s", type ? type : "(none)");
		d = qbo_find(c, le, id);
		if (d == NULL)
			return qbo_verr(c->f, "2500", "Invalid Reference Id", "LinkedTxn.TxnId",
			                "Invalid Reference Id : %s %s not found", type,
			                id ? id : "");
		if (strcmp(sb_jstr(sb_jget_path(d->obj,
		                                ent == QBE_PAYMENT ? "CustomerRef" : "VendorRef"),
		                   "value"),
		           party) != 0)
			return qbo_verr(c->f, "6000", BIZ_MSG, "LinkedTxn",
			                "%s %s belongs to another %s", type, id,
			                ent == QBE_PAYMENT ? "customer" : "vendor");
		avail = sb_jamount(d->obj, "Balance") + applied_before(old, ent, le, d->id);
		if (amount > avail) {
			fmt2(a, sizeof(a), amount);
			fmt2(b, sizeof(b), avail);
			return qbo_verr(
			    c->f, "6000", BIZ_MSG, "Line.Amount",
			    "The amount applied (%s) exceeds the open balance of %s %s (%s)", a,
			    type, id, b);
		}
		*net += (le == QBE_CREDITMEMO || le == QBE_VENDORCREDIT) ? -amount : amount;
	}
	return BS_OK;
}

static int check_paytype(struct qbo_ctx *c, json_object *doc)
{
	const char *pt = sb_jstr(doc, "PayType");

	if (pt == NULL)
		return qbo_verr(c->f, "2020", REQ_MSG, "PayType",
		                "Required parameter PayType is missing in the request");
	if (strcmp(pt, "Check") == 0) {
		json_object *cp = json_object_object_get(doc, "CheckPayment");

		return qbo_ref(c, cp ? cp : doc, "BankAccountRef", QBE_ACCOUNT, true, NULL);
	}
	if (strcmp(pt, "CreditCard") == 0) {
		json_object *cp = json_object_object_get(doc, "CreditCardPayment");

		return qbo_ref(c, cp ? cp : doc, "CCAccountRef", QBE_ACCOUNT, true, NULL);
	}
	return qbo_verr(c->f, "2170", "Invalid Enumeration", "PayType",
	                "Invalid Enumeration : PayType %s (Check or CreditCard)", pt);
}

int qbo_check_payment(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	const char *pkey = ent == QBE_PAYMENT ? "CustomerRef" : "VendorRef";
	json_object *lines = json_object_object_get(doc, "Line");
	struct qbo_doc *party;
	int64_t total, net = 0;
	char a[40], b[40];
	int rc;

	if (qbo_check_txn(c, ent, doc, old) != BS_OK ||
	    qbo_ref(c, doc, pkey, ent == QBE_PAYMENT ? QBE_CUSTOMER : QBE_VENDOR, true, &party) !=
	        BS_OK ||
	    (ent == QBE_PAYMENT &&
	     qbo_ref(c, doc, "DepositToAccountRef", QBE_ACCOUNT, false, NULL) != BS_OK) ||
	    (ent == QBE_BILLPAYMENT && check_paytype(c, doc) != BS_OK))
		return BS_EINVAL;
	if (json_object_object_get(doc, "TotalAmt") == NULL)
		return qbo_verr(c->f, "2020", REQ_MSG, "TotalAmt",
		                "Required parameter TotalAmt is missing in the request");
	if (amount2(c, json_object_object_get(doc, "TotalAmt"), "TotalAmt", &total) != BS_OK)
		return BS_EINVAL;
	sb_jset_amount(doc, "TotalAmt", total, 2);
	for (size_t i = 0; lines && i < json_object_array_length(lines); i++)
		if (pay_line(c, ent, json_object_array_get_idx(lines, i), party->id, old, &net) !=
		    BS_OK)
			return BS_EINVAL;
	if (net > total || net < 0) {
		fmt2(a, sizeof(a), net);
		fmt2(b, sizeof(b), total);
		return qbo_verr(c->f, "6000", BIZ_MSG, "TotalAmt",
		                "The amounts applied (%s net) must be between 0 and TotalAmt (%s)",
		                a, b);
	}
	if (ent == QBE_PAYMENT)
		sb_jset_amount(doc, "UnappliedAmt", total - net, 2);
	/* valid: take back what the stored version applied, then apply this one */
	if (old != NULL && (rc = qbo_unapply(c, ent, old->obj)) != BS_OK)
		return rc;
	return apply(c, ent, doc, 1);
}
