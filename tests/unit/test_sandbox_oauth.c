/*
 * test_sandbox_oauth.c - the sandbox's OAuth 2.0 server and API access
 * control: authorisation-code flow, token lifetimes, refresh rotation with
 * its 30-minute grace, 60-day refresh expiry, scopes (broad and granular),
 * the xero-tenant-id header, /connections and the --clients file.
 */
#include "test_sandbox_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#define MIN_MS (INT64_C(60) * 1000)
#define BASIC  "Authorization: Basic YXBwOnNlY3JldA==" /* app:secret */

static struct fake_clock fc;

static void start(struct tc *t, const char *clients)
{
	struct sandbox_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = "off";
	cfg.clock.now_ms = fake_now;
	cfg.clock.ctx = &fc;
	cfg.clients_path = clients;
	fc.now_ms = INT64_C(1767225600000); /* 2026-01-01 */
	assert_int_equal(tc_start(t, &cfg, NULL), 0);
}

/* Run the browser leg: returns the code from the redirect (static buffer). */
static const char *authorize(struct tc *t, const char *scope)
{
	static char code[128];
	char path[1024];
	const char *loc, *c;
	size_t n;

	snprintf(path, sizeof(path),
	         "/identity/connect/authorize?response_type=code&client_id=app&redirect_uri="
	         "http%%3A%%2F%%2Flocalhost%%3A5000%%2Fcb&scope=%s&state=st%%20ate",
	         scope);
	assert_int_equal(tc_req(t, "GET", path, NULL, NULL, false), 302);
	loc = tc_header(t, "Location");
	assert_non_null(loc);
	assert_true(strncmp(loc, "http://localhost:5000/cb?code=", 30) == 0);
	assert_non_null(strstr(loc, "&state=st%20ate"));
	c = loc + 30;
	n = strcspn(c, "&");
	assert_true(n < sizeof(code));
	memcpy(code, c, n);
	code[n] = '\0';
	return code;
}

static void token_call(struct tc *t, const char *form, const char *auth_hdr)
{
	const char *extra[] = {auth_hdr, NULL};

	tc_req(t, "POST", "/connect/token", form, auth_hdr ? extra : NULL, false);
}

static void use_token(struct tc *t, const char *tok)
{
	snprintf(t->token, sizeof(t->token), "%s", tok);
}

static void test_code_flow(void **state)
{
	struct tc t;
	char form[512], refresh1[128], refresh2[128], access[4096];
	const char *code;

	(void)state;
	start(&t, NULL);
	code = authorize(&t, "openid%20profile%20email%20accounting.transactions%20"
	                     "accounting.settings%20offline_access");
	snprintf(
	    form, sizeof(form),
	    "grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2Flocalhost%%3A5000"
	    "%%2Fcb",
	    code);
	token_call(&t, form, BASIC);
	assert_int_equal(t.status, 200);
	assert_string_equal(tc_get(&t, "token_type"), "Bearer");
	assert_string_equal(tc_get(&t, "expires_in"), "1800");
	assert_non_null(tc_get(&t, "id_token"));
	assert_non_null(strstr(tc_get(&t, "scope"), "offline_access"));
	snprintf(refresh1, sizeof(refresh1), "%s", tc_get(&t, "refresh_token"));
	snprintf(access, sizeof(access), "%s", tc_get(&t, "access_token"));
	/* a code is single-use */
	token_call(&t, form, BASIC);
	assert_int_equal(t.status, 400);
	assert_string_equal(tc_get(&t, "error"), "invalid_grant");

	/* the token works: /connections lists the default tenant */
	use_token(&t, access);
	assert_int_equal(tc_req(&t, "GET", "/connections", NULL, NULL, true), 200);
	assert_string_equal(tc_get(&t, "0.tenantId"), t.tenant);
	assert_string_equal(tc_get(&t, "0.tenantType"), "ORGANISATION");
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	assert_string_equal(tc_get(&t, "Organisations.0.BaseCurrency"), "NZD");

	/* refresh rotates; the replaced token stays usable for 30 minutes */
	snprintf(form, sizeof(form), "grant_type=refresh_token&refresh_token=%s", refresh1);
	token_call(&t, form, BASIC);
	assert_int_equal(t.status, 200);
	snprintf(refresh2, sizeof(refresh2), "%s", tc_get(&t, "refresh_token"));
	assert_string_not_equal(refresh1, refresh2);
	fc.now_ms += 29 * MIN_MS;
	token_call(&t, form, BASIC); /* the old one, inside the grace */
	assert_int_equal(t.status, 200);
	fc.now_ms += 2 * MIN_MS;
	token_call(&t, form, BASIC); /* grace over */
	assert_int_equal(t.status, 400);
	assert_string_equal(tc_get(&t, "error"), "invalid_grant");
	/* the access token issued at the start has expired after 31 minutes */
	use_token(&t, access);
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 401);

	/* the current refresh token works, with the client in form fields */
	snprintf(form, sizeof(form),
	         "grant_type=refresh_token&refresh_token=%s&client_id=app&client_secret=secret",
	         refresh2);
	token_call(&t, form, NULL);
	assert_int_equal(t.status, 200);
	snprintf(refresh1, sizeof(refresh1), "%s", tc_get(&t, "refresh_token"));
	/* unused for 61 days: expired */
	fc.now_ms += 61 * 24 * 60 * MIN_MS;
	snprintf(form, sizeof(form), "grant_type=refresh_token&refresh_token=%s", refresh1);
	token_call(&t, form, BASIC);
	assert_int_equal(t.status, 400);
	assert_string_equal(tc_get(&t, "error"), "invalid_grant");
	/* another client cannot use someone's refresh token */
	tc_stop(&t);
}

static void test_no_offline_access(void **state)
{
	struct tc t;
	char form[512];
	const char *code;

	(void)state;
	start(&t, NULL);
	code = authorize(&t, "accounting.transactions");
	snprintf(form, sizeof(form), "grant_type=authorization_code&code=%s", code);
	token_call(&t, form, BASIC);
	assert_int_equal(t.status, 200);
	assert_null(tc_get(&t, "refresh_token"));
	token_call(&t, "grant_type=password", BASIC);
	assert_int_equal(t.status, 400);
	assert_string_equal(tc_get(&t, "error"), "unsupported_grant_type");
	tc_stop(&t);
}

static void test_clients_file(void **state)
{
	struct tc t;
	char path[] = "/tmp/bs-sandbox-clients-XXXXXX";
	int fd = mkstemp(path);
	const char *code;
	char form[512];

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "# allowed\napp:secret\n", 21), 21);
	close(fd);
	start(&t, path);
	code = authorize(&t, "accounting.transactions");
	snprintf(form, sizeof(form), "grant_type=authorization_code&code=%s", code);
	token_call(&t, form, "Authorization: Basic YXBwOndyb25n"); /* app:wrong */
	assert_int_equal(t.status, 400);
	assert_string_equal(tc_get(&t, "error"), "invalid_client");
	token_call(&t, form, BASIC);
	assert_int_equal(t.status, 200);
	/* an unknown client is refused at the authorisation step */
	assert_int_equal(tc_req(&t, "GET",
	                        "/identity/connect/authorize?response_type=code&client_id=other&"
	                        "redirect_uri=http%3A%2F%2Flocalhost%2Fcb&scope=openid",
	                        NULL, NULL, false),
	                 400);
	tc_stop(&t);
	unlink(path);
}

static void test_scopes(void **state)
{
	static const struct {
		const char *scope, *method, *path;
		long want;
	} cases[] = {
	    {"accounting.contacts.read", "GET", "Contacts", 200},
	    {"accounting.contacts.read", "PUT", "Contacts", 403},
	    {"accounting.contacts.read", "GET", "Invoices", 403},
	    {"accounting.contacts", "PUT", "Contacts", 200},
	    {"accounting.transactions.read", "GET", "Invoices", 200},
	    {"accounting.transactions.read", "PUT", "Invoices", 403},
	    {"accounting.invoices", "GET", "Invoices", 200},
	    {"accounting.invoices", "GET", "Items", 200},
	    {"accounting.invoices", "GET", "Payments", 403},
	    {"accounting.payments.read", "GET", "Payments", 200},
	    {"accounting.banktransactions", "GET", "BankTransactions", 200},
	    {"accounting.banktransactions", "GET", "ManualJournals", 403},
	    {"accounting.manualjournals.read", "GET", "ManualJournals", 200},
	    {"accounting.settings.read", "GET", "Accounts", 200},
	    {"accounting.settings.read", "GET", "Organisation", 200},
	    {"accounting.contacts", "GET", "Organisation", 403},
	    {"accounting.transactions", "GET", "TaxRates", 403},
	};
	struct tc t;

	(void)state;
	start(&t, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *body = strcmp(cases[i].method, "PUT") == 0
		                       ? "{\"Contacts\":[{\"Name\":\"Scope Test\"}]}"
		                       : NULL;
		char name[64];

		assert_int_equal(
		    sandbox_issue_token(t.sb, cases[i].scope, t.token, sizeof(t.token)), 0);
		if (body != NULL && strcmp(cases[i].path, "Contacts") == 0) {
			snprintf(name, sizeof(name), "{\"Contacts\":[{\"Name\":\"Scope %zu\"}]}",
			         i);
			body = name;
		}
		if (tc_api(&t, cases[i].method, cases[i].path, body) != cases[i].want)
			fail_msg("%s %s %s: got %ld, want %ld", cases[i].scope, cases[i].method,
			         cases[i].path, t.status, cases[i].want);
	}
	tc_stop(&t);
}

static void test_tenant_header(void **state)
{
	struct tc t;
	char hdr[4200];
	const char *extra[] = {hdr, NULL};
	const char *extra2[] = {hdr, "xero-tenant-id: 00000000-0000-0000-0000-000000000000", NULL};

	(void)state;
	start(&t, NULL);
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", t.token);
	/* missing tenant header: 403 */
	assert_int_equal(tc_req(&t, "GET", "/api.xro/2.0/Organisation", NULL, extra, false), 403);
	/* unknown tenant: 403 */
	assert_int_equal(tc_req(&t, "GET", "/api.xro/2.0/Organisation", NULL, extra2, false), 403);
	/* no token: 401; garbage token: 401 */
	assert_int_equal(tc_req(&t, "GET", "/api.xro/2.0/Organisation", NULL, NULL, false), 401);
	snprintf(t.token, sizeof(t.token), "garbage");
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 401);
	tc_stop(&t);
}

static void test_second_tenant(void **state)
{
	struct tc t;
	char id[64];

	(void)state;
	start(&t, NULL);
	assert_int_equal(tc_req(&t, "POST", "/sandbox/tenants",
	                        "{\"Name\":\"Aussie Pty\",\"BaseCurrency\":\"AUD\","
	                        "\"CountryCode\":\"AU\"}",
	                        NULL, false),
	                 201);
	snprintf(id, sizeof(id), "%s", tc_get(&t, "tenantId"));
	assert_int_equal(tc_req(&t, "GET", "/connections", NULL, NULL, true), 200);
	assert_int_equal(tc_len(&t, ""), 2);
	snprintf(t.tenant, sizeof(t.tenant), "%s", id);
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	assert_string_equal(tc_get(&t, "Organisations.0.BaseCurrency"), "AUD");
	assert_int_equal(tc_api(&t, "GET", "TaxRates?where=TaxType%3D%3D%22OUTPUT%22", NULL), 200);
	assert_string_equal(tc_get(&t, "TaxRates.0.EffectiveRate"), "10.0000");
	/* documents are per tenant */
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"Only AU\"}]}"),
	                 200);
	snprintf(t.tenant, sizeof(t.tenant), "%s", sandbox_default_tenant(t.sb));
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 0);
	tc_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_flow),     cmocka_unit_test(test_no_offline_access),
	    cmocka_unit_test(test_clients_file),  cmocka_unit_test(test_scopes),
	    cmocka_unit_test(test_tenant_header), cmocka_unit_test(test_second_tenant),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
