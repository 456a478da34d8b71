/*
 * plan_credit_note.c - credit notes: a customer's (on sales) or a
 * supplier's (on purchases) CreditNote, priced like a sale either way.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"

static int build_credit_note(struct planner *p, const struct plan_item *it,
                             const struct rules_decision *d, const char **type, const char **op)
{
	(void)d;
	(void)type;
	return plan_build_document(p, it, "CreditNote", jsonr_str(it->o, "supplier_id") != NULL,
	                           *op);
}

const struct plan_kind plan_kind_credit_note = {
    .kind = RECORD_CREDIT_NOTE,
    .ledger_type = "CreditNote",
    .build = build_credit_note,
};
