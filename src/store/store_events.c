/*
 * store_events.c - the backend-independent half of store_events.h:
 * argument checks, once for every backend.
 */
#include "store/store_events.h"

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
