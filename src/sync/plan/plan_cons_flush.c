/*
 * plan_cons_flush.c - the groups plan_consolidate.c collected, written as
 * consolidated source records (docs/consolidation.md).
 *
 * Each group becomes one record per CONS_MAX_LINES lines -- a sale,
 * credit note, payment or COGS record named after consolidate.h's rule,
 * with a `consolidation` field that lists its members -- and every member
 * moves to `consolidated` with a link to it, all in one transaction per
 * group.  The planner then plans those records as it plans any.
 */
#include "sync/plan/plan_cons_int.h"

#include "core/jsonr.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum record_kind plan_cons_kind(enum cons_doc d)
{
	switch (d) {
	case CONS_DOC_CREDIT:
		return RECORD_CREDIT_NOTE;
	case CONS_DOC_PAYMENT:
	case CONS_DOC_REFUND:
		return RECORD_PAYMENT;
	case CONS_DOC_COGS_SALE:
	case CONS_DOC_COGS_CREDIT:
		return RECORD_COGS;
	case CONS_DOC_JOURNAL:
		return RECORD_JOURNAL;
	case CONS_DOC_RECEIVE:
	case CONS_DOC_SPEND:
		return RECORD_MONEY_TASK;
	default:
		return RECORD_SALE;
	}
}

/* The last day of a period: the day itself, or the month's last. */
void plan_cons_period_end(const char *period, char out[11])
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(period) == 10) {
		buf_copy(out, 11, period);
		return;
	}
	y = (period[0] - '0') * 1000 + (period[1] - '0') * 100 + (period[2] - '0') * 10 +
	    (period[3] - '0');
	m = (period[5] - '0') * 10 + (period[6] - '0');
	d = days[(m - 1) % 12];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		d = 29;
	snprintf(out, 11, "%.7s-%02d", period, d);
}

static bool taken_id(struct planner *p, const char *id)
{
	static const enum record_kind kinds[] = {RECORD_SALE,    RECORD_CREDIT_NOTE,
	                                         RECORD_PAYMENT, RECORD_COGS,
	                                         RECORD_JOURNAL, RECORD_MONEY_TASK};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (store_record_get(p->st, kinds[i], id, NULL, NULL, NULL) == BS_OK)
			return true;
	}
	return false;
}

/*
 * The next free name for the key: N counts per date (or month), shop type
 * and shop name across every consolidated kind, so a later document of
 * the same day is N + 1.  The record's id is the name, or its short form
 * when the name is longer than an id may be.
 */
int plan_cons_next_name(struct planner *p, const struct cons_key *k, struct buf *name,
                        struct buf *id)
{
	for (unsigned n = 1; n < 1000000; n++) {
		int rc = cons_name(k, n, name);

		if (rc != BS_OK)
			return bs_error_set(p->err, rc, "consolidated name");
		buf_reset(id);
		if (name->len <= RECORD_ID_MAX)
			rc = buf_addstr(id, buf_cstr(name));
		else
			rc = cons_short_name(k, n, id);
		if (rc != BS_OK)
			return bs_error_set(p->err, rc, "consolidated name");
		if (!taken_id(p, buf_cstr(id)))
			return BS_OK;
	}
	return bs_error_set(p->err, BS_ERANGE, "no free consolidated number for %s",
	                    buf_cstr(name));
}

struct json_object *plan_cons_jdec(int64_t v, int scale, int min_dp)
{
	struct buf b;
	struct json_object *o;

	buf_init(&b, 64);
	money_format(&b, v, scale, min_dp);
	o = json_object_new_string(buf_cstr(&b));
	buf_free(&b);
	return o;
}

static void jset(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static void jstr(struct json_object *o, const char *k, const char *v)
{
	if (v != NULL && v[0] != '\0')
		json_object_object_add(o, k, json_object_new_string(v));
}

/* Validate and store a record built here; it is then planned like any. */
int plan_cons_put(struct planner *p, struct json_object *o)
{
	struct record r;
	struct record_ctx ctx = {plan_sv(p, PLAN_S_BASE)[0] != '\0' ? plan_sv(p, PLAN_S_BASE)
	                                                            : NULL};
	struct store_actor who = {"consolidation", p->o->now_ms};
	enum store_put_result res;
	struct plan_cons *c = p->cons;
	int rc;

	record_init(&r);
	rc = record_from_json(o, &ctx, &r, p->err);
	if (rc == BS_OK)
		rc = store_record_put(p->st, &r, &who, &res, p->err);
	if (rc == BS_OK &&
	    plan_cons_grow((void **)&c->made, &c->capmade, c->nmade, sizeof(*c->made)) == BS_OK) {
		c->made[c->nmade].kind = r.kind;
		buf_copy(c->made[c->nmade].id, sizeof(c->made[c->nmade].id), r.id);
		c->nmade++;
	} else if (rc == BS_OK) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
	}
	record_release(&r);
	return rc;
}

/* The contact of consolidated sales: one for all when customer contacts
 * are off, else one per channel (a document holds many customers). */
static int contact(struct planner *p, const struct cons_key *k, char id[RECORD_ID_MAX + 1])
{
	struct json_object *o;
	char name[CONS_CHANNEL_MAX + 16];
	int rc;

	if (!p->cons->cfg.customer_contacts || k->channel[0] == '\0') {
		buf_copy(id, RECORD_ID_MAX + 1, CONS_CONTACT_ID);
		buf_copy(name, sizeof(name), CONS_CONTACT);
	} else {
		uint32_t h = 2166136261u;

		for (const char *s = k->channel; *s != '\0'; s++)
			h = (h ^ (unsigned char)*s) * 16777619u;
		snprintf(id, RECORD_ID_MAX + 1, "%s%08x", CONS_CHANNEL_CONTACT_PREFIX, h);
		snprintf(name, sizeof(name), "%s sales", k->channel);
	}
	if (store_record_get(p->st, RECORD_CUSTOMER, id, NULL, NULL, NULL) == BS_OK)
		return BS_OK;
	o = json_object_new_object();
	jstr(o, "kind", "customer");
	jstr(o, "id", id);
	jstr(o, "name", name);
	rc = plan_cons_put(p, o);
	json_object_put(o);
	return rc;
}

static struct json_object *members_json(const struct cons_grp *g)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < g->nmem; i++) {
		struct json_object *m = json_object_new_object();

		jstr(m, "kind", record_kind_name(g->mem[i].kind));
		jstr(m, "id", g->mem[i].id);
		jstr(m, "date", g->mem[i].date);
		jset(m, "amount", plan_cons_jdec(g->mem[i].amount, MONEY_DP, 0));
		json_object_array_add(a, m);
	}
	return a;
}

struct json_object *plan_cons_info(const struct cons_grp *g, const char *name,
                                   const char *short_name, size_t part, size_t parts,
                                   const struct cons_fx_out *fx)
{
	struct json_object *o = json_object_new_object();

	jstr(o, "name", name);
	jstr(o, "short_name", short_name);
	jstr(o, "type", cons_doc_label(g->key.doc));
	jstr(o, "mode", cons_mode_name(g->key.mode));
	jstr(o, "period", g->key.period);
	jstr(o, "channel", g->key.channel);
	jset(o, "part", json_object_new_int64((int64_t)part));
	jset(o, "parts", json_object_new_int64((int64_t)parts));
	jset(o, "member_count", json_object_new_int64((int64_t)g->nmem));
	jset(o, "total", plan_cons_jdec(g->total, MONEY_DP, 0));
	if (fx != NULL) {
		jset(o, "fx_rate", plan_cons_jdec(fx->rate, FX_DP, 0));
		jset(o, "fx_base_members", plan_cons_jdec(fx->base_members, MONEY_DP, 0));
		jset(o, "fx_base_document", plan_cons_jdec(fx->base_doc, MONEY_DP, 0));
		jset(o, "fx_residual", plan_cons_jdec(fx->residual, MONEY_DP, 0));
	}
	/* members are listed once, on the first part: no member is in two */
	if (part == 1)
		jset(o, "members", members_json(g));
	return o;
}

/* The rounding line that makes the document's total the members' to the
 * cent: a grouped line's tax is computed once on its sum, the members'
 * each on their own, and the two may differ by a cent per member. */
int plan_cons_rounding_diff(const struct cons_grp *g, enum money_tax_mode tm, int64_t *diff)
{
	int64_t sum = 0, t;

	for (size_t i = 0; i < g->nlines; i++) {
		if (tm == MONEY_TAX_EXCLUSIVE) {
			if (money_tax(g->lines[i].amount, g->lines[i].tax_rate, tm, g->exp,
			              MONEY_HALF_AWAY, &t) != BS_OK)
				return BS_ERANGE;
			sum += t;
		}
		sum += g->lines[i].amount;
	}
	*diff = g->total - sum;
	return BS_OK;
}

static struct json_object *line_json(const struct cons_line_out *l, enum money_tax_mode tm)
{
	struct json_object *o = json_object_new_object();
	const char *eq = strchr(l->tracking, '=');

	jstr(o, "description", l->description);
	jset(o, "qty", json_object_new_string("1"));
	jset(o, "unit_price", plan_cons_jdec(l->amount, MONEY_DP, 0));
	if (tm != MONEY_TAX_NONE)
		jset(o, "tax_rate", plan_cons_jdec(l->tax_rate, PCT_DP, 0));
	jstr(o, "account", l->account);
	if (eq != NULL) {
		struct json_object *t = json_object_new_object();
		char cat[CONS_KEYSTR_MAX];

		snprintf(cat, sizeof(cat), "%.*s", (int)(eq - l->tracking), l->tracking);
		json_object_object_add(t, cat, json_object_new_string(eq + 1));
		jset(o, "tracking", t);
	}
	return o;
}

/* A line's total as the ledger computes it: its amount, plus its own
 * tax when the document is tax exclusive. */
static int line_total(const struct cons_grp *g, const struct cons_line_out *l,
                      enum money_tax_mode tm, int64_t *out)
{
	int64_t t = 0;

	if (tm == MONEY_TAX_EXCLUSIVE &&
	    money_tax(l->amount, l->tax_rate, tm, g->exp, MONEY_HALF_AWAY, &t) != BS_OK)
		return BS_ERANGE;
	return money_add(l->amount, t, out);
}

/*
 * The names of a group's parts, numbered on from the next free number
 * (contiguous: the parts are written in one transaction), into names[]
 * and ids[] (each "" terminated in a buffer of its own).
 */
static int part_names(struct planner *p, const struct cons_key *k, size_t parts, struct buf *names,
                      struct buf *ids)
{
	unsigned n1;
	int rc = plan_cons_next_name(p, k, &names[0], &ids[0]);

	if (rc != BS_OK)
		return rc;
	n1 = (unsigned)strtoul(strrchr(buf_cstr(&names[0]), '-') + 1, NULL, 10);
	for (size_t i = 1; rc == BS_OK && i < parts; i++) {
		rc = cons_name(k, n1 + (unsigned)i, &names[i]);
		buf_reset(&ids[i]);
		if (rc == BS_OK)
			rc = names[i].len <= RECORD_ID_MAX
			         ? buf_addstr(&ids[i], buf_cstr(&names[i]))
			         : cons_short_name(k, n1 + (unsigned)i, &ids[i]);
		if (rc == BS_OK && taken_id(p, buf_cstr(&ids[i])))
			rc = BS_ECONFLICT;
		if (rc != BS_OK)
			return bs_error_set(p->err, rc, "consolidated name %s: not free",
			                    buf_cstr(&names[i]));
	}
	return BS_OK;
}

/*
 * A sale or credit note: its parts, each at most CONS_MAX_LINES lines.  A
 * document in more than one part lists every part's id and total on each
 * part (`part_ids`, `part_totals`), so a payment of it can be spread over
 * them (plan_cons_parts.c).
 */
static int write_invoice(struct planner *p, struct cons_grp *g, const char *contact_id,
                         const struct cons_fx_out *fx, struct buf *first)
{
	enum money_tax_mode tm = g->key.tax_mode;
	int64_t diff = 0;
	size_t nl, sizes_n, at = 0;
	size_t *sizes = NULL;
	int64_t *totals = NULL;
	struct buf *names = NULL, *ids = NULL, sn;
	char date[11];
	int rc;

	if (plan_cons_rounding_diff(g, tm, &diff) != BS_OK)
		return bs_error_set(p->err, BS_ERANGE, "consolidated total out of range");
	nl = g->nlines + (diff != 0 ? 1 : 0);
	sizes_n = cons_split(nl, 0, NULL, 0);
	sizes = calloc(sizes_n + 1, sizeof(*sizes));
	totals = calloc(sizes_n + 1, sizeof(*totals));
	names = calloc(sizes_n + 1, sizeof(*names));
	ids = calloc(sizes_n + 1, sizeof(*ids));
	buf_init(&sn, 64);
	if (sizes == NULL || totals == NULL || names == NULL || ids == NULL) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < sizes_n; i++) {
		buf_init(&names[i], 1024);
		buf_init(&ids[i], 1024);
	}
	cons_split(nl, 0, sizes, sizes_n);
	/* each part's total, as the ledger will compute it */
	rc = BS_OK;
	for (size_t part = 0, i = 0; rc == BS_OK && part < sizes_n; part++) {
		for (size_t j = 0; rc == BS_OK && j < sizes[part]; j++, i++) {
			int64_t t = diff;

			if (i < g->nlines)
				rc = line_total(g, &g->lines[i], tm, &t);
			if (rc == BS_OK)
				rc = money_add(totals[part], t, &totals[part]);
		}
	}
	if (rc != BS_OK) {
		rc = bs_error_set(p->err, BS_ERANGE, "consolidated total out of range");
		goto out;
	}
	plan_cons_period_end(g->key.period, date);
	rc = part_names(p, &g->key, sizes_n, names, ids);
	for (size_t part = 0; rc == BS_OK && part < sizes_n; part++) {
		struct json_object *o = json_object_new_object(), *lines = json_object_new_array();
		struct json_object *info;
		unsigned n = (unsigned)strtoul(strrchr(buf_cstr(&names[part]), '-') + 1, NULL, 10);

		rc = cons_short_name(&g->key, n, &sn);
		jstr(o, "kind", record_kind_name(plan_cons_kind(g->key.doc)));
		jstr(o, "id", buf_cstr(&ids[part]));
		jstr(o, "date", date);
		jstr(o, "reference", buf_cstr(&names[part]));
		jstr(o, "customer_id", contact_id);
		jstr(o, "store", g->key.store);
		if (strcmp(g->key.currency, plan_sv(p, PLAN_S_BASE)) != 0)
			jstr(o, "currency", g->key.currency);
		if (fx != NULL)
			jset(o, "fx_rate", plan_cons_jdec(fx->rate, FX_DP, 0));
		jstr(o, "tax_mode",
		     tm == MONEY_TAX_INCLUSIVE ? "inclusive"
		     : tm == MONEY_TAX_NONE    ? "none"
		                               : "exclusive");
		if (plan_cons_kind(g->key.doc) == RECORD_SALE)
			jset(o, "invoiced", json_object_new_boolean(1));
		for (size_t i = 0; i < sizes[part]; i++, at++) {
			if (at < g->nlines) {
				json_object_array_add(lines, line_json(&g->lines[at], tm));
			} else {
				struct json_object *r = json_object_new_object();
				char d[160];

				snprintf(d, sizeof(d),
				         "Rounding: tax of %zu members, each rounded on its own",
				         g->nmem);
				jstr(r, "description", d);
				jset(r, "qty", json_object_new_string("1"));
				jset(r, "unit_price", plan_cons_jdec(diff, MONEY_DP, 0));
				if (tm != MONEY_TAX_NONE)
					jset(r, "tax_rate", json_object_new_string("0"));
				jstr(r, "account", plan_sv(p, PLAN_S_ROUNDING));
				json_object_array_add(lines, r);
			}
		}
		jset(o, "lines", lines);
		info =
		    plan_cons_info(g, buf_cstr(&names[part]), buf_cstr(&sn), part + 1, sizes_n, fx);
		if (sizes_n > 1) {
			struct json_object *pi = json_object_new_array(),
			                   *pt = json_object_new_array();

			for (size_t i = 0; i < sizes_n; i++) {
				json_object_array_add(pi,
				                      json_object_new_string(buf_cstr(&ids[i])));
				json_object_array_add(pt, plan_cons_jdec(totals[i], MONEY_DP, 0));
			}
			jset(info, "part_ids", pi);
			jset(info, "part_totals", pt);
		}
		jset(o, "consolidation", info);
		if (rc == BS_OK)
			rc = plan_cons_put(p, o);
		if (rc == BS_OK && part == 0) {
			buf_reset(first);
			buf_printf(first, "%s\n%s", buf_cstr(&ids[0]), buf_cstr(&names[0]));
		}
		json_object_put(o);
	}
out:
	for (size_t i = 0; names != NULL && ids != NULL && i < sizes_n; i++) {
		buf_free(&names[i]);
		buf_free(&ids[i]);
	}
	free(names);
	free(ids);
	free(sizes);
	free(totals);
	buf_free(&sn);
	return rc;
}

/*
 * A payment (or refund) or a COGS record of a group: one document; a
 * payment of a document that went in parts, one per part it pays
 * (plan_cons_pay_parts), numbered on, the members listed on the first.
 */
static int write_other(struct planner *p, struct cons_grp *g, const struct cons_fx_out *fx,
                       struct buf *first)
{
	enum record_kind k = plan_cons_kind(g->key.doc);
	struct cons_pay_part one, *pp = &one;
	size_t npp = 1;
	struct buf name, id, sn;
	char date[11];
	int rc = BS_OK;

	buf_copy(one.target, sizeof(one.target), g->target);
	one.amount = g->total;
	if (k == RECORD_PAYMENT && (rc = plan_cons_pay_parts(p, g, &pp, &npp)) != BS_OK)
		return rc;
	buf_init(&name, 1024);
	buf_init(&id, 1024);
	buf_init(&sn, 64);
	plan_cons_period_end(g->key.period, date);
	for (size_t part = 0; rc == BS_OK && part < npp; part++) {
		struct json_object *o = json_object_new_object();
		unsigned n;

		rc = plan_cons_next_name(p, &g->key, &name, &id);
		n = rc == BS_OK ? (unsigned)strtoul(strrchr(buf_cstr(&name), '-') + 1, NULL, 10)
		                : 1;
		if (rc == BS_OK)
			rc = cons_short_name(&g->key, n, &sn);
		jstr(o, "kind", record_kind_name(k));
		jstr(o, "id", buf_cstr(&id));
		jstr(o, "date", date);
		jstr(o, g->target_kind == RECORD_CREDIT_NOTE ? "credit_note_id" : "sale_id",
		     pp[part].target);
		if (k == RECORD_PAYMENT) {
			jstr(o, "reference", buf_cstr(&name));
			jset(o, "amount", plan_cons_jdec(pp[part].amount, MONEY_DP, 0));
			if (strcmp(g->key.currency, plan_sv(p, PLAN_S_BASE)) != 0)
				jstr(o, "currency", g->key.currency);
			if (fx != NULL)
				jset(o, "fx_rate", plan_cons_jdec(fx->rate, FX_DP, 0));
			jstr(o, "account", g->key.account);
		} else {
			struct json_object *lines = json_object_new_array();

			for (size_t i = 0; i < g->nlines; i++) {
				struct json_object *l = json_object_new_object();

				jstr(l, "sku",
				     g->lines[i].sku[0] != '\0' ? g->lines[i].sku : "CONSOLIDATED");
				jset(l, "cost", plan_cons_jdec(g->lines[i].amount, MONEY_DP, 0));
				json_object_array_add(lines, l);
			}
			jset(o, "lines", lines);
		}
		jset(o, "consolidation",
		     plan_cons_info(g, buf_cstr(&name), buf_cstr(&sn), part + 1, npp, fx));
		if (rc == BS_OK)
			rc = plan_cons_put(p, o);
		if (rc == BS_OK && part == 0) {
			buf_reset(first);
			buf_printf(first, "%s\n%s", buf_cstr(&id), buf_cstr(&name));
		}
		json_object_put(o);
	}
	if (pp != &one)
		free(pp);
	buf_free(&name);
	buf_free(&id);
	buf_free(&sn);
	return rc;
}

/* An average-rate residual, posted in base currency beside the document:
 * the members' base value is what the ledger would hold had they posted
 * one by one, so the difference moves between sales and rounding. */
static int write_residual(struct planner *p, const struct cons_grp *g, const char *name,
                          const struct cons_fx_out *fx)
{
	struct json_object *o = json_object_new_object(), *lines = json_object_new_array();
	struct json_object *a = json_object_new_object(), *b = json_object_new_object();
	int64_t r = g->key.doc == CONS_DOC_CREDIT ? -fx->residual : fx->residual;
	int64_t mag = r < 0 ? -r : r;
	char id[RECORD_ID_MAX + 1], d[300];
	int rc;

	snprintf(id, sizeof(id), "%.60s-FX", name);
	snprintf(d, sizeof(d),
	         "%s: average-rate residual (members at their own rates less the "
	         "document at the average rate)",
	         name);
	jstr(o, "kind", "journal");
	jstr(o, "id", id);
	{
		char date[11];

		plan_cons_period_end(g->key.period, date);
		jstr(o, "date", date);
	}
	jstr(o, "reference", id);
	jstr(a, "account", plan_sv(p, PLAN_S_SALES));
	jstr(a, "description", d);
	jset(a, r > 0 ? "credit" : "debit", plan_cons_jdec(mag, MONEY_DP, 0));
	jstr(b, "account", plan_sv(p, PLAN_S_ROUNDING));
	jstr(b, "description", d);
	jset(b, r > 0 ? "debit" : "credit", plan_cons_jdec(mag, MONEY_DP, 0));
	json_object_array_add(lines, a);
	json_object_array_add(lines, b);
	jset(o, "lines", lines);
	{
		/* marked as consolidation's own, so it is never a member */
		struct json_object *c = json_object_new_object();

		jstr(c, "name", id);
		jstr(c, "type", "journal");
		jstr(c, "residual_of", name);
		jset(o, "consolidation", c);
	}
	rc = plan_cons_put(p, o);
	json_object_put(o);
	return rc;
}

/* Members: consolidated, linked to the (first) record they went into. */
static int consolidate_members(struct planner *p, const struct cons_grp *g, const char *id,
                               const char *name)
{
	struct store_actor who = {PLAN_ACTOR, p->o->now_ms};
	char reason[400];
	int rc = BS_OK;

	snprintf(reason, sizeof(reason), "consolidated into %s (%s)", name,
	         cons_doc_label(g->key.doc));
	for (size_t i = 0; rc == BS_OK && i < g->nmem; i++) {
		rc = store_state_apply(p->st, g->mem[i].kind, g->mem[i].id, p->o->target,
		                       SYNC_EV_CONSOLIDATE, reason, &who, NULL, p->err);
		if (rc == BS_OK)
			rc = store_link_set(p->st, p->o->target, g->mem[i].kind, g->mem[i].id,
			                    CONS_LINK, id, name, p->o->now_ms, p->err);
		if (rc == BS_OK)
			p->stats->consolidated++;
		if (rc == BS_OK && p->o->on_verdict != NULL)
			p->o->on_verdict(p->o->arg, g->mem[i].kind, g->mem[i].id, SYNC_CONSOLIDATED,
			                 reason);
	}
	return rc;
}

static int flush_group(struct planner *p, struct cons_grp *g)
{
	struct cons_fx_out fx;
	const struct cons_fx_out *fxp = NULL;
	char contact_id[RECORD_ID_MAX + 1];
	struct buf first;
	struct bs_error e;
	int rc = BS_OK;

	buf_init(&first, 4096);
	if (g->all_fx && g->nfx == g->nmem && g->nfx > 0 &&
	    strcmp(g->key.currency, plan_sv(p, PLAN_S_BASE)) != 0 &&
	    cons_avg_rate(g->fx, g->nfx, p->ctx.base_dp, &fx, &e) == BS_OK)
		fxp = &fx;
	if (g->key.doc == CONS_DOC_SALE || g->key.doc == CONS_DOC_CREDIT) {
		rc = contact(p, &g->key, contact_id);
		if (rc == BS_OK)
			rc = write_invoice(p, g, contact_id, fxp, &first);
	} else if (g->key.doc == CONS_DOC_JOURNAL || g->key.doc == CONS_DOC_RECEIVE ||
	           g->key.doc == CONS_DOC_SPEND) {
		rc = plan_cons_write_task(p, g, fxp, &first);
	} else {
		rc = write_other(p, g, fxp, &first);
	}
	if (rc == BS_OK) {
		char *nl = strchr(first.ptr, '\n');

		*nl = '\0';
		if (fxp != NULL && fxp->residual != 0 &&
		    (g->key.doc == CONS_DOC_SALE || g->key.doc == CONS_DOC_CREDIT))
			rc = write_residual(p, g, nl + 1, fxp);
		if (rc == BS_OK)
			rc = consolidate_members(p, g, first.ptr, nl + 1);
	}
	buf_free(&first);
	return rc;
}

int plan_cons_flush(struct planner *p)
{
	struct plan_cons *c = p->cons;
	int rc = BS_OK;

	if (c == NULL)
		return BS_OK;
	for (size_t i = 0; rc == BS_OK && i < c->ng; i++) {
		if (c->g[i].nmem == 0)
			continue;
		/* one transaction per group: its records and its members' moves
		 * are all there or none (a dry run is already in one) */
		if (!p->o->dry_run && (rc = store_begin(p->st, p->err)) != BS_OK)
			break;
		rc = flush_group(p, &c->g[i]);
		if (p->o->dry_run)
			continue;
		if (rc == BS_OK)
			rc = store_commit(p->st, p->err);
		else
			store_rollback(p->st);
	}
	return rc;
}

int plan_cons_short_number(struct planner *p, struct json_object *o)
{
	struct json_object *c;
	const char *sn;

	if (!json_object_object_get_ex(o, "consolidation", &c) ||
	    (sn = jsonr_str(c, "short_name")) == NULL)
		return BS_OK;
	buf_reset(&p->s.num);
	return buf_addstr(&p->s.num, sn);
}

const char *plan_cons_resolve(struct planner *p, enum record_kind k, const char *id,
                              char out[RECORD_ID_MAX + 1])
{
	struct store_link l;

	if ((k != RECORD_SALE && k != RECORD_CREDIT_NOTE) || id == NULL ||
	    store_link_get(p->st, p->o->target, k, id, CONS_LINK, &l, NULL) != BS_OK ||
	    l.ledger_id[0] == '\0')
		return id;
	buf_copy(out, RECORD_ID_MAX + 1, l.ledger_id);
	return out;
}
