/*
 * lines.h - split a byte stream into records, streaming, in bounded memory.
 *
 * Internal to src/ingest (the module's contract is source.h).  A reader
 * pulls the input in large chunks (read(2) on an fd, or copies from a memory
 * buffer) into one buffer that never grows past max_line plus one chunk, so
 * memory does not grow with the input's size.  Two ways to split:
 *
 *   LINES_PLAIN  a record is a line (JSON Lines); found with memchr.
 *   LINES_CSV    a record is a CSV row: a newline inside a quoted field
 *                does not end it (RFC 4180 quoting, see lines_next).
 *
 * A UTF-8 byte order mark at the start of the input is skipped; a record's
 * terminating "\n" or "\r\n" is not part of it.  A record longer than
 * max_line bytes is skipped without being held in memory and reported.
 */
#ifndef BS_INGEST_LINES_H
#define BS_INGEST_LINES_H

#include "core/buf.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

#define LINES_MAX_DEFAULT   ((size_t)16 << 20) /* 16 MiB */
#define LINES_CHUNK_DEFAULT ((size_t)1 << 20)  /* read size: 1 MiB */

enum lines_mode { LINES_PLAIN, LINES_CSV };

struct lines_opts {
	enum lines_mode mode;
	size_t max_line; /* longest record, terminator excluded; 0 = LINES_MAX_DEFAULT */
	size_t chunk;    /* bytes per read; 0 = LINES_CHUNK_DEFAULT (tests use tiny ones) */
};

struct lines; /* opaque */

/* One record.  `ptr` points into the reader's buffer: valid until the next call on the reader. */
struct lines_rec {
	const char *ptr;
	size_t len;
	uint64_t line;   /* 1-based line number of the record's first line */
	uint64_t nlines; /* physical lines it spans (> 1 only for CSV with quoted newlines) */
};

/*
 * Read from `fd`, which stays the caller's: lines_close does not close it.
 * `opts` may be NULL for defaults.  BS_ENOMEM, BS_EINVAL (bad fd).
 */
int lines_open_fd(int fd, const struct lines_opts *opts, struct lines **out);

/* Read from `len` bytes at `data`, borrowed: they must outlive the reader. */
int lines_open_mem(const void *data, size_t len, const struct lines_opts *opts, struct lines **out);

/* Free the reader (NULL is a no-op). */
void lines_close(struct lines *l);

/* Change how records are split from now on (after sniffing the format). */
void lines_set_mode(struct lines *l, enum lines_mode mode);

/*
 * Next record.  Returns 1 and fills *rec; 0 at end of input; BS_ETOOBIG
 * when the record is longer than max_line (rec->line says where it started;
 * it has been skipped, so the next call continues after it); BS_EIO when
 * reading failed (fatal: later calls return BS_EIO again).  `err` gets a
 * message starting "line N: ".
 *
 * LINES_CSV: a '"' at the start of a field opens a quoted field that ends
 * at the next '"' not followed by another '"'; newlines inside it belong to
 * the record.  A '"' elsewhere is an ordinary byte.  At end of input an
 * unterminated quoted field ends the record (the CSV parser reports it).
 */
int lines_next(struct lines *l, struct lines_rec *rec, struct bs_error *err);

/*
 * Consume leading blank bytes (space, tab, CR, LF; after the BOM) and put
 * the first other byte in *c, or -1 at end of input.  Blank lines would be
 * skipped by every format, so only line numbering notices; used to sniff
 * the format.  0 or BS_EIO.
 */
int lines_peek_nonblank(struct lines *l, int *c, struct bs_error *err);

/*
 * Append everything not consumed yet to `out` (whose max bounds it:
 * BS_ETOOBIG past it), for formats that need the whole input (a JSON array).
 * 0, BS_ETOOBIG, BS_ENOMEM, BS_EIO.
 */
int lines_slurp(struct lines *l, struct buf *out, struct bs_error *err);

/* Bytes consumed so far; total input size, 0 when unknown (a pipe). */
void lines_progress(const struct lines *l, uint64_t *done, uint64_t *total);

/* Bytes of buffer allocated now: never more than max_line + 2 + one chunk. */
size_t lines_buffer_size(const struct lines *l);

/* Result of lines_utf8_check. */
enum lines_utf8 {
	LINES_UTF8_OK = 0,
	LINES_UTF8_BAD =
	    1, /* ill-formed: stray continuation, overlong, surrogate, > U+10FFFF, truncated */
	LINES_UTF8_NUL = 2, /* a NUL byte (valid UTF-8, but never valid in a record) */
};

/*
 * Check that p[0..n) is well-formed UTF-8 (Unicode 15, table 3-7) without
 * NUL bytes.  On failure *bad (may be NULL) is the offset of the first bad
 * sequence.  ASCII runs are checked a word at a time.
 */
enum lines_utf8 lines_utf8_check(const void *p, size_t n, size_t *bad);

#endif
