/*
 * record_read.c - reading one field of a source record (see record_int.h).
 *
 * A scalar's text as json-c holds it (a string's bytes, a number's source
 * text), its check by field type -- text and codes, references, enum
 * choices, calendar dates, booleans, decimals at their scale -- and its
 * canonical write-out; and the messages that say what is wrong, naming the
 * record, the line item and the field.  The walk over objects that calls
 * these is record.c; what each kind's fields mean is record_kinds.c.
 */
#include "core/buf.h"
#include "core/error.h"
#include "core/money.h"
#include "model/record_int.h"

#include <json-c/json.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- messages ------------------------------------------------------- */

/* Is s[0..n) well-formed UTF-8 (RFC 3629: no overlongs, surrogates or
 * code points past U+10FFFF)?  Canonical text must be valid JSON. */
bool rf_utf8_ok(const char *str, size_t n)
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

/* `s` quoted for a message: at most RF_SHOW_MAX bytes (cut on a UTF-8
 * boundary, "..." added), control characters, quotes and backslashes
 * shown as '?' so a message stays one printable line. */
const char *rf_show(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0, lim = n;
	bool cut = false, ascii_only;

	if (lim > RF_SHOW_MAX) {
		lim = RF_SHOW_MAX;
		while (lim > 0 && ((unsigned char)s[lim] & 0xC0) == 0x80)
			lim--;
		cut = true;
	}
	if (outsz < RF_SHOW_MAX + 8)
		lim = 0;
	out[o++] = '"';
	ascii_only = !rf_utf8_ok(s, lim);
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

/* ---- scalar checks -------------------------------------------------- */

/* The text of a scalar: a string's bytes, a number's source text.  Returns
 * false for anything else (bool, object, array). */
bool rf_scalar_text(struct json_object *v, char *num, size_t numsz, const char **s, size_t *n)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		*s = json_object_get_string(v);
		*n = (size_t)json_object_get_string_len(v);
		return true;
	case json_type_int:
		*n = rf_int_text(v, num, numsz);
		*s = num;
		return true;
	case json_type_double:
		*s = rf_double_text(v);
		*n = strlen(*s);
		return true;
	default:
		return false;
	}
}

bool rf_has_control(const char *s, size_t n)
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
	char q[RF_SHOW_MAX + 8];
	int rc, maxdp = 0;

	if (text && money_check_text(s, n) != BS_OK) {
		rf_show(s, n, q, sizeof(q));
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
	rf_show(s, n, q, sizeof(q));
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
	if (rf_has_control(s, n))
		return rf_fail(st, BS_EINVAL, field, "contains a control character");
	if (!rf_utf8_ok(s, n))
		return rf_fail(st, BS_EINVAL, field, "is not valid UTF-8");
	return BS_OK;
}

/* An enum choice, matched case-insensitively; val gets its index and the
 * table's spelling (what the canonical text carries). */
static int check_enum(struct rf_state *st, const struct rf_field *f, const char *s, size_t n,
                      struct rf_val *val)
{
	char list[160] = "", q[RF_SHOW_MAX + 8];
	size_t o = 0;

	for (val->v = 0; f->enums[val->v] != NULL; val->v++) {
		if (ieq(s, n, f->enums[val->v])) {
			val->s = f->enums[val->v];
			val->n = strlen(val->s);
			return BS_OK;
		}
	}
	for (size_t i = 0; f->enums[i] != NULL && o < sizeof(list); i++) {
		int w = snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", f->enums[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return rf_fail(st, BS_EINVAL, f->name, "%s is not one of %s", rf_show(s, n, q, sizeof(q)),
	               list);
}

/* A decimal field (parse_number) and the bounds its flags set. */
static int check_decimal(struct rf_state *st, const struct rf_field *f, const char *s, size_t n,
                         bool text, int64_t *v)
{
	char q[RF_SHOW_MAX + 8];
	int rc;

	if ((rc = parse_number(st, f, s, n, text, v)) != BS_OK)
		return rc;
	if (f->type == RF_PCT && *v < f->pct_min)
		return rf_fail(st, BS_ERANGE, f->name, "%s is negative",
		               rf_show(s, n, q, sizeof(q)));
	if (f->type == RF_PCT && f->pct_max >= 0 && *v > f->pct_max)
		return rf_fail(st, BS_ERANGE, f->name, "%s is not between 0 and 100",
		               rf_show(s, n, q, sizeof(q)));
	if ((f->flags & RF_POSITIVE) && *v <= 0)
		return rf_fail(st, BS_ERANGE, f->name, "%s is not greater than 0",
		               rf_show(s, n, q, sizeof(q)));
	if ((f->flags & RF_NONNEG) && *v < 0)
		return rf_fail(st, BS_ERANGE, f->name, "%s is negative",
		               rf_show(s, n, q, sizeof(q)));
	return BS_OK;
}

/*
 * Check a scalar field's value into *val (val->set false when absent:
 * missing, null, or "" for anything but a reference).  `num` holds the
 * text of a JSON integer, so val->s may point into it.
 */
int rf_check_scalar(struct rf_state *st, const struct rf_field *f, struct json_object *v,
                    struct rf_val *val, char num[24])
{
	char q[RF_SHOW_MAX + 8];
	/* the value as quoted in a message: built only on a failure path */
#define Q rf_show(s, n, q, sizeof(q))
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
	} else if (!rf_scalar_text(v, num, 24, &s, &n)) {
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
		if (f->type == RF_CODE && rf_has_control(s, n))
			return rf_fail(st, BS_EINVAL, f->name, "contains a control character");
		if (!rf_utf8_ok(s, n))
			return rf_fail(st, BS_EINVAL, f->name, "is not valid UTF-8");
		break;
	case RF_REF:
		if ((rc = check_id(st, f->name, s, n)) != BS_OK)
			return rc;
		break;
	case RF_ENUM:
		if ((rc = check_enum(st, f, s, n, val)) != BS_OK)
			return rc;
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
		if ((rc = check_decimal(st, f, s, n, json_object_is_type(v, json_type_string),
		                        &val->v)) != BS_OK)
			return rc;
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
int rf_write_scalar(struct rf_state *st, const struct rf_field *f, const struct rf_val *val,
                    bool *first)
{
	struct wr *b = &st->w;
	int rc;

	if ((rc = rf_put_name(b, first, f->name)) != BS_OK)
		return rc;
	switch (f->type) {
	case RF_BOOL:
		return val->v ? rf_w_add(b, "true", 4) : rf_w_add(b, "false", 5);
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

		if ((rc = rf_w_addc(b, '"')) != BS_OK)
			return rc;
		if ((rc = rf_w_flush(b)) != BS_OK)
			return rc;
		rc = money_format(b->b, val->v, scale[f->type], f->type == RF_AMOUNT ? st->exp : 0);
		if (rc != BS_OK)
			return rc;
		return rf_w_addc(b, '"');
	}
	default:
		return rf_put_str(b, val->s, val->n);
	}
}
