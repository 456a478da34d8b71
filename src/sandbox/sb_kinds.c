/*
 * sb_kinds.c - the endpoint table: each Accounting API collection's URL
 * segment, id and number fields, scopes, webhook category, what may be
 * done to it, and the build function (one file per document kind,
 * sb_doc_<kind>.c) that turns a PUT/POST element into the stored document.
 */
#include "sandbox/sb_doc_int.h"

#include <string.h>
#include <strings.h>

const struct sb_kind sb_kinds[SBK_COUNT] = {
    [SBK_ACCOUNTS] = {"Accounts", "AccountID", "Code", "accounting.settings", NULL,
                      "HasValidationErrors", NULL, false, false, false, NULL},
    [SBK_TAXRATES] = {"TaxRates", "TaxType", "TaxType", "accounting.settings", NULL,
                      "HasValidationErrors", NULL, false, false, false, NULL},
    [SBK_CURRENCIES] = {"Currencies", "Code", "Code", "accounting.settings", NULL,
                        "HasValidationErrors", NULL, false, false, false, NULL},
    [SBK_TRACKING] = {"TrackingCategories", "TrackingCategoryID", "Name", "accounting.settings",
                      NULL, "HasValidationErrors", NULL, false, false, false, NULL},
    [SBK_CONTACTS] = {"Contacts", "ContactID", "Name", "accounting.contacts", NULL,
                      "HasValidationErrors", "CONTACT", true, true, false, sb_build_contact},
    [SBK_ITEMS] = {"Items", "ItemID", "Code", "accounting.settings", "accounting.invoices",
                   "HasValidationErrors", NULL, true, false, true, sb_build_item},
    [SBK_INVOICES] = {"Invoices", "InvoiceID", "InvoiceNumber", "accounting.transactions",
                      "accounting.invoices", "HasErrors", "INVOICE", true, true, false,
                      sb_build_invoice},
    [SBK_CREDITNOTES] = {"CreditNotes", "CreditNoteID", "CreditNoteNumber",
                         "accounting.transactions", "accounting.invoices", "HasErrors",
                         "CREDITNOTE", true, true, false, sb_build_creditnote},
    [SBK_PAYMENTS] = {"Payments", "PaymentID", NULL, "accounting.transactions",
                      "accounting.payments", "HasValidationErrors", NULL, true, true, false,
                      sb_build_payment},
    [SBK_PURCHASEORDERS] = {"PurchaseOrders", "PurchaseOrderID", "PurchaseOrderNumber",
                            "accounting.transactions", "accounting.invoices", "HasErrors", NULL,
                            true, true, false, sb_build_po},
    [SBK_MANUALJOURNALS] = {"ManualJournals", "ManualJournalID", NULL, "accounting.transactions",
                            "accounting.manualjournals", "HasValidationErrors", NULL, true, true,
                            false, sb_build_journal},
    [SBK_BANKTRANSACTIONS] = {"BankTransactions", "BankTransactionID", NULL,
                              "accounting.transactions", "accounting.banktransactions", "HasErrors",
                              NULL, true, true, false, sb_build_banktxn},
    [SBK_PREPAYMENTS] = {"Prepayments", "PrepaymentID", NULL, "accounting.transactions",
                         "accounting.payments", "HasValidationErrors", NULL, false, true, false,
                         NULL},
    [SBK_OVERPAYMENTS] = {"Overpayments", "OverpaymentID", NULL, "accounting.transactions",
                          "accounting.payments", "HasValidationErrors", NULL, false, true, false,
                          NULL},
};

int sb_kind_of(const char *seg, size_t n)
{
	if (n == strlen("Organisation") && strncasecmp(seg, "Organisation", n) == 0)
		return -2;
	for (int k = 0; k < SBK_COUNT; k++)
		if (strlen(sb_kinds[k].name) == n && strncasecmp(seg, sb_kinds[k].name, n) == 0)
			return k;
	return -1;
}
