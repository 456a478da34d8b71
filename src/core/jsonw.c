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

int jsonw_strn(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	int rc = buf_addc(b, '"');

	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = buf_add(b, s + run, i - run);
		if (rc != BS_OK)
			break;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3); // NOLINT(bugprone-not-null-terminated-result)
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		rc = buf_add(b, esc, elen);
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
