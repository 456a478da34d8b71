/*
 * plan_item.c - products: an Item each, with its sales and purchase
 * accounts.  (Lines carry no ItemCode: README "Decisions".)
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"
#include "core/jsonw.h"

#include <string.h>

static int build_item(struct planner *p, const struct plan_item *it, const struct rules_decision *d,
                      const char **type, const char **op)
{
	struct json_object *o = it->o;
	const char *name = jsonr_str(o, "name") ? jsonr_str(o, "name") : jsonr_str(o, "sku");
	size_t nb = 0;
	bool cut = false;
	int rc = plan_doc_begin(p, "Item", *op, RECORD_PRODUCT, it->id, NULL);

	(void)d;
	(void)type;
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "code", jsonr_str(o, "sku"));
	/* Item.Name is at most 50 characters in Xero (docs/mapping-xero.md §6) */
	if (rc == BS_OK && name != NULL &&
	    rules_utf8_prefix(name, strlen(name), 50, &nb, &cut) == BS_OK) {
		rc = buf_addstr(&p->s.doc, ",\"name\":");
		if (rc == BS_OK)
			rc = jsonw_strn(&p->s.doc, name, nb);
	}
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "description", jsonr_str(o, "name"));
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "sales_account", jsonr_str(o, "sales_account"));
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "purchase_account", jsonr_str(o, "purchase_account"));
	/* a ledger whose items must name an income account (QBO) takes the
	 * default sales account when the product names none; Xero ignores it */
	if (rc == BS_OK && jsonr_str(o, "sales_account") == NULL &&
	    p->ctx.set[PLAN_S_SALES].len > 0)
		rc = jsonw_kv_str(&p->s.doc, 1, "default_sales_account", plan_sv(p, PLAN_S_SALES));
	return rc;
}

const struct plan_kind plan_kind_product = {
    .kind = RECORD_PRODUCT,
    .ledger_type = "Item",
    .build = build_item,
};
