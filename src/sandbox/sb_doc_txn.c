/*
 * sb_doc_txn.c - the builder invoices, credit notes, purchase orders and
 * bank transactions share, driven by each kind's struct sb_doc_spec: Type
 * and Status (with Xero's status-change rules, docs/mapping-xero.md §7), contact,
 * dates, currency and rate, line items, the number (given or INV-0001,
 * unique where Xero wants it), totals frozen once money is applied, lock
 * dates, and the stored document in Xero's field order.  What only one
 * kind has comes from the spec's hooks (sb_doc_<kind>.c).
 */
#include "sandbox/sb_doc_int.h"

#include "core/civil.h"

#include <stdio.h>
#include <string.h>

/* What the checks gather before the document is assembled. */
struct draft {
	const char *type, *st, *lat, *cur, *num;
	json_object *contact, *lines; /* owned until assembled */
	struct sb_line_sums sums;
	int64_t date, due, rate, paid, credited;
	bool has_money;
	char numbuf[300];
};

/* Status change rules (FACTS §7). */
static int status_check(const struct sb_doc_spec *sp, const struct sb_doc *old, const char *st,
                        bool has_money, struct sb_errs *errs)
{
	const char *os = old ? sb_jstr(old->obj, "Status") : NULL;

	if (old == NULL) {
		if (strcmp(st, "DELETED") == 0 || strcmp(st, "VOIDED") == 0 ||
		    strcmp(st, "PAID") == 0) {
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
		if (strcmp(os, "AUTHORISED") != 0 && strcmp(os, "PAID") != 0 && !sp->void_any) {
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
		if (!sp->delete_any && strcmp(os, "DRAFT") != 0 && strcmp(os, "SUBMITTED") != 0) {
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

/* Type (when the kind has one; it cannot change), then Status. */
static int draft_status(const struct sb_doc_spec *sp, json_object *in, const struct sb_doc *old,
                        struct draft *d, struct sb_errs *errs)
{
	if (sp->types[0] != NULL) {
		d->type = sb_jstr(in, "Type");
		if (d->type == NULL || !sb_in_list(sp->types, 7, d->type)) {
			if (sp->type_error != NULL && d->type != NULL)
				sp->type_error(d->type, errs);
			else
				sb_err(errs, "Type must be one of %s, %s", sp->types[0],
				       sp->types[1]);
			return BS_EINVAL;
		}
		if (old != NULL && strcmp(d->type, sb_jstr(old->obj, "Type")) != 0) {
			sb_err(errs, "The Type of a %s cannot be changed", sp->noun);
			return BS_EINVAL;
		}
	}
	d->st = sb_jstr(in, "Status");
	if (d->st == NULL)
		d->st = sp->dflt_status;
	if (old != NULL && strcmp(d->st, "PAID") == 0 &&
	    strcmp(sb_jstr(old->obj, "Status"), "PAID") == 0)
		; /* re-posting a fetched PAID document unchanged */
	else if (!sb_in_list(sp->statuses, 6, d->st)) {
		sb_err(errs, "Status %s is not valid for a %s", d->st, sp->noun);
		return BS_EINVAL;
	}
	if (old != NULL) {
		d->paid = sb_jamount(old->obj, "AmountPaid");
		d->credited = sb_jamount(old->obj, "AmountCredited");
		if (sp->credit) /* allocated or refunded */
			d->paid =
			    sb_jamount(old->obj, "Total") - sb_jamount(old->obj, "RemainingCredit");
		d->has_money = d->paid != 0 || d->credited != 0;
	}
	return status_check(sp, old, d->st, d->has_money, errs);
}

/* CurrencyCode (the base currency by default) and CurrencyRate. */
static int draft_currency(struct sb_txn *t, json_object *in, struct draft *d, struct sb_errs *errs)
{
	static const struct {
		const char *code;
		int64_t rate; /* document units per base unit, micros */
	} fx[] = {{"NZD", 1000000}, {"AUD", 920000}, {"USD", 600000},
	          {"GBP", 480000},  {"EUR", 550000}, {"JPY", 90000000}};
	json_object *v;

	d->rate = MONEY_SCALE;
	d->cur = sb_jstr(in, "CurrencyCode");
	if (d->cur == NULL || !*d->cur)
		d->cur = sb_base_currency(t);
	if (sb_find_num(t->tn, SBK_CURRENCIES, d->cur) == NULL) {
		sb_err(errs, "The currency %s is not set up for this organisation", d->cur);
		return BS_EINVAL;
	}
	if (strcmp(d->cur, sb_base_currency(t)) == 0)
		return BS_OK;
	v = json_object_object_get(in, "CurrencyRate");
	if (v != NULL) {
		if (sb_jdec(v, MONEY_DP, MONEY_DP, &d->rate) != BS_OK || d->rate <= 0) {
			sb_err(errs, "CurrencyRate must be a positive number with at most 6 "
			             "decimal places");
			return BS_EINVAL;
		}
		return BS_OK;
	}
	/* no rate given: a fixed table stands in for XE.com */
	d->rate = 0;
	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++)
		if (strcmp(fx[i].code, d->cur) == 0)
			d->rate = fx[i].rate;
	if (d->rate == 0)
		d->rate = MONEY_SCALE;
	return BS_OK;
}

/* LineAmountTypes and the line items, priced for the document's side. */
static int draft_lines(struct sb_txn *t, json_object *in, struct draft *d, struct sb_errs *errs)
{
	const char *ty = d->type;
	struct sb_line_opts lo;

	d->lat = sb_jstr(in, "LineAmountTypes");
	if (d->lat == NULL)
		d->lat = "Exclusive";
	if (strcmp(d->lat, "Exclusive") != 0 && strcmp(d->lat, "Inclusive") != 0 &&
	    strcmp(d->lat, "NoTax") != 0) {
		sb_err(errs, "LineAmountTypes must be Exclusive, Inclusive or NoTax");
		return BS_EINVAL;
	}
	lo.sales = ty != NULL && (strcmp(ty, "ACCREC") == 0 || strcmp(ty, "ACCRECCREDIT") == 0 ||
	                          strncmp(ty, "RECEIVE", 7) == 0);
	lo.discounts = ty != NULL && strcmp(ty, "ACCREC") == 0;
	lo.dp = sb_cur_dp(d->cur);
	lo.mode = sb_lat_mode(d->lat);
	return sb_build_lines(t, json_object_object_get(in, "LineItems"), &lo, &d->lines, &d->sums,
	                      errs);
}

/* The next free auto number (INV-0001, ...) for the kind, per tenant. */
static int next_number(struct sb_txn *t, const struct sb_doc_spec *sp, const char *type, char *out,
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

/* The number: a given one must be unique where Xero wants it (ACCREC only
 * for invoices); none given gets the next auto number there. */
static int draft_number(struct sb_txn *t, const struct sb_doc_spec *sp, json_object *in,
                        const struct sb_doc *old, struct draft *d, struct sb_errs *errs)
{
	bool unique = sp->num_unique_type[0] == '\0' ||
	              (d->type && strcmp(d->type, sp->num_unique_type) == 0);
	const char *num = sb_jstr(in, sp->num_field);

	if (num != NULL && strlen(num) > 255) {
		sb_err(errs, "%s must be 255 characters or less", sp->num_field);
		return BS_EINVAL;
	}
	d->num = num; /* "" where numbers need not be unique is kept as given */
	if (num != NULL && *num) {
		struct sb_doc *dup;

		if (d->type != NULL)
			snprintf(d->numbuf, sizeof(d->numbuf), "%s|%s", d->type, num);
		else
			snprintf(d->numbuf, sizeof(d->numbuf), "%s", num);
		dup = sb_find_num(t->tn, sp->kind, d->numbuf);
		if (unique && dup != NULL && dup != old && strcmp(d->st, "DELETED") != 0) {
			sb_err(errs, "%s", sp->dup_msg);
			return BS_EINVAL;
		}
	} else if (unique) {
		if (next_number(t, sp, d->type, d->numbuf, sizeof(d->numbuf)) != BS_OK) {
			sb_err(errs, "No free number");
			return BS_EINVAL;
		}
		d->num = d->numbuf;
	}
	return BS_OK;
}

/* A document with money applied keeps its Total; lock dates block creating
 * or changing documents dated in the locked period, drafts included (FACTS
 * §7); deleting one is still allowed. */
static int draft_frozen(struct sb_txn *t, const struct sb_doc_spec *sp, const struct sb_doc *old,
                        const struct draft *d, struct sb_errs *errs)
{
	int64_t od;

	if (old != NULL && d->has_money && sb_jamount(old->obj, "Total") != d->sums.total &&
	    strcmp(d->st, "DELETED") != 0 && strcmp(d->st, "VOIDED") != 0) {
		sb_err(errs, "%s not of valid status for modification", sp->noun);
		return BS_EINVAL;
	}
	if (!sp->lockable || strcmp(d->st, "DELETED") == 0)
		return BS_OK;
	if (sb_lock_check(t, d->date, errs) != BS_OK)
		return BS_EINVAL;
	if (old != NULL && civil_parse(sb_jstr(old->obj, "Date"), &od) == BS_OK &&
	    sb_lock_check(t, od, errs) != BS_OK)
		return BS_EINVAL;
	return BS_OK;
}

/* Every check, in Xero's order; the first failure ends the element. */
static int draft_check(struct sb_txn *t, const struct sb_doc_spec *sp, json_object *in,
                       const struct sb_doc *old, json_object *o, struct draft *d,
                       struct sb_errs *errs)
{
	if (draft_status(sp, in, old, d, errs) != BS_OK)
		return BS_EINVAL;
	d->contact = sb_resolve_contact(t, json_object_object_get(in, "Contact"), errs);
	if (d->contact == NULL)
		return BS_EINVAL;
	if (sb_get_date(in, "Date", sb_today_ms(t), &d->date, errs) == BS_EINVAL ||
	    sb_get_date(in, sp->due_field, INT64_MIN, &d->due, errs) == BS_EINVAL)
		return BS_EINVAL;
	if (draft_currency(t, in, d, errs) != BS_OK || draft_lines(t, in, d, errs) != BS_OK)
		return BS_EINVAL;
	if (sp->inputs != NULL && sp->inputs(t, in, o, errs) != BS_OK)
		return BS_EINVAL;
	if (sp->num_field != NULL && draft_number(t, sp, in, old, d, errs) != BS_OK)
		return BS_EINVAL;
	return draft_frozen(t, sp, old, d, errs);
}

/* The stored Status: PAID is only reached through payments, and an
 * AUTHORISED update of a paid document stays PAID. */
static const char *stored_status(const struct sb_doc *old, const struct draft *d)
{
	const char *st = d->st;

	if (old != NULL && strcmp(st, "PAID") == 0)
		st = sb_jstr(old->obj, "Status");
	if (old != NULL && d->has_money && strcmp(st, "AUTHORISED") == 0 &&
	    strcmp(sb_jstr(old->obj, "Status"), "PAID") == 0)
		st = "PAID";
	return st;
}

/* Amounts due and credited, payments and allocations: kept from the stored
 * document, empty on a new one. */
static void assemble_money(const struct sb_doc_spec *sp, json_object *in, const struct sb_doc *old,
                           const struct draft *d, json_object *o)
{
	if (sp->payable) {
		sb_jset_amount(o, "AmountDue", d->sums.total - d->paid - d->credited, 2);
		sb_jset_amount(o, "AmountPaid", d->paid, 2);
		sb_jset_amount(o, "AmountCredited", d->credited, 2);
		sb_jcopy(o, old ? old->obj : in, "Payments");
		sb_jcopy(o, old ? old->obj : in, "CreditNotes");
		if (old == NULL) {
			json_object_object_add(o, "Payments", json_object_new_array());
			json_object_object_add(o, "CreditNotes", json_object_new_array());
		}
		json_object_object_add(o, "Prepayments", json_object_new_array());
		json_object_object_add(o, "Overpayments", json_object_new_array());
		if (old != NULL)
			sb_jcopy(o, old->obj, "FullyPaidOnDate");
	}
	if (sp->credit) {
		sb_jset_amount(o, "RemainingCredit", d->sums.total - d->paid, 2);
		if (old != NULL) {
			sb_jcopy(o, old->obj, "Allocations");
			sb_jcopy(o, old->obj, "Payments");
		} else {
			json_object_object_add(o, "Allocations", json_object_new_array());
			json_object_object_add(o, "Payments", json_object_new_array());
		}
		if (old != NULL)
			sb_jcopy(o, old->obj, "FullyPaidOnDate");
	}
}

/* The document in Xero's field order, up to the kind's own fields; takes
 * the draft's contact and lines. */
static void assemble(const struct sb_doc_spec *sp, json_object *in, const struct sb_doc *old,
                     struct draft *d, json_object *o)
{
	char id[40];

	sb_doc_id(old, id);
	if (d->type != NULL)
		sb_jset_str(o, "Type", d->type);
	sb_jset_str(o, sb_kinds[sp->kind].id_field, id);
	if (d->num != NULL)
		sb_jset_str(o, sp->num_field, d->num);
	sb_jcopy(o, in, "Reference");
	json_object_object_add(o, "Contact", d->contact);
	d->contact = NULL;
	sb_jset_date(o, "Date", "DateString", d->date);
	if (d->due != INT64_MIN)
		sb_jset_date(o, sp->due_field, sp->due_string, d->due);
	sb_jset_str(o, "Status", stored_status(old, d));
	sb_jset_str(o, "LineAmountTypes", d->lat);
	json_object_object_add(o, "LineItems", d->lines);
	d->lines = NULL;
	sb_jset_amount(o, "SubTotal", d->sums.sub, 2);
	sb_jset_amount(o, "TotalTax", d->sums.tax, 2);
	sb_jset_amount(o, "Total", d->sums.total, 2);
	if (d->sums.discount != 0)
		sb_jset_amount(o, "TotalDiscount", d->sums.discount, 2);
	if (sp->discounted)
		json_object_object_add(o, "IsDiscounted",
		                       json_object_new_boolean(d->sums.discount != 0));
	sb_jset_str(o, "CurrencyCode", d->cur);
	json_object_object_add(o, "CurrencyRate", sb_jdec_json(d->rate, MONEY_DP, 6));
	assemble_money(sp, in, old, d, o);
}

int sb_build_txn_doc(struct sb_txn *t, const struct sb_doc_spec *sp, json_object *in,
                     const struct sb_doc *old, json_object **out, struct sb_errs *errs)
{
	json_object *o = json_object_new_object();
	struct draft d;

	memset(&d, 0, sizeof(d));
	if (draft_check(t, sp, in, old, o, &d, errs) != BS_OK)
		goto fail;
	assemble(sp, in, old, &d, o);
	if (sp->finish != NULL && sp->finish(t, in, old, d.type, o, errs) != BS_OK)
		goto fail;
	sb_jcopy(o, in, "Url");
	sb_jcopy(o, in, "BrandingThemeID");
	json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
	json_object_object_add(o, "HasErrors", json_object_new_boolean(0));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	*out = o;
	return BS_OK;
fail:
	json_object_put(d.contact);
	json_object_put(d.lines);
	json_object_put(o);
	return BS_EINVAL;
}
