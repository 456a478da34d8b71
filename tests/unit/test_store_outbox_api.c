/*
 * test_store_outbox_api.c - the store's sync-engine tables through store.h
 * alone, against a temporary SQLite store: the outbox (enqueue, walk,
 * claim), requests (freeze with an idempotency key, members, answers
 * recorded in one transaction, found again after a restart), links, what a
 * rollback leaves, and the error codes for rows that are not there.
 *
 * The sequences are the dispatcher's (src/sync/dispatch.c): ops are taken
 * per ledger type in enum ledger_doc_type order, frozen into a request in
 * one transaction, answered in another.  Records are built by hand so the
 * store's own contract is what is pinned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "tstore.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T1 "xero:t1"
#define T2 "xero:t2"

#define SEEN_MAX 16

/* Copies of what a walk handed out (its strings live only in the call). */
struct seen {
	size_t n, stop_after; /* stop_after: return 7 after that many (0 = never) */
	struct {
		int64_t id, request;
		enum record_kind kind;
		char record_id[RECORD_ID_MAX + 1];
		char doc_type[32], op[16], status[16], deps[256];
		char body[512];
	} op[SEEN_MAX];
	struct {
		int64_t id, created_ms;
		char key[128], doc_type[32], status[16];
	} rq[SEEN_MAX];
};

struct fx {
	char dir[64];
	char path[512];
	struct store *st;
	struct store_actor who;
	struct seen *walk; /* what the last ops() / requests() walk saw */
};

static void fx_open(struct fx *f)
{
	struct bs_error err;

	if (store_open(f->path, STORE_OPEN_CREATE, &f->st, &err) != BS_OK)
		fail_msg("open %s: %s", f->path, err.msg);
}

/* A record of kind:id with a body of its own. */
static void put(struct fx *f, enum record_kind kind, const char *id)
{
	struct bs_error err;

	if (tstore_put(f->st, &f->who, kind, id,
	               kind == RECORD_CUSTOMER ? "sales/customers" : "sales/invoices", &err) != 0)
		fail_msg("put %s: %s", id, err.msg);
}

/* A fresh directory, on tmpfs when there is one: creating and closing a
 * store syncs the file, which on a disk was most of this program's time. */
static bool make_dir(char *dir, size_t cap)
{
	static const char *const bases[] = {"/dev/shm", "/tmp"};

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		snprintf(dir, cap, "%s/bs-test-outbox-XXXXXX", bases[i]);
		if (mkdtemp(dir) != NULL)
			return true;
	}
	return false;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;

	if (f == NULL)
		return -1;
	f->walk = calloc(1, sizeof(*f->walk));
	if (f->walk == NULL) {
		free(f);
		return -1;
	}
	if (!make_dir(f->dir, sizeof(f->dir))) {
		free(f->walk);
		free(f);
		return -1;
	}
	tstore_db_path(f->path, sizeof(f->path), f->dir, "t");
	f->who.name = "test";
	f->who.now_ms = 1700000000000;
	fx_open(f);
	if (store_target_add(f->st, T1, "One", &f->who, &err) != BS_OK ||
	    store_target_add(f->st, T2, "Two", &f->who, &err) != BS_OK)
		return -1;
	put(f, RECORD_CUSTOMER, "C-1");
	put(f, RECORD_SUPPLIER, "C-1"); /* same id, other kind */
	put(f, RECORD_SALE, "SO-1");
	put(f, RECORD_SALE, "SO-2");
	put(f, RECORD_SALE, "SO-3");
	put(f, RECORD_PAYMENT, "PAY-1");
	put(f, RECORD_PURCHASE, "P-1");
	*state = f;
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
	free(f->walk);
	free(f);
	return 0;
}

/* Close and open again: what a new process finds. */
static void reopen(struct fx *f)
{
	store_close(f->st);
	f->st = NULL;
	fx_open(f);
}

/* ------------------------------------------------------------------ */
/* Walking the outbox and the requests */

/* The tests name statuses as the store keeps them ("frozen"); the API
 * takes the enums.  NULL is the filter for any. */
static enum store_op_status op_st(const char *name)
{
	for (int s = STORE_OP_READY; s <= STORE_OP_FAILED; s++)
		if (name != NULL &&
		    strcmp(store_op_status_name((enum store_op_status)s), name) == 0)
			return (enum store_op_status)s;
	assert_null(name);
	return STORE_OP_ANY;
}

static enum store_rq_status rq_st(const char *name)
{
	for (int s = STORE_RQ_FROZEN; s <= STORE_RQ_DONE; s++)
		if (name != NULL &&
		    strcmp(store_rq_status_name((enum store_rq_status)s), name) == 0)
			return (enum store_rq_status)s;
	assert_null(name);
	return STORE_RQ_ANY;
}

static int op_cb(void *arg, const struct store_op *op)
{
	struct seen *s = arg;

	assert_true(s->n < SEEN_MAX);
	s->op[s->n].id = op->id;
	s->op[s->n].request = op->request;
	s->op[s->n].kind = op->kind;
	snprintf(s->op[s->n].record_id, sizeof(s->op[0].record_id), "%s", op->record_id);
	snprintf(s->op[s->n].doc_type, sizeof(s->op[0].doc_type), "%s", op->doc_type);
	snprintf(s->op[s->n].op, sizeof(s->op[0].op), "%s", op->op);
	snprintf(s->op[s->n].status, sizeof(s->op[0].status), "%s",
	         store_op_status_name(op->status));
	snprintf(s->op[s->n].deps, sizeof(s->op[0].deps), "%s", op->deps);
	snprintf(s->op[s->n].body, sizeof(s->op[0].body), "%s", op->body);
	s->n++;
	return s->stop_after != 0 && s->n >= s->stop_after ? 7 : 0;
}

static int rq_cb(void *arg, const struct store_request *rq)
{
	struct seen *s = arg;

	assert_true(s->n < SEEN_MAX);
	s->rq[s->n].id = rq->id;
	s->rq[s->n].created_ms = rq->created_ms;
	snprintf(s->rq[s->n].key, sizeof(s->rq[0].key), "%s", rq->key);
	snprintf(s->rq[s->n].doc_type, sizeof(s->rq[0].doc_type), "%s", rq->doc_type);
	snprintf(s->rq[s->n].status, sizeof(s->rq[0].status), "%s",
	         store_rq_status_name(rq->status));
	s->n++;
	return s->stop_after != 0 && s->n >= s->stop_after ? 7 : 0;
}

/* The ops of target (status, doc_type, request as store_outbox_each). */
static struct seen *ops(struct fx *f, const char *target, const char *status, const char *doc_type,
                        int64_t request)
{
	struct seen *s = f->walk; /* read before the next walk */
	struct bs_error err;

	memset(s, 0, sizeof(*s));
	if (store_outbox_each(f->st, target, op_st(status), doc_type, request, op_cb, s, &err) !=
	    BS_OK)
		fail_msg("outbox_each: %s", err.msg);
	return s;
}

static struct seen *requests(struct fx *f, const char *target, const char *status)
{
	struct seen *s = f->walk;
	struct bs_error err;

	memset(s, 0, sizeof(*s));
	if (store_requests_each(f->st, target, rq_st(status), rq_cb, s, &err) != BS_OK)
		fail_msg("requests_each: %s", err.msg);
	return s;
}

static int64_t add(struct fx *f, const char *target, enum record_kind kind, const char *id,
                   const char *type, const char *op, const char *deps)
{
	struct bs_error err;
	char body[256];
	int64_t op_id = 0;

	snprintf(body, sizeof(body), "{\"type\":\"%s\",\"op\":\"%s\",\"id\":\"%s\"}", type, op, id);
	if (store_outbox_add(f->st, target, kind, id, type, op, body, deps, f->who.now_ms, &op_id,
	                     &err) != BS_OK)
		fail_msg("outbox_add %s: %s", id, err.msg);
	assert_true(op_id > 0);
	return op_id;
}

static bool has(struct fx *f, const char *target, enum record_kind kind, const char *id)
{
	struct bs_error err;
	bool h = true;

	assert_int_equal(store_outbox_has(f->st, target, kind, id, &h, &err), BS_OK);
	return h;
}

/*
 * Claim the dispatcher's way: the ready ops of `type`, oldest first, at
 * most `max`, frozen into a new request in one transaction.  The request
 * id is returned, its key left in key; 0 when nothing was ready.
 */
static int64_t claim(struct fx *f, const char *target, const char *type, size_t max, int64_t now_ms,
                     struct buf *key)
{
	struct seen *s = ops(f, target, "ready", type, 0);
	struct bs_error err;
	int64_t rid = 0;

	if (s->n == 0)
		return 0;
	if (s->n > max)
		s->n = max;
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_request_create(f->st, target, type, now_ms, &rid, key, &err), BS_OK);
	for (size_t i = 0; i < s->n; i++)
		assert_int_equal(store_outbox_set(f->st, s->op[i].id, op_st("frozen"), rid, &err),
		                 BS_OK);
	assert_int_equal(store_commit(f->st, &err), BS_OK);
	assert_true(rid > 0);
	return rid;
}

/* "bs-" + 32 hex digits (the store's random id) + "-" + the request id. */
static void assert_key(const char *key, int64_t rid, char uid[33])
{
	char tail[32];

	if (strncmp(key, "bs-", 3) != 0 || strlen(key) < 3 + 32 + 2)
		fail_msg("key '%s' is not bs-<uid>-<n>", key);
	for (int i = 0; i < 32; i++)
		assert_true(isxdigit((unsigned char)key[3 + i]));
	snprintf(tail, sizeof(tail), "-%lld", (long long)rid);
	assert_string_equal(key + 3 + 32, tail);
	if (uid != NULL)
		snprintf(uid, 33, "%.32s", key + 3);
}

/* ------------------------------------------------------------------ */
/* Enqueue and walk */

static void test_enqueue_fields_and_order(void **state)
{
	struct fx *f = *state;
	struct seen *s;
	int64_t a, b, c;

	a = add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", "Contact/customer:C-1");
	b = add(f, T1, RECORD_CUSTOMER, "C-1", "Contact", "create", NULL);
	c = add(f, T2, RECORD_SUPPLIER, "C-1", "Contact", "update", "");
	assert_true(a < b && b < c);

	s = ops(f, T1, NULL, NULL, 0);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->op[0].id, a);
	assert_int_equal(s->op[0].kind, RECORD_SALE);
	assert_string_equal(s->op[0].record_id, "SO-1");
	assert_string_equal(s->op[0].doc_type, "Invoice");
	assert_string_equal(s->op[0].op, "create");
	assert_string_equal(s->op[0].body,
	                    "{\"type\":\"Invoice\",\"op\":\"create\",\"id\":\"SO-1\"}");
	assert_string_equal(s->op[0].deps, "Contact/customer:C-1");
	assert_string_equal(s->op[0].status, "ready");
	assert_int_equal(s->op[0].request, 0);
	assert_int_equal(s->op[1].id, b);
	assert_string_equal(s->op[1].deps, ""); /* NULL deps: none */

	/* each target sees its own; a kind keeps two records of one id apart */
	s = ops(f, T2, NULL, NULL, 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->op[0].kind, RECORD_SUPPLIER);
	assert_string_equal(s->op[0].op, "update");
	assert_true(has(f, T1, RECORD_CUSTOMER, "C-1"));
	assert_false(has(f, T1, RECORD_SUPPLIER, "C-1"));
	assert_true(has(f, T2, RECORD_SUPPLIER, "C-1"));
	assert_false(has(f, T2, RECORD_SALE, "SO-1"));
	assert_false(has(f, T1, RECORD_SALE, "SO-404"));
	assert_false(has(f, "xero:none", RECORD_SALE, "SO-1"));
}

/* Ops come out per ledger type in dependency order, oldest first within a
 * type, whatever order they were planned in. */
static void test_walk_in_dependency_order(void **state)
{
	static const char *const want[][2] = {
	    {"Contact", "C-1"},  {"PurchaseOrder", "P-1"}, {"Invoice", "SO-2"},
	    {"Invoice", "SO-1"}, {"Invoice", "SO-3"},      {"Payment", "PAY-1"},
	};
	struct fx *f = *state;
	size_t k = 0;

	add(f, T1, RECORD_PAYMENT, "PAY-1", "Payment", "create", "Invoice/sale:SO-1");
	add(f, T1, RECORD_SALE, "SO-2", "Invoice", "create", "Contact/customer:C-1");
	add(f, T1, RECORD_PURCHASE, "P-1", "PurchaseOrder", "status", NULL);
	add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", "Contact/customer:C-1");
	add(f, T1, RECORD_CUSTOMER, "C-1", "Contact", "create", NULL);
	add(f, T1, RECORD_SALE, "SO-3", "Invoice", "update", NULL);
	for (int t = 0; t < LEDGER_DOC_TYPE_COUNT; t++) {
		const char *type = ledger_doc_type_name((enum ledger_doc_type)t);
		struct seen *s = ops(f, T1, "ready", type, 0);

		for (size_t i = 0; i < s->n; i++, k++) {
			assert_true(k < sizeof(want) / sizeof(want[0]));
			assert_string_equal(s->op[i].doc_type, want[k][0]);
			assert_string_equal(s->op[i].record_id, want[k][1]);
			assert_true(i == 0 || s->op[i].id > s->op[i - 1].id);
		}
	}
	assert_int_equal(k, sizeof(want) / sizeof(want[0]));
}

/* A non-zero return from the callback stops the walk and is returned. */
static void test_walks_stop(void **state)
{
	struct fx *f = *state;
	struct seen s;
	struct buf key;

	buf_init(&key, 0);
	add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", NULL);
	add(f, T1, RECORD_SALE, "SO-2", "Invoice", "create", NULL);
	claim(f, T1, "Invoice", 1, 10, &key);
	claim(f, T1, "Invoice", 1, 11, &key);
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(store_outbox_each(f->st, T1, STORE_OP_ANY, NULL, 0, op_cb, &s, NULL), 7);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(store_requests_each(f->st, T1, STORE_RQ_ANY, rq_cb, &s, NULL), 7);
	assert_int_equal(s.n, 1);
	buf_free(&key);
}

/* What a long walk saw: how many, in order, and where to stop. */
struct count_walk {
	size_t n, stop_at;
	int64_t last;
	bool ordered;
};

static int count_cb(void *arg, const struct store_op *op)
{
	struct count_walk *w = arg;

	if (op->id <= w->last)
		w->ordered = false;
	w->last = op->id;
	w->n++;
	return w->n == w->stop_at ? STORE_WALK_STOP : 0;
}

/*
 * A walk longer than the pages PostgreSQL's is read in (256 rows): every
 * op once, oldest first, across pages, an exact multiple of a page too;
 * a stop in the second page stops it there; the other target's, the
 * other type's and another status's ops stay out.  One test on both
 * engines (SQLite steps rows, PostgreSQL pages them).
 */
static void test_long_walks(void **state)
{
	struct fx *f = *state;
	struct count_walk w;
	struct bs_error err;

	assert_int_equal(store_begin(f->st, &err), BS_OK);
	for (int i = 0; i < 512; i++) {
		add(f, T1, RECORD_SALE, i % 2 ? "SO-1" : "SO-2", "Invoice", "create", NULL);
		if (i % 100 == 0) {
			add(f, T2, RECORD_SALE, "SO-1", "Invoice", "create", NULL);
			add(f, T1, RECORD_CUSTOMER, "C-1", "Contact", "create", NULL);
		}
	}
	assert_int_equal(store_commit(f->st, &err), BS_OK);

	memset(&w, 0, sizeof(w));
	w.ordered = true;
	assert_int_equal(
	    store_outbox_each(f->st, T1, STORE_OP_READY, "Invoice", 0, count_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 512); /* two pages exactly */
	assert_true(w.ordered);

	add(f, T1, RECORD_SALE, "SO-3", "Invoice", "create", NULL);
	memset(&w, 0, sizeof(w));
	w.ordered = true;
	assert_int_equal(
	    store_outbox_each(f->st, T1, STORE_OP_READY, "Invoice", 0, count_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 513);
	assert_true(w.ordered);

	memset(&w, 0, sizeof(w));
	w.ordered = true;
	w.stop_at = 300;
	assert_int_equal(
	    store_outbox_each(f->st, T1, STORE_OP_READY, "Invoice", 0, count_cb, &w, &err),
	    STORE_WALK_STOP);
	assert_int_equal(w.n, 300);

	memset(&w, 0, sizeof(w));
	w.ordered = true;
	assert_int_equal(store_outbox_each(f->st, T1, STORE_OP_ANY, NULL, 0, count_cb, &w, &err),
	                 BS_OK);
	assert_int_equal(w.n, 513 + 6);
	assert_true(w.ordered);

	memset(&w, 0, sizeof(w));
	assert_int_equal(
	    store_outbox_each(f->st, T1, STORE_OP_DONE, "Invoice", 0, count_cb, &w, &err), BS_OK);
	assert_int_equal(w.n, 0);
}

/* store_outbox_add_rec: the same op, for a record read in the transaction. */
static void test_add_for_a_record_read(void **state)
{
	struct fx *f = *state;
	struct store_record_info info;
	struct bs_error err;
	struct seen *s;
	int64_t id = 0;

	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_record_get(f->st, RECORD_PAYMENT, "PAY-1", &info, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_outbox_add_rec(f->st, T2, &info, "Payment", "create", "{\"a\":1}",
	                                      "Invoice/sale:SO-1 Invoice/sale:SO-2", 5, NULL, 0,
	                                      &id, &err),
	                 BS_OK);
	assert_int_equal(store_commit(f->st, &err), BS_OK);
	s = ops(f, T2, "ready", "Payment", 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->op[0].id, id);
	assert_int_equal(s->op[0].kind, RECORD_PAYMENT);
	assert_string_equal(s->op[0].record_id, "PAY-1");
	assert_string_equal(s->op[0].body, "{\"a\":1}");
	assert_string_equal(s->op[0].deps, "Invoice/sale:SO-1 Invoice/sale:SO-2");
	assert_true(has(f, T2, RECORD_PAYMENT, "PAY-1"));
}

/* Compares an op's body and deps while they are valid: in the callback. */
struct body_check {
	const struct buf *body, *deps;
	int calls, same;
};

static int body_cb(void *arg, const struct store_op *op)
{
	struct body_check *bc = arg;

	bc->calls++;
	bc->same += strlen(op->body) == bc->body->len &&
	            memcmp(op->body, buf_cstr(bc->body), bc->body->len) == 0 &&
	            strcmp(op->deps, buf_cstr(bc->deps)) == 0;
	return 0;
}

/* Bodies and deps come back byte for byte, large ones too. */
static void test_bodies_verbatim(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	struct buf body, deps;
	struct body_check bc = {&body, &deps, 0, 0};

	buf_init(&body, 0);
	buf_init(&deps, 0);
	buf_addstr(&body, "{\"name\":\"\xc5\x8ctaki Caf\xc3\xa9 \\\"q\\\" \\\\ \\t\",\"pad\":\"");
	for (int i = 0; i < 200000; i++)
		buf_addc(&body, (char)('a' + i % 26));
	buf_addstr(&body, "\"}");
	for (int i = 0; i < 40; i++)
		buf_printf(&deps, "%sContact/customer:C-%d", i ? " " : "", i);
	assert_int_equal(store_outbox_add(f->st, T1, RECORD_SALE, "SO-1", "Invoice", "create",
	                                  buf_cstr(&body), buf_cstr(&deps), 1, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_outbox_each(f->st, T1, STORE_OP_ANY, NULL, 0, body_cb, &bc, &err),
	                 BS_OK);
	assert_int_equal(bc.calls, 1);
	assert_int_equal(bc.same, 1);
	buf_free(&body);
	buf_free(&deps);
}

/* ------------------------------------------------------------------ */
/* Freeze, answer, restart */

/* Claimed in batches: each request holds its members, in order, and a
 * claimed op is no longer ready but still unfinished work of its record. */
static void test_claim_into_requests(void **state)
{
	struct fx *f = *state;
	struct buf k1, k2;
	struct seen *s;
	int64_t r1, r2;
	char uid1[33], uid2[33];

	buf_init(&k1, 0);
	buf_init(&k2, 0);
	add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", NULL);
	add(f, T1, RECORD_CUSTOMER, "C-1", "Contact", "create", NULL);
	add(f, T1, RECORD_SALE, "SO-2", "Invoice", "create", NULL);
	add(f, T1, RECORD_SALE, "SO-3", "Invoice", "create", NULL);
	r1 = claim(f, T1, "Invoice", 2, 1000, &k1);
	r2 = claim(f, T1, "Invoice", 2, 1001, &k2);
	assert_int_equal(claim(f, T1, "Invoice", 2, 1002, &k2), 0);
	assert_true(r1 < r2);
	assert_key(buf_cstr(&k1), r1, uid1);
	assert_key(buf_cstr(&k2), r2, uid2);
	assert_string_equal(uid1, uid2); /* one store, one random id */
	assert_string_not_equal(buf_cstr(&k1), buf_cstr(&k2));

	s = ops(f, T1, "frozen", NULL, r1);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->op[0].record_id, "SO-1");
	assert_string_equal(s->op[1].record_id, "SO-2");
	assert_int_equal(s->op[0].request, r1);
	s = ops(f, T1, NULL, NULL, r2);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->op[0].record_id, "SO-3");
	assert_string_equal(s->op[0].status, "frozen");
	s = ops(f, T1, "ready", NULL, 0);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->op[0].doc_type, "Contact");
	assert_true(has(f, T1, RECORD_SALE, "SO-3"));

	s = requests(f, T1, "frozen");
	assert_int_equal(s->n, 2);
	assert_int_equal(s->rq[0].id, r1);
	assert_string_equal(s->rq[0].key, buf_cstr(&k1));
	assert_string_equal(s->rq[0].doc_type, "Invoice");
	assert_string_equal(s->rq[0].status, "frozen");
	assert_int_equal(s->rq[0].created_ms, 1000);
	assert_int_equal(s->rq[1].id, r2);
	assert_int_equal(s->rq[1].created_ms, 1001);
	assert_int_equal(requests(f, T2, NULL)->n, 0);
	buf_free(&k1);
	buf_free(&k2);
}

/* Every element's answer and the request's end, in one transaction. */
static void test_answers_in_one_transaction(void **state)
{
	struct fx *f = *state;
	struct store_link l;
	struct bs_error err;
	struct buf key;
	struct seen *s;
	int64_t rid;
	int64_t op[3];

	buf_init(&key, 0);
	op[0] = add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", NULL);
	op[1] = add(f, T1, RECORD_SALE, "SO-2", "Invoice", "create", NULL);
	op[2] = add(f, T1, RECORD_SALE, "SO-3", "Invoice", "create", NULL);
	rid = claim(f, T1, "Invoice", 50, 1000, &key);
	assert_int_equal(store_request_set(f->st, rid, rq_st("sent"), 1100, &err), BS_OK);
	assert_int_equal(requests(f, T1, "sent")->n, 1);
	assert_int_equal(requests(f, T1, "frozen")->n, 0);

	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_link_set(f->st, T1, RECORD_SALE, "SO-1", "Invoice", "id-1",
	                                "42-SO-1", 1200, &err),
	                 BS_OK);
	assert_int_equal(store_outbox_set(f->st, op[0], op_st("done"), 0, &err), BS_OK);
	assert_int_equal(store_link_set(f->st, T1, RECORD_SALE, "SO-2", "Invoice", "id-2",
	                                "43-SO-2", 1200, &err),
	                 BS_OK);
	assert_int_equal(store_outbox_set(f->st, op[1], op_st("done"), 0, &err), BS_OK);
	assert_int_equal(store_outbox_set(f->st, op[2], op_st("failed"), 0, &err), BS_OK);
	assert_int_equal(store_request_set(f->st, rid, rq_st("done"), 1200, &err), BS_OK);
	assert_int_equal(store_commit(f->st, &err), BS_OK);

	s = requests(f, T1, NULL);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->rq[0].status, "done");
	assert_string_equal(s->rq[0].key, buf_cstr(&key)); /* the key stays with it */
	assert_int_equal(s->rq[0].created_ms, 1000);
	assert_int_equal(requests(f, T1, "frozen")->n, 0);
	s = ops(f, T1, "done", NULL, 0);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->op[0].request, 0); /* request 0 clears it */
	assert_int_equal(ops(f, T1, "failed", NULL, 0)->n, 1);
	assert_int_equal(ops(f, T1, "frozen", NULL, 0)->n, 0);
	/* done and failed are finished work */
	assert_false(has(f, T1, RECORD_SALE, "SO-1"));
	assert_false(has(f, T1, RECORD_SALE, "SO-3"));
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-2", "Invoice", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, "id-2");
	assert_string_equal(l.number, "43-SO-2");
	buf_free(&key);
}

/* A rolled-back freeze or answer leaves the store as it was before. */
static void test_rollback_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct store_link l;
	struct bs_error err;
	struct buf key;
	struct seen *s;
	int64_t op, rid = 0, again = 0;

	buf_init(&key, 0);
	op = add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", NULL);

	/* a freeze rolled back: no request, the op ready and unclaimed */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_request_create(f->st, T1, "Invoice", 1000, &rid, &key, &err), BS_OK);
	assert_int_equal(store_outbox_set(f->st, op, op_st("frozen"), rid, &err), BS_OK);
	store_rollback(f->st);
	assert_int_equal(requests(f, T1, NULL)->n, 0);
	s = ops(f, T1, NULL, NULL, 0);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->op[0].status, "ready");
	assert_int_equal(s->op[0].request, 0);

	/* frozen for real; then an answer rolled back: still frozen, no link */
	rid = claim(f, T1, "Invoice", 50, 2000, &key);
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_SALE, "SO-1", "Invoice", "id-1", "N-1", 2100, &err),
	    BS_OK);
	assert_int_equal(store_outbox_set(f->st, op, op_st("done"), 0, &err), BS_OK);
	assert_int_equal(store_request_set(f->st, rid, rq_st("done"), 2100, &err), BS_OK);
	store_rollback(f->st);
	s = requests(f, T1, NULL);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->rq[0].status, "frozen");
	assert_string_equal(s->rq[0].key, buf_cstr(&key));
	s = ops(f, T1, NULL, NULL, 0);
	assert_string_equal(s->op[0].status, "frozen");
	assert_int_equal(s->op[0].request, rid);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-1", "Invoice", &l, &err),
	                 BS_ENOTFOUND);
	assert_true(has(f, T1, RECORD_SALE, "SO-1"));

	/* the store is usable again: the next transaction commits */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(store_request_create(f->st, T1, "Invoice", 3000, &again, &key, &err),
	                 BS_OK);
	assert_int_equal(store_commit(f->st, &err), BS_OK);
	assert_true(again > rid);
	assert_int_equal(requests(f, T1, "frozen")->n, 2);
	buf_free(&key);
}

/* A process that dies between freezing and recording (or in the middle of
 * recording) leaves its requests frozen, with their keys and members, for
 * the next one to find. */
static void test_frozen_found_on_restart(void **state)
{
	struct fx *f = *state;
	struct store_link l;
	struct bs_error err;
	struct buf kc, ki, kn;
	struct seen *s;
	int64_t rc_, ri, rn, op;
	char uid[33], uid_after[33];

	buf_init(&kc, 0);
	buf_init(&ki, 0);
	buf_init(&kn, 0);
	add(f, T1, RECORD_CUSTOMER, "C-1", "Contact", "create", NULL);
	op = add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", "Contact/customer:C-1");
	add(f, T1, RECORD_SALE, "SO-2", "Invoice", "create", "Contact/customer:C-1");
	rc_ = claim(f, T1, "Contact", 50, 1000, &kc);
	ri = claim(f, T1, "Invoice", 50, 1001, &ki);
	assert_key(buf_cstr(&kc), rc_, uid);
	/* the answer half written when the process dies: never committed */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_SALE, "SO-1", "Invoice", "id-1", "N-1", 1100, &err),
	    BS_OK);
	assert_int_equal(store_outbox_set(f->st, op, op_st("done"), 0, &err), BS_OK);
	reopen(f);

	s = requests(f, T1, "frozen");
	assert_int_equal(s->n, 2);
	assert_int_equal(s->rq[0].id, rc_);
	assert_string_equal(s->rq[0].key, buf_cstr(&kc));
	assert_string_equal(s->rq[0].doc_type, "Contact");
	assert_int_equal(s->rq[0].created_ms, 1000);
	assert_int_equal(s->rq[1].id, ri);
	assert_string_equal(s->rq[1].key, buf_cstr(&ki));
	assert_string_equal(s->rq[1].doc_type, "Invoice");
	s = ops(f, T1, "frozen", NULL, ri);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->op[0].record_id, "SO-1");
	assert_string_equal(s->op[0].deps, "Contact/customer:C-1");
	assert_string_equal(s->op[1].record_id, "SO-2");
	assert_int_equal(ops(f, T1, "frozen", NULL, rc_)->n, 1);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-1", "Invoice", &l, &err),
	                 BS_ENOTFOUND);

	/* the next request continues the numbers under the same store id */
	add(f, T1, RECORD_PAYMENT, "PAY-1", "Payment", "create", NULL);
	rn = claim(f, T1, "Payment", 50, 5000, &kn);
	assert_true(rn > ri);
	assert_key(buf_cstr(&kn), rn, uid_after);
	assert_string_equal(uid, uid_after);
	buf_free(&kc);
	buf_free(&ki);
	buf_free(&kn);
}

/* Two stores never share a key; the key buffer is reset first. */
static void test_keys_of_two_stores(void **state)
{
	struct fx *f = *state;
	struct store *other = NULL;
	struct bs_error err;
	struct buf k1, k2;
	char path[160], u1[33], u2[33];
	int64_t r1 = 0, r2 = 0;

	buf_init(&k1, 0);
	buf_init(&k2, 0);
	buf_addstr(&k1, "left over");
	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, &other, &err), BS_OK);
	assert_int_equal(store_target_add(other, T1, "One", &f->who, &err), BS_OK);
	assert_int_equal(store_request_create(f->st, T1, "Contact", 1, &r1, &k1, &err), BS_OK);
	assert_int_equal(store_request_create(other, T1, "Contact", 1, &r2, &k2, &err), BS_OK);
	assert_int_equal(r1, r2); /* the same request number in each... */
	assert_key(buf_cstr(&k1), r1, u1);
	assert_key(buf_cstr(&k2), r2, u2);
	assert_string_not_equal(u1, u2); /* ...but not the same key */
	store_close(other);
	buf_free(&k1);
	buf_free(&k2);
}

/* ------------------------------------------------------------------ */
/* Links */

static void test_links(void **state)
{
	struct fx *f = *state;
	struct store_link l;
	struct bs_error err;
	char long_id[STORE_LEDGER_ID_MAX];
	int64_t serial = 0;

	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-1", "Invoice", &l, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_SALE, "SO-1", "Invoice", "id-1", "42-SO-1", 1, &err),
	    BS_OK);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-1", "Invoice", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, "id-1");
	assert_string_equal(l.number, "42-SO-1");
	assert_int_equal(l.serial, 0);

	/* set again: replaced, one link */
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_SALE, "SO-1", "Invoice", "id-1b", NULL, 2, &err),
	    BS_OK);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-1", "Invoice", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, "id-1b");
	assert_string_equal(l.number, ""); /* NULL number: none */

	/* keyed by target, kind, id and ledger type */
	assert_int_equal(store_link_get(f->st, T2, RECORD_SALE, "SO-1", "Invoice", &l, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-1", "CreditNote", &l, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_link_set(f->st, T1, RECORD_PURCHASE, "P-1", "PurchaseOrder", "po-1",
	                                "PO-1", 3, &err),
	                 BS_OK);
	assert_int_equal(store_link_set(f->st, T1, RECORD_PURCHASE, "P-1", "Invoice", "bill-1",
	                                "INV-7 / PO-1", 3, &err),
	                 BS_OK);
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_CUSTOMER, "C-1", "Contact", "c-cust", "", 3, &err),
	    BS_OK);
	assert_int_equal(
	    store_link_get(f->st, T1, RECORD_PURCHASE, "P-1", "PurchaseOrder", &l, &err), BS_OK);
	assert_string_equal(l.ledger_id, "po-1");
	assert_int_equal(store_link_get(f->st, T1, RECORD_PURCHASE, "P-1", "Invoice", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, "bill-1");
	assert_int_equal(store_link_get(f->st, T1, RECORD_SUPPLIER, "C-1", "Contact", &l, &err),
	                 BS_ENOTFOUND);

	/* a serial allocated first is kept when the id arrives */
	assert_int_equal(store_serial(f->st, T1, RECORD_SALE, "SO-2", "Invoice", 4, &serial, &err),
	                 BS_OK);
	assert_int_equal(serial, 1);
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_SALE, "SO-2", "Invoice", "id-2", "1-SO-2", 5, &err),
	    BS_OK);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-2", "Invoice", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, "id-2");
	assert_int_equal(l.serial, 1);

	/* dropped (voided in the ledger): no id, and the next serial is new */
	assert_int_equal(store_link_drop(f->st, T1, RECORD_SALE, "SO-2", "Invoice", &err), BS_OK);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-2", "Invoice", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, "");
	assert_string_equal(l.number, "");
	assert_int_equal(store_serial(f->st, T1, RECORD_SALE, "SO-2", "Invoice", 6, &serial, &err),
	                 BS_OK);
	assert_int_equal(serial, 2);

	/* the longest id a link holds comes back whole */
	memset(long_id, 'f', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_SALE, "SO-3", "Invoice", long_id, "N", 7, &err),
	    BS_OK);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-3", "Invoice", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, long_id);

	/* a replacement rolled back keeps the old link */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_SALE, "SO-1", "Invoice", "id-1c", "X", 8, &err),
	    BS_OK);
	store_rollback(f->st);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-1", "Invoice", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, "id-1b");
}

/* ------------------------------------------------------------------ */
/* Rows that are not there */

static void test_missing_rows(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	struct buf key;
	struct seen *s;
	int64_t op, id = 0, rid = 0;

	buf_init(&key, 0);
	/* no such record: BS_ENOTFOUND naming it, nothing written */
	assert_int_equal(store_outbox_add(f->st, T1, RECORD_SALE, "SO-404", "Invoice", "create",
	                                  "{}", NULL, 1, &id, &err),
	                 BS_ENOTFOUND);
	assert_non_null(strstr(err.msg, "sale:SO-404"));
	assert_int_equal(ops(f, T1, NULL, NULL, 0)->n, 0);
	/* ...and inside a transaction it leaves the transaction usable */
	assert_int_equal(store_begin(f->st, &err), BS_OK);
	op = add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", NULL);
	assert_int_equal(store_outbox_add(f->st, T1, RECORD_CUSTOMER, "SO-1", "Contact", "create",
	                                  "{}", NULL, 1, &id, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(store_commit(f->st, &err), BS_OK);
	s = ops(f, T1, NULL, NULL, 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->op[0].id, op);

	/* no such target: a constraint of the store, nothing written */
	assert_int_equal(store_outbox_add(f->st, "xero:none", RECORD_SALE, "SO-1", "Invoice",
	                                  "create", "{}", NULL, 1, &id, &err),
	                 BS_ESTORE);
	assert_int_equal(ops(f, "xero:none", NULL, NULL, 0)->n, 0);
	assert_int_equal(store_request_create(f->st, "xero:none", "Invoice", 1, &rid, &key, &err),
	                 BS_ESTORE);
	assert_int_equal(requests(f, "xero:none", NULL)->n, 0);
	assert_int_equal(
	    store_link_set(f->st, "xero:none", RECORD_SALE, "SO-1", "Invoice", "x", "", 1, &err),
	    BS_ESTORE);

	/* freezing into a request that does not exist: refused, op unchanged */
	assert_int_equal(store_outbox_set(f->st, op, op_st("frozen"), 999, &err), BS_ESTORE);
	s = ops(f, T1, NULL, NULL, 0);
	assert_string_equal(s->op[0].status, "ready");
	assert_int_equal(s->op[0].request, 0);

	/*
	 * An op or request id that is not there: what matters here is that
	 * nothing else changes (the answer itself, BS_OK as store.h says, is
	 * pinned by test_missing_as_documented).
	 */
	rid = claim(f, T1, "Invoice", 50, 10, &key);
	assert_in_set(store_outbox_set(f->st, op + 100, op_st("done"), 0, &err),
	              ((const uintmax_t[]){BS_OK, (uintmax_t)BS_ENOTFOUND}), 2);
	assert_in_set(store_outbox_delete(f->st, op + 100, &err),
	              ((const uintmax_t[]){BS_OK, (uintmax_t)BS_ENOTFOUND}), 2);
	assert_in_set(store_request_set(f->st, rid + 100, rq_st("done"), 11, &err),
	              ((const uintmax_t[]){BS_OK, (uintmax_t)BS_ENOTFOUND}), 2);
	assert_in_set(store_link_drop(f->st, T1, RECORD_SALE, "SO-404", "Invoice", &err),
	              ((const uintmax_t[]){BS_OK, (uintmax_t)BS_ENOTFOUND}), 2);
	s = ops(f, T1, "frozen", NULL, rid);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->op[0].id, op);
	s = requests(f, T1, "frozen");
	assert_int_equal(s->n, 1);
	assert_int_equal(s->rq[0].id, rid);
	buf_free(&key);
}

/*
 * What store.h says of rows that are not there: setting or deleting an op,
 * setting a request and dropping a link are BS_OK and change nothing;
 * reading a link is BS_ENOTFOUND without a message (err left as it was).
 */
static void test_missing_as_documented(void **state)
{
	struct fx *f = *state;
	struct store_link l;
	struct bs_error err;
	struct buf key;
	struct seen *s;
	int64_t op, rid;

	buf_init(&key, 0);
	op = add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", NULL);
	rid = claim(f, T1, "Invoice", 50, 10, &key);
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_SALE, "SO-1", "Invoice", "id-1", "42-SO-1", 1, &err),
	    BS_OK);

	assert_int_equal(store_outbox_set(f->st, op + 100, op_st("done"), 0, &err), BS_OK);
	assert_int_equal(store_outbox_delete(f->st, op + 100, &err), BS_OK);
	assert_int_equal(store_request_set(f->st, rid + 100, rq_st("done"), 11, &err), BS_OK);
	assert_int_equal(store_link_drop(f->st, T1, RECORD_SALE, "SO-2", "Invoice", &err), BS_OK);
	s = ops(f, T1, "frozen", NULL, rid);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->op[0].id, op);
	assert_int_equal(requests(f, T1, "frozen")->n, 1);
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-1", "Invoice", &l, &err),
	                 BS_OK);
	assert_string_equal(l.ledger_id, "id-1");

	err.code = BS_EPROTO;
	snprintf(err.msg, sizeof(err.msg), "left as it was");
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-2", "Invoice", &l, &err),
	                 BS_ENOTFOUND);
	assert_int_equal(err.code, BS_EPROTO);
	assert_string_equal(err.msg, "left as it was");
	assert_int_equal(store_link_get(f->st, T1, RECORD_SALE, "SO-2", "Invoice", &l, NULL),
	                 BS_ENOTFOUND);
	buf_free(&key);
}

/* Deleting an op (its dependency failed: set aside) removes the work. */
static void test_delete(void **state)
{
	struct fx *f = *state;
	struct bs_error err;
	int64_t a, b;

	a = add(f, T1, RECORD_PAYMENT, "PAY-1", "Payment", "create", "Invoice/sale:SO-1");
	b = add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", NULL);
	assert_int_equal(store_outbox_delete(f->st, a, &err), BS_OK);
	assert_false(has(f, T1, RECORD_PAYMENT, "PAY-1"));
	assert_int_equal(ops(f, T1, NULL, NULL, 0)->n, 1);
	assert_int_equal(ops(f, T1, NULL, NULL, 0)->op[0].id, b);
}

/* A read-only store reads the tables and refuses every write. */
static void test_read_only(void **state)
{
	struct fx *f = *state;
	struct store *ro = NULL;
	struct store_link l;
	struct bs_error err;
	struct buf key;
	struct seen s;
	char uri[600];
	int64_t op, id = 0;

	TSTORE_SQLITE_ONLY(); /* a read-only file */
	buf_init(&key, 0);
	op = add(f, T1, RECORD_SALE, "SO-1", "Invoice", "create", NULL);
	claim(f, T1, "Invoice", 50, 1, &key);
	assert_int_equal(
	    store_link_set(f->st, T1, RECORD_CUSTOMER, "C-1", "Contact", "c-1", "", 1, &err),
	    BS_OK);
	snprintf(uri, sizeof(uri), "file:%s?mode=ro", f->path);
	assert_int_equal(store_open(uri, 0, &ro, &err), BS_OK);

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_outbox_each(ro, T1, STORE_OP_FROZEN, NULL, 0, op_cb, &s, &err),
	                 BS_OK);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_requests_each(ro, T1, STORE_RQ_FROZEN, rq_cb, &s, &err), BS_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(store_link_get(ro, T1, RECORD_CUSTOMER, "C-1", "Contact", &l, &err),
	                 BS_OK);

	assert_int_equal(store_outbox_add(ro, T1, RECORD_SALE, "SO-2", "Invoice", "create", "{}",
	                                  NULL, 1, &id, &err),
	                 BS_EREADONLY);
	assert_int_equal(store_outbox_set(ro, op, op_st("done"), 0, &err), BS_EREADONLY);
	assert_int_equal(store_request_create(ro, T1, "Invoice", 1, &id, &key, &err), BS_EREADONLY);
	assert_int_equal(store_link_set(ro, T1, RECORD_SALE, "SO-1", "Invoice", "x", "", 1, &err),
	                 BS_EREADONLY);
	store_close(ro);
	buf_free(&key);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_enqueue_fields_and_order),
	    T(test_walk_in_dependency_order),
	    T(test_walks_stop),
	    T(test_long_walks),
	    T(test_add_for_a_record_read),
	    T(test_bodies_verbatim),
	    T(test_claim_into_requests),
	    T(test_answers_in_one_transaction),
	    T(test_rollback_leaves_nothing),
	    T(test_frozen_found_on_restart),
	    T(test_keys_of_two_stores),
	    T(test_links),
	    T(test_missing_rows),
	    T(test_missing_as_documented),
	    T(test_delete),
	    T(test_read_only),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
