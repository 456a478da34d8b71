/*
 * test_sandbox_tenants.c - many organisations in one sandbox (`sandbox xero
 * --tenants N`, `sandbox qbo --companies N`, docs/sandbox.md): the ids
 * derived from an index (a pure function), the organisations at start, in
 * GET /connections and after a reset, their charts seeded at the first call,
 * documents kept apart, the state file resuming the same ids and order, the
 * limits per tenant and across tenants (Xero's app-minute) or per realm
 * (QBO), the QBO authorize page picking the company a realmId names, and a
 * token kept to its company.
 */
#include "test_sandbox_qbo_util.h"

#include "sandbox/sb_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

static struct fake_clock fc;

#define ID2 "b5000000-0000-4000-8000-000000000002"
#define ID3 "b5000000-0000-4000-8000-000000000003"
#define R2  "9341453050100002"
#define R3  "9341453050100003"

static void test_index_ids(void **state)
{
	static const struct {
		enum sandbox_ledger ledger;
		unsigned idx;
		const char *want; /* NULL: refused */
	} cases[] = {
	    {SANDBOX_XERO, 2, ID2},
	    {SANDBOX_XERO, 37, "b5000000-0000-4000-8000-000000000037"},
	    {SANDBOX_XERO, 10000, "b5000000-0000-4000-8000-000000010000"},
	    {SANDBOX_QBO, 2, R2},
	    {SANDBOX_QBO, 10000, "9341453050110000"},
	    {SANDBOX_XERO, 0, NULL},
	    {SANDBOX_XERO, 1, NULL}, /* the default tenant's id is not derived */
	    {SANDBOX_QBO, 1, NULL},
	    {SANDBOX_QBO, 10001, NULL},
	};
	char out[40], small[8];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = sb_index_id(cases[i].ledger, cases[i].idx, out, sizeof(out));

		if (cases[i].want == NULL) {
			assert_int_equal(rc, BS_EINVAL);
			continue;
		}
		assert_int_equal(rc, BS_OK);
		assert_string_equal(out, cases[i].want);
		/* the same index, the same id: a restart or a test can predict it */
		assert_int_equal(sb_index_id(cases[i].ledger, cases[i].idx, out, sizeof(out)),
		                 BS_OK);
		assert_string_equal(out, cases[i].want);
	}
	assert_int_equal(sb_index_id(SANDBOX_XERO, 2, small, sizeof(small)), BS_ETOOBIG);
	assert_int_equal(sb_index_name(12, out, sizeof(out)), BS_OK);
	assert_string_equal(out, "Booksync Demo 12");
}

static void xstart(struct tc *t, unsigned n, const char *limits, const char *state)
{
	struct sandbox_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = limits ? limits : "off";
	cfg.state_path = state;
	cfg.tenants = n;
	cfg.clock.now_ms = fake_now;
	cfg.clock.ctx = &fc;
	fc.now_ms = T0_MS;
	assert_int_equal(tc_start(t, &cfg, NULL), 0);
}

static void use(struct tc *t, const char *tenant)
{
	snprintf(t->tenant, sizeof(t->tenant), "%s", tenant);
}

static void test_xero_tenants(void **state)
{
	struct tc t;
	char dflt[64];

	(void)state;
	xstart(&t, 3, NULL, NULL);
	snprintf(dflt, sizeof(dflt), "%s", t.tenant);
	assert_int_equal(tc_req(&t, "GET", "/connections", NULL, NULL, true), 200);
	assert_int_equal(json_object_array_length(t.json), 3);
	assert_string_equal(tc_get(&t, "0.tenantId"), dflt);
	assert_string_equal(tc_get(&t, "0.tenantName"), "Booksync Sandbox Ltd");
	assert_string_equal(tc_get(&t, "1.tenantId"), ID2);
	assert_string_equal(tc_get(&t, "2.tenantName"), "Booksync Demo 3");
	/* tenant 3's chart comes with its first call */
	use(&t, ID3);
	assert_int_equal(tc_api(&t, "GET", "Accounts", NULL), 200);
	assert_int_equal(tc_len(&t, "Accounts"), 17);
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	assert_string_equal(tc_get(&t, "Organisations.0.Name"), "Booksync Demo 3");
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"Three\"}]}"),
	                 200);
	use(&t, ID2);
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 0);
	/* ids are looked up in any case, an unknown one is 403 */
	use(&t, "B5000000-0000-4000-8000-000000000003");
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 1);
	use(&t, "b5000000-0000-4000-8000-000000000004");
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 403);
	/* a reset: the same three, empty */
	assert_int_equal(tc_req(&t, "POST", "/sandbox/reset", "", NULL, false), 200);
	assert_int_equal(tc_req(&t, "GET", "/sandbox/tenants", NULL, NULL, false), 200);
	assert_int_equal(json_object_array_length(t.json), 3);
	assert_string_equal(tc_get(&t, "0.tenantId"), dflt);
	assert_string_equal(tc_get(&t, "2.tenantId"), ID3);
	use(&t, ID3);
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 0);
	tc_stop(&t);
}

static void test_xero_state_restart(void **state)
{
	char path[] = "/tmp/bs-sandbox-tenants-XXXXXX";
	int fd = mkstemp(path);
	struct tc t;
	char dflt[64], token[4096];

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	xstart(&t, 3, NULL, path);
	snprintf(dflt, sizeof(dflt), "%s", t.tenant);
	snprintf(token, sizeof(token), "%s", t.token);
	use(&t, ID3);
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"Three\"}]}"),
	                 200);
	/* a write to the default tenant after the others were saved: its row
	 * moves to the end of the table, it must stay the default */
	use(&t, dflt);
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"One\"}]}"), 200);
	tc_stop(&t);

	xstart(&t, 4, NULL, path); /* a larger N adds the missing */
	assert_string_equal(t.tenant, dflt);
	snprintf(t.token, sizeof(t.token), "%s", token);
	assert_int_equal(tc_req(&t, "GET", "/connections", NULL, NULL, true), 200);
	assert_int_equal(json_object_array_length(t.json), 4);
	assert_string_equal(tc_get(&t, "1.tenantId"), ID2);
	assert_string_equal(tc_get(&t, "3.tenantName"), "Booksync Demo 4");
	use(&t, ID3);
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 1);
	assert_string_equal(tc_get(&t, "Contacts.0.Name"), "Three");
	/* seeded once: the chart is not there twice */
	assert_int_equal(tc_api(&t, "GET", "Accounts", NULL), 200);
	assert_int_equal(tc_len(&t, "Accounts"), 17);
	use(&t, dflt);
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_string_equal(tc_get(&t, "Contacts.0.Name"), "One");
	tc_stop(&t);
	tc_state_unlink(path);
}

/* app-minute counts every tenant's calls; minute is one tenant's. */
static void test_xero_limits(void **state)
{
	const char *ids[3];
	struct tc t;
	char dflt[64];

	(void)state;
	xstart(&t, 3, "app-minute=6,minute=1000,day=5000,concurrent=5", NULL);
	snprintf(dflt, sizeof(dflt), "%s", t.tenant);
	ids[0] = dflt;
	ids[1] = ID2;
	ids[2] = ID3;
	for (int i = 0; i < 6; i++) {
		use(&t, ids[i % 3]);
		assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
		fc.now_ms += 10;
	}
	for (int i = 0; i < 3; i++) {
		use(&t, ids[i]);
		assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 429);
		assert_string_equal(tc_header(&t, "X-Rate-Limit-Problem"), "AppMinute");
	}
	assert_int_equal(tc_req(&t, "GET", "/sandbox/counters", NULL, NULL, false), 200);
	assert_string_equal(tc_get(&t, "app_minute_calls"), "6");
	for (int i = 0; i < 3; i++) {
		char key[32];

		snprintf(key, sizeof(key), "tenants.%d.calls", i);
		assert_string_equal(tc_get(&t, key), "2");
		snprintf(key, sizeof(key), "tenants.%d.rate_limited", i);
		assert_string_equal(tc_get(&t, key), "1");
	}
	fc.now_ms += 60000; /* a minute later the window is free again */
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	tc_stop(&t);

	xstart(&t, 3, "minute=2,app-minute=1000,day=5000,concurrent=5", NULL);
	use(&t, ID2);
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 429);
	assert_string_equal(tc_header(&t, "X-Rate-Limit-Problem"), "Minute");
	use(&t, ID3); /* another tenant's minute is its own */
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	assert_string_equal(tc_header(&t, "X-MinLimit-Remaining"), "1");
	tc_stop(&t);
}

static void test_bad_count(void **state)
{
	struct sandbox_config cfg;
	struct sandbox *sb = NULL;
	struct bs_error err;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.no_listen = true;
	cfg.tenants = SANDBOX_TENANTS_MAX + 1;
	assert_int_equal(sandbox_start(&cfg, &sb, &err), BS_EINVAL);
	assert_null(sb);
	cfg.ledger = SANDBOX_QBO;
	assert_int_equal(sandbox_start(&cfg, &sb, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "--companies"));
}

/* ---- QBO ---- */

static void qstart_n(struct tc *t, unsigned n, const char *limits, const char *state)
{
	struct sandbox_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ledger = SANDBOX_QBO;
	cfg.limits = limits ? limits : "off";
	cfg.state_path = state;
	cfg.tenants = n;
	cfg.clock.now_ms = fake_now;
	cfg.clock.ctx = &qfc;
	qfc.now_ms = T0_MS;
	assert_int_equal(tc_start(t, &cfg, QBO_SCOPE), 0);
}

/* The authorisation-code flow with realmId=realm (NULL: none) as a hint;
 * the realmId of the redirect into got, the access token into t->token. */
static void qgrant(struct tc *t, const char *realm, char *got, size_t n)
{
	char path[512], body[512];
	const char *loc, *p;
	char code[128];
	size_t len;

	snprintf(path, sizeof(path),
	         "/connect/oauth2?response_type=code&client_id=c&redirect_uri=http://127.0.0.1:9/cb"
	         "&scope=com.intuit.quickbooks.accounting&state=s%s%s",
	         realm ? "&realmId=" : "", realm ? realm : "");
	assert_int_equal(tc_req(t, "GET", path, NULL, NULL, false), 302);
	loc = tc_header(t, "Location");
	assert_non_null(loc);
	p = strstr(loc, "realmId=");
	assert_non_null(p);
	snprintf(got, n, "%s", p + 8);
	p = strstr(loc, "code=");
	assert_non_null(p);
	len = strcspn(p + 5, "&");
	assert_true(len < sizeof(code));
	memcpy(code, p + 5, len);
	code[len] = '\0';
	snprintf(body, sizeof(body),
	         "grant_type=authorization_code&code=%s&redirect_uri=http://127.0.0.1:9/cb"
	         "&client_id=c&client_secret=s",
	         code);
	assert_int_equal(tc_req(t, "POST", "/oauth2/v1/tokens/bearer", body, NULL, false), 200);
	snprintf(t->token, sizeof(t->token), "%s", tc_get(t, "access_token"));
}

static void test_qbo_companies(void **state)
{
	struct tc t;
	char realm[32], any[4096];

	(void)state;
	qstart_n(&t, 3, NULL, NULL);
	snprintf(any, sizeof(any), "%s", t.token); /* in-process: any company */
	assert_int_equal(tc_req(&t, "GET", "/sandbox/tenants", NULL, NULL, false), 200);
	assert_int_equal(json_object_array_length(t.json), 3);
	assert_string_equal(tc_get(&t, "0.tenantId"), "9341453050071234");
	assert_string_equal(tc_get(&t, "2.tenantId"), R3);
	assert_string_equal(tc_get(&t, "2.tenantName"), "Booksync Demo 3");
	/* no hint: the default company; a hint: that one; an unknown: refused */
	qgrant(&t, NULL, realm, sizeof(realm));
	assert_string_equal(realm, "9341453050071234");
	assert_int_equal(tc_req(&t, "GET",
	                        "/connect/oauth2?response_type=code&client_id=c&redirect_uri="
	                        "http://127.0.0.1:9/cb&scope=x&state=s&realmId=9341453050100009",
	                        NULL, NULL, false),
	                 400);
	qgrant(&t, R2, realm, sizeof(realm));
	assert_string_equal(realm, R2);
	use(&t, R2);
	assert_int_equal(qreq(&t, "GET", "companyinfo/" R2, NULL), 200);
	assert_string_equal(tc_get(&t, "CompanyInfo.CompanyName"), "Booksync Demo 2");
	/* the same Ids as the default company: one sequence per company */
	assert_string_equal(qparty(&t, "customer", "Two Ltd"), "33");
	/* this grant's token is company 2's */
	use(&t, R3);
	assert_int_equal(qreq(&t, "GET", "companyinfo/" R3, NULL), 403);
	snprintf(t.token, sizeof(t.token), "%s", any);
	assert_int_equal(qreq(&t, "GET", "query?query=select%20*%20from%20Customer", NULL), 200);
	assert_null(tc_get(&t, "QueryResponse.Customer"));
	use(&t, R2);
	assert_int_equal(qreq(&t, "GET", "customer/33", NULL), 200);
	assert_string_equal(tc_get(&t, "Customer.DisplayName"), "Two Ltd");
	/* counters per realm */
	assert_int_equal(tc_req(&t, "GET", "/sandbox/counters", NULL, NULL, false), 200);
	assert_string_equal(tc_get(&t, "tenants.0.calls"), "0");
	assert_string_equal(tc_get(&t, "tenants.1.calls"), "3");
	assert_string_equal(tc_get(&t, "tenants.2.calls"), "1");
	/* a reset empties every company and keeps them */
	assert_int_equal(tc_req(&t, "POST", "/sandbox/reset", "", NULL, false), 200);
	assert_int_equal(qreq(&t, "GET", "customer/33", NULL), 400);
	tc_stop(&t);
}

static void test_qbo_limits_and_state(void **state)
{
	char path[] = "/tmp/bs-sandbox-companies-XXXXXX";
	int fd = mkstemp(path);
	struct tc t;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	qstart_n(&t, 3, "minute=2,concurrent=10,batch-minute=40", path);
	use(&t, R2);
	assert_string_equal(qparty(&t, "customer", "Kept Ltd"), "33");
	assert_int_equal(qreq(&t, "GET", "customer/33", NULL), 200);
	assert_int_equal(qreq(&t, "GET", "customer/33", NULL), 429);
	assert_string_equal(qcode(&t), "3001");
	use(&t, R3); /* the minute is per realm */
	assert_int_equal(qreq(&t, "GET", "preferences", NULL), 200);
	tc_stop(&t);

	qstart_n(&t, 3, NULL, path);
	assert_string_equal(t.tenant, "9341453050071234");
	use(&t, R2);
	assert_int_equal(qreq(&t, "GET", "customer/33", NULL), 200);
	assert_string_equal(tc_get(&t, "Customer.DisplayName"), "Kept Ltd");
	assert_string_equal(qparty(&t, "customer", "Next Ltd"), "34");
	use(&t, "9341453050071234");
	assert_int_equal(qreq(&t, "GET", "customer/33", NULL), 400);
	tc_stop(&t);
	tc_state_unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_index_ids),
	    cmocka_unit_test(test_xero_tenants),
	    cmocka_unit_test(test_xero_state_restart),
	    cmocka_unit_test(test_xero_limits),
	    cmocka_unit_test(test_bad_count),
	    cmocka_unit_test(test_qbo_companies),
	    cmocka_unit_test(test_qbo_limits_and_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
