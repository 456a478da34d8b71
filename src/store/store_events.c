/*
 * store_events.c - the backend-independent half of store_events.h:
 * argument checks, once for every backend.
 */
#include "store/store_events.h"

#include "store/store_hooks.h"
#include "store/store_int.h"

#include <string.h>

int store_event_add(struct store *st, const char *id, const char *type, const char *target,
                    const char *data, int64_t now_ms, int64_t *seq, struct bs_error *err)
{
	if (st == NULL || id == NULL || type == NULL || data == NULL)
		return bs_error_set(err, BS_EINVAL, "event: missing argument");
	if (id[0] == '\0' || strlen(id) >= STORE_EVENT_ID_MAX)
		return bs_error_set(err, BS_EINVAL, "event id must be 1..%d characters",
		                    STORE_EVENT_ID_MAX - 1);
	if (type[0] == '\0' || strlen(type) >= STORE_EVENT_TYPE_MAX)
		return bs_error_set(err, BS_EINVAL, "event type must be 1..%d characters",
		                    STORE_EVENT_TYPE_MAX - 1);
	if (target != NULL && strlen(target) >= sizeof(((struct store_event *)0)->target))
		return bs_error_set(err, BS_EINVAL, "event target too long");
	return st->ops->events->add(st, id, type, target != NULL ? target : "", data, now_ms, seq,
	                            err);
}

static bool state_ok(const char *s)
{
	return strcmp(s, "pending") == 0 || strcmp(s, "delivered") == 0 || strcmp(s, "dead") == 0;
}

int store_events_due(struct store *st, int64_t now_ms, size_t limit, store_event_cb cb, void *arg,
                     struct bs_error *err)
{
	if (st == NULL || cb == NULL)
		return bs_error_set(err, BS_EINVAL, "events due: missing argument");
	return st->ops->events->due(st, now_ms, limit, cb, arg, err);
}

int store_events_list(struct store *st, const char *state, size_t limit, store_event_cb cb,
                      void *arg, struct bs_error *err)
{
	if (st == NULL || cb == NULL)
		return bs_error_set(err, BS_EINVAL, "events list: missing argument");
	if (state != NULL && !state_ok(state))
		return bs_error_set(err, BS_EINVAL,
		                    "event state must be pending, delivered or dead, not '%s'",
		                    state);
	return st->ops->events->list(st, state, limit, cb, arg, err);
}

int store_event_get(struct store *st, const char *id, struct store_event *out, struct buf *data,
                    struct bs_error *err)
{
	if (st == NULL || id == NULL || out == NULL)
		return bs_error_set(err, BS_EINVAL, "event get: missing argument");
	return st->ops->events->get(st, id, out, data, err);
}

int store_event_attempt(struct store *st, const char *id, const char *outcome, int64_t now_ms,
                        int64_t next_ms, const char *last_error, struct bs_error *err)
{
	if (st == NULL || id == NULL || outcome == NULL || !state_ok(outcome))
		return bs_error_set(err, BS_EINVAL, "event attempt: missing or bad argument");
	return st->ops->events->attempt(st, id, outcome, now_ms, next_ms,
	                                last_error != NULL ? last_error : "", err);
}

int store_event_redeliver(struct store *st, const char *id, int64_t now_ms, int64_t *n,
                          struct bs_error *err)
{
	if (st == NULL)
		return bs_error_set(err, BS_EINVAL, "event redeliver: missing argument");
	return st->ops->events->redeliver(st, id, now_ms, n, err);
}

int store_hook_add(struct store *st, const struct store_hook *h, int64_t now_ms, bool *added,
                   struct bs_error *err)
{
	if (st == NULL || h == NULL || added == NULL || h->source == NULL || h->key == NULL ||
	    h->target == NULL || h->category == NULL || h->resource == NULL || h->body == NULL)
		return bs_error_set(err, BS_EINVAL, "webhook event: missing argument");
	if (h->key[0] == '\0' || strlen(h->key) > 100)
		return bs_error_set(err, BS_EINVAL, "webhook event key must be 1..100 characters");
	return st->ops->events->hook_add(st, h, now_ms, added, err);
}

int store_hooks_count(struct store *st, int64_t *n, struct bs_error *err)
{
	if (st == NULL || n == NULL)
		return bs_error_set(err, BS_EINVAL, "webhook count: missing argument");
	return st->ops->events->hooks_count(st, n, err);
}
