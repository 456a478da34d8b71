/*
 * cons_fx.c - the average exchange rate of a consolidated document, and
 * the lock on members of posted ones (see consolidate.h).
 */
#include "consolidate/consolidate.h"

#include <string.h>

int cons_avg_rate(const struct cons_fx_in *in, size_t n, int base_dp, struct cons_fx_out *out,
                  struct bs_error *err)
{
	int64_t sum = 0, base = 0, b;
	int rc;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		if (in[i].fx <= 0)
			return bs_error_set(err, BS_EINVAL, "member %zu: exchange rate must be > 0",
			                    i);
		/* each member's base value exactly as it would post alone */
		rc = money_convert(in[i].amount, in[i].fx, base_dp, MONEY_HALF_AWAY, &b);
		if (rc == BS_OK)
			rc = money_add(sum, in[i].amount, &sum);
		if (rc == BS_OK)
			rc = money_add(base, b, &base);
		if (rc != BS_OK)
			return bs_error_set(err, rc, "member %zu: amount out of range", i);
	}
	if (sum <= 0)
		return bs_error_set(err, BS_EINVAL, "no amount to average a rate over");
	/* amount-weighted: Σ base_i / Σ amount_i, rounded once to 10
	 * significant digits (what a record's fx_rate holds: docs/records.md),
	 * at most FX_DP decimals */
	rc = money_muldiv(base, FX_SCALE, sum, MONEY_TOWARD_ZERO, &out->rate);
	if (rc == BS_OK) {
		int64_t whole = out->rate / FX_SCALE, scale = 1;
		int digits = 0;

		while (whole > 0) {
			whole /= 10;
			digits++;
		}
		for (int i = 0; i < digits; i++)
			scale *= 10; /* drop one decimal per digit before the point */
		rc = money_muldiv(base, FX_SCALE / scale, sum, MONEY_HALF_AWAY, &out->rate);
		if (rc == BS_OK)
			rc = money_muldiv(out->rate, scale, 1, MONEY_HALF_AWAY, &out->rate);
	}
	if (rc == BS_OK && out->rate <= 0)
		rc = BS_EINVAL;
	if (rc == BS_OK)
		rc = money_convert(sum, out->rate, base_dp, MONEY_HALF_AWAY, &out->base_doc);
	if (rc == BS_OK)
		rc = money_sub(base, out->base_doc, &out->residual);
	if (rc != BS_OK)
		return bs_error_set(err, rc, "average rate out of range");
	out->amount = sum;
	out->base_members = base;
	return BS_OK;
}

static bool same_str(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static bool same_line(const struct record_doc_line *a, const struct record_doc_line *b)
{
	return same_str(a->sku, b->sku) && same_str(a->description, b->description) &&
	       same_str(a->account, b->account) && a->qty == b->qty && a->price == b->price &&
	       a->discount_pct == b->discount_pct && a->tax_rate == b->tax_rate &&
	       a->has_tax_rate == b->has_tax_rate && a->amount == b->amount && a->tax == b->tax;
}

int cons_lock_check(const struct record_doc *old, const struct record_doc *cur,
                    const char *doc_name, struct bs_error *err)
{
	static const char *const fields[] = {"customer_id",    "store",   "sale_id",
	                                     "credit_note_id", "account", "invoice_date"};
	static const char *const channel[] = {"type", "name"};
	const char *what = NULL;

	if (old->kind != cur->kind)
		what = "its kind";
	else if (strcmp(old->date, cur->date) != 0)
		what = "its date";
	else if (strcmp(old->currency, cur->currency) != 0 || old->fx != cur->fx)
		what = "its currency or exchange rate";
	else if (old->tax_mode != cur->tax_mode)
		what = "its tax mode";
	else if (old->total != cur->total || old->has_total != cur->has_total)
		what = "its total";
	else if (old->nlines != cur->nlines)
		what =
		    cur->nlines < old->nlines ? "its lines (one deleted)" : "its lines (one added)";
	for (size_t i = 0; what == NULL && i < old->nlines; i++) {
		if (!same_line(&old->lines[i], &cur->lines[i]))
			what = "its lines";
	}
	for (size_t i = 0; what == NULL && i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!same_str(record_doc_str(old, fields[i]), record_doc_str(cur, fields[i])))
			what = fields[i];
	}
	/* the channel is an object {type, name} (docs/records.md): it names
	 * the consolidated document, so a new type or name is a change */
	for (size_t i = 0; what == NULL && i < sizeof(channel) / sizeof(channel[0]); i++) {
		if (!same_str(record_doc_sub_str(old, "channel", channel[i]),
		              record_doc_sub_str(cur, "channel", channel[i])))
			what = "its channel";
	}
	if (what == NULL)
		return BS_OK;
	return bs_error_set(err, BS_ESTATE,
	                    "%s %s is in consolidated document %s, already posted: %s can't "
	                    "change (only its memo, and new payments, are accepted)",
	                    record_kind_name(cur->kind), cur->id, doc_name, what);
}
