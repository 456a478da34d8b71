/*
 * rules_eligibility.c - send, skip or wait: the per-kind eligibility rules.
 *
 * Order of checks inside a kind: first what the record itself makes
 * permanent (void, zero or negative totals, a disabled setting: SKIP), then
 * what the user must still do to the record (not invoiced, no supplier
 * invoice number: WAIT), then dependencies (WAIT until they are posted, or
 * SKIP when one of them was skipped, carrying its reason).  So a zero-total
 * sale is reported as "zero total", not as waiting for its customer.
 */
#include "rules/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *rules_verdict_name(enum rules_verdict v)
{
	switch (v) {
	case RULES_SEND:
		return "send";
	case RULES_SKIP:
		return "skip";
	case RULES_WAIT:
		return "wait";
	case RULES_FAIL:
		return "fail";
	}
	return "?";
}

static int decide(struct rules_decision *out, enum rules_verdict v, enum rules_action a,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int decide(struct rules_decision *out, enum rules_verdict v, enum rules_action a,
                  const char *fmt, ...)
{
	va_list ap;

	out->verdict = v;
	out->action = a;
	va_start(ap, fmt);
	/* Truncation of an over-long reason is acceptable: ids are <= 64 bytes
	 * and RULES_REASON_MAX leaves room for every fixed text. */
	(void)vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
	return BS_OK;
}

static int send(struct rules_decision *out, enum rules_action a)
{
	return decide(out, RULES_SEND, a, "%s", "");
}

/*
 * The first dependency not posted decides: a missing one waits to be
 * imported, a pending one to be synced, a skipped one skips this record
 * too (a payment on a skipped invoice can never post).  Returns true when
 * it decided.
 */
static bool gate_deps(const struct rules_facts *f, struct rules_decision *out)
{
	for (size_t i = 0; i < f->ndeps; i++) {
		const struct rules_dep *d = &f->deps[i];

		switch (d->state) {
		case RULES_DEP_POSTED:
			continue;
		case RULES_DEP_MISSING:
			decide(out, RULES_WAIT, RULES_ACT_NONE, "%s %s not imported yet", d->what,
			       d->id);
			return true;
		case RULES_DEP_PENDING:
			decide(out, RULES_WAIT, RULES_ACT_NONE, "%s %s not synced yet", d->what,
			       d->id);
			return true;
		case RULES_DEP_SKIPPED:
			if (d->skip_reason != NULL && d->skip_reason[0] != '\0')
				decide(out, RULES_SKIP, RULES_ACT_NONE, "%s %s was skipped: %s",
				       d->what, d->id, d->skip_reason);
			else
				decide(out, RULES_SKIP, RULES_ACT_NONE, "%s %s was skipped",
				       d->what, d->id);
			return true;
		}
	}
	return false;
}

static bool status_in(enum rules_status st, unsigned allowed)
{
	return (allowed & (1u << st)) != 0;
}

#define ST(x) (1u << RULES_ST_##x)

static int bad(const struct rules_facts *f, struct rules_decision *out, struct bs_error *err,
               const char *what)
{
	memset(out, 0, sizeof(*out));
	return bs_error_set(err, BS_EINVAL, "%s %s: %s", record_kind_name(f->kind),
	                    f->id != NULL ? f->id : "?", what);
}

/* Sales (docs/states-and-tabs.md "Eligibility") and customer / supplier credit notes. */
static int sale_like(const struct rules_facts *f, struct rules_decision *out, struct bs_error *err)
{
	bool is_sale = f->kind == RECORD_SALE;
	bool paid;

	if (!status_in(f->status, ST(NONE) | ST(OPEN) | ST(INVOICED) | ST(PAID) | ST(VOID)))
		return bad(f, out, err, "status not one of open, invoiced, paid, void");
	if (f->status == RULES_ST_VOID) {
		if (f->posted)
			return send(out, RULES_ACT_VOID);
		return decide(out, RULES_SKIP, RULES_ACT_NONE, "void before posting");
	}
	/* docs/states-and-tabs.md: a sales order syncs once it is invoiced. */
	if (is_sale && !f->invoiced && f->status != RULES_ST_INVOICED && f->status != RULES_ST_PAID)
		return decide(out, RULES_WAIT, RULES_ACT_NONE, "not invoiced yet");
	/* docs/states-and-tabs.md: refunds and overpayments are made by hand in both systems. */
	if (f->total < 0)
		return decide(out, RULES_SKIP, RULES_ACT_NONE,
		              "negative balance: create refunds manually");
	/* docs/states-and-tabs.md: $0 invoices do not sync unless paid.  A payment record on
	 * a zero invoice counts as "paid" too: the source says it was settled. */
	paid = f->status == RULES_ST_PAID || (f->npayments > 0 && f->amount_paid >= f->total);
	if (f->total == 0 && !(is_sale && paid))
		return decide(out, RULES_SKIP, RULES_ACT_NONE, "zero total");
	if (gate_deps(f, out))
		return BS_OK;
	return send(out, RULES_ACT_POST);
}

static int payment(const struct rules_facts *f, const struct rules_settings *s,
                   struct rules_decision *out, struct bs_error *err)
{
	if (f->ndeps == 0)
		return bad(f, out, err, "a payment needs the document it pays");
	if (s->disable_payment_sync)
		return decide(out, RULES_SKIP, RULES_ACT_NONE,
		              "payment sync is disabled in settings");
	if (f->amount <= 0)
		return decide(out, RULES_SKIP, RULES_ACT_NONE, "amount is zero or negative");
	if (gate_deps(f, out))
		return BS_OK;
	return send(out, RULES_ACT_POST);
}

/*
 * Purchases (docs/mapping-xero.md, docs/states-and-tabs.md "Purchase orders
 * and bills").  A billed purchase without a supplier invoice number or
 * invoice date cannot post, but it is not skipped: the fix is in the
 * source record (the user fills the field and the next version arrives),
 * so it WAITS with the reason, like a missing contact, and is re-planned by
 * itself when the new version comes.
 *
 * Where ledgers differ it is data in `s`: on a ledger that uploads open
 * purchases as purchase orders only when asked (po_opt_in_only), an open
 * one waits to be billed unless po_opt_in and it is unbilled; on one that
 * cannot bill a posted purchase order (po_not_billable), a billed purchase
 * already uploaded as one FAILS with what to do by hand, before anything
 * else: no field the source could fill would change that.
 */
static const char *lname(const struct rules_settings *s)
{
	return s->ledger_name != NULL && s->ledger_name[0] != '\0' ? s->ledger_name : "the ledger";
}

static int open_purchase(const struct rules_facts *f, const struct rules_settings *s,
                         struct rules_decision *out)
{
	/* A PO already posted is kept up to date even when PO sync has since
	 * been turned off: the ledger document exists. */
	if (!f->posted && s->disable_po_sync)
		return decide(out, RULES_SKIP, RULES_ACT_NONE,
		              "purchase order sync is disabled in settings");
	if (!f->posted && s->po_opt_in_only) {
		if (!s->po_opt_in)
			return decide(out, RULES_WAIT, RULES_ACT_NONE,
			              "not billed yet (purchase orders go to %s only with the "
			              "setting upload_po_as_qbo_po)",
			              lname(s));
		if (!rules_purchase_unbilled(f))
			return decide(out, RULES_WAIT, RULES_ACT_NONE,
			              "not billed yet, and no longer uploadable as a purchase "
			              "order: its invoice date, invoice number and dispatch date "
			              "must be empty");
	}
	if (gate_deps(f, out))
		return BS_OK;
	return send(out, RULES_ACT_PURCHASE_ORDER);
}

static int purchase(const struct rules_facts *f, const struct rules_settings *s,
                    struct rules_decision *out, struct bs_error *err)
{
	enum rules_status st = f->status;

	/* No status from the source: docs/mapping-xero.md calls a purchase unbilled while
	 * its invoice number and invoice date are empty, billed otherwise. */
	if (st == RULES_ST_NONE)
		st = f->has_supplier_invoice_no || f->has_invoice_date ? RULES_ST_BILLED
		                                                       : RULES_ST_OPEN;
	switch (st) {
	case RULES_ST_OPEN:
		return open_purchase(f, s, out);
	case RULES_ST_BILLED:
	case RULES_ST_FINISHED:
		if (f->posted_as_po && s->po_not_billable)
			return decide(out, RULES_FAIL, RULES_ACT_NONE,
			              "uploaded to %s as a purchase order, so it cannot sync as "
			              "a bill: create the bill by hand in %s and add the purchase "
			              "order to it",
			              lname(s), lname(s));
		if (f->accounting_imported)
			return decide(out, RULES_SKIP, RULES_ACT_NONE,
			              "Accounting Status is Imported: reset it for re-import to "
			              "sync it again");
		if (!f->has_supplier_invoice_no)
			return decide(out, RULES_WAIT, RULES_ACT_NONE,
			              "needs a supplier invoice number");
		if (!f->has_invoice_date)
			return decide(out, RULES_WAIT, RULES_ACT_NONE, "needs an invoice date");
		if (gate_deps(f, out))
			return BS_OK;
		return send(out,
		            f->posted && f->posted_as_po ? RULES_ACT_BILL_FROM_PO : RULES_ACT_BILL);
	default:
		return bad(f, out, err, "status not one of open, billed, finished");
	}
}

static int voucher_or_credit(const struct rules_facts *f, struct rules_decision *out,
                             struct bs_error *err)
{
	bool ok;

	if (f->kind == RECORD_GIFT_VOUCHER)
		ok = f->event == RULES_EV_SOLD || f->event == RULES_EV_REDEEMED ||
		     f->event == RULES_EV_EXPIRED;
	else
		ok = f->event == RULES_EV_ISSUED || f->event == RULES_EV_USED ||
		     f->event == RULES_EV_REFUNDED;
	if (!ok)
		return bad(f, out, err, "event not valid for this kind");
	if ((f->event == RULES_EV_REDEEMED || f->event == RULES_EV_USED ||
	     f->event == RULES_EV_REFUNDED) &&
	    f->ndeps == 0)
		return bad(f, out, err, "this event needs the document it applies to");
	if (f->amount <= 0)
		return decide(out, RULES_SKIP, RULES_ACT_NONE, "amount is zero or negative");
	if (gate_deps(f, out))
		return BS_OK;
	return send(out, RULES_ACT_POST);
}

int rules_eligibility(const struct rules_facts *f, const struct rules_settings *s,
                      struct rules_decision *out, struct bs_error *err)
{
	static const struct rules_settings none;

	if (f == NULL || out == NULL)
		return bs_error_set(err, BS_EINVAL, "rules_eligibility: NULL argument");
	if (s == NULL)
		s = &none;
	if (f->ndeps > RULES_DEPS_MAX)
		return bad(f, out, err, "too many dependencies");
	for (size_t i = 0; i < f->ndeps; i++) {
		const struct rules_dep *d = &f->deps[i];

		if (d->what == NULL || d->id == NULL || d->id[0] == '\0')
			return bad(f, out, err, "a dependency without a name or id");
		if (d->state < RULES_DEP_POSTED || d->state > RULES_DEP_MISSING)
			return bad(f, out, err, "a dependency in an unknown state");
	}
	memset(out, 0, sizeof(*out));

	switch (f->kind) {
	case RECORD_CUSTOMER:
	case RECORD_SUPPLIER:
	case RECORD_PRODUCT:
	case RECORD_ADJUSTMENT:
	case RECORD_JOURNAL:
	case RECORD_MONEY_TASK:
		/* Contacts and products post whenever pending.  Adjustments and
		 * journals have no dependencies (a journal's fx_rate was
		 * validated at import); a money task may wait on its contact. */
		if (gate_deps(f, out))
			return BS_OK;
		return send(out, RULES_ACT_POST);
	case RECORD_SALE:
	case RECORD_CREDIT_NOTE:
		return sale_like(f, out, err);
	case RECORD_PAYMENT:
		return payment(f, s, out, err);
	case RECORD_PURCHASE:
		return purchase(f, s, out, err);
	case RECORD_COGS:
		if (f->ndeps == 0)
			return bad(f, out, err, "COGS needs its sale or credit note");
		if (gate_deps(f, out))
			return BS_OK;
		return send(out, RULES_ACT_POST);
	case RECORD_GIFT_VOUCHER:
	case RECORD_STORE_CREDIT:
		return voucher_or_credit(f, out, err);
	case RECORD_KIND_COUNT:
		break;
	}
	return bad(f, out, err, "unknown kind");
}
