/*
 * test_synclock.c - locks in the store (store.h "locks") and the sync lock
 * on top of them (sync/synclock.h): who may take a lock when, renewal and
 * take-over, release, and how a dead holder is told from a live one
 * (a process that exited, a zombie, another host).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"
#include "sync/synclock.h"
#include "tstore.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T0 INT64_C(1700000000000)

struct fx {
	char dir[64];
	char path[512];
	struct store *st;
	char host[STORE_LOCK_HOST_MAX];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;

	if (f == NULL)
		return -1;
	*state = f; /* teardown runs only when setup succeeds: free on failure here */
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-lock-XXXXXX");
	if (sodium_init() < 0 || gethostname(f->host, sizeof(f->host)) != 0 ||
	    mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	f->host[sizeof(f->host) - 1] = '\0';
	tstore_db_path(f->path, sizeof(f->path), f->dir, "t");
	if (store_open(f->path, STORE_OPEN_CREATE, &f->st, &err) != BS_OK) {
		rmdir(f->dir);
		free(f);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->st);
	tstore_db_drop(f->path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static struct store_lock who(const char *owner, const char *host, int64_t pid, int64_t at,
                             int64_t until)
{
	struct store_lock l;

	memset(&l, 0, sizeof(l));
	snprintf(l.owner, sizeof(l.owner), "%s", owner);
	snprintf(l.host, sizeof(l.host), "%s", host);
	l.pid = pid;
	l.acquired_ms = at;
	l.expires_ms = until;
	return l;
}

static bool yes(void *arg, const struct store_lock *h)
{
	(void)arg;
	(void)h;
	return true;
}

static bool no(void *arg, const struct store_lock *h)
{
	(void)arg;
	(void)h;
	return false;
}

/* The store's rule, step by step: one holder, its lease, gone, renewal, release. */
static void test_store_lock_rules(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *owner; /* NULL: release by `release` */
		int64_t now, until;
		bool gone;
		int rc;
		const char *holder; /* after the call */
		const char *release;
	} steps[] = {
	    {"A", T0, T0 + 1000, false, BS_OK, "A", NULL},           /* free: granted */
	    {"B", T0 + 10, T0 + 2000, false, BS_EBUSY, "A", NULL},   /* held, live */
	    {"A", T0 + 20, T0 + 3000, false, BS_OK, "A", NULL},      /* renewal */
	    {"B", T0 + 2999, T0 + 4000, false, BS_EBUSY, "A", NULL}, /* lease runs */
	    {"B", T0 + 3000, T0 + 4000, false, BS_OK, "B", NULL},    /* lease ended */
	    {"A", T0 + 3001, T0 + 5000, false, BS_EBUSY, "B", NULL}, /* A lost it */
	    {"A", T0 + 3002, T0 + 5000, true, BS_OK, "A", NULL},     /* B gone: taken */
	    {NULL, 0, 0, false, BS_OK, "A", "B"},                    /* B may not release it */
	    {NULL, 0, 0, false, BS_OK, "", "A"},                     /* A may */
	    {"C", T0 + 3003, T0 + 9000, false, BS_OK, "C", NULL},    /* free again */
	};
	struct bs_error err;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct store_lock me, h, probe;
		int rc;

		memset(&h, 0, sizeof(h));
		if (steps[i].owner != NULL) {
			me = who(steps[i].owner, "hostx", 100 + (int64_t)i, steps[i].now,
			         steps[i].until);
			rc = store_lock_take(f->st, "sync:t", &me, steps[i].now,
			                     steps[i].gone ? yes : no, NULL, &h, &err);
		} else {
			rc = store_lock_release(f->st, "sync:t", steps[i].release, &err);
		}
		if (rc != steps[i].rc)
			fail_msg("step %zu: rc %d, want %d (%s)", i, rc, steps[i].rc, err.msg);
		if (rc == BS_EBUSY) {
			assert_string_equal(h.owner, steps[i].holder);
			assert_non_null(strstr(err.msg, "sync:t is held by process"));
		}
		/* who holds it now: a probe that never wins (lease far ahead of now) */
		memset(&probe, 0, sizeof(probe));
		me = who("probe", "hostx", 1, 0, 1);
		rc = store_lock_take(f->st, "sync:t", &me, 0, NULL, NULL, &probe, &err);
		if (steps[i].holder[0] == '\0') {
			assert_int_equal(rc, BS_OK); /* nobody held it: the probe did */
			assert_int_equal(store_lock_release(f->st, "sync:t", "probe", &err), BS_OK);
		} else {
			assert_int_equal(rc, BS_EBUSY);
			if (strcmp(probe.owner, steps[i].holder) != 0)
				fail_msg("step %zu: held by '%s', want '%s'", i, probe.owner,
				         steps[i].holder);
		}
	}
	/* another lock's name is another lock */
	{
		struct store_lock me = who("D", "hostx", 1, T0, T0 + 1000);

		assert_int_equal(
		    store_lock_take(f->st, "sync:other", &me, T0, no, NULL, NULL, &err), BS_OK);
		me = who("", "hostx", 1, T0, T0 + 1000);
		assert_int_equal(
		    store_lock_take(f->st, "sync:other", &me, T0, no, NULL, NULL, &err), BS_EINVAL);
	}
}

/* A child that has exited: reaped (its pid free) or not yet (a zombie). */
static pid_t dead_child(bool reap)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	if (reap) {
		assert_int_equal(waitpid(pid, NULL, 0), pid);
	} else {
		/* until the kernel shows it as a zombie: WNOWAIT leaves it one */
		siginfo_t si;

		assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	}
	return pid;
}

static void test_holder_gone(void **state)
{
	struct fx *f = *state;
	pid_t reaped = dead_child(true), zombie = dead_child(false);
	const struct {
		const char *host;
		int64_t pid;
		bool gone;
	} cases[] = {
	    {f->host, (int64_t)getpid(), false}, /* alive: this very process */
	    {f->host, (int64_t)getppid(), false},
	    {f->host, (int64_t)reaped, true},
	    {f->host, (int64_t)zombie, true},
	    {f->host, 0, true},
	    {f->host, -5, true},
	    {f->host, INT64_C(1) << 40, true},                /* no pid that large */
	    {"another-host.example", (int64_t)reaped, false}, /* its lease decides */
	    {"", (int64_t)reaped, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_lock h = who("x", cases[i].host, cases[i].pid, T0, T0 + 1);

		if (synclock_holder_gone(&h) != cases[i].gone)
			fail_msg("case %zu (host '%s', pid %lld): gone %d, want %d", i,
			         cases[i].host, (long long)cases[i].pid, !cases[i].gone,
			         cases[i].gone);
	}
	assert_int_equal(waitpid(zombie, NULL, 0), zombie);
}

static void test_synclock(void **state)
{
	struct fx *f = *state;
	struct synclock a, b, c;
	struct store_lock dead;
	struct bs_error err;
	char want[STORE_LOCK_HOST_MAX + 100];
	pid_t reaped = dead_child(true);

	/* one holder per target; the second is told who holds it */
	assert_int_equal(synclock_take(&a, f->st, "xero:T1", T0, &err), BS_OK);
	assert_true(a.held);
	assert_int_equal(strlen(a.me.owner), 32);
	assert_int_equal(synclock_take(&b, f->st, "xero:T1", T0 + 4000, &err), BS_EBUSY);
	assert_false(b.held);
	snprintf(want, sizeof(want),
	         "another sync of xero:T1 is running (process %ld on %s, for 4 s)", (long)getpid(),
	         f->host);
	if (strstr(err.msg, want) == NULL)
		fail_msg("'%s' lacks '%s'", err.msg, want);
	assert_non_null(strstr(err.msg, "try again when it has finished"));
	synclock_release(&b); /* not held: nothing happens */
	/* another target is another lock */
	assert_int_equal(synclock_take(&c, f->st, "xero:T2", T0, &err), BS_OK);
	synclock_release(&c);
	/* released: the next one takes it */
	synclock_release(&a);
	assert_false(a.held);
	assert_int_equal(synclock_take(&b, f->st, "xero:T1", T0 + 5000, &err), BS_OK);
	synclock_release(&b);

	/* a holder killed on this host (its pid gone) does not block, lease or not */
	dead = who("killed", f->host, (int64_t)reaped, T0, T0 + SYNCLOCK_LEASE_MS);
	assert_int_equal(store_lock_take(f->st, "sync:xero:T1", &dead, T0, NULL, NULL, NULL, &err),
	                 BS_OK);
	assert_int_equal(synclock_take(&a, f->st, "xero:T1", T0 + 1, &err), BS_OK);
	synclock_release(&a);
	/* on another host it blocks until its lease ends */
	dead = who("far", "another-host.example", (int64_t)reaped, T0, T0 + SYNCLOCK_LEASE_MS);
	assert_int_equal(store_lock_take(f->st, "sync:xero:T1", &dead, T0, NULL, NULL, NULL, &err),
	                 BS_OK);
	assert_int_equal(synclock_take(&a, f->st, "xero:T1", T0 + SYNCLOCK_LEASE_MS - 1, &err),
	                 BS_EBUSY);
	assert_non_null(strstr(err.msg, "on another-host.example"));
	assert_int_equal(synclock_take(&a, f->st, "xero:T1", T0 + SYNCLOCK_LEASE_MS, &err), BS_OK);
	synclock_release(&a);
	/* a target name too long for the lock's name */
	memset(want, 'x', sizeof(a.name));
	want[sizeof(a.name)] = '\0';
	assert_int_equal(synclock_take(&a, f->st, want, T0, &err), BS_EINVAL);
	assert_false(a.held);
}

/* The heartbeat: no write before a quarter of the lease; the lease moves on
 * after; a lock taken over (the lease lapsed) stops the sync. */
static void test_synclock_renew(void **state)
{
	struct fx *f = *state;
	const int64_t q = SYNCLOCK_LEASE_MS / 4;
	struct synclock a;
	struct store_lock other, h;
	struct bs_error err;

	assert_int_equal(synclock_take(&a, f->st, "xero:T1", T0, &err), BS_OK);
	assert_int_equal(synclock_renew(&a, T0 + q - 1, &err), BS_OK);
	assert_int_equal(a.renewed_ms, T0); /* nothing written yet */
	assert_int_equal(synclock_renew(&a, T0 + q, &err), BS_OK);
	assert_int_equal(a.renewed_ms, T0 + q);
	/* the row's lease is now T0 + q + LEASE: a probe finds it held just before */
	other = who("other", "another-host.example", 1, T0, T0 + 1);
	memset(&h, 0, sizeof(h));
	assert_int_equal(store_lock_take(f->st, "sync:xero:T1", &other,
	                                 T0 + q + SYNCLOCK_LEASE_MS - 1, NULL, NULL, &h, &err),
	                 BS_EBUSY);
	assert_int_equal(h.expires_ms, T0 + q + SYNCLOCK_LEASE_MS);
	assert_string_equal(h.owner, a.me.owner);
	/* past the lease another process takes it; the holder learns at its
	 * next renewal and must stop */
	other.expires_ms = T0 + 10 * SYNCLOCK_LEASE_MS;
	assert_int_equal(store_lock_take(f->st, "sync:xero:T1", &other, T0 + q + SYNCLOCK_LEASE_MS,
	                                 NULL, NULL, NULL, &err),
	                 BS_OK);
	assert_int_equal(synclock_renew(&a, T0 + q + SYNCLOCK_LEASE_MS + 1, &err), BS_EBUSY);
	assert_non_null(strstr(err.msg, "took it over"));
	assert_false(a.held);
	synclock_release(&a); /* must not release the other's lock */
	assert_int_equal(store_lock_take(f->st, "sync:xero:T1", &h, T0 + q + SYNCLOCK_LEASE_MS + 2,
	                                 NULL, NULL, &h, &err),
	                 BS_EBUSY);
	assert_string_equal(h.owner, "other");
	/* and renewing a lock not held does nothing */
	assert_int_equal(synclock_renew(&a, T0 + 100 * SYNCLOCK_LEASE_MS, &err), BS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_store_lock_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_holder_gone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_synclock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_synclock_renew, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
