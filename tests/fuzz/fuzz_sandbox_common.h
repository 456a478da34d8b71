/*
 * fuzz_sandbox_common.h - the request parser and driver shared by the
 * sandbox fuzz targets (fuzz_sandbox_request.c for Xero, fuzz_qbo_request.c
 * for QuickBooks Online): one in-process sandbox per target, an input
 * turned into one authorised request through sandbox_handle().
 *
 * Input format (lines split on '\n'):
 *   METHOD
 *   /path
 *   k=v&k=v            query (not %-decoded: MHD would have done that)
 *   Header: value      zero or more header lines, ended by an empty line
 *   body...            the rest, raw
 * The fuzzed headers come before the injected Authorization and
 * xero-tenant-id headers, so the fuzzer can also override them.
 */
#ifndef FUZZ_SANDBOX_COMMON_H
#define FUZZ_SANDBOX_COMMON_H

#include "sandbox/sandbox.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT   (64 * 1024)
#define MAX_FIELDS  32
#define RESET_EVERY 2000

static struct sandbox *sb;
static char auth[4200];
static unsigned long runs;

static void init_once(enum sandbox_ledger ledger, const char *scope)
{
	struct sandbox_config cfg;
	char tok[4096];

	memset(&cfg, 0, sizeof(cfg));
	cfg.ledger = ledger;
	cfg.no_listen = true;
	cfg.limits = "off";
	if (sandbox_start(&cfg, &sb, NULL) != 0)
		abort();
	if (sandbox_issue_token(sb, scope, tok, sizeof(tok)) != 0)
		abort();
	snprintf(auth, sizeof(auth), "Bearer %s", tok);
}

/* Next line of [*p, end) as a NUL-terminated string (in place). */
static char *next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL) {
		*p = end;
		*end = '\0';
		return s;
	}
	*nl = '\0';
	*p = nl + 1;
	return s;
}

static void run(const struct sandbox_request *req)
{
	struct sandbox_response resp;

	sandbox_response_init(&resp);
	sandbox_handle(sb, req, &resp);
	sandbox_response_free(&resp);
}

/* One input as one request to a sandbox of `ledger`, with a token of `scope`. */
static int fuzz_sandbox_one(const uint8_t *data, size_t size, enum sandbox_ledger ledger,
                            const char *scope)
{
	struct sandbox_kv query[MAX_FIELDS], headers[MAX_FIELDS + 2];
	struct sandbox_request req;
	size_t nq = 0, nh = 0;
	char *buf, *p, *end, *line;

	if (sb == NULL)
		init_once(ledger, scope);
	if (size > MAX_INPUT)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = buf;
	end = buf + size;
	memset(&req, 0, sizeof(req));
	req.method = next_line(&p, end);
	req.path = next_line(&p, end);
	if (req.method == NULL || req.path == NULL)
		goto out;
	line = next_line(&p, end);
	while (line != NULL && *line && nq < MAX_FIELDS) {
		char *amp = strchr(line, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(line, '=');
		if (eq)
			*eq = '\0';
		query[nq].key = line;
		query[nq].value = eq ? eq + 1 : "";
		nq++;
		line = amp ? amp + 1 : NULL;
	}
	while ((line = next_line(&p, end)) != NULL && *line && nh < MAX_FIELDS) {
		char *colon = strchr(line, ':');

		if (colon == NULL)
			continue;
		*colon = '\0';
		headers[nh].key = line;
		headers[nh].value = colon[1] == ' ' ? colon + 2 : colon + 1;
		nh++;
	}
	headers[nh++] = (struct sandbox_kv){"Authorization", auth};
	headers[nh++] = (struct sandbox_kv){"xero-tenant-id", sandbox_default_tenant(sb)};
	req.query = query;
	req.nquery = nq;
	req.headers = headers;
	req.nheaders = nh;
	req.body = p < end ? p : "";
	req.body_len = p < end ? (size_t)(end - p) : 0;
	run(&req);
	/* keep memory bounded: start from a fresh ledger now and then */
	if (++runs % RESET_EVERY == 0) {
		struct sandbox_request reset = {"POST", "/sandbox/reset", NULL, 0, NULL, 0, "", 0};

		run(&reset);
	}
out:
	free(buf);
	return 0;
}

#endif
