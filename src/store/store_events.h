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

#include "core/buf.h"
#include "core/error.h"

#include <stddef.h>

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
	int64_t since_ms; /* the current round of attempts began (created or re-delivered) */
	char last_error[200];
};

/* One event handed to a walk: the row and its data (valid during the call). */
typedef int (*store_event_cb)(void *arg, const struct store_event *e, const char *data);

/*
 * Add a pending event, due at once: `id` (1..STORE_EVENT_ID_MAX-1
 * characters, unique: BS_ECONFLICT when taken), `type` (1..
 * STORE_EVENT_TYPE_MAX-1 characters), `target` ("" for none) and `data`, a
 * JSON object's text, copied.  Inside store_begin it joins the caller's
 * transaction.  *seq (may be NULL) gets the event's place in the order.
 */
int store_event_add(struct store *st, const char *id, const char *type, const char *target,
                    const char *data, int64_t now_ms, int64_t *seq, struct bs_error *err);

/*
 * Hand cb each pending event due at now_ms (next_ms <= now_ms), oldest
 * first, up to `limit` (0 = all).  A non-zero return from cb stops the
 * walk and is returned.  Read only.
 */
int store_events_due(struct store *st, int64_t now_ms, size_t limit, store_event_cb cb, void *arg,
                     struct bs_error *err);

/*
 * Hand cb the events in `state` ("pending", "delivered", "dead"; NULL =
 * every one), newest first, up to `limit` (0 = all).  BS_EINVAL for
 * another state.
 */
int store_events_list(struct store *st, const char *state, size_t limit, store_event_cb cb,
                      void *arg, struct bs_error *err);

/* The event `id` into *out and its data into `data` (may be NULL).
 * BS_ENOTFOUND when there is none. */
int store_event_get(struct store *st, const char *id, struct store_event *out, struct buf *data,
                    struct bs_error *err);

/*
 * Record an attempt at event `id`: `outcome` "delivered" (delivered_ms =
 * now_ms), "pending" (a retry due at next_ms) or "dead" (no more tries);
 * attempts grows by one and last_error (may be NULL) is kept, cut to fit.
 * Only a pending event changes: BS_ENOTFOUND when `id` is not one (a
 * re-delivery or another deliverer got there first).
 */
int store_event_attempt(struct store *st, const char *id, const char *outcome, int64_t now_ms,
                        int64_t next_ms, const char *last_error, struct bs_error *err);

/*
 * Make dead event `id` (NULL: every dead one) pending again, due at now_ms
 * with a new 24-hour round (since_ms = now_ms, attempts 0).  *n (may be
 * NULL) gets how many changed; BS_ENOTFOUND when `id` is given and is not
 * a dead event.
 */
int store_event_redeliver(struct store *st, const char *id, int64_t now_ms, int64_t *n,
                          struct bs_error *err);

#endif
