/*
 * hooks.h - webhooks from the ledgers (docs/events.md "Webhooks in"): the
 * signature check and the reading of an envelope into events, both pure
 * (no store, no clock), so serve's handler is only the glue.
 *
 * Xero signs base64(HMAC-SHA256(webhook key, raw body)) in
 * x-xero-signature; QuickBooks Online the same in intuit-signature, keyed
 * with the app's verifier token.
 */
#ifndef BS_EVENTS_HOOKS_H
#define BS_EVENTS_HOOKS_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * True when `sig` (the header's value, may be NULL) is base64 of
 * HMAC-SHA256 keyed with `key` over body[0..len).  The comparison takes
 * the same time wherever the first difference is.  An empty key never
 * verifies (an unset setting must not accept everything).
 */
bool hooks_verify(const char *key, const char *body, size_t len, const char *sig);

/* One event of an envelope; strings point into the parse (valid during cb). */
struct hooks_event {
	const char *target;   /* "xero:<tenantId>" / "qbo:<realmId>" */
	const char *category; /* INVOICE, CONTACT, CREDITNOTE / Invoice, Payment, Customer, ... */
	const char *resource; /* the record's id */
	const char *identity; /* what makes it this event: hashed into the inbox key */
	const char *json;     /* the event object as text */
	bool contact;         /* a contact (CONTACT, Customer, Vendor), else a document */
};
typedef int (*hooks_event_cb)(void *arg, const struct hooks_event *ev);

/*
 * Read a verified body of `source` ("xero" or "qbo") and hand cb each
 * event it names; a non-zero return from cb stops and is returned.  Xero's
 * intent-to-receive body has no events: BS_OK and cb never called.
 * BS_EINVAL for a body that is not the ledger's envelope.
 */
int hooks_parse(const char *source, const char *body, hooks_event_cb cb, void *arg,
                struct bs_error *err);

#endif
