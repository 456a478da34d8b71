/*
 * csv_read.c - CSV syntax for the CSV reader (see csv.h, csv_int.h).
 *
 * The lines reader hands over whole CSV records (quoted newlines included);
 * this file splits them into cells (RFC 4180: "" escapes a quote inside a
 * quoted field), checks each row against the header (field count, UTF-8,
 * values under unnamed columns), and reads the header itself: column
 * names, their dotted paths and roles, and the checks on the set of names.
 * A row's structural problem marks it bad but keeps the cells before it,
 * so its id is still known.  Turning rows into records is csv.c.
 */
#include "ingest/csv_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void row_init(struct csv_row *r, size_t max_record)
{
	memset(r, 0, sizeof(*r));
	/* Cells plus a NUL each: at most twice the record, plus one. */
	buf_init(&r->data, 2 * max_record + 2);
}

static void row_free(struct csv_row *r)
{
	buf_free(&r->data);
	free(r->off);
	free(r->len);
	free(r->fline);
}

const char *csv_cell(const struct csv_row *r, size_t j, size_t *len)
{
	if (j >= r->n) {
		if (len != NULL)
			*len = 0;
		return "";
	}
	if (len != NULL)
		*len = r->len[j];
	return r->data.ptr + r->off[j];
}

static int push_cell(struct csv_row *r, const char *p, size_t n, uint64_t fline, int quoted)
{
	size_t off = r->data.len;
	int rc;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		size_t *o, *l;
		uint64_t *f;

		if (cap > ((size_t)-1) / sizeof(uint64_t))
			return BS_ENOMEM;
		o = realloc(r->off, cap * sizeof(*o));
		if (o == NULL)
			return BS_ENOMEM;
		r->off = o;
		l = realloc(r->len, cap * sizeof(*l));
		if (l == NULL)
			return BS_ENOMEM;
		r->len = l;
		f = realloc(r->fline, cap * sizeof(*f));
		if (f == NULL)
			return BS_ENOMEM;
		r->fline = f;
		r->cap = cap;
	}
	if (!quoted) {
		rc = buf_add(&r->data, p, n);
	} else {
		/* Unescape "" in the quoted content p[0..n). */
		rc = BS_OK;
		for (size_t i = 0; i < n && rc == BS_OK;) {
			const char *q = memchr(p + i, '"', n - i);
			size_t k = q ? (size_t)(q - (p + i)) + 1 : n - i;

			rc = buf_add(&r->data, p + i, k);
			i += k + (q != NULL); /* skip the second quote of a pair */
		}
	}
	if (rc == BS_OK)
		rc = buf_addc(&r->data, '\0');
	if (rc != BS_OK)
		return rc;
	r->off[r->n] = off;
	r->len[r->n] = r->data.len - off - 1;
	r->fline[r->n] = fline;
	r->n++;
	return BS_OK;
}

/* Record a row problem (the first one wins). */
static void row_fail(struct csv_row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void row_fail(struct csv_row *r, const char *fmt, ...)
{
	va_list ap;
	struct buf m;

	if (r->rc != BS_OK)
		return;
	buf_init(&m, BS_ERROR_MSG_MAX);
	va_start(ap, fmt);
	(void)buf_vprintf(&m, fmt, ap);
	va_end(ap);
	bs_error_set(&r->err, BS_EPARSE, "%s", buf_cstr(&m));
	r->rc = BS_EPARSE;
	buf_free(&m);
}

/*
 * Split record p[0..n), starting at `line`, into cells.  Structural
 * problems mark the row bad but keep the cells before them, so the id is
 * still known.  Returns BS_OK or BS_ENOMEM / BS_ETOOBIG (internal limits).
 */
static int parse_row(struct csv_row *r, const char *p, size_t n, uint64_t line)
{
	size_t i = 0;
	uint64_t cur = line;
	int rc;

	buf_reset(&r->data);
	r->n = 0;
	r->line = line;
	r->rc = BS_OK;
	bs_error_clear(&r->err);
	for (;;) {
		uint64_t fline = cur;

		if (i < n && p[i] == '"') {
			size_t s = ++i, e;

			for (;;) {
				const char *q = memchr(p + i, '"', n - i);

				if (q == NULL) {
					for (; i < n; i++)
						cur += p[i] == '\n';
					row_fail(r, "line %llu: unbalanced quote in CSV field",
					         (unsigned long long)fline);
					return push_cell(r, p + s, n - s, fline, 1);
				}
				for (; p + i < q; i++)
					cur += p[i] == '\n';
				if (i + 1 < n && p[i + 1] == '"') {
					i += 2;
					continue;
				}
				e = i++;
				break;
			}
			rc = push_cell(r, p + s, e - s, fline, 1);
			if (rc != BS_OK)
				return rc;
			if (i < n && p[i] != ',') {
				row_fail(
				    r,
				    "line %llu: unexpected text after a closing quote in field %zu",
				    (unsigned long long)cur, r->n);
				return BS_OK;
			}
		} else {
			const char *c = i < n ? memchr(p + i, ',', n - i) : NULL;
			size_t e = c ? (size_t)(c - p) : n;

			rc = push_cell(r, p + i, e - i, fline, 0);
			if (rc != BS_OK)
				return rc;
			i = e;
		}
		if (i >= n)
			return BS_OK;
		i++; /* the comma: a field follows, maybe empty */
	}
}

static const char *col_label(const struct csv *c, size_t j, char *tmp, size_t n)
{
	if (j < c->ncols && c->cols[j].name[0] != '\0')
		return c->cols[j].name;
	snprintf(tmp, n, "#%zu", j + 1);
	return tmp;
}

/* Checks needing the header: field count, UTF-8, values under unnamed columns. */
static void check_row(const struct csv *c, struct csv_row *r)
{
	char tmp[32];

	if (r->rc != BS_OK)
		return;
	if (r->n > c->ncols) {
		row_fail(r, "line %llu: row has %zu fields, the header has %zu",
		         (unsigned long long)r->line, r->n, c->ncols);
		return;
	}
	for (size_t j = 0; j < r->n; j++) {
		size_t len, bad;
		const char *v = csv_cell(r, j, &len);
		enum lines_utf8 u = lines_utf8_check(v, len, &bad);

		if (u != LINES_UTF8_OK) {
			row_fail(r, "line %llu: %s in column %s", (unsigned long long)r->fline[j],
			         u == LINES_UTF8_NUL ? "NUL byte" : "invalid UTF-8",
			         col_label(c, j, tmp, sizeof(tmp)));
			return;
		}
		if (len > 0 && c->cols[j].role == COL_UNNAMED) {
			row_fail(
			    r, "line %llu: a value in column %zu, which has no name in the header",
			    (unsigned long long)r->fline[j], j + 1);
			return;
		}
	}
}

static int all_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

/*
 * Read the next non-blank row into r.  1: a row (r->rc says if it is bad);
 * 0: end; negative: an unreadable record (overlong: skipped, *line set) or
 * a fatal error.
 */
int csv_read_row(struct csv *c, struct csv_row *r, uint64_t *line, struct bs_error *err)
{
	for (;;) {
		struct lines_rec rec;
		int rc = lines_next(c->lines, &rec, err), empty = 1;

		*line = rec.line;
		if (rc <= 0)
			return rc;
		if (all_blank(rec.ptr, rec.len))
			continue;
		rc = parse_row(r, rec.ptr, rec.len, rec.line);
		if (rc != BS_OK)
			return bs_error_set(err, rc, "line %llu: %s", (unsigned long long)rec.line,
			                    bs_strerror(rc));
		if (!c->has_header)
			return 1;
		for (size_t j = 0; j < r->n && empty; j++)
			empty = r->len[j] == 0;
		if (empty && r->rc == BS_OK)
			continue; /* a row of empty cells (",,,", however many) is a blank line */
		check_row(c, r);
		return 1;
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is the n-byte prefix of `name` a column name?  `sorted` holds all names. */
static int has_name(char **sorted, size_t count, const char *name, size_t n)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strncmp(sorted[mid], name, n);

		if (d == 0 && sorted[mid][n] != '\0')
			d = 1; /* longer than the prefix: sorts after it */
		if (d == 0)
			return 1;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Check the column names as a set: duplicates, and "a" beside "a.b". */
static int check_names(struct csv *c, struct bs_error *err)
{
	char **sorted = calloc(c->ncols ? c->ncols : 1, sizeof(*sorted));
	size_t count = 0;
	int rc = BS_OK;

	if (sorted == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	for (size_t j = 0; j < c->ncols; j++)
		if (c->cols[j].name[0] != '\0')
			sorted[count++] = c->cols[j].name;
	qsort(sorted, count, sizeof(*sorted), cmp_names);
	for (size_t k = 1; k < count; k++) {
		if (strcmp(sorted[k - 1], sorted[k]) == 0) {
			rc = bs_error_set(err, BS_EPARSE, "duplicate column %s in the header",
			                  sorted[k]);
			goto out;
		}
	}
	for (size_t k = 0; k < count; k++) {
		const char *nm = sorted[k];

		for (const char *d = strchr(nm, '.'); d != NULL; d = strchr(d + 1, '.')) {
			if (has_name(sorted, count, nm, (size_t)(d - nm))) {
				rc = bs_error_set(err, BS_EPARSE,
				                  "columns %.*s and %s conflict: a field cannot be "
				                  "both a value and an object",
				                  (int)(d - nm), nm, nm);
				goto out;
			}
		}
	}
out:
	free(sorted);
	return rc;
}

/* Set up column j from header cell text v[0..n). */
static int init_col(struct csv *c, size_t j, const char *v, size_t n, struct bs_error *err)
{
	struct csv_col *col = &c->cols[j];
	size_t nsegs = 1;

	while (n > 0 && (v[0] == ' ' || v[0] == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	col->name = strndup(v, n);
	col->path = strndup(v, n);
	if (col->name == NULL || col->path == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	if (n == 0) {
		col->role = COL_UNNAMED;
		return BS_OK;
	}
	for (size_t i = 0; i < n; i++)
		nsegs += v[i] == '.';
	col->segs = calloc(nsegs, sizeof(*col->segs));
	if (col->segs == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	col->segs[0] = col->path;
	col->nsegs = 1;
	for (size_t i = 0; i < n; i++) {
		if (col->path[i] == '.') {
			col->path[i] = '\0';
			col->segs[col->nsegs++] = col->path + i + 1;
		}
	}
	for (size_t k = 0; k < col->nsegs; k++)
		if (col->segs[k][0] == '\0')
			return bs_error_set(err, BS_EPARSE, "column name %s has an empty part",
			                    col->name);
	if (strcmp(col->segs[0], "lines") == 0) {
		col->role = col->nsegs > 1 ? COL_LINE_FIELD : COL_LINES_JSON;
		c->has_line_cols |= col->nsegs > 1;
	} else {
		col->role = COL_FIELD;
	}
	if (strcmp(col->name, "id") == 0)
		c->id_col = j;
	else if (strcmp(col->name, "kind") == 0)
		c->kind_col = j;
	return BS_OK;
}

static int read_header(struct csv *c, struct bs_error *err)
{
	struct csv_row *r = c->cur;
	uint64_t line;
	int rc = csv_read_row(c, r, &line, err);

	if (rc == 0) {
		c->done = 1;
		return BS_OK;
	}
	if (rc < 0)
		return rc == BS_ETOOBIG
		           ? bs_error_set(err, BS_ETOOBIG, "header row longer than %zu bytes",
		                          c->max_record)
		           : rc;
	if (r->rc != BS_OK)
		return bs_error_set(err, BS_EPARSE, "header: %s", r->err.msg);
	for (size_t j = 0; j < r->n; j++) {
		size_t bad;
		enum lines_utf8 u = lines_utf8_check(csv_cell(r, j, NULL), r->len[j], &bad);

		if (u != LINES_UTF8_OK)
			return bs_error_set(err, BS_EPARSE, "line %llu: %s in the header",
			                    (unsigned long long)r->line,
			                    u == LINES_UTF8_NUL ? "NUL byte" : "invalid UTF-8");
	}
	c->cols = calloc(r->n ? r->n : 1, sizeof(*c->cols));
	if (c->cols == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	c->ncols = r->n;
	for (size_t j = 0; j < r->n; j++) {
		rc = init_col(c, j, csv_cell(r, j, NULL), r->len[j], err);
		if (rc != BS_OK)
			return rc;
	}
	c->has_header = 1;
	if (c->id_col == SIZE_MAX) {
		/* Spreadsheets in some locales separate with ';': say so. */
		int semi = r->n == 1 && memchr(csv_cell(r, 0, NULL), ';', r->len[0]) != NULL;

		return bs_error_set(err, BS_EPARSE, "the CSV header (line %llu) has no id column%s",
		                    (unsigned long long)r->line,
		                    semi ? " (it uses ';': only ',' separates CSV fields)" : "");
	}
	rc = check_names(c, err);
	if (rc != BS_OK)
		return rc;
	if (c->kind_col == SIZE_MAX && c->kind == NULL)
		return bs_error_set(
		    err, BS_EINVAL,
		    "cannot tell which kind of records it holds: add a kind column, "
		    "use --kind, or name the file after the kind (sales.csv)");
	return BS_OK;
}

int csv_open(struct lines *l, const char *kind, size_t max_record, struct csv **out,
             struct bs_error *err)
{
	struct csv *c;
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	c->lines = l;
	c->max_record = max_record ? max_record : LINES_MAX_DEFAULT;
	c->id_col = c->kind_col = SIZE_MAX;
	row_init(&c->rows[0], c->max_record);
	row_init(&c->rows[1], c->max_record);
	c->cur = &c->rows[0];
	c->ahead = &c->rows[1];
	c->tok = json_tokener_new();
	if (c->tok == NULL || (kind != NULL && (c->kind = strdup(kind)) == NULL)) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	/* Cells were checked by lines_utf8_check already (stricter than json-c's). */
	json_tokener_set_flags(c->tok, JSON_TOKENER_STRICT);
	rc = read_header(c, err);
	if (rc == BS_OK && c->has_line_cols && idset_new(&c->seen) != BS_OK)
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
out:
	if (rc != BS_OK) {
		csv_close(c);
		return rc;
	}
	*out = c;
	return BS_OK;
}

void csv_close(struct csv *c)
{
	if (c == NULL)
		return;
	for (size_t j = 0; j < c->ncols; j++) {
		free(c->cols[j].name);
		free(c->cols[j].path);
		free(c->cols[j].segs);
	}
	free(c->cols);
	row_free(&c->rows[0]);
	row_free(&c->rows[1]);
	if (c->tok != NULL)
		json_tokener_free(c->tok);
	idset_free(c->seen);
	free(c->kind);
	free(c);
}
