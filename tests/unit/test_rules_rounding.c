/*
 * test_rules_rounding.c - the ledger rounding prediction and its
 * correction (docs/rounding.md) from src/rules/rules.h.
 *
 * Every expected value in the table is worked out by hand in the comment
 * beside it: S = the source's line amount (half away to the currency's
 * exponent), U = the unit price at 4 dp, L = the ledger's line amount at
 * 2 dp with its midpoint rule, D = ledger − source.  Then a property test
 * over thousands of pseudo-random documents (fixed seed) checks the
 * invariant: the ledger total with the correction equals the source total.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules.h"

#define N(a)   (sizeof(a) / sizeof((a)[0]))
#define Q(x)   ((int64_t)(x)*QTY_SCALE)
#define PCT(x) ((int64_t)(x)*PCT_SCALE)
#define AWAY   MONEY_HALF_AWAY
#define EVEN   MONEY_HALF_EVEN
#define EXCL   MONEY_TAX_EXCLUSIVE
#define INCL   MONEY_TAX_INCLUSIVE
#define NOTAX  MONEY_TAX_NONE
#define MAXL   4

struct want_line {
	int64_t qty, unit, disc, la, tax;
	bool rewritten;
	const char *desc; /* NULL: the description must be the input's pointer */
};

struct rcase {
	const char *name;
	size_t n;
	struct rules_line lines[MAXL];
	enum money_tax_mode mode;
	int cur_dp;
	enum money_round rule;
	bool fold;
	int64_t source_total, target_total, first_diff, correction;
	size_t nrewritten;
	struct want_line want[MAXL];
};

/* All amounts in micros. */
static const struct rcase cases[] = {
    /* S = 10.00005 -> 10.00; U = 3.3334; L = 10.0002 -> 10.00; D = 0. */
    {"3 x 3.33335, nothing to correct",
     1,
     {{Q(3), 3333350, 0, 0, "Widget"}},
     NOTAX,
     2,
     AWAY,
     false,
     10000000,
     10000000,
     0,
     0,
     0,
     {{Q(3), 3333400, 0, 10000000, 0, false, NULL}}},
    /* S = 1000.005 -> 1000.01; L = 300 x 3.3334 = 1000.02; D = +0.01 < 0.02:
     * a correction line of -0.01. */
    {"300 x 3.33335, 1-cent correction",
     1,
     {{Q(300), 3333350, 0, 0, "Widget"}},
     NOTAX,
     2,
     AWAY,
     false,
     1000010000,
     1000010000,
     10000,
     -10000,
     0,
     {{Q(300), 3333400, 0, 1000020000, 0, false, NULL}}},
    /* S = 10000.005 -> 10000.01... no: 3000 x 3.33335 = 10000.05 exactly; L =
     * 10000.20; D = 0.15 >= 0.02: rewritten as 1 x 10000.05, nothing left. */
    {"3000 x 3.33335, rewritten",
     1,
     {{Q(3000), 3333350, 0, 0, "Widget"}},
     NOTAX,
     2,
     AWAY,
     false,
     10000050000,
     10000050000,
     150000,
     0,
     1,
     {{Q(1), 10000050000, 0, 10000050000, 0, true, "Widget (orig: 3000 \xc3\x97 3.33335)"}}},
    /* S = 0.864192 -> 0.86; U = 0.1235; L = 0.8645 -> 0.86. */
    {"7 x 0.123456",
     1,
     {{Q(7), 123456, 0, 0, NULL}},
     NOTAX,
     2,
     AWAY,
     false,
     860000,
     860000,
     0,
     0,
     0,
     {{Q(7), 123500, 0, 860000, 0, false, NULL}}},
    /* S = 86.4192 -> 86.42; L = 86.45; D = 0.03: rewritten, no description of
     * its own. */
    {"700 x 0.123456, rewritten",
     1,
     {{Q(700), 123456, 0, 0, NULL}},
     NOTAX,
     2,
     AWAY,
     false,
     86420000,
     86420000,
     30000,
     0,
     1,
     {{Q(1), 86420000, 0, 86420000, 0, true, "(orig: 700 \xc3\x97 0.123456)"}}},
    /* S = 8.64192 -> 8.64; L = 70 x 0.1235 = 8.645, an exact midpoint:
     * half away 8.65 (D = +0.01), half even 8.64 (D = 0). */
    {"70 x 0.123456, midpoint, half away",
     1,
     {{Q(70), 123456, 0, 0, "x"}},
     NOTAX,
     2,
     AWAY,
     false,
     8640000,
     8640000,
     10000,
     -10000,
     0,
     {{Q(70), 123500, 0, 8650000, 0, false, NULL}}},
    {"70 x 0.123456, midpoint, half even",
     1,
     {{Q(70), 123456, 0, 0, "x"}},
     NOTAX,
     2,
     EVEN,
     false,
     8640000,
     8640000,
     0,
     0,
     0,
     {{Q(70), 123500, 0, 8640000, 0, false, NULL}}},
    /* S = 0.05; U = 0.00005 -> 0.0001; L = 0.10; D = 0.05: rewritten. */
    {"1000 x 0.00005, rewritten",
     1,
     {{Q(1000), 50, 0, 0, ""}},
     NOTAX,
     2,
     AWAY,
     false,
     50000,
     50000,
     50000,
     0,
     1,
     {{Q(1), 50000, 0, 50000, 0, true, "(orig: 1000 \xc3\x97 0.00005)"}}},
    /* S = 1.111125 -> 1.11, tax 0.1665 -> 0.17; U = 2.2223, L = 1.11115 ->
     * 1.11, tax 0.17; D = 0. */
    {"0.5 x 2.22225 at 15%",
     1,
     {{5000, 2222250, 0, PCT(15), "half"}},
     EXCL,
     2,
     AWAY,
     false,
     1280000,
     1280000,
     0,
     0,
     0,
     {{5000, 2222300, 0, 1110000, 170000, false, NULL}}},
    {"0.5 x 2.22225 at 15%, half even",
     1,
     {{5000, 2222250, 0, PCT(15), "half"}},
     EXCL,
     2,
     EVEN,
     false,
     1280000,
     1280000,
     0,
     0,
     0,
     {{5000, 2222300, 0, 1110000, 170000, false, NULL}}},
    /* Tax midpoint: 0.30 x 15% = 0.045.  Source (half away) 0.05; ledger
     * half away 0.05 (D = 0), half even 0.04 (D = -0.01, correction +0.01). */
    {"tax midpoint, half away",
     1,
     {{Q(1), 300000, 0, PCT(15), "t"}},
     EXCL,
     2,
     AWAY,
     false,
     350000,
     350000,
     0,
     0,
     0,
     {{Q(1), 300000, 0, 300000, 50000, false, NULL}}},
    {"tax midpoint, half even",
     1,
     {{Q(1), 300000, 0, PCT(15), "t"}},
     EXCL,
     2,
     EVEN,
     false,
     350000,
     350000,
     -10000,
     10000,
     0,
     {{Q(1), 300000, 0, 300000, 40000, false, NULL}}},
    /* JPY: S = 1000.005 -> 1000 (0 dp); L = 1000.005 -> 1000.01 half away
     * (D = +0.01), 1000.00 half even (D = 0). */
    {"JPY 3 x 333.335, half away",
     1,
     {{Q(3), 333335000, 0, 0, "y"}},
     NOTAX,
     0,
     AWAY,
     false,
     1000000000,
     1000000000,
     10000,
     -10000,
     0,
     {{Q(3), 333335000, 0, 1000010000, 0, false, NULL}}},
    {"JPY 3 x 333.335, half even",
     1,
     {{Q(3), 333335000, 0, 0, "y"}},
     NOTAX,
     0,
     EVEN,
     false,
     1000000000,
     1000000000,
     0,
     0,
     0,
     {{Q(3), 333335000, 0, 1000000000, 0, false, NULL}}},
    /* JPY: S = 100000.005 -> 100000; U = 33.3333; L = 99999.90; D = -0.10:
     * rewritten as 1 x 100000. */
    {"JPY 3000 x 33.333335, rewritten",
     1,
     {{Q(3000), 33333335, 0, 0, "y"}},
     NOTAX,
     0,
     AWAY,
     false,
     100000000000,
     100000000000,
     -100000,
     0,
     1,
     {{Q(1), 100000000000, 0, 100000000000, 0, true, "y (orig: 3000 \xc3\x97 33.333335)"}}},
    /* KWD (3 dp): S = 1.245, target 1.25 (residual -0.005).  Half even L =
     * 1.24: D = -0.01, correction +0.01.  Half away L = 1.25: D = 0. */
    {"KWD 1.245, half even",
     1,
     {{Q(1), 1245000, 0, 0, "k"}},
     NOTAX,
     3,
     EVEN,
     false,
     1245000,
     1250000,
     -10000,
     10000,
     0,
     {{Q(1), 1245000, 0, 1240000, 0, false, NULL}}},
    {"KWD 1.245, half away",
     1,
     {{Q(1), 1245000, 0, 0, "k"}},
     NOTAX,
     3,
     AWAY,
     false,
     1245000,
     1250000,
     0,
     0,
     0,
     {{Q(1), 1245000, 0, 1250000, 0, false, NULL}}},
    /* KWD, four lines of 1.245, half even: S = 4.98 (exact), L = 4 x 1.24 =
     * 4.96, D = -0.02.  Rewriting would send 1 x 1.2450 -> 1.24 again, so no
     * line is rewritten; the correction absorbs the 3rd decimal. */
    {"KWD 4 x 1.245, correction absorbs",
     4,
     {{Q(1), 1245000, 0, 0, "a"},
      {Q(1), 1245000, 0, 0, "b"},
      {Q(1), 1245000, 0, 0, "c"},
      {Q(1), 1245000, 0, 0, "d"}},
     NOTAX,
     3,
     EVEN,
     false,
     4980000,
     4980000,
     -20000,
     20000,
     0,
     {{Q(1), 1245000, 0, 1240000, 0, false, NULL},
      {Q(1), 1245000, 0, 1240000, 0, false, NULL},
      {Q(1), 1245000, 0, 1240000, 0, false, NULL},
      {Q(1), 1245000, 0, 1240000, 0, false, NULL}}},
    /* KWD 0.0125 x 1... a 3-dp amount the ledger cannot hold: 1 x 1.2345
     * S = 1.235 (1.2345 half away at 3 dp), target 1.24, residual -0.005;
     * U = 1.2345, L = 1.2345 -> 1.23; D = -0.01, correction +0.01. */
    {"KWD 1 x 1.2345",
     1,
     {{Q(1), 1234500, 0, 0, "k"}},
     NOTAX,
     3,
     AWAY,
     false,
     1235000,
     1240000,
     -10000,
     10000,
     0,
     {{Q(1), 1234500, 0, 1230000, 0, false, NULL}}},
    /* Inclusive 15%: S = 1000.01 (tax inside: 1000.01 x 15/115 = 130.436 ->
     * 130.44); L = 1000.02 (tax 130.437 -> 130.44); total = Σ amounts: D =
     * +0.01, correction -0.01. */
    {"inclusive 15%, 1 cent",
     1,
     {{Q(300), 3333350, 0, PCT(15), "g"}},
     INCL,
     2,
     AWAY,
     false,
     1000010000,
     1000010000,
     10000,
     -10000,
     0,
     {{Q(300), 3333400, 0, 1000020000, 130440000, false, NULL}}},
    /* Exclusive 15%: S = 1000.01 + 150.0015 -> 150.00 = 1150.01; L = 1000.02
     * + 150.003 -> 150.00 = 1150.02; D = +0.01. */
    {"exclusive 15%, 1 cent",
     1,
     {{Q(300), 3333350, 0, PCT(15), "g"}},
     EXCL,
     2,
     AWAY,
     false,
     1150010000,
     1150010000,
     10000,
     -10000,
     0,
     {{Q(300), 3333400, 0, 1000020000, 150000000, false, NULL}}},
    /* Exclusive 15%: S = 10000.05 + 1500.0075 -> 1500.01 = 11500.06; L =
     * 10000.20 + 1500.03 = 11500.23; D = 0.17: rewritten, then L = 10000.05
     * + 1500.01: nothing left. */
    {"exclusive 15%, rewritten",
     1,
     {{Q(3000), 3333350, 0, PCT(15), "g"}},
     EXCL,
     2,
     EVEN,
     false,
     11500060000,
     11500060000,
     170000,
     0,
     1,
     {{Q(1), 10000050000, 0, 10000050000, 1500010000, true, "g (orig: 3000 \xc3\x97 3.33335)"}}},
    /* Inclusive 15%, rewritten: S = 10000.05; L = 10000.20; D = 0.15. */
    {"inclusive 15%, rewritten",
     1,
     {{Q(3000), 3333350, 0, PCT(15), "g"}},
     INCL,
     2,
     AWAY,
     false,
     10000050000,
     10000050000,
     150000,
     0,
     1,
     /* tax 10000.05 x 15/115 = 1304.354 -> 1304.35 */
     {{Q(1), 10000050000, 0, 10000050000, 1304350000, true, "g (orig: 3000 \xc3\x97 3.33335)"}}},
    /* A 100% discount line is 0 on both sides. */
    {"100% discount",
     2,
     {{Q(2), 50000000, PCT(100), 0, "free"}, {Q(1), 10000000, 0, 0, "paid"}},
     NOTAX,
     2,
     AWAY,
     false,
     10000000,
     10000000,
     0,
     0,
     0,
     {{Q(2), 50000000, PCT(100), 0, 0, false, NULL},
      {Q(1), 10000000, 0, 10000000, 0, false, NULL}}},
    /* A return: S = -10000.05; L = -10000.20; D = -0.15: rewritten as 1 x
     * -10000.05. */
    {"negative quantity, rewritten",
     1,
     {{-Q(3000), 3333350, 0, 0, "Return"}},
     NOTAX,
     2,
     AWAY,
     false,
     -10000050000,
     -10000050000,
     -150000,
     0,
     1,
     {{Q(1), -10000050000, 0, -10000050000, 0, true, "Return (orig: -3000 \xc3\x97 3.33335)"}}},
    /* A small return: S = -1000.005 -> -1000.01 (half away); L = -1000.02;
     * D = -0.01, correction +0.01. */
    {"negative quantity, correction",
     1,
     {{-Q(300), 3333350, 0, 0, "Return"}},
     NOTAX,
     2,
     AWAY,
     false,
     -1000010000,
     -1000010000,
     -10000,
     10000,
     0,
     {{-Q(300), 3333400, 0, -1000020000, 0, false, NULL}}},
    /* Credit note: 7 x 1.23456 less 12.5%, discount folded: 1.08024 ->
     * U 1.0802, L = 7.5614 -> 7.56; S = 7.56168 -> 7.56. */
    {"credit note folds discount",
     1,
     {{Q(7), 1234560, 125000, 0, "cn"}},
     NOTAX,
     2,
     AWAY,
     true,
     7560000,
     7560000,
     0,
     0,
     0,
     {{Q(7), 1080200, 0, 7560000, 0, false, NULL}}},
    /* The same on a sale keeps the discount: U 1.2346, L = 7 x 1.2346 x
     * 0.875 = 7.561925 -> 7.56. */
    {"sale keeps discount",
     1,
     {{Q(7), 1234560, 125000, 0, "s"}},
     NOTAX,
     2,
     AWAY,
     false,
     7560000,
     7560000,
     0,
     0,
     0,
     {{Q(7), 1234600, 125000, 7560000, 0, false, NULL}}},
    /* A discount with more than 2 decimals is folded even on a sale: 10 x 10
     * less 12.345% -> U 8.7655, L = 87.655 -> 87.66; S = 87.655 -> 87.66. */
    {"3-dp discount folded",
     1,
     {{Q(10), 10000000, 123450, 0, "d"}},
     NOTAX,
     2,
     AWAY,
     false,
     87660000,
     87660000,
     0,
     0,
     0,
     {{Q(10), 8765500, 0, 87660000, 0, false, NULL}}},
    /* Rewritten with a discount: S = 3000 x 3.33335 x 0.9 = 9000.045 ->
     * 9000.05; L = 3000 x 3.3334 x 0.9 = 9000.18; D = 0.13. */
    {"rewritten with discount",
     1,
     {{Q(3000), 3333350, PCT(10), 0, "W"}},
     NOTAX,
     2,
     AWAY,
     false,
     9000050000,
     9000050000,
     130000,
     0,
     1,
     {{Q(1), 9000050000, 0, 9000050000, 0, true, "W (orig: 3000 \xc3\x97 3.33335 less 10%)"}}},
    /* Only the line that differs is rewritten. */
    {"only differing lines rewritten",
     2,
     {{Q(3000), 3333350, 0, 0, "A"}, {Q(2), 5000000, 0, 0, "B"}},
     NOTAX,
     2,
     AWAY,
     false,
     10010050000,
     10010050000,
     150000,
     0,
     1,
     {{Q(1), 10000050000, 0, 10000050000, 0, true, "A (orig: 3000 \xc3\x97 3.33335)"},
      {Q(2), 5000000, 0, 10000000, 0, false, NULL}}},
    /* What a rewrite cannot fix goes on the correction: line A is off by
     * +0.15, line B's tax by -0.01 (half even 0.045 -> 0.04); D = +0.14 ->
     * A rewritten, then D = -0.01 -> correction +0.01. */
    {"remainder after rewrite",
     2,
     {{Q(3000), 3333350, 0, 0, "A"}, {Q(1), 300000, 0, PCT(15), "B"}},
     EXCL,
     2,
     EVEN,
     false,
     10000400000,
     10000400000,
     140000,
     10000,
     1,
     {{Q(1), 10000050000, 0, 10000050000, 0, true, "A (orig: 3000 \xc3\x97 3.33335)"},
      {Q(1), 300000, 0, 300000, 40000, false, NULL}}},
    /* Three 15% lines, per-line tax: 1.05 + 2.05 + 3.05 = 6.15; taxes
     * 0.1575 -> 0.16, 0.3075 -> 0.31, 0.4575 -> 0.46 = 0.93 (taxing the
     * subtotal would give 0.9225 -> 0.92). */
    {"per-line tax",
     3,
     {{Q(1), 1050000, 0, PCT(15), "a"},
      {Q(1), 2050000, 0, PCT(15), "b"},
      {Q(1), 3050000, 0, PCT(15), "c"}},
     EXCL,
     2,
     AWAY,
     false,
     7080000,
     7080000,
     0,
     0,
     0,
     {{Q(1), 1050000, 0, 1050000, 160000, false, NULL},
      {Q(1), 2050000, 0, 2050000, 310000, false, NULL},
      {Q(1), 3050000, 0, 3050000, 460000, false, NULL}}},
};

static void check_case(size_t ci, const struct rcase *c)
{
	struct rules_ledger_line lines[MAXL];
	struct rules_rounding_out out = {.lines = lines, .cap = MAXL};
	struct rules_rounding_in in = {.lines = c->lines,
	                               .nlines = c->n,
	                               .tax_mode = c->mode,
	                               .currency_dp = c->cur_dp,
	                               .ledger_unit_dp = 4,
	                               .ledger_amount_dp = 2,
	                               .ledger_round = c->rule,
	                               .fold_discount = c->fold,
	                               .rounding_account = "860"};
	struct buf desc;
	struct bs_error err;
	int rc;

	buf_init(&desc, 0);
	buf_addstr(&desc, "prefix kept");
	rc = rules_rounding(&in, &out, &desc, &err);
	if (rc != BS_OK)
		fail_msg("case %zu \"%s\": rc %d %s", ci, c->name, rc, err.msg);
	if (out.nlines != c->n || out.source_total != c->source_total ||
	    out.target_total != c->target_total || out.first_diff != c->first_diff ||
	    out.correction != c->correction || out.has_correction != (c->correction != 0) ||
	    out.nrewritten != c->nrewritten || out.ledger_total != c->target_total ||
	    out.residual != c->source_total - c->target_total)
		fail_msg("case %zu \"%s\": source %lld target %lld D %lld correction %lld (%d) "
		         "rewritten %zu ledger %lld residual %lld",
		         ci, c->name, (long long)out.source_total, (long long)out.target_total,
		         (long long)out.first_diff, (long long)out.correction, out.has_correction,
		         out.nrewritten, (long long)out.ledger_total, (long long)out.residual);
	assert_string_equal(out.correction_account, "860");
	for (size_t i = 0; i < c->n; i++) {
		const struct rules_ledger_line *l = &lines[i];
		const struct want_line *w = &c->want[i];

		if (l->src != i || l->qty != w->qty || l->unit_amount != w->unit ||
		    l->discount_pct != w->disc || l->line_amount != w->la || l->tax != w->tax ||
		    l->rewritten != w->rewritten)
			fail_msg("case %zu \"%s\" line %zu: qty %lld unit %lld disc %lld la %lld "
			         "tax %lld rewritten %d",
			         ci, c->name, i, (long long)l->qty, (long long)l->unit_amount,
			         (long long)l->discount_pct, (long long)l->line_amount,
			         (long long)l->tax, l->rewritten);
		if (w->desc == NULL) {
			if (l->description != c->lines[i].description)
				fail_msg("case %zu line %zu: description changed", ci, i);
		} else if (l->description == NULL || strcmp(l->description, w->desc) != 0) {
			fail_msg("case %zu \"%s\" line %zu: description \"%s\", want \"%s\"", ci,
			         c->name, i, l->description ? l->description : "(null)", w->desc);
		}
	}
	assert_int_equal(strncmp(buf_cstr(&desc), "prefix kept", 11), 0);
	buf_free(&desc);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		check_case(i, &cases[i]);
}

/* Other ledger precisions: Xero without unitdp=4 (2-dp prices), and a
 * ledger holding a 0-dp currency at 0 dp. */
struct ledger_case {
	const char *name;
	struct rules_line line;
	int cur_dp, unit_dp, amount_dp;
	enum money_round rule;
	int64_t unit, la, first_diff, correction;
	bool rewritten;
};

static const struct ledger_case ledger_cases[] = {
    /* U = 3.33; L = 9.99; S = 10.00; D = -0.01. */
    {"2-dp prices, small",
     {Q(3), 3333350, 0, 0, "w"},
     2,
     2,
     2,
     AWAY,
     3330000,
     9990000,
     -10000,
     10000,
     false},
    /* L = 999.00; S = 1000.01; D = -1.01: rewritten as 1 x 1000.01. */
    {"2-dp prices, rewritten",
     {Q(300), 3333350, 0, 0, "w"},
     2,
     2,
     2,
     AWAY,
     1000010000,
     1000010000,
     -1010000,
     0,
     true},
    /* JPY at 0 dp: U = 333.3350, L = 1000.005 -> 1000 = S. */
    {"0-dp ledger",
     {Q(3), 333335000, 0, 0, "y"},
     0,
     4,
     0,
     AWAY,
     333335000,
     1000000000,
     0,
     0,
     false},
    /* 1 x 0.5 yen: S = 1 (half away); ledger half even L = 0: D = -1 yen,
     * less than 2 units: correction +1. */
    {"0-dp ledger, half even",
     {Q(1), 500000, 0, 0, "y"},
     0,
     4,
     0,
     EVEN,
     500000,
     0,
     -1000000,
     1000000,
     false},
    /* 6-dp prices: nothing is lost in the price; L = 10.00005 -> 10.00 = S. */
    {"6-dp prices", {Q(3), 3333350, 0, 0, "w"}, 2, 6, 2, AWAY, 3333350, 10000000, 0, 0, false},
};

static void test_other_ledgers(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(ledger_cases); i++) {
		const struct ledger_case *c = &ledger_cases[i];
		struct rules_ledger_line ol[1] = {{0}};
		struct rules_rounding_out out = {.lines = ol, .cap = 1};
		struct rules_rounding_in in = {&c->line,     1,       NOTAX, c->cur_dp, c->unit_dp,
		                               c->amount_dp, c->rule, false, "860"};
		struct buf desc;

		buf_init(&desc, 0);
		assert_int_equal(rules_rounding(&in, &out, &desc, NULL), BS_OK);
		if (ol[0].unit_amount != c->unit || ol[0].line_amount != c->la ||
		    out.first_diff != c->first_diff || out.correction != c->correction ||
		    ol[0].rewritten != c->rewritten || out.ledger_total != out.target_total)
			fail_msg("ledger case %zu \"%s\": unit %lld la %lld D %lld correction %lld "
			         "rewritten %d",
			         i, c->name, (long long)ol[0].unit_amount,
			         (long long)ol[0].line_amount, (long long)out.first_diff,
			         (long long)out.correction, ol[0].rewritten);
		buf_free(&desc);
	}
}

/* A ledger that rounds tax on top once per rate over the document (QBO),
 * 6-dp unit prices, half away.  The source rounds tax per line. */
struct perdoc_case {
	const char *name;
	size_t n;
	struct rules_line lines[MAXL];
	enum money_tax_mode mode;
	int64_t source_total, first_diff, correction;
	size_t nrewritten;
};

static const struct perdoc_case perdoc_cases[] = {
    /* 1.05 + 1.05 at 15%: per line 0.1575 -> 0.16 twice = 0.32; per document
     * 2.10 x 15% = 0.315 -> 0.32: the same. S = 2.42. */
    {"two lines, same tax",
     2,
     {{Q(1), 1050000, 0, PCT(15), "a"}, {Q(1), 1050000, 0, PCT(15), "b"}},
     EXCL,
     2420000,
     0,
     0,
     0},
    /* 1.03 + 1.03: per line 0.1545 -> 0.15 twice = 0.30; per document 2.06
     * x 15% = 0.309 -> 0.31: QBO would say 2.37, the source 2.36. */
    {"two lines, a cent apart",
     2,
     {{Q(1), 1030000, 0, PCT(15), "a"}, {Q(1), 1030000, 0, PCT(15), "b"}},
     EXCL,
     2360000,
     10000,
     -10000,
     0},
    /* 0.1 + 0.1 + 0.1 + 0.1 at 15%: per line 0.015 -> 0.02 x 4 = 0.08; per
     * document 0.40 x 15% = 0.06: two cents, but no line is wrong: no
     * rewrite, a correction of +0.02. */
    {"four small lines, two cents, no rewrite",
     4,
     {{Q(1), 100000, 0, PCT(15), "a"},
      {Q(1), 100000, 0, PCT(15), "b"},
      {Q(1), 100000, 0, PCT(15), "c"},
      {Q(1), 100000, 0, PCT(15), "d"}},
     EXCL,
     480000,
     -20000,
     20000,
     0},
    /* two rates: 1.03 at 15% (0.1545 -> 0.15) and 1.03 at 15% again, plus
     * 1.00 at 0%: per rate 2.06 x 15% = 0.31, 0 at 0%. S = 3.36. */
    {"two rates",
     3,
     {{Q(1), 1030000, 0, PCT(15), "a"},
      {Q(1), 1000000, 0, 0, "z"},
      {Q(1), 1030000, 0, PCT(15), "b"}},
     EXCL,
     3360000,
     10000,
     -10000,
     0},
    /* inclusive: the total is the lines' amounts whatever the split */
    {"inclusive: nothing to correct",
     2,
     {{Q(1), 1030000, 0, PCT(15), "a"}, {Q(1), 1030000, 0, PCT(15), "b"}},
     INCL,
     2060000,
     0,
     0,
     0},
    /* 6-dp prices: 3 x 0.333333 = 0.999999 -> 1.00 on both sides, tax 0.15 */
    {"6-dp prices keep the lines", 1, {{Q(3), 333333, 0, PCT(15), "a"}}, EXCL, 1150000, 0, 0, 0},
};

static void test_tax_per_document(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(perdoc_cases); i++) {
		const struct perdoc_case *c = &perdoc_cases[i];
		struct rules_ledger_line ol[MAXL];
		struct rules_rounding_out out = {.lines = ol, .cap = MAXL};
		struct rules_rounding_in in = {c->lines, c->n, c->mode, 2,    6,
		                               2,        AWAY, false,   "860"};
		struct buf desc;

		in.tax_rounding = RULES_TAX_PER_RATE;
		memset(ol, 0, sizeof(ol));
		buf_init(&desc, 0);
		assert_int_equal(rules_rounding(&in, &out, &desc, NULL), BS_OK);
		if (out.source_total != c->source_total || out.first_diff != c->first_diff ||
		    out.correction != c->correction || out.nrewritten != c->nrewritten ||
		    out.ledger_total != out.target_total)
			fail_msg("per-document case %zu \"%s\": S %lld D %lld correction %lld "
			         "rewritten %zu",
			         i, c->name, (long long)out.source_total, (long long)out.first_diff,
			         (long long)out.correction, out.nrewritten);
		/* the same document for a per-line ledger needs no correction */
		in.tax_rounding = RULES_TAX_PER_LINE;
		assert_int_equal(rules_rounding(&in, &out, &desc, NULL), BS_OK);
		if (c->mode == EXCL && c->correction != 0 && out.correction != 0)
			fail_msg("per-document case %zu: a per-line ledger corrects too", i);
		buf_free(&desc);
	}
}

/* |D| < 2u sends the lines untouched: no description buffer needed. */
static void test_no_buffer_when_not_rewriting(void **state)
{
	struct rules_line l = {Q(300), 3333350, 0, 0, "Widget"};
	struct rules_ledger_line lines[1];
	struct rules_rounding_out out = {.lines = lines, .cap = 1};
	struct rules_rounding_in in = {&l, 1, NOTAX, 2, 4, 2, AWAY, false, "860"};
	struct bs_error err;

	(void)state;
	assert_int_equal(rules_rounding(&in, &out, NULL, &err), BS_OK);
	assert_int_equal(out.correction, -10000);
	l.qty = Q(3000);
	assert_int_equal(rules_rounding(&in, &out, NULL, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "line 1 must be rewritten"));
}

struct bad_in {
	const char *name;
	struct rules_line line;
	size_t nlines, cap;
	enum money_tax_mode mode;
	int cur_dp, unit_dp, amount_dp;
	enum money_round rule;
	int rc;
};

static const struct bad_in bad_inputs[] = {
    {"cap too small", {Q(1), 1, 0, 0, NULL}, 1, 0, NOTAX, 2, 4, 2, AWAY, BS_EINVAL},
    {"currency dp 7", {Q(1), 1, 0, 0, NULL}, 1, 1, NOTAX, 7, 4, 2, AWAY, BS_EINVAL},
    {"currency dp -1", {Q(1), 1, 0, 0, NULL}, 1, 1, NOTAX, -1, 4, 2, AWAY, BS_EINVAL},
    {"unit dp below amount dp", {Q(1), 1, 0, 0, NULL}, 1, 1, NOTAX, 2, 1, 2, AWAY, BS_EINVAL},
    {"amount dp 7", {Q(1), 1, 0, 0, NULL}, 1, 1, NOTAX, 2, 7, 7, AWAY, BS_EINVAL},
    {"discount above 100", {Q(1), 1, PCT(100) + 1, 0, NULL}, 1, 1, NOTAX, 2, 4, 2, AWAY, BS_EINVAL},
    {"negative discount", {Q(1), 1, -1, 0, NULL}, 1, 1, NOTAX, 2, 4, 2, AWAY, BS_EINVAL},
    {"negative tax", {Q(1), 1, 0, -1, NULL}, 1, 1, EXCL, 2, 4, 2, AWAY, BS_EINVAL},
    {"bad tax mode", {Q(1), 1, 0, 0, NULL}, 1, 1, (enum money_tax_mode)7, 2, 4, 2, AWAY, BS_EINVAL},
    {"bad rule", {Q(1), 1, 0, 0, NULL}, 1, 1, NOTAX, 2, 4, 2, (enum money_round)9, BS_EINVAL},
    {"overflow", {INT64_MAX, INT64_MAX, 0, 0, NULL}, 1, 1, NOTAX, 2, 4, 2, AWAY, BS_ERANGE},
    {"total overflow",
     {Q(1), INT64_MAX / 2 + 1, 0, 0, NULL},
     2,
     2,
     NOTAX,
     6,
     6,
     6,
     AWAY,
     BS_ERANGE},
};

static void test_bad_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(bad_inputs); i++) {
		const struct bad_in *b = &bad_inputs[i];
		struct rules_line lines[2] = {b->line, b->line};
		struct rules_ledger_line out_lines[2];
		struct rules_rounding_out out = {.lines = out_lines, .cap = b->cap};
		struct rules_rounding_in in = {lines,     b->nlines,  b->mode,
		                               b->cur_dp, b->unit_dp, b->amount_dp,
		                               b->rule,   false,      "860"};
		struct buf desc;
		int rc;

		buf_init(&desc, 0);
		rc = rules_rounding(&in, &out, &desc, NULL);
		if (rc != b->rc)
			fail_msg("bad input %zu \"%s\": rc %d want %d", i, b->name, rc, b->rc);
		assert_int_equal(desc.len, 0);
		buf_free(&desc);
	}
	assert_int_equal(rules_rounding(NULL, NULL, NULL, NULL), BS_EINVAL);
	{
		struct rules_line l = {Q(1), 1, 0, 0, NULL};
		struct rules_ledger_line ol[1];
		struct rules_rounding_out out = {.lines = ol, .cap = 1};
		struct rules_rounding_in in = {&l, 1, NOTAX, 2, 4, 2, AWAY, false, NULL};
		struct bs_error err;

		assert_int_equal(rules_rounding(&in, &out, NULL, &err), BS_EINVAL);
		assert_string_equal(err.msg, "rounding: no rounding account");
		in.rounding_account = "";
		assert_int_equal(rules_rounding(&in, &out, NULL, &err), BS_EINVAL);
	}
}

/* No lines: nothing to predict, nothing to correct. */
static void test_no_lines(void **state)
{
	struct rules_rounding_out out = {.lines = NULL, .cap = 0};
	struct rules_rounding_in in = {NULL, 0, EXCL, 2, 4, 2, AWAY, false, "860"};

	(void)state;
	memset(&out, 0x5a, sizeof(out));
	out.lines = NULL;
	out.cap = 0;
	assert_int_equal(rules_rounding(&in, &out, NULL, NULL), BS_OK);
	assert_int_equal(out.nlines, 0);
	assert_false(out.has_correction);
	assert_int_equal(out.correction, 0);
	assert_int_equal(out.source_total, 0);
	assert_int_equal(out.target_total, 0);
	assert_int_equal(out.ledger_total, 0);
	assert_int_equal(out.residual, 0);
	assert_int_equal(out.first_diff, 0);
	assert_int_equal(out.nrewritten, 0);
	in.nlines = 1;
	assert_int_equal(rules_rounding(&in, &out, NULL, NULL), BS_EINVAL);
}

/* A description buffer that fills up: the error is passed on and the
 * buffer is back to what it held. */
static void test_desc_buffer_full(void **state)
{
	struct rules_line l = {Q(3000), 3333350, 0, 0, "a long description of the widget"};
	struct rules_ledger_line lines[1];
	struct rules_rounding_out out = {.lines = lines, .cap = 1};
	struct rules_rounding_in in = {&l, 1, NOTAX, 2, 4, 2, AWAY, false, "860"};
	struct buf desc;

	(void)state;
	buf_init(&desc, 16);
	buf_addstr(&desc, "abc");
	assert_int_equal(rules_rounding(&in, &out, &desc, NULL), BS_ETOOBIG);
	assert_string_equal(buf_cstr(&desc), "abc");
	buf_free(&desc);
}

/* ------------------------------------------------------------------ */
/* Post-hoc correction */

struct posthoc_case {
	int64_t ledger, source;
	int dp;
	int rc;
	int64_t delta;
};

static const struct posthoc_case posthoc_cases[] = {
    {100000000, 100000000, 2, BS_OK, 0},
    {100000000, 100010000, 2, BS_OK, 10000},   /* ledger 100.00, source 100.01 */
    {100020000, 100010000, 2, BS_OK, -10000},  /* ledger a cent over */
    {-100020000, -100010000, 2, BS_OK, 10000}, /* credit side */
    {1240000, 1245000, 2, BS_OK, 10000},       /* KWD 1.245 -> 1.25 */
    {1250000, 1245000, 2, BS_OK, 0},
    {1000010000, 1000000000, 2, BS_OK, -10000}, /* JPY held at 2 dp */
    {1000000000, 1000000000, 0, BS_OK, 0},
    {1001000000, 1000000000, 0, BS_OK, -1000000}, /* a ledger at 0 dp */
    {1245000, 1245000, 2, BS_EINVAL, 0},          /* ledger total not at 2 dp */
    {0, 0, 7, BS_EINVAL, 0},
    {0, 0, -1, BS_EINVAL, 0},
    {INT64_MIN + 6, INT64_MAX - 7, 6, BS_ERANGE, 0},
};

static void test_posthoc(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(posthoc_cases); i++) {
		const struct posthoc_case *c = &posthoc_cases[i];
		int64_t d = 12345;
		int rc = rules_rounding_posthoc(c->ledger, c->source, c->dp, &d);

		if (rc != c->rc || (rc == BS_OK && d != c->delta))
			fail_msg("posthoc %zu: rc %d delta %lld", i, rc, (long long)d);
	}
	assert_int_equal(rules_rounding_posthoc(0, 0, 2, NULL), BS_EINVAL);
}

/* The after-posting check the dispatcher calls: whether to correct, the
 * rounding line's new unit amount, and a new line's fields. */
struct recheck_case {
	int64_t ledger, source;
	int dp;
	bool has_line;
	int64_t line_unit;
	int rc;
	bool needed, add_line;
	int64_t unit;
};

static const struct recheck_case recheck_cases[] = {
    {1250000, 1250000, 2, false, 0, BS_OK, false, false, 0},          /* agree */
    {1250000, 1250000, 2, true, 10000, BS_OK, false, false, 0},       /* agree, line kept */
    {1260000, 1250000, 2, false, 0, BS_OK, true, true, -10000},       /* new line -0.01 */
    {1260000, 1250000, 2, true, 20000, BS_OK, true, false, 10000},    /* 0.02 - 0.01 */
    {1240000, 1250000, 2, true, -10000, BS_OK, true, false, 0},       /* line to zero */
    {1000010000, 1000000000, 2, true, 0, BS_OK, true, false, -10000}, /* JPY at 2 dp */
    {1245000, 1245000, 2, false, 0, BS_EINVAL, false, false, 0},      /* total not at 2 dp */
    {0, 0, 9, false, 0, BS_EINVAL, false, false, 0},
    {-10000, 0, 2, true, INT64_MAX, BS_ERANGE, false, false, 0},
};

static void test_recheck(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(recheck_cases); i++) {
		const struct recheck_case *c = &recheck_cases[i];
		struct rules_rounding_fix fix;
		int rc = rules_rounding_recheck(c->ledger, c->source, c->dp, c->has_line,
		                                c->line_unit, "860", "NT", &fix);

		if (rc != c->rc ||
		    (rc == BS_OK && (fix.needed != c->needed || fix.add_line != c->add_line ||
		                     (c->needed && fix.unit_amount != c->unit))))
			fail_msg("recheck %zu: rc %d needed %d add %d unit %lld", i, rc, fix.needed,
			         fix.add_line, (long long)fix.unit_amount);
		if (rc == BS_OK && fix.needed) {
			assert_string_equal(fix.description, RULES_ROUNDING_DESCRIPTION);
			assert_string_equal(fix.account, "860");
			assert_string_equal(fix.tax_code, "NT");
		}
	}
}

/* ------------------------------------------------------------------ */
/* Property test */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: fixed seed, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static int64_t rng_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* Values with "interesting" decimals: often exact midpoints. */
static int64_t rnd_price(void)
{
	switch (rng() % 4) {
	case 0:
		return rng_range(0, 10000) * 10000 + 5000 * (int64_t)(rng() % 2); /* .xx5 */
	case 1:
		return rng_range(0, 999999999);
	case 2:
		return rng_range(0, 100) * 50; /* 0.00005 steps */
	default:
		return rng_range(0, 1000000) * 1000;
	}
}

static int64_t rnd_qty(void)
{
	int64_t q;

	switch (rng() % 3) {
	case 0:
		q = Q(rng_range(1, 5000));
		break;
	case 1:
		q = rng_range(1, 99999);
		break;
	default:
		q = rng_range(1, 200) * 5000; /* halves */
		break;
	}
	return rng() % 8 == 0 ? -q : q;
}

static int64_t rnd_disc(void)
{
	switch (rng() % 5) {
	case 0:
	case 1:
		return 0;
	case 2:
		return PCT(rng_range(1, 100));
	case 3:
		return rng_range(0, 10000) * 100; /* 2 dp */
	default:
		return rng_range(0, 1000000); /* 4 dp */
	}
}

static const int64_t tax_rates[] = {0, PCT(15), 125000, 99750, PCT(20), PCT(10), 50000};

struct prop_stats {
	size_t docs, rewritten, corrected;
};

/* One random document under `in`'s ledger settings: every line recomputed
 * independently, and the invariant checked. */
static void check_random_doc(struct rules_rounding_in *in, struct rules_line *lines, size_t maxp,
                             struct prop_stats *st)
{
	struct rules_ledger_line ol[32];
	struct rules_rounding_out out = {.lines = ol, .cap = N(ol)};
	const int adp = in->ledger_amount_dp, cdp = in->currency_dp;
	const enum money_round rule = in->ledger_round;
	const enum money_tax_mode mode = in->tax_mode;
	const int64_t u = money_unit(adp);
	int64_t sum = 0, src = 0, delta = 1;
	struct buf desc;
	struct bs_error err;
	int rc;

	in->lines = lines;
	in->nlines = (size_t)rng_range(1, (int64_t)maxp);
	in->fold_discount = rng() % 4 == 0;
	in->rounding_account = "860";
	for (size_t i = 0; i < in->nlines; i++)
		lines[i] = (struct rules_line){rnd_qty(), rnd_price(), rnd_disc(),
		                               tax_rates[rng() % N(tax_rates)], "item"};
	buf_init(&desc, 0);
	rc = rules_rounding(in, &out, &desc, &err);
	if (rc != BS_OK)
		fail_msg("doc %zu: rc %d %s", st->docs, rc, err.msg);
	st->docs++;
	st->rewritten += out.nrewritten > 0;
	st->corrected += out.has_correction;
	for (size_t i = 0; i < in->nlines; i++) {
		const struct rules_ledger_line *l = &ol[i];
		int64_t la, tax, sa, stx;

		assert_int_equal(l->src, i);
		assert_int_equal(l->unit_amount % money_unit(in->ledger_unit_dp), 0);
		/* what the ledger computes from what we send */
		assert_int_equal(
		    money_line_amount(l->qty, l->unit_amount, l->discount_pct, adp, rule, &la),
		    BS_OK);
		assert_int_equal(la, l->line_amount);
		assert_int_equal(money_tax(la, lines[i].tax_rate, mode, adp, rule, &tax), BS_OK);
		assert_int_equal(tax, l->tax);
		/* what the source computed */
		assert_int_equal(money_line_amount(lines[i].qty, lines[i].unit_price,
		                                   lines[i].discount_pct, cdp, AWAY, &sa),
		                 BS_OK);
		assert_int_equal(sa, l->src_amount);
		assert_int_equal(money_tax(sa, lines[i].tax_rate, mode, cdp, AWAY, &stx), BS_OK);
		assert_int_equal(stx, l->src_tax);
		sum += la + (mode == EXCL ? tax : 0);
		src += sa + (mode == EXCL ? stx : 0);
		if (l->discount_pct != 0)
			assert_true(!in->fold_discount && l->discount_pct % 100 == 0);
		if (l->rewritten) {
			assert_int_equal(l->qty, QTY_SCALE);
			assert_int_equal(l->discount_pct, 0);
			assert_non_null(strstr(l->description, "item (orig: "));
			if (cdp <= adp)
				assert_int_equal(la, sa);
		} else {
			assert_ptr_equal(l->description, lines[i].description);
		}
	}
	assert_int_equal(src, out.source_total);
	/* the invariant */
	assert_int_equal(sum + out.correction, out.target_total);
	assert_int_equal(out.ledger_total, out.target_total);
	assert_int_equal(out.correction % u, 0);
	assert_int_equal(out.has_correction, out.correction != 0);
	if (cdp <= adp) {
		assert_int_equal(out.target_total, out.source_total);
		assert_int_equal(out.residual, 0);
	} else {
		assert_true(out.residual >= -u / 2 && out.residual <= u / 2);
	}
	if (out.first_diff > -2 * u && out.first_diff < 2 * u) {
		assert_int_equal(out.nrewritten, 0);
		assert_int_equal(out.correction, -out.first_diff);
	}
	/* post-hoc agrees when the ledger computes as predicted */
	assert_int_equal(rules_rounding_posthoc(out.ledger_total, out.source_total, adp, &delta),
	                 BS_OK);
	assert_int_equal(delta, 0);
	buf_free(&desc);
}

static void test_property(void **state)
{
	static const enum money_round rules[] = {AWAY, EVEN};
	static const enum money_tax_mode modes[] = {EXCL, INCL, NOTAX};
	static const int cur_dps[] = {0, 2, 3};
	/* (unit dp, amount dp): Xero unitdp=4, Xero default 2-dp prices, a
	 * ledger taking 6-dp prices, a ledger holding amounts at 0 dp. */
	static const int ledgers[][2] = {{4, 2}, {2, 2}, {6, 2}, {4, 0}};
	struct rules_line lines[16];
	struct prop_stats st = {0};

	(void)state;
	rng_state = UINT64_C(0x9e3779b97f4a7c15);
	for (size_t lg = 0; lg < N(ledgers); lg++) {
		struct prop_stats before = st;

		for (size_t r = 0; r < N(rules); r++)
			for (size_t m = 0; m < N(modes); m++)
				for (size_t cd = 0; cd < N(cur_dps); cd++)
					for (int doc = 0; doc < 300; doc++) {
						struct rules_rounding_in in = {
						    .tax_mode = modes[m],
						    .currency_dp = cur_dps[cd],
						    .ledger_unit_dp = ledgers[lg][0],
						    .ledger_amount_dp = ledgers[lg][1],
						    .ledger_round = rules[r]};

						check_random_doc(&in, lines, N(lines), &st);
					}
		print_message("property, unit dp %d, amount dp %d: %zu documents, %zu "
		              "rewritten, %zu with a correction line\n",
		              ledgers[lg][0], ledgers[lg][1], st.docs - before.docs,
		              st.rewritten - before.rewritten, st.corrected - before.corrected);
	}
	/* The generator must reach both branches, or the test proves little. */
	assert_true(st.rewritten > st.docs / 20);
	assert_true(st.corrected > st.docs / 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),     cmocka_unit_test(test_no_buffer_when_not_rewriting),
	    cmocka_unit_test(test_bad_input), cmocka_unit_test(test_desc_buffer_full),
	    cmocka_unit_test(test_no_lines),  cmocka_unit_test(test_other_ledgers),
	    cmocka_unit_test(test_posthoc),   cmocka_unit_test(test_recheck),
	    cmocka_unit_test(test_property),  cmocka_unit_test(test_tax_per_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
