/*
 * store_inbound.c - the backend-independent half of store_inbound.h:
 * argument checks, once for every backend.
 */
#include "store/store_inbound.h"

#include "core/buf.h"
#include "store/store_int.h"

#include <string.h>

static bool blank(const char *s)
{
	return s == NULL || s[0] == '\0';
}

bool store_inbound_filter_ok(const char *state)
{
	static const char *const known[] = {"applied",  "skipped",    "failed",
	                                    "reversed", "reconciled", "unapplied"};

	for (size_t i = 0; state != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(state, known[i]) == 0)
			return true;
	return false;
}

bool store_inbound_overdue(const struct store_inbound_row *row, int64_t before_ms)
{
	return (strcmp(row->state, "skipped") == 0 || strcmp(row->state, "failed") == 0) &&
	       row->decided_ms < before_ms;
}

int store_inbound_get(struct store *st, const char *target, const char *ledger_id,
                      struct store_inbound_row *out, struct bs_error *err)
{
	if (st == NULL || blank(target) || blank(ledger_id) || out == NULL)
		return bs_error_set(err, BS_EINVAL, "inbound payment: missing argument");
	return st->ops->inbound->get(st, target, ledger_id, out, err);
}

int store_inbound_add(struct store *st, const struct store_inbound_row *row, struct bs_error *err)
{
	if (st == NULL || row == NULL || blank(row->target) || blank(row->ledger_id))
		return bs_error_set(err, BS_EINVAL, "inbound payment: missing argument");
	if (strcmp(row->state, "applied") != 0 && strcmp(row->state, "skipped") != 0 &&
	    strcmp(row->state, "failed") != 0)
		return bs_error_set(err, BS_EINVAL, "inbound payment %s: no state '%s'",
		                    row->ledger_id, row->state);
	return st->ops->inbound->add(st, row, err);
}

int store_inbound_each(struct store *st, const char *target, const char *state, store_inbound_cb cb,
                       void *arg, struct bs_error *err)
{
	if (st == NULL || cb == NULL)
		return bs_error_set(err, BS_EINVAL, "inbound payments: missing argument");
	return st->ops->inbound->each(st, target != NULL ? target : "", state != NULL ? state : "",
	                              cb, arg, err);
}

int store_inbound_reverse(struct store *st, const char *target, const char *ledger_id,
                          const char *reason, const char *event, int64_t decided_ms,
                          struct bs_error *err)
{
	if (st == NULL || blank(target) || blank(ledger_id) || reason == NULL || event == NULL)
		return bs_error_set(err, BS_EINVAL, "inbound payment: missing argument");
	return st->ops->inbound->reverse(st, target, ledger_id, reason, event, decided_ms, err);
}

int store_inbound_reconcile(struct store *st, const char *target, const char *ledger_id,
                            const char *note, int64_t decided_ms, struct bs_error *err)
{
	if (st == NULL || blank(target) || blank(ledger_id) || note == NULL)
		return bs_error_set(err, BS_EINVAL, "inbound payment: missing argument");
	return st->ops->inbound->reconcile(st, target, ledger_id, note, decided_ms, err);
}

int store_inbound_page(struct store *st, const char *target, const char *state,
                       const struct store_inbound_key *after, size_t limit, store_inbound_cb cb,
                       void *arg, struct bs_error *err)
{
	if (st == NULL || cb == NULL || limit == 0)
		return bs_error_set(err, BS_EINVAL, "inbound payments: missing argument");
	if (!blank(state) && !store_inbound_filter_ok(state))
		return bs_error_set(err, BS_EINVAL, "inbound payments: no state '%s'", state);
	if (after != NULL && (after->target == NULL || after->ledger_id == NULL))
		return bs_error_set(err, BS_EINVAL, "inbound payments: incomplete key");
	return st->ops->inbound->page(st, target != NULL ? target : "", state != NULL ? state : "",
	                              after, limit, cb, arg, err);
}

int store_inbound_count(struct store *st, const char *target, int64_t overdue_before_ms,
                        struct store_inbound_counts *out, struct bs_error *err)
{
	if (st == NULL || out == NULL)
		return bs_error_set(err, BS_EINVAL, "inbound counts: missing argument");
	memset(out, 0, sizeof(*out));
	return st->ops->inbound->count(st, target != NULL ? target : "", overdue_before_ms, out,
	                               err);
}

int store_inbound_mark_get(struct store *st, const char *target, int64_t *since_ms, int64_t *page,
                           struct bs_error *err)
{
	if (st == NULL || blank(target) || since_ms == NULL || page == NULL)
		return bs_error_set(err, BS_EINVAL, "inbound mark: missing argument");
	*since_ms = 0;
	*page = 1;
	return st->ops->inbound->mark_get(st, target, since_ms, page, err);
}

int store_inbound_mark_set(struct store *st, const char *target, int64_t since_ms, int64_t page,
                           int64_t now_ms, struct bs_error *err)
{
	if (st == NULL || blank(target))
		return bs_error_set(err, BS_EINVAL, "inbound mark: missing argument");
	if (since_ms < 0 || page < 1)
		return bs_error_set(err, BS_EINVAL, "inbound mark: since %lld page %lld",
		                    (long long)since_ms, (long long)page);
	return st->ops->inbound->mark_set(st, target, since_ms, page, now_ms, err);
}

int store_inbound_open_invoices(struct store *st, const char *target, const char *customer,
                                store_open_invoice_cb cb, void *arg, struct bs_error *err)
{
	if (st == NULL || blank(target) || blank(customer) || cb == NULL)
		return bs_error_set(err, BS_EINVAL, "open invoices: missing argument");
	return st->ops->inbound->open_invoices(st, target, customer, cb, arg, err);
}

int store_link_find(struct store *st, const char *target, const char *ledger_type,
                    const char *ledger_id, enum record_kind *kind, struct buf *id_out,
                    struct bs_error *err)
{
	if (st == NULL || blank(target) || blank(ledger_type) || kind == NULL || id_out == NULL)
		return bs_error_set(err, BS_EINVAL, "link lookup: missing argument");
	if (blank(ledger_id))
		return BS_ENOTFOUND;
	buf_reset(id_out);
	return st->ops->inbound->link_find(st, target, ledger_type, ledger_id, kind, id_out, err);
}
