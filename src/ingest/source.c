/*
 * source.c - format detection, JSON Lines and JSON arrays (see source.h).
 *
 * JSON Lines reuse one json_tokener, reset per line: a line is checked for
 * UTF-8 here (json-c's own check lets overlong forms and surrogates
 * through), then parsed strictly; the whole line must be one object.  A JSON array is
 * read whole (bounded by max_line), parsed once, and handed out element by
 * element.  CSV lives in csv.c.
 */
#include "ingest/source.h"

#include "core/buf.h"
#include "ingest/csv.h"
#include "ingest/lines.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Strict JSON; trailing text is detected here (with a better message).
 * JSON_TOKENER_VALIDATE_UTF8 (present in json-c 0.16) is left off on
 * purpose: every byte handed to the tokener has already passed
 * lines_utf8_check, which is stricter (json-c only counts continuation
 * bytes, letting overlong forms and surrogates through), and the flag cost
 * 15-25% of parse time on 650-byte sale lines.
 */
#define SOURCE_TOKENER_FLAGS (JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS)

/* Largest max_line honoured: json-c's lengths are ints. */
#define SOURCE_MAX_LINE_CAP ((size_t)1 << 30)

struct source {
	char *name;
	enum source_format format;
	int fd, own_fd;
	size_t max_line;
	struct lines *lines;
	json_tokener *tok;
	/* JSON array */
	struct json_object *array;
	size_t index, count;
	/* CSV */
	struct csv *csv;
	int failed; /* status of a fatal error (read error, out of memory), else 0 */
	int empty;  /* the input holds no records at all */
};

/* The kinds of docs/records.md; a plural is the kind + "s" except where given. */
static const struct {
	const char *kind, *plural;
} kinds[] = {
    {"customer", NULL},    {"supplier", NULL},     {"product", NULL},      {"sale", NULL},
    {"credit_note", NULL}, {"payment", NULL},      {"purchase", NULL},     {"adjustment", NULL},
    {"cogs", "cogs"},      {"gift_voucher", NULL}, {"store_credit", NULL}, {"money_task", NULL},
    {"journal", NULL},
};

const char *source_kind_from_word(const char *word, size_t n)
{
	char w[32];

	if (n == 0 || n >= sizeof(w))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = word[i];

		if (c == '-' || c == ' ')
			c = '_';
		else if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		w[i] = c;
	}
	w[n] = '\0';
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t k = strlen(kinds[i].kind);

		if (strcmp(w, kinds[i].kind) == 0)
			return kinds[i].kind;
		if (kinds[i].plural != NULL) {
			if (strcmp(w, kinds[i].plural) == 0)
				return kinds[i].kind;
		} else if (n == k + 1 && memcmp(w, kinds[i].kind, k) == 0 && w[k] == 's') {
			return kinds[i].kind;
		}
	}
	return NULL;
}

const char *source_kind_from_filename(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t n;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	/* The whole stem, then ever shorter tails after a separator. */
	for (size_t i = 0; i < n; i++) {
		const char *k;

		if (i > 0 && base[i - 1] != '_' && base[i - 1] != '-' && base[i - 1] != '.' &&
		    base[i - 1] != ' ')
			continue;
		k = source_kind_from_word(base + i, n - i);
		if (k != NULL)
			return k;
	}
	return NULL;
}

/* Does the name end in `ext` (with its dot), ignoring case? */
static int has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && strcasecmp(name + n - e, ext) == 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Prefix the file name to an open-time message. */
static int fail_open(struct bs_error *err, int rc, const char *name)
{
	if (err != NULL && err->code == rc)
		bs_error_prefix(err, "%s: ", name);
	else
		bs_error_set(err, rc, "%s: %s", name, bs_strerror(rc));
	return rc;
}

/* Line (1-based) of byte `off` in p. */
static uint64_t line_of(const char *p, size_t off)
{
	uint64_t line = 1;

	for (size_t i = 0; i < off; i++)
		line += p[i] == '\n';
	return line;
}

/*
 * Reject what json-c would silently get wrong: integers out of range (it
 * clamps them to INT64_MIN/MAX, UINT64_MAX, losing the digits) and strings
 * with NUL characters (cut short as C strings).  Depth is bounded by the
 * tokener's limit (32).
 */
int source_json_check(struct json_object *v, const char *at, struct bs_error *err)
{
	switch (json_object_get_type(v)) {
	case json_type_int: {
		int64_t i = json_object_get_int64(v);
		uint64_t u = json_object_get_uint64(v);

		if (i == INT64_MIN || i == INT64_MAX || u == UINT64_MAX)
			return bs_error_set(err, BS_EPARSE,
			                    "%s: number %s is out of range (give large amounts as "
			                    "decimal text)",
			                    at, json_object_get_string(v));
		return BS_OK;
	}
	case json_type_string:
		if (memchr(json_object_get_string(v), '\0', (size_t)json_object_get_string_len(v)))
			return bs_error_set(err, BS_EPARSE, "%s: string contains \\u0000", at);
		return BS_OK;
	case json_type_array: {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++) {
			int rc = source_json_check(json_object_array_get_idx(v, i), at, err);

			if (rc != BS_OK)
				return rc;
		}
		return BS_OK;
	}
	case json_type_object: {
		json_object_object_foreach(v, key, val)
		{
			int rc;

			(void)key;
			rc = source_json_check(val, at, err);
			if (rc != BS_OK)
				return rc;
		}
		return BS_OK;
	}
	default:
		return BS_OK;
	}
}

/* Parse one JSON Lines line (blank lines were skipped) into a new object. */
static int parse_line(struct source *s, const char *p, size_t n, uint64_t line,
                      struct json_object **rec, struct bs_error *err)
{
	struct json_object *o;
	enum json_tokener_error je;
	enum lines_utf8 u;
	size_t bad, end;
	char at[32];
	int rc;

	snprintf(at, sizeof(at), "line %llu", (unsigned long long)line);
	u = lines_utf8_check(p, n, &bad);
	if (u != LINES_UTF8_OK)
		return bs_error_set(err, BS_EPARSE, "%s: %s at byte %zu", at,
		                    u == LINES_UTF8_NUL ? "NUL byte" : "invalid UTF-8", bad + 1);
	if (p[0] != '{')
		return bs_error_set(err, BS_EPARSE, "%s: expected a JSON object", at);
	if (n > INT32_MAX)
		return bs_error_set(err, BS_ETOOBIG, "%s: line is too long for the JSON parser",
		                    at);
	json_tokener_reset(s->tok);
	o = json_tokener_parse_ex(s->tok, p, (int)n);
	je = json_tokener_get_error(s->tok);
	if (o == NULL) {
		if (je == json_tokener_continue)
			return bs_error_set(
			    err, BS_EPARSE,
			    "%s: malformed JSON: unexpected end of line (JSON Lines "
			    "needs each object on one line)",
			    at);
		return bs_error_set(err, BS_EPARSE, "%s: malformed JSON: %s at byte %zu", at,
		                    json_tokener_error_desc(je),
		                    json_tokener_get_parse_end(s->tok) + 1);
	}
	end = json_tokener_get_parse_end(s->tok);
	if (end < n) {
		json_object_put(o);
		return bs_error_set(
		    err, BS_EPARSE,
		    "%s: malformed JSON: unexpected text after the object at byte %zu", at,
		    end + 1);
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return bs_error_set(err, BS_EPARSE, "%s: expected a JSON object", at);
	}
	rc = source_json_check(o, at, err);
	if (rc != BS_OK) {
		json_object_put(o);
		return rc;
	}
	*rec = o;
	return 1;
}

static int next_jsonl(struct source *s, struct json_object **rec, struct source_pos *pos,
                      struct bs_error *err)
{
	struct lines_rec r;
	int rc;

	for (;;) {
		const char *p;
		size_t n;

		rc = lines_next(s->lines, &r, err);
		pos->line = r.line;
		if (rc <= 0)
			return rc;
		p = r.ptr;
		n = r.len;
		while (n > 0 && is_blank(*p)) {
			p++;
			n--;
		}
		while (n > 0 && is_blank(p[n - 1]))
			n--;
		if (n == 0)
			continue;
		return parse_line(s, p, n, r.line, rec, err);
	}
}

static int next_array(struct source *s, struct json_object **rec, struct source_pos *pos,
                      struct bs_error *err)
{
	struct json_object *e;
	char at[40];
	int rc;

	if (s->index >= s->count)
		return 0;
	pos->line = 0;
	pos->index = (int64_t)s->index;
	e = json_object_array_get_idx(s->array, s->index);
	snprintf(at, sizeof(at), "element %zu", s->index);
	s->index++;
	if (!json_object_is_type(e, json_type_object))
		return bs_error_set(err, BS_EPARSE, "%s: expected a JSON object", at);
	rc = source_json_check(e, at, err);
	if (rc != BS_OK)
		return rc;
	*rec = json_object_get(e);
	return 1;
}

/* Read and parse the whole JSON array now; the source holds it until closed. */
static int open_array(struct source *s, struct bs_error *err)
{
	struct buf b;
	struct json_object *o = NULL;
	enum lines_utf8 u;
	size_t bad;
	int rc;

	buf_init(&b, s->max_line);
	rc = lines_slurp(s->lines, &b, err);
	if (rc == BS_ETOOBIG) {
		rc = bs_error_set(err, BS_ETOOBIG,
		                  "a JSON array larger than %zu bytes is not read: "
		                  "give it as JSON Lines (one object per line)",
		                  s->max_line);
		goto out;
	}
	if (rc != BS_OK)
		goto out;
	u = lines_utf8_check(b.ptr, b.len, &bad);
	if (u != LINES_UTF8_OK) {
		rc = bs_error_set(err, BS_EPARSE, "line %llu: %s",
		                  (unsigned long long)line_of(b.ptr, bad),
		                  u == LINES_UTF8_NUL ? "NUL byte" : "invalid UTF-8");
		goto out;
	}
	if (b.len > INT32_MAX) {
		rc = bs_error_set(err, BS_ETOOBIG, "JSON array too large for the parser");
		goto out;
	}
	json_tokener_reset(s->tok);
	o = json_tokener_parse_ex(s->tok, buf_cstr(&b), (int)b.len);
	if (o == NULL) {
		enum json_tokener_error je = json_tokener_get_error(s->tok);
		size_t end = json_tokener_get_parse_end(s->tok);

		rc = bs_error_set(err, BS_EPARSE, "line %llu: malformed JSON: %s",
		                  (unsigned long long)line_of(b.ptr, end),
		                  je == json_tokener_continue ? "unexpected end of data"
		                                              : json_tokener_error_desc(je));
		goto out;
	}
	for (size_t i = json_tokener_get_parse_end(s->tok); i < b.len; i++) {
		if (!is_blank(b.ptr[i])) {
			rc = bs_error_set(
			    err, BS_EPARSE,
			    "line %llu: malformed JSON: unexpected text after the array",
			    (unsigned long long)line_of(b.ptr, i));
			goto out;
		}
	}
	if (!json_object_is_type(o, json_type_array)) {
		rc = bs_error_set(err, BS_EPARSE, "expected a JSON array of objects");
		goto out;
	}
	s->array = o;
	o = NULL;
	s->count = json_object_array_length(s->array);
	rc = BS_OK;
out:
	json_object_put(o);
	buf_free(&b);
	return rc;
}

/* The format the name implies, or SOURCE_AUTO. */
static enum source_format format_from_name(const char *name)
{
	if (has_ext(name, ".jsonl") || has_ext(name, ".ndjson"))
		return SOURCE_JSONL;
	if (has_ext(name, ".json"))
		return SOURCE_JSON_ARRAY;
	if (has_ext(name, ".csv"))
		return SOURCE_CSV;
	return SOURCE_AUTO;
}

/* Common open: `s` has its lines reader; detect the format and get ready. */
static int open_common(struct source *s, const struct source_opts *opts, struct bs_error *err)
{
	enum source_format f = opts ? opts->format : SOURCE_AUTO;
	int by_name = 0, c, rc;

	bs_error_clear(err);
	s->tok = json_tokener_new();
	if (s->tok == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	json_tokener_set_flags(s->tok, SOURCE_TOKENER_FLAGS);
	if (f == SOURCE_AUTO) {
		f = format_from_name(s->name);
		by_name = f != SOURCE_AUTO;
	}
	rc = lines_peek_nonblank(s->lines, &c, err);
	if (rc != BS_OK)
		return rc;
	if (c < 0) {
		s->empty = 1; /* no records in any format */
		s->format = f == SOURCE_AUTO ? SOURCE_JSONL : f;
		return BS_OK;
	}
	if (c == 0xFE || c == 0xFF || c == 0)
		/* Never the first byte of UTF-8 text: most likely UTF-16 ("Unicode text" in Excel).
		 */
		return bs_error_set(err, BS_EPARSE,
		                    "not UTF-8 text (UTF-16 or binary?): save it as UTF-8");
	if (f == SOURCE_AUTO)
		f = c == '{' ? SOURCE_JSONL : c == '[' ? SOURCE_JSON_ARRAY : SOURCE_CSV;
	else if (f == SOURCE_JSON_ARRAY && by_name && c == '{')
		f = SOURCE_JSONL; /* "x.json" holding JSON Lines */
	s->format = f;
	switch (f) {
	case SOURCE_JSON_ARRAY:
		return open_array(s, err);
	case SOURCE_CSV: {
		const char *kind = NULL;

		if (opts != NULL && opts->kind != NULL && opts->kind[0] != '\0') {
			kind = source_kind_from_word(opts->kind, strlen(opts->kind));
			if (kind == NULL)
				kind = opts->kind; /* the model reports the unknown kind */
		} else {
			kind = source_kind_from_filename(s->name);
		}
		lines_set_mode(s->lines, LINES_CSV);
		rc = csv_open(s->lines, kind, s->max_line, &s->csv, err);
		if (rc == BS_EPARSE && !by_name && (opts == NULL || opts->format == SOURCE_AUTO))
			bs_error_prefix(err, "not JSON, and not CSV: ");
		return rc;
	}
	default:
		return BS_OK;
	}
}

/* A new source named `name`, or NULL (out of memory, message in err). */
static struct source *source_new(const char *name, const struct source_opts *opts,
                                 struct bs_error *err)
{
	struct source *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->name = strdup(name)) == NULL) {
		free(s);
		bs_error_set(err, BS_ENOMEM, "%s: out of memory", name);
		return NULL;
	}
	s->fd = -1;
	s->max_line = opts && opts->max_line ? opts->max_line : LINES_MAX_DEFAULT;
	if (s->max_line > SOURCE_MAX_LINE_CAP)
		s->max_line = SOURCE_MAX_LINE_CAP; /* json-c takes int lengths */
	return s;
}

static struct lines_opts lines_opts_of(const struct source *s, const struct source_opts *opts)
{
	struct lines_opts lo = {LINES_PLAIN, s->max_line, 0};

	if (opts != NULL)
		lo.chunk = opts->chunk;
	return lo;
}

int source_open_fd(int fd, const char *name, const struct source_opts *opts, struct source **out,
                   struct bs_error *err)
{
	struct lines_opts lo;
	struct source *s;
	int rc;

	*out = NULL;
	s = source_new(name, opts, err);
	if (s == NULL)
		return BS_ENOMEM;
	lo = lines_opts_of(s, opts);
	rc = lines_open_fd(fd, &lo, &s->lines);
	if (rc == BS_OK)
		rc = open_common(s, opts, err);
	if (rc != BS_OK) {
		fail_open(err, rc, name);
		source_close(s);
		return rc;
	}
	*out = s;
	return BS_OK;
}

int source_open_mem(const void *data, size_t len, const char *name, const struct source_opts *opts,
                    struct source **out, struct bs_error *err)
{
	struct lines_opts lo;
	struct source *s;
	int rc;

	*out = NULL;
	s = source_new(name, opts, err);
	if (s == NULL)
		return BS_ENOMEM;
	lo = lines_opts_of(s, opts);
	rc = lines_open_mem(data, len, &lo, &s->lines);
	if (rc == BS_OK)
		rc = open_common(s, opts, err);
	if (rc != BS_OK) {
		fail_open(err, rc, name);
		source_close(s);
		return rc;
	}
	*out = s;
	return BS_OK;
}

int source_open(const char *path, const struct source_opts *opts, struct source **out,
                struct bs_error *err)
{
	struct stat st;
	int fd, rc;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		return source_open_fd(STDIN_FILENO, "<stdin>", opts, out, err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bs_error_set(err, BS_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return bs_error_set(err, BS_EIO, "%s: %s", path, strerror(EISDIR));
	}
	rc = source_open_fd(fd, path, opts, out, err);
	if (rc != BS_OK) {
		close(fd);
		return rc;
	}
	(*out)->fd = fd;
	(*out)->own_fd = 1;
	return BS_OK;
}

int source_next(struct source *s, struct json_object **rec, struct source_pos *pos,
                struct bs_error *err)
{
	int rc;

	*rec = NULL;
	pos->file = s->name;
	pos->line = 0;
	pos->index = -1;
	if (s->failed)
		return bs_error_set(err, s->failed, "cannot read on after an earlier error: %s",
		                    bs_strerror(s->failed));
	if (s->empty)
		return 0;
	switch (s->format) {
	case SOURCE_JSON_ARRAY:
		return next_array(s, rec, pos, err);
	case SOURCE_CSV:
		rc = csv_next(s->csv, rec, &pos->line, err);
		break;
	default:
		rc = next_jsonl(s, rec, pos, err);
		break;
	}
	if (rc == BS_EIO || rc == BS_ENOMEM || rc == BS_EINTERNAL)
		s->failed = rc;
	return rc;
}

void source_progress(const struct source *s, uint64_t *done, uint64_t *total)
{
	lines_progress(s->lines, done, total);
}

enum source_format source_format(const struct source *s)
{
	return s->format;
}

void source_close(struct source *s)
{
	if (s == NULL)
		return;
	csv_close(s->csv);
	lines_close(s->lines);
	json_object_put(s->array);
	if (s->tok != NULL)
		json_tokener_free(s->tok);
	if (s->own_fd)
		close(s->fd);
	free(s->name);
	free(s);
}
