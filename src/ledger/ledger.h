/*
 * ledger.h - the ledger-neutral document: what the planner writes to the
 * outbox and a connector (Xero, QBO) turns into its wire payload.
 *
 * A document's amounts and lines are final when planned (rounding
 * corrections included); only references to other documents stay symbolic,
 * because their ledger ids may not exist yet.  A symbol names the ledger
 * document a source record became:
 *
 *     <LedgerType>/<kind>:<id>      Contact/customer:C-1   Invoice/sale:SO-1
 *                                   Invoice/purchase:PO-7 (the bill)
 *                                   PurchaseOrder/purchase:PO-7
 *
 * The dispatcher resolves symbols through the store's links table and hands
 * connectors a resolver; connectors never touch the store.
 *
 * Body (JSON object, amounts as decimal text at their final precision):
 *   common      type (ledger_doc_type name), op ("create"|"update"|"void"),
 *               self (symbol), date
 *   Contact     name, email, phone, tax_number, currency,
 *               address {line1,line2,city,region,postcode,country}
 *   Item        code, name, description, sales_account, purchase_account
 *   Invoice, CreditNote, PurchaseOrder
 *               subtype ("sales"|"purchases"), contact (symbol), number,
 *               reference, due_date, delivery_date, currency, currency_rate,
 *               status, amounts ("exclusive"|"inclusive"|"none"),
 *               lines [{description, quantity, unit_amount, discount_rate,
 *               account, tax_type, item_code, tracking {name: option}}],
 *               expected_total, purchase_order (symbol; a bill from a PO)
 *   Payment     document (symbol of an Invoice or CreditNote), account,
 *               amount, currency_rate, reference
 *   Allocation  credit_note (symbol), invoice (symbol), amount
 *   ManualJournal  narration, lines [{account, amount (+debit/-credit),
 *               description, tax_type}]
 *   BankTransaction  direction ("receive"|"spend"), contact (symbol) or
 *               contact_name, bank_account, reference, currency, amounts,
 *               lines [{description, account, amount, tax_type}]
 */
#ifndef BS_LEDGER_LEDGER_H
#define BS_LEDGER_LEDGER_H

#include <stddef.h>

/* Document types in dependency order: a type only refers to earlier ones
 * (a Payment to an Invoice, an Allocation to both), so posting in this
 * order never waits on something later. */
enum ledger_doc_type {
	LEDGER_CONTACT,
	LEDGER_ITEM,
	LEDGER_PURCHASE_ORDER,
	LEDGER_INVOICE,
	LEDGER_CREDIT_NOTE,
	LEDGER_MANUAL_JOURNAL,
	LEDGER_BANK_TRANSACTION,
	LEDGER_PAYMENT,
	LEDGER_ALLOCATION,
	LEDGER_DOC_TYPE_COUNT
};

#define LEDGER_ID_MAX     64  /* ledger ids are GUIDs (36) or short numbers */
#define LEDGER_SYMBOL_MAX 160 /* "PurchaseOrder/" + kind + ":" + 64-byte id */

/* "Contact", "Invoice", ... (also the symbol prefix). */
const char *ledger_doc_type_name(enum ledger_doc_type t);

/* Parse a type name; -1 when unknown. */
int ledger_doc_type_from_name(const char *name, size_t n);

#endif
