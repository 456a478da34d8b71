/*
 * oauth.c - Xero's own part of OAuth 2.0 (see oauth.h): its endpoints and
 * the tenant list.  The token endpoint and the browser leg are
 * src/ledger/oauth2/.  The buffer that held the bearer token is wiped
 * before it is freed.
 */
#include "ledger/xero/oauth.h"

#include "core/secret.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONN_REPLY_MAX ((size_t)4 << 20)

/* ------------------------------------------------------------- endpoints */

int xero_endpoints_init(struct xero_endpoints *ep, const char *base_url, struct bs_error *err)
{
	size_t blen;
	int rc;

	memset(ep, 0, sizeof(*ep));
	snprintf(ep->oauth.scopes, sizeof(ep->oauth.scopes), "%s", XERO_SCOPES_DEFAULT);
	if (base_url == NULL || base_url[0] == '\0') {
		static const char *const real[4] = {
		    "https://login.xero.com/identity/connect/authorize",
		    "https://identity.xero.com/connect/token", "https://api.xero.com/connections",
		    "https://api.xero.com/api.xro/2.0"};
		char *dst[4] = {ep->oauth.authorize_url, ep->oauth.token_url, ep->connections_url,
		                ep->api_base};

		for (int i = 0; i < 4; i++)
			oauth2_url_join(dst[i], real[i], strlen(real[i]), "", NULL);
		return BS_OK;
	}
	rc = oauth2_base_check(base_url, &blen, err);
	if (rc == BS_OK)
		rc = oauth2_url_join(ep->oauth.authorize_url, base_url, blen,
		                     "/identity/connect/authorize", err);
	if (rc == BS_OK)
		rc = oauth2_url_join(ep->oauth.token_url, base_url, blen, "/connect/token", err);
	if (rc == BS_OK)
		rc = oauth2_url_join(ep->connections_url, base_url, blen, "/connections", err);
	if (rc == BS_OK)
		rc = oauth2_url_join(ep->api_base, base_url, blen, "/api.xro/2.0", err);
	if (rc != BS_OK)
		memset(ep, 0, sizeof(*ep));
	return rc;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* ------------------------------------------------------------- connections */

static void copy_trunc(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int xero_oauth_connections(struct http_client *http, const struct xero_endpoints *ep,
                           const char *access_token, struct ledger_tenant **out, size_t *n,
                           struct bs_error *err)
{
	struct buf auth;
	struct http_response resp;
	struct ledger_tenant *arr = NULL;
	json_object *o = NULL;
	const char *hdrs[3];
	struct http_request req = {.method = "GET",
	                           .url = ep->connections_url,
	                           .headers = hdrs,
	                           .timeout_ms = OAUTH2_TIMEOUT_MS};
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	buf_init(&auth, XERO_ACCESS_TOKEN_MAX + 64);
	http_response_init(&resp);
	resp.body.max = CONN_REPLY_MAX;
	rc = buf_addstr(&auth, "Authorization: Bearer ");
	if (rc == BS_OK)
		rc = buf_addstr(&auth, access_token);
	if (rc != BS_OK) {
		rc = bs_error_set(err, BS_EINVAL, "access token too long");
		goto out;
	}
	hdrs[0] = buf_cstr(&auth);
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	rc = http_send(http, &req, &resp, err);
	if (rc == BS_ETOOBIG)
		rc = bs_error_set(err, BS_EPROTO, "connections: reply over %zu bytes",
		                  CONN_REPLY_MAX);
	if (rc != BS_OK)
		goto out;
	if (resp.status == 401 || resp.status == 403) {
		rc = bs_error_set(err, BS_EAUTH,
		                  "connections: HTTP %ld, the access token was refused (expired "
		                  "or revoked)",
		                  resp.status);
		goto out;
	}
	if (resp.status == 429) {
		rc = bs_error_set(err, BS_ELIMIT, "connections: rate limited (HTTP 429)");
		goto out;
	}
	if (resp.status >= 500) {
		rc = bs_error_set(err, BS_ENET, "connections: server unavailable (HTTP %ld)",
		                  resp.status);
		goto out;
	}
	if (resp.status != 200) {
		rc = bs_error_set(err, BS_EPROTO, "connections: HTTP %ld", resp.status);
		goto out;
	}
	o = json_tokener_parse(buf_cstr(&resp.body));
	if (o == NULL || !json_object_is_type(o, json_type_array)) {
		rc = bs_error_set(err, BS_EPROTO, "connections: reply is not a JSON array");
		goto out;
	}
	count = json_object_array_length(o);
	if (count > XERO_TENANTS_MAX) {
		rc = bs_error_set(err, BS_EPROTO, "connections: %zu tenants, over %d", count,
		                  XERO_TENANTS_MAX);
		goto out;
	}
	if (count > 0) {
		arr = calloc(count, sizeof(*arr));
		if (arr == NULL) {
			rc = bs_error_set(err, BS_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < count; i++) {
		json_object *c = json_object_array_get_idx(o, i);
		const char *tid = jstr(c, "tenantId");

		if (!json_object_is_type(c, json_type_object) || tid == NULL || tid[0] == '\0' ||
		    strlen(tid) >= sizeof(arr[i].tenant_id)) {
			rc = bs_error_set(err, BS_EPROTO,
			                  "connections: entry %zu has no usable tenantId", i);
			goto out;
		}
		copy_trunc(arr[i].tenant_id, sizeof(arr[i].tenant_id), tid);
		copy_trunc(arr[i].connection_id, sizeof(arr[i].connection_id), jstr(c, "id"));
		copy_trunc(arr[i].tenant_type, sizeof(arr[i].tenant_type), jstr(c, "tenantType"));
		copy_trunc(arr[i].tenant_name, sizeof(arr[i].tenant_name), jstr(c, "tenantName"));
	}
	*out = arr;
	*n = count;
	arr = NULL;
out:
	free(arr);
	json_object_put(o);
	secret_buf_wipe(&auth);
	http_response_free(&resp);
	return rc;
}

int xero_oauth_disconnect(struct http_client *http, const struct xero_endpoints *ep,
                          const char *access_token, const char *tenant_id, struct bs_error *err)
{
	struct ledger_tenant *t = NULL;
	struct buf auth, url;
	struct http_response resp;
	const char *hdrs[3];
	struct http_request req = {
	    .method = "DELETE", .headers = hdrs, .timeout_ms = OAUTH2_TIMEOUT_MS};
	size_t n = 0, i;
	int rc;

	buf_init(&auth, XERO_ACCESS_TOKEN_MAX + 64);
	buf_init(&url, 1024);
	http_response_init(&resp);
	resp.body.max = CONN_REPLY_MAX;
	rc = xero_oauth_connections(http, ep, access_token, &t, &n, err);
	if (rc != BS_OK)
		goto out;
	for (i = 0; i < n && strcmp(t[i].tenant_id, tenant_id) != 0; i++)
		;
	if (i == n || t[i].connection_id[0] == '\0')
		goto out; /* not connected any more: nothing to end */
	if (buf_printf(&url, "%s/%s", ep->connections_url, t[i].connection_id) != BS_OK ||
	    buf_printf(&auth, "Authorization: Bearer %s", access_token) != BS_OK) {
		rc = bs_error_set(err, BS_EINVAL, "access token or connection id too long");
		goto out;
	}
	hdrs[0] = buf_cstr(&auth);
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	req.url = buf_cstr(&url);
	rc = http_send(http, &req, &resp, err);
	if (rc != BS_OK)
		goto out;
	if (resp.status == 401 || resp.status == 403)
		rc =
		    bs_error_set(err, BS_EAUTH,
		                 "disconnect: HTTP %ld, the access token was refused", resp.status);
	else if (resp.status == 429)
		rc = bs_error_set(err, BS_ELIMIT, "disconnect: rate limited (HTTP 429)");
	else if (resp.status >= 500)
		rc = bs_error_set(err, BS_ENET, "disconnect: server unavailable (HTTP %ld)",
		                  resp.status);
	else if (resp.status != 204 && resp.status != 200 && resp.status != 404)
		rc = bs_error_set(err, BS_EPROTO, "disconnect: HTTP %ld", resp.status);
out:
	free(t);
	secret_buf_wipe(&auth);
	buf_free(&url);
	http_response_free(&resp);
	return rc;
}
