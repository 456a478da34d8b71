/*
 * test_dispatch.c - the dispatcher against a fake connector.
 *
 * The fake is a struct ledger_ops over an in-memory ledger keyed by natural
 * key (a contact's name, an invoice's number).  Its refusals carry messages
 * in no ledger's words: the dispatcher must act on the refusal class alone.
 * Cases: a duplicate contact is looked up and linked; a lost answer is
 * recovered by lookup and linked, not sent again; a partial batch posts
 * what was accepted and fails the rest; a locked period fails its record
 * and asks nothing more; an update refused for its status, whose document
 * was voided in the ledger, resets the record for a new document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "sync/dispatch.h"
#include "sync/governor.h"
#include "tstore.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HELD_MAX 16

/* The fake ledger: what it holds, what it refuses, what it was asked. */
struct ledger_conn {
	struct {
		char key[64];
		char id[LEDGER_ID_MAX];
		enum ledger_doc_status status;
	} held[HELD_MAX];
	size_t nheld;
	const char *refuse_key; /* this natural key is refused ... */
	enum ledger_refusal refuse_as;
	int lose_answers;                 /* the next N pushes are processed but not answered */
	int64_t answer_total;             /* a create's Total, micros (0: none) */
	char last_doc[2048];              /* the last element pushed, as JSON */
	char last_version[LEDGER_ID_MAX]; /* what prepare read for the last element pushed */
	int pushes, pushed_elems, lookups, status_asks, prepares;
};

static const char *natural_key(struct json_object *doc)
{
	struct json_object *v;

	if (doc != NULL && (json_object_object_get_ex(doc, "name", &v) ||
	                    json_object_object_get_ex(doc, "number", &v)))
		return json_object_get_string(v);
	return NULL;
}

static int held_find(const struct ledger_conn *c, const char *key, const char *id)
{
	for (size_t i = 0; i < c->nheld; i++) {
		if ((key != NULL && strcmp(c->held[i].key, key) == 0) ||
		    (id != NULL && strcmp(c->held[i].id, id) == 0))
			return (int)i;
	}
	return -1;
}

static void held_add(struct ledger_conn *c, const char *key, char *id_out)
{
	snprintf(c->held[c->nheld].key, sizeof(c->held[0].key), "%s", key);
	snprintf(c->held[c->nheld].id, LEDGER_ID_MAX, "ID-%zu", c->nheld + 1);
	c->held[c->nheld].status = LEDGER_DOC_LIVE;
	snprintf(id_out, LEDGER_ID_MAX, "%s", c->held[c->nheld].id);
	c->nheld++;
}

static void refuse(struct ledger_elem *e, enum ledger_refusal r)
{
	e->status = BS_EINVAL;
	e->refusal = r;
	buf_reset(&e->message);
	buf_printf(&e->message, "fake refusal %d", (int)r); /* no ledger's words */
}

static int f_push(struct ledger_conn *c, enum ledger_doc_type type, struct ledger_elem *elems,
                  size_t n, const char *key, ledger_resolve_fn resolve, void *arg,
                  struct ledger_call *call, struct bs_error *err)
{
	(void)type;
	(void)key;
	(void)resolve;
	(void)arg;
	ledger_call_init(call);
	c->pushes++;
	for (size_t i = 0; i < n; i++) {
		const char *k = natural_key(elems[i].doc);
		int at;

		c->pushed_elems++;
		snprintf(c->last_version, sizeof(c->last_version), "%s", elems[i].version);
		snprintf(c->last_doc, sizeof(c->last_doc), "%s",
		         json_object_to_json_string_ext(elems[i].doc, JSON_C_TO_STRING_PLAIN));
		elems[i].has_total = elems[i].ledger_id == NULL && c->answer_total != 0;
		elems[i].total = c->answer_total;
		elems[i].status = BS_OK;
		elems[i].refusal = LEDGER_REFUSAL_NONE;
		if (k != NULL && c->refuse_key != NULL && strcmp(k, c->refuse_key) == 0) {
			refuse(&elems[i], c->refuse_as);
		} else if (elems[i].ledger_id != NULL) {
			at = held_find(c, NULL, elems[i].ledger_id);
			if (at < 0 || c->held[at].status != LEDGER_DOC_LIVE)
				refuse(&elems[i], LEDGER_REFUSAL_WRONG_STATUS);
			else
				snprintf(elems[i].id, LEDGER_ID_MAX, "%s", elems[i].ledger_id);
		} else if (k != NULL && held_find(c, k, NULL) >= 0) {
			refuse(&elems[i], LEDGER_REFUSAL_DUPLICATE);
		} else {
			held_add(c, k != NULL ? k : "?", elems[i].id);
		}
	}
	if (c->lose_answers > 0) {
		c->lose_answers--;
		return bs_error_set(err, BS_ENET, "no answer (fake)");
	}
	call->http_status = 200;
	return BS_OK;
}

static int f_lookup_many(struct ledger_conn *c, enum ledger_doc_type type,
                         struct ledger_elem *elems, size_t n, ledger_resolve_fn resolve, void *arg,
                         bool *found, struct ledger_call *call, struct bs_error *err)
{
	(void)type;
	(void)resolve;
	(void)arg;
	(void)err;
	ledger_call_init(call);
	call->http_status = 200;
	c->lookups++;
	for (size_t i = 0; i < n; i++) {
		const char *k = natural_key(elems[i].doc);
		int at = k != NULL ? held_find(c, k, NULL) : -1;

		found[i] = at >= 0;
		if (found[i])
			snprintf(elems[i].id, LEDGER_ID_MAX, "%s", c->held[at].id);
	}
	return BS_OK;
}

static size_t f_lookup_keyed(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n)
{
	size_t k = 0;

	(void)type;
	for (size_t i = 0; i < n; i++)
		k += natural_key(elems[i].doc) != NULL;
	return k;
}

static int f_doc_status(struct ledger_conn *c, enum ledger_doc_type type, const char *id,
                        enum ledger_doc_status *out, struct ledger_call *call, struct bs_error *err)
{
	int at = held_find(c, NULL, id);

	(void)type;
	ledger_call_init(call);
	call->http_status = 200;
	c->status_asks++;
	if (at < 0)
		return bs_error_set(err, BS_ENOTFOUND, "no such document");
	*out = c->held[at].status;
	return BS_OK;
}

static const struct ledger_caps fake_caps = {
    .unit_price_dp = 4,
    .amount_dp = 2,
    .batch_max = 10,
    .bytes_max = 100000,
    .per_minute = 1000,
    .per_day = 100000,
    .concurrent = 5,
    .app_per_minute = 100000,
    .tax_sales = "S",
    .tax_purchases = "P",
    .tax_none = "N",
};

static const struct ledger_ops fake_ops = {
    .name = "fake",
    .caps = &fake_caps,
    .push = f_push,
    .lookup_many = f_lookup_many,
    .lookup_keyed = f_lookup_keyed,
    .doc_status = f_doc_status,
};

/* A ledger that reads a version of each linked document before a change
 * (as QBO reads SyncTokens): prepare_needed / prepare. */
static bool f_prepare_needed(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n)
{
	(void)type;
	for (size_t i = 0; i < n; i++)
		if (elems[i].ledger_id != NULL)
			return true;
	return false;
}

static int f_prepare(struct ledger_conn *c, enum ledger_doc_type type, struct ledger_elem *elems,
                     size_t n, struct ledger_call *call, struct bs_error *err)
{
	(void)type;
	(void)err;
	ledger_call_init(call);
	call->http_status = 200;
	c->prepares++;
	for (size_t i = 0; i < n; i++)
		if (elems[i].ledger_id != NULL)
			snprintf(elems[i].version, LEDGER_ID_MAX, "v-%s", elems[i].ledger_id);
	return BS_OK;
}

static const struct ledger_ops fake_prep_ops = {
    .name = "fake",
    .caps = &fake_caps,
    .push = f_push,
    .prepare_needed = f_prepare_needed,
    .prepare = f_prepare,
    .lookup_many = f_lookup_many,
    .lookup_keyed = f_lookup_keyed,
    .doc_status = f_doc_status,
};

/* ---- fixture -------------------------------------------------------------- */

#define TARGET "fake:org"

struct fx {
	char dir[64];
	char path[512];
	struct store *st;
	struct governor *gov;
	struct ledger_conn conn;
	int64_t now;
	int failures;
	char last_failure[256];
	struct dispatch_opts o;
};

static int64_t fx_now(void *clock)
{
	return ((struct fx *)clock)->now;
}

static void fx_sleep(void *clock, int64_t ms)
{
	((struct fx *)clock)->now += ms;
}

static void fx_failure(void *arg, enum record_kind kind, const char *id, const char *msg)
{
	struct fx *f = arg;

	(void)kind;
	(void)id;
	f->failures++;
	snprintf(f->last_failure, sizeof(f->last_failure), "%s", msg);
}

static int setup(void **state)
{
	struct governor_limits lim = {1000, 100000, 5, 100000, 1};
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_error err;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-dispatch-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		goto fail;
	tstore_db_path(f->path, sizeof(f->path), f->dir, "t");
	if (store_open(f->path, STORE_OPEN_CREATE, &f->st, &err) != BS_OK)
		goto fail;
	f->gov = governor_new(&lim);
	f->now = 1700000000000;
	{
		struct store_actor who = {"test", f->now};

		if (store_target_add(f->st, TARGET, "Org", &who, &err) != BS_OK)
			goto fail;
	}
	f->o.target = TARGET;
	f->o.ledger = &fake_ops;
	f->o.conn = &f->conn;
	f->o.gov = f->gov;
	f->o.max_attempts = 1;
	f->o.now_ms = fx_now;
	f->o.sleep_ms = fx_sleep;
	f->o.clock = f;
	f->o.on_failure = fx_failure;
	f->o.arg = f;
	if (f->gov == NULL)
		goto fail;
	*state = f;
	return 0;
fail:
	store_close(f->st);
	governor_free(f->gov);
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->st);
	governor_free(f->gov);
	tstore_db_drop(f->path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A stored customer C-<n>, queued on the target with a Contact create. */
static void queue_contact(struct fx *f, const char *id, const char *name)
{
	struct store_actor who = {"test", f->now};
	struct record r;
	struct bs_error err;
	enum store_put_result res;
	char body[256];

	record_init(&r);
	r.kind = RECORD_CUSTOMER;
	snprintf(r.id, sizeof(r.id), "%s", id);
	r.version = 1;
	r.tab = "sales/customers";
	snprintf(r.date, sizeof(r.date), "2026-10-01");
	buf_printf(&r.canonical, "{\"id\":\"%s\",\"name\":\"%s\"}", id, name);
	for (size_t i = 0; id[i] != '\0'; i++)
		r.hash[i % RECORD_HASH_LEN] = (unsigned char)id[i];
	assert_int_equal(store_record_put(f->st, &r, &who, &res, &err), BS_OK);
	record_release(&r);
	snprintf(body, sizeof(body),
	         "{\"type\":\"Contact\",\"op\":\"create\",\"self\":\"Contact/customer:%s\","
	         "\"name\":\"%s\"}",
	         id, name);
	assert_int_equal(store_outbox_add(f->st, TARGET, RECORD_CUSTOMER, id, "Contact", "create",
	                                  body, "", f->now, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_CUSTOMER, id, TARGET, SYNC_EV_PLAN, NULL,
	                                   &who, NULL, &err),
	                 BS_OK);
}

/* A document with an expected total and a rounding account, on customer
 * id (the dispatcher does not care which kind a document belongs to). */
static void queue_totalled(struct fx *f, const char *id)
{
	struct store_actor who = {"test", f->now};
	struct bs_error err;
	enum store_put_result res;
	struct record r;
	char body[512];

	record_init(&r);
	r.kind = RECORD_CUSTOMER;
	snprintf(r.id, sizeof(r.id), "%s", id);
	r.version = 1;
	r.tab = "sales/customers";
	snprintf(r.date, sizeof(r.date), "2026-10-01");
	buf_printf(&r.canonical, "{\"id\":\"%s\"}", id);
	r.hash[0] = (unsigned char)id[2];
	assert_int_equal(store_record_put(f->st, &r, &who, &res, &err), BS_OK);
	record_release(&r);

	snprintf(body, sizeof(body),
	         "{\"type\":\"Invoice\",\"op\":\"create\",\"self\":\"Invoice/customer:%s\","
	         "\"number\":\"N-%s\",\"lines\":[{\"description\":\"A\",\"quantity\":\"1\","
	         "\"unit_amount\":\"15.76\"}],\"expected_total\":\"15.76\","
	         "\"rounding_account\":\"860\"}",
	         id, id);
	assert_int_equal(store_outbox_add(f->st, TARGET, RECORD_CUSTOMER, id, "Invoice", "create",
	                                  body, "", f->now, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_state_apply(f->st, RECORD_CUSTOMER, id, TARGET, SYNC_EV_PLAN, NULL,
	                                   &who, NULL, &err),
	                 BS_OK);
}

static enum sync_state state_of(struct fx *f, const char *id)
{
	enum sync_state s = SYNC_NOT_IMPORTED;
	struct bs_error err;

	assert_int_equal(store_state_get(f->st, RECORD_CUSTOMER, id, TARGET, &s, NULL, &err),
	                 BS_OK);
	return s;
}

static void link_of(struct fx *f, const char *id, char *out)
{
	struct store_link l;
	struct bs_error err;

	out[0] = '\0';
	if (store_link_get(f->st, TARGET, RECORD_CUSTOMER, id, "Contact", &l, &err) == BS_OK)
		snprintf(out, LEDGER_ID_MAX, "%s", l.ledger_id);
}

static int run(struct fx *f, struct dispatch_stats *s)
{
	struct bs_error err;

	memset(s, 0, sizeof(*s));
	return dispatch_run(f->st, &f->o, s, &err);
}

/* ---- cases ---------------------------------------------------------------- */

/* A contact the ledger has under that name: refused as a duplicate, looked
 * up by name and linked to the one there. */
static void test_duplicate_is_linked(void **state)
{
	struct fx *f = *state;
	struct dispatch_stats s;
	char id[LEDGER_ID_MAX], link[LEDGER_ID_MAX];

	held_add(&f->conn, "Acme", id); /* made by hand in the ledger */
	queue_contact(f, "C-1", "Acme");
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(f->conn.pushes, 1);
	assert_int_equal(f->conn.lookups, 1);
	link_of(f, "C-1", link);
	assert_string_equal(link, id);
	assert_int_equal(state_of(f, "C-1"), SYNC_IMPORTED);
	assert_int_equal(s.posted, 1);
	assert_int_equal(s.recovered, 1);
	assert_int_equal(f->failures, 0);
}

/* The ledger processed the batch but its answer was lost: the request stays
 * frozen; the next run looks it up by natural key and links it -- it is not
 * sent again. */
static void test_lost_answer_is_looked_up_not_resent(void **state)
{
	struct fx *f = *state;
	struct dispatch_stats s;
	char link[LEDGER_ID_MAX];

	queue_contact(f, "C-1", "Acme");
	f->conn.lose_answers = 1;
	assert_int_equal(run(f, &s), BS_ENET);
	assert_int_equal(f->conn.pushes, 1);
	assert_int_equal(state_of(f, "C-1"), SYNC_QUEUED);
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(f->conn.pushes, 1); /* not re-sent */
	assert_int_equal(f->conn.lookups, 1);
	assert_int_equal(f->conn.nheld, 1);
	link_of(f, "C-1", link);
	assert_string_equal(link, "ID-1");
	assert_int_equal(state_of(f, "C-1"), SYNC_IMPORTED);
	assert_int_equal(s.recovered, 1);
}

/* Some elements of one batch refused: the rest post, the refused one fails
 * with the ledger's message, nothing is looked up or sent again. */
static void test_partial_batch(void **state)
{
	struct fx *f = *state;
	struct dispatch_stats s;
	char link[LEDGER_ID_MAX];

	queue_contact(f, "C-1", "Acme");
	queue_contact(f, "C-2", "Bad");
	queue_contact(f, "C-3", "Zed");
	f->conn.refuse_key = "Bad";
	f->conn.refuse_as = LEDGER_REFUSAL_INVALID;
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(f->conn.pushes, 1);
	assert_int_equal(f->conn.pushed_elems, 3);
	assert_int_equal(f->conn.lookups, 0);
	assert_int_equal(s.posted, 2);
	assert_int_equal(s.failed, 1);
	assert_int_equal(state_of(f, "C-1"), SYNC_IMPORTED);
	assert_int_equal(state_of(f, "C-2"), SYNC_ERROR);
	assert_int_equal(state_of(f, "C-3"), SYNC_IMPORTED);
	assert_int_equal(f->failures, 1);
	assert_string_equal(f->last_failure, "fake refusal 1");
	link_of(f, "C-2", link);
	assert_string_equal(link, "");
	/* a second run has nothing left to send */
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(f->conn.pushes, 1);
}

/* A locked period: the record fails with the ledger's words; it is neither
 * looked up (not a duplicate) nor asked about (not a status refusal). */
static void test_locked_period(void **state)
{
	struct fx *f = *state;
	struct dispatch_stats s;

	queue_contact(f, "C-1", "Acme");
	f->conn.refuse_key = "Acme";
	f->conn.refuse_as = LEDGER_REFUSAL_LOCKED_PERIOD;
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.replanned, 0);
	assert_int_equal(f->conn.lookups, 0);
	assert_int_equal(f->conn.status_asks, 0);
	assert_int_equal(state_of(f, "C-1"), SYNC_ERROR);
	assert_string_equal(f->last_failure, "fake refusal 3");
}

/* An update refused for its status, the document voided in the ledger: the
 * link is dropped and the record reset to be created anew. */
static void test_wrong_status_voided_is_replanned(void **state)
{
	struct fx *f = *state;
	struct store_actor who = {"test", 0};
	struct dispatch_stats s;
	struct bs_error err;
	char link[LEDGER_ID_MAX];

	queue_contact(f, "C-1", "Acme");
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(state_of(f, "C-1"), SYNC_IMPORTED);
	f->conn.held[0].status = LEDGER_DOC_VOIDED;
	who.now_ms = f->now;
	assert_int_equal(store_state_apply(f->st, RECORD_CUSTOMER, "C-1", TARGET, SYNC_EV_RESYNC,
	                                   NULL, &who, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_outbox_add(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact",
	                                  "update",
	                                  "{\"type\":\"Contact\",\"op\":\"update\",\"self\":"
	                                  "\"Contact/customer:C-1\",\"name\":\"Acme\"}",
	                                  "", f->now, NULL, &err),
	                 BS_OK);
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(f->conn.status_asks, 1);
	assert_int_equal(s.replanned, 1);
	link_of(f, "C-1", link);
	assert_string_equal(link, "");
}

/* A ledger that reads before a change: prepare runs once per send, only
 * when an element is linked, before the push, and counts as a call. */
static void test_prepare_before_an_update(void **state)
{
	struct fx *f = *state;
	struct store_actor who = {"test", 0};
	struct dispatch_stats s;
	struct bs_error err;

	f->o.ledger = &fake_prep_ops;
	queue_contact(f, "C-1", "Acme");
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(f->conn.prepares, 0); /* a create reads nothing */
	assert_int_equal(s.calls, 1);
	assert_string_equal(f->conn.last_version, "");
	who.now_ms = f->now;
	assert_int_equal(store_state_apply(f->st, RECORD_CUSTOMER, "C-1", TARGET, SYNC_EV_RESYNC,
	                                   NULL, &who, NULL, &err),
	                 BS_OK);
	assert_int_equal(store_outbox_add(f->st, TARGET, RECORD_CUSTOMER, "C-1", "Contact",
	                                  "update",
	                                  "{\"type\":\"Contact\",\"op\":\"update\",\"self\":"
	                                  "\"Contact/customer:C-1\",\"name\":\"Acme\"}",
	                                  "", f->now, NULL, &err),
	                 BS_OK);
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(f->conn.prepares, 1);
	assert_int_equal(f->conn.pushes, 2);
	assert_string_equal(f->conn.last_version, "v-ID-1"); /* the push saw what was read */
	assert_int_equal(s.calls, 2);                        /* the read is a call */
	assert_int_equal(state_of(f, "C-1"), SYNC_IMPORTED);
}

/* The ledger's total is a cent off: an update of the same document adds the
 * rounding line the rules give, with the connector's no-tax code and its
 * amount precision -- not literals. */
static void test_total_off_by_a_cent_is_corrected(void **state)
{
	struct fx *f = *state;
	struct dispatch_stats s;

	queue_totalled(f, "C-9");
	f->conn.answer_total = 15770000; /* 15.77 */
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(f->conn.pushes, 2); /* the create, then its correction */
	assert_int_equal(s.corrected, 1);
	assert_int_equal(s.failed, 0);
	assert_non_null(strstr(f->conn.last_doc, "\"op\":\"update\""));
	assert_non_null(strstr(f->conn.last_doc,
	                       "{\"description\":\"Rounding correction\",\"quantity\":\"1\","
	                       "\"account\":\"860\",\"tax_type\":\"N\",\"rounding\":\"true\","
	                       "\"unit_amount\":\"-0.01\"}"));
	assert_int_equal(state_of(f, "C-9"), SYNC_IMPORTED);
}

/* A total finer than the ledger's precision cannot be corrected by a line:
 * the record fails saying so (the rules' error is not dropped). */
static void test_total_not_correctable_says_why(void **state)
{
	struct fx *f = *state;
	struct dispatch_stats s;

	queue_totalled(f, "C-8");
	f->conn.answer_total = 15765000; /* 15.765: not at 2 dp */
	assert_int_equal(run(f, &s), BS_OK);
	assert_int_equal(s.corrected, 0);
	assert_int_equal(s.failed, 1);
	assert_non_null(strstr(f->last_failure, "cannot be corrected by a rounding line"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_duplicate_is_linked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lost_answer_is_looked_up_not_resent, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_partial_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_locked_period, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_status_voided_is_replanned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prepare_before_an_update, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_total_off_by_a_cent_is_corrected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_total_not_correctable_says_why, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
