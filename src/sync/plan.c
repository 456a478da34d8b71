/*
 * plan.c - the planner (see plan.h).
 *
 * One pass over the candidates in dependency order.  Each record is read
 * from the store as canonical JSON, judged by rules_eligibility, and -- if
 * it is to be sent -- turned into ledger-neutral documents.  All amounts
 * are decided here: line amounts and rounding corrections (rules_rounding),
 * journal conversions (rules_journal_to_base), currency rates, tax codes and
 * accounts.  A document that cannot be built (no tax code for a rate, an
 * unknown account, a locked period) fails its record with the reason.
 */
#include "sync/plan.h"

#include "core/buf.h"
#include "core/grow.h"
#include "core/jsonr.h"
#include "core/jsonw.h"
#include "ledger/ledger.h"
#include "rules/rules.h"
#include "store/settings.h"
#include "sync/tabs.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_GROUP 500 /* records per transaction */

/*
 * Today's only ledger, Xero: the decimals it keeps and its tax codes
 * (DESIGN.md "Mapping to Xero"), in this one place.  The rules are handed
 * them as data; a connector will hand the planner its own through
 * plan_opts.ledger.
 */
static const struct rules_ledger plan_xero = {
    .unit_dp = 4,
    .amount_dp = 2,
    .tax_none = "NONE",
    .tax_sales = "OUTPUT2",
    .tax_purchases = "INPUT2",
};
#define PLAN_FULL 1 /* a callback's "stop: the chunk is full" */
/* the contacts one document may pull in: add_contacts' fields */
#define PLAN_CONTACTS_PER_DOC 4
_Static_assert(PLAN_CHUNK_MIN == PLAN_CONTACTS_PER_DOC + 1, "a document and its contacts");

/* Kinds in planning order: what others depend on comes first. */
static const enum record_kind plan_order[] = {
    RECORD_CUSTOMER,     RECORD_SUPPLIER,     RECORD_PRODUCT, RECORD_PURCHASE, RECORD_SALE,
    RECORD_CREDIT_NOTE,  RECORD_ADJUSTMENT,   RECORD_COGS,    RECORD_JOURNAL,  RECORD_MONEY_TASK,
    RECORD_GIFT_VOUCHER, RECORD_STORE_CREDIT, RECORD_PAYMENT,
};
_Static_assert(sizeof(plan_order) / sizeof(plan_order[0]) == RECORD_KIND_COUNT,
               "the walk visits every kind");

struct cand {
	int rank; /* index in plan_order */
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
};

struct planner {
	struct store *st;
	const struct plan_opts *o;
	const struct rules_ledger *ledger; /* what the target keeps and calls things */
	struct plan_stats *stats;
	struct bs_error *err;
	/* settings */
	struct buf set[16];
	bool no_payments, no_po;
	int base_dp;
	/* the ledger's chart and tax rates, read on connect */
	struct json_object *chart_json, *tax_json;
	struct rules_account *chart;
	size_t nchart;
	struct rules_tax_rate *rates;
	size_t nrates;
	/* products by sku: a line without an account takes its product's */
	struct prod {
		char *sku;
		char *sales, *purchases;
	} * prods;
	size_t nprods, capprods;
	/* the ledger's tracking categories and options (tracking:<target>) */
	struct json_object *tracking_json;
	/* tax.sales.<rate> / tax.purchases.<rate> / tax.zero_code settings */
	struct rules_tax_override ovr[32];
	char ovr_code[32][33];
	size_t novr;
	char zero_code[33];
	char lock_date[11];
	/* candidates: one chunk of at most `chunk` (plan.h), walked kind by
	 * kind in plan_order and by id within a kind, `after` the last id of
	 * the page before; a page is docs_cap records, leaving room for the
	 * contacts they pull in when the sync's tabs do not cover contacts */
	struct cand *cands;
	size_t ncands, capcands;
	size_t chunk, docs_cap;
	bool pull_contacts;
	char after[RECORD_ID_MAX + 1];
	const char *tabv[STORE_PAGE_TABS_MAX + 1];
	const char *const *tabs; /* NULL: every tab */
	bool tx_open;            /* a group of PLAN_GROUP records is open (not dry runs) */
	size_t in_tx;
	/* a store credit use/refund: which issued credits it draws on (FIFO) */
	struct sc_piece {
		char issued[RECORD_ID_MAX + 1];
		int64_t amount;
	} sc[8];
	size_t nsc;
	int64_t sc_short;          /* what no issued credit covers */
	bool no_doc;               /* build() found nothing to send: already in the ledger */
	enum sync_state cur_state; /* the record's state as planning began */
	const struct store_record_info *rec; /* the record being planned */
	struct self_link {                   /* and its links, as read (link_of) */
		char type[32];
		bool found;
		struct store_link link;
	} self[4];
	size_t nself;
	/* scratch, reused per record */
	struct buf in, doc, deps, desc, num;
	struct json_tokener *tok;
};

enum {
	S_PREFIX,
	S_STATUS,
	S_BASE,
	S_SALES,
	S_PURCHASES,
	S_COGS,
	S_INVENTORY,
	S_ADJUST,
	S_ROUNDING,
	S_BANK,
	S_GIFT,
	S_BREAKAGE,
	S_MTCONTACT,
	S_NSET
};

static const char *const set_keys[S_NSET] = {
    "reference_prefix",   "invoice_status", "base_currency",        "account.sales",
    "account.purchases",  "account.cogs",   "account.inventory",    "account.adjustment",
    "account.rounding",   "account.bank",   "account.gift_voucher", "account.breakage",
    "money_task_contact",
};

static const char *sv(const struct planner *p, int i)
{
	return buf_cstr(&p->set[i]);
}

/* ---- small JSON readers over canonical records ------------------------ */

static int64_t jfixed(struct json_object *o, const char *key, int scale)
{
	const char *s = jsonr_str(o, key);
	int64_t v = 0;

	if (s != NULL)
		money_parse_fixed(s, strlen(s), scale, scale, &v);
	return v;
}

static struct json_object *jarr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* Collect the tax-code settings (settings.c: the tax.* family). */
static int tax_setting_cb(void *arg, const char *key, const char *value)
{
	struct planner *p = arg;
	static const struct {
		const char *prefix;
		enum rules_direction dir;
	} fam[] = {{"tax.sales.", RULES_SALES}, {"tax.purchases.", RULES_PURCHASES}};

	if (strcmp(key, "tax.zero_code") == 0) {
		snprintf(p->zero_code, sizeof(p->zero_code), "%s", value);
		return 0;
	}
	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		size_t pl = strlen(fam[i].prefix);
		int64_t rate;

		if (strncmp(key, fam[i].prefix, pl) != 0 ||
		    money_parse_pct(key + pl, strlen(key + pl), &rate) != BS_OK ||
		    p->novr >= sizeof(p->ovr) / sizeof(p->ovr[0]))
			continue;
		snprintf(p->ovr_code[p->novr], sizeof(p->ovr_code[0]), "%s", value);
		p->ovr[p->novr].rate = rate;
		p->ovr[p->novr].dir = fam[i].dir;
		p->ovr[p->novr].code = p->ovr_code[p->novr];
		p->novr++;
	}
	return 0;
}

/* ---- products: a line without an account takes its product's ---------- */

static int prod_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prod *)a)->sku, ((const struct prod *)b)->sku);
}

static const struct prod *product_of(const struct planner *p, const char *sku)
{
	struct prod key = {0};

	if (sku == NULL || p->nprods == 0)
		return NULL;
	key.sku = (char *)(uintptr_t)sku;
	return bsearch(&key, p->prods, p->nprods, sizeof(*p->prods), prod_cmp);
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int prod_collect(void *arg, const char *id, const char *body)
{
	struct planner *p = arg;
	struct json_object *o = json_tokener_parse(body);
	const char *sku = jsonr_str(o, "sku");

	(void)id;
	if (o != NULL && sku != NULL) {
		if (grow_array(&p->prods, &p->capprods, p->nprods, 64, sizeof(*p->prods)) !=
		    BS_OK) {
			json_object_put(o);
			return BS_ENOMEM;
		}
		p->prods[p->nprods].sku = strdup(sku);
		p->prods[p->nprods].sales = dup_or_null(jsonr_str(o, "sales_account"));
		p->prods[p->nprods].purchases = dup_or_null(jsonr_str(o, "purchase_account"));
		if (p->prods[p->nprods].sku != NULL)
			p->nprods++;
	}
	json_object_put(o);
	return 0;
}

/* ---- the ledger context ------------------------------------------------ */

static int load_context(struct planner *p)
{
	struct buf v, key;
	int rc = BS_OK;

	buf_init(&v, (size_t)16 << 20);
	buf_init(&key, 512);
	for (int i = 0; i < S_NSET && rc == BS_OK; i++) {
		buf_init(&p->set[i], 4096);
		rc = settings_get(p->st, set_keys[i], &p->set[i], p->err);
	}
	if (rc == BS_OK && (rc = settings_get(p->st, "disable_payment_sync", &v, p->err)) == BS_OK)
		p->no_payments = strcmp(buf_cstr(&v), "true") == 0;
	if (rc == BS_OK && (rc = settings_get(p->st, "disable_po_sync", &v, p->err)) == BS_OK)
		p->no_po = strcmp(buf_cstr(&v), "true") == 0;
	if (rc != BS_OK)
		goto out;
	p->base_dp = money_currency_exponent(p->set[S_BASE].len ? sv(p, S_BASE) : "NZD");
	if (p->base_dp < 0)
		p->base_dp = 2;

	/* chart:<target> = [{"code","name","active"}] */
	buf_printf(&key, "chart:%s", p->o->target);
	if (store_setting_get(p->st, buf_cstr(&key), &v, NULL) == BS_OK)
		p->chart_json = json_tokener_parse(buf_cstr(&v));
	if (p->chart_json != NULL && json_object_is_type(p->chart_json, json_type_array)) {
		size_t n = json_object_array_length(p->chart_json);

		p->chart = calloc(n ? n : 1, sizeof(*p->chart));
		for (size_t i = 0; p->chart != NULL && i < n; i++) {
			struct json_object *a = json_object_array_get_idx(p->chart_json, i);

			p->chart[p->nchart].code = jsonr_str(a, "code");
			p->chart[p->nchart].name = jsonr_str(a, "name");
			p->chart[p->nchart].active = !jsonr_bool(a, "archived");
			if (p->chart[p->nchart].code != NULL)
				p->nchart++;
		}
	}
	/* taxrates:<target> = [{"code","name","rate","sales","purchases","active"}] */
	buf_reset(&key);
	buf_printf(&key, "taxrates:%s", p->o->target);
	if (store_setting_get(p->st, buf_cstr(&key), &v, NULL) == BS_OK)
		p->tax_json = json_tokener_parse(buf_cstr(&v));
	if (p->tax_json != NULL && json_object_is_type(p->tax_json, json_type_array)) {
		size_t n = json_object_array_length(p->tax_json);

		p->rates = calloc(n ? n : 1, sizeof(*p->rates));
		for (size_t i = 0; p->rates != NULL && i < n; i++) {
			struct json_object *t = json_object_array_get_idx(p->tax_json, i);
			struct rules_tax_rate *r = &p->rates[p->nrates];

			r->code = jsonr_str(t, "code");
			r->name = jsonr_str(t, "name");
			r->rate = jfixed(t, "rate", PCT_DP);
			r->sales = jsonr_bool(t, "sales");
			r->purchases = jsonr_bool(t, "purchases");
			r->active = jsonr_bool(t, "active");
			if (r->code != NULL)
				p->nrates++;
		}
	}
	if ((rc = store_settings_each(p->st, tax_setting_cb, p, p->err)) != BS_OK)
		goto out;
	if ((rc = store_records_each(p->st, RECORD_PRODUCT, prod_collect, p, p->err)) != BS_OK)
		goto out;
	if (p->nprods > 1)
		qsort(p->prods, p->nprods, sizeof(*p->prods), prod_cmp);
	buf_reset(&key);
	buf_printf(&key, "tracking:%s", p->o->target);
	if (store_setting_get(p->st, buf_cstr(&key), &v, NULL) == BS_OK)
		p->tracking_json = json_tokener_parse(buf_cstr(&v));
	buf_reset(&key);
	buf_printf(&key, "lockdate:%s", p->o->target);
	if (store_setting_get(p->st, buf_cstr(&key), &v, NULL) == BS_OK)
		snprintf(p->lock_date, sizeof(p->lock_date), "%s", buf_cstr(&v));
out:
	buf_free(&v);
	buf_free(&key);
	return rc;
}

/* ---- candidates, a chunk at a time ------------------------------------- */

static int rank_of(enum record_kind k)
{
	for (size_t i = 0; i < sizeof(plan_order) / sizeof(plan_order[0]); i++) {
		if (plan_order[i] == k)
			return (int)i;
	}
	return 99;
}

static void cand_set(struct cand *c, enum record_kind kind, const char *id)
{
	c->kind = kind;
	c->rank = rank_of(kind);
	snprintf(c->id, sizeof(c->id), "%s", id);
}

/* One more candidate in the chunk.  Its callers keep the bound (a page of
 * at most docs_cap records, at most PLAN_CONTACTS_PER_DOC contacts each):
 * going past it is a bug, not a reason to grow. */
static int cand_add(struct planner *p, enum record_kind kind, const char *id)
{
	if (p->ncands >= p->chunk)
		return bs_error_set(p->err, BS_EINTERNAL, "planner: a chunk over %zu candidates",
		                    p->chunk);
	if (grow_array(&p->cands, &p->capcands, p->ncands, 256, sizeof(*p->cands)) != BS_OK)
		return bs_error_set(p->err, BS_ENOMEM, "out of memory");
	cand_set(&p->cands[p->ncands++], kind, id);
	if (p->ncands > p->stats->held_max)
		p->stats->held_max = p->ncands;
	return BS_OK;
}

/* store_pending_keys_each: the whole set, stopping once it is over a chunk. */
static int key_to_cand(void *arg, enum record_kind kind, const char *id)
{
	struct planner *p = arg;

	if (p->ncands >= p->docs_cap)
		return PLAN_FULL;
	return cand_add(p, kind, id);
}

/* store_pending_page: one page, in id order. */
static int page_to_cand(void *arg, enum record_kind kind, const char *id)
{
	return cand_add(arg, kind, id);
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->id, y->id);
}

/* The contacts a document needs are synced whatever the tabs (DESIGN.md):
 * the chunk's documents pull in their pending contacts, which go first. */
static int add_contacts(struct planner *p)
{
	size_t n = p->ncands;
	int rc = BS_OK;

	for (size_t i = 0; i < n && rc == BS_OK; i++) {
		static const struct {
			const char *field;
			enum record_kind kind;
		} refs[PLAN_CONTACTS_PER_DOC] = {{"customer_id", RECORD_CUSTOMER},
		                                 {"supplier_id", RECORD_SUPPLIER},
		                                 {"contact_id", RECORD_CUSTOMER},
		                                 {"contact_id", RECORD_SUPPLIER}};
		struct json_object *o;
		enum record_kind k = p->cands[i].kind;

		if (k == RECORD_CUSTOMER || k == RECORD_SUPPLIER || k == RECORD_PRODUCT)
			continue;
		if (store_record_get(p->st, k, p->cands[i].id, NULL, &p->in, NULL) != BS_OK)
			continue;
		o = json_tokener_parse(buf_cstr(&p->in));
		for (size_t r = 0; o != NULL && r < sizeof(refs) / sizeof(refs[0]); r++) {
			const char *id = jsonr_str(o, refs[r].field);
			enum sync_state s;

			if (id == NULL || store_state_get(p->st, refs[r].kind, id, p->o->target, &s,
			                                  NULL, NULL) != BS_OK)
				continue;
			if (s == SYNC_NOT_IMPORTED || s == SYNC_CHANGED || s == SYNC_WAITING)
				rc = cand_add(p, refs[r].kind, id);
		}
		json_object_put(o);
	}
	return rc;
}

/*
 * The whole candidate set when it fits in one chunk, as an incremental
 * sync's does: read off the pending index, it costs the pending records
 * alone.  *fits is false (and nothing kept) when there are more.
 */
static int collect_small(struct planner *p, bool *fits)
{
	const struct plan_opts *o = p->o;
	int rc = BS_OK;

	*fits = true;
	if (o->nrefs > 0) {
		*fits = o->nrefs <= p->docs_cap;
		for (size_t i = 0; *fits && i < o->nrefs && rc == BS_OK; i++)
			rc = cand_add(p, o->refs[i].kind, o->refs[i].id);
	} else if (o->everything || o->tab != NULL) {
		rc = store_pending_keys_each(p->st, o->target, o->everything ? NULL : o->tab,
		                             key_to_cand, p, p->err);
	} else {
		size_t n;
		const struct tabs_def *t = tabs_all(&n);

		for (size_t i = 0; i < n && rc == BS_OK; i++) {
			if (t[i].sync_all)
				rc = store_pending_keys_each(p->st, o->target, t[i].name,
				                             key_to_cand, p, p->err);
		}
	}
	if (rc == PLAN_FULL) {
		*fits = false;
		rc = BS_OK;
	}
	if (!*fits)
		p->ncands = 0;
	return rc;
}

/*
 * Up to docs_cap of the caller's refs of `kind` after p->after, in id
 * order, duplicates once: a bounded selection over the list, which stays
 * the caller's and is never copied whole.
 */
static int refs_page(struct planner *p, enum record_kind kind)
{
	size_t have = 0;
	int rc = BS_OK;

	for (size_t i = 0; i < p->o->nrefs && rc == BS_OK; i++) {
		const char *id = p->o->refs[i].id;
		size_t lo = 0, hi = have;

		if (p->o->refs[i].kind != kind || strcmp(id, p->after) <= 0 ||
		    (have == p->docs_cap && strcmp(id, p->cands[have - 1].id) >= 0))
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(p->cands[mid].id, id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < have && strcmp(p->cands[lo].id, id) == 0)
			continue;
		/* room at the end: a new slot, or the largest id dropped */
		if (have < p->docs_cap && (rc = cand_add(p, kind, id)) == BS_OK)
			have++;
		if (rc == BS_OK) {
			memmove(&p->cands[lo + 1], &p->cands[lo],
			        (have - 1 - lo) * sizeof(*p->cands));
			cand_set(&p->cands[lo], kind, id);
		}
	}
	return rc;
}

/* ---- dependencies ------------------------------------------------------- */

static const char *ledger_type_of(enum record_kind k)
{
	switch (k) {
	case RECORD_CUSTOMER:
	case RECORD_SUPPLIER:
		return "Contact";
	case RECORD_PRODUCT:
		return "Item";
	case RECORD_CREDIT_NOTE:
	case RECORD_STORE_CREDIT: /* an issued credit; uses and refunds draw on it */
		return "CreditNote";
	case RECORD_PAYMENT:
		return "Payment";
	case RECORD_MONEY_TASK:
		return "BankTransaction";
	case RECORD_ADJUSTMENT:
	case RECORD_COGS:
	case RECORD_JOURNAL:
		return "ManualJournal";
	default:
		return "Invoice";
	}
}

/*
 * The ledger document this record becomes: by kind, and for vouchers and
 * store credits by event (a sale of a voucher is a journal, its redemption
 * a payment; a credit is issued as a credit note, used as an allocation,
 * refunded as a payment).  Whether the record is "linked" is asked of this
 * type, so a reset never posts a second document beside the first.
 */
static const char *self_type(enum record_kind k, struct json_object *o)
{
	const char *ev = jsonr_str(o, "event");

	if (k == RECORD_GIFT_VOUCHER)
		return ev != NULL && strcmp(ev, "redeemed") == 0 ? "Payment" : "ManualJournal";
	if (k == RECORD_STORE_CREDIT && ev != NULL && strcmp(ev, "used") == 0)
		return "Allocation";
	if (k == RECORD_STORE_CREDIT && ev != NULL && strcmp(ev, "refunded") == 0)
		return "Payment";
	return ledger_type_of(k);
}

/*
 * kind:id's link to its `type` document.  The record being planned asks
 * for its own links up to four times (facts, the operation, the serial):
 * they are read once per record and kept in p->self.  Any other link is
 * read into *tmp.  NULL when there is none.
 */
static const struct store_link *link_of(struct planner *p, enum record_kind k, const char *id,
                                        const char *type, struct store_link *tmp)
{
	struct self_link *c = NULL;
	bool found;

	if (p->rec != NULL && p->rec->kind == k && strcmp(p->rec->id, id) == 0) {
		for (size_t i = 0; i < p->nself; i++) {
			if (strcmp(p->self[i].type, type) == 0)
				return p->self[i].found ? &p->self[i].link : NULL;
		}
		if (p->nself < sizeof(p->self) / sizeof(p->self[0])) {
			c = &p->self[p->nself++];
			snprintf(c->type, sizeof(c->type), "%s", type);
			tmp = &c->link;
		}
	}
	found = store_link_get(p->st, p->o->target, k, id, type, tmp, NULL) == BS_OK;
	if (c != NULL)
		c->found = found;
	return found ? tmp : NULL;
}

static bool linked(struct planner *p, enum record_kind k, const char *id, const char *type)
{
	struct store_link tmp;
	const struct store_link *l = link_of(p, k, id, type, &tmp);

	return l != NULL && l->ledger_id[0] != '\0';
}

/* Fill a rules_dep for kind:id (its main ledger document). */
static void dep_fill(struct planner *p, struct rules_dep *d, const char *what, enum record_kind k,
                     const char *id, struct buf *reason)
{
	enum sync_state s;
	bool queued = false;

	d->what = what;
	d->id = id;
	d->skip_reason = NULL;
	if (linked(p, k, id, ledger_type_of(k))) {
		d->state = RULES_DEP_POSTED;
		return;
	}
	if (store_state_get(p->st, k, id, p->o->target, &s, reason, NULL) != BS_OK) {
		d->state = RULES_DEP_MISSING;
		return;
	}
	/* planned earlier in this run (or still queued): it goes first */
	store_outbox_has(p->st, p->o->target, k, id, &queued, NULL);
	if (queued || s == SYNC_QUEUED) {
		d->state = RULES_DEP_POSTED;
	} else if (s == SYNC_SKIPPED) {
		d->state = RULES_DEP_SKIPPED;
		d->skip_reason = buf_cstr(reason);
	} else {
		d->state = RULES_DEP_PENDING;
	}
}

/* Which kind a money task's contact_id names. */
static enum record_kind contact_kind(struct planner *p, const char *id)
{
	return store_record_get(p->st, RECORD_CUSTOMER, id, NULL, NULL, NULL) == BS_OK
	           ? RECORD_CUSTOMER
	           : RECORD_SUPPLIER;
}

static enum rules_status status_of(const char *s)
{
	if (s == NULL)
		return RULES_ST_NONE;
	if (strcmp(s, "open") == 0)
		return RULES_ST_OPEN;
	if (strcmp(s, "invoiced") == 0)
		return RULES_ST_INVOICED;
	if (strcmp(s, "paid") == 0)
		return RULES_ST_PAID;
	if (strcmp(s, "void") == 0)
		return RULES_ST_VOID;
	if (strcmp(s, "billed") == 0)
		return RULES_ST_BILLED;
	if (strcmp(s, "finished") == 0)
		return RULES_ST_FINISHED;
	return RULES_ST_NONE;
}

static enum rules_event event_of(const char *s)
{
	static const struct {
		const char *name;
		enum rules_event ev;
	} t[] = {{"sold", RULES_EV_SOLD},       {"redeemed", RULES_EV_REDEEMED},
	         {"expired", RULES_EV_EXPIRED}, {"issued", RULES_EV_ISSUED},
	         {"used", RULES_EV_USED},       {"refunded", RULES_EV_REFUNDED}};

	for (size_t i = 0; s != NULL && i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(s, t[i].name) == 0)
			return t[i].ev;
	}
	return RULES_EV_NONE;
}

/* ---- store credits: which issued credit a use draws on -------------------- */

/* A customer's store credit events, as the store has them. */
struct sc_event {
	char id[RECORD_ID_MAX + 1];
	char date[11];
	bool issued;
	int64_t amount;
};

struct sc_walk {
	const char *customer;
	struct sc_event *v;
	size_t n, cap;
};

static int sc_collect(void *arg, const char *id, const char *body)
{
	struct sc_walk *w = arg;
	struct json_object *o = json_tokener_parse(body);
	const char *cust = jsonr_str(o, "customer_id"), *ev = jsonr_str(o, "event");
	int rc = 0;

	if (o != NULL && cust != NULL && ev != NULL && strcmp(cust, w->customer) == 0) {
		if (grow_array(&w->v, &w->cap, w->n, 32, sizeof(*w->v)) != BS_OK) {
			json_object_put(o);
			return BS_ENOMEM;
		}
		snprintf(w->v[w->n].id, sizeof(w->v[0].id), "%s", id);
		snprintf(w->v[w->n].date, sizeof(w->v[0].date), "%s",
		         jsonr_str(o, "date") ? jsonr_str(o, "date") : "");
		w->v[w->n].issued = strcmp(ev, "issued") == 0;
		w->v[w->n].amount = jfixed(o, "amount", MONEY_DP);
		w->n++;
	}
	json_object_put(o);
	return rc;
}

/*
 * Which issued credits the use or refund `id` of `customer` draws on:
 * rules_store_credit_fifo over the customer's events.  Fills p->sc /
 * p->nsc (the first pieces, as many as fit) and p->sc_short.
 */
static int store_credit_fifo(struct planner *p, const char *id, const char *customer)
{
	struct sc_walk w = {customer, NULL, 0, 0};
	struct rules_credit_event *ev = NULL;
	struct rules_credit_draw draws[sizeof(p->sc) / sizeof(p->sc[0])];
	size_t nd = 0;
	int rc;

	p->nsc = 0;
	p->sc_short = 0;
	rc = store_records_each(p->st, RECORD_STORE_CREDIT, sc_collect, &w, p->err);
	if (rc != BS_OK)
		goto out;
	ev = calloc(w.n ? w.n : 1, sizeof(*ev));
	if (ev == NULL) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < w.n; i++)
		ev[i] = (struct rules_credit_event){w.v[i].id, w.v[i].date, w.v[i].issued,
		                                    w.v[i].amount};
	rc = rules_store_credit_fifo(ev, w.n, id, draws, sizeof(draws) / sizeof(draws[0]), &nd,
	                             &p->sc_short, p->err);
	for (size_t i = 0; rc == BS_OK && i < nd && i < sizeof(draws) / sizeof(draws[0]); i++) {
		snprintf(p->sc[i].issued, sizeof(p->sc[0].issued), "%s", draws[i].issued);
		p->sc[i].amount = draws[i].amount;
		p->nsc++;
	}
out:
	free(ev);
	free(w.v);
	return rc;
}

/* Reason buffers for dependencies (their skip reasons must outlive facts). */
struct depbufs {
	struct buf b[RULES_DEPS_MAX];
};

static void facts_fill(struct planner *p, enum record_kind kind, const char *id,
                       struct json_object *o, const struct store_record_info *info,
                       struct rules_facts *f, struct depbufs *db)
{
	const char *s;

	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->id = id;
	f->status = status_of(jsonr_str(o, "status"));
	f->event = event_of(jsonr_str(o, "event"));
	f->invoiced = jsonr_bool(o, "invoiced");
	f->total = info->total;
	f->amount = jfixed(o, "amount", MONEY_DP);
	f->amount_paid = f->status == RULES_ST_PAID ? info->total : 0;
	f->posted = linked(p, kind, id, self_type(kind, o));
	if (kind == RECORD_PURCHASE) {
		/* posted = linked to any ledger document; "as PO" while no bill
		 * exists yet, so the PO is marked billed once, with the bill */
		bool po = linked(p, kind, id, "PurchaseOrder");

		f->posted_as_po = po && !f->posted;
		f->posted = f->posted || po;
		f->has_supplier_invoice_no = jsonr_str(o, "supplier_invoice_no") != NULL;
		f->has_invoice_date = jsonr_str(o, "invoice_date") != NULL;
	}
#define DEP(what, k, field)                                                                        \
	do {                                                                                       \
		if ((s = jsonr_str(o, field)) != NULL && f->ndeps < RULES_DEPS_MAX) {              \
			dep_fill(p, &f->deps[f->ndeps], what, k, s, &db->b[f->ndeps]);             \
			f->ndeps++;                                                                \
		}                                                                                  \
	} while (0)
	DEP("customer", RECORD_CUSTOMER, "customer_id");
	DEP("supplier", RECORD_SUPPLIER, "supplier_id");
	if (jsonr_str(o, "contact_id") != NULL)
		DEP("contact", contact_kind(p, jsonr_str(o, "contact_id")), "contact_id");
	if (kind != RECORD_CREDIT_NOTE) {
		DEP("sale", RECORD_SALE, "sale_id");
		DEP("purchase", RECORD_PURCHASE, "purchase_id");
	}
	DEP("credit note", RECORD_CREDIT_NOTE, "credit_note_id");
#undef DEP
	if (kind == RECORD_STORE_CREDIT &&
	    (f->event == RULES_EV_USED || f->event == RULES_EV_REFUNDED) &&
	    jsonr_str(o, "customer_id") != NULL &&
	    store_credit_fifo(p, id, jsonr_str(o, "customer_id")) == BS_OK) {
		for (size_t i = 0; i < p->nsc && f->ndeps < RULES_DEPS_MAX; i++) {
			dep_fill(p, &f->deps[f->ndeps], "store credit", RECORD_STORE_CREDIT,
			         p->sc[i].issued, &db->b[f->ndeps]);
			f->ndeps++;
		}
		if (p->sc_short > 0 && f->ndeps < RULES_DEPS_MAX) {
			/* no issued credit covers it (yet): it waits for one */
			f->deps[f->ndeps].what = "an issued store credit of customer";
			f->deps[f->ndeps].id = jsonr_str(o, "customer_id");
			f->deps[f->ndeps].state = RULES_DEP_MISSING;
			f->deps[f->ndeps].skip_reason = NULL;
			f->ndeps++;
		}
	}
}

/* ---- document building -------------------------------------------------- */

static int fmt(struct buf *b, int64_t v, int scale, int min_dp)
{
	buf_reset(b);
	return money_format(b, v, scale, min_dp);
}

/* `"key":"<decimal>"` with a leading comma. */
static int put_dec(struct buf *out, const char *key, int64_t v, int scale, int min_dp)
{
	struct buf t;
	int rc;

	buf_init(&t, 64);
	rc = fmt(&t, v, scale, min_dp);
	if (rc == BS_OK)
		rc = jsonw_kv_str(out, 1, key, buf_cstr(&t));
	buf_free(&t);
	return rc;
}

static int put_opt(struct buf *out, const char *key, const char *value)
{
	return value != NULL ? jsonw_kv_str(out, 1, key, value) : BS_OK;
}

/* Start a document: {"type":..,"op":..,"self":"Type/kind:id","date":..} */
static int doc_begin(struct planner *p, const char *type, const char *op, enum record_kind kind,
                     const char *id, const char *date)
{
	char self[LEDGER_SYMBOL_MAX];
	int rc;

	buf_reset(&p->doc);
	buf_reset(&p->deps);
	snprintf(self, sizeof(self), "%s/%s:%s", type, record_kind_name(kind), id);
	rc = buf_addc(&p->doc, '{');
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 0, "type", type);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "op", op);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "self", self);
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "date", date);
	return rc;
}

/* A symbolic reference: written into the doc and listed in deps. */
static int put_sym(struct planner *p, const char *key, const char *type, enum record_kind kind,
                   const char *id)
{
	char sym[LEDGER_SYMBOL_MAX];
	int rc;

	snprintf(sym, sizeof(sym), "%s/%s:%s", type, record_kind_name(kind), id);
	rc = jsonw_kv_str(&p->doc, 1, key, sym);
	if (rc == BS_OK && p->deps.len > 0)
		rc = buf_addc(&p->deps, ' ');
	if (rc == BS_OK)
		rc = buf_addstr(&p->deps, sym);
	return rc;
}

/* Write the record's document into the outbox (or hand it to a dry run). */
static int doc_emit(struct planner *p, const char *type, const char *op)
{
	int rc = buf_addc(&p->doc, '}');

	if (rc != BS_OK)
		return rc;
	if (p->o->on_doc != NULL)
		p->o->on_doc(p->o->arg, p->rec->kind, p->rec->id, type, op, buf_cstr(&p->doc));
	p->stats->documents++;
	return store_outbox_add_rec(p->st, p->o->target, p->rec, type, op, buf_cstr(&p->doc),
	                            buf_cstr(&p->deps), p->o->now_ms, NULL, p->err);
}

static int tax_code(struct planner *p, int64_t rate, enum rules_direction dir, const char **code)
{
	struct rules_tax_ctx ctx = {p->ledger, p->rates, p->nrates,
	                            p->ovr,    p->novr,  p->zero_code[0] ? p->zero_code : NULL};

	return rules_tax_choose(&ctx, rate, dir, code, p->err);
}

/* A line's account: its own, else its product's for the direction, else
 * the setting (rules_account_code); checked against the chart when known. */
static int account_code_for(struct planner *p, const char *line_account, const char *sku,
                            int fallback, enum rules_direction dir, const char **code)
{
	const struct prod *pr = product_of(p, sku);
	struct rules_account_sources src = {line_account, pr ? pr->sales : NULL,
	                                    pr ? pr->purchases : NULL, sv(p, fallback),
	                                    set_keys[fallback]};

	if (p->nchart == 0) {
		const char *prod = pr == NULL           ? NULL
		                   : dir == RULES_SALES ? pr->sales
		                                        : pr->purchases;

		*code = line_account != NULL ? line_account : prod != NULL ? prod : sv(p, fallback);
		if ((*code)[0] == '\0')
			return bs_error_set(p->err, BS_EINVAL, "no account: set %s",
			                    set_keys[fallback]);
		return BS_OK;
	}
	return rules_account_code(&src, dir, p->chart, p->nchart, code, p->err);
}

static int account_code(struct planner *p, const char *line_account, int fallback,
                        enum rules_direction dir, const char **code)
{
	struct rules_account_sources src = {line_account, NULL, NULL, sv(p, fallback),
	                                    set_keys[fallback]};

	if (p->nchart == 0) {
		*code = line_account != NULL ? line_account : sv(p, fallback);
		if ((*code)[0] == '\0')
			return bs_error_set(p->err, BS_EINVAL, "no account: set %s",
			                    set_keys[fallback]);
		return BS_OK;
	}
	return rules_account_code(&src, dir, p->chart, p->nchart, code, p->err);
}

/* Document currency, its exponent, and the CurrencyRate text ("" = none). */
static int currency_of(struct planner *p, struct json_object *o, int64_t total, const char **cur,
                       int *dp, struct buf *rate)
{
	const char *c = jsonr_str(o, "currency");
	const char *fx = jsonr_str(o, "fx_rate");

	buf_reset(rate);
	*cur = c != NULL ? c : (p->set[S_BASE].len ? sv(p, S_BASE) : NULL);
	*dp = *cur != NULL ? money_currency_exponent(*cur) : p->base_dp;
	if (*dp < 0)
		*dp = 2;
	if (fx != NULL && c != NULL && strcmp(c, sv(p, S_BASE)) != 0) {
		struct rules_currency_rate cr;
		int64_t fxv;
		int rc = money_parse_fx(fx, strlen(fx), &fxv);

		if (rc == BS_OK)
			rc = rules_currency_rate(fxv, total, p->base_dp, &cr);
		if (rc != BS_OK)
			return bs_error_set(p->err, rc, "fx_rate %s cannot be used", fx);
		return money_format(rate, cr.rate, MONEY_DP, 6);
	}
	return BS_OK;
}

/*
 * A line's tracking, as far as the ledger has the category and option
 * (read on connect).  What it lacks is left out of the document and
 * counted, so the sync summary says so: never dropped in silence, and a
 * record is not failed for a category the organisation does not use.
 */
static int put_tracking(struct planner *p, struct json_object *line)
{
	struct json_object *tr;
	size_t kept = 0;
	int rc = BS_OK;

	if (!json_object_object_get_ex(line, "tracking", &tr) ||
	    !json_object_is_type(tr, json_type_object))
		return BS_OK;
	json_object_object_foreach(tr, name, opt)
	{
		const char *o = json_object_get_string(opt);
		bool known = false;

		for (size_t i = 0; p->tracking_json != NULL && o != NULL &&
		                   i < json_object_array_length(p->tracking_json) && !known;
		     i++) {
			struct json_object *c = json_object_array_get_idx(p->tracking_json, i), *os;
			const char *cn = jsonr_str(c, "name");

			if (cn == NULL || strcmp(cn, name) != 0 ||
			    !json_object_object_get_ex(c, "options", &os))
				continue;
			for (size_t j = 0; j < json_object_array_length(os); j++)
				known |=
				    strcmp(json_object_get_string(json_object_array_get_idx(os, j)),
				           o) == 0;
		}
		if (!known) {
			if (p->stats->tracking_dropped++ == 0)
				snprintf(p->stats->tracking_example,
				         sizeof(p->stats->tracking_example), "%s=%s", name,
				         o != NULL ? o : "");
			continue;
		}
		rc = buf_addstr(&p->doc, kept++ ? "," : ",\"tracking\":{");
		if (rc == BS_OK)
			rc = jsonw_str(&p->doc, name);
		if (rc == BS_OK)
			rc = buf_addc(&p->doc, ':');
		if (rc == BS_OK)
			rc = jsonw_str(&p->doc, o);
		if (rc != BS_OK)
			return rc;
	}
	return kept > 0 ? buf_addc(&p->doc, '}') : BS_OK;
}

/* The lines of an invoice / credit note / bill / PO, rounding included. */
static int put_doc_lines(struct planner *p, struct json_object *o, const char *price_key,
                         enum rules_direction dir, int cur_dp, bool fold, bool *corrected)
{
	struct json_object *lines = jarr(o, "lines");
	size_t n = lines != NULL ? json_object_array_length(lines) : 0;
	struct rules_line *in = calloc(n ? n : 1, sizeof(*in));
	struct rules_ledger_line *out = calloc(n ? n : 1, sizeof(*out));
	struct rules_rounding_in ri = {0};
	struct rules_rounding_out ro = {0};
	const char *mode = jsonr_str(o, "tax_mode");
	int rc = BS_OK;

	if (in == NULL || out == NULL) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);

		in[i].qty = jfixed(l, "qty", QTY_DP);
		in[i].unit_price = jfixed(l, price_key, MONEY_DP);
		in[i].discount_pct = jfixed(l, "discount_pct", PCT_DP);
		in[i].tax_rate = jfixed(l, "tax_rate", PCT_DP);
		in[i].description = jsonr_str(l, "description") != NULL
		                        ? jsonr_str(l, "description")
		                        : jsonr_str(l, "sku");
	}
	ri.lines = in;
	ri.nlines = n;
	ri.tax_mode = mode != NULL && strcmp(mode, "inclusive") == 0 ? MONEY_TAX_INCLUSIVE
	              : mode != NULL && strcmp(mode, "none") == 0    ? MONEY_TAX_NONE
	                                                             : MONEY_TAX_EXCLUSIVE;
	ri.currency_dp = cur_dp;
	ri.ledger_unit_dp = p->ledger->unit_dp;
	ri.ledger_amount_dp = p->ledger->amount_dp;
	ri.ledger_round = p->o->ledger_round;
	ri.fold_discount = fold;
	ri.rounding_account = sv(p, S_ROUNDING);
	ro.lines = out;
	ro.cap = n;
	buf_reset(&p->desc);
	if ((rc = rules_rounding(&ri, &ro, &p->desc, p->err)) != BS_OK)
		goto out;
	rc = buf_addstr(&p->doc, ",\"lines\":[");
	for (size_t i = 0; rc == BS_OK && i < ro.nlines; i++) {
		struct json_object *l = json_object_array_get_idx(lines, ro.lines[i].src);
		const char *tax = NULL, *acct = NULL;

		rc = tax_code(p, in[ro.lines[i].src].tax_rate, dir, &tax);
		if (rc == BS_OK)
			rc = account_code_for(p, jsonr_str(l, "account"), jsonr_str(l, "sku"),
			                      dir == RULES_SALES ? S_SALES : S_PURCHASES, dir,
			                      &acct);
		if (rc != BS_OK)
			break;
		rc = buf_addstr(&p->doc, i ? ",{" : "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 0, "description",
			                  ro.lines[i].description != NULL &&
			                          ro.lines[i].description[0] != '\0'
			                      ? ro.lines[i].description
			                      : "Item");
		if (rc == BS_OK)
			rc = put_dec(&p->doc, "quantity", ro.lines[i].qty, QTY_DP, 0);
		if (rc == BS_OK)
			rc = put_dec(&p->doc, "unit_amount", ro.lines[i].unit_amount, MONEY_DP, 2);
		if (rc == BS_OK && ro.lines[i].discount_pct != 0)
			rc = put_dec(&p->doc, "discount_rate", ro.lines[i].discount_pct, PCT_DP, 0);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "account", acct);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "tax_type", tax);
		if (rc == BS_OK)
			rc = put_dec(&p->doc, "line_amount", ro.lines[i].line_amount, MONEY_DP, 2);
		if (rc == BS_OK)
			rc = put_tracking(p, l);
		if (rc == BS_OK)
			rc = buf_addc(&p->doc, '}');
	}
	if (rc == BS_OK && ro.has_correction) {
		const char *acct = NULL;

		rc = account_code(p, NULL, S_ROUNDING, dir, &acct);
		if (rc == BS_OK)
			rc = buf_addstr(&p->doc, ro.nlines ? ",{" : "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 0, "description", RULES_ROUNDING_DESCRIPTION);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "quantity", "1");
		if (rc == BS_OK)
			rc = put_dec(&p->doc, "unit_amount", ro.correction, MONEY_DP, 2);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "account", acct);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "tax_type", p->ledger->tax_none);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "rounding", "true");
		if (rc == BS_OK)
			rc = buf_addc(&p->doc, '}');
		*corrected = true;
	}
	if (rc == BS_OK)
		rc = buf_addc(&p->doc, ']');
	if (rc == BS_OK)
		rc = put_dec(&p->doc, "expected_total", ro.ledger_total, MONEY_DP, 2);
	/* where a correction goes if the ledger's total still differs after
	 * posting (dispatch.c: the post-hoc update) */
	if (rc == BS_OK) {
		const char *racct = NULL;

		if (account_code(p, NULL, S_ROUNDING, dir, &racct) == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "rounding_account", racct);
		bs_error_clear(p->err);
	}
	if (rc == BS_OK && ro.residual != 0)
		rc = put_dec(&p->doc, "residual", ro.residual, MONEY_DP, 2);
out:
	free(in);
	free(out);
	return rc;
}

static int check_lock(struct planner *p, const char *date)
{
	if (p->lock_date[0] == '\0' || date == NULL)
		return BS_OK;
	return rules_date_lock(date, p->lock_date, p->err);
}

/*
 * The unique reference of kind:id's `type` document into p->num (seeds/000):
 * prefix + serial + "-" + ref, the serial allocated once per record and
 * target and kept, so a retry carries the same number.
 */
static int unique_number(struct planner *p, enum record_kind kind, const char *id, const char *type,
                         const char *ref)
{
	int64_t serial = 0;
	bool cut = false;
	struct store_link tmp;
	const struct store_link *l = link_of(p, kind, id, type, &tmp);
	int rc = BS_OK;

	if (l != NULL && l->serial > 0)
		serial = l->serial;
	else
		rc = store_serial(p->st, p->o->target, kind, id, type, p->o->now_ms, &serial,
		                  p->err);

	buf_reset(&p->num);
	if (rc == BS_OK)
		rc = rules_unique_reference(&p->num, sv(p, S_PREFIX), (uint64_t)serial, ref, 255,
		                            &cut, p->err);
	return rc;
}

/* Sales invoices, bills, credit notes and purchase orders. */
static int build_document(struct planner *p, enum record_kind kind, const char *id,
                          struct json_object *o, const struct store_record_info *info,
                          const char *type, bool purchases, const char *op)
{
	enum rules_direction dir = purchases ? RULES_PURCHASES : RULES_SALES;
	const char *date = jsonr_str(o, "invoice_date") != NULL ? jsonr_str(o, "invoice_date")
	                                                        : jsonr_str(o, "date");
	const char *cur = NULL, *mode = jsonr_str(o, "tax_mode");
	struct buf rate;
	bool corrected = false, is_po = strcmp(type, "PurchaseOrder") == 0;
	int cur_dp = 2, rc;

	if (is_po)
		date = jsonr_str(o, "date");
	if ((rc = check_lock(p, date)) != BS_OK)
		return rc;
	buf_init(&rate, 64);
	rc = currency_of(p, o, info->total, &cur, &cur_dp, &rate);
	if (rc == BS_OK)
		rc = doc_begin(p, type, op, kind, id, date);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "subtype", purchases ? "purchases" : "sales");
	if (rc == BS_OK) {
		if (jsonr_str(o, "customer_id") != NULL)
			rc = put_sym(p, "contact", "Contact", RECORD_CUSTOMER,
			             jsonr_str(o, "customer_id"));
		else if (jsonr_str(o, "supplier_id") != NULL)
			rc = put_sym(p, "contact", "Contact", RECORD_SUPPLIER,
			             jsonr_str(o, "supplier_id"));
	}
	/* The number: the unique reference for sales documents (seeds/000),
	 * supplier invoice number / purchase reference for bills (seeds/004). */
	if (rc == BS_OK) {
		const char *ref =
		    jsonr_str(o, "reference") != NULL ? jsonr_str(o, "reference") : id;
		bool cut = false;

		buf_reset(&p->num);
		if (is_po) {
			rc = buf_addstr(&p->num, ref);
		} else if (purchases && kind == RECORD_PURCHASE) {
			rc = rules_bill_number(&p->num, jsonr_str(o, "supplier_invoice_no"), ref,
			                       255, &cut, p->err);
		} else if (purchases) {
			rc = buf_addstr(&p->num, ref);
		} else {
			rc = unique_number(p, kind, id, type, ref);
		}
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "number", buf_cstr(&p->num));
		if (rc == BS_OK)
			rc = put_opt(&p->doc, "reference", ref);
	}
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "due_date", jsonr_str(o, "due_date"));
	if (rc == BS_OK && is_po)
		rc = put_opt(&p->doc, "delivery_date", jsonr_str(o, "dispatch_date"));
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "currency", cur);
	if (rc == BS_OK && rate.len > 0)
		rc = jsonw_kv_str(&p->doc, 1, "currency_rate", buf_cstr(&rate));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "status", is_po ? "AUTHORISED" : sv(p, S_STATUS));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "amounts", mode != NULL ? mode : "exclusive");
	if (rc == BS_OK)
		/* purchases price lines in unit_cost; credit notes, either side, in
		 * unit_price ("as sale", spec/RECORDS.md) */
		rc = put_doc_lines(p, o, kind == RECORD_PURCHASE ? "unit_cost" : "unit_price", dir,
		                   cur_dp, strcmp(type, "CreditNote") == 0, &corrected);
	if (rc == BS_OK && corrected)
		p->stats->corrections++;
	buf_free(&rate);
	return rc;
}

/* A manual journal from signed base-currency amounts (+debit, -credit). */
struct jline {
	const char *account;
	int64_t amount;
	const char *description;
};

static int build_journal(struct planner *p, enum record_kind kind, const char *id, const char *date,
                         const char *narration, const struct jline *l, size_t n)
{
	struct buf nar;
	int rc;

	if ((rc = check_lock(p, date)) != BS_OK)
		return rc;
	buf_init(&nar, 1024);
	/* the record's identity in the narration is the natural key (DESIGN.md) */
	rc = buf_printf(&nar, "%s [%s:%s]", narration, record_kind_name(kind), id);
	if (rc == BS_OK)
		rc = doc_begin(p, "ManualJournal", "create", kind, id, date);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "narration", buf_cstr(&nar));
	if (rc == BS_OK)
		rc = buf_addstr(&p->doc, ",\"lines\":[");
	for (size_t i = 0, w = 0; rc == BS_OK && i < n; i++) {
		if (l[i].amount == 0)
			continue;
		rc = buf_addstr(&p->doc, w++ ? ",{" : "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 0, "account", l[i].account);
		if (rc == BS_OK)
			rc = put_dec(&p->doc, "amount", l[i].amount, MONEY_DP, 2);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "description",
			                  l[i].description ? l[i].description : narration);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "tax_type", p->ledger->tax_none);
		if (rc == BS_OK)
			rc = buf_addc(&p->doc, '}');
	}
	if (rc == BS_OK)
		rc = buf_addc(&p->doc, ']');
	buf_free(&nar);
	return rc;
}

static int64_t round_base(struct planner *p, int64_t v)
{
	int64_t r = v;

	money_round(v, MONEY_DP, p->base_dp, MONEY_HALF_AWAY, &r);
	return r;
}

static int build_adjustment(struct planner *p, const char *id, struct json_object *o)
{
	struct json_object *lines = jarr(o, "lines");
	size_t n = lines ? json_object_array_length(lines) : 0;
	struct jline *jl = calloc(2 * n + 1, sizeof(*jl));
	const char *ref = jsonr_str(o, "reference");
	char nar[300];
	int rc = BS_OK;

	if (jl == NULL)
		return bs_error_set(p->err, BS_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && rc == BS_OK; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);
		int64_t amt = 0;

		rc = money_line_amount(jfixed(l, "qty", QTY_DP), jfixed(l, "unit_cost", MONEY_DP),
		                       0, p->base_dp, MONEY_HALF_AWAY, &amt);
		jl[2 * i] = (struct jline){sv(p, S_INVENTORY), amt, jsonr_str(l, "sku")};
		jl[2 * i + 1] = (struct jline){jsonr_str(l, "account") ? jsonr_str(l, "account")
		                                                       : sv(p, S_ADJUST),
		                               -amt, jsonr_str(l, "sku")};
	}
	snprintf(nar, sizeof(nar), "Stock adjustment %s", ref ? ref : id);
	if (rc == BS_OK)
		rc = build_journal(p, RECORD_ADJUSTMENT, id, jsonr_str(o, "date"), nar, jl, 2 * n);
	free(jl);
	return rc;
}

static int build_cogs(struct planner *p, const char *id, struct json_object *o)
{
	struct json_object *lines = jarr(o, "lines");
	size_t n = lines ? json_object_array_length(lines) : 0;
	bool ret = jsonr_str(o, "credit_note_id") != NULL;
	int64_t total = 0;
	char nar[300];
	struct jline jl[2];

	for (size_t i = 0; i < n; i++)
		total +=
		    round_base(p, jfixed(json_object_array_get_idx(lines, i), "cost", MONEY_DP));
	/* a sale moves cost from inventory to COGS; a return moves it back */
	jl[0] = (struct jline){sv(p, S_COGS), ret ? -total : total, NULL};
	jl[1] = (struct jline){sv(p, S_INVENTORY), ret ? total : -total, NULL};
	snprintf(nar, sizeof(nar), "COGS for %s %s", ret ? "credit note" : "sale",
	         ret ? jsonr_str(o, "credit_note_id") : jsonr_str(o, "sale_id"));
	return build_journal(p, RECORD_COGS, id, jsonr_str(o, "date"), nar, jl, 2);
}

static int build_source_journal(struct planner *p, const char *id, struct json_object *o)
{
	struct json_object *lines = jarr(o, "lines");
	size_t n = lines ? json_object_array_length(lines) : 0;
	int64_t *amt = calloc(n + 1, sizeof(*amt)), *base = calloc(n + 1, sizeof(*base));
	struct jline *jl = calloc(n + 1, sizeof(*jl));
	const char *cur = jsonr_str(o, "currency"), *fx = jsonr_str(o, "fx_rate");
	const char *ref = jsonr_str(o, "reference");
	char nar[300];
	int rc = BS_OK;

	if (amt == NULL || base == NULL || jl == NULL) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);

		amt[i] = jfixed(l, "debit", MONEY_DP) - jfixed(l, "credit", MONEY_DP);
		jl[i].account = jsonr_str(l, "account");
		jl[i].description = jsonr_str(l, "description");
	}
	if (cur != NULL && fx != NULL && strcmp(cur, sv(p, S_BASE)) != 0) {
		int64_t fxv;

		rc = money_parse_fx(fx, strlen(fx), &fxv);
		if (rc == BS_OK)
			rc = rules_journal_to_base(amt, n, fxv, p->base_dp, base, p->err);
	} else {
		memcpy(base, amt, n * sizeof(*amt));
	}
	for (size_t i = 0; i < n; i++)
		jl[i].amount = base[i];
	snprintf(nar, sizeof(nar), "Journal %s", ref ? ref : id);
	if (rc == BS_OK)
		rc = build_journal(p, RECORD_JOURNAL, id, jsonr_str(o, "date"), nar, jl, n);
out:
	free(amt);
	free(base);
	free(jl);
	return rc;
}

static int build_payment_doc(struct planner *p, enum record_kind kind, const char *id,
                             struct json_object *o, const char *doc_type, enum record_kind doc_kind,
                             const char *doc_id, const char *account, int64_t amount)
{
	struct buf a;
	int rc = check_lock(p, jsonr_str(o, "date"));

	buf_init(&a, 64);
	if (rc == BS_OK)
		rc = doc_begin(p, "Payment", "create", kind, id, jsonr_str(o, "date"));
	if (rc == BS_OK)
		rc = put_sym(p, "document", doc_type, doc_kind, doc_id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "account", account);
	if (rc == BS_OK)
		rc = put_dec(&p->doc, "amount", amount, MONEY_DP, 2);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "reference", id);
	/* a payment in another currency at its own rate (1 / fx_rate, 6 dp) */
	if (rc == BS_OK) {
		const char *cur = NULL;
		int dp = 2;

		rc = currency_of(p, o, amount, &cur, &dp, &a);
		if (rc == BS_OK && a.len > 0)
			rc = jsonw_kv_str(&p->doc, 1, "currency_rate", buf_cstr(&a));
	}
	buf_free(&a);
	return rc;
}

static int build_payment(struct planner *p, const char *id, struct json_object *o)
{
	const char *acct = jsonr_str(o, "account") ? jsonr_str(o, "account") : sv(p, S_BANK);
	int64_t amount = jfixed(o, "amount", MONEY_DP);

	if (jsonr_str(o, "credit_note_id") != NULL)
		return build_payment_doc(p, RECORD_PAYMENT, id, o, "CreditNote", RECORD_CREDIT_NOTE,
		                         jsonr_str(o, "credit_note_id"), acct, amount);
	if (jsonr_bool(o, "is_refund"))
		return bs_error_set(p->err, BS_EINVAL,
		                    "a refund must name the credit note it pays out "
		                    "(credit_note_id): Xero takes no negative payment on an "
		                    "invoice");
	if (jsonr_str(o, "purchase_id") != NULL)
		return build_payment_doc(p, RECORD_PAYMENT, id, o, "Invoice", RECORD_PURCHASE,
		                         jsonr_str(o, "purchase_id"), acct, amount);
	return build_payment_doc(p, RECORD_PAYMENT, id, o, "Invoice", RECORD_SALE,
	                         jsonr_str(o, "sale_id"), acct, amount);
}

static int build_money_task(struct planner *p, const char *id, struct json_object *o)
{
	struct json_object *lines = jarr(o, "lines");
	size_t n = lines ? json_object_array_length(lines) : 0;
	const char *dir = jsonr_str(o, "direction"), *mode = jsonr_str(o, "tax_mode");
	enum rules_direction rd =
	    dir != NULL && strcmp(dir, "spend") == 0 ? RULES_PURCHASES : RULES_SALES;
	int rc = check_lock(p, jsonr_str(o, "date"));

	if (rc == BS_OK)
		rc = doc_begin(p, "BankTransaction", "create", RECORD_MONEY_TASK, id,
		               jsonr_str(o, "date"));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "direction", dir ? dir : "receive");
	if (rc == BS_OK) {
		const char *c = jsonr_str(o, "contact_id");

		if (c != NULL)
			rc = put_sym(p, "contact", "Contact", contact_kind(p, c), c);
		else
			rc = jsonw_kv_str(&p->doc, 1, "contact_name", sv(p, S_MTCONTACT));
	}
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "bank_account",
		                  jsonr_str(o, "bank_account") ? jsonr_str(o, "bank_account")
		                                               : sv(p, S_BANK));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "reference", id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "amounts", mode ? mode : "exclusive");
	if (rc == BS_OK)
		rc = buf_addstr(&p->doc, ",\"lines\":[");
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);
		const char *tax = NULL, *acct = NULL;

		rc = tax_code(p, jfixed(l, "tax_rate", PCT_DP), rd, &tax);
		if (rc == BS_OK)
			rc = account_code(p, jsonr_str(l, "account"),
			                  rd == RULES_SALES ? S_SALES : S_PURCHASES, rd, &acct);
		if (rc == BS_OK)
			rc = buf_addstr(&p->doc, i ? ",{" : "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 0, "description",
			                  jsonr_str(l, "description") ? jsonr_str(l, "description")
			                                              : "Money task");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "account", acct);
		if (rc == BS_OK)
			rc = put_dec(&p->doc, "amount", jfixed(l, "amount", MONEY_DP), MONEY_DP, 2);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->doc, 1, "tax_type", tax);
		if (rc == BS_OK)
			rc = buf_addc(&p->doc, '}');
	}
	if (rc == BS_OK)
		rc = buf_addc(&p->doc, ']');
	return rc;
}

static int build_gift_voucher(struct planner *p, const char *id, struct json_object *o,
                              const char **type)
{
	const char *ev = jsonr_str(o, "event"), *code = jsonr_str(o, "code");
	int64_t amount = jfixed(o, "amount", MONEY_DP);
	const char *cur = jsonr_str(o, "currency"), *fx = jsonr_str(o, "fx_rate");
	struct jline jl[2];
	char nar[300];

	if (p->set[S_GIFT].len == 0)
		return bs_error_set(p->err, BS_EINVAL,
		                    "no gift voucher liability account: set account.gift_voucher");
	if (ev != NULL && strcmp(ev, "redeemed") == 0) {
		*type = "Payment";
		return build_payment_doc(p, RECORD_GIFT_VOUCHER, id, o, "Invoice", RECORD_SALE,
		                         jsonr_str(o, "sale_id"), sv(p, S_GIFT), amount);
	}
	*type = "ManualJournal";
	if (cur != NULL && fx != NULL && strcmp(cur, sv(p, S_BASE)) != 0) {
		int64_t fxv = 0;

		if (money_parse_fx(fx, strlen(fx), &fxv) == BS_OK)
			money_convert(amount, fxv, p->base_dp, MONEY_HALF_AWAY, &amount);
	}
	if (ev != NULL && strcmp(ev, "expired") == 0) {
		jl[0] = (struct jline){sv(p, S_GIFT), amount, NULL};
		jl[1] = (struct jline){sv(p, S_BREAKAGE), -amount, NULL};
	} else {
		jl[0] = (struct jline){sv(p, S_BANK), amount, NULL};
		jl[1] = (struct jline){sv(p, S_GIFT), -amount, NULL};
	}
	snprintf(nar, sizeof(nar), "Gift voucher %s %s", code ? code : id, ev ? ev : "sold");
	return build_journal(p, RECORD_GIFT_VOUCHER, id, jsonr_str(o, "date"), nar, jl, 2);
}

static int build_store_credit(struct planner *p, const char *id, struct json_object *o,
                              const char **type)
{
	const char *ev = jsonr_str(o, "event");
	int64_t amount = jfixed(o, "amount", MONEY_DP);
	const char *acct = NULL;
	int rc = BS_OK;

	if (ev != NULL && strcmp(ev, "refunded") == 0) {
		/* paid back out of the issued credit(s): a refund payment on each */
		*type = "Payment";
		for (size_t i = 0; i < p->nsc; i++) {
			if (i > 0 && (rc = doc_emit(p, "Payment", "create")) != BS_OK)
				return rc;
			rc = build_payment_doc(p, RECORD_STORE_CREDIT, id, o, "CreditNote",
			                       RECORD_STORE_CREDIT, p->sc[i].issued, sv(p, S_BANK),
			                       p->sc[i].amount);
			if (rc != BS_OK)
				return rc;
		}
		return p->nsc > 0
		           ? BS_OK
		           : bs_error_set(p->err, BS_EINVAL, "no issued store credit to refund");
	}
	if (ev != NULL && strcmp(ev, "used") == 0) {
		/* applied to the sale's invoice: an allocation per credit drawn on */
		*type = "Allocation";
		for (size_t i = 0; i < p->nsc; i++) {
			if (i > 0 && (rc = doc_emit(p, "Allocation", "create")) != BS_OK)
				return rc;
			rc = doc_begin(p, "Allocation", "create", RECORD_STORE_CREDIT, id,
			               jsonr_str(o, "date"));
			if (rc == BS_OK)
				rc = put_sym(p, "credit_note", "CreditNote", RECORD_STORE_CREDIT,
				             p->sc[i].issued);
			if (rc == BS_OK)
				rc = put_sym(p, "invoice", "Invoice", RECORD_SALE,
				             jsonr_str(o, "sale_id"));
			if (rc == BS_OK)
				rc = put_dec(&p->doc, "amount", p->sc[i].amount, MONEY_DP, 2);
			if (rc != BS_OK)
				return rc;
		}
		return p->nsc > 0
		           ? BS_OK
		           : bs_error_set(p->err, BS_EINVAL, "no issued store credit to use");
	}
	*type = "CreditNote";
	if ((rc = check_lock(p, jsonr_str(o, "date"))) != BS_OK)
		return rc;
	rc = account_code(p, NULL, S_SALES, RULES_SALES, &acct);
	if (rc == BS_OK)
		rc = doc_begin(p, "CreditNote", "create", RECORD_STORE_CREDIT, id,
		               jsonr_str(o, "date"));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "subtype", "sales");
	if (rc == BS_OK)
		rc = put_sym(p, "contact", "Contact", RECORD_CUSTOMER, jsonr_str(o, "customer_id"));
	if (rc == BS_OK)
		rc = unique_number(p, RECORD_STORE_CREDIT, id, "CreditNote", id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "number", buf_cstr(&p->num));
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "currency", jsonr_str(o, "currency"));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "status", sv(p, S_STATUS));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "amounts", "none");
	if (rc == BS_OK)
		rc = buf_addstr(&p->doc, ",\"lines\":[{");
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 0, "description", "Store credit");
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "quantity", "1");
	if (rc == BS_OK)
		rc = put_dec(&p->doc, "unit_amount", amount, MONEY_DP, 2);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "account", acct);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->doc, 1, "tax_type", p->ledger->tax_none);
	if (rc == BS_OK)
		rc = buf_addstr(&p->doc, "}]");
	if (rc == BS_OK)
		rc = put_dec(&p->doc, "expected_total", amount, MONEY_DP, 2);
	return rc;
}

static int build_contact(struct planner *p, enum record_kind kind, const char *id,
                         struct json_object *o, const char *op)
{
	struct json_object *addr;
	int rc = doc_begin(p, "Contact", op, kind, id, NULL);

	if (rc == BS_OK)
		rc = put_opt(&p->doc, "name", jsonr_str(o, "name"));
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "email", jsonr_str(o, "email"));
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "phone", jsonr_str(o, "phone"));
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "tax_number", jsonr_str(o, "tax_number"));
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "currency", jsonr_str(o, "currency"));
	if (rc == BS_OK && json_object_object_get_ex(o, "address", &addr) &&
	    json_object_is_type(addr, json_type_object)) {
		rc = buf_addstr(&p->doc, ",\"address\":");
		if (rc == BS_OK)
			rc = buf_addstr(
			    &p->doc, json_object_to_json_string_ext(addr, JSON_C_TO_STRING_PLAIN));
	}
	return rc;
}

static int build_item(struct planner *p, const char *id, struct json_object *o, const char *op)
{
	const char *name = jsonr_str(o, "name") ? jsonr_str(o, "name") : jsonr_str(o, "sku");
	size_t nb = 0;
	bool cut = false;
	int rc = doc_begin(p, "Item", op, RECORD_PRODUCT, id, NULL);

	if (rc == BS_OK)
		rc = put_opt(&p->doc, "code", jsonr_str(o, "sku"));
	/* Item.Name is at most 50 characters in Xero (FACTS.md §6) */
	if (rc == BS_OK && name != NULL &&
	    rules_utf8_prefix(name, strlen(name), 50, &nb, &cut) == BS_OK) {
		rc = buf_addstr(&p->doc, ",\"name\":");
		if (rc == BS_OK)
			rc = jsonw_strn(&p->doc, name, nb);
	}
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "description", jsonr_str(o, "name"));
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "sales_account", jsonr_str(o, "sales_account"));
	if (rc == BS_OK)
		rc = put_opt(&p->doc, "purchase_account", jsonr_str(o, "purchase_account"));
	return rc;
}

/* Build and write every document the decision calls for. */
static int build(struct planner *p, enum record_kind kind, const char *id, struct json_object *o,
                 const struct store_record_info *info, const struct rules_decision *d)
{
	const char *type = self_type(kind, o);
	const char *op = "create";
	int rc;

	if (linked(p, kind, id, type))
		op = "update";
	/*
	 * Xero edits neither payments nor allocations.  A linked one is not
	 * sent again: after a reset or a resync it is already in the ledger;
	 * with new content it fails with what to do (never a second copy).
	 */
	if (strcmp(op, "update") == 0 &&
	    (strcmp(type, "Payment") == 0 || strcmp(type, "Allocation") == 0)) {
		p->no_doc = true;
		if (p->cur_state == SYNC_CHANGED)
			return bs_error_set(p->err, BS_ESTATE,
			                    "Xero cannot edit a %s: delete it in Xero, then reset "
			                    "this record to post the new one",
			                    strcmp(type, "Payment") == 0 ? "payment"
			                                                 : "allocation");
		return BS_OK;
	}
	switch (kind) {
	case RECORD_CUSTOMER:
	case RECORD_SUPPLIER:
		rc = build_contact(p, kind, id, o, op);
		break;
	case RECORD_PRODUCT:
		rc = build_item(p, id, o, op);
		break;
	case RECORD_SALE:
		if (d->action == RULES_ACT_VOID) {
			rc = doc_begin(p, "Invoice", "void", kind, id, jsonr_str(o, "date"));
			op = "void";
			break;
		}
		rc = build_document(p, kind, id, o, info, "Invoice", false, op);
		break;
	case RECORD_CREDIT_NOTE:
		rc = build_document(p, kind, id, o, info, "CreditNote",
		                    jsonr_str(o, "supplier_id") != NULL, op);
		break;
	case RECORD_PURCHASE:
		if (d->action == RULES_ACT_PURCHASE_ORDER) {
			type = "PurchaseOrder";
			op = linked(p, kind, id, type) ? "update" : "create";
			rc = build_document(p, kind, id, o, info, type, true, op);
			break;
		}
		op = linked(p, kind, id, "Invoice") ? "update" : "create";
		rc = build_document(p, kind, id, o, info, "Invoice", true, op);
		if (rc == BS_OK && d->action == RULES_ACT_BILL_FROM_PO) {
			/* the bill goes out, then its purchase order is marked billed */
			if ((rc = doc_emit(p, "Invoice", op)) != BS_OK)
				return rc;
			rc = doc_begin(p, "PurchaseOrder", "status", kind, id, NULL);
			if (rc == BS_OK)
				rc = jsonw_kv_str(&p->doc, 1, "status", "BILLED");
			type = "PurchaseOrder";
			op = "status";
		}
		break;
	case RECORD_PAYMENT:
		rc = build_payment(p, id, o);
		break;
	case RECORD_ADJUSTMENT:
		rc = build_adjustment(p, id, o);
		break;
	case RECORD_COGS:
		rc = build_cogs(p, id, o);
		break;
	case RECORD_JOURNAL:
		rc = build_source_journal(p, id, o);
		break;
	case RECORD_MONEY_TASK:
		rc = build_money_task(p, id, o);
		break;
	case RECORD_GIFT_VOUCHER:
		rc = build_gift_voucher(p, id, o, &type);
		break;
	case RECORD_STORE_CREDIT:
		rc = build_store_credit(p, id, o, &type);
		break;
	default:
		rc = bs_error_set(p->err, BS_EUNSUPPORTED, "nothing to post for %s",
		                  record_kind_name(kind));
	}
	if (rc == BS_OK)
		rc = doc_emit(p, type, op);
	return rc;
}

/* ---- one record --------------------------------------------------------- */

static void verdict(struct planner *p, enum record_kind kind, const char *id, enum sync_state s,
                    const char *reason)
{
	if (p->o->on_verdict != NULL)
		p->o->on_verdict(p->o->arg, kind, id, s, reason);
}

/* Move the record being planned through ev. */
static int apply(struct planner *p, enum sync_event ev, const char *reason)
{
	struct store_actor who = {"sync", p->o->now_ms};

	return store_state_apply_rec(p->st, p->rec, p->o->target, ev, reason, &who, NULL, p->err);
}

static int plan_one(struct planner *p, const struct cand *c)
{
	struct store_record_info info;
	struct rules_facts f;
	struct rules_decision d;
	struct rules_settings rs = {p->no_payments, p->no_po};
	struct depbufs db;
	struct json_object *o = NULL;
	struct bs_error e;
	enum sync_state cur;
	int rc;

	for (int i = 0; i < RULES_DEPS_MAX; i++)
		buf_init(&db.b[i], 1024);
	rc = store_record_get_on(p->st, c->kind, c->id, p->o->target, &info, &p->in, &cur, p->err);
	if (rc == BS_ENOTFOUND) {
		verdict(p, c->kind, c->id, SYNC_NOT_IMPORTED, "no such record");
		rc = BS_OK;
		goto out;
	}
	if (rc != BS_OK)
		goto out;
	p->rec = &info;
	p->nself = 0;
	p->stats->considered++;
	if (cur == SYNC_QUEUED || cur == SYNC_CONSOLIDATED ||
	    (!p->o->resync && (cur == SYNC_IMPORTED || cur == SYNC_ERROR || cur == SYNC_SKIPPED) &&
	     p->o->nrefs > 0)) {
		verdict(p, c->kind, c->id, cur,
		        cur == SYNC_ERROR ? "in error: fix it, then resync or reset it"
		                          : "nothing to upload");
		goto out;
	}
	json_tokener_reset(p->tok);
	o = json_tokener_parse_ex(p->tok, buf_cstr(&p->in), (int)p->in.len);
	if (o == NULL) {
		rc = bs_error_set(p->err, BS_ESTORE, "%s %s: stored body is not JSON",
		                  record_kind_name(c->kind), c->id);
		goto out;
	}
	facts_fill(p, c->kind, c->id, o, &info, &f, &db);
	bs_error_clear(&e);
	if (rules_eligibility(&f, &rs, &d, &e) != BS_OK) {
		d.verdict = RULES_SKIP;
		snprintf(d.reason, sizeof(d.reason), "%.250s", e.msg);
	}
	{
		/* Ask the state machine first: a refused event writes nothing, so a
		 * group of records can share one transaction (plan_run). */
		enum sync_event ev = d.verdict == RULES_SKIP   ? SYNC_EV_SKIP
		                     : d.verdict == RULES_WAIT ? SYNC_EV_WAIT
		                     : p->o->resync            ? SYNC_EV_RESYNC
		                                               : SYNC_EV_PLAN;
		enum sync_state to;
		bool pend;
		const char *why = NULL;

		if (sync_transition(cur, false, ev, &to, &pend, &why) != BS_OK) {
			verdict(p, c->kind, c->id, cur, why != NULL ? why : "refused");
			goto out;
		}
	}
	if (d.verdict == RULES_SKIP) {
		rc = apply(p, SYNC_EV_SKIP, d.reason);
		p->stats->skipped++;
		verdict(p, c->kind, c->id, SYNC_SKIPPED, d.reason);
	} else if (d.verdict == RULES_WAIT) {
		rc = apply(p, SYNC_EV_WAIT, d.reason);
		p->stats->waiting++;
		verdict(p, c->kind, c->id, SYNC_WAITING, d.reason);
	} else {
		struct bs_error *outer = p->err;

		/* build() reports into e: a record-level failure is not the run's */
		bs_error_clear(&e);
		p->err = &e;
		p->no_doc = false;
		p->cur_state = cur;
		rc = build(p, c->kind, c->id, o, &info, &d);
		p->err = outer;
		if (rc == BS_ENOMEM || rc == BS_ESTORE || rc == BS_EBUSY || rc == BS_EREADONLY) {
			if (outer != NULL)
				*outer = e;
		} else if (rc == BS_OK) {
			rc = apply(p, p->o->resync ? SYNC_EV_RESYNC : SYNC_EV_PLAN, NULL);
			if (rc == BS_OK && p->no_doc)
				rc = apply(p, SYNC_EV_POSTED,
				           "already in the ledger: nothing to send");
			if (rc == BS_OK)
				p->stats->planned++;
		} else {
			/* the record cannot be built: it fails with the reason */
			char why[BS_ERROR_MSG_MAX];

			snprintf(why, sizeof(why), "%s", e.msg);
			rc = apply(p, p->o->resync ? SYNC_EV_RESYNC : SYNC_EV_PLAN, NULL);
			if (rc == BS_OK)
				rc = apply(p, SYNC_EV_FAILED, why);
			p->stats->failed++;
			verdict(p, c->kind, c->id, SYNC_ERROR, why);
		}
	}
	if (rc == BS_ESTATE) {
		/* refused by the state machine (e.g. reset while queued): report, go on */
		verdict(p, c->kind, c->id, cur, p->err != NULL ? p->err->msg : "refused");
		rc = BS_OK;
	}
out:
	p->rec = NULL;
	p->nself = 0;
	json_object_put(o);
	for (int i = 0; i < RULES_DEPS_MAX; i++)
		buf_free(&db.b[i]);
	return rc;
}

/*
 * Plan the chunk in p->cands, in dependency order, after the contacts its
 * documents pull in.  Records go in groups of PLAN_GROUP per transaction,
 * across chunks; each record's writes are whole (plan_one checks refusals
 * before writing), and a store failure rolls the open group back.  A dry
 * run is one transaction, opened and rolled back by plan_run.
 */
static int plan_chunk(struct planner *p)
{
	int rc = p->pull_contacts ? add_contacts(p) : BS_OK;

	if (rc != BS_OK || p->ncands == 0)
		goto out;
	if (p->ncands > 1)
		qsort(p->cands, p->ncands, sizeof(*p->cands), cand_cmp);
	/* drop duplicates (a contact pulled in twice, a ref listed twice) */
	if (p->ncands > 1) {
		size_t w = 1;

		for (size_t i = 1; i < p->ncands; i++) {
			if (p->cands[i].kind != p->cands[w - 1].kind ||
			    strcmp(p->cands[i].id, p->cands[w - 1].id) != 0)
				p->cands[w++] = p->cands[i];
		}
		p->ncands = w;
	}
	p->stats->chunks++;
	for (size_t i = 0; rc == BS_OK && i < p->ncands; i++) {
		if (!p->o->dry_run && !p->tx_open) {
			if ((rc = store_begin(p->st, p->err)) != BS_OK)
				break;
			p->tx_open = true;
			p->in_tx = 0;
		}
		rc = plan_one(p, &p->cands[i]);
		if (p->o->dry_run)
			continue;
		if (rc != BS_OK) {
			store_rollback(p->st);
			p->tx_open = false;
		} else if (++p->in_tx == PLAN_GROUP) {
			p->tx_open = false;
			rc = store_commit(p->st, p->err);
		}
	}
out:
	p->ncands = 0;
	return rc;
}

/*
 * Every candidate, a chunk at a time: kind by kind in plan_order, a
 * kind's in id order, each page starting after the last id of the one
 * before.  Planning only moves the record planned, and a record that
 * stays pending (waiting) lies behind the cursor, so the walk meets
 * exactly the records a snapshot taken at the start would hold, in the
 * same order.  A contact is pulled in by the first chunk that needs it;
 * planned, it is no longer pending (contacts never wait), so it is
 * planned once.
 */
static int walk(struct planner *p)
{
	int rc = BS_OK;

	for (size_t k = 0; rc == BS_OK && k < sizeof(plan_order) / sizeof(plan_order[0]); k++) {
		size_t n = p->docs_cap;

		p->after[0] = '\0';
		while (rc == BS_OK && n == p->docs_cap) {
			rc = p->o->nrefs > 0
			         ? refs_page(p, plan_order[k])
			         : store_pending_page(p->st, p->o->target, p->tabs, plan_order[k],
			                              p->after, p->docs_cap, page_to_cand, p,
			                              p->err);
			n = p->ncands;
			if (rc != BS_OK || n == 0)
				break;
			snprintf(p->after, sizeof(p->after), "%s", p->cands[n - 1].id);
			rc = plan_chunk(p);
		}
	}
	return rc;
}

/* The chunk size, which tabs the walk covers, and whether contacts must
 * be pulled in: they are candidates already when the sync covers their
 * tabs (everything, Sync All, the sales or purchases group). */
static void chunk_setup(struct planner *p)
{
	const struct plan_opts *o = p->o;
	size_t n, w = 0;
	const struct tabs_def *t = tabs_all(&n);

	p->chunk = o->chunk == 0 ? PLAN_CHUNK_DEFAULT : o->chunk;
	if (p->chunk < PLAN_CHUNK_MIN)
		p->chunk = PLAN_CHUNK_MIN;
	p->pull_contacts =
	    !(o->nrefs == 0 && (o->everything || o->tab == NULL || strcmp(o->tab, "sales") == 0 ||
	                        strcmp(o->tab, "purchases") == 0));
	p->docs_cap = p->pull_contacts ? p->chunk / PLAN_CHUNK_MIN : p->chunk;
	p->tabs = NULL;
	if (o->everything || (o->tab != NULL && o->tab[0] == '\0'))
		return;
	if (o->tab != NULL) {
		p->tabv[w++] = o->tab;
	} else {
		for (size_t i = 0; i < n && w < STORE_PAGE_TABS_MAX; i++) {
			if (t[i].sync_all)
				p->tabv[w++] = t[i].name;
		}
	}
	p->tabv[w] = NULL;
	p->tabs = p->tabv;
}

int plan_run(struct store *st, const struct plan_opts *opts, struct plan_stats *stats,
             struct bs_error *err)
{
	struct planner p;
	bool fits = false;
	int rc;

	memset(&p, 0, sizeof(p));
	p.st = st;
	p.o = opts;
	p.ledger = opts->ledger != NULL ? opts->ledger : &plan_xero;
	p.stats = stats;
	p.err = err;
	buf_init(&p.in, (size_t)16 << 20);
	buf_init(&p.doc, (size_t)16 << 20);
	buf_init(&p.deps, 65536);
	buf_init(&p.desc, 65536);
	buf_init(&p.num, 1024);
	p.tok = json_tokener_new();
	if (p.tok == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = load_context(&p)) != BS_OK)
		goto out;
	chunk_setup(&p);
	if (opts->dry_run && (rc = store_begin(st, err)) != BS_OK)
		goto out;
	rc = collect_small(&p, &fits);
	if (rc == BS_OK)
		rc = fits ? plan_chunk(&p) : walk(&p);
	if (opts->dry_run)
		store_rollback(st);
	else if (p.tx_open && rc == BS_OK)
		rc = store_commit(st, err);
	else if (p.tx_open)
		store_rollback(st);
out:
	for (int i = 0; i < S_NSET; i++)
		buf_free(&p.set[i]);
	json_object_put(p.chart_json);
	json_object_put(p.tracking_json);
	for (size_t i = 0; i < p.nprods; i++) {
		free(p.prods[i].sku);
		free(p.prods[i].sales);
		free(p.prods[i].purchases);
	}
	free(p.prods);
	json_object_put(p.tax_json);
	free(p.chart);
	free(p.rates);
	free(p.cands);
	buf_free(&p.in);
	buf_free(&p.doc);
	buf_free(&p.deps);
	buf_free(&p.desc);
	buf_free(&p.num);
	if (p.tok != NULL)
		json_tokener_free(p.tok);
	return rc;
}
