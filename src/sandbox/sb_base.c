/*
 * sb_base.c - the sandbox's building blocks: a string -> pointer hash map
 * (open addressing), the clock and Xero's date forms, UUIDs, and unsigned
 * decimal numbers read from a length-delimited string.
 */
#include "sandbox/sb_int.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ map */

static char sb_map_tomb[1];

static uint64_t hash_str(const char *s)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

bool sb_map_live(const struct sb_map *m, size_t i)
{
	return m->ents[i].key != NULL && m->ents[i].key != sb_map_tomb;
}

static struct sb_map_ent *map_slot(const struct sb_map *m, const char *key, bool for_insert)
{
	size_t mask, i;
	struct sb_map_ent *tomb = NULL;

	if (m->cap == 0)
		return NULL;
	mask = m->cap - 1;
	for (i = hash_str(key) & mask;; i = (i + 1) & mask) {
		struct sb_map_ent *e = &m->ents[i];

		if (e->key == NULL)
			return for_insert ? (tomb ? tomb : e) : NULL;
		if (e->key == sb_map_tomb) {
			if (tomb == NULL)
				tomb = e;
			continue;
		}
		if (strcmp(e->key, key) == 0)
			return e;
	}
}

void *sb_map_get(const struct sb_map *m, const char *key)
{
	struct sb_map_ent *e = map_slot(m, key, false);

	return e ? e->val : NULL;
}

static int map_grow(struct sb_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	struct sb_map_ent *old = m->ents;
	size_t ocap = m->cap;

	if (m->cap && m->n * 4 < m->cap)
		ncap = m->cap; /* mostly tombstones: rehash at the same size */
	m->ents = calloc(ncap, sizeof(*m->ents));
	if (m->ents == NULL) {
		m->ents = old;
		return BS_ENOMEM;
	}
	m->cap = ncap;
	m->used = m->n;
	for (size_t i = 0; i < ocap; i++) {
		if (old[i].key != NULL && old[i].key != sb_map_tomb) {
			struct sb_map_ent *e = map_slot(m, old[i].key, true);
			*e = old[i];
		}
	}
	free(old);
	return BS_OK;
}

int sb_map_put(struct sb_map *m, const char *key, void *val)
{
	struct sb_map_ent *e;

	if ((m->used + 1) * 4 >= m->cap * 3 && map_grow(m) != BS_OK)
		return BS_ENOMEM;
	e = map_slot(m, key, true);
	if (e->key != NULL && e->key != sb_map_tomb) {
		e->val = val;
		return BS_OK;
	}
	{
		size_t n = strlen(key) + 1;
		char *k = malloc(n);

		if (k == NULL)
			return BS_ENOMEM;
		memcpy(k, key, n);
		if (e->key == NULL)
			m->used++;
		e->key = k;
		e->val = val;
		m->n++;
	}
	return BS_OK;
}

void *sb_map_del(struct sb_map *m, const char *key)
{
	struct sb_map_ent *e = map_slot(m, key, false);
	void *v;

	if (e == NULL)
		return NULL;
	v = e->val;
	free(e->key);
	e->key = sb_map_tomb;
	e->val = NULL;
	m->n--;
	return v;
}

void sb_map_free(struct sb_map *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (sb_map_live(m, i)) {
			if (free_val)
				free_val(m->ents[i].val);
			free(m->ents[i].key);
		}
	}
	free(m->ents);
	memset(m, 0, sizeof(*m));
}

/* ----------------------------------------------------------------- time */

static int64_t clock_us(clockid_t which)
{
	struct timespec ts;

	clock_gettime(which, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t real_now(void)
{
	return clock_us(CLOCK_REALTIME) / 1000;
}

int64_t sb_mono_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

int64_t sb_now(struct sandbox *sb)
{
	if (sb->clock.now_ms != NULL)
		return sb->clock.now_ms(sb->clock.ctx);
	return real_now();
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void sb_msdate(char *out, size_t n, int64_t ms)
{
	snprintf(out, n, "/Date(%lld+0000)/", (long long)ms);
}

void sb_isodate(char *out, size_t n, int64_t ms, bool frac)
{
	int64_t days = floor_div(ms, 86400000);
	int64_t rem = ms - days * 86400000;
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	if (frac)
		snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", y, m, d,
		         (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
		         (int)(rem % 1000));
	else
		snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, (int)(rem / 3600000),
		         (int)(rem / 60000 % 60), (int)(rem / 1000 % 60));
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int sb_parse_date(const char *s, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, se = 0, frac = 0;
	int64_t v;

	if (s == NULL)
		return BS_EPARSE;
	if (strncmp(s, "/Date(", 6) == 0) {
		const char *p = s + 6;
		bool neg = false;

		if (*p == '-') {
			neg = true;
			p++;
		}
		if (!isdigit((unsigned char)*p))
			return BS_EPARSE;
		v = 0;
		for (; isdigit((unsigned char)*p); p++) {
			if (v > (INT64_MAX - 9) / 10)
				return BS_ERANGE;
			v = v * 10 + (*p - '0');
		}
		/* an offset (+hhmm) only says how to display: the ms are UTC */
		if (*p == '+' || *p == '-')
			for (p++; isdigit((unsigned char)*p); p++)
				;
		if (strcmp(p, ")/") != 0)
			return BS_EPARSE;
		*ms = neg ? -v : v;
		return BS_OK;
	}
	if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return BS_EPARSE;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return BS_ERANGE;
	s += 10;
	if (*s == 'T' || *s == ' ') {
		if (strlen(s) < 9 || !digits(s + 1, 2, &h) || s[3] != ':' ||
		    !digits(s + 4, 2, &mi) || s[6] != ':' || !digits(s + 7, 2, &se))
			return BS_EPARSE;
		if (h > 23 || mi > 59 || se > 60)
			return BS_ERANGE;
		s += 9;
		if (*s == '.') {
			int nd = 0;

			for (s++; isdigit((unsigned char)*s); s++, nd++)
				if (nd < 3)
					frac = frac * 10 + (*s - '0');
			for (; nd < 3; nd++)
				frac *= 10;
		}
		if (*s == 'Z')
			s++;
		else if (*s == '+' || *s == '-') {
			int oh, om, sign = *s == '-' ? -1 : 1;

			if (strlen(s) < 6 || !digits(s + 1, 2, &oh) || s[3] != ':' ||
			    !digits(s + 4, 2, &om))
				return BS_EPARSE;
			s += 6;
			/* local = UTC + offset */
			h -= sign * oh;
			mi -= sign * om;
		}
	}
	if (*s != '\0')
		return BS_EPARSE;
	v = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400000 +
	    ((int64_t)h * 3600 + (int64_t)mi * 60 + se) * 1000 + frac;
	*ms = v;
	return BS_OK;
}

int sb_parse_http_date(const char *s, int64_t *ms)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char wd[4], mn[4];
	int d, y, h, mi, se;

	if (sb_parse_date(s, ms) == BS_OK)
		return BS_OK;
	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
	if (sscanf(s, "%3s, %d %3s %d %d:%d:%d", wd, &d, mn, &y, &h, &mi, &se) != 7)
		return BS_EPARSE;
	for (int m = 0; m < 12; m++) {
		if (strcmp(mn, mon[m]) == 0) {
			if (d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
			    se > 60 || y < 1 || y > 9999)
				return BS_ERANGE;
			*ms = days_from_civil(y, (unsigned)m + 1, (unsigned)d) * 86400000 +
			      ((int64_t)h * 3600 + mi * 60 + se) * 1000;
			return BS_OK;
		}
	}
	return BS_EPARSE;
}

void sb_uuid(char out[40])
{
	uint8_t b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

/* ------------------------------------------------------------- numbers */

bool sb_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}
