/*
 * civil.c - ledger dates and times to and from ms since the epoch (see
 * civil.h).  The day arithmetic is Howard Hinnant's ("chrono-Compatible
 * Low-Level Date Algorithms"): eras of 400 years, March-based years so the
 * leap day falls last.
 */
#include "core/civil.h"

#include "core/error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define DAY_MS 86400000LL

int64_t civil_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_date(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* n digits at s into *v; false when any is not a digit. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* "/Date(ms[+-hhmm])/": the offset only says how to show it, the ms are
 * UTC already. */
static int parse_ms_date(const char *p, int64_t *ms)
{
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
	if (*p == '+' || *p == '-')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (strcmp(p, ")/") != 0)
		return BS_EPARSE;
	*ms = neg ? -v : v;
	return BS_OK;
}

/* "THH:MM:SS[.fff…][Z|+-hh:mm]" at s: the ms into the day, less the
 * offset; *end past it. */
static int parse_time(const char *s, int64_t *ms, const char **end)
{
	int h, mi, se, oh, om, frac = 0;
	int64_t off = 0;

	if (strlen(s) < 9 || !digits(s + 1, 2, &h) || s[3] != ':' || !digits(s + 4, 2, &mi) ||
	    s[6] != ':' || !digits(s + 7, 2, &se) || h > 23 || mi > 59 || se > 60)
		return BS_EPARSE;
	s += 9;
	if (*s == '.') {
		int nd = 0;

		for (s++; isdigit((unsigned char)*s); s++, nd++)
			if (nd < 3)
				frac = frac * 10 + (*s - '0');
		if (nd == 0)
			return BS_EPARSE;
		for (; nd < 3; nd++)
			frac *= 10;
	}
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		if (strlen(s) < 6 || !digits(s + 1, 2, &oh) || s[3] != ':' ||
		    !digits(s + 4, 2, &om) || oh > 23 || om > 59)
			return BS_EPARSE;
		off = (*s == '-' ? -1 : 1) * (int64_t)(oh * 60 + om) * 60000;
		s += 6;
	}
	*ms = ((int64_t)h * 3600 + mi * 60 + se) * 1000 + frac - off;
	*end = s;
	return BS_OK;
}

int civil_parse(const char *s, int64_t *ms)
{
	int y, mo, d;
	int64_t t = 0;

	if (s == NULL)
		return BS_EPARSE;
	if (strncmp(s, "/Date(", 6) == 0)
		return parse_ms_date(s + 6, ms);
	if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return BS_EPARSE;
	s += 10;
	if ((*s == 'T' || *s == ' ') && parse_time(s, &t, &s) != BS_OK)
		return BS_EPARSE;
	if (*s != '\0')
		return BS_EPARSE;
	*ms = civil_days(y, mo, d) * DAY_MS + t;
	return BS_OK;
}

void civil_format(int64_t ms, bool frac, char *out, size_t cap)
{
	int64_t days = ms >= 0 ? ms / DAY_MS : (ms - (DAY_MS - 1)) / DAY_MS;
	int64_t rem = ms - days * DAY_MS, y;
	int m, d;

	civil_date(days, &y, &m, &d);
	if (frac)
		snprintf(out, cap, "%04lld-%02d-%02dT%02d:%02d:%02d.%03d", (long long)y, m, d,
		         (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
		         (int)(rem % 1000));
	else
		snprintf(out, cap, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d,
		         (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60));
}
