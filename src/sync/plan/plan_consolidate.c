/*
 * plan_consolidate.c - consolidation in the planner (docs/consolidation.md).
 *
 * The rules are consolidate/consolidate.h's; this file applies them to the
 * records a sync covers.  While a record is planned (plan_one), a member
 * of a daily or monthly consolidation is taken here instead of being
 * built: no-sync channels skip it, a period that has not ended holds it
 * (waiting), a payment or COGS whose sale is not yet in a posted
 * consolidated document waits for it, and anything else is added to its
 * group (key of consolidate.h) in memory.  After the walk, plan_cons_flush
 * writes each group as a consolidated source record -- a sale, credit note,
 * payment or COGS record whose id is the document's name and whose
 * `consolidation` field lists its members -- and moves every member to
 * `consolidated` with a link to it, in one transaction per group.  The
 * planner then plans those records like any other, so the outbox,
 * dispatcher and connectors see ordinary documents and post each one
 * exactly once.  A kill before the group's transaction commits leaves its
 * members pending (planned again next time); after, the record is pending
 * and its members are consolidated: nothing is lost or posted twice.
 */
#include "sync/plan/plan_int.h"

#include "consolidate/consolidate.h"
#include "core/jsonr.h"
#include "store/settings.h"
#include "sync/plan/plan_cons_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int plan_cons_grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *w;
	size_t nc;

	if (n < *cap)
		return BS_OK;
	nc = *cap == 0 ? 16 : *cap * 2;
	w = realloc(*v, nc * size);
	if (w == NULL)
		return BS_ENOMEM;
	*v = w;
	*cap = nc;
	return BS_OK;
}

/* ---- settings -------------------------------------------------------------- */

static int setting(struct planner *p, const char *key, struct buf *v)
{
	return settings_get(p->st, key, v, p->err);
}

static int mode_of(struct planner *p, const char *key, enum cons_mode *m)
{
	struct buf v;
	int rc;

	buf_init(&v, 256);
	rc = setting(p, key, &v);
	if (rc == BS_OK && cons_mode_parse(buf_cstr(&v), m) != BS_OK)
		rc = bs_error_set(p->err, BS_EINVAL, "%s: '%s' is not a consolidation mode", key,
		                  buf_cstr(&v));
	buf_free(&v);
	return rc;
}

struct chan_walk {
	struct planner *p;
	struct plan_cons *c;
	int rc;
};

/* consolidation.channel.<spec>.<txn> = mode: the channel's entry. */
static int chan_cb(void *arg, const char *key, const char *value)
{
	static const char pre[] = "consolidation.channel.";
	struct chan_walk *w = arg;
	const char *spec, *dot;
	struct cons_channel *ch = NULL;
	enum cons_mode m;
	size_t n;

	if (strncmp(key, pre, sizeof(pre) - 1) != 0 || (dot = strrchr(key, '.')) == NULL)
		return 0;
	spec = key + sizeof(pre) - 1;
	n = (size_t)(dot - spec);
	if ((n == 1 && spec[0] == '*') || n >= CONS_CHANNEL_MAX ||
	    cons_mode_parse(value, &m) != BS_OK || cons_channel_check(spec, n) != BS_OK)
		return 0;
	for (size_t i = 0; i < w->c->nchans && ch == NULL; i++) {
		if (strlen(w->c->chans[i].spec) == n && strncmp(w->c->chans[i].spec, spec, n) == 0)
			ch = &w->c->chans[i];
	}
	if (ch == NULL) {
		if (plan_cons_grow((void **)&w->c->chans, &w->c->capchans, w->c->nchans,
		                   sizeof(*w->c->chans)) != BS_OK) {
			w->rc = BS_ENOMEM;
			return BS_ENOMEM;
		}
		ch = &w->c->chans[w->c->nchans++];
		*ch = w->c->cfg.def;
		memcpy(ch->spec, spec, n);
		ch->spec[n] = '\0';
	}
	if (strcmp(dot + 1, "invoices") == 0)
		ch->invoices = m;
	else if (strcmp(dot + 1, "cogs") == 0)
		ch->cogs = m;
	else if (strcmp(dot + 1, "payments") == 0)
		ch->payments = m;
	return 0;
}

/* The channels' own settings fall back to '*' for the types they leave
 * out: read them after the defaults, and fill the gaps from the store. */
static int chan_fill(struct planner *p, struct plan_cons *c)
{
	struct buf k;
	int rc = BS_OK;

	buf_init(&k, 512);
	for (size_t i = 0; rc == BS_OK && i < c->nchans; i++) {
		static const char *const txn[3] = {"invoices", "cogs", "payments"};
		enum cons_mode *m[3] = {&c->chans[i].invoices, &c->chans[i].cogs,
		                        &c->chans[i].payments};

		for (int t = 0; rc == BS_OK && t < 3; t++) {
			struct buf v;

			buf_reset(&k);
			buf_printf(&k, "consolidation.channel.%s.%s", c->chans[i].spec, txn[t]);
			buf_init(&v, 256);
			if (store_setting_get(p->st, buf_cstr(&k), &v, NULL) != BS_OK)
				*m[t] = t == 0   ? c->cfg.def.invoices
				        : t == 1 ? c->cfg.def.cogs
				                 : c->cfg.def.payments;
			buf_free(&v);
		}
		rc = cons_check_periods(c->chans[i].spec, cons_mode_name(c->chans[i].invoices),
		                        cons_mode_name(c->chans[i].payments), p->err);
	}
	buf_free(&k);
	return rc;
}

int plan_cons_load(struct planner *p)
{
	struct plan_cons *c;
	struct buf v;
	struct chan_walk w;
	int rc;

	p->cons = NULL;
	buf_init(&v, 256);
	rc = setting(p, "consolidation.enabled", &v);
	if (rc != BS_OK || strcmp(buf_cstr(&v), "true") != 0) {
		buf_free(&v);
		return rc; /* off: no other consolidation setting has any effect */
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		buf_free(&v);
		return bs_error_set(p->err, BS_ENOMEM, "out of memory");
	}
	p->cons = c;
	cons_config_default(&c->cfg);
	c->cfg.enabled = true;
	rc = mode_of(p, "consolidation.channel.*.invoices", &c->cfg.def.invoices);
	if (rc == BS_OK)
		rc = mode_of(p, "consolidation.channel.*.cogs", &c->cfg.def.cogs);
	if (rc == BS_OK)
		rc = mode_of(p, "consolidation.channel.*.payments", &c->cfg.def.payments);
	if (rc == BS_OK)
		rc = cons_check_periods("*", cons_mode_name(c->cfg.def.invoices),
		                        cons_mode_name(c->cfg.def.payments), p->err);
	if (rc == BS_OK)
		rc = mode_of(p, "consolidation.journals", &c->cfg.journals);
	if (rc == BS_OK)
		rc = mode_of(p, "consolidation.money_tasks", &c->cfg.money_tasks);
	if (rc == BS_OK && (rc = setting(p, "consolidation.grouping", &v)) == BS_OK &&
	    cons_grouping_parse(buf_cstr(&v), &c->cfg.grouping) != BS_OK)
		rc = bs_error_set(p->err, BS_EINVAL, "consolidation.grouping: '%s'", buf_cstr(&v));
	if (rc == BS_OK && (rc = setting(p, "consolidation.sync_customer_contacts", &v)) == BS_OK)
		c->cfg.customer_contacts = strcmp(buf_cstr(&v), "false") != 0;
	if (rc == BS_OK && (rc = setting(p, "consolidation.money_task_type", &v)) == BS_OK) {
		c->cfg.mt_receive = strcmp(buf_cstr(&v), "spend") != 0;
		c->cfg.mt_spend = strcmp(buf_cstr(&v), "receive") != 0;
	}
	if (rc == BS_OK) {
		w = (struct chan_walk){p, c, BS_OK};
		rc = store_settings_each(p->st, chan_cb, &w, p->err);
		if (rc == BS_OK)
			rc = w.rc;
		if (rc == BS_ENOMEM)
			rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
	}
	if (rc == BS_OK && (rc = setting(p, "consolidation.credit_account", &v)) == BS_OK)
		snprintf(c->credit_account, sizeof(c->credit_account), "%s",
		         v.len > 0 ? buf_cstr(&v) : plan_sv(p, PLAN_S_GIFT));
	if (rc == BS_OK)
		rc = chan_fill(p, c);
	c->cfg.channels = c->chans;
	c->cfg.nchannels = c->nchans;
	if (rc == BS_OK) {
		if (p->o->today != NULL && cons_date_check(p->o->today) == BS_OK)
			buf_copy(c->today, sizeof(c->today), p->o->today);
		else
			rc = cons_today(p->o->now_ms, 0, c->today);
	}
	buf_free(&v);
	return rc;
}

void plan_cons_free(struct planner *p)
{
	struct plan_cons *c = p->cons;

	if (c == NULL)
		return;
	for (size_t i = 0; i < c->ng; i++) {
		free(c->g[i].lines);
		free(c->g[i].fx);
		free(c->g[i].mem);
	}
	free(c->g);
	free(c->chans);
	free(c->made);
	free(c);
	p->cons = NULL;
}

const char *plan_cons_credit_account(const struct planner *p)
{
	return p->cons != NULL ? p->cons->credit_account : plan_sv(p, PLAN_S_GIFT);
}

const struct plan_ref *plan_cons_made(const struct planner *p, size_t *n)
{
	*n = p->cons != NULL ? p->cons->nmade : 0;
	return p->cons != NULL ? p->cons->made : NULL;
}

static enum money_tax_mode tax_mode_of(const char *s)
{
	return s != NULL && strcmp(s, "inclusive") == 0 ? MONEY_TAX_INCLUSIVE
	       : s != NULL && strcmp(s, "none") == 0    ? MONEY_TAX_NONE
	                                                : MONEY_TAX_EXCLUSIVE;
}

/* ---- taking members ---------------------------------------------------------- */

/* "<type>(<name>)" of a sale or credit note record, "" when it has none. */
void plan_cons_channel_of(struct json_object *o, char out[CONS_CHANNEL_MAX])
{
	struct json_object *ch;
	struct buf b;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, "channel", &ch) ||
	    !json_object_is_type(ch, json_type_object))
		return;
	buf_init(&b, CONS_CHANNEL_MAX - 1);
	if (cons_channel_spec(jsonr_str(ch, "type"), jsonr_str(ch, "name"), &b) == BS_OK)
		buf_copy(out, CONS_CHANNEL_MAX, buf_cstr(&b));
	buf_free(&b);
}

/* The sale or credit note a payment or COGS belongs to. */
static bool parent_of(struct json_object *o, enum record_kind *k, const char **id)
{
	if ((*id = jsonr_str(o, "sale_id")) != NULL) {
		*k = RECORD_SALE;
		return true;
	}
	if ((*id = jsonr_str(o, "credit_note_id")) != NULL) {
		*k = RECORD_CREDIT_NOTE;
		return true;
	}
	return false;
}

static int apply_ev(struct planner *p, enum sync_event ev, const char *reason)
{
	struct store_actor who = {PLAN_ACTOR, p->o->now_ms};

	return store_state_apply_rec(p->st, p->cur.info, p->o->target, ev, reason, &who, NULL,
	                             p->err);
}

/* Skip or hold the record being planned, when its state allows it. */
static int hold(struct planner *p, const struct plan_item *it, enum sync_state cur,
                enum sync_event ev, const char *reason)
{
	enum sync_state to;
	bool pend;
	const char *why = NULL;
	int rc;

	if (sync_transition(cur, false, ev, &to, &pend, &why) != BS_OK) {
		if (p->o->on_verdict != NULL)
			p->o->on_verdict(p->o->arg, it->kind, it->id, cur,
			                 why != NULL ? why : "refused");
		return BS_OK;
	}
	rc = apply_ev(p, ev, reason);
	if (rc == BS_OK) {
		if (ev == SYNC_EV_SKIP)
			p->stats->skipped++;
		else
			p->stats->waiting++;
		if (p->o->on_verdict != NULL)
			p->o->on_verdict(p->o->arg, it->kind, it->id,
			                 ev == SYNC_EV_SKIP ? SYNC_SKIPPED : SYNC_WAITING, reason);
	}
	return rc;
}

static struct cons_grp *group_for(struct plan_cons *c, const struct cons_key *k,
                                  enum record_kind tk, const char *target, const char *single)
{
	struct cons_grp *g;

	for (size_t i = c->ng; i-- > 0;) {
		if (cons_key_cmp(&c->g[i].key, k) == 0 && c->g[i].target_kind == tk &&
		    strcmp(c->g[i].target, target) == 0 && strcmp(c->g[i].single, single) == 0)
			return &c->g[i];
	}
	if (plan_cons_grow((void **)&c->g, &c->capg, c->ng, sizeof(*c->g)) != BS_OK)
		return NULL;
	g = &c->g[c->ng++];
	memset(g, 0, sizeof(*g));
	g->key = *k;
	g->target_kind = tk;
	buf_copy(g->target, sizeof(g->target), target);
	buf_copy(g->single, sizeof(g->single), single);
	g->all_fx = true;
	return g;
}

/* The lines of a sale or credit note, grouped, into g. */
static int add_lines(struct planner *p, struct cons_grp *g, const struct plan_item *it,
                     const struct record_doc *d)
{
	struct json_object *jl = plan_jarr(it->o, "lines");
	struct cons_line_in *in = calloc(d->nlines + 1, sizeof(*in));
	struct cons_line_out *out = NULL;
	size_t nout = 0, capout = 0;
	int rc = BS_OK;

	if (in == NULL)
		return bs_error_set(p->err, BS_ENOMEM, "out of memory");
	for (size_t i = 0; rc == BS_OK && i < d->nlines; i++) {
		const struct record_doc_line *l = &d->lines[i];
		const struct plan_prod *pr = plan_product_of(p, l->sku);
		struct json_object *line = jl != NULL ? json_object_array_get_idx(jl, i) : NULL;
		struct json_object *tr;
		const char *acct = NULL;
		char pair[CONS_KEYSTR_MAX];

		rc = plan_account_code_for(p, l->account, l->sku, PLAN_S_SALES, RULES_SALES, &acct);
		in[i].sku = l->sku;
		in[i].description = l->description;
		in[i].account = acct;
		in[i].category = pr != NULL ? pr->category : NULL;
		in[i].service = pr != NULL && pr->service;
		in[i].tracking = pr != NULL ? pr->tracking : NULL;
		if (line != NULL && json_object_object_get_ex(line, "tracking", &tr) &&
		    json_object_is_type(tr, json_type_object)) {
			/* the line's own tracking wins over its product's; one pair
			 * ("Category=Option") names the consolidated line */
			json_object_object_foreach(tr, k, v)
			{
				snprintf(pair, sizeof(pair), "%s=%s", k, json_object_get_string(v));
				in[i].tracking = pair;
				break;
			}
		}
		in[i].tax_rate = l->tax_rate;
		in[i].amount = l->amount;
		in[i].tax = l->tax;
		/* the account and tracking strings are copied by cons_group
		 * below, before the next line can reuse them */
		if (rc == BS_OK) {
			struct cons_line_out *one = NULL;
			size_t n1 = 0;

			rc = cons_group(p->cons->cfg.grouping, &in[i], 1, &one, &n1, p->err);
			if (rc == BS_OK)
				rc = cons_merge(&out, &nout, &capout, one, n1, p->err);
			free(one);
		}
	}
	if (rc == BS_OK)
		rc = cons_merge(&g->lines, &g->nlines, &g->caplines, out, nout, p->err);
	free(out);
	free(in);
	return rc;
}

/* COGS lines (sku, cost) grouped by SKU into g. */
static int add_cogs_lines(struct planner *p, struct cons_grp *g, const struct record_doc *d)
{
	int rc = BS_OK;

	for (size_t i = 0; rc == BS_OK && i < d->nlines; i++) {
		struct cons_line_in in = {0};
		struct cons_line_out *one = NULL;
		size_t n1 = 0;

		in.sku = d->lines[i].sku;
		in.description = d->lines[i].sku;
		in.amount = d->lines[i].amount;
		rc = cons_group(CONS_BY_SKU, &in, 1, &one, &n1, p->err);
		if (rc == BS_OK)
			rc = cons_merge(&g->lines, &g->nlines, &g->caplines, one, n1, p->err);
		free(one);
	}
	return rc;
}

/* Journal and money task lines by account and tax rate into g: a journal
 * line's amount is its debit less its credit, so a group still balances. */
static int add_account_lines(struct planner *p, struct cons_grp *g, const struct record_doc *d)
{
	int rc = BS_OK;

	for (size_t i = 0; rc == BS_OK && i < d->nlines; i++) {
		struct cons_line_in in = {0};
		struct cons_line_out *one = NULL;
		size_t n1 = 0;

		in.sku = "-"; /* not a charge: the account names the line */
		in.account = d->lines[i].account;
		in.tax_rate = d->lines[i].tax_rate;
		in.amount = d->lines[i].amount;
		in.tax = d->lines[i].tax;
		rc = cons_group(CONS_BY_ACCOUNT, &in, 1, &one, &n1, p->err);
		if (rc == BS_OK)
			rc = cons_merge(&g->lines, &g->nlines, &g->caplines, one, n1, p->err);
		free(one);
	}
	return rc;
}

/* A customer that consolidation wrote for its own documents. */
static bool own_contact(const char *id)
{
	return strcmp(id, CONS_CONTACT_ID) == 0 ||
	       strncmp(id, CONS_CHANNEL_CONTACT_PREFIX, strlen(CONS_CHANNEL_CONTACT_PREFIX)) == 0;
}

int plan_cons_take(struct planner *p, const struct plan_item *it, enum sync_state cur, bool *taken)
{
	struct plan_cons *c = p->cons;
	struct cons_member m;
	struct cons_key key;
	struct cons_grp *g;
	struct record_doc d;
	struct record_ctx rctx = {plan_sv(p, PLAN_S_BASE)[0] != '\0' ? plan_sv(p, PLAN_S_BASE)
	                                                             : NULL};
	struct json_object *po = NULL, *cons;
	struct buf pbody;
	enum cons_doc doc;
	enum cons_mode mode;
	enum record_kind pk = RECORD_SALE, tk = RECORD_SALE;
	const char *pid = NULL;
	char channel[CONS_CHANNEL_MAX], target[RECORD_ID_MAX + 1] = "", reason[400];
	struct bs_error e; /* a member's own trouble: it is then built alone */
	bool single = false;
	int rc = BS_OK;

	*taken = false;
	if (c == NULL || json_object_object_get_ex(it->o, "consolidation", &cons))
		return BS_OK; /* off, or a consolidated document itself */
	if (it->kind == RECORD_CUSTOMER) {
		/* customer contacts off: a customer syncs only when a document
		 * posting on its own needs it (pulled in); consolidated
		 * documents use consolidation's own contact */
		if (c->cfg.customer_contacts || p->cur.pulled || own_contact(it->id))
			return BS_OK;
		*taken = true;
		return hold(p, it, cur, SYNC_EV_WAIT,
		            "consolidation: customer contacts are not synced "
		            "(consolidation.sync_customer_contacts is false); it syncs with "
		            "a document of its own that needs it");
	}
	if (cur == SYNC_CHANGED)
		return BS_OK; /* posted on its own before: its document is updated */
	if (it->kind != RECORD_SALE && it->kind != RECORD_CREDIT_NOTE &&
	    it->kind != RECORD_PAYMENT && it->kind != RECORD_COGS && it->kind != RECORD_JOURNAL &&
	    it->kind != RECORD_MONEY_TASK && it->kind != RECORD_STORE_CREDIT)
		return BS_OK;
	memset(&m, 0, sizeof(m));
	m.kind = it->kind;
	m.id = it->id;
	m.date = jsonr_str(it->o, "date");
	m.currency = it->info->currency[0] != '\0' ? it->info->currency : plan_sv(p, PLAN_S_BASE);
	m.supplier =
	    jsonr_str(it->o, "supplier_id") != NULL || jsonr_str(it->o, "purchase_id") != NULL;
	m.tax_mode = MONEY_TAX_EXCLUSIVE;
	buf_init(&pbody, (size_t)16 << 20);
	channel[0] = '\0';
	if (it->kind == RECORD_SALE || it->kind == RECORD_CREDIT_NOTE) {
		plan_cons_channel_of(it->o, channel);
		m.store = jsonr_str(it->o, "store");
		m.tax_mode = tax_mode_of(jsonr_str(it->o, "tax_mode"));
	} else if (parent_of(it->o, &pk, &pid)) {
		/* a payment or COGS is its sale's channel's */
		m.on_credit_note = pk == RECORD_CREDIT_NOTE;
		if (store_record_get(p->st, pk, pid, NULL, &pbody, NULL) == BS_OK &&
		    (po = json_tokener_parse(buf_cstr(&pbody))) != NULL)
			plan_cons_channel_of(po, channel);
		m.account = jsonr_str(it->o, "account") != NULL ? jsonr_str(it->o, "account")
		                                                : plan_sv(p, PLAN_S_BANK);
	}
	if (it->kind == RECORD_MONEY_TASK) {
		const char *dir = jsonr_str(it->o, "direction"),
		           *ct = jsonr_str(it->o, "contact_id");

		m.receive = dir == NULL || strcmp(dir, "receive") == 0;
		m.bank = jsonr_str(it->o, "bank_account") != NULL ? jsonr_str(it->o, "bank_account")
		                                                  : plan_sv(p, PLAN_S_BANK);
		m.tax_mode = tax_mode_of(jsonr_str(it->o, "tax_mode"));
		/* money to or from a supplier (a deposit) is never consolidated */
		m.supplier = ct != NULL && plan_contact_kind(p, ct) == RECORD_SUPPLIER;
	}
	if (it->kind == RECORD_STORE_CREDIT) {
		/* a customer credit: issued and refunded ones are money tasks
		 * of the bank account, through the customer credit account; a
		 * used one a payment of its sale's channel out of that account */
		const char *ev = jsonr_str(it->o, "event");
		char waitfor[RECORD_ID_MAX + 1] = "";

		m.credit_event = ev;
		m.credit_origin = jsonr_str(it->o, "origin");
		m.tax_mode = MONEY_TAX_NONE;
		m.bank = plan_sv(p, PLAN_S_BANK);
		m.account = c->credit_account;
		if (ev != NULL && (strcmp(ev, "used") == 0 || strcmp(ev, "refunded") == 0)) {
			rc = plan_cons_credit_draws(p, it, &m.credit_drawn_cons, waitfor);
			if (rc != BS_OK)
				goto out;
		}
		if (waitfor[0] != '\0') {
			snprintf(
			    reason, sizeof(reason),
			    "consolidation: waits for store credit %s to be consolidated into a "
			    "money task",
			    waitfor);
			*taken = true;
			rc = hold(p, it, cur, SYNC_EV_WAIT, reason);
			goto out;
		}
		/* a used credit's sale, and its channel, came with parent_of above */
	}
	m.channel = channel[0] != '\0' ? channel : NULL;
	cons_classify(&c->cfg, &m, &doc, &mode);
	if (doc != CONS_DOC_NONE && it->kind == RECORD_STORE_CREDIT && c->credit_account[0] == '\0')
		goto out; /* no customer credit account: by itself, which says so */
	if (mode == CONS_NO_SYNC) {
		snprintf(reason, sizeof(reason), "consolidation: channel %s is set to no-sync",
		         channel[0] != '\0' ? channel : "*");
		*taken = true;
		rc = hold(p, it, cur, SYNC_EV_SKIP, reason);
		goto out;
	}
	if ((it->kind == RECORD_PAYMENT || it->kind == RECORD_COGS) && pid != NULL && !m.supplier) {
		/* what its sale does decides too: a payment or COGS of a no-sync
		 * sale has nothing to post against; one set to individual whose
		 * sale was consolidated posts alone against the consolidated
		 * document (a group of one) */
		struct cons_member sm = {.kind = pk, .channel = m.channel};
		struct store_link l;
		enum cons_doc sd;
		enum cons_mode smode;

		cons_classify(&c->cfg, &sm, &sd, &smode);
		if (smode == CONS_NO_SYNC) {
			snprintf(reason, sizeof(reason),
			         "consolidation: its %s's channel %s is set to no-sync",
			         record_kind_name(pk), channel[0] != '\0' ? channel : "*");
			*taken = true;
			rc = hold(p, it, cur, SYNC_EV_SKIP, reason);
			goto out;
		}
		if (doc == CONS_DOC_NONE && mode == CONS_INDIVIDUAL &&
		    store_link_get(p->st, p->o->target, pk, pid, CONS_LINK, &l, NULL) == BS_OK) {
			doc = it->kind == RECORD_COGS
			          ? (m.on_credit_note ? CONS_DOC_COGS_CREDIT : CONS_DOC_COGS_SALE)
			          : (m.on_credit_note ? CONS_DOC_REFUND : CONS_DOC_PAYMENT);
			mode = CONS_DAILY; /* its own day names it */
			single = true;
		}
	}
	if (doc == CONS_DOC_NONE)
		goto out;
	if (it->kind == RECORD_SALE || it->kind == RECORD_CREDIT_NOTE) {
		const char *st = jsonr_str(it->o, "status");

		/* a void sale is skipped and an open one waits, by the rules,
		 * as when it syncs alone: only invoiced ones consolidate */
		if ((st != NULL && strcmp(st, "void") == 0) ||
		    (it->kind == RECORD_SALE && !jsonr_bool(it->o, "invoiced") &&
		     (st == NULL || (strcmp(st, "invoiced") != 0 && strcmp(st, "paid") != 0))))
			goto out;
	}
	if (cons_key_of(&m, doc, mode, &key, &e) != BS_OK)
		goto out; /* no date: built alone, and its own rules say why */
	*taken = true;
	if (!cons_period_ended(mode, key.period, c->today)) {
		snprintf(reason, sizeof(reason),
		         "consolidated %s: %s posts once %s has ended (today is %s)",
		         cons_mode_name(mode), cons_doc_label(doc), key.period, c->today);
		rc = hold(p, it, cur, SYNC_EV_WAIT, reason);
		goto out;
	}
	if (it->kind == RECORD_PAYMENT || it->kind == RECORD_COGS ||
	    (it->kind == RECORD_STORE_CREDIT && doc == CONS_DOC_PAYMENT)) {
		/* payments (and COGS, and credits used) follow their sale: only
		 * once it is in a consolidated document that the ledger has */
		struct store_link l;
		enum sync_state ts = SYNC_NOT_IMPORTED;

		if (pid == NULL ||
		    store_link_get(p->st, p->o->target, pk, pid, CONS_LINK, &l, NULL) != BS_OK) {
			if (pid != NULL && plan_linked(p, pk, pid, plan_kind_of(pk)->ledger_type)) {
				*taken = false; /* its sale posted on its own: so does it */
				goto out;
			}
			snprintf(reason, sizeof(reason),
			         "consolidated %s: waits for %s %s to be consolidated and posted",
			         cons_doc_label(doc), record_kind_name(pk),
			         pid != NULL ? pid : "?");
			rc = hold(p, it, cur, SYNC_EV_WAIT, reason);
			goto out;
		}
		store_state_get(p->st, pk, l.ledger_id, p->o->target, &ts, NULL, NULL);
		if (ts != SYNC_IMPORTED) {
			snprintf(reason, sizeof(reason),
			         "consolidated %s: waits for %s to post (its %s %s is in it)",
			         cons_doc_label(doc), l.number, record_kind_name(pk), pid);
			rc = hold(p, it, cur, SYNC_EV_WAIT, reason);
			goto out;
		}
		tk = pk;
		buf_copy(target, sizeof(target), l.ledger_id);
	}
	{
		enum sync_state to;
		bool pend;
		const char *why = NULL;

		if (sync_transition(cur, false, SYNC_EV_CONSOLIDATE, &to, &pend, &why) != BS_OK) {
			if (p->o->on_verdict != NULL)
				p->o->on_verdict(p->o->arg, it->kind, it->id, cur,
				                 why != NULL ? why : "refused");
			goto out;
		}
	}
	record_doc_init(&d);
	if (record_doc_parse(buf_cstr(&p->s.in), p->s.in.len, &rctx, &d, &e) != BS_OK) {
		*taken = false; /* the normal path fails it with the reason */
		goto out;
	}
	g = group_for(c, &key, tk, target, single ? it->id : "");
	if (g == NULL) {
		record_doc_release(&d);
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	g->exp = d.exp;
	if (it->kind == RECORD_SALE || it->kind == RECORD_CREDIT_NOTE) {
		/* a line that cannot be placed (an account the chart lacks) fails
		 * the member alone, by the normal path and its reason: the
		 * group is untouched (add_lines merges only a whole member) */
		struct bs_error *outer = p->err;

		p->err = &e;
		rc = add_lines(p, g, it, &d);
		p->err = outer;
		if (rc != BS_OK && rc != BS_ENOMEM) {
			record_doc_release(&d);
			*taken = false;
			rc = BS_OK;
			goto out;
		}
		if (rc == BS_ENOMEM)
			bs_error_set(p->err, BS_ENOMEM, "out of memory");
	}
	if (it->kind == RECORD_COGS)
		rc = add_cogs_lines(p, g, &d);
	else if (it->kind == RECORD_JOURNAL || it->kind == RECORD_MONEY_TASK)
		rc = add_account_lines(p, g, &d);
	else if (it->kind == RECORD_STORE_CREDIT && doc != CONS_DOC_PAYMENT)
		rc = plan_cons_credit_line(p, g, plan_jfixed(it->o, "amount", MONEY_DP));
	if (rc == BS_OK) {
		int64_t amt = it->kind == RECORD_PAYMENT || it->kind == RECORD_STORE_CREDIT
		                  ? plan_jfixed(it->o, "amount", MONEY_DP)
		                  : it->info->total;

		rc = money_add(g->total, amt, &g->total);
		if (rc != BS_OK)
			bs_error_set(p->err, rc, "%s %s: consolidated total out of range",
			             record_kind_name(it->kind), it->id);
		if (rc == BS_OK && d.fx > 0 && amt > 0 &&
		    plan_cons_grow((void **)&g->fx, &g->capfx, g->nfx, sizeof(*g->fx)) == BS_OK)
			g->fx[g->nfx++] = (struct cons_fx_in){amt, d.fx};
		else if (d.fx <= 0)
			g->all_fx = false;
		if (rc == BS_OK && plan_cons_grow((void **)&g->mem, &g->capmem, g->nmem,
		                                  sizeof(*g->mem)) == BS_OK) {
			struct cons_mem *mm = &g->mem[g->nmem++];

			mm->kind = it->kind;
			buf_copy(mm->id, sizeof(mm->id), it->id);
			buf_copy(mm->date, sizeof(mm->date), m.date);
			mm->amount = amt;
		} else if (rc == BS_OK) {
			rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		}
	}
	record_doc_release(&d);
out:
	json_object_put(po);
	buf_free(&pbody);
	return rc;
}
