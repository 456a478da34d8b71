/*
 * plan_doc.c - writing a ledger-neutral document (ledger/ledger.h).
 *
 * A document is built in p->s.doc as JSON, its symbolic references to
 * other documents listed in p->s.deps, and written to the outbox (or shown
 * by a dry run) by plan_doc_emit.  Here too are what several kinds share:
 * currency and CurrencyRate, unique numbers, manual journals, payments.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"
#include "core/jsonw.h"
#include "ledger/ledger.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* ---- small JSON readers over canonical records ------------------------ */
int64_t plan_jfixed(struct json_object *o, const char *key, int scale)
{
	const char *s = jsonr_str(o, key);
	int64_t v = 0;

	if (s != NULL)
		money_parse_fixed(s, strlen(s), scale, scale, &v);
	return v;
}

struct json_object *plan_jarr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* ---- writing --------------------------------------------------------- */

/* `"key":"<decimal>"` with a leading comma. */
int plan_put_dec(struct buf *out, const char *key, int64_t v, int scale, int min_dp)
{
	char t[MONEY_TEXT_MAX];

	if (money_text(v, scale, min_dp, t) == 0)
		return BS_EINVAL;
	return jsonw_kv_str(out, 1, key, t);
}

int plan_put_opt(struct buf *out, const char *key, const char *value)
{
	return value != NULL ? jsonw_kv_str(out, 1, key, value) : BS_OK;
}

/* "Type/kind:id" into out, cut to fit as snprintf would cut it (it is on
 * every document twice: by hand, a tenth of the cost of snprintf). */
static void symbol_of(char out[LEDGER_SYMBOL_MAX], const char *type, enum record_kind kind,
                      const char *id)
{
	const char *const parts[] = {type, "/", record_kind_name(kind), ":", id};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		size_t len = strlen(parts[i]);

		if (len > LEDGER_SYMBOL_MAX - 1 - n)
			len = LEDGER_SYMBOL_MAX - 1 - n;
		memcpy(out + n, parts[i], len);
		n += len;
	}
	out[n] = '\0';
}

/* Start a document: {"type":..,"op":..,"self":"Type/kind:id","date":..} */
int plan_doc_begin(struct planner *p, const char *type, const char *op, enum record_kind kind,
                   const char *id, const char *date)
{
	char self[LEDGER_SYMBOL_MAX];
	int rc;

	buf_reset(&p->s.doc);
	buf_reset(&p->s.deps);
	symbol_of(self, type, kind, id);
	rc = buf_addc(&p->s.doc, '{');
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 0, "type", type);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "op", op);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "self", self);
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "date", date);
	return rc;
}

/* A symbolic reference: written into the doc and listed in deps. */
int plan_put_sym(struct planner *p, const char *key, const char *type, enum record_kind kind,
                 const char *id)
{
	char sym[LEDGER_SYMBOL_MAX], rid[RECORD_ID_MAX + 1];
	int rc;

	/* a sale or credit note that went into a consolidated document is
	 * that document in the ledger (a payment of it, a voucher redeemed on
	 * it, a store credit used on it: docs/consolidation.md) */
	if ((kind == RECORD_SALE || kind == RECORD_CREDIT_NOTE) && !plan_linked(p, kind, id, type))
		id = plan_cons_resolve(p, kind, id, rid);
	symbol_of(sym, type, kind, id);
	rc = jsonw_kv_str(&p->s.doc, 1, key, sym);
	if (rc == BS_OK && p->s.deps.len > 0)
		rc = buf_addc(&p->s.deps, ' ');
	if (rc == BS_OK)
		rc = buf_addstr(&p->s.deps, sym);
	return rc;
}

/*
 * The record's fresh serials that no outbox row took (its build failed, or
 * numbered a document it did not write) kept in links, so a retry carries
 * the same number.
 */
int plan_serials_keep(struct planner *p)
{
	int rc = BS_OK;

	for (size_t i = 0; i < p->cur.nself && rc == BS_OK; i++) {
		struct plan_self_link *l = &p->cur.self[i];

		if (!l->serial_held)
			continue;
		l->serial_held = false;
		rc = store_serial_keep(p->st, p->o->target, p->cur.info->kind, p->cur.info->id,
		                       l->type, l->link.serial, p->o->now_ms, p->err);
	}
	return rc;
}

/*
 * Write the record's document into the outbox (or hand it to a dry run).
 * The record's move to queued follows (plan_one's apply): the outbox row
 * holds that move's history row (struct store_held_move), as apply would
 * have written it.
 */
int plan_doc_emit(struct planner *p, const char *type, const char *op)
{
	const struct store_held_move held = {
	    p->cur.state, PLAN_ACTOR,
	    sync_event_name(p->o->resync ? SYNC_EV_RESYNC : SYNC_EV_PLAN)};
	int64_t serial = 0;
	int rc = buf_addc(&p->s.doc, '}');

	if (rc != BS_OK)
		return rc;
	/* the serial of this document's number, if fresh: its row keeps it */
	for (size_t i = 0; i < p->cur.nself; i++)
		if (p->cur.self[i].serial_held && strcmp(p->cur.self[i].type, type) == 0) {
			serial = p->cur.self[i].link.serial;
			p->cur.self[i].serial_held = false;
		}
	if (p->o->on_doc != NULL)
		p->o->on_doc(p->o->arg, p->cur.info->kind, p->cur.info->id, type, op,
		             buf_cstr(&p->s.doc));
	p->stats->documents++;
	return store_outbox_add_rec(p->st, p->o->target, p->cur.info, type, op, buf_cstr(&p->s.doc),
	                            buf_cstr(&p->s.deps), p->o->now_ms, &held, serial, NULL,
	                            p->err);
}

/* Document currency, its exponent, and the CurrencyRate text ("" = none). */
int plan_currency_of(struct planner *p, struct json_object *o, int64_t total, const char **cur,
                     int *dp, struct buf *rate)
{
	const char *c = jsonr_str(o, "currency");
	const char *fx = jsonr_str(o, "fx_rate");

	buf_reset(rate);
	*cur = c != NULL ? c : (p->ctx.set[PLAN_S_BASE].len ? plan_sv(p, PLAN_S_BASE) : NULL);
	*dp = *cur != NULL ? money_currency_exponent(*cur) : p->ctx.base_dp;
	if (*dp < 0)
		*dp = 2;
	if (fx != NULL && c != NULL && strcmp(c, plan_sv(p, PLAN_S_BASE)) != 0) {
		struct rules_currency_rate cr;
		int64_t fxv;
		int rc = money_parse_fx(fx, strlen(fx), &fxv);

		if (rc == BS_OK)
			rc = rules_currency_rate(fxv, total, p->ctx.base_dp, &cr);
		if (rc != BS_OK)
			return bs_error_set(p->err, rc, "fx_rate %s cannot be used", fx);
		return money_format(rate, cr.rate, MONEY_DP, 6);
	}
	return BS_OK;
}

/*
 * The unique reference of kind:id's `type` document into p->s.num (docs/mapping-xero.md):
 * prefix + serial + "-" + ref, the serial allocated once per record and
 * target and kept, so a retry carries the same number; at most the ledger's
 * doc_number_max characters (the reference cut, not the serial; *cut says
 * so when cut is not NULL).
 */
int plan_unique_number(struct planner *p, enum record_kind kind, const char *id, const char *type,
                       const char *ref, bool *cut)
{
	int64_t serial = 0;
	bool was_cut = false;
	struct store_link tmp;
	const struct store_link *l = plan_link_of(p, kind, id, type, &tmp);
	struct plan_self_link *known = plan_self_known(p, kind, id, type);
	int rc = BS_OK;

	if (l != NULL && l->serial > 0) {
		serial = l->serial;
	} else if (known != NULL) {
		/* just read in this transaction: no serial there, no second look;
		 * the document's outbox row keeps it (plan_doc_emit) */
		rc = store_serial_next(p->st, p->o->target, &serial, p->err);
		if (rc == BS_OK && !known->found) {
			memset(&known->link, 0, sizeof(known->link));
			known->found = true; /* a link row to be: the serial alone */
		}
		if (rc == BS_OK) {
			known->link.serial = serial;
			known->serial_held = true;
		}
	} else {
		rc = store_serial(p->st, p->o->target, kind, id, type, p->o->now_ms, &serial,
		                  p->err);
	}

	buf_reset(&p->s.num);
	/* the ledger's bound (Xero 255, QBO's DocNumber 21): the source reference
	 * is cut, never the serial, and the whole stays in the body's reference */
	if (rc == BS_OK)
		rc = rules_unique_reference(
		    &p->s.num, plan_sv(p, PLAN_S_PREFIX), (uint64_t)serial, ref,
		    p->ctx.ledger->doc_number_max > 0 ? p->ctx.ledger->doc_number_max : 255,
		    &was_cut, p->err);
	if (cut != NULL)
		*cut = was_cut;
	return rc;
}

int plan_build_journal(struct planner *p, enum record_kind kind, const char *id, const char *date,
                       const char *narration, const struct plan_jline *l, size_t n)
{
	struct buf nar;
	int rc;

	if ((rc = plan_check_lock(p, date)) != BS_OK)
		return rc;
	buf_init(&nar, 1024);
	/* the record's identity in the narration is the natural key (docs/exactly-once.md) */
	rc = buf_printf(&nar, "%s [%s:%s]", narration, record_kind_name(kind), id);
	if (rc == BS_OK)
		rc = plan_doc_begin(p, "ManualJournal", "create", kind, id, date);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "narration", buf_cstr(&nar));
	if (rc == BS_OK)
		rc = buf_addstr(&p->s.doc, ",\"lines\":[");
	for (size_t i = 0, w = 0; rc == BS_OK && i < n; i++) {
		if (l[i].amount == 0)
			continue;
		rc = buf_addstr(&p->s.doc, w++ ? ",{" : "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 0, "account", l[i].account);
		if (rc == BS_OK)
			rc = plan_put_dec(&p->s.doc, "amount", l[i].amount, MONEY_DP, 2);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 1, "description",
			                  l[i].description ? l[i].description : narration);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 1, "tax_type", p->ctx.ledger->tax_none);
		if (rc == BS_OK)
			rc = buf_addc(&p->s.doc, '}');
	}
	if (rc == BS_OK)
		rc = buf_addc(&p->s.doc, ']');
	buf_free(&nar);
	return rc;
}

int64_t plan_round_base(struct planner *p, int64_t v)
{
	int64_t r = v;

	money_round(v, MONEY_DP, p->ctx.base_dp, MONEY_HALF_AWAY, &r);
	return r;
}

/*
 * "contact": the customer or supplier of the document a payment pays, as a
 * symbol.  Xero finds it through the document; QuickBooks Online wants it
 * on the payment (CustomerRef / VendorRef, docs/mapping-qbo.md).  Not a
 * dependency of its own: the document already depends on it.
 */
static int put_party(struct planner *p, enum record_kind doc_kind, const char *doc_id)
{
	struct json_object *o;
	struct buf body;
	const char *who;
	char sym[LEDGER_SYMBOL_MAX];
	int rc = BS_OK;

	buf_init(&body, (size_t)16 << 20);
	if (doc_id == NULL ||
	    store_record_get(p->st, doc_kind, doc_id, NULL, &body, NULL) != BS_OK) {
		buf_free(&body);
		return BS_OK;
	}
	o = json_tokener_parse(buf_cstr(&body));
	if ((who = jsonr_str(o, "customer_id")) != NULL)
		symbol_of(sym, "Contact", RECORD_CUSTOMER, who);
	else if ((who = jsonr_str(o, "supplier_id")) != NULL)
		symbol_of(sym, "Contact", RECORD_SUPPLIER, who);
	if (who != NULL)
		rc = jsonw_kv_str(&p->s.doc, 1, "contact", sym);
	json_object_put(o);
	buf_free(&body);
	return rc;
}

int plan_build_payment_doc(struct planner *p, enum record_kind kind, const char *id,
                           struct json_object *o, const char *doc_type, enum record_kind doc_kind,
                           const char *doc_id, const char *account, int64_t amount)
{
	struct buf a;
	int rc = plan_check_lock(p, jsonr_str(o, "date"));

	buf_init(&a, 64);
	if (rc == BS_OK)
		rc = plan_doc_begin(p, "Payment", "create", kind, id, jsonr_str(o, "date"));
	if (rc == BS_OK)
		rc = plan_put_sym(p, "document", doc_type, doc_kind, doc_id);
	if (rc == BS_OK)
		rc = put_party(p, doc_kind, doc_id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "account", account);
	if (rc == BS_OK)
		rc = plan_put_dec(&p->s.doc, "amount", amount, MONEY_DP, 2);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "reference", id);
	/* a payment in another currency at its own rate (1 / fx_rate, 6 dp) */
	if (rc == BS_OK) {
		const char *cur = NULL;
		int dp = 2;

		rc = plan_currency_of(p, o, amount, &cur, &dp, &a);
		/* its currency: QBO needs it on the payment (Xero reads the document's) */
		if (rc == BS_OK)
			rc = plan_put_opt(&p->s.doc, "currency", jsonr_str(o, "currency"));
		if (rc == BS_OK && a.len > 0)
			rc = jsonw_kv_str(&p->s.doc, 1, "currency_rate", buf_cstr(&a));
	}
	buf_free(&a);
	return rc;
}
