/*
 * record.c - validating a source record and writing its canonical form
 * (see record.h).
 *
 * One generic walk does every kind: for each JSON object it looks each key
 * up in that object's sorted field table (record_kinds.c), then walks the
 * table in order, merging in the (rarely present, sorted) unknown keys, and
 * writes each member straight into out->canonical as it validates it.  A
 * record costs one pass and no allocation beyond the canonical buffer
 * (which a reused struct record keeps).  What a kind means beyond its
 * fields' shapes (line amounts, totals, exclusive references, tabs) lives
 * in the kind's hooks; the BLAKE2b hash of the text (libsodium) is its
 * content identity.
 */
#include "model/record.h"

#include "core/jsonw.h"

#include "core/buf.h"
#include "core/error.h"
#include "core/money.h"
#include "model/record_int.h"

#include <json-c/json.h>
#include <sodium.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_MAX    40 /* bytes of a bad value quoted in a message */
#define DEPTH_MAX   64 /* nesting of unknown values we are willing to copy */
#define ENTRY_STACK 32
#define HINT_MAX    32 /* keys of a line item whose lookup is remembered */
#define NO_HINT     0xff

/* A member of an object whose keys must be sorted (unknown fields,
 * tracking categories). */
struct entry {
	const char *key;
	struct json_object *val;
};

static int walk_object(struct rf_state *st, struct json_object *obj, const struct rf_object *spec,
                       struct rf_val *vals, unsigned char *hint);

/* ---- kinds ---------------------------------------------------------- */

const char *record_kind_name(enum record_kind k)
{
	if ((unsigned)k >= RECORD_KIND_COUNT)
		return "record";
	return rf_kinds[k].name;
}

int record_kind_from_name(const char *name, enum record_kind *out)
{
	if (name == NULL)
		return BS_ENOTFOUND;
	for (int k = 0; k < RECORD_KIND_COUNT; k++) {
		if (strcmp(name, rf_kinds[k].name) == 0) {
			*out = (enum record_kind)k;
			return BS_OK;
		}
	}
	return BS_ENOTFOUND;
}

void record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->canonical, 0);
}

void record_release(struct record *r)
{
	buf_free(&r->canonical);
}

/* ---- messages ------------------------------------------------------- */

/* Is s[0..n) well-formed UTF-8 (RFC 3629: no overlongs, surrogates or
 * code points past U+10FFFF)?  Canonical text must be valid JSON. */
static bool utf8_ok(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		else
			return false;
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] > 0x9F) ||
		    (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] > 0x8F))
			return false;
		i += len;
	}
	return true;
}

/* `s` quoted for a message: at most SHOW_MAX bytes (cut on a UTF-8
 * boundary, "..." added), control characters, quotes and backslashes
 * shown as '?' so a message stays one printable line. */
static const char *show(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0, lim = n;
	bool cut = false, ascii_only;

	if (lim > SHOW_MAX) {
		lim = SHOW_MAX;
		while (lim > 0 && ((unsigned char)s[lim] & 0xC0) == 0x80)
			lim--;
		cut = true;
	}
	if (outsz < SHOW_MAX + 8)
		lim = 0;
	out[o++] = '"';
	ascii_only = !utf8_ok(s, lim);
	for (i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] =
		    (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || (ascii_only && c >= 0x80))
		        ? '?'
		        : (char)c;
	}
	if (cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

int rf_fail(struct rf_state *st, int code, const char *field, const char *fmt, ...)
{
	char body[BS_ERROR_MSG_MAX];
	char where[24] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (st->line > 0)
		snprintf(where, sizeof(where), " line %u", st->line);
	bs_error_set(st->err, code, "%s %s%s: %s%s%s%s%s", st->kind->name, st->out->id, where,
	             st->path ? st->path : "", st->path && field ? "." : "", field ? field : "",
	             field && body[0] ? " " : "", body);
	/* an unknown field's name may hold control characters: keep one line */
	if (st->err != NULL)
		for (char *p = st->err->msg; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	return code;
}

void rf_amount_text(const struct rf_state *st, int64_t v, char *out, size_t outsz)
{
	struct buf b;

	buf_init(&b, outsz > 0 ? outsz - 1 : 1);
	if (money_format(&b, v, MONEY_DP, st->exp) == BS_OK)
		snprintf(out, outsz, "%s", buf_cstr(&b));
	else
		snprintf(out, outsz, "?");
	buf_free(&b);
}

/* ---- canonical JSON writing ----------------------------------------- */

/*
 * The canonical text is staged in st->w (a few KB on the stack) and moved
 * into out->canonical in large pieces: most appends are a handful of
 * bytes, and a buf_add call per token cost more than the bytes themselves.
 */
static int w_flush(struct wr *w)
{
	int rc = BS_OK;

	if (w->len > 0)
		rc = buf_add(w->b, w->data, w->len);
	w->len = 0;
	return rc;
}

static int w_add(struct wr *w, const void *p, size_t n)
{
	int rc;

	if (n > sizeof(w->data) - w->len) {
		if ((rc = w_flush(w)) != BS_OK)
			return rc;
		if (n > sizeof(w->data))
			return buf_add(w->b, p, n);
	}
	memcpy(w->data + w->len, p, n);
	w->len += n;
	return BS_OK;
}

static int w_addc(struct wr *w, char c)
{
	if (w->len == sizeof(w->data)) {
		int rc = w_flush(w);

		if (rc != BS_OK)
			return rc;
	}
	w->data[w->len++] = c;
	return BS_OK;
}

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

	if ((rc = w_addc(b, '"')) != BS_OK)
		return rc;
	for (i = 0; i < n; i++) {
		char esc[6];
		size_t en = jsonw_escape((unsigned char)s[i], esc);

		if (en == 0)
			continue;
		if ((rc = w_add(b, s + run, i - run)) != BS_OK)
			return rc;
		run = i + 1;
		if ((rc = w_add(b, esc, en)) != BS_OK)
			return rc;
	}
	if ((rc = w_add(b, s + run, n - run)) != BS_OK)
		return rc;
	return w_addc(b, '"');
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
		return w_add(b, tmp, o);
	}
	if (sep && (rc = w_addc(b, sep)) != BS_OK)
		return rc;
	if ((rc = put_str_escaped(b, s, n)) != BS_OK)
		return rc;
	return tail ? w_addc(b, tail) : BS_OK;
}

static int put_str(struct wr *b, const char *s, size_t n)
{
	return put_str_sep(b, 0, s, n, 0);
}

/* ",\"key\":" (the comma unless first). */
static int put_key(struct wr *b, bool *first, const char *key)
{
	char sep = *first ? 0 : ',';

	*first = false;
	return put_str_sep(b, sep, key, strlen(key), ':');
}

/* The same for a field name from our tables: short and clean, so no
 * escape scan and one append. */
static int put_name(struct wr *b, bool *first, const char *name)
{
	char tmp[64];
	size_t n = strlen(name), o = 0;

	if (n + 4 > sizeof(tmp))
		return put_key(b, first, name);
	if (!*first)
		tmp[o++] = ',';
	*first = false;
	tmp[o++] = '"';
	memcpy(tmp + o, name, n); // NOLINT(bugprone-not-null-terminated-result)
	o += n;
	tmp[o++] = '"';
	tmp[o++] = ':';
	return w_add(b, tmp, o);
}

/* Bytewise comparison, first byte inline: field names mostly differ there,
 * which spares a strcmp call on most probes. */
static inline int keycmp(const char *a, const char *b)
{
	if (a[0] != b[0])
		return (unsigned char)a[0] - (unsigned char)b[0];
	return a[0] == '\0' ? 0 : strcmp(a + 1, b + 1);
}

static int entry_cmp(const void *a, const void *b)
{
	return keycmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

/* Sort by key, bytewise.  Objects are small: insertion sort beats qsort's
 * indirect calls there; qsort takes over for big unknown objects. */
static void sort_entries(struct entry *e, size_t n)
{
	if (n > 16) {
		qsort(e, n, sizeof(*e), entry_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct entry t = e[i];
		size_t j = i;

		while (j > 0 && keycmp(e[j - 1].key, t.key) > 0) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = t;
	}
}

/* The text of a JSON integer, without json-c's allocating serializer or
 * printf (this runs for every numeric field of every record). */
static size_t int_text(struct json_object *v, char *out, size_t outsz)
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
static const char *double_text(struct json_object *v)
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

static int put_verbatim(struct rf_state *st, const char *key, struct json_object *v);

static int put_verbatim_object(struct rf_state *st, const char *key, struct json_object *v)
{
	struct wr *b = &st->w;
	struct entry stack[ENTRY_STACK], *e = stack;
	size_t n = 0, cnt = (size_t)json_object_object_length(v);
	bool first = true;
	int rc;

	if (cnt > ENTRY_STACK && (e = malloc(cnt * sizeof(*e))) == NULL)
		return bs_error_set(st->err, BS_ENOMEM, "out of memory");
	json_object_object_foreach(v, k, val)
	{
		e[n].key = k;
		e[n].val = val;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		if (!utf8_ok(e[i].key, strlen(e[i].key))) {
			rc = rf_fail(st, BS_EINVAL, NULL, "a field name is not valid UTF-8");
			goto out;
		}
	}
	sort_entries(e, n);
	rc = w_addc(b, '{');
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		rc = put_key(b, &first, e[i].key);
		if (rc == BS_OK)
			rc = put_verbatim(st, key, e[i].val);
	}
	if (rc == BS_OK)
		rc = w_addc(b, '}');
out:
	if (e != stack)
		free(e);
	return rc;
}

/* An unknown field's value, as given but with object keys sorted. */
static int put_verbatim(struct rf_state *st, const char *key, struct json_object *v)
{
	struct wr *b = &st->w;
	char num[24];
	const char *t;
	size_t n;
	int rc = BS_OK;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return w_add(b, "null", 4);
	case json_type_boolean:
		return json_object_get_boolean(v) ? w_add(b, "true", 4) : w_add(b, "false", 5);
	case json_type_int:
		n = int_text(v, num, sizeof(num));
		return w_add(b, num, n);
	case json_type_double:
		t = double_text(v);
		if (json_number_ok(t))
			return w_add(b, t, strlen(t));
		return put_str(b, t, strlen(t)); /* NaN, Infinity: not JSON */
	case json_type_string:
		t = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (!utf8_ok(t, n))
			return rf_fail(st, BS_EINVAL, key, "is not valid UTF-8");
		return put_str(b, t, n);
	case json_type_object:
	case json_type_array:
		if (st->depth >= DEPTH_MAX)
			return rf_fail(st, BS_EINVAL, key, "is nested too deeply");
		st->depth++;
		if (json_object_get_type(v) == json_type_object) {
			rc = put_verbatim_object(st, key, v);
		} else {
			size_t len = json_object_array_length(v);

			rc = w_addc(b, '[');
			for (size_t i = 0; rc == BS_OK && i < len; i++) {
				if (i > 0)
					rc = w_addc(b, ',');
				if (rc == BS_OK)
					rc = put_verbatim(st, key, json_object_array_get_idx(v, i));
			}
			if (rc == BS_OK)
				rc = w_addc(b, ']');
		}
		st->depth--;
		return rc;
	}
	return BS_EINTERNAL;
}

/* ---- scalar checks -------------------------------------------------- */

/* The text of a scalar: a string's bytes, a number's source text.  Returns
 * false for anything else (bool, object, array). */
static bool scalar_text(struct json_object *v, char *num, size_t numsz, const char **s, size_t *n)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		*s = json_object_get_string(v);
		*n = (size_t)json_object_get_string_len(v);
		return true;
	case json_type_int:
		*n = int_text(v, num, numsz);
		*s = num;
		return true;
	case json_type_double:
		*s = double_text(v);
		*n = strlen(*s);
		return true;
	default:
		return false;
	}
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool date_ok(const char *s, size_t n)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

static bool ieq(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n && b[i]; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (x != y)
			return false;
	}
	return i == n && b[i] == '\0';
}

/* A boolean: JSON true/false, 1/0, or the text true/false/yes/no/1/0. */
static int parse_bool(struct json_object *v, const char *s, size_t n, bool *out)
{
	if (json_object_get_type(v) == json_type_boolean) {
		*out = json_object_get_boolean(v);
		return BS_OK;
	}
	if (s == NULL)
		return BS_EPARSE;
	if (ieq(s, n, "true") || ieq(s, n, "yes") || (n == 1 && s[0] == '1')) {
		*out = true;
		return BS_OK;
	}
	if (ieq(s, n, "false") || ieq(s, n, "no") || (n == 1 && s[0] == '0')) {
		*out = false;
		return BS_OK;
	}
	return BS_EPARSE;
}

/*
 * Why text the lenient parser would take is not plain decimal text (see
 * money_check_text), as a hint for the message; "" when it is not that.
 */
static const char *text_hint(const char *s, size_t n)
{
	int64_t v;
	size_t i;

	if (s == NULL || money_parse_fixed(s, n, 0, 0, &v) == BS_EPARSE)
		return ""; /* not a number at all: "12.3x" */
	if (memchr(s, 'e', n) != NULL || memchr(s, 'E', n) != NULL)
		return " (text takes no exponent: write the digits out)";
	if (n > 0 && s[0] == '+')
		return " (text takes no '+' sign)";
	i = n > 0 && s[0] == '-' ? 1 : 0;
	if (i < n && s[i] == '.')
		return " (a digit must come before the '.', as in 0.5)";
	return " (a digit must follow the '.', or leave the '.' out)";
}

/* A decimal field at its scale, with the rule's message on failure.
 * `text`: the value came as a string (a CSV cell), which must be plain
 * decimal text; a JSON number's text follows JSON's own grammar. */
static int parse_number(struct rf_state *st, const struct rf_field *f, const char *s, size_t n,
                        bool text, int64_t *out)
{
	char q[SHOW_MAX + 8];
	int rc, maxdp = 0;

	if (text && money_check_text(s, n) != BS_OK) {
		show(s, n, q, sizeof(q));
		return rf_fail(st, BS_EPARSE, f->name, "%s is not a decimal%s", q, text_hint(s, n));
	}
	switch (f->type) {
	case RF_AMOUNT:
		maxdp = st->exp;
		rc = money_parse(s, n, maxdp, out);
		break;
	case RF_PRICE:
		maxdp = MONEY_DP;
		rc = money_parse(s, n, maxdp, out);
		break;
	case RF_QTY:
		maxdp = QTY_DP;
		rc = money_parse_qty(s, n, out);
		break;
	case RF_PCT:
		maxdp = PCT_DP;
		rc = money_parse_pct(s, n, out);
		break;
	case RF_FX:
		rc = money_parse_fx(s, n, out);
		break;
	default:
		return BS_EINTERNAL;
	}
	if (rc == BS_OK)
		return BS_OK;
	show(s, n, q, sizeof(q));
	switch (rc) {
	case BS_EPARSE:
		return rf_fail(st, BS_EPARSE, f->name, "%s is not a decimal", q);
	case BS_EDIGITS:
		if (f->type == RF_FX)
			return rf_fail(st, BS_EDIGITS, f->name,
			               "%s has more than 10 significant digits", q);
		if (f->type == RF_AMOUNT && st->ccy != NULL)
			return rf_fail(st, BS_EDIGITS, f->name, "%s has more than %d decimals (%s)",
			               q, maxdp, st->ccy);
		return rf_fail(st, BS_EDIGITS, f->name, "%s has more than %d decimals", q, maxdp);
	case BS_ERANGE:
		if (f->type == RF_FX)
			return rf_fail(st, BS_ERANGE, f->name, "%s is not a rate greater than 0",
			               q);
		return rf_fail(st, BS_ERANGE, f->name, "%s is out of range", q);
	default:
		return rf_fail(st, rc, f->name, "%s: %s", q, bs_strerror(rc));
	}
}

/* A reference or id: 1..64 bytes, no control characters. */
static int check_id(struct rf_state *st, const char *field, const char *s, size_t n)
{
	if (n == 0)
		return rf_fail(st, BS_EINVAL, field, "is empty");
	if (n > RECORD_ID_MAX)
		return rf_fail(st, BS_ETOOBIG, field, "is longer than %d bytes", RECORD_ID_MAX);
	if (has_control(s, n))
		return rf_fail(st, BS_EINVAL, field, "contains a control character");
	if (!utf8_ok(s, n))
		return rf_fail(st, BS_EINVAL, field, "is not valid UTF-8");
	return BS_OK;
}

/*
 * Check a scalar field's value into *val (val->set false when absent:
 * missing, null, or "" for anything but a reference).  `num` holds the
 * text of a JSON integer, so val->s may point into it.
 */
static int check_scalar(struct rf_state *st, const struct rf_field *f, struct json_object *v,
                        struct rf_val *val, char num[24])
{
	char q[SHOW_MAX + 8];
	/* the value as quoted in a message: built only on a failure path */
#define Q show(s, n, q, sizeof(q))
	const char *s = NULL;
	size_t n = 0;
	bool bv;
	int rc;

	memset(val, 0, sizeof(*val));
	/* null, and "" for anything but a reference, mean absent: then the
	 * default applies, exactly as when the key is missing */
	if (v != NULL && (json_object_get_type(v) == json_type_null ||
	                  (f->type != RF_REF && json_object_get_type(v) == json_type_string &&
	                   json_object_get_string_len(v) == 0)))
		v = NULL;
	if (v == NULL && f->dflt != NULL) {
		s = f->dflt;
		n = strlen(s);
	} else if (v == NULL) {
		goto absent;
	} else if (!scalar_text(v, num, 24, &s, &n)) {
		s = NULL;
		if (f->type != RF_BOOL) {
			static const char *const what[] = {
			    [RF_TEXT] = "a string",   [RF_CODE] = "a string",
			    [RF_REF] = "a string",    [RF_ENUM] = "a string",
			    [RF_DATE] = "a date",     [RF_CURRENCY] = "a currency code",
			    [RF_FX] = "a decimal",    [RF_AMOUNT] = "a decimal",
			    [RF_PRICE] = "a decimal", [RF_QTY] = "a decimal",
			    [RF_PCT] = "a decimal",
			};
			return rf_fail(st, BS_EINVAL, f->name, "is not %s",
			               f->type < sizeof(what) / sizeof(what[0]) && what[f->type]
			                   ? what[f->type]
			                   : "valid");
		}
	}
	if (s != NULL && n == 0 && f->type != RF_REF)
		goto absent;
	val->s = s;
	val->n = n;

	switch (f->type) {
	case RF_TEXT:
	case RF_CODE:
		if (n > f->max)
			return rf_fail(st, BS_ETOOBIG, f->name, "is longer than %u bytes",
			               (unsigned)f->max);
		if (f->type == RF_CODE && has_control(s, n))
			return rf_fail(st, BS_EINVAL, f->name, "contains a control character");
		if (!utf8_ok(s, n))
			return rf_fail(st, BS_EINVAL, f->name, "is not valid UTF-8");
		break;
	case RF_REF:
		if ((rc = check_id(st, f->name, s, n)) != BS_OK)
			return rc;
		break;
	case RF_ENUM:
		for (val->v = 0; f->enums[val->v] != NULL; val->v++)
			if (ieq(s, n, f->enums[val->v]))
				break;
		if (f->enums[val->v] == NULL) {
			char list[160] = "";
			size_t o = 0;

			for (size_t i = 0; f->enums[i] != NULL && o < sizeof(list); i++) {
				int w = snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
				                 f->enums[i]);
				if (w < 0)
					break;
				o += (size_t)w;
			}
			return rf_fail(st, BS_EINVAL, f->name, "%s is not one of %s", Q, list);
		}
		/* canonical: the table's spelling */
		val->s = f->enums[val->v];
		val->n = strlen(val->s);
		break;
	case RF_DATE:
		if (!date_ok(s, n))
			return rf_fail(st, BS_EINVAL, f->name,
			               "%s is not a valid date (YYYY-MM-DD)", Q);
		break;
	case RF_CURRENCY:
		/* checked before the walk (prepare); written normalised */
		val->s = st->out->currency;
		val->n = strlen(st->out->currency);
		break;
	case RF_BOOL:
		if (parse_bool(v, s, n, &bv) != BS_OK) {
			if (s == NULL)
				return rf_fail(st, BS_EINVAL, f->name, "is not a boolean");
			return rf_fail(st, BS_EINVAL, f->name, "%s is not a boolean", Q);
		}
		val->v = bv;
		break;
	case RF_AMOUNT:
	case RF_PRICE:
	case RF_QTY:
	case RF_FX:
	case RF_PCT:
		if ((rc = parse_number(st, f, s, n, json_object_is_type(v, json_type_string),
		                       &val->v)) != BS_OK)
			return rc;
		if (f->type == RF_PCT && val->v < f->pct_min)
			return rf_fail(st, BS_ERANGE, f->name, "%s is negative", Q);
		if (f->type == RF_PCT && f->pct_max >= 0 && val->v > f->pct_max)
			return rf_fail(st, BS_ERANGE, f->name, "%s is not between 0 and 100", Q);
		if ((f->flags & RF_POSITIVE) && val->v <= 0)
			return rf_fail(st, BS_ERANGE, f->name, "%s is not greater than 0", Q);
		if ((f->flags & RF_NONNEG) && val->v < 0)
			return rf_fail(st, BS_ERANGE, f->name, "%s is negative", Q);
		break;
	default:
		return BS_EINTERNAL;
	}
	val->set = true;
	return BS_OK;

absent:
	if (f->flags & RF_REQUIRED)
		return rf_fail(st, BS_EINVAL, f->name, "is required");
	return BS_OK;
}
#undef Q

/* Write a checked scalar as the member `f->name`. */
static int write_scalar(struct rf_state *st, const struct rf_field *f, const struct rf_val *val,
                        bool *first)
{
	struct wr *b = &st->w;
	int rc;

	if ((rc = put_name(b, first, f->name)) != BS_OK)
		return rc;
	switch (f->type) {
	case RF_BOOL:
		return val->v ? w_add(b, "true", 4) : w_add(b, "false", 5);
	case RF_AMOUNT:
	case RF_PRICE:
	case RF_QTY:
	case RF_PCT:
	case RF_FX: {
		static const signed char scale[] = {[RF_AMOUNT] = MONEY_DP,
		                                    [RF_PRICE] = MONEY_DP,
		                                    [RF_QTY] = QTY_DP,
		                                    [RF_PCT] = PCT_DP,
		                                    [RF_FX] = FX_DP};

		if ((rc = w_addc(b, '"')) != BS_OK)
			return rc;
		if ((rc = w_flush(b)) != BS_OK)
			return rc;
		rc = money_format(b->b, val->v, scale[f->type], f->type == RF_AMOUNT ? st->exp : 0);
		if (rc != BS_OK)
			return rc;
		return w_addc(b, '"');
	}
	default:
		return put_str(b, val->s, val->n);
	}
}

/* ---- structured fields ---------------------------------------------- */

/*
 * A nested object or array may arrive as JSON text (a CSV cell holding
 * `[{"sku":...}]`): parse it into *owned, which the caller puts.  Returns
 * the value to use, or NULL with *rc set (BS_OK and NULL when absent).
 */
static struct json_object *structured(struct rf_state *st, const struct rf_field *f,
                                      struct json_object *v, enum json_type want,
                                      struct json_object **owned, int *rc)
{
	*rc = BS_OK;
	*owned = NULL;
	if (v == NULL || json_object_get_type(v) == json_type_null)
		return NULL;
	if (json_object_get_type(v) == json_type_string) {
		const char *s = json_object_get_string(v);
		int len = json_object_get_string_len(v);
		struct json_tokener *tok;

		if (len == 0)
			return NULL;
		if ((tok = json_tokener_new()) == NULL) {
			*rc = bs_error_set(st->err, BS_ENOMEM, "out of memory");
			return NULL;
		}
		*owned = json_tokener_parse_ex(tok, s, len);
		if (*owned != NULL && tok->char_offset != len) {
			json_object_put(*owned);
			*owned = NULL;
		}
		json_tokener_free(tok);
		v = *owned;
	}
	if (v == NULL || json_object_get_type(v) != want) {
		*rc = rf_fail(st, BS_EINVAL, f->name, "is not %s",
		              want == json_type_array ? "an array" : "an object");
		return NULL;
	}
	return v;
}

static int put_tracking(struct rf_state *st, const struct rf_field *f, struct json_object *v,
                        bool *first)
{
	struct wr *b = &st->w;
	struct json_object *owned, *obj;
	struct entry e[2];
	size_t n = 0;
	bool inner = true;
	int rc;

	obj = structured(st, f, v, json_type_object, &owned, &rc);
	if (obj == NULL)
		goto out;
	if (json_object_object_length(obj) > 2) {
		rc = rf_fail(st, BS_EINVAL, f->name, "has more than 2 categories");
		goto out;
	}
	json_object_object_foreach(obj, k, val)
	{
		char num[24], path[300];
		const char *s;
		size_t len;

		snprintf(path, sizeof(path), "%s.%s", f->name, k);
		if (!utf8_ok(k, strlen(k))) {
			rc = rf_fail(st, BS_EINVAL, f->name,
			             "has a category name that is not valid UTF-8");
			goto out;
		}
		if (k[0] == '\0' || strlen(k) > 255) {
			rc = rf_fail(st, BS_EINVAL, f->name, "has a category name of %zu bytes",
			             strlen(k));
			goto out;
		}
		if (!scalar_text(val, num, sizeof(num), &s, &len)) {
			rc = rf_fail(st, BS_EINVAL, path, "is not a string");
			goto out;
		}
		if (len == 0 || len > 255) {
			rc = rf_fail(st, BS_EINVAL, path, "is %s",
			             len ? "longer than 255 bytes" : "empty");
			goto out;
		}
		if (!utf8_ok(s, len)) {
			rc = rf_fail(st, BS_EINVAL, path, "is not valid UTF-8");
			goto out;
		}
		e[n].key = k;
		e[n].val = val;
		n++;
	}
	sort_entries(e, n);
	if ((rc = put_name(b, first, f->name)) != BS_OK || (rc = w_addc(b, '{')) != BS_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char num[24];
		const char *s;
		size_t len;

		scalar_text(e[i].val, num, sizeof(num), &s, &len);
		if ((rc = put_key(b, &inner, e[i].key)) != BS_OK ||
		    (rc = put_str(b, s, len)) != BS_OK)
			goto out;
	}
	rc = w_addc(b, '}');
out:
	if (owned != NULL)
		json_object_put(owned);
	return rc;
}

static int put_lines(struct rf_state *st, const struct rf_field *f, struct json_object *v,
                     bool *first)
{
	struct wr *b = &st->w;
	struct json_object *owned, *arr;
	size_t n;
	unsigned char hint[HINT_MAX];
	int rc;

	arr = structured(st, f, v, json_type_array, &owned, &rc);
	if (arr == NULL) {
		if (rc == BS_OK && (f->flags & RF_REQUIRED))
			rc = rf_fail(st, BS_EINVAL, f->name, "is required");
		goto out;
	}
	n = json_object_array_length(arr);
	if (n == 0 && (f->flags & RF_REQUIRED)) {
		rc = rf_fail(st, BS_EINVAL, f->name, "is empty");
		goto out;
	}
	if ((rc = put_name(b, first, f->name)) != BS_OK || (rc = w_addc(b, '[')) != BS_OK)
		goto out;
	memset(hint, NO_HINT, sizeof(hint));
	for (size_t i = 0; i < n; i++) {
		struct json_object *ln = json_object_array_get_idx(arr, i);

		st->line = (unsigned)(i + 1);
		if (ln == NULL || json_object_get_type(ln) != json_type_object) {
			rc = rf_fail(st, BS_EINVAL, NULL, "is not an object");
			goto out;
		}
		if (i > 0 && (rc = w_addc(b, ',')) != BS_OK)
			goto out;
		memset(st->ln, 0, sizeof(st->ln));
		st->ln_amount = 0;
		st->ln_tax = 0;
		st->ln_zeros = 0;
		if ((rc = walk_object(st, ln, f->sub, st->ln, hint)) != BS_OK)
			goto out;
		if (st->kind->line != NULL && (rc = st->kind->line(st)) != BS_OK)
			goto out;
		if (st->doc != NULL && (rc = rf_doc_add_line(st)) != BS_OK)
			goto out;
	}
	st->line = 0;
	st->nlines = n;
	rc = w_addc(b, ']');
out:
	if (owned != NULL)
		json_object_put(owned);
	return rc;
}

static int put_nested(struct rf_state *st, const struct rf_field *f, struct json_object *v,
                      bool *first)
{
	struct wr *b = &st->w;
	struct json_object *owned, *obj;
	struct rf_val scratch[S_COUNT];
	const char *saved = st->path;
	int rc;

	memset(scratch, 0, sizeof(scratch));
	obj = structured(st, f, v, json_type_object, &owned, &rc);
	if (obj == NULL) {
		if (rc == BS_OK && (f->flags & RF_REQUIRED))
			rc = rf_fail(st, BS_EINVAL, f->name, "is required");
		goto out;
	}
	if ((rc = put_name(b, first, f->name)) != BS_OK)
		goto out;
	st->path = f->name;
	rc = walk_object(st, obj, f->sub, scratch, NULL);
	st->path = saved;
out:
	if (owned != NULL)
		json_object_put(owned);
	return rc;
}

/* One known member: check it, remember it in its slot, write it. */
static int put_field(struct rf_state *st, const struct rf_field *f, struct json_object *v,
                     bool *first, struct rf_val *vals)
{
	struct rf_val val;
	char num[24];
	int rc;

	switch (f->type) {
	case RF_KIND:
		if ((rc = put_name(&st->w, first, f->name)) != BS_OK)
			return rc;
		return put_str(&st->w, st->kind->name, strlen(st->kind->name));
	case RF_ID:
		if ((rc = put_name(&st->w, first, f->name)) != BS_OK)
			return rc;
		return put_str(&st->w, st->out->id, strlen(st->out->id));
	case RF_VERSION:
		return BS_OK;
	case RF_OBJECT:
		return put_nested(st, f, v, first);
	case RF_LINES:
		return put_lines(st, f, v, first);
	case RF_TRACKING:
		return put_tracking(st, f, v, first);
	default:
		break;
	}
	if ((rc = check_scalar(st, f, v, &val, num)) != BS_OK)
		return rc;
	if (!val.set)
		return BS_OK;
	if ((f->flags & RF_ZERO_PAIR) && st->zero_pair && val.v == 0) {
		st->ln_zeros++; /* the empty side of a pair: absent, so not written */
		return BS_OK;
	}
	if ((rc = write_scalar(st, f, &val, first)) != BS_OK)
		return rc;
	if (f->type == RF_REF && st->line == 0 && st->path == NULL) {
		struct record_ref *r;

		if (st->out->nrefs >= RECORD_REFS_MAX)
			return bs_error_set(st->err, BS_EINTERNAL, "too many references");
		r = &st->out->refs[st->out->nrefs++];
		r->field = f->name;
		r->kinds = f->ref_kinds;
		memcpy(r->id, val.s, val.n);
		r->id[val.n] = '\0';
	}
	if (val.s == num) {
		/* num dies with this frame: keep only the parsed number */
		val.s = NULL;
		val.n = 0;
	}
	if (f->slot != S_NONE)
		vals[f->slot] = val;
	return BS_OK;
}

/* Does the object give every RF_ZERO_PAIR field of `spec` a value (not
 * null, not "")?  Then a zero among them is an empty side. */
static bool gives_zero_pair(const struct rf_object *spec, uint64_t seen,
                            struct json_object *const *given)
{
	size_t pair = 0, filled = 0;

	for (size_t i = 0; i < spec->n; i++) {
		struct json_object *v;

		if (!(spec->fields[i].flags & RF_ZERO_PAIR))
			continue;
		pair++;
		if (!(seen & (UINT64_C(1) << i)))
			continue;
		v = given[i];
		if (v != NULL && !json_object_is_type(v, json_type_null) &&
		    !(json_object_is_type(v, json_type_string) &&
		      json_object_get_string_len(v) == 0))
			filled++;
	}
	return pair > 0 && filled == pair;
}

static const struct rf_field *find_field(const struct rf_object *spec, const char *key, size_t *idx)
{
	size_t lo = 0, hi = spec->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = keycmp(key, spec->fields[mid].name);

		if (c == 0) {
			*idx = mid;
			return &spec->fields[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * Check and write one object: its members in key order, known ones
 * validated against `spec`, unknown ones verbatim.  The spec table is
 * sorted, so walking it in order and merging in the (sorted) unknown keys
 * gives key order without sorting the known ones.
 */
/*
 * `hint` (NULL, or HINT_MAX entries) carries, for the j-th key of the
 * previous object of the same array, the spec index it matched: line items
 * from one source list their keys in one order, so most lookups become a
 * single comparison instead of a binary search.
 */
static int walk_object(struct rf_state *st, struct json_object *obj, const struct rf_object *spec,
                       struct rf_val *vals, unsigned char *hint)
{
	struct wr *b = &st->w;
	struct json_object *given[64]; /* by spec index, valid where `seen` says */
	struct entry stack[ENTRY_STACK], *unk = stack;
	size_t nunk = 0, cnt = (size_t)json_object_object_length(obj), i, k;
	uint64_t seen = 0;
	bool first = true, outer_pair = st->zero_pair;
	int rc = BS_OK;
	size_t j = 0;

	json_object_object_foreach(obj, key, val)
	{
		size_t idx;
		bool known;

		if (hint != NULL && j < HINT_MAX && hint[j] < spec->n &&
		    keycmp(key, spec->fields[hint[j]].name) == 0) {
			idx = hint[j];
			known = true;
		} else {
			known = find_field(spec, key, &idx) != NULL;
			if (hint != NULL && j < HINT_MAX)
				hint[j] = known ? (unsigned char)idx : NO_HINT;
		}
		j++;
		if (known) {
			seen |= UINT64_C(1) << idx;
			given[idx] = val;
			continue;
		}
		if (unk == stack && nunk == ENTRY_STACK) {
			/* many unknown keys: move to the heap, sized for all */
			if ((unk = malloc(cnt * sizeof(*unk))) == NULL) {
				unk = stack;
				rc = bs_error_set(st->err, BS_ENOMEM, "out of memory");
				goto out;
			}
			memcpy(unk, stack, sizeof(stack));
		}
		if (!utf8_ok(key, strlen(key))) {
			rc = rf_fail(st, BS_EINVAL, NULL, "a field name is not valid UTF-8");
			goto out;
		}
		unk[nunk].key = key;
		unk[nunk].val = val;
		nunk++;
	}
	for (i = 0; i < spec->n; i++) {
		if (!(seen & (UINT64_C(1) << i)) && (spec->fields[i].flags & RF_REQUIRED)) {
			rc = rf_fail(st, BS_EINVAL, spec->fields[i].name, "is required");
			goto out;
		}
	}
	sort_entries(unk, nunk);
	st->zero_pair = gives_zero_pair(spec, seen, given);
	if ((rc = w_addc(b, '{')) != BS_OK)
		goto out;
	for (i = 0, k = 0; i < spec->n || k < nunk;) {
		const struct rf_field *f = i < spec->n ? &spec->fields[i] : NULL;
		bool have = f != NULL && ((seen & (UINT64_C(1) << i)) || f->dflt != NULL);

		if (f != NULL && !have) {
			i++;
			continue;
		}
		if (f != NULL && (k == nunk || keycmp(f->name, unk[k].key) < 0)) {
			rc = put_field(st, f, (seen & (UINT64_C(1) << i)) ? given[i] : NULL, &first,
			               vals);
			i++;
		} else {
			rc = put_key(b, &first, unk[k].key);
			if (rc == BS_OK)
				rc = put_verbatim(st, unk[k].key, unk[k].val);
			k++;
		}
		if (rc != BS_OK)
			goto out;
	}
	rc = w_addc(b, '}');
out:
	st->zero_pair = outer_pair; /* a nested object must not change its parent's */
	if (unk != stack)
		free(unk);
	return rc;
}

/* ---- the record ----------------------------------------------------- */

static int parse_header(struct rf_state *st, struct json_object *obj)
{
	struct json_object *k, *id, *ver;
	enum record_kind kind;
	char num[24], q[SHOW_MAX + 8];
	const char *s;
	size_t n;

	if (obj == NULL || json_object_get_type(obj) != json_type_object)
		return bs_error_set(st->err, BS_EINVAL, "record: %s", "not a JSON object");
	if (!json_object_object_get_ex(obj, "kind", &k) || k == NULL)
		return bs_error_set(st->err, BS_EINVAL, "record: %s", "kind is missing");
	if (json_object_get_type(k) != json_type_string)
		return bs_error_set(st->err, BS_EINVAL, "record: %s", "kind is not a string");
	s = json_object_get_string(k);
	n = (size_t)json_object_get_string_len(k);
	if (n == 0)
		return bs_error_set(st->err, BS_EINVAL, "record: %s", "kind is missing");
	if (memchr(s, '\0', n) != NULL || record_kind_from_name(s, &kind) != BS_OK) {
		show(s, n, q, sizeof(q));
		return bs_error_set(st->err, BS_EUNSUPPORTED, "unknown kind %s", q);
	}
	st->kind = &rf_kinds[kind];
	st->out->kind = kind;

	if (!json_object_object_get_ex(obj, "id", &id) || id == NULL)
		return bs_error_set(st->err, BS_EINVAL, "record: %s", "id is missing");
	if (json_object_get_type(id) == json_type_string) {
		s = json_object_get_string(id);
		n = (size_t)json_object_get_string_len(id);
	} else if (json_object_get_type(id) == json_type_int) {
		n = int_text(id, num, sizeof(num));
		s = num;
	} else {
		return bs_error_set(st->err, BS_EINVAL, "record: %s", "id is not a string");
	}
	if (n == 0)
		return bs_error_set(st->err, BS_EINVAL, "record: %s", "id is missing");
	if (n > RECORD_ID_MAX)
		return bs_error_set(st->err, BS_ETOOBIG, "record: id is longer than %d bytes",
		                    RECORD_ID_MAX);
	if (has_control(s, n))
		return bs_error_set(st->err, BS_EINVAL, "record: %s",
		                    "id contains a control character");
	if (!utf8_ok(s, n))
		return bs_error_set(st->err, BS_EINVAL, "record: %s", "id is not valid UTF-8");
	memcpy(st->out->id, s, n);
	st->out->id[n] = '\0';

	/* version: an integer >= 1, as a JSON integer or digits */
	if (json_object_object_get_ex(obj, "version", &ver) && ver != NULL &&
	    json_object_get_type(ver) != json_type_null &&
	    !(json_object_get_type(ver) == json_type_string &&
	      json_object_get_string_len(ver) == 0)) {
		int64_t v = 0;
		bool ok = scalar_text(ver, num, sizeof(num), &s, &n) &&
		          json_object_get_type(ver) != json_type_double && n > 0;

		for (size_t i = 0; ok && i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - (s[i] - '0')) / 10)
				ok = false;
			else
				v = v * 10 + (s[i] - '0');
		}
		if (!ok || v < 1) {
			if (json_object_get_type(ver) == json_type_string ||
			    json_object_get_type(ver) == json_type_int ||
			    json_object_get_type(ver) == json_type_double) {
				if (json_object_get_type(ver) == json_type_double)
					s = double_text(ver), n = strlen(s);
				show(s, n, q, sizeof(q));
				return rf_fail(st, BS_EINVAL, "version",
				               "%s is not an integer >= 1", q);
			}
			return rf_fail(st, BS_EINVAL, "version", "is not an integer >= 1");
		}
		st->out->version = v;
	}
	return BS_OK;
}

/* The values the walk needs before it reaches them in key order: the
 * currency (every amount's exponent) and the tax mode (every line's tax). */
static int prepare(struct rf_state *st, struct json_object *obj)
{
	const struct rf_object *top;
	const struct rf_field *f;
	struct json_object *v;

	if (st->kind == NULL)
		return bs_error_set(st->err, BS_EINTERNAL, "record: no kind to prepare");
	top = st->kind->top;
	const char *base = st->ctx != NULL ? st->ctx->base_currency : NULL;
	size_t idx;
	int e;

	st->exp = 2;
	st->ccy = NULL;
	if (base != NULL && (e = money_currency_exponent(base)) >= 0) {
		st->exp = e;
		st->ccy = base;
	}
	f = find_field(top, "currency", &idx);
	if (f != NULL && json_object_object_get_ex(obj, "currency", &v) && v != NULL &&
	    json_object_get_type(v) != json_type_null) {
		char code[4], q[SHOW_MAX + 8];
		const char *s;
		size_t n;

		if (json_object_get_type(v) != json_type_string)
			return rf_fail(st, BS_EINVAL, "currency", "is not a currency code");
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (n > 0) {
			bool ok = n == 3;

			for (size_t i = 0; ok && i < 3; i++) {
				char c = s[i];

				if (c >= 'a' && c <= 'z')
					c = (char)(c - 'a' + 'A');
				ok = c >= 'A' && c <= 'Z';
				code[i] = c;
			}
			code[3] = '\0';
			if (!ok || (e = money_currency_exponent(code)) < 0) {
				show(s, n, q, sizeof(q));
				return rf_fail(st, BS_EINVAL, "currency",
				               "%s is not an ISO 4217 currency code", q);
			}
			memcpy(st->out->currency, code, 4);
			st->exp = e;
			st->ccy = st->out->currency;
		}
	}
	st->tax_mode = MONEY_TAX_EXCLUSIVE;
	f = find_field(top, "tax_mode", &idx);
	if (f != NULL) {
		struct rf_val val;
		char num[24];
		int rc;

		if (!json_object_object_get_ex(obj, "tax_mode", &v))
			v = NULL;
		if ((rc = check_scalar(st, f, v, &val, num)) != BS_OK)
			return rc;
		if (val.set)
			st->tax_mode = val.v == 0   ? MONEY_TAX_EXCLUSIVE
			               : val.v == 1 ? MONEY_TAX_INCLUSIVE
			                            : MONEY_TAX_NONE;
	}
	return BS_OK;
}

int rf_run(struct json_object *obj, const struct record_ctx *ctx, struct record *out,
           struct record_doc *doc, struct bs_error *err)
{
	struct rf_state st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	st.out = out;
	st.err = err;
	st.doc = doc;
	st.w.b = &out->canonical;
	out->kind = RECORD_KIND_COUNT;
	out->id[0] = '\0';
	out->version = 0;
	out->date[0] = '\0';
	out->currency[0] = '\0';
	out->tab = NULL;
	out->has_total = false;
	out->total = 0;
	out->nrefs = 0;
	buf_reset(&out->canonical);
	memset(out->hash, 0, sizeof(out->hash));

	if ((rc = parse_header(&st, obj)) != BS_OK)
		return rc;
	if ((rc = prepare(&st, obj)) != BS_OK)
		return rc;
	if (st.kind == NULL) /* prepare() already refuses this: kept for the analyzer */
		return bs_error_set(err, BS_EINTERNAL, "record: no kind");
	if ((rc = walk_object(&st, obj, st.kind->top, st.top, NULL)) != BS_OK ||
	    (rc = w_flush(&st.w)) != BS_OK)
		return rc;
	if (st.top[S_DATE].set) {
		memcpy(out->date, st.top[S_DATE].s, 10);
		out->date[10] = '\0';
	}
	if (st.kind->finish != NULL && (rc = st.kind->finish(&st)) != BS_OK)
		return rc;
	if (doc != NULL) {
		doc->exp = st.exp;
		doc->tax_mode = st.tax_mode;
		doc->fx = st.top[S_FX_RATE].set ? st.top[S_FX_RATE].v : 0;
		return BS_OK;
	}
	/* BLAKE2b-256: a content identity, not a signature; libsodium's is
	 * vectorised where its SHA-256 is not, and it was half of a record. */
	crypto_generichash(out->hash, RECORD_HASH_LEN,
	                   (const unsigned char *)buf_cstr(&out->canonical), out->canonical.len,
	                   NULL, 0);
	return BS_OK;
}

int record_from_json(struct json_object *obj, const struct record_ctx *ctx, struct record *out,
                     struct bs_error *err)
{
	return rf_run(obj, ctx, out, NULL, err);
}
