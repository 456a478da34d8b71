/*
 * qbo_reactivate.c - a name QuickBooks Online still holds for an inactive
 * customer, vendor or item (qbo_int.h, docs/mapping-qbo.md "Inactive
 * names").
 *
 * QBO "deletes" a name-list entry by making it inactive; its name stays
 * taken, so creating the record booksync has under that name is refused
 * with 6240, and a lookup by name finds nothing (a query lists active
 * entries only).  The record and the inactive entry are the same thing to
 * the person who made it inactive, and booksync needs it again: it is made
 * active (a sparse update of Active alone, its other fields as they were)
 * and linked.
 */
#include "ledger/qbo/qbo.h"
#include "ledger/qbo/qbo_int.h"
#include "ledger/qbo/qbo_paper.h"

#include "core/jsonr.h"
#include "core/jsonw.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* The first entry of `entity` in a QueryResponse answer, or NULL. */
static struct json_object *first_of(struct json_object *root, const char *entity)
{
	struct json_object *qr, *arr;

	if (!json_object_object_get_ex(root, "QueryResponse", &qr) ||
	    !json_object_object_get_ex(qr, entity, &arr) ||
	    !json_object_is_type(arr, json_type_array) || json_object_array_length(arr) == 0)
		return NULL;
	return json_object_array_get_idx(arr, 0);
}

int qbo_reactivate(struct qbo_conn *q, enum ledger_doc_type type, struct ledger_elem *e,
                   struct ledger_call *call, struct bs_error *err)
{
	const char *entity = qbo_entity_of(type, e->doc), *field, *party, *id, *token;
	struct json_object *root = NULL, *ans = NULL, *twin, *got;
	struct buf key, stmt, path, body, out;
	char lower[32];
	int rc;

	ledger_call_init(call);
	buf_init(&key, 4096);
	buf_init(&stmt, 8192);
	buf_init(&path, 16384);
	buf_init(&body, 1024);
	buf_init(&out, (size_t)4 << 20);
	if ((type != LEDGER_CONTACT && type != LEDGER_ITEM) || entity == NULL ||
	    qbo_natural_key(type, e->doc, &field, &key, &party) != BS_OK) {
		rc = BS_ENOTFOUND;
		goto out;
	}
	rc = buf_printf(&stmt, "select * from %s where %s = ", entity, field);
	if (rc == BS_OK)
		rc = qbo_quoted(&stmt, buf_cstr(&key));
	if (rc == BS_OK)
		rc = buf_addstr(&stmt, " and Active = false");
	if (rc == BS_OK)
		rc = qbo_query_path(&path, buf_cstr(&stmt));
	if (rc == BS_OK)
		rc = qbo_call(q, "GET", buf_cstr(&path), NULL, &out, call, err);
	if (rc != BS_OK)
		goto out;
	root = json_tokener_parse(buf_cstr(&out));
	twin = root != NULL ? first_of(root, entity) : NULL;
	id = twin != NULL ? jsonr_str(twin, "Id") : NULL;
	token = twin != NULL ? jsonr_str(twin, "SyncToken") : NULL;
	if (id == NULL || token == NULL) {
		rc = BS_ENOTFOUND; /* no inactive twin: the refusal stands */
		goto out;
	}
	/* a sparse update of Active alone: everything else as the person left it */
	rc = buf_addstr(&body, "{\"Id\":");
	if (rc == BS_OK)
		rc = jsonw_str(&body, id);
	if (rc == BS_OK)
		rc = buf_addstr(&body, ",\"SyncToken\":");
	if (rc == BS_OK)
		rc = jsonw_str(&body, token);
	if (rc == BS_OK)
		rc = buf_addstr(&body, ",\"sparse\":true,\"Active\":true}");
	snprintf(lower, sizeof(lower), "%s", entity);
	for (char *c = lower; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	buf_reset(&path);
	if (rc == BS_OK)
		rc = buf_printf(&path, "/%s?minorversion=%s", lower, QBO_MINORVERSION);
	if (rc == BS_OK) {
		struct ledger_call c;
		size_t bytes = call->request_bytes;

		buf_reset(&out);
		rc = qbo_call(q, "POST", buf_cstr(&path), buf_cstr(&body), &out, &c, err);
		c.request_bytes += bytes;
		*call = c;
	}
	if (rc != BS_OK)
		goto out;
	ans = json_tokener_parse(buf_cstr(&out));
	if (ans == NULL || !json_object_object_get_ex(ans, entity, &got) ||
	    jsonr_str(got, "Id") == NULL || strcmp(jsonr_str(got, "Id"), id) != 0) {
		rc = bs_error_set(err, BS_EPROTO, "QuickBooks did not make %s %s active: %.200s",
		                  entity, id, buf_cstr(&out));
		goto out;
	}
	snprintf(e->id, sizeof(e->id), "%s", id);
	snprintf(e->version, sizeof(e->version), "%s",
	         jsonr_str(got, "SyncToken") != NULL ? jsonr_str(got, "SyncToken") : "");
	e->status = BS_OK;
	e->refusal = LEDGER_REFUSAL_NONE;
	e->warned = false;
	buf_reset(&e->message);
out:
	json_object_put(root);
	json_object_put(ans);
	buf_free(&key);
	buf_free(&stmt);
	buf_free(&path);
	buf_free(&body);
	buf_free(&out);
	return rc;
}
