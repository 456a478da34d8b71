/*
 * oauth2.h - the OAuth 2.0 authorization-code client both connectors use
 * (Xero: docs/mapping-xero.md §4; QuickBooks Online: docs/connect-qbo.md):
 * the authorize URL, the token endpoint (code exchange, refresh with
 * rotation, revocation), and two ways to finish the browser leg:
 * auto-approval (a sandbox redirects straight back) and a one-shot callback
 * listener on 127.0.0.1 for a person with a browser.
 *
 * Ledger-neutral: a connector fills struct oauth2_endpoints with its hosts
 * and scopes and keeps what is its own (Xero's tenant list, QBO's realmId
 * reading).  Nothing here stores anything or reads a clock: callers pass
 * now_ms and persist the tokens they get back (sealed with core/secret.h).
 * Tokens and client secrets never appear in an error message.
 */
#ifndef BS_LEDGER_OAUTH2_OAUTH2_H
#define BS_LEDGER_OAUTH2_OAUTH2_H

#include "core/buf.h"
#include "core/error.h"
#include "http/client.h"
#include "ledger/ledger.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OAUTH2_URL_MAX   512
#define OAUTH2_SCOPE_MAX 512

/* How long one call to the identity server may take, in ms. */
#define OAUTH2_TIMEOUT_MS 30000L

/* Where a ledger's identity server answers.  Plain arrays: copy freely. */
struct oauth2_endpoints {
	char authorize_url[OAUTH2_URL_MAX];
	char token_url[OAUTH2_URL_MAX];
	char revoke_url[OAUTH2_URL_MAX]; /* "" when the ledger has none */
	char scopes[OAUTH2_SCOPE_MAX];   /* asked for when a caller passes NULL */
};

/*
 * Join base (blen bytes, no trailing '/') and path into dst[OAUTH2_URL_MAX]:
 * BS_EINVAL "base URL is too long" when it does not fit.
 */
int oauth2_url_join(char *dst, const char *base, size_t blen, const char *path,
                    struct bs_error *err);

/*
 * Check a one-host base URL ("http(s)://host[:port][/path]", no query) and
 * give its length without trailing '/' in *blen.  BS_EINVAL otherwise.
 */
int oauth2_base_check(const char *base_url, size_t *blen, struct bs_error *err);

/*
 * Write `n - 1` random URL-safe characters and a NUL into out[n] (n >= 2):
 * a fresh `state` for one connect attempt.  n = 33 gives 192 bits.
 */
void oauth2_new_state(char *out, size_t n);

/*
 * Append the authorize URL (response_type=code, client_id, redirect_uri,
 * scope, state) to `out`.  scopes NULL = ep->scopes.
 * BS_ETOOBIG / BS_ENOMEM from the buffer (out unchanged then).
 */
int oauth2_authorize_url(const struct oauth2_endpoints *ep, const char *client_id,
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
int oauth2_exchange_code(struct http_client *http, const struct oauth2_endpoints *ep,
                         const char *client_id, const char *client_secret, const char *code,
                         const char *redirect_uri, int64_t now_ms, struct ledger_tokens *out,
                         struct bs_error *err);

/*
 * Refresh: grant_type=refresh_token.  Xero and QBO rotate the refresh
 * token: the caller must persist out->refresh_token before using the new
 * access token anywhere else.  When a reply carries no refresh_token the
 * old one is kept in *out.  `refresh_token` may point into *out.  Errors as
 * oauth2_exchange_code; invalid_grant gives BS_EAUTH "the refresh token was
 * refused (invalid_grant)" -- the caller, who knows the ledger, says how
 * to reconnect.
 */
int oauth2_refresh(struct http_client *http, const struct oauth2_endpoints *ep,
                   const char *client_id, const char *client_secret, const char *refresh_token,
                   int64_t now_ms, struct ledger_tokens *out, struct bs_error *err);

/*
 * Revoke `token` (a refresh token ends the whole grant): POST
 * ep->revoke_url with {"token": T} and the client's Basic header.  BS_OK on
 * 200; BS_EUNSUPPORTED when the ledger has no revoke URL; BS_EAUTH 400/401
 * (bad client); BS_ELIMIT 429; BS_ENET no answer or 5xx; BS_EPROTO others.
 */
int oauth2_revoke(struct http_client *http, const struct oauth2_endpoints *ep,
                  const char *client_id, const char *client_secret, const char *token,
                  struct bs_error *err);

/*
 * Interpret a token endpoint reply (status and body) - what the calls
 * above do after http_send, public for tests and fuzzing.  `refresh`
 * selects the wording of an invalid_grant message.  Same errors.
 */
int oauth2_parse_token_response(long status, const char *body, size_t len, bool refresh,
                                int64_t now_ms, struct ledger_tokens *out, struct bs_error *err);

/* How long before expiry a token is refreshed, at time scale 1. */
#define OAUTH2_REFRESH_MARGIN_MS 120000

/*
 * Whether `t` should be refreshed at now_ms (pure; oauth2_due.c).  True
 * when it expires within the margin: OAUTH2_REFRESH_MARGIN_MS divided by
 * time_scale (a ledger whose clock runs N times faster issues tokens N
 * times shorter; time_scale < 1 counts as 1), and never more than a quarter
 * of the token's lifetime (expires_at_ms - issued_at_ms, when known).  So a
 * token is refreshed once, in the last quarter of its life, however short
 * it lives: never a refresh before every call.
 */
bool oauth2_refresh_due(const struct ledger_tokens *t, int64_t now_ms, int time_scale);

/*
 * Copy at most 64 printable ASCII characters of server text `s` (NULL:
 * none) into out[outlen], others as '?', always NUL-terminated: text from
 * the server is made safe this way before it enters a message.
 */
void oauth2_sanitise(const char *s, char *out, size_t outlen);

/*
 * Read the authorization code out of the redirect URL `location` and
 * append it to `code`; with extra_name (QBO: "realmId", else NULL) also
 * that parameter's value to `extra` (nothing appended when absent).  An
 * `error` parameter gives BS_EAUTH naming it (e.g. access_denied); a
 * missing or different `state` gives BS_EAUTH (the CSRF guard: the redirect
 * is not an answer to this attempt); no code or a malformed escape gives
 * BS_EPROTO.
 */
int oauth2_code_from_redirect(const char *location, const char *expected_state, struct buf *code,
                              const char *extra_name, struct buf *extra, struct bs_error *err);

/*
 * Complete authorisation without a person: GET the authorize URL without
 * following redirects; a 3xx whose Location is redirect_uri (followed by
 * '?', '#' or nothing) carries the code, read with the state checked
 * (a sandbox approves this way), and extra_name's value as
 * oauth2_code_from_redirect.  BS_OK with the code appended to `code`.
 * BS_ESTATE "the authorization page needs a person: open the URL in a
 * browser" when no such redirect comes; BS_EAUTH when the server refuses the
 * request (4xx) or the redirect carries an error or a wrong state; BS_ENET.
 */
int oauth2_auto_approve(struct http_client *http, const struct oauth2_endpoints *ep,
                        const char *client_id, const char *redirect_uri, const char *scopes,
                        const char *state, struct buf *code, const char *extra_name,
                        struct buf *extra, struct bs_error *err);

/*
 * The interactive path: a one-shot HTTP listener on 127.0.0.1 that receives
 * the browser's redirect at /callback.  Owned by the caller; free with
 * oauth2_callback_free.
 */
struct oauth2_listener;

/*
 * Listen on 127.0.0.1:port (0 = a free port).  Ledgers match redirect URIs
 * exactly, so against a real ledger pass the fixed port registered with the
 * app (http://127.0.0.1:PORT/callback); 0 suits a sandbox and tests.
 * extra_name: one more query parameter to keep (QBO's "realmId"), or NULL.
 * BS_EIO when the port cannot be bound, BS_EINVAL port > 65535, BS_ENOMEM.
 */
int oauth2_callback_listen(unsigned port, const char *extra_name, struct oauth2_listener **out,
                           struct bs_error *err);

/* "http://127.0.0.1:PORT/callback", the redirect_uri to send.  Owned by l. */
const char *oauth2_callback_redirect_uri(const struct oauth2_listener *l);

/*
 * Wait up to timeout_ms for the browser to arrive at /callback, judge it as
 * oauth2_code_from_redirect does, answer the browser with a short page
 * ("booksync is connected, you may close this tab", or what went wrong),
 * and append the code to `code` (and the extra parameter, when the listener
 * keeps one and extra is not NULL, to `extra`).  The first /callback request
 * decides; any later one gets 410.  Other paths get 404 and are ignored.
 * BS_ESTATE when nothing arrived in time; otherwise as
 * oauth2_code_from_redirect.  Call at most once per listener.
 */
int oauth2_callback_wait(struct oauth2_listener *l, const char *expected_state, long timeout_ms,
                         struct buf *code, struct buf *extra, struct bs_error *err);

/* Stop listening and free.  NULL is a no-op. */
void oauth2_callback_free(struct oauth2_listener *l);

/* Inputs of oauth2_get_code: how to get one authorization code. */
struct oauth2_code_req {
	const struct oauth2_endpoints *ep;
	const char *client_id;
	const char *state;
	const char *extra_name; /* kept from the redirect into extra, or NULL */
	bool auto_approve;      /* try a page that redirects straight back first */
	/* shows the person the URL to open before the listener waits */
	void (*show_url)(void *arg, const char *url);
	void *arg;
};

/*
 * The browser leg end to end: by itself when auto_approve and the page
 * redirects straight back (to http://127.0.0.1:8719/callback), else through
 * a listener on a free port waiting 5 minutes.  The code into `code`, the
 * redirect_uri used (the token exchange repeats it) into `redirect`, the
 * extra parameter into `extra` (may be NULL).  Errors as the calls above.
 */
int oauth2_get_code(struct http_client *http, const struct oauth2_code_req *r, struct buf *code,
                    struct buf *redirect, struct buf *extra, struct bs_error *err);

#endif
