/*
 * plan_purchase.c - purchases (docs/mapping-xero.md): an open one is a PurchaseOrder,
 * a billed one an ACCPAY Invoice (a bill); a bill for a posted purchase
 * order goes out, then marks the order BILLED.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"
#include "core/jsonw.h"

/*
 * Posted = linked to any ledger document, bill or purchase order; "as PO"
 * while no bill exists yet, so the order is marked billed once, with the
 * bill.  Whether it can be billed yet is the rules' to say.
 */
static void purchase_facts(struct planner *p, const struct plan_item *it, struct rules_facts *f,
                           struct plan_depbufs *db)
{
	bool po = plan_linked(p, it->kind, it->id, "PurchaseOrder");

	(void)db;
	f->posted_as_po = po && !f->posted;
	f->posted = f->posted || po;
	f->has_supplier_invoice_no = jsonr_str(it->o, "supplier_invoice_no") != NULL;
	f->has_invoice_date = jsonr_str(it->o, "invoice_date") != NULL;
}

static int build_purchase(struct planner *p, const struct plan_item *it,
                          const struct rules_decision *d, const char **type, const char **op)
{
	int rc;

	if (d->action == RULES_ACT_PURCHASE_ORDER) {
		*type = "PurchaseOrder";
		*op = plan_linked(p, it->kind, it->id, *type) ? "update" : "create";
		return plan_build_document(p, it, *type, true, *op);
	}
	*op = plan_linked(p, it->kind, it->id, "Invoice") ? "update" : "create";
	rc = plan_build_document(p, it, "Invoice", true, *op);
	if (rc == BS_OK && d->action == RULES_ACT_BILL_FROM_PO) {
		/* the bill goes out, then its purchase order is marked billed */
		if ((rc = plan_doc_emit(p, "Invoice", *op)) != BS_OK)
			return rc;
		rc = plan_doc_begin(p, "PurchaseOrder", "status", it->kind, it->id, NULL);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 1, "status", "BILLED");
		*type = "PurchaseOrder";
		*op = "status";
	}
	return rc;
}

const struct plan_kind plan_kind_purchase = {
    .kind = RECORD_PURCHASE,
    .ledger_type = "Invoice",
    .facts = purchase_facts,
    .build = build_purchase,
};
