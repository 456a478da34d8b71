/*
 * xero_auth.c - connecting to Xero: the authorization-code flow end to end
 * (ledger_ops.authorize).  The code comes from oauth2_get_code (by itself
 * when the page redirects straight back, as the sandbox's does, else from
 * the browser); what is Xero's own is the tenant list after it.
 */
#include "ledger/xero/oauth.h"
#include "ledger/xero/xero.h"

#include "core/secret.h"

#include <string.h>

int xero_authorize(const struct ledger_auth *a, struct ledger_tokens *tokens,
                   struct ledger_tenant **tenants, size_t *n, struct bs_error *err)
{
	struct xero_endpoints ep;
	struct http_client *http = NULL;
	struct buf code, redirect;
	char state[64];
	int rc;

	*tenants = NULL;
	*n = 0;
	buf_init(&code, 4096);
	buf_init(&redirect, 1024);
	rc = xero_endpoints_init(&ep, a->base_url, err);
	if (rc == BS_OK)
		rc = http_client_new(&http, err);
	if (rc == BS_OK) {
		struct oauth2_code_req r = {&ep.oauth,       a->client_id, state, NULL,
		                            a->auto_approve, a->show_url,  a->arg};

		oauth2_new_state(state, sizeof(state));
		rc = oauth2_get_code(http, &r, &code, &redirect, NULL, err);
	}
	if (rc == BS_OK)
		rc = oauth2_exchange_code(http, &ep.oauth, a->client_id, a->client_secret,
		                          buf_cstr(&code), buf_cstr(&redirect), a->now_ms, tokens,
		                          err);
	if (rc == BS_OK)
		rc = xero_oauth_connections(http, &ep, tokens->access_token, tenants, n, err);
	http_client_free(http);
	secret_buf_wipe(&code);
	buf_free(&redirect);
	return rc;
}
