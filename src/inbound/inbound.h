/*
 * inbound.h - payments that come back from the ledger (docs/inbound.md).
 *
 * Two layers.  The matcher (inbound_match.c) is pure: one ledger payment
 * and the open invoices booksync knows for that customer in, a decision and
 * its reason out; no I/O, no clock.  The run (inbound_run.c) reads the
 * payments the ledger changed since the target's high-water mark, page by
 * page, asks the matcher about each, and records every decision, the
 * payments it applies, their events and the new mark in one store
 * transaction per page.
 */
#ifndef BS_INBOUND_INBOUND_H
#define BS_INBOUND_INBOUND_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* What becomes of a ledger payment. */
enum inbound_verdict {
	INBOUND_APPLY,   /* import it and apply it to candidates[invoice] */
	INBOUND_SKIP,    /* list it for a person to reconcile (reason says why) */
	INBOUND_IGNORE,  /* nothing to do: booksync's own, or decided before */
	INBOUND_REVERSE, /* applied before, deleted in the ledger since: undo it */
};

/* Why; INBOUND_R_NONE with INBOUND_APPLY. */
enum inbound_reason {
	INBOUND_R_NONE,
	INBOUND_R_OURS,             /* booksync posted it (a link names it): ignore */
	INBOUND_R_ALREADY,          /* imported before: ignore */
	INBOUND_R_FAILED_BEFORE,    /* its import failed before: never retried */
	INBOUND_R_DELETED,          /* voided or deleted in the ledger */
	INBOUND_R_BAD_AMOUNT,       /* zero or negative (a refund is not a payment in) */
	INBOUND_R_UNKNOWN_CUSTOMER, /* its contact is not one of booksync's customers */
	INBOUND_R_NO_OPEN_INVOICE,  /* the customer has no open invoice */
	INBOUND_R_NOT_OURS_INVOICE, /* it names an invoice booksync did not post or that is
	                               not open */
	INBOUND_R_CURRENCY,         /* open invoices only in another currency */
	INBOUND_R_PARTIAL,          /* less than the open balance */
	INBOUND_R_OVERPAYMENT,      /* more than the open balance */
	INBOUND_R_NO_MATCH,         /* unapplied, and no open invoice has that balance */
	INBOUND_R_AMBIGUOUS,        /* two or more open invoices have that balance */
	INBOUND_R_COUNT
};

/* "partial", "overpayment", ... (stable: stored and shown). */
const char *inbound_reason_name(enum inbound_reason r);

/* One payment as the ledger holds it, with what the store says of it.
 * Strings are borrowed; "" (never NULL) when absent. */
struct inbound_payment {
	const char *ledger_id;  /* the ledger's payment id */
	const char *customer;   /* booksync's customer id of its contact; "" unknown */
	const char *currency;   /* ISO 4217; "" = the organisation's base */
	int64_t amount;         /* micros */
	const char *invoice_id; /* the ledger invoice it names; "" when unapplied (QBO) */
	bool ours;              /* booksync posted it (a Payment link has this id) */
	bool imported;          /* the store already recorded it applied, skipped or reversed */
	bool applied_before;    /* ... and applied (still counted in its sale's balance) */
	bool failed_before;     /* the store recorded a failed import of it */
	bool deleted;           /* the ledger says voided / deleted */
};

/* One open invoice of booksync's: a sale it posted to the ledger. */
struct inbound_invoice {
	const char *sale_id;   /* booksync's sale id */
	const char *ledger_id; /* the ledger's invoice id (from the link) */
	const char *customer;  /* booksync's customer id */
	const char *currency;
	int64_t balance; /* open balance, micros: the sale's total less the source's
	                    payments and the payments imported to it (docs/inbound.md) */
};

struct inbound_decision {
	enum inbound_verdict verdict;
	enum inbound_reason reason;
	size_t invoice; /* with INBOUND_APPLY: index into the candidates */
};

/*
 * Decide about payment p given the open invoices cand[0..n) (any customer's:
 * the matcher keeps those of p's customer with a positive balance).  The
 * rule (docs/inbound.md "The rule"): apply only when exactly one open
 * invoice of the customer, in the payment's currency, has an open balance
 * equal to the amount and, when the payment names an invoice, it is that
 * one.  Pure; never fails.
 */
void inbound_match(const struct inbound_payment *p, const struct inbound_invoice *cand, size_t n,
                   struct inbound_decision *out);

/* ------------------------------------------------------------------ */
/* The run (inbound_run.c) */

struct session;

/* What a run did. */
struct inbound_result {
	int64_t pages;    /* pages read (each committed with its mark) */
	int64_t read;     /* payments read */
	int64_t applied;  /* imported and applied */
	int64_t skipped;  /* listed for a person */
	int64_t failed;   /* whose import failed (recorded, never retried) */
	int64_t ignored;  /* booksync's own, not a customer's, or decided before */
	int64_t reversed; /* applied before, deleted in the ledger since */
	bool done;        /* the pass reached its end (the ledger has no more) */
};

/*
 * One pass over what the ledger changed since s's target's high-water mark,
 * through s (paced, counted: session.h), until a page is not full or
 * max_pages pages were read (0: no bound).  Each page is one store
 * transaction: its decisions (store_inbound.h), the payment.applied events
 * of what it applied (events_emit) and the mark after it, so a process
 * killed mid-run loses at most the page it was on, which the next run reads
 * again.  The last page's transaction also unsets `inbound.due:<target>`.
 * A payment whose import fails (its event refused) is recorded failed and
 * the run goes on.  Errors: a call's (session_get's: BS_ELIMIT, BS_ENET,
 * BS_EAUTH, BS_EPROTO), BS_EUNSUPPORTED for a ledger without payment
 * reads, the store's; the pages committed before stay.
 */
int inbound_run(struct session *s, int64_t (*now_ms)(void), int64_t max_pages,
                struct inbound_result *res, struct bs_error *err);

/*
 * A whole run of target as `booksync inbound --once` and serve's scheduler
 * make it: take the target's sync lock (synclock.h: a sync and an inbound
 * run of one target share its token, so one at a time), open its session
 * (db_path: the store's, for the key file), then inbound_run page by page,
 * renewing the lock and the token between pages.  max_pages as
 * inbound_run.  Errors: synclock_take's BS_EBUSY, session_open's, the
 * run's.
 */
int inbound_run_target(struct store *st, const char *db_path, const char *target,
                       int64_t (*now_ms)(void), int64_t max_pages, struct inbound_result *res,
                       struct bs_error *err);

/* The settings key an early run of target is asked by: "inbound.due:<target>"
 * into out[cap] (webhooks set it to a time in ms; inbound_due reads it). */
void inbound_due_key(const char *target, char *out, size_t cap);

/* Whether target's early run is asked for and due at now_ms (the setting
 * holds a time <= now_ms).  A missing or unreadable setting: false. */
bool inbound_due(struct store *st, const char *target, int64_t now_ms);

#endif
