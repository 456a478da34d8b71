/*
 * test_sandbox_qbo_limits.c - the QuickBooks Online sandbox's throttling
 * per realm (500 a minute, 10 in flight, 40 batch calls a minute: 429 with
 * the ThrottleExceeded Fault; time-scale), its limits SPEC, injected faults
 * (500 as a SystemFault, lost answers and requestid), the state file.
 */
#include "test_sandbox_qbo_util.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#define CUST "{\"DisplayName\":\"%s\"}"

static void test_minute_limit(void **state)
{
	struct tc t;

	(void)state;
	assert_int_equal(qstart_cfg(&t, "minute=3,time-scale=60", NULL, NULL), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(qreq(&t, "GET", "preferences", NULL), 200);
	assert_int_equal(qreq(&t, "GET", "preferences", NULL), 429);
	assert_string_equal(qcode(&t), "3001");
	assert_string_equal(tc_get(&t, "Fault.type"), "SERVICE");
	assert_string_equal(tc_get(&t, "Fault.Error.0.Message"),
	                    "message=ThrottleExceeded; errorCode=003001; statusCode=429");
	/* a scaled minute is one second; a refused call does not count */
	qfc.now_ms += 999;
	assert_int_equal(qreq(&t, "GET", "preferences", NULL), 429);
	qfc.now_ms += 1;
	assert_int_equal(qreq(&t, "GET", "preferences", NULL), 200);
	tc_stop(&t);
}

static void test_batch_limit(void **state)
{
	struct tc t;
	const char *b = "{\"BatchItemRequest\":[{\"bId\":\"1\",\"Query\":\"select * from Item\"}]}";

	(void)state;
	assert_int_equal(qstart_cfg(&t, "minute=100,batch-minute=2", NULL, NULL), 0);
	assert_int_equal(qreq(&t, "POST", "batch", b), 200);
	assert_int_equal(qreq(&t, "POST", "batch", b), 200);
	assert_int_equal(qreq(&t, "POST", "batch", b), 429);
	/* other calls still go */
	assert_int_equal(qreq(&t, "GET", "preferences", NULL), 200);
	qfc.now_ms += 60000;
	assert_int_equal(qreq(&t, "POST", "batch", b), 200);
	tc_stop(&t);
}

struct par {
	struct tc *t;
	long status;
};

static void *par_main(void *arg)
{
	struct par *p = arg;
	struct tc c;
	char h1[4200], path[128];
	const char *extra[] = {h1, NULL};

	memset(&c, 0, sizeof(c));
	snprintf(c.url, sizeof(c.url), "%s", p->t->url);
	c.curl = curl_easy_init();
	buf_init(&c.body, 0);
	buf_init(&c.headers, 0);
	snprintf(h1, sizeof(h1), "Authorization: Bearer %s", p->t->token);
	snprintf(path, sizeof(path), "/v3/company/%s/preferences", p->t->tenant);
	p->status = tc_req(&c, "GET", path, NULL, extra, false);
	json_object_put(c.json);
	curl_easy_cleanup(c.curl);
	buf_free(&c.body);
	buf_free(&c.headers);
	return NULL;
}

static void test_concurrent_limit(void **state)
{
	struct tc t;
	struct par p[3];
	pthread_t th[3];
	int n429 = 0, n200 = 0;

	(void)state;
	/* every call sleeps 400 ms in flight: three at once against concurrent=2 */
	assert_int_equal(
	    qstart_cfg(&t, "concurrent=2", "rate=1,seed=1,kinds=slow,slow-ms=400", NULL), 0);
	for (int i = 0; i < 3; i++) {
		p[i] = (struct par){&t, 0};
		pthread_create(&th[i], NULL, par_main, &p[i]);
		usleep(50000);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		n429 += p[i].status == 429;
		n200 += p[i].status == 200;
	}
	assert_int_equal(n200, 2);
	assert_int_equal(n429, 1);
	tc_stop(&t);
}

static void test_bad_specs(void **state)
{
	static const char *const bad[] = {"day=5", "app-minute=5", "minute=0", "batch-minute=x"};
	struct sandbox_config cfg;
	struct sandbox *sb = NULL;
	struct bs_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.ledger = SANDBOX_QBO;
		cfg.limits = bad[i];
		cfg.no_listen = true;
		assert_int_equal(sandbox_start(&cfg, &sb, &err), BS_EINVAL);
		assert_null(sb);
	}
	/* batch-minute is QBO's alone */
	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = "batch-minute=5";
	cfg.no_listen = true;
	assert_int_equal(sandbox_start(&cfg, &sb, &err), BS_EINVAL);
}

static void test_faults(void **state)
{
	struct tc t;
	char body[128];

	(void)state;
	/* every call fails with 500 */
	assert_int_equal(qstart_cfg(&t, NULL, "rate=1,seed=3,kinds=500", NULL), 0);
	assert_int_equal(qreq(&t, "GET", "preferences", NULL), 500);
	assert_string_equal(tc_get(&t, "Fault.type"), "SystemFault");
	tc_stop(&t);
	/* lost: the customer is created, the answer never comes; the retry with
	 * the same requestid is answered from the first run (a replay is not
	 * lost again), with the Id the first run gave */
	assert_int_equal(qstart_cfg(&t, NULL, "rate=1,seed=3,kinds=lost", NULL), 0);
	snprintf(body, sizeof(body), CUST, "Lost Ltd");
	assert_int_equal(qreq(&t, "POST", "customer?requestid=lost-1", body), 0);
	assert_int_equal(qreq(&t, "POST", "customer?requestid=lost-1", body), 200);
	assert_string_equal(tc_get(&t, "Customer.Id"), "33");
	/* a call without requestid is lost like any other */
	assert_int_equal(qreq(&t, "POST", "customer", body), 0);
	tc_stop(&t);
}

static void test_state_restart(void **state)
{
	char path[] = "/tmp/bs-qbo-state-XXXXXX";
	int fd = mkstemp(path);
	struct tc t;
	char token[4096], realm[64];

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(qstart_cfg(&t, NULL, NULL, path), 0);
	assert_string_equal(qparty(&t, "customer", "Kept Ltd"), "33");
	assert_int_equal(
	    qreq(&t, "POST", "invoice",
	         "{\"CustomerRef\":{\"value\":\"33\"},\"DocNumber\":\"K-1\",\"Line\":[{"
	         "\"DetailType\":\"SalesItemLineDetail\",\"Amount\":10,"
	         "\"SalesItemLineDetail\":{\"TaxCodeRef\":{\"value\":\"5\"}}}]}"),
	    200);
	assert_int_equal(
	    qreq(&t, "POST", "invoice?operation=delete", "{\"Id\":\"34\",\"SyncToken\":\"0\"}"),
	    200);
	assert_int_equal(
	    qreq(&t, "POST", "invoice",
	         "{\"CustomerRef\":{\"value\":\"33\"},\"DocNumber\":\"K-2\",\"Line\":[{"
	         "\"DetailType\":\"SalesItemLineDetail\",\"Amount\":10,"
	         "\"SalesItemLineDetail\":{\"TaxCodeRef\":{\"value\":\"5\"}}}]}"),
	    200);
	snprintf(token, sizeof(token), "%s", t.token);
	snprintf(realm, sizeof(realm), "%s", t.tenant);
	tc_stop(&t);

	assert_int_equal(qstart_cfg(&t, NULL, NULL, path), 0);
	assert_string_equal(t.tenant, realm);
	snprintf(t.token, sizeof(t.token), "%s", token); /* the old token still works */
	assert_int_equal(qreq(&t, "GET", "invoice/35", NULL), 200);
	assert_string_equal(tc_get(&t, "Invoice.TotalAmt"), "11.50");
	assert_int_equal(qreq(&t, "GET", "invoice/34", NULL), 400); /* still deleted */
	/* names, numbers and Ids carry on */
	snprintf(token, sizeof(token), CUST, "kept ltd");
	assert_int_equal(qreq(&t, "POST", "customer", token), 400);
	assert_string_equal(qcode(&t), "6240");
	assert_string_equal(qparty(&t, "customer", "Next Ltd"), "36");
	tc_stop(&t);
	tc_state_unlink(path);
}

/* The admin endpoints a QBO sandbox keeps: log, health, reset, and the
 * companies and their counters (GET tenants, counters); creating a tenant
 * is Xero's. */
static void test_admin(void **state)
{
	struct tc t;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	assert_string_equal(qparty(&t, "customer", "Reset Ltd"), "33");
	assert_int_equal(tc_req(&t, "GET", "/sandbox/health", NULL, NULL, false), 200);
	assert_int_equal(tc_req(&t, "GET", "/sandbox/log", NULL, NULL, false), 200);
	assert_non_null(strstr(buf_cstr(&t.body), "/customer"));
	assert_int_equal(tc_req(&t, "GET", "/sandbox/tenants", NULL, NULL, false), 200);
	assert_non_null(strstr(buf_cstr(&t.body), "\"tenantId\":\"9341453050071234\""));
	assert_int_equal(tc_req(&t, "GET", "/sandbox/counters", NULL, NULL, false), 200);
	assert_non_null(strstr(buf_cstr(&t.body), "\"calls\":1,"));
	assert_int_equal(tc_req(&t, "POST", "/sandbox/tenants", "{}", NULL, false), 404);
	assert_int_equal(tc_req(&t, "POST", "/sandbox/reset", "", NULL, false), 200);
	/* the same realm, the default company again, the token still good */
	assert_int_equal(qreq(&t, "GET", "customer/33", NULL), 400);
	assert_string_equal(qparty(&t, "customer", "Reset Ltd"), "33");
	tc_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minute_limit),
	    cmocka_unit_test(test_batch_limit),
	    cmocka_unit_test(test_concurrent_limit),
	    cmocka_unit_test(test_bad_specs),
	    cmocka_unit_test(test_faults),
	    cmocka_unit_test(test_state_restart),
	    cmocka_unit_test(test_admin),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
