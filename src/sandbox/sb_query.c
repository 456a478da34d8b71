/*
 * sb_query.c - Xero's `where` filter language (the subset syncs use) and the
 * `order` clause.
 *
 *   expr    := and ( ("OR" | "||") and )*
 *   and     := unary ( ("AND" | "&&") unary )*
 *   unary   := "NOT" unary | "!" unary | "(" expr ")" | test
 *   test    := path [".ToLower()" | ".ToUpper()"] op value
 *            | path "." ("Contains"|"StartsWith"|"EndsWith") "(" string ")"
 *            | path                       (a boolean field is true)
 *   op      := "==" | "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
 *   value   := string | number | true | false | null
 *            | Guid("...") | DateTime(y,m,d[,h,mi,s])
 *
 * String comparisons ignore case (Xero's database collation does too);
 * numbers compare exactly (fixed point); dates compare as instants.
 */
#include "sandbox/sb_int.h"

#include "core/civil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum ex_type { EX_AND, EX_OR, EX_NOT, EX_CMP, EX_CALL, EX_TRUE };
enum ex_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum ex_val { V_STR, V_NUM, V_BOOL, V_NULL, V_DATE };
enum ex_call { C_CONTAINS, C_STARTS, C_ENDS };

struct sb_expr {
	enum ex_type type;
	struct sb_expr *l, *r;
	char path[128];
	enum ex_op op;
	enum ex_val vt;
	enum ex_call call;
	char *str;
	int64_t num;
	bool b;
};

struct parser {
	const char *p;
	int depth;
};

#define MAX_DEPTH 64

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	skip_ws(ps);
	if (strncasecmp(ps->p, w, n) == 0 && !isalnum((unsigned char)ps->p[n]) && ps->p[n] != '_') {
		ps->p += n;
		return true;
	}
	return false;
}

static bool lit(struct parser *ps, const char *s)
{
	size_t n = strlen(s);

	skip_ws(ps);
	if (strncmp(ps->p, s, n) == 0) {
		ps->p += n;
		return true;
	}
	return false;
}

void sb_where_free(struct sb_expr *e)
{
	if (e == NULL)
		return;
	sb_where_free(e->l);
	sb_where_free(e->r);
	free(e->str);
	free(e);
}

static struct sb_expr *node(enum ex_type t)
{
	struct sb_expr *e = calloc(1, sizeof(*e));

	if (e)
		e->type = t;
	return e;
}

static int parse_string(struct parser *ps, char **out)
{
	struct buf b;
	char q;

	skip_ws(ps);
	q = *ps->p;
	if (q != '"' && q != '\'')
		return BS_EPARSE;
	ps->p++;
	buf_init(&b, 4096);
	while (*ps->p && *ps->p != q) {
		if (*ps->p == '\\' && ps->p[1])
			ps->p++;
		if (buf_addc(&b, *ps->p++) != BS_OK) {
			buf_free(&b);
			return BS_ETOOBIG;
		}
	}
	if (*ps->p != q) {
		buf_free(&b);
		return BS_EPARSE;
	}
	ps->p++;
	*out = buf_take(&b);
	buf_free(&b);
	return *out ? BS_OK : BS_ENOMEM;
}

static int parse_int(struct parser *ps, int *out)
{
	int v = 0, n = 0;

	skip_ws(ps);
	while (isdigit((unsigned char)*ps->p) && n < 9) {
		v = v * 10 + (*ps->p++ - '0');
		n++;
	}
	if (n == 0)
		return BS_EPARSE;
	*out = v;
	return BS_OK;
}

static int parse_value(struct parser *ps, struct sb_expr *e)
{
	skip_ws(ps);
	if (*ps->p == '"' || *ps->p == '\'') {
		e->vt = V_STR;
		return parse_string(ps, &e->str);
	}
	if (word(ps, "Guid")) {
		if (!lit(ps, "("))
			return BS_EPARSE;
		e->vt = V_STR;
		if (parse_string(ps, &e->str) != BS_OK || !lit(ps, ")"))
			return BS_EPARSE;
		return BS_OK;
	}
	if (word(ps, "DateTime")) {
		int f[6] = {0, 1, 1, 0, 0, 0}, i;
		char iso[40];
		int64_t ms;

		if (!lit(ps, "("))
			return BS_EPARSE;
		for (i = 0; i < 6; i++) {
			if (parse_int(ps, &f[i]) != BS_OK)
				return BS_EPARSE;
			if (!lit(ps, ","))
				break;
		}
		if (i < 2 || !lit(ps, ")"))
			return BS_EPARSE;
		snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d", f[0] % 10000,
		         f[1] % 100, f[2] % 100, f[3] % 100, f[4] % 100, f[5] % 100);
		if (civil_parse(iso, &ms) != BS_OK)
			return BS_EPARSE;
		e->vt = V_DATE;
		e->num = ms;
		return BS_OK;
	}
	if (word(ps, "true")) {
		e->vt = V_BOOL;
		e->b = true;
		return BS_OK;
	}
	if (word(ps, "false")) {
		e->vt = V_BOOL;
		e->b = false;
		return BS_OK;
	}
	if (word(ps, "null")) {
		e->vt = V_NULL;
		return BS_OK;
	}
	{
		const char *s = ps->p;
		size_t n = 0;

		if (s[n] == '-' || s[n] == '+')
			n++;
		while (isdigit((unsigned char)s[n]) || s[n] == '.')
			n++;
		if (n == 0 || money_parse_fixed(s, n, 6, 6, &e->num) != BS_OK)
			return BS_EPARSE;
		ps->p += n;
		e->vt = V_NUM;
	}
	return BS_OK;
}

static int parse_expr(struct parser *ps, struct sb_expr **out);

static int parse_test(struct parser *ps, struct sb_expr **out)
{
	struct sb_expr *e = node(EX_CMP);
	size_t n = 0;
	int rc = BS_EPARSE;

	if (e == NULL)
		return BS_ENOMEM;
	skip_ws(ps);
	while (isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '.') {
		if (*ps->p == '.') {
			const char *m = ps->p + 1;

			if (strncmp(m, "ToLower()", 9) == 0 || strncmp(m, "ToUpper()", 9) == 0) {
				ps->p += 10;
				continue;
			}
			if (strncmp(m, "Contains(", 9) == 0 || strncmp(m, "StartsWith(", 11) == 0 ||
			    strncmp(m, "EndsWith(", 9) == 0) {
				e->type = EX_CALL;
				e->call = m[0] == 'C'   ? C_CONTAINS
				          : m[0] == 'S' ? C_STARTS
				                        : C_ENDS;
				ps->p = strchr(m, '(') + 1;
				e->vt = V_STR;
				if (parse_string(ps, &e->str) != BS_OK || !lit(ps, ")"))
					goto fail;
				break;
			}
		}
		if (n + 1 >= sizeof(e->path))
			goto fail;
		e->path[n++] = *ps->p++;
	}
	e->path[n] = '\0';
	if (n == 0)
		goto fail;
	if (e->type == EX_CALL) {
		*out = e;
		return BS_OK;
	}
	if (lit(ps, "=="))
		e->op = OP_EQ;
	else if (lit(ps, "!=") || lit(ps, "<>"))
		e->op = OP_NE;
	else if (lit(ps, "<="))
		e->op = OP_LE;
	else if (lit(ps, ">="))
		e->op = OP_GE;
	else if (lit(ps, "<"))
		e->op = OP_LT;
	else if (lit(ps, ">"))
		e->op = OP_GT;
	else if (lit(ps, "="))
		e->op = OP_EQ;
	else {
		/* a bare boolean field */
		e->op = OP_EQ;
		e->vt = V_BOOL;
		e->b = true;
		*out = e;
		return BS_OK;
	}
	rc = parse_value(ps, e);
	if (rc != BS_OK)
		goto fail;
	*out = e;
	return BS_OK;
fail:
	sb_where_free(e);
	return rc == BS_OK ? BS_EPARSE : rc;
}

static int parse_unary(struct parser *ps, struct sb_expr **out)
{
	int rc;

	if (++ps->depth > MAX_DEPTH)
		return BS_ETOOBIG;
	if (word(ps, "NOT") || lit(ps, "!")) {
		struct sb_expr *e = node(EX_NOT);

		if (e == NULL)
			return BS_ENOMEM;
		rc = parse_unary(ps, &e->l);
		if (rc != BS_OK) {
			sb_where_free(e);
			return rc;
		}
		*out = e;
	} else if (lit(ps, "(")) {
		rc = parse_expr(ps, out);
		if (rc != BS_OK)
			return rc;
		if (!lit(ps, ")")) {
			sb_where_free(*out);
			*out = NULL;
			return BS_EPARSE;
		}
	} else {
		rc = parse_test(ps, out);
		if (rc != BS_OK)
			return rc;
	}
	ps->depth--;
	return BS_OK;
}

static int parse_binary(struct parser *ps, struct sb_expr **out, bool is_or)
{
	struct sb_expr *l = NULL;
	int rc = is_or ? parse_binary(ps, &l, false) : parse_unary(ps, &l);

	if (rc != BS_OK)
		return rc;
	for (;;) {
		struct sb_expr *e, *r = NULL;

		if (is_or ? !(word(ps, "OR") || lit(ps, "||"))
		          : !(word(ps, "AND") || lit(ps, "&&")))
			break;
		rc = is_or ? parse_binary(ps, &r, false) : parse_unary(ps, &r);
		if (rc != BS_OK) {
			sb_where_free(l);
			return rc;
		}
		e = node(is_or ? EX_OR : EX_AND);
		if (e == NULL) {
			sb_where_free(l);
			sb_where_free(r);
			return BS_ENOMEM;
		}
		e->l = l;
		e->r = r;
		l = e;
	}
	*out = l;
	return BS_OK;
}

static int parse_expr(struct parser *ps, struct sb_expr **out)
{
	return parse_binary(ps, out, true);
}

int sb_where_parse(const char *s, struct sb_expr **out)
{
	struct parser ps = {s, 0};
	int rc;

	*out = NULL;
	rc = parse_expr(&ps, out);
	if (rc == BS_OK) {
		skip_ws(&ps);
		if (*ps.p != '\0') {
			sb_where_free(*out);
			*out = NULL;
			rc = BS_EPARSE;
		}
	}
	return rc;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static bool op_holds(enum ex_op op, int c)
{
	switch (op) {
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_LT:
		return c < 0;
	case OP_LE:
		return c <= 0;
	case OP_GT:
		return c > 0;
	case OP_GE:
		return c >= 0;
	}
	return false;
}

static const char *ci_strstr(const char *h, const char *n)
{
	size_t nl = strlen(n);

	for (; *h; h++)
		if (strncasecmp(h, n, nl) == 0)
			return h;
	return nl == 0 ? h : NULL;
}

bool sb_where_eval(const struct sb_expr *e, json_object *doc)
{
	json_object *f;

	switch (e->type) {
	case EX_AND:
		return sb_where_eval(e->l, doc) && sb_where_eval(e->r, doc);
	case EX_OR:
		return sb_where_eval(e->l, doc) || sb_where_eval(e->r, doc);
	case EX_NOT:
		return !sb_where_eval(e->l, doc);
	case EX_TRUE:
		return true;
	case EX_CALL: {
		const char *s;
		size_t sl, nl;

		f = sb_jget_path(doc, e->path);
		if (f == NULL || !json_object_is_type(f, json_type_string))
			return false;
		s = json_object_get_string(f);
		sl = strlen(s);
		nl = strlen(e->str);
		if (e->call == C_CONTAINS)
			return ci_strstr(s, e->str) != NULL;
		if (nl > sl)
			return false;
		if (e->call == C_STARTS)
			return strncasecmp(s, e->str, nl) == 0;
		return strcasecmp(s + sl - nl, e->str) == 0;
	}
	case EX_CMP:
		break;
	}
	f = sb_jget_path(doc, e->path);
	if (e->vt == V_NULL)
		return op_holds(e->op, f == NULL ? 0 : 1);
	if (f == NULL)
		return e->op == OP_NE;
	switch (e->vt) {
	case V_STR:
		if (json_object_is_type(f, json_type_string))
			return op_holds(e->op, strcasecmp(json_object_get_string(f), e->str));
		return e->op == OP_NE;
	case V_NUM: {
		int64_t v;

		if (sb_jdec(f, 6, 6, &v) != BS_OK)
			return e->op == OP_NE;
		return op_holds(e->op, cmp_i64(v, e->num));
	}
	case V_BOOL:
		if (json_object_is_type(f, json_type_boolean))
			return op_holds(e->op, json_object_get_boolean(f) == e->b ? 0 : 1);
		return e->op == OP_NE;
	case V_DATE: {
		int64_t ms;

		if (!json_object_is_type(f, json_type_string) ||
		    civil_parse(json_object_get_string(f), &ms) != BS_OK)
			return e->op == OP_NE;
		return op_holds(e->op, cmp_i64(ms, e->num));
	}
	case V_NULL:
		break;
	}
	return false;
}

static int value_cmp(json_object *a, json_object *b)
{
	int64_t x, y;

	if (a == NULL || b == NULL)
		return a == b ? 0 : a == NULL ? -1 : 1;
	if (json_object_is_type(a, json_type_string) && json_object_is_type(b, json_type_string)) {
		const char *s = json_object_get_string(a), *t = json_object_get_string(b);

		if (strncmp(s, "/Date(", 6) == 0 && strncmp(t, "/Date(", 6) == 0 &&
		    civil_parse(s, &x) == BS_OK && civil_parse(t, &y) == BS_OK)
			return cmp_i64(x, y);
		return strcasecmp(s, t);
	}
	if (sb_jdec(a, 6, 6, &x) == BS_OK && sb_jdec(b, 6, 6, &y) == BS_OK)
		return cmp_i64(x, y);
	return strcmp(json_object_to_json_string(a), json_object_to_json_string(b));
}

int sb_order_cmp(const char *order, json_object *a, json_object *b)
{
	const char *p = order;

	while (*p) {
		char field[128];
		size_t n = 0;
		bool desc = false;
		int c;

		while (*p == ' ' || *p == ',')
			p++;
		while (*p && *p != ' ' && *p != ',' && n + 1 < sizeof(field))
			field[n++] = *p++;
		field[n] = '\0';
		while (*p == ' ')
			p++;
		if (strncasecmp(p, "DESC", 4) == 0) {
			desc = true;
			p += 4;
		} else if (strncasecmp(p, "ASC", 3) == 0) {
			p += 3;
		}
		while (*p && *p != ',')
			p++;
		if (n == 0)
			continue;
		c = value_cmp(sb_jget_path(a, field), sb_jget_path(b, field));
		if (c != 0)
			return desc ? -c : c;
	}
	return 0;
}
