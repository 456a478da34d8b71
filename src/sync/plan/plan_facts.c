/*
 * plan_facts.c - what the rules are told about a record (struct rules_facts).
 *
 * Its status and event, whether it is already in the ledger (its links,
 * read once per record), and where each record it depends on stands:
 * posted, planned earlier in this run, pending, skipped or missing.  A
 * kind adds what only it has through its table entry's `facts`.
 */
#include "sync/plan/plan_int.h"

#include "core/jsonr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The ledger document this record becomes: by kind, and for vouchers and
 * store credits by event (a sale of a voucher is a journal, its redemption
 * a payment; a credit is issued as a credit note, used as an allocation,
 * refunded as a payment).  Whether the record is "linked" is asked of this
 * type, so a reset never posts a second document beside the first.
 */
const char *plan_self_type(enum record_kind k, struct json_object *o)
{
	const struct plan_kind *pk = plan_kind_of(k);

	return pk->self_type != NULL ? pk->self_type(o) : pk->ledger_type;
}

/* Whether kind:id is the record being planned. */
static bool is_current(const struct planner *p, enum record_kind k, const char *id)
{
	return p->cur.info != NULL && p->cur.info->kind == k && strcmp(p->cur.info->id, id) == 0;
}

/* The next of p->cur.self, kept for `type` (its answer still to be
 * filled in), or NULL when all are taken. */
static struct plan_self_link *self_slot(struct planner *p, const char *type)
{
	struct plan_self_link *c;

	if (p->cur.nself >= sizeof(p->cur.self) / sizeof(p->cur.self[0]))
		return NULL;
	c = &p->cur.self[p->cur.nself++];
	buf_copy(c->type, sizeof(c->type), type);
	c->serial_held = false;
	return c;
}

/*
 * kind:id's link to its `type` document.  The record being planned asks
 * for its own links up to four times (facts, the operation, the serial):
 * they are read once per record and kept in p->cur.self.  Any other link is
 * read into *tmp.  NULL when there is none.
 */
const struct store_link *plan_link_of(struct planner *p, enum record_kind k, const char *id,
                                      const char *type, struct store_link *tmp)
{
	struct plan_self_link *c = NULL;
	bool found;
	int rc;

	if (is_current(p, k, id)) {
		for (size_t i = 0; i < p->cur.nself; i++) {
			if (strcmp(p->cur.self[i].type, type) == 0)
				return p->cur.self[i].found ? &p->cur.self[i].link : NULL;
		}
		if ((c = self_slot(p, type)) != NULL)
			tmp = &c->link;
	}
	rc = store_link_get(p->st, p->o->target, k, id, type, tmp, NULL);
	found = rc == BS_OK;
	if (c != NULL && rc != BS_OK && rc != BS_ENOTFOUND)
		p->cur.nself--; /* a failed read is not an answer to keep */
	else if (c != NULL)
		c->found = found;
	return found ? tmp : NULL;
}

const char *plan_self_type_fixed(enum record_kind k)
{
	const struct plan_kind *pk = plan_kind_of(k);

	return pk->self_type == NULL ? pk->ledger_type : NULL;
}

void plan_self_seed(struct planner *p, const struct store_record_extra *read)
{
	struct plan_self_link *c;

	if (read == NULL || read->link_type == NULL || p->cur.nself > 0 ||
	    strlen(read->link_type) >= sizeof(c->type) ||
	    (c = self_slot(p, read->link_type)) == NULL)
		return;
	c->found = read->linked;
	c->link = read->link;
}

struct plan_self_link *plan_self_known(struct planner *p, enum record_kind k, const char *id,
                                       const char *type)
{
	if (!is_current(p, k, id))
		return NULL;
	for (size_t i = 0; i < p->cur.nself; i++)
		if (strcmp(p->cur.self[i].type, type) == 0)
			return &p->cur.self[i];
	return NULL;
}

/*
 * The records other than the one being planned that are found in the
 * ledger (a link with its ledger id), kept for the rest of the run: a
 * customer's many sales ask for its contact again and again, and each ask
 * was a read of links.  Only "yes" is kept.  The planner never removes a
 * ledger id (posting does not run during planning, and a reset takes the
 * sync lock), so a kept "yes" stays true for the run; a resync, which
 * drops its records' links as it goes, keeps nothing (plan_run).  A
 * direct-mapped table: a new key takes its slot's place.
 */
#define LINKED_SLOTS    8192
#define LINKED_TYPE_MAX 32 /* a ledger type's name, as plan_self_link keeps it */
#define LINKED_KEY      (1 + LINKED_TYPE_MAX + 1 + RECORD_ID_MAX + 1) /* kind type/id NUL */

struct plan_linked_cache {
	char key[LINKED_SLOTS][LINKED_KEY];
};

struct plan_linked_cache *plan_linked_cache_new(void)
{
	return calloc(1, sizeof(struct plan_linked_cache));
}

void plan_linked_cache_free(struct plan_linked_cache *c)
{
	free(c);
}

/* kind:type/id as one key into out, and its slot: the key's size with its
 * NUL, or 0 when it does not fit (then it is not kept). */
static size_t linked_key(enum record_kind k, const char *id, const char *type, char out[LINKED_KEY],
                         size_t *slot)
{
	size_t nt = strlen(type), ni = strlen(id);
	uint32_t h = 2166136261u; /* FNV-1a */

	if (nt > LINKED_TYPE_MAX || ni > RECORD_ID_MAX)
		return 0;
	out[0] = (char)('A' + (int)k);
	/* the '/' and the id (with its NUL) follow */
	memcpy(out + 1, type, nt); // NOLINT(bugprone-not-null-terminated-result)
	out[1 + nt] = '/';
	memcpy(out + 2 + nt, id, ni + 1);
	for (const char *c = out; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	*slot = h % LINKED_SLOTS;
	return 2 + nt + ni + 1;
}

bool plan_linked(struct planner *p, enum record_kind k, const char *id, const char *type)
{
	struct store_link tmp;
	const struct store_link *l;
	char key[LINKED_KEY];
	size_t slot = 0;
	size_t keep =
	    p->linked != NULL && !is_current(p, k, id) ? linked_key(k, id, type, key, &slot) : 0;

	if (keep > 0 && memcmp(p->linked->key[slot], key, keep) == 0)
		return true;
	l = plan_link_of(p, k, id, type, &tmp);
	if (l == NULL || l->ledger_id[0] == '\0')
		return false;
	if (keep > 0)
		memcpy(p->linked->key[slot], key, keep);
	return true;
}

/* Fill a rules_dep for kind:id (its main ledger document). */
void plan_dep_fill(struct planner *p, struct rules_dep *d, const char *what, enum record_kind k,
                   const char *id, struct buf *reason)
{
	enum sync_state s;
	bool queued = false;
	char rid[RECORD_ID_MAX + 1];

	d->what = what;
	d->id = id;
	d->skip_reason = NULL;
	if (plan_linked(p, k, id, plan_kind_of(k)->ledger_type)) {
		d->state = RULES_DEP_POSTED;
		return;
	}
	/* a sale or credit note in a consolidated document: that document is
	 * what the record waits for (docs/consolidation.md) */
	id = plan_cons_resolve(p, k, id, rid);
	if (id != d->id && plan_linked(p, k, id, plan_kind_of(k)->ledger_type)) {
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
enum record_kind plan_contact_kind(struct planner *p, const char *id)
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

void plan_facts_fill(struct planner *p, const struct plan_item *it, struct rules_facts *f,
                     struct plan_depbufs *db)
{
	struct json_object *o = it->o;
	const struct plan_kind *pk = plan_kind_of(it->kind);
	const char *s;

	memset(f, 0, sizeof(*f));
	f->kind = it->kind;
	f->id = it->id;
	f->status = status_of(jsonr_str(o, "status"));
	f->event = event_of(jsonr_str(o, "event"));
	f->invoiced = jsonr_bool(o, "invoiced");
	f->total = it->info->total;
	f->amount = plan_jfixed(o, "amount", MONEY_DP);
	f->amount_paid = f->status == RULES_ST_PAID ? it->info->total : 0;
	f->posted = plan_linked(p, it->kind, it->id, plan_self_type(it->kind, o));
#define DEP(what, k, field)                                                                        \
	do {                                                                                       \
		if ((s = jsonr_str(o, field)) != NULL && f->ndeps < RULES_DEPS_MAX) {              \
			plan_dep_fill(p, &f->deps[f->ndeps], what, k, s, &db->b[f->ndeps]);        \
			f->ndeps++;                                                                \
		}                                                                                  \
	} while (0)
	DEP("customer", RECORD_CUSTOMER, "customer_id");
	DEP("supplier", RECORD_SUPPLIER, "supplier_id");
	if (jsonr_str(o, "contact_id") != NULL)
		DEP("contact", plan_contact_kind(p, jsonr_str(o, "contact_id")), "contact_id");
	if (it->kind != RECORD_CREDIT_NOTE) {
		DEP("sale", RECORD_SALE, "sale_id");
		DEP("purchase", RECORD_PURCHASE, "purchase_id");
	}
	DEP("credit note", RECORD_CREDIT_NOTE, "credit_note_id");
#undef DEP
	if (pk->facts != NULL)
		pk->facts(p, it, f, db);
}
