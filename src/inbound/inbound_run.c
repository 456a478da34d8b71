/*
 * inbound_run.c - one inbound payment run of a target (inbound.h): read
 * the ledger's changed payments page by page, decide each with the pure
 * matcher, and commit a page's decisions, events and high-water mark
 * together (docs/inbound.md "Runs, pages and the mark").
 *
 * Memory is bounded by one page: its body, and one payment's candidate
 * invoices at a time.
 */
#include "inbound/inbound.h"

#include "core/buf.h"
#include "core/jsonw.h"
#include "core/money.h"
#include "events/events.h"
#include "ledger/ledger.h"
#include "store/settings.h"
#include "store/store.h"
#include "store/store_events.h"
#include "store/store_inbound.h"
#include "sync/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BYTES_MAX ((size_t)64 << 20)

/* Candidate invoices of one payment, copied out of the store's rows. */
struct cands {
	struct inbound_invoice *v;
	char **strs; /* what v's strings point into, to free */
	size_t n, cap, nstr;
};

struct page_ctx {
	struct session *s;
	struct store *st;
	const char *target;
	const char *base; /* the organisation's currency */
	int64_t now;
	struct inbound_result *res;
	struct bs_error *err;
	struct cands c;
	const char *customer; /* of the payment being read */
};

static void cands_reset(struct cands *c)
{
	for (size_t i = 0; i < c->nstr; i++)
		free(c->strs[i]);
	c->n = c->nstr = 0;
}

static void cands_free(struct cands *c)
{
	cands_reset(c);
	free(c->v);
	free(c->strs);
}

static char *keep(struct cands *c, const char *s)
{
	char *d = strdup(s != NULL ? s : "");

	if (d != NULL)
		c->strs[c->nstr++] = d;
	return d;
}

static int add_cand(void *arg, const struct store_open_invoice *inv)
{
	struct page_ctx *pc = arg;
	struct cands *c = &pc->c;
	struct inbound_invoice *e;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct inbound_invoice *v = realloc(c->v, cap * sizeof(*v));
		char **strs = v != NULL ? realloc(c->strs, cap * 3 * sizeof(*strs)) : NULL;

		if (v != NULL)
			c->v = v;
		if (strs == NULL)
			return bs_error_set(pc->err, BS_ENOMEM, "out of memory");
		c->strs = strs;
		c->cap = cap;
	}
	e = &c->v[c->n];
	e->sale_id = keep(c, inv->sale_id);
	e->ledger_id = keep(c, inv->ledger_id);
	e->currency = keep(c, inv->currency[0] != '\0' ? inv->currency : pc->base);
	e->customer = pc->customer;
	e->balance = inv->balance;
	if (e->sale_id == NULL || e->ledger_id == NULL || e->currency == NULL)
		return bs_error_set(pc->err, BS_ENOMEM, "out of memory");
	c->n++;
	return 0;
}

/* The payment.applied and payment.reversed events' data (docs/inbound.md
 * "The event"): the sale, the ledger's payment and invoice, the amount. */
static int event_data(struct buf *d, const struct ledger_payment *p, const char *cur,
                      const char *sale_id, const char *invoice_id, int64_t amount)
{
	int rc = buf_addc(d, '{');

	if (rc == BS_OK)
		rc = jsonw_kv_str(d, 0, "sale_id", sale_id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(d, 1, "ledger_payment_id", p->id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(d, 1, "ledger_invoice_id", invoice_id);
	if (rc == BS_OK)
		rc = buf_addstr(d, ",\"amount\":\"");
	if (rc == BS_OK)
		rc = money_format(d, amount, MONEY_DP, 2);
	if (rc == BS_OK)
		rc = buf_addc(d, '"');
	if (rc == BS_OK)
		rc = jsonw_kv_str(d, 1, "currency", cur);
	if (rc == BS_OK)
		rc = jsonw_kv_str(d, 1, "date", p->date);
	if (rc == BS_OK)
		rc = buf_addc(d, '}');
	return rc;
}

static void row_init(struct store_inbound_row *r, const struct page_ctx *pc,
                     const struct ledger_payment *p, const char *cur)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->target, sizeof(r->target), "%s", pc->target);
	snprintf(r->ledger_id, sizeof(r->ledger_id), "%s", p->id);
	snprintf(r->contact, sizeof(r->contact), "%s", p->contact_id);
	snprintf(r->customer, sizeof(r->customer), "%s", pc->customer);
	snprintf(r->invoice, sizeof(r->invoice), "%s", p->invoice_id);
	snprintf(r->currency, sizeof(r->currency), "%s", cur);
	snprintf(r->date, sizeof(r->date), "%s", p->date);
	r->amount = p->amount;
	r->updated_ms = p->updated_ms;
	r->decided_ms = pc->now;
}

/* Apply: the event first, since it is the step that may fail alone; a
 * refused event leaves nothing written and the payment is recorded
 * failed instead. */
static int apply(struct page_ctx *pc, const struct ledger_payment *p, const char *cur,
                 const struct inbound_invoice *inv, struct store_inbound_row *r)
{
	struct buf d;
	struct bs_error eerr = {0};
	int rc;

	buf_init(&d, 64 << 10);
	rc = event_data(&d, p, cur, inv->sale_id, inv->ledger_id, p->amount);
	if (rc == BS_OK)
		rc = events_emit(pc->st, EVENTS_PAYMENT_APPLIED, pc->target, buf_cstr(&d), pc->now,
		                 r->event, &eerr);
	buf_free(&d);
	if (rc != BS_OK) {
		snprintf(r->state, sizeof(r->state), "failed");
		snprintf(r->reason, sizeof(r->reason), "import failed: %.100s", eerr.msg);
		r->event[0] = '\0';
		pc->res->failed++;
	} else {
		snprintf(r->state, sizeof(r->state), "applied");
		snprintf(r->sale, sizeof(r->sale), "%s", inv->sale_id);
		snprintf(r->invoice, sizeof(r->invoice), "%s", inv->ledger_id);
		pc->res->applied++;
	}
	return store_inbound_add(pc->st, r, pc->err);
}

/*
 * Reverse: the source was told the sale was paid, and the ledger deleted
 * the payment since.  The payment.reversed event tells the source (what
 * was applied: the stored row's sale, invoice and amount), and the row
 * becomes reversed in the same transaction, so the sale's open balance
 * is whole again.  A refused event leaves it applied and stops the page:
 * the next run reads it again.
 */
static int reverse(struct page_ctx *pc, const struct ledger_payment *p,
                   const struct store_inbound_row *prev)
{
	struct buf d;
	char event[48] = "";
	int rc;

	buf_init(&d, 64 << 10);
	rc = event_data(&d, p, prev->currency, prev->sale, prev->invoice, prev->amount);
	if (rc == BS_OK)
		rc = events_emit(pc->st, EVENTS_PAYMENT_REVERSED, pc->target, buf_cstr(&d), pc->now,
		                 event, pc->err);
	buf_free(&d);
	if (rc == BS_OK)
		rc = store_inbound_reverse(pc->st, pc->target, p->id,
		                           inbound_reason_name(INBOUND_R_DELETED), event, pc->now,
		                           pc->err);
	if (rc == BS_OK)
		pc->res->reversed++;
	return rc;
}

static int one_payment(void *arg, const struct ledger_payment *p)
{
	struct page_ctx *pc = arg;
	struct store_inbound_row prev, r;
	struct inbound_payment ip = {0};
	struct inbound_decision d;
	enum record_kind kind;
	struct buf id, cust;
	const char *cur = p->currency[0] != '\0' ? p->currency : pc->base;
	int rc;

	pc->res->read++;
	if (!p->receivable) {
		pc->res->ignored++;
		return 0;
	}
	buf_init(&id, 4096);
	buf_init(&cust, 4096);
	cands_reset(&pc->c);
	rc = store_inbound_get(pc->st, pc->target, p->id, &prev, pc->err);
	if (rc == BS_OK) {
		ip.imported = strcmp(prev.state, "failed") != 0;
		ip.failed_before = !ip.imported;
		ip.applied_before = strcmp(prev.state, "applied") == 0;
	} else if (rc != BS_ENOTFOUND) {
		goto out;
	}
	rc = store_link_find(pc->st, pc->target, "Payment", p->id, &kind, &id, pc->err);
	if (rc == BS_OK)
		ip.ours = true;
	else if (rc != BS_ENOTFOUND)
		goto out;
	rc = store_link_find(pc->st, pc->target, "Contact", p->contact_id, &kind, &cust, pc->err);
	if (rc == BS_OK && kind != RECORD_CUSTOMER)
		buf_reset(&cust);
	else if (rc != BS_OK && rc != BS_ENOTFOUND)
		goto out;
	pc->customer = buf_cstr(&cust);
	rc = BS_OK;
	if (!ip.ours && !ip.imported && !ip.failed_before && pc->customer[0] != '\0')
		rc = store_inbound_open_invoices(pc->st, pc->target, pc->customer, add_cand, pc,
		                                 pc->err);
	if (rc != BS_OK)
		goto out;
	ip.ledger_id = p->id;
	ip.customer = pc->customer;
	ip.currency = cur;
	ip.amount = p->amount;
	ip.invoice_id = p->invoice_id;
	ip.deleted = p->deleted;
	inbound_match(&ip, pc->c.v, pc->c.n, &d);
	/* a payment split over documents is one a person must place */
	if (d.verdict == INBOUND_APPLY && p->split) {
		d.verdict = INBOUND_SKIP;
		d.reason = INBOUND_R_PARTIAL;
	}
	row_init(&r, pc, p, cur);
	if (d.verdict == INBOUND_REVERSE) {
		rc = reverse(pc, p, &prev);
	} else if (d.verdict == INBOUND_IGNORE) {
		pc->res->ignored++;
	} else if (d.verdict == INBOUND_SKIP) {
		snprintf(r.state, sizeof(r.state), "skipped");
		snprintf(r.reason, sizeof(r.reason), "%s", inbound_reason_name(d.reason));
		pc->res->skipped++;
		rc = store_inbound_add(pc->st, &r, pc->err);
	} else {
		rc = apply(pc, p, cur, &pc->c.v[d.invoice], &r);
	}
out:
	buf_free(&id);
	buf_free(&cust);
	return rc;
}

void inbound_due_key(const char *target, char *out, size_t cap)
{
	snprintf(out, cap, "inbound.due:%s", target);
}

bool inbound_due(struct store *st, const char *target, int64_t now_ms)
{
	char key[256];
	struct buf v;
	bool due = false;

	inbound_due_key(target, key, sizeof(key));
	buf_init(&v, 64);
	if (store_setting_get(st, key, &v, NULL) == BS_OK && v.len > 0) {
		char *end = NULL;
		long long at = strtoll(buf_cstr(&v), &end, 10);

		due = end != NULL && *end == '\0' && at <= now_ms;
	}
	buf_free(&v);
	return due;
}

struct get_ctx {
	struct session *s;
	int64_t since, page;
	struct buf *body;
};

static int do_get(void *ctx, struct ledger_call *call, struct bs_error *err)
{
	struct get_ctx *g = ctx;

	return g->s->ledger->payments_get(g->s->conn, g->since, g->page, g->body, call, err);
}

/* Where the pass goes after a page (docs/inbound.md "Runs, pages and the
 * mark"): a short page ends it at the latest change seen; a full sorted
 * page moves since to its last change (keyset: no page number to drift);
 * a full page that cannot (unsorted, or every row at since) turns the
 * page.  Times are moved back 1 ms because the ledgers' "after" is strict
 * and rows at the same instant may straddle pages: a payment read twice
 * is decided once. */
static void next_mark(const struct ledger_pay_page *pg, int64_t since, int64_t page,
                      int64_t *nsince, int64_t *npage, bool *done)
{
	*nsince = since;
	*npage = page + 1;
	*done = !pg->full;
	if (!pg->full) {
		if (pg->max_ms - 1 > since)
			*nsince = pg->max_ms - 1;
		*npage = 1;
	} else if (pg->sorted && pg->last_ms - 1 > since) {
		*nsince = pg->last_ms - 1;
		*npage = pg->key_page;
	}
}

int inbound_run(struct session *s, int64_t (*now_ms)(void), int64_t max_pages,
                struct inbound_result *res, struct bs_error *err)
{
	struct page_ctx pc = {0};
	struct buf body, base;
	char due_key[256];
	int rc = BS_OK;
	bool done = false;

	memset(res, 0, sizeof(*res));
	if (s->ledger->payments_get == NULL || s->ledger->payments_parse == NULL)
		return bs_error_set(err, BS_EUNSUPPORTED, "%s: no payment import for this ledger",
		                    s->target);
	buf_init(&body, PAGE_BYTES_MAX);
	buf_init(&base, 64);
	inbound_due_key(s->target, due_key, sizeof(due_key));
	pc.s = s;
	pc.st = s->st;
	pc.target = s->target;
	pc.res = res;
	pc.err = err;
	rc = settings_get(s->st, "base_currency", &base, err);
	pc.base = buf_cstr(&base);
	while (rc == BS_OK && !done && (max_pages <= 0 || res->pages < max_pages)) {
		int64_t since, page, nsince, npage;
		struct ledger_pay_page pg;
		struct get_ctx g = {s, 0, 0, &body};

		rc = store_inbound_mark_get(s->st, s->target, &since, &page, err);
		if (rc != BS_OK)
			break;
		g.since = since;
		g.page = page;
		rc = paced_call(&s->pc, do_get, &g, err);
		if (rc != BS_OK)
			break;
		pc.now = now_ms();
		rc = store_begin(s->st, err);
		if (rc != BS_OK)
			break;
		rc = s->ledger->payments_parse(since, page, buf_cstr(&body), body.len, one_payment,
		                               &pc, &pg, err);
		if (rc == BS_OK) {
			next_mark(&pg, since, page, &nsince, &npage, &done);
			rc = store_inbound_mark_set(s->st, s->target, nsince, npage, pc.now, err);
		}
		if (rc == BS_OK && done)
			rc = store_setting_unset(s->st, due_key, err);
		if (rc == BS_OK)
			rc = store_commit(s->st, err);
		else
			store_rollback(s->st);
		if (rc == BS_OK)
			res->pages++;
	}
	res->done = done;
	cands_free(&pc.c);
	buf_free(&body);
	buf_free(&base);
	return rc;
}
