/*
 * jsonw.c - JSON value writer (see jsonw.h).
 *
 * A string with nothing to escape -- nearly every one -- is one buf_extend
 * and one memcpy; otherwise the runs between escapes are one buf_add each.
 * The planner writes every document through here, a dozen strings each.
 */
#include "core/jsonw.h"

#include "core/buf.h"
#include "core/error.h"

#include <string.h>

/* clang-format off */
const unsigned char jsonw_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 - 0x0f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10 - 0x1f */
    ['"'] = 1,
    ['\\'] = 1,
};
/* clang-format on */

size_t jsonw_escape(unsigned char c, char esc[6])
{
	static const char hex[] = "0123456789abcdef";

	if (!jsonw_special[c])
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

/* How many of s[0..n) need no escaping, from the start. */
static size_t plain_run(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && !jsonw_special[(unsigned char)s[i]])
		i++;
	return i;
}

int jsonw_strn(struct buf *b, const char *s, size_t n)
{
	size_t run = 0;
	char *at;
	int rc;

	/* the common case: nothing to escape, one piece */
	if (plain_run(s, n) == n) {
		if ((rc = buf_extend(b, n + 2, &at)) != BS_OK)
			return rc;
		at[0] = '"';
		memcpy(at + 1, s, n);
		at[n + 1] = '"';
		return BS_OK;
	}
	rc = buf_addc(b, '"');
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
	size_t n = strlen(key);
	char *at;
	int rc = buf_extend(b, n + 3, &at);

	if (rc != BS_OK)
		return rc;
	at[0] = '"';
	/* buf_extend put the NUL after the n + 3 bytes */
	memcpy(at + 1, key, n); // NOLINT(bugprone-not-null-terminated-result)
	at[n + 1] = '"';
	at[n + 2] = ':';
	return BS_OK;
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
	char digits[24], *d = digits + sizeof(digits);
	/* the magnitude as unsigned: INT64_MIN has no positive twin */
	uint64_t u = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	int rc = comma ? buf_addc(b, ',') : BS_OK;

	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (value < 0)
		*--d = '-';
	if (rc == BS_OK)
		rc = jsonw_key(b, key);
	if (rc == BS_OK)
		rc = buf_add(b, d, (size_t)(digits + sizeof(digits) - d));
	return rc;
}
