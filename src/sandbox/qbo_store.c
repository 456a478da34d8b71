/*
 * qbo_store.c - the QuickBooks Online sandbox's company: documents and
 * their versions (Id, SyncToken, MetaData), the default company seeded at
 * start and on reset (CompanyInfo, Preferences, chart of accounts, tax
 * codes and rates: docs/sandbox.md), and the state file (through the
 * shared key/value table of sb_state.c).
 */
#include "sandbox/qbo_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REALM_ID "9341453050071234" /* the default company's realmId */

void qbo_time(char *out, size_t n, int64_t ms)
{
	char d[40];

	sb_isodate(d, sizeof(d), ms, true);
	snprintf(out, n, "%s+00:00", d);
}

int qbo_ent_of(const char *name, size_t n)
{
	for (int e = 0; e < QBE_COUNT; e++)
		if (strlen(qbo_ents[e].name) == n && strncasecmp(qbo_ents[e].name, name, n) == 0)
			return e;
	return -1;
}

/* ------------------------------------------------------------- the realm */

static void doc_free(void *p)
{
	struct qbo_doc *d = p;

	if (d != NULL) {
		json_object_put(d->obj);
		free(d);
	}
}

static void reqid_free(void *p)
{
	struct qbo_reqid *q = p;

	if (q != NULL) {
		free(q->body);
		free(q);
	}
}

static void realm_free(struct qbo_realm *r)
{
	if (r == NULL)
		return;
	for (int e = 0; e < QBE_COUNT; e++) {
		struct qbo_coll *cl = &r->coll[e];

		for (size_t i = 0; i < cl->n; i++)
			doc_free(cl->docs[i]);
		free(cl->docs);
		sb_map_free(&cl->by_id, NULL);
		sb_map_free(&cl->by_num, NULL);
	}
	sb_map_free(&r->reqids, reqid_free);
	sb_window_free(&r->minute);
	sb_window_free(&r->batch);
	free(r);
}

/* A new, empty company appended to sb's list (the first one is the
 * default, sb->qbo).  BS_ENOMEM. */
static int realm_add(struct sandbox *sb, const char *id, const char *name, struct qbo_realm **out)
{
	struct qbo_realm *r = calloc(1, sizeof(*r));
	struct qbo_realm **nr;

	*out = NULL;
	if (r == NULL)
		return BS_ENOMEM;
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->ord = sb->nqbo;
	sb_window_init(&r->minute, sb->lim_minute);
	sb_window_init(&r->batch, sb->lim_batch);
	r->created_ms = sb_now(sb);
	nr = realloc(sb->qbo_realms,
	             (sb->nqbo + 1) * sizeof(*nr)); // NOLINT(bugprone-sizeof-expression): pointers
	if (nr == NULL || sb_map_put(&sb->qbo_by_id, r->id, r) != BS_OK) {
		if (nr != NULL)
			sb->qbo_realms = nr;
		realm_free(r);
		return BS_ENOMEM;
	}
	sb->qbo_realms = nr;
	sb->qbo_realms[sb->nqbo++] = r;
	if (sb->qbo == NULL)
		sb->qbo = r;
	*out = r;
	return BS_OK;
}

struct qbo_realm *qbo_realm_find(struct sandbox *sb, const char *id)
{
	return id != NULL ? sb_map_get(&sb->qbo_by_id, id) : NULL;
}

bool qbo_has_realm(struct sandbox *sb, const char *id)
{
	return qbo_realm_find(sb, id) != NULL;
}

void qbo_free(struct sandbox *sb)
{
	for (size_t i = 0; i < sb->nqbo; i++)
		realm_free(sb->qbo_realms[i]);
	free(sb->qbo_realms);
	sb->qbo_realms = NULL;
	sb->nqbo = 0;
	sb->qbo = NULL;
	sb_map_free(&sb->qbo_by_id, NULL);
}

/* ------------------------------------------------------------- documents */

struct qbo_doc *qbo_find(struct qbo_ctx *c, int ent, const char *id)
{
	struct qbo_doc *d;

	if (id == NULL || ent < 0 || ent >= QBE_COUNT)
		return NULL;
	d = sb_map_get(&c->r->coll[ent].by_id, id);
	if (d == NULL || d->deleted || (c->visible_seq != 0 && d->seq > c->visible_seq))
		return NULL;
	return d;
}

bool qbo_num_key(int ent, const char *num, const char *vendor, char *key, size_t cap)
{
	size_t n = 0;

	if (ent == QBE_BILL || ent == QBE_VENDORCREDIT) {
		int w = snprintf(key, cap, "%s\x1f", vendor != NULL ? vendor : "");

		if (w < 0 || (size_t)w >= cap)
			return false;
		n = (size_t)w;
	}
	for (; *num != '\0'; num++) {
		if (n + 1 >= cap)
			return false;
		key[n++] = (char)tolower((unsigned char)*num);
	}
	key[n] = '\0';
	return true;
}

/* Remember d under its DocNumber (qbo_coll.by_id's hint). */
static int num_note(struct qbo_realm *r, struct qbo_doc *d)
{
	const char *num = sb_jstr(d->obj, "DocNumber");
	json_object *v = sb_jget_path(d->obj, "VendorRef.value");
	char key[160];

	if (num == NULL || !qbo_num_key(d->ent, num, v != NULL ? json_object_get_string(v) : NULL,
	                                key, sizeof(key)))
		return BS_OK; /* too long to be valid: never a duplicate's hint */
	return sb_map_put(&r->coll[d->ent].by_num, key, d) == BS_OK ? BS_OK : BS_ENOMEM;
}

static int coll_add(struct qbo_realm *r, struct qbo_doc *d)
{
	struct qbo_coll *cl = &r->coll[d->ent];

	if (cl->n == cl->cap) {
		size_t ncap = cl->cap ? cl->cap * 2 : 16;
		struct qbo_doc **nd = realloc(cl->docs, ncap * sizeof(struct qbo_doc *));

		if (nd == NULL)
			return BS_ENOMEM;
		cl->docs = nd;
		cl->cap = ncap;
	}
	if (sb_map_put(&cl->by_id, d->id, d) != BS_OK)
		return BS_ENOMEM;
	cl->docs[cl->n++] = d;
	return BS_OK;
}

static void set_meta(json_object *obj, const char *created, const char *updated)
{
	json_object *md = json_object_new_object();

	sb_jset_str(md, "CreateTime", created);
	sb_jset_str(md, "LastUpdatedTime", updated);
	json_object_object_add(obj, "MetaData", md);
}

int qbo_put(struct qbo_ctx *c, int ent, struct qbo_doc *old, json_object *obj, struct qbo_doc **out)
{
	char t[48], tok[24];
	struct qbo_doc *d = old;
	int rc = BS_OK;

	qbo_time(t, sizeof(t), c->now);
	if (old == NULL) {
		d = calloc(1, sizeof(*d));
		if (d == NULL) {
			json_object_put(obj);
			return BS_ENOMEM;
		}
		d->ent = ent;
		snprintf(d->id, sizeof(d->id), "%llu", (unsigned long long)++c->r->next_id);
		d->seq = ++c->sb->doc_seq;
		sb_jset_str(obj, "Id", d->id);
		sb_jset_str(obj, "SyncToken", "0");
		set_meta(obj, t, t);
		if ((rc = coll_add(c->r, d)) != BS_OK) {
			json_object_put(obj);
			free(d);
			return rc;
		}
	} else {
		const char *st = sb_jstr(old->obj, "SyncToken");
		json_object *md = sb_jget_path(old->obj, "MetaData");
		const char *created = md ? sb_jstr(md, "CreateTime") : NULL;
		char cbuf[48];

		snprintf(cbuf, sizeof(cbuf), "%s", created ? created : t);
		snprintf(tok, sizeof(tok), "%llu", st ? strtoull(st, NULL, 10) + 1 : 1ULL);
		sb_jset_str(obj, "Id", old->id);
		sb_jset_str(obj, "SyncToken", tok);
		set_meta(obj, cbuf, t);
		json_object_put(old->obj);
	}
	json_object_object_add(obj, "domain", json_object_new_string("QBO"));
	json_object_object_add(obj, "sparse", json_object_new_boolean(false));
	d->obj = obj;
	d->updated_ms = c->now;
	if (out)
		*out = d;
	if ((rc = num_note(c->r, d)) != BS_OK)
		return rc;
	return qbo_persist(c->sb, c->r, d);
}

int qbo_mark_deleted(struct qbo_ctx *c, struct qbo_doc *d)
{
	char t[48];
	json_object *md = sb_jget_path(d->obj, "MetaData");

	qbo_time(t, sizeof(t), c->now);
	if (md != NULL)
		sb_jset_str(md, "LastUpdatedTime", t);
	d->deleted = true;
	d->updated_ms = c->now;
	return qbo_persist(c->sb, c->r, d);
}

/* ------------------------------------------------------------- state file */

/*
 * Keys: a company is "qbo-realm" <realmId> {next_id, created, ord, name,
 * seeded}; a document "qbo-doc" <Entity>/<Id> for the default company (as
 * before --companies, so older files load) and <realmId>/<Entity>/<Id> for
 * the others (a realmId is digits, an entity name never is).
 */
static int persist_realm(struct sandbox *sb, const struct qbo_realm *r)
{
	json_object *o;
	int rc;

	if (sb->db == NULL)
		return BS_OK;
	o = json_object_new_object();
	json_object_object_add(o, "next_id", json_object_new_int64((int64_t)r->next_id));
	json_object_object_add(o, "created", json_object_new_int64(r->created_ms));
	json_object_object_add(o, "ord", json_object_new_int64((int64_t)r->ord));
	sb_jset_str(o, "name", r->name);
	json_object_object_add(o, "seeded", json_object_new_boolean(r->seeded));
	rc = sb_state_put(sb, "qbo-realm", r->id,
	                  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return rc;
}

int qbo_persist(struct sandbox *sb, struct qbo_realm *r, const struct qbo_doc *d)
{
	json_object *o;
	char key[80];
	int rc;

	if (sb->db == NULL)
		return BS_OK;
	o = json_object_new_object();
	json_object_object_add(o, "obj", json_object_get(d->obj));
	json_object_object_add(o, "seq", json_object_new_int64((int64_t)d->seq));
	json_object_object_add(o, "updated", json_object_new_int64(d->updated_ms));
	json_object_object_add(o, "deleted", json_object_new_boolean(d->deleted));
	if (r->ord == 0)
		snprintf(key, sizeof(key), "%s/%s", qbo_ents[d->ent].name, d->id);
	else
		snprintf(key, sizeof(key), "%s/%s/%s", r->id, qbo_ents[d->ent].name, d->id);
	rc = sb_state_put(sb, "qbo-doc", key,
	                  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (rc == BS_OK)
		rc = persist_realm(sb, r);
	return rc;
}

static int load_doc(struct sandbox *sb, const char *key, const char *body)
{
	const char *slash = strchr(key, '/');
	struct qbo_realm *r = sb->qbo;
	json_object *o = NULL, *v;
	struct qbo_doc *d;
	int ent, rc = BS_ESTORE;

	if (slash != NULL && strspn(key, "0123456789") == (size_t)(slash - key)) {
		char id[24];

		if ((size_t)(slash - key) >= sizeof(id))
			return BS_ESTORE;
		memcpy(id, key, (size_t)(slash - key));
		id[slash - key] = '\0';
		if ((r = qbo_realm_find(sb, id)) == NULL)
			return BS_OK; /* an orphan of a reset: ignore */
		key = slash + 1;
		slash = strchr(key, '/');
	}
	o = json_tokener_parse(body);
	if (r == NULL || slash == NULL || (ent = qbo_ent_of(key, (size_t)(slash - key))) < 0 ||
	    strlen(slash + 1) >= sizeof(d->id) || o == NULL ||
	    !json_object_object_get_ex(o, "obj", &v) || !json_object_is_type(v, json_type_object))
		goto out;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	d->obj = json_object_get(v);
	d->ent = ent;
	snprintf(d->id, sizeof(d->id), "%s", slash + 1);
	d->seq = (uint64_t)json_object_get_int64(json_object_object_get(o, "seq"));
	d->updated_ms = json_object_get_int64(json_object_object_get(o, "updated"));
	d->deleted = json_object_get_boolean(json_object_object_get(o, "deleted"));
	if (d->seq > sb->doc_seq)
		sb->doc_seq = d->seq;
	rc = coll_add(r, d);
	if (rc != BS_OK)
		doc_free(d);
	else
		rc = num_note(sb->qbo, d);
out:
	json_object_put(o);
	return rc;
}

/* A company row: added in its place (rows come in ord order). */
static int load_realm(struct sandbox *sb, const char *key, const char *body)
{
	json_object *o = json_tokener_parse(body), *v;
	struct qbo_realm *r;
	const char *name = sb_jstr(o, "name");
	int rc;

	if (strlen(key) >= sizeof(r->id) || qbo_realm_find(sb, key) != NULL) {
		json_object_put(o);
		return BS_ESTORE;
	}
	rc = realm_add(sb, key, name ? name : "Booksync Sandbox Ltd", &r);
	if (rc == BS_OK) {
		r->next_id = (uint64_t)json_object_get_int64(json_object_object_get(o, "next_id"));
		r->created_ms = json_object_get_int64(json_object_object_get(o, "created"));
		/* files from before --companies hold a seeded company */
		r->seeded =
		    !json_object_object_get_ex(o, "seeded", &v) || json_object_get_boolean(v);
	}
	json_object_put(o);
	return rc;
}

/* One pass over a namespace of the state file. */
static int load_ns(struct sandbox *sb, const char *ns, bool *loaded, struct bs_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = BS_OK;
	bool docs = strcmp(ns, "qbo-doc") == 0;

	/* companies in their places (older files: one, no ord), documents in
	 * creation order */
	if (sqlite3_prepare_v2(sb->db,
	                       docs ? "SELECT key, body FROM kv WHERE ns = ? ORDER BY "
	                              "json_extract(body, '$.seq'), rowid"
	                            : "SELECT key, body FROM kv WHERE ns = ? ORDER BY "
	                              "json_extract(body, '$.ord'), rowid",
	                       -1, &st, NULL) != SQLITE_OK)
		return bs_error_set(err, BS_ESTORE, "state file: %s", sqlite3_errmsg(sb->db));
	sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
	while (rc == BS_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		const char *body = (const char *)sqlite3_column_text(st, 1);

		if (key == NULL || body == NULL)
			continue;
		rc = docs ? load_doc(sb, key, body) : load_realm(sb, key, body);
		if (!docs)
			*loaded = true;
	}
	sqlite3_finalize(st);
	if (rc != BS_OK)
		bs_error_set(err, rc, "state file: corrupt or unreadable record");
	return rc;
}

/* One of the companies 2..sb->norgs, unless it exists: made, unseeded. */
static int realm_ensure(struct sandbox *sb, const char *id, const char *name)
{
	struct qbo_realm *r;
	int rc;

	if (qbo_realm_find(sb, id) != NULL)
		return BS_OK;
	rc = realm_add(sb, id, name, &r);
	return rc == BS_OK ? persist_realm(sb, r) : rc;
}

/* Add the companies 2..sb->norgs that are missing, unseeded. */
static int realms_ensure(struct sandbox *sb)
{
	return sb_orgs_ensure(sb, SANDBOX_QBO, realm_ensure);
}

int qbo_state_load(struct sandbox *sb, bool *loaded, struct bs_error *err)
{
	int rc;

	*loaded = false;
	if (sb->db == NULL)
		return BS_OK;
	if ((rc = load_ns(sb, "qbo-realm", loaded, err)) != BS_OK || !*loaded)
		return rc;
	if ((rc = load_ns(sb, "qbo-doc", loaded, err)) != BS_OK)
		return rc;
	snprintf(sb->default_tenant, sizeof(sb->default_tenant), "%s", sb->qbo->id);
	/* tokens belong to the shared OAuth server: loaded as for Xero */
	sb_state_load_tokens(sb);
	/* a restart resumes the same realmIds; a larger N adds the missing */
	if ((rc = realms_ensure(sb)) != BS_OK)
		bs_error_set(err, rc, "cannot create the companies of --companies");
	return rc;
}

int qbo_realm_ready(struct qbo_ctx *c)
{
	int rc;

	if (c->r->seeded)
		return BS_OK;
	sb_state_begin(c->sb);
	rc = qbo_seed(c);
	if (rc == BS_OK) {
		c->r->seeded = true;
		rc = persist_realm(c->sb, c->r);
	}
	sb_state_end(c->sb, rc == BS_OK);
	return rc;
}

int qbo_reset(struct sandbox *sb)
{
	struct qbo_fault f;
	struct qbo_ctx c;
	char id[24];
	int rc;

	snprintf(id, sizeof(id), "%s", sb->qbo ? sb->qbo->id : REALM_ID);
	qbo_free(sb);
	sb->qbo_epoch++;
	if ((rc = realm_add(sb, id, "Booksync Sandbox Ltd", &c.r)) != BS_OK)
		return rc;
	snprintf(sb->default_tenant, sizeof(sb->default_tenant), "%s", sb->qbo->id);
	qbo_ctx_init(&c, sb, &f); /* on sb->qbo, the default company */
	rc = qbo_realm_ready(&c);
	if (rc == BS_OK)
		rc = realms_ensure(sb);
	return rc;
}

/* ------------------------------------------------------------- admin */

void qbo_admin_list(struct sandbox *sb, bool counters, struct sandbox_response *resp)
{
	json_object *arr = json_object_new_array(), *o;

	for (size_t i = 0; i < sb->nqbo; i++) {
		struct qbo_realm *r = sb->qbo_realms[i];
		json_object *t = json_object_new_object();

		sb_jset_str(t, "tenantId", r->id);
		sb_jset_str(t, counters ? "name" : "tenantName", r->name);
		if (counters) {
			json_object_object_add(t, "calls",
			                       json_object_new_int64((int64_t)r->calls));
			json_object_object_add(t, "rate_limited",
			                       json_object_new_int64((int64_t)r->limited));
			json_object_object_add(t, "inflight", json_object_new_int(r->inflight));
		} else {
			sb_jset_str(t, "baseCurrency", "NZD");
			sb_jset_str(t, "countryCode", "NZ");
		}
		json_object_array_add(arr, t);
	}
	if (!counters) {
		sb_resp_json(resp, 200, arr);
		json_object_put(arr);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "webhooks_sent", json_object_new_int64((int64_t)sb->hook_sent));
	json_object_object_add(o, "webhooks_failed",
	                       json_object_new_int64((int64_t)sb->hook_failed));
	json_object_object_add(o, "tenants", arr);
	sb_resp_json(resp, 200, o);
	json_object_put(o);
}
