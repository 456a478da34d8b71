/*
 * test_qbo_push.c - the QuickBooks Online connector end to end against the
 * in-process QBO sandbox: every entity booksync posts goes through
 * qbo_push (mapping, /batch under a requestid, parsing), and is checked
 * against what the sandbox holds (ids, TotalAmt to the cent); then void,
 * sparse update with SyncToken, requestid replay, duplicate numbers,
 * natural-key lookups, allocations and document status.
 *
 * Accounts and tax codes are read from the sandbox's default company the
 * way connect saves them ({"code","id","name"}), so the refs are real.
 */
#include "test_sandbox_qbo_util.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/money.h"
#include "ledger/qbo/qbo.h"
#include "ledger/qbo/qbo_paper.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* the symbols posted so far */

#define MAX_SYMS 64

static struct {
	char sym[LEDGER_SYMBOL_MAX];
	char id[LEDGER_ID_MAX];
} syms[MAX_SYMS];
static size_t nsyms;

static int resolve(void *arg, const char *symbol, char *id)
{
	(void)arg;
	for (size_t i = 0; i < nsyms; i++)
		if (strcmp(syms[i].sym, symbol) == 0) {
			snprintf(id, LEDGER_ID_MAX, "%s", syms[i].id);
			return BS_OK;
		}
	return BS_ENOTFOUND;
}

static void link_sym(const char *sym, const char *id)
{
	assert_true(nsyms < MAX_SYMS);
	snprintf(syms[nsyms].sym, sizeof(syms[nsyms].sym), "%s", sym);
	snprintf(syms[nsyms].id, sizeof(syms[nsyms].id), "%s", id);
	nsyms++;
}

/* s with ' made " (malloc'd). */
static char *js(const char *s)
{
	char *r = strdup(s);

	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

/* ------------------------------------------------------------------ */
/* connection */

/* The company's list of `ent` as connect saves it: [{code,id,name}]. */
static char *saved_list(struct tc *t, const char *ent, const char *code_field)
{
	char path[256];
	json_object *arr = json_object_new_array(), *list;
	char *s;

	snprintf(path, sizeof(path), "query?query=select%%20*%%20from%%20%s%%20maxresults%%201000",
	         ent);
	assert_int_equal(qreq(t, "GET", path, NULL), 200);
	assert_true(json_object_object_get_ex(json_object_object_get(t->json, "QueryResponse"), ent,
	                                      &list));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i), *o = json_object_new_object();
		const char *code = json_object_get_string(json_object_object_get(e, code_field));

		json_object_object_add(o, "code", json_object_new_string(code ? code : ""));
		json_object_object_add(o, "id", json_object_get(json_object_object_get(e, "Id")));
		json_object_object_add(o, "name",
		                       json_object_get(json_object_object_get(e, "Name")));
		json_object_array_add(arr, o);
	}
	s = strdup(json_object_to_json_string(arr));
	json_object_put(arr);
	return s;
}

static struct qbo_conn *connect_to(struct tc *t)
{
	char *chart = saved_list(t, "Account", "AcctNum"), *tax = saved_list(t, "TaxCode", "Name");
	char api[256];
	struct ledger_conn_config cfg;
	struct qbo_conn *q = NULL;
	struct bs_error err;

	snprintf(api, sizeof(api), "%s/v3/company", t->url);
	memset(&cfg, 0, sizeof(cfg));
	cfg.api_base = api;
	cfg.tenant_id = t->tenant;
	cfg.access_token = t->token;
	cfg.chart = chart;
	cfg.tax_rates = tax;
	if (qbo_conn_new(&cfg, &q, &err) != BS_OK)
		fail_msg("qbo_conn_new: %s", err.msg);
	free(chart);
	free(tax);
	return q;
}

/* ------------------------------------------------------------------ */
/* pushing */

struct batch {
	struct ledger_elem e[QBO_BATCH_MAX];
	json_object *doc[QBO_BATCH_MAX];
	size_t n;
};

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		ledger_elem_release(&b->e[i]);
		json_object_put(b->doc[i]);
	}
	b->n = 0;
}

/* Push docs (' for ") as one batch; returns qbo_push's status.  Each
 * accepted element's self is linked to its id. */
static int push(struct qbo_conn *q, enum ledger_doc_type type, const char *const *docs, size_t n,
                const char *const *ledger_ids, const char *key, struct batch *b,
                struct bs_error *err)
{
	struct ledger_call call;
	int rc;

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		char *s = js(docs[i]);

		ledger_elem_init(&b->e[i]);
		b->doc[i] = json_tokener_parse(s);
		if (b->doc[i] == NULL)
			fail_msg("doc %zu is not JSON: %s", i, s);
		b->e[i].doc = b->doc[i];
		b->e[i].ledger_id = ledger_ids ? ledger_ids[i] : NULL;
		free(s);
	}
	b->n = n;
	bs_error_clear(err);
	rc = qbo_push(q, type, b->e, n, key, resolve, NULL, &call, err);
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		const char *self =
		    json_object_get_string(json_object_object_get(b->doc[i], "self"));
		const char *op = json_object_get_string(json_object_object_get(b->doc[i], "op"));

		if (b->e[i].status == BS_OK && self != NULL && strcmp(op, "create") == 0)
			link_sym(self, b->e[i].id);
	}
	return rc;
}

/* Push and expect every element accepted; the totals of want_totals
 * (decimal text, NULL to skip) checked to the cent. */
static void push_ok(struct qbo_conn *q, enum ledger_doc_type type, const char *const *docs,
                    size_t n, const char *const *want_totals, const char *key)
{
	struct batch b;
	struct bs_error err;
	int rc = push(q, type, docs, n, NULL, key, &b, &err);

	if (rc != BS_OK)
		fail_msg("push %s: %d %s", ledger_doc_type_name(type), rc, err.msg);
	for (size_t i = 0; i < n; i++) {
		if (b.e[i].status != BS_OK)
			fail_msg("%s %zu refused (%s): %s", ledger_doc_type_name(type), i,
			         ledger_refusal_name(b.e[i].refusal), buf_cstr(&b.e[i].message));
		assert_true(b.e[i].id[0] != '\0');
		if (want_totals != NULL && want_totals[i] != NULL) {
			int64_t want;

			assert_int_equal(money_parse_fixed(want_totals[i], strlen(want_totals[i]),
			                                   MONEY_DP, 2, &want),
			                 BS_OK);
			assert_true(b.e[i].has_total);
			if (b.e[i].total != want)
				fail_msg("%s %zu: TotalAmt %lld micros, want %s",
				         ledger_doc_type_name(type), i, (long long)b.e[i].total,
				         want_totals[i]);
		}
	}
	batch_free(&b);
}

/* How many `ent` the sandbox holds. */
static int count_of(struct tc *t, const char *ent)
{
	char path[256];

	snprintf(path, sizeof(path), "query?query=select%%20count(*)%%20from%%20%s", ent);
	assert_int_equal(qreq(t, "GET", path, NULL), 200);
	return json_object_get_int(
	    json_object_object_get(json_object_object_get(t->json, "QueryResponse"), "totalCount"));
}

/* ------------------------------------------------------------------ */
/* the documents */

static const char *const contacts[] = {
    "{'op':'create','self':'Contact/customer:C-1','name':'Acme Ltd','email':'a@acme.nz'}",
    "{'op':'create','self':'Contact/supplier:S-1','name':'Parts Co','tax_number':'12-345'}",
};

static const char *const items[] = {
    "{'op':'create','self':'Item/product:P-1','code':'W-1','name':'Widget','sales_account':"
    "'200','purchase_account':'510'}",
};

static const char *const pos[] = {
    "{'op':'create','self':'PurchaseOrder/purchase:PO-8','subtype':'purchases','contact':"
    "'Contact/supplier:S-1','number':'PO-8','date':'2026-10-01','amounts':'exclusive',"
    "'lines':[{'description':'Nuts','quantity':'4','unit_amount':'2.50','account':'510',"
    "'tax_type':'GST'}]}",
};

/* 21.00 + 3.01 (3 x 1.115 less 10%) - 0.01, GST 15% on 24.01 = 3.60 */
static const char *const invoices[] = {
    "{'op':'create','self':'Invoice/sale:SO-1','subtype':'sales','contact':"
    "'Contact/customer:C-1','number':'SO-1','date':'2026-10-01','amounts':'exclusive',"
    "'lines':[{'description':'Widget','quantity':'2','unit_amount':'10.50','account':'200',"
    "'tax_type':'GST'},{'description':'Filters','quantity':'3','unit_amount':'1.115',"
    "'discount_rate':'10','account':'200','tax_type':'GST'},{'description':'Rounding "
    "correction','quantity':'1','unit_amount':'-0.01','account':'860','tax_type':'Out of "
    "Scope'}]}",
    "{'op':'create','self':'Invoice/sale:SO-2','subtype':'sales','contact':"
    "'Contact/customer:C-1','number':'SO-2','date':'2026-10-02','amounts':'inclusive',"
    "'lines':[{'description':'Widget','quantity':'1','unit_amount':'23.00','account':'200',"
    "'tax_type':'GST'}]}",
    /* a price whose product does not hold: 1 x 0.00 after the rewrite */
    "{'op':'create','self':'Invoice/sale:SO-3','subtype':'sales','contact':"
    "'Contact/customer:C-1','number':'SO-3','date':'2026-10-02','amounts':'none',"
    "'lines':[{'description':'Dust','quantity':'0.5','unit_amount':'0.009999','account':"
    "'200'},{'description':'Bolts','quantity':'1000','unit_amount':'0.123457',"
    "'discount_rate':'12.5','account':'200'}]}",
    /* the bill of PO-8, its reference whole in PrivateNote */
    "{'op':'create','self':'Invoice/purchase:PO-8','subtype':'purchases','contact':"
    "'Contact/supplier:S-1','number':'SI-99 + PO-8','reference':'SI-99 + PO-8 (Parts Co "
    "invoice 99 for purchase order 8)','date':'2026-10-05','amounts':'exclusive',"
    "'purchase_order':'PurchaseOrder/purchase:PO-8','lines':[{'description':'Nuts',"
    "'quantity':'4','unit_amount':'2.50','account':'510','tax_type':'GST'}]}",
};
static const char *const invoice_totals[] = {"27.60", "23.00", "108.02", "11.50"};

static const char *const credits[] = {
    "{'op':'create','self':'CreditNote/store_credit:SC-1','subtype':'sales','contact':"
    "'Contact/customer:C-1','number':'SC-1','date':'2026-10-03','amounts':'none','lines':[{"
    "'description':'Store credit','quantity':'1','unit_amount':'5.00','account':'200',"
    "'tax_type':'Out of Scope'}]}",
    "{'op':'create','self':'CreditNote/credit_note:VC-1','subtype':'purchases','contact':"
    "'Contact/supplier:S-1','number':'VC-1','date':'2026-10-06','amounts':'exclusive',"
    "'lines':[{'description':'Returned nuts','quantity':'1','unit_amount':'2.50','account':"
    "'510','tax_type':'GST'}]}",
};
static const char *const credit_totals[] = {"5.00", "2.88"};

static const char *const journals[] = {
    "{'op':'create','self':'ManualJournal/gift_voucher:GV-1','date':'2026-10-07',"
    "'narration':'Gift voucher GV-1 sold [gift_voucher:GV-1]','lines':[{'account':'090',"
    "'amount':'50.00'},{'account':'825','amount':'-50.00'}]}",
};

static const char *const banks[] = {
    "{'op':'create','self':'BankTransaction/money_task:MT-1','direction':'receive',"
    "'contact_name':'booksync money tasks','bank_account':'090','reference':'MT-1','date':"
    "'2026-10-08','amounts':'exclusive','lines':[{'description':'Interest','account':'404',"
    "'amount':'12.00','tax_type':'Out of Scope'}]}",
    "{'op':'create','self':'BankTransaction/money_task:MT-2','direction':'spend','contact':"
    "'Contact/supplier:S-1','bank_account':'090','reference':'MT-2','date':'2026-10-08',"
    "'amounts':'exclusive','lines':[{'description':'Stationery','account':'429','amount':"
    "'20.00','tax_type':'GST'}]}",
};
static const char *const bank_totals[] = {"12.00", "23.00"};

static const char *const payments[] = {
    "{'op':'create','self':'Payment/payment:PAY-1','document':'Invoice/sale:SO-1','contact':"
    "'Contact/customer:C-1','account':'090','amount':'27.60','date':'2026-10-09'}",
    "{'op':'create','self':'Payment/payment:PAY-2','document':'Invoice/purchase:PO-8',"
    "'contact':'Contact/supplier:S-1','account':'090','amount':'11.50','date':'2026-10-09'}",
    "{'op':'create','self':'Payment/gift_voucher:GV-2','document':'Invoice/sale:SO-2',"
    "'contact':'Contact/customer:C-1','account':'825','amount':'10.00','date':'2026-10-09'}",
    "{'op':'create','self':'Payment/payment:PAY-3','document':'CreditNote/credit_note:VC-1',"
    "'contact':'Contact/supplier:S-1','account':'090','amount':'2.88','date':'2026-10-10'}",
    "{'op':'create','self':'Payment/store_credit:SC-2','document':"
    "'CreditNote/store_credit:SC-1','contact':'Contact/customer:C-1','account':'090',"
    "'amount':'1.00','date':'2026-10-10'}",
};
static const char *const payment_totals[] = {"27.60", "11.50", "10.00", "2.88", "1.00"};

static const char *const allocations[] = {
    "{'op':'create','self':'Allocation/store_credit:SU-1','credit_note':"
    "'CreditNote/store_credit:SC-1','invoice':'Invoice/sale:SO-2','contact':"
    "'Contact/customer:C-1','amount':'4.00','date':'2026-10-11'}",
};

/* ------------------------------------------------------------------ */

static void test_every_entity(void **state)
{
	struct tc t;
	struct qbo_conn *q;
	struct batch b;
	struct bs_error err;
	const char *ids[1];
	char id[LEDGER_ID_MAX], pay_id[LEDGER_ID_MAX];
	enum ledger_doc_status st;
	struct ledger_call call;

	(void)state;
	nsyms = 0;
	assert_int_equal(qstart(&t), 0);
	q = connect_to(&t);

	push_ok(q, LEDGER_CONTACT, contacts, N(contacts), NULL, "k-contacts");
	assert_int_equal(count_of(&t, "Customer"), 1);
	assert_int_equal(count_of(&t, "Vendor"), 1);
	push_ok(q, LEDGER_ITEM, items, N(items), NULL, "k-items");
	push_ok(q, LEDGER_PURCHASE_ORDER, pos, N(pos), (const char *const[]){"11.50"}, "k-pos");
	push_ok(q, LEDGER_INVOICE, invoices, N(invoices), invoice_totals, "k-invoices");
	assert_int_equal(count_of(&t, "Invoice"), 3);
	assert_int_equal(count_of(&t, "Bill"), 1);
	/* the bill's whole reference is its PrivateNote */
	assert_int_equal(resolve(NULL, "Invoice/purchase:PO-8", id), BS_OK);
	{
		char path[128];

		snprintf(path, sizeof(path), "bill/%s", id);
		assert_int_equal(qreq(&t, "GET", path, NULL), 200);
		assert_string_equal(tc_get(&t, "Bill.PrivateNote"),
		                    "SI-99 + PO-8 (Parts Co invoice 99 for purchase order 8)");
		assert_string_equal(tc_get(&t, "Bill.DocNumber"), "SI-99 + PO-8");
	}
	push_ok(q, LEDGER_CREDIT_NOTE, credits, N(credits), credit_totals, "k-credits");
	push_ok(q, LEDGER_MANUAL_JOURNAL, journals, N(journals), (const char *const[]){"0.00"},
	        "k-journals");
	push_ok(q, LEDGER_BANK_TRANSACTION, banks, N(banks), bank_totals, "k-banks");
	assert_int_equal(count_of(&t, "Deposit"), 1);
	push_ok(q, LEDGER_PAYMENT, payments, N(payments), payment_totals, "k-payments");
	assert_int_equal(count_of(&t, "Payment"), 2);
	assert_int_equal(count_of(&t, "BillPayment"), 1);
	assert_int_equal(count_of(&t, "Deposit"), 2);
	assert_int_equal(count_of(&t, "Purchase"), 2);
	push_ok(q, LEDGER_ALLOCATION, allocations, N(allocations), (const char *const[]){"0.00"},
	        "k-allocs");
	/* SO-1 paid in full; SO-2: 23.00 - 10.00 voucher - 4.00 credit */
	assert_int_equal(resolve(NULL, "Invoice/sale:SO-2", id), BS_OK);
	{
		char path[128];

		snprintf(path, sizeof(path), "invoice/%s", id);
		assert_int_equal(qreq(&t, "GET", path, NULL), 200);
		assert_string_equal(tc_get(&t, "Invoice.Balance"), "9.00");
	}

	/* the credit memo's allocation reads back */
	{
		struct ledger_allocation *al = NULL;
		size_t n = 0;
		char cm[LEDGER_ID_MAX];

		assert_int_equal(resolve(NULL, "CreditNote/store_credit:SC-1", cm), BS_OK);
		assert_int_equal(qbo_allocations(q, cm, &al, &n, &call, &err), BS_OK);
		assert_int_equal(n, 1);
		assert_string_equal(al[0].invoice_id, id);
		assert_int_equal(al[0].amount, 4000000);
		free(al);
	}

	/* void a payment: its SyncToken is read, the void goes through */
	assert_int_equal(resolve(NULL, "Payment/payment:PAY-1", pay_id), BS_OK);
	ids[0] = pay_id;
	assert_int_equal(push(q, LEDGER_PAYMENT,
	                      (const char *const[]){"{'op':'void','self':'Payment/payment:PAY-1',"
	                                            "'document':'Invoice/sale:SO-1','contact':"
	                                            "'Contact/customer:C-1'}"},
	                      1, ids, "k-void", &b, &err),
	                 BS_OK);
	assert_int_equal(b.e[0].status, BS_OK);
	batch_free(&b);
	assert_int_equal(qbo_doc_status(q, LEDGER_PAYMENT, pay_id, &st, &call, &err), BS_OK);
	assert_int_equal(st, LEDGER_DOC_VOIDED);
	assert_int_equal(resolve(NULL, "Invoice/sale:SO-1", id), BS_OK);
	assert_int_equal(qbo_doc_status(q, LEDGER_INVOICE, id, &st, &call, &err), BS_OK);
	assert_int_equal(st, LEDGER_DOC_LIVE);
	assert_int_equal(qbo_doc_status(q, LEDGER_INVOICE, "99999", &st, &call, &err),
	                 BS_ENOTFOUND);

	/* the purchase order marked billed: a sparse update closes it */
	assert_int_equal(resolve(NULL, "PurchaseOrder/purchase:PO-8", id), BS_OK);
	ids[0] = id;
	assert_int_equal(push(q, LEDGER_PURCHASE_ORDER,
	                      (const char *const[]){"{'op':'status','self':"
	                                            "'PurchaseOrder/purchase:PO-8','status':"
	                                            "'BILLED'}"},
	                      1, ids, "k-billed", &b, &err),
	                 BS_OK);
	assert_int_equal(b.e[0].status, BS_OK);
	batch_free(&b);
	{
		char path[128];

		snprintf(path, sizeof(path), "purchaseorder/%s", id);
		assert_int_equal(qreq(&t, "GET", path, NULL), 200);
		assert_string_equal(tc_get(&t, "PurchaseOrder.POStatus"), "Closed");
		/* one candidate entity: a GET of /query */
		assert_int_equal(qbo_doc_status(q, LEDGER_PURCHASE_ORDER, id, &st, &call, &err),
		                 BS_OK);
		assert_int_equal(st, LEDGER_DOC_LIVE);
		assert_int_equal(qbo_doc_status(q, LEDGER_PURCHASE_ORDER, "1x", &st, &call, &err),
		                 BS_ENOTFOUND);
		assert_string_equal(tc_get(&t, "PurchaseOrder.DocNumber"), "PO-8");
	}

	/* two entities in one batch of voids: each one's SyncToken is read; a
	 * paid bill cannot be deleted (wrong status), the invoice is voided */
	{
		char inv[LEDGER_ID_MAX], bill[LEDGER_ID_MAX];
		const char *vids[2] = {inv, bill};

		assert_int_equal(resolve(NULL, "Invoice/sale:SO-3", inv), BS_OK);
		assert_int_equal(resolve(NULL, "Invoice/purchase:PO-8", bill), BS_OK);
		assert_int_equal(
		    push(q, LEDGER_INVOICE,
		         (const char *const[]){
		             "{'op':'void','self':'Invoice/sale:SO-3','subtype':'sales'}",
		             "{'op':'void','self':'Invoice/purchase:PO-8','subtype':"
		             "'purchases'}"},
		         2, vids, "k-voids", &b, &err),
		    BS_OK);
		assert_int_equal(b.e[0].status, BS_OK);
		assert_int_equal(b.e[1].status, BS_EINVAL);
		assert_int_equal(b.e[1].refusal, LEDGER_REFUSAL_WRONG_STATUS);
		batch_free(&b);
		assert_int_equal(qbo_doc_status(q, LEDGER_INVOICE, inv, &st, &call, &err), BS_OK);
		assert_int_equal(st, LEDGER_DOC_VOIDED);
	}

	/* a number taken: refused as a duplicate, with QBO's code */
	assert_int_equal(push(q, LEDGER_INVOICE,
	                      (const char *const[]){
	                          "{'op':'create','self':'Invoice/sale:SO-9','subtype':'sales',"
	                          "'contact':'Contact/customer:C-1','number':'SO-1','lines':[{"
	                          "'quantity':'1','unit_amount':'1','account':'200'}]}",
	                          "{'op':'create','self':'Invoice/sale:SO-10','subtype':'sales',"
	                          "'contact':'Contact/customer:C-1','number':'SO-10','lines':[{"
	                          "'quantity':'1','unit_amount':'1','account':'200'}]}"},
	                      2, NULL, "k-dup", &b, &err),
	                 BS_OK);
	assert_int_equal(b.e[0].status, BS_EINVAL);
	assert_int_equal(b.e[0].refusal, LEDGER_REFUSAL_DUPLICATE);
	assert_non_null(strstr(buf_cstr(&b.e[0].message), "6140: "));
	assert_int_equal(b.e[1].status, BS_OK);
	batch_free(&b);

	/* the same request id again: the first answer, nothing created */
	{
		int before = count_of(&t, "Invoice");

		assert_int_equal(
		    push(q, LEDGER_INVOICE,
		         (const char *const[]){
		             "{'op':'create','self':'Invoice/sale:SO-9','subtype':"
		             "'sales','contact':'Contact/customer:C-1','number':'SO-1',"
		             "'lines':[{'quantity':'1','unit_amount':'1','account':"
		             "'200'}]}",
		             "{'op':'create','self':'Invoice/sale:SO-10','subtype':"
		             "'sales','contact':'Contact/customer:C-1','number':"
		             "'SO-10','lines':[{'quantity':'1','unit_amount':'1',"
		             "'account':'200'}]}"},
		         2, NULL, "k-dup", &b, &err),
		    BS_OK);
		assert_int_equal(b.e[1].status, BS_OK);
		assert_int_equal(resolve(NULL, "Invoice/sale:SO-10", id), BS_OK);
		assert_string_equal(b.e[1].id, id);
		assert_int_equal(count_of(&t, "Invoice"), before);
		batch_free(&b);
	}

	/* a reference over 21 characters never reaches QBO: refused alone,
	 * the other document of the batch goes through */
	{
		int before = count_of(&t, "Bill");

		assert_int_equal(
		    push(q, LEDGER_INVOICE,
		         (const char *const[]){
		             "{'op':'create','self':'Invoice/purchase:PO-9','subtype':"
		             "'purchases','contact':'Contact/supplier:S-1','number':"
		             "'SI-1234567 + PO-000009','lines':[{'quantity':'1',"
		             "'unit_amount':'1','account':'510'}]}",
		             "{'op':'create','self':'Invoice/purchase:PO-10','subtype':"
		             "'purchases','contact':'Contact/supplier:S-1','number':"
		             "'SI-7 + PO-10','lines':[{'quantity':'1','unit_amount':'1',"
		             "'account':'999'}]}",
		             "{'op':'create','self':'Invoice/purchase:PO-11','subtype':"
		             "'purchases','contact':'Contact/supplier:S-1','number':"
		             "'SI-8 + PO-11','lines':[{'quantity':'1','unit_amount':'1',"
		             "'account':'510'}]}"},
		         3, NULL, "k-long", &b, &err),
		    BS_OK);
		assert_int_equal(b.e[0].status, BS_EINVAL);
		assert_int_equal(b.e[0].refusal, LEDGER_REFUSAL_INVALID);
		assert_non_null(strstr(buf_cstr(&b.e[0].message),
		                       "DocNumber 'SI-1234567 + PO-000009' is 22 characters"));
		assert_int_equal(b.e[1].status, BS_EINVAL);
		assert_non_null(strstr(buf_cstr(&b.e[1].message),
		                       "account 999 is not in the QuickBooks company"));
		assert_int_equal(b.e[2].status, BS_OK);
		assert_true(b.e[2].id[0] != '\0');
		assert_int_equal(b.e[2].total, 1000000);
		assert_int_equal(count_of(&t, "Bill"), before + 1);
		batch_free(&b);
	}

	qbo_conn_free(q);
	tc_stop(&t);
}

/* Lookups by natural key find what was posted, and nothing else. */
static void test_lookup(void **state)
{
	static const char *const probe_inv[] = {
	    invoices[0], /* SO-1 */
	    invoices[3], /* the bill SI-99 + PO-8 of Parts Co */
	    "{'op':'create','self':'Invoice/sale:SO-77','subtype':'sales','contact':"
	    "'Contact/customer:C-1','number':'SO-77'}",
	    /* the same number as the bill, another vendor: not it */
	    "{'op':'create','self':'Invoice/purchase:PO-70','subtype':'purchases','contact':"
	    "'Contact/supplier:S-2','number':'SI-99 + PO-8'}",
	};
	struct tc t;
	struct qbo_conn *q;
	struct batch b;
	struct bs_error err;
	struct ledger_call call;
	bool found[8];
	char id[LEDGER_ID_MAX];

	(void)state;
	nsyms = 0;
	assert_int_equal(qstart(&t), 0);
	q = connect_to(&t);
	push_ok(q, LEDGER_CONTACT, contacts, N(contacts), NULL, "l-contacts");
	push_ok(q, LEDGER_PURCHASE_ORDER, pos, N(pos), NULL, "l-pos");
	push_ok(q, LEDGER_INVOICE, invoices, N(invoices), invoice_totals, "l-invoices");
	push_ok(q, LEDGER_PAYMENT, payments, 2, NULL, "l-payments");
	link_sym("Contact/supplier:S-2", "9999");

	memset(&b, 0, sizeof(b));
	for (size_t i = 0; i < N(probe_inv); i++) {
		char *s = js(probe_inv[i]);

		ledger_elem_init(&b.e[i]);
		b.doc[i] = b.e[i].doc = json_tokener_parse(s);
		free(s);
	}
	b.n = N(probe_inv);
	assert_int_equal(qbo_lookup_keyed(LEDGER_INVOICE, b.e, b.n), 4);
	assert_int_equal(
	    qbo_lookup_many(q, LEDGER_INVOICE, b.e, b.n, resolve, NULL, found, &call, &err), BS_OK);
	assert_true(found[0]);
	assert_string_equal(b.e[0].number, "SO-1");
	assert_true(b.e[0].has_total);
	assert_int_equal(b.e[0].total, 27600000);
	assert_true(found[1]);
	assert_string_equal(b.e[1].number, "SI-99 + PO-8");
	assert_false(found[2]);
	assert_false(found[3]);
	batch_free(&b);

	/* payments are found by their PrivateNote marker */
	memset(&b, 0, sizeof(b));
	for (size_t i = 0; i < 2; i++) {
		char *s = js(payments[i]);

		ledger_elem_init(&b.e[i]);
		b.doc[i] = b.e[i].doc = json_tokener_parse(s);
		free(s);
	}
	b.n = 2;
	assert_int_equal(
	    qbo_lookup_many(q, LEDGER_PAYMENT, b.e, b.n, resolve, NULL, found, &call, &err), BS_OK);
	assert_true(found[0] && found[1]);
	assert_int_equal(b.e[0].total, 27600000);
	assert_int_equal(b.e[1].total, 11500000);
	batch_free(&b);

	/* one entity: a GET of /query; the customer is found by DisplayName */
	memset(&b, 0, sizeof(b));
	{
		char *s = js(contacts[0]);

		ledger_elem_init(&b.e[0]);
		b.doc[0] = b.e[0].doc = json_tokener_parse(s);
		free(s);
	}
	b.n = 1;
	assert_int_equal(
	    qbo_lookup_many(q, LEDGER_CONTACT, b.e, b.n, resolve, NULL, found, &call, &err), BS_OK);
	assert_true(found[0]);
	assert_int_equal(resolve(NULL, "Contact/customer:C-1", id), BS_OK);
	assert_string_equal(b.e[0].id, id);
	batch_free(&b);

	/* a supplier named as a customer: QBO's one list of names refuses it,
	 * and the message says what to do */
	assert_int_equal(
	    push(q, LEDGER_CONTACT,
	         (const char *const[]){
	             "{'op':'create','self':'Contact/supplier:S-9','name':'Acme Ltd'}"},
	         1, NULL, "l-twin", &b, &err),
	    BS_OK);
	assert_int_equal(b.e[0].refusal, LEDGER_REFUSAL_DUPLICATE);
	assert_non_null(strstr(buf_cstr(&b.e[0].message), "6240: "));
	assert_non_null(strstr(buf_cstr(&b.e[0].message), "rename one of them at the source"));
	batch_free(&b);

	qbo_conn_free(q);
	tc_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_entity),
	    cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
