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
#include "store/store.h"
#include "sync/run.h"

#include <pthread.h>

/* "queued", "running", "done", "failed" (a phase's name: sync_job_phase_name). */
const char *api_job_state_name(enum api_job_state s);

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

/* How many of this server's jobs are queued and running now; when its
 * jobs go to the fleet, how many of the store's fleet jobs are (read on
 * the caller's connection st). */
void api_jobs_counts(struct api_jobs *jobs, struct store *st, int64_t *queued, int64_t *running);

/*
 * The job object of the wire (docs/openapi.yaml "Job") appended to out
 * (api_h_jobs.c).  request: the job's request JSON (NULL or "" writes {}).
 */
int api_job_json(struct buf *out, const struct store_job *j, const char *request);

/* Submit r on the caller's store connection st (the scheduler's); as
 * api_jobs_submit. */
int api_jobs_submit_on(struct api_jobs *jobs, struct store *st, const struct api_job_req *r,
                       int64_t *job_id, struct bs_error *err);

/* The monotonic clock in ms, and a wait on cv for at most ms (mu held);
 * the runner's conditions use CLOCK_MONOTONIC. */
int64_t api_mono_ms(void);
void api_cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms);

/* ---- the scheduler (api_sched.c) ---- */

/*
 * Every schedule.sync_minutes (read each time: a change counts without a
 * restart; 0 = off), a Sync All job of origin "schedule" for each
 * connected target, skipped while the same job is queued or running.  The
 * scheduler has its own store connection on db_path.  One minute lasts
 * $BOOKSYNC_SCHEDULE_UNIT_MS ms when that is set (tests; docs/serve.md).
 * With ao->sync_by_workers the syncs are the fleet's (worker/worker.h
 * reads the same setting): the scheduler runs only the inbound imports.
 */
struct api_sched;
int api_sched_start(struct api_jobs *jobs, const struct api_opts *ao, struct api_sched **out,
                    struct bs_error *err);
void api_sched_stop(struct api_sched *s);

/* Whether target has credentials in the store (it is connected). */
bool api_target_connected(struct store *st, const char *target);

/* ---- connections (api_h_connections.c) ---- */

/* Forget srv's pending connect attempts (their secrets wiped): at stop. */
void api_connect_forget(struct api_server *srv);

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
/* GET /api/v1/connections (admin): every connection and ledger */
void api_h_connections(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* POST /api/v1/connections/{ledger} (admin) {"base_url"?,"tenant"?} -> {"authorize_url"} */
void api_h_connect(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* GET /api/v1/connections/{ledger}/callback?code&state (no auth: the state) -> 302 */
void api_h_connect_callback(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* GET /api/v1/metrics (read): Prometheus text format 0.0.4 */
void api_h_metrics(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);
/* DELETE /api/v1/connections/{ledger}?target= (admin) -> 204 */
void api_h_disconnect(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);

#endif
