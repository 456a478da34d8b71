/*
 * test_rules_fx.c - foreign-currency journals to base currency and Xero's
 * CurrencyRate with its residual (src/rules/rules.h).
 *
 * Journal expectations are worked by hand in the comments; CurrencyRate
 * expectations were computed independently with Python's decimal module
 * (ROUND_HALF_UP, which is half away from zero).  A property test checks
 * over random journals that debits equal credits after conversion and
 * every line is within one minor unit of its exact conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules.h"

__extension__ typedef __int128 i128;

#define N(a)     (sizeof(a) / sizeof((a)[0]))
#define C(x)     ((int64_t)(x)*10000)   /* cents to micros */
#define FX4(x)   ((int64_t)(x)*1000000) /* an FX rate given in 1e-4 */
#define MAXJ     6
#define SENTINEL INT64_C(0x5a5a5a5a5a5a5a5a)

struct jcase {
	const char *name;
	size_t n;
	int64_t in[MAXJ];
	int64_t fx;
	int dp;
	int rc;
	int64_t want[MAXJ];
};

static const struct jcase jcases[] = {
    {"fx 1", 2, {C(10000), -C(10000)}, FX4(10000), 2, BS_OK, {C(10000), -C(10000)}},
    /* credits 3.33, 3.33, 3.34 x 0.6 = 1.998, 1.998, 2.004; side total
     * 6.00 = 599 floors... 199 + 199 + 200 = 598 cents, 2 to hand out, to
     * the remainders .8 and .8. */
    {"0.6 spread",
     4,
     {C(1000), -C(333), -C(333), -C(334)},
     FX4(6000),
     2,
     BS_OK,
     {C(600), -C(200), -C(200), -C(200)}},
    /* 0.01 x 1.5 = 0.015 each: per line 0.02 x 3 = 0.06, but the side is
     * 0.045 -> 0.05: two of three (ties: earliest) get the extra cent. */
    {"equal remainders, earliest first",
     4,
     {C(1), C(1), C(1), -C(3)},
     FX4(15000),
     2,
     BS_OK,
     {C(2), C(2), C(1), -C(5)}},
    /* Same on the credit side, and a zero line stays zero. */
    {"credit side spread",
     5,
     {C(3), 0, -C(1), -C(1), -C(1)},
     FX4(15000),
     2,
     BS_OK,
     {C(5), 0, -C(2), -C(2), -C(1)}},
    /* Base JPY (0 dp): 0.01 x 151.2345 = 1.512345 each; side 3.02469 -> 3;
     * floors 1 + 1, one extra to the first. */
    {"to 0 dp", 3, {C(1), C(1), -C(2)}, FX4(1512345), 0, BS_OK, {2000000, 1000000, -3000000}},
    {"to 0 dp, whole", 2, {C(1000), -C(1000)}, FX4(1512345), 0, BS_OK, {1512000000, -1512000000}},
    /* 0.50 x 0.333 = 0.1665 twice; side 0.333 -> 0.33: 16 + 16 floors, one
     * extra (tie) to the first debit. */
    {"0.333", 3, {-C(100), C(50), C(50)}, FX4(3330), 2, BS_OK, {-C(33), C(17), C(16)}},
    /* Remainders differ: 1.23 x 0.7513 = 0.924099, 4.56 x 0.7513 = 3.425928,
     * 7.89 x 0.7513 = 5.927757; credit 13.68 x 0.7513 = 10.277784 -> 10.28.
     * Floors 92 + 342 + 592 = 1026, remainders .4099, .5928, .7757: the 2
     * extra cents go to 7.89 and 4.56. */
    {"largest remainders win",
     4,
     {C(123), C(456), C(789), -C(1368)},
     FX4(7513),
     2,
     BS_OK,
     {C(92), C(343), C(593), -C(1028)}},
    /* A 3-dp base (KWD): 1.000 x 0.3075 -> 0.308 (half away). */
    {"to 3 dp", 2, {C(100), -C(100)}, FX4(3075), 3, BS_OK, {308000, -308000}},
    {"all zero", 2, {0, 0}, FX4(20000), 2, BS_OK, {0, 0}},
    {"unbalanced", 2, {C(100), -C(99)}, FX4(10000), 2, BS_EINVAL, {0}},
    {"unbalanced credits", 2, {C(99), -C(100)}, FX4(10000), 2, BS_EINVAL, {0}},
    {"fx zero", 2, {C(1), -C(1)}, 0, 2, BS_ERANGE, {0}},
    {"fx negative", 2, {C(1), -C(1)}, -1, 2, BS_ERANGE, {0}},
    {"no lines", 0, {0}, FX4(10000), 2, BS_EINVAL, {0}},
    {"dp 7", 2, {C(1), -C(1)}, FX4(10000), 7, BS_EINVAL, {0}},
    {"result overflows", 2, {INT64_MAX, -INT64_MAX}, FX4(20000), 2, BS_ERANGE, {0}},
    {"debits overflow", 3, {INT64_MAX, 1, INT64_MIN}, FX4(10000), 2, BS_ERANGE, {0}},
};

static void test_journal_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(jcases); i++) {
		const struct jcase *c = &jcases[i];
		int64_t out[MAXJ];
		struct bs_error err;
		int rc;

		for (size_t j = 0; j < MAXJ; j++)
			out[j] = SENTINEL;
		bs_error_clear(&err);
		rc = rules_journal_to_base(c->in, c->n, c->fx, c->dp, out, &err);
		if (rc != c->rc)
			fail_msg("journal %zu \"%s\": rc %d want %d (%s)", i, c->name, rc, c->rc,
			         err.msg);
		for (size_t j = 0; j < c->n; j++) {
			int64_t want = rc == BS_OK ? c->want[j] : SENTINEL;

			if (out[j] != want)
				fail_msg("journal %zu \"%s\" line %zu: %lld want %lld", i, c->name,
				         j, (long long)out[j], (long long)want);
		}
	}
}

static void test_journal_message(void **state)
{
	int64_t in[] = {C(100), -C(99)}, out[2];
	struct bs_error err;

	(void)state;
	assert_int_equal(rules_journal_to_base(in, 2, FX4(10000), 2, out, &err), BS_EINVAL);
	assert_string_equal(err.msg, "journal does not balance: debits exceed credits by 0.01");
	in[0] = C(98);
	assert_int_equal(rules_journal_to_base(in, 2, FX4(10000), 2, out, &err), BS_EINVAL);
	assert_string_equal(err.msg, "journal does not balance: credits exceed debits by 0.01");
	assert_int_equal(rules_journal_to_base(NULL, 2, FX4(10000), 2, out, NULL), BS_EINVAL);
	assert_int_equal(rules_journal_to_base(in, 2, FX4(10000), 2, NULL, NULL), BS_EINVAL);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static void test_journal_property(void **state)
{
	static const int dps[] = {0, 2, 3};
	enum { MAXP = 24 };

	(void)state;
	rng_state = UINT64_C(0x2545f4914f6cdd1d);
	for (int iter = 0; iter < 6000; iter++) {
		int64_t in[MAXP], out[MAXP], sum = 0, fx;
		size_t n = 2 + rng() % (MAXP - 2);
		int dp = dps[rng() % N(dps)], cur_dp = (int)(rng() % 4);
		int64_t cur_unit = money_unit(cur_dp), unit = money_unit(dp);

		/* Random lines at the document currency's exponent; the last
		 * line balances them. */
		for (size_t i = 0; i + 1 < n; i++) {
			int64_t v = (int64_t)(rng() % 10000000) * cur_unit;

			in[i] = rng() % 2 ? v : -v;
			if (rng() % 10 == 0)
				in[i] = 0;
			sum += in[i];
		}
		in[n - 1] = -sum;
		/* fx: 10 significant digits at most, anywhere from 0.0001 to 10000 */
		fx = (int64_t)(1 + rng() % 9999999999ULL) * (int64_t)(1 + rng() % 10000) / 10000;
		if (fx <= 0)
			fx = 1;
		assert_int_equal(rules_journal_to_base(in, n, fx, dp, out, NULL), BS_OK);
		sum = 0;
		for (size_t i = 0; i < n; i++) {
			i128 exact = (i128)in[i] * fx, got = (i128)out[i] * FX_SCALE;
			i128 diff = got - exact;

			sum += out[i];
			assert_int_equal(out[i] % unit, 0);
			if (diff < 0)
				diff = -diff;
			if (diff >= (i128)unit * FX_SCALE)
				fail_msg("iter %d line %zu: %lld for %lld at fx %lld", iter, i,
				         (long long)out[i], (long long)in[i], (long long)fx);
			if (in[i] == 0)
				assert_int_equal(out[i], 0);
			if (in[i] > 0)
				assert_true(out[i] >= 0);
			if (in[i] < 0)
				assert_true(out[i] <= 0);
		}
		assert_int_equal(sum, 0);
	}
}

/* ------------------------------------------------------------------ */

struct rate_case {
	int64_t fx, total;
	int dp;
	int rc;
	int64_t rate, exact, ledger, residual;
};

/* Expected values from Python decimal (see the file comment). */
static const struct rate_case rate_cases[] = {
    {FX4(6000), C(10000), 2, BS_OK, 1666667, C(6000), C(6000), 0},
    {FX4(6000), C(100000000), 2, BS_OK, 1666667, C(60000000), C(59999988), -C(12)},
    {FX4(10000), C(12345), 2, BS_OK, 1000000, C(12345), C(12345), 0},
    {FX4(107), 1000000 * MONEY_SCALE, 2, BS_OK, 93457944, C(1070000), C(1070000), 0},
    {FX4(1512345), C(1000), 0, BS_OK, 6612, 1512000000, 1512000000, 0},
    {FX4(6000), -C(10000), 2, BS_OK, 1666667, -C(6000), -C(6000), 0},
    {FX4(7513), C(9876543), 2, BS_OK, 1331026, C(7420247), C(7420248), C(1)},
    {FX4(13000), C(1), 2, BS_OK, 769231, C(1), C(1), 0},
    /* 1/2000000 = 0.0000005 -> 0.000001 (half away): expressible, and the
     * residual is huge — which is exactly why it is reported. */
    {FX4(INT64_C(20000000000)), MONEY_SCALE, 2, BS_OK, 1, C(200000000), C(100000000),
     -C(100000000)},
    {FX4(INT64_C(20000000000)) + 1, MONEY_SCALE, 2, BS_ERANGE, 0, 0, 0, 0},
    {0, C(1), 2, BS_ERANGE, 0, 0, 0, 0},
    {-5, C(1), 2, BS_ERANGE, 0, 0, 0, 0},
    {FX4(10000), C(1), 7, BS_EINVAL, 0, 0, 0, 0},
    {FX4(10000), C(1), -1, BS_EINVAL, 0, 0, 0, 0},
};

static void test_currency_rate(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(rate_cases); i++) {
		const struct rate_case *c = &rate_cases[i];
		struct rules_currency_rate r;
		int rc = rules_currency_rate(c->fx, c->total, c->dp, &r);

		if (rc != c->rc)
			fail_msg("rate %zu: rc %d want %d", i, rc, c->rc);
		if (rc == BS_OK && (r.rate != c->rate || r.base_exact != c->exact ||
		                    r.base_ledger != c->ledger || r.residual != c->residual))
			fail_msg("rate %zu: rate %lld exact %lld ledger %lld residual %lld", i,
			         (long long)r.rate, (long long)r.base_exact,
			         (long long)r.base_ledger, (long long)r.residual);
	}
	assert_int_equal(rules_currency_rate(FX4(10000), 0, 2, NULL), BS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_journal_cases),
	    cmocka_unit_test(test_journal_message),
	    cmocka_unit_test(test_journal_property),
	    cmocka_unit_test(test_currency_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
