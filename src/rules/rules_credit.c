/*
 * rules_credit.c - which issued store credits a use or refund draws on.
 *
 * docs/records.md gives a store credit `used` or `refunded` event no link to
 * the credit it spends, so booksync decides (README "Decisions"): first in
 * first out over the customer's events in (date, id) order.  The same
 * events always give the same answer, whatever order they arrive in.
 */
#include "rules/rules.h"

#include <stdlib.h>
#include <string.h>

static int event_cmp(const void *a, const void *b)
{
	const struct rules_credit_event *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/*
 * The walk keeps one issued credit open at a time, the head: every credit
 * before it is spent, every one after it untouched.  A draw moves the head
 * on past draws, spent credits and credits issued after the draw itself
 * (they hold nothing yet at its date), so the head never goes back.
 */
int rules_store_credit_fifo(struct rules_credit_event *events, size_t n, const char *id,
                            struct rules_credit_draw *draws, size_t cap, size_t *ndraws,
                            int64_t *shortfall, struct bs_error *err)
{
	size_t head = 0;
	int64_t left = 0; /* what the head credit still holds, once opened */
	bool open = false;

	if ((events == NULL && n > 0) || id == NULL || (draws == NULL && cap > 0) ||
	    ndraws == NULL || shortfall == NULL)
		return bs_error_set(err, BS_EINVAL, "store credit: bad argument");
	for (size_t i = 0; i < n; i++) {
		if (events[i].id == NULL || events[i].date == NULL)
			return bs_error_set(err, BS_EINVAL,
			                    "store credit: an event without id or date");
	}
	*ndraws = 0;
	*shortfall = 0;
	if (n > 1)
		qsort(events, n, sizeof(*events), event_cmp);
	for (size_t i = 0; i < n; i++) {
		bool mine = strcmp(events[i].id, id) == 0;
		int64_t need;

		if (events[i].issued)
			continue;
		need = events[i].amount;
		while (need > 0 && head < n) {
			int64_t take;

			if (!open)
				left = head < i && events[head].issued ? events[head].amount : 0;
			if (left == 0) {
				head++;
				open = false;
				continue;
			}
			open = true;
			take = left < need ? left : need;
			left -= take;
			need -= take;
			if (mine && *ndraws < cap) {
				draws[*ndraws].issued = events[head].id;
				draws[*ndraws].amount = take;
			}
			if (mine)
				(*ndraws)++;
		}
		if (mine) {
			*shortfall = need;
			break;
		}
	}
	return BS_OK;
}
