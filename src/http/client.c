/*
 * client.c - HTTP client over one reused libcurl easy handle (see client.h).
 *
 * curl_easy_reset between requests clears the options but keeps the
 * connection cache, so consecutive requests to one host share a connection.
 * Response headers are kept as "name\0value\0" pairs in a bounded buffer and
 * dropped whenever a new status line starts (a 1xx or a followed redirect),
 * so only the final response's headers remain.
 */
#include "http/client.h"

#include "core/buf.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct http_client {
	CURL *h;
	char errbuf[CURL_ERROR_SIZE];
};

/* Per-request state shared with the libcurl callbacks. */
struct xfer {
	struct http_response *resp;
	bool caller_resends; /* http_request.caller_resends */
	int body_rc;         /* BS_OK, or why the write callback stopped the transfer */
	int hdr_rc;
	int sends;     /* times the request went out (on_prereq) */
	bool answered; /* a header arrived since it last went out */
};

int http_global_init(struct bs_error *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return bs_error_set(err, BS_EINTERNAL, "libcurl global initialisation failed");
	return BS_OK;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

int http_client_new(struct http_client **out, struct bs_error *err)
{
	struct http_client *c;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory creating an HTTP client");
	c->h = curl_easy_init();
	if (c->h == NULL) {
		free(c);
		return bs_error_set(err, BS_ENOMEM, "curl_easy_init failed");
	}
	*out = c;
	return BS_OK;
}

void http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->h);
	free(c);
}

void http_response_init(struct http_response *r)
{
	r->status = 0;
	buf_init(&r->body, HTTP_BODY_MAX);
	buf_init(&r->hdrs, HTTP_HEADERS_MAX);
	r->nhdrs = 0;
}

void http_response_free(struct http_response *r)
{
	buf_free(&r->body);
	buf_free(&r->hdrs);
	r->nhdrs = 0;
	r->status = 0;
}

const char *http_response_header(const struct http_response *r, const char *name)
{
	const char *p = r->hdrs.ptr, *found = NULL;
	const char *end;

	if (p == NULL)
		return NULL;
	end = p + r->hdrs.len;
	while (p < end) {
		const char *value = p + strlen(p) + 1;

		if (strcasecmp(p, name) == 0)
			found = value;
		p = value + strlen(value) + 1;
	}
	return found;
}

int http_response_header_int(const struct http_response *r, const char *name, int64_t *out)
{
	const char *v = http_response_header(r, name);
	int64_t n = 0;

	if (v == NULL)
		return BS_ENOTFOUND;
	if (*v == '\0')
		return BS_EPARSE;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return BS_EPARSE;
		if (n > (INT64_MAX - (*v - '0')) / 10)
			return BS_ERANGE;
		n = n * 10 + (*v - '0');
	}
	*out = n;
	return BS_OK;
}

int http_retry_after_ms(const struct http_response *r, int64_t now_ms, int64_t *out)
{
	const char *v = http_response_header(r, "Retry-After");
	int64_t secs;
	time_t when;
	int rc;

	if (v == NULL)
		return BS_ENOTFOUND;
	rc = http_response_header_int(r, "Retry-After", &secs);
	if (rc == BS_OK) {
		*out = secs > INT64_MAX / 1000 ? INT64_MAX : secs * 1000;
		return BS_OK;
	}
	if (rc == BS_ERANGE) {
		*out = INT64_MAX;
		return BS_OK;
	}
	/* an HTTP-date: curl_getdate reads the IMF-fixdate and the obsolete forms */
	when = curl_getdate(v, NULL);
	if (when == (time_t)-1 || !(v[0] >= 'A' && v[0] <= 'Z'))
		return BS_EPARSE;
	if ((int64_t)when > INT64_MAX / 1000 || (int64_t)when * 1000 <= now_ms)
		*out = (int64_t)when > INT64_MAX / 1000 ? INT64_MAX : 0;
	else
		*out = (int64_t)when * 1000 - now_ms;
	return BS_OK;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n; /* curl guarantees size == 1 */
	int rc = buf_add(&x->resp->body, data, len);

	if (rc != BS_OK) {
		x->body_rc = rc;
		return 0; /* aborts with CURLE_WRITE_ERROR */
	}
	return len;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Called by libcurl each time the request is about to go out.  When a
 * kept-alive connection turns out closed before any answer, libcurl sends
 * the request again on a new one by itself.  The server may have processed
 * the first, and a rate limiter never counted the second, so that is
 * stopped here when the caller asked (caller_resends): it gets BS_ENET ("no
 * answer") and decides, with its idempotency key and its governor, whether
 * and when to send again.  A redirect (an answer came) goes ahead.
 */
static int on_prereq(void *arg, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port)
{
	struct xfer *x = arg;

	(void)conn_primary_ip;
	(void)conn_local_ip;
	(void)conn_primary_port;
	(void)conn_local_port;
	if (x->sends++ > 0 && !x->answered && x->caller_resends) {
		x->resp->stale_conn = true;
		return CURL_PREREQFUNC_ABORT;
	}
	x->answered = false;
	return CURL_PREREQFUNC_OK;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	struct http_response *r = x->resp;
	size_t len = size * n, nlen, vlen;
	const char *colon, *v;
	int rc = BS_OK;

	x->answered = true;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a 1xx or a redirect): keep only its headers */
		buf_reset(&r->hdrs);
		r->nhdrs = 0;
		return len;
	}
	if (len == 0 || is_blank(data[0]))
		return len; /* end of headers, or an obsolete folded line */
	colon = memchr(data, ':', len);
	if (colon == NULL || colon == data)
		return len;
	nlen = (size_t)(colon - data);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && is_blank(v[0])) {
		v++;
		vlen--;
	}
	while (vlen > 0 && is_blank(v[vlen - 1]))
		vlen--;
	/* a NUL inside would split the pair: refuse such a header outright */
	if (memchr(data, '\0', nlen) != NULL || memchr(v, '\0', vlen) != NULL)
		return len;
	rc = buf_add(&r->hdrs, data, nlen);
	if (rc == BS_OK)
		rc = buf_addc(&r->hdrs, '\0');
	if (rc == BS_OK)
		rc = buf_add(&r->hdrs, v, vlen);
	if (rc == BS_OK)
		rc = buf_addc(&r->hdrs, '\0');
	if (rc != BS_OK) {
		x->hdr_rc = rc;
		return 0; /* aborts the transfer */
	}
	r->nhdrs++;
	return len;
}

/*
 * "METHOD scheme://host/path" for messages: no user:password@, no query, no
 * fragment (a query may carry a code).
 */
static void what_for_msg(const char *method, const char *url, char *out, size_t outlen)
{
	const char *host = strstr(url, "://"), *at;
	size_t n, pre = 0;

	if (host != NULL) {
		host += 3;
		pre = (size_t)(host - url);
		n = strcspn(host, "/?#");
		at = memchr(host, '@', n);
		if (at != NULL)
			url = at + 1; /* print the scheme separately below */
		else
			host = NULL;
	}
	n = strcspn(url, "?#");
	if (n > 200)
		n = 200;
	if (host != NULL)
		snprintf(out, outlen, "%.12s %.*s%.*s", method, (int)(pre < 12 ? pre : 12),
		         host - pre, (int)n, url);
	else
		snprintf(out, outlen, "%.12s %.*s", method, (int)n, url);
}

static int map_curl_error(CURLcode cc, const struct xfer *x, const char *what, const char *detail,
                          struct bs_error *err)
{
	int code = BS_ENET;
	const char *why;

	switch (cc) {
	case CURLE_COULDNT_CONNECT:
		why = "connection refused or unreachable";
		break;
	case CURLE_OPERATION_TIMEDOUT:
		why = "timed out";
		break;
	case CURLE_GOT_NOTHING:
		why = "empty reply (connection closed without a response)";
		break;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		why = "connection reset or lost";
		break;
	case CURLE_PARTIAL_FILE:
		why = "connection closed before the whole body arrived";
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		why = "host name not resolved";
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		why = "TLS failure";
		break;
	case CURLE_FILESIZE_EXCEEDED:
		code = BS_ETOOBIG;
		why = "response body over the limit";
		break;
	case CURLE_WRITE_ERROR:
		code = x->body_rc != BS_OK ? x->body_rc : x->hdr_rc;
		if (code == BS_ETOOBIG)
			why = x->body_rc != BS_OK ? "response body over the limit"
			                          : "response headers over the limit";
		else if (code == BS_ENOMEM)
			why = "out of memory reading the response";
		else {
			code = BS_EINTERNAL;
			why = "write callback failed";
		}
		break;
	case CURLE_URL_MALFORMAT:
		code = BS_EINVAL;
		why = "bad URL";
		break;
	case CURLE_UNSUPPORTED_PROTOCOL: /* the scheme was checked: HTTP/0.9 or a bad redirect */
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_BAD_CONTENT_ENCODING:
		code = BS_EPROTO;
		why = "the server's answer is not HTTP this client accepts";
		break;
	case CURLE_OUT_OF_MEMORY:
		code = BS_ENOMEM;
		why = "out of memory";
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		why = x->resp->stale_conn
		          ? "connection closed before an answer (not sent again here: the "
		            "caller decides)"
		          : "transfer aborted";
		break;
	default:
		why = "transfer failed";
		break;
	}
	return bs_error_set(err, code, "%s: %s (%s)", what, why,
	                    detail[0] ? detail : curl_easy_strerror(cc));
}

/* A header must be "Name: value" on one line: no CR/LF to smuggle another. */
static bool header_ok(const char *h)
{
	const char *colon = strchr(h, ':');

	return colon != NULL && colon != h && strpbrk(h, "\r\n") == NULL;
}

int http_send(struct http_client *c, const struct http_request *req, struct http_response *resp,
              struct bs_error *err)
{
	const char *method = req->method ? req->method : "GET";
	struct curl_slist *hl = NULL, *tmp;
	struct xfer x = {
	    .resp = resp, .caller_resends = req->caller_resends, .body_rc = BS_OK, .hdr_rc = BS_OK};
	long timeout = req->timeout_ms > 0 ? req->timeout_ms : HTTP_TIMEOUT_DEFAULT;
	char what[240];
	CURL *h = c->h;
	CURLcode cc;
	int rc = BS_OK;

	resp->status = 0;
	resp->stale_conn = false;
	buf_reset(&resp->body);
	buf_reset(&resp->hdrs);
	resp->nhdrs = 0;
	if (req->url == NULL)
		return bs_error_set(err, BS_EINVAL, "HTTP request without a URL");
	if (req->body == NULL && req->body_len != 0)
		return bs_error_set(err, BS_EINVAL, "HTTP request body is NULL but body_len > 0");
	what_for_msg(method, req->url, what, sizeof(what));
	if (strncasecmp(req->url, "http://", 7) != 0 && strncasecmp(req->url, "https://", 8) != 0)
		return bs_error_set(err, BS_EINVAL, "%s: only http:// and https:// URLs", what);

	/* Expect: off, or curl waits up to 1 s for a 100 before a big body */
	tmp = curl_slist_append(hl, "Expect:");
	if (tmp == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "%s: out of memory", what);
		goto out;
	}
	hl = tmp;
	for (const char *const *hp = req->headers; hp != NULL && *hp != NULL; hp++) {
		if (!header_ok(*hp)) {
			rc = bs_error_set(err, BS_EINVAL,
			                  "%s: a request header is not \"Name: value\"", what);
			goto out;
		}
		tmp = curl_slist_append(hl, *hp);
		if (tmp == NULL) {
			rc = bs_error_set(err, BS_ENOMEM, "%s: out of memory", what);
			goto out;
		}
		hl = tmp;
	}

	curl_easy_reset(h);
	c->errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(h, CURLOPT_PREREQDATA, &x);
	if (resp->body.max < (size_t)INT64_MAX)
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)resp->body.max);
	if (req->follow_redirects) {
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	}
	if (req->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}

	cc = curl_easy_perform(h);
	/* the options point at caller memory: drop them before returning */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	if (cc != CURLE_OK) {
		rc = map_curl_error(cc, &x, what, c->errbuf, err);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (resp->status <= 0)
		rc = bs_error_set(err, BS_EPROTO, "%s: no HTTP status in the response", what);
out:
	curl_slist_free_all(hl);
	return rc;
}

/* ---- encoding helpers ---- */

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

int http_url_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = BS_OK;

	for (; *s != '\0' && rc == BS_OK; s++) {
		unsigned char ch = (unsigned char)*s;

		if (unreserved(ch)) {
			rc = buf_addc(out, (char)ch);
		} else {
			char t[3] = {'%', hex[ch >> 4], hex[ch & 15]};

			rc = buf_add(out, t, 3);
		}
	}
	return rc;
}

int http_form_add(struct buf *form, const char *name, const char *value)
{
	int rc = BS_OK;

	if (form->len > 0)
		rc = buf_addc(form, '&');
	if (rc == BS_OK)
		rc = http_url_encode(form, name);
	if (rc == BS_OK)
		rc = buf_addc(form, '=');
	if (rc == BS_OK)
		rc = http_url_encode(form, value);
	return rc;
}

/* Decode s[0..n) ('+' a space, %XX a byte) onto out.  BS_EPARSE on a bad escape or %00. */
static int query_decode(struct buf *out, const char *s, size_t n)
{
	int rc = BS_OK;

	for (size_t i = 0; i < n && rc == BS_OK; i++) {
		if (s[i] == '+') {
			rc = buf_addc(out, ' ');
		} else if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return BS_EPARSE;
			hi = buf_hexval(s[i + 1]);
			lo = buf_hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return BS_EPARSE;
			rc = buf_addc(out, (char)(hi * 16 + lo));
			i += 2;
		} else {
			rc = buf_addc(out, s[i]);
		}
	}
	return rc;
}

int http_url_query_param(const char *url, const char *name, struct buf *value)
{
	const char *q = strchr(url, '?'), *end;
	struct buf key;
	int rc = BS_ENOTFOUND;

	if (q == NULL)
		return BS_ENOTFOUND;
	q++;
	end = q + strcspn(q, "#");
	buf_init(&key, 4096);
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *eq;
		size_t klen;

		if (amp == NULL)
			amp = end;
		eq = memchr(q, '=', (size_t)(amp - q));
		klen = (size_t)((eq ? eq : amp) - q);
		buf_reset(&key);
		/* a key that does not decode cannot be `name`: skip it */
		if (query_decode(&key, q, klen) == BS_OK && strcmp(buf_cstr(&key), name) == 0 &&
		    key.len == strlen(name)) {
			size_t before = value->len;

			rc = eq ? query_decode(value, eq + 1, (size_t)(amp - eq - 1)) : BS_OK;
			if (rc != BS_OK)
				buf_truncate(value, before);
			goto out;
		}
		q = amp + 1;
	}
out:
	buf_free(&key);
	return rc;
}
