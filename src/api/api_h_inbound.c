/*
 * api_h_inbound.c - GET /api/v1/inbound: the payments imported from the
 * ledger (docs/inbound.md "In serve"), for the dashboard's Payments to
 * reconcile panel and any client: each with its decision (applied,
 * skipped, failed, reversed, reconciled) and reason, the 24-hour flag on
 * the unapplied ones, and the counts `booksync inbound --status` prints;
 * and POST /api/v1/inbound/{id}/reconciled, a person's "reconciled by
 * hand".
 *
 * Pages follow a key (store_inbound_page): the cursor holds the last row's
 * decided_ms, target and ledger id, so a payment decided between two pages
 * shifts nothing.  A page asks for one row more than it shows, to know
 * whether there is a next one.
 */
#include "api/api_data_int.h"

#include "core/jsonw.h"
#include "store/store.h"
#include "store/store_inbound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_DEFAULT 50
#define DAY_MS        (INT64_C(24) * 3600 * 1000)

struct page {
	struct buf *out;
	int64_t overdue_before; /* an unapplied row decided before this is overdue */
	size_t limit, n;
	/* the last row shown, for the next cursor */
	int64_t last_ms;
	char last_target[128], last_id[STORE_INBOUND_ID_MAX];
	bool more;
};

static int row_json(struct buf *b, const struct store_inbound_row *r, bool overdue)
{
	int rc = buf_addc(b, '{');

	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 0, "target", r->target);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "ledger_payment_id", r->ledger_id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "state", r->state);
	if (rc == BS_OK)
		rc = buf_addstr(b, ",\"reason\":");
	if (rc == BS_OK)
		rc = api_data_str_or_null(b, r->reason);
	if (rc == BS_OK)
		rc = buf_addstr(b, ",\"amount\":\"");
	if (rc == BS_OK)
		rc = api_data_money(b, r->amount, r->currency);
	if (rc == BS_OK)
		rc = buf_addc(b, '"');
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "currency", r->currency);
	if (rc == BS_OK)
		rc = buf_addstr(b, ",\"customer\":");
	if (rc == BS_OK)
		rc = api_data_str_or_null(b, r->customer);
	if (rc == BS_OK)
		rc = buf_addstr(b, ",\"ledger_contact_id\":");
	if (rc == BS_OK)
		rc = api_data_str_or_null(b, r->contact);
	if (rc == BS_OK)
		rc = buf_addstr(b, ",\"date\":");
	if (rc == BS_OK)
		rc = api_data_str_or_null(b, r->date);
	if (rc == BS_OK)
		rc = buf_addstr(b, ",\"sale\":");
	if (rc == BS_OK)
		rc = api_data_str_or_null(b, r->sale);
	if (rc == BS_OK)
		rc = buf_addstr(b, ",\"ledger_invoice_id\":");
	if (rc == BS_OK)
		rc = api_data_str_or_null(b, r->invoice);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "decided_ms", r->decided_ms);
	if (rc == BS_OK)
		rc = buf_addstr(b, overdue ? ",\"overdue\":true}" : ",\"overdue\":false}");
	return rc;
}

static int page_row(void *arg, const struct store_inbound_row *r)
{
	struct page *p = arg;
	bool overdue = store_inbound_overdue(r, p->overdue_before);
	int rc;

	if (p->n == p->limit) {
		p->more = true;
		return STORE_WALK_STOP;
	}
	if (p->n > 0 && buf_addc(p->out, ',') != BS_OK)
		return BS_ETOOBIG;
	rc = row_json(p->out, r, overdue);
	if (rc != BS_OK)
		return rc;
	p->n++;
	p->last_ms = r->decided_ms;
	snprintf(p->last_target, sizeof(p->last_target), "%s", r->target);
	snprintf(p->last_id, sizeof(p->last_id), "%s", r->ledger_id);
	return 0;
}

/* The cursor's three fields back into a key; false for anything not ours. */
static bool cursor_key(const char *token, struct buf *scratch, struct store_inbound_key *key)
{
	const char *f[3];
	char *end = NULL;
	long long ms;

	if (api_cursor_decode(token, scratch, f, 3) != BS_OK)
		return false;
	if (f[0][0] < '0' || f[0][0] > '9' || strlen(f[0]) > 18 || f[2][0] == '\0')
		return false;
	ms = strtoll(f[0], &end, 10);
	if (*end != '\0')
		return false;
	key->decided_ms = ms;
	key->target = f[1];
	key->ledger_id = f[2];
	return true;
}

static int counts_json(struct buf *b, const struct store_inbound_counts *k)
{
	int rc = buf_addstr(b, ",\"counts\":{");

	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 0, "applied", k->applied);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "skipped", k->skipped);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "failed", k->failed);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "reversed", k->reversed);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "reconciled", k->reconciled);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "overdue", k->overdue);
	if (rc == BS_OK)
		rc = buf_addc(b, '}');
	return rc;
}

/* The "next" cursor of a page that has more, else null. */
static int next_json(struct buf *b, const struct page *p)
{
	struct buf next;
	char ms[24];
	const char *f[3] = {ms, p->last_target, p->last_id};
	int rc;

	if (!p->more)
		return buf_addstr(b, ",\"next\":null");
	snprintf(ms, sizeof(ms), "%lld", (long long)p->last_ms);
	buf_init(&next, 1024);
	rc = api_cursor_encode(f, 3, &next);
	if (rc == BS_OK)
		rc = buf_addstr(b, ",\"next\":");
	if (rc == BS_OK)
		rc = jsonw_str(b, buf_cstr(&next));
	buf_free(&next);
	return rc;
}

void api_h_inbound(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const char *state = http_req_query(req, "state"), *cursor = http_req_query(req, "cursor");
	const char *target = NULL;
	struct store_inbound_key key, *after = NULL;
	struct store_inbound_counts k;
	struct page p;
	struct buf tbuf, scratch;
	struct bs_error err;
	size_t limit;
	int rc;

	memset(&p, 0, sizeof(p));
	buf_init(&tbuf, 1024);
	buf_init(&scratch, 1024);
	bs_error_clear(&err);
	if (api_data_limit(req, resp, LIMIT_DEFAULT, &limit) != BS_OK)
		goto out;
	if (state != NULL && state[0] != '\0' && !store_inbound_filter_ok(state)) {
		api_error(
		    resp, 400, "state",
		    "state must be applied, skipped, failed, reversed, reconciled or unapplied");
		goto out;
	}
	if (cursor != NULL) {
		if (!cursor_key(cursor, &scratch, &key)) {
			api_error(resp, 400, "cursor", "not a cursor of this list");
			goto out;
		}
		after = &key;
	}
	if (api_data_target(c, http_req_query(req, "target"), resp, &tbuf, &target) != BS_OK)
		goto out;
	rc = store_inbound_count(c->st, target, c->now_ms - DAY_MS, &k, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	p.out = &resp->body;
	p.overdue_before = c->now_ms - DAY_MS;
	p.limit = limit;
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	rc = store_inbound_page(c->st, target, state, after, limit + 1, page_row, &p, &err);
	if (rc != BS_OK && rc != STORE_WALK_STOP) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	rc = buf_addc(&resp->body, ']');
	if (rc == BS_OK)
		rc = next_json(&resp->body, &p);
	if (rc == BS_OK)
		rc = counts_json(&resp->body, &k);
	if (rc == BS_OK)
		rc = buf_addstr(&resp->body, ",\"target\":");
	if (rc == BS_OK)
		rc = api_data_str_or_null(&resp->body, target);
	if (rc == BS_OK)
		rc = buf_addc(&resp->body, '}');
	if (rc != BS_OK)
		api_error(resp, 500, NULL, "the answer is too large");
out:
	buf_free(&scratch);
	buf_free(&tbuf);
}

/*
 * POST /api/v1/inbound/{id}/reconciled: a skipped or failed payment a
 * person has reconciled by hand in the ledger, as `booksync inbound
 * --reconciled ID`: it leaves the list to reconcile and the 24-hour flag.
 * 404 when it is not skipped or failed on the target.
 */
void api_h_inbound_reconciled(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct bs_error err;
	struct buf tbuf, note;
	const char *target = NULL;
	char actor[96];
	int rc;

	buf_init(&tbuf, 1024);
	buf_init(&note, 256);
	bs_error_clear(&err);
	if (api_data_target(c, http_req_query(req, "target"), resp, &tbuf, &target) != BS_OK)
		goto out;
	api_data_actor(c, actor, sizeof(actor));
	rc = buf_printf(&note, "reconciled by hand (%s)", actor);
	if (rc == BS_OK)
		rc = target != NULL ? store_inbound_reconcile(c->st, target, c->param[0],
		                                              buf_cstr(&note), c->now_ms, &err)
		                    : bs_error_set(&err, BS_ENOTFOUND, "no ledger connected");
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{");
	jsonw_kv_str(&resp->body, 0, "ledger_payment_id", c->param[0]);
	jsonw_kv_str(&resp->body, 1, "target", target);
	jsonw_kv_str(&resp->body, 1, "state", "reconciled");
	jsonw_kv_str(&resp->body, 1, "reason", buf_cstr(&note));
	buf_addc(&resp->body, '}');
out:
	buf_free(&note);
	buf_free(&tbuf);
}
