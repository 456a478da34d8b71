/*
 * test_consolidate_parts.c - consolidated documents in parts
 * (consolidate/consolidate.h): a journal over 500 lines split into
 * balanced parts whose clearing lines net to zero, and a payment spread
 * over the parts of the document it pays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "consolidate/consolidate.h"

#include <stdlib.h>
#include <string.h>

#define N(a)     (sizeof(a) / sizeof((a)[0]))
#define C(cents) ((int64_t)(cents)*10000) /* cents -> micros */

/* Every part balances, holds at most max lines (carries counted), the
 * parts cover the lines once and in order, and the carries net to zero. */
static void check_parts(const int64_t *a, size_t n, size_t max, size_t want_parts)
{
	struct cons_jpart parts[64];
	int st = -1;
	size_t np = cons_split_journal(a, n, max, parts, N(parts), &st);
	size_t next = 0;
	int64_t clearing = 0;

	assert_int_equal(st, BS_OK);
	assert_int_equal(np, want_parts);
	for (size_t k = 0; k < np; k++) {
		int64_t sum = parts[k].carry_in + parts[k].carry_out;
		size_t lines =
		    parts[k].count + (parts[k].carry_in != 0) + (parts[k].carry_out != 0);

		assert_int_equal(parts[k].first, next);
		assert_true(parts[k].count > 0);
		assert_true(lines <= (max == 0 ? CONS_MAX_LINES : max));
		for (size_t i = parts[k].first; i < parts[k].first + parts[k].count; i++)
			sum += a[i];
		assert_int_equal(sum, 0);
		if (k + 1 < np)
			assert_int_equal(parts[k].carry_out, -parts[k + 1].carry_in);
		else
			assert_int_equal(parts[k].carry_out, 0);
		if (k == 0)
			assert_int_equal(parts[k].carry_in, 0);
		clearing += parts[k].carry_in + parts[k].carry_out;
		next += parts[k].count;
	}
	assert_int_equal(next, n);
	assert_int_equal(clearing, 0);
}

static void test_split_journal_small(void **state)
{
	/* debits 10.00 + 5.55 against credits: one part, no carries */
	static const int64_t a[] = {C(1000), C(555), C(-1555)};
	struct cons_jpart parts[4];
	int st;

	(void)state;
	assert_int_equal(cons_split_journal(a, N(a), 0, parts, N(parts), &st), 1);
	assert_int_equal(st, BS_OK);
	assert_int_equal(parts[0].first, 0);
	assert_int_equal(parts[0].count, 3);
	assert_int_equal(parts[0].carry_in, 0);
	assert_int_equal(parts[0].carry_out, 0);
	assert_int_equal(cons_split_journal(a, 0, 0, parts, N(parts), &st), 0);
	check_parts(a, N(a), 3, 1); /* exactly max lines: still one part */
}

/* A table: amounts with max 4 lines a part. */
static void test_split_journal_table(void **state)
{
	static const struct {
		int64_t a[12];
		size_t n, max, parts;
		int64_t first_carry_out; /* of part 1 */
	} t[] = {
	    /* 5 lines, max 4: 3 + carry | carry + 2 */
	    {{C(100), C(200), C(300), C(400), C(-1000)}, 5, 4, 2, C(-600)},
	    /* 8 lines, max 4: 3 | 2 | 3 (the middle part carries in and out) */
	    {{C(1), C(2), C(3), C(4), C(5), C(6), C(7), C(-28)}, 8, 4, 3, C(-6)},
	    /* a part that balances on its own carries nothing */
	    {{C(50), C(-50), C(0), C(10), C(-10)}, 5, 4, 2, 0},
	    /* credits first */
	    {{C(-999), C(-1), C(500), C(250), C(250)}, 5, 4, 2, C(500)},
	    /* max 3: 2 | 1 | 2, the middle part holds one real line */
	    {{C(1), C(1), C(1), C(1), C(-4)}, 5, 3, 3, C(-2)},
	    /* 9 lines, max 4: 3 | 2 | 2 | 2 */
	    {{C(1), C(2), C(3), C(4), C(5), C(6), C(7), C(8), C(-36)}, 9, 4, 4, C(-6)},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct cons_jpart parts[16];
		int st;

		check_parts(t[i].a, t[i].n, t[i].max, t[i].parts);
		cons_split_journal(t[i].a, t[i].n, t[i].max, parts, N(parts), &st);
		assert_int_equal(parts[0].carry_out, t[i].first_carry_out);
	}
}

/* 510 and 1,000 lines at the real limit: 499 + carry, then carry + 11;
 * 499, carry + 498 + carry, carry + 3. */
static void test_split_journal_500(void **state)
{
	int64_t *a = calloc(1000, sizeof(*a));
	struct cons_jpart parts[4];
	int st;

	(void)state;
	assert_non_null(a);
	for (size_t i = 0; i < 509; i++)
		a[i] = C(100 + (int64_t)i);
	a[509] = 0;
	for (size_t i = 0; i < 509; i++)
		a[509] -= a[i];
	check_parts(a, 510, 0, 2);
	assert_int_equal(cons_split_journal(a, 510, 0, parts, N(parts), &st), 2);
	assert_int_equal(parts[0].count, 499);
	assert_int_equal(parts[1].count, 11);
	for (size_t i = 0; i < 999; i++)
		a[i] = (i % 2 == 0 ? 1 : -1) * C(1 + (int64_t)i);
	a[999] = 0;
	for (size_t i = 0; i < 999; i++)
		a[999] -= a[i];
	check_parts(a, 1000, 0, 3);
	assert_int_equal(cons_split_journal(a, 1000, 0, parts, N(parts), &st), 3);
	assert_int_equal(parts[0].count, 499);
	assert_int_equal(parts[1].count, 498);
	assert_int_equal(parts[2].count, 3);
	free(a);
}

static void test_split_journal_errors(void **state)
{
	static const int64_t unbalanced[] = {C(1), C(2), C(3), C(4), C(5)};
	static const int64_t big[] = {INT64_MAX, INT64_MAX, 1, 1, 1};
	struct cons_jpart parts[4];
	int st;

	(void)state;
	assert_int_equal(cons_split_journal(unbalanced, 5, 4, parts, N(parts), &st), 0);
	assert_int_equal(st, BS_EINVAL);
	assert_int_equal(cons_split_journal(unbalanced, 5, 2, parts, N(parts), &st), 0);
	assert_int_equal(st, BS_EINVAL);
	assert_int_equal(cons_split_journal(big, 5, 4, parts, N(parts), &st), 0);
	assert_int_equal(st, BS_ERANGE);
	/* a short cap: the count needed, parts filled up to cap */
	{
		static const int64_t a[] = {C(1), C(2), C(3), C(4), C(5), C(6), C(7), C(-28)};

		assert_int_equal(cons_split_journal(a, N(a), 4, parts, 1, &st), 3);
		assert_int_equal(st, BS_OK);
		assert_int_equal(parts[0].count, 3);
	}
}

static void test_alloc_parts(void **state)
{
	static const struct {
		int64_t amount;
		int64_t due[4];
		size_t n;
		int64_t want[4];
	} t[] = {
	    /* paid in full: each part its due */
	    {C(58650), {C(57500), C(1150)}, 2, {C(57500), C(1150)}},
	    /* a part payment fills part 1 first */
	    {C(100), {C(57500), C(1150)}, 2, {C(100), 0}},
	    /* part 1 already paid: part 2 takes it */
	    {C(1150), {0, C(1150)}, 2, {0, C(1150)}},
	    /* spilling over into part 2 */
	    {C(57600), {C(57500), C(1150)}, 2, {C(57500), C(100)}},
	    /* overpaid: the rest goes on the last part */
	    {C(60000), {C(57500), C(1150)}, 2, {C(57500), C(2500)}},
	    /* a negative due (overpaid before) counts as nothing */
	    {C(300), {C(-5), C(100), C(200)}, 3, {0, C(100), C(200)}},
	    /* one part */
	    {C(42), {C(10)}, 1, {C(42)}},
	    {0, {C(10), C(10)}, 2, {0, 0}},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		int64_t out[4] = {-1, -1, -1, -1}, sum = 0;

		assert_int_equal(cons_alloc_parts(t[i].amount, t[i].due, t[i].n, out), BS_OK);
		for (size_t k = 0; k < t[i].n; k++) {
			assert_int_equal(out[k], t[i].want[k]);
			sum += out[k];
		}
		assert_int_equal(sum, t[i].amount);
	}
	{
		int64_t due[1] = {C(1)}, out[1];

		assert_int_equal(cons_alloc_parts(C(1), due, 0, out), BS_EINVAL);
		assert_int_equal(cons_alloc_parts(C(-1), due, 1, out), BS_EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_journal_small), cmocka_unit_test(test_split_journal_table),
	    cmocka_unit_test(test_split_journal_500),   cmocka_unit_test(test_split_journal_errors),
	    cmocka_unit_test(test_alloc_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
