/*
 * sb_doc_payment.c - Payments on AUTHORISED invoices and credit notes, to
 * a BANK account (or one that takes payments), at most the amount due;
 * the document becomes PAID at zero due.  The only change Xero allows is
 * Status DELETED, which reverses the payment.
 */
#include "sandbox/sb_doc_int.h"

#include <string.h>

/* What a new payment is checked into. */
struct pay {
	struct sb_doc *target, *acct; /* the invoice or credit note; the account */
	int kind;                     /* SBK_INVOICES or SBK_CREDITNOTES */
	int64_t amount, date, rate;
};

/* Status DELETED on an AUTHORISED payment reverses it on its document. */
static int payment_delete(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                          json_object **out, struct sb_errs *errs)
{
	const char *st = sb_jstr(in, "Status"), *ost = sb_jstr(old->obj, "Status");
	json_object *tref = json_object_object_get(old->obj, "Invoice"), *o = NULL;
	int kind = tref ? SBK_INVOICES : SBK_CREDITNOTES;
	struct sb_doc *target;

	if (st == NULL || strcmp(st, "DELETED") != 0 || strcmp(ost, "AUTHORISED") != 0) {
		sb_err(errs, "Payment not of valid status for modification: a payment can only "
		             "be deleted (Status DELETED)");
		return BS_EINVAL;
	}
	if (tref == NULL)
		tref = json_object_object_get(old->obj, "CreditNote");
	target = sb_find(t->tn, kind,
	                 sb_jstr(tref, kind == SBK_INVOICES ? "InvoiceID" : "CreditNoteID"));
	if (target != NULL && sb_unapply(t, kind, target, sb_jamount(old->obj, "Amount"),
	                                 "AmountPaid", "Payments", "PaymentID", old->id) != BS_OK)
		return BS_ENOMEM;
	if (json_object_deep_copy(old->obj, &o, NULL) != 0)
		return BS_ENOMEM;
	sb_jset_str(o, "Status", "DELETED");
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	*out = o;
	return BS_OK;
}

/* The AUTHORISED invoice or credit note the payment is for. */
static int payment_target(struct sb_txn *t, json_object *in, struct pay *p, struct sb_errs *errs)
{
	struct sb_doc *inv = sb_find_doc_ref(t, json_object_object_get(in, "Invoice"), SBK_INVOICES,
	                                     "InvoiceID", "InvoiceNumber");
	struct sb_doc *cn = sb_find_doc_ref(t, json_object_object_get(in, "CreditNote"),
	                                    SBK_CREDITNOTES, "CreditNoteID", "CreditNoteNumber");
	const char *st;

	if (inv == NULL && cn == NULL) {
		sb_err(errs,
		       json_object_object_get(in, "Invoice") ||
		               json_object_object_get(in, "CreditNote")
		           ? "The document this payment is for could not be found"
		           : "You must specify either an Invoice or a CreditNote for this payment");
		return BS_EINVAL;
	}
	p->target = inv ? inv : cn;
	p->kind = inv ? SBK_INVOICES : SBK_CREDITNOTES;
	st = sb_jstr(p->target->obj, "Status");
	if (strcmp(st, "AUTHORISED") != 0) {
		sb_err(errs,
		       "Payments can only be made against AUTHORISED documents (this one is %s)",
		       st);
		return BS_EINVAL;
	}
	return BS_OK;
}

/* Account, Amount (at most what is due), Date (not locked), CurrencyRate
 * (the document's by default). */
static int payment_terms(struct sb_txn *t, json_object *in, struct pay *p, struct sb_errs *errs)
{
	json_object *target = p->target->obj;
	int64_t due;

	p->acct = sb_find_account(t, json_object_object_get(in, "Account"));
	if (p->acct == NULL || !(strcmp(sb_jstr(p->acct->obj, "Type"), "BANK") == 0 ||
	                         sb_jbool(p->acct->obj, "EnablePaymentsToAccount", false))) {
		sb_err(errs, "Account must be valid.");
		return BS_EINVAL;
	}
	if (sb_parse_amount(t, json_object_object_get(in, "Amount"),
	                    sb_cur_dp(sb_jstr(target, "CurrencyCode")), &p->amount) != BS_OK ||
	    p->amount <= 0) {
		sb_err(errs, "Payment amount must be a positive number");
		return BS_EINVAL;
	}
	due = sb_jamount(target, p->kind == SBK_INVOICES ? "AmountDue" : "RemainingCredit");
	if (p->amount > due) {
		char a1[40], a2[40];

		sb_fmt_amount(a1, sizeof(a1), p->amount, 2);
		sb_fmt_amount(a2, sizeof(a2), due, 2);
		sb_err(errs,
		       "Payment amount (%s) exceeds the amount outstanding on this document (%s)",
		       a1, a2);
		return BS_EINVAL;
	}
	if (sb_get_date(in, "Date", sb_today_ms(t), &p->date, errs) == BS_EINVAL ||
	    sb_lock_check(t, p->date, errs) != BS_OK)
		return BS_EINVAL;
	p->rate = MONEY_SCALE;
	if (json_object_object_get(in, "CurrencyRate") == NULL) {
		sb_jdec(json_object_object_get(target, "CurrencyRate"), MONEY_DP, MONEY_DP,
		        &p->rate);
	} else if (sb_jdec(json_object_object_get(in, "CurrencyRate"), MONEY_DP, MONEY_DP,
	                   &p->rate) != BS_OK ||
	           p->rate <= 0) {
		sb_err(errs, "CurrencyRate must be a positive number");
		return BS_EINVAL;
	}
	return BS_OK;
}

/* The stored payment. */
static json_object *payment_json(struct sb_txn *t, json_object *in, const struct pay *p,
                                 const char *id)
{
	json_object *o = json_object_new_object(), *a, *r;
	const char *ty = sb_jstr(p->target->obj, "Type");
	bool inv = p->kind == SBK_INVOICES;

	sb_jset_str(o, "PaymentID", id);
	sb_jset_date(o, "Date", NULL, p->date);
	sb_jset_amount(o, "Amount", p->amount, 2);
	sb_jset_amount(o, "BankAmount", p->amount, 2);
	sb_jcopy(o, in, "Reference");
	json_object_object_add(o, "CurrencyRate", sb_jdec_json(p->rate, MONEY_DP, 6));
	sb_jset_str(o, "PaymentType",
	            strcmp(ty, "ACCREC") == 0         ? "ACCRECPAYMENT"
	            : strcmp(ty, "ACCPAY") == 0       ? "ACCPAYPAYMENT"
	            : strcmp(ty, "ACCRECCREDIT") == 0 ? "ARCREDITPAYMENT"
	                                              : "APCREDITPAYMENT");
	sb_jset_str(o, "Status", "AUTHORISED");
	json_object_object_add(o, "IsReconciled",
	                       json_object_new_boolean(sb_jbool(in, "IsReconciled", false)));
	json_object_object_add(o, "HasAccount", json_object_new_boolean(1));
	json_object_object_add(o, "HasValidationErrors", json_object_new_boolean(0));
	a = json_object_new_object();
	sb_jcopy(a, p->acct->obj, "AccountID");
	sb_jcopy(a, p->acct->obj, "Code");
	json_object_object_add(o, "Account", a);
	r = sb_doc_ref(p->target, inv ? "InvoiceID" : "CreditNoteID",
	               inv ? "InvoiceNumber" : "CreditNoteNumber");
	sb_jcopy(r, p->target->obj, "Type");
	sb_jcopy(r, p->target->obj, "Contact");
	sb_jcopy(r, p->target->obj, "CurrencyCode");
	json_object_object_add(o, inv ? "Invoice" : "CreditNote", r);
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	return o;
}

int sb_build_payment(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs)
{
	struct pay p;
	json_object *o, *entry;
	char id[40];

	if (old != NULL)
		return payment_delete(t, in, old, out, errs);
	memset(&p, 0, sizeof(p));
	if (payment_target(t, in, &p, errs) != BS_OK || payment_terms(t, in, &p, errs) != BS_OK)
		return BS_EINVAL;
	sb_uuid(id);
	o = payment_json(t, in, &p, id);
	/* the document's Payments list */
	entry = json_object_new_object();
	sb_jset_str(entry, "PaymentID", id);
	sb_jset_date(entry, "Date", NULL, p.date);
	sb_jset_amount(entry, "Amount", p.amount, 2);
	sb_jcopy(entry, in, "Reference");
	json_object_object_add(entry, "CurrencyRate", sb_jdec_json(p.rate, MONEY_DP, 6));
	if (sb_apply_to_doc(t, p.kind, p.target, p.amount, "Payments", entry, "AmountPaid",
	                    p.date) != BS_OK) {
		json_object_put(o);
		return BS_ENOMEM;
	}
	*out = o;
	return BS_OK;
}
