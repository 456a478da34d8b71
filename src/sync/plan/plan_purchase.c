/*
 * plan_purchase.c - purchases (docs/mapping-xero.md): an open one is a PurchaseOrder,
 * a billed one an ACCPAY Invoice (a bill); a bill for a posted purchase
 * order goes out, then marks the order BILLED.  The number of either is
 * its reference cut to the ledger's limit, and a cut that makes it another
 * purchase's number of the same supplier fails it (docs/states-and-tabs.md
 * "Purchase orders and bills").
 */
#include "sync/plan/plan_int.h"

#include "core/grow.h"
#include "core/jsonr.h"
#include "core/jsonw.h"

#include <stdlib.h>
#include <string.h>

/*
 * Posted = linked to any ledger document, bill or purchase order; "as PO"
 * while no bill exists yet, so the order is marked billed once, with the
 * bill.  Whether it can be billed yet is the rules' to say.
 */
static void purchase_facts(struct planner *p, const struct plan_item *it, struct rules_facts *f,
                           struct plan_depbufs *db)
{
	bool po = plan_linked(p, it->kind, it->id, "PurchaseOrder");

	(void)db;
	f->posted_as_po = po && !f->posted;
	f->posted = f->posted || po;
	f->has_supplier_invoice_no = jsonr_str(it->o, "supplier_invoice_no") != NULL;
	f->has_invoice_date = jsonr_str(it->o, "invoice_date") != NULL;
	f->has_dispatch_date = jsonr_str(it->o, "dispatch_date") != NULL;
}

/* The supplier's other purchases, as read (kept until the check is done). */
struct sibling {
	char *id;
	char *whole, *number;
};

struct siblings {
	struct planner *p;
	const char *self;
	bool bill;
	struct sibling *v;
	size_t n, cap;
	struct buf whole, number;
};

/* store_records_referencing: each purchase of the supplier that would
 * post the same kind of document, with its reference whole and cut. */
static int sibling_cb(void *arg, const char *id, const char *body)
{
	struct siblings *w = arg;
	struct json_object *o;
	const char *inv, *ref;
	bool cut;
	int rc = 0;

	if (strcmp(id, w->self) == 0)
		return 0;
	if ((o = json_tokener_parse(body)) == NULL)
		return 0;
	inv = jsonr_str(o, "supplier_invoice_no");
	ref = jsonr_str(o, "reference") != NULL ? jsonr_str(o, "reference") : id;
	buf_reset(&w->whole);
	buf_reset(&w->number);
	/* a bill needs an invoice number; a purchase order is one without */
	if ((w->bill ? inv != NULL : inv == NULL) &&
	    rules_purchase_reference(w->bill, inv, ref, w->p->ctx.ledger->doc_number_max, &w->whole,
	                             &w->number, &cut, NULL) == BS_OK) {
		if (grow_array(&w->v, &w->cap, w->n, 16, sizeof(*w->v)) != BS_OK) {
			rc = BS_ENOMEM;
		} else {
			struct sibling *sb = &w->v[w->n];

			sb->id = strdup(id);
			sb->whole = strdup(buf_cstr(&w->whole));
			sb->number = strdup(buf_cstr(&w->number));
			if (sb->id == NULL || sb->whole == NULL || sb->number == NULL) {
				free(sb->id);
				free(sb->whole);
				free(sb->number);
				rc = BS_ENOMEM;
			} else {
				w->n++;
			}
		}
	}
	json_object_put(o);
	return rc;
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/*
 * Fail the purchase when its number, cut to the ledger's limit, is one
 * another purchase of the same supplier has or gets first (rules_number_clash).
 * Only a number at the limit (or cut) can meet a different reference, so
 * only then is the supplier's list read: a short number costs nothing.
 */
static int check_clash(struct planner *p, const struct plan_item *it, bool bill, const char *type,
                       const char *whole, const char *number, bool cut)
{
	size_t max = p->ctx.ledger->doc_number_max, clash = 0;
	const char *supplier = jsonr_str(it->o, "supplier_id");
	struct siblings w = {p, it->id, bill, NULL, 0, 0, {0}, {0}};
	struct rules_numbered self = {it->id, whole, number, false}, *others = NULL;
	struct buf why;
	int rc;

	if (max == 0 || supplier == NULL || (!cut && utf8_len(number) < max))
		return BS_OK;
	buf_init(&w.whole, 4096);
	buf_init(&w.number, 4096);
	buf_init(&why, 4096);
	rc = store_records_referencing(p->st, RECORD_PURCHASE, "supplier_id", supplier, sibling_cb,
	                               &w, p->err);
	if (rc == BS_ENOMEM)
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
	if (rc != BS_OK)
		goto out;
	if (w.n > 0 && (others = calloc(w.n, sizeof(*others))) == NULL) {
		rc = bs_error_set(p->err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < w.n; i++) {
		enum sync_state st = SYNC_NOT_IMPORTED;
		bool queued = false;

		others[i] = (struct rules_numbered){w.v[i].id, w.v[i].whole, w.v[i].number, false};
		if (strcmp(w.v[i].number, number) != 0)
			continue; /* cannot clash: spare the reads */
		(void)store_state_get(p->st, RECORD_PURCHASE, w.v[i].id, p->o->target, &st, NULL,
		                      NULL);
		(void)store_outbox_has(p->st, p->o->target, RECORD_PURCHASE, w.v[i].id, &queued,
		                       NULL);
		if (st == SYNC_SKIPPED) {
			others[i].number = ""; /* never posts: no clash */
			continue;
		}
		others[i].ahead =
		    queued || st == SYNC_QUEUED || plan_linked(p, RECORD_PURCHASE, w.v[i].id, type);
	}
	rc = rules_number_clash(&self, others, w.n, max, bill ? "bill" : "purchase order",
	                        p->ctx.ledger->display_name, &clash, &why, p->err);
	if (rc == BS_OK && clash < w.n)
		rc = bs_error_set(p->err, BS_ECONFLICT, "%s", buf_cstr(&why));
out:
	for (size_t i = 0; i < w.n; i++) {
		free(w.v[i].id);
		free(w.v[i].whole);
		free(w.v[i].number);
	}
	free(w.v);
	free(others);
	buf_free(&w.whole);
	buf_free(&w.number);
	buf_free(&why);
	return rc;
}

int plan_purchase_number(struct planner *p, const struct plan_item *it, bool bill, const char *ref,
                         struct buf *whole)
{
	const char *type = bill ? "Invoice" : "PurchaseOrder";
	bool cut = false;
	int rc;

	buf_reset(&p->s.num);
	buf_reset(whole);
	rc =
	    rules_purchase_reference(bill, jsonr_str(it->o, "supplier_invoice_no"), ref,
	                             p->ctx.ledger->doc_number_max, whole, &p->s.num, &cut, p->err);
	/* a document already posted keeps the number it has */
	if (rc == BS_OK && !plan_linked(p, it->kind, it->id, type))
		rc = check_clash(p, it, bill, type, buf_cstr(whole), buf_cstr(&p->s.num), cut);
	return rc;
}

static int build_purchase(struct planner *p, const struct plan_item *it,
                          const struct rules_decision *d, const char **type, const char **op)
{
	int rc;

	if (d->action == RULES_ACT_PURCHASE_ORDER) {
		*type = "PurchaseOrder";
		*op = plan_linked(p, it->kind, it->id, *type) ? "update" : "create";
		return plan_build_document(p, it, *type, true, *op);
	}
	*op = plan_linked(p, it->kind, it->id, "Invoice") ? "update" : "create";
	rc = plan_build_document(p, it, "Invoice", true, *op);
	if (rc == BS_OK && d->action == RULES_ACT_BILL_FROM_PO) {
		/* the bill goes out, then its purchase order is marked billed */
		if ((rc = plan_doc_emit(p, "Invoice", *op)) != BS_OK)
			return rc;
		rc = plan_doc_begin(p, "PurchaseOrder", "status", it->kind, it->id, NULL);
		if (rc == BS_OK)
			rc = jsonw_kv_str(&p->s.doc, 1, "status", "BILLED");
		*type = "PurchaseOrder";
		*op = "status";
	}
	return rc;
}

const struct plan_kind plan_kind_purchase = {
    .kind = RECORD_PURCHASE,
    .ledger_type = "Invoice",
    .facts = purchase_facts,
    .build = build_purchase,
};
