/*
 * record.h - source records: kinds, validation, canonical form.
 *
 * A source record (docs/records.md) arrives as a json-c object from any
 * reader (JSON Lines, JSON array, CSV, REST).  record_from_json validates it
 * field by field and produces the facts the store indexes plus its
 * canonical JSON: the one byte string booksync keeps and hashes.
 *
 * Canonical form: keys sorted (bytewise) at every level, no whitespace,
 * money, quantities, percentages and FX rates as normalised decimal
 * strings (amounts at exactly the currency exponent, prices/quantities/
 * rates with trailing zeros trimmed), booleans as true/false, defaults made
 * explicit (tax_mode), unknown fields kept verbatim.  `version` is NOT in
 * the canonical form: it lives beside it, so the hash says whether content
 * changed, independent of the version number.
 *
 * The hash is libsodium's BLAKE2b-256; its vectorised code is picked by
 * sodium_init(), which main() calls once (without it the portable code
 * gives the same bytes, about 2.4x slower).
 *
 * Pure: no I/O, no globals.  Safe to call from several threads.
 */
#ifndef BS_MODEL_RECORD_H
#define BS_MODEL_RECORD_H

#include "core/buf.h"
#include "core/error.h"
#include "core/money.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

enum record_kind {
	RECORD_CUSTOMER,
	RECORD_SUPPLIER,
	RECORD_PRODUCT,
	RECORD_SALE,
	RECORD_CREDIT_NOTE,
	RECORD_PAYMENT,
	RECORD_PURCHASE,
	RECORD_ADJUSTMENT,
	RECORD_COGS,
	RECORD_GIFT_VOUCHER,
	RECORD_STORE_CREDIT,
	RECORD_MONEY_TASK,
	RECORD_JOURNAL,
	RECORD_KIND_COUNT
};

#define RECORD_ID_MAX   64 /* bytes */
#define RECORD_REFS_MAX 4
#define RECORD_HASH_LEN 32 /* BLAKE2b-256 */

/* "sale", "credit_note", ... (static strings). */
const char *record_kind_name(enum record_kind k);

/* Parse a kind name; BS_ENOTFOUND for anything else. */
int record_kind_from_name(const char *name, enum record_kind *out);

/* A reference to another record: `field` names it ("customer_id"), `kinds`
 * is a bitmask of the kinds it may resolve to (1u << RECORD_CUSTOMER |
 * 1u << RECORD_SUPPLIER for a money task's contact_id). */
struct record_ref {
	const char *field; /* static string */
	unsigned kinds;
	char id[RECORD_ID_MAX + 1];
};

/* What validation needs from the store's settings. */
struct record_ctx {
	/* The organisation's base currency ("NZD"), or NULL before any
	 * connection: amounts without a currency are then held to 2 decimals. */
	const char *base_currency;
};

/* A validated record.  Initialise with record_init, reuse across calls,
 * release with record_release. */
struct record {
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	int64_t version;  /* 0 when the source gave none */
	char date[11];    /* "YYYY-MM-DD", or "" when absent */
	char currency[4]; /* document currency, "" = base currency */
	const char *tab;  /* dashboard tab, static: "sales/invoices" (docs/states-and-tabs.md) */
	bool has_total;   /* documents with lines or an amount */
	int64_t total;    /* source total, micros (docs/rounding.md) */
	size_t nrefs;
	struct record_ref refs[RECORD_REFS_MAX];
	struct buf canonical;                /* canonical JSON (owned by the record) */
	unsigned char hash[RECORD_HASH_LEN]; /* BLAKE2b-256 of canonical */
};

void record_init(struct record *r);
void record_release(struct record *r);

/*
 * Validate `obj` (not modified, not retained) and fill `out`.  On failure
 * returns BS_EINVAL (or BS_EPARSE / BS_EDIGITS / BS_ERANGE / BS_ETOOBIG /
 * BS_EUNSUPPORTED for an unknown kind) with a message in `err` that names
 * the record, the line item and the field, e.g.
 *   sale SO-1001 line 3: unit_price "12.3x" is not a decimal
 * and `out` holds nothing useful.  BS_ENOMEM on allocation failure.
 */
int record_from_json(struct json_object *obj, const struct record_ctx *ctx, struct record *out,
                     struct bs_error *err);

/*
 * What record_from_json accepts, beyond docs/records.md (so that readers
 * know what they may hand it):
 *
 * - Every numeric or boolean field takes a JSON number/bool or a string
 *   ("12.30"; "true"/"false"/"yes"/"no"/"1"/"0", any case), so a JSON
 *   record and the same record from CSV give byte-identical canonical text.
 *   A number as a string is plain decimal text (money_check_text: no '+',
 *   no exponent, a digit on both sides of a '.'), BS_EPARSE otherwise; a
 *   JSON number keeps JSON's grammar, exponent included (5e-05).
 *   Text fields (names, account codes) also take a JSON number (its text).
 *   `lines`, `tracking`, `address` and `channel` may be JSON text in a
 *   string (a CSV cell holding `[{"sku":...}]`).
 * - A field that is null, or "" (except `id` and the references), is
 *   absent.  An empty reference (`customer_id: ""`) is an error, so CSV
 *   readers must leave out empty cells rather than pass "".
 * - `id` and references may be JSON integers (written as strings).
 * - Enum values match case-insensitively and are written in lower case;
 *   currency codes are upper-cased.
 * - Amounts of payment, gift_voucher and store_credit must be > 0; journal
 *   debit/credit >= 0 with exactly one per line; sale, credit note and
 *   purchase lines need qty and a price; adjustment lines sku, qty and
 *   unit_cost; cogs lines sku and cost; journal lines an account.
 *   A purchase needs supplier_id, a store credit customer_id.
 * - A journal line giving both debit and credit (exports write both
 *   columns) has a zero side ("0", "0.00", 0) counted as absent, and left
 *   out of the canonical text; both zero is "needs one of debit, credit";
 *   two non-zero sides stay an error.  A lone zero side is a zero line.
 * - Unknown fields are kept as given (numbers keep their source text,
 *   json-c's NaN/Infinity become strings), with object keys sorted.
 *
 * out->total (micros) per kind: sale, credit_note, purchase, money_task —
 * Σ line amounts (+ Σ tax when tax_mode is exclusive), each line rounded
 * half away from zero to the currency exponent, or the given `total` when
 * it agrees within one minor unit per line; payment, gift_voucher,
 * store_credit — amount; journal — Σ debits; adjustment — Σ rounded
 * qty × unit_cost; cogs — Σ cost, each rounded to the exponent.
 *
 * A record without `currency` is in the base currency: its amounts are
 * checked and written at the base currency's exponent (2 when ctx has no
 * base currency yet), so the same record can hash differently before and
 * after connecting to a JPY or KWD organisation.  out->refs holds the
 * top-level references in key order.
 */

/* ---- parsed document view (for the sync planner) -------------------- */

/* One line item, with the amounts booksync computed from it. */
struct record_doc_line {
	const char *sku;         /* NULL when absent; owned by the doc */
	const char *description; /* NULL when absent; owned by the doc */
	const char *account;     /* NULL when absent; owned by the doc */
	int64_t qty;             /* QTY_DP; 0 for kinds without qty (cogs, money_task, journal) */
	int64_t price;           /* micros: unit_price, unit_cost or cost (cogs); else 0 */
	int64_t discount_pct;    /* PCT_DP, 0 when none */
	int64_t tax_rate;        /* PCT_DP, 0 when none */
	bool has_tax_rate;
	/* The source line amount in micros at the currency exponent: qty × price
	 * × (1 − discount) rounded half away from zero; cogs: cost rounded;
	 * money_task: amount; journal: debit − credit. */
	int64_t amount;
	int64_t tax; /* micros, per tax_mode, rounded like amount; 0 without tax */
};

/*
 * A record's document view: the canonical text parsed back, with every
 * line's computed amount and tax (exactly what record_from_json used for
 * the total).  Initialise with record_doc_init, release with
 * record_doc_release; the doc owns its lines and strings.
 */
struct record_doc {
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	char date[11];                /* "" when absent */
	char currency[4];             /* "" = base currency */
	int exp;                      /* decimals of the document currency */
	enum money_tax_mode tax_mode; /* exclusive when the kind has none */
	int64_t fx;                   /* FX_DP, 0 when no fx_rate */
	bool has_total;
	int64_t total; /* micros, as record.total */
	const char *tab;
	size_t nlines;
	struct record_doc_line *lines;
	struct json_object *root; /* private: the parsed text the strings point into */
};

void record_doc_init(struct record_doc *d);
void record_doc_release(struct record_doc *d);

/*
 * Parse canonical text (or any record JSON: it is validated again with
 * `ctx`, which must name the same base currency as at import) into `out`.
 * Fields are read from the canonical form whatever the text's shape (a
 * nested object given as JSON text in a string is an object).
 * Errors as record_from_json, plus BS_EPARSE for text that is not one JSON
 * object.  On failure `out` is released (empty).
 */
int record_doc_parse(const char *canonical, size_t len, const struct record_ctx *ctx,
                     struct record_doc *out, struct bs_error *err);

/* A top-level string field of the doc ("reference", "customer_id",
 * "status", ...), or NULL when absent or not a string.  Owned by the doc. */
const char *record_doc_str(const struct record_doc *d, const char *field);

/* A string member of a top-level object field (`channel`, "type"), or NULL
 * when either is absent or not of that type.  Owned by the doc. */
const char *record_doc_sub_str(const struct record_doc *d, const char *field, const char *sub);

#endif
