/*
 * sb_doc_int.h - what the sandbox's document builders share, for the
 * src/sandbox/sb_doc*.c files and the kind table (sb_kinds.c) only.
 *
 * Each writable kind has one file, sb_doc_<kind>.c, exporting the build
 * function its sb_kinds entry dispatches to: validate a PUT/POST element
 * and produce the document to store, in Xero's field names, statuses and
 * messages (docs/mapping-xero.md §5-§7).  Invoices, credit notes, purchase orders and
 * bank transactions share one builder (sb_doc_txn.c) driven by a struct
 * sb_doc_spec; line items are sb_doc_lines.c; the helpers all of them use
 * are sb_doc.c.
 *
 * Every amount goes through core/money.h: values are int64 millionths,
 * parsed from the JSON number's own text (json-c keeps it), rounded with
 * the sandbox's midpoint rule at the points Xero rounds (unit price to 2 or
 * 4 dp, each line to the currency's dp, each line's tax), and written back
 * as exact decimal text.
 *
 * Build functions follow struct sb_kind.build: BS_OK with *out (owned by
 * the caller), or BS_EINVAL with the messages in errs.  They run inside
 * the caller's transaction, which undoes whatever they stored (a contact
 * created on the way, a payment applied) when the element fails.
 */
#ifndef BS_SANDBOX_SB_DOC_INT_H
#define BS_SANDBOX_SB_DOC_INT_H

#include "sandbox/sb_int.h"

/* ---- one build function per writable kind (sb_doc_<kind>.c) ---- */

int sb_build_contact(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs);
int sb_build_item(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                  struct sb_errs *errs);
int sb_build_invoice(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs);
int sb_build_creditnote(struct sb_txn *t, json_object *in, const struct sb_doc *old,
                        json_object **out, struct sb_errs *errs);
int sb_build_payment(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs);
int sb_build_po(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                struct sb_errs *errs);
int sb_build_journal(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs);
int sb_build_banktxn(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
                     struct sb_errs *errs);

/* ---- shared helpers (sb_doc.c) ---- */

/* An amount rounded to `dp` decimals with the sandbox's midpoint rule.
 * BS_ENOTFOUND when v is NULL, BS_EPARSE / BS_EDIGITS / BS_ERANGE otherwise. */
int sb_parse_amount(struct sb_txn *t, json_object *v, int dp, int64_t *out);
/* A currency's decimals for amounts: its ISO exponent, at most 2. */
int sb_cur_dp(const char *code);
/* The organisation's base currency (owned by the tenant). */
const char *sb_base_currency(struct sb_txn *t);
/* An account by "Code" string, {AccountID} or {Code}; NULL when none. */
struct sb_doc *sb_find_account(struct sb_txn *t, json_object *ref);
/* A document's Contact reference (a new object the caller owns), found by
 * ContactID, ContactNumber or Name; a new Name creates the contact, as
 * Xero does.  NULL with errs set when it cannot be. */
json_object *sb_resolve_contact(struct sb_txn *t, json_object *ref, struct sb_errs *errs);
/* BS_EINVAL with Xero's message when date_ms is on or before a lock date. */
int sb_lock_check(struct sb_txn *t, int64_t date_ms, struct sb_errs *errs);
/* Midnight UTC of the transaction's day. */
int64_t sb_today_ms(struct sb_txn *t);
/* A date field, as midnight UTC: absent or "" -> dflt (BS_ENOTFOUND when
 * dflt is INT64_MIN); BS_EINVAL with errs set when it is not a date. */
int sb_get_date(json_object *in, const char *key, int64_t dflt, int64_t *out, struct sb_errs *errs);
/* The id a built document gets: old's on an update, else a new UUID. */
void sb_doc_id(const struct sb_doc *old, char id[40]);
/* A new reference object {idf, numf} copied from d ({InvoiceID,
 * InvoiceNumber}); the caller owns it. */
json_object *sb_doc_ref(const struct sb_doc *d, const char *idf, const char *numf);
/* The invoice or credit note a reference names: by its id field `idf`,
 * else by its number field `numf` (sb_find_number).  NULL when none. */
struct sb_doc *sb_find_doc_ref(struct sb_txn *t, json_object *ref, int kind, const char *idf,
                               const char *numf);
/*
 * Apply `amount` (negative: a reversal) to invoice or credit note d: its
 * AmountDue (invoices; `field`, AmountPaid or AmountCredited, grows by it)
 * or RemainingCredit; `entry` (owned by the call, may be NULL) is appended
 * to its array `list`; PAID at zero due, AUTHORISED again above it.
 * Stored through sb_put; BS_ENOMEM or sb_put's error.
 */
int sb_apply_to_doc(struct sb_txn *t, int kind, struct sb_doc *d, int64_t amount, const char *list,
                    json_object *entry, const char *field, int64_t date);
/* Reverse `amount` on d as sb_apply_to_doc does (dated now) and drop the
 * entry of array `list` whose `idf` is `id`.  BS_ENOMEM or sb_put's error. */
int sb_unapply(struct sb_txn *t, int kind, struct sb_doc *d, int64_t amount, const char *field,
               const char *list, const char *idf, const char *id);

/* ---- line items (sb_doc_lines.c) ---- */

struct sb_line_opts {
	bool sales;     /* revenue side: default tax from the account */
	bool discounts; /* DiscountRate / DiscountAmount allowed (ACCREC) */
	int dp;         /* currency decimals */
	enum money_tax_mode mode;
};

struct sb_line_sums {
	int64_t sub, tax, total, discount;
	int nlines;
};

/* The EffectiveRate of tax type `type` (PCT_DP decimals); BS_ENOTFOUND. */
int sb_tax_rate_of(struct sb_txn *t, const char *type, int64_t *pct);
/* Build the LineItems array `arr` (NULL = none) into *out (caller owns) and
 * *sums.  Every line is checked; BS_EINVAL with all their messages. */
int sb_build_lines(struct sb_txn *t, json_object *arr, const struct sb_line_opts *lo,
                   json_object **out, struct sb_line_sums *sums, struct sb_errs *errs);
/* LineAmountTypes ("Exclusive", "Inclusive", "NoTax") as a tax mode. */
enum money_tax_mode sb_lat_mode(const char *lat);

/* ---- invoices and their kin (sb_doc_txn.c) ---- */

/* What sets one kind of transaction document apart. */
struct sb_doc_spec {
	int kind;
	const char *noun;      /* "Invoice" */
	const char *types[7];  /* allowed Type values; types[0] the sales one; NULL = no Type */
	const char *num_field; /* "InvoiceNumber", or NULL = not numbered */
	const char *num_prefix;
	const char *num_unique_type; /* numbers unique only for this Type ("ACCREC"), or "" = all */
	const char *dup_msg;
	const char *dflt_status;
	const char *statuses[6];
	const char *due_field, *due_string; /* "DueDate", "DueDateString" */
	bool payable;                       /* AmountDue/AmountPaid/AmountCredited */
	bool credit;                        /* RemainingCredit */
	bool lockable;                      /* subject to lock dates */
	bool discounted;                    /* shows IsDiscounted */
	bool void_any;                      /* may be voided whatever its status */
	bool delete_any;                    /* may be deleted whatever its status */
	/* The kind's own steps, NULL where it has none.  type_error: the
	 * message for a Type not in `types`.  inputs: checks after the line
	 * items, and fields that go first in the document `o`.  finish: the
	 * kind's fields after the common ones.  Both return BS_OK or BS_EINVAL
	 * with errs set. */
	void (*type_error)(const char *type, struct sb_errs *errs);
	int (*inputs)(struct sb_txn *t, json_object *in, json_object *o, struct sb_errs *errs);
	int (*finish)(struct sb_txn *t, json_object *in, const struct sb_doc *old, const char *type,
	              json_object *o, struct sb_errs *errs);
};

/* The build function of a transaction document described by sp. */
int sb_build_txn_doc(struct sb_txn *t, const struct sb_doc_spec *sp, json_object *in,
                     const struct sb_doc *old, json_object **out, struct sb_errs *errs);

#endif
