/*
 * plan_contact.c - customers and suppliers: a Contact each.
 *
 * Contacts have no dependencies; they go first, and a document's pending
 * contacts are pulled into any sync that needs them (plan.c).
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"

/* A Contact: name, email, phone, tax number, currency and address. */
static int build_contact(struct planner *p, const struct plan_item *it,
                         const struct rules_decision *d, const char **type, const char **op)
{
	struct json_object *o = it->o, *addr;
	int rc = plan_doc_begin(p, "Contact", *op, it->kind, it->id, NULL);

	(void)d;
	(void)type;
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "name", jsonr_str(o, "name"));
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "email", jsonr_str(o, "email"));
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "phone", jsonr_str(o, "phone"));
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "tax_number", jsonr_str(o, "tax_number"));
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "currency", jsonr_str(o, "currency"));
	if (rc == BS_OK && json_object_object_get_ex(o, "address", &addr) &&
	    json_object_is_type(addr, json_type_object)) {
		rc = buf_addstr(&p->s.doc, ",\"address\":");
		if (rc == BS_OK)
			rc = buf_addstr(&p->s.doc, json_object_to_json_string_ext(
			                               addr, JSON_C_TO_STRING_PLAIN));
	}
	return rc;
}

const struct plan_kind plan_kind_customer = {
    .kind = RECORD_CUSTOMER,
    .ledger_type = "Contact",
    .build = build_contact,
};

const struct plan_kind plan_kind_supplier = {
    .kind = RECORD_SUPPLIER,
    .ledger_type = "Contact",
    .build = build_contact,
};
