/*
 * jsonr.c - json-c field readers, and a parser for the JSON booksync
 * writes that makes json-c's tree without json-c's tokenizer (see jsonr.h).
 */
#include "core/jsonr.h"

#include "core/buf.h"
#include "core/jsonw.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Past this many members, json-c's hash lookup beats a walk. */
#define WALK_MAX 24

/*
 * o[key], NULL when o is no object, the key is missing or null.  An
 * object of the size booksync writes is walked in its insertion order,
 * first bytes compared first: hashing the key, as json-c's lookup does,
 * costs more than comparing a dozen first bytes.  Same answer: an object's
 * keys are unique (a repeat replaces the value in place).
 */
static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	struct lh_table *t;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	t = json_object_get_object(o);
	if (lh_table_length(t) > WALK_MAX) {
		json_object_object_get_ex(o, key, &v);
		return v;
	}
	for (struct lh_entry *e = lh_table_head(t); e != NULL; e = lh_entry_next(e)) {
		const char *k = lh_entry_k(e);

		if (k[0] == key[0] && strcmp(k, key) == 0)
			return (struct json_object *)lh_entry_v(e);
	}
	return NULL;
}

const char *jsonr_str(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);

	if (v == NULL || json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array))
		return NULL;
	return json_object_get_string(v);
}

bool jsonr_bool(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);

	return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* ---- jsonr_parse: the fast descent ------------------------------------ */

/*
 * The keys booksync writes in canonical records and outbox documents,
 * ordered by length, then bytes (known_from).  A parsed key found here is
 * added to its object as this constant (JSON_C_OBJECT_KEY_IS_CONSTANT):
 * json-c then neither copies it on add nor frees it with the tree, and,
 * with JSON_C_OBJECT_ADD_KEY_IS_NEW, does not look for it first: a tenth
 * of a parse, and a third of freeing the tree (bench/RESULTS.md
 * "Checkpoints aside, 16 KiB pages").  Any other key takes json-c's usual
 * path.  Only speed depends on this list: a key missing from it is still
 * read.
 */
/* clang-format off */
static const char *const known_keys[] = {
    "id", "op", "key", "qty", "sku", "bill", "city", "code", "cogs", "cost", "date", "kind",
    "mode", "name", "note", "paid", "part", "rate", "sale", "self", "sold", "type", "chart",
    "debit", "email", "event", "line1", "line2", "lines", "parts", "phone", "store", "total",
    "value", "active", "amount", "billed", "create", "credit", "issued", "linked", "method",
    "number", "origin", "period", "places", "refund", "region", "status", "account", "address",
    "amounts", "channel", "contact", "country", "fx_rate", "invoice", "journal", "members",
    "options", "payment", "posthoc", "product", "sale_id", "subtype", "version", "archived",
    "category", "currency", "customer", "document", "due_date", "invoiced", "invoices",
    "part_ids", "payments", "postcode", "purchase", "quantity", "refunded", "residual",
    "rounding", "supplier", "tax_mode", "tax_rate", "tax_type", "tracking", "direction",
    "is_refund", "item_code", "narration", "purchases", "reference", "unit_cost", "adjustment",
    "allocation", "contact_id", "money_task", "prepayment", "short_name", "tax_number",
    "unit_price", "credit_note", "customer_id", "description", "fx_residual", "line_amount",
    "part_totals", "purchase_id", "residual_of", "supplier_id", "unit_amount", "bank_account",
    "contact_name", "discount_pct", "gift_voucher", "invoice_date", "member_count",
    "store_credit", "base_currency", "consolidation", "currency_rate", "delivery_date",
    "discount_rate", "dispatch_date", "sales_account", "credit_note_id", "expected_total",
    "invoice_status", "purchase_order", "fx_base_members", "payable_account",
    "fx_base_document", "purchase_account", "reference_prefix", "rounding_account",
    "money_task_contact", "receivable_account", "supplier_invoice_no", "default_sales_account",
};
/* clang-format on */

#define KNOWN_KEYS    (sizeof(known_keys) / sizeof(known_keys[0]))
#define KNOWN_LEN_MAX 21
#define KNOWN_NONE    (-1)
#define KNOWN_TRACKED 32 /* members of one object checked for a repeat */

/* known_keys[known_from[n] .. known_from[n + 1]) are the keys n bytes long
 * (test_jsonr finds every key through it). */
static const unsigned char known_from[KNOWN_LEN_MAX + 2] = {
    0,   0,   0,   2,   5,   22,  34,  49,  66,  87,  94,  102,
    112, 119, 126, 130, 132, 136, 136, 138, 139, 139, 140,
};

/* The index of k[0..n) in known_keys, or KNOWN_NONE. */
static int known_key(const char *k, size_t n)
{
	if (n > KNOWN_LEN_MAX)
		return KNOWN_NONE;
	for (int i = known_from[n]; i < known_from[n + 1]; i++)
		if (known_keys[i][0] == k[0] && memcmp(known_keys[i], k, n) == 0)
			return i;
	return KNOWN_NONE;
}

size_t jsonr_known_keys(const char *const **keys)
{
	*keys = known_keys;
	return KNOWN_KEYS;
}

/*
 * The descent answers "not mine" (false) for anything outside the subset
 * it makes exactly as json-c would; the caller then throws its partial
 * tree away and asks json-c.  It never decides that text is malformed.
 */
#define FAST_DEPTH 32 /* json-c's default depth: deeper is json-c's to refuse */
#define FAST_NUM   64 /* longer numbers are json-c's */

struct fast {
	const char *p, *end;
	char *scratch; /* decoded strings and keys */
	size_t cap;
};

static void fast_ws(struct fast *f)
{
	while (f->p < f->end && (*f->p == ' ' || *f->p == '\n' || *f->p == '\r' || *f->p == '\t'))
		f->p++;
}

static bool fast_grow(struct fast *f, size_t need)
{
	size_t cap = f->cap ? f->cap : 256;
	char *n;

	if (need <= f->cap)
		return true;
	while (cap < need)
		cap *= 2;
	if ((n = realloc(f->scratch, cap)) == NULL)
		return false;
	f->scratch = n;
	f->cap = cap;
	return true;
}

/*
 * A string at f->p (on its opening quote): *s, *n its decoded bytes, in
 * the input itself when it has no escape, else in f->scratch (with a NUL
 * after, for keys).
 */
static bool fast_string(struct fast *f, const char **s, size_t *n)
{
	const char *p = f->p + 1, *start = p;
	size_t o = 0;

	while (p < f->end && !jsonw_special[(unsigned char)*p])
		p++;
	if (p >= f->end || (unsigned char)*p < 0x20)
		return false;
	if (*p == '"') {
		*s = start;
		*n = (size_t)(p - start);
		f->p = p + 1;
		return true;
	}
	/* escapes: decode into scratch (never longer than the source) */
	if (!fast_grow(f, (size_t)(f->end - start) + 1))
		return false;
	memcpy(f->scratch, start, (size_t)(p - start));
	o = (size_t)(p - start);
	while (p < f->end && *p != '"') {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20)
			return false;
		if (c != '\\') {
			f->scratch[o++] = (char)c;
			p++;
			continue;
		}
		if (++p >= f->end)
			return false;
		switch (*p) {
		case '"':
		case '\\':
		case '/':
			f->scratch[o++] = *p;
			break;
		case 'b':
			f->scratch[o++] = '\b';
			break;
		case 'f':
			f->scratch[o++] = '\f';
			break;
		case 'n':
			f->scratch[o++] = '\n';
			break;
		case 'r':
			f->scratch[o++] = '\r';
			break;
		case 't':
			f->scratch[o++] = '\t';
			break;
		case 'u': {
			unsigned cp = 0;

			if (f->end - p < 5)
				return false;
			for (int i = 1; i <= 4; i++) {
				int h = buf_hexval(p[i]);

				if (h < 0)
					return false;
				cp = cp * 16 + (unsigned)h;
			}
			/* NUL and surrogate pairs: json-c's */
			if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
				return false;
			if (cp < 0x80) {
				f->scratch[o++] = (char)cp;
			} else if (cp < 0x800) {
				f->scratch[o++] = (char)(0xC0 | (cp >> 6));
				f->scratch[o++] = (char)(0x80 | (cp & 0x3F));
			} else {
				f->scratch[o++] = (char)(0xE0 | (cp >> 12));
				f->scratch[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				f->scratch[o++] = (char)(0x80 | (cp & 0x3F));
			}
			p += 4;
			break;
		}
		default:
			return false;
		}
		p++;
	}
	if (p >= f->end)
		return false;
	f->scratch[o] = '\0';
	*s = f->scratch;
	*n = o;
	f->p = p + 1;
	return true;
}

static bool fast_delim(const struct fast *f, const char *p)
{
	return p >= f->end || *p == ',' || *p == ']' || *p == '}' || *p == ' ' || *p == '\n' ||
	       *p == '\r' || *p == '\t';
}

/* -?(0|[1-9][0-9]{0,17}) as an int64; with .[0-9]+ after, a double
 * keeping its text, as json-c keeps it. */
static bool fast_number(struct fast *f, struct json_object **out)
{
	const char *p = f->p, *int_start;
	char text[FAST_NUM];
	bool neg = false;
	int64_t v = 0;
	size_t n;

	if (*p == '-') {
		neg = true;
		p++;
	}
	int_start = p;
	if (p >= f->end || *p < '0' || *p > '9')
		return false;
	if (*p == '0') {
		p++;
	} else {
		while (p < f->end && *p >= '0' && *p <= '9') {
			if (p - int_start >= 18)
				return false;
			v = v * 10 + (*p - '0');
			p++;
		}
	}
	if (p < f->end && *p == '.') {
		const char *frac = ++p;

		while (p < f->end && *p >= '0' && *p <= '9')
			p++;
		n = (size_t)(p - f->p);
		if (p == frac || !fast_delim(f, p) || n >= sizeof(text))
			return false;
		memcpy(text, f->p, n);
		text[n] = '\0';
		*out = json_object_new_double_s(strtod(text, NULL), text);
	} else {
		/* "-0", exponents, anything glued on: json-c's */
		if (!fast_delim(f, p) || (neg && v == 0))
			return false;
		*out = json_object_new_int64(neg ? -v : v);
	}
	f->p = p;
	return *out != NULL;
}

static bool fast_value(struct fast *f, int depth, struct json_object **out);

/*
 * After a member or an element: 1 when a ',' says another follows, 0 when
 * `close` ends the container, -1 for anything else.  Either consumed.
 */
static int fast_more(struct fast *f, char close)
{
	fast_ws(f);
	if (f->p < f->end && *f->p == ',') {
		f->p++;
		fast_ws(f);
		return 1;
	}
	if (f->p < f->end && *f->p == close) {
		f->p++;
		return 0;
	}
	return -1;
}

/*
 * o[k] = v as json_object_object_add would do it.  A known key new to o is
 * added as its constant, unlooked-for; a repeat (json-c keeps the first
 * place, the last value), a known key past the KNOWN_TRACKED first (it may
 * repeat one not tracked) or any other key takes the usual path.  seen[]
 * holds the known keys o has so far.
 */
static int fast_add(struct json_object *o, const char *k, size_t kn, struct json_object *v,
                    int *seen, size_t *nseen)
{
	int i = known_key(k, kn);

	if (i != KNOWN_NONE && *nseen < KNOWN_TRACKED) {
		size_t j;

		for (j = 0; j < *nseen && seen[j] != i; j++)
			;
		if (j == *nseen) {
			seen[(*nseen)++] = i;
			return json_object_object_add_ex(o, known_keys[i], v,
			                                 JSON_C_OBJECT_ADD_KEY_IS_NEW |
			                                     JSON_C_OBJECT_KEY_IS_CONSTANT);
		}
	}
	return json_object_object_add(o, k, v);
}

static bool fast_object(struct fast *f, int depth, struct json_object **out)
{
	struct json_object *o = json_object_new_object(), *v = NULL;
	int more, seen[KNOWN_TRACKED];
	size_t nseen = 0;
	const char *k;
	size_t kn;
	char small[128];

	if ((*out = o) == NULL)
		return false;
	f->p++;
	fast_ws(f);
	if (f->p < f->end && *f->p == '}') {
		f->p++;
		return true;
	}
	for (;;) {
		if (f->p >= f->end || *f->p != '"' || !fast_string(f, &k, &kn) ||
		    memchr(k, '\0', kn) != NULL)
			return false;
		/* the key NUL-terminated, apart from the scratch the value reuses */
		if (kn >= sizeof(small))
			return false;
		memcpy(small, k, kn);
		small[kn] = '\0';
		fast_ws(f);
		if (f->p >= f->end || *f->p != ':')
			return false;
		f->p++;
		fast_ws(f);
		if (!fast_value(f, depth, &v)) {
			json_object_put(v); /* a partial tree is not yet o's */
			return false;
		}
		if (fast_add(o, small, kn, v, seen, &nseen) != 0) {
			json_object_put(v);
			return false;
		}
		if ((more = fast_more(f, '}')) <= 0)
			return more == 0;
	}
}

static bool fast_array(struct fast *f, int depth, struct json_object **out)
{
	struct json_object *a = json_object_new_array(), *v = NULL;
	int more;

	if ((*out = a) == NULL)
		return false;
	f->p++;
	fast_ws(f);
	if (f->p < f->end && *f->p == ']') {
		f->p++;
		return true;
	}
	for (;;) {
		if (!fast_value(f, depth, &v)) {
			json_object_put(v); /* a partial tree is not yet a's */
			return false;
		}
		if (json_object_array_add(a, v) != 0) {
			json_object_put(v);
			return false;
		}
		if ((more = fast_more(f, ']')) <= 0)
			return more == 0;
	}
}

static bool fast_lit(struct fast *f, const char *word, size_t n)
{
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, word, n) != 0 || !fast_delim(f, f->p + n))
		return false;
	f->p += n;
	return true;
}

/* One value at f->p into *out; on false *out is whatever was made (put
 * by the caller), NULL or a partial tree. */
static bool fast_value(struct fast *f, int depth, struct json_object **out)
{
	const char *s;
	size_t n;

	*out = NULL;
	if (f->p >= f->end || depth >= FAST_DEPTH)
		return false;
	switch (*f->p) {
	case '{':
		return fast_object(f, depth + 1, out);
	case '[':
		return fast_array(f, depth + 1, out);
	case '"':
		if (!fast_string(f, &s, &n))
			return false;
		return (*out = json_object_new_string_len(s, (int)n)) != NULL;
	case 't':
		return fast_lit(f, "true", 4) && (*out = json_object_new_boolean(1)) != NULL;
	case 'f':
		return fast_lit(f, "false", 5) && (*out = json_object_new_boolean(0)) != NULL;
	case 'n':
		/* null is no object: *out stays NULL, as json-c's */
		return fast_lit(f, "null", 4);
	default:
		return fast_number(f, out);
	}
}

struct json_object *jsonr_parse(struct json_tokener *tok, const char *s, size_t len)
{
	struct fast f = {s, s + len, NULL, 0};
	struct json_object *o = NULL;
	bool mine;

	fast_ws(&f);
	/* a top-level literal or number: json-c's (rare, and its end rules
	 * differ from the nested ones) */
	mine = len <= INT32_MAX && f.p < f.end && (*f.p == '{' || *f.p == '[') &&
	       fast_value(&f, 0, &o);
	if (mine) {
		fast_ws(&f);
		mine = f.p == f.end;
	}
	free(f.scratch);
	if (mine)
		return o;
	json_object_put(o);
	if (len > INT32_MAX)
		return NULL;
	json_tokener_reset(tok);
	return json_tokener_parse_ex(tok, s, (int)len);
}
