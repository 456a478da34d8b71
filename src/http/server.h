/*
 * server.h - booksync's HTTP server: libmicrohttpd's glue around one
 * socket-free handler, for `booksync serve` (src/api/).
 *
 * The server owns the sockets, reads each request body up to a limit
 * (bigger bodies are answered 413 before the handler runs), %-decodes the
 * path and the query, and hands the handler a plain struct http_req.  The
 * handler fills a struct http_resp; the server sends it.  Because the
 * handler never sees a socket, tests call it directly with a request they
 * built.  A thread per connection: a handler may block (a store lock, a
 * slow query) without stalling other clients.
 *
 * Memory: everything a request points to belongs to the server and lives
 * until the handler returns.  A response owns its body buffer; static
 * bodies (embedded files) are pointed to, not copied, and must outlive the
 * server.
 */
#ifndef BS_HTTP_SERVER_H
#define BS_HTTP_SERVER_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

struct http_kv {
	const char *key;
	const char *value;
};

struct http_req {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* URL path without the query, %-decoded */
	/* The path as sent, before %-decoding (NULL = same as path): routing
	 * splits it at '/' first and decodes each segment, so an id holding an
	 * encoded slash stays one segment.  (Added by serve to the contract.) */
	const char *raw_path;
	const struct http_kv *query;
	size_t nquery; /* query arguments in order, %-decoded */
	const struct http_kv *headers;
	size_t nheaders; /* request headers; names compare case-insensitively */
	const char *body;
	size_t body_len;  /* the body, NUL-terminated after body_len */
	const char *peer; /* the client's address as text ("127.0.0.1") */
	bool tls;         /* the request came over TLS (X-Forwarded-Proto: https
	                     from a loopback proxy counts) */
};

/* The value of query argument `key` (first one), or NULL. */
const char *http_req_query(const struct http_req *req, const char *key);

/* The value of header `name` (case-insensitive), or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);

/* The value of cookie `name` from the Cookie header into out; false when absent. */
bool http_req_cookie(const struct http_req *req, const char *name, struct buf *out);

#define HTTP_RESP_HEADERS 16
#define HTTP_HDR_NAME     48
#define HTTP_HDR_VALUE    1024

struct http_resp {
	int status;               /* 200 unless set */
	const char *content_type; /* a static string; NULL = none */
	struct buf body;          /* owned by the response */
	const void *static_body;  /* when non-NULL, sent instead of body (not copied) */
	size_t static_len;
	size_t nheaders;
	char hname[HTTP_RESP_HEADERS][HTTP_HDR_NAME];
	char hvalue[HTTP_RESP_HEADERS][HTTP_HDR_VALUE];
	/* close the connection without answering (the sandbox's "drop" and
	 * "lost" faults; added by serve to the contract) */
	bool drop;
};

/* Prepare / release a response; body_max caps the body buffer. */
void http_resp_init(struct http_resp *resp, size_t body_max);
void http_resp_free(struct http_resp *resp);

/* Add a response header.  BS_ETOOBIG when full or too long (nothing added). */
int http_resp_header(struct http_resp *resp, const char *name, const char *value);

/*
 * The handler.  Always leaves a complete answer in resp (the server sends
 * 500 when status is 0).  Called from many threads at once.
 */
typedef void (*http_handler)(void *arg, const struct http_req *req, struct http_resp *resp);

struct http_server_opts {
	const char *listen;  /* "ADDR:PORT"; port 0 picks a free one */
	size_t body_max;     /* bigger request bodies get 413 without the handler */
	size_t resp_max;     /* cap of each response's body buffer */
	unsigned conn_limit; /* concurrent connections */
	http_handler handler;
	void *arg;
};

struct http_server;

/*
 * Listen and serve until http_server_stop.  BS_EINVAL for a listen address
 * that is not ADDR:PORT, BS_EIO when the address cannot be bound.
 */
int http_server_start(const struct http_server_opts *opts, struct http_server **out,
                      struct bs_error *err);

/* "http://ADDR:PORT" with the port actually bound.  Owned by the server. */
const char *http_server_url(const struct http_server *srv);

struct sockaddr_in;

/*
 * Parse "ADDR:PORT" (an IPv4 address or "localhost"; port 0..65535) into
 * *sa, and the address as text into host[hostlen].  BS_EINVAL with a
 * message naming `spec` otherwise.  Shared with the sandbox's server.
 */
int http_listen_parse(const char *spec, struct sockaddr_in *sa, char *host, size_t hostlen,
                      struct bs_error *err);

/* Stop accepting, wait for requests in flight to finish, free.  NULL is a no-op. */
void http_server_stop(struct http_server *srv);

#endif
