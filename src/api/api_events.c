/*
 * api_events.c - serve's events deliverer (docs/events.md): one thread
 * that, once a schedule second (a minute is $BOOKSYNC_EVENTS_UNIT_MS ms
 * in tests),
 * delivers the due events with events_deliver_due, on its own store
 * connection and HTTP client.  A store error is tried again next tick;
 * an event's failure is the event's (retried or dead), not the thread's.
 */
#include "api/api_int.h"
#include "api/api_jobs_int.h"
#include "events/events.h"
#include "http/client.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>

struct api_events {
	struct api_server *srv;
	struct store *st;
	struct http_client *http;
	pthread_t th;
	bool started, stopping;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t unit_ms;
};

static void *deliver_main(void *arg)
{
	struct api_events *ev = arg;
	const struct api_opts *ao = api_server_opts(ev->srv);
	/* a schedule second, within 20 ms..1 s */
	int64_t tick = ev->unit_ms / 60;

	tick = tick < 20 ? 20 : tick > 1000 ? 1000 : tick;

	pthread_mutex_lock(&ev->mu);
	while (!ev->stopping) {
		struct events_run run = {0, 0, 0};
		struct bs_error err;

		pthread_mutex_unlock(&ev->mu);
		bs_error_clear(&err);
		(void)events_deliver_due(ev->st, ev->http, ao->now_ms(), ev->unit_ms, 0, &run,
		                         &err);
		pthread_mutex_lock(&ev->mu);
		if (!ev->stopping)
			api_cond_wait_ms(&ev->cv, &ev->mu, tick);
	}
	pthread_mutex_unlock(&ev->mu);
	return NULL;
}

int api_events_start(struct api_server *srv, struct api_events **out, struct bs_error *err)
{
	struct api_events *ev = calloc(1, sizeof(*ev));
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	if (ev == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	ev->srv = srv;
	ev->unit_ms = events_unit_ms();
	pthread_mutex_init(&ev->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ev->cv, &ca);
	pthread_condattr_destroy(&ca);
	rc = store_open(api_server_opts(srv)->db_path, 0, &ev->st, err);
	if (rc == BS_OK)
		rc = http_client_new(&ev->http, err);
	if (rc == BS_OK && pthread_create(&ev->th, NULL, deliver_main, ev) != 0)
		rc = bs_error_set(err, BS_ENOMEM, "cannot start the events deliverer");
	if (rc != BS_OK) {
		api_events_stop(ev);
		return rc;
	}
	ev->started = true;
	*out = ev;
	return BS_OK;
}

void api_events_stop(struct api_events *ev)
{
	if (ev == NULL)
		return;
	pthread_mutex_lock(&ev->mu);
	ev->stopping = true;
	pthread_cond_broadcast(&ev->cv);
	pthread_mutex_unlock(&ev->mu);
	if (ev->started)
		pthread_join(ev->th, NULL);
	http_client_free(ev->http);
	store_close(ev->st);
	pthread_cond_destroy(&ev->cv);
	pthread_mutex_destroy(&ev->mu);
	free(ev);
}
