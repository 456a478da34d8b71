/*
 * consolidate.h - consolidation: many source documents into one ledger
 * document per channel and day or month (docs/consolidation.md).
 *
 * High-volume shops cannot afford one ledger call per order (Xero allows
 * 5,000 calls a day), so sales, credit notes, COGS and payments of a
 * channel, and optionally journals and money tasks, are summed into one
 * document per key and period.  This module is the rules alone: what
 * consolidates, under which key, when its period has ended, what the
 * document is called, how its lines are grouped and split, and at what
 * exchange rate -- pure functions over plain structs, no I/O, no clock
 * (today comes in as text), no globals.  The planner (src/sync/plan)
 * calls them.
 *
 * Money is int64 micros (core/money.h); exchange rates FX_DP fixed point,
 * base currency per unit of the document currency.
 */
#ifndef BS_CONSOLIDATE_CONSOLIDATE_H
#define BS_CONSOLIDATE_CONSOLIDATE_H

#include "core/buf.h"
#include "core/error.h"
#include "core/money.h"
#include "model/record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONS_MAX_LINES   500 /* lines per consolidated document */
#define CONS_CONTACT     "booksync sales consolidation"
#define CONS_QBO_DOC_MAX 21 /* QBO's DocNumber */
#define CONS_CHANNEL_MAX 128
#define CONS_KEYSTR_MAX  64

/* How a channel's transactions of one type go to the ledger. */
enum cons_mode {
	CONS_NO_SYNC,    /* not sent: history shows Skipped */
	CONS_INDIVIDUAL, /* one ledger document each (the default) */
	CONS_DAILY,      /* one per day, when the sync runs */
	CONS_MONTHLY,    /* one per month, after the month has ended */
};

enum cons_grouping {
	CONS_BY_ACCOUNT,  /* one line per account and tax rate */
	CONS_BY_SKU,      /* one per product/service SKU; each charge its own */
	CONS_BY_CATEGORY, /* one per product category; charges apart */
	CONS_BY_TRACKING, /* one per tracking option; untracked: All sales - ... */
};

/* The kinds of consolidated document (one key space each). */
enum cons_doc {
	CONS_DOC_NONE,        /* never consolidated, or individual */
	CONS_DOC_SALE,        /* sales invoice */
	CONS_DOC_CREDIT,      /* sales credit note */
	CONS_DOC_COGS_SALE,   /* COGS journal of invoices */
	CONS_DOC_COGS_CREDIT, /* COGS journal of credit notes */
	CONS_DOC_PAYMENT,     /* sale invoice payments (customer credit used counts) */
	CONS_DOC_REFUND,      /* sale credit note refunds */
	CONS_DOC_JOURNAL,     /* other journals */
	CONS_DOC_RECEIVE,     /* receive money tasks (credits from refunds, prepayments) */
	CONS_DOC_SPEND,       /* spend money tasks */
	CONS_DOC_COUNT
};

/* "sale invoice", "COGS (invoice)", ... as the consolidated listing shows. */
const char *cons_doc_label(enum cons_doc d);

/* Parse "no-sync|individual|daily|monthly" (and "none" = individual, the
 * journals' and money tasks' word).  BS_EINVAL otherwise. */
int cons_mode_parse(const char *s, enum cons_mode *out);
const char *cons_mode_name(enum cons_mode m);
int cons_grouping_parse(const char *s, enum cons_grouping *out);

/*
 * A channel as settings name it: "*" or "<type>(<name>)" -- a type of
 * letters, digits, '-', '_', ' ', '.', then a name in parentheses of at
 * most 100 bytes, no control characters nor parentheses.  s[0..n).
 * BS_OK or BS_EINVAL.
 */
int cons_channel_check(const char *s, size_t n);

/* "<type>(<name>)" for a record's channel into out (reset first). */
int cons_channel_spec(const char *type, const char *name, struct buf *out);

/*
 * A channel's payment period may not be longer than its invoices'
 * (individual < daily < monthly; no-sync on either side is no period).
 * BS_EINVAL with a message naming the channel otherwise; unparseable modes
 * are BS_EINVAL too.
 */
int cons_check_periods(const char *channel, const char *invoices, const char *payments,
                       struct bs_error *err);

/* ---- dates ------------------------------------------------------------ */

/* BS_OK when s is a real calendar date "YYYY-MM-DD". */
int cons_date_check(const char *s);

/* A fixed offset: "UTC"/"Z" (0), "+HH:MM"/"-HH:MM" (at most 14:00), in
 * minutes east into *minutes (may be NULL).  BS_EINVAL for anything else
 * (an IANA name is the caller's to resolve). */
int cons_tz_offset(const char *tz, int *minutes);

/* The date at `now_ms` (Unix ms) shifted by `offset_min`: "YYYY-MM-DD". */
int cons_today(int64_t now_ms, int offset_min, char out[11]);

/* The period of `date` under m: "YYYY-MM-DD" (daily), "YYYY-MM" (monthly);
 * other modes BS_EINVAL. */
int cons_period(enum cons_mode m, const char *date, char out[11]);

/*
 * Whether a period may be posted on `today`: a day once it has come (the
 * daily document is built when the sync runs that day; what arrives later
 * goes into the next number), a month only after its last day.  A period
 * in the future, or malformed input, is not ended.
 */
bool cons_period_ended(enum cons_mode m, const char *period, const char *today);

/* ---- members and keys --------------------------------------------------- */

/* What consolidation needs of one source record (strings borrowed). */
struct cons_member {
	enum record_kind kind;
	const char *id;
	const char *date;     /* "YYYY-MM-DD" */
	const char *currency; /* resolved: never "" */
	enum money_tax_mode tax_mode;
	const char *store;         /* sale / credit note; NULL = none */
	const char *channel;       /* "<type>(<name>)" of its sale; NULL = none */
	const char *account;       /* payment: bank/clearing account */
	const char *bank;          /* money task: bank account code */
	bool supplier;             /* credit note, payment, money task, credit of a supplier */
	bool on_credit_note;       /* payment (refund) or COGS of a credit note */
	bool receive;              /* money task: receive (else spend) */
	const char *credit_event;  /* store credit: "issued" | "used" | "refunded" */
	const char *credit_origin; /* store credit: "refund" | "prepayment" | "other" */
	/* store credit used or refunded: every issued credit it draws on went
	 * into a consolidated money task (so no credit note of it is in the
	 * ledger: it is drawn from the customer credit account) */
	bool credit_drawn_cons;
};

/* A channel's modes. */
struct cons_channel {
	char spec[CONS_CHANNEL_MAX]; /* "<type>(<name>)" */
	enum cons_mode invoices, cogs, payments;
};

/* The consolidation settings, read once per run. */
struct cons_config {
	bool enabled;
	enum cons_grouping grouping;
	bool customer_contacts;
	enum cons_mode journals, money_tasks; /* individual, daily or monthly */
	bool mt_receive, mt_spend;            /* money_task_type */
	struct cons_channel def;              /* consolidation.channel.*.<txn> */
	const struct cons_channel *channels;  /* the ones set, borrowed */
	size_t nchannels;
};

/* Defaults: disabled, by account, contacts on, everything individual. */
void cons_config_default(struct cons_config *c);

/*
 * Which consolidated document a member goes into (CONS_DOC_NONE: never --
 * purchases, supplier credit notes, bill payments, supplier deposits,
 * products and contacts) and under which mode, from `c`.  A disabled
 * config gives CONS_INDIVIDUAL for everything; kinds that are never
 * consolidated give CONS_INDIVIDUAL and CONS_DOC_NONE.
 */
void cons_classify(const struct cons_config *c, const struct cons_member *m, enum cons_doc *doc,
                   enum cons_mode *mode);

/* The key members of one document share. */
struct cons_key {
	enum cons_doc doc;
	enum cons_mode mode;
	char period[11];
	char channel[CONS_CHANNEL_MAX]; /* sales, credits, COGS, payments */
	char currency[4];               /* all but COGS */
	enum money_tax_mode tax_mode;   /* sales, credits, money tasks */
	char store[CONS_KEYSTR_MAX];    /* sales, credits */
	char account[CONS_KEYSTR_MAX];  /* payments, refunds: the account; money tasks: the bank */
};

/*
 * The key of `m` for document `doc` under `mode` (daily or monthly):
 * invoices and credit notes by period, currency, tax mode and store; COGS
 * by period; payments by period, currency and account; journals by
 * currency and period; money tasks by bank account, period and tax mode.
 * Every document is also per channel where it has one (names carry it).
 * BS_EINVAL (message) for a bad date or a field too long.
 */
int cons_key_of(const struct cons_member *m, enum cons_doc doc, enum cons_mode mode,
                struct cons_key *out, struct bs_error *err);

/* Total order on keys (0: same document). */
int cons_key_cmp(const struct cons_key *a, const struct cons_key *b);

/* The key as one text (store index, listing): fields joined by '|'. */
int cons_key_text(const struct cons_key *k, struct buf *out);

/* ---- names, numbers, splitting ---------------------------------------- */

/*
 * The document's name, "SO-<YYYY/MM/DD or YYYY/MM>-<Type>(<Name>)-<N>"
 * ("SO-2019/04/26-Shopify(MyShop)-1"); documents without a channel
 * (journals, money tasks) use "JN-<period>-<currency>-<N>" and
 * "MT-<period>-<bank>-<N>".  out is reset first.  n >= 1.
 */
int cons_name(const struct cons_key *k, unsigned n, struct buf *out);

/*
 * The same in at most CONS_QBO_DOC_MAX characters for QBO's DocNumber:
 * "<P><YYMMDD or YYMM>-<H6>-<N>", P the document's letter (S sale, C
 * credit, G COGS, P payment, R refund, J journal, M money task), H6 six
 * base-32 characters of a hash of the key's other fields (channel,
 * currency, store, ...), N the number.  The full name goes in the
 * document's PrivateNote.  BS_ERANGE when N does not fit.
 */
int cons_short_name(const struct cons_key *k, unsigned n, struct buf *out);

/* The next number for a key: one past the highest used (1 when none). */
unsigned cons_next_number(const unsigned *used, size_t n);

/*
 * Split nlines into documents of at most max lines each (max 0:
 * CONS_MAX_LINES): sizes[i] for i < return value, filled in order (510 ->
 * 500, 10).  Returns the number of documents (0 for nlines 0) or, when
 * `cap` is too small, the number needed with sizes untouched beyond cap.
 */
size_t cons_split(size_t nlines, size_t max, size_t *sizes, size_t cap);

/*
 * A consolidated journal over more than `max` lines (0: CONS_MAX_LINES)
 * in balanced parts: part k holds lines [first, first + count) of
 * `amounts` (signed: debit positive) and, when not zero, a carry-in line
 * of carry_in and a carry-out line of carry_out on a clearing account,
 * so that carry_in + Σ lines + carry_out = 0 in every part; a part's
 * carry-out is minus the next part's carry-in, so the clearing account
 * nets to zero over the parts.  At most max lines a part, carries
 * included.  Returns the number of parts (0 for n 0; the count needed
 * when cap is short, parts filled up to cap).  *status: BS_OK, BS_EINVAL
 * when the amounts do not balance or max < 3, BS_ERANGE on overflow.
 */
struct cons_jpart {
	size_t first, count;
	int64_t carry_in, carry_out;
};
size_t cons_split_journal(const int64_t *amounts, size_t n, size_t max, struct cons_jpart *parts,
                          size_t cap, int *status);

/*
 * A payment of `amount` over the n parts of the document it pays, in
 * part order: each part takes at most what is still due on it (due[i];
 * negative counts as 0), and whatever is left after the last part (an
 * overpayment) goes on the last part too.  out[i] sum to amount.
 * BS_EINVAL for n 0 or a negative amount.
 */
int cons_alloc_parts(int64_t amount, const int64_t *due, size_t n, int64_t *out);

/* ---- grouping lines ----------------------------------------------------- */

/* One member line (strings borrowed). */
struct cons_line_in {
	const char *sku; /* NULL: an additional charge (shipping, fees) */
	const char *description;
	const char *account;  /* resolved sales account */
	const char *category; /* product category, NULL = none */
	const char *tracking; /* "Category=Option", NULL = untracked */
	bool service;         /* a service product */
	int64_t tax_rate;     /* PCT_DP */
	int64_t amount;       /* micros, as posted on the member */
	int64_t tax;          /* micros */
};

/* One consolidated line. */
struct cons_line_out {
	char group[CONS_KEYSTR_MAX * 2]; /* what the lines share */
	char description[CONS_KEYSTR_MAX * 2];
	char account[CONS_KEYSTR_MAX];
	char sku[CONS_KEYSTR_MAX];      /* "" when the line carries no item */
	char tracking[CONS_KEYSTR_MAX]; /* "" when none */
	int64_t tax_rate;
	int64_t amount, tax; /* sums, micros */
	size_t members;      /* input lines summed */
};

/*
 * Group lines by g (consolidate.h's enum): the same group, account and tax
 * rate sum into one line (a line has one tax code).  By account the line
 * is qty 1 at the total; by SKU each additional charge keeps its own line
 * (its description stands for the SKU); by category charges go on one
 * "Additional charges" line; by tracking, untracked lines go to "All sales
 * - Products" / "All sales - Services".  *out (malloc'd, the caller
 * frees) is sorted by group, account, rate; Σ amounts and taxes out equal
 * Σ in exactly.  BS_ERANGE on overflow, BS_ENOMEM.
 */
int cons_group(enum cons_grouping g, const struct cons_line_in *in, size_t n,
               struct cons_line_out **out, size_t *nout, struct bs_error *err);

/*
 * Fold `add` (grouped lines, e.g. one member's) into *acc (*n used, *cap
 * allocated; malloc'd, the caller frees): a line of the same group,
 * account and rate adds to the one there, any other is appended, so *acc
 * stays what cons_group would give for all the lines at once (in
 * first-seen order).  BS_ERANGE on overflow (acc unchanged for that
 * line), BS_ENOMEM.
 */
int cons_merge(struct cons_line_out **acc, size_t *n, size_t *cap, const struct cons_line_out *add,
               size_t nadd, struct bs_error *err);

/* ---- exchange rates ------------------------------------------------------ */

struct cons_fx_in {
	int64_t amount; /* document currency, micros (> 0) */
	int64_t fx;     /* its own rate, FX_DP (> 0) */
};

struct cons_fx_out {
	int64_t amount;       /* Σ amount_i */
	int64_t base_members; /* Σ round(amount_i × fx_i, base dp): as posted individually */
	int64_t rate;         /* round(base_members / amount, FX_DP): the average */
	int64_t base_doc;     /* round(amount × rate, base dp): the document's base value */
	int64_t residual;     /* base_members − base_doc: posted, never dropped */
};

/*
 * The amount-weighted average rate of a period's members:
 *   rate = round_half_away( Σ round(a_i × r_i) / Σ a_i , 10 significant digits )
 * (at most FX_DP decimals: 10 significant digits is what a record's
 * fx_rate may hold)
 * -- the rate at which the consolidated document's base value comes
 * closest to the sum of the members' base values, so base totals tie out
 * to the cent once `residual` is posted beside it.  base_dp is the base
 * currency's decimals.  Σ a_i <= 0 or a rate <= 0: BS_EINVAL; overflow
 * BS_ERANGE.
 */
int cons_avg_rate(const struct cons_fx_in *in, size_t n, int base_dp, struct cons_fx_out *out,
                  struct bs_error *err);

/* ---- locking ------------------------------------------------------------- */

/*
 * Whether a changed member of a posted consolidated document may be taken:
 * only its memo/reference/notes may change (a new payment is a record of
 * its own).  Lines, amounts, tax, date, currency, tax mode, contact,
 * store, channel: BS_ESTATE with a message naming the member and `doc_name`.
 */
int cons_lock_check(const struct record_doc *old, const struct record_doc *cur,
                    const char *doc_name, struct bs_error *err);

#endif
