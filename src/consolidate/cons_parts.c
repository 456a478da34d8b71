/*
 * cons_parts.c - consolidated documents over more than one part: a
 * journal split at CONS_MAX_LINES lines with each part balanced, and a
 * payment spread over the parts of the document it pays (consolidate.h;
 * docs/consolidation.md "Lines" and "Payments of a split document").
 */
#include "consolidate/consolidate.h"

#include <string.h>

size_t cons_split_journal(const int64_t *amounts, size_t n, size_t max, struct cons_jpart *parts,
                          size_t cap, int *status)
{
	size_t np = 0, at = 0;
	int64_t carry = 0; /* what the next part carries in */

	*status = BS_OK;
	if (max == 0)
		max = CONS_MAX_LINES;
	if (max < 3) {
		*status = BS_EINVAL; /* a middle part needs room for a line and two carries */
		return 0;
	}
	if (n <= max) {
		if (cap > 0 && n > 0)
			parts[0] = (struct cons_jpart){0, n, 0, 0};
		return n > 0 ? 1 : 0;
	}
	while (at < n) {
		/* room for the real lines: less a carry-in after the first part,
		 * less a carry-out unless the rest fits */
		size_t room = max - (np > 0 ? 1 : 0);
		size_t take = n - at <= room ? n - at : room - 1;
		int64_t sum = carry;
		struct cons_jpart pt;

		for (size_t i = at; i < at + take; i++) {
			if (money_add(sum, amounts[i], &sum) != BS_OK) {
				*status = BS_ERANGE;
				return 0;
			}
		}
		pt.first = at;
		pt.count = take;
		pt.carry_in = carry;
		at += take;
		/* the part balances with its carry-out; the next part carries
		 * the same amount in on the other side, so the clearing account
		 * nets to zero over the parts */
		pt.carry_out = at < n ? -sum : 0;
		carry = sum;
		if (at >= n && sum != 0) {
			*status = BS_EINVAL; /* the lines did not balance */
			return 0;
		}
		if (np < cap)
			parts[np] = pt;
		np++;
	}
	return np;
}

int cons_alloc_parts(int64_t amount, const int64_t *due, size_t n, int64_t *out)
{
	int64_t left = amount;

	if (n == 0 || amount < 0)
		return BS_EINVAL;
	for (size_t i = 0; i < n; i++) {
		int64_t d = due[i] > 0 ? due[i] : 0;

		out[i] = left < d ? left : d;
		left -= out[i];
	}
	/* more than is due (an overpayment): the last part takes the rest,
	 * and the ledger says whether it accepts it */
	out[n - 1] += left;
	return BS_OK;
}
