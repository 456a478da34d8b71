/*
 * test_paced.c - the paced, retried ledger call, on a fake clock.
 *
 * What each kind of answer leads to: a 429 waits out Retry-After and goes
 * again; no answer backs off and goes again up to max_attempts; a
 * kept-alive connection found closed goes again once at once; every
 * attempt is counted by the governor and announced to `started` first.
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

static int fake_call(void *ctx, struct xero_call *call, struct bs_error *err)
{
	struct fake *f = ctx;
	const struct step *s =
	    &f->script[(size_t)f->attempts < f->nscript ? (size_t)f->attempts : f->nscript - 1];

	if (f->attempts < 16)
		f->at[f->attempts] = f->now;
	f->attempts++;
	f->now += 10; /* each call takes 10 ms */
	call->http_status = s->http_status;
	call->retry_after_s = s->retry_after_s;
	call->stale_conn = s->stale_conn;
	if (s->rc != BS_OK)
		return bs_error_set(err, s->rc, "scripted failure");
	return BS_OK;
}

/* Run `script` through paced_call with limits of 60 a minute. */
static int run(struct fake *f, struct governor **gov, const struct step *script, size_t n,
               uint64_t *calls, uint64_t *limited, uint64_t *retries)
{
	struct governor_limits lim = {60, 5000, 5, 10000, 1};
	struct paced p;
	struct bs_error err;

	memset(f, 0, sizeof(*f));
	f->now = 1000000;
	f->script = script;
	f->nscript = n;
	*gov = governor_new(&lim);
	assert_non_null(*gov);
	memset(&p, 0, sizeof(p));
	p.gov = *gov;
	p.now_ms = fake_now;
	p.sleep_ms = fake_sleep;
	p.clock = f;
	p.started = fake_started;
	p.started_arg = f;
	p.max_attempts = 4;
	p.rng = 12345;
	p.calls = calls;
	p.rate_limited = limited;
	p.retries = retries;
	return paced_call(&p, fake_call, f, &err);
}

static void test_answer_at_once(void **state)
{
	static const struct step ok[] = {{BS_OK, 200, -1, false}};
	struct fake f;
	struct governor *g;
	uint64_t calls = 0, limited = 0, retries = 0;

	(void)state;
	assert_int_equal(run(&f, &g, ok, 1, &calls, &limited, &retries), BS_OK);
	assert_int_equal(f.attempts, 1);
	assert_int_equal(f.started, 1);
	assert_int_equal(f.sleeps, 0);
	assert_int_equal(calls, 1);
	assert_int_equal(governor_calls(g), 1);
	governor_free(g);
}

static void test_stale_connection_goes_again_at_once(void **state)
{
	static const struct step s[] = {{BS_ENET, 0, -1, true}, {BS_OK, 200, -1, false}};
	struct fake f;
	struct governor *g;
	uint64_t calls = 0, limited = 0, retries = 0;

	(void)state;
	assert_int_equal(run(&f, &g, s, 2, &calls, &limited, &retries), BS_OK);
	assert_int_equal(f.attempts, 2);
	assert_int_equal(f.sleeps, 0);          /* no back-off */
	assert_int_equal(f.started, 2);         /* both announced before they went */
	assert_int_equal(governor_calls(g), 2); /* and both counted */
	assert_int_equal(retries, 1);
	governor_free(g);
}

static void test_stale_twice_backs_off(void **state)
{
	/* only the first stale connection goes at once: a second is a failure */
	static const struct step s[] = {
	    {BS_ENET, 0, -1, true}, {BS_ENET, 0, -1, true}, {BS_OK, 200, -1, false}};
	struct fake f;
	struct governor *g;
	uint64_t calls = 0, limited = 0, retries = 0;

	(void)state;
	assert_int_equal(run(&f, &g, s, 3, &calls, &limited, &retries), BS_OK);
	assert_int_equal(f.attempts, 3);
	assert_int_equal(f.sleeps, 1);
	assert_true(f.slept >= 200 && f.slept <= 600); /* 400 ms +-50% */
	assert_int_equal(retries, 2);
	governor_free(g);
}

static void test_no_answer_backs_off_then_gives_up(void **state)
{
	static const struct step s[] = {{BS_ENET, 0, -1, false}};
	struct fake f;
	struct governor *g;
	uint64_t calls = 0, limited = 0, retries = 0;

	(void)state;
	assert_int_equal(run(&f, &g, s, 1, &calls, &limited, &retries), BS_ENET);
	assert_int_equal(f.attempts, 4); /* max_attempts */
	assert_int_equal(f.sleeps, 3);
	assert_int_equal(retries, 3);
	/* each wait is longer than the one before it, on average: the last is at
	 * least 800 ms (1,600 +-50%) */
	assert_true(f.at[3] - f.at[2] >= 800);
	governor_free(g);
}

static void test_429_waits_out_retry_after(void **state)
{
	static const struct step s[] = {{BS_ELIMIT, 429, 3, false}, {BS_OK, 200, -1, false}};
	struct fake f;
	struct governor *g;
	uint64_t calls = 0, limited = 0, retries = 0;

	(void)state;
	assert_int_equal(run(&f, &g, s, 2, &calls, &limited, &retries), BS_OK);
	assert_int_equal(f.attempts, 2);
	assert_int_equal(limited, 1);
	assert_int_equal(retries, 0);
	assert_true(f.at[1] - f.at[0] >= 3000); /* Retry-After: 3 s */
	governor_free(g);
}

static void test_other_errors_are_the_answer(void **state)
{
	static const struct step s[] = {{BS_EINVAL, 400, -1, false}};
	struct fake f;
	struct governor *g;
	uint64_t calls = 0, limited = 0, retries = 0;

	(void)state;
	assert_int_equal(run(&f, &g, s, 1, &calls, &limited, &retries), BS_EINVAL);
	assert_int_equal(f.attempts, 1);
	assert_int_equal(f.sleeps, 0);
	governor_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answer_at_once),
	    cmocka_unit_test(test_stale_connection_goes_again_at_once),
	    cmocka_unit_test(test_stale_twice_backs_off),
	    cmocka_unit_test(test_no_answer_backs_off_then_gives_up),
	    cmocka_unit_test(test_429_waits_out_retry_after),
	    cmocka_unit_test(test_other_errors_are_the_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
