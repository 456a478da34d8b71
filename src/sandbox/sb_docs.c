/*
 * sb_docs.c - the endpoint table and each document type's validation and
 * arithmetic: what a PUT/POST element becomes when stored, in Xero's field
 * names, statuses and messages (FACTS.md §5-§7).
 *
 * Every amount goes through core/money.h: values are int64 millionths,
 * parsed from the JSON number's own text (json-c keeps it), rounded with
 * the sandbox's midpoint rule at the points Xero rounds (unit price to 2 or
 * 4 dp, each line to the currency's dp, each line's tax), and written back
 * as exact decimal text.
 */
#include "sandbox/sb_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------- JSON helpers */

const char *sb_jstr(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

json_object *sb_jget_path(json_object *o, const char *path)
{
	char seg[128];

	while (o != NULL && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(seg) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		if (!json_object_object_get_ex(o, seg, &o))
			return NULL;
		path += n;
		if (*path == '.')
			path++;
	}
	return o;
}

int sb_jdec(json_object *v, int scale_dp, int max_dp, int64_t *out)
{
	const char *s;

	if (v == NULL)
		return BS_ENOTFOUND;
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_double:
	case json_type_int:
		/* a parsed double keeps its source text: exact, never via binary float */
		s = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
		                                             : json_object_to_json_string(v);
		return money_parse_fixed(s, strlen(s), scale_dp, max_dp, out);
	default:
		return BS_EPARSE;
	}
}

static json_object *dec_json(int64_t v, int scale_dp, int min_dp)
{
	struct buf b;
	json_object *o;

	buf_init(&b, 64);
	if (money_format(&b, v, scale_dp, min_dp) != BS_OK) {
		buf_free(&b);
		return NULL;
	}
	/* The double is only json-c's shadow of the text, which is what gets
	 * serialised and what every reader here parses. */
	o = json_object_new_double_s(strtod(buf_cstr(&b), NULL), buf_cstr(&b));
	buf_free(&b);
	return o;
}

int sb_jset_amount(json_object *o, const char *key, int64_t micros, int dp)
{
	json_object *v = dec_json(micros, MONEY_DP, dp);

	if (v == NULL)
		return BS_ENOMEM;
	json_object_object_add(o, key, v);
	return BS_OK;
}

void sb_jset_str(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

void sb_jset_date(json_object *o, const char *key, const char *skey, int64_t ms)
{
	char d[48];

	sb_msdate(d, sizeof(d), ms);
	sb_jset_str(o, key, d);
	if (skey != NULL) {
		sb_isodate(d, sizeof(d), ms, false);
		sb_jset_str(o, skey, d);
	}
}

/* Append {"Message": fmt...} to *arr, creating the array on first use:
 * Xero's shape for both ValidationErrors and Warnings. */
static void message_vadd(json_object **arr, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void message_vadd(json_object **arr, const char *fmt, va_list ap)
{
	char msg[600];
	json_object *m;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (*arr == NULL)
		*arr = json_object_new_array();
	m = json_object_new_object();
	sb_jset_str(m, "Message", msg);
	json_object_array_add(*arr, m);
}

void sb_err(struct sb_errs *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message_vadd(&e->arr, fmt, ap);
	va_end(ap);
	e->n++;
}

static void warn(struct sb_txn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct sb_txn *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message_vadd(&t->warnings, fmt, ap);
	va_end(ap);
}

static void fmt_amount(char *out, size_t n, int64_t micros, int dp)
{
	struct buf b;

	buf_init(&b, 64);
	if (money_format(&b, micros, MONEY_DP, dp) == BS_OK)
		snprintf(out, n, "%s", buf_cstr(&b));
	else
		snprintf(out, n, "?");
	buf_free(&b);
}

static bool jbool(json_object *o, const char *key, bool dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return dflt;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	if (json_object_is_type(v, json_type_string))
		return strcasecmp(json_object_get_string(v), "true") == 0;
	return dflt;
}

static void copy_field(json_object *dst, json_object *src, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(src, key, &v) && v != NULL)
		json_object_object_add(dst, key, json_object_get(v));
}

/* Amount field at most `dp` decimals after rounding with the sandbox's rule. */
static int parse_amount(struct sb_txn *t, json_object *v, int dp, int64_t *out)
{
	int64_t raw;
	int rc = sb_jdec(v, MONEY_DP, MONEY_DP, &raw);

	if (rc != BS_OK)
		return rc;
	return money_round(raw, MONEY_DP, dp, t->sb->rounding, out);
}

static int cur_dp(const char *code)
{
	int e = code ? money_currency_exponent(code) : 2;

	return e < 0 ? 2 : e > 2 ? 2 : e;
}

static const char *base_currency(struct sb_txn *t)
{
	const char *c = sb_jstr(t->tn->org, "BaseCurrency");

	return c ? c : "NZD";
}

/* -------------------------------------------------------- references */

static struct sb_doc *find_account(struct sb_txn *t, json_object *ref)
{
	const char *id, *code;

	if (ref == NULL)
		return NULL;
	if (json_object_is_type(ref, json_type_string))
		return sb_find_num(t->tn, SBK_ACCOUNTS, json_object_get_string(ref));
	if ((id = sb_jstr(ref, "AccountID")) != NULL)
		return sb_find(t->tn, SBK_ACCOUNTS, id);
	if ((code = sb_jstr(ref, "Code")) != NULL)
		return sb_find_num(t->tn, SBK_ACCOUNTS, code);
	return NULL;
}

static json_object *contact_ref(json_object *c)
{
	json_object *o = json_object_new_object();

	copy_field(o, c, "ContactID");
	copy_field(o, c, "ContactNumber");
	copy_field(o, c, "Name");
	copy_field(o, c, "ContactStatus");
	json_object_object_add(o, "HasValidationErrors", json_object_new_boolean(0));
	return o;
}

static int build_contact(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                         json_object **out, struct sb_errs *errs);

/* Resolve a document's Contact: by ContactID, ContactNumber or Name; a new
 * Name creates the contact, as Xero does. */
static json_object *resolve_contact(struct sb_txn *t, json_object *ref, struct sb_errs *errs)
{
	const char *id = sb_jstr(ref, "ContactID"), *num = sb_jstr(ref, "ContactNumber"),
	           *name = sb_jstr(ref, "Name");
	struct sb_doc *d = NULL;

	if (ref == NULL || !json_object_is_type(ref, json_type_object) ||
	    ((id == NULL || !*id) && (num == NULL || !*num) && (name == NULL || !*name))) {
		sb_err(errs, "The Contact must contain at least 1 of the following elements to "
		             "identify the contact: Name, ContactID, ContactNumber");
		return NULL;
	}
	if (id != NULL && *id) {
		d = sb_find(t->tn, SBK_CONTACTS, id);
		if (d == NULL) {
			sb_err(errs, "Contact with ContactID %s could not be found", id);
			return NULL;
		}
		return contact_ref(d->obj);
	}
	if (num != NULL && *num) {
		struct sb_coll *c = &t->tn->coll[SBK_CONTACTS];

		for (size_t i = 0; i < c->n; i++) {
			const char *cn = sb_jstr(c->docs[i]->obj, "ContactNumber");

			if (cn && strcmp(cn, num) == 0)
				return contact_ref(c->docs[i]->obj);
		}
		if (name == NULL || !*name) {
			sb_err(errs, "Contact with ContactNumber %s could not be found", num);
			return NULL;
		}
	}
	d = sb_find_num(t->tn, SBK_CONTACTS, name);
	if (d != NULL)
		return contact_ref(d->obj);
	{
		json_object *nc = json_object_new_object(), *built = NULL;

		sb_jset_str(nc, "Name", name);
		if (num != NULL && *num)
			sb_jset_str(nc, "ContactNumber", num);
		if (build_contact(t, nc, NULL, &built, errs) != BS_OK ||
		    sb_put(t, SBK_CONTACTS, NULL, built, &d) != BS_OK) {
			json_object_put(nc);
			if (errs->n == 0)
				sb_err(errs, "Contact could not be created");
			return NULL;
		}
		json_object_put(nc);
		return contact_ref(d->obj);
	}
}

static int lock_check(struct sb_txn *t, int64_t date_ms, struct sb_errs *errs)
{
	char d[48];

	if (t->tn->eoy_lock_ms != INT64_MIN && date_ms <= t->tn->eoy_lock_ms) {
		sb_isodate(d, sizeof(d), t->tn->eoy_lock_ms, false);
		d[10] = '\0';
		sb_err(
		    errs,
		    "The document date cannot be before the end of year lock date, currently set "
		    "at %s",
		    d);
		return BS_EINVAL;
	}
	if (t->tn->period_lock_ms != INT64_MIN && date_ms <= t->tn->period_lock_ms) {
		sb_isodate(d, sizeof(d), t->tn->period_lock_ms, false);
		d[10] = '\0';
		sb_err(
		    errs,
		    "The document date cannot be before the period lock date, currently set at %s",
		    d);
		return BS_EINVAL;
	}
	return BS_OK;
}

static int64_t today_ms(struct sb_txn *t)
{
	return t->now - ((t->now % 86400000) + 86400000) % 86400000;
}

/* A date field: absent -> dflt (returns BS_ENOTFOUND when dflt is INT64_MIN). */
static int get_date(json_object *in, const char *key, int64_t dflt, int64_t *out,
                    struct sb_errs *errs)
{
	json_object *v;

	if (!json_object_object_get_ex(in, key, &v) || v == NULL ||
	    (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0)) {
		*out = dflt;
		return dflt == INT64_MIN ? BS_ENOTFOUND : BS_OK;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    sb_parse_date(json_object_get_string(v), out) != BS_OK) {
		sb_err(errs, "%s is not a valid date", key);
		return BS_EINVAL;
	}
	*out -= ((*out % 86400000) + 86400000) % 86400000;
	return BS_OK;
}

/* ------------------------------------------------------------- lines */

struct line_opts {
	bool sales;     /* revenue side: default tax from the account */
	bool discounts; /* DiscountRate / DiscountAmount allowed (ACCREC) */
	int dp;         /* currency decimals */
	enum money_tax_mode mode;
};

struct line_sums {
	int64_t sub, tax, total, discount;
	int nlines;
};

static int tax_rate_of(struct sb_txn *t, const char *type, int64_t *pct)
{
	struct sb_doc *d = sb_find_num(t->tn, SBK_TAXRATES, type);

	if (d == NULL)
		return BS_ENOTFOUND;
	if (sb_jdec(json_object_object_get(d->obj, "EffectiveRate"), PCT_DP, PCT_DP, pct) != BS_OK)
		return BS_EINTERNAL;
	return BS_OK;
}

static int build_line(struct sb_txn *t, json_object *in, const struct line_opts *lo,
                      json_object **out, struct line_sums *sums, struct sb_errs *errs)
{
	enum money_round rm = t->sb->rounding;
	int udp = t->unitdp4 ? 4 : 2;
	json_object *o = json_object_new_object(), *v, *item = NULL;
	const char *desc = sb_jstr(in, "Description"), *code = sb_jstr(in, "ItemCode");
	const char *acct = sb_jstr(in, "AccountCode"), *tax = sb_jstr(in, "TaxType");
	const char *lid = sb_jstr(in, "LineItemID");
	bool has_qty, has_unit, has_amt;
	int64_t qty = QTY_SCALE, unit = 0, amt = 0, calc = 0, disc = 0, damt = 0, taxamt = 0,
	        rate = 0;
	char id[40], a1[40], a2[40];
	int nerr = errs->n;

	if (!json_object_is_type(in, json_type_object)) {
		sb_err(errs, "A line item must be an object");
		goto fail;
	}
	if (code != NULL && *code) {
		struct sb_doc *it = sb_find_num(t->tn, SBK_ITEMS, code);

		if (it == NULL) {
			sb_err(errs, "Item code '%s' is not valid", code);
			goto fail;
		}
		item =
		    json_object_object_get(it->obj, lo->sales ? "SalesDetails" : "PurchaseDetails");
		if (desc == NULL)
			desc = sb_jstr(it->obj, lo->sales ? "Description" : "PurchaseDescription");
		if (acct == NULL && item != NULL)
			acct = sb_jstr(item, "AccountCode");
		if (tax == NULL && item != NULL)
			tax = sb_jstr(item, "TaxType");
	}
	v = json_object_object_get(in, "Quantity");
	has_qty = v != NULL;
	if (has_qty) {
		int64_t q8;

		if (sb_jdec(v, 8, 8, &q8) != BS_OK || money_round(q8, 8, 4, rm, &q8) != BS_OK) {
			sb_err(errs, "Quantity must be a number");
			goto fail;
		}
		qty = q8 / 10000;
	}
	v = json_object_object_get(in, "UnitAmount");
	has_unit = v != NULL;
	if (!has_unit && item != NULL && json_object_object_get(item, "UnitPrice") != NULL) {
		v = json_object_object_get(item, "UnitPrice");
		has_unit = true;
	}
	if (has_unit && parse_amount(t, v, udp, &unit) != BS_OK) {
		sb_err(errs, "Unit amount must be a number");
		goto fail;
	}
	v = json_object_object_get(in, "LineAmount");
	has_amt = v != NULL;
	if (has_amt && parse_amount(t, v, lo->dp, &amt) != BS_OK) {
		sb_err(errs, "Line amount must be a number");
		goto fail;
	}
	if ((v = json_object_object_get(in, "DiscountRate")) != NULL ||
	    json_object_object_get(in, "DiscountAmount") != NULL) {
		if (!lo->discounts) {
			sb_err(errs, "Discounts are only allowed on sales invoices (ACCREC)");
			goto fail;
		}
		if (v != NULL) {
			int64_t d6;

			/* Xero keeps a DiscountRate at 2 dp (FACTS §5) */
			if (sb_jdec(v, 6, 6, &d6) != BS_OK ||
			    money_round(d6, 6, 2, rm, &d6) != BS_OK || d6 < 0 || d6 > 100000000) {
				sb_err(errs, "Discount rate must be between 0 and 100");
				goto fail;
			}
			disc = d6 / 100;
		}
		v = json_object_object_get(in, "DiscountAmount");
		if (v != NULL && (parse_amount(t, v, lo->dp, &damt) != BS_OK || damt < 0)) {
			sb_err(errs, "Discount amount must be a positive number");
			goto fail;
		}
	}
	if (!has_qty && has_unit && has_amt && unit != 0) {
		/* Xero works out what is missing from LineAmount */
		if (money_muldiv(amt, QTY_SCALE, unit, rm, &qty) != BS_OK)
			goto fail_num;
	}
	if (!has_unit && has_amt && has_qty && qty != 0) {
		/* Quantity and LineAmount: the unit price follows */
		if (money_muldiv(amt, QTY_SCALE, qty, rm, &unit) != BS_OK ||
		    money_round(unit, MONEY_DP, udp, rm, &unit) != BS_OK)
			goto fail_num;
		has_unit = true;
		calc = amt;
	} else if (has_unit || has_qty) {
		if (money_line_amount(qty, unit, disc, lo->dp, rm, &calc) != BS_OK ||
		    money_sub(calc, damt, &calc) != BS_OK)
			goto fail_num;
		if (has_amt && calc != amt) {
			fmt_amount(a1, sizeof(a1), amt, 2);
			fmt_amount(a2, sizeof(a2), calc, 2);
			sb_err(errs, "The line total %s does not match the expected line total %s",
			       a1, a2);
			goto fail;
		}
		amt = calc;
	} else if (has_amt) {
		unit = amt; /* quantity 1 */
		if (money_round(unit, MONEY_DP, udp, rm, &unit) != BS_OK)
			goto fail_num;
		has_unit = has_qty = true;
	}
	if (acct != NULL && *acct) {
		struct sb_doc *a = sb_find_num(t->tn, SBK_ACCOUNTS, acct);

		if (a == NULL) {
			sb_err(errs, "Account must be valid.");
			goto fail;
		}
		if (tax == NULL)
			tax = sb_jstr(a->obj, "TaxType");
	}
	if (tax == NULL || !*tax)
		tax = "NONE";
	if (tax_rate_of(t, tax, &rate) != BS_OK) {
		sb_err(errs, "Tax rate must be valid.");
		goto fail;
	}
	if ((v = json_object_object_get(in, "TaxAmount")) != NULL && lo->mode != MONEY_TAX_NONE) {
		/* a supplied TaxAmount overrides the computed one (spec:LineItem.TaxAmount) */
		if (parse_amount(t, v, lo->dp, &taxamt) != BS_OK) {
			sb_err(errs, "Tax amount must be a number");
			goto fail;
		}
	} else if (money_tax(amt, rate, lo->mode, lo->dp, rm, &taxamt) != BS_OK) {
		goto fail_num;
	}
	if ((v = json_object_object_get(in, "Tracking")) != NULL &&
	    json_object_is_type(v, json_type_array) && json_object_array_length(v) > 2) {
		sb_err(errs, "A line item can have at most 2 tracking categories");
		goto fail;
	}
	if (desc == NULL || desc[0] == '\0') {
		sb_err(errs, "Description must be at least 1 character long");
		goto fail;
	}
	if (lid != NULL && strlen(lid) < 40)
		snprintf(id, sizeof(id), "%s", lid);
	else
		sb_uuid(id);
	sb_jset_str(o, "LineItemID", id);
	if (desc != NULL)
		sb_jset_str(o, "Description", desc);
	if (has_qty || has_unit)
		json_object_object_add(o, "Quantity", dec_json(qty, QTY_DP, 4));
	if (has_unit)
		sb_jset_amount(o, "UnitAmount", unit, 2);
	if (code != NULL)
		sb_jset_str(o, "ItemCode", code);
	if (acct != NULL)
		sb_jset_str(o, "AccountCode", acct);
	sb_jset_str(o, "TaxType", tax);
	sb_jset_amount(o, "TaxAmount", taxamt, 2);
	sb_jset_amount(o, "LineAmount", amt, 2);
	if (disc != 0)
		json_object_object_add(o, "DiscountRate", dec_json(disc, PCT_DP, 2));
	if (damt != 0)
		sb_jset_amount(o, "DiscountAmount", damt, 2);
	v = json_object_object_get(in, "Tracking");
	json_object_object_add(o, "Tracking", v ? json_object_get(v) : json_object_new_array());
	{
		int64_t net = lo->mode == MONEY_TAX_INCLUSIVE ? amt - taxamt : amt, gross = 0;

		if (money_add(sums->sub, net, &sums->sub) != BS_OK ||
		    money_add(sums->tax, taxamt, &sums->tax) != BS_OK)
			goto fail_num;
		if (disc != 0 || damt != 0) {
			if (money_line_amount(qty, unit, 0, lo->dp, rm, &gross) == BS_OK)
				money_add(sums->discount, gross - amt, &sums->discount);
		}
	}
	sums->nlines++;
	*out = o;
	return BS_OK;
fail_num:
	sb_err(errs, "A line amount is out of range");
fail:
	(void)nerr;
	json_object_put(o);
	return BS_EINVAL;
}

static int build_lines(struct sb_txn *t, json_object *arr, const struct line_opts *lo,
                       json_object **out, struct line_sums *sums, struct sb_errs *errs)
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

static enum money_tax_mode lat_mode(const char *lat)
{
	if (strcmp(lat, "Inclusive") == 0)
		return MONEY_TAX_INCLUSIVE;
	if (strcmp(lat, "NoTax") == 0)
		return MONEY_TAX_NONE;
	return MONEY_TAX_EXCLUSIVE;
}

/* ----------------------------------------------- invoices and their kin */

struct doc_spec {
	int kind;
	const char *noun;      /* "Invoice" */
	const char *types[7];  /* allowed Type values; types[0] the sales one; NULL = no Type */
	const char *num_field; /* "InvoiceNumber" */
	const char *num_prefix;
	const char *num_unique_type; /* numbers unique only for this Type ("ACCREC"), or "" = all */
	const char *dup_msg;
	const char *dflt_status;
	const char *statuses[6];
	bool payable;  /* AmountDue/AmountPaid/AmountCredited */
	bool credit;   /* RemainingCredit */
	bool lockable; /* subject to lock dates */
	bool bank;     /* BankAccount required */
};

static const struct doc_spec invoice_spec = {
    SBK_INVOICES,
    "Invoice",
    {"ACCREC", "ACCPAY", NULL},
    "InvoiceNumber",
    "INV-",
    "ACCREC",
    "Invoice # must be unique.",
    "DRAFT",
    {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED", "VOIDED", NULL},
    true,
    false,
    true,
    false,
};

static const struct doc_spec creditnote_spec = {
    SBK_CREDITNOTES,
    "Credit Note",
    {"ACCRECCREDIT", "ACCPAYCREDIT", NULL},
    "CreditNoteNumber",
    "CN-",
    "ACCRECCREDIT",
    "Credit Note # must be unique.",
    "DRAFT",
    {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED", "VOIDED", NULL},
    false,
    true,
    true,
    false,
};

static const struct doc_spec po_spec = {
    SBK_PURCHASEORDERS,
    "Purchase Order",
    {NULL, NULL, NULL},
    "PurchaseOrderNumber",
    "PO-",
    "",
    "Order number must be unique",
    "DRAFT",
    {"DRAFT", "SUBMITTED", "AUTHORISED", "BILLED", "DELETED", NULL},
    false,
    false,
    false,
    false,
};

static const struct doc_spec bank_spec = {
    SBK_BANKTRANSACTIONS,
    "Bank Transaction",
    {"RECEIVE", "SPEND", "RECEIVE-PREPAYMENT", "SPEND-PREPAYMENT", "RECEIVE-OVERPAYMENT",
     "SPEND-OVERPAYMENT", NULL},
    NULL,
    NULL,
    NULL,
    NULL,
    "AUTHORISED",
    {"AUTHORISED", "DELETED", "VOIDED", NULL},
    false,
    false,
    true,
    true,
};

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static int64_t jamount(json_object *o, const char *key)
{
	int64_t v = 0;

	sb_jdec(json_object_object_get(o, key), MONEY_DP, MONEY_DP, &v);
	return v;
}

/* Status change rules (FACTS §7). */
static int status_check(const struct doc_spec *sp, const struct sb_doc *old, const char *st,
                        bool has_money, struct sb_errs *errs)
{
	const char *os = old ? sb_jstr(old->obj, "Status") : NULL;

	if (old == NULL) {
		if (strcmp(st, "DELETED") == 0 || strcmp(st, "VOIDED") == 0 ||
		    strcmp(st, "PAID") == 0 ||
		    (sp->kind == SBK_PURCHASEORDERS && strcmp(st, "BILLED") == 0 && 0)) {
			sb_err(errs, "%s cannot be created with status %s", sp->noun, st);
			return BS_EINVAL;
		}
		return BS_OK;
	}
	if (os == NULL)
		return BS_OK;
	if (strcmp(os, "VOIDED") == 0 || strcmp(os, "DELETED") == 0) {
		sb_err(errs, "%s not of valid status for modification", sp->noun);
		return BS_EINVAL;
	}
	if (strcmp(st, "VOIDED") == 0) {
		if (strcmp(os, "AUTHORISED") != 0 && strcmp(os, "PAID") != 0 &&
		    sp->kind != SBK_BANKTRANSACTIONS) {
			sb_err(errs,
			       "%s not of valid status for modification: only an AUTHORISED "
			       "document can be voided; delete a draft instead",
			       sp->noun);
			return BS_EINVAL;
		}
		if (has_money) {
			sb_err(errs,
			       "%s not of valid status for modification: remove its payments "
			       "and allocations before voiding",
			       sp->noun);
			return BS_EINVAL;
		}
		return BS_OK;
	}
	if (strcmp(st, "DELETED") == 0) {
		if (sp->kind != SBK_BANKTRANSACTIONS && sp->kind != SBK_PURCHASEORDERS &&
		    strcmp(os, "DRAFT") != 0 && strcmp(os, "SUBMITTED") != 0) {
			sb_err(errs,
			       "%s not of valid status for modification: an AUTHORISED "
			       "document can only be voided",
			       sp->noun);
			return BS_EINVAL;
		}
		return BS_OK;
	}
	if ((strcmp(os, "AUTHORISED") == 0 || strcmp(os, "PAID") == 0) &&
	    (strcmp(st, "DRAFT") == 0 || strcmp(st, "SUBMITTED") == 0)) {
		sb_err(errs, "%s not of valid status for modification", sp->noun);
		return BS_EINVAL;
	}
	return BS_OK;
}

static int next_number(struct sb_txn *t, const struct doc_spec *sp, const char *type, char *out,
                       size_t n)
{
	for (int tries = 0; tries < 1000000; tries++) {
		char key[600];

		t->tn->next_number[sp->kind]++;
		snprintf(out, n, "%s%04d", sp->num_prefix, t->tn->next_number[sp->kind]);
		if (type != NULL)
			snprintf(key, sizeof(key), "%s|%s", type, out);
		else
			snprintf(key, sizeof(key), "%s", out);
		if (sb_find_num(t->tn, sp->kind, key) == NULL)
			return BS_OK;
	}
	return BS_ERANGE;
}

/* A RECEIVE/SPEND-PREPAYMENT or -OVERPAYMENT bank transaction `bt` creates
 * the prepayment/overpayment document it names (FACTS §7); an update keeps
 * the link. */
static int prepayment_for(struct sb_txn *t, json_object *bt, const struct sb_doc *old, bool pre)
{
	static const char *const copy[] = {
	    "Type",     "Contact",  "Date",  "DateString",   "LineAmountTypes", "LineItems",
	    "SubTotal", "TotalTax", "Total", "CurrencyCode", "CurrencyRate"};
	const char *idf = pre ? "PrepaymentID" : "OverpaymentID";
	json_object *o;
	char id[40];

	if (old != NULL) {
		copy_field(bt, old->obj, idf);
		return BS_OK;
	}
	o = json_object_new_object();
	sb_uuid(id);
	sb_jset_str(o, idf, id);
	for (size_t i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
		copy_field(o, bt, copy[i]);
	sb_jset_str(o, "Status", "AUTHORISED");
	copy_field(o, bt, "Total");
	json_object_object_add(o, "RemainingCredit",
	                       json_object_get(json_object_object_get(bt, "Total")));
	json_object_object_add(o, "Allocations", json_object_new_array());
	json_object_object_add(o, "Payments", json_object_new_array());
	json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	sb_jset_str(bt, idf, id);
	return sb_put(t, pre ? SBK_PREPAYMENTS : SBK_OVERPAYMENTS, NULL, o, NULL);
}

static int build_doc(struct sb_txn *t, const struct doc_spec *sp, json_object *in,
                     const struct sb_doc *old, json_object **out, struct sb_errs *errs)
{
	json_object *o = json_object_new_object(), *lines = NULL, *contact = NULL, *v;
	const char *type = NULL, *st, *lat, *cur, *num = NULL;
	struct line_opts lo;
	struct line_sums sums;
	int64_t date, due, rate = MONEY_SCALE, paid = 0, credited = 0;
	char id[40], numbuf[300];
	bool has_money = false;
	int rc;

	/* Type */
	if (sp->types[0] != NULL) {
		type = sb_jstr(in, "Type");
		if (type == NULL || !in_list(sp->types, 7, type)) {
			if (sp->kind == SBK_BANKTRANSACTIONS && type != NULL)
				sb_err(errs,
				       "Bank transaction type %s is not supported by the sandbox "
				       "(transfers are not)",
				       type);
			else
				sb_err(errs, "Type must be one of %s, %s", sp->types[0],
				       sp->types[1]);
			goto fail;
		}
		if (old != NULL && strcmp(type, sb_jstr(old->obj, "Type")) != 0) {
			sb_err(errs, "The Type of a %s cannot be changed", sp->noun);
			goto fail;
		}
	}
	/* Status */
	st = sb_jstr(in, "Status");
	if (st == NULL)
		st = sp->dflt_status;
	if (old != NULL && strcmp(st, "PAID") == 0 &&
	    strcmp(sb_jstr(old->obj, "Status"), "PAID") == 0)
		; /* re-posting a fetched PAID document unchanged */
	else if (!in_list(sp->statuses, 6, st)) {
		sb_err(errs, "Status %s is not valid for a %s", st, sp->noun);
		goto fail;
	}
	if (old != NULL) {
		paid = jamount(old->obj, "AmountPaid");
		credited = jamount(old->obj, "AmountCredited");
		if (sp->credit) {
			int64_t total = jamount(old->obj, "Total"),
			        remaining = jamount(old->obj, "RemainingCredit");

			paid = total - remaining; /* allocated or refunded */
		}
		has_money = paid != 0 || credited != 0;
	}
	if (status_check(sp, old, st, has_money, errs) != BS_OK)
		goto fail;
	/* Contact */
	v = json_object_object_get(in, "Contact");
	contact = resolve_contact(t, v, errs);
	if (contact == NULL)
		goto fail;
	/* Dates */
	if (get_date(in, "Date", today_ms(t), &date, errs) == BS_EINVAL)
		goto fail;
	rc = get_date(in, sp->kind == SBK_PURCHASEORDERS ? "DeliveryDate" : "DueDate", INT64_MIN,
	              &due, errs);
	if (rc == BS_EINVAL)
		goto fail;
	/* Currency */
	cur = sb_jstr(in, "CurrencyCode");
	if (cur == NULL || !*cur)
		cur = base_currency(t);
	if (sb_find_num(t->tn, SBK_CURRENCIES, cur) == NULL) {
		sb_err(errs, "The currency %s is not set up for this organisation", cur);
		goto fail;
	}
	if (strcmp(cur, base_currency(t)) != 0) {
		static const struct {
			const char *code;
			int64_t rate; /* document units per base unit, micros */
		} fx[] = {{"NZD", 1000000}, {"AUD", 920000}, {"USD", 600000},
		          {"GBP", 480000},  {"EUR", 550000}, {"JPY", 90000000}};

		v = json_object_object_get(in, "CurrencyRate");
		if (v != NULL) {
			if (sb_jdec(v, MONEY_DP, MONEY_DP, &rate) != BS_OK || rate <= 0) {
				sb_err(errs,
				       "CurrencyRate must be a positive number with at most 6 "
				       "decimal places");
				goto fail;
			}
		} else {
			rate = 0;
			for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++)
				if (strcmp(fx[i].code, cur) == 0)
					rate = fx[i].rate;
			if (rate == 0)
				rate = MONEY_SCALE;
		}
	}
	/* Lines */
	lat = sb_jstr(in, "LineAmountTypes");
	if (lat == NULL)
		lat = "Exclusive";
	if (strcmp(lat, "Exclusive") != 0 && strcmp(lat, "Inclusive") != 0 &&
	    strcmp(lat, "NoTax") != 0) {
		sb_err(errs, "LineAmountTypes must be Exclusive, Inclusive or NoTax");
		goto fail;
	}
	lo.sales =
	    type != NULL && (strcmp(type, "ACCREC") == 0 || strcmp(type, "ACCRECCREDIT") == 0 ||
	                     strncmp(type, "RECEIVE", 7) == 0);
	lo.discounts = type != NULL && strcmp(type, "ACCREC") == 0;
	lo.dp = cur_dp(cur);
	lo.mode = lat_mode(lat);
	if (build_lines(t, json_object_object_get(in, "LineItems"), &lo, &lines, &sums, errs) !=
	    BS_OK)
		goto fail;
	/* Bank account */
	if (sp->bank) {
		struct sb_doc *a = find_account(t, json_object_object_get(in, "BankAccount"));
		const char *aty = a ? sb_jstr(a->obj, "Type") : NULL;

		if (a == NULL || aty == NULL || strcmp(aty, "BANK") != 0) {
			sb_err(errs, "A valid BankAccount (AccountID or Code of a BANK account) is "
			             "required");
			goto fail;
		}
		{
			json_object *ba = json_object_new_object();

			copy_field(ba, a->obj, "AccountID");
			copy_field(ba, a->obj, "Code");
			copy_field(ba, a->obj, "Name");
			json_object_object_add(o, "BankAccount", ba);
		}
	}
	/* Number */
	if (sp->num_field != NULL) {
		num = sb_jstr(in, sp->num_field);
		if (num != NULL && strlen(num) > 255) {
			sb_err(errs, "%s must be 255 characters or less", sp->num_field);
			goto fail;
		}
		if (num != NULL && *num) {
			bool unique = sp->num_unique_type[0] == '\0' ||
			              (type && strcmp(type, sp->num_unique_type) == 0);
			struct sb_doc *dup;

			if (type != NULL)
				snprintf(numbuf, sizeof(numbuf), "%s|%s", type, num);
			else
				snprintf(numbuf, sizeof(numbuf), "%s", num);
			dup = sb_find_num(t->tn, sp->kind, numbuf);
			if (unique && dup != NULL && dup != old && strcmp(st, "DELETED") != 0) {
				sb_err(errs, "%s", sp->dup_msg);
				goto fail;
			}
		} else if (sp->num_unique_type[0] == '\0' ||
		           (type && strcmp(type, sp->num_unique_type) == 0)) {
			if (next_number(t, sp, type, numbuf, sizeof(numbuf)) != BS_OK) {
				sb_err(errs, "No free number");
				goto fail;
			}
			num = numbuf;
		}
	}
	/* Paid documents: totals frozen */
	if (old != NULL && has_money && jamount(old->obj, "Total") != sums.total &&
	    strcmp(st, "DELETED") != 0 && strcmp(st, "VOIDED") != 0) {
		sb_err(errs, "%s not of valid status for modification", sp->noun);
		goto fail;
	}
	/* lock dates block creating or changing documents dated in the locked
	 * period, drafts included (FACTS §7); deleting one is still allowed */
	if (sp->lockable && strcmp(st, "DELETED") != 0) {
		if (lock_check(t, date, errs) != BS_OK)
			goto fail;
		if (old != NULL) {
			int64_t od;

			if (sb_parse_date(sb_jstr(old->obj, "Date"), &od) == BS_OK &&
			    lock_check(t, od, errs) != BS_OK)
				goto fail;
		}
	}
	/* Assemble */
	if (old != NULL)
		snprintf(id, sizeof(id), "%s", old->id);
	else
		sb_uuid(id);
	if (type != NULL)
		sb_jset_str(o, "Type", type);
	sb_jset_str(o, sb_kinds[sp->kind].id_field, id);
	if (num != NULL)
		sb_jset_str(o, sp->num_field, num);
	copy_field(o, in, "Reference");
	json_object_object_add(o, "Contact", contact);
	contact = NULL;
	sb_jset_date(o, "Date", "DateString", date);
	if (due != INT64_MIN) {
		if (sp->kind == SBK_PURCHASEORDERS)
			sb_jset_date(o, "DeliveryDate", "DeliveryDateString", due);
		else
			sb_jset_date(o, "DueDate", "DueDateString", due);
	}
	if (old != NULL && strcmp(st, "PAID") == 0)
		st = sb_jstr(old->obj, "Status");
	if (old != NULL && has_money && strcmp(st, "AUTHORISED") == 0 &&
	    strcmp(sb_jstr(old->obj, "Status"), "PAID") == 0)
		st = "PAID";
	sb_jset_str(o, "Status", st);
	sb_jset_str(o, "LineAmountTypes", lat);
	json_object_object_add(o, "LineItems", lines);
	lines = NULL;
	sb_jset_amount(o, "SubTotal", sums.sub, 2);
	sb_jset_amount(o, "TotalTax", sums.tax, 2);
	sb_jset_amount(o, "Total", sums.total, 2);
	if (sums.discount != 0)
		sb_jset_amount(o, "TotalDiscount", sums.discount, 2);
	if (sp->kind == SBK_INVOICES)
		json_object_object_add(o, "IsDiscounted",
		                       json_object_new_boolean(sums.discount != 0));
	sb_jset_str(o, "CurrencyCode", cur);
	json_object_object_add(o, "CurrencyRate", dec_json(rate, MONEY_DP, 6));
	if (sp->payable) {
		sb_jset_amount(o, "AmountDue", sums.total - paid - credited, 2);
		sb_jset_amount(o, "AmountPaid", paid, 2);
		sb_jset_amount(o, "AmountCredited", credited, 2);
		copy_field(o, old ? old->obj : in, "Payments");
		copy_field(o, old ? old->obj : in, "CreditNotes");
		if (old == NULL) {
			json_object_object_add(o, "Payments", json_object_new_array());
			json_object_object_add(o, "CreditNotes", json_object_new_array());
		}
		json_object_object_add(o, "Prepayments", json_object_new_array());
		json_object_object_add(o, "Overpayments", json_object_new_array());
		if (old != NULL)
			copy_field(o, old->obj, "FullyPaidOnDate");
	}
	if (sp->credit) {
		sb_jset_amount(o, "RemainingCredit", sums.total - paid, 2);
		if (old != NULL) {
			copy_field(o, old->obj, "Allocations");
			copy_field(o, old->obj, "Payments");
		} else {
			json_object_object_add(o, "Allocations", json_object_new_array());
			json_object_object_add(o, "Payments", json_object_new_array());
		}
		if (old != NULL)
			copy_field(o, old->obj, "FullyPaidOnDate");
	}
	if (sp->kind == SBK_BANKTRANSACTIONS) {
		json_object_object_add(o, "IsReconciled",
		                       json_object_new_boolean(jbool(in, "IsReconciled", false)));
		if (type != NULL && strstr(type, "PAYMENT") != NULL &&
		    prepayment_for(t, o, old, strstr(type, "PREPAYMENT") != NULL) != BS_OK) {
			sb_err(errs, "The prepayment or overpayment could not be created");
			goto fail;
		}
	}
	if (sp->kind == SBK_INVOICES)
		json_object_object_add(o, "SentToContact",
		                       json_object_new_boolean(jbool(in, "SentToContact", false)));
	if (sp->kind == SBK_PURCHASEORDERS) {
		static const char *const pass[] = {"DeliveryAddress", "AttentionTo", "Telephone",
		                                   "DeliveryInstructions"};

		for (size_t i = 0; i < 4; i++)
			copy_field(o, in, pass[i]);
	}
	copy_field(o, in, "Url");
	copy_field(o, in, "BrandingThemeID");
	json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
	json_object_object_add(o, "HasErrors", json_object_new_boolean(0));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	*out = o;
	return BS_OK;
fail:
	json_object_put(contact);
	json_object_put(lines);
	json_object_put(o);
	return BS_EINVAL;
}

static int build_invoice(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                         json_object **out, struct sb_errs *errs)
{
	return build_doc(t, &invoice_spec, in, old, out, errs);
}

static int build_creditnote(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                            json_object **out, struct sb_errs *errs)
{
	return build_doc(t, &creditnote_spec, in, old, out, errs);
}

static int build_po(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                    struct sb_errs *errs)
{
	return build_doc(t, &po_spec, in, old, out, errs);
}

static int build_banktx(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                        json_object **out, struct sb_errs *errs)
{
	return build_doc(t, &bank_spec, in, old, out, errs);
}

/* ------------------------------------------------------------- contacts */

static const char *const readonly_fields[] = {
    "UpdatedDateUTC", "HasValidationErrors", "ValidationErrors", "StatusAttributeString",
    "Warnings",       "HasErrors",           "HasAttachments",
};

static int build_contact(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                         json_object **out, struct sb_errs *errs)
{
	const char *name = sb_jstr(in, "Name"), *st = sb_jstr(in, "ContactStatus");
	json_object *o;
	struct sb_doc *dup;
	char id[40];
	static const struct {
		const char *f;
		size_t max;
	} lens[] = {{"Name", 255},         {"ContactNumber", 50}, {"AccountNumber", 50},
	            {"EmailAddress", 255}, {"FirstName", 255},    {"LastName", 255}};

	if (name == NULL || !*name) {
		sb_err(errs, "The contact name must be specified");
		return BS_EINVAL;
	}
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		const char *s = sb_jstr(in, lens[i].f);

		if (s != NULL && strlen(s) > lens[i].max) {
			sb_err(errs, "%s must be %zu characters or less", lens[i].f, lens[i].max);
			return BS_EINVAL;
		}
	}
	if (st == NULL)
		st = "ACTIVE";
	if (strcmp(st, "ACTIVE") != 0 && strcmp(st, "ARCHIVED") != 0 &&
	    strcmp(st, "GDPRREQUEST") != 0) {
		sb_err(errs, "ContactStatus must be ACTIVE, ARCHIVED or GDPRREQUEST");
		return BS_EINVAL;
	}
	dup = sb_find_num(t->tn, SBK_CONTACTS, name);
	if (dup != NULL && dup != old) {
		sb_err(errs,
		       "The contact name %s is already assigned to another contact. The contact "
		       "name must be unique across all active contacts.",
		       name);
		return BS_EINVAL;
	}
	o = json_object_new_object();
	if (old != NULL)
		snprintf(id, sizeof(id), "%s", old->id);
	else
		sb_uuid(id);
	sb_jset_str(o, "ContactID", id);
	json_object_object_foreach(in, key, val)
	{
		bool ro = strcmp(key, "ContactID") == 0;

		for (size_t i = 0; i < sizeof(readonly_fields) / sizeof(readonly_fields[0]); i++)
			if (strcmp(key, readonly_fields[i]) == 0)
				ro = true;
		if (!ro)
			json_object_object_add(o, key, json_object_get(val));
	}
	sb_jset_str(o, "ContactStatus", st);
	if (json_object_object_get(o, "Addresses") == NULL)
		json_object_object_add(o, "Addresses", json_object_new_array());
	if (json_object_object_get(o, "Phones") == NULL)
		json_object_object_add(o, "Phones", json_object_new_array());
	if (json_object_object_get(o, "ContactGroups") == NULL)
		json_object_object_add(o, "ContactGroups", json_object_new_array());
	if (json_object_object_get(o, "ContactPersons") == NULL)
		json_object_object_add(o, "ContactPersons", json_object_new_array());
	json_object_object_add(o, "IsSupplier",
	                       json_object_new_boolean(jbool(in, "IsSupplier", false)));
	json_object_object_add(o, "IsCustomer",
	                       json_object_new_boolean(jbool(in, "IsCustomer", false)));
	json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
	json_object_object_add(o, "HasValidationErrors", json_object_new_boolean(0));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	*out = o;
	return BS_OK;
}

/* ------------------------------------------------------------- items */

static int item_details(struct sb_txn *t, json_object *in, const char *key, json_object *o,
                        struct sb_errs *errs)
{
	json_object *d = json_object_object_get(in, key), *r, *v;
	const char *acct, *tax;
	int64_t price;

	if (d == NULL || !json_object_is_type(d, json_type_object))
		return BS_OK;
	r = json_object_new_object();
	if ((v = json_object_object_get(d, "UnitPrice")) != NULL) {
		if (parse_amount(t, v, t->unitdp4 ? 4 : 2, &price) != BS_OK) {
			sb_err(errs, "%s.UnitPrice must be a number", key);
			goto fail;
		}
		sb_jset_amount(r, "UnitPrice", price, 2);
	}
	acct = sb_jstr(d, "AccountCode");
	if (acct != NULL && *acct) {
		if (sb_find_num(t->tn, SBK_ACCOUNTS, acct) == NULL) {
			sb_err(errs, "Account must be valid.");
			goto fail;
		}
		sb_jset_str(r, "AccountCode", acct);
	}
	acct = sb_jstr(d, "COGSAccountCode");
	if (acct != NULL && *acct) {
		if (sb_find_num(t->tn, SBK_ACCOUNTS, acct) == NULL) {
			sb_err(errs, "Account must be valid.");
			goto fail;
		}
		sb_jset_str(r, "COGSAccountCode", acct);
	}
	tax = sb_jstr(d, "TaxType");
	if (tax != NULL && *tax) {
		int64_t pct;

		if (tax_rate_of(t, tax, &pct) != BS_OK) {
			sb_err(errs, "Tax rate must be valid.");
			goto fail;
		}
		sb_jset_str(r, "TaxType", tax);
	}
	json_object_object_add(o, key, r);
	return BS_OK;
fail:
	json_object_put(r);
	return BS_EINVAL;
}

static int build_item(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                      json_object **out, struct sb_errs *errs)
{
	const char *code = sb_jstr(in, "Code"), *name = sb_jstr(in, "Name");
	json_object *o;
	struct sb_doc *dup;
	char id[40];

	if (code == NULL || !*code) {
		sb_err(errs, "Item Code must be specified");
		return BS_EINVAL;
	}
	if (strlen(code) > 30) {
		sb_err(errs, "Item Code must be 30 characters or less");
		return BS_EINVAL;
	}
	if (name != NULL && strlen(name) > 50) {
		sb_err(errs, "Item Name must be 50 characters or less");
		return BS_EINVAL;
	}
	dup = sb_find_num(t->tn, SBK_ITEMS, code);
	if (dup != NULL && dup != old) {
		sb_err(errs, "Item code '%s' already exists", code);
		return BS_EINVAL;
	}
	o = json_object_new_object();
	if (old != NULL)
		snprintf(id, sizeof(id), "%s", old->id);
	else
		sb_uuid(id);
	sb_jset_str(o, "ItemID", id);
	sb_jset_str(o, "Code", code);
	if (name != NULL)
		sb_jset_str(o, "Name", name);
	copy_field(o, in, "Description");
	copy_field(o, in, "PurchaseDescription");
	copy_field(o, in, "InventoryAssetAccountCode");
	if (item_details(t, in, "PurchaseDetails", o, errs) != BS_OK ||
	    item_details(t, in, "SalesDetails", o, errs) != BS_OK) {
		json_object_put(o);
		return BS_EINVAL;
	}
	json_object_object_add(o, "IsTrackedAsInventory",
	                       json_object_new_boolean(jbool(in, "IsTrackedAsInventory", false)));
	json_object_object_add(o, "IsSold", json_object_new_boolean(jbool(in, "IsSold", true)));
	json_object_object_add(o, "IsPurchased",
	                       json_object_new_boolean(jbool(in, "IsPurchased", true)));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	*out = o;
	return BS_OK;
}

/* ------------------------------------------------------------- journals */

static int build_journal(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                         json_object **out, struct sb_errs *errs)
{
	const char *narr = sb_jstr(in, "Narration"), *st = sb_jstr(in, "Status"),
	           *lat = sb_jstr(in, "LineAmountTypes");
	json_object *o = NULL, *lines, *res = NULL;
	int64_t date, debit = 0, credit = 0;
	int dp = cur_dp(base_currency(t));
	char id[40];
	static const char *const statuses[] = {"DRAFT", "POSTED", "DELETED", "VOIDED", "ARCHIVED"};

	if (narr == NULL || !*narr) {
		sb_err(errs, "Narration must be specified");
		return BS_EINVAL;
	}
	if (st == NULL)
		st = "DRAFT";
	if (!in_list(statuses, 5, st)) {
		sb_err(errs, "Status %s is not valid for a manual journal", st);
		return BS_EINVAL;
	}
	if (old != NULL) {
		const char *os = sb_jstr(old->obj, "Status");

		if (strcmp(os, "VOIDED") == 0 || strcmp(os, "DELETED") == 0 ||
		    (strcmp(os, "POSTED") == 0 &&
		     (strcmp(st, "DRAFT") == 0 || strcmp(st, "DELETED") == 0))) {
			sb_err(errs, "Manual journal not of valid status for modification");
			return BS_EINVAL;
		}
	} else if (strcmp(st, "DELETED") == 0 || strcmp(st, "VOIDED") == 0) {
		sb_err(errs, "Manual journal cannot be created with status %s", st);
		return BS_EINVAL;
	}
	if (lat == NULL)
		lat = "NoTax";
	if (get_date(in, "Date", today_ms(t), &date, errs) == BS_EINVAL)
		return BS_EINVAL;
	lines = json_object_object_get(in, "JournalLines");
	if (lines != NULL && !json_object_is_type(lines, json_type_array)) {
		sb_err(errs, "JournalLines must be an array");
		return BS_EINVAL;
	}
	res = json_object_new_array();
	for (size_t i = 0; lines != NULL && i < json_object_array_length(lines); i++) {
		json_object *l = json_object_array_get_idx(lines, i), *r;
		const char *acct = sb_jstr(l, "AccountCode"), *tax = sb_jstr(l, "TaxType");
		int64_t amt, pct = 0, taxamt = 0;
		struct sb_doc *a;

		if (!json_object_is_type(l, json_type_object))
			continue;
		a = acct ? sb_find_num(t->tn, SBK_ACCOUNTS, acct) : NULL;
		if (a == NULL && sb_jstr(l, "AccountID") != NULL)
			a = sb_find(t->tn, SBK_ACCOUNTS, sb_jstr(l, "AccountID"));
		if (a == NULL) {
			/* Xero drops the line with a warning, then checks the balance */
			warn(t,
			     "Account code '%s' has been removed as it does not match a recognised "
			     "account.",
			     acct ? acct : "");
			continue;
		}
		if (parse_amount(t, json_object_object_get(l, "LineAmount"), dp, &amt) != BS_OK) {
			sb_err(errs, "LineAmount must be a number");
			goto fail;
		}
		if (tax == NULL)
			tax = strcmp(lat, "NoTax") == 0 ? "NONE" : sb_jstr(a->obj, "TaxType");
		if (tax_rate_of(t, tax ? tax : "NONE", &pct) != BS_OK) {
			sb_err(errs, "Tax rate must be valid.");
			goto fail;
		}
		if (money_tax(amt, pct, lat_mode(lat), dp, t->sb->rounding, &taxamt) != BS_OK) {
			sb_err(errs, "LineAmount is out of range");
			goto fail;
		}
		if (amt > 0)
			debit += amt;
		else
			credit += amt;
		r = json_object_new_object();
		copy_field(r, l, "Description");
		sb_jset_amount(r, "LineAmount", amt, 2);
		sb_jset_str(r, "AccountCode", sb_jstr(a->obj, "Code"));
		copy_field(r, a->obj, "AccountID");
		sb_jset_str(r, "TaxType", tax ? tax : "NONE");
		sb_jset_amount(r, "TaxAmount", taxamt, 2);
		json_object_object_add(r, "Tracking",
		                       json_object_object_get(l, "Tracking")
		                           ? json_object_get(json_object_object_get(l, "Tracking"))
		                           : json_object_new_array());
		json_object_object_add(r, "IsBlank", json_object_new_boolean(0));
		json_object_array_add(res, r);
	}
	if (debit + credit != 0) {
		char a1[40], a2[40];

		fmt_amount(a1, sizeof(a1), debit, 2);
		fmt_amount(a2, sizeof(a2), credit, 2);
		sb_err(errs, "The total debits (%s) must equal total credits (%s)", a1, a2);
		goto fail;
	}
	if (strcmp(st, "DELETED") != 0 && lock_check(t, date, errs) != BS_OK)
		goto fail;
	o = json_object_new_object();
	if (old != NULL)
		snprintf(id, sizeof(id), "%s", old->id);
	else
		sb_uuid(id);
	sb_jset_str(o, "ManualJournalID", id);
	sb_jset_str(o, "Narration", narr);
	sb_jset_date(o, "Date", "DateString", date);
	sb_jset_str(o, "Status", st);
	sb_jset_str(o, "LineAmountTypes", lat);
	json_object_object_add(o, "JournalLines", res);
	json_object_object_add(o, "ShowOnCashBasisReports",
	                       json_object_new_boolean(jbool(in, "ShowOnCashBasisReports", true)));
	copy_field(o, in, "Url");
	json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	*out = o;
	return BS_OK;
fail:
	json_object_put(res);
	return BS_EINVAL;
}

/* ------------------------------------------------------------- payments */

static struct sb_doc *find_doc_ref(struct sb_txn *t, json_object *ref, int kind, const char *idf,
                                   const char *numf, const char *t1, const char *t2)
{
	const char *id = sb_jstr(ref, idf), *num = sb_jstr(ref, numf);
	char key[300];
	struct sb_doc *d;

	if (ref == NULL)
		return NULL;
	if (id != NULL)
		return sb_find(t->tn, kind, id);
	if (num == NULL)
		return NULL;
	snprintf(key, sizeof(key), "%s|%s", t1, num);
	d = sb_find_num(t->tn, kind, key);
	if (d == NULL) {
		snprintf(key, sizeof(key), "%s|%s", t2, num);
		d = sb_find_num(t->tn, kind, key);
	}
	return d;
}

/* Apply `amount` (may be negative: a reversal) to an invoice or credit note. */
static int apply_to_doc(struct sb_txn *t, int kind, struct sb_doc *d, int64_t amount,
                        const char *list, json_object *entry, const char *field, int64_t date)
{
	json_object *o = NULL, *arr;
	int64_t due, done;
	const char *due_f = kind == SBK_INVOICES ? "AmountDue" : "RemainingCredit";
	int rc;

	if (json_object_deep_copy(d->obj, &o, NULL) != 0)
		return BS_ENOMEM;
	due = jamount(o, due_f) - amount;
	sb_jset_amount(o, due_f, due, 2);
	if (kind == SBK_INVOICES) {
		done = jamount(o, field) + amount;
		sb_jset_amount(o, field, done, 2);
	}
	if (entry != NULL) {
		arr = json_object_object_get(o, list);
		if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
			arr = json_object_new_array();
			json_object_object_add(o, list, arr);
		}
		json_object_array_add(arr, entry);
	}
	if (due == 0 && amount > 0) {
		sb_jset_str(o, "Status", "PAID");
		sb_jset_date(o, "FullyPaidOnDate", NULL, date);
	} else if (due != 0 && strcmp(sb_jstr(o, "Status"), "PAID") == 0) {
		sb_jset_str(o, "Status", "AUTHORISED");
		json_object_object_del(o, "FullyPaidOnDate");
	}
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	rc = sb_put(t, kind, d, o, NULL);
	return rc;
}

static int remove_entry(json_object *doc, const char *list, const char *idf, const char *id)
{
	json_object *arr = json_object_object_get(doc, list);

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return BS_OK;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *x = sb_jstr(json_object_array_get_idx(arr, i), idf);

		if (x && strcasecmp(x, id) == 0) {
			json_object_array_del_idx(arr, i, 1);
			break;
		}
	}
	return BS_OK;
}

static int build_payment(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                         json_object **out, struct sb_errs *errs)
{
	json_object *o, *entry, *tref;
	struct sb_doc *inv, *cn, *acct, *target;
	int kind;
	int64_t amount, due, date, rate = MONEY_SCALE;
	const char *ptype, *st;
	char id[40];
	int dp;

	if (old != NULL) {
		/* the only change Xero allows: Status DELETED, which reverses it */
		const char *ost = sb_jstr(old->obj, "Status");
		json_object *copy = NULL;

		st = sb_jstr(in, "Status");
		if (st == NULL || strcmp(st, "DELETED") != 0 || strcmp(ost, "AUTHORISED") != 0) {
			sb_err(errs,
			       "Payment not of valid status for modification: a payment can only "
			       "be deleted (Status DELETED)");
			return BS_EINVAL;
		}
		amount = jamount(old->obj, "Amount");
		tref = json_object_object_get(old->obj, "Invoice");
		kind = tref ? SBK_INVOICES : SBK_CREDITNOTES;
		if (tref == NULL)
			tref = json_object_object_get(old->obj, "CreditNote");
		target =
		    sb_find(t->tn, kind,
		            sb_jstr(tref, kind == SBK_INVOICES ? "InvoiceID" : "CreditNoteID"));
		if (target != NULL) {
			if (apply_to_doc(t, kind, target, -amount, NULL, NULL, "AmountPaid",
			                 t->now) != BS_OK)
				return BS_ENOMEM;
			target = sb_find(
			    t->tn, kind,
			    sb_jstr(tref, kind == SBK_INVOICES ? "InvoiceID" : "CreditNoteID"));
			if (json_object_deep_copy(target->obj, &copy, NULL) != 0)
				return BS_ENOMEM;
			remove_entry(copy, "Payments", "PaymentID", old->id);
			if (sb_put(t, kind, target, copy, NULL) != BS_OK)
				return BS_ENOMEM;
		}
		o = NULL;
		if (json_object_deep_copy(old->obj, &o, NULL) != 0)
			return BS_ENOMEM;
		sb_jset_str(o, "Status", "DELETED");
		sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
		*out = o;
		return BS_OK;
	}
	inv = find_doc_ref(t, json_object_object_get(in, "Invoice"), SBK_INVOICES, "InvoiceID",
	                   "InvoiceNumber", "ACCREC", "ACCPAY");
	cn = find_doc_ref(t, json_object_object_get(in, "CreditNote"), SBK_CREDITNOTES,
	                  "CreditNoteID", "CreditNoteNumber", "ACCRECCREDIT", "ACCPAYCREDIT");
	if (inv == NULL && cn == NULL) {
		sb_err(errs,
		       json_object_object_get(in, "Invoice") ||
		               json_object_object_get(in, "CreditNote")
		           ? "The document this payment is for could not be found"
		           : "You must specify either an Invoice or a CreditNote for this payment");
		return BS_EINVAL;
	}
	target = inv ? inv : cn;
	kind = inv ? SBK_INVOICES : SBK_CREDITNOTES;
	st = sb_jstr(target->obj, "Status");
	if (strcmp(st, "AUTHORISED") != 0) {
		sb_err(errs,
		       "Payments can only be made against AUTHORISED documents (this one is %s)",
		       st);
		return BS_EINVAL;
	}
	acct = find_account(t, json_object_object_get(in, "Account"));
	if (acct == NULL || !(strcmp(sb_jstr(acct->obj, "Type"), "BANK") == 0 ||
	                      jbool(acct->obj, "EnablePaymentsToAccount", false))) {
		sb_err(errs, "Account must be valid.");
		return BS_EINVAL;
	}
	dp = cur_dp(sb_jstr(target->obj, "CurrencyCode"));
	if (parse_amount(t, json_object_object_get(in, "Amount"), dp, &amount) != BS_OK ||
	    amount <= 0) {
		sb_err(errs, "Payment amount must be a positive number");
		return BS_EINVAL;
	}
	due = jamount(target->obj, kind == SBK_INVOICES ? "AmountDue" : "RemainingCredit");
	if (amount > due) {
		char a1[40], a2[40];

		fmt_amount(a1, sizeof(a1), amount, 2);
		fmt_amount(a2, sizeof(a2), due, 2);
		sb_err(errs,
		       "Payment amount (%s) exceeds the amount outstanding on this document (%s)",
		       a1, a2);
		return BS_EINVAL;
	}
	if (get_date(in, "Date", today_ms(t), &date, errs) == BS_EINVAL)
		return BS_EINVAL;
	if (lock_check(t, date, errs) != BS_OK)
		return BS_EINVAL;
	if (json_object_object_get(in, "CurrencyRate") != NULL) {
		if (sb_jdec(json_object_object_get(in, "CurrencyRate"), MONEY_DP, MONEY_DP,
		            &rate) != BS_OK ||
		    rate <= 0) {
			sb_err(errs, "CurrencyRate must be a positive number");
			return BS_EINVAL;
		}
	} else {
		sb_jdec(json_object_object_get(target->obj, "CurrencyRate"), MONEY_DP, MONEY_DP,
		        &rate);
	}
	{
		const char *ty = sb_jstr(target->obj, "Type");

		ptype = strcmp(ty, "ACCREC") == 0         ? "ACCRECPAYMENT"
		        : strcmp(ty, "ACCPAY") == 0       ? "ACCPAYPAYMENT"
		        : strcmp(ty, "ACCRECCREDIT") == 0 ? "ARCREDITPAYMENT"
		                                          : "APCREDITPAYMENT";
	}
	sb_uuid(id);
	o = json_object_new_object();
	sb_jset_str(o, "PaymentID", id);
	sb_jset_date(o, "Date", NULL, date);
	sb_jset_amount(o, "Amount", amount, 2);
	sb_jset_amount(o, "BankAmount", amount, 2);
	copy_field(o, in, "Reference");
	json_object_object_add(o, "CurrencyRate", dec_json(rate, MONEY_DP, 6));
	sb_jset_str(o, "PaymentType", ptype);
	sb_jset_str(o, "Status", "AUTHORISED");
	json_object_object_add(o, "IsReconciled",
	                       json_object_new_boolean(jbool(in, "IsReconciled", false)));
	json_object_object_add(o, "HasAccount", json_object_new_boolean(1));
	json_object_object_add(o, "HasValidationErrors", json_object_new_boolean(0));
	{
		json_object *a = json_object_new_object(), *r = json_object_new_object();

		copy_field(a, acct->obj, "AccountID");
		copy_field(a, acct->obj, "Code");
		json_object_object_add(o, "Account", a);
		if (kind == SBK_INVOICES) {
			copy_field(r, target->obj, "InvoiceID");
			copy_field(r, target->obj, "InvoiceNumber");
		} else {
			copy_field(r, target->obj, "CreditNoteID");
			copy_field(r, target->obj, "CreditNoteNumber");
		}
		copy_field(r, target->obj, "Type");
		copy_field(r, target->obj, "Contact");
		copy_field(r, target->obj, "CurrencyCode");
		json_object_object_add(o, kind == SBK_INVOICES ? "Invoice" : "CreditNote", r);
	}
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	entry = json_object_new_object();
	sb_jset_str(entry, "PaymentID", id);
	sb_jset_date(entry, "Date", NULL, date);
	sb_jset_amount(entry, "Amount", amount, 2);
	copy_field(entry, in, "Reference");
	json_object_object_add(entry, "CurrencyRate", dec_json(rate, MONEY_DP, 6));
	if (apply_to_doc(t, kind, target, amount, "Payments", entry, "AmountPaid", date) != BS_OK) {
		json_object_put(o);
		return BS_ENOMEM;
	}
	*out = o;
	return BS_OK;
}

/* Allocation of a credit note to an invoice (PUT /CreditNotes/{id}/Allocations). */
int sb_allocate(struct sb_txn *t, struct sb_doc *cn, json_object *in, json_object **out,
                struct sb_errs *errs);

int sb_allocate(struct sb_txn *t, struct sb_doc *cn, json_object *in, json_object **out,
                struct sb_errs *errs)
{
	struct sb_doc *inv;
	const char *cty = sb_jstr(cn->obj, "Type"), *ity;
	const char *cc, *ic;
	int64_t amount, date, remaining, due;
	json_object *o, *entry, *ref;
	char id[40];

	if (!json_object_is_type(in, json_type_object)) {
		sb_err(errs, "An allocation must be an object");
		return BS_EINVAL;
	}
	inv = find_doc_ref(t, json_object_object_get(in, "Invoice"), SBK_INVOICES, "InvoiceID",
	                   "InvoiceNumber", "ACCREC", "ACCPAY");
	if (inv == NULL) {
		sb_err(errs, "The invoice to allocate to could not be found");
		return BS_EINVAL;
	}
	ity = sb_jstr(inv->obj, "Type");
	if ((strcmp(cty, "ACCRECCREDIT") == 0) != (strcmp(ity, "ACCREC") == 0)) {
		sb_err(errs, "A %s credit note cannot be allocated to an %s invoice", cty, ity);
		return BS_EINVAL;
	}
	cc = sb_jstr(json_object_object_get(cn->obj, "Contact"), "ContactID");
	ic = sb_jstr(json_object_object_get(inv->obj, "Contact"), "ContactID");
	if (cc == NULL || ic == NULL || strcmp(cc, ic) != 0) {
		sb_err(errs, "The credit note and the invoice must belong to the same contact");
		return BS_EINVAL;
	}
	if (strcmp(sb_jstr(cn->obj, "Status"), "AUTHORISED") != 0 ||
	    strcmp(sb_jstr(inv->obj, "Status"), "AUTHORISED") != 0) {
		sb_err(errs,
		       "Allocations need an AUTHORISED credit note and an AUTHORISED invoice");
		return BS_EINVAL;
	}
	if (strcmp(sb_jstr(cn->obj, "CurrencyCode"), sb_jstr(inv->obj, "CurrencyCode")) != 0) {
		sb_err(errs, "The credit note and the invoice must be in the same currency");
		return BS_EINVAL;
	}
	if (parse_amount(t, json_object_object_get(in, "Amount"),
	                 cur_dp(sb_jstr(inv->obj, "CurrencyCode")), &amount) != BS_OK ||
	    amount <= 0) {
		sb_err(errs, "Amount must be a positive number");
		return BS_EINVAL;
	}
	remaining = jamount(cn->obj, "RemainingCredit");
	due = jamount(inv->obj, "AmountDue");
	if (amount > remaining || amount > due) {
		sb_err(errs,
		       "The amount allocated cannot exceed the credit note's remaining credit "
		       "or the invoice's amount due");
		return BS_EINVAL;
	}
	if (get_date(in, "Date", today_ms(t), &date, errs) == BS_EINVAL ||
	    lock_check(t, date, errs) != BS_OK)
		return BS_EINVAL;
	sb_uuid(id);
	/* the invoice's CreditNotes list */
	entry = json_object_new_object();
	copy_field(entry, cn->obj, "CreditNoteID");
	copy_field(entry, cn->obj, "CreditNoteNumber");
	sb_jset_amount(entry, "AppliedAmount", amount, 2);
	copy_field(entry, cn->obj, "Total");
	if (apply_to_doc(t, SBK_INVOICES, inv, amount, "CreditNotes", entry, "AmountCredited",
	                 date) != BS_OK)
		return BS_ENOMEM;
	/* the credit note's Allocations list */
	entry = json_object_new_object();
	sb_jset_str(entry, "AllocationID", id);
	sb_jset_amount(entry, "Amount", amount, 2);
	sb_jset_date(entry, "Date", NULL, date);
	ref = json_object_new_object();
	copy_field(ref, inv->obj, "InvoiceID");
	copy_field(ref, inv->obj, "InvoiceNumber");
	json_object_object_add(entry, "Invoice", ref);
	if (apply_to_doc(t, SBK_CREDITNOTES, cn, amount, "Allocations", entry, NULL, date) != BS_OK)
		return BS_ENOMEM;
	o = json_object_new_object();
	sb_jset_str(o, "AllocationID", id);
	sb_jset_amount(o, "Amount", amount, 2);
	sb_jset_date(o, "Date", NULL, date);
	ref = json_object_new_object();
	copy_field(ref, inv->obj, "InvoiceID");
	copy_field(ref, inv->obj, "InvoiceNumber");
	json_object_object_add(o, "Invoice", ref);
	ref = json_object_new_object();
	copy_field(ref, cn->obj, "CreditNoteID");
	copy_field(ref, cn->obj, "CreditNoteNumber");
	json_object_object_add(o, "CreditNote", ref);
	*out = o;
	return BS_OK;
}

/* Undo one allocation (DELETE /CreditNotes/{id}/Allocations/{aid}). */
int sb_unallocate(struct sb_txn *t, struct sb_doc *cn, const char *alloc_id, json_object **out);

int sb_unallocate(struct sb_txn *t, struct sb_doc *cn, const char *alloc_id, json_object **out)
{
	json_object *arr = json_object_object_get(cn->obj, "Allocations"), *al = NULL, *copy = NULL;
	struct sb_doc *inv;
	int64_t amount;
	const char *iid;

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *id = sb_jstr(e, "AllocationID");

		if (id && strcasecmp(id, alloc_id) == 0)
			al = e;
	}
	if (al == NULL)
		return BS_ENOTFOUND;
	amount = jamount(al, "Amount");
	iid = sb_jstr(json_object_object_get(al, "Invoice"), "InvoiceID");
	inv = iid ? sb_find(t->tn, SBK_INVOICES, iid) : NULL;
	*out = json_object_new_object();
	copy_field(*out, al, "AllocationID");
	copy_field(*out, al, "Amount");
	copy_field(*out, al, "Date");
	copy_field(*out, al, "Invoice");
	{
		json_object *ref = json_object_new_object();

		copy_field(ref, cn->obj, "CreditNoteID");
		copy_field(ref, cn->obj, "CreditNoteNumber");
		json_object_object_add(*out, "CreditNote", ref);
	}
	json_object_object_add(*out, "IsDeleted", json_object_new_boolean(1));
	if (inv != NULL) {
		if (apply_to_doc(t, SBK_INVOICES, inv, -amount, NULL, NULL, "AmountCredited",
		                 t->now) != BS_OK)
			return BS_ENOMEM;
		inv = sb_find(t->tn, SBK_INVOICES, iid);
		if (json_object_deep_copy(inv->obj, &copy, NULL) != 0)
			return BS_ENOMEM;
		remove_entry(copy, "CreditNotes", "CreditNoteID", cn->id);
		if (sb_put(t, SBK_INVOICES, inv, copy, NULL) != BS_OK)
			return BS_ENOMEM;
	}
	if (apply_to_doc(t, SBK_CREDITNOTES, cn, -amount, NULL, NULL, NULL, t->now) != BS_OK)
		return BS_ENOMEM;
	copy = NULL;
	if (json_object_deep_copy(cn->obj, &copy, NULL) != 0)
		return BS_ENOMEM;
	remove_entry(copy, "Allocations", "AllocationID", alloc_id);
	return sb_put(t, SBK_CREDITNOTES, cn, copy, NULL);
}

/* ------------------------------------------------------------- the table */

const struct sb_kind sb_kinds[SBK_COUNT] = {
    [SBK_ACCOUNTS] = {"Accounts", "AccountID", "Code", "accounting.settings", NULL,
                      "HasValidationErrors", NULL, false, false, false, NULL},
    [SBK_TAXRATES] = {"TaxRates", "TaxType", "TaxType", "accounting.settings", NULL,
                      "HasValidationErrors", NULL, false, false, false, NULL},
    [SBK_CURRENCIES] = {"Currencies", "Code", "Code", "accounting.settings", NULL,
                        "HasValidationErrors", NULL, false, false, false, NULL},
    [SBK_TRACKING] = {"TrackingCategories", "TrackingCategoryID", "Name", "accounting.settings",
                      NULL, "HasValidationErrors", NULL, false, false, false, NULL},
    [SBK_CONTACTS] = {"Contacts", "ContactID", "Name", "accounting.contacts", NULL,
                      "HasValidationErrors", "CONTACT", true, true, false, build_contact},
    [SBK_ITEMS] = {"Items", "ItemID", "Code", "accounting.settings", "accounting.invoices",
                   "HasValidationErrors", NULL, true, false, true, build_item},
    [SBK_INVOICES] = {"Invoices", "InvoiceID", "InvoiceNumber", "accounting.transactions",
                      "accounting.invoices", "HasErrors", "INVOICE", true, true, false,
                      build_invoice},
    [SBK_CREDITNOTES] = {"CreditNotes", "CreditNoteID", "CreditNoteNumber",
                         "accounting.transactions", "accounting.invoices", "HasErrors",
                         "CREDITNOTE", true, true, false, build_creditnote},
    [SBK_PAYMENTS] = {"Payments", "PaymentID", NULL, "accounting.transactions",
                      "accounting.payments", "HasValidationErrors", NULL, true, true, false,
                      build_payment},
    [SBK_PURCHASEORDERS] = {"PurchaseOrders", "PurchaseOrderID", "PurchaseOrderNumber",
                            "accounting.transactions", "accounting.invoices", "HasErrors", NULL,
                            true, true, false, build_po},
    [SBK_MANUALJOURNALS] = {"ManualJournals", "ManualJournalID", NULL, "accounting.transactions",
                            "accounting.manualjournals", "HasValidationErrors", NULL, true, true,
                            false, build_journal},
    [SBK_BANKTRANSACTIONS] = {"BankTransactions", "BankTransactionID", NULL,
                              "accounting.transactions", "accounting.banktransactions", "HasErrors",
                              NULL, true, true, false, build_banktx},
    [SBK_PREPAYMENTS] = {"Prepayments", "PrepaymentID", NULL, "accounting.transactions",
                         "accounting.payments", "HasValidationErrors", NULL, false, true, false,
                         NULL},
    [SBK_OVERPAYMENTS] = {"Overpayments", "OverpaymentID", NULL, "accounting.transactions",
                          "accounting.payments", "HasValidationErrors", NULL, false, true, false,
                          NULL},
};

int sb_kind_of(const char *seg, size_t n)
{
	if (n == strlen("Organisation") && strncasecmp(seg, "Organisation", n) == 0)
		return -2;
	for (int k = 0; k < SBK_COUNT; k++)
		if (strlen(sb_kinds[k].name) == n && strncasecmp(seg, sb_kinds[k].name, n) == 0)
			return k;
	return -1;
}
