/*
 * sb_doc_journal.c - ManualJournals: a Narration, balanced lines (debits
 * equal credits), lines with an unknown account dropped with Xero's
 * Warning before the balance is checked, NoTax by default, lock dates.
 */
#include "sandbox/sb_doc_int.h"

#include <string.h>

/* Narration and the status rules: POSTED cannot go back to DRAFT or be
 * deleted (only voided); VOIDED and DELETED journals cannot change. */
static int journal_status(json_object *in, const struct sb_doc *old, const char **st,
                          struct sb_errs *errs)
{
	static const char *const statuses[] = {"DRAFT", "POSTED", "DELETED", "VOIDED", "ARCHIVED"};
	const char *narr = sb_jstr(in, "Narration");

	if (narr == NULL || !*narr) {
		sb_err(errs, "Narration must be specified");
		return BS_EINVAL;
	}
	*st = sb_jstr(in, "Status");
	if (*st == NULL)
		*st = "DRAFT";
	if (!sb_in_list(statuses, 5, *st)) {
		sb_err(errs, "Status %s is not valid for a manual journal", *st);
		return BS_EINVAL;
	}
	if (old != NULL) {
		const char *os = sb_jstr(old->obj, "Status");

		if (strcmp(os, "VOIDED") == 0 || strcmp(os, "DELETED") == 0 ||
		    (strcmp(os, "POSTED") == 0 &&
		     (strcmp(*st, "DRAFT") == 0 || strcmp(*st, "DELETED") == 0))) {
			sb_err(errs, "Manual journal not of valid status for modification");
			return BS_EINVAL;
		}
	} else if (strcmp(*st, "DELETED") == 0 || strcmp(*st, "VOIDED") == 0) {
		sb_err(errs, "Manual journal cannot be created with status %s", *st);
		return BS_EINVAL;
	}
	return BS_OK;
}

/* One journal line into res, its amount into *debit or *credit; a line
 * whose account is unknown is dropped with a Warning (as Xero does). */
static int journal_line(struct sb_txn *t, json_object *l, const char *lat, json_object *res,
                        int64_t *debit, int64_t *credit, struct sb_errs *errs)
{
	const char *acct = sb_jstr(l, "AccountCode"), *tax = sb_jstr(l, "TaxType");
	int dp = sb_cur_dp(sb_base_currency(t));
	int64_t amt, pct = 0, taxamt = 0;
	struct sb_doc *a;
	json_object *r;

	if (!json_object_is_type(l, json_type_object))
		return BS_OK;
	a = acct ? sb_find_num(t->tn, SBK_ACCOUNTS, acct) : NULL;
	if (a == NULL && sb_jstr(l, "AccountID") != NULL)
		a = sb_find(t->tn, SBK_ACCOUNTS, sb_jstr(l, "AccountID"));
	if (a == NULL) {
		/* Xero drops the line with a warning, then checks the balance */
		sb_warn(t,
		        "Account code '%s' has been removed as it does not match a recognised "
		        "account.",
		        acct ? acct : "");
		return BS_OK;
	}
	if (sb_parse_amount(t, json_object_object_get(l, "LineAmount"), dp, &amt) != BS_OK) {
		sb_err(errs, "LineAmount must be a number");
		return BS_EINVAL;
	}
	if (tax == NULL)
		tax = strcmp(lat, "NoTax") == 0 ? "NONE" : sb_jstr(a->obj, "TaxType");
	if (sb_tax_rate_of(t, tax ? tax : "NONE", &pct) != BS_OK) {
		sb_err(errs, "Tax rate must be valid.");
		return BS_EINVAL;
	}
	if (money_tax(amt, pct, sb_lat_mode(lat), dp, t->sb->rounding, &taxamt) != BS_OK) {
		sb_err(errs, "LineAmount is out of range");
		return BS_EINVAL;
	}
	if (amt > 0)
		*debit += amt;
	else
		*credit += amt;
	r = json_object_new_object();
	sb_jcopy(r, l, "Description");
	sb_jset_amount(r, "LineAmount", amt, 2);
	sb_jset_str(r, "AccountCode", sb_jstr(a->obj, "Code"));
	sb_jcopy(r, a->obj, "AccountID");
	sb_jset_str(r, "TaxType", tax ? tax : "NONE");
	sb_jset_amount(r, "TaxAmount", taxamt, 2);
	json_object_object_add(r, "Tracking",
	                       json_object_object_get(l, "Tracking")
	                           ? json_object_get(json_object_object_get(l, "Tracking"))
	                           : json_object_new_array());
	json_object_object_add(r, "IsBlank", json_object_new_boolean(0));
	json_object_array_add(res, r);
	return BS_OK;
}

/* JournalLines into *res (caller owns it, also on failure), balanced. */
static int journal_lines(struct sb_txn *t, json_object *in, const char *lat, json_object **res,
                         struct sb_errs *errs)
{
	json_object *lines = json_object_object_get(in, "JournalLines");
	int64_t debit = 0, credit = 0;

	if (lines != NULL && !json_object_is_type(lines, json_type_array)) {
		sb_err(errs, "JournalLines must be an array");
		return BS_EINVAL;
	}
	*res = json_object_new_array();
	for (size_t i = 0; lines != NULL && i < json_object_array_length(lines); i++)
		if (journal_line(t, json_object_array_get_idx(lines, i), lat, *res, &debit, &credit,
		                 errs) != BS_OK)
			return BS_EINVAL;
	if (debit + credit != 0) {
		char a1[40], a2[40];

		sb_fmt_amount(a1, sizeof(a1), debit, 2);
		sb_fmt_amount(a2, sizeof(a2), credit, 2);
		sb_err(errs, "The total debits (%s) must equal total credits (%s)", a1, a2);
		return BS_EINVAL;
	}
	return BS_OK;
}

int sb_build_journal(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs)
{
	const char *st, *lat = sb_jstr(in, "LineAmountTypes");
	json_object *o, *res = NULL;
	int64_t date;
	char id[40];

	if (journal_status(in, old, &st, errs) != BS_OK)
		return BS_EINVAL;
	if (lat == NULL)
		lat = "NoTax";
	if (sb_get_date(in, "Date", sb_today_ms(t), &date, errs) == BS_EINVAL)
		return BS_EINVAL;
	if (journal_lines(t, in, lat, &res, errs) != BS_OK ||
	    (strcmp(st, "DELETED") != 0 && sb_lock_check(t, date, errs) != BS_OK)) {
		json_object_put(res);
		return BS_EINVAL;
	}
	o = json_object_new_object();
	sb_doc_id(old, id);
	sb_jset_str(o, "ManualJournalID", id);
	sb_jset_str(o, "Narration", sb_jstr(in, "Narration"));
	sb_jset_date(o, "Date", "DateString", date);
	sb_jset_str(o, "Status", st);
	sb_jset_str(o, "LineAmountTypes", lat);
	json_object_object_add(o, "JournalLines", res);
	json_object_object_add(
	    o, "ShowOnCashBasisReports",
	    json_object_new_boolean(sb_jbool(in, "ShowOnCashBasisReports", true)));
	sb_jcopy(o, in, "Url");
	json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	*out = o;
	return BS_OK;
}
