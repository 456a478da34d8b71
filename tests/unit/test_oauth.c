/*
 * test_oauth.c - the OAuth 2.0 client (src/ledger/oauth2/oauth2.h) as Xero
 * drives it (src/ledger/xero/oauth.h).
 *
 * Pure parts table-driven (endpoints, authorize URL, token replies,
 * redirects); the flows against the real sandbox started in-process
 * (sandbox_start): code exchange, refresh rotation, invalid_grant,
 * invalid_client, connections, auto-approval; the callback listener driven
 * by an HTTP GET from a second thread, also end to end as a browser would
 * (authorize -> sandbox 302 -> listener).  A small libmicrohttpd fake serves
 * the answers the sandbox never gives (a login page, a 500, junk).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "http/client.h"
#include "ledger/oauth2/oauth2.h"
#include "ledger/xero/oauth.h"
#include "sandbox/sandbox.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------- pure parts */

static void test_endpoints(void **state)
{
	static const struct {
		const char *base;
		int rc;
		const char *authorize, *token, *connections, *api;
	} cases[] = {
	    {NULL, BS_OK, "https://login.xero.com/identity/connect/authorize",
	     "https://identity.xero.com/connect/token", "https://api.xero.com/connections",
	     "https://api.xero.com/api.xro/2.0"},
	    {"", BS_OK, "https://login.xero.com/identity/connect/authorize",
	     "https://identity.xero.com/connect/token", "https://api.xero.com/connections",
	     "https://api.xero.com/api.xro/2.0"},
	    {"http://127.0.0.1:8080", BS_OK, "http://127.0.0.1:8080/identity/connect/authorize",
	     "http://127.0.0.1:8080/connect/token", "http://127.0.0.1:8080/connections",
	     "http://127.0.0.1:8080/api.xro/2.0"},
	    {"http://127.0.0.1:8080//", BS_OK, "http://127.0.0.1:8080/identity/connect/authorize",
	     "http://127.0.0.1:8080/connect/token", "http://127.0.0.1:8080/connections",
	     "http://127.0.0.1:8080/api.xro/2.0"},
	    {"https://emu.example/xero/", BS_OK,
	     "https://emu.example/xero/identity/connect/authorize",
	     "https://emu.example/xero/connect/token", "https://emu.example/xero/connections",
	     "https://emu.example/xero/api.xro/2.0"},
	    {"ftp://127.0.0.1", BS_EINVAL, "", "", "", ""},
	    {"127.0.0.1:8080", BS_EINVAL, "", "", "", ""},
	    {"http://127.0.0.1:8080/?x=1", BS_EINVAL, "", "", "", ""},
	    {"http://127.0.0.1:8080/a b", BS_EINVAL, "", "", "", ""},
	};
	struct xero_endpoints ep;
	struct bs_error err;
	char longurl[600];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(xero_endpoints_init(&ep, cases[i].base, &err), cases[i].rc);
		assert_string_equal(ep.oauth.authorize_url, cases[i].authorize);
		assert_string_equal(ep.oauth.token_url, cases[i].token);
		assert_string_equal(ep.connections_url, cases[i].connections);
		assert_string_equal(ep.api_base, cases[i].api);
	}
	memset(longurl, 'a', sizeof(longurl) - 1);
	memcpy(longurl, "http://", 7);
	longurl[sizeof(longurl) - 1] = '\0';
	assert_int_equal(xero_endpoints_init(&ep, longurl, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "too long"));
}

static void test_authorize_url_and_state(void **state)
{
	struct xero_endpoints ep;
	struct buf b;
	char s1[33], s2[33];
	(void)state;

	assert_int_equal(xero_endpoints_init(&ep, "http://127.0.0.1:9", NULL), BS_OK);
	buf_init(&b, 0);
	assert_int_equal(
	    oauth2_authorize_url(&ep.oauth, "CID", "http://127.0.0.1:5/callback", NULL, "st-1", &b),
	    BS_OK);
	assert_string_equal(
	    buf_cstr(&b),
	    "http://127.0.0.1:9/identity/connect/authorize?response_type=code&client_id=CID"
	    "&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcallback"
	    "&scope=offline_access%20accounting.settings%20accounting.contacts%20"
	    "accounting.invoices%20accounting.payments%20accounting.banktransactions%20"
	    "accounting.manualjournals&state=st-1");
	buf_reset(&b);
	assert_int_equal(oauth2_authorize_url(&ep.oauth, "a&b", "x", "openid", "s t", &b), BS_OK);
	assert_string_equal(buf_cstr(&b), "http://127.0.0.1:9/identity/connect/authorize?"
	                                  "response_type=code&client_id=a%26b&redirect_uri=x"
	                                  "&scope=openid&state=s%20t");
	buf_free(&b);
	buf_init(&b, 40);
	assert_int_equal(oauth2_authorize_url(&ep.oauth, "CID", "x", NULL, "s", &b), BS_ETOOBIG);
	assert_int_equal(b.len, 0);
	buf_free(&b);

	oauth2_new_state(s1, sizeof(s1));
	oauth2_new_state(s2, sizeof(s2));
	assert_int_equal(strlen(s1), 32);
	assert_string_not_equal(s1, s2);
	for (size_t i = 0; i < 32; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                       "0123456789-_",
		                       s1[i]));
}

static void test_parse_token_response(void **state)
{
	static const struct {
		long status;
		const char *body;
		bool refresh;
		int rc;
		const char *needle; /* in err.msg, or the access token on success */
	} cases[] = {
	    {200,
	     "{\"access_token\":\"AT\",\"refresh_token\":\"RT\",\"expires_in\":1800,"
	     "\"token_type\":\"Bearer\",\"scope\":\"offline_access accounting.invoices\"}",
	     false, BS_OK, "AT"},
	    {200, "{\"access_token\":\"AT2\",\"expires_in\":60,\"token_type\":\"bearer\"}", true,
	     BS_OK, "AT2"},
	    {200, "{\"access_token\":\"AT3\",\"expires_in\":60}", false, BS_OK, "AT3"},
	    {200, "{\"access_token\":\"AT\",\"expires_in\":60,\"token_type\":\"mac\"}", false,
	     BS_EPROTO, "token_type mac"},
	    {200, "{\"expires_in\":60}", false, BS_EPROTO, "without an access_token"},
	    {200, "{\"access_token\":\"\",\"expires_in\":60}", false, BS_EPROTO, "access_token"},
	    {200, "{\"access_token\":7,\"expires_in\":60}", false, BS_EPROTO, "access_token"},
	    {200, "{\"access_token\":\"AT\"}", false, BS_EPROTO, "expires_in"},
	    {200, "{\"access_token\":\"AT\",\"expires_in\":\"60\"}", false, BS_EPROTO,
	     "expires_in"},
	    {200, "{\"access_token\":\"AT\",\"expires_in\":0}", false, BS_EPROTO, "out of range"},
	    {200, "{\"access_token\":\"AT\",\"expires_in\":-5}", false, BS_EPROTO, "out of range"},
	    {200, "{\"access_token\":\"AT\",\"expires_in\":9223372036854775807}", false, BS_EPROTO,
	     "out of range"},
	    {200, "{\"access_token\":\"AT\",\"expires_in\":60}junk", false, BS_EPROTO,
	     "not a JSON object"},
	    {200, "[\"access_token\"]", false, BS_EPROTO, "not a JSON object"},
	    {200, "", false, BS_EPROTO, "not a JSON object"},
	    {400, "{\"error\":\"invalid_grant\"}", true, BS_EAUTH,
	     "the refresh token was refused (invalid_grant): it expired or was revoked"},
	    {400, "{\"error\":\"invalid_grant\"}", false, BS_EAUTH,
	     "authorization code was refused (invalid_grant)"},
	    {400, "{\"error\":\"invalid_client\"}", false, BS_EAUTH, "client id or secret"},
	    {401, "{\"error\":\"unauthorized_client\"}", true, BS_EAUTH, "client id or secret"},
	    {401, "", true, BS_EAUTH, "HTTP 401"},
	    {400, "{\"error\":\"unsupported_grant_type\"}", false, BS_EPROTO,
	     "HTTP 400, error unsupported_grant_type"},
	    {400, "{\"error\":\"x\\u0001y\"}", false, BS_EPROTO, "error x?y"},
	    {404, "<html>", false, BS_EPROTO, "HTTP 404"},
	    {429, "", true, BS_ELIMIT, "429"},
	    {503, "", true, BS_ENET, "HTTP 503"},
	    {500, "<html>oops</html>", false, BS_ENET, "HTTP 500"},
	};
	struct ledger_tokens t;
	struct bs_error err;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		memset(&t, 0x5a, sizeof(t));
		t.access_token[0] = '\0';
		rc = oauth2_parse_token_response(cases[i].status, cases[i].body,
		                                 strlen(cases[i].body), cases[i].refresh, 1000, &t,
		                                 &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d want %d (%s)", i, rc, cases[i].rc, err.msg);
		if (rc == BS_OK) {
			assert_string_equal(t.access_token, cases[i].needle);
		} else {
			if (strstr(err.msg, cases[i].needle) == NULL)
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg,
				         cases[i].needle);
			assert_string_equal(t.access_token, ""); /* untouched */
		}
	}
	/* the fields of a full reply */
	assert_int_equal(oauth2_parse_token_response(200, cases[0].body, strlen(cases[0].body),
	                                             false, 5000, &t, &err),
	                 BS_OK);
	assert_string_equal(t.refresh_token, "RT");
	assert_string_equal(t.scope, "offline_access accounting.invoices");
	assert_int_equal(t.expires_at_ms, 5000 + 1800 * 1000);
	assert_int_equal(oauth2_parse_token_response(200, cases[2].body, strlen(cases[2].body),
	                                             false, 0, &t, &err),
	                 BS_OK);
	assert_string_equal(t.refresh_token, "");
	assert_string_equal(t.scope, "");
	/* an access token too long for the struct */
	{
		struct buf b;

		buf_init(&b, 0);
		buf_addstr(&b, "{\"access_token\":\"");
		for (int i = 0; i < LEDGER_ACCESS_TOKEN_MAX; i++)
			buf_addc(&b, 'A');
		buf_addstr(&b, "\",\"expires_in\":60}");
		assert_int_equal(oauth2_parse_token_response(200, b.ptr, b.len, false, 0, &t, &err),
		                 BS_EPROTO);
		assert_non_null(strstr(err.msg, "over 4095"));
		/* and now_ms near the top of int64 */
		assert_int_equal(oauth2_parse_token_response(200, cases[2].body,
		                                             strlen(cases[2].body), false,
		                                             INT64_MAX - 1000, &t, &err),
		                 BS_EPROTO);
		buf_free(&b);
	}
}

/* When a token is due for refresh: the margin shrinks with the time scale
 * and never exceeds a quarter of the token's lifetime. */
static void test_refresh_due(void **state)
{
	static const struct {
		int64_t issued, expires, now;
		int scale;
		bool due;
	} cases[] = {
	    /* Xero's 30-minute token at scale 1: the two-minute margin */
	    {1000, 1000 + 1800000, 1000, 1, false},
	    {1000, 1000 + 1800000, 1000 + 1680000 - 1, 1, false},
	    {1000, 1000 + 1800000, 1000 + 1680000, 1, true},
	    {1000, 1000 + 1800000, 1000 + 1800000 + 5, 1, true}, /* expired */
	    /* scale 0 and negative count as 1 */
	    {1000, 1000 + 1800000, 1000 + 1680000 - 1, 0, false},
	    {1000, 1000 + 1800000, 1000 + 1680000 - 1, -3, false},
	    /* scale 20: tokens of 90 s, margin 6 s */
	    {5, 5 + 90000, 5 + 1000, 20, false},
	    {5, 5 + 90000, 5 + 84000 - 1, 20, false},
	    {5, 5 + 90000, 5 + 84000, 20, true},
	    /* scale 1 with a 90 s token: a quarter of its life, not 120 s */
	    {5, 5 + 90000, 5 + 1000, 1, false},
	    {5, 5 + 90000, 5 + 67500 - 1, 1, false},
	    {5, 5 + 90000, 5 + 67500, 1, true},
	    /* scale 60 with 30 s tokens: the 2 s margin is below a quarter */
	    {5, 5 + 30000, 5 + 28000 - 1, 60, false},
	    {5, 5 + 30000, 5 + 28000, 60, true},
	    /* lifetime not known (credentials saved before it was kept) */
	    {0, 1800000, 1680000 - 1, 1, false},
	    {0, 1800000, 1680000, 1, true},
	    {0, 90000, 84000 - 1, 20, false},
	    {0, 90000, 84000, 20, true},
	    /* nonsense lifetime (issued after expiry): the plain margin */
	    {200000, 100000, 100000 - 120000, 1, true},
	    {200000, 100000, 100000 - 120001, 1, false},
	};
	struct ledger_tokens t;
	(void)state;

	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t.issued_at_ms = cases[i].issued;
		t.expires_at_ms = cases[i].expires;
		if (oauth2_refresh_due(&t, cases[i].now, cases[i].scale) != cases[i].due)
			fail_msg("case %zu: due %d, want %d", i, !cases[i].due, cases[i].due);
	}
}

/*
 * A run of `calls` calls `step_ms` apart with tokens of `life_s` seconds at
 * `scale`, each token minted as the token endpoint's reply is read: how
 * many refreshes.  Every call must find an unexpired token.
 */
static int refreshes_over(int calls, int64_t step_ms, int life_s, int scale)
{
	struct ledger_tokens t;
	struct bs_error err;
	char body[128];
	int64_t now = 1700000000000;
	int n = 0;

	snprintf(body, sizeof(body), "{\"access_token\":\"AT\",\"expires_in\":%d}", life_s);
	assert_int_equal(oauth2_parse_token_response(200, body, strlen(body), false, now, &t, &err),
	                 BS_OK);
	for (int i = 0; i < calls; i++, now += step_ms) {
		if (oauth2_refresh_due(&t, now, scale)) {
			assert_int_equal(oauth2_parse_token_response(200, body, strlen(body), true,
			                                             now, &t, &err),
			                 BS_OK);
			n++;
		}
		assert_true(t.expires_at_ms > now);
	}
	return n;
}

/* issue 15 item 6: at time scale 20, 142 of about 230 requests were refreshes */
static void test_refresh_not_thrashing(void **state)
{
	(void)state;
	/* 230 calls a second apart over 90 s tokens: refreshed at 84 s and 168 s */
	assert_int_equal(refreshes_over(230, 1000, 90, 20), 2);
	/* the same tokens at scale 1: in their last quarter, every 67.5 s */
	assert_int_equal(refreshes_over(230, 1000, 90, 1), 3);
	/* Xero's real 30-minute tokens over two hours of calls: at 28 minutes */
	assert_int_equal(refreshes_over(7200, 1000, 1800, 1), 4);
	/* a token shorter than the scaled margin: still once per lifetime */
	assert_int_equal(refreshes_over(100, 1000, 4, 1), 33);
}

static void test_code_from_redirect(void **state)
{
	static const struct {
		const char *loc, *expected;
		int rc;
		const char *want; /* code, or a piece of the message */
	} cases[] = {
	    {"http://127.0.0.1:5/callback?code=C1&scope=x&state=S&session_state=y", "S", BS_OK,
	     "C1"},
	    {"http://127.0.0.1:5/callback?state=S&code=a%2Fb", "S", BS_OK, "a/b"},
	    {"http://127.0.0.1:5/callback?code=C1&state=T", "S", BS_EAUTH, "does not match"},
	    {"http://127.0.0.1:5/callback?code=C1&state=SS", "S", BS_EAUTH, "does not match"},
	    {"http://127.0.0.1:5/callback?code=C1&state=", "S", BS_EAUTH, "does not match"},
	    {"http://127.0.0.1:5/callback?code=C1", "S", BS_EAUTH, "is missing"},
	    {"http://127.0.0.1:5/callback?error=access_denied&state=S", "S", BS_EAUTH,
	     "authorization refused: access_denied"},
	    {"http://127.0.0.1:5/callback?error=access_denied&error_description=user+said+no", "S",
	     BS_EAUTH, "access_denied: user said no"},
	    {"http://127.0.0.1:5/callback?state=S", "S", BS_EPROTO, "no authorization code"},
	    {"http://127.0.0.1:5/callback?state=S&code=", "S", BS_EPROTO, "no authorization code"},
	    {"http://127.0.0.1:5/callback?state=S&code=%G1", "S", BS_EPROTO, "code parameter"},
	    {"http://127.0.0.1:5/callback?state=S&code=C", "", BS_EINVAL, "expected state"},
	    {"http://127.0.0.1:5/callback", "S", BS_EAUTH, "is missing"},
	};
	struct buf code;
	struct bs_error err;
	(void)state;

	buf_init(&code, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		buf_reset(&code);
		rc = oauth2_code_from_redirect(cases[i].loc, cases[i].expected, &code, NULL, NULL,
		                               &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d want %d (%s)", i, rc, cases[i].rc, err.msg);
		if (rc == BS_OK) {
			assert_string_equal(buf_cstr(&code), cases[i].want);
		} else {
			assert_int_equal(code.len, 0);
			if (strstr(err.msg, cases[i].want) == NULL)
				fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg,
				         cases[i].want);
		}
	}
	buf_free(&code);
}

/* ------------------------------------------------------------- against the sandbox */

struct fixture {
	struct sandbox *sb;
	struct http_client *http;
	struct xero_endpoints ep;
	char clients[64]; /* clients file path, "" when none */
	int64_t clock_ms; /* the sandbox's clock when the test moves it, else 0 */
};

static int64_t fixture_now(void *ctx)
{
	return __atomic_load_n(&((struct fixture *)ctx)->clock_ms, __ATOMIC_SEQ_CST);
}

/* The time to pass as now_ms: the fixture's clock when it has one. */
static int64_t fixture_clock(const struct fixture *f)
{
	int64_t t = __atomic_load_n(&f->clock_ms, __ATOMIC_SEQ_CST);

	return t != 0 ? t : now_ms();
}

/* limits non-NULL: that --limits SPEC, on a clock the test moves */
static int start(void **state, const char *clients_line, const char *limits)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sandbox_config cfg;
	struct bs_error err;

	assert_non_null(f);
	memset(&cfg, 0, sizeof(cfg));
	cfg.rounding = MONEY_HALF_AWAY;
	if (limits != NULL) {
		f->clock_ms = now_ms();
		cfg.limits = limits;
		cfg.clock.now_ms = fixture_now;
		cfg.clock.ctx = f;
	}
	if (clients_line != NULL) {
		FILE *fp;
		int fd;

		snprintf(f->clients, sizeof(f->clients), "/tmp/bs-oauth-clients-XXXXXX");
		fd = mkstemp(f->clients);
		assert_true(fd >= 0);
		fp = fdopen(fd, "w");
		assert_non_null(fp);
		fprintf(fp, "%s\n", clients_line);
		fclose(fp);
		cfg.clients_path = f->clients;
	}
	if (sandbox_start(&cfg, &f->sb, &err) != BS_OK)
		fail_msg("sandbox_start: %s", err.msg);
	assert_int_equal(http_client_new(&f->http, &err), BS_OK);
	assert_int_equal(xero_endpoints_init(&f->ep, sandbox_url(f->sb), &err), BS_OK);
	*state = f;
	return 0;
}

static int start_open(void **state)
{
	return start(state, NULL, NULL);
}

static int start_clients(void **state)
{
	return start(state, "booksync-app:s3cret", NULL);
}

static int start_scaled(void **state)
{
	return start(state, NULL, "time-scale=20");
}

static int stop(void **state)
{
	struct fixture *f = *state;

	http_client_free(f->http);
	sandbox_stop(f->sb);
	if (f->clients[0])
		unlink(f->clients);
	free(f);
	return 0;
}

#define REDIRECT "http://127.0.0.1:1/callback"

/* auto-approve then exchange: the whole non-interactive connect */
static void connect_tokens(struct fixture *f, const char *id, const char *secret,
                           struct ledger_tokens *t)
{
	struct buf code;
	struct bs_error err;
	char st[33];

	oauth2_new_state(st, sizeof(st));
	buf_init(&code, 0);
	if (oauth2_auto_approve(f->http, &f->ep.oauth, id, REDIRECT, NULL, st, &code, NULL, NULL,
	                        &err) != BS_OK)
		fail_msg("auto_approve: %s", err.msg);
	assert_true(code.len > 0);
	if (oauth2_exchange_code(f->http, &f->ep.oauth, id, secret, buf_cstr(&code), REDIRECT,
	                         fixture_clock(f), t, &err) != BS_OK)
		fail_msg("exchange: %s", err.msg);
	buf_free(&code);
}

static void test_full_code_flow(void **state)
{
	struct fixture *f = *state;
	struct ledger_tokens t, t2;
	struct ledger_tenant *ten = NULL;
	struct buf code;
	struct bs_error err;
	size_t n = 0;
	int64_t before;
	char st[33];

	oauth2_new_state(st, sizeof(st));
	buf_init(&code, 0);
	assert_int_equal(oauth2_auto_approve(f->http, &f->ep.oauth, "cid", REDIRECT, NULL, st,
	                                     &code, NULL, NULL, &err),
	                 BS_OK);
	before = now_ms();
	assert_int_equal(oauth2_exchange_code(f->http, &f->ep.oauth, "cid", "any", buf_cstr(&code),
	                                      REDIRECT, before, &t, &err),
	                 BS_OK);
	assert_true(strlen(t.access_token) > 20);
	assert_true(strlen(t.refresh_token) > 20);
	assert_int_equal(t.expires_at_ms, before + 30 * 60 * 1000); /* 30 minutes (FACTS §4) */
	assert_non_null(strstr(t.scope, "accounting.invoices"));
	assert_non_null(strstr(t.scope, "offline_access"));

	/* a code is single-use */
	memset(&t2, 0, sizeof(t2));
	assert_int_equal(oauth2_exchange_code(f->http, &f->ep.oauth, "cid", "any", buf_cstr(&code),
	                                      REDIRECT, before, &t2, &err),
	                 BS_EAUTH);
	assert_non_null(strstr(err.msg, "invalid_grant"));
	assert_string_equal(t2.access_token, "");
	/* and bound to its redirect_uri */
	buf_reset(&code);
	assert_int_equal(oauth2_auto_approve(f->http, &f->ep.oauth, "cid", REDIRECT, NULL, st,
	                                     &code, NULL, NULL, &err),
	                 BS_OK);
	assert_int_equal(oauth2_exchange_code(f->http, &f->ep.oauth, "cid", "any", buf_cstr(&code),
	                                      "http://127.0.0.1:2/other", before, &t2, &err),
	                 BS_EAUTH);

	/* the tenants this token may use */
	assert_int_equal(xero_oauth_connections(f->http, &f->ep, t.access_token, &ten, &n, &err),
	                 BS_OK);
	assert_true(n >= 1);
	assert_string_equal(ten[0].tenant_id, sandbox_default_tenant(f->sb));
	assert_string_equal(ten[0].tenant_type, "ORGANISATION");
	assert_true(strlen(ten[0].tenant_name) > 0);
	assert_true(strlen(ten[0].connection_id) > 0);
	free(ten);
	/* a made-up token is refused */
	ten = (struct ledger_tenant *)&n; /* must be reset to NULL */
	assert_int_equal(xero_oauth_connections(f->http, &f->ep, "garbage", &ten, &n, &err),
	                 BS_EAUTH);
	assert_null(ten);
	assert_int_equal(n, 0);
	buf_free(&code);
}

static void test_refresh_rotation(void **state)
{
	struct fixture *f = *state;
	struct ledger_tokens t1, t2, keep;
	struct ledger_tenant *ten = NULL;
	struct bs_error err;
	size_t n;

	connect_tokens(f, "cid", "any", &t1);
	assert_int_equal(oauth2_refresh(f->http, &f->ep.oauth, "cid", "any", t1.refresh_token,
	                                now_ms(), &t2, &err),
	                 BS_OK);
	assert_string_not_equal(t2.refresh_token, t1.refresh_token); /* rotated */
	assert_string_not_equal(t2.access_token, t1.access_token);
	assert_true(t2.refresh_token[0] != '\0');
	assert_int_equal(xero_oauth_connections(f->http, &f->ep, t2.access_token, &ten, &n, &err),
	                 BS_OK);
	free(ten);
	/* refresh in place: the argument points into the output */
	keep = t2;
	assert_int_equal(oauth2_refresh(f->http, &f->ep.oauth, "cid", "any", t2.refresh_token,
	                                now_ms(), &t2, &err),
	                 BS_OK);
	assert_string_not_equal(t2.refresh_token, keep.refresh_token);
	assert_string_not_equal(t2.access_token, keep.access_token);
	/* a garbage refresh token: invalid_grant, and *out untouched */
	keep = t2;
	assert_int_equal(
	    oauth2_refresh(f->http, &f->ep.oauth, "cid", "any", "not-a-token", now_ms(), &t2, &err),
	    BS_EAUTH);
	assert_string_equal(err.msg, "the refresh token was refused (invalid_grant): it "
	                             "expired or was revoked");
	assert_memory_equal(&t2, &keep, sizeof(t2));
	/* another client may not use this client's refresh token */
	assert_int_equal(oauth2_refresh(f->http, &f->ep.oauth, "other", "any", t2.refresh_token,
	                                now_ms(), &t1, &err),
	                 BS_EAUTH);
	/* an empty refresh token never leaves the process */
	assert_int_equal(
	    oauth2_refresh(f->http, &f->ep.oauth, "cid", "any", "", now_ms(), &t1, &err),
	    BS_EINVAL);
}

/*
 * The sandbox at time scale 20 issues 90-second tokens.  A refresh when
 * oauth2_refresh_due says so, over 230 calls a (simulated) second
 * apart: two refreshes, and every call finds its token accepted.
 */
static void test_refresh_scaled_sandbox(void **state)
{
	struct fixture *f = *state;
	struct ledger_tokens t;
	struct ledger_tenant *ten = NULL;
	struct bs_error err;
	size_t n = 0;
	int refreshes = 0;

	connect_tokens(f, "cid", "any", &t);
	assert_int_equal(t.expires_at_ms - t.issued_at_ms, 90000);
	for (int i = 0; i < 230; i++) {
		int64_t now = fixture_clock(f);

		if (oauth2_refresh_due(&t, now, 20)) {
			if (oauth2_refresh(f->http, &f->ep.oauth, "cid", "any", t.refresh_token,
			                   now, &t, &err) != BS_OK)
				fail_msg("refresh at call %d: %s", i, err.msg);
			refreshes++;
		}
		if (xero_oauth_connections(f->http, &f->ep, t.access_token, &ten, &n, &err) !=
		    BS_OK)
			fail_msg("call %d: %s", i, err.msg);
		free(ten);
		ten = NULL;
		__atomic_add_fetch(&f->clock_ms, 1000, __ATOMIC_SEQ_CST);
	}
	assert_int_equal(refreshes, 2);
}

static void test_client_credentials(void **state)
{
	struct fixture *f = *state;
	struct ledger_tokens t;
	struct buf code;
	struct bs_error err;
	char st[33];

	/* the registered client works end to end */
	connect_tokens(f, "booksync-app", "s3cret", &t);
	assert_int_equal(oauth2_refresh(f->http, &f->ep.oauth, "booksync-app", "s3cret",
	                                t.refresh_token, now_ms(), &t, &err),
	                 BS_OK);
	/* a wrong secret is refused at the token endpoint */
	oauth2_new_state(st, sizeof(st));
	buf_init(&code, 0);
	assert_int_equal(oauth2_auto_approve(f->http, &f->ep.oauth, "booksync-app", REDIRECT, NULL,
	                                     st, &code, NULL, NULL, &err),
	                 BS_OK);
	assert_int_equal(oauth2_exchange_code(f->http, &f->ep.oauth, "booksync-app", "wrong",
	                                      buf_cstr(&code), REDIRECT, now_ms(), &t, &err),
	                 BS_EAUTH);
	assert_non_null(strstr(err.msg, "client id or secret"));
	assert_null(strstr(err.msg, "wrong")); /* the secret never reaches a message */
	assert_int_equal(oauth2_refresh(f->http, &f->ep.oauth, "booksync-app", "wrong",
	                                t.refresh_token, now_ms(), &t, &err),
	                 BS_EAUTH);
	/* an unknown client is refused at the authorize endpoint */
	buf_reset(&code);
	assert_int_equal(oauth2_auto_approve(f->http, &f->ep.oauth, "stranger", REDIRECT, NULL, st,
	                                     &code, NULL, NULL, &err),
	                 BS_EAUTH);
	assert_non_null(strstr(err.msg, "HTTP 400"));
	assert_int_equal(code.len, 0);
	buf_free(&code);
}

/* ------------------------------------------------------------- a fake for odd answers */

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version, const char *upload,
                                    size_t *upload_size, void **con_cls)
{
	static int marker;
	const char *body = "", *loc = NULL;
	unsigned status = 200;
	struct MHD_Response *r;
	enum MHD_Result ret;
	(void)cls;
	(void)method;
	(void)version;
	(void)upload;

	if (*con_cls == NULL) {
		*con_cls = &marker;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strncmp(url, "/login200/", 10) == 0) {
		body = "<html>please sign in</html>";
	} else if (strncmp(url, "/login302/", 10) == 0) {
		status = 302;
		loc = "https://login.example/sign-in?next=1";
	} else if (strncmp(url, "/evil302/", 9) == 0) {
		status = 302; /* a redirect_uri prefix that is not redirect_uri */
		loc = REDIRECT "evil?code=C&state=S";
	} else if (strncmp(url, "/wrongstate302/", 15) == 0) {
		status = 302;
		loc = REDIRECT "?code=C&state=OTHER";
	} else if (strncmp(url, "/denied302/", 11) == 0) {
		status = 303;
		loc = REDIRECT "?error=access_denied&state=S";
	} else if (strncmp(url, "/good307/", 9) == 0) {
		status = 307;
		loc = REDIRECT "?state=S&code=fromfake";
	} else if (strncmp(url, "/down/", 6) == 0) {
		status = 503;
	} else if (strcmp(url, "/token500") == 0) {
		status = 500;
		body = "<html>error</html>";
	} else if (strcmp(url, "/tokenjunk") == 0) {
		body = "junk";
	} else if (strcmp(url, "/conn-notarray") == 0) {
		body = "{\"tenantId\":\"x\"}";
	} else if (strcmp(url, "/conn-noid") == 0) {
		body = "[{\"tenantName\":\"x\"}]";
	} else if (strcmp(url, "/conn-empty") == 0) {
		body = "[]";
	} else {
		status = 404;
	}
	r = MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body,
	                                    MHD_RESPMEM_PERSISTENT);
	if (loc != NULL)
		MHD_add_response_header(r, "Location", loc);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void test_odd_servers(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct MHD_Daemon *d;
	struct http_client *http;
	struct xero_endpoints ep;
	struct ledger_tokens t;
	struct ledger_tenant *ten;
	struct buf code;
	struct bs_error err;
	char base[64];
	size_t n;
	static const struct {
		const char *authorize;
		int rc;
		const char *needle;
	} az[] = {
	    {"/login200/", BS_ESTATE, "needs a person"},
	    {"/login302/", BS_ESTATE, "needs a person"},
	    {"/evil302/", BS_ESTATE, "needs a person"},
	    {"/nothing/", BS_EAUTH, "HTTP 404"},
	    {"/down/", BS_ENET, "HTTP 503"},
	    {"/wrongstate302/", BS_EAUTH, "does not match"},
	    {"/denied302/", BS_EAUTH, "access_denied"},
	    {"/good307/", BS_OK, "fromfake"},
	};
	(void)state;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
	                     NULL, NULL, fake_handler, NULL, MHD_OPTION_SOCK_ADDR,
	                     (struct sockaddr *)&sa, MHD_OPTION_END);
	assert_non_null(d);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u",
	         MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
	assert_int_equal(http_client_new(&http, &err), BS_OK);
	buf_init(&code, 0);
	for (size_t i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
		int rc;

		assert_int_equal(xero_endpoints_init(&ep, base, &err), BS_OK);
		snprintf(ep.oauth.authorize_url, sizeof(ep.oauth.authorize_url), "%s%s", base,
		         az[i].authorize);
		buf_reset(&code);
		rc = oauth2_auto_approve(http, &ep.oauth, "cid", REDIRECT, NULL, "S", &code, NULL,
		                         NULL, &err);
		if (rc != az[i].rc ||
		    strstr(rc == BS_OK ? buf_cstr(&code) : err.msg, az[i].needle) == NULL)
			fail_msg("case %zu: rc %d (%s)", i, rc, err.msg);
		if (rc != BS_OK)
			assert_int_equal(code.len, 0);
	}
	memset(&t, 0, sizeof(t));
	snprintf(ep.oauth.token_url, sizeof(ep.oauth.token_url), "%s/token500", base);
	assert_int_equal(oauth2_refresh(http, &ep.oauth, "cid", "sec", "rt", 0, &t, &err), BS_ENET);
	snprintf(ep.oauth.token_url, sizeof(ep.oauth.token_url), "%s/tokenjunk", base);
	assert_int_equal(
	    oauth2_exchange_code(http, &ep.oauth, "cid", "sec", "c", REDIRECT, 0, &t, &err),
	    BS_EPROTO);
	assert_string_equal(t.access_token, "");
	snprintf(ep.connections_url, sizeof(ep.connections_url), "%s/conn-notarray", base);
	assert_int_equal(xero_oauth_connections(http, &ep, "AT", &ten, &n, &err), BS_EPROTO);
	snprintf(ep.connections_url, sizeof(ep.connections_url), "%s/conn-noid", base);
	assert_int_equal(xero_oauth_connections(http, &ep, "AT", &ten, &n, &err), BS_EPROTO);
	assert_null(ten);
	snprintf(ep.connections_url, sizeof(ep.connections_url), "%s/conn-empty", base);
	assert_int_equal(xero_oauth_connections(http, &ep, "AT", &ten, &n, &err), BS_OK);
	assert_null(ten);
	assert_int_equal(n, 0);
	/* nobody listening */
	MHD_stop_daemon(d);
	assert_int_equal(oauth2_refresh(http, &ep.oauth, "cid", "sec", "rt", 0, &t, &err), BS_ENET);
	buf_free(&code);
	http_client_free(http);
}

/* ------------------------------------------------------------- callback listener */

struct browser {
	char url[1024];
	bool follow;
	long status;
	struct buf body;
	char final_path[64];
	pthread_t th;
};

static void *browse(void *arg)
{
	struct browser *b = arg;
	struct http_client *c;
	struct http_response resp;
	struct http_request req = {.method = "GET", .url = b->url, .follow_redirects = b->follow};
	struct bs_error err;

	buf_init(&b->body, 0);
	if (http_client_new(&c, &err) != BS_OK)
		return NULL;
	http_response_init(&resp);
	if (http_send(c, &req, &resp, &err) == BS_OK) {
		b->status = resp.status;
		buf_add(&b->body, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
	} else {
		b->status = -1;
	}
	http_response_free(&resp);
	http_client_free(c);
	return NULL;
}

static void browser_go(struct browser *b, const char *url, bool follow)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->url, sizeof(b->url), "%s", url);
	b->follow = follow;
	assert_int_equal(pthread_create(&b->th, NULL, browse, b), 0);
}

static void browser_done(struct browser *b)
{
	assert_int_equal(pthread_join(b->th, NULL), 0);
}

static void test_callback_listener(void **state)
{
	static const struct {
		const char *query, *expected;
		int rc;
		long status;
		const char *page, *want; /* piece of the page; code or message piece */
	} cases[] = {
	    {"?code=abc&state=S1", "S1", BS_OK, 200, "booksync is connected", "abc"},
	    {"?code=abc&state=XX", "S1", BS_EAUTH, 400, "could not connect", "does not match"},
	    {"?code=abc", "S1", BS_EAUTH, 400, "could not connect", "is missing"},
	    {"?error=access_denied&state=S1", "S1", BS_EAUTH, 400, "could not connect",
	     "access_denied"},
	    {"?state=S1", "S1", BS_EPROTO, 400, "could not connect", "no authorization code"},
	};
	struct oauth2_listener *l;
	struct browser b, b2;
	struct buf code;
	struct bs_error err;
	char url[256];
	(void)state;

	buf_init(&code, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *ru;
		unsigned port;
		int rc;

		assert_int_equal(oauth2_callback_listen(0, NULL, &l, &err), BS_OK);
		ru = oauth2_callback_redirect_uri(l);
		assert_int_equal(sscanf(ru, "http://127.0.0.1:%u/callback", &port), 1);
		assert_true(port > 0);
		/* a stray request elsewhere is ignored */
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/favicon.ico", port);
		browser_go(&b2, url, false);
		browser_done(&b2);
		assert_int_equal(b2.status, 404);
		buf_free(&b2.body);

		snprintf(url, sizeof(url), "%s%s", ru, cases[i].query);
		browser_go(&b, url, false);
		buf_reset(&code);
		rc = oauth2_callback_wait(l, cases[i].expected, 5000, &code, NULL, &err);
		browser_done(&b);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d want %d (%s)", i, rc, cases[i].rc, err.msg);
		if (rc == BS_OK)
			assert_string_equal(buf_cstr(&code), cases[i].want);
		else
			assert_non_null(strstr(err.msg, cases[i].want));
		assert_int_equal(b.status, cases[i].status);
		assert_non_null(strstr(buf_cstr(&b.body), cases[i].page));
		/* nothing from the query is echoed into the page */
		assert_null(strstr(buf_cstr(&b.body), "abc"));
		buf_free(&b.body);
		/* one shot: a second visit is told it is over */
		browser_go(&b2, url, false);
		browser_done(&b2);
		assert_int_equal(b2.status, 410);
		buf_free(&b2.body);
		oauth2_callback_free(l);
	}
	/* nobody comes */
	assert_int_equal(oauth2_callback_listen(0, NULL, &l, &err), BS_OK);
	assert_int_equal(oauth2_callback_wait(l, "S", 200, &code, NULL, &err), BS_ESTATE);
	assert_non_null(strstr(err.msg, "no browser came back"));
	oauth2_callback_free(l);
	/* a browser that arrives before anyone waits still gets its answer */
	assert_int_equal(oauth2_callback_listen(0, NULL, &l, &err), BS_OK);
	snprintf(url, sizeof(url), "%s?state=S&code=early", oauth2_callback_redirect_uri(l));
	browser_go(&b, url, false);
	usleep(200 * 1000);
	buf_reset(&code);
	assert_int_equal(oauth2_callback_wait(l, "S", 5000, &code, NULL, &err), BS_OK);
	browser_done(&b);
	assert_string_equal(buf_cstr(&code), "early");
	assert_int_equal(b.status, 200);
	buf_free(&b.body);
	oauth2_callback_free(l);
	/* freeing a listener nobody visited */
	assert_int_equal(oauth2_callback_listen(0, NULL, &l, &err), BS_OK);
	oauth2_callback_free(l);
	oauth2_callback_free(NULL);
	buf_free(&code);
}

/* The interactive path end to end: a "browser" follows the sandbox's 302 to the listener. */
static void test_browser_flow(void **state)
{
	struct fixture *f = *state;
	struct oauth2_listener *l;
	struct ledger_tokens t;
	struct browser b;
	struct buf url, code;
	struct bs_error err;
	char st[33];

	assert_int_equal(oauth2_callback_listen(0, NULL, &l, &err), BS_OK);
	oauth2_new_state(st, sizeof(st));
	buf_init(&url, 0);
	buf_init(&code, 0);
	assert_int_equal(oauth2_authorize_url(&f->ep.oauth, "cid", oauth2_callback_redirect_uri(l),
	                                      NULL, st, &url),
	                 BS_OK);
	browser_go(&b, buf_cstr(&url), true);
	assert_int_equal(oauth2_callback_wait(l, st, 10000, &code, NULL, &err), BS_OK);
	browser_done(&b);
	assert_int_equal(b.status, 200);
	assert_non_null(strstr(buf_cstr(&b.body), "booksync is connected"));
	assert_int_equal(oauth2_exchange_code(f->http, &f->ep.oauth, "cid", "any", buf_cstr(&code),
	                                      oauth2_callback_redirect_uri(l), now_ms(), &t, &err),
	                 BS_OK);
	assert_true(t.refresh_token[0] != '\0');
	oauth2_callback_free(l);
	buf_free(&b.body);
	buf_free(&url);
	buf_free(&code);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_endpoints),
	    cmocka_unit_test(test_authorize_url_and_state),
	    cmocka_unit_test(test_parse_token_response),
	    cmocka_unit_test(test_code_from_redirect),
	    cmocka_unit_test(test_refresh_due),
	    cmocka_unit_test(test_refresh_not_thrashing),
	    cmocka_unit_test_setup_teardown(test_refresh_scaled_sandbox, start_scaled, stop),
	    cmocka_unit_test_setup_teardown(test_full_code_flow, start_open, stop),
	    cmocka_unit_test_setup_teardown(test_refresh_rotation, start_open, stop),
	    cmocka_unit_test_setup_teardown(test_client_credentials, start_clients, stop),
	    cmocka_unit_test(test_odd_servers),
	    cmocka_unit_test(test_callback_listener),
	    cmocka_unit_test_setup_teardown(test_browser_flow, start_open, stop),
	};
	struct bs_error err;
	int rc;

	if (http_global_init(&err) != BS_OK || sodium_init() < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	http_global_cleanup();
	return rc;
}
