/*
 * test_tabs_settings.c - tab name resolution and the settings catalogue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/buf.h"
#include "store/settings.h"
#include "store/store.h"
#include "sync/tabs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_tabs_resolve(void **state)
{
	static const struct {
		const char *in, *out;
		int rc;
	} cases[] = {
	    {"sales/invoices", "sales/invoices", BS_OK},
	    {"invoices", "sales/invoices", BS_OK},
	    {"customers", "sales/customers", BS_OK},
	    {"supplier-invoices", "purchases/supplier-invoices", BS_OK},
	    {"cogs", "adjustments/cogs", BS_OK},
	    {"adjustments", "adjustments", BS_OK}, /* the group wins over its tab */
	    {"adjustments/adjustments", "adjustments/adjustments", BS_OK},
	    {"sales", "sales", BS_OK},
	    {"retail", "retail", BS_OK},
	    {"gift-vouchers", "retail/gift-vouchers", BS_OK},
	    {"journals", "other/journals", BS_OK},
	    {"payments", NULL, BS_ECONFLICT},
	    {"sales/payments", "sales/payments", BS_OK},
	    {"purchases/payments", "purchases/payments", BS_OK},
	    {"invoice", NULL, BS_ENOTFOUND},
	    {"", NULL, BS_ENOTFOUND},
	    {"sales/", NULL, BS_ENOTFOUND},
	    {"Invoices", NULL, BS_ENOTFOUND},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_error err;
		const char *out = NULL;
		int rc = tabs_resolve(cases[i].in, &out, &err);

		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, want %d", cases[i].in, rc, cases[i].rc);
		if (rc == BS_OK)
			assert_string_equal(out, cases[i].out);
		else
			assert_true(strlen(err.msg) > 0);
	}
}

static void test_tabs_holds(void **state)
{
	static const struct {
		const char *tab, *record_tab;
		bool holds;
	} cases[] = {
	    {"sales/invoices", "sales/invoices", true},
	    {"sales/invoices", "sales/customers", false},
	    {"sales", "sales/customers", true},
	    {"sales", "sales/invoices", true},
	    {"sales", "purchases/payments", false},
	    {"purchases", "purchases/payments", true},
	    {"sales/payments", "purchases/payments", false},
	    {"adjustments", "adjustments/cogs", true},
	    {"adjustments/cogs", "adjustments/adjustments", false},
	    {"retail", "retailer/x", false}, /* a prefix of the group's name is not it */
	    {"sales/invoices", "sales/invoices-old", false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (tabs_holds(cases[i].tab, cases[i].record_tab) != cases[i].holds)
			fail_msg("tabs_holds(%s, %s) != %d", cases[i].tab, cases[i].record_tab,
			         cases[i].holds);
	}
}

static void test_sync_all_is_five_tabs(void **state)
{
	size_t n, k = 0;
	const struct tabs_def *t = tabs_all(&n);

	(void)state;
	assert_int_equal(n, 16);
	for (size_t i = 0; i < n; i++)
		k += t[i].sync_all;
	/* docs/states-and-tabs.md: Customers, Invoices, Suppliers, Supplier Invoices, COGS */
	assert_int_equal(k, 5);
}

static void test_settings_check(void **state)
{
	static const struct {
		const char *key, *value;
		int rc;
	} cases[] = {
	    {"invoice_status", "AUTHORISED", BS_OK},
	    {"invoice_status", "DRAFT", BS_OK},
	    {"invoice_status", "PAID", BS_EINVAL},
	    {"invoice_status", "", BS_EINVAL},
	    {"base_currency", "NZD", BS_OK},
	    {"base_currency", "XXQ", BS_EINVAL},
	    {"base_currency", "nzd", BS_EINVAL},
	    {"disable_payment_sync", "true", BS_OK},
	    {"disable_payment_sync", "yes", BS_EINVAL},
	    {"account.sales", "200", BS_OK},
	    {"account.sales", "", BS_EINVAL},
	    {"account.sales", "2 00", BS_EINVAL},
	    {"account.sales", "12345678901", BS_EINVAL},
	    {"reference_prefix", "WEB-", BS_OK},
	    {"reference_prefix", "a\tb", BS_EINVAL},
	    {"no_such_key", "x", BS_ENOTFOUND},
	    /* consolidation (docs/consolidation.md) */
	    {"consolidation.enabled", "true", BS_OK},
	    {"consolidation.enabled", "on", BS_EINVAL},
	    {"consolidation.channel.*.invoices", "daily", BS_OK},
	    {"consolidation.channel.*.cogs", "monthly", BS_OK},
	    {"consolidation.channel.*.payments", "no-sync", BS_OK},
	    {"consolidation.channel.*.payments", "individual", BS_OK},
	    {"consolidation.channel.*.payments", "weekly", BS_EINVAL},
	    {"consolidation.channel.Shopify(MyShop).invoices", "daily", BS_OK},
	    {"consolidation.channel.Shopify(My Shop.com).cogs", "monthly", BS_OK},
	    {"consolidation.channel.Amazon(EU).payments", "none", BS_EINVAL},
	    {"consolidation.channel.Shopify.invoices", "daily", BS_ENOTFOUND},
	    {"consolidation.channel.Shopify().invoices", "daily", BS_ENOTFOUND},
	    {"consolidation.channel.(MyShop).invoices", "daily", BS_ENOTFOUND},
	    {"consolidation.channel.Shopify(MyShop).refunds", "daily", BS_ENOTFOUND},
	    {"consolidation.channel.Shopify(My(Shop)).cogs", "daily", BS_ENOTFOUND},
	    {"consolidation.channel.**.cogs", "daily", BS_ENOTFOUND},
	    {"consolidation.grouping", "account", BS_OK},
	    {"consolidation.grouping", "sku", BS_OK},
	    {"consolidation.grouping", "category", BS_OK},
	    {"consolidation.grouping", "tracking", BS_OK},
	    {"consolidation.grouping", "product", BS_EINVAL},
	    {"consolidation.sync_customer_contacts", "false", BS_OK},
	    {"consolidation.sync_customer_contacts", "no", BS_EINVAL},
	    {"consolidation.credit_account", "825", BS_OK},
	    {"consolidation.credit_account", "no such", BS_EINVAL},
	    {"consolidation.journals", "none", BS_OK},
	    {"consolidation.journals", "daily", BS_OK},
	    {"consolidation.journals", "individual", BS_EINVAL},
	    {"consolidation.money_tasks", "monthly", BS_OK},
	    {"consolidation.money_tasks", "no-sync", BS_EINVAL},
	    {"consolidation.money_task_type", "receive", BS_OK},
	    {"consolidation.money_task_type", "spend", BS_OK},
	    {"consolidation.money_task_type", "both", BS_OK},
	    {"consolidation.money_task_type", "spent", BS_EINVAL},
	    {"timezone", "Pacific/Auckland", BS_OK},
	    {"timezone", "UTC", BS_OK},
	    {"timezone", "+13:00", BS_OK},
	    {"timezone", "-05:30", BS_OK},
	    {"timezone", "+15:00", BS_EINVAL},
	    {"timezone", "../etc/passwd", BS_EINVAL},
	    {"timezone", "Pacific Auckland", BS_EINVAL},
	    {"schedule.sync_minutes", "0", BS_OK},
	    {"schedule.sync_minutes", "15", BS_OK},
	    {"schedule.sync_minutes", "10080", BS_OK},
	    {"schedule.sync_minutes", "10081", BS_EINVAL},
	    {"schedule.sync_minutes", "-1", BS_EINVAL},
	    {"schedule.sync_minutes", "1.5", BS_EINVAL},
	    {"schedule.sync_minutes", "", BS_EINVAL},
	    {"schedule.sync_minutes", "999999", BS_EINVAL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_error err;
		int rc = settings_check(cases[i].key, cases[i].value, &err);

		if (rc != cases[i].rc)
			fail_msg("%s=%s: rc %d, want %d", cases[i].key, cases[i].value, rc,
			         cases[i].rc);
		/* a channel's key is checked by its family's, whose name the
		 * message gives ("consolidation.channel.*.payments") */
		if (rc == BS_EINVAL && strchr(cases[i].key, '(') != NULL)
			assert_non_null(strstr(err.msg, "consolidation.channel."));
		else if (rc != BS_OK)
			assert_non_null(strstr(err.msg, cases[i].key));
	}
}

static void test_settings_defaults(void **state)
{
	size_t n;
	const struct settings_def *d = settings_all(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct bs_error err;

		assert_ptr_equal(settings_find(d[i].key), &d[i]);
		/* every non-empty default passes its own check */
		if (d[i].def[0] != '\0' && settings_check(d[i].key, d[i].def, &err) != BS_OK)
			fail_msg("default of %s fails its check: %s", d[i].key, err.msg);
	}
	assert_null(settings_find("bogus"));
	assert_string_equal(settings_find("account.rounding")->def, "860");
}

/* What one key cannot say alone: a channel's payment period against its
 * invoices', with the other key read from a store (docs/consolidation.md). */
static void test_settings_check_with(void **state)
{
	static const struct {
		const char *key, *value;
		int rc;
	} steps[] = {
	    /* each step is set when it passes, so later ones see it */
	    {"consolidation.channel.Shop(A).payments", "daily",
	     BS_EINVAL}, /* invoices individual */
	    {"consolidation.channel.Shop(A).invoices", "daily", BS_OK},
	    {"consolidation.channel.Shop(A).payments", "daily", BS_OK},
	    {"consolidation.channel.Shop(A).payments", "monthly", BS_EINVAL},
	    {"consolidation.channel.Shop(A).invoices", "individual", BS_EINVAL},
	    {"consolidation.channel.Shop(A).invoices", "no-sync", BS_OK}, /* no period */
	    {"consolidation.channel.Shop(A).invoices", "monthly", BS_OK},
	    {"consolidation.channel.Shop(A).payments", "monthly", BS_OK},
	    {"consolidation.channel.*.payments", "monthly", BS_EINVAL}, /* * invoices individual */
	    {"consolidation.channel.*.invoices", "daily", BS_OK},
	    {"consolidation.channel.*.payments", "daily", BS_OK},
	    {"consolidation.channel.Shop(B).cogs", "monthly", BS_OK}, /* cogs: no rule */
	    /* Shop(B) relies on '*' for both: a shorter '*' invoices is refused */
	    {"consolidation.channel.Shop(B).payments", "daily", BS_OK},
	    {"consolidation.channel.*.invoices", "individual", BS_EINVAL},
	    {"consolidation.channel.Shop(B).payments", "weekly", BS_EINVAL},
	    {"consolidation.grouping", "sku", BS_OK},
	    {"no.such.key", "x", BS_ENOTFOUND},
	};
	char dir[] = "/tmp/bs-test-settings-XXXXXX", path[64];
	struct store *st = NULL;
	struct bs_error err;
	struct buf v;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.db", dir);
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, &st, &err), BS_OK);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int rc = settings_check_with(st, steps[i].key, steps[i].value, &err);

		if (rc != steps[i].rc)
			fail_msg("step %zu %s=%s: rc %d, want %d (%s)", i, steps[i].key,
			         steps[i].value, rc, steps[i].rc, rc != BS_OK ? err.msg : "");
		if (rc == BS_EINVAL && strstr(steps[i].key, "payments") != NULL &&
		    strcmp(steps[i].value, "weekly") != 0)
			assert_non_null(strstr(err.msg, "longer than its invoice period"));
		if (rc == BS_OK)
			assert_int_equal(store_setting_set(st, steps[i].key, steps[i].value, &err),
			                 BS_OK);
	}
	/* a channel without its own value reads the '*' key's */
	buf_init(&v, 256);
	assert_int_equal(settings_get(st, "consolidation.channel.Shop(C).invoices", &v, &err),
	                 BS_OK);
	assert_string_equal(buf_cstr(&v), "daily");
	assert_int_equal(settings_get(st, "consolidation.channel.Shop(B).cogs", &v, &err), BS_OK);
	assert_string_equal(buf_cstr(&v), "monthly");
	assert_int_equal(settings_get(st, "consolidation.channel.Shop(C).cogs", &v, &err), BS_OK);
	assert_string_equal(buf_cstr(&v), "individual");
	buf_free(&v);
	store_close(st);
	unlink(path);
	{
		char side[80];

		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tabs_resolve),          cmocka_unit_test(test_tabs_holds),
	    cmocka_unit_test(test_sync_all_is_five_tabs), cmocka_unit_test(test_settings_check),
	    cmocka_unit_test(test_settings_check_with),   cmocka_unit_test(test_settings_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
