/*
 * api.h - `booksync serve`: the REST API (/api/v1/), the dashboard's
 * embedded static files and the scheduler, over src/http/server.h.
 *
 * This is the whole contract cmd_serve.c needs: start, say where, stop.
 * How requests are routed, authenticated and answered is internal
 * (api_int.h); what the API looks like on the wire is docs/openapi.yaml.
 */
#ifndef BS_API_API_H
#define BS_API_API_H

#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>

struct api_opts {
	const char *db_path; /* the store (it must exist: `booksync init`) */
	const char *listen;  /* "ADDR:PORT"; NULL = "127.0.0.1:8080" */
	/* "YYYY-MM-DD" passed to every sync as its consolidation day; NULL =
	 * today in the organisation's time zone (as `sync --today`) */
	const char *today;
	int64_t (*now_ms)(void); /* the clock: time enters from the caller */
	/* one line for the operator (a refused webhook); NULL = none.  Never
	 * given a secret or a request body. */
	void (*log)(const char *line);
	/* The store's syncs are the fleet's (serve --workers or --fleet,
	 * worker/worker.h; db_path is then a postgresql:// store): the
	 * workers follow schedule.sync_minutes themselves, so the scheduler
	 * leaves the syncs out, and a sync job asked through the API is
	 * stored for any worker to take (api_jobs.c), not run here. */
	bool sync_by_workers;
};

struct api_server;

/*
 * Open the store, start listening and start the scheduler.  Errors:
 * store errors (BS_ESTORE, BS_ENOTFOUND for a missing store), BS_EINVAL
 * for a bad listen address, BS_EIO when it cannot be bound.
 */
int api_start(const struct api_opts *opts, struct api_server **out, struct bs_error *err);

/* "http://ADDR:PORT" as bound.  Owned by the server. */
const char *api_url(const struct api_server *srv);

/*
 * Stop: no new requests or jobs; a running sync finishes the request it
 * is sending and stops before the next ledger call (nothing is left
 * half-done: the outbox resumes at the next sync); then everything is
 * freed.  NULL is a no-op.
 */
void api_stop(struct api_server *srv);

#endif
