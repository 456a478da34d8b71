/*
 * plan_money_task.c - money tasks: a BankTransaction, received or spent,
 * on the record's contact or the money_task_contact setting's name.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"
#include "core/jsonw.h"

#include <string.h>

/* Its lines take their tax codes and accounts like a document's lines, in
 * the direction of the money (spend: purchases). */
static int build_money_task(struct planner *p, const struct plan_item *it,
                            const struct rules_decision *d, const char **type, const char **op)
{
	const char *id = it->id;
	struct json_object *o = it->o;
	struct json_object *lines = plan_jarr(o, "lines");
	size_t n = lines ? json_object_array_length(lines) : 0;
	const char *dir = jsonr_str(o, "direction"), *mode = jsonr_str(o, "tax_mode");
	enum rules_direction rd =
	    dir != NULL && strcmp(dir, "spend") == 0 ? RULES_PURCHASES : RULES_SALES;
	int rc = plan_check_lock(p, jsonr_str(o, "date"));

	(void)d;
	(void)type;
	(void)op;
	if (rc == BS_OK)
		rc = plan_doc_begin(p, "BankTransaction", "create", RECORD_MONEY_TASK, id,
		                    jsonr_str(o, "date"));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "direction", dir ? dir : "receive");
	if (rc == BS_OK) {
		const char *c = jsonr_str(o, "contact_id");

		if (c != NULL)
			rc = plan_put_sym(p, "contact", "Contact", plan_contact_kind(p, c), c);
		else
			rc = jsonw_kv_str(&p->s.doc, 1, "contact_name",
			                  plan_sv(p, PLAN_S_MTCONTACT));
	}
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "bank_account",
		                  jsonr_str(o, "bank_account") ? jsonr_str(o, "bank_account")
		                                               : plan_sv(p, PLAN_S_BANK));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "reference", id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "amounts", mode ? mode : "exclusive");
	if (rc == BS_OK)
		rc = buf_addstr(&p->s.doc, ",\"lines\":[");
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);
		const char *tax = NULL, *acct = NULL;

		rc = plan_tax_code(p, plan_jfixed(l, "tax_rate", PCT_DP), rd, &tax);
		if (rc == BS_OK)
			rc = plan_account_code(p, jsonr_str(l, "account"),
			                       rd == RULES_SALES ? PLAN_S_SALES : PLAN_S_PURCHASES,
			                       rd, &acct);
		if (rc == BS_OK)
			rc = buf_addstr(&p->s.doc, i ? ",{" : "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 0, "description",
			                  jsonr_str(l, "description") ? jsonr_str(l, "description")
			                                              : "Money task");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 1, "account", acct);
		if (rc == BS_OK)
			rc = plan_put_dec(&p->s.doc, "amount", plan_jfixed(l, "amount", MONEY_DP),
			                  MONEY_DP, 2);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 1, "tax_type", tax);
		if (rc == BS_OK)
			rc = buf_addc(&p->s.doc, '}');
	}
	if (rc == BS_OK)
		rc = buf_addc(&p->s.doc, ']');
	return rc;
}

const struct plan_kind plan_kind_money_task = {
    .kind = RECORD_MONEY_TASK,
    .ledger_type = "BankTransaction",
    .build = build_money_task,
};
