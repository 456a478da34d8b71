/*
 * test_http.c - the HTTP client (src/http/client.h) against a libmicrohttpd
 * server started here on 127.0.0.1 (a free port): statuses, headers, bodies
 * and their bound, network failures, redirects, keep-alive; and the URL,
 * form and query helpers, table-driven.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "http/client.h"

struct server {
	struct MHD_Daemon *d;
	unsigned port;
	atomic_int connections; /* TCP connections accepted so far */
	atomic_int drops;       /* requests /drop received */
	char base[64];
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Byte i of the deterministic body served by /big. */
static char pattern(size_t i)
{
	return (char)('a' + (i * 7 + i / 251) % 26);
}

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned status, struct buf *body,
                             const char *const *hdrs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(body->len, body->ptr ? body->ptr : (char *)"",
	                                    MHD_RESPMEM_MUST_COPY);
	for (const char *const *h = hdrs; h != NULL && h[0] != NULL; h += 2)
		MHD_add_response_header(r, h[0], h[1]);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static ssize_t chunked_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	size_t total = *(size_t *)cls, n = 0;

	if (pos >= total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	while (n < max && n < 4096 && pos + n < total) {
		out[n] = pattern((size_t)pos + n);
		n++;
	}
	return (ssize_t)n;
}

static size_t query_size(struct MHD_Connection *conn)
{
	const char *n = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "n");
	char *end;
	unsigned long long v;

	if (n == NULL)
		return 0;
	v = strtoull(n, &end, 10);
	return *end == '\0' ? (size_t)v : 0;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
	struct buf *in = *con_cls, out;
	enum MHD_Result ret;
	(void)version;

	if (in == NULL) { /* first call: headers only */
		in = malloc(sizeof(*in));
		if (in == NULL)
			return MHD_NO;
		buf_init(in, 0);
		*con_cls = in;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (buf_add(in, upload, *upload_size) != BS_OK)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	buf_init(&out, 0);
	if (strncmp(url, "/status/", 8) == 0) {
		unsigned st = (unsigned)strtoul(url + 8, NULL, 10);

		buf_printf(&out, "status %u", st);
		ret = queue(conn, st, &out, NULL);
	} else if (strcmp(url, "/echo") == 0) {
		const char *e = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Echo");
		const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
		const char *ex = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");

		buf_printf(&out, "%s|%s|%s|%s|", method, e ? e : "-", ct ? ct : "-", ex ? ex : "-");
		buf_add(&out, in->ptr ? in->ptr : "", in->len);
		ret = queue(conn, 200, &out, NULL);
	} else if (strcmp(url, "/headers") == 0) {
		static const char *const h[] = {"X-Dup",
		                                "first",
		                                "x-dup",
		                                "second",
		                                "Retry-After",
		                                "17",
		                                "X-Rate-Limit-Problem",
		                                "Minute",
		                                "X-MinLimit-Remaining",
		                                "59",
		                                "X-Padded",
		                                "  with spaces \t",
		                                NULL};

		ret = queue(conn, 429, &out, h);
	} else if (strcmp(url, "/sethdr") == 0) {
		const char *h[3] = {MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "n"),
		                    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "v"),
		                    NULL};

		ret = queue(conn, 200, &out, h[0] != NULL && h[1] != NULL ? h : NULL);
	} else if (strcmp(url, "/manyheaders") == 0) {
		struct MHD_Response *r =
		    MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
		char name[32], value[1001];

		memset(value, 'v', 1000);
		value[1000] = '\0';
		for (int i = 0; i < 80; i++) {
			snprintf(name, sizeof(name), "X-Many-%d", i);
			MHD_add_response_header(r, name, value);
		}
		ret = MHD_queue_response(conn, 200, r);
		MHD_destroy_response(r);
	} else if (strcmp(url, "/big") == 0) {
		size_t n = query_size(conn);

		for (size_t i = 0; i < n; i++)
			buf_addc(&out, pattern(i));
		ret = queue(conn, 200, &out, NULL);
	} else if (strcmp(url, "/bigchunked") == 0) {
		static size_t total;
		struct MHD_Response *r;

		total = query_size(conn);
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, chunked_reader,
		                                      &total, NULL);
		ret = MHD_queue_response(conn, 200, r);
		MHD_destroy_response(r);
	} else if (strcmp(url, "/redirect") == 0) {
		static const char *const h[] = {"Location", "/status/201", "X-Hop", "redirect",
		                                NULL};

		buf_addstr(&out, "moved");
		ret = queue(conn, 302, &out, h);
	} else if (strcmp(url, "/sleep") == 0) {
		sleep_ms(1200);
		buf_addstr(&out, "late");
		ret = queue(conn, 200, &out, NULL);
	} else if (strcmp(url, "/drop") == 0) {
		atomic_fetch_add(&((struct server *)cls)->drops, 1);
		ret = MHD_NO; /* close the connection without a response */
	} else {
		buf_addstr(&out, "not found");
		ret = queue(conn, 404, &out, NULL);
	}
	buf_free(&out);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct buf *in = *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;

	if (in != NULL) {
		buf_free(in);
		free(in);
		*con_cls = NULL;
	}
}

static void notify_conn(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                        enum MHD_ConnectionNotificationCode code)
{
	struct server *s = cls;
	(void)conn;
	(void)socket_ctx;

	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&s->connections, 1);
}

static int setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const union MHD_DaemonInfo *info;

	assert_non_null(s);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	s->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, handler,
	    s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, completed,
	    NULL, MHD_OPTION_NOTIFY_CONNECTION, notify_conn, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)(1 << 20), MHD_OPTION_END);
	assert_non_null(s->d);
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	s->port = info->port;
	assert_true(s->port > 0);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", s->port);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct server *s = *state;

	MHD_stop_daemon(s->d);
	free(s);
	return 0;
}

/* Send method+path (+body, headers) and return http_send's status. */
static int send_to(const struct server *s, struct http_client *c, const char *method,
                   const char *path, const char *const *hdrs, const char *body, size_t body_len,
                   struct http_response *resp, struct bs_error *err)
{
	char url[256];
	struct http_request req = {
	    .method = method, .url = url, .headers = hdrs, .body = body, .body_len = body_len};

	snprintf(url, sizeof(url), "%s%s", s->base, path);
	return http_send(c, &req, resp, err);
}

static void test_status_codes(void **state)
{
	static const long codes[] = {200, 201, 204, 301, 400, 401, 403, 404, 409, 429, 500, 503};
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char path[32], want[32];

		snprintf(path, sizeof(path), "/status/%ld", codes[i]);
		assert_int_equal(send_to(s, c, "GET", path, NULL, NULL, 0, &resp, &err), BS_OK);
		assert_int_equal(resp.status, codes[i]);
		snprintf(want, sizeof(want), "status %ld", codes[i]);
		if (codes[i] == 204)
			assert_string_equal(buf_cstr(&resp.body), "");
		else
			assert_string_equal(buf_cstr(&resp.body), want);
	}
	http_response_free(&resp);
	http_client_free(c);
}

static void test_methods_and_bodies(void **state)
{
	static const struct {
		const char *method, *body;
		size_t len;
		const char *want;
	} cases[] = {
	    {"GET", NULL, 0, "GET|hello|-|-|"},
	    {NULL, NULL, 0, "GET|hello|-|-|"},
	    {"POST", "a=1&b=2", 7, "POST|hello|application/x-www-form-urlencoded|-|a=1&b=2"},
	    {"POST", NULL, 0, "POST|hello|application/x-www-form-urlencoded|-|"},
	    {"PUT", "{\"x\":1}", 7, "PUT|hello|application/x-www-form-urlencoded|-|{\"x\":1}"},
	    {"DELETE", NULL, 0, "DELETE|hello|-|-|"},
	    {"POST", "nul\0inside", 10,
	     "POST|hello|application/x-www-form-urlencoded|-|nul\0inside"},
	};
	static const char *const hdrs[] = {"X-Echo: hello", NULL};
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t wlen;

		assert_int_equal(send_to(s, c, cases[i].method, "/echo", hdrs, cases[i].body,
		                         cases[i].len, &resp, &err),
		                 BS_OK);
		assert_int_equal(resp.status, 200);
		/* curl adds the form type to a POSTFIELDS body; only bodies have it */
		wlen = strlen(cases[i].want);
		if (cases[i].len > 0 && memchr(cases[i].body, '\0', cases[i].len) != NULL)
			wlen = strlen(cases[i].want) + 1 + strlen("inside");
		assert_int_equal(resp.body.len, wlen);
		assert_memory_equal(resp.body.ptr, cases[i].want, wlen);
	}
	http_response_free(&resp);
	http_client_free(c);
}

static void test_big_body_without_expect_delay(void **state)
{
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;
	size_t n = (size_t)2 << 20;
	char *body = malloc(n);

	assert_non_null(body);
	for (size_t i = 0; i < n; i++)
		body[i] = pattern(i);
	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);
	assert_int_equal(send_to(s, c, "POST", "/echo", NULL, body, n, &resp, &err), BS_OK);
	assert_int_equal(resp.status, 200);
	/* "Expect: 100-continue" is off (it would stall a big body up to 1 s):
	 * the server saw no Expect header */
	assert_int_equal(memcmp(resp.body.ptr, "POST|-|application/x-www-form-urlencoded|-|", 43),
	                 0);
	assert_int_equal(resp.body.len, 43 + n);
	assert_memory_equal(resp.body.ptr + 43, body, n);
	free(body);
	http_response_free(&resp);
	http_client_free(c);
}

static void test_headers(void **state)
{
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);
	assert_int_equal(send_to(s, c, "GET", "/headers", NULL, NULL, 0, &resp, &err), BS_OK);
	assert_int_equal(resp.status, 429);
	assert_string_equal(http_response_header(&resp, "x-dup"), "second");
	assert_string_equal(http_response_header(&resp, "X-DUP"), "second");
	assert_string_equal(http_response_header(&resp, "retry-after"), "17");
	assert_string_equal(http_response_header(&resp, "X-Rate-Limit-Problem"), "Minute");
	assert_string_equal(http_response_header(&resp, "X-MinLimit-Remaining"), "59");
	assert_string_equal(http_response_header(&resp, "X-Padded"), "with spaces");
	assert_null(http_response_header(&resp, "X-DayLimit-Remaining"));
	assert_null(http_response_header(&resp, "X-Du"));
	/* the next response's headers replace these */
	assert_int_equal(send_to(s, c, "GET", "/status/200", NULL, NULL, 0, &resp, &err), BS_OK);
	assert_null(http_response_header(&resp, "Retry-After"));
	assert_non_null(http_response_header(&resp, "Content-Length"));
	/* a header block over HTTP_HEADERS_MAX is refused */
	assert_int_equal(send_to(s, c, "GET", "/manyheaders", NULL, NULL, 0, &resp, &err),
	                 BS_ETOOBIG);
	assert_non_null(strstr(err.msg, "headers over the limit"));
	http_response_free(&resp);
	http_client_free(c);
}

static void test_header_numbers(void **state)
{
	/* now = Wed, 21 Oct 2015 07:28:00 GMT - 5 s */
	static const int64_t now = INT64_C(1445412480000) - 5000;
	static const struct {
		const char *name, *value;
		int rc_int, rc_retry;
		int64_t want_int, want_retry;
	} cases[] = {
	    {"Retry-After", "17", BS_OK, BS_OK, 17, 17000},
	    {"Retry-After", "0", BS_OK, BS_OK, 0, 0},
	    {"Retry-After", "66975", BS_OK, BS_OK, 66975, 66975000},
	    {"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT", BS_EPARSE, BS_OK, 0, 5000},
	    {"Retry-After", "Wed, 21 Oct 2015 07:27:00 GMT", BS_EPARSE, BS_OK, 0, 0},
	    {"Retry-After", "99999999999999999999", BS_ERANGE, BS_OK, 0, INT64_MAX},
	    {"Retry-After", "soon", BS_EPARSE, BS_EPARSE, 0, 0},
	    {"Retry-After", "-3", BS_EPARSE, BS_EPARSE, 0, 0},
	    {"Retry-After", "1.5", BS_EPARSE, BS_EPARSE, 0, 0},
	    {"X-MinLimit-Remaining", "59", BS_OK, BS_ENOTFOUND, 59, 0},
	    {"X-DayLimit-Remaining", "4999", BS_OK, BS_ENOTFOUND, 4999, 0},
	};
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;
	struct buf path;

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);
	buf_init(&path, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -1;
		int rc;

		buf_reset(&path);
		buf_addstr(&path, "/sethdr?n=");
		http_url_encode(&path, cases[i].name);
		buf_addstr(&path, "&v=");
		http_url_encode(&path, cases[i].value);
		assert_int_equal(send_to(s, c, "GET", buf_cstr(&path), NULL, NULL, 0, &resp, &err),
		                 BS_OK);
		assert_string_equal(http_response_header(&resp, cases[i].name), cases[i].value);
		rc = http_response_header_int(&resp, cases[i].name, &v);
		if (rc != cases[i].rc_int || (rc == BS_OK && v != cases[i].want_int))
			fail_msg("case %zu int: rc %d v %lld", i, rc, (long long)v);
		rc = http_retry_after_ms(&resp, now, &v);
		if (rc != cases[i].rc_retry || (rc == BS_OK && v != cases[i].want_retry))
			fail_msg("case %zu retry: rc %d v %lld", i, rc, (long long)v);
	}
	buf_free(&path);
	http_response_free(&resp);
	http_client_free(c);
}

static void test_big_bodies_and_bound(void **state)
{
	static const struct {
		const char *path;
		size_t n, max;
		int rc;
	} cases[] = {
	    {"/big", (size_t)5 << 20, 0, BS_OK},
	    {"/bigchunked", (size_t)5 << 20, 0, BS_OK},
	    {"/big", (size_t)1 << 20, (size_t)1 << 20, BS_OK}, /* exactly at the bound */
	    {"/bigchunked", (size_t)1 << 20, (size_t)1 << 20, BS_OK},
	    {"/big", ((size_t)1 << 20) + 1, (size_t)1 << 20, BS_ETOOBIG},
	    {"/bigchunked", ((size_t)1 << 20) + 1, (size_t)1 << 20, BS_ETOOBIG},
	    {"/bigchunked", (size_t)3 << 20, (size_t)1 << 20, BS_ETOOBIG},
	};
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[64];
		int rc;

		http_response_init(&resp);
		if (cases[i].max)
			resp.body.max = cases[i].max;
		snprintf(path, sizeof(path), "%s?n=%zu", cases[i].path, cases[i].n);
		rc = send_to(s, c, "GET", path, NULL, NULL, 0, &resp, &err);
		assert_int_equal(rc, cases[i].rc);
		if (rc == BS_OK) {
			assert_int_equal(resp.status, 200);
			assert_int_equal(resp.body.len, cases[i].n);
			for (size_t j = 0; j < cases[i].n; j++)
				if (resp.body.ptr[j] != pattern(j))
					fail_msg("case %zu: byte %zu differs", i, j);
		} else {
			assert_non_null(strstr(err.msg, "body over the limit"));
			assert_true(resp.body.len <= cases[i].max);
		}
		http_response_free(&resp);
	}
	/* the client still works after an aborted transfer */
	http_response_init(&resp);
	assert_int_equal(send_to(s, c, "GET", "/status/200", NULL, NULL, 0, &resp, &err), BS_OK);
	assert_int_equal(resp.status, 200);
	http_response_free(&resp);
	http_client_free(c);
}

static unsigned closed_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd); /* bound but never listening: connecting is refused */
	return port;
}

/* A TCP server that answers one connection with `reply` and closes. */
struct raw_server {
	int fd;
	unsigned port;
	const char *reply;
	pthread_t th;
};

static void *raw_serve(void *arg)
{
	struct raw_server *r = arg;
	int c = accept(r->fd, NULL, NULL);
	char buf[4096];

	if (c >= 0) {
		ssize_t n = read(c, buf, sizeof(buf)); /* the request (one read is enough here) */

		(void)n;
		n = write(c, r->reply, strlen(r->reply));
		(void)n;
		close(c);
	}
	return NULL;
}

static void raw_start(struct raw_server *r, const char *reply)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);

	r->reply = reply;
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(r->fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(r->fd, 4), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&sa, &len), 0);
	r->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&r->th, NULL, raw_serve, r), 0);
}

static void raw_stop(struct raw_server *r)
{
	pthread_join(r->th, NULL);
	close(r->fd);
}

static void test_not_http(void **state)
{
	static const struct {
		const char *reply;
		int rc;
		const char *needle;
	} cases[] = {
	    {"garbage garbage\r\n\r\n", BS_EPROTO, "not HTTP"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", BS_ENET, "before the whole body"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: b\r\n\r\nabc", BS_OK, NULL},
	    {"HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n", BS_OK, NULL},
	};
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;
	char url[64];
	struct http_request req = {.method = "GET", .url = url};
	(void)state;

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct raw_server r;
		int rc;

		raw_start(&r, cases[i].reply);
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/", r.port);
		rc = http_send(c, &req, &resp, &err);
		raw_stop(&r);
		if (rc != cases[i].rc || (cases[i].needle && !strstr(err.msg, cases[i].needle)))
			fail_msg("case %zu: rc %d (%s)", i, rc, err.msg);
	}
	assert_int_equal(resp.status, 404);
	http_response_free(&resp);
	http_client_free(c);
}

static void test_network_failures(void **state)
{
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;
	char url[128];
	struct http_request req = {.method = "GET", .url = url};

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x?code=secret", closed_port());
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ENET);
	assert_int_equal(err.code, BS_ENET);
	assert_non_null(strstr(err.msg, "refused"));
	assert_null(strstr(err.msg, "secret")); /* the query never reaches a message */
	assert_int_equal(resp.status, 0);
	snprintf(url, sizeof(url), "http://user:pw@127.0.0.1:%u/x", closed_port());
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ENET);
	assert_null(strstr(err.msg, "pw")); /* nor do credentials in the URL */
	assert_non_null(strstr(err.msg, "GET http://127.0.0.1:"));

	snprintf(url, sizeof(url), "%s/sleep", s->base);
	req.timeout_ms = 300;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ENET);
	assert_non_null(strstr(err.msg, "timed out"));

	snprintf(url, sizeof(url), "%s/drop", s->base);
	req.timeout_ms = 0;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ENET);
	assert_non_null(strstr(err.msg, "empty reply"));
	assert_false(resp.stale_conn); /* a new connection: nothing was stale */

	/* and the same client recovers */
	snprintf(url, sizeof(url), "%s/status/200", s->base);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(resp.status, 200);
	http_response_free(&resp);
	http_client_free(c);
}

/*
 * A kept-alive connection closed before any answer: libcurl sends the
 * request again on a new connection by itself, behind a rate governor's
 * back.  With caller_resends the client stops that and says so (stale_conn).
 */
static void test_no_silent_resend(void **state)
{
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;
	int before;

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);
	char url[128];
	struct http_request req = {.method = "POST", .url = url, .body = "x", .body_len = 1};

	/* by default libcurl's own re-send stands: /drop is hit twice */
	snprintf(url, sizeof(url), "%s/status/200", s->base);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	before = atomic_load(&s->drops);
	snprintf(url, sizeof(url), "%s/drop", s->base);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ENET);
	assert_int_equal(atomic_load(&s->drops) - before, 2);
	assert_false(resp.stale_conn);

	/* a caller that re-sends itself: sent once, and told why it failed */
	req.caller_resends = true;
	snprintf(url, sizeof(url), "%s/status/200", s->base);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_false(resp.stale_conn);
	before = atomic_load(&s->drops);
	snprintf(url, sizeof(url), "%s/drop", s->base);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_ENET);
	assert_int_equal(atomic_load(&s->drops) - before, 1); /* sent once, not twice */
	assert_true(resp.stale_conn);
	assert_non_null(strstr(err.msg, "not sent again"));
	/* the next request goes out on a new connection */
	snprintf(url, sizeof(url), "%s/status/200", s->base);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_false(resp.stale_conn);
	http_response_free(&resp);
	http_client_free(c);
}

static void test_redirects(void **state)
{
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;
	char url[128];
	struct http_request req = {.method = "GET", .url = url};

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);
	snprintf(url, sizeof(url), "%s/redirect", s->base);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(resp.status, 302);
	assert_string_equal(http_response_header(&resp, "location"), "/status/201");
	assert_string_equal(buf_cstr(&resp.body), "moved");

	req.follow_redirects = true;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_OK);
	assert_int_equal(resp.status, 201);
	assert_string_equal(buf_cstr(&resp.body), "status 201");
	assert_null(http_response_header(&resp, "X-Hop")); /* the final response's headers only */
	assert_null(http_response_header(&resp, "Location"));
	http_response_free(&resp);
	http_client_free(c);
}

static void test_keepalive(void **state)
{
	struct server *s = *state;
	struct http_client *c, *c2;
	struct http_response resp;
	struct bs_error err;
	int before;

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	assert_int_equal(http_client_new(&c2, &err), BS_OK);
	http_response_init(&resp);
	before = atomic_load(&s->connections);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(
		    send_to(s, c, i % 2 ? "POST" : "GET", "/echo", NULL, "x", 1, &resp, &err),
		    BS_OK);
		assert_int_equal(resp.status, 200);
	}
	assert_int_equal(atomic_load(&s->connections) - before, 1);
	/* a second client has its own connection */
	assert_int_equal(send_to(s, c2, "GET", "/status/200", NULL, NULL, 0, &resp, &err), BS_OK);
	assert_int_equal(atomic_load(&s->connections) - before, 2);
	http_response_free(&resp);
	http_client_free(c);
	http_client_free(c2);
}

static void test_bad_requests(void **state)
{
	static const char *const no_colon[] = {"X-Echo hello", NULL};
	static const char *const crlf[] = {"X-Echo: a\r\nX-Injected: b", NULL};
	struct server *s = *state;
	struct http_client *c;
	struct http_response resp;
	struct bs_error err;
	struct http_request req = {.url = NULL};

	assert_int_equal(http_client_new(&c, &err), BS_OK);
	http_response_init(&resp);
	assert_int_equal(http_send(c, &req, &resp, &err), BS_EINVAL);
	assert_int_equal(send_to(s, c, "GET", "/echo", no_colon, NULL, 0, &resp, &err), BS_EINVAL);
	assert_int_equal(send_to(s, c, "GET", "/echo", crlf, NULL, 0, &resp, &err), BS_EINVAL);
	req.url = "ftp://127.0.0.1/x";
	assert_int_equal(http_send(c, &req, &resp, &err), BS_EINVAL);
	req.url = "http://127.0.0.1/x";
	req.body_len = 3;
	assert_int_equal(http_send(c, &req, &resp, &err), BS_EINVAL);
	http_response_free(&resp);
	http_client_free(c);
}

static void test_url_encode_and_form(void **state)
{
	static const struct {
		const char *in, *want;
	} enc[] = {
	    {"", ""},
	    {"AZaz09-._~", "AZaz09-._~"},
	    {"a b", "a%20b"},
	    {"a+b&c=d", "a%2Bb%26c%3Dd"},
	    {"http://127.0.0.1:8/cb?x=1", "http%3A%2F%2F127.0.0.1%3A8%2Fcb%3Fx%3D1"},
	    {"\xc3\xa9", "%C3%A9"},
	    {"%", "%25"},
	};
	struct buf b;
	(void)state;

	buf_init(&b, 0);
	for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		buf_reset(&b);
		assert_int_equal(http_url_encode(&b, enc[i].in), BS_OK);
		assert_string_equal(buf_cstr(&b), enc[i].want);
	}
	buf_reset(&b);
	assert_int_equal(http_form_add(&b, "grant_type", "authorization_code"), BS_OK);
	assert_int_equal(http_form_add(&b, "code", "a b&c"), BS_OK);
	assert_int_equal(http_form_add(&b, "empty", ""), BS_OK);
	assert_string_equal(buf_cstr(&b), "grant_type=authorization_code&code=a%20b%26c&empty=");
	buf_free(&b);
	buf_init(&b, 5);
	assert_int_equal(http_url_encode(&b, "a b c"), BS_ETOOBIG);
	buf_free(&b);
}

static void test_query_param(void **state)
{
	static const struct {
		const char *url, *name;
		int rc;
		const char *want;
	} cases[] = {
	    {"http://h/cb?code=abc&state=xyz", "code", BS_OK, "abc"},
	    {"http://h/cb?code=abc&state=xyz", "state", BS_OK, "xyz"},
	    {"http://h/cb?code=abc&state=xyz", "scope", BS_ENOTFOUND, NULL},
	    {"http://h/cb?code=a%20b+c%2Bd", "code", BS_OK, "a b c+d"},
	    {"http://h/cb?code=&state=1", "code", BS_OK, ""},
	    {"http://h/cb?code&state=1", "code", BS_OK, ""},
	    {"http://h/cb?xcode=1&code=2", "code", BS_OK, "2"},
	    {"http://h/cb?code=1&code=2", "code", BS_OK, "1"},
	    {"http://h/cb?c%6Fde=enc", "code", BS_OK, "enc"},
	    {"http://h/cb?code=1#state=2", "state", BS_ENOTFOUND, NULL},
	    {"http://h/cb?state=s#frag", "state", BS_OK, "s"},
	    {"http://h/cb", "code", BS_ENOTFOUND, NULL},
	    {"http://h/cb?", "code", BS_ENOTFOUND, NULL},
	    {"http://h/cb?code=%zz", "code", BS_EPARSE, NULL},
	    {"http://h/cb?code=%4", "code", BS_EPARSE, NULL},
	    {"http://h/cb?code=ab%", "code", BS_EPARSE, NULL},
	    {"http://h/cb?code=a%00b", "code", BS_EPARSE, NULL},
	    {"http://h/cb?bad=%zz&code=ok", "code", BS_OK, "ok"},
	    {"http://h/cb?error=access_denied&state=s", "error", BS_OK, "access_denied"},
	};
	struct buf b;
	(void)state;

	buf_init(&b, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		buf_reset(&b);
		rc = http_url_query_param(cases[i].url, cases[i].name, &b);
		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): got %d want %d", i, cases[i].url, rc, cases[i].rc);
		if (cases[i].want != NULL)
			assert_string_equal(buf_cstr(&b), cases[i].want);
		else
			assert_int_equal(b.len, 0);
	}
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_status_codes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_methods_and_bodies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_big_body_without_expect_delay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_header_numbers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_big_bodies_and_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_network_failures, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_silent_resend, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_redirects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
	    cmocka_unit_test(test_not_http),
	    cmocka_unit_test(test_url_encode_and_form),
	    cmocka_unit_test(test_query_param),
	};
	struct bs_error err;
	int rc;

	if (http_global_init(&err) != BS_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	http_global_cleanup();
	return rc;
}
