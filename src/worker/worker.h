/*
 * worker.h - the fleet's worker: N threads that each claim a due target of
 * any store in a PostgreSQL database (fleet/fleet.h), run the sync jobs a
 * serve handed to the fleet for it (store_job_take, sync/job.h) and, when
 * its time has come, Sync All, and hand it back.  `booksync worker` runs one on its own; `booksync
 * serve --workers N` runs one beside the dashboard (docs/scale-out.md).
 *
 * Each thread has its own connections.  A heartbeat thread renews every
 * lease held, every third of a lease, whatever the syncs are doing: a sync
 * may wait on the ledger's limits far longer than a lease, and only a dead
 * process should lose its targets.  Every ledger call of a Xero target
 * takes a slot of the app-wide budget first (fleet_app_take), so the
 * workers of every machine together keep under Xero's calls a minute for
 * the app.  A worker killed with SIGKILL loses nothing: its leases end and
 * another worker claims the targets; the outbox makes the second try post
 * nothing twice (docs/exactly-once.md).
 *
 * When a target is due again: the store's own schedule.sync_minutes when it
 * is set (the dashboard's schedule, so a store's staff decide how often
 * their books are synced), else every_ms; a failed run is tried again in a
 * minute; a run of jobs alone leaves the schedule as it was; and a job
 * asked of a serve makes the target due at once (fleet_ask).
 */
#ifndef BS_WORKER_WORKER_H
#define BS_WORKER_WORKER_H

#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>

#define WORKER_MAX 64 /* threads in one worker */

struct worker_opts {
	const char *url;  /* the postgresql:// database; copied */
	int concurrency;  /* threads, 1..WORKER_MAX */
	int64_t every_ms; /* a synced target is due again in this, unless its
	                     store's schedule.sync_minutes says otherwise */
	int64_t lease_ms; /* a claim lasts this unless renewed */
	bool once;        /* threads end when no target is due or leased */
	/* how long one minute of schedule.sync_minutes lasts, as serve's
	 * scheduler has it (tests shorten it); 0 = a minute */
	int64_t schedule_unit_ms;
	int64_t (*now_ms)(void); /* the clock */
	/* one line per run ("<store> <target>: ok: posted 3, ..."), and the
	 * errors that stop a thread; called from the worker's threads, one at
	 * a time.  NULL: none. */
	void (*log)(void *arg, const char *line);
	void *log_arg;
};

/* What a worker did, so far. */
struct worker_stats {
	long long posted, failed, calls, app_waits;
	int runs, failed_runs;
	bool fatal; /* a thread stopped on a database error */
};

struct worker;

/*
 * Check the database (the fleet's tables made, new stores' targets added)
 * and start the threads and the heartbeat; the id that names this worker's
 * leases ("<id>/<thread>") is in worker_id.  Errors: BS_EINVAL for bad
 * options, the fleet's errors, BS_ENOMEM.  *out is ended with worker_end.
 */
int worker_start(const struct worker_opts *opts, struct worker **out, struct bs_error *err);

/* This worker's random id (hex).  Owned by w. */
const char *worker_id(const struct worker *w);

/*
 * Ask the threads to stop claiming.  now = false: the syncs running go to
 * their end (a worker stopped by SIGTERM); now = true: they stop before
 * their next ledger call (serve stopping), and the next run sends the rest.
 * Returns at once; worker_end waits.
 */
void worker_stop(struct worker *w, bool now);

/* The figures so far (any thread may be running). */
void worker_stats(struct worker *w, struct worker_stats *out);

/*
 * Wait for every thread (with opts.once they end on their own; otherwise
 * call worker_stop first), put the final figures in *out (may be NULL)
 * and free w.  NULL w: nothing.
 */
void worker_end(struct worker *w, struct worker_stats *out);

#endif
