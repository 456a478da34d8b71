/*
 * test_record_doc.c - the planner's document view of a record
 * (record_doc_parse in src/model/record.h).
 *
 * Each row is a record; it is first validated with record_from_json, its
 * canonical text is parsed back with record_doc_parse, and every line's
 * computed amount and tax (worked out by hand in the comments) is checked,
 * along with the header facts, the total (which must equal record.total)
 * and the string fields the planner reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core/error.h"
#include "core/money.h"
#include "model/record.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define U    INT64_C(1000000)
#define MAXL 4

struct line_want {
	const char *sku, *description, *account;
	int64_t qty, price, discount, rate;
	bool has_rate;
	int64_t amount, tax;
};

struct doc_case {
	const char *base;
	const char *in;
	enum record_kind kind;
	const char *currency;
	int exp;
	enum money_tax_mode mode;
	int64_t fx;
	int64_t total;
	size_t nlines;
	struct line_want lines[MAXL];
};

static const struct doc_case doc_cases[] = {
    /* sale, exclusive: 2 x 12.30 = 24.60, tax 3.69; 3 x 9.99 x 0.875 = 26.22375 -> 26.22,
     * tax 15% = 3.933 -> 3.93; total 24.60 + 26.22 + 3.69 + 3.93 = 58.44 */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-1\",\"fx_rate\":\"1.5\",\"reference\":\"SO-1\",\"lines\":["
     "{\"sku\":\"A\",\"qty\":2,\"unit_price\":\"12.30\",\"tax_rate\":15,\"account\":\"200\"},"
     "{\"description\":\"Gadget\",\"qty\":3,\"unit_price\":\"9.99\",\"discount_pct\":\"12.5\","
     "\"tax_rate\":15}]}",
     RECORD_SALE,
     "",
     2,
     MONEY_TAX_EXCLUSIVE,
     INT64_C(15000000000),
     58440000,
     2,
     {{"A", NULL, "200", 20000, 12300000, 0, 150000, true, 24600000, 3690000},
      {NULL, "Gadget", NULL, 30000, 9990000, 125000, 150000, true, 26220000, 3930000}}},
    /* credit note, inclusive JPY: 1 x 1150 = 1150, tax 1150 x 15/115 = 150 */
    {"NZD",
     "{\"kind\":\"credit_note\",\"id\":\"CN-1\",\"customer_id\":\"C\",\"currency\":\"JPY\","
     "\"tax_mode\":\"inclusive\",\"lines\":[{\"sku\":\"A\",\"qty\":1,\"unit_price\":1150,"
     "\"tax_rate\":15}]}",
     RECORD_CREDIT_NOTE,
     "JPY",
     0,
     MONEY_TAX_INCLUSIVE,
     0,
     1150 * U,
     1,
     {{"A", NULL, NULL, 10000, 1150 * U, 0, 150000, true, 1150 * U, 150 * U}}},
    /* purchase, none, KWD: 7 x 0.1235 = 0.8645 -> 0.865 (half away), no tax */
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-1\",\"supplier_id\":\"V\",\"currency\":\"KWD\","
     "\"tax_mode\":\"none\",\"lines\":[{\"sku\":\"B\",\"qty\":7,\"unit_cost\":\"0.1235\","
     "\"tax_rate\":5}]}",
     RECORD_PURCHASE,
     "KWD",
     3,
     MONEY_TAX_NONE,
     0,
     865000,
     1,
     {{"B", NULL, NULL, 70000, 123500, 0, 50000, true, 865000, 0}}},
    /* adjustment: -2 x 1.125 = -2.25 */
    {"NZD",
     "{\"kind\":\"adjustment\",\"id\":\"ADJ\",\"lines\":[{\"sku\":\"A\",\"qty\":-2,"
     "\"unit_cost\":\"1.125\",\"account\":\"630\"}]}",
     RECORD_ADJUSTMENT,
     "",
     2,
     MONEY_TAX_EXCLUSIVE,
     0,
     -2250000,
     1,
     {{"A", NULL, "630", -20000, 1125000, 0, 0, false, -2250000, 0}}},
    /* cogs: 1.2345 -> 1.23 */
    {"NZD",
     "{\"kind\":\"cogs\",\"id\":\"CG\",\"sale_id\":\"S\",\"lines\":[{\"sku\":\"A\",\"cost\":\"1."
     "2345\"}]}",
     RECORD_COGS,
     "",
     2,
     MONEY_TAX_EXCLUSIVE,
     0,
     1230000,
     1,
     {{"A", NULL, NULL, 0, 1234500, 0, 0, false, 1230000, 0}}},
    /* money task, inclusive: 11.50 at 15% has 1.50 tax inside */
    {"NZD",
     "{\"kind\":\"money_task\",\"id\":\"MT\",\"direction\":\"spend\",\"tax_mode\":\"inclusive\","
     "\"lines\":[{\"account\":\"429\",\"amount\":\"11.50\",\"tax_rate\":15,\"description\":"
     "\"Fuel\"}]}",
     RECORD_MONEY_TASK,
     "",
     2,
     MONEY_TAX_INCLUSIVE,
     0,
     11500000,
     1,
     {{NULL, "Fuel", "429", 0, 0, 0, 150000, true, 11500000, 1500000}}},
    /* journal: debit positive, credit negative */
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J\",\"lines\":[{\"account\":\"400\",\"debit\":\"5\"},"
     "{\"account\":\"800\",\"credit\":\"5\",\"description\":\"Owed\"}]}",
     RECORD_JOURNAL,
     "",
     2,
     MONEY_TAX_EXCLUSIVE,
     0,
     5 * U,
     2,
     {{NULL, NULL, "400", 0, 0, 0, 0, false, 5 * U, 0},
      {NULL, "Owed", "800", 0, 0, 0, 0, false, -5 * U, 0}}},
    /* payment: no lines; base JPY gives exponent 0 */
    {"JPY",
     "{\"kind\":\"payment\",\"id\":\"P\",\"sale_id\":\"S\",\"amount\":700}",
     RECORD_PAYMENT,
     "",
     0,
     MONEY_TAX_EXCLUSIVE,
     0,
     700 * U,
     0,
     {{0}}},
};

static void check_str(size_t i, size_t l, const char *what, const char *got, const char *want)
{
	if ((got == NULL) != (want == NULL) || (got != NULL && strcmp(got, want) != 0))
		fail_msg("case %zu line %zu: %s \"%s\", want \"%s\"", i, l, what,
		         got ? got : "(null)", want ? want : "(null)");
}

static void test_doc_cases(void **state)
{
	struct record r;
	struct record_doc d;
	struct bs_error err;

	(void)state;
	record_init(&r);
	record_doc_init(&d);
	for (size_t i = 0; i < N(doc_cases); i++) {
		const struct doc_case *c = &doc_cases[i];
		struct record_ctx ctx = {c->base};
		struct json_object *o = json_tokener_parse(c->in);

		assert_non_null(o);
		if (record_from_json(o, &ctx, &r, &err) != BS_OK)
			fail_msg("case %zu: %s", i, err.msg);
		json_object_put(o);
		if (record_doc_parse(buf_cstr(&r.canonical), r.canonical.len, &ctx, &d, &err) !=
		    BS_OK)
			fail_msg("case %zu: doc: %s", i, err.msg);
		assert_int_equal(d.kind, c->kind);
		assert_string_equal(d.id, r.id);
		assert_string_equal(d.currency, c->currency);
		assert_int_equal(d.exp, c->exp);
		assert_int_equal(d.tax_mode, c->mode);
		assert_int_equal(d.fx, c->fx);
		assert_true(d.has_total);
		assert_int_equal(d.total, c->total);
		assert_int_equal(d.total, r.total);
		assert_string_equal(d.tab, r.tab);
		if (d.nlines != c->nlines)
			fail_msg("case %zu: %zu lines, want %zu", i, d.nlines, c->nlines);
		for (size_t l = 0; l < d.nlines; l++) {
			const struct record_doc_line *g = &d.lines[l];
			const struct line_want *w = &c->lines[l];

			check_str(i, l, "sku", g->sku, w->sku);
			check_str(i, l, "description", g->description, w->description);
			check_str(i, l, "account", g->account, w->account);
			if (g->qty != w->qty || g->price != w->price ||
			    g->discount_pct != w->discount || g->tax_rate != w->rate ||
			    g->has_tax_rate != w->has_rate || g->amount != w->amount ||
			    g->tax != w->tax)
				fail_msg(
				    "case %zu line %zu: qty %lld price %lld disc %lld rate %lld/%d "
				    "amount %lld tax %lld",
				    i, l, (long long)g->qty, (long long)g->price,
				    (long long)g->discount_pct, (long long)g->tax_rate,
				    g->has_tax_rate, (long long)g->amount, (long long)g->tax);
		}
		record_doc_release(&d);
	}
	record_release(&r);
}

static void test_doc_strings(void **state)
{
	struct record_ctx ctx = {"NZD"};
	struct record_doc d;
	struct bs_error err;
	const char *text = "{\"customer_id\":\"C-1\",\"id\":\"S-9\",\"kind\":\"sale\",\"lines\":[{"
	                   "\"qty\":\"1\",\"sku\":\"A\",\"unit_price\":\"2\"}],\"reference\":"
	                   "\"SO-9\",\"status\":\"paid\",\"tax_mode\":\"exclusive\"}";

	(void)state;
	record_doc_init(&d);
	assert_int_equal(record_doc_parse(text, strlen(text), &ctx, &d, &err), BS_OK);
	assert_string_equal(record_doc_str(&d, "reference"), "SO-9");
	assert_string_equal(record_doc_str(&d, "customer_id"), "C-1");
	assert_string_equal(record_doc_str(&d, "status"), "paid");
	assert_null(record_doc_str(&d, "due_date"));
	assert_null(record_doc_str(&d, "lines")); /* not a string */
	assert_int_equal(d.total, 2 * U);
	record_doc_release(&d);
	record_doc_release(&d); /* twice is harmless */
	assert_null(record_doc_str(&d, "reference"));
}

static void test_doc_errors(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *msg;
	} cases[] = {
	    {"", BS_EPARSE, "record: not one JSON object"},
	    {"[1]", BS_EPARSE, "record: not one JSON object"},
	    {"{\"kind\":\"customer\",\"id\":\"C\",\"name\":\"N\"} x", BS_EPARSE,
	     "record: not one JSON object"},
	    {"{\"kind\":\"customer\",\"id\":\"C\"}", BS_EINVAL, "customer C: name is required"},
	    {"{\"kind\":\"nope\",\"id\":\"C\"}", BS_EUNSUPPORTED, "unknown kind \"nope\""},
	};
	struct record_ctx ctx = {"NZD"};
	struct record_doc d;
	struct bs_error err;

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		int rc = record_doc_parse(cases[i].text, strlen(cases[i].text), &ctx, &d, &err);

		if (rc != cases[i].rc || strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("case %zu: %d \"%s\"", i, rc, err.msg);
		assert_null(d.lines);
		assert_null(d.root);
		assert_int_equal(d.nlines, 0);
	}
}

/* A line that fails after earlier lines were collected leaves nothing behind. */
static void test_doc_partial_failure(void **state)
{
	struct record_ctx ctx = {"NZD"};
	struct record_doc d;
	struct bs_error err;
	const char *text = "{\"kind\":\"sale\",\"id\":\"S\",\"lines\":[{\"sku\":\"A\",\"qty\":1,"
	                   "\"unit_price\":1},{\"sku\":\"B\",\"qty\":1,\"unit_price\":2},{\"sku\":"
	                   "\"C\",\"qty\":1,\"unit_price\":\"x\"}]}";

	(void)state;
	assert_int_equal(record_doc_parse(text, strlen(text), &ctx, &d, &err), BS_EPARSE);
	assert_string_equal(err.msg, "sale S line 3: unit_price \"x\" is not a decimal");
	assert_null(d.lines);
	assert_int_equal(d.nlines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_doc_cases),
	    cmocka_unit_test(test_doc_strings),
	    cmocka_unit_test(test_doc_errors),
	    cmocka_unit_test(test_doc_partial_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
