/*
 * plan_journal.c - the kinds that post as manual journals: stock
 * adjustments (inventory against the adjustment account), COGS (inventory
 * to cost of goods sold, back for a return) and the source's own journals
 * (converted to base currency line by line, rules_journal_to_base).  Each
 * narration carries the record's identity: the journal's natural key.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each line: its cost into inventory, out of the adjustment account. */
static int build_adjustment(struct planner *p, const struct plan_item *it,
                            const struct rules_decision *d, const char **type, const char **op)
{
	const char *id = it->id;
	struct json_object *o = it->o;
	struct json_object *lines = plan_jarr(o, "lines");
	size_t n = lines ? json_object_array_length(lines) : 0;
	struct plan_jline *jl = calloc(2 * n + 1, sizeof(*jl));
	const char *ref = jsonr_str(o, "reference");
	char nar[300];
	int rc = BS_OK;

	(void)d;
	(void)type;
	(void)op;
	if (jl == NULL)
		return bs_error_set(p->err, BS_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && rc == BS_OK; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);
		int64_t amt = 0;

		rc = money_line_amount(plan_jfixed(l, "qty", QTY_DP),
		                       plan_jfixed(l, "unit_cost", MONEY_DP), 0, p->ctx.base_dp,
		                       MONEY_HALF_AWAY, &amt);
		jl[2 * i] =
		    (struct plan_jline){plan_sv(p, PLAN_S_INVENTORY), amt, jsonr_str(l, "sku")};
		jl[2 * i + 1] = (struct plan_jline){
		    jsonr_str(l, "account") ? jsonr_str(l, "account") : plan_sv(p, PLAN_S_ADJUST),
		    -amt, jsonr_str(l, "sku")};
	}
	snprintf(nar, sizeof(nar), "Stock adjustment %s", ref ? ref : id);
	if (rc == BS_OK)
		rc = plan_build_journal(p, RECORD_ADJUSTMENT, id, jsonr_str(o, "date"), nar, jl,
		                        2 * n);
	free(jl);
	return rc;
}

/* The lines' costs, at base currency decimals, as one amount. */
static int build_cogs(struct planner *p, const struct plan_item *it, const struct rules_decision *d,
                      const char **type, const char **op)
{
	const char *id = it->id;
	struct json_object *o = it->o;
	struct json_object *lines = plan_jarr(o, "lines");
	size_t n = lines ? json_object_array_length(lines) : 0;
	bool ret = jsonr_str(o, "credit_note_id") != NULL;
	int64_t total = 0;
	char nar[300];
	struct plan_jline jl[2];

	(void)d;
	(void)type;
	(void)op;
	for (size_t i = 0; i < n; i++)
		total += plan_round_base(
		    p, plan_jfixed(json_object_array_get_idx(lines, i), "cost", MONEY_DP));
	/* a sale moves cost from inventory to COGS; a return moves it back */
	jl[0] = (struct plan_jline){plan_sv(p, PLAN_S_COGS), ret ? -total : total, NULL};
	jl[1] = (struct plan_jline){plan_sv(p, PLAN_S_INVENTORY), ret ? total : -total, NULL};
	snprintf(nar, sizeof(nar), "COGS for %s %s", ret ? "credit note" : "sale",
	         ret ? jsonr_str(o, "credit_note_id") : jsonr_str(o, "sale_id"));
	return plan_build_journal(p, RECORD_COGS, id, jsonr_str(o, "date"), nar, jl, 2);
}

/* The source journal's lines, converted to base currency when foreign. */
static int build_source_journal(struct planner *p, const struct plan_item *it,
                                const struct rules_decision *d, const char **type, const char **op)
{
	const char *id = it->id;
	struct json_object *o = it->o;
	struct json_object *lines = plan_jarr(o, "lines");
	size_t n = lines ? json_object_array_length(lines) : 0;
	int64_t *amt = calloc(n + 1, sizeof(*amt)), *base = calloc(n + 1, sizeof(*base));
	struct plan_jline *jl = calloc(n + 1, sizeof(*jl));
	const char *cur = jsonr_str(o, "currency"), *fx = jsonr_str(o, "fx_rate");
	const char *ref = jsonr_str(o, "reference");
	char nar[300];
	int rc = BS_OK;

	(void)d;
	(void)type;
	(void)op;
	if (amt == NULL || base == NULL || jl == NULL) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);

		amt[i] = plan_jfixed(l, "debit", MONEY_DP) - plan_jfixed(l, "credit", MONEY_DP);
		jl[i].account = jsonr_str(l, "account");
		jl[i].description = jsonr_str(l, "description");
	}
	if (cur != NULL && fx != NULL && strcmp(cur, plan_sv(p, PLAN_S_BASE)) != 0) {
		int64_t fxv;

		rc = money_parse_fx(fx, strlen(fx), &fxv);
		if (rc == BS_OK)
			rc = rules_journal_to_base(amt, n, fxv, p->ctx.base_dp, base, p->err);
	} else {
		memcpy(base, amt, n * sizeof(*amt));
	}
	for (size_t i = 0; i < n; i++)
		jl[i].amount = base[i];
	snprintf(nar, sizeof(nar), "Journal %s", ref ? ref : id);
	if (rc == BS_OK)
		rc = plan_build_journal(p, RECORD_JOURNAL, id, jsonr_str(o, "date"), nar, jl, n);
out:
	free(amt);
	free(base);
	free(jl);
	return rc;
}

const struct plan_kind plan_kind_adjustment = {
    .kind = RECORD_ADJUSTMENT,
    .ledger_type = "ManualJournal",
    .build = build_adjustment,
};

const struct plan_kind plan_kind_cogs = {
    .kind = RECORD_COGS,
    .ledger_type = "ManualJournal",
    .build = build_cogs,
};

const struct plan_kind plan_kind_journal = {
    .kind = RECORD_JOURNAL,
    .ledger_type = "ManualJournal",
    .build = build_source_journal,
};
