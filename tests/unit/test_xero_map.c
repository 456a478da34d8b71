/*
 * test_xero_map.c - the Xero connector's pure halves, table-driven:
 * xero_map_element (a ledger-neutral document to Xero's element) and
 * xero_parse_response (Xero's answer to per-element verdicts, each refusal
 * classed), and xero_ledger as the connector ledger_find("xero") returns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ledger/ledger.h"
#include "ledger/xero/xero.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Symbols resolve to "ID<symbol>", except any naming "missing". */
static int resolve(void *arg, const char *symbol, char *id)
{
	(void)arg;
	if (strstr(symbol, "missing") != NULL)
		return BS_ENOTFOUND;
	snprintf(id, LEDGER_ID_MAX, "ID<%s>", symbol);
	return BS_OK;
}

struct map_case {
	const char *type;
	const char *doc;
	const char *ledger_id; /* NULL: a create */
	int rc;
	const char *want; /* the whole element on BS_OK, else a piece of the error */
};

static const struct map_case map_cases[] = {
    {"Contact",
     "{\"op\":\"create\",\"name\":\"Acme Ltd\",\"email\":\"a@b.nz\",\"currency\":\"NZD\"}", NULL,
     BS_OK, "{\"Name\":\"Acme Ltd\",\"EmailAddress\":\"a@b.nz\",\"DefaultCurrency\":\"NZD\"}"},
    {"Contact", "{\"op\":\"update\",\"name\":\"Acme Ltd\"}", "CID-1", BS_OK,
     "{\"ContactID\":\"CID-1\",\"Name\":\"Acme Ltd\"}"},
    {"Item",
     "{\"op\":\"create\",\"code\":\"W-1\",\"name\":\"Widget\",\"sales_account\":\"200\","
     "\"purchase_account\":\"300\"}",
     NULL, BS_OK,
     "{\"Code\":\"W-1\",\"Name\":\"Widget\",\"IsTrackedAsInventory\":false,\"SalesDetails\":{"
     "\"AccountCode\":\"200\"},\"PurchaseDetails\":{\"AccountCode\":\"300\"}}"},
    {"Invoice",
     "{\"op\":\"create\",\"subtype\":\"sales\",\"contact\":\"Contact/customer:C-1\","
     "\"number\":\"SO-1\",\"date\":\"2026-10-01\",\"due_date\":\"2026-10-20\","
     "\"currency\":\"NZD\",\"status\":\"AUTHORISED\",\"amounts\":\"exclusive\",\"lines\":[{"
     "\"description\":\"Widget\",\"quantity\":\"2\",\"unit_amount\":\"10.5000\",\"account\":"
     "\"200\",\"tax_type\":\"OUTPUT2\"}],\"expected_total\":\"24.15\"}",
     NULL, BS_OK,
     "{\"Type\":\"ACCREC\",\"Contact\":{\"ContactID\":\"ID<Contact/customer:C-1>\"},"
     "\"InvoiceNumber\":\"SO-1\",\"Date\":\"2026-10-01\",\"DueDate\":\"2026-10-20\","
     "\"CurrencyCode\":\"NZD\",\"Status\":\"AUTHORISED\",\"LineAmountTypes\":\"Exclusive\","
     "\"LineItems\":[{\"Description\":\"Widget\",\"Quantity\":2,\"UnitAmount\":10.5000,"
     "\"AccountCode\":\"200\",\"TaxType\":\"OUTPUT2\"}]}"},
    /* a void sends only the id and the status */
    {"Invoice", "{\"op\":\"void\",\"self\":\"Invoice/sale:SO-1\"}", "INV-9", BS_OK,
     "{\"InvoiceID\":\"INV-9\",\"Status\":\"VOIDED\"}"},
    /* a payment is deleted, not voided */
    {"Payment", "{\"op\":\"void\"}", "PAY-1", BS_OK,
     "{\"PaymentID\":\"PAY-1\",\"Status\":\"DELETED\"}"},
    {"Payment",
     "{\"op\":\"create\",\"document\":\"Invoice/sale:SO-1\",\"account\":\"090\",\"amount\":"
     "\"24.15\",\"date\":\"2026-10-02\",\"reference\":\"P-1\"}",
     NULL, BS_OK,
     "{\"Invoice\":{\"InvoiceID\":\"ID<Invoice/sale:SO-1>\"},\"Account\":{\"Code\":\"090\"},"
     "\"Date\":\"2026-10-02\",\"Amount\":24.15,\"Reference\":\"P-1\"}"},
    {"Allocation",
     "{\"op\":\"create\",\"credit_note\":\"CreditNote/sale_return:R-1\",\"invoice\":"
     "\"Invoice/sale:SO-1\",\"amount\":\"5.00\",\"date\":\"2026-10-03\"}",
     NULL, BS_OK,
     "{\"Invoice\":{\"InvoiceID\":\"ID<Invoice/sale:SO-1>\"},\"Amount\":5.00,\"Date\":"
     "\"2026-10-03\"}"},
    {"ManualJournal",
     "{\"op\":\"create\",\"narration\":\"COGS Oct\",\"date\":\"2026-10-31\",\"lines\":[{"
     "\"account\":\"310\",\"amount\":\"12.00\",\"description\":\"cogs\"},{\"account\":\"630\","
     "\"amount\":\"-12.00\",\"description\":\"stock\"}]}",
     NULL, BS_OK,
     "{\"Narration\":\"COGS Oct\",\"Date\":\"2026-10-31\",\"Status\":\"POSTED\","
     "\"LineAmountTypes\":\"NoTax\",\"JournalLines\":[{\"Description\":\"cogs\",\"LineAmount\":"
     "12.00,\"AccountCode\":\"310\"},{\"Description\":\"stock\",\"LineAmount\":-12.00,"
     "\"AccountCode\":\"630\"}]}"},
    /* a symbol not posted yet: BS_ENOTFOUND naming it */
    {"Invoice",
     "{\"op\":\"create\",\"subtype\":\"sales\",\"contact\":\"Contact/customer:missing\","
     "\"number\":\"SO-2\",\"lines\":[]}",
     NULL, BS_ENOTFOUND, "Contact/customer:missing is not posted yet"},
};

static void test_map_element(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(map_cases); i++) {
		const struct map_case *c = &map_cases[i];
		struct json_object *doc = json_tokener_parse(c->doc);
		enum ledger_doc_type t;
		struct bs_error err = {0};
		struct buf out;
		int rc;

		assert_non_null(doc);
		assert_int_equal(ledger_doc_type_from_name(c->type, strlen(c->type), &t), BS_OK);
		buf_init(&out, 1 << 16);
		rc = xero_map_element(t, doc, c->ledger_id, resolve, NULL, &out, &err);
		if (rc != c->rc)
			fail_msg("map %zu: rc %d want %d (%s)", i, rc, c->rc, err.msg);
		if (rc == BS_OK && strcmp(buf_cstr(&out), c->want) != 0)
			fail_msg("map %zu:\n got %s\nwant %s", i, buf_cstr(&out), c->want);
		if (rc != BS_OK && strstr(err.msg, c->want) == NULL)
			fail_msg("map %zu: error '%s' lacks '%s'", i, err.msg, c->want);
		buf_free(&out);
		json_object_put(doc);
	}
}

/* One element's expected verdict. */
struct verdict {
	int status;
	enum ledger_refusal refusal;
	bool warned;
	const char *id, *number;
	bool has_total;
	int64_t total;
	const char *message;
};

struct parse_case {
	const char *body;
	size_t n;
	int rc;
	struct verdict v[2];
};

#define OK_V(id, num, tot)                                                                         \
	{                                                                                          \
		BS_OK, LEDGER_REFUSAL_NONE, false, id, num, true, tot, ""                          \
	}
#define REFUSED(r, msg)                                                                            \
	{                                                                                          \
		BS_EINVAL, r, false, "", "", false, 0, msg                                         \
	}

static const struct parse_case parse_cases[] = {
    {"{\"Invoices\":[{\"InvoiceID\":\"I-1\",\"InvoiceNumber\":\"SO-1\",\"Total\":24.15,"
     "\"StatusAttributeString\":\"OK\"}]}",
     1,
     BS_OK,
     {OK_V("I-1", "SO-1", 24150000)}},
    /* a partial batch: one accepted, one refused for its status */
    {"{\"Invoices\":[{\"InvoiceID\":\"I-1\",\"InvoiceNumber\":\"SO-1\",\"Total\":\"24.15\"},"
     "{\"HasErrors\":true,\"StatusAttributeString\":\"ERROR\",\"ValidationErrors\":[{"
     "\"Message\":\"Invoice not of valid status for modification\"}]}]}",
     2,
     BS_OK,
     {OK_V("I-1", "SO-1", 24150000),
      REFUSED(LEDGER_REFUSAL_WRONG_STATUS, "Invoice not of valid status for modification")}},
    {"{\"Invoices\":[{\"ValidationErrors\":[{\"Message\":\"Invoice # must be unique.\"}]}]}",
     1,
     BS_OK,
     {REFUSED(LEDGER_REFUSAL_DUPLICATE, "Invoice # must be unique.")}},
    {"{\"Invoices\":[{\"ValidationErrors\":[{\"Message\":\"The contact name Acme is already "
     "assigned to another contact.\"}]}]}",
     1,
     BS_OK,
     {REFUSED(LEDGER_REFUSAL_DUPLICATE,
              "The contact name Acme is already assigned to another contact.")}},
    {"{\"Invoices\":[{\"ValidationErrors\":[{\"Message\":\"The document date cannot be before "
     "the period lock date, currently set at 2026-09-30\"}]}]}",
     1,
     BS_OK,
     {REFUSED(LEDGER_REFUSAL_LOCKED_PERIOD, "The document date cannot be before the period "
                                            "lock date, currently set at 2026-09-30")}},
    {"{\"Invoices\":[{\"ValidationErrors\":[{\"Message\":\"Contact with ContactID X could not "
     "be found\"}]}]}",
     1,
     BS_OK,
     {REFUSED(LEDGER_REFUSAL_NOT_FOUND, "Contact with ContactID X could not be found")}},
    /* line-level errors count; the class of anything else is invalid */
    {"{\"Invoices\":[{\"LineItems\":[{\"ValidationErrors\":[{\"Message\":\"Description must be "
     "at least 1 character long\"}]}]}]}",
     1,
     BS_OK,
     {REFUSED(LEDGER_REFUSAL_INVALID, "Description must be at least 1 character long")}},
    /* warnings: accepted, warned, never a refusal class */
    {"{\"Invoices\":[{\"InvoiceID\":\"I-1\",\"Warnings\":[{\"Message\":\"Account code 999 "
     "ignored\"}]}]}",
     1,
     BS_OK,
     {{BS_OK, LEDGER_REFUSAL_NONE, true, "I-1", "", false, 0,
       "warning: Account code 999 ignored"}}},
    /* a warning naming a status is still no refusal */
    {"{\"Invoices\":[{\"InvoiceID\":\"I-1\",\"Warnings\":[{\"Message\":\"not of valid status\"}"
     "]}]}",
     1,
     BS_OK,
     {{BS_OK, LEDGER_REFUSAL_NONE, true, "I-1", "", false, 0, "warning: not of valid status"}}},
    {"{\"Invoices\":[{\"InvoiceNumber\":\"X\"}]}",
     1,
     BS_OK,
     {{BS_EINVAL, LEDGER_REFUSAL_NO_ID, false, "", "X", false, 0,
       "Xero accepted the element but returned no id"}}},
    {"{\"Invoices\":[]}", 1, BS_EPROTO, {{0}}},
    {"{\"Contacts\":[{}]}", 1, BS_EPROTO, {{0}}},
    {"not json", 1, BS_EPROTO, {{0}}},
};

static void check_verdict(size_t i, size_t k, const struct ledger_elem *e, const struct verdict *v)
{
	if (e->status != v->status || e->refusal != v->refusal || e->warned != v->warned ||
	    strcmp(e->id, v->id) != 0 || strcmp(e->number, v->number) != 0 ||
	    e->has_total != v->has_total || (v->has_total && e->total != v->total) ||
	    strcmp(buf_cstr(&e->message), v->message) != 0)
		fail_msg("parse %zu[%zu]: status %d refusal %s warned %d id '%s' number '%s' total "
		         "%d/%lld message '%s'",
		         i, k, e->status, ledger_refusal_name(e->refusal), e->warned, e->id,
		         e->number, e->has_total, (long long)e->total, buf_cstr(&e->message));
}

static void test_parse_response(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct ledger_elem e[2];
		struct bs_error err = {0};
		int rc;

		ledger_elem_init(&e[0]);
		ledger_elem_init(&e[1]);
		rc = xero_parse_response(LEDGER_INVOICE, c->body, strlen(c->body), e, c->n, &err);
		if (rc != c->rc)
			fail_msg("parse %zu: rc %d want %d (%s)", i, rc, c->rc, err.msg);
		for (size_t k = 0; rc == BS_OK && k < c->n; k++)
			check_verdict(i, k, &e[k], &c->v[k]);
		ledger_elem_release(&e[0]);
		ledger_elem_release(&e[1]);
	}
}

/* The registry finds Xero (and QBO) by name and by target; Xero's caps. */
static void test_registry_and_caps(void **state)
{
	const struct ledger_ops *x = ledger_find("xero");
	enum ledger_doc_type t = LEDGER_ITEM;

	(void)state;
	assert_ptr_equal(x, &xero_ledger);
	assert_ptr_equal(ledger_for_target("xero:abc-123"), &xero_ledger);
	assert_non_null(ledger_find("qbo")); /* the second connector */
	assert_string_equal(ledger_find("qbo")->name, "qbo");
	assert_ptr_equal(ledger_for_target("qbo:9341453050071234"), ledger_find("qbo"));
	assert_null(ledger_find(NULL));
	assert_null(ledger_for_target("xero"));
	assert_null(ledger_for_target("nope:1"));
	assert_ptr_equal(ledger_nth(0), &xero_ledger);
	assert_ptr_equal(ledger_nth(1), ledger_find("qbo"));
	assert_null(ledger_nth(2));
	assert_int_equal(x->caps->unit_price_dp, 4);
	assert_int_equal(x->caps->amount_dp, 2);
	assert_int_equal(x->caps->batch_max, 50);
	assert_int_equal(x->caps->bytes_max, 3500000);
	assert_int_equal(x->caps->per_minute, 60);
	assert_int_equal(x->caps->per_day, 5000);
	assert_int_equal(x->caps->concurrent, 5);
	assert_int_equal(x->caps->app_per_minute, 10000);
	assert_string_equal(x->caps->tax_sales, "OUTPUT2");
	assert_string_equal(x->caps->tax_purchases, "INPUT2");
	assert_string_equal(x->caps->tax_none, "NONE");
	assert_false(x->caps->payments_editable);
	assert_false(x->caps->allocations_editable);
	/* a type name parses into the out-param; an unknown one is BS_EINVAL,
	 * never -1 (BS_ENOMEM's neighbour), and leaves it alone */
	assert_int_equal(ledger_doc_type_from_name("Payment", 7, &t), BS_OK);
	assert_int_equal(t, LEDGER_PAYMENT);
	assert_int_equal(ledger_doc_type_from_name("Paymen", 6, &t), BS_EINVAL);
	assert_int_equal(t, LEDGER_PAYMENT);
	assert_int_equal(ledger_doc_type_from_name("Invoices", 8, &t), BS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_map_element),
	    cmocka_unit_test(test_parse_response),
	    cmocka_unit_test(test_registry_and_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
