/*
 * ledger.h - the ledger-neutral document: what the planner writes to the
 * outbox and a connector (Xero, QBO) turns into its wire payload.
 *
 * A document's amounts and lines are final when planned (rounding
 * corrections included); only references to other documents stay symbolic,
 * because their ledger ids may not exist yet.  A symbol names the ledger
 * document a source record became:
 *
 *     <LedgerType>/<kind>:<id>      Contact/customer:C-1   Invoice/sale:SO-1
 *                                   Invoice/purchase:PO-7 (the bill)
 *                                   PurchaseOrder/purchase:PO-7
 *
 * The dispatcher resolves symbols through the store's links table and hands
 * connectors a resolver; connectors never touch the store.
 *
 * A connector (src/ledger/xero/, src/ledger/qbo/) is a
 * const struct ledger_ops, found by name with ledger_find, in the spirit
 * of curl's Curl_handler: its capabilities as data (struct ledger_caps) and
 * the operations the engine needs as function pointers.  The engine sees
 * only this header: per-call figures (struct ledger_call), per-element
 * verdicts (struct ledger_elem) with a refusal class the dispatcher
 * branches on (enum ledger_refusal) -- never the ledger's message text.
 *
 * Body (JSON object, amounts as decimal text at their final precision):
 *   common      type (ledger_doc_type name), op ("create"|"update"|"void"),
 *               self (symbol), date
 *   Contact     name, email, phone, tax_number, currency,
 *               address {line1,line2,city,region,postcode,country}
 *   Item        code, name, description, sales_account, purchase_account,
 *               default_sales_account (when the product names none)
 *   Invoice, CreditNote, PurchaseOrder
 *               subtype ("sales"|"purchases"), contact (symbol), number
 *               (for bills and purchase orders cut to caps.doc_number_max),
 *               reference (whole: a bill's is supplier invoice number +
 *               " / " + the purchase's reference; a ledger with no room
 *               for it in the number keeps it in a note), due_date, delivery_date, currency,
 * currency_rate, status, amounts ("exclusive"|"inclusive"|"none"), lines [{description, quantity,
 * unit_amount, discount_rate, account, tax_type, item_code, tracking {name: option}}],
 *               expected_total, purchase_order (symbol; a bill from a PO)
 *   Payment     document (symbol of an Invoice or CreditNote), contact
 *               (symbol: the document's customer or supplier), account,
 *               amount, currency_rate, reference
 *   Allocation  credit_note (symbol), invoice (symbol), contact (symbol),
 *               amount
 *   ManualJournal  narration, lines [{account, amount (+debit/-credit),
 *               description, tax_type}]
 *   BankTransaction  direction ("receive"|"spend"), contact (symbol) or
 *               contact_name, bank_account, reference, currency, amounts,
 *               lines [{description, account, amount, tax_type}]
 */
#ifndef BS_LEDGER_LEDGER_H
#define BS_LEDGER_LEDGER_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/* Document types in dependency order: a type only refers to earlier ones
 * (a Payment to an Invoice, an Allocation to both), so posting in this
 * order never waits on something later. */
enum ledger_doc_type {
	LEDGER_CONTACT,
	LEDGER_ITEM,
	LEDGER_PURCHASE_ORDER,
	LEDGER_INVOICE,
	LEDGER_CREDIT_NOTE,
	LEDGER_MANUAL_JOURNAL,
	LEDGER_BANK_TRANSACTION,
	LEDGER_PAYMENT,
	LEDGER_ALLOCATION,
	LEDGER_DOC_TYPE_COUNT
};

#define LEDGER_ID_MAX     64  /* ledger ids are GUIDs (36) or short numbers */
#define LEDGER_SYMBOL_MAX 160 /* "PurchaseOrder/" + kind + ":" + 64-byte id */

/* "Contact", "Invoice", ... (also the symbol prefix). */
const char *ledger_doc_type_name(enum ledger_doc_type t);

/* Parse a type name into *out: BS_OK, or BS_EINVAL when unknown (*out
 * untouched). */
int ledger_doc_type_from_name(const char *name, size_t n, enum ledger_doc_type *out);

/*
 * Why the ledger refused one element, classed by the connector (which alone
 * knows its ledger's codes and words).  The dispatcher acts on the class;
 * the message is for people.
 */
enum ledger_refusal {
	LEDGER_REFUSAL_NONE,          /* accepted */
	LEDGER_REFUSAL_INVALID,       /* the document is wrong: fix the source */
	LEDGER_REFUSAL_DUPLICATE,     /* its natural key is taken (name, number) */
	LEDGER_REFUSAL_LOCKED_PERIOD, /* its date is before a lock date */
	LEDGER_REFUSAL_STALE,         /* changed in the ledger since it was read */
	LEDGER_REFUSAL_NOT_FOUND,     /* the document or one it names is not there */
	LEDGER_REFUSAL_WRONG_STATUS,  /* not editable in its status (voided, deleted, paid) */
	LEDGER_REFUSAL_RATE_LIMITED,  /* refused for the rate, not the content */
	LEDGER_REFUSAL_NO_ID,         /* "accepted" without an id: not trusted */
	LEDGER_REFUSAL_COUNT
};

/* "invalid", "duplicate", ... for logs and tests. */
const char *ledger_refusal_name(enum ledger_refusal r);

/* A document's status in the ledger, as far as the engine cares. */
enum ledger_doc_status {
	LEDGER_DOC_LIVE,    /* draft, submitted, authorised, paid ... */
	LEDGER_DOC_VOIDED,  /* voided: kept, but counts for nothing */
	LEDGER_DOC_DELETED, /* deleted (a draft, a payment) */
};

/* What one call told us about the rate limits; -1 = absent. */
struct ledger_call {
	long http_status;          /* 0 when no answer arrived */
	long retry_after_s;        /* on 429 */
	int64_t min_remaining;     /* calls left this minute */
	int64_t day_remaining;     /* calls left today */
	int64_t app_min_remaining; /* calls left this minute, app-wide */
	char problem[32];          /* which limit was hit, in the ledger's word */
	size_t request_bytes;
	bool stale_conn; /* no answer: see http_response.stale_conn */
};

/* A ledger_call with every figure absent. */
void ledger_call_init(struct ledger_call *c);

/* One document of a batch: the doc in, the ledger's verdict out. */
struct ledger_elem {
	struct json_object *doc; /* in: the ledger-neutral document (borrowed) */
	const char *ledger_id;   /* in: linked id for op update/void, else NULL */
	/* in: the linked document's version the ledger wants with a change
	 * (QBO's SyncToken), read by ops->prepare; "" when not read */
	char version[LEDGER_ID_MAX];
	/* out */
	int status;                  /* BS_OK accepted; BS_EINVAL refused (message says why) */
	enum ledger_refusal refusal; /* why refused; LEDGER_REFUSAL_NONE when accepted */
	bool warned;                 /* accepted with warnings: failed (docs/exactly-once.md) */
	char id[LEDGER_ID_MAX];      /* ledger id ("" when refused) */
	char number[256];            /* the document's number in the ledger, or "" */
	bool has_total;
	int64_t total;      /* the ledger's total, micros */
	struct buf message; /* the ledger's errors and warnings, "; "-joined */
};

void ledger_elem_init(struct ledger_elem *e);
void ledger_elem_release(struct ledger_elem *e);

/* One allocation of a credit note, as the ledger holds it. */
struct ledger_allocation {
	char id[LEDGER_ID_MAX];         /* the ledger's id of the allocation */
	char invoice_id[LEDGER_ID_MAX]; /* the invoice it credits */
	int64_t amount;                 /* micros */
};

/*
 * Resolve a symbol ("Contact/customer:C-1") to its ledger id, written into
 * id[LEDGER_ID_MAX].  Return BS_OK, or BS_ENOTFOUND when it is not posted.
 */
typedef int (*ledger_resolve_fn)(void *arg, const char *symbol, char *id);

#define LEDGER_TAX_CODE_MAX 32

/* Where a ledger rounds tax (docs/rounding.md "Tax rounding"); zero =
 * per line, so caps that do not say keep Xero's arithmetic. */
enum ledger_tax_rounding {
	LEDGER_TAX_PER_LINE = 0, /* each line's tax at amount_dp, summed (Xero) */
	LEDGER_TAX_PER_RATE,     /* per tax rate over the whole document, once (QBO
	                            TxnTaxDetail) */
};

/*
 * What a ledger can do, as data: the planner takes its precisions and tax
 * codes from here, the dispatcher its batch bounds and what it may edit,
 * the governor its default limits (limits.* settings override them).
 */
struct ledger_caps {
	int unit_price_dp;                       /* decimals a unit price keeps */
	int amount_dp;                           /* decimals of line amounts and totals */
	size_t batch_max;                        /* documents a call */
	size_t bytes_max;                        /* request body bound */
	int64_t per_minute;                      /* calls a minute, per organisation */
	int64_t per_day;                         /* calls a day, per organisation */
	int64_t concurrent;                      /* calls in flight at once */
	int64_t app_per_minute;                  /* calls a minute over every organisation */
	char tax_sales[LEDGER_TAX_CODE_MAX];     /* taxed sales */
	char tax_purchases[LEDGER_TAX_CODE_MAX]; /* taxed purchases */
	char tax_none[LEDGER_TAX_CODE_MAX];      /* no tax */
	bool payments_editable;                  /* a posted payment can be changed */
	bool allocations_editable;               /* a posted allocation can be changed */
	/* Purchases (docs/states-and-tabs.md "Purchase orders and bills"): */
	size_t doc_number_max;    /* characters a document number keeps (bill, PO); the
	                             whole reference stays in the body's `reference` */
	bool po_billable;         /* a posted purchase order can be followed by its bill
	                             (Xero: marked BILLED); false: billing it is manual */
	bool po_upload_default;   /* open purchases go up as purchase orders by default;
	                             false: only with upload_po_as_qbo_po */
	const char *display_name; /* the ledger's name for people: "Xero" */
	int64_t batch_per_minute; /* batch calls a minute (QBO /batch); 0 = no own limit */
	enum ledger_tax_rounding tax_rounding; /* the planner predicts the ledger's
	                                          tax this way, so the correction line
	                                          is right before posting */
};

/* What connect reads of an organisation (ledger_ops.read). */
enum ledger_read {
	LEDGER_READ_ORG,       /* one entity: name, base_currency, lock_date, timezone */
	LEDGER_READ_ACCOUNTS,  /* code, name, active, liability_payments */
	LEDGER_READ_TAX_RATES, /* code, name, rate, sales, purchases, active */
	LEDGER_READ_TRACKING,  /* active categories: name, options (active only) */
	LEDGER_READ_CONTACTS,  /* id, name, email, tax_number */
	LEDGER_READ_ITEMS,     /* id, code */
};

/* One thing read, ledger-neutral; the fields its enum ledger_read names are
 * set, the rest NULL / false.  Strings valid during the callback only. */
struct ledger_entity {
	const char *id;   /* the ledger's id */
	const char *code; /* account code, tax code, item code */
	const char *name; /* organisation, account, tax rate, category, contact */
	const char *email, *tax_number;
	const char *rate;          /* a tax rate, percent as decimal text */
	const char *base_currency; /* ISO 4217 */
	const char *lock_date;     /* YYYY-MM-DD: the later of the lock dates, "" none */
	/* the organisation's IANA time zone ("Pacific/Auckland"); NULL where
	 * the ledger does not say (QBO's API has none) */
	const char *timezone;
	const char *const *options;
	size_t noptions;
	bool active;             /* not archived / deleted */
	bool sales, purchases;   /* a tax rate applies to revenue / expenses */
	bool liability_payments; /* a liability account that takes payments */
	/* a contact's side where the ledger keeps them apart (QBO: "customer",
	 * "vendor"); NULL where one contact serves both (Xero) */
	const char *role;
};

/* The engine's GET, paced and retried (session_get): path under the API root
 * into body.  A connector's reads go through it so every call is counted. */
typedef int (*ledger_get_fn)(void *arg, const char *path, struct buf *body, struct bs_error *err);

/* Receives each entity read; a non-zero return stops the read with it. */
typedef int (*ledger_entity_fn)(void *arg, const struct ledger_entity *e);

/*
 * One payment read back from the ledger for the inbound import
 * (docs/inbound.md; ledger_ops.payments_parse).  Strings are valid during
 * the callback only; "" (never NULL) when the ledger does not say.
 */
struct ledger_payment {
	const char *id;         /* the ledger's payment id */
	const char *contact_id; /* the ledger's id of the customer */
	const char *invoice_id; /* the invoice it pays; "" when unapplied (QBO) */
	const char *currency;   /* ISO 4217 */
	const char *date;       /* YYYY-MM-DD */
	int64_t amount;         /* micros */
	int64_t updated_ms;     /* when the ledger last changed it */
	bool deleted;           /* voided / deleted */
	bool receivable;        /* a customer's payment of an invoice, not a bill's or a refund */
	bool split;             /* applied to more than one document */
};

/* Receives each payment of a page; a non-zero return stops the parse with it. */
typedef int (*ledger_payment_fn)(void *arg, const struct ledger_payment *p);

/* What a page of payments said about paging (ledger_ops.payments_parse). */
struct ledger_pay_page {
	size_t n;         /* payments the page held (all types) */
	bool full;        /* the page was full: another may follow */
	bool sorted;      /* oldest change first: the last one's updated_ms is a key */
	int64_t max_ms;   /* the latest updated_ms on the page (0: empty) */
	int64_t last_ms;  /* the last payment's updated_ms (0: empty) */
	int64_t key_page; /* the page to read from once since_ms moved to a key */
};

/* Notes `p` on the page's paging figures (max_ms, last_ms) and hands it to
 * `each`; what `each` returns is returned.  Both connectors' page parsers
 * call it once per payment, in the page's order. */
int ledger_pay_page_take(struct ledger_pay_page *pg, const struct ledger_payment *p,
                         ledger_payment_fn each, void *arg);

/* OAuth2 tokens of a connection. */
#define LEDGER_ACCESS_TOKEN_MAX  4096
#define LEDGER_REFRESH_TOKEN_MAX 1024
#define LEDGER_SCOPE_MAX         1024

struct ledger_tokens {
	char access_token[LEDGER_ACCESS_TOKEN_MAX];
	char refresh_token[LEDGER_REFRESH_TOKEN_MAX]; /* "" without offline access */
	int64_t expires_at_ms;                        /* now_ms + expires_in * 1000 */
	int64_t issued_at_ms;                         /* now_ms of the reply; 0 = not known */
	char scope[LEDGER_SCOPE_MAX];                 /* granted scopes, "" if not said */
};

/* An organisation a grant covers. */
struct ledger_tenant {
	char connection_id[64]; /* the ledger's id of the connection, if any */
	char tenant_id[64];     /* the organisation's id: the target is "<ledger>:<tenant_id>" */
	char tenant_type[32];   /* the ledger's kind of organisation, e.g. "ORGANISATION" */
	char tenant_name[256];  /* truncated at 255 bytes if longer */
};

/* How to authorise a connection (ledger_ops.authorize). */
struct ledger_auth {
	const char *base_url; /* NULL = the real ledger; a sandbox: http://127.0.0.1:PORT */
	const char *client_id;
	const char *client_secret;
	/* first try a page that redirects straight back (a sandbox approves
	 * so): for a caller with no person at hand */
	bool auto_approve;
	/* otherwise a listener on 127.0.0.1 waits up to 5 minutes for the
	 * browser: show_url shows the person the URL to open first */
	void (*show_url)(void *arg, const char *url);
	void *arg;
	int64_t now_ms;
	/* the organisation wanted (connect --tenant), or NULL: a connector
	 * whose page picks one company per grant (QBO) asks for it there */
	const char *tenant_hint;
};

struct http_client;

/* A live connection of one connector (each defines its own). */
struct ledger_conn;

struct ledger_conn_config {
	const char *api_base;     /* the ledger's API root */
	const char *tenant_id;    /* the organisation (Xero tenant, QBO realm) */
	const char *access_token; /* bearer token; replace with ops->set_token */
	long timeout_ms;          /* per call; 0 = 30 s */
	/* What connect saved of the organisation (settings chart:<target> and
	 * taxrates:<target>, JSON arrays of {"code","id",...}); a connector that
	 * names accounts and tax codes by its own ids (QBO) maps codes through
	 * them.  NULL when not read. */
	const char *chart;
	const char *tax_rates;
};

/*
 * A connector.  Every operation returns 0 or a negative enum bs_status with
 * detail in err; calls that reach the ledger fill *call.  Errors of a call:
 * BS_ELIMIT a 429 (call->retry_after_s); BS_ENET no answer (the outcome is
 * unknown: look up before re-sending anything but the same request with
 * the same key); BS_EAUTH 401/403; BS_EPROTO 5xx or an answer that cannot
 * be read; BS_EINVAL a 400 for the whole request.
 */
struct ledger_ops {
	const char *name; /* "xero": ledger_find's key and the target prefix */
	const struct ledger_caps *caps;

	/* Strings are copied; *out freed with conn_free. */
	int (*conn_new)(const struct ledger_conn_config *cfg, struct ledger_conn **out,
	                struct bs_error *err);
	void (*conn_free)(struct ledger_conn *c);
	int (*set_token)(struct ledger_conn *c, const char *access_token);

	/* Pure: the wire element of one document into out.  BS_ENOTFOUND when a
	 * symbol is not posted, BS_EINVAL for a document of the wrong shape. */
	int (*map_element)(enum ledger_doc_type type, struct json_object *doc,
	                   const char *ledger_id, ledger_resolve_fn resolve, void *arg,
	                   struct buf *out, struct bs_error *err);
	/* Pure: the answer to a batch into elems[] (status, refusal, id, ...).
	 * BS_EPROTO when the body is not what the ledger sends. */
	int (*parse_response)(enum ledger_doc_type type, const char *body, size_t len,
	                      struct ledger_elem *elems, size_t n, struct bs_error *err);
	/* Send a batch under an idempotency key; BS_OK when the ledger answered
	 * for every element (see elems[].status). */
	int (*push)(struct ledger_conn *c, enum ledger_doc_type type, struct ledger_elem *elems,
	            size_t n, const char *idempotency_key, ledger_resolve_fn resolve, void *arg,
	            struct ledger_call *call, struct bs_error *err);
	/* Optional (NULL for a ledger that needs nothing read first, Xero).
	 * Pure: whether elems[] need a read before they are sent (QBO: the
	 * SyncToken of an update or void). */
	bool (*prepare_needed)(enum ledger_doc_type type, const struct ledger_elem *elems,
	                       size_t n);
	/* That read: one call, its figures into *call, what it read into
	 * elems[].version.  The dispatcher makes it through the paced path
	 * (it counts as a call) once per send, before the push; BS_ENOTFOUND
	 * when a linked document is gone, else a call's errors. */
	int (*prepare)(struct ledger_conn *c, enum ledger_doc_type type, struct ledger_elem *elems,
	               size_t n, struct ledger_call *call, struct bs_error *err);
	/* Look elems[] up by natural key in one call: found[i], with id, number
	 * and total filled.  BS_EUNSUPPORTED when none has a natural key. */
	int (*lookup_many)(struct ledger_conn *c, enum ledger_doc_type type,
	                   struct ledger_elem *elems, size_t n, ledger_resolve_fn resolve,
	                   void *arg, bool *found, struct ledger_call *call, struct bs_error *err);
	/* Pure: how many of elems[] have a natural key lookup_many can ask. */
	size_t (*lookup_keyed)(enum ledger_doc_type type, const struct ledger_elem *elems,
	                       size_t n);
	/* The live allocations of a credit note: *out malloc'd (caller frees),
	 * NULL when none. */
	int (*allocations)(struct ledger_conn *c, const char *credit_note_id,
	                   struct ledger_allocation **out, size_t *n, struct ledger_call *call,
	                   struct bs_error *err);
	/* The status of document id; BS_ENOTFOUND when the ledger does not know it. */
	int (*doc_status)(struct ledger_conn *c, enum ledger_doc_type type, const char *id,
	                  enum ledger_doc_status *out, struct ledger_call *call,
	                  struct bs_error *err);
	/* GET path (with query) under the API root into body. */
	int (*get)(struct ledger_conn *c, const char *path, struct buf *body,
	           struct ledger_call *call, struct bs_error *err);

	/* Inbound payments (docs/inbound.md); both NULL for a ledger without.
	 * payments_get: one call, page `page` (from 1) of the payments the
	 * ledger changed after since_ms (0: all), into body; the call's errors.
	 * payments_parse: pure, each payment of that answer to each(arg) and
	 * the paging into *pg; BS_EPROTO an answer that is not the ledger's. */
	int (*payments_get)(struct ledger_conn *c, int64_t since_ms, int64_t page, struct buf *body,
	                    struct ledger_call *call, struct bs_error *err);
	int (*payments_parse)(int64_t since_ms, int64_t page, const char *body, size_t len,
	                      ledger_payment_fn each, void *arg, struct ledger_pay_page *pg,
	                      struct bs_error *err);

	/* Connect's reads: every `what` of the organisation, each to each(arg),
	 * fetched with get(garg, ...) (every page).  BS_EPROTO an answer that
	 * is not the ledger's; get's errors. */
	int (*read)(enum ledger_read what, ledger_get_fn get, void *garg, ledger_entity_fn each,
	            void *arg, struct bs_error *err);
	/* The contact import's incremental read (docs/inbound-contacts.md):
	 * the contacts created or changed at or after since_ms (Unix ms,
	 * UTC), each as read(LEDGER_READ_CONTACTS) gives it, every page.
	 * since_ms 0 reads them all.  Optional: NULL for a ledger that cannot
	 * filter so (the caller reads all).  Errors as read's. */
	int (*read_contacts_since)(int64_t since_ms, ledger_get_fn get, void *garg,
	                           ledger_entity_fn each, void *arg, struct bs_error *err);

	/* Authorise (OAuth2 authorization code): tokens into *tokens and the
	 * organisations granted into *tenants (malloc'd, caller frees), *n of
	 * them.  BS_EINVAL a bad base URL; BS_EAUTH refused; BS_ESTATE nobody
	 * came back from the browser in time; BS_ENET, BS_EPROTO, BS_ELIMIT. */
	int (*authorize)(const struct ledger_auth *a, struct ledger_tokens *tokens,
	                 struct ledger_tenant **tenants, size_t *n, struct bs_error *err);
	/* The same flow split for a caller that owns the redirect (`booksync
	 * serve`'s callback endpoint): authorize_start appends the authorize
	 * URL for redirect_uri and state to url; when the browser came back,
	 * authorize_finish exchanges its code (extra: the value of the
	 * redirect's redirect_extra parameter, "" when it has none) for tokens
	 * and lists the organisations, with authorize's errors.  a's
	 * auto_approve and show_url are not used. */
	const char *redirect_extra; /* QBO: "realmId"; NULL when none */
	int (*authorize_start)(const char *base_url, const char *client_id,
	                       const char *redirect_uri, const char *state, struct buf *url,
	                       struct bs_error *err);
	int (*authorize_finish)(const struct ledger_auth *a, const char *redirect_uri,
	                        const char *code, const char *extra, struct ledger_tokens *tokens,
	                        struct ledger_tenant **tenants, size_t *n, struct bs_error *err);

	/* Credentials.  The API root for a base URL ("" or NULL: the real
	 * ledger; else one host serving it all, e.g. a sandbox) into
	 * api_root[cap]; BS_EINVAL a bad URL. */
	int (*api_root)(const char *base_url, char *api_root, size_t cap, struct bs_error *err);
	/* Whether tokens are due for a refresh at now_ms (time_scale: the
	 * limits.time_scale of tests, >= 1). */
	bool (*refresh_due)(const struct ledger_tokens *t, int64_t now_ms, int time_scale);
	/* Refresh (and, where the ledger rotates it, replace) the tokens: the
	 * caller persists out->refresh_token before anything else.  BS_EAUTH a
	 * refused refresh token; BS_ENET, BS_EPROTO, BS_ELIMIT as a call. */
	int (*refresh)(struct http_client *http, const char *base_url, const char *client_id,
	               const char *client_secret, const char *refresh_token, int64_t now_ms,
	               struct ledger_tokens *out, struct bs_error *err);
	/* Disconnect: end this app's access to the organisation tenant_id at
	 * the ledger (Xero: delete its connection, so a grant covering other
	 * organisations keeps them; QBO: revoke the grant, which is one
	 * company's).  BS_OK also when the ledger no longer knows it.  BS_EAUTH
	 * tokens refused; BS_ENET, BS_EPROTO, BS_ELIMIT as a call. */
	int (*revoke)(struct http_client *http, const char *base_url, const char *client_id,
	              const char *client_secret, const char *tenant_id,
	              const struct ledger_tokens *tokens, struct bs_error *err);
};

/* The connector called name ("xero"), or NULL when there is none. */
const struct ledger_ops *ledger_find(const char *name);

/* The i-th connector booksync has (0 is the default one, Xero), NULL past
 * the last. */
const struct ledger_ops *ledger_nth(size_t i);

/* The connector a target ("xero:<tenant>") belongs to, or NULL. */
const struct ledger_ops *ledger_for_target(const char *target);

#endif
