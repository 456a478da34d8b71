/*
 * csv_int.h - internals of the CSV reader, shared by csv_read.c (rows and
 * the header: CSV syntax) and csv.c (rows to records).  Not a contract:
 * only src/ingest's CSV files and their tests include it.
 */
#ifndef BS_INGEST_CSV_INT_H
#define BS_INGEST_CSV_INT_H

#include "core/buf.h"
#include "core/error.h"
#include "ingest/csv.h"
#include "ingest/idset.h"
#include "ingest/lines.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

enum csv_col_role {
	COL_FIELD,      /* a record field, maybe nested: address.city */
	COL_LINE_FIELD, /* lines.sku: a field of the row's line object */
	COL_LINES_JSON, /* lines: a JSON array of line objects */
	COL_UNNAMED,    /* empty header cell: must stay empty */
};

struct csv_col {
	char *name;        /* trimmed header text */
	char *path;        /* name with '.' turned into NUL: the segments */
	const char **segs; /* into path */
	size_t nsegs;
	enum csv_col_role role;
};

/* One parsed row: cells are NUL-terminated runs in `data`. */
struct csv_row {
	struct buf data;
	size_t *off, *len;
	uint64_t *fline; /* line where each cell starts */
	size_t n, cap;
	uint64_t line;
	int rc; /* BS_OK, or what is wrong with the row (message in err) */
	struct bs_error err;
};

/* The reader (opaque in csv.h): its header, two rows (the current and the
 * one read ahead) and what the next csv_next call must report first. */
struct csv {
	struct lines *lines;
	char *kind; /* default kind, or NULL */
	size_t max_record;
	struct csv_col *cols;
	size_t ncols;
	size_t id_col, kind_col; /* SIZE_MAX when absent */
	int has_line_cols, has_header;
	json_tokener *tok;
	struct csv_row rows[2];
	struct csv_row *cur, *ahead;
	int pend; /* ahead holds a row not returned yet */
	int pend_rc;
	uint64_t pend_line;
	struct bs_error pend_err;
	int done;
	uint64_t bad_line;  /* with lines.* columns: line of an unreadable row just read, else 0 */
	struct idset *seen; /* with lines.* columns: every run's id so far, else NULL */
};

/* Cell j of row r (NUL-terminated; "" past the row's end), its length
 * into *len when len is not NULL. */
const char *csv_cell(const struct csv_row *r, size_t j, size_t *len);

/*
 * Read the next non-blank row into r.  1: a row (r->rc says if it is bad);
 * 0: end; negative: an unreadable record (overlong: skipped, *line set) or
 * a fatal error.
 */
int csv_read_row(struct csv *c, struct csv_row *r, uint64_t *line, struct bs_error *err);

#endif
