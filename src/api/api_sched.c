/*
 * api_sched.c - the scheduler of `booksync serve`: Sync All of every
 * connected target every schedule.sync_minutes (api_jobs_int.h), and the
 * inbound payment import (docs/inbound.md) every inbound.every_minutes
 * while import_payments is on, or at once for a target whose
 * `inbound.due:<target>` has come (a webhook asks so).
 *
 * It only submits jobs; the runner (api_jobs.c) runs them, one at a time,
 * and refuses a job identical to one queued or running (BS_EBUSY), which
 * is how a target whose last scheduled sync has not finished is skipped
 * rather than queued twice.  The setting is read at every poll, so a
 * change made through the API or `booksync settings` counts at once.
 */
#include "api/api_jobs_int.h"

#include "inbound/inbound.h"
#include "store/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct api_sched {
	struct api_jobs *js;
	struct store *st; /* the scheduler's own connection */
	char *db_path;    /* for the inbound runs' sessions (the key file) */
	bool by_workers;  /* the syncs are the fleet workers' (api_opts) */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* stopping */
	pthread_t thread;
	bool started, stopping;
};

static int64_t sched_minutes(struct store *st)
{
	return settings_minutes(st, "schedule.sync_minutes");
}

/* The import's minutes, 0 (off) while import_payments is not on. */
static int64_t inbound_minutes(struct store *st)
{
	struct buf v;
	bool on;

	buf_init(&v, 16);
	on = settings_get(st, "import_payments", &v, NULL) == BS_OK &&
	     strcmp(buf_cstr(&v), "true") == 0;
	buf_free(&v);
	return on ? settings_minutes(st, "inbound.every_minutes") : 0;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Inbound runs: every connected target when `all` (its period came), else
 * those whose inbound.due has come.  A run that meets a sync of the
 * target (BS_EBUSY) leaves inbound.due set, so the next poll tries again;
 * what a run did is in the store (store_inbound.h, GET /metrics). */
static void inbound_tick(struct api_sched *s, bool all)
{
	struct api_targets ts = {0};
	struct bs_error err;

	if (api_targets_collect(s->st, &ts, &err) == BS_OK) {
		for (size_t i = 0; i < ts.n; i++) {
			struct inbound_result r;

			if (!api_target_connected(s->st, ts.t[i]) ||
			    !(all || inbound_due(s->st, ts.t[i], wall_ms())))
				continue;
			bs_error_clear(&err);
			if (inbound_run_target(s->st, s->db_path, ts.t[i], wall_ms, 0, &r, &err) !=
			        BS_OK &&
			    err.code != BS_EBUSY) {
				char key[256];

				/* a failing ledger is not asked again every poll: the
				 * next period's run tries it */
				inbound_due_key(ts.t[i], key, sizeof(key));
				store_setting_unset(s->st, key, NULL);
			}
		}
	}
	free(ts.t);
}

bool api_target_connected(struct store *st, const char *target)
{
	struct buf name, v;
	bool yes;

	buf_init(&name, 256);
	buf_init(&v, 131072);
	/* the sealed credentials (sync/session.h): present = connected */
	yes = buf_printf(&name, "cred:%s", target) == BS_OK &&
	      store_setting_get(st, buf_cstr(&name), &v, NULL) == BS_OK && v.len > 0;
	buf_free(&name);
	buf_free(&v);
	return yes;
}

/* Sync All of every connected target, origin "schedule"; a refusal
 * (BS_EBUSY: the same job queued or running) is the skip. */
static void sched_tick(struct api_sched *s)
{
	struct api_targets ts = {0};
	struct bs_error err;

	if (api_targets_collect(s->st, &ts, &err) == BS_OK) {
		for (size_t i = 0; i < ts.n; i++) {
			struct api_job_req r = {0};
			int64_t id;

			if (!api_target_connected(s->st, ts.t[i]))
				continue;
			r.sync.target = ts.t[i];
			r.origin = "schedule";
			api_jobs_submit_on(s->js, s->st, &r, &id, &err);
		}
	}
	free(ts.t);
}

static void *sched_main(void *arg)
{
	struct api_sched *s = arg;
	int64_t unit = settings_minute_ms();
	int64_t poll = unit / 4 < 50 ? 50 : unit / 4 > 1000 ? 1000 : unit / 4;
	int64_t last = api_mono_ms(), last_in = last;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		int64_t minutes, now, in_minutes;

		api_cond_wait_ms(&s->cv, &s->mu, poll);
		if (s->stopping)
			break;
		pthread_mutex_unlock(&s->mu);
		minutes = s->by_workers ? 0 : sched_minutes(s->st);
		now = api_mono_ms();
		if (minutes == 0) {
			last = now; /* off: the first tick comes N minutes after it is on */
		} else if (now - last >= minutes * unit) {
			last = now;
			sched_tick(s);
		}
		in_minutes = inbound_minutes(s->st);
		if (in_minutes == 0) {
			last_in = now;
		} else if (now - last_in >= in_minutes * unit) {
			last_in = now;
			inbound_tick(s, true);
		} else {
			inbound_tick(s, false); /* early runs a webhook asked for */
		}
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int api_sched_start(struct api_jobs *js, const struct api_opts *ao, struct api_sched **out,
                    struct bs_error *err)
{
	const char *db_path = ao->db_path;
	struct api_sched *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	if (s == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	s->js = js;
	s->by_workers = ao->sync_by_workers;
	s->db_path = strdup(db_path != NULL ? db_path : "");
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	rc = s->db_path == NULL ? bs_error_set(err, BS_ENOMEM, "out of memory")
	                        : store_open(db_path, 0, &s->st, err);
	if (rc == BS_OK && pthread_create(&s->thread, NULL, sched_main, s) != 0)
		rc = bs_error_set(err, BS_ENOMEM, "cannot start the scheduler");
	if (rc != BS_OK) {
		api_sched_stop(s);
		return rc;
	}
	s->started = true;
	*out = s;
	return BS_OK;
}

void api_sched_stop(struct api_sched *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->started)
		pthread_join(s->thread, NULL);
	store_close(s->st);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->db_path);
	free(s);
}
