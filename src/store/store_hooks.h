/*
 * store_hooks.h - the webhook inbox (docs/events.md "Webhooks in"): each
 * event a ledger's webhook brought, kept before serve answers the ledger,
 * so an event the ledger was told it delivered is never lost.
 *
 * An event is known by its key (the caller's: source plus a hash of the
 * event's identity); adding a key already there changes nothing, which is
 * what makes a replayed or repeated delivery harmless.  The backend's
 * functions sit in struct store_events_ops (the events module owns both).
 * Errors as store.h.
 */
#ifndef BS_STORE_STORE_HOOKS_H
#define BS_STORE_STORE_HOOKS_H

#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>

struct store;

/* One inbox event; every string non-NULL, NUL-terminated, the caller's. */
struct store_hook {
	const char *source;   /* "xero", "qbo" */
	const char *key;      /* unique identity, 1..100 characters */
	const char *target;   /* "xero:<tenant>", "qbo:<realm>" */
	const char *category; /* the ledger's: INVOICE, CONTACT, Payment, ... */
	const char *resource; /* the ledger's id of the record changed */
	const char *body;     /* the event as sent (JSON text) */
};

/* How long the inbox keeps an event: long past any ledger's retries, so a
 * replay inside it is still known.  One received later than that is kept
 * again and asks for one more import, which changes nothing
 * (docs/events.md "Webhooks in"). */
#define STORE_HOOK_KEEP_MS (INT64_C(30) * 24 * 60 * 60 * 1000)
/* How many of the oldest events each add looks at to drop: bounded work
 * per webhook, and more than arrive, so the inbox does not grow. */
#define STORE_HOOK_PRUNE 16

/*
 * Keep `h` unless its key is there already: *added says which.  Joins the
 * caller's transaction inside store_begin.  Drops events received more
 * than STORE_HOOK_KEEP_MS before now_ms, among the STORE_HOOK_PRUNE oldest.
 * BS_EINVAL for a missing field or a key that is empty or too long.
 */
int store_hook_add(struct store *st, const struct store_hook *h, int64_t now_ms, bool *added,
                   struct bs_error *err);

/* The number of events in the inbox into *n. */
int store_hooks_count(struct store *st, int64_t *n, struct bs_error *err);

#endif
