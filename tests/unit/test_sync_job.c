/*
 * test_sync_job.c - a sync job's request (sync/job.h), resolved against a
 * real store and read back as a fleet worker reads it: what is refused
 * and why, the request JSON written, the key that makes two jobs the same
 * sync (Upload All with or without "all", the same records in another
 * order), and a stored request parsed back into the same job; then a
 * run's progress and end written into the job's row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "store/store.h"
#include "sync/job.h"
#include "tstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T1 "xero:t1"

struct fx {
	struct tstore t;
	struct store *st; /* t.st */
	struct store_actor who;
};

static int setup(void **state)
{
	static const struct {
		enum record_kind kind;
		const char *id, *tab;
	} recs[] = {
	    {RECORD_SALE, "SO-1", "sales/invoices"},
	    {RECORD_SALE, "SO-2", "sales/invoices"},
	    {RECORD_CUSTOMER, "C-1", "sales/customers"},
	    {RECORD_SUPPLIER, "C-1", "purchases/suppliers"}, /* same id, other kind */
	};
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;

	if (f == NULL)
		return -1;
	*state = f;
	if (tstore_open(&f->t, "job") != 0)
		return -1;
	f->st = f->t.st;
	f->who.name = "test";
	f->who.now_ms = 1700000000000;
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		if (tstore_put(f->st, &f->who, recs[i].kind, recs[i].id, recs[i].tab, &err) != 0)
			return -1;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int rc = tstore_close(&f->t);

	free(f);
	return rc;
}

/* Before any target: nothing to sync to. */
static void test_no_target(void **state)
{
	struct fx *f = *state;
	struct sync_job_req r = {0};
	struct sync_job_spec s;
	struct bs_error err;

	assert_int_equal(sync_job_resolve(f->st, &r, &s, &err), BS_ESTATE);
	assert_non_null(strstr(err.msg, "no ledger is connected"));
	assert_null(s.request);
	assert_null(s.key);
}

struct refused {
	const char *tab, *target;
	const char *refs[3];
	size_t nrefs;
	const char *words;
	int rc;
	bool everything, resync;
};

/* Every request that cannot be, with its code and words. */
static void test_refused(void **state)
{
	static const struct refused cases[] = {
	    {"no-such-tab", NULL, {NULL}, 0, "no-such-tab", BS_EINVAL, false, false},
	    {"sales/invoices", NULL, {NULL}, 0, "exclude each other", BS_EINVAL, true, false},
	    {NULL, NULL, {"sale:SO-1"}, 1, "select goes with a tab", BS_EINVAL, false, false},
	    {NULL, "xero:nope", {NULL}, 0, "xero:nope", BS_ENOTFOUND, false, false},
	    {"sales/invoices", NULL, {"sale:SO-9"}, 1, "SO-9", BS_ENOTFOUND, false, false},
	    {"sales/invoices", NULL, {"C-1"}, 1, "C-1", BS_ECONFLICT, false, false},
	    {"sales/invoices",
	     NULL,
	     {"customer:C-1"},
	     1,
	     "not on the sales",
	     BS_EINVAL,
	     false,
	     false},
	    {"sales/invoices", NULL, {"nokind:SO-1"}, 1, "nokind", BS_EINVAL, false, false},
	};
	struct fx *f = *state;
	struct bs_error err;

	assert_int_equal(store_target_add(f->st, T1, "One", &f->who, &err), BS_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct refused *c = &cases[i];
		struct sync_job_req r = {c->target, c->tab,   false,    c->everything,
		                         c->refs,   c->nrefs, c->resync};
		struct sync_job_spec s;

		bs_error_clear(&err);
		if (sync_job_resolve(f->st, &r, &s, &err) != c->rc)
			fail_msg("case %zu: want %d, got %d (%s)", i, c->rc, err.code, err.msg);
		if (strstr(err.msg, c->words) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, c->words);
		assert_null(s.refs);
		assert_null(s.key);
	}
}

static void test_too_many(void **state)
{
	struct fx *f = *state;
	const char **refs = calloc(SYNC_JOB_MAX_REFS + 1, sizeof(*refs));
	struct sync_job_req r = {0};
	struct sync_job_spec s;
	struct bs_error err;

	assert_non_null(refs);
	assert_int_equal(store_target_add(f->st, T1, "One", &f->who, &err), BS_OK);
	for (size_t i = 0; i <= SYNC_JOB_MAX_REFS; i++)
		refs[i] = "sale:SO-1";
	r.tab = "sales/invoices";
	r.refs = refs;
	r.nrefs = SYNC_JOB_MAX_REFS + 1;
	assert_int_equal(sync_job_resolve(f->st, &r, &s, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "at most 500"));
	free(refs);
}

struct accepted {
	struct sync_job_req r;
	const char *request; /* as stored */
	const char *key;     /* \x1f between the parts */
	bool all;            /* sync_job_is_all */
};

/* Requests accepted: the JSON written, the key, and the same job when the
 * stored request is parsed back (as a fleet worker does). */
static void test_accepted(void **state)
{
	static const char *const two[] = {"sale:SO-2", "SO-1"};
	static const char *const two_back[] = {"SO-1", "sale:SO-2"};
	static const char *const one[] = {"customer:C-1"};
	static const struct accepted cases[] = {
	    {{NULL, NULL, false, false, NULL, 0, false},
	     "{\"target\":\"xero:t1\"}",
	     "xero:t1\x1f\x1f"
	     "00",
	     true},
	    {{T1, NULL, false, true, NULL, 0, false},
	     "{\"target\":\"xero:t1\",\"everything\":true}",
	     "xero:t1\x1f\x1f"
	     "10",
	     true},
	    {{NULL, "invoices", true, false, NULL, 0, false},
	     "{\"target\":\"xero:t1\",\"tab\":\"sales/invoices\",\"all\":true}",
	     "xero:t1\x1fsales/invoices\x1f"
	     "00",
	     false},
	    /* Upload All with or without "all": the same key */
	    {{NULL, "sales/invoices", false, false, NULL, 0, false},
	     "{\"target\":\"xero:t1\",\"tab\":\"sales/invoices\"}",
	     "xero:t1\x1fsales/invoices\x1f"
	     "00",
	     false},
	    /* records resolved and sorted: either order, one key */
	    {{NULL, "sales", false, false, two, 2, false},
	     "{\"target\":\"xero:t1\",\"tab\":\"sales\",\"select\":[\"sale:SO-2\",\"SO-1\"]}",
	     "xero:t1\x1fsales\x1f"
	     "00\x1fsale:SO-1\x1fsale:SO-2",
	     false},
	    {{NULL, "sales", false, false, two_back, 2, false},
	     "{\"target\":\"xero:t1\",\"tab\":\"sales\",\"select\":[\"SO-1\",\"sale:SO-2\"]}",
	     "xero:t1\x1fsales\x1f"
	     "00\x1fsale:SO-1\x1fsale:SO-2",
	     false},
	    /* a resync names its record without a tab */
	    {{NULL, NULL, false, false, one, 1, true},
	     "{\"target\":\"xero:t1\",\"resync\":true,\"select\":[\"customer:C-1\"]}",
	     "xero:t1\x1f\x1f"
	     "01\x1f"
	     "customer:C-1",
	     false},
	};
	struct fx *f = *state;
	struct bs_error err;

	assert_int_equal(store_target_add(f->st, T1, "One", &f->who, &err), BS_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct accepted *c = &cases[i];
		struct sync_job_spec s, back;
		struct sync_run_opts o = {0};

		if (sync_job_resolve(f->st, &c->r, &s, &err) != BS_OK)
			fail_msg("case %zu: %s", i, err.msg);
		assert_string_equal(s.target, T1);
		assert_string_equal(s.request, c->request);
		assert_string_equal(s.key, c->key);
		assert_int_equal(sync_job_is_all(&s), c->all);
		sync_job_opts(&s, &o);
		assert_string_equal(o.target, T1);
		assert_int_equal(o.nrefs, s.nrefs);
		assert_int_equal(o.everything, c->r.everything);
		assert_int_equal(o.resync, c->r.resync);
		/* what a worker reads back is the same job */
		if (sync_job_parse(f->st, s.request, &back, &err) != BS_OK)
			fail_msg("case %zu parsed back: %s", i, err.msg);
		assert_string_equal(back.request, s.request);
		assert_string_equal(back.key, s.key);
		assert_int_equal(back.nrefs, s.nrefs);
		for (size_t k = 0; k < s.nrefs; k++) {
			assert_int_equal(back.refs[k].kind, s.refs[k].kind);
			assert_string_equal(back.refs[k].id, s.refs[k].id);
		}
		assert_ptr_equal(back.tab, s.tab);
		sync_job_spec_free(&back);
		sync_job_spec_free(&s);
		assert_null(s.key);
	}
}

/* A stored request that is not one. */
static void test_parse_refused(void **state)
{
	static const char *const bad[] = {
	    "",
	    "[]",
	    "{}",
	    "{\"target\":7}",
	    "{\"target\":\"xero:t1\",\"all\":\"yes\"}",
	    "{\"target\":\"xero:t1\",\"tab\":\"sales\",\"select\":[]}",
	    "{\"target\":\"xero:t1\",\"tab\":\"sales\",\"select\":\"SO-1\"}",
	    "{\"target\":\"xero:t1\",\"tab\":\"sales\",\"select\":[1]}",
	    "{\"target\":\"xero:t1\"",
	};
	struct fx *f = *state;
	struct bs_error err;

	assert_int_equal(store_target_add(f->st, T1, "One", &f->who, &err), BS_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sync_job_spec s;

		if (sync_job_parse(f->st, bad[i], &s, &err) != BS_EINVAL)
			fail_msg("'%s' was not refused as not a request", bad[i]);
		assert_null(s.key);
	}
	/* a request naming a target since gone */
	{
		struct sync_job_spec s;

		assert_int_equal(sync_job_parse(f->st, "{\"target\":\"xero:gone\"}", &s, &err),
		                 BS_ENOTFOUND);
	}
}

/* Progress and the end, as both runners write them into the row. */
static void test_progress_and_end(void **state)
{
	struct store_job j;
	struct sync_progress p = {SYNC_PHASE_SEND, 120, 3, 5};
	struct sync_summary sum;

	(void)state;
	memset(&j, 0, sizeof(j));
	snprintf(j.message, sizeof(j.message), "waiting: another sync");
	p.phase = SYNC_PHASE_LOCK;
	p.posted = 0, p.failed = 0, p.calls = 0;
	sync_job_progress(&j, &p);
	assert_string_equal(j.phase, "lock");
	assert_string_equal(j.message, "waiting: another sync"); /* still waiting */
	p = (struct sync_progress){SYNC_PHASE_SEND, 120, 3, 5};
	sync_job_progress(&j, &p);
	assert_string_equal(j.phase, "send");
	assert_string_equal(j.message, "");
	assert_int_equal(j.posted, 120);
	assert_int_equal(j.failed, 3);
	assert_int_equal(j.calls, 5);
	assert_int_equal(j.total, 123); /* at least what is done */
	j.total = 500;
	sync_job_progress(&j, &p);
	assert_int_equal(j.total, 500);

	memset(&sum, 0, sizeof(sum));
	sum.phase = SYNC_PHASE_DONE;
	sum.sent.posted = 490;
	sum.sent.failed = 4;
	sum.plan.failed = 6;
	sum.plan.skipped = 2;
	sum.plan.waiting = 1;
	sum.sent.waiting = 1;
	sum.sent.calls = 11;
	sum.sent.rate_limited = 2;
	sync_job_end(&j, BS_OK, &sum, "ignored when done", 42);
	assert_string_equal(j.state, "done");
	assert_string_equal(j.phase, "done");
	assert_string_equal(j.message, "");
	assert_true(j.has_summary);
	assert_int_equal(j.s_posted, 490);
	assert_int_equal(j.s_failed, 10);
	assert_int_equal(j.s_skipped, 2);
	assert_int_equal(j.s_waiting, 2);
	assert_int_equal(j.s_calls, 11);
	assert_int_equal(j.rate_limited, 2);
	assert_int_equal(j.finished_ms, 42);
	assert_int_equal(j.total, 500);

	sum.phase = SYNC_PHASE_SESSION;
	sync_job_end(&j, BS_EAUTH, &sum, "the connection was revoked", 43);
	assert_string_equal(j.state, "failed");
	assert_string_equal(j.phase, "session");
	assert_string_equal(j.message, "the connection was revoked");
	sync_job_end(&j, BS_EAUTH, &sum, "", 44);
	assert_string_equal(j.message, bs_strerror(BS_EAUTH));
	assert_string_equal(sync_job_phase_name((enum sync_run_phase)99), "done");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_no_target, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accepted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parse_refused, setup, teardown),
	    cmocka_unit_test(test_progress_and_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
