/*
 * rules_rounding.c - predict a ledger's rounding and correct it, so the
 * ledger's total equals the source's to the cent (docs/rounding.md).
 *
 * The source computes each line at full precision and rounds once, half
 * away from zero, to the currency's exponent.  The ledger (Xero with
 * unitdp=4) first holds the unit price at 4 decimals and rounds the line
 * amount and its tax at 2, with a midpoint rule of its own.  Predicting
 * exactly what the ledger will compute lets us send a document whose total
 * already agrees; the post-hoc check after posting catches anything the
 * prediction got wrong (another midpoint rule than configured).
 */
#include "rules/rules.h"

#include <string.h>

/* 0.01 % in PCT_DP: Xero keeps a DiscountRate at 2 decimals. */
#define LEDGER_DISC_STEP 100

struct line_calc {
	int64_t qty, unit, disc, amount, tax;
};

/* What the ledger computes for qty × unit × (1 − disc) and its tax. */
static int ledger_compute(const struct rules_rounding_in *in, int64_t rate, struct line_calc *c)
{
	int rc;

	rc = money_line_amount(c->qty, c->unit, c->disc, in->ledger_amount_dp, in->ledger_round,
	                       &c->amount);
	if (rc != BS_OK)
		return rc;
	return money_tax(c->amount, rate, in->tax_mode, in->ledger_amount_dp, in->ledger_round,
	                 &c->tax);
}

static bool same_group(const struct rules_line *a, const struct rules_line *b)
{
	if (a->tax_rate != b->tax_rate)
		return false;
	if (a->tax_code == NULL || b->tax_code == NULL)
		return a->tax_code == b->tax_code;
	return strcmp(a->tax_code, b->tax_code) == 0;
}

/* The tax the ledger computes for the document: Σ line tax (per line), or
 * for each (code, rate) the rate on Σ of its lines' amounts, rounded once
 * (QBO's TxnTaxDetail).  O(n²) over groups: documents have few rates. */
static int ledger_tax_of(const struct rules_rounding_in *in, const struct rules_ledger_line *l,
                         size_t n, int64_t *out)
{
	int64_t t = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct rules_line *g = &in->lines[l[i].src];
		int64_t sum = 0, tax;
		bool seen = false;

		if (in->tax_rounding != RULES_TAX_PER_RATE) {
			if ((rc = money_add(t, l[i].tax, &t)) != BS_OK)
				return rc;
			continue;
		}
		for (size_t j = 0; j < i && !seen; j++)
			seen = same_group(&in->lines[l[j].src], g);
		if (seen)
			continue;
		for (size_t j = i; j < n; j++)
			if (same_group(&in->lines[l[j].src], g) &&
			    (rc = money_add(sum, l[j].line_amount, &sum)) != BS_OK)
				return rc;
		if ((rc = money_tax(sum, g->tax_rate, in->tax_mode, in->ledger_amount_dp,
		                    in->ledger_round, &tax)) != BS_OK ||
		    (rc = money_add(t, tax, &t)) != BS_OK)
			return rc;
	}
	*out = t;
	return BS_OK;
}

/* Σ line amounts, plus the tax when tax is added on top; *tax_out (may be
 * NULL) gets the tax. */
static int total_of(const struct rules_rounding_in *in, const struct rules_ledger_line *l, size_t n,
                    bool source, int64_t *out, int64_t *tax_out)
{
	int64_t t = 0, tax = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = money_add(t, source ? l[i].src_amount : l[i].line_amount, &t)) != BS_OK)
			return rc;
		if (source && (rc = money_add(tax, l[i].src_tax, &tax)) != BS_OK)
			return rc;
	}
	if (!source && (rc = ledger_tax_of(in, l, n, &tax)) != BS_OK)
		return rc;
	if (in->tax_mode == MONEY_TAX_EXCLUSIVE && (rc = money_add(t, tax, &t)) != BS_OK)
		return rc;
	if (tax_out != NULL)
		*tax_out = tax;
	*out = t;
	return BS_OK;
}

/* "desc (orig: QTY × PRICE less DISC%)": what the line said before it was
 * re-expressed as one unit at its amount.  NUL-terminated in `b`. */
static int orig_description(struct buf *b, const struct rules_line *l)
{
	int rc = BS_OK;

	if (l->description != NULL && l->description[0] != '\0') {
		if ((rc = buf_addstr(b, l->description)) != BS_OK ||
		    (rc = buf_addc(b, ' ')) != BS_OK)
			return rc;
	}
	if ((rc = buf_addstr(b, "(orig: ")) != BS_OK ||
	    (rc = money_format(b, l->qty, QTY_DP, 0)) != BS_OK ||
	    (rc = buf_addstr(b, " \xc3\x97 ")) != BS_OK || /* U+00D7 × */
	    (rc = money_format(b, l->unit_price, MONEY_DP, 2)) != BS_OK)
		return rc;
	if (l->discount_pct != 0 && ((rc = buf_addstr(b, " less ")) != BS_OK ||
	                             (rc = money_format(b, l->discount_pct, PCT_DP, 0)) != BS_OK ||
	                             (rc = buf_addc(b, '%')) != BS_OK))
		return rc;
	if ((rc = buf_addc(b, ')')) != BS_OK)
		return rc;
	/* The NUL separates this description from the next one. */
	return buf_add(b, "", 1);
}

static bool valid_dp(int dp)
{
	return dp >= 0 && dp <= MONEY_DP;
}

static int check_input(const struct rules_rounding_in *in, const struct rules_rounding_out *out,
                       struct bs_error *err)
{
	if (in == NULL || out == NULL || (out->lines == NULL && out->cap > 0) ||
	    (in->lines == NULL && in->nlines > 0))
		return bs_error_set(err, BS_EINVAL, "rounding: NULL argument");
	if (in->rounding_account == NULL || in->rounding_account[0] == '\0')
		return bs_error_set(err, BS_EINVAL, "rounding: no rounding account");
	if (out->cap < in->nlines)
		return bs_error_set(err, BS_EINVAL, "rounding: room for %zu lines, %zu given",
		                    out->cap, in->nlines);
	if (!valid_dp(in->currency_dp) || !valid_dp(in->ledger_unit_dp) ||
	    !valid_dp(in->ledger_amount_dp) || in->ledger_unit_dp < in->ledger_amount_dp)
		return bs_error_set(err, BS_EINVAL,
		                    "rounding: decimals (currency %d, unit %d, amount %d) out of "
		                    "range",
		                    in->currency_dp, in->ledger_unit_dp, in->ledger_amount_dp);
	if (in->tax_mode != MONEY_TAX_EXCLUSIVE && in->tax_mode != MONEY_TAX_INCLUSIVE &&
	    in->tax_mode != MONEY_TAX_NONE)
		return bs_error_set(err, BS_EINVAL, "rounding: unknown tax mode");
	if (in->tax_rounding != RULES_TAX_PER_LINE && in->tax_rounding != RULES_TAX_PER_RATE)
		return bs_error_set(err, BS_EINVAL, "rounding: unknown tax rounding");
	if (in->ledger_round != MONEY_HALF_AWAY && in->ledger_round != MONEY_HALF_EVEN &&
	    in->ledger_round != MONEY_TOWARD_ZERO)
		return bs_error_set(err, BS_EINVAL, "rounding: unknown midpoint rule");
	for (size_t i = 0; i < in->nlines; i++) {
		const struct rules_line *l = &in->lines[i];

		if (l->discount_pct < 0 || l->discount_pct > 100 * PCT_SCALE)
			return bs_error_set(err, BS_EINVAL, "line %zu: discount outside 0..100%%",
			                    i + 1);
		if (l->tax_rate < 0)
			return bs_error_set(err, BS_EINVAL, "line %zu: negative tax rate", i + 1);
	}
	return BS_OK;
}

/* Source amounts and the ledger's prediction for line i as first sent. */
static int first_pass(const struct rules_rounding_in *in, size_t i, struct rules_ledger_line *o)
{
	const struct rules_line *l = &in->lines[i];
	struct line_calc c = {.qty = l->qty};
	int64_t price = l->unit_price;
	int rc;

	memset(o, 0, sizeof(*o));
	o->src = i;
	o->description = l->description;
	if ((rc = money_line_amount(l->qty, l->unit_price, l->discount_pct, in->currency_dp,
	                            MONEY_HALF_AWAY, &o->src_amount)) != BS_OK ||
	    (rc = money_tax(o->src_amount, l->tax_rate, in->tax_mode, in->currency_dp,
	                    MONEY_HALF_AWAY, &o->src_tax)) != BS_OK)
		return rc;

	/* Credit notes take no discount; and a rate with more than 2
	 * decimals would be stored rounded by the ledger, so our prediction
	 * could not hold after a re-post: fold both into the price (1 unit at
	 * the discounted price, 6 dp, half away: what the source means). */
	c.disc = l->discount_pct;
	if (c.disc != 0 && (in->fold_discount || c.disc % LEDGER_DISC_STEP != 0)) {
		if ((rc = money_line_amount(QTY_SCALE, l->unit_price, c.disc, MONEY_DP,
		                            MONEY_HALF_AWAY, &price)) != BS_OK)
			return rc;
		c.disc = 0;
	}
	/* We send the unit amount already at the ledger's precision, so this
	 * rounding is ours (half away, like the source), not the ledger's. */
	if ((rc = money_round(price, MONEY_DP, in->ledger_unit_dp, MONEY_HALF_AWAY, &c.unit)) !=
	    BS_OK)
		return rc;
	if ((rc = ledger_compute(in, l->tax_rate, &c)) != BS_OK)
		return rc;
	o->qty = c.qty;
	o->unit_amount = c.unit;
	o->discount_pct = c.disc;
	o->line_amount = c.amount;
	o->tax = c.tax;
	return BS_OK;
}

int rules_rounding(const struct rules_rounding_in *in, struct rules_rounding_out *out,
                   struct buf *desc, struct bs_error *err)
{
	int64_t u, ledger, d, dl, two_u;
	size_t desc_start = desc != NULL ? desc->len : 0, line = 0;
	int rc;

	if ((rc = check_input(in, out, err)) != BS_OK)
		return rc;
	out->nlines = in->nlines;
	out->has_correction = false;
	out->correction = 0;
	out->correction_account = in->rounding_account;
	out->nrewritten = 0;
	u = money_unit(in->ledger_amount_dp);
	two_u = 2 * u;

	for (line = 0; line < in->nlines; line++)
		if ((rc = first_pass(in, line, &out->lines[line])) != BS_OK)
			goto fail_line;
	if ((rc = total_of(in, out->lines, in->nlines, true, &out->source_total,
	                   &out->source_tax)) != BS_OK ||
	    (rc = money_round(out->source_total, MONEY_DP, in->ledger_amount_dp, MONEY_HALF_AWAY,
	                      &out->target_total)) != BS_OK ||
	    (rc = money_sub(out->source_total, out->target_total, &out->residual)) != BS_OK ||
	    (rc = total_of(in, out->lines, in->nlines, false, &ledger, &out->ledger_tax)) !=
	        BS_OK ||
	    (rc = money_sub(ledger, out->target_total, &d)) != BS_OK)
		goto fail;
	out->first_diff = d;
	/* Whether lines are rewritten is judged on the lines themselves (their
	 * tax per line): what a once-per-rate tax adds (at most half a unit a
	 * rate) goes into the correction line, never into a rewrite. */
	dl = d;
	if (in->tax_rounding == RULES_TAX_PER_RATE) {
		struct rules_rounding_in per_line = *in;

		per_line.tax_rounding = RULES_TAX_PER_LINE;
		if ((rc = total_of(&per_line, out->lines, in->nlines, false, &dl, NULL)) != BS_OK ||
		    (rc = money_sub(dl, out->target_total, &dl)) != BS_OK)
			goto fail;
	}

	if (dl >= two_u || dl <= -two_u) {
		/* docs/rounding.md: each line the ledger would get wrong is sent as
		 * one unit at the source's amount.  Whether a line is "wrong" is
		 * judged on what the rewrite would change: for a 3-dp currency a
		 * line whose amount rounds to the same cents is left alone. */
		for (line = 0; line < in->nlines; line++) {
			struct rules_ledger_line *o = &out->lines[line];
			const struct rules_line *l = &in->lines[o->src];
			struct line_calc c = {.qty = QTY_SCALE, .disc = 0};

			if ((rc = money_round(o->src_amount, MONEY_DP, in->ledger_unit_dp,
			                      MONEY_HALF_AWAY, &c.unit)) != BS_OK ||
			    (rc = ledger_compute(in, l->tax_rate, &c)) != BS_OK)
				goto fail_line;
			if (c.amount == o->line_amount)
				continue;
			if (desc == NULL) {
				rc = bs_error_set(err, BS_EINVAL,
				                  "rounding: line %zu must be rewritten and no "
				                  "description buffer was given",
				                  line + 1);
				goto out;
			}
			/* Pointers into desc are set once it stops growing (it
			 * may move while it grows): the strings are appended in
			 * line order, one per rewritten line. */
			if ((rc = orig_description(desc, l)) != BS_OK)
				goto fail;
			o->qty = c.qty;
			o->unit_amount = c.unit;
			o->discount_pct = 0;
			o->line_amount = c.amount;
			o->tax = c.tax;
			o->rewritten = true;
			out->nrewritten++;
		}
		if ((rc = total_of(in, out->lines, in->nlines, false, &ledger, &out->ledger_tax)) !=
		        BS_OK ||
		    (rc = money_sub(ledger, out->target_total, &d)) != BS_OK)
			goto fail;
	}
	if (d != 0) {
		if ((rc = money_neg(d, &out->correction)) != BS_OK)
			goto fail;
		out->has_correction = true;
	}
	if ((rc = money_add(ledger, out->correction, &out->ledger_total)) != BS_OK)
		goto fail;
	if (out->ledger_total != out->target_total) {
		rc = bs_error_set(err, BS_EINTERNAL, "rounding: totals disagree after correction");
		goto out;
	}
	if (out->nrewritten > 0 && desc != NULL) { /* a rewrite needed desc (checked above) */
		const char *p = desc->ptr + desc_start;

		for (size_t i = 0; i < in->nlines; i++) {
			if (!out->lines[i].rewritten)
				continue;
			out->lines[i].description = p;
			p += strlen(p) + 1;
		}
	}
	return BS_OK;

fail_line:
	rc = bs_error_set(err, rc, "rounding: line %zu: %s", line + 1, bs_strerror(rc));
	goto out;
fail:
	rc = bs_error_set(err, rc, "rounding: %s", bs_strerror(rc));
out:
	if (desc != NULL)
		buf_truncate(desc, desc_start);
	return rc;
}

int rules_rounding_posthoc(int64_t ledger_total, int64_t source_total, int ledger_amount_dp,
                           int64_t *delta)
{
	int64_t target;
	int rc;

	if (delta == NULL || !valid_dp(ledger_amount_dp) ||
	    ledger_total % money_unit(ledger_amount_dp) != 0)
		return BS_EINVAL;
	if ((rc = money_round(source_total, MONEY_DP, ledger_amount_dp, MONEY_HALF_AWAY,
	                      &target)) != BS_OK)
		return rc;
	return money_sub(target, ledger_total, delta);
}

int rules_rounding_recheck(int64_t ledger_total, int64_t source_total, int amount_dp, bool has_line,
                           int64_t line_unit, const char *account, const char *tax_none,
                           struct rules_rounding_fix *fix)
{
	int64_t delta = 0;
	int rc;

	memset(fix, 0, sizeof(*fix));
	rc = rules_rounding_posthoc(ledger_total, source_total, amount_dp, &delta);
	if (rc != BS_OK || delta == 0)
		return rc;
	rc = money_add(has_line ? line_unit : 0, delta, &fix->unit_amount);
	if (rc != BS_OK)
		return rc;
	fix->needed = true;
	fix->add_line = !has_line;
	fix->description = RULES_ROUNDING_DESCRIPTION;
	fix->account = account;
	fix->tax_code = tax_none;
	return BS_OK;
}
