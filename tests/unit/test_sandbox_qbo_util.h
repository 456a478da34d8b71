/*
 * test_sandbox_qbo_util.h - shared by the test_sandbox_qbo_*.c cmocka
 * tests: start an in-process QuickBooks Online sandbox (fake clock, limits
 * off unless given) and call /v3/company/<realm>/... on it.
 */
#ifndef TEST_SANDBOX_QBO_UTIL_H
#define TEST_SANDBOX_QBO_UTIL_H

#include "test_sandbox_util.h"

#define QBO_SCOPE "com.intuit.quickbooks.accounting openid"
#define T0_MS     INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */

static struct fake_clock qfc;

/* Start with `limits` ("off" when NULL), faults, state and a token, the
 * clock at T0_MS. */
static inline int qstart_cfg(struct tc *t, const char *limits, const char *faults,
                             const char *state)
{
	struct sandbox_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ledger = SANDBOX_QBO;
	cfg.limits = limits ? limits : "off";
	cfg.faults = faults;
	cfg.state_path = state;
	cfg.clock.now_ms = fake_now;
	cfg.clock.ctx = &qfc;
	qfc.now_ms = T0_MS; /* every test starts at the same instant */
	return tc_start(t, &cfg, QBO_SCOPE);
}

static inline int qstart(struct tc *t)
{
	return qstart_cfg(t, NULL, NULL, NULL);
}

/* METHOD /v3/company/<realm>/<path> with body; returns the HTTP status. */
static inline long qreq(struct tc *t, const char *method, const char *path, const char *body)
{
	char p[4096];

	snprintf(p, sizeof(p), "/v3/company/%s/%s", t->tenant, path);
	return tc_req(t, method, p, body, NULL, true);
}

/* The first Fault's code in the last response, or "" (static). */
static inline const char *qcode(struct tc *t)
{
	const char *c = tc_get(t, "Fault.Error.0.code");

	return c ? c : "";
}

/* Create a customer / vendor named `name`; returns its Id (static buffer). */
static inline const char *qparty(struct tc *t, const char *ent, const char *name)
{
	static char id[32];
	char body[256];

	snprintf(body, sizeof(body), "{\"DisplayName\":\"%s\"}", name);
	if (qreq(t, "POST", ent, body) != 200)
		return NULL;
	snprintf(id, sizeof(id), "%s",
	         tc_get(t, strcmp(ent, "vendor") == 0 ? "Vendor.Id" : "Customer.Id"));
	return id;
}

#endif
