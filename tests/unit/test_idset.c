/*
 * test_idset.c - the set of ids a CSV input has had (src/ingest/idset.h):
 * new and repeated ids through several growths, the first line kept, lines
 * past 32 bits, and the memory it holds per id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ingest/idset.h"

#include <stdio.h>
#include <string.h>

static void test_add_and_find(void **state)
{
	enum { N = 100000 };
	struct idset *s;
	char id[32];
	uint64_t first = 99;

	(void)state;
	assert_int_equal(idset_new(&s), BS_OK);
	for (int i = 0; i < N; i++) {
		int n = snprintf(id, sizeof(id), "SO-%06d", i);

		first = 99;
		assert_int_equal(idset_add(s, id, (size_t)n, 2 + (uint64_t)i, &first), 0);
		assert_int_equal(first, 99); /* untouched for a new id */
	}
	for (int i = 0; i < N; i++) {
		int n = snprintf(id, sizeof(id), "SO-%06d", i);

		assert_int_equal(idset_add(s, id, (size_t)n, 1000000, &first), 1);
		assert_int_equal(first, 2 + (uint64_t)i); /* the first line, not the later one */
	}
	/* the length bounds the id: "SO-0000001" is not "SO-000000" */
	assert_int_equal(idset_add(s, "SO-0000001", 10, 7, &first), 0);
	assert_int_equal(idset_add(s, "SO-0000001", 9, 7, &first), 1);
	assert_int_equal(first, 2);
	/* the empty id is an id like any other (callers skip it) */
	assert_int_equal(idset_add(s, "", 0, 5, &first), 0);
	assert_int_equal(idset_add(s, "", 0, 6, &first), 1);
	assert_int_equal(first, 5);
	/* 12 bytes an id (room for at most half as many again) and an index
	 * of 4-byte slots at most 3/4 full: under 18 + 4 * 8 / 3 bytes an id */
	assert_true(idset_bytes(s) >= (size_t)N * 12 + (size_t)N * 16 / 3);
	assert_true(idset_bytes(s) <= (size_t)N * 18 + (size_t)N * 32 / 3 + 4096);
	idset_free(s);
	idset_free(NULL);
}

static void test_lines_past_32_bits(void **state)
{
	struct idset *s;
	uint64_t first = 99;

	(void)state;
	assert_int_equal(idset_new(&s), BS_OK);
	assert_int_equal(idset_add(s, "A", 1, UINT64_C(4294967294), &first), 0);
	assert_int_equal(idset_add(s, "B", 1, UINT64_C(4294967295), &first), 0);
	assert_int_equal(idset_add(s, "C", 1, UINT64_C(1) << 40, &first), 0);
	assert_int_equal(idset_add(s, "A", 1, 1, &first), 1);
	assert_int_equal(first, UINT64_C(4294967294));
	assert_int_equal(idset_add(s, "B", 1, 1, &first), 1);
	assert_int_equal(first, 0); /* not kept: "earlier in the file" */
	assert_int_equal(idset_add(s, "C", 1, 1, &first), 1);
	assert_int_equal(first, 0);
	idset_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_and_find),
	    cmocka_unit_test(test_lines_past_32_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
