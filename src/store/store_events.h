/*
 * store_events.h - the outbox of events for the source system (docs/
 * events.md): what booksync tells the system the records came from
 * (a payment applied, a document posted or failed, a contact imported).
 *
 * An event is added in the same transaction as the change it tells of, so
 * neither is kept without the other, and delivered later by src/events/
 * (at least once; the receiver drops a repeat by its id).  The store keeps
 * and finds; ids, signing and the retry schedule are the events module's
 * business.  Errors as store.h.
 */
#ifndef BS_STORE_STORE_EVENTS_H
#define BS_STORE_STORE_EVENTS_H

#include "core/error.h"

#include <stdint.h>

struct store;

#define STORE_EVENT_ID_MAX   40 /* "evt_" + 32 hex + NUL, with room */
#define STORE_EVENT_TYPE_MAX 40

/* One event as stored.  Strings are NUL-terminated and owned by the row. */
struct store_event {
	int64_t seq; /* delivery order, from 1 */
	char id[STORE_EVENT_ID_MAX];
	char type[STORE_EVENT_TYPE_MAX];
	char target[80];
	int64_t created_ms;
	char state[12]; /* "pending", "delivered", "dead" */
	int64_t attempts;
	int64_t next_ms;
	int64_t delivered_ms;
};

/*
 * Add a pending event, due at once: `id` (1..STORE_EVENT_ID_MAX-1
 * characters, unique: BS_ECONFLICT when taken), `type` (1..
 * STORE_EVENT_TYPE_MAX-1 characters), `target` ("" for none) and `data`, a
 * JSON object's text, copied.  Inside store_begin it joins the caller's
 * transaction.  *seq (may be NULL) gets the event's place in the order.
 */
int store_event_add(struct store *st, const char *id, const char *type, const char *target,
                    const char *data, int64_t now_ms, int64_t *seq, struct bs_error *err);

#endif
