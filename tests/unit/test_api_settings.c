/*
 * test_api_settings.c - GET/PUT /settings (the catalogue's messages, all
 * or nothing, secrets never sent back), GET /consolidated (filters, sort,
 * key paging, CSV), GET /tabs before any connection and GET /stats/daily,
 * called as the server calls them (test_api_util.h).
 */
#include "test_api_util.h"

#include "store/settings.h"

static const char *setting(struct fx *f, const char *key, const char *field)
{
	char p[64];

	for (size_t i = 0; i < len(f, "items"); i++) {
		snprintf(p, sizeof(p), "items.%zu.key", i);
		if (strcmp(str(f, p), key) == 0) {
			snprintf(p, sizeof(p), "items.%zu.%s", i, field);
			return str(f, p) != NULL ? str(f, p) : "(null)";
		}
	}
	return NULL;
}

static void test_settings_get(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	size_t n;

	settings_all(&n);
	assert_int_equal(call(f, api_h_settings_get, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_true(len(f, "items") >= n);
	assert_string_equal(setting(f, "account.sales", "value"), "200");
	assert_string_equal(setting(f, "account.sales", "is_default"), "true");
	assert_string_equal(setting(f, "invoice_status", "choices"),
	                    "[ \"AUTHORISED\", \"DRAFT\" ]");
	assert_string_equal(setting(f, "tax.sales.*", "pattern"), "true");
	/* a secret is said to be set, never shown */
	assert_int_equal(store_setting_set(f->st, "qbo.client_secret", "s3cr3t-value", &err),
	                 BS_OK);
	assert_int_equal(store_setting_set(f->st, "tax.sales.15", "OUTPUT2", &err), BS_OK);
	assert_int_equal(call(f, api_h_settings_get, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_string_equal(setting(f, "qbo.client_secret", "value"), "(null)");
	assert_string_equal(setting(f, "qbo.client_secret", "set"), "true");
	assert_string_equal(setting(f, "qbo.client_secret", "secret"), "true");
	assert_null(strstr(buf_cstr(&f->resp.body), "s3cr3t"));
	assert_string_equal(setting(f, "tax.sales.15", "value"), "OUTPUT2");
}

static void test_settings_put(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	struct buf v;
	/* each bad value: the param named is the key, the message the catalogue's */
	static const struct {
		const char *body, *param, *value; /* value: the one the catalogue refuses */
	} bad[] = {
	    {"{\"invoice_status\":\"MAYBE\"}", "invoice_status", "MAYBE"},
	    {"{\"account.sales\":\"300\",\"invoice_status\":\"MAYBE\"}", "invoice_status", "MAYBE"},
	    {"{\"no.such.key\":\"1\"}", "no.such.key", ""},
	    {"{\"account.sales\":[1]}", "account.sales", NULL},
	    {"{\"base_currency\":\"NZDX\"}", "base_currency", "NZDX"},
	};

	buf_init(&v, 4096);
	assert_int_equal(call(f, api_h_settings_put, "PUT", NULL, NULL,
	                      "{\"account.sales\":\"201\",\"invoice_status\":\"DRAFT\","
	                      "\"tax.sales.15\":\"OUTPUT2\"}\n",
	                      NULL, NULL),
	                 200);
	assert_string_equal(setting(f, "account.sales", "value"), "201");
	assert_string_equal(setting(f, "account.sales", "is_default"), "false");
	assert_string_equal(setting(f, "tax.sales.15", "value"), "OUTPUT2");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call(f, api_h_settings_put, "PUT", NULL, NULL, bad[i].body, NULL, NULL);
		assert_error(f, 400, bad[i].param);
		/* the same words as `booksync settings KEY VALUE` */
		if (bad[i].value != NULL) {
			bs_error_clear(&err);
			assert_int_not_equal(settings_check(bad[i].param, bad[i].value, &err),
			                     BS_OK);
			assert_string_equal(str(f, "error.message"), err.msg);
		}
	}
	/* nothing of a refused PUT was saved, even its good keys */
	assert_int_equal(settings_get(f->st, "account.sales", &v, &err), BS_OK);
	assert_string_equal(buf_cstr(&v), "201");
	/* null: back to the default */
	assert_int_equal(
	    call(f, api_h_settings_put, "PUT", NULL, NULL, "{\"account.sales\":null}", NULL, NULL),
	    200);
	assert_string_equal(setting(f, "account.sales", "value"), "200");
	assert_string_equal(setting(f, "account.sales", "is_default"), "true");
	/* not an object */
	call(f, api_h_settings_put, "PUT", NULL, NULL, "[1]", NULL, NULL);
	assert_error(f, 400, NULL);
	call(f, api_h_settings_put, "PUT", NULL, NULL, "{\"a\":", NULL, NULL);
	assert_error(f, 400, NULL);
	call(f, api_h_settings_put, "PUT", NULL, NULL, "", NULL, NULL);
	assert_error(f, 400, NULL);
	buf_free(&v);
}

/* ---- consolidated ---- */

#define MEMBER(id, date, amount)                                                                   \
	"{\"kind\":\"sale\",\"id\":\"" id "\",\"date\":\"" date "\",\"amount\":\"" amount "\"}"

static void seed_consolidated(struct fx *f)
{
	struct store_actor who = {"sync", f->c.now_ms};
	struct bs_error err;
	enum sync_state to;

	post_ok(
	    f, NULL,
	    "[" CUST("C1", "Ann") ",{\"kind\":\"sale\",\"id\":\"CONS-1\",\"date\":\"2025-11-30\","
	                          "\"reference\":\"Shopify "
	                          "November\",\"customer_id\":\"C1\",\"invoiced\":true,"
	                          "\"status\":\"invoiced\",\"tax_mode\":\"exclusive\",\"lines\":[{"
	                          "\"sku\":\"X\","
	                          "\"qty\":\"1\",\"unit_price\":\"60.00\",\"tax_rate\":\"0\","
	                          "\"account\":\"200\"}],"
	                          "\"consolidation\":{\"name\":\"Shopify (MyShop) "
	                          "2025-11\",\"type\":\"Invoice\","
	                          "\"members\":[" MEMBER("S-3", "2025-11-03", "30.00") "," MEMBER(
	                              "S-1", "2025-11-01", "5.00") "," MEMBER("S-2", "2025-11-02",
	                                                                      "25.00") "]}}]");
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &who, &err), BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "CONS-1", "xero:t1", SYNC_EV_PLAN,
	                                   NULL, &who, &to, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_SALE, "CONS-1", "xero:t1", SYNC_EV_POSTED,
	                                   NULL, &who, &to, &err),
	                 BS_OK);
	assert_int_equal(store_link_set(f->st, "xero:t1", RECORD_SALE, "CONS-1", "Invoice",
	                                "uuid-9", "INV-0009", f->c.now_ms, &err),
	                 BS_OK);
}

static void test_consolidated(void **state)
{
	struct fx *f = *state;
	char q[600];

	/* before any connection: empty */
	assert_int_equal(call(f, api_h_consolidated, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(len(f, "items"), 0);
	assert_int_equal(num(f, "total"), 0);
	seed_consolidated(f);
	assert_int_equal(call(f, api_h_consolidated, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(num(f, "total"), 3);
	assert_string_equal(str(f, "items.0.number"), "S-1"); /* by date */
	assert_string_equal(str(f, "items.0.type"), "sale invoice");
	assert_string_equal(str(f, "items.0.consolidated"), "Shopify (MyShop) 2025-11");
	assert_string_equal(str(f, "items.0.ledger_number"), "INV-0009");
	/* amount, descending, a page of 2 and the rest after its key */
	assert_int_equal(call(f, api_h_consolidated, "GET", "sort=amount&desc=true&limit=2", NULL,
	                      NULL, NULL, NULL),
	                 200);
	assert_string_equal(str(f, "items.0.number"), "S-3");
	assert_string_equal(str(f, "items.1.number"), "S-2");
	assert_non_null(str(f, "next"));
	snprintf(q, sizeof(q), "sort=amount&desc=true&limit=2&cursor=%s", str(f, "next"));
	assert_int_equal(call(f, api_h_consolidated, "GET", q, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(len(f, "items"), 1);
	assert_string_equal(str(f, "items.0.number"), "S-1");
	assert_null(str(f, "next"));
	/* a cursor of another sort */
	snprintf(q, sizeof(q), "sort=date&cursor=%s", strstr(q, "cursor=") + 7);
	call(f, api_h_consolidated, "GET", q, NULL, NULL, NULL, NULL);
	assert_error(f, 400, "cursor");
	/* filters */
	assert_int_equal(call(f, api_h_consolidated, "GET", "search=S-2", NULL, NULL, NULL, NULL),
	                 200);
	assert_int_equal(len(f, "items"), 1);
	assert_int_equal(call(f, api_h_consolidated, "GET", "search=INV-0009&type=sale%20invoice",
	                      NULL, NULL, NULL, NULL),
	                 200);
	assert_int_equal(call(f, api_h_consolidated, "GET", "type=journal", NULL, NULL, NULL, NULL),
	                 200);
	assert_int_equal(len(f, "items"), 0);
	call(f, api_h_consolidated, "GET", "sort=colour", NULL, NULL, NULL, NULL);
	assert_error(f, 400, "sort");
	call(f, api_h_consolidated, "GET", "desc=maybe", NULL, NULL, NULL, NULL);
	assert_error(f, 400, "desc");
	call(f, api_h_consolidated, "GET", "limit=0", NULL, NULL, NULL, NULL);
	assert_error(f, 400, "limit");
	/* CSV: the whole filtered view */
	assert_int_equal(
	    call(f, api_h_consolidated, "GET", "sort=number", "Accept:text/csv", NULL, NULL, NULL),
	    200);
	assert_string_equal(f->resp.content_type, "text/csv; charset=utf-8");
	assert_string_equal(
	    buf_cstr(&f->resp.body),
	    "number,type,consolidated,ledger_number,date,amount\n"
	    "S-1,sale invoice,Shopify (MyShop) 2025-11,INV-0009,2025-11-01,5.00\n"
	    "S-2,sale invoice,Shopify (MyShop) 2025-11,INV-0009,2025-11-02,25.00\n"
	    "S-3,sale invoice,Shopify (MyShop) 2025-11,INV-0009,2025-11-03,30.00\n");
}

/* ---- tabs and daily figures ---- */

static void test_tabs_no_target(void **state)
{
	struct fx *f = *state;
	char p[64];
	int64_t sum = 0;

	post_ok(f, NULL, "[" CUST("C1", "Ann") "," CUST("C2", "Bob") "]");
	assert_int_equal(call(f, api_h_tabs, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_null(str(f, "target"));
	assert_string_equal(str(f, "items.1.tab"), "sales/customers");
	assert_string_equal(str(f, "items.1.group"), "sales");
	assert_string_equal(str(f, "items.1.label"), "Customers");
	assert_int_equal(num(f, "items.1.pending"), 2);
	/* every tab once, group rows first in their group */
	for (size_t i = 0; i < len(f, "items"); i++) {
		snprintf(p, sizeof(p), "items.%zu.errors", i);
		sum += num(f, p);
	}
	assert_int_equal(sum, 0);
	call(f, api_h_tabs, "GET", "target=xero:none", NULL, NULL, NULL, NULL);
	assert_error(f, 400, "target");
}

static void test_stats_daily(void **state)
{
	struct fx *f = *state;
	struct store_actor who = {"sync", 0};
	struct bs_error err;
	struct buf key;
	enum sync_state to;
	int64_t id, day = 86400000;

	buf_init(&key, 256);
	post_ok(f, NULL, "[" CUST("C1", "Ann") "," CUST("C2", "Bob") "," CUST("C3", "Cy") "]");
	who.now_ms = f->c.now_ms - 3 * day;
	assert_int_equal(store_target_add(f->st, "xero:t1", "Demo", &who, &err), BS_OK);
	assert_int_equal(store_target_add(f->st, "qbo:r1", "Demo", &who, &err), BS_OK);
	/* three days ago: C1 on xero; today: C2, C3 on xero, C1 on qbo */
	static const struct {
		const char *id, *target;
		int64_t back;
	} posts[] = {
	    {"C1", "xero:t1", 3}, {"C2", "xero:t1", 0}, {"C3", "xero:t1", 0}, {"C1", "qbo:r1", 0}};
	for (size_t i = 0; i < 4; i++) {
		who.now_ms = f->c.now_ms - posts[i].back * day + 1000;
		assert_int_equal(store_state_apply(f->st, RECORD_CUSTOMER, posts[i].id,
		                                   posts[i].target, SYNC_EV_PLAN, NULL, &who, &to,
		                                   &err),
		                 BS_OK);
		assert_int_equal(store_state_apply(f->st, RECORD_CUSTOMER, posts[i].id,
		                                   posts[i].target, SYNC_EV_POSTED, NULL, &who, &to,
		                                   &err),
		                 BS_OK);
		assert_int_equal(store_request_create(f->st, posts[i].target, "Contact", who.now_ms,
		                                      &id, &key, &err),
		                 BS_OK);
	}
	/* one more call today on xero, and one 40 days ago (out of range) */
	assert_int_equal(
	    store_request_create(f->st, "xero:t1", "Contact", f->c.now_ms + 5, &id, &key, &err),
	    BS_OK);
	assert_int_equal(store_request_create(f->st, "xero:t1", "Contact", f->c.now_ms - 40 * day,
	                                      &id, &key, &err),
	                 BS_OK);
	assert_int_equal(call(f, api_h_stats_daily, "GET", NULL, NULL, NULL, NULL, NULL), 200);
	assert_int_equal(len(f, "items"), 3);
	assert_string_equal(str(f, "items.0.day"), "2025-12-02");
	assert_string_equal(str(f, "items.0.target"), "xero:t1");
	assert_int_equal(num(f, "items.0.posted"), 1);
	assert_int_equal(num(f, "items.0.calls"), 1);
	assert_int_equal(num(f, "items.0.allowance"), 5000);
	assert_string_equal(str(f, "items.1.day"), "2025-12-05");
	assert_string_equal(str(f, "items.1.target"), "qbo:r1");
	assert_null(str(f, "items.1.allowance")); /* QBO: no daily cap */
	assert_string_equal(str(f, "items.2.target"), "xero:t1");
	assert_int_equal(num(f, "items.2.posted"), 2);
	assert_int_equal(num(f, "items.2.calls"), 3);
	/* one target, one day; a setting lowers the allowance */
	assert_int_equal(store_setting_set(f->st, "limits.per_day", "1000", &err), BS_OK);
	assert_int_equal(
	    call(f, api_h_stats_daily, "GET", "days=1&target=xero:t1", NULL, NULL, NULL, NULL),
	    200);
	assert_int_equal(len(f, "items"), 1);
	assert_int_equal(num(f, "items.0.allowance"), 1000);
	call(f, api_h_stats_daily, "GET", "days=0", NULL, NULL, NULL, NULL);
	assert_error(f, 400, "days");
	call(f, api_h_stats_daily, "GET", "days=367", NULL, NULL, NULL, NULL);
	assert_error(f, 400, "days");
	call(f, api_h_stats_daily, "GET", "target=xero:none", NULL, NULL, NULL, NULL);
	assert_error(f, 400, "target");
	buf_free(&key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_settings_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_settings_put, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_consolidated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tabs_no_target, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stats_daily, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
