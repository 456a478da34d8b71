/*
 * xero.h - the Xero Accounting API connector.
 *
 * Turns ledger-neutral documents (ledger/ledger.h) into Xero payloads,
 * sends them in batches with an Idempotency-Key and summarizeErrors=false,
 * and hands back what Xero said about each element: its id, number and
 * Total, or its validation errors and warnings.  It also looks documents up
 * by natural key (for crash recovery) and reads the organisation's chart,
 * tax rates, contacts and items (for connect).
 *
 * The connector never touches the store: credentials and a symbol resolver
 * come in, results and rate-limit figures go out, the caller persists.
 * One struct xero_conn per thread (it owns one HTTP client).
 */
#ifndef BS_LEDGER_XERO_XERO_H
#define BS_LEDGER_XERO_XERO_H

#include "core/buf.h"
#include "core/error.h"
#include "ledger/ledger.h"

#include <stdbool.h>
#include <stdint.h>

struct json_object;
struct xero_conn;

/*
 * Xero as a connector (ledger.h): xero_ledger.c wraps the calls below; its
 * struct ledger_conn is a struct xero_conn.  Capabilities: 4-dp unit
 * prices, 2-dp amounts, 50 documents and 3.5 MB a call, 60 calls a minute,
 * 5,000 a day, 5 at once, 10,000 a minute app-wide (docs/mapping-xero.md §1-2), tax
 * types OUTPUT2 / INPUT2 / NONE; payments and allocations cannot be edited.
 */
extern const struct ledger_ops xero_ledger;

/* ledger_ops.read for Xero (xero_read.c): the organisation's reads, each
 * element parsed into a struct ledger_entity. */
/* ledger_ops.authorize for Xero (xero_auth.c). */
int xero_authorize(const struct ledger_auth *a, struct ledger_tokens *tokens,
                   struct ledger_tenant **tenants, size_t *n, struct bs_error *err);
/* ledger_ops.authorize_start and authorize_finish (xero_auth.c). */
int xero_authorize_start(const char *base_url, const char *client_id, const char *redirect_uri,
                         const char *state, struct buf *url, struct bs_error *err);
int xero_authorize_finish(const struct ledger_auth *a, const char *redirect_uri, const char *code,
                          const char *extra, struct ledger_tokens *tokens,
                          struct ledger_tenant **tenants, size_t *n, struct bs_error *err);

int xero_read(enum ledger_read what, ledger_get_fn get, void *garg, ledger_entity_fn each,
              void *arg, struct bs_error *err);
/* ledger_ops.read_contacts_since for Xero (xero_read.c): GET /Contacts
 * with where=UpdatedDateUTC>=DateTime(...), every page. */
int xero_read_contacts_since(int64_t since_ms, ledger_get_fn get, void *garg, ledger_entity_fn each,
                             void *arg, struct bs_error *err);

struct xero_conn_config {
	const char *api_base;     /* ".../api.xro/2.0" (xero_endpoints.api_base) */
	const char *tenant_id;    /* xero-tenant-id of every call */
	const char *access_token; /* bearer token; replace with xero_conn_set_token */
	long timeout_ms;          /* per call; 0 = 30 s */
};

/* Strings are copied.  *out is freed with xero_conn_free. */
int xero_conn_new(const struct xero_conn_config *cfg, struct xero_conn **out, struct bs_error *err);
void xero_conn_free(struct xero_conn *x);
int xero_conn_set_token(struct xero_conn *x, const char *access_token);

/*
 * Append the Xero element for `doc` (a ledger-neutral document of `type`)
 * to out, resolving symbols with resolve(arg, ...).  Pure: no I/O.
 * BS_ENOTFOUND when a symbol is not posted (message names it), BS_EINVAL
 * for a document that is not of the documented shape.
 */
int xero_map_element(enum ledger_doc_type type, struct json_object *doc, const char *ledger_id,
                     ledger_resolve_fn resolve, void *arg, struct buf *out, struct bs_error *err);

/*
 * The whole request body for a batch ({"Invoices":[...]}) into out, and the
 * method + path (with query) into path ("PUT", "/Invoices?summarizeErrors=
 * false&unitdp=4").  Allocations go one credit note per call: every element
 * must name the same credit note.  Pure.
 */
int xero_build_request(enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
                       ledger_resolve_fn resolve, void *arg, const char **method, struct buf *path,
                       struct buf *out, struct bs_error *err);

/*
 * Read Xero's answer to a batch into elems[]: elements come back in the
 * order sent.  Pure.  BS_EPROTO when the body is not what Xero sends.
 */
int xero_parse_response(enum ledger_doc_type type, const char *body, size_t len,
                        struct ledger_elem *elems, size_t n, struct bs_error *err);

/*
 * Send a batch.  BS_OK: Xero answered for every element (see elems[].status).
 * BS_ELIMIT: 429 (call->retry_after_s).  BS_ENET: no answer — the outcome is
 * unknown, the caller must look up before re-sending anything but the same
 * request with the same key.  BS_EAUTH: 401/403.  BS_EPROTO: 5xx or an
 * answer we cannot read; BS_EINVAL: a 400 for the whole request.
 */
int xero_push(struct xero_conn *x, enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
              const char *idempotency_key, ledger_resolve_fn resolve, void *arg,
              struct ledger_call *call, struct bs_error *err);

/*
 * Look a document up by its natural key (docs/exactly-once.md "Natural keys"):
 * contact by name, item by code, invoice / credit note / PO by number,
 * payment by document + reference, journal by narration, bank transaction
 * by reference.  BS_OK and *found with id/number/total filled in `e`.
 */
int xero_lookup(struct xero_conn *x, enum ledger_doc_type type, struct ledger_elem *e,
                ledger_resolve_fn resolve, void *arg, bool *found, struct ledger_call *call,
                struct bs_error *err);

/*
 * xero_lookup for a whole batch in one call (a where= of every key, OR-ed):
 * found[i] says whether elems[i] is in the ledger (then its id, number and
 * total are filled).  BS_EUNSUPPORTED when no element has a natural key.
 */
int xero_lookup_many(struct xero_conn *x, enum ledger_doc_type type, struct ledger_elem *elems,
                     size_t n, ledger_resolve_fn resolve, void *arg, bool *found,
                     struct ledger_call *call, struct bs_error *err);

/*
 * How many of elems[0..n) have a natural key xero_lookup_many can ask
 * about (a NULL doc has none).  0: a lookup would send nothing and answer
 * BS_EUNSUPPORTED, so do not make one.  Pure.
 */
size_t xero_lookup_keyed(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n);

/*
 * The allocations credit note `credit_note_id` holds (GET /CreditNotes/{id}),
 * deleted ones left out, in the ledger's order: *out is malloc'd (NULL
 * when there are none; the caller frees it), *n of them.  Xero gives an
 * allocation no reference of its own: credit note + invoice + amount is
 * all a caller can compare (docs/exactly-once.md "Natural keys").  Same errors
 * as xero_get.
 */
int xero_credit_note_allocations(struct xero_conn *x, const char *credit_note_id,
                                 struct ledger_allocation **out, size_t *n,
                                 struct ledger_call *call, struct bs_error *err);

/* The Status of document `id` of `type` ("VOIDED", "AUTHORISED", ...) into
 * status[32].  BS_ENOTFOUND when Xero does not know it. */
int xero_doc_status(struct xero_conn *x, enum ledger_doc_type type, const char *id, char *status,
                    struct ledger_call *call, struct bs_error *err);

/* GET path (with query) under the API base into body.  Same errors as push. */
int xero_get(struct xero_conn *x, const char *path, struct buf *body, struct ledger_call *call,
             struct bs_error *err);

/* xero_get with an If-Modified-Since header of `since` (Xero's form,
 * "YYYY-MM-DDTHH:MM:SS.fff", UTC; NULL: none): a list then holds only
 * what changed after it. */
int xero_get_since(struct xero_conn *x, const char *path, const char *since, struct buf *body,
                   struct ledger_call *call, struct bs_error *err);

/* ledger_ops.payments_get and payments_parse (xero_pay.c). */
int xero_payments_get(struct xero_conn *x, int64_t since_ms, int64_t page, struct buf *body,
                      struct ledger_call *call, struct bs_error *err);
int xero_payments_parse(int64_t since_ms, int64_t page, const char *body, size_t len,
                        ledger_payment_fn each, void *arg, struct ledger_pay_page *pg,
                        struct bs_error *err);

#endif
