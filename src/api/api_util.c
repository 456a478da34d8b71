/*
 * api_util.c - the answer helpers every endpoint uses (api_int.h): the
 * one error shape, bs_status to HTTP status, scopes by name, and key
 * cursors.
 *
 * A cursor is the last row's key fields joined by 0x1f, in URL-safe
 * base64 without padding.  It is not signed: it only says where to start,
 * and the query that takes it is a prepared statement with the fields as
 * parameters, so a forged cursor can do no more than start elsewhere.
 */
#include "api/api_int.h"
#include "core/jsonw.h"
#include "store/store.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CURSOR_SEP '\x1f'
#define CURSOR_MAX 1024 /* decoded bytes */

unsigned api_scope_parse(const char *name)
{
	static const struct {
		const char *name;
		unsigned bit;
	} scopes[] = {
	    {"records:write", API_SCOPE_RECORDS_WRITE},
	    {"read", API_SCOPE_READ},
	    {"sync", API_SCOPE_SYNC},
	    {"admin", API_SCOPE_ADMIN},
	};

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (strcmp(name, scopes[i].name) == 0)
			return scopes[i].bit;
	return 0;
}

void api_json(struct http_resp *resp, int status)
{
	resp->status = status;
	resp->content_type = "application/json";
}

void api_error(struct http_resp *resp, int status, const char *param, const char *fmt, ...)
{
	char msg[BS_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_json(resp, status);
	buf_reset(&resp->body);
	buf_printf(&resp->body, "{\"error\":{\"status\":%d,", status);
	jsonw_kv_str(&resp->body, 0, "message", msg);
	if (param != NULL)
		jsonw_kv_str(&resp->body, 1, "param", param);
	buf_addstr(&resp->body, "}}");
}

static int http_status_for(int status)
{
	switch (status) {
	case BS_EINVAL:
	case BS_EPARSE:
	case BS_EDIGITS:
	case BS_ERANGE:
		return 400;
	case BS_ENOTFOUND:
		return 404;
	case BS_ECONFLICT:
	case BS_ESTALE:
	case BS_EBUSY:
	case BS_ESTATE:
		return 409;
	case BS_ETOOBIG:
		return 413;
	case BS_EAUTH:
	case BS_ENET:
	case BS_EPROTO:
		return 502;
	case BS_ELIMIT:
		return 503;
	default:
		return 500;
	}
}

void api_error_bs(struct http_resp *resp, int status, const struct bs_error *err)
{
	const char *msg = err != NULL && err->msg[0] ? err->msg : bs_strerror(status);

	api_error(resp, http_status_for(status), NULL, "%s", msg);
}

int api_cursor_encode(const char *const *fields, size_t n, struct buf *out)
{
	struct buf raw;
	char *b64 = NULL;
	size_t b64len;
	int rc = BS_OK;

	buf_init(&raw, CURSOR_MAX);
	for (size_t i = 0; i < n && rc == BS_OK; i++) {
		if (strchr(fields[i], CURSOR_SEP) != NULL)
			rc = BS_EINVAL;
		else if (i > 0)
			rc = buf_addc(&raw, CURSOR_SEP);
		if (rc == BS_OK)
			rc = buf_addstr(&raw, fields[i]);
	}
	if (rc != BS_OK)
		goto out;
	b64len = sodium_base64_encoded_len(raw.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	b64 = malloc(b64len);
	if (b64 == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	sodium_bin2base64(b64, b64len, (const unsigned char *)buf_cstr(&raw), raw.len,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	buf_reset(out);
	rc = buf_addstr(out, b64);
out:
	free(b64);
	buf_free(&raw);
	return rc;
}

int api_cursor_decode(const char *token, struct buf *scratch, const char **fields, size_t n)
{
	unsigned char bin[CURSOR_MAX];
	size_t len = 0, k = 0;
	char *p;

	if (sodium_base642bin(bin, sizeof(bin), token, strlen(token), NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return BS_EINVAL;
	buf_reset(scratch);
	if (len == 0 || buf_add(scratch, bin, len) != BS_OK)
		return BS_EINVAL;
	p = scratch->ptr;
	if (memchr(p, '\0', len) != NULL)
		return BS_EINVAL;
	fields[k++] = p;
	for (size_t i = 0; i < len; i++) {
		if (p[i] != CURSOR_SEP)
			continue;
		if (k == n)
			return BS_EINVAL;
		p[i] = '\0';
		fields[k++] = p + i + 1;
	}
	return k == n ? BS_OK : BS_EINVAL;
}

static int target_add(void *arg, const char *target, const char *name)
{
	struct api_targets *ts = arg;

	(void)name;
	if (strlen(target) >= sizeof(ts->t[0]))
		return BS_OK;
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 4;
		char(*t)[128] = realloc(ts->t, cap * sizeof(*t));

		if (t == NULL)
			return BS_ENOMEM;
		ts->t = t, ts->cap = cap;
	}
	memcpy(ts->t[ts->n++], target, strlen(target) + 1);
	return BS_OK;
}

int api_targets_collect(struct store *st, struct api_targets *ts, struct bs_error *err)
{
	return store_targets_each(st, target_add, ts, err);
}
