/*
 * jsonw.c - JSON value writer (see jsonw.h).
 *
 * Runs of bytes that need no escaping are copied in one buf_add, so the
 * common case costs one memcpy per string.
 */
#include "core/jsonw.h"

#include "core/buf.h"
#include "core/error.h"

#include <stdio.h>
#include <string.h>

size_t jsonw_escape(unsigned char c, char esc[6])
{
	static const char hex[] = "0123456789abcdef";

	if (c >= 0x20 && c != '"' && c != '\\')
		return 0;
	esc[0] = '\\';
	switch (c) {
	case '"':
	case '\\':
		esc[1] = (char)c;
		return 2;
	case '\n':
		esc[1] = 'n';
		return 2;
	case '\r':
		esc[1] = 'r';
		return 2;
	case '\t':
		esc[1] = 't';
		return 2;
	case '\b':
		esc[1] = 'b';
		return 2;
	case '\f':
		esc[1] = 'f';
		return 2;
	default:
		esc[1] = 'u';
		esc[2] = '0';
		esc[3] = '0';
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 15];
		return 6;
	}
}

int jsonw_strn(struct buf *b, const char *s, size_t n)
{
	size_t run = 0;
	int rc = buf_addc(b, '"');

	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		char esc[6];
		size_t elen = jsonw_escape((unsigned char)s[i], esc);

		if (elen == 0)
			continue;
		rc = buf_add(b, s + run, i - run);
		if (rc == BS_OK)
			rc = buf_add(b, esc, elen);
		run = i + 1;
	}
	if (rc == BS_OK)
		rc = buf_add(b, s + run, n - run);
	if (rc == BS_OK)
		rc = buf_addc(b, '"');
	return rc;
}

int jsonw_str(struct buf *b, const char *s)
{
	return jsonw_strn(b, s, strlen(s));
}

int jsonw_key(struct buf *b, const char *key)
{
	int rc = buf_addc(b, '"');

	if (rc == BS_OK)
		rc = buf_addstr(b, key);
	if (rc == BS_OK)
		rc = buf_add(b, "\":", 2);
	return rc;
}

int jsonw_kv_str(struct buf *b, int comma, const char *key, const char *value)
{
	int rc = comma ? buf_addc(b, ',') : BS_OK;

	if (rc == BS_OK)
		rc = jsonw_key(b, key);
	if (rc == BS_OK)
		rc = jsonw_str(b, value);
	return rc;
}

int jsonw_kv_int(struct buf *b, int comma, const char *key, int64_t value)
{
	int rc = comma ? buf_addc(b, ',') : BS_OK;

	if (rc == BS_OK)
		rc = jsonw_key(b, key);
	if (rc == BS_OK)
		rc = buf_printf(b, "%lld", (long long)value);
	return rc;
}
