/*
 * test_sandbox_qbo_oauth.c - the QuickBooks Online sandbox's OAuth paths
 * (authorize with code, state and realmId; tokens/bearer for both grants,
 * 1-hour access tokens, rotating refresh tokens; revoke), the API's 401 /
 * 403 Faults, and webhooks signed in intuit-signature.
 */
#include "test_sandbox_qbo_util.h"

#include <microhttpd.h>
#include <pthread.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#define BASIC "Authorization: Basic YXBwOnNlY3JldA==" /* app:secret */
#define HOUR  INT64_C(3600000)
#define KEY   "verifier-token"

static const char *authorize(struct tc *t, const char *scope, char *realm, size_t rn)
{
	static char code[128];
	char path[1024];
	const char *loc, *c, *r;
	size_t n;

	snprintf(path, sizeof(path),
	         "/connect/oauth2?client_id=app&response_type=code&scope=%s&redirect_uri="
	         "http%%3A%%2F%%2Flocalhost%%3A5000%%2Fcb&state=s1",
	         scope);
	assert_int_equal(tc_req(t, "GET", path, NULL, NULL, false), 302);
	loc = tc_header(t, "Location");
	assert_non_null(loc);
	assert_true(strncmp(loc, "http://localhost:5000/cb?code=", 30) == 0);
	assert_non_null(strstr(loc, "&state=s1"));
	r = strstr(loc, "&realmId=");
	assert_non_null(r);
	snprintf(realm, rn, "%s", r + 9);
	c = loc + 30;
	n = strcspn(c, "&");
	memcpy(code, c, n);
	code[n] = '\0';
	return code;
}

static long token_call(struct tc *t, const char *form)
{
	const char *extra[] = {BASIC, "Content-Type: application/x-www-form-urlencoded", NULL};

	return tc_req(t, "POST", "/oauth2/v1/tokens/bearer", form, extra, false);
}

static void test_code_flow(void **state)
{
	struct tc t;
	char form[512], realm[64], refresh[128], refresh2[128];

	(void)state;
	assert_int_equal(qstart(&t), 0);
	snprintf(
	    form, sizeof(form),
	    "grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2Flocalhost%%3A5000"
	    "%%2Fcb",
	    authorize(&t, "com.intuit.quickbooks.accounting", realm, sizeof(realm)));
	assert_string_equal(realm, t.tenant);
	assert_int_equal(token_call(&t, form), 200);
	assert_string_equal(tc_get(&t, "token_type"), "bearer");
	assert_string_equal(tc_get(&t, "expires_in"), "3600");
	assert_string_equal(tc_get(&t, "x_refresh_token_expires_in"), "8640000");
	assert_null(tc_get(&t, "id_token")); /* no openid asked */
	snprintf(t.token, sizeof(t.token), "%s", tc_get(&t, "access_token"));
	snprintf(refresh, sizeof(refresh), "%s", tc_get(&t, "refresh_token"));
	/* the code is single-use */
	assert_int_equal(token_call(&t, form), 400);
	assert_string_equal(tc_get(&t, "error"), "invalid_grant");
	/* the token works for an hour */
	assert_int_equal(qreq(&t, "GET", "companyinfo/x", NULL), 200);
	assert_string_equal(tc_get(&t, "CompanyInfo.CompanyName"), "Booksync Sandbox Ltd");
	qfc.now_ms += HOUR;
	assert_int_equal(qreq(&t, "GET", "companyinfo/x", NULL), 401);
	assert_string_equal(tc_get(&t, "Fault.type"), "AuthenticationFault");
	/* refresh: a new refresh token; the old one has a 30-minute grace */
	snprintf(form, sizeof(form), "grant_type=refresh_token&refresh_token=%s", refresh);
	assert_int_equal(token_call(&t, form), 200);
	snprintf(refresh2, sizeof(refresh2), "%s", tc_get(&t, "refresh_token"));
	assert_string_not_equal(refresh, refresh2);
	snprintf(t.token, sizeof(t.token), "%s", tc_get(&t, "access_token"));
	assert_int_equal(qreq(&t, "GET", "preferences", NULL), 200);
	qfc.now_ms += HOUR / 2;
	assert_int_equal(token_call(&t, form), 400);
	/* revoke the current refresh token: it and its access tokens are gone */
	{
		const char *extra[] = {BASIC, NULL};
		char body[256];

		snprintf(body, sizeof(body), "{\"token\":\"%s\"}", refresh2);
		assert_int_equal(tc_req(&t, "POST", "/oauth2/v1/tokens/revoke", body, extra, false),
		                 200);
	}
	assert_int_equal(qreq(&t, "GET", "preferences", NULL), 401);
	snprintf(form, sizeof(form), "grant_type=refresh_token&refresh_token=%s", refresh2);
	assert_int_equal(token_call(&t, form), 400);
	tc_stop(&t);
}

static void test_access_faults(void **state)
{
	struct tc t;
	char path[128];

	(void)state;
	assert_int_equal(qstart(&t), 0);
	/* another realm */
	assert_int_equal(tc_req(&t, "GET", "/v3/company/123/preferences", NULL, NULL, true), 403);
	assert_string_equal(tc_get(&t, "Fault.type"), "AuthorizationFault");
	/* no token */
	snprintf(path, sizeof(path), "/v3/company/%s/preferences", t.tenant);
	assert_int_equal(tc_req(&t, "GET", path, NULL, NULL, false), 401);
	tc_stop(&t);
	/* a token without the accounting scope */
	{
		struct sandbox_config cfg;

		memset(&cfg, 0, sizeof(cfg));
		cfg.ledger = SANDBOX_QBO;
		cfg.limits = "off";
		assert_int_equal(tc_start(&t, &cfg, "openid email"), 0);
		assert_int_equal(qreq(&t, "GET", "preferences", NULL), 403);
		tc_stop(&t);
	}
}

/* ---- webhooks ---- */

struct receiver {
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t mu;
	struct buf bodies; /* verified bodies, one per line */
	int bad;
};

struct upload {
	struct buf body;
};

static bool signature_ok(const char *body, size_t len, const char *sig)
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	char b64[64];

	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const uint8_t *)KEY, strlen(KEY));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	return sig != NULL && strcmp(sig, b64) == 0;
}

static enum MHD_Result on_hook(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **ctx)
{
	struct receiver *r = cls;
	struct upload *u = *ctx;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	bool ok;

	(void)url;
	(void)method;
	(void)version;
	if (u == NULL) {
		u = calloc(1, sizeof(*u));
		buf_init(&u->body, 0);
		*ctx = u;
		return MHD_YES;
	}
	if (*size > 0) {
		buf_add(&u->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	ok = signature_ok(u->body.ptr ? u->body.ptr : "", u->body.len,
	                  MHD_lookup_connection_value(c, MHD_HEADER_KIND, "intuit-signature"));
	pthread_mutex_lock(&r->mu);
	if (ok) {
		buf_addstr(&r->bodies, buf_cstr(&u->body));
		buf_addc(&r->bodies, '\n');
	} else {
		r->bad++;
	}
	pthread_mutex_unlock(&r->mu);
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, ok ? 200 : 401, resp);
	MHD_destroy_response(resp);
	buf_free(&u->body);
	free(u);
	*ctx = NULL;
	return ret;
}

static bool wait_for(struct receiver *r, const char *needle)
{
	for (int i = 0; i < 100; i++) {
		bool found;

		pthread_mutex_lock(&r->mu);
		found = strstr(buf_cstr(&r->bodies), needle) != NULL;
		pthread_mutex_unlock(&r->mu);
		if (found)
			return true;
		usleep(50000);
	}
	return false;
}

static void test_webhooks(void **state)
{
	struct receiver r;
	struct sandbox_config cfg;
	const union MHD_DaemonInfo *di;
	struct tc t;
	char url[128], needle[256];

	(void)state;
	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.mu, NULL);
	buf_init(&r.bodies, 0);
	r.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
	                       NULL, NULL, on_hook, &r, MHD_OPTION_END);
	assert_non_null(r.d);
	di = MHD_get_daemon_info(r.d, MHD_DAEMON_INFO_BIND_PORT);
	r.port = di->port;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", r.port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.ledger = SANDBOX_QBO;
	cfg.limits = "off";
	cfg.webhook_url = url;
	cfg.webhook_key = KEY;
	assert_int_equal(tc_start(&t, &cfg, QBO_SCOPE), 0);
	assert_string_equal(qparty(&t, "customer", "Hooked Ltd"), "33");
	snprintf(needle, sizeof(needle),
	         "{\"eventNotifications\":[{\"realmId\":\"%s\",\"dataChangeEvent\":{\"entities\":[{"
	         "\"name\":\"Customer\",\"id\":\"33\",\"operation\":\"Create\"",
	         t.tenant);
	assert_true(wait_for(&r, needle));
	assert_int_equal(qreq(&t, "POST", "invoice",
	                      "{\"CustomerRef\":{\"value\":\"33\"},\"Line\":[{\"DetailType\":"
	                      "\"SalesItemLineDetail\",\"Amount\":1,\"SalesItemLineDetail\":{}}]}"),
	                 200);
	assert_int_equal(
	    qreq(&t, "POST", "invoice?operation=void", "{\"Id\":\"34\",\"SyncToken\":\"0\"}"), 200);
	assert_true(wait_for(&r, "\"name\":\"Invoice\",\"id\":\"34\",\"operation\":\"Void\""));
	tc_stop(&t);
	assert_int_equal(r.bad, 0);
	MHD_stop_daemon(r.d);
	buf_free(&r.bodies);
	pthread_mutex_destroy(&r.mu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_flow),
	    cmocka_unit_test(test_access_faults),
	    cmocka_unit_test(test_webhooks),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
