/*
 * test_gen_records.c - the committed sample month (examples/) keeps its promises.
 *
 * examples/ is written once by bench/gen_records and committed; `make demo`
 * imports it.  This test reads it back with an independent checker (json-c
 * for JSON Lines, a small RFC 4180 reader for CSV, its own exact decimal
 * arithmetic) and asserts what examples/README.md claims: every line parses,
 * ids are unique per kind, every reference resolves (exactly three of them
 * forward, into a later file), money fields stay within their decimals,
 * every `total` equals docs/rounding.md's recomputed total, payments never exceed
 * what they pay, journals balance, and the month has the promised mix.
 * The same checker is run over examples/bad/ and must find each file's
 * deliberate mistake, so a checker that accepts everything fails here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* ------------------------------------------------------------ problems */

enum problem {
	P_PARSE,      /* not JSON, not an object, unreadable CSV */
	P_UTF8,       /* invalid UTF-8 */
	P_KIND,       /* missing or unknown kind */
	P_ID,         /* id missing, empty, longer than 64, duplicate */
	P_TYPE,       /* a field of the wrong type or form */
	P_DIGITS,     /* a decimal with too many places (or significant digits) */
	P_TOTAL,      /* `total` differs from the recomputed total */
	P_REF,        /* a reference of the wrong form, or one that never resolves */
	P_OVERPAID,   /* payments (vouchers, credits) exceed the document */
	P_UNBALANCED, /* journal debits != credits */
	P_NPROBLEM
};

static const char *const problem_name[P_NPROBLEM] = {
    "parse", "utf8", "kind", "id", "type", "digits", "total", "ref", "overpaid", "unbalanced",
};

struct report {
	int n[P_NPROBLEM];
	char first[P_NPROBLEM][160];
};

static void problem(struct report *r, enum problem p, const char *where, const char *what)
{
	/* a long first example is cut: it only illustrates the count */
	if (r->n[p]++ == 0 && snprintf(r->first[p], sizeof(r->first[p]), "%s: %s", where, what) >=
	                          (int)sizeof(r->first[p]))
		r->first[p][sizeof(r->first[p]) - 1] = '\0';
}

/* ------------------------------------------------------ exact decimals */

/*
 * Parse decimal text into value × 10^-scale.  Returns false when it is not
 * a plain decimal ([-]digits[.digits]); *places = fractional digits once
 * trailing zeros are dropped; *sig = significant digits.
 */
static bool dec_parse(const char *s, int scale, int64_t *out, int *places, int *sig)
{
	bool neg = false, any = false;
	__int128 v = 0;
	int frac = 0, nsig = 0, zeros = 0;
	const char *p = s;

	/* decimal text: -?digits(.digits)?, no '+', no exponent, no ".5" or "5." */
	if (*p == '-')
		neg = *p++ == '-';
	if (!(*p >= '0' && *p <= '9'))
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		any = true;
		if (v != 0)
			nsig++;
	}
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			any = true;
			if (*p == '0') {
				zeros++;
				continue;
			}
			/* flush the zeros held back: they were not trailing */
			for (; zeros > 0; zeros--) {
				v *= 10;
				frac++;
				if (v != 0)
					nsig++;
			}
			v = v * 10 + (*p - '0');
			frac++;
			nsig++;
		}
	}
	if (!any || *p != '\0' || frac > 18)
		return false;
	*places = frac;
	*sig = nsig;
	if (frac > scale) {
		*out = 0;
		return true; /* the caller rejects it on places */
	}
	for (; frac < scale; frac++)
		v *= 10;
	if (v > INT64_MAX)
		return false;
	*out = (int64_t)(neg ? -v : v);
	return true;
}

static __int128 div_half_away(__int128 n, __int128 d)
{
	__int128 q = n / d, rem = n % d;

	if (rem < 0)
		rem = -rem;
	if (2 * rem >= d)
		q += n < 0 ? -1 : 1;
	return q;
}

static int currency_exp(const char *code)
{
	static const char *const known[][2] = {{"NZD", "2"}, {"AUD", "2"}, {"USD", "2"},
	                                       {"GBP", "2"}, {"EUR", "2"}, {"JPY", "0"},
	                                       {"KWD", "3"}};

	if (code == NULL)
		return 2; /* the base currency, NZD */
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(code, known[i][0]) == 0)
			return known[i][1][0] - '0';
	return -1;
}

/* ------------------------------------------------------ record access */

static const char *get_text(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double))
		return json_object_get_string(v); /* a double keeps its source text */
	return "";
}

struct ctx {
	struct report *r;
	const char *where;
	int exp; /* the record's currency exponent */
};

/*
 * A decimal field: absent -> false; else parsed at `scale`, at most `max_dp`
 * places; malformed or too precise counts a problem.
 */
static bool num(struct ctx *c, struct json_object *o, const char *key, int scale, int max_dp,
                int64_t *out)
{
	const char *t = get_text(o, key);
	int places, sig;
	char what[96];

	if (t == NULL)
		return false;
	if (!dec_parse(t, scale, out, &places, &sig)) {
		snprintf(what, sizeof(what), "%s \"%.40s\" is not a decimal", key, t);
		problem(c->r, P_TYPE, c->where, what);
		return false;
	}
	if (places > max_dp) {
		snprintf(what, sizeof(what), "%s \"%.40s\" has more than %d decimals", key, t,
		         max_dp);
		problem(c->r, P_DIGITS, c->where, what);
		return false;
	}
	return true;
}

static bool fx_ok(struct ctx *c, struct json_object *o)
{
	const char *t = get_text(o, "fx_rate");
	int places, sig;
	int64_t v;

	if (t == NULL)
		return true;
	if (!dec_parse(t, 10, &v, &places, &sig) || places > 10 || sig > 10 || v <= 0) {
		problem(c->r, P_DIGITS, c->where, "fx_rate beyond 10 significant digits");
		return false;
	}
	return true;
}

/* ------------------------------------------------------ the index */

static const char *const kinds[] = {
    "customer",   "supplier", "product",      "sale",         "credit_note", "payment", "purchase",
    "adjustment", "cogs",     "gift_voucher", "store_credit", "money_task",  "journal",
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int kind_index(const char *k)
{
	for (size_t i = 0; k != NULL && i < NKINDS; i++)
		if (strcmp(k, kinds[i]) == 0)
			return (int)i;
	return -1;
}

/* Indexes into kinds[]. */
enum {
	K_CUSTOMER,
	K_SUPPLIER,
	K_PRODUCT,
	K_SALE,
	K_CN,
	K_PAYMENT,
	K_PURCHASE,
	K_ADJUSTMENT,
	K_COGS,
	K_GIFT_VOUCHER,
	K_STORE_CREDIT,
	K_MONEY_TASK,
	K_JOURNAL
};

struct entry {
	int kind;
	char *id;
	int file;      /* import order */
	int64_t total; /* documents: recomputed total, minor units */
	int exp;
	int64_t settled; /* applied payments, vouchers, credits */
};

struct index {
	struct entry *e;
	size_t n, cap;
	char **skus;
	size_t nskus, capskus;
};

static struct entry *index_find(const struct index *x, int kind, const char *id)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->e[i].kind == kind && strcmp(x->e[i].id, id) == 0)
			return &x->e[i];
	return NULL;
}

static bool sku_known(const struct index *x, const char *sku)
{
	for (size_t i = 0; i < x->nskus; i++)
		if (strcmp(x->skus[i], sku) == 0)
			return true;
	return false;
}

static void index_free(struct index *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->e[i].id);
	for (size_t i = 0; i < x->nskus; i++)
		free(x->skus[i]);
	free(x->e);
	free(x->skus);
	memset(x, 0, sizeof(*x));
}

/* --------------------------------------------------------- the records */

struct loaded {
	struct json_object *obj; /* NULL: unparsable (already reported) */
	int file;
	char where[96];
};

struct corpus {
	struct loaded *v;
	size_t n, cap;
};

static void corpus_add(struct corpus *c, struct json_object *o, int file, const char *where)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		assert_non_null(c->v);
	}
	c->v[c->n].obj = o;
	c->v[c->n].file = file;
	snprintf(c->v[c->n].where, sizeof(c->v[c->n].where), "%s", where);
	c->n++;
}

static void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		json_object_put(c->v[i].obj);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += k + 1;
	}
	return true;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_add(&b, chunk, n), 0);
	fclose(f);
	*len = b.len;
	return buf_take(&b);
}

static void load_jsonl(struct corpus *c, struct report *r, const char *name, const char *text,
                       size_t len, int file)
{
	size_t lineno = 0;

	for (size_t i = 0; i < len;) {
		size_t j = i;
		char where[96];
		struct json_object *o;
		struct json_tokener *tok;

		while (j < len && text[j] != '\n')
			j++;
		lineno++;
		snprintf(where, sizeof(where), "%s:%zu", name, lineno);
		if (j > i) {
			if (!utf8_valid((const unsigned char *)text + i, j - i)) {
				problem(r, P_UTF8, where, "invalid UTF-8");
			} else {
				tok = json_tokener_new();
				assert_non_null(tok);
				json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
				o = json_tokener_parse_ex(tok, text + i, (int)(j - i));
				if (o == NULL ||
				    json_tokener_get_error(tok) != json_tokener_success ||
				    json_tokener_get_parse_end(tok) != j - i ||
				    !json_object_is_type(o, json_type_object)) {
					problem(r, P_PARSE, where, "not one JSON object");
					json_object_put(o);
				} else {
					corpus_add(c, o, file, where);
				}
				json_tokener_free(tok);
			}
		}
		i = j + 1;
	}
}

/* RFC 4180 rows: NULL-terminated array of cells, or NULL at the end / on
 * an unbalanced quote (*bad set). */
static char **csv_row(const char **pp, const char *end, bool *bad, size_t *ncells)
{
	const char *p = *pp;
	char **cells = NULL;
	size_t n = 0;
	struct buf cell;

	*bad = false;
	if (p >= end)
		return NULL;
	buf_init(&cell, 0);
	for (;;) {
		buf_reset(&cell);
		if (p < end && *p == '"') {
			for (p++;; p++) {
				if (p >= end) {
					*bad = true;
					goto out;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						buf_addc(&cell, '"');
						p++;
						continue;
					}
					p++;
					break;
				}
				buf_addc(&cell, *p);
			}
		} else {
			while (p < end && *p != ',' && *p != '\n' && *p != '\r')
				buf_addc(&cell, *p++);
		}
		{
			char **grown = realloc(cells, (n + 2) * sizeof(*cells));

			assert_non_null(grown);
			cells = grown;
		}
		cells[n++] = strdup(buf_cstr(&cell));
		cells[n] = NULL;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		break;
	}
out:
	buf_free(&cell);
	*pp = p;
	*ncells = n;
	if (*bad) {
		for (size_t i = 0; i < n; i++)
			free(cells[i]);
		free(cells);
		return NULL;
	}
	return cells;
}

static void free_cells(char **cells)
{
	for (size_t i = 0; cells != NULL && cells[i] != NULL; i++)
		free(cells[i]);
	free(cells);
}

/* Set a dotted path ("address.city") in o to a string. */
static void set_dotted(struct json_object *o, const char *path, const char *val)
{
	char seg[64];
	const char *dot = strchr(path, '.');

	if (dot == NULL) {
		json_object_object_add(o, path, json_object_new_string(val));
		return;
	}
	snprintf(seg, sizeof(seg), "%.*s", (int)(dot - path), path);
	struct json_object *sub;
	if (!json_object_object_get_ex(o, seg, &sub)) {
		sub = json_object_new_object();
		json_object_object_add(o, seg, sub);
	}
	set_dotted(sub, dot + 1, val);
}

/* CSV as docs/records.md reads it: empty cells absent, dotted names nest,
 * consecutive rows with one id and lines.* columns fill one line each. */
static void load_csv(struct corpus *c, struct report *r, const char *name, const char *text,
                     size_t len, int file, const char *kind)
{
	const char *p = text, *end = text + len;
	bool bad;
	size_t nh, nc, row = 1, idcol = SIZE_MAX;
	char **head = csv_row(&p, end, &bad, &nh), **cells;
	struct json_object *cur = NULL;
	char where[96];

	if (!utf8_valid((const unsigned char *)text, len))
		problem(r, P_UTF8, name, "invalid UTF-8");
	if (head == NULL) {
		problem(r, P_PARSE, name, "no header row");
		return;
	}
	for (size_t j = 0; j < nh; j++)
		if (strcmp(head[j], "id") == 0)
			idcol = j;
	if (idcol == SIZE_MAX) {
		problem(r, P_PARSE, name, "no id column");
		free_cells(head);
		return;
	}
	while ((cells = csv_row(&p, end, &bad, &nc)) != NULL || bad) {
		struct json_object *line = NULL;
		const char *id;

		row++;
		snprintf(where, sizeof(where), "%s:%zu", name, row);
		if (bad) {
			problem(r, P_PARSE, where, "unbalanced quote");
			break;
		}
		if (nc != nh) {
			problem(r, P_PARSE, where, "wrong number of cells");
			free_cells(cells);
			continue;
		}
		id = cells[idcol];
		if (cur != NULL) {
			struct json_object *v;
			const char *curid = json_object_object_get_ex(cur, "id", &v)
			                        ? json_object_get_string(v)
			                        : "";
			if (strcmp(curid, id) != 0 || id[0] == '\0')
				cur = NULL;
		}
		if (cur == NULL) {
			cur = json_object_new_object();
			if (kind != NULL)
				json_object_object_add(cur, "kind", json_object_new_string(kind));
			corpus_add(c, cur, file, where);
			for (size_t j = 0; j < nh; j++)
				if (cells[j][0] != '\0' && strncmp(head[j], "lines.", 6) != 0)
					set_dotted(cur, head[j], cells[j]);
		}
		for (size_t j = 0; j < nh; j++) {
			if (cells[j][0] == '\0' || strncmp(head[j], "lines.", 6) != 0)
				continue;
			if (line == NULL) {
				struct json_object *arr;

				line = json_object_new_object();
				if (!json_object_object_get_ex(cur, "lines", &arr)) {
					arr = json_object_new_array();
					json_object_object_add(cur, "lines", arr);
				}
				json_object_array_add(arr, line);
			}
			json_object_object_add(line, head[j] + 6, json_object_new_string(cells[j]));
		}
		free_cells(cells);
	}
	free_cells(head);
}

/* ---------------------------------------------------------- the checks */

/* Recompute a document's total (docs/rounding.md "The source's rule"). */
static bool doc_total(struct ctx *c, struct json_object *o, const char *price_key, int64_t *total)
{
	struct json_object *lines;
	const char *tm = get_text(o, "tax_mode");
	int64_t sum = 0, tax = 0;
	bool ok = true;

	if (!json_object_object_get_ex(o, "lines", &lines) ||
	    !json_object_is_type(lines, json_type_array)) {
		problem(c->r, P_TYPE, c->where, "lines is not an array");
		return false;
	}
	if (tm != NULL && strcmp(tm, "exclusive") != 0 && strcmp(tm, "inclusive") != 0 &&
	    strcmp(tm, "none") != 0) {
		problem(c->r, P_TYPE, c->where, "unknown tax_mode");
		return false;
	}
	for (size_t i = 0; i < json_object_array_length(lines); i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);
		int64_t qty = 0, price = 0, disc = 0, rate = 0, amount, t = 0;

		if (!json_object_is_type(l, json_type_object)) {
			problem(c->r, P_TYPE, c->where, "a line is not an object");
			return false;
		}
		ok &= num(c, l, "qty", 4, 4, &qty);
		ok &= num(c, l, price_key, 6, 6, &price);
		if (get_text(l, "discount_pct") != NULL)
			ok &= num(c, l, "discount_pct", 4, 4, &disc);
		ok &= num(c, l, "tax_rate", 4, 4, &rate);
		if (!ok)
			return false;
		amount = (int64_t)div_half_away((__int128)qty * price * (1000000 - disc) *
		                                    (c->exp == 0   ? 1
		                                     : c->exp == 2 ? 100
		                                                   : 1000),
		                                (__int128)10000 * 1000000 * 1000000);
		if (tm == NULL || strcmp(tm, "exclusive") == 0)
			t = (int64_t)div_half_away((__int128)amount * rate, 1000000);
		else if (strcmp(tm, "inclusive") == 0)
			t = (int64_t)div_half_away((__int128)amount * rate, 1000000 + rate);
		sum += amount;
		tax += t;
	}
	/* docs/records.md leaves tax_mode's default to the canonical form; the
	 * sample always names it, so an absent one is a problem here */
	if (tm == NULL) {
		problem(c->r, P_TYPE, c->where, "no tax_mode");
		return false;
	}
	*total = strcmp(tm, "exclusive") == 0 ? sum + tax : sum;
	return true;
}

/* An amount at most the currency exponent, in minor units. */
static bool amount(struct ctx *c, struct json_object *o, const char *key, int64_t *minor)
{
	int64_t v;

	if (!num(c, o, key, c->exp, c->exp, &v))
		return false;
	*minor = v;
	return true;
}

static void check_ref(struct ctx *c, struct json_object *o, const char *key)
{
	const char *t = get_text(o, key);
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return;
	if (!json_object_is_type(v, json_type_string) || t == NULL || t[0] == '\0' ||
	    strlen(t) > 64) {
		char what[64];

		snprintf(what, sizeof(what), "%s is not a reference (empty or over 64)", key);
		problem(c->r, P_REF, c->where, what);
	}
}

/* Pass 1: shape of each record, and the index of ids. */
static void check_shape(struct corpus *cp, struct report *r, struct index *x)
{
	for (size_t i = 0; i < cp->n; i++) {
		struct json_object *o = cp->v[i].obj;
		struct ctx c = {r, cp->v[i].where, 2};
		const char *kind = get_text(o, "kind"), *id = get_text(o, "id");
		const char *cur = get_text(o, "currency");
		int k = kind_index(kind);
		struct json_object *v;
		struct entry *e;

		if (k < 0) {
			problem(r, P_KIND, c.where, "missing or unknown kind");
			continue;
		}
		if (!json_object_object_get_ex(o, "id", &v) ||
		    !json_object_is_type(v, json_type_string) || id[0] == '\0' || strlen(id) > 64) {
			problem(r, P_ID, c.where, "id missing, empty or over 64 bytes");
			continue;
		}
		if (index_find(x, k, id) != NULL) {
			problem(r, P_ID, c.where, "duplicate id");
			continue;
		}
		if (json_object_object_get_ex(o, "version", &v) &&
		    (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1))
			problem(r, P_TYPE, c.where, "version is not an integer >= 1");
		if (json_object_object_get_ex(o, "date", &v)) {
			const char *d = json_object_get_string(v);
			int mo = 0, dd = 0;

			if (strlen(d) != 10 || d[4] != '-' || d[7] != '-' ||
			    sscanf(d + 5, "%2d-%2d", &mo, &dd) != 2 || mo < 1 || mo > 12 ||
			    dd < 1 || dd > 31)
				problem(r, P_TYPE, c.where, "date is not YYYY-MM-DD");
		}
		if (json_object_object_get_ex(o, "invoiced", &v) &&
		    !json_object_is_type(v, json_type_boolean))
			problem(r, P_TYPE, c.where, "invoiced is not a boolean");
		if ((k == K_CUSTOMER || k == K_SUPPLIER) &&
		    (!json_object_object_get_ex(o, "name", &v) ||
		     !json_object_is_type(v, json_type_string)))
			problem(r, P_TYPE, c.where, "name missing or not a string");
		if (k == K_PRODUCT) {
			const char *sku = get_text(o, "sku"), *type = get_text(o, "type");

			if (sku == NULL || sku[0] == '\0' || strlen(sku) > 30) {
				problem(r, P_TYPE, c.where, "sku missing or over 30");
			} else {
				if (x->nskus == x->capskus) {
					x->capskus = x->capskus ? 2 * x->capskus : 128;
					x->skus = realloc(x->skus, x->capskus * sizeof(*x->skus));
					assert_non_null(x->skus);
				}
				x->skus[x->nskus++] = strdup(sku);
			}
			if (type != NULL && strcmp(type, "product") != 0 &&
			    strcmp(type, "service") != 0)
				problem(r, P_TYPE, c.where, "type is neither product nor service");
		}
		c.exp = currency_exp(cur);
		if (c.exp < 0) {
			problem(r, P_TYPE, c.where, "unknown currency");
			continue;
		}
		fx_ok(&c, o);
		if (x->n == x->cap) {
			x->cap = x->cap ? 2 * x->cap : 1024;
			x->e = realloc(x->e, x->cap * sizeof(*x->e));
			assert_non_null(x->e);
		}
		e = &x->e[x->n++];
		*e = (struct entry){k, strdup(id), cp->v[i].file, -1, c.exp, 0};
		/* documents: recompute and compare the total */
		if (k == K_SALE || k == K_CN || k == K_PURCHASE) {
			int64_t t, given;

			if (doc_total(&c, o, k == K_PURCHASE ? "unit_cost" : "unit_price", &t)) {
				e->total = t;
				if (get_text(o, "total") != NULL &&
				    amount(&c, o, "total", &given) && given != t) {
					char what[96];

					snprintf(what, sizeof(what),
					         "total %s, recomputed %lld minor units",
					         get_text(o, "total"), (long long)t);
					problem(r, P_TOTAL, c.where, what);
				}
			}
		}
	}
}

/* Pass 2: references, payments, balances. */
static void check_links(struct corpus *cp, struct report *r, struct index *x, int *forward)
{
	static const struct {
		const char *field;
		int kind, kind2;
	} refs[] = {
	    {"customer_id", K_CUSTOMER, -1}, {"supplier_id", K_SUPPLIER, -1},
	    {"sale_id", K_SALE, -1},         {"credit_note_id", K_CN, -1},
	    {"purchase_id", K_PURCHASE, -1}, {"contact_id", K_CUSTOMER, K_SUPPLIER},
	};
	/* gift vouchers by code, store credits by customer: what is left */
	struct bal {
		char key[72];
		int64_t left;
	} *bals = calloc(cp->n + 1, sizeof(*bals));
	size_t nbals = 0;

	assert_non_null(bals);
	for (size_t i = 0; i < cp->n; i++) {
		struct json_object *o = cp->v[i].obj, *lines;
		struct ctx c = {r, cp->v[i].where, currency_exp(get_text(o, "currency"))};
		const char *kind = get_text(o, "kind");
		int k = kind_index(kind);
		struct entry *target = NULL;

		if (k < 0 || c.exp < 0 || get_text(o, "id") == NULL)
			continue;
		for (size_t f = 0; f < sizeof(refs) / sizeof(refs[0]); f++) {
			const char *t = get_text(o, refs[f].field);
			struct entry *e;

			if (t == NULL)
				continue;
			check_ref(&c, o, refs[f].field);
			e = index_find(x, refs[f].kind, t);
			if (e == NULL && refs[f].kind2 >= 0)
				e = index_find(x, refs[f].kind2, t);
			if (e == NULL) {
				if (t[0] != '\0' && strlen(t) <= 64)
					problem(r, P_REF, c.where, "reference to no record");
				continue;
			}
			if (e->file > cp->v[i].file)
				(*forward)++;
			if (target == NULL && strcmp(refs[f].field, "customer_id") != 0 &&
			    strcmp(refs[f].field, "supplier_id") != 0 &&
			    strcmp(refs[f].field, "contact_id") != 0)
				target = e;
		}
		if (json_object_object_get_ex(o, "lines", &lines) &&
		    json_object_is_type(lines, json_type_array) && k != K_PRODUCT) {
			int64_t debit = 0, credit = 0;

			for (size_t l = 0; l < json_object_array_length(lines); l++) {
				struct json_object *ln = json_object_array_get_idx(lines, l);
				const char *sku = get_text(ln, "sku");
				int64_t d;

				if (sku != NULL && !sku_known(x, sku))
					problem(r, P_REF, c.where, "line sku is no product");
				if (k == K_ADJUSTMENT) {
					num(&c, ln, "qty", 4, 4, &d);
					num(&c, ln, "unit_cost", 6, 6, &d);
				}
				if (k == K_COGS)
					num(&c, ln, "cost", 6, 6, &d);
				if (k == K_MONEY_TASK)
					amount(&c, ln, "amount", &d);
				if (k == K_JOURNAL) {
					int64_t dv = 0, cv = 0;
					bool gd = amount(&c, ln, "debit", &dv);
					bool gc = amount(&c, ln, "credit", &cv);

					/* one side a line; with both columns filled (as
					 * exports write them) the zero one is the empty one */
					if ((!gd && !gc) || (gd && gc && (dv != 0) == (cv != 0)))
						problem(
						    r, P_TYPE, c.where,
						    "a journal line needs one of debit, credit");
					debit += dv;
					credit += cv;
				}
			}
			if (k == K_JOURNAL && debit != credit)
				problem(r, P_UNBALANCED, c.where, "debits differ from credits");
		}
		/* what each payment-like record takes from its document */
		if (k == K_PAYMENT || k == K_GIFT_VOUCHER || k == K_STORE_CREDIT) {
			const char *ev = get_text(o, "event");
			int64_t a = 0;
			struct bal *b = NULL;
			char key[72];

			if (!amount(&c, o, "amount", &a))
				continue;
			if (a < 0)
				problem(r, P_TYPE, c.where, "negative amount");
			if (k == K_GIFT_VOUCHER || k == K_STORE_CREDIT) {
				const char *who =
				    get_text(o, k == K_GIFT_VOUCHER ? "code" : "customer_id");

				snprintf(key, sizeof(key), "%d:%s", k, who != NULL ? who : "");
				for (size_t j = 0; j < nbals; j++)
					if (strcmp(bals[j].key, key) == 0)
						b = &bals[j];
				if (b == NULL) {
					b = &bals[nbals++];
					snprintf(b->key, sizeof(b->key), "%s", key);
				}
				if (ev != NULL &&
				    (strcmp(ev, "sold") == 0 || strcmp(ev, "issued") == 0))
					b->left += a;
				else if (ev != NULL && strcmp(ev, "expired") == 0)
					b->left = b->left > a ? b->left - a
					                      : 0; /* sold before the month */
				else if ((b->left -= a) < 0)
					problem(r, P_OVERPAID, c.where,
					        "more used than was sold or issued");
				if (ev == NULL ||
				    (strcmp(ev, "redeemed") != 0 && strcmp(ev, "used") != 0))
					continue;
			}
			if (target == NULL)
				continue;
			target->settled += a;
			if (target->total >= 0 && target->settled > target->total)
				problem(r, P_OVERPAID, c.where,
				        "payments exceed the document's total");
			if (target->exp != c.exp)
				problem(r, P_TYPE, c.where,
				        "payment currency differs from its document");
		}
	}
	free(bals);
}

/* ------------------------------------------------------------- driver */

static const char *const import_order[] = {
    "customers.csv", "products.csv",   "suppliers.jsonl", "sales.jsonl",
    "purchases.csv", "payments.jsonl", "other.jsonl",
};

static char *path_of(const char *sub, const char *name)
{
	const char *root = getenv("BS_SOURCE_DIR");
	struct buf b;

	buf_init(&b, 4096);
	assert_int_equal(buf_printf(&b, "%s/examples/%s%s", root != NULL ? root : ".", sub, name),
	                 0);
	return buf_take(&b);
}

static void load_file(struct corpus *cp, struct report *r, const char *sub, const char *name,
                      int file)
{
	char *path = path_of(sub, name), *text;
	size_t len = 0;
	const char *kind = NULL;

	text = slurp(path, &len);
	if (text == NULL)
		fail_msg("cannot read %s", path);
	if (strstr(name, ".csv") != NULL) {
		/* the kind from the file name, as docs/records.md: customers.csv */
		if (strncmp(name, "customers", 9) == 0)
			kind = "customer";
		load_csv(cp, r, name, text, len, file, kind);
	} else {
		load_jsonl(cp, r, name, text, len, file);
	}
	free(text);
	free(path);
}

static void dump(const struct report *r)
{
	for (int p = 0; p < P_NPROBLEM; p++)
		if (r->n[p] > 0)
			print_message("  %s x%d, first: %s\n", problem_name[p], r->n[p],
			              r->first[p]);
}

static int count_kind(const struct corpus *cp, const char *kind, const char *field,
                      const char *value)
{
	int n = 0;

	for (size_t i = 0; i < cp->n; i++) {
		const char *k = get_text(cp->v[i].obj, "kind"), *f;
		struct json_object *v;

		if (k == NULL || strcmp(k, kind) != 0)
			continue;
		if (field == NULL) {
			n++;
			continue;
		}

		if (!json_object_object_get_ex(cp->v[i].obj, field, &v))
			continue;
		f = json_object_get_string(v); /* booleans: "true" */
		if (value == NULL || strcmp(f, value) == 0)
			n++;
	}
	return n;
}

static void test_sample_month_is_clean(void **state)
{
	struct corpus cp = {0};
	struct report r = {0};
	struct index x = {0};
	int forward = 0;

	(void)state;
	for (int f = 0; f < (int)(sizeof(import_order) / sizeof(import_order[0])); f++)
		load_file(&cp, &r, "", import_order[f], f);
	check_shape(&cp, &r, &x);
	check_links(&cp, &r, &x, &forward);
	dump(&r);
	for (int p = 0; p < P_NPROBLEM; p++)
		assert_int_equal(r.n[p], 0);
	/* one month: every document date is in October 2026 */
	for (size_t i = 0; i < cp.n; i++) {
		const char *d = get_text(cp.v[i].obj, "date");

		if (d != NULL && strncmp(d, "2026-10-", 8) != 0)
			fail_msg("%s: date %s is not in 2026-10", cp.v[i].where, d);
	}
	/* the three deliberate forward references of examples/README.md */
	assert_int_equal(forward, 3);

	/* the promised mix */
	assert_int_equal(count_kind(&cp, "customer", NULL, NULL), 51);
	assert_int_equal(count_kind(&cp, "supplier", NULL, NULL), 16);
	assert_int_equal(count_kind(&cp, "product", NULL, NULL), 80);
	assert_int_equal(count_kind(&cp, "product", "type", "service"), 10);
	assert_int_equal(count_kind(&cp, "sale", NULL, NULL), 600);
	assert_true(count_kind(&cp, "sale", "status", "open") >= 5);
	assert_true(count_kind(&cp, "sale", "status", "void") >= 3);
	assert_true(count_kind(&cp, "sale", "total", NULL) >= 150);
	assert_int_equal(count_kind(&cp, "sale", "tax_mode", "none"), 1);
	assert_int_equal(count_kind(&cp, "sale", "currency", "JPY"), 1);
	assert_true(count_kind(&cp, "sale", "currency", "AUD") >= 20);
	assert_true(count_kind(&cp, "sale", "currency", "USD") >= 3);
	assert_true(count_kind(&cp, "sale", "currency", "GBP") >= 3);
	assert_true(count_kind(&cp, "sale", "version", NULL) >= 20);
	assert_true(count_kind(&cp, "credit_note", "sale_id", NULL) >= 10);
	assert_int_equal(count_kind(&cp, "credit_note", "supplier_id", NULL), 3);
	assert_int_equal(count_kind(&cp, "purchase", NULL, NULL), 40);
	assert_true(count_kind(&cp, "purchase", "status", "open") >= 5);
	assert_true(count_kind(&cp, "purchase", "status", "billed") >= 5);
	assert_true(count_kind(&cp, "purchase", "status", "finished") >= 3);
	assert_true(count_kind(&cp, "payment", "is_refund", "true") >= 5);
	assert_true(count_kind(&cp, "payment", "purchase_id", NULL) >= 5);
	assert_true(count_kind(&cp, "cogs", NULL, NULL) >= 400);
	assert_true(count_kind(&cp, "adjustment", NULL, NULL) >= 3);
	assert_int_equal(count_kind(&cp, "gift_voucher", "event", "expired"), 1);
	assert_true(count_kind(&cp, "gift_voucher", "event", "redeemed") >= 2);
	assert_true(count_kind(&cp, "store_credit", "event", "used") >= 2);
	assert_int_equal(count_kind(&cp, "store_credit", "event", "refunded"), 1);
	assert_true(count_kind(&cp, "money_task", "contact_id", NULL) >= 3);
	assert_true(count_kind(&cp, "money_task", NULL, NULL) >
	            count_kind(&cp, "money_task", "contact_id", NULL));
	assert_int_equal(count_kind(&cp, "journal", "currency", "AUD"), 1);
	index_free(&x);
	corpus_free(&cp);
}

/* Each bad file must trip the checker where examples/README.md says. */
static void test_bad_files_are_caught(void **state)
{
	static const struct {
		const char *name;
		enum problem p;
		int at_least;
	} cases[] = {
	    {"malformed.jsonl", P_PARSE, 4},      {"wrong_types.jsonl", P_TYPE, 6},
	    {"money_digits.jsonl", P_DIGITS, 5},  {"unknown_kind.jsonl", P_KIND, 3},
	    {"total_mismatch.jsonl", P_TOTAL, 2}, {"total_mismatch.jsonl", P_UNBALANCED, 1},
	    {"references.jsonl", P_REF, 2},       {"references.jsonl", P_ID, 2},
	    {"invalid_utf8.jsonl", P_UTF8, 2},    {"unbalanced_quotes.csv", P_PARSE, 1},
	    {"no_id_column.csv", P_PARSE, 1},     {"rows_apart.csv", P_ID, 1},
	    {"journal_sides.csv", P_TYPE, 2},     {"money_text.jsonl", P_TYPE, 4},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct corpus cp = {0};
		struct report r = {0};
		struct index x = {0};
		int forward = 0;

		/* the good month first, so the bad records' references resolve */
		for (int f = 0; f < (int)(sizeof(import_order) / sizeof(import_order[0])); f++)
			load_file(&cp, &r, "", import_order[f], f);
		load_file(&cp, &r, "bad/", cases[i].name, 99);
		check_shape(&cp, &r, &x);
		check_links(&cp, &r, &x, &forward);
		if (r.n[cases[i].p] < cases[i].at_least) {
			dump(&r);
			fail_msg("%s: %d %s problems, expected at least %d", cases[i].name,
			         r.n[cases[i].p], problem_name[cases[i].p], cases[i].at_least);
		}
		index_free(&x);
		corpus_free(&cp);
	}
}

/* The checker's own arithmetic, on docs/rounding.md's worked examples. */
static void test_checker_arithmetic(void **state)
{
	static const struct {
		const char *line; /* one sale, tax_mode and one line */
		const char *total;
	} cases[] = {
	    /* 25 × 1.234567 = 30.864175 -> 30.86, GST 4.629 -> 4.63 */
	    {"\"tax_mode\":\"exclusive\",\"lines\":[{\"qty\":25,\"unit_price\":\"1.234567\","
	     "\"tax_rate\":15}]",
	     "35.49"},
	    /* 0.5 cent rounds away from zero: 1 × 0.125 -> 0.13 */
	    {"\"tax_mode\":\"none\",\"lines\":[{\"qty\":1,\"unit_price\":\"0.125\",\"tax_rate\":0}"
	     "]",
	     "0.13"},
	    /* negative: -1 × 0.125 -> -0.13 */
	    {"\"tax_mode\":\"none\",\"lines\":[{\"qty\":-1,\"unit_price\":\"0.125\",\"tax_rate\":0}"
	     "]",
	     "-0.13"},
	    /* 100% discount */
	    {"\"tax_mode\":\"inclusive\",\"lines\":[{\"qty\":1,\"unit_price\":\"34.90\","
	     "\"discount_pct\":100,\"tax_rate\":15}]",
	     "0.00"},
	    /* inclusive: tax inside, total = amount; 12.5% off 19.90 = 17.4125 -> 17.41 */
	    {"\"tax_mode\":\"inclusive\",\"lines\":[{\"qty\":1,\"unit_price\":\"19.90\","
	     "\"discount_pct\":12.5,\"tax_rate\":15}]",
	     "17.41"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct report good = {0}, bad = {0};
		struct buf b;

		for (int pass = 0; pass < 2; pass++) {
			struct corpus cp = {0};
			struct index x = {0};
			struct report *r = pass ? &bad : &good;

			buf_init(&b, 0);
			assert_int_equal(buf_printf(&b,
			                            "{\"kind\":\"sale\",\"id\":\"T-1\",%s,"
			                            "\"total\":\"%s%s\"}\n",
			                            cases[i].line, cases[i].total, pass ? "1" : ""),
			                 0);
			load_jsonl(&cp, r, "case", buf_cstr(&b), b.len, 0);
			check_shape(&cp, r, &x);
			buf_free(&b);
			index_free(&x);
			corpus_free(&cp);
		}
		/* the right total passes; one more digit ("35.491") is refused */
		assert_int_equal(good.n[P_TOTAL] + good.n[P_DIGITS] + good.n[P_TYPE], 0);
		assert_int_equal(bad.n[P_DIGITS], 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checker_arithmetic),
	    cmocka_unit_test(test_sample_month_is_clean),
	    cmocka_unit_test(test_bad_files_are_caught),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
