/*
 * api_h_lists.c - GET /api/v1/pending, /errors, /refused, /tabs and
 * /stats/daily: what waits, what failed, what the import refused, the
 * counts behind the tabs and the home page's chart (docs/openapi.yaml).
 *
 * The pending and errors lists page by key (store_rows_page): the cursor
 * holds the last row's tab, date, kind and id, so page 1,000 costs what
 * page 1 costs and a record synced between two pages shifts nothing.  A
 * page asks for one row more than it shows, to know whether there is a
 * next one without a last empty page.
 */
#include "api/api_data_int.h"

#include "core/civil.h"
#include "core/jsonw.h"
#include "core/money.h"
#include "store/settings.h"
#include "store/store.h"
#include "sync/tabs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_DEFAULT 50
#define LIMIT_MAX     500
#define DAYS_DEFAULT  30
#define DAYS_MAX      366
#define DAY_MS        86400000LL

int api_data_limit(const struct http_req *req, struct http_resp *resp, size_t dflt, size_t *out)
{
	const char *v = http_req_query(req, "limit");
	char *end = NULL;
	long long n;

	*out = dflt;
	if (v == NULL)
		return BS_OK;
	if (v[0] < '0' || v[0] > '9' || strlen(v) > 6)
		goto bad;
	n = strtoll(v, &end, 10);
	if (*end != '\0' || n < 1 || n > LIMIT_MAX)
		goto bad;
	*out = (size_t)n;
	return BS_OK;
bad:
	api_error(resp, 400, "limit", "limit must be a whole number from 1 to %d", LIMIT_MAX);
	return BS_EINVAL;
}

int api_data_target(struct api_ctx *c, const char *want, struct http_resp *resp, struct buf *tbuf,
                    const char **target)
{
	struct bs_error err;
	int rc;

	bs_error_clear(&err);
	rc = store_target_pick(c->st, want != NULL && want[0] != '\0' ? want : NULL, tbuf, target,
	                       &err);
	if (rc == BS_ENOTFOUND || rc == BS_EINVAL)
		api_error(resp, 400, "target", "%s", err.msg[0] ? err.msg : "unknown target");
	else if (rc != BS_OK)
		api_error_bs(resp, rc, &err);
	return rc;
}

int api_data_money(struct buf *b, int64_t micros, const char *currency)
{
	int dp = currency != NULL && currency[0] != '\0' ? money_currency_exponent(currency) : 2;

	return money_format(b, micros, MONEY_DP, dp < 0 ? 2 : dp);
}

void api_data_record_open(struct buf *b, const char *kind, const char *id)
{
	char ref[RECORD_ID_MAX + 32];

	snprintf(ref, sizeof(ref), "%s:%s", kind, id);
	buf_addc(b, '{');
	jsonw_kv_str(b, 0, "ref", ref);
	jsonw_kv_str(b, 1, "kind", kind);
	jsonw_kv_str(b, 1, "id", id);
}

int api_data_str_or_null(struct buf *b, const char *s)
{
	return s != NULL && s[0] != '\0' ? jsonw_str(b, s) : buf_addstr(b, "null");
}

/* ---- pending and errors ---- */

struct page {
	struct buf *out;
	const char *target;
	size_t limit, n;
	/* the last row shown, for the next cursor */
	struct buf last_tab, last_date, last_id;
	enum record_kind last_kind;
	bool more;
	int rc;
};

static int row_json(struct buf *b, const struct store_row *r, const char *target)
{
	api_data_record_open(b, record_kind_name(r->kind), r->id);
	jsonw_kv_str(b, 1, "reference", r->reference);
	jsonw_kv_str(b, 1, "contact", r->contact);
	buf_addstr(b, ",\"date\":");
	api_data_str_or_null(b, r->date);
	jsonw_kv_str(b, 1, "currency", r->currency);
	buf_addstr(b, ",\"total\":");
	if (r->has_total) {
		buf_addc(b, '"');
		api_data_money(b, r->total, r->currency);
		buf_addc(b, '"');
	} else {
		buf_addstr(b, "null");
	}
	jsonw_kv_str(b, 1, "state", sync_state_name(r->state));
	jsonw_kv_str(b, 1, "tab", r->tab);
	jsonw_kv_str(b, 1, "reason", r->reason);
	buf_addstr(b, ",\"target\":");
	api_data_str_or_null(b, target);
	return buf_addc(b, '}');
}

static int page_row(void *arg, const struct store_row *r)
{
	struct page *p = arg;

	if (p->n == p->limit) {
		p->more = true;
		return STORE_WALK_STOP;
	}
	if (p->n > 0)
		buf_addc(p->out, ',');
	p->rc = row_json(p->out, r, p->target);
	p->n++;
	buf_reset(&p->last_tab);
	buf_reset(&p->last_date);
	buf_reset(&p->last_id);
	buf_addstr(&p->last_tab, r->tab);
	buf_addstr(&p->last_date, r->date);
	buf_addstr(&p->last_id, r->id);
	p->last_kind = r->kind;
	return p->rc != BS_OK ? p->rc : 0;
}

/* The cursor's four fields back into a key; false for anything not ours. */
static bool cursor_key(const char *token, struct buf *scratch, struct store_row_key *key)
{
	const char *f[4];

	if (api_cursor_decode(token, scratch, f, 4) != BS_OK)
		return false;
	if (record_kind_from_name(f[2], &key->kind) != BS_OK || f[3][0] == '\0')
		return false;
	key->tab = f[0];
	key->date = f[1];
	key->id = f[3];
	return true;
}

static void list_rows(struct api_ctx *c, const struct http_req *req, struct http_resp *resp,
                      unsigned mask)
{
	const char *tab_in = http_req_query(req, "tab"), *cursor = http_req_query(req, "cursor");
	const char *tab = NULL, *target = NULL;
	struct store_row_key key, *after = NULL;
	struct page p;
	struct buf tbuf, scratch, next;
	struct bs_error err;
	size_t limit;
	int rc;

	memset(&p, 0, sizeof(p));
	buf_init(&tbuf, 1024);
	buf_init(&scratch, 2048);
	buf_init(&next, 2048);
	buf_init(&p.last_tab, 256);
	buf_init(&p.last_date, 64);
	buf_init(&p.last_id, 256);
	bs_error_clear(&err);
	if (api_data_limit(req, resp, LIMIT_DEFAULT, &limit) != BS_OK)
		goto out;
	if (tab_in != NULL && tab_in[0] != '\0' && tabs_resolve(tab_in, &tab, &err) != BS_OK) {
		api_error(resp, 400, "tab", "%s", err.msg);
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
	p.out = &resp->body;
	p.target = target;
	p.limit = limit;
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	rc = store_rows_page(c->st, target, mask, tab, after, limit + 1, page_row, &p, &err);
	if (rc != BS_OK && rc != STORE_WALK_STOP) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	buf_addstr(&resp->body, "],\"next\":");
	if (p.more) {
		const char *f[4] = {buf_cstr(&p.last_tab), buf_cstr(&p.last_date),
		                    record_kind_name(p.last_kind), buf_cstr(&p.last_id)};

		if (api_cursor_encode(f, 4, &next) != BS_OK) {
			api_error(resp, 500, NULL, "cannot make the next cursor");
			goto out;
		}
		jsonw_str(&resp->body, buf_cstr(&next));
	} else {
		buf_addstr(&resp->body, "null");
	}
	if (buf_addc(&resp->body, '}') != BS_OK)
		api_error(resp, 500, NULL, "the answer is too large");
out:
	buf_free(&p.last_id);
	buf_free(&p.last_date);
	buf_free(&p.last_tab);
	buf_free(&next);
	buf_free(&scratch);
	buf_free(&tbuf);
}

void api_h_pending(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	list_rows(c, req, resp, STORE_MASK_PENDING);
}

void api_h_errors(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	list_rows(c, req, resp, STORE_MASK_ERRORS);
}

/* ---- refused re-imports (docs/consolidation.md "Locking") ---- */

struct refused {
	struct buf *out;
	const char *target;
	size_t n;
};

static int refused_row(void *arg, const struct store_row *r, int64_t at_ms)
{
	struct refused *w = arg;
	char at[32];
	int rc;

	if (w->n++ > 0)
		buf_addc(w->out, ',');
	/* row_json's object, with when it was refused */
	if ((rc = row_json(w->out, r, w->target)) != BS_OK)
		return rc;
	w->out->len--;
	civil_format(at_ms, false, at, sizeof(at));
	buf_addstr(w->out, ",\"refused_at\":\"");
	buf_addstr(w->out, at);
	return buf_addstr(w->out, "Z\"}");
}

/*
 * GET /api/v1/refused: every refused re-import on the target (optionally
 * of one tab), whole: they are few (one per record, gone once settled),
 * so there is no cursor.  Counted on /tabs as errors.
 */
void api_h_refused(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const char *tab_in = http_req_query(req, "tab"), *tab = NULL, *target = NULL;
	struct refused w = {&resp->body, NULL, 0};
	struct bs_error err;
	struct buf tbuf;
	int rc;

	buf_init(&tbuf, 1024);
	bs_error_clear(&err);
	if (tab_in != NULL && tab_in[0] != '\0' && tabs_resolve(tab_in, &tab, &err) != BS_OK) {
		api_error(resp, 400, "tab", "%s", err.msg);
		goto out;
	}
	if (api_data_target(c, http_req_query(req, "target"), resp, &tbuf, &target) != BS_OK)
		goto out;
	w.target = target;
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	if (target != NULL) {
		rc = store_refusals_each(c->st, target, tab, refused_row, &w, &err);
		if (rc != BS_OK) {
			api_error_bs(resp, rc, &err);
			goto out;
		}
	}
	buf_addstr(&resp->body, "]");
	jsonw_kv_int(&resp->body, 1, "count", (int64_t)w.n);
	if (buf_addc(&resp->body, '}') != BS_OK)
		api_error(resp, 500, NULL, "the answer is too large");
out:
	buf_free(&tbuf);
}

/* ---- tabs ---- */

#define TABS_MAX 32

struct counts {
	const struct tabs_def *tabs;
	size_t ntabs;
	int64_t pending[TABS_MAX], errors[TABS_MAX];
};

static int count_cb(void *arg, const char *tab, int64_t pending, int64_t errors)
{
	struct counts *k = arg;

	for (size_t i = 0; i < k->ntabs; i++) {
		if (strcmp(k->tabs[i].name, tab) == 0) {
			k->pending[i] += pending;
			k->errors[i] += errors;
			break;
		}
	}
	return 0;
}

static void tab_item(struct buf *b, bool comma, const char *tab, const char *group,
                     const char *label, size_t label_len, int64_t pending, int64_t errors)
{
	if (comma)
		buf_addc(b, ',');
	buf_addc(b, '{');
	jsonw_kv_str(b, 0, "tab", tab);
	jsonw_kv_str(b, 1, "group", group);
	buf_addstr(b, ",\"label\":");
	jsonw_strn(b, label, label_len);
	jsonw_kv_int(b, 1, "pending", pending);
	jsonw_kv_int(b, 1, "errors", errors);
	buf_addc(b, '}');
}

/*
 * Each group (the first row of tabs: "sales", label "Sales") followed by
 * its tabs (the second row), in dashboard order, with counts; a group's
 * counts are its tabs' sums.
 */
void api_h_tabs(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct counts k;
	struct buf tbuf;
	struct bs_error err;
	const char *target = NULL;
	size_t i = 0;
	int rc;

	memset(&k, 0, sizeof(k));
	buf_init(&tbuf, 1024);
	bs_error_clear(&err);
	k.tabs = tabs_all(&k.ntabs);
	if (k.ntabs > TABS_MAX)
		k.ntabs = TABS_MAX;
	if (api_data_target(c, http_req_query(req, "target"), resp, &tbuf, &target) != BS_OK)
		goto out;
	rc = store_tab_counts(c->st, target, count_cb, &k, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	while (i < k.ntabs) {
		const char *name = k.tabs[i].name, *slash = strchr(name, '/');
		const char *label = k.tabs[i].label, *gt = strstr(label, " > ");
		size_t glen = slash != NULL ? (size_t)(slash - name) : strlen(name);
		int64_t gp = 0, ge = 0;
		char group[32];
		size_t j;

		snprintf(group, sizeof(group), "%.*s", (int)glen, name);
		for (j = i; j < k.ntabs && strncmp(k.tabs[j].name, group, glen) == 0 &&
		            k.tabs[j].name[glen] == '/';
		     j++) {
			gp += k.pending[j];
			ge += k.errors[j];
		}
		tab_item(&resp->body, i > 0, group, group, label,
		         gt != NULL ? (size_t)(gt - label) : strlen(label), gp, ge);
		for (; i < j; i++) {
			const char *l = k.tabs[i].label, *g = strstr(l, " > ");

			l = g != NULL ? g + 3 : l;
			tab_item(&resp->body, true, k.tabs[i].name, group, l, strlen(l),
			         k.pending[i], k.errors[i]);
		}
	}
	buf_addstr(&resp->body, "],\"target\":");
	api_data_str_or_null(&resp->body, target);
	if (buf_addc(&resp->body, '}') != BS_OK)
		api_error(resp, 500, NULL, "the answer is too large");
out:
	buf_free(&tbuf);
}

/* ---- stats/daily ---- */

struct days {
	struct buf *out;
	size_t n;
	struct store *st;
	int rc;
};

/*
 * The day's allowance of calls on a target: the per-day limit the
 * governor paces by: the limits.per_day setting when set, else the
 * ledger's (docs/mapping-xero.md: Xero's 5,000 a day per tenant; QBO has
 * no daily cap, so null).
 */
static int64_t allowance_of(struct store *st, const char *target)
{
	struct buf v;
	bool xero = strncmp(target, "xero:", 5) == 0;
	int64_t per_day = xero ? 5000 : -1;

	buf_init(&v, 64);
	if (settings_get(st, "limits.per_day", &v, NULL) == BS_OK && v.len > 0) {
		char *end = NULL;
		long long n = strtoll(buf_cstr(&v), &end, 10);

		if (*end == '\0' && n > 0)
			per_day = n;
	}
	buf_free(&v);
	return per_day;
}

static int day_cb(void *arg, const struct store_day *d)
{
	struct days *w = arg;
	struct buf *b = w->out;
	int64_t allow = allowance_of(w->st, d->target);

	if (w->n++ > 0)
		buf_addc(b, ',');
	buf_addc(b, '{');
	jsonw_kv_str(b, 0, "target", d->target);
	jsonw_kv_str(b, 1, "day", d->day);
	jsonw_kv_int(b, 1, "posted", d->posted);
	jsonw_kv_int(b, 1, "calls", d->calls);
	if (allow >= 0)
		jsonw_kv_int(b, 1, "allowance", allow);
	else
		buf_addstr(b, ",\"allowance\":null");
	w->rc = buf_addc(b, '}');
	return w->rc != BS_OK ? w->rc : 0;
}

void api_h_stats_daily(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	const char *v = http_req_query(req, "days"), *want = http_req_query(req, "target");
	struct days w = {&resp->body, 0, c->st, BS_OK};
	struct buf tbuf;
	struct bs_error err;
	const char *target = NULL;
	long long days = DAYS_DEFAULT;
	int64_t since;
	int rc;

	buf_init(&tbuf, 1024);
	bs_error_clear(&err);
	if (v != NULL) {
		char *end = NULL;

		days = v[0] >= '0' && v[0] <= '9' && strlen(v) <= 4 ? strtoll(v, &end, 10) : -1;
		if (end == NULL || *end != '\0' || days < 1 || days > DAYS_MAX) {
			api_error(resp, 400, "days", "days must be a whole number from 1 to %d",
			          DAYS_MAX);
			goto out;
		}
	}
	/* a target named must exist; none named means every target */
	if (want != NULL && want[0] != '\0' &&
	    api_data_target(c, want, resp, &tbuf, &target) != BS_OK)
		goto out;
	/* from the start of the UTC day days-1 days ago */
	since = (c->now_ms / DAY_MS - (days - 1)) * DAY_MS;
	api_json(resp, 200);
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"items\":[");
	rc = store_days_each(c->st, target, since, day_cb, &w, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	if (buf_addstr(&resp->body, "]}") != BS_OK)
		api_error(resp, 500, NULL, "the answer is too large");
out:
	buf_free(&tbuf);
}
