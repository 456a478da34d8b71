/*
 * sb_doc_po.c - PurchaseOrders: no Type, numbered PO-0001 on and unique,
 * a DeliveryDate instead of a DueDate, BILLED set by the client, may be
 * deleted whatever their status, not subject to lock dates (non-posting).
 */
#include "sandbox/sb_doc_int.h"

/* Delivery details pass through as sent. */
static int po_finish(struct sb_txn *t, json_object *in, const struct sb_doc *old, const char *type,
                     json_object *o, struct sb_errs *errs)
{
	static const char *const pass[] = {"DeliveryAddress", "AttentionTo", "Telephone",
	                                   "DeliveryInstructions"};

	(void)t;
	(void)old;
	(void)type;
	(void)errs;
	for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		sb_jcopy(o, in, pass[i]);
	return BS_OK;
}

static const struct sb_doc_spec po_spec = {
    .kind = SBK_PURCHASEORDERS,
    .noun = "Purchase Order",
    .types = {NULL},
    .num_field = "PurchaseOrderNumber",
    .num_prefix = "PO-",
    .num_unique_type = "",
    .dup_msg = "Order number must be unique",
    .dflt_status = "DRAFT",
    .statuses = {"DRAFT", "SUBMITTED", "AUTHORISED", "BILLED", "DELETED", NULL},
    .due_field = "DeliveryDate",
    .due_string = "DeliveryDateString",
    .delete_any = true,
    .finish = po_finish,
};

int sb_build_po(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                struct sb_errs *errs)
{
	return sb_build_txn_doc(t, &po_spec, in, old, out, errs);
}
