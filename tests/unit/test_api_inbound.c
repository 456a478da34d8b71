/*
 * test_api_inbound.c - GET /api/v1/inbound (docs/inbound.md "In serve"),
 * called as the server calls it: the imported payments with their
 * decision, reason and 24-hour flag, the counts, the state filter, pages
 * by key (a row decided between two pages shifts nothing), and every bad
 * parameter named.
 */
#include "test_api_util.h"

#include "store/store_inbound.h"

#define NOW  1764892800000LL /* the fixture's now */
#define HOUR 3600000LL

static void add(struct fx *f, const char *target, const char *id, const char *state,
                const char *reason, const char *sale, int64_t amount, int64_t decided_ms)
{
	struct store_inbound_row r;
	struct bs_error err;

	memset(&r, 0, sizeof(r));
	snprintf(r.target, sizeof(r.target), "%s", target);
	snprintf(r.ledger_id, sizeof(r.ledger_id), "%s", id);
	snprintf(r.state, sizeof(r.state), "%s", state);
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	snprintf(r.contact, sizeof(r.contact), "ct-%s", id);
	snprintf(r.customer, sizeof(r.customer), "%s",
	         strcmp(reason, "unknown customer") ? "C1" : "");
	snprintf(r.sale, sizeof(r.sale), "%s", sale);
	snprintf(r.invoice, sizeof(r.invoice), "%s", sale[0] ? "inv-1" : "");
	snprintf(r.currency, sizeof(r.currency), "NZD");
	snprintf(r.date, sizeof(r.date), "2025-12-01");
	r.amount = amount;
	r.updated_ms = decided_ms - 1000;
	r.decided_ms = decided_ms;
	assert_int_equal(store_inbound_add(f->st, &r, &err), BS_OK);
}

static void connect_one(struct fx *f)
{
	struct store_actor who = {"test", NOW};
	struct bs_error err;

	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &who, &err), BS_OK);
}

/* p1 applied, p2 skipped two days ago (overdue), p3 failed an hour ago,
 * p4 skipped 25 hours ago (overdue), p5 applied. */
static void seed(struct fx *f)
{
	connect_one(f);
	add(f, "xero:t1", "p1", "applied", "", "S1", 100000000, NOW - 72 * HOUR);
	add(f, "xero:t1", "p2", "skipped", "partial payment", "", 69000000, NOW - 48 * HOUR);
	add(f, "xero:t1", "p3", "failed", "event refused", "", 5500000, NOW - HOUR);
	add(f, "xero:t1", "p4", "skipped", "unknown customer", "", 1000000, NOW - 25 * HOUR);
	add(f, "xero:t1", "p5", "applied", "", "S2", 70000000, NOW - 2 * HOUR);
}

static void test_list(void **state)
{
	struct fx *f = *state;

	seed(f);
	assert_int_equal(call(f, api_h_inbound, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(len(f, "items"), 5);
	assert_null(str(f, "next"));
	assert_string_equal(str(f, "target"), "xero:t1");
	assert_int_equal(num(f, "counts.applied"), 2);
	assert_int_equal(num(f, "counts.skipped"), 2);
	assert_int_equal(num(f, "counts.failed"), 1);
	assert_int_equal(num(f, "counts.overdue"), 2);
	/* oldest decision first */
	assert_string_equal(str(f, "items.0.ledger_payment_id"), "p1");
	assert_string_equal(str(f, "items.1.ledger_payment_id"), "p2");
	assert_string_equal(str(f, "items.2.ledger_payment_id"), "p4");
	assert_string_equal(str(f, "items.3.ledger_payment_id"), "p5");
	assert_string_equal(str(f, "items.4.ledger_payment_id"), "p3");
	/* an applied one: its sale, no reason, never overdue however old */
	assert_string_equal(str(f, "items.0.state"), "applied");
	assert_null(str(f, "items.0.reason"));
	assert_string_equal(str(f, "items.0.sale"), "S1");
	assert_string_equal(str(f, "items.0.ledger_invoice_id"), "inv-1");
	assert_string_equal(str(f, "items.0.amount"), "100.00");
	assert_string_equal(str(f, "items.0.currency"), "NZD");
	assert_string_equal(str(f, "items.0.customer"), "C1");
	assert_string_equal(str(f, "items.0.date"), "2025-12-01");
	assert_false(json_object_get_boolean(get(f->j, "items.0.overdue")));
	/* skipped two days ago: overdue, with its reason */
	assert_string_equal(str(f, "items.1.reason"), "partial payment");
	assert_null(str(f, "items.1.sale"));
	assert_string_equal(str(f, "items.1.amount"), "69.00");
	assert_true(json_object_get_boolean(get(f->j, "items.1.overdue")));
	/* unknown customer: no customer, overdue at 25 hours */
	assert_null(str(f, "items.2.customer"));
	assert_string_equal(str(f, "items.2.ledger_contact_id"), "ct-p4");
	assert_true(json_object_get_boolean(get(f->j, "items.2.overdue")));
	/* failed an hour ago: not yet */
	assert_string_equal(str(f, "items.4.state"), "failed");
	assert_string_equal(str(f, "items.4.reason"), "event refused");
	assert_string_equal(str(f, "items.4.amount"), "5.50");
	assert_false(json_object_get_boolean(get(f->j, "items.4.overdue")));
	assert_int_equal(num(f, "items.4.decided_ms"), NOW - HOUR);
}

static void test_state_filter(void **state)
{
	struct fx *f = *state;

	seed(f);
	assert_int_equal(call(f, api_h_inbound, "GET", "state=unapplied", NULL, NULL, NULL, NULL),
	                 200);
	assert_int_equal(len(f, "items"), 3);
	assert_string_equal(str(f, "items.0.ledger_payment_id"), "p2");
	assert_string_equal(str(f, "items.2.ledger_payment_id"), "p3");
	/* the counts are the target's, whatever the filter */
	assert_int_equal(num(f, "counts.applied"), 2);
	assert_int_equal(
	    call(f, api_h_inbound, "GET", "state=skipped&target=xero:t1", NULL, NULL, NULL, NULL),
	    200);
	assert_int_equal(len(f, "items"), 2);
	assert_int_equal(call(f, api_h_inbound, "GET", "state=applied", NULL, NULL, NULL, NULL),
	                 200);
	assert_int_equal(len(f, "items"), 2);
	assert_string_equal(str(f, "items.1.ledger_payment_id"), "p5");
	assert_int_equal(call(f, api_h_inbound, "GET", "state=failed", NULL, NULL, NULL, NULL),
	                 200);
	assert_int_equal(len(f, "items"), 1);
}

/* Pages of 2 give every row once, in order; a row decided before the
 * cursor's key after page 1 does not shift page 2. */
static void test_pages(void **state)
{
	struct fx *f = *state;
	const char *want[] = {"p1", "p2", "p4", "p5", "p3"};
	char q[1024], cursor[512] = "";
	size_t seen = 0, pages = 0;

	seed(f);
	do {
		snprintf(q, sizeof(q), "limit=2%s%s", cursor[0] ? "&cursor=" : "", cursor);
		assert_int_equal(call(f, api_h_inbound, "GET", q, NULL, NULL, NULL, NULL), 200);
		for (size_t i = 0; i < len(f, "items"); i++) {
			char path[64];

			snprintf(path, sizeof(path), "items.%zu.ledger_payment_id", i);
			assert_true(seen < 5);
			assert_string_equal(str(f, path), want[seen]);
			seen++;
		}
		if (pages++ == 0) /* older than every row shown so far */
			add(f, "xero:t1", "p0", "skipped", "ambiguous", "", 1000000,
			    NOW - 96 * HOUR);
		snprintf(cursor, sizeof(cursor), "%s", str(f, "next") ? str(f, "next") : "");
	} while (cursor[0] != '\0');
	assert_int_equal(seen, 5);
	assert_int_equal(pages, 3);
	/* the last full page says there is no next */
	assert_int_equal(call(f, api_h_inbound, "GET", "limit=6", NULL, NULL, NULL, NULL), 200);
	assert_int_equal(len(f, "items"), 6);
	assert_null(str(f, "next"));
	assert_int_equal(num(f, "counts.overdue"), 3);
}

static void test_empty(void **state)
{
	struct fx *f = *state;

	/* nothing connected: every target, nothing there */
	assert_int_equal(call(f, api_h_inbound, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(len(f, "items"), 0);
	assert_null(str(f, "target"));
	assert_int_equal(num(f, "counts.overdue"), 0);
	connect_one(f);
	assert_int_equal(call(f, api_h_inbound, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(len(f, "items"), 0);
	assert_null(str(f, "next"));
}

static void test_bad_params(void **state)
{
	struct fx *f = *state;
	/* cursors: "abc" (one field, not three); "x", "x", "p" (not a time);
	 * "1", "x:t1", "" (no id) */
	static const struct {
		const char *query, *param;
	} cases[] = {
	    {"state=lost", "state"},
	    {"state=Applied", "state"},
	    {"limit=0", "limit"},
	    {"limit=501", "limit"},
	    {"limit=x", "limit"},
	    {"cursor=", "cursor"},
	    {"cursor=!!!", "cursor"},
	    {"cursor=YWJj", "cursor"},
	    {"cursor=eB94H3A", "cursor"},
	    {"cursor=MR94OnQxHw", "cursor"},
	    {"target=xero:nosuch", "target"},
	};

	seed(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		call(f, api_h_inbound, "GET", cases[i].query, NULL, NULL, NULL, NULL);
		assert_error(f, 400, cases[i].param);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_state_filter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_params, setup, teardown),
	};

	(void)post_ok; /* the fixture's, for the record endpoints */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
