/*
 * test_sandbox_qbo_faults.c - the QuickBooks Online sandbox's Fault
 * bodies, one table row per documented refusal: duplicate name (6240),
 * duplicate document number (6140), invalid reference (2500), inactive
 * reference (610), stale SyncToken (5010), closed period (6210), required
 * fields (2020), lengths (2050), enumerations (2170); and the shape of a
 * Fault ({"Fault":{"Error":[{Message, Detail, code, element}], "type"}}).
 */
#include "test_sandbox_qbo_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

struct fault_case {
	const char *what, *method, *path, *body;
	long status;
	const char *code, *element;
};

/* Run against a company prepared by prepare(): customer 33 "Known Ltd",
 * vendor 34 "Vendor Ltd", invoice 35 DocNumber INV-1, bill 36 DocNumber
 * B-1 of vendor 34, inactive customer 37 "Gone Ltd", vendor 38. */
static const struct fault_case cases[] = {
    {"same name as a customer", "POST", "vendor", "{\"DisplayName\":\"Known Ltd\"}", 400, "6240",
     "DisplayName"},
    {"same name, other case", "POST", "customer", "{\"DisplayName\":\"KNOWN LTD\"}", 400, "6240",
     NULL},
    {"same name as an inactive one", "POST", "vendor", "{\"DisplayName\":\"Gone Ltd\"}", 400,
     "6240", NULL},
    {"name built from its parts clashes", "POST", "customer",
     "{\"GivenName\":\"Known\",\"FamilyName\":\"Ltd\"}", 400, "6240", NULL},
    {"no name at all", "POST", "customer", "{\"Notes\":\"x\"}", 400, "6080", NULL},
    {"colon in a name", "POST", "customer", "{\"DisplayName\":\"A:B\"}", 400, "6000", NULL},
    {"DisplayName of 501", "POST", "customer", "@DN501", 400, "2050", "DisplayName"},
    {"GivenName of 101", "POST", "customer", "@GN101", 400, "2050", "GivenName"},
    {"duplicate invoice number", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"33\"},\"DocNumber\":\"inv-1\",\"Line\":[{\"DetailType\":"
     "\"SalesItemLineDetail\",\"Amount\":1,\"SalesItemLineDetail\":{}}]}",
     400, "6140", "DocNumber"},
    {"duplicate bill number, same vendor", "POST", "bill",
     "{\"VendorRef\":{\"value\":\"34\"},\"DocNumber\":\"B-1\",\"Line\":[{\"DetailType\":"
     "\"AccountBasedExpenseLineDetail\",\"Amount\":1,\"AccountBasedExpenseLineDetail\":{"
     "\"AccountRef\":{\"value\":\"29\"}}}]}",
     400, "6140", NULL},
    {"DocNumber of 22", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"33\"},\"DocNumber\":\"1234567890123456789012\",\"Line\":[{"
     "\"DetailType\":\"SalesItemLineDetail\",\"Amount\":1,\"SalesItemLineDetail\":{}}]}",
     400, "2050", "DocNumber"},
    {"PrivateNote of 4001", "POST", "invoice", "@PN4001", 400, "2050", "PrivateNote"},
    {"unknown customer", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"999\"},\"Line\":[{\"DetailType\":\"SalesItemLineDetail\","
     "\"Amount\":1,\"SalesItemLineDetail\":{}}]}",
     400, "2500", "CustomerRef"},
    {"a vendor as customer", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"34\"},\"Line\":[{\"DetailType\":\"SalesItemLineDetail\","
     "\"Amount\":1,\"SalesItemLineDetail\":{}}]}",
     400, "2500", NULL},
    {"inactive customer", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"37\"},\"Line\":[{\"DetailType\":\"SalesItemLineDetail\","
     "\"Amount\":1,\"SalesItemLineDetail\":{}}]}",
     400, "610", NULL},
    {"unknown account on a line", "POST", "bill",
     "{\"VendorRef\":{\"value\":\"34\"},\"Line\":[{\"DetailType\":"
     "\"AccountBasedExpenseLineDetail\",\"Amount\":1,\"AccountBasedExpenseLineDetail\":{"
     "\"AccountRef\":{\"value\":\"33\"}}}]}",
     400, "2500", NULL},
    {"unknown tax code", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"33\"},\"Line\":[{\"DetailType\":\"SalesItemLineDetail\","
     "\"Amount\":1,\"SalesItemLineDetail\":{\"TaxCodeRef\":{\"value\":\"77\"}}}]}",
     400, "2500", NULL},
    {"no CustomerRef", "POST", "invoice",
     "{\"Line\":[{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":1,"
     "\"SalesItemLineDetail\":{}}]}",
     400, "2020", "CustomerRef"},
    {"no lines", "POST", "invoice", "{\"CustomerRef\":{\"value\":\"33\"}}", 400, "2020", "Line"},
    {"no DetailType", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"33\"},\"Line\":[{\"Amount\":1}]}", 400, "2020", NULL},
    {"a line type of another form", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"33\"},\"Line\":[{\"DetailType\":"
     "\"AccountBasedExpenseLineDetail\",\"Amount\":1,\"AccountBasedExpenseLineDetail\":{}}]}",
     400, "2170", NULL},
    {"6070", "POST", "bill",
     "{\"VendorRef\":{\"value\":\"34\"},\"Line\":[{\"DetailType\":\"ItemBasedExpenseLineDetail\""
     ",\"Amount\":7,\"ItemBasedExpenseLineDetail\":{\"ItemRef\":{\"value\":\"30\"},\"Qty\":2,"
     "\"UnitPrice\":3.49}}]}",
     400, "6070", "Line.Amount"},
    {"stale SyncToken", "POST", "customer",
     "{\"Id\":\"33\",\"SyncToken\":\"0\",\"sparse\":true,\"Notes\":\"x\"}", 400, "5010",
     "SyncToken"},
    {"update without SyncToken", "POST", "customer",
     "{\"Id\":\"33\",\"sparse\":true,\"Notes\":\"x\"}", 400, "2020", "SyncToken"},
    {"update of nothing", "POST", "customer",
     "{\"Id\":\"4242\",\"SyncToken\":\"0\",\"sparse\":true}", 400, "610", NULL},
    {"read of nothing", "GET", "invoice/4242", NULL, 400, "610", NULL},
    {"read of a customer as invoice", "GET", "invoice/33", NULL, 400, "610", NULL},
    {"closed period", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"33\"},\"TxnDate\":\"2025-03-31\",\"Line\":[{\"DetailType\":"
     "\"SalesItemLineDetail\",\"Amount\":1,\"SalesItemLineDetail\":{}}]}",
     400, "6210", NULL},
    {"delete of a customer", "POST", "customer?operation=delete",
     "{\"Id\":\"33\",\"SyncToken\":\"1\"}", 400, "500", NULL},
    {"tax codes are read-only", "POST", "taxcode", "{\"Name\":\"X\"}", 400, "500", NULL},
    {"journal unbalanced", "POST", "journalentry",
     "{\"Line\":[{\"DetailType\":\"JournalEntryLineDetail\",\"Amount\":1,"
     "\"JournalEntryLineDetail\":{\"PostingType\":\"Debit\",\"AccountRef\":{\"value\":\"9\"}}}]}",
     400, "6000", NULL},
    {"bad PostingType", "POST", "journalentry",
     "{\"Line\":[{\"DetailType\":\"JournalEntryLineDetail\",\"Amount\":1,"
     "\"JournalEntryLineDetail\":{\"PostingType\":\"Up\",\"AccountRef\":{\"value\":\"9\"}}}]}",
     400, "2170", NULL},
    {"item without account", "POST", "item", "{\"Name\":\"Widget\",\"Type\":\"Service\"}", 400,
     "2020", "IncomeAccountRef"},
    {"item name taken", "POST", "item",
     "{\"Name\":\"services\",\"IncomeAccountRef\":{\"value\":\"9\"}}", 400, "6240", NULL},
    {"account name taken", "POST", "account", "{\"Name\":\"Sales\",\"AccountType\":\"Income\"}",
     400, "6240", NULL},
    {"account without type", "POST", "account", "{\"Name\":\"New\"}", 400, "6010", NULL},
    {"account type unknown", "POST", "account", "{\"Name\":\"New\",\"AccountType\":\"Gold\"}", 400,
     "2170", NULL},
    {"purchase without PaymentType", "POST", "purchase",
     "{\"AccountRef\":{\"value\":\"18\"},\"Line\":[{\"DetailType\":"
     "\"AccountBasedExpenseLineDetail\",\"Amount\":1,\"AccountBasedExpenseLineDetail\":{"
     "\"AccountRef\":{\"value\":\"29\"}}}]}",
     400, "2020", "PaymentType"},
    {"another currency", "POST", "invoice",
     "{\"CustomerRef\":{\"value\":\"33\"},\"CurrencyRef\":{\"value\":\"USD\"},\"Line\":[{"
     "\"DetailType\":\"SalesItemLineDetail\",\"Amount\":1,\"SalesItemLineDetail\":{}}]}",
     400, "6000", NULL},
    {"an unknown entity", "GET", "widget/1", NULL, 400, "4000", NULL},
    {"upper-case path", "GET", "Invoice/35", NULL, 400, "4000", NULL},
};

static char *long_body(const char *tag)
{
	const char *field = strncmp(tag, "@DN", 3) == 0   ? "DisplayName"
	                    : strncmp(tag, "@GN", 3) == 0 ? "GivenName"
	                                                  : "PrivateNote";
	size_t n = (size_t)strtoul(tag + 3, NULL, 10);
	struct buf b;

	buf_init(&b, 0);
	if (strcmp(field, "PrivateNote") == 0)
		buf_addstr(&b,
		           "{\"CustomerRef\":{\"value\":\"33\"},\"Line\":[{\"DetailType\":"
		           "\"SalesItemLineDetail\",\"Amount\":1,\"SalesItemLineDetail\":{}}],");
	else
		buf_addc(&b, '{');
	buf_printf(&b, "\"%s\":\"", field);
	/* multi-byte characters count once: é is 2 bytes */
	for (size_t i = 0; i < n; i++)
		buf_addstr(&b, i % 2 ? "\xc3\xa9" : "a");
	buf_addstr(&b, "\"}");
	return buf_take(&b);
}

static void prepare(struct tc *t)
{
	assert_string_equal(qparty(t, "customer", "Known Ltd"), "33");
	assert_string_equal(qparty(t, "vendor", "Vendor Ltd"), "34");
	assert_int_equal(
	    qreq(t, "POST", "invoice",
	         "{\"CustomerRef\":{\"value\":\"33\"},\"DocNumber\":\"INV-1\",\"Line\":[{"
	         "\"DetailType\":\"SalesItemLineDetail\",\"Amount\":1,"
	         "\"SalesItemLineDetail\":{}}]}"),
	    200);
	assert_int_equal(
	    qreq(t, "POST", "bill",
	         "{\"VendorRef\":{\"value\":\"34\"},\"DocNumber\":\"B-1\",\"Line\":[{"
	         "\"DetailType\":\"AccountBasedExpenseLineDetail\",\"Amount\":1,"
	         "\"AccountBasedExpenseLineDetail\":{\"AccountRef\":{\"value\":\"29\"}}}"
	         "]}"),
	    200);
	assert_string_equal(qparty(t, "customer", "Gone Ltd"), "37");
	assert_int_equal(
	    qreq(t, "POST", "customer",
	         "{\"Id\":\"37\",\"SyncToken\":\"0\",\"sparse\":true,\"Active\":false}"),
	    200);
	assert_string_equal(qparty(t, "vendor", "Other Vendor"), "38");
	/* bump customer 33 to SyncToken 1 */
	assert_int_equal(
	    qreq(t, "POST", "customer", "{\"Id\":\"33\",\"SyncToken\":\"0\",\"sparse\":true}"),
	    200);
	/* close the books at 2025-03-31 */
	assert_int_equal(qreq(t, "POST", "preferences",
	                      "{\"Id\":\"32\",\"SyncToken\":\"0\",\"sparse\":true,"
	                      "\"AccountingInfoPrefs\":{\"BookCloseDate\":\"2025-03-31\"}}"),
	                 200);
}

static void test_fault_table(void **state)
{
	struct tc t;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	prepare(&t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fault_case *c = &cases[i];
		char *body = c->body && c->body[0] == '@' ? long_body(c->body) : NULL;
		const char *el;

		qreq(&t, c->method, c->path, body ? body : c->body);
		free(body);
		if (t.status != c->status || strcmp(qcode(&t), c->code) != 0)
			fail_msg("%s: %ld %s", c->what, t.status, buf_cstr(&t.body));
		assert_non_null(tc_get(&t, "Fault.Error.0.Message"));
		assert_non_null(tc_get(&t, "Fault.Error.0.Detail"));
		assert_non_null(tc_get(&t, "Fault.type"));
		assert_non_null(tc_get(&t, "time"));
		el = tc_get(&t, "Fault.Error.0.element");
		if (c->element != NULL && (el == NULL || strcmp(el, c->element) != 0))
			fail_msg("%s: element %s, want %s", c->what, el ? el : "(none)",
			         c->element);
	}
	tc_stop(&t);
}

/* What is allowed beside the refusals above. */
static void test_allowed_neighbours(void **state)
{
	struct tc t;
	char *body;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	prepare(&t);
	/* the same bill number at another vendor */
	assert_int_equal(
	    qreq(&t, "POST", "bill",
	         "{\"VendorRef\":{\"value\":\"38\"},\"DocNumber\":\"B-1\",\"Line\":[{"
	         "\"DetailType\":\"AccountBasedExpenseLineDetail\",\"Amount\":1,"
	         "\"AccountBasedExpenseLineDetail\":{\"AccountRef\":{\"value\":\"29\"}}}"
	         "]}"),
	    200);
	/* the same number on another entity type */
	assert_int_equal(
	    qreq(&t, "POST", "creditmemo",
	         "{\"CustomerRef\":{\"value\":\"33\"},\"DocNumber\":\"INV-1\",\"Line\":[{"
	         "\"DetailType\":\"SalesItemLineDetail\",\"Amount\":1,"
	         "\"SalesItemLineDetail\":{}}]}"),
	    200);
	/* exactly the limits: 500, 21, 4000 (with multi-byte characters) */
	body = long_body("@DN500");
	assert_int_equal(qreq(&t, "POST", "customer", body), 200);
	free(body);
	body = long_body("@PN4000");
	assert_int_equal(qreq(&t, "POST", "invoice", body), 200);
	free(body);
	assert_int_equal(qreq(&t, "POST", "invoice",
	                      "{\"CustomerRef\":{\"value\":\"33\"},\"DocNumber\":"
	                      "\"123456789012345678901\",\"Line\":[{\"DetailType\":"
	                      "\"SalesItemLineDetail\",\"Amount\":1,\"SalesItemLineDetail\":{}}]}"),
	                 200);
	/* the day after the close date is open */
	assert_int_equal(qreq(&t, "POST", "invoice",
	                      "{\"CustomerRef\":{\"value\":\"33\"},\"TxnDate\":\"2025-04-01\","
	                      "\"Line\":[{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":1,"
	                      "\"SalesItemLineDetail\":{}}]}"),
	                 200);
	/* a customer renamed keeps its own name free */
	assert_int_equal(qreq(&t, "POST", "customer",
	                      "{\"Id\":\"33\",\"SyncToken\":\"1\",\"sparse\":true,\"DisplayName\":"
	                      "\"Known Ltd\"}"),
	                 200);
	tc_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fault_table),
	    cmocka_unit_test(test_allowed_neighbours),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
