/*
 * store_int.h - what a storage backend implements.
 *
 * store.c holds the public functions; each forwards to the backend through
 * this table.  A backend allocates a struct that begins with `struct store`
 * and fills `ops`.  Argument checking that does not depend on the backend
 * (NULL pointers, ref syntax) happens in store.c, once.
 */
#ifndef BS_STORE_STORE_INT_H
#define BS_STORE_STORE_INT_H

#include "store/store.h"
#include "store/store_auth.h"
#include "store/store_contacts.h"
#include "store/store_events.h"
#include "store/store_hooks.h"
#include "store/store_inbound.h"

struct store_ops {
	const char *name;
	void (*close)(struct store *st);
	/* NULL: the backend has no cache of its own to size */
	int (*cache_set)(struct store *st, int kib, int *old, struct bs_error *err);
	int (*schema_version)(struct store *st, int *version, struct bs_error *err);
	int (*begin)(struct store *st, struct bs_error *err);
	int (*commit)(struct store *st, struct bs_error *err);
	void (*rollback)(struct store *st);
	int (*setting_get)(struct store *st, const char *key, struct buf *value,
	                   struct bs_error *err);
	int (*setting_set)(struct store *st, const char *key, const char *value,
	                   struct bs_error *err);
	int (*settings_each)(struct store *st, store_setting_cb cb, void *arg,
	                     struct bs_error *err);
	int (*lock_take)(struct store *st, const char *name, const struct store_lock *me,
	                 int64_t now_ms, store_lock_gone_cb gone, void *arg,
	                 struct store_lock *holder, struct bs_error *err);
	int (*lock_release)(struct store *st, const char *name, const char *owner,
	                    struct bs_error *err);
	int (*record_put)(struct store *st, const struct record *r, const struct store_actor *who,
	                  enum store_put_result *result, struct bs_error *err);
	/* target non-NULL: *state is the record's state on it */
	int (*record_get)(struct store *st, enum record_kind kind, const char *id,
	                  const char *target, enum sync_state *state,
	                  struct store_record_info *info, struct buf *body,
	                  struct store_record_extra *x, struct bs_error *err);
	int (*record_kinds_of)(struct store *st, const char *id, unsigned *kinds,
	                       struct bs_error *err);
	int (*record_count)(struct store *st, int64_t *count, struct bs_error *err);
	int (*records_each)(struct store *st, enum record_kind kind, store_record_cb cb, void *arg,
	                    struct bs_error *err);
	int (*records_referencing)(struct store *st, enum record_kind kind, const char *field,
	                           const char *ref_id, store_record_cb cb, void *arg,
	                           struct bs_error *err);
	int (*target_add)(struct store *st, const char *target, const char *name,
	                  const struct store_actor *who, struct bs_error *err);
	int (*targets_each)(struct store *st, store_target_cb cb, void *arg, struct bs_error *err);
	/* rowid: the record's, when the caller knows it; 0 to look it up */
	int (*state_apply)(struct store *st, enum record_kind kind, const char *id, int64_t rowid,
	                   const char *target, enum sync_event ev, const char *reason,
	                   const struct store_actor *who, enum sync_state *new_state,
	                   struct bs_error *err);
	int (*state_get)(struct store *st, enum record_kind kind, const char *id,
	                 const char *target, enum sync_state *state, struct buf *reason,
	                 struct bs_error *err);
	int (*keys_each)(struct store *st, const char *target, const char *tab, size_t max,
	                 store_key_cb cb, void *arg, struct bs_error *err);
	int (*keys_page)(struct store *st, const char *target, const char *const *tabs,
	                 enum record_kind kind, const char *after, size_t limit, store_page_cb cb,
	                 void *arg, struct bs_error *err);
	int (*rows_each)(struct store *st, const char *target, unsigned state_mask, const char *tab,
	                 store_row_cb cb, void *arg, struct bs_error *err);
	int (*history_each)(struct store *st, const enum record_kind *kind, const char *id,
	                    int64_t limit, store_history_cb cb, void *arg, struct bs_error *err);
	int (*link_get)(struct store *st, const char *target, enum record_kind kind, const char *id,
	                const char *ledger_type, struct store_link *out, struct bs_error *err);
	int (*link_set)(struct store *st, const char *target, enum record_kind kind, const char *id,
	                const char *ledger_type, const char *ledger_id, const char *number,
	                int64_t now_ms, struct bs_error *err);
	int (*link_drop)(struct store *st, const char *target, enum record_kind kind,
	                 const char *id, const char *ledger_type, struct bs_error *err);
	int (*serial)(struct store *st, const char *target, enum record_kind kind, const char *id,
	              const char *ledger_type, int64_t now_ms, int64_t *serial,
	              struct bs_error *err);
	int (*serial_next)(struct store *st, const char *target, int64_t *serial,
	                   struct bs_error *err);
	int (*serial_keep)(struct store *st, const char *target, enum record_kind kind,
	                   const char *id, const char *ledger_type, int64_t serial, int64_t now_ms,
	                   struct bs_error *err);
	int (*outbox_add)(struct store *st, const char *target, enum record_kind kind,
	                  const char *id, int64_t rowid, const char *doc_type, const char *op,
	                  const char *body, const char *deps, int64_t now_ms,
	                  const struct store_held_move *held, int64_t serial, int64_t *op_id,
	                  struct bs_error *err);
	int (*outbox_each)(struct store *st, const char *target, const char *status,
	                   const char *doc_type, int64_t request, store_op_cb cb, void *arg,
	                   struct bs_error *err);
	int (*outbox_set)(struct store *st, int64_t op_id, const char *status, int64_t request,
	                  struct bs_error *err);
	int (*outbox_delete)(struct store *st, int64_t op_id, struct bs_error *err);
	int (*outbox_has)(struct store *st, const char *target, enum record_kind kind,
	                  const char *id, bool *has, struct bs_error *err);
	int (*request_create)(struct store *st, const char *target, const char *doc_type,
	                      int64_t now_ms, int64_t *id, struct buf *key, struct bs_error *err);
	int (*request_set)(struct store *st, int64_t id, const char *status, int64_t now_ms,
	                   struct bs_error *err);
	int (*requests_each)(struct store *st, const char *target, const char *status,
	                     store_request_cb cb, void *arg, struct bs_error *err);
	/* jobs (store_sql_jobs.c) */
	int (*job_add)(struct store *st, struct store_job *j, const char *request, const char *same,
	               struct store_job *twin, struct bs_error *err);
	int (*job_update)(struct store *st, const struct store_job *j, struct bs_error *err);
	int (*job_take)(struct store *st, const char *target, const char *worker, int64_t now_ms,
	                struct store_job *out, struct buf *request, struct bs_error *err);
	int (*jobs_open)(struct store *st, const char *target, store_job_cb cb, void *arg,
	                 struct bs_error *err);
	int (*job_get)(struct store *st, int64_t id, struct store_job *out, struct buf *request,
	               struct bs_error *err);
	int (*jobs_page)(struct store *st, int64_t before, size_t limit, store_job_cb cb, void *arg,
	                 struct bs_error *err);
	int (*jobs_last)(struct store *st, store_job_cb cb, void *arg, struct bs_error *err);
	int (*metrics_each)(struct store *st, enum store_metric m, int64_t since_ms,
	                    store_metric_cb cb, void *arg, struct bs_error *err);
	int (*jobs_abandon)(struct store *st, const char *message, int64_t now_ms, int64_t *n,
	                    struct bs_error *err);
	/* users, API tokens, sessions, failed logins (store_auth.h) */
	const struct store_auth_ops *auth;
	/* the events outbox (store_events.h) */
	const struct store_events_ops *events;
	/* payments imported from the ledger (store_inbound.h) */
	const struct store_inbound_ops *inbound;
	/* the contact import's decisions (store_contacts.h) */
	const struct store_contacts_ops *contacts;
	/* the REST API's listings (store.h "paged listings") */
	int (*rows_page)(struct store *st, const char *target, unsigned state_mask, const char *tab,
	                 const struct store_row_key *after, size_t limit, store_row_cb cb,
	                 void *arg, struct bs_error *err);
	int (*tab_counts)(struct store *st, const char *target, store_tab_count_cb cb, void *arg,
	                  struct bs_error *err);
	int (*days_each)(struct store *st, const char *target, int64_t since_ms, store_day_cb cb,
	                 void *arg, struct bs_error *err);
	int (*links_each)(struct store *st, enum record_kind kind, const char *id, store_link_cb cb,
	                  void *arg, struct bs_error *err);
	/* refused re-imports (store.h) */
	int (*refusals_each)(struct store *st, const char *target, const char *tab,
	                     store_refusal_cb cb, void *arg, struct bs_error *err);
	int (*refusal_dismiss)(struct store *st, const char *target, enum record_kind kind,
	                       const char *id, struct bs_error *err);
};

/* The stored text of a status to its enum (store.c, beside the names);
 * STORE_OP_ANY / STORE_RQ_ANY for text that is none of them. */
enum store_op_status store_op_status_parse(const char *text);
enum store_rq_status store_rq_status_parse(const char *text);

/* What a backend implements for store_auth.h (one function each, same
 * arguments, minus the checks store_auth.c makes once). */
/* store_events.h, one entry per public function. */
struct store_events_ops {
	int (*add)(struct store *st, const char *id, const char *type, const char *target,
	           const char *data, int64_t now_ms, int64_t *seq, struct bs_error *err);
	int (*due)(struct store *st, int64_t now_ms, size_t limit, store_event_cb cb, void *arg,
	           struct bs_error *err);
	int (*list)(struct store *st, const char *state, size_t limit, store_event_cb cb, void *arg,
	            struct bs_error *err);
	int (*get)(struct store *st, const char *id, struct store_event *out, struct buf *data,
	           struct bs_error *err);
	int (*attempt)(struct store *st, const char *id, const char *outcome, int64_t now_ms,
	               int64_t next_ms, const char *last_error, struct bs_error *err);
	int (*redeliver)(struct store *st, const char *id, int64_t now_ms, int64_t *n,
	                 struct bs_error *err);
	/* the webhook inbox (store_hooks.h) */
	int (*hook_add)(struct store *st, const struct store_hook *h, int64_t now_ms, bool *added,
	                struct bs_error *err);
	int (*hooks_count)(struct store *st, int64_t *n, struct bs_error *err);
};

/* store_inbound.h, one entry per public function (target and state "" for
 * all). */
struct store_inbound_ops {
	int (*get)(struct store *st, const char *target, const char *ledger_id,
	           struct store_inbound_row *out, struct bs_error *err);
	int (*add)(struct store *st, const struct store_inbound_row *row, struct bs_error *err);
	int (*reverse)(struct store *st, const char *target, const char *ledger_id,
	               const char *reason, const char *event, int64_t decided_ms,
	               struct bs_error *err);
	int (*reconcile)(struct store *st, const char *target, const char *ledger_id,
	                 const char *note, int64_t decided_ms, struct bs_error *err);
	int (*each)(struct store *st, const char *target, const char *state, store_inbound_cb cb,
	            void *arg, struct bs_error *err);
	int (*page)(struct store *st, const char *target, const char *state,
	            const struct store_inbound_key *after, size_t limit, store_inbound_cb cb,
	            void *arg, struct bs_error *err);
	int (*count)(struct store *st, const char *target, int64_t overdue_before_ms,
	             struct store_inbound_counts *out, struct bs_error *err);
	int (*mark_get)(struct store *st, const char *target, int64_t *since_ms, int64_t *page,
	                struct bs_error *err);
	int (*mark_set)(struct store *st, const char *target, int64_t since_ms, int64_t page,
	                int64_t now_ms, struct bs_error *err);
	int (*open_invoices)(struct store *st, const char *target, const char *customer,
	                     store_open_invoice_cb cb, void *arg, struct bs_error *err);
	int (*link_find)(struct store *st, const char *target, const char *ledger_type,
	                 const char *ledger_id, enum record_kind *kind, struct buf *id_out,
	                 struct bs_error *err);
};

/* store_contacts.h, one entry per public function. */
struct store_contacts_ops {
	int (*get)(struct store *st, const char *target, const char *ledger_id,
	           struct store_contact *out, struct bs_error *err);
	int (*put)(struct store *st, const struct store_contact *c, int64_t now_ms,
	           struct bs_error *err);
	int (*each)(struct store *st, const char *target, const char *status, store_contact_cb cb,
	            void *arg, struct bs_error *err);
};

struct store_auth_ops {
	int (*user_add)(struct store *st, const char *name, const char *pwhash, int64_t now_ms,
	                struct bs_error *err);
	int (*user_get)(struct store *st, const char *name, struct buf *pwhash,
	                struct bs_error *err);
	int (*user_remove)(struct store *st, const char *name, struct bs_error *err);
	int (*users_each)(struct store *st, store_user_cb cb, void *arg, struct bs_error *err);
	int (*token_add)(struct store *st, const char *name, const unsigned char *hash,
	                 unsigned scopes, int64_t now_ms, struct bs_error *err);
	int (*token_find)(struct store *st, const unsigned char *hash, int64_t now_ms,
	                  struct store_token *out, struct bs_error *err);
	int (*token_remove)(struct store *st, const char *name, struct bs_error *err);
	int (*tokens_each)(struct store *st, store_token_cb cb, void *arg, struct bs_error *err);
	int (*session_add)(struct store *st, const unsigned char *hash,
	                   const struct store_session *s, struct bs_error *err);
	int (*session_find)(struct store *st, const unsigned char *hash, int64_t now_ms,
	                    struct store_session *out, struct bs_error *err);
	int (*session_remove)(struct store *st, const unsigned char *hash, struct bs_error *err);
	int (*login_failures)(struct store *st, const char *name, int64_t since_ms, int64_t *count,
	                      int64_t *oldest_ms, struct bs_error *err);
	int (*login_failed)(struct store *st, const char *name, int64_t now_ms, int64_t keep_ms,
	                    struct bs_error *err);
	int (*login_clear)(struct store *st, const char *name, struct bs_error *err);
};

struct store {
	const struct store_ops *ops;
};

/* The constructors: SQLite (store_sqlite_open.c) and PostgreSQL
 * (store_pg_open.c, for a postgresql:// or postgres:// address). */
int store_sqlite_open(const char *path, unsigned flags, struct store **out, struct bs_error *err);
int store_pg_open(const char *path, unsigned flags, struct store **out, struct bs_error *err);

#endif
