/*
 * test_org_timezone.c - the organisation's time zone that decides
 * "today" (docs/consolidation.md "Today"): Xero's Timezone values as IANA
 * zones (every value of Xero's list, each a zone the system's database
 * has), and which zone wins: the `timezone` setting, else the one connect
 * read, else UTC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ledger/xero/xero_tz.h"
#include "store/store.h"
#include "sync/onboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_xero_tz_table(void **state)
{
	static const struct {
		const char *xero, *iana;
	} t[] = {
	    {"NEWZEALANDSTANDARDTIME", "Pacific/Auckland"},
	    {"newzealandstandardtime", "Pacific/Auckland"}, /* case-insensitive */
	    {"AUSEASTERNSTANDARDTIME", "Australia/Sydney"},
	    {"GMTSTANDARDTIME", "Europe/London"},
	    {"GREENWICHSTANDARDTIME", "Atlantic/Reykjavik"},
	    {"PACIFICSTANDARDTIME", "America/Los_Angeles"},
	    {"CENTRALSTANDARDTIME(MEXICO)", "America/Mexico_City"},
	    {"USEASTERNSTANDARDTIME", "America/Indiana/Indianapolis"},
	    {"INDIASTANDARDTIME", "Asia/Kolkata"},
	    {"CHATHAMISLANDSSTANDARDTIME", "Pacific/Chatham"},
	    {"UTC", "UTC"},
	    {"UTC+12", "Etc/GMT-12"}, /* POSIX signs are the other way round */
	    {"UTC11", "Etc/GMT+11"},
	    {"DATELINESTANDARDTIME", "Etc/GMT+12"},
	    {"RUSSIATIMEZONE3", "Europe/Samara"},
	    {"", NULL},
	    {"NEW ZEALAND STANDARD TIME", NULL}, /* Windows' spelling: not Xero's */
	    {"Pacific/Auckland", NULL},
	    {NULL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = xero_tz_iana(t[i].xero);

		if (t[i].iana == NULL)
			assert_null(got);
		else
			assert_string_equal(got, t[i].iana);
	}
}

/* Every entry: unique, and a zone the system's database knows. */
static void test_xero_tz_all(void **state)
{
	struct stat sb;
	bool db = stat("/usr/share/zoneinfo/Pacific/Auckland", &sb) == 0;

	(void)state;
	assert_int_equal(xero_tz_count(), 141); /* Xero's TimeZone list */
	for (size_t i = 0; i < xero_tz_count(); i++) {
		const char *x, *z;
		char path[256];

		xero_tz_nth(i, &x, &z);
		assert_non_null(x);
		assert_non_null(z);
		assert_string_equal(xero_tz_iana(x), z);
		for (size_t j = 0; j < i; j++) {
			const char *x2, *z2;

			xero_tz_nth(j, &x2, &z2);
			assert_true(strcmp(x, x2) != 0);
		}
		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", z);
		if (db && stat(path, &sb) != 0)
			fail_msg("%s: zone %s is not in the zone database", x, z);
	}
}

static void test_org_timezone(void **state)
{
	static const struct {
		const char *setting, *org, *want;
	} t[] = {
	    {NULL, NULL, "UTC"},                            /* nothing known */
	    {NULL, "", "UTC"},                              /* the ledger did not say (QBO) */
	    {NULL, "Pacific/Auckland", "Pacific/Auckland"}, /* connect read it */
	    {"+05:30", "Pacific/Auckland", "+05:30"},       /* the setting wins */
	    {"Europe/Paris", NULL, "Europe/Paris"},
	};
	char dir[] = "/tmp/bs-test-orgtz-XXXXXX", db[128], cmd[160];
	struct store_actor who = {"test", 1790000000000};
	struct bs_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct store *st = NULL;
		struct buf out;

		snprintf(db, sizeof(db), "%s/t%zu.db", dir, i);
		assert_int_equal(store_open(db, STORE_OPEN_CREATE, &st, &err), BS_OK);
		assert_int_equal(store_target_add(st, "xero:t-1", "Org", &who, &err), BS_OK);
		if (t[i].setting != NULL)
			assert_int_equal(store_setting_set(st, "timezone", t[i].setting, &err),
			                 BS_OK);
		if (t[i].org != NULL)
			assert_int_equal(
			    store_setting_set(st, "org_timezone:xero:t-1", t[i].org, &err), BS_OK);
		buf_init(&out, 128);
		assert_int_equal(onboard_org_timezone(st, NULL, &out, &err), BS_OK);
		assert_string_equal(buf_cstr(&out), t[i].want);
		assert_int_equal(onboard_org_timezone(st, "xero:t-1", &out, &err), BS_OK);
		assert_string_equal(buf_cstr(&out), t[i].want);
		buf_free(&out);
		store_close(st);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_xero_tz_table),
	    cmocka_unit_test(test_xero_tz_all),
	    cmocka_unit_test(test_org_timezone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
