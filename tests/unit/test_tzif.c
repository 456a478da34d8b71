/*
 * test_tzif.c - a zone's UTC offset from its TZif file (core/tzif.h): known
 * offsets either side of daylight saving, names refused, files that are
 * not TZif, and agreement with the C library's localtime_r (with TZ set,
 * which this single-threaded test may do) over a year of instants in
 * several zones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/tzif.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MS(s) ((int64_t)(s)*1000)

/* The system's zone files (package tzdata): without them, nothing to read. */
static bool have_zones(void)
{
	const char *dir = getenv("TZDIR");
	char path[512];

	snprintf(path, sizeof(path), "%s/Pacific/Auckland",
	         dir != NULL ? dir : "/usr/share/zoneinfo");
	return access(path, R_OK) == 0;
}

static void test_known(void **state)
{
	static const struct {
		const char *zone;
		int64_t at_s; /* Unix seconds */
		int want_rc, want_min;
	} cases[] = {
	    {"Pacific/Auckland", 1768435200, BS_OK, 780}, /* 2026-01-15: NZDT */
	    {"Pacific/Auckland", 1784073600, BS_OK, 720}, /* 2026-07-15: NZST */
	    {"America/New_York", 1768435200, BS_OK, -300},
	    {"America/New_York", 1784073600, BS_OK, -240},
	    {"Asia/Kolkata", 1784073600, BS_OK, 330},
	    {"UTC", 1784073600, BS_OK, 0},
	    {"Australia/Adelaide", 1768435200, BS_OK, 630},
	    /* the last second of NZDT in 2026 (2026-04-05 03:00 NZDT = 14:00Z
	     * the day before) and the first of NZST */
	    {"Pacific/Auckland", 1775311199, BS_OK, 780},
	    {"Pacific/Auckland", 1775311200, BS_OK, 720},
	    {"../etc/passwd", 0, BS_EINVAL, 0},
	    {"/etc/localtime", 0, BS_EINVAL, 0},
	    {"Pacific Auckland", 0, BS_EINVAL, 0},
	    {"", 0, BS_EINVAL, 0},
	    {"Nowhere/Atlantis", 0, BS_ENOTFOUND, 0},
	};
	(void)state;
	if (!have_zones())
		skip();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int min = 9999;
		int rc = tzif_offset(cases[i].zone, MS(cases[i].at_s), &min);

		if (rc != cases[i].want_rc || (rc == BS_OK && min != cases[i].want_min))
			fail_msg("case %zu %s: rc %d min %d, want %d %d", i, cases[i].zone, rc, min,
			         cases[i].want_rc, cases[i].want_min);
	}
}

static void test_not_tzif(void **state)
{
	unsigned char junk[64], hdr[44];
	int min = 0;

	(void)state;
	memset(junk, 'x', sizeof(junk));
	assert_int_equal(tzif_offset_data(junk, sizeof(junk), 0, &min), BS_EPARSE);
	assert_int_equal(tzif_offset_data(junk, 3, 0, &min), BS_EPARSE);
	/* a header whose counts run past the end */
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, "TZif2", 5);
	hdr[35] = 200; /* 200 transitions */
	hdr[39] = 1;   /* one type */
	assert_int_equal(tzif_offset_data(hdr, sizeof(hdr), 0, &min), BS_EPARSE);
	/* no types at all */
	hdr[35] = 0;
	hdr[39] = 0;
	assert_int_equal(tzif_offset_data(hdr, sizeof(hdr), 0, &min), BS_EPARSE);
}

/* Every 5 days and 7 hours through 2026 and 2027: as localtime_r says. */
static void test_like_libc(void **state)
{
	static const char *const zones[] = {"Pacific/Auckland", "America/New_York", "Europe/London",
	                                    "Australia/Sydney", "America/Santiago", "Asia/Tokyo"};
	(void)state;
	if (!have_zones())
		skip();
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (int64_t t = 1767225600; t < 1830297600; t += 5 * 86400 + 7 * 3600) {
			time_t tt = (time_t)t;
			struct tm tm;
			int min = 9999;

			assert_non_null(localtime_r(&tt, &tm));
			assert_int_equal(tzif_offset(zones[z], MS(t), &min), BS_OK);
			if (min != (int)(tm.tm_gmtoff / 60))
				fail_msg("%s at %lld: %d, libc %ld", zones[z], (long long)t, min,
				         (long)(tm.tm_gmtoff / 60));
		}
	}
	unsetenv("TZ");
	tzset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known),
	    cmocka_unit_test(test_not_tzif),
	    cmocka_unit_test(test_like_libc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
