/*
 * test_fleet.c - the leases and the app budget workers share
 * (fleet/fleet.h), on the PostgreSQL server of tests/integration/lib/
 * with_pg.sh (CTest's unit-pg/test_fleet); skipped without one.
 *
 * Two connections stand for two workers: a target one claims is not the
 * other's until its lease ends or it is handed back; a lease that ran out
 * cannot be renewed by its old owner; the budget lets `limit` calls
 * through a window, across connections, and says how long to wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fleet/fleet.h"
#include "tstore.h"

#include <string.h>
#include <time.h>

struct fx {
	char dir[64];
	char path[2][512];
	struct store *st[2];
	struct fleet *a, *b;
};

static void nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Two stores, each with targets, registered in a clean fleet. */
static int setup(void **state)
{
	static const char *const targets[2][2] = {{"xero:t-a1", "xero:t-a2"}, {"qbo:r-b1", NULL}};
	struct fx *f = calloc(1, sizeof(*f));
	struct store_actor who = {"test", 1};
	struct bs_error err;
	PGconn *c;

	if (f == NULL || tstore_pg() == NULL) {
		*state = f;
		return 0;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-fleet-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	/* a fleet of this test's own */
	c = PQconnectdb(tstore_pg());
	PQclear(PQexec(c, "SET client_min_messages TO warning;"
	                  " DROP SCHEMA IF EXISTS booksync_fleet CASCADE"));
	PQfinish(c);
	if (fleet_open(tstore_pg(), &f->a, &err) != BS_OK ||
	    fleet_open(tstore_pg(), &f->b, &err) != BS_OK)
		return -1;
	for (int i = 0; i < 2; i++) {
		char schema[64];

		tstore_db_path(f->path[i], sizeof(f->path[i]), f->dir, i == 0 ? "fa" : "fb");
		if (store_open(f->path[i], STORE_OPEN_CREATE, &f->st[i], &err) != BS_OK)
			return -1;
		for (int k = 0; k < 2 && targets[i][k] != NULL; k++)
			if (store_target_add(f->st[i], targets[i][k], "", &who, &err) != BS_OK)
				return -1;
		if (!tstore_schema(f->path[i], schema) ||
		    fleet_store_add(f->a, schema, &err) != BS_OK)
			return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	if (f == NULL)
		return 0;
	fleet_close(f->a);
	fleet_close(f->b);
	for (int i = 0; i < 2; i++) {
		store_close(f->st[i]);
		if (f->path[i][0] != '\0')
			tstore_db_drop(f->path[i]);
	}
	if (f->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		if (system(cmd) != 0)
			return -1;
	}
	free(f);
	return 0;
}

static void test_claims(void **state)
{
	struct fx *f = *state;
	struct fleet_lease l[4];
	struct bs_error err;
	int64_t added = 0, next = 0, busy = 0;
	char seen[4][256];

	if (tstore_pg() == NULL)
		skip();
	assert_int_equal(fleet_refresh(f->a, &added, &err), BS_OK);
	assert_int_equal(added, 3);
	assert_int_equal(fleet_refresh(f->b, &added, &err), BS_OK);
	assert_int_equal(added, 0); /* once per target */

	/* three targets, claimed by two workers in turn: each once */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fleet_claim(i % 2 ? f->b : f->a, i % 2 ? "w-b" : "w-a", 60000,
		                             &l[i], NULL, &err),
		                 BS_OK);
		snprintf(seen[i], sizeof(seen[i]), "%.60s %.128s", l[i].store, l[i].target);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(seen[i], seen[k]);
	}
	assert_int_equal(fleet_claim(f->b, "w-b", 60000, &l[3], &next, &err), BS_ENOTFOUND);
	assert_in_range(next, 1, 60000); /* the first lease to end */
	assert_int_equal(fleet_busy(f->a, &busy, &err), BS_OK);
	assert_int_equal(busy, 3);

	/* handed back due in an hour: not claimable, not busy */
	for (int i = 0; i < 3; i++)
		assert_int_equal(fleet_release(i % 2 ? f->b : f->a, &l[i], 3600000, "ok", &err),
		                 BS_OK);
	assert_int_equal(fleet_claim(f->a, "w-a", 60000, &l[3], &next, &err), BS_ENOTFOUND);
	assert_in_range(next, 3500000, 3600000);
	assert_int_equal(fleet_busy(f->a, &busy, &err), BS_OK);
	assert_int_equal(busy, 0);
}

static void test_lease_runs_out(void **state)
{
	struct fx *f = *state;
	struct fleet_lease mine, theirs;
	struct bs_error err;
	int64_t added = 0;

	if (tstore_pg() == NULL)
		skip();
	assert_int_equal(fleet_refresh(f->a, &added, &err), BS_OK);
	assert_int_equal(fleet_claim(f->a, "dead", 300, &mine, NULL, &err), BS_OK);
	assert_int_equal(fleet_renew(f->a, &mine, 300, &err), BS_OK);
	/* the owner stops renewing (SIGKILL): the target is another's after 300 ms */
	nap(400);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fleet_claim(f->b, "alive", 60000, &theirs, NULL, &err), BS_OK);
		if (strcmp(theirs.target, mine.target) == 0 &&
		    strcmp(theirs.store, mine.store) == 0)
			break;
	}
	assert_string_equal(theirs.target, mine.target);
	/* the old owner cannot renew it or hand it back */
	assert_int_equal(fleet_renew(f->a, &mine, 300, &err), BS_ECONFLICT);
	assert_int_equal(fleet_release(f->a, &mine, 0, "late", &err), BS_OK);
	assert_int_equal(fleet_renew(f->b, &theirs, 60000, &err), BS_OK);
}

/*
 * A job asks for a target (fleet_ask): due at once though its next sync is
 * an hour away, claimed as asked, not scheduled; a run of jobs alone
 * handed back keeps the hour; an asking made while the target was held
 * survives the release, one made before it does not; and a worker that
 * dies leaves it asked, so the next claim after its lease takes it.
 */
static void test_asked(void **state)
{
	struct fx *f = *state;
	struct fleet_lease l, again;
	struct bs_error err;
	int64_t added = 0, next = 0;
	char store[64];

	if (tstore_pg() == NULL)
		skip();
	assert_true(tstore_schema(f->path[1], store));
	assert_int_equal(fleet_refresh(f->a, &added, &err), BS_OK);
	/* every target synced, due in an hour */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fleet_claim(f->a, "w-a", 60000, &l, NULL, &err), BS_OK);
		assert_true(l.scheduled);
		assert_int_equal(fleet_release(f->a, &l, 3600000, "ok", &err), BS_OK);
	}
	assert_int_equal(fleet_claim(f->a, "w-a", 60000, &l, NULL, &err), BS_ENOTFOUND);

	/* a job of qbo:r-b1: due now, claimed as asked */
	assert_int_equal(fleet_ask(f->b, store, "qbo:r-b1", 0, &err), BS_OK);
	assert_int_equal(fleet_claim(f->a, "w-a", 60000, &l, NULL, &err), BS_OK);
	assert_string_equal(l.store, store);
	assert_string_equal(l.target, "qbo:r-b1");
	assert_false(l.scheduled);
	assert_true(l.claimed_ms > 0);
	/* asked again while held (a job queued during the run) */
	nap(5);
	assert_int_equal(fleet_ask(f->b, store, "qbo:r-b1", 0, &err), BS_OK);
	assert_int_equal(fleet_claim(f->b, "w-b", 60000, &again, NULL, &err), BS_ENOTFOUND);
	/* jobs alone: the hour kept; the asking since then stands */
	assert_int_equal(fleet_release(f->a, &l, -1, "ok: 1 sync job", &err), BS_OK);
	assert_int_equal(fleet_claim(f->b, "w-b", 300, &again, NULL, &err), BS_OK);
	assert_string_equal(again.target, "qbo:r-b1");
	assert_false(again.scheduled);
	/* w-b dies holding it: once its lease ends it is claimed again */
	nap(400);
	assert_int_equal(fleet_claim(f->a, "w-a", 60000, &l, NULL, &err), BS_OK);
	assert_string_equal(l.target, "qbo:r-b1");
	/* answered now: handed back, nothing is due for the hour */
	assert_int_equal(fleet_release(f->a, &l, -1, "ok: 1 sync job", &err), BS_OK);
	assert_int_equal(fleet_claim(f->a, "w-a", 60000, &l, &next, &err), BS_ENOTFOUND);
	assert_in_range(next, 3500000, 3600000);

	/* a target with no lease row yet (connected since the last refresh) */
	assert_int_equal(fleet_ask(f->b, store, "xero:new", 0, &err), BS_OK);
	assert_int_equal(fleet_claim(f->a, "w-a", 60000, &l, NULL, &err), BS_OK);
	assert_string_equal(l.target, "xero:new");
}

static void test_app_budget(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	int64_t wait = -1;

	if (tstore_pg() == NULL)
		skip();
	/* 3 calls a 500 ms window, taken by two workers */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fleet_app_take(i % 2 ? f->b : f->a, "xero", 3, 500, &wait, &err),
		                 BS_OK);
		assert_int_equal(wait, 0);
	}
	assert_int_equal(fleet_app_take(f->b, "xero", 3, 500, &wait, &err), BS_OK);
	assert_in_range(wait, 1, 501);
	/* another app's budget is its own */
	assert_int_equal(fleet_app_take(f->b, "other", 3, 500, &wait, &err), BS_OK);
	assert_int_equal(wait, 0);
	nap(520);
	assert_int_equal(fleet_app_take(f->a, "xero", 3, 500, &wait, &err), BS_OK);
	assert_int_equal(wait, 0);
}

static void test_store_url(void **state)
{
	static const struct {
		const char *url, *store, *want;
	} cases[] = {
	    {"postgresql://h/db", "org1", "postgresql://h/db?schema=org1"},
	    {"postgresql://h/db?schema=x", "org2", "postgresql://h/db?schema=org2"},
	    {"postgresql://h/db?sslmode=disable&schema=x", "o",
	     "postgresql://h/db?sslmode=disable&schema=o"},
	    {"postgres://u@h:5/d?schema=x&connect_timeout=3", "o",
	     "postgres://u@h:5/d?connect_timeout=3&schema=o"},
	};
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fleet_store_url(cases[i].url, cases[i].store, out, sizeof(out)),
		                 BS_OK);
		assert_string_equal(out, cases[i].want);
	}
	assert_int_not_equal(
	    fleet_store_url("postgresql://h/db?schema=bad-name", "o", out, sizeof(out)), BS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_claims, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lease_runs_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_asked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_app_budget, setup, teardown),
	    cmocka_unit_test(test_store_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
