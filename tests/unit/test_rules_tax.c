/*
 * test_rules_tax.c - tax code resolution, account resolution and the
 * period lock date (src/rules/rules.h).  The ledger fixtures follow the
 * sandbox's default New Zealand organisation (docs/sandbox.md): OUTPUT2 / INPUT2
 * at 15%, NONE and ZERORATED at 0%, Xero's default chart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* Xero's built-in no-tax code: the rules are handed it, they do not know it */
#define TAX_NONE "NONE"
#define PCT(x)   ((int64_t)(x)*PCT_SCALE)

/* ------------------------------------------------------------------ */
/* Tax codes */

static const struct rules_tax_rate nz[] = {
    {"OUTPUT2", "15% GST on Income", PCT(15), true, false, true},
    {"INPUT2", "15% GST on Expenses", PCT(15), false, true, true},
    {"NONE", "No GST", 0, true, true, true},
    {"ZERORATED", "Zero Rated", 0, true, false, true},
    {"GSTONIMPORTS", "GST on Imports", PCT(15), false, false, true},
    {"OLD125", "12.5% GST (old)", 125000, true, true, false},
    {"QC", "Quebec", 99750, true, true, true},
};

static const struct rules_tax_rate two15[] = {
    {"OUTPUT2", NULL, PCT(15), true, false, true},
    {"INPUT2", NULL, PCT(15), false, true, true},
    {"OUTPUT3", NULL, PCT(15), true, true, true},
};

static const struct rules_tax_rate three15[] = {
    {"A15", NULL, PCT(15), true, false, true},
    {"B15", NULL, PCT(15), true, false, true},
    {"X15", NULL, PCT(15), true, false, false}, /* archived: no candidate */
    {"C15", NULL, PCT(15), true, false, true},
};

static const struct rules_tax_override ov_out3[] = {
    {PCT(15), RULES_PURCHASES, "INPUT2"},
    {PCT(15), RULES_SALES, "OUTPUT3"},
};

static const struct rules_tax_override ov_bad[] = {
    {PCT(15), RULES_SALES, "INPUT2"},     /* not usable on sales */
    {PCT(15), RULES_PURCHASES, "OLD125"}, /* inactive */
    {0, RULES_SALES, "OUTPUT2"},          /* a 15% code for 0% lines */
    {125000, RULES_SALES, ""},            /* empty: ignored */
};

static const struct rules_tax_override ov_zero[] = {
    {0, RULES_SALES, "ZERORATED"},
};

/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): fields in table order */
struct tax_case {
	const char *name;
	int64_t rate;
	enum rules_direction dir;
	const struct rules_tax_rate *rates;
	size_t nrates;
	const struct rules_tax_override *ov;
	size_t nov;
	const char *zero;
	int rc;
	const char *want; /* the code, or the exact error message */
};

#define NZ    nz, N(nz)
#define TWO   two15, N(two15)
#define THREE three15, N(three15)
#define NO_OV NULL, 0
#define OV(a) a, N(a)

static const struct tax_case tax_cases[] = {
    {"15% sales", PCT(15), RULES_SALES, NZ, NO_OV, NULL, BS_OK, "OUTPUT2"},
    {"15% purchases", PCT(15), RULES_PURCHASES, NZ, NO_OV, NULL, BS_OK, "INPUT2"},
    {"0% sales: NONE", 0, RULES_SALES, NZ, NO_OV, NULL, BS_OK, "NONE"},
    {"0% purchases: NONE", 0, RULES_PURCHASES, NZ, NO_OV, "", BS_OK, "NONE"},
    {"0% with an empty ledger: NONE", 0, RULES_SALES, NULL, 0, NO_OV, NULL, BS_OK, "NONE"},
    {"0% zero-rate setting", 0, RULES_SALES, NZ, NO_OV, "ZERORATED", BS_OK, "ZERORATED"},
    {"0% zero-rate setting not usable on purchases", 0, RULES_PURCHASES, NZ, NO_OV, "ZERORATED",
     BS_EINVAL,
     "setting tax.zero_code names ZERORATED, which is not an active tax rate usable on "
     "purchases in the ledger"},
    {"0% zero-rate setting naming a 15% code", 0, RULES_SALES, NZ, NO_OV, "OUTPUT2", BS_EINVAL,
     "setting tax.zero_code names OUTPUT2, a 15% rate, for a line taxed at 0%"},
    {"0% zero-rate setting unknown", 0, RULES_SALES, NZ, NO_OV, "BOGUS", BS_EINVAL,
     "setting tax.zero_code names BOGUS, which is not an active tax rate usable on sales in "
     "the ledger"},
    {"0% override beats the zero-rate setting", 0, RULES_SALES, NZ, OV(ov_zero), "NONE", BS_OK,
     "ZERORATED"},
    {"0% override for sales does not apply to purchases", 0, RULES_PURCHASES, NZ, OV(ov_zero), NULL,
     BS_OK, "NONE"},
    {"12.5% only inactive", 125000, RULES_SALES, NZ, NO_OV, NULL, BS_ENOTFOUND,
     "no active 12.5% tax rate usable on sales in the ledger — set tax.sales.12.5 to a tax "
     "code"},
    {"20% none", PCT(20), RULES_PURCHASES, NZ, NO_OV, NULL, BS_ENOTFOUND,
     "no active 20% tax rate usable on purchases in the ledger — set tax.purchases.20 to a "
     "tax code"},
    {"9.975% four decimals", 99750, RULES_SALES, NZ, NO_OV, NULL, BS_OK, "QC"},
    {"9.975% missing names the key", 99750, RULES_SALES, TWO, NO_OV, NULL, BS_ENOTFOUND,
     "no active 9.975% tax rate usable on sales in the ledger — set tax.sales.9.975 to a tax "
     "code"},
    {"ambiguous on sales", PCT(15), RULES_SALES, TWO, NO_OV, NULL, BS_ECONFLICT,
     "15% on sales: OUTPUT2 or OUTPUT3 — set tax.sales.15 to choose"},
    {"ambiguous on purchases", PCT(15), RULES_PURCHASES, TWO, NO_OV, NULL, BS_ECONFLICT,
     "15% on purchases: INPUT2 or OUTPUT3 — set tax.purchases.15 to choose"},
    {"three candidates, archived left out", PCT(15), RULES_SALES, THREE, NO_OV, NULL, BS_ECONFLICT,
     "15% on sales: A15, B15 or C15 — set tax.sales.15 to choose"},
    {"override settles ambiguity", PCT(15), RULES_SALES, TWO, OV(ov_out3), NULL, BS_OK, "OUTPUT3"},
    {"override for purchases", PCT(15), RULES_PURCHASES, TWO, OV(ov_out3), NULL, BS_OK, "INPUT2"},
    {"override unusable in direction", PCT(15), RULES_SALES, NZ, OV(ov_bad), NULL, BS_EINVAL,
     "setting tax.sales.15 names INPUT2, which is not an active tax rate usable on sales in "
     "the ledger"},
    {"override inactive", PCT(15), RULES_PURCHASES, NZ, OV(ov_bad), NULL, BS_EINVAL,
     "setting tax.purchases.15 names OLD125, which is not an active tax rate usable on "
     "purchases in the ledger"},
    {"override of a different rate", 0, RULES_SALES, NZ, OV(ov_bad), NULL, BS_EINVAL,
     "setting tax.sales.0 names OUTPUT2, a 15% rate, for a line taxed at 0%"},
    {"empty override ignored", 125000, RULES_SALES, NZ, OV(ov_bad), NULL, BS_ENOTFOUND,
     "no active 12.5% tax rate usable on sales in the ledger — set tax.sales.12.5 to a tax "
     "code"},
    {"not usable anywhere is no candidate", PCT(15), RULES_SALES, NZ, NO_OV, NULL, BS_OK,
     "OUTPUT2"},
    {"empty ledger", PCT(15), RULES_SALES, NULL, 0, NO_OV, NULL, BS_ENOTFOUND,
     "no active 15% tax rate usable on sales in the ledger — set tax.sales.15 to a tax code"},
    {"negative rate", -1, RULES_SALES, NZ, NO_OV, NULL, BS_EINVAL, "tax code: negative tax rate"},
    {"bad direction", PCT(15), (enum rules_direction)5, NZ, NO_OV, NULL, BS_EINVAL,
     "tax code: bad argument"},
    {"NULL rates with a count", PCT(15), RULES_SALES, NULL, 3, NO_OV, NULL, BS_EINVAL,
     "tax code: bad argument"},
};

static void test_tax_code(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(tax_cases); i++) {
		const struct tax_case *c = &tax_cases[i];
		const char *code = "unset";
		struct bs_error err;
		int rc;

		bs_error_clear(&err);
		rc = rules_tax_code(c->rate, c->dir, c->rates, c->nrates, c->ov, c->nov, c->zero,
		                    TAX_NONE, &code, &err);
		if (rc != c->rc)
			fail_msg("tax %zu \"%s\": rc %d want %d (%s)", i, c->name, rc, c->rc,
			         err.msg);
		if (rc == BS_OK ? strcmp(code, c->want) != 0 : strcmp(err.msg, c->want) != 0)
			fail_msg("tax %zu \"%s\": got \"%s\"\n  want \"%s\"", i, c->name,
			         rc == BS_OK ? code : err.msg, c->want);
		if (rc != BS_OK)
			assert_string_equal(code, "unset");
	}
}

/* *code points at the caller's strings, not at a copy. */
static void test_tax_code_pointers(void **state)
{
	const char *code;

	(void)state;
	assert_int_equal(
	    rules_tax_code(PCT(15), RULES_SALES, NZ, NO_OV, NULL, TAX_NONE, &code, NULL), BS_OK);
	assert_ptr_equal(code, nz[0].code);
	assert_int_equal(
	    rules_tax_code(PCT(15), RULES_SALES, TWO, OV(ov_out3), NULL, TAX_NONE, &code, NULL),
	    BS_OK);
	assert_ptr_equal(code, ov_out3[1].code);
	assert_int_equal(rules_tax_code(0, RULES_SALES, NZ, NO_OV, NULL, TAX_NONE, &code, NULL),
	                 BS_OK);
	assert_string_equal(code, TAX_NONE);
	assert_int_equal(
	    rules_tax_code(PCT(15), RULES_SALES, NZ, NO_OV, NULL, TAX_NONE, NULL, NULL), BS_EINVAL);
}

/* The no-tax code is the caller's: another ledger's, never a built-in one. */
static void test_tax_code_none_is_data(void **state)
{
	static const char exempt[] = "TAXEXEMPT";
	const char *code = "unset";

	(void)state;
	assert_int_equal(rules_tax_code(0, RULES_SALES, NZ, NO_OV, NULL, exempt, &code, NULL),
	                 BS_OK);
	assert_ptr_equal(code, exempt);
	assert_int_equal(
	    rules_tax_code(0, RULES_PURCHASES, NULL, 0, NO_OV, "", exempt, &code, NULL), BS_OK);
	assert_ptr_equal(code, exempt);
	assert_int_equal(rules_tax_code(0, RULES_SALES, NZ, NO_OV, NULL, NULL, &code, NULL),
	                 BS_EINVAL);
	assert_int_equal(rules_tax_code(0, RULES_SALES, NZ, NO_OV, NULL, "", &code, NULL),
	                 BS_EINVAL);
	assert_ptr_equal(code, exempt);
}

/* ------------------------------------------------------------------ */
/* Choosing a line's code: before and after the ledger's rates are known */

/* Xero's values, as the planner hands them in, and another ledger's made
 * up to show nothing of Xero's is built into the rule. */
static const struct rules_ledger xero = {4, 2, "NONE", "OUTPUT2", "INPUT2"};
static const struct rules_ledger other = {2, 2, "EXEMPT", "GST", "GSTIN"};
static const struct rules_ledger no_none = {4, 2, "", "OUTPUT2", "INPUT2"};
static const struct rules_ledger no_sales = {4, 2, "NONE", NULL, "INPUT2"};
static const struct rules_ledger no_purch = {4, 2, "NONE", "OUTPUT2", ""};

static const struct rules_tax_override ov_twice[] = {
    {PCT(15), RULES_SALES, "FIRST"},
    {PCT(15), RULES_SALES, "SECOND"},
};

/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): fields in table order */
struct choose_case {
	const char *name;
	const struct rules_ledger *ledger;
	int64_t rate;
	enum rules_direction dir;
	const struct rules_tax_rate *rates;
	size_t nrates;
	const struct rules_tax_override *ov;
	size_t nov;
	const char *zero;
	int rc;
	const char *want; /* the code, or the exact error message */
};

#define NONE_YET NULL, 0

static const struct choose_case choose_cases[] = {
    /* before connect: the ledger's codes for a new organisation */
    {"15% sales before connect", &xero, PCT(15), RULES_SALES, NONE_YET, NO_OV, NULL, BS_OK,
     "OUTPUT2"},
    {"15% purchases before connect", &xero, PCT(15), RULES_PURCHASES, NONE_YET, NO_OV, NULL, BS_OK,
     "INPUT2"},
    {"0% sales before connect", &xero, 0, RULES_SALES, NONE_YET, NO_OV, NULL, BS_OK, "NONE"},
    {"0% purchases before connect", &xero, 0, RULES_PURCHASES, NONE_YET, NO_OV, NULL, BS_OK,
     "NONE"},
    {"12.5% sales before connect", &xero, 125000, RULES_SALES, NONE_YET, NO_OV, NULL, BS_OK,
     "OUTPUT2"},
    {"9.975% purchases before connect", &xero, 99750, RULES_PURCHASES, NONE_YET, NO_OV, NULL, BS_OK,
     "INPUT2"},
    {"another ledger's sales code", &other, PCT(15), RULES_SALES, NONE_YET, NO_OV, NULL, BS_OK,
     "GST"},
    {"another ledger's purchases code", &other, PCT(15), RULES_PURCHASES, NONE_YET, NO_OV, NULL,
     BS_OK, "GSTIN"},
    {"another ledger's no-tax code", &other, 0, RULES_SALES, NONE_YET, NO_OV, NULL, BS_OK,
     "EXEMPT"},
    {"an override stands before connect", &xero, PCT(15), RULES_SALES, NONE_YET, OV(ov_out3), NULL,
     BS_OK, "OUTPUT3"},
    {"an override for purchases stands too", &xero, PCT(15), RULES_PURCHASES, NONE_YET, OV(ov_out3),
     NULL, BS_OK, "INPUT2"},
    {"an unusable override is not checked before connect", &xero, PCT(15), RULES_SALES, NONE_YET,
     OV(ov_bad), NULL, BS_OK, "INPUT2"},
    {"a 0% override before connect", &xero, 0, RULES_SALES, NONE_YET, OV(ov_zero), NULL, BS_OK,
     "ZERORATED"},
    {"a 0% override for sales only", &other, 0, RULES_PURCHASES, NONE_YET, OV(ov_zero), NULL, BS_OK,
     "EXEMPT"},
    {"an override of another rate does not apply", &xero, 125000, RULES_PURCHASES, NONE_YET,
     OV(ov_out3), NULL, BS_OK, "INPUT2"},
    {"the zero-rate setting waits for the ledger's rates", &xero, 0, RULES_SALES, NONE_YET, NO_OV,
     "ZERORATED", BS_OK, "NONE"},
    {"the first of two overrides", &xero, PCT(15), RULES_SALES, NONE_YET, OV(ov_twice), NULL, BS_OK,
     "FIRST"},
    {"a negative rate before connect", &xero, -1, RULES_SALES, NONE_YET, NO_OV, NULL, BS_EINVAL,
     "tax code: negative tax rate"},
    {"a bad direction before connect", &xero, PCT(15), (enum rules_direction)7, NONE_YET, NO_OV,
     NULL, BS_EINVAL, "tax code: bad argument"},
    /* after connect: the ledger's own rates decide */
    {"15% sales after connect", &xero, PCT(15), RULES_SALES, NZ, NO_OV, NULL, BS_OK, "OUTPUT2"},
    {"15% purchases after connect", &xero, PCT(15), RULES_PURCHASES, NZ, NO_OV, NULL, BS_OK,
     "INPUT2"},
    {"the rates decide, not the ledger's defaults", &other, PCT(15), RULES_SALES, NZ, NO_OV, NULL,
     BS_OK, "OUTPUT2"},
    {"0% after connect: the ledger's no-tax code", &xero, 0, RULES_SALES, NZ, NO_OV, NULL, BS_OK,
     "NONE"},
    {"0% after connect: another ledger's", &other, 0, RULES_PURCHASES, NZ, NO_OV, NULL, BS_OK,
     "EXEMPT"},
    {"the zero-rate setting after connect", &xero, 0, RULES_SALES, NZ, NO_OV, "ZERORATED", BS_OK,
     "ZERORATED"},
    {"the zero-rate setting checked after connect", &xero, 0, RULES_PURCHASES, NZ, NO_OV,
     "ZERORATED", BS_EINVAL,
     "setting tax.zero_code names ZERORATED, which is not an active tax rate usable on "
     "purchases in the ledger"},
    {"two candidates after connect", &xero, PCT(15), RULES_SALES, TWO, NO_OV, NULL, BS_ECONFLICT,
     "15% on sales: OUTPUT2 or OUTPUT3 — set tax.sales.15 to choose"},
    {"an override settles it", &xero, PCT(15), RULES_SALES, TWO, OV(ov_out3), NULL, BS_OK,
     "OUTPUT3"},
    {"an override checked after connect", &xero, PCT(15), RULES_SALES, NZ, OV(ov_bad), NULL,
     BS_EINVAL,
     "setting tax.sales.15 names INPUT2, which is not an active tax rate usable on sales in "
     "the ledger"},
    {"no such rate after connect", &xero, PCT(20), RULES_SALES, NZ, NO_OV, NULL, BS_ENOTFOUND,
     "no active 20% tax rate usable on sales in the ledger — set tax.sales.20 to a tax code"},
    {"a negative rate after connect", &xero, -5, RULES_SALES, NZ, NO_OV, NULL, BS_EINVAL,
     "tax code: negative tax rate"},
    /* what the ledger must say */
    {"no ledger", NULL, PCT(15), RULES_SALES, NONE_YET, NO_OV, NULL, BS_EINVAL,
     "tax code: bad argument"},
    {"a ledger without a no-tax code", &no_none, PCT(15), RULES_SALES, NZ, NO_OV, NULL, BS_EINVAL,
     "tax code: bad argument"},
    {"a ledger without a sales code", &no_sales, 0, RULES_SALES, NONE_YET, NO_OV, NULL, BS_EINVAL,
     "tax code: bad argument"},
    {"a ledger without a purchases code", &no_purch, 0, RULES_SALES, NONE_YET, NO_OV, NULL,
     BS_EINVAL, "tax code: bad argument"},
    {"overrides NULL with a count", &xero, PCT(15), RULES_SALES, NONE_YET, NULL, 2, NULL, BS_EINVAL,
     "tax code: bad argument"},
};

static void test_tax_choose(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(choose_cases); i++) {
		const struct choose_case *c = &choose_cases[i];
		struct rules_tax_ctx ctx = {c->ledger, c->rates, c->nrates, c->ov, c->nov, c->zero};
		const char *code = "unset";
		struct bs_error err;
		int rc;

		bs_error_clear(&err);
		rc = rules_tax_choose(&ctx, c->rate, c->dir, &code, &err);
		if (rc != c->rc)
			fail_msg("choose %zu \"%s\": rc %d want %d (%s)", i, c->name, rc, c->rc,
			         err.msg);
		if (rc == BS_OK ? strcmp(code, c->want) != 0 : strcmp(err.msg, c->want) != 0)
			fail_msg("choose %zu \"%s\": got \"%s\"\n  want \"%s\"", i, c->name,
			         rc == BS_OK ? code : err.msg, c->want);
		if (rc != BS_OK)
			assert_string_equal(code, "unset");
	}
}

/* The code is one of the caller's strings; no ctx or no out pointer is refused. */
static void test_tax_choose_pointers(void **state)
{
	struct rules_tax_ctx before = {&other, NONE_YET, NO_OV, NULL};
	struct rules_tax_ctx after = {&other, TWO, OV(ov_out3), NULL};
	const char *code = NULL;

	(void)state;
	assert_int_equal(rules_tax_choose(&before, PCT(15), RULES_SALES, &code, NULL), BS_OK);
	assert_ptr_equal(code, other.tax_sales);
	assert_int_equal(rules_tax_choose(&before, 0, RULES_SALES, &code, NULL), BS_OK);
	assert_ptr_equal(code, other.tax_none);
	assert_int_equal(rules_tax_choose(&after, 0, RULES_SALES, &code, NULL), BS_OK);
	assert_ptr_equal(code, other.tax_none);
	assert_int_equal(rules_tax_choose(&after, PCT(15), RULES_SALES, &code, NULL), BS_OK);
	assert_ptr_equal(code, ov_out3[1].code);
	assert_int_equal(rules_tax_choose(NULL, PCT(15), RULES_SALES, &code, NULL), BS_EINVAL);
	assert_int_equal(rules_tax_choose(&after, PCT(15), RULES_SALES, NULL, NULL), BS_EINVAL);
}

/* ------------------------------------------------------------------ */
/* Accounts */

static const struct rules_account chart[] = {
    {"090", "Business Bank Account", true},
    {"200", "Sales", true},
    {"250", "Old Sales", false},
    {"260", "Other Revenue", true},
    {"310", "Cost of Goods Sold", true},
    {"429", "General Expenses", true},
    {"610", "Accounts Receivable", true},
    {"630", "Inventory", true},
    {"800", "Accounts Payable", true},
    {"820", "GST", true},
    {"860", "Rounding", true},
    {"SALES-EU", "Sales Europe", true},
    {"SALES-US", NULL, true},
};

/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): fields in table order */
struct acct_case {
	const char *name;
	struct rules_account_sources src;
	enum rules_direction dir;
	size_t nchart; /* of `chart`; 0 for an empty chart */
	int rc;
	const char *want;
};

#define NC N(chart)

static const struct acct_case acct_cases[] = {
    {"line", {"200", "260", "310", "429", "account.sales"}, RULES_SALES, NC, BS_OK, "200"},
    {"product sales", {NULL, "260", "310", "200", "account.sales"}, RULES_SALES, NC, BS_OK, "260"},
    {"product purchases",
     {"", "260", "310", "429", "account.purchases"},
     RULES_PURCHASES,
     NC,
     BS_OK,
     "310"},
    {"settings default", {NULL, NULL, NULL, "200", "account.sales"}, RULES_SALES, NC, BS_OK, "200"},
    {"wrong direction's product account is not used",
     {NULL, NULL, "310", "429", "account.purchases"},
     RULES_SALES,
     NC,
     BS_OK,
     "429"},
    {"textual code", {"SALES-EU", NULL, NULL, NULL, NULL}, RULES_SALES, NC, BS_OK, "SALES-EU"},
    {"unknown line account",
     {"201", "260", NULL, "200", "account.sales"},
     RULES_SALES,
     NC,
     BS_ENOTFOUND,
     "account 201 (from the line) is not in the ledger's chart; nearby: 200 Sales, 260 Other "
     "Revenue, 310 Cost of Goods Sold"},
    {"unknown product account",
     {NULL, "999", NULL, "200", "account.sales"},
     RULES_SALES,
     NC,
     BS_ENOTFOUND,
     "account 999 (the product's sales account) is not in the ledger's chart; nearby: 860 "
     "Rounding, 820 GST, 800 Accounts Payable"},
    {"unknown purchase account",
     {NULL, NULL, "435", NULL, NULL},
     RULES_PURCHASES,
     NC,
     BS_ENOTFOUND,
     "account 435 (the product's purchase account) is not in the ledger's chart; nearby: 429 "
     "General Expenses, 310 Cost of Goods Sold, 260 Other Revenue"},
    {"unknown settings default",
     {NULL, NULL, NULL, "12", "account.sales"},
     RULES_SALES,
     NC,
     BS_ENOTFOUND,
     "account 12 (account.sales) is not in the ledger's chart; nearby: 090 Business Bank "
     "Account, 200 Sales, 260 Other Revenue"},
    {"unknown textual code",
     {"SALES-UK", NULL, NULL, NULL, NULL},
     RULES_SALES,
     NC,
     BS_ENOTFOUND,
     /* SALES-US shares 7 characters, SALES-EU 6 */
     "account SALES-UK (from the line) is not in the ledger's chart; nearby: SALES-US, "
     "SALES-EU Sales Europe, 090 Business Bank Account"},
    {"case matters",
     {"sales-eu", NULL, NULL, NULL, NULL},
     RULES_SALES,
     NC,
     BS_ENOTFOUND,
     "account sales-eu (from the line) is not in the ledger's chart; nearby: 090 Business "
     "Bank Account, 200 Sales, 260 Other Revenue"},
    {"archived",
     {"250", NULL, NULL, "200", "account.sales"},
     RULES_SALES,
     NC,
     BS_EINVAL,
     "account 250 (from the line) is archived in the ledger"},
    {"no account anywhere",
     {NULL, NULL, NULL, NULL, "account.sales"},
     RULES_SALES,
     NC,
     BS_ENOTFOUND,
     "no account: the line and its product name none, and account.sales is not set"},
    {"no account, no key",
     {"", "", "", "", NULL},
     RULES_PURCHASES,
     NC,
     BS_ENOTFOUND,
     "no account: the line and its product name none, and the default account setting is not "
     "set"},
    {"empty chart",
     {"200", NULL, NULL, NULL, NULL},
     RULES_SALES,
     0,
     BS_ENOTFOUND,
     "account 200 (from the line) is not in the ledger's chart"},
};

static void test_account_code(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(acct_cases); i++) {
		const struct acct_case *c = &acct_cases[i];
		const char *code = "unset";
		struct bs_error err;
		int rc;

		bs_error_clear(&err);
		rc = rules_account_code(&c->src, c->dir, c->nchart ? chart : NULL, c->nchart, &code,
		                        &err);
		if (rc != c->rc)
			fail_msg("account %zu \"%s\": rc %d want %d (%s)", i, c->name, rc, c->rc,
			         err.msg);
		if (rc == BS_OK ? strcmp(code, c->want) != 0 : strcmp(err.msg, c->want) != 0)
			fail_msg("account %zu \"%s\": got \"%s\"\n  want \"%s\"", i, c->name,
			         rc == BS_OK ? code : err.msg, c->want);
		if (rc == BS_OK) {
			/* the chart's own string */
			bool in_chart = false;

			for (size_t j = 0; j < N(chart); j++)
				in_chart |= code == chart[j].code;
			assert_true(in_chart);
		}
	}
}

static void test_account_bad_args(void **state)
{
	struct rules_account_sources src = {"200", NULL, NULL, NULL, NULL};
	const char *code;

	(void)state;
	assert_int_equal(rules_account_code(NULL, RULES_SALES, chart, NC, &code, NULL), BS_EINVAL);
	assert_int_equal(rules_account_code(&src, RULES_SALES, chart, NC, NULL, NULL), BS_EINVAL);
	assert_int_equal(rules_account_code(&src, RULES_SALES, NULL, 3, &code, NULL), BS_EINVAL);
	assert_int_equal(rules_account_code(&src, (enum rules_direction)9, chart, NC, &code, NULL),
	                 BS_EINVAL);
}

/* ------------------------------------------------------------------ */
/* Period lock */

struct lock_case {
	const char *date, *lock;
	int rc;
	const char *msg;
};

static const struct lock_case lock_cases[] = {
    {"2026-09-30", "2026-09-30", BS_ESTATE,
     "dated 2026-09-30, on or before the period lock date 2026-09-30"},
    {"2026-09-29", "2026-09-30", BS_ESTATE,
     "dated 2026-09-29, on or before the period lock date 2026-09-30"},
    {"2025-12-31", "2026-01-01", BS_ESTATE,
     "dated 2025-12-31, on or before the period lock date 2026-01-01"},
    {"1999-01-01", "2026-09-30", BS_ESTATE,
     "dated 1999-01-01, on or before the period lock date 2026-09-30"},
    {"2026-10-01", "2026-09-30", BS_OK, ""},
    {"2027-01-01", "2026-12-31", BS_OK, ""},
    {"2026-09-30", NULL, BS_OK, ""},
    {"2026-09-30", "", BS_OK, ""},
    {"2024-02-29", "2024-02-28", BS_OK, ""},
    {"2000-02-29", NULL, BS_OK, ""},
    {"2026-12-31", NULL, BS_OK, ""},
    /* malformed documents dates, even without a lock */
    {"2026-02-29", NULL, BS_EINVAL, "document date \"2026-02-29\" is not YYYY-MM-DD"},
    {"1900-02-29", NULL, BS_EINVAL, "document date \"1900-02-29\" is not YYYY-MM-DD"},
    {"2026-04-31", NULL, BS_EINVAL, "document date \"2026-04-31\" is not YYYY-MM-DD"},
    {"2026-13-01", NULL, BS_EINVAL, "document date \"2026-13-01\" is not YYYY-MM-DD"},
    {"2026-00-10", NULL, BS_EINVAL, "document date \"2026-00-10\" is not YYYY-MM-DD"},
    {"2026-01-00", NULL, BS_EINVAL, "document date \"2026-01-00\" is not YYYY-MM-DD"},
    {"0000-01-01", NULL, BS_EINVAL, "document date \"0000-01-01\" is not YYYY-MM-DD"},
    {"2026-9-30", NULL, BS_EINVAL, "document date \"2026-9-30\" is not YYYY-MM-DD"},
    {"2026/09/30", NULL, BS_EINVAL, "document date \"2026/09/30\" is not YYYY-MM-DD"},
    {"2026-09-30T00:00", NULL, BS_EINVAL, "document date \"2026-09-30T00:00\" is not YYYY-MM-DD"},
    {"abcd-ef-gh", NULL, BS_EINVAL, "document date \"abcd-ef-gh\" is not YYYY-MM-DD"},
    {"", NULL, BS_EINVAL, "document date \"\" is not YYYY-MM-DD"},
    {NULL, "2026-09-30", BS_EINVAL, "document date \"(none)\" is not YYYY-MM-DD"},
    /* a malformed lock date */
    {"2026-10-01", "2026-09-31", BS_EINVAL, "lock date \"2026-09-31\" is not YYYY-MM-DD"},
    {"2026-10-01", "30/09/2026", BS_EINVAL, "lock date \"30/09/2026\" is not YYYY-MM-DD"},
};

static void test_date_lock(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(lock_cases); i++) {
		const struct lock_case *c = &lock_cases[i];
		struct bs_error err;
		int rc;

		bs_error_clear(&err);
		rc = rules_date_lock(c->date, c->lock, &err);
		if (rc != c->rc || strcmp(err.msg, c->msg) != 0)
			fail_msg("lock %zu (%s, %s): rc %d \"%s\"", i, c->date ? c->date : "NULL",
			         c->lock ? c->lock : "NULL", rc, err.msg);
	}
	assert_int_equal(rules_date_lock("2026-09-30", "2026-09-30", NULL), BS_ESTATE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tax_code),
	    cmocka_unit_test(test_tax_code_pointers),
	    cmocka_unit_test(test_tax_code_none_is_data),
	    cmocka_unit_test(test_tax_choose),
	    cmocka_unit_test(test_tax_choose_pointers),
	    cmocka_unit_test(test_account_code),
	    cmocka_unit_test(test_account_bad_args),
	    cmocka_unit_test(test_date_lock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
