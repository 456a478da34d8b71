/*
 * test_consolidate_lines.c - consolidation's lines, rates and locks
 * (consolidate/consolidate.h): each grouping mode, the amount-weighted
 * average exchange rate with base totals tied out to the cent, and the
 * lock on members of posted documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "consolidate/consolidate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a)     (sizeof(a) / sizeof((a)[0]))
#define C(cents) ((int64_t)(cents)*10000) /* cents -> micros: no floating point near money */

/* A day's lines: two products in two categories, a service, shipping twice,
 * a gift wrap, a tracked line; two tax rates. */
static const struct cons_line_in day[] = {
    {"TSHIRT", "T-shirt", "200", "Apparel", "Region=North", false, 150000, C(2000), C(300)},
    {"TSHIRT", "T-shirt", "200", "Apparel", NULL, false, 150000, C(4000), C(600)},
    {"MUG", "Mug", "200", "Kitchen", "Region=North", false, 150000, C(1050), C(158)},
    {"MUG", "Mug", "200", "Kitchen", "Region=South", false, 0, C(1050), C(0)},
    {"INSTALL", "Installation", "210", NULL, NULL, true, 150000, C(9999), C(1500)},
    {NULL, "Shipping", "220", NULL, NULL, false, 150000, C(500), C(75)},
    {NULL, "Shipping", "220", NULL, NULL, false, 150000, C(700), C(105)},
    {NULL, "Gift wrap", "220", NULL, "Region=South", false, 150000, C(200), C(30)},
    {"CAP", "Cap", "200", NULL, NULL, false, 150000, C(-300), C(-45)}, /* a discount line */
};

struct want {
	const char *desc, *account;
	int64_t rate, amount, tax;
	size_t members;
};

static void check_group(enum cons_grouping g, const struct want *w, size_t nw)
{
	struct cons_line_out *out = NULL;
	struct bs_error err;
	size_t n = 0;
	int64_t in_amt = 0, in_tax = 0, out_amt = 0, out_tax = 0;

	assert_int_equal(cons_group(g, day, N(day), &out, &n, &err), BS_OK);
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		out_amt += out[i].amount;
		out_tax += out[i].tax;
		for (size_t j = 0; j < nw; j++) {
			if (strcmp(out[i].description, w[j].desc) == 0 &&
			    strcmp(out[i].account, w[j].account) == 0 &&
			    out[i].tax_rate == w[j].rate) {
				assert_int_equal(out[i].amount, w[j].amount);
				assert_int_equal(out[i].tax, w[j].tax);
				assert_int_equal(out[i].members, w[j].members);
				found = true;
			}
		}
		if (!found)
			fail_msg("mode %d: unexpected line '%s' at %lld", (int)g,
			         out[i].description, (long long)out[i].tax_rate);
	}
	assert_int_equal(n, nw);
	/* nothing lost or made up: Σ out = Σ in, to the micro */
	for (size_t i = 0; i < N(day); i++) {
		in_amt += day[i].amount;
		in_tax += day[i].tax;
	}
	assert_int_equal(out_amt, in_amt);
	assert_int_equal(out_tax, in_tax);
	/* sorted and unique */
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(out[i - 1].group, out[i].group) < 0 ||
		            (strcmp(out[i - 1].group, out[i].group) == 0 &&
		             (strcmp(out[i - 1].account, out[i].account) != 0 ||
		              out[i - 1].tax_rate != out[i].tax_rate)));
	free(out);
}

static void test_group_account(void **state)
{
	static const struct want w[] = {
	    {"All sales - account 200", "200", 150000, C(2000 + 4000 + 1050 - 300),
	     C(300 + 600 + 158 - 45), 4},
	    {"All sales - account 200", "200", 0, C(1050), 0, 1},
	    {"All sales - account 210", "210", 150000, C(9999), C(1500), 1},
	    {"All sales - account 220", "220", 150000, C(1400), C(210), 3},
	};
	(void)state;
	check_group(CONS_BY_ACCOUNT, w, N(w));
}

static void test_group_sku(void **state)
{
	static const struct want w[] = {
	    {"All sales - TSHIRT", "200", 150000, C(6000), C(900), 2},
	    {"All sales - MUG", "200", 150000, C(1050), C(158), 1},
	    {"All sales - MUG", "200", 0, C(1050), 0, 1},
	    {"All sales - INSTALL", "210", 150000, C(9999), C(1500), 1},
	    {"All sales - CAP", "200", 150000, C(-300), C(-45), 1},
	    /* each additional charge its own line */
	    {"Shipping", "220", 150000, C(1200), C(180), 2},
	    {"Gift wrap", "220", 150000, C(200), C(30), 1},
	};
	(void)state;
	check_group(CONS_BY_SKU, w, N(w));
}

static void test_group_category(void **state)
{
	static const struct want w[] = {
	    {"All sales - Apparel", "200", 150000, C(6000), C(900), 2},
	    {"All sales - Kitchen", "200", 150000, C(1050), C(158), 1},
	    {"All sales - Kitchen", "200", 0, C(1050), 0, 1},
	    {"All sales - Uncategorised", "200", 150000, C(-300), C(-45), 1},
	    {"All sales - Uncategorised", "210", 150000, C(9999), C(1500), 1},
	    /* charges on a separate line */
	    {"Additional charges", "220", 150000, C(1400), C(210), 3},
	};
	(void)state;
	check_group(CONS_BY_CATEGORY, w, N(w));
}

static void test_group_tracking(void **state)
{
	static const struct want w[] = {
	    {"All sales - Region=North", "200", 150000, C(3050), C(458), 2},
	    {"All sales - Region=South", "200", 0, C(1050), 0, 1},
	    {"All sales - Region=South", "220", 150000, C(200), C(30), 1},
	    /* untracked: products and services apart */
	    {"All sales - Products", "200", 150000, C(4000 - 300), C(600 - 45), 2},
	    {"All sales - Products", "220", 150000, C(500 + 700), C(180), 2},
	    {"All sales - Services", "210", 150000, C(9999), C(1500), 1},
	};
	(void)state;
	check_group(CONS_BY_TRACKING, w, N(w));
}

static void test_group_edges(void **state)
{
	struct cons_line_out *out = (void *)1;
	struct bs_error err;
	size_t n = 9;
	static const struct cons_line_in big[] = {
	    {"A", NULL, "200", NULL, NULL, false, 0, INT64_MAX - 5, 0},
	    {"A", NULL, "200", NULL, NULL, false, 0, 10, 0},
	};
	static const struct cons_line_in one[] = {
	    {"A", NULL, "200", NULL, "Region=North", false, 0, C(100), 0},
	};

	(void)state;
	assert_int_equal(cons_group(CONS_BY_ACCOUNT, NULL, 0, &out, &n, &err), BS_OK);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_int_equal(cons_group(CONS_BY_SKU, big, N(big), &out, &n, &err), BS_ERANGE);
	assert_null(out);
	/* the tracking line keeps its option for the ledger */
	assert_int_equal(cons_group(CONS_BY_TRACKING, one, 1, &out, &n, &err), BS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].tracking, "Region=North");
	assert_string_equal(out[0].account, "200");
	free(out);
	/* by SKU the line carries its item */
	assert_int_equal(cons_group(CONS_BY_SKU, one, 1, &out, &n, &err), BS_OK);
	assert_string_equal(out[0].sku, "A");
	free(out);
}

/* ---- the average rate ----------------------------------------------------- */

static void test_avg_rate(void **state)
{
	/* expected values computed independently in decimal arithmetic */
	static const struct {
		const char *what;
		struct cons_fx_in in[4];
		size_t n;
		int dp;
		int64_t amount, base_members, rate, base_doc, residual;
	} c[] = {
	    {"three rates",
	     {{100000000, 16500000000}, {200000000, 17000000000}, {33330000, 16666666667}},
	     3,
	     2,
	     333330000,
	     560550000,
	     16816668170,
	     560550000,
	     0},
	    {"one member: its own rate",
	     {{100000000, 16500000000}},
	     1,
	     2,
	     100000000,
	     165000000,
	     16500000000,
	     165000000,
	     0},
	    /* each cent at 1.5 posts 0.02: the average of what posted is 2 */
	    {"rounded members weigh as posted",
	     {{10000, 15000000000}, {10000, 15000000000}, {10000, 15000000000}},
	     3,
	     2,
	     30000,
	     60000,
	     20000000000,
	     60000,
	     0},
	    {"small beside large",
	     {{1000000000, 6123456789}, {50000, 6100000000}},
	     2,
	     2,
	     1000050000,
	     612380000,
	     6123493825,
	     612380000,
	     0},
	    {"equal amounts: the plain mean",
	     {{50000000, 10000000000}, {50000000, 20000000000}},
	     2,
	     2,
	     100000000,
	     150000000,
	     15000000000,
	     150000000,
	     0},
	    {"base currency without decimals",
	     {{1000000, 1105000000000}},
	     1,
	     0,
	     1000000,
	     111000000,
	     1110000000000,
	     111000000,
	     0},
	    /* large periods: the rate's 10 significant digits leave a residual */
	    {"residual -0.45",
	     {{INT64_C(202066276740000), 25747875271}, {INT64_C(1824614047320000), 10880115711}},
	     2,
	     2,
	     INT64_C(2026680324060000),
	     INT64_C(2505478925280000),
	     12362477180,
	     INT64_C(2505478925730000),
	     -450000},
	    {"residual +1.99",
	     {{INT64_C(4170587866580000), 16138181853}, {INT64_C(3209222557880000), 15664682153}},
	     2,
	     2,
	     INT64_C(7379810424460000),
	     INT64_C(11757715675220000),
	     15932273320,
	     INT64_C(11757715673230000),
	     1990000},
	    {"residual +0.68",
	     {{INT64_C(908271958780000), 23267456398}, {INT64_C(2635439552650000), 24050742719}},
	     2,
	     2,
	     INT64_C(3543711511430000),
	     INT64_C(8451745683070000),
	     23849982300,
	     INT64_C(8451745682390000),
	     680000},
	    {"residual -0.11",
	     {{INT64_C(1983695545560000), 15628343561}, {INT64_C(4988663523020000), 1974549182}},
	     2,
	     2,
	     INT64_C(6972359068580000),
	     INT64_C(4085223698510000),
	     5859169986,
	     INT64_C(4085223698620000),
	     -110000},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		struct cons_fx_out o;
		struct bs_error err;

		assert_int_equal(cons_avg_rate(c[i].in, c[i].n, c[i].dp, &o, &err), BS_OK);
		if (o.amount != c[i].amount || o.base_members != c[i].base_members ||
		    o.rate != c[i].rate || o.base_doc != c[i].base_doc ||
		    o.residual != c[i].residual)
			fail_msg("%s: amount %lld base %lld rate %lld doc %lld residual %lld",
			         c[i].what, (long long)o.amount, (long long)o.base_members,
			         (long long)o.rate, (long long)o.base_doc, (long long)o.residual);
		/* the tie-out: document plus residual is the members, to the cent */
		assert_int_equal(o.base_doc + o.residual, o.base_members);
	}
}

static void test_avg_rate_errors(void **state)
{
	static const struct cons_fx_in zero_rate[] = {{100, 0}};
	static const struct cons_fx_in neg[] = {{-100, INT64_C(15000000000)}};
	static const struct cons_fx_in nets[] = {{100, INT64_C(15000000000)},
	                                         {-100, INT64_C(15000000000)}};
	static const struct cons_fx_in huge[] = {{INT64_MAX / 2, INT64_C(9000000000000000)}};
	struct cons_fx_out o;
	struct bs_error err;

	(void)state;
	assert_int_equal(cons_avg_rate(NULL, 0, 2, &o, &err), BS_EINVAL);
	assert_int_equal(cons_avg_rate(zero_rate, 1, 2, &o, &err), BS_EINVAL);
	assert_int_equal(cons_avg_rate(neg, 1, 2, &o, &err), BS_EINVAL);
	assert_int_equal(cons_avg_rate(nets, 2, 2, &o, &err), BS_EINVAL);
	assert_int_equal(cons_avg_rate(huge, 1, 2, &o, &err), BS_ERANGE);
}

/* ---- locking ------------------------------------------------------------------ */

static const char base_sale[] =
    "{\"kind\":\"sale\",\"id\":\"S1\",\"date\":\"2019-04-26\",\"customer_id\":\"C1\","
    "\"store\":\"Main\",\"reference\":\"SO-1\",\"memo\":\"%s\",\"lines\":[{\"sku\":\"A\","
    "\"qty\":%s,\"unit_price\":\"10.00\",\"tax_rate\":\"15\"}%s]%s}";

static void parse(struct record_doc *d, const char *memo, const char *qty, const char *more,
                  const char *top)
{
	struct record_ctx ctx = {"NZD"};
	struct bs_error err;
	char text[1024];

	snprintf(text, sizeof(text), base_sale, memo, qty, more, top);
	record_doc_init(d);
	if (record_doc_parse(text, strlen(text), &ctx, d, &err) != BS_OK)
		fail_msg("%s: %s", text, err.msg);
}

#define MYSHOP ",\"channel\":{\"type\":\"Shopify\",\"name\":\"MyShop\"}"

static void test_lock(void **state)
{
	/* the member as consolidated: channel Shopify(MyShop), store Main */
	static const struct {
		const char *what, *memo, *qty, *more, *top;
		int rc;
		const char *msg;
	} c[] = {
	    {"unchanged", "m", "2", "", MYSHOP, BS_OK, NULL},
	    {"memo changed", "a new memo", "2", "", MYSHOP, BS_OK, NULL},
	    {"same channel, members the other way round", "m", "2", "",
	     ",\"channel\":{\"name\":\"MyShop\",\"type\":\"Shopify\"}", BS_OK, NULL},
	    {"same channel re-sent as JSON text", "m", "2", "",
	     ",\"channel\":\"{\\\"type\\\":\\\"Shopify\\\",\\\"name\\\":\\\"MyShop\\\"}\"", BS_OK,
	     NULL},
	    {"qty changed", "m", "3", "", MYSHOP, BS_ESTATE, "its total"},
	    {"line added", "m", "2", ",{\"sku\":\"B\",\"qty\":1,\"unit_price\":\"0\"}", MYSHOP,
	     BS_ESTATE, "one added"},
	    {"store changed", "m", "2", "", MYSHOP ",\"store\":\"Other\"", BS_ESTATE, "store"},
	    {"channel type changed", "m", "2", "",
	     ",\"channel\":{\"type\":\"Amazon\",\"name\":\"MyShop\"}", BS_ESTATE, "its channel"},
	    {"channel name changed", "m", "2", "",
	     ",\"channel\":{\"type\":\"Shopify\",\"name\":\"X\"}", BS_ESTATE, "its channel"},
	    {"channel name changed, as JSON text", "m", "2", "",
	     ",\"channel\":\"{\\\"type\\\":\\\"Shopify\\\",\\\"name\\\":\\\"X\\\"}\"", BS_ESTATE,
	     "its channel"},
	    {"channel name's case changed", "m", "2", "",
	     ",\"channel\":{\"type\":\"Shopify\",\"name\":\"myshop\"}", BS_ESTATE, "its channel"},
	    {"channel dropped", "m", "2", "", "", BS_ESTATE, "its channel"},
	    {"currency changed", "m", "2", "", MYSHOP ",\"currency\":\"USD\",\"fx_rate\":\"1.5\"",
	     BS_ESTATE, "currency"},
	    {"tax mode changed", "m", "2", "", MYSHOP ",\"tax_mode\":\"inclusive\"", BS_ESTATE,
	     NULL},
	};
	struct record_doc old, bare;
	struct bs_error err;

	(void)state;
	parse(&old, "m", "2", "", MYSHOP);
	for (size_t i = 0; i < N(c); i++) {
		struct record_doc cur;
		int rc;

		parse(&cur, c[i].memo, c[i].qty, c[i].more, c[i].top);
		rc = cons_lock_check(&old, &cur, "SO-2019/04/26-Shopify(MyShop)-1", &err);
		if (rc != c[i].rc)
			fail_msg("%s: rc %d", c[i].what, rc);
		if (rc != BS_OK) {
			assert_non_null(strstr(err.msg, "SO-2019/04/26-Shopify(MyShop)-1"));
			assert_non_null(strstr(err.msg, "S1"));
			if (c[i].msg != NULL && strstr(err.msg, c[i].msg) == NULL)
				fail_msg("%s: '%s' lacks '%s'", c[i].what, err.msg, c[i].msg);
		}
		record_doc_release(&cur);
	}
	/* a member consolidated without a channel that now names one */
	parse(&bare, "m", "2", "", "");
	assert_int_equal(cons_lock_check(&bare, &old, "SO-X-1", &err), BS_ESTATE);
	assert_non_null(strstr(err.msg, "its channel"));
	record_doc_release(&bare);
	record_doc_release(&old);
}

static void test_lock_line_deleted(void **state)
{
	struct record_doc old, cur;
	struct bs_error err;

	(void)state;
	parse(&old, "m", "2", ",{\"sku\":\"B\",\"qty\":1,\"unit_price\":\"0\"}", "");
	parse(&cur, "m", "2", "", "");
	assert_int_equal(cons_lock_check(&old, &cur, "SO-X-1", &err), BS_ESTATE);
	assert_non_null(strstr(err.msg, "one deleted"));
	record_doc_release(&old);
	record_doc_release(&cur);
	/* a zero line's price changes nothing in total but its line */
	parse(&old, "m", "2", ",{\"sku\":\"B\",\"qty\":1,\"unit_price\":\"0\"}", "");
	parse(&cur, "m", "2", ",{\"sku\":\"C\",\"qty\":1,\"unit_price\":\"0\"}", "");
	assert_int_equal(cons_lock_check(&old, &cur, "SO-X-1", &err), BS_ESTATE);
	assert_non_null(strstr(err.msg, "its lines"));
	record_doc_release(&old);
	record_doc_release(&cur);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_group_account),     cmocka_unit_test(test_group_sku),
	    cmocka_unit_test(test_group_category),    cmocka_unit_test(test_group_tracking),
	    cmocka_unit_test(test_group_edges),       cmocka_unit_test(test_avg_rate),
	    cmocka_unit_test(test_avg_rate_errors),   cmocka_unit_test(test_lock),
	    cmocka_unit_test(test_lock_line_deleted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
