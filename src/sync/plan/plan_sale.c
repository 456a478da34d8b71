/*
 * plan_sale.c - sales: an ACCREC Invoice, numbered with the unique
 * reference (docs/mapping-xero.md); a sale voided after posting voids its invoice.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"

static int build_sale(struct planner *p, const struct plan_item *it, const struct rules_decision *d,
                      const char **type, const char **op)
{
	(void)type;
	if (d->action == RULES_ACT_VOID) {
		*op = "void";
		return plan_doc_begin(p, "Invoice", "void", it->kind, it->id,
		                      jsonr_str(it->o, "date"));
	}
	return plan_build_document(p, it, "Invoice", false, *op);
}

const struct plan_kind plan_kind_sale = {
    .kind = RECORD_SALE,
    .ledger_type = "Invoice",
    .build = build_sale,
};
