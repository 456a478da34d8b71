/*
 * qbo_auth.c - connecting to QuickBooks Online: Intuit's hosts (or one
 * sandbox host), the authorization-code flow end to end, refresh and
 * revoke (ledger_ops.authorize, api_root, refresh; docs/connect-qbo.md).
 *
 * The flow is src/ledger/oauth2/'s; what is QBO's own: the company is not
 * listed after the grant, as Xero's tenants are, but named by the realmId
 * parameter of the redirect back, next to code and state.  The company's
 * name is read from CompanyInfo with the new token when that answers (one
 * call; a failure leaves the name empty and connect goes on).
 */
#include "ledger/qbo/qbo.h"
#include "ledger/qbo/qbo_int.h"

#include "core/secret.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int qbo_endpoints(const char *base_url, struct oauth2_endpoints *ep, char *api_root, size_t cap,
                  struct bs_error *err)
{
	char root[OAUTH2_URL_MAX];
	size_t blen;
	int rc;

	memset(ep, 0, sizeof(*ep));
	snprintf(ep->scopes, sizeof(ep->scopes), "%s", QBO_SCOPES);
	if (base_url == NULL || base_url[0] == '\0') {
		snprintf(ep->authorize_url, sizeof(ep->authorize_url), "%s",
		         "https://appcenter.intuit.com/connect/oauth2");
		snprintf(ep->token_url, sizeof(ep->token_url), "%s",
		         "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer");
		snprintf(ep->revoke_url, sizeof(ep->revoke_url), "%s",
		         "https://developer.api.intuit.com/v2/oauth2/tokens/revoke");
		snprintf(root, sizeof(root), "%s", "https://quickbooks.api.intuit.com/v3/company");
		rc = BS_OK;
	} else {
		rc = oauth2_base_check(base_url, &blen, err);
		if (rc == BS_OK)
			rc = oauth2_url_join(ep->authorize_url, base_url, blen, "/connect/oauth2",
			                     err);
		if (rc == BS_OK)
			rc = oauth2_url_join(ep->token_url, base_url, blen,
			                     "/oauth2/v1/tokens/bearer", err);
		if (rc == BS_OK)
			rc = oauth2_url_join(ep->revoke_url, base_url, blen,
			                     "/oauth2/v1/tokens/revoke", err);
		if (rc == BS_OK)
			rc = oauth2_url_join(root, base_url, blen, "/v3/company", err);
	}
	if (rc == BS_OK && api_root != NULL && (size_t)snprintf(api_root, cap, "%s", root) >= cap)
		rc = bs_error_set(err, BS_EINVAL, "the API root is too long");
	if (rc != BS_OK)
		memset(ep, 0, sizeof(*ep));
	return rc;
}

int qbo_api_root(const char *base_url, char *api_root, size_t cap, struct bs_error *err)
{
	struct oauth2_endpoints ep;

	return qbo_endpoints(base_url, &ep, api_root, cap, err);
}

int qbo_refresh(struct http_client *http, const char *base_url, const char *client_id,
                const char *client_secret, const char *refresh_token, int64_t now_ms,
                struct ledger_tokens *out, struct bs_error *err)
{
	struct oauth2_endpoints ep;
	int rc = qbo_endpoints(base_url, &ep, NULL, 0, err);

	if (rc == BS_OK)
		rc = oauth2_refresh(http, &ep, client_id, client_secret, refresh_token, now_ms, out,
		                    err);
	return rc;
}

int qbo_revoke(struct http_client *http, const char *base_url, const char *client_id,
               const char *client_secret, const char *token, struct bs_error *err)
{
	struct oauth2_endpoints ep;
	int rc = qbo_endpoints(base_url, &ep, NULL, 0, err);

	if (rc == BS_OK)
		rc = oauth2_revoke(http, &ep, client_id, client_secret, token, err);
	return rc;
}

/* The company's name from CompanyInfo into t->tenant_name; "" when it
 * cannot be read (not worth failing a connect for). */
static void company_name(const char *api_root, const struct ledger_tokens *tokens,
                         struct ledger_tenant *t)
{
	struct ledger_conn_config cfg = {.api_base = api_root,
	                                 .tenant_id = t->tenant_id,
	                                 .access_token = tokens->access_token,
	                                 .timeout_ms = OAUTH2_TIMEOUT_MS};
	struct qbo_conn *q = NULL;
	struct ledger_call call;
	struct bs_error err;
	struct json_object *o = NULL, *ci, *v;
	struct buf path, body;

	buf_init(&path, 256);
	buf_init(&body, (size_t)1 << 20);
	if (qbo_conn_new(&cfg, &q, &err) == BS_OK &&
	    buf_printf(&path, "/companyinfo/%s", t->tenant_id) == BS_OK &&
	    qbo_call(q, "GET", buf_cstr(&path), NULL, &body, &call, &err) == BS_OK &&
	    call.http_status == 200)
		o = json_tokener_parse(buf_cstr(&body));
	if (o != NULL && json_object_object_get_ex(o, "CompanyInfo", &ci) &&
	    json_object_object_get_ex(ci, "CompanyName", &v))
		snprintf(t->tenant_name, sizeof(t->tenant_name), "%s", json_object_get_string(v));
	json_object_put(o);
	qbo_conn_free(q);
	buf_free(&path);
	buf_free(&body);
}

/* The realm from the redirect checked, the code exchanged, the company
 * as the one tenant. */
static int finish(struct http_client *http, const struct oauth2_endpoints *ep, const char *root,
                  const struct ledger_auth *a, const char *redirect_uri, const char *code,
                  const char *realm, struct ledger_tokens *tokens, struct ledger_tenant **tenants,
                  size_t *n, struct bs_error *err)
{
	struct ledger_tenant *t = NULL;
	int rc = BS_OK;

	if (realm == NULL || realm[0] == '\0' || strspn(realm, "0123456789") != strlen(realm) ||
	    strlen(realm) >= sizeof(t->tenant_id))
		rc = bs_error_set(err, BS_EPROTO,
		                  "the redirect back carries no usable realmId (the company): "
		                  "was the accounting scope granted?");
	if (rc == BS_OK)
		rc = oauth2_exchange_code(http, ep, a->client_id, a->client_secret, code,
		                          redirect_uri, a->now_ms, tokens, err);
	if (rc == BS_OK) {
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			rc = bs_error_set(err, BS_ENOMEM, "out of memory");
	}
	if (rc == BS_OK) {
		snprintf(t->tenant_id, sizeof(t->tenant_id), "%s", realm);
		snprintf(t->tenant_type, sizeof(t->tenant_type), "%s", "COMPANY");
		company_name(root, tokens, t);
		*tenants = t;
		*n = 1;
	}
	return rc;
}

/*
 * connect --tenant: ask the authorize page for that company with realmId=ID
 * (docs/connect-qbo.md).  The sandbox picks it, as a person would on
 * Intuit's page, where the parameter is not documented and is ignored
 * (RFC 6749 §3.1: unrecognised parameters are); either way the realmId of
 * the redirect back is what counts, and connect checks it is this one.
 */
static int ask_realm(struct oauth2_endpoints *ep, const char *realm, struct bs_error *err)
{
	size_t len = strlen(ep->authorize_url);

	if (realm[0] == '\0' || strspn(realm, "0123456789") != strlen(realm) ||
	    strlen(realm) >= QBO_REALM_MAX)
		return bs_error_set(err, BS_EINVAL,
		                    "--tenant %.*s: a QuickBooks company is named by its realmId "
		                    "(digits)",
		                    QBO_REALM_MAX, realm);
	if ((size_t)snprintf(ep->authorize_url + len, sizeof(ep->authorize_url) - len,
	                     "%srealmId=%s", strchr(ep->authorize_url, '?') ? "&" : "?",
	                     realm) >= sizeof(ep->authorize_url) - len)
		return bs_error_set(err, BS_EINVAL, "the authorize URL is too long");
	return BS_OK;
}

int qbo_authorize(const struct ledger_auth *a, struct ledger_tokens *tokens,
                  struct ledger_tenant **tenants, size_t *n, struct bs_error *err)
{
	struct oauth2_endpoints ep;
	struct http_client *http = NULL;
	struct buf code, redirect, realm;
	char state[64], root[OAUTH2_URL_MAX];
	int rc;

	*tenants = NULL;
	*n = 0;
	buf_init(&code, 4096);
	buf_init(&redirect, 1024);
	buf_init(&realm, QBO_REALM_MAX);
	rc = qbo_endpoints(a->base_url, &ep, root, sizeof(root), err);
	if (rc == BS_OK && a->tenant_hint != NULL)
		rc = ask_realm(&ep, a->tenant_hint, err);
	if (rc == BS_OK)
		rc = http_client_new(&http, err);
	if (rc == BS_OK) {
		struct oauth2_code_req r = {
		    &ep, a->client_id, state, "realmId", a->auto_approve, a->show_url, a->arg};

		oauth2_new_state(state, sizeof(state));
		rc = oauth2_get_code(http, &r, &code, &redirect, &realm, err);
	}
	if (rc == BS_OK)
		rc = finish(http, &ep, root, a, buf_cstr(&redirect), buf_cstr(&code),
		            buf_cstr(&realm), tokens, tenants, n, err);
	http_client_free(http);
	secret_buf_wipe(&code);
	buf_free(&redirect);
	buf_free(&realm);
	return rc;
}

int qbo_authorize_start(const char *base_url, const char *client_id, const char *redirect_uri,
                        const char *state, struct buf *url, struct bs_error *err)
{
	struct oauth2_endpoints ep;
	char root[OAUTH2_URL_MAX];
	int rc = qbo_endpoints(base_url, &ep, root, sizeof(root), err);

	if (rc == BS_OK &&
	    oauth2_authorize_url(&ep, client_id, redirect_uri, NULL, state, url) != BS_OK)
		rc = bs_error_set(err, BS_ETOOBIG, "the authorize URL is too long");
	return rc;
}

int qbo_authorize_finish(const struct ledger_auth *a, const char *redirect_uri, const char *code,
                         const char *extra, struct ledger_tokens *tokens,
                         struct ledger_tenant **tenants, size_t *n, struct bs_error *err)
{
	struct oauth2_endpoints ep;
	struct http_client *http = NULL;
	char root[OAUTH2_URL_MAX];
	int rc;

	*tenants = NULL;
	*n = 0;
	rc = qbo_endpoints(a->base_url, &ep, root, sizeof(root), err);
	if (rc == BS_OK)
		rc = http_client_new(&http, err);
	if (rc == BS_OK)
		rc = finish(http, &ep, root, a, redirect_uri, code, extra, tokens, tenants, n, err);
	http_client_free(http);
	return rc;
}
