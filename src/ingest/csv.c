/*
 * csv.c - CSV rows to record objects (see csv.h and source.h).
 *
 * The lines reader hands over whole CSV records (quoted newlines included);
 * this file splits them into cells (RFC 4180: "" escapes a quote inside a
 * quoted field), checks them, and builds JSON.  With `lines.*` columns a
 * record is a run of consecutive rows with the same id, so one row is read
 * ahead: `pend` holds it (or the error of an unreadable row) until the next
 * call.  A bad row that shares the id of the run being built spoils the
 * whole run, so a record is never stored with some of its lines missing.
 * A run whose id already had a run earlier in the file is refused, naming
 * both: the earlier one is handed on already (the file is read once, in
 * bounded memory per record), and taking the later one as the record would
 * replace it and drop its lines.  The ids seen are an idset (idset.h).
 */
#include "ingest/csv.h"

#include "core/buf.h"
#include "ingest/idset.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col_role {
	COL_FIELD,      /* a record field, maybe nested: address.city */
	COL_LINE_FIELD, /* lines.sku: a field of the row's line object */
	COL_LINES_JSON, /* lines: a JSON array of line objects */
	COL_UNNAMED,    /* empty header cell: must stay empty */
};

struct col {
	char *name;        /* trimmed header text */
	char *path;        /* name with '.' turned into NUL: the segments */
	const char **segs; /* into path */
	size_t nsegs;
	enum col_role role;
};

/* One parsed row: cells are NUL-terminated runs in `data`. */
struct row {
	struct buf data;
	size_t *off, *len;
	uint64_t *fline; /* line where each cell starts */
	size_t n, cap;
	uint64_t line;
	int rc; /* BS_OK, or what is wrong with the row (message in err) */
	struct bs_error err;
};

struct csv {
	struct lines *lines;
	char *kind; /* default kind, or NULL */
	size_t max_record;
	struct col *cols;
	size_t ncols;
	size_t id_col, kind_col; /* SIZE_MAX when absent */
	int has_line_cols, has_header;
	json_tokener *tok;
	struct row rows[2];
	struct row *cur, *ahead;
	int pend; /* ahead holds a row not returned yet */
	int pend_rc;
	uint64_t pend_line;
	struct bs_error pend_err;
	int done;
	uint64_t bad_line;  /* with lines.* columns: line of an unreadable row just read, else 0 */
	struct idset *seen; /* with lines.* columns: every run's id so far, else NULL */
};

static void row_init(struct row *r, size_t max_record)
{
	memset(r, 0, sizeof(*r));
	/* Cells plus a NUL each: at most twice the record, plus one. */
	buf_init(&r->data, 2 * max_record + 2);
}

static void row_free(struct row *r)
{
	buf_free(&r->data);
	free(r->off);
	free(r->len);
	free(r->fline);
}

static const char *cell(const struct row *r, size_t j, size_t *len)
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

static int push_cell(struct row *r, const char *p, size_t n, uint64_t fline, int quoted)
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
static void row_fail(struct row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void row_fail(struct row *r, const char *fmt, ...)
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
static int parse_row(struct row *r, const char *p, size_t n, uint64_t line)
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
static void check_row(const struct csv *c, struct row *r)
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
		const char *v = cell(r, j, &len);
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
static int read_row(struct csv *c, struct row *r, uint64_t *line, struct bs_error *err)
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
	struct col *col = &c->cols[j];
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
	struct row *r = c->cur;
	uint64_t line;
	int rc = read_row(c, r, &line, err);

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
		enum lines_utf8 u = lines_utf8_check(cell(r, j, NULL), r->len[j], &bad);

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
		rc = init_col(c, j, cell(r, j, NULL), r->len[j], err);
		if (rc != BS_OK)
			return rc;
	}
	c->has_header = 1;
	if (c->id_col == SIZE_MAX) {
		/* Spreadsheets in some locales separate with ';': say so. */
		int semi = r->n == 1 && memchr(cell(r, 0, NULL), ';', r->len[0]) != NULL;

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

/* Put `val` (ownership taken) at segs[0].segs[1]...  in obj, creating objects on the way. */
static int set_path(struct json_object *obj, const char *const *segs, size_t nsegs,
                    struct json_object *val)
{
	for (size_t k = 0; k + 1 < nsegs; k++) {
		struct json_object *child;

		if (!json_object_object_get_ex(obj, segs[k], &child)) {
			child = json_object_new_object();
			if (child == NULL || json_object_object_add(obj, segs[k], child) != 0) {
				json_object_put(child);
				json_object_put(val);
				return BS_ENOMEM;
			}
		} else if (!json_object_is_type(child, json_type_object)) {
			json_object_put(val);
			return BS_EINTERNAL; /* excluded by check_names */
		}
		obj = child;
	}
	if (json_object_object_add(obj, segs[nsegs - 1], val) != 0) {
		json_object_put(val);
		return BS_ENOMEM;
	}
	return BS_OK;
}

static struct json_object *new_str(const char *p, size_t n)
{
	return json_object_new_string_len(p, (int)n);
}

/* Parse the `lines` cell as a JSON array. */
static int lines_cell(struct csv *c, const struct row *r, size_t j, struct json_object **out,
                      struct bs_error *err)
{
	size_t len;
	const char *v = cell(r, j, &len);
	struct json_object *o;
	char at[48];
	int rc;

	snprintf(at, sizeof(at), "line %llu: column lines", (unsigned long long)r->fline[j]);
	if (len >= INT32_MAX) /* len + 1 must fit json-c's int */
		return bs_error_set(err, BS_ETOOBIG, "%s: too long", at);
	json_tokener_reset(c->tok);
	o = json_tokener_parse_ex(c->tok, v, (int)len + 1); /* the NUL ends a number */
	if (o == NULL) {
		enum json_tokener_error je = json_tokener_get_error(c->tok);

		return bs_error_set(err, BS_EPARSE, "%s: malformed JSON: %s", at,
		                    je == json_tokener_continue ? "unexpected end of data"
		                                                : json_tokener_error_desc(je));
	}
	if (json_tokener_get_parse_end(c->tok) < len) {
		json_object_put(o);
		return bs_error_set(err, BS_EPARSE, "%s: malformed JSON: text after the array", at);
	}
	if (!json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		return bs_error_set(err, BS_EPARSE, "%s: expected a JSON array", at);
	}
	rc = source_json_check(o, at, err);
	if (rc != BS_OK) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return BS_OK;
}

/* Append the row's lines.* cells, if any, as one line object to rec's "lines". */
static int add_line(struct csv *c, const struct row *r, struct json_object *rec)
{
	struct json_object *line = NULL, *arr;
	int rc = BS_OK;

	for (size_t j = 0; j < r->n && rc == BS_OK; j++) {
		size_t len;
		const char *v = cell(r, j, &len);

		if (c->cols[j].role != COL_LINE_FIELD || len == 0)
			continue;
		if (line == NULL && (line = json_object_new_object()) == NULL)
			return BS_ENOMEM;
		rc = set_path(line, c->cols[j].segs + 1, c->cols[j].nsegs - 1, new_str(v, len));
	}
	if (line == NULL || rc != BS_OK) {
		json_object_put(line);
		return rc;
	}
	if (!json_object_object_get_ex(rec, "lines", &arr)) {
		arr = json_object_new_array();
		if (arr == NULL || json_object_object_add(rec, "lines", arr) != 0) {
			json_object_put(arr);
			json_object_put(line);
			return BS_ENOMEM;
		}
	}
	if (json_object_array_add(arr, line) != 0) {
		json_object_put(line);
		return BS_ENOMEM;
	}
	return BS_OK;
}

/* Build the record of a good first row (its line too, if it has lines.* cells). */
static int row_to_json(struct csv *c, const struct row *r, struct json_object **out,
                       struct bs_error *err)
{
	struct json_object *o = json_object_new_object();
	int rc = BS_OK, have_kind = 0;

	if (o == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	for (size_t j = 0; j < r->n && rc == BS_OK; j++) {
		size_t len;
		const char *v = cell(r, j, &len);
		struct json_object *val = NULL;

		if (len == 0)
			continue;
		switch (c->cols[j].role) {
		case COL_FIELD:
			rc = set_path(o, c->cols[j].segs, c->cols[j].nsegs, new_str(v, len));
			have_kind |= j == c->kind_col;
			break;
		case COL_LINES_JSON:
			rc = lines_cell(c, r, j, &val, err);
			if (rc == BS_OK)
				rc = set_path(o, c->cols[j].segs, 1, val);
			break;
		default:
			break;
		}
	}
	if (rc == BS_OK && !have_kind && c->kind != NULL)
		rc = set_path(o, (const char *const[]){"kind"}, 1, json_object_new_string(c->kind));
	if (rc == BS_OK && c->has_line_cols)
		rc = add_line(c, r, o);
	if (rc != BS_OK) {
		json_object_put(o);
		if (rc != BS_EPARSE && rc != BS_ETOOBIG)
			bs_error_set(err, rc, "line %llu: %s", (unsigned long long)r->line,
			             bs_strerror(rc));
		return rc;
	}
	*out = o;
	return BS_OK;
}

/* The first non-line cell where `later` disagrees with `first`, or SIZE_MAX. */
static size_t disagreement(const struct csv *c, const struct row *first, const struct row *later)
{
	for (size_t j = 0; j < later->n; j++) {
		size_t la, lb;
		const char *a = cell(later, j, &la), *b;

		if (la == 0 || c->cols[j].role == COL_LINE_FIELD)
			continue;
		b = cell(first, j, &lb);
		if (la != lb || memcmp(a, b, la) != 0)
			return j;
	}
	return SIZE_MAX;
}

/* Same non-empty id as the run's first row? */
static int same_id(const struct csv *c, const struct row *a, const struct row *b)
{
	size_t la, lb;
	const char *x = cell(a, c->id_col, &la), *y = cell(b, c->id_col, &lb);

	return la > 0 && la == lb && memcmp(x, y, la) == 0;
}

/*
 * Read the rows after `first` that share its id, adding each one's line to
 * `o` while `rc` is BS_OK; once the run is bad (rc and the message in err)
 * the rest of it is read and dropped.  Stops at the first row of another
 * id (kept in `ahead` for the next call), at the end, or at an unreadable
 * row (kept in pend_*).  *last gets the line of the run's last row.
 * Returns the run's status.
 */
static int gather_run(struct csv *c, const struct row *first, struct json_object *o, int rc,
                      uint64_t *last, struct bs_error *err)
{
	*last = first->line;
	for (;;) {
		struct row *r = c->ahead;
		uint64_t l2;
		int rr = read_row(c, r, &l2, &c->pend_err);

		if (rr == 0) {
			c->done = 1;
			break;
		}
		if (rr < 0) {
			c->pend_rc = rr;
			c->pend_line = l2;
			if (rr == BS_ETOOBIG) {
				c->bad_line = l2;
				if (rc == BS_OK)
					rc = bs_error_set(
					    err, BS_EPARSE,
					    "line %llu: rows of id %s are followed by "
					    "an unreadable row (line %llu) that may "
					    "belong to them",
					    (unsigned long long)first->line,
					    cell(first, c->id_col, NULL), (unsigned long long)l2);
			}
			break;
		}
		if (!same_id(c, first, r)) {
			c->pend = 1;
			break;
		}
		*last = r->line;
		if (rc != BS_OK)
			continue; /* the run is bad already: swallow the rest of it */
		if (r->rc != BS_OK) {
			rc = bs_error_set(err, r->rc, "%s (in the rows of id %s from line %llu)",
			                  r->err.msg, cell(first, c->id_col, NULL),
			                  (unsigned long long)first->line);
		} else {
			size_t j = disagreement(c, first, r);

			if (j != SIZE_MAX)
				rc = bs_error_set(err, BS_EPARSE,
				                  "line %llu: rows of id %s disagree on field %s",
				                  (unsigned long long)r->line,
				                  cell(first, c->id_col, NULL), c->cols[j].name);
			else if ((rc = add_line(c, r, o)) != BS_OK)
				bs_error_set(err, rc, "line %llu: %s", (unsigned long long)r->line,
				             bs_strerror(rc));
		}
	}
	return rc;
}

/*
 * The refusal of a run whose id had rows earlier in the file (from line
 * `from`, 0 when not known): those were handed on already, so this run
 * cannot join them, and taking it as the record would drop theirs.
 */
static int apart_error(const struct csv *c, const struct row *first, uint64_t from, uint64_t last,
                       struct bs_error *err)
{
	char at[64], before[64], rec[64];
	int one = last == first->line;

	if (one)
		snprintf(at, sizeof(at), "line %llu", (unsigned long long)first->line);
	else
		snprintf(at, sizeof(at), "lines %llu-%llu", (unsigned long long)first->line,
		         (unsigned long long)last);
	if (from != 0) {
		snprintf(before, sizeof(before), "from line %llu", (unsigned long long)from);
		snprintf(rec, sizeof(rec), "the record from line %llu", (unsigned long long)from);
	} else {
		snprintf(before, sizeof(before), "earlier in the file");
		snprintf(rec, sizeof(rec), "the earlier record");
	}
	return bs_error_set(err, BS_EPARSE,
	                    "line %llu: %s of id %s at %s %s apart from its rows %s (a record's "
	                    "rows must be consecutive): rejected, so %s lacks %s",
	                    (unsigned long long)first->line, one ? "the row" : "rows",
	                    cell(first, c->id_col, NULL), at, one ? "is" : "are", before, rec,
	                    one ? "its line" : "their lines");
}

int csv_next(struct csv *c, struct json_object **rec, uint64_t *line, struct bs_error *err)
{
	struct json_object *o = NULL;
	struct row *first;
	uint64_t from = 0, last;
	size_t idlen = 0;
	int rc, again, after_bad;

	*rec = NULL;
	*line = 0;
	if (c->pend_rc != BS_OK) {
		rc = c->pend_rc;
		*line = c->pend_line;
		if (err != NULL)
			*err = c->pend_err;
		c->pend_rc = BS_OK;
		return rc;
	}
	if (c->done)
		return 0;
	if (c->pend) {
		struct row *t = c->cur;

		c->cur = c->ahead;
		c->ahead = t;
		c->pend = 0;
	} else {
		rc = read_row(c, c->cur, line, err);
		if (rc <= 0) {
			if (rc == 0 || rc == BS_EIO || rc == BS_ENOMEM)
				c->done = 1;
			if (rc == BS_ETOOBIG && c->has_line_cols)
				c->bad_line = *line;
			return rc;
		}
	}
	first = c->cur;
	*line = first->line;
	if (first->rc == BS_OK) {
		rc = row_to_json(c, first, &o, err);
	} else {
		rc = first->rc;
		if (err != NULL)
			*err = first->err;
	}
	/*
	 * A row too long to read may have belonged to the run that follows it
	 * (its id is unknown): refuse the run rather than store it short of a line.
	 */
	after_bad = c->bad_line != 0;
	if (after_bad && rc == BS_OK && cell(first, c->id_col, NULL)[0] != '\0') {
		json_object_put(o);
		o = NULL;
		rc = bs_error_set(err, BS_EPARSE,
		                  "line %llu: rows of id %s follow an unreadable row (line %llu) "
		                  "that may belong to them",
		                  (unsigned long long)first->line, cell(first, c->id_col, NULL),
		                  (unsigned long long)c->bad_line);
	}
	c->bad_line = 0;
	if (!c->has_line_cols || cell(first, c->id_col, &idlen)[0] == '\0') {
		*rec = o;
		return rc == BS_OK ? 1 : rc;
	}
	/* Every run's id is remembered, a bad run's too: a later run of it
	 * must not quietly become the record either. */
	again = idset_add(c->seen, cell(first, c->id_col, NULL), idlen, first->line, &from);
	if (again < 0) {
		json_object_put(o);
		c->done = 1;
		return bs_error_set(err, again, "line %llu: %s", (unsigned long long)first->line,
		                    bs_strerror(again));
	}
	if (again) {
		json_object_put(o);
		o = NULL;
		rc = BS_EPARSE; /* the message once the run's last line is known */
	}
	rc = gather_run(c, first, o, rc, &last, err);
	/* After an unreadable row the run is refused for that already: it may
	 * be the rest of the run before, not one apart from it. */
	if (again && !after_bad && rc != BS_ENOMEM)
		rc = apart_error(c, first, from, last, err);
	if (rc != BS_OK) {
		json_object_put(o);
		if (rc == BS_ENOMEM)
			c->done = 1;
		return rc;
	}
	*rec = o;
	return 1;
}
