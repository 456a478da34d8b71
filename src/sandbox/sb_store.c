/*
 * sb_store.c - the sandbox's state: hash map, time helpers, tenants and
 * their seeded organisation, document collections, write transactions with
 * an undo log, and the optional SQLite state file (write-through on commit,
 * loaded at start).
 */
#include "sandbox/sb_int.h"

#include "core/grow.h"

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

static int64_t real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* ------------------------------------------------------------- collections */

static void lower_copy(char *out, size_t n, const char *s)
{
	size_t i = 0;

	for (; s[i] && i + 1 < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* The Types whose documents share a kind's numbers ("ACCREC|INV-0001"),
 * the sales one first. */
static const char *const typed_numbers[SBK_COUNT][2] = {
    [SBK_INVOICES] = {"ACCREC", "ACCPAY"},
    [SBK_CREDITNOTES] = {"ACCRECCREDIT", "ACCPAYCREDIT"},
};

bool sb_numkey(int kind, json_object *obj, char *out, size_t n)
{
	const struct sb_kind *k = &sb_kinds[kind];
	const char *num, *st;
	char tmp[600];

	if (k->num_field == NULL)
		return false;
	num = sb_jstr(obj, k->num_field);
	if (num == NULL || num[0] == '\0')
		return false;
	st = sb_jstr(obj, "Status");
	/* a deleted document frees its number (FACTS §7) */
	if (st != NULL && strcmp(st, "DELETED") == 0)
		return false;
	if (typed_numbers[kind][0] != NULL) {
		const char *ty = sb_jstr(obj, "Type");

		snprintf(tmp, sizeof(tmp), "%s|%s", ty ? ty : "", num);
	} else {
		snprintf(tmp, sizeof(tmp), "%s", num);
	}
	lower_copy(out, n, tmp);
	return true;
}

static void doc_unindex(struct sb_coll *c, struct sb_doc *d)
{
	if (d->numkey != NULL) {
		if (sb_map_get(&c->by_num, d->numkey) == d)
			sb_map_del(&c->by_num, d->numkey);
		free(d->numkey);
		d->numkey = NULL;
	}
}

static int doc_index(struct sb_coll *c, int kind, struct sb_doc *d)
{
	char key[600];

	if (d->gone || !sb_numkey(kind, d->obj, key, sizeof(key)))
		return BS_OK;
	d->numkey = strdup(key);
	if (d->numkey == NULL)
		return BS_ENOMEM;
	return sb_map_put(&c->by_num, key, d);
}

struct sb_doc *sb_find(struct sb_tenant *tn, int kind, const char *id)
{
	char key[64];
	struct sb_doc *d;

	lower_copy(key, sizeof(key), id);
	d = sb_map_get(&tn->coll[kind].by_id, key);
	return d && !d->gone ? d : NULL;
}

struct sb_doc *sb_find_num(struct sb_tenant *tn, int kind, const char *numkey)
{
	char key[600];

	lower_copy(key, sizeof(key), numkey);
	return sb_map_get(&tn->coll[kind].by_num, key);
}

struct sb_doc *sb_find_number(struct sb_tenant *tn, int kind, const char *num)
{
	struct sb_doc *d = NULL;
	char key[300];

	if (typed_numbers[kind][0] == NULL)
		return sb_find_num(tn, kind, num);
	for (size_t i = 0; i < 2 && d == NULL; i++) {
		snprintf(key, sizeof(key), "%s|%s", typed_numbers[kind][i], num);
		d = sb_find_num(tn, kind, key);
	}
	return d;
}

static int coll_append(struct sb_tenant *tn, int kind, struct sb_doc *d)
{
	struct sb_coll *c = &tn->coll[kind];
	char key[64];

	// NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers
	if (grow_array(&c->docs, &c->cap, c->n, 16, sizeof(*c->docs)) != BS_OK)
		return BS_ENOMEM;
	lower_copy(key, sizeof(key), d->id);
	if (sb_map_put(&c->by_id, key, d) != BS_OK)
		return BS_ENOMEM;
	c->docs[c->n++] = d;
	return doc_index(c, kind, d);
}

static void doc_free(struct sb_doc *d)
{
	if (d == NULL)
		return;
	json_object_put(d->obj);
	free(d->numkey);
	free(d);
}

/* ------------------------------------------------------------- txn */

void sb_txn_init(struct sb_txn *t, struct sandbox *sb, struct sb_tenant *tn)
{
	memset(t, 0, sizeof(*t));
	t->sb = sb;
	t->tn = tn;
	t->now = sb_now(sb);
}

int sb_put(struct sb_txn *t, int kind, struct sb_doc *old, json_object *obj, struct sb_doc **out)
{
	struct sb_coll *c = &t->tn->coll[kind];
	struct sb_undo *u;
	struct sb_doc *d;
	int rc;

	if (grow_array(&t->u, &t->cap, t->n, 16, sizeof(*t->u)) != BS_OK) {
		json_object_put(obj);
		return BS_ENOMEM;
	}
	u = &t->u[t->n];
	if (old == NULL) {
		const char *id = sb_jstr(obj, sb_kinds[kind].id_field);

		d = calloc(1, sizeof(*d));
		if (d == NULL || id == NULL) {
			free(d);
			json_object_put(obj);
			return id == NULL ? BS_EINTERNAL : BS_ENOMEM;
		}
		snprintf(d->id, sizeof(d->id), "%s", id);
		d->obj = obj;
		d->seq = ++t->sb->doc_seq;
		d->updated_ms = t->now;
		rc = coll_append(t->tn, kind, d);
		if (rc != BS_OK) {
			char key[64];

			lower_copy(key, sizeof(key), d->id);
			if (sb_map_get(&c->by_id, key) == d)
				sb_map_del(&c->by_id, key);
			if (c->n > 0 && c->docs[c->n - 1] == d)
				c->n--;
			doc_unindex(c, d);
			doc_free(d);
			return rc;
		}
		u->old = NULL;
		u->old_updated = 0;
	} else {
		d = old;
		doc_unindex(c, d);
		u->old = d->obj;
		u->old_updated = d->updated_ms;
		d->obj = obj;
		d->updated_ms = t->now;
		rc = doc_index(c, kind, d);
		if (rc != BS_OK) {
			doc_unindex(c, d);
			d->obj = u->old;
			d->updated_ms = u->old_updated;
			json_object_put(obj);
			doc_index(c, kind, d);
			return rc;
		}
	}
	u->tn = t->tn;
	u->kind = kind;
	u->doc = d;
	t->n++;
	if (out)
		*out = d;
	return BS_OK;
}

void sb_txn_rollback_to(struct sb_txn *t, size_t mark)
{
	while (t->n > mark) {
		struct sb_undo *u = &t->u[--t->n];
		struct sb_coll *c = &u->tn->coll[u->kind];
		struct sb_doc *d = u->doc;

		doc_unindex(c, d);
		if (u->old == NULL) {
			char key[64];

			lower_copy(key, sizeof(key), d->id);
			sb_map_del(&c->by_id, key);
			/* undone in reverse order, so a created doc is the last one */
			if (c->n > 0 && c->docs[c->n - 1] == d)
				c->n--;
			doc_free(d);
		} else {
			json_object_put(d->obj);
			d->obj = u->old;
			d->updated_ms = u->old_updated;
			doc_index(c, u->kind, d);
		}
	}
}

static int persist_doc(struct sandbox *sb, struct sb_tenant *tn, int kind, struct sb_doc *d)
{
	char key[128];
	char meta[160];
	struct buf b;
	int rc;

	if (sb->db == NULL)
		return BS_OK;
	snprintf(key, sizeof(key), "%s/%d/%s", tn->id, kind, d->id);
	buf_init(&b, 0);
	snprintf(meta, sizeof(meta),
	         "{\"seq\":%llu,\"updated\":%lld,\"gone\":%s,\"obj\":", (unsigned long long)d->seq,
	         (long long)d->updated_ms, d->gone ? "true" : "false");
	rc = buf_addstr(&b, meta);
	if (rc == BS_OK)
		rc = buf_addstr(
		    &b, json_object_to_json_string_ext(d->obj, JSON_C_TO_STRING_PLAIN |
		                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
	if (rc == BS_OK)
		rc = buf_addc(&b, '}');
	if (rc == BS_OK)
		rc = sb_state_put(sb, "doc", key, buf_cstr(&b));
	buf_free(&b);
	return rc;
}

int sb_txn_commit(struct sb_txn *t)
{
	struct sandbox *sb = t->sb;
	int rc = BS_OK;

	if (sb->db != NULL)
		sqlite3_exec(sb->db, "BEGIN", NULL, NULL, NULL);
	for (size_t i = 0; i < t->n; i++) {
		struct sb_undo *u = &t->u[i];
		bool first = true;

		for (size_t j = 0; j < i; j++)
			if (t->u[j].doc == u->doc)
				first = false;
		if (!first)
			continue;
		if (rc == BS_OK)
			rc = persist_doc(sb, u->tn, u->kind, u->doc);
		if (sb->hook_url != NULL && sb_kinds[u->kind].webhook != NULL)
			sb_hook_event(sb, u->tn, u->kind, u->doc, u->old == NULL);
	}
	if (t->n > 0 && t->tn != NULL && rc == BS_OK)
		rc = sb_state_save_tenant(sb, t->tn);
	if (sb->db != NULL)
		sqlite3_exec(sb->db, rc == BS_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	for (size_t i = 0; i < t->n; i++)
		json_object_put(t->u[i].old);
	t->n = 0;
	return rc;
}

void sb_txn_free(struct sb_txn *t)
{
	sb_txn_rollback_to(t, 0);
	free(t->u);
	t->u = NULL;
	t->cap = 0;
}

/* ------------------------------------------------------------- tenants */

struct sb_tenant *sb_tenant_find(struct sandbox *sb, const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < sb->ntenants; i++)
		if (strcasecmp(sb->tenants[i]->id, id) == 0)
			return sb->tenants[i];
	return NULL;
}

void sb_tenant_free(struct sb_tenant *tn)
{
	if (tn == NULL)
		return;
	for (int k = 0; k < SBK_COUNT; k++) {
		struct sb_coll *c = &tn->coll[k];

		for (size_t i = 0; i < c->n; i++)
			doc_free(c->docs[i]);
		free(c->docs);
		sb_map_free(&c->by_id, NULL);
		sb_map_free(&c->by_num, NULL);
	}
	for (size_t i = 0; i < tn->idem.cap; i++) {
		if (sb_map_live(&tn->idem, i)) {
			struct sb_idem *ie = tn->idem.ents[i].val;

			free(ie->body);
			free(ie);
		}
	}
	sb_map_free(&tn->idem, NULL);
	free(tn->minute.ts);
	free(tn->day.ts);
	json_object_put(tn->org);
	free(tn);
}

void sb_tenants_clear(struct sandbox *sb)
{
	for (size_t i = 0; i < sb->ntenants; i++)
		sb_tenant_free(sb->tenants[i]);
	free(sb->tenants);
	sb->tenants = NULL;
	sb->ntenants = 0;
}

static int window_alloc(struct sb_window *w, int cap)
{
	w->cap = cap > 0 ? (size_t)cap : 1;
	w->ts = calloc(w->cap, sizeof(*w->ts));
	return w->ts ? BS_OK : BS_ENOMEM;
}

static json_object *org_json(const char *id, const char *name, const char *currency,
                             const char *country, int64_t now)
{
	json_object *o = json_object_new_object();
	char d[48], s[48];

	sb_jset_str(o, "OrganisationID", id);
	sb_jset_str(o, "APIKey", "");
	sb_jset_str(o, "Name", name);
	sb_jset_str(o, "LegalName", name);
	json_object_object_add(o, "PaysTax", json_object_new_boolean(1));
	sb_jset_str(o, "Version", country);
	sb_jset_str(o, "OrganisationType", "COMPANY");
	sb_jset_str(o, "BaseCurrency", currency);
	sb_jset_str(o, "CountryCode", country);
	json_object_object_add(o, "IsDemoCompany", json_object_new_boolean(0));
	sb_jset_str(o, "OrganisationStatus", "ACTIVE");
	json_object_object_add(o, "FinancialYearEndDay", json_object_new_int(31));
	json_object_object_add(o, "FinancialYearEndMonth", json_object_new_int(3));
	sb_jset_str(o, "SalesTaxBasis", "PAYMENTS");
	sb_jset_str(o, "SalesTaxPeriod", "TWOMONTHS");
	sb_jset_str(o, "DefaultSalesTax", "Tax Exclusive");
	sb_jset_str(o, "DefaultPurchasesTax", "Tax Exclusive");
	sb_msdate(d, sizeof(d), now);
	sb_jset_str(o, "CreatedDateUTC", d);
	sb_jset_str(o, "OrganisationEntityType", "COMPANY");
	sb_jset_str(o, "Timezone", "NEWZEALANDSTANDARDTIME");
	snprintf(s, sizeof(s), "!%.5s", id);
	sb_jset_str(o, "ShortCode", s);
	sb_jset_str(o, "Edition", "BUSINESS");
	sb_jset_str(o, "Class", "PREMIUM");
	json_object_object_add(o, "Addresses", json_object_new_array());
	json_object_object_add(o, "Phones", json_object_new_array());
	json_object_object_add(o, "ExternalLinks", json_object_new_array());
	json_object_object_add(o, "PaymentTerms", json_object_new_object());
	return o;
}

int sb_tenant_create(struct sandbox *sb, const char *name, const char *currency,
                     const char *country, const char *id, struct sb_tenant **out)
{
	struct sb_tenant *tn = calloc(1, sizeof(*tn));
	struct sb_tenant **nt;
	int64_t now = sb_now(sb);

	if (tn == NULL)
		return BS_ENOMEM;
	if (id != NULL)
		snprintf(tn->id, sizeof(tn->id), "%s", id);
	else
		sb_uuid(tn->id);
	sb_uuid(tn->conn_id);
	tn->created_ms = now;
	tn->period_lock_ms = INT64_MIN;
	tn->eoy_lock_ms = INT64_MIN;
	tn->connected = true;
	tn->org = org_json(tn->id, name, currency, country, now);
	if (window_alloc(&tn->minute, sb->lim_minute) != BS_OK ||
	    window_alloc(&tn->day, sb->lim_day) != BS_OK || tn->org == NULL)
		goto fail;
	nt = realloc(sb->tenants,
	             (sb->ntenants + 1) *
	                 sizeof(*nt)); // NOLINT(bugprone-sizeof-expression): an array of pointers
	if (nt == NULL)
		goto fail;
	sb->tenants = nt;
	sb->tenants[sb->ntenants++] = tn;
	*out = tn;
	return BS_OK;
fail:
	sb_tenant_free(tn);
	return BS_ENOMEM;
}

/* The default chart (DESIGN.md "The sandbox's default organisation"). */
static const struct {
	const char *code, *name, *type, *tax, *cls, *system;
	bool pay;
} chart[] = {
    {"090", "Business Bank Account", "BANK", "NONE", "ASSET", NULL, false},
    {"091", "Business Savings Account", "BANK", "NONE", "ASSET", NULL, false},
    {"200", "Sales", "REVENUE", "OUTPUT2", "REVENUE", NULL, false},
    {"260", "Other Revenue", "REVENUE", "OUTPUT2", "REVENUE", NULL, false},
    {"270", "Interest Income", "REVENUE", "NONE", "REVENUE", NULL, false},
    {"310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT2", "EXPENSE", NULL, false},
    {"400", "Advertising", "EXPENSE", "INPUT2", "EXPENSE", NULL, false},
    {"404", "Bank Fees", "EXPENSE", "NONE", "EXPENSE", NULL, false},
    {"429", "General Expenses", "EXPENSE", "INPUT2", "EXPENSE", NULL, false},
    {"610", "Accounts Receivable", "CURRENT", "NONE", "ASSET", "DEBTORS", false},
    {"630", "Inventory", "INVENTORY", "NONE", "ASSET", NULL, false},
    {"800", "Accounts Payable", "CURRLIAB", "NONE", "LIABILITY", "CREDITORS", false},
    {"820", "GST", "CURRLIAB", "NONE", "LIABILITY", "GST", false},
    {"825", "Gift Voucher Liability", "CURRLIAB", "NONE", "LIABILITY", NULL, true},
    {"860", "Rounding", "CURRLIAB", "NONE", "LIABILITY", "ROUNDING", false},
    {"880", "Owner A Drawings", "EQUITY", "NONE", "EQUITY", NULL, false},
    {"960", "Retained Earnings", "EQUITY", "NONE", "EQUITY", "RETAINEDEARNINGS", false},
};

static const struct {
	const char *code, *desc;
} currencies[] = {
    {"NZD", "New Zealand Dollar"},
    {"AUD", "Australian Dollar"},
    {"USD", "United States Dollar"},
    {"GBP", "British Pound"},
    {"EUR", "Euro"},
    {"JPY", "Japanese Yen"},
};

static int seed_put(struct sb_txn *t, int kind, json_object *o)
{
	return sb_put(t, kind, NULL, o, NULL);
}

static json_object *tax_json(const char *name, const char *type, const char *report, int pct,
                             bool sales, bool purchases)
{
	json_object *o = json_object_new_object(), *comps = json_object_new_array(), *c;
	char txt[16];

	snprintf(txt, sizeof(txt), "%d.0000", pct);
	sb_jset_str(o, "Name", name);
	sb_jset_str(o, "TaxType", type);
	sb_jset_str(o, "ReportTaxType", report);
	json_object_object_add(o, "CanApplyToAssets", json_object_new_boolean(1));
	json_object_object_add(o, "CanApplyToEquity", json_object_new_boolean(1));
	json_object_object_add(o, "CanApplyToExpenses", json_object_new_boolean(purchases));
	json_object_object_add(o, "CanApplyToLiabilities", json_object_new_boolean(1));
	json_object_object_add(o, "CanApplyToRevenue", json_object_new_boolean(sales));
	json_object_object_add(o, "DisplayTaxRate", json_object_new_double_s(pct, txt));
	json_object_object_add(o, "EffectiveRate", json_object_new_double_s(pct, txt));
	sb_jset_str(o, "Status", "ACTIVE");
	c = json_object_new_object();
	sb_jset_str(c, "Name", "GST");
	json_object_object_add(c, "Rate", json_object_new_double_s(pct, txt));
	json_object_object_add(c, "IsCompound", json_object_new_boolean(0));
	json_object_object_add(c, "IsNonRecoverable", json_object_new_boolean(0));
	json_object_array_add(comps, c);
	json_object_object_add(o, "TaxComponents", comps);
	return o;
}

int sb_tenant_seed(struct sandbox *sb, struct sb_tenant *tn, int pct)
{
	struct sb_txn t;
	const char *base = sb_jstr(tn->org, "BaseCurrency");
	int rc = BS_OK;
	char id[40], ms[48];

	sb_txn_init(&t, sb, tn);
	sb_msdate(ms, sizeof(ms), t.now);
	for (size_t i = 0; rc == BS_OK && i < sizeof(chart) / sizeof(chart[0]); i++) {
		json_object *o = json_object_new_object();

		sb_uuid(id);
		sb_jset_str(o, "AccountID", id);
		sb_jset_str(o, "Code", chart[i].code);
		sb_jset_str(o, "Name", chart[i].name);
		sb_jset_str(o, "Status", "ACTIVE");
		sb_jset_str(o, "Type", chart[i].type);
		sb_jset_str(o, "TaxType", chart[i].tax);
		sb_jset_str(o, "Class", chart[i].cls);
		if (chart[i].system)
			sb_jset_str(o, "SystemAccount", chart[i].system);
		json_object_object_add(o, "EnablePaymentsToAccount",
		                       json_object_new_boolean(chart[i].pay));
		json_object_object_add(o, "ShowInExpenseClaims", json_object_new_boolean(0));
		if (strcmp(chart[i].type, "BANK") == 0) {
			sb_jset_str(o, "BankAccountNumber", "0102030405060700");
			sb_jset_str(o, "BankAccountType", "BANK");
			sb_jset_str(o, "CurrencyCode", base);
		}
		sb_jset_str(o, "ReportingCode", chart[i].cls);
		json_object_object_add(o, "HasAttachments", json_object_new_boolean(0));
		sb_jset_str(o, "UpdatedDateUTC", ms);
		json_object_object_add(o, "AddToWatchlist", json_object_new_boolean(0));
		rc = seed_put(&t, SBK_ACCOUNTS, o);
	}
	if (rc == BS_OK)
		rc = seed_put(&t, SBK_TAXRATES,
		              tax_json("GST on Income",
		                       pct == 15 || pct == 20 ? "OUTPUT2" : "OUTPUT", "OUTPUT", pct,
		                       true, false));
	if (rc == BS_OK)
		rc = seed_put(&t, SBK_TAXRATES,
		              tax_json("GST on Expenses",
		                       pct == 15 || pct == 20 ? "INPUT2" : "INPUT", "INPUT", pct,
		                       false, true));
	if (rc == BS_OK)
		rc = seed_put(&t, SBK_TAXRATES, tax_json("No GST", "NONE", "NONE", 0, true, true));
	if (rc == BS_OK)
		rc = seed_put(&t, SBK_TAXRATES,
		              tax_json("Zero Rated", "ZERORATED", "OUTPUT", 0, true, false));
	for (size_t i = 0; rc == BS_OK && i < sizeof(currencies) / sizeof(currencies[0]); i++) {
		json_object *o = json_object_new_object();

		sb_jset_str(o, "Code", currencies[i].code);
		sb_jset_str(o, "Description", currencies[i].desc);
		rc = seed_put(&t, SBK_CURRENCIES, o);
	}
	if (rc == BS_OK) {
		json_object *o = json_object_new_object(), *opts = json_object_new_array();
		static const char *const names[] = {"North", "South"};

		sb_uuid(id);
		sb_jset_str(o, "TrackingCategoryID", id);
		sb_jset_str(o, "Name", "Region");
		sb_jset_str(o, "Status", "ACTIVE");
		for (int i = 0; i < 2; i++) {
			json_object *op = json_object_new_object();

			sb_uuid(id);
			sb_jset_str(op, "TrackingOptionID", id);
			sb_jset_str(op, "Name", names[i]);
			sb_jset_str(op, "Status", "ACTIVE");
			json_object_array_add(opts, op);
		}
		json_object_object_add(o, "Options", opts);
		rc = seed_put(&t, SBK_TRACKING, o);
	}
	if (rc == BS_OK)
		rc = sb_txn_commit(&t);
	sb_txn_free(&t);
	return rc;
}

/* ------------------------------------------------------------- state file */

static const char *const schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS kv(ns TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY(ns, key));";

int sb_state_open(struct sandbox *sb, const char *path, struct bs_error *err)
{
	if (sqlite3_open_v2(path, &sb->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(sb->db, 2000);
	if (sqlite3_exec(sb->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(sb->db, "INSERT OR REPLACE INTO kv(ns, key, body) VALUES(?, ?, ?)",
	                       -1, &sb->st_put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sb->db, "DELETE FROM kv WHERE ns = ? AND key = ?", -1, &sb->st_del,
	                       NULL) != SQLITE_OK)
		goto fail;
	return BS_OK;
fail:
	bs_error_set(err, BS_ESTORE, "state file %s: %s", path,
	             sb->db ? sqlite3_errmsg(sb->db) : "cannot open");
	sb_state_close(sb);
	return BS_ESTORE;
}

void sb_state_close(struct sandbox *sb)
{
	sqlite3_finalize(sb->st_put);
	sqlite3_finalize(sb->st_del);
	sb->st_put = sb->st_del = NULL;
	if (sb->db != NULL)
		sqlite3_close(sb->db);
	sb->db = NULL;
}

int sb_state_put(struct sandbox *sb, const char *ns, const char *key, const char *val)
{
	int rc;

	if (sb->db == NULL)
		return BS_OK;
	sqlite3_reset(sb->st_put);
	sqlite3_bind_text(sb->st_put, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(sb->st_put, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(sb->st_put, 3, val, -1, SQLITE_STATIC);
	rc = sqlite3_step(sb->st_put);
	sqlite3_reset(sb->st_put);
	return rc == SQLITE_DONE ? BS_OK : BS_ESTORE;
}

int sb_state_del(struct sandbox *sb, const char *ns, const char *key)
{
	int rc;

	if (sb->db == NULL)
		return BS_OK;
	sqlite3_reset(sb->st_del);
	sqlite3_bind_text(sb->st_del, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(sb->st_del, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(sb->st_del);
	sqlite3_reset(sb->st_del);
	return rc == SQLITE_DONE ? BS_OK : BS_ESTORE;
}

int sb_state_wipe(struct sandbox *sb)
{
	if (sb->db == NULL)
		return BS_OK;
	return sqlite3_exec(sb->db, "DELETE FROM kv", NULL, NULL, NULL) == SQLITE_OK ? BS_OK
	                                                                             : BS_ESTORE;
}

int sb_state_save_tenant(struct sandbox *sb, struct sb_tenant *tn)
{
	json_object *o;
	json_object *nums;
	int rc;

	if (sb->db == NULL)
		return BS_OK;
	o = json_object_new_object();
	nums = json_object_new_array();
	json_object_object_add(o, "org", json_object_get(tn->org));
	sb_jset_str(o, "conn_id", tn->conn_id);
	json_object_object_add(o, "created", json_object_new_int64(tn->created_ms));
	json_object_object_add(o, "period_lock", json_object_new_int64(tn->period_lock_ms));
	json_object_object_add(o, "eoy_lock", json_object_new_int64(tn->eoy_lock_ms));
	json_object_object_add(o, "connected", json_object_new_boolean(tn->connected));
	for (int k = 0; k < SBK_COUNT; k++)
		json_object_array_add(nums, json_object_new_int(tn->next_number[k]));
	json_object_object_add(o, "next_number", nums);
	rc = sb_state_put(sb, "tenant", tn->id,
	                  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return rc;
}

static int load_tenant(struct sandbox *sb, const char *id, const char *body)
{
	json_object *o = json_tokener_parse(body), *v;
	struct sb_tenant *tn;
	int rc;

	if (o == NULL || !json_object_object_get_ex(o, "org", &v))
		goto bad;
	rc =
	    sb_tenant_create(sb, sb_jstr(v, "Name") ? sb_jstr(v, "Name") : "",
	                     sb_jstr(v, "BaseCurrency") ? sb_jstr(v, "BaseCurrency") : "NZD",
	                     sb_jstr(v, "CountryCode") ? sb_jstr(v, "CountryCode") : "NZ", id, &tn);
	if (rc != BS_OK) {
		json_object_put(o);
		return rc;
	}
	json_object_put(tn->org);
	tn->org = json_object_get(v);
	if (sb_jstr(o, "conn_id"))
		snprintf(tn->conn_id, sizeof(tn->conn_id), "%s", sb_jstr(o, "conn_id"));
	if (json_object_object_get_ex(o, "created", &v))
		tn->created_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "period_lock", &v))
		tn->period_lock_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "eoy_lock", &v))
		tn->eoy_lock_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "connected", &v))
		tn->connected = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "next_number", &v) &&
	    json_object_is_type(v, json_type_array))
		for (int k = 0; k < SBK_COUNT && (size_t)k < json_object_array_length(v); k++)
			tn->next_number[k] = json_object_get_int(json_object_array_get_idx(v, k));
	json_object_put(o);
	return BS_OK;
bad:
	json_object_put(o);
	return BS_ESTORE;
}

static int load_doc(struct sandbox *sb, const char *key, const char *body)
{
	char tid[40];
	int kind;
	const char *s1 = strchr(key, '/'), *s2;
	json_object *o, *v;
	struct sb_tenant *tn;
	struct sb_doc *d;
	int rc = BS_ESTORE;

	if (s1 == NULL || (size_t)(s1 - key) >= sizeof(tid) || (s2 = strchr(s1 + 1, '/')) == NULL)
		return BS_ESTORE;
	memcpy(tid, key, (size_t)(s1 - key));
	tid[s1 - key] = '\0';
	kind = 0;
	for (const char *p = s1 + 1; p < s2; p++) {
		if (!isdigit((unsigned char)*p))
			return BS_ESTORE;
		kind = kind * 10 + (*p - '0');
		if (kind >= SBK_COUNT)
			return BS_ESTORE;
	}
	tn = sb_tenant_find(sb, tid);
	if (tn == NULL)
		return BS_OK; /* orphan of a reset: ignore */
	o = json_tokener_parse(body);
	if (o == NULL || !json_object_object_get_ex(o, "obj", &v) ||
	    !json_object_is_type(v, json_type_object))
		goto out;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	d->obj = json_object_get(v);
	snprintf(d->id, sizeof(d->id), "%s", s2 + 1);
	if (json_object_object_get_ex(o, "seq", &v))
		d->seq = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "updated", &v))
		d->updated_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "gone", &v))
		d->gone = json_object_get_boolean(v);
	if (d->seq > sb->doc_seq)
		sb->doc_seq = d->seq;
	rc = coll_append(tn, kind, d);
	if (rc != BS_OK)
		doc_free(d); /* may leave a dangling index entry; start fails anyway */
out:
	json_object_put(o);
	return rc;
}

static void token_load(struct sandbox *sb, const char *key, const char *body)
{
	json_object *o = json_tokener_parse(body);
	struct sb_token *t;

	if (o == NULL)
		return;
	t = calloc(1, sizeof(*t));
	if (t != NULL) {
		t->kind = (enum sb_tok_kind)json_object_get_int(json_object_object_get(o, "kind"));
		snprintf(t->client, sizeof(t->client), "%s",
		         sb_jstr(o, "client") ? sb_jstr(o, "client") : "");
		snprintf(t->scope, sizeof(t->scope), "%s",
		         sb_jstr(o, "scope") ? sb_jstr(o, "scope") : "");
		t->expires_ms = json_object_get_int64(json_object_object_get(o, "expires"));
		t->rotated_ms = json_object_get_int64(json_object_object_get(o, "rotated"));
		if (sb_map_put(&sb->tokens, key, t) != BS_OK)
			free(t);
	}
	json_object_put(o);
}

int sb_state_load(struct sandbox *sb, bool *loaded, struct bs_error *err)
{
	static const char *const order[] = {"tenant", "doc", "token"};
	sqlite3_stmt *st = NULL;
	int rc = BS_OK;

	*loaded = false;
	if (sb->db == NULL)
		return BS_OK;
	for (int pass = 0; pass < 3 && rc == BS_OK; pass++) {
		const char *sql = pass == 1
		                      ? "SELECT key, body FROM kv WHERE ns = ? ORDER BY "
		                        "json_extract(body, '$.seq')"
		                      : "SELECT key, body FROM kv WHERE ns = ? ORDER BY rowid";

		if (sqlite3_prepare_v2(sb->db, sql, -1, &st, NULL) != SQLITE_OK)
			return bs_error_set(err, BS_ESTORE, "state file: %s",
			                    sqlite3_errmsg(sb->db));
		sqlite3_bind_text(st, 1, order[pass], -1, SQLITE_STATIC);
		while (rc == BS_OK && sqlite3_step(st) == SQLITE_ROW) {
			const char *key = (const char *)sqlite3_column_text(st, 0);
			const char *body = (const char *)sqlite3_column_text(st, 1);

			if (key == NULL || body == NULL)
				continue;
			if (pass == 0) {
				rc = load_tenant(sb, key, body);
				*loaded = true;
			} else if (pass == 1) {
				rc = load_doc(sb, key, body);
			} else {
				token_load(sb, key, body);
			}
		}
		sqlite3_finalize(st);
	}
	if (rc != BS_OK)
		bs_error_set(err, rc, "state file: corrupt or unreadable record");
	return rc;
}
