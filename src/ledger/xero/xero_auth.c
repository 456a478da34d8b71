/*
 * xero_auth.c - connecting to Xero: the authorization-code flow end to end
 * (ledger_ops.authorize; oauth.h has its pieces).  The code comes by itself
 * when the page redirects straight back (the sandbox), else from the
 * browser through a one-shot listener on 127.0.0.1.
 */
#include "ledger/xero/oauth.h"
#include "ledger/xero/xero.h"

#include "core/secret.h"

#include <string.h>

/* A code: by itself when the page redirects straight back, else from the
 * browser through a local listener.  The redirect_uri used into `redirect`. */
static int get_code(struct http_client *http, const struct xero_endpoints *ep,
                    const struct ledger_auth *a, const char *state, struct buf *code,
                    struct buf *redirect, struct bs_error *err)
{
	struct xero_oauth_listener *l = NULL;
	struct buf url;
	int rc;

	if (a->auto_approve) {
		buf_reset(redirect);
		buf_addstr(redirect, "http://127.0.0.1:8719/callback");
		rc = xero_oauth_auto_approve(http, ep, a->client_id, buf_cstr(redirect), NULL,
		                             state, code, err);
		if (rc != BS_ESTATE)
			return rc;
	}
	rc = xero_oauth_callback_listen(0, &l, err);
	if (rc != BS_OK)
		return rc;
	buf_reset(redirect);
	buf_addstr(redirect, xero_oauth_callback_redirect_uri(l));
	buf_init(&url, 8192);
	rc = xero_oauth_authorize_url(ep, a->client_id, buf_cstr(redirect), NULL, state, &url);
	if (rc == BS_OK) {
		if (a->show_url != NULL)
			a->show_url(a->arg, buf_cstr(&url));
		rc = xero_oauth_callback_wait(l, state, 300000, code, err);
	}
	buf_free(&url);
	xero_oauth_callback_free(l);
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
		xero_oauth_new_state(state, sizeof(state));
		rc = get_code(http, &ep, a, state, &code, &redirect, err);
	}
	if (rc == BS_OK)
		rc = xero_oauth_exchange_code(http, &ep, a->client_id, a->client_secret,
		                              buf_cstr(&code), buf_cstr(&redirect), a->now_ms,
		                              tokens, err);
	if (rc == BS_OK)
		rc = xero_oauth_connections(http, &ep, tokens->access_token, tenants, n, err);
	http_client_free(http);
	secret_buf_wipe(&code);
	buf_free(&redirect);
	return rc;
}
