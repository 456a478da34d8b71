/*
 * qbo_int.h - the QuickBooks Online sandbox's internals, shared by the
 * src/sandbox/qbo_*.c files only (sb_int.h has what both ledgers share).
 *
 * A QBO sandbox serves one company (realm) or, with --companies N, N of
 * them: each its own documents, Id sequence, limits and requestids; the
 * ones past the first are seeded at their first call.  Entities are json-c objects in
 * QBO's wire form, wrapped in struct qbo_doc; every write is validated whole
 * before anything is stored, so no undo log is needed.  Errors are Intuit
 * Fault bodies ({"Fault":{"Error":[{Message, Detail, code, element}],
 * "type"}}), collected in struct qbo_fault.
 *
 * The files: qbo_core.c (routing, OAuth paths, auth, limits, requestid,
 * faults, /batch), qbo_store.c (the realm, documents, the default company,
 * the state file), qbo_ent.c (the entity table, CRUD, list entities),
 * qbo_txn.c (transactions: lines, QBO's arithmetic, tax, payments),
 * qbo_query.c (/query and /cdc), qbo_seed.c (the default company).  Webhook
 * events are queued by qbo_op and delivered by the shared sb_hook.c.
 */
#ifndef BS_SANDBOX_QBO_INT_H
#define BS_SANDBOX_QBO_INT_H

#include "sandbox/sb_int.h"

enum qbo_ent {
	QBE_ACCOUNT,
	QBE_TAXCODE,
	QBE_TAXRATE,
	QBE_CUSTOMER,
	QBE_VENDOR,
	QBE_ITEM,
	QBE_INVOICE,
	QBE_CREDITMEMO,
	QBE_PAYMENT,
	QBE_BILL,
	QBE_BILLPAYMENT,
	QBE_PURCHASEORDER,
	QBE_VENDORCREDIT,
	QBE_JOURNALENTRY,
	QBE_DEPOSIT,
	QBE_PURCHASE,
	QBE_COMPANYINFO,
	QBE_PREFERENCES,
	QBE_COUNT,
};

#define QBF_WRITE  1u   /* created and updated through the API */
#define QBF_DELETE 2u   /* operation=delete */
#define QBF_VOID   4u   /* operation=void (or update&include=void) */
#define QBF_TXN    8u   /* a transaction: TxnDate, DocNumber, PrivateNote, closed period */
#define QBF_NAME   16u  /* DisplayName unique across customers and vendors */
#define QBF_ACTIVE 32u  /* has Active; queries see active ones unless asked */
#define QBF_CDC    64u  /* reported by /cdc */
#define QBF_UPDATE 128u /* updated only (Preferences) */

struct qbo_doc {
	json_object *obj; /* the wire form; owned */
	char id[16];
	int ent;
	int64_t updated_ms;
	uint64_t seq; /* creation order */
	bool deleted;
};

struct qbo_coll {
	struct qbo_doc **docs; /* creation order */
	size_t n, cap;
	struct sb_map by_id;
	/* qbo_num_key -> the document last stored with that DocNumber: a hint
	 * that spares the duplicate check a scan of the collection; checked
	 * against the document, which may since have changed or gone */
	struct sb_map by_num;
};

struct qbo_reqid {
	uint8_t hash[16]; /* of method, path, query and body */
	int status;
	char *body; /* the first answer (malloc) */
	int64_t created_ms;
};

struct qbo_realm {
	char id[24];
	char name[64]; /* CompanyName of its CompanyInfo */
	size_t ord;    /* its place in sandbox.qbo_realms: 0 = the default */
	bool seeded;   /* the default company's lists (qbo_seed) in place */
	struct qbo_coll coll[QBE_COUNT];
	uint64_t next_id; /* Ids are one sequence per company */
	struct sb_window minute, batch;
	int inflight;
	uint64_t calls, limited;
	struct sb_map reqids; /* requestid -> struct qbo_reqid */
	int64_t created_ms;
};

#define QBO_MAX_ERRS 4

struct qbo_fault {
	const char *type; /* "ValidationFault", ... */
	int status;       /* HTTP status when answered alone */
	int n;
	struct {
		char code[8];
		char msg[96];
		char detail[400];
		char element[64];
	} e[QBO_MAX_ERRS];
};

/* One operation's context. */
struct qbo_ctx {
	struct sandbox *sb;
	struct qbo_realm *r;
	int64_t now;
	uint64_t visible_seq; /* references see documents up to this seq (batch) */
	struct qbo_fault *f;
};

struct qbo_ent_desc {
	const char *name; /* "Invoice": envelope key and query FROM name */
	const char *path; /* "invoice": the URL segment */
	unsigned flags;
	/* Validate and complete `doc` (the version to store: on update the
	 * request merged over the stored one, `old` NULL on create); may change
	 * other documents (payments).  BS_OK, or BS_EINVAL with c->f filled. */
	int (*check)(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
};

extern const struct qbo_ent_desc qbo_ents[QBE_COUNT];

/* ---- faults (qbo_core.c) ---- */
/* Add an Error to f (the first one sets type and status).  Returns BS_EINVAL. */
int qbo_fault(struct qbo_fault *f, int status, const char *type, const char *code, const char *msg,
              const char *element, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Common shapes: a validation error (400 ValidationFault). */
#define qbo_verr(f, code, msg, el, ...)                                                            \
	qbo_fault(f, 400, "ValidationFault", code, msg, el, __VA_ARGS__)
/* The Fault body {"Fault":..., "time":...}; a new object. */
json_object *qbo_fault_json(struct qbo_ctx *c, const struct qbo_fault *f);
/* A fresh context on sb's current realm at sb's clock, faults into f (both
 * zeroed first); the caller owns both. */
void qbo_ctx_init(struct qbo_ctx *c, struct sandbox *sb, struct qbo_fault *f);
/* "2026-01-01T00:00:00.000+00:00" */
void qbo_time(char *out, size_t n, int64_t ms);

/* ---- the realm and documents (qbo_store.c) ---- */
/* A company by realmId, or NULL: a hash lookup. */
struct qbo_realm *qbo_realm_find(struct sandbox *sb, const char *id);
/* Seed c->r unless it is (one state-file transaction). */
int qbo_realm_ready(struct qbo_ctx *c);
/* The default company's lists into c->r, its CompanyInfo named c->r->name. */
int qbo_seed(struct qbo_ctx *c);
/* A live (not deleted) document visible to c, or NULL. */
struct qbo_doc *qbo_find(struct qbo_ctx *c, int ent, const char *id);
/* Store obj (takes the reference) as a new document (old NULL: Id, SyncToken
 * "0" and MetaData are set) or as old's next version (SyncToken + 1). */
int qbo_put(struct qbo_ctx *c, int ent, struct qbo_doc *old, json_object *obj,
            struct qbo_doc **out);
/* The by_num key of a DocNumber: folded to lower case (QBO compares
 * numbers without case), prefixed by the vendor's id and a 0x1f for
 * bills and vendor credits, whose numbers are unique per vendor.  False
 * when it does not fit cap. */
bool qbo_num_key(int ent, const char *num, const char *vendor, char *key, size_t cap);
/* Mark d deleted (its last version stays for CDC). */
int qbo_mark_deleted(struct qbo_ctx *c, struct qbo_doc *d);
int qbo_persist(struct sandbox *sb, struct qbo_realm *r, const struct qbo_doc *d);
/* The entity a URL segment (case-insensitive) or query name names, or -1. */
int qbo_ent_of(const char *name, size_t n);

/* ---- operations (qbo_ent.c) ---- */
/* Create / update / delete / void an entity from the request object `in`;
 * *out is the reply's entity object (caller owns).  op is "create",
 * "update", "delete" or "void".  BS_EINVAL with c->f filled. */
int qbo_op(struct qbo_ctx *c, int ent, const char *op, json_object *in, json_object **out);
/* An entity to read: *out a new reference.  610 Object Not Found in c->f. */
int qbo_read(struct qbo_ctx *c, int ent, const char *id, json_object **out);
/* Check a reference object {"value": Id} to ent; `what` names it in the
 * fault.  Required: absent is 2020.  BS_EINVAL with c->f set. */
int qbo_ref(struct qbo_ctx *c, json_object *doc, const char *key, int ent, bool required,
            struct qbo_doc **out);
/* A string field at most max characters long (UTF-8 counted as bytes
 * beyond ASCII would be wrong: counted in code points).  2050 when longer. */
int qbo_len(struct qbo_ctx *c, json_object *doc, const char *key, size_t max);

/* ---- transactions (qbo_txn.c) ---- */
int qbo_check_sales(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
int qbo_check_purchase(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
int qbo_check_journal(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
int qbo_check_deposit(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
int qbo_check_payment(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
/* The common transaction checks (TxnDate, DocNumber, PrivateNote, closed
 * period, currency) for entity ent. */
int qbo_check_txn(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
/* ---- currencies (qbo_cur.c) ---- */
/* doc's CurrencyRef (absent: the home currency) must be the home currency or,
 * with multicurrency on, one of the company's; its name is filled in.  A
 * transaction (txn) also gets its ExchangeRate checked (positive, at most 10
 * decimals; absent on a foreign document: 1; home currency: 1).  6000 in c->f. */
int qbo_check_currency(struct qbo_ctx *c, json_object *doc, bool txn);
/* A customer's or vendor's transaction (ent) must be in that party's
 * currency: 6000 otherwise.  Call after qbo_check_currency. */
int qbo_check_party_currency(struct qbo_ctx *c, int ent, json_object *doc);
/* Undo what a payment document applied to invoices / bills (delete, void,
 * the old version on update). */
int qbo_unapply(struct qbo_ctx *c, int ent, json_object *payment);
/* Is the date in the company's closed period (Preferences BookCloseDate)? */
bool qbo_closed(struct qbo_ctx *c, const char *txn_date);

/* ---- /query and /cdc (qbo_query.c) ---- */
/* Run a query statement; *out is the QueryResponse object.  BS_EINVAL with
 * c->f set (a query parser error, code 4000). */
int qbo_query_run(struct qbo_ctx *c, const char *stmt, json_object **out);
/* /cdc?entities=..&changedSince=..: *out is the CDCResponse array. */
int qbo_cdc_run(struct qbo_ctx *c, const char *entities, const char *since, json_object **out);

#endif
