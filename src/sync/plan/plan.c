/*
 * plan.c - the planner's driver (see sync/plan.h; the parts: plan_int.h).
 *
 * One pass over the candidates in dependency order, a chunk at a time.
 * Each record is read from the store as canonical JSON, its facts are
 * gathered (plan_facts.c) and judged by rules_eligibility, and -- if it is
 * to be sent -- its kind's entry in the table below builds its documents.
 * A document that cannot be built (no tax code for a rate, an unknown
 * account, a locked period) fails its record with the reason.
 */
#include "sync/plan/plan_int.h"

#include "core/grow.h"
#include "core/jsonr.h"
#include "events/events.h"
#include "ledger/ledger.h"
#include "sync/tabs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Records per transaction.  A commit writes every page the group touched,
 * and the index pages of sync_state and the outbox are touched by every
 * group: 2,000 rather than 500 writes them a quarter as often (planning
 * 24,000 documents about 4 % faster, bench/RESULTS.md "Checkpoints aside,
 * 16 KiB pages").  The write lock is then held for about 40 ms at a time
 * (another writer waits, up to its 5 s busy timeout); a store failure
 * rolls back up to 2,000 records' planning, done again on the next run.
 */
#define PLAN_GROUP 2000

/*
 * The page cache planning runs with, in KiB, whatever the connection was
 * sized for before (an import in the same process wants 16 MiB).
 * Planning walks records, states and links in key order and appends to
 * the outbox: a small cache serves it as well at 120,000 documents, and
 * the memory a large one takes is not free to touch -- on the machine of
 * bench/RESULTS.md the first fill of 16 MiB cost 6,400 page faults, 60 ms,
 * a seventh of planning 24,000 documents ("A page cache of 4 MiB").
 */
#define PLAN_CACHE_KIB 4096
#define PLAN_FULL      1 /* a callback's "stop: the chunk is full" */
/* the contacts one document may pull in: add_contacts' fields */
#define PLAN_CONTACTS_PER_DOC 4
_Static_assert(PLAN_CHUNK_MIN == PLAN_CONTACTS_PER_DOC + 1, "a document and its contacts");

void plan_ledger_of(const struct ledger_caps *caps, struct rules_ledger *out)
{
	out->unit_dp = caps->unit_price_dp;
	out->amount_dp = caps->amount_dp;
	out->tax_none = caps->tax_none;
	out->tax_sales = caps->tax_sales;
	out->tax_purchases = caps->tax_purchases;
	out->doc_number_max = caps->doc_number_max;
	out->po_not_billable = !caps->po_billable;
	out->po_opt_in_only = !caps->po_upload_default;
	out->display_name = caps->display_name;
	out->tax_rounding =
	    caps->tax_rounding == LEDGER_TAX_PER_RATE ? RULES_TAX_PER_RATE : RULES_TAX_PER_LINE;
}

/* The kinds in planning order: what others depend on comes first. */
static const struct plan_kind *const plan_kinds[] = {
    &plan_kind_customer, &plan_kind_supplier,    &plan_kind_product,      &plan_kind_purchase,
    &plan_kind_sale,     &plan_kind_credit_note, &plan_kind_adjustment,   &plan_kind_cogs,
    &plan_kind_journal,  &plan_kind_money_task,  &plan_kind_gift_voucher, &plan_kind_store_credit,
    &plan_kind_payment,
};
_Static_assert(sizeof(plan_kinds) / sizeof(plan_kinds[0]) == RECORD_KIND_COUNT,
               "every kind has an entry, and the walk visits each");

#define NKINDS (sizeof(plan_kinds) / sizeof(plan_kinds[0]))

const struct plan_kind *plan_kind_of(enum record_kind k)
{
	for (size_t i = 0; i < NKINDS; i++) {
		if (plan_kinds[i]->kind == k)
			return plan_kinds[i];
	}
	return plan_kinds[0]; /* unreachable: every kind has an entry (above) */
}

/* ---- candidates, a chunk at a time ------------------------------------- */

static int rank_of(enum record_kind k)
{
	for (size_t i = 0; i < NKINDS; i++) {
		if (plan_kinds[i]->kind == k)
			return (int)i;
	}
	return 99;
}

static void cand_set(struct plan_cand *c, enum record_kind kind, const char *id)
{
	c->rowid = 0;
	c->kind = kind;
	c->rank = rank_of(kind);
	c->pulled = false;
	buf_copy(c->id, sizeof(c->id), id);
}

/* One more candidate in the chunk.  Its callers keep the bound (a page of
 * at most docs_cap records, at most PLAN_CONTACTS_PER_DOC contacts each):
 * going past it is a bug, not a reason to grow. */
static int cand_add(struct planner *p, enum record_kind kind, const char *id)
{
	if (p->ch.n >= p->ch.max)
		return bs_error_set(p->err, BS_EINTERNAL, "planner: a chunk over %zu candidates",
		                    p->ch.max);
	if (grow_array(&p->ch.v, &p->ch.cap, p->ch.n, 256, sizeof(*p->ch.v)) != BS_OK)
		return bs_error_set(p->err, BS_ENOMEM, "out of memory");
	cand_set(&p->ch.v[p->ch.n++], kind, id);
	if (p->ch.n > p->stats->held_max)
		p->stats->held_max = p->ch.n;
	return BS_OK;
}

/* store_pending_keys_each: the whole set, stopping once it is over a chunk. */
static int key_to_cand(void *arg, enum record_kind kind, const char *id)
{
	struct planner *p = arg;

	if (p->ch.n >= p->ch.docs_cap)
		return PLAN_FULL;
	return cand_add(p, kind, id);
}

/* store_pending_page: one page, in id order. */
static int page_to_cand(void *arg, enum record_kind kind, const char *id, int64_t rowid)
{
	struct planner *p = arg;
	int rc = cand_add(p, kind, id);

	if (rc == BS_OK)
		p->ch.v[p->ch.n - 1].rowid = rowid;
	return rc;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct plan_cand *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->id, y->id);
}

/* The contacts a document needs are synced whatever the tabs (docs/states-and-tabs.md):
 * the chunk's documents pull in their pending contacts, which go first. */
static int add_contacts(struct planner *p)
{
	size_t n = p->ch.n;
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
		enum record_kind k = p->ch.v[i].kind;

		if (k == RECORD_CUSTOMER || k == RECORD_SUPPLIER || k == RECORD_PRODUCT)
			continue;
		if (store_record_get(p->st, k, p->ch.v[i].id, NULL, &p->s.in, NULL) != BS_OK)
			continue;
		o = json_tokener_parse(buf_cstr(&p->s.in));
		/* while customers are held back, a consolidated document's
		 * customer stays where it is (the document uses one contact) */
		if (o != NULL && plan_cons_no_customers(p) && plan_cons_member(p, k, o)) {
			json_object_put(o);
			continue;
		}
		for (size_t r = 0; o != NULL && r < sizeof(refs) / sizeof(refs[0]); r++) {
			const char *id = jsonr_str(o, refs[r].field);
			enum sync_state s;

			if (id == NULL || store_state_get(p->st, refs[r].kind, id, p->o->target, &s,
			                                  NULL, NULL) != BS_OK)
				continue;
			if (s == SYNC_NOT_IMPORTED || s == SYNC_CHANGED || s == SYNC_WAITING) {
				rc = cand_add(p, refs[r].kind, id);
				if (rc == BS_OK)
					p->ch.v[p->ch.n - 1].pulled = true;
			}
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
		*fits = o->nrefs <= p->ch.docs_cap;
		for (size_t i = 0; *fits && i < o->nrefs && rc == BS_OK; i++)
			rc = cand_add(p, o->refs[i].kind, o->refs[i].id);
	} else if (o->everything || o->tab != NULL) {
		rc = store_pending_keys_each(p->st, o->target, o->everything ? NULL : o->tab,
		                             p->ch.docs_cap + 1, key_to_cand, p, p->err);
	} else {
		size_t n;
		const struct tabs_def *t = tabs_all(&n);

		for (size_t i = 0; i < n && rc == BS_OK; i++) {
			if (t[i].sync_all)
				rc = store_pending_keys_each(p->st, o->target, t[i].name,
				                             p->ch.docs_cap + 1 - p->ch.n,
				                             key_to_cand, p, p->err);
		}
	}
	if (rc == PLAN_FULL) {
		*fits = false;
		rc = BS_OK;
	}
	if (!*fits)
		p->ch.n = 0;
	return rc;
}

/*
 * Up to docs_cap of the caller's refs of `kind` after p->ch.after, in id
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

		if (p->o->refs[i].kind != kind || strcmp(id, p->ch.after) <= 0 ||
		    (have == p->ch.docs_cap && strcmp(id, p->ch.v[have - 1].id) >= 0))
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(p->ch.v[mid].id, id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < have && strcmp(p->ch.v[lo].id, id) == 0)
			continue;
		/* room at the end: a new slot, or the largest id dropped */
		if (have < p->ch.docs_cap && (rc = cand_add(p, kind, id)) == BS_OK)
			have++;
		if (rc == BS_OK) {
			memmove(&p->ch.v[lo + 1], &p->ch.v[lo], (have - 1 - lo) * sizeof(*p->ch.v));
			cand_set(&p->ch.v[lo], kind, id);
		}
	}
	return rc;
}

/* ---- one record --------------------------------------------------------- */

/*
 * Build and write every document the decision calls for: the kind builds
 * them, the last one is written here.
 */
static int build(struct planner *p, const struct plan_item *it, const struct rules_decision *d)
{
	const struct plan_kind *pk = plan_kind_of(it->kind);
	const char *type = plan_self_type(it->kind, it->o);
	const char *op = "create";
	int rc;

	if (plan_linked(p, it->kind, it->id, type))
		op = "update";
	/*
	 * Xero edits neither payments nor allocations.  A linked one is not
	 * sent again: after a reset or a resync it is already in the ledger;
	 * with new content it fails with what to do (never a second copy).
	 */
	if (strcmp(op, "update") == 0 &&
	    (strcmp(type, "Payment") == 0 || strcmp(type, "Allocation") == 0)) {
		p->cur.no_doc = true;
		if (p->cur.state == SYNC_CHANGED)
			return bs_error_set(
			    p->err, BS_ESTATE,
			    "the ledger cannot edit a posted %s: delete it there, then reset "
			    "this record to post the new one",
			    strcmp(type, "Payment") == 0 ? "payment" : "allocation");
		return BS_OK;
	}
	if (pk->build == NULL)
		return bs_error_set(p->err, BS_EUNSUPPORTED, "nothing to post for %s",
		                    record_kind_name(it->kind));
	rc = pk->build(p, it, d, &type, &op);
	if (rc == BS_OK)
		rc = plan_doc_emit(p, type, op);
	return rc;
}

static void verdict(struct planner *p, enum record_kind kind, const char *id, enum sync_state s,
                    const char *reason)
{
	if (p->o->on_verdict != NULL)
		p->o->on_verdict(p->o->arg, kind, id, s, reason);
}

/* Move the record being planned through ev. */
static int apply(struct planner *p, enum sync_event ev, const char *reason)
{
	struct store_actor who = {PLAN_ACTOR, p->o->now_ms};
	int rc =
	    store_state_apply_rec(p->st, p->cur.info, p->o->target, ev, reason, &who, NULL, p->err);

	/* a record failed at planning (or found already posted) is news for
	 * the source system too, in this transaction (events.h) */
	if (rc == BS_OK && (ev == SYNC_EV_POSTED || ev == SYNC_EV_FAILED))
		rc = events_emit_document(p->st, ev == SYNC_EV_POSTED, p->o->target,
		                          record_kind_name(p->cur.info->kind), p->cur.info->id,
		                          NULL, reason, p->o->now_ms, p->err);
	return rc;
}

static int plan_one(struct planner *p, const struct plan_cand *c)
{
	struct store_record_info info;
	struct rules_facts f;
	struct rules_decision d;
	const struct rules_ledger *rl = p->ctx.ledger;
	struct rules_settings rs = {.disable_payment_sync = p->ctx.no_payments,
	                            .disable_po_sync = p->ctx.no_po,
	                            .po_opt_in_only = rl->po_opt_in_only,
	                            .po_opt_in = p->ctx.po_opt_in,
	                            .po_not_billable = rl->po_not_billable,
	                            .ledger_name = rl->display_name};
	struct plan_item it;
	struct plan_depbufs db;
	struct json_object *o = NULL;
	struct bs_error e;
	enum sync_state cur;
	/* found by the rowid its page gave, and its own link read with it:
	 * the first thing the facts ask */
	struct store_record_extra self = {.rowid = c->rowid,
	                                  .link_type = plan_self_type_fixed(c->kind)};
	int rc, rc2;

	for (int i = 0; i < RULES_DEPS_MAX; i++)
		buf_init(&db.b[i], 1024);
	rc = store_record_get_on(p->st, c->kind, c->id, p->o->target, &info, &p->s.in, &cur, &self,
	                         p->err);
	if (rc == BS_ENOTFOUND) {
		verdict(p, c->kind, c->id, SYNC_NOT_IMPORTED, "no such record");
		rc = BS_OK;
		goto out;
	}
	if (rc != BS_OK)
		goto out;
	p->cur.info = &info;
	p->cur.nself = 0;
	p->cur.pulled = c->pulled;
	p->stats->considered++;
	if (cur == SYNC_QUEUED || cur == SYNC_CONSOLIDATED ||
	    (!p->o->resync && (cur == SYNC_IMPORTED || cur == SYNC_ERROR || cur == SYNC_SKIPPED) &&
	     p->o->nrefs > 0)) {
		verdict(p, c->kind, c->id, cur,
		        cur == SYNC_ERROR ? "in error: fix it, then resync or reset it"
		                          : "nothing to upload");
		goto out;
	}
	o = jsonr_parse(p->s.tok, buf_cstr(&p->s.in), p->s.in.len);
	if (o == NULL) {
		rc = bs_error_set(p->err, BS_ESTORE, "%s %s: stored body is not JSON",
		                  record_kind_name(c->kind), c->id);
		goto out;
	}
	it = (struct plan_item){c->kind, c->id, o, &info};
	if (p->cons != NULL && !p->o->resync) {
		/* a member of a consolidation is not built on its own
		 * (plan_consolidate.c): skipped, held, or added to its group */
		bool taken = false;

		rc = plan_cons_take(p, &it, cur, &taken);
		if (rc != BS_OK || taken)
			goto out;
	}
	/* Read in this transaction, and nothing since has written the
	 * record's links (a consolidation writes its members', and a member
	 * is taken above): what plan_link_of would read now. */
	plan_self_seed(p, &self);
	plan_facts_fill(p, &it, &f, &db);
	/* a resync is a reset and a sync in one: the status it resets */
	f.accounting_imported =
	    !p->o->resync && strcmp(rules_accounting_status(cur), RULES_ACCOUNTING_IMPORTED) == 0;
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
	} else if (d.verdict == RULES_FAIL) {
		/* nothing to send, ever, as the ledger stands: Errors, with what
		 * to do by hand */
		rc = apply(p, p->o->resync ? SYNC_EV_RESYNC : SYNC_EV_PLAN, NULL);
		if (rc == BS_OK)
			rc = apply(p, SYNC_EV_FAILED, d.reason);
		p->stats->failed++;
		verdict(p, c->kind, c->id, SYNC_ERROR, d.reason);
	} else {
		struct bs_error *outer = p->err;

		/* build() reports into e: a record-level failure is not the run's */
		bs_error_clear(&e);
		p->err = &e;
		p->cur.no_doc = false;
		p->cur.state = cur;
		rc = build(p, &it, &d);
		p->err = outer;
		if (rc == BS_ENOMEM || rc == BS_ESTORE || rc == BS_EBUSY || rc == BS_EREADONLY) {
			if (outer != NULL)
				*outer = e;
		} else if ((rc2 = plan_serials_keep(p)) != BS_OK) {
			rc = rc2; /* a store failure: the group rolls back */
		} else if (rc == BS_OK) {
			rc = apply(p, p->o->resync ? SYNC_EV_RESYNC : SYNC_EV_PLAN, NULL);
			if (rc == BS_OK && p->cur.no_doc)
				rc = apply(p, SYNC_EV_POSTED,
				           "already in the ledger: nothing to send");
			if (rc == BS_OK)
				p->stats->planned++;
		} else {
			/* the record cannot be built: it fails with the reason */
			char why[BS_ERROR_MSG_MAX];

			buf_copy(why, sizeof(why), e.msg);
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
	p->cur.info = NULL;
	p->cur.nself = 0;
	json_object_put(o);
	for (int i = 0; i < RULES_DEPS_MAX; i++)
		buf_free(&db.b[i]);
	return rc;
}

/*
 * Plan the chunk in p->ch.v, in dependency order, after the contacts its
 * documents pull in.  Records go in groups of PLAN_GROUP per transaction,
 * across chunks; each record's writes are whole (plan_one checks refusals
 * before writing), and a store failure rolls the open group back.  A dry
 * run is one transaction, opened and rolled back by plan_run.
 */
static int plan_chunk(struct planner *p)
{
	int rc = p->ch.pull_contacts ? add_contacts(p) : BS_OK;

	if (rc != BS_OK || p->ch.n == 0)
		goto out;
	if (p->ch.n > 1)
		qsort(p->ch.v, p->ch.n, sizeof(*p->ch.v), cand_cmp);
	/* drop duplicates (a contact pulled in twice, a ref listed twice) */
	if (p->ch.n > 1) {
		size_t w = 1;

		for (size_t i = 1; i < p->ch.n; i++) {
			if (p->ch.v[i].kind != p->ch.v[w - 1].kind ||
			    strcmp(p->ch.v[i].id, p->ch.v[w - 1].id) != 0)
				p->ch.v[w++] = p->ch.v[i];
			else if (p->ch.v[i].pulled)
				p->ch.v[w - 1].pulled = true; /* a document needs it */
		}
		p->ch.n = w;
	}
	p->stats->chunks++;
	for (size_t i = 0; rc == BS_OK && i < p->ch.n; i++) {
		if (!p->o->dry_run && !p->ch.tx_open) {
			if ((rc = store_begin(p->st, p->err)) != BS_OK)
				break;
			p->ch.tx_open = true;
			p->ch.in_tx = 0;
		}
		rc = plan_one(p, &p->ch.v[i]);
		if (p->o->dry_run)
			continue;
		if (rc != BS_OK) {
			store_rollback(p->st);
			p->ch.tx_open = false;
		} else if (++p->ch.in_tx == PLAN_GROUP) {
			p->ch.tx_open = false;
			rc = store_commit(p->st, p->err);
		}
	}
out:
	p->ch.n = 0;
	return rc;
}

/*
 * Every candidate, a chunk at a time: kind by kind in plan_kinds' order, a
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

	for (size_t k = 0; rc == BS_OK && k < NKINDS; k++) {
		enum record_kind kind = plan_kinds[k]->kind;
		size_t n = p->ch.docs_cap;

		p->ch.after[0] = '\0';
		while (rc == BS_OK && n == p->ch.docs_cap) {
			rc = p->o->nrefs > 0 ? refs_page(p, kind)
			                     : store_pending_page(p->st, p->o->target, p->ch.tabs,
			                                          kind, p->ch.after, p->ch.docs_cap,
			                                          page_to_cand, p, p->err);
			n = p->ch.n;
			if (rc != BS_OK || n == 0)
				break;
			buf_copy(p->ch.after, sizeof(p->ch.after), p->ch.v[n - 1].id);
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

	p->ch.max = o->chunk == 0 ? PLAN_CHUNK_DEFAULT : o->chunk;
	if (p->ch.max < PLAN_CHUNK_MIN)
		p->ch.max = PLAN_CHUNK_MIN;
	p->ch.pull_contacts =
	    !(o->nrefs == 0 && (o->everything || o->tab == NULL || strcmp(o->tab, "sales") == 0 ||
	                        strcmp(o->tab, "purchases") == 0));
	p->ch.docs_cap = p->ch.pull_contacts ? p->ch.max / PLAN_CHUNK_MIN : p->ch.max;
	p->ch.tabs = NULL;
	if (o->everything || (o->tab != NULL && o->tab[0] == '\0'))
		return;
	if (o->tab != NULL) {
		p->ch.tabv[w++] = o->tab;
	} else {
		for (size_t i = 0; i < n && w < STORE_PAGE_TABS_MAX; i++) {
			if (t[i].sync_all)
				p->ch.tabv[w++] = t[i].name;
		}
	}
	p->ch.tabv[w] = NULL;
	p->ch.tabs = p->ch.tabv;
}

/*
 * After the walk: write the consolidation groups as records (each group in
 * its own transaction, so the open group of planned records is committed
 * first), then plan exactly those records, as Upload Selected would.
 */
static int plan_consolidated(struct planner *p)
{
	const struct plan_opts *outer = p->o;
	struct plan_opts o2 = *outer;
	const struct plan_ref *made;
	bool fits = false;
	int rc = BS_OK;

	if (!outer->dry_run && p->ch.tx_open) {
		p->ch.tx_open = false;
		if ((rc = store_commit(p->st, p->err)) != BS_OK)
			return rc;
	}
	if ((rc = plan_cons_flush(p)) != BS_OK)
		return rc;
	made = plan_cons_made(p, &o2.nrefs);
	if (o2.nrefs == 0)
		return BS_OK;
	o2.refs = made;
	o2.tab = NULL;
	o2.everything = false;
	p->o = &o2;
	chunk_setup(p);
	rc = collect_small(p, &fits);
	if (rc == BS_OK)
		rc = fits ? plan_chunk(p) : walk(p);
	p->o = outer;
	return rc;
}

int plan_run(struct store *st, const struct plan_opts *opts, struct plan_stats *stats,
             struct bs_error *err)
{
	struct planner p;
	struct bs_error e;
	bool fits = false;
	int cache = 0; /* the store's page cache before, to put back */
	int rc;

	memset(&p, 0, sizeof(p));
	p.st = st;
	p.o = opts;
	if (opts->ledger != NULL) {
		p.ctx.ledger = opts->ledger;
	} else {
		plan_ledger_of(ledger_nth(0)->caps, &p.default_ledger);
		p.ctx.ledger = &p.default_ledger;
	}
	p.stats = stats;
	p.err = err;
	buf_init(&p.s.in, (size_t)16 << 20);
	buf_init(&p.s.doc, (size_t)16 << 20);
	buf_init(&p.s.deps, 65536);
	buf_init(&p.s.desc, 65536);
	buf_init(&p.s.num, 1024);
	p.s.tok = json_tokener_new();
	if (p.s.tok == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = plan_context_load(&p)) != BS_OK)
		goto out;
	/* a cache left as it was only costs time */
	bs_error_clear(&e);
	(void)store_cache_set(st, PLAN_CACHE_KIB, &cache, &e);
	/* a resync drops links as it goes: nothing kept (plan_facts.c) */
	if (!opts->resync)
		p.linked = plan_linked_cache_new();
	chunk_setup(&p);
	if (opts->dry_run && (rc = store_begin(st, err)) != BS_OK)
		goto out;
	if ((rc = plan_cons_load(&p)) != BS_OK)
		goto out_tx;
	if (plan_cons_no_customers(&p) && !p.ch.pull_contacts) {
		/* customers are held back: the documents that post on their own
		 * pull in the ones they need */
		p.ch.pull_contacts = true;
		p.ch.docs_cap = p.ch.max / PLAN_CHUNK_MIN;
	}
	rc = collect_small(&p, &fits);
	if (rc == BS_OK)
		rc = fits ? plan_chunk(&p) : walk(&p);
	if (rc == BS_OK && p.cons != NULL)
		rc = plan_consolidated(&p);
out_tx:
	if (opts->dry_run)
		store_rollback(st);
	else if (p.ch.tx_open && rc == BS_OK)
		rc = store_commit(st, err);
	else if (p.ch.tx_open)
		store_rollback(st);
out:
	if (cache > 0)
		(void)store_cache_set(st, cache, NULL, &e);
	plan_cons_free(&p);
	plan_context_free(&p.ctx);
	plan_linked_cache_free(p.linked);
	free(p.ch.v);
	buf_free(&p.s.in);
	buf_free(&p.s.doc);
	buf_free(&p.s.deps);
	buf_free(&p.s.desc);
	buf_free(&p.s.num);
	if (p.s.tok != NULL)
		json_tokener_free(p.s.tok);
	return rc;
}
