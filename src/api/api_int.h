/*
 * api_int.h - what the API's files share: the route table, the
 * per-request context, the answer helpers and the job runner.
 *
 * Files: api_core.c (start/stop, routing, auth, CSRF, security headers,
 * the store pool), api_static.c (embedded dashboard files), api_auth.c
 * (users, tokens, sessions, lockout), api_jobs.c (sync jobs and the
 * scheduler), and one api_h_<area>.c per group of endpoints.  Every
 * endpoint is a row of api_routes[] (api_routes.c).
 *
 * Errors on the wire are always
 *     {"error": {"status": 400, "message": "...", "param": "cursor"}}
 * ("param" only when one request parameter is to blame), written by
 * api_error().  docs/openapi.yaml describes every answer.
 */
#ifndef BS_API_API_INT_H
#define BS_API_API_INT_H

#include "api/api.h"
#include "core/buf.h"
#include "core/error.h"
#include "http/server.h"
#include "sync/job.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* What a caller may do.  A dashboard session holds every scope. */
enum api_scope {
	API_SCOPE_RECORDS_WRITE = 1 << 0, /* "records:write": POST /records */
	API_SCOPE_READ = 1 << 1,          /* "read": every GET */
	API_SCOPE_SYNC = 1 << 2,          /* "sync": start syncs, resync, reset */
	API_SCOPE_ADMIN = 1 << 3,         /* "admin": settings, connections */
};

/* "records:write" -> API_SCOPE_RECORDS_WRITE; 0 for an unknown name. */
unsigned api_scope_parse(const char *name);

/* Who is calling (filled by the core before a handler runs). */
struct api_principal {
	char name[64];   /* user or token name */
	unsigned scopes; /* enum api_scope bits */
	bool session;    /* authenticated by cookie: state changes need CSRF */
};

/* One request as a handler sees it. */
struct api_ctx {
	struct api_server *srv;
	struct store *st; /* this request's store connection (read-write);
	                     owned by the core, valid until the handler returns */
	const char *db_path;
	const struct api_principal *who; /* NULL on routes of scope 0 */
	int64_t now_ms;
	const char *param[4]; /* the route's {name} segments, in order, decoded */
	size_t nparam;
};

typedef void (*api_fn)(struct api_ctx *c, const struct http_req *req, struct http_resp *resp);

struct api_route {
	const char *method;  /* "GET", "POST", "PUT", "DELETE" */
	const char *pattern; /* "/api/v1/records/{kind}/{id}": {x} matches one segment */
	unsigned scope;      /* the scope needed; 0 = none (healthz, login) */
	api_fn fn;
};

/*
 * The table, ended by a row with fn == NULL (api_routes.c).  Handlers are
 * declared by their area's header: api_auth_int.h (session, users,
 * health), api_jobs_int.h (sync, jobs, connections, metrics),
 * api_data_int.h (records, lists, settings).
 */
extern const struct api_route api_routes[];

/* ---- answers ---- */

/* Answer `status` with the JSON error object; param may be NULL. */
void api_error(struct http_resp *resp, int status, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Answer a bs_status with its HTTP status and err's message: BS_EINVAL,
 * BS_EPARSE, BS_EDIGITS, BS_ERANGE 400; BS_ENOTFOUND 404; BS_ECONFLICT,
 * BS_ESTALE, BS_EBUSY, BS_ESTATE 409; BS_ETOOBIG 413; BS_EAUTH 502 when the
 * ledger refused us; BS_ENET, BS_EPROTO 502; BS_ELIMIT 503; the rest 500.
 */
void api_error_bs(struct http_resp *resp, int status, const struct bs_error *err);

/* Set status and "application/json"; the caller writes resp->body. */
void api_json(struct http_resp *resp, int status);

/*
 * Cursors for lists that page by key: an opaque URL-safe token holding the
 * last row's key fields.  api_cursor_decode gives BS_EINVAL for a token
 * that is not one of ours (answer 400 naming "cursor").
 */
int api_cursor_encode(const char *const *fields, size_t n, struct buf *out);
int api_cursor_decode(const char *token, struct buf *scratch, const char **fields, size_t n);

/* ---- the server as the areas see it (api_core.c) ---- */

/* The options api_start was given (db_path, today, now_ms never NULL). */
const struct api_opts *api_server_opts(const struct api_server *srv);

/*
 * A store connection from the pool for a background thread (the job
 * runner, the scheduler); give it back with api_store_put.  BS_EBUSY while
 * the server is stopping.
 */
int api_store_get(struct api_server *srv, struct store **st, struct bs_error *err);
void api_store_put(struct api_server *srv, struct store *st);

/*
 * The store's targets as a list (names over 127 bytes are left out, as no
 * target is that long); free ts->t with free().  Store errors, BS_ENOMEM.
 */
struct api_targets {
	char (*t)[128];
	size_t n, cap;
};
int api_targets_collect(struct store *st, struct api_targets *ts, struct bs_error *err);

/* ---- sync jobs (api_jobs.c) ---- */

/*
 * The job runner and the scheduler, started by api_start after the store
 * pool and before listening, stopped by api_stop after the listener (the
 * running job stops before its next ledger call).  *jobs is the runner's
 * own state (opaque, api_jobs.c); api_start keeps it in the server and
 * api_jobs_of() gives it back to the endpoints.
 */
struct api_jobs;
int api_jobs_start(struct api_server *srv, struct api_jobs **jobs, struct bs_error *err);
void api_jobs_stop(struct api_jobs *jobs);

/* serve's events deliverer thread (api_events.c, docs/events.md); stop
 * joins it and frees it (NULL is a no-op). */
struct api_events;
int api_events_start(struct api_server *srv, struct api_events **out, struct bs_error *err);
void api_events_stop(struct api_events *ev);
struct api_jobs *api_jobs_of(struct api_server *srv);

enum api_job_state { API_JOB_QUEUED, API_JOB_RUNNING, API_JOB_DONE, API_JOB_FAILED };

struct api_job_req {
	struct sync_job_req sync; /* what to sync (sync/job.h) */
	const char *origin;       /* "api", "dashboard", "schedule" */
};

/*
 * Queue a sync job and return its id.  One job per target runs at a time,
 * and a target's sync lock is still taken by the job itself, so a CLI
 * `sync` of the same target waits or says so.  BS_EBUSY (with the running
 * job's id in *job_id) when an identical job of the target is queued or
 * running: a replayed POST /sync does not sync twice.
 */
int api_jobs_submit(struct api_server *srv, const struct api_job_req *r, int64_t *job_id,
                    struct bs_error *err);

#endif
