/*
 * qbo.h - the QuickBooks Online connector as the engine finds it
 * (`qbo_ledger`, registered in src/ledger/registry.c), and what its wire
 * half gives qbo_ledger.c beside qbo_int.h: the connection's life, the
 * OAuth2 hosts, connect's reads.  docs/connect-qbo.md tells the story.
 */
#ifndef BS_LEDGER_QBO_QBO_H
#define BS_LEDGER_QBO_QBO_H

#include "core/buf.h"
#include "core/error.h"
#include "http/client.h"
#include "ledger/ledger.h"
#include "ledger/oauth2/oauth2.h"

#include <stdbool.h>
#include <stdint.h>

extern const struct ledger_ops qbo_ledger;

struct qbo_conn;

/* The accounting scope: all booksync needs of a company. */
#define QBO_SCOPES "com.intuit.quickbooks.accounting"

/* The schema revision every call asks for (Intuit's default since 2025). */
#define QBO_MINORVERSION "75"

/* Seconds to wait on a throttle answer that does not say (Intuit says nothing). */
#define QBO_RETRY_AFTER_S 60

#define QBO_REALM_MAX 64

/*
 * A connection to one company: cfg->api_base (qbo_api_root's answer),
 * cfg->tenant_id the realmId, cfg->access_token, cfg->chart / tax_rates
 * for the account and tax code ids (qbo_refs).  Strings are copied; free
 * with qbo_conn_free.  BS_EINVAL no realm, or chart / tax JSON that is not
 * an array; BS_ENOMEM.
 */
int qbo_conn_new(const struct ledger_conn_config *cfg, struct qbo_conn **out, struct bs_error *err);
void qbo_conn_free(struct qbo_conn *q);
int qbo_conn_set_token(struct qbo_conn *q, const char *access_token);

/* ledger_ops.get: GET path under the company (/v3/company/<realm>). */
int qbo_get(struct qbo_conn *q, const char *path, struct buf *body, struct ledger_call *call,
            struct bs_error *err);

/*
 * Where Intuit (base_url NULL or "") or a one-host sandbox answers:
 *   real:  https://appcenter.intuit.com/connect/oauth2,
 *          https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer,
 *          https://developer.api.intuit.com/v2/oauth2/tokens/revoke,
 *          API root https://quickbooks.api.intuit.com/v3/company
 *   base:  BASE/connect/oauth2, BASE/oauth2/v1/tokens/bearer,
 *          BASE/oauth2/v1/tokens/revoke, BASE/v3/company
 * api_root may be NULL.  BS_EINVAL a bad base URL.
 */
int qbo_endpoints(const char *base_url, struct oauth2_endpoints *ep, char *api_root, size_t cap,
                  struct bs_error *err);

/* ledger_ops.authorize, api_root, refresh (qbo_auth.c). */
int qbo_authorize(const struct ledger_auth *a, struct ledger_tokens *tokens,
                  struct ledger_tenant **tenants, size_t *n, struct bs_error *err);
/* ledger_ops.authorize_start and authorize_finish (qbo_auth.c). */
int qbo_authorize_start(const char *base_url, const char *client_id, const char *redirect_uri,
                        const char *state, struct buf *url, struct bs_error *err);
int qbo_authorize_finish(const struct ledger_auth *a, const char *redirect_uri, const char *code,
                         const char *extra, struct ledger_tokens *tokens,
                         struct ledger_tenant **tenants, size_t *n, struct bs_error *err);
int qbo_api_root(const char *base_url, char *api_root, size_t cap, struct bs_error *err);
int qbo_refresh(struct http_client *http, const char *base_url, const char *client_id,
                const char *client_secret, const char *refresh_token, int64_t now_ms,
                struct ledger_tokens *out, struct bs_error *err);

/* Revoke a token (the refresh token ends the grant): oauth2_revoke on
 * Intuit's (or the sandbox's) revoke URL. */
int qbo_revoke(struct http_client *http, const char *base_url, const char *client_id,
               const char *client_secret, const char *token, struct bs_error *err);

/* ledger_ops.read (qbo_read.c). */
int qbo_read_company(enum ledger_read what, ledger_get_fn get, void *garg, ledger_entity_fn each,
                     void *arg, struct bs_error *err);
/* ledger_ops.read_contacts_since for QBO (qbo_read.c): the Customer and
 * Vendor queries with `where MetaData.LastUpdatedTime >= '...'`. */
int qbo_read_contacts_since(int64_t since_ms, ledger_get_fn get, void *garg, ledger_entity_fn each,
                            void *arg, struct bs_error *err);

/*
 * Pure: what a QBO answer of `status` with `body` means (qbo_call's
 * verdict, public for tests).  Fills call->http_status (429 for a throttle
 * Fault whatever its status) and call->retry_after_s (retry_after_s when
 * >= 0, else QBO_RETRY_AFTER_S on a throttle).  Returns as qbo_call.
 */
int qbo_judge(long status, const char *body, size_t len, int64_t retry_after_s,
              struct ledger_call *call, struct bs_error *err);

/* ledger_ops.payments_get and payments_parse (qbo_pay_in.c). */
int qbo_payments_get(struct qbo_conn *q, int64_t since_ms, int64_t page, struct buf *body,
                     struct ledger_call *call, struct bs_error *err);
int qbo_payments_parse(int64_t since_ms, int64_t page, const char *body, size_t len,
                       ledger_payment_fn each, void *arg, struct ledger_pay_page *pg,
                       struct bs_error *err);

#endif
