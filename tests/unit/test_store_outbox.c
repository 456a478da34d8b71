/*
 * test_store_outbox.c - the store's outbox, requests and links, directly.
 *
 * Operations go ready -> frozen (with their request) -> done / failed, and
 * the walks filter by status, document type and request; a callback's
 * STORE_WALK_STOP ends a walk early and is what it returns.  Requests get
 * distinct idempotency keys and statuses.  Links keep a serial across a
 * drop.  The status text stored is what older stores hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "store/store.h"
#include "tstore.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TARGET "xero:t-1"
#define OTHER  "xero:t-2"

struct fx {
	char dir[64];
	char path[512];
	struct store *st;
	struct store_actor who;
};

static void put_customer(struct fx *f, const char *id)
{
	struct record r;
	struct bs_error err;
	enum store_put_result res;

	record_init(&r);
	r.kind = RECORD_CUSTOMER;
	snprintf(r.id, sizeof(r.id), "%s", id);
	r.version = 1;
	r.tab = "sales/customers";
	snprintf(r.date, sizeof(r.date), "2026-10-01");
	buf_printf(&r.canonical, "{\"id\":\"%s\"}", id);
	for (size_t i = 0; id[i] != '\0'; i++)
		r.hash[i % RECORD_HASH_LEN] = (unsigned char)(id[i] * 7);
	assert_int_equal(store_record_put(f->st, &r, &f->who, &res, &err), BS_OK);
	record_release(&r);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-outbox-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		goto fail;
	tstore_db_path(f->path, sizeof(f->path), f->dir, "t");
	f->who.name = "test";
	f->who.now_ms = 1700000000000;
	if (store_open(f->path, STORE_OPEN_CREATE, &f->st, &err) != BS_OK)
		goto fail;
	if (store_target_add(f->st, TARGET, "One", &f->who, &err) != BS_OK ||
	    store_target_add(f->st, OTHER, "Two", &f->who, &err) != BS_OK)
		goto fail;
	*state = f;
	put_customer(f, "C-1");
	put_customer(f, "C-2");
	put_customer(f, "C-3");
	return 0;
fail:
	store_close(f->st);
	free(f);
	return -1;
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

/* What a walk saw. */
struct seen {
	int n;
	int stop_after; /* 0: never stop */
	int64_t ids[16];
	enum store_op_status status[16];
	char record[16][16];
	int64_t request[16];
};

static int op_cb(void *arg, const struct store_op *op)
{
	struct seen *s = arg;

	if (s->n < 16) {
		s->ids[s->n] = op->id;
		s->status[s->n] = op->status;
		s->request[s->n] = op->request;
		snprintf(s->record[s->n], sizeof(s->record[0]), "%s", op->record_id);
	}
	s->n++;
	return s->stop_after != 0 && s->n >= s->stop_after ? STORE_WALK_STOP : 0;
}

static int walk(struct fx *f, const char *target, enum store_op_status st, const char *type,
                int64_t request, struct seen *s)
{
	struct bs_error err;
	int stop = s->stop_after;

	memset(s, 0, sizeof(*s));
	s->stop_after = stop;
	return store_outbox_each(f->st, target, st, type, request, op_cb, s, &err);
}

static int64_t add(struct fx *f, const char *target, const char *id, const char *type)
{
	struct bs_error err;
	int64_t op_id = 0;

	assert_int_equal(store_outbox_add(f->st, target, RECORD_CUSTOMER, id, type, "create",
	                                  "{\"op\":\"create\"}", "", f->who.now_ms, &op_id, &err),
	                 BS_OK);
	assert_true(op_id > 0);
	return op_id;
}

/* The text each status is stored as: what stores made before the enum hold. */
static void test_status_names(void **state)
{
	static const struct {
		enum store_op_status s;
		const char *name;
	} ops[] = {
	    {STORE_OP_ANY, NULL},    {STORE_OP_READY, "ready"},   {STORE_OP_FROZEN, "frozen"},
	    {STORE_OP_DONE, "done"}, {STORE_OP_FAILED, "failed"}, {(enum store_op_status)99, NULL},
	};
	static const struct {
		enum store_rq_status s;
		const char *name;
	} rqs[] = {
	    {STORE_RQ_ANY, NULL},    {STORE_RQ_FROZEN, "frozen"},        {STORE_RQ_SENT, "sent"},
	    {STORE_RQ_DONE, "done"}, {(enum store_rq_status) - 1, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const char *got = store_op_status_name(ops[i].s);

		if (ops[i].name == NULL ? got != NULL
		                        : got == NULL || strcmp(got, ops[i].name) != 0)
			fail_msg("op status %zu: %s", i, got ? got : "(null)");
	}
	for (size_t i = 0; i < sizeof(rqs) / sizeof(rqs[0]); i++) {
		const char *got = store_rq_status_name(rqs[i].s);

		if (rqs[i].name == NULL ? got != NULL
		                        : got == NULL || strcmp(got, rqs[i].name) != 0)
			fail_msg("request status %zu: %s", i, got ? got : "(null)");
	}
}

/* ready -> frozen with its request -> done / failed; filters; stop. */
static void test_outbox_lifecycle(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	struct seen s = {0};
	struct buf key;
	int64_t a = add(f, TARGET, "C-1", "Contact");
	int64_t b = add(f, TARGET, "C-2", "Contact");
	int64_t c = add(f, TARGET, "C-3", "Item");
	int64_t rid = 0;
	bool has = false;

	add(f, OTHER, "C-1", "Contact");
	assert_int_equal(walk(f, TARGET, STORE_OP_ANY, NULL, 0, &s), BS_OK);
	assert_int_equal(s.n, 3);
	assert_true(s.ids[0] == a && s.ids[1] == b && s.ids[2] == c); /* oldest first */
	assert_int_equal(s.status[0], STORE_OP_READY);
	assert_int_equal(walk(f, TARGET, STORE_OP_READY, "Contact", 0, &s), BS_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.record[1], "C-2");

	buf_init(&key, 256);
	assert_int_equal(
	    store_request_create(f->st, TARGET, "Contact", f->who.now_ms, &rid, &key, &err), BS_OK);
	assert_true(rid > 0 && key.len > 0);
	assert_int_equal(store_outbox_set(f->st, a, STORE_OP_FROZEN, rid, &err), BS_OK);
	assert_int_equal(store_outbox_set(f->st, b, STORE_OP_FROZEN, rid, &err), BS_OK);
	assert_int_equal(walk(f, TARGET, STORE_OP_FROZEN, NULL, rid, &s), BS_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.request[0], rid);
	assert_int_equal(walk(f, TARGET, STORE_OP_READY, NULL, 0, &s), BS_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ids[0], c);

	assert_int_equal(store_outbox_set(f->st, a, STORE_OP_DONE, 0, &err), BS_OK);
	assert_int_equal(store_outbox_set(f->st, b, STORE_OP_FAILED, 0, &err), BS_OK);
	assert_int_equal(walk(f, TARGET, STORE_OP_DONE, NULL, 0, &s), BS_OK);
	assert_true(s.n == 1 && s.ids[0] == a && s.status[0] == STORE_OP_DONE);
	assert_int_equal(walk(f, TARGET, STORE_OP_FAILED, NULL, 0, &s), BS_OK);
	assert_true(s.n == 1 && s.ids[0] == b && s.status[0] == STORE_OP_FAILED);
	/* "any" is a filter, never a status to set */
	assert_int_equal(store_outbox_set(f->st, c, STORE_OP_ANY, 0, &err), BS_EINVAL);

	/* unfinished work: C-3 still ready; C-1 done */
	assert_int_equal(store_outbox_has(f->st, TARGET, RECORD_CUSTOMER, "C-3", &has, &err),
	                 BS_OK);
	assert_true(has);
	assert_int_equal(store_outbox_has(f->st, TARGET, RECORD_CUSTOMER, "C-1", &has, &err),
	                 BS_OK);
	assert_false(has);

	/* a callback's STORE_WALK_STOP ends the walk and is returned */
	s.stop_after = 1;
	assert_int_equal(walk(f, TARGET, STORE_OP_ANY, NULL, 0, &s), STORE_WALK_STOP);
	assert_int_equal(s.n, 1);

	assert_int_equal(store_outbox_delete(f->st, c, &err), BS_OK);
	s.stop_after = 0;
	assert_int_equal(walk(f, TARGET, STORE_OP_READY, NULL, 0, &s), BS_OK);
	assert_int_equal(s.n, 0);
	buf_free(&key);
}

struct rqs {
	int n;
	int64_t id[8];
	enum store_rq_status status[8];
	char key[8][128];
};

static int rq_cb(void *arg, const struct store_request *rq)
{
	struct rqs *r = arg;

	if (r->n < 8) {
		r->id[r->n] = rq->id;
		r->status[r->n] = rq->status;
		snprintf(r->key[r->n], sizeof(r->key[0]), "%s", rq->key);
	}
	r->n++;
	return 0;
}

/* Requests: distinct keys, frozen until set, filtered by status and target. */
static void test_requests(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	struct rqs r;
	struct buf k1, k2;
	int64_t r1 = 0, r2 = 0, r3 = 0;

	buf_init(&k1, 256);
	buf_init(&k2, 256);
	assert_int_equal(store_request_create(f->st, TARGET, "Invoice", 1, &r1, &k1, &err), BS_OK);
	assert_int_equal(store_request_create(f->st, TARGET, "Invoice", 2, &r2, &k2, &err), BS_OK);
	assert_int_equal(store_request_create(f->st, OTHER, "Invoice", 3, &r3, &k2, &err), BS_OK);
	assert_true(r1 != r2 && r2 != r3);
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_requests_each(f->st, TARGET, STORE_RQ_FROZEN, rq_cb, &r, &err),
	                 BS_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.status[0], STORE_RQ_FROZEN);
	assert_string_equal(r.key[0], buf_cstr(&k1));
	assert_string_not_equal(r.key[0], r.key[1]);
	assert_int_equal(store_request_set(f->st, r1, STORE_RQ_DONE, 10, &err), BS_OK);
	assert_int_equal(store_request_set(f->st, r2, STORE_RQ_SENT, 11, &err), BS_OK);
	assert_int_equal(store_request_set(f->st, r2, STORE_RQ_ANY, 11, &err), BS_EINVAL);
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_requests_each(f->st, TARGET, STORE_RQ_FROZEN, rq_cb, &r, &err),
	                 BS_OK);
	assert_int_equal(r.n, 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_requests_each(f->st, TARGET, STORE_RQ_ANY, rq_cb, &r, &err), BS_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.status[0], STORE_RQ_DONE);
	assert_int_equal(r.status[1], STORE_RQ_SENT);
	buf_free(&k1);
	buf_free(&k2);
}

/* The text in the file is the text older stores hold. */
static void test_status_text_on_disk(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	struct db *db = NULL;
	struct db_stmt *q = NULL;
	int64_t a = add(f, TARGET, "C-1", "Contact");
	int64_t rid = 0;
	struct buf key;

	buf_init(&key, 256);
	assert_int_equal(store_request_create(f->st, TARGET, "Contact", 1, &rid, &key, &err),
	                 BS_OK);
	assert_int_equal(store_outbox_set(f->st, a, STORE_OP_FROZEN, rid, &err), BS_OK);
	db = tstore_side(f->path);
	if (db == NULL) {
		fail_msg("no second connection to %s", f->path);
		return;
	}
	assert_int_equal(db_prepare(db,
	                            "SELECT o.status, r.status FROM outbox o JOIN requests "
	                            "r ON r.id = o.request WHERE o.id = ?1",
	                            &q),
	                 DB_OK);
	db_bind_int64(q, 1, a);
	assert_int_equal(db_step(q), DB_ROW);
	assert_string_equal(db_col_text(q, 0), "frozen");
	assert_string_equal(db_col_text(q, 1), "frozen");
	db_finalize(q);
	db_close(db);
	buf_free(&key);
}

/* Links: set, get, drop keeps the serial, a second serial is new. */
static void test_links(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	struct store_link l;
	int64_t s1 = 0, s2 = 0, s3 = 0;

	assert_int_equal(store_link_get(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact", &l, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(
	    store_serial(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact", 1, &s1, &err), BS_OK);
	assert_int_equal(
	    store_serial(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact", 2, &s2, &err), BS_OK);
	assert_int_equal(s1, s2); /* allocated once: a retry carries the same number */
	assert_int_equal(store_link_set(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact", "L-1",
	                                "Acme", 3, &err),
	                 BS_OK);
	assert_int_equal(store_link_get(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, "L-1");
	assert_string_equal(l.number, "Acme");
	assert_int_equal(l.serial, s1);
	/* the same record on another target, or another document type: apart */
	assert_int_equal(store_link_get(f->st, OTHER, RECORD_CUSTOMER, "C-1", "Contact", &l, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_link_get(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Item", &l, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_link_drop(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact", &err),
	                 BS_OK);
	if (store_link_get(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact", &l, &err) == BS_OK)
		assert_string_equal(l.ledger_id, "");
	assert_int_equal(
	    store_serial(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact", 4, &s3, &err), BS_OK);
	assert_true(s3 != s1); /* after a drop the next serial is allocated anew */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_names),
	    cmocka_unit_test_setup_teardown(test_outbox_lifecycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status_text_on_disk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_links, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
