/*
 * sb_doc_invoice.c - Invoices (ACCREC sales, ACCPAY bills): numbered
 * INV-0001 on, numbers unique among ACCREC only, payable (AmountDue, paid
 * and credited amounts), discounts on sales lines, SentToContact.
 */
#include "sandbox/sb_doc_int.h"

static int invoice_finish(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                          const char *type, json_object *o, struct sb_errs *errs)
{
	(void)t;
	(void)old;
	(void)type;
	(void)errs;
	json_object_object_add(o, "SentToContact",
	                       json_object_new_boolean(sb_jbool(in, "SentToContact", false)));
	return BS_OK;
}

static const struct sb_doc_spec invoice_spec = {
    .kind = SBK_INVOICES,
    .noun = "Invoice",
    .types = {"ACCREC", "ACCPAY", NULL},
    .num_field = "InvoiceNumber",
    .num_prefix = "INV-",
    .num_unique_type = "ACCREC",
    .dup_msg = "Invoice # must be unique.",
    .dflt_status = "DRAFT",
    .statuses = {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED", "VOIDED", NULL},
    .due_field = "DueDate",
    .due_string = "DueDateString",
    .payable = true,
    .lockable = true,
    .discounted = true,
    .finish = invoice_finish,
};

int sb_build_invoice(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs)
{
	return sb_build_txn_doc(t, &invoice_spec, in, old, out, errs);
}
