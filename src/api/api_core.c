/*
 * api_core.c - `booksync serve`'s life cycle (api.h) and the store pool
 * (api_int.h): start opens and checks the store, starts the job runner
 * and then the listener; stop undoes it in reverse.
 *
 * The pool: each request in flight under /api/ takes a store connection
 * and gives it back when answered; connections are opened on demand and
 * kept for reuse (up to POOL_KEEP idle), so a steady load opens none.
 * SQLite connections are not shared between threads: one request, one
 * connection, and WAL lets the readers run beside the one writer.
 */
#include "api/api_core_int.h"
#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define POOL_KEEP   256 /* idle connections kept open */
#define LISTEN_DFLT "127.0.0.1:8080"
#define CONN_LIMIT  512

struct api_server {
	struct api_opts opts; /* strings point into the copies below */
	char *db_path, *listen, *today;
	struct http_server *http;
	struct api_jobs *jobs;
	struct api_events *events;
	pthread_mutex_t mu; /* guards the pool and stopping */
	struct store *idle[POOL_KEEP];
	size_t nidle;
	bool stopping;
};

const struct api_opts *api_server_opts(const struct api_server *srv)
{
	return &srv->opts;
}

int api_store_get(struct api_server *srv, struct store **st, struct bs_error *err)
{
	*st = NULL;
	pthread_mutex_lock(&srv->mu);
	if (srv->stopping) {
		pthread_mutex_unlock(&srv->mu);
		return bs_error_set(err, BS_EBUSY, "the server is stopping");
	}
	if (srv->nidle > 0)
		*st = srv->idle[--srv->nidle];
	pthread_mutex_unlock(&srv->mu);
	if (*st != NULL)
		return BS_OK;
	/* a small page cache each: the pool's memory is the cache times the
	 * connections, up to 256 kept (changed by the data helper: 16 MiB each
	 * grew the server to 690 MiB under 200 clients paging 1M records) */
	return store_open(srv->db_path, STORE_OPEN_SMALL_CACHE, st, err);
}

void api_store_put(struct api_server *srv, struct store *st)
{
	if (st == NULL)
		return;
	pthread_mutex_lock(&srv->mu);
	if (!srv->stopping && srv->nidle < POOL_KEEP) {
		srv->idle[srv->nidle++] = st;
		st = NULL;
	}
	pthread_mutex_unlock(&srv->mu);
	store_close(st);
}

/* The HTTP handler: a store for /api/, then api_dispatch. */
static void on_http(void *arg, const struct http_req *req, struct http_resp *resp)
{
	struct api_server *srv = arg;
	struct api_call call;
	struct bs_error err;
	int rc;

	memset(&call, 0, sizeof(call));
	call.srv = srv;
	call.db_path = srv->db_path;
	call.now_ms = srv->opts.now_ms();
	if (strncmp(req->path, "/api/", 5) == 0 || strncmp(req->path, "/webhooks/", 10) == 0) {
		bs_error_clear(&err);
		rc = api_store_get(srv, &call.st, &err);
		if (rc != BS_OK) {
			http_resp_header(resp, "Cache-Control", "no-store");
			api_error(resp, 503, NULL, "the store is not available: %s", err.msg);
			return;
		}
	}
	api_dispatch(&call, req, resp);
	api_store_put(srv, call.st);
}

static char *dup_or_null(const char *s, bool *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*fail = true;
	return d;
}

int api_start(const struct api_opts *opts, struct api_server **out, struct bs_error *err)
{
	struct http_server_opts ho;
	struct api_server *srv;
	struct store *st = NULL;
	bool fail = false;
	int rc;

	*out = NULL;
	if (opts->db_path == NULL || opts->now_ms == NULL)
		return bs_error_set(err, BS_EINVAL, "api_start: no store path or clock");
	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	pthread_mutex_init(&srv->mu, NULL);
	srv->db_path = dup_or_null(opts->db_path, &fail);
	srv->listen = dup_or_null(opts->listen ? opts->listen : LISTEN_DFLT, &fail);
	srv->today = dup_or_null(opts->today, &fail);
	if (fail) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto fail;
	}
	srv->opts.db_path = srv->db_path;
	srv->opts.listen = srv->listen;
	srv->opts.today = srv->today;
	srv->opts.now_ms = opts->now_ms;
	srv->opts.log = opts->log;
	srv->opts.sync_by_workers = opts->sync_by_workers;
	/* the one open that checks the file and brings the schema up to date */
	rc = store_open(srv->db_path, STORE_OPEN_CHECK, &st, err);
	if (rc != BS_OK)
		goto fail;
	api_store_put(srv, st);
	rc = api_jobs_start(srv, &srv->jobs, err);
	if (rc == BS_OK)
		rc = api_events_start(srv, &srv->events, err);
	if (rc != BS_OK)
		goto fail;
	memset(&ho, 0, sizeof(ho));
	ho.listen = srv->listen;
	ho.body_max = API_BODY_MAX;
	ho.resp_max = BUF_MAX_DEFAULT;
	ho.conn_limit = CONN_LIMIT;
	ho.handler = on_http;
	ho.arg = srv;
	rc = http_server_start(&ho, &srv->http, err);
	if (rc != BS_OK)
		goto fail;
	*out = srv;
	return BS_OK;
fail:
	api_stop(srv);
	return rc;
}

const char *api_url(const struct api_server *srv)
{
	return http_server_url(srv->http);
}

void api_stop(struct api_server *srv)
{
	if (srv == NULL)
		return;
	/* no new requests; the ones in flight finish (they may submit jobs) */
	http_server_stop(srv->http);
	srv->http = NULL;
	if (srv->jobs != NULL)
		api_jobs_stop(srv->jobs);
	srv->jobs = NULL;
	api_events_stop(srv->events);
	srv->events = NULL;
	pthread_mutex_lock(&srv->mu);
	srv->stopping = true;
	pthread_mutex_unlock(&srv->mu);
	while (srv->nidle > 0)
		store_close(srv->idle[--srv->nidle]);
	pthread_mutex_destroy(&srv->mu);
	free(srv->db_path);
	free(srv->listen);
	free(srv->today);
	free(srv);
}
