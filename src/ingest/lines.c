/*
 * lines.c - chunked record splitter (see lines.h).
 *
 * The buffer holds [start, end) of unconsumed input; `scan` is where the
 * search for the record's end resumes, so a record that arrives over many
 * reads is scanned once.  The buffer grows lazily up to max_line + 2 (a
 * record plus "\r\n") + one chunk, and is compacted (memmove to the front)
 * before a read when the free tail is smaller than a chunk; nothing else is
 * allocated while reading, so memory is bounded whatever the input size.
 */
#include "ingest/lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* CSV scanner states: where in a field the last byte left us. */
enum csv_state {
	CSV_FIELD_START, /* at the start of a field */
	CSV_UNQUOTED,    /* inside an unquoted field */
	CSV_QUOTED,      /* inside a quoted field */
	CSV_QUOTE,       /* just after a '"' inside a quoted field: closing or escape */
};

struct lines {
	int fd; /* -1 when reading memory */
	const unsigned char *mem;
	size_t mem_len, mem_off;

	enum lines_mode mode;
	size_t max_line, chunk, limit; /* limit: largest buffer */

	char *buf;
	size_t cap, start, end, scan;
	uint64_t base;  /* input offset of buf[0] */
	uint64_t total; /* input size, 0 if unknown */

	enum csv_state state; /* CSV scan state at `scan` */
	uint64_t scan_nl;     /* newlines inside [start, scan) of a CSV record */
	uint64_t line;        /* line number where the next record starts */
	int eof, bom_done, failed;
	int read_errno;
};

static int lines_new(const struct lines_opts *opts, struct lines **out)
{
	struct lines *l;
	size_t max_line = opts && opts->max_line ? opts->max_line : LINES_MAX_DEFAULT;
	size_t chunk = opts && opts->chunk ? opts->chunk : LINES_CHUNK_DEFAULT;

	*out = NULL;
	if (max_line > ((size_t)-1) / 4 || chunk > ((size_t)-1) / 4)
		return BS_EINVAL;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return BS_ENOMEM;
	l->fd = -1;
	l->mode = opts ? opts->mode : LINES_PLAIN;
	l->max_line = max_line;
	l->chunk = chunk;
	l->limit = max_line + 2 + chunk;
	l->line = 1;
	l->state = CSV_FIELD_START;
	*out = l;
	return BS_OK;
}

/*
 * With the default read size and a known, smaller input, size reads (and
 * so the buffer) to the input: a small API body or file then costs a small
 * allocation.  Only a read size: a file that grows is still read whole.
 */
static void fit_chunk(struct lines *l, const struct lines_opts *opts)
{
	if ((opts == NULL || opts->chunk == 0) && l->total + 1 < l->chunk) {
		l->chunk = l->total < 64 ? 64 : (size_t)l->total + 1;
		l->limit = l->max_line + 2 + l->chunk;
	}
}

int lines_open_fd(int fd, const struct lines_opts *opts, struct lines **out)
{
	struct stat st;
	int rc;

	if (fd < 0)
		return BS_EINVAL;
	rc = lines_new(opts, out);
	if (rc != BS_OK)
		return rc;
	(*out)->fd = fd;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		off_t pos = lseek(fd, 0, SEEK_CUR);

		/* Progress counts from where the fd stands (0 for a fresh open). */
		if (pos >= 0 && pos <= st.st_size)
			(*out)->total = (uint64_t)(st.st_size - pos);
		fit_chunk(*out, opts);
	}
	return BS_OK;
}

int lines_open_mem(const void *data, size_t len, const struct lines_opts *opts, struct lines **out)
{
	int rc;

	if (data == NULL && len > 0)
		return BS_EINVAL;
	rc = lines_new(opts, out);
	if (rc != BS_OK)
		return rc;
	(*out)->mem = data;
	(*out)->mem_len = len;
	(*out)->total = len;
	fit_chunk(*out, opts);
	return BS_OK;
}

void lines_close(struct lines *l)
{
	if (l == NULL)
		return;
	free(l->buf);
	free(l);
}

void lines_set_mode(struct lines *l, enum lines_mode mode)
{
	l->mode = mode;
	l->scan = l->start;
	l->scan_nl = 0;
	l->state = CSV_FIELD_START;
}

void lines_progress(const struct lines *l, uint64_t *done, uint64_t *total)
{
	if (done != NULL)
		*done = l->base + l->start;
	if (total != NULL)
		*total = l->total;
}

size_t lines_buffer_size(const struct lines *l)
{
	return l->cap;
}

static int read_error(struct lines *l, struct bs_error *err)
{
	l->failed = 1;
	return bs_error_set(err, BS_EIO, "line %llu: read failed: %s", (unsigned long long)l->line,
	                    strerror(l->read_errno));
}

/*
 * Read one chunk after `end`, compacting or growing first when needed.
 * Callers guarantee end - start <= max_line + 1, so there is always room.
 */
static int fill(struct lines *l, struct bs_error *err)
{
	size_t room, n;

	if (l->failed)
		return read_error(l, err);
	if (l->start > 0 && l->cap - l->end < l->chunk) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->base += l->start;
		l->end -= l->start;
		l->scan -= l->start;
		l->start = 0;
	}
	if (l->cap - l->end < l->chunk && l->cap < l->limit) {
		size_t cap = l->cap ? l->cap : l->chunk;
		char *p;

		while (cap - l->end < l->chunk && cap < l->limit)
			cap = cap > l->limit / 2 ? l->limit : cap * 2;
		if (cap > l->limit)
			cap = l->limit;
		p = realloc(l->buf, cap);
		if (p == NULL)
			return bs_error_set(err, BS_ENOMEM, "line %llu: out of memory",
			                    (unsigned long long)l->line);
		l->buf = p;
		l->cap = cap;
	}
	room = l->cap - l->end;
	if (room > l->chunk)
		room = l->chunk;
	if (room == 0)
		return bs_error_set(err, BS_EINTERNAL, "lines: no room to read");
	if (l->fd < 0) {
		n = l->mem_len - l->mem_off;
		if (n > room)
			n = room;
		if (n > 0)
			memcpy(l->buf + l->end, l->mem + l->mem_off, n);
		l->mem_off += n;
	} else {
		ssize_t r;

		do
			r = read(l->fd, l->buf + l->end, room);
		while (r < 0 && errno == EINTR);
		if (r < 0) {
			l->read_errno = errno;
			return read_error(l, err);
		}
		n = (size_t)r;
	}
	if (n == 0)
		l->eof = 1;
	l->end += n;
	return BS_OK;
}

/* Skip a UTF-8 BOM at the very start of the input. */
static int skip_bom(struct lines *l, struct bs_error *err)
{
	int rc;

	if (l->bom_done)
		return BS_OK;
	while (l->end - l->start < 3 && !l->eof) {
		rc = fill(l, err);
		if (rc != BS_OK)
			return rc;
	}
	l->bom_done = 1;
	if (l->end - l->start >= 3 && memcmp(l->buf + l->start, "\xEF\xBB\xBF", 3) == 0) {
		l->start += 3;
		l->scan = l->start;
	}
	return BS_OK;
}

/*
 * Advance the CSV scanner over [scan, end).  Returns the offset of the '\n'
 * that ends the record, or end when it has not ended yet.
 */
static size_t csv_scan(struct lines *l)
{
	const char *b = l->buf;
	enum csv_state st = l->state;
	size_t i;

	for (i = l->scan; i < l->end; i++) {
		char c = b[i];

		switch (st) {
		case CSV_FIELD_START:
			if (c == '"')
				st = CSV_QUOTED;
			else if (c == '\n')
				goto found;
			else if (c != ',')
				st = CSV_UNQUOTED;
			break;
		case CSV_UNQUOTED:
			if (c == ',')
				st = CSV_FIELD_START;
			else if (c == '\n')
				goto found;
			break;
		case CSV_QUOTED:
			if (c == '"')
				st = CSV_QUOTE;
			else if (c == '\n')
				l->scan_nl++;
			break;
		case CSV_QUOTE:
			if (c == '"')
				st = CSV_QUOTED;
			else if (c == ',')
				st = CSV_FIELD_START;
			else if (c == '\n')
				goto found;
			else
				st = CSV_UNQUOTED; /* stray byte: the parser reports it */
			break;
		}
	}
	l->state = st;
	l->scan = i;
	return i;
found:
	l->state = CSV_FIELD_START;
	l->scan = i;
	return i;
}

/* Find the end of the current record in the buffered data: offset of its '\n', or end. */
static size_t find_end(struct lines *l)
{
	if (l->mode == LINES_CSV)
		return csv_scan(l);
	if (l->scan < l->end) {
		const char *nl = memchr(l->buf + l->scan, '\n', l->end - l->scan);

		l->scan = nl ? (size_t)(nl - l->buf) : l->end;
	}
	return l->scan;
}

/*
 * The record starting at `start` is too long: drop it, reading on without
 * keeping anything, until its terminating newline or the end of input.
 */
static int skip_record(struct lines *l, struct lines_rec *rec, struct bs_error *err)
{
	int rc;

	rec->line = l->line;
	for (;;) {
		size_t e = find_end(l);

		if (e < l->end) {
			l->start = e + 1;
			break;
		}
		/* Discard everything buffered, keeping the scan state. */
		l->base += l->end;
		l->start = l->end = l->scan = 0;
		if (l->eof)
			break;
		rc = fill(l, err);
		if (rc != BS_OK)
			return rc;
	}
	rec->nlines = l->scan_nl + 1;
	l->line += rec->nlines;
	l->scan = l->start;
	l->scan_nl = 0;
	l->state = CSV_FIELD_START;
	return bs_error_set(err, BS_ETOOBIG, "line %llu: %s is longer than %zu bytes",
	                    (unsigned long long)rec->line,
	                    l->mode == LINES_CSV ? "CSV record" : "line", l->max_line);
}

int lines_next(struct lines *l, struct lines_rec *rec, struct bs_error *err)
{
	int rc;

	rec->ptr = NULL;
	rec->len = 0;
	rec->line = l->line;
	rec->nlines = 0;
	if (l->failed)
		return read_error(l, err);
	rc = skip_bom(l, err);
	if (rc != BS_OK)
		return rc;
	for (;;) {
		size_t e = find_end(l), len;

		if (e < l->end || (l->eof && l->start < l->end)) {
			len = e - l->start;
			rec->ptr = l->buf + l->start;
			rec->nlines = l->scan_nl + 1;
			l->line += rec->nlines;
			l->start = e < l->end ? e + 1 : e;
			l->scan = l->start;
			l->scan_nl = 0;
			l->state = CSV_FIELD_START;
			if (len > 0 && rec->ptr[len - 1] == '\r')
				len--;
			rec->len = len;
			if (len > l->max_line) {
				rec->ptr = NULL;
				rec->len = 0;
				return bs_error_set(
				    err, BS_ETOOBIG, "line %llu: %s is longer than %zu bytes",
				    (unsigned long long)rec->line,
				    l->mode == LINES_CSV ? "CSV record" : "line", l->max_line);
			}
			return 1;
		}
		if (l->eof)
			return 0;
		/* Unterminated so far: more than max_line + "\r" cannot be a valid record. */
		if (l->end - l->start > l->max_line + 1)
			return skip_record(l, rec, err);
		rc = fill(l, err);
		if (rc != BS_OK)
			return rc;
	}
}

int lines_peek_nonblank(struct lines *l, int *c, struct bs_error *err)
{
	int rc;

	*c = -1;
	if (l->failed)
		return read_error(l, err);
	rc = skip_bom(l, err);
	if (rc != BS_OK)
		return rc;
	for (;;) {
		while (l->start < l->end) {
			char ch = l->buf[l->start];

			if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
				*c = (unsigned char)ch;
				l->scan = l->start;
				return BS_OK;
			}
			if (ch == '\n')
				l->line++;
			l->start++;
		}
		l->scan = l->start;
		if (l->eof)
			return BS_OK;
		rc = fill(l, err);
		if (rc != BS_OK)
			return rc;
	}
}

int lines_slurp(struct lines *l, struct buf *out, struct bs_error *err)
{
	int rc;

	if (l->failed)
		return read_error(l, err);
	rc = skip_bom(l, err);
	if (rc != BS_OK)
		return rc;
	for (;;) {
		rc = buf_add(out, l->buf + l->start, l->end - l->start);
		if (rc != BS_OK)
			return bs_error_set(err, rc, "input is larger than %zu bytes", out->max);
		l->start = l->scan = l->end;
		if (l->eof)
			return BS_OK;
		rc = fill(l, err);
		if (rc != BS_OK)
			return rc;
	}
}

/* Has the 64-bit word a zero byte?  (The classic bit trick.) */
#define HAS_ZERO(w) (((w)-0x0101010101010101ULL) & ~(w)&0x8080808080808080ULL)

enum lines_utf8 lines_utf8_check(const void *p, size_t n, size_t *bad)
{
	const unsigned char *s = p;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xBF;
		size_t need, k;

		/* Fast path: eight ASCII bytes, none of them NUL. */
		if (c < 0x80 && n - i >= 8) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0 && !HAS_ZERO(w)) {
				i += 8;
				continue;
			}
		}
		if (c == 0) {
			if (bad != NULL)
				*bad = i;
			return LINES_UTF8_NUL;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0; /* overlong */
			else if (c == 0xED)
				hi = 0x9F; /* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90; /* overlong */
			else if (c == 0xF4)
				hi = 0x8F; /* > U+10FFFF */
		} else {
			goto fail; /* continuation byte, C0/C1 overlong, F5..FF */
		}
		if (n - i - 1 < need)
			goto fail;
		if (s[i + 1] < lo || s[i + 1] > hi)
			goto fail;
		for (k = 2; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				goto fail;
		i += need + 1;
	}
	return LINES_UTF8_OK;
fail:
	if (bad != NULL)
		*bad = i;
	return LINES_UTF8_BAD;
}
