/*
 * oauth.h - what of OAuth 2.0 is Xero's own (docs/mapping-xero.md §4): its
 * hosts and scopes, and the tenant list (GET /connections).  The flow itself
 * (authorize URL, token endpoint, auto-approval, the callback listener) is
 * the ledger-neutral src/ledger/oauth2/oauth2.h, driven with
 * xero_endpoints.oauth.
 */
#ifndef BS_LEDGER_XERO_OAUTH_H
#define BS_LEDGER_XERO_OAUTH_H

#include "core/buf.h"
#include "core/error.h"
#include "http/client.h"
#include "ledger/ledger.h"
#include "ledger/oauth2/oauth2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Granular scopes (apps created from March 2026 must use them). */
#define XERO_SCOPES_DEFAULT                                                                        \
	"offline_access accounting.settings accounting.contacts accounting.invoices "              \
	"accounting.payments accounting.banktransactions accounting.manualjournals"

#define XERO_URL_MAX OAUTH2_URL_MAX

/* Where Xero (or the sandbox) answers.  Plain arrays: copy freely. */
struct xero_endpoints {
	struct oauth2_endpoints
	    oauth; /* authorize, token (no revoke); scopes XERO_SCOPES_DEFAULT */
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

#define XERO_ACCESS_TOKEN_MAX LEDGER_ACCESS_TOKEN_MAX

/* One connected organisation (GET /connections). */
/* An organisation of the grant is a struct ledger_tenant (ledger.h). */

/* as many as a sandbox serves (sandbox xero --tenants 10000): the
 * connections reply is then about 3 MB, under the 4 MB read */
#define XERO_TENANTS_MAX 10000

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

/* Delete the connection of tenant_id (DELETE /connections/{id}, found in
 * GET /connections): the app's access to that organisation ends, other
 * organisations of the grant stay.  BS_OK when it is not connected. */
int xero_oauth_disconnect(struct http_client *http, const struct xero_endpoints *ep,
                          const char *access_token, const char *tenant_id, struct bs_error *err);

#endif
