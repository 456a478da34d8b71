/*
 * ledger.c - document type names (see ledger.h).
 */
#include "ledger/ledger.h"

#include <string.h>

static const char *const names[LEDGER_DOC_TYPE_COUNT] = {
    "Contact",         "Item",    "PurchaseOrder", "Invoice", "CreditNote", "ManualJournal",
    "BankTransaction", "Payment", "Allocation",
};

const char *ledger_doc_type_name(enum ledger_doc_type t)
{
	return (unsigned)t < LEDGER_DOC_TYPE_COUNT ? names[t] : "?";
}

int ledger_doc_type_from_name(const char *name, size_t n)
{
	for (int i = 0; i < LEDGER_DOC_TYPE_COUNT; i++) {
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			return i;
	}
	return -1;
}
