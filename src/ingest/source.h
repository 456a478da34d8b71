/*
 * source.h - read source records from a file: JSON Lines, a JSON array or
 * CSV (docs/records.md), one record at a time, in bounded memory.
 *
 * This is the contract of src/ingest.  It turns bytes into json-c objects
 * and nothing more: it never looks at what a record means (kinds, ids,
 * money: that is src/model).  Bad items (a line that is not JSON, a CSV row
 * with too many fields, invalid UTF-8, an overlong line) are reported one by
 * one and reading goes on with the next item; only input that cannot be
 * read at all fails source_open, and only a read error stops source_next.
 *
 * Numbers keep their source text.  json-c stores a JSON number with a
 * fraction or exponent as a double *and* its original text, and
 * json_object_get_string() on it returns that text ("12.30", "0.1000001",
 * "1e2" come back verbatim), so money is parsed from the text, never from
 * the double.  Do not rebuild such a value with json_object_new_double():
 * that loses the text.  Integers come back as their decimal digits (json-c
 * holds them as int64/uint64; "-0" comes back as "0"); an integer outside
 * the int64/uint64 range, which json-c would silently clamp, is rejected
 * here as a bad item.  CSV cells are always JSON strings.  Strings holding
 * "\u0000" are rejected (they would be cut short as C strings).
 */
#ifndef BS_INGEST_SOURCE_H
#define BS_INGEST_SOURCE_H

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

struct json_object;

enum source_format {
	SOURCE_AUTO,       /* from the file name, else from the first non-blank byte */
	SOURCE_JSONL,      /* one JSON object per line (also .ndjson) */
	SOURCE_JSON_ARRAY, /* one JSON array of objects, at most max_line bytes */
	SOURCE_CSV,        /* header row + rows, RFC 4180 quoting */
};

struct source; /* opaque */

struct source_opts {
	enum source_format format;
	const char *kind; /* --kind for CSV (plural accepted: "sales"); NULL = none; copied */
	size_t max_line;  /* longest line / CSV record / JSON array; 0 = 16 MiB, at most 1 GiB */
	size_t chunk;     /* read size; 0 = 1 MiB (tests use tiny ones) */
};

/* Where an item came from.  `file` belongs to the source: valid until source_close. */
struct source_pos {
	const char *file; /* the name given to open ("<stdin>" for "-") */
	uint64_t line;    /* 1-based line of the item's start (CSV: its first row); 0 in an array */
	int64_t index;    /* element index in a JSON array, else -1 */
};

/*
 * Open `path` ("-" = standard input, called "<stdin>" in messages).
 *
 * Format: opts->format, else the file name (.jsonl/.ndjson JSON Lines,
 * .json a JSON array or, when its first non-blank byte is '{', JSON Lines,
 * .csv CSV; case-insensitive), else the first non-blank byte after any
 * UTF-8 BOM: '{' JSON Lines, '[' a JSON array, anything else CSV.
 *
 * A JSON array is read and parsed whole here; a CSV header is read here.
 * CSV records get `kind` from their `kind` cell, else opts->kind, else the
 * file name (source_kind_from_filename); with none of these the input is
 * refused (BS_EINVAL) rather than yield records with no kind.
 *
 * Errors (the message names the file): BS_EIO cannot open or read (with
 * strerror), BS_EPARSE not JSON nor CSV (malformed array, invalid UTF-8 or
 * unbalanced quote in the CSV header, CSV header without an `id` column,
 * bad column names), BS_ETOOBIG JSON array larger than max_line (use JSON
 * Lines), BS_EINVAL no kind for CSV, BS_ENOMEM.  An empty (or blank) input
 * is not an error: it has zero records.  `opts` may be NULL (all defaults).
 */
int source_open(const char *path, const struct source_opts *opts, struct source **out,
                struct bs_error *err);

/*
 * Same, reading from `fd`, which stays the caller's (source_close does not
 * close it).  `name` is used in messages and for format / kind detection.
 */
int source_open_fd(int fd, const char *name, const struct source_opts *opts, struct source **out,
                   struct bs_error *err);

/* Same, reading `len` bytes at `data`, which must outlive the source. */
int source_open_mem(const void *data, size_t len, const char *name, const struct source_opts *opts,
                    struct source **out, struct bs_error *err);

/*
 * Next item.  Returns 1 with *rec = a new JSON object the caller owns (free
 * with json_object_put) and *pos filled; 0 at the end; or a negative status
 * for a bad item, with *pos filled and a message in `err` starting with
 * where it is ("line 7: malformed JSON: unexpected character", "element 3:
 * expected a JSON object").  After a bad item the caller may call again to
 * go on with the next one, except after BS_EIO (a read error) or
 * BS_ENOMEM, which are fatal: every later call returns the same status.
 *
 * Bad item statuses: BS_EPARSE (malformed JSON or CSV, not an object,
 * invalid UTF-8, CSV rows of one id that disagree, or a later run of rows
 * of an id whose run came earlier in the file: "line 5: rows of id S1 at
 * lines 5-6 are apart from its rows from line 2 ..."), BS_ETOOBIG (line or
 * CSV record longer than max_line, skipped without being read into memory).
 */
int source_next(struct source *s, struct json_object **rec, struct source_pos *pos,
                struct bs_error *err);

/* Bytes consumed so far, and the input's size (0 when unknown, e.g. a pipe). */
void source_progress(const struct source *s, uint64_t *done, uint64_t *total);

/* The format in use (after detection). */
enum source_format source_format(const struct source *s);

/* Close and free (NULL is a no-op).  Objects already returned stay valid. */
void source_close(struct source *s);

/*
 * The record kind named by `word` (n bytes): a kind of docs/records.md, singular
 * or plural ("sales" -> "sale", "credit_notes" -> "credit_note", "cogs"),
 * '-' and ' ' read as '_', case-insensitive.  Returns a static string, or
 * NULL when it names no kind.
 */
const char *source_kind_from_word(const char *word, size_t n);

/*
 * The kind a CSV file name implies: the base name without its extension
 * ("data/Sales.csv" -> "sale"), or its last '_'/'-'/'.'-separated parts
 * ("2024-06_credit_notes.csv" -> "credit_note").  NULL when none.
 */
const char *source_kind_from_filename(const char *path);

#endif
