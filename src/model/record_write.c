/*
 * record_write.c - the canonical writer of src/model (see record_int.h).
 *
 * JSON strings and member names go into the state's staging buffer
 * (record_int.h's rf_w_add), object keys are sorted bytewise, and an
 * unknown field's value is copied as given: numbers keep their source
 * text, objects get their keys sorted, so the same content always gives
 * the same bytes.  Field values booksync understands are written by
 * rf_write_scalar (record_read.c) and the walk (record.c).
 */
#include "core/buf.h"
#include "core/error.h"
#include "core/jsonw.h"
#include "model/record_int.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 64 /* nesting of unknown values we are willing to copy */

static bool needs_escape(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\')
			return true;
	}
	return false;
}

/* A JSON string with escapes, piece by piece (the rare case). */
static int put_str_escaped(struct wr *b, const char *s, size_t n)
{
	size_t i, run = 0;
	int rc;

	if ((rc = rf_w_addc(b, '"')) != BS_OK)
		return rc;
	for (i = 0; i < n; i++) {
		char esc[6];
		size_t en = jsonw_escape((unsigned char)s[i], esc);

		if (en == 0)
			continue;
		if ((rc = rf_w_add(b, s + run, i - run)) != BS_OK)
			return rc;
		run = i + 1;
		if ((rc = rf_w_add(b, esc, en)) != BS_OK)
			return rc;
	}
	if ((rc = rf_w_add(b, s + run, n - run)) != BS_OK)
		return rc;
	return rf_w_addc(b, '"');
}

/*
 * A JSON string: quotes, backslash and control characters escaped, every
 * other byte as is (the input's UTF-8 passes through unchanged).  `sep`
 * (',' or 0) goes first and `tail` (':' or 0) last, so a short clean
 * string costs one append.
 */
static int put_str_sep(struct wr *b, char sep, const char *s, size_t n, char tail)
{
	char tmp[128];
	size_t o = 0;
	int rc;

	if (n + 4 <= sizeof(tmp) && !needs_escape(s, n)) {
		if (sep)
			tmp[o++] = sep;
		tmp[o++] = '"';
		memcpy(tmp + o, s, n);
		o += n;
		tmp[o++] = '"';
		if (tail)
			tmp[o++] = tail;
		return rf_w_add(b, tmp, o);
	}
	if (sep && (rc = rf_w_addc(b, sep)) != BS_OK)
		return rc;
	if ((rc = put_str_escaped(b, s, n)) != BS_OK)
		return rc;
	return tail ? rf_w_addc(b, tail) : BS_OK;
}

int rf_put_str(struct wr *b, const char *s, size_t n)
{
	return put_str_sep(b, 0, s, n, 0);
}

/* ",\"key\":" (the comma unless first). */
int rf_put_key(struct wr *b, bool *first, const char *key)
{
	char sep = *first ? 0 : ',';

	*first = false;
	return put_str_sep(b, sep, key, strlen(key), ':');
}

/* The same for a field name from our tables: short and clean, so no
 * escape scan and one append. */
int rf_put_name(struct wr *b, bool *first, const char *name)
{
	char tmp[64];
	size_t n = strlen(name), o = 0;

	if (n + 4 > sizeof(tmp))
		return rf_put_key(b, first, name);
	if (!*first)
		tmp[o++] = ',';
	*first = false;
	tmp[o++] = '"';
	memcpy(tmp + o, name, n); // NOLINT(bugprone-not-null-terminated-result)
	o += n;
	tmp[o++] = '"';
	tmp[o++] = ':';
	return rf_w_add(b, tmp, o);
}

static int entry_cmp(const void *a, const void *b)
{
	return rf_keycmp(((const struct rf_entry *)a)->key, ((const struct rf_entry *)b)->key);
}

/* Sort by key, bytewise.  Objects are small: insertion sort beats qsort's
 * indirect calls there; qsort takes over for big unknown objects. */
void rf_sort_entries(struct rf_entry *e, size_t n)
{
	if (n > 16) {
		qsort(e, n, sizeof(*e), entry_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct rf_entry t = e[i];
		size_t j = i;

		while (j > 0 && rf_keycmp(e[j - 1].key, t.key) > 0) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = t;
	}
}

/* The text of a JSON integer, without json-c's allocating serializer or
 * printf (this runs for every numeric field of every record). */
size_t rf_int_text(struct json_object *v, char *out, size_t outsz)
{
	int64_t i = json_object_get_int64(v);
	uint64_t u;
	char tmp[24];
	size_t n = 0, len = 0;
	bool neg = i < 0;

	if (i == INT64_MAX)
		u = json_object_get_uint64(v); /* maybe a uint64 above INT64_MAX */
	else
		u = neg ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (n + 2 > outsz)
		return 0;
	if (neg)
		out[len++] = '-';
	while (n > 0)
		out[len++] = tmp[--n];
	out[len] = '\0';
	return len;
}

/* The source text of a JSON double: json-c's tokener keeps it as the
 * object's userdata (json_object_new_double_s); a double built in code has
 * none and is printed by json-c instead. */
const char *rf_double_text(struct json_object *v)
{
	const char *t = json_object_get_userdata(v);

	return t != NULL ? t : json_object_get_string(v);
}

/* Does s follow JSON's number grammar?  (json-c also accepts NaN, Infinity.) */
static bool json_number_ok(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static int put_verbatim_object(struct rf_state *st, const char *key, struct json_object *v)
{
	struct wr *b = &st->w;
	struct rf_entry stack[RF_ENTRY_STACK], *e = stack;
	size_t n = 0, cnt = (size_t)json_object_object_length(v);
	bool first = true;
	int rc;

	if (cnt > RF_ENTRY_STACK && (e = malloc(cnt * sizeof(*e))) == NULL)
		return bs_error_set(st->err, BS_ENOMEM, "out of memory");
	json_object_object_foreach(v, k, val)
	{
		e[n].key = k;
		e[n].val = val;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		if (!rf_utf8_ok(e[i].key, strlen(e[i].key))) {
			rc = rf_fail(st, BS_EINVAL, NULL, "a field name is not valid UTF-8");
			goto out;
		}
	}
	rf_sort_entries(e, n);
	rc = rf_w_addc(b, '{');
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		rc = rf_put_key(b, &first, e[i].key);
		if (rc == BS_OK)
			rc = rf_put_verbatim(st, key, e[i].val);
	}
	if (rc == BS_OK)
		rc = rf_w_addc(b, '}');
out:
	if (e != stack)
		free(e);
	return rc;
}

/* An unknown field's value, as given but with object keys sorted. */
int rf_put_verbatim(struct rf_state *st, const char *key, struct json_object *v)
{
	struct wr *b = &st->w;
	char num[24];
	const char *t;
	size_t n;
	int rc = BS_OK;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return rf_w_add(b, "null", 4);
	case json_type_boolean:
		return json_object_get_boolean(v) ? rf_w_add(b, "true", 4)
		                                  : rf_w_add(b, "false", 5);
	case json_type_int:
		n = rf_int_text(v, num, sizeof(num));
		return rf_w_add(b, num, n);
	case json_type_double:
		t = rf_double_text(v);
		if (json_number_ok(t))
			return rf_w_add(b, t, strlen(t));
		return rf_put_str(b, t, strlen(t)); /* NaN, Infinity: not JSON */
	case json_type_string:
		t = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (!rf_utf8_ok(t, n))
			return rf_fail(st, BS_EINVAL, key, "is not valid UTF-8");
		return rf_put_str(b, t, n);
	case json_type_object:
	case json_type_array:
		if (st->depth >= DEPTH_MAX)
			return rf_fail(st, BS_EINVAL, key, "is nested too deeply");
		st->depth++;
		if (json_object_get_type(v) == json_type_object) {
			rc = put_verbatim_object(st, key, v);
		} else {
			size_t len = json_object_array_length(v);

			rc = rf_w_addc(b, '[');
			for (size_t i = 0; rc == BS_OK && i < len; i++) {
				if (i > 0)
					rc = rf_w_addc(b, ',');
				if (rc == BS_OK)
					rc = rf_put_verbatim(st, key,
					                     json_object_array_get_idx(v, i));
			}
			if (rc == BS_OK)
				rc = rf_w_addc(b, ']');
		}
		st->depth--;
		return rc;
	}
	return BS_EINTERNAL;
}
