/*
 * consview.h - the Consolidated view: every member document of a
 * consolidated document the ledger holds, filtered and sorted, as
 * `booksync consolidated` and GET /api/v1/consolidated show it.
 *
 * One module for both so the CLI and the API list the same rows in the
 * same order.  The view is built from the store (the consolidated
 * records' members and their ledger links) in memory, then filtered and
 * sorted; a CSV writer gives the filtered view whole.
 *
 * Memory: a struct consview owns its rows; consview_free releases them.
 */
#ifndef BS_SYNC_CONSVIEW_H
#define BS_SYNC_CONSVIEW_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum consview_col {
	CONSVIEW_NUMBER,
	CONSVIEW_TYPE,
	CONSVIEW_CONSOLIDATED,
	CONSVIEW_DATE,
	CONSVIEW_AMOUNT,
};

struct consview_row {
	char *number; /* the member's booksync id */
	char *type;   /* "sale invoice", "sale credit note", or the document's type */
	char *cons;   /* the consolidated document's name */
	char *ledger; /* its number in the ledger, "" when none */
	char *date;
	char *amount; /* as the member gave it */
	int64_t micros;
};

struct consview_filter {
	const char *target; /* required */
	const char *search; /* rows whose number, consolidated name or ledger number hold it */
	const char *type;   /* rows of exactly that type */
	enum consview_col sort;
	bool desc;
};

struct consview {
	struct consview_row *v;
	size_t n, cap;
};

/* "number", "type", "consolidated", "date", "amount"; BS_EINVAL otherwise. */
int consview_col_parse(const char *name, enum consview_col *out);

/*
 * Build the view of f->target into *out (zeroed first; free it with
 * consview_free, also after an error): rows matching the filter, sorted
 * by the column and then the number (both reversed when desc).
 */
int consview_load(struct store *st, const struct consview_filter *f, struct consview *out,
                  struct bs_error *err);
void consview_free(struct consview *v);

/*
 * Rows compare as the view sorts them (the column, then the number):
 * negative, zero or positive; reversed when desc.  Used by a caller
 * that resumes after a row it showed (a cursor).
 */
int consview_cmp(const struct consview_row *a, const struct consview_row *b, enum consview_col col,
                 bool desc);

/* The header line of the CSV, and one row as a CSV line (RFC 4180 quoting). */
int consview_csv_header(struct buf *out);
int consview_csv_row(const struct consview_row *r, struct buf *out);

#endif
