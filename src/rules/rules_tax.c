/*
 * rules_tax.c - which ledger tax code and account a line posts to, and the
 * ledger's period lock date (docs/mapping-xero.md).
 *
 * Every failure names what the user can change: the setting that picks a
 * tax code, the account code and its neighbours in the chart, the lock
 * date.  Nothing is guessed: an ambiguous tax rate is an error listing the
 * candidates, never the first match.
 */
#include "rules/rules.h"

#include <stdlib.h>
#include <string.h>

#define NEARBY_MAX 3

static const char *dir_word(enum rules_direction dir)
{
	return dir == RULES_SALES ? "sales" : "purchases";
}

static bool empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* "tax.sales.15", "tax.purchases.12.5": the setting that chooses. */
static int tax_key(struct buf *b, int64_t rate, enum rules_direction dir)
{
	int rc;

	if ((rc = buf_addstr(b, "tax.")) != BS_OK || (rc = buf_addstr(b, dir_word(dir))) != BS_OK ||
	    (rc = buf_addc(b, '.')) != BS_OK)
		return rc;
	return money_format(b, rate, PCT_DP, 0);
}

static bool usable(const struct rules_tax_rate *t, enum rules_direction dir)
{
	return t->active && (dir == RULES_SALES ? t->sales : t->purchases);
}

/* A code named by a setting must be an active ledger rate of the same
 * percentage, usable in this direction: a 0% code for a 15% line would
 * make the ledger's tax, and so its total, differ from the source's.
 * `pct` is the line's rate as text, for the message. */
static int check_named(const char *code, const char *key, int64_t rate, const char *pct,
                       enum rules_direction dir, const struct rules_tax_rate *rates, size_t nrates,
                       struct bs_error *err)
{
	for (size_t i = 0; i < nrates; i++) {
		const struct rules_tax_rate *t = &rates[i];
		struct buf tb;
		int rc;

		if (t->code == NULL || strcmp(t->code, code) != 0 || !usable(t, dir))
			continue;
		if (t->rate == rate)
			return BS_OK;
		buf_init(&tb, 32);
		(void)money_format(&tb, t->rate, PCT_DP, 0);
		rc = bs_error_set(err, BS_EINVAL,
		                  "setting %s names %s, a %s%% rate, for a line taxed at %s%%", key,
		                  code, buf_cstr(&tb), pct);
		buf_free(&tb);
		return rc;
	}
	return bs_error_set(err, BS_EINVAL,
	                    "setting %s names %s, which is not an active tax rate usable on %s in "
	                    "the ledger",
	                    key, code, dir_word(dir));
}

/* The override naming a code for rate and dir, or NULL. */
static const struct rules_tax_override *override_of(const struct rules_tax_override *overrides,
                                                    size_t noverrides, int64_t rate,
                                                    enum rules_direction dir)
{
	for (size_t i = 0; i < noverrides; i++)
		if (overrides[i].rate == rate && overrides[i].dir == dir &&
		    !empty(overrides[i].code))
			return &overrides[i];
	return NULL;
}

/* Whether ledger rate t, with a code, serves `rate` on dir. */
static bool serves(const struct rules_tax_rate *t, int64_t rate, enum rules_direction dir)
{
	return t->rate == rate && usable(t, dir) && !empty(t->code);
}

/* How many ledger rates serve rate on dir; *first the first one's code. */
static size_t usable_codes(const struct rules_tax_rate *rates, size_t nrates, int64_t rate,
                           enum rules_direction dir, const char **first)
{
	size_t n = 0;

	for (size_t i = 0; i < nrates; i++) {
		if (!serves(&rates[i], rate, dir))
			continue;
		if (n++ == 0)
			*first = rates[i].code;
	}
	return n;
}

int rules_tax_code(int64_t rate, enum rules_direction dir, const struct rules_tax_rate *rates,
                   size_t nrates, const struct rules_tax_override *overrides, size_t noverrides,
                   const char *zero_code, const char *none_code, const char **code,
                   struct bs_error *err)
{
	const struct rules_tax_override *o;
	struct buf key, pct, list;
	const char *found = NULL;
	size_t nfound, shown = 0;
	int rc;

	if (code == NULL || (rates == NULL && nrates > 0) ||
	    (overrides == NULL && noverrides > 0) ||
	    (dir != RULES_SALES && dir != RULES_PURCHASES) || empty(none_code))
		return bs_error_set(err, BS_EINVAL, "tax code: bad argument");
	if (rate < 0)
		return bs_error_set(err, BS_EINVAL, "tax code: negative tax rate");
	/* the common case, with nothing to format: a rate no setting names and
	 * exactly one ledger rate serves (the texts below, for the other
	 * cases' checks and messages, were half a planned line's tax code) */
	o = override_of(overrides, noverrides, rate, dir);
	nfound = usable_codes(rates, nrates, rate, dir, &found);
	if (o == NULL && rate != 0 && nfound == 1) {
		*code = found;
		return BS_OK;
	}
	buf_init(&key, 64);
	buf_init(&pct, 32);
	buf_init(&list, 1024);
	if ((rc = tax_key(&key, rate, dir)) != BS_OK ||
	    (rc = money_format(&pct, rate, PCT_DP, 0)) != BS_OK) {
		rc = bs_error_set(err, rc, "tax code: %s", bs_strerror(rc));
		goto out;
	}
	if (o != NULL) {
		rc = check_named(o->code, buf_cstr(&key), rate, buf_cstr(&pct), dir, rates, nrates,
		                 err);
		if (rc == BS_OK)
			*code = o->code;
		goto out;
	}
	if (rate == 0) {
		if (empty(zero_code)) {
			*code = none_code;
			goto out;
		}
		rc = check_named(zero_code, RULES_TAX_ZERO_KEY, 0, buf_cstr(&pct), dir, rates,
		                 nrates, err);
		if (rc == BS_OK)
			*code = zero_code;
		goto out;
	}
	if (nfound == 0) {
		rc =
		    bs_error_set(err, BS_ENOTFOUND,
		                 "no active %s%% tax rate usable on %s in the ledger — set %s to a "
		                 "tax code",
		                 buf_cstr(&pct), dir_word(dir), buf_cstr(&key));
		goto out;
	}
	/* "15% on sales: OUTPUT2 or OUTPUT3 — set tax.sales.15 to choose".  A
	 * list cut short by its buffer still names the setting. */
	for (size_t i = 0; i < nrates; i++) {
		if (!serves(&rates[i], rate, dir))
			continue;
		shown++;
		(void)buf_printf(&list, "%s%s",
		                 shown == 1        ? ""
		                 : shown == nfound ? " or "
		                                   : ", ",
		                 rates[i].code);
	}
	rc = bs_error_set(err, BS_ECONFLICT, "%s%% on %s: %s — set %s to choose", buf_cstr(&pct),
	                  dir_word(dir), buf_cstr(&list), buf_cstr(&key));
out:
	buf_free(&key);
	buf_free(&pct);
	buf_free(&list);
	return rc;
}

int rules_tax_choose(const struct rules_tax_ctx *ctx, int64_t rate, enum rules_direction dir,
                     const char **code, struct bs_error *err)
{
	const struct rules_ledger *l = ctx != NULL ? ctx->ledger : NULL;

	if (l == NULL || code == NULL || empty(l->tax_none) || empty(l->tax_sales) ||
	    empty(l->tax_purchases) || (ctx->overrides == NULL && ctx->noverrides > 0) ||
	    (dir != RULES_SALES && dir != RULES_PURCHASES))
		return bs_error_set(err, BS_EINVAL, "tax code: bad argument");
	if (ctx->nrates > 0)
		return rules_tax_code(rate, dir, ctx->rates, ctx->nrates, ctx->overrides,
		                      ctx->noverrides, ctx->zero_code, l->tax_none, code, err);
	if (rate < 0)
		return bs_error_set(err, BS_EINVAL, "tax code: negative tax rate");
	/* before connect: nothing to check a setting against, so it stands */
	for (size_t i = 0; i < ctx->noverrides; i++) {
		if (ctx->overrides[i].rate == rate && ctx->overrides[i].dir == dir) {
			*code = ctx->overrides[i].code;
			return BS_OK;
		}
	}
	*code = rate == 0 ? l->tax_none : dir == RULES_SALES ? l->tax_sales : l->tax_purchases;
	return BS_OK;
}

/* ------------------------------------------------------------------ */
/* Accounts */

static bool all_digits(const char *s, size_t *n)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	*n = i;
	return i > 0 && i <= 18;
}

/*
 * How far code b is from code a, for "nearby" suggestions: numeric codes
 * (Xero's charts are mostly 3-digit numbers) by numeric distance, others
 * by how little of a prefix they share.  Lower is nearer; numeric
 * neighbours always rank before textual ones.
 */
static uint64_t code_distance(const char *a, const char *b)
{
	size_t na, nb, common = 0;

	if (all_digits(a, &na) && all_digits(b, &nb)) {
		uint64_t x = strtoull(a, NULL, 10), y = strtoull(b, NULL, 10);

		return x > y ? x - y : y - x;
	}
	while (a[common] != '\0' && a[common] == b[common])
		common++;
	return (UINT64_C(1) << 62) - common;
}

static int unknown_account(const char *want, const char *from, const struct rules_account *chart,
                           size_t nchart, struct bs_error *err)
{
	size_t best[NEARBY_MAX], nbest = 0;
	struct buf b;
	int rc;

	for (size_t i = 0; i < nchart; i++) {
		uint64_t d;
		size_t pos;

		if (!chart[i].active || empty(chart[i].code))
			continue;
		d = code_distance(want, chart[i].code);
		/* Insertion into the kept few; equal distances keep chart order. */
		for (pos = nbest; pos > 0 && code_distance(want, chart[best[pos - 1]].code) > d;
		     pos--)
			;
		if (pos >= NEARBY_MAX)
			continue;
		if (nbest < NEARBY_MAX)
			nbest++;
		memmove(&best[pos + 1], &best[pos], (nbest - 1 - pos) * sizeof(best[0]));
		best[pos] = i;
	}
	buf_init(&b, 512);
	for (size_t i = 0; i < nbest; i++) {
		const struct rules_account *a = &chart[best[i]];

		(void)buf_printf(&b, "%s%s%s%s", i == 0 ? "; nearby: " : ", ", a->code,
		                 empty(a->name) ? "" : " ", empty(a->name) ? "" : a->name);
	}
	rc = bs_error_set(err, BS_ENOTFOUND, "account %s (%s) is not in the ledger's chart%s", want,
	                  from, buf_cstr(&b));
	buf_free(&b);
	return rc;
}

int rules_account_code(const struct rules_account_sources *src, enum rules_direction dir,
                       const struct rules_account *chart, size_t nchart, const char **code,
                       struct bs_error *err)
{
	const char *want, *from, *product;
	const char *key;

	if (src == NULL || code == NULL || (chart == NULL && nchart > 0) ||
	    (dir != RULES_SALES && dir != RULES_PURCHASES))
		return bs_error_set(err, BS_EINVAL, "account: bad argument");
	key = empty(src->fallback_key) ? "the default account setting" : src->fallback_key;
	product = dir == RULES_SALES ? src->product_sales : src->product_purchases;
	if (!empty(src->line)) {
		want = src->line;
		from = "from the line";
	} else if (!empty(product)) {
		want = product;
		from = dir == RULES_SALES ? "the product's sales account"
		                          : "the product's purchase account";
	} else if (!empty(src->fallback)) {
		want = src->fallback;
		from = key;
	} else {
		return bs_error_set(err, BS_ENOTFOUND,
		                    "no account: the line and its product name none, and %s is "
		                    "not set",
		                    key);
	}
	for (size_t i = 0; i < nchart; i++) {
		if (empty(chart[i].code) || strcmp(chart[i].code, want) != 0)
			continue;
		if (!chart[i].active)
			return bs_error_set(err, BS_EINVAL,
			                    "account %s (%s) is archived in the ledger", want,
			                    from);
		*code = chart[i].code;
		return BS_OK;
	}
	return unknown_account(want, from, chart, nchart, err);
}

/* ------------------------------------------------------------------ */
/* Period lock */

static bool valid_date(const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 0, m, d;

	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return false;
		} else if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	if (s[10] != '\0')
		return false;
	for (int i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y == 0 || m < 1 || m > 12 || d < 1)
		return false;
	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return d <= 29;
	return d <= mdays[m - 1];
}

int rules_date_lock(const char *date, const char *lock_date, struct bs_error *err)
{
	if (date == NULL || strnlen(date, 11) != 10 || !valid_date(date))
		return bs_error_set(err, BS_EINVAL, "document date \"%s\" is not YYYY-MM-DD",
		                    date != NULL ? date : "(none)");
	if (empty(lock_date))
		return BS_OK;
	if (strnlen(lock_date, 11) != 10 || !valid_date(lock_date))
		return bs_error_set(err, BS_EINVAL, "lock date \"%s\" is not YYYY-MM-DD",
		                    lock_date);
	/* Same fixed-width form: text order is date order. */
	if (strcmp(date, lock_date) <= 0)
		return bs_error_set(err, BS_ESTATE,
		                    "dated %s, on or before the period lock date %s", date,
		                    lock_date);
	return BS_OK;
}
