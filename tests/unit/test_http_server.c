/*
 * test_http_server.c - the HTTP server (src/http/server.h) on 127.0.0.1
 * with a free port, driven by raw requests over a socket: decoding of path
 * and query, the raw path, bodies and their cap (413 without the handler,
 * whether the size is declared or chunked), HEAD, a handler that gives no
 * status, static bodies, TLS behind a loopback proxy, the listen address
 * parser (table-driven) and a port already taken.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http/server.h"

#define BODY_CAP 1000

static atomic_int calls;

static const char static_text[] = "embedded bytes";

/* Echo the request as lines "key: value" the tests grep. */
static void handler(void *arg, const struct http_req *req, struct http_resp *resp)
{
	struct buf *b = &resp->body;

	(void)arg;
	atomic_fetch_add(&calls, 1);
	if (strcmp(req->path, "/nostatus") == 0) {
		resp->status = 0;
		return;
	}
	if (strcmp(req->path, "/static") == 0) {
		resp->content_type = "text/plain";
		resp->static_body = static_text;
		resp->static_len = sizeof(static_text) - 1;
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain";
	http_resp_header(resp, "X-Echo", "yes");
	buf_printf(b, "method: %s\npath: %s\nraw: %s\n", req->method, req->path,
	           req->raw_path ? req->raw_path : "(null)");
	for (size_t i = 0; i < req->nquery; i++)
		buf_printf(b, "q: %s=%s\n", req->query[i].key, req->query[i].value);
	buf_printf(b, "body: %zu %s\npeer: %s\ntls: %d\n", req->body_len, req->body, req->peer,
	           req->tls);
}

static int start(void **state)
{
	struct http_server_opts o;
	struct http_server *srv = NULL;
	struct bs_error err;

	memset(&o, 0, sizeof(o));
	o.listen = "127.0.0.1:0";
	o.body_max = BODY_CAP;
	o.resp_max = 1 << 20;
	o.handler = handler;
	assert_int_equal(http_server_start(&o, &srv, &err), BS_OK);
	*state = srv;
	return 0;
}

static int stop(void **state)
{
	http_server_stop(*state);
	return 0;
}

static unsigned port_of(struct http_server *srv)
{
	const char *url = http_server_url(srv);

	assert_memory_equal(url, "http://127.0.0.1:", 17);
	return (unsigned)strtoul(url + 17, NULL, 10);
}

/* Send `req` raw (all of it, then shut the write side unless keep) and read the
 * answer to EOF into out. */
static void exchange_wait(struct http_server *srv, const char *req, size_t len, struct buf *out,
                          long wait_s)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval tv = {wait_s, 0};
	char tmp[4096];
	size_t off = 0;
	ssize_t n;

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port_of(srv));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* a request the server waits on for more (cut off) is not answered:
	 * give up after wait_s rather than wait for the server's idle timeout */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may answer 413 and close before all is sent */
		off += (size_t)n;
	}
	buf_reset(out);
	while ((n = recv(fd, tmp, sizeof(tmp), 0)) > 0)
		assert_int_equal(buf_add(out, tmp, (size_t)n), BS_OK);
	close(fd);
}

static void exchange(struct http_server *srv, const char *req, size_t len, struct buf *out)
{
	exchange_wait(srv, req, len, out, 30);
}

static void get(struct http_server *srv, const char *req, struct buf *out)
{
	exchange(srv, req, strlen(req), out);
}

static void test_decoding(void **state)
{
	struct buf out;

	buf_init(&out, 1 << 20);
	get(*state,
	    "GET /a%20b/c%2Fd?x=1%202&y&z=%41&w=a+b HTTP/1.1\r\nHost: x\r\nConnection: "
	    "close\r\n\r\n",
	    &out);
	assert_non_null(strstr(out.ptr, "HTTP/1.1 200"));
	assert_non_null(strstr(out.ptr, "X-Echo: yes"));
	assert_non_null(strstr(out.ptr, "Content-Type: text/plain"));
	assert_non_null(strstr(out.ptr, "method: GET\n"));
	assert_non_null(strstr(out.ptr, "path: /a b/c/d\n"));
	assert_non_null(strstr(out.ptr, "raw: /a%20b/c%2Fd\n"));
	assert_non_null(strstr(out.ptr, "q: x=1 2\n"));
	assert_non_null(strstr(out.ptr, "q: y=\n"));
	assert_non_null(strstr(out.ptr, "q: z=A\n"));
	assert_non_null(strstr(out.ptr, "peer: 127.0.0.1\n"));
	assert_non_null(strstr(out.ptr, "tls: 0\n"));
	buf_free(&out);
}

static void test_bodies(void **state)
{
	struct buf out, req;
	int before;

	buf_init(&out, 1 << 20);
	buf_init(&req, 1 << 20);
	get(*state,
	    "POST /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
	    "10\r\n\r\n0123456789",
	    &out);
	assert_non_null(strstr(out.ptr, "body: 10 0123456789\n"));
	/* exactly at the cap passes */
	buf_printf(&req,
	           "POST /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n",
	           BODY_CAP);
	for (int i = 0; i < BODY_CAP; i++)
		buf_addc(&req, 'a');
	exchange(*state, req.ptr, req.len, &out);
	assert_non_null(strstr(out.ptr, "HTTP/1.1 200"));
	/* declared over the cap: 413 at once, the handler never runs */
	before = atomic_load(&calls);
	buf_reset(&req);
	buf_printf(&req,
	           "POST /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n",
	           BODY_CAP + 1);
	for (int i = 0; i <= BODY_CAP; i++)
		buf_addc(&req, 'a');
	exchange(*state, req.ptr, req.len, &out);
	assert_non_null(strstr(out.ptr, "HTTP/1.1 413"));
	assert_non_null(strstr(out.ptr, "{\"error\":{\"status\":413,"));
	assert_non_null(strstr(out.ptr, "X-Content-Type-Options: nosniff"));
	/* chunked, so only counted as it comes: still 413 without the handler */
	buf_reset(&req);
	buf_addstr(&req, "POST /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	                 "Transfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 3; i++) {
		buf_printf(&req, "%x\r\n", 600);
		for (int j = 0; j < 600; j++)
			buf_addc(&req, 'b');
		buf_addstr(&req, "\r\n");
	}
	buf_addstr(&req, "0\r\n\r\n");
	exchange(*state, req.ptr, req.len, &out);
	assert_non_null(strstr(out.ptr, "HTTP/1.1 413"));
	/* an absurd length is refused, not parsed into a wrap-around */
	get(*state,
	    "POST /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "Content-Length: 99999999999999999999999\r\n\r\n",
	    &out);
	assert_null(strstr(out.ptr, "HTTP/1.1 200"));
	assert_int_equal(atomic_load(&calls), before);
	buf_free(&out);
	buf_free(&req);
}

static void test_head_static_nostatus_tls(void **state)
{
	struct buf out;

	buf_init(&out, 1 << 20);
	get(*state, "HEAD /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &out);
	assert_non_null(strstr(out.ptr, "HTTP/1.1 200"));
	assert_null(strstr(out.ptr, "method:")); /* no body sent for HEAD */
	get(*state, "GET /static HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &out);
	assert_non_null(strstr(out.ptr, "Content-Length: 14"));
	assert_non_null(strstr(out.ptr, "\r\n\r\nembedded bytes"));
	get(*state, "GET /nostatus HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &out);
	assert_non_null(strstr(out.ptr, "HTTP/1.1 500"));
	get(*state,
	    "GET /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-Proto: https\r\n\r\n",
	    &out);
	assert_non_null(strstr(out.ptr, "tls: 1\n"));
	buf_free(&out);
}

/*
 * Requests libmicrohttpd gives up on half-way (no answer, or its own):
 * the server keeps answering, and (under ASan) nothing allocated for them
 * leaks.  A path over 4096 bytes is 414, an encoded NUL in it 400.
 */
static void test_abandoned_requests(void **state)
{
	struct buf out, req;
	int before = atomic_load(&calls);

	buf_init(&out, 1 << 20);
	buf_init(&req, 1 << 20);
	buf_addstr(&req, "GET /p?");
	for (int i = 0; i < 3000; i++)
		buf_addstr(&req, "a=1&");
	buf_addstr(&req, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	exchange(*state, req.ptr, req.len, &out);
	get(*state, "garbage\r\n\r\n", &out);
	/* cut off: the server waits for the rest (until its idle timeout) */
	exchange_wait(*state, "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc", 53,
	              &out, 1);
	exchange_wait(*state, "GET /p HTTP/1.1\r\nHost: x\r\n", 26, &out, 1);
	buf_reset(&req);
	buf_addstr(&req, "GET /");
	for (int i = 0; i < 5000; i++)
		buf_addc(&req, 'a');
	buf_addstr(&req, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	exchange(*state, req.ptr, req.len, &out);
	assert_non_null(strstr(out.ptr, "HTTP/1.1 414"));
	get(*state, "GET /a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &out);
	assert_non_null(strstr(out.ptr, "HTTP/1.1 400"));
	assert_int_equal(atomic_load(&calls), before); /* none reached the handler */
	/* two requests on one connection: each gets its own body */
	get(*state,
	    "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
	    "POST /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\nxy",
	    &out);
	assert_non_null(strstr(out.ptr, "body: 3 abc\n"));
	assert_non_null(strstr(out.ptr, "body: 2 xy\n"));
	buf_free(&out);
	buf_free(&req);
}

static void test_listen_parse(void **state)
{
	static const struct {
		const char *spec;
		int rc;
		const char *host;
		unsigned port;
	} cases[] = {
	    {"127.0.0.1:0", BS_OK, "127.0.0.1", 0},    {"127.0.0.1:8080", BS_OK, "127.0.0.1", 8080},
	    {"localhost:80", BS_OK, "127.0.0.1", 80},  {"0.0.0.0:65535", BS_OK, "0.0.0.0", 65535},
	    {"127.0.0.1:65536", BS_EINVAL, NULL, 0},   {"127.0.0.1", BS_EINVAL, NULL, 0},
	    {"127.0.0.1:", BS_EINVAL, NULL, 0},        {":80", BS_EINVAL, NULL, 0},
	    {"127.0.0.1:8x", BS_EINVAL, NULL, 0},      {"127.0.0.1:-1", BS_EINVAL, NULL, 0},
	    {"example.com:80", BS_EINVAL, NULL, 0},    {"[::1]:80", BS_EINVAL, NULL, 0},
	    {"127.0.0.1:0000080", BS_EINVAL, NULL, 0}, {"", BS_EINVAL, NULL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_in sa;
		struct bs_error err;
		char host[64];
		int rc = http_listen_parse(cases[i].spec, &sa, host, sizeof(host), &err);

		if (rc != cases[i].rc)
			fail_msg("case %zu '%s': rc %d", i, cases[i].spec, rc);
		if (rc != BS_OK) {
			assert_non_null(strstr(err.msg, "listen address"));
			continue;
		}
		assert_string_equal(host, cases[i].host);
		assert_int_equal(ntohs(sa.sin_port), cases[i].port);
	}
}

static void test_port_taken(void **state)
{
	struct http_server_opts o;
	struct http_server *second = NULL;
	struct bs_error err;
	char listen[64];

	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port_of(*state));
	memset(&o, 0, sizeof(o));
	o.listen = listen;
	o.handler = handler;
	assert_int_equal(http_server_start(&o, &second, &err), BS_EIO);
	assert_null(second);
	assert_non_null(strstr(err.msg, "cannot listen"));
	o.listen = "nonsense";
	assert_int_equal(http_server_start(&o, &second, &err), BS_EINVAL);
	http_server_stop(NULL); /* a no-op */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_decoding, start, stop),
	    cmocka_unit_test_setup_teardown(test_bodies, start, stop),
	    cmocka_unit_test_setup_teardown(test_head_static_nostatus_tls, start, stop),
	    cmocka_unit_test_setup_teardown(test_abandoned_requests, start, stop),
	    cmocka_unit_test(test_listen_parse),
	    cmocka_unit_test_setup_teardown(test_port_taken, start, stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
