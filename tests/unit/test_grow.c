/*
 * test_grow.c - the doubling step of growable arrays (src/core/grow.h):
 * no-op while there is room, first capacity, doubling, the overflow
 * refusals that leave the array untouched, and a long fill that keeps
 * every element.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/error.h"
#include "core/grow.h"

struct pair {
	int a;
	long b;
};

static void test_steps(void **state)
{
	static const struct {
		size_t cap, n, first, size;
		int rc;
		size_t want_cap; /* capacity after the call */
	} cases[] = {
	    {0, 0, 16, sizeof(struct pair), BS_OK, 16},  /* empty: first */
	    {0, 0, 0, sizeof(struct pair), BS_OK, 1},    /* first 0 means 1 */
	    {16, 3, 16, sizeof(struct pair), BS_OK, 16}, /* room: no-op */
	    {16, 15, 16, sizeof(struct pair), BS_OK, 16},
	    {16, 16, 16, sizeof(struct pair), BS_OK, 32}, /* full: double */
	    {64, 64, 256, sizeof(struct pair), BS_OK, 128},
	    {SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1, 1, 1, BS_ENOMEM, SIZE_MAX / 2 + 1},
	    {SIZE_MAX / 16, SIZE_MAX / 16, 1, 16, BS_ENOMEM, SIZE_MAX / 16},
	    {4, 4, 1, 0, BS_EINVAL, 4}, /* zero-sized elements: refused */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t cap = cases[i].cap;
		/* the overflow cases never reach realloc, so a sentinel
		 * pointer stands in for a huge array; the others start empty
		 * or with a real allocation of `cap` elements */
		struct pair *v = NULL, *before;
		int big = cases[i].rc != BS_OK;

		if (big)
			v = (struct pair *)(uintptr_t)0x1000;
		else if (cap != 0)
			v = calloc(cap, sizeof(*v));
		before = v;
		assert_int_equal(grow_array(&v, &cap, cases[i].n, cases[i].first, cases[i].size),
		                 cases[i].rc);
		assert_int_equal(cap, cases[i].want_cap);
		if (big)
			assert_ptr_equal(v, before);
		else {
			assert_non_null(v);
			free(v);
		}
	}
}

static void test_fill_keeps_elements(void **state)
{
	struct pair *v = NULL;
	size_t n = 0, cap = 0, grew = 0;

	(void)state;
	for (int i = 0; i < 10000; i++) {
		size_t old = cap;

		assert_int_equal(grow_array(&v, &cap, n, 8, sizeof(*v)), BS_OK);
		grew += cap != old;
		assert_true(n < cap);
		v[n].a = i;
		v[n].b = -(long)i;
		n++;
	}
	/* 8, 16, ..., 16384: twelve allocations for 10,000 elements */
	assert_int_equal(cap, 16384);
	assert_int_equal(grew, 12);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].a, (int)i);
		assert_int_equal(v[i].b, -(long)i);
	}
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_steps),
	    cmocka_unit_test(test_fill_keeps_elements),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
