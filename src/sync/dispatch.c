/*
 * dispatch.c - the dispatcher (see dispatch.h).
 *
 * A batch is copied out of the store (op id, record, body, deps), its
 * bodies parsed once, frozen, sent, and its answers written back.  Symbols
 * resolve through the links table at send time, so a retry after a crash
 * sees whatever the recovery lookups linked.  Requests an earlier run left
 * frozen are resumed by dispatch_recover.c before anything new is sent.
 */
#include "sync/dispatch_int.h"

#include "core/buf.h"
#include "core/grow.h"
#include "core/jsonr.h"
#include "core/money.h"
#include "events/events.h"
#include "rules/rules.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- symbols ------------------------------------------------------------ */

/* "Invoice/sale:SO-1" -> ledger type, kind, id. */
static int sym_split(const char *sym, char *type, size_t tcap, enum record_kind *kind,
                     const char **id)
{
	const char *slash = strchr(sym, '/'), *colon;
	char kname[32];

	if (slash == NULL || (size_t)(slash - sym) >= tcap)
		return BS_EINVAL;
	colon = strchr(slash + 1, ':');
	if (colon == NULL || (size_t)(colon - slash - 1) >= sizeof(kname))
		return BS_EINVAL;
	memcpy(type, sym, (size_t)(slash - sym));
	type[slash - sym] = '\0';
	memcpy(kname, slash + 1, (size_t)(colon - slash - 1));
	kname[colon - slash - 1] = '\0';
	if (record_kind_from_name(kname, kind) != BS_OK)
		return BS_EINVAL;
	*id = colon + 1;
	return BS_OK;
}

int dsp_resolve(void *arg, const char *symbol, char *out)
{
	struct dsp *d = arg;
	struct store_link l;
	enum record_kind kind;
	const char *id;
	char type[32];

	if (sym_split(symbol, type, sizeof(type), &kind, &id) != BS_OK)
		return BS_EINVAL;
	if (store_link_get(d->st, d->o->target, kind, id, type, &l, NULL) != BS_OK ||
	    l.ledger_id[0] == '\0')
		return BS_ENOTFOUND;
	snprintf(out, LEDGER_ID_MAX, "%s", l.ledger_id);
	return BS_OK;
}

/* The first dependency of deps (space-separated) that is not posted. */
static bool deps_ready(struct dsp *d, const char *deps, char *blocker, size_t cap)
{
	char sym[LEDGER_SYMBOL_MAX], id[LEDGER_ID_MAX];

	while (deps != NULL && *deps != '\0') {
		const char *sp = strchr(deps, ' ');
		size_t n = sp != NULL ? (size_t)(sp - deps) : strlen(deps);

		if (n > 0 && n < sizeof(sym)) {
			memcpy(sym, deps, n);
			sym[n] = '\0';
			if (dsp_resolve(d, sym, id) != BS_OK) {
				snprintf(blocker, cap, "%s", sym);
				return false;
			}
		}
		deps = sp != NULL ? sp + 1 : NULL;
	}
	return true;
}

/* ---- batches ------------------------------------------------------------ */

static void bop_free(struct bop *b)
{
	free(b->body);
	json_object_put(b->doc);
	b->body = NULL;
	b->doc = NULL;
}

void dsp_batch_clear(struct dsp *d)
{
	for (size_t i = 0; i < d->nops; i++)
		bop_free(&d->ops[i]);
	for (size_t i = 0; i < d->nblocked; i++)
		bop_free(&d->blocked[i]);
	d->nops = d->nblocked = 0;
	d->bytes = 0;
	d->alloc_cn[0] = '\0';
}

int dsp_op_fill(struct dsp *d, struct bop *b, const struct store_op *op)
{
	memset(b, 0, sizeof(*b));
	b->op_id = op->id;
	b->kind = op->kind;
	snprintf(b->id, sizeof(b->id), "%s", op->record_id);
	snprintf(b->op, sizeof(b->op), "%s", op->op);
	b->body = strdup(op->body);
	if (b->body == NULL)
		return bs_error_set(d->err, BS_ENOMEM, "out of memory");
	return BS_OK;
}

/* Parse the body and find the linked id an update / void / status needs. */
int dsp_op_prepare(struct dsp *d, struct bop *b)
{
	struct json_object *self;

	b->doc = jsonr_parse(d->tok, b->body, strlen(b->body));
	if (b->doc == NULL)
		return bs_error_set(d->err, BS_ESTORE, "outbox operation %lld is not JSON",
		                    (long long)b->op_id);
	if (strcmp(b->op, "create") != 0 && json_object_object_get_ex(b->doc, "self", &self)) {
		if (dsp_resolve(d, json_object_get_string(self), b->self_id) != BS_OK)
			b->self_id[0] = '\0';
	}
	return BS_OK;
}

static int gather_cb(void *arg, const struct store_op *op)
{
	struct dsp *d = arg;
	char blocker[LEDGER_SYMBOL_MAX] = "";
	size_t len = strlen(op->body);
	int rc;

	if (!deps_ready(d, op->deps, blocker, sizeof(blocker))) {
		if (grow_array(&d->blocked, &d->capblocked, d->nblocked, 64, sizeof(*d->blocked)) !=
		    BS_OK)
			return bs_error_set(d->err, BS_ENOMEM, "out of memory");
		rc = dsp_op_fill(d, &d->blocked[d->nblocked], op);
		if (rc == BS_OK)
			snprintf(d->blocked[d->nblocked++].blocker, LEDGER_SYMBOL_MAX, "%s",
			         blocker);
		return rc;
	}
	if (d->type == LEDGER_ALLOCATION) {
		/* one credit note per call: its id is in the URL */
		const char *cn = strstr(op->body, "\"credit_note\":\"");
		char sym[LEDGER_SYMBOL_MAX];
		size_t n;

		if (cn == NULL)
			return BS_OK;
		cn += 15;
		n = strcspn(cn, "\"");
		if (n >= sizeof(sym))
			return BS_OK;
		memcpy(sym, cn, n);
		sym[n] = '\0';
		if (d->alloc_cn[0] == '\0')
			snprintf(d->alloc_cn, sizeof(d->alloc_cn), "%s", sym);
		else if (strcmp(sym, d->alloc_cn) != 0)
			return BS_OK;
	}
	if (d->nops > 0 && d->bytes + len > d->bytes_max)
		return STORE_WALK_STOP; /* full by size */
	rc = dsp_op_fill(d, &d->ops[d->nops], op);
	if (rc != BS_OK)
		return rc;
	d->nops++;
	d->bytes += len;
	return d->nops >= d->batch_max ? STORE_WALK_STOP : 0;
}

/* ---- recording answers -------------------------------------------------- */

static int apply_state(struct dsp *d, const struct bop *b, enum sync_event ev, const char *why)
{
	struct store_actor who = {"sync", d->o->now_ms(d->o->clock)};
	struct bs_error e;
	int rc = store_state_apply(d->st, b->kind, b->id, d->o->target, ev, why, &who, NULL, &e);

	/* a second document of one record (a PO marked billed) finds it moved on */
	if (rc == BS_ESTATE)
		return BS_OK;
	/* the source system hears of it in the same transaction (events.h;
	 * nothing is kept while events.url is unset) */
	if (rc == BS_OK && (ev == SYNC_EV_POSTED || ev == SYNC_EV_FAILED))
		rc = events_emit_document(d->st, ev == SYNC_EV_POSTED, d->o->target,
		                          record_kind_name(b->kind), b->id,
		                          ledger_doc_type_name(d->type), why, who.now_ms, &e);
	if (rc != BS_OK && d->err != NULL)
		*d->err = e;
	return rc;
}

static const char *doc_type_name(const struct dsp *d)
{
	return ledger_doc_type_name(d->type);
}

/* Expected vs returned total: docs/rounding.md "After posting". */
static bool total_differs(const struct dsp *d, const struct bop *b, const struct ledger_elem *e,
                          struct buf *why)
{
	struct json_object *v;
	int64_t want;
	const char *s;

	if (!e->has_total || !json_object_object_get_ex(b->doc, "expected_total", &v))
		return false;
	s = json_object_get_string(v);
	if (money_parse_fixed(s, strlen(s), MONEY_DP, MONEY_DP, &want) != BS_OK || want == e->total)
		return false;
	buf_reset(why);
	buf_addstr(why, "the ledger's total ");
	money_format(why, e->total, MONEY_DP, d->o->ledger->caps->amount_dp);
	buf_addstr(why, " differs from the source total ");
	money_format(why, want, MONEY_DP, d->o->ledger->caps->amount_dp);
	buf_addstr(why, " even after correcting its rounding line");
	return true;
}

/* The document's rounding line (lines[].rounding), or NULL. */
static struct json_object *rounding_line(struct json_object *lines)
{
	struct json_object *line = NULL;

	for (size_t i = 0; i < json_object_array_length(lines); i++) {
		struct json_object *l = json_object_array_get_idx(lines, i), *r;

		if (json_object_object_get_ex(l, "rounding", &r))
			line = l;
	}
	return line;
}

/* A decimal text field of the document, in micros. */
static int doc_money(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || (s = json_object_get_string(v)) == NULL)
		return BS_EINVAL;
	return money_parse_fixed(s, strlen(s), MONEY_DP, MONEY_DP, out);
}

/* Write the rules' fix into the document's rounding line (a new one when
 * it has none). */
static int apply_fix(struct dsp *d, struct json_object *lines, struct json_object *line,
                     const struct rules_rounding_fix *fix)
{
	struct buf amt;
	int rc;

	if (fix->add_line) {
		line = json_object_new_object();
		json_object_object_add(line, "description",
		                       json_object_new_string(fix->description));
		json_object_object_add(line, "quantity", json_object_new_string("1"));
		json_object_object_add(line, "account", json_object_new_string(fix->account));
		json_object_object_add(line, "tax_type", json_object_new_string(fix->tax_code));
		json_object_object_add(line, "rounding", json_object_new_string("true"));
		json_object_array_add(lines, line);
	}
	buf_init(&amt, 64);
	rc = money_format(&amt, fix->unit_amount, MONEY_DP, d->o->ledger->caps->amount_dp);
	if (rc == BS_OK)
		json_object_object_add(line, "unit_amount", json_object_new_string(buf_cstr(&amt)));
	buf_free(&amt);
	return rc;
}

/*
 * The ledger's Total differs from the source's (another midpoint rule, a
 * 3-dp currency held at 2 dp): queue an update of the same document whose
 * rounding line absorbs the difference, as rules_rounding_recheck says
 * (docs/rounding.md "After posting").  Done once: a corrected document that
 * still differs fails its record, as does one whose total the rules cannot
 * correct (why says so).
 */
static int queue_posthoc(struct dsp *d, struct bop *b, const struct ledger_elem *e, bool *queued,
                         struct buf *why)
{
	const struct ledger_caps *caps = d->o->ledger->caps;
	struct json_object *lines, *v, *line;
	struct rules_rounding_fix fix;
	const char *acct;
	int64_t want, unit = 0;
	int rc;

	*queued = false;
	if (json_object_object_get_ex(b->doc, "posthoc", &v) ||
	    !json_object_object_get_ex(b->doc, "expected_total", &v) ||
	    !json_object_object_get_ex(b->doc, "lines", &lines) ||
	    !json_object_object_get_ex(b->doc, "rounding_account", &v))
		return BS_OK;
	acct = json_object_get_string(v);
	if (doc_money(b->doc, "expected_total", &want) != BS_OK)
		return bs_error_set(d->err, BS_ESTORE, "outbox operation %lld: bad expected_total",
		                    (long long)b->op_id);
	line = rounding_line(lines);
	if (line != NULL && json_object_object_get_ex(line, "unit_amount", &v) &&
	    doc_money(line, "unit_amount", &unit) != BS_OK)
		return bs_error_set(d->err, BS_ESTORE,
		                    "outbox operation %lld: bad rounding unit_amount",
		                    (long long)b->op_id);
	rc = rules_rounding_recheck(e->total, want, caps->amount_dp, line != NULL, unit, acct,
	                            caps->tax_none, &fix);
	if (rc != BS_OK) {
		/* not correctable by a line: the record fails, saying why */
		buf_addstr(why, " (");
		buf_addstr(why, bs_strerror(rc));
		buf_addstr(why, ": the ledger's total cannot be corrected by a rounding line)");
		return BS_OK;
	}
	if (!fix.needed)
		return BS_OK;
	rc = apply_fix(d, lines, line, &fix);
	if (rc == BS_OK) {
		json_object_object_add(b->doc, "op", json_object_new_string("update"));
		json_object_object_add(b->doc, "posthoc", json_object_new_boolean(1));
		rc = store_outbox_add(
		    d->st, d->o->target, b->kind, b->id, doc_type_name(d), "update",
		    json_object_to_json_string_ext(b->doc, JSON_C_TO_STRING_PLAIN), "",
		    d->o->now_ms(d->o->clock), NULL, d->err);
	}
	if (rc == BS_OK) {
		*queued = true;
		d->stats->corrected++;
	}
	return rc;
}

/* One API call of a retried exchange: a send, or a lookup. */
struct attempt {
	struct dsp *d;
	struct ledger_elem *elems;
	size_t n;
	const char *key; /* a send's idempotency key; NULL = a lookup */
	bool *found;     /* a lookup's answers */
	bool prepare;    /* the ledger's read before a send (ops->prepare) */
};

static int attempt_once(void *ctx, struct ledger_call *call, struct bs_error *err)
{
	struct attempt *a = ctx;
	struct dsp *d = a->d;

	if (a->prepare)
		return d->o->ledger->prepare(d->o->conn, d->type, a->elems, a->n, call, err);
	if (a->key == NULL)
		return d->o->ledger->lookup_many(d->o->conn, d->type, a->elems, a->n, dsp_resolve,
		                                 d, a->found, call, err);
	d->stats->write_calls++;
	return d->o->ledger->push(d->o->conn, d->type, a->elems, a->n, a->key, dsp_resolve, d, call,
	                          err);
}

static void call_started(void *arg)
{
	struct dsp *d = arg;

	d->o->call_started(d->o->arg);
}

/* The caller's hook (a token refresh) before each attempt. */
static int before_call(void *arg, struct bs_error *err)
{
	struct dsp *d = arg;

	return d->o->before_call(d->o->arg, err);
}

struct status_ask {
	struct dsp *d;
	const char *id;
	enum ledger_doc_status status;
};

static int ask_status(void *ctx, struct ledger_call *call, struct bs_error *err)
{
	struct status_ask *q = ctx;

	return q->d->o->ledger->doc_status(q->d->o->conn, q->d->type, q->id, &q->status, call, err);
}

/*
 * The ledger refused an operation on a linked document for its status
 * (LEDGER_REFUSAL_WRONG_STATUS): was the document voided or deleted there?
 */
static bool gone_in_ledger(struct dsp *d, const struct bop *b, const struct ledger_elem *e)
{
	struct status_ask q = {d, b->self_id, LEDGER_DOC_LIVE};
	struct bs_error ge;

	if (b->self_id[0] == '\0' || e->refusal != LEDGER_REFUSAL_WRONG_STATUS)
		return false;
	/* QBO may ask by a /batch of queries: paced as a batch call */
	return paced_call_batch(&d->pc, ask_status, &q, &ge) == BS_OK &&
	       (q.status == LEDGER_DOC_VOIDED || q.status == LEDGER_DOC_DELETED);
}

/*
 * An update refused because the linked document was voided or deleted in
 * the ledger: the link is dropped (the serial with it) and the record
 * reset, so the next plan creates a new document with a new serial
 * (docs/states-and-tabs.md "Reset and resync").
 */
static int replan(struct dsp *d, struct bop *b)
{
	int rc = store_link_drop(d->st, d->o->target, b->kind, b->id, doc_type_name(d), d->err);

	if (rc == BS_OK)
		rc = apply_state(d, b, SYNC_EV_FAILED, "its ledger document was voided there");
	if (rc == BS_OK)
		rc = apply_state(d, b, SYNC_EV_RESET, "to be created anew with a new number");
	if (rc == BS_OK)
		rc = store_outbox_set(d->st, b->op_id, STORE_OP_FAILED, 0, d->err);
	d->stats->replanned++;
	return rc;
}

/*
 * A void refused because the document is void already: it was sent again
 * after a crash lost the first answer (its members went into a new request,
 * or the ledger no longer knew the key).  That void is done: accepted, on
 * the linked document, its number kept.
 */
static void void_done(struct dsp *d, const struct bop *b, struct ledger_elem *e)
{
	struct store_link l;

	e->status = BS_OK;
	e->refusal = LEDGER_REFUSAL_NONE;
	e->warned = false;
	buf_reset(&e->message);
	snprintf(e->id, sizeof(e->id), "%s", b->self_id);
	if (store_link_get(d->st, d->o->target, b->kind, b->id, doc_type_name(d), &l, NULL) ==
	    BS_OK)
		snprintf(e->number, sizeof(e->number), "%s", l.number);
}

int dsp_request_close(struct dsp *d, int64_t rid, int rc)
{
	if (rc == BS_OK)
		rc =
		    store_request_set(d->st, rid, STORE_RQ_DONE, d->o->now_ms(d->o->clock), d->err);
	if (rc == BS_OK)
		rc = store_commit(d->st, d->err);
	else
		store_rollback(d->st);
	return rc;
}

int dsp_record_elem(struct dsp *d, struct bop *b, struct ledger_elem *e, struct buf *why)
{
	int64_t now = d->o->now_ms(d->o->clock);
	bool gone = e->status != BS_OK && gone_in_ledger(d, b, e);
	int rc = BS_OK;

	if (gone && strcmp(b->op, "void") == 0) {
		void_done(d, b, e);
		gone = false;
	}
	if (e->status == BS_OK) {
		rc = store_link_set(d->st, d->o->target, b->kind, b->id, doc_type_name(d), e->id,
		                    e->number, now, d->err);
		if (rc != BS_OK)
			return rc;
		if (e->warned) {
			/* a warning means something was dropped: never silently */
			rc = apply_state(d, b, SYNC_EV_FAILED, buf_cstr(&e->message));
			d->stats->failed++;
			if (d->o->on_failure != NULL)
				d->o->on_failure(d->o->arg, b->kind, b->id, buf_cstr(&e->message));
		} else if (total_differs(d, b, e, why)) {
			bool queued = false;

			/* correct it by updating the rounding line, once; the record
			 * stays queued until that update lands */
			rc = queue_posthoc(d, b, e, &queued, why);
			if (rc == BS_OK && !queued) {
				rc = apply_state(d, b, SYNC_EV_FAILED, buf_cstr(why));
				d->stats->failed++;
				if (d->o->on_failure != NULL)
					d->o->on_failure(d->o->arg, b->kind, b->id, buf_cstr(why));
			}
		} else {
			rc = apply_state(d, b, SYNC_EV_POSTED, NULL);
			d->stats->posted++;
		}
		if (rc == BS_OK)
			rc = store_outbox_set(d->st, b->op_id, STORE_OP_DONE, 0, d->err);
		return rc;
	}
	if (gone)
		return replan(d, b);
	rc = apply_state(d, b, SYNC_EV_FAILED,
	                 e->message.len ? buf_cstr(&e->message) : "refused by the ledger");
	d->stats->failed++;
	if (d->o->on_failure != NULL)
		d->o->on_failure(d->o->arg, b->kind, b->id, buf_cstr(&e->message));
	if (rc == BS_OK)
		rc = store_outbox_set(d->st, b->op_id, STORE_OP_FAILED, 0, d->err);
	return rc;
}

/*
 * A contact the ledger already has under that name (refused as a
 * duplicate: created by hand, or the supplier twin of a customer:
 * docs/mapping-xero.md "Contacts"): look it up and link it.
 */
static void adopt_existing_contacts(struct dsp *d, struct ledger_elem *elems)
{
	for (size_t i = 0; d->type == LEDGER_CONTACT && i < d->nops; i++) {
		struct attempt a = {d, &elems[i], 1, NULL, NULL, false};
		struct bs_error e;
		bool found = false;

		if (elems[i].status == BS_OK || elems[i].refusal != LEDGER_REFUSAL_DUPLICATE)
			continue;
		a.found = &found;
		if (paced_call_batch(&d->pc, attempt_once, &a, &e) == BS_OK && found) {
			elems[i].status = BS_OK;
			elems[i].refusal = LEDGER_REFUSAL_NONE;
			elems[i].warned = false;
			buf_reset(&elems[i].message);
			d->stats->recovered++;
		}
	}
}

/* ---- sending -------------------------------------------------------------- */

/*
 * Send the batch (request `key`) until the ledger answers for every
 * element.  A ledger that must read something first (QBO: the SyncTokens
 * of updates and voids) reads it here, once per send, as a paced call of
 * its own: the governor counts it (docs/exactly-once.md).
 */
static int send_batch(struct dsp *d, struct ledger_elem *elems, const char *key)
{
	const struct ledger_ops *l = d->o->ledger;
	struct attempt a = {d, elems, d->nops, key, NULL, false};

	if (l->prepare_needed != NULL && l->prepare != NULL &&
	    l->prepare_needed(d->type, elems, d->nops)) {
		struct attempt p = {d, elems, d->nops, NULL, NULL, true};
		int rc = paced_call(&d->pc, attempt_once, &p, d->err);

		if (rc != BS_OK)
			return rc;
	}
	return paced_call_batch(&d->pc, attempt_once, &a, d->err);
}

int dsp_lookup(struct dsp *d, struct ledger_elem *elems, size_t n, bool *found)
{
	struct attempt a = {d, elems, n, NULL, found, false};

	/* a lookup of many may be one batch call (QBO's /batch of queries) */
	return paced_call_batch(&d->pc, attempt_once, &a, d->err);
}

static int freeze(struct dsp *d, int64_t *rid, struct buf *key)
{
	int rc = store_begin(d->st, d->err);

	if (rc != BS_OK)
		return rc;
	rc = store_request_create(d->st, d->o->target, doc_type_name(d), d->o->now_ms(d->o->clock),
	                          rid, key, d->err);
	for (size_t i = 0; rc == BS_OK && i < d->nops; i++)
		rc = store_outbox_set(d->st, d->ops[i].op_id, STORE_OP_FROZEN, *rid, d->err);
	if (rc == BS_OK)
		return store_commit(d->st, d->err);
	store_rollback(d->st);
	return rc;
}

/* Write every element's answer and close the request, in one transaction. */
static int record_batch(struct dsp *d, struct ledger_elem *elems, int64_t rid, int send_rc)
{
	struct buf why;
	int rc;

	buf_init(&why, 1024);
	rc = store_begin(d->st, d->err);
	for (size_t i = 0; rc == BS_OK && i < d->nops; i++) {
		if (send_rc == BS_EINVAL || send_rc == BS_ENOTFOUND) {
			/* the whole request was refused (400): every element fails */
			elems[i].status = BS_EINVAL;
			buf_reset(&elems[i].message);
			buf_addstr(&elems[i].message, d->err != NULL ? d->err->msg : "refused");
		}
		rc = dsp_record_elem(d, &d->ops[i], &elems[i], &why);
	}
	rc = dsp_request_close(d, rid, rc);
	buf_free(&why);
	return rc;
}

int dsp_run_batch(struct dsp *d, int64_t rid, const char *key)
{
	struct ledger_elem *elems = calloc(d->nops ? d->nops : 1, sizeof(*elems));
	struct bs_error sent_err;
	int rc = BS_OK, src;

	bs_error_clear(&sent_err);
	if (elems == NULL)
		return bs_error_set(d->err, BS_ENOMEM, "out of memory");
	for (size_t i = 0; i < d->nops; i++) {
		ledger_elem_init(&elems[i]);
		elems[i].doc = d->ops[i].doc;
		elems[i].ledger_id = d->ops[i].self_id[0] ? d->ops[i].self_id : NULL;
	}
	src = send_batch(d, elems, key);
	if (src == BS_OK)
		adopt_existing_contacts(d, elems);
	if (src == BS_OK || src == BS_EINVAL || src == BS_ENOTFOUND) {
		if (d->err != NULL)
			sent_err = *d->err;
		rc = record_batch(d, elems, rid, src);
		if (rc == BS_OK && src != BS_OK && d->err != NULL)
			*d->err = sent_err;
	} else {
		rc = src;
	}
	for (size_t i = 0; i < d->nops; i++)
		ledger_elem_release(&elems[i]);
	free(elems);
	if (d->o->on_progress != NULL)
		d->o->on_progress(d->o->arg, d->stats->posted, d->stats->failed, d->stats->calls);
	return rc;
}

/* Ops whose dependency did not post: the record waits, the op is dropped
 * (nothing was sent; the next sync plans it again). */
static int set_aside(struct dsp *d)
{
	int rc = BS_OK;

	for (size_t i = 0; rc == BS_OK && i < d->nblocked; i++) {
		struct bop *b = &d->blocked[i];
		char why[LEDGER_SYMBOL_MAX + 64];

		snprintf(why, sizeof(why), "%s is not in the ledger (see errors)", b->blocker);
		rc = store_begin(d->st, d->err);
		if (rc == BS_OK)
			rc = store_outbox_delete(d->st, b->op_id, d->err);
		if (rc == BS_OK)
			rc = apply_state(d, b, SYNC_EV_WAIT, why);
		if (rc == BS_OK)
			rc = store_commit(d->st, d->err);
		else
			store_rollback(d->st);
		d->stats->waiting++;
		if (rc == BS_OK && d->o->on_waiting != NULL)
			d->o->on_waiting(d->o->arg, b->kind, b->id, why);
	}
	return rc;
}

/* ---- the run -------------------------------------------------------------- */

int dispatch_run(struct store *st, const struct dispatch_opts *o, struct dispatch_stats *stats,
                 struct bs_error *err)
{
	struct dsp d;
	struct buf key;
	int rc;

	memset(&d, 0, sizeof(d));
	d.st = st;
	d.o = o;
	d.stats = stats;
	d.err = err;
	d.batch_max = o->batch_max ? o->batch_max : o->ledger->caps->batch_max;
	d.bytes_max = o->bytes_max ? o->bytes_max : o->ledger->caps->bytes_max;
	d.pc.gov = o->gov;
	d.pc.now_ms = o->now_ms;
	d.pc.sleep_ms = o->sleep_ms;
	d.pc.clock = o->clock;
	d.pc.before = o->before_call != NULL ? before_call : NULL;
	d.pc.started = o->call_started != NULL ? call_started : NULL;
	d.pc.started_arg = &d;
	d.pc.app_take = o->app_take;
	d.pc.app_arg = o->app_arg;
	d.pc.arg = &d;
	d.pc.max_attempts = o->max_attempts;
	d.pc.rng = (uint64_t)o->now_ms(o->clock) * 2654435761u + 1;
	d.pc.calls = &stats->calls;
	d.pc.rate_limited = &stats->rate_limited;
	d.pc.retries = &stats->retries;
	d.ops = calloc(d.batch_max, sizeof(*d.ops));
	d.tok = json_tokener_new();
	buf_init(&key, 256);
	if (d.ops == NULL || d.tok == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	rc = dsp_recover(&d);
	for (int t = 0; rc == BS_OK && t < LEDGER_DOC_TYPE_COUNT; t++) {
		d.type = (enum ledger_doc_type)t;
		for (;;) {
			int64_t rid = 0;

			dsp_batch_clear(&d);
			rc = store_outbox_each(st, o->target, STORE_OP_READY, doc_type_name(&d), 0,
			                       gather_cb, &d, err);
			if (rc == STORE_WALK_STOP)
				rc = BS_OK;
			if (rc == BS_OK)
				rc = set_aside(&d);
			if (rc != BS_OK || d.nops == 0)
				break;
			for (size_t i = 0; rc == BS_OK && i < d.nops; i++)
				rc = dsp_op_prepare(&d, &d.ops[i]);
			if (rc == BS_OK)
				rc = freeze(&d, &rid, &key);
			if (rc == BS_OK)
				rc = dsp_run_batch(&d, rid, buf_cstr(&key));
			if (rc != BS_OK)
				break;
		}
	}
out:
	dsp_batch_clear(&d);
	free(d.ops);
	free(d.blocked);
	if (d.tok != NULL)
		json_tokener_free(d.tok);
	buf_free(&key);
	return rc;
}
