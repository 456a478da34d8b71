/*
 * plan_payment.c - payments: a Payment on the sale's or bill's invoice, or
 * a refund paid out of a credit note.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"

static int build_payment(struct planner *p, const struct plan_item *it,
                         const struct rules_decision *d, const char **type, const char **op)
{
	struct json_object *o = it->o;
	const char *acct =
	    jsonr_str(o, "account") ? jsonr_str(o, "account") : plan_sv(p, PLAN_S_BANK);
	int64_t amount = plan_jfixed(o, "amount", MONEY_DP);

	(void)d;
	(void)type;
	(void)op;
	if (jsonr_str(o, "credit_note_id") != NULL)
		return plan_build_payment_doc(p, RECORD_PAYMENT, it->id, o, "CreditNote",
		                              RECORD_CREDIT_NOTE, jsonr_str(o, "credit_note_id"),
		                              acct, amount);
	if (jsonr_bool(o, "is_refund"))
		return bs_error_set(p->err, BS_EINVAL,
		                    "a refund must name the credit note it pays out "
		                    "(credit_note_id): a ledger takes no negative payment on an "
		                    "invoice");
	if (jsonr_str(o, "purchase_id") != NULL)
		return plan_build_payment_doc(p, RECORD_PAYMENT, it->id, o, "Invoice",
		                              RECORD_PURCHASE, jsonr_str(o, "purchase_id"), acct,
		                              amount);
	return plan_build_payment_doc(p, RECORD_PAYMENT, it->id, o, "Invoice", RECORD_SALE,
	                              jsonr_str(o, "sale_id"), acct, amount);
}

const struct plan_kind plan_kind_payment = {
    .kind = RECORD_PAYMENT,
    .ledger_type = "Payment",
    .build = build_payment,
};
