/*
 * csv.h - CSV rows to record objects (internal to src/ingest; see source.h).
 *
 * Reads a header row then data rows from a lines reader in LINES_CSV mode
 * and turns each row, or each run of consecutive rows with the same id when
 * the header has `lines.*` columns, into one JSON object whose values are
 * all strings (no number guessing), dotted column names nesting.  With
 * `lines.*` columns, a run of an id that had a run earlier in the file is a
 * bad item naming both runs' lines (a record's rows must be consecutive);
 * the ids seen so far cost memory, 16 to 32 bytes each (idset.h).
 */
#ifndef BS_INGEST_CSV_H
#define BS_INGEST_CSV_H

#include "core/error.h"
#include "ingest/lines.h"

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct csv; /* opaque */

/*
 * Read the header from `l` (borrowed: it must outlive the csv).  `kind`
 * (copied, may be NULL) is set on rows without a kind cell.  Empty input is
 * fine (no rows).  Errors, message without the file name: BS_EPARSE (no
 * `id` column, duplicate or conflicting column names, unreadable header
 * row), BS_ETOOBIG (header longer than the limit), BS_EINVAL (no `kind`
 * column and `kind` NULL), BS_EIO, BS_ENOMEM.
 */
int csv_open(struct lines *l, const char *kind, size_t max_record, struct csv **out,
             struct bs_error *err);

/*
 * Next record: 1 with *rec (caller owns) and *line = its first row's line;
 * 0 at the end; a bad item (BS_EPARSE, BS_ETOOBIG) with *line set, after
 * which reading goes on; BS_EIO and BS_ENOMEM fatal.
 */
int csv_next(struct csv *c, struct json_object **rec, uint64_t *line, struct bs_error *err);

void csv_close(struct csv *c);

/*
 * Reject what json-c silently gets wrong in a parsed value (defined in
 * source.c, shared with the CSV `lines` column): integers out of the
 * int64/uint64 range, which it clamps, and strings holding "\u0000".
 * `at` starts the message ("line 4").  BS_OK or BS_EPARSE.
 */
int source_json_check(struct json_object *v, const char *at, struct bs_error *err);

#endif
