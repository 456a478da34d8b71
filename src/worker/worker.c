/*
 * worker.c - the fleet's worker threads (worker.h): claim, sync, hand back.
 *
 * Each sync thread owns a fleet connection for its claims and the app
 * budget, and opens the claimed target's store for the run alone: a
 * worker serves thousands of stores, and an idle connection per store
 * would be thousands of server processes.  The heartbeat has its own
 * connection; it reads the claims through the slots, one mutex each, so a
 * renewal never waits on a sync.
 */
#include "worker/worker.h"

#include "fleet/fleet.h"
#include "store/settings.h"
#include "store/store.h"
#include "sync/job.h"
#include "sync/onboard.h"
#include "sync/run.h"

#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RETRY_FAILED_MS 60000 /* a failed run is due again in a minute */
#define JOB_SAVE_MS     1000  /* a job's progress is written at most this often */
#define JOB_RETRY_MS    1000  /* a job that met another's sync lock, asked again in */

/* A thread's claim, as the heartbeat sees it. */
struct slot {
	pthread_mutex_t mu;
	bool active;
	struct fleet_lease lease;
};

struct thread_arg {
	struct worker *w;
	int index;
};

struct worker {
	struct worker_opts o; /* o.url points at url */
	char *url;
	char id[24]; /* random hex: owners are <id>/<thread> */
	atomic_bool stop, stop_now;
	pthread_mutex_t log_mu;
	atomic_int failed_runs, runs, fatal;
	atomic_llong posted, failed, calls, app_waits;
	atomic_int running; /* sync threads not yet ended */
	int started;
	bool beating;
	pthread_t th[WORKER_MAX], hb;
	struct thread_arg ta[WORKER_MAX];
	struct slot slots[WORKER_MAX];
};

/* What one thread keeps while it syncs a claimed target. */
struct job {
	struct worker *w;
	struct fleet *f;
	struct fleet_lease lease;
	/* while it runs a store's sync job (else row is NULL): the row, and
	 * its own connection for the progress (the sync's is in use) */
	struct store_job *row;
	struct store *jst;
	int64_t saved_ms;
};

static void logf_(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(struct worker *w, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	if (w->o.log == NULL)
		return;
	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started just above
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&w->log_mu);
	w->o.log(w->o.log_arg, line);
	pthread_mutex_unlock(&w->log_mu);
}

static void nap_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The heartbeat: every third of a lease, renew every lease held. */
static void *heartbeat_main(void *arg)
{
	struct worker *w = arg;
	struct fleet *f = NULL;
	struct bs_error err;

	if (fleet_open(w->url, &f, &err) != BS_OK) {
		logf_(w, "the heartbeat cannot connect (leases will run out): %s", err.msg);
		return NULL;
	}
	while (atomic_load(&w->running) > 0) {
		for (int64_t t = 0; t < w->o.lease_ms / 3 && atomic_load(&w->running) > 0; t += 50)
			nap_ms(50);
		for (int i = 0; i < w->started; i++) {
			struct fleet_lease l;
			bool active;

			pthread_mutex_lock(&w->slots[i].mu);
			active = w->slots[i].active;
			l = w->slots[i].lease;
			pthread_mutex_unlock(&w->slots[i].mu);
			/* a lease lost meanwhile stays lost: the store's sync lock
			 * keeps a second sync of the target out */
			if (active)
				fleet_renew(f, &l, w->o.lease_ms, &err);
		}
	}
	fleet_close(f);
	return NULL;
}

/* Publish (or, NULL, withdraw) thread i's claim for the heartbeat. */
static void slot_set(struct worker *w, int i, const struct fleet_lease *l)
{
	pthread_mutex_lock(&w->slots[i].mu);
	w->slots[i].active = l != NULL;
	if (l != NULL)
		w->slots[i].lease = *l;
	pthread_mutex_unlock(&w->slots[i].mu);
}

/* A slot of Xero's app-wide budget (fleet_sync_app_take), the waits
 * counted for the worker's figures. */
static int64_t app_take(void *arg, int per_minute, int time_scale)
{
	struct job *j = arg;
	int64_t wait = fleet_sync_app_take(j->f, per_minute, time_scale);

	if (wait > 0)
		atomic_fetch_add(&j->w->app_waits, 1);
	return wait;
}

/* A sync job's row written as it is now, at most every JOB_SAVE_MS but
 * at each new phase.  A failed write loses only progress: the end is
 * written again. */
static void job_save(struct job *j, bool force)
{
	int64_t now = j->w->o.now_ms();

	if (j->row == NULL || j->jst == NULL || (!force && now - j->saved_ms < JOB_SAVE_MS))
		return;
	store_job_update(j->jst, j->row, NULL);
	j->saved_ms = now;
}

static void on_doc(void *arg, enum record_kind kind, const char *id, const char *doc_type,
                   const char *op, const char *body)
{
	struct job *j = arg;

	(void)kind, (void)id, (void)doc_type, (void)op, (void)body;
	if (j->row != NULL)
		j->row->total++;
}

/* A job's progress saved; serve stopping: the run stops before its next
 * ledger call */
static int on_progress(void *arg, const struct sync_progress *p, struct bs_error *err)
{
	struct job *j = arg;

	if (j->row != NULL) {
		bool phase = strcmp(j->row->phase, sync_job_phase_name(p->phase)) != 0;

		sync_job_progress(j->row, p);
		job_save(j, phase);
	}
	if (atomic_load(&j->w->stop_now))
		return bs_error_set(
		    err, BS_ESTATE,
		    "stopped: the worker is stopping (the next sync sends the rest)");
	return BS_OK;
}

/* The figures of one run into the worker's. */
static void count_run(struct job *j, const struct sync_summary *sum)
{
	atomic_fetch_add(&j->w->posted, (long long)sum->sent.posted);
	atomic_fetch_add(&j->w->failed, (long long)(sum->sent.failed + sum->plan.failed));
	atomic_fetch_add(&j->w->calls, (long long)sum->sent.calls);
}

/* The options every run of the claimed target shares. */
static void run_opts(struct job *j, const char *path, const char *today, struct sync_run_opts *o)
{
	o->db_path = path;
	o->target = j->lease.target;
	o->today = today;
	o->now_ms = j->w->o.now_ms;
	o->on_progress = on_progress;
	o->arg = j;
	o->app_take = app_take; /* no slot taken where the ledger has no app limit */
	o->app_arg = j;
}

/*
 * Run the store's sync jobs that wait for the claimed target (a serve
 * handed them to the fleet), oldest first, each to its end.  *all: one of
 * them was a whole Sync All that went through, so the scheduled one is
 * not needed.  A job the run could not finish for a reason of this
 * worker's (the target's sync lock held elsewhere, the worker stopping)
 * goes back to the queue (*waiting) and the target is asked for again.
 * Returns how many jobs it ended.
 */
static int run_jobs(struct job *j, struct store *st, const char *path, const char *today,
                    const char *owner, bool *all, bool *waiting)
{
	struct store_job row;
	struct buf request;
	struct bs_error err;
	int n = 0;

	*all = *waiting = false;
	buf_init(&request, 0);
	while (!atomic_load(&j->w->stop_now)) {
		struct sync_run_opts o = {0};
		struct sync_job_spec spec;
		struct sync_summary sum;
		bool busy;
		int rc = store_job_take(st, j->lease.target, owner, j->w->o.now_ms(), &row,
		                        &request, &err);

		if (rc != BS_OK)
			break; /* none (or the store failing: the scheduled run says so) */
		if (j->jst == NULL && store_open(path, 0, &j->jst, &err) != BS_OK)
			j->jst = NULL; /* progress unseen until the end; the job still runs */
		memset(&sum, 0, sizeof(sum));
		j->row = &row;
		j->saved_ms = 0;
		rc = sync_job_parse(st, buf_cstr(&request), &spec, &err);
		if (rc == BS_OK) {
			run_opts(j, path, today, &o);
			sync_job_opts(&spec, &o);
			o.on_doc = on_doc;
			rc = sync_run(st, &o, &sum, &err);
			count_run(j, &sum);
			if (rc == BS_OK && sync_job_is_all(&spec))
				*all = true;
			sync_job_spec_free(&spec);
		}
		busy = rc == BS_EBUSY && sum.phase == SYNC_PHASE_LOCK;
		if (busy || (rc != BS_OK && atomic_load(&j->w->stop_now))) {
			/* not this job's failure: a worker takes it again (a
			 * second later when another process holds the lock) */
			buf_copy(row.state, sizeof(row.state), "queued");
			snprintf(row.message, sizeof(row.message), "waiting: %.480s", err.msg);
			fleet_ask(j->f, j->lease.store, j->lease.target, busy ? JOB_RETRY_MS : 0,
			          NULL);
		} else {
			sync_job_end(&row, rc, &sum, err.msg, j->w->o.now_ms());
		}
		logf_(j->w, "%s %s: job %lld %s%s%s", j->lease.store, j->lease.target,
		      (long long)row.id, row.state, row.message[0] ? ": " : "", row.message);
		/* the end on the sync's own connection, idle now (jst may
		 * have failed to open) */
		j->row = NULL;
		store_job_update(st, &row, NULL);
		if (strcmp(row.state, "queued") == 0) {
			*waiting = true;
			break;
		}
		n++;
	}
	buf_free(&request);
	store_close(j->jst);
	j->jst = NULL;
	return n;
}

/* Sync the claimed target: its waiting sync jobs, then, when its time had
 * come, Sync All; the result's words into result[cap], when it is due
 * again into *due_ms (< 0: when it was due before). */
static int run_one(struct job *j, const char *owner, char *result, size_t cap, int64_t *due_ms)
{
	struct sync_run_opts o = {0};
	struct sync_summary sum;
	struct store *st = NULL;
	struct bs_error err;
	char path[1024];
	int rc;

	memset(&sum, 0, sizeof(sum));
	*due_ms = j->w->o.every_ms;
	if (fleet_store_url(j->w->url, j->lease.store, path, sizeof(path)) != BS_OK) {
		snprintf(result, cap, "error: the store's address is too long");
		return BS_EINVAL;
	}
	rc = store_open(path, 0, &st, &err);
	if (rc == BS_OK) {
		int64_t minutes = settings_minutes(st, "schedule.sync_minutes");
		char today[11];
		bool all = false, waiting = false;
		int jobs;

		if (minutes > 0)
			*due_ms = minutes * j->w->o.schedule_unit_ms;
		onboard_org_today(st, j->lease.target, j->w->o.now_ms(), today);
		jobs = run_jobs(j, st, path, today, owner, &all, &waiting);
		if (!j->lease.scheduled || all || waiting) {
			/* jobs alone: the schedule stays as it was, unless one of
			 * them was the Sync All it would have run; a job given back
			 * to wait for another's sync: the scheduled run would meet
			 * the same lock, so both are tried again a second later */
			if (waiting && j->lease.scheduled)
				*due_ms = JOB_RETRY_MS;
			else if (!all)
				*due_ms = -1;
			snprintf(result, cap, "ok: %d sync job%s ended%s", jobs,
			         jobs == 1 ? "" : "s", waiting ? ", 1 given back to wait" : "");
			goto out;
		}
		run_opts(j, path, today, &o);
		rc = sync_run(st, &o, &sum, &err);
	}
	count_run(j, &sum);
	if (rc == BS_OK)
		snprintf(result, cap, "ok: posted %llu, failed %llu, calls %llu",
		         (unsigned long long)sum.sent.posted,
		         (unsigned long long)sum.sent.failed + (unsigned long long)sum.plan.failed,
		         (unsigned long long)sum.sent.calls);
	else
		snprintf(result, cap, "error: %.400s", err.msg);
out:
	store_close(st);
	return rc;
}

static void *thread_main(void *arg)
{
	struct thread_arg *ta = arg;
	struct worker *w = ta->w;
	struct job j = {.w = w};
	struct bs_error err;
	char owner[64], result[512];
	int misses = 0;

	snprintf(owner, sizeof(owner), "%s/%d", w->id, ta->index);
	if (fleet_open(w->url, &j.f, &err) != BS_OK) {
		logf_(w, "error: %s", err.msg);
		atomic_store(&w->fatal, 1);
		goto out;
	}
	while (!atomic_load(&w->stop)) {
		int64_t next_in = -1, added = 0, busy = 0, due = 0;
		int rc = fleet_claim(j.f, owner, w->o.lease_ms, &j.lease, &next_in, &err);

		if (rc == BS_ENOTFOUND) {
			/* nothing due: once, stop when nothing is running either */
			if (w->o.once && (fleet_busy(j.f, &busy, &err) != BS_OK || busy == 0))
				break;
			/* a store or target added since: now and then, thread 0 */
			if (ta->index == 0 && ++misses % 10 == 0)
				fleet_refresh(j.f, &added, &err);
			nap_ms(next_in >= 0 && next_in < 1000 ? (next_in > 50 ? next_in : 50)
			                                      : 1000);
			continue;
		}
		if (rc != BS_OK) {
			logf_(w, "error: %s", err.msg);
			atomic_store(&w->fatal, 1);
			break;
		}
		slot_set(w, ta->index, &j.lease);
		rc = run_one(&j, owner, result, sizeof(result), &due);
		atomic_fetch_add(&w->runs, 1);
		if (rc != BS_OK)
			atomic_fetch_add(&w->failed_runs, 1);
		logf_(w, "%s %s: %s", j.lease.store, j.lease.target, result);
		/* a failed run is tried again in a minute, not a whole period
		 * (--once: not again) */
		if (rc != BS_OK && !w->o.once && (due < 0 || due > RETRY_FAILED_MS))
			due = RETRY_FAILED_MS;
		fleet_release(j.f, &j.lease, due, result, &err);
		slot_set(w, ta->index, NULL);
	}
out:
	fleet_close(j.f);
	atomic_fetch_sub(&w->running, 1);
	return NULL;
}

const char *worker_id(const struct worker *w)
{
	return w->id;
}

int worker_start(const struct worker_opts *opts, struct worker **out, struct bs_error *err)
{
	struct worker *w = NULL;
	struct fleet *f = NULL;
	unsigned char rnd[8];
	int64_t added = 0;
	int rc;

	*out = NULL;
	if (opts->url == NULL || opts->now_ms == NULL || opts->concurrency < 1 ||
	    opts->concurrency > WORKER_MAX || opts->every_ms <= 0 || opts->lease_ms < 1000)
		return bs_error_set(err, BS_EINVAL, "worker_start: bad options");
	/* the database first: a worker that cannot reach it says so now */
	rc = fleet_open(opts->url, &f, err);
	if (rc == BS_OK)
		rc = fleet_refresh(f, &added, err);
	fleet_close(f);
	if (rc != BS_OK)
		return rc;
	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->url = strdup(opts->url)) == NULL) {
		free(w);
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	}
	w->o = *opts;
	w->o.url = w->url;
	if (w->o.schedule_unit_ms <= 0)
		w->o.schedule_unit_ms = 60000;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(w->id, sizeof(w->id), rnd, sizeof(rnd));
	pthread_mutex_init(&w->log_mu, NULL);
	for (int i = 0; i < WORKER_MAX; i++)
		pthread_mutex_init(&w->slots[i].mu, NULL);
	atomic_store(&w->running, opts->concurrency);
	for (; w->started < opts->concurrency; w->started++) {
		w->ta[w->started] = (struct thread_arg){w, w->started};
		if (pthread_create(&w->th[w->started], NULL, thread_main, &w->ta[w->started]) != 0)
			break;
	}
	/* those that never started */
	atomic_fetch_sub(&w->running, opts->concurrency - w->started);
	w->beating = pthread_create(&w->hb, NULL, heartbeat_main, w) == 0;
	if (w->started == 0) {
		worker_end(w, NULL);
		return bs_error_set(err, BS_ENOMEM, "cannot start the worker's threads");
	}
	*out = w;
	return BS_OK;
}

void worker_stop(struct worker *w, bool now)
{
	if (w == NULL)
		return;
	if (now)
		atomic_store(&w->stop_now, true);
	atomic_store(&w->stop, true);
}

void worker_stats(struct worker *w, struct worker_stats *out)
{
	out->posted = atomic_load(&w->posted);
	out->failed = atomic_load(&w->failed);
	out->calls = atomic_load(&w->calls);
	out->app_waits = atomic_load(&w->app_waits);
	out->runs = atomic_load(&w->runs);
	out->failed_runs = atomic_load(&w->failed_runs);
	out->fatal = atomic_load(&w->fatal) != 0;
}

void worker_end(struct worker *w, struct worker_stats *out)
{
	if (w == NULL)
		return;
	for (int i = 0; i < w->started; i++)
		pthread_join(w->th[i], NULL);
	if (w->beating)
		pthread_join(w->hb, NULL);
	if (out != NULL)
		worker_stats(w, out);
	for (int i = 0; i < WORKER_MAX; i++)
		pthread_mutex_destroy(&w->slots[i].mu);
	pthread_mutex_destroy(&w->log_mu);
	free(w->url);
	free(w);
}
