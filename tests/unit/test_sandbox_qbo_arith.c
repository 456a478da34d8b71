/*
 * test_sandbox_qbo_arith.c - the QuickBooks Online sandbox's arithmetic:
 * Qty and UnitPrice to 7 decimals, Amount to 2, Amount = Qty × UnitPrice
 * (6070), tax per rate through TaxCodeRef into TxnTaxDetail and TotalAmt,
 * TaxInclusive, journal balance, payments against invoice balances.
 */
#include "test_sandbox_qbo_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* The default company's GST tax code and its Out of Scope code. */
#define GST "5"
#define OOS "8"

struct line_case {
	const char *qty, *price, *amount; /* JSON number text; NULL = absent */
	const char *tax;                  /* TaxCodeRef or NULL */
	long status;
	const char *code;  /* Fault code on 400 */
	const char *total; /* TotalAmt on 200 */
	const char *ttax;  /* TotalTax on 200 */
};

static const struct line_case cases[] = {
    {"3", "3.3366667", "10.01", GST, 200, NULL, "11.51", "1.50"},
    {"3", "3.3366667", "10.02", GST, 400, "6070", NULL, NULL},
    {"3", "3.3366667", "10.00", GST, 400, "6070", NULL, NULL},
    {"1.5", "2", "3", NULL, 200, NULL, "3.00", "0.00"},
    {"0.3333333", "3", "1.00", OOS, 200, NULL, "1.00", "0.00"},
    {"0.3333333", "3", "0.99", NULL, 400, "6070", NULL, NULL},
    {"2", "0.005", "0.01", GST, 200, NULL, "0.01", "0.00"},     /* 0.01 × 15 % = 0.0015 -> 0 */
    {"1", "0.12345678", "0.12", NULL, 400, "6000", NULL, NULL}, /* 8 decimals */
    {"1.12345678", "1", "1.12", NULL, 400, "6000", NULL, NULL},
    {NULL, NULL, "10.005", GST, 200, NULL, "11.51", "1.50"}, /* Amount 10.01, tax 1.5015 */
    {NULL, NULL, "-5", GST, 200, NULL, "-5.75", "-0.75"},
    {"-2", "2.5", "-5.00", NULL, 200, NULL, "-5.00", "0.00"},
    {"10", "9.9999999", "100.00", GST, 200, NULL, "115.00", "15.00"},
    {"7", "1.4285714", "10.00", GST, 200, NULL, "11.50", "1.50"},
    {NULL, NULL, NULL, GST, 400, "2020", NULL, NULL}, /* Amount missing */
};

static void post_invoice(struct tc *t, const char *cust, const struct line_case *c)
{
	char det[256] = "", body[1024];
	size_t n = 0;

	if (c->qty)
		n += (size_t)snprintf(det + n, sizeof(det) - n, "\"Qty\":%s,", c->qty);
	if (c->price)
		n += (size_t)snprintf(det + n, sizeof(det) - n, "\"UnitPrice\":%s,", c->price);
	if (c->tax)
		n += (size_t)snprintf(det + n, sizeof(det) - n,
		                      "\"TaxCodeRef\":{\"value\":\"%s\"},", c->tax);
	snprintf(det + n, sizeof(det) - n, "\"ItemRef\":{\"value\":\"30\"}");
	snprintf(body, sizeof(body),
	         "{\"CustomerRef\":{\"value\":\"%s\"},\"Line\":[{\"DetailType\":"
	         "\"SalesItemLineDetail\"%s%s,\"SalesItemLineDetail\":{%s}}]}",
	         cust, c->amount ? ",\"Amount\":" : "", c->amount ? c->amount : "", det);
	qreq(t, "POST", "invoice", body);
}

static void test_line_arithmetic(void **state)
{
	struct tc t;
	const char *cust;
	char id[32];

	(void)state;
	assert_int_equal(qstart(&t), 0);
	cust = qparty(&t, "customer", "Arith Ltd");
	assert_non_null(cust);
	snprintf(id, sizeof(id), "%s", cust);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct line_case *c = &cases[i];

		post_invoice(&t, id, c);
		if (t.status != c->status)
			fail_msg("case %zu: status %ld, want %ld: %s", i, t.status, c->status,
			         buf_cstr(&t.body));
		if (c->status == 200) {
			assert_string_equal(tc_get(&t, "Invoice.TotalAmt"), c->total);
			assert_string_equal(tc_get(&t, "Invoice.TxnTaxDetail.TotalTax"), c->ttax);
			assert_string_equal(tc_get(&t, "Invoice.Balance"), c->total);
		} else {
			assert_string_equal(qcode(&t), c->code);
		}
	}
	tc_stop(&t);
}

/* Tax is rounded once per rate over the lines, not per line. */
static void test_tax_per_rate(void **state)
{
	struct tc t;
	char body[1024];
	const char *cust;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	cust = qparty(&t, "customer", "Rates Ltd");
	/* three lines of 0.10 at 15 %: 0.045 -> 0.05 once (per line it would be 0.06) */
	snprintf(body, sizeof(body),
	         "{\"CustomerRef\":{\"value\":\"%s\"},\"Line\":["
	         "{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":0.1,\"SalesItemLineDetail\":"
	         "{\"TaxCodeRef\":{\"value\":\"" GST "\"}}},"
	         "{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":0.1,\"SalesItemLineDetail\":"
	         "{\"TaxCodeRef\":{\"value\":\"" GST "\"}}},"
	         "{\"DetailType\":\"SubTotalLineDetail\",\"SubTotalLineDetail\":{}},"
	         "{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":0.1,\"SalesItemLineDetail\":"
	         "{\"TaxCodeRef\":{\"value\":\"" GST "\"}}}]}",
	         cust);
	assert_int_equal(qreq(&t, "POST", "invoice", body), 200);
	assert_string_equal(tc_get(&t, "Invoice.TxnTaxDetail.TotalTax"), "0.05");
	assert_string_equal(
	    tc_get(&t, "Invoice.TxnTaxDetail.TaxLine.0.TaxLineDetail.TaxRateRef.value"), "1");
	assert_string_equal(
	    tc_get(&t, "Invoice.TxnTaxDetail.TaxLine.0.TaxLineDetail.NetAmountTaxable"), "0.30");
	assert_string_equal(tc_get(&t, "Invoice.Line.2.Amount"), "0.20"); /* the subtotal */
	assert_string_equal(tc_get(&t, "Invoice.TotalAmt"), "0.35");
	/* a bill uses the purchase rate (2) of the same code */
	assert_int_equal(qreq(&t, "POST", "vendor", "{\"DisplayName\":\"Supplier Ltd\"}"), 200);
	snprintf(
	    body, sizeof(body),
	    "{\"VendorRef\":{\"value\":\"%s\"},\"Line\":[{\"DetailType\":"
	    "\"AccountBasedExpenseLineDetail\",\"Amount\":200,\"AccountBasedExpenseLineDetail\":"
	    "{\"AccountRef\":{\"value\":\"14\"},\"TaxCodeRef\":{\"value\":\"" GST "\"}}}]}",
	    tc_get(&t, "Vendor.Id"));
	assert_int_equal(qreq(&t, "POST", "bill", body), 200);
	assert_string_equal(
	    tc_get(&t, "Bill.TxnTaxDetail.TaxLine.0.TaxLineDetail.TaxRateRef.value"), "2");
	assert_string_equal(tc_get(&t, "Bill.TotalAmt"), "230.00");
	tc_stop(&t);
}

static void test_tax_inclusive(void **state)
{
	struct tc t;
	char body[1024];
	const char *cust;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	cust = qparty(&t, "customer", "Incl Ltd");
	snprintf(body, sizeof(body),
	         "{\"CustomerRef\":{\"value\":\"%s\"},\"GlobalTaxCalculation\":\"TaxInclusive\","
	         "\"Line\":[{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":100,"
	         "\"SalesItemLineDetail\":{\"TaxInclusiveAmt\":115,\"TaxCodeRef\":{\"value\":\"" GST
	         "\"}}}]}",
	         cust);
	assert_int_equal(qreq(&t, "POST", "invoice", body), 200);
	assert_string_equal(tc_get(&t, "Invoice.TxnTaxDetail.TotalTax"), "15.00");
	assert_string_equal(tc_get(&t, "Invoice.TotalAmt"), "115.00");
	/* without TaxInclusiveAmt: 2020 */
	snprintf(body, sizeof(body),
	         "{\"CustomerRef\":{\"value\":\"%s\"},\"GlobalTaxCalculation\":\"TaxInclusive\","
	         "\"Line\":[{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":100,"
	         "\"SalesItemLineDetail\":{\"TaxCodeRef\":{\"value\":\"" GST "\"}}}]}",
	         cust);
	assert_int_equal(qreq(&t, "POST", "invoice", body), 400);
	assert_string_equal(qcode(&t), "2020");
	/* NotApplicable: no tax at all */
	snprintf(body, sizeof(body),
	         "{\"CustomerRef\":{\"value\":\"%s\"},\"GlobalTaxCalculation\":\"NotApplicable\","
	         "\"Line\":[{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":100,"
	         "\"SalesItemLineDetail\":{\"TaxCodeRef\":{\"value\":\"" GST "\"}}}]}",
	         cust);
	assert_int_equal(qreq(&t, "POST", "invoice", body), 200);
	assert_string_equal(tc_get(&t, "Invoice.TotalAmt"), "100.00");
	assert_int_equal(qreq(&t, "POST", "invoice",
	                      "{\"CustomerRef\":{\"value\":\"33\"},\"GlobalTaxCalculation\":"
	                      "\"Sometimes\",\"Line\":[]}"),
	                 400);
	tc_stop(&t);
}

struct je_case {
	const char *d1, *c1;
	long status;
};

static void test_journal_balance(void **state)
{
	static const struct je_case jc[] = {
	    {"10.00", "10", 200}, {"10.01", "10", 400}, {"0.005", "0.01", 200}, {"5", NULL, 400}};
	struct tc t;
	char body[1024];

	(void)state;
	assert_int_equal(qstart(&t), 0);
	for (size_t i = 0; i < sizeof(jc) / sizeof(jc[0]); i++) {
		snprintf(body, sizeof(body),
		         "{\"Line\":[{\"DetailType\":\"JournalEntryLineDetail\",\"Amount\":%s,"
		         "\"JournalEntryLineDetail\":{\"PostingType\":\"Debit\",\"AccountRef\":"
		         "{\"value\":\"29\"}}}%s%s%s]}",
		         jc[i].d1,
		         jc[i].c1 ? ",{\"DetailType\":\"JournalEntryLineDetail\",\"Amount\":" : "",
		         jc[i].c1 ? jc[i].c1 : "",
		         jc[i].c1 ? ",\"JournalEntryLineDetail\":{\"PostingType\":\"Credit\","
		                    "\"AccountRef\":{\"value\":\"18\"}}}"
		                  : "");
		if (qreq(&t, "POST", "journalentry", body) != jc[i].status)
			fail_msg("case %zu: %ld %s", i, t.status, buf_cstr(&t.body));
		if (jc[i].status == 200)
			assert_string_equal(tc_get(&t, "JournalEntry.TotalAmt"), "0.00");
		else
			assert_string_equal(qcode(&t), "6000");
	}
	/* a line on Accounts Receivable needs a customer */
	assert_int_equal(
	    qreq(&t, "POST", "journalentry",
	         "{\"Line\":[{\"DetailType\":\"JournalEntryLineDetail\",\"Amount\":1,"
	         "\"JournalEntryLineDetail\":{\"PostingType\":\"Debit\",\"AccountRef\":{\"value\":"
	         "\"16\"}}},{\"DetailType\":\"JournalEntryLineDetail\",\"Amount\":1,"
	         "\"JournalEntryLineDetail\":{\"PostingType\":\"Credit\",\"AccountRef\":{\"value\":"
	         "\"9\"}}}]}"),
	    400);
	assert_non_null(strstr(tc_get(&t, "Fault.Error.0.Detail"), "Customer"));
	tc_stop(&t);
}

static void test_payments_apply(void **state)
{
	struct tc t;
	char body[1024], inv[32], pay[32], cust[32];

	(void)state;
	assert_int_equal(qstart(&t), 0);
	snprintf(cust, sizeof(cust), "%s", qparty(&t, "customer", "Payer Ltd"));
	snprintf(body, sizeof(body),
	         "{\"CustomerRef\":{\"value\":\"%s\"},\"Line\":[{\"DetailType\":"
	         "\"SalesItemLineDetail\",\"Amount\":100,\"SalesItemLineDetail\":{}}]}",
	         cust);
	assert_int_equal(qreq(&t, "POST", "invoice", body), 200);
	snprintf(inv, sizeof(inv), "%s", tc_get(&t, "Invoice.Id"));
	snprintf(body, sizeof(body),
	         "{\"CustomerRef\":{\"value\":\"%s\"},\"TotalAmt\":70,\"Line\":[{\"Amount\":60,"
	         "\"LinkedTxn\":[{\"TxnId\":\"%s\",\"TxnType\":\"Invoice\"}]}]}",
	         cust, inv);
	assert_int_equal(qreq(&t, "POST", "payment", body), 200);
	snprintf(pay, sizeof(pay), "%s", tc_get(&t, "Payment.Id"));
	assert_string_equal(tc_get(&t, "Payment.UnappliedAmt"), "10.00");
	assert_int_equal(qreq(&t, "GET", "invoice/", NULL), 400);
	snprintf(body, sizeof(body), "invoice/%s", inv);
	assert_int_equal(qreq(&t, "GET", body, NULL), 200);
	assert_string_equal(tc_get(&t, "Invoice.Balance"), "40.00");
	assert_string_equal(tc_get(&t, "Invoice.SyncToken"), "1");
	/* more than the balance: refused */
	snprintf(body, sizeof(body),
	         "{\"CustomerRef\":{\"value\":\"%s\"},\"TotalAmt\":50,\"Line\":[{\"Amount\":50,"
	         "\"LinkedTxn\":[{\"TxnId\":\"%s\",\"TxnType\":\"Invoice\"}]}]}",
	         cust, inv);
	assert_int_equal(qreq(&t, "POST", "payment", body), 400);
	assert_string_equal(qcode(&t), "6000");
	/* the invoice with a payment can be neither deleted nor voided */
	snprintf(body, sizeof(body), "{\"Id\":\"%s\",\"SyncToken\":\"1\"}", inv);
	assert_int_equal(qreq(&t, "POST", "invoice?operation=void", body), 400);
	/* voiding the payment gives the balance back */
	snprintf(body, sizeof(body), "{\"Id\":\"%s\",\"SyncToken\":\"0\"}", pay);
	if (qreq(&t, "POST", "payment?operation=void", body) != 200)
		fail_msg("%s", buf_cstr(&t.body));
	assert_string_equal(tc_get(&t, "Payment.TotalAmt"), "0.00");
	assert_string_equal(tc_get(&t, "Payment.PrivateNote"), "Voided");
	snprintf(body, sizeof(body), "invoice/%s", inv);
	assert_int_equal(qreq(&t, "GET", body, NULL), 200);
	assert_string_equal(tc_get(&t, "Invoice.Balance"), "100.00");
	tc_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_line_arithmetic), cmocka_unit_test(test_tax_per_rate),
	    cmocka_unit_test(test_tax_inclusive),   cmocka_unit_test(test_journal_balance),
	    cmocka_unit_test(test_payments_apply),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
