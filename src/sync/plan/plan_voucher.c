/*
 * plan_voucher.c - gift vouchers: a sale or expiry of a voucher is a
 * manual journal on the liability account (account.gift_voucher), a
 * redemption a Payment from that account on the sale's invoice.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"

#include <stdio.h>
#include <string.h>

/* Which document the record is linked by: its event decides. */
static const char *voucher_type(struct json_object *o)
{
	const char *ev = jsonr_str(o, "event");

	return ev != NULL && strcmp(ev, "redeemed") == 0 ? "Payment" : "ManualJournal";
}

/* Sold or expired: a journal in base currency; redeemed: a payment. */
static int build_gift_voucher(struct planner *p, const struct plan_item *it,
                              const struct rules_decision *d, const char **type, const char **op)
{
	const char *id = it->id;
	struct json_object *o = it->o;
	const char *ev = jsonr_str(o, "event"), *code = jsonr_str(o, "code");
	int64_t amount = plan_jfixed(o, "amount", MONEY_DP);
	const char *cur = jsonr_str(o, "currency"), *fx = jsonr_str(o, "fx_rate");
	struct plan_jline jl[2];
	char nar[300];

	(void)d;
	(void)op;
	if (p->ctx.set[PLAN_S_GIFT].len == 0)
		return bs_error_set(p->err, BS_EINVAL,
		                    "no gift voucher liability account: set account.gift_voucher");
	if (ev != NULL && strcmp(ev, "redeemed") == 0) {
		*type = "Payment";
		return plan_build_payment_doc(p, RECORD_GIFT_VOUCHER, id, o, "Invoice", RECORD_SALE,
		                              jsonr_str(o, "sale_id"), plan_sv(p, PLAN_S_GIFT),
		                              amount);
	}
	*type = "ManualJournal";
	if (cur != NULL && fx != NULL && strcmp(cur, plan_sv(p, PLAN_S_BASE)) != 0) {
		int64_t fxv = 0;

		if (money_parse_fx(fx, strlen(fx), &fxv) == BS_OK)
			money_convert(amount, fxv, p->ctx.base_dp, MONEY_HALF_AWAY, &amount);
	}
	if (ev != NULL && strcmp(ev, "expired") == 0) {
		jl[0] = (struct plan_jline){plan_sv(p, PLAN_S_GIFT), amount, NULL};
		jl[1] = (struct plan_jline){plan_sv(p, PLAN_S_BREAKAGE), -amount, NULL};
	} else {
		jl[0] = (struct plan_jline){plan_sv(p, PLAN_S_BANK), amount, NULL};
		jl[1] = (struct plan_jline){plan_sv(p, PLAN_S_GIFT), -amount, NULL};
	}
	snprintf(nar, sizeof(nar), "Gift voucher %s %s", code ? code : id, ev ? ev : "sold");
	return plan_build_journal(p, RECORD_GIFT_VOUCHER, id, jsonr_str(o, "date"), nar, jl, 2);
}

/* Nothing depends on a voucher: its ledger type only stands in for
 * voucher_type, and is what the planner has always said ("Invoice"). */
const struct plan_kind plan_kind_gift_voucher = {
    .kind = RECORD_GIFT_VOUCHER,
    .ledger_type = "Invoice",
    .self_type = voucher_type,
    .build = build_gift_voucher,
};
