/*
 * sandbox.h - an embedded accounting ledger over HTTP: Xero-compatible, or
 * QuickBooks Online-compatible (config.ledger).
 *
 * `booksync sandbox xero` serves this; the demo, every integration test and
 * the benchmarks run against it.  One sandbox is one HTTP server (libmicrohttpd,
 * a thread per connection) on one host with Xero's URL layout:
 *
 *   /identity/connect/authorize   OAuth2 authorisation (auto-approves)
 *   /connect/token                token endpoint (authorization_code, refresh_token)
 *   /connections                  tenants the token may use
 *   /api.xro/2.0/<Endpoint>       the Accounting API subset booksync needs
 *   /sandbox/...                  admin and inspection: open on loopback, behind
 *                                 an admin token when one is configured
 *
 * or, with SANDBOX_QBO (`booksync sandbox qbo`), Intuit's:
 *
 *   /connect/oauth2               OAuth2 authorisation (auto-approves, adds realmId)
 *   /oauth2/v1/tokens/bearer      token endpoint (authorization_code, refresh_token)
 *   /oauth2/v1/tokens/revoke      token revocation
 *   /v3/company/<realmId>/...     entities, query, batch, cdc (requestid idempotency)
 *   /sandbox/...                  the same admin endpoints (reset, log, health)
 *
 * docs/sandbox.md describes the behaviour and every choice made where the
 * ledger's own behaviour is unconfirmed.
 *
 * All state lives in struct sandbox: several may run in one process.  The
 * request-handling core, sandbox_handle(), needs no socket, so tests and the
 * fuzzer can drive it directly.
 */
#ifndef BS_SANDBOX_SANDBOX_H
#define BS_SANDBOX_SANDBOX_H

#include "core/buf.h"
#include "core/error.h"
#include "core/money.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sandbox;

/* The time source: milliseconds since the Unix epoch.  NULL now_ms = the real clock. */
struct sandbox_clock {
	int64_t (*now_ms)(void *ctx);
	void *ctx;
};

/* Which ledger's API a sandbox speaks. */
enum sandbox_ledger {
	SANDBOX_XERO, /* the default (0) */
	SANDBOX_QBO,  /* QuickBooks Online */
};

struct sandbox_config {
	enum sandbox_ledger ledger; /* SANDBOX_XERO unless set */
	const char *listen;         /* "ADDR:PORT"; NULL = "127.0.0.1:0" (a free port) */
	const char *state_path;     /* SQLite file; NULL = in memory only */
	const char *limits;        /* limits SPEC (docs/sandbox.md); NULL = the ledger's defaults */
	const char *faults;        /* faults SPEC; NULL = no faults */
	enum money_round rounding; /* midpoint rule: MONEY_HALF_AWAY or MONEY_HALF_EVEN */
	const char *clients_path;  /* file of allowed "id:secret" lines; NULL = any client */
	const char *webhook_url;   /* NULL = no webhooks */
	const char *webhook_key;   /* signing key, required with webhook_url */
	struct sandbox_clock clock; /* injectable time source */
	/* NULL or "" = the /sandbox/ admin endpoints are open, and only a
	 * loopback listen address is accepted; else every /sandbox/ call needs
	 * "Authorization: Bearer <admin_token>" (401 otherwise) */
	const char *admin_token;
	bool no_listen; /* build the core only (fuzzing): sandbox_url is "" */
	/* organisations (Xero tenants, QBO companies) at start and after a
	 * reset: the default one and "Booksync Demo 2".."Booksync Demo N"
	 * with ids derived from the index (docs/sandbox.md); 0 = 1, at most
	 * SANDBOX_TENANTS_MAX.  Those past the first get their chart (and
	 * documents) at their first API call. */
	unsigned tenants;
};

#define SANDBOX_TENANTS_MAX 10000

/*
 * Create a sandbox from `cfg` (copied; strings need not outlive the call),
 * load --state if given (else seed the default NZ organisation, or for QBO
 * the default company), and start serving.  On success *out owns
 * everything; free it with sandbox_stop.  Errors: BS_EINVAL (bad SPEC,
 * listen address, clients file, an admin token that is not printable
 * ASCII, or a listen address outside 127.0.0.0/8 without an admin token:
 * the admin endpoints, reset among them, must not be open to the network),
 * BS_ESTORE (state file), BS_EIO (cannot listen), BS_ENOMEM.
 */
int sandbox_start(const struct sandbox_config *cfg, struct sandbox **out, struct bs_error *err);

/* Base URL, "http://127.0.0.1:PORT" (no trailing slash).  Owned by sb. */
const char *sandbox_url(const struct sandbox *sb);

/* Stop serving, wait for in-flight requests and webhook deliveries, flush
 * state, free everything.  NULL is a no-op. */
void sandbox_stop(struct sandbox *sb);

/* The default tenant's id (the organisation seeded at start; for QBO the
 * company's realmId).  Owned by sb. */
const char *sandbox_default_tenant(const struct sandbox *sb);

/*
 * Issue an access token without the browser dance (tests, fuzzing, bench):
 * `scope` is a space-separated scope list.  Writes the token, NUL-terminated,
 * into tok[toklen] (256 bytes are enough).  BS_ETOOBIG when it does not fit.
 */
int sandbox_issue_token(struct sandbox *sb, const char *scope, char *tok, size_t toklen);

/* ---- the socket-free request core ---- */

struct sandbox_kv {
	const char *key;
	const char *value;
};

struct sandbox_request {
	const char *method; /* "GET", "PUT", ... */
	const char *path;   /* URL path without the query, already %-decoded */
	const struct sandbox_kv *query;
	size_t nquery; /* query arguments, %-decoded */
	const struct sandbox_kv *headers;
	size_t nheaders; /* request headers (names case-insensitive) */
	const char *body;
	size_t body_len;
};

#define SANDBOX_MAX_HEADERS 12
#define SANDBOX_HDR_NAME    48
#define SANDBOX_HDR_VALUE   512

struct sandbox_response {
	int status;
	const char *content_type; /* static string */
	struct buf body;
	size_t nheaders;
	char hname[SANDBOX_MAX_HEADERS][SANDBOX_HDR_NAME];
	char hvalue[SANDBOX_MAX_HEADERS][SANDBOX_HDR_VALUE];
	bool drop; /* close the connection without answering ("drop"/"lost" faults) */
};

/* Prepare / release a response (the response owns its body buffer). */
void sandbox_response_init(struct sandbox_response *resp);
void sandbox_response_free(struct sandbox_response *resp);

/*
 * Handle one request: routing, auth, limits, idempotency, faults, the
 * endpoint itself and the request log.  Always fills `resp` (status 500 on
 * an internal failure) unless resp->drop is set.  Thread-safe.  May sleep
 * (the "slow" fault).
 */
void sandbox_handle(struct sandbox *sb, const struct sandbox_request *req,
                    struct sandbox_response *resp);

#endif
