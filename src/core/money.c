/*
 * money.c - exact fixed-point money (see money.h).
 *
 * Everything is integer arithmetic: int64 values at a fixed decimal scale,
 * products in __int128, one explicit rounding step per operation.  Decimal
 * text is parsed digit by digit (never via strtod), so "0.1" is exactly
 * 100000 micros.  The ISO 4217 table is a sorted static array searched with
 * binary search.
 */
#include "core/money.h"

#include "core/buf.h"
#include "core/error.h"

#include <string.h>

__extension__ typedef __int128 i128;

/* Exponents saturate here while parsing: any magnitude above it already
 * puts the value far outside int64 (or far past 18 decimals), so clamping
 * gives the same answer and keeps "1e99999999999999999999" from overflowing. */
#define EXP_LIMIT INT64_C(1000000000000)

/* 10^0 .. 10^18: every power that fits in int64. */
static const int64_t pow10_tab[19] = {
    INT64_C(1),
    INT64_C(10),
    INT64_C(100),
    INT64_C(1000),
    INT64_C(10000),
    INT64_C(100000),
    INT64_C(1000000),
    INT64_C(10000000),
    INT64_C(100000000),
    INT64_C(1000000000),
    INT64_C(10000000000),
    INT64_C(100000000000),
    INT64_C(1000000000000),
    INT64_C(10000000000000),
    INT64_C(100000000000000),
    INT64_C(1000000000000000),
    INT64_C(10000000000000000),
    INT64_C(100000000000000000),
    INT64_C(1000000000000000000),
};

static bool valid_mode(enum money_round mode)
{
	return mode == MONEY_HALF_AWAY || mode == MONEY_HALF_EVEN || mode == MONEY_TOWARD_ZERO;
}

static int narrow(i128 v, int64_t *out)
{
	if (v < INT64_MIN || v > INT64_MAX)
		return BS_ERANGE;
	*out = (int64_t)v;
	return BS_OK;
}

/*
 * n / d rounded with `mode`.  d != 0 and |d| < 2^126, so 2|r| < 2^127
 * cannot overflow; n is never INT128_MIN (all callers build it from int64
 * products), so n / d cannot either.
 */
static i128 div_round(i128 n, i128 d, enum money_round mode)
{
	i128 q = n / d, r = n % d, ar, ad;
	bool neg;

	if (r == 0 || mode == MONEY_TOWARD_ZERO)
		return q;
	neg = (n < 0) != (d < 0);
	ar = r < 0 ? -r : r;
	ad = d < 0 ? -d : d;
	/* ar < ad, so 2*ar < 2^127: no overflow. */
	if (2 * ar > ad || (2 * ar == ad && (mode == MONEY_HALF_AWAY || (q & 1) != 0)))
		return neg ? q - 1 : q + 1;
	return q;
}

/* Floor division for a positive divisor; *rem gets n - q*d in [0, d). */
static i128 div_floor(i128 n, i128 d, i128 *rem)
{
	i128 q = n / d, r = n % d;

	if (r < 0) {
		q -= 1;
		r += d;
	}
	*rem = r;
	return q;
}

int64_t money_unit(int dp)
{
	if (dp < 0 || dp > MONEY_DP)
		return 0;
	return pow10_tab[MONEY_DP - dp];
}

/* ------------------------------------------------------------------ */
/* Parsing */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 10^0 .. 10^19 unsigned: digit accumulation stays below 10^19 < 2^64. */
static const uint64_t pow10_u[20] = {
    UINT64_C(1),
    UINT64_C(10),
    UINT64_C(100),
    UINT64_C(1000),
    UINT64_C(10000),
    UINT64_C(100000),
    UINT64_C(1000000),
    UINT64_C(10000000),
    UINT64_C(100000000),
    UINT64_C(1000000000),
    UINT64_C(10000000000),
    UINT64_C(100000000000),
    UINT64_C(1000000000000),
    UINT64_C(10000000000000),
    UINT64_C(100000000000000),
    UINT64_C(1000000000000000),
    UINT64_C(10000000000000000),
    UINT64_C(100000000000000000),
    UINT64_C(1000000000000000000),
    UINT64_C(10000000000000000000),
};

/*
 * The shared parser, one pass: the text is D x 10^p with D free of leading
 * and trailing zeros.  Zeros after a non-zero digit are only counted until
 * the next non-zero digit shows they are not trailing.  *sig gets the number
 * of digits of D (0 for zero).  Errors rank EPARSE, EDIGITS (more than
 * max_dp fractional digits once trailing zeros are dropped), ERANGE.
 */
static int parse_decimal(const char *s, size_t n, int scale_dp, int max_dp, int64_t *out,
                         size_t *sig)
{
	size_t i = 0, seen = 0, nfrac = 0, ndig = 0, pend = 0, last_frac = 0;
	int64_t exp = 0, p, shift;
	bool neg = false, in_frac = false, last_in_frac = false;
	uint64_t mag = 0, lim;

	if (out == NULL || scale_dp < 0 || scale_dp > 18 || max_dp < 0 || max_dp > scale_dp)
		return BS_EINVAL;
	if (s == NULL)
		return n == 0 ? BS_EPARSE : BS_EINVAL;
	/* Digit counts below become int64 exponents; no real text is this long. */
	if (n > (size_t)EXP_LIMIT)
		return BS_ERANGE;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n; i++) {
		char c = s[i];

		if (c == '.' && !in_frac) {
			in_frac = true;
			continue;
		}
		if (!is_digit(c))
			break;
		seen++;
		nfrac += in_frac;
		if (c == '0') {
			pend += ndig > 0; /* leading zeros are never significant */
			continue;
		}
		/* a non-zero digit: the pending zeros were inside D after all */
		ndig += ndig > 0 ? pend + 1 : 1;
		if (ndig <= 19)
			mag = mag * pow10_u[pend + 1] + (uint64_t)(c - '0');
		pend = 0;
		last_in_frac = in_frac;
		last_frac = nfrac;
	}
	if (seen == 0)
		return BS_EPARSE; /* no digits: "", "-", ".", "e5" */
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e0;
		bool exp_neg = false;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			exp_neg = s[i++] == '-';
		e0 = i;
		while (i < n && is_digit(s[i])) {
			if (exp < EXP_LIMIT)
				exp = exp * 10 + (s[i] - '0');
			i++;
		}
		if (i == e0)
			return BS_EPARSE;
		if (exp > EXP_LIMIT)
			exp = EXP_LIMIT;
		if (exp_neg)
			exp = -exp;
	}
	if (i != n)
		return BS_EPARSE;

	*sig = ndig; /* known before any digits or range error: see money_parse_fx */
	if (ndig == 0) {
		*out = 0;
		return BS_OK;
	}
	/* value = D * 10^p.  When D ends in the integer part every fractional
	 * digit is a zero counted in pend, so pend - nfrac is the number of
	 * integer zeros after it. */
	p = last_in_frac ? exp - (int64_t)last_frac : exp + (int64_t)(pend - nfrac);
	if (p < 0 && -p > max_dp)
		return BS_EDIGITS;
	shift = p + scale_dp; /* >= 0 since -p <= max_dp <= scale_dp */
	/* D*10^shift has ndig+shift digits; 20 or more is >= 10^19 > 2^63. */
	if (ndig > 19 || shift > 19 || (int64_t)ndig + shift > 19)
		return BS_ERANGE;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	/* mag <= floor(lim / 10^shift) is exactly mag * 10^shift <= lim */
	if (mag > lim / pow10_u[shift])
		return BS_ERANGE;
	mag *= pow10_u[shift];
	/* -(2^63) is representable: negate in unsigned space, then convert. */
	*out = neg ? (int64_t)(~mag + 1) : (int64_t)mag;
	return BS_OK;
}

int money_parse_fixed(const char *s, size_t n, int scale_dp, int max_dp, int64_t *out)
{
	size_t sig;

	return parse_decimal(s, n, scale_dp, max_dp, out, &sig);
}

int money_check_text(const char *s, size_t n)
{
	size_t i = 0, int_digits, frac_digits;

	if (s == NULL)
		return BS_EPARSE;
	if (i < n && s[i] == '-')
		i++;
	for (int_digits = 0; i < n && is_digit(s[i]); i++)
		int_digits++;
	if (int_digits == 0)
		return BS_EPARSE; /* "", "-", ".5", "+1" */
	if (i < n && s[i] == '.') {
		for (i++, frac_digits = 0; i < n && is_digit(s[i]); i++)
			frac_digits++;
		if (frac_digits == 0)
			return BS_EPARSE; /* "5." */
	}
	return i == n ? BS_OK : BS_EPARSE; /* "1e3", "1.2.3", "1 " */
}

int money_parse(const char *s, size_t n, int max_dp, int64_t *micros)
{
	return money_parse_fixed(s, n, MONEY_DP, max_dp, micros);
}

int money_parse_qty(const char *s, size_t n, int64_t *qty)
{
	return money_parse_fixed(s, n, QTY_DP, QTY_DP, qty);
}

int money_parse_pct(const char *s, size_t n, int64_t *pct)
{
	return money_parse_fixed(s, n, PCT_DP, PCT_DP, pct);
}

int money_parse_fx(const char *s, size_t n, int64_t *fx)
{
	size_t sig = 0;
	int64_t v = 0;
	int rc;

	if (fx == NULL)
		return BS_EINVAL;
	rc = parse_decimal(s, n, FX_DP, FX_DP, &v, &sig);
	if (rc == BS_EPARSE || rc == BS_EINVAL)
		return rc;
	/* More than 10 significant digits is a digits error even when the
	 * value is also out of range: the source sent more than it may. */
	if (sig > 10)
		return BS_EDIGITS;
	if (rc != BS_OK)
		return rc;
	if (v <= 0)
		return BS_ERANGE;
	*fx = v;
	return BS_OK;
}

/* ------------------------------------------------------------------ */
/* Formatting */

size_t money_text(int64_t v, int scale_dp, int min_dp, char out[MONEY_TEXT_MAX])
{
	char dig[24] = {0};
	size_t nd = 0, len = 0, keep;
	uint64_t mag;

	out[0] = '\0';
	if (scale_dp < 0 || scale_dp > 18 || min_dp < 0 || min_dp > scale_dp)
		return 0;
	mag = v < 0 ? ~(uint64_t)v + 1 : (uint64_t)v;
	/* Digits least significant first, at least scale_dp + 1 of them so the
	 * integer part has a digit ("0.05"). */
	do {
		dig[nd++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag != 0);
	while (nd < (size_t)scale_dp + 1)
		dig[nd++] = '0';
	/* Fractional digits to keep: drop trailing zeros down to min_dp. */
	keep = (size_t)scale_dp;
	while (keep > (size_t)min_dp && dig[(size_t)scale_dp - keep] == '0')
		keep--;
	if (v < 0)
		out[len++] = '-';
	for (size_t k = nd; k > (size_t)scale_dp; k--)
		out[len++] = dig[k - 1];
	if (keep > 0) {
		out[len++] = '.';
		for (size_t k = 0; k < keep; k++)
			out[len++] = dig[(size_t)scale_dp - 1 - k];
	}
	out[len] = '\0';
	return len;
}

int money_format(struct buf *b, int64_t v, int scale_dp, int min_dp)
{
	char text[MONEY_TEXT_MAX];
	size_t len;

	if (b == NULL || (len = money_text(v, scale_dp, min_dp, text)) == 0)
		return BS_EINVAL;
	return buf_add(b, text, len);
}

/* ------------------------------------------------------------------ */
/* Arithmetic */

int money_round(int64_t v, int scale_dp, int dp, enum money_round mode, int64_t *out)
{
	i128 unit;

	if (out == NULL || scale_dp < 0 || scale_dp > 18 || dp < 0 || dp > scale_dp ||
	    !valid_mode(mode))
		return BS_EINVAL;
	unit = pow10_tab[scale_dp - dp];
	return narrow(div_round(v, unit, mode) * unit, out);
}

int money_muldiv(int64_t a, int64_t b, int64_t d, enum money_round mode, int64_t *out)
{
	if (out == NULL || d == 0 || !valid_mode(mode))
		return BS_EINVAL;
	return narrow(div_round((i128)a * b, d, mode), out);
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (out == NULL)
		return BS_EINVAL;
	if (__builtin_add_overflow(a, b, &r))
		return BS_ERANGE;
	*out = r;
	return BS_OK;
}

int money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (out == NULL)
		return BS_EINVAL;
	if (__builtin_sub_overflow(a, b, &r))
		return BS_ERANGE;
	*out = r;
	return BS_OK;
}

int money_neg(int64_t a, int64_t *out)
{
	if (out == NULL)
		return BS_EINVAL;
	if (a == INT64_MIN)
		return BS_ERANGE;
	*out = -a;
	return BS_OK;
}

/* Round n / d (an amount in micros as a fraction) to dp decimals: the
 * result is round(n / (d * unit)) * unit, still in micros. */
static int round_to_dp(i128 n, i128 d, int dp, enum money_round mode, int64_t *out)
{
	i128 unit = money_unit(dp);

	return narrow(div_round(n, d * unit, mode) * unit, out);
}

int money_line_amount(int64_t qty, int64_t price, int64_t discount_pct, int dp,
                      enum money_round mode, int64_t *out)
{
	const i128 full = 100 * PCT_SCALE; /* 100 % */
	i128 n;

	if (out == NULL || money_unit(dp) == 0 || !valid_mode(mode))
		return BS_EINVAL;
	if (discount_pct < 0 || discount_pct > full)
		return BS_ERANGE;
	/* qty * price fits (|.| <= 2^126); times (100% - discount) may not,
	 * but then the result is > 10^28 micros, far outside int64 anyway. */
	if (__builtin_mul_overflow((i128)qty * price, full - discount_pct, &n))
		return BS_ERANGE;
	/* qty/10^4 * price * (full - disc)/full, one rounding. */
	return round_to_dp(n, QTY_SCALE * full, dp, mode, out);
}

int money_tax(int64_t amount, int64_t rate_pct, enum money_tax_mode tax_mode, int dp,
              enum money_round mode, int64_t *tax)
{
	const i128 full = 100 * PCT_SCALE;

	if (tax == NULL || money_unit(dp) == 0 || !valid_mode(mode))
		return BS_EINVAL;
	if (rate_pct < 0)
		return BS_ERANGE;
	switch (tax_mode) {
	case MONEY_TAX_EXCLUSIVE:
		return round_to_dp((i128)amount * rate_pct, full, dp, mode, tax);
	case MONEY_TAX_INCLUSIVE:
		return round_to_dp((i128)amount * rate_pct, full + rate_pct, dp, mode, tax);
	case MONEY_TAX_NONE:
		*tax = 0;
		return BS_OK;
	}
	return BS_EINVAL;
}

int money_convert(int64_t amount, int64_t fx, int dp, enum money_round mode, int64_t *out)
{
	if (out == NULL || money_unit(dp) == 0 || !valid_mode(mode))
		return BS_EINVAL;
	if (fx <= 0)
		return BS_ERANGE;
	return round_to_dp((i128)amount * fx, FX_SCALE, dp, mode, out);
}

int money_fx_invert(int64_t fx, int dp, enum money_round mode, int64_t *out)
{
	if (out == NULL || money_unit(dp) == 0 || !valid_mode(mode))
		return BS_EINVAL;
	if (fx <= 0)
		return BS_ERANGE;
	/* 1 / (fx / 10^10) in micros = 10^16 / fx. */
	return round_to_dp((i128)FX_SCALE * MONEY_SCALE, fx, dp, mode, out);
}

/* ------------------------------------------------------------------ */
/* Allocation */

/*
 * Part i's exact share, in minor units, is t * w[i] / W (t >= 0, W > 0
 * after moving signs).  Returns its floor; *rem gets the numerator of the
 * fractional part over W, so remainders compare exactly.
 */
static i128 share(i128 t, int64_t w, int w_sign, i128 wsum, i128 *rem)
{
	return div_floor(t * w * w_sign, wsum, rem);
}

/* How many parts have a remainder >= r. */
static size_t count_rem_ge(i128 t, const int64_t *weights, size_t n, int w_sign, i128 wsum, i128 r)
{
	size_t c = 0;
	i128 rem;

	for (size_t i = 0; i < n; i++) {
		(void)share(t, weights[i], w_sign, wsum, &rem);
		if (rem >= r)
			c++;
	}
	return c;
}

/*
 * Largest remainder, sign-symmetric: a negative total is allocated as its
 * magnitude and negated, so -100.00 over three parts is -33.34/-33.33/-33.33.
 * Five passes over the weights and a binary search for the k-th largest
 * remainder (O(n log W)) keep it allocation-free; out[] is written only in
 * the last pass, so on error it is untouched.
 */
int money_allocate(int64_t total, const int64_t *weights, size_t n, int dp, int64_t *out)
{
	int64_t unit = money_unit(dp);
	i128 wsum = 0, t, sum_floor = 0, max_rem = 0, k, lo, hi, rem, f;
	int w_sign = 1, t_sign = 1;
	size_t given, k_gt;

	if (weights == NULL || out == NULL || n == 0 || unit == 0 || total % unit != 0)
		return BS_EINVAL;
	for (size_t i = 0; i < n; i++)
		wsum += weights[i]; /* n * 2^63 < 2^127 */
	if (wsum == 0)
		return BS_EINVAL;
	if (wsum < 0) {
		w_sign = -1;
		wsum = -wsum;
	}
	t = total / unit;
	if (t < 0) {
		t_sign = -1;
		t = -t;
	}

	/* Pass 1: floors, their sum, the largest remainder.  A floor beyond
	 * 2^64 minor units cannot be stored; stop before the sum can overflow. */
	for (size_t i = 0; i < n; i++) {
		f = share(t, weights[i], w_sign, wsum, &rem);
		if (f > (i128)UINT64_MAX || f < -(i128)UINT64_MAX)
			return BS_ERANGE;
		sum_floor += f;
		if (rem > max_rem)
			max_rem = rem;
	}
	/* The shares sum to exactly t and each fraction is < 1, so 0 <= k < n. */
	k = t - sum_floor;
	if (k < 0 || k >= (i128)n)
		return BS_EINTERNAL;

	/* The threshold: the largest r with at least k remainders >= r.  Parts
	 * above it get one unit; ties at it go to the earliest index. */
	lo = 0;
	hi = max_rem;
	while (k > 0 && lo < hi) {
		i128 mid = lo + (hi - lo + 1) / 2;

		if ((i128)count_rem_ge(t, weights, n, w_sign, wsum, mid) >= k)
			lo = mid;
		else
			hi = mid - 1;
	}
	k_gt = k > 0 ? count_rem_ge(t, weights, n, w_sign, wsum, lo + 1) : 0;

	/* Pass 2 checks every final part fits int64; pass 3 writes them. */
	for (int write = 0; write < 2; write++) {
		given = 0;
		for (size_t i = 0; i < n; i++) {
			i128 v;

			f = share(t, weights[i], w_sign, wsum, &rem);
			if (k > 0 && (rem > lo || (rem == lo && k_gt + given < (size_t)k))) {
				if (rem == lo)
					given++;
				f += 1;
			}
			v = f * unit * t_sign;
			if (v < INT64_MIN || v > INT64_MAX)
				return BS_ERANGE;
			if (write)
				out[i] = (int64_t)v;
		}
	}
	return BS_OK;
}

/* ------------------------------------------------------------------ */
/* ISO 4217 */

struct currency {
	char code[4];
	unsigned char exponent;
};

/*
 * ISO 4217 list one (published 2026-01-01): every active code with a
 * numeric minor unit, sorted by code for bsearch.  Codes whose minor unit
 * is "N.A." (XAU, XDR, XXX, ...) are not money and are left out; withdrawn
 * codes (ANG, BGN, CUC, HRK, SLL, ZWL) are gone from the list.
 */
static const struct currency currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AWG", 2},
    {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
    {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2},
    {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2},
    {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2},
    {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2},
    {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2},
    {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3},
    {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2},
    {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2},
    {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2},
    {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2},
    {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2},
    {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2},
    {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2},
    {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2},
    {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2},
    {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0},
    {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2},
    {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAD", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

int money_currency_exponent(const char *code)
{
	size_t lo = 0, hi = sizeof(currencies) / sizeof(currencies[0]);

	if (code == NULL)
		return BS_EINVAL;
	/* Exactly three characters: "USDX" and "US" are not codes. */
	if (code[0] == '\0' || code[1] == '\0' || code[2] == '\0' || code[3] != '\0')
		return BS_ENOTFOUND;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(code, currencies[mid].code, 3);

		if (c == 0)
			return currencies[mid].exponent;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return BS_ENOTFOUND;
}
