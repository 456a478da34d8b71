/*
 * sb_base.c - the sandbox's building blocks: a string -> pointer hash map
 * (open addressing), the clock and Xero's date forms, UUIDs, the derived
 * ids and names of --tenants / --companies organisations, and unsigned
 * decimal numbers read from a length-delimited string.
 */
#include "sandbox/sb_int.h"

#include "core/civil.h"

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

void sb_msdate(char *out, size_t n, int64_t ms)
{
	snprintf(out, n, "/Date(%lld+0000)/", (long long)ms);
}

void sb_isodate(char *out, size_t n, int64_t ms, bool frac)
{
	civil_format(ms, frac, out, n);
}

int sb_parse_http_date(const char *s, int64_t *ms)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char wd[4], mn[4];
	int d, y, h, mi, se;

	if (civil_parse(s, ms) == BS_OK)
		return BS_OK;
	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
	if (sscanf(s, "%3s, %d %3s %d %d:%d:%d", wd, &d, mn, &y, &h, &mi, &se) != 7)
		return BS_EPARSE;
	for (int m = 0; m < 12; m++) {
		if (strcmp(mn, mon[m]) == 0) {
			if (d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
			    se > 60 || y < 1 || y > 9999)
				return BS_ERANGE;
			*ms = civil_days(y, m + 1, d) * 86400000 +
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

/* ------------------------------------------------------------- demo ids */

int sb_index_id(enum sandbox_ledger ledger, unsigned idx, char *out, size_t n)
{
	int len;

	if (idx < 2 || idx > SANDBOX_TENANTS_MAX)
		return BS_EINVAL;
	/* decimal digits in a hex group: "...-000000000002" reads as index 2 */
	if (ledger == SANDBOX_QBO)
		len = snprintf(out, n, "93414530501%05u", idx);
	else
		len = snprintf(out, n, "b5000000-0000-4000-8000-%012u", idx);
	return len > 0 && (size_t)len < n ? BS_OK : BS_ETOOBIG;
}

int sb_index_name(unsigned idx, char *out, size_t n)
{
	int len = snprintf(out, n, "Booksync Demo %u", idx);

	return len > 0 && (size_t)len < n ? BS_OK : BS_ETOOBIG;
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
