/*
 * rules.h - the sync engine's pure decision functions.
 *
 * The planner (src/sync) asks these functions what to do with a record and
 * how to express it for a ledger; it does all the I/O and fills small fact
 * structs.  Every function here is pure: no I/O, no clock (dates are passed
 * in), no globals; the only allocations are into a caller's struct buf and
 * short-lived buffers for error messages.  Safe from any thread.  Strings
 * handed in are borrowed for the duration of the call only, unless a
 * function says an output points into them.
 *
 * Topics (one implementation file each):
 *   eligibility  send, skip or wait, and why            rules_eligibility.c
 *   references   unique invoice numbers, bill numbers   rules_reference.c
 *   rounding     the ledger's rounding, corrected       rules_rounding.c
 *   fx           journals to base currency, CurrencyRate rules_fx.c
 *   tax/accounts tax codes and account codes            rules_tax.c
 *   date lock    the ledger's period lock date          rules_tax.c
 *   store credit which issued credits a use draws on    rules_credit.c
 *   purchases    accounting status, purchase references rules_purchase.c
 *                and their clashes (seeds/004)
 *
 * What differs between ledgers (decimals kept, tax code names) comes in as
 * data, struct rules_ledger: no rule here knows one ledger's values.
 *
 * Money follows core/money.h: amounts and prices int64 micros, quantities
 * in 1e-4, percentages in 1e-4 %, exchange rates in 1e-10.
 */
#ifndef BS_RULES_RULES_H
#define BS_RULES_RULES_H

#include "core/buf.h"
#include "core/error.h"
#include "core/money.h"
#include "model/record.h"
#include "model/sync_state.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* The target ledger */

/* Where the ledger rounds tax (docs/rounding.md "Tax rounding").  Zero is
 * per line, so a struct left zeroed keeps Xero's behaviour. */
enum rules_tax_rounding {
	RULES_TAX_PER_LINE = 0, /* each line's tax rounded, then summed (Xero) */
	RULES_TAX_PER_RATE,     /* Σ of a rate's lines, rounded once per document (QBO) */
};

/*
 * What the target ledger keeps and what it calls things, as far as the
 * rules need it: the caller has it from the ledger's connector and passes
 * it in.  Strings are borrowed for as long as the struct is used.
 */
struct rules_ledger {
	int unit_dp;               /* decimals of unit prices it keeps (Xero: 4) */
	int amount_dp;             /* decimals of line amounts, tax and totals (Xero: 2) */
	const char *tax_none;      /* its built-in code for a line without tax (Xero: NONE) */
	const char *tax_sales;     /* before its tax rates are read: the code of a taxed */
	const char *tax_purchases; /* sales / purchases line (Xero: OUTPUT2 / INPUT2) */
	/* purchases (ledger_caps): zero = no limit, billable, POs by default */
	size_t doc_number_max;                /* characters of a bill's or PO's number (Xero 255) */
	bool po_not_billable;                 /* !caps.po_billable */
	bool po_opt_in_only;                  /* !caps.po_upload_default */
	const char *display_name;             /* "Xero"; NULL = "the ledger" */
	enum rules_tax_rounding tax_rounding; /* caps.tax_rounding */
};

/* ------------------------------------------------------------------ */
/* Eligibility */

enum rules_verdict {
	RULES_SEND, /* post it now (see the action) */
	RULES_SKIP, /* never posts as it is: state `skipped`, with the reason */
	RULES_WAIT, /* a dependency or a field is missing: state `waiting` */
	RULES_FAIL, /* can never post as the ledger stands: state `error`, with what
	               to do by hand (a PO uploaded to a ledger that cannot bill it) */
};

/* What a SEND posts (RULES_ACT_NONE for SKIP and WAIT). */
enum rules_action {
	RULES_ACT_NONE,
	RULES_ACT_POST,           /* create, or update the linked document */
	RULES_ACT_VOID,           /* void the linked document (a sale voided after posting) */
	RULES_ACT_PURCHASE_ORDER, /* an open purchase: a PurchaseOrder */
	RULES_ACT_BILL,           /* a billed purchase: an ACCPAY invoice */
	RULES_ACT_BILL_FROM_PO,   /* a bill, and its posted PurchaseOrder marked BILLED */
};

/* The source document status (docs/records.md), as far as a rule cares. */
enum rules_status {
	RULES_ST_NONE, /* the kind has no status, or the source gave none */
	RULES_ST_OPEN,
	RULES_ST_INVOICED,
	RULES_ST_PAID,
	RULES_ST_VOID,
	RULES_ST_BILLED,
	RULES_ST_FINISHED,
};

/* gift_voucher and store_credit events. */
enum rules_event {
	RULES_EV_NONE,
	RULES_EV_SOLD,     /* gift_voucher */
	RULES_EV_REDEEMED, /* gift_voucher, against a sale */
	RULES_EV_EXPIRED,  /* gift_voucher */
	RULES_EV_ISSUED,   /* store_credit */
	RULES_EV_USED,     /* store_credit, against a sale */
	RULES_EV_REFUNDED, /* store_credit */
};

/* Where a record this one depends on stands for the same target. */
enum rules_dep_state {
	RULES_DEP_POSTED,  /* linked: the ledger holds it */
	RULES_DEP_PENDING, /* imported into the store, not posted (pending, queued,
	                      waiting or error) */
	RULES_DEP_SKIPPED, /* skipped, `skip_reason` says why */
	RULES_DEP_MISSING, /* referenced but not imported yet */
};

/* One dependency: `what` is the word for messages ("customer", "sale",
 * "credit note", "bill", "issued store credit"), `id` the record id. */
struct rules_dep {
	const char *what;
	const char *id;
	enum rules_dep_state state;
	const char *skip_reason; /* RULES_DEP_SKIPPED only; may be NULL */
};

#define RULES_DEPS_MAX   3
#define RULES_REASON_MAX 256

/* Settings that turn whole kinds off (docs/states-and-tabs.md "Eligibility"). */
struct rules_settings {
	bool disable_payment_sync; /* "Disable Syncing of Payments" */
	bool disable_po_sync;      /* open purchases are not uploaded as POs */
	/* Purchases on the target (zero: Xero's behaviour; see rules_ledger):
	 * open purchases go up as POs only with po_opt_in when po_opt_in_only;
	 * a PO posted and then billed fails when po_not_billable. */
	bool po_opt_in_only;
	bool po_opt_in; /* setting upload_po_as_qbo_po */
	bool po_not_billable;
	const char *ledger_name; /* for reasons; NULL = "the ledger" */
};

/*
 * What the planner knows about one record for one target.  Zero-initialise
 * and fill what the kind has; the rest is ignored.
 *
 * deps[] lists what must be in the ledger first, in the order the planner
 * wants them reported: the contact of a sale, credit note, purchase or
 * money task; the document of a payment, COGS record, redeemed voucher or
 * used store credit; the issued credit note of a used / refunded store
 * credit.  A reference the record does not have is simply not listed.
 */
struct rules_facts {
	enum record_kind kind;
	const char *id; /* record id, for messages */
	enum rules_status status;
	enum rules_event event;
	bool invoiced;                /* sale: the source's `invoiced` flag */
	int64_t total;                /* documents: source total, micros */
	int64_t amount;               /* payment, gift voucher, store credit: micros */
	int64_t amount_paid;          /* sale: sum of its payments, micros */
	size_t npayments;             /* sale: how many payments it has */
	bool posted;                  /* this record is linked to a ledger document */
	bool posted_as_po;            /* purchase: the link is a PurchaseOrder */
	bool has_supplier_invoice_no; /* purchase */
	bool has_invoice_date;        /* purchase */
	bool has_dispatch_date;       /* purchase */
	/* purchase: its Accounting Status is Imported (rules_accounting_status),
	 * so it syncs again only once reset */
	bool accounting_imported;
	size_t ndeps;
	struct rules_dep deps[RULES_DEPS_MAX];
};

struct rules_decision {
	enum rules_verdict verdict;
	enum rules_action action;
	char reason[RULES_REASON_MAX]; /* "" for a plain SEND; always NUL-terminated */
};

/*
 * Decide whether `f`'s record is sent now, skipped or waits, and why
 * (docs/states-and-tabs.md "Eligibility").  `s` may be NULL
 * (no kind disabled).  Reasons are short sentences for the dashboard:
 * "not invoiced yet", "customer C-1 not synced yet", "zero total",
 * "payment sync is disabled in settings", ...  A sale without a status
 * goes by its `invoiced` flag; a purchase without one is open until it has
 * a supplier invoice number or an invoice date (docs/mapping-xero.md), then billed.
 *
 * Returns BS_OK with *out filled, or BS_EINVAL (message in err, *out
 * zeroed) for facts that cannot be judged: NULL pointers, ndeps above
 * RULES_DEPS_MAX, a dependency without `what`/`id`, a payment or COGS
 * record without its document, a status or event the kind does not have.
 */
int rules_eligibility(const struct rules_facts *f, const struct rules_settings *s,
                      struct rules_decision *out, struct bs_error *err);

/* "send", "skip", "wait", "fail" (static strings). */
const char *rules_verdict_name(enum rules_verdict v);

/* ------------------------------------------------------------------ */
/* References (docs/mapping-xero.md "Numbers and references", docs/exactly-once.md) */

/*
 * The longest prefix of the UTF-8 string s[0..n) holding at most
 * `max_chars` characters (code points), never cut inside a character.
 * *nbytes gets its length in bytes, *truncated whether anything was cut.
 * Invalid UTF-8 (bad lead or continuation byte, overlong form, surrogate,
 * above U+10FFFF, a NUL byte) anywhere in s: BS_EINVAL.
 */
int rules_utf8_prefix(const char *s, size_t n, size_t max_chars, size_t *nbytes, bool *truncated);

/*
 * Append the unique document number [prefix] + serial + "-" + source_ref
 * to `out` ("WEB-" 42 "SO-1001" -> "WEB-42-SO-1001"; no prefix:
 * "42-SO-1001"; an empty source_ref gives "WEB-42").  prefix and
 * source_ref may be NULL (= "").  At most `max_chars` characters (Xero
 * InvoiceNumber: 255): when longer, the SOURCE REFERENCE is cut (at a
 * character boundary) and *truncated set; the serial, which is what makes
 * the number unique, is never cut; when not even one character of it
 * fits, the number is prefix + serial alone.  When prefix + serial do not
 * fit: BS_ETOOBIG.  Invalid UTF-8 in prefix or source_ref: BS_EINVAL.
 * buf errors are passed on.  On any error `out` is unchanged.
 */
int rules_unique_reference(struct buf *out, const char *prefix, uint64_t serial,
                           const char *source_ref, size_t max_chars, bool *truncated,
                           struct bs_error *err);

/*
 * Append a bill's number: supplier_invoice_no + " / " + purchase_ref
 * ("INV-77" "PO-2001" -> "INV-77 / PO-2001"; an empty purchase_ref gives
 * the invoice number alone), cut to `max_chars` characters (QuickBooks
 * DocNumber 21, Xero 255) at a character boundary, *truncated set when
 * cut.  A cut that would leave the " / " dangling gives the invoice
 * number alone (itself cut when longer than max_chars).  An empty
 * supplier_invoice_no is BS_EINVAL (eligibility waits for it); invalid
 * UTF-8: BS_EINVAL; max_chars 0: BS_EINVAL.  On any error `out` is
 * unchanged.  Cutting can make two bills' numbers equal: the natural key
 * is contact + number (docs/exactly-once.md), so keep max_chars at the ledger's real
 * limit.
 */
int rules_bill_number(struct buf *out, const char *supplier_invoice_no, const char *purchase_ref,
                      size_t max_chars, bool *truncated, struct bs_error *err);

/* ------------------------------------------------------------------ */
/* Purchase orders and bills (docs/states-and-tabs.md "Purchase orders and bills") */

#define RULES_ACCOUNTING_NOT_IMPORTED "Not Imported Yet Or Reset For Re-import"
#define RULES_ACCOUNTING_IMPORTED     "Imported"

/*
 * A record's Accounting Status on a target, from its sync state: Imported
 * while its document is in the ledger and no newer version waits
 * (imported, consolidated); Not Imported Yet Or Reset For Re-import
 * otherwise.  A new version (changed) counts as a reset: it is pending
 * again, and its next sync updates the document.  Static strings.
 */
const char *rules_accounting_status(enum sync_state s);

/*
 * Whether a purchase is unbilled in the sense that lets it go up as a
 * purchase order on a ledger that asks for it (po_opt_in_only): its invoice
 * date, supplier invoice number and dispatch date all empty.
 */
bool rules_purchase_unbilled(const struct rules_facts *f);

/*
 * A purchase's reference as booksync shows it, and the number its ledger
 * document gets.  A bill (bill true): supplier_invoice_no + " / " +
 * purchase_ref (rules_bill_number); a purchase order: purchase_ref.
 * `whole` gets the whole reference, `number` the same cut to max_chars
 * characters (0 = no limit) at a character boundary; *cut says whether it
 * was cut.  Either buffer may be NULL.  Errors as rules_bill_number (no
 * supplier invoice number for a bill, invalid UTF-8, an empty purchase
 * order reference: BS_EINVAL); buffers are unchanged on error.
 */
int rules_purchase_reference(bool bill, const char *supplier_invoice_no, const char *purchase_ref,
                             size_t max_chars, struct buf *whole, struct buf *number, bool *cut,
                             struct bs_error *err);

/* One document of a contact whose number may clash with another's. */
struct rules_numbered {
	const char *id;     /* the record's id */
	const char *whole;  /* its whole reference (rules_purchase_reference) */
	const char *number; /* its number in the ledger: whole cut */
	bool ahead;         /* in the ledger already, or queued for it */
};

/*
 * Whether `self`'s number is one another document of the same contact and
 * type already has or will have first: a ledger that keys such documents
 * by contact and number (docs/exactly-once.md) would take one for the
 * other.  The other goes first when it is `ahead`, or when neither is and
 * its id sorts first (the planner's order); a self that is ahead keeps
 * its number (it updates its own document).  *clash gets the index of the
 * first such other, or n when none; then `why` (may be NULL) gets a message
 * naming both records and both whole references, and what to do.
 * `what` names the document ("bill", "purchase order"), ledger_name the
 * ledger (NULL: "the ledger").  NULL arguments (others with n > 0):
 * BS_EINVAL; buf errors passed on.
 */
int rules_number_clash(const struct rules_numbered *self, const struct rules_numbered *others,
                       size_t n, size_t max_chars, const char *what, const char *ledger_name,
                       size_t *clash, struct buf *why, struct bs_error *err);

/* ------------------------------------------------------------------ */
/* Rounding correction (docs/rounding.md) */

/* One source line. */
struct rules_line {
	int64_t qty;             /* QTY_DP, any sign (returns are negative) */
	int64_t unit_price;      /* micros, up to 6 dp */
	int64_t discount_pct;    /* PCT_DP, 0..100 % */
	int64_t tax_rate;        /* PCT_DP, >= 0 */
	const char *description; /* may be NULL */
	const char *tax_code;    /* may be NULL; with RULES_TAX_PER_RATE lines group
	                            by (tax_code, tax_rate): two codes of one rate
	                            are two tax lines in the ledger */
};

/* How the target ledger computes, and what the document is. */
struct rules_rounding_in {
	const struct rules_line *lines;
	size_t nlines;
	enum money_tax_mode tax_mode;
	int currency_dp;                      /* the document currency's exponent, 0..6 */
	int ledger_unit_dp;                   /* unit prices the ledger keeps (Xero unitdp=4: 4) */
	int ledger_amount_dp;                 /* line amounts, tax, totals (Xero: 2) */
	enum money_round ledger_round;        /* the ledger's midpoint rule for those */
	bool fold_discount;                   /* credit notes: the ledger takes no discount */
	const char *rounding_account;         /* where the correction line posts (settings
	                                         account.rounding; Xero 860); required */
	enum rules_tax_rounding tax_rounding; /* per line (Xero) or per rate (QBO) */
};

/* One line as it will be sent, with what the ledger will compute for it. */
struct rules_ledger_line {
	size_t src;              /* index of the source line */
	int64_t qty;             /* QTY_DP */
	int64_t unit_amount;     /* micros, a multiple of 10^-ledger_unit_dp */
	int64_t discount_pct;    /* PCT_DP; 0 when folded or rewritten */
	int64_t line_amount;     /* the ledger's, predicted (incl. tax when inclusive) */
	int64_t tax;             /* the ledger's, predicted, when it rounds per line;
	                            per rate: the line's unrounded share is not
	                            kept, this is its tax rounded alone (info) */
	int64_t src_amount;      /* the source's line amount */
	int64_t src_tax;         /* the source's line tax */
	bool rewritten;          /* sent as quantity 1 at the source amount */
	const char *description; /* input's, or the rewritten one in the out buf */
};

struct rules_rounding_out {
	struct rules_ledger_line *lines; /* caller's array of `cap` entries */
	size_t cap;
	size_t nlines; /* set: == in->nlines */
	/* The correction line, when has_correction: description
	 * RULES_ROUNDING_DESCRIPTION, quantity 1, unit amount = line amount =
	 * `correction` (a multiple of the ledger's minor unit), no tax
	 * (the ledger's no-tax code), account `correction_account`. */
	bool has_correction;
	int64_t correction;             /* 0 when !has_correction */
	const char *correction_account; /* in->rounding_account */
	int64_t source_total;           /* Σ amounts (+ Σ tax when exclusive), at currency_dp */
	int64_t target_total;           /* source_total rounded half away to ledger_amount_dp:
	                                   == source_total unless currency_dp > ledger_amount_dp */
	int64_t ledger_total;           /* predicted, correction included: == target_total */
	int64_t ledger_tax;             /* the ledger's tax on the document, predicted:
	                                   Σ line tax, or Σ per rate of the rate's
	                                   rounded tax (RULES_TAX_PER_RATE) */
	int64_t source_tax;             /* Σ the source's line tax */
	int64_t residual;               /* source_total - target_total: what a 3-dp currency
	                                   loses at 2 dp, to report (0 otherwise) */
	int64_t first_diff;             /* D before any rewrite: predicted - target */
	size_t nrewritten;
};

/* The correction line's description. */
#define RULES_ROUNDING_DESCRIPTION "Rounding correction"

/*
 * Predict what the ledger computes from `in`'s lines and make its total
 * equal the source total (docs/rounding.md):
 *
 *   source: amount_i = qty × price × (1 − disc) at currency_dp, half away;
 *           tax_i per line, same rounding; total = Σ amount (+ Σ tax if
 *           exclusive; inclusive amounts already hold their tax).
 *   ledger: unit = price (× (1 − disc) at 6 dp, half away, when
 *           fold_discount, or when the discount has more than 2 decimals,
 *           which Xero would store rounded) rounded half away to
 *           ledger_unit_dp — we send that exact unit amount; line amount
 *           = qty × unit × (1 − disc) and tax per line at
 *           ledger_amount_dp with ledger_round.
 *           RULES_TAX_PER_RATE: the ledger's tax is instead, per
 *           (tax_code, tax_rate), the rate on Σ of its lines' amounts,
 *           rounded once at ledger_amount_dp with ledger_round (QBO's
 *           TxnTaxDetail); exclusive totals add that tax.
 *   target: the source total rounded half away to ledger_amount_dp (the
 *           source total itself unless currency_dp > ledger_amount_dp).
 *   D = ledger total − target, u = one ledger minor unit.
 *   |D| < 2u: lines as they are, correction −D.
 *   |D| >= 2u: every line whose ledger amount differs from its source
 *           amount (precisely: whose amount the rewrite would change; a
 *           3-dp line already at its 2-dp rounding is left alone) is
 *           rewritten as qty 1 at unit = the source amount, no discount,
 *           description + " (orig: QTY × PRICE[ less DISC%])"; then
 *           whatever remains is the correction.
 *
 * Inclusive mode: a line amount includes its tax, the total is Σ line
 * amounts, so making amounts agree makes totals agree; the ledger's split
 * into tax and net may still differ from the source's by a cent (reported
 * per line in tax vs src_tax, never hidden in the total).
 *
 * Invariant on BS_OK: ledger_total == target_total, and ledger_total is
 * Σ line_amount (+ ledger_tax when exclusive) + correction.  The
 * correction line carries no tax, so it moves the total and never the
 * ledger's tax.
 *
 * Rewritten descriptions are appended, NUL-separated, to `desc` (caller's,
 * may be NULL only when nothing needs rewriting — else BS_EINVAL); each
 * out line's `description` then points either at the input's string or
 * into desc, valid until desc next changes or is freed.
 *
 * A document without lines (nlines 0; lines and out->lines may then be
 * NULL) has totals 0 and no correction.
 *
 * Errors: NULL pointers, no rounding_account, cap < nlines, a dp outside
 * 0..6, ledger_unit_dp < ledger_amount_dp, a discount outside 0..100 %, a
 * negative tax rate, an unknown mode: BS_EINVAL (err names the line);
 * overflow: BS_ERANGE; buf errors are passed on.  On error *out's fields
 * are unspecified and desc is back to its length on entry.
 */
int rules_rounding(const struct rules_rounding_in *in, struct rules_rounding_out *out,
                   struct buf *desc, struct bs_error *err);

/*
 * After posting: the ledger returned `ledger_total` for a document whose
 * source total is `source_total` (at currency_dp).  *delta = what to ADD
 * to the correction line (creating it when there was none) so the ledger
 * total becomes the source total rounded half away to ledger_amount_dp;
 * 0 when they already agree.  A ledger_total that is not a multiple of
 * the ledger's minor unit, or dp outside 0..6: BS_EINVAL; overflow BS_ERANGE.
 */
int rules_rounding_posthoc(int64_t ledger_total, int64_t source_total, int ledger_amount_dp,
                           int64_t *delta);

/* What a posted document's rounding line must become (rules_rounding_recheck). */
struct rules_rounding_fix {
	bool needed;             /* false: the totals agree */
	bool add_line;           /* the document has no rounding line: add one */
	int64_t unit_amount;     /* the line's unit amount = its amount (quantity 1), micros */
	const char *description; /* RULES_ROUNDING_DESCRIPTION */
	const char *account;     /* the rounding account given */
	const char *tax_code;    /* the ledger's no-tax code given */
};

/*
 * The after-posting check and its correction, in one place for the
 * dispatcher (docs/rounding.md "After posting"): the ledger answered
 * `ledger_total` for a document of `source_total` whose rounding line has
 * unit amount `line_unit` (has_line; 0 and false when it has none).  When
 * they differ at the ledger's `amount_dp`, *fix says the line's new unit
 * amount (line_unit + rules_rounding_posthoc's delta) and, for a new line,
 * its description, account and tax code (`tax_none`: the connector's caps).
 * Errors as rules_rounding_posthoc: BS_EINVAL a ledger total finer than
 * amount_dp (it cannot be corrected by a line), BS_ERANGE overflow.
 */
int rules_rounding_recheck(int64_t ledger_total, int64_t source_total, int amount_dp, bool has_line,
                           int64_t line_unit, const char *account, const char *tax_none,
                           struct rules_rounding_fix *fix);

/* ------------------------------------------------------------------ */
/* Foreign-currency journals and CurrencyRate (docs/mapping-xero.md "Currency") */

/*
 * Convert journal lines (signed micros: + debit, − credit, summing to
 * zero) at `fx` (base units per document unit, FX_DP) to base currency at
 * base_dp decimals: out[i] (caller's, n entries).  Debits and credits are
 * each converted as a whole (half away) and spread over their lines by
 * largest remainder of each line's exact conversion (ties to the earlier
 * line, as money_allocate; computed in place, no scratch array), so every
 * line is within one minor unit of its exact conversion, signs are kept,
 * a zero line stays zero, and Σ out == 0.
 * Unbalanced lines, n 0, NULL: BS_EINVAL (err says by how much); fx <= 0
 * or overflow: BS_ERANGE.  out[] is written only on success.
 */
int rules_journal_to_base(const int64_t *amounts, size_t n, int64_t fx, int base_dp, int64_t *out,
                          struct bs_error *err);

struct rules_currency_rate {
	int64_t rate;        /* Xero CurrencyRate = 1 / fx at 6 dp (half away), micros */
	int64_t base_exact;  /* total × fx at base_dp (half away): what the source means */
	int64_t base_ledger; /* total ÷ rate at base_dp (half away): what the ledger books */
	int64_t residual;    /* base_ledger − base_exact, to report (not hidden) */
};

/*
 * The CurrencyRate to send for a document of `total` (micros, document
 * currency) at `fx`, and the base-currency residual the 6-dp rate leaves.
 * fx <= 0, or a rate that rounds to 0 at 6 dp (fx > 2,000,000): BS_ERANGE;
 * base_dp outside 0..6 or out NULL: BS_EINVAL.
 */
int rules_currency_rate(int64_t fx, int64_t total, int base_dp, struct rules_currency_rate *out);

/* ------------------------------------------------------------------ */
/* Tax codes and accounts (docs/mapping-xero.md "Tax codes", "Accounts") */

enum rules_direction {
	RULES_SALES,
	RULES_PURCHASES,
};

/* The setting naming a code for 0% lines other than the ledger's no-tax
 * code (zero-rated exports). */
#define RULES_TAX_ZERO_KEY "tax.zero_code"

/* A tax rate as read from the ledger on connect. */
struct rules_tax_rate {
	const char *code; /* "OUTPUT2" */
	const char *name; /* "15% GST on Income"; may be NULL */
	int64_t rate;     /* PCT_DP */
	bool sales, purchases, active;
};

/* A settings override: tax.<sales|purchases>.<rate> = code. */
struct rules_tax_override {
	int64_t rate;
	enum rules_direction dir;
	const char *code;
};

/*
 * The ledger tax code for a line taxed at `rate` in direction `dir`.
 * 1. an override for (rate, dir) wins (the first one listed); it must
 *    name an active ledger rate of the same percentage usable in that
 *    direction, else BS_EINVAL naming the setting ("tax.sales.15");
 * 2. rate 0: `zero_code` (setting RULES_TAX_ZERO_KEY) if non-empty —
 *    checked like an override — else `none_code` (the ledger's built-in
 *    no-tax code, rules_ledger.tax_none: not looked up);
 * 3. exactly one active rate of that percentage usable in `dir`: its code;
 *    several: BS_ECONFLICT "15% on sales: OUTPUT2 or OUTPUT3 — set
 *    tax.sales.15 to choose"; none: BS_ENOTFOUND naming the rate and the
 *    setting.
 * *code points into rates[]/overrides[]/zero_code/none_code: valid as
 * long as those are.  Negative rate, NULL code, an empty none_code, NULL
 * arrays with a nonzero count: BS_EINVAL.
 */
int rules_tax_code(int64_t rate, enum rules_direction dir, const struct rules_tax_rate *rates,
                   size_t nrates, const struct rules_tax_override *overrides, size_t noverrides,
                   const char *zero_code, const char *none_code, const char **code,
                   struct bs_error *err);

/* Everything a line's tax code is chosen from. */
struct rules_tax_ctx {
	const struct rules_ledger *ledger;
	const struct rules_tax_rate *rates; /* the ledger's, read on connect; none before */
	size_t nrates;
	const struct rules_tax_override *overrides; /* settings tax.<sales|purchases>.<rate> */
	size_t noverrides;
	const char *zero_code; /* setting RULES_TAX_ZERO_KEY; NULL or "" when unset */
};

/*
 * The tax code of a line taxed at `rate` in `dir` (docs/mapping-xero.md "Tax codes").
 * Before the ledger's tax rates are known (nrates 0) there is nothing to
 * check a code against: the first override for (rate, dir) as it stands,
 * else ledger->tax_none for 0 %, else ledger->tax_sales or tax_purchases
 * (the codes a new organisation of that ledger has).  Once they are
 * known: rules_tax_code, with ledger->tax_none as the no-tax code.
 * *code points into ctx's strings.  NULL ctx, ledger or code, or a
 * ledger without those codes: BS_EINVAL; otherwise as rules_tax_code.
 */
int rules_tax_choose(const struct rules_tax_ctx *ctx, int64_t rate, enum rules_direction dir,
                     const char **code, struct bs_error *err);

/* An account of the ledger's chart. */
struct rules_account {
	const char *code;
	const char *name; /* may be NULL */
	bool active;      /* false: archived */
};

/* Where a line's account may come from, most specific first.  NULL or ""
 * means "not given". */
struct rules_account_sources {
	const char *line;              /* the line's own `account` */
	const char *product_sales;     /* its product's sales_account */
	const char *product_purchases; /* its product's purchase_account */
	const char *fallback;          /* the settings default for this use */
	const char *fallback_key;      /* that setting's name, for messages */
};

/*
 * The account code for a line: the line's, else the product's for `dir`,
 * else the settings default.  It must be an active code of `chart`: an
 * unknown code is BS_ENOTFOUND "account 201 (from the line) is not in the
 * ledger's chart; nearby: 200 Sales, 260 Other Revenue, 310 Cost of Goods
 * Sold" (up to 3 active codes: numeric codes by numeric distance, others
 * by the longest shared prefix; ties in chart order); an archived one
 * BS_EINVAL "account 200 (from the line) is archived in the ledger"; none
 * given anywhere BS_ENOTFOUND naming fallback_key.  Codes compare exactly
 * (case-sensitive).  *code points at the chart's string.  NULL src or
 * code, or chart NULL with nchart > 0: BS_EINVAL.
 */
int rules_account_code(const struct rules_account_sources *src, enum rules_direction dir,
                       const struct rules_account *chart, size_t nchart, const char **code,
                       struct bs_error *err);

/* ------------------------------------------------------------------ */
/* Store credits (README "Decisions") */

/* One store credit event of a customer (docs/records.md store_credit). */
struct rules_credit_event {
	const char *id;
	const char *date; /* "YYYY-MM-DD" ("" when the record has none), compared as text */
	bool issued;      /* an issued credit; anything else draws on credits (used, refunded) */
	int64_t amount;   /* micros */
};

/* A part of a draw: `amount` taken from the issued credit `issued`. */
struct rules_credit_draw {
	const char *issued; /* that credit's id: events[].id */
	int64_t amount;
};

/*
 * Which issued credits the draw `id` takes from.  docs/records.md does not
 * link a use or refund to a credit, so: first in first out over the
 * customer's events (all of them, `events`, sorted here in place by date,
 * credits before draws of the same date, then id), each draw taking from
 * the oldest credits issued on or before its date that still hold
 * something, split over several when one is not enough.  What they do not
 * cover is the draw's shortfall and changes nothing else: a credit issued
 * later still covers the draws after it.
 *
 * draws[0..cap) receive the pieces of `id`'s draw in order; *ndraws is how
 * many pieces it takes (more than cap when they do not all fit: the rest
 * are taken from their credits but not listed); *shortfall is what no
 * issued credit covers.  An id that is not a draw among `events`: no
 * pieces, no shortfall.  draws[].issued points at events[].id.  NULL
 * pointers (events or draws with a count), an event without id or date:
 * BS_EINVAL.
 */
int rules_store_credit_fifo(struct rules_credit_event *events, size_t n, const char *id,
                            struct rules_credit_draw *draws, size_t cap, size_t *ndraws,
                            int64_t *shortfall, struct bs_error *err);

/* ------------------------------------------------------------------ */
/* Period lock */

/*
 * BS_OK when `date` ("YYYY-MM-DD") is after `lock_date`, or lock_date is
 * NULL or "" (no lock).  On or before it: BS_ESTATE "dated 2026-09-30, on
 * or before the period lock date 2026-09-30".  A date not of the form
 * YYYY-MM-DD with a real month and day: BS_EINVAL.
 */
int rules_date_lock(const char *date, const char *lock_date, struct bs_error *err);

#endif
