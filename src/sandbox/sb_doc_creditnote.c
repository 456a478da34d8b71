/*
 * sb_doc_creditnote.c - CreditNotes (ACCRECCREDIT, ACCPAYCREDIT): numbered
 * CN-0001 on, numbers unique among ACCRECCREDIT only, RemainingCredit;
 * and their allocations to invoices of the same side, contact and currency
 * (PUT /CreditNotes/{id}/Allocations, DELETE .../Allocations/{id}).
 */
#include "sandbox/sb_doc_int.h"

#include <string.h>
#include <strings.h>

static const struct sb_doc_spec creditnote_spec = {
    .kind = SBK_CREDITNOTES,
    .noun = "Credit Note",
    .types = {"ACCRECCREDIT", "ACCPAYCREDIT", NULL},
    .num_field = "CreditNoteNumber",
    .num_prefix = "CN-",
    .num_unique_type = "ACCRECCREDIT",
    .dup_msg = "Credit Note # must be unique.",
    .dflt_status = "DRAFT",
    .statuses = {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED", "VOIDED", NULL},
    .due_field = "DueDate",
    .due_string = "DueDateString",
    .credit = true,
    .lockable = true,
};

int sb_build_creditnote(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                        json_object **out, struct sb_errs *errs)
{
	return sb_build_txn_doc(t, &creditnote_spec, in, old, out, errs);
}

/* May credit note cn give `amount` of the element `in` to invoice *inv?
 * Same side, contact and currency, both AUTHORISED, within the credit
 * left and the amount due, not in a locked period. */
static int alloc_check(struct sb_txn *t, const struct sb_doc *cn, json_object *in,
                       struct sb_doc **inv, int64_t *amount, int64_t *date, struct sb_errs *errs)
{
	const char *cty = sb_jstr(cn->obj, "Type"), *ity, *cc, *ic;
	json_object *io;

	*inv = sb_find_doc_ref(t, json_object_object_get(in, "Invoice"), SBK_INVOICES, "InvoiceID",
	                       "InvoiceNumber");
	if (*inv == NULL) {
		sb_err(errs, "The invoice to allocate to could not be found");
		return BS_EINVAL;
	}
	io = (*inv)->obj;
	ity = sb_jstr(io, "Type");
	if ((strcmp(cty, "ACCRECCREDIT") == 0) != (strcmp(ity, "ACCREC") == 0)) {
		sb_err(errs, "A %s credit note cannot be allocated to an %s invoice", cty, ity);
		return BS_EINVAL;
	}
	cc = sb_jstr(json_object_object_get(cn->obj, "Contact"), "ContactID");
	ic = sb_jstr(json_object_object_get(io, "Contact"), "ContactID");
	if (cc == NULL || ic == NULL || strcmp(cc, ic) != 0) {
		sb_err(errs, "The credit note and the invoice must belong to the same contact");
		return BS_EINVAL;
	}
	if (strcmp(sb_jstr(cn->obj, "Status"), "AUTHORISED") != 0 ||
	    strcmp(sb_jstr(io, "Status"), "AUTHORISED") != 0) {
		sb_err(errs,
		       "Allocations need an AUTHORISED credit note and an AUTHORISED invoice");
		return BS_EINVAL;
	}
	if (strcmp(sb_jstr(cn->obj, "CurrencyCode"), sb_jstr(io, "CurrencyCode")) != 0) {
		sb_err(errs, "The credit note and the invoice must be in the same currency");
		return BS_EINVAL;
	}
	if (sb_parse_amount(t, json_object_object_get(in, "Amount"),
	                    sb_cur_dp(sb_jstr(io, "CurrencyCode")), amount) != BS_OK ||
	    *amount <= 0) {
		sb_err(errs, "Amount must be a positive number");
		return BS_EINVAL;
	}
	if (*amount > sb_jamount(cn->obj, "RemainingCredit") ||
	    *amount > sb_jamount(io, "AmountDue")) {
		sb_err(errs,
		       "The amount allocated cannot exceed the credit note's remaining credit "
		       "or the invoice's amount due");
		return BS_EINVAL;
	}
	if (sb_get_date(in, "Date", sb_today_ms(t), date, errs) == BS_EINVAL ||
	    sb_lock_check(t, *date, errs) != BS_OK)
		return BS_EINVAL;
	return BS_OK;
}

/* An allocation: {AllocationID, Amount, Date, Invoice {InvoiceID, InvoiceNumber}}. */
static json_object *alloc_json(const char *id, int64_t amount, int64_t date,
                               const struct sb_doc *inv)
{
	json_object *o = json_object_new_object();

	sb_jset_str(o, "AllocationID", id);
	sb_jset_amount(o, "Amount", amount, 2);
	sb_jset_date(o, "Date", NULL, date);
	json_object_object_add(o, "Invoice", sb_doc_ref(inv, "InvoiceID", "InvoiceNumber"));
	return o;
}

int sb_allocate(struct sb_txn *t, struct sb_doc *cn, json_object *in, json_object **out,
                struct sb_errs *errs)
{
	struct sb_doc *inv;
	int64_t amount, date;
	json_object *o, *entry;
	char id[40];

	if (!json_object_is_type(in, json_type_object)) {
		sb_err(errs, "An allocation must be an object");
		return BS_EINVAL;
	}
	if (alloc_check(t, cn, in, &inv, &amount, &date, errs) != BS_OK)
		return BS_EINVAL;
	sb_uuid(id);
	/* the invoice's CreditNotes list */
	entry = sb_doc_ref(cn, "CreditNoteID", "CreditNoteNumber");
	sb_jset_amount(entry, "AppliedAmount", amount, 2);
	sb_jcopy(entry, cn->obj, "Total");
	if (sb_apply_to_doc(t, SBK_INVOICES, inv, amount, "CreditNotes", entry, "AmountCredited",
	                    date) != BS_OK)
		return BS_ENOMEM;
	/* the credit note's Allocations list */
	entry = alloc_json(id, amount, date, inv);
	if (sb_apply_to_doc(t, SBK_CREDITNOTES, cn, amount, "Allocations", entry, NULL, date) !=
	    BS_OK)
		return BS_ENOMEM;
	o = alloc_json(id, amount, date, inv);
	json_object_object_add(o, "CreditNote", sb_doc_ref(cn, "CreditNoteID", "CreditNoteNumber"));
	*out = o;
	return BS_OK;
}

int sb_unallocate(struct sb_txn *t, struct sb_doc *cn, const char *alloc_id, json_object **out)
{
	json_object *arr = json_object_object_get(cn->obj, "Allocations"), *al = NULL;
	struct sb_doc *inv;
	int64_t amount;
	const char *iid;

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *id = sb_jstr(e, "AllocationID");

		if (id && strcasecmp(id, alloc_id) == 0)
			al = e;
	}
	if (al == NULL)
		return BS_ENOTFOUND;
	amount = sb_jamount(al, "Amount");
	iid = sb_jstr(json_object_object_get(al, "Invoice"), "InvoiceID");
	inv = iid ? sb_find(t->tn, SBK_INVOICES, iid) : NULL;
	*out = json_object_new_object();
	sb_jcopy(*out, al, "AllocationID");
	sb_jcopy(*out, al, "Amount");
	sb_jcopy(*out, al, "Date");
	sb_jcopy(*out, al, "Invoice");
	json_object_object_add(*out, "CreditNote",
	                       sb_doc_ref(cn, "CreditNoteID", "CreditNoteNumber"));
	json_object_object_add(*out, "IsDeleted", json_object_new_boolean(1));
	if (inv != NULL && sb_unapply(t, SBK_INVOICES, inv, amount, "AmountCredited", "CreditNotes",
	                              "CreditNoteID", cn->id) != BS_OK)
		return BS_ENOMEM;
	return sb_unapply(t, SBK_CREDITNOTES, cn, amount, NULL, "Allocations", "AllocationID",
	                  alloc_id);
}
