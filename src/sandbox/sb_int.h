/*
 * sb_int.h - the sandbox's internals, shared by the src/sandbox/ files only.
 *
 * Locking: one mutex (sandbox.lock) guards every field below except the
 * immutable configuration; handlers run with it held.  The only work done
 * outside it is the "slow" fault's sleep and the network I/O of MHD and of
 * the webhook thread.
 *
 * Documents are json-c objects in Xero's own wire form (so a GET is a
 * serialisation), wrapped in struct sb_doc for the bookkeeping Xero does not
 * show.  Writes go through a transaction (struct sb_txn) that keeps an undo
 * log: a failed element is rolled back, a summarised batch with any failure
 * is rolled back whole, and on commit the touched documents are written to
 * the state file and announced to the webhook thread.
 *
 * The files: sb_server.c (life cycle, configuration, the HTTP server),
 * sb_core.c (sandbox_handle: routing, limits, idempotency, faults),
 * sb_admin.c (/sandbox/ and the request log), sb_oauth.c, sb_api.c (the
 * Accounting API's request shapes), sb_query.c (where / order), sb_kinds.c
 * (the endpoint table) with one sb_doc_<kind>.c per document kind
 * (sb_doc_int.h), sb_hook.c (webhooks), sb_store.c (collections,
 * transactions, tenants), sb_state.c (the state file), sb_base.c (map,
 * time, UUIDs) and sb_json.c (JSON helpers).
 *
 * A QuickBooks Online sandbox (sb->ledger == SANDBOX_QBO) shares the server,
 * OAuth, limits windows, faults, webhooks, the request log and the state
 * file; its own code is the qbo_*.c files (qbo_int.h), entered through
 * qbo_handle() below.
 */
#ifndef BS_SANDBOX_SB_INT_H
#define BS_SANDBOX_SB_INT_H

#include "sandbox/sandbox.h"

#include <json-c/json.h>
#include <pthread.h>
#include <sqlite3.h>

/* ---- string -> pointer hash map (open addressing, owned key copies) ---- */

struct sb_map_ent {
	char *key; /* NULL = empty; &sb_map_tomb = deleted */
	void *val;
};

struct sb_map {
	struct sb_map_ent *ents;
	size_t cap;  /* power of two, 0 before the first put */
	size_t used; /* live + tombstones */
	size_t n;    /* live */
};

void *sb_map_get(const struct sb_map *m, const char *key);
int sb_map_put(struct sb_map *m, const char *key, void *val); /* replaces */
void *sb_map_del(struct sb_map *m, const char *key);          /* returns old value */
void sb_map_free(struct sb_map *m, void (*free_val)(void *));
/* Iterate: for (size_t i = 0; i < m->cap; i++) if (sb_map_live(m, i)) ... */
bool sb_map_live(const struct sb_map *m, size_t i);

/* ---- documents and collections ---- */

enum sb_kind_id {
	SBK_ACCOUNTS,
	SBK_TAXRATES,
	SBK_CURRENCIES,
	SBK_TRACKING,
	SBK_CONTACTS,
	SBK_ITEMS,
	SBK_INVOICES,
	SBK_CREDITNOTES,
	SBK_PAYMENTS,
	SBK_PURCHASEORDERS,
	SBK_MANUALJOURNALS,
	SBK_BANKTRANSACTIONS,
	SBK_PREPAYMENTS,  /* created by RECEIVE/SPEND-PREPAYMENT bank transactions */
	SBK_OVERPAYMENTS, /* created by RECEIVE/SPEND-OVERPAYMENT bank transactions */
	SBK_COUNT,
};

struct sb_doc {
	json_object *obj; /* the wire form; owned (one reference) */
	char id[40];
	char *numkey; /* current key in the collection's by_num map, or NULL */
	int64_t updated_ms;
	uint64_t seq; /* creation order */
	bool gone;    /* deleted outright (Items DELETE): invisible */
};

struct sb_coll {
	struct sb_doc **docs; /* creation order */
	size_t n, cap;
	struct sb_map by_id;
	struct sb_map by_num; /* natural key (see sb_numkey) -> doc */
};

struct sb_txn;
struct sb_errs;

/* One endpoint's description: the handlers are table-driven on this. */
struct sb_kind {
	const char *name;      /* URL segment and envelope key: "Invoices" */
	const char *id_field;  /* "InvoiceID" */
	const char *num_field; /* natural key field or NULL */
	const char *scope;     /* broad scope needed to write ("accounting.transactions") */
	const char *gscope;    /* granular alternative or NULL */
	const char *errflag;   /* "HasErrors" / "HasValidationErrors" */
	const char *webhook;   /* webhook eventCategory or NULL */
	bool writable, paged, deletable;
	/* Validate `in` (the merge of the stored doc and the request element on
	 * update; `old` NULL on create) and produce the document to store.
	 * Appends messages to errs; returns BS_OK or BS_EINVAL with errs set. */
	int (*build)(struct sb_txn *t, json_object *in, const struct sb_doc *old, json_object **out,
	             struct sb_errs *errs);
};

extern const struct sb_kind sb_kinds[SBK_COUNT];

/* ---- rate windows: a deque of call times ---- */

/* A ring of call times that grows on demand up to `max` (the limit it
 * enforces), so an idle tenant holds none: with --tenants 10000 a 5,000-a-day
 * window allocated up front would be 40 KB a tenant. */
struct sb_window {
	int64_t *ts; /* NULL until the first call */
	size_t cap, head, n;
	size_t max; /* most times kept (the limit); 0 = keep none */
};

struct sb_idem {
	uint8_t hash[16]; /* of method, path, query and body */
	bool done;
	int status;
	char *body; /* stored reply (malloc) */
	int64_t created_ms;
};

#define SB_NMETHODS 5 /* GET, PUT, POST, DELETE, OTHER: sb_method_names */

struct sb_tenant {
	char id[40];
	char conn_id[40];
	json_object *org; /* the Organisation object */
	struct sb_coll coll[SBK_COUNT];
	struct sb_window minute, day;
	int inflight;
	uint64_t calls, limited;
	uint64_t by_ep[SBK_COUNT + 2][SB_NMETHODS]; /* [kind or Organisation/other][method] */
	struct sb_map idem;                         /* key -> struct sb_idem */
	int next_number[SBK_COUNT];                 /* auto numbering (INV-0001) */
	int64_t created_ms;
	int64_t period_lock_ms, eoy_lock_ms; /* INT64_MIN = none */
	size_t ord;  /* its place in sandbox.tenants: 0 = the default tenant */
	int tax_pct; /* GST of its chart, for a seed still to come */
	bool connected;
	bool seeded; /* chart, tax rates, currencies, tracking in place */
};

enum sb_tok_kind { SBT_CODE, SBT_ACCESS, SBT_REFRESH };

struct sb_token {
	enum sb_tok_kind kind;
	char client[128];
	char scope[512];
	char realm[24]; /* QBO: the company granted ("" = any: sandbox_issue_token) */
	char redirect[1024];
	int64_t expires_ms;
	int64_t rotated_ms; /* refresh: when it was replaced (0 = current) */
};

struct sb_log {
	int64_t ts_ms;
	char method[8];
	char path[160];
	char tenant[40];
	char idem[132];
	int status;
	int elements;
	int64_t dur_us;
	char fault[8];
};

enum sb_fault {
	SBF_NONE,
	SBF_500,
	SBF_503,
	SBF_SLOW,
	SBF_DROP,
	SBF_LOST,
};

struct sb_hook_ev;
struct qbo_realm;
struct http_server;

struct sandbox {
	pthread_mutex_t lock;
	struct qbo_realm *qbo;         /* SANDBOX_QBO: the default company (qbo_realms[0]) */
	struct qbo_realm **qbo_realms; /* every company (--companies N), creation order */
	size_t nqbo;
	struct sb_map qbo_by_id; /* realmId -> company */
	uint64_t qbo_epoch;      /* bumped by each reset (a slow request notices) */
	struct sandbox_clock clock;
	enum money_round rounding;
	char url[80];
	struct http_server *http; /* src/http/server.h */
	enum sandbox_ledger ledger;
	unsigned norgs; /* --tenants / --companies N (1..) */

	struct sb_tenant **tenants; /* creation order: [0] the default */
	size_t ntenants;
	struct sb_map tenant_by_id; /* lower-cased id -> tenant */
	char default_tenant[40];
	struct sb_map tokens; /* token string -> struct sb_token */
	uint64_t doc_seq;
	uint8_t jwt_key[32];
	bool no_listen;
	/* admin token: only its hash is kept (the token is a secret) */
	bool admin_auth;
	uint8_t admin_hash[32];

	/* clients file: "id:secret" lines, NULL = anyone */
	char **clients;
	size_t nclients;

	/* OAuth lifetimes, per ledger (sb_oauth.c) */
	int64_t tok_access_ms, tok_refresh_ms, tok_grace_ms;

	/* limits */
	bool limits_off;
	int lim_minute, lim_day, lim_conc, lim_app;
	int time_scale;
	struct sb_window app;

	/* faults */
	uint32_t fault_ppm; /* rate in millionths */
	int lim_batch;      /* a limit, here for alignment: QBO batch calls a minute */
	uint64_t fault_seed;
	enum sb_fault fault_kinds[6];
	int nfault_kinds;
	int slow_ms;
	uint64_t fault_seq;

	/* request log: a ring */
	struct sb_log *log;
	size_t log_cap, log_head, log_n;
	uint64_t log_total;

	/* state file */
	sqlite3 *db;
	sqlite3_stmt *st_put, *st_del;
	int db_depth; /* sb_state_begin nesting: the outermost one commits */
	bool db_fail; /* an inner sb_state_end failed: the outermost rolls back */

	/* webhooks */
	char *hook_url, *hook_key;
	pthread_t hook_thread;
	bool hook_running, hook_stop;
	pthread_cond_t hook_cond;
	struct sb_hook_ev *hook_head, *hook_tail;
	uint32_t hook_seq;
	uint64_t hook_sent, hook_failed;
};

/* ---- time, UUIDs, numbers (sb_base.c; the map above too) ---- */
int64_t sb_now(struct sandbox *sb);
/* Microseconds on the monotonic clock (durations in the request log). */
int64_t sb_mono_us(void);
/* "/Date(ms+0000)/" */
void sb_msdate(char *out, size_t n, int64_t ms);
/* "2024-01-31T00:00:00" (frac false) or with milliseconds (civil_format) */
void sb_isodate(char *out, size_t n, int64_t ms, bool frac);
/* Parse an RFC 1123 HTTP date or ISO date (If-Modified-Since). */
int sb_parse_http_date(const char *s, int64_t *ms);

void sb_uuid(char out[40]);

/* The id of the idx-th organisation of --tenants / --companies N (idx 2 to
 * SANDBOX_TENANTS_MAX; the first is the default one, whose id is not
 * derived) into out[n]: Xero a UUID "b5000000-0000-4000-8000-" + idx in 12
 * decimal digits, QBO a realmId "93414530501" + idx in 5 digits.  Pure.
 * BS_EINVAL outside 2..max, BS_ETOOBIG when out[n] is too small. */
int sb_index_id(enum sandbox_ledger ledger, unsigned idx, char *out, size_t n);
/* Its name, "Booksync Demo <idx>".  BS_ETOOBIG as above. */
int sb_index_name(unsigned idx, char *out, size_t n);

/* The n digits at s as a number of at most max; false when not that. */
bool sb_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out);

/* ---- tenants and the store (sb_store.c) ---- */
int sb_tenant_create(struct sandbox *sb, const char *name, const char *currency,
                     const char *country, const char *id, struct sb_tenant **out);
/* A tenant by id (any case), or NULL: a hash lookup. */
struct sb_tenant *sb_tenant_find(struct sandbox *sb, const char *id);
void sb_tenant_free(struct sb_tenant *tn);
void sb_tenants_clear(struct sandbox *sb);
/* Seed tn's chart, tax rates (GST tax_pct_int %), currencies and tracking
 * category, and mark it seeded. */
int sb_tenant_seed(struct sandbox *sb, struct sb_tenant *tn, int tax_pct_int);
/* Seed tn (at tn->tax_pct) unless it is: before its first API call. */
int sb_tenant_ready(struct sandbox *sb, struct sb_tenant *tn);
/* Create the demo tenants 2..sb->norgs that are missing (unseeded, saved
 * to the state file in one transaction). */
int sb_tenants_ensure(struct sandbox *sb);
/* The walk behind it and QBO's companies: for each organisation 2..norgs of
 * `ledger`, its index-derived id and name to add(), which makes and saves
 * it unless it exists; one state-file transaction, stopped by an error. */
typedef int (*sb_org_add_fn)(struct sandbox *sb, const char *id, const char *name);
int sb_orgs_ensure(struct sandbox *sb, enum sandbox_ledger ledger, sb_org_add_fn add);
struct sb_doc *sb_find(struct sb_tenant *tn, int kind, const char *id);
struct sb_doc *sb_find_num(struct sb_tenant *tn, int kind, const char *numkey);
/* A document by its number alone: for invoices and credit notes, whose
 * natural keys carry their Type, the sales Type is tried first. */
struct sb_doc *sb_find_number(struct sb_tenant *tn, int kind, const char *num);
/* Add d (owned by the collection from then on) to kind's collection and
 * indexes, as loaded from the state file.  BS_ENOMEM. */
int sb_coll_append(struct sb_tenant *tn, int kind, struct sb_doc *d);
void sb_doc_free(struct sb_doc *d); /* NULL is a no-op */
/* The natural key of a document in `kind` (lower-cased), or false. */
bool sb_numkey(int kind, json_object *obj, char *out, size_t n);

struct sb_undo {
	struct sb_tenant *tn;
	int kind;
	struct sb_doc *doc;
	json_object *old; /* previous version (owned), NULL when created */
	int64_t old_updated;
};

struct sb_txn {
	struct sandbox *sb;
	struct sb_tenant *tn;
	struct sb_undo *u;
	size_t n, cap;
	int64_t now;
	bool unitdp4;
	json_object *warnings; /* of the element being built, or NULL */
};

void sb_txn_init(struct sb_txn *t, struct sandbox *sb, struct sb_tenant *tn);
/* Store `obj` (takes the reference) as a new doc (old == NULL) or a new version. */
int sb_put(struct sb_txn *t, int kind, struct sb_doc *old, json_object *obj, struct sb_doc **out);
void sb_txn_rollback_to(struct sb_txn *t, size_t mark);
/* Persist, emit webhooks, drop undo data. */
int sb_txn_commit(struct sb_txn *t);
void sb_txn_free(struct sb_txn *t);

/* ---- the state file (sb_state.c) ---- */
int sb_state_open(struct sandbox *sb, const char *path, struct bs_error *err);
int sb_state_load(struct sandbox *sb, bool *loaded, struct bs_error *err);
int sb_state_put(struct sandbox *sb, const char *ns, const char *key, const char *val);
int sb_state_del(struct sandbox *sb, const char *ns, const char *key);
int sb_state_save_tenant(struct sandbox *sb, struct sb_tenant *tn);
void sb_state_close(struct sandbox *sb);
int sb_state_wipe(struct sandbox *sb);
/* Group the writes until the matching sb_state_end in one transaction
 * (nested calls join the outermost one; no-ops without a state file).
 * sb_state_end commits when ok, else rolls back. */
void sb_state_begin(struct sandbox *sb);
void sb_state_end(struct sandbox *sb, bool ok);
/* Load the OAuth tokens alone (the QBO sandbox loads its documents itself). */
void sb_state_load_tokens(struct sandbox *sb);

/* ---- JSON helpers (sb_json.c) ---- */
/* A string field, or NULL (absent, null or not a string).  Owned by o. */
const char *sb_jstr(json_object *o, const char *key);
/* The value at a dotted path of object keys ("Contact.Name"), or NULL. */
json_object *sb_jget_path(json_object *o, const char *path);
/* A number or numeric string as fixed-point with scale_dp decimals, from
 * its own text (never via a double); at most max_dp decimals given.
 * BS_ENOTFOUND when v is NULL, BS_EPARSE when it is not a number. */
int sb_jdec(json_object *v, int scale_dp, int max_dp, int64_t *out);
/* A JSON number whose text is exactly v (scale_dp decimals, at least min_dp
 * shown); a new reference, NULL when out of memory. */
json_object *sb_jdec_json(int64_t v, int scale_dp, int min_dp);
/* Set o[key] to micros with at least dp decimals.  BS_ENOMEM. */
int sb_jset_amount(json_object *o, const char *key, int64_t micros, int dp);
void sb_jset_str(json_object *o, const char *key, const char *val); /* NULL -> null */
/* o[key] = "/Date(ms+0000)/" and, unless skey is NULL, o[skey] = ISO date. */
void sb_jset_date(json_object *o, const char *key, const char *skey, int64_t ms);
/* A money field as micros; 0 when absent or not a number. */
int64_t sb_jamount(json_object *o, const char *key);
/* A boolean field ("true" in any case counts); dflt when absent or other. */
bool sb_jbool(json_object *o, const char *key, bool dflt);
/* dst[key] = src[key] (a new reference) when src has a non-null one. */
void sb_jcopy(json_object *dst, json_object *src, const char *key);
/* micros as decimal text with at least dp decimals, "?" when it cannot be. */
void sb_fmt_amount(char *out, size_t n, int64_t micros, int dp);
/* Is s among the first n entries of list (which may end sooner at NULL)? */
bool sb_in_list(const char *const *list, size_t n, const char *s);

/* errors collected while building one element */
struct sb_errs {
	json_object *arr; /* [{Message}] */
	int n;
};
void sb_err(struct sb_errs *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A Warning on the element being built (t->warnings): stored, not refused. */
void sb_warn(struct sb_txn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- credit note allocations (sb_doc_creditnote.c) ---- */
/* Allocate credit note cn to the invoice element `in` names; *out is the
 * Allocation (caller owns).  BS_EINVAL with errs set, BS_ENOMEM. */
int sb_allocate(struct sb_txn *t, struct sb_doc *cn, json_object *in, json_object **out,
                struct sb_errs *errs);
/* Undo allocation alloc_id of cn; *out is it, marked IsDeleted (caller
 * owns).  BS_ENOTFOUND when cn has no such allocation, BS_ENOMEM. */
int sb_unallocate(struct sb_txn *t, struct sb_doc *cn, const char *alloc_id, json_object **out);

/* ---- endpoints (sb_api.c) ---- */
void sb_api_handle(struct sandbox *sb, struct sb_tenant *tn, const struct sandbox_request *req,
                   const char *rest, struct sandbox_response *resp, int *elements);
/* Which sb_kinds index a path segment names, or -1 (-2 = Organisation). */
int sb_kind_of(const char *seg, size_t n);

/* ---- where / order (sb_query.c) ---- */
struct sb_expr;
int sb_where_parse(const char *s, struct sb_expr **out);
bool sb_where_eval(const struct sb_expr *e, json_object *doc);
void sb_where_free(struct sb_expr *e);
int sb_order_cmp(const char *order, json_object *a, json_object *b);

/* ---- OAuth (sb_oauth.c) ---- */
void sb_oauth_authorize(struct sandbox *sb, const struct sandbox_request *req,
                        struct sandbox_response *resp);
void sb_oauth_token(struct sandbox *sb, const struct sandbox_request *req,
                    struct sandbox_response *resp);
/* Validate "Authorization: Bearer ..."; returns the token or NULL. */
struct sb_token *sb_oauth_check(struct sandbox *sb, const char *authz);
bool sb_scope_has(const char *scope_list, const char *scope);
/* Issue an access token (and refresh token) for client, scope and (QBO)
 * realm ("" or NULL = any company) as the token endpoint's JSON reply. */
int sb_token_issue(struct sandbox *sb, const char *client, const char *scope, const char *realm,
                   struct buf *json);
void sb_token_free(void *p);
/* Write token t (key: its string) to the state file, if there is one. */
void sb_token_persist(struct sandbox *sb, const char *key, const struct sb_token *t);

/* ---- webhooks (sb_hook.c) ---- */
int sb_hook_start(struct sandbox *sb);
void sb_hook_stop(struct sandbox *sb);
void sb_hook_event(struct sandbox *sb, struct sb_tenant *tn, int kind, struct sb_doc *doc,
                   bool created);
void sb_hook_intent(struct sandbox *sb, struct sandbox_response *resp);
/* Queue one event object (serialised at once; o stays the caller's) for
 * delivery in the ledger's envelope; realm: the QBO company it is about
 * (NULL for Xero).  Under the lock. */
void sb_hook_enqueue(struct sandbox *sb, json_object *o, const char *realm);

/* Revoke a token (POST body {"token": T} or form token=T). */
void sb_oauth_revoke(struct sandbox *sb, const struct sandbox_request *req,
                     struct sandbox_response *resp);

/* ---- rate windows and faults (sb_core.c), shared by both ledgers ---- */
/* Forget calls older than `span`; true when another fits under `limit`
 * (else *retry_ms says when a slot frees).  *remaining: what is left. */
bool sb_window_fits(struct sb_window *w, int64_t now, int64_t span, int limit, int64_t *retry_ms,
                    int *remaining);
/* Count a call at `now`: the ring grows up to w->max; when full (or out of
 * memory) the oldest time gives way (a window of max 0 keeps nothing). */
void sb_window_add(struct sb_window *w, int64_t now);
/* An empty window that keeps at most max call times (nothing allocated). */
void sb_window_init(struct sb_window *w, int max);
void sb_window_free(struct sb_window *w);
/* The next API request's fault, a pure function of (seed, request number). */
enum sb_fault sb_fault_draw(struct sandbox *sb);

/* ---- QuickBooks Online (qbo_*.c) ---- */
/* Answer one QBO request (OAuth, /v3/company/...); under the lock.  Sets
 * *tenant to the realm id and *elements / *fault for the request log. */
void qbo_handle(struct sandbox *sb, const struct sandbox_request *req,
                struct sandbox_response *resp, const char **tenant, int *elements,
                enum sb_fault *fault);
/* Drop every company and seed the default one again (same realm id); the
 * others of --companies N come back unseeded. */
int qbo_reset(struct sandbox *sb);
/* Load the companies from the state file (*loaded when there was one),
 * then add those of --companies N that are missing. */
int qbo_state_load(struct sandbox *sb, bool *loaded, struct bs_error *err);
void qbo_free(struct sandbox *sb);
/* Is there a company with this realmId? */
bool qbo_has_realm(struct sandbox *sb, const char *id);
/* GET /sandbox/tenants (counters false) or /sandbox/counters for QBO: the
 * companies as tenants, the counters per realm. */
void qbo_admin_list(struct sandbox *sb, bool counters, struct sandbox_response *resp);

/* ---- the request core and response helpers (sb_core.c) ---- */
/* Method names as counted per endpoint, and a method's index among them. */
extern const char *const sb_method_names[SB_NMETHODS];
int sb_method_idx(const char *m);
/* A fault's name as the faults SPEC and the request log spell it ("" = none). */
const char *sb_fault_name(enum sb_fault f);

void sb_resp_header(struct sandbox_response *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sb_resp_json(struct sandbox_response *r, int status, json_object *o);
void sb_resp_text(struct sandbox_response *r, int status, const char *ctype, const char *text);
/* Xero's Error body {ErrorNumber, Type, Message} (spec:Error). */
void sb_resp_error(struct sandbox_response *r, int status, int num, const char *type,
                   const char *msg);
/* Xero's problem body for 401/403/404... */
void sb_resp_problem(struct sandbox_response *r, int status, const char *title, const char *detail);
const char *sb_header(const struct sandbox_request *req, const char *name);
const char *sb_query(const struct sandbox_request *req, const char *name);
void sb_envelope(struct sandbox *sb, json_object *env);

/* ---- admin endpoints and the request log (sb_admin.c) ---- */
/* Answer a /sandbox/ request (the admin token checked first, when set). */
void sb_admin_handle(struct sandbox *sb, const struct sandbox_request *req,
                     struct sandbox_response *resp);
/* Guard the admin endpoints with `token` (NULL or "" = none: they stay
 * open).  BS_EINVAL when it is not printable ASCII without spaces; only
 * its hash is kept. */
int sb_admin_token_set(struct sandbox *sb, const char *token, struct bs_error *err);
/* Drop every tenant and document, re-seed the default tenant (same id),
 * clear the log and the app window; tokens stay valid. */
int sb_reset_state(struct sandbox *sb);
/* Record one API request in the log ring (status 0 = dropped). */
void sb_log_add(struct sandbox *sb, const struct sandbox_request *req, const char *tenant,
                int status, int elements, int64_t dur_us, enum sb_fault f);

#endif
