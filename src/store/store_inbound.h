/*
 * store_inbound.h - what the store keeps of payments imported from the
 * ledger (docs/inbound.md): one row per ledger payment decided about, the
 * high-water mark of each target's reads, and the reads the matcher needs
 * (booksync's open invoices of a customer, links by ledger id).
 *
 * Every function is one transaction or joins the caller's (store_begin):
 * the inbound run writes a page's rows, events and mark in one.  Errors as
 * store.h; BS_ENOTFOUND without a message where said.
 */
#ifndef BS_STORE_STORE_INBOUND_H
#define BS_STORE_STORE_INBOUND_H

#include "core/error.h"
#include "model/record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct buf;

#define STORE_INBOUND_ID_MAX 64

/* A payment decided about.  Strings NUL-terminated, owned by the row. */
struct store_inbound_row {
	char target[128];
	char ledger_id[STORE_INBOUND_ID_MAX];
	char state[12]; /* "applied", "skipped", "failed" */
	char reason[128];
	char contact[STORE_INBOUND_ID_MAX];
	char customer[128];
	char invoice[STORE_INBOUND_ID_MAX];
	char sale[128];
	char currency[8];
	int64_t amount; /* micros */
	char date[16];
	int64_t updated_ms; /* the ledger's change time */
	char event[48];     /* the payment.applied event, "" when none */
	int64_t decided_ms;
};

/* The row of target's ledger payment ledger_id into *out; BS_ENOTFOUND
 * (no message) when booksync never decided about it. */
int store_inbound_get(struct store *st, const char *target, const char *ledger_id,
                      struct store_inbound_row *out, struct bs_error *err);

/* Record a decision (BS_ECONFLICT when that payment has a row: a decision
 * is never made twice).  state must be applied, skipped or failed
 * (BS_EINVAL otherwise). */
int store_inbound_add(struct store *st, const struct store_inbound_row *row, struct bs_error *err);

/* An applied payment the ledger has since deleted (docs/inbound.md "Deleted
 * after it was applied"): its row becomes `reversed` with reason, the
 * payment.reversed event's id and decided_ms; the sale's open balance no
 * longer counts it.  BS_ENOTFOUND when the row is not applied. */
int store_inbound_reverse(struct store *st, const char *target, const char *ledger_id,
                          const char *reason, const char *event, int64_t decided_ms,
                          struct bs_error *err);

/* A skipped or failed payment a person has reconciled by hand in the
 * ledger (docs/inbound.md "Reconciled by hand"): its row becomes
 * `reconciled`, reason `note` ("reconciled by <who>"), decided_ms; it
 * leaves the list to reconcile and the 24-hour flag.  BS_ENOTFOUND when
 * the row is not skipped or failed. */
int store_inbound_reconcile(struct store *st, const char *target, const char *ledger_id,
                            const char *note, int64_t decided_ms, struct bs_error *err);

/* Walk target's rows ("" or NULL: every target) in state ("" or NULL: any),
 * oldest decision first.  Callback as store.h's walks. */
typedef int (*store_inbound_cb)(void *arg, const struct store_inbound_row *row);
int store_inbound_each(struct store *st, const char *target, const char *state, store_inbound_cb cb,
                       void *arg, struct bs_error *err);

/* A row's place in store_inbound_page's order: decided_ms, target,
 * ledger_id.  Strings are the caller's. */
struct store_inbound_key {
	int64_t decided_ms;
	const char *target;
	const char *ledger_id;
};

/* Whether `state` is one store_inbound_page filters by: a decision
 * (applied, skipped, failed, reversed, reconciled) or "unapplied". */
bool store_inbound_filter_ok(const char *state);

/* Whether row waits for a person (skipped or failed: the list to
 * reconcile) and was decided before before_ms: the 24-hour flag. */
bool store_inbound_overdue(const struct store_inbound_row *row, int64_t before_ms);

/*
 * One page of target's rows ("" or NULL: every target) in `state`
 * (a decision; "unapplied" for skipped or failed; "" or NULL for any;
 * anything else, see store_inbound_filter_ok, BS_EINVAL), oldest decision first (decided_ms,
 * target, ledger_id: the order store_inbound_each walks), strictly after
 * `after` (NULL for the first page), at most `limit` rows.  Pages follow a
 * key, never an offset.  Callback as store_inbound_each.
 */
int store_inbound_page(struct store *st, const char *target, const char *state,
                       const struct store_inbound_key *after, size_t limit, store_inbound_cb cb,
                       void *arg, struct bs_error *err);

/* Counts for target ("" or NULL: all): applied, skipped, failed, and how
 * many skipped or failed were decided before overdue_before_ms (the 24-hour
 * flag: unapplied for longer). */
struct store_inbound_counts {
	int64_t applied, skipped, failed, reversed, reconciled;
	int64_t overdue; /* skipped or failed, decided before overdue_before_ms */
};
int store_inbound_count(struct store *st, const char *target, int64_t overdue_before_ms,
                        struct store_inbound_counts *out, struct bs_error *err);

/* target's high-water mark: read what the ledger changed after *since_ms,
 * from page *page of that pass.  A target never read: 0 and 1, BS_OK. */
int store_inbound_mark_get(struct store *st, const char *target, int64_t *since_ms, int64_t *page,
                           struct bs_error *err);
int store_inbound_mark_set(struct store *st, const char *target, int64_t since_ms, int64_t page,
                           int64_t now_ms, struct bs_error *err);

/* One of booksync's open invoices (store_inbound_open_invoices). */
struct store_open_invoice {
	const char *sale_id;
	const char *ledger_id; /* the Invoice link's ledger id */
	const char *currency;
	int64_t balance; /* total less the source's payments and the imported ones */
};
typedef int (*store_open_invoice_cb)(void *arg, const struct store_open_invoice *inv);

/*
 * customer's sales posted to target as invoices (an Invoice link with a
 * ledger id) and not void, each with its open balance as booksync knows it:
 * the sale's total, less the amounts of the source's payments naming it,
 * less the payments imported and applied to it.  Every such sale, open or
 * not (the matcher keeps the positive balances).
 */
int store_inbound_open_invoices(struct store *st, const char *target, const char *customer,
                                store_open_invoice_cb cb, void *arg, struct bs_error *err);

/* The source record linked to target's ledger document (ledger_type,
 * ledger_id): its kind into *kind and id into id_out (reset first);
 * BS_ENOTFOUND (no message) when no link names it. */
int store_link_find(struct store *st, const char *target, const char *ledger_type,
                    const char *ledger_id, enum record_kind *kind, struct buf *id_out,
                    struct bs_error *err);

#endif
