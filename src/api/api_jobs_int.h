/*
 * api_jobs_int.h - the job runner as the endpoints see it, and the handlers
 * of the sync, job, connection and metrics endpoints (see api_int.h for the
 * handler contract and api_routes.c for their paths).
 *
 * api_int.h declares the runner's start, stop and submit; this header adds
 * what only this area's endpoints need: reading a job back.
 */
#ifndef BS_API_API_JOBS_INT_H
#define BS_API_API_JOBS_INT_H

#include "api/api_int.h"
#include "sync/run.h"

/* One job as GET /api/v1/jobs/{id} shows it.  Plain data. */
struct api_job {
	int64_t id;
	char target[128];
	char origin[16]; /* "api", "dashboard", "schedule" */
	enum api_job_state state;
	enum sync_run_phase phase;
	uint64_t posted, failed, calls, total; /* progress so far */
	bool has_summary;                      /* set once the job has ended */
	uint64_t s_posted, s_failed, s_skipped, s_waiting, s_calls;
	char message[BS_ERROR_MSG_MAX];              /* why it failed, or what it waits for */
	int64_t created_ms, started_ms, finished_ms; /* Unix ms; 0 = not yet */
};

/* "queued", "running", "done", "failed"; and "target", "lock", ... "done". */
const char *api_job_state_name(enum api_job_state s);
const char *api_job_phase_name(enum sync_run_phase p);

/*
 * Job `id` into *out and its request (JSON, as submitted) into `request`
 * (may be NULL).  BS_ENOTFOUND when there is no such job.
 */
int api_jobs_get(struct api_jobs *jobs, int64_t id, struct api_job *out, struct buf *request,
                 struct bs_error *err);

/*
 * The job object of the wire (docs/openapi.yaml "Job") appended to out.
 * request: the job's request JSON (NULL or "" writes {}).
 */
int api_job_json(struct buf *out, const struct api_job *j, const char *request);

/* Handlers are added here, one declaration each, as they are written. */

#endif
