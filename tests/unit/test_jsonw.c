/*
 * test_jsonw.c - the JSON writer (core/jsonw.h), buf_extend and buf_copy,
 * table-driven:
 * strings with and without escapes, keys, whole numbers at their limits,
 * and a buffer at its maximum left as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/jsonw.h"

static void test_strings(void **state)
{
	static const struct {
		const char *in;
		size_t n; /* 0: strlen */
		const char *out;
	} cases[] = {
	    {"", 0, "\"\""},
	    {"plain", 0, "\"plain\""},
	    {"caf\xc3\xa9", 0, "\"caf\xc3\xa9\""},
	    {"a\"b", 0, "\"a\\\"b\""},
	    {"back\\slash", 0, "\"back\\\\slash\""},
	    {"line\nfeed\r\t", 0, "\"line\\nfeed\\r\\t\""},
	    {"\b\f", 0, "\"\\b\\f\""},
	    {"\x01\x1f", 0, "\"\\u0001\\u001f\""},
	    {"\"", 0, "\"\\\"\""},
	    {"end\\", 0, "\"end\\\\\""},
	    {"nul\0after", 9, "\"nul\\u0000after\""},
	    {"/ stays", 0, "\"/ stays\""},
	};
	struct buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = cases[i].n ? cases[i].n : strlen(cases[i].in);

		buf_init(&b, 1024);
		assert_int_equal(jsonw_strn(&b, cases[i].in, n), BS_OK);
		assert_string_equal(buf_cstr(&b), cases[i].out);
		assert_int_equal(b.len, strlen(cases[i].out));
		buf_free(&b);
	}
	/* every byte: escaped exactly when it is a control character, a quote
	 * or a backslash, and jsonw_special says so */
	for (int c = 0; c < 256; c++) {
		char esc[6];
		bool special = c < 0x20 || c == '"' || c == '\\';

		assert_int_equal(jsonw_special[c], special);
		assert_int_equal(jsonw_escape((unsigned char)c, esc) != 0, special);
	}
}

static void test_pairs(void **state)
{
	static const struct {
		int64_t v;
		const char *out;
	} ints[] = {
	    {0, "{\"n\":0}"},
	    {7, "{\"n\":7}"},
	    {-1, "{\"n\":-1}"},
	    {1234567890123LL, "{\"n\":1234567890123}"},
	    {INT64_MAX, "{\"n\":9223372036854775807}"},
	    {INT64_MIN, "{\"n\":-9223372036854775808}"},
	};
	struct buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		buf_init(&b, 1024);
		assert_int_equal(buf_addc(&b, '{'), BS_OK);
		assert_int_equal(jsonw_kv_int(&b, 0, "n", ints[i].v), BS_OK);
		assert_int_equal(buf_addc(&b, '}'), BS_OK);
		assert_string_equal(buf_cstr(&b), ints[i].out);
		buf_free(&b);
	}
	buf_init(&b, 1024);
	assert_int_equal(jsonw_kv_str(&b, 0, "a", "x"), BS_OK);
	assert_int_equal(jsonw_kv_str(&b, 1, "b", "say \"hi\""), BS_OK);
	assert_int_equal(jsonw_kv_int(&b, 1, "c", -5), BS_OK);
	assert_string_equal(buf_cstr(&b), "\"a\":\"x\",\"b\":\"say \\\"hi\\\"\",\"c\":-5");
	buf_free(&b);
}

/* At its maximum a buffer refuses the piece and keeps what it had. */
static void test_limits(void **state)
{
	struct buf b;
	char *at = NULL;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_addstr(&b, "abc"), BS_OK);
	assert_int_equal(jsonw_str(&b, "toolong"), BS_ETOOBIG);
	assert_string_equal(buf_cstr(&b), "abc");
	assert_int_equal(jsonw_key(&b, "keykey"), BS_ETOOBIG);
	assert_string_equal(buf_cstr(&b), "abc");
	assert_int_equal(buf_extend(&b, 6, &at), BS_ETOOBIG);
	assert_int_equal(b.len, 3);
	assert_int_equal(buf_extend(&b, 5, &at), BS_OK);
	memcpy(at, "defgh", 5); // NOLINT(bugprone-not-null-terminated-result): buf_extend ended it
	assert_string_equal(buf_cstr(&b), "abcdefgh");
	assert_int_equal(buf_extend(&b, 0, &at), BS_OK);
	assert_int_equal(buf_extend(&b, 1, &at), BS_ETOOBIG);
	assert_string_equal(buf_cstr(&b), "abcdefgh");
	buf_free(&b);
}

static void test_copy(void **state)
{
	char d[6];

	(void)state;
	assert_int_equal(buf_copy(d, sizeof(d), "abc"), 3);
	assert_string_equal(d, "abc");
	assert_int_equal(buf_copy(d, sizeof(d), "abcdefgh"), 8);
	assert_string_equal(d, "abcde");
	assert_int_equal(buf_copy(d, sizeof(d), ""), 0);
	assert_string_equal(d, "");
	assert_int_equal(buf_copy(d, sizeof(d), NULL), 0);
	assert_string_equal(d, "");
	assert_int_equal(buf_copy(d, 1, "x"), 1);
	assert_string_equal(d, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_pairs),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
