/*
 * store_contacts.c - the backend-independent half of store_contacts.h:
 * argument checks, once for every backend.
 */
#include "store/store_contacts.h"

#include "store/store_int.h"

#include <string.h>

static bool status_known(const char *s)
{
	static const char *const known[] = {STORE_CONTACT_IMPORTED, STORE_CONTACT_LINKED,
	                                    STORE_CONTACT_LISTED, STORE_CONTACT_CREATED,
	                                    STORE_CONTACT_DISMISSED};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i]) == 0)
			return true;
	return false;
}

int store_contact_get(struct store *st, const char *target, const char *ledger_id,
                      struct store_contact *out, struct bs_error *err)
{
	if (st == NULL || target == NULL || ledger_id == NULL || out == NULL)
		return bs_error_set(err, BS_EINVAL, "inbound contact: missing argument");
	return st->ops->contacts->get(st, target, ledger_id, out, err);
}

int store_contact_put(struct store *st, const struct store_contact *c, int64_t now_ms,
                      struct bs_error *err)
{
	if (st == NULL || c == NULL)
		return bs_error_set(err, BS_EINVAL, "inbound contact: missing argument");
	if (c->target[0] == '\0' || c->ledger_id[0] == '\0')
		return bs_error_set(err, BS_EINVAL, "inbound contact: empty target or ledger id");
	if (!status_known(c->status))
		return bs_error_set(err, BS_EINVAL, "inbound contact %s: unknown status \"%s\"",
		                    c->ledger_id, c->status);
	if (strcmp(c->side, "customer") != 0 && strcmp(c->side, "supplier") != 0 &&
	    strcmp(c->side, "both") != 0)
		return bs_error_set(err, BS_EINVAL, "inbound contact %s: unknown side \"%s\"",
		                    c->ledger_id, c->side);
	return st->ops->contacts->put(st, c, now_ms, err);
}

int store_contacts_each(struct store *st, const char *target, const char *status,
                        store_contact_cb cb, void *arg, struct bs_error *err)
{
	if (st == NULL || cb == NULL)
		return bs_error_set(err, BS_EINVAL, "inbound contacts: missing argument");
	return st->ops->contacts->each(st, target, status, cb, arg, err);
}
