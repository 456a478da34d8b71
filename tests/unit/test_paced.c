/*
 * test_paced.c - the paced, retried ledger call, on a fake clock.
 *
 * What each kind of answer leads to: a 429 waits out Retry-After and goes
 * again; no answer backs off and goes again up to max_attempts; a
 * kept-alive connection found closed goes again once at once; every
 * attempt is counted by the governor and announced to `started` first; and
 * the governor learns the ledger's limits only from a call it answered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "sync/governor.h"
#include "sync/paced.h"

#include <string.h>

/* One scripted answer per attempt. */
struct step {
	int rc;
	long http_status;
	long retry_after_s;
	bool stale_conn;
	/* the call leaves every X-*Limit-Remaining figure at 0 (-1 otherwise):
	 * a ledger saying nothing remains, or with http_status 0 a connector
	 * that zeroed its call record and never sent (the one-day stall) */
	bool zero_figures;
};

struct fake {
	int64_t now;    /* the fake clock, ms */
	int64_t slept;  /* total ms slept */
	int sleeps;     /* times slept */
	int started;    /* `started` calls */
	int attempts;   /* calls of the fn */
	int64_t at[16]; /* each attempt's time */
	const struct step *script;
	size_t nscript;
};

static int64_t fake_now(void *clock)
{
	return ((struct fake *)clock)->now;
}

static void fake_sleep(void *clock, int64_t ms)
{
	struct fake *f = clock;

	f->now += ms;
	f->slept += ms;
	f->sleeps++;
}

static void fake_started(void *arg)
{
	((struct fake *)arg)->started++;
}

static int fake_call(void *ctx, struct ledger_call *call, struct bs_error *err)
{
	struct fake *f = ctx;
	const struct step *s =
	    &f->script[(size_t)f->attempts < f->nscript ? (size_t)f->attempts : f->nscript - 1];

	f->attempts++;
	f->now += 10; /* each call takes 10 ms */
	call->http_status = s->http_status;
	call->retry_after_s = s->retry_after_s;
	call->stale_conn = s->stale_conn;
	if (s->zero_figures)
		call->min_remaining = call->day_remaining = call->app_min_remaining = 0;
	if (s->rc != BS_OK)
		return bs_error_set(err, s->rc, "scripted failure");
	return BS_OK;
}

/* One case: a script of answers and what paced_call must make of it. */
struct pcase {
	const char *what;
	struct step script[4];
	size_t n;
	int want_rc;
	int attempts, sleeps, started;
	uint64_t retries, limited;
	int64_t slept_min, slept_max; /* total time slept */
	int64_t wait_after;           /* governor_wait_ms right after */
};

/* clang-format off */
static const struct pcase cases[] = {
    /* what, answers, n, rc, attempts, sleeps, started, retries, 429s, slept min..max */
    {"an answer at once",
     {{BS_OK, 200, -1, false}}, 1,
     BS_OK, 1, 0, 1, 0, 0, 0, 0},
    /* a kept-alive connection had closed: again at once, announced and
     * counted like any call */
    {"stale connection, again at once",
     {{BS_ENET, 0, -1, true}, {BS_OK, 200, -1, false}}, 2,
     BS_OK, 2, 0, 2, 1, 0, 0, 0},
    /* only the first goes at once: a second is a failure, 400 ms +-50% */
    {"stale twice backs off",
     {{BS_ENET, 0, -1, true}, {BS_ENET, 0, -1, true}, {BS_OK, 200, -1, false}}, 3,
     BS_OK, 3, 1, 3, 2, 0, 200, 600},
    /* 400, 800, 1600 ms, each +-50%, then max_attempts (4) is reached */
    {"no answer backs off, then gives up",
     {{BS_ENET, 0, -1, false}}, 1,
     BS_ENET, 4, 3, 4, 3, 0, 1400, 4200},
    {"an answer that is not HTTP backs off too",
     {{BS_EPROTO, 0, -1, false}, {BS_OK, 200, -1, false}}, 2,
     BS_OK, 2, 1, 2, 1, 0, 200, 600},
    /* not processed: the same call after Retry-After, 3 s + the governor's
     * margin against clock skew (a fiftieth of a minute + 5 ms) */
    {"429 waits out Retry-After",
     {{BS_ELIMIT, 429, 3, false}, {BS_OK, 200, -1, false}}, 2,
     BS_OK, 2, 1, 2, 0, 1, 4205, 4205},
    {"other errors are the answer",
     {{BS_EINVAL, 400, -1, false}}, 1,
     BS_EINVAL, 1, 0, 1, 0, 0, 0, 0},
    /* the ledger's answer that the day is spent is believed: a day's wait */
    {"an answer saying nothing remains is believed",
     {{BS_OK, 200, -1, false, true}}, 1,
     BS_OK, 1, 0, 1, 0, 0, 0, 0, 86400000},
    /* a lookup with no natural key to ask about sends nothing: zeros in a
     * call that got no answer are not the ledger's, nothing is learned */
    {"no call made, figures zeroed: the governor learns nothing",
     {{BS_EUNSUPPORTED, 0, -1, false, true}}, 1,
     BS_EUNSUPPORTED, 1, 0, 1, 0, 0, 0, 0, 0},
    {"no answer, figures zeroed: backs off, learns nothing",
     {{BS_ENET, 0, -1, false, true}}, 1,
     BS_ENET, 4, 3, 4, 3, 0, 1400, 4200, 0},
};
/* clang-format on */

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		struct governor_limits lim = {60, 5000, 5, 10000, 1};
		struct governor *g = governor_new(&lim);
		uint64_t calls = 0, limited = 0, retries = 0;
		struct fake f;
		struct paced p;
		struct bs_error err;
		int rc;

		assert_non_null(g);
		memset(&f, 0, sizeof(f));
		f.now = 1000000;
		f.script = c->script;
		f.nscript = c->n;
		memset(&p, 0, sizeof(p));
		p.gov = g;
		p.now_ms = fake_now;
		p.sleep_ms = fake_sleep;
		p.clock = &f;
		p.started = fake_started;
		p.started_arg = &f;
		p.max_attempts = 4;
		p.rng = 12345;
		p.calls = &calls;
		p.rate_limited = &limited;
		p.retries = &retries;
		rc = paced_call(&p, fake_call, &f, &err);
		print_message("%s: rc %d, %d attempts, %d sleeps (%lld ms)\n", c->what, rc,
		              f.attempts, f.sleeps, (long long)f.slept);
		assert_int_equal(rc, c->want_rc);
		assert_int_equal(f.attempts, c->attempts);
		assert_int_equal(f.sleeps, c->sleeps);
		assert_int_equal(f.started, c->started);
		assert_int_equal(retries, c->retries);
		assert_int_equal(limited, c->limited);
		assert_int_equal(calls, (uint64_t)c->attempts);
		/* every attempt went through the governor */
		assert_int_equal(governor_calls(g), c->attempts);
		assert_true(f.slept >= c->slept_min && f.slept <= c->slept_max);
		assert_int_equal(governor_wait_ms(g, f.now), c->wait_after);
		governor_free(g);
	}
}

/*
 * A push is a batch call: with QBO's shape (2 batch calls a minute here,
 * 500 calls) the third push waits for the first to leave the batch
 * minute, while a plain call (a lookup, a read) in between goes at once;
 * a 429 on a batch (QBO's throttle, no Retry-After: 60 s) waits and goes
 * again.
 */
static void test_batch(void **state)
{
	static const struct step ok[] = {{BS_OK, 200, -1, false, false}};
	static const struct step throttled[] = {{BS_ELIMIT, 429, 60, false, false},
	                                        {BS_OK, 200, -1, false, false}};
	struct governor_limits lim = {.per_minute = 500,
	                              .per_day = 0,
	                              .concurrent = 10,
	                              .app_per_minute = 0,
	                              .time_scale = 1,
	                              .batch_per_minute = 2};
	struct governor *g = governor_new(&lim);
	struct fake f;
	struct paced p;
	struct bs_error err;
	int64_t t0;
	(void)state;

	assert_non_null(g);
	memset(&f, 0, sizeof(f));
	f.now = t0 = 1000000;
	f.script = ok;
	f.nscript = 1;
	memset(&p, 0, sizeof(p));
	p.gov = g;
	p.now_ms = fake_now;
	p.sleep_ms = fake_sleep;
	p.clock = &f;
	p.rng = 1;
	assert_int_equal(paced_call_batch(&p, fake_call, &f, &err), BS_OK);
	assert_int_equal(paced_call_batch(&p, fake_call, &f, &err), BS_OK);
	assert_int_equal(f.sleeps, 0);
	assert_int_equal(paced_call(&p, fake_call, &f, &err), BS_OK);
	assert_int_equal(f.sleeps, 0); /* a plain call is not held by the batch minute */
	assert_int_equal(paced_call_batch(&p, fake_call, &f, &err), BS_OK);
	assert_true(f.sleeps > 0);
	/* the third push went out a minute (and the margin) after the first:
	 * it ended 10 ms after that */
	assert_true(f.now >= t0 + 60000 + 10);
	assert_true(f.now <= t0 + 60000 + 1300);
	assert_int_equal(governor_calls(g), 4);

	/* a throttled push waits its 60 s and goes again */
	f.script = throttled;
	f.nscript = 2;
	f.attempts = 0;
	f.slept = 0;
	f.now += 120000;
	assert_int_equal(paced_call_batch(&p, fake_call, &f, &err), BS_OK);
	assert_int_equal(f.attempts, 2);
	assert_true(f.slept >= 60000);
	governor_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
