/*
 * test_qbo_parse.c - QuickBooks Online's answers to per-element verdicts
 * (src/ledger/qbo/qbo_parse.c): /batch answers with mixed Faults, out of
 * order, missing or doubled bIds, a Fault for the whole request; the
 * refusal class of each code; QueryResponses for lookups and SyncTokens.
 * Bodies are written with ' for ".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/money.h"
#include "ledger/qbo/qbo_paper.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *js(const char *s)
{
	char *r = strdup(s);

	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

static void test_refusal_of(void **state)
{
	static const struct {
		const char *code, *msg;
		enum ledger_refusal r;
	} cases[] = {
	    {"6240", "Duplicate Name Exists Error", LEDGER_REFUSAL_DUPLICATE},
	    {"6140", NULL, LEDGER_REFUSAL_DUPLICATE},
	    {"5010", "Stale Object Error", LEDGER_REFUSAL_STALE},
	    {"6070", NULL, LEDGER_REFUSAL_INVALID},
	    {"2020", NULL, LEDGER_REFUSAL_INVALID},
	    {"2050", NULL, LEDGER_REFUSAL_INVALID},
	    {"610", "Object Not Found", LEDGER_REFUSAL_NOT_FOUND},
	    {"2500", NULL, LEDGER_REFUSAL_NOT_FOUND},
	    {"6210", "Account Period Closed", LEDGER_REFUSAL_LOCKED_PERIOD},
	    {"3001", NULL, LEDGER_REFUSAL_RATE_LIMITED},
	    {"6540", NULL, LEDGER_REFUSAL_WRONG_STATUS},
	    {"6000", "This transaction has payments applied: delete or void them first",
	     LEDGER_REFUSAL_WRONG_STATUS},
	    {"6000", "The account period has closed period", LEDGER_REFUSAL_LOCKED_PERIOD},
	    {"6000", "TxnDate is not a date", LEDGER_REFUSAL_INVALID},
	    {"61", NULL, LEDGER_REFUSAL_INVALID}, /* not 610: codes match whole */
	    {NULL, NULL, LEDGER_REFUSAL_INVALID},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		if (qbo_refusal_of(cases[i].code, cases[i].msg) != cases[i].r)
			fail_msg("case %zu (%s): %s", i, cases[i].code ? cases[i].code : "NULL",
			         ledger_refusal_name(qbo_refusal_of(cases[i].code, cases[i].msg)));
}

/* A fault item: bId and one Error. */
#define FAULT(bid, code, detail)                                                                   \
	"{'bId':'" bid "','Fault':{'Error':[{'Message':'m','Detail':'" detail "','code':'" code    \
	"','element':''}],'type':'ValidationFault'}}"

struct want {
	int status;
	enum ledger_refusal refusal;
	const char *id, *number, *message; /* message: a piece of it */
	const char *total;                 /* NULL: none */
};

static const char *const docs[] = {
    "{'op':'create','subtype':'sales'}", "{'op':'create','subtype':'purchases'}",
    "{'op':'create','subtype':'sales'}", "{'op':'create','subtype':'sales'}",
    "{'op':'create','subtype':'sales'}", "{'op':'create','subtype':'sales'}",
    "{'op':'create','subtype':'sales'}", "{'op':'create','subtype':'sales'}",
};

/* Answers out of order: accepted ones with totals, each kind of Fault, an
 * entity without Id, two Errors in one Fault. */
static const char *const mixed =
    "{'BatchItemResponse':["
    "{'bId':'1','Bill':{'Id':'45','DocNumber':'SI-1 + "
    "PO-1','TotalAmt':11.5,'SyncToken':'0'}},"
    "{'bId':'0','Invoice':{'Id':'44','DocNumber':'SO-1','TotalAmt':27."
    "60}}," FAULT("2", "6140", "DocNumber=SO-1 is assigned to TxnType=Invoice with TxnId=44") "," FAULT(
        "3", "5010",
        "Stale "
        "Object") ","
                  "{'bId':'4','Fault':{'Error':[{'Message':'Business "
                  "Validation Error','Detail':'Amount is not "
                  "equal to UnitPrice * Qty. Supplied value:3.02, "
                  "UnitPrice * Qty = 3.01','code':'6070'},{"
                  "'Message':'x','code':'2020'}],'type':'"
                  "ValidationFault'}}," FAULT("5", "6210",
                                              "Account Period "
                                              "Closed") "," FAULT("6", "610",
                                                                  "Object"
                                                                  " Not "
                                                                  "Found") ","
                                                                           "{'bId':'7','"
                                                                           "Invoice':{'"
                                                                           "DocNumber':'SO-8',"
                                                                           "'TotalAmt':1}}"
                                                                           "],'time':'2026-10-"
                                                                           "01T00:00:00.000-"
                                                                           "07:00'}";

static const struct want mixed_want[] = {
    {BS_OK, LEDGER_REFUSAL_NONE, "44", "SO-1", "", "27.60"},
    {BS_OK, LEDGER_REFUSAL_NONE, "45", "SI-1 + PO-1", "", "11.50"},
    {BS_EINVAL, LEDGER_REFUSAL_DUPLICATE, "", "", "6140: DocNumber=SO-1 is assigned", NULL},
    {BS_EINVAL, LEDGER_REFUSAL_STALE, "", "", "5010: Stale Object", NULL},
    {BS_EINVAL, LEDGER_REFUSAL_INVALID, "", "",
     "6070: Amount is not equal to UnitPrice * Qty. Supplied value:3.02, UnitPrice * Qty = "
     "3.01; 2020: x",
     NULL},
    {BS_EINVAL, LEDGER_REFUSAL_LOCKED_PERIOD, "", "", "6210: Account Period Closed", NULL},
    {BS_EINVAL, LEDGER_REFUSAL_NOT_FOUND, "", "", "610: Object Not Found", NULL},
    {BS_EINVAL, LEDGER_REFUSAL_NO_ID, "", "SO-8", "returned no Id", NULL},
};

struct elems {
	struct ledger_elem e[8];
	json_object *doc[8];
	size_t n;
};

static void elems_init(struct elems *b, size_t n)
{
	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		char *s = js(docs[i]);

		ledger_elem_init(&b->e[i]);
		b->doc[i] = b->e[i].doc = json_tokener_parse(s);
		free(s);
	}
	b->n = n;
}

static void elems_free(struct elems *b)
{
	for (size_t i = 0; i < b->n; i++) {
		ledger_elem_release(&b->e[i]);
		json_object_put(b->doc[i]);
	}
}

static int parse(const char *body_q, struct elems *b, struct bs_error *err)
{
	char *body = js(body_q);
	int rc;

	bs_error_clear(err);
	rc = qbo_parse_response(LEDGER_INVOICE, body, strlen(body), b->e, b->n, err);
	free(body);
	return rc;
}

static void test_mixed_batch(void **state)
{
	struct elems b;
	struct bs_error err;

	(void)state;
	elems_init(&b, 8);
	assert_int_equal(parse(mixed, &b, &err), BS_OK);
	for (size_t i = 0; i < N(mixed_want); i++) {
		const struct want *w = &mixed_want[i];
		const struct ledger_elem *e = &b.e[i];

		if (e->status != w->status || e->refusal != w->refusal)
			fail_msg("elem %zu: status %d refusal %s, want %d %s", i, e->status,
			         ledger_refusal_name(e->refusal), w->status,
			         ledger_refusal_name(w->refusal));
		assert_string_equal(e->id, w->id);
		assert_string_equal(e->number, w->number);
		if (strstr(buf_cstr(&e->message), w->message) == NULL)
			fail_msg("elem %zu: message '%s' lacks '%s'", i, buf_cstr(&e->message),
			         w->message);
		assert_false(e->warned);
		if (w->total == NULL) {
			assert_false(e->has_total && e->status == BS_OK);
		} else {
			int64_t t;

			assert_int_equal(money_parse_fixed(w->total, strlen(w->total), 6, 2, &t),
			                 BS_OK);
			assert_true(e->has_total);
			assert_int_equal(e->total, t);
		}
	}
	elems_free(&b);
}

static void test_bad_answers(void **state)
{
	static const struct {
		size_t n;
		const char *body;
		int rc;
		const char *msg;
	} cases[] = {
	    {2, "{'BatchItemResponse':[{'bId':'0','Invoice':{'Id':'1'}}]}", BS_EPROTO,
	     "answered for 1"},
	    {1,
	     "{'BatchItemResponse':[{'bId':'0','Invoice':{'Id':'1'}},{'bId':'0','Invoice':{"
	     "'Id':'1'}}]}",
	     BS_EPROTO, "answered twice"},
	    {1, "{'BatchItemResponse':[{'bId':'5','Invoice':{'Id':'1'}}]}", BS_EPROTO, "bId '5'"},
	    {1, "{'BatchItemResponse':[{'bId':'x0','Invoice':{'Id':'1'}}]}", BS_EPROTO, "bId 'x0'"},
	    {1, "{'Invoice':{'Id':'1'}}", BS_EPROTO, "no BatchItemResponse"},
	    {1, "not json", BS_EPROTO, "not JSON"},
	    {1, "[1,2]", BS_EPROTO, "not JSON"},
	    /* the whole request refused (over 30 items, say) */
	    {1,
	     "{'Fault':{'Error':[{'Message':'m','Detail':'A batch holds 1 to 30 items, this one "
	     "31','code':'6000'}],'type':'ValidationFault'}}",
	     BS_EINVAL, "6000: A batch holds 1 to 30 items"},
	    /* the throttle as a body */
	    {1,
	     "{'Fault':{'Error':[{'Message':'message=ThrottleExceeded','Detail':'The request "
	     "limit was reached','code':'3001'}],'type':'SERVICE'}}",
	     BS_EINVAL, "3001: The request limit was reached"},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct elems b;
		struct bs_error err;
		int rc;

		elems_init(&b, cases[i].n);
		rc = parse(cases[i].body, &b, &err);
		if (rc != cases[i].rc || strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("case %zu: rc %d '%s', want %d '%s'", i, rc, err.msg, cases[i].rc,
			         cases[i].msg);
		elems_free(&b);
	}
}

/* A rate-limit Error anywhere in an item's Fault classes the item so. */
static void test_rate_limit_wins(void **state)
{
	struct elems b;
	struct bs_error err;

	(void)state;
	elems_init(&b, 1);
	assert_int_equal(parse("{'BatchItemResponse':[{'bId':'0','Fault':{'Error':[{'code':'6000',"
	                       "'Detail':'d'},{'code':'3001','Message':'throttled'}]}}]}",
	                       &b, &err),
	                 BS_OK);
	assert_int_equal(b.e[0].refusal, LEDGER_REFUSAL_RATE_LIMITED);
	assert_string_equal(buf_cstr(&b.e[0].message), "6000: d; 3001: throttled");
	elems_free(&b);
}

/* Lookups: keys matched per entity and vendor, one QueryResponse or several. */
static void test_parse_query(void **state)
{
	static const char *const qdocs[] = {
	    "{'op':'create','subtype':'sales','number':'SO-1'}",
	    "{'op':'create','subtype':'purchases','number':'B-1','contact':'Contact/supplier:S'}",
	    "{'op':'create','subtype':'purchases','number':'B-2','contact':'Contact/supplier:S'}",
	    "{'op':'create','subtype':'sales','number':'SO-2'}",
	};
	static const char *const body_batch =
	    "{'BatchItemResponse':[{'bId':'q0','QueryResponse':{'Invoice':[{'Id':'3','DocNumber':"
	    "'SO-1','TotalAmt':10}],'startPosition':1,'maxResults':1}},{'bId':'q1',"
	    "'QueryResponse':{'Bill':[{'Id':'8','DocNumber':'B-1','VendorRef':{'value':'55'},"
	    "'TotalAmt':2.5},{'Id':'9','DocNumber':'B-2','VendorRef':{'value':'66'},'TotalAmt':3}"
	    "]}}]}";
	const char *vendors[4] = {NULL, "55", "55", NULL};
	struct ledger_elem e[4];
	json_object *d[4];
	bool found[4];
	struct bs_error err;
	char *body = js(body_batch), *one;
	struct buf q;
	size_t keyed;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		char *s = js(qdocs[i]);

		ledger_elem_init(&e[i]);
		d[i] = e[i].doc = json_tokener_parse(s);
		free(s);
	}
	assert_int_equal(
	    qbo_parse_query(LEDGER_INVOICE, body, strlen(body), e, 4, vendors, found, &err), BS_OK);
	assert_true(found[0]);
	assert_string_equal(e[0].id, "3");
	assert_int_equal(e[0].total, 10000000);
	assert_true(found[1]);
	assert_string_equal(e[1].id, "8");
	assert_int_equal(e[1].total, 2500000);
	assert_false(found[2]); /* B-2 is another vendor's */
	assert_false(found[3]);
	free(body);

	/* a plain QueryResponse */
	one = js("{'QueryResponse':{'Invoice':[{'Id':'4','DocNumber':'SO-2','TotalAmt':1.1}]}}");
	assert_int_equal(qbo_parse_query(LEDGER_INVOICE, one, strlen(one), e, 4, NULL, found, &err),
	                 BS_OK);
	assert_false(found[0]);
	assert_true(found[3]);
	assert_int_equal(e[3].total, 1100000);
	free(one);

	/* a lookup that failed is not "nothing found" */
	one = js("{'BatchItemResponse':[{'bId':'q0','Fault':{'Error':[{'code':'4000','Detail':"
	         "'Error parsing query'}]}}]}");
	assert_int_equal(qbo_parse_query(LEDGER_INVOICE, one, strlen(one), e, 4, NULL, found, &err),
	                 BS_EPROTO);
	assert_non_null(strstr(err.msg, "4000: Error parsing query"));
	free(one);

	/* the batch of queries for these: one per entity, keys quoted */
	buf_init(&q, 1 << 20);
	assert_int_equal(qbo_lookup_batch(LEDGER_INVOICE, e, 4, &q, &keyed, &err), BS_OK);
	assert_int_equal(keyed, 4);
	assert_string_equal(buf_cstr(&q),
	                    "{\"BatchItemRequest\":[{\"bId\":\"q0\",\"Query\":\"select * from "
	                    "Invoice where DocNumber in ('SO-1','SO-2') maxresults 1000\"},{"
	                    "\"bId\":\"q1\",\"Query\":\"select * from Bill where DocNumber in "
	                    "('B-1','B-2') maxresults 1000\"}]}");
	buf_free(&q);
	for (size_t i = 0; i < 4; i++) {
		ledger_elem_release(&e[i]);
		json_object_put(d[i]);
	}
}

static void test_sync_tokens(void **state)
{
	char *body = js("{'QueryResponse':{'Invoice':[{'Id':'3','SyncToken':'2'},{'Id':'5',"
	                "'SyncToken':'0'}]}}");
	const char *ids[3] = {"5", "7", "3"};
	char tokens[3][LEDGER_ID_MAX];
	struct bs_error err;

	(void)state;
	assert_int_equal(qbo_parse_sync_tokens(body, strlen(body), ids, 3, tokens, &err), BS_OK);
	assert_string_equal(tokens[0], "0");
	assert_string_equal(tokens[1], "");
	assert_string_equal(tokens[2], "2");
	assert_int_equal(qbo_parse_sync_tokens("{}", 2, ids, 3, tokens, &err), BS_EPROTO);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refusal_of),  cmocka_unit_test(test_mixed_batch),
	    cmocka_unit_test(test_bad_answers), cmocka_unit_test(test_rate_limit_wins),
	    cmocka_unit_test(test_parse_query), cmocka_unit_test(test_sync_tokens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
