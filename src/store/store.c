/*
 * store.c - the store's public functions: backend dispatch plus the logic
 * that is the same for every backend (reference parsing, target choice).
 */
#include "store/store_int.h"

#include <string.h>

int store_open(const char *path, unsigned flags, struct store **out, struct bs_error *err)
{
	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return bs_error_set(err, BS_EINVAL, "no store path given");
	if (store_path_is_pg(path))
		return store_pg_open(path, flags, out, err);
	return store_sqlite_open(path, flags, out, err);
}

bool store_path_is_pg(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

int store_cache_set(struct store *st, int kib, int *old, struct bs_error *err)
{
	if (old != NULL)
		*old = 0;
	if (kib <= 0)
		return bs_error_set(err, BS_EINVAL, "a page cache of %d KiB", kib);
	if (st->ops->cache_set == NULL)
		return BS_OK;
	return st->ops->cache_set(st, kib, old, err);
}

void store_close(struct store *st)
{
	if (st != NULL)
		st->ops->close(st);
}

int store_schema_version(struct store *st, int *version, struct bs_error *err)
{
	return st->ops->schema_version(st, version, err);
}

int store_begin(struct store *st, struct bs_error *err)
{
	return st->ops->begin(st, err);
}

int store_commit(struct store *st, struct bs_error *err)
{
	return st->ops->commit(st, err);
}

void store_rollback(struct store *st)
{
	st->ops->rollback(st);
}

int store_setting_get(struct store *st, const char *key, struct buf *value, struct bs_error *err)
{
	return st->ops->setting_get(st, key, value, err);
}

int store_setting_set(struct store *st, const char *key, const char *value, struct bs_error *err)
{
	return st->ops->setting_set(st, key, value, err);
}

int store_setting_unset(struct store *st, const char *key, struct bs_error *err)
{
	return st->ops->setting_set(st, key, NULL, err);
}

int store_settings_each(struct store *st, store_setting_cb cb, void *arg, struct bs_error *err)
{
	return st->ops->settings_each(st, cb, arg, err);
}

int store_lock_take(struct store *st, const char *name, const struct store_lock *me, int64_t now_ms,
                    store_lock_gone_cb gone, void *arg, struct store_lock *holder,
                    struct bs_error *err)
{
	if (strlen(me->owner) == 0 || memchr(me->owner, '\0', sizeof(me->owner)) == NULL ||
	    memchr(me->host, '\0', sizeof(me->host)) == NULL)
		return bs_error_set(err, BS_EINVAL, "a lock needs an owner id and a host name");
	return st->ops->lock_take(st, name, me, now_ms, gone, arg, holder, err);
}

int store_lock_release(struct store *st, const char *name, const char *owner, struct bs_error *err)
{
	return st->ops->lock_release(st, name, owner, err);
}

int store_record_put(struct store *st, const struct record *r, const struct store_actor *who,
                     enum store_put_result *result, struct bs_error *err)
{
	return st->ops->record_put(st, r, who, result, err);
}

int store_record_get(struct store *st, enum record_kind kind, const char *id,
                     struct store_record_info *info, struct buf *body, struct bs_error *err)
{
	return st->ops->record_get(st, kind, id, NULL, NULL, info, body, NULL, err);
}

int store_record_get_on(struct store *st, enum record_kind kind, const char *id, const char *target,
                        struct store_record_info *info, struct buf *body, enum sync_state *state,
                        struct store_record_extra *x, struct bs_error *err)
{
	if (x != NULL && target == NULL)
		return bs_error_set(err, BS_EINVAL, "store_record_get_on: no target");
	return st->ops->record_get(st, kind, id, target, state, info, body, x, err);
}

int store_records_each(struct store *st, enum record_kind kind, store_record_cb cb, void *arg,
                       struct bs_error *err)
{
	return st->ops->records_each(st, kind, cb, arg, err);
}

int store_records_referencing(struct store *st, enum record_kind kind, const char *field,
                              const char *ref_id, store_record_cb cb, void *arg,
                              struct bs_error *err)
{
	if (field == NULL || ref_id == NULL || cb == NULL)
		return bs_error_set(err, BS_EINVAL, "records referencing: bad argument");
	return st->ops->records_referencing(st, kind, field, ref_id, cb, arg, err);
}

int store_record_count(struct store *st, int64_t *count, struct bs_error *err)
{
	return st->ops->record_count(st, count, err);
}

int store_ref_resolve(struct store *st, const char *ref, enum record_kind *kind,
                      char id[RECORD_ID_MAX + 1], struct bs_error *err)
{
	const char *colon = strchr(ref, ':');
	unsigned kinds = 0;
	struct buf names;
	int rc, found = -1;

	if (colon != NULL) {
		char kname[32];
		size_t klen = (size_t)(colon - ref);

		if (klen == 0 || klen >= sizeof(kname))
			return bs_error_set(err, BS_EINVAL, "'%s' is not KIND:ID", ref);
		memcpy(kname, ref, klen);
		kname[klen] = '\0';
		if (record_kind_from_name(kname, kind) != BS_OK)
			return bs_error_set(err, BS_EINVAL, "'%s': unknown kind '%s'", ref, kname);
		ref = colon + 1;
	}
	if (ref[0] == '\0' || strlen(ref) > RECORD_ID_MAX)
		return bs_error_set(err, BS_EINVAL, "'%s' is not a record id (1 to %d bytes)", ref,
		                    RECORD_ID_MAX);
	if (colon != NULL) {
		rc = st->ops->record_get(st, *kind, ref, NULL, NULL, NULL, NULL, NULL, err);
		if (rc == BS_ENOTFOUND)
			return bs_error_set(err, rc, "no record %s:%s", record_kind_name(*kind),
			                    ref);
		if (rc == BS_OK)
			memcpy(id, ref, strlen(ref) + 1);
		return rc;
	}
	rc = st->ops->record_kinds_of(st, ref, &kinds, err);
	if (rc != BS_OK)
		return rc;
	if (kinds == 0)
		return bs_error_set(err, BS_ENOTFOUND, "no record with id '%s'", ref);
	buf_init(&names, 1024);
	for (int k = 0; k < RECORD_KIND_COUNT; k++) {
		if (!(kinds & (1u << k)))
			continue;
		if (found >= 0)
			buf_addstr(&names, ", ");
		buf_printf(&names, "%s:%s", record_kind_name((enum record_kind)k), ref);
		if (found < 0)
			found = k;
		else
			found = RECORD_KIND_COUNT;
	}
	if (found == RECORD_KIND_COUNT) {
		rc = bs_error_set(err, BS_ECONFLICT, "'%s' is ambiguous: say which of %s", ref,
		                  buf_cstr(&names));
	} else {
		*kind = (enum record_kind)found;
		memcpy(id, ref, strlen(ref) + 1);
		rc = BS_OK;
	}
	buf_free(&names);
	return rc;
}

int store_target_add(struct store *st, const char *target, const char *name,
                     const struct store_actor *who, struct bs_error *err)
{
	return st->ops->target_add(st, target, name, who, err);
}

int store_targets_each(struct store *st, store_target_cb cb, void *arg, struct bs_error *err)
{
	return st->ops->targets_each(st, cb, arg, err);
}

struct pick {
	const char *want;
	struct buf *buf;
	int n;
	bool found;
};

static int pick_cb(void *arg, const char *target, const char *name)
{
	struct pick *p = arg;

	(void)name;
	p->n++;
	if (p->want != NULL) {
		if (strcmp(p->want, target) == 0)
			p->found = true;
		return 0;
	}
	if (p->n == 1) {
		buf_reset(p->buf);
		return buf_addstr(p->buf, target);
	}
	return 0;
}

int store_target_pick(struct store *st, const char *target, struct buf *buf, const char **out,
                      struct bs_error *err)
{
	struct pick p = {target, buf, 0, false};
	int rc;

	*out = NULL;
	rc = store_targets_each(st, pick_cb, &p, err);
	if (rc != BS_OK)
		return rc;
	if (target != NULL) {
		if (!p.found)
			return bs_error_set(err, BS_ENOTFOUND, "no connected target '%s'", target);
		buf_reset(buf);
		if ((rc = buf_addstr(buf, target)) != BS_OK)
			return rc;
		*out = buf_cstr(buf);
		return BS_OK;
	}
	if (p.n > 1)
		return bs_error_set(err, BS_EINVAL,
		                    "%d ledgers are connected: name one with --target", p.n);
	if (p.n == 1)
		*out = buf_cstr(buf);
	return BS_OK;
}

int store_state_apply(struct store *st, enum record_kind kind, const char *id, const char *target,
                      enum sync_event ev, const char *reason, const struct store_actor *who,
                      enum sync_state *new_state, struct bs_error *err)
{
	return st->ops->state_apply(st, kind, id, 0, target, ev, reason, who, new_state, err);
}

int store_state_apply_rec(struct store *st, const struct store_record_info *rec, const char *target,
                          enum sync_event ev, const char *reason, const struct store_actor *who,
                          enum sync_state *new_state, struct bs_error *err)
{
	return st->ops->state_apply(st, rec->kind, rec->id, rec->rowid, target, ev, reason, who,
	                            new_state, err);
}

int store_state_get(struct store *st, enum record_kind kind, const char *id, const char *target,
                    enum sync_state *state, struct buf *reason, struct bs_error *err)
{
	return st->ops->state_get(st, kind, id, target, state, reason, err);
}

int store_pending_each(struct store *st, const char *target, const char *tab, store_row_cb cb,
                       void *arg, struct bs_error *err)
{
	unsigned mask = 1u << SYNC_NOT_IMPORTED | 1u << SYNC_CHANGED | 1u << SYNC_WAITING;

	return st->ops->rows_each(st, target, mask, tab, cb, arg, err);
}

int store_pending_keys_each(struct store *st, const char *target, const char *tab, size_t max,
                            store_key_cb cb, void *arg, struct bs_error *err)
{
	return st->ops->keys_each(st, target, tab, max, cb, arg, err);
}

int store_pending_page(struct store *st, const char *target, const char *const *tabs,
                       enum record_kind kind, const char *after, size_t limit, store_page_cb cb,
                       void *arg, struct bs_error *err)
{
	size_t n = 0;

	while (tabs != NULL && tabs[n] != NULL)
		n++;
	if (n > STORE_PAGE_TABS_MAX || (unsigned)kind >= RECORD_KIND_COUNT)
		return bs_error_set(err, BS_EINVAL, "store_pending_page: %s",
		                    n > STORE_PAGE_TABS_MAX ? "too many tabs" : "unknown kind");
	return st->ops->keys_page(st, target, tabs, kind, after != NULL ? after : "", limit, cb,
	                          arg, err);
}

int store_state_each(struct store *st, const char *target, enum sync_state state, const char *tab,
                     store_row_cb cb, void *arg, struct bs_error *err)
{
	return st->ops->rows_each(st, target, 1u << state, tab, cb, arg, err);
}

int store_refusals_each(struct store *st, const char *target, const char *tab, store_refusal_cb cb,
                        void *arg, struct bs_error *err)
{
	return st->ops->refusals_each(st, target, tab, cb, arg, err);
}

int store_refusal_dismiss(struct store *st, const char *target, enum record_kind kind,
                          const char *id, struct bs_error *err)
{
	return st->ops->refusal_dismiss(st, target, kind, id, err);
}

int store_history_each(struct store *st, const enum record_kind *kind, const char *id,
                       int64_t limit, store_history_cb cb, void *arg, struct bs_error *err)
{
	return st->ops->history_each(st, kind, id, limit, cb, arg, err);
}

int store_link_get(struct store *st, const char *target, enum record_kind kind, const char *id,
                   const char *ledger_type, struct store_link *out, struct bs_error *err)
{
	return st->ops->link_get(st, target, kind, id, ledger_type, out, err);
}

int store_link_set(struct store *st, const char *target, enum record_kind kind, const char *id,
                   const char *ledger_type, const char *ledger_id, const char *number,
                   int64_t now_ms, struct bs_error *err)
{
	return st->ops->link_set(st, target, kind, id, ledger_type, ledger_id, number, now_ms, err);
}

int store_link_drop(struct store *st, const char *target, enum record_kind kind, const char *id,
                    const char *ledger_type, struct bs_error *err)
{
	return st->ops->link_drop(st, target, kind, id, ledger_type, err);
}

int store_serial(struct store *st, const char *target, enum record_kind kind, const char *id,
                 const char *ledger_type, int64_t now_ms, int64_t *serial, struct bs_error *err)
{
	return st->ops->serial(st, target, kind, id, ledger_type, now_ms, serial, err);
}

int store_serial_next(struct store *st, const char *target, int64_t *serial, struct bs_error *err)
{
	return st->ops->serial_next(st, target, serial, err);
}

int store_serial_keep(struct store *st, const char *target, enum record_kind kind, const char *id,
                      const char *ledger_type, int64_t serial, int64_t now_ms, struct bs_error *err)
{
	return st->ops->serial_keep(st, target, kind, id, ledger_type, serial, now_ms, err);
}

int store_outbox_add(struct store *st, const char *target, enum record_kind kind, const char *id,
                     const char *doc_type, const char *op, const char *body, const char *deps,
                     int64_t now_ms, int64_t *op_id, struct bs_error *err)
{
	return st->ops->outbox_add(st, target, kind, id, 0, doc_type, op, body, deps, now_ms, NULL,
	                           0, op_id, err);
}

int store_outbox_add_rec(struct store *st, const char *target, const struct store_record_info *rec,
                         const char *doc_type, const char *op, const char *body, const char *deps,
                         int64_t now_ms, const struct store_held_move *held, int64_t serial,
                         int64_t *op_id, struct bs_error *err)
{
	return st->ops->outbox_add(st, target, rec->kind, rec->id, rec->rowid, doc_type, op, body,
	                           deps, now_ms, held, serial, op_id, err);
}

/* The one mapping of the status enums to the text the store keeps. */
static const char *const op_status_names[] = {NULL, "ready", "frozen", "done", "failed"};
static const char *const rq_status_names[] = {NULL, "frozen", "sent", "done"};

#define NNAMES(a) (sizeof(a) / sizeof((a)[0]))

const char *store_op_status_name(enum store_op_status s)
{
	return (size_t)s < NNAMES(op_status_names) ? op_status_names[s] : NULL;
}

const char *store_rq_status_name(enum store_rq_status s)
{
	return (size_t)s < NNAMES(rq_status_names) ? rq_status_names[s] : NULL;
}

/* Text as stored to its enum; 0 (ANY) when it is none of them. */
static int status_from(const char *const *names, size_t n, const char *text)
{
	for (size_t i = 1; text != NULL && i < n; i++) {
		if (strcmp(names[i], text) == 0)
			return (int)i;
	}
	return 0;
}

enum store_op_status store_op_status_parse(const char *text)
{
	return (enum store_op_status)status_from(op_status_names, NNAMES(op_status_names), text);
}

enum store_rq_status store_rq_status_parse(const char *text)
{
	return (enum store_rq_status)status_from(rq_status_names, NNAMES(rq_status_names), text);
}

int store_outbox_each(struct store *st, const char *target, enum store_op_status status,
                      const char *doc_type, int64_t request, store_op_cb cb, void *arg,
                      struct bs_error *err)
{
	return st->ops->outbox_each(st, target, store_op_status_name(status), doc_type, request, cb,
	                            arg, err);
}

int store_outbox_set(struct store *st, int64_t op_id, enum store_op_status status, int64_t request,
                     struct bs_error *err)
{
	if (store_op_status_name(status) == NULL)
		return bs_error_set(err, BS_EINVAL, "not an outbox status: %d", (int)status);
	return st->ops->outbox_set(st, op_id, store_op_status_name(status), request, err);
}

int store_outbox_delete(struct store *st, int64_t op_id, struct bs_error *err)
{
	return st->ops->outbox_delete(st, op_id, err);
}

int store_outbox_has(struct store *st, const char *target, enum record_kind kind, const char *id,
                     bool *has, struct bs_error *err)
{
	return st->ops->outbox_has(st, target, kind, id, has, err);
}

int store_request_create(struct store *st, const char *target, const char *doc_type, int64_t now_ms,
                         int64_t *id, struct buf *key, struct bs_error *err)
{
	return st->ops->request_create(st, target, doc_type, now_ms, id, key, err);
}

int store_request_set(struct store *st, int64_t id, enum store_rq_status status, int64_t now_ms,
                      struct bs_error *err)
{
	if (store_rq_status_name(status) == NULL)
		return bs_error_set(err, BS_EINVAL, "not a request status: %d", (int)status);
	return st->ops->request_set(st, id, store_rq_status_name(status), now_ms, err);
}

int store_requests_each(struct store *st, const char *target, enum store_rq_status status,
                        store_request_cb cb, void *arg, struct bs_error *err)
{
	return st->ops->requests_each(st, target, store_rq_status_name(status), cb, arg, err);
}

int store_rows_page(struct store *st, const char *target, unsigned state_mask, const char *tab,
                    const struct store_row_key *after, size_t limit, store_row_cb cb, void *arg,
                    struct bs_error *err)
{
	if (limit == 0)
		return BS_OK;
	if (after != NULL && (after->tab == NULL || after->date == NULL || after->id == NULL))
		return bs_error_set(err, BS_EINVAL, "a page key needs a tab, a date and an id");
	return st->ops->rows_page(st, target, state_mask, tab, after, limit, cb, arg, err);
}

int store_tab_counts(struct store *st, const char *target, store_tab_count_cb cb, void *arg,
                     struct bs_error *err)
{
	return st->ops->tab_counts(st, target, cb, arg, err);
}

int store_days_each(struct store *st, const char *target, int64_t since_ms, store_day_cb cb,
                    void *arg, struct bs_error *err)
{
	return st->ops->days_each(st, target, since_ms, cb, arg, err);
}

int store_links_each(struct store *st, enum record_kind kind, const char *id, store_link_cb cb,
                     void *arg, struct bs_error *err)
{
	return st->ops->links_each(st, kind, id, cb, arg, err);
}

int store_job_add(struct store *st, struct store_job *j, const char *request, const char *same,
                  struct store_job *twin, struct bs_error *err)
{
	return st->ops->job_add(st, j, request != NULL ? request : "{}", same, twin, err);
}

int store_job_update(struct store *st, const struct store_job *j, struct bs_error *err)
{
	return st->ops->job_update(st, j, err);
}

int store_job_take(struct store *st, const char *target, const char *worker, int64_t now_ms,
                   struct store_job *out, struct buf *request, struct bs_error *err)
{
	return st->ops->job_take(st, target, worker, now_ms, out, request, err);
}

int store_jobs_open(struct store *st, const char *target, store_job_cb cb, void *arg,
                    struct bs_error *err)
{
	return st->ops->jobs_open(st, target, cb, arg, err);
}

int store_job_get(struct store *st, int64_t id, struct store_job *out, struct buf *request,
                  struct bs_error *err)
{
	return st->ops->job_get(st, id, out, request, err);
}

int store_jobs_page(struct store *st, int64_t before, size_t limit, store_job_cb cb, void *arg,
                    struct bs_error *err)
{
	return st->ops->jobs_page(st, before, limit, cb, arg, err);
}

int store_jobs_last(struct store *st, store_job_cb cb, void *arg, struct bs_error *err)
{
	return st->ops->jobs_last(st, cb, arg, err);
}

int store_jobs_abandon(struct store *st, const char *message, int64_t now_ms, int64_t *n,
                       struct bs_error *err)
{
	return st->ops->jobs_abandon(st, message, now_ms, n, err);
}

int store_metrics_each(struct store *st, enum store_metric m, int64_t since_ms, store_metric_cb cb,
                       void *arg, struct bs_error *err)
{
	return st->ops->metrics_each(st, m, since_ms, cb, arg, err);
}
