/*
 * qbo_query.c - the QuickBooks Online sandbox's /query and /cdc.
 *
 * Query grammar (Intuit's data queries): SELECT * | COUNT(*) FROM Entity
 * [WHERE cond AND cond ...] [ORDERBY field [ASC|DESC]] [STARTPOSITION n]
 * [MAXRESULTS n]; cond is `field op value` with op =, <, >, <=, >=, IN
 * (v, ...) or LIKE (only '%'); no OR, no projections.  Keywords, entity
 * and field names are case-insensitive; fields are dotted paths
 * (MetaData.LastUpdatedTime); a reference field compares its value.
 * Values compare as dates when the field names a Time or Date, as numbers
 * when both sides are numbers, else as strings without regard to case.
 */
#include "sandbox/qbo_int.h"

#include "core/civil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CONDS   8
#define MAX_VALS    32
#define MAX_RESULTS 1000
#define CDC_MAX     1000
#define CDC_DAYS_MS (INT64_C(30) * 86400000)

enum op { OP_EQ, OP_LT, OP_GT, OP_LE, OP_GE, OP_NE, OP_IN, OP_LIKE };

struct cond {
	char field[64];
	enum op op;
	char vals[MAX_VALS][128];
	int nvals;
};

struct query {
	int ent;
	bool count;
	struct cond c[MAX_CONDS];
	int nc;
	char order[64];
	bool desc;
	long start, max;
};

/* ------------------------------------------------------------- lexer */

struct lex {
	const char *p;
	char tok[256];
	bool str; /* the token was a quoted string */
};

static bool next(struct lex *l)
{
	size_t n = 0;

	while (isspace((unsigned char)*l->p))
		l->p++;
	l->str = false;
	l->tok[0] = '\0';
	if (*l->p == '\0')
		return false;
	if (*l->p == '\'') {
		l->str = true;
		for (l->p++; *l->p && *l->p != '\''; l->p++) {
			if (*l->p == '\\' && l->p[1])
				l->p++;
			if (n + 1 < sizeof(l->tok))
				l->tok[n++] = *l->p;
		}
		if (*l->p == '\'')
			l->p++;
	} else if (isalnum((unsigned char)*l->p) || *l->p == '_' || *l->p == '.' || *l->p == '-' ||
	           *l->p == ':' || *l->p == '+') {
		while (isalnum((unsigned char)*l->p) || *l->p == '_' || *l->p == '.' ||
		       *l->p == '-' || *l->p == ':' || *l->p == '+')
			if (n + 1 < sizeof(l->tok))
				l->tok[n++] = *l->p++;
			else
				l->p++;
	} else if ((*l->p == '<' || *l->p == '>' || *l->p == '!') && l->p[1] == '=') {
		l->tok[n++] = *l->p++;
		l->tok[n++] = *l->p++;
	} else if (*l->p == '<' && l->p[1] == '>') {
		l->tok[n++] = '!';
		l->tok[n++] = '=';
		l->p += 2;
	} else {
		l->tok[n++] = *l->p++;
	}
	l->tok[n] = '\0';
	return true;
}

static bool is_kw(const struct lex *l, const char *kw)
{
	return !l->str && strcasecmp(l->tok, kw) == 0;
}

static int perr(struct qbo_ctx *c, const char *what, const struct lex *l)
{
	return qbo_verr(c->f, "4000", "Error parsing query", NULL, "QueryParserError: %s (at '%s')",
	                what, l->tok);
}

/* Copy the current token into dst[n]: a token that does not fit is refused
 * (a field or value that long is not one QBO knows either). */
static int take(struct qbo_ctx *c, const struct lex *l, char *dst, size_t n)
{
	size_t len = strlen(l->tok);

	if (len >= n)
		return perr(c, "name or value too long", l);
	memcpy(dst, l->tok, len + 1);
	return BS_OK;
}

static int parse_cond(struct qbo_ctx *c, struct lex *l, struct cond *cd)
{
	static const char *const ops[] = {"=", "<", ">", "<=", ">=", "!="};

	if (take(c, l, cd->field, sizeof(cd->field)) != BS_OK)
		return BS_EINVAL;
	if (!next(l))
		return perr(c, "expected an operator", l);
	cd->op = OP_EQ;
	if (is_kw(l, "in"))
		cd->op = OP_IN;
	else if (is_kw(l, "like"))
		cd->op = OP_LIKE;
	else {
		size_t i;

		for (i = 0; i < 6 && strcmp(l->tok, ops[i]) != 0; i++)
			;
		if (i == 6)
			return perr(c, "expected an operator", l);
		cd->op = (enum op)i;
	}
	if (cd->op == OP_IN) {
		if (!next(l) || strcmp(l->tok, "(") != 0)
			return perr(c, "expected '(' after IN", l);
		do {
			if (!next(l) || cd->nvals == MAX_VALS)
				return perr(c, "expected a value", l);
			if (take(c, l, cd->vals[cd->nvals++], sizeof(cd->vals[0])) != BS_OK)
				return BS_EINVAL;
			if (!next(l))
				return perr(c, "expected ')'", l);
		} while (strcmp(l->tok, ",") == 0);
		if (strcmp(l->tok, ")") != 0)
			return perr(c, "expected ')'", l);
	} else {
		if (!next(l))
			return perr(c, "expected a value", l);
		if (take(c, l, cd->vals[0], sizeof(cd->vals[0])) != BS_OK)
			return BS_EINVAL;
		cd->nvals = 1;
	}
	next(l);
	return BS_OK;
}

static int parse_tail(struct qbo_ctx *c, struct lex *l, struct query *q)
{
	while (l->tok[0]) {
		if (is_kw(l, "orderby") || is_kw(l, "order")) {
			if (is_kw(l, "order") && (!next(l) || !is_kw(l, "by")))
				return perr(c, "expected BY", l);
			if (!next(l))
				return perr(c, "expected a field", l);
			if (take(c, l, q->order, sizeof(q->order)) != BS_OK)
				return BS_EINVAL;
			next(l);
			if (is_kw(l, "desc") || is_kw(l, "asc")) {
				q->desc = is_kw(l, "desc");
				next(l);
			}
		} else if (is_kw(l, "startposition") || is_kw(l, "maxresults")) {
			bool start = is_kw(l, "startposition");
			char *end;
			long v;

			if (!next(l))
				return perr(c, "expected a number", l);
			v = strtol(l->tok, &end, 10);
			if (*end != '\0' || v < 0)
				return perr(c, "expected a number", l);
			*(start ? &q->start : &q->max) = v;
			next(l);
		} else {
			return perr(c, "unexpected token", l);
		}
	}
	return BS_OK;
}

static int parse(struct qbo_ctx *c, const char *stmt, struct query *q)
{
	struct lex l = {stmt, "", false};

	memset(q, 0, sizeof(*q));
	q->start = 1;
	q->max = 100;
	if (!next(&l) || !is_kw(&l, "select") || !next(&l))
		return perr(c, "expected SELECT", &l);
	if (is_kw(&l, "count")) {
		q->count = true;
		if (!next(&l) || strcmp(l.tok, "(") != 0 || !next(&l) || strcmp(l.tok, "*") != 0 ||
		    !next(&l) || strcmp(l.tok, ")") != 0)
			return perr(c, "expected count(*)", &l);
	} else if (strcmp(l.tok, "*") != 0) {
		return perr(c, "only SELECT * and SELECT COUNT(*) are supported", &l);
	}
	if (!next(&l) || !is_kw(&l, "from") || !next(&l))
		return perr(c, "expected FROM", &l);
	q->ent = qbo_ent_of(l.tok, strlen(l.tok));
	if (q->ent < 0)
		return perr(c, "unknown entity", &l);
	next(&l);
	if (is_kw(&l, "where")) {
		do {
			if (!next(&l) || q->nc == MAX_CONDS)
				return perr(c, "expected a condition", &l);
			if (parse_cond(c, &l, &q->c[q->nc++]) != BS_OK)
				return BS_EINVAL;
		} while (is_kw(&l, "and"));
		if (is_kw(&l, "or"))
			return perr(c, "OR is not supported", &l);
	}
	return parse_tail(c, &l, q);
}

/* ------------------------------------------------------------- evaluation */

/* The field's value as text (a reference's value, a boolean as true/false). */
static const char *field_text(json_object *doc, const char *field, char *tmp, size_t n)
{
	json_object *v = NULL;

	json_object_object_foreach(doc, k, val)
	{
		size_t kl = strlen(k);

		if (strncasecmp(k, field, kl) == 0 && (field[kl] == '\0' || field[kl] == '.')) {
			v = field[kl] == '.' ? sb_jget_path(val, field + kl + 1) : val;
			break;
		}
	}
	if (v != NULL && json_object_is_type(v, json_type_object))
		v = json_object_object_get(v, "value");
	if (v == NULL || json_object_is_type(v, json_type_null))
		return NULL;
	snprintf(tmp, n, "%s", json_object_get_string(v));
	return tmp;
}

static bool like(const char *s, const char *pat)
{
	if (*pat == '\0')
		return *s == '\0';
	if (*pat == '%') {
		for (;; s++) {
			if (like(s, pat + 1))
				return true;
			if (*s == '\0')
				return false;
		}
	}
	return *s && tolower((unsigned char)*s) == tolower((unsigned char)*pat) &&
	       like(s + 1, pat + 1);
}

static int cmp_vals(const char *field, const char *a, const char *b)
{
	int64_t x, y;
	size_t fl = strlen(field);

	if ((fl >= 4 && (strcasecmp(field + fl - 4, "Time") == 0 ||
	                 strcasecmp(field + fl - 4, "Date") == 0)) &&
	    civil_parse(a, &x) == BS_OK && civil_parse(b, &y) == BS_OK)
		return x < y ? -1 : x > y;
	if (money_parse_fixed(a, strlen(a), 6, 6, &x) == BS_OK &&
	    money_parse_fixed(b, strlen(b), 6, 6, &y) == BS_OK)
		return x < y ? -1 : x > y;
	return strcasecmp(a, b);
}

static bool cond_ok(const struct cond *cd, json_object *doc)
{
	char tmp[512];
	const char *v = field_text(doc, cd->field, tmp, sizeof(tmp));
	int r;

	if (v == NULL)
		return false;
	if (cd->op == OP_LIKE)
		return like(v, cd->vals[0]);
	if (cd->op == OP_IN) {
		for (int i = 0; i < cd->nvals; i++)
			if (cmp_vals(cd->field, v, cd->vals[i]) == 0)
				return true;
		return false;
	}
	r = cmp_vals(cd->field, v, cd->vals[0]);
	switch (cd->op) {
	case OP_EQ:
		return r == 0;
	case OP_LT:
		return r < 0;
	case OP_GT:
		return r > 0;
	case OP_LE:
		return r <= 0;
	case OP_GE:
		return r >= 0;
	default:
		return r != 0;
	}
}

static bool matches(const struct query *q, const struct qbo_doc *d)
{
	bool active_asked = false;

	if (d->deleted)
		return false;
	for (int i = 0; i < q->nc; i++) {
		if (strcasecmp(q->c[i].field, "Active") == 0)
			active_asked = true;
		if (!cond_ok(&q->c[i], d->obj))
			return false;
	}
	/* lists show their active entries unless the query asks about Active */
	return active_asked || !(qbo_ents[q->ent].flags & QBF_ACTIVE) ||
	       sb_jbool(d->obj, "Active", true);
}

static int order_cmp(const struct query *q, const struct qbo_doc *a, const struct qbo_doc *b)
{
	char ta[512], tb[512];
	const char *x = field_text(a->obj, q->order, ta, sizeof(ta));
	const char *y = field_text(b->obj, q->order, tb, sizeof(tb));
	int r = !x ? (y ? -1 : 0) : !y ? 1 : cmp_vals(q->order, x, y);

	return q->desc ? -r : r;
}

/* A stable merge sort of v[0..n) by the query's ORDERBY (tmp: n slots). */
static void msort(const struct query *q, struct qbo_doc **v, struct qbo_doc **tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	msort(q, v, tmp, h);
	msort(q, v + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = order_cmp(q, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(struct qbo_doc *));
}

int qbo_query_run(struct qbo_ctx *c, const char *stmt, json_object **out)
{
	struct query q;
	struct qbo_coll *cl;
	struct qbo_doc **hits = NULL, **tmp = NULL;
	size_t nh = 0;
	json_object *res, *arr;

	*out = NULL;
	if (parse(c, stmt ? stmt : "", &q) != BS_OK)
		return BS_EINVAL;
	cl = &c->r->coll[q.ent];
	hits = malloc((cl->n + 1) * sizeof(struct qbo_doc *));
	tmp = malloc((cl->n + 1) * sizeof(struct qbo_doc *));
	if (hits == NULL || tmp == NULL) {
		free(hits);
		free(tmp);
		return BS_ENOMEM;
	}
	for (size_t i = 0; i < cl->n; i++)
		if (matches(&q, cl->docs[i]))
			hits[nh++] = cl->docs[i];
	if (q.order[0])
		msort(&q, hits, tmp, nh);
	res = json_object_new_object();
	if (q.count) {
		json_object_object_add(res, "totalCount", json_object_new_int64((int64_t)nh));
	} else {
		long start = q.start < 1 ? 1 : q.start;
		long max = q.max > MAX_RESULTS ? MAX_RESULTS : q.max;
		long got = 0;

		arr = json_object_new_array();
		for (size_t i = (size_t)start - 1; i < nh && got < max; i++, got++)
			json_object_array_add(arr, json_object_get(hits[i]->obj));
		if (got > 0) {
			json_object_object_add(res, qbo_ents[q.ent].name, arr);
			json_object_object_add(res, "startPosition", json_object_new_int64(start));
			json_object_object_add(res, "maxResults", json_object_new_int64(got));
		} else {
			json_object_put(arr);
		}
	}
	free(hits);
	free(tmp);
	*out = res;
	return BS_OK;
}

/* ------------------------------------------------------------- cdc */

static json_object *deleted_stub(const struct qbo_doc *d)
{
	json_object *o = json_object_new_object(), *md = sb_jget_path(d->obj, "MetaData");

	sb_jset_str(o, "domain", "QBO");
	sb_jset_str(o, "status", "Deleted");
	sb_jset_str(o, "Id", d->id);
	if (md != NULL)
		json_object_object_add(o, "MetaData", json_object_get(md));
	return o;
}

int qbo_cdc_run(struct qbo_ctx *c, const char *entities, const char *since, json_object **out)
{
	json_object *qrs, *cdc;
	int64_t t;
	size_t total = 0;
	const char *p = entities;

	*out = NULL;
	if (entities == NULL || entities[0] == '\0' || since == NULL)
		return qbo_verr(
		    c->f, "2020",
		    "Required param missing, need to supply the required value for the API",
		    entities ? "changedSince" : "entities", "cdc needs entities and changedSince");
	if (civil_parse(since, &t) != BS_OK)
		return qbo_verr(c->f, "2170", "Invalid Enumeration", "changedSince",
		                "changedSince %s is not a date or date-time", since);
	if (t < c->now - CDC_DAYS_MS)
		return qbo_verr(
		    c->f, "6000",
		    "A business validation error has occurred while processing your request",
		    "changedSince", "changedSince may be at most 30 days ago");
	qrs = json_object_new_array();
	while (*p) {
		size_t n = strcspn(p, ",");
		int ent = qbo_ent_of(p, n);

		if (ent >= 0 && (qbo_ents[ent].flags & QBF_CDC)) {
			struct qbo_coll *cl = &c->r->coll[ent];
			json_object *qr = json_object_new_object(), *arr = json_object_new_array();

			for (size_t i = 0; i < cl->n && total < CDC_MAX; i++) {
				if (cl->docs[i]->updated_ms < t)
					continue;
				json_object_array_add(arr, cl->docs[i]->deleted
				                               ? deleted_stub(cl->docs[i])
				                               : json_object_get(cl->docs[i]->obj));
				total++;
			}
			json_object_object_add(qr, qbo_ents[ent].name, arr);
			json_object_object_add(qr, "startPosition", json_object_new_int(1));
			json_object_object_add(
			    qr, "maxResults",
			    json_object_new_int((int)json_object_array_length(arr)));
			json_object_array_add(qrs, qr);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	cdc = json_object_new_object();
	json_object_object_add(cdc, "QueryResponse", qrs);
	*out = json_object_new_array();
	json_object_array_add(*out, cdc);
	return BS_OK;
}
