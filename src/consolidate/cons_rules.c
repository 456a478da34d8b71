/*
 * cons_rules.c - consolidation's modes, periods, keys, names and splits
 * (see consolidate.h; the rules in docs/consolidation.md).
 */
#include "consolidate/consolidate.h"

#include "core/civil.h"

#include <stdio.h>
#include <string.h>

static const char *const doc_labels[CONS_DOC_COUNT] = {
    "",
    "sale invoice",
    "sale credit note",
    "COGS (invoice)",
    "COGS (credit note)",
    "sale invoice payment",
    "sale credit note refund",
    "journal",
    "receive money",
    "spend money",
};

const char *cons_doc_label(enum cons_doc d)
{
	return d >= 0 && d < CONS_DOC_COUNT ? doc_labels[d] : "";
}

int cons_mode_parse(const char *s, enum cons_mode *out)
{
	static const struct {
		const char *name;
		enum cons_mode m;
	} t[] = {{"no-sync", CONS_NO_SYNC},
	         {"individual", CONS_INDIVIDUAL},
	         {"none", CONS_INDIVIDUAL},
	         {"daily", CONS_DAILY},
	         {"monthly", CONS_MONTHLY}};

	for (size_t i = 0; s != NULL && i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(s, t[i].name) == 0) {
			*out = t[i].m;
			return BS_OK;
		}
	}
	return BS_EINVAL;
}

const char *cons_mode_name(enum cons_mode m)
{
	switch (m) {
	case CONS_NO_SYNC:
		return "no-sync";
	case CONS_DAILY:
		return "daily";
	case CONS_MONTHLY:
		return "monthly";
	default:
		return "individual";
	}
}

int cons_grouping_parse(const char *s, enum cons_grouping *out)
{
	static const char *const names[] = {"account", "sku", "category", "tracking"};

	for (size_t i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum cons_grouping)i;
			return BS_OK;
		}
	}
	return BS_EINVAL;
}

int cons_channel_check(const char *s, size_t n)
{
	size_t t = 0;

	if (n == 1 && s[0] == '*')
		return BS_OK;
	while (t < n && ((s[t] >= 'a' && s[t] <= 'z') || (s[t] >= 'A' && s[t] <= 'Z') ||
	                 (s[t] >= '0' && s[t] <= '9') || s[t] == '-' || s[t] == '_' ||
	                 s[t] == ' ' || s[t] == '.'))
		t++;
	/* a type, '(', a name of 1..100, ')' and nothing after */
	if (t == 0 || t >= n || s[t] != '(' || s[n - 1] != ')' || n - t - 2 < 1 || n - t - 2 > 100)
		return BS_EINVAL;
	for (size_t i = t + 1; i < n - 1; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == '(' || s[i] == ')')
			return BS_EINVAL;
	}
	return BS_OK;
}

int cons_channel_spec(const char *type, const char *name, struct buf *out)
{
	int rc;

	buf_reset(out);
	rc = buf_printf(out, "%s(%s)", type != NULL ? type : "", name != NULL ? name : "");
	if (rc == BS_OK && cons_channel_check(buf_cstr(out), out->len) != BS_OK)
		rc = BS_EINVAL;
	return rc;
}

/* individual 0 < daily 1 < monthly 2; no-sync -1 (no period). */
static int period_rank(enum cons_mode m)
{
	return m == CONS_NO_SYNC ? -1 : m == CONS_INDIVIDUAL ? 0 : m == CONS_DAILY ? 1 : 2;
}

int cons_check_periods(const char *channel, const char *invoices, const char *payments,
                       struct bs_error *err)
{
	enum cons_mode inv, pay;

	if (cons_mode_parse(invoices, &inv) != BS_OK || cons_mode_parse(payments, &pay) != BS_OK)
		return bs_error_set(err, BS_EINVAL, "channel %s: unknown mode '%s'", channel,
		                    cons_mode_parse(invoices, &inv) != BS_OK ? invoices : payments);
	if (period_rank(inv) >= 0 && period_rank(pay) > period_rank(inv))
		return bs_error_set(err, BS_EINVAL,
		                    "channel %s: payments can't consolidate %s while its invoices "
		                    "are %s (a payment period can't be longer than its invoice "
		                    "period)",
		                    channel, cons_mode_name(pay), cons_mode_name(inv));
	return BS_OK;
}

/* ---- dates ---------------------------------------------------------------- */

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return BS_EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return BS_OK;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

int cons_date_check(const char *s)
{
	int y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    digits(s, 4, &y) != BS_OK || digits(s + 5, 2, &m) != BS_OK ||
	    digits(s + 8, 2, &d) != BS_OK)
		return BS_EINVAL;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return BS_EINVAL;
	return BS_OK;
}

int cons_tz_offset(const char *tz, int *minutes)
{
	int h, m, v;

	if (tz == NULL)
		return BS_EINVAL;
	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Z") == 0) {
		v = 0;
	} else {
		if (strlen(tz) != 6 || (tz[0] != '+' && tz[0] != '-') || tz[3] != ':' ||
		    digits(tz + 1, 2, &h) != BS_OK || digits(tz + 4, 2, &m) != BS_OK || m > 59 ||
		    h * 60 + m > 14 * 60)
			return BS_EINVAL;
		v = (h * 60 + m) * (tz[0] == '-' ? -1 : 1);
	}
	if (minutes != NULL)
		*minutes = v;
	return BS_OK;
}

int cons_today(int64_t now_ms, int offset_min, char out[11])
{
	int64_t ms = now_ms + (int64_t)offset_min * 60000;
	int64_t y;
	int m, d;

	civil_date(ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000, &y, &m, &d);
	if (y < 1 || y > 9999)
		return BS_ERANGE;
	snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, d);
	return BS_OK;
}

int cons_period(enum cons_mode m, const char *date, char out[11])
{
	if (cons_date_check(date) != BS_OK || (m != CONS_DAILY && m != CONS_MONTHLY))
		return BS_EINVAL;
	memcpy(out, date, 10);
	out[m == CONS_DAILY ? 10 : 7] = '\0';
	return BS_OK;
}

bool cons_period_ended(enum cons_mode m, const char *period, const char *today)
{
	char day[11];

	if (cons_date_check(today) != BS_OK || period == NULL)
		return false;
	if (m == CONS_DAILY)
		return cons_date_check(period) == BS_OK && strcmp(period, today) <= 0;
	if (m != CONS_MONTHLY || strlen(period) != 7)
		return false;
	snprintf(day, sizeof(day), "%s-01", period);
	/* ended: the month is before today's month */
	return cons_date_check(day) == BS_OK && strncmp(period, today, 7) < 0;
}

/* ---- classifying and keys ---------------------------------------------- */

void cons_config_default(struct cons_config *c)
{
	memset(c, 0, sizeof(*c));
	c->grouping = CONS_BY_ACCOUNT;
	c->customer_contacts = true;
	c->journals = CONS_INDIVIDUAL;
	c->money_tasks = CONS_INDIVIDUAL;
	c->mt_receive = c->mt_spend = true;
	snprintf(c->def.spec, sizeof(c->def.spec), "*");
	c->def.invoices = c->def.cogs = c->def.payments = CONS_INDIVIDUAL;
}

static const struct cons_channel *channel_of(const struct cons_config *c, const char *spec)
{
	for (size_t i = 0; spec != NULL && i < c->nchannels; i++) {
		if (strcmp(c->channels[i].spec, spec) == 0)
			return &c->channels[i];
	}
	return &c->def;
}

void cons_classify(const struct cons_config *c, const struct cons_member *m, enum cons_doc *doc,
                   enum cons_mode *mode)
{
	const struct cons_channel *ch = channel_of(c, m->channel);
	bool mt_on;

	*doc = CONS_DOC_NONE;
	*mode = CONS_INDIVIDUAL;
	if (!c->enabled || m->supplier)
		return; /* purchases' side never consolidates (seeds: supplier deposits too) */
	switch (m->kind) {
	case RECORD_SALE:
		*doc = CONS_DOC_SALE;
		*mode = ch->invoices;
		break;
	case RECORD_CREDIT_NOTE:
		*doc = CONS_DOC_CREDIT;
		*mode = ch->invoices;
		break;
	case RECORD_COGS:
		*doc = m->on_credit_note ? CONS_DOC_COGS_CREDIT : CONS_DOC_COGS_SALE;
		*mode = ch->cogs;
		break;
	case RECORD_PAYMENT:
		*doc = m->on_credit_note ? CONS_DOC_REFUND : CONS_DOC_PAYMENT;
		*mode = ch->payments;
		break;
	case RECORD_STORE_CREDIT:
		/* used to pay an invoice: a payment -- out of the customer credit
		 * account, so only when what it draws on was consolidated into
		 * money tasks (else it is applied by itself); from a refund or a
		 * prepayment: a receive money task; refunded out of consolidated
		 * credits: a spend money task (it has no credit note to refund,
		 * so whatever money_task_type says); anything else individual */
		if (m->credit_event != NULL && strcmp(m->credit_event, "used") == 0) {
			if (m->credit_drawn_cons) {
				*doc = CONS_DOC_PAYMENT;
				*mode = ch->payments;
			}
		} else if (m->credit_event != NULL && strcmp(m->credit_event, "refunded") == 0) {
			if (m->credit_drawn_cons) {
				*doc = CONS_DOC_SPEND;
				*mode = c->money_tasks;
			}
		} else if (m->credit_event != NULL && strcmp(m->credit_event, "issued") == 0 &&
		           m->credit_origin != NULL &&
		           (strcmp(m->credit_origin, "refund") == 0 ||
		            strcmp(m->credit_origin, "prepayment") == 0) &&
		           c->mt_receive) {
			*doc = CONS_DOC_RECEIVE;
			*mode = c->money_tasks;
		}
		break;
	case RECORD_JOURNAL:
		*doc = CONS_DOC_JOURNAL;
		*mode = c->journals;
		break;
	case RECORD_MONEY_TASK:
		mt_on = m->receive ? c->mt_receive : c->mt_spend;
		if (mt_on) {
			*doc = m->receive ? CONS_DOC_RECEIVE : CONS_DOC_SPEND;
			*mode = c->money_tasks;
		}
		break;
	default:
		break;
	}
	if (*mode != CONS_DAILY && *mode != CONS_MONTHLY)
		*doc = CONS_DOC_NONE;
}

static int put(char *dst, size_t cap, const char *src, const char *what, const char *id,
               struct bs_error *err)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= cap)
		return bs_error_set(err, BS_EINVAL,
		                    "%s: %s is too long to consolidate by (%zu bytes)", id, what,
		                    n);
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return BS_OK;
}

int cons_key_of(const struct cons_member *m, enum cons_doc doc, enum cons_mode mode,
                struct cons_key *out, struct bs_error *err)
{
	const char *id = m->id != NULL ? m->id : "?";
	int rc;

	memset(out, 0, sizeof(*out));
	out->doc = doc;
	out->mode = mode;
	out->tax_mode = MONEY_TAX_EXCLUSIVE;
	if (doc == CONS_DOC_NONE || cons_period(mode, m->date, out->period) != BS_OK)
		return bs_error_set(err, BS_EINVAL, "%s: no consolidation period for date '%s'", id,
		                    m->date != NULL ? m->date : "");
	switch (doc) {
	case CONS_DOC_SALE:
	case CONS_DOC_CREDIT:
		rc = put(out->channel, sizeof(out->channel), m->channel, "channel", id, err);
		if (rc == BS_OK)
			rc = put(out->currency, sizeof(out->currency), m->currency, "currency", id,
			         err);
		if (rc == BS_OK)
			rc = put(out->store, sizeof(out->store), m->store, "store", id, err);
		out->tax_mode = m->tax_mode;
		return rc;
	case CONS_DOC_COGS_SALE:
	case CONS_DOC_COGS_CREDIT:
		return put(out->channel, sizeof(out->channel), m->channel, "channel", id, err);
	case CONS_DOC_PAYMENT:
	case CONS_DOC_REFUND:
		rc = put(out->channel, sizeof(out->channel), m->channel, "channel", id, err);
		if (rc == BS_OK)
			rc = put(out->currency, sizeof(out->currency), m->currency, "currency", id,
			         err);
		if (rc == BS_OK)
			rc =
			    put(out->account, sizeof(out->account), m->account, "account", id, err);
		return rc;
	case CONS_DOC_JOURNAL:
		return put(out->currency, sizeof(out->currency), m->currency, "currency", id, err);
	case CONS_DOC_RECEIVE:
	case CONS_DOC_SPEND:
		out->tax_mode = m->tax_mode;
		return put(out->account, sizeof(out->account), m->bank, "bank account", id, err);
	default:
		return bs_error_set(err, BS_EINVAL, "%s: not consolidated", id);
	}
}

int cons_key_cmp(const struct cons_key *a, const struct cons_key *b)
{
	int c;

	if (a->doc != b->doc)
		return a->doc < b->doc ? -1 : 1;
	if (a->mode != b->mode)
		return a->mode < b->mode ? -1 : 1;
	if ((c = strcmp(a->period, b->period)) != 0 || (c = strcmp(a->channel, b->channel)) != 0 ||
	    (c = strcmp(a->currency, b->currency)) != 0 || (c = strcmp(a->store, b->store)) != 0 ||
	    (c = strcmp(a->account, b->account)) != 0)
		return c < 0 ? -1 : 1;
	if (a->tax_mode != b->tax_mode)
		return a->tax_mode < b->tax_mode ? -1 : 1;
	return 0;
}

int cons_key_text(const struct cons_key *k, struct buf *out)
{
	buf_reset(out);
	return buf_printf(out, "%d|%s|%s|%s|%s|%d|%s|%s", (int)k->doc, cons_mode_name(k->mode),
	                  k->period, k->channel, k->currency, (int)k->tax_mode, k->store,
	                  k->account);
}

/* ---- names, numbers, splits ---------------------------------------------- */

/* "2019/04/26" or "2019/04" */
static void slashed(const char *period, char out[11])
{
	snprintf(out, 11, "%s", period);
	for (char *p = out; *p != '\0'; p++) {
		if (*p == '-')
			*p = '/';
	}
}

int cons_name(const struct cons_key *k, unsigned n, struct buf *out)
{
	char per[11];

	buf_reset(out);
	if (n == 0 || k->period[0] == '\0')
		return BS_EINVAL;
	slashed(k->period, per);
	if (k->doc == CONS_DOC_JOURNAL)
		return buf_printf(out, "JN-%s-%s-%u", per, k->currency, n);
	if (k->doc == CONS_DOC_RECEIVE || k->doc == CONS_DOC_SPEND)
		return buf_printf(out, "MT-%s-%s-%u", per, k->account, n);
	return buf_printf(out, "SO-%s-%s-%u", per, k->channel[0] != '\0' ? k->channel : "(none)",
	                  n);
}

/* FNV-1a 32 over the key's fields but the period and document type. */
static uint32_t key_hash(const struct cons_key *k)
{
	const char *parts[5] = {k->channel, k->currency, k->store, k->account,
	                        k->tax_mode == MONEY_TAX_INCLUSIVE ? "i"
	                        : k->tax_mode == MONEY_TAX_NONE    ? "n"
	                                                           : "e"};
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < 5; i++) {
		for (const char *p = parts[i]; *p != '\0'; p++) {
			h ^= (unsigned char)*p;
			h *= 16777619u;
		}
		h ^= 0x1f; /* a separator, so "ab"+"c" differs from "a"+"bc" */
		h *= 16777619u;
	}
	return h;
}

int cons_short_name(const struct cons_key *k, unsigned n, struct buf *out)
{
	static const char letters[CONS_DOC_COUNT] = {'X', 'S', 'C', 'G', 'H',
	                                             'P', 'R', 'J', 'M', 'N'};
	static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char h6[7], per[7];
	uint32_t h = key_hash(k);
	size_t j = 0;
	int rc;

	buf_reset(out);
	if (n == 0 || strlen(k->period) < 7 || k->doc <= CONS_DOC_NONE || k->doc >= CONS_DOC_COUNT)
		return BS_EINVAL;
	/* YYMMDD or YYMM */
	per[j++] = k->period[2];
	per[j++] = k->period[3];
	per[j++] = k->period[5];
	per[j++] = k->period[6];
	if (strlen(k->period) == 10) {
		per[j++] = k->period[8];
		per[j++] = k->period[9];
	}
	per[j] = '\0';
	for (int i = 0; i < 6; i++) {
		h6[i] = b32[h & 31u];
		h >>= 5;
	}
	h6[6] = '\0';
	rc = buf_printf(out, "%c%s-%s-%u", letters[k->doc], per, h6, n);
	if (rc == BS_OK && out->len > CONS_QBO_DOC_MAX) {
		buf_reset(out);
		return BS_ERANGE;
	}
	return rc;
}

unsigned cons_next_number(const unsigned *used, size_t n)
{
	unsigned max = 0;

	for (size_t i = 0; i < n; i++) {
		if (used[i] > max)
			max = used[i];
	}
	return max + 1;
}

size_t cons_split(size_t nlines, size_t max, size_t *sizes, size_t cap)
{
	size_t docs;

	if (max == 0)
		max = CONS_MAX_LINES;
	docs = (nlines + max - 1) / max;
	for (size_t i = 0; i < docs && i < cap; i++)
		sizes[i] = i + 1 < docs ? max : nlines - max * (docs - 1);
	return docs;
}
