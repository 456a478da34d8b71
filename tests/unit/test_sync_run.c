/*
 * test_sync_run.c - the library calls behind `connect` and `sync`
 * (sync/onboard.h, sync/run.h) against an in-process sandbox: authorise,
 * pick the organisation, connect; a dry run reports every document and
 * sends nothing; on_progress can stop a run between requests and the next
 * run finishes the work; a run while another holds the target's lock, and
 * one with no ledger connected, stop in the phase that says why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/client.h"
#include "ingest/ingest.h"
#include "sandbox/sandbox.h"
#include "store/store.h"
#include "sync/onboard.h"
#include "sync/run.h"
#include "sync/synclock.h"
#include "tstore.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NSALES 120

struct fx {
	char dir[64];
	char db[512];
	struct store *st;
	struct sandbox *sb;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A store holding one customer and NSALES invoiced sales of hers. */
static void fill(struct fx *f)
{
	struct ingest_opts io = {0};
	struct ingest_stats is = {0};
	struct store_actor who = {"test", now_ms()};
	struct bs_error err;
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/in.jsonl", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Aroha Ltd\"}\n");
	for (int i = 1; i <= NSALES; i++)
		fprintf(
		    fp,
		    "{\"kind\":\"sale\",\"id\":\"SO-%d\",\"reference\":\"SO-%d\",\"customer_id\":"
		    "\"C-1\",\"date\":\"2026-10-01\",\"invoiced\":true,\"tax_mode\":\"exclusive\","
		    "\"lines\":[{\"description\":\"A\",\"qty\":\"1\",\"unit_price\":\"10.00\","
		    "\"tax_rate\":\"15\"}]}\n",
		    i, i);
	fclose(fp);
	io.who = &who;
	if (ingest_path(f->st, path, &io, &is, &err) != BS_OK)
		fail_msg("ingest: %s", err.msg);
	assert_int_equal(is.added, NSALES + 1);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sandbox_config cfg;
	struct bs_error err;

	if (f == NULL)
		return -1;
	if (sodium_init() < 0 || http_global_init(&err) != BS_OK) {
		free(f);
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-run-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	tstore_db_path(f->db, sizeof(f->db), f->dir, "t");
	memset(&cfg, 0, sizeof(cfg));
	cfg.rounding = MONEY_HALF_AWAY;
	cfg.limits = "off";
	if (store_open(f->db, STORE_OPEN_CREATE, &f->st, &err) != BS_OK ||
	    sandbox_start(&cfg, &f->sb, &err) != BS_OK) {
		store_close(f->st);
		free(f);
		return -1;
	}
	fill(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->st);
	sandbox_stop(f->sb);
	http_global_cleanup();
	tstore_db_drop(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void no_person(void *arg, const char *url)
{
	(void)arg;
	fail_msg("the sandbox approves by itself, yet a URL was shown: %s", url);
}

/* connect: authorise, the one organisation, seal and read it */
static void connect(struct fx *f, char *target, size_t cap)
{
	struct onboard_auth a = {0};
	struct session_creds creds;
	struct ledger_tenant *t = NULL;
	struct onboard_stats ob;
	struct bs_error err;
	struct buf tb;
	size_t n = 0, pick = 99;

	a.base_url = sandbox_url(f->sb);
	a.client_id = "test";
	a.client_secret = "secret";
	a.auto_approve = true;
	a.show_url = no_person;
	a.now_ms = now_ms();
	if (onboard_authorize(&a, &creds, &t, &n, &err) != BS_OK)
		fail_msg("authorize: %s", err.msg);
	assert_int_equal(n, 1);
	assert_string_equal(creds.base_url, sandbox_url(f->sb));
	assert_true(creds.tokens.access_token[0] != '\0');
	assert_int_equal(onboard_pick_tenant(t, n, "nope", &pick, &err), BS_ENOTFOUND);
	assert_int_equal(onboard_pick_tenant(t, 0, NULL, &pick, &err), BS_EAUTH);
	assert_int_equal(onboard_pick_tenant(t, n, t[0].tenant_id, &pick, &err), BS_OK);
	assert_int_equal(pick, 0);
	assert_int_equal(onboard_pick_tenant(t, n, NULL, &pick, &err), BS_OK);
	buf_init(&tb, 256);
	if (onboard_connect(f->st, f->db, &creds, &t[pick], now_ms, &tb, &ob, &err) != BS_OK)
		fail_msg("connect: %s", err.msg);
	assert_string_equal(ob.base_currency, "NZD");
	assert_true(ob.accounts > 0);
	snprintf(target, cap, "%s", buf_cstr(&tb));
	assert_int_equal(strncmp(target, "xero:", 5), 0);
	buf_free(&tb);
	free(t);
	sodium_memzero(&creds, sizeof(creds));
}

struct seen {
	size_t docs, errors, plans, sends;
	int stop_after; /* sends: answer BS_ESTATE after this many (0 = never) */
};

static void seen_doc(void *arg, enum record_kind kind, const char *id, const char *doc_type,
                     const char *op, const char *body)
{
	struct seen *s = arg;

	(void)kind, (void)id, (void)doc_type, (void)op;
	assert_true(body[0] == '{');
	s->docs++;
}

static void seen_record(void *arg, enum record_kind kind, const char *id, enum sync_state st,
                        const char *reason)
{
	struct seen *s = arg;

	(void)kind, (void)id, (void)reason;
	if (st == SYNC_ERROR)
		s->errors++;
}

static int seen_progress(void *arg, const struct sync_progress *p, struct bs_error *err)
{
	struct seen *s = arg;

	if (p->phase == SYNC_PHASE_PLAN)
		s->plans++;
	if (p->phase != SYNC_PHASE_SEND)
		return BS_OK;
	s->sends++;
	if (s->stop_after > 0 && s->sends >= (size_t)s->stop_after)
		return bs_error_set(err, BS_ESTATE, "stopped by the test");
	return BS_OK;
}

static void opts_for(struct sync_run_opts *o, struct fx *f, struct seen *s)
{
	memset(o, 0, sizeof(*o));
	memset(s, 0, sizeof(*s));
	o->db_path = f->db;
	o->now_ms = now_ms;
	o->on_doc = seen_doc;
	o->on_record = seen_record;
	o->on_progress = seen_progress;
	o->arg = s;
}

static void test_run(void **state)
{
	struct fx *f = *state;
	struct sync_run_opts o;
	struct sync_summary sum;
	struct synclock other;
	struct seen s;
	struct bs_error err;
	char target[128];
	uint64_t posted;

	/* nothing connected yet: the target phase says so */
	opts_for(&o, f, &s);
	assert_int_equal(sync_run(f->st, &o, &sum, &err), BS_EAUTH);
	assert_int_equal(sum.phase, SYNC_PHASE_TARGET);
	assert_non_null(strstr(err.msg, "no ledger is connected"));
	assert_int_equal(s.plans, 0);

	connect(f, target, sizeof(target));

	/* a dry run: every document shown, nothing sent, no lock needed */
	assert_int_equal(synclock_take(&other, f->st, target, now_ms(), &err), BS_OK);
	opts_for(&o, f, &s);
	o.dry_run = true;
	if (sync_run(f->st, &o, &sum, &err) != BS_OK)
		fail_msg("dry run: %s", err.msg);
	assert_int_equal(sum.phase, SYNC_PHASE_DONE);
	assert_string_equal(sum.target, target);
	assert_int_equal(sum.plan.planned, NSALES + 1);
	assert_int_equal(s.docs, NSALES + 1);
	assert_int_equal(s.plans, 1);
	assert_int_equal(sum.sent.calls, 0);

	/* another holds the lock: the lock phase, nothing planned */
	opts_for(&o, f, &s);
	assert_int_equal(sync_run(f->st, &o, &sum, &err), BS_EBUSY);
	assert_int_equal(sum.phase, SYNC_PHASE_LOCK);
	assert_non_null(strstr(err.msg, "another sync of xero:"));
	assert_int_equal(s.plans, 0);
	synclock_release(&other);

	/* stopped by on_progress after its second request */
	opts_for(&o, f, &s);
	s.stop_after = 2;
	assert_int_equal(sync_run(f->st, &o, &sum, &err), BS_ESTATE);
	assert_int_equal(sum.phase, SYNC_PHASE_SEND);
	assert_string_equal(err.msg, "stopped by the test");
	assert_int_equal(s.sends, 2);
	posted = sum.sent.posted;
	assert_true(posted > 0 && posted < NSALES + 1);
	assert_int_equal(s.errors, 0);

	/* the next run finishes what is left, and sets the lock free again */
	opts_for(&o, f, &s);
	if (sync_run(f->st, &o, &sum, &err) != BS_OK)
		fail_msg("second run: %s", err.msg);
	assert_int_equal(sum.phase, SYNC_PHASE_DONE);
	assert_int_equal(posted + sum.sent.posted, NSALES + 1);
	assert_int_equal(sum.sent.failed + sum.plan.failed, 0);
	assert_int_equal(s.errors, 0);
	assert_int_equal(synclock_take(&other, f->st, target, now_ms(), &err), BS_OK);
	synclock_release(&other);

	/* an unknown target: the caller's mistake, in the target phase */
	opts_for(&o, f, &s);
	o.target = "xero:nope";
	assert_int_equal(sync_run(f->st, &o, &sum, &err), BS_ENOTFOUND);
	assert_int_equal(sum.phase, SYNC_PHASE_TARGET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_run, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
