/*
 * ledger.c - document type names, refusal names, the per-element and
 * per-call structs every connector shares (see ledger.h).
 */
#include "ledger/ledger.h"

#include <string.h>

static const char *const names[LEDGER_DOC_TYPE_COUNT] = {
    "Contact",         "Item",    "PurchaseOrder", "Invoice", "CreditNote", "ManualJournal",
    "BankTransaction", "Payment", "Allocation",
};

static const char *const refusals[LEDGER_REFUSAL_COUNT] = {
    "none",      "invalid",      "duplicate",    "locked period", "stale",
    "not found", "wrong status", "rate limited", "no id",
};

const char *ledger_doc_type_name(enum ledger_doc_type t)
{
	return (unsigned)t < LEDGER_DOC_TYPE_COUNT ? names[t] : "?";
}

int ledger_doc_type_from_name(const char *name, size_t n, enum ledger_doc_type *out)
{
	for (int i = 0; i < LEDGER_DOC_TYPE_COUNT; i++) {
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0) {
			*out = (enum ledger_doc_type)i;
			return BS_OK;
		}
	}
	return BS_EINVAL;
}

const char *ledger_refusal_name(enum ledger_refusal r)
{
	return (unsigned)r < LEDGER_REFUSAL_COUNT ? refusals[r] : "?";
}

void ledger_call_init(struct ledger_call *c)
{
	memset(c, 0, sizeof(*c));
	c->retry_after_s = -1;
	c->min_remaining = -1;
	c->day_remaining = -1;
	c->app_min_remaining = -1;
}

void ledger_elem_init(struct ledger_elem *e)
{
	memset(e, 0, sizeof(*e));
	buf_init(&e->message, 8192);
}

void ledger_elem_release(struct ledger_elem *e)
{
	buf_free(&e->message);
}

int ledger_pay_page_take(struct ledger_pay_page *pg, const struct ledger_payment *p,
                         ledger_payment_fn each, void *arg)
{
	if (p->updated_ms > pg->max_ms)
		pg->max_ms = p->updated_ms;
	pg->last_ms = p->updated_ms;
	return each(arg, p);
}
