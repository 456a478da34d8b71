/*
 * contacts_decide.c - a person's decision on a contact the import listed
 * as a likely duplicate (contacts.h): link it, create it anyway, or
 * dismiss it.  One transaction each; the row then says who decided.
 */
#include "inbound/contacts_int.h"

#include <stdio.h>
#include <string.h>

/* The listed row of ledger_id on target into *c, inside the transaction. */
static int listed(struct store *st, const char *target, const char *ledger_id,
                  struct store_contact *c, struct bs_error *err)
{
	int rc = store_contact_get(st, target, ledger_id, c, err);

	if (rc == BS_ENOTFOUND)
		return bs_error_set(
		    err, BS_ENOTFOUND,
		    "no contact %s is listed: run booksync inbound --contacts --list", ledger_id);
	if (rc == BS_OK && strcmp(c->status, STORE_CONTACT_LISTED) != 0)
		rc = bs_error_set(err, BS_ESTATE, "contact %s was decided already: %s%s%s",
		                  ledger_id, c->status, c->record_id[0] != '\0' ? " as " : "",
		                  c->record_id);
	if (rc == BS_OK)
		snprintf(c->decided_by, sizeof(c->decided_by), "cli");
	return rc;
}

static int finish(struct store *st, int rc, struct bs_error *err)
{
	if (rc == BS_OK)
		return store_commit(st, err);
	store_rollback(st);
	return rc;
}

int contacts_decide_link(struct store *st, const char *target, const char *ledger_id,
                         enum record_kind kind, const char *record_id, int64_t now_ms,
                         struct bs_error *err)
{
	struct store_contact c;
	int rc;

	if (kind != RECORD_CUSTOMER && kind != RECORD_SUPPLIER)
		return bs_error_set(err, BS_EINVAL, "a contact links to a customer or a supplier");
	rc = store_begin(st, err);
	if (rc != BS_OK)
		return rc;
	rc = listed(st, target, ledger_id, &c, err);
	if (rc == BS_OK)
		rc = store_record_get(st, kind, record_id, NULL, NULL, err);
	if (rc == BS_OK)
		rc = contacts_apply_link(st, &c, kind, record_id, "a person's decision", now_ms,
		                         err);
	return finish(st, rc, err);
}

int contacts_decide_create(struct store *st, const char *target, const char *ledger_id,
                           int64_t now_ms, struct bs_error *err)
{
	struct store_contact c;
	int rc = store_begin(st, err);

	if (rc != BS_OK)
		return rc;
	rc = listed(st, target, ledger_id, &c, err);
	if (rc == BS_OK) {
		snprintf(c.reason, sizeof(c.reason), "a person's decision");
		rc = contacts_apply_create(st, &c, STORE_CONTACT_CREATED, now_ms, err);
	}
	return finish(st, rc, err);
}

int contacts_decide_dismiss(struct store *st, const char *target, const char *ledger_id,
                            int64_t now_ms, struct bs_error *err)
{
	struct store_contact c;
	int rc = store_begin(st, err);

	if (rc != BS_OK)
		return rc;
	rc = listed(st, target, ledger_id, &c, err);
	if (rc == BS_OK) {
		snprintf(c.status, sizeof(c.status), "%s", STORE_CONTACT_DISMISSED);
		rc = store_contact_put(st, &c, now_ms, err);
	}
	return finish(st, rc, err);
}
