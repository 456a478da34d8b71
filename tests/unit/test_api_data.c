/*
 * test_api_data.c - the record, list and settings endpoints, called as the
 * server calls them (a struct http_req in, a struct http_resp out) with
 * no socket: POST /records against `import`'s own messages, GET of a
 * record, and the pending and errors lists paged by key with every bad
 * parameter named.
 */
#include "test_api_util.h"

#include "ingest/ingest.h"

/* ---- POST /records ---- */

static void test_post_one_array_lines(void **state)
{
	struct fx *f = *state;

	/* one object, over several lines */
	post_ok(f, "application/json",
	        "{\n \"kind\": \"customer\",\n \"id\": \"C1\",\n"
	        " \"name\": \"Ann\"\n}\n");
	assert_int_equal(len(f, "items"), 1);
	assert_string_equal(str(f, "items.0.ref"), "customer:C1");
	assert_string_equal(str(f, "items.0.result"), "new");
	assert_null(str(f, "items.0.message"));
	/* an array: one new, one unchanged */
	post_ok(f, NULL, "[" CUST("C1", "Ann") "," CUST("C2", "Bob") "]");
	assert_int_equal(len(f, "items"), 2);
	assert_string_equal(str(f, "items.0.result"), "unchanged");
	assert_string_equal(str(f, "items.1.result"), "new");
	assert_int_equal(num(f, "summary.items"), 2);
	assert_int_equal(num(f, "summary.new"), 1);
	assert_int_equal(num(f, "summary.unchanged"), 1);
	/* JSON Lines, and a changed record; the kind's own name comes back */
	post_ok(f, "application/x-ndjson; charset=utf-8",
	        CUST("C2", "Bobby") "\n" SALE("S1", "2025-11-01", "C1") "\n");
	assert_string_equal(str(f, "items.0.result"), "changed");
	assert_string_equal(str(f, "items.1.ref"), "sale:S1");
	assert_int_equal(num(f, "items.1.index"), 1);
}

/* Each bad item is named and counted; the good ones around it are kept. */
static void test_post_rejects_as_import(void **state)
{
	struct fx *f = *state;
	static const char body[] = CUST(
	    "C1", "Ann") "\n"
	                 "{\"kind\":\"customer\",\"id\":\"C2\"}\n"
	                 "{not json\n"
	                 "{\"kind\":\"sale\",\"id\":\"S9\",\"date\":\"2025-13-01\"}\n"
	                 "{\"kind\":\"spaceship\",\"id\":\"X\"}\n"
	                 "{\"kind\":\"customer\",\"id\":\"C1\",\"version\":1,\"name\":\"Ann\"}\n";
	int n = 0;

	assert_int_equal(
	    call(f, api_h_records_post, "POST", NULL, "application/x-ndjson", body, NULL, NULL),
	    200);
	assert_int_equal(num(f, "summary.items"), 6);
	assert_int_equal(num(f, "summary.rejected"), 4);
	assert_int_equal(num(f, "summary.new"), 1);
	assert_string_equal(str(f, "items.1.result"), "rejected");
	assert_string_equal(str(f, "items.1.ref"), "customer:C2");
	assert_string_equal(str(f, "items.2.result"), "rejected");
	assert_null(str(f, "items.2.ref")); /* not JSON: nothing to name it by */
	assert_string_equal(str(f, "items.4.kind"), "spaceship");
	/* every rejected item's message names "body" and its line, as import's */
	for (size_t i = 0; i < 6; i++) {
		char p[32];
		const char *m;

		snprintf(p, sizeof(p), "items.%zu.message", i);
		m = str(f, p);
		if (m == NULL)
			continue;
		n++;
		assert_true(strncmp(m, "body: line ", 11) == 0);
	}
	assert_int_equal(n, 4);
	assert_non_null(strstr(str(f, "items.1.message"), "name"));
	assert_non_null(strstr(str(f, "items.4.message"), "spaceship"));
}

static char last_msgs[8][512];
static int nlast;

static void keep_reject(void *arg, const char *msg)
{
	(void)arg;
	if (nlast < 8)
		snprintf(last_msgs[nlast++], sizeof(last_msgs[0]), "%s", msg);
}

/* The exact words: the API's messages equal import's, item by item. */
static void test_post_messages_equal_import(void **state)
{
	struct fx *f = *state;
	static const char body[] = "{\"kind\":\"customer\",\"id\":\"C2\"}\n"
	                           "[1]\n"
	                           "{\"kind\":\"sale\",\"id\":\"S9\",\"date\":\"2025-13-01\"}\n";
	struct ingest_opts o;
	struct ingest_stats s;
	struct store *st2;
	struct store_actor who = {"import", 1};
	struct bs_error err;
	char path[160], db2[160];
	FILE *fp;

	assert_int_equal(
	    call(f, api_h_records_post, "POST", NULL, "application/x-ndjson", body, NULL, NULL),
	    200);
	snprintf(path, sizeof(path), "%s/body", f->dir);
	snprintf(db2, sizeof(db2), "%s/t3.db", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(body, fp);
	fclose(fp);
	assert_int_equal(store_open(db2, STORE_OPEN_CREATE, &st2, &err), BS_OK);
	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	o.format = SOURCE_JSONL;
	o.who = &who;
	o.on_reject = keep_reject;
	nlast = 0;
	assert_int_equal(ingest_path(st2, path, &o, &s, &err), BS_OK);
	store_close(st2);
	assert_int_equal(nlast, 3);
	for (int i = 0; i < 3; i++) {
		char p[32];

		/* "<dir>/body: line N: ..." from the file, "body: line N: ..." here */
		snprintf(p, sizeof(p), "items.%d.message", i);
		assert_true(strncmp(last_msgs[i], f->dir, strlen(f->dir)) == 0);
		assert_string_equal(str(f, p), last_msgs[i] + strlen(f->dir) + 1);
	}
}

static void test_post_bad_bodies(void **state)
{
	struct fx *f = *state;

	call(f, api_h_records_post, "POST", NULL, "application/json", "", NULL, NULL);
	assert_error(f, 400, NULL);
	call(f, api_h_records_post, "POST", NULL, "application/json", "  \n", NULL, NULL);
	assert_error(f, 400, NULL);
	call(f, api_h_records_post, "POST", NULL, "application/json", "[{\"kind\":", NULL, NULL);
	assert_error(f, 400, NULL);
	call(f, api_h_records_post, "POST", NULL, "application/json", "42", NULL, NULL);
	assert_error(f, 400, NULL);
	call(f, api_h_records_post, "POST", NULL, "application/xml", "<a/>", NULL, NULL);
	assert_error(f, 415, NULL);
	/* nothing was stored */
	call(f, api_h_pending, "GET", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(len(f, "items"), 0);
}

/* A version conflict is that record's rejection; it is left as stored. */
static void test_post_conflict_writes_nothing(void **state)
{
	struct fx *f = *state;

	post_ok(f, NULL, "{\"kind\":\"customer\",\"id\":\"C1\",\"version\":2,\"name\":\"Ann\"}");
	call(f, api_h_records_post, "POST", NULL, NULL,
	     "[{\"kind\":\"customer\",\"id\":\"C1\",\"version\":2,\"name\":\"Eve\"},"
	     "{\"kind\":\"customer\",\"id\":\"C1\",\"version\":1,\"name\":\"Old\"}]",
	     NULL, NULL);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(str(f, "items.0.result"), "rejected");
	assert_string_equal(str(f, "items.1.result"), "stale");
	assert_int_equal(call(f, api_h_record_get, "GET", NULL, NULL, NULL, "customer", "C1"), 200);
	assert_string_equal(str(f, "record.name"), "Ann");
	assert_int_equal(num(f, "version"), 2);
}

/* ---- GET /records/{kind}/{id} ---- */

static void test_record_get(void **state)
{
	struct fx *f = *state;
	struct store_actor who = {"sync", 2};
	struct bs_error err;
	enum sync_state to;

	post_ok(f, NULL, "[" CUST("C1", "Ann") "," SALE("S1", "2025-11-01", "C1") "]");
	assert_int_equal(call(f, api_h_record_get, "GET", NULL, NULL, NULL, "sale", "S1"), 200);
	assert_string_equal(str(f, "ref"), "sale:S1");
	assert_string_equal(str(f, "tab"), "sales/invoices");
	assert_string_equal(str(f, "date"), "2025-11-01");
	assert_string_equal(str(f, "total"), "23.58");
	assert_string_equal(str(f, "record.customer_id"), "C1");
	assert_int_equal(len(f, "targets"), 0);
	/* connected, posted and linked */
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo Co", &who, &err), BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S1", "xero:t1", SYNC_EV_PLAN, NULL,
	                                   &who, &to, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S1", "xero:t1", SYNC_EV_POSTED,
	                                   NULL, &who, &to, &err),
	                 BS_OK);
	assert_int_equal(store_link_set(f->st, "xero:t1", RECORD_SALE, "S1", "Invoice",
	                                "inv-uuid-1", "INV-0042", 3, &err),
	                 BS_OK);
	assert_int_equal(call(f, api_h_record_get, "GET", NULL, NULL, NULL, "sale", "S1"), 200);
	assert_int_equal(len(f, "targets"), 1);
	assert_string_equal(str(f, "targets.0.target"), "xero:t1");
	assert_string_equal(str(f, "targets.0.name"), "Demo Co");
	assert_string_equal(str(f, "targets.0.state"), "imported");
	assert_string_equal(str(f, "targets.0.links.0.type"), "Invoice");
	assert_string_equal(str(f, "targets.0.links.0.ledger_id"), "inv-uuid-1");
	assert_string_equal(str(f, "targets.0.links.0.number"), "INV-0042");
	/* history: arrival, queued, imported */
	assert_int_equal(call(f, api_h_history, "GET", NULL, NULL, NULL, "sale", "S1"), 200);
	assert_true(len(f, "items") >= 3);
	assert_string_equal(str(f, "items.0.to"), "new");
	assert_null(str(f, "next"));
	/* not there */
	call(f, api_h_record_get, "GET", NULL, NULL, NULL, "sale", "S404");
	assert_error(f, 404, NULL);
	call(f, api_h_record_get, "GET", NULL, NULL, NULL, "spaceship", "S1");
	assert_error(f, 404, "kind");
	call(f, api_h_history, "GET", NULL, NULL, NULL, "sale", "S404");
	assert_error(f, 404, NULL);
}

/* ---- pending and errors ---- */

/* 7 sales over 3 dates and 2 customers. */
static void seed_sales(struct fx *f)
{
	post_ok(
	    f, NULL,
	    "[" CUST("C1", "Ann") "," CUST("C2", "Bob") "," SALE("S1", "2025-11-03", "C1") "," SALE(
	        "S2", "2025-11-01",
	        "C2") "," SALE("S3", "2025-11-02",
	                       "C1") "," SALE("S4", "2025-11-01",
	                                      "C1") "," SALE("S5", "2025-11-02",
	                                                     "C2") "," SALE("S6", "2025-11-03",
	                                                                    "C9") "," SALE("S7",
	                                                                                   "2025-"
	                                                                                   "11-01",
	                                                                                   "C2") "]");
}

/* Walk every page of `fn` with `limit`, collecting refs; returns pages. */
static int walk(struct fx *f, api_fn fn, const char *filter, int limit, char refs[][64], int *n)
{
	char q[1024], cursor[512] = "";
	int pages = 0;

	*n = 0;
	for (;;) {
		snprintf(q, sizeof(q), "limit=%d%s%s%s%s", limit, filter[0] ? "&" : "", filter,
		         cursor[0] ? "&cursor=" : "", cursor);
		assert_int_equal(call(f, fn, "GET", q, NULL, NULL, NULL, NULL), 200);
		pages++;
		assert_true(len(f, "items") <= (size_t)limit);
		for (size_t i = 0; i < len(f, "items"); i++) {
			char p[32];

			snprintf(p, sizeof(p), "items.%zu.ref", i);
			snprintf(refs[(*n)++], 64, "%s", str(f, p));
		}
		if (str(f, "next") == NULL)
			break;
		snprintf(cursor, sizeof(cursor), "%s", str(f, "next"));
		assert_true(pages < 50);
	}
	return pages;
}

static void test_pending_pages(void **state)
{
	struct fx *f = *state;
	/* listing order: tab, date, kind, id */
	static const char *const want[] = {"customer:C1", "customer:C2", "sale:S2",
	                                   "sale:S4",     "sale:S7",     "sale:S3",
	                                   "sale:S5",     "sale:S1",     "sale:S6"};
	char refs[32][64];
	int n;

	seed_sales(f);
	for (int limit = 1; limit <= 10; limit++) {
		int pages = walk(f, api_h_pending, "", limit, refs, &n);

		assert_int_equal(n, 9);
		assert_int_equal(pages, (9 + limit - 1) / limit);
		for (int i = 0; i < 9; i++)
			assert_string_equal(refs[i], want[i]);
	}
	/* a tab, and a group */
	walk(f, api_h_pending, "tab=invoices", 2, refs, &n);
	assert_int_equal(n, 7);
	assert_string_equal(refs[0], "sale:S2");
	walk(f, api_h_pending, "tab=sales", 4, refs, &n);
	assert_int_equal(n, 9);
	walk(f, api_h_pending, "tab=purchases", 4, refs, &n);
	assert_int_equal(n, 0);
	/* a row: reference, contact, total, and why it waits */
	assert_int_equal(
	    call(f, api_h_pending, "GET", "tab=invoices&limit=1", NULL, NULL, NULL, NULL), 200);
	assert_string_equal(str(f, "items.0.reference"), "R-S2");
	assert_string_equal(str(f, "items.0.contact"), "Bob");
	assert_string_equal(str(f, "items.0.total"), "23.58");
	assert_string_equal(str(f, "items.0.state"), "not_imported");
	assert_null(str(f, "items.0.target"));
	walk(f, api_h_pending, "tab=invoices", 10, refs, &n);
	assert_int_equal(
	    call(f, api_h_pending, "GET", "tab=invoices&limit=10", NULL, NULL, NULL, NULL), 200);
	assert_string_equal(str(f, "items.6.ref"), "sale:S6");
	assert_string_equal(str(f, "items.6.contact"), "C9"); /* not imported: its id */
	assert_non_null(strstr(str(f, "items.6.reason"), "C9"));
}

/* A record synced between two pages shifts nothing: the next page starts
 * after the last row shown, not at a position. */
static void test_pending_key_not_offset(void **state)
{
	struct fx *f = *state;
	struct store_actor who = {"sync", 2};
	struct bs_error err;
	enum sync_state to;
	char cursor[512];

	seed_sales(f);
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &who, &err), BS_OK);
	assert_int_equal(
	    call(f, api_h_pending, "GET", "limit=3&target=xero:t1", NULL, NULL, NULL, NULL), 200);
	assert_string_equal(str(f, "items.2.ref"), "sale:S2");
	assert_string_equal(str(f, "items.0.target"), "xero:t1");
	snprintf(cursor, sizeof(cursor), "limit=3&cursor=%s", str(f, "next"));
	/* the first two leave the list */
	assert_int_equal(store_state_apply(f->st, RECORD_CUSTOMER, "C1", "xero:t1", SYNC_EV_PLAN,
	                                   NULL, &who, &to, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_CUSTOMER, "C2", "xero:t1", SYNC_EV_PLAN,
	                                   NULL, &who, &to, &err),
	                 BS_OK);
	assert_int_equal(call(f, api_h_pending, "GET", cursor, NULL, NULL, NULL, NULL), 200);
	assert_string_equal(str(f, "items.0.ref"), "sale:S4");
	assert_string_equal(str(f, "items.2.ref"), "sale:S3");
}

static void test_errors_list(void **state)
{
	struct fx *f = *state;
	struct store_actor who = {"sync", 2};
	struct bs_error err;
	enum sync_state to;
	char refs[32][64];
	int n;

	seed_sales(f);
	/* no ledger: nothing has failed */
	assert_int_equal(call(f, api_h_errors, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(len(f, "items"), 0);
	assert_null(str(f, "next"));
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &who, &err), BS_OK);
	static const char *const bad[] = {"S5", "S1", "S3"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_state_apply(f->st, RECORD_SALE, bad[i], "xero:t1",
		                                   SYNC_EV_PLAN, NULL, &who, &to, &err),
		                 BS_OK);
		assert_int_equal(
		    store_state_apply(f->st, RECORD_SALE, bad[i], "xero:t1", SYNC_EV_FAILED,
		                      "Account code '999' is not valid", &who, &to, &err),
		    BS_OK);
	}
	walk(f, api_h_errors, "", 2, refs, &n);
	assert_int_equal(n, 3);
	assert_string_equal(refs[0], "sale:S3");
	assert_string_equal(refs[1], "sale:S5");
	assert_string_equal(refs[2], "sale:S1");
	assert_int_equal(call(f, api_h_errors, "GET", "tab=invoices", NULL, NULL, NULL, NULL), 200);
	assert_string_equal(str(f, "items.0.state"), "error");
	assert_string_equal(str(f, "items.0.reason"), "Account code '999' is not valid");
	walk(f, api_h_errors, "tab=customers", 2, refs, &n);
	assert_int_equal(n, 0);
	/* and they left pending */
	walk(f, api_h_pending, "", 50, refs, &n);
	assert_int_equal(n, 6);
	/* tabs count both */
	assert_int_equal(call(f, api_h_tabs, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_string_equal(str(f, "items.0.tab"), "sales");
	assert_string_equal(str(f, "items.0.label"), "Sales");
	assert_int_equal(num(f, "items.0.pending"), 6);
	assert_int_equal(num(f, "items.0.errors"), 3);
	assert_string_equal(str(f, "items.2.tab"), "sales/invoices");
	assert_string_equal(str(f, "items.2.label"), "Invoices");
	assert_int_equal(num(f, "items.2.pending"), 4);
	assert_int_equal(num(f, "items.2.errors"), 3);
	/* reset one: pending again, its state answered */
	assert_int_equal(call(f, api_h_record_reset, "POST", NULL, NULL, NULL, "sale", "S5"), 200);
	assert_string_equal(str(f, "state"), "not_imported");
	assert_string_equal(str(f, "target"), "xero:t1");
	walk(f, api_h_errors, "", 2, refs, &n);
	assert_int_equal(n, 2);
	/* a state the machine refuses to reset */
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S7", "xero:t1", SYNC_EV_PLAN, NULL,
	                                   &who, &to, &err),
	                 BS_OK);
	call(f, api_h_record_reset, "POST", NULL, NULL, NULL, "sale", "S7");
	assert_error(f, 409, NULL);
}

/* A consolidated member's refused re-import: on GET /refused, counted on
 * /tabs as an error, dismissed by DELETE, withdrawn by the posted version. */
static void test_refused(void **state)
{
	struct fx *f = *state;
	struct store_actor who = {"sync", 2};
	struct bs_error err;
	enum sync_state to;

	post_ok(f, NULL, "[" CUST("C1", "Ann") "," SALE("S1", "2025-11-01", "C1") "]");
	/* before any connection: nothing refused, nothing to dismiss */
	assert_int_equal(call(f, api_h_refused, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(num(f, "count"), 0);
	call(f, api_h_refused_dismiss, "DELETE", NULL, NULL, NULL, "sale", "S1");
	assert_error(f, 404, NULL);
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo Co", &who, &err), BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S1", "xero:t1", SYNC_EV_PLAN, NULL,
	                                   &who, &to, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "S1", "xero:t1", SYNC_EV_CONSOLIDATE,
	                                   NULL, &who, &to, &err),
	                 BS_OK);
	assert_int_equal(to, SYNC_CONSOLIDATED);
	assert_int_equal(store_link_set(f->st, "xero:t1", RECORD_SALE, "S1", "Consolidation", "",
	                                "SO-2025/11/01-Web(A)-1", 3, &err),
	                 BS_OK);
	/* a changed line: refused, and kept */
	assert_int_equal(call(f, api_h_records_post, "POST", NULL, NULL,
	                      SALE("S1", "2025-11-02", "C1"), NULL, NULL),
	                 200);
	assert_int_equal(num(f, "summary.rejected"), 1);
	assert_int_equal(call(f, api_h_refused, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(num(f, "count"), 1);
	assert_string_equal(str(f, "items.0.ref"), "sale:S1");
	assert_string_equal(str(f, "items.0.tab"), "sales/invoices");
	assert_string_equal(str(f, "items.0.state"), "consolidated");
	assert_string_equal(str(f, "items.0.date"), "2025-11-01"); /* the posted version */
	assert_non_null(strstr(str(f, "items.0.reason"), "SO-2025/11/01-Web(A)-1"));
	assert_int_equal(strlen(str(f, "items.0.refused_at")), 20);
	assert_int_equal(call(f, api_h_refused, "GET", "tab=customers", NULL, NULL, NULL, NULL),
	                 200);
	assert_int_equal(num(f, "count"), 0);
	call(f, api_h_refused, "GET", "tab=nowhere", NULL, NULL, NULL, NULL);
	assert_error(f, 400, "tab");
	/* counted among the errors of its tab */
	assert_int_equal(call(f, api_h_tabs, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_string_equal(str(f, "items.0.tab"), "sales");
	assert_int_equal(num(f, "items.0.errors"), 1);
	/* dismissed once; a second time there is none */
	assert_int_equal(call(f, api_h_refused_dismiss, "DELETE", NULL, NULL, NULL, "sale", "S1"),
	                 200);
	assert_string_equal(str(f, "dismissed"), "true");
	call(f, api_h_refused_dismiss, "DELETE", NULL, NULL, NULL, "sale", "S1");
	assert_error(f, 404, NULL);
	/* refused again, then the posted version again: withdrawn */
	assert_int_equal(call(f, api_h_records_post, "POST", NULL, NULL,
	                      SALE("S1", "2025-11-02", "C1"), NULL, NULL),
	                 200);
	assert_int_equal(call(f, api_h_refused, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(num(f, "count"), 1);
	post_ok(f, NULL, SALE("S1", "2025-11-01", "C1"));
	assert_string_equal(str(f, "items.0.result"), "unchanged");
	assert_int_equal(call(f, api_h_refused, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(num(f, "count"), 0);
}

static void test_bad_params(void **state)
{
	struct fx *f = *state;
	static const api_fn fns[] = {api_h_pending, api_h_errors};
	struct store_actor who = {"sync", 2};
	struct bs_error err;
	static const struct {
		const char *query, *param;
	} cases[] = {
	    {"limit=0", "limit"},
	    {"limit=501", "limit"},
	    {"limit=x", "limit"},
	    {"limit=-1", "limit"},
	    {"limit=", "limit"},
	    {"limit=10abc", "limit"},
	    {"limit=99999999999999999999", "limit"},
	    {"tab=nosuchtab", "tab"},
	    {"tab=payments", "tab"}, /* ambiguous: sales/ or purchases/ */
	    {"cursor=", "cursor"},
	    {"cursor=!!!", "cursor"},
	    {"cursor=YWJj", "cursor"},         /* "abc": one field, not four */
	    {"cursor=YR9iH2MfZA", "cursor"},   /* four fields, "c" is no kind */
	    {"cursor=YR9iH3NhbGUf", "cursor"}, /* four fields, empty id */
	    {"target=xero:nope", "target"},
	};

	seed_sales(f);
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			call(f, fns[k], "GET", cases[i].query, NULL, NULL, NULL, NULL);
			assert_error(f, 400, cases[i].param);
		}
	}
	/* two targets and none named */
	assert_int_equal(store_target_add(f->st, "xero:a", "", &who, &err), BS_OK);
	assert_int_equal(store_target_add(f->st, "qbo:b", "", &who, &err), BS_OK);
	call(f, api_h_pending, "GET", NULL, NULL, NULL, NULL, NULL);
	assert_error(f, 400, "target");
	assert_int_equal(call(f, api_h_pending, "GET", "target=qbo:b", NULL, NULL, NULL, NULL),
	                 200);
	assert_int_equal(len(f, "items"), 9);
}

/* More pending rows than the few-rows plan sorts: the walk goes down the
 * listing index; every row comes once, in order, and a cursor from before
 * a tab's range asks for that tab's first page. */
static void test_pending_many(void **state)
{
	struct fx *f = *state;
	struct store_actor who = {"sync", 2};
	struct bs_error err;
	struct buf body;
	char cursor[512], prev[64] = "";
	int n = 0, pages = 0;

	buf_init(&body, BUF_MAX_DEFAULT);
	for (int i = 0; i < 4500; i++)
		buf_printf(&body, "{\"kind\":\"customer\",\"id\":\"C%05d\",\"name\":\"N%d\"}\n", i,
		           i);
	buf_addstr(&body, SALE("S1", "2025-11-01", "C00001") "\n");
	post_ok(f, "application/x-ndjson", buf_cstr(&body));
	buf_free(&body);
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &who, &err), BS_OK);
	cursor[0] = '\0';
	for (;;) {
		char q[600];

		snprintf(q, sizeof(q), "limit=500%s%s", cursor[0] ? "&cursor=" : "", cursor);
		assert_int_equal(call(f, api_h_pending, "GET", q, NULL, NULL, NULL, NULL), 200);
		pages++;
		for (size_t i = 0; i < len(f, "items"); i++) {
			char p[32];
			const char *ref;

			snprintf(p, sizeof(p), "items.%zu.ref", i);
			ref = str(f, p);
			if (n < 4500)
				assert_true(strcmp(prev, ref) < 0);
			snprintf(prev, sizeof(prev), "%s", ref);
			n++;
		}
		if (str(f, "next") == NULL)
			break;
		snprintf(cursor, sizeof(cursor), "%s", str(f, "next"));
	}
	assert_int_equal(n, 4501);
	assert_int_equal(pages, 10);
	assert_string_equal(prev, "sale:S1");
	/* a customers' cursor on the invoices tab: its first page */
	assert_int_equal(call(f, api_h_pending, "GET", "limit=2", NULL, NULL, NULL, NULL), 200);
	snprintf(cursor, sizeof(cursor), "tab=invoices&cursor=%s", str(f, "next"));
	assert_int_equal(call(f, api_h_pending, "GET", cursor, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(len(f, "items"), 1);
	assert_string_equal(str(f, "items.0.ref"), "sale:S1");
	assert_string_equal(str(f, "items.0.contact"), "N1");
}

/* Pending rows far down the listing order, past two walk windows of
 * records that are not pending: the page is completed by sorting the
 * pending rows after the last record walked, in the same order. */
static void test_pending_far(void **state)
{
	struct fx *f = *state;
	struct store_actor who = {"sync", 2};
	struct bs_error err;
	struct buf body;
	enum sync_state to;
	char cursor[600], prev[64] = "", id[16];
	int n = 0;

	buf_init(&body, BUF_MAX_DEFAULT);
	for (int i = 0; i < 25000; i++)
		buf_printf(&body, "{\"kind\":\"customer\",\"id\":\"C%05d\",\"name\":\"N\"}\n", i);
	post_ok(f, "application/x-ndjson", buf_cstr(&body));
	buf_free(&body);
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &who, &err), BS_OK);
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	for (int i = 0; i < 20500; i++) {
		snprintf(id, sizeof(id), "C%05d", i);
		assert_int_equal(store_state_apply(f->st, RECORD_CUSTOMER, id, "xero:t1",
		                                   SYNC_EV_PLAN, NULL, &who, &to, &err),
		                 BS_OK);
	}
	assert_int_equal(store_commit(f->st, &err), BS_OK);
	for (int t = 0; t < 2; t++) {
		cursor[0] = '\0';
		n = 0;
		prev[0] = '\0';
		for (int pages = 0;; pages++) {
			char q[700];

			assert_true(pages < 20);
			snprintf(q, sizeof(q), "limit=500%s%s%s", t ? "&tab=customers" : "",
			         cursor[0] ? "&cursor=" : "", cursor);
			assert_int_equal(call(f, api_h_pending, "GET", q, NULL, NULL, NULL, NULL),
			                 200);
			for (size_t i = 0; i < len(f, "items"); i++) {
				char p[32];
				const char *ref;

				snprintf(p, sizeof(p), "items.%zu.ref", i);
				ref = str(f, p);
				assert_true(strcmp(prev, ref) < 0);
				snprintf(prev, sizeof(prev), "%s", ref);
				if (n++ == 0)
					assert_string_equal(ref, "customer:C20500");
			}
			if (str(f, "next") == NULL)
				break;
			snprintf(cursor, sizeof(cursor), "%s", str(f, "next"));
		}
		assert_int_equal(n, 4500);
		assert_string_equal(prev, "customer:C24999");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_post_one_array_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_post_rejects_as_import, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_post_messages_equal_import, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_post_bad_bodies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_post_conflict_writes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_key_not_offset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_params, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_many, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_far, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
