/*
 * test_civil.c - ledger dates and times to and from ms since the epoch
 * (src/core/civil.h), table-driven.  Expected values are worked out by hand
 * or with `date -u -d ... +%s%3N`, named in each row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/civil.h"
#include "core/error.h"

#define N(a)      (sizeof(a) / sizeof((a)[0]))
#define UNTOUCHED INT64_C(0x5a5a5a5a5a5a5a5a)

static void test_parse(void **state)
{
	static const struct {
		const char *in;
		int rc;
		int64_t ms;
	} t[] = {
	    /* Xero's JSON dates: the ms are UTC, the offset only for show */
	    {"/Date(1556236800000+0000)/", BS_OK, INT64_C(1556236800000)},
	    {"/Date(1556236800000+1200)/", BS_OK, INT64_C(1556236800000)},
	    {"/Date(1556236800000)/", BS_OK, INT64_C(1556236800000)},
	    {"/Date(-86400000)/", BS_OK, INT64_C(-86400000)},
	    {"/Date(0)/", BS_OK, 0},
	    {"/Date()/", BS_EPARSE, 0},
	    {"/Date(12x)/", BS_EPARSE, 0},
	    {"/Date(12)", BS_EPARSE, 0},
	    {"/Date(99999999999999999999)/", BS_EPARSE, 0},
	    /* ISO dates: 2019-04-26 = date -u -d 2019-04-26 +%s%3N */
	    {"2019-04-26", BS_OK, INT64_C(1556236800000)},
	    {"1970-01-01", BS_OK, 0},
	    {"1969-12-31", BS_OK, INT64_C(-86400000)},
	    {"2000-02-29", BS_OK, INT64_C(951782400000)},
	    {"2019-04-26T10:20:30", BS_OK, INT64_C(1556274030000)},
	    {"2019-04-26 10:20:30", BS_OK, INT64_C(1556274030000)},
	    {"2019-04-26T10:20:30Z", BS_OK, INT64_C(1556274030000)},
	    {"2019-04-26T10:20:30.5", BS_OK, INT64_C(1556274030500)},
	    {"2019-04-26T10:20:30.123456", BS_OK, INT64_C(1556274030123)},
	    /* QBO's offsets: local = UTC + offset */
	    {"2019-04-26T10:20:30-07:00", BS_OK, INT64_C(1556299230000)},
	    {"2019-04-26T10:20:30+12:00", BS_OK, INT64_C(1556230830000)},
	    {"2019-04-26T00:00:00+00:00", BS_OK, INT64_C(1556236800000)},
	    /* refused, *ms untouched */
	    {NULL, BS_EPARSE, 0},
	    {"", BS_EPARSE, 0},
	    {"2019-4-26", BS_EPARSE, 0},
	    {"2019-13-01", BS_EPARSE, 0},
	    {"2019-00-10", BS_EPARSE, 0},
	    {"2019-04-32", BS_EPARSE, 0},
	    {"2019-04-26T24:00:00", BS_EPARSE, 0},
	    {"2019-04-26T10:60:00", BS_EPARSE, 0},
	    {"2019-04-26T10:20", BS_EPARSE, 0},
	    {"2019-04-26T10:20:30.", BS_EPARSE, 0},
	    {"2019-04-26T10:20:30+0700", BS_EPARSE, 0},
	    {"2019-04-26T10:20:30+07:60", BS_EPARSE, 0},
	    {"2019-04-26X", BS_EPARSE, 0},
	    {"2019-04-26T10:20:30Zjunk", BS_EPARSE, 0},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		int64_t ms = UNTOUCHED;
		int rc = civil_parse(t[i].in, &ms);

		if (rc != t[i].rc || (rc == BS_OK && ms != t[i].ms) ||
		    (rc != BS_OK && ms != UNTOUCHED))
			fail_msg("row %zu (%s): rc %d ms %lld", i, t[i].in ? t[i].in : "NULL", rc,
			         (long long)ms);
	}
}

static void test_format(void **state)
{
	static const struct {
		int64_t ms;
		int frac;
		const char *out;
	} t[] = {
	    {0, 0, "1970-01-01T00:00:00"},
	    {0, 1, "1970-01-01T00:00:00.000"},
	    {INT64_C(1556274030123), 1, "2019-04-26T10:20:30.123"},
	    {INT64_C(1556274030123), 0, "2019-04-26T10:20:30"},
	    {-1, 1, "1969-12-31T23:59:59.999"},
	    {INT64_C(951782400000), 0, "2000-02-29T00:00:00"},
	    {INT64_C(253402300799999), 1, "9999-12-31T23:59:59.999"},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		char out[32];

		civil_format(t[i].ms, t[i].frac != 0, out, sizeof(out));
		if (strcmp(out, t[i].out) != 0)
			fail_msg("row %zu: %s, want %s", i, out, t[i].out);
	}
}

/* days <-> dates agree over 800 years either side of the epoch, each day
 * once, in order (leap years, centuries, the 400-year rule). */
static void test_round_trip(void **state)
{
	int64_t y;
	int m, d, pm = 0, pd = 0;

	(void)state;
	for (int64_t days = -292000; days < 292000; days++) {
		civil_date(days, &y, &m, &d);
		assert_int_equal(civil_days(y, m, d), days);
		if (days > -292000)
			assert_true((d == pd + 1 && m == pm) ||
			            (d == 1 && (m == pm + 1 || (m == 1 && pm == 12))));
		pm = m;
		pd = d;
	}
	civil_date(civil_days(2100, 3, 1) - 1, &y, &m, &d);
	assert_true(y == 2100 && m == 2 && d == 28);
	civil_date(civil_days(2000, 3, 1) - 1, &y, &m, &d);
	assert_true(y == 2000 && m == 2 && d == 29);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
