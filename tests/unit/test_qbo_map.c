/*
 * test_qbo_map.c - the QuickBooks Online mapper (src/ledger/qbo/qbo_map*.c),
 * table-driven: every ledger-neutral document to its QBO entity, the line
 * shape of QBO's Amount = Qty x UnitPrice rule, the bounds that are refused
 * rather than cut, and the operations (sparse update, void, delete).
 *
 * JSON in the tables is written with ' for " (js() turns it back); the
 * element is compared as exact text, so amounts are checked digit by digit.
 * The resolver answers "Account:<c>" with "A<c>", "TaxCode:<c>" with "T<c>",
 * anything naming "missing" not at all, and any other symbol with "#" and
 * what follows its ':'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/money.h"
#include "ledger/qbo/qbo_paper.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int resolve(void *arg, const char *symbol, char *id)
{
	const char *colon = strchr(symbol, ':');

	(void)arg;
	if (strstr(symbol, "missing") != NULL || colon == NULL)
		return BS_ENOTFOUND;
	if (strncmp(symbol, "Account:", 8) == 0)
		snprintf(id, LEDGER_ID_MAX, "A%s", symbol + 8);
	else if (strncmp(symbol, "TaxCode:", 8) == 0)
		snprintf(id, LEDGER_ID_MAX, "T%s", symbol + 8);
	else
		snprintf(id, LEDGER_ID_MAX, "#%s", colon + 1);
	return BS_OK;
}

/* s with ' made " (malloc'd). */
static char *js(const char *s)
{
	char *r = strdup(s);

	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

/* ------------------------------------------------------------------ */
/* line shape */

struct shape_case {
	const char *qty, *price, *disc; /* decimal text */
	int rc;
	const char *amount, *out_qty, *out_price;
	bool rewritten;
};

static const struct shape_case shape_cases[] = {
    /* the product holds: sent as it is */
    {"2", "10.00", "0", BS_OK, "20.00", "2", "10.00", false},
    {"1000", "0.123456", "0", BS_OK, "123.46", "1000", "0.123456", false},
    {"0.5", "0.01", "0", BS_OK, "0.01", "0.5", "0.01", false},
    /* a rounding correction line: one unit of a negative amount */
    {"1", "-0.01", "0", BS_OK, "-0.01", "1", "-0.01", false},
    {"-2", "3.333333", "0", BS_OK, "-6.67", "-2", "3.333333", false},
    /* a discount is folded into the price when the product still holds:
     * 3 x 1.115 less 10% = 3.0105 -> 3.01, 3 x 1.0035 = 3.0105 -> 3.01 */
    {"3", "1.115", "10", BS_OK, "3.01", "3", "1.0035", true},
    /* 100 % off: nothing to pay, the product of 0 holds */
    {"4", "9.99", "100", BS_OK, "0.00", "4", "0.00", true},
    /* folded at 6 dp the product still holds: 1000 x 1.234567 less
     * 33.3333% = 823.0454... -> 823.05; 1000 x 0.823045 = 823.045 -> 823.05 */
    {"1000", "1.234567", "33.3333", BS_OK, "823.05", "1000", "0.823045", true},
    /* folding loses the digit that mattered: 1000 x 0.123457 less 12.5% =
     * 108.024875 -> 108.02, but 1000 x 0.108025 = 108.025 -> 108.03: the
     * line becomes 1 x 108.02 */
    {"1000", "0.123457", "12.5", BS_OK, "108.02", "1", "108.02", true},
    /* half a cent through micros is not half a cent: 0.5 x 0.009999 =
     * 0.0049995 -> 0.00 once, 0.005000 -> 0.01 through micros: rewritten */
    {"0.5", "0.009999", "0", BS_OK, "0.00", "1", "0.00", true},
    /* 7 x 1.99 less 12.345% = 12.2103... -> 12.21; 7 x 1.744335 =
     * 12.210345 -> 12.21: kept */
    {"7", "1.99", "12.345", BS_OK, "12.21", "7", "1.744335", true},
    {"1", "1.00", "100.0001", BS_ERANGE, NULL, NULL, NULL, false},
    {"1", "1.00", "-1", BS_ERANGE, NULL, NULL, NULL, false},
};

static void fmt(char *out, size_t cap, int64_t v, int dp, int min)
{
	struct buf b;

	buf_init(&b, 64);
	assert_int_equal(money_format(&b, v, dp, min), BS_OK);
	snprintf(out, cap, "%s", buf_cstr(&b));
	buf_free(&b);
}

static void test_line_shape(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(shape_cases); i++) {
		const struct shape_case *c = &shape_cases[i];
		struct qbo_line_shape s;
		int64_t qty, price, disc;
		char a[64], q[64], p[64];
		int rc;

		assert_int_equal(money_parse_qty(c->qty, strlen(c->qty), &qty), BS_OK);
		assert_int_equal(money_parse(c->price, strlen(c->price), 6, &price), BS_OK);
		assert_int_equal(money_parse_pct(c->disc, strlen(c->disc), &disc), BS_OK);
		rc = qbo_line_shape(qty, price, disc, &s);
		if (rc != c->rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, c->rc);
		if (rc != BS_OK)
			continue;
		fmt(a, sizeof(a), s.amount, MONEY_DP, 2);
		fmt(q, sizeof(q), s.qty, QTY_DP, 0);
		fmt(p, sizeof(p), s.price, MONEY_DP, 2);
		if (strcmp(a, c->amount) != 0 || strcmp(q, c->out_qty) != 0 ||
		    (strcmp(p, c->out_price) != 0 && !(c->rewritten && strcmp(q, "1") == 0)))
			fail_msg(
			    "case %zu: %s x %s less %s -> amount %s qty %s price %s; want %s %s "
			    "%s",
			    i, c->qty, c->price, c->disc, a, q, p, c->amount, c->out_qty,
			    c->out_price);
		assert_int_equal(s.rewritten, c->rewritten);
		/* the invariant QBO checks: Amount = Qty x UnitPrice at 2 dp */
		{
			int64_t prod;

			assert_int_equal(
			    money_line_amount(s.qty, s.price, 0, 2, MONEY_HALF_AWAY, &prod), BS_OK);
			if (prod != s.amount)
				fail_msg("case %zu: qty x price %lld != amount %lld", i,
				         (long long)prod, (long long)s.amount);
		}
	}
}

static void test_line_note(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(qbo_line_note(&b, 30000, 1115000, 100000), BS_OK);
	assert_string_equal(buf_cstr(&b), " (orig: 3 \xc3\x97 1.115 less 10%)");
	buf_reset(&b);
	assert_int_equal(qbo_line_note(&b, 10000000, 123456, 0), BS_OK);
	assert_string_equal(buf_cstr(&b), " (orig: 1000 \xc3\x97 0.123456)");
	buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* documents */

struct map_case {
	const char *type;
	const char *doc;
	const char *ledger_id, *sync_token; /* NULL: a create */
	int rc;
	const char *entity; /* qbo_entity_of, NULL when none */
	const char *want;   /* the element on BS_OK, else a piece of the error */
};

#define INV_LINES                                                                                  \
	"'lines':[{'description':'Widget','quantity':'2','unit_amount':'10.50','account':'200',"   \
	"'tax_type':'GST'},{'description':'Filters','quantity':'3','unit_amount':'1.115',"         \
	"'discount_rate':'10','account':'200','tax_type':'GST'},{'description':'Rounding "         \
	"correction','quantity':'1','unit_amount':'-0.01','account':'860','tax_type':'NONE'}]"

static const struct map_case map_cases[] = {
    /* ---- contacts: the symbol's kind decides Customer or Vendor */
    {"Contact",
     "{'op':'create','self':'Contact/customer:C-1','name':'Acme Ltd','email':'a@b.nz',"
     "'phone':'09 555','currency':'NZD','address':{'line1':'1 Queen St','city':'Auckland',"
     "'region':'AUK','postcode':'1010','country':'NZ'}}",
     NULL, NULL, BS_OK, "Customer",
     "{'DisplayName':'Acme Ltd','CompanyName':'Acme Ltd','PrimaryEmailAddr':{'Address':"
     "'a@b.nz'},'PrimaryPhone':{'FreeFormNumber':'09 555'},'CurrencyRef':{'value':'NZD'},"
     "'BillAddr':{'Line1':'1 Queen St','City':'Auckland','CountrySubDivisionCode':'AUK',"
     "'PostalCode':'1010','Country':'NZ'}}"},
    {"Contact",
     "{'op':'create','self':'Contact/supplier:S-1','name':'Parts Co','tax_number':'12-345'}", NULL,
     NULL, BS_OK, "Vendor",
     "{'DisplayName':'Parts Co','CompanyName':'Parts Co','TaxIdentifier':'12-345'}"},
    /* an update is sparse, with Id and SyncToken */
    {"Contact", "{'op':'update','self':'Contact/supplier:S-1','name':'Parts Co'}", "58", "2", BS_OK,
     "Vendor",
     "{'Id':'58','SyncToken':'2','sparse':true,'DisplayName':'Parts Co','CompanyName':"
     "'Parts Co'}"},
    /* a list entity is made inactive, never deleted */
    {"Contact", "{'op':'void','self':'Contact/customer:C-1','name':'Acme'}", "7", "0", BS_OK,
     "Customer", "{'Id':'7','SyncToken':'0','sparse':true,'Active':false}"},
    {"Contact", "{'op':'create','self':'Contact/customer:C-2','name':'A: B'}", NULL, NULL,
     BS_EINVAL, "Customer", "has a ':'"},
    {"Contact",
     "{'op':'create','self':'Contact/customer:C-3','name':'"
     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567"
     "890123456789X'}",
     NULL, NULL, BS_EINVAL, "Customer", "takes at most 100"},
    {"Contact", "{'op':'create','self':'Contact/other:X','name':'Nobody'}", NULL, NULL, BS_EINVAL,
     NULL, "has a form for"},
    {"Contact", "{'op':'create','self':'Contact/customer:C-4'}", NULL, NULL, BS_EINVAL, "Customer",
     "needs a name"},
    /* ---- items */
    {"Item",
     "{'op':'create','self':'Item/product:P-1','code':'W-1','name':'Widget','description':"
     "'Blue widget','sales_account':'200','purchase_account':'510'}",
     NULL, NULL, BS_OK, "Item",
     "{'Name':'W-1','Sku':'W-1','Description':'Blue widget','Type':'NonInventory',"
     "'IncomeAccountRef':{'value':'A200'},'ExpenseAccountRef':{'value':'A510'}}"},
    {"Item", "{'op':'create','self':'Item/product:P-2','name':'Consulting','sales_account':'210'}",
     NULL, NULL, BS_OK, "Item",
     "{'Name':'Consulting','Description':'Consulting','Type':'Service','IncomeAccountRef':{"
     "'value':'A210'}}"},
    /* no account of its own: the planner's default sales account */
    {"Item", "{'op':'create','self':'Item/product:P-4','code':'W-4','default_sales_account':'200'}",
     NULL, NULL, BS_OK, "Item",
     "{'Name':'W-4','Sku':'W-4','Type':'Service','IncomeAccountRef':{'value':'A200'}}"},
    {"Item", "{'op':'create','self':'Item/product:P-3','code':'W-1','sales_account':'999missing'}",
     NULL, NULL, BS_ENOTFOUND, "Item", "account 999missing is not in the QuickBooks company"},
    /* ---- sales invoice: discount folded, correction line as it is */
    {"Invoice",
     "{'op':'create','self':'Invoice/sale:SO-1','subtype':'sales','contact':"
     "'Contact/customer:C-1','number':'INV-SO-1','reference':'web order 77','date':"
     "'2026-10-01','due_date':'2026-10-20','delivery_date':'2026-10-03','currency':'NZD',"
     "'status':'AUTHORISED','amounts':'exclusive'," INV_LINES ",'expected_total':'27.61'}",
     NULL, NULL, BS_OK, "Invoice",
     "{'CustomerRef':{'value':'#C-1'},'DocNumber':'INV-SO-1','PrivateNote':'web order 77',"
     "'TxnDate':'2026-10-01','DueDate':'2026-10-20','ShipDate':'2026-10-03','CurrencyRef':{"
     "'value':'NZD'},'GlobalTaxCalculation':'TaxExcluded','Line':[{'Description':'Widget',"
     "'Amount':21.00,'DetailType':'SalesItemLineDetail','SalesItemLineDetail':{'Qty':2,"
     "'UnitPrice':10.50,'ItemAccountRef':{'value':'A200'},'TaxCodeRef':{'value':'TGST'}}},{"
     "'Description':'Filters (orig: 3 \xc3\x97 1.115 less 10%)','Amount':3.01,'DetailType':"
     "'SalesItemLineDetail','SalesItemLineDetail':{'Qty':3,'UnitPrice':1.0035,"
     "'ItemAccountRef':{'value':'A200'},'TaxCodeRef':{'value':'TGST'}}},{'Description':"
     "'Rounding correction','Amount':-0.01,'DetailType':'SalesItemLineDetail',"
     "'SalesItemLineDetail':{'Qty':1,'UnitPrice':-0.01,'ItemAccountRef':{'value':'A860'},"
     "'TaxCodeRef':{'value':'TNONE'}}}]}"},
    /* tax-inclusive amounts: each taxed line says its inclusive amount */
    {"Invoice",
     "{'op':'create','self':'Invoice/sale:SO-2','subtype':'sales','contact':"
     "'Contact/customer:C-1','number':'SO-2','amounts':'inclusive','lines':[{'quantity':'1',"
     "'unit_amount':'11.50','account':'200','tax_type':'GST'}]}",
     NULL, NULL, BS_OK, "Invoice",
     "{'CustomerRef':{'value':'#C-1'},'DocNumber':'SO-2','PrivateNote':'SO-2',"
     "'GlobalTaxCalculation':'TaxInclusive','Line':[{'Amount':11.50,'DetailType':"
     "'SalesItemLineDetail','SalesItemLineDetail':{'Qty':1,'UnitPrice':11.50,"
     "'ItemAccountRef':{'value':'A200'},'TaxCodeRef':{'value':'TGST'},'TaxInclusiveAmt':"
     "11.50}}]}"},
    /* a price whose product does not hold is rewritten to 1 x amount */
    {"Invoice",
     "{'op':'create','self':'Invoice/sale:SO-3','subtype':'sales','contact':"
     "'Contact/customer:C-1','number':'SO-3','amounts':'none','lines':[{'description':'Dust',"
     "'quantity':'0.5','unit_amount':'0.009999','account':'200'}]}",
     NULL, NULL, BS_OK, "Invoice",
     "{'CustomerRef':{'value':'#C-1'},'DocNumber':'SO-3','PrivateNote':'SO-3',"
     "'GlobalTaxCalculation':'NotApplicable','Line':[{'Description':'Dust (orig: 0.5 \xc3\x97 "
     "0.009999)','Amount':0.00,'DetailType':'SalesItemLineDetail','SalesItemLineDetail':{"
     "'Qty':1,'UnitPrice':0.00,'ItemAccountRef':{'value':'A200'}}}]}"},
    /* the planner's line_amount wins: 1 x 0.125 is 0.13 half away, the
     * planner said 0.12 (half to even), so the line is 1 x 0.12 */
    {"Invoice",
     "{'op':'create','self':'Invoice/sale:SO-7','subtype':'sales','contact':"
     "'Contact/customer:C-1','number':'SO-7','amounts':'none','lines':[{'description':'Pin',"
     "'quantity':'1','unit_amount':'0.125','line_amount':'0.12','account':'200'},{"
     "'description':'Nut','quantity':'2','unit_amount':'0.50','line_amount':'1.00',"
     "'account':'200'}]}",
     NULL, NULL, BS_OK, "Invoice",
     "{'CustomerRef':{'value':'#C-1'},'DocNumber':'SO-7','PrivateNote':'SO-7',"
     "'GlobalTaxCalculation':'NotApplicable','Line':[{'Description':'Pin (orig: 1 \xc3\x97 "
     "0.125)','Amount':0.12,'DetailType':'SalesItemLineDetail','SalesItemLineDetail':{"
     "'Qty':1,'UnitPrice':0.12,'ItemAccountRef':{'value':'A200'}}},{'Description':'Nut',"
     "'Amount':1.00,'DetailType':'SalesItemLineDetail','SalesItemLineDetail':{'Qty':2,"
     "'UnitPrice':0.50,'ItemAccountRef':{'value':'A200'}}}]}"},
    /* ---- bills: DocNumber at most 21, refused (never cut) past it */
    {"Invoice",
     "{'op':'create','self':'Invoice/purchase:PO-7','subtype':'purchases','contact':"
     "'Contact/supplier:S-1','number':'SI-1234567 + PO-000007','reference':'SI-1234567 + "
     "PO-000007','date':'2026-10-05','lines':[{'quantity':'1','unit_amount':'5','account':"
     "'510','tax_type':'GST'}]}",
     NULL, NULL, BS_EINVAL, "Bill", "DocNumber 'SI-1234567 + PO-000007' is 22 characters"},
    {"Invoice",
     "{'op':'create','self':'Invoice/purchase:PO-7','subtype':'purchases','contact':"
     "'Contact/supplier:S-1','number':'SI-123456 + PO-00000','reference':'SI-123456 + "
     "PO-000007 (whole)','date':'2026-10-05','due_date':'2026-11-05','purchase_order':"
     "'PurchaseOrder/purchase:PO-7','lines':[{'description':'Bolts','quantity':'3',"
     "'unit_amount':'1.115','account':'510','tax_type':'GST'}]}",
     NULL, NULL, BS_OK, "Bill",
     "{'VendorRef':{'value':'#S-1'},'DocNumber':'SI-123456 + PO-00000','PrivateNote':"
     "'SI-123456 + PO-000007 (whole)','TxnDate':'2026-10-05','DueDate':'2026-11-05',"
     "'GlobalTaxCalculation':'TaxExcluded','LinkedTxn':[{'TxnId':'#PO-7','TxnType':"
     "'PurchaseOrder'}],'Line':[{'Description':'Bolts (orig: 3 \xc3\x97 1.115)','Amount':3.35,"
     "'DetailType':'AccountBasedExpenseLineDetail','AccountBasedExpenseLineDetail':{"
     "'AccountRef':{'value':'A510'},'TaxCodeRef':{'value':'TGST'}}}]}"},
    /* ---- credit notes */
    {"CreditNote",
     "{'op':'create','self':'CreditNote/credit_note:CN-1','subtype':'sales','contact':"
     "'Contact/customer:C-1','number':'CN-1','date':'2026-10-06','due_date':'2026-10-09',"
     "'amounts':'exclusive','lines':[{'description':'Return','quantity':'1','unit_amount':"
     "'10.00','account':'200','tax_type':'GST'}]}",
     NULL, NULL, BS_OK, "CreditMemo",
     "{'CustomerRef':{'value':'#C-1'},'DocNumber':'CN-1','PrivateNote':'CN-1','TxnDate':"
     "'2026-10-06','GlobalTaxCalculation':'TaxExcluded','Line':[{'Description':'Return',"
     "'Amount':10.00,'DetailType':'SalesItemLineDetail','SalesItemLineDetail':{'Qty':1,"
     "'UnitPrice':10.00,'ItemAccountRef':{'value':'A200'},'TaxCodeRef':{'value':'TGST'}}}]}"},
    {"CreditNote",
     "{'op':'create','self':'CreditNote/credit_note:SC-1','subtype':'purchases','contact':"
     "'Contact/supplier:S-1','number':'SC-1','amounts':'exclusive','lines':[{'quantity':'2',"
     "'unit_amount':'4.00','account':'510','tax_type':'GST'}]}",
     NULL, NULL, BS_OK, "VendorCredit",
     "{'VendorRef':{'value':'#S-1'},'DocNumber':'SC-1','PrivateNote':'SC-1',"
     "'GlobalTaxCalculation':'TaxExcluded','Line':[{'Description':' (orig: 2 \xc3\x97 4.00)',"
     "'Amount':8.00,'DetailType':'AccountBasedExpenseLineDetail',"
     "'AccountBasedExpenseLineDetail':{'AccountRef':{'value':'A510'},'TaxCodeRef':{'value':"
     "'TGST'}}}]}"},
    /* ---- purchase orders, and one marked billed */
    {"PurchaseOrder",
     "{'op':'create','self':'PurchaseOrder/purchase:PO-8','subtype':'purchases','contact':"
     "'Contact/supplier:S-1','number':'PO-8','date':'2026-10-01','delivery_date':"
     "'2026-10-09','amounts':'exclusive','lines':[{'description':'Nuts','quantity':'1',"
     "'unit_amount':'2.50','account':'510','tax_type':'GST'}]}",
     NULL, NULL, BS_OK, "PurchaseOrder",
     "{'VendorRef':{'value':'#S-1'},'DocNumber':'PO-8','PrivateNote':'PO-8','TxnDate':"
     "'2026-10-01','ShipDate':'2026-10-09','GlobalTaxCalculation':"
     "'TaxExcluded','POStatus':'Open','Line':[{'Description':'Nuts','Amount':2.50,"
     "'DetailType':'AccountBasedExpenseLineDetail','AccountBasedExpenseLineDetail':{"
     "'AccountRef':{'value':'A510'},'TaxCodeRef':{'value':'TGST'}}}]}"},
    {"PurchaseOrder", "{'op':'status','self':'PurchaseOrder/purchase:PO-8','status':'BILLED'}",
     "31", "1", BS_OK, "PurchaseOrder",
     "{'Id':'31','SyncToken':'1','sparse':true,'POStatus':'Closed'}"},
    {"PurchaseOrder", "{'op':'status','self':'PurchaseOrder/purchase:PO-8','status':'DRAFT'}", "31",
     "1", BS_EINVAL, "PurchaseOrder", "status DRAFT"},
    /* ---- void and delete carry Id and SyncToken only */
    {"Invoice", "{'op':'void','self':'Invoice/sale:SO-1','subtype':'sales'}", "40", "3", BS_OK,
     "Invoice", "{'Id':'40','SyncToken':'3'}"},
    {"Invoice", "{'op':'void','self':'Invoice/sale:SO-1','subtype':'sales'}", "40", NULL, BS_EINVAL,
     "Invoice", "needs its SyncToken"},
    {"Invoice", "{'op':'update','self':'Invoice/sale:SO-1','subtype':'sales'}", NULL, NULL,
     BS_EINVAL, "Invoice", "needs its ledger id"},
    {"Invoice", "{'op':'archive','self':'Invoice/sale:SO-1'}", "40", "3", BS_EINVAL, "Invoice",
     "op 'archive'"},
    /* ---- journals: Debit > 0, Credit < 0; the narration is the key */
    {"ManualJournal",
     "{'op':'create','self':'ManualJournal/gift_voucher:GV-1','date':'2026-10-07',"
     "'narration':'Gift voucher GV-1 sold [gift_voucher:GV-1]','lines':[{'account':'090',"
     "'amount':'50.00','description':'Gift voucher GV-1 sold'},{'account':'830','amount':"
     "'-50.00','description':'Gift voucher GV-1 sold'}]}",
     NULL, NULL, BS_OK, "JournalEntry",
     "{'TxnDate':'2026-10-07','PrivateNote':'Gift voucher GV-1 sold [gift_voucher:GV-1]',"
     "'Line':[{'Description':'Gift voucher GV-1 sold','Amount':50.00,'DetailType':"
     "'JournalEntryLineDetail','JournalEntryLineDetail':{'PostingType':'Debit','AccountRef':{"
     "'value':'A090'}}},{'Description':'Gift voucher GV-1 sold','Amount':50.00,'DetailType':"
     "'JournalEntryLineDetail','JournalEntryLineDetail':{'PostingType':'Credit',"
     "'AccountRef':{'value':'A830'}}}]}"},
    {"ManualJournal", "{'op':'create','self':'ManualJournal/adjustment:A-1','lines':[{}]}", NULL,
     NULL, BS_EINVAL, "JournalEntry", "narration"},
    /* ---- money tasks */
    {"BankTransaction",
     "{'op':'create','self':'BankTransaction/money_task:MT-1','direction':'receive',"
     "'contact_name':'booksync money tasks','bank_account':'090','reference':'MT-1',"
     "'date':'2026-10-08','amounts':'exclusive','lines':[{'description':'Interest',"
     "'account':'404','amount':'12.00','tax_type':'NONE'}]}",
     NULL, NULL, BS_OK, "Deposit",
     "{'TxnDate':'2026-10-08','DocNumber':'MT-1','PrivateNote':'[booksync "
     "BankTransaction/money_task:MT-1]','DepositToAccountRef':{'value':'A090'},"
     "'GlobalTaxCalculation':'TaxExcluded','Line':[{'Description':'Interest','Amount':12.00,"
     "'DetailType':'DepositLineDetail','DepositLineDetail':{'AccountRef':{'value':'A404'},"
     "'TaxCodeRef':{'value':'TNONE'}}}]}"},
    {"BankTransaction",
     "{'op':'create','self':'BankTransaction/money_task:MT-2','direction':'spend','contact':"
     "'Contact/supplier:S-1','bank_account':'090','reference':"
     "'a-reference-longer-than-21','amounts':'inclusive','lines':[{'account':'429','amount':"
     "'23.00','tax_type':'GST'}]}",
     NULL, NULL, BS_OK, "Purchase",
     "{'PrivateNote':'[booksync BankTransaction/money_task:MT-2]','AccountRef':{'value':"
     "'A090'},'PaymentType':'Cash','EntityRef':{'value':'#S-1','type':'Vendor'},"
     "'GlobalTaxCalculation':'TaxInclusive','Line':[{'Amount':23.00,'DetailType':"
     "'AccountBasedExpenseLineDetail','AccountBasedExpenseLineDetail':{'AccountRef':{"
     "'value':'A429'},'TaxCodeRef':{'value':'TGST'},'TaxInclusiveAmt':23.00}}]}"},
    /* ---- payments */
    {"Payment",
     "{'op':'create','self':'Payment/payment:PAY-1','document':'Invoice/sale:SO-1','contact':"
     "'Contact/customer:C-1','account':'090','amount':'27.61','date':'2026-10-09',"
     "'reference':'PAY-1'}",
     NULL, NULL, BS_OK, "Payment",
     "{'CustomerRef':{'value':'#C-1'},'TxnDate':'2026-10-09','TotalAmt':27.61,'PrivateNote':"
     "'[booksync Payment/payment:PAY-1 Invoice/sale:SO-1]','DepositToAccountRef':{'value':"
     "'A090'},'Line':[{'Amount':27.61,'LinkedTxn':[{'TxnId':'#SO-1','TxnType':'Invoice'}]}]}"},
    {"Payment",
     "{'op':'create','self':'Payment/payment:PAY-2','document':'Invoice/purchase:PO-7',"
     "'contact':'Contact/supplier:S-1','account':'090','amount':'3.85','date':'2026-10-09'}",
     NULL, NULL, BS_OK, "BillPayment",
     "{'VendorRef':{'value':'#S-1'},'TxnDate':'2026-10-09','TotalAmt':3.85,'PrivateNote':"
     "'[booksync Payment/payment:PAY-2 Invoice/purchase:PO-7]','PayType':'Check',"
     "'CheckPayment':{'BankAccountRef':{'value':'A090'}},'Line':[{'Amount':3.85,'LinkedTxn':"
     "[{'TxnId':'#PO-7','TxnType':'Bill'}]}]}"},
    /* a gift voucher redeemed: paid from the liability account */
    {"Payment",
     "{'op':'create','self':'Payment/gift_voucher:GV-1','document':'Invoice/sale:SO-1',"
     "'contact':'Contact/customer:C-1','account':'830','amount':'20.00'}",
     NULL, NULL, BS_OK, "Payment",
     "{'CustomerRef':{'value':'#C-1'},'TotalAmt':20.00,'PrivateNote':'[booksync "
     "Payment/gift_voucher:GV-1 Invoice/sale:SO-1]','DepositToAccountRef':{'value':'A830'},"
     "'Line':[{'Amount':20.00,'LinkedTxn':[{'TxnId':'#SO-1','TxnType':'Invoice'}]}]}"},
    /* a credit note paid out: an expense to the customer on A/R */
    {"Payment",
     "{'op':'create','self':'Payment/store_credit:SC-9','document':"
     "'CreditNote/store_credit:SC-1','contact':'Contact/customer:C-1','account':'090',"
     "'amount':'5.00','date':'2026-10-10'}",
     NULL, NULL, BS_OK, "Purchase",
     "{'TxnDate':'2026-10-10','PrivateNote':'[booksync Payment/store_credit:SC-9 "
     "CreditNote/store_credit:SC-1]','AccountRef':{'value':'A090'},'PaymentType':'Cash',"
     "'EntityRef':{'value':'#C-1','type':'Customer'},'Line':[{'Description':'Refund of "
     "credit','Amount':5.00,'DetailType':'AccountBasedExpenseLineDetail',"
     "'AccountBasedExpenseLineDetail':{'AccountRef':{'value':'AAccounts Receivable "
     "(A/R)'},'CustomerRef':"
     "{'value':'#C-1'}}}]}"},
    /* a supplier's credit paid back: a deposit on A/P */
    {"Payment",
     "{'op':'create','self':'Payment/payment:PAY-3','document':'CreditNote/credit_note:SC-1',"
     "'contact':'Contact/supplier:S-1','account':'090','amount':'8.00','payable_account':"
     "'800'}",
     NULL, NULL, BS_OK, "Deposit",
     "{'PrivateNote':'[booksync Payment/payment:PAY-3 CreditNote/credit_note:SC-1]',"
     "'DepositToAccountRef':{'value':'A090'},'Line':[{'Description':'Refund of credit',"
     "'Amount':8.00,'DetailType':'DepositLineDetail','DepositLineDetail':{'Entity':{'value':"
     "'#S-1','type':'Vendor'},'AccountRef':{'value':'A800'}}}]}"},
    {"Payment",
     "{'op':'create','self':'Payment/payment:PAY-4','document':'Invoice/sale:SO-1','account':"
     "'090','amount':'1.00'}",
     NULL, NULL, BS_EINVAL, "Payment", "must name its contact"},
    {"Payment",
     "{'op':'create','self':'Payment/payment:PAY-5','document':'Invoice/sale:SO-1','contact':"
     "'Contact/customer:C-1','account':'090','amount':'0.001'}",
     NULL, NULL, BS_EINVAL, "Payment", "not a positive amount"},
    {"Payment",
     "{'op':'create','self':'Payment/payment:PAY-6','document':'Invoice/sale:missing',"
     "'contact':'Contact/customer:C-1','account':'090','amount':'1.00'}",
     NULL, NULL, BS_ENOTFOUND, "Payment", "Invoice/sale:missing is not posted yet"},
    {"Payment", "{'op':'void','self':'Payment/payment:PAY-1','document':'Invoice/sale:SO-1'}", "77",
     "0", BS_OK, "Payment", "{'Id':'77','SyncToken':'0'}"},
    /* ---- allocation: a Payment of 0 linking invoice and credit memo */
    {"Allocation",
     "{'op':'create','self':'Allocation/store_credit:SU-1','credit_note':"
     "'CreditNote/store_credit:SC-1','invoice':'Invoice/sale:SO-1','contact':"
     "'Contact/customer:C-1','amount':'5.00','date':'2026-10-11'}",
     NULL, NULL, BS_OK, "Payment",
     "{'CustomerRef':{'value':'#C-1'},'TxnDate':'2026-10-11','TotalAmt':0,'PrivateNote':"
     "'[booksync Allocation/store_credit:SU-1 CreditNote/store_credit:SC-1]','Line':[{"
     "'Amount':5.00,'LinkedTxn':[{'TxnId':'#SO-1','TxnType':'Invoice'}]},{'Amount':5.00,"
     "'LinkedTxn':[{'TxnId':'#SC-1','TxnType':'CreditMemo'}]}]}"},
    {"Allocation",
     "{'op':'create','self':'Allocation/store_credit:SU-2','credit_note':'CreditNote/x:1',"
     "'invoice':'Invoice/sale:SO-1','contact':'Contact/supplier:S-1','amount':'5.00'}",
     NULL, NULL, BS_EINVAL, "Payment", "not a customer"},
    /* ---- unknown codes are named, not guessed */
    {"Invoice",
     "{'op':'create','self':'Invoice/sale:SO-4','subtype':'sales','contact':"
     "'Contact/customer:C-1','number':'SO-4','lines':[{'quantity':'1','unit_amount':'1',"
     "'account':'200','tax_type':'GST-missing'}]}",
     NULL, NULL, BS_ENOTFOUND, "Invoice", "tax code GST-missing is not in the QuickBooks"},
    {"Invoice",
     "{'op':'create','self':'Invoice/sale:SO-5','subtype':'sales','contact':"
     "'Contact/customer:missing','number':'SO-5','lines':[{'quantity':'1','unit_amount':'1'}]}",
     NULL, NULL, BS_ENOTFOUND, "Invoice", "Contact/customer:missing is not posted yet"},
    {"Invoice",
     "{'op':'create','self':'Invoice/sale:SO-6','subtype':'sales','contact':"
     "'Contact/customer:C-1','number':'SO-6','lines':[]}",
     NULL, NULL, BS_EINVAL, "Invoice", "no lines"},
};

static void test_map_element(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(map_cases); i++) {
		const struct map_case *c = &map_cases[i];
		char *doc_s = js(c->doc);
		struct json_object *doc = json_tokener_parse(doc_s);
		enum ledger_doc_type t;
		struct bs_error err;
		const char *ent;
		struct buf out;
		int rc;

		if (doc == NULL)
			fail_msg("case %zu: bad doc JSON", i);
		assert_int_equal(ledger_doc_type_from_name(c->type, strlen(c->type), &t), BS_OK);
		ent = qbo_entity_of(t, doc);
		if ((ent == NULL) != (c->entity == NULL) ||
		    (ent != NULL && strcmp(ent, c->entity) != 0))
			fail_msg("case %zu: entity %s, want %s", i, ent ? ent : "NULL",
			         c->entity ? c->entity : "NULL");
		buf_init(&out, 1 << 20);
		bs_error_clear(&err);
		rc =
		    qbo_map_element(t, doc, c->ledger_id, c->sync_token, resolve, NULL, &out, &err);
		if (rc != c->rc)
			fail_msg("case %zu: rc %d (%s), want %d", i, rc, err.msg, c->rc);
		if (rc == BS_OK) {
			char *want = js(c->want);

			if (strcmp(buf_cstr(&out), want) != 0) {
				size_t d = 0;

				while (buf_cstr(&out)[d] == want[d])
					d++;
				d = d > 20 ? d - 20 : 0;
				fail_msg("case %zu, from byte %zu:\n got  %.300s\n want %.300s", i,
				         d, buf_cstr(&out) + d, want + d);
			}
			/* what is written is JSON */
			json_object_put(json_tokener_parse(buf_cstr(&out)));
			free(want);
		} else if (strstr(err.msg, c->want) == NULL) {
			fail_msg("case %zu: error '%s' lacks '%s'", i, err.msg, c->want);
		}
		buf_free(&out);
		json_object_put(doc);
		free(doc_s);
	}
}

/* PrivateNote keeps up to 4000 characters whole, and refuses more. */
static void test_private_note_bound(void **state)
{
	char ref[4100], doc_s[4600];
	struct bs_error err;
	struct buf out;

	(void)state;
	for (size_t len = 3999; len <= 4001; len++) {
		struct json_object *doc;
		int rc;

		memset(ref, 'r', len);
		ref[len] = '\0';
		snprintf(
		    doc_s, sizeof(doc_s),
		    "{\"op\":\"create\",\"subtype\":\"sales\",\"contact\":\"Contact/customer:C\","
		    "\"number\":\"N-1\",\"reference\":\"%s\",\"lines\":[{\"quantity\":\"1\","
		    "\"unit_amount\":\"1\",\"account\":\"200\"}]}",
		    ref);
		doc = json_tokener_parse(doc_s);
		buf_init(&out, 1 << 20);
		bs_error_clear(&err);
		rc = qbo_map_element(LEDGER_INVOICE, doc, NULL, NULL, resolve, NULL, &out, &err);
		if (len <= 4000) {
			assert_int_equal(rc, BS_OK);
			assert_non_null(strstr(buf_cstr(&out), ref));
		} else {
			assert_int_equal(rc, BS_EINVAL);
			assert_non_null(strstr(err.msg, "at most 4000"));
		}
		buf_free(&out);
		json_object_put(doc);
	}
}

/* qbo_op_of: which batch operation each op becomes, per entity. */
static void test_ops(void **state)
{
	static const struct {
		enum ledger_doc_type t;
		const char *doc;
		int rc;
		enum qbo_op op;
	} cases[] = {
	    {LEDGER_INVOICE, "{'op':'create','subtype':'sales'}", BS_OK, QBO_OP_CREATE},
	    {LEDGER_INVOICE, "{'op':'update','subtype':'sales'}", BS_OK, QBO_OP_UPDATE},
	    {LEDGER_INVOICE, "{'op':'void','subtype':'sales'}", BS_OK, QBO_OP_VOID},
	    {LEDGER_INVOICE, "{'op':'void','subtype':'purchases'}", BS_OK, QBO_OP_DELETE},
	    {LEDGER_CREDIT_NOTE, "{'op':'void','subtype':'sales'}", BS_OK, QBO_OP_VOID},
	    {LEDGER_CREDIT_NOTE, "{'op':'void','subtype':'purchases'}", BS_OK, QBO_OP_DELETE},
	    {LEDGER_PURCHASE_ORDER, "{'op':'void'}", BS_OK, QBO_OP_DELETE},
	    {LEDGER_PURCHASE_ORDER, "{'op':'status'}", BS_OK, QBO_OP_UPDATE},
	    {LEDGER_MANUAL_JOURNAL, "{'op':'void'}", BS_OK, QBO_OP_DELETE},
	    {LEDGER_BANK_TRANSACTION, "{'op':'void','direction':'spend'}", BS_OK, QBO_OP_DELETE},
	    {LEDGER_PAYMENT, "{'op':'void','document':'Invoice/sale:1'}", BS_OK, QBO_OP_VOID},
	    {LEDGER_PAYMENT, "{'op':'void','document':'Invoice/purchase:1'}", BS_OK, QBO_OP_VOID},
	    {LEDGER_PAYMENT, "{'op':'void','document':'CreditNote/x:1'}", BS_OK, QBO_OP_DELETE},
	    {LEDGER_ALLOCATION, "{'op':'void'}", BS_OK, QBO_OP_VOID},
	    {LEDGER_CONTACT, "{'op':'void','self':'Contact/customer:1'}", BS_OK, QBO_OP_UPDATE},
	    {LEDGER_ITEM, "{'op':'void'}", BS_OK, QBO_OP_UPDATE},
	    {LEDGER_ITEM, "{'op':'merge'}", BS_EINVAL, QBO_OP_CREATE},
	    {LEDGER_CONTACT, "{'op':'void','self':'Contact/x:1'}", BS_EINVAL, QBO_OP_CREATE},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		char *s = js(cases[i].doc);
		struct json_object *doc = json_tokener_parse(s);
		enum qbo_op op = QBO_OP_CREATE;
		int rc = qbo_op_of(cases[i].t, doc, &op);

		if (rc != cases[i].rc || (rc == BS_OK && op != cases[i].op))
			fail_msg("case %zu: rc %d op %d, want %d %d", i, rc, (int)op, cases[i].rc,
			         (int)cases[i].op);
		assert_int_equal(qbo_needs_sync_token(doc), strstr(s, "create") == NULL);
		json_object_put(doc);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_line_shape),  cmocka_unit_test(test_line_note),
	    cmocka_unit_test(test_map_element), cmocka_unit_test(test_private_note_bound),
	    cmocka_unit_test(test_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
