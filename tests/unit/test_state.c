/*
 * test_state.c - the sync state machine, cell by cell.
 *
 * Every (state, event) pair of the table is listed with its expected
 * outcome, so a change to the table must change this list too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "model/sync_state.h"

#include <string.h>

#define NI SYNC_NOT_IMPORTED
#define QU SYNC_QUEUED
#define IM SYNC_IMPORTED
#define ER SYNC_ERROR
#define CH SYNC_CHANGED
#define SK SYNC_SKIPPED
#define WA SYNC_WAITING
#define CO SYNC_CONSOLIDATED
#define NO (-1) /* refused */

struct tcase {
	enum sync_state from;
	enum sync_event ev;
	int to;
	const char *why_has; /* substring of the refusal */
};

static const struct tcase cases[] = {
    /* new version */
    {NI, SYNC_EV_NEW_VERSION, NI, NULL},
    {QU, SYNC_EV_NEW_VERSION, QU, NULL},
    {IM, SYNC_EV_NEW_VERSION, CH, NULL},
    {ER, SYNC_EV_NEW_VERSION, NI, NULL},
    {CH, SYNC_EV_NEW_VERSION, CH, NULL},
    {SK, SYNC_EV_NEW_VERSION, NI, NULL},
    {WA, SYNC_EV_NEW_VERSION, WA, NULL},
    {CO, SYNC_EV_NEW_VERSION, NO, "consolidated"},
    /* plan */
    {NI, SYNC_EV_PLAN, QU, NULL},
    {QU, SYNC_EV_PLAN, QU, NULL},
    {IM, SYNC_EV_PLAN, NO, "already imported"},
    {ER, SYNC_EV_PLAN, NO, "re-sync or reset"},
    {CH, SYNC_EV_PLAN, QU, NULL},
    {SK, SYNC_EV_PLAN, QU, NULL},
    {WA, SYNC_EV_PLAN, QU, NULL},
    {CO, SYNC_EV_PLAN, NO, "consolidated"},
    /* posted */
    {NI, SYNC_EV_POSTED, NO, "not queued"},
    {QU, SYNC_EV_POSTED, IM, NULL},
    {IM, SYNC_EV_POSTED, IM, NULL},
    {ER, SYNC_EV_POSTED, NO, "not queued"},
    {CH, SYNC_EV_POSTED, NO, "not queued"},
    {SK, SYNC_EV_POSTED, NO, "not queued"},
    {WA, SYNC_EV_POSTED, NO, "not queued"},
    {CO, SYNC_EV_POSTED, NO, "not queued"},
    /* failed */
    {NI, SYNC_EV_FAILED, NO, "not queued"},
    {QU, SYNC_EV_FAILED, ER, NULL},
    {IM, SYNC_EV_FAILED, NO, "not queued"},
    {ER, SYNC_EV_FAILED, NO, "not queued"},
    {CH, SYNC_EV_FAILED, NO, "not queued"},
    {SK, SYNC_EV_FAILED, NO, "not queued"},
    {WA, SYNC_EV_FAILED, NO, "not queued"},
    {CO, SYNC_EV_FAILED, NO, "not queued"},
    /* skip */
    {NI, SYNC_EV_SKIP, SK, NULL},
    {QU, SYNC_EV_SKIP, SK, NULL},
    {IM, SYNC_EV_SKIP, NO, "already imported"},
    {ER, SYNC_EV_SKIP, SK, NULL},
    {CH, SYNC_EV_SKIP, SK, NULL},
    {SK, SYNC_EV_SKIP, SK, NULL},
    {WA, SYNC_EV_SKIP, SK, NULL},
    {CO, SYNC_EV_SKIP, NO, "consolidated"},
    /* wait */
    {NI, SYNC_EV_WAIT, WA, NULL},
    {QU, SYNC_EV_WAIT, WA, NULL},
    {IM, SYNC_EV_WAIT, NO, "already imported"},
    {ER, SYNC_EV_WAIT, WA, NULL},
    {CH, SYNC_EV_WAIT, WA, NULL},
    {SK, SYNC_EV_WAIT, WA, NULL},
    {WA, SYNC_EV_WAIT, WA, NULL},
    {CO, SYNC_EV_WAIT, NO, "consolidated"},
    /* consolidate */
    {NI, SYNC_EV_CONSOLIDATE, CO, NULL},
    {QU, SYNC_EV_CONSOLIDATE, CO, NULL},
    {IM, SYNC_EV_CONSOLIDATE, NO, "already imported"},
    {ER, SYNC_EV_CONSOLIDATE, NO, "it failed"},
    {CH, SYNC_EV_CONSOLIDATE, NO, "has changes"},
    {SK, SYNC_EV_CONSOLIDATE, CO, NULL},
    {WA, SYNC_EV_CONSOLIDATE, CO, NULL},
    {CO, SYNC_EV_CONSOLIDATE, CO, NULL},
    /* reset: docs/states-and-tabs.md: imported, changed, error, skipped -> not imported */
    {NI, SYNC_EV_RESET, NI, NULL},
    {QU, SYNC_EV_RESET, NO, "queued"},
    {IM, SYNC_EV_RESET, NI, NULL},
    {ER, SYNC_EV_RESET, NI, NULL},
    {CH, SYNC_EV_RESET, NI, NULL},
    {SK, SYNC_EV_RESET, NI, NULL},
    {WA, SYNC_EV_RESET, NO, "waiting"},
    {CO, SYNC_EV_RESET, NO, "consolidated"},
    /* resync */
    {NI, SYNC_EV_RESYNC, QU, NULL},
    {QU, SYNC_EV_RESYNC, NO, "queued"},
    {IM, SYNC_EV_RESYNC, QU, NULL},
    {ER, SYNC_EV_RESYNC, QU, NULL},
    {CH, SYNC_EV_RESYNC, QU, NULL},
    {SK, SYNC_EV_RESYNC, QU, NULL},
    {WA, SYNC_EV_RESYNC, NO, "waiting"},
    {CO, SYNC_EV_RESYNC, NO, "consolidated"},
};

static void test_table(void **state)
{
	(void)state;
	/* Every cell is covered exactly once. */
	assert_int_equal(sizeof(cases) / sizeof(cases[0]), SYNC_STATE_COUNT * SYNC_EVENT_COUNT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		enum sync_state to = SYNC_STATE_COUNT;
		bool pending = true;
		const char *why = NULL;
		int rc = sync_transition(c->from, false, c->ev, &to, &pending, &why);

		if (c->to == NO) {
			if (rc != BS_ESTATE)
				fail_msg("case %zu (%s, %s): expected refusal, got %d", i,
				         sync_state_name(c->from), sync_event_name(c->ev), rc);
			assert_non_null(why);
			if (strstr(why, c->why_has) == NULL)
				fail_msg("case %zu: reason '%s' lacks '%s'", i, why, c->why_has);
			assert_int_equal(to, SYNC_STATE_COUNT); /* untouched */
		} else {
			if (rc != BS_OK || (int)to != c->to)
				fail_msg("case %zu (%s, %s): expected %s, got rc %d state %s", i,
				         sync_state_name(c->from), sync_event_name(c->ev),
				         sync_state_name((enum sync_state)c->to), rc,
				         sync_state_name(to));
		}
	}
}

/* A new version while queued: the planned post goes as planned, then the
 * record is "changed" so the newer content is sent next time. */
static void test_queued_new_version(void **state)
{
	enum sync_state to;
	bool pending = false;
	const char *why;

	(void)state;
	assert_int_equal(sync_transition(QU, false, SYNC_EV_NEW_VERSION, &to, &pending, &why),
	                 BS_OK);
	assert_int_equal(to, QU);
	assert_true(pending);
	assert_int_equal(sync_transition(QU, true, SYNC_EV_POSTED, &to, &pending, &why), BS_OK);
	assert_int_equal(to, CH);
	assert_false(pending);
	/* without the flag the post lands in imported */
	assert_int_equal(sync_transition(QU, false, SYNC_EV_POSTED, &to, &pending, &why), BS_OK);
	assert_int_equal(to, IM);
	/* a failure clears the flag: the error state is re-planned from new content */
	assert_int_equal(sync_transition(QU, true, SYNC_EV_FAILED, &to, &pending, &why), BS_OK);
	assert_int_equal(to, ER);
	assert_false(pending);
	/* re-planning a queued record keeps the flag */
	assert_int_equal(sync_transition(QU, true, SYNC_EV_PLAN, &to, &pending, &why), BS_OK);
	assert_true(pending);
}

static void test_names(void **state)
{
	(void)state;
	for (int s = 0; s < SYNC_STATE_COUNT; s++) {
		enum sync_state back;

		assert_int_equal(sync_state_from_name(sync_state_name((enum sync_state)s), &back),
		                 BS_OK);
		assert_int_equal(back, s);
		assert_string_not_equal(sync_state_label((enum sync_state)s), "?");
	}
	assert_string_equal(sync_state_label(NI), "Not Imported Yet Or Reset For Re-import");
	{
		enum sync_state back;

		assert_int_equal(sync_state_from_name("bogus", &back), BS_ENOTFOUND);
	}
	assert_string_equal(sync_state_name(SYNC_STATE_COUNT), "?");
	{
		enum sync_state to;
		bool p;

		assert_int_equal(
		    sync_transition(SYNC_STATE_COUNT, false, SYNC_EV_PLAN, &to, &p, NULL),
		    BS_EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_queued_new_version),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
