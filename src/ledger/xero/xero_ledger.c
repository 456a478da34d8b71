/*
 * xero_ledger.c - Xero as a struct ledger_ops (see ledger.h, xero.h).
 *
 * Thin adapters: the engine's struct ledger_conn is a struct xero_conn,
 * and a document's Status text becomes an enum ledger_doc_status here so
 * nothing past the connector compares Xero's words.
 */
#include "ledger/xero/xero.h"

#include "ledger/xero/oauth.h"

#include <stdio.h>

#include <string.h>

static const struct ledger_caps caps = {
    .unit_price_dp = 4,
    .amount_dp = 2,
    .batch_max = 50,
    .bytes_max = (size_t)3500 * 1000,
    .per_minute = 60,
    .per_day = 5000,
    .concurrent = 5,
    .app_per_minute = 10000,
    .tax_sales = "OUTPUT2",
    .tax_purchases = "INPUT2",
    .tax_none = "NONE",
    .payments_editable = false,
    .allocations_editable = false,
    .doc_number_max = 255, /* InvoiceNumber, PurchaseOrderNumber (docs/mapping-xero.md) */
    .po_billable = true,
    .po_upload_default = true,
    .display_name = "Xero",
    .tax_rounding = LEDGER_TAX_PER_LINE, /* LineAmountTypes: tax per line */
};

static struct xero_conn *xc(struct ledger_conn *c)
{
	return (struct xero_conn *)(void *)c;
}

static int conn_new(const struct ledger_conn_config *cfg, struct ledger_conn **out,
                    struct bs_error *err)
{
	struct xero_conn_config x = {cfg->api_base, cfg->tenant_id, cfg->access_token,
	                             cfg->timeout_ms};
	struct xero_conn *conn = NULL;
	int rc = xero_conn_new(&x, &conn, err);

	*out = (struct ledger_conn *)(void *)conn;
	return rc;
}

static void conn_free(struct ledger_conn *c)
{
	xero_conn_free(xc(c));
}

static int set_token(struct ledger_conn *c, const char *access_token)
{
	return xero_conn_set_token(xc(c), access_token);
}

static int push(struct ledger_conn *c, enum ledger_doc_type type, struct ledger_elem *elems,
                size_t n, const char *key, ledger_resolve_fn resolve, void *arg,
                struct ledger_call *call, struct bs_error *err)
{
	return xero_push(xc(c), type, elems, n, key, resolve, arg, call, err);
}

static int lookup_many(struct ledger_conn *c, enum ledger_doc_type type, struct ledger_elem *elems,
                       size_t n, ledger_resolve_fn resolve, void *arg, bool *found,
                       struct ledger_call *call, struct bs_error *err)
{
	return xero_lookup_many(xc(c), type, elems, n, resolve, arg, found, call, err);
}

static int allocations(struct ledger_conn *c, const char *credit_note_id,
                       struct ledger_allocation **out, size_t *n, struct ledger_call *call,
                       struct bs_error *err)
{
	return xero_credit_note_allocations(xc(c), credit_note_id, out, n, call, err);
}

static int doc_status(struct ledger_conn *c, enum ledger_doc_type type, const char *id,
                      enum ledger_doc_status *out, struct ledger_call *call, struct bs_error *err)
{
	char status[32];
	int rc = xero_doc_status(xc(c), type, id, status, call, err);

	if (rc == BS_OK)
		*out = strcmp(status, "VOIDED") == 0    ? LEDGER_DOC_VOIDED
		       : strcmp(status, "DELETED") == 0 ? LEDGER_DOC_DELETED
		                                        : LEDGER_DOC_LIVE;
	return rc;
}

static int get(struct ledger_conn *c, const char *path, struct buf *body, struct ledger_call *call,
               struct bs_error *err)
{
	return xero_get(xc(c), path, body, call, err);
}

static int payments_get(struct ledger_conn *c, int64_t since_ms, int64_t page, struct buf *body,
                        struct ledger_call *call, struct bs_error *err)
{
	return xero_payments_get(xc(c), since_ms, page, body, call, err);
}

static int api_root(const char *base_url, char *out, size_t cap, struct bs_error *err)
{
	struct xero_endpoints ep;
	int rc = xero_endpoints_init(&ep, base_url != NULL && base_url[0] ? base_url : NULL, err);

	if (rc == BS_OK && (size_t)snprintf(out, cap, "%s", ep.api_base) >= cap)
		rc = bs_error_set(err, BS_EINVAL, "the API root is too long");
	return rc;
}

static int refresh(struct http_client *http, const char *base_url, const char *client_id,
                   const char *client_secret, const char *refresh_token, int64_t now_ms,
                   struct ledger_tokens *out, struct bs_error *err)
{
	struct xero_endpoints ep;
	int rc = xero_endpoints_init(&ep, base_url != NULL && base_url[0] ? base_url : NULL, err);

	if (rc == BS_OK)
		rc = oauth2_refresh(http, &ep.oauth, client_id, client_secret, refresh_token,
		                    now_ms, out, err);
	return rc;
}

static int revoke(struct http_client *http, const char *base_url, const char *client_id,
                  const char *client_secret, const char *tenant_id,
                  const struct ledger_tokens *tokens, struct bs_error *err)
{
	struct xero_endpoints ep;
	int rc = xero_endpoints_init(&ep, base_url != NULL && base_url[0] ? base_url : NULL, err);

	(void)client_id;
	(void)client_secret;
	if (rc == BS_OK)
		rc = xero_oauth_disconnect(http, &ep, tokens->access_token, tenant_id, err);
	return rc;
}

const struct ledger_ops xero_ledger = {
    .name = "xero",
    .caps = &caps,
    .conn_new = conn_new,
    .conn_free = conn_free,
    .set_token = set_token,
    .map_element = xero_map_element,
    .parse_response = xero_parse_response,
    .push = push,
    .lookup_many = lookup_many,
    .lookup_keyed = xero_lookup_keyed,
    .allocations = allocations,
    .doc_status = doc_status,
    .get = get,
    .payments_get = payments_get,
    .payments_parse = xero_payments_parse,
    .read = xero_read,
    .read_contacts_since = xero_read_contacts_since,
    .authorize = xero_authorize,
    .redirect_extra = NULL,
    .authorize_start = xero_authorize_start,
    .authorize_finish = xero_authorize_finish,
    .api_root = api_root,
    .refresh_due = oauth2_refresh_due,
    .refresh = refresh,
    .revoke = revoke,
};
