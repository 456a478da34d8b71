/*
 * record.h - source records: kinds, validation, canonical form.
 *
 * A source record (spec/RECORDS.md) arrives as a json-c object from any
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
 * Pure: no I/O, no globals.  Safe to call from several threads.
 */
#ifndef BS_MODEL_RECORD_H
#define BS_MODEL_RECORD_H

#include "core/buf.h"
#include "core/error.h"

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

#define RECORD_ID_MAX	64 /* bytes */
#define RECORD_REFS_MAX 4
#define RECORD_HASH_LEN 32 /* SHA-256 */

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
	int64_t version;     /* 0 when the source gave none */
	char date[11];	     /* "YYYY-MM-DD", or "" when absent */
	char currency[4];    /* document currency, "" = base currency */
	const char *tab;     /* dashboard tab, static: "sales/invoices" (DESIGN.md "Tabs") */
	bool has_total;	     /* documents with lines or an amount */
	int64_t total;	     /* source total, micros (DESIGN.md "Rounding correction") */
	size_t nrefs;
	struct record_ref refs[RECORD_REFS_MAX];
	struct buf canonical; /* canonical JSON (owned by the record) */
	unsigned char hash[RECORD_HASH_LEN]; /* SHA-256 of canonical */
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

#endif
