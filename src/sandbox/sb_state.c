/*
 * sb_state.c - the sandbox's optional SQLite state file: one key/value
 * table written through at every committed change (documents, tenants,
 * tokens), and loaded at start so a restart resumes where it stopped.
 */
#include "sandbox/sb_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- state file */

static const char *const schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS kv(ns TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY(ns, key));";

int sb_state_open(struct sandbox *sb, const char *path, struct bs_error *err)
{
	if (sqlite3_open_v2(path, &sb->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(sb->db, 2000);
	if (sqlite3_exec(sb->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(sb->db, "INSERT OR REPLACE INTO kv(ns, key, body) VALUES(?, ?, ?)",
	                       -1, &sb->st_put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sb->db, "DELETE FROM kv WHERE ns = ? AND key = ?", -1, &sb->st_del,
	                       NULL) != SQLITE_OK)
		goto fail;
	return BS_OK;
fail:
	bs_error_set(err, BS_ESTORE, "state file %s: %s", path,
	             sb->db ? sqlite3_errmsg(sb->db) : "cannot open");
	sb_state_close(sb);
	return BS_ESTORE;
}

void sb_state_close(struct sandbox *sb)
{
	sqlite3_finalize(sb->st_put);
	sqlite3_finalize(sb->st_del);
	sb->st_put = sb->st_del = NULL;
	if (sb->db != NULL)
		sqlite3_close(sb->db);
	sb->db = NULL;
}

/* Run a kv statement with (ns, key) bound, and val as the body when the
 * statement takes one (the put). */
static int kv_step(sqlite3_stmt *st, const char *ns, const char *key, const char *val)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) > 2)
		sqlite3_bind_text(st, 3, val, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? BS_OK : BS_ESTORE;
}

int sb_state_put(struct sandbox *sb, const char *ns, const char *key, const char *val)
{
	return sb->db == NULL ? BS_OK : kv_step(sb->st_put, ns, key, val);
}

int sb_state_del(struct sandbox *sb, const char *ns, const char *key)
{
	return sb->db == NULL ? BS_OK : kv_step(sb->st_del, ns, key, NULL);
}

int sb_state_wipe(struct sandbox *sb)
{
	if (sb->db == NULL)
		return BS_OK;
	return sqlite3_exec(sb->db, "DELETE FROM kv", NULL, NULL, NULL) == SQLITE_OK ? BS_OK
	                                                                             : BS_ESTORE;
}

void sb_state_begin(struct sandbox *sb)
{
	if (sb->db != NULL && sb->db_depth++ == 0) {
		sb->db_fail = false;
		sqlite3_exec(sb->db, "BEGIN", NULL, NULL, NULL);
	}
}

void sb_state_end(struct sandbox *sb, bool ok)
{
	if (sb->db == NULL || sb->db_depth == 0)
		return;
	if (!ok)
		sb->db_fail = true;
	if (--sb->db_depth == 0)
		sqlite3_exec(sb->db, sb->db_fail ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
}

int sb_state_save_tenant(struct sandbox *sb, struct sb_tenant *tn)
{
	json_object *o;
	json_object *nums;
	int rc;

	if (sb->db == NULL)
		return BS_OK;
	o = json_object_new_object();
	nums = json_object_new_array();
	json_object_object_add(o, "org", json_object_get(tn->org));
	sb_jset_str(o, "conn_id", tn->conn_id);
	json_object_object_add(o, "created", json_object_new_int64(tn->created_ms));
	json_object_object_add(o, "period_lock", json_object_new_int64(tn->period_lock_ms));
	json_object_object_add(o, "eoy_lock", json_object_new_int64(tn->eoy_lock_ms));
	json_object_object_add(o, "connected", json_object_new_boolean(tn->connected));
	/* its place (the default tenant is 0): a row's rowid changes with
	 * every write, so the load order comes from here */
	json_object_object_add(o, "ord", json_object_new_int64((int64_t)tn->ord));
	json_object_object_add(o, "seeded", json_object_new_boolean(tn->seeded));
	json_object_object_add(o, "tax_pct", json_object_new_int(tn->tax_pct));
	for (int k = 0; k < SBK_COUNT; k++)
		json_object_array_add(nums, json_object_new_int(tn->next_number[k]));
	json_object_object_add(o, "next_number", nums);
	rc = sb_state_put(sb, "tenant", tn->id,
	                  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return rc;
}

static int load_tenant(struct sandbox *sb, const char *id, const char *body)
{
	json_object *o = json_tokener_parse(body), *v;
	struct sb_tenant *tn;
	int rc;

	if (o == NULL || !json_object_object_get_ex(o, "org", &v))
		goto bad;
	rc =
	    sb_tenant_create(sb, sb_jstr(v, "Name") ? sb_jstr(v, "Name") : "",
	                     sb_jstr(v, "BaseCurrency") ? sb_jstr(v, "BaseCurrency") : "NZD",
	                     sb_jstr(v, "CountryCode") ? sb_jstr(v, "CountryCode") : "NZ", id, &tn);
	if (rc != BS_OK) {
		json_object_put(o);
		return rc;
	}
	json_object_put(tn->org);
	tn->org = json_object_get(v);
	if (sb_jstr(o, "conn_id"))
		snprintf(tn->conn_id, sizeof(tn->conn_id), "%s", sb_jstr(o, "conn_id"));
	if (json_object_object_get_ex(o, "created", &v))
		tn->created_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "period_lock", &v))
		tn->period_lock_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "eoy_lock", &v))
		tn->eoy_lock_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "connected", &v))
		tn->connected = json_object_get_boolean(v);
	/* files from before lazy seeding hold seeded tenants only */
	tn->seeded = !json_object_object_get_ex(o, "seeded", &v) || json_object_get_boolean(v);
	tn->tax_pct = json_object_object_get_ex(o, "tax_pct", &v) ? json_object_get_int(v) : 15;
	if (json_object_object_get_ex(o, "next_number", &v) &&
	    json_object_is_type(v, json_type_array))
		for (int k = 0; k < SBK_COUNT && (size_t)k < json_object_array_length(v); k++)
			tn->next_number[k] = json_object_get_int(json_object_array_get_idx(v, k));
	json_object_put(o);
	return BS_OK;
bad:
	json_object_put(o);
	return BS_ESTORE;
}

static int load_doc(struct sandbox *sb, const char *key, const char *body)
{
	char tid[40];
	int kind;
	const char *s1 = strchr(key, '/'), *s2;
	json_object *o, *v;
	struct sb_tenant *tn;
	struct sb_doc *d;
	int rc = BS_ESTORE;

	if (s1 == NULL || (size_t)(s1 - key) >= sizeof(tid) || (s2 = strchr(s1 + 1, '/')) == NULL)
		return BS_ESTORE;
	memcpy(tid, key, (size_t)(s1 - key));
	tid[s1 - key] = '\0';
	kind = 0;
	for (const char *p = s1 + 1; p < s2; p++) {
		if (!isdigit((unsigned char)*p))
			return BS_ESTORE;
		kind = kind * 10 + (*p - '0');
		if (kind >= SBK_COUNT)
			return BS_ESTORE;
	}
	tn = sb_tenant_find(sb, tid);
	if (tn == NULL)
		return BS_OK; /* orphan of a reset: ignore */
	o = json_tokener_parse(body);
	if (o == NULL || !json_object_object_get_ex(o, "obj", &v) ||
	    !json_object_is_type(v, json_type_object))
		goto out;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	d->obj = json_object_get(v);
	snprintf(d->id, sizeof(d->id), "%s", s2 + 1);
	if (json_object_object_get_ex(o, "seq", &v))
		d->seq = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "updated", &v))
		d->updated_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "gone", &v))
		d->gone = json_object_get_boolean(v);
	if (d->seq > sb->doc_seq)
		sb->doc_seq = d->seq;
	rc = sb_coll_append(tn, kind, d);
	if (rc != BS_OK)
		sb_doc_free(d); /* may leave a dangling index entry; start fails anyway */
out:
	json_object_put(o);
	return rc;
}

static void token_load(struct sandbox *sb, const char *key, const char *body)
{
	json_object *o = json_tokener_parse(body);
	struct sb_token *t;

	if (o == NULL)
		return;
	t = calloc(1, sizeof(*t));
	if (t != NULL) {
		t->kind = (enum sb_tok_kind)json_object_get_int(json_object_object_get(o, "kind"));
		snprintf(t->client, sizeof(t->client), "%s",
		         sb_jstr(o, "client") ? sb_jstr(o, "client") : "");
		snprintf(t->scope, sizeof(t->scope), "%s",
		         sb_jstr(o, "scope") ? sb_jstr(o, "scope") : "");
		snprintf(t->realm, sizeof(t->realm), "%s",
		         sb_jstr(o, "realm") ? sb_jstr(o, "realm") : "");
		t->expires_ms = json_object_get_int64(json_object_object_get(o, "expires"));
		t->rotated_ms = json_object_get_int64(json_object_object_get(o, "rotated"));
		if (sb_map_put(&sb->tokens, key, t) != BS_OK)
			free(t);
	}
	json_object_put(o);
}

int sb_state_load(struct sandbox *sb, bool *loaded, struct bs_error *err)
{
	static const char *const order[] = {"tenant", "doc", "token"};
	sqlite3_stmt *st = NULL;
	int rc = BS_OK;

	*loaded = false;
	if (sb->db == NULL)
		return BS_OK;
	for (int pass = 0; pass < 3 && rc == BS_OK; pass++) {
		/* tenants in their places (older files: no ord, rowid order),
		 * documents in creation order */
		const char *sql = pass == 0 ? "SELECT key, body FROM kv WHERE ns = ? ORDER BY "
		                              "json_extract(body, '$.ord'), rowid"
		                  : pass == 1
		                      ? "SELECT key, body FROM kv WHERE ns = ? ORDER BY "
		                        "json_extract(body, '$.seq')"
		                      : "SELECT key, body FROM kv WHERE ns = ? ORDER BY rowid";

		if (sqlite3_prepare_v2(sb->db, sql, -1, &st, NULL) != SQLITE_OK)
			return bs_error_set(err, BS_ESTORE, "state file: %s",
			                    sqlite3_errmsg(sb->db));
		sqlite3_bind_text(st, 1, order[pass], -1, SQLITE_STATIC);
		while (rc == BS_OK && sqlite3_step(st) == SQLITE_ROW) {
			const char *key = (const char *)sqlite3_column_text(st, 0);
			const char *body = (const char *)sqlite3_column_text(st, 1);

			if (key == NULL || body == NULL)
				continue;
			if (pass == 0) {
				rc = load_tenant(sb, key, body);
				*loaded = true;
			} else if (pass == 1) {
				rc = load_doc(sb, key, body);
			} else {
				token_load(sb, key, body);
			}
		}
		sqlite3_finalize(st);
	}
	if (rc != BS_OK)
		bs_error_set(err, rc, "state file: corrupt or unreadable record");
	return rc;
}

void sb_state_load_tokens(struct sandbox *sb)
{
	sqlite3_stmt *st = NULL;

	if (sb->db == NULL || sqlite3_prepare_v2(sb->db,
	                                         "SELECT key, body FROM kv WHERE ns = 'token' "
	                                         "ORDER BY rowid",
	                                         -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		const char *body = (const char *)sqlite3_column_text(st, 1);

		if (key != NULL && body != NULL)
			token_load(sb, key, body);
	}
	sqlite3_finalize(st);
}
