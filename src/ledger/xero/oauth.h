/*
 * oauth.h - Xero's OAuth 2.0 authorization-code flow (docs/mapping-xero.md §4): the
 * authorize URL, the token endpoint (code exchange, refresh with rotation),
 * the tenant list, and two ways to finish the browser leg: auto-approval
 * (the sandbox redirects straight back) and a one-shot callback listener on
 * 127.0.0.1 for a person with a browser.
 *
 * Nothing here stores anything or reads a clock: callers pass now_ms and
 * persist the tokens they get back (sealed with core/secret.h).  Tokens and
 * client secrets never appear in an error message.
 */
#ifndef BS_LEDGER_XERO_OAUTH_H
#define BS_LEDGER_XERO_OAUTH_H

#include "core/buf.h"
#include "core/error.h"
#include "http/client.h"
#include "ledger/ledger.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Granular scopes (apps created from March 2026 must use them). */
#define XERO_SCOPES_DEFAULT                                                                        \
	"offline_access accounting.settings accounting.contacts accounting.invoices "              \
	"accounting.payments accounting.banktransactions accounting.manualjournals"

#define XERO_URL_MAX 512

/* Where Xero (or the sandbox) answers.  Plain arrays: copy freely. */
struct xero_endpoints {
	char authorize_url[XERO_URL_MAX];
	char token_url[XERO_URL_MAX];
	char connections_url[XERO_URL_MAX];
	char api_base[XERO_URL_MAX]; /* no trailing slash: api_base + "/Invoices" */
};

/*
 * Fill `ep` for the real Xero (base_url NULL or "") or for a one-host
 * emulator at base_url ("http://127.0.0.1:PORT", a trailing '/' ignored):
 *   real:  https://login.xero.com/identity/connect/authorize,
 *          https://identity.xero.com/connect/token,
 *          https://api.xero.com/connections, https://api.xero.com/api.xro/2.0
 *   base:  BASE/identity/connect/authorize, BASE/connect/token,
 *          BASE/connections, BASE/api.xro/2.0
 * BS_EINVAL when base_url is not http(s):// or too long.
 */
int xero_endpoints_init(struct xero_endpoints *ep, const char *base_url, struct bs_error *err);

#define XERO_ACCESS_TOKEN_MAX  LEDGER_ACCESS_TOKEN_MAX
#define XERO_REFRESH_TOKEN_MAX LEDGER_REFRESH_TOKEN_MAX
#define XERO_SCOPE_MAX         LEDGER_SCOPE_MAX

/* A token set is a struct ledger_tokens (ledger.h): plain arrays,
 * NUL-terminated, owned by whoever holds the struct.  Wipe with
 * sodium_memzero when done. */

/*
 * Write `n - 1` random URL-safe characters and a NUL into out[n] (n >= 2):
 * a fresh `state` for one connect attempt.  n = 33 gives 192 bits.
 */
void xero_oauth_new_state(char *out, size_t n);

/*
 * Append the authorize URL (response_type=code, client_id, redirect_uri,
 * scope, state) to `out`.  scopes NULL = XERO_SCOPES_DEFAULT.
 * BS_ETOOBIG / BS_ENOMEM from the buffer.
 */
int xero_oauth_authorize_url(const struct xero_endpoints *ep, const char *client_id,
                             const char *redirect_uri, const char *scopes, const char *state,
                             struct buf *out);

/*
 * Exchange an authorization code for tokens: POST ep->token_url,
 * grant_type=authorization_code, client credentials in a Basic header.
 * On success *out is the new token set; on any error *out is unchanged.
 * Errors:
 *   BS_EAUTH   invalid_grant (code used, expired, other redirect_uri) or
 *              invalid_client / unauthorized_client (wrong id or secret);
 *   BS_ELIMIT  429 from the token endpoint;
 *   BS_ENET    no answer (http_send's BS_ENET), or a 5xx;
 *   BS_EPROTO  any other status, or a reply without access_token / expires_in
 *              or with a token longer than struct ledger_tokens holds.
 */
int xero_oauth_exchange_code(struct http_client *http, const struct xero_endpoints *ep,
                             const char *client_id, const char *client_secret, const char *code,
                             const char *redirect_uri, int64_t now_ms, struct ledger_tokens *out,
                             struct bs_error *err);

/*
 * Refresh: grant_type=refresh_token.  Xero rotates the refresh token: the
 * caller must persist out->refresh_token before using the new access token
 * anywhere else (the old one lasts a 30-minute grace).  When a reply carries
 * no refresh_token the old one is kept in *out.  `refresh_token` may point
 * into *out.  Errors as xero_oauth_exchange_code; invalid_grant gives
 * BS_EAUTH "the refresh token was refused (invalid_grant): run booksync
 * connect again".
 */
int xero_oauth_refresh(struct http_client *http, const struct xero_endpoints *ep,
                       const char *client_id, const char *client_secret, const char *refresh_token,
                       int64_t now_ms, struct ledger_tokens *out, struct bs_error *err);

/*
 * Interpret a token endpoint reply (status and body) - what the two calls
 * above do after http_send, public for tests and fuzzing.  `refresh`
 * selects the wording of an invalid_grant message.  Same errors.
 */
int xero_oauth_parse_token_response(long status, const char *body, size_t len, bool refresh,
                                    int64_t now_ms, struct ledger_tokens *out,
                                    struct bs_error *err);

/* How long before expiry a token is refreshed, at time scale 1. */
#define XERO_REFRESH_MARGIN_MS 120000

/*
 * Whether `t` should be refreshed at now_ms (pure; oauth_due.c).  True
 * when it expires within the margin: XERO_REFRESH_MARGIN_MS divided by
 * time_scale (a ledger whose clock runs N times faster issues tokens N
 * times shorter; time_scale < 1 counts as 1), and never more than a quarter
 * of the token's lifetime (expires_at_ms - issued_at_ms, when known).  So a
 * token is refreshed once, in the last quarter of its life, however short
 * it lives: never a refresh before every call.
 */
bool xero_oauth_refresh_due(const struct ledger_tokens *t, int64_t now_ms, int time_scale);

/* One connected organisation (GET /connections). */
/* An organisation of the grant is a struct ledger_tenant (ledger.h). */

#define XERO_TENANTS_MAX 1000

/*
 * List the tenants `access_token` may use.  On success *out is a malloc'd
 * array of *n entries (NULL when 0) that the caller frees with free().
 * BS_EAUTH on 401/403, BS_ELIMIT on 429, BS_ENET no answer or 5xx,
 * BS_EPROTO a reply that is not an array of objects with a tenantId (or
 * more than XERO_TENANTS_MAX), BS_ENOMEM.
 */
int xero_oauth_connections(struct http_client *http, const struct xero_endpoints *ep,
                           const char *access_token, struct ledger_tenant **out, size_t *n,
                           struct bs_error *err);

/*
 * Read the authorization code out of the redirect URL `location` and
 * append it to `code`.  An `error` parameter gives BS_EAUTH naming it
 * (e.g. access_denied); a missing or different `state` gives BS_EAUTH (the
 * CSRF guard: the redirect is not an answer to this attempt); no code or a
 * malformed escape gives BS_EPROTO.
 */
int xero_oauth_code_from_redirect(const char *location, const char *expected_state,
                                  struct buf *code, struct bs_error *err);

/*
 * Complete authorisation without a person: GET the authorize URL without
 * following redirects; a 3xx whose Location is redirect_uri (followed by
 * '?', '#' or nothing) carries the code, read with the state checked
 * (the sandbox approves this way).  BS_OK with the code appended to `code`.
 * BS_ESTATE "the authorization page needs a person: open the URL in a
 * browser" when no such redirect comes; BS_EAUTH when the server refuses the
 * request (4xx) or the redirect carries an error or a wrong state; BS_ENET.
 */
int xero_oauth_auto_approve(struct http_client *http, const struct xero_endpoints *ep,
                            const char *client_id, const char *redirect_uri, const char *scopes,
                            const char *state, struct buf *code, struct bs_error *err);

/*
 * The interactive path: a one-shot HTTP listener on 127.0.0.1 that receives
 * the browser's redirect at /callback.  Owned by the caller; free with
 * xero_oauth_callback_free.
 */
struct xero_oauth_listener;

/*
 * Listen on 127.0.0.1:port (0 = a free port).  Xero matches redirect URIs
 * exactly, so against the real Xero pass the fixed port registered with the
 * app (http://127.0.0.1:PORT/callback); 0 suits the sandbox and tests.
 * BS_EIO when the port cannot be bound, BS_EINVAL port > 65535, BS_ENOMEM.
 */
int xero_oauth_callback_listen(unsigned port, struct xero_oauth_listener **out,
                               struct bs_error *err);

/* "http://127.0.0.1:PORT/callback", the redirect_uri to send.  Owned by l. */
const char *xero_oauth_callback_redirect_uri(const struct xero_oauth_listener *l);

/*
 * Wait up to timeout_ms for the browser to arrive at /callback, judge it as
 * xero_oauth_code_from_redirect does, answer the browser with a short page
 * ("booksync is connected, you may close this tab", or what went wrong),
 * and append the code to `code`.  The first /callback request decides; any
 * later one gets 410.  Other paths get 404 and are ignored.  BS_ESTATE when
 * nothing arrived in time; otherwise as xero_oauth_code_from_redirect.
 * Call at most once per listener.
 */
int xero_oauth_callback_wait(struct xero_oauth_listener *l, const char *expected_state,
                             long timeout_ms, struct buf *code, struct bs_error *err);

/* Stop listening and free.  NULL is a no-op. */
void xero_oauth_callback_free(struct xero_oauth_listener *l);

#endif
