/*
 * qbo_paper.h - the pure ("paper") half of the QuickBooks Online connector
 * beyond what qbo_int.h declares: the line shape of QBO's arithmetic, the
 * batch operation of a document, the /batch body, the natural keys and the
 * readers of QBO's answers.  Shared by qbo_map*.c, qbo_batch.c,
 * qbo_parse.c and qbo_push.c; nothing here does I/O.
 *
 * docs/mapping-qbo.md describes every mapping, docs/rounding.md the line
 * shape.
 */
#ifndef BS_LEDGER_QBO_QBO_PAPER_H
#define BS_LEDGER_QBO_QBO_PAPER_H

#include "ledger/qbo/qbo_int.h"

#include <stdint.h>

/* ---- line shape (qbo_map_doc.c) ------------------------------------------ */

/*
 * QBO refuses a line whose Amount is not Qty x UnitPrice at 2 decimals
 * (Fault 6070) and holds no per-line discount.  What one engine line
 * (quantity QTY_DP, unit price micros, discount PCT_DP) becomes:
 *   amount     the engine's line amount, qty x price x (1 - d/100) rounded
 *              once half away to 2 decimals (micros);
 *   qty, price what goes in Qty / UnitPrice: the quantity and the price with
 *              the discount folded in (6 decimals, half away) when their
 *              product rounds to amount, else 1 and amount (rewritten);
 *   rewritten  true when Qty / UnitPrice are not the engine's own (the
 *              description then keeps the original, see qbo_line_note).
 * BS_ERANGE on overflow or a discount outside 0..100 %.
 */
struct qbo_line_shape {
	int64_t amount;
	int64_t qty;   /* QTY_DP */
	int64_t price; /* micros */
	bool rewritten;
};

int qbo_line_shape(int64_t qty, int64_t price, int64_t discount_pct, struct qbo_line_shape *out);

/* Make s carry `amount` (the planner's line amount, when it rounded
 * otherwise, e.g. half to even): kept Qty / UnitPrice when their product
 * still rounds to it, else 1 x amount (rewritten). */
int qbo_line_fit(struct qbo_line_shape *s, int64_t amount);

/* " (orig: 3 x 1.115 less 10%)" appended to b: what the engine's line was. */
int qbo_line_note(struct buf *b, int64_t qty, int64_t price, int64_t discount_pct);

/* ---- the writer the mappers share (qbo_map.c) ---------------------------- */

/* A JSON object being written into out; comma: a member came before. */
struct qbo_w {
	struct buf *out;
	ledger_resolve_fn resolve;
	void *arg;
	struct bs_error *err;
	int comma;
};

/* "key":"value" (nothing when value is NULL). */
int qbo_w_str(struct qbo_w *w, const char *key, const char *value);
/* "key":<number> from exact decimal text (nothing when NULL); BS_EINVAL
 * for text that is not a plain decimal. */
int qbo_w_num(struct qbo_w *w, const char *key, const char *value);
/* "key":<micros at dp..6 decimals>. */
int qbo_w_micros(struct qbo_w *w, const char *key, int64_t v, int min_dp);
/* CurrencyRef and ExchangeRate of a document (qbo_map.c). */
int qbo_w_currency(struct qbo_w *w, struct json_object *doc);
/* ,"key": then raw text (an opening brace, true, ...). */
int qbo_w_raw(struct qbo_w *w, const char *key, const char *raw);
/* "key":{"value":"<id>"} for the symbol (nothing when NULL): BS_ENOTFOUND
 * naming the symbol when it does not resolve. */
int qbo_w_ref(struct qbo_w *w, const char *key, const char *symbol);
/* The same for an account code ("Account:<code>") or tax code ("TaxCode:"). */
int qbo_w_code_ref(struct qbo_w *w, const char *key, const char *prefix, const char *code);
/* An EntityRef / Entity of a contact symbol: {"value":id,"type":"Customer"
 * or "Vendor"} by the symbol's kind. */
int qbo_w_entity(struct qbo_w *w, const char *key, const char *symbol);
/* A string field checked against QBO's bound: over it, BS_EINVAL with a
 * message naming the field, the bound and the value (never cut here). */
int qbo_w_bounded(struct qbo_w *w, const char *key, const char *value, size_t max);

/* The entity mappers (each writes members into an open object). */
int qbo_map_contact(struct qbo_w *w, struct json_object *doc, bool vendor);
int qbo_map_item(struct qbo_w *w, struct json_object *doc);
int qbo_map_form(struct qbo_w *w, enum ledger_doc_type type, struct json_object *doc);
int qbo_map_journal(struct qbo_w *w, struct json_object *doc);
int qbo_map_bank(struct qbo_w *w, struct json_object *doc);
int qbo_map_payment(struct qbo_w *w, struct json_object *doc);
int qbo_map_allocation(struct qbo_w *w, struct json_object *doc);

/* Whether a form is on the purchases side (subtype "purchases"). */
bool qbo_is_purchase(struct json_object *doc);

/* ---- operations (qbo_map.c) ----------------------------------------------- */

enum qbo_op {
	QBO_OP_CREATE,
	QBO_OP_UPDATE, /* sparse, with Id and SyncToken */
	QBO_OP_DELETE, /* Id and SyncToken */
	QBO_OP_VOID,   /* operation=update with optionsData "void": Id and SyncToken */
};

/*
 * The batch operation a document asks for: op "create" a create; "update"
 * and "status" a sparse update; "void" a void where QBO voids the entity
 * (Invoice, CreditMemo, Payment, BillPayment), a delete where it only
 * deletes (Bill, VendorCredit, PurchaseOrder, JournalEntry, Deposit,
 * Purchase) and a sparse update to Active false for a list entity
 * (Customer, Vendor, Item).  BS_EINVAL for another op.
 */
int qbo_op_of(enum ledger_doc_type type, struct json_object *doc, enum qbo_op *out);

/* Whether a document's op needs the entity's SyncToken (update, void). */
bool qbo_needs_sync_token(struct json_object *doc);

/* ---- batch (qbo_batch.c) --------------------------------------------------- */

/*
 * The /batch body of elems[0..n) into out: {"BatchItemRequest":[{"bId":"i",
 * "operation":..,("optionsData":"void",)"<Entity>":{..}}, ...]}, bId the
 * element's index.  sync_tokens[i] (NULL, or NULL entries) the SyncToken of
 * an update or void.  n in 1..QBO_BATCH_MAX, else BS_EINVAL; a mapping
 * error is returned with the element's index in err.
 */
int qbo_batch_build(enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
                    const char *const *sync_tokens, ledger_resolve_fn resolve, void *arg,
                    struct buf *out, struct bs_error *err);

/* ---- natural keys (qbo_batch.c) -------------------------------------------- */

/*
 * The natural key of a document: the field QBO finds it by (*field:
 * "DocNumber", "DisplayName", "Name" or "PrivateNote") and its value into
 * value.  *party: for Bill and VendorCredit the vendor symbol the number
 * is unique for, else NULL.  BS_ENOTFOUND when it has none (a form with
 * no number).
 */
int qbo_natural_key(enum ledger_doc_type type, struct json_object *doc, const char **field,
                    struct buf *value, const char **party);

/* The PrivateNote marker of a document keyed by it (money tasks,
 * payments): "[booksync <self>]", or "[booksync <self> <document>]" when
 * one record pays several documents.  BS_EINVAL without self. */
int qbo_marker(struct buf *b, struct json_object *doc);

/*
 * The lookup of elems[]' natural keys as one /batch body: a Query item per
 * entity involved, "select * from <Entity> where <field> in ('a', ...)
 * maxresults 1000" (quotes and backslashes escaped with a backslash),
 * bId "q<k>".  *keyed: how many elements have a key.  BS_ENOTFOUND when
 * none has; BS_EINVAL past QBO_BATCH_MAX queries.
 */
int qbo_lookup_batch(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n,
                     struct buf *out, size_t *keyed, struct bs_error *err);

/* ---- answers (qbo_parse.c) ------------------------------------------------- */

/* The refusal class of a Fault Error code ("6240", "5010", ...) and, for a
 * code QBO reuses, its message. */
enum ledger_refusal qbo_refusal_of(const char *code, const char *message);

/*
 * Answers to queries (a QueryResponse, or a BatchItemResponse of them) to
 * found[]: the entity whose type and natural key are elems[i]'s fills
 * elems[i] (id, number, total) and found[i].  A Bill or VendorCredit of
 * another vendor does not match (vendor_ids[i]: the resolved vendor, NULL
 * entries or array when not known).  BS_EPROTO for a body that is neither,
 * or a query that failed (its Fault in err).
 */
int qbo_parse_query(enum ledger_doc_type type, const char *body, size_t len,
                    struct ledger_elem *elems, size_t n, const char *const *vendor_ids, bool *found,
                    struct bs_error *err);

/*
 * The Id and SyncToken of each entity of a QueryResponse, by Id:
 * ids[i] (the wanted ids) -> tokens[i][LEDGER_ID_MAX] ("" when absent).
 */
int qbo_parse_sync_tokens(const char *body, size_t len, const char *const *ids, size_t n,
                          char (*tokens)[LEDGER_ID_MAX], struct bs_error *err);

#endif
