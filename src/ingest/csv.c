/*
 * csv.c - CSV rows to record objects (see csv.h and source.h).
 *
 * Each good row becomes JSON: every cell a string (no number guessing),
 * dotted column names nesting, a `lines` cell parsed as a JSON array.
 * With `lines.*` columns a record is a run of consecutive rows with the
 * same id, so one row is read ahead: `pend` holds it (or the error of an
 * unreadable row) until the next call.  A bad row that shares the id of
 * the run being built spoils the whole run, so a record is never stored
 * with some of its lines missing.  A run whose id already had a run
 * earlier in the file is refused, naming both: the earlier one is handed
 * on already (the file is read once, in bounded memory per record), and
 * taking the later one as the record would replace it and drop its lines.
 * The ids seen are an idset (idset.h).  Reading rows is csv_read.c.
 */
#include "ingest/csv_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static int lines_cell(struct csv *c, const struct csv_row *r, size_t j, struct json_object **out,
                      struct bs_error *err)
{
	size_t len;
	const char *v = csv_cell(r, j, &len);
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
static int add_line(struct csv *c, const struct csv_row *r, struct json_object *rec)
{
	struct json_object *line = NULL, *arr;
	int rc = BS_OK;

	for (size_t j = 0; j < r->n && rc == BS_OK; j++) {
		size_t len;
		const char *v = csv_cell(r, j, &len);

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
static int row_to_json(struct csv *c, const struct csv_row *r, struct json_object **out,
                       struct bs_error *err)
{
	struct json_object *o = json_object_new_object();
	int rc = BS_OK, have_kind = 0;

	if (o == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	for (size_t j = 0; j < r->n && rc == BS_OK; j++) {
		size_t len;
		const char *v = csv_cell(r, j, &len);
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
static size_t disagreement(const struct csv *c, const struct csv_row *first,
                           const struct csv_row *later)
{
	for (size_t j = 0; j < later->n; j++) {
		size_t la, lb;
		const char *a = csv_cell(later, j, &la), *b;

		if (la == 0 || c->cols[j].role == COL_LINE_FIELD)
			continue;
		b = csv_cell(first, j, &lb);
		if (la != lb || memcmp(a, b, la) != 0)
			return j;
	}
	return SIZE_MAX;
}

/* Same non-empty id as the run's first row? */
static int same_id(const struct csv *c, const struct csv_row *a, const struct csv_row *b)
{
	size_t la, lb;
	const char *x = csv_cell(a, c->id_col, &la), *y = csv_cell(b, c->id_col, &lb);

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
static int gather_run(struct csv *c, const struct csv_row *first, struct json_object *o, int rc,
                      uint64_t *last, struct bs_error *err)
{
	*last = first->line;
	for (;;) {
		struct csv_row *r = c->ahead;
		uint64_t l2;
		int rr = csv_read_row(c, r, &l2, &c->pend_err);

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
					rc =
					    bs_error_set(err, BS_EPARSE,
					                 "line %llu: rows of id %s are followed by "
					                 "an unreadable row (line %llu) that may "
					                 "belong to them",
					                 (unsigned long long)first->line,
					                 csv_cell(first, c->id_col, NULL),
					                 (unsigned long long)l2);
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
			                  r->err.msg, csv_cell(first, c->id_col, NULL),
			                  (unsigned long long)first->line);
		} else {
			size_t j = disagreement(c, first, r);

			if (j != SIZE_MAX)
				rc = bs_error_set(
				    err, BS_EPARSE, "line %llu: rows of id %s disagree on field %s",
				    (unsigned long long)r->line, csv_cell(first, c->id_col, NULL),
				    c->cols[j].name);
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
static int apart_error(const struct csv *c, const struct csv_row *first, uint64_t from,
                       uint64_t last, struct bs_error *err)
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
	                    csv_cell(first, c->id_col, NULL), at, one ? "is" : "are", before, rec,
	                    one ? "its line" : "their lines");
}

int csv_next(struct csv *c, struct json_object **rec, uint64_t *line, struct bs_error *err)
{
	struct json_object *o = NULL;
	struct csv_row *first;
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
		struct csv_row *t = c->cur;

		c->cur = c->ahead;
		c->ahead = t;
		c->pend = 0;
	} else {
		rc = csv_read_row(c, c->cur, line, err);
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
	if (after_bad && rc == BS_OK && csv_cell(first, c->id_col, NULL)[0] != '\0') {
		json_object_put(o);
		o = NULL;
		rc = bs_error_set(err, BS_EPARSE,
		                  "line %llu: rows of id %s follow an unreadable row (line %llu) "
		                  "that may belong to them",
		                  (unsigned long long)first->line, csv_cell(first, c->id_col, NULL),
		                  (unsigned long long)c->bad_line);
	}
	c->bad_line = 0;
	if (!c->has_line_cols || csv_cell(first, c->id_col, &idlen)[0] == '\0') {
		*rec = o;
		return rc == BS_OK ? 1 : rc;
	}
	/* Every run's id is remembered, a bad run's too: a later run of it
	 * must not quietly become the record either. */
	again = idset_add(c->seen, csv_cell(first, c->id_col, NULL), idlen, first->line, &from);
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
