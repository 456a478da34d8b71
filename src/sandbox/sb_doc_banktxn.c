/*
 * sb_doc_banktxn.c - BankTransactions: RECEIVE and SPEND, and the
 * PREPAYMENT / OVERPAYMENT variants, which create the AUTHORISED
 * Prepayment or Overpayment they name (docs/mapping-xero.md §7); a BANK account is
 * required; they may be voided or deleted whatever their status.
 * Transfers are not supported.
 */
#include "sandbox/sb_doc_int.h"

#include <string.h>

static void banktxn_type_error(const char *type, struct sb_errs *errs)
{
	sb_err(errs, "Bank transaction type %s is not supported by the sandbox (transfers are not)",
	       type);
}

/* BankAccount: the AccountID or Code of a BANK account, stored first. */
static int banktxn_inputs(struct sb_txn *t, json_object *in, json_object *o, struct sb_errs *errs)
{
	struct sb_doc *a = sb_find_account(t, json_object_object_get(in, "BankAccount"));
	const char *aty = a ? sb_jstr(a->obj, "Type") : NULL;
	json_object *ba;

	if (a == NULL || aty == NULL || strcmp(aty, "BANK") != 0) {
		sb_err(errs, "A valid BankAccount (AccountID or Code of a BANK account) is "
		             "required");
		return BS_EINVAL;
	}
	ba = json_object_new_object();
	sb_jcopy(ba, a->obj, "AccountID");
	sb_jcopy(ba, a->obj, "Code");
	sb_jcopy(ba, a->obj, "Name");
	json_object_object_add(o, "BankAccount", ba);
	return BS_OK;
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
		sb_jcopy(bt, old->obj, idf);
		return BS_OK;
	}
	o = json_object_new_object();
	sb_uuid(id);
	sb_jset_str(o, idf, id);
	for (size_t i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
		sb_jcopy(o, bt, copy[i]);
	sb_jset_str(o, "Status", "AUTHORISED");
	sb_jcopy(o, bt, "Total");
	json_object_object_add(o, "RemainingCredit",
	                       json_object_get(json_object_object_get(bt, "Total")));
	json_object_object_add(o, "Allocations", json_object_new_array());
	json_object_object_add(o, "Payments", json_object_new_array());
	json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	sb_jset_str(bt, idf, id);
	return sb_put(t, pre ? SBK_PREPAYMENTS : SBK_OVERPAYMENTS, NULL, o, NULL);
}

static int banktxn_finish(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                          const char *type, json_object *o, struct sb_errs *errs)
{
	json_object_object_add(o, "IsReconciled",
	                       json_object_new_boolean(sb_jbool(in, "IsReconciled", false)));
	if (type != NULL && strstr(type, "PAYMENT") != NULL &&
	    prepayment_for(t, o, old, strstr(type, "PREPAYMENT") != NULL) != BS_OK) {
		sb_err(errs, "The prepayment or overpayment could not be created");
		return BS_EINVAL;
	}
	return BS_OK;
}

static const struct sb_doc_spec banktxn_spec = {
    .kind = SBK_BANKTRANSACTIONS,
    .noun = "Bank Transaction",
    .types = {"RECEIVE", "SPEND", "RECEIVE-PREPAYMENT", "SPEND-PREPAYMENT", "RECEIVE-OVERPAYMENT",
              "SPEND-OVERPAYMENT", NULL},
    .dflt_status = "AUTHORISED",
    .statuses = {"AUTHORISED", "DELETED", "VOIDED", NULL},
    .due_field = "DueDate",
    .due_string = "DueDateString",
    .lockable = true,
    .void_any = true,
    .delete_any = true,
    .type_error = banktxn_type_error,
    .inputs = banktxn_inputs,
    .finish = banktxn_finish,
};

int sb_build_banktxn(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs)
{
	return sb_build_txn_doc(t, &banktxn_spec, in, old, out, errs);
}
