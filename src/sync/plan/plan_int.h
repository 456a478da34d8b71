/*
 * plan_int.h - the planner's internals, shared by its files (sync/plan.h
 * is the contract).
 *
 *   plan.c           the driver: candidates a chunk at a time, one record
 *                    at a time, the kind table, plan_run
 *   plan_context.c   settings and the ledger's context (chart, tax rates,
 *                    products, tracking, lock date) and the codes they give
 *   plan_facts.c     what the rules are told about a record: its links and
 *                    where its dependencies stand
 *   plan_doc.c       writing a document: JSON pieces, currency, numbers,
 *                    and the journal and payment shapes several kinds share
 *   plan_lines.c     invoices, bills, credit notes and purchase orders: the
 *                    lines, rounding, tracking, the document
 *   plan_<kind>.c    one kind of record each: its documents, and its facts
 *                    where they go beyond the common ones
 *
 * Kinds are a table of struct plan_kind in planning order (plan.c), as
 * tmux's commands are a table of cmd_entry: the driver knows no kind.
 */
#ifndef BS_SYNC_PLAN_PLAN_INT_H
#define BS_SYNC_PLAN_PLAN_INT_H

#include "core/buf.h"
#include "rules/rules.h"
#include "store/store.h"
#include "sync/plan.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* The settings the planner reads (store/settings.c has their defaults). */
enum plan_setting {
	PLAN_S_PREFIX,
	PLAN_S_STATUS,
	PLAN_S_BASE,
	PLAN_S_SALES,
	PLAN_S_PURCHASES,
	PLAN_S_COGS,
	PLAN_S_INVENTORY,
	PLAN_S_ADJUST,
	PLAN_S_ROUNDING,
	PLAN_S_BANK,
	PLAN_S_GIFT,
	PLAN_S_BREAKAGE,
	PLAN_S_MTCONTACT,
	PLAN_S_NSET
};

/* Their keys, by enum plan_setting. */
extern const char *const plan_setting_keys[PLAN_S_NSET];

/* A product's accounts, by sku: a line without an account takes its product's. */
struct plan_prod {
	char *sku;
	char *sales, *purchases;
	char *category; /* NULL when none */
	char *tracking; /* its first tracking pair "Category=Option", or NULL */
	bool service;
};

/* What a run knows before it plans anything, read once (plan_context.c). */
struct plan_ctx {
	const struct rules_ledger *ledger; /* what the target keeps and calls things */
	struct buf set[PLAN_S_NSET];
	bool no_payments, no_po;
	bool po_opt_in; /* upload_po_as_qbo_po */
	int base_dp;
	/* the ledger's chart and tax rates, read on connect */
	struct json_object *chart_json, *tax_json;
	struct rules_account *chart;
	size_t nchart;
	struct rules_tax_rate *rates;
	size_t nrates;
	struct plan_prod *prods; /* sorted by sku */
	size_t nprods, capprods;
	/* the ledger's tracking categories and options (tracking:<target>) */
	struct json_object *tracking_json;
	/* tax.sales.<rate> / tax.purchases.<rate> / tax.zero_code settings */
	struct rules_tax_override ovr[32];
	char ovr_code[32][33];
	size_t novr;
	char zero_code[33];
	char lock_date[11];
};

struct plan_cand {
	int rank; /* index in the kind table */
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	int64_t rowid; /* the store's key of it, when its page gave one (a hint); else 0 */
	bool pulled;   /* a contact pulled in by a document of the chunk (add_contacts) */
};

/*
 * The candidates held: one chunk of at most `max` (plan_opts.chunk),
 * walked kind by kind in planning order and by id within a kind, `after`
 * the last id of the page before.  A page is docs_cap records, leaving
 * room for the contacts they pull in when the sync's tabs do not cover
 * contacts.
 */
struct plan_chunk {
	struct plan_cand *v;
	size_t n, cap;
	size_t max, docs_cap;
	bool pull_contacts;
	char after[RECORD_ID_MAX + 1];
	const char *tabv[STORE_PAGE_TABS_MAX + 1];
	const char *const *tabs; /* NULL: every tab */
	bool tx_open;            /* a group of records is open in a transaction (not dry runs) */
	size_t in_tx;
};

/* A piece of a store credit use or refund: what it takes from which credit. */
struct plan_sc_piece {
	char issued[RECORD_ID_MAX + 1];
	int64_t amount;
};

#define PLAN_SC_MAX 8

/* Who the planner's moves are by, in history. */
#define PLAN_ACTOR "sync"

/* The record being planned. */
struct plan_rec {
	const struct store_record_info *info;
	enum sync_state state;  /* as planning began */
	bool no_doc;            /* the build found nothing to send: already in the ledger */
	struct plan_self_link { /* its own links, as read (plan_link_of) */
		char type[32];
		bool found;
		/* link.serial is fresh (store_serial_next) and kept nowhere yet:
		 * the record's outbox row of this type takes it (plan_doc_emit),
		 * else plan_one keeps it in links */
		bool serial_held;
		struct store_link link;
	} self[4];
	size_t nself;
	/* a store credit use or refund: the issued credits it draws on */
	struct plan_sc_piece sc[PLAN_SC_MAX];
	size_t nsc;
	int64_t sc_short; /* what no issued credit covers */
	bool pulled;      /* a contact a document of the chunk needs (plan_cand.pulled) */
};

/* Scratch, reused record after record. */
struct plan_scratch {
	struct buf in;   /* the record's canonical JSON */
	struct buf doc;  /* the document being built */
	struct buf deps; /* the symbols it needs posted first */
	struct buf desc; /* rewritten line descriptions (rules_rounding) */
	struct buf num;  /* its number */
	struct json_tokener *tok;
};

struct plan_cons; /* plan_consolidate.c */

struct planner {
	struct store *st;
	const struct plan_opts *o;
	struct plan_stats *stats;
	struct bs_error *err; /* a record's own failures go to a local one (plan_one) */
	struct plan_ctx ctx;
	struct rules_ledger default_ledger; /* ctx.ledger when plan_opts.ledger is NULL */
	struct plan_chunk ch;
	struct plan_rec cur;
	struct plan_scratch s;
	struct plan_cons *cons; /* NULL while consolidation is off */
	/* other records found in the ledger this run (plan_linked); NULL:
	 * every answer read from the store (a resync, out of memory) */
	struct plan_linked_cache *linked;
};

/* A record being built: identity, canonical JSON, stored facts. */
struct plan_item {
	enum record_kind kind;
	const char *id;
	struct json_object *o;
	const struct store_record_info *info;
};

/* Reason buffers for dependencies (their skip reasons must outlive the facts). */
struct plan_depbufs {
	struct buf b[RULES_DEPS_MAX];
};

/* What the planner does for one kind of record (plan_<kind>.c). */
struct plan_kind {
	enum record_kind kind;
	/* its main ledger document: what a record depending on it waits for */
	const char *ledger_type;
	/* The document the record itself is linked by, when the record
	 * decides it (a voucher's event, a store credit's); NULL: ledger_type. */
	const char *(*self_type)(struct json_object *o);
	/* Facts beyond the common ones (plan_facts_fill); NULL when none. */
	void (*facts)(struct planner *p, const struct plan_item *it, struct rules_facts *f,
	              struct plan_depbufs *db);
	/* Write the record's documents but the last, and build the last in
	 * p->s.doc: the caller emits it as *type / *op, which come in as the
	 * record's own type and "create" or "update".  Failures go to p->err. */
	int (*build)(struct planner *p, const struct plan_item *it, const struct rules_decision *d,
	             const char **type, const char **op);
};

extern const struct plan_kind plan_kind_customer, plan_kind_supplier, plan_kind_product,
    plan_kind_sale, plan_kind_credit_note, plan_kind_purchase, plan_kind_payment,
    plan_kind_adjustment, plan_kind_cogs, plan_kind_journal, plan_kind_money_task,
    plan_kind_gift_voucher, plan_kind_store_credit;

/* plan.c: the kind's entry (never NULL: every kind has one). */
const struct plan_kind *plan_kind_of(enum record_kind k);

/* plan_context.c */
int plan_context_load(struct planner *p);
void plan_context_free(struct plan_ctx *c);
const char *plan_sv(const struct planner *p, enum plan_setting i);
const struct plan_prod *plan_product_of(const struct planner *p, const char *sku);
int plan_tax_code(struct planner *p, int64_t rate, enum rules_direction dir, const char **code);
/* A line's account: its own, else its product's for the direction, else
 * the setting `fallback`; checked against the chart when known. */
int plan_account_code_for(struct planner *p, const char *line_account, const char *sku,
                          enum plan_setting fallback, enum rules_direction dir, const char **code);
/* The same without a product. */
int plan_account_code(struct planner *p, const char *line_account, enum plan_setting fallback,
                      enum rules_direction dir, const char **code);
/* BS_ESTATE when `date` is on or before the ledger's lock date. */
int plan_check_lock(struct planner *p, const char *date);

/* plan_facts.c */
const char *plan_self_type(enum record_kind k, struct json_object *o);
const struct store_link *plan_link_of(struct planner *p, enum record_kind k, const char *id,
                                      const char *type, struct store_link *tmp);
bool plan_linked(struct planner *p, enum record_kind k, const char *id, const char *type);
/* The table plan_linked keeps its answers in (NULL when out of memory),
 * and its end. */
struct plan_linked_cache *plan_linked_cache_new(void);
void plan_linked_cache_free(struct plan_linked_cache *c);
/* The ledger type a record of kind k is linked by when it does not
 * depend on the record (plan_self_type without the body); NULL when it
 * does. */
const char *plan_self_type_fixed(enum record_kind k);
/* Keep the record's own link as store_record_get_on read it, as
 * plan_link_of would have read it (the first of p->cur.self). */
void plan_self_seed(struct planner *p, const struct store_record_extra *read);
/* The record being planned's own link of `type` as plan_link_of read it
 * (found or definitely not there); NULL when it was not read, or kind:id
 * is another record. */
struct plan_self_link *plan_self_known(struct planner *p, enum record_kind k, const char *id,
                                       const char *type);
void plan_dep_fill(struct planner *p, struct rules_dep *d, const char *what, enum record_kind k,
                   const char *id, struct buf *reason);
enum record_kind plan_contact_kind(struct planner *p, const char *id);
void plan_facts_fill(struct planner *p, const struct plan_item *it, struct rules_facts *f,
                     struct plan_depbufs *db);

/* plan_doc.c */
int64_t plan_jfixed(struct json_object *o, const char *key, int scale);
struct json_object *plan_jarr(struct json_object *o, const char *key);
int plan_put_dec(struct buf *out, const char *key, int64_t v, int scale, int min_dp);
int plan_put_opt(struct buf *out, const char *key, const char *value);
int plan_doc_begin(struct planner *p, const char *type, const char *op, enum record_kind kind,
                   const char *id, const char *date);
int plan_put_sym(struct planner *p, const char *key, const char *type, enum record_kind kind,
                 const char *id);
int plan_doc_emit(struct planner *p, const char *type, const char *op);
int plan_serials_keep(struct planner *p);
int plan_currency_of(struct planner *p, struct json_object *o, int64_t total, const char **cur,
                     int *dp, struct buf *rate);
int plan_unique_number(struct planner *p, enum record_kind kind, const char *id, const char *type,
                       const char *ref, bool *cut);

/* A manual journal line: signed base-currency amount (+debit, -credit). */
struct plan_jline {
	const char *account;
	int64_t amount;
	const char *description;
};

int plan_build_journal(struct planner *p, enum record_kind kind, const char *id, const char *date,
                       const char *narration, const struct plan_jline *l, size_t n);
int64_t plan_round_base(struct planner *p, int64_t v);
int plan_build_payment_doc(struct planner *p, enum record_kind kind, const char *id,
                           struct json_object *o, const char *doc_type, enum record_kind doc_kind,
                           const char *doc_id, const char *account, int64_t amount);

/* plan_purchase.c: a bill's (bill) or purchase order's number into p->s.num,
 * cut to the ledger's limit, and its whole reference into `whole`; a number
 * another purchase of the supplier has first fails (BS_ECONFLICT, p->err). */
int plan_purchase_number(struct planner *p, const struct plan_item *it, bool bill, const char *ref,
                         struct buf *whole);

/* plan_consolidate.c (docs/consolidation.md): read the settings (p->cons
 * stays NULL while consolidation is off); take the record being planned
 * when it is a member of a consolidation (*taken: skipped, held, or added
 * to its group -- the caller plans nothing more for it); write the groups
 * as consolidated records and consolidate their members; the records that
 * wrote (borrowed from p, valid until plan_cons_free). */
int plan_cons_load(struct planner *p);
void plan_cons_free(struct planner *p);
int plan_cons_take(struct planner *p, const struct plan_item *it, enum sync_state cur, bool *taken);
int plan_cons_flush(struct planner *p);
/* Whether customer records are held back (consolidation.sync_customer_contacts
 * false): then only a document posted on its own pulls its customer in. */
bool plan_cons_no_customers(const struct planner *p);
/* Whether the document `o` of kind k goes into a consolidation (or is
 * skipped by a no-sync channel) rather than posting on its own, or is a
 * store credit use or refund (which needs no customer of its own): its
 * customer is then not pulled in while customers are held back. */
bool plan_cons_member(struct planner *p, enum record_kind k, struct json_object *o);
const struct plan_ref *plan_cons_made(const struct planner *p, size_t *n);
/* The account consolidated customer credits are held in (consolidation.
 * credit_account, else account.gift_voucher); "" when neither is set. */
const char *plan_cons_credit_account(const struct planner *p);
/* plan_store_credit.c: which issued credits the use or refund `id` of
 * `customer` draws on, first in first out, into p->cur.sc / nsc /
 * sc_short. */
int plan_store_credit_draws(struct planner *p, const char *id, const char *customer);
/* A consolidated record's number where the ledger's is shorter than its
 * name (QBO's DocNumber, 21): its short form (consolidate.h
 * cons_short_name) into p->s.num; the full name stays its reference (QBO's
 * PrivateNote).  Other records: p->s.num unchanged. */
int plan_cons_short_number(struct planner *p, struct json_object *o);
/* The consolidated record a sale or credit note went into (its id, copied
 * into out), or `id` itself when it went into none. */
const char *plan_cons_resolve(struct planner *p, enum record_kind k, const char *id,
                              char out[RECORD_ID_MAX + 1]);

/* plan_lines.c: a sales invoice, bill, credit note or purchase order. */
int plan_build_document(struct planner *p, const struct plan_item *it, const char *type,
                        bool purchases, const char *op);

#endif
