/*
 * test_sandbox_qbo_sync.c - the QuickBooks Online sandbox's versions and
 * reads: SyncToken on full and sparse updates (a stale one refused),
 * delete and void, requestid idempotency (a replay creates nothing),
 * /query (WHERE, paging, count, ORDERBY), /batch (30 items, a Fault per
 * failing item, earlier items invisible) and /cdc (deleted objects).
 */
#include "test_sandbox_qbo_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define INV(cust, num)                                                                             \
	"{\"CustomerRef\":{\"value\":\"" cust "\"},\"DocNumber\":\"" num "\",\"Line\":[{"          \
	"\"DetailType\":\"SalesItemLineDetail\",\"Amount\":5,\"SalesItemLineDetail\":{}}]}"

static void test_synctoken(void **state)
{
	struct tc t;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	assert_int_equal(
	    qreq(&t, "POST", "customer",
	         "{\"DisplayName\":\"Sync Ltd\",\"CompanyName\":\"Sync\",\"Notes\":\"a\"}"),
	    200);
	assert_string_equal(tc_get(&t, "Customer.SyncToken"), "0");
	assert_string_equal(tc_get(&t, "Customer.domain"), "QBO");
	/* sparse: only what is sent changes */
	assert_int_equal(
	    qreq(&t, "POST", "customer?minorversion=75",
	         "{\"Id\":\"33\",\"SyncToken\":\"0\",\"sparse\":true,\"Notes\":\"b\"}"),
	    200);
	assert_string_equal(tc_get(&t, "Customer.SyncToken"), "1");
	assert_string_equal(tc_get(&t, "Customer.Notes"), "b");
	assert_string_equal(tc_get(&t, "Customer.CompanyName"), "Sync");
	/* the old token is stale now */
	assert_int_equal(
	    qreq(&t, "POST", "customer",
	         "{\"Id\":\"33\",\"SyncToken\":\"0\",\"sparse\":true,\"Notes\":\"c\"}"),
	    400);
	assert_string_equal(qcode(&t), "5010");
	/* full: what is left out is gone */
	assert_int_equal(qreq(&t, "POST", "customer",
	                      "{\"Id\":\"33\",\"SyncToken\":\"1\",\"DisplayName\":\"Sync Ltd\"}"),
	                 200);
	assert_string_equal(tc_get(&t, "Customer.SyncToken"), "2");
	assert_null(tc_get(&t, "Customer.CompanyName"));
	/* MetaData: created stays, updated moves */
	qfc.now_ms += 5000;
	assert_int_equal(
	    qreq(&t, "POST", "customer",
	         "{\"Id\":\"33\",\"SyncToken\":\"2\",\"sparse\":true,\"Notes\":\"d\"}"),
	    200);
	assert_string_equal(tc_get(&t, "Customer.MetaData.CreateTime"),
	                    "2026-01-01T00:00:00.000+00:00");
	assert_string_equal(tc_get(&t, "Customer.MetaData.LastUpdatedTime"),
	                    "2026-01-01T00:00:05.000+00:00");
	/* delete: status Deleted, then gone to reads */
	assert_int_equal(qreq(&t, "POST", "invoice", INV("33", "D-1")), 200);
	assert_int_equal(
	    qreq(&t, "POST", "invoice?operation=delete", "{\"Id\":\"34\",\"SyncToken\":\"1\"}"),
	    400);
	assert_string_equal(qcode(&t), "5010");
	assert_int_equal(
	    qreq(&t, "POST", "invoice?operation=delete", "{\"Id\":\"34\",\"SyncToken\":\"0\"}"),
	    200);
	assert_string_equal(tc_get(&t, "Invoice.status"), "Deleted");
	assert_int_equal(qreq(&t, "GET", "invoice/34", NULL), 400);
	assert_string_equal(qcode(&t), "610");
	/* its number is free again */
	assert_int_equal(qreq(&t, "POST", "invoice", INV("33", "D-1")), 200);
	/* void keeps the document with zero amounts */
	assert_int_equal(
	    qreq(&t, "POST", "invoice?operation=void", "{\"Id\":\"35\",\"SyncToken\":\"0\"}"), 200);
	assert_string_equal(tc_get(&t, "Invoice.TotalAmt"), "0.00");
	assert_string_equal(tc_get(&t, "Invoice.SyncToken"), "1");
	/* bills are deleted, not voided */
	assert_int_equal(
	    qreq(&t, "POST", "bill?operation=void", "{\"Id\":\"1\",\"SyncToken\":\"0\"}"), 400);
	assert_string_equal(qcode(&t), "500");
	tc_stop(&t);
}

static int count_invoices(struct tc *t)
{
	assert_int_equal(qreq(t, "GET", "query?query=select%20count(*)%20from%20Invoice", NULL),
	                 200);
	return atoi(tc_get(t, "QueryResponse.totalCount"));
}

/* DocNumbers are unique without case; a number given up by a sparse update
 * is free again, and a batch sees the numbers before it (the sandbox's
 * by-number hint must never miss one, nor keep one that is gone). */
static void test_docnumber_unique(void **state)
{
	struct tc t;
	char id[32];

	(void)state;
	assert_int_equal(qstart(&t), 0);
	assert_string_equal(qparty(&t, "customer", "Num Ltd"), "33");
	assert_int_equal(qreq(&t, "POST", "invoice", INV("33", "N-1")), 200);
	snprintf(id, sizeof(id), "%s", tc_get(&t, "Invoice.Id"));
	assert_int_equal(qreq(&t, "POST", "invoice", INV("33", "n-1")), 400);
	assert_string_equal(qcode(&t), "6140");
	/* N-1 renumbered N-9: N-1 is free, N-9 (any case) is taken */
	{
		char body[256];

		snprintf(
		    body, sizeof(body),
		    "{\"Id\":\"%s\",\"SyncToken\":\"0\",\"sparse\":true,\"DocNumber\":\"N-9\"}",
		    id);
		assert_int_equal(qreq(&t, "POST", "invoice", body), 200);
		/* the document keeps its own number when it is stored again */
		snprintf(
		    body, sizeof(body),
		    "{\"Id\":\"%s\",\"SyncToken\":\"1\",\"sparse\":true,\"DocNumber\":\"N-9\"}",
		    id);
		assert_int_equal(qreq(&t, "POST", "invoice", body), 200);
	}
	assert_int_equal(qreq(&t, "POST", "invoice", INV("33", "N-1")), 200);
	assert_int_equal(qreq(&t, "POST", "invoice", INV("33", "N-9")), 400);
	assert_string_equal(qcode(&t), "6140");
	assert_int_equal(count_invoices(&t), 2);
	tc_stop(&t);
}

static void test_requestid(void **state)
{
	struct tc t;
	char first[4096];

	(void)state;
	assert_int_equal(qstart(&t), 0);
	assert_string_equal(qparty(&t, "customer", "Req Ltd"), "33");
	assert_int_equal(qreq(&t, "POST", "invoice?requestid=r-1", INV("33", "R-1")), 200);
	snprintf(first, sizeof(first), "%s", buf_cstr(&t.body));
	qfc.now_ms += 1000;
	/* the same id: the first answer again, byte for byte, nothing created */
	assert_int_equal(
	    qreq(&t, "POST", "invoice?requestid=r-1&minorversion=75", INV("33", "R-1")), 200);
	assert_string_equal(buf_cstr(&t.body), first);
	assert_int_equal(count_invoices(&t), 1);
	/* a refusal is replayed too */
	assert_int_equal(qreq(&t, "POST", "invoice?requestid=r-2", INV("33", "R-1")), 400);
	assert_string_equal(qcode(&t), "6140");
	assert_int_equal(qreq(&t, "POST", "invoice?requestid=r-2", INV("33", "R-1")), 400);
	/* another id runs */
	assert_int_equal(qreq(&t, "POST", "invoice?requestid=r-3", INV("33", "R-3")), 200);
	assert_int_equal(count_invoices(&t), 2);
	/* a different request under a used id runs as a new one */
	assert_int_equal(qreq(&t, "POST", "invoice?requestid=r-1", INV("33", "R-4")), 200);
	assert_int_equal(count_invoices(&t), 3);
	/* ids longer than 50 are refused */
	assert_int_equal(
	    qreq(&t, "POST",
	         "invoice?requestid=123456789012345678901234567890123456789012345678901",
	         INV("33", "R-5")),
	    400);
	assert_int_equal(count_invoices(&t), 3);
	tc_stop(&t);
}

static void test_query(void **state)
{
	struct tc t;
	char body[512];

	(void)state;
	assert_int_equal(qstart(&t), 0);
	assert_string_equal(qparty(&t, "customer", "Query Ltd"), "33");
	for (int i = 1; i <= 12; i++) {
		snprintf(body, sizeof(body), INV("33", "Q-%02d"), i);
		assert_int_equal(qreq(&t, "POST", "invoice", body), 200);
		qfc.now_ms += 1000;
	}
	assert_int_equal(qreq(&t, "GET",
	                      "query?query=SELECT%20*%20FROM%20Invoice%20WHERE%20DocNumber%20%3D%20"
	                      "'q-07'",
	                      NULL),
	                 200);
	assert_int_equal(tc_len(&t, "QueryResponse.Invoice"), 1);
	assert_string_equal(tc_get(&t, "QueryResponse.Invoice.0.DocNumber"), "Q-07");
	/* paging: 1-based STARTPOSITION */
	assert_int_equal(qreq(&t, "GET",
	                      "query?query=select%20*%20from%20Invoice%20startposition%2011%20"
	                      "maxresults%205",
	                      NULL),
	                 200);
	assert_int_equal(tc_len(&t, "QueryResponse.Invoice"), 2);
	assert_string_equal(tc_get(&t, "QueryResponse.startPosition"), "11");
	assert_string_equal(tc_get(&t, "QueryResponse.maxResults"), "2");
	/* LastUpdatedTime, IN, ORDERBY DESC, LIKE */
	assert_int_equal(qreq(&t, "GET",
	                      "query?query=select%20*%20from%20Invoice%20where%20"
	                      "MetaData.LastUpdatedTime%20%3E%3D%20'2026-01-01T00:00:10Z'%20"
	                      "orderby%20DocNumber%20desc",
	                      NULL),
	                 200);
	assert_int_equal(tc_len(&t, "QueryResponse.Invoice"), 2);
	assert_string_equal(tc_get(&t, "QueryResponse.Invoice.0.DocNumber"), "Q-12");
	assert_int_equal(qreq(&t, "GET",
	                      "query?query=select%20*%20from%20Invoice%20where%20Id%20in%20('34'%2C"
	                      "'36')%20and%20DocNumber%20like%20'Q-0%25'",
	                      NULL),
	                 200);
	if (tc_len(&t, "QueryResponse.Invoice") != 2)
		fail_msg("%s", buf_cstr(&t.body));
	/* DisplayName on customers, POSTed as application/text */
	assert_int_equal(
	    qreq(&t, "POST", "query", "select * from Customer where DisplayName = 'Query Ltd'"),
	    200);
	assert_string_equal(tc_get(&t, "QueryResponse.Customer.0.Id"), "33");
	/* nothing found: an empty QueryResponse */
	assert_int_equal(qreq(&t, "POST", "query", "select * from Bill where DocNumber = 'x'"),
	                 200);
	assert_string_equal(tc_get(&t, "QueryResponse"), "{ }");
	/* grammar errors: 4000 */
	assert_int_equal(qreq(&t, "POST", "query",
	                      "select * from Invoice where DocNumber = 'a' or DocNumber = 'b'"),
	                 400);
	assert_string_equal(qcode(&t), "4000");
	assert_int_equal(qreq(&t, "POST", "query", "select Id from Invoice"), 400);
	assert_int_equal(qreq(&t, "POST", "query", "select * from Nothing"), 400);
	tc_stop(&t);
}

static void test_batch(void **state)
{
	struct tc t;
	struct buf b;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	assert_string_equal(qparty(&t, "customer", "Batch Ltd"), "33");
	assert_int_equal(
	    qreq(&t, "POST", "batch",
	         "{\"BatchItemRequest\":["
	         "{\"bId\":\"b1\",\"operation\":\"create\",\"Invoice\":" INV(
	             "33",
	             "B-1") "},"
	                    "{\"bId\":\"b2\",\"operation\":\"create\",\"Invoice\":" INV(
	                        "33",
	                        "B-1") "},"
	                               "{\"bId\":\"b3\",\"operation\":\"create\",\"Customer\":{"
	                               "\"DisplayName\":\"New\"}},"
	                               "{\"bId\":\"b4\",\"operation\":\"create\",\"Invoice\":" INV(
	                                   "35", "B-4") "},"
	                                                "{\"bId\":\"b5\",\"Query\":\"select * from "
	                                                "Customer where Id = '33'\"}]}"),
	    200);
	assert_int_equal(tc_len(&t, "BatchItemResponse"), 5);
	assert_string_equal(tc_get(&t, "BatchItemResponse.0.bId"), "b1");
	assert_string_equal(tc_get(&t, "BatchItemResponse.0.Invoice.DocNumber"), "B-1");
	/* the second B-1 fails alone */
	assert_string_equal(tc_get(&t, "BatchItemResponse.1.Fault.Error.0.code"), "6140");
	assert_string_equal(tc_get(&t, "BatchItemResponse.2.Customer.Id"), "35");
	/* an item does not see what an earlier item of the batch created */
	assert_string_equal(tc_get(&t, "BatchItemResponse.3.Fault.Error.0.code"), "2500");
	assert_string_equal(tc_get(&t, "BatchItemResponse.4.QueryResponse.Customer.0.Id"), "33");
	/* update and delete in a batch */
	assert_int_equal(
	    qreq(&t, "POST", "batch",
	         "{\"BatchItemRequest\":[{\"bId\":\"u\",\"operation\":\"update\",\"Customer\":{"
	         "\"Id\":\"33\",\"SyncToken\":\"0\",\"sparse\":true,\"Notes\":\"n\"}},"
	         "{\"bId\":\"d\",\"operation\":\"delete\",\"Invoice\":{\"Id\":\"34\",\"SyncToken\":"
	         "\"0\"}}]}"),
	    200);
	assert_string_equal(tc_get(&t, "BatchItemResponse.0.Customer.SyncToken"), "1");
	assert_string_equal(tc_get(&t, "BatchItemResponse.1.Invoice.status"), "Deleted");
	/* 31 items: refused whole */
	buf_init(&b, 0);
	buf_addstr(&b, "{\"BatchItemRequest\":[");
	for (int i = 0; i < 31; i++)
		buf_printf(&b, "%s{\"bId\":\"%d\",\"Query\":\"select * from Customer\"}",
		           i ? "," : "", i);
	buf_addstr(&b, "]}");
	assert_int_equal(qreq(&t, "POST", "batch", buf_cstr(&b)), 400);
	assert_string_equal(qcode(&t), "6000");
	buf_free(&b);
	tc_stop(&t);
}

static void test_cdc(void **state)
{
	struct tc t;

	(void)state;
	assert_int_equal(qstart(&t), 0);
	assert_string_equal(qparty(&t, "customer", "Cdc Ltd"), "33");
	qfc.now_ms += 60000;
	assert_int_equal(qreq(&t, "POST", "invoice", INV("33", "C-1")), 200);
	assert_int_equal(qreq(&t, "POST", "invoice", INV("33", "C-2")), 200);
	assert_int_equal(
	    qreq(&t, "POST", "invoice?operation=delete", "{\"Id\":\"35\",\"SyncToken\":\"0\"}"),
	    200);
	assert_int_equal(qreq(&t, "GET",
	                      "cdc?entities=Invoice,Customer&changedSince=2026-01-01T00:00:30Z",
	                      NULL),
	                 200);
	assert_int_equal(tc_len(&t, "CDCResponse.0.QueryResponse"), 2);
	assert_int_equal(tc_len(&t, "CDCResponse.0.QueryResponse.0.Invoice"), 2);
	assert_string_equal(tc_get(&t, "CDCResponse.0.QueryResponse.0.Invoice.1.status"),
	                    "Deleted");
	assert_int_equal(tc_len(&t, "CDCResponse.0.QueryResponse.1.Customer"), 0);
	/* more than 30 days back: refused */
	assert_int_equal(qreq(&t, "GET", "cdc?entities=Invoice&changedSince=2025-11-01", NULL),
	                 400);
	assert_int_equal(qreq(&t, "GET", "cdc?entities=Invoice", NULL), 400);
	assert_string_equal(qcode(&t), "2020");
	tc_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_synctoken), cmocka_unit_test(test_docnumber_unique),
	    cmocka_unit_test(test_requestid), cmocka_unit_test(test_query),
	    cmocka_unit_test(test_batch),     cmocka_unit_test(test_cdc),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
