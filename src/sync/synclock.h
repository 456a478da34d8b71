/*
 * synclock.h - one sync of a target at a time.
 *
 * Two syncs of one target at once would each plan and send the same
 * records: the ledger ends right (its number uniqueness refuses the second
 * copy) but each process reports the other's documents as failures.  So a
 * sync holds its target's lock in the store ("sync:<target>",
 * store_lock_take) from before it opens its session (whose token refresh
 * rotates the refresh token: two at once would spoil it) to its end.
 *
 * The holder is named by a random id per process, its host and pid, and
 * holds a lease it renews as it works.  A holder killed with SIGKILL does
 * not block the next sync: on the same host a holder whose pid no longer
 * runs (or is a zombie) is gone at once; a holder elsewhere, or whose pid
 * was reused, is gone when its lease ends.  A dry run writes nothing and
 * takes no lock.
 */
#ifndef BS_SYNC_SYNCLOCK_H
#define BS_SYNC_SYNCLOCK_H

#include "core/error.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* How long a lease lasts unless renewed; renewed after a quarter of it. */
#define SYNCLOCK_LEASE_MS (INT64_C(5) * 60 * 1000)

/* A held (or not) sync lock.  Plain data: lives in the caller; zeroed, it
 * is not held. */
struct synclock {
	struct store *st;
	char name[160];
	struct store_lock me;
	int64_t renewed_ms; /* when the lease was last moved on */
	bool held;
};

/*
 * Take target's sync lock for this process at now_ms.  BS_EBUSY, with
 * "another sync of TARGET is running (process PID on HOST, for N s); try
 * again when it has finished", while a live process holds it; store errors
 * (BS_EBUSY among them, the store itself locked) otherwise.  Release with
 * synclock_release, also after a failure (a no-op then).
 */
int synclock_take(struct synclock *lk, struct store *st, const char *target, int64_t now_ms,
                  struct bs_error *err);

/*
 * Heartbeat, cheap to call before every ledger call: when a quarter of the
 * lease has passed since the last renewal, move it on.  BS_EBUSY when
 * another process took the lock meanwhile (this one's lease had lapsed):
 * the sync must stop.  BS_OK otherwise (a store error while renewing is
 * left for the next call to retry: most of the lease is still to run).
 */
int synclock_renew(struct synclock *lk, int64_t now_ms, struct bs_error *err);

/* Give the lock up; nothing when it is not held. */
void synclock_release(struct synclock *lk);

/*
 * Whether holder's process is gone as this host sees it: on this host and
 * its pid not running, or a zombie.  A holder on another host is never
 * gone here (its lease decides).  Public for tests.
 */
bool synclock_holder_gone(const struct store_lock *holder);

#endif
