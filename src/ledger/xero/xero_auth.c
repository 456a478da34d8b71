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

/* Exchange the code over http and list the tenants the tokens may use. */
static int finish(struct http_client *http, const struct xero_endpoints *ep,
                  const struct ledger_auth *a, const char *redirect_uri, const char *code,
                  struct ledger_tokens *tokens, struct ledger_tenant **tenants, size_t *n,
                  struct bs_error *err)
{
	int rc = oauth2_exchange_code(http, &ep->oauth, a->client_id, a->client_secret, code,
	                              redirect_uri, a->now_ms, tokens, err);

	if (rc == BS_OK)
		rc = xero_oauth_connections(http, ep, tokens->access_token, tenants, n, err);
	return rc;
}

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
		rc = finish(http, &ep, a, buf_cstr(&redirect), buf_cstr(&code), tokens, tenants, n,
		            err);
	http_client_free(http);
	secret_buf_wipe(&code);
	buf_free(&redirect);
	return rc;
}

int xero_authorize_start(const char *base_url, const char *client_id, const char *redirect_uri,
                         const char *state, struct buf *url, struct bs_error *err)
{
	struct xero_endpoints ep;
	int rc = xero_endpoints_init(&ep, base_url, err);

	if (rc == BS_OK &&
	    oauth2_authorize_url(&ep.oauth, client_id, redirect_uri, NULL, state, url) != BS_OK)
		rc = bs_error_set(err, BS_ETOOBIG, "the authorize URL is too long");
	return rc;
}

int xero_authorize_finish(const struct ledger_auth *a, const char *redirect_uri, const char *code,
                          const char *extra, struct ledger_tokens *tokens,
                          struct ledger_tenant **tenants, size_t *n, struct bs_error *err)
{
	struct xero_endpoints ep;
	struct http_client *http = NULL;
	int rc;

	(void)extra;
	*tenants = NULL;
	*n = 0;
	rc = xero_endpoints_init(&ep, a->base_url, err);
	if (rc == BS_OK)
		rc = http_client_new(&http, err);
	if (rc == BS_OK)
		rc = finish(http, &ep, a, redirect_uri, code, tokens, tenants, n, err);
	http_client_free(http);
	return rc;
}
