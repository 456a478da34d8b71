/*
 * rules_fx.c - foreign-currency journals converted to base currency, and
 * the CurrencyRate sent to Xero (docs/mapping-xero.md "Currency").
 *
 * Xero's manual journals have no currency: a journal in another currency
 * is posted in base currency, and rounding each line on its own could
 * leave debits and credits a cent apart, which the ledger refuses.  Each
 * side is converted as a whole and the whole spread back over the lines by
 * largest remainder, so both sides round to the same total.
 */
#include "rules/rules.h"

__extension__ typedef __int128 i128;

/* n / d rounded half away from zero; d > 0. */
static i128 div_half_away(i128 n, i128 d)
{
	i128 q = n / d, r = n % d;

	if (r < 0)
		r = -r;
	if (2 * r >= d)
		q += n < 0 ? -1 : 1;
	return q;
}

/*
 * Largest remainder for one side (sign +1: debits, -1: credits): each
 * line's exact conversion |a| × fx is split into whole minor units and a
 * remainder (over den); the side's total, rounded half away, leaves k
 * units to hand out, one each to the k largest remainders, ties to the
 * earlier line (as money_allocate does).  A threshold found by binary
 * search keeps it O(n log den) and allocation-free.  write=false only
 * checks that every part fits.
 */
static int convert_side(const int64_t *a, size_t n, int sign, int64_t fx, i128 unit, int64_t *out,
                        bool write)
{
	const i128 den = (i128)FX_SCALE * unit;
	i128 total = 0, floors = 0, k, lo, hi;
	size_t given = 0, above;

	for (size_t i = 0; i < n; i++) {
		if ((i128)a[i] * sign <= 0)
			continue;
		total += (i128)a[i] * sign * fx; /* Σ|a| fits int64, so this fits */
		floors += (i128)a[i] * sign * fx / den;
	}
	k = div_half_away(total, den) - floors;
	if (k < 0 || k > (i128)n)
		return BS_EINTERNAL;

	/* The largest r with at least k remainders >= r. */
	lo = 0;
	hi = den - 1;
	while (k > 0 && lo < hi) {
		i128 mid = lo + (hi - lo + 1) / 2;
		i128 c = 0;

		for (size_t i = 0; i < n; i++)
			if ((i128)a[i] * sign > 0 && (i128)a[i] * sign * fx % den >= mid)
				c++;
		if (c >= k)
			lo = mid;
		else
			hi = mid - 1;
	}
	above = 0;
	for (size_t i = 0; k > 0 && i < n; i++)
		if ((i128)a[i] * sign > 0 && (i128)a[i] * sign * fx % den > lo)
			above++;

	for (size_t i = 0; i < n; i++) {
		i128 ex, f, r, v;

		if ((i128)a[i] * sign <= 0)
			continue;
		ex = (i128)a[i] * sign * fx;
		f = ex / den;
		r = ex % den;
		if (k > 0 && (r > lo || (r == lo && above + given < (size_t)k))) {
			if (r == lo)
				given++;
			f++;
		}
		v = f * unit * sign;
		if (v > INT64_MAX || v < INT64_MIN)
			return BS_ERANGE;
		if (write)
			out[i] = (int64_t)v;
	}
	return BS_OK;
}

int rules_journal_to_base(const int64_t *amounts, size_t n, int64_t fx, int base_dp, int64_t *out,
                          struct bs_error *err)
{
	int64_t sum = 0, debits = 0, unit = money_unit(base_dp);
	struct buf b;
	int rc;

	if (amounts == NULL || out == NULL || n == 0 || unit == 0)
		return bs_error_set(err, BS_EINVAL, "journal conversion: bad argument");
	if (fx <= 0)
		return bs_error_set(err, BS_ERANGE, "journal conversion: fx_rate must be positive");
	for (size_t i = 0; i < n; i++) {
		if (money_add(sum, amounts[i], &sum) != BS_OK ||
		    (amounts[i] > 0 && money_add(debits, amounts[i], &debits) != BS_OK))
			return bs_error_set(err, BS_ERANGE, "journal conversion: totals overflow");
	}
	if (sum != 0) {
		buf_init(&b, 64);
		(void)money_format(&b, sum < 0 ? -sum : sum, MONEY_DP, 2);
		rc = bs_error_set(err, BS_EINVAL, "journal does not balance: %s exceed %s by %s",
		                  sum > 0 ? "debits" : "credits", sum > 0 ? "credits" : "debits",
		                  buf_cstr(&b));
		buf_free(&b);
		return rc;
	}
	/* Check both sides fit before writing anything. */
	for (int write = 0; write < 2; write++) {
		if ((rc = convert_side(amounts, n, 1, fx, unit, out, write)) != BS_OK ||
		    (rc = convert_side(amounts, n, -1, fx, unit, out, write)) != BS_OK)
			return bs_error_set(err, rc, "journal conversion: %s", bs_strerror(rc));
	}
	for (size_t i = 0; i < n; i++)
		if (amounts[i] == 0)
			out[i] = 0;
	return BS_OK;
}

int rules_currency_rate(int64_t fx, int64_t total, int base_dp, struct rules_currency_rate *out)
{
	i128 unit = money_unit(base_dp), v;
	int64_t rate;
	int rc;

	if (out == NULL || unit == 0)
		return BS_EINVAL;
	if (fx <= 0)
		return BS_ERANGE;
	if ((rc = money_fx_invert(fx, MONEY_DP, MONEY_HALF_AWAY, &rate)) != BS_OK)
		return rc;
	if (rate == 0)
		return BS_ERANGE; /* 1/fx below 0.0000005: not expressible */
	out->rate = rate;
	if ((rc = money_convert(total, fx, base_dp, MONEY_HALF_AWAY, &out->base_exact)) != BS_OK)
		return rc;
	/* total ÷ (rate / 10^6), in micros, rounded to base_dp. */
	v = div_half_away((i128)total * MONEY_SCALE, (i128)rate * unit) * unit;
	if (v > INT64_MAX || v < INT64_MIN)
		return BS_ERANGE;
	out->base_ledger = (int64_t)v;
	return money_sub(out->base_ledger, out->base_exact, &out->residual);
}
