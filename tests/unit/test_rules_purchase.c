/*
 * test_rules_purchase.c - purchase orders and bills on two kinds of ledger
 * (src/rules/rules_purchase.c, the purchase rules of rules_eligibility.c).
 *
 * Tables, one row a case, each with the exact answer expected from
 * docs/states-and-tabs.md "Purchase orders and bills": eligibility of a
 * purchase on a Xero-like and a QuickBooks-like ledger, the Accounting
 * Status of every sync state, unbilled or not, the whole reference and the
 * ledger's number, clashes of cut numbers, and the ledgers' caps as the
 * rules get them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ledger/ledger.h"
#include "rules/rules.h"
#include "sync/plan.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the two ledgers, as the planner fills rules_settings --------------- */

static const struct rules_settings xero = {.ledger_name = "Xero"};
static const struct rules_settings qbo = {
    .po_opt_in_only = true, .po_not_billable = true, .ledger_name = "QuickBooks Online"};
static const struct rules_settings qbo_po = {.po_opt_in_only = true,
                                             .po_opt_in = true,
                                             .po_not_billable = true,
                                             .ledger_name = "QuickBooks Online"};
static const struct rules_settings qbo_po_off = {.disable_po_sync = true,
                                                 .po_opt_in_only = true,
                                                 .po_opt_in = true,
                                                 .po_not_billable = true,
                                                 .ledger_name = "QuickBooks Online"};
static const struct rules_settings xero_po_off = {.disable_po_sync = true, .ledger_name = "Xero"};

#define SUPPLIER_POSTED  .ndeps = 1, .deps = {{"supplier", "V-1", RULES_DEP_POSTED, NULL}}
#define SUPPLIER_PENDING .ndeps = 1, .deps = {{"supplier", "V-1", RULES_DEP_PENDING, NULL}}
#define SUPPLIER_MISSING .ndeps = 1, .deps = {{"supplier", "V-1", RULES_DEP_MISSING, NULL}}
#define PUR(st, inv, date)                                                                         \
	.kind = RECORD_PURCHASE, .id = "PO-1", .status = RULES_ST_##st,                            \
	.has_supplier_invoice_no = inv, .has_invoice_date = date
#define OPEN .kind = RECORD_PURCHASE, .id = "PO-1", .status = RULES_ST_OPEN

static const char manual[] =
    "uploaded to QuickBooks Online as a purchase order, so it cannot sync as a bill: create "
    "the bill by hand in QuickBooks Online and add the purchase order to it";
static const char not_billed_qbo[] = "not billed yet (purchase orders go to QuickBooks Online "
                                     "only with the setting upload_po_as_qbo_po)";
static const char not_unbilled[] =
    "not billed yet, and no longer uploadable as a purchase order: its invoice date, invoice "
    "number and dispatch date must be empty";
static const char imported[] =
    "Accounting Status is Imported: reset it for re-import to sync it again";

struct pcase {
	const char *name;
	struct rules_facts f;
	const struct rules_settings *s;
	enum rules_verdict v;
	enum rules_action a;
	const char *reason;
};

static const struct pcase cases[] = {
    /* ---- billed: the three conditions and the Accounting Status ---- */
    {"xero billed, all there",
     {PUR(BILLED, true, true), SUPPLIER_POSTED},
     &xero,
     RULES_SEND,
     RULES_ACT_BILL,
     ""},
    {"qbo billed, all there",
     {PUR(BILLED, true, true), SUPPLIER_POSTED},
     &qbo,
     RULES_SEND,
     RULES_ACT_BILL,
     ""},
    {"qbo billed, setting on",
     {PUR(BILLED, true, true), SUPPLIER_POSTED},
     &qbo_po,
     RULES_SEND,
     RULES_ACT_BILL,
     ""},
    {"qbo finished",
     {PUR(FINISHED, true, true), SUPPLIER_POSTED},
     &qbo,
     RULES_SEND,
     RULES_ACT_BILL,
     ""},
    {"qbo billed, no invoice number",
     {PUR(BILLED, false, true), SUPPLIER_POSTED},
     &qbo,
     RULES_WAIT,
     RULES_ACT_NONE,
     "needs a supplier invoice number"},
    {"qbo billed, no invoice date",
     {PUR(BILLED, true, false), SUPPLIER_POSTED},
     &qbo,
     RULES_WAIT,
     RULES_ACT_NONE,
     "needs an invoice date"},
    {"qbo billed, neither: invoice number first",
     {PUR(BILLED, false, false), SUPPLIER_POSTED},
     &qbo,
     RULES_WAIT,
     RULES_ACT_NONE,
     "needs a supplier invoice number"},
    {"qbo billed, supplier not synced",
     {PUR(BILLED, true, true), SUPPLIER_PENDING},
     &qbo,
     RULES_WAIT,
     RULES_ACT_NONE,
     "supplier V-1 not synced yet"},
    {"qbo billed, supplier not imported",
     {PUR(BILLED, true, true), SUPPLIER_MISSING},
     &qbo,
     RULES_WAIT,
     RULES_ACT_NONE,
     "supplier V-1 not imported yet"},
    {"xero billed, supplier not synced",
     {PUR(BILLED, true, true), SUPPLIER_PENDING},
     &xero,
     RULES_WAIT,
     RULES_ACT_NONE,
     "supplier V-1 not synced yet"},
    {"qbo billed, fields before the contact",
     {PUR(BILLED, true, false), SUPPLIER_PENDING},
     &qbo,
     RULES_WAIT,
     RULES_ACT_NONE,
     "needs an invoice date"},
    {"qbo billed, Imported",
     {PUR(BILLED, true, true), .accounting_imported = true, SUPPLIER_POSTED},
     &qbo,
     RULES_SKIP,
     RULES_ACT_NONE,
     imported},
    {"xero billed, Imported",
     {PUR(BILLED, true, true), .accounting_imported = true, SUPPLIER_POSTED},
     &xero,
     RULES_SKIP,
     RULES_ACT_NONE,
     imported},
    {"qbo billed, posted bill (reset): updates",
     {PUR(BILLED, true, true), .posted = true, SUPPLIER_POSTED},
     &qbo,
     RULES_SEND,
     RULES_ACT_BILL,
     ""},
    {"no status, invoice number: billed",
     {.kind = RECORD_PURCHASE,
      .id = "PO-1",
      .has_supplier_invoice_no = true,
      .has_invoice_date = true,
      SUPPLIER_POSTED},
     &qbo,
     RULES_SEND,
     RULES_ACT_BILL,
     ""},
    {"no status, invoice date only: billed, waits for the number",
     {.kind = RECORD_PURCHASE, .id = "PO-1", .has_invoice_date = true, SUPPLIER_POSTED},
     &qbo,
     RULES_WAIT,
     RULES_ACT_NONE,
     "needs a supplier invoice number"},
    /* ---- a purchase order then billed ---- */
    {"xero PO then billed: bill from PO",
     {PUR(BILLED, true, true), .posted = true, .posted_as_po = true, SUPPLIER_POSTED},
     &xero,
     RULES_SEND,
     RULES_ACT_BILL_FROM_PO,
     ""},
    {"qbo PO then billed: manual",
     {PUR(BILLED, true, true), .posted = true, .posted_as_po = true, SUPPLIER_POSTED},
     &qbo_po,
     RULES_FAIL,
     RULES_ACT_NONE,
     manual},
    {"qbo PO then billed, setting since off: still manual",
     {PUR(BILLED, true, true), .posted = true, .posted_as_po = true, SUPPLIER_POSTED},
     &qbo,
     RULES_FAIL,
     RULES_ACT_NONE,
     manual},
    {"qbo PO then billed without an invoice number: manual first",
     {PUR(BILLED, false, true), .posted = true, .posted_as_po = true, SUPPLIER_POSTED},
     &qbo_po,
     RULES_FAIL,
     RULES_ACT_NONE,
     manual},
    {"qbo PO then billed, Imported: manual first",
     {PUR(BILLED, true, true), .posted = true, .posted_as_po = true, .accounting_imported = true,
      SUPPLIER_POSTED},
     &qbo_po,
     RULES_FAIL,
     RULES_ACT_NONE,
     manual},
    {"qbo PO then finished: manual",
     {PUR(FINISHED, true, true), .posted = true, .posted_as_po = true, SUPPLIER_POSTED},
     &qbo_po,
     RULES_FAIL,
     RULES_ACT_NONE,
     manual},
    {"qbo PO then billed (no status, invoice number): manual",
     {.kind = RECORD_PURCHASE,
      .id = "PO-1",
      .has_supplier_invoice_no = true,
      .posted = true,
      .posted_as_po = true,
      SUPPLIER_POSTED},
     &qbo_po,
     RULES_FAIL,
     RULES_ACT_NONE,
     manual},
    {"unnamed ledger: manual names 'the ledger'",
     {PUR(BILLED, true, true), .posted = true, .posted_as_po = true, SUPPLIER_POSTED},
     &(const struct rules_settings){.po_not_billable = true},
     RULES_FAIL,
     RULES_ACT_NONE,
     "uploaded to the ledger as a purchase order, so it cannot sync as a bill: create the "
     "bill by hand in the ledger and add the purchase order to it"},
    /* ---- open: uploaded as a purchase order or not ---- */
    {"xero open: PO", {OPEN, SUPPLIER_POSTED}, &xero, RULES_SEND, RULES_ACT_PURCHASE_ORDER, ""},
    {"xero open, dispatched: PO as today",
     {OPEN, .has_dispatch_date = true, SUPPLIER_POSTED},
     &xero,
     RULES_SEND,
     RULES_ACT_PURCHASE_ORDER,
     ""},
    {"xero open, PO sync off",
     {OPEN, SUPPLIER_POSTED},
     &xero_po_off,
     RULES_SKIP,
     RULES_ACT_NONE,
     "purchase order sync is disabled in settings"},
    {"qbo open, setting off: waits to be billed",
     {OPEN, SUPPLIER_POSTED},
     &qbo,
     RULES_WAIT,
     RULES_ACT_NONE,
     not_billed_qbo},
    {"qbo open, setting on: PO",
     {OPEN, SUPPLIER_POSTED},
     &qbo_po,
     RULES_SEND,
     RULES_ACT_PURCHASE_ORDER,
     ""},
    {"qbo no status, nothing filled, setting on: PO",
     {.kind = RECORD_PURCHASE, .id = "PO-1", SUPPLIER_POSTED},
     &qbo_po,
     RULES_SEND,
     RULES_ACT_PURCHASE_ORDER,
     ""},
    {"qbo no status, nothing filled, setting off: waits",
     {.kind = RECORD_PURCHASE, .id = "PO-1", SUPPLIER_POSTED},
     &qbo,
     RULES_WAIT,
     RULES_ACT_NONE,
     not_billed_qbo},
    {"qbo open, dispatched, setting on: not unbilled",
     {OPEN, .has_dispatch_date = true, SUPPLIER_POSTED},
     &qbo_po,
     RULES_WAIT,
     RULES_ACT_NONE,
     not_unbilled},
    {"qbo open with invoice date, setting on: not unbilled",
     {OPEN, .has_invoice_date = true, SUPPLIER_POSTED},
     &qbo_po,
     RULES_WAIT,
     RULES_ACT_NONE,
     not_unbilled},
    {"qbo open with invoice number, setting on: not unbilled",
     {OPEN, .has_supplier_invoice_no = true, SUPPLIER_POSTED},
     &qbo_po,
     RULES_WAIT,
     RULES_ACT_NONE,
     not_unbilled},
    {"qbo open, setting on, supplier not synced",
     {OPEN, SUPPLIER_PENDING},
     &qbo_po,
     RULES_WAIT,
     RULES_ACT_NONE,
     "supplier V-1 not synced yet"},
    {"qbo open, setting on, PO sync off: off wins",
     {OPEN, SUPPLIER_POSTED},
     &qbo_po_off,
     RULES_SKIP,
     RULES_ACT_NONE,
     "purchase order sync is disabled in settings"},
    {"qbo open, posted PO, setting since off: kept up to date",
     {OPEN, .posted = true, .posted_as_po = true, SUPPLIER_POSTED},
     &qbo,
     RULES_SEND,
     RULES_ACT_PURCHASE_ORDER,
     ""},
    {"qbo open, posted PO, dispatched since: kept up to date",
     {OPEN, .has_dispatch_date = true, .posted = true, .posted_as_po = true, SUPPLIER_POSTED},
     &qbo_po,
     RULES_SEND,
     RULES_ACT_PURCHASE_ORDER,
     ""},
};

static void test_eligibility(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		const struct pcase *c = &cases[i];
		struct rules_decision d;
		struct bs_error err;

		bs_error_clear(&err);
		if (rules_eligibility(&c->f, c->s, &d, &err) != BS_OK)
			fail_msg("case %zu \"%s\": %s", i, c->name, err.msg);
		if (d.verdict != c->v || d.action != c->a || strcmp(d.reason, c->reason) != 0)
			fail_msg("case %zu \"%s\": got %s/%d \"%s\", want %s/%d \"%s\"", i, c->name,
			         rules_verdict_name(d.verdict), (int)d.action, d.reason,
			         rules_verdict_name(c->v), (int)c->a, c->reason);
	}
}

/* ---- Accounting Status -------------------------------------------------- */

static void test_accounting_status(void **state)
{
	static const struct {
		enum sync_state s;
		const char *want;
	} t[] = {
	    {SYNC_NOT_IMPORTED, "Not Imported Yet Or Reset For Re-import"},
	    {SYNC_QUEUED, "Not Imported Yet Or Reset For Re-import"},
	    {SYNC_IMPORTED, "Imported"},
	    {SYNC_ERROR, "Not Imported Yet Or Reset For Re-import"},
	    {SYNC_CHANGED, "Not Imported Yet Or Reset For Re-import"},
	    {SYNC_SKIPPED, "Not Imported Yet Or Reset For Re-import"},
	    {SYNC_WAITING, "Not Imported Yet Or Reset For Re-import"},
	    {SYNC_CONSOLIDATED, "Imported"},
	    {SYNC_STATE_COUNT, "Not Imported Yet Or Reset For Re-import"},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++)
		assert_string_equal(rules_accounting_status(t[i].s), t[i].want);
	assert_string_equal(rules_verdict_name(RULES_FAIL), "fail");
}

static void test_unbilled(void **state)
{
	static const struct {
		bool inv_no, inv_date, dispatch, want;
	} t[] = {
	    {false, false, false, true}, {true, false, false, false}, {false, true, false, false},
	    {false, false, true, false}, {true, true, false, false},  {true, true, true, false},
	    {false, true, true, false},  {true, false, true, false},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct rules_facts f = {.kind = RECORD_PURCHASE,
		                        .has_supplier_invoice_no = t[i].inv_no,
		                        .has_invoice_date = t[i].inv_date,
		                        .has_dispatch_date = t[i].dispatch};

		if (rules_purchase_unbilled(&f) != t[i].want)
			fail_msg("unbilled case %zu", i);
	}
	assert_false(rules_purchase_unbilled(NULL));
}

/* ---- references ----------------------------------------------------------- */

struct rcase {
	bool bill;
	const char *inv, *ref;
	size_t max;
	int rc;
	const char *whole, *number;
	bool cut;
};

static const struct rcase refs[] = {
    /* bills: supplier invoice number + " / " + purchase reference */
    {true, "INV-77", "PO-2001", 21, BS_OK, "INV-77 / PO-2001", "INV-77 / PO-2001", false},
    {true, "INV-77", "PO-2001", 255, BS_OK, "INV-77 / PO-2001", "INV-77 / PO-2001", false},
    {true, "INV-77", "PO-2001", 0, BS_OK, "INV-77 / PO-2001", "INV-77 / PO-2001", false},
    /* 21 exactly */
    {true, "INV-2024-0001", "PO-1234", 21, BS_OK, "INV-2024-0001 / PO-1234",
     "INV-2024-0001 / PO-12", true},
    {true, "INV-20240001", "PO-12", 21, BS_OK, "INV-20240001 / PO-12", "INV-20240001 / PO-12",
     false},
    {true, "INV-202400011", "PO-12", 21, BS_OK, "INV-202400011 / PO-12", "INV-202400011 / PO-12",
     false},
    {true, "INV-2024000111", "PO-12", 21, BS_OK, "INV-2024000111 / PO-12", "INV-2024000111 / PO-1",
     true},
    /* a cut that would leave " / " dangling: the invoice number alone */
    {true, "SUPPLIER-INVOICE-0042", "PO-9", 21, BS_OK, "SUPPLIER-INVOICE-0042 / PO-9",
     "SUPPLIER-INVOICE-0042", true},
    {true, "SUPPLIER-INVOICE-004", "PO-9", 21, BS_OK, "SUPPLIER-INVOICE-004 / PO-9",
     "SUPPLIER-INVOICE-004", true},
    {true, "SUPPLIER-INVOICE-00", "PO-9", 21, BS_OK, "SUPPLIER-INVOICE-00 / PO-9",
     "SUPPLIER-INVOICE-00", true},
    {true, "SUPPLIER-INVOIC", "PO-9", 21, BS_OK, "SUPPLIER-INVOIC / PO-9", "SUPPLIER-INVOIC / PO-",
     true},
    {true, "SUPPLIER-INVOICE-", "PO-9", 21, BS_OK, "SUPPLIER-INVOICE- / PO-9",
     "SUPPLIER-INVOICE- / P", true},
    {true, "SUPPLIER-INVOICE-0", "PO-9", 21, BS_OK, "SUPPLIER-INVOICE-0 / PO-9",
     "SUPPLIER-INVOICE-0", true},
    /* an invoice number alone longer than the limit */
    {true, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "PO-1", 21, BS_OK, "ABCDEFGHIJKLMNOPQRSTUVWXYZ / PO-1",
     "ABCDEFGHIJKLMNOPQRSTU", true},
    /* no purchase reference: the invoice number alone */
    {true, "INV-1", "", 21, BS_OK, "INV-1", "INV-1", false},
    {true, "INV-1", NULL, 21, BS_OK, "INV-1", "INV-1", false},
    /* UTF-8: characters, not bytes; never inside one */
    {true, "Facture-é", "BC-ü", 21, BS_OK, "Facture-é / BC-ü", "Facture-é / BC-ü", false},
    {true, "ÉÉÉÉÉÉÉÉÉÉ", "ÜÜÜÜÜÜÜÜÜÜ", 21, BS_OK, "ÉÉÉÉÉÉÉÉÉÉ / ÜÜÜÜÜÜÜÜÜÜ",
     "ÉÉÉÉÉÉÉÉÉÉ / ÜÜÜÜÜÜÜÜ", true},
    {true, "日本語の請求書番号", "発注-1234567890", 21, BS_OK,
     "日本語の請求書番号 / 発注-1234567890", "日本語の請求書番号 / 発注-123456", true},
    /* errors */
    {true, "", "PO-1", 21, BS_EINVAL, NULL, NULL, false},
    {true, NULL, "PO-1", 21, BS_EINVAL, NULL, NULL, false},
    {true, "INV\xff", "PO-1", 21, BS_EINVAL, NULL, NULL, false},
    {true, "INV-1", "PO\xc3", 21, BS_EINVAL, NULL, NULL, false},
    /* purchase orders: the purchase's reference */
    {false, NULL, "PO-2001", 21, BS_OK, "PO-2001", "PO-2001", false},
    {false, "ignored", "PO-2001", 21, BS_OK, "PO-2001", "PO-2001", false},
    {false, NULL, "PURCHASE-ORDER-2024-000123", 21, BS_OK, "PURCHASE-ORDER-2024-000123",
     "PURCHASE-ORDER-2024-0", true},
    {false, NULL, "PURCHASE-ORDER-2024-000123", 255, BS_OK, "PURCHASE-ORDER-2024-000123",
     "PURCHASE-ORDER-2024-000123", false},
    {false, NULL, "PURCHASE-ORDER-2024-0", 21, BS_OK, "PURCHASE-ORDER-2024-0",
     "PURCHASE-ORDER-2024-0", false},
    {false, NULL, "Bestellung-üüüüüüüüüüüüü", 21, BS_OK, "Bestellung-üüüüüüüüüüüüü",
     "Bestellung-üüüüüüüüüü", true},
    {false, NULL, "", 21, BS_EINVAL, NULL, NULL, false},
    {false, NULL, NULL, 21, BS_EINVAL, NULL, NULL, false},
    {false, NULL, "PO\xe2\x82", 21, BS_EINVAL, NULL, NULL, false},
};

static void test_references(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(refs); i++) {
		const struct rcase *c = &refs[i];
		struct buf whole, number;
		struct bs_error err;
		bool cut = !c->cut;
		int rc;

		buf_init(&whole, 4096);
		buf_init(&number, 4096);
		/* something already there stays, and is all there is on error */
		buf_addstr(&whole, "[");
		buf_addstr(&number, "[");
		bs_error_clear(&err);
		rc = rules_purchase_reference(c->bill, c->inv, c->ref, c->max, &whole, &number,
		                              &cut, &err);
		if (rc != c->rc)
			fail_msg("ref case %zu: rc %d, want %d (%s)", i, rc, c->rc, err.msg);
		if (rc == BS_OK) {
			if (strcmp(buf_cstr(&whole) + 1, c->whole) != 0 ||
			    strcmp(buf_cstr(&number) + 1, c->number) != 0 || cut != c->cut)
				fail_msg("ref case %zu: whole \"%s\" number \"%s\" cut %d", i,
				         buf_cstr(&whole), buf_cstr(&number), cut);
		} else {
			assert_string_equal(buf_cstr(&whole), "[");
			assert_string_equal(buf_cstr(&number), "[");
			assert_true(err.msg[0] != '\0');
		}
		/* the number alone, the whole alone: the same answers */
		if (rc == BS_OK) {
			bool cut2 = !c->cut;

			buf_reset(&number);
			assert_int_equal(rules_purchase_reference(c->bill, c->inv, c->ref, c->max,
			                                          NULL, &number, &cut2, NULL),
			                 BS_OK);
			assert_string_equal(buf_cstr(&number), c->number);
			assert_int_equal(cut2, c->cut);
			cut2 = !c->cut;
			assert_int_equal(rules_purchase_reference(c->bill, c->inv, c->ref, c->max,
			                                          NULL, NULL, &cut2, NULL),
			                 BS_OK);
			assert_int_equal(cut2, c->cut);
		}
		buf_free(&whole);
		buf_free(&number);
	}
	assert_int_equal(rules_purchase_reference(true, "I", "P", 21, NULL, NULL, NULL, NULL),
	                 BS_EINVAL);
}

/* ---- clashes -------------------------------------------------------------- */

struct ccase {
	const char *name;
	struct rules_numbered self;
	struct rules_numbered others[3];
	size_t n;
	size_t want; /* index, or n for none */
	const char *msg_part[3];
};

#define A  "INV-2024-0001 / PO-1234"
#define AN "INV-2024-0001 / PO-12"
#define B  "INV-2024-0001 / PO-1299"

/* 100 characters */
#define LONG_A                                                                                     \
	"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567" \
	"890123456789"

static const struct ccase clashes[] = {
    {"no others", {"PO-2", B, AN, false}, {{0}}, 0, 0, {NULL}},
    {"other ahead, same cut",
     {"PO-2", B, AN, false},
     {{"PO-1", A, AN, true}},
     1,
     0,
     {"\"" B "\" becomes \"" AN "\" in QuickBooks Online (21 characters)",
      "as purchase PO-1's \"" A "\" does", "first 21 characters differ"}},
    {"other not ahead, sorts first",
     {"PO-2", B, AN, false},
     {{"PO-1", A, AN, false}},
     1,
     0,
     {"PO-1", A, B}},
    {"other not ahead, sorts after: self goes first",
     {"PO-1", A, AN, false},
     {{"PO-2", B, AN, false}},
     1,
     1,
     {NULL}},
    {"other ahead, sorts after: self still second",
     {"PO-1", A, AN, false},
     {{"PO-2", B, AN, true}},
     1,
     0,
     {"PO-2", B, "not its own"}},
    {"self ahead: keeps its number", {"PO-2", B, AN, true}, {{"PO-1", A, AN, true}}, 1, 1, {NULL}},
    {"different cut: no clash",
     {"PO-2", B, AN, false},
     {{"PO-1", "INV-2024-0002 / PO-1234", "INV-2024-0002 / PO-12", true}},
     1,
     1,
     {NULL}},
    {"the same record listed: ignored",
     {"PO-2", B, AN, false},
     {{"PO-2", B, AN, true}},
     1,
     1,
     {NULL}},
    {"second of three clashes",
     {"PO-3", B, AN, false},
     {{"PO-1", "X / Y", "X / Y", true}, {"PO-2", A, AN, true}, {"PO-4", A, AN, true}},
     3,
     1,
     {"PO-2", A, NULL}},
    {"identical whole references",
     {"PO-2", "INV-1 / PO-1", "INV-1 / PO-1", false},
     {{"PO-1", "INV-1 / PO-1", "INV-1 / PO-1", true}},
     1,
     0,
     {"\"INV-1 / PO-1\" is also purchase PO-1's for this supplier", "would be taken for the other",
      NULL}},
    /* long references are shown by their ends, so the message holds them */
    {"long references: their ends shown",
     {"PO-2", LONG_A "-second", LONG_A "-", false},
     {{"PO-1", LONG_A "-first", LONG_A "-", true}},
     1,
     0,
     {"\"012345678901234567890123456789\xe2\x80\xa6", "-second\"", "-first\""}},
    {"an other with no number", {"PO-2", B, AN, false}, {{"PO-1", NULL, NULL, true}}, 1, 1, {NULL}},
    {"an other skipped (empty number)",
     {"PO-2", B, AN, false},
     {{"PO-1", A, "", true}},
     1,
     1,
     {NULL}},
};

static void test_clashes(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(clashes); i++) {
		const struct ccase *c = &clashes[i];
		struct buf why;
		size_t got = 99;
		struct bs_error err;

		buf_init(&why, 8192);
		bs_error_clear(&err);
		if (rules_number_clash(&c->self, c->others, c->n, 21, "bill", "QuickBooks Online",
		                       &got, &why, &err) != BS_OK)
			fail_msg("clash case %zu \"%s\": %s", i, c->name, err.msg);
		if (got != c->want)
			fail_msg("clash case %zu \"%s\": got %zu want %zu", i, c->name, got,
			         c->want);
		if (got == c->n && why.len != 0)
			fail_msg("clash case %zu \"%s\": a message without a clash", i, c->name);
		for (size_t m = 0; m < 3 && c->msg_part[m] != NULL; m++) {
			if (strstr(buf_cstr(&why), c->msg_part[m]) == NULL)
				fail_msg("clash case %zu \"%s\": \"%s\" lacks \"%s\"", i, c->name,
				         buf_cstr(&why), c->msg_part[m]);
		}
		/* without a buffer: the same answer */
		got = 99;
		assert_int_equal(rules_number_clash(&c->self, c->others, c->n, 21, "bill", NULL,
		                                    &got, NULL, NULL),
		                 BS_OK);
		assert_int_equal(got, c->want);
		buf_free(&why);
	}
}

static void test_clash_bad_args(void **state)
{
	struct rules_numbered self = {"PO-1", A, AN, false};
	size_t got;

	(void)state;
	assert_int_equal(rules_number_clash(NULL, NULL, 0, 21, "bill", NULL, &got, NULL, NULL),
	                 BS_EINVAL);
	assert_int_equal(rules_number_clash(&self, NULL, 1, 21, "bill", NULL, &got, NULL, NULL),
	                 BS_EINVAL);
	assert_int_equal(rules_number_clash(&self, NULL, 0, 21, NULL, NULL, &got, NULL, NULL),
	                 BS_EINVAL);
	assert_int_equal(rules_number_clash(&self, NULL, 0, 21, "bill", NULL, NULL, NULL, NULL),
	                 BS_EINVAL);
	self.number = NULL;
	assert_int_equal(rules_number_clash(&self, NULL, 0, 21, "bill", NULL, &got, NULL, NULL),
	                 BS_EINVAL);
	/* an unnamed ledger */
	{
		struct rules_numbered s2 = {"PO-2", B, AN, false}, o = {"PO-1", A, AN, true};
		struct buf why;

		buf_init(&why, 4096);
		assert_int_equal(rules_number_clash(&s2, &o, 1, 21, "bill", NULL, &got, &why, NULL),
		                 BS_OK);
		assert_int_equal(got, 0);
		assert_non_null(strstr(buf_cstr(&why), "in the ledger (21 characters)"));
		buf_free(&why);
	}
}

/* ---- the ledgers' caps, as the rules get them ----------------------------- */

struct capcase {
	const char *name;
	size_t doc_number_max;
	bool po_billable, po_upload_default;
	const char *display_name;
};

/* QuickBooks Online's values (docs/states-and-tabs.md "Purchase orders and
 * bills"): DocNumber holds 21 characters, a PurchaseOrder is linked to its
 * bill by hand, purchase orders go up only with upload_po_as_qbo_po. */
static const struct capcase capcases[] = {
    {"xero", 255, true, true, "Xero"},
    {"qbo", 21, false, false, "QuickBooks Online"},
};

static void test_caps(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(capcases); i++) {
		const struct capcase *c = &capcases[i];
		const struct ledger_ops *ops = ledger_find(c->name);
		struct ledger_caps local = {.doc_number_max = c->doc_number_max,
		                            .po_billable = c->po_billable,
		                            .po_upload_default = c->po_upload_default,
		                            .display_name = c->display_name};
		const struct ledger_caps *caps = ops != NULL ? ops->caps : &local;
		struct rules_ledger rl;

		/* the connector's own caps when it is built in (Xero always) */
		if (strcmp(c->name, "xero") == 0)
			assert_non_null(ops);
		assert_int_equal(caps->doc_number_max, c->doc_number_max);
		assert_int_equal(caps->po_billable, c->po_billable);
		assert_int_equal(caps->po_upload_default, c->po_upload_default);
		assert_string_equal(caps->display_name, c->display_name);
		memset(&rl, 0, sizeof(rl));
		plan_ledger_of(caps, &rl);
		assert_int_equal(rl.doc_number_max, c->doc_number_max);
		assert_int_equal(rl.po_not_billable, !c->po_billable);
		assert_int_equal(rl.po_opt_in_only, !c->po_upload_default);
		assert_string_equal(rl.display_name, c->display_name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_eligibility), cmocka_unit_test(test_accounting_status),
	    cmocka_unit_test(test_unbilled),    cmocka_unit_test(test_references),
	    cmocka_unit_test(test_clashes),     cmocka_unit_test(test_clash_bad_args),
	    cmocka_unit_test(test_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
