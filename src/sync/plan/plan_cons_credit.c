/*
 * plan_cons_credit.c - customers and customer credits under consolidation
 * (docs/consolidation.md "Customer credits", and "How it is posted
 * exactly once" for the contact): which documents consolidate (so their
 * customer is not pulled in while customer contacts are off), whether a
 * credit used or refunded draws on credits held in the customer credit
 * account, and the line a credit adds to a money task.
 */
#include "sync/plan/plan_cons_int.h"

#include "core/jsonr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool plan_cons_no_customers(const struct planner *p)
{
	return p->cons != NULL && !p->cons->cfg.customer_contacts;
}

bool plan_cons_member(struct planner *p, enum record_kind k, struct json_object *o)
{
	struct cons_member m;
	enum cons_doc doc;
	enum cons_mode mode;
	char channel[CONS_CHANNEL_MAX] = "";

	if (p->cons == NULL)
		return false;
	memset(&m, 0, sizeof(m));
	m.kind = k;
	m.supplier = jsonr_str(o, "supplier_id") != NULL;
	if (k == RECORD_SALE || k == RECORD_CREDIT_NOTE) {
		plan_cons_channel_of(o, channel);
	} else if (k == RECORD_STORE_CREDIT) {
		const char *ev = jsonr_str(o, "event");

		/* a use or refund needs no customer of its own: it pays the
		 * sale's invoice (whose customer the sale pulled in) or the
		 * customer credit account, or refunds an issued credit note
		 * (whose customer came with it) */
		if (ev != NULL && (strcmp(ev, "used") == 0 || strcmp(ev, "refunded") == 0))
			return true;
		m.credit_event = ev;
		m.credit_origin = jsonr_str(o, "origin");
	} else if (k == RECORD_MONEY_TASK) {
		const char *dir = jsonr_str(o, "direction");

		m.receive = dir == NULL || strcmp(dir, "receive") == 0;
	} else {
		return false;
	}
	m.channel = channel[0] != '\0' ? channel : NULL;
	cons_classify(&p->cons->cfg, &m, &doc, &mode);
	return mode == CONS_NO_SYNC || doc != CONS_DOC_NONE;
}

/* Whether the issued store credit `id` goes into a consolidated money
 * task (by its origin and the settings). */
static bool issued_consolidates(struct planner *p, const char *id)
{
	struct buf b;
	struct json_object *o = NULL;
	struct cons_member m;
	enum cons_doc doc = CONS_DOC_NONE;
	enum cons_mode mode;

	buf_init(&b, 65536);
	if (store_record_get(p->st, RECORD_STORE_CREDIT, id, NULL, &b, NULL) == BS_OK &&
	    (o = json_tokener_parse(buf_cstr(&b))) != NULL) {
		memset(&m, 0, sizeof(m));
		m.kind = RECORD_STORE_CREDIT;
		m.credit_event = jsonr_str(o, "event");
		m.credit_origin = jsonr_str(o, "origin");
		cons_classify(&p->cons->cfg, &m, &doc, &mode);
	}
	json_object_put(o);
	buf_free(&b);
	return doc != CONS_DOC_NONE;
}

/*
 * A store credit used or refunded: whether every issued credit it draws on
 * went into a consolidated money task (*drawn); *pending names one that
 * will but has not yet (the record waits for it), else "".
 */
int plan_cons_credit_draws(struct planner *p, const struct plan_item *it, bool *drawn,
                           char pending[RECORD_ID_MAX + 1])
{
	const char *customer = jsonr_str(it->o, "customer_id");
	int rc;

	*drawn = false;
	pending[0] = '\0';
	if (customer == NULL)
		return BS_OK;
	rc = plan_store_credit_draws(p, it->id, customer);
	if (rc != BS_OK || p->cur.nsc == 0 || p->cur.sc_short > 0)
		return rc; /* not covered yet: it waits by its own rules */
	*drawn = true;
	for (size_t i = 0; i < p->cur.nsc; i++) {
		enum sync_state s = SYNC_NOT_IMPORTED;

		store_state_get(p->st, RECORD_STORE_CREDIT, p->cur.sc[i].issued, p->o->target, &s,
		                NULL, NULL);
		if (s == SYNC_CONSOLIDATED)
			continue;
		*drawn = false;
		if (issued_consolidates(p, p->cur.sc[i].issued)) {
			buf_copy(pending, RECORD_ID_MAX + 1, p->cur.sc[i].issued);
			return BS_OK;
		}
	}
	return BS_OK;
}

/* A customer credit in a money task: one line on the customer credit
 * account, untaxed (receive: the credit is owed; spend: paid back). */
int plan_cons_credit_line(struct planner *p, struct cons_grp *g, int64_t amount)
{
	struct cons_line_in in = {0};
	struct cons_line_out *one = NULL;
	size_t n1 = 0;
	int rc;

	in.sku = "-";
	in.account = p->cons->credit_account;
	in.description = "Customer credit";
	in.amount = amount;
	rc = cons_group(CONS_BY_ACCOUNT, &in, 1, &one, &n1, p->err);
	if (rc == BS_OK)
		rc = cons_merge(&g->lines, &g->nlines, &g->caplines, one, n1, p->err);
	free(one);
	return rc;
}
