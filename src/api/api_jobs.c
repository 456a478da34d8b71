/*
 * api_jobs.c - the job runner of `booksync serve`: sync jobs queued by
 * POST /api/v1/sync (and resync, and the scheduler) and run one at a time
 * by one worker thread.
 *
 * One worker for the whole server, not one per target: a target's sync
 * lock (sync/synclock.h) names its holder by process, so two threads of
 * one process would both pass it and send the same records twice; the
 * ledger governor is per process too, and the store takes one writer at a
 * time anyway.  A job whose target is locked by another process (a CLI
 * `sync`) goes back to the queue, its message saying what it waits for,
 * and is tried again a second later; other targets' jobs run meanwhile.
 *
 * Jobs are rows of the store's jobs table (store.h "jobs"), written as they
 * are queued, start, wait and end; their progress while running lives in
 * memory only (GET reads it from here).  A job the store still calls queued
 * or running when the runner starts belonged to a server that stopped
 * without ending it: it is marked failed ("serve stopped"); its outbox
 * resumes at the next sync, which is exactly-once by design
 * (docs/exactly-once.md).
 *
 * Stopping: api_jobs_stop sets a flag that the running job's on_progress
 * answers, so sync_run stops before its next ledger call with nothing
 * half-done; the job is marked failed ("stopped: ..."), and jobs still
 * queued too.
 *
 * When the store's syncs are the fleet's (api_opts.sync_by_workers: serve
 * --workers or --fleet on PostgreSQL), a job is not queued here: its row
 * is written with runner "fleet" and the target is asked for in the
 * fleet's leases (fleet_ask), so whichever worker of the database claims
 * the target next, on this machine or another, takes the job
 * (store_job_take), runs it and writes its progress and end into the row,
 * which GET reads back.  A serve that starts leaves the fleet's jobs
 * alone: they outlive any one serve, and a worker that dies mid-job
 * leaves it to the next claimant of its target (docs/scale-out.md "Jobs
 * go to the fleet").
 *
 * The scheduler is api_sched.c; it submits as a request does.
 *
 * Threads: the worker, the scheduler, the request threads (submit, get,
 * list) and the stopper share what is below `mu`.  No store call is made
 * while holding it: a store write may wait on the worker's transaction,
 * and the worker takes `mu` in its callbacks.  Submits are serialised by
 * `submit_mu` so that checking for a duplicate and adding the job are one
 * step.
 */
#include "api/api_jobs_int.h"

#include "fleet/fleet.h"
#include "store/settings.h"
#include "sync/job.h"
#include "sync/onboard.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JOBS_RETRY_MS 1000 /* a locked target is tried again this often */

struct job {
	struct store_job j;
	struct sync_job_spec spec; /* what it asks, resolved (owned) */
	int64_t not_before;        /* monotonic ms: a waiting job is not retried before */
	bool running;
};

struct api_jobs {
	struct api_server *srv;
	struct store *wst;       /* the worker's own connection (and the stopper's) */
	struct api_sched *sched; /* api_sched.c */
	pthread_mutex_t mu;
	pthread_mutex_t submit_mu;
	pthread_cond_t cv; /* a job queued, or stopping */
	pthread_t worker;
	bool worker_started;
	bool stopping;
	struct job **v; /* queued and running jobs, oldest first */
	size_t n, cap;
	struct api_jobs *reg_next; /* the registry of runners (api_jobs_of) */
	/* ao->sync_by_workers: jobs go to the fleet's workers (fleet_ask)
	 * over this connection, under submit_mu; store: the store's schema */
	struct fleet *fleet;
	char store[64];
};

/* api_jobs_of: the server's runner.  The server's struct is api_core.c's,
 * so the runner keeps its own small registry instead of a field there. */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_jobs *reg_head;

int64_t api_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void api_cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(cv, mu, &ts);
}

const char *api_job_state_name(enum api_job_state s)
{
	static const char *const names[] = {"queued", "running", "done", "failed"};

	return (unsigned)s < 4 ? names[s] : "failed";
}

static void set_state(struct store_job *j, enum api_job_state s)
{
	snprintf(j->state, sizeof(j->state), "%s", api_job_state_name(s));
}

static void set_phase(struct store_job *j, enum sync_run_phase p)
{
	snprintf(j->phase, sizeof(j->phase), "%s", sync_job_phase_name(p));
}

struct api_jobs *api_jobs_of(struct api_server *srv)
{
	struct api_jobs *j;

	pthread_mutex_lock(&reg_mu);
	for (j = reg_head; j != NULL && j->srv != srv; j = j->reg_next)
		;
	pthread_mutex_unlock(&reg_mu);
	return j;
}

static void job_free(struct job *jb)
{
	if (jb == NULL)
		return;
	sync_job_spec_free(&jb->spec);
	free(jb);
}

/* Take jb out of the queue (mu held). */
static void job_unlink(struct api_jobs *js, const struct job *jb)
{
	for (size_t i = 0; i < js->n; i++) {
		if (js->v[i] != jb)
			continue;
		memmove(&js->v[i], &js->v[i + 1], (js->n - i - 1) * sizeof(struct job *));
		js->n--;
		return;
	}
}

/* ---- running one job (the worker) ---- */

struct run_ctx {
	struct api_jobs *js;
	struct job *jb;
};

static void on_doc(void *arg, enum record_kind kind, const char *id, const char *doc_type,
                   const char *op, const char *body)
{
	struct run_ctx *rc = arg;

	(void)kind, (void)id, (void)doc_type, (void)op, (void)body;
	pthread_mutex_lock(&rc->js->mu);
	rc->jb->j.total++;
	pthread_mutex_unlock(&rc->js->mu);
}

static int on_progress(void *arg, const struct sync_progress *p, struct bs_error *err)
{
	struct run_ctx *rc = arg;
	struct store_job *j = &rc->jb->j;
	int status = BS_OK;

	pthread_mutex_lock(&rc->js->mu);
	sync_job_progress(j, p);
	if (rc->js->stopping)
		status = bs_error_set(err, BS_ESTATE,
		                      "stopped: serve is stopping (the next sync sends the rest)");
	pthread_mutex_unlock(&rc->js->mu);
	return status;
}

/* Write jb's row as it is now (a copy taken under mu, written without). */
static void job_save(struct api_jobs *js, struct job *jb)
{
	struct store_job copy;

	pthread_mutex_lock(&js->mu);
	copy = jb->j;
	pthread_mutex_unlock(&js->mu);
	/* a failed write leaves the row behind; the job itself goes on, and
	 * the next start marks a row left running as failed */
	store_job_update(js->wst, &copy, NULL);
}

/* Run jb (already marked running) to its end, or back to the queue. */
static void job_run(struct api_jobs *js, struct job *jb)
{
	const struct api_opts *ao = api_server_opts(js->srv);
	struct sync_run_opts o = {0};
	struct sync_summary sum;
	struct run_ctx rc = {js, jb};
	struct bs_error err;
	char today[11];
	bool ended = true;
	int status;

	bs_error_clear(&err);
	memset(&sum, 0, sizeof(sum));
	job_save(js, jb);
	o.db_path = ao->db_path;
	sync_job_opts(&jb->spec, &o);
	if (ao->today != NULL) {
		o.today = ao->today;
	} else {
		onboard_org_today(js->wst, jb->j.target, ao->now_ms(), today);
		o.today = today;
	}
	o.now_ms = ao->now_ms;
	o.on_doc = on_doc;
	o.on_progress = on_progress;
	o.arg = &rc;
	status = sync_run(js->wst, &o, &sum, &err);

	pthread_mutex_lock(&js->mu);
	jb->running = false;
	if (status == BS_EBUSY && sum.phase == SYNC_PHASE_LOCK && !js->stopping) {
		/* another process syncs this target: wait for it, not fail */
		ended = false;
		set_state(&jb->j, API_JOB_QUEUED);
		set_phase(&jb->j, SYNC_PHASE_LOCK);
		snprintf(jb->j.message, sizeof(jb->j.message), "waiting: %.480s", err.msg);
		jb->not_before = api_mono_ms() + JOBS_RETRY_MS;
	} else {
		sync_job_end(&jb->j, status, &sum, err.msg, ao->now_ms());
	}
	pthread_mutex_unlock(&js->mu);
	job_save(js, jb);
	if (ended) {
		pthread_mutex_lock(&js->mu);
		job_unlink(js, jb);
		pthread_mutex_unlock(&js->mu);
		job_free(jb);
	}
}

/* The oldest queued job that may run now, or NULL; *wait_ms: how long
 * until a waiting one may.  A target's jobs run in the order they came: a
 * job behind one of its target that waits for the lock waits too.  mu
 * held. */
static struct job *job_next(struct api_jobs *js, int64_t *wait_ms)
{
	int64_t now = api_mono_ms();

	*wait_ms = 60 * 1000;
	for (size_t i = 0; i < js->n; i++) {
		struct job *jb = js->v[i];
		bool behind = false;

		if (jb->running)
			continue;
		for (size_t k = 0; k < i && !behind; k++)
			behind = strcmp(js->v[k]->j.target, jb->j.target) == 0;
		if (behind)
			continue;
		if (jb->not_before <= now)
			return jb;
		if (jb->not_before - now < *wait_ms)
			*wait_ms = jb->not_before - now;
	}
	return NULL;
}

static void *worker_main(void *arg)
{
	struct api_jobs *js = arg;
	const struct api_opts *ao = api_server_opts(js->srv);

	pthread_mutex_lock(&js->mu);
	while (!js->stopping) {
		int64_t wait_ms;
		struct job *jb = job_next(js, &wait_ms);

		if (jb == NULL) {
			api_cond_wait_ms(&js->cv, &js->mu, wait_ms);
			continue;
		}
		jb->running = true;
		set_state(&jb->j, API_JOB_RUNNING);
		if (jb->j.started_ms == 0)
			jb->j.started_ms = ao->now_ms();
		if (jb->j.message[0] == '\0')
			set_phase(&jb->j, SYNC_PHASE_TARGET);
		pthread_mutex_unlock(&js->mu);
		job_run(js, jb);
		pthread_mutex_lock(&js->mu);
	}
	pthread_mutex_unlock(&js->mu);
	return NULL;
}

/* ---- submitting ---- */

/* A job queued or running with jb's key, or NULL (mu held). */
static const struct job *job_same(const struct api_jobs *js, const struct job *jb)
{
	for (size_t i = 0; i < js->n; i++)
		if (strcmp(js->v[i]->spec.key, jb->spec.key) == 0)
			return js->v[i];
	return NULL;
}

/* BS_EBUSY naming `same`, the job that already does this sync, whose id
 * goes into *job_id (the 409 names it). */
static int same_busy(const struct store_job *same, int64_t *job_id, struct bs_error *err)
{
	*job_id = same->id;
	return bs_error_set(err, BS_EBUSY, "the same sync of %s is already %s (job %lld)",
	                    same->target, same->state, (long long)same->id);
}

/* Hand jb (resolved, not queued here) to the fleet: a row any worker
 * takes, and the target asked for.  submit_mu held. */
static int submit_fleet(struct api_jobs *js, struct store *st, struct job *jb, int64_t *job_id,
                        struct bs_error *err)
{
	struct store_job twin;
	int rc;

	buf_copy(jb->j.runner, sizeof(jb->j.runner), "fleet");
	/* until a worker takes it (store_job_take clears it) */
	buf_copy(jb->j.message, sizeof(jb->j.message), "waiting for a worker of the fleet");
	/* the store refuses a second open job of the key, from any serve */
	rc = store_job_add(st, &jb->j, jb->spec.request, jb->spec.key, &twin, err);
	if (rc == BS_ECONFLICT && twin.id > 0)
		return same_busy(&twin, job_id, err);
	if (rc != BS_OK)
		return rc;
	*job_id = jb->j.id;
	/* the job is queued whatever the fleet says: if asking fails now, a
	 * worker takes it at the target's next scheduled run */
	(void)fleet_ask(js->fleet, js->store, jb->j.target, 0, NULL);
	return BS_OK;
}

int api_jobs_submit_on(struct api_jobs *js, struct store *st, const struct api_job_req *r,
                       int64_t *job_id, struct bs_error *err)
{
	const struct api_opts *ao = api_server_opts(js->srv);
	struct job *jb = calloc(1, sizeof(*jb));
	const struct job *same;
	int rc;

	*job_id = 0;
	if (jb == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	if ((rc = sync_job_resolve(st, &r->sync, &jb->spec, err)) != BS_OK)
		goto out;
	buf_copy(jb->j.target, sizeof(jb->j.target), jb->spec.target);
	buf_copy(jb->j.origin, sizeof(jb->j.origin), r->origin != NULL ? r->origin : "api");
	set_state(&jb->j, API_JOB_QUEUED);
	set_phase(&jb->j, SYNC_PHASE_TARGET);
	jb->j.created_ms = ao->now_ms();

	pthread_mutex_lock(&js->submit_mu);
	pthread_mutex_lock(&js->mu);
	same = job_same(js, jb);
	if (js->stopping) {
		rc = bs_error_set(err, BS_ESTATE, "serve is stopping");
	} else if (same != NULL) {
		rc = same_busy(&same->j, job_id, err);
	} else if (js->fleet == NULL && js->n == js->cap) {
		size_t cap = js->cap ? js->cap * 2 : 16;
		struct job **v = realloc(js->v, cap * sizeof(struct job *));

		if (v == NULL)
			rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		else
			js->v = v, js->cap = cap;
	}
	pthread_mutex_unlock(&js->mu);
	if (rc == BS_OK && js->fleet != NULL) {
		rc = submit_fleet(js, st, jb, job_id, err);
	} else if (rc == BS_OK) {
		rc = store_job_add(st, &jb->j, jb->spec.request, NULL, NULL, err);
		if (rc == BS_OK) {
			pthread_mutex_lock(&js->mu);
			js->v[js->n++] = jb;
			*job_id = jb->j.id;
			jb = NULL;
			pthread_cond_broadcast(&js->cv);
			pthread_mutex_unlock(&js->mu);
		}
	}
	pthread_mutex_unlock(&js->submit_mu);
out:
	job_free(jb);
	return rc;
}

int api_jobs_submit(struct api_server *srv, const struct api_job_req *r, int64_t *job_id,
                    struct bs_error *err)
{
	struct api_jobs *js = api_jobs_of(srv);
	struct store *st = NULL;
	int rc;

	*job_id = 0;
	if (js == NULL)
		return bs_error_set(err, BS_ESTATE, "the job runner is not running");
	rc = api_store_get(srv, &st, err);
	if (rc != BS_OK)
		return rc;
	rc = api_jobs_submit_on(js, st, r, job_id, err);
	api_store_put(srv, st);
	return rc;
}

/* ---- reading ---- */

int api_jobs_get(struct api_jobs *js, struct store *st, int64_t id, struct store_job *out,
                 struct buf *request, struct bs_error *err)
{
	const struct job *jb = NULL;
	int rc = BS_OK;

	if (js == NULL) /* no runner (tests of the endpoints): as stored */
		return store_job_get(st, id, out, request, err);
	pthread_mutex_lock(&js->mu);
	for (size_t i = 0; i < js->n && jb == NULL; i++)
		if (js->v[i]->j.id == id)
			jb = js->v[i];
	if (jb != NULL) {
		*out = jb->j;
		if (request != NULL) {
			buf_reset(request);
			rc = buf_addstr(request, jb->spec.request);
		}
	}
	pthread_mutex_unlock(&js->mu);
	/* not queued here: as stored (a job that ended, or another server's) */
	if (jb == NULL)
		rc = store_job_get(st, id, out, request, err);
	return rc;
}

struct count_ctx {
	int64_t *queued, *running;
};

static int count_row(void *arg, const struct store_job *row, const char *request)
{
	struct count_ctx *cc = arg;

	(void)request;
	if (strcmp(row->runner, "fleet") == 0)
		(*(strcmp(row->state, "running") == 0 ? cc->running : cc->queued))++;
	return 0;
}

void api_jobs_counts(struct api_jobs *js, struct store *st, int64_t *queued, int64_t *running)
{
	struct count_ctx cc = {queued, running};

	*queued = *running = 0;
	if (js->fleet != NULL) {
		/* a failed read counts none: the gauge is not the place to fail */
		if (store_jobs_open(st, NULL, count_row, &cc, NULL) != BS_OK)
			*queued = *running = 0;
		return;
	}
	pthread_mutex_lock(&js->mu);
	for (size_t i = 0; i < js->n; i++) {
		if (js->v[i]->running)
			(*running)++;
		else
			(*queued)++;
	}
	pthread_mutex_unlock(&js->mu);
}

struct list_ctx {
	struct api_jobs *js;
	store_job_cb cb;
	void *arg;
};

static int list_row(void *arg, const struct store_job *row, const char *request)
{
	struct list_ctx *lc = arg;
	struct store_job live = *row;

	pthread_mutex_lock(&lc->js->mu);
	for (size_t i = 0; i < lc->js->n; i++)
		if (lc->js->v[i]->j.id == row->id)
			live = lc->js->v[i]->j;
	pthread_mutex_unlock(&lc->js->mu);
	return lc->cb(lc->arg, &live, request);
}

int api_jobs_list(struct api_jobs *js, struct store *st, int64_t before, size_t limit,
                  store_job_cb cb, void *arg, struct bs_error *err)
{
	struct list_ctx lc = {js, cb, arg};

	if (js == NULL)
		return store_jobs_page(st, before, limit, cb, arg, err);
	return store_jobs_page(st, before, limit, list_row, &lc, err);
}

/* ---- start, stop ---- */

/* The fleet's connection and the store's name in it, for a server whose
 * syncs are the fleet's. */
static int jobs_fleet_open(struct api_jobs *js, const char *db_path, struct bs_error *err)
{
	struct buf conninfo;
	int rc;

	buf_init(&conninfo, 4096);
	rc = store_pg_split(db_path, &conninfo, js->store, sizeof(js->store), err);
	buf_free(&conninfo);
	if (rc == BS_OK)
		rc = fleet_open(db_path, &js->fleet, err);
	return rc;
}

int api_jobs_start(struct api_server *srv, struct api_jobs **out, struct bs_error *err)
{
	const struct api_opts *ao = api_server_opts(srv);
	struct api_jobs *js = calloc(1, sizeof(*js));
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	if (js == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	js->srv = srv;
	pthread_mutex_init(&js->mu, NULL);
	pthread_mutex_init(&js->submit_mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&js->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* the threads' own connections: they outlive the server's pool,
	 * which refuses connections while the server stops */
	rc = store_open(ao->db_path, 0, &js->wst, err);
	if (rc == BS_OK && ao->sync_by_workers)
		rc = jobs_fleet_open(js, ao->db_path, err);
	if (rc == BS_OK)
		rc = store_jobs_abandon(js->wst, "serve stopped before this job ended",
		                        ao->now_ms(), NULL, err);
	if (rc != BS_OK)
		goto out;
	/* the fleet's jobs are run by its workers: no queue here to run */
	if (js->fleet == NULL && pthread_create(&js->worker, NULL, worker_main, js) != 0) {
		rc = bs_error_set(err, BS_ENOMEM, "cannot start the job worker");
		goto out;
	}
	js->worker_started = js->fleet == NULL;
	/* registered first: the scheduler's submits look the runner up */
	pthread_mutex_lock(&reg_mu);
	js->reg_next = reg_head;
	reg_head = js;
	pthread_mutex_unlock(&reg_mu);
	rc = api_sched_start(js, ao, &js->sched, err);
	if (rc == BS_OK)
		*out = js;
out:
	if (rc != BS_OK) {
		api_jobs_stop(js);
		*out = NULL;
	}
	return rc;
}

void api_jobs_stop(struct api_jobs *js)
{
	const struct api_opts *ao;
	struct api_jobs **pp;

	if (js == NULL)
		return;
	ao = api_server_opts(js->srv);
	/* the flag first: the running job stops before its next ledger call
	 * whatever else stopping waits for, and submits are refused */
	pthread_mutex_lock(&js->mu);
	js->stopping = true;
	pthread_cond_broadcast(&js->cv);
	pthread_mutex_unlock(&js->mu);
	api_sched_stop(js->sched);
	api_connect_forget(js->srv);
	pthread_mutex_lock(&reg_mu);
	for (pp = &reg_head; *pp != NULL && *pp != js; pp = &(*pp)->reg_next)
		;
	if (*pp != NULL)
		*pp = js->reg_next;
	pthread_mutex_unlock(&reg_mu);
	if (js->worker_started)
		pthread_join(js->worker, NULL);
	/* the running job has ended (stopped) and left; these were queued,
	 * or waiting for another process's sync */
	for (size_t i = 0; i < js->n; i++) {
		struct store_job *j = &js->v[i]->j;

		set_state(j, API_JOB_FAILED);
		j->finished_ms = ao->now_ms();
		snprintf(j->message, sizeof(j->message), "%s",
		         j->started_ms == 0 ? "serve stopped before this job ran"
		                            : "stopped: serve is stopping (the job was waiting for "
		                              "another sync)");
		if (js->wst != NULL)
			store_job_update(js->wst, j, NULL);
		job_free(js->v[i]);
	}
	free(js->v);
	fleet_close(js->fleet);
	store_close(js->wst);
	pthread_cond_destroy(&js->cv);
	pthread_mutex_destroy(&js->submit_mu);
	pthread_mutex_destroy(&js->mu);
	free(js);
}
