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

/* "queued", "running", "done", "failed"; and "target", "lock", ... "done". */
const char *api_job_state_name(enum api_job_state s);
const char *api_job_phase_name(enum sync_run_phase p);

/*
 * Job `id` into *out (struct store_job: jobs are stored, store/store.h) and
 * its request (JSON, as submitted) into `request` (may be NULL): a job of
 * this server's queue as it is now, any other as stored (st: the caller's
 * connection).  BS_ENOTFOUND when there is no such job.
 */
int api_jobs_get(struct api_jobs *jobs, struct store *st, int64_t id, struct store_job *out,
                 struct buf *request, struct bs_error *err);

/*
 * Up to limit jobs with id < before (0: from the newest), newest first,
 * each handed to cb as store_jobs_page does, the running job with its
 * progress as it is now.
 */
int api_jobs_list(struct api_jobs *jobs, struct store *st, int64_t before, size_t limit,
                  store_job_cb cb, void *arg, struct bs_error *err);

/*
 * The job object of the wire (docs/openapi.yaml "Job") appended to out
 * (api_h_jobs.c).  request: the job's request JSON (NULL or "" writes {}).
 */
int api_job_json(struct buf *out, const struct store_job *j, const char *request);

/*
 * Submit r as c's caller and answer: 202 with the job and a Location, 409
 * with "job": <id> inside the error when the same sync is queued or
 * running, else the submit's error.  For POST /sync and the resync
 * endpoint (api_data_int.h's area may call it).
 */
void api_jobs_answer(struct api_ctx *c, const struct api_job_req *r, struct http_resp *resp);

/* ---- handlers (api_routes.c) ---- */

/* POST /api/v1/sync (scope sync): {"target","tab","select","all","everything"} */
void api_h_sync(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* GET /api/v1/jobs/{id} (read) */
void api_h_job(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* GET /api/v1/jobs?limit&cursor (read): newest first */
void api_h_jobs(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);

#endif
