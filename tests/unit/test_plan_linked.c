/*
 * test_plan_linked.c - what the planner keeps of the links it reads
 * (plan_linked in src/sync/plan/plan_facts.c).
 *
 * 3,000 sales over 1,600 customers, whose keys share slots of the kept
 * table (some 150 pairs of 1,600 keys in 8,192 slots), so answers are
 * kept, found and pushed out all through the run: 1,500 customers are in
 * the ledger, 50 have had their link dropped and are skipped, 50 are not
 * in the store at all.  Every sale must get its own customer's answer:
 * planned, skipped with its customer's reason, or waiting.
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

#define TARGET    "xero:t-1"
#define NOW       1790000000000 /* 2026-09-21 */
#define SALES     3000
#define POSTED    1500 /* C-1 .. C-1500: in the ledger */
#define DROPPED   50   /* C-1501 .. C-1550: link dropped, skipped */
#define CUSTOMERS 1600 /* C-1551 .. C-1600: not in the store */

static int customer_of(int sale)
{
	return (int)((unsigned)sale * 7919u % CUSTOMERS) + 1;
}

static int write_input(const char *path)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	for (int c = 1; c <= POSTED + DROPPED; c++)
		fprintf(fp, "{\"kind\":\"customer\",\"id\":\"C-%d\",\"name\":\"Customer %d\"}\n", c,
		        c);
	for (int s = 1; s <= SALES; s++)
		fprintf(
		    fp,
		    "{\"kind\":\"sale\",\"id\":\"SO-%d\",\"reference\":\"SO-%d\","
		    "\"customer_id\":\"C-%d\",\"date\":\"2026-10-01\",\"invoiced\":true,"
		    "\"tax_mode\":\"exclusive\",\"lines\":[{\"description\":\"A\",\"qty\":\"1\","
		    "\"unit_price\":\"10.00\",\"tax_rate\":\"15\"}]}\n",
		    s, s, customer_of(s));
	return fclose(fp) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	struct tstore *t = calloc(1, sizeof(*t));
	struct store_actor who = {"test", NOW};
	struct ingest_opts io = {0};
	struct ingest_stats is = {0};
	struct bs_error err;
	char path[160];
	int rc;

	if (t == NULL || tstore_open(t, "linked") != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/in.jsonl", t->dir);
	io.who = &who;
	if (write_input(path) != 0 || ingest_path(t->st, path, &io, &is, &err) != BS_OK ||
	    is.added != POSTED + DROPPED + SALES ||
	    store_target_add(t->st, TARGET, "Org", &who, &err) != BS_OK)
		goto fail;
	rc = store_begin(t->st, &err);
	for (int c = 1; rc == BS_OK && c <= POSTED + DROPPED; c++) {
		char id[16], lid[48];

		snprintf(id, sizeof(id), "C-%d", c);
		snprintf(lid, sizeof(lid), "00000000-0000-4000-8000-%012d", c);
		rc = store_link_set(t->st, TARGET, RECORD_CUSTOMER, id, "Contact", lid, "", NOW,
		                    &err);
		/* posted once, then reset and skipped: the link is there, its id gone */
		if (rc == BS_OK && c > POSTED)
			rc = store_link_drop(t->st, TARGET, RECORD_CUSTOMER, id, "Contact", &err);
		if (rc == BS_OK && c > POSTED)
			rc = store_state_apply(t->st, RECORD_CUSTOMER, id, TARGET, SYNC_EV_SKIP,
			                       "archived in the shop", &who, NULL, &err);
	}
	if (rc == BS_OK)
		rc = store_commit(t->st, &err);
	if (rc != BS_OK) {
		print_message("setup: %s\n", err.msg);
		goto fail;
	}
	*state = t;
	return 0;
fail:
	if (t != NULL)
		tstore_close(t);
	free(t);
	return -1;
}

static int teardown(void **state)
{
	struct tstore *t = *state;
	int rc = tstore_close(t);

	free(t);
	return rc;
}

static void test_each_sale_its_customer(void **state)
{
	struct tstore *t = *state;
	struct plan_opts o = {0};
	struct plan_stats s = {0};
	struct bs_error err;
	struct buf reason;
	int want_planned = 0, want_skipped = 0, want_waiting = 0;

	o.target = TARGET;
	o.everything = true;
	o.now_ms = NOW;
	o.ledger_round = MONEY_HALF_AWAY;
	if (plan_run(t->st, &o, &s, &err) != BS_OK)
		fail_msg("plan: %s", err.msg);
	buf_init(&reason, 4096);
	for (int i = 1; i <= SALES; i++) {
		int c = customer_of(i);
		enum sync_state st, want;
		char id[16];

		want = c <= POSTED             ? SYNC_QUEUED
		       : c <= POSTED + DROPPED ? SYNC_SKIPPED
		                               : SYNC_WAITING;
		want_planned += want == SYNC_QUEUED;
		want_skipped += want == SYNC_SKIPPED;
		want_waiting += want == SYNC_WAITING;
		snprintf(id, sizeof(id), "SO-%d", i);
		assert_int_equal(
		    store_state_get(t->st, RECORD_SALE, id, TARGET, &st, &reason, &err), BS_OK);
		if (st != want)
			fail_msg("%s of C-%d: %s, want %s (%s)", id, c, sync_state_name(st),
			         sync_state_name(want), buf_cstr(&reason));
		/* a skipped customer's sale says which customer and why */
		if (want == SYNC_SKIPPED) {
			char who[16];

			snprintf(who, sizeof(who), "C-%d", c);
			assert_non_null(strstr(buf_cstr(&reason), who));
		}
	}
	buf_free(&reason);
	/* every kind of answer came up, many times over */
	assert_true(want_planned > 2000 && want_skipped > 50 && want_waiting > 50);
	/* the sales' invoices, and an update of each customer in the ledger */
	assert_int_equal(s.documents, (uint64_t)want_planned + POSTED);
	assert_int_equal(s.skipped, (uint64_t)want_skipped);
	assert_int_equal(s.waiting, (uint64_t)want_waiting);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_each_sale_its_customer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
