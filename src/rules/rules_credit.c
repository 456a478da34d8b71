/*
 * rules_credit.c - which issued store credits a use or refund draws on.
 *
 * docs/records.md gives a store credit `used` or `refunded` event no link to
 * the credit it spends, so booksync decides (README "Decisions"): first in
 * first out over the customer's events in date order, each draw taking
 * from the credits issued on or before its date.  The same events always
 * give the same answer, whatever order they arrive in.
 */
#include "rules/rules.h"

#include <stdlib.h>
#include <string.h>

/* (date, credits before draws, id): a credit of the same day as a draw
 * counts for it, whatever the two ids. */
static int event_cmp(const void *a, const void *b)
{
	const struct rules_credit_event *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	if (c == 0 && x->issued != y->issued)
		c = x->issued ? -1 : 1;
	return c != 0 ? c : strcmp(x->id, y->id);
}

/*
 * In sorted order every event before a draw is dated on or before it, so
 * the credits a draw may take from are exactly the issued events before
 * it.  left[] is what each still holds; head skips the prefix that holds
 * nothing (draws, spent credits), which only grows.  A draw the credits
 * before it do not cover leaves its shortfall and nothing else: a credit
 * issued later still covers later draws.
 */
int rules_store_credit_fifo(struct rules_credit_event *events, size_t n, const char *id,
                            struct rules_credit_draw *draws, size_t cap, size_t *ndraws,
                            int64_t *shortfall, struct bs_error *err)
{
	int64_t *left = NULL;
	size_t head = 0;
	int rc = BS_OK;

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
	if (n == 0)
		goto out;
	if ((left = calloc(n, sizeof(*left))) == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	if (n > 1)
		qsort(events, n, sizeof(*events), event_cmp);
	for (size_t i = 0; i < n; i++) {
		bool mine = strcmp(events[i].id, id) == 0;
		int64_t need = events[i].amount;

		if (events[i].issued) {
			left[i] = events[i].amount;
			continue;
		}
		while (head < i && left[head] == 0)
			head++;
		for (size_t j = head; j < i && need > 0; j++) {
			int64_t take = left[j] < need ? left[j] : need;

			if (take == 0)
				continue;
			left[j] -= take;
			need -= take;
			if (mine && *ndraws < cap) {
				draws[*ndraws].issued = events[j].id;
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
out:
	free(left);
	return rc;
}
