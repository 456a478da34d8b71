/*
 * contacts_run.c - `booksync inbound --contacts`'s run (contacts.h): read
 * the target's contacts, gather booksync's customers and suppliers, decide
 * each new ledger contact with contacts_match and apply the decision, one
 * transaction per contact.
 */
#include "inbound/contacts_int.h"

#include "core/grow.h"
#include "core/jsonr.h"
#include "model/sync_state.h"
#include "sync/session.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One of booksync's customers or suppliers, owned. */
struct ours {
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	char *name, *email, *tax_number;
	char norm_name[CONTACTS_NAME_MAX], norm_tax[64]; /* computed once */
	char ledger_id[STORE_LEDGER_ID_MAX];             /* linked on the target, or "" */
	bool eligible; /* unlinked, in a state a link may move (not queued) */
};

/* One ledger contact as read, owned. */
struct theirs {
	char id[STORE_LEDGER_ID_MAX];
	char *name, *email, *tax_number;
	char side[12];
};

struct run {
	struct session *s;
	struct ours *o;
	size_t no, capo;
	struct theirs *t;
	size_t nt, capt;
	enum record_kind kind; /* while gathering ours */
	uint64_t *calls;
};

static char *dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static int ours_cb(void *arg, const char *id, const char *body)
{
	struct run *r = arg;
	struct json_object *j = json_tokener_parse(body);
	struct ours *o;

	if (grow_array(&r->o, &r->capo, r->no, 256, sizeof(*r->o)) != BS_OK) {
		json_object_put(j);
		return BS_ENOMEM;
	}
	o = &r->o[r->no];
	memset(o, 0, sizeof(*o));
	o->kind = r->kind;
	snprintf(o->id, sizeof(o->id), "%s", id);
	o->name = dup_or_empty(jsonr_str(j, "name"));
	o->email = dup_or_empty(jsonr_str(j, "email"));
	o->tax_number = dup_or_empty(jsonr_str(j, "tax_number"));
	json_object_put(j);
	r->no++;
	if (o->name == NULL || o->email == NULL || o->tax_number == NULL)
		return BS_ENOMEM;
	contacts_norm_name(o->name, o->norm_name, sizeof(o->norm_name));
	contacts_norm_tax(o->tax_number, o->norm_tax, sizeof(o->norm_tax));
	return 0;
}

static int theirs_cb(void *arg, const struct ledger_entity *e)
{
	struct run *r = arg;
	struct theirs *t;

	/* nothing booksync could link to; an archived (QBO: inactive) contact
	 * is not brought back */
	if (e->id == NULL || e->id[0] == '\0' || strlen(e->id) >= sizeof(t->id) || !e->active)
		return 0;
	if (grow_array(&r->t, &r->capt, r->nt, 256, sizeof(*r->t)) != BS_OK)
		return BS_ENOMEM;
	t = &r->t[r->nt];
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", e->id);
	t->name = dup_or_empty(e->name);
	t->email = dup_or_empty(e->email);
	t->tax_number = dup_or_empty(e->tax_number);
	/* QBO keeps customers and vendors apart; one Xero contact is both */
	snprintf(t->side, sizeof(t->side), "%s",
	         e->role == NULL                    ? "both"
	         : strcmp(e->role, "vendor") == 0   ? "supplier"
	         : strcmp(e->role, "customer") == 0 ? "customer"
	                                            : "both");
	r->nt++;
	if (t->name == NULL || t->email == NULL || t->tax_number == NULL)
		return BS_ENOMEM;
	return 0;
}

static int counted_get(void *arg, const char *path, struct buf *body, struct bs_error *err)
{
	struct run *r = arg;

	(*r->calls)++;
	return session_get(r->s, path, body, err);
}

/* Booksync's customers and suppliers, each with its link and state on the target. */
static int gather_ours(struct run *r, struct bs_error *err)
{
	int rc;

	r->kind = RECORD_CUSTOMER;
	rc = store_records_each(r->s->st, RECORD_CUSTOMER, ours_cb, r, err);
	r->kind = RECORD_SUPPLIER;
	if (rc == BS_OK)
		rc = store_records_each(r->s->st, RECORD_SUPPLIER, ours_cb, r, err);
	for (size_t i = 0; rc == BS_OK && i < r->no; i++) {
		struct ours *o = &r->o[i];
		struct store_link l;
		enum sync_state state;
		int lrc =
		    store_link_get(r->s->st, r->s->target, o->kind, o->id, "Contact", &l, NULL);

		if (lrc == BS_OK)
			snprintf(o->ledger_id, sizeof(o->ledger_id), "%s", l.ledger_id);
		else if (lrc != BS_ENOTFOUND)
			return bs_error_set(err, lrc, "reading the link of %s %s",
			                    record_kind_name(o->kind), o->id);
		rc = store_state_get(r->s->st, o->kind, o->id, r->s->target, &state, NULL, err);
		o->eligible = o->ledger_id[0] == '\0' && state != SYNC_QUEUED &&
		              state != SYNC_CONSOLIDATED && state != SYNC_IMPORTED;
	}
	return rc;
}

static bool linked_already(const struct run *r, const char *ledger_id)
{
	for (size_t i = 0; i < r->no; i++)
		if (strcmp(r->o[i].ledger_id, ledger_id) == 0)
			return true;
	return false;
}

static void contact_from(struct store_contact *c, const char *target, const struct theirs *t)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->target, sizeof(c->target), "%s", target);
	snprintf(c->ledger_id, sizeof(c->ledger_id), "%s", t->id);
	snprintf(c->side, sizeof(c->side), "%s", t->side);
	snprintf(c->name, sizeof(c->name), "%s", t->name);
	snprintf(c->email, sizeof(c->email), "%s", t->email);
	snprintf(c->tax_number, sizeof(c->tax_number), "%s", t->tax_number);
	snprintf(c->decided_by, sizeof(c->decided_by), "inbound");
}

/* Decide on t and apply it in one transaction. */
static int one(struct run *r, const struct theirs *t, struct contacts_party *v, size_t *map,
               int64_t now_ms, struct contacts_stats *st, struct bs_error *err)
{
	struct contacts_party c = {t->id, RECORD_CUSTOMER, false, t->name, t->email, t->tax_number};
	struct contacts_decision d;
	struct store_contact sc;
	size_t n = 0;
	int rc;

	if (strcmp(t->side, "supplier") == 0)
		c.kind = RECORD_SUPPLIER;
	c.both = strcmp(t->side, "both") == 0;
	for (size_t i = 0; i < r->no; i++) {
		const struct ours *o = &r->o[i];

		if (!o->eligible)
			continue;
		v[n] = (struct contacts_party){o->id,    o->kind,       false,        o->name,
		                               o->email, o->tax_number, o->norm_name, o->norm_tax};
		map[n++] = i;
	}
	contacts_match(&c, v, n, &d);
	contact_from(&sc, r->s->target, t);
	rc = store_begin(r->s->st, err);
	if (rc != BS_OK)
		return rc;
	if (d.action == CONTACTS_NEW) {
		rc = contacts_apply_create(r->s->st, &sc, STORE_CONTACT_IMPORTED, now_ms, err);
	} else if (d.action == CONTACTS_LINK) {
		struct ours *o = &r->o[map[d.candidate]];

		rc = contacts_apply_link(r->s->st, &sc, o->kind, o->id, contacts_why_text(d.why),
		                         now_ms, err);
		if (rc == BS_OK) {
			snprintf(o->ledger_id, sizeof(o->ledger_id), "%s", t->id);
			o->eligible = false;
		}
	} else {
		const struct ours *o = &r->o[map[d.candidate]];

		snprintf(sc.status, sizeof(sc.status), "%s", STORE_CONTACT_LISTED);
		snprintf(sc.record_kind, sizeof(sc.record_kind), "%s", record_kind_name(o->kind));
		snprintf(sc.record_id, sizeof(sc.record_id), "%s", o->id);
		snprintf(sc.reason, sizeof(sc.reason), "%s", contacts_why_text(d.why));
		rc = store_contact_put(r->s->st, &sc, now_ms, err);
	}
	if (rc == BS_OK)
		rc = store_commit(r->s->st, err);
	else
		store_rollback(r->s->st);
	if (rc == BS_OK) {
		if (d.action == CONTACTS_NEW)
			st->imported++;
		else if (d.action == CONTACTS_LINK)
			st->linked++;
		else
			st->listed++;
	}
	return rc;
}

/* Whether a contact's failure is its own (the run goes on), not the store's. */
static bool its_own(int rc)
{
	return rc == BS_EINVAL || rc == BS_ECONFLICT || rc == BS_ESTATE || rc == BS_ETOOBIG ||
	       rc == BS_EPARSE;
}

/* The mark's setting key for the target into k. */
static int since_key(const char *target, struct buf *k)
{
	return buf_printf(k, "contacts_since:%s", target);
}

/* The target's high-water mark into *since_ms (0 when none). */
static int since_get(struct session *s, int64_t *since_ms, struct bs_error *err)
{
	struct buf k, v;
	char *end = NULL;
	int rc;

	*since_ms = 0;
	buf_init(&k, 512);
	buf_init(&v, 64);
	rc = since_key(s->target, &k);
	if (rc == BS_OK)
		rc = store_setting_get(s->st, buf_cstr(&k), &v, NULL);
	if (rc == BS_ENOTFOUND) {
		rc = BS_OK;
	} else if (rc == BS_OK) {
		long long x = strtoll(buf_cstr(&v), &end, 10);

		/* a mark that does not read as a time means: read everything */
		if (end != NULL && *end == '\0' && x > 0)
			*since_ms = x;
	} else {
		rc = bs_error_set(err, rc, "reading the contacts' high-water mark");
	}
	buf_free(&k);
	buf_free(&v);
	return rc;
}

/* Record the run: the mark moves on, in its own transaction. */
static int since_set(struct session *s, int64_t since_ms, struct bs_error *err)
{
	struct buf k, v;
	int rc;

	buf_init(&k, 512);
	buf_init(&v, 64);
	rc = since_key(s->target, &k);
	if (rc == BS_OK)
		rc = buf_printf(&v, "%lld", (long long)since_ms);
	if (rc == BS_OK)
		rc = store_begin(s->st, err);
	if (rc == BS_OK) {
		rc = store_setting_set(s->st, buf_cstr(&k), buf_cstr(&v), err);
		if (rc == BS_OK)
			rc = store_commit(s->st, err);
		else
			store_rollback(s->st);
	}
	buf_free(&k);
	buf_free(&v);
	return rc;
}

int contacts_run(struct session *s, int64_t now_ms, bool full, struct contacts_stats *st,
                 struct bs_error *err)
{
	struct run r = {0};
	struct contacts_party *v = NULL;
	size_t *map = NULL;
	int rc;

	memset(st, 0, sizeof(*st));
	r.s = s;
	r.calls = &st->calls;
	rc = full || s->ledger->read_contacts_since == NULL ? BS_OK
	                                                    : since_get(s, &st->since_ms, err);
	if (rc == BS_OK)
		rc = gather_ours(&r, err);
	if (rc == BS_OK && st->since_ms > 0)
		rc = s->ledger->read_contacts_since(st->since_ms, counted_get, &r, theirs_cb, &r,
		                                    err);
	else if (rc == BS_OK)
		rc = s->ledger->read(LEDGER_READ_CONTACTS, counted_get, &r, theirs_cb, &r, err);
	if (rc != BS_OK)
		goto out;
	st->seen = r.nt;
	v = calloc(r.no + 1, sizeof(*v));
	map = calloc(r.no + 1, sizeof(*map));
	if (v == NULL || map == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < r.nt; i++) {
		struct store_contact seen;
		int g;

		if (linked_already(&r, r.t[i].id)) {
			st->known++;
			continue;
		}
		g = store_contact_get(s->st, s->target, r.t[i].id, &seen, NULL);
		if (g == BS_OK) {
			st->known++;
			continue;
		}
		if (g != BS_ENOTFOUND) {
			rc = bs_error_set(err, g, "reading contact %s", r.t[i].id);
			goto out;
		}
		rc = one(&r, &r.t[i], v, map, now_ms, st, err);
		if (rc != BS_OK && its_own(rc)) {
			st->failed++;
			rc = BS_OK;
		}
		if (rc != BS_OK)
			goto out;
	}
	if (st->failed == 0 && s->ledger->read_contacts_since != NULL)
		rc = since_set(s, now_ms - CONTACTS_SINCE_OVERLAP_MS, err);
out:
	for (size_t i = 0; i < r.no; i++) {
		free(r.o[i].name);
		free(r.o[i].email);
		free(r.o[i].tax_number);
	}
	for (size_t i = 0; i < r.nt; i++) {
		free(r.t[i].name);
		free(r.t[i].email);
		free(r.t[i].tax_number);
	}
	free(r.o);
	free(r.t);
	free(v);
	free(map);
	return rc;
}
