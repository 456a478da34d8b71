/*
 * api_h_consolidated.c - GET /api/v1/consolidated: the Consolidated view
 * with the CLI's filters (sync/consview.h), a page at a time, or whole as
 * CSV when the client sends `Accept: text/csv` (docs/openapi.yaml).
 *
 * The view is built in memory and sorted as `booksync consolidated`
 * sorts it; a page resumes after the last row shown, found by its sort
 * key (the column's value and the number) rather than by a position, so a
 * member that appears between two requests does not shift a page.
 */
#include "api/api_data_int.h"

#include "core/jsonw.h"
#include "core/money.h"
#include "store/store.h"
#include "sync/consview.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const col_names[] = {"number", "type", "consolidated", "date", "amount"};

static const char *col_value(const struct consview_row *r, enum consview_col col)
{
	switch (col) {
	case CONSVIEW_NUMBER:
		return r->number;
	case CONSVIEW_TYPE:
		return r->type;
	case CONSVIEW_CONSOLIDATED:
		return r->cons;
	case CONSVIEW_AMOUNT:
		return r->amount;
	default:
		return r->date;
	}
}

/* Whether the client asks for CSV (Accept holds text/csv). */
static bool wants_csv(const struct http_req *req)
{
	const char *a = http_req_header(req, "Accept");

	for (; a != NULL && *a != '\0'; a++)
		if (strncasecmp(a, "text/csv", 8) == 0)
			return true;
	return false;
}

static bool parse_bool(const char *v, bool *out)
{
	if (v == NULL)
		return true;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || v[0] == '\0')
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return false;
	return true;
}

void api_h_consolidated(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const char *sort = http_req_query(req, "sort"), *cursor = http_req_query(req, "cursor");
	struct consview_filter f;
	struct consview v;
	struct consview_row key;
	struct buf tbuf, scratch, next;
	struct bs_error err;
	struct buf *b = &resp->body;
	size_t limit, from = 0, to;
	char desc_s[2] = "0";
	int rc;

	memset(&f, 0, sizeof(f));
	memset(&v, 0, sizeof(v));
	buf_init(&tbuf, 1024);
	buf_init(&scratch, 4096);
	buf_init(&next, 4096);
	bs_error_clear(&err);
	f.sort = CONSVIEW_DATE;
	f.search = http_req_query(req, "search");
	f.type = http_req_query(req, "type");
	if (f.search != NULL && f.search[0] == '\0')
		f.search = NULL;
	if (f.type != NULL && f.type[0] == '\0')
		f.type = NULL;
	if (sort != NULL && consview_col_parse(sort, &f.sort) != BS_OK) {
		api_error(resp, 400, "sort",
		          "sort must be number, type, consolidated, date or amount");
		goto out;
	}
	if (!parse_bool(http_req_query(req, "desc"), &f.desc)) {
		api_error(resp, 400, "desc", "desc must be true or false");
		goto out;
	}
	desc_s[0] = f.desc ? '1' : '0';
	if (api_data_limit(req, resp, 50, &limit) != BS_OK)
		goto out;
	memset(&key, 0, sizeof(key));
	if (cursor != NULL) {
		const char *fl[4];

		/* sort column, direction, the last row's number and column value */
		if (api_cursor_decode(cursor, &scratch, fl, 4) != BS_OK ||
		    strcmp(fl[0], col_names[f.sort]) != 0 || strcmp(fl[1], desc_s) != 0) {
			api_error(resp, 400, "cursor",
			          "not a cursor of this list (or of another sort)");
			goto out;
		}
		key.number = (char *)(uintptr_t)fl[2];
		key.type = key.cons = key.ledger = key.date = key.amount = (char *)(uintptr_t)fl[3];
		if (f.sort == CONSVIEW_AMOUNT &&
		    money_parse(fl[3], strlen(fl[3]), 6, &key.micros) != BS_OK) {
			api_error(resp, 400, "cursor", "not a cursor of this list");
			goto out;
		}
	}
	if (api_data_target(c, http_req_query(req, "target"), resp, &tbuf, &f.target) != BS_OK)
		goto out;
	rc = consview_load(c->st, &f, &v, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	buf_reset(b);
	if (wants_csv(req)) {
		/* the filtered view whole, as `consolidated --csv` */
		resp->status = 200;
		resp->content_type = "text/csv; charset=utf-8";
		http_resp_header(resp, "Content-Disposition",
		                 "attachment; filename=\"consolidated.csv\"");
		rc = consview_csv_header(b);
		for (size_t i = 0; i < v.n && rc == BS_OK; i++)
			rc = consview_csv_row(&v.v[i], b);
		if (rc != BS_OK)
			api_error(resp, 500, NULL, "the CSV is too large to send");
		goto out;
	}
	if (cursor != NULL)
		while (from < v.n && consview_cmp(&v.v[from], &key, f.sort, f.desc) <= 0)
			from++;
	to = from + limit < v.n ? from + limit : v.n;
	api_json(resp, 200);
	buf_addstr(b, "{\"items\":[");
	for (size_t i = from; i < to; i++) {
		const struct consview_row *w = &v.v[i];

		buf_addstr(b, i > from ? ",{" : "{");
		jsonw_kv_str(b, 0, "number", w->number);
		jsonw_kv_str(b, 1, "type", w->type);
		jsonw_kv_str(b, 1, "consolidated", w->cons);
		jsonw_kv_str(b, 1, "ledger_number", w->ledger);
		jsonw_kv_str(b, 1, "date", w->date);
		jsonw_kv_str(b, 1, "amount", w->amount);
		buf_addc(b, '}');
	}
	buf_addstr(b, "],\"next\":");
	if (to < v.n && to > from) {
		const struct consview_row *w = &v.v[to - 1];
		const char *fl[4] = {col_names[f.sort], desc_s, w->number, col_value(w, f.sort)};

		if (api_cursor_encode(fl, 4, &next) != BS_OK) {
			api_error(resp, 500, NULL, "cannot make the next cursor");
			goto out;
		}
		jsonw_str(b, buf_cstr(&next));
	} else {
		buf_addstr(b, "null");
	}
	jsonw_kv_int(b, 1, "total", (int64_t)v.n);
	if (buf_addc(b, '}') != BS_OK)
		api_error(resp, 500, NULL, "the answer is too large");
out:
	consview_free(&v);
	buf_free(&next);
	buf_free(&scratch);
	buf_free(&tbuf);
}
