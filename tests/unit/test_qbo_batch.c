/*
 * test_qbo_batch.c - QuickBooks Online /batch bodies (src/ledger/qbo/
 * qbo_batch.c): bId = index, operation per op and entity (create, sparse
 * update, void as update + optionsData, delete), at most 30 items, a
 * mapping error named by its element; natural keys and markers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ledger/qbo/qbo_paper.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int resolve(void *arg, const char *symbol, char *id)
{
	const char *colon = strchr(symbol, ':');

	(void)arg;
	if (strstr(symbol, "missing") != NULL || colon == NULL)
		return BS_ENOTFOUND;
	snprintf(id, LEDGER_ID_MAX, "#%s", colon + 1);
	return BS_OK;
}

static char *js(const char *s)
{
	char *r = strdup(s);

	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

struct elems {
	struct ledger_elem e[QBO_BATCH_MAX + 1];
	json_object *doc[QBO_BATCH_MAX + 1];
	size_t n;
};

static void elems_init(struct elems *b, const char *const *docs, const char *const *ids, size_t n)
{
	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		char *s = js(docs[i]);

		ledger_elem_init(&b->e[i]);
		b->doc[i] = b->e[i].doc = json_tokener_parse(s);
		b->e[i].ledger_id = ids ? ids[i] : NULL;
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

#define LINE "'lines':[{'quantity':'1','unit_amount':'5.00','account':'200'}]"

static void test_build_ops(void **state)
{
	static const char *const docs[] = {
	    "{'op':'create','self':'Invoice/sale:1','subtype':'sales','contact':'Contact/customer:"
	    "C','number':'S-1','amounts':'none'," LINE "}",
	    "{'op':'update','self':'Invoice/sale:2','subtype':'sales','contact':'Contact/customer:"
	    "C','number':'S-2','amounts':'none'," LINE "}",
	    "{'op':'void','self':'Invoice/sale:3','subtype':'sales'}",
	    "{'op':'void','self':'Invoice/purchase:4','subtype':'purchases'}",
	};
	static const char *const ids[] = {NULL, "12", "13", "14"};
	static const char *const tokens[] = {NULL, "1", "0", "5"};
	struct elems b;
	struct bs_error err;
	struct buf out;
	json_object *o;
	char *want = js(
	    "{'BatchItemRequest':["
	    "{'bId':'0','operation':'create','Invoice':{'CustomerRef':{'value':'#C'},'DocNumber':"
	    "'S-1','PrivateNote':'S-1','GlobalTaxCalculation':'NotApplicable','Line':[{'Amount':"
	    "5.00,'DetailType':'SalesItemLineDetail','SalesItemLineDetail':{'Qty':1,'UnitPrice':"
	    "5.00,'ItemAccountRef':{'value':'#200'}}}]}},"
	    "{'bId':'1','operation':'update','Invoice':{'Id':'12','SyncToken':'1','sparse':true,"
	    "'CustomerRef':{'value':'#C'},'DocNumber':'S-2','PrivateNote':'S-2',"
	    "'GlobalTaxCalculation':'NotApplicable','Line':[{'Amount':5.00,'DetailType':"
	    "'SalesItemLineDetail','SalesItemLineDetail':{'Qty':1,'UnitPrice':5.00,"
	    "'ItemAccountRef':{'value':'#200'}}}]}},"
	    "{'bId':'2','operation':'update','optionsData':'void','Invoice':{'Id':'13',"
	    "'SyncToken':'0'}},"
	    "{'bId':'3','operation':'delete','Bill':{'Id':'14','SyncToken':'5'}}]}");

	(void)state;
	elems_init(&b, docs, ids, N(docs));
	buf_init(&out, 1 << 20);
	assert_int_equal(
	    qbo_batch_build(LEDGER_INVOICE, b.e, b.n, tokens, resolve, NULL, &out, &err), BS_OK);
	assert_string_equal(buf_cstr(&out), want);
	o = json_tokener_parse(buf_cstr(&out));
	assert_non_null(o);
	json_object_put(o);
	buf_free(&out);
	elems_free(&b);
	free(want);
}

static void test_build_bounds(void **state)
{
	const char *docs[QBO_BATCH_MAX + 1];
	struct elems b;
	struct bs_error err;
	struct buf out;
	json_object *o, *arr;

	(void)state;
	for (size_t i = 0; i < N(docs); i++)
		docs[i] = "{'op':'create','self':'Contact/customer:C','name':'Acme'}";
	elems_init(&b, docs, NULL, N(docs));
	buf_init(&out, 1 << 20);
	/* 30 is a batch; its bIds run 0..29 */
	assert_int_equal(
	    qbo_batch_build(LEDGER_CONTACT, b.e, QBO_BATCH_MAX, NULL, resolve, NULL, &out, &err),
	    BS_OK);
	o = json_tokener_parse(buf_cstr(&out));
	assert_true(json_object_object_get_ex(o, "BatchItemRequest", &arr));
	assert_int_equal(json_object_array_length(arr), QBO_BATCH_MAX);
	assert_string_equal(json_object_get_string(
	                        json_object_object_get(json_object_array_get_idx(arr, 29), "bId")),
	                    "29");
	json_object_put(o);
	/* 31 and 0 are not */
	assert_int_equal(qbo_batch_build(LEDGER_CONTACT, b.e, QBO_BATCH_MAX + 1, NULL, resolve,
	                                 NULL, &out, &err),
	                 BS_EINVAL);
	assert_non_null(strstr(err.msg, "1 to 30"));
	assert_int_equal(qbo_batch_build(LEDGER_CONTACT, b.e, 0, NULL, resolve, NULL, &out, &err),
	                 BS_EINVAL);
	buf_free(&out);
	elems_free(&b);
}

/* A document that cannot be mapped fails the build, named by position. */
static void test_build_error_names_element(void **state)
{
	static const char *const docs[] = {
	    "{'op':'create','self':'Invoice/sale:1','subtype':'sales','contact':'Contact/customer:"
	    "C','number':'S-1'," LINE "}",
	    "{'op':'create','self':'Invoice/sale:2','subtype':'sales','contact':'Contact/customer:"
	    "missing','number':'S-2'," LINE "}",
	};
	struct elems b;
	struct bs_error err;
	struct buf out;

	(void)state;
	elems_init(&b, docs, NULL, N(docs));
	buf_init(&out, 1 << 20);
	assert_int_equal(qbo_batch_build(LEDGER_INVOICE, b.e, b.n, NULL, resolve, NULL, &out, &err),
	                 BS_ENOTFOUND);
	assert_non_null(strstr(err.msg, "document 2 of the batch"));
	assert_non_null(strstr(err.msg, "Contact/customer:missing"));
	buf_free(&out);
	elems_free(&b);
}

static void test_natural_keys(void **state)
{
	static const struct {
		enum ledger_doc_type t;
		const char *doc;
		int rc;
		const char *field, *value, *party;
	} cases[] = {
	    {LEDGER_CONTACT, "{'self':'Contact/customer:1','name':'Acme'}", BS_OK, "DisplayName",
	     "Acme", NULL},
	    {LEDGER_ITEM, "{'code':'W-1','name':'Widget'}", BS_OK, "Name", "W-1", NULL},
	    {LEDGER_ITEM, "{'name':'Widget'}", BS_OK, "Name", "Widget", NULL},
	    {LEDGER_INVOICE, "{'subtype':'sales','number':'S-1','contact':'Contact/customer:1'}",
	     BS_OK, "DocNumber", "S-1", NULL},
	    {LEDGER_INVOICE,
	     "{'subtype':'purchases','number':'B-1','contact':'Contact/supplier:2'}", BS_OK,
	     "DocNumber", "B-1", "Contact/supplier:2"},
	    {LEDGER_CREDIT_NOTE,
	     "{'subtype':'purchases','number':'V-1','contact':'Contact/supplier:"
	     "2'}",
	     BS_OK, "DocNumber", "V-1", "Contact/supplier:2"},
	    {LEDGER_PURCHASE_ORDER, "{'number':'PO-1','contact':'Contact/supplier:2'}", BS_OK,
	     "DocNumber", "PO-1", NULL},
	    {LEDGER_INVOICE, "{'subtype':'sales'}", BS_ENOTFOUND, NULL, NULL, NULL},
	    {LEDGER_MANUAL_JOURNAL, "{'narration':'COGS [cogs:2026-10]'}", BS_OK, "PrivateNote",
	     "COGS [cogs:2026-10]", NULL},
	    {LEDGER_BANK_TRANSACTION, "{'self':'BankTransaction/money_task:M-1'}", BS_OK,
	     "PrivateNote", "[booksync BankTransaction/money_task:M-1]", NULL},
	    {LEDGER_PAYMENT, "{'self':'Payment/store_credit:R','document':'CreditNote/x:1'}", BS_OK,
	     "PrivateNote", "[booksync Payment/store_credit:R CreditNote/x:1]", NULL},
	    {LEDGER_ALLOCATION,
	     "{'self':'Allocation/store_credit:U','credit_note':'CreditNote/x:2'}", BS_OK,
	     "PrivateNote", "[booksync Allocation/store_credit:U CreditNote/x:2]", NULL},
	    {LEDGER_PAYMENT, "{'document':'Invoice/sale:1'}", BS_ENOTFOUND, NULL, NULL, NULL},
	};
	struct buf v;

	(void)state;
	buf_init(&v, 8192);
	for (size_t i = 0; i < N(cases); i++) {
		char *s = js(cases[i].doc);
		json_object *doc = json_tokener_parse(s);
		const char *field = NULL, *party = NULL;
		int rc = qbo_natural_key(cases[i].t, doc, &field, &v, &party);

		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d", i, rc);
		if (rc == BS_OK) {
			assert_string_equal(field, cases[i].field);
			assert_string_equal(buf_cstr(&v), cases[i].value);
			if (cases[i].party == NULL)
				assert_null(party);
			else
				assert_string_equal(party, cases[i].party);
		}
		json_object_put(doc);
		free(s);
	}
	buf_free(&v);
}

/* Keys with quotes are escaped in the query; entities are grouped. */
static void test_lookup_batch(void **state)
{
	static const char *const docs[] = {
	    "{'self':'Contact/customer:1','name':'O`Brien \\\\ Sons'}",
	    "{'self':'Contact/supplier:2','name':'Parts'}",
	    "{'self':'Contact/customer:3','name':'Acme'}",
	    "{'self':'Contact/customer:4'}",
	};
	struct elems b;
	struct bs_error err;
	struct buf out;
	size_t keyed;
	json_object *o, *arr;

	(void)state;
	elems_init(&b, docs, NULL, N(docs));
	/* ` stands for a ' inside the JSON string */
	json_object_object_add(b.doc[0], "name", json_object_new_string("O'Brien \\ Sons"));
	buf_init(&out, 1 << 20);
	assert_int_equal(qbo_lookup_batch(LEDGER_CONTACT, b.e, b.n, &out, &keyed, &err), BS_OK);
	assert_int_equal(keyed, 3);
	o = json_tokener_parse(buf_cstr(&out));
	assert_true(json_object_object_get_ex(o, "BatchItemRequest", &arr));
	assert_int_equal(json_object_array_length(arr), 2);
	assert_string_equal(
	    json_object_get_string(
	        json_object_object_get(json_object_array_get_idx(arr, 0), "Query")),
	    "select * from Customer where DisplayName in ('O\\'Brien \\\\ Sons','Acme') maxresults "
	    "1000");
	assert_string_equal(json_object_get_string(
	                        json_object_object_get(json_object_array_get_idx(arr, 1), "Query")),
	                    "select * from Vendor where DisplayName in ('Parts') maxresults 1000");
	json_object_put(o);
	/* none keyed */
	assert_int_equal(qbo_lookup_batch(LEDGER_CONTACT, &b.e[3], 1, &out, &keyed, &err),
	                 BS_ENOTFOUND);
	buf_free(&out);
	elems_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_ops),
	    cmocka_unit_test(test_build_bounds),
	    cmocka_unit_test(test_build_error_names_element),
	    cmocka_unit_test(test_natural_keys),
	    cmocka_unit_test(test_lookup_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
