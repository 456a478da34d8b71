/*
 * record_int.h - internals of the record model, shared by record.c (the
 * generic validating walk and the entry points), record_read.c (reading
 * and checking one field, and the messages), record_write.c (the
 * canonical writer's primitives), record_kinds.c (the per-kind field
 * tables and cross-field rules) and record_doc.c.  Not a public contract:
 * only src/model/ and the model's unit tests include it.
 *
 * Every kind is described by data: a table of field specs per object
 * (top level, line item, nested address/channel), sorted by name so one
 * binary search finds a key's spec and the canonical writer emits members
 * in key order by walking the table (only unknown keys need sorting).
 * Every top-level table lists the common fields (date, id, kind, version).  Parsed values a rule
 * needs later (amounts, enum choices, references) land in numbered slots; per-kind hooks then
 * compute line amounts, totals, tabs and the rules that span fields.
 */
#ifndef BS_MODEL_RECORD_INT_H
#define BS_MODEL_RECORD_INT_H

#include "core/money.h"
#include "model/record.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* How a field's value is checked and written canonically. */
enum rf_type {
	RF_TEXT,     /* string (a JSON number counts as its text), <= max bytes */
	RF_CODE,     /* RF_TEXT without control characters (sku, account codes) */
	RF_REF,      /* reference to another record: 1..64 bytes, no control chars */
	RF_ENUM,     /* one of f->enums, matched case-insensitively */
	RF_DATE,     /* YYYY-MM-DD, a real calendar date */
	RF_CURRENCY, /* ISO 4217 code (validated before the walk) */
	RF_FX,       /* exchange rate, FX_DP */
	RF_AMOUNT,   /* money, at most the currency exponent's decimals */
	RF_PRICE,    /* money, at most 6 decimals */
	RF_QTY,      /* quantity, at most 4 decimals */
	RF_PCT,      /* percentage, at most 4 decimals, within f->min..f->max */
	RF_BOOL,     /* true/false, or "true"/"false"/"yes"/"no"/"1"/"0" */
	RF_OBJECT,   /* nested object described by f->sub */
	RF_TRACKING, /* {category: option}, at most 2 categories */
	RF_LINES,    /* array of objects described by f->sub */
	RF_KIND,     /* common: written from the parsed kind */
	RF_ID,       /* common: written from the parsed id */
	RF_VERSION,  /* common: parsed up front, never written */
};

/* Field flags. */
#define RF_REQUIRED 0x01u /* absent (missing, null, "") is an error */
#define RF_POSITIVE 0x02u /* amount must be > 0 */
#define RF_NONNEG   0x04u /* amount must be >= 0 */
/* One of a pair of sides (a journal line's debit and credit): when the
 * object gives both, a zero one is the empty side and counts as absent. */
#define RF_ZERO_PAIR 0x08u

/*
 * Slots: where a parsed scalar is kept for the kind's rules.  Top-level
 * and line-level fields use separate arrays (struct rf_state), so the
 * same slot name serves both levels.
 */
enum rf_slot {
	S_NONE,
	S_DATE,
	S_STATUS,
	S_EVENT,
	S_AMOUNT,
	S_TOTAL,
	S_FX_RATE,
	S_CUSTOMER_ID,
	S_SUPPLIER_ID,
	S_SALE_ID,
	S_CREDIT_NOTE_ID,
	S_PURCHASE_ID,
	S_CONTACT_ID,
	S_QTY,
	S_PRICE,
	S_DISCOUNT,
	S_TAX_RATE,
	S_DEBIT,
	S_CREDIT,
	S_COST,
	S_SKU,
	S_DESCRIPTION,
	S_ACCOUNT,
	S_INVOICE_DATE,        /* purchase: billed when set (or S_SUPPLIER_INVOICE_NO) */
	S_SUPPLIER_INVOICE_NO, /* purchase */
	S_COUNT
};

struct rf_object;

struct rf_field {
	const char *name;
	unsigned char type;          /* enum rf_type */
	unsigned char flags;         /* RF_REQUIRED ... */
	unsigned char slot;          /* enum rf_slot */
	unsigned short max;          /* RF_TEXT/RF_CODE: longest value in bytes */
	const char *const *enums;    /* RF_ENUM: NULL-terminated choices */
	const struct rf_object *sub; /* RF_OBJECT, RF_LINES: the member spec */
	unsigned ref_kinds;          /* RF_REF: bitmask of enum record_kind */
	const char *dflt;            /* written when absent (tax_mode) */
	int32_t pct_min, pct_max;    /* RF_PCT bounds, PCT_DP; max < 0: none */
};

/* An object's fields, sorted bytewise by name (checked by rf_spec_check). */
struct rf_object {
	const struct rf_field *fields;
	size_t n;
};

/* A parsed scalar. */
struct rf_val {
	bool set;
	int64_t v;     /* number at its scale, enum index, or bool */
	const char *s; /* text as given (points into the input object) */
	size_t n;
};

struct rf_kind;

/* Staging for the canonical text (record.c w_add): flushed into `b`. */
struct wr {
	struct buf *b;
	size_t len;
	char data[2048];
};

/* Everything one record_from_json call works with. */
struct rf_state {
	const struct record_ctx *ctx;
	struct record *out;
	struct bs_error *err;
	const struct rf_kind *kind;
	int exp;          /* decimals of the document currency */
	const char *ccy;  /* currency named in messages, or NULL */
	unsigned line;    /* 1-based line item being checked, 0 outside lines */
	const char *path; /* enclosing object for messages ("address"), or NULL */
	enum money_tax_mode tax_mode;
	int depth; /* nesting while writing unknown values */
	size_t nlines;
	int64_t sum_amount;     /* Σ rounded line amounts (micros) */
	int64_t sum_tax;        /* Σ rounded line taxes (micros) */
	int64_t sum_debit;      /* journal */
	int64_t sum_credit;     /* journal */
	int64_t ln_amount;      /* the current line's rounded amount (journal: debit - credit) */
	int64_t ln_tax;         /* the current line's rounded tax */
	bool zero_pair;         /* the object being walked gives both RF_ZERO_PAIR sides */
	unsigned ln_zeros;      /* RF_ZERO_PAIR sides of the current line dropped as 0 */
	struct record_doc *doc; /* record_doc_parse collects lines here; else NULL */
	struct rf_val top[S_COUNT];
	struct rf_val ln[S_COUNT];
	struct wr w; /* canonical text not yet in out->canonical */
};

/* ---- shared by record.c, record_read.c and record_write.c ------------ */

#define RF_SHOW_MAX    40 /* bytes of a bad value quoted in a message */
#define RF_ENTRY_STACK 32 /* object members sorted on the stack before the heap */

/* A member of an object whose keys must be sorted (unknown fields,
 * tracking categories). */
struct rf_entry {
	const char *key;
	struct json_object *val;
};

/*
 * The canonical text is staged in st->w (a few KB on the stack) and moved
 * into out->canonical in large pieces: most appends are a handful of
 * bytes, and a buf_add call per token cost more than the bytes themselves.
 */
static inline int rf_w_flush(struct wr *w)
{
	int rc = BS_OK;

	if (w->len > 0)
		rc = buf_add(w->b, w->data, w->len);
	w->len = 0;
	return rc;
}

static inline int rf_w_add(struct wr *w, const void *p, size_t n)
{
	int rc;

	if (n > sizeof(w->data) - w->len) {
		if ((rc = rf_w_flush(w)) != BS_OK)
			return rc;
		if (n > sizeof(w->data))
			return buf_add(w->b, p, n);
	}
	memcpy(w->data + w->len, p, n);
	w->len += n;
	return BS_OK;
}

static inline int rf_w_addc(struct wr *w, char c)
{
	if (w->len == sizeof(w->data)) {
		int rc = rf_w_flush(w);

		if (rc != BS_OK)
			return rc;
	}
	w->data[w->len++] = c;
	return BS_OK;
}

/* Bytewise comparison, first byte inline: field names mostly differ there,
 * which spares a strcmp call on most probes. */
static inline int rf_keycmp(const char *a, const char *b)
{
	if (a[0] != b[0])
		return (unsigned char)a[0] - (unsigned char)b[0];
	return a[0] == '\0' ? 0 : strcmp(a + 1, b + 1);
}

/* record_read.c: reading one field. */

/* Is s[0..n) well-formed UTF-8 (RFC 3629: no overlongs, surrogates or
 * code points past U+10FFFF)?  Canonical text must be valid JSON. */
bool rf_utf8_ok(const char *str, size_t n);

/* `s` quoted for a message into out (at least RF_SHOW_MAX + 8 bytes): cut
 * at RF_SHOW_MAX bytes, control characters, quotes and backslashes as '?'.
 * Returns out. */
const char *rf_show(const char *s, size_t n, char *out, size_t outsz);

/* Any control character (< 0x20, 0x7f) in s[0..n)? */
bool rf_has_control(const char *s, size_t n);

/* The text of a scalar (a string's bytes, a number's source text, an
 * integer's digits written into num[numsz]); false for anything else. */
bool rf_scalar_text(struct json_object *v, char *num, size_t numsz, const char **s, size_t *n);

/* Check field f's value v (NULL: missing) into *val (val->set false when
 * absent); `num` may hold the text val->s points at.  BS_OK or the
 * failure, with the message set by rf_fail. */
int rf_check_scalar(struct rf_state *st, const struct rf_field *f, struct json_object *v,
                    struct rf_val *val, char num[24]);

/* Write a checked scalar as the member `f->name`. */
int rf_write_scalar(struct rf_state *st, const struct rf_field *f, const struct rf_val *val,
                    bool *first);

/* record_write.c: the canonical writer. */

/* A JSON string, escaped as needed. */
int rf_put_str(struct wr *b, const char *s, size_t n);

/* ",\"key\":" (the comma unless *first, which it clears). */
int rf_put_key(struct wr *b, bool *first, const char *key);

/* The same for a field name from the tables (short, needs no escape). */
int rf_put_name(struct wr *b, bool *first, const char *name);

/* Sort n entries by key, bytewise. */
void rf_sort_entries(struct rf_entry *e, size_t n);

/* The decimal text of a JSON integer into out; its length (0: no room). */
size_t rf_int_text(struct json_object *v, char *out, size_t outsz);

/* The source text of a JSON double (what the input said, not a reprint). */
const char *rf_double_text(struct json_object *v);

/* An unknown field's value `v`, as given but with object keys sorted;
 * `key` names it in messages. */
int rf_put_verbatim(struct rf_state *st, const char *key, struct json_object *v);

/* A kind: its name, top-level spec, and the hooks that give it meaning. */
struct rf_kind {
	enum record_kind kind;
	const char *name;
	const struct rf_object *top;
	/* After each line item has been checked (st->ln filled, st->line set):
	 * compute and accumulate its amounts.  NULL: nothing to compute. */
	int (*line)(struct rf_state *st);
	/* After the whole record was checked: cross-field rules, total, tab. */
	int (*finish)(struct rf_state *st);
};

/* The kind table, indexed by enum record_kind (record_kinds.c). */
extern const struct rf_kind rf_kinds[RECORD_KIND_COUNT];

/*
 * Fail with "<kind> <id>[ line N]: <path.><field> <message>": field may be
 * NULL (the message then follows the colon).  Returns `code`.
 */
int rf_fail(struct rf_state *st, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Write `v` (micros) at the currency exponent into a C string (for messages). */
void rf_amount_text(const struct rf_state *st, int64_t v, char *out, size_t outsz);

/*
 * record_from_json with an optional document view to fill (doc may be
 * NULL; with a doc the hash is not computed).
 */
int rf_run(struct json_object *obj, const struct record_ctx *ctx, struct record *out,
           struct record_doc *doc, struct bs_error *err);

/* Append the current line (st->ln, st->ln_amount, st->ln_tax) to st->doc. */
int rf_doc_add_line(struct rf_state *st);

/*
 * Check every spec table: sorted, unique names, slots in range, at most 64
 * fields.  Returns BS_OK or BS_EINTERNAL with the offending table in err.
 * For the unit tests (the tables are static data).
 */
int rf_spec_check(struct bs_error *err);

#endif
