/*
 * test_qbo_wire.c - the wire half of the QuickBooks Online connector
 * (src/ledger/qbo/: qbo_conn.c, qbo_refs.c, qbo_auth.c, qbo_read.c).
 *
 * Pure parts table-driven: call verdicts (qbo_judge), the code -> id refs,
 * the endpoints, the redirect's realmId.  Then against the QBO sandbox
 * started in-process: the code flow with realmId and the company's name,
 * calls with a good and a bad token, a Fault body, throttling (a 429 with
 * Fault 3001 and no Retry-After reads as 60 s), no answer, refresh
 * rotation and revocation, connect's reads (paged queries, tax rates,
 * contacts with their roles), and the interactive flow (a browser thread
 * follows the sandbox's redirect to the listener, realmId and all).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "http/client.h"
#include "ledger/ledger.h"
#include "ledger/oauth2/oauth2.h"
#include "ledger/qbo/qbo.h"
#include "ledger/qbo/qbo_int.h"
#include "sandbox/sandbox.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------- verdicts */

static void test_judge(void **state)
{
	static const char fault6240[] =
	    "{\"Fault\":{\"Error\":[{\"Message\":\"Duplicate Name Exists Error\","
	    "\"code\":\"6240\"}],\"type\":\"ValidationFault\"}}";
	static const char throttle[] =
	    "{\"Fault\":{\"Error\":[{\"Message\":\"message=ThrottleExceeded; "
	    "errorCode=003001; statusCode=429\",\"code\":\"3001\"}],\"type\":\"SERVICE\"}}";
	static const char auth[] =
	    "{\"Fault\":{\"Error\":[{\"Message\":\"message=AuthenticationFailed\","
	    "\"code\":\"3200\"}],\"type\":\"AuthenticationFault\"}}";
	static const struct {
		long status;
		const char *body;
		int64_t retry;
		int rc;
		long http; /* call.http_status after */
		int64_t retry_after;
		const char *msg; /* in the message, or NULL */
	} cases[] = {
	    {200, "{\"QueryResponse\":{}}", -1, BS_OK, 200, -1, NULL},
	    {200, "  {\"Customer\":{}}\n", -1, BS_OK, 200, -1, NULL},
	    {200, "<html>", -1, BS_EPROTO, 200, -1, "not JSON"},
	    {200, "", -1, BS_EPROTO, 200, -1, "not JSON"},
	    {400, fault6240, -1, BS_OK, 400, -1, NULL},
	    {400, "bad request", -1, BS_EINVAL, 400, -1, "HTTP 400"},
	    {429, throttle, -1, BS_ELIMIT, 429, 60, "retry after 60s"},
	    {429, "", -1, BS_ELIMIT, 429, 60, "rate limit"},
	    {429, throttle, 7, BS_ELIMIT, 429, 7, "retry after 7s"},
	    /* older answers: a throttle as 403 with code 3001 */
	    {403, throttle, -1, BS_ELIMIT, 429, 60, "rate limit"},
	    {401, auth, -1, BS_EAUTH, 401, -1, "run: booksync connect qbo"},
	    {403, "{\"Fault\":{\"Error\":[{\"code\":\"3100\"}]}}", -1, BS_EAUTH, 403, -1,
	     "code 3100"},
	    {404, "nope", -1, BS_ENOTFOUND, 404, -1, "not found"},
	    {500, "{\"Fault\":{\"Error\":[{\"Message\":\"System\",\"code\":\"10000\"}]}}", -1,
	     BS_EPROTO, 500, -1, "HTTP 500: System"},
	    {503, "<html>Service Unavailable</html>", -1, BS_EPROTO, 503, -1, "HTTP 503"},
	    {302, "", -1, BS_EPROTO, 302, -1, "HTTP 302"},
	    {409, fault6240, -1, BS_EINVAL, 409, -1, "code 6240"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ledger_call call;
		struct bs_error err;
		int rc;

		ledger_call_init(&call);
		bs_error_clear(&err);
		rc = qbo_judge(cases[i].status, cases[i].body, strlen(cases[i].body),
		               cases[i].retry, &call, &err);
		if (rc != cases[i].rc || call.http_status != cases[i].http ||
		    call.retry_after_s != cases[i].retry_after ||
		    (cases[i].msg != NULL && strstr(err.msg, cases[i].msg) == NULL))
			fail_msg("case %zu: rc %d http %ld retry %lld msg '%s'", i, rc,
			         call.http_status, (long long)call.retry_after_s, err.msg);
	}
}

/* ------------------------------------------------------------- refs */

static void test_refs(void **state)
{
	static const char chart[] =
	    "[{\"code\":\"200\",\"name\":\"Sales\",\"id\":\"9\"},"
	    "{\"code\":\"Rounding\",\"name\":\"Rounding\",\"id\":\"24\"},"
	    "{\"code\":\"090\",\"name\":\"Business Bank Account\",\"id\":\"18\"},"
	    /* a name equal to another account's code: the code wins */
	    "{\"code\":\"630\",\"name\":\"200\",\"id\":\"15\"},"
	    "{\"code\":\"999\",\"name\":\"No id\"},"
	    "{\"code\":\"500\",\"name\":\"COGS\",\"id\":null}]";
	static const char taxes[] =
	    "[{\"code\":\"GST\",\"name\":\"GST\",\"rate\":\"15\",\"id\":\"5\"},"
	    "{\"code\":\"Out of Scope\",\"id\":\"8\"}]";
	static const struct {
		const char *sym;
		int rc;
		const char *id;
	} cases[] = {
	    {"Account:200", BS_OK, "9"},
	    {"Account:Sales", BS_OK, "9"},
	    {"Account:Rounding", BS_OK, "24"},
	    {"Account:090", BS_OK, "18"},
	    {"Account:Business Bank Account", BS_OK, "18"},
	    {"Account:630", BS_OK, "15"},
	    {"Account:999", BS_ENOTFOUND, NULL},
	    {"Account:500", BS_ENOTFOUND, NULL},
	    {"Account:", BS_ENOTFOUND, NULL},
	    {"Account:sales", BS_ENOTFOUND, NULL},
	    {"TaxCode:GST", BS_OK, "5"},
	    {"TaxCode:Out of Scope", BS_OK, "8"},
	    {"TaxCode:200", BS_ENOTFOUND, NULL},
	    {"Contact/customer:C-1", BS_EINVAL, NULL},
	    {"account:200", BS_EINVAL, NULL},
	};
	struct qbo_refs *r = NULL;
	struct bs_error err;
	char id[LEDGER_ID_MAX];
	(void)state;

	assert_int_equal(qbo_refs_new(chart, taxes, &r, &err), BS_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		memset(id, 0, sizeof(id));
		rc = qbo_refs_resolve(r, cases[i].sym, id);
		if (rc != cases[i].rc || (cases[i].id != NULL && strcmp(id, cases[i].id) != 0))
			fail_msg("case %zu (%s): rc %d id '%s'", i, cases[i].sym, rc, id);
	}
	qbo_refs_free(r);

	/* nothing saved yet: every code unknown */
	assert_int_equal(qbo_refs_new(NULL, NULL, &r, &err), BS_OK);
	assert_int_equal(qbo_refs_resolve(r, "Account:200", id), BS_ENOTFOUND);
	assert_int_equal(qbo_refs_resolve(r, "TaxCode:GST", id), BS_ENOTFOUND);
	qbo_refs_free(r);
	/* damaged settings */
	assert_int_equal(qbo_refs_new("{\"code\":1}", NULL, &r, &err), BS_EINVAL);
	assert_null(r);
	assert_non_null(strstr(err.msg, "reconnect"));
	assert_int_equal(qbo_refs_new("[]", "not json", &r, &err), BS_EINVAL);
	assert_null(r);
	qbo_refs_free(NULL);
}

/* ------------------------------------------------------------- endpoints */

static void test_endpoints(void **state)
{
	static const struct {
		const char *base;
		int rc;
		const char *authorize, *token, *revoke, *root;
	} cases[] = {
	    {NULL, BS_OK, "https://appcenter.intuit.com/connect/oauth2",
	     "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
	     "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
	     "https://quickbooks.api.intuit.com/v3/company"},
	    {"", BS_OK, "https://appcenter.intuit.com/connect/oauth2",
	     "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
	     "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
	     "https://quickbooks.api.intuit.com/v3/company"},
	    {"http://127.0.0.1:8080/", BS_OK, "http://127.0.0.1:8080/connect/oauth2",
	     "http://127.0.0.1:8080/oauth2/v1/tokens/bearer",
	     "http://127.0.0.1:8080/oauth2/v1/tokens/revoke", "http://127.0.0.1:8080/v3/company"},
	    {"https://emu.example/qbo", BS_OK, "https://emu.example/qbo/connect/oauth2",
	     "https://emu.example/qbo/oauth2/v1/tokens/bearer",
	     "https://emu.example/qbo/oauth2/v1/tokens/revoke",
	     "https://emu.example/qbo/v3/company"},
	    {"ftp://x", BS_EINVAL, "", "", "", NULL},
	    {"127.0.0.1:8080", BS_EINVAL, "", "", "", NULL},
	    {"http://h/?q=1", BS_EINVAL, "", "", "", NULL},
	};
	struct oauth2_endpoints ep;
	struct bs_error err;
	char root[512], tiny[8];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		root[0] = '\0';
		assert_int_equal(qbo_endpoints(cases[i].base, &ep, root, sizeof(root), &err),
		                 cases[i].rc);
		assert_string_equal(ep.authorize_url, cases[i].authorize);
		assert_string_equal(ep.token_url, cases[i].token);
		assert_string_equal(ep.revoke_url, cases[i].revoke);
		if (cases[i].root != NULL) {
			assert_string_equal(root, cases[i].root);
			assert_string_equal(ep.scopes, QBO_SCOPES);
		}
	}
	assert_int_equal(qbo_api_root("http://127.0.0.1:9", tiny, sizeof(tiny), &err), BS_EINVAL);
	assert_int_equal(qbo_api_root(NULL, root, sizeof(root), &err), BS_OK);
	assert_string_equal(root, "https://quickbooks.api.intuit.com/v3/company");
}

/* The redirect back carries realmId beside code and state. */
static void test_redirect_realm(void **state)
{
	static const struct {
		const char *loc;
		int rc;
		const char *code, *realm;
	} cases[] = {
	    {"http://127.0.0.1:5/callback?code=AB&state=S&realmId=9341453050071234", BS_OK, "AB",
	     "9341453050071234"},
	    {"http://127.0.0.1:5/callback?realmId=42&state=S&code=c%2Fd", BS_OK, "c/d", "42"},
	    {"http://127.0.0.1:5/callback?code=AB&state=S", BS_OK, "AB", ""},
	    {"http://127.0.0.1:5/callback?code=AB&state=X&realmId=1", BS_EAUTH, "", ""},
	    {"http://127.0.0.1:5/callback?error=access_denied&state=S&realmId=1", BS_EAUTH, "", ""},
	    {"http://127.0.0.1:5/callback?state=S&realmId=1", BS_EPROTO, "", ""},
	    {"http://127.0.0.1:5/callback?code=AB&state=S&realmId=%zz", BS_EPROTO, "", ""},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf code, realm;
		struct bs_error err;
		int rc;

		buf_init(&code, 0);
		buf_init(&realm, 64);
		rc = oauth2_code_from_redirect(cases[i].loc, "S", &code, "realmId", &realm, &err);
		if (rc != cases[i].rc || strcmp(buf_cstr(&code), cases[i].code) != 0 ||
		    strcmp(buf_cstr(&realm), cases[i].realm) != 0)
			fail_msg("case %zu: rc %d code '%s' realm '%s' (%s)", i, rc,
			         buf_cstr(&code), buf_cstr(&realm), err.msg);
		buf_free(&code);
		buf_free(&realm);
	}
}

/* ------------------------------------------------------------- against the sandbox */

struct fix {
	struct sandbox *sb;
	struct http_client *http;
	struct ledger_tokens t;
	struct ledger_tenant *ten;
	char root[512];
	struct qbo_conn *q;
};

static int start_with(void **state, const char *limits)
{
	struct sandbox_config cfg;
	struct fix *f = calloc(1, sizeof(*f));
	struct ledger_auth a = {0};
	struct ledger_conn_config cc = {0};
	struct bs_error err;
	size_t n = 0;

	if (f == NULL)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ledger = SANDBOX_QBO;
	cfg.limits = limits;
	if (sandbox_start(&cfg, &f->sb, &err) != BS_OK || http_client_new(&f->http, &err) != BS_OK)
		return -1;
	a.base_url = sandbox_url(f->sb);
	a.client_id = "cid";
	a.client_secret = "secret";
	a.auto_approve = true;
	a.now_ms = now_ms();
	if (qbo_authorize(&a, &f->t, &f->ten, &n, &err) != BS_OK || n != 1) {
		fprintf(stderr, "authorize: %s\n", err.msg);
		return -1;
	}
	if (qbo_api_root(sandbox_url(f->sb), f->root, sizeof(f->root), &err) != BS_OK)
		return -1;
	cc.api_base = f->root;
	cc.tenant_id = f->ten[0].tenant_id;
	cc.access_token = f->t.access_token;
	if (qbo_conn_new(&cc, &f->q, &err) != BS_OK)
		return -1;
	*state = f;
	return 0;
}

static int start_open(void **state)
{
	return start_with(state, "off");
}

static int start_throttled(void **state)
{
	return start_with(state, "minute=3");
}

static int stop(void **state)
{
	struct fix *f = *state;

	if (f != NULL) {
		qbo_conn_free(f->q);
		free(f->ten);
		http_client_free(f->http);
		sandbox_stop(f->sb);
		free(f);
	}
	return 0;
}

static void test_authorize_and_call(void **state)
{
	struct fix *f = *state;
	struct ledger_conn_config cc = {0};
	struct qbo_conn *bad = NULL;
	struct ledger_call call;
	struct bs_error err;
	struct buf body;

	/* the company is the redirect's realmId, named from CompanyInfo */
	assert_string_equal(f->ten[0].tenant_id, sandbox_default_tenant(f->sb));
	assert_string_equal(f->ten[0].tenant_name, "Booksync Sandbox Ltd");
	assert_string_equal(f->ten[0].tenant_type, "COMPANY");
	assert_true(f->t.refresh_token[0] != '\0');
	assert_true(f->t.expires_at_ms > f->t.issued_at_ms);

	buf_init(&body, (size_t)1 << 20);
	assert_int_equal(
	    qbo_get(f->q, "/query?query=select%20*%20from%20Account", &body, &call, &err), BS_OK);
	assert_int_equal(call.http_status, 200);
	assert_non_null(strstr(buf_cstr(&body), "\"QueryResponse\""));
	assert_int_equal(call.retry_after_s, -1);
	/* a refused document is the caller's to read: BS_OK with the Fault */
	assert_int_equal(
	    qbo_call(f->q, "POST", "/customer", "{\"DisplayName\":\"Ann\"}", &body, &call, &err),
	    BS_OK);
	assert_int_equal(call.http_status, 200);
	assert_true(call.request_bytes > 0);
	assert_int_equal(qbo_call(f->q, "POST", "/vendor?requestid=r1", "{\"DisplayName\":\"ann\"}",
	                          &body, &call, &err),
	                 BS_OK);
	assert_int_equal(call.http_status, 400);
	assert_non_null(strstr(buf_cstr(&body), "6240"));
	/* a path that already says minorversion keeps its own */
	assert_int_equal(qbo_get(f->q, "/query?query=select%20*%20from%20Vendor&minorversion=75",
	                         &body, &call, &err),
	                 BS_OK);
	/* an unknown entity path: 400 Fault 4000, the caller's */
	assert_int_equal(qbo_get(f->q, "/nosuchthing/1", &body, &call, &err), BS_OK);
	assert_int_equal(call.http_status, 400);

	/* a wrong token: BS_EAUTH naming how to reconnect */
	assert_int_equal(qbo_conn_set_token(f->q, "garbage"), BS_OK);
	assert_int_equal(qbo_get(f->q, "/preferences", &body, &call, &err), BS_EAUTH);
	assert_non_null(strstr(err.msg, "booksync connect qbo"));
	assert_int_equal(qbo_conn_set_token(f->q, f->t.access_token), BS_OK);
	assert_int_equal(qbo_get(f->q, "/preferences", &body, &call, &err), BS_OK);

	/* nobody there: no answer, outcome unknown */
	cc.api_base = "http://127.0.0.1:1/v3/company";
	cc.tenant_id = "1";
	cc.access_token = "x";
	cc.timeout_ms = 2000;
	assert_int_equal(qbo_conn_new(&cc, &bad, &err), BS_OK);
	assert_int_equal(qbo_get(bad, "/preferences", &body, &call, &err), BS_ENET);
	assert_int_equal(call.http_status, 0);
	qbo_conn_free(bad);
	/* no realm, or a realm that would leave the company path */
	cc.tenant_id = "";
	assert_int_equal(qbo_conn_new(&cc, &bad, &err), BS_EINVAL);
	cc.tenant_id = "1/../2";
	assert_int_equal(qbo_conn_new(&cc, &bad, &err), BS_EINVAL);
	cc.tenant_id = "1";
	cc.chart = "{}";
	assert_int_equal(qbo_conn_new(&cc, &bad, &err), BS_EINVAL);
	assert_null(bad);
	buf_free(&body);
}

static void test_conn_refs(void **state)
{
	struct fix *f = *state;
	struct ledger_conn_config cc = {0};
	struct qbo_conn *q = NULL;
	struct bs_error err;
	char id[LEDGER_ID_MAX];

	cc.api_base = f->root;
	cc.tenant_id = f->ten[0].tenant_id;
	cc.access_token = f->t.access_token;
	cc.chart = "[{\"code\":\"200\",\"name\":\"Sales\",\"id\":\"9\"}]";
	cc.tax_rates = "[{\"code\":\"GST\",\"id\":\"5\"}]";
	assert_int_equal(qbo_conn_new(&cc, &q, &err), BS_OK);
	assert_int_equal(qbo_refs_resolve(qbo_conn_refs(q), "Account:200", id), BS_OK);
	assert_string_equal(id, "9");
	assert_int_equal(qbo_refs_resolve(qbo_conn_refs(q), "TaxCode:GST", id), BS_OK);
	assert_string_equal(id, "5");
	qbo_conn_free(q);
	/* the fixture's connection has none */
	assert_int_equal(qbo_refs_resolve(qbo_conn_refs(f->q), "Account:200", id), BS_ENOTFOUND);
}

static void test_throttled(void **state)
{
	struct fix *f = *state;
	struct ledger_call call;
	struct bs_error err;
	struct buf body;
	int rc = BS_OK, i;

	buf_init(&body, (size_t)1 << 20);
	/* authorize's CompanyInfo read counted one; three a minute */
	for (i = 0; i < 5 && rc == BS_OK; i++)
		rc = qbo_get(f->q, "/preferences", &body, &call, &err);
	assert_int_equal(rc, BS_ELIMIT);
	assert_true(i >= 2 && i <= 4);
	assert_int_equal(call.http_status, 429);
	assert_int_equal(call.retry_after_s, QBO_RETRY_AFTER_S);
	assert_string_equal(call.problem, "ThrottleExceeded");
	assert_non_null(strstr(buf_cstr(&body), "3001"));
	buf_free(&body);
}

static void test_refresh_revoke(void **state)
{
	struct fix *f = *state;
	struct ledger_tokens t2, t3;
	struct bs_error err;
	const char *base = sandbox_url(f->sb);

	/* rotation: a new refresh token each time */
	assert_int_equal(
	    qbo_refresh(f->http, base, "cid", "secret", f->t.refresh_token, now_ms(), &t2, &err),
	    BS_OK);
	assert_string_not_equal(t2.refresh_token, f->t.refresh_token);
	assert_string_not_equal(t2.access_token, f->t.access_token);
	/* a refresh token nobody issued: refused, no reconnect hint yet (the
	 * session names the ledger) */
	assert_int_equal(
	    qbo_refresh(f->http, base, "cid", "secret", "not-a-token", now_ms(), &t3, &err),
	    BS_EAUTH);
	assert_non_null(strstr(err.msg, "invalid_grant"));
	/* revoking the refresh token ends the grant */
	assert_int_equal(qbo_revoke(f->http, base, "cid", "secret", t2.refresh_token, &err), BS_OK);
	assert_int_equal(
	    qbo_refresh(f->http, base, "cid", "secret", t2.refresh_token, now_ms(), &t3, &err),
	    BS_EAUTH);
	/* the real Intuit's host: a bad base URL is refused before any call */
	assert_int_equal(qbo_refresh(f->http, "nope", "cid", "s", "r", 0, &t3, &err), BS_EINVAL);
	sodium_memzero(&t2, sizeof(t2));
}

/* connect's reads through a counting get */
struct reader {
	struct qbo_conn *q;
	int calls;
	size_t n;
	char seen[4096];
};

static int rget(void *arg, const char *path, struct buf *body, struct bs_error *err)
{
	struct reader *r = arg;
	struct ledger_call call;

	r->calls++;
	return qbo_get(r->q, path, body, &call, err);
}

static int collect(void *arg, const struct ledger_entity *e)
{
	struct reader *r = arg;
	size_t len = strlen(r->seen);

	r->n++;
	snprintf(r->seen + len, sizeof(r->seen) - len, "%s|%s|%s|%s|%s;", e->id ? e->id : "-",
	         e->code   ? e->code
	         : e->name ? e->name
	                   : "-",
	         e->rate ? e->rate : "", e->role ? e->role : "",
	         e->sales ? (e->purchases ? "sp" : "s") : "");
	return BS_OK;
}

static int org_cb(void *arg, const struct ledger_entity *e)
{
	char *out = arg;

	snprintf(out, 256, "%s|%s|%s", e->name, e->base_currency, e->lock_date);
	return BS_OK;
}

static int stop_at_two(void *arg, const struct ledger_entity *e)
{
	struct reader *r = arg;

	(void)e;
	return ++r->n == 2 ? BS_ECONFLICT : BS_OK;
}

static void test_reads(void **state)
{
	struct fix *f = *state;
	struct reader r = {f->q, 0, 0, ""};
	struct ledger_call call;
	struct bs_error err;
	struct buf body;
	char org[256];

	buf_init(&body, (size_t)1 << 20);
	assert_int_equal(qbo_read_company(LEDGER_READ_ORG, rget, &r, collect, &r, &err), BS_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.calls, 2); /* CompanyInfo, Preferences */
	assert_int_equal(qbo_read_company(LEDGER_READ_ORG, rget, &r, org_cb, org, &err), BS_OK);
	assert_string_equal(org, "Booksync Sandbox Ltd|NZD|");
	/* the books closed at the end of 2025: the lock date */
	assert_int_equal(qbo_get(f->q, "/preferences", &body, &call, &err), BS_OK);
	{
		struct json_object *o = json_tokener_parse(buf_cstr(&body)), *p, *v;
		char upd[512], id[32] = "", tok[32] = "";

		assert_true(json_object_object_get_ex(o, "Preferences", &p));
		if (json_object_object_get_ex(p, "Id", &v))
			snprintf(id, sizeof(id), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(p, "SyncToken", &v))
			snprintf(tok, sizeof(tok), "%s", json_object_get_string(v));
		json_object_put(o);
		snprintf(upd, sizeof(upd),
		         "{\"Id\":\"%s\",\"SyncToken\":\"%s\",\"sparse\":true,"
		         "\"AccountingInfoPrefs\":{\"BookCloseDate\":\"2025-12-31\"}}",
		         id, tok);
		assert_int_equal(qbo_call(f->q, "POST", "/preferences", upd, &body, &call, &err),
		                 BS_OK);
		if (call.http_status != 200)
			fail_msg("preferences update: %s", buf_cstr(&body));
	}
	assert_int_equal(qbo_read_company(LEDGER_READ_ORG, rget, &r, org_cb, org, &err), BS_OK);
	assert_string_equal(org, "Booksync Sandbox Ltd|NZD|2025-12-31");

	memset(&r, 0, sizeof(r));
	r.q = f->q;
	assert_int_equal(qbo_read_company(LEDGER_READ_ACCOUNTS, rget, &r, collect, &r, &err),
	                 BS_OK);
	assert_int_equal(r.n, 21);
	assert_non_null(strstr(r.seen, "9|200|")); /* Sales, AcctNum 200 */
	assert_non_null(strstr(r.seen, "|825|"));  /* Gift Vouchers */
	assert_int_equal(r.calls, 1);

	memset(&r, 0, sizeof(r));
	r.q = f->q;
	assert_int_equal(qbo_read_company(LEDGER_READ_TAX_RATES, rget, &r, collect, &r, &err),
	                 BS_OK);
	assert_int_equal(r.n, 4);
	assert_non_null(strstr(r.seen, "5|GST|15||sp;"));
	assert_non_null(strstr(r.seen, "|Out of Scope|0||sp;"));
	assert_int_equal(r.calls, 2); /* TaxRate, TaxCode */

	memset(&r, 0, sizeof(r));
	r.q = f->q;
	assert_int_equal(qbo_read_company(LEDGER_READ_TRACKING, rget, &r, collect, &r, &err),
	                 BS_OK);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.calls, 0);

	/* contacts: customers and vendors, each with its role */
	assert_int_equal(
	    qbo_call(f->q, "POST", "/customer", "{\"DisplayName\":\"Cass\"}", &body, &call, &err),
	    BS_OK);
	assert_int_equal(
	    qbo_call(f->q, "POST", "/vendor", "{\"DisplayName\":\"Vic\"}", &body, &call, &err),
	    BS_OK);
	memset(&r, 0, sizeof(r));
	r.q = f->q;
	assert_int_equal(qbo_read_company(LEDGER_READ_CONTACTS, rget, &r, collect, &r, &err),
	                 BS_OK);
	assert_int_equal(r.n, 2);
	assert_non_null(strstr(r.seen, "|Cass||customer|"));
	assert_non_null(strstr(r.seen, "|Vic||vendor|"));

	memset(&r, 0, sizeof(r));
	r.q = f->q;
	assert_int_equal(qbo_read_company(LEDGER_READ_ITEMS, rget, &r, collect, &r, &err), BS_OK);
	assert_int_equal(r.n, 1);
	assert_non_null(strstr(r.seen, "|Services|"));

	/* a callback's refusal stops the read with it */
	memset(&r, 0, sizeof(r));
	r.q = f->q;
	assert_int_equal(qbo_read_company(LEDGER_READ_ACCOUNTS, rget, &r, stop_at_two, &r, &err),
	                 BS_ECONFLICT);
	assert_int_equal(r.n, 2);
	buf_free(&body);
}

/* Paging: more than a page of customers comes in pages of 1000. */
struct pager {
	struct qbo_conn *q;
	int calls, second_page;
	size_t customers, vendors;
};

static int pget(void *arg, const char *path, struct buf *body, struct bs_error *err)
{
	struct pager *p = arg;
	struct ledger_call call;

	p->calls++;
	if (strstr(path, "STARTPOSITION%201001%20") != NULL)
		p->second_page++;
	return qbo_get(p->q, path, body, &call, err);
}

static int pcount(void *arg, const struct ledger_entity *e)
{
	struct pager *p = arg;

	if (strcmp(e->role, "customer") == 0)
		p->customers++;
	else
		p->vendors++;
	return BS_OK;
}

static void test_read_pages(void **state)
{
	struct fix *f = *state;
	struct pager p = {f->q, 0, 0, 0, 0};
	struct ledger_call call;
	struct bs_error err;
	struct buf body, req;

	buf_init(&body, (size_t)1 << 20);
	buf_init(&req, (size_t)1 << 20);
	for (int b = 0; b < 35; b++) { /* 35 batches of 30 = 1050 customers */
		buf_reset(&req);
		buf_addstr(&req, "{\"BatchItemRequest\":[");
		for (int i = 0; i < 30; i++)
			buf_printf(&req,
			           "%s{\"bId\":\"%d\",\"operation\":\"create\","
			           "\"Customer\":{\"DisplayName\":\"C%04d\"}}",
			           i ? "," : "", i, b * 30 + i);
		buf_addstr(&req, "]}");
		assert_int_equal(
		    qbo_call(f->q, "POST", "/batch", buf_cstr(&req), &body, &call, &err), BS_OK);
		assert_int_equal(call.http_status, 200);
	}
	assert_int_equal(qbo_read_company(LEDGER_READ_CONTACTS, pget, &p, pcount, &p, &err), BS_OK);
	assert_int_equal(p.customers, 1050);
	assert_int_equal(p.vendors, 0);
	assert_int_equal(p.second_page, 1);
	assert_int_equal(p.calls, 3); /* two pages of customers, one of vendors */
	buf_free(&body);
	buf_free(&req);
}

/* A person with a browser: opens the URL connect shows and follows the
 * sandbox's redirect to the listener on 127.0.0.1, which gets realmId. */
struct browser {
	char url[4096];
	long status;
	bool started;
	pthread_t th;
};

static void *browse(void *arg)
{
	struct browser *b = arg;
	struct http_client *c = NULL;
	struct http_response resp;
	struct http_request req = {.method = "GET", .url = b->url, .follow_redirects = true};
	struct bs_error err;

	b->status = -1;
	if (http_client_new(&c, &err) != BS_OK)
		return NULL;
	http_response_init(&resp);
	if (http_send(c, &req, &resp, &err) == BS_OK)
		b->status = resp.status;
	http_response_free(&resp);
	http_client_free(c);
	return NULL;
}

static void show_url(void *arg, const char *url)
{
	struct browser *b = arg;

	snprintf(b->url, sizeof(b->url), "%s", url);
	b->started = pthread_create(&b->th, NULL, browse, b) == 0;
}

static void test_browser_flow(void **state)
{
	struct fix *f = *state;
	struct browser b = {0};
	struct ledger_auth a = {0};
	struct ledger_tokens t;
	struct ledger_tenant *ten = NULL;
	struct bs_error err;
	size_t n = 0;
	int rc;

	a.base_url = sandbox_url(f->sb);
	a.client_id = "cid";
	a.client_secret = "secret";
	a.auto_approve = false; /* a person at the terminal */
	a.show_url = show_url;
	a.arg = &b;
	a.now_ms = now_ms();
	rc = qbo_authorize(&a, &t, &ten, &n, &err);
	assert_true(b.started);
	assert_int_equal(pthread_join(b.th, NULL), 0);
	if (rc != BS_OK)
		fail_msg("authorize: %s", err.msg);
	/* the URL asked for QBO's scope, and the browser was told it worked */
	assert_non_null(strstr(b.url, "/connect/oauth2?response_type=code"));
	assert_non_null(strstr(b.url, "scope=com.intuit.quickbooks.accounting&"));
	assert_non_null(strstr(b.url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
	assert_int_equal(b.status, 200);
	assert_int_equal(n, 1);
	assert_string_equal(ten[0].tenant_id, sandbox_default_tenant(f->sb));
	assert_true(t.access_token[0] != '\0');
	free(ten);
	sodium_memzero(&t, sizeof(t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_judge),
	    cmocka_unit_test(test_refs),
	    cmocka_unit_test(test_endpoints),
	    cmocka_unit_test(test_redirect_realm),
	    cmocka_unit_test_setup_teardown(test_authorize_and_call, start_open, stop),
	    cmocka_unit_test_setup_teardown(test_conn_refs, start_open, stop),
	    cmocka_unit_test_setup_teardown(test_throttled, start_throttled, stop),
	    cmocka_unit_test_setup_teardown(test_refresh_revoke, start_open, stop),
	    cmocka_unit_test_setup_teardown(test_reads, start_open, stop),
	    cmocka_unit_test_setup_teardown(test_read_pages, start_open, stop),
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
