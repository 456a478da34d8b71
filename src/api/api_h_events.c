/*
 * api_h_events.c - the events outbox for the dashboard (docs/events.md):
 * GET /api/v1/events?state=dead|pending|delivered&limit=N and
 * POST /api/v1/events/{id}/redeliver (a dead event, due again now with a
 * new 24-hour round).
 */
#include "api/api_core_int.h"
#include "api/api_data_int.h"
#include "core/jsonw.h"
#include "store/store_events.h"

#include <stdlib.h>
#include <string.h>

struct list_arg {
	struct buf *b;
	bool first;
};

static int one(void *arg, const struct store_event *e, const char *data)
{
	struct list_arg *l = arg;
	struct buf *b = l->b;
	int rc = buf_addstr(b, l->first ? "{" : ",{");

	l->first = false;
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 0, "id", e->id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "type", e->type);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "target", e->target);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "state", e->state);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "attempts", e->attempts);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "created_ms", e->created_ms);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "next_ms", e->next_ms);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "delivered_ms", e->delivered_ms);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "last_error", e->last_error);
	if (rc == BS_OK)
		rc = buf_addstr(b, ",\"data\":");
	if (rc == BS_OK)
		rc = buf_addstr(b, data);
	if (rc == BS_OK)
		rc = buf_addstr(b, "}");
	return rc;
}

void api_h_events(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const char *state = http_req_query(req, "state");
	const char *lim = http_req_query(req, "limit");
	struct list_arg l = {&resp->body, true};
	struct bs_error err;
	long long n = 100;
	char *end = NULL;
	int rc;

	if (lim != NULL) {
		n = strtoll(lim, &end, 10);
		if (end == lim || *end != '\0' || n < 1 || n > 1000) {
			api_error(resp, 400, "limit", "limit must be 1..1000");
			return;
		}
	}
	if (state != NULL && strcmp(state, "dead") != 0 && strcmp(state, "pending") != 0 &&
	    strcmp(state, "delivered") != 0) {
		api_error(resp, 400, "state", "state must be dead, pending or delivered");
		return;
	}
	bs_error_clear(&err);
	api_json(resp, 200);
	buf_reset(&resp->body);
	rc = buf_addstr(&resp->body, "{\"events\":[");
	if (rc == BS_OK)
		rc = store_events_list(c->st, state, (size_t)n, one, &l, &err);
	if (rc == BS_OK)
		rc = buf_addstr(&resp->body, "]}");
	if (rc != BS_OK)
		api_error_bs(resp, rc, &err);
}

void api_h_event_redeliver(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct bs_error err;
	int rc;

	(void)req;
	bs_error_clear(&err);
	rc = store_event_redeliver(c->st, c->param[0], c->now_ms, NULL, &err);
	if (rc == BS_ENOTFOUND) {
		api_error(resp, 404, NULL, "no dead event %s", c->param[0]);
		return;
	}
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		return;
	}
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"id\":");
	jsonw_str(&resp->body, c->param[0]);
	buf_addstr(&resp->body, ",\"state\":\"pending\"}");
}
