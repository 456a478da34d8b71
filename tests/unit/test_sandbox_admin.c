/*
 * test_sandbox_admin.c - who may reach the sandbox's /sandbox/ admin
 * endpoints: a listen address outside loopback is refused without an admin
 * token; with one, every admin endpoint answers 401 unless the request
 * carries "Authorization: Bearer TOKEN", and nothing is done for a refused
 * call; without one, loopback keeps the open endpoints the tests rely on.
 * Also: a reset keeps every token, in the state file too.
 */
#include "test_sandbox_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#define TOKEN "s3cret-Admin_token.42"

/* Which listen addresses and tokens sandbox_start accepts. */
static void test_listen_needs_token(void **state)
{
	static const struct {
		const char *listen, *token;
		int want;           /* sandbox_start's status */
		const char *needle; /* in err.msg when it fails */
	} cases[] = {
	    {"127.0.0.1:0", NULL, BS_OK, NULL},
	    {"127.0.0.1:0", "", BS_OK, NULL}, /* "" = no token */
	    {"localhost:0", NULL, BS_OK, NULL},
	    {"127.0.0.2:0", NULL, BS_OK, NULL}, /* all of 127.0.0.0/8 is loopback */
	    {"127.0.0.1:0", TOKEN, BS_OK, NULL},
	    {"0.0.0.0:0", NULL, BS_EINVAL, "--admin-token"},
	    {"0.0.0.0:0", "", BS_EINVAL, "not a loopback address"},
	    {"0.0.0.0:0", TOKEN, BS_OK, NULL},
	    /* refused before it tries to bind (which would be BS_EIO) */
	    {"192.0.2.1:0", NULL, BS_EINVAL, "not a loopback address"},
	    {"128.0.0.1:0", NULL, BS_EINVAL, "not a loopback address"},
	    {"126.255.255.255:0", NULL, BS_EINVAL, "not a loopback address"},
	    /* with a token the address is accepted; this one cannot be bound */
	    {"192.0.2.1:0", TOKEN, BS_EIO, "cannot listen"},
	    /* a token no header could carry */
	    {"127.0.0.1:0", "two words", BS_EINVAL, "--admin-token"},
	    {"0.0.0.0:0", "tab\there", BS_EINVAL, "--admin-token"},
	    {"127.0.0.1:0", "caf\xc3\xa9", BS_EINVAL, "--admin-token"},
	    {"127.0.0.1:0", " lead", BS_EINVAL, "--admin-token"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sandbox_config cfg;
		struct sandbox *sb = NULL;
		struct bs_error err;
		int rc;

		memset(&cfg, 0, sizeof(cfg));
		cfg.limits = "off";
		cfg.listen = cases[i].listen;
		cfg.admin_token = cases[i].token;
		bs_error_clear(&err);
		rc = sandbox_start(&cfg, &sb, &err);
		if (rc != cases[i].want)
			fail_msg("case %zu (%s, %s): status %d, want %d (%s)", i, cases[i].listen,
			         cases[i].token ? cases[i].token : "NULL", rc, cases[i].want,
			         err.msg);
		if (rc == BS_OK) {
			assert_non_null(sb);
			assert_true(strncmp(sandbox_url(sb), "http://", 7) == 0);
		} else {
			assert_null(sb);
			if (cases[i].needle == NULL || strstr(err.msg, cases[i].needle) == NULL)
				fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].needle);
		}
		sandbox_stop(sb);
	}
}

static void start_with_token(struct tc *t, const char *listen, const char *token)
{
	struct sandbox_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = "off";
	cfg.listen = listen;
	cfg.admin_token = token;
	assert_int_equal(tc_start(t, &cfg, NULL), 0);
}

/* One admin request with an optional Authorization header value. */
static long admin_req(struct tc *t, const char *method, const char *path, const char *body,
                      const char *authz)
{
	char h[4400];
	const char *extra[] = {h, NULL};

	if (authz == NULL)
		return tc_req(t, method, path, body, NULL, false);
	snprintf(h, sizeof(h), "Authorization: %s", authz);
	return tc_req(t, method, path, body, extra, false);
}

/* Every admin endpoint refuses a request without the right token. */
static void test_every_endpoint_needs_token(void **state)
{
	struct tc t;
	char settings[160];
	const char *wrong[] = {
	    NULL,                            /* no header */
	    "Bearer",                        /* no token */
	    "Bearer ",                       /* empty token */
	    "Bearer s3cret",                 /* a prefix */
	    "Bearer s3cret-Admin_token.42x", /* longer */
	    "Bearer S3CRET-ADMIN_TOKEN.42",  /* tokens are case-sensitive */
	    "Basic s3cret-Admin_token.42",   /* another scheme */
	    TOKEN,                           /* no scheme */
	    "Bearer s3cret-Admin_token.43",  /* same length, last byte differs */
	    "Bearer x3cret-Admin_token.42",  /* same length, first byte differs */
	};
	struct {
		const char *method, *path, *body;
		long want; /* with the right token */
	} eps[] = {
	    {"GET", "/sandbox/health", NULL, 200},
	    {"GET", "/sandbox/log", NULL, 200},
	    {"GET", "/sandbox/log?since=0", NULL, 200},
	    {"GET", "/sandbox/counters", NULL, 200},
	    {"GET", "/sandbox/tenants", NULL, 200},
	    {"POST", "/sandbox/tenants", "{\"Name\":\"Two\"}", 201},
	    {"POST", settings, "{\"PeriodLockDate\":\"2020-01-31\"}", 200},
	    {"POST", "/sandbox/webhooks/intent", "", 400}, /* no --webhook-url here */
	    {"POST", "/sandbox/reset", "", 200},
	    {"GET", "/sandbox/nonesuch", NULL, 404},
	};
	char oauth[4200];

	(void)state;
	start_with_token(&t, "127.0.0.1:0", TOKEN);
	snprintf(settings, sizeof(settings), "/sandbox/tenants/%s/settings", t.tenant);
	snprintf(oauth, sizeof(oauth), "Bearer %s", t.token);
	for (size_t e = 0; e < sizeof(eps) / sizeof(eps[0]); e++) {
		for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
			long got = admin_req(&t, eps[e].method, eps[e].path, eps[e].body, wrong[w]);

			if (got != 401)
				fail_msg("%s %s with '%s': %ld, want 401", eps[e].method,
				         eps[e].path, wrong[w] ? wrong[w] : "(none)", got);
			assert_non_null(tc_header(&t, "WWW-Authenticate"));
			assert_string_equal(tc_get(&t, "Title"), "Unauthorized");
		}
		/* an OAuth access token is for the API, not for the admin endpoints */
		assert_int_equal(admin_req(&t, eps[e].method, eps[e].path, eps[e].body, oauth),
		                 401);
		if (admin_req(&t, eps[e].method, eps[e].path, eps[e].body, "Bearer " TOKEN) !=
		    eps[e].want)
			fail_msg("%s %s with the token: %ld, want %ld", eps[e].method, eps[e].path,
			         t.status, eps[e].want);
	}
	/* the scheme is case-insensitive (RFC 7235) */
	assert_int_equal(admin_req(&t, "GET", "/sandbox/health", NULL, "bearer " TOKEN), 200);
	assert_string_equal(tc_get(&t, "status"), "ok");
	tc_stop(&t);
}

/* A refused call does nothing: a refused reset keeps every tenant. */
static void test_refused_reset_changes_nothing(void **state)
{
	struct tc t;

	(void)state;
	start_with_token(&t, "127.0.0.1:0", TOKEN);
	assert_int_equal(
	    admin_req(&t, "POST", "/sandbox/tenants", "{\"Name\":\"Two\"}", "Bearer " TOKEN), 201);
	assert_int_equal(admin_req(&t, "POST", "/sandbox/reset", "", NULL), 401);
	assert_int_equal(admin_req(&t, "POST", "/sandbox/reset", "", "Bearer nope"), 401);
	assert_int_equal(admin_req(&t, "POST", "/sandbox/tenants", "{\"Name\":\"Three\"}", NULL),
	                 401);
	assert_int_equal(admin_req(&t, "GET", "/sandbox/tenants", NULL, "Bearer " TOKEN), 200);
	assert_int_equal(tc_len(&t, ""), 2);
	/* the API keeps its own auth: the OAuth token works, the admin token does not */
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	{
		char h2[128];
		const char *extra[] = {"Authorization: Bearer " TOKEN, h2, NULL};

		snprintf(h2, sizeof(h2), "xero-tenant-id: %s", t.tenant);
		assert_int_equal(tc_req(&t, "GET", "/api.xro/2.0/Organisation", NULL, extra, false),
		                 401);
	}
	assert_int_equal(admin_req(&t, "POST", "/sandbox/reset", "", "Bearer " TOKEN), 200);
	assert_int_equal(admin_req(&t, "GET", "/sandbox/tenants", NULL, "Bearer " TOKEN), 200);
	assert_int_equal(tc_len(&t, ""), 1);
	tc_stop(&t);
}

/* Without a token, loopback keeps today's open admin endpoints. */
static void test_loopback_without_token_is_open(void **state)
{
	struct tc t;

	(void)state;
	start_with_token(&t, NULL, NULL);
	assert_int_equal(admin_req(&t, "GET", "/sandbox/health", NULL, NULL), 200);
	assert_int_equal(admin_req(&t, "GET", "/sandbox/counters", NULL, "Bearer whatever"), 200);
	assert_int_equal(admin_req(&t, "POST", "/sandbox/reset", "", NULL), 200);
	tc_stop(&t);
}

/* A reset keeps every token, in the state file too: after a restart the
 * tokens issued before the reset still work, whatever their client id. */
static void test_reset_keeps_tokens(void **state)
{
	char path[] = "/tmp/bs-sandbox-admin-XXXXXX";
	char plain[4096], quoted[4096], form[512], code[128];
	struct sandbox_config cfg;
	const char *loc;
	struct tc t;
	int fd = mkstemp(path);
	size_t n;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = "off";
	cfg.state_path = path;
	assert_int_equal(tc_start(&t, &cfg, NULL), 0);
	snprintf(plain, sizeof(plain), "%s", t.token);
	/* a client id that JSON must escape */
	assert_int_equal(
	    tc_req(&t, "GET",
	           "/identity/connect/authorize?response_type=code&client_id=q%22uote"
	           "&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&scope=accounting.settings",
	           NULL, NULL, false),
	    302);
	loc = tc_header(&t, "Location");
	assert_non_null(loc);
	assert_non_null(strstr(loc, "code="));
	loc = strstr(loc, "code=") + 5;
	n = strcspn(loc, "&");
	assert_true(n < sizeof(code));
	memcpy(code, loc, n);
	code[n] = '\0';
	snprintf(
	    form, sizeof(form),
	    "grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2Flocalhost%%2Fcb"
	    "&client_id=q%%22uote&client_secret=s",
	    code);
	assert_int_equal(tc_req(&t, "POST", "/connect/token", form, NULL, false), 200);
	snprintf(quoted, sizeof(quoted), "%s", tc_get(&t, "access_token"));
	assert_int_equal(admin_req(&t, "POST", "/sandbox/reset", "", NULL), 200);
	tc_stop(&t);

	assert_int_equal(tc_start(&t, &cfg, NULL), 0);
	snprintf(t.token, sizeof(t.token), "%s", plain);
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	snprintf(t.token, sizeof(t.token), "%s", quoted);
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	tc_stop(&t);
	tc_state_unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_listen_needs_token),
	    cmocka_unit_test(test_every_endpoint_needs_token),
	    cmocka_unit_test(test_refused_reset_changes_nothing),
	    cmocka_unit_test(test_loopback_without_token_is_open),
	    cmocka_unit_test(test_reset_keeps_tokens),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
