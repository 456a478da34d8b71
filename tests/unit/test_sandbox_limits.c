/*
 * test_sandbox_limits.c - the sandbox's operational behaviour: rate limits
 * (time-scaled) and their headers, Idempotency-Key replay and conflicts,
 * fault injection and its determinism, the 3.5 MB body cap, the request
 * log and counters, reset, and state surviving a restart with --state.
 */
#include "test_sandbox_util.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

static struct fake_clock fc;

static void start_cfg(struct tc *t, const char *limits, const char *faults, const char *state)
{
	struct sandbox_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = limits;
	cfg.faults = faults;
	cfg.state_path = state;
	cfg.clock.now_ms = fake_now;
	cfg.clock.ctx = &fc;
	assert_int_equal(tc_start(t, &cfg, NULL), 0);
}

static void test_minute_limit(void **state)
{
	struct tc t;

	(void)state;
	fc.now_ms = INT64_C(1767225600000);
	start_cfg(&t, "minute=3,day=100,concurrent=5,app-minute=1000,time-scale=60", NULL, NULL);
	for (int i = 0; i < 3; i++) {
		char want[8];

		assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
		snprintf(want, sizeof(want), "%d", 2 - i);
		assert_string_equal(tc_header(&t, "X-MinLimit-Remaining"), want);
		assert_non_null(tc_header(&t, "X-DayLimit-Remaining"));
		assert_non_null(tc_header(&t, "X-AppMinLimit-Remaining"));
		fc.now_ms += 100;
	}
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 429);
	assert_string_equal(tc_header(&t, "X-Rate-Limit-Problem"), "Minute");
	/* a scaled minute is 1 s; the first call ages out 700 ms from now */
	assert_string_equal(tc_header(&t, "Retry-After"), "1");
	fc.now_ms += 800;
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	assert_string_equal(tc_header(&t, "X-DayLimit-Remaining"), "96");
	/* the counters saw 4 calls and one 429 */
	assert_int_equal(tc_req(&t, "GET", "/sandbox/counters", NULL, NULL, false), 200);
	assert_string_equal(tc_get(&t, "tenants.0.calls"), "4");
	assert_string_equal(tc_get(&t, "tenants.0.rate_limited"), "1");
	assert_string_equal(tc_get(&t, "tenants.0.by_endpoint.GET Organisation"), "4");
	tc_stop(&t);
}

static void test_day_and_app_limits(void **state)
{
	struct tc t;
	char other[64];

	(void)state;
	fc.now_ms = INT64_C(1767225600000);
	start_cfg(&t, "minute=1000,day=3,concurrent=5,app-minute=5,time-scale=60", NULL, NULL);
	for (int i = 0; i < 3; i++)
		assert_int_equal(tc_api(&t, "GET", "Accounts", NULL), 200);
	assert_int_equal(tc_api(&t, "GET", "Accounts", NULL), 429);
	assert_string_equal(tc_header(&t, "X-Rate-Limit-Problem"), "Daily");
	/* a scaled day is 1440 s */
	assert_string_equal(tc_header(&t, "Retry-After"), "1440");
	assert_string_equal(tc_header(&t, "X-DayLimit-Remaining"), "0");
	/* another tenant has its own day, but the app-wide minute is shared */
	assert_int_equal(tc_req(&t, "POST", "/sandbox/tenants", "{\"Name\":\"Two\"}", NULL, false),
	                 201);
	snprintf(other, sizeof(other), "%s", tc_get(&t, "tenantId"));
	snprintf(t.tenant, sizeof(t.tenant), "%s", other);
	assert_int_equal(tc_api(&t, "GET", "Accounts", NULL), 200);
	assert_int_equal(tc_api(&t, "GET", "Accounts", NULL), 200);
	assert_int_equal(tc_api(&t, "GET", "Accounts", NULL), 429);
	assert_string_equal(tc_header(&t, "X-Rate-Limit-Problem"), "AppMinute");
	tc_stop(&t);
}

struct par {
	struct tc *t;
	const char *method, *path, *body, *key;
	long status;
};

static void *par_main(void *arg)
{
	struct par *p = arg;
	struct tc c;
	char h1[4200], h2[128], h3[200];
	const char *extra[] = {h1, h2, p->key ? h3 : NULL, NULL};

	memset(&c, 0, sizeof(c));
	snprintf(c.url, sizeof(c.url), "%s", p->t->url);
	c.curl = curl_easy_init();
	buf_init(&c.body, 0);
	buf_init(&c.headers, 0);
	snprintf(h1, sizeof(h1), "Authorization: Bearer %s", p->t->token);
	snprintf(h2, sizeof(h2), "xero-tenant-id: %s", p->t->tenant);
	if (p->key)
		snprintf(h3, sizeof(h3), "Idempotency-Key: %s", p->key);
	p->status = tc_req(&c, p->method, p->path, p->body, extra, false);
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
	fc.now_ms = INT64_C(1767225600000);
	/* every call sleeps 400 ms in flight: three at once against concurrent=2 */
	start_cfg(&t, "concurrent=2,minute=100,day=100", "rate=1,seed=1,kinds=slow,slow-ms=400",
	          NULL);
	for (int i = 0; i < 3; i++) {
		p[i] = (struct par){&t, "GET", "/api.xro/2.0/Organisation", NULL, NULL, 0};
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

static void test_idempotency(void **state)
{
	struct tc t;
	const char *k1[] = {"Idempotency-Key: key-1", NULL};
	char first[4096], long_key[200];
	const char *klong[] = {long_key, NULL};

	(void)state;
	fc.now_ms = INT64_C(1767225600000);
	start_cfg(&t, "time-scale=60", NULL, NULL);
	assert_int_equal(tc_req(&t, "PUT", "/api.xro/2.0/Contacts",
	                        "{\"Contacts\":[{\"Name\":\"Idem\"}]}", k1, true),
	                 200);
	snprintf(first, sizeof(first), "%s", buf_cstr(&t.body));
	/* replay: same answer, nothing new */
	assert_int_equal(tc_req(&t, "PUT", "/api.xro/2.0/Contacts",
	                        "{\"Contacts\":[{\"Name\":\"Idem\"}]}", k1, true),
	                 200);
	assert_string_equal(buf_cstr(&t.body), first);
	assert_string_equal(tc_header(&t, "Idempotent-Replayed"), "true");
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 1);
	/* same key, other body or path: 409 */
	assert_int_equal(tc_req(&t, "PUT", "/api.xro/2.0/Contacts",
	                        "{\"Contacts\":[{\"Name\":\"Other\"}]}", k1, true),
	                 409);
	assert_int_equal(tc_req(&t, "POST", "/api.xro/2.0/Contacts",
	                        "{\"Contacts\":[{\"Name\":\"Idem\"}]}", k1, true),
	                 409);
	/* an error reply is replayed too */
	{
		const char *k2[] = {"Idempotency-Key: key-2", NULL};

		assert_int_equal(tc_req(&t, "PUT", "/api.xro/2.0/Contacts",
		                        "{\"Contacts\":[{\"Name\":\"Idem\"}]}", k2, true),
		                 400);
		assert_int_equal(tc_req(&t, "PUT", "/api.xro/2.0/Contacts",
		                        "{\"Contacts\":[{\"Name\":\"Idem\"}]}", k2, true),
		                 400);
		assert_string_equal(tc_header(&t, "Idempotent-Replayed"), "true");
	}
	/* longer than 128 characters: 400 */
	memset(long_key, 'k', sizeof(long_key));
	memcpy(long_key, "Idempotency-Key: ", 17);
	long_key[17 + 129] = '\0';
	assert_int_equal(tc_req(&t, "PUT", "/api.xro/2.0/Contacts",
	                        "{\"Contacts\":[{\"Name\":\"L\"}]}", klong, true),
	                 400);
	/* kept 24 h (scaled: 24 min): afterwards the key runs again */
	fc.now_ms += 24 * 60 * 1000 + 1;
	/* the token lived 30 scaled minutes (30 s): take a new one */
	assert_int_equal(sandbox_issue_token(t.sb, "accounting.contacts", t.token, sizeof(t.token)),
	                 0);
	assert_int_equal(tc_req(&t, "PUT", "/api.xro/2.0/Contacts",
	                        "{\"Contacts\":[{\"Name\":\"Idem\"}]}", k1, true),
	                 400); /* now a real duplicate */
	/* keys are per tenant */
	assert_int_equal(tc_req(&t, "POST", "/sandbox/tenants", "{\"Name\":\"T2\"}", NULL, false),
	                 201);
	snprintf(t.tenant, sizeof(t.tenant), "%s", tc_get(&t, "tenantId"));
	assert_int_equal(tc_req(&t, "PUT", "/api.xro/2.0/Contacts",
	                        "{\"Contacts\":[{\"Name\":\"Other\"}]}", k1, true),
	                 200);
	/* the log recorded the keys */
	assert_int_equal(tc_req(&t, "GET", "/sandbox/log", NULL, NULL, false), 200);
	assert_string_equal(tc_get(&t, "entries.0.idempotency_key"), "key-1");
	assert_string_equal(tc_get(&t, "entries.0.elements"), "1");
	assert_string_equal(tc_get(&t, "entries.0.method"), "PUT");
	tc_stop(&t);
}

static void test_idempotency_in_progress(void **state)
{
	struct tc t;
	struct par a, b;
	pthread_t ta, tb;

	(void)state;
	fc.now_ms = INT64_C(1767225600000);
	start_cfg(&t, "off", "rate=1,seed=3,kinds=slow,slow-ms=500", NULL);
	a = (struct par){
	    &t, "PUT", "/api.xro/2.0/Contacts", "{\"Contacts\":[{\"Name\":\"P\"}]}", "same", 0};
	b = a;
	pthread_create(&ta, NULL, par_main, &a);
	usleep(150000);
	pthread_create(&tb, NULL, par_main, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(b.status, 409);
	tc_stop(&t);
}

/* Drive the socket-free core: the fault of each of n requests. */
static void fault_pattern(const char *faults, char *out, size_t n)
{
	struct sandbox_config cfg;
	struct sandbox *sb;
	char tok[4096], auth[4200];
	struct sandbox_kv h[2];

	memset(&cfg, 0, sizeof(cfg));
	cfg.no_listen = true;
	cfg.limits = "off";
	cfg.faults = faults;
	assert_int_equal(sandbox_start(&cfg, &sb, NULL), 0);
	assert_int_equal(sandbox_issue_token(sb, "accounting.settings", tok, sizeof(tok)), 0);
	snprintf(auth, sizeof(auth), "Bearer %s", tok);
	h[0] = (struct sandbox_kv){"Authorization", auth};
	h[1] = (struct sandbox_kv){"xero-tenant-id", sandbox_default_tenant(sb)};
	for (size_t i = 0; i + 1 < n; i++) {
		struct sandbox_request req = {"GET", "/api.xro/2.0/Accounts", NULL, 0, h, 2, "", 0};
		struct sandbox_response resp;

		sandbox_response_init(&resp);
		sandbox_handle(sb, &req, &resp);
		out[i] = resp.drop            ? 'D'
		         : resp.status == 500 ? '5'
		         : resp.status == 503 ? '3'
		                              : '.';
		out[i + 1] = '\0';
		sandbox_response_free(&resp);
	}
	sandbox_stop(sb);
}

static void test_fault_determinism(void **state)
{
	char a[41], b[41], c[41];

	(void)state;
	fault_pattern("rate=0.5,seed=42,kinds=500+503+drop", a, sizeof(a));
	fault_pattern("rate=0.5,seed=42,kinds=500+503+drop", b, sizeof(b));
	fault_pattern("rate=0.5,seed=43,kinds=500+503+drop", c, sizeof(c));
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	/* about half are faults, and each kind shows up */
	assert_non_null(strchr(a, '5'));
	assert_non_null(strchr(a, '3'));
	assert_non_null(strchr(a, 'D'));
	assert_non_null(strchr(a, '.'));
	fault_pattern("rate=0,seed=42,kinds=500", a, sizeof(a));
	assert_null(strchr(a, '5'));
}

static void test_lost_and_drop(void **state)
{
	static const struct {
		const char *faults;
		bool committed;
	} cases[] = {{"rate=1,seed=1,kinds=lost", true}, {"rate=1,seed=1,kinds=drop", false}};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct tc t;

		fc.now_ms = INT64_C(1767225600000);
		start_cfg(&t, "off", cases[i].faults, NULL);
		/* the client sees the connection close without an answer */
		assert_int_equal(
		    tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"Lost\"}]}"), 0);
		/* the log (never faulted) says whether the change was made */
		assert_int_equal(tc_req(&t, "GET", "/sandbox/log", NULL, NULL, false), 200);
		assert_string_equal(tc_get(&t, "entries.0.fault"),
		                    cases[i].committed ? "lost" : "drop");
		assert_int_equal(tc_req(&t, "GET", "/sandbox/counters", NULL, NULL, false), 200);
		assert_string_equal(tc_get(&t, "tenants.0.calls"), cases[i].committed ? "1" : "0");
		tc_stop(&t);
	}
}

static void test_body_cap(void **state)
{
	struct tc t;
	size_t n = (size_t)3670016 + 100;
	char *big = malloc(n + 1);

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	big[n] = '\0';
	big[0] = '{';
	big[n - 1] = '}';
	fc.now_ms = INT64_C(1767225600000);
	start_cfg(&t, "off", NULL, NULL);
	assert_int_equal(tc_api(&t, "PUT", "Contacts", big), 413);
	free(big);
	tc_stop(&t);
}

static void test_state_restart(void **state)
{
	char path[] = "/tmp/bs-sandbox-state-XXXXXX";
	int fd = mkstemp(path);
	struct tc t;
	char tenant[64], token[4096], contact[64];

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	fc.now_ms = INT64_C(1767225600000);
	start_cfg(&t, "off", NULL, path);
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"Kept\"}]}"),
	                 200);
	snprintf(contact, sizeof(contact), "%s", tc_get(&t, "Contacts.0.ContactID"));
	assert_int_equal(
	    tc_api(&t, "PUT", "Invoices",
	           "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"Kept\"},"
	           "\"Status\":\"AUTHORISED\",\"LineItems\":[{\"Description\":\"x\","
	           "\"Quantity\":1,\"UnitAmount\":10,\"AccountCode\":\"200\"}]}]}"),
	    200);
	snprintf(tenant, sizeof(tenant), "%s", t.tenant);
	snprintf(token, sizeof(token), "%s", t.token);
	tc_stop(&t);

	start_cfg(&t, "off", NULL, path);
	assert_string_equal(t.tenant, tenant);
	snprintf(t.token, sizeof(t.token), "%s", token); /* the old token still works */
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 1);
	assert_string_equal(tc_get(&t, "Contacts.0.ContactID"), contact);
	assert_int_equal(tc_api(&t, "GET", "Invoices", NULL), 200);
	assert_string_equal(tc_get(&t, "Invoices.0.InvoiceNumber"), "INV-0001");
	assert_string_equal(tc_get(&t, "Invoices.0.Total"), "11.50");
	/* numbering and uniqueness carry on */
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"kept\"}]}"),
	                 400);
	assert_int_equal(
	    tc_api(&t, "PUT", "Invoices",
	           "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"Kept\"}}]}"),
	    200);
	assert_string_equal(tc_get(&t, "Invoices.0.InvoiceNumber"), "INV-0002");
	/* reset wipes documents, keeps the tenant id */
	assert_int_equal(tc_req(&t, "POST", "/sandbox/reset", "", NULL, false), 200);
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 0);
	tc_stop(&t);
	start_cfg(&t, "off", NULL, path);
	assert_string_equal(t.tenant, tenant);
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 0);
	assert_int_equal(tc_api(&t, "GET", "Accounts", NULL), 200);
	assert_true(tc_len(&t, "Accounts") >= 10);
	tc_stop(&t);
	unlink(path);
}

static void test_bad_specs(void **state)
{
	static const char *const bad_limits[] = {"minute=0", "minute=x", "bogus=1", "minute"};
	static const char *const bad_faults[] = {"rate=2", "kinds=500+oops", "seed=-1", "x=1"};
	struct sandbox_config cfg;
	struct sandbox *sb;
	struct bs_error err;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.no_listen = true;
		cfg.limits = bad_limits[i];
		assert_int_equal(sandbox_start(&cfg, &sb, &err), BS_EINVAL);
		cfg.limits = NULL;
		cfg.faults = bad_faults[i];
		assert_int_equal(sandbox_start(&cfg, &sb, &err), BS_EINVAL);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = "nonsense";
	assert_int_equal(sandbox_start(&cfg, &sb, &err), BS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minute_limit),
	    cmocka_unit_test(test_day_and_app_limits),
	    cmocka_unit_test(test_concurrent_limit),
	    cmocka_unit_test(test_idempotency),
	    cmocka_unit_test(test_idempotency_in_progress),
	    cmocka_unit_test(test_fault_determinism),
	    cmocka_unit_test(test_lost_and_drop),
	    cmocka_unit_test(test_body_cap),
	    cmocka_unit_test(test_state_restart),
	    cmocka_unit_test(test_bad_specs),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
