/*
 * test_plan.c - plan_run on a small store: the outbox documents expected.
 *
 * A customer with two sales (one whose lines need a rounding correction,
 * one waiting as not invoiced), a supplier with a bill, and a payment: planned for one target, the
 * outbox must hold exactly the documents below, in dependency order, with their amounts, tax codes
 * and accounts final.  A dry run writes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "sync/plan.h"
#include "tstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N(a)   (sizeof(a) / sizeof((a)[0]))
#define TARGET "xero:t-1"
#define NOW    1790000000000 /* 2026-09-21 */

struct fx {
	char dir[64];
	char db[512];
	struct store *st;
};

static const char input[] =
    "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Aroha Ltd\"}\n"
    "{\"kind\":\"supplier\",\"id\":\"S-1\",\"name\":\"Kauri Supplies\"}\n"
    "{\"kind\":\"sale\",\"id\":\"SO-1\",\"reference\":\"SO-1\",\"customer_id\":\"C-1\","
    "\"date\":\"2026-10-01\",\"invoiced\":true,\"tax_mode\":\"exclusive\",\"lines\":["
    "{\"description\":\"A\",\"qty\":\"30\",\"unit_price\":\"0.123456\",\"tax_rate\":\"15\"},"
    "{\"description\":\"B\",\"qty\":\"1\",\"unit_price\":\"10.00\",\"tax_rate\":\"15\"}]}\n"
    "{\"kind\":\"sale\",\"id\":\"SO-2\",\"reference\":\"SO-2\",\"customer_id\":\"C-1\","
    "\"date\":\"2026-10-02\",\"invoiced\":false,\"tax_mode\":\"exclusive\",\"lines\":["
    "{\"description\":\"A\",\"qty\":\"1\",\"unit_price\":\"5.00\",\"tax_rate\":\"15\"}]}\n"
    "{\"kind\":\"purchase\",\"id\":\"PO-1\",\"reference\":\"PO-1\",\"supplier_id\":\"S-1\","
    "\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"INV-7\","
    "\"invoice_date\":\"2026-10-02\",\"tax_mode\":\"inclusive\",\"lines\":[{\"description\":"
    "\"Stock\",\"qty\":\"2\",\"unit_cost\":\"11.50\",\"tax_rate\":\"15\",\"account\":"
    "\"630\"}]}\n"
    "{\"kind\":\"payment\",\"id\":\"PAY-1\",\"date\":\"2026-10-03\",\"sale_id\":\"SO-1\","
    "\"amount\":\"15.76\",\"account\":\"090\"}\n";

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct store_actor who = {"test", NOW};
	struct ingest_opts io = {0};
	struct ingest_stats is = {0};
	struct bs_error err;
	char path[160];
	FILE *fp;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bs-test-plan-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		goto fail;
	tstore_db_path(f->db, sizeof(f->db), f->dir, "t");
	snprintf(path, sizeof(path), "%s/in.jsonl", f->dir);
	fp = fopen(path, "w");
	if (fp == NULL)
		goto fail;
	fputs(input, fp);
	fclose(fp);
	io.who = &who;
	if (store_open(f->db, STORE_OPEN_CREATE, &f->st, &err) != BS_OK ||
	    ingest_path(f->st, path, &io, &is, &err) != BS_OK || is.added != 6 ||
	    store_target_add(f->st, TARGET, "Org", &who, &err) != BS_OK)
		goto fail;
	*state = f;
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
	tstore_db_drop(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* The outbox after planning everything, oldest first. */
static const struct want {
	const char *record, *type, *deps, *body;
} want[] = {
    {"C-1", "Contact", "",
     "{\"type\":\"Contact\",\"op\":\"create\",\"self\":\"Contact/customer:C-1"
     "\",\"name\":\"Aroha Ltd\"}"},
    {"S-1", "Contact", "",
     "{\"type\":\"Contact\",\"op\":\"create\",\"self\":\"Contact/supplier:S-1"
     "\",\"name\":\"Kauri Supplies\"}"},
    {"PO-1", "Invoice", "Contact/supplier:S-1",
     "{\"type\":\"Invoice\",\"op\":\"create\",\"self\":\"Invoice/purchase:PO-"
     "1\",\"date\":\"2026-10-02\",\"subtype\":\"purchases\",\"contact\":\"Cont"
     "act/supplier:S-1\",\"number\":\"INV-7 / PO-1\",\"reference\":\"INV-7 / PO-1\""
     ",\"status\":\"AUTHORISED\",\"amounts\":\"inclusive\",\"lines\":[{\"desc"
     "ription\":\"Stock\",\"quantity\":\"2\",\"unit_amount\":\"11.50\",\"accou"
     "nt\":\"630\",\"tax_type\":\"INPUT2\",\"line_amount\":\"23.00\"}],\"expec"
     "ted_total\":\"23.00\",\"rounding_account\":\"860\"}"},
    {"SO-1", "Invoice", "Contact/customer:C-1",
     "{\"type\":\"Invoice\",\"op\":\"create\",\"self\":\"Invoice/sale:SO-1\",\""
     "date\":\"2026-10-01\",\"subtype\":\"sales\",\"contact\":\"Contact/cust"
     "omer:C-1\",\"number\":\"1-SO-1\",\"reference\":\"SO-1\",\"status\":\"AUT"
     "HORISED\",\"amounts\":\"exclusive\",\"lines\":[{\"description\":\"A\",\""
     "quantity\":\"30\",\"unit_amount\":\"0.1235\",\"account\":\"200\",\"tax_t"
     "ype\":\"OUTPUT2\",\"line_amount\":\"3.71\"},{\"description\":\"B\",\"qua"
     "ntity\":\"1\",\"unit_amount\":\"10.00\",\"account\":\"200\",\"tax_type\":"
     "\"OUTPUT2\",\"line_amount\":\"10.00\"},{\"description\":\"Rounding co"
     "rrection\",\"quantity\":\"1\",\"unit_amount\":\"-0.01\",\"account\":\"86"
     "0\",\"tax_type\":\"NONE\",\"rounding\":\"true\"}],\"expected_total\":\"1"
     "5.76\",\"rounding_account\":\"860\"}"},
    {"PAY-1", "Payment", "Invoice/sale:SO-1",
     "{\"type\":\"Payment\",\"op\":\"create\",\"self\":\"Payment/payment:PAY-"
     "1\",\"date\":\"2026-10-03\",\"document\":\"Invoice/sale:SO-1\",\"conta"
     "ct\":\"Contact/customer:C-1\",\"account\":\"090\",\"amount\":\"15.76\",\"re"
     "ference\":\"PAY-1\"}"},
};

struct got {
	size_t n;
	bool mismatch;
};

static int check_cb(void *arg, const struct store_op *op)
{
	struct got *g = arg;
	const struct want *w = g->n < N(want) ? &want[g->n] : NULL;

	if (w == NULL || strcmp(op->record_id, w->record) != 0 ||
	    strcmp(op->doc_type, w->type) != 0 || strcmp(op->op, "create") != 0 ||
	    strcmp(op->deps, w->deps) != 0 || strcmp(op->body, w->body) != 0 ||
	    op->status != STORE_OP_READY) {
		print_message("outbox %zu: %s %s %s deps=[%s]\n  %s\n", g->n, op->record_id,
		              op->doc_type, op->op, op->deps, op->body);
		g->mismatch = true;
	}
	g->n++;
	return 0;
}

struct verdicts {
	int n;
	char id[8][16];
	enum sync_state state[8];
	int docs;
};

static void on_verdict(void *arg, enum record_kind kind, const char *id, enum sync_state state,
                       const char *reason)
{
	struct verdicts *v = arg;

	(void)kind;
	(void)reason;
	if (v->n < 8) {
		snprintf(v->id[v->n], sizeof(v->id[0]), "%s", id);
		v->state[v->n] = state;
	}
	v->n++;
}

static void on_doc(void *arg, enum record_kind kind, const char *id, const char *doc_type,
                   const char *op, const char *body)
{
	(void)kind;
	(void)id;
	(void)doc_type;
	(void)op;
	(void)body;
	((struct verdicts *)arg)->docs++;
}

static void plan(struct fx *f, bool dry, struct plan_stats *s, struct verdicts *v)
{
	struct plan_opts o = {0};
	struct bs_error err;
	int cache = 0;

	o.target = TARGET;
	o.everything = true;
	o.now_ms = NOW;
	o.ledger_round = MONEY_HALF_AWAY;
	o.dry_run = dry;
	o.on_verdict = on_verdict;
	o.on_doc = on_doc;
	o.arg = v;
	memset(s, 0, sizeof(*s));
	memset(v, 0, sizeof(*v));
	/* planning sizes the page cache for itself and puts it back */
	assert_int_equal(store_cache_set(f->st, 8192, NULL, &err), BS_OK);
	if (plan_run(f->st, &o, s, &err) != BS_OK)
		fail_msg("plan: %s", err.msg);
	assert_int_equal(store_cache_set(f->st, 8192, &cache, &err), BS_OK);
	assert_int_equal(cache, tstore_pg() != NULL ? 0 : 8192);
}

static void test_plan_small_store(void **state)
{
	struct fx *f = *state;
	struct plan_stats s;
	struct verdicts v;
	struct got g = {0, false};
	struct bs_error err;
	enum sync_state st;

	plan(f, false, &s, &v);
	assert_int_equal(s.considered, 6);
	assert_int_equal(s.planned, 5);
	assert_int_equal(s.documents, 5);
	assert_int_equal(s.waiting, 1);
	assert_int_equal(s.skipped, 0);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.corrections, 1); /* SO-1's line A: 30 x 0.1235 is 3.71, not 3.70 */
	assert_int_equal(v.docs, 5);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.id[0], "SO-2"); /* not invoiced yet */
	assert_int_equal(v.state[0], SYNC_WAITING);
	assert_int_equal(
	    store_outbox_each(f->st, TARGET, STORE_OP_ANY, NULL, 0, check_cb, &g, &err), BS_OK);
	assert_false(g.mismatch);
	assert_int_equal(g.n, N(want));
	assert_int_equal(store_state_get(f->st, RECORD_SALE, "SO-1", TARGET, &st, NULL, &err),
	                 BS_OK);
	assert_int_equal(st, SYNC_QUEUED);
	/* planned again: nothing new (every record is queued) */
	plan(f, false, &s, &v);
	assert_int_equal(s.documents, 0);
	g.n = 0;
	assert_int_equal(
	    store_outbox_each(f->st, TARGET, STORE_OP_ANY, NULL, 0, check_cb, &g, &err), BS_OK);
	assert_int_equal(g.n, N(want));
}

/* A dry run decides the same, reports every document and writes nothing. */
static void test_plan_dry_run(void **state)
{
	struct fx *f = *state;
	struct plan_stats s;
	struct verdicts v;
	struct got g = {0, false};
	struct bs_error err;
	enum sync_state st;

	plan(f, true, &s, &v);
	assert_int_equal(s.documents, 5);
	assert_int_equal(v.docs, 5);
	assert_int_equal(
	    store_outbox_each(f->st, TARGET, STORE_OP_ANY, NULL, 0, check_cb, &g, &err), BS_OK);
	assert_int_equal(g.n, 0);
	assert_int_equal(store_state_get(f->st, RECORD_SALE, "SO-1", TARGET, &st, NULL, &err),
	                 BS_OK);
	assert_int_equal(st, SYNC_NOT_IMPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_plan_small_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plan_dry_run, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
