/*
 * test_rules_tax_rounding.c - rules_rounding with the ledger's tax rounded
 * per line (Xero) and per rate over the document (QBO's TxnTaxDetail):
 * the prediction of the ledger's tax and the correction line that makes
 * its total the source's before posting (docs/rounding.md "Tax rounding").
 *
 * Unit prices are whole cents, so line amounts agree everywhere and every
 * difference comes from where tax is rounded.  Each row is worked by hand
 * in its comment: t = a line's tax, T = one rate's tax over the document.
 * Every row runs in both modes: per line the ledger's tax is the source's
 * (both round each line half away), per rate it is `rate_tax`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules.h"

#define Q(x)   ((int64_t)(x)*QTY_SCALE)
#define PCT(x) ((int64_t)(x)*PCT_SCALE)
#define C(x)   ((int64_t)(x)*10000) /* cents -> micros */
#define EXCL   MONEY_TAX_EXCLUSIVE
#define INCL   MONEY_TAX_INCLUSIVE
#define NOTAX  MONEY_TAX_NONE
#define MAXL   5

struct tcase {
	const char *name;
	size_t n;
	struct rules_line lines[MAXL];
	enum money_tax_mode mode;
	enum money_round rule;
	int64_t src_tax;  /* Σ source line tax */
	int64_t line_tax; /* the ledger's, per line */
	int64_t rate_tax; /* the ledger's, per rate */
	int64_t src_total;
};

static const struct tcase cases[] = {
    /* t = 0.015 -> 0.02 twice = 0.04; T = 0.20 x 15% = 0.03. */
    {"excl 15%, 2 x 0.10",
     2,
     {{Q(1), C(10), 0, PCT(15), "a", NULL}, {Q(1), C(10), 0, PCT(15), "b", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(4),
     C(4),
     C(3),
     C(24)},
    /* one line: t = T = 0.02. */
    {"excl 15%, 1 x 0.10",
     1,
     {{Q(1), C(10), 0, PCT(15), "a", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(2),
     C(2),
     C(2),
     C(12)},
    /* t = 0.02 x 3 = 0.06; T = 0.045 -> 0.05. */
    {"excl 15%, 3 x 0.10",
     3,
     {{Q(1), C(10), 0, PCT(15), "a", NULL},
      {Q(1), C(10), 0, PCT(15), "b", NULL},
      {Q(1), C(10), 0, PCT(15), "c", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(6),
     C(6),
     C(5),
     C(36)},
    /* t = 0.02 x 4 = 0.08; T = 0.06: D = -0.02 (no line to rewrite). */
    {"excl 15%, 4 x 0.10",
     4,
     {{Q(1), C(10), 0, PCT(15), "a", NULL},
      {Q(1), C(10), 0, PCT(15), "b", NULL},
      {Q(1), C(10), 0, PCT(15), "c", NULL},
      {Q(1), C(10), 0, PCT(15), "d", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(8),
     C(8),
     C(6),
     C(48)},
    /* t = 0.005 -> 0.01 twice; T = 0.10 x 10% = 0.01. */
    {"excl 10%, 2 x 0.05",
     2,
     {{Q(1), C(5), 0, PCT(10), "a", NULL}, {Q(1), C(5), 0, PCT(10), "b", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(2),
     C(2),
     C(1),
     C(12)},
    /* two rates: 15% -> 0.04 vs 0.03, 10% -> 0.02 vs 0.01. */
    {"excl 15% and 10%",
     4,
     {{Q(1), C(10), 0, PCT(15), "a", NULL},
      {Q(1), C(5), 0, PCT(10), "b", NULL},
      {Q(1), C(10), 0, PCT(15), "c", NULL},
      {Q(1), C(5), 0, PCT(10), "d", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(6),
     C(6),
     C(4),
     C(36)},
    /* negative: t = -0.02 twice; T = -0.03. */
    {"excl 15%, 2 x -0.10",
     2,
     {{Q(-1), C(10), 0, PCT(15), "a", NULL}, {Q(-1), C(10), 0, PCT(15), "b", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     -C(4),
     -C(4),
     -C(3),
     -C(24)},
    /* a return against a sale at one rate: 0 either way. */
    {"excl 15%, 0.10 and -0.10",
     2,
     {{Q(1), C(10), 0, PCT(15), "a", NULL}, {Q(-1), C(10), 0, PCT(15), "b", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     0,
     0,
     0,
     0},
    /* t = 0.002 -> 0 three times; T = 0.006 -> 0.01. */
    {"excl 20%, 3 x 0.01",
     3,
     {{Q(1), C(1), 0, PCT(20), "a", NULL},
      {Q(1), C(1), 0, PCT(20), "b", NULL},
      {Q(1), C(1), 0, PCT(20), "c", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     0,
     0,
     C(1),
     C(3)},
    /* two codes of one rate are two tax lines: T = 0.02 + 0.02. */
    {"excl 15%, two codes",
     2,
     {{Q(1), C(10), 0, PCT(15), "a", "GST"}, {Q(1), C(10), 0, PCT(15), "b", "GST2"}},
     EXCL,
     MONEY_HALF_AWAY,
     C(4),
     C(4),
     C(4),
     C(24)},
    /* one code named twice: one group, T = 0.03. */
    {"excl 15%, one code",
     2,
     {{Q(1), C(10), 0, PCT(15), "a", "GST"}, {Q(1), C(10), 0, PCT(15), "b", "GST"}},
     EXCL,
     MONEY_HALF_AWAY,
     C(4),
     C(4),
     C(3),
     C(24)},
    /* t = 0.0016 -> 0.00 x 4 = 0; T = 0.16 x 12.5% = 0.02. */
    {"excl 12.5%, 4 x 0.04... (0.005 each)",
     4,
     {{Q(1), C(4), 0, 125000, "a", NULL},
      {Q(1), C(4), 0, 125000, "b", NULL},
      {Q(1), C(4), 0, 125000, "c", NULL},
      {Q(1), C(4), 0, 125000, "d", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(4),
     C(4),
     C(2),
     C(20)},
    /* 0.99 x 15% = 0.1485 -> 0.15, 0.01 -> 0.0015 -> 0; T = 1.00 -> 0.15. */
    {"excl 15%, 3 x 0.33 and 0.01",
     2,
     {{Q(3), C(33), 0, PCT(15), "a", NULL}, {Q(1), C(1), 0, PCT(15), "b", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(15),
     C(15),
     C(15),
     C(115)},
    /* 9.975%: t = 0.0049875 -> 0 twice; T = 0.009975 -> 0.01. */
    {"excl 9.975%, 2 x 0.05",
     2,
     {{Q(1), C(5), 0, 99750, "a", NULL}, {Q(1), C(5), 0, 99750, "b", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     0,
     0,
     C(1),
     C(10)},
    /* 9.975%: t = 0.09975 -> 0.10 twice; T = 0.1995 -> 0.20: agree. */
    {"excl 9.975%, 2 x 1.00",
     2,
     {{Q(1), C(100), 0, 99750, "a", NULL}, {Q(1), C(100), 0, 99750, "b", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(20),
     C(20),
     C(20),
     C(220)},
    /* 0%: no tax at all. */
    {"excl 0%",
     2,
     {{Q(1), C(10), 0, 0, "a", NULL}, {Q(1), C(33), 0, 0, "b", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     0,
     0,
     0,
     C(43)},
    /* 15% (0.015 -> 0.02 x2) beside a 0% line (ignored). */
    {"excl 15% and 0%",
     3,
     {{Q(1), C(10), 0, PCT(15), "a", NULL},
      {Q(1), C(7), 0, 0, "b", NULL},
      {Q(1), C(10), 0, PCT(15), "c", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(4),
     C(4),
     C(3),
     C(31)},
    /* half even: t = 0.015 -> 0.02 (even) x3 = 0.06; T = 0.045 -> 0.04. */
    {"excl 15%, half even",
     3,
     {{Q(1), C(10), 0, PCT(15), "a", NULL},
      {Q(1), C(10), 0, PCT(15), "b", NULL},
      {Q(1), C(10), 0, PCT(15), "c", NULL}},
     EXCL,
     MONEY_HALF_EVEN,
     C(6),
     C(6),
     C(4),
     C(36)},
    /* with a discount: 2 x 0.20 less 50% = 0.20 -> t 0.03; 0.10 -> t 0.02;
     * Σ 0.05; T = 0.30 x 15% = 0.045 -> 0.05. */
    {"excl 15%, discount",
     2,
     {{Q(2), C(20), PCT(50), PCT(15), "a", NULL}, {Q(1), C(10), 0, PCT(15), "b", NULL}},
     EXCL,
     MONEY_HALF_AWAY,
     C(5),
     C(5),
     C(5),
     C(35)},
    /* inclusive: t = 0.10 x 15/115 = 0.013 -> 0.01 x2; T = 0.026 -> 0.03;
     * the total is Σ amounts either way. */
    {"incl 15%, 2 x 0.10",
     2,
     {{Q(1), C(10), 0, PCT(15), "a", NULL}, {Q(1), C(10), 0, PCT(15), "b", NULL}},
     INCL,
     MONEY_HALF_AWAY,
     C(2),
     C(2),
     C(3),
     C(20)},
    /* inclusive 10%: t = 0.0045 -> 0 x3; T = 0.15 / 11 = 0.0136 -> 0.01. */
    {"incl 10%, 3 x 0.05",
     3,
     {{Q(1), C(5), 0, PCT(10), "a", NULL},
      {Q(1), C(5), 0, PCT(10), "b", NULL},
      {Q(1), C(5), 0, PCT(10), "c", NULL}},
     INCL,
     MONEY_HALF_AWAY,
     0,
     0,
     C(1),
     C(15)},
    /* inclusive negative: t = -0.01 x2; T = -0.026 -> -0.03. */
    {"incl 15%, 2 x -0.10",
     2,
     {{Q(-1), C(10), 0, PCT(15), "a", NULL}, {Q(-1), C(10), 0, PCT(15), "b", NULL}},
     INCL,
     MONEY_HALF_AWAY,
     -C(2),
     -C(2),
     -C(3),
     -C(20)},
    /* inclusive, two rates: 15% as above (0.02 / 0.03), 10% 2 x 0.05:
     * t = 0 x2, T = 0.10 / 11 = 0.009 -> 0.01. */
    {"incl 15% and 10%",
     4,
     {{Q(1), C(10), 0, PCT(15), "a", NULL},
      {Q(1), C(5), 0, PCT(10), "b", NULL},
      {Q(1), C(10), 0, PCT(15), "c", NULL},
      {Q(1), C(5), 0, PCT(10), "d", NULL}},
     INCL,
     MONEY_HALF_AWAY,
     C(2),
     C(2),
     C(4),
     C(30)},
    /* inclusive 1.15 x2: t = 0.15 exact; T = 0.30. */
    {"incl 15%, 2 x 1.15",
     2,
     {{Q(1), C(115), 0, PCT(15), "a", NULL}, {Q(1), C(115), 0, PCT(15), "b", NULL}},
     INCL,
     MONEY_HALF_AWAY,
     C(30),
     C(30),
     C(30),
     C(230)},
    /* no tax: nothing either way. */
    {"none",
     2,
     {{Q(1), C(10), 0, PCT(15), "a", NULL}, {Q(1), C(10), 0, PCT(15), "b", NULL}},
     NOTAX,
     MONEY_HALF_AWAY,
     0,
     0,
     0,
     C(20)},
};

static void run_case(const struct tcase *c, enum rules_tax_rounding tr)
{
	struct rules_ledger_line out[MAXL];
	struct rules_rounding_in in = {
	    .lines = c->lines,
	    .nlines = c->n,
	    .tax_mode = c->mode,
	    .currency_dp = 2,
	    .ledger_unit_dp = 4,
	    .ledger_amount_dp = 2,
	    .ledger_round = c->rule,
	    .tax_rounding = tr,
	    .rounding_account = "860",
	};
	struct rules_rounding_out o = {.lines = out, .cap = MAXL};
	struct bs_error err = {0};
	struct buf desc;
	int64_t want_tax = tr == RULES_TAX_PER_RATE ? c->rate_tax : c->line_tax, amounts = 0;
	int64_t ledger;

	buf_init(&desc, 4096);
	print_message("%s, %s\n", c->name, tr == RULES_TAX_PER_RATE ? "per rate" : "per line");
	assert_int_equal(rules_rounding(&in, &o, &desc, &err), BS_OK);
	assert_int_equal(o.source_tax, c->src_tax);
	assert_int_equal(o.source_total, c->src_total);
	assert_int_equal(o.ledger_tax, want_tax);
	assert_int_equal(o.nrewritten, 0); /* amounts agree: nothing to rewrite */
	for (size_t i = 0; i < o.nlines; i++)
		amounts += o.lines[i].line_amount;
	ledger = amounts + (c->mode == EXCL ? want_tax : 0);
	/* the correction makes the ledger's total the source's, before posting */
	assert_int_equal(o.correction, c->src_total - ledger);
	assert_int_equal(o.has_correction, o.correction != 0);
	assert_int_equal(o.ledger_total, c->src_total);
	buf_free(&desc);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(&cases[i], RULES_TAX_PER_LINE);
		run_case(&cases[i], RULES_TAX_PER_RATE);
	}
}

/* Per rate with lines the ledger prices differently (3-dp prices): the
 * rewrite and the tax correction together still land on the source total,
 * and the ledger's tax is the rate on Σ of the lines as sent. */
static void test_rate_with_rewrite(void **state)
{
	static const struct rules_line lines[] = {
	    {Q(300), 3333350, 0, PCT(15), "w", NULL},
	    {Q(300), 3333350, 0, PCT(15), "x", NULL},
	    {Q(1), C(10), 0, PCT(15), "y", NULL},
	};
	struct rules_ledger_line out[3];
	struct rules_rounding_in in = {.lines = lines,
	                               .nlines = 3,
	                               .tax_mode = EXCL,
	                               .currency_dp = 2,
	                               .ledger_unit_dp = 4,
	                               .ledger_amount_dp = 2,
	                               .ledger_round = MONEY_HALF_AWAY,
	                               .tax_rounding = RULES_TAX_PER_RATE,
	                               .rounding_account = "860"};
	struct rules_rounding_out o = {.lines = out, .cap = 3};
	struct bs_error err = {0};
	struct buf desc;
	int64_t sum = 0, tax = 0;

	(void)state;
	buf_init(&desc, 4096);
	assert_int_equal(rules_rounding(&in, &o, &desc, &err), BS_OK);
	for (size_t i = 0; i < 3; i++)
		sum += o.lines[i].line_amount;
	assert_int_equal(money_tax(sum, PCT(15), EXCL, 2, MONEY_HALF_AWAY, &tax), BS_OK);
	assert_int_equal(o.ledger_tax, tax);
	assert_int_equal(sum + tax + o.correction, o.source_total);
	assert_int_equal(o.ledger_total, o.source_total);
	buf_free(&desc);
}

static void test_bad_mode(void **state)
{
	struct rules_line l = {Q(1), C(10), 0, PCT(15), "a", NULL};
	struct rules_ledger_line out[1];
	struct rules_rounding_in in = {.lines = &l,
	                               .nlines = 1,
	                               .tax_mode = EXCL,
	                               .currency_dp = 2,
	                               .ledger_unit_dp = 4,
	                               .ledger_amount_dp = 2,
	                               .ledger_round = MONEY_HALF_AWAY,
	                               .tax_rounding = (enum rules_tax_rounding)7,
	                               .rounding_account = "860"};
	struct rules_rounding_out o = {.lines = out, .cap = 1};
	struct bs_error err = {0};

	(void)state;
	assert_int_equal(rules_rounding(&in, &o, NULL, &err), BS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_rate_with_rewrite),
	    cmocka_unit_test(test_bad_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
