/*
 * test_sandbox_qbo_cur.c - the QuickBooks Online sandbox's default company
 * and its multicurrency: the accounts and tax codes examples/ and the demo
 * use are there under the Xero sandbox's numbers; a customer or vendor has
 * one currency from the company's list; a transaction is in its party's
 * currency, with an ExchangeRate; with multicurrency turned off only the home
 * currency goes (docs/sandbox.md, "Currencies (QBO)").
 */
#include "test_sandbox_qbo_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* The accounts the sample month and booksync's default settings name. */
static void test_default_chart(void **state)
{
	static const char *const nums[] = {"090", "200", "260", "310", "429", "610",
	                                   "630", "800", "820", "825", "860", "960"};
	static const char *const taxes[] = {"GST", "Zero-rated", "Exempt", "Out of Scope"};
	struct tc t;
	char q[256];

	(void)state;
	assert_int_equal(qstart(&t), 0);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		snprintf(q, sizeof(q),
		         "query?query=select%%20*%%20from%%20Account%%20where%%20"
		         "AcctNum%%20%%3D%%20%%27%s%%27",
		         nums[i]);
		assert_int_equal(qreq(&t, "GET", q, NULL), 200);
		if (tc_len(&t, "QueryResponse.Account") != 1)
			fail_msg("account %s: %s", nums[i], buf_cstr(&t.body));
	}
	for (size_t i = 0; i < sizeof(taxes) / sizeof(taxes[0]); i++) {
		snprintf(q, sizeof(q),
		         "query?query=select%%20*%%20from%%20TaxCode%%20where%%20"
		         "Name%%20%%3D%%20%%27%s%%27",
		         taxes[i]);
		for (char *p = strchr(q, ' '); p; p = strchr(q, ' '))
			*p = '+';
		assert_int_equal(qreq(&t, "GET", q, NULL), 200);
		if (tc_len(&t, "QueryResponse.TaxCode") != 1)
			fail_msg("tax code %s: %s", taxes[i], buf_cstr(&t.body));
	}
	assert_int_equal(qreq(&t, "GET", "preferences", NULL), 200);
	assert_string_equal(tc_get(&t, "Preferences.CurrencyPrefs.MultiCurrencyEnabled"), "true");
	assert_string_equal(tc_get(&t, "Preferences.CurrencyPrefs.HomeCurrency.value"), "NZD");
	tc_stop(&t);
}

struct cur_case {
	const char *what, *path, *body;
	long status;
	const char *code;         /* Fault code, or NULL on 200 */
	const char *field, *want; /* on 200: a field of the reply and its value */
};

#define LINE                                                                                       \
	"\"Line\":[{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":10,"                         \
	"\"SalesItemLineDetail\":{}}]"
#define BLINE                                                                                      \
	"\"Line\":[{\"DetailType\":\"AccountBasedExpenseLineDetail\",\"Amount\":10,"               \
	"\"AccountBasedExpenseLineDetail\":{\"AccountRef\":{\"value\":\"29\"}}}]"

/* Against: customer 33 "Home Ltd" (NZD), customer 34 "Aussie Pty" (AUD),
 * vendor 35 "Yankee Inc" (USD). */
static const struct cur_case cases[] = {
    {"a customer in a listed currency", "customer",
     "{\"DisplayName\":\"Kyoto Kissa\",\"CurrencyRef\":{\"value\":\"JPY\"}}", 200, NULL,
     "Customer.CurrencyRef.name", "Japanese Yen"},
    {"a customer without currency is in NZD", "customer", "{\"DisplayName\":\"Plain Ltd\"}", 200,
     NULL, "Customer.CurrencyRef.value", "NZD"},
    {"a currency not in the list", "customer",
     "{\"DisplayName\":\"Franc Sarl\",\"CurrencyRef\":{\"value\":\"CHF\"}}", 400, "6000", NULL,
     NULL},
    {"an AUD invoice for the AUD customer", "invoice",
     "{\"CustomerRef\":{\"value\":\"34\"},\"CurrencyRef\":{\"value\":\"AUD\"},"
     "\"ExchangeRate\":1.093808," LINE "}",
     200, NULL, "Invoice.ExchangeRate", "1.093808"},
    {"the rate kept to 10 decimals", "invoice",
     "{\"CustomerRef\":{\"value\":\"34\"},\"CurrencyRef\":{\"value\":\"AUD\"},"
     "\"ExchangeRate\":\"1.0912345678\"," LINE "}",
     200, NULL, "Invoice.TotalAmt", "10.00"},
    {"no rate: 1", "invoice",
     "{\"CustomerRef\":{\"value\":\"34\"},\"CurrencyRef\":{\"value\":\"AUD\"}," LINE "}", 200, NULL,
     "Invoice.ExchangeRate", "1"},
    {"a home invoice has rate 1", "invoice",
     "{\"CustomerRef\":{\"value\":\"33\"},\"ExchangeRate\":2," LINE "}", 200, NULL,
     "Invoice.ExchangeRate", "1"},
    {"a rate of 0", "invoice",
     "{\"CustomerRef\":{\"value\":\"34\"},\"CurrencyRef\":{\"value\":\"AUD\"},"
     "\"ExchangeRate\":0," LINE "}",
     400, "6000", NULL, NULL},
    {"a rate of 11 decimals", "invoice",
     "{\"CustomerRef\":{\"value\":\"34\"},\"CurrencyRef\":{\"value\":\"AUD\"},"
     "\"ExchangeRate\":1.09123456789," LINE "}",
     400, "6000", NULL, NULL},
    {"an NZD invoice for the AUD customer", "invoice",
     "{\"CustomerRef\":{\"value\":\"34\"}," LINE "}", 400, "6000", NULL, NULL},
    {"a USD invoice for the NZD customer", "invoice",
     "{\"CustomerRef\":{\"value\":\"33\"},\"CurrencyRef\":{\"value\":\"USD\"}," LINE "}", 400,
     "6000", NULL, NULL},
    {"a USD bill for the USD vendor", "bill",
     "{\"VendorRef\":{\"value\":\"35\"},\"CurrencyRef\":{\"value\":\"USD\"},"
     "\"ExchangeRate\":1.65," BLINE "}",
     200, NULL, "Bill.CurrencyRef.value", "USD"},
    {"an NZD bill for the USD vendor", "bill", "{\"VendorRef\":{\"value\":\"35\"}," BLINE "}", 400,
     "6000", NULL, NULL},
    {"a GBP purchase order for the USD vendor", "purchaseorder",
     "{\"VendorRef\":{\"value\":\"35\"},\"CurrencyRef\":{\"value\":\"GBP\"}," BLINE "}", 400,
     "6000", NULL, NULL},
    {"a journal in AUD", "journalentry",
     "{\"CurrencyRef\":{\"value\":\"AUD\"},\"ExchangeRate\":1.0927815,\"Line\":["
     "{\"DetailType\":\"JournalEntryLineDetail\",\"Amount\":5,\"JournalEntryLineDetail\":"
     "{\"PostingType\":\"Debit\",\"AccountRef\":{\"value\":\"29\"}}},"
     "{\"DetailType\":\"JournalEntryLineDetail\",\"Amount\":5,\"JournalEntryLineDetail\":"
     "{\"PostingType\":\"Credit\",\"AccountRef\":{\"value\":\"18\"}}}]}",
     200, NULL, "JournalEntry.CurrencyRef.value", "AUD"},
};

static void test_currency_table(void **state)
{
	struct tc t;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	assert_string_equal(qparty(&t, "customer", "Home Ltd"), "33");
	assert_int_equal(
	    qreq(&t, "POST", "customer",
	         "{\"DisplayName\":\"Aussie Pty\",\"CurrencyRef\":{\"value\":\"AUD\"}}"),
	    200);
	assert_string_equal(tc_get(&t, "Customer.Id"), "34");
	assert_int_equal(
	    qreq(&t, "POST", "vendor",
	         "{\"DisplayName\":\"Yankee Inc\",\"CurrencyRef\":{\"value\":\"USD\"}}"),
	    200);
	assert_string_equal(tc_get(&t, "Vendor.Id"), "35");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cur_case *c = &cases[i];
		const char *got;

		qreq(&t, "POST", c->path, c->body);
		if (t.status != c->status || (c->code && strcmp(qcode(&t), c->code) != 0))
			fail_msg("%s: %ld %s", c->what, t.status, buf_cstr(&t.body));
		if (c->field == NULL)
			continue;
		got = tc_get(&t, c->field);
		if (got == NULL || strcmp(got, c->want) != 0)
			fail_msg("%s: %s = %s, want %s", c->what, c->field, got ? got : "(none)",
			         c->want);
	}
	tc_stop(&t);
}

/* Multicurrency turned off by a sparse Preferences update: home only. */
static void test_multicurrency_off(void **state)
{
	struct tc t;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	assert_string_equal(qparty(&t, "customer", "Home Ltd"), "33");
	assert_int_equal(qreq(&t, "POST", "preferences",
	                      "{\"Id\":\"32\",\"SyncToken\":\"0\",\"sparse\":true,"
	                      "\"CurrencyPrefs\":{\"MultiCurrencyEnabled\":false,"
	                      "\"HomeCurrency\":{\"value\":\"NZD\"}}}"),
	                 200);
	assert_int_equal(
	    qreq(&t, "POST", "customer",
	         "{\"DisplayName\":\"Aussie Pty\",\"CurrencyRef\":{\"value\":\"AUD\"}}"),
	    400);
	assert_string_equal(qcode(&t), "6000");
	assert_int_equal(qreq(&t, "POST", "invoice",
	                      "{\"CustomerRef\":{\"value\":\"33\"},\"CurrencyRef\":{\"value\":"
	                      "\"AUD\"}," LINE "}"),
	                 400);
	assert_string_equal(qcode(&t), "6000");
	assert_int_equal(
	    qreq(&t, "POST", "invoice", "{\"CustomerRef\":{\"value\":\"33\"}," LINE "}"), 200);
	tc_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_chart),
	    cmocka_unit_test(test_currency_table),
	    cmocka_unit_test(test_multicurrency_off),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
