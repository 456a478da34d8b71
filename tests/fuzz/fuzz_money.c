/*
 * fuzz_money.c - libFuzzer target for the money parsers and arithmetic.
 *
 * Every input is first parsed whole by every parser (and checked as plain
 * decimal text, which every parser must then read and every formatted
 * value must be).  Then its first three
 * bytes choose a configuration (scale, max_dp, dp, mode, min_dp) and the
 * rest is split at ';' into tokens that feed the arithmetic.  Whenever an
 * operation succeeds its invariants are checked, and a violation aborts:
 *   - format -> parse gives back the same value, at every parser's scale;
 *   - rounding is idempotent, lands on a unit and moves by at most half a
 *     unit (a whole one when truncating); it fails only near the int64 ends;
 *   - line amount, tax and FX conversion agree with money_muldiv, and
 *     add/sub/neg with int128 arithmetic;
 *   - an allocation sums exactly to its total and each part is the floor or
 *     the ceiling of its exact share.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/money.h"

__extension__ typedef __int128 i128;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_money: %s:%d: check failed: %s\n", __FILE__,         \
			        __LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define MAX_TOKENS 16

struct cfg {
	int scale, max, dp, min;
	enum money_round mode;
};

/* format v at `scale` and parse it back: it must be the same value. */
static void check_roundtrip(int64_t v, int scale, int min)
{
	struct buf b;
	int64_t back = 0;

	buf_init(&b, 0);
	CHECK(money_format(&b, v, scale, min) == BS_OK);
	CHECK(money_parse_fixed(b.ptr, b.len, scale, scale, &back) == BS_OK);
	CHECK(back == v);
	buf_free(&b);
}

static void check_round(int64_t v, int scale, int dp, enum money_round mode)
{
	int64_t r = 0, r2 = 0, unit;
	int rc;

	if (dp > scale)
		return;
	unit = (int64_t)1;
	for (int i = 0; i < scale - dp; i++)
		unit *= 10;
	rc = money_round(v, scale, dp, mode, &r);
	if (rc != BS_OK) {
		/* only a value within one unit of an int64 end can overflow */
		CHECK(rc == BS_ERANGE);
		CHECK(v > INT64_MAX - unit || v < INT64_MIN + unit);
		return;
	}
	CHECK(r % unit == 0);
	CHECK(money_round(r, scale, dp, mode, &r2) == BS_OK);
	CHECK(r2 == r);
	if (mode == MONEY_TOWARD_ZERO) {
		CHECK((i128)r - v < unit && (i128)v - r < unit);
		CHECK(v >= 0 ? (r <= v && r >= 0) : (r >= v && r <= 0));
	} else {
		CHECK(2 * ((i128)r - v) <= unit && 2 * ((i128)v - r) <= unit);
	}
}

/* muldiv(a, b, d) * unit, narrowed, or a status. */
static int muldiv_units(int64_t a, int64_t b, int64_t d, int64_t unit, enum money_round mode,
                        int64_t *out)
{
	int64_t q;
	int rc = money_muldiv(a, b, d, mode, &q);

	if (rc != BS_OK)
		return rc;
	if (__builtin_mul_overflow(q, unit, out))
		return BS_ERANGE;
	return BS_OK;
}

static void check_same(int rc1, int64_t v1, int rc2, int64_t v2)
{
	CHECK(rc1 == rc2);
	if (rc1 == BS_OK)
		CHECK(v1 == v2);
}

static void check_allocate(int64_t total, const int64_t *w, size_t n, int dp)
{
	int64_t out[MAX_TOKENS], unit = money_unit(dp);
	i128 wsum = 0, sum = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		wsum += w[i];
	rc = money_allocate(total, w, n, dp, out);
	if (n == 0 || wsum == 0 || total % unit != 0) {
		CHECK(rc == BS_EINVAL);
		return;
	}
	if (rc == BS_ERANGE)
		return; /* a share beyond int64 (weights of mixed sign) */
	CHECK(rc == BS_OK);
	for (size_t i = 0; i < n; i++) {
		i128 num = (i128)(total / unit) * w[i] * (wsum < 0 ? -1 : 1);
		i128 den = wsum < 0 ? -wsum : wsum;
		i128 fl = num / den - (num % den < 0 ? 1 : 0);
		i128 part = out[i] / unit;

		CHECK(out[i] % unit == 0);
		CHECK(part == fl || (part == fl + 1 && num % den != 0));
		sum += out[i];
	}
	CHECK(sum == total);
}

static void whole_input(const char *s, size_t n, const struct cfg *c)
{
	int64_t v = 0;

	/* plain decimal text is a subset of what the parser reads, and what
	 * money_format writes is plain decimal text */
	if (money_check_text(s, n) == BS_OK)
		CHECK(money_parse_fixed(s, n, 18, 18, &v) != BS_EPARSE);

	for (int max = 0; max <= MONEY_DP; max++)
		if (money_parse(s, n, max, &v) == BS_OK)
			check_roundtrip(v, MONEY_DP, max);
	if (money_parse_qty(s, n, &v) == BS_OK)
		check_roundtrip(v, QTY_DP, 0);
	if (money_parse_pct(s, n, &v) == BS_OK)
		check_roundtrip(v, PCT_DP, 2);
	if (money_parse_fx(s, n, &v) == BS_OK) {
		CHECK(v > 0);
		check_roundtrip(v, FX_DP, 0);
	}
	if (money_parse_fixed(s, n, c->scale, c->max, &v) == BS_OK) {
		struct buf b;
		int64_t back = 0;

		/* a value parsed with at most max decimals formats with at
		 * most max decimals (min_dp 0), so it parses back under max */
		buf_init(&b, 0);
		CHECK(money_format(&b, v, c->scale, 0) == BS_OK);
		CHECK(money_check_text(b.ptr, b.len) == BS_OK);
		CHECK(money_parse_fixed(b.ptr, b.len, c->scale, c->max, &back) == BS_OK);
		CHECK(back == v);
		buf_free(&b);
		check_roundtrip(v, c->scale, c->min);
		for (int dp = 0; dp <= c->scale; dp++)
			check_round(v, c->scale, dp, c->mode);
	}
}

static void tokens(const char *s, size_t n, const struct cfg *c)
{
	const char *tok[MAX_TOKENS];
	size_t len[MAX_TOKENS], nt = 0, start = 0;
	int64_t unit = money_unit(c->dp), a, total, x, r1 = 0, r2 = 0, w[MAX_TOKENS];
	size_t nw = 0;
	int rc1, rc2;

	for (size_t i = 0; i <= n && nt < MAX_TOKENS; i++) {
		if (i == n || s[i] == ';') {
			tok[nt] = s + start;
			len[nt] = i - start;
			nt++;
			start = i + 1;
		}
	}
	if (nt == 0 || money_parse(tok[0], len[0], MONEY_DP, &a) != BS_OK)
		return;

	/* allocation: total = the first token rounded to dp, weights the rest */
	for (size_t i = 1; i < nt; i++)
		if (money_parse_qty(tok[i], len[i], &w[nw]) == BS_OK)
			nw++;
	if (money_round(a, MONEY_DP, c->dp, c->mode, &total) == BS_OK)
		check_allocate(total, w, nw, c->dp);
	if (nt < 2)
		return;

	/* line amount without discount = qty * price / 10^4 rounded once */
	if (money_parse_qty(tok[1], len[1], &x) == BS_OK) {
		rc1 = money_line_amount(x, a, 0, c->dp, c->mode, &r1);
		rc2 = muldiv_units(x, a, QTY_SCALE * unit, unit, c->mode, &r2);
		check_same(rc1, r1, rc2, r2);
		/* a full discount is zero; a discount never grows the line */
		CHECK(money_line_amount(x, a, 100 * PCT_SCALE, c->dp, c->mode, &r1) == BS_OK);
		CHECK(r1 == 0);
	}
	/* tax = amount * rate / 100% (exclusive), / (100% + rate) (inclusive) */
	if (money_parse_pct(tok[1], len[1], &x) == BS_OK) {
		rc1 = money_tax(a, x, MONEY_TAX_EXCLUSIVE, c->dp, c->mode, &r1);
		rc2 = x < 0 ? BS_ERANGE
		            : muldiv_units(a, x, 100 * PCT_SCALE * unit, unit, c->mode, &r2);
		check_same(rc1, r1, rc2, r2);
		if (x >= 0 && x <= (INT64_MAX / unit) - 100 * PCT_SCALE) {
			rc1 = money_tax(a, x, MONEY_TAX_INCLUSIVE, c->dp, c->mode, &r1);
			rc2 = muldiv_units(a, x, (100 * PCT_SCALE + x) * unit, unit, c->mode, &r2);
			check_same(rc1, r1, rc2, r2);
			/* inclusive tax is never more than the amount */
			if (rc1 == BS_OK && c->mode == MONEY_TOWARD_ZERO)
				CHECK(a >= 0 ? r1 <= a : r1 >= a);
		}
		CHECK(money_tax(a, x, MONEY_TAX_NONE, c->dp, c->mode, &r1) ==
		      (x < 0 ? BS_ERANGE : BS_OK));
	}
	/* FX: convert = amount * fx / 10^10; invert = 10^16 / fx */
	if (money_parse_fx(tok[1], len[1], &x) == BS_OK) {
		rc1 = money_convert(a, x, c->dp, c->mode, &r1);
		rc2 = muldiv_units(a, x, FX_SCALE * unit, unit, c->mode, &r2);
		check_same(rc1, r1, rc2, r2);
		rc1 = money_fx_invert(x, c->dp, c->mode, &r1);
		CHECK(rc1 == BS_OK); /* 1 / 1e-10 = 1e10 units still fits */
		if (x <= INT64_MAX / unit) {
			rc2 = muldiv_units(FX_SCALE, MONEY_SCALE, x * unit, unit, c->mode, &r2);
			check_same(rc1, r1, rc2, r2);
		}
	}
	/* add/sub/neg agree with int128 */
	if (money_parse(tok[1], len[1], MONEY_DP, &x) == BS_OK) {
		i128 s128 = (i128)a + x, d128 = (i128)a - x;

		rc1 = money_add(a, x, &r1);
		CHECK(rc1 == ((s128 < INT64_MIN || s128 > INT64_MAX) ? BS_ERANGE : BS_OK));
		if (rc1 == BS_OK)
			CHECK(r1 == s128);
		rc1 = money_sub(a, x, &r1);
		CHECK(rc1 == ((d128 < INT64_MIN || d128 > INT64_MAX) ? BS_ERANGE : BS_OK));
		if (rc1 == BS_OK)
			CHECK(r1 == d128);
		rc1 = money_neg(x, &r1);
		CHECK(rc1 == (x == INT64_MIN ? BS_ERANGE : BS_OK));
		if (rc1 == BS_OK)
			CHECK(r1 == -(i128)x);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg c = {6, 6, 2, 2, MONEY_HALF_AWAY};
	const char *text = (const char *)data;
	size_t n = size;

	whole_input(text, n, &c);
	if (size >= 3) {
		c.scale = data[0] % 19;
		c.max = data[1] % (c.scale + 1);
		c.min = (data[1] / 19) % (c.scale + 1);
		c.dp = data[2] % 7;
		c.mode = (enum money_round)((data[2] / 7) % 3);
		whole_input(text + 3, n - 3, &c);
		tokens(text + 3, n - 3, &c);
	}
	/* the currency table must not read past a 3-byte code */
	if (size >= 1 && size <= 8) {
		char code[9];

		memcpy(code, data, size);
		code[size] = '\0';
		(void)money_currency_exponent(code);
	}
	return 0;
}
