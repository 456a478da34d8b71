/*
 * test_consolidate_credits.c - customer credits under consolidation
 * (consolidate/consolidate.h cons_classify; docs/consolidation.md
 * "Customer credits"): used to pay invoices they consolidate as payments
 * out of the customer credit account, once what they draw on was
 * consolidated; issued from a refund or a prepayment, as receive money
 * tasks; refunded out of consolidated credits, as spend money tasks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "consolidate/consolidate.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_classify_credits(void **state)
{
	static const struct {
		const char *what;
		struct cons_member m;
		enum cons_mode payments, money_tasks;
		bool mt_receive, mt_spend;
		enum cons_doc doc;
		enum cons_mode mode;
	} t[] = {
	    {"used, drawn on consolidated credits: a payment of the channel",
	     {.kind = RECORD_STORE_CREDIT,
	      .channel = "Web(A)",
	      .credit_event = "used",
	      .credit_drawn_cons = true},
	     CONS_DAILY,
	     CONS_MONTHLY,
	     true,
	     true,
	     CONS_DOC_PAYMENT,
	     CONS_DAILY},
	    {"used, monthly payments",
	     {.kind = RECORD_STORE_CREDIT,
	      .channel = "Web(A)",
	      .credit_event = "used",
	      .credit_drawn_cons = true},
	     CONS_MONTHLY,
	     CONS_MONTHLY,
	     true,
	     true,
	     CONS_DOC_PAYMENT,
	     CONS_MONTHLY},
	    {"used, drawn on a credit note: applied by itself",
	     {.kind = RECORD_STORE_CREDIT, .channel = "Web(A)", .credit_event = "used"},
	     CONS_DAILY,
	     CONS_MONTHLY,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"used, payments individual",
	     {.kind = RECORD_STORE_CREDIT,
	      .channel = "Web(A)",
	      .credit_event = "used",
	      .credit_drawn_cons = true},
	     CONS_INDIVIDUAL,
	     CONS_MONTHLY,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"used on a no-sync channel",
	     {.kind = RECORD_STORE_CREDIT,
	      .channel = "Web(A)",
	      .credit_event = "used",
	      .credit_drawn_cons = true},
	     CONS_NO_SYNC,
	     CONS_MONTHLY,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_NO_SYNC},
	    {"issued from a refund: receive money",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued", .credit_origin = "refund"},
	     CONS_DAILY,
	     CONS_DAILY,
	     true,
	     true,
	     CONS_DOC_RECEIVE,
	     CONS_DAILY},
	    {"issued from a prepayment: receive money, monthly",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued", .credit_origin = "prepayment"},
	     CONS_DAILY,
	     CONS_MONTHLY,
	     true,
	     false,
	     CONS_DOC_RECEIVE,
	     CONS_MONTHLY},
	    {"issued, money tasks not consolidated",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued", .credit_origin = "refund"},
	     CONS_DAILY,
	     CONS_INDIVIDUAL,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"issued, spend only",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued", .credit_origin = "refund"},
	     CONS_DAILY,
	     CONS_DAILY,
	     false,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"issued otherwise: a credit note of its own",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued", .credit_origin = "other"},
	     CONS_DAILY,
	     CONS_DAILY,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"issued without an origin",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued"},
	     CONS_DAILY,
	     CONS_DAILY,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"refunded out of consolidated credits: spend money",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "refunded", .credit_drawn_cons = true},
	     CONS_DAILY,
	     CONS_DAILY,
	     true,
	     true,
	     CONS_DOC_SPEND,
	     CONS_DAILY},
	    {"refunded, receive-only type: still spend money (no credit note to refund)",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "refunded", .credit_drawn_cons = true},
	     CONS_DAILY,
	     CONS_MONTHLY,
	     true,
	     false,
	     CONS_DOC_SPEND,
	     CONS_MONTHLY},
	    {"refunded out of a credit note: by itself",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "refunded"},
	     CONS_DAILY,
	     CONS_DAILY,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		struct cons_config cfg;
		struct cons_channel ch;
		enum cons_doc doc;
		enum cons_mode mode;

		cons_config_default(&cfg);
		cfg.enabled = true;
		memset(&ch, 0, sizeof(ch));
		snprintf(ch.spec, sizeof(ch.spec), "Web(A)");
		ch.invoices = CONS_MONTHLY;
		ch.cogs = CONS_DAILY;
		ch.payments = t[i].payments;
		cfg.channels = &ch;
		cfg.nchannels = 1;
		cfg.money_tasks = t[i].money_tasks;
		cfg.mt_receive = t[i].mt_receive;
		cfg.mt_spend = t[i].mt_spend;
		cons_classify(&cfg, &t[i].m, &doc, &mode);
		if (doc != t[i].doc || mode != t[i].mode)
			fail_msg("%s: doc %d mode %d, want %d %d", t[i].what, doc, mode, t[i].doc,
			         t[i].mode);
		/* consolidation off: everything individual */
		cfg.enabled = false;
		cons_classify(&cfg, &t[i].m, &doc, &mode);
		assert_int_equal(doc, CONS_DOC_NONE);
		assert_int_equal(mode, CONS_INDIVIDUAL);
	}
}

/* The keys: a credit used is keyed as a payment by the customer credit
 * account; issued and refunded by the bank account, tax none. */
static void test_credit_keys(void **state)
{
	struct cons_member used = {.kind = RECORD_STORE_CREDIT,
	                           .id = "SC-2",
	                           .date = "2026-10-05",
	                           .currency = "NZD",
	                           .channel = "Web(A)",
	                           .account = "825",
	                           .credit_event = "used",
	                           .credit_drawn_cons = true};
	struct cons_member iss = {.kind = RECORD_STORE_CREDIT,
	                          .id = "SC-1",
	                          .date = "2026-10-05",
	                          .currency = "NZD",
	                          .bank = "090",
	                          .tax_mode = MONEY_TAX_NONE,
	                          .credit_event = "issued",
	                          .credit_origin = "refund"};
	struct cons_member pay = {.kind = RECORD_PAYMENT,
	                          .id = "P-1",
	                          .date = "2026-10-05",
	                          .currency = "NZD",
	                          .channel = "Web(A)",
	                          .account = "090"};
	struct cons_key ku, ki, kp;
	struct bs_error err;
	struct buf name;

	(void)state;
	assert_int_equal(cons_key_of(&used, CONS_DOC_PAYMENT, CONS_DAILY, &ku, &err), BS_OK);
	assert_int_equal(cons_key_of(&pay, CONS_DOC_PAYMENT, CONS_DAILY, &kp, &err), BS_OK);
	assert_string_equal(ku.account, "825");
	/* a different account: a payment document of its own */
	assert_true(cons_key_cmp(&ku, &kp) != 0);
	assert_int_equal(cons_key_of(&iss, CONS_DOC_RECEIVE, CONS_MONTHLY, &ki, &err), BS_OK);
	assert_string_equal(ki.account, "090");
	assert_string_equal(ki.period, "2026-10");
	assert_int_equal(ki.tax_mode, MONEY_TAX_NONE);
	buf_init(&name, 128);
	assert_int_equal(cons_name(&ki, 1, &name), BS_OK);
	assert_string_equal(buf_cstr(&name), "MT-2026/10-090-1");
	assert_int_equal(cons_name(&ku, 2, &name), BS_OK);
	assert_string_equal(buf_cstr(&name), "SO-2026/10/05-Web(A)-2");
	buf_free(&name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify_credits),
	    cmocka_unit_test(test_credit_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
