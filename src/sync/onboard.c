/*
 * onboard.c - connect an organisation, read it and link what already
 * exists there (see onboard.h).
 */
#include "sync/onboard.h"

#include "consolidate/consolidate.h"
#include "core/grow.h"
#include "core/secret.h"
#include "core/jsonr.h"
#include "core/jsonw.h"
#include "core/money.h"
#include "core/tzif.h"
#include "store/settings.h"

#include <ctype.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The connector's reads go through the session's paced GET, counted. */
struct getter {
	struct session *s;
	uint64_t *calls;
};

static int counted_get(void *arg, const char *path, struct buf *body, struct bs_error *err)
{
	struct getter *g = arg;

	(*g->calls)++;
	return session_get(g->s, path, body, err);
}

/* Every entity of `what`, each to each(arg). */
static int read_each(struct session *s, enum ledger_read what, ledger_entity_fn each, void *arg,
                     uint64_t *calls, struct bs_error *err)
{
	struct getter g = {s, calls};

	return s->ledger->read(what, counted_get, &g, each, arg, err);
}

static int save_setting(struct session *s, const char *prefix, const char *value,
                        struct bs_error *err)
{
	struct buf k;
	int rc;

	buf_init(&k, 512);
	rc = buf_printf(&k, "%s:%s", prefix, s->target);
	if (rc == BS_OK)
		rc = store_setting_set(s->st, buf_cstr(&k), value, err);
	buf_free(&k);
	return rc;
}

/* What one read writes: a JSON array built entity by entity. */
struct reading {
	struct session *s;
	struct onboard_stats *st;
	struct buf out;
	size_t n;
};

static int org_cb(void *arg, const struct ledger_entity *e)
{
	struct reading *r = arg;
	struct onboard_stats *st = r->st;

	r->n++;
	snprintf(st->org_name, sizeof(st->org_name), "%s", e->name);
	snprintf(st->base_currency, sizeof(st->base_currency), "%s", e->base_currency);
	snprintf(st->lock_date, sizeof(st->lock_date), "%s", e->lock_date);
	snprintf(st->timezone, sizeof(st->timezone), "%s", e->timezone != NULL ? e->timezone : "");
	return BS_OK;
}

static int read_org(struct session *s, struct onboard_stats *st, struct bs_error *err)
{
	struct reading r = {s, st, {0}, 0};
	int rc = read_each(s, LEDGER_READ_ORG, org_cb, &r, &st->calls, err);

	if (rc != BS_OK || r.n == 0)
		return rc;
	/* the organisation's base currency wins over a guess made before */
	if (rc == BS_OK && st->base_currency[0] != '\0' &&
	    money_currency_exponent(st->base_currency) >= 0)
		rc = store_setting_set(s->st, "base_currency", st->base_currency, err);
	if (rc == BS_OK)
		rc = save_setting(s, "lockdate", st->lock_date, err);
	/* the zone that decides "today" when the `timezone` setting is unset;
	 * "" where the ledger does not say (QBO), which means UTC */
	if (rc == BS_OK)
		rc = save_setting(s, "org_timezone", st->timezone, err);
	return rc;
}

int onboard_org_timezone(struct store *st, const char *target, struct buf *out,
                         struct bs_error *err)
{
	struct buf tb, key;
	const char *t = NULL;
	int rc;

	buf_reset(out);
	rc = settings_get(st, "timezone", out, err);
	if (rc != BS_OK || out->len > 0)
		return rc;
	buf_init(&tb, 256);
	buf_init(&key, 512);
	if (store_target_pick(st, target, &tb, &t, NULL) == BS_OK && t != NULL &&
	    buf_printf(&key, "org_timezone:%s", t) == BS_OK) {
		rc = store_setting_get(st, buf_cstr(&key), out, NULL);
		if (rc == BS_ENOTFOUND)
			rc = BS_OK;
		else if (rc != BS_OK)
			rc = bs_error_set(err, rc, "reading %s", buf_cstr(&key));
	}
	if (rc == BS_OK && out->len == 0)
		rc = buf_addstr(out, "UTC");
	buf_free(&tb);
	buf_free(&key);
	return rc;
}

void onboard_org_today(struct store *st, const char *target, int64_t now_ms, char out[11])
{
	struct buf tz;
	int off = 0;

	buf_init(&tz, 128);
	if (onboard_org_timezone(st, target, &tz, NULL) != BS_OK ||
	    (cons_tz_offset(buf_cstr(&tz), &off) != BS_OK &&
	     tzif_offset(buf_cstr(&tz), now_ms, &off) != BS_OK))
		off = 0;
	if (cons_today(now_ms, off, out) != BS_OK)
		cons_today(0, 0, out);
	buf_free(&tz);
}

static int account_cb(void *arg, const struct ledger_entity *e)
{
	struct reading *r = arg;
	int rc = buf_addstr(&r->out, r->n++ ? ",{" : "{");

	if (rc == BS_OK)
		rc = jsonw_kv_str(&r->out, 0, "code", e->code);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&r->out, 1, "name", e->name);
	/* the ledger's id: a connector that names accounts by id maps codes
	 * through it (ledger_conn_config.chart) */
	if (rc == BS_OK && e->id != NULL)
		rc = jsonw_kv_str(&r->out, 1, "id", e->id);
	if (rc == BS_OK)
		rc = buf_printf(&r->out, ",\"archived\":%s}", e->active ? "false" : "true");
	/* a liability that takes payments: where gift vouchers live */
	if (r->st->gift_account[0] == '\0' && e->liability_payments)
		snprintf(r->st->gift_account, sizeof(r->st->gift_account), "%s", e->code);
	return rc;
}

static int tax_rate_cb(void *arg, const struct ledger_entity *e)
{
	struct reading *r = arg;
	int rc = buf_addstr(&r->out, r->n++ ? ",{" : "{");

	if (rc == BS_OK)
		rc = jsonw_kv_str(&r->out, 0, "code", e->code);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&r->out, 1, "name", e->name);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&r->out, 1, "rate", e->rate);
	if (rc == BS_OK && e->id != NULL)
		rc = jsonw_kv_str(&r->out, 1, "id", e->id);
	if (rc == BS_OK)
		rc = buf_printf(&r->out, ",\"sales\":%s,\"purchases\":%s,\"active\":%s}",
		                e->sales ? "true" : "false", e->purchases ? "true" : "false",
		                e->active ? "true" : "false");
	return rc;
}

/* tracking:<target> = [{"name":"Region","options":["North","South"]}] (active only) */
static int tracking_cb(void *arg, const struct ledger_entity *e)
{
	struct reading *r = arg;
	int rc = buf_addstr(&r->out, r->n++ ? ",{" : "{");

	if (rc == BS_OK)
		rc = jsonw_kv_str(&r->out, 0, "name", e->name);
	if (rc == BS_OK)
		rc = buf_addstr(&r->out, ",\"options\":[");
	for (size_t j = 0; rc == BS_OK && j < e->noptions; j++) {
		if (j > 0)
			rc = buf_addc(&r->out, ',');
		if (rc == BS_OK)
			rc = jsonw_str(&r->out, e->options[j]);
	}
	if (rc == BS_OK)
		rc = buf_addstr(&r->out, "]}");
	return rc;
}

/* One read into the setting prefix:<target> as a JSON array; *count its
 * entries. */
static int read_setting(struct session *s, struct onboard_stats *st, enum ledger_read what,
                        ledger_entity_fn cb, const char *prefix, size_t *count,
                        struct bs_error *err)
{
	struct reading r = {s, st, {0}, 0};
	int rc;

	buf_init(&r.out, (size_t)4 << 20);
	rc = buf_addc(&r.out, '[');
	if (rc == BS_OK)
		rc = read_each(s, what, cb, &r, &st->calls, err);
	if (rc == BS_OK)
		rc = buf_addc(&r.out, ']');
	if (rc == BS_OK)
		rc = save_setting(s, prefix, buf_cstr(&r.out), err);
	*count = r.n;
	buf_free(&r.out);
	return rc;
}

static int read_accounts(struct session *s, struct onboard_stats *st, struct bs_error *err)
{
	struct buf cur;
	int rc = read_setting(s, st, LEDGER_READ_ACCOUNTS, account_cb, "chart", &st->accounts, err);

	buf_init(&cur, 64);
	if (rc == BS_OK && st->gift_account[0] != '\0' &&
	    store_setting_get(s->st, "account.gift_voucher", &cur, NULL) == BS_ENOTFOUND)
		rc = store_setting_set(s->st, "account.gift_voucher", st->gift_account, err);
	buf_free(&cur);
	return rc;
}

/* ---- linking what exists -------------------------------------------------- */

struct name_id {
	char *key; /* lower-cased name or code */
	char id[LEDGER_ID_MAX];
};

struct names {
	struct name_id *v;
	size_t n, cap;
};

static int names_add(struct names *l, const char *key, const char *id)
{
	struct name_id *e;

	if (grow_array(&l->v, &l->cap, l->n, 256, sizeof(*l->v)) != BS_OK)
		return BS_ENOMEM;
	e = &l->v[l->n];
	e->key = strdup(key);
	if (e->key == NULL)
		return BS_ENOMEM;
	for (char *p = e->key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(e->id, sizeof(e->id), "%s", id);
	l->n++;
	return BS_OK;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_id *)a)->key, ((const struct name_id *)b)->key);
}

static const char *names_find(const struct names *l, const char *key)
{
	struct name_id probe, *hit;
	char low[512];
	size_t i;

	for (i = 0; i < sizeof(low) - 1 && key[i] != '\0'; i++)
		low[i] = (char)tolower((unsigned char)key[i]);
	low[i] = '\0';
	probe.key = low;
	if (l->n == 0)
		return NULL;
	hit = bsearch(&probe, l->v, l->n, sizeof(*l->v), name_cmp);
	return hit != NULL ? hit->id : NULL;
}

static void names_free(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].key);
	free(l->v);
}

/* Contacts / items as read: each identity into its name list.  A ledger
 * that keeps customers and vendors apart (QBO) says each contact's role:
 * it goes to that side's lists only (side 0 customers, 1 vendors); a
 * contact without a role serves both, as Xero's do. */
struct gathering {
	struct names *names, *emails, *taxnos; /* emails, taxnos NULL for items */
	size_t *seen;
	struct gathering *vendors; /* contacts: the vendor side's lists, or NULL */
};

static int gather_one(struct gathering *g, const struct ledger_entity *e)
{
	const char *key = g->emails != NULL ? e->name : e->code;
	int rc = BS_OK;

	if (key != NULL && key[0] != '\0')
		rc = names_add(g->names, key, e->id);
	if (rc == BS_OK && g->emails != NULL && e->email != NULL && e->email[0] != '\0')
		rc = names_add(g->emails, e->email, e->id);
	if (rc == BS_OK && g->taxnos != NULL && e->tax_number != NULL && e->tax_number[0] != '\0')
		rc = names_add(g->taxnos, e->tax_number, e->id);
	return rc;
}

static int gather_cb(void *arg, const struct ledger_entity *e)
{
	struct gathering *g = arg;
	int rc = BS_OK;

	(*g->seen)++;
	if (e->role == NULL || strcmp(e->role, "vendor") != 0)
		rc = gather_one(g, e);
	if (rc == BS_OK && g->vendors != NULL &&
	    (e->role == NULL || strcmp(e->role, "customer") != 0))
		rc = gather_one(g->vendors, e);
	return rc;
}

static void names_sort(struct names *l)
{
	if (l != NULL && l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), name_cmp);
}

/* Every contact or item the ledger holds, into sorted name lists. */
static int read_all(struct session *s, enum ledger_read what, struct gathering *g, uint64_t *calls,
                    struct bs_error *err)
{
	int rc = read_each(s, what, gather_cb, g, calls, err);

	for (struct gathering *x = g; rc == BS_OK && x != NULL; x = x->vendors) {
		names_sort(x->names);
		names_sort(x->emails);
		names_sort(x->taxnos);
	}
	return rc;
}

struct linker {
	struct session *s;
	const struct names *names;           /* by name (contacts) or code (items) */
	const struct names *emails, *taxnos; /* contacts: the other identities */
	const char *type;
	size_t linked;
	struct bs_error *err;
	/* collected first: linking changes the rows being walked */
	struct pending_link {
		enum record_kind kind;
		char id[RECORD_ID_MAX + 1];
		char ledger_id[LEDGER_ID_MAX];
	} * v;
	size_t n, cap;
};

static int link_row(void *arg, const struct store_row *r)
{
	struct linker *l = arg;
	const char *key = r->reference;
	struct buf body;
	struct json_object *o = NULL;
	const char *hit;

	buf_init(&body, (size_t)1 << 20);
	if (store_record_get(l->s->st, r->kind, r->id, NULL, &body, NULL) == BS_OK)
		o = json_tokener_parse(buf_cstr(&body));
	if (r->kind == RECORD_PRODUCT)
		key = jsonr_str(o, "sku") ? jsonr_str(o, "sku") : key;
	/* docs/mapping-xero.md: a contact is matched by name, then e-mail, then tax number */
	hit = key != NULL && key[0] ? names_find(l->names, key) : NULL;
	if (hit == NULL && l->emails != NULL && jsonr_str(o, "email") != NULL)
		hit = names_find(l->emails, jsonr_str(o, "email"));
	if (hit == NULL && l->taxnos != NULL && jsonr_str(o, "tax_number") != NULL)
		hit = names_find(l->taxnos, jsonr_str(o, "tax_number"));
	if (hit != NULL) {
		if (grow_array(&l->v, &l->cap, l->n, 64, sizeof(*l->v)) != BS_OK) {
			json_object_put(o);
			buf_free(&body);
			return BS_ENOMEM;
		}
		l->v[l->n].kind = r->kind;
		snprintf(l->v[l->n].id, sizeof(l->v[0].id), "%s", r->id);
		snprintf(l->v[l->n].ledger_id, sizeof(l->v[0].ledger_id), "%s", hit);
		l->n++;
	}
	json_object_put(o);
	buf_free(&body);
	return 0;
}

static int link_tab(struct linker *l, const char *tab)
{
	struct store_actor who = {"connect", l->s->now_ms()};
	int rc = store_pending_each(l->s->st, l->s->target, tab, link_row, l, l->err);

	for (size_t i = 0; rc == BS_OK && i < l->n; i++) {
		const struct pending_link *p = &l->v[i];

		rc = store_begin(l->s->st, l->err);
		if (rc == BS_OK)
			rc = store_link_set(l->s->st, l->s->target, p->kind, p->id, l->type,
			                    p->ledger_id, "", who.now_ms, l->err);
		if (rc == BS_OK)
			rc = store_state_apply(l->s->st, p->kind, p->id, l->s->target, SYNC_EV_PLAN,
			                       NULL, &who, NULL, l->err);
		if (rc == BS_OK)
			rc = store_state_apply(
			    l->s->st, p->kind, p->id, l->s->target, SYNC_EV_POSTED,
			    "already in the ledger: linked on connect", &who, NULL, l->err);
		if (rc == BS_OK)
			rc = store_commit(l->s->st, l->err);
		else
			store_rollback(l->s->st);
		if (rc == BS_ESTATE)
			rc = BS_OK;
		else if (rc == BS_OK)
			l->linked++;
	}
	l->n = 0;
	return rc;
}

int onboard_run(struct session *s, struct onboard_stats *st, struct bs_error *err)
{
	struct names contacts = {0}, emails = {0}, taxnos = {0}, items = {0};
	struct names vcontacts = {0}, vemails = {0}, vtaxnos = {0};
	struct gathering gv = {&vcontacts, &vemails, &vtaxnos, NULL, NULL};
	struct gathering gc = {&contacts, &emails, &taxnos, NULL, &gv};
	struct gathering gi = {&items, NULL, NULL, NULL, NULL};
	struct linker l = {0};
	int rc;

	memset(st, 0, sizeof(*st));
	rc = read_org(s, st, err);
	if (rc == BS_OK)
		rc = read_accounts(s, st, err);
	if (rc == BS_OK)
		rc = read_setting(s, st, LEDGER_READ_TAX_RATES, tax_rate_cb, "taxrates",
		                  &st->tax_rates, err);
	if (rc == BS_OK)
		rc = read_setting(s, st, LEDGER_READ_TRACKING, tracking_cb, "tracking",
		                  &st->tracking, err);
	gc.seen = &st->contacts_seen;
	gi.seen = &st->items_seen;
	if (rc == BS_OK)
		rc = read_all(s, LEDGER_READ_CONTACTS, &gc, &st->calls, err);
	if (rc == BS_OK)
		rc = read_all(s, LEDGER_READ_ITEMS, &gi, &st->calls, err);
	l.s = s;
	l.err = err;
	if (rc == BS_OK) {
		l.names = &contacts;
		l.emails = &emails;
		l.taxnos = &taxnos;
		l.type = "Contact";
		rc = link_tab(&l, "sales/customers");
		l.names = &vcontacts;
		l.emails = &vemails;
		l.taxnos = &vtaxnos;
		if (rc == BS_OK)
			rc = link_tab(&l, "purchases/suppliers");
		st->contacts_linked = l.linked;
	}
	if (rc == BS_OK) {
		l.names = &items;
		l.emails = l.taxnos = NULL;
		l.type = "Item";
		l.linked = 0;
		rc = link_tab(&l, "other/products");
		st->items_linked = l.linked;
	}
	free(l.v);
	names_free(&contacts);
	names_free(&emails);
	names_free(&taxnos);
	names_free(&items);
	names_free(&vcontacts);
	names_free(&vemails);
	names_free(&vtaxnos);
	return rc;
}

/* The connector a names (NULL: the default one), or NULL. */
static const struct ledger_ops *auth_ledger(const char *name)
{
	return name == NULL ? ledger_nth(0) : ledger_find(name);
}

/* What a successful authorisation puts in creds beside the tokens. */
static void creds_fill(const struct ledger_ops *ops, const struct onboard_auth *a,
                       struct session_creds *creds)
{
	snprintf(creds->ledger, sizeof(creds->ledger), "%s", ops->name);
	snprintf(creds->base_url, sizeof(creds->base_url), "%s",
	         a->base_url != NULL ? a->base_url : "");
	snprintf(creds->client_id, sizeof(creds->client_id), "%s", a->client_id);
	snprintf(creds->client_secret, sizeof(creds->client_secret), "%s", a->client_secret);
}

int onboard_authorize(const struct onboard_auth *a, struct session_creds *creds,
                      struct ledger_tenant **tenants, size_t *n, struct bs_error *err)
{
	const struct ledger_ops *ops = auth_ledger(a->ledger);
	struct ledger_auth la = {a->base_url, a->client_id, a->client_secret, a->auto_approve,
	                         a->show_url, a->arg,       a->now_ms,        a->tenant_hint};
	int rc;

	*tenants = NULL;
	*n = 0;
	memset(creds, 0, sizeof(*creds));
	if (ops == NULL)
		return bs_error_set(err, BS_EINVAL, "%s: no such ledger", a->ledger);
	rc = ops->authorize(&la, &creds->tokens, tenants, n, err);
	if (rc == BS_OK)
		creds_fill(ops, a, creds);
	return rc;
}

int onboard_authorize_start(const struct onboard_auth *a, const char *redirect_uri,
                            const char *state, struct buf *url, struct bs_error *err)
{
	const struct ledger_ops *ops = auth_ledger(a->ledger);

	if (ops == NULL || ops->authorize_start == NULL)
		return bs_error_set(err, BS_EINVAL, "%s: no such ledger",
		                    a->ledger != NULL ? a->ledger : "");
	return ops->authorize_start(a->base_url, a->client_id, redirect_uri, state, url, err);
}

int onboard_authorize_finish(const struct onboard_auth *a, const char *redirect_uri,
                             const char *code, const char *extra, struct session_creds *creds,
                             struct ledger_tenant **tenants, size_t *n, struct bs_error *err)
{
	const struct ledger_ops *ops = auth_ledger(a->ledger);
	struct ledger_auth la = {a->base_url, a->client_id, a->client_secret, false,
	                         NULL,        NULL,         a->now_ms};
	int rc;

	*tenants = NULL;
	*n = 0;
	memset(creds, 0, sizeof(*creds));
	if (ops == NULL || ops->authorize_finish == NULL)
		return bs_error_set(err, BS_EINVAL, "%s: no such ledger",
		                    a->ledger != NULL ? a->ledger : "");
	rc = ops->authorize_finish(&la, redirect_uri, code, extra != NULL ? extra : "",
	                           &creds->tokens, tenants, n, err);
	if (rc == BS_OK)
		creds_fill(ops, a, creds);
	return rc;
}

/* $BOOKSYNC_<LEDGER>_CLIENT_<what> ("ID", "SECRET"), NULL when unset. */
static const char *env_cred(const char *ledger, const char *what)
{
	char name[64];
	size_t i;

	snprintf(name, sizeof(name), "BOOKSYNC_%s_CLIENT_%s", ledger, what);
	for (i = 9; name[i] != '\0' && name[i] != '_'; i++)
		name[i] = (char)toupper((unsigned char)name[i]);
	return getenv(name);
}

/* One credential into out: given, else the environment, else the setting. */
static int one_cred(struct store *st, const char *ledger, const char *given, const char *what,
                    struct buf *out)
{
	const char *v = given != NULL && given[0] != '\0' ? given : env_cred(ledger, what);
	char key[64];

	buf_reset(out);
	if (v != NULL && v[0] != '\0')
		return buf_addstr(out, v);
	snprintf(key, sizeof(key), "%s.client_%s", ledger, what[0] == 'I' ? "id" : "secret");
	if (settings_find(key) == NULL || store_setting_get(st, key, out, NULL) != BS_OK)
		buf_reset(out);
	return BS_OK;
}

int onboard_client_creds(struct store *st, const char *ledger, const char *id, const char *secret,
                         struct buf *id_out, struct buf *secret_out, struct bs_error *err)
{
	bool qbo = strcmp(ledger, "qbo") == 0;
	const char *up = qbo ? "QBO" : "XERO";

	if (one_cred(st, ledger, id, "ID", id_out) != BS_OK ||
	    one_cred(st, ledger, secret, "SECRET", secret_out) != BS_OK)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	if (id_out->len == 0 || secret_out->len == 0)
		return bs_error_set(
		    err, BS_EINVAL,
		    "no client credentials: set BOOKSYNC_%s_CLIENT_ID and "
		    "BOOKSYNC_%s_CLIENT_SECRET%s",
		    up, up, qbo ? " (or the settings qbo.client_id/qbo.client_secret)" : "");
	return BS_OK;
}

int onboard_pick_tenant(const struct ledger_tenant *t, size_t n, const char *want, size_t *pick,
                        struct bs_error *err)
{
	if (n == 0)
		return bs_error_set(err, BS_EAUTH, "the grant covers no organisation");
	if (want == NULL) {
		*pick = 0;
		return n == 1 ? BS_OK
		              : bs_error_set(err, BS_ECONFLICT,
		                             "the grant covers %zu organisations; name one", n);
	}
	for (*pick = 0; *pick < n; (*pick)++) {
		if (strcmp(t[*pick].tenant_id, want) == 0)
			return BS_OK;
	}
	return bs_error_set(err, BS_ENOTFOUND, "%s is not among the organisations granted", want);
}

int onboard_connect(struct store *st, const char *db_path, struct session_creds *creds,
                    const struct ledger_tenant *t, int64_t (*now_ms)(void), struct buf *target,
                    struct onboard_stats *stats, struct bs_error *err)
{
	struct store_actor who = {"connect", 0};
	struct session sess;
	unsigned char key[SECRET_KEY_BYTES];
	struct buf kp;
	int rc;

	memset(&sess, 0, sizeof(sess));
	buf_init(&kp, 4096);
	snprintf(creds->tenant_id, sizeof(creds->tenant_id), "%s", t->tenant_id);
	snprintf(creds->tenant_name, sizeof(creds->tenant_name), "%s", t->tenant_name);
	buf_reset(target);
	rc = buf_printf(target, "%s:%s",
	                creds->ledger[0] != '\0' ? creds->ledger : ledger_nth(0)->name,
	                creds->tenant_id);
	who.now_ms = now_ms();
	if (rc == BS_OK)
		rc = session_key_path(db_path, &kp, err);
	if (rc == BS_OK)
		rc = secret_key_load_or_create(buf_cstr(&kp), key, err);
	if (rc == BS_OK)
		rc = store_target_add(st, buf_cstr(target), creds->tenant_name, &who, err);
	if (rc == BS_OK)
		rc = session_save(st, key, buf_cstr(target), creds, err);
	if (rc == BS_OK)
		rc = session_open(&sess, st, db_path, buf_cstr(target), now_ms, err);
	if (rc == BS_OK)
		rc = onboard_run(&sess, stats, err);
	session_close(&sess);
	sodium_memzero(key, sizeof(key));
	buf_free(&kp);
	return rc;
}
