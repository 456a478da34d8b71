/*
 * job.h - a sync job as both of its runners see it: what it asks (a
 * target, a tab or Sync All or everything, some records, a resync),
 * resolved against a store, and how a run's progress and end are written
 * into its row (struct store_job, store/store.h).
 *
 * Two runners run jobs: `booksync serve`'s own (api/api_jobs.c), and, when
 * the serve hands its jobs to the fleet (docs/scale-out.md "Jobs go to the
 * fleet"), any fleet worker on any machine (worker/worker.c), which reads
 * the job's request back from the store.  So the request is parsed,
 * checked and turned into sync_run options here, once, for both.
 */
#ifndef BS_SYNC_JOB_H
#define BS_SYNC_JOB_H

#include "core/error.h"
#include "store/store.h"
#include "sync/plan.h"
#include "sync/run.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNC_JOB_MAX_REFS 500 /* records one job may name */

/* What a job is asked, as a request names it. */
struct sync_job_req {
	const char *target; /* NULL = the only connected target */
	const char *tab;    /* a tab or group; NULL with !all/!everything = Sync All */
	bool all;           /* Upload All of `tab` */
	bool everything;
	const char *const *refs; /* "kind:id" or references: Upload Selected / resync */
	size_t nrefs;
	bool resync;
};

/* A request resolved against a store.  Freed with sync_job_spec_free. */
struct sync_job_spec {
	char target[128];
	const char *tab; /* static (tabs_resolve) or NULL */
	bool everything, resync;
	struct plan_ref *refs; /* owned; sorted by id, then kind */
	size_t nrefs;
	char *request; /* owned: the request as JSON, as stored and shown */
	char *key;     /* owned: what makes two jobs the same sync */
};

/*
 * Check r and resolve it on st (read, not written) into *out: the target
 * (the only connected one when r names none), the tab, each record named
 * (it must exist and, with a tab, be on it).  Errors: BS_EINVAL for a
 * request that cannot be (an unknown tab, tab with everything, select
 * without a tab, too many records, a record on another tab), BS_ENOTFOUND
 * for a target or record that is not there, BS_ESTATE when no ledger is
 * connected, BS_ENOMEM.  *out is zeroed first and, on error, freed.
 */
int sync_job_resolve(struct store *st, const struct sync_job_req *r, struct sync_job_spec *out,
                     struct bs_error *err);

/*
 * The same from a stored request (sync_job_spec.request, as a job row
 * keeps it): a worker runs a job another process was asked.  BS_EINVAL
 * for JSON that is not a request; otherwise as sync_job_resolve.
 */
int sync_job_parse(struct store *st, const char *request, struct sync_job_spec *out,
                   struct bs_error *err);

void sync_job_spec_free(struct sync_job_spec *s);

/* What to sync, into o (target, tab, everything, refs, resync); o keeps
 * pointers into s. */
void sync_job_opts(const struct sync_job_spec *s, struct sync_run_opts *o);

/* Whether s is a whole Sync All of its target (or more: everything). */
bool sync_job_is_all(const struct sync_job_spec *s);

/* "target", "lock", "session", "plan", "send", "done". */
const char *sync_job_phase_name(enum sync_run_phase p);

/* A run's progress p into j (phase, posted, failed, calls, total). */
void sync_job_progress(struct store_job *j, const struct sync_progress *p);

/*
 * A run's end into j: state "done" (status BS_OK) or "failed" with msg
 * (NULL: status's words), the phase it reached, the summary, finished at
 * now_ms.
 */
void sync_job_end(struct store_job *j, int status, const struct sync_summary *sum, const char *msg,
                  int64_t now_ms);

#endif
