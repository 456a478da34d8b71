/*
 * server_msg.c - the socket-free half of server.h: looking things up in a
 * request and building a response.  Kept apart from the libmicrohttpd glue
 * so handlers and their tests link without a server.
 */
#include "http/server.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *http_req_query(const struct http_req *req, const char *key)
{
	for (size_t i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].key, key) == 0)
			return req->query[i].value;
	return NULL;
}

const char *http_req_header(const struct http_req *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].key, name) == 0)
			return req->headers[i].value;
	return NULL;
}

bool http_req_cookie(const struct http_req *req, const char *name, struct buf *out)
{
	const char *p = http_req_header(req, "Cookie");
	size_t n = strlen(name);

	buf_reset(out);
	while (p != NULL && *p) {
		const char *end;

		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 && p[n] == '=')
			return buf_add(out, p + n + 1, (size_t)(end - p - (ptrdiff_t)n - 1)) ==
			       BS_OK;
		p = end;
	}
	return false;
}

void http_resp_init(struct http_resp *resp, size_t body_max)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	buf_init(&resp->body, body_max);
}

void http_resp_free(struct http_resp *resp)
{
	buf_free(&resp->body);
}

int http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
	if (resp->nheaders >= HTTP_RESP_HEADERS || strlen(name) >= HTTP_HDR_NAME ||
	    strlen(value) >= HTTP_HDR_VALUE)
		return BS_ETOOBIG;
	snprintf(resp->hname[resp->nheaders], HTTP_HDR_NAME, "%s", name);
	snprintf(resp->hvalue[resp->nheaders], HTTP_HDR_VALUE, "%s", value);
	resp->nheaders++;
	return BS_OK;
}
