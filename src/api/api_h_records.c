/*
 * api_h_records.c - the records: POST /api/v1/records (import), GET
 * /api/v1/records/{kind}/{id}, POST .../reset and GET
 * /api/v1/history/{kind}/{id} (docs/openapi.yaml).
 *
 * POST /records goes through src/ingest exactly as `booksync import`
 * does, so a record is validated, stored and refused the same way and with
 * the same words; the answer lists each item's outcome in input order.
 * Each record is written whole or not at all (ingest.h).
 */
#include "api/api_data_int.h"

#include "core/jsonw.h"
#include "ingest/ingest.h"
#include "rules/rules.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void api_data_actor(const struct api_ctx *c, char *out, size_t n)
{
	snprintf(out, n, "api:%s", c->who != NULL ? c->who->name : "");
}

int api_data_record(struct api_ctx *c, struct http_resp *resp, enum record_kind *kind,
                    char id[RECORD_ID_MAX + 1])
{
	struct bs_error err;
	int rc;

	bs_error_clear(&err);
	if (c->nparam < 2 || record_kind_from_name(c->param[0], kind) != BS_OK) {
		api_error(resp, 404, "kind", "no such kind: %s", c->nparam > 0 ? c->param[0] : "");
		return BS_ENOTFOUND;
	}
	if (strlen(c->param[1]) > RECORD_ID_MAX || c->param[1][0] == '\0') {
		api_error(resp, 404, NULL, "no record %s:%s", c->param[0], c->param[1]);
		return BS_ENOTFOUND;
	}
	snprintf(id, RECORD_ID_MAX + 1, "%s", c->param[1]);
	rc = store_record_get(c->st, *kind, id, NULL, NULL, &err);
	if (rc == BS_ENOTFOUND)
		api_error(resp, 404, NULL, "no record %s:%s", c->param[0], id);
	else if (rc != BS_OK)
		api_error_bs(resp, rc, &err);
	return rc;
}

/* ISO 8601 UTC to the second, as every time on the wire. */
static int iso_time(struct buf *b, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return buf_addstr(b, "null");
	return jsonw_str(b, s);
}

/* ---- POST /records ---- */

struct post {
	struct buf *out;
	size_t n;
};

static void on_result(void *arg, const struct ingest_result *r)
{
	static const char *const names[] = {"new", "changed", "unchanged", "stale", "rejected"};
	struct post *p = arg;
	struct buf *b = p->out;

	if (p->n++ > 0)
		buf_addc(b, ',');
	buf_addc(b, '{');
	jsonw_kv_int(b, 0, "index", (int64_t)r->index);
	buf_addstr(b, ",\"ref\":");
	if (r->kind[0] != '\0' && r->id[0] != '\0') {
		char ref[RECORD_ID_MAX + 32];

		snprintf(ref, sizeof(ref), "%s:%s", r->kind, r->id);
		jsonw_str(b, ref);
	} else {
		buf_addstr(b, "null");
	}
	buf_addstr(b, ",\"kind\":");
	api_data_str_or_null(b, r->kind);
	buf_addstr(b, ",\"id\":");
	api_data_str_or_null(b, r->id);
	jsonw_kv_str(b, 1, "result", names[r->outcome]);
	buf_addstr(b, ",\"message\":");
	api_data_str_or_null(b, r->msg);
	buf_addc(b, '}');
}

/* The media type without parameters, compared case-insensitively. */
static bool media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	return ct != NULL && strncasecmp(ct, type, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

void api_h_records_post(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const char *ct = http_req_header(req, "Content-Type");
	struct ingest_opts o;
	struct ingest_stats s;
	struct store_actor who;
	struct post p = {&resp->body, 0};
	struct bs_error err;
	char actor[96];
	char *wrapped = NULL;
	const char *data = req->body;
	size_t len = req->body_len, i = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	bs_error_clear(&err);
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i == len) {
		api_error(resp, 400, NULL,
		          "the body is empty: send a record, an array or JSON Lines");
		goto out;
	}
	if (media_is(ct, "application/x-ndjson") || media_is(ct, "application/jsonl") ||
	    media_is(ct, "application/json-lines")) {
		o.format = SOURCE_JSONL;
	} else if (media_is(ct, "text/csv")) {
		o.format = SOURCE_CSV;
		o.kind = http_req_query(req, "kind");
	} else if (ct == NULL || media_is(ct, "application/json")) {
		if (data[i] == '[') {
			o.format = SOURCE_JSON_ARRAY;
		} else if (data[i] == '{') {
			/* one object, perhaps over several lines: an array of one */
			wrapped = malloc(len + 3);
			if (wrapped == NULL) {
				api_error(resp, 500, NULL, "out of memory");
				goto out;
			}
			wrapped[0] = '[';
			memcpy(wrapped + 1, data, len);
			wrapped[len + 1] = ']';
			wrapped[len + 2] = '\0';
			data = wrapped;
			len += 2;
			o.format = SOURCE_JSON_ARRAY;
		} else {
			api_error(resp, 400, NULL,
			          "expected a JSON object, an array of objects, or JSON Lines "
			          "(Content-Type: application/x-ndjson)");
			goto out;
		}
	} else {
		api_error(
		    resp, 415, NULL,
		    "Content-Type must be application/json, application/x-ndjson or text/csv");
		goto out;
	}
	api_data_actor(c, actor, sizeof(actor));
	who.name = actor;
	who.now_ms = c->now_ms;
	o.who = &who;
	o.on_result = on_result;
	o.arg = &p;
	o.max_line = len + 64 > 64 ? len + 64 : 64;
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	rc = ingest_mem(c->st, data, len, "body", &o, &s, &err);
	if (rc == BS_EPARSE || rc == BS_EINVAL) {
		api_error(resp, 400, NULL, "%s", err.msg);
		goto out;
	}
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	buf_addstr(&resp->body, "],\"summary\":{");
	jsonw_kv_int(&resp->body, 0, "items", (int64_t)s.items);
	jsonw_kv_int(&resp->body, 1, "new", (int64_t)s.added);
	jsonw_kv_int(&resp->body, 1, "changed", (int64_t)s.changed);
	jsonw_kv_int(&resp->body, 1, "unchanged", (int64_t)s.unchanged);
	jsonw_kv_int(&resp->body, 1, "stale", (int64_t)s.stale);
	jsonw_kv_int(&resp->body, 1, "rejected", (int64_t)s.rejected);
	if (buf_addstr(&resp->body, "}}") != BS_OK)
		api_error(resp, 413, NULL,
		          "the answer would be too large: send fewer records at a time "
		          "(they were stored)");
out:
	free(wrapped);
}

/* ---- GET /records/{kind}/{id} ---- */

#define TARGETS_MAX 16

struct tgt {
	char id[128];
	char name[128];
};

struct tgts {
	struct tgt t[TARGETS_MAX];
	size_t n;
};

static int target_cb(void *arg, const char *target, const char *name)
{
	struct tgts *w = arg;

	if (w->n == TARGETS_MAX)
		return STORE_WALK_STOP;
	snprintf(w->t[w->n].id, sizeof(w->t[w->n].id), "%s", target);
	snprintf(w->t[w->n].name, sizeof(w->t[w->n].name), "%s", name != NULL ? name : "");
	w->n++;
	return 0;
}

struct links {
	struct buf *out;
	const char *target;
	size_t n;
};

static int link_cb(void *arg, const char *target, const char *type, const struct store_link *l)
{
	struct links *w = arg;
	struct buf *b = w->out;

	if (strcmp(target, w->target) != 0)
		return 0;
	if (w->n++ > 0)
		buf_addc(b, ',');
	buf_addc(b, '{');
	jsonw_kv_str(b, 0, "type", type);
	buf_addstr(b, ",\"ledger_id\":");
	api_data_str_or_null(b, l->ledger_id);
	buf_addstr(b, ",\"number\":");
	api_data_str_or_null(b, l->number);
	if (l->serial > 0)
		jsonw_kv_int(b, 1, "serial", l->serial);
	else
		buf_addstr(b, ",\"serial\":null");
	return buf_addc(b, '}') != BS_OK ? BS_ETOOBIG : 0;
}

void api_h_record_get(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct store_record_info info;
	struct tgts tg;
	struct buf body, reason;
	struct bs_error err;
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	struct buf *b = &resp->body;
	int rc;

	(void)req;
	memset(&tg, 0, sizeof(tg));
	buf_init(&body, BUF_MAX_DEFAULT);
	buf_init(&reason, 64 * 1024);
	bs_error_clear(&err);
	if (api_data_record(c, resp, &kind, id) != BS_OK)
		goto out;
	rc = store_record_get(c->st, kind, id, &info, &body, &err);
	if (rc == BS_OK)
		rc = store_targets_each(c->st, target_cb, &tg, &err);
	if (rc != BS_OK && rc != STORE_WALK_STOP) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	api_json(resp, 200);
	buf_reset(b);
	api_data_record_open(b, record_kind_name(kind), id);
	jsonw_kv_int(b, 1, "version", info.version);
	jsonw_kv_str(b, 1, "tab", info.tab);
	buf_addstr(b, ",\"date\":");
	api_data_str_or_null(b, info.date);
	jsonw_kv_str(b, 1, "currency", info.currency);
	buf_addstr(b, ",\"total\":");
	if (info.has_total) {
		buf_addc(b, '"');
		api_data_money(b, info.total, info.currency);
		buf_addc(b, '"');
	} else {
		buf_addstr(b, "null");
	}
	/* the canonical JSON is JSON already: in as it is */
	buf_addstr(b, ",\"record\":");
	buf_add(b, body.ptr != NULL ? body.ptr : "{}", body.ptr != NULL ? body.len : 2);
	buf_addstr(b, ",\"targets\":[");
	for (size_t i = 0; i < tg.n; i++) {
		struct links lw = {b, tg.t[i].id, 0};
		enum sync_state state;

		rc = store_state_get(c->st, kind, id, tg.t[i].id, &state, &reason, &err);
		if (rc != BS_OK) {
			api_error_bs(resp, rc, &err);
			goto out;
		}
		buf_addstr(b, i > 0 ? ",{" : "{");
		jsonw_kv_str(b, 0, "target", tg.t[i].id);
		jsonw_kv_str(b, 1, "name", tg.t[i].name);
		jsonw_kv_str(b, 1, "state", sync_state_name(state));
		jsonw_kv_str(b, 1, "accounting_status", rules_accounting_status(state));
		jsonw_kv_str(b, 1, "reason", buf_cstr(&reason));
		buf_addstr(b, ",\"links\":[");
		rc = store_links_each(c->st, kind, id, link_cb, &lw, &err);
		if (rc != BS_OK) {
			api_error_bs(resp, rc, &err);
			goto out;
		}
		buf_addstr(b, "]}");
	}
	if (buf_addstr(b, "]}") != BS_OK)
		api_error(resp, 500, NULL, "the answer is too large");
out:
	buf_free(&reason);
	buf_free(&body);
}

/* ---- POST /records/{kind}/{id}/reset ---- */

/*
 * Reset For Re-import, as `booksync reset`: back to not imported, the
 * ledger link kept.  ?target= as everywhere (the only target when there
 * is one).  The state machine's refusal (queued, waiting, consolidated)
 * is a 409 with its reason.
 */
void api_h_record_reset(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct store_actor who;
	struct bs_error err;
	struct buf tbuf, reason;
	enum record_kind kind;
	enum sync_state to = SYNC_NOT_IMPORTED;
	const char *target = NULL;
	char id[RECORD_ID_MAX + 1], actor[96];
	struct buf *b = &resp->body;
	int rc;

	buf_init(&tbuf, 1024);
	buf_init(&reason, 64 * 1024);
	bs_error_clear(&err);
	if (api_data_record(c, resp, &kind, id) != BS_OK)
		goto out;
	if (api_data_target(c, http_req_query(req, "target"), resp, &tbuf, &target) != BS_OK)
		goto out;
	if (target != NULL) {
		api_data_actor(c, actor, sizeof(actor));
		who.name = actor;
		who.now_ms = c->now_ms;
		rc = store_state_apply(c->st, kind, id, target, SYNC_EV_RESET,
		                       "reset for re-import", &who, &to, &err);
		if (rc == BS_OK)
			rc = store_state_get(c->st, kind, id, target, &to, &reason, &err);
		if (rc != BS_OK) {
			api_error_bs(resp, rc, &err);
			goto out;
		}
	}
	/* no ledger connected yet: every record already is not imported */
	api_json(resp, 200);
	buf_reset(b);
	api_data_record_open(b, record_kind_name(kind), id);
	buf_addstr(b, ",\"target\":");
	api_data_str_or_null(b, target);
	jsonw_kv_str(b, 1, "state", sync_state_name(to));
	jsonw_kv_str(b, 1, "accounting_status", rules_accounting_status(to));
	jsonw_kv_str(b, 1, "reason", buf_cstr(&reason));
	buf_addc(b, '}');
out:
	buf_free(&reason);
	buf_free(&tbuf);
}

/* ---- GET /history/{kind}/{id} ---- */

struct hist {
	struct buf *out;
	size_t n;
};

static int history_cb(void *arg, const struct store_history_row *h)
{
	struct hist *w = arg;
	struct buf *b = w->out;

	if (w->n++ > 0)
		buf_addc(b, ',');
	buf_addc(b, '{');
	jsonw_kv_int(b, 0, "seq", h->seq);
	buf_addstr(b, ",\"at\":");
	iso_time(b, h->at_ms);
	buf_addstr(b, ",\"target\":");
	api_data_str_or_null(b, h->target);
	jsonw_kv_str(b, 1, "actor", h->actor != NULL ? h->actor : "");
	buf_addstr(b, ",\"from\":");
	api_data_str_or_null(b, h->from);
	jsonw_kv_str(b, 1, "to", h->to != NULL ? h->to : "");
	jsonw_kv_str(b, 1, "reason", h->reason != NULL ? h->reason : "");
	return buf_addc(b, '}') != BS_OK ? BS_ETOOBIG : 0;
}

/*
 * A record's history, oldest first: its newest `limit` entries (default
 * 500, the most a page holds).  One record's history is short, so "next"
 * is always null; the shape is a list's so clients page every list alike.
 */
void api_h_history(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct hist w = {&resp->body, 0};
	struct bs_error err;
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	size_t limit;
	int rc;

	bs_error_clear(&err);
	if (api_data_limit(req, resp, 500, &limit) != BS_OK)
		return;
	if (api_data_record(c, resp, &kind, id) != BS_OK)
		return;
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	rc = store_history_each(c->st, &kind, id, (int64_t)limit, history_cb, &w, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		return;
	}
	if (buf_addstr(&resp->body, "],\"next\":null}") != BS_OK)
		api_error(resp, 500, NULL, "the answer is too large");
}

/*
 * DELETE /api/v1/refused/{kind}/{id}: a person keeps the posted version of
 * a consolidated member, as `booksync errors --dismiss`: its refused
 * re-import leaves Errors.  404 when it has none on the target.
 */
void api_h_refused_dismiss(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct bs_error err;
	struct buf tbuf;
	enum record_kind kind;
	const char *target = NULL;
	char id[RECORD_ID_MAX + 1];
	int rc;

	buf_init(&tbuf, 1024);
	bs_error_clear(&err);
	if (api_data_record(c, resp, &kind, id) != BS_OK)
		goto out;
	if (api_data_target(c, http_req_query(req, "target"), resp, &tbuf, &target) != BS_OK)
		goto out;
	rc = target != NULL ? store_refusal_dismiss(c->st, target, kind, id, &err)
	                    : bs_error_set(&err, BS_ENOTFOUND, "no ledger connected");
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	api_json(resp, 200);
	buf_reset(&resp->body);
	api_data_record_open(&resp->body, record_kind_name(kind), id);
	buf_addstr(&resp->body, ",\"target\":");
	api_data_str_or_null(&resp->body, target);
	buf_addstr(&resp->body, ",\"dismissed\":true}");
out:
	buf_free(&tbuf);
}
