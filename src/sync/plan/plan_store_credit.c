/*
 * plan_store_credit.c - store credits: an issued credit is a sales
 * CreditNote; a use is an Allocation of the credit(s) it draws on to the
 * sale's invoice, a refund a Payment out of each.  Which credits a use or
 * refund draws on is rules_store_credit_fifo's to say, over the customer's
 * events (README "Decisions").
 */
#include "sync/plan/plan_int.h"

#include "core/grow.h"
#include "core/jsonr.h"
#include "core/jsonw.h"
#include "ledger/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Which document the record is linked by: its event decides. */
static const char *credit_type(struct json_object *o)
{
	const char *ev = jsonr_str(o, "event");

	if (ev != NULL && strcmp(ev, "used") == 0)
		return "Allocation";
	if (ev != NULL && strcmp(ev, "refunded") == 0)
		return "Payment";
	return "CreditNote";
}

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
		buf_copy(w->v[w->n].id, sizeof(w->v[0].id), id);
		snprintf(w->v[w->n].date, sizeof(w->v[0].date), "%s",
		         jsonr_str(o, "date") ? jsonr_str(o, "date") : "");
		w->v[w->n].issued = strcmp(ev, "issued") == 0;
		w->v[w->n].amount = plan_jfixed(o, "amount", MONEY_DP);
		w->n++;
	}
	json_object_put(o);
	return rc;
}

/*
 * Which issued credits the use or refund `id` of `customer` draws on:
 * rules_store_credit_fifo over the customer's events.  Fills p->cur.sc /
 * nsc (the first pieces, as many as fit) and sc_short.
 */
static int store_credit_fifo(struct planner *p, const char *id, const char *customer)
{
	struct sc_walk w = {customer, NULL, 0, 0};
	struct rules_credit_event *ev = NULL;
	struct rules_credit_draw draws[PLAN_SC_MAX];
	size_t nd = 0;
	int rc;

	p->cur.nsc = 0;
	p->cur.sc_short = 0;
	/* the customer's own events, off the references' index: every store
	 * credit of the store, bodies parsed, for each use made this quadratic */
	rc = store_records_referencing(p->st, RECORD_STORE_CREDIT, "customer_id", customer,
	                               sc_collect, &w, p->err);
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
	rc =
	    rules_store_credit_fifo(ev, w.n, id, draws, PLAN_SC_MAX, &nd, &p->cur.sc_short, p->err);
	for (size_t i = 0; rc == BS_OK && i < nd && i < PLAN_SC_MAX; i++) {
		buf_copy(p->cur.sc[i].issued, sizeof(p->cur.sc[0].issued), draws[i].issued);
		p->cur.sc[i].amount = draws[i].amount;
		p->cur.nsc++;
	}
out:
	free(ev);
	free(w.v);
	return rc;
}

int plan_store_credit_draws(struct planner *p, const char *id, const char *customer)
{
	return store_credit_fifo(p, id, customer);
}

/* An issued credit that went into a consolidated money task: no credit
 * note of it is in the ledger, it is held in the customer credit account
 * (docs/consolidation.md "Customer credits"). */
static bool in_money_task(struct planner *p, const char *issued)
{
	enum sync_state s = SYNC_NOT_IMPORTED;

	return store_state_get(p->st, RECORD_STORE_CREDIT, issued, p->o->target, &s, NULL, NULL) ==
	           BS_OK &&
	       s == SYNC_CONSOLIDATED;
}

/* A use or refund depends on the credits it draws on, and waits for one
 * while none covers it. */
static void credit_facts(struct planner *p, const struct plan_item *it, struct rules_facts *f,
                         struct plan_depbufs *db)
{
	const char *customer = jsonr_str(it->o, "customer_id");

	if ((f->event != RULES_EV_USED && f->event != RULES_EV_REFUNDED) || customer == NULL ||
	    store_credit_fifo(p, it->id, customer) != BS_OK)
		return;
	for (size_t i = 0; i < p->cur.nsc && f->ndeps < RULES_DEPS_MAX; i++) {
		if (in_money_task(p, p->cur.sc[i].issued))
			continue; /* nothing of it to wait for: it is in the credit account */
		plan_dep_fill(p, &f->deps[f->ndeps], "store credit", RECORD_STORE_CREDIT,
		              p->cur.sc[i].issued, &db->b[f->ndeps]);
		f->ndeps++;
	}
	if (p->cur.sc_short > 0 && f->ndeps < RULES_DEPS_MAX) {
		/* no issued credit covers it (yet): it waits for one */
		f->deps[f->ndeps].what = "an issued store credit of customer";
		f->deps[f->ndeps].id = customer;
		f->deps[f->ndeps].state = RULES_DEP_MISSING;
		f->deps[f->ndeps].skip_reason = NULL;
		f->ndeps++;
	}
}

/* Paid back out of the issued credit(s): a refund payment on each. */
static int build_refund(struct planner *p, const struct plan_item *it)
{
	int rc = BS_OK;

	for (size_t i = 0; i < p->cur.nsc; i++) {
		if (i > 0 && (rc = plan_doc_emit(p, "Payment", "create")) != BS_OK)
			return rc;
		rc = plan_build_payment_doc(p, RECORD_STORE_CREDIT, it->id, it->o, "CreditNote",
		                            RECORD_STORE_CREDIT, p->cur.sc[i].issued,
		                            plan_sv(p, PLAN_S_BANK), p->cur.sc[i].amount);
		if (rc != BS_OK)
			return rc;
	}
	return p->cur.nsc > 0 ? BS_OK
	                      : bs_error_set(p->err, BS_EINVAL, "no issued store credit to refund");
}

/*
 * Applied to the sale's invoice, per credit drawn on: an allocation of its
 * credit note.  Under consolidation (docs/consolidation.md "Customer
 * credits") two cases differ, since a credit note is allocated only to an
 * invoice of its own contact: a credit held in the customer credit
 * account (it went into a money task) pays the invoice out of that
 * account; a credit note of one customer used on a consolidated sale is
 * refunded into that account and the consolidated invoice paid out of it.
 * *type: the type of the last document (written by the caller).
 */
static int build_use(struct planner *p, const struct plan_item *it, const char **type)
{
	const char *sale = jsonr_str(it->o, "sale_id"), *acct = plan_cons_credit_account(p);
	char rid[RECORD_ID_MAX + 1];
	const char *inv = plan_cons_resolve(p, RECORD_SALE, sale, rid);
	bool sale_cons = inv != NULL && sale != NULL && strcmp(inv, sale) != 0;
	int rc = BS_OK;

	*type = NULL;
	for (size_t i = 0; i < p->cur.nsc; i++) {
		bool held = in_money_task(p, p->cur.sc[i].issued);

		if ((held || sale_cons) && acct[0] == '\0')
			return bs_error_set(
			    p->err, BS_EINVAL,
			    "a customer credit of a consolidation needs an account: "
			    "set consolidation.credit_account (or "
			    "account.gift_voucher)");
		if (*type != NULL && (rc = plan_doc_emit(p, *type, "create")) != BS_OK)
			return rc;
		if (!held && sale_cons) {
			/* the credit note, refunded into the credit account ... */
			rc = plan_build_payment_doc(p, RECORD_STORE_CREDIT, it->id, it->o,
			                            "CreditNote", RECORD_STORE_CREDIT,
			                            p->cur.sc[i].issued, acct, p->cur.sc[i].amount);
			if (rc == BS_OK)
				rc = plan_doc_emit(p, "Payment", "create");
			if (rc != BS_OK)
				return rc;
		}
		if (held || sale_cons) {
			/* ... pays the (consolidated) invoice out of it */
			*type = "Payment";
			rc =
			    plan_build_payment_doc(p, RECORD_STORE_CREDIT, it->id, it->o, "Invoice",
			                           RECORD_SALE, inv, acct, p->cur.sc[i].amount);
			if (rc != BS_OK)
				return rc;
			continue;
		}
		*type = "Allocation";
		rc = plan_doc_begin(p, "Allocation", "create", RECORD_STORE_CREDIT, it->id,
		                    jsonr_str(it->o, "date"));
		if (rc == BS_OK)
			rc = plan_put_sym(p, "credit_note", "CreditNote", RECORD_STORE_CREDIT,
			                  p->cur.sc[i].issued);
		if (rc == BS_OK)
			rc = plan_put_sym(p, "invoice", "Invoice", RECORD_SALE, sale);
		if (rc == BS_OK)
			rc = plan_put_dec(&p->s.doc, "amount", p->cur.sc[i].amount, MONEY_DP, 2);
		/* the customer, for a ledger that wants it on the allocation (QBO) */
		if (rc == BS_OK && jsonr_str(it->o, "customer_id") != NULL) {
			char sym[LEDGER_SYMBOL_MAX];

			snprintf(sym, sizeof(sym), "Contact/%s:%s",
			         record_kind_name(RECORD_CUSTOMER),
			         jsonr_str(it->o, "customer_id"));
			rc = jsonw_kv_str(&p->s.doc, 1, "contact", sym);
		}
		if (rc != BS_OK)
			return rc;
	}
	if (*type == NULL)
		*type = "Allocation";
	return p->cur.nsc > 0 ? BS_OK
	                      : bs_error_set(p->err, BS_EINVAL, "no issued store credit to use");
}

/* Issued: a sales credit note of one untaxed line, numbered like a sale's. */
static int build_issue(struct planner *p, const struct plan_item *it)
{
	struct json_object *o = it->o;
	int64_t amount = plan_jfixed(o, "amount", MONEY_DP);
	const char *acct = NULL;
	int rc;

	if ((rc = plan_check_lock(p, jsonr_str(o, "date"))) != BS_OK)
		return rc;
	rc = plan_account_code(p, NULL, PLAN_S_SALES, RULES_SALES, &acct);
	if (rc == BS_OK)
		rc = plan_doc_begin(p, "CreditNote", "create", RECORD_STORE_CREDIT, it->id,
		                    jsonr_str(o, "date"));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "subtype", "sales");
	if (rc == BS_OK)
		rc = plan_put_sym(p, "contact", "Contact", RECORD_CUSTOMER,
		                  jsonr_str(o, "customer_id"));
	if (rc == BS_OK)
		rc = plan_unique_number(p, RECORD_STORE_CREDIT, it->id, "CreditNote", it->id, NULL);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "number", buf_cstr(&p->s.num));
	if (rc == BS_OK)
		rc = plan_put_opt(&p->s.doc, "currency", jsonr_str(o, "currency"));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "status", plan_sv(p, PLAN_S_STATUS));
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "amounts", "none");
	if (rc == BS_OK)
		rc = buf_addstr(&p->s.doc, ",\"lines\":[{");
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 0, "description", "Store credit");
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "quantity", "1");
	if (rc == BS_OK)
		rc = plan_put_dec(&p->s.doc, "unit_amount", amount, MONEY_DP, 2);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "account", acct);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&p->s.doc, 1, "tax_type", p->ctx.ledger->tax_none);
	if (rc == BS_OK)
		rc = buf_addstr(&p->s.doc, "}]");
	if (rc == BS_OK)
		rc = plan_put_dec(&p->s.doc, "expected_total", amount, MONEY_DP, 2);
	return rc;
}

static int build_store_credit(struct planner *p, const struct plan_item *it,
                              const struct rules_decision *d, const char **type, const char **op)
{
	const char *ev = jsonr_str(it->o, "event");

	(void)d;
	(void)op;
	if (ev != NULL && strcmp(ev, "refunded") == 0) {
		*type = "Payment";
		return build_refund(p, it);
	}
	if (ev != NULL && strcmp(ev, "used") == 0)
		return build_use(p, it, type);
	*type = "CreditNote";
	return build_issue(p, it);
}

const struct plan_kind plan_kind_store_credit = {
    .kind = RECORD_STORE_CREDIT,
    .ledger_type = "CreditNote",
    .self_type = credit_type,
    .facts = credit_facts,
    .build = build_store_credit,
};
