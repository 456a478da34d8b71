/*
 * client.h - a small HTTP client (libcurl) and the URL/form encoding helpers
 * the ledger connectors need.
 *
 * One struct http_client wraps one CURL easy handle, reused request after
 * request so connections stay alive (keep-alive, TLS sessions, DNS cache).
 * A client is not thread-safe: use one per thread.
 *
 * Process set-up: libcurl's global state must be initialised once per
 * process before any thread uses a client.  main() and each test program
 * call http_global_init() once at start and http_global_cleanup() once at
 * exit, while no other thread runs.  Library code never calls them.
 *
 * http_send never retries and never logs: request and response headers carry
 * bearer tokens and client secrets.  The caller decides what a status or a
 * network failure means.
 */
#ifndef BS_HTTP_CLIENT_H
#define BS_HTTP_CLIENT_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_BODY_MAX        ((size_t)64 << 20) /* default response body bound: 64 MiB */
#define HTTP_HEADERS_MAX     ((size_t)64 << 10) /* response header block bound: 64 KiB */
#define HTTP_TIMEOUT_DEFAULT 30000L             /* ms, when http_request.timeout_ms is 0 */

/*
 * Initialise / release libcurl's process-wide state.  Call once each, from
 * the main thread, before creating and after freeing every client.
 * http_global_init: BS_EINTERNAL when libcurl cannot initialise.
 */
int http_global_init(struct bs_error *err);
void http_global_cleanup(void);

struct http_client;

/* A new client (owned by the caller, free with http_client_free).  BS_ENOMEM. */
int http_client_new(struct http_client **out, struct bs_error *err);

/* Close its connections and free it.  NULL is a no-op. */
void http_client_free(struct http_client *c);

struct http_request {
	const char *method;         /* "GET", "POST", "PUT", "DELETE", ...; NULL = "GET" */
	const char *url;            /* absolute http:// or https:// URL */
	const char *const *headers; /* "Name: value" strings, NULL-terminated; may be NULL */
	/* body: may be NULL (no body); sent as is, may hold NULs; without a
	 * Content-Type header libcurl labels it application/x-www-form-urlencoded */
	const char *body;
	size_t body_len;       /* bytes of body */
	long timeout_ms;       /* whole exchange; 0 = HTTP_TIMEOUT_DEFAULT */
	bool follow_redirects; /* false: a 3xx is returned as the response */
	/*
	 * The caller sends again itself, counted by its rate limiter (an API
	 * call through sync/paced): libcurl's own re-send of the request when a
	 * kept-alive connection turns out closed before any answer is stopped
	 * and reported (http_response.stale_conn).  false: libcurl re-sends,
	 * as it does by default (token and other unmetered calls).
	 */
	bool caller_resends;
};

/*
 * The last response of an exchange (after redirects, when followed).  The
 * response owns its buffers; http_send empties them first, so one response
 * may serve many requests.  body.max is the body bound: http_response_init
 * sets HTTP_BODY_MAX, a caller may lower (or raise) it before http_send.
 * Treat `hdrs` as private: read headers with http_response_header.
 */
struct http_response {
	long status;     /* HTTP status code, 0 until a response arrived */
	struct buf body; /* the body, NUL-terminated (buf_cstr) for text bodies */
	struct buf hdrs; /* private: "name\0value\0" pairs, bounded by HTTP_HEADERS_MAX */
	size_t nhdrs;    /* number of headers kept */
	/* With http_request.caller_resends: a kept-alive connection was found
	 * closed before any answer, and libcurl's own re-send of the request
	 * was stopped (http_send returns BS_ENET).  The server may or may not
	 * have it; sending it again at once, counted, is usually right. */
	bool stale_conn;
};

void http_response_init(struct http_response *r);
void http_response_free(struct http_response *r);

/*
 * The value of response header `name` (case-insensitive), leading and
 * trailing blanks trimmed; the last one when repeated; NULL when absent.
 * Points into r, valid until the next http_send or http_response_free.
 */
const char *http_response_header(const struct http_response *r, const char *name);

/*
 * Header `name` as a non-negative decimal integer (X-MinLimit-Remaining,
 * X-DayLimit-Remaining, X-AppMinLimit-Remaining, Content-Length).  BS_OK,
 * BS_ENOTFOUND when absent, BS_EPARSE when not digits only, BS_ERANGE past
 * INT64_MAX.
 */
int http_response_header_int(const struct http_response *r, const char *name, int64_t *out);

/*
 * How long Retry-After asks to wait, in ms: delay-seconds ("17"), or an
 * HTTP-date taken relative to now_ms (the caller's clock; a past date gives
 * 0).  BS_OK, BS_ENOTFOUND when absent, BS_EPARSE when neither form.
 */
int http_retry_after_ms(const struct http_response *r, int64_t now_ms, int64_t *out);

/*
 * Perform one request.  BS_OK whenever an HTTP response arrived, whatever
 * its status (resp->status, body, headers filled in).  Otherwise:
 *   BS_ENET     connection refused, reset or lost, timeout, empty reply,
 *               name not resolved, TLS failure; the message says which and
 *               carries libcurl's text (never a header or the query string).
 *   BS_ETOOBIG  the body exceeded resp->body.max, or the headers
 *               HTTP_HEADERS_MAX (the response is then incomplete);
 *   BS_EINVAL   bad request (NULL url, malformed URL, unsupported scheme,
 *               a header without ':' or with CR/LF, body NULL with body_len);
 *   BS_EPROTO   something answered that was not HTTP;
 *   BS_ENOMEM.
 * No retries.  Reuses the client's open connection to the same host.
 */
int http_send(struct http_client *c, const struct http_request *req, struct http_response *resp,
              struct bs_error *err);

/* ---- encoding helpers ---- */

/*
 * Append `s` percent-encoded (RFC 3986: only A-Z a-z 0-9 - . _ ~ kept).
 * BS_ETOOBIG / BS_ENOMEM from the buffer; on error `out` may hold a prefix.
 */
int http_url_encode(struct buf *out, const char *s);

/*
 * Append "name=value" to an application/x-www-form-urlencoded body, with
 * a '&' first when `form` is not empty; both parts are percent-encoded.
 */
int http_form_add(struct buf *form, const char *name, const char *value);

/*
 * Find query parameter `name` in `url` (the part after the first '?', up to
 * '#') and append its decoded value ('+' is a space, %XX a byte) to `value`.
 * The first occurrence wins.  BS_OK found (possibly empty), BS_ENOTFOUND
 * absent (or no query), BS_EPARSE a bad %-escape or an encoded NUL in that
 * value, BS_ETOOBIG / BS_ENOMEM from the buffer.
 */
int http_url_query_param(const char *url, const char *name, struct buf *value);

#endif
