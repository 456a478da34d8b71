/*
 * sb_json.c - JSON helpers for the sandbox: reading fields, amounts in and
 * out as exact decimal text, dates, and the
 * {"Message"} lists Xero uses for ValidationErrors and Warnings.
 */
#include "sandbox/sb_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *sb_jstr(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

json_object *sb_jget_path(json_object *o, const char *path)
{
	char seg[128];

	while (o != NULL && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(seg) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		if (!json_object_object_get_ex(o, seg, &o))
			return NULL;
		path += n;
		if (*path == '.')
			path++;
	}
	return o;
}

int sb_jdec(json_object *v, int scale_dp, int max_dp, int64_t *out)
{
	const char *s;

	if (v == NULL)
		return BS_ENOTFOUND;
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_double:
	case json_type_int:
		/* a parsed double keeps its source text: exact, never via binary float */
		s = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
		                                             : json_object_to_json_string(v);
		return money_parse_fixed(s, strlen(s), scale_dp, max_dp, out);
	default:
		return BS_EPARSE;
	}
}

json_object *sb_jdec_json(int64_t v, int scale_dp, int min_dp)
{
	struct buf b;
	json_object *o;

	buf_init(&b, 64);
	if (money_format(&b, v, scale_dp, min_dp) != BS_OK) {
		buf_free(&b);
		return NULL;
	}
	/* The double is only json-c's shadow of the text, which is what gets
	 * serialised and what every reader here parses. */
	o = json_object_new_double_s(strtod(buf_cstr(&b), NULL), buf_cstr(&b));
	buf_free(&b);
	return o;
}

int sb_jset_amount(json_object *o, const char *key, int64_t micros, int dp)
{
	json_object *v = sb_jdec_json(micros, MONEY_DP, dp);

	if (v == NULL)
		return BS_ENOMEM;
	json_object_object_add(o, key, v);
	return BS_OK;
}

void sb_jset_str(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

void sb_jset_date(json_object *o, const char *key, const char *skey, int64_t ms)
{
	char d[48];

	sb_msdate(d, sizeof(d), ms);
	sb_jset_str(o, key, d);
	if (skey != NULL) {
		sb_isodate(d, sizeof(d), ms, false);
		sb_jset_str(o, skey, d);
	}
}

/* Append {"Message": fmt...} to *arr, creating the array on first use:
 * Xero's shape for both ValidationErrors and Warnings. */
static void message_vadd(json_object **arr, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void message_vadd(json_object **arr, const char *fmt, va_list ap)
{
	char msg[600];
	json_object *m;

	/* ap is started by both callers: the analyzer loses va_start when it
	 * inlines a variadic call */
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (*arr == NULL)
		*arr = json_object_new_array();
	m = json_object_new_object();
	sb_jset_str(m, "Message", msg);
	json_object_array_add(*arr, m);
}

void sb_err(struct sb_errs *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message_vadd(&e->arr, fmt, ap);
	va_end(ap);
	e->n++;
}

void sb_warn(struct sb_txn *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message_vadd(&t->warnings, fmt, ap);
	va_end(ap);
}

void sb_fmt_amount(char *out, size_t n, int64_t micros, int dp)
{
	struct buf b;

	buf_init(&b, 64);
	if (money_format(&b, micros, MONEY_DP, dp) == BS_OK)
		snprintf(out, n, "%s", buf_cstr(&b));
	else
		snprintf(out, n, "?");
	buf_free(&b);
}

bool sb_jbool(json_object *o, const char *key, bool dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return dflt;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	if (json_object_is_type(v, json_type_string))
		return strcasecmp(json_object_get_string(v), "true") == 0;
	return dflt;
}

void sb_jcopy(json_object *dst, json_object *src, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(src, key, &v) && v != NULL)
		json_object_object_add(dst, key, json_object_get(v));
}

int64_t sb_jamount(json_object *o, const char *key)
{
	int64_t v = 0;

	sb_jdec(json_object_object_get(o, key), MONEY_DP, MONEY_DP, &v);
	return v;
}

bool sb_in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}
