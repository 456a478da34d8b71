/*
 * test_lines.c - the ingest record splitter (src/ingest/lines.h).
 *
 * Every case runs with several read sizes (1 byte, a few bytes, a large
 * chunk) so record boundaries, CRLF and the BOM are exercised across reads,
 * and through both the memory and the fd back ends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/lines.h"

/* Expected outcome of one lines_next call: a record, or an error status. */
struct want {
	int rc; /* 1 = record, BS_ETOOBIG, 0 = end */
	const char *text;
	uint64_t line;
};

struct lcase {
	const char *name;
	enum lines_mode mode;
	size_t max_line;
	const char *input;
	size_t input_len; /* 0: strlen(input) */
	struct want want[8];
	int nwant;
};

static const struct lcase cases[] = {
    {"empty", LINES_PLAIN, 0, "", 0, {{0, NULL, 1}}, 1},
    {"one line no newline", LINES_PLAIN, 0, "abc", 0, {{1, "abc", 1}, {0, NULL, 2}}, 2},
    {"lf", LINES_PLAIN, 0, "a\nbb\n", 0, {{1, "a", 1}, {1, "bb", 2}, {0, NULL, 3}}, 3},
    {"crlf", LINES_PLAIN, 0, "a\r\nbb\r\n", 0, {{1, "a", 1}, {1, "bb", 2}, {0, NULL, 3}}, 3},
    {"blank lines kept as records",
     LINES_PLAIN,
     0,
     "\n\r\nx",
     0,
     {{1, "", 1}, {1, "", 2}, {1, "x", 3}, {0, NULL, 4}},
     4},
    {"bom skipped", LINES_PLAIN, 0, "\xEF\xBB\xBFhi\n", 0, {{1, "hi", 1}, {0, NULL, 2}}, 2},
    {"bom only at start",
     LINES_PLAIN,
     0,
     "a\n\xEF\xBB\xBF"
     "b",
     0,
     {{1, "a", 1},
      {1,
       "\xEF\xBB\xBF"
       "b",
       2},
      {0, NULL, 3}},
     3},
    {"exactly max", LINES_PLAIN, 4, "abcd\r\nx\n", 0, {{1, "abcd", 1}, {1, "x", 2}}, 2},
    {"overlong skipped",
     LINES_PLAIN,
     4,
     "ok\nabcdefghijklmnop\nyes\n",
     0,
     {{1, "ok", 1}, {BS_ETOOBIG, NULL, 2}, {1, "yes", 3}, {0, NULL, 4}},
     4},
    {"overlong at eof",
     LINES_PLAIN,
     4,
     "ok\nabcdefghijklmnop",
     0,
     {{1, "ok", 1}, {BS_ETOOBIG, NULL, 2}, {0, NULL, 3}},
     3},
    {"overlong by one", LINES_PLAIN, 4, "abcde\nab\n", 0, {{BS_ETOOBIG, NULL, 1}, {1, "ab", 2}}, 2},
    {"csv quoted newline",
     LINES_CSV,
     0,
     "id,n\n1,\"a\nb\"\r\n2,c\n",
     0,
     {{1, "id,n", 1}, {1, "1,\"a\nb\"", 2}, {1, "2,c", 4}, {0, NULL, 5}},
     4},
    {"csv escaped quotes and crlf inside",
     LINES_CSV,
     0,
     "\"x\"\"\r\n,\",y\nz",
     0,
     {{1, "\"x\"\"\r\n,\",y", 1}, {1, "z", 3}, {0, NULL, 4}},
     3},
    {"csv quote mid-field is literal",
     LINES_CSV,
     0,
     "5\" pipe,a\nb\n",
     0,
     {{1, "5\" pipe,a", 1}, {1, "b", 2}},
     2},
    {"csv unterminated quote runs to eof",
     LINES_CSV,
     0,
     "a\n\"b\nc\n",
     0,
     {{1, "a", 1}, {1, "\"b\nc\n", 2}, {0, NULL, 4}},
     3},
    {"csv overlong quoted record skipped whole",
     LINES_CSV,
     6,
     "a\n\"bbbb\nbbbb\nbb\",x\ny\n",
     0,
     {{1, "a", 1}, {BS_ETOOBIG, NULL, 2}, {1, "y", 5}, {0, NULL, 6}},
     4},
    {"nul bytes pass through", LINES_PLAIN, 0, "a\0b\n", 4, {{1, NULL, 1}, {0, NULL, 2}}, 2},
};

static const size_t chunks[] = {1, 2, 3, 7, 64, 0};

static void check_case(const struct lcase *c, size_t chunk, int use_fd)
{
	struct lines_opts o = {c->mode, c->max_line, chunk};
	struct lines *l = NULL;
	size_t n = c->input_len ? c->input_len : strlen(c->input);
	FILE *tmp = NULL;
	struct bs_error err;

	if (use_fd) {
		tmp = tmpfile();
		assert_non_null(tmp);
		assert_int_equal(fwrite(c->input, 1, n, tmp), n);
		assert_int_equal(fflush(tmp), 0);
		rewind(tmp);
		assert_int_equal(lines_open_fd(fileno(tmp), &o, &l), 0);
	} else {
		assert_int_equal(lines_open_mem(c->input, n, &o, &l), 0);
	}
	for (int i = 0; i < c->nwant; i++) {
		struct lines_rec r;
		int rc = lines_next(l, &r, &err);

		if (rc != c->want[i].rc)
			fail_msg("%s chunk %zu fd %d step %d: rc %d want %d (%s)", c->name, chunk,
			         use_fd, i, rc, c->want[i].rc, err.msg);
		if (rc == 1) {
			assert_int_equal(r.line, c->want[i].line);
			if (c->want[i].text != NULL) {
				if (r.len != strlen(c->want[i].text) ||
				    memcmp(r.ptr, c->want[i].text, r.len) != 0)
					fail_msg("%s chunk %zu step %d: got '%.*s'", c->name, chunk,
					         i, (int)r.len, r.ptr);
			}
		} else if (rc == BS_ETOOBIG) {
			char want[64];

			assert_int_equal(r.line, c->want[i].line);
			snprintf(want, sizeof(want),
			         "line %llu: ", (unsigned long long)c->want[i].line);
			assert_memory_equal(err.msg, want, strlen(want));
			assert_non_null(strstr(err.msg, "longer than"));
		}
	}
	lines_close(l);
	if (tmp != NULL)
		fclose(tmp);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++)
			for (int fd = 0; fd < 2; fd++)
				check_case(&cases[i], chunks[k], fd);
}

/* Later calls after the end keep returning 0. */
static void test_eof_sticky(void **state)
{
	struct lines *l;
	struct lines_rec r;

	(void)state;
	assert_int_equal(lines_open_mem("x", 1, NULL, &l), 0);
	assert_int_equal(lines_next(l, &r, NULL), 1);
	assert_int_equal(lines_next(l, &r, NULL), 0);
	assert_int_equal(lines_next(l, &r, NULL), 0);
	lines_close(l);
}

/* A read error is fatal and sticky. */
static void test_read_error(void **state)
{
	struct lines *l;
	struct lines_rec r;
	struct bs_error err;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	close(fds[1]);
	assert_int_equal(lines_open_fd(fds[1], NULL, &l), 0); /* closed fd: read fails */
	assert_int_equal(lines_next(l, &r, &err), BS_EIO);
	assert_non_null(strstr(err.msg, "read failed"));
	assert_int_equal(lines_next(l, &r, &err), BS_EIO);
	lines_close(l);
	close(fds[0]);
}

/* Peek skips blank bytes, counting lines, and leaves the record intact. */
static void test_peek(void **state)
{
	static const char in[] = "\xEF\xBB\xBF \n\r\n\t{\"a\":1}\n";
	struct lines_opts o = {LINES_PLAIN, 0, 1};
	struct lines *l;
	struct lines_rec r;
	int c;

	(void)state;
	assert_int_equal(lines_open_mem(in, strlen(in), &o, &l), 0);
	assert_int_equal(lines_peek_nonblank(l, &c, NULL), 0);
	assert_int_equal(c, '{');
	assert_int_equal(lines_next(l, &r, NULL), 1);
	assert_int_equal(r.line, 3);
	assert_int_equal(r.len, 7);
	lines_close(l);

	assert_int_equal(lines_open_mem(" \n \n", 4, &o, &l), 0);
	assert_int_equal(lines_peek_nonblank(l, &c, NULL), 0);
	assert_int_equal(c, -1);
	lines_close(l);
}

static void test_slurp(void **state)
{
	struct lines_opts o = {LINES_PLAIN, 0, 3};
	struct lines *l;
	struct buf b;
	int c;

	(void)state;
	assert_int_equal(lines_open_mem("\xEF\xBB\xBF [1,\n2]", 10, &o, &l), 0);
	assert_int_equal(lines_peek_nonblank(l, &c, NULL), 0);
	buf_init(&b, 100);
	assert_int_equal(lines_slurp(l, &b, NULL), 0);
	assert_string_equal(buf_cstr(&b), "[1,\n2]");
	lines_close(l);
	buf_free(&b);

	assert_int_equal(lines_open_mem("0123456789", 10, &o, &l), 0);
	buf_init(&b, 5);
	assert_int_equal(lines_slurp(l, &b, NULL), BS_ETOOBIG);
	lines_close(l);
	buf_free(&b);
}

/* Memory stays bounded: a long input of short lines never grows the buffer past one chunk + max. */
static void test_progress_and_bounded(void **state)
{
	size_t n = 1000 * 100;
	char *in = malloc(n);
	struct lines_opts o = {LINES_PLAIN, 200, 4096};
	struct lines *l;
	struct lines_rec r;
	uint64_t done, total, count = 0;

	(void)state;
	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (i % 100 == 99) ? '\n' : 'x';
	assert_int_equal(lines_open_mem(in, n, &o, &l), 0);
	lines_progress(l, &done, &total);
	assert_int_equal(done, 0);
	assert_int_equal(total, n);
	while (lines_next(l, &r, NULL) == 1) {
		assert_int_equal(r.len, 99);
		count++;
	}
	assert_true(lines_buffer_size(l) <= 200 + 2 + 4096);
	assert_int_equal(count, 1000);
	lines_progress(l, &done, &total);
	assert_int_equal(done, n);
	lines_close(l);
	free(in);
}

/*
 * An overlong line is skipped without being held: a 8 MiB line with a 1000
 * byte limit leaves the buffer at most limit + one chunk, and the lines
 * around it come through.
 */
static void test_overlong_not_buffered(void **state)
{
	size_t big = (size_t)8 << 20, n = big + 20;
	char *in = malloc(n);
	struct lines_opts o = {LINES_PLAIN, 1000, 4096};
	struct lines *l;
	struct lines_rec r;
	struct bs_error err;

	(void)state;
	assert_non_null(in);
	memcpy(in, "first\n", 6);
	memset(in + 6, 'x', big);
	memcpy(in + 6 + big, "\nlast\n", 6);
	assert_int_equal(lines_open_mem(in, 6 + big + 6, &o, &l), 0);
	assert_int_equal(lines_next(l, &r, &err), 1);
	assert_int_equal(lines_next(l, &r, &err), BS_ETOOBIG);
	assert_string_equal(err.msg, "line 2: line is longer than 1000 bytes");
	assert_int_equal(lines_next(l, &r, &err), 1);
	assert_int_equal(r.line, 3);
	assert_int_equal(r.len, 4);
	assert_memory_equal(r.ptr, "last", 4);
	assert_int_equal(lines_next(l, &r, &err), 0);
	assert_true(lines_buffer_size(l) <= 1000 + 2 + 4096);
	lines_close(l);
	free(in);
}

struct ucase {
	const char *name;
	const char *s;
	size_t len;
	enum lines_utf8 want;
	size_t bad;
};

static const struct ucase ucases[] = {
    {"ascii", "hello, world 0123456789", 23, LINES_UTF8_OK, 0},
    {"2-byte", "caf\xC3\xA9", 5, LINES_UTF8_OK, 0},
    {"3-byte", "\xE2\x82\xAC 5", 5, LINES_UTF8_OK, 0},
    {"4-byte", "\xF0\x9F\x98\x80", 4, LINES_UTF8_OK, 0},
    {"max code point", "\xF4\x8F\xBF\xBF", 4, LINES_UTF8_OK, 0},
    {"U+D7FF ok", "\xED\x9F\xBF", 3, LINES_UTF8_OK, 0},
    {"U+E000 ok", "\xEE\x80\x80", 3, LINES_UTF8_OK, 0},
    {"overlong 2-byte slash", "ab\xC0\xAF", 4, LINES_UTF8_BAD, 2},
    {"overlong C1", "\xC1\xBF", 2, LINES_UTF8_BAD, 0},
    {"overlong 3-byte", "\xE0\x80\xAF", 3, LINES_UTF8_BAD, 0},
    {"overlong 4-byte", "\xF0\x80\x80\xAF", 4, LINES_UTF8_BAD, 0},
    {"surrogate high", "x\xED\xA0\x80", 4, LINES_UTF8_BAD, 1},
    {"surrogate low", "\xED\xBF\xBF", 3, LINES_UTF8_BAD, 0},
    {"above U+10FFFF", "\xF4\x90\x80\x80", 4, LINES_UTF8_BAD, 0},
    {"F5 lead", "\xF5\x80\x80\x80", 4, LINES_UTF8_BAD, 0},
    {"FF byte", "\xFF", 1, LINES_UTF8_BAD, 0},
    {"stray continuation", "abcdefghij\x80", 11, LINES_UTF8_BAD, 10},
    {"truncated 2 at end", "abc\xC3", 4, LINES_UTF8_BAD, 3},
    {"truncated 3 at end", "\xE2\x82", 2, LINES_UTF8_BAD, 0},
    {"truncated 4 mid", "\xF0\x9F\x98z", 4, LINES_UTF8_BAD, 0},
    {"nul in word", "abcdefg\0ijklmnop", 16, LINES_UTF8_NUL, 7},
    {"nul short", "a\0", 2, LINES_UTF8_NUL, 1},
    {"empty", "", 0, LINES_UTF8_OK, 0},
};

static void test_utf8(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ucases) / sizeof(ucases[0]); i++) {
		size_t bad = 999;
		enum lines_utf8 got = lines_utf8_check(ucases[i].s, ucases[i].len, &bad);

		if (got != ucases[i].want)
			fail_msg("%s: got %d want %d", ucases[i].name, got, ucases[i].want);
		if (got != LINES_UTF8_OK && bad != ucases[i].bad)
			fail_msg("%s: bad at %zu want %zu", ucases[i].name, bad, ucases[i].bad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),      cmocka_unit_test(test_eof_sticky),
	    cmocka_unit_test(test_read_error), cmocka_unit_test(test_peek),
	    cmocka_unit_test(test_slurp),      cmocka_unit_test(test_progress_and_bounded),
	    cmocka_unit_test(test_utf8),       cmocka_unit_test(test_overlong_not_buffered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
