/*
 * run.h - one sync of a target: the library call behind `sync`, `resync`
 * and (later) `serve`.
 *
 * sync_run picks the target, takes its sync lock (sync/synclock.h; a dry
 * run takes none), opens its session (sync/session.h), plans the records
 * the options cover into the outbox (sync/plan.h) and dispatches it
 * (sync/dispatch.h); when the ledger had voided or deleted documents that
 * were to be updated, those records were reset and are planned and sent
 * once more.  Nothing is printed: what happens reaches the caller through
 * callbacks, the figures through struct sync_summary.
 */
#ifndef BS_SYNC_RUN_H
#define BS_SYNC_RUN_H

#include "core/error.h"
#include "store/store.h"
#include "sync/dispatch.h"
#include "sync/plan.h"

#include <stdbool.h>
#include <stdint.h>

/* Where a run is, or where it stopped. */
enum sync_run_phase {
	SYNC_PHASE_TARGET,  /* choosing the target, reading its settings */
	SYNC_PHASE_LOCK,    /* taking the target's sync lock */
	SYNC_PHASE_SESSION, /* credentials, client, token */
	SYNC_PHASE_PLAN,    /* planning into the outbox */
	SYNC_PHASE_SEND,    /* dispatching the outbox */
	SYNC_PHASE_DONE,
};

/* What a progress callback is told. */
struct sync_progress {
	enum sync_run_phase phase;      /* SYNC_PHASE_PLAN as a plan starts, SYNC_PHASE_SEND
	                                   after each request */
	uint64_t posted, failed, calls; /* so far, in this run's dispatch */
};

struct sync_run_opts {
	const char *db_path; /* the store's path: the credentials' key file is beside it */
	const char *target;  /* "xero:<tenant>"; NULL = the only connected target */
	/* what to plan (struct plan_opts): a tab or group, NULL with
	 * !everything = Sync All; or just refs[0..nrefs) (re-sent now: resync) */
	const char *tab;
	bool everything;
	const struct plan_ref *refs;
	size_t nrefs;
	bool resync;
	bool dry_run; /* plan and report only: nothing sent, saved or locked */
	/* "YYYY-MM-DD": the day that decides whether a consolidation period has
	 * ended (plan_opts.today); NULL: the UTC date of now_ms */
	const char *today;
	int64_t (*now_ms)(void); /* the clock: time enters from the caller */
	/*
	 * Callbacks, each may be NULL; strings are valid during the call.
	 * on_doc: every planned document (what a dry run shows).
	 * on_record: every record that was not planned or did not post, with
	 * why: SYNC_SKIPPED, SYNC_WAITING, or SYNC_ERROR (the ledger's words).
	 * on_progress: as each plan starts and after each request; BS_OK goes
	 * on, any other status (and message in err) stops the run before its
	 * next ledger call, and sync_run returns it.
	 */
	void (*on_doc)(void *arg, enum record_kind kind, const char *id, const char *doc_type,
	               const char *op, const char *body);
	void (*on_record)(void *arg, enum record_kind kind, const char *id, enum sync_state state,
	                  const char *reason);
	int (*on_progress)(void *arg, const struct sync_progress *p, struct bs_error *err);
	void *arg;
	/* A slot of an app-wide call budget before each ledger call, shared by
	 * the workers of a fleet (struct paced's app_take; fleet/fleet.h).
	 * NULL: on a PostgreSQL store (a fleet's), for a ledger with an app
	 * limit, the run takes its slots through a fleet connection of its own
	 * (fleet_sync_app_take), so a `sync` or a serve's job shares the
	 * budget with the workers; elsewhere this process's governor alone
	 * paces the app. */
	int64_t (*app_take)(void *app_arg, int per_minute, int time_scale);
	void *app_arg;
};

/* What a run did.  Plain data. */
struct sync_summary {
	char target[128];          /* the target synced ("" before it was chosen) */
	enum sync_run_phase phase; /* SYNC_PHASE_DONE, or the phase that failed */
	struct plan_stats plan;    /* both plans' figures when it planned twice */
	struct dispatch_stats sent;
};

/*
 * Run one sync on the open store `st`; *sum is filled whatever happens
 * (sum->phase says how far it got).  BS_OK when the run went through --
 * records may still have failed: sum->plan.failed, sum->sent.failed and
 * on_record say which.  Errors, by phase:
 *   TARGET   BS_EAUTH no ledger is connected; BS_ENOTFOUND / BS_EINVAL no
 *            such target, or several and none named; store errors;
 *   LOCK     BS_EBUSY another sync of the target is running; store errors;
 *   SESSION  BS_EAUTH not connected or the token refused, BS_ENET;
 *   PLAN     store errors (nothing half-planned);
 *   SEND     as dispatch_run (BS_EAUTH, BS_ENET, BS_EPROTO, store errors),
 *            BS_EBUSY when the lock was lost, or on_progress's status.
 */
int sync_run(struct store *st, const struct sync_run_opts *opts, struct sync_summary *sum,
             struct bs_error *err);

#endif
