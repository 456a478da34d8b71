/*
 * api_jobs.c - the job runner of `booksync serve`: sync jobs queued by
 * POST /api/v1/sync (and resync, and the scheduler) and run one at a time
 * by one worker thread.
 *
 * One worker for the whole server, not one per target: a target's sync
 * lock (sync/synclock.h) names its holder by process, so two threads of
 * one process would both pass it and send the same records twice; and the
 * store takes one writer at a time anyway.  A job whose target is locked
 * by another process (a CLI `sync`) goes back to the queue, its message
 * saying what it waits for, and is tried again a second later; the
 * other targets' jobs run meanwhile.
 *
 * Stopping: api_jobs_stop sets a flag that the running job's on_progress
 * answers, so sync_run stops before its next ledger call with nothing
 * half-done (the outbox resumes at the next sync, docs/exactly-once.md).
 *
 * Threads: everything below `mu` is shared by the worker, the request
 * threads (submit, get) and the stopper.
 */
#include "api/api_jobs_int.h"

#include "consolidate/consolidate.h"
#include "core/jsonw.h"
#include "store/settings.h"
#include "sync/tabs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JOBS_RETRY_MS 1000 /* a locked target is tried again this often */
#define JOBS_MAX_REFS 500  /* records one job may name */

struct job {
	struct api_job j;
	char *request;   /* JSON as submitted (owned) */
	char *key;       /* what makes two jobs the same (owned) */
	const char *tab; /* static (tabs_resolve) or NULL */
	bool everything, resync;
	struct plan_ref *refs; /* owned */
	size_t nrefs;
	int64_t not_before; /* monotonic ms: a waiting job is not retried before */
};

struct api_jobs {
	struct api_server *srv;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a job queued, or stopping */
	pthread_t worker;
	bool worker_started;
	bool stopping;
	struct job **v; /* every job of this process, oldest first */
	size_t n, cap;
	int64_t next_id;
	struct api_jobs *reg_next; /* the registry of servers (api_jobs_of) */
};

/* api_jobs_of: the server's runner.  The server's struct is api_core.c's,
 * so the runner keeps its own small registry instead of a field there. */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_jobs *reg_head;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *api_job_state_name(enum api_job_state s)
{
	static const char *const names[] = {"queued", "running", "done", "failed"};

	return (unsigned)s < 4 ? names[s] : "failed";
}

const char *api_job_phase_name(enum sync_run_phase p)
{
	static const char *const names[] = {"target", "lock", "session", "plan", "send", "done"};

	return (unsigned)p < 6 ? names[p] : "done";
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
	free(jb->request);
	free(jb->key);
	free(jb->refs);
	free(jb);
}

static struct job *job_find(struct api_jobs *js, int64_t id)
{
	for (size_t i = 0; i < js->n; i++)
		if (js->v[i]->j.id == id)
			return js->v[i];
	return NULL;
}

/* ---- running one job (the worker) ---- */

struct run_ctx {
	struct api_jobs *js;
	struct job *jb;
	int64_t last_phase;
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
	struct api_job *j = &rc->jb->j;
	int status = BS_OK;

	pthread_mutex_lock(&rc->js->mu);
	j->phase = p->phase;
	j->posted = p->posted;
	j->failed = p->failed;
	j->calls = p->calls;
	if (j->total < j->posted + j->failed)
		j->total = j->posted + j->failed;
	if (rc->js->stopping)
		status = bs_error_set(err, BS_ESTATE,
		                      "stopped: serve is stopping (the next sync sends the rest)");
	pthread_mutex_unlock(&rc->js->mu);
	return status;
}

/* Today in the organisation's zone when the `timezone` setting is an
 * offset; an IANA name needs TZ, which a threaded server must not touch,
 * so it counts as UTC here (pass --today to serve to pin it). */
static void job_today(struct store *st, int64_t now_ms, char out[11])
{
	struct buf tz;
	int off = 0;

	buf_init(&tz, 128);
	if (settings_get(st, "timezone", &tz, NULL) != BS_OK ||
	    cons_tz_offset(buf_cstr(&tz), &off) != BS_OK)
		off = 0;
	if (cons_today(now_ms, off, out) != BS_OK)
		cons_today(0, 0, out);
	buf_free(&tz);
}

/* Run jb (already marked running) to its end, or back to the queue. */
static void job_run(struct api_jobs *js, struct job *jb)
{
	const struct api_opts *ao = api_server_opts(js->srv);
	struct sync_run_opts o = {0};
	struct sync_summary sum;
	struct run_ctx rc = {js, jb, 0};
	struct store *st = NULL;
	struct bs_error err;
	char today[11];
	int status;

	bs_error_clear(&err);
	memset(&sum, 0, sizeof(sum));
	status = api_store_get(js->srv, &st, &err);
	if (status == BS_OK) {
		o.db_path = ao->db_path;
		o.target = jb->j.target;
		o.tab = jb->tab;
		o.everything = jb->everything;
		o.refs = jb->refs;
		o.nrefs = jb->nrefs;
		o.resync = jb->resync;
		if (ao->today != NULL) {
			o.today = ao->today;
		} else {
			job_today(st, ao->now_ms(), today);
			o.today = today;
		}
		o.now_ms = ao->now_ms;
		o.on_doc = on_doc;
		o.on_progress = on_progress;
		o.arg = &rc;
		status = sync_run(st, &o, &sum, &err);
		api_store_put(js->srv, st);
	}

	pthread_mutex_lock(&js->mu);
	if (status == BS_EBUSY && sum.phase == SYNC_PHASE_LOCK && !js->stopping) {
		/* another process syncs this target: wait for it, not fail */
		jb->j.state = API_JOB_QUEUED;
		jb->j.phase = SYNC_PHASE_LOCK;
		snprintf(jb->j.message, sizeof(jb->j.message), "waiting: %.480s", err.msg);
		jb->not_before = mono_ms() + JOBS_RETRY_MS;
	} else {
		jb->j.state = status == BS_OK ? API_JOB_DONE : API_JOB_FAILED;
		jb->j.phase = sum.phase;
		jb->j.finished_ms = ao->now_ms();
		jb->j.has_summary = true;
		jb->j.s_posted = sum.sent.posted;
		jb->j.s_failed = sum.plan.failed + sum.sent.failed;
		jb->j.s_skipped = sum.plan.skipped;
		jb->j.s_waiting = sum.plan.waiting + sum.sent.waiting;
		jb->j.s_calls = sum.sent.calls;
		jb->j.posted = sum.sent.posted;
		jb->j.failed = sum.sent.failed;
		jb->j.calls = sum.sent.calls;
		if (status != BS_OK)
			snprintf(jb->j.message, sizeof(jb->j.message), "%s",
			         err.msg[0] ? err.msg : bs_strerror(status));
		else
			jb->j.message[0] = '\0';
	}
	pthread_mutex_unlock(&js->mu);
}

/* The oldest queued job that may run now, or NULL; *wait_ms: how long
 * until a waiting one may. Called with mu held. */
static struct job *job_next(struct api_jobs *js, int64_t *wait_ms)
{
	int64_t now = mono_ms();

	*wait_ms = 60 * 1000;
	for (size_t i = 0; i < js->n; i++) {
		struct job *jb = js->v[i];

		if (jb->j.state != API_JOB_QUEUED)
			continue;
		if (jb->not_before <= now)
			return jb;
		if (jb->not_before - now < *wait_ms)
			*wait_ms = jb->not_before - now;
	}
	return NULL;
}

static void cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms)
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

static void *worker_main(void *arg)
{
	struct api_jobs *js = arg;
	const struct api_opts *ao = api_server_opts(js->srv);

	pthread_mutex_lock(&js->mu);
	while (!js->stopping) {
		int64_t wait_ms;
		struct job *jb = job_next(js, &wait_ms);

		if (jb == NULL) {
			cond_wait_ms(&js->cv, &js->mu, wait_ms);
			continue;
		}
		jb->j.state = API_JOB_RUNNING;
		if (jb->j.started_ms == 0)
			jb->j.started_ms = ao->now_ms();
		jb->j.phase = SYNC_PHASE_TARGET;
		pthread_mutex_unlock(&js->mu);
		job_run(js, jb);
		pthread_mutex_lock(&js->mu);
	}
	pthread_mutex_unlock(&js->mu);
	return NULL;
}

/* ---- start, stop ---- */

int api_jobs_start(struct api_server *srv, struct api_jobs **out, struct bs_error *err)
{
	struct api_jobs *js = calloc(1, sizeof(*js));
	pthread_condattr_t ca;
	int rc = BS_OK;

	*out = NULL;
	if (js == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	js->srv = srv;
	js->next_id = 1;
	pthread_mutex_init(&js->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&js->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&js->worker, NULL, worker_main, js) != 0) {
		rc = bs_error_set(err, BS_ENOMEM, "cannot start the job worker");
		goto out;
	}
	js->worker_started = true;
	pthread_mutex_lock(&reg_mu);
	js->reg_next = reg_head;
	reg_head = js;
	pthread_mutex_unlock(&reg_mu);
	*out = js;
out:
	if (rc != BS_OK) {
		pthread_cond_destroy(&js->cv);
		pthread_mutex_destroy(&js->mu);
		free(js);
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
	pthread_mutex_lock(&reg_mu);
	for (pp = &reg_head; *pp != NULL && *pp != js; pp = &(*pp)->reg_next)
		;
	if (*pp != NULL)
		*pp = js->reg_next;
	pthread_mutex_unlock(&reg_mu);

	pthread_mutex_lock(&js->mu);
	js->stopping = true;
	pthread_cond_broadcast(&js->cv);
	pthread_mutex_unlock(&js->mu);
	if (js->worker_started)
		pthread_join(js->worker, NULL);
	for (size_t i = 0; i < js->n; i++) {
		struct api_job *j = &js->v[i]->j;

		if (j->state == API_JOB_QUEUED || j->state == API_JOB_RUNNING) {
			j->state = API_JOB_FAILED;
			j->finished_ms = ao->now_ms();
			snprintf(j->message, sizeof(j->message), "serve stopped before it ran");
		}
		job_free(js->v[i]);
	}
	free(js->v);
	pthread_cond_destroy(&js->cv);
	pthread_mutex_destroy(&js->mu);
	free(js);
}

/* ---- submitting ---- */

static int ref_cmp(const void *a, const void *b)
{
	const struct plan_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c != 0 ? c : (int)x->kind - (int)y->kind;
}

/* Resolve target, tab and refs of r into jb (the store is read, not written). */
static int job_resolve(struct store *st, const struct api_job_req *r, struct job *jb,
                       struct bs_error *err)
{
	struct buf tbuf;
	const char *target = NULL;
	int rc;

	buf_init(&tbuf, 256);
	if (r->tab != NULL && r->tab[0] != '\0') {
		rc = tabs_resolve(r->tab, &jb->tab, err);
		if (rc != BS_OK) {
			/* an unknown tab is the request's mistake: 400, not 404 */
			rc = BS_EINVAL;
			if (err != NULL)
				err->code = rc;
			goto out;
		}
	}
	if (r->everything && jb->tab != NULL) {
		rc = bs_error_set(err, BS_EINVAL, "tab and everything exclude each other");
		goto out;
	}
	if (r->nrefs > 0 && jb->tab == NULL && !r->resync) {
		rc = bs_error_set(err, BS_EINVAL, "select goes with a tab");
		goto out;
	}
	if (r->nrefs > JOBS_MAX_REFS) {
		rc = bs_error_set(err, BS_EINVAL, "at most %d records per job", JOBS_MAX_REFS);
		goto out;
	}
	jb->everything = r->everything;
	jb->resync = r->resync;
	rc = store_target_pick(st, r->target, &tbuf, &target, err);
	if (rc == BS_OK && target == NULL)
		rc = bs_error_set(err, BS_ESTATE, "no ledger is connected");
	if (rc == BS_OK && strlen(target) >= sizeof(jb->j.target))
		rc = bs_error_set(err, BS_EINVAL, "target name too long");
	if (rc != BS_OK)
		goto out;
	memcpy(jb->j.target, target, strlen(target) + 1);
	if (r->nrefs > 0) {
		jb->refs = calloc(r->nrefs, sizeof(*jb->refs));
		if (jb->refs == NULL) {
			rc = bs_error_set(err, BS_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < r->nrefs; i++) {
		struct plan_ref *p = &jb->refs[jb->nrefs];
		struct store_record_info info;

		rc = store_ref_resolve(st, r->refs[i], &p->kind, p->id, err);
		if (rc == BS_OK)
			rc = store_record_get(st, p->kind, p->id, &info, NULL, err);
		if (rc == BS_OK && jb->tab != NULL && !tabs_holds(jb->tab, info.tab))
			rc =
			    bs_error_set(err, BS_EINVAL, "%s:%s is not on the %s tab (it is on %s)",
			                 record_kind_name(p->kind), p->id, jb->tab, info.tab);
		if (rc != BS_OK)
			goto out;
		jb->nrefs++;
	}
	if (jb->nrefs > 1)
		qsort(jb->refs, jb->nrefs, sizeof(*jb->refs), ref_cmp);
out:
	buf_free(&tbuf);
	return rc;
}

/* The request as JSON, and the key two identical jobs share. */
static int job_texts(const struct api_job_req *r, struct job *jb)
{
	struct buf req, key;
	int rc = BS_OK;

	buf_init(&req, 0);
	buf_init(&key, 0);
	rc |= buf_addc(&req, '{');
	rc |= jsonw_kv_str(&req, 0, "target", jb->j.target);
	if (jb->tab != NULL)
		rc |= jsonw_kv_str(&req, 1, "tab", jb->tab);
	if (r->all)
		rc |= buf_addstr(&req, ",\"all\":true");
	if (r->everything)
		rc |= buf_addstr(&req, ",\"everything\":true");
	if (r->resync)
		rc |= buf_addstr(&req, ",\"resync\":true");
	if (r->nrefs > 0) {
		rc |= buf_addstr(&req, ",\"select\":[");
		for (size_t i = 0; i < r->nrefs; i++) {
			if (i > 0)
				rc |= buf_addc(&req, ',');
			rc |= jsonw_str(&req, r->refs[i]);
		}
		rc |= buf_addc(&req, ']');
	}
	rc |= buf_addc(&req, '}');
	/* Upload All of a tab with or without "all" is the same sync */
	rc |= buf_printf(&key, "%s\x1f%s\x1f%d%d", jb->j.target, jb->tab != NULL ? jb->tab : "",
	                 jb->everything, jb->resync);
	for (size_t i = 0; i < jb->nrefs; i++)
		rc |= buf_printf(&key, "\x1f%s:%s", record_kind_name(jb->refs[i].kind),
		                 jb->refs[i].id);
	if (rc != BS_OK) {
		rc = BS_ENOMEM;
		goto out;
	}
	jb->request = buf_take(&req);
	jb->key = buf_take(&key);
	if (jb->request == NULL || jb->key == NULL)
		rc = BS_ENOMEM;
out:
	buf_free(&req);
	buf_free(&key);
	return rc;
}

int api_jobs_submit(struct api_server *srv, const struct api_job_req *r, int64_t *job_id,
                    struct bs_error *err)
{
	struct api_jobs *js = api_jobs_of(srv);
	struct job *jb = NULL;
	struct store *st = NULL;
	int rc;

	*job_id = 0;
	if (js == NULL)
		return bs_error_set(err, BS_ESTATE, "the job runner is not running");
	jb = calloc(1, sizeof(*jb));
	if (jb == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	rc = api_store_get(srv, &st, err);
	if (rc != BS_OK)
		goto out;
	rc = job_resolve(st, r, jb, err);
	api_store_put(srv, st);
	if (rc == BS_OK && job_texts(r, jb) != BS_OK)
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
	if (rc != BS_OK)
		goto out;
	snprintf(jb->j.origin, sizeof(jb->j.origin), "%s", r->origin != NULL ? r->origin : "api");
	jb->j.state = API_JOB_QUEUED;
	jb->j.phase = SYNC_PHASE_TARGET;

	pthread_mutex_lock(&js->mu);
	if (js->stopping) {
		rc = bs_error_set(err, BS_ESTATE, "serve is stopping");
	} else {
		for (size_t i = 0; i < js->n && rc == BS_OK; i++) {
			const struct job *o = js->v[i];

			if ((o->j.state == API_JOB_QUEUED || o->j.state == API_JOB_RUNNING) &&
			    strcmp(o->key, jb->key) == 0) {
				*job_id = o->j.id;
				rc = bs_error_set(err, BS_EBUSY,
				                  "the same sync of %s is already %s (job %lld)",
				                  o->j.target, api_job_state_name(o->j.state),
				                  (long long)o->j.id);
			}
		}
	}
	if (rc == BS_OK && js->n == js->cap) {
		size_t cap = js->cap ? js->cap * 2 : 16;
		struct job **v = realloc(js->v, cap * sizeof(*v));

		if (v == NULL)
			rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		else
			js->v = v, js->cap = cap;
	}
	if (rc == BS_OK) {
		jb->j.id = js->next_id++;
		jb->j.created_ms = api_server_opts(srv)->now_ms();
		js->v[js->n++] = jb;
		*job_id = jb->j.id;
		jb = NULL;
		pthread_cond_broadcast(&js->cv);
	}
	pthread_mutex_unlock(&js->mu);
out:
	job_free(jb);
	return rc;
}

int api_jobs_get(struct api_jobs *js, int64_t id, struct api_job *out, struct buf *request,
                 struct bs_error *err)
{
	const struct job *jb;
	int rc = BS_OK;

	pthread_mutex_lock(&js->mu);
	jb = job_find(js, id);
	if (jb == NULL) {
		rc = bs_error_set(err, BS_ENOTFOUND, "no job %lld", (long long)id);
	} else {
		*out = jb->j;
		if (request != NULL) {
			buf_reset(request);
			rc = buf_addstr(request, jb->request);
		}
	}
	pthread_mutex_unlock(&js->mu);
	return rc;
}

/* ---- the wire shape ---- */

/* ISO 8601 UTC of Unix ms, or null for 0. */
static int json_time(struct buf *out, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL)
		return buf_addstr(out, "null");
	strftime(s, sizeof(s), "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
	return buf_addstr(out, s);
}

int api_job_json(struct buf *out, const struct api_job *j, const char *request)
{
	int rc = 0;

	rc |= buf_printf(out, "{\"id\":%lld", (long long)j->id);
	rc |= jsonw_kv_str(out, 1, "target", j->target);
	rc |= jsonw_kv_str(out, 1, "state", api_job_state_name(j->state));
	rc |= jsonw_kv_str(out, 1, "origin", j->origin);
	rc |= buf_printf(out, ",\"request\":%s",
	                 request != NULL && request[0] != '\0' ? request : "{}");
	rc |= buf_addstr(out, ",\"created_at\":");
	rc |= json_time(out, j->created_ms);
	rc |= buf_addstr(out, ",\"started_at\":");
	rc |= json_time(out, j->started_ms);
	rc |= buf_addstr(out, ",\"finished_at\":");
	rc |= json_time(out, j->finished_ms);
	rc |= jsonw_kv_str(out, 1, "phase", api_job_phase_name(j->phase));
	rc |= buf_printf(out,
	                 ",\"progress\":{\"posted\":%llu,\"failed\":%llu,\"calls\":%llu,"
	                 "\"total\":%llu}",
	                 (unsigned long long)j->posted, (unsigned long long)j->failed,
	                 (unsigned long long)j->calls, (unsigned long long)j->total);
	if (j->has_summary)
		rc |= buf_printf(out,
		                 ",\"summary\":{\"posted\":%llu,\"failed\":%llu,\"skipped\":%llu,"
		                 "\"waiting\":%llu,\"calls\":%llu}",
		                 (unsigned long long)j->s_posted, (unsigned long long)j->s_failed,
		                 (unsigned long long)j->s_skipped, (unsigned long long)j->s_waiting,
		                 (unsigned long long)j->s_calls);
	else
		rc |= buf_addstr(out, ",\"summary\":null");
	rc |= jsonw_kv_str(out, 1, "message", j->message);
	rc |= buf_addc(out, '}');
	return rc != 0 ? BS_ETOOBIG : BS_OK;
}
