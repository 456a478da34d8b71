/*
 * test_sandbox_arith.c - Xero's invoice arithmetic in the sandbox
 * (docs/mapping-xero.md §5): per-line tax, line totals, discounts, unitdp=4, Inclusive amounts,
 * 0-dp currencies, the LineAmount check and an ignored Total, each case
 * under both midpoint rules.
 */
#include "test_sandbox_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

struct arith_case {
	const char *name;
	const char *query;  /* "" or "?unitdp=4" */
	const char *fields; /* extra invoice fields, JSON members with trailing comma */
	const char *lines;  /* the LineItems array */
	/* expected [half-away, half-even] */
	const char *sub[2], *tax[2], *total[2];
	const char *line0_amount[2]; /* LineItems.0.LineAmount, NULL = skip */
	const char *line0_unit[2];   /* LineItems.0.UnitAmount, NULL = skip */
};

static const struct arith_case cases[] = {
    /* FACTS §5: tax per line then summed: 11.44, where taxing the subtotal gives 11.45 */
    {"three 15% lines",
     "",
     "",
     "[{\"Description\":\"a\",\"Quantity\":1,\"UnitAmount\":25.43,\"AccountCode\":\"200\"},"
     "{\"Description\":\"b\",\"Quantity\":1,\"UnitAmount\":25.43,\"AccountCode\":\"200\"},"
     "{\"Description\":\"c\",\"Quantity\":1,\"UnitAmount\":25.46,\"AccountCode\":\"200\"}]",
     {"76.32", "76.32"},
     {"11.44", "11.44"},
     {"87.76", "87.76"},
     {"25.43", "25.43"},
     {NULL, NULL}},
    /* a tax midpoint: 0.30 x 15% = 0.045 */
    {"tax midpoint",
     "",
     "",
     "[{\"Description\":\"a\",\"Quantity\":1,\"UnitAmount\":0.30,\"AccountCode\":\"200\","
     "\"TaxType\":\"OUTPUT2\"}]",
     {"0.30", "0.30"},
     {"0.05", "0.04"},
     {"0.35", "0.34"},
     {"0.30", "0.30"},
     {NULL, NULL}},
    /* a line-amount midpoint: 0.5 x 2.25 = 1.125 */
    {"line midpoint",
     "",
     "\"LineAmountTypes\":\"NoTax\",",
     "[{\"Description\":\"a\",\"Quantity\":0.5,\"UnitAmount\":2.25,\"AccountCode\":\"200\"}]",
     {"1.13", "1.12"},
     {"0.00", "0.00"},
     {"1.13", "1.12"},
     {"1.13", "1.12"},
     {NULL, NULL}},
    /* a unit price with a third decimal is rounded to 2 dp */
    {"unit price rounding",
     "",
     "\"LineAmountTypes\":\"NoTax\",",
     "[{\"Description\":\"a\",\"Quantity\":2,\"UnitAmount\":1.125,\"AccountCode\":\"200\"}]",
     {"2.26", "2.24"},
     {"0.00", "0.00"},
     {"2.26", "2.24"},
     {"2.26", "2.24"},
     {"1.13", "1.12"}},
    /* unitdp=4 keeps 4 dp on the unit price, 2 dp on the totals */
    {"unitdp=4",
     "?unitdp=4",
     "\"LineAmountTypes\":\"NoTax\",",
     "[{\"Description\":\"a\",\"Quantity\":3,\"UnitAmount\":1.23456,\"AccountCode\":\"200\"}]",
     {"3.70", "3.70"},
     {"0.00", "0.00"},
     {"3.70", "3.70"},
     {"3.70", "3.70"},
     {"1.2346", "1.2346"}},
    /* Inclusive: tax = amount x r / (100 + r), inside the amount */
    {"inclusive",
     "",
     "\"LineAmountTypes\":\"Inclusive\",",
     "[{\"Description\":\"a\",\"Quantity\":1,\"UnitAmount\":20.00,\"AccountCode\":\"200\"}]",
     {"17.39", "17.39"},
     {"2.61", "2.61"},
     {"20.00", "20.00"},
     {"20.00", "20.00"},
     {NULL, NULL}},
    /* Inclusive, several lines: each line's tax rounded on its own */
    {"inclusive lines",
     "",
     "\"LineAmountTypes\":\"Inclusive\",",
     "[{\"Description\":\"a\",\"Quantity\":1,\"UnitAmount\":10.00,\"AccountCode\":\"200\"},"
     "{\"Description\":\"b\",\"Quantity\":1,\"UnitAmount\":10.00,\"AccountCode\":\"200\"}]",
     {"17.40", "17.40"},
     {"2.60", "2.60"},
     {"20.00", "20.00"},
     {"10.00", "10.00"},
     {NULL, NULL}},
    /* discount rate on a sales invoice */
    {"discount",
     "",
     "",
     "[{\"Description\":\"a\",\"Quantity\":2,\"UnitAmount\":10.00,\"DiscountRate\":12.5,"
     "\"AccountCode\":\"200\"}]",
     {"17.50", "17.50"},
     {"2.63", "2.62"},
     {"20.13", "20.12"},
     {"17.50", "17.50"},
     {NULL, NULL}},
    /* JPY has no minor unit: lines round to whole yen */
    {"JPY",
     "",
     "\"CurrencyCode\":\"JPY\",\"LineAmountTypes\":\"NoTax\",",
     "[{\"Description\":\"a\",\"Quantity\":1,\"UnitAmount\":100.50,\"AccountCode\":\"200\"}]",
     {"101.00", "100.00"},
     {"0.00", "0.00"},
     {"101.00", "100.00"},
     {"101.00", "100.00"},
     {NULL, NULL}},
    /* a supplied Total is ignored; a matching LineAmount is accepted */
    {"total ignored",
     "",
     "\"Total\":999.99,",
     "[{\"Description\":\"a\",\"Quantity\":3,\"UnitAmount\":33.33,\"LineAmount\":99.99,"
     "\"AccountCode\":\"200\"}]",
     {"99.99", "99.99"},
     {"15.00", "15.00"},
     {"114.99", "114.99"},
     {"99.99", "99.99"},
     {NULL, NULL}},
    /* Quantity and LineAmount: the unit price follows */
    {"quantity and amount",
     "",
     "\"LineAmountTypes\":\"NoTax\",",
     "[{\"Description\":\"a\",\"Quantity\":4,\"LineAmount\":10,\"AccountCode\":\"200\"}]",
     {"10.00", "10.00"},
     {"0.00", "0.00"},
     {"10.00", "10.00"},
     {"10.00", "10.00"},
     {"2.50", "2.50"}},
    /* LineAmount only: quantity 1, unit price from the amount */
    {"amount only",
     "",
     "",
     "[{\"Description\":\"a\",\"LineAmount\":50.00,\"AccountCode\":\"200\"}]",
     {"50.00", "50.00"},
     {"7.50", "7.50"},
     {"57.50", "57.50"},
     {"50.00", "50.00"},
     {"50.00", "50.00"}},
};

static void run_cases(enum money_round mode, int idx)
{
	struct sandbox_config cfg;
	struct tc t;

	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = "off";
	cfg.rounding = mode;
	assert_int_equal(tc_start(&t, &cfg, NULL), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct arith_case *c = &cases[i];
		char body[4096], path[64];

		snprintf(body, sizeof(body),
		         "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"Arith Ltd\"},"
		         "\"Date\":\"2025-05-01\",%s\"LineItems\":%s}]}",
		         c->fields, c->lines);
		snprintf(path, sizeof(path), "Invoices%s", c->query);
		if (tc_api(&t, "PUT", path, body) != 200)
			fail_msg("%s: status %ld body %s", c->name, t.status, buf_cstr(&t.body));
		if (strcmp(tc_get(&t, "Invoices.0.SubTotal"), c->sub[idx]) != 0 ||
		    strcmp(tc_get(&t, "Invoices.0.TotalTax"), c->tax[idx]) != 0 ||
		    strcmp(tc_get(&t, "Invoices.0.Total"), c->total[idx]) != 0)
			fail_msg("%s (%s): got sub %s tax %s total %s", c->name,
			         idx ? "half-even" : "half-away", tc_get(&t, "Invoices.0.SubTotal"),
			         tc_get(&t, "Invoices.0.TotalTax"), tc_get(&t, "Invoices.0.Total"));
		if (c->line0_amount[idx] != NULL)
			assert_string_equal(tc_get(&t, "Invoices.0.LineItems.0.LineAmount"),
			                    c->line0_amount[idx]);
		if (c->line0_unit[idx] != NULL)
			assert_string_equal(tc_get(&t, "Invoices.0.LineItems.0.UnitAmount"),
			                    c->line0_unit[idx]);
		/* AmountDue starts at Total */
		assert_string_equal(tc_get(&t, "Invoices.0.AmountDue"), c->total[idx]);
	}
	tc_stop(&t);
}

static void test_half_away(void **state)
{
	(void)state;
	run_cases(MONEY_HALF_AWAY, 0);
}

static void test_half_even(void **state)
{
	(void)state;
	run_cases(MONEY_HALF_EVEN, 1);
}

static void test_line_total_mismatch(void **state)
{
	struct tc t;

	(void)state;
	assert_int_equal(tc_start(&t, NULL, NULL), 0);
	assert_int_equal(
	    tc_api(&t, "PUT", "Invoices",
	           "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"X\"},"
	           "\"LineItems\":[{\"Description\":\"a\",\"Quantity\":3,\"UnitAmount\":33.33,"
	           "\"LineAmount\":100.00,\"AccountCode\":\"200\"}]}]}"),
	    400);
	assert_string_equal(tc_get(&t, "Type"), "ValidationException");
	assert_string_equal(tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
	                    "The line total 100.00 does not match the expected line total 99.99");
	/* nothing saved, not even the auto-created contact */
	assert_int_equal(tc_api(&t, "GET", "Invoices", NULL), 200);
	assert_int_equal(tc_len(&t, "Invoices"), 0);
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 0);
	tc_stop(&t);
}

static void test_invalid_codes(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
	    {"{\"Description\":\"a\",\"Quantity\":1,\"UnitAmount\":1,\"AccountCode\":\"999\"}",
	     "Account must be valid."},
	    {"{\"Description\":\"a\",\"Quantity\":1,\"UnitAmount\":1,\"AccountCode\":\"200\","
	     "\"TaxType\":\"BOGUS\"}",
	     "Tax rate must be valid."},
	    {"{\"Quantity\":1,\"UnitAmount\":1,\"AccountCode\":\"200\"}",
	     "Description must be at least 1 character long"},
	};
	struct tc t;

	(void)state;
	assert_int_equal(tc_start(&t, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[1024];

		snprintf(body, sizeof(body),
		         "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"X\"},"
		         "\"LineItems\":[%s]}]}",
		         bad[i].line);
		assert_int_equal(tc_api(&t, "PUT", "Invoices", body), 400);
		assert_string_equal(tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
		                    bad[i].msg);
		assert_string_equal(tc_get(&t, "Elements.0.HasErrors"), "true");
	}
	tc_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_half_away),
	    cmocka_unit_test(test_half_even),
	    cmocka_unit_test(test_line_total_mismatch),
	    cmocka_unit_test(test_invalid_codes),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
