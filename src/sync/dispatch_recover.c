/*
 * dispatch_recover.c - requests an earlier run left frozen (see dispatch.h).
 *
 * A request is frozen, with its idempotency key, before it is sent; a run
 * killed mid-call, or one that ran out of patience, leaves it frozen, and
 * nobody knows whether the ledger processed it.  What the next run does
 * depends on the operation, because what the ledger can be asked differs:
 *
 *   create   (contacts, items, documents, payments, journals, bank
 *            transactions) is looked up by natural key (number, name,
 *            narration, reference; a payment also by its document); what
 *            the ledger holds is linked.
 *   update, void, status
 *            name the linked document by id, so the ledger applies them
 *            to it however often they arrive: they are never looked up,
 *            only sent again.  A void that finds its document void already
 *            is done (dispatch.c).
 *   allocation
 *            see recover_allocations below.
 *
 * When the ledger holds none of a request's members, the request goes
 * again as it was, with its key (a ledger that saw the key answers with its
 * first answer); when it holds some, the others go back to the outbox and
 * are frozen anew (the same key with another body is refused as a
 * conflict).  A request with nothing to look up makes no lookup call at
 * all: such a call sends nothing and gets no answer, and is not counted.
 */
#include "sync/dispatch_int.h"

#include "core/buf.h"
#include "core/grow.h"
#include "core/jsonr.h"
#include "core/money.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pending_rq {
	int64_t id;
	char key[160];
	char type[32];
};

struct rq_list {
	struct pending_rq *v;
	size_t n, cap;
};

static int rq_cb(void *arg, const struct store_request *rq)
{
	struct rq_list *l = arg;

	if (grow_array(&l->v, &l->cap, l->n, 16, sizeof(*l->v)) != BS_OK)
		return BS_ENOMEM;
	l->v[l->n].id = rq->id;
	snprintf(l->v[l->n].key, sizeof(l->v[0].key), "%s", rq->key);
	snprintf(l->v[l->n].type, sizeof(l->v[0].type), "%s", rq->doc_type);
	l->n++;
	return 0;
}

static int member_cb(void *arg, const struct store_op *op)
{
	struct dsp *d = arg;
	int rc = dsp_op_fill(d, &d->ops[d->nops], op);

	if (rc == BS_OK)
		d->nops++;
	return rc != BS_OK ? rc : d->nops >= d->batch_max ? STORE_WALK_STOP : 0;
}

/* ---- allocations ---------------------------------------------------------- */

/*
 * Allocations.  Xero edits none and gives none a reference, so neither
 * "send again by id" nor a natural-key lookup is there.  The idempotency
 * key alone would do only while the ledger keeps it (24 h at the sandbox,
 * which also forgets keys when it restarts; unconfirmed at Xero: docs/mapping-xero.md
 * §3); past that a re-send applies the credit twice.  So the credit note's
 * allocations are read and compared on credit note + invoice + amount
 * (docs/exactly-once.md "Natural keys").  That triple is no identity: a customer
 * may use one credit twice, for the same amount, on one sale.  So the
 * ledger's allocations with a member's triple are counted against the ones
 * this store posted already (its done operations with that triple): only
 * the surplus is this request's.  One made by hand in Xero with the same
 * triple would be taken for ours; the credit is still applied once, as
 * the source says, never twice.
 */
struct akey {
	const char *cn, *inv; /* symbols */
	int64_t amount;
};

static bool akey_of(struct json_object *doc, struct akey *k)
{
	const char *amt = jsonr_str(doc, "amount");

	k->cn = jsonr_str(doc, "credit_note");
	k->inv = jsonr_str(doc, "invoice");
	return k->cn != NULL && k->inv != NULL && amt != NULL &&
	       money_parse_fixed(amt, strlen(amt), MONEY_DP, MONEY_DP, &k->amount) == BS_OK;
}

static bool akey_eq(const struct akey *a, const struct akey *b)
{
	return a->amount == b->amount && strcmp(a->cn, b->cn) == 0 && strcmp(a->inv, b->inv) == 0;
}

struct posted { /* the done allocations with each member's triple */
	struct dsp *d;
	const struct akey *keys;
	const bool *keyed;
	size_t *n;
};

static int posted_cb(void *arg, const struct store_op *op)
{
	struct posted *p = arg;
	struct json_object *doc = json_tokener_parse(op->body);
	struct akey k;

	if (doc == NULL)
		return bs_error_set(p->d->err, BS_ESTORE, "outbox operation %lld is not JSON",
		                    (long long)op->id);
	if (akey_of(doc, &k))
		for (size_t i = 0; i < p->d->nops; i++)
			if (p->keyed[i] && akey_eq(&k, &p->keys[i]))
				p->n[i]++;
	json_object_put(doc);
	return 0;
}

struct alloc_ask {
	struct dsp *d;
	const char *cn_id;
	struct ledger_allocation *v;
	size_t n;
};

static int ask_allocations(void *ctx, struct ledger_call *call, struct bs_error *err)
{
	struct alloc_ask *q = ctx;

	free(q->v); /* an attempt before this one */
	q->v = NULL;
	return q->d->o->ledger->allocations(q->d->o->conn, q->cn_id, &q->v, &q->n, call, err);
}

/* hits[i] (and elems[i] filled) for the members the ledger holds already. */
static int recover_allocations(struct dsp *d, struct ledger_elem *elems, bool *hits)
{
	struct akey *keys = calloc(d->nops, sizeof(*keys));
	bool *keyed = calloc(d->nops, sizeof(*keyed));
	size_t *posted = calloc(d->nops, sizeof(*posted));
	struct alloc_ask q = {d, NULL, NULL, 0};
	struct posted done = {d, keys, keyed, posted};
	char cn_id[LEDGER_ID_MAX], inv_id[LEDGER_ID_MAX];
	int rc = BS_OK;

	if (keys == NULL || keyed == NULL || posted == NULL) {
		rc = bs_error_set(d->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	/* one credit note per request: the first member's */
	keyed[0] = akey_of(d->ops[0].doc, &keys[0]);
	for (size_t i = 1; keyed[0] && i < d->nops; i++)
		keyed[i] = akey_of(d->ops[i].doc, &keys[i]) && strcmp(keys[i].cn, keys[0].cn) == 0;
	if (!keyed[0] || dsp_resolve(d, keys[0].cn, cn_id) != BS_OK)
		goto out; /* nothing to compare: the key must do */
	q.cn_id = cn_id;
	rc = paced_call(&d->pc, ask_allocations, &q, d->err);
	if (rc == BS_ENOTFOUND)
		rc = BS_OK; /* no credit note (deleted in Xero): sent again, refused */
	if (rc == BS_OK && q.n > 0)
		rc = store_outbox_each(d->st, d->o->target, STORE_OP_DONE,
		                       ledger_doc_type_name(LEDGER_ALLOCATION), 0, posted_cb, &done,
		                       d->err);
	for (size_t i = 0; rc == BS_OK && i < d->nops; i++) {
		size_t held = 0, taken = 0;

		if (!keyed[i] || dsp_resolve(d, keys[i].inv, inv_id) != BS_OK)
			continue;
		for (size_t j = 0; j < q.n; j++)
			held += q.v[j].amount == keys[i].amount &&
			        strcmp(q.v[j].invoice_id, inv_id) == 0;
		for (size_t j = 0; j < i; j++)
			taken += hits[j] && keyed[j] && akey_eq(&keys[j], &keys[i]);
		if (held <= posted[i] + taken)
			continue; /* every one of them is accounted for */
		hits[i] = true;
		elems[i].status = BS_OK;
		elems[i].has_total = true;
		elems[i].total = keys[i].amount;
		/* the newest one not claimed yet stands for it */
		for (size_t j = q.n; j-- > 0;)
			if (q.v[j].amount == keys[i].amount &&
			    strcmp(q.v[j].invoice_id, inv_id) == 0 && taken-- == 0) {
				snprintf(elems[i].id, sizeof(elems[i].id), "%s", q.v[j].id);
				break;
			}
	}
out:
	free(q.v);
	free(keys);
	free(keyed);
	free(posted);
	return rc;
}

/* ---- a request ------------------------------------------------------------ */

/* hits[i] for the members the ledger holds already, by the one way their
 * kind can be asked about (the comment at the top). */
static int look_up(struct dsp *d, struct ledger_elem *elems, bool *hits)
{
	if (d->type == LEDGER_ALLOCATION)
		return recover_allocations(d, elems, hits);
	/* only creates are looked up: the others hide their documents */
	for (size_t i = 0; i < d->nops; i++)
		elems[i].doc = strcmp(d->ops[i].op, "create") == 0 ? d->ops[i].doc : NULL;
	if (d->o->ledger->lookup_keyed(d->type, elems, d->nops) == 0)
		return BS_OK; /* nothing to ask: no call */
	return dsp_lookup(d, elems, d->nops, hits);
}

/* Some members are in the ledger: link them; the rest go back to the
 * outbox, to travel in a new request with a new key. */
static int split(struct dsp *d, const struct pending_rq *rq, struct ledger_elem *elems)
{
	struct buf why;
	int rc = store_begin(d->st, d->err);

	buf_init(&why, 1024);
	for (size_t i = 0; rc == BS_OK && i < d->nops; i++) {
		if (d->ops[i].op[0] == '\0') {
			d->stats->recovered++;
			rc = dsp_record_elem(d, &d->ops[i], &elems[i], &why);
		} else {
			rc = store_outbox_set(d->st, d->ops[i].op_id, STORE_OP_READY, 0, d->err);
		}
	}
	rc = dsp_request_close(d, rq->id, rc);
	buf_free(&why);
	return rc;
}

static int recover_one(struct dsp *d, const struct pending_rq *rq)
{
	struct ledger_elem *elems = NULL;
	bool *hits = NULL;
	size_t found = 0;
	int rc;

	if (ledger_doc_type_from_name(rq->type, strlen(rq->type), &d->type) != BS_OK)
		return bs_error_set(d->err, BS_ESTORE, "request %lld has unknown type %s",
		                    (long long)rq->id, rq->type);
	dsp_batch_clear(d);
	rc = store_outbox_each(d->st, d->o->target, STORE_OP_FROZEN, NULL, rq->id, member_cb, d,
	                       d->err);
	if (rc == STORE_WALK_STOP) /* member_cb stopped at batch_max: that is every member */
		rc = BS_OK;
	if (rc != BS_OK)
		return rc;
	if (d->nops == 0)
		return store_request_set(d->st, rq->id, STORE_RQ_DONE, d->o->now_ms(d->o->clock),
		                         d->err);
	elems = calloc(d->nops, sizeof(*elems));
	hits = calloc(d->nops, sizeof(*hits));
	if (elems == NULL || hits == NULL) {
		free(elems);
		free(hits);
		return bs_error_set(d->err, BS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < d->nops; i++)
		ledger_elem_init(&elems[i]);
	for (size_t i = 0; rc == BS_OK && i < d->nops; i++) {
		rc = dsp_op_prepare(d, &d->ops[i]);
		elems[i].ledger_id = d->ops[i].self_id[0] ? d->ops[i].self_id : NULL;
	}
	if (rc == BS_OK)
		rc = look_up(d, elems, hits);
	for (size_t i = 0; rc == BS_OK && i < d->nops; i++) {
		elems[i].doc = d->ops[i].doc;
		if (hits[i]) {
			found++;
			elems[i].status = BS_OK;
			d->ops[i].op[0] = '\0'; /* marks "found" */
		}
	}
	if (rc == BS_OK)
		rc = found == 0 ? dsp_run_batch(d, rq->id, rq->key) : split(d, rq, elems);
	for (size_t i = 0; i < d->nops; i++)
		ledger_elem_release(&elems[i]);
	free(elems);
	free(hits);
	return rc;
}

int dsp_recover(struct dsp *d)
{
	struct rq_list l = {0};
	int rc = store_requests_each(d->st, d->o->target, STORE_RQ_FROZEN, rq_cb, &l, d->err);

	for (size_t i = 0; rc == BS_OK && i < l.n; i++)
		rc = recover_one(d, &l.v[i]);
	free(l.v);
	return rc;
}
