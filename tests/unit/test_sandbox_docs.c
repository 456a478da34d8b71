/*
 * test_sandbox_docs.c - the sandbox's accounting endpoints: create, get,
 * update and the validation rules of Contacts, Items, Invoices, CreditNotes
 * (+ Allocations), Payments, PurchaseOrders, ManualJournals and
 * BankTransactions; where/order/paging/If-Modified-Since; lock dates;
 * editability by status; summarizeErrors.
 */
#include "test_sandbox_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static struct fake_clock fc;

static void start(struct tc *t)
{
	struct sandbox_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.limits = "off";
	cfg.clock.now_ms = fake_now;
	cfg.clock.ctx = &fc;
	fc.now_ms = INT64_C(1767225600000); /* 2026-01-01 */
	assert_int_equal(tc_start(t, &cfg, NULL), 0);
}

static char *dupstr(const char *s)
{
	char *d = strdup(s ? s : "");

	assert_non_null(d);
	return d;
}

/* PUT one authorised ACCREC invoice of `amount` (NoTax) and return its id (malloc). */
static char *make_invoice(struct tc *t, const char *number, const char *contact, const char *amount,
                          const char *status)
{
	char body[1024];

	snprintf(
	    body, sizeof(body),
	    "{\"Invoices\":[{\"Type\":\"ACCREC\",\"InvoiceNumber\":\"%s\",\"Contact\":{\"Name\":"
	    "\"%s\"},\"Date\":\"2026-01-01\",\"Status\":\"%s\",\"LineAmountTypes\":\"NoTax\","
	    "\"LineItems\":[{\"Description\":\"x\",\"Quantity\":1,\"UnitAmount\":%s,"
	    "\"AccountCode\":\"200\"}]}]}",
	    number, contact, status, amount);
	if (tc_api(t, "PUT", "Invoices", body) != 200)
		fail_msg("make_invoice: %ld %s", t->status, buf_cstr(&t->body));
	return dupstr(tc_get(t, "Invoices.0.InvoiceID"));
}

static void test_contacts(void **state)
{
	struct tc t;
	char *id;
	char body[512];

	(void)state;
	start(&t);
	assert_int_equal(
	    tc_api(&t, "PUT", "Contacts",
	           "{\"Contacts\":[{\"Name\":\"Acme Ltd\",\"EmailAddress\":\"a@acme.test\","
	           "\"ContactNumber\":\"C-1\"}]}"),
	    200);
	id = dupstr(tc_get(&t, "Contacts.0.ContactID"));
	assert_string_equal(tc_get(&t, "Contacts.0.ContactStatus"), "ACTIVE");
	assert_non_null(strstr(tc_get(&t, "Contacts.0.UpdatedDateUTC"), "/Date("));
	/* unique names, case-insensitively */
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"ACME LTD\"}]}"),
	                 400);
	assert_string_equal(tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
	                    "The contact name ACME LTD is already assigned to another contact. The "
	                    "contact name must be unique across all active contacts.");
	assert_string_equal(tc_get(&t, "Elements.0.HasValidationErrors"), "true");
	/* update by ID (POST /Contacts/{id}) and archive */
	snprintf(body, sizeof(body), "{\"Contacts\":[{\"ContactStatus\":\"ARCHIVED\"}]}");
	{
		char path[128];

		snprintf(path, sizeof(path), "Contacts/%s", id);
		assert_int_equal(tc_api(&t, "POST", path, body), 200);
		assert_string_equal(tc_get(&t, "Contacts.0.ContactStatus"), "ARCHIVED");
		assert_string_equal(tc_get(&t, "Contacts.0.EmailAddress"), "a@acme.test");
		assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
		assert_string_equal(tc_get(&t, "Contacts.0.Name"), "Acme Ltd");
	}
	/* archived contacts still hold their name */
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"Name\":\"Acme Ltd\"}]}"),
	                 400);
	/* archived are hidden from lists unless asked for */
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 0);
	assert_int_equal(tc_api(&t, "GET", "Contacts?includeArchived=true", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 1);
	/* where by name */
	assert_int_equal(tc_api(&t, "GET",
	                        "Contacts?includeArchived=true&where=Name%3D%3D%22acme%20ltd%22",
	                        NULL),
	                 200);
	assert_int_equal(tc_len(&t, "Contacts"), 1);
	/* no name: refused */
	assert_int_equal(
	    tc_api(&t, "PUT", "Contacts", "{\"Contacts\":[{\"EmailAddress\":\"x@y\"}]}"), 400);
	/* POST with an unknown ContactID */
	assert_int_equal(
	    tc_api(&t, "POST", "Contacts",
	           "{\"Contacts\":[{\"ContactID\":\"00000000-0000-4000-8000-000000000000\","
	           "\"Name\":\"N\"}]}"),
	    400);
	free(id);
	tc_stop(&t);
}

static void test_items(void **state)
{
	struct tc t;
	char path[128];
	char *id;

	(void)state;
	start(&t);
	assert_int_equal(
	    tc_api(&t, "PUT", "Items",
	           "{\"Items\":[{\"Code\":\"WIDGET\",\"Name\":\"Widget\",\"Description\":\"A "
	           "widget\",\"SalesDetails\":{"
	           "\"UnitPrice\":12.5,\"AccountCode\":\"200\",\"TaxType\":\"OUTPUT2\"},"
	           "\"PurchaseDetails\":{\"UnitPrice\":7,\"AccountCode\":\"310\"}}]}"),
	    200);
	id = dupstr(tc_get(&t, "Items.0.ItemID"));
	assert_string_equal(tc_get(&t, "Items.0.SalesDetails.UnitPrice"), "12.50");
	assert_string_equal(tc_get(&t, "Items.0.IsTrackedAsInventory"), "false");
	assert_int_equal(tc_api(&t, "PUT", "Items", "{\"Items\":[{\"Code\":\"widget\"}]}"), 400);
	assert_int_equal(tc_api(&t, "PUT", "Items",
	                        "{\"Items\":[{\"Code\":\"BAD\",\"SalesDetails\":{\"AccountCode\":"
	                        "\"999\"}}]}"),
	                 400);
	assert_string_equal(tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
	                    "Account must be valid.");
	/* an invoice line by ItemCode takes the item's price and account */
	assert_int_equal(tc_api(&t, "PUT", "Invoices",
	                        "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"I\"},"
	                        "\"LineItems\":[{\"ItemCode\":\"WIDGET\",\"Quantity\":2}]}]}"),
	                 200);
	assert_string_equal(tc_get(&t, "Invoices.0.LineItems.0.LineAmount"), "25.00");
	assert_string_equal(tc_get(&t, "Invoices.0.LineItems.0.AccountCode"), "200");
	assert_string_equal(tc_get(&t, "Invoices.0.TotalTax"), "3.75");
	/* update by code via POST, then delete */
	assert_int_equal(tc_api(&t, "POST", "Items",
	                        "{\"Items\":[{\"Code\":\"WIDGET\",\"Name\":\"Widget 2\"}]}"),
	                 200);
	assert_string_equal(tc_get(&t, "Items.0.ItemID"), id);
	assert_string_equal(tc_get(&t, "Items.0.Name"), "Widget 2");
	snprintf(path, sizeof(path), "Items/%s", id);
	assert_int_equal(tc_api(&t, "DELETE", path, NULL), 204);
	assert_int_equal(tc_api(&t, "GET", path, NULL), 404);
	assert_int_equal(tc_api(&t, "PUT", "Items", "{\"Items\":[{\"Code\":\"WIDGET\"}]}"), 200);
	free(id);
	tc_stop(&t);
}

static void test_invoice_lifecycle(void **state)
{
	struct tc t;
	char *id, *pay;
	char path[160], body[1024];

	(void)state;
	start(&t);
	id = make_invoice(&t, "INV-1", "Alpha", "100.00", "AUTHORISED");
	assert_string_equal(tc_get(&t, "Invoices.0.Status"), "AUTHORISED");
	assert_string_equal(tc_get(&t, "Invoices.0.CurrencyRate"), "1.000000");
	assert_string_equal(tc_get(&t, "Invoices.0.DateString"), "2026-01-01T00:00:00");
	/* ACCREC numbers are unique */
	assert_int_equal(tc_api(&t, "PUT", "Invoices",
	                        "{\"Invoices\":[{\"Type\":\"ACCREC\",\"InvoiceNumber\":\"INV-1\","
	                        "\"Contact\":{\"Name\":\"Alpha\"}}]}"),
	                 400);
	assert_string_equal(tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
	                    "Invoice # must be unique.");
	/* ACCPAY numbers are not */
	for (int i = 0; i < 2; i++)
		assert_int_equal(
		    tc_api(&t, "PUT", "Invoices",
		           "{\"Invoices\":[{\"Type\":\"ACCPAY\",\"InvoiceNumber\":\"B-1\","
		           "\"Contact\":{\"Name\":\"Supplier\"}}]}"),
		    200);
	/* GET by id, by number, where */
	snprintf(path, sizeof(path), "Invoices/%s", id);
	assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
	assert_string_equal(tc_get(&t, "Invoices.0.InvoiceNumber"), "INV-1");
	assert_int_equal(tc_api(&t, "GET", "Invoices/INV-1", NULL), 200);
	assert_string_equal(tc_get(&t, "Invoices.0.InvoiceID"), id);
	assert_int_equal(tc_api(&t, "GET", "Invoices?where=InvoiceNumber%3D%3D%22INV-1%22", NULL),
	                 200);
	assert_int_equal(tc_len(&t, "Invoices"), 1);
	assert_int_equal(
	    tc_api(&t, "GET",
	           "Invoices?where=Status%3D%3D%22AUTHORISED%22%20AND%20Type%3D%3D%22ACCREC%22",
	           NULL),
	    200);
	assert_int_equal(tc_len(&t, "Invoices"), 1);
	assert_int_equal(tc_api(&t, "GET", "Invoices?Statuses=DRAFT", NULL), 200);
	assert_int_equal(tc_len(&t, "Invoices"), 2);
	/* a payment larger than the amount due is refused */
	snprintf(
	    body, sizeof(body),
	    "{\"Payments\":[{\"Invoice\":{\"InvoiceID\":\"%s\"},\"Account\":{\"Code\":\"090\"},"
	    "\"Date\":\"2026-01-02\",\"Amount\":100.01}]}",
	    id);
	assert_int_equal(tc_api(&t, "PUT", "Payments", body), 400);
	/* part payment */
	snprintf(body, sizeof(body),
	         "{\"Payments\":[{\"Invoice\":{\"InvoiceNumber\":\"INV-1\"},\"Account\":{\"Code\":"
	         "\"090\"},\"Date\":\"2026-01-02\",\"Amount\":40}]}");
	assert_int_equal(tc_api(&t, "PUT", "Payments", body), 200);
	assert_string_equal(tc_get(&t, "Payments.0.PaymentType"), "ACCRECPAYMENT");
	pay = dupstr(tc_get(&t, "Payments.0.PaymentID"));
	assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
	assert_string_equal(tc_get(&t, "Invoices.0.AmountPaid"), "40.00");
	assert_string_equal(tc_get(&t, "Invoices.0.AmountDue"), "60.00");
	assert_string_equal(tc_get(&t, "Invoices.0.Status"), "AUTHORISED");
	/* a part-paid invoice's total is frozen */
	snprintf(body, sizeof(body),
	         "{\"Invoices\":[{\"LineItems\":[{\"Description\":\"x\",\"Quantity\":1,"
	         "\"UnitAmount\":90,\"AccountCode\":\"200\"}]}]}");
	assert_int_equal(tc_api(&t, "POST", path, body), 400);
	assert_string_equal(tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
	                    "Invoice not of valid status for modification");
	/* ...but a change leaving the total alone is fine */
	assert_int_equal(tc_api(&t, "POST", path, "{\"Invoices\":[{\"Reference\":\"PO 7\"}]}"),
	                 200);
	assert_string_equal(tc_get(&t, "Invoices.0.Reference"), "PO 7");
	/* voiding with a payment is refused */
	assert_int_equal(tc_api(&t, "POST", path, "{\"Invoices\":[{\"Status\":\"VOIDED\"}]}"), 400);
	/* pay the rest: PAID */
	snprintf(
	    body, sizeof(body),
	    "{\"Payments\":[{\"Invoice\":{\"InvoiceID\":\"%s\"},\"Account\":{\"Code\":\"825\"},"
	    "\"Date\":\"2026-01-03\",\"Amount\":60}]}",
	    id);
	assert_int_equal(tc_api(&t, "PUT", "Payments", body), 200);
	assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
	assert_string_equal(tc_get(&t, "Invoices.0.Status"), "PAID");
	assert_string_equal(tc_get(&t, "Invoices.0.AmountDue"), "0.00");
	assert_int_equal(tc_len(&t, "Invoices.0.Payments"), 2);
	/* a payment to a non-bank account without payments enabled */
	assert_int_equal(tc_api(&t, "PUT", "Payments",
	                        "{\"Payments\":[{\"Invoice\":{\"InvoiceNumber\":\"INV-1\"},"
	                        "\"Account\":{\"Code\":\"200\"},\"Amount\":1}]}"),
	                 400);
	/* delete the first payment: back to AUTHORISED with 40 due */
	{
		char ppath[128];

		snprintf(ppath, sizeof(ppath), "Payments/%s", pay);
		if (tc_api(&t, "POST", ppath, "{\"Payments\":[{\"Status\":\"DELETED\"}]}") != 200)
			fail_msg("delete payment: %ld %s", t.status, buf_cstr(&t.body));
		assert_string_equal(tc_get(&t, "Payments.0.Status"), "DELETED");
	}
	assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
	assert_string_equal(tc_get(&t, "Invoices.0.Status"), "AUTHORISED");
	assert_string_equal(tc_get(&t, "Invoices.0.AmountDue"), "40.00");
	assert_int_equal(tc_len(&t, "Invoices.0.Payments"), 1);
	free(id);
	free(pay);
	/* void without payments: fine; then nothing can change it */
	id = make_invoice(&t, "INV-2", "Alpha", "10.00", "AUTHORISED");
	snprintf(path, sizeof(path), "Invoices/%s", id);
	assert_int_equal(tc_api(&t, "POST", path, "{\"Invoices\":[{\"Status\":\"DELETED\"}]}"),
	                 400);
	assert_int_equal(tc_api(&t, "POST", path, "{\"Invoices\":[{\"Status\":\"VOIDED\"}]}"), 200);
	assert_string_equal(tc_get(&t, "Invoices.0.Status"), "VOIDED");
	assert_int_equal(tc_api(&t, "POST", path, "{\"Invoices\":[{\"Reference\":\"x\"}]}"), 400);
	free(id);
	/* a deleted draft frees its number */
	id = make_invoice(&t, "INV-3", "Alpha", "10.00", "DRAFT");
	snprintf(path, sizeof(path), "Invoices/%s", id);
	assert_int_equal(tc_api(&t, "POST", path, "{\"Invoices\":[{\"Status\":\"DELETED\"}]}"),
	                 200);
	free(make_invoice(&t, "INV-3", "Alpha", "10.00", "DRAFT"));
	free(id);
	/* auto numbering */
	assert_int_equal(
	    tc_api(&t, "PUT", "Invoices",
	           "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"A\"}}]}"),
	    200);
	assert_string_equal(tc_get(&t, "Invoices.0.InvoiceNumber"), "INV-0001");
	tc_stop(&t);
}

static void test_lock_dates(void **state)
{
	struct tc t;
	char path[160];

	(void)state;
	start(&t);
	/* a draft dated 2025-12-20, then the lock moves past it: edits are refused */
	{
		char *id = make_invoice(&t, "LOCK-1", "L", "5.00", "DRAFT");
		char ipath[128], spath[160];

		assert_int_equal(tc_api(&t, "POST", "Invoices/LOCK-1",
		                        "{\"Invoices\":[{\"Date\":\"2025-12-20\"}]}"),
		                 200);
		snprintf(spath, sizeof(spath), "/sandbox/tenants/%s/settings", t.tenant);
		assert_int_equal(
		    tc_req(&t, "POST", spath, "{\"PeriodLockDate\":\"2025-12-31\"}", NULL, false),
		    200);
		snprintf(ipath, sizeof(ipath), "Invoices/%s", id);
		assert_int_equal(
		    tc_api(&t, "POST", ipath, "{\"Invoices\":[{\"Reference\":\"late\"}]}"), 400);
		/* deleting it is still allowed */
		assert_int_equal(
		    tc_api(&t, "POST", ipath, "{\"Invoices\":[{\"Status\":\"DELETED\"}]}"), 200);
		free(id);
	}
	snprintf(path, sizeof(path), "/sandbox/tenants/%s/settings", t.tenant);
	assert_int_equal(
	    tc_req(&t, "POST", path, "{\"PeriodLockDate\":\"2025-12-31\"}", NULL, false), 200);
	assert_int_equal(
	    tc_api(&t, "PUT", "Invoices",
	           "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"L\"},"
	           "\"Date\":\"2025-12-31\",\"Status\":\"AUTHORISED\",\"LineItems\":[{"
	           "\"Description\":\"x\",\"Quantity\":1,\"UnitAmount\":1,\"AccountCode\":"
	           "\"200\"}]}]}"),
	    400);
	assert_string_equal(
	    tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
	    "The document date cannot be before the period lock date, currently set "
	    "at 2025-12-31");
	assert_int_equal(
	    tc_api(&t, "PUT", "Invoices",
	           "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"Name\":\"L\"},"
	           "\"Date\":\"2026-01-01\",\"Status\":\"AUTHORISED\",\"LineItems\":[{"
	           "\"Description\":\"x\",\"Quantity\":1,\"UnitAmount\":1,\"AccountCode\":"
	           "\"200\"}]}]}"),
	    200);
	assert_int_equal(
	    tc_req(&t, "POST", path, "{\"EndOfYearLockDate\":\"2026-03-31\"}", NULL, false), 200);
	assert_int_equal(
	    tc_api(&t, "PUT", "ManualJournals",
	           "{\"ManualJournals\":[{\"Narration\":\"n\",\"Date\":\"2026-02-01\","
	           "\"Status\":\"POSTED\",\"JournalLines\":[{\"LineAmount\":5,"
	           "\"AccountCode\":\"429\"},{\"LineAmount\":-5,\"AccountCode\":\"090\"}]}]}"),
	    400);
	assert_string_equal(
	    tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
	    "The document date cannot be before the end of year lock date, currently "
	    "set at 2026-03-31");
	assert_int_equal(tc_api(&t, "GET", "Organisation", NULL), 200);
	assert_non_null(tc_get(&t, "Organisations.0.PeriodLockDate"));
	tc_stop(&t);
}

static void test_credit_notes(void **state)
{
	struct tc t;
	char *inv, *cn;
	char body[1024], path[160];

	(void)state;
	start(&t);
	inv = make_invoice(&t, "INV-9", "Beta", "50.00", "AUTHORISED");
	assert_int_equal(
	    tc_api(&t, "PUT", "CreditNotes",
	           "{\"CreditNotes\":[{\"Type\":\"ACCRECCREDIT\",\"Contact\":{\"Name\":"
	           "\"Beta\"},\"Status\":\"AUTHORISED\",\"LineAmountTypes\":\"NoTax\","
	           "\"LineItems\":[{\"Description\":\"r\",\"Quantity\":1,\"UnitAmount\":20,"
	           "\"AccountCode\":\"200\"}]}]}"),
	    200);
	cn = dupstr(tc_get(&t, "CreditNotes.0.CreditNoteID"));
	assert_string_equal(tc_get(&t, "CreditNotes.0.CreditNoteNumber"), "CN-0001");
	assert_string_equal(tc_get(&t, "CreditNotes.0.RemainingCredit"), "20.00");
	/* credit notes take no discount */
	assert_int_equal(
	    tc_api(&t, "PUT", "CreditNotes",
	           "{\"CreditNotes\":[{\"Type\":\"ACCRECCREDIT\",\"Contact\":{\"Name\":"
	           "\"Beta\"},\"LineItems\":[{\"Description\":\"r\",\"Quantity\":1,"
	           "\"UnitAmount\":20,\"DiscountRate\":10,\"AccountCode\":\"200\"}]}]}"),
	    400);
	snprintf(path, sizeof(path), "CreditNotes/%s/Allocations", cn);
	snprintf(body, sizeof(body),
	         "{\"Allocations\":[{\"Amount\":25,\"Invoice\":{\"InvoiceID\":\"%s\"},\"Date\":"
	         "\"2026-01-05\"}]}",
	         inv);
	assert_int_equal(tc_api(&t, "PUT", path, body), 400); /* more than the credit */
	snprintf(body, sizeof(body),
	         "{\"Allocations\":[{\"Amount\":15,\"Invoice\":{\"InvoiceID\":\"%s\"},\"Date\":"
	         "\"2026-01-05\"}]}",
	         inv);
	assert_int_equal(tc_api(&t, "PUT", path, body), 200);
	assert_string_equal(tc_get(&t, "Allocations.0.Amount"), "15.00");
	snprintf(path, sizeof(path), "Invoices/%s", inv);
	assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
	assert_string_equal(tc_get(&t, "Invoices.0.AmountCredited"), "15.00");
	assert_string_equal(tc_get(&t, "Invoices.0.AmountDue"), "35.00");
	snprintf(path, sizeof(path), "CreditNotes/%s", cn);
	assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
	assert_string_equal(tc_get(&t, "CreditNotes.0.RemainingCredit"), "5.00");
	assert_int_equal(tc_len(&t, "CreditNotes.0.Allocations"), 1);
	/* delete the allocation: credit and amount due come back; then allocate again */
	{
		char apath[256],
		    *aid = dupstr(tc_get(&t, "CreditNotes.0.Allocations.0.AllocationID"));

		snprintf(apath, sizeof(apath), "CreditNotes/%s/Allocations/%s", cn, aid);
		assert_int_equal(tc_api(&t, "DELETE", apath, NULL), 200);
		assert_string_equal(tc_get(&t, "IsDeleted"), "true");
		assert_int_equal(tc_api(&t, "DELETE", apath, NULL), 404);
		assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
		assert_string_equal(tc_get(&t, "CreditNotes.0.RemainingCredit"), "20.00");
		assert_int_equal(tc_len(&t, "CreditNotes.0.Allocations"), 0);
		snprintf(apath, sizeof(apath), "Invoices/%s", inv);
		assert_int_equal(tc_api(&t, "GET", apath, NULL), 200);
		assert_string_equal(tc_get(&t, "Invoices.0.AmountDue"), "50.00");
		assert_string_equal(tc_get(&t, "Invoices.0.AmountCredited"), "0.00");
		snprintf(apath, sizeof(apath), "CreditNotes/%s/Allocations", cn);
		assert_int_equal(tc_api(&t, "PUT", apath, body), 200);
		free(aid);
	}
	/* refund the rest as a payment on the credit note: PAID */
	snprintf(body, sizeof(body),
	         "{\"Payments\":[{\"CreditNote\":{\"CreditNoteID\":\"%s\"},\"Account\":{\"Code\":"
	         "\"090\"},\"Amount\":5}]}",
	         cn);
	assert_int_equal(tc_api(&t, "PUT", "Payments", body), 200);
	assert_string_equal(tc_get(&t, "Payments.0.PaymentType"), "ARCREDITPAYMENT");
	assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
	assert_string_equal(tc_get(&t, "CreditNotes.0.Status"), "PAID");
	free(inv);
	free(cn);
	tc_stop(&t);
}

static void test_purchase_orders(void **state)
{
	struct tc t;
	char *id;
	char path[160];

	(void)state;
	start(&t);
	assert_int_equal(
	    tc_api(&t, "PUT", "PurchaseOrders",
	           "{\"PurchaseOrders\":[{\"PurchaseOrderNumber\":\"PO-7\",\"Contact\":{"
	           "\"Name\":\"Supplier\"},\"DeliveryDate\":\"2026-02-01\",\"Status\":"
	           "\"AUTHORISED\",\"LineItems\":[{\"Description\":\"bolts\",\"Quantity\":"
	           "10,\"UnitAmount\":1.5,\"AccountCode\":\"310\"}]}]}"),
	    200);
	id = dupstr(tc_get(&t, "PurchaseOrders.0.PurchaseOrderID"));
	assert_string_equal(tc_get(&t, "PurchaseOrders.0.Total"), "17.25");
	assert_string_equal(tc_get(&t, "PurchaseOrders.0.DeliveryDateString"),
	                    "2026-02-01T00:00:00");
	assert_int_equal(
	    tc_api(&t, "PUT", "PurchaseOrders",
	           "{\"PurchaseOrders\":[{\"PurchaseOrderNumber\":\"PO-7\",\"Contact\":{"
	           "\"Name\":\"Supplier\"}}]}"),
	    400);
	assert_string_equal(tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
	                    "Order number must be unique");
	snprintf(path, sizeof(path), "PurchaseOrders/%s", id);
	assert_int_equal(tc_api(&t, "POST", path, "{\"PurchaseOrders\":[{\"Status\":\"BILLED\"}]}"),
	                 200);
	assert_string_equal(tc_get(&t, "PurchaseOrders.0.Status"), "BILLED");
	free(id);
	tc_stop(&t);
}

static void test_manual_journals(void **state)
{
	struct tc t;

	(void)state;
	start(&t);
	assert_int_equal(
	    tc_api(&t, "PUT", "ManualJournals",
	           "{\"ManualJournals\":[{\"Narration\":\"COGS\",\"Date\":\"2026-01-02\","
	           "\"Status\":\"POSTED\",\"JournalLines\":[{\"LineAmount\":12.34,"
	           "\"AccountCode\":\"310\"},{\"LineAmount\":-12.34,\"AccountCode\":"
	           "\"630\"}]}]}"),
	    200);
	assert_string_equal(tc_get(&t, "ManualJournals.0.Status"), "POSTED");
	assert_string_equal(tc_get(&t, "ManualJournals.0.ShowOnCashBasisReports"), "true");
	assert_int_equal(tc_len(&t, "ManualJournals.0.JournalLines"), 2);
	/* unbalanced */
	assert_int_equal(tc_api(&t, "PUT", "ManualJournals",
	                        "{\"ManualJournals\":[{\"Narration\":\"x\",\"JournalLines\":[{"
	                        "\"LineAmount\":100,\"AccountCode\":\"429\"},{\"LineAmount\":-10,"
	                        "\"AccountCode\":\"090\"}]}]}"),
	                 400);
	assert_string_equal(tc_get(&t, "Elements.0.ValidationErrors.0.Message"),
	                    "The total debits (100.00) must equal total credits (-10.00)");
	/* an unknown account drops the line with a warning, then the balance fails */
	assert_int_equal(tc_api(&t, "PUT", "ManualJournals?summarizeErrors=false",
	                        "{\"ManualJournals\":[{\"Narration\":\"x\",\"JournalLines\":[{"
	                        "\"LineAmount\":100,\"AccountCode\":\"429\"},{\"LineAmount\":-100,"
	                        "\"AccountCode\":\"999\"}]}]}"),
	                 200);
	assert_string_equal(tc_get(&t, "ManualJournals.0.StatusAttributeString"), "ERROR");
	assert_string_equal(tc_get(&t, "ManualJournals.0.Warnings.0.Message"),
	                    "Account code '999' has been removed as it does not match a recognised "
	                    "account.");
	assert_string_equal(tc_get(&t, "ManualJournals.0.ValidationErrors.0.Message"),
	                    "The total debits (100.00) must equal total credits (0.00)");
	/* narration is required */
	assert_int_equal(
	    tc_api(&t, "PUT", "ManualJournals", "{\"ManualJournals\":[{\"JournalLines\":[]}]}"),
	    400);
	tc_stop(&t);
}

static void test_bank_transactions(void **state)
{
	struct tc t;

	(void)state;
	start(&t);
	assert_int_equal(
	    tc_api(&t, "PUT", "BankTransactions",
	           "{\"BankTransactions\":[{\"Type\":\"SPEND\",\"Contact\":{\"Name\":"
	           "\"Bank\"},\"BankAccount\":{\"Code\":\"090\"},\"Date\":\"2026-01-03\","
	           "\"Reference\":\"fees\",\"LineItems\":[{\"Description\":\"fee\","
	           "\"Quantity\":1,\"UnitAmount\":11.5,\"AccountCode\":\"404\"}]}]}"),
	    200);
	assert_string_equal(tc_get(&t, "BankTransactions.0.Status"), "AUTHORISED");
	assert_string_equal(tc_get(&t, "BankTransactions.0.Total"), "11.50");
	assert_string_equal(tc_get(&t, "BankTransactions.0.BankAccount.Code"), "090");
	/* the bank account must be a BANK account */
	assert_int_equal(
	    tc_api(&t, "PUT", "BankTransactions",
	           "{\"BankTransactions\":[{\"Type\":\"RECEIVE\",\"Contact\":{\"Name\":"
	           "\"Bank\"},\"BankAccount\":{\"Code\":\"200\"},\"LineItems\":[]}]}"),
	    400);
	assert_int_equal(tc_api(&t, "GET", "BankTransactions?where=Type%3D%3D%22SPEND%22", NULL),
	                 200);
	assert_int_equal(tc_len(&t, "BankTransactions"), 1);
	/* a prepayment: the bank transaction names the Prepayment it created */
	assert_int_equal(
	    tc_api(&t, "PUT", "BankTransactions",
	           "{\"BankTransactions\":[{\"Type\":\"RECEIVE-PREPAYMENT\",\"Contact\":{"
	           "\"Name\":\"Bank\"},\"BankAccount\":{\"Code\":\"090\"},\"LineItems\":[{"
	           "\"Description\":\"deposit\",\"Quantity\":1,\"UnitAmount\":40,"
	           "\"AccountCode\":\"200\"}]}]}"),
	    200);
	{
		char path[128];

		snprintf(path, sizeof(path), "Prepayments/%s",
		         tc_get(&t, "BankTransactions.0.PrepaymentID"));
		assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
		assert_string_equal(tc_get(&t, "Prepayments.0.Total"), "46.00");
		assert_string_equal(tc_get(&t, "Prepayments.0.RemainingCredit"), "46.00");
		assert_string_equal(tc_get(&t, "Prepayments.0.Status"), "AUTHORISED");
	}
	/* transfers are not modelled */
	assert_int_equal(
	    tc_api(&t, "PUT", "BankTransactions",
	           "{\"BankTransactions\":[{\"Type\":\"RECEIVE-TRANSFER\",\"Contact\":{"
	           "\"Name\":\"Bank\"},\"BankAccount\":{\"Code\":\"090\"}}]}"),
	    400);
	tc_stop(&t);
}

static void test_summarize_errors(void **state)
{
	struct tc t;
	const char *batch =
	    "{\"Contacts\":[{\"Name\":\"One\"},{\"Name\":\"one\"},{\"Name\":\"Two\"}]}";

	(void)state;
	start(&t);
	/* summarised: 400 and nothing saved */
	assert_int_equal(tc_api(&t, "PUT", "Contacts", batch), 400);
	assert_string_equal(tc_get(&t, "ErrorNumber"), "10");
	assert_int_equal(tc_len(&t, "Elements"), 1);
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 0);
	/* summarizeErrors=false: 200, per-element status, valid siblings saved */
	assert_int_equal(tc_api(&t, "PUT", "Contacts?summarizeErrors=false", batch), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 3);
	assert_string_equal(tc_get(&t, "Contacts.0.StatusAttributeString"), "OK");
	assert_string_equal(tc_get(&t, "Contacts.1.StatusAttributeString"), "ERROR");
	assert_string_equal(tc_get(&t, "Contacts.1.HasValidationErrors"), "true");
	assert_string_equal(tc_get(&t, "Contacts.2.StatusAttributeString"), "OK");
	assert_int_equal(tc_api(&t, "GET", "Contacts", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 2);
	/* not JSON */
	assert_int_equal(tc_api(&t, "PUT", "Contacts", "{\"Contacts\":["), 400);
	tc_stop(&t);
}

static void test_paging_order_ims(void **state)
{
	struct tc t;
	char body[256];
	char *first;

	(void)state;
	start(&t);
	for (int i = 1; i <= 25; i++) {
		snprintf(body, sizeof(body), "{\"Contacts\":[{\"Name\":\"C%02d\"}]}", 26 - i);
		assert_int_equal(tc_api(&t, "PUT", "Contacts", body), 200);
		fc.now_ms += 1000;
	}
	assert_int_equal(tc_api(&t, "GET", "Contacts?page=2&pageSize=10&order=Name%20ASC", NULL),
	                 200);
	assert_int_equal(tc_len(&t, "Contacts"), 10);
	assert_string_equal(tc_get(&t, "Contacts.0.Name"), "C11");
	assert_string_equal(tc_get(&t, "pagination.page"), "2");
	assert_string_equal(tc_get(&t, "pagination.pageCount"), "3");
	assert_string_equal(tc_get(&t, "pagination.itemCount"), "25");
	assert_int_equal(tc_api(&t, "GET", "Contacts?page=3&pageSize=10&order=Name%20DESC", NULL),
	                 200);
	assert_int_equal(tc_len(&t, "Contacts"), 5);
	assert_string_equal(tc_get(&t, "Contacts.4.Name"), "C01");
	/* If-Modified-Since: only the last 5 (created at +20 s .. +24 s) */
	{
		const char *extra[] = {"If-Modified-Since: 2026-01-01T00:00:19", NULL};

		assert_int_equal(tc_req(&t, "GET", "/api.xro/2.0/Contacts", NULL, extra, true),
		                 200);
		assert_int_equal(tc_len(&t, "Contacts"), 5);
	}
	{
		const char *extra[] = {"If-Modified-Since: Thu, 01 Jan 2026 00:00:19 GMT", NULL};

		assert_int_equal(tc_req(&t, "GET", "/api.xro/2.0/Contacts", NULL, extra, true),
		                 200);
		assert_int_equal(tc_len(&t, "Contacts"), 5);
	}
	/* IDs filter */
	assert_int_equal(tc_api(&t, "GET", "Contacts?where=Name.StartsWith(%22C0%22)", NULL), 200);
	assert_int_equal(tc_len(&t, "Contacts"), 9);
	first = dupstr(tc_get(&t, "Contacts.0.ContactID"));
	{
		char path[256];

		snprintf(path, sizeof(path), "Contacts?IDs=%s", first);
		assert_int_equal(tc_api(&t, "GET", path, NULL), 200);
		assert_int_equal(tc_len(&t, "Contacts"), 1);
	}
	/* a where that does not parse */
	assert_int_equal(tc_api(&t, "GET", "Contacts?where=Name%3D%3D", NULL), 400);
	free(first);
	tc_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_contacts),          cmocka_unit_test(test_items),
	    cmocka_unit_test(test_invoice_lifecycle), cmocka_unit_test(test_lock_dates),
	    cmocka_unit_test(test_credit_notes),      cmocka_unit_test(test_purchase_orders),
	    cmocka_unit_test(test_manual_journals),   cmocka_unit_test(test_bank_transactions),
	    cmocka_unit_test(test_summarize_errors),  cmocka_unit_test(test_paging_order_ims),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
