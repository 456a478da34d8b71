/*
 * test_governor.c - the rate governor, on made-up times.
 *
 * Each case is a script of events (a call starts, a call ends with the
 * ledger's headers, a window or a day count is seeded) and, at a moment,
 * how long the governor says to wait.  Limits are small (3 a minute, 5 a
 * day, 2 at once) so the edges are close; time_scale 1, so a minute is
 * 60,000 ms and the margin 1,205 ms (a fiftieth of a minute + 5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sync/governor.h"

#include <stdio.h>

#define MIN    60000
#define MARGIN 1205
#define DAY    86400000LL

enum ev_kind {
	EV_END_OF_SCRIPT,
	EV_START,    /* at */
	EV_END,      /* at, min, day, app remaining, retry-after s */
	EV_SEED,     /* a window: at .. at + (n - 1) * step */
	EV_SEED_DAY, /* remaining (a) at (at), seeded at `now` (b) */
	EV_WAIT,     /* at: expect exactly `want` ms */
	EV_NOANSWER, /* a call ended without an answer (governor_unanswered) */
	EV_BSTART,   /* at: a batch call starts (governor_start_batch) */
	EV_BWAIT,    /* at: a batch call would wait exactly `want` ms */
	EV_BEND,     /* as EV_END, for a batch call */
};

struct ev {
	enum ev_kind kind;
	int64_t at;
	int64_t a, b, c, d; /* per kind, see above */
	int64_t want;
};

struct gcase {
	const char *what;
	struct ev ev[14];
};

/* clang-format off */
static const struct gcase cases[] = {
    {"a fresh governor lets a call go at once",
     {{EV_WAIT, 0, 0, 0, 0, 0, 0}}},
    {"three calls fill the minute: the fourth waits for the first's answer to leave it",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_END, 1010, -1, -1, -1, -1, 0},
      {EV_START, 2000, 0, 0, 0, 0, 0}, {EV_END, 2010, -1, -1, -1, -1, 0},
      {EV_START, 3000, 0, 0, 0, 0, 0}, {EV_END, 3010, -1, -1, -1, -1, 0},
      {EV_WAIT, 4000, 0, 0, 0, 0, 1010 + MIN + MARGIN - 4000},
      {EV_WAIT, 1009 + MIN + MARGIN, 0, 0, 0, 0, 1},
      {EV_WAIT, 1010 + MIN + MARGIN, 0, 0, 0, 0, 0}}},
    {"a call slow on its way counts from its answer, not its start",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_END, 1400, -1, -1, -1, -1, 0},
      {EV_START, 1500, 0, 0, 0, 0, 0}, {EV_END, 1510, -1, -1, -1, -1, 0},
      {EV_START, 1600, 0, 0, 0, 0, 0}, {EV_END, 1610, -1, -1, -1, -1, 0},
      {EV_WAIT, 1700, 0, 0, 0, 0, 1400 + MIN + MARGIN - 1700}}},
    {"a call without an answer counts from when it was given up",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_NOANSWER, 31000, 0, 0, 0, 0, 0},
      {EV_START, 31100, 0, 0, 0, 0, 0}, {EV_END, 31110, -1, -1, -1, -1, 0},
      {EV_START, 31200, 0, 0, 0, 0, 0}, {EV_END, 31210, -1, -1, -1, -1, 0},
      {EV_WAIT, 1000 + MIN + MARGIN, 0, 0, 0, 0, 31000 - 1000}}},
    {"two in flight: a third waits for one to end",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_START, 1001, 0, 0, 0, 0, 0},
      {EV_WAIT, 1002, 0, 0, 0, 0, 1},
      {EV_END, 1500, -1, -1, -1, -1, 0}, {EV_WAIT, 1500, 0, 0, 0, 0, 0}}},
    {"Retry-After blocks every call until then, plus the margin",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_END, 1100, -1, -1, -1, 7, 0},
      {EV_WAIT, 1100, 0, 0, 0, 0, 7000 + MARGIN}}},
    {"the ledger says the minute is spent (others' calls): a window from its answer",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_END, 1100, 0, 100, 100, -1, 0},
      {EV_WAIT, 1200, 0, 0, 0, 0, 1100 + MIN + MARGIN - 1200}}},
    {"five calls fill the day: the sixth waits a day from the first",
     {{EV_SEED, 0, 5, MIN * 2, 0, 0, 0},
      {EV_WAIT, 9 * MIN, 0, 0, 0, 0, 0 + DAY + MARGIN - 9 * MIN}}},
    {"a seeded window counts like calls made here",
     {{EV_SEED, 10000, 3, 100, 0, 0, 0},
      {EV_WAIT, 10500, 0, 0, 0, 0, 10000 + MIN + MARGIN - 10500}}},
    {"the last process's day count: nothing left waits out the day from when it was said",
     {{EV_SEED_DAY, 5000, 0, 6000, 0, 0, 0},
      {EV_WAIT, 6000, 0, 0, 0, 0, 5000 + DAY - 6000}}},
    {"the last process's day count, some left: no wait, and each call uses one",
     {{EV_SEED_DAY, 5000, 1, 6000, 0, 0, 0}, {EV_WAIT, 6000, 0, 0, 0, 0, 0},
      {EV_START, 6000, 0, 0, 0, 0, 0},
      {EV_WAIT, 6001, 0, 0, 0, 0, 5000 + DAY - 6001}}},
    {"a day count older than a day is not believed",
     {{EV_SEED_DAY, 5000, 0, 5000 + DAY, 0, 0, 0}, {EV_WAIT, 5000 + DAY, 0, 0, 0, 0, 0}}},
    {"nor one the ledger never gave",
     {{EV_SEED_DAY, 5000, -1, 6000, 0, 0, 0}, {EV_WAIT, 6000, 0, 0, 0, 0, 0}}},
    {"a fresher answer replaces the seeded day count",
     {{EV_SEED_DAY, 5000, 0, 6000, 0, 0, 0}, {EV_START, 7000, 0, 0, 0, 0, 0},
      {EV_END, 7100, 50, 4, 100, -1, 0}, {EV_WAIT, 7200, 0, 0, 0, 0, 0}}},
    {"a call without an answer teaches nothing: the ledger's last word stands",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_END, 1100, 50, 0, 100, -1, 0},
      {EV_START, 2000, 0, 0, 0, 0, 0}, {EV_NOANSWER, 2100, 0, 0, 0, 0, 0},
      {EV_WAIT, 2200, 0, 0, 0, 0, 1100 + DAY - 2200}}},
    {"nor does it leave the day spent when the ledger never said so",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_NOANSWER, 1100, 0, 0, 0, 0, 0},
      {EV_WAIT, 1200, 0, 0, 0, 0, 0}}},
    {"a call without an answer frees its slot",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_START, 1001, 0, 0, 0, 0, 0},
      {EV_WAIT, 1002, 0, 0, 0, 0, 1}, {EV_NOANSWER, 1500, 0, 0, 0, 0, 0},
      {EV_WAIT, 1500, 0, 0, 0, 0, 0}}},
};
/* clang-format on */

static void run_case(const struct gcase *c, const struct governor_limits *lim)
{
	struct governor *g = governor_new(lim);

	assert_non_null(g);
	for (size_t k = 0; k < 14 && c->ev[k].kind != EV_END_OF_SCRIPT; k++) {
		const struct ev *e = &c->ev[k];
		int64_t w;

		switch (e->kind) {
		case EV_START:
			governor_start(g, e->at);
			break;
		case EV_BSTART:
			governor_start_batch(g, e->at);
			break;
		case EV_END:
		case EV_BEND:
			governor_end(g, e->at, e->kind == EV_BEND, e->a, e->b, e->c, e->d);
			break;
		case EV_SEED: {
			int64_t t[8];

			for (int64_t j = 0; j < e->a && j < 8; j++)
				t[j] = e->at + j * e->b;
			governor_seed(g, t, (size_t)e->a);
			break;
		}
		case EV_NOANSWER:
			governor_unanswered(g, e->at, false);
			break;
		case EV_SEED_DAY:
			governor_seed_day(g, e->a, e->at, e->b);
			break;
		case EV_WAIT:
		case EV_BWAIT:
			w = e->kind == EV_WAIT ? governor_wait_ms(g, e->at)
			                       : governor_wait_batch_ms(g, e->at);
			if (w != e->want)
				print_error("%s: step %zu: wait %lld, want %lld\n", c->what, k,
				            (long long)w, (long long)e->want);
			assert_int_equal(w, e->want);
			break;
		case EV_END_OF_SCRIPT:
			break;
		}
	}
	governor_free(g);
}

static void test_cases(void **state)
{
	struct governor_limits lim = {3, 5, 2, 100, 1};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], &lim);
}

/*
 * QBO's shape: 3 calls a minute here, of which 2 may be batch calls; no
 * daily cap, no cap on calls at once (0 = none).
 */
/* clang-format off */
static const struct gcase batch_cases[] = {
    {"two batch calls fill the batch minute: a third batch waits, a plain call does not",
     {{EV_BSTART, 1000, 0, 0, 0, 0, 0}, {EV_BEND, 1010, -1, -1, -1, -1, 0},
      {EV_BSTART, 2000, 0, 0, 0, 0, 0}, {EV_BEND, 2010, -1, -1, -1, -1, 0},
      {EV_BWAIT, 3000, 0, 0, 0, 0, 1010 + MIN + MARGIN - 3000},
      {EV_WAIT, 3000, 0, 0, 0, 0, 0},
      {EV_BWAIT, 1010 + MIN + MARGIN, 0, 0, 0, 0, 0}}},
    {"a batch call in flight holds its batch place until a batch answer",
     {{EV_BSTART, 1000, 0, 0, 0, 0, 0}, {EV_BSTART, 1001, 0, 0, 0, 0, 0},
      {EV_END, 1500, -1, -1, -1, -1, 0}, /* a plain answer: not theirs */
      {EV_BWAIT, 2 * MIN, 0, 0, 0, 0, 1},
      {EV_BEND, 2 * MIN, -1, -1, -1, -1, 0}, {EV_BWAIT, 2 * MIN, 0, 0, 0, 0, 1},
      {EV_BEND, 2 * MIN + 1, -1, -1, -1, -1, 0},
      {EV_BWAIT, 2 * MIN + 1, 0, 0, 0, 0, MIN + MARGIN - 1}}},
    {"plain calls do not use the batch budget",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_END, 1010, -1, -1, -1, -1, 0},
      {EV_START, 2000, 0, 0, 0, 0, 0}, {EV_END, 2010, -1, -1, -1, -1, 0},
      {EV_BWAIT, 3000, 0, 0, 0, 0, 0}}},
    {"batch calls count in the minute too",
     {{EV_BSTART, 1000, 0, 0, 0, 0, 0}, {EV_BEND, 1010, -1, -1, -1, -1, 0},
      {EV_START, 2000, 0, 0, 0, 0, 0}, {EV_END, 2010, -1, -1, -1, -1, 0},
      {EV_START, 3000, 0, 0, 0, 0, 0}, {EV_END, 3010, -1, -1, -1, -1, 0},
      {EV_WAIT, 4000, 0, 0, 0, 0, 1010 + MIN + MARGIN - 4000},
      {EV_BWAIT, 4000, 0, 0, 0, 0, 1010 + MIN + MARGIN - 4000}}},
    {"no daily cap: calls go on past any count",
     {{EV_START, 0, 0, 0, 0, 0, 0}, {EV_END, 10, -1, -1, -1, -1, 0},
      {EV_START, 2 * MIN, 0, 0, 0, 0, 0}, {EV_END, 2 * MIN + 10, -1, -1, -1, -1, 0},
      {EV_START, 4 * MIN, 0, 0, 0, 0, 0}, {EV_END, 4 * MIN + 10, -1, -1, -1, -1, 0},
      {EV_START, 6 * MIN, 0, 0, 0, 0, 0}, {EV_END, 6 * MIN + 10, -1, -1, -1, -1, 0},
      {EV_WAIT, 8 * MIN, 0, 0, 0, 0, 0}}},
    {"no cap on calls at once: three in flight fill the minute until they are answered",
     {{EV_START, 1000, 0, 0, 0, 0, 0}, {EV_START, 1001, 0, 0, 0, 0, 0},
      {EV_WAIT, 1002, 0, 0, 0, 0, 0},
      {EV_START, 1002, 0, 0, 0, 0, 0},
      {EV_WAIT, 3 * MIN, 0, 0, 0, 0, 1},
      {EV_END, 3 * MIN, -1, -1, -1, -1, 0}, {EV_WAIT, 3 * MIN, 0, 0, 0, 0, 1},
      {EV_END, 3 * MIN + 1, -1, -1, -1, -1, 0}, {EV_WAIT, 3 * MIN + 1, 0, 0, 0, 0, 1},
      {EV_END, 3 * MIN + 2, -1, -1, -1, -1, 0},
      {EV_WAIT, 3 * MIN + 2, 0, 0, 0, 0, MIN + MARGIN - 2}}},
    {"a 429 blocks batch calls too",
     {{EV_BSTART, 1000, 0, 0, 0, 0, 0}, {EV_BEND, 1100, -1, -1, -1, 60, 0},
      {EV_BWAIT, 1200, 0, 0, 0, 0, 1100 + MIN + MARGIN - 1200}}},
};
/* clang-format on */

static void test_batch_and_none(void **state)
{
	struct governor_limits lim = {.per_minute = 3,
	                              .per_day = 0,
	                              .concurrent = 0,
	                              .app_per_minute = 0,
	                              .time_scale = 1,
	                              .batch_per_minute = 2};
	struct governor_limits nobatch = {3, 5, 2, 100, 1};
	const struct gcase plain = {"without a batch limit a batch call is a call",
	                            {{EV_BSTART, 1000, 0, 0, 0, 0, 0},
	                             {EV_END, 1010, -1, -1, -1, -1, 0},
	                             {EV_BSTART, 2000, 0, 0, 0, 0, 0},
	                             {EV_END, 2010, -1, -1, -1, -1, 0},
	                             {EV_BWAIT, 3000, 0, 0, 0, 0, 0},
	                             {EV_BSTART, 3000, 0, 0, 0, 0, 0},
	                             {EV_BWAIT, 3001, 0, 0, 0, 0, 1010 + MIN + MARGIN - 3001}}};

	(void)state;
	for (size_t i = 0; i < sizeof(batch_cases) / sizeof(batch_cases[0]); i++)
		run_case(&batch_cases[i], &lim);
	run_case(&plain, &nobatch);
}

/* A process hands its batch minute to the next, as its call window. */
static void test_batch_handover(void **state)
{
	struct governor_limits lim = {.per_minute = 10, .time_scale = 1, .batch_per_minute = 2};
	struct governor *a = governor_new(&lim), *b = governor_new(&lim);
	int64_t t[8], bt[8];
	size_t n, nb;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	governor_start_batch(a, 1000);
	governor_end(a, 1010, true, -1, -1, -1, -1);
	governor_start(a, 1500);
	governor_end(a, 1510, false, -1, -1, -1, -1);
	governor_start_batch(a, 2000);
	governor_end(a, 2010, true, -1, -1, -1, -1);
	n = governor_recent(a, 2500, t, NULL, 8);
	nb = governor_recent_batch(a, 2500, bt, NULL, 8);
	assert_int_equal(n, 3);
	assert_int_equal(nb, 2);
	assert_int_equal(bt[0], 1010);
	assert_int_equal(bt[1], 2010);
	/* past the window: forgotten */
	assert_int_equal(governor_recent_batch(a, 2010 + MIN + MARGIN, bt + 4, NULL, 4), 0);

	governor_seed(b, t, n);
	governor_seed_batch(b, bt, nb);
	assert_int_equal(governor_wait_ms(b, 3000), 0); /* 3 of 10 calls */
	assert_int_equal(governor_wait_batch_ms(b, 3000), 1010 + MIN + MARGIN - 3000);
	governor_free(a);
	governor_free(b);
}

/* What a process leaves for the next: its window and the day's count. */
static void test_handover(void **state)
{
	struct governor_limits lim = {3, 5, 2, 100, 1};
	struct governor *a = governor_new(&lim), *b = governor_new(&lim);
	int64_t t[8], rem = -9, at = -9;
	bool open[8];
	size_t n;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(governor_day_belief(a, &rem, &at), 0); /* the ledger said nothing */
	assert_int_equal(rem, -9);
	governor_start(a, 1000);
	governor_end(a, 1100, false, 2, 4, 99, -1);
	governor_start(a, 2000); /* uses one more of the day's 4; still in flight */
	assert_int_equal(governor_day_belief(a, &rem, &at), 1);
	assert_int_equal(rem, 3);
	assert_int_equal(at, 1100);
	n = governor_recent(a, 2500, t, open, 8);
	assert_int_equal(n, 2);
	assert_int_equal(t[0], 1100); /* answered: from its answer */
	assert_false(open[0]);
	assert_int_equal(t[1], 2000); /* in flight: its start, marked */
	assert_true(open[1]);

	governor_seed(b, t, n);
	governor_seed_day(b, rem, at, 3000);
	governor_start(b, 3000); /* the minute's third */
	assert_int_equal(governor_wait_ms(b, 3001), 1100 + MIN + MARGIN - 3001);
	governor_free(a);
	governor_free(b);
}

/* A call the last process left in flight counts from a quarter of a
 * minute after this one starts: the ledger may read it that late. */
static void test_inherited_open_call(void **state)
{
	struct governor_limits lim = {.per_minute = 1, .time_scale = 60};
	struct governor *b = governor_new(&lim);
	int64_t min = 60000 / 60, margin = min / 50 + 5, at, seed[1];

	(void)state;
	assert_non_null(b);
	at = governor_inherited_at(b, 5000);
	assert_int_equal(at, 5000 + min / 4);
	seed[0] = at;
	governor_seed(b, seed, 1);
	/* the minute's one call waits for the inherited call's window, a
	 * quarter of a minute longer than its start would have made it */
	assert_int_equal(governor_wait_ms(b, 5000), min / 4 + min + margin);
	assert_int_equal(governor_wait_ms(b, at + min + margin - 1), 1);
	assert_int_equal(governor_wait_ms(b, at + min + margin), 0);
	governor_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_handover),
	    cmocka_unit_test(test_inherited_open_call),
	    cmocka_unit_test(test_batch_and_none),
	    cmocka_unit_test(test_batch_handover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
