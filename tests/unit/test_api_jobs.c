/*
 * test_api_jobs.c - the job runner of `booksync serve` (api_jobs.c) against
 * an in-process sandbox, inside a real server (api_start): validation of what a job names, a
 * replayed job refused with the first one's id, a job that meets another process's sync lock
 * waiting (and saying so) instead of failing, the jobs running to done with every record posted
 * once, and the wire shape of a job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/api_jobs_int.h"
#include "http/client.h"
#include "ingest/ingest.h"
#include "sandbox/sandbox.h"
#include "store/store.h"
#include "sync/onboard.h"
#include "sync/synclock.h"
#include "tstore.h"

#include <json-c/json.h>
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
	struct api_opts opts;
	struct api_server *srv;
	struct api_jobs *jobs;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One customer and NSALES invoiced sales of hers, and a purchase. */
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

static const char *setup_faults; /* the next setup's sandbox faults */

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
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-jobs-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	tstore_db_path(f->db, sizeof(f->db), f->dir, "t");
	memset(&cfg, 0, sizeof(cfg));
	cfg.rounding = MONEY_HALF_AWAY;
	cfg.limits = "off";
	cfg.faults = setup_faults;
	if (store_open(f->db, STORE_OPEN_CREATE, &f->st, &err) != BS_OK ||
	    sandbox_start(&cfg, &f->sb, &err) != BS_OK) {
		store_close(f->st);
		free(f);
		return -1;
	}
	fill(f);
	f->opts.db_path = f->db;
	f->opts.listen = "127.0.0.1:0";
	f->opts.now_ms = now_ms;
	f->opts.today = "2026-10-02";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	api_stop(f->srv);
	unsetenv("BOOKSYNC_SCHEDULE_UNIT_MS");
	setup_faults = NULL;
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

static void connect(struct fx *f, char *target, size_t cap)
{
	struct onboard_auth a = {0};
	struct session_creds creds;
	struct ledger_tenant *t = NULL;
	struct onboard_stats ob;
	struct bs_error err;
	struct buf tb;
	size_t n = 0;

	a.base_url = sandbox_url(f->sb);
	a.client_id = "test";
	a.client_secret = "secret";
	a.auto_approve = true;
	a.show_url = no_person;
	a.now_ms = now_ms();
	if (onboard_authorize(&a, &creds, &t, &n, &err) != BS_OK)
		fail_msg("authorize: %s", err.msg);
	buf_init(&tb, 256);
	if (onboard_connect(f->st, f->db, &creds, &t[0], now_ms, &tb, &ob, &err) != BS_OK)
		fail_msg("connect: %s", err.msg);
	snprintf(target, cap, "%s", buf_cstr(&tb));
	buf_free(&tb);
	free(t);
	sodium_memzero(&creds, sizeof(creds));
}

/* Start the server (and with it the job runner and the scheduler). */
static void start(struct fx *f)
{
	struct bs_error err;

	if (api_start(&f->opts, &f->srv, &err) != BS_OK)
		fail_msg("api_start: %s", err.msg);
	f->jobs = api_jobs_of(f->srv);
	assert_non_null(f->jobs);
}

/* Poll job id until it has ended (10 s at most). */
static void wait_end(struct fx *f, int64_t id, struct store_job *j)
{
	struct bs_error err;

	for (int i = 0; i < 1000; i++) {
		assert_int_equal(api_jobs_get(f->jobs, f->st, id, j, NULL, &err), BS_OK);
		if (strcmp(j->state, "done") == 0 || strcmp(j->state, "failed") == 0)
			return;
		usleep(10 * 1000);
	}
	fail_msg("job %lld did not end", (long long)id);
}

/* What a job may name, refused before it is queued (table-driven). */
static void test_refused(void **state)
{
	struct fx *f = *state;
	static const char *const sel_ok[] = {"SO-1"};
	static const char *const sel_other[] = {"customer:C-1"};
	static const char *const sel_none[] = {"SO-999"};
	static const struct {
		const char *tab;
		bool everything, resync;
		const char *const *refs;
		size_t nrefs;
		int want;
		const char *msg;
	} cases[] = {
	    {"nope", false, false, NULL, 0, BS_EINVAL, "nope"},
	    {"invoices", true, false, NULL, 0, BS_EINVAL, "exclude"},
	    {NULL, false, false, sel_ok, 1, BS_EINVAL, "goes with a tab"},
	    {"invoices", false, false, sel_other, 1, BS_EINVAL, "is not on the"},
	    {"invoices", false, false, sel_none, 1, BS_ENOTFOUND, "SO-999"},
	};
	struct api_job_req r;
	struct bs_error err;
	char target[128];
	int64_t id;

	start(f);
	/* nothing connected yet */
	memset(&r, 0, sizeof(r));
	assert_int_equal(api_jobs_submit(f->srv, &r, &id, &err), BS_ESTATE);
	assert_non_null(strstr(err.msg, "no ledger is connected"));
	connect(f, target, sizeof(target));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.sync.tab = cases[i].tab;
		r.sync.everything = cases[i].everything;
		r.sync.resync = cases[i].resync;
		r.sync.refs = cases[i].refs;
		r.sync.nrefs = cases[i].nrefs;
		assert_int_equal(api_jobs_submit(f->srv, &r, &id, &err), cases[i].want);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
		assert_int_equal(id, 0);
	}
	memset(&r, 0, sizeof(r));
	r.sync.target = "xero:nope";
	assert_int_equal(api_jobs_submit(f->srv, &r, &id, &err), BS_ENOTFOUND);
	/* no job was made by any of these */
	assert_int_equal(api_jobs_get(f->jobs, f->st, 1, &(struct store_job){0}, NULL, &err),
	                 BS_ENOTFOUND);
}

/* Queue, dedup, wait for another's lock, run to done. */
static void test_queue(void **state)
{
	struct fx *f = *state;
	static const char *const sel[] = {"SO-2", "sale:SO-1"};
	static const char *const sel_again[] = {"SO-1", "SO-2"};
	struct api_job_req r;
	struct synclock other;
	struct store_job j;
	struct bs_error err;
	struct buf req;
	char target[128];
	int64_t all, again, picked, picked_again, inv;

	start(f);
	connect(f, target, sizeof(target));
	/* another process syncs the target meanwhile */
	assert_int_equal(synclock_take(&other, f->st, target, now_ms(), &err), BS_OK);

	memset(&r, 0, sizeof(r));
	r.origin = "dashboard";
	r.sync.tab = "invoices";
	r.sync.refs = sel;
	r.sync.nrefs = 2;
	assert_int_equal(api_jobs_submit(f->srv, &r, &picked, &err), BS_OK);
	/* the same records named otherwise and in another order: the same job */
	r.sync.refs = sel_again;
	assert_int_equal(api_jobs_submit(f->srv, &r, &picked_again, &err), BS_EBUSY);
	assert_int_equal(picked_again, picked);
	assert_non_null(strstr(err.msg, "already"));

	memset(&r, 0, sizeof(r));
	assert_int_equal(api_jobs_submit(f->srv, &r, &all, &err), BS_OK);
	assert_int_not_equal(all, picked);
	r.sync.all = true; /* {"all": true} is Sync All too */
	assert_int_equal(api_jobs_submit(f->srv, &r, &again, &err), BS_EBUSY);
	assert_int_equal(again, all);
	memset(&r, 0, sizeof(r));
	r.sync.tab = "sales/invoices";
	r.sync.all = true;
	assert_int_equal(api_jobs_submit(f->srv, &r, &inv, &err), BS_OK);

	/* the first job meets the lock: it waits, queued, and says why */
	for (int i = 0; i < 500; i++) {
		assert_int_equal(api_jobs_get(f->jobs, f->st, picked, &j, NULL, &err), BS_OK);
		if (j.message[0] != '\0')
			break;
		usleep(10 * 1000);
	}
	assert_string_equal(j.state, "queued");
	assert_string_equal(j.phase, "lock");
	assert_non_null(strstr(j.message, "waiting: another sync of xero:"));
	assert_true(j.started_ms > 0);
	assert_int_equal(j.finished_ms, 0);
	synclock_release(&other);

	wait_end(f, picked, &j);
	assert_string_equal(j.state, "done");
	assert_string_equal(j.message, "");
	assert_true(j.has_summary);
	assert_int_equal(j.s_posted, 3); /* the two sales and their customer */
	assert_string_equal(j.origin, "dashboard");
	assert_string_equal(j.target, target);

	wait_end(f, all, &j);
	assert_string_equal(j.state, "done");
	assert_int_equal(j.s_posted, NSALES - 2);
	assert_int_equal(j.s_failed, 0);
	assert_true(j.total >= j.s_posted);
	assert_true(j.calls > 0);
	wait_end(f, inv, &j);
	assert_string_equal(j.state, "done");
	assert_int_equal(j.s_posted, 0); /* nothing left: exactly once */

	/* once ended, the same sync may be asked again */
	memset(&r, 0, sizeof(r));
	assert_int_equal(api_jobs_submit(f->srv, &r, &again, &err), BS_OK);
	assert_true(again > inv);
	wait_end(f, again, &j);
	assert_int_equal(j.s_posted, 0);

	/* the wire shape */
	buf_init(&req, 0);
	assert_int_equal(api_jobs_get(f->jobs, f->st, picked, &j, &req, &err), BS_OK);
	{
		struct buf out;
		struct json_object *o, *v;

		buf_init(&out, 0);
		assert_int_equal(api_job_json(&out, &j, buf_cstr(&req)), BS_OK);
		o = json_tokener_parse(buf_cstr(&out));
		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "state", &v));
		assert_string_equal(json_object_get_string(v), "done");
		assert_true(json_object_object_get_ex(o, "phase", &v));
		assert_string_equal(json_object_get_string(v), "done");
		assert_true(json_object_object_get_ex(o, "request", &v));
		assert_true(json_object_object_get_ex(v, "select", &v));
		assert_int_equal(json_object_array_length(v), 2);
		assert_true(json_object_object_get_ex(o, "summary", &v));
		assert_true(json_object_object_get_ex(v, "posted", &v));
		assert_int_equal(json_object_get_int(v), 3);
		assert_true(json_object_object_get_ex(o, "finished_at", &v));
		assert_int_equal(strlen(json_object_get_string(v)), 20);
		assert_true(json_object_object_get_ex(o, "progress", &v));
		json_object_put(o);
		buf_free(&out);
	}
	buf_free(&req);
}

static int setup_slow(void **state)
{
	setup_faults = "rate=1,seed=1,kinds=slow,slow-ms=150";
	return setup(state);
}

/* Stopping during a job: it stops before its next ledger call, is stored
 * failed, a queued one too; the next runner finishes the rest once. */
static void test_stop(void **state)
{
	struct fx *f = *state;
	struct api_job_req r;
	struct store_job j;
	struct synclock lk;
	struct bs_error err;
	char target[128];
	int64_t all, inv, again, posted;

	start(f);
	connect(f, target, sizeof(target));
	memset(&r, 0, sizeof(r));
	assert_int_equal(api_jobs_submit(f->srv, &r, &all, &err), BS_OK);
	r.sync.tab = "invoices";
	assert_int_equal(api_jobs_submit(f->srv, &r, &inv, &err), BS_OK);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(api_jobs_get(f->jobs, f->st, all, &j, NULL, &err), BS_OK);
		if (j.posted >= 1)
			break;
		usleep(5 * 1000);
	}
	assert_string_equal(j.state, "running");
	assert_string_equal(j.phase, "send");
	api_stop(f->srv);
	f->srv = NULL;
	f->jobs = NULL;

	assert_int_equal(store_job_get(f->st, all, &j, NULL, &err), BS_OK);
	assert_string_equal(j.state, "failed");
	assert_non_null(strstr(j.message, "stopped: serve is stopping"));
	assert_true(j.has_summary);
	posted = j.s_posted;
	assert_true(posted >= 1 && posted < NSALES + 1);
	assert_true(j.finished_ms >= j.started_ms && j.started_ms > 0);
	assert_int_equal(store_job_get(f->st, inv, &j, NULL, &err), BS_OK);
	assert_string_equal(j.state, "failed");
	assert_string_equal(j.message, "serve stopped before this job ran");
	/* the lock was given back */
	assert_int_equal(synclock_take(&lk, f->st, target, now_ms(), &err), BS_OK);
	synclock_release(&lk);

	/* a new runner: the rest, once */
	start(f);
	memset(&r, 0, sizeof(r));
	assert_int_equal(api_jobs_submit(f->srv, &r, &again, &err), BS_OK);
	assert_true(again > inv);
	wait_end(f, again, &j);
	assert_string_equal(j.state, "done");
	assert_int_equal(posted + j.s_posted, NSALES + 1);
	assert_int_equal(j.s_failed, 0);
}

/* A job a server left queued or running is failed by the next start; one
 * waiting for another process's sync when the server stops is failed
 * saying so. */
static void test_abandoned(void **state)
{
	struct fx *f = *state;
	struct store_job j, left;
	struct bs_error err;

	memset(&left, 0, sizeof(left));
	snprintf(left.target, sizeof(left.target), "xero:x");
	snprintf(left.origin, sizeof(left.origin), "api");
	snprintf(left.state, sizeof(left.state), "running");
	snprintf(left.phase, sizeof(left.phase), "send");
	left.created_ms = left.started_ms = now_ms();
	left.posted = 4;
	assert_int_equal(store_job_add(f->st, &left, "{}", NULL, NULL, &err), BS_OK);
	assert_true(left.id > 0);
	assert_int_equal(store_job_get(f->st, left.id, &j, NULL, &err), BS_OK);
	assert_string_equal(j.state, "running");

	start(f);
	assert_int_equal(api_jobs_get(f->jobs, f->st, left.id, &j, NULL, &err), BS_OK);
	assert_string_equal(j.state, "failed");
	assert_string_equal(j.message, "serve stopped before this job ended");
	assert_int_equal(j.posted, 4);
	assert_true(j.finished_ms > 0);
	/* a bad state is refused by the store */
	snprintf(left.state, sizeof(left.state), "paused");
	assert_int_equal(store_job_update(f->st, &left, &err), BS_ESTORE);
	left.id = 999;
	snprintf(left.state, sizeof(left.state), "done");
	assert_int_equal(store_job_update(f->st, &left, &err), BS_ENOTFOUND);

	/* a job waiting for another process's lock when serve stops says so */
	{
		struct api_job_req r = {0};
		struct synclock other;
		char target[128];
		int64_t id;

		connect(f, target, sizeof(target));
		assert_int_equal(synclock_take(&other, f->st, target, now_ms(), &err), BS_OK);
		assert_int_equal(api_jobs_submit(f->srv, &r, &id, &err), BS_OK);
		for (int i = 0; i < 500; i++) {
			assert_int_equal(api_jobs_get(f->jobs, f->st, id, &j, NULL, &err), BS_OK);
			if (j.message[0] != '\0')
				break;
			usleep(10 * 1000);
		}
		assert_string_equal(j.phase, "lock");
		api_stop(f->srv);
		f->srv = NULL;
		f->jobs = NULL;
		synclock_release(&other);
		assert_int_equal(store_job_get(f->st, id, &j, NULL, &err), BS_OK);
		assert_string_equal(j.state, "failed");
		assert_non_null(strstr(j.message, "was waiting for another sync"));
	}
}

struct count {
	size_t sched, queued;
	int64_t ids[16];
	size_t n;
};

static int count_job(void *arg, const struct store_job *j, const char *request)
{
	struct count *c = arg;

	assert_true(request[0] == '{');
	if (strcmp(j->origin, "schedule") == 0) {
		c->sched++;
		if (strcmp(j->state, "queued") == 0 || strcmp(j->state, "running") == 0)
			c->queued++;
	}
	if (c->n < 16)
		c->ids[c->n++] = j->id;
	return 0;
}

/* The scheduler: Sync All every minute (a minute of 100 ms here), never
 * queued twice while one waits. */
static void test_schedule(void **state)
{
	struct fx *f = *state;
	struct synclock other;
	struct bs_error err;
	struct store_job j;
	struct count c;
	char target[128];

	setenv("BOOKSYNC_SCHEDULE_UNIT_MS", "100", 1);
	connect(f, target, sizeof(target));
	assert_int_equal(store_setting_set(f->st, "schedule.sync_minutes", "1", &err), BS_OK);
	/* another process holds the lock: the first scheduled job waits */
	assert_int_equal(synclock_take(&other, f->st, target, now_ms(), &err), BS_OK);
	start(f);
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 300 && c.sched == 0; i++) {
		usleep(10 * 1000);
		memset(&c, 0, sizeof(c));
		assert_int_equal(api_jobs_list(f->jobs, f->st, 0, 50, count_job, &c, &err), BS_OK);
	}
	assert_int_equal(c.sched, 1);
	usleep(600 * 1000); /* six more minutes of the schedule */
	memset(&c, 0, sizeof(c));
	assert_int_equal(api_jobs_list(f->jobs, f->st, 0, 50, count_job, &c, &err), BS_OK);
	assert_int_equal(c.sched, 1); /* skipped while the first waits */
	assert_int_equal(c.queued, 1);
	synclock_release(&other);
	wait_end(f, c.ids[0], &j);
	assert_string_equal(j.state, "done");
	assert_string_equal(j.origin, "schedule");
	assert_int_equal(j.s_posted, NSALES + 1);
	/* then it goes on: more scheduled jobs, which find nothing to post */
	for (int i = 0; i < 300 && c.sched < 3; i++) {
		usleep(10 * 1000);
		memset(&c, 0, sizeof(c));
		assert_int_equal(api_jobs_list(f->jobs, f->st, 0, 50, count_job, &c, &err), BS_OK);
	}
	assert_true(c.sched >= 3);
	/* 0 turns it off */
	assert_int_equal(store_setting_set(f->st, "schedule.sync_minutes", "0", &err), BS_OK);
	usleep(300 * 1000);
	memset(&c, 0, sizeof(c));
	assert_int_equal(api_jobs_list(f->jobs, f->st, 0, 50, count_job, &c, &err), BS_OK);
	{
		size_t before = c.sched;

		usleep(500 * 1000);
		memset(&c, 0, sizeof(c));
		assert_int_equal(api_jobs_list(f->jobs, f->st, 0, 50, count_job, &c, &err), BS_OK);
		assert_int_equal(c.sched, before);
	}
}

/* ---- the endpoints, called with a request built by hand ---- */

struct call {
	struct http_resp resp;
	struct json_object *o; /* the body parsed (NULL when it is not JSON) */
};

static void call_free(struct call *k)
{
	json_object_put(k->o);
	http_resp_free(&k->resp);
}

/* Run handler fn as `who` with method, path params, query and body. */
static void call(struct fx *f, api_fn fn, const char *method, const char *p0, const char *qk,
                 const char *qv, const char *body, struct call *k)
{
	struct api_principal who = {"ci", API_SCOPE_READ | API_SCOPE_SYNC | API_SCOPE_ADMIN, false};
	struct api_ctx c = {f->srv, f->st, f->db, &who, now_ms(), {p0}, p0 != NULL ? 1 : 0};
	struct http_kv q = {qk, qv};
	struct http_req req = {0};

	req.method = method;
	req.path = "/";
	req.query = &q;
	req.nquery = qk != NULL ? 1 : 0;
	req.body = body != NULL ? body : "";
	req.body_len = body != NULL ? strlen(body) : 0;
	req.peer = "127.0.0.1";
	http_resp_init(&k->resp, 0);
	fn(&c, &req, &k->resp);
	k->o = json_tokener_parse(buf_cstr(&k->resp.body));
}

/* The error's param ("" when none, "-" when the answer is no error). */
static const char *err_param(const struct call *k)
{
	struct json_object *e, *p;

	if (k->o == NULL || !json_object_object_get_ex(k->o, "error", &e))
		return "-";
	return json_object_object_get_ex(e, "param", &p) ? json_object_get_string(p) : "";
}

static void test_handlers(void **state)
{
	static const struct {
		const char *body;
		int status;
		const char *param;
	} bodies[] = {
	    {"not json", 400, ""},
	    {"[]", 400, ""},
	    {"{\"tab\":1}", 400, "tab"},
	    {"{\"target\":true}", 400, "target"},
	    {"{\"all\":\"yes\"}", 400, "all"},
	    {"{\"everything\":1}", 400, "everything"},
	    {"{\"select\":[]}", 400, "select"},
	    {"{\"select\":[1],\"tab\":\"invoices\"}", 400, "select"},
	    {"{\"bogus\":true}", 400, "bogus"},
	    {"{\"tab\":\"nope\"}", 400, ""},
	    {"{\"tab\":\"invoices\",\"everything\":true}", 400, ""},
	    {"{\"tab\":\"invoices\",\"select\":[\"SO-999\"]}", 404, ""},
	    {"{\"target\":\"xero:nope\"}", 404, ""},
	    {"{} trailing", 400, ""},
	};
	struct fx *f = *state;
	struct json_object *v;
	struct call k;
	char target[128], cursor[256];
	int64_t first;

	start(f);
	/* nothing connected: a sync is refused, the connections say so */
	call(f, api_h_sync, "POST", NULL, NULL, NULL, "{}", &k);
	assert_int_equal(k.resp.status, 409);
	call_free(&k);
	call(f, api_h_connections, "GET", NULL, NULL, NULL, NULL, &k);
	assert_int_equal(k.resp.status, 200);
	assert_true(json_object_object_get_ex(k.o, "items", &v));
	assert_int_equal(json_object_array_length(v), 2); /* xero and qbo, neither connected */
	call_free(&k);
	call(f, api_h_disconnect, "DELETE", "xero", NULL, NULL, NULL, &k);
	assert_int_equal(k.resp.status, 404);
	call_free(&k);
	call(f, api_h_connect, "POST", "sage", NULL, NULL, NULL, &k);
	assert_int_equal(k.resp.status, 404);
	call_free(&k);
	call(f, api_h_connect_callback, "GET", "xero", "state", "short", NULL, &k);
	assert_int_equal(k.resp.status, 400);
	assert_string_equal(err_param(&k), "state");
	call_free(&k);
	call(f, api_h_connect_callback, "GET", "xero", "state", "0123456789abcdefghijklmnopqrstuv",
	     NULL, &k);
	assert_int_equal(k.resp.status, 400); /* never handed out */
	call_free(&k);

	connect(f, target, sizeof(target));
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		call(f, api_h_sync, "POST", NULL, NULL, NULL, bodies[i].body, &k);
		if (k.resp.status != bodies[i].status ||
		    strcmp(err_param(&k), bodies[i].param) != 0)
			fail_msg("body %zu %s: %d '%s', want %d '%s': %s", i, bodies[i].body,
			         k.resp.status, err_param(&k), bodies[i].status, bodies[i].param,
			         buf_cstr(&k.resp.body));
		call_free(&k);
	}
	/* two jobs; the second while the first is queued or running: 409 with its id */
	call(f, api_h_sync, "POST", NULL, NULL, NULL,
	     "{\"tab\":\"invoices\",\"select\":[\"SO-3\"]}", &k);
	assert_int_equal(k.resp.status, 202);
	assert_true(json_object_object_get_ex(k.o, "id", &v));
	first = json_object_get_int64(v);
	assert_true(json_object_object_get_ex(k.o, "origin", &v));
	assert_string_equal(json_object_get_string(v), "api");
	call_free(&k);
	call(f, api_h_sync, "POST", NULL, NULL, NULL, "", &k);
	assert_int_equal(k.resp.status, 202);
	call_free(&k);
	call(f, api_h_sync, "POST", NULL, NULL, NULL, "{\"all\":true}", &k);
	if (k.resp.status == 409) {
		struct json_object *e;

		assert_true(json_object_object_get_ex(k.o, "error", &e));
		assert_true(json_object_object_get_ex(e, "job", &v));
		assert_int_equal(json_object_get_int64(v), first + 1);
	} else {
		assert_int_equal(k.resp.status, 202); /* the first had ended already */
	}
	call_free(&k);

	/* the list, a page of one, and the next page by its cursor */
	call(f, api_h_jobs, "GET", NULL, "limit", "1", NULL, &k);
	assert_int_equal(k.resp.status, 200);
	assert_true(json_object_object_get_ex(k.o, "next", &v));
	snprintf(cursor, sizeof(cursor), "%s", json_object_get_string(v));
	call_free(&k);
	call(f, api_h_jobs, "GET", NULL, "cursor", cursor, NULL, &k);
	assert_int_equal(k.resp.status, 200);
	assert_true(json_object_object_get_ex(k.o, "items", &v));
	assert_true(json_object_array_length(v) >= 1);
	v = json_object_object_get(json_object_array_get_idx(v, 0), "id");
	assert_true(json_object_get_int64(v) < first + 2);
	call_free(&k);
	for (int i = 0; i < 3; i++) {
		static const char *const limits[] = {"0", "501", "x"};

		call(f, api_h_jobs, "GET", NULL, "limit", limits[i], NULL, &k);
		assert_int_equal(k.resp.status, 400);
		assert_string_equal(err_param(&k), "limit");
		call_free(&k);
	}
	call(f, api_h_jobs, "GET", NULL, "cursor", "!!", NULL, &k);
	assert_string_equal(err_param(&k), "cursor");
	call_free(&k);
	call(f, api_h_job, "GET", "abc", NULL, NULL, NULL, &k);
	assert_int_equal(k.resp.status, 404);
	call_free(&k);
	snprintf(cursor, sizeof(cursor), "%lld", (long long)first);
	call(f, api_h_job, "GET", cursor, NULL, NULL, NULL, &k);
	assert_int_equal(k.resp.status, 200);
	call_free(&k);

	/* metrics: the text format */
	call(f, api_h_metrics, "GET", NULL, NULL, NULL, NULL, &k);
	assert_int_equal(k.resp.status, 200);
	assert_non_null(strstr(k.resp.content_type, "version=0.0.4"));
	assert_non_null(strstr(buf_cstr(&k.resp.body), "# TYPE booksync_records gauge\n"));
	assert_non_null(strstr(buf_cstr(&k.resp.body), "booksync_jobs{state=\"queued\"} "));
	call_free(&k);

	/* connected now: listed so, and a disconnect tells the ledger (the
	 * sandbox) and leaves it listed unconnected */
	call(f, api_h_disconnect, "DELETE", "xero", NULL, NULL, NULL, &k);
	assert_int_equal(k.resp.status, 200);
	assert_non_null(strstr(buf_cstr(&k.resp.body), "\"revoked\":true}"));
	call_free(&k);
	call(f, api_h_connections, "GET", NULL, NULL, NULL, NULL, &k);
	assert_non_null(strstr(buf_cstr(&k.resp.body), "\"status\":\"disconnected\""));
	call_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop, setup_slow, teardown),
	    cmocka_unit_test_setup_teardown(test_abandoned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_schedule, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handlers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
