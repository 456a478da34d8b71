/*
 * contacts_int.h - inside the contact import (src/inbound/contacts*.c):
 * applying one decision, shared by the run (contacts_run.c) and a
 * person's decisions (contacts_decide.c).
 */
#ifndef BS_INBOUND_CONTACTS_INT_H
#define BS_INBOUND_CONTACTS_INT_H

#include "inbound/contacts.h"
#include "store/store_contacts.h"

/*
 * Inside the caller's transaction: make c (its target, ledger id, side,
 * name, e-mail and tax number set) a new customer -- a supplier when its
 * side is "supplier" -- with id "<ledger>-<ledger id>", link it to the
 * ledger id as posted, write c with `status` (imported or created) and the
 * record, and emit its event.  BS_ECONFLICT when that id is taken; the
 * record's validation errors (BS_EINVAL, ...); the store's.
 */
int contacts_apply_create(struct store *st, struct store_contact *c, const char *status,
                          int64_t now_ms, struct bs_error *err);

/*
 * Inside the caller's transaction: link record kind:id to c's ledger id on
 * c's target (posted, no new record), write c as linked with `reason`, and
 * emit the event.  BS_ECONFLICT when the record is linked already there;
 * BS_ESTATE when its state forbids (queued, consolidated); the store's.
 */
int contacts_apply_link(struct store *st, struct store_contact *c, enum record_kind kind,
                        const char *id, const char *reason, int64_t now_ms, struct bs_error *err);

#endif
