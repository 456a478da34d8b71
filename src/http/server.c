/*
 * server.c - libmicrohttpd's glue around one socket-free handler (see
 * server.h): a thread per connection, the request body read into memory up
 * to a cap (413 past it, without calling the handler), the query and path
 * %-decoded by libmicrohttpd, the raw path kept for routing, the peer's
 * address, and the handler's struct http_resp turned into a response.
 *
 * HEAD reaches the handler as "HEAD"; libmicrohttpd itself leaves the body
 * out of the answer, so a handler may treat it as GET.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_KV          64  /* headers and query arguments kept per request */
#define CONN_TIMEOUT_S  60  /* an idle connection is closed after this */
#define CONN_LIMIT_DFLT 256 /* concurrent connections when opts say 0 */
#define BODY_MAX_DFLT   ((size_t)8 << 20)
#define RAW_PATH_MAX    4096

struct http_server {
	struct MHD_Daemon *mhd;
	struct http_server_opts opts;
	char url[96];
};

/*
 * Per connection: made when the connection opens, freed when it closes
 * (libmicrohttpd calls that for every connection, however a request on it
 * ended), reused by each request on it in turn.  Keeping it per connection
 * rather than per request means a request libmicrohttpd abandons half-way
 * (say, too many query arguments for its memory pool) leaks nothing.
 */
struct conn_ctx {
	char raw_path[RAW_PATH_MAX + 1]; /* as sent, up to '?' */
	bool raw_too_long;
	struct buf body;
	bool too_big;  /* more than body_max arrived: read and dropped */
	bool answered; /* a 413 was queued before the body */
	bool started;  /* the first call (headers only) has been seen */
};

struct kv_collect {
	struct http_kv kv[MAX_KV];
	size_t n;
};

int http_listen_parse(const char *spec, struct sockaddr_in *sa, char *host, size_t hostlen,
                      struct bs_error *err)
{
	const char *colon = spec ? strrchr(spec, ':') : NULL;
	const char *p;
	unsigned long port = 0;

	if (colon == NULL || colon == spec || (size_t)(colon - spec) >= hostlen ||
	    colon[1] == '\0' || strlen(colon + 1) > 5)
		return bs_error_set(err, BS_EINVAL, "listen address '%s': expected ADDR:PORT",
		                    spec ? spec : "");
	for (p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return bs_error_set(err, BS_EINVAL,
			                    "listen address '%s': the port is not a number", spec);
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port > 65535)
		return bs_error_set(err, BS_EINVAL, "listen address '%s': port over 65535", spec);
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (strcmp(host, "localhost") == 0)
		snprintf(host, hostlen, "127.0.0.1");
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return bs_error_set(err, BS_EINVAL, "listen address '%s': not an IPv4 address",
		                    spec);
	return BS_OK;
}

static enum MHD_Result kv_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
	struct kv_collect *c = cls;

	(void)kind;
	if (c->n < MAX_KV && key != NULL) {
		c->kv[c->n].key = key;
		c->kv[c->n].value = value ? value : "";
		c->n++;
	}
	return MHD_YES;
}

static void on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;
	struct conn_ctx *cc = *socket_context;

	(void)con;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		cc = calloc(1, sizeof(*cc));
		if (cc != NULL)
			buf_init(&cc->body, srv->opts.body_max);
		*socket_context = cc;
	} else if (cc != NULL) {
		buf_free(&cc->body);
		free(cc);
		*socket_context = NULL;
	}
}

/* The first thing libmicrohttpd knows of a request: its URI before any
 * decoding.  What this returns becomes the request's context. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_ctx *cc = ci != NULL ? ci->socket_context : NULL;
	size_t n = strcspn(uri, "?");

	(void)cls;
	if (cc == NULL)
		return NULL;
	buf_free(&cc->body);
	cc->too_big = cc->answered = cc->started = false;
	cc->raw_too_long = n > RAW_PATH_MAX;
	if (cc->raw_too_long)
		n = 0;
	memcpy(cc->raw_path, uri, n);
	cc->raw_path[n] = '\0';
	return cc;
}

static void add_fixed_headers(struct MHD_Response *mr)
{
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(mr, "X-Frame-Options", "DENY");
	MHD_add_response_header(mr, "Cache-Control", "no-store");
	MHD_add_response_header(mr, "Content-Security-Policy",
	                        "default-src 'none'; frame-ancestors 'none'");
}

/* An answer the server makes itself (413, 500): the API's error shape. */
static enum MHD_Result queue_error(struct MHD_Connection *con, unsigned status, const char *msg)
{
	char body[256];
	struct MHD_Response *mr;
	enum MHD_Result ret;
	int n = snprintf(body, sizeof(body), "{\"error\":{\"status\":%u,\"message\":\"%s\"}}",
	                 status, msg);

	mr = MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
	if (mr == NULL)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", "application/json");
	add_fixed_headers(mr);
	ret = MHD_queue_response(con, status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static void peer_of(struct MHD_Connection *con, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	snprintf(out, n, "unknown");
	if (ci == NULL || ci->client_addr == NULL)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
		          (socklen_t)n);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out,
		          (socklen_t)n);
}

/* Over TLS: only a proxy on this machine may say so (X-Forwarded-Proto). */
static bool is_tls(const struct http_req *req)
{
	const char *fp = http_req_header(req, "X-Forwarded-Proto");

	return fp != NULL && strcmp(fp, "https") == 0 &&
	       (strncmp(req->peer, "127.", 4) == 0 || strcmp(req->peer, "::1") == 0);
}

static enum MHD_Result send_resp(struct MHD_Connection *con, struct http_resp *resp)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;

	if (resp->drop)
		return MHD_NO;
	if (resp->status < 100 || resp->status > 599)
		return queue_error(con, 500, "the handler gave no answer");
	if (resp->static_body != NULL)
		mr = MHD_create_response_from_buffer(
		    resp->static_len, (void *)(uintptr_t)resp->static_body, MHD_RESPMEM_PERSISTENT);
	else
		mr = MHD_create_response_from_buffer(resp->body.len,
		                                     resp->body.ptr ? resp->body.ptr : (void *)"",
		                                     MHD_RESPMEM_MUST_COPY);
	if (mr == NULL)
		return MHD_NO;
	if (resp->content_type != NULL && resp->status != 204 && resp->status != 304)
		MHD_add_response_header(mr, "Content-Type", resp->content_type);
	for (size_t i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(mr, resp->hname[i], resp->hvalue[i]);
	ret = MHD_queue_response(con, (unsigned)resp->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* A Content-Length already over the cap: answer before reading the body. */
static bool declared_too_big(struct MHD_Connection *con, size_t max)
{
	const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
	unsigned long long n = 0;

	if (cl == NULL)
		return false;
	for (; *cl >= '0' && *cl <= '9'; cl++) {
		if (n > UINT64_MAX / 10 - 10)
			return true;
		n = n * 10 + (unsigned)(*cl - '0');
	}
	return n > max;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct conn_ctx *cc = *con_cls;
	struct kv_collect q, h;
	struct http_req req;
	struct http_resp resp;
	char peer[64];
	enum MHD_Result ret;

	(void)version;
	if (cc == NULL)
		return MHD_NO; /* out of memory when the connection opened */
	if (cc->answered) {
		*upload_size = 0; /* the 413 is queued: drop what still comes */
		return MHD_YES;
	}
	if (!cc->started) {
		/* the first call carries the headers only: a declared body over
		 * the cap is refused now, before the client sends it */
		cc->started = true;
		if (!declared_too_big(con, srv->opts.body_max))
			return MHD_YES;
		cc->too_big = true;
	}
	if (*upload_size > 0) {
		if (!cc->too_big && buf_add(&cc->body, upload_data, *upload_size) != BS_OK) {
			cc->too_big = true;
			buf_free(&cc->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (cc->too_big) {
		char msg[96];

		snprintf(msg, sizeof(msg), "the request body is over the limit of %zu bytes",
		         srv->opts.body_max);
		cc->answered = true;
		return queue_error(con, 413, msg);
	}
	if (cc->raw_too_long)
		return queue_error(con, 414, "the path is too long");
	if (strstr(cc->raw_path, "%00") != NULL) /* decoding would cut the path short */
		return queue_error(con, 400, "the path holds an encoded NUL");
	q.n = h.n = 0;
	MHD_get_connection_values(con, MHD_GET_ARGUMENT_KIND, kv_iter, &q);
	MHD_get_connection_values(con, MHD_HEADER_KIND, kv_iter, &h);
	peer_of(con, peer, sizeof(peer));
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.raw_path = cc->raw_path;
	req.query = q.kv;
	req.nquery = q.n;
	req.headers = h.kv;
	req.nheaders = h.n;
	req.body = cc->body.len ? cc->body.ptr : "";
	req.body_len = cc->body.len;
	req.peer = peer;
	req.tls = is_tls(&req);
	http_resp_init(&resp, srv->opts.resp_max);
	srv->opts.handler(srv->opts.arg, &req, &resp);
	ret = send_resp(con, &resp);
	http_resp_free(&resp);
	return ret;
}

/* A request is over: its body's memory goes (the context stays with the
 * connection, see struct conn_ctx). */
static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *cc = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (cc != NULL)
		buf_free(&cc->body);
	*con_cls = NULL;
}

int http_server_start(const struct http_server_opts *opts, struct http_server **out,
                      struct bs_error *err)
{
	struct http_server *srv;
	struct sockaddr_in sa, bound;
	socklen_t bl = sizeof(bound);
	const union MHD_DaemonInfo *di;
	char host[64];
	int rc, fd;

	*out = NULL;
	if (opts->handler == NULL)
		return bs_error_set(err, BS_EINVAL, "no request handler");
	rc = http_listen_parse(opts->listen, &sa, host, sizeof(host), err);
	if (rc != BS_OK)
		return rc;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	srv->opts = *opts;
	srv->opts.listen = NULL; /* the caller's string: not kept */
	if (srv->opts.body_max == 0)
		srv->opts.body_max = BODY_MAX_DFLT;
	if (srv->opts.conn_limit == 0)
		srv->opts.conn_limit = CONN_LIMIT_DFLT;
	srv->mhd = MHD_start_daemon(
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
	    on_request, srv, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION,
	    on_connection, srv, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_LIMIT, srv->opts.conn_limit, MHD_OPTION_END);
	if (srv->mhd == NULL) {
		rc = bs_error_set(err, BS_EIO, "cannot listen on %s: %s", opts->listen,
		                  errno ? strerror(errno) : "address in use or not available");
		goto fail;
	}
	di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_LISTEN_FD);
	fd = di ? di->listen_fd : -1;
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&bound, &bl) != 0) {
		rc = bs_error_set(err, BS_EIO, "cannot read the port bound");
		goto fail;
	}
	snprintf(srv->url, sizeof(srv->url), "http://%s:%u", host, (unsigned)ntohs(bound.sin_port));
	*out = srv;
	return BS_OK;
fail:
	http_server_stop(srv);
	return rc;
}

const char *http_server_url(const struct http_server *srv)
{
	return srv->url;
}

void http_server_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->mhd != NULL)
		MHD_stop_daemon(srv->mhd);
	free(srv);
}
