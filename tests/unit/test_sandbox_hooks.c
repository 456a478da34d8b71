/*
 * test_sandbox_hooks.c - the sandbox's webhooks: signed event deliveries for
 * contacts, invoices and credit notes, and the intent-to-receive check
 * against a receiver that verifies signatures (and one that does not).
 */
#include "test_sandbox_util.h"

#include <microhttpd.h>
#include <pthread.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#define KEY "webhook-signing-key"

struct receiver {
	struct MHD_Daemon *d;
	int port;
	bool verify; /* false: answer 200 to everything */
	pthread_mutex_t mu;
	struct buf bodies; /* every verified body, one per line */
	int good, bad;
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
	                  MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-xero-signature"));
	pthread_mutex_lock(&r->mu);
	if (ok) {
		r->good++;
		buf_addstr(&r->bodies, buf_cstr(&u->body));
		buf_addc(&r->bodies, '\n');
	} else {
		r->bad++;
	}
	pthread_mutex_unlock(&r->mu);
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, ok || !r->verify ? 200 : 401, resp);
	MHD_destroy_response(resp);
	buf_free(&u->body);
	free(u);
	*ctx = NULL;
	return ret;
}

static void receiver_start(struct receiver *r, bool verify)
{
	const union MHD_DaemonInfo *di;

	memset(r, 0, sizeof(*r));
	r->verify = verify;
	pthread_mutex_init(&r->mu, NULL);
	buf_init(&r->bodies, 0);
	r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
	                        NULL, NULL, on_hook, r, MHD_OPTION_END);
	assert_non_null(r->d);
	di = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(di);
	r->port = di->port;
}

static void receiver_stop(struct receiver *r)
{
	MHD_stop_daemon(r->d);
	buf_free(&r->bodies);
	pthread_mutex_destroy(&r->mu);
}

static void start(struct tc *t, struct receiver *r)
{
	struct sandbox_config cfg;
	char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", r->port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = "off";
	cfg.webhook_url = url;
	cfg.webhook_key = KEY;
	assert_int_equal(tc_start(t, &cfg, NULL), 0);
}

/* Wait up to 5 s until the receiver holds a verified body containing `needle`. */
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

static void test_events(void **state)
{
	struct receiver r;
	struct tc t;
	char id[64], needle[160];

	(void)state;
	receiver_start(&r, true);
	start(&t, &r);
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"Hooked\"}]}"),
	                 200);
	snprintf(id, sizeof(id), "%s", tc_get(&t, "Contacts.0.ContactID"));
	snprintf(needle, sizeof(needle), "\"resourceId\":\"%s\"", id);
	assert_true(wait_for(&r, needle));
	assert_true(wait_for(&r, "\"eventCategory\":\"CONTACT\""));
	assert_true(wait_for(&r, "\"eventType\":\"CREATE\""));
	assert_true(wait_for(&r, "\"firstEventSequence\":1"));
	/* an invoice; its new contact too */
	assert_int_equal(
	    tc_api(&t, "PUT", "Invoices",
	           "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"Hooked\"},"
	           "\"LineItems\":[{\"Description\":\"x\",\"Quantity\":1,\"UnitAmount\":1,"
	           "\"AccountCode\":\"200\"}]}]}"),
	    200);
	assert_true(wait_for(&r, "\"eventCategory\":\"INVOICE\""));
	/* an update */
	{
		char path[128];

		snprintf(path, sizeof(path), "Contacts/%s", id);
		assert_int_equal(
		    tc_api(&t, "POST", path, "{\"Contacts\":[{\"EmailAddress\":\"h@x.test\"}]}"),
		    200);
	}
	assert_true(wait_for(&r, "\"eventType\":\"UPDATE\""));
	/* credit notes carry data {Type, Status} */
	assert_int_equal(
	    tc_api(&t, "PUT", "CreditNotes",
	           "{\"CreditNotes\":[{\"Type\":\"ACCRECCREDIT\",\"Contact\":{\"Name\":"
	           "\"Hooked\"}}]}"),
	    200);
	assert_true(wait_for(&r, "\"data\":{\"Type\":\"ACCRECCREDIT\",\"Status\":\"DRAFT\"}"));
	/* a failed (rolled back) write sends nothing */
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"hooked\"}]}"),
	                 400);
	assert_int_equal(r.bad, 0);
	tc_stop(&t);
	receiver_stop(&r);
}

static void test_intent(void **state)
{
	static const bool verify[] = {true, false};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct receiver r;
		struct tc t;

		receiver_start(&r, verify[i]);
		start(&t, &r);
		assert_int_equal(tc_req(&t, "POST", "/sandbox/webhooks/intent", "", NULL, false),
		                 200);
		/* a receiver that checks signatures passes; one answering 200 to all fails */
		assert_string_equal(tc_get(&t, "ok"), verify[i] ? "true" : "false");
		assert_int_equal(tc_len(&t, "attempts"), 6);
		assert_int_equal(r.good, 3);
		assert_int_equal(r.bad, 3);
		tc_stop(&t);
		receiver_stop(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_intent),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
