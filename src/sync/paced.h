/*
 * paced.h - one ledger call, paced by the governor and retried the one way
 * booksync retries.
 *
 * Every API call booksync makes -- a batch, a lookup, connect's reads --
 * goes through paced_call: wait for the governor, call, tell the governor
 * what the ledger said -- only when it answered: a call with http_status 0
 * teaches the governor nothing, whatever its figures say.  A 429 was not
 * processed, so the same call goes again once Retry-After has passed (the
 * governor holds it); a 5xx or no answer backs off exponentially with
 * jitter and goes again, up to max_attempts.  Anything else is the call's
 * answer.
 */
#ifndef BS_SYNC_PACED_H
#define BS_SYNC_PACED_H

#include "core/error.h"
#include "ledger/ledger.h"
#include "sync/governor.h"

#include <stdint.h>

struct paced {
	struct governor *gov;
	int64_t (*now_ms)(void *clock);
	void (*sleep_ms)(void *clock, int64_t ms);
	void *clock;
	/* before every attempt, e.g. refresh the token; NULL = none.  A
	 * non-zero status stops and is returned. */
	int (*before)(void *arg, struct bs_error *err);
	void *arg;
	/* once the governor has counted a call, before it goes out: keep the
	 * rate window where the next process finds it, so a process killed
	 * mid-call loses none of its calls; NULL = none */
	void (*started)(void *started_arg);
	void *started_arg;
	/* after the governor allows a call: a slot of the app-wide budget the
	 * processes of a fleet share (fleet_app_take), given the governor's
	 * app_per_minute and time_scale; 0 when taken, else ms to wait and ask
	 * again.  NULL = none (one process: the governor's own count). */
	int64_t (*app_take)(void *app_arg, int per_minute, int time_scale);
	void *app_arg;
	int max_attempts; /* on 5xx / no answer; 0 = 6 */
	uint64_t rng;     /* jitter state: seed it non-zero */
	/* counters to add to; each may be NULL */
	uint64_t *calls, *rate_limited, *retries;
};

/* The call itself: fill `call` (the rate-limit figures) and return its status. */
typedef int (*paced_fn)(void *ctx, struct ledger_call *call, struct bs_error *err);

int paced_call(struct paced *p, paced_fn fn, void *ctx, struct bs_error *err);

/* The same for a batch of documents (a push): also paced by the governor's
 * batch_per_minute (QBO's /batch limit). */
int paced_call_batch(struct paced *p, paced_fn fn, void *ctx, struct bs_error *err);

#endif
