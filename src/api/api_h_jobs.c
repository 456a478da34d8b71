/*
 * api_h_jobs.c - POST /api/v1/sync, GET /api/v1/jobs/{id} and GET
 * /api/v1/jobs: sync jobs on the wire (docs/openapi.yaml "Job"); the
 * runner itself is api_jobs.c.
 */
#include "api/api_jobs_int.h"

#include "core/jsonw.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_DEFAULT 50
#define LIST_MAX     500

/* ISO 8601 UTC of Unix ms, or null for 0. */
static int json_time(struct buf *out, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL)
		return buf_addstr(out, "null");
	strftime(s, sizeof(s), "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
	return buf_addstr(out, s);
}

int api_job_json(struct buf *out, const struct store_job *j, const char *request)
{
	int bad = 0;

	bad |= buf_printf(out, "{\"id\":%lld", (long long)j->id);
	bad |= jsonw_kv_str(out, 1, "target", j->target);
	bad |= jsonw_kv_str(out, 1, "state", j->state);
	bad |= jsonw_kv_str(out, 1, "origin", j->origin);
	/* the request is JSON booksync wrote (sync/job.c) */
	bad |= buf_printf(out, ",\"request\":%s",
	                  request != NULL && request[0] != '\0' ? request : "{}");
	bad |= buf_addstr(out, ",\"created_at\":");
	bad |= json_time(out, j->created_ms);
	bad |= buf_addstr(out, ",\"started_at\":");
	bad |= json_time(out, j->started_ms);
	bad |= buf_addstr(out, ",\"finished_at\":");
	bad |= json_time(out, j->finished_ms);
	bad |= jsonw_kv_str(out, 1, "phase", j->phase);
	/* a job handed to the fleet: the worker that took it (none yet: null) */
	if (strcmp(j->runner, "fleet") == 0)
		bad |= j->worker[0] != '\0' ? jsonw_kv_str(out, 1, "worker", j->worker)
		                            : buf_addstr(out, ",\"worker\":null");
	bad |= buf_printf(out,
	                  ",\"progress\":{\"posted\":%lld,\"failed\":%lld,\"calls\":%lld,"
	                  "\"total\":%lld}",
	                  (long long)j->posted, (long long)j->failed, (long long)j->calls,
	                  (long long)j->total);
	if (j->has_summary)
		bad |= buf_printf(out,
		                  ",\"summary\":{\"posted\":%lld,\"failed\":%lld,\"skipped\":%lld,"
		                  "\"waiting\":%lld,\"calls\":%lld}",
		                  (long long)j->s_posted, (long long)j->s_failed,
		                  (long long)j->s_skipped, (long long)j->s_waiting,
		                  (long long)j->s_calls);
	else
		bad |= buf_addstr(out, ",\"summary\":null");
	bad |= jsonw_kv_str(out, 1, "message", j->message);
	bad |= buf_addc(out, '}');
	return bad != 0 ? BS_ETOOBIG : BS_OK;
}

/* The body of POST /sync into r; refs point into `body` (the caller keeps
 * it) through *refs, which the caller frees.  400 answered on error. */
static int sync_body(struct json_object *body, struct api_job_req *r, const char ***refs,
                     struct http_resp *resp)
{
	struct json_object_iterator it, end;

	*refs = NULL;
	if (!json_object_is_type(body, json_type_object)) {
		api_error(resp, 400, NULL, "the body is not a JSON object");
		return BS_EINVAL;
	}
	it = json_object_iter_begin(body);
	end = json_object_iter_end(body);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);
		struct json_object *v = json_object_iter_peek_value(&it);

		if (strcmp(k, "target") == 0 || strcmp(k, "tab") == 0) {
			if (!json_object_is_type(v, json_type_string)) {
				api_error(resp, 400, k, "%s must be a string", k);
				return BS_EINVAL;
			}
			if (strcmp(k, "target") == 0)
				r->sync.target = json_object_get_string(v);
			else
				r->sync.tab = json_object_get_string(v);
		} else if (strcmp(k, "all") == 0 || strcmp(k, "everything") == 0) {
			if (!json_object_is_type(v, json_type_boolean)) {
				api_error(resp, 400, k, "%s must be true or false", k);
				return BS_EINVAL;
			}
			if (strcmp(k, "all") == 0)
				r->sync.all = json_object_get_boolean(v);
			else
				r->sync.everything = json_object_get_boolean(v);
		} else if (strcmp(k, "select") == 0) {
			size_t n;

			if (!json_object_is_type(v, json_type_array) ||
			    (n = json_object_array_length(v)) == 0) {
				api_error(resp, 400, k, "select must be a non-empty array of refs");
				return BS_EINVAL;
			}
			*refs = calloc(n, sizeof(**refs));
			if (*refs == NULL) {
				api_error(resp, 500, NULL, "out of memory");
				return BS_ENOMEM;
			}
			for (size_t i = 0; i < n; i++) {
				struct json_object *e = json_object_array_get_idx(v, i);

				if (!json_object_is_type(e, json_type_string)) {
					api_error(resp, 400, k, "select holds refs (strings)");
					return BS_EINVAL;
				}
				(*refs)[i] = json_object_get_string(e);
			}
			r->sync.refs = *refs;
			r->sync.nrefs = n;
		} else {
			api_error(resp, 400, k, "unknown field '%s'", k);
			return BS_EINVAL;
		}
	}
	return BS_OK;
}

/* 202 with the job, or its error; a duplicate answers 409 naming the job
 * that is already queued or running.  Shared with resync (api_jobs_int.h). */
void api_jobs_answer(struct api_ctx *c, const struct api_job_req *r, struct http_resp *resp)
{
	struct store_job j;
	struct bs_error err;
	struct buf req;
	int64_t id = 0;
	int rc;

	bs_error_clear(&err);
	/* on the request's own connection, not a second one from the pool */
	if (api_jobs_of(c->srv) != NULL)
		rc = api_jobs_submit_on(api_jobs_of(c->srv), c->st, r, &id, &err);
	else
		rc = api_jobs_submit(c->srv, r, &id, &err);
	if (rc == BS_EBUSY && id > 0) {
		api_error(resp, 409, NULL, "%s", err.msg);
		/* the shape plus "job": the id of the job that runs it */
		buf_truncate(&resp->body, resp->body.len - 2);
		buf_printf(&resp->body, ",\"job\":%lld}}", (long long)id);
		return;
	}
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		return;
	}
	buf_init(&req, 0);
	rc = api_jobs_get(api_jobs_of(c->srv), c->st, id, &j, &req, &err);
	if (rc == BS_OK) {
		char loc[64];

		snprintf(loc, sizeof(loc), "/api/v1/jobs/%lld", (long long)id);
		http_resp_header(resp, "Location", loc);
		api_json(resp, 202);
		buf_reset(&resp->body);
		if (api_job_json(&resp->body, &j, buf_cstr(&req)) != BS_OK)
			api_error(resp, 500, NULL, "the answer is too big");
	} else {
		api_error_bs(resp, rc, &err);
	}
	buf_free(&req);
}

void api_h_sync(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct api_job_req r = {0};
	struct json_object *body = NULL;
	const char **refs = NULL;
	struct json_tokener *tok;

	if (req->body_len > 0) {
		tok = json_tokener_new();
		if (tok == NULL) {
			api_error(resp, 500, NULL, "out of memory");
			return;
		}
		body = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
		if (body == NULL || json_tokener_get_error(tok) != json_tokener_success ||
		    (size_t)json_tokener_get_parse_end(tok) != req->body_len) {
			json_tokener_free(tok);
			json_object_put(body);
			api_error(resp, 400, NULL, "the body is not JSON");
			return;
		}
		json_tokener_free(tok);
		if (sync_body(body, &r, &refs, resp) != BS_OK)
			goto out;
	}
	r.origin = c->who != NULL && c->who->session ? "dashboard" : "api";
	api_jobs_answer(c, &r, resp);
out:
	free(refs);
	json_object_put(body);
}

/* A job id from the path: digits, > 0. */
static int64_t path_id(const char *s)
{
	int64_t v = 0;

	if (s == NULL || s[0] == '\0' || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
		return 0;
	for (; *s != '\0'; s++)
		v = v * 10 + (*s - '0');
	return v;
}

void api_h_job(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	int64_t id = path_id(c->nparam > 0 ? c->param[0] : NULL);
	struct store_job j;
	struct bs_error err;
	struct buf rq;
	int rc;

	(void)req;
	if (id <= 0) {
		api_error(resp, 404, NULL, "no such job");
		return;
	}
	buf_init(&rq, 0);
	rc = api_jobs_get(api_jobs_of(c->srv), c->st, id, &j, &rq, &err);
	if (rc == BS_OK) {
		api_json(resp, 200);
		buf_reset(&resp->body);
		if (api_job_json(&resp->body, &j, buf_cstr(&rq)) != BS_OK)
			api_error(resp, 500, NULL, "the answer is too big");
	} else {
		api_error_bs(resp, rc, &err);
	}
	buf_free(&rq);
}

struct list_out {
	struct buf *body;
	size_t n;
	int64_t last;
	int bad;
};

static int list_job(void *arg, const struct store_job *j, const char *request)
{
	struct list_out *lo = arg;

	if (lo->n++ > 0)
		lo->bad |= buf_addc(lo->body, ',');
	lo->bad |= api_job_json(lo->body, j, request);
	lo->last = j->id;
	return lo->bad != 0 ? BS_ETOOBIG : BS_OK;
}

/* ?limit: 1..500, default 50; 0 answered 400. */
static size_t query_limit(const struct http_req *req, struct http_resp *resp)
{
	const char *s = http_req_query(req, "limit");
	size_t v = 0;

	if (s == NULL)
		return LIST_DEFAULT;
	if (s[0] != '\0' && strlen(s) <= 3 && strspn(s, "0123456789") == strlen(s))
		for (const char *p = s; *p != '\0'; p++)
			v = v * 10 + (size_t)(*p - '0');
	if (v < 1 || v > LIST_MAX) {
		api_error(resp, 400, "limit", "limit is a whole number from 1 to %d", LIST_MAX);
		return 0;
	}
	return v;
}

void api_h_jobs(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const char *cursor = http_req_query(req, "cursor");
	struct list_out lo = {&resp->body, 0, 0, 0};
	size_t limit = query_limit(req, resp);
	int64_t before = 0;
	struct bs_error err;
	struct buf scratch;
	int rc;

	if (limit == 0)
		return;
	buf_init(&scratch, 0);
	if (cursor != NULL) {
		const char *f[1];

		if (api_cursor_decode(cursor, &scratch, f, 1) != BS_OK ||
		    (before = path_id(f[0])) <= 0) {
			api_error(resp, 400, "cursor", "not a cursor of this list");
			goto out;
		}
	}
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	rc = api_jobs_list(api_jobs_of(c->srv), c->st, before, limit, list_job, &lo, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	buf_addstr(&resp->body, "],\"next\":");
	if (lo.n == limit && lo.last > 1) {
		char idtxt[24];
		const char *f[1] = {idtxt};

		snprintf(idtxt, sizeof(idtxt), "%lld", (long long)lo.last);
		buf_reset(&scratch);
		if (api_cursor_encode(f, 1, &scratch) == BS_OK)
			jsonw_str(&resp->body, buf_cstr(&scratch));
		else
			buf_addstr(&resp->body, "null");
	} else {
		buf_addstr(&resp->body, "null");
	}
	if (buf_addc(&resp->body, '}') != BS_OK || lo.bad != 0)
		api_error(resp, 500, NULL, "the answer is too big");
out:
	buf_free(&scratch);
}
