/*
 * inbound_match.c - the pure matcher of inbound payments (inbound.h): one
 * ledger payment and booksync's open invoices in, a decision out.
 *
 * Order of the checks matters: what booksync already decided (its own
 * payment, one imported or failed before) wins over everything, so a
 * payment is never applied twice nor retried; then what is wrong with the
 * payment alone; then the invoices.
 */
#include "inbound/inbound.h"

#include <string.h>

static const char *const reason_names[INBOUND_R_COUNT] = {
    [INBOUND_R_NONE] = "",
    [INBOUND_R_OURS] = "posted by booksync",
    [INBOUND_R_ALREADY] = "already imported",
    [INBOUND_R_FAILED_BEFORE] = "import failed before",
    [INBOUND_R_DELETED] = "deleted in the ledger",
    [INBOUND_R_BAD_AMOUNT] = "amount not positive",
    [INBOUND_R_UNKNOWN_CUSTOMER] = "unknown customer",
    [INBOUND_R_NO_OPEN_INVOICE] = "no open invoice",
    [INBOUND_R_NOT_OURS_INVOICE] = "invoice not open in booksync",
    [INBOUND_R_CURRENCY] = "currency differs",
    [INBOUND_R_PARTIAL] = "partial payment",
    [INBOUND_R_OVERPAYMENT] = "overpayment",
    [INBOUND_R_NO_MATCH] = "no invoice with that balance",
    [INBOUND_R_AMBIGUOUS] = "ambiguous",
};

const char *inbound_reason_name(enum inbound_reason r)
{
	if ((int)r < 0 || r >= INBOUND_R_COUNT)
		return "?";
	return reason_names[r];
}

static void decide(struct inbound_decision *out, enum inbound_verdict v, enum inbound_reason r,
                   size_t invoice)
{
	out->verdict = v;
	out->reason = r;
	out->invoice = invoice;
}

/* An open invoice of the payment's customer (any currency). */
static bool open_of(const struct inbound_payment *p, const struct inbound_invoice *c)
{
	return c->balance > 0 && strcmp(c->customer, p->customer) == 0;
}

/* Amount against the one balance it was meant for. */
static enum inbound_reason against(int64_t amount, int64_t balance)
{
	return amount < balance ? INBOUND_R_PARTIAL : INBOUND_R_OVERPAYMENT;
}

void inbound_match(const struct inbound_payment *p, const struct inbound_invoice *cand, size_t n,
                   struct inbound_decision *out)
{
	size_t open = 0, in_cur = 0, exact = 0, first_exact = 0, named = n;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	bool named_elsewhere = false;

	if (p->ours)
		return decide(out, INBOUND_IGNORE, INBOUND_R_OURS, 0);
	if (p->applied_before && p->deleted)
		return decide(out, INBOUND_REVERSE, INBOUND_R_DELETED, 0);
	if (p->imported)
		return decide(out, INBOUND_IGNORE, INBOUND_R_ALREADY, 0);
	if (p->failed_before)
		return decide(out, INBOUND_IGNORE, INBOUND_R_FAILED_BEFORE, 0);
	if (p->deleted)
		return decide(out, INBOUND_IGNORE, INBOUND_R_DELETED, 0);
	if (p->amount <= 0)
		return decide(out, INBOUND_SKIP, INBOUND_R_BAD_AMOUNT, 0);
	if (p->customer[0] == '\0')
		return decide(out, INBOUND_SKIP, INBOUND_R_UNKNOWN_CUSTOMER, 0);

	for (size_t i = 0; i < n; i++) {
		const struct inbound_invoice *c = &cand[i];

		if (!open_of(p, c))
			continue;
		open++;
		if (strcmp(c->currency, p->currency) != 0) {
			if (p->invoice_id[0] != '\0' && strcmp(c->ledger_id, p->invoice_id) == 0)
				named_elsewhere = true;
			continue;
		}
		in_cur++;
		if (p->invoice_id[0] != '\0' && strcmp(c->ledger_id, p->invoice_id) == 0)
			named = i;
		if (c->balance == p->amount && exact++ == 0)
			first_exact = i;
		if (c->balance < lo)
			lo = c->balance;
		if (c->balance > hi)
			hi = c->balance;
	}

	if (open == 0)
		return decide(out, INBOUND_SKIP,
		              p->invoice_id[0] != '\0' ? INBOUND_R_NOT_OURS_INVOICE
		                                       : INBOUND_R_NO_OPEN_INVOICE,
		              0);
	if (in_cur == 0 || named_elsewhere)
		return decide(out, INBOUND_SKIP, INBOUND_R_CURRENCY, 0);

	if (p->invoice_id[0] != '\0') {
		/* Xero: the ledger already put it on one invoice; it must be an
		 * open one of booksync's, paid in full, and the only one a
		 * person could take it for (the rule applies unchanged). */
		if (named == n)
			return decide(out, INBOUND_SKIP, INBOUND_R_NOT_OURS_INVOICE, 0);
		if (cand[named].balance != p->amount)
			return decide(out, INBOUND_SKIP, against(p->amount, cand[named].balance),
			              0);
		if (exact > 1)
			return decide(out, INBOUND_SKIP, INBOUND_R_AMBIGUOUS, 0);
		return decide(out, INBOUND_APPLY, INBOUND_R_NONE, named);
	}

	/* QBO, left unapplied: matched by amount alone. */
	if (exact == 1)
		return decide(out, INBOUND_APPLY, INBOUND_R_NONE, first_exact);
	if (exact > 1)
		return decide(out, INBOUND_SKIP, INBOUND_R_AMBIGUOUS, 0);
	if (p->amount < lo)
		return decide(out, INBOUND_SKIP, INBOUND_R_PARTIAL, 0);
	if (p->amount > hi)
		return decide(out, INBOUND_SKIP, INBOUND_R_OVERPAYMENT, 0);
	decide(out, INBOUND_SKIP, INBOUND_R_NO_MATCH, 0);
}
