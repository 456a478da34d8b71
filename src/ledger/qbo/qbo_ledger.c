/*
 * qbo_ledger.c - QuickBooks Online as a struct ledger_ops (see ledger.h,
 * qbo_int.h, qbo.h).  Thin adapters: the engine's struct ledger_conn is a
 * struct qbo_conn; the wire half (qbo_conn.c, qbo_auth.c, qbo_read.c) and
 * the paper half (qbo_map*.c, qbo_parse.c, qbo_push.c ...) meet here.
 *
 * Capabilities (docs/connect-qbo.md): line amounts and totals at 2
 * decimals; unit prices at 6 although QBO keeps 7, because the engine's
 * amounts are micros; 30 documents a /batch call; 500 calls a minute, 10 in
 * flight and 40 batch calls a minute per company; no daily cap.  Tax codes
 * are those of the sandbox's default company (docs/sandbox.md): a real
 * company's come from connect's read and the tax settings.
 */
#include "ledger/qbo/qbo.h"
#include "ledger/qbo/qbo_int.h"

#include <string.h>

static const struct ledger_caps caps = {
    .unit_price_dp = 6,
    .amount_dp = 2,
    .batch_max = QBO_BATCH_MAX,
    .bytes_max = (size_t)4 << 20,
    .per_minute = 500,
    .per_day = 0,
    .concurrent = 10,
    .app_per_minute = 0,
    .tax_sales = "GST",
    .tax_purchases = "GST",
    .tax_none = "Out of Scope",
    .payments_editable = false,
    .allocations_editable = false,
    .doc_number_max = QBO_DOCNUMBER_MAX, /* the whole reference goes in PrivateNote */
    .po_billable = false,                /* a bill from a QBO purchase order is linked by hand */
    .po_upload_default = false,          /* only with upload_po_as_qbo_po */
    .display_name = "QuickBooks Online",
    .batch_per_minute = 40,
    .tax_rounding = LEDGER_TAX_PER_RATE, /* TxnTaxDetail: once per rate (docs/rounding.md) */
};

static struct qbo_conn *qc(struct ledger_conn *c)
{
	return (struct qbo_conn *)(void *)c;
}

static int conn_new(const struct ledger_conn_config *cfg, struct ledger_conn **out,
                    struct bs_error *err)
{
	struct qbo_conn *q = NULL;
	int rc = qbo_conn_new(cfg, &q, err);

	*out = (struct ledger_conn *)(void *)q;
	return rc;
}

static void conn_free(struct ledger_conn *c)
{
	qbo_conn_free(qc(c));
}

static int set_token(struct ledger_conn *c, const char *access_token)
{
	return qbo_conn_set_token(qc(c), access_token);
}

/* ledger_ops.map_element has no SyncToken: a create, or an update whose
 * token qbo_push fetches and maps itself. */
static int map_element(enum ledger_doc_type type, struct json_object *doc, const char *ledger_id,
                       ledger_resolve_fn resolve, void *arg, struct buf *out, struct bs_error *err)
{
	return qbo_map_element(type, doc, ledger_id, NULL, resolve, arg, out, err);
}

static int push(struct ledger_conn *c, enum ledger_doc_type type, struct ledger_elem *elems,
                size_t n, const char *key, ledger_resolve_fn resolve, void *arg,
                struct ledger_call *call, struct bs_error *err)
{
	return qbo_push(qc(c), type, elems, n, key, resolve, arg, call, err);
}

static int prepare(struct ledger_conn *c, enum ledger_doc_type type, struct ledger_elem *elems,
                   size_t n, struct ledger_call *call, struct bs_error *err)
{
	return qbo_prepare(qc(c), type, elems, n, call, err);
}

static int lookup_many(struct ledger_conn *c, enum ledger_doc_type type, struct ledger_elem *elems,
                       size_t n, ledger_resolve_fn resolve, void *arg, bool *found,
                       struct ledger_call *call, struct bs_error *err)
{
	return qbo_lookup_many(qc(c), type, elems, n, resolve, arg, found, call, err);
}

static int allocations(struct ledger_conn *c, const char *credit_note_id,
                       struct ledger_allocation **out, size_t *n, struct ledger_call *call,
                       struct bs_error *err)
{
	return qbo_allocations(qc(c), credit_note_id, out, n, call, err);
}

static int doc_status(struct ledger_conn *c, enum ledger_doc_type type, const char *id,
                      enum ledger_doc_status *out, struct ledger_call *call, struct bs_error *err)
{
	return qbo_doc_status(qc(c), type, id, out, call, err);
}

static int get(struct ledger_conn *c, const char *path, struct buf *body, struct ledger_call *call,
               struct bs_error *err)
{
	return qbo_get(qc(c), path, body, call, err);
}

/* A QBO grant is one company's: revoking its refresh token ends it (the
 * access token where there is no refresh token). */
static int revoke(struct http_client *http, const char *base_url, const char *client_id,
                  const char *client_secret, const char *tenant_id,
                  const struct ledger_tokens *tokens, struct bs_error *err)
{
	(void)tenant_id;
	return qbo_revoke(
	    http, base_url, client_id, client_secret,
	    tokens->refresh_token[0] != '\0' ? tokens->refresh_token : tokens->access_token, err);
}

static int payments_get(struct ledger_conn *c, int64_t since_ms, int64_t page, struct buf *body,
                        struct ledger_call *call, struct bs_error *err)
{
	return qbo_payments_get(qc(c), since_ms, page, body, call, err);
}

const struct ledger_ops qbo_ledger = {
    .name = "qbo",
    .caps = &caps,
    .conn_new = conn_new,
    .conn_free = conn_free,
    .set_token = set_token,
    .map_element = map_element,
    .parse_response = qbo_parse_response,
    .push = push,
    .prepare_needed = qbo_prepare_needed,
    .prepare = prepare,
    .lookup_many = lookup_many,
    .lookup_keyed = qbo_lookup_keyed,
    .allocations = allocations,
    .doc_status = doc_status,
    .get = get,
    .payments_get = payments_get,
    .payments_parse = qbo_payments_parse,
    .read = qbo_read_company,
    .read_contacts_since = qbo_read_contacts_since,
    .authorize = qbo_authorize,
    .redirect_extra = "realmId",
    .authorize_start = qbo_authorize_start,
    .authorize_finish = qbo_authorize_finish,
    .api_root = qbo_api_root,
    .refresh_due = oauth2_refresh_due,
    .refresh = qbo_refresh,
    .revoke = revoke,
};
