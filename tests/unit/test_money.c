/*
 * test_money.c - exact money: parsing, formatting, rounding, line and tax
 * arithmetic, FX, allocation and the ISO 4217 table (src/core/money.h).
 *
 * Table-driven: each table row is one case, and a failing row names its
 * index and input.  Expected values are worked out by hand in the comments
 * (or, for the Xero rounding examples, from Xero's published numbers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/money.h"

__extension__ typedef __int128 i128;

#define N(a)     (sizeof(a) / sizeof((a)[0]))
#define SENTINEL INT64_C(0x5a5a5a5a5a5a5a5a)
#define AWAY     MONEY_HALF_AWAY
#define EVEN     MONEY_HALF_EVEN
#define TRUNC    MONEY_TOWARD_ZERO

/* ------------------------------------------------------------------ */
/* money_parse_fixed and shorthands */

struct parse_case {
	const char *s;
	int scale, max;
	int rc;
	int64_t v;
};

static const struct parse_case parse_cases[] = {
    /* signs and zero */
    {"0", 6, 6, BS_OK, 0},
    {"-0", 6, 6, BS_OK, 0},
    {"+0", 6, 6, BS_OK, 0},
    {"-0.000", 6, 6, BS_OK, 0},
    {"0.0000000000000", 6, 2, BS_OK, 0}, /* zeros are never significant */
    {"1", 6, 6, BS_OK, 1000000},
    {"-1", 6, 6, BS_OK, -1000000},
    {"+1", 6, 6, BS_OK, 1000000},
    {"1.5", 6, 6, BS_OK, 1500000},
    {"-1.5", 6, 6, BS_OK, -1500000},
    {"12.34", 6, 2, BS_OK, 12340000},
    {"-12.34", 6, 2, BS_OK, -12340000},
    {"0.1", 6, 6, BS_OK, 100000}, /* exactly, unlike a double */
    {"0.000001", 6, 6, BS_OK, 1},
    {"-0.000001", 6, 6, BS_OK, -1},
    {"00001.2300", 6, 6, BS_OK, 1230000},
    {"007", 6, 0, BS_OK, 7000000},
    /* "1." and ".5" */
    {"1.", 6, 6, BS_OK, 1000000},
    {".5", 6, 6, BS_OK, 500000},
    {"-.5", 6, 6, BS_OK, -500000},
    {"+.5", 6, 6, BS_OK, 500000},
    {"-1.", 6, 0, BS_OK, -1000000},
    /* 6 vs 7 decimals; trailing zeros do not count */
    {"1.123456", 6, 6, BS_OK, 1123456},
    {"1.1234567", 6, 6, BS_EDIGITS, 0},
    {"0.0000001", 6, 6, BS_EDIGITS, 0},
    {"-0.0000001", 6, 6, BS_EDIGITS, 0},
    {"1.1234560", 6, 6, BS_OK, 1123456},
    {"1.0000000000000000000000", 6, 6, BS_OK, 1000000},
    {"1.500", 6, 1, BS_OK, 1500000},
    {"1.55", 6, 1, BS_EDIGITS, 0},
    {"12.340", 6, 2, BS_OK, 12340000},
    {"12.345", 6, 2, BS_EDIGITS, 0},
    {"12.0", 6, 0, BS_OK, 12000000},
    {"12.5", 6, 0, BS_EDIGITS, 0},
    /* exponents */
    {"1e3", 6, 6, BS_OK, 1000000000},
    {"1E3", 6, 6, BS_OK, 1000000000},
    {"1e+3", 6, 6, BS_OK, 1000000000},
    {"1e03", 6, 6, BS_OK, 1000000000},
    {"-2.5e2", 6, 0, BS_OK, -250000000},
    {"1.5E-2", 6, 6, BS_OK, 15000},
    {"1.5E-2", 6, 3, BS_OK, 15000}, /* 0.015 */
    {"1.5E-2", 6, 2, BS_EDIGITS, 0},
    {"1e-6", 6, 6, BS_OK, 1},
    {"1e-7", 6, 6, BS_EDIGITS, 0},
    {"10e-7", 6, 6, BS_OK, 1},
    {"100e-8", 6, 6, BS_OK, 1},
    {"1.e2", 6, 6, BS_OK, 100000000},
    {".5e1", 6, 0, BS_OK, 5000000},
    {"1e0", 6, 0, BS_OK, 1000000},
    {"1e-0", 6, 0, BS_OK, 1000000},
    {"123456e-3", 6, 3, BS_OK, 123456000},
    {"0.00123e3", 6, 2, BS_OK, 1230000},
    /* huge exponents: answered at once, never a loop over the exponent */
    {"1e999999999999999999999999", 6, 6, BS_ERANGE, 0},
    {"1e19", 0, 0, BS_ERANGE, 0},
    {"1e18", 0, 0, BS_OK, INT64_C(1000000000000000000)},
    {"-1e99999999999", 6, 6, BS_ERANGE, 0},
    {"1e-999999999999999999999999", 6, 6, BS_EDIGITS, 0},
    {"0e999999999999999999999999", 6, 6, BS_OK, 0},
    {"0.000e-99999999999999999", 6, 6, BS_OK, 0},
    {"-0e5", 6, 6, BS_OK, 0},
    /* int64 boundaries at scale 6 */
    {"9223372036854.775807", 6, 6, BS_OK, INT64_MAX},
    {"9223372036854.775808", 6, 6, BS_ERANGE, 0},
    {"-9223372036854.775808", 6, 6, BS_OK, INT64_MIN},
    {"-9223372036854.775809", 6, 6, BS_ERANGE, 0},
    {"9223372036854.775807000", 6, 6, BS_OK, INT64_MAX},
    {"9223372036854775807e-6", 6, 6, BS_OK, INT64_MAX},
    {"0.9223372036854775807e13", 6, 6, BS_OK, INT64_MAX},
    {"9223372036855", 6, 6, BS_ERANGE, 0},
    {"9223372036854", 6, 0, BS_OK, INT64_C(9223372036854000000)},
    {"12345678901234567890123", 6, 6, BS_ERANGE, 0},
    {"99999999999999999999999999999999999999999999", 6, 6, BS_ERANGE, 0},
    /* digits are checked before range */
    {"123456789012345678901234.1234567", 6, 6, BS_EDIGITS, 0},
    /* scale 0 and 18 */
    {"9223372036854775807", 0, 0, BS_OK, INT64_MAX},
    {"9223372036854775808", 0, 0, BS_ERANGE, 0},
    {"-9223372036854775808", 0, 0, BS_OK, INT64_MIN},
    {"-9223372036854775809", 0, 0, BS_ERANGE, 0},
    {"18446744073709551616", 0, 0, BS_ERANGE, 0},
    {"9.223372036854775807", 18, 18, BS_OK, INT64_MAX},
    {"0.000000000000000001", 18, 18, BS_OK, 1},
    {"0.0000000000000000001", 18, 18, BS_EDIGITS, 0},
    {"10", 18, 18, BS_ERANGE, 0},
    /* malformed */
    {"", 6, 6, BS_EPARSE, 0},
    {".", 6, 6, BS_EPARSE, 0},
    {"-", 6, 6, BS_EPARSE, 0},
    {"+", 6, 6, BS_EPARSE, 0},
    {"-.", 6, 6, BS_EPARSE, 0},
    {" 1", 6, 6, BS_EPARSE, 0},
    {"1 ", 6, 6, BS_EPARSE, 0},
    {"\t1", 6, 6, BS_EPARSE, 0},
    {"1\n", 6, 6, BS_EPARSE, 0},
    {"1,5", 6, 6, BS_EPARSE, 0},
    {"1_000", 6, 6, BS_EPARSE, 0},
    {"0x10", 6, 6, BS_EPARSE, 0},
    {"0X1p3", 6, 6, BS_EPARSE, 0},
    {"inf", 6, 6, BS_EPARSE, 0},
    {"-Infinity", 6, 6, BS_EPARSE, 0},
    {"nan", 6, 6, BS_EPARSE, 0},
    {"NaN", 6, 6, BS_EPARSE, 0},
    {"--1", 6, 6, BS_EPARSE, 0},
    {"+-1", 6, 6, BS_EPARSE, 0},
    {"1-", 6, 6, BS_EPARSE, 0},
    {"1..2", 6, 6, BS_EPARSE, 0},
    {"1.2.3", 6, 6, BS_EPARSE, 0},
    {"1e", 6, 6, BS_EPARSE, 0},
    {"1e+", 6, 6, BS_EPARSE, 0},
    {"1e-", 6, 6, BS_EPARSE, 0},
    {"e5", 6, 6, BS_EPARSE, 0},
    {".e5", 6, 6, BS_EPARSE, 0},
    {"-e5", 6, 6, BS_EPARSE, 0},
    {"1e2.5", 6, 6, BS_EPARSE, 0},
    {"1e3e3", 6, 6, BS_EPARSE, 0},
    {"1ee3", 6, 6, BS_EPARSE, 0},
    {"1e--3", 6, 6, BS_EPARSE, 0},
    {"\xd9\xa1", 6, 6, BS_EPARSE, 0}, /* Arabic-Indic one */
    {"１", 6, 6, BS_EPARSE, 0},       /* full-width one */
    {"\"1\"", 6, 6, BS_EPARSE, 0},
    {"12.3x", 6, 6, BS_EPARSE, 0},
    {"1e999999999999999999999999x", 6, 6, BS_EPARSE, 0}, /* grammar first */
    /* bad arguments */
    {"1", 19, 6, BS_EINVAL, 0},
    {"1", -1, 0, BS_EINVAL, 0},
    {"1", 6, 7, BS_EINVAL, 0},
    {"1", 6, -1, BS_EINVAL, 0},
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		int64_t v = SENTINEL;
		int rc = money_parse_fixed(c->s, strlen(c->s), c->scale, c->max, &v);

		if (rc != c->rc)
			fail_msg("case %zu \"%s\" (scale %d, max %d): rc %d, want %d", i, c->s,
			         c->scale, c->max, rc, c->rc);
		if (rc == BS_OK && v != c->v)
			fail_msg("case %zu \"%s\": %lld, want %lld", i, c->s, (long long)v,
			         (long long)c->v);
		if (rc != BS_OK && v != SENTINEL)
			fail_msg("case %zu \"%s\": output written on error", i, c->s);
	}
}

/* money_check_text: the decimal text docs/records.md asks for, nothing more. */
static void test_check_text(void **state)
{
	static const struct {
		const char *s;
		int rc;
	} cases[] = {
	    {"0", BS_OK},
	    {"-0", BS_OK},
	    {"12.30", BS_OK},
	    {"-12.30", BS_OK},
	    {"007", BS_OK}, /* leading zeros: as the parser takes them */
	    {"0.000001", BS_OK},
	    {"123456789012345678901234567890", BS_OK}, /* the form only: range is the parser's */
	    {"1e3", BS_EPARSE},                        /* exponents: a JSON number's, not text */
	    {"1E3", BS_EPARSE},
	    {"1.5e-2", BS_EPARSE},
	    {"0e0", BS_EPARSE},
	    {"+12.30", BS_EPARSE}, /* no '+' */
	    {"+0", BS_EPARSE},
	    {".5", BS_EPARSE}, /* a digit before the '.' */
	    {"-.5", BS_EPARSE},
	    {"5.", BS_EPARSE}, /* and one after it */
	    {"-5.", BS_EPARSE},
	    {".", BS_EPARSE},
	    {"", BS_EPARSE},
	    {"-", BS_EPARSE},
	    {"--1", BS_EPARSE},
	    {"1.2.3", BS_EPARSE},
	    {" 1", BS_EPARSE},
	    {"1 ", BS_EPARSE},
	    {"1,000.00", BS_EPARSE},
	    {"12.3x", BS_EPARSE},
	    {"0x10", BS_EPARSE},
	    {"Infinity", BS_EPARSE},
	    {"NaN", BS_EPARSE},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		int rc = money_check_text(cases[i].s, strlen(cases[i].s));

		if (rc != cases[i].rc)
			fail_msg("case %zu \"%s\": rc %d, want %d", i, cases[i].s, rc, cases[i].rc);
	}
	/* n bounds the text: "1.5" of "1.5e3", "5" of "5.", nothing past n read */
	assert_int_equal(money_check_text("1.5e3", 3), BS_OK);
	assert_int_equal(money_check_text("5.", 1), BS_OK);
	assert_int_equal(money_check_text("5.x", 2), BS_EPARSE);
	assert_int_equal(money_check_text("1\0", 2), BS_EPARSE);
	assert_int_equal(money_check_text(NULL, 0), BS_EPARSE);
}

static void test_parse_lengths(void **state)
{
	int64_t v = SENTINEL;

	(void)state;
	/* n bounds the text: no NUL needed, nothing past n read. */
	assert_int_equal(money_parse("12.345xyz", 6, 6, &v), BS_OK);
	assert_int_equal(v, 12345000);
	assert_int_equal(money_parse("12.345xyz", 2, 6, &v), BS_OK);
	assert_int_equal(v, 12000000);
	assert_int_equal(money_parse("12.345xyz", 3, 6, &v), BS_OK); /* "12." */
	assert_int_equal(v, 12000000);
	v = SENTINEL;
	assert_int_equal(money_parse("1", 0, 6, &v), BS_EPARSE);
	assert_int_equal(money_parse("1\0", 2, 6, &v), BS_EPARSE); /* embedded NUL */
	assert_int_equal(money_parse(NULL, 0, 6, &v), BS_EPARSE);
	assert_int_equal(money_parse(NULL, 3, 6, &v), BS_EINVAL);
	assert_int_equal(v, SENTINEL);
	assert_int_equal(money_parse("1", 1, 6, NULL), BS_EINVAL);
	assert_int_equal(money_parse_fx("1", 1, NULL), BS_EINVAL);
	/* money_parse is scale 6 with the given max */
	assert_int_equal(money_parse("3.33333", 7, 6, &v), BS_OK);
	assert_int_equal(v, 3333330);
	assert_int_equal(money_parse("3.33333", 7, 4, &v), BS_EDIGITS);
	assert_int_equal(money_parse("3.333333", 8, 7, &v), BS_EINVAL);
}

static void test_parse_long_input(void **state)
{
	static char s[20000];
	int64_t v;

	(void)state;
	/* 1 followed by 19,998 zeros and a 1 after the point: EDIGITS. */
	memset(s, '0', sizeof(s));
	s[0] = '1';
	s[10000] = '.';
	s[sizeof(s) - 1] = '1';
	assert_int_equal(money_parse(s, sizeof(s), 6, &v), BS_EDIGITS);
	/* All zeros with a point: zero, however long. */
	s[0] = '0';
	s[sizeof(s) - 1] = '0';
	assert_int_equal(money_parse(s, sizeof(s), 6, &v), BS_OK);
	assert_int_equal(v, 0);
	/* Leading zeros do not count towards range. */
	s[10000 - 1] = '5';
	assert_int_equal(money_parse(s, sizeof(s), 6, &v), BS_OK);
	assert_int_equal(v, 5000000);
	/* A long integer: ERANGE. */
	s[0] = '9';
	assert_int_equal(money_parse(s, sizeof(s), 6, &v), BS_ERANGE);
}

struct short_case {
	int kind; /* 0 qty, 1 pct, 2 fx */
	const char *s;
	int rc;
	int64_t v;
};

static const struct short_case short_cases[] = {
    {0, "2", BS_OK, 20000},
    {0, "2.0000", BS_OK, 20000},
    {0, "0.0001", BS_OK, 1},
    {0, "0.00001", BS_EDIGITS, 0},
    {0, "0.00010", BS_OK, 1},
    {0, "-3.5", BS_OK, -35000},
    {0, "1e3", BS_OK, 10000000},
    {0, "922337203685477.5807", BS_OK, INT64_MAX},
    {0, "922337203685477.5808", BS_ERANGE, 0},
    {1, "15", BS_OK, 150000},
    {1, "12.5", BS_OK, 125000},
    {1, "9.5", BS_OK, 95000},
    {1, "100", BS_OK, 1000000},
    {1, "0.0001", BS_OK, 1},
    {1, "0.00005", BS_EDIGITS, 0},
    {1, "-5", BS_OK, -50000}, /* any sign: callers range-check */
    {2, "1", BS_OK, INT64_C(10000000000)},
    {2, "1.000000", BS_OK, INT64_C(10000000000)},
    {2, "0.75", BS_OK, INT64_C(7500000000)},
    {2, "1.5e-3", BS_OK, INT64_C(15000000)},
    {2, "0.6142857143", BS_OK, INT64_C(6142857143)},      /* 10 significant */
    {2, "1.234567890", BS_OK, INT64_C(12345678900)},      /* 10 significant */
    {2, "1.2345678901", BS_EDIGITS, 0},                   /* 11 significant */
    {2, "12345678901", BS_EDIGITS, 0},                    /* 11 significant, too big too */
    {2, "922337203.6854775807", BS_EDIGITS, 0},           /* 19 significant */
    {2, "0.0000000001", BS_OK, 1},                        /* 1 significant */
    {2, "0.00000000001", BS_EDIGITS, 0},                  /* 11 decimals */
    {2, "0.00000000010", BS_OK, 1},                       /* trailing zero */
    {2, "1000000000000000000000000000000", BS_ERANGE, 0}, /* 1 significant */
    {2, "922337203", BS_OK, INT64_C(9223372030000000000)},
    {2, "922337204", BS_ERANGE, 0},
    {2, "1e9", BS_ERANGE, 0},
    {2, "0", BS_ERANGE, 0},
    {2, "-0", BS_ERANGE, 0},
    {2, "0.000", BS_ERANGE, 0},
    {2, "-0.5", BS_ERANGE, 0},
    {2, "-1.2345678901", BS_EDIGITS, 0},
    {2, "", BS_EPARSE, 0},
    {2, "1/3", BS_EPARSE, 0},
};

static void test_parse_shorthands(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(short_cases); i++) {
		const struct short_case *c = &short_cases[i];
		int64_t v = SENTINEL;
		size_t n = strlen(c->s);
		int rc = c->kind == 0   ? money_parse_qty(c->s, n, &v)
		         : c->kind == 1 ? money_parse_pct(c->s, n, &v)
		                        : money_parse_fx(c->s, n, &v);

		if (rc != c->rc)
			fail_msg("case %zu \"%s\": rc %d, want %d", i, c->s, rc, c->rc);
		if (rc == BS_OK && v != c->v)
			fail_msg("case %zu \"%s\": %lld, want %lld", i, c->s, (long long)v,
			         (long long)c->v);
		if (rc != BS_OK && v != SENTINEL)
			fail_msg("case %zu \"%s\": output written on error", i, c->s);
	}
}

/* ------------------------------------------------------------------ */
/* money_format */

struct format_case {
	int64_t v;
	int scale, min;
	const char *want; /* NULL: BS_EINVAL */
};

static const struct format_case format_cases[] = {
    {12300000, 6, 2, "12.30"},
    {-5, 6, 0, "-0.000005"},
    {0, 6, 2, "0.00"},
    {0, 6, 0, "0"},
    {0, 0, 0, "0"},
    {7000000, 6, 0, "7"},
    {7000000, 6, 6, "7.000000"},
    {-7000000, 6, 2, "-7.00"},
    {-1500000, 6, 2, "-1.50"},
    {-1500000, 6, 0, "-1.5"},
    {1234567, 6, 3, "1.234567"},
    {1234567, 6, 6, "1.234567"},
    {100, 6, 2, "0.0001"},
    {10000, 6, 2, "0.01"},
    {-10000, 6, 2, "-0.01"},
    {123, 0, 0, "123"},
    {-123, 0, 0, "-123"},
    {150000, 4, 2, "15.00"},
    {-10000, 4, 4, "-1.0000"},
    {20000, 4, 4, "2.0000"},
    {INT64_C(7500000000), 10, 0, "0.75"},
    {INT64_C(10000000000), 10, 6, "1.000000"},
    {INT64_MAX, 6, 0, "9223372036854.775807"},
    {INT64_MIN, 6, 0, "-9223372036854.775808"},
    {INT64_MAX, 0, 0, "9223372036854775807"},
    {INT64_MIN, 0, 0, "-9223372036854775808"},
    {INT64_MAX, 18, 0, "9.223372036854775807"},
    {INT64_MIN, 18, 0, "-9.223372036854775808"},
    {1, 18, 0, "0.000000000000000001"},
    {-1, 18, 18, "-0.000000000000000001"},
    {0, 18, 18, "0.000000000000000000"},
    {1000000, 6, 7, NULL},
    {1000000, 19, 0, NULL},
    {1000000, -1, 0, NULL},
    {1000000, 6, -1, NULL},
};

static void test_format_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(format_cases); i++) {
		const struct format_case *c = &format_cases[i];
		struct buf b;
		int rc;

		char text[MONEY_TEXT_MAX];
		size_t n;

		buf_init(&b, 0);
		rc = money_format(&b, c->v, c->scale, c->min);
		if (c->want == NULL) {
			if (rc != BS_EINVAL || b.len != 0)
				fail_msg("case %zu: rc %d, want EINVAL and nothing written", i, rc);
		} else if (rc != BS_OK || strcmp(buf_cstr(&b), c->want) != 0) {
			fail_msg("case %zu: rc %d \"%s\", want \"%s\"", i, rc, buf_cstr(&b),
			         c->want);
		}
		/* money_text: the same text, its length; 0 and "" where refused */
		n = money_text(c->v, c->scale, c->min, text);
		if (c->want == NULL ? n != 0 || text[0] != '\0'
		                    : n != strlen(c->want) || strcmp(text, c->want) != 0)
			fail_msg("case %zu: money_text %zu \"%s\", want \"%s\"", i, n, text,
			         c->want != NULL ? c->want : "");
		buf_free(&b);
	}
}

static void test_format_buffer(void **state)
{
	struct buf b;

	(void)state;
	/* appends to what is there */
	buf_init(&b, 0);
	assert_int_equal(buf_addstr(&b, "Total: "), BS_OK);
	assert_int_equal(money_format(&b, 1990000, 6, 2), BS_OK);
	assert_string_equal(buf_cstr(&b), "Total: 1.99");
	buf_free(&b);
	/* a bounded buffer that cannot take it is left unchanged */
	buf_init(&b, 8);
	assert_int_equal(buf_addstr(&b, "ab"), BS_OK);
	assert_int_equal(money_format(&b, -1234567, 6, 2), BS_ETOOBIG); /* "-1.234567" */
	assert_string_equal(buf_cstr(&b), "ab");
	assert_int_equal(money_format(&b, 1230000, 6, 2), BS_OK); /* "1.23" fits */
	assert_string_equal(buf_cstr(&b), "ab1.23");
	buf_free(&b);
	assert_int_equal(money_format(NULL, 1, 6, 2), BS_EINVAL);
}

/* format -> parse gives back the same value for every scale and min_dp */
static void test_format_parse_roundtrip(void **state)
{
	static const int64_t values[] = {
	    0,
	    1,
	    -1,
	    9,
	    10,
	    99,
	    100,
	    123456789,
	    -987654,
	    1000000,
	    -1000000,
	    1234567,
	    INT64_MAX,
	    INT64_MIN,
	    INT64_MAX - 1,
	    INT64_MIN + 1,
	    500000,
	    -500000,
	    999999999999,
	    42,
	};

	(void)state;
	for (size_t i = 0; i < N(values); i++) {
		for (int scale = 0; scale <= 18; scale++) {
			for (int min = 0; min <= scale; min += (scale > 4 ? 3 : 1)) {
				struct buf b;
				int64_t back = SENTINEL;

				buf_init(&b, 0);
				assert_int_equal(money_format(&b, values[i], scale, min), BS_OK);
				if (money_parse_fixed(b.ptr, b.len, scale, scale, &back) != BS_OK ||
				    back != values[i])
					fail_msg(
					    "%lld at scale %d min %d: \"%s\" parsed back as %lld",
					    (long long)values[i], scale, min, buf_cstr(&b),
					    (long long)back);
				buf_free(&b);
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* money_round */

struct round_case {
	int64_t v;
	int scale, dp;
	enum money_round mode;
	int rc;
	int64_t want;
};

static const struct round_case round_cases[] = {
    /* the header's example */
    {1234567, 6, 2, AWAY, BS_OK, 1230000},
    {1234567, 6, 2, EVEN, BS_OK, 1230000},
    {1234567, 6, 2, TRUNC, BS_OK, 1230000},
    /* exact midpoints at 2 dp: 1.235, 1.245 */
    {1235000, 6, 2, AWAY, BS_OK, 1240000},
    {1235000, 6, 2, EVEN, BS_OK, 1240000}, /* 3 odd -> 4 */
    {1235000, 6, 2, TRUNC, BS_OK, 1230000},
    {1245000, 6, 2, AWAY, BS_OK, 1250000},
    {1245000, 6, 2, EVEN, BS_OK, 1240000}, /* 4 even stays */
    {-1235000, 6, 2, AWAY, BS_OK, -1240000},
    {-1235000, 6, 2, EVEN, BS_OK, -1240000},
    {-1235000, 6, 2, TRUNC, BS_OK, -1230000},
    {-1245000, 6, 2, AWAY, BS_OK, -1250000},
    {-1245000, 6, 2, EVEN, BS_OK, -1240000},
    /* just off the midpoint: every mode but truncation agrees */
    {1234999, 6, 2, AWAY, BS_OK, 1230000},
    {1234999, 6, 2, EVEN, BS_OK, 1230000},
    {1235001, 6, 2, AWAY, BS_OK, 1240000},
    {1235001, 6, 2, EVEN, BS_OK, 1240000},
    {1244999, 6, 2, EVEN, BS_OK, 1240000},
    {1245001, 6, 2, EVEN, BS_OK, 1250000},
    {-1234999, 6, 2, AWAY, BS_OK, -1230000},
    {-1235001, 6, 2, AWAY, BS_OK, -1240000},
    {-1245001, 6, 2, EVEN, BS_OK, -1250000},
    {-1244999, 6, 2, EVEN, BS_OK, -1240000},
    {1239999, 6, 2, TRUNC, BS_OK, 1230000},
    {-1239999, 6, 2, TRUNC, BS_OK, -1230000},
    /* around zero: half a cent */
    {5000, 6, 2, AWAY, BS_OK, 10000},
    {5000, 6, 2, EVEN, BS_OK, 0},
    {-5000, 6, 2, AWAY, BS_OK, -10000},
    {-5000, 6, 2, EVEN, BS_OK, 0},
    {4999, 6, 2, AWAY, BS_OK, 0},
    {-4999, 6, 2, AWAY, BS_OK, 0},
    {15000, 6, 2, EVEN, BS_OK, 20000},
    {25000, 6, 2, EVEN, BS_OK, 20000},
    {-25000, 6, 2, EVEN, BS_OK, -20000},
    {-15000, 6, 2, EVEN, BS_OK, -20000},
    {0, 6, 2, AWAY, BS_OK, 0},
    {0, 6, 0, EVEN, BS_OK, 0},
    /* the header's 2.5 / 3.5 */
    {2500000, 6, 0, AWAY, BS_OK, 3000000},
    {2500000, 6, 0, EVEN, BS_OK, 2000000},
    {3500000, 6, 0, EVEN, BS_OK, 4000000},
    {-2500000, 6, 0, AWAY, BS_OK, -3000000},
    {-2500000, 6, 0, EVEN, BS_OK, -2000000},
    {-3500000, 6, 0, EVEN, BS_OK, -4000000},
    {2499999, 6, 0, AWAY, BS_OK, 2000000},
    {2500001, 6, 0, EVEN, BS_OK, 3000000},
    /* 3 dp (KWD) and 4 dp (Xero unit prices) */
    {1234500, 6, 3, AWAY, BS_OK, 1235000},
    {1234500, 6, 3, EVEN, BS_OK, 1234000},
    {3333330, 6, 4, AWAY, BS_OK, 3333300},
    {1234567, 6, 4, AWAY, BS_OK, 1234600},
    {1234550, 6, 4, AWAY, BS_OK, 1234600},
    {1234550, 6, 4, EVEN, BS_OK, 1234600}, /* 5 odd -> 6 */
    {1234650, 6, 4, EVEN, BS_OK, 1234600},
    /* other scales */
    {125, 2, 1, AWAY, BS_OK, 130},
    {125, 2, 1, EVEN, BS_OK, 120},
    {150000, 4, 0, AWAY, BS_OK, 150000},
    {155000, 4, 0, AWAY, BS_OK, 160000},
    {INT64_C(15000000000), 10, 0, EVEN, BS_OK, INT64_C(20000000000)},
    {INT64_MAX, 18, 0, AWAY, BS_OK, INT64_C(9000000000000000000)},
    {INT64_MIN, 18, 0, AWAY, BS_OK, INT64_C(-9000000000000000000)},
    /* dp == scale: identity */
    {INT64_MAX, 6, 6, AWAY, BS_OK, INT64_MAX},
    {INT64_MIN, 6, 6, EVEN, BS_OK, INT64_MIN},
    {-7, 0, 0, AWAY, BS_OK, -7},
    /* overflow when rounding away near the int64 ends */
    {INT64_MAX, 6, 2, AWAY, BS_ERANGE, 0}, /* ...854.775807 -> .78 */
    {INT64_MAX, 6, 2, EVEN, BS_ERANGE, 0},
    {INT64_MAX, 6, 2, TRUNC, BS_OK, INT64_C(9223372036854770000)},
    {INT64_MIN, 6, 2, AWAY, BS_ERANGE, 0},
    {INT64_MIN, 6, 2, TRUNC, BS_OK, INT64_C(-9223372036854770000)},
    {INT64_MAX, 6, 0, AWAY, BS_ERANGE, 0},
    {INT64_C(9223372036854774999), 6, 2, AWAY, BS_OK, INT64_C(9223372036854770000)},
    {INT64_MAX, 0, 0, AWAY, BS_OK, INT64_MAX},
    /* bad arguments */
    {1, 6, 7, AWAY, BS_EINVAL, 0},
    {1, 6, -1, AWAY, BS_EINVAL, 0},
    {1, 19, 2, AWAY, BS_EINVAL, 0},
    {1, -1, 0, AWAY, BS_EINVAL, 0},
    {1, 6, 2, (enum money_round)42, BS_EINVAL, 0},
};

static void test_round_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(round_cases); i++) {
		const struct round_case *c = &round_cases[i];
		int64_t r = SENTINEL;
		int rc = money_round(c->v, c->scale, c->dp, c->mode, &r);

		if (rc != c->rc)
			fail_msg("case %zu (%lld, %d->%d, mode %d): rc %d, want %d", i,
			         (long long)c->v, c->scale, c->dp, c->mode, rc, c->rc);
		if (rc == BS_OK && r != c->want)
			fail_msg("case %zu (%lld, %d->%d, mode %d): %lld, want %lld", i,
			         (long long)c->v, c->scale, c->dp, c->mode, (long long)r,
			         (long long)c->want);
		if (rc != BS_OK && r != SENTINEL)
			fail_msg("case %zu: output written on error", i);
	}
	assert_int_equal(money_round(1, 6, 2, AWAY, NULL), BS_EINVAL);
}

/* rounding twice changes nothing; the result is a multiple of the unit
 * and within half a unit (a whole unit when truncating) */
static void test_round_properties(void **state)
{
	uint64_t x = 88172645463325252u;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		int64_t v, r, r2, unit;
		int dp;
		enum money_round mode = (enum money_round)(i % 3);

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		v = (int64_t)x >> (x % 50);
		dp = (int)(x % 7);
		unit = money_unit(dp);
		if (money_round(v, 6, dp, mode, &r) != BS_OK)
			continue;
		assert_int_equal(r % unit, 0);
		assert_int_equal(money_round(r, 6, dp, mode, &r2), BS_OK);
		assert_int_equal(r, r2);
		if (mode == TRUNC)
			assert_true((i128)r - v < unit && (i128)v - r < unit);
		else
			assert_true(2 * ((i128)r - v) <= unit && 2 * ((i128)v - r) <= unit);
	}
}

/* ------------------------------------------------------------------ */
/* money_muldiv, add, sub, neg */

struct muldiv_case {
	int64_t a, b, d;
	enum money_round mode;
	int rc;
	int64_t want;
};

static const struct muldiv_case muldiv_cases[] = {
    {7, 1, 2, AWAY, BS_OK, 4},
    {7, 1, 2, EVEN, BS_OK, 4},
    {7, 1, 2, TRUNC, BS_OK, 3},
    {5, 1, 2, AWAY, BS_OK, 3},
    {5, 1, 2, EVEN, BS_OK, 2},
    {-5, 1, 2, AWAY, BS_OK, -3},
    {-5, 1, 2, EVEN, BS_OK, -2},
    {-7, 1, 2, AWAY, BS_OK, -4},
    {-7, 1, 2, EVEN, BS_OK, -4},
    {-7, 1, 2, TRUNC, BS_OK, -3},
    {7, 1, -2, AWAY, BS_OK, -4}, /* the sign of the divisor counts */
    {-7, 1, -2, AWAY, BS_OK, 4},
    {7, -1, -2, EVEN, BS_OK, 4},
    {1, 1, 3, AWAY, BS_OK, 0},
    {2, 1, 3, AWAY, BS_OK, 1},
    {-2, 1, 3, AWAY, BS_OK, -1},
    {-2, 1, 3, EVEN, BS_OK, -1},
    {-2, 1, 3, TRUNC, BS_OK, 0},
    {-1, 1, 3, AWAY, BS_OK, 0},
    {10, 1, 4, EVEN, BS_OK, 2},   /* 2.5 */
    {14, 1, 4, EVEN, BS_OK, 4},   /* 3.5 */
    {-10, 1, 4, EVEN, BS_OK, -2}, /* -2.5 */
    {-14, 1, 4, EVEN, BS_OK, -4}, /* -3.5 */
    {11, 1, 4, AWAY, BS_OK, 3},   /* 2.75 */
    {9, 1, 4, AWAY, BS_OK, 2},    /* 2.25 */
    {-9, 1, 4, AWAY, BS_OK, -2},
    {-11, 1, 4, EVEN, BS_OK, -3},
    {0, 5, 3, AWAY, BS_OK, 0},
    /* 12.34 * 15% in micros: 12340000 * 150000 / 1000000 = 1851000 */
    {12340000, 150000, 1000000, AWAY, BS_OK, 1851000},
    /* products beyond int64 are fine when the quotient fits */
    {INT64_MAX, INT64_MAX, INT64_MAX, AWAY, BS_OK, INT64_MAX},
    {INT64_MIN, INT64_MIN, INT64_MIN, AWAY, BS_OK, INT64_MIN},
    {INT64_MAX, 2, 2, AWAY, BS_OK, INT64_MAX},
    {INT64_MIN, 3, 3, EVEN, BS_OK, INT64_MIN},
    {INT64_MAX, INT64_MAX, INT64_MIN, TRUNC, BS_OK, -INT64_MAX + 1},
    {INT64_MIN, INT64_MAX, INT64_MAX, AWAY, BS_OK, INT64_MIN},
    {1, 1, INT64_MIN, AWAY, BS_OK, 0},
    /* quotients beyond int64 */
    {INT64_MIN, -1, 1, AWAY, BS_ERANGE, 0},
    {INT64_MIN, 1, -1, AWAY, BS_ERANGE, 0},
    {INT64_MAX, 2, 1, AWAY, BS_ERANGE, 0},
    {INT64_MAX, INT64_MAX, 1, AWAY, BS_ERANGE, 0},
    {INT64_MAX, 3, 2, TRUNC, BS_ERANGE, 0},
    /* one past INT64_MAX, exactly 2^63, and the largest that fits */
    {INT64_C(4611686018427387904), 4, 2, AWAY, BS_ERANGE, 0},
    {INT64_C(4611686018427387904), -4, 2, AWAY, BS_OK, INT64_MIN},
    {INT64_MAX, 4, 4, EVEN, BS_OK, INT64_MAX},
    /* bad arguments */
    {1, 1, 0, AWAY, BS_EINVAL, 0},
    {1, 1, 1, (enum money_round) - 1, BS_EINVAL, 0},
};

static void test_muldiv_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(muldiv_cases); i++) {
		const struct muldiv_case *c = &muldiv_cases[i];
		int64_t r = SENTINEL;
		int rc = money_muldiv(c->a, c->b, c->d, c->mode, &r);

		if (rc != c->rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, c->rc);
		if (rc == BS_OK && r != c->want)
			fail_msg("case %zu: %lld, want %lld", i, (long long)r, (long long)c->want);
		if (rc != BS_OK && r != SENTINEL)
			fail_msg("case %zu: output written on error", i);
	}
	assert_int_equal(money_muldiv(1, 1, 1, AWAY, NULL), BS_EINVAL);
}

static void test_add_sub_neg(void **state)
{
	int64_t r = SENTINEL;

	(void)state;
	assert_int_equal(money_add(1500000, 2500000, &r), BS_OK);
	assert_int_equal(r, 4000000);
	assert_int_equal(money_add(-1, 1, &r), BS_OK);
	assert_int_equal(r, 0);
	assert_int_equal(money_add(INT64_MAX, 0, &r), BS_OK);
	assert_int_equal(r, INT64_MAX);
	assert_int_equal(money_add(INT64_MAX, -1, &r), BS_OK);
	assert_int_equal(r, INT64_MAX - 1);
	assert_int_equal(money_add(INT64_MAX, INT64_MIN, &r), BS_OK);
	assert_int_equal(r, -1);
	r = SENTINEL;
	assert_int_equal(money_add(INT64_MAX, 1, &r), BS_ERANGE);
	assert_int_equal(money_add(INT64_MIN, -1, &r), BS_ERANGE);
	assert_int_equal(money_add(INT64_MIN, INT64_MIN, &r), BS_ERANGE);
	assert_int_equal(r, SENTINEL);

	assert_int_equal(money_sub(1000000, 2500000, &r), BS_OK);
	assert_int_equal(r, -1500000);
	assert_int_equal(money_sub(INT64_MIN, INT64_MIN, &r), BS_OK);
	assert_int_equal(r, 0);
	assert_int_equal(money_sub(-1, INT64_MAX, &r), BS_OK);
	assert_int_equal(r, INT64_MIN);
	r = SENTINEL;
	assert_int_equal(money_sub(INT64_MIN, 1, &r), BS_ERANGE);
	assert_int_equal(money_sub(0, INT64_MIN, &r), BS_ERANGE);
	assert_int_equal(money_sub(INT64_MAX, -1, &r), BS_ERANGE);
	assert_int_equal(r, SENTINEL);

	assert_int_equal(money_neg(5, &r), BS_OK);
	assert_int_equal(r, -5);
	assert_int_equal(money_neg(0, &r), BS_OK);
	assert_int_equal(r, 0);
	assert_int_equal(money_neg(INT64_MAX, &r), BS_OK);
	assert_int_equal(r, -INT64_MAX);
	r = SENTINEL;
	assert_int_equal(money_neg(INT64_MIN, &r), BS_ERANGE);
	assert_int_equal(r, SENTINEL);

	assert_int_equal(money_add(1, 1, NULL), BS_EINVAL);
	assert_int_equal(money_sub(1, 1, NULL), BS_EINVAL);
	assert_int_equal(money_neg(1, NULL), BS_EINVAL);
}

/* ------------------------------------------------------------------ */
/* money_line_amount */

struct line_case {
	int64_t qty, price, disc;
	int dp;
	enum money_round mode;
	int rc;
	int64_t want;
};

static const struct line_case line_cases[] = {
    /* docs/rounding.md: a 6-dp source price; Xero rounds unit prices to 4 dp.
     * 3 x 3.33333 = 9.99999 -> 10.00; 3 x 3.3333 = 9.9999 -> 10.00 */
    {30000, 3333330, 0, 2, AWAY, BS_OK, 10000000},
    {30000, 3333300, 0, 2, AWAY, BS_OK, 10000000},
    {30000, 3333330, 0, 2, TRUNC, BS_OK, 9990000},
    {30000, 3333330, 0, 6, AWAY, BS_OK, 9999990},
    /* where the 4-dp price does change the line: 1000 x 1.234567 =
     * 1234.567 -> 1234.57, but 1000 x 1.2346 = 1234.60 */
    {10000000, 1234567, 0, 2, AWAY, BS_OK, 1234570000},
    {10000000, 1234600, 0, 2, AWAY, BS_OK, 1234600000},
    /* midpoints: 2.5 x 10.01 = 25.025 */
    {25000, 10010000, 0, 2, AWAY, BS_OK, 25030000},
    {25000, 10010000, 0, 2, EVEN, BS_OK, 25020000},
    {25000, 10010000, 0, 2, TRUNC, BS_OK, 25020000},
    {-25000, 10010000, 0, 2, AWAY, BS_OK, -25030000},
    {-25000, 10010000, 0, 2, EVEN, BS_OK, -25020000},
    /* discounts: 1 x 100.00 less 12.5% = 87.50 */
    {10000, 100000000, 125000, 2, AWAY, BS_OK, 87500000},
    /* 3 x 19.99 less 10% = 53.973 */
    {30000, 19990000, 100000, 2, AWAY, BS_OK, 53970000},
    /* rounded once: 3 x 1.115 = 3.345 less 10% = 3.0105 -> 3.01; rounding
     * the gross first would give 3.35 x 0.9 = 3.015 -> 3.02 */
    {30000, 1115000, 100000, 2, AWAY, BS_OK, 3010000},
    /* 0.3333% off 3 x 7.00: 21 x 0.996667 = 20.930007 */
    {30000, 7000000, 3333, 2, AWAY, BS_OK, 20930000},
    {30000, 7000000, 3333, 6, AWAY, BS_OK, 20930007},
    {10000, 100000000, 1000000, 2, AWAY, BS_OK, 0},  /* 100% off */
    {10000, 100000000, 999999, 6, AWAY, BS_OK, 100}, /* 99.9999% off */
    {10000, 100000000, 1000001, 2, AWAY, BS_ERANGE, 0},
    {10000, 100000000, -1, 2, AWAY, BS_ERANGE, 0},
    /* negative quantities and prices */
    {-20000, 5555000, 0, 2, AWAY, BS_OK, -11110000},
    {-10000, 5000, 0, 2, AWAY, BS_OK, -10000}, /* -0.005 */
    {-10000, 5000, 0, 2, EVEN, BS_OK, 0},
    {20000, -1250000, 0, 1, AWAY, BS_OK, -2500000},
    {-20000, -1250000, 0, 2, AWAY, BS_OK, 2500000},
    /* fractional quantities: 0.0001 x 0.01 = 0.000001 */
    {1, 10000, 0, 6, AWAY, BS_OK, 1},
    {1, 10000, 0, 2, AWAY, BS_OK, 0},
    {12345, 1000000, 0, 2, AWAY, BS_OK, 1230000}, /* 1.2345 -> 1.23 */
    {12350, 1000000, 0, 2, AWAY, BS_OK, 1240000}, /* 1.235 -> 1.24 */
    /* JPY (0 dp): 3 x 333.5 = 1000.5; KWD (3 dp): 1 x 1.2345 */
    {30000, 333500000, 0, 0, AWAY, BS_OK, 1001000000},
    {30000, 333500000, 0, 0, EVEN, BS_OK, 1000000000},
    {10000, 1234500, 0, 3, AWAY, BS_OK, 1235000},
    {10000, 1234500, 0, 3, EVEN, BS_OK, 1234000},
    {0, INT64_MAX, 500000, 2, AWAY, BS_OK, 0},
    /* int64 boundary: 1 x max price stays, rounding it up overflows */
    {10000, INT64_MAX, 0, 6, AWAY, BS_OK, INT64_MAX},
    {10000, INT64_MIN, 0, 6, AWAY, BS_OK, INT64_MIN},
    {10000, INT64_MAX, 0, 2, AWAY, BS_ERANGE, 0},
    {10000, INT64_MAX, 0, 2, TRUNC, BS_OK, INT64_C(9223372036854770000)},
    /* overflow in the final narrowing: 10^9 x 10^7 units */
    {INT64_C(10000000000000), INT64_C(10000000000000), 0, 2, AWAY, BS_ERANGE, 0},
    /* overflow of the int128 product itself */
    {INT64_MAX, INT64_MAX, 0, 2, AWAY, BS_ERANGE, 0},
    {INT64_MIN, INT64_MIN, 0, 2, AWAY, BS_ERANGE, 0},
    /* the product fits int128 when nearly all is discounted; still too big */
    {INT64_MAX, INT64_MAX, 999999, 2, AWAY, BS_ERANGE, 0},
    /* bad arguments */
    {10000, 1000000, 0, 7, AWAY, BS_EINVAL, 0},
    {10000, 1000000, 0, -1, AWAY, BS_EINVAL, 0},
    {10000, 1000000, 0, 2, (enum money_round)3, BS_EINVAL, 0},
};

static void test_line_amount_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(line_cases); i++) {
		const struct line_case *c = &line_cases[i];
		int64_t r = SENTINEL;
		int rc = money_line_amount(c->qty, c->price, c->disc, c->dp, c->mode, &r);

		if (rc != c->rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, c->rc);
		if (rc == BS_OK && r != c->want)
			fail_msg("case %zu: %lld, want %lld", i, (long long)r, (long long)c->want);
		if (rc != BS_OK && r != SENTINEL)
			fail_msg("case %zu: output written on error", i);
	}
	assert_int_equal(money_line_amount(1, 1, 0, 2, AWAY, NULL), BS_EINVAL);
}

/* The docs/rounding.md flow: the source line at its 6-dp price, the
 * ledger's line at the price rounded to 4 dp, and the difference D. */
static void test_line_amount_xero_unitdp(void **state)
{
	int64_t p4, src, ledger;

	(void)state;
	/* 3 x 3.33333: both 10.00, no correction */
	assert_int_equal(money_round(3333330, MONEY_DP, 4, AWAY, &p4), BS_OK);
	assert_int_equal(p4, 3333300);
	assert_int_equal(money_line_amount(30000, 3333330, 0, 2, AWAY, &src), BS_OK);
	assert_int_equal(money_line_amount(30000, p4, 0, 2, AWAY, &ledger), BS_OK);
	assert_int_equal(src, 10000000);
	assert_int_equal(ledger, src);
	/* 7 x 0.142857 = 0.999999 -> 1.00; at 4 dp 7 x 0.1429 = 1.0003 ->
	 * 1.00: the same again */
	assert_int_equal(money_round(142857, MONEY_DP, 4, AWAY, &p4), BS_OK);
	assert_int_equal(money_line_amount(70000, 142857, 0, 2, AWAY, &src), BS_OK);
	assert_int_equal(money_line_amount(70000, p4, 0, 2, AWAY, &ledger), BS_OK);
	assert_int_equal(src, 1000000);
	assert_int_equal(ledger, 1000000);
	/* 1000 x 1.234567: 1234.57 vs 1234.60, D = 0.03 >= 2 cents */
	assert_int_equal(money_round(1234567, MONEY_DP, 4, AWAY, &p4), BS_OK);
	assert_int_equal(money_line_amount(10000000, 1234567, 0, 2, AWAY, &src), BS_OK);
	assert_int_equal(money_line_amount(10000000, p4, 0, 2, AWAY, &ledger), BS_OK);
	assert_int_equal(ledger - src, 30000);
	/* 100 x 2.00004: 200.004 -> 200.00 vs 100 x 2.0000 = 200.00; but
	 * 300 x 2.00004 = 600.012 -> 600.01 vs 600.00: D = -0.01 < 2 cents */
	assert_int_equal(money_round(2000040, MONEY_DP, 4, AWAY, &p4), BS_OK);
	assert_int_equal(p4, 2000000);
	assert_int_equal(money_line_amount(3000000, 2000040, 0, 2, AWAY, &src), BS_OK);
	assert_int_equal(money_line_amount(3000000, p4, 0, 2, AWAY, &ledger), BS_OK);
	assert_int_equal(src, 600010000);
	assert_int_equal(ledger - src, -10000);
}

/* ------------------------------------------------------------------ */
/* money_tax */

struct tax_case {
	int64_t amount, rate;
	enum money_tax_mode tmode;
	int dp;
	enum money_round mode;
	int rc;
	int64_t want;
};

#define EXCL MONEY_TAX_EXCLUSIVE
#define INCL MONEY_TAX_INCLUSIVE
#define NOTX MONEY_TAX_NONE

static const struct tax_case tax_cases[] = {
    {100000000, 150000, EXCL, 2, AWAY, BS_OK, 15000000},
    {20020000, 150000, EXCL, 2, AWAY, BS_OK, 3000000},  /* 3.003 */
    {28140000, 150000, EXCL, 2, AWAY, BS_OK, 4220000},  /* 4.221 */
    {76300000, 150000, EXCL, 2, AWAY, BS_OK, 11450000}, /* 11.445 */
    {76300000, 150000, EXCL, 2, EVEN, BS_OK, 11440000},
    {10300000, 150000, EXCL, 2, AWAY, BS_OK, 1550000}, /* 1.545 */
    {10300000, 150000, EXCL, 2, EVEN, BS_OK, 1540000},
    {10300000, 150000, EXCL, 2, TRUNC, BS_OK, 1540000},
    {10300000, 150000, EXCL, 6, AWAY, BS_OK, 1545000},
    {-10050000, 150000, EXCL, 2, AWAY, BS_OK, -1510000}, /* -1.5075 */
    {-10300000, 150000, EXCL, 2, AWAY, BS_OK, -1550000},
    {-10300000, 150000, EXCL, 2, EVEN, BS_OK, -1540000},
    {30000, 150000, EXCL, 2, AWAY, BS_OK, 0}, /* 0.0045 */
    {100000000, 0, EXCL, 2, AWAY, BS_OK, 0},
    {99990000, 125000, EXCL, 2, AWAY, BS_OK, 12500000}, /* 12.49875 */
    {100000000, 1, EXCL, 6, AWAY, BS_OK, 100},          /* 0.0001% of 100 */
    /* inclusive: 20.00 at 15% = 2.6087 -> 2.61 */
    {20000000, 150000, INCL, 2, AWAY, BS_OK, 2610000},
    {115000000, 150000, INCL, 2, AWAY, BS_OK, 15000000},
    /* the spec example (LineAmount 20.00, TaxAmount 1.74) needs a rate in
     * [9.50%, 9.55%]: 9.5% gives 1.7352 */
    {20000000, 95000, INCL, 2, AWAY, BS_OK, 1740000},
    {20000000, 94900, INCL, 2, AWAY, BS_OK, 1730000},  /* 1.7335 */
    {20000000, 95500, INCL, 2, AWAY, BS_OK, 1740000},  /* 1.7435 */
    {20000000, 95600, INCL, 2, AWAY, BS_OK, 1750000},  /* 1.7451 */
    {20000000, 100000, INCL, 2, AWAY, BS_OK, 1820000}, /* 1.8181 */
    {-20000000, 150000, INCL, 2, AWAY, BS_OK, -2610000},
    {100000000, 1000000, INCL, 2, AWAY, BS_OK, 50000000}, /* 100% */
    {1000000000, 100000, INCL, 0, AWAY, BS_OK, 91000000}, /* JPY 90.909 */
    {1000000000, 100000, EXCL, 0, AWAY, BS_OK, 100000000},
    {1234000, 50000, EXCL, 3, AWAY, BS_OK, 62000}, /* KWD 0.0617 */
    {1234000, 50000, EXCL, 3, TRUNC, BS_OK, 61000},
    /* inclusive and exact: 8.05 at 15% = 1.05, a midpoint at 1 dp */
    {8050000, 150000, INCL, 2, AWAY, BS_OK, 1050000},
    {8050000, 150000, INCL, 1, AWAY, BS_OK, 1100000}, /* 1.05 -> 1.1 */
    {8050000, 150000, INCL, 1, EVEN, BS_OK, 1000000}, /* 1.05 -> 1.0 */
    /* none: zero whatever the rate */
    {100000000, 150000, NOTX, 2, AWAY, BS_OK, 0},
    {INT64_MAX, INT64_MAX, NOTX, 2, AWAY, BS_OK, 0},
    /* overflow: 9.2e12 units at 1000% */
    {INT64_MAX, 10000000, EXCL, 2, AWAY, BS_ERANGE, 0},
    {INT64_MAX, 1000000, EXCL, 6, AWAY, BS_OK, INT64_MAX},
    {INT64_MAX, 1000000, EXCL, 2, AWAY, BS_ERANGE, 0},
    {INT64_MAX, INT64_MAX, INCL, 6, AWAY, BS_OK, INT64_C(9223372036853775807)},
    /* bad arguments */
    {100000000, -1, EXCL, 2, AWAY, BS_ERANGE, 0},
    {100000000, -1000000, INCL, 2, AWAY, BS_ERANGE, 0},
    {100000000, 150000, (enum money_tax_mode)7, 2, AWAY, BS_EINVAL, 0},
    {100000000, 150000, EXCL, 7, AWAY, BS_EINVAL, 0},
    {100000000, 150000, EXCL, 2, (enum money_round)9, BS_EINVAL, 0},
};

static void test_tax_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(tax_cases); i++) {
		const struct tax_case *c = &tax_cases[i];
		int64_t r = SENTINEL;
		int rc = money_tax(c->amount, c->rate, c->tmode, c->dp, c->mode, &r);

		if (rc != c->rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, c->rc);
		if (rc == BS_OK && r != c->want)
			fail_msg("case %zu: %lld, want %lld", i, (long long)r, (long long)c->want);
		if (rc != BS_OK && r != SENTINEL)
			fail_msg("case %zu: output written on error", i);
	}
	assert_int_equal(money_tax(1, 1, EXCL, 2, AWAY, NULL), BS_EINVAL);
}

/* Xero's rounding guide: three 15% lines whose per-line tax sums to 11.44,
 * where taxing the subtotal gives 11.45.  Lines 20.02, 28.14, 28.14. */
static void test_tax_xero_per_line(void **state)
{
	static const int64_t lines[] = {20020000, 28140000, 28140000};
	int64_t per_line = 0, subtotal = 0, t, sub_tax;

	(void)state;
	for (size_t i = 0; i < N(lines); i++) {
		assert_int_equal(money_tax(lines[i], 150000, EXCL, 2, AWAY, &t), BS_OK);
		assert_int_equal(money_add(per_line, t, &per_line), BS_OK);
		assert_int_equal(money_add(subtotal, lines[i], &subtotal), BS_OK);
	}
	assert_int_equal(subtotal, 76300000);
	assert_int_equal(per_line, 11440000);
	assert_int_equal(money_tax(subtotal, 150000, EXCL, 2, AWAY, &sub_tax), BS_OK);
	assert_int_equal(sub_tax, 11450000);
	/* the same lines built from quantities and prices */
	per_line = 0;
	assert_int_equal(money_line_amount(20000, 10010000, 0, 2, AWAY, &t), BS_OK); /* 2 x 10.01 */
	assert_int_equal(t, 20020000);
	assert_int_equal(money_tax(t, 150000, EXCL, 2, AWAY, &t), BS_OK);
	per_line += t;
	assert_int_equal(money_line_amount(40000, 7035000, 0, 2, AWAY, &t), BS_OK); /* 4 x 7.035 */
	assert_int_equal(t, 28140000);
	assert_int_equal(money_tax(t, 150000, EXCL, 2, AWAY, &t), BS_OK);
	per_line += 2 * t;
	assert_int_equal(per_line, 11440000);
}

/* ------------------------------------------------------------------ */
/* money_convert, money_fx_invert */

static void test_convert(void **state)
{
	static const struct {
		int64_t amount, fx;
		int dp;
		enum money_round mode;
		int rc;
		int64_t want;
	} cases[] = {
	    {100000000, INT64_C(7500000000), 2, AWAY, BS_OK, 75000000},
	    {10010000, INT64_C(3333333330), 2, AWAY, BS_OK, 3340000}, /* 3.3366666 */
	    {-10010000, INT64_C(3333333330), 2, AWAY, BS_OK, -3340000},
	    {50000, INT64_C(5000000000), 2, AWAY, BS_OK, 30000}, /* 0.025 */
	    {50000, INT64_C(5000000000), 2, EVEN, BS_OK, 20000},
	    {-50000, INT64_C(5000000000), 2, AWAY, BS_OK, -30000},
	    {-50000, INT64_C(5000000000), 2, EVEN, BS_OK, -20000},
	    {50000, INT64_C(5000000000), 2, TRUNC, BS_OK, 20000},
	    /* JPY 1000 at 0.0112345678 NZD = 11.2345678 */
	    {1000000000, INT64_C(112345678), 2, AWAY, BS_OK, 11230000},
	    {1000000000, INT64_C(112345678), 6, AWAY, BS_OK, 11234568},
	    /* NZD 10.00 at 89.123 JPY/NZD = 891.23 -> 891 */
	    {10000000, INT64_C(891230000000), 0, AWAY, BS_OK, 891000000},
	    {1, 1, 6, AWAY, BS_OK, 0}, /* 1e-6 x 1e-10 */
	    {0, INT64_C(10000000000), 2, AWAY, BS_OK, 0},
	    {INT64_MAX, INT64_C(10000000000), 6, AWAY, BS_OK, INT64_MAX},
	    {INT64_MIN, INT64_C(10000000000), 6, AWAY, BS_OK, INT64_MIN},
	    {INT64_MAX, INT64_C(20000000000), 6, AWAY, BS_ERANGE, 0},
	    {INT64_MAX, INT64_MAX, 2, AWAY, BS_ERANGE, 0},
	    {100, 0, 2, AWAY, BS_ERANGE, 0},
	    {100, -1, 2, AWAY, BS_ERANGE, 0},
	    {100, 1, 7, AWAY, BS_EINVAL, 0},
	    {100, 1, 2, (enum money_round)5, BS_EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		int64_t r = SENTINEL;
		int rc =
		    money_convert(cases[i].amount, cases[i].fx, cases[i].dp, cases[i].mode, &r);

		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, cases[i].rc);
		if (rc == BS_OK && r != cases[i].want)
			fail_msg("case %zu: %lld, want %lld", i, (long long)r,
			         (long long)cases[i].want);
		if (rc != BS_OK && r != SENTINEL)
			fail_msg("case %zu: output written on error", i);
	}
	assert_int_equal(money_convert(1, 1, 2, AWAY, NULL), BS_EINVAL);
}

static void test_fx_invert(void **state)
{
	static const struct {
		int64_t fx;
		int dp;
		enum money_round mode;
		int rc;
		int64_t want;
	} cases[] = {
	    {INT64_C(7500000000), 6, AWAY, BS_OK, 1333333}, /* 1/0.75 */
	    {INT64_C(6000000000), 6, AWAY, BS_OK, 1666667}, /* 1/0.6 */
	    {INT64_C(6000000000), 6, TRUNC, BS_OK, 1666666},
	    {INT64_C(10000000000), 6, AWAY, BS_OK, 1000000}, /* 1 */
	    {INT64_C(20000000000), 6, AWAY, BS_OK, 500000},  /* 0.5 */
	    {INT64_C(30000000000), 2, AWAY, BS_OK, 330000},  /* 0.333.. */
	    {INT64_C(80000000000), 2, AWAY, BS_OK, 130000},  /* 0.125 */
	    {INT64_C(80000000000), 2, EVEN, BS_OK, 120000},
	    {INT64_C(6142857143), 6, AWAY, BS_OK, 1627907},  /* 1.62790697.. */
	    {1, 6, AWAY, BS_OK, INT64_C(10000000000000000)}, /* 1/1e-10 = 1e10 */
	    {INT64_MAX, 6, AWAY, BS_OK, 0},                  /* 1/9.2e8 */
	    {0, 6, AWAY, BS_ERANGE, 0},
	    {-INT64_C(10000000000), 6, AWAY, BS_ERANGE, 0},
	    {INT64_C(10000000000), 7, AWAY, BS_EINVAL, 0},
	    {INT64_C(10000000000), -1, AWAY, BS_EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		int64_t r = SENTINEL;
		int rc = money_fx_invert(cases[i].fx, cases[i].dp, cases[i].mode, &r);

		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, cases[i].rc);
		if (rc == BS_OK && r != cases[i].want)
			fail_msg("case %zu: %lld, want %lld", i, (long long)r,
			         (long long)cases[i].want);
		if (rc != BS_OK && r != SENTINEL)
			fail_msg("case %zu: output written on error", i);
	}
	assert_int_equal(money_fx_invert(1, 2, AWAY, NULL), BS_EINVAL);
}

/* ------------------------------------------------------------------ */
/* money_allocate */

struct alloc_case {
	int64_t total;
	int dp;
	size_t n;
	int64_t w[8];
	int rc;
	int64_t want[8];
};

static const struct alloc_case alloc_cases[] = {
    {100000000, 2, 3, {1, 1, 1}, BS_OK, {33340000, 33330000, 33330000}},
    {-100000000, 2, 3, {1, 1, 1}, BS_OK, {-33340000, -33330000, -33330000}},
    {100000000, 2, 3, {-1, -1, -1}, BS_OK, {33340000, 33330000, 33330000}},
    {100000000, 2, 3, {5, 5, 5}, BS_OK, {33340000, 33330000, 33330000}},
    {100000000,
     2,
     6,
     {1, 1, 1, 1, 1, 1},
     BS_OK,
     {16670000, 16670000, 16670000, 16670000, 16660000, 16660000}},
    {10000000, 2, 4, {1, 2, 3, 4}, BS_OK, {1000000, 2000000, 3000000, 4000000}},
    {50000, 2, 2, {1, 1}, BS_OK, {30000, 20000}},
    {1000000, 2, 2, {2, 1}, BS_OK, {670000, 330000}},
    {1000000, 2, 2, {1, 2}, BS_OK, {330000, 670000}}, /* largest remainder, not first */
    {1000000, 2, 3, {1, 3, 2}, BS_OK, {170000, 500000, 330000}},
    {5000000, 2, 3, {0, 1, 0}, BS_OK, {0, 5000000, 0}},
    {5000000, 2, 3, {0, 0, 0}, BS_EINVAL, {0}},
    {5000000, 2, 2, {1, -1}, BS_EINVAL, {0}},
    {5000000, 2, 0, {1}, BS_EINVAL, {0}},
    /* mixed signs */
    {10000000, 2, 2, {3, -1}, BS_OK, {15000000, -5000000}},
    {1000000, 2, 3, {1, 1, -1}, BS_OK, {1000000, 1000000, -1000000}},
    {1000000, 2, 3, {2, 2, -1}, BS_OK, {670000, 670000, -340000}},
    {-1000000, 2, 2, {-1, -2}, BS_OK, {-330000, -670000}},
    {-1000000, 2, 2, {1, 2}, BS_OK, {-330000, -670000}},
    /* weights with a zero sum of cents: 0 total */
    {0, 2, 3, {1, 2, 3}, BS_OK, {0, 0, 0}},
    /* other exponents: JPY 1000 / 3, 1 micro / 2, KWD 1.000 / 3 */
    {1000000000, 0, 3, {1, 1, 1}, BS_OK, {334000000, 333000000, 333000000}},
    {1, 6, 2, {1, 1}, BS_OK, {1, 0}},
    {1000000, 3, 3, {1, 1, 1}, BS_OK, {334000, 333000, 333000}},
    /* total not a whole number of units */
    {100001000, 2, 3, {1, 1, 1}, BS_EINVAL, {0}},
    {1000000, 7, 3, {1, 1, 1}, BS_EINVAL, {0}},
    /* int64 ends */
    {INT64_MAX, 6, 2, {1, 1}, BS_OK, {INT64_C(4611686018427387904), INT64_C(4611686018427387903)}},
    {INT64_MIN,
     6,
     2,
     {1, 1},
     BS_OK,
     {INT64_C(-4611686018427387904), INT64_C(-4611686018427387904)}},
    {INT64_MIN, 6, 1, {7}, BS_OK, {INT64_MIN}},
    {INT64_MAX,
     6,
     2,
     {INT64_MAX, INT64_MAX},
     BS_OK,
     {INT64_C(4611686018427387904), INT64_C(4611686018427387903)}},
    {INT64_MAX,
     6,
     2,
     {INT64_MIN, INT64_MIN},
     BS_OK,
     {INT64_C(4611686018427387904), INT64_C(4611686018427387903)}},
    {INT64_MAX, 6, 2, {2, -1}, BS_ERANGE, {0}},
    {INT64_MIN, 6, 2, {2, -1}, BS_ERANGE, {0}},
    {INT64_MAX, 6, 2, {INT64_MAX, INT64_MIN}, BS_ERANGE, {0}},
};

static void test_allocate_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(alloc_cases); i++) {
		const struct alloc_case *c = &alloc_cases[i];
		int64_t out[8];
		int rc;

		for (size_t j = 0; j < 8; j++)
			out[j] = SENTINEL;
		rc = money_allocate(c->total, c->w, c->n, c->dp, out);
		if (rc != c->rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, c->rc);
		for (size_t j = 0; j < c->n; j++) {
			if (rc == BS_OK && out[j] != c->want[j])
				fail_msg("case %zu part %zu: %lld, want %lld", i, j,
				         (long long)out[j], (long long)c->want[j]);
			if (rc != BS_OK && out[j] != SENTINEL)
				fail_msg("case %zu: output written on error", i);
		}
	}
	assert_int_equal(money_allocate(100, NULL, 1, 2, (int64_t[1]){0}), BS_EINVAL);
	assert_int_equal(money_allocate(100, (int64_t[1]){1}, 1, 6, NULL), BS_EINVAL);
}

static void test_allocate_ties_many(void **state)
{
	int64_t w[10], out[10];

	(void)state;
	/* 0.07 over ten equal weights: the first seven get a cent */
	for (size_t i = 0; i < 10; i++)
		w[i] = 1;
	assert_int_equal(money_allocate(70000, w, 10, 2, out), BS_OK);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(out[i], i < 7 ? 10000 : 0);
	/* -0.07: the same, negated */
	assert_int_equal(money_allocate(-70000, w, 10, 2, out), BS_OK);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(out[i], i < 7 ? -10000 : 0);
	/* unequal remainders win over index: weights 1..10, total 1.00 (55 parts):
	 * exact shares 100*k/55 cents; floors sum to 95, the 5 largest
	 * fractions are k = 7 (.727), 3 (.454)... computed below */
	for (size_t i = 0; i < 10; i++)
		w[i] = (int64_t)i + 1;
	assert_int_equal(money_allocate(1000000, w, 10, 2, out), BS_OK);
	{
		/* 100k/55: 1.818 3.636 5.454 7.272 9.090 10.909 12.727 14.545
		 * 16.363 18.181 -> floors 1 3 5 7 9 10 12 14 16 18 (sum 95);
		 * fractions .818 .636 .454 .272 .090 .909 .727 .545 .363 .181;
		 * the 5 largest: k=6 .909, k=1 .818, k=7 .727, k=2 .636, k=8 .545 */
		static const int64_t want[10] = {2, 4, 5, 7, 9, 11, 13, 15, 16, 18};

		for (size_t i = 0; i < 10; i++)
			assert_int_equal(out[i], want[i] * 10000);
	}
}

/* Random allocations: the parts always sum to the total and each part is
 * within one unit of its exact share (floor or ceiling). */
static void test_allocate_properties(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15u;

	(void)state;
	for (int iter = 0; iter < 5000; iter++) {
		int64_t w[12], out[12], total, unit;
		size_t n;
		int dp, rc;
		i128 wsum = 0, sum = 0;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = 1 + x % 12;
		dp = (int)((x >> 8) % 7);
		unit = money_unit(dp);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* small, large, negative and zero weights */
			w[i] = (int64_t)(x >> (x % 64)) * ((x & 1) && iter % 3 == 0 ? -1 : 1);
			if (x % 7 == 0)
				w[i] = 0;
			wsum += w[i];
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		total = ((int64_t)x >> (x % 60)) / unit * unit;
		rc = money_allocate(total, w, n, dp, out);
		if (wsum == 0) {
			assert_int_equal(rc, BS_EINVAL);
			continue;
		}
		if (rc == BS_ERANGE)
			continue; /* a part beyond int64 (mixed signs) */
		assert_int_equal(rc, BS_OK);
		for (size_t i = 0; i < n; i++) {
			/* the part, in units, is the floor or the ceiling of the
			 * exact share T*w/W (|T*w| <= 2^126 fits int128) */
			i128 num = (i128)(total / unit) * w[i] * (wsum < 0 ? -1 : 1);
			i128 den = wsum < 0 ? -wsum : wsum;
			i128 fl = num / den - (num % den < 0 ? 1 : 0);
			i128 part = out[i] / unit;

			assert_int_equal(out[i] % unit, 0);
			if (!(part == fl || (part == fl + 1 && num % den != 0)))
				fail_msg("iter %d part %zu: %lld is not the floor or ceiling of "
				         "its share",
				         iter, i, (long long)out[i]);
			sum += out[i];
		}
		assert_true(sum == total);
	}
}

/* ------------------------------------------------------------------ */
/* ISO 4217 */

static void test_currency_exponent(void **state)
{
	static const struct {
		const char *code;
		int want;
	} cases[] = {
	    {"NZD", 2},
	    {"USD", 2},
	    {"EUR", 2},
	    {"GBP", 2},
	    {"AUD", 2},
	    {"CAD", 2},
	    {"CHF", 2},
	    {"CNY", 2},
	    {"INR", 2},
	    {"MGA", 2},
	    {"MRU", 2},
	    {"XCG", 2},
	    {"ZWG", 2},
	    {"SLE", 2},
	    {"VED", 2},
	    {"XAD", 2},
	    {"AED", 2},
	    {"HUF", 2},
	    {"IDR", 2},
	    {"COU", 2},
	    {"USN", 2},
	    {"MXV", 2},
	    {"CHE", 2},
	    {"BOV", 2},
	    {"JPY", 0},
	    {"KRW", 0},
	    {"VND", 0},
	    {"CLP", 0},
	    {"ISK", 0},
	    {"UGX", 0},
	    {"XAF", 0},
	    {"XOF", 0},
	    {"XPF", 0},
	    {"PYG", 0},
	    {"RWF", 0},
	    {"KMF", 0},
	    {"GNF", 0},
	    {"DJF", 0},
	    {"VUV", 0},
	    {"BIF", 0},
	    {"UYI", 0},
	    {"BHD", 3},
	    {"IQD", 3},
	    {"JOD", 3},
	    {"KWD", 3},
	    {"LYD", 3},
	    {"OMR", 3},
	    {"TND", 3},
	    {"CLF", 4},
	    {"UYW", 4},
	    /* not in the table */
	    {"ABC", BS_ENOTFOUND},
	    {"usd", BS_ENOTFOUND},
	    {"Usd", BS_ENOTFOUND},
	    {"", BS_ENOTFOUND},
	    {"U", BS_ENOTFOUND},
	    {"US", BS_ENOTFOUND},
	    {"USDX", BS_ENOTFOUND},
	    {"USD ", BS_ENOTFOUND},
	    {" USD", BS_ENOTFOUND},
	    {"XAU", BS_ENOTFOUND},
	    {"XXX", BS_ENOTFOUND},
	    {"XDR", BS_ENOTFOUND},
	    {"XTS", BS_ENOTFOUND},
	    {"HRK", BS_ENOTFOUND},
	    {"AAA", BS_ENOTFOUND},
	    {"ZZZ", BS_ENOTFOUND},
	    {"ZZ", BS_ENOTFOUND},
	    {"AED\x01", BS_ENOTFOUND},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		int got = money_currency_exponent(cases[i].code);

		if (got != cases[i].want)
			fail_msg("\"%s\": %d, want %d", cases[i].code, got, cases[i].want);
	}
	assert_int_equal(money_currency_exponent(NULL), BS_EINVAL);
}

/* Every three-letter code: the table (165 active codes with a minor unit)
 * is found entry by entry, so it must be sorted, and holds only 0..4. */
static void test_currency_table_complete(void **state)
{
	char code[4] = {0};
	int found = 0, by_exp[5] = {0};

	(void)state;
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++)
			for (char c = 'A'; c <= 'Z'; c++) {
				int e;

				code[0] = a, code[1] = b, code[2] = c;
				e = money_currency_exponent(code);
				if (e == BS_ENOTFOUND)
					continue;
				assert_true(e >= 0 && e <= 4);
				by_exp[e]++;
				found++;
			}
	assert_int_equal(found, 165);
	assert_int_equal(by_exp[0], 17);
	assert_int_equal(by_exp[1], 0);
	assert_int_equal(by_exp[3], 7);
	assert_int_equal(by_exp[4], 2);
}

static void test_unit(void **state)
{
	(void)state;
	assert_int_equal(money_unit(0), 1000000);
	assert_int_equal(money_unit(2), 10000);
	assert_int_equal(money_unit(3), 1000);
	assert_int_equal(money_unit(4), 100);
	assert_int_equal(money_unit(6), 1);
	assert_int_equal(money_unit(-1), 0);
	assert_int_equal(money_unit(7), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_table),
	    cmocka_unit_test(test_check_text),
	    cmocka_unit_test(test_parse_lengths),
	    cmocka_unit_test(test_parse_long_input),
	    cmocka_unit_test(test_parse_shorthands),
	    cmocka_unit_test(test_format_table),
	    cmocka_unit_test(test_format_buffer),
	    cmocka_unit_test(test_format_parse_roundtrip),
	    cmocka_unit_test(test_round_table),
	    cmocka_unit_test(test_round_properties),
	    cmocka_unit_test(test_muldiv_table),
	    cmocka_unit_test(test_add_sub_neg),
	    cmocka_unit_test(test_line_amount_table),
	    cmocka_unit_test(test_line_amount_xero_unitdp),
	    cmocka_unit_test(test_tax_table),
	    cmocka_unit_test(test_tax_xero_per_line),
	    cmocka_unit_test(test_convert),
	    cmocka_unit_test(test_fx_invert),
	    cmocka_unit_test(test_allocate_table),
	    cmocka_unit_test(test_allocate_ties_many),
	    cmocka_unit_test(test_allocate_properties),
	    cmocka_unit_test(test_currency_exponent),
	    cmocka_unit_test(test_currency_table_complete),
	    cmocka_unit_test(test_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
