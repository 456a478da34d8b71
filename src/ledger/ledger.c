/*
 * ledger.c - document type names, refusal names, the per-element and
 * per-call structs every connector shares (see ledger.h).
 */
#include "ledger/ledger.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const names[LEDGER_DOC_TYPE_COUNT] = {
    "Contact",         "Item",    "PurchaseOrder", "Invoice", "CreditNote", "ManualJournal",
    "BankTransaction", "Payment", "Allocation",
};

static const char *const refusals[LEDGER_REFUSAL_COUNT] = {
    "none",      "invalid",      "duplicate",    "locked period", "stale",
    "not found", "wrong status", "rate limited", "no id",
};

const char *ledger_doc_type_name(enum ledger_doc_type t)
{
	return (unsigned)t < LEDGER_DOC_TYPE_COUNT ? names[t] : "?";
}

int ledger_doc_type_from_name(const char *name, size_t n, enum ledger_doc_type *out)
{
	for (int i = 0; i < LEDGER_DOC_TYPE_COUNT; i++) {
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0) {
			*out = (enum ledger_doc_type)i;
			return BS_OK;
		}
	}
	return BS_EINVAL;
}

const char *ledger_refusal_name(enum ledger_refusal r)
{
	return (unsigned)r < LEDGER_REFUSAL_COUNT ? refusals[r] : "?";
}

void ledger_call_init(struct ledger_call *c)
{
	memset(c, 0, sizeof(*c));
	c->retry_after_s = -1;
	c->min_remaining = -1;
	c->day_remaining = -1;
	c->app_min_remaining = -1;
}

void ledger_elem_init(struct ledger_elem *e)
{
	memset(e, 0, sizeof(*e));
	buf_init(&e->message, 8192);
}

void ledger_elem_release(struct ledger_elem *e)
{
	buf_free(&e->message);
}

/* Days from 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* n digits at s into *v; false when any is not a digit. */
static bool digits(const char *s, int n, int64_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static int parse_json_date(const char *s, int64_t *ms)
{
	const char *p = s + 6;
	int64_t v = 0;
	bool neg = *p == '-';

	if (neg)
		p++;
	if (!isdigit((unsigned char)*p))
		return BS_EPARSE;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - 9) / 10)
			return BS_EPARSE;
		v = v * 10 + (*p - '0');
	}
	/* the offset only says how to show it: the ms are UTC already */
	if (*p == '+' || *p == '-')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (strcmp(p, ")/") != 0)
		return BS_EPARSE;
	*ms = neg ? -v : v;
	return BS_OK;
}

int ledger_time_parse(const char *s, int64_t *ms)
{
	int64_t y, mo, d, h = 0, mi = 0, se = 0, frac = 0, off = 0, oh, om;

	if (s == NULL)
		return BS_EPARSE;
	if (strncmp(s, "/Date(", 6) == 0)
		return parse_json_date(s, ms);
	if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return BS_EPARSE;
	s += 10;
	if (*s == 'T' || *s == ' ') {
		if (strlen(s) < 9 || !digits(s + 1, 2, &h) || s[3] != ':' ||
		    !digits(s + 4, 2, &mi) || s[6] != ':' || !digits(s + 7, 2, &se) || h > 23 ||
		    mi > 59 || se > 60)
			return BS_EPARSE;
		s += 9;
		if (*s == '.') {
			int nd = 0;

			for (s++; isdigit((unsigned char)*s); s++, nd++)
				if (nd < 3)
					frac = frac * 10 + (*s - '0');
			for (; nd < 3; nd++)
				frac *= 10;
		}
		if (*s == 'Z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			if (strlen(s) < 6 || !digits(s + 1, 2, &oh) || s[3] != ':' ||
			    !digits(s + 4, 2, &om))
				return BS_EPARSE;
			off = (*s == '-' ? -1 : 1) * (oh * 60 + om) * 60000;
			s += 6;
		}
	}
	if (*s != '\0')
		return BS_EPARSE;
	*ms = days_from_civil(y, mo, d) * 86400000 + (h * 3600 + mi * 60 + se) * 1000 + frac - off;
	return BS_OK;
}

void ledger_time_format(int64_t ms, char *out, size_t cap)
{
	int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
	int64_t rem = ms - days * 86400000, z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	snprintf(out, cap, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lld", (long long)y,
	         (long long)m, (long long)d, (long long)(rem / 3600000),
	         (long long)(rem / 60000 % 60), (long long)(rem / 1000 % 60),
	         (long long)(rem % 1000));
}
