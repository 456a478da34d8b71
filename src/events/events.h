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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define EVENTS_PAYMENT_APPLIED  "payment.applied"
#define EVENTS_PAYMENT_REVERSED "payment.reversed"
#define EVENTS_DOCUMENT_POSTED  "document.posted"
#define EVENTS_DOCUMENT_FAILED  "document.failed"
#define EVENTS_CONTACT_IMPORTED "contact.imported"

#define EVENTS_WINDOW_S (24 * 3600) /* an event is dead 24 hours into its round */
#define EVENTS_FIRST_S  30          /* the first retry's delay */
#define EVENTS_CAP_S    3600        /* no retry waits longer */
#define EVENTS_SIG_MAX  72          /* "v1=" + 64 hex + NUL, with room */
#define EVENTS_UNIT_ENV "BOOKSYNC_EVENTS_UNIT_MS"
#define EVENTS_HDR_ID   "Booksync-Event-Id"
#define EVENTS_HDR_TIME "Booksync-Timestamp"
#define EVENTS_HDR_SIG  "Booksync-Signature"

/*
 * Pure: the retry schedule.  After the `attempts`-th failed attempt (1 =
 * the first) at now_ms, of an event whose round began at since_ms: the
 * delay doubles from EVENTS_FIRST_S up to EVENTS_CAP_S, with no jitter (one
 * sender, and a schedule a person can predict); the last retry is at the
 * 24-hour mark, and a failure at or after it makes the event dead.
 * unit_ms is how long a schedule minute lasts (60000; less in tests, as
 * serve's $BOOKSYNC_SCHEDULE_UNIT_MS); 0 or less = 60000.
 */
struct events_backoff_in {
	int64_t attempts;
	int64_t since_ms;
	int64_t now_ms;
	int64_t unit_ms;
};
struct events_backoff_out {
	bool dead;
	int64_t next_ms; /* when not dead: the next attempt */
};
struct events_backoff_out events_backoff(const struct events_backoff_in *in);

/*
 * The signature header's value: "v1=" + lower-case hex of HMAC-SHA256 keyed
 * with `secret` over `timestamp` "." body.  out has EVENTS_SIG_MAX bytes.
 * BS_EINVAL for a missing argument.
 */
int events_sign(const char *secret, const char *timestamp, const char *body, size_t len, char *out,
                struct bs_error *err);

/*
 * The body delivered for an event: {"id","type","target","created_ms",
 * "data"} appended to out.  BS_EINVAL when data is not JSON; BS_ENOMEM.
 */
struct store_event;
struct buf;
int events_body(const struct store_event *e, const char *data, struct buf *out,
                struct bs_error *err);

/* What one delivery run did. */
struct events_run {
	int64_t delivered, retried, dead;
};

/*
 * Deliver every event due at now_ms (up to `limit`, 0 = 100) to the
 * setting events.url, signed with events.secret: a 2xx answer marks it
 * delivered, anything else (or no answer) schedules a retry by
 * events_backoff or makes it dead.  `client` is the caller's (one per
 * thread).  Counts add to *run.  Does nothing while events.url is unset.
 * Errors: BS_EINVAL when events.url is set and events.secret is not (no
 * event leaves unsigned); the store's.  An event's failed delivery is not
 * an error.
 */
struct http_client;
int events_deliver_due(struct store *st, struct http_client *client, int64_t now_ms,
                       int64_t unit_ms, size_t limit, struct events_run *run, struct bs_error *err);

/* $BOOKSYNC_EVENTS_UNIT_MS (ms a schedule minute lasts; tests) when a
 * number 1..60000, else 60000. */
int64_t events_unit_ms(void);

/*
 * Add an event of `type` about `target` ("" or NULL: none) carrying
 * `data_json` (a JSON object's text; NULL = "{}"), with a new random id
 * ("evt_" + 32 hex digits), due for delivery at once.  While the setting
 * events.url is unset nothing is added (id_out gets ""): users who do not
 * take events keep no outbox, whichever producer calls.  Joins the caller's
 * store transaction when one is open.  id_out (may be NULL; at least
 * STORE_EVENT_ID_MAX bytes) gets the id.  Errors: BS_EINVAL for a type
 * that is empty or too long, or data that is not a JSON object; the
 * store's own.
 */
int events_emit(struct store *st, const char *type, const char *target, const char *data_json,
                int64_t now_ms, char *id_out, struct bs_error *err);

/*
 * document.posted (posted true) or document.failed about record kind:id
 * on `target`: data {"kind","id","doc_type","reason"} (doc_type and reason
 * left out when NULL or "").  As events_emit: in the caller's transaction,
 * nothing while events.url is unset.
 */
int events_emit_document(struct store *st, bool posted, const char *target, const char *kind,
                         const char *id, const char *doc_type, const char *reason, int64_t now_ms,
                         struct bs_error *err);

#endif
