/*
 * test_consolidate.c - consolidation's rules (consolidate/consolidate.h):
 * modes, channels, the period check, dates, period ends, classifying,
 * keys, names, numbers and the 500-line split.  Lines, rates and locking:
 * test_consolidate_lines.c.
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

static void test_mode_parse(void **state)
{
	static const struct {
		const char *in;
		int rc;
		enum cons_mode m;
		const char *name;
	} c[] = {
	    {"no-sync", BS_OK, CONS_NO_SYNC, "no-sync"},
	    {"individual", BS_OK, CONS_INDIVIDUAL, "individual"},
	    {"none", BS_OK, CONS_INDIVIDUAL, "individual"},
	    {"daily", BS_OK, CONS_DAILY, "daily"},
	    {"monthly", BS_OK, CONS_MONTHLY, "monthly"},
	    {"Daily", BS_EINVAL, 0, NULL},
	    {"weekly", BS_EINVAL, 0, NULL},
	    {"", BS_EINVAL, 0, NULL},
	    {"no_sync", BS_EINVAL, 0, NULL},
	    {"monthly ", BS_EINVAL, 0, NULL},
	    {NULL, BS_EINVAL, 0, NULL},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		enum cons_mode m = CONS_NO_SYNC;

		if (cons_mode_parse(c[i].in, &m) != c[i].rc)
			fail_msg("case %zu '%s'", i, c[i].in != NULL ? c[i].in : "(null)");
		if (c[i].rc == BS_OK) {
			assert_int_equal(m, c[i].m);
			assert_string_equal(cons_mode_name(m), c[i].name);
		}
	}
}

static void test_grouping_parse(void **state)
{
	static const struct {
		const char *in;
		int rc;
		enum cons_grouping g;
	} c[] = {
	    {"account", BS_OK, CONS_BY_ACCOUNT},
	    {"sku", BS_OK, CONS_BY_SKU},
	    {"category", BS_OK, CONS_BY_CATEGORY},
	    {"tracking", BS_OK, CONS_BY_TRACKING},
	    {"SKU", BS_EINVAL, 0},
	    {"product", BS_EINVAL, 0},
	    {"", BS_EINVAL, 0},
	    {NULL, BS_EINVAL, 0},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		enum cons_grouping g = CONS_BY_ACCOUNT;

		assert_int_equal(cons_grouping_parse(c[i].in, &g), c[i].rc);
		if (c[i].rc == BS_OK)
			assert_int_equal(g, c[i].g);
	}
}

static void test_channel_check(void **state)
{
	static const struct {
		const char *in;
		int rc;
	} c[] = {
	    {"*", BS_OK},
	    {"Shopify(MyShop)", BS_OK},
	    {"Shopify(My Shop.com)", BS_OK},
	    {"Amazon-EU(Store 1)", BS_OK},
	    {"POS(Main Street)", BS_OK},
	    {"woo_commerce(a)", BS_OK},
	    {"Shopify", BS_EINVAL},
	    {"Shopify()", BS_EINVAL},
	    {"(MyShop)", BS_EINVAL},
	    {"Shopify(MyShop", BS_EINVAL},
	    {"Shopify(My(Shop))", BS_EINVAL},
	    {"Shopify(MyShop)x", BS_EINVAL},
	    {"Shop/ify(MyShop)", BS_EINVAL},
	    {"Shopify(My\tShop)", BS_EINVAL},
	    {"**", BS_EINVAL},
	    {"", BS_EINVAL},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		if (cons_channel_check(c[i].in, strlen(c[i].in)) != c[i].rc)
			fail_msg("'%s': want %d", c[i].in, c[i].rc);
	}
}

static void test_channel_spec(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(cons_channel_spec("Shopify", "MyShop", &b), BS_OK);
	assert_string_equal(buf_cstr(&b), "Shopify(MyShop)");
	assert_int_equal(cons_channel_spec("", "MyShop", &b), BS_EINVAL);
	assert_int_equal(cons_channel_spec("Shopify", "", &b), BS_EINVAL);
	assert_int_equal(cons_channel_spec(NULL, NULL, &b), BS_EINVAL);
	assert_int_equal(cons_channel_spec("Shopify", "a(b", &b), BS_EINVAL);
	buf_free(&b);
}

static void test_check_periods(void **state)
{
	static const struct {
		const char *inv, *pay;
		int rc;
	} c[] = {
	    {"individual", "individual", BS_OK}, {"daily", "individual", BS_OK},
	    {"daily", "daily", BS_OK},           {"monthly", "individual", BS_OK},
	    {"monthly", "daily", BS_OK},         {"monthly", "monthly", BS_OK},
	    {"individual", "daily", BS_EINVAL},  {"individual", "monthly", BS_EINVAL},
	    {"daily", "monthly", BS_EINVAL},     {"no-sync", "monthly", BS_OK},
	    {"no-sync", "daily", BS_OK},         {"daily", "no-sync", BS_OK},
	    {"monthly", "no-sync", BS_OK},       {"no-sync", "no-sync", BS_OK},
	    {"weekly", "daily", BS_EINVAL},      {"daily", "hourly", BS_EINVAL},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		struct bs_error err;
		int rc = cons_check_periods("Shopify(MyShop)", c[i].inv, c[i].pay, &err);

		if (rc != c[i].rc)
			fail_msg("invoices %s, payments %s: rc %d", c[i].inv, c[i].pay, rc);
		if (rc != BS_OK)
			assert_non_null(strstr(err.msg, "Shopify(MyShop)"));
		if (rc != BS_OK && strcmp(c[i].inv, "weekly") != 0 &&
		    strcmp(c[i].pay, "hourly") != 0)
			assert_non_null(strstr(err.msg, "longer than its invoice period"));
	}
}

static void test_date_check(void **state)
{
	static const struct {
		const char *in;
		int rc;
	} c[] = {
	    {"2019-04-26", BS_OK},        {"2024-02-29", BS_OK},     {"2023-02-29", BS_EINVAL},
	    {"2000-02-29", BS_OK},        {"1900-02-29", BS_EINVAL}, {"2019-12-31", BS_OK},
	    {"2019-13-01", BS_EINVAL},    {"2019-00-10", BS_EINVAL}, {"2019-04-31", BS_EINVAL},
	    {"2019-04-00", BS_EINVAL},    {"2019/04/26", BS_EINVAL}, {"2019-4-26", BS_EINVAL},
	    {"2019-04-26T00", BS_EINVAL}, {"", BS_EINVAL},           {"0000-01-01", BS_EINVAL},
	    {"abcd-ef-gh", BS_EINVAL},    {NULL, BS_EINVAL},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		if (cons_date_check(c[i].in) != c[i].rc)
			fail_msg("'%s'", c[i].in != NULL ? c[i].in : "(null)");
	}
}

static void test_tz_offset(void **state)
{
	static const struct {
		const char *in;
		int rc, min;
	} c[] = {
	    {"UTC", BS_OK, 0},
	    {"Z", BS_OK, 0},
	    {"+13:00", BS_OK, 780},
	    {"-05:30", BS_OK, -330},
	    {"+00:00", BS_OK, 0},
	    {"+14:00", BS_OK, 840},
	    {"+14:01", BS_EINVAL, 0},
	    {"-12:00", BS_OK, -720},
	    {"+5:30", BS_EINVAL, 0},
	    {"+05:60", BS_EINVAL, 0},
	    {"0530", BS_EINVAL, 0},
	    {"utc", BS_EINVAL, 0},
	    {"Pacific/Auckland", BS_EINVAL, 0},
	    {"", BS_EINVAL, 0},
	    {NULL, BS_EINVAL, 0},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		int m = 12345;

		assert_int_equal(cons_tz_offset(c[i].in, &m), c[i].rc);
		if (c[i].rc == BS_OK)
			assert_int_equal(m, c[i].min);
	}
}

static void test_today(void **state)
{
	static const struct {
		int64_t ms;
		int off;
		const char *want;
	} c[] = {
	    {0, 0, "1970-01-01"},
	    {86399999, 0, "1970-01-01"},
	    {86400000, 0, "1970-01-02"},
	    {-1, 0, "1969-12-31"},
	    {1556236800000, 0, "2019-04-26"},   /* 2019-04-26T00:00Z */
	    {1556236800000, -1, "2019-04-25"},  /* a minute west */
	    {1556236799000, 780, "2019-04-26"}, /* 23:59:59Z the day before, NZDT */
	    {1709164800000, 0, "2024-02-29"},   /* leap day */
	    {1709251199000, 0, "2024-02-29"},
	    {1709251200000, 0, "2024-03-01"},
	    {1735689599000, 0, "2024-12-31"},
	    {1735689599000, 1, "2025-01-01"},
	    {951782400000, 0, "2000-02-29"},
	    {4102444800000, 0, "2100-01-01"},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		char out[11];

		assert_int_equal(cons_today(c[i].ms, c[i].off, out), BS_OK);
		if (strcmp(out, c[i].want) != 0)
			fail_msg("%lld%+d: %s, want %s", (long long)c[i].ms, c[i].off, out,
			         c[i].want);
	}
}

static void test_period(void **state)
{
	static const struct {
		enum cons_mode m;
		const char *date;
		int rc;
		const char *want;
	} c[] = {
	    {CONS_DAILY, "2019-04-26", BS_OK, "2019-04-26"},
	    {CONS_MONTHLY, "2019-04-26", BS_OK, "2019-04"},
	    {CONS_MONTHLY, "2019-12-31", BS_OK, "2019-12"},
	    {CONS_DAILY, "2019-02-29", BS_EINVAL, NULL},
	    {CONS_INDIVIDUAL, "2019-04-26", BS_EINVAL, NULL},
	    {CONS_NO_SYNC, "2019-04-26", BS_EINVAL, NULL},
	    {CONS_DAILY, "", BS_EINVAL, NULL},
	    {CONS_MONTHLY, NULL, BS_EINVAL, NULL},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		char out[11];

		assert_int_equal(cons_period(c[i].m, c[i].date, out), c[i].rc);
		if (c[i].rc == BS_OK)
			assert_string_equal(out, c[i].want);
	}
}

/* Daily: ready once the day has come (today included); monthly: only after
 * the month's last day -- the month-end hold. */
static void test_period_ended(void **state)
{
	static const struct {
		enum cons_mode m;
		const char *period, *today;
		bool ended;
	} c[] = {
	    {CONS_DAILY, "2019-04-26", "2019-04-26", true}, /* consolidates when the sync runs */
	    {CONS_DAILY, "2019-04-25", "2019-04-26", true},
	    {CONS_DAILY, "2019-04-27", "2019-04-26", false}, /* future */
	    {CONS_DAILY, "2018-12-31", "2019-01-01", true},
	    {CONS_MONTHLY, "2019-04", "2019-04-26", false}, /* month-end hold */
	    {CONS_MONTHLY, "2019-04", "2019-04-30", false}, /* the last day is still April */
	    {CONS_MONTHLY, "2019-04", "2019-05-01", true},
	    {CONS_MONTHLY, "2019-03", "2019-04-01", true},
	    {CONS_MONTHLY, "2018-12", "2019-01-01", true},
	    {CONS_MONTHLY, "2019-12", "2019-12-31", false},
	    {CONS_MONTHLY, "2019-05", "2019-04-26", false},
	    {CONS_MONTHLY, "2019-13", "2020-04-26", false},
	    {CONS_MONTHLY, "2019-04-26", "2019-05-26", false}, /* a day is not a month */
	    {CONS_DAILY, "2019-04", "2019-05-26", false},
	    {CONS_INDIVIDUAL, "2019-04-26", "2019-05-26", false},
	    {CONS_DAILY, "2019-04-26", "bad", false},
	    {CONS_DAILY, NULL, "2019-04-26", false},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		if (cons_period_ended(c[i].m, c[i].period, c[i].today) != c[i].ended)
			fail_msg("case %zu: %s on %s", i, c[i].period ? c[i].period : "(null)",
			         c[i].today);
	}
}

static void config(struct cons_config *c, struct cons_channel *chans)
{
	cons_config_default(c);
	c->enabled = true;
	snprintf(chans[0].spec, sizeof(chans[0].spec), "Shopify(MyShop)");
	chans[0].invoices = CONS_DAILY;
	chans[0].cogs = CONS_DAILY;
	chans[0].payments = CONS_DAILY;
	snprintf(chans[1].spec, sizeof(chans[1].spec), "Amazon(EU)");
	chans[1].invoices = CONS_MONTHLY;
	chans[1].cogs = CONS_MONTHLY;
	chans[1].payments = CONS_DAILY;
	snprintf(chans[2].spec, sizeof(chans[2].spec), "POS(Till)");
	chans[2].invoices = CONS_NO_SYNC;
	chans[2].cogs = CONS_NO_SYNC;
	chans[2].payments = CONS_NO_SYNC;
	c->channels = chans;
	c->nchannels = 3;
	c->journals = CONS_MONTHLY;
	c->money_tasks = CONS_DAILY;
}

static void test_classify(void **state)
{
	static const struct {
		const char *what;
		struct cons_member m;
		bool enabled;
		bool mt_receive, mt_spend;
		enum cons_doc doc;
		enum cons_mode mode;
	} c[] = {
	    {"sale daily",
	     {.kind = RECORD_SALE, .channel = "Shopify(MyShop)"},
	     true,
	     true,
	     true,
	     CONS_DOC_SALE,
	     CONS_DAILY},
	    {"sale monthly",
	     {.kind = RECORD_SALE, .channel = "Amazon(EU)"},
	     true,
	     true,
	     true,
	     CONS_DOC_SALE,
	     CONS_MONTHLY},
	    {"sale no-sync",
	     {.kind = RECORD_SALE, .channel = "POS(Till)"},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_NO_SYNC},
	    {"sale other channel: the default",
	     {.kind = RECORD_SALE, .channel = "Ebay(X)"},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"sale no channel",
	     {.kind = RECORD_SALE},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"disabled",
	     {.kind = RECORD_SALE, .channel = "Shopify(MyShop)"},
	     false,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"credit note",
	     {.kind = RECORD_CREDIT_NOTE, .channel = "Amazon(EU)"},
	     true,
	     true,
	     true,
	     CONS_DOC_CREDIT,
	     CONS_MONTHLY},
	    {"supplier credit note: never",
	     {.kind = RECORD_CREDIT_NOTE, .channel = "Amazon(EU)", .supplier = true},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"purchase: never",
	     {.kind = RECORD_PURCHASE, .supplier = true},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"bill payment: never",
	     {.kind = RECORD_PAYMENT, .supplier = true},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"supplier deposit: never",
	     {.kind = RECORD_MONEY_TASK, .supplier = true, .receive = false},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"cogs of a sale",
	     {.kind = RECORD_COGS, .channel = "Shopify(MyShop)"},
	     true,
	     true,
	     true,
	     CONS_DOC_COGS_SALE,
	     CONS_DAILY},
	    {"cogs of a credit note",
	     {.kind = RECORD_COGS, .channel = "Amazon(EU)", .on_credit_note = true},
	     true,
	     true,
	     true,
	     CONS_DOC_COGS_CREDIT,
	     CONS_MONTHLY},
	    {"payment",
	     {.kind = RECORD_PAYMENT, .channel = "Amazon(EU)"},
	     true,
	     true,
	     true,
	     CONS_DOC_PAYMENT,
	     CONS_DAILY},
	    {"refund",
	     {.kind = RECORD_PAYMENT, .channel = "Shopify(MyShop)", .on_credit_note = true},
	     true,
	     true,
	     true,
	     CONS_DOC_REFUND,
	     CONS_DAILY},
	    {"credit used: a payment",
	     {.kind = RECORD_STORE_CREDIT,
	      .channel = "Shopify(MyShop)",
	      .credit_event = "used",
	      .credit_drawn_cons = true},
	     true,
	     true,
	     true,
	     CONS_DOC_PAYMENT,
	     CONS_DAILY},
	    {"credit from a refund: a money task",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued", .credit_origin = "refund"},
	     true,
	     true,
	     true,
	     CONS_DOC_RECEIVE,
	     CONS_DAILY},
	    {"credit from a prepayment: a money task",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued", .credit_origin = "prepayment"},
	     true,
	     true,
	     true,
	     CONS_DOC_RECEIVE,
	     CONS_DAILY},
	    {"credit of another origin: individual",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued", .credit_origin = "other"},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"credit refunded: individual",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "refunded"},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"credit from a refund, spend-only type",
	     {.kind = RECORD_STORE_CREDIT, .credit_event = "issued", .credit_origin = "refund"},
	     true,
	     false,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"journal", {.kind = RECORD_JOURNAL}, true, true, true, CONS_DOC_JOURNAL, CONS_MONTHLY},
	    {"receive money",
	     {.kind = RECORD_MONEY_TASK, .receive = true},
	     true,
	     true,
	     true,
	     CONS_DOC_RECEIVE,
	     CONS_DAILY},
	    {"spend money",
	     {.kind = RECORD_MONEY_TASK, .receive = false},
	     true,
	     true,
	     true,
	     CONS_DOC_SPEND,
	     CONS_DAILY},
	    {"receive only: receive",
	     {.kind = RECORD_MONEY_TASK, .receive = true},
	     true,
	     true,
	     false,
	     CONS_DOC_RECEIVE,
	     CONS_DAILY},
	    {"receive only: spend stays",
	     {.kind = RECORD_MONEY_TASK, .receive = false},
	     true,
	     true,
	     false,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"spend only: receive stays",
	     {.kind = RECORD_MONEY_TASK, .receive = true},
	     true,
	     false,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"spend only: spend",
	     {.kind = RECORD_MONEY_TASK, .receive = false},
	     true,
	     false,
	     true,
	     CONS_DOC_SPEND,
	     CONS_DAILY},
	    {"adjustment",
	     {.kind = RECORD_ADJUSTMENT},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"customer",
	     {.kind = RECORD_CUSTOMER},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	    {"product", {.kind = RECORD_PRODUCT}, true, true, true, CONS_DOC_NONE, CONS_INDIVIDUAL},
	    {"gift voucher",
	     {.kind = RECORD_GIFT_VOUCHER},
	     true,
	     true,
	     true,
	     CONS_DOC_NONE,
	     CONS_INDIVIDUAL},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		struct cons_config cfg;
		struct cons_channel chans[3];
		enum cons_doc doc;
		enum cons_mode mode;

		memset(chans, 0, sizeof(chans));
		config(&cfg, chans);
		cfg.enabled = c[i].enabled;
		cfg.mt_receive = c[i].mt_receive;
		cfg.mt_spend = c[i].mt_spend;
		cons_classify(&cfg, &c[i].m, &doc, &mode);
		if (doc != c[i].doc || mode != c[i].mode)
			fail_msg("%s: doc %d mode %d, want %d %d", c[i].what, doc, mode, c[i].doc,
			         c[i].mode);
	}
}

static void test_money_task_modes(void **state)
{
	/* each money_tasks x money_task_type, receive and spend */
	static const struct {
		enum cons_mode mt;
		bool rcv, spd;
		enum cons_doc want_receive, want_spend;
	} c[] = {
	    {CONS_INDIVIDUAL, true, true, CONS_DOC_NONE, CONS_DOC_NONE},
	    {CONS_DAILY, true, false, CONS_DOC_RECEIVE, CONS_DOC_NONE},
	    {CONS_DAILY, false, true, CONS_DOC_NONE, CONS_DOC_SPEND},
	    {CONS_DAILY, true, true, CONS_DOC_RECEIVE, CONS_DOC_SPEND},
	    {CONS_MONTHLY, true, false, CONS_DOC_RECEIVE, CONS_DOC_NONE},
	    {CONS_MONTHLY, false, true, CONS_DOC_NONE, CONS_DOC_SPEND},
	    {CONS_MONTHLY, true, true, CONS_DOC_RECEIVE, CONS_DOC_SPEND},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		struct cons_config cfg;
		struct cons_member r = {.kind = RECORD_MONEY_TASK, .receive = true};
		struct cons_member s = {.kind = RECORD_MONEY_TASK, .receive = false};
		enum cons_doc doc;
		enum cons_mode mode;

		cons_config_default(&cfg);
		cfg.enabled = true;
		cfg.money_tasks = c[i].mt;
		cfg.mt_receive = c[i].rcv;
		cfg.mt_spend = c[i].spd;
		cons_classify(&cfg, &r, &doc, &mode);
		assert_int_equal(doc, c[i].want_receive);
		if (doc != CONS_DOC_NONE)
			assert_int_equal(mode, c[i].mt);
		cons_classify(&cfg, &s, &doc, &mode);
		assert_int_equal(doc, c[i].want_spend);
	}
}

static struct cons_member sale(const char *date, const char *cur, enum money_tax_mode tm,
                               const char *store)
{
	struct cons_member m = {.kind = RECORD_SALE,
	                        .id = "S1",
	                        .date = date,
	                        .currency = cur,
	                        .tax_mode = tm,
	                        .store = store,
	                        .channel = "Shopify(MyShop)",
	                        .account = "090",
	                        .bank = "091"};
	return m;
}

/* Two members share a document exactly when their keys compare equal. */
static void test_keys(void **state)
{
	static const struct {
		const char *what;
		enum cons_doc doc;
		enum cons_mode mode;
		const char *d1, *c1, *s1, *a1;
		enum money_tax_mode t1;
		const char *d2, *c2, *s2, *a2;
		enum money_tax_mode t2;
		bool same;
	} c[] = {
#define EX MONEY_TAX_EXCLUSIVE
#define IN MONEY_TAX_INCLUSIVE
	    {"sale same day", CONS_DOC_SALE, CONS_DAILY, "2019-04-26", "NZD", "A", "x", EX,
	     "2019-04-26", "NZD", "A", "y", EX, true},
	    {"sale next day", CONS_DOC_SALE, CONS_DAILY, "2019-04-26", "NZD", "A", "x", EX,
	     "2019-04-27", "NZD", "A", "x", EX, false},
	    {"sale same month", CONS_DOC_SALE, CONS_MONTHLY, "2019-04-01", "NZD", "A", "x", EX,
	     "2019-04-30", "NZD", "A", "x", EX, true},
	    {"sale next month", CONS_DOC_SALE, CONS_MONTHLY, "2019-04-30", "NZD", "A", "x", EX,
	     "2019-05-01", "NZD", "A", "x", EX, false},
	    {"sale currency", CONS_DOC_SALE, CONS_DAILY, "2019-04-26", "NZD", "A", "x", EX,
	     "2019-04-26", "USD", "A", "x", EX, false},
	    {"sale tax mode", CONS_DOC_SALE, CONS_DAILY, "2019-04-26", "NZD", "A", "x", EX,
	     "2019-04-26", "NZD", "A", "x", IN, false},
	    {"sale store", CONS_DOC_SALE, CONS_DAILY, "2019-04-26", "NZD", "A", "x", EX,
	     "2019-04-26", "NZD", "B", "x", EX, false},
	    {"credit store", CONS_DOC_CREDIT, CONS_MONTHLY, "2019-04-02", "NZD", "A", "x", EX,
	     "2019-04-26", "NZD", "B", "x", EX, false},
	    {"cogs ignores currency, store, tax mode", CONS_DOC_COGS_SALE, CONS_DAILY, "2019-04-26",
	     "NZD", "A", "x", EX, "2019-04-26", "USD", "B", "y", IN, true},
	    {"cogs by day", CONS_DOC_COGS_SALE, CONS_DAILY, "2019-04-26", "NZD", "A", "x", EX,
	     "2019-04-25", "NZD", "A", "x", EX, false},
	    {"cogs by month", CONS_DOC_COGS_CREDIT, CONS_MONTHLY, "2019-04-26", "NZD", "A", "x", EX,
	     "2019-04-01", "NZD", "B", "x", EX, true},
	    {"payment same account", CONS_DOC_PAYMENT, CONS_DAILY, "2019-04-26", "NZD", "A", "090",
	     EX, "2019-04-26", "NZD", "B", "090", IN, true},
	    {"payment other account", CONS_DOC_PAYMENT, CONS_DAILY, "2019-04-26", "NZD", "A", "090",
	     EX, "2019-04-26", "NZD", "A", "091", EX, false},
	    {"payment currency", CONS_DOC_PAYMENT, CONS_MONTHLY, "2019-04-26", "NZD", "A", "090",
	     EX, "2019-04-20", "AUD", "A", "090", EX, false},
	    {"refund by month", CONS_DOC_REFUND, CONS_MONTHLY, "2019-04-26", "NZD", "A", "090", EX,
	     "2019-04-20", "NZD", "A", "090", EX, true},
	    {"journal by currency", CONS_DOC_JOURNAL, CONS_DAILY, "2019-04-26", "NZD", "A", "x", EX,
	     "2019-04-26", "USD", "A", "x", EX, false},
	    {"journal ignores store", CONS_DOC_JOURNAL, CONS_DAILY, "2019-04-26", "NZD", "A", "x",
	     EX, "2019-04-26", "NZD", "B", "y", IN, true},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		struct cons_member a = sale(c[i].d1, c[i].c1, c[i].t1, c[i].s1);
		struct cons_member b = sale(c[i].d2, c[i].c2, c[i].t2, c[i].s2);
		struct cons_key ka, kb;
		struct bs_error err;

		a.account = c[i].a1;
		b.account = c[i].a2;
		assert_int_equal(cons_key_of(&a, c[i].doc, c[i].mode, &ka, &err), BS_OK);
		assert_int_equal(cons_key_of(&b, c[i].doc, c[i].mode, &kb, &err), BS_OK);
		if ((cons_key_cmp(&ka, &kb) == 0) != c[i].same)
			fail_msg("%s", c[i].what);
		assert_int_equal(cons_key_cmp(&ka, &kb), -cons_key_cmp(&kb, &ka));
	}
}

static void test_keys_money_tasks(void **state)
{
	struct cons_member a = sale("2019-04-26", "NZD", EX, NULL), b;
	struct cons_key ka, kb;
	struct bs_error err;
	struct buf t;

	(void)state;
	a.kind = RECORD_MONEY_TASK;
	b = a;
	/* bank account, date and tax mode */
	assert_int_equal(cons_key_of(&a, CONS_DOC_RECEIVE, CONS_DAILY, &ka, &err), BS_OK);
	assert_int_equal(cons_key_of(&b, CONS_DOC_RECEIVE, CONS_DAILY, &kb, &err), BS_OK);
	assert_int_equal(cons_key_cmp(&ka, &kb), 0);
	b.bank = "092";
	assert_int_equal(cons_key_of(&b, CONS_DOC_RECEIVE, CONS_DAILY, &kb, &err), BS_OK);
	assert_true(cons_key_cmp(&ka, &kb) != 0);
	b = a;
	b.tax_mode = IN;
	assert_int_equal(cons_key_of(&b, CONS_DOC_RECEIVE, CONS_DAILY, &kb, &err), BS_OK);
	assert_true(cons_key_cmp(&ka, &kb) != 0);
	b = a;
	b.date = "2019-04-27";
	assert_int_equal(cons_key_of(&b, CONS_DOC_RECEIVE, CONS_DAILY, &kb, &err), BS_OK);
	assert_true(cons_key_cmp(&ka, &kb) != 0);
	/* receive and spend never share */
	b = a;
	assert_int_equal(cons_key_of(&b, CONS_DOC_SPEND, CONS_DAILY, &kb, &err), BS_OK);
	assert_true(cons_key_cmp(&ka, &kb) != 0);
	/* the key as text names the bank */
	buf_init(&t, 0);
	assert_int_equal(cons_key_text(&ka, &t), BS_OK);
	assert_non_null(strstr(buf_cstr(&t), "091"));
	buf_free(&t);
	/* errors */
	b = a;
	b.date = "2019-02-30";
	assert_int_equal(cons_key_of(&b, CONS_DOC_RECEIVE, CONS_DAILY, &kb, &err), BS_EINVAL);
	assert_int_equal(cons_key_of(&a, CONS_DOC_NONE, CONS_DAILY, &kb, &err), BS_EINVAL);
	assert_int_equal(cons_key_of(&a, CONS_DOC_SALE, CONS_INDIVIDUAL, &kb, &err), BS_EINVAL);
	b = a;
	b.store = "a store name that is far too long to be part of a consolidation key, surely";
	assert_int_equal(cons_key_of(&b, CONS_DOC_SALE, CONS_DAILY, &kb, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "store"));
#undef EX
#undef IN
}

static void test_names(void **state)
{
	static const struct {
		enum cons_doc doc;
		enum cons_mode mode;
		const char *date, *channel, *cur, *acct;
		unsigned n;
		const char *want;
	} c[] = {
	    {CONS_DOC_SALE, CONS_DAILY, "2019-04-26", "Shopify(MyShop)", "NZD", "", 1,
	     "SO-2019/04/26-Shopify(MyShop)-1"},
	    {CONS_DOC_SALE, CONS_DAILY, "2019-04-26", "Shopify(MyShop)", "NZD", "", 2,
	     "SO-2019/04/26-Shopify(MyShop)-2"},
	    {CONS_DOC_SALE, CONS_MONTHLY, "2019-04-26", "Amazon(EU)", "NZD", "", 1,
	     "SO-2019/04-Amazon(EU)-1"},
	    {CONS_DOC_CREDIT, CONS_MONTHLY, "2019-12-31", "Amazon(EU)", "NZD", "", 3,
	     "SO-2019/12-Amazon(EU)-3"},
	    {CONS_DOC_PAYMENT, CONS_DAILY, "2019-04-26", "POS(Till 1)", "NZD", "090", 10,
	     "SO-2019/04/26-POS(Till 1)-10"},
	    {CONS_DOC_COGS_SALE, CONS_DAILY, "2019-04-26", "Shopify(MyShop)", "", "", 1,
	     "SO-2019/04/26-Shopify(MyShop)-1"},
	    {CONS_DOC_JOURNAL, CONS_MONTHLY, "2019-04-26", "", "USD", "", 1, "JN-2019/04-USD-1"},
	    {CONS_DOC_RECEIVE, CONS_DAILY, "2019-04-26", "", "", "090", 2, "MT-2019/04/26-090-2"},
	};
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	for (size_t i = 0; i < N(c); i++) {
		struct cons_key k;

		memset(&k, 0, sizeof(k));
		k.doc = c[i].doc;
		k.mode = c[i].mode;
		assert_int_equal(cons_period(c[i].mode, c[i].date, k.period), BS_OK);
		snprintf(k.channel, sizeof(k.channel), "%s", c[i].channel);
		snprintf(k.currency, sizeof(k.currency), "%s", c[i].cur);
		snprintf(k.account, sizeof(k.account), "%s", c[i].acct);
		assert_int_equal(cons_name(&k, c[i].n, &b), BS_OK);
		assert_string_equal(buf_cstr(&b), c[i].want);
		/* the QBO form: at most 21, distinct per number */
		assert_int_equal(cons_short_name(&k, c[i].n, &b), BS_OK);
		assert_true(b.len <= CONS_QBO_DOC_MAX);
	}
	{
		struct cons_key k;

		memset(&k, 0, sizeof(k));
		k.doc = CONS_DOC_SALE;
		assert_int_equal(cons_name(&k, 1, &b), BS_EINVAL); /* no period */
		snprintf(k.period, sizeof(k.period), "2019-04-26");
		assert_int_equal(cons_name(&k, 0, &b), BS_EINVAL); /* numbers start at 1 */
	}
	buf_free(&b);
}

static void test_short_names(void **state)
{
	struct cons_key a, b;
	struct buf x, y;

	(void)state;
	buf_init(&x, 0);
	buf_init(&y, 0);
	memset(&a, 0, sizeof(a));
	a.doc = CONS_DOC_SALE;
	a.mode = CONS_DAILY;
	snprintf(a.period, sizeof(a.period), "2019-04-26");
	snprintf(a.channel, sizeof(a.channel), "Shopify(MyShop)");
	snprintf(a.currency, sizeof(a.currency), "NZD");
	assert_int_equal(cons_short_name(&a, 1, &x), BS_OK);
	assert_int_equal(strncmp(buf_cstr(&x), "S190426-", 8), 0);
	assert_int_equal(x.len, 16); /* S190426-XXXXXX-1 */
	/* another channel, store or currency: another hash */
	b = a;
	snprintf(b.channel, sizeof(b.channel), "Shopify(OtherShop)");
	assert_int_equal(cons_short_name(&b, 1, &y), BS_OK);
	assert_string_not_equal(buf_cstr(&x), buf_cstr(&y));
	b = a;
	snprintf(b.store, sizeof(b.store), "Main");
	assert_int_equal(cons_short_name(&b, 1, &y), BS_OK);
	assert_string_not_equal(buf_cstr(&x), buf_cstr(&y));
	/* a credit note of the same key: another letter */
	b = a;
	b.doc = CONS_DOC_CREDIT;
	assert_int_equal(cons_short_name(&b, 1, &y), BS_OK);
	assert_int_equal(buf_cstr(&y)[0], 'C');
	assert_string_equal(buf_cstr(&y) + 1, buf_cstr(&x) + 1);
	/* monthly: YYMM */
	b = a;
	b.mode = CONS_MONTHLY;
	b.period[7] = '\0';
	assert_int_equal(cons_short_name(&b, 12345, &y), BS_OK);
	assert_int_equal(strncmp(buf_cstr(&y), "S1904-", 6), 0);
	/* the largest number that fits: 21 - len("S190426-XXXXXX-") = 6 digits */
	assert_int_equal(cons_short_name(&a, 999999, &y), BS_OK);
	assert_int_equal(y.len, 21);
	assert_int_equal(cons_short_name(&a, 1000000, &y), BS_ERANGE);
	assert_int_equal(cons_short_name(&a, 0, &y), BS_EINVAL);
	buf_free(&x);
	buf_free(&y);
}

static void test_next_number(void **state)
{
	static const unsigned a[] = {1}, b[] = {1, 2}, c[] = {2, 1, 3}, d[] = {5}, e[] = {1, 1};

	(void)state;
	assert_int_equal(cons_next_number(NULL, 0), 1);
	assert_int_equal(cons_next_number(a, 1), 2); /* the second daily document */
	assert_int_equal(cons_next_number(b, 2), 3);
	assert_int_equal(cons_next_number(c, 3), 4);
	assert_int_equal(cons_next_number(d, 1), 6); /* never reuses below the highest */
	assert_int_equal(cons_next_number(e, 2), 2);
}

static void test_split(void **state)
{
	static const struct {
		size_t lines, max, docs;
		size_t sizes[4];
	} c[] = {
	    {0, 0, 0, {0}},
	    {1, 0, 1, {1}},
	    {499, 0, 1, {499}},
	    {500, 0, 1, {500}},
	    {501, 0, 2, {500, 1}},
	    {510, 0, 2, {500, 10}}, /* seeds: 510 lines, 500 + 10 */
	    {1000, 0, 2, {500, 500}},
	    {1001, 0, 3, {500, 500, 1}},
	    {1500, 500, 3, {500, 500, 500}},
	    {7, 3, 3, {3, 3, 1}},
	    {10, 1, 10, {1, 1, 1, 1}},
	};
	(void)state;
	for (size_t i = 0; i < N(c); i++) {
		size_t sizes[4] = {0}, sum = 0;
		size_t docs = cons_split(c[i].lines, c[i].max, sizes, 4);

		assert_int_equal(docs, c[i].docs);
		for (size_t j = 0; j < docs && j < 4; j++) {
			assert_int_equal(sizes[j], c[i].sizes[j]);
			sum += sizes[j];
		}
		if (docs <= 4)
			assert_int_equal(sum, c[i].lines);
	}
}

static void test_labels(void **state)
{
	(void)state;
	assert_string_equal(cons_doc_label(CONS_DOC_SALE), "sale invoice");
	assert_string_equal(cons_doc_label(CONS_DOC_CREDIT), "sale credit note");
	assert_string_equal(cons_doc_label(CONS_DOC_PAYMENT), "sale invoice payment");
	assert_string_equal(cons_doc_label(CONS_DOC_REFUND), "sale credit note refund");
	assert_string_equal(cons_doc_label(CONS_DOC_COGS_SALE), "COGS (invoice)");
	assert_string_equal(cons_doc_label(CONS_DOC_COGS_CREDIT), "COGS (credit note)");
	assert_string_equal(cons_doc_label(CONS_DOC_JOURNAL), "journal");
	assert_string_equal(cons_doc_label(CONS_DOC_COUNT), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mode_parse),    cmocka_unit_test(test_grouping_parse),
	    cmocka_unit_test(test_channel_check), cmocka_unit_test(test_channel_spec),
	    cmocka_unit_test(test_check_periods), cmocka_unit_test(test_date_check),
	    cmocka_unit_test(test_tz_offset),     cmocka_unit_test(test_today),
	    cmocka_unit_test(test_period),        cmocka_unit_test(test_period_ended),
	    cmocka_unit_test(test_classify),      cmocka_unit_test(test_money_task_modes),
	    cmocka_unit_test(test_keys),          cmocka_unit_test(test_keys_money_tasks),
	    cmocka_unit_test(test_names),         cmocka_unit_test(test_short_names),
	    cmocka_unit_test(test_next_number),   cmocka_unit_test(test_split),
	    cmocka_unit_test(test_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
