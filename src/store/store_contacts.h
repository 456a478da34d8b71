/*
 * store_contacts.h - the ledger contacts the contact import decided on
 * (docs/inbound-contacts.md): imported, linked, listed for a person, or
 * decided by one.  One row per (target, ledger id), so a re-run neither
 * imports nor lists a contact twice.  The decisions themselves are
 * src/inbound/'s; the store keeps and finds.  Errors as store.h.
 */
#ifndef BS_STORE_STORE_CONTACTS_H
#define BS_STORE_STORE_CONTACTS_H

#include "core/error.h"
#include "model/record.h"
#include "store/store.h"

#include <stdint.h>

/* What became of a ledger contact. */
#define STORE_CONTACT_IMPORTED  "imported"  /* a new record, by the run */
#define STORE_CONTACT_LINKED    "linked"    /* linked to a record booksync had */
#define STORE_CONTACT_LISTED    "listed"    /* a likely duplicate awaiting a person */
#define STORE_CONTACT_CREATED   "created"   /* imported anyway, by a person */
#define STORE_CONTACT_DISMISSED "dismissed" /* a person said: leave it */

/* One row.  Strings are NUL-terminated and owned by the struct. */
struct store_contact {
	char target[128];
	char ledger_id[STORE_LEDGER_ID_MAX];
	char side[12]; /* "customer", "supplier", "both" */
	char name[256];
	char email[256];
	char tax_number[64];
	char status[12];      /* STORE_CONTACT_* */
	char record_kind[16]; /* record_kind_name(); "" when none */
	char record_id[RECORD_ID_MAX + 1];
	char reason[128];    /* why listed or linked */
	char decided_by[16]; /* "inbound" or "cli" */
	int64_t created_ms, updated_ms;
};

/* Row (target, ledger_id) into *out; BS_ENOTFOUND when there is none. */
int store_contact_get(struct store *st, const char *target, const char *ledger_id,
                      struct store_contact *out, struct bs_error *err);

/*
 * Write c (insert, or replace the row with its target and ledger id; the
 * first created_ms is kept).  Joins the caller's transaction.  BS_EINVAL
 * for an empty target or ledger id or an unknown status.
 */
int store_contact_put(struct store *st, const struct store_contact *c, int64_t now_ms,
                      struct bs_error *err);

/* Every row of target (NULL: every target) with status (NULL: any), by
 * target then ledger id.  A non-zero return from cb stops the walk and is
 * returned.  The row is valid during the call only. */
typedef int (*store_contact_cb)(void *arg, const struct store_contact *c);
int store_contacts_each(struct store *st, const char *target, const char *status,
                        store_contact_cb cb, void *arg, struct bs_error *err);

#endif
