/*
 * money.h - exact fixed-point money, quantities, percentages and FX rates.
 *
 * Money never touches binary floating point.  Every value is an int64 holding a decimal
 * number at a fixed scale:
 *
 *   amounts, prices  millionths of a unit     MONEY_DP = 6   (±9.2e12 units)
 *   quantities       ten-thousandths          QTY_DP   = 4
 *   percentages      ten-thousandths of 1 %   PCT_DP   = 4   (15% = 150000)
 *   exchange rates   10^-10                   FX_DP    = 10  (≤10 significant digits)
 *
 * Products and sums are computed in __int128 and every narrowing back to
 * int64 is checked: overflow is BS_ERANGE, never a wrapped value.  Every
 * rounding point names its mode; nothing rounds implicitly.
 *
 * A currency's exponent (minor-unit decimals) comes from the ISO 4217 table
 * in money.c: JPY 0, USD 2, KWD 3.
 *
 * All functions are pure (no I/O, no globals, no allocation except the
 * caller's struct buf) and return BS_OK or a negative bs_status.
 */
#ifndef BS_CORE_MONEY_H
#define BS_CORE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

#define MONEY_DP    6
#define MONEY_SCALE INT64_C(1000000)
#define QTY_DP      4
#define QTY_SCALE   INT64_C(10000)
#define PCT_DP      4
#define PCT_SCALE   INT64_C(10000)
#define FX_DP       10
#define FX_SCALE    INT64_C(10000000000)

enum money_round {
	MONEY_HALF_AWAY, /* 2.5 -> 3, -2.5 -> -3 (the source's and our default) */
	MONEY_HALF_EVEN, /* 2.5 -> 2, 3.5 -> 4 (banker's) */
	MONEY_TOWARD_ZERO,
};

enum money_tax_mode {
	MONEY_TAX_EXCLUSIVE, /* tax = amount * rate / 100, added on top */
	MONEY_TAX_INCLUSIVE, /* tax = amount * rate / (100 + rate), inside amount */
	MONEY_TAX_NONE,      /* tax = 0 */
};

/*
 * Parse decimal text s[0..n) (not NUL-terminated necessarily) into a
 * fixed-point value with `scale_dp` decimals.  Grammar: optional '-' or '+',
 * digits, optional '.' and digits, optional exponent (e|E, sign, digits) —
 * so any JSON number's original text parses; "1." and ".5" are accepted
 * (sources write them), leading zeros too.  Leading/trailing blanks, an
 * empty string, a lone '.', a sign or exponent without digits, hex,
 * inf/nan: BS_EPARSE.  More than `max_dp` significant fractional digits
 * (trailing zeros do not count: "1.500" has 1; "1e-7" has 7): BS_EDIGITS.
 * A value outside int64 at that scale: BS_ERANGE (a huge exponent is
 * BS_ERANGE at once, never a long loop; zero with any exponent is 0).
 * Errors rank EPARSE, then EDIGITS, then ERANGE.  "-0" is 0.  Bad
 * arguments (out NULL, not 0 <= max_dp <= scale_dp <= 18): BS_EINVAL.
 * *out is written only on success.
 */
int money_parse_fixed(const char *s, size_t n, int scale_dp, int max_dp, int64_t *out);

/*
 * Is s[0..n) plain decimal text: an optional '-', one or more digits, and
 * optionally a '.' followed by one or more digits ("12.30", "-0.5", "007")?
 * BS_OK when it is, else BS_EPARSE (an empty string and s NULL included).
 * This is the form docs/records.md asks of money, quantities, percentages
 * and rates written as text; the parsers above take more (a '+', an
 * exponent, ".5", "5.") because a JSON number's own text, which they also
 * read, may carry an exponent.  A caller holding text checks it here first;
 * the check says nothing about digits or range.
 */
int money_check_text(const char *s, size_t n);

/* Shorthands: an amount/price in millionths with at most max_dp decimals; a
 * quantity (4 dp); a percentage (4 dp, any sign: callers range-check); an FX
 * rate (>0, ≤10 significant digits and ≤10 decimals, else BS_EDIGITS; zero or
 * negative: BS_ERANGE). */
int money_parse(const char *s, size_t n, int max_dp, int64_t *micros);
int money_parse_qty(const char *s, size_t n, int64_t *qty);
int money_parse_pct(const char *s, size_t n, int64_t *pct);
int money_parse_fx(const char *s, size_t n, int64_t *fx);

/*
 * Append the exact decimal text of `v` (scale `scale_dp`) to b, with at
 * least `min_dp` and at most `scale_dp` decimals: trailing zeros beyond
 * min_dp are dropped.  money_format(b, 12300000, 6, 2) -> "12.30";
 * (b, -5, 6, 0) -> "-0.000005"; (b, 0, 6, 2) -> "0.00"; (b, 7000000, 6, 0)
 * -> "7".  Not 0 <= min_dp <= scale_dp <= 18: BS_EINVAL; buf errors are
 * passed on, and b is unchanged on any error.
 */
int money_format(struct buf *b, int64_t v, int scale_dp, int min_dp);

/*
 * The same text into out, NUL-terminated, for a caller with no buffer to
 * append to: its length, or 0 (out[0] NUL) for the arguments
 * money_format refuses.  MONEY_TEXT_MAX holds any int64_t at any scale.
 */
#define MONEY_TEXT_MAX 48
size_t money_text(int64_t v, int scale_dp, int min_dp, char out[MONEY_TEXT_MAX]);

/*
 * Round v (scale `scale_dp`) to `dp` decimals, result still at scale_dp:
 * money_round(1234567, 6, 2, MONEY_HALF_AWAY, &r) -> r = 1230000.
 * dp < 0, dp > scale_dp, scale_dp > 18 or an unknown mode is BS_EINVAL;
 * overflow BS_ERANGE.
 */
int money_round(int64_t v, int scale_dp, int dp, enum money_round mode, int64_t *out);

/* round(a * b / d) in the given mode, computed in int128 (any signs; the
 * mode applies to the signed quotient).  d == 0: BS_EINVAL; a result
 * outside int64: BS_ERANGE. */
int money_muldiv(int64_t a, int64_t b, int64_t d, enum money_round mode, int64_t *out);

/* Checked a + b, a - b, -a. */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_sub(int64_t a, int64_t b, int64_t *out);
int money_neg(int64_t a, int64_t *out);

/*
 * A line amount: qty (QTY_DP) × unit price (micros) × (1 − discount/100)
 * (discount in PCT_DP; 0 for none), rounded once, at the end, to `dp`
 * decimals with `mode`.  Result in micros.  A discount outside 0..100%:
 * BS_ERANGE.  dp outside 0..6 or an unknown mode: BS_EINVAL (as for every
 * function below taking dp and mode).
 */
int money_line_amount(int64_t qty, int64_t price, int64_t discount_pct, int dp,
                      enum money_round mode, int64_t *out);

/*
 * Tax on a line amount (micros) at rate (PCT_DP) under `tax_mode`, rounded
 * to `dp` decimals with `mode`.  Inclusive: amount × rate / (100 + rate).
 * A negative rate: BS_ERANGE; an unknown tax_mode: BS_EINVAL.
 */
int money_tax(int64_t amount, int64_t rate_pct, enum money_tax_mode tax_mode, int dp,
              enum money_round mode, int64_t *tax);

/* amount (micros) × fx (FX_DP), rounded to dp: document currency -> base.
 * fx <= 0: BS_ERANGE. */
int money_convert(int64_t amount, int64_t fx, int dp, enum money_round mode, int64_t *out);

/* 1 / fx at `dp` decimals (Xero's CurrencyRate), result in micros (dp <= 6).
 * fx <= 0: BS_ERANGE. */
int money_fx_invert(int64_t fx, int dp, enum money_round mode, int64_t *out);

/*
 * Split `total` (micros, a multiple of 10^(6-dp)) over n parts in proportion
 * to weights[] (any sign, not all zero), each part a multiple of 10^(6-dp),
 * by largest remainder: the parts sum to exactly `total`, ties go to the
 * earlier index.  A negative total is split as its magnitude and negated
 * (-100.00 / 3 -> -33.34, -33.33, -33.33).  Weights summing to zero (all
 * zero, or e.g. 1 and -1), n == 0, or a total that is not a multiple of
 * the unit: BS_EINVAL.  A part outside int64: BS_ERANGE.  out[] (n
 * entries, caller's) is written only on success.  O(n log(sum of weights)).
 */
int money_allocate(int64_t total, const int64_t *weights, size_t n, int dp, int64_t *out);

/*
 * The ISO 4217 minor-unit exponent of an alphabetic code ("NZD" -> 2,
 * "JPY" -> 0, "KWD" -> 3), or BS_ENOTFOUND for a code not in the table
 * (case-sensitive: codes are upper case; "N.A." codes such as XAU and XXX
 * are not in the table).  code NULL: BS_EINVAL.
 */
int money_currency_exponent(const char *code);

/* 10^(MONEY_DP - dp): the size of one minor unit in micros (dp 2 -> 10000);
 * 0 for dp outside 0..MONEY_DP. */
int64_t money_unit(int dp);

#endif
