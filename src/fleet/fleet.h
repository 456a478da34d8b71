/*
 * fleet.h - what many workers on many machines share in one PostgreSQL
 * database: which stores there are, which target of which store is due
 * and who is syncing it (a lease), and the app-wide call budget.
 *
 * Each organisation's store is a schema of the database (store_pg_open.c);
 * the fleet is the schema `booksync_fleet` beside them:
 *
 *   stores(name)                         a store's schema, registered by init
 *   leases(store, target, owner,         one row per target of every store:
 *          expires_ms, next_due_ms,      due when next_due_ms (or asked_ms, a
 *          asked_ms, ...)                sync job waiting) has passed and no
 *                                        lease is running
 *   app_calls(app, at_ms)                the calls of the last window, per app
 *
 * A worker claims the most overdue target whose lease has ended with
 * SELECT ... FOR UPDATE SKIP LOCKED in the transaction that sets its own
 * lease, so two workers never claim one target, and a second worker does
 * not wait for the first's row; it renews the lease while it syncs and
 * hands the target back with its next due time.  A worker killed with
 * SIGKILL renews nothing: once its lease ends, another claims the target.
 * The store's own sync lock (sync/synclock.h) still stands behind the
 * lease: a worker whose lease ran out while it was stalled, and is not
 * dead, keeps the target's sync lock, and the new claimant finds it busy.
 *
 * The app budget is Xero's 10,000 calls a minute for the app across all its
 * tenants: each call takes a slot first (fleet_app_take), in a rolling
 * window kept in app_calls under a transaction lock per app, on the
 * database's clock, so N workers on M machines together never pass it.
 * QBO's limits are per company: its calls take no slot.
 *
 * Times are milliseconds.  The database's clock decides leases and the
 * budget (every worker shares it); `now_ms` arguments are not taken.
 * Errors are bs_status codes with the words in err.  A struct fleet is one
 * connection: one per thread.
 */
#ifndef BS_FLEET_FLEET_H
#define BS_FLEET_FLEET_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fleet;

/* A claimed target. */
struct fleet_lease {
	char store[64];   /* the store's schema */
	char target[128]; /* "xero:<tenant>", "qbo:<realm>" */
	char owner[64];   /* the claimant's id */
	int64_t expires_ms;
	/* its next sync's time had come (a scheduled Sync All is due); false
	 * when only a job asked for it (fleet_ask) */
	bool scheduled;
	int64_t claimed_ms; /* when, on the database's clock */
};

/*
 * Connect to the database at `url` (a postgresql:// address; a schema=
 * parameter in it is ignored) and make the fleet's tables if they are not
 * there.  *out is freed with fleet_close.
 */
int fleet_open(const char *url, struct fleet **out, struct bs_error *err);
void fleet_close(struct fleet *f);

/* Register the store in schema `store` (idempotent). */
int fleet_store_add(struct fleet *f, const char *store, struct bs_error *err);

/* The address of the store `store` under the database address `url`:
 * url with schema=<store> in place of any schema= it had.  out[cap]. */
int fleet_store_url(const char *url, const char *store, char *out, size_t cap);

/*
 * Make a lease row, due now, for every target of every registered store
 * that has none (a store connected since, a new store).  *added says how
 * many.
 */
int fleet_refresh(struct fleet *f, int64_t *added, struct bs_error *err);

/*
 * A sync job of target in store waits for a worker (a serve handed it to
 * the fleet): the target is due in in_ms (0: now; a job given back
 * because another process holds the target's sync lock is retried a
 * little later, not in a loop), whatever its next sync's time, and
 * the claim says it was asked (fleet_lease.scheduled false unless that
 * time has come too).  The asking is answered by the release of a claim
 * made after it; a worker that dies leaves it standing, so the job's
 * target is claimed again once the lease ends.  The store is registered
 * and the lease row made if they are not there.
 */
int fleet_ask(struct fleet *f, const char *store, const char *target, int64_t in_ms,
              struct bs_error *err);

/*
 * Claim the most overdue target whose lease has ended, for lease_ms, as
 * `owner`.  BS_OK with *out filled, or BS_ENOTFOUND when none is due
 * (*next_in_ms, if not NULL: how long until the next one is, or -1 when
 * there are no targets at all).
 */
int fleet_claim(struct fleet *f, const char *owner, int64_t lease_ms, struct fleet_lease *out,
                int64_t *next_in_ms, struct bs_error *err);

/* How many targets are due or being synced now (*n). */
int fleet_busy(struct fleet *f, int64_t *n, struct bs_error *err);

/* Move the lease's end to lease_ms from now.  BS_ECONFLICT when it is no
 * longer this owner's (it ran out and another claimed the target). */
int fleet_renew(struct fleet *f, struct fleet_lease *l, int64_t lease_ms, struct bs_error *err);

/*
 * Hand the target back: its lease ends now and it is due again in
 * next_in_ms (< 0: when it was due before the claim: a run of jobs alone
 * leaves the schedule as it was).  `result` (short text: "ok", the error)
 * is kept for the operator.  An asking (fleet_ask) made before the claim
 * is answered; one made since stands.  Only the owner's lease is touched.
 */
int fleet_release(struct fleet *f, const struct fleet_lease *l, int64_t next_in_ms,
                  const char *result, struct bs_error *err);

/*
 * Take one call's slot of app `app`'s budget of `limit` calls in any
 * window of window_ms.  *wait_ms is 0 when taken, else how long until a
 * slot frees (ask again then).
 */
int fleet_app_take(struct fleet *f, const char *app, int limit, int64_t window_ms, int64_t *wait_ms,
                   struct bs_error *err);

/*
 * A sync's app_take (sync/run.h): one slot of Xero's app budget for one
 * call, over the fleet connection `f` (the arg), in the governor's terms
 * (its app calls a minute and its time scale).  The window is a twentieth
 * longer than the ledger's minute: a call is counted when its slot is
 * taken and reaches the ledger a little later.  Returns 0 when taken (or
 * when per_minute is 0: no app limit), else the ms to wait before asking
 * again.  A database failure lets the call go: the caller's own governor
 * still paces its share.
 */
int64_t fleet_sync_app_take(void *f, int per_minute, int time_scale);

/* What a lease row says, for `booksync worker --status`. */
struct fleet_row {
	const char *store, *target, *owner, *result;
	int64_t expires_in_ms, due_in_ms, runs; /* due: scheduled, or asked if sooner */
	bool asked;                             /* a sync job waits for it (fleet_ask) */
};
typedef int (*fleet_row_cb)(void *arg, const struct fleet_row *row);
int fleet_each(struct fleet *f, fleet_row_cb cb, void *arg, struct bs_error *err);

#endif
