/*
 * sb_doc_item.c - Items: a unique Code of at most 30 characters, and
 * purchase / sales details whose accounts and tax types must exist.
 */
#include "sandbox/sb_doc_int.h"

#include <stdio.h>
#include <string.h>

/* PurchaseDetails / SalesDetails: a unit price, accounts and tax type that exist. */
static int item_details(struct sb_txn *t, json_object *in, const char *key, json_object *o,
                        struct sb_errs *errs)
{
	static const char *const accts[] = {"AccountCode", "COGSAccountCode"};
	json_object *d = json_object_object_get(in, key), *r, *v;
	const char *tax;
	int64_t price;

	if (d == NULL || !json_object_is_type(d, json_type_object))
		return BS_OK;
	r = json_object_new_object();
	if ((v = json_object_object_get(d, "UnitPrice")) != NULL) {
		if (sb_parse_amount(t, v, t->unitdp4 ? 4 : 2, &price) != BS_OK) {
			sb_err(errs, "%s.UnitPrice must be a number", key);
			goto fail;
		}
		sb_jset_amount(r, "UnitPrice", price, 2);
	}
	for (size_t i = 0; i < sizeof(accts) / sizeof(accts[0]); i++) {
		const char *acct = sb_jstr(d, accts[i]);

		if (acct == NULL || !*acct)
			continue;
		if (sb_find_num(t->tn, SBK_ACCOUNTS, acct) == NULL) {
			sb_err(errs, "Account must be valid.");
			goto fail;
		}
		sb_jset_str(r, accts[i], acct);
	}
	tax = sb_jstr(d, "TaxType");
	if (tax != NULL && *tax) {
		int64_t pct;

		if (sb_tax_rate_of(t, tax, &pct) != BS_OK) {
			sb_err(errs, "Tax rate must be valid.");
			goto fail;
		}
		sb_jset_str(r, "TaxType", tax);
	}
	json_object_object_add(o, key, r);
	return BS_OK;
fail:
	json_object_put(r);
	return BS_EINVAL;
}

int sb_build_item(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                  struct sb_errs *errs)
{
	const char *code = sb_jstr(in, "Code"), *name = sb_jstr(in, "Name");
	json_object *o;
	struct sb_doc *dup;
	char id[40];

	if (code == NULL || !*code) {
		sb_err(errs, "Item Code must be specified");
		return BS_EINVAL;
	}
	if (strlen(code) > 30) {
		sb_err(errs, "Item Code must be 30 characters or less");
		return BS_EINVAL;
	}
	if (name != NULL && strlen(name) > 50) {
		sb_err(errs, "Item Name must be 50 characters or less");
		return BS_EINVAL;
	}
	dup = sb_find_num(t->tn, SBK_ITEMS, code);
	if (dup != NULL && dup != old) {
		sb_err(errs, "Item code '%s' already exists", code);
		return BS_EINVAL;
	}
	o = json_object_new_object();
	sb_doc_id(old, id);
	sb_jset_str(o, "ItemID", id);
	sb_jset_str(o, "Code", code);
	if (name != NULL)
		sb_jset_str(o, "Name", name);
	sb_jcopy(o, in, "Description");
	sb_jcopy(o, in, "PurchaseDescription");
	sb_jcopy(o, in, "InventoryAssetAccountCode");
	if (item_details(t, in, "PurchaseDetails", o, errs) != BS_OK ||
	    item_details(t, in, "SalesDetails", o, errs) != BS_OK) {
		json_object_put(o);
		return BS_EINVAL;
	}
	json_object_object_add(
	    o, "IsTrackedAsInventory",
	    json_object_new_boolean(sb_jbool(in, "IsTrackedAsInventory", false)));
	json_object_object_add(o, "IsSold", json_object_new_boolean(sb_jbool(in, "IsSold", true)));
	json_object_object_add(o, "IsPurchased",
	                       json_object_new_boolean(sb_jbool(in, "IsPurchased", true)));
	sb_jset_date(o, "UpdatedDateUTC", NULL, t->now);
	*out = o;
	return BS_OK;
}
