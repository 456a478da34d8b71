/*
 * qbo_int.h - internals of the QuickBooks Online connector (src/ledger/qbo/).
 *
 * The connector is two halves that meet here:
 *
 *   wire     qbo_conn.c     one HTTP client per connection: the bearer token,
 *                           the realm, requestid, Fault and 429 reading, the
 *                           figures of each call (struct ledger_call)
 *            qbo_auth.c     OAuth2 (authorize with realmId, refresh, revoke)
 *            qbo_read.c     connect's reads (CompanyInfo, Account, TaxCode, ...)
 *   paper    qbo_map*.c     ledger-neutral document -> QBO entity JSON (pure)
 *            qbo_parse.c    BatchItemResponse / QueryResponse -> ledger_elem (pure)
 *            qbo_push.c     batches of 30 on /batch, lookups by natural key,
 *                           SyncTokens for updates, document status
 *
 * qbo_ledger.c puts them together as `qbo_ledger` (struct ledger_ops).
 *
 * Accounts and tax codes: the engine's documents name them by code (an
 * account's AcctNum, a tax code's Name), QBO by Id.  Connect saves the chart
 * and tax codes with their ids (settings chart:<target>, taxrates:<target>);
 * the connection gets them through struct ledger_conn_config and builds a
 * struct qbo_refs.  The pure mapper asks for ids through the ordinary
 * resolver with the symbols "Account:<code>" and "TaxCode:<code>"; qbo_push
 * wraps the engine's resolver with one that answers those from the refs, so
 * mapping stays pure and testable with a table resolver.
 */
#ifndef BS_LEDGER_QBO_QBO_INT_H
#define BS_LEDGER_QBO_QBO_INT_H

#include "core/buf.h"
#include "core/error.h"
#include "ledger/ledger.h"

#include <stdbool.h>
#include <stddef.h>

struct json_object;
struct qbo_conn;
struct qbo_refs;

/* Symbol prefixes the mapper resolves accounts and tax codes with. */
#define QBO_SYM_ACCOUNT "Account:"
#define QBO_SYM_TAXCODE "TaxCode:"

/* QBO's bounds (docs/mapping-qbo.md). */
#define QBO_DOCNUMBER_MAX   21
#define QBO_PRIVATENOTE_MAX 4000
#define QBO_BATCH_MAX       30

/* ---- wire (qbo_conn.c) --------------------------------------------------- */

/*
 * One call to the company's API: method ("GET", "POST") and path under
 * /v3/company/<realm> with its query ("/batch?requestid=K&minorversion=75",
 * "/query?query=..."), body NULL for a GET.  The answer's body into out
 * (whatever the status), the call's figures into *call.  BS_OK for 2xx and
 * for a 400 whose body is a Fault (the caller reads it); BS_ELIMIT a 429
 * (call->retry_after_s: 60 when QBO says nothing); BS_EAUTH 401/403; BS_ENET
 * no answer; BS_EPROTO 5xx or a body that is not QBO's.
 */
int qbo_call(struct qbo_conn *q, const char *method, const char *path, const char *body,
             struct buf *out, struct ledger_call *call, struct bs_error *err);

/* The account and tax code ids of the connection (never NULL; empty when
 * connect has not read them). */
const struct qbo_refs *qbo_conn_refs(const struct qbo_conn *q);

/* The path of a query: "/query?query=" + stmt URL-encoded + the minor
 * version (qbo_push.c). */
int qbo_query_path(struct buf *path, const char *stmt);
/* v as a query's string literal, ' and \ escaped by a backslash (QBO's
 * query grammar), appended to q (qbo_batch.c). */
int qbo_quoted(struct buf *q, const char *v);

/* ---- refs (qbo_refs.c) ---------------------------------------------------- */

/* From the JSON arrays connect saved ([{"code","id",...}], either NULL). */
int qbo_refs_new(const char *chart_json, const char *tax_json, struct qbo_refs **out,
                 struct bs_error *err);
void qbo_refs_free(struct qbo_refs *r);

/* Resolve "Account:<code>" / "TaxCode:<code>" into id[LEDGER_ID_MAX]:
 * BS_OK, BS_ENOTFOUND (no such code), BS_EINVAL (not such a symbol). */
int qbo_refs_resolve(const struct qbo_refs *r, const char *symbol, char *id);

/* ---- paper (pure) ---------------------------------------------------------- */

/* The QBO entity a document becomes: "Customer", "Vendor", "Item",
 * "Invoice", "CreditMemo", "Bill", "VendorCredit", "PurchaseOrder",
 * "Payment", "BillPayment", "JournalEntry", "Deposit", "Purchase", ...;
 * NULL for a document of no known shape. */
const char *qbo_entity_of(enum ledger_doc_type type, struct json_object *doc);

/* ledger_ops.map_element for QBO: the entity object (without its wrapper)
 * into out.  sync_token: the entity's SyncToken for an update or void,
 * NULL for a create. */
int qbo_map_element(enum ledger_doc_type type, struct json_object *doc, const char *ledger_id,
                    const char *sync_token, ledger_resolve_fn resolve, void *arg, struct buf *out,
                    struct bs_error *err);

/* ledger_ops.parse_response for QBO: a /batch answer, BatchItemResponse
 * matched to elems[] by bId ("0".."n-1"). */
int qbo_parse_response(enum ledger_doc_type type, const char *body, size_t len,
                       struct ledger_elem *elems, size_t n, struct bs_error *err);

/* ---- push (qbo_push.c), wrapped by qbo_ledger.c ---------------------------- */

int qbo_push(struct qbo_conn *q, enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
             const char *idempotency_key, ledger_resolve_fn resolve, void *arg,
             struct ledger_call *call, struct bs_error *err);
int qbo_lookup_many(struct qbo_conn *q, enum ledger_doc_type type, struct ledger_elem *elems,
                    size_t n, ledger_resolve_fn resolve, void *arg, bool *found,
                    struct ledger_call *call, struct bs_error *err);
size_t qbo_lookup_keyed(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n);
/* ledger_ops.prepare_needed / prepare: the SyncTokens of updates and voids
 * into elems[].version (one /query per entity). */
bool qbo_prepare_needed(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n);
int qbo_prepare(struct qbo_conn *q, enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
                struct ledger_call *call, struct bs_error *err);
int qbo_allocations(struct qbo_conn *q, const char *credit_note_id, struct ledger_allocation **out,
                    size_t *n, struct ledger_call *call, struct bs_error *err);
/*
 * A contact or item refused as a duplicate name (6240) whose twin in the
 * same list is inactive (made inactive by hand: QBO's "delete" of a name
 * list entry keeps the name taken): make the twin active again with a
 * sparse update and take it as e's document (e->id, e->status BS_OK, the
 * refusal cleared), so the record links to it instead of failing
 * (docs/mapping-qbo.md "Inactive names").  BS_ENOTFOUND when there is no
 * inactive twin (e untouched); a call's error otherwise.  Up to two calls,
 * their figures added into *call (qbo_reactivate.c).
 */
int qbo_reactivate(struct qbo_conn *q, enum ledger_doc_type type, struct ledger_elem *e,
                   struct ledger_call *call, struct bs_error *err);
int qbo_doc_status(struct qbo_conn *q, enum ledger_doc_type type, const char *id,
                   enum ledger_doc_status *out, struct ledger_call *call, struct bs_error *err);

#endif
