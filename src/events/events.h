/*
 * events.h - events for the source system: what booksync tells the system
 * its records came from (docs/events.md).
 *
 * A producer (the sync, the inbound import) calls events_emit inside the
 * store transaction of the change it reports, so the event exists exactly
 * when the change does.  Delivery to `events.url` happens later, signed,
 * at least once, retried with backoff (src/events/, `booksync events`,
 * `serve`); each event's id lets the receiver drop a repeat.
 *
 * Types (EVENTS_*) name what happened; `data` is a JSON object whose
 * fields each type documents in docs/events.md.
 */
#ifndef BS_EVENTS_EVENTS_H
#define BS_EVENTS_EVENTS_H

#include "core/error.h"

#include <stdint.h>

struct store;

#define EVENTS_PAYMENT_APPLIED  "payment.applied"
#define EVENTS_DOCUMENT_POSTED  "document.posted"
#define EVENTS_DOCUMENT_FAILED  "document.failed"
#define EVENTS_CONTACT_IMPORTED "contact.imported"

/*
 * Add an event of `type` about `target` ("" or NULL: none) carrying
 * `data_json` (a JSON object's text; NULL = "{}"), with a new random id
 * ("evt_" + 32 hex digits), due for delivery at once.  Joins the caller's
 * store transaction when one is open.  id_out (may be NULL; at least
 * STORE_EVENT_ID_MAX bytes) gets the id.  Errors: BS_EINVAL for a type
 * that is empty or too long, or data that is not a JSON object; the
 * store's own.
 */
int events_emit(struct store *st, const char *type, const char *target, const char *data_json,
                int64_t now_ms, char *id_out, struct bs_error *err);

#endif
