/*
 * contacts_apply.c - applying one contact decision in the caller's store
 * transaction (contacts_int.h): the record made or linked, its link to the
 * ledger id, its state (posted, so the outbound sync never sends it), the
 * decision row and the contact.imported event.
 */
#include "inbound/contacts_int.h"

#include "core/jsonw.h"
#include "events/events.h"
#include "model/sync_state.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define LINK_TYPE "Contact" /* the ledger document type contacts link as */

/* The event's data (docs/inbound-contacts.md "Events"). */
static int emit(struct store *st, const struct store_contact *c, int64_t now_ms,
                struct bs_error *err)
{
	struct buf d;
	int rc;

	buf_init(&d, 8192);
	rc = buf_addc(&d, '{');
	if (rc == BS_OK)
		rc = jsonw_kv_str(&d, 0, "ledger_id", c->ledger_id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&d, 1, "action", c->status);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&d, 1, "kind", c->record_kind);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&d, 1, "id", c->record_id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&d, 1, "name", c->name);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&d, 1, "email", c->email);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&d, 1, "tax_number", c->tax_number);
	if (rc == BS_OK)
		rc = jsonw_kv_str(&d, 1, "reason", c->reason);
	if (rc == BS_OK)
		rc = buf_addc(&d, '}');
	if (rc == BS_OK)
		rc = events_emit(st, EVENTS_CONTACT_IMPORTED, c->target, buf_cstr(&d), now_ms, NULL,
		                 err);
	else
		rc = bs_error_set(err, rc, "contact %s: event data too long", c->ledger_id);
	buf_free(&d);
	return rc;
}

/* Link and mark posted: the outbound sync then sees the record as synced. */
static int link_posted(struct store *st, const struct store_contact *c, enum record_kind kind,
                       const char *id, const char *why, int64_t now_ms, struct bs_error *err)
{
	struct store_actor who = {"inbound", now_ms};
	int rc = store_link_set(st, c->target, kind, id, LINK_TYPE, c->ledger_id, "", now_ms, err);

	if (rc == BS_OK)
		rc =
		    store_state_apply(st, kind, id, c->target, SYNC_EV_PLAN, NULL, &who, NULL, err);
	if (rc == BS_OK)
		rc = store_state_apply(st, kind, id, c->target, SYNC_EV_POSTED, why, &who, NULL,
		                       err);
	return rc;
}

/* The ledger's name: the target's part before ':'. */
static void ledger_name(const char *target, char *out, size_t cap)
{
	size_t n = strcspn(target, ":");

	snprintf(out, cap, "%.*s", (int)n, target);
}

int contacts_apply_create(struct store *st, struct store_contact *c, const char *status,
                          int64_t now_ms, struct bs_error *err)
{
	enum record_kind kind =
	    strcmp(c->side, "supplier") == 0 ? RECORD_SUPPLIER : RECORD_CUSTOMER;
	struct store_actor who = {"inbound", now_ms};
	struct record_ctx ctx = {NULL};
	struct json_object *o = NULL;
	struct record r;
	char ledger[32], id[RECORD_ID_MAX + 1];
	enum store_put_result res;
	int rc, n;

	record_init(&r);
	ledger_name(c->target, ledger, sizeof(ledger));
	n = snprintf(id, sizeof(id), "%s-%s", ledger, c->ledger_id);
	if (n < 0 || (size_t)n >= sizeof(id)) {
		rc = bs_error_set(err, BS_EINVAL, "contact %s: its id is too long for a record",
		                  c->ledger_id);
		goto out;
	}
	if (store_record_get(st, kind, id, NULL, NULL, NULL) == BS_OK) {
		rc = bs_error_set(err, BS_ECONFLICT, "contact %s: %s %s exists already",
		                  c->ledger_id, record_kind_name(kind), id);
		goto out;
	}
	o = json_object_new_object();
	if (o == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	json_object_object_add(o, "kind", json_object_new_string(record_kind_name(kind)));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "name", json_object_new_string(c->name));
	if (c->email[0] != '\0')
		json_object_object_add(o, "email", json_object_new_string(c->email));
	if (c->tax_number[0] != '\0')
		json_object_object_add(o, "tax_number", json_object_new_string(c->tax_number));
	rc = record_from_json(o, &ctx, &r, err);
	if (rc == BS_OK)
		rc = store_record_put(st, &r, &who, &res, err);
	if (rc == BS_OK)
		rc = link_posted(st, c, kind, id, "imported from the ledger", now_ms, err);
	if (rc != BS_OK)
		goto out;
	snprintf(c->status, sizeof(c->status), "%s", status);
	snprintf(c->record_kind, sizeof(c->record_kind), "%s", record_kind_name(kind));
	snprintf(c->record_id, sizeof(c->record_id), "%s", id);
	rc = store_contact_put(st, c, now_ms, err);
	if (rc == BS_OK)
		rc = emit(st, c, now_ms, err);
out:
	json_object_put(o);
	record_release(&r);
	return rc;
}

int contacts_apply_link(struct store *st, struct store_contact *c, enum record_kind kind,
                        const char *id, const char *reason, int64_t now_ms, struct bs_error *err)
{
	struct store_link l;
	char why[192];
	int rc = store_link_get(st, c->target, kind, id, LINK_TYPE, &l, NULL);

	if (rc == BS_OK && l.ledger_id[0] != '\0')
		return bs_error_set(err, BS_ECONFLICT, "%s %s is linked to %s already",
		                    record_kind_name(kind), id, l.ledger_id);
	if (rc != BS_OK && rc != BS_ENOTFOUND)
		return bs_error_set(err, rc, "%s %s: its link could not be read",
		                    record_kind_name(kind), id);
	snprintf(why, sizeof(why), "linked to the ledger's contact (%s)", reason);
	rc = link_posted(st, c, kind, id, why, now_ms, err);
	if (rc != BS_OK)
		return rc;
	snprintf(c->status, sizeof(c->status), "%s", STORE_CONTACT_LINKED);
	snprintf(c->record_kind, sizeof(c->record_kind), "%s", record_kind_name(kind));
	snprintf(c->record_id, sizeof(c->record_id), "%s", id);
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	rc = store_contact_put(st, c, now_ms, err);
	if (rc == BS_OK)
		rc = emit(st, c, now_ms, err);
	return rc;
}
