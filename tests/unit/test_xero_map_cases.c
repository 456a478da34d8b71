/*
 * test_xero_map_cases.c - the Xero connector's pure half (src/ledger/xero/xero.h):
 * xero_map_element, xero_build_request and xero_parse_response.
 *
 * Every ledger document type and op is mapped and the result compared as
 * parsed JSON with the element docs/mapping-xero.md describes (numbers by
 * their exact text: money never goes through a double).  Answers are shaped
 * like the examples of Xero's OpenAPI spec (tests/conformance/spec/
 * xero_accounting.yaml): the PurchaseOrders example with Warnings and
 * ValidationErrors, the ManualJournals one with a Warning, and so on.
 *
 * JSON in the tables is written with ' for " (and ` for a real '), which
 * keeps it readable in C; js() turns it back.  The connector's element type
 * is used only through the batch helpers below, so renaming it is an edit
 * there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "ledger/ledger.h"
#include "ledger/xero/xero.h"

#include <json-c/json.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* JSON helpers */

/* s with ' made " and ` made ' (malloc'd; the caller frees). */
static char *js(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);

	assert_non_null(d);
	for (size_t i = 0; i <= n; i++)
		d[i] = s[i] == '\'' ? '"' : s[i] == '`' ? '\'' : s[i];
	return d;
}

/* Parse text[0..len) as one strict JSON value, nothing after it; NULL if not. */
static struct json_object *parse_strict(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	assert_non_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o != NULL && json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* A 'quoted' JSON text of the tables, parsed (it must be valid). */
static struct json_object *jq(const char *quoted)
{
	char *t = js(quoted);
	struct json_object *o = parse_strict(t, strlen(t));

	if (o == NULL)
		fail_msg("bad JSON in the test table: %s", t);
	free(t);
	return o;
}

/*
 * Are a and b the same JSON: same keys (in any order), arrays in the same
 * order, and numbers written with the same text (12.3400 is not 12.34: the
 * mapper copies the planner's decimal text, and a double would not).  On a
 * difference, where says at which path.
 */
static bool json_same(struct json_object *a, struct json_object *b, struct buf *where)
{
	enum json_type t = json_object_get_type(a);

	if (t != json_object_get_type(b)) {
		buf_addstr(where, ": types differ");
		return false;
	}
	switch (t) {
	case json_type_object: {
		if (json_object_object_length(a) != json_object_object_length(b)) {
			buf_addstr(where, ": key counts differ");
			return false;
		}
		json_object_object_foreach(a, key, va)
		{
			struct json_object *vb;
			size_t at = where->len;

			buf_printf(where, ".%s", key);
			if (!json_object_object_get_ex(b, key, &vb)) {
				buf_addstr(where, ": missing");
				return false;
			}
			if (!json_same(va, vb, where))
				return false;
			buf_truncate(where, at);
		}
		return true;
	}
	case json_type_array: {
		size_t n = json_object_array_length(a);

		if (n != json_object_array_length(b)) {
			buf_addstr(where, ": lengths differ");
			return false;
		}
		for (size_t i = 0; i < n; i++) {
			size_t at = where->len;

			buf_printf(where, "[%zu]", i);
			if (!json_same(json_object_array_get_idx(a, i),
			               json_object_array_get_idx(b, i), where))
				return false;
			buf_truncate(where, at);
		}
		return true;
	}
	case json_type_string:
		if (json_object_get_string_len(a) == json_object_get_string_len(b) &&
		    memcmp(json_object_get_string(a), json_object_get_string(b),
		           (size_t)json_object_get_string_len(a)) == 0)
			return true;
		break;
	case json_type_boolean:
		if (json_object_get_boolean(a) == json_object_get_boolean(b))
			return true;
		break;
	case json_type_int:
	case json_type_double:
		/* the text as written (json-c keeps a parsed number's text) */
		if (strcmp(json_object_get_string(a), json_object_get_string(b)) == 0)
			return true;
		break;
	case json_type_null:
		return true;
	}
	buf_printf(where, ": %s vs %s", json_object_get_string(a), json_object_get_string(b));
	return false;
}

/* Fail unless text[0..len) is strict JSON equal to the 'quoted' want. */
static void assert_json(const char *name, const char *text, size_t len, const char *want)
{
	struct json_object *got = parse_strict(text, len), *exp = jq(want);
	struct buf where;

	buf_init(&where, 0);
	if (got == NULL)
		fail_msg("%s: not JSON: %.*s", name, (int)len, text);
	if (!json_same(exp, got, &where))
		fail_msg("%s: differs at %s\n got: %.*s", name, buf_cstr(&where), (int)len, text);
	buf_free(&where);
	json_object_put(got);
	json_object_put(exp);
}

/* ------------------------------------------------------------------ */
/* The ledger as the resolver fake knows it */

#define C1  "c0000001-0000-4000-8000-000000000001" /* Contact/customer:C-1 */
#define S1  "c0000002-0000-4000-8000-000000000002" /* Contact/supplier:SUP-1 */
#define I1  "10000001-0000-4000-8000-000000000001" /* Invoice/sale:SO-1 */
#define I2  "10000002-0000-4000-8000-000000000002" /* Invoice/sale:SO-2 */
#define B1  "b0000001-0000-4000-8000-000000000001" /* Invoice/purchase:P-1 (a bill) */
#define N1  "e0000001-0000-4000-8000-000000000001" /* CreditNote/credit_note:CN-1 */
#define SC1 "5c000001-0000-4000-8000-000000000001" /* CreditNote/store_credit:SC-1 */
#define SC2 "5c000002-0000-4000-8000-000000000002" /* CreditNote/store_credit:SC-2 */
#define PO2 "90000002-0000-4000-8000-000000000002" /* PurchaseOrder/purchase:P-2 */
#define IT1 "17000001-0000-4000-8000-000000000001" /* Item/product:SKU-1 */
#define PY1 "9a000001-0000-4000-8000-000000000001" /* Payment/payment:PAY-1 */
#define MJ1 "3a000001-0000-4000-8000-000000000001" /* ManualJournal/journal:J-1 */
#define BT1 "ba000001-0000-4000-8000-000000000001" /* BankTransaction/money_task:MT-1 */

static const struct {
	const char *symbol, *id;
} posted[] = {
    {"Contact/customer:C-1", C1},
    {"Contact/supplier:SUP-1", S1},
    {"Invoice/sale:SO-1", I1},
    {"Invoice/sale:SO-2", I2},
    {"Invoice/purchase:P-1", B1},
    {"CreditNote/credit_note:CN-1", N1},
    {"CreditNote/store_credit:SC-1", SC1},
    {"CreditNote/store_credit:SC-2", SC2},
    {"PurchaseOrder/purchase:P-2", PO2},
};

/* What the fake was asked, in order. */
struct fake {
	size_t calls;
	char asked[8][LEDGER_SYMBOL_MAX];
};

static int fake_resolve(void *arg, const char *symbol, char *id)
{
	struct fake *f = arg;

	if (f->calls < N(f->asked))
		snprintf(f->asked[f->calls], sizeof(f->asked[0]), "%s", symbol);
	f->calls++;
	for (size_t i = 0; i < N(posted); i++) {
		if (strcmp(posted[i].symbol, symbol) == 0) {
			snprintf(id, LEDGER_ID_MAX, "%s", posted[i].id);
			return BS_OK;
		}
	}
	return BS_ENOTFOUND;
}

/* ------------------------------------------------------------------ */
/* A batch: the connector's elements, reached only through these helpers */

#define BATCH_MAX 4

struct batch {
	struct ledger_elem e[BATCH_MAX];
	struct json_object *doc[BATCH_MAX];
	size_t n;
};

static void batch_init(struct batch *b, size_t n)
{
	assert_true(n <= BATCH_MAX);
	memset(b, 0, sizeof(*b));
	b->n = n;
	for (size_t i = 0; i < BATCH_MAX; i++)
		ledger_elem_init(&b->e[i]);
}

/* Element i: the 'quoted' document (parsed, owned by b) and its linked id. */
static void batch_set(struct batch *b, size_t i, const char *doc, const char *ledger_id)
{
	b->doc[i] = doc != NULL ? jq(doc) : NULL;
	b->e[i].doc = b->doc[i];
	b->e[i].ledger_id = ledger_id;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < BATCH_MAX; i++) {
		ledger_elem_release(&b->e[i]);
		json_object_put(b->doc[i]);
	}
}

static int batch_build(struct batch *b, enum ledger_doc_type type, struct fake *f,
                       const char **method, struct buf *path, struct buf *body,
                       struct bs_error *err)
{
	return xero_build_request(type, b->e, b->n, fake_resolve, f, method, path, body, err);
}

static int batch_parse(struct batch *b, enum ledger_doc_type type, const char *body, size_t len,
                       struct bs_error *err)
{
	return xero_parse_response(type, body, len, b->e, b->n, err);
}

/* ------------------------------------------------------------------ */
/* xero_map_element: one document, every type and op */

struct map_case {
	const char *name;
	enum ledger_doc_type type;
	int rc;
	const char *ledger_id; /* the linked document (update, void, status), or NULL */
	const char *doc;       /* the ledger-neutral document */
	const char *want;      /* BS_OK: the Xero element; else: part of the message */
};

/* An invoice of the given lines, and its Xero element. */
#define INV_LINES(lines)                                                                           \
	"{'type':'Invoice','op':'create','self':'Invoice/sale:SO-20','subtype':'sales',"           \
	"'contact':'Contact/customer:C-1','lines':[" lines "]}"
#define INV_LINES_X(lines)                                                                         \
	"{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'LineAmountTypes':'Exclusive',"         \
	"'LineItems':[" lines "]}"

/* clang-format off */
static const struct map_case map_cases[] = {
    /* Contacts: docs/mapping-xero.md "Contacts" */
    {"contact, every field", LEDGER_CONTACT, BS_OK, NULL,
     "{'type':'Contact','op':'create','self':'Contact/customer:C-1','name':'Aroha Ltd',"
     "'email':'accounts@aroha.example','phone':'+64 9 555 0101','tax_number':'123-456-789',"
     "'currency':'NZD','address':{'line1':'1 Queen St','line2':'Level 2','city':'Auckland',"
     "'region':'Auckland','postcode':'1010','country':'NZ'}}",
     "{'Name':'Aroha Ltd','EmailAddress':'accounts@aroha.example','TaxNumber':'123-456-789',"
     "'DefaultCurrency':'NZD','Phones':[{'PhoneType':'DEFAULT','PhoneNumber':'+64 9 555 0101'}],"
     "'Addresses':[{'AddressType':'STREET','AddressLine1':'1 Queen St','AddressLine2':'Level 2',"
     "'City':'Auckland','Region':'Auckland','PostalCode':'1010','Country':'NZ'}]}"},
    {"contact, name only", LEDGER_CONTACT, BS_OK, NULL,
     "{'type':'Contact','op':'create','self':'Contact/supplier:SUP-1','name':'Kauri Supplies'}",
     "{'Name':'Kauri Supplies'}"},
    {"contact with no name: the first field opens without a comma", LEDGER_CONTACT, BS_OK, NULL,
     "{'type':'Contact','op':'create','self':'Contact/customer:C-3','phone':'021 555',"
     "'address':{'city':'Napier'}}",
     "{'Phones':[{'PhoneType':'DEFAULT','PhoneNumber':'021 555'}],"
     "'Addresses':[{'AddressType':'STREET','City':'Napier'}]}"},
    {"item with no code or name: valid JSON all the same", LEDGER_ITEM, BS_OK, NULL,
     "{'type':'Item','op':'create','self':'Item/product:SKU-9','sales_account':'200'}",
     "{'IsTrackedAsInventory':false,'SalesDetails':{'AccountCode':'200'}}"},
    {"contact, part of an address", LEDGER_CONTACT, BS_OK, NULL,
     "{'type':'Contact','op':'create','self':'Contact/customer:C-2','name':'Tui Cafe',"
     "'address':{'city':'Wellington','country':'NZ'}}",
     "{'Name':'Tui Cafe','Addresses':[{'AddressType':'STREET','City':'Wellington',"
     "'Country':'NZ'}]}"},
    {"contact update names its ContactID", LEDGER_CONTACT, BS_OK, C1,
     "{'type':'Contact','op':'update','self':'Contact/customer:C-1','name':'Aroha Limited',"
     "'email':'ap@aroha.example'}",
     "{'ContactID':'" C1 "','Name':'Aroha Limited','EmailAddress':'ap@aroha.example'}"},

    /* Items: IsTrackedAsInventory false, the accounts as details */
    {"item, both accounts", LEDGER_ITEM, BS_OK, NULL,
     "{'type':'Item','op':'create','self':'Item/product:SKU-1','code':'SKU-1','name':'Blue mug',"
     "'description':'Blue mug, 350 ml','sales_account':'200','purchase_account':'300'}",
     "{'Code':'SKU-1','Name':'Blue mug','Description':'Blue mug, 350 ml',"
     "'IsTrackedAsInventory':false,'SalesDetails':{'AccountCode':'200'},"
     "'PurchaseDetails':{'AccountCode':'300'}}"},
    {"item without accounts", LEDGER_ITEM, BS_OK, NULL,
     "{'type':'Item','op':'create','self':'Item/product:SKU-2','code':'SKU-2','name':'SKU-2'}",
     "{'Code':'SKU-2','Name':'SKU-2','IsTrackedAsInventory':false}"},
    {"item, sales account only", LEDGER_ITEM, BS_OK, NULL,
     "{'type':'Item','op':'create','self':'Item/product:SKU-3','code':'SKU-3','name':'Tea',"
     "'sales_account':'260'}",
     "{'Code':'SKU-3','Name':'Tea','IsTrackedAsInventory':false,"
     "'SalesDetails':{'AccountCode':'260'}}"},
    {"item update names its ItemID", LEDGER_ITEM, BS_OK, IT1,
     "{'type':'Item','op':'update','self':'Item/product:SKU-1','code':'SKU-1','name':'Blue mug'}",
     "{'ItemID':'" IT1 "','Code':'SKU-1','Name':'Blue mug','IsTrackedAsInventory':false}"},

    /* Sales invoices: ACCREC, the lines' exact text, no expected_total */
    {"sales invoice", LEDGER_INVOICE, BS_OK, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-1','date':'2026-10-01',"
     "'subtype':'sales','contact':'Contact/customer:C-1','number':'42-SO-1','reference':'SO-1',"
     "'due_date':'2026-10-31','status':'AUTHORISED','amounts':'exclusive',"
     "'lines':[{'description':'Blue mug','quantity':'2','unit_amount':'12.3400',"
     "'discount_rate':'10','account':'200','tax_type':'OUTPUT2','tracking':{'Region':'North'}},"
     "{'description':'Rounding correction','quantity':'1','unit_amount':'-0.01',"
     "'account':'860','tax_type':'NONE'}],'expected_total':'25.39'}",
     "{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'InvoiceNumber':'42-SO-1',"
     "'Reference':'SO-1','Date':'2026-10-01','DueDate':'2026-10-31','Status':'AUTHORISED',"
     "'LineAmountTypes':'Exclusive','LineItems':[{'Description':'Blue mug','Quantity':2,"
     "'UnitAmount':12.3400,'DiscountRate':10,'AccountCode':'200','TaxType':'OUTPUT2',"
     "'Tracking':[{'Name':'Region','Option':'North'}]},{'Description':'Rounding correction',"
     "'Quantity':1,'UnitAmount':-0.01,'AccountCode':'860','TaxType':'NONE'}]}"},
    {"sales invoice in USD, tax inclusive, a draft", LEDGER_INVOICE, BS_OK, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-3','date':'2026-10-02',"
     "'subtype':'sales','contact':'Contact/customer:C-1','number':'43-SO-3','reference':'SO-3',"
     "'currency':'USD','currency_rate':'0.606061','status':'DRAFT','amounts':'inclusive',"
     "'lines':[{'description':'Teapot','quantity':'1.5','unit_amount':'20','account':'200',"
     "'tax_type':'OUTPUT2'}]}",
     "{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'InvoiceNumber':'43-SO-3',"
     "'Reference':'SO-3','Date':'2026-10-02','CurrencyCode':'USD','CurrencyRate':0.606061,"
     "'Status':'DRAFT','LineAmountTypes':'Inclusive','LineItems':[{'Description':'Teapot',"
     "'Quantity':1.5,'UnitAmount':20,'AccountCode':'200','TaxType':'OUTPUT2'}]}"},
    {"no tax: LineAmountTypes NoTax", LEDGER_INVOICE, BS_OK, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-4','subtype':'sales',"
     "'contact':'Contact/customer:C-1','number':'44-SO-4','amounts':'none',"
     "'lines':[{'description':'Gift wrap','quantity':'1','unit_amount':'5.00','account':'200',"
     "'tax_type':'NONE'}]}",
     "{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'InvoiceNumber':'44-SO-4',"
     "'LineAmountTypes':'NoTax','LineItems':[{'Description':'Gift wrap','Quantity':1,"
     "'UnitAmount':5.00,'AccountCode':'200','TaxType':'NONE'}]}"},
    {"amounts not given: Exclusive, Xero's default", LEDGER_INVOICE, BS_OK, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-5','subtype':'sales',"
     "'contact':'Contact/customer:C-1','lines':[{'description':'Mug','quantity':'1',"
     "'unit_amount':'9.99'}]}",
     "{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'LineAmountTypes':'Exclusive',"
     "'LineItems':[{'Description':'Mug','Quantity':1,'UnitAmount':9.99}]}"},
    {"two tracking categories, an item code", LEDGER_INVOICE, BS_OK, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-6','subtype':'sales',"
     "'contact':'Contact/customer:C-1','lines':[{'description':'Mug','quantity':'3',"
     "'unit_amount':'4.5','item_code':'SKU-1','account':'200','tax_type':'OUTPUT2',"
     "'tracking':{'Region':'North','Channel':'Web'}}]}",
     "{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'LineAmountTypes':'Exclusive',"
     "'LineItems':[{'Description':'Mug','Quantity':3,'UnitAmount':4.5,'ItemCode':'SKU-1',"
     "'AccountCode':'200','TaxType':'OUTPUT2','Tracking':[{'Name':'Region','Option':'North'},"
     "{'Name':'Channel','Option':'Web'}]}]}"},
    {"empty tracking sends no Tracking", LEDGER_INVOICE, BS_OK, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-7','subtype':'sales',"
     "'contact':'Contact/customer:C-1','lines':[{'description':'Mug','quantity':'1',"
     "'unit_amount':'1','tracking':{}}]}",
     "{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'LineAmountTypes':'Exclusive',"
     "'LineItems':[{'Description':'Mug','Quantity':1,'UnitAmount':1}]}"},
    {"amounts are copied as text, never through a double", LEDGER_INVOICE, BS_OK, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-8','subtype':'sales',"
     "'contact':'Contact/customer:C-1','lines':[{'description':'Bulk','quantity':'0.30',"
     "'unit_amount':'1234567890123.4567'},{'description':'Back','quantity':'-1',"
     "'unit_amount':'0.000001'}]}",
     "{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'LineAmountTypes':'Exclusive',"
     "'LineItems':[{'Description':'Bulk','Quantity':0.30,'UnitAmount':1234567890123.4567},"
     "{'Description':'Back','Quantity':-1,'UnitAmount':0.000001}]}"},
    {"an empty document has no lines", LEDGER_INVOICE, BS_OK, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-9','subtype':'sales',"
     "'contact':'Contact/customer:C-1','lines':[]}",
     "{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'LineAmountTypes':'Exclusive',"
     "'LineItems':[]}"},
    {"sales invoice update: InvoiceID and the whole document", LEDGER_INVOICE, BS_OK, I1,
     "{'type':'Invoice','op':'update','self':'Invoice/sale:SO-1','date':'2026-10-01',"
     "'subtype':'sales','contact':'Contact/customer:C-1','number':'42-SO-1',"
     "'reference':'SO-1','status':'AUTHORISED','lines':[{'description':'Blue mug',"
     "'quantity':'3','unit_amount':'12.34','account':'200','tax_type':'OUTPUT2'}]}",
     "{'InvoiceID':'" I1 "','Type':'ACCREC','Contact':{'ContactID':'" C1 "'},"
     "'InvoiceNumber':'42-SO-1','Reference':'SO-1','Date':'2026-10-01','Status':'AUTHORISED',"
     "'LineAmountTypes':'Exclusive','LineItems':[{'Description':'Blue mug','Quantity':3,"
     "'UnitAmount':12.34,'AccountCode':'200','TaxType':'OUTPUT2'}]}"},
    {"void: the id and VOIDED only, nothing resolved", LEDGER_INVOICE, BS_OK, I1,
     "{'type':'Invoice','op':'void','self':'Invoice/sale:SO-1','date':'2026-10-01',"
     "'subtype':'sales','contact':'Contact/customer:C-404','lines':[]}",
     "{'InvoiceID':'" I1 "','Status':'VOIDED'}"},

    /* Bills: ACCPAY, no Reference (Xero keeps none on bills) */
    {"bill", LEDGER_INVOICE, BS_OK, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/purchase:P-1','date':'2026-10-03',"
     "'subtype':'purchases','contact':'Contact/supplier:SUP-1','number':'INV-77 / PO-2001',"
     "'reference':'PO-2001','due_date':'2026-11-20','status':'AUTHORISED','amounts':'exclusive',"
     "'lines':[{'description':'Mugs, box of 24','quantity':'2','unit_amount':'48.1234',"
     "'account':'300','tax_type':'INPUT2'}]}",
     "{'Type':'ACCPAY','Contact':{'ContactID':'" S1 "'},'InvoiceNumber':'INV-77 / PO-2001',"
     "'Date':'2026-10-03','DueDate':'2026-11-20','Status':'AUTHORISED',"
     "'LineAmountTypes':'Exclusive','LineItems':[{'Description':'Mugs, box of 24','Quantity':2,"
     "'UnitAmount':48.1234,'AccountCode':'300','TaxType':'INPUT2'}]}"},
    {"bill update", LEDGER_INVOICE, BS_OK, B1,
     "{'type':'Invoice','op':'update','self':'Invoice/purchase:P-1','subtype':'purchases',"
     "'contact':'Contact/supplier:SUP-1','number':'INV-77 / PO-2001','reference':'PO-2001',"
     "'lines':[{'description':'Mugs','quantity':'1','unit_amount':'96.25','account':'300'}]}",
     "{'InvoiceID':'" B1 "','Type':'ACCPAY','Contact':{'ContactID':'" S1 "'},"
     "'InvoiceNumber':'INV-77 / PO-2001','LineAmountTypes':'Exclusive',"
     "'LineItems':[{'Description':'Mugs','Quantity':1,'UnitAmount':96.25,"
     "'AccountCode':'300'}]}"},

    /* Credit notes */
    {"customer credit note", LEDGER_CREDIT_NOTE, BS_OK, NULL,
     "{'type':'CreditNote','op':'create','self':'CreditNote/credit_note:CN-1',"
     "'date':'2026-10-04','subtype':'sales','contact':'Contact/customer:C-1',"
     "'number':'45-CN-1','reference':'CN-1','status':'AUTHORISED','amounts':'exclusive',"
     "'lines':[{'description':'Chipped mug','quantity':'1','unit_amount':'12.34',"
     "'account':'200','tax_type':'OUTPUT2'}]}",
     "{'Type':'ACCRECCREDIT','Contact':{'ContactID':'" C1 "'},'CreditNoteNumber':'45-CN-1',"
     "'Reference':'CN-1','Date':'2026-10-04','Status':'AUTHORISED',"
     "'LineAmountTypes':'Exclusive','LineItems':[{'Description':'Chipped mug','Quantity':1,"
     "'UnitAmount':12.34,'AccountCode':'200','TaxType':'OUTPUT2'}]}"},
    {"supplier credit note keeps its Reference", LEDGER_CREDIT_NOTE, BS_OK, NULL,
     "{'type':'CreditNote','op':'create','self':'CreditNote/credit_note:CN-2',"
     "'subtype':'purchases','contact':'Contact/supplier:SUP-1','number':'SCN-9',"
     "'reference':'SCN-9','status':'AUTHORISED','lines':[{'description':'Returned',"
     "'quantity':'1','unit_amount':'10','account':'300','tax_type':'INPUT2'}]}",
     "{'Type':'ACCPAYCREDIT','Contact':{'ContactID':'" S1 "'},'CreditNoteNumber':'SCN-9',"
     "'Reference':'SCN-9','Status':'AUTHORISED','LineAmountTypes':'Exclusive',"
     "'LineItems':[{'Description':'Returned','Quantity':1,'UnitAmount':10,'AccountCode':'300',"
     "'TaxType':'INPUT2'}]}"},
    {"store credit issued: one NoTax line", LEDGER_CREDIT_NOTE, BS_OK, NULL,
     "{'type':'CreditNote','op':'create','self':'CreditNote/store_credit:SC-1',"
     "'date':'2026-10-05','subtype':'sales','contact':'Contact/customer:C-1',"
     "'number':'46-SC-1','reference':'SC-1','status':'AUTHORISED','amounts':'none',"
     "'lines':[{'description':'Store credit','quantity':'1','unit_amount':'30.00',"
     "'account':'200','tax_type':'NONE'}]}",
     "{'Type':'ACCRECCREDIT','Contact':{'ContactID':'" C1 "'},'CreditNoteNumber':'46-SC-1',"
     "'Reference':'SC-1','Date':'2026-10-05','Status':'AUTHORISED','LineAmountTypes':'NoTax',"
     "'LineItems':[{'Description':'Store credit','Quantity':1,'UnitAmount':30.00,"
     "'AccountCode':'200','TaxType':'NONE'}]}"},
    {"credit note void", LEDGER_CREDIT_NOTE, BS_OK, N1,
     "{'type':'CreditNote','op':'void','self':'CreditNote/credit_note:CN-1'}",
     "{'CreditNoteID':'" N1 "','Status':'VOIDED'}"},

    /* Purchase orders: no Type; DeliveryDate; a status-only update */
    {"purchase order", LEDGER_PURCHASE_ORDER, BS_OK, NULL,
     "{'type':'PurchaseOrder','op':'create','self':'PurchaseOrder/purchase:P-2',"
     "'date':'2026-10-06','subtype':'purchases','contact':'Contact/supplier:SUP-1',"
     "'number':'PO-2002','reference':'PO-2002','delivery_date':'2026-10-20',"
     "'status':'AUTHORISED','amounts':'exclusive','lines':[{'description':'Saucers',"
     "'quantity':'12','unit_amount':'2.2500','account':'300','tax_type':'INPUT2'}]}",
     "{'Contact':{'ContactID':'" S1 "'},'PurchaseOrderNumber':'PO-2002','Reference':'PO-2002',"
     "'Date':'2026-10-06','DeliveryDate':'2026-10-20','Status':'AUTHORISED',"
     "'LineAmountTypes':'Exclusive','LineItems':[{'Description':'Saucers','Quantity':12,"
     "'UnitAmount':2.2500,'AccountCode':'300','TaxType':'INPUT2'}]}"},
    {"purchase order marked BILLED: the status alone", LEDGER_PURCHASE_ORDER, BS_OK, PO2,
     "{'type':'PurchaseOrder','op':'status','self':'PurchaseOrder/purchase:P-2',"
     "'status':'BILLED'}",
     "{'PurchaseOrderID':'" PO2 "','Status':'BILLED'}"},

    /* Payments: by document id; DELETED to void (Xero edits no payment) */
    {"payment on a sales invoice", LEDGER_PAYMENT, BS_OK, NULL,
     "{'type':'Payment','op':'create','self':'Payment/payment:PAY-1','date':'2026-10-07',"
     "'document':'Invoice/sale:SO-1','account':'090','amount':'25.39','reference':'PAY-1'}",
     "{'Invoice':{'InvoiceID':'" I1 "'},'Account':{'Code':'090'},'Date':'2026-10-07',"
     "'Amount':25.39,'Reference':'PAY-1'}"},
    {"payment of a bill", LEDGER_PAYMENT, BS_OK, NULL,
     "{'type':'Payment','op':'create','self':'Payment/payment:PAY-2','date':'2026-10-08',"
     "'document':'Invoice/purchase:P-1','account':'090','amount':'110.68',"
     "'reference':'PAY-2'}",
     "{'Invoice':{'InvoiceID':'" B1 "'},'Account':{'Code':'090'},'Date':'2026-10-08',"
     "'Amount':110.68,'Reference':'PAY-2'}"},
    {"refund: a payment on a credit note", LEDGER_PAYMENT, BS_OK, NULL,
     "{'type':'Payment','op':'create','self':'Payment/store_credit:SC-9',"
     "'date':'2026-10-09','document':'CreditNote/store_credit:SC-1','account':'090',"
     "'amount':'30.00','reference':'SC-9'}",
     "{'CreditNote':{'CreditNoteID':'" SC1 "'},'Account':{'Code':'090'},"
     "'Date':'2026-10-09','Amount':30.00,'Reference':'SC-9'}"},
    {"foreign payment with its rate, no account", LEDGER_PAYMENT, BS_OK, NULL,
     "{'type':'Payment','op':'create','self':'Payment/payment:PAY-3','date':'2026-10-10',"
     "'document':'Invoice/sale:SO-2','amount':'100.07','currency_rate':'0.606061',"
     "'reference':'PAY-3'}",
     "{'Invoice':{'InvoiceID':'" I2 "'},'Date':'2026-10-10','Amount':100.07,"
     "'CurrencyRate':0.606061,'Reference':'PAY-3'}"},
    {"payment void is DELETED", LEDGER_PAYMENT, BS_OK, PY1,
     "{'type':'Payment','op':'void','self':'Payment/payment:PAY-1',"
     "'document':'Invoice/sale:SO-1','amount':'25.39'}",
     "{'PaymentID':'" PY1 "','Status':'DELETED'}"},

    /* Allocations: the credit note goes in the path, not the element */
    {"allocation of a store credit", LEDGER_ALLOCATION, BS_OK, NULL,
     "{'type':'Allocation','op':'create','self':'Allocation/store_credit:SC-3',"
     "'date':'2026-10-11','credit_note':'CreditNote/store_credit:SC-1',"
     "'invoice':'Invoice/sale:SO-1','amount':'5.00'}",
     "{'Invoice':{'InvoiceID':'" I1 "'},'Amount':5.00,'Date':'2026-10-11'}"},
    {"an allocation is never sent with an id", LEDGER_ALLOCATION, BS_OK, "a110c000-0000-0000",
     "{'type':'Allocation','op':'create','self':'Allocation/store_credit:SC-3',"
     "'date':'2026-10-11','credit_note':'CreditNote/store_credit:SC-1',"
     "'invoice':'Invoice/sale:SO-2','amount':'7.5'}",
     "{'Invoice':{'InvoiceID':'" I2 "'},'Amount':7.5,'Date':'2026-10-11'}"},

    /* Manual journals: POSTED, NoTax, LineAmount signed */
    {"manual journal", LEDGER_MANUAL_JOURNAL, BS_OK, NULL,
     "{'type':'ManualJournal','op':'create','self':'ManualJournal/cogs:COGS-1',"
     "'date':'2026-10-01','narration':'COGS for sale SO-1 [cogs:COGS-1]',"
     "'lines':[{'account':'310','amount':'8.50','description':'COGS','tax_type':'NONE'},"
     "{'account':'630','amount':'-8.50','description':'Inventory','tax_type':'NONE'}]}",
     "{'Narration':'COGS for sale SO-1 [cogs:COGS-1]','Date':'2026-10-01','Status':'POSTED',"
     "'LineAmountTypes':'NoTax','JournalLines':[{'Description':'COGS','LineAmount':8.50,"
     "'AccountCode':'310','TaxType':'NONE'},{'Description':'Inventory','LineAmount':-8.50,"
     "'AccountCode':'630','TaxType':'NONE'}]}"},
    {"journal amounts are always NoTax", LEDGER_MANUAL_JOURNAL, BS_OK, NULL,
     "{'type':'ManualJournal','op':'create','self':'ManualJournal/journal:J-2',"
     "'narration':'Journal J-2 [journal:J-2]','amounts':'inclusive',"
     "'lines':[{'account':'090','amount':'1'},{'account':'200','amount':'-1'}]}",
     "{'Narration':'Journal J-2 [journal:J-2]','Status':'POSTED','LineAmountTypes':'NoTax',"
     "'JournalLines':[{'LineAmount':1,'AccountCode':'090'},"
     "{'LineAmount':-1,'AccountCode':'200'}]}"},
    {"journal void", LEDGER_MANUAL_JOURNAL, BS_OK, MJ1,
     "{'type':'ManualJournal','op':'void','self':'ManualJournal/journal:J-1'}",
     "{'ManualJournalID':'" MJ1 "','Status':'VOIDED'}"},

    /* Bank transactions: one unit at the amount per line */
    {"receive money from a contact", LEDGER_BANK_TRANSACTION, BS_OK, NULL,
     "{'type':'BankTransaction','op':'create','self':'BankTransaction/money_task:MT-1',"
     "'date':'2026-10-12','direction':'receive','contact':'Contact/customer:C-1',"
     "'bank_account':'090','reference':'MT-1','amounts':'inclusive',"
     "'lines':[{'description':'Deposit','account':'200','amount':'3.2100',"
     "'tax_type':'OUTPUT2'}]}",
     "{'Type':'RECEIVE','Contact':{'ContactID':'" C1 "'},'BankAccount':{'Code':'090'},"
     "'Date':'2026-10-12','Reference':'MT-1','LineAmountTypes':'Inclusive',"
     "'LineItems':[{'Description':'Deposit','Quantity':1,'UnitAmount':3.2100,"
     "'AccountCode':'200','TaxType':'OUTPUT2'}]}"},
    {"spend money, contact by name", LEDGER_BANK_TRANSACTION, BS_OK, NULL,
     "{'type':'BankTransaction','op':'create','self':'BankTransaction/money_task:MT-2',"
     "'date':'2026-10-13','direction':'spend','contact_name':'booksync money tasks',"
     "'bank_account':'090','reference':'MT-2','amounts':'none',"
     "'lines':[{'description':'Bank fee','account':'404','amount':'2.50','tax_type':'NONE'},"
     "{'description':'Card fee','account':'404','amount':'0.75','tax_type':'NONE'}]}",
     "{'Type':'SPEND','Contact':{'Name':'booksync money tasks'},'BankAccount':{'Code':'090'},"
     "'Date':'2026-10-13','Reference':'MT-2','LineAmountTypes':'NoTax',"
     "'LineItems':[{'Description':'Bank fee','Quantity':1,'UnitAmount':2.50,"
     "'AccountCode':'404','TaxType':'NONE'},{'Description':'Card fee','Quantity':1,"
     "'UnitAmount':0.75,'AccountCode':'404','TaxType':'NONE'}]}"},
    {"bank transaction void", LEDGER_BANK_TRANSACTION, BS_OK, BT1,
     "{'type':'BankTransaction','op':'void','self':'BankTransaction/money_task:MT-1'}",
     "{'BankTransactionID':'" BT1 "','Status':'VOIDED'}"},

    /* Symbols that are not posted: BS_ENOTFOUND naming them */
    {"invoice to a contact not posted", LEDGER_INVOICE, BS_ENOTFOUND, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-10','subtype':'sales',"
     "'contact':'Contact/customer:C-404','lines':[]}",
     "Contact/customer:C-404"},
    {"purchase order to a supplier not posted", LEDGER_PURCHASE_ORDER, BS_ENOTFOUND, NULL,
     "{'type':'PurchaseOrder','op':'create','self':'PurchaseOrder/purchase:P-9',"
     "'contact':'Contact/supplier:SUP-404','lines':[]}",
     "Contact/supplier:SUP-404"},
    {"payment on an invoice not posted", LEDGER_PAYMENT, BS_ENOTFOUND, NULL,
     "{'type':'Payment','op':'create','self':'Payment/payment:PAY-9',"
     "'document':'Invoice/sale:SO-404','amount':'1.00'}",
     "Invoice/sale:SO-404"},
    {"refund on a credit note not posted", LEDGER_PAYMENT, BS_ENOTFOUND, NULL,
     "{'type':'Payment','op':'create','self':'Payment/store_credit:SC-8',"
     "'document':'CreditNote/store_credit:SC-404','amount':'1.00'}",
     "CreditNote/store_credit:SC-404"},
    {"allocation to an invoice not posted", LEDGER_ALLOCATION, BS_ENOTFOUND, NULL,
     "{'type':'Allocation','op':'create','self':'Allocation/store_credit:SC-7',"
     "'credit_note':'CreditNote/store_credit:SC-1','invoice':'Invoice/sale:SO-404',"
     "'amount':'1.00'}",
     "Invoice/sale:SO-404"},
    {"bank transaction with a contact not posted", LEDGER_BANK_TRANSACTION, BS_ENOTFOUND, NULL,
     "{'type':'BankTransaction','op':'create','self':'BankTransaction/money_task:MT-9',"
     "'direction':'receive','contact':'Contact/customer:C-404','lines':[]}",
     "Contact/customer:C-404"},

    /* Documents not of the documented shape: BS_EINVAL */
    {"invoice without lines", LEDGER_INVOICE, BS_EINVAL, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-11','subtype':'sales',"
     "'contact':'Contact/customer:C-1'}",
     "no lines"},
    {"lines that are not a list", LEDGER_CREDIT_NOTE, BS_EINVAL, NULL,
     "{'type':'CreditNote','op':'create','self':'CreditNote/credit_note:CN-3',"
     "'subtype':'sales','contact':'Contact/customer:C-1','lines':{'description':'x'}}",
     "no lines"},
    {"journal without lines", LEDGER_MANUAL_JOURNAL, BS_EINVAL, NULL,
     "{'type':'ManualJournal','op':'create','self':'ManualJournal/journal:J-3',"
     "'narration':'J-3'}",
     "no lines"},
    {"bank transaction without lines", LEDGER_BANK_TRANSACTION, BS_EINVAL, NULL,
     "{'type':'BankTransaction','op':'create','self':'BankTransaction/money_task:MT-3',"
     "'direction':'spend','contact_name':'Bank'}",
     "no lines"},
    {"purchase order lines null", LEDGER_PURCHASE_ORDER, BS_EINVAL, NULL,
     "{'type':'PurchaseOrder','op':'create','self':'PurchaseOrder/purchase:P-3',"
     "'contact':'Contact/supplier:SUP-1','lines':null}",
     "no lines"},
    {"payment naming no document", LEDGER_PAYMENT, BS_EINVAL, NULL,
     "{'type':'Payment','op':'create','self':'Payment/payment:PAY-4','amount':'1.00'}",
     "no document"},
    {"a unit amount that is not a number", LEDGER_INVOICE, BS_EINVAL, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-12','subtype':'sales',"
     "'contact':'Contact/customer:C-1','lines':[{'description':'Mug','quantity':'1',"
     "'unit_amount':'twelve'}]}",
     "UnitAmount: 'twelve'"},
    {"a quantity with a decimal comma", LEDGER_INVOICE, BS_EINVAL, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-13','subtype':'sales',"
     "'contact':'Contact/customer:C-1','lines':[{'description':'Mug','quantity':'1,5',"
     "'unit_amount':'2'}]}",
     "Quantity: '1,5'"},
    {"more decimals than micros", LEDGER_PAYMENT, BS_EINVAL, NULL,
     "{'type':'Payment','op':'create','self':'Payment/payment:PAY-5',"
     "'document':'Invoice/sale:SO-1','amount':'1.0000001'}",
     "Amount: '1.0000001'"},
    {"an empty amount", LEDGER_ALLOCATION, BS_EINVAL, NULL,
     "{'type':'Allocation','op':'create','self':'Allocation/store_credit:SC-6',"
     "'credit_note':'CreditNote/store_credit:SC-1','invoice':'Invoice/sale:SO-1',"
     "'amount':''}",
     "Amount: ''"},
    {"a journal amount with a currency sign", LEDGER_MANUAL_JOURNAL, BS_EINVAL, NULL,
     "{'type':'ManualJournal','op':'create','self':'ManualJournal/journal:J-4',"
     "'narration':'J-4','lines':[{'account':'090','amount':'$5'}]}",
     "LineAmount: '$5'"},
    {"a bank line amount that is not a number", LEDGER_BANK_TRANSACTION, BS_EINVAL, NULL,
     "{'type':'BankTransaction','op':'create','self':'BankTransaction/money_task:MT-4',"
     "'direction':'spend','contact_name':'Bank','lines':[{'account':'404','amount':'n/a'}]}",
     "UnitAmount: 'n/a'"},
    {"a currency rate that is not a number", LEDGER_INVOICE, BS_EINVAL, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-14','subtype':'sales',"
     "'contact':'Contact/customer:C-1','currency':'USD','currency_rate':'1/1.65',"
     "'lines':[]}",
     "CurrencyRate: '1/1.65'"},
    {"a discount rate that is not a number", LEDGER_INVOICE, BS_EINVAL, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-15','subtype':'sales',"
     "'contact':'Contact/customer:C-1','lines':[{'description':'Mug','quantity':'1',"
     "'unit_amount':'2','discount_rate':'10%'}]}",
     "DiscountRate: '10%'"},

    /* The wire carries plain decimal text only: an optional '-', digits
     * without leading zeros (but a lone 0), an optional '.digits'.  What
     * the parser would take beyond that is not a JSON number. */
    {"a unit amount of '.5'", LEDGER_INVOICE, BS_EINVAL, NULL,
     INV_LINES("{'description':'Mug','quantity':'1','unit_amount':'.5'}"), "UnitAmount: '.5'"},
    {"a quantity of '+5'", LEDGER_INVOICE, BS_EINVAL, NULL,
     INV_LINES("{'description':'Mug','quantity':'+5','unit_amount':'1'}"), "Quantity: '+5'"},
    {"a discount rate of '-05'", LEDGER_INVOICE, BS_EINVAL, NULL,
     INV_LINES("{'description':'Mug','quantity':'1','unit_amount':'1','discount_rate':'-05'}"),
     "DiscountRate: '-05'"},
    {"a payment amount of '007'", LEDGER_PAYMENT, BS_EINVAL, NULL,
     "{'type':'Payment','op':'create','self':'Payment/payment:PAY-6',"
     "'document':'Invoice/sale:SO-1','amount':'007'}",
     "Amount: '007'"},
    {"a payment amount as a JSON number with an exponent", LEDGER_PAYMENT, BS_EINVAL, NULL,
     "{'type':'Payment','op':'create','self':'Payment/payment:PAY-7',"
     "'document':'Invoice/sale:SO-1','amount':2.5e1}",
     "Amount: '2.5e1'"},
    {"a currency rate of '5.'", LEDGER_INVOICE, BS_EINVAL, NULL,
     "{'type':'Invoice','op':'create','self':'Invoice/sale:SO-21','subtype':'sales',"
     "'contact':'Contact/customer:C-1','currency':'USD','currency_rate':'5.','lines':[]}",
     "CurrencyRate: '5.'"},
    {"a journal amount of '1e2'", LEDGER_MANUAL_JOURNAL, BS_EINVAL, NULL,
     "{'type':'ManualJournal','op':'create','self':'ManualJournal/journal:J-5',"
     "'narration':'J-5','lines':[{'account':'090','amount':'1e2'}]}",
     "LineAmount: '1e2'"},
    {"a bank line amount of '-.5'", LEDGER_BANK_TRANSACTION, BS_EINVAL, NULL,
     "{'type':'BankTransaction','op':'create','self':'BankTransaction/money_task:MT-5',"
     "'direction':'spend','contact_name':'Bank','lines':[{'account':'404','amount':'-.5'}]}",
     "UnitAmount: '-.5'"},
    {"an allocation amount of '00.50'", LEDGER_ALLOCATION, BS_EINVAL, NULL,
     "{'type':'Allocation','op':'create','self':'Allocation/store_credit:SC-5',"
     "'credit_note':'CreditNote/store_credit:SC-1','invoice':'Invoice/sale:SO-1',"
     "'amount':'00.50'}",
     "Amount: '00.50'"},
    {"a lone 0, a negative below one and 0.x pass", LEDGER_INVOICE, BS_OK, NULL,
     INV_LINES("{'description':'Free','quantity':'0','unit_amount':'-0.50',"
               "'discount_rate':'0.5'}"),
     INV_LINES_X("{'Description':'Free','Quantity':0,'UnitAmount':-0.50,'DiscountRate':0.5}")},

    /* Tracking: a valid element whatever comes before it */
    {"a line whose first field is its tracking", LEDGER_INVOICE, BS_OK, NULL,
     INV_LINES("{'tracking':{'Region':'North'}}"),
     INV_LINES_X("{'Tracking':[{'Name':'Region','Option':'North'}]}")},
    {"a second line of tracking alone", LEDGER_INVOICE, BS_OK, NULL,
     INV_LINES("{'description':'Mug','quantity':'1','unit_amount':'1'},"
               "{'tracking':{'Region':'North','Channel':'Web'}}"),
     INV_LINES_X("{'Description':'Mug','Quantity':1,'UnitAmount':1},"
                 "{'Tracking':[{'Name':'Region','Option':'North'},"
                 "{'Name':'Channel','Option':'Web'}]}")},
    /* a tracking option is text; anything else is refused, naming it */
    {"a tracking option of null", LEDGER_INVOICE, BS_EINVAL, NULL,
     INV_LINES("{'description':'Mug','quantity':'1','unit_amount':'1',"
               "'tracking':{'Region':null}}"),
     "Tracking: the option of 'Region' is not a string"},
    {"a tracking option that is an object", LEDGER_INVOICE, BS_EINVAL, NULL,
     INV_LINES("{'tracking':{'Region':{'Option':'North'}}}"),
     "Tracking: the option of 'Region' is not a string"},
    {"a tracking option that is a list", LEDGER_CREDIT_NOTE, BS_EINVAL, NULL,
     "{'type':'CreditNote','op':'create','self':'CreditNote/credit_note:CN-4',"
     "'subtype':'sales','contact':'Contact/customer:C-1','lines':[{'description':'x',"
     "'tracking':{'Region':['North']}}]}",
     "Tracking: the option of 'Region' is not a string"},
    {"a tracking option that is a number, after a good one", LEDGER_INVOICE, BS_EINVAL, NULL,
     INV_LINES("{'tracking':{'Region':'North','Channel':7}}"),
     "Tracking: the option of 'Channel' is not a string"},
    {"a tracking option that is a boolean", LEDGER_BANK_TRANSACTION, BS_EINVAL, NULL,
     "{'type':'BankTransaction','op':'create','self':'BankTransaction/money_task:MT-6',"
     "'direction':'spend','contact_name':'Bank','lines':[{'account':'404','amount':'1',"
     "'tracking':{'Region':true}}]}",
     "Tracking: the option of 'Region' is not a string"},

    /* A document, and each of its lines, is a JSON object */
    {"a document that is a list", LEDGER_CONTACT, BS_EINVAL, NULL,
     "[{'type':'Contact','op':'create','name':'A'}]", "not a ledger document"},
    {"a document that is a string", LEDGER_ITEM, BS_EINVAL, NULL, "'Item'",
     "not a ledger document"},
    {"a void of a list, with a linked id", LEDGER_CONTACT, BS_EINVAL, C1, "[{'op':'void'}]",
     "not a ledger document"},
    {"a line that is a string", LEDGER_INVOICE, BS_EINVAL, NULL, INV_LINES("'Mug'"),
     "line 1 is not an object"},
    {"a second line of null", LEDGER_INVOICE, BS_EINVAL, NULL,
     INV_LINES("{'description':'Mug','quantity':'1','unit_amount':'1'},null"),
     "line 2 is not an object"},
    {"a journal line that is a list", LEDGER_MANUAL_JOURNAL, BS_EINVAL, NULL,
     "{'type':'ManualJournal','op':'create','self':'ManualJournal/journal:J-6',"
     "'narration':'J-6','lines':[[{'account':'090','amount':'1'}]]}",
     "line 1 is not an object"},
    {"a bank line that is a number", LEDGER_BANK_TRANSACTION, BS_EINVAL, NULL,
     "{'type':'BankTransaction','op':'create','self':'BankTransaction/money_task:MT-7',"
     "'direction':'spend','contact_name':'Bank','lines':[{'account':'404','amount':'1'},3]}",
     "line 2 is not an object"},
};
/* clang-format on */

static void test_map_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(map_cases); i++) {
		const struct map_case *c = &map_cases[i];
		struct json_object *doc = jq(c->doc);
		struct fake f = {0};
		struct bs_error err;
		struct buf out;
		int rc;

		buf_init(&out, 0);
		bs_error_clear(&err);
		rc = xero_map_element(c->type, doc, c->ledger_id, fake_resolve, &f, &out, &err);
		if (rc != c->rc)
			fail_msg("%s: rc %d (%s), want %d", c->name, rc, err.msg, c->rc);
		if (rc == BS_OK)
			assert_json(c->name, buf_cstr(&out), out.len, c->want);
		else if (strstr(err.msg, c->want) == NULL)
			fail_msg("%s: message '%s' lacks '%s'", c->name, err.msg, c->want);
		buf_free(&out);
		json_object_put(doc);
	}
}

/* The resolver is asked for exactly the document's symbols, in order. */
static void test_map_asks_for_symbols(void **state)
{
	static const struct {
		enum ledger_doc_type type;
		const char *doc;
		const char *asked[2];
	} cases[] = {
	    {LEDGER_CONTACT, "{'op':'create','name':'A'}", {NULL}},
	    {LEDGER_INVOICE,
	     "{'op':'create','subtype':'sales','contact':'Contact/customer:C-1','lines':[]}",
	     {"Contact/customer:C-1"}},
	    {LEDGER_PAYMENT,
	     "{'op':'create','document':'CreditNote/credit_note:CN-1','amount':'1'}",
	     {"CreditNote/credit_note:CN-1"}},
	    {LEDGER_ALLOCATION,
	     "{'op':'create','credit_note':'CreditNote/store_credit:SC-1',"
	     "'invoice':'Invoice/sale:SO-2','amount':'1'}",
	     {"Invoice/sale:SO-2"}},
	    {LEDGER_BANK_TRANSACTION,
	     "{'op':'create','direction':'spend','contact':'Contact/supplier:SUP-1','lines':[]}",
	     {"Contact/supplier:SUP-1"}},
	    {LEDGER_INVOICE,
	     "{'op':'void','subtype':'sales','contact':'Contact/customer:C-1','lines':[]}",
	     {NULL}},
	    {LEDGER_PURCHASE_ORDER,
	     "{'op':'status','status':'BILLED','contact':'Contact/supplier:SUP-1'}",
	     {NULL}},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct json_object *doc = jq(cases[i].doc);
		struct fake f = {0};
		struct buf out;
		size_t want = 0;

		buf_init(&out, 0);
		assert_int_equal(
		    xero_map_element(cases[i].type, doc, "x", fake_resolve, &f, &out, NULL), BS_OK);
		while (want < N(cases[i].asked) && cases[i].asked[want] != NULL)
			want++;
		assert_int_equal(f.calls, want);
		for (size_t k = 0; k < want; k++)
			assert_string_equal(f.asked[k], cases[i].asked[k]);
		buf_free(&out);
		json_object_put(doc);
	}
}

/* Text is escaped (quotes, backslashes, control bytes) and UTF-8 kept. */
static void test_map_escapes_text(void **state)
{
	static const char *const names[] = {
	    "Smith \"Bros\" Ltd",
	    "C:\\shop\\till",
	    "line\nbreak\tand tab",
	    "bell\x07 and \x1f",
	    "\xc5\x8ctaki Caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x8d\xb5",
	    "</script>",
	    "",
	};

	(void)state;
	for (size_t i = 0; i < N(names); i++) {
		struct json_object *doc = json_object_new_object(), *got, *name;
		struct buf out;

		buf_init(&out, 0);
		json_object_object_add(doc, "op", json_object_new_string("create"));
		json_object_object_add(doc, "name", json_object_new_string(names[i]));
		json_object_object_add(doc, "email", json_object_new_string(names[i]));
		assert_int_equal(
		    xero_map_element(LEDGER_CONTACT, doc, NULL, fake_resolve, NULL, &out, NULL),
		    BS_OK);
		got = parse_strict(buf_cstr(&out), out.len);
		if (got == NULL)
			fail_msg("case %zu: not JSON: %s", i, buf_cstr(&out));
		assert_true(json_object_object_get_ex(got, "Name", &name));
		assert_string_equal(json_object_get_string(name), names[i]);
		assert_true(json_object_object_get_ex(got, "EmailAddress", &name));
		assert_string_equal(json_object_get_string(name), names[i]);
		json_object_put(got);
		json_object_put(doc);
		buf_free(&out);
	}
}

/* The element is appended: what the buffer held stays. */
static void test_map_appends(void **state)
{
	struct json_object *doc = jq("{'op':'create','name':'A'}");
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	assert_int_equal(buf_addstr(&out, "[1,"), BS_OK);
	assert_int_equal(
	    xero_map_element(LEDGER_CONTACT, doc, NULL, fake_resolve, NULL, &out, NULL), BS_OK);
	assert_int_equal(buf_addc(&out, ']'), BS_OK);
	assert_json("appended", buf_cstr(&out), out.len, "[1,{'Name':'A'}]");
	buf_free(&out);
	json_object_put(doc);
}

/* Not a ledger document at all: an unknown type, no document. */
static void test_map_not_a_document(void **state)
{
	struct json_object *doc = jq("{'op':'create','name':'A'}");
	struct bs_error err;
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	bs_error_clear(&err);
	assert_int_equal(
	    xero_map_element(LEDGER_DOC_TYPE_COUNT, doc, NULL, fake_resolve, NULL, &out, &err),
	    BS_EINVAL);
	assert_int_equal(
	    xero_map_element((enum ledger_doc_type) - 1, doc, NULL, fake_resolve, NULL, &out, &err),
	    BS_EINVAL);
	assert_int_equal(
	    xero_map_element(LEDGER_INVOICE, NULL, NULL, fake_resolve, NULL, &out, &err),
	    BS_EINVAL);
	assert_int_equal(err.code, BS_EINVAL);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	json_object_put(doc);
}

/* ------------------------------------------------------------------ */
/* xero_build_request: method, path, the whole body */

struct build_case {
	const char *name;
	enum ledger_doc_type type;
	int rc;
	size_t n;
	const char *doc[BATCH_MAX];
	const char *id[BATCH_MAX]; /* linked ids: NULL for a create */
	const char *method;
	const char *path; /* BS_OK: the path; else: part of the message */
	const char *body;
};

#define CONTACT(name) "{'op':'create','self':'Contact/customer:" name "','name':'" name "'}"
#define INVOICE(num, qty)                                                                          \
	"{'op':'create','subtype':'sales','contact':'Contact/customer:C-1','number':'" num "',"    \
	"'lines':[{'description':'Mug','quantity':'" qty "','unit_amount':'2.5'}]}"
#define INVOICE_X(num, qty)                                                                        \
	"{'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'InvoiceNumber':'" num "',"             \
	"'LineAmountTypes':'Exclusive','LineItems':[{'Description':'Mug','Quantity':" qty ","      \
	"'UnitAmount':2.5}]}"
#define ALLOC(cn, inv, amt)                                                                        \
	"{'op':'create','date':'2026-10-11','credit_note':'" cn "','invoice':'" inv "',"           \
	"'amount':'" amt "'}"
#define BANK(dir, ref)                                                                             \
	"{'op':'create','direction':'" dir "','contact_name':'Bank','bank_account':'090',"         \
	"'reference':'" ref "','lines':[{'description':'Fee','account':'404','amount':'1.25'}]}"
#define BANK_X(dir, ref)                                                                           \
	"{'Type':'" dir "','Contact':{'Name':'Bank'},'BankAccount':{'Code':'090'},"                \
	"'Reference':'" ref "','LineAmountTypes':'Exclusive','LineItems':[{'Description':'Fee',"   \
	"'Quantity':1,'UnitAmount':1.25,'AccountCode':'404'}]}"

/* clang-format off */
static const struct build_case build_cases[] = {
    {"three contacts: PUT, no unitdp", LEDGER_CONTACT, BS_OK, 3,
     {CONTACT("C-7"), CONTACT("C-8"), CONTACT("C-9")}, {NULL},
     "PUT", "/Contacts?summarizeErrors=false",
     "{'Contacts':[{'Name':'C-7'},{'Name':'C-8'},{'Name':'C-9'}]}"},
    {"items: PUT, no unitdp", LEDGER_ITEM, BS_OK, 1,
     {"{'op':'create','code':'SKU-1','name':'Mug'}"}, {NULL},
     "PUT", "/Items?summarizeErrors=false",
     "{'Items':[{'Code':'SKU-1','Name':'Mug','IsTrackedAsInventory':false}]}"},
    {"invoices: PUT with unitdp=4, in the order given", LEDGER_INVOICE, BS_OK, 3,
     {INVOICE("N-3", "3"), INVOICE("N-1", "1"), INVOICE("N-2", "2")}, {NULL},
     "PUT", "/Invoices?summarizeErrors=false&unitdp=4",
     "{'Invoices':[" INVOICE_X("N-3", "3") "," INVOICE_X("N-1", "1") ","
     INVOICE_X("N-2", "2") "]}"},
    {"one update makes the batch a POST", LEDGER_INVOICE, BS_OK, 2,
     {INVOICE("N-4", "1"), INVOICE("N-5", "1")}, {NULL, I2},
     "POST", "/Invoices?summarizeErrors=false&unitdp=4",
     "{'Invoices':[" INVOICE_X("N-4", "1") ",{'InvoiceID':'" I2 "',"
     "'Type':'ACCREC','Contact':{'ContactID':'" C1 "'},'InvoiceNumber':'N-5',"
     "'LineAmountTypes':'Exclusive','LineItems':[{'Description':'Mug','Quantity':1,"
     "'UnitAmount':2.5}]}]}"},
    {"an empty linked id is a create", LEDGER_INVOICE, BS_OK, 1,
     {INVOICE("N-6", "1")}, {""},
     "PUT", "/Invoices?summarizeErrors=false&unitdp=4",
     "{'Invoices':[" INVOICE_X("N-6", "1") "]}"},
    {"void and create together: POST", LEDGER_INVOICE, BS_OK, 2,
     {"{'op':'void','subtype':'sales'}", INVOICE("N-7", "1")}, {I1, NULL},
     "POST", "/Invoices?summarizeErrors=false&unitdp=4",
     "{'Invoices':[{'InvoiceID':'" I1 "','Status':'VOIDED'}," INVOICE_X("N-7", "1") "]}"},
    {"credit notes: unitdp=4", LEDGER_CREDIT_NOTE, BS_OK, 1,
     {"{'op':'create','subtype':'purchases','contact':'Contact/supplier:SUP-1',"
      "'number':'SCN-1','lines':[{'description':'Back','quantity':'1','unit_amount':'1.2345'}]}"},
     {NULL},
     "PUT", "/CreditNotes?summarizeErrors=false&unitdp=4",
     "{'CreditNotes':[{'Type':'ACCPAYCREDIT','Contact':{'ContactID':'" S1 "'},"
     "'CreditNoteNumber':'SCN-1','LineAmountTypes':'Exclusive','LineItems':[{"
     "'Description':'Back','Quantity':1,'UnitAmount':1.2345}]}]}"},
    {"purchase order marked billed: POST, unitdp=4", LEDGER_PURCHASE_ORDER, BS_OK, 1,
     {"{'op':'status','status':'BILLED'}"}, {PO2},
     "POST", "/PurchaseOrders?summarizeErrors=false&unitdp=4",
     "{'PurchaseOrders':[{'PurchaseOrderID':'" PO2 "','Status':'BILLED'}]}"},
    {"bank transactions: unitdp=4", LEDGER_BANK_TRANSACTION, BS_OK, 2,
     {BANK("spend", "MT-1"), BANK("receive", "MT-2")}, {NULL},
     "PUT", "/BankTransactions?summarizeErrors=false&unitdp=4",
     "{'BankTransactions':[" BANK_X("SPEND", "MT-1") "," BANK_X("RECEIVE", "MT-2") "]}"},
    {"manual journals: no unitdp", LEDGER_MANUAL_JOURNAL, BS_OK, 1,
     {"{'op':'create','narration':'J [journal:J-1]','lines':[{'account':'090','amount':'1'},"
      "{'account':'200','amount':'-1'}]}"}, {NULL},
     "PUT", "/ManualJournals?summarizeErrors=false",
     "{'ManualJournals':[{'Narration':'J [journal:J-1]','Status':'POSTED',"
     "'LineAmountTypes':'NoTax','JournalLines':[{'LineAmount':1,'AccountCode':'090'},"
     "{'LineAmount':-1,'AccountCode':'200'}]}]}"},
    {"payments: no unitdp", LEDGER_PAYMENT, BS_OK, 2,
     {"{'op':'create','document':'Invoice/sale:SO-1','amount':'1.50','reference':'P-1'}",
      "{'op':'create','document':'Invoice/sale:SO-2','amount':'2.50','reference':'P-2'}"},
     {NULL},
     "PUT", "/Payments?summarizeErrors=false",
     "{'Payments':[{'Invoice':{'InvoiceID':'" I1 "'},'Amount':1.50,'Reference':'P-1'},"
     "{'Invoice':{'InvoiceID':'" I2 "'},'Amount':2.50,'Reference':'P-2'}]}"},
    {"a payment deleted: POST", LEDGER_PAYMENT, BS_OK, 1,
     {"{'op':'void','document':'Invoice/sale:SO-1','amount':'1.50'}"}, {PY1},
     "POST", "/Payments?summarizeErrors=false",
     "{'Payments':[{'PaymentID':'" PY1 "','Status':'DELETED'}]}"},
    {"allocations of one credit note: its id in the path", LEDGER_ALLOCATION, BS_OK, 3,
     {ALLOC("CreditNote/store_credit:SC-2", "Invoice/sale:SO-1", "5.00"),
      ALLOC("CreditNote/store_credit:SC-2", "Invoice/sale:SO-2", "2.5"),
      ALLOC("CreditNote/store_credit:SC-2", "Invoice/sale:SO-1", "0.01")}, {NULL},
     "PUT", "/CreditNotes/" SC2 "/Allocations?summarizeErrors=false",
     "{'Allocations':[{'Invoice':{'InvoiceID':'" I1 "'},'Amount':5.00,'Date':'2026-10-11'},"
     "{'Invoice':{'InvoiceID':'" I2 "'},'Amount':2.5,'Date':'2026-10-11'},"
     "{'Invoice':{'InvoiceID':'" I1 "'},'Amount':0.01,'Date':'2026-10-11'}]}"},
    {"allocations are always PUT", LEDGER_ALLOCATION, BS_OK, 1,
     {ALLOC("CreditNote/store_credit:SC-1", "Invoice/sale:SO-1", "1")}, {"linked"},
     "PUT", "/CreditNotes/" SC1 "/Allocations?summarizeErrors=false",
     "{'Allocations':[{'Invoice':{'InvoiceID':'" I1 "'},'Amount':1,'Date':'2026-10-11'}]}"},

    {"allocations of two credit notes", LEDGER_ALLOCATION, BS_EINVAL, 2,
     {ALLOC("CreditNote/store_credit:SC-1", "Invoice/sale:SO-1", "1"),
      ALLOC("CreditNote/store_credit:SC-2", "Invoice/sale:SO-1", "1")}, {NULL},
     NULL, "share a credit note", NULL},
    {"an allocation naming no credit note after one that does", LEDGER_ALLOCATION, BS_EINVAL, 2,
     {ALLOC("CreditNote/store_credit:SC-1", "Invoice/sale:SO-1", "1"),
      "{'op':'create','invoice':'Invoice/sale:SO-1','amount':'1'}"}, {NULL},
     NULL, "share a credit note", NULL},
    {"an allocation naming no credit note", LEDGER_ALLOCATION, BS_EINVAL, 1,
     {"{'op':'create','invoice':'Invoice/sale:SO-1','amount':'1'}"}, {NULL},
     NULL, "names no credit note", NULL},
    {"the first allocation names none, the second one", LEDGER_ALLOCATION, BS_EINVAL, 2,
     {"{'op':'create','invoice':'Invoice/sale:SO-1','amount':'1'}",
      ALLOC("CreditNote/store_credit:SC-1", "Invoice/sale:SO-1", "1")}, {NULL},
     NULL, "names no credit note", NULL},
    {"an allocation whose credit note is not text", LEDGER_ALLOCATION, BS_EINVAL, 1,
     {"{'op':'create','credit_note':{'id':'SC-1'},'invoice':'Invoice/sale:SO-1',"
      "'amount':'1'}"}, {NULL},
     NULL, "names no credit note", NULL},
    {"allocations of a credit note not posted", LEDGER_ALLOCATION, BS_ENOTFOUND, 1,
     {ALLOC("CreditNote/store_credit:SC-404", "Invoice/sale:SO-1", "1")}, {NULL},
     NULL, "CreditNote/store_credit:SC-404", NULL},
    {"one element's contact not posted", LEDGER_INVOICE, BS_ENOTFOUND, 3,
     {INVOICE("N-8", "1"),
      "{'op':'create','subtype':'sales','contact':'Contact/customer:C-404','lines':[]}",
      INVOICE("N-9", "1")}, {NULL},
     NULL, "Contact/customer:C-404", NULL},
    {"one element malformed", LEDGER_BANK_TRANSACTION, BS_EINVAL, 2,
     {BANK("spend", "MT-1"), "{'op':'create','direction':'spend'}"}, {NULL},
     NULL, "no lines", NULL},
    {"an empty batch", LEDGER_CONTACT, BS_EINVAL, 0, {NULL}, {NULL}, NULL, "empty", NULL},
};
/* clang-format on */

static void test_build_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(build_cases); i++) {
		const struct build_case *c = &build_cases[i];
		const char *method = NULL;
		struct bs_error err;
		struct batch b;
		struct buf path, body;
		struct fake f = {0};
		int rc;

		batch_init(&b, c->n);
		for (size_t k = 0; k < c->n; k++)
			batch_set(&b, k, c->doc[k], c->id[k]);
		buf_init(&path, 0);
		buf_init(&body, 0);
		/* both buffers are reset first */
		buf_addstr(&path, "/stale?x=1");
		buf_addstr(&body, "{'stale':true}");
		bs_error_clear(&err);
		rc = batch_build(&b, c->type, &f, &method, &path, &body, &err);
		if (rc != c->rc)
			fail_msg("%s: rc %d (%s), want %d", c->name, rc, err.msg, c->rc);
		if (rc == BS_OK) {
			assert_non_null(method);
			assert_string_equal(method, c->method);
			assert_string_equal(buf_cstr(&path), c->path);
			assert_json(c->name, buf_cstr(&body), body.len, c->body);
		} else if (strstr(err.msg, c->path) == NULL) {
			fail_msg("%s: message '%s' lacks '%s'", c->name, err.msg, c->path);
		}
		buf_free(&path);
		buf_free(&body);
		batch_free(&b);
	}
}

/* ------------------------------------------------------------------ */
/* xero_parse_response: each element's verdict, in order */

struct want_elem {
	int status;
	bool warned;
	const char *id;
	const char *number;
	bool has_total;
	int64_t total; /* micros */
	const char *message;
};

struct parse_case {
	const char *name;
	enum ledger_doc_type type;
	int rc;
	size_t n;
	const char *body;
	const char *errmsg; /* rc != BS_OK: part of the message */
	struct want_elem want[3];
};

#define OK_ID(id, num, total)                                                                      \
	{                                                                                          \
		BS_OK, false, id, num, true, total, ""                                             \
	}
#define OK_NO_TOTAL(id, num)                                                                       \
	{                                                                                          \
		BS_OK, false, id, num, false, 0, ""                                                \
	}
#define REFUSED(num, has, tot, msg)                                                                \
	{                                                                                          \
		BS_EINVAL, false, "", num, has, tot, msg                                           \
	}
#define ENVELOPE                                                                                   \
	"'Id':'45dfa608-0fcb-4f30-a377-c82cd348569c','Status':'OK','ProviderName':'booksync',"     \
	"'DateTimeUTC':'/Date(1552595972952)/',"

/* clang-format off */
static const struct parse_case parse_cases[] = {
    /* the spec's PUT /Invoices example answer */
    {"an invoice accepted", LEDGER_INVOICE, BS_OK, 1,
     "{" ENVELOPE "'Invoices':[{'Type':'ACCREC','InvoiceID':'ed255415-e141-4150-aab7-"
     "89c3bbbb851c','InvoiceNumber':'INV-0007','Reference':'Website Design','Status':"
     "'AUTHORISED','LineAmountTypes':'Exclusive','LineItems':[{'Description':'Acme Tires',"
     "'UnitAmount':20.00,'TaxType':'NONE','TaxAmount':0.00,'LineAmount':40.00,'AccountCode':"
     "'200','Quantity':2.0000,'ValidationErrors':[]}],'SubTotal':40.00,'TotalTax':0.00,"
     "'Total':40.00,'HasErrors':false,'StatusAttributeString':'OK'}]}",
     NULL,
     {OK_ID("ed255415-e141-4150-aab7-89c3bbbb851c", "INV-0007", 40000000)}},
    {"three invoices answered in the order sent", LEDGER_INVOICE, BS_OK, 3,
     "{'Invoices':[{'InvoiceID':'id-c','InvoiceNumber':'N-3','Total':7.50},"
     "{'InvoiceID':'id-a','InvoiceNumber':'N-1','Total':2.50},"
     "{'InvoiceID':'id-b','InvoiceNumber':'N-2','Total':5}]}",
     NULL,
     {OK_ID("id-c", "N-3", 7500000), OK_ID("id-a", "N-1", 2500000),
      OK_ID("id-b", "N-2", 5000000)}},
    {"refused, accepted, warned: each its own verdict", LEDGER_INVOICE, BS_OK, 3,
     "{'Invoices':[{'InvoiceID':'00000000-0000-0000-0000-000000000000','InvoiceNumber':'N-1',"
     "'HasErrors':true,'StatusAttributeString':'ERROR','ValidationErrors':[{'Message':"
     "'Account code `201` is not a valid code for this document.'}]},"
     "{'InvoiceID':'id-2','InvoiceNumber':'N-2','Total':-3.10,'StatusAttributeString':'OK'},"
     "{'InvoiceID':'id-3','InvoiceNumber':'N-3','Total':1234567.891,"
     "'StatusAttributeString':'WARNING','Warnings':[{'Message':'Tracking removed'}]}]}",
     NULL,
     {REFUSED("N-1", false, 0, "Account code '201' is not a valid code for this document."),
      OK_ID("id-2", "N-2", -3100000),
      {BS_OK, true, "id-3", "N-3", true, 1234567891000, "warning: Tracking removed"}}},
    {"two validation errors, joined", LEDGER_INVOICE, BS_OK, 1,
     "{'Invoices':[{'InvoiceNumber':'N-1','HasErrors':true,'StatusAttributeString':'ERROR',"
     "'ValidationErrors':[{'Message':'Invoice # must be unique.'},"
     "{'Message':'The document date cannot be before the period lock date, currently set at "
     "2026-09-30'}]}]}",
     NULL,
     {REFUSED("N-1", false, 0, "Invoice # must be unique.; The document date cannot be before "
              "the period lock date, currently set at 2026-09-30")}},
    {"line-level errors count, after the element's", LEDGER_INVOICE, BS_OK, 1,
     "{'Invoices':[{'InvoiceNumber':'N-1','Total':10.00,'ValidationErrors':[{'Message':"
     "'Element error'}],'LineItems':[{'ValidationErrors':[{'Message':'Account must be valid.'}]},"
     "{'ValidationErrors':[]},{'ValidationErrors':[{'Message':'Tax rate must be valid.'}]}]}]}",
     NULL,
     {REFUSED("N-1", true, 10000000,
              "Element error; Account must be valid.; Tax rate must be valid.")}},
    {"only a line's error refuses the element", LEDGER_CREDIT_NOTE, BS_OK, 1,
     "{'CreditNotes':[{'CreditNoteID':'cn-1','CreditNoteNumber':'CN-1','LineItems':[{"
     "'ValidationErrors':[{'Message':'Description must be at least 1 character long'}]}]}]}",
     NULL,
     {REFUSED("CN-1", false, 0, "Description must be at least 1 character long")}},
    {"HasErrors without a message", LEDGER_INVOICE, BS_OK, 1,
     "{'Invoices':[{'InvoiceID':'id-1','InvoiceNumber':'N-1','HasErrors':true}]}",
     NULL, {REFUSED("N-1", false, 0, "")}},
    {"StatusAttributeString ERROR alone", LEDGER_BANK_TRANSACTION, BS_OK, 1,
     "{'BankTransactions':[{'BankTransactionID':'bt-1','Total':20.00,"
     "'StatusAttributeString':'ERROR'}]}",
     NULL, {REFUSED("", true, 20000000, "")}},
    /* the spec's PurchaseOrders example: an error and a warning */
    {"a validation error and a warning", LEDGER_PURCHASE_ORDER, BS_OK, 1,
     "{'PurchaseOrders':[{'PurchaseOrderID':'56204648-8fbe-46f8-b09c-2125f7939533',"
     "'PurchaseOrderNumber':'PO-0004','Type':'PURCHASEORDER','Status':'DRAFT','Total':23.00,"
     "'HasErrors':false,'StatusAttributeString':'ERROR','Warnings':[{'Message':'Only AUTHORISED "
     "and BILLED purchase orders may have SentToContact updated.'}],'ValidationErrors':[{"
     "'Message':'Order number must be unique'}]}]}",
     NULL,
     {{BS_EINVAL, true, "", "PO-0004", true, 23000000,
       "Order number must be unique; warning: Only AUTHORISED and BILLED purchase orders may "
       "have SentToContact updated."}}},
    /* the spec's ManualJournals example, without its validation error */
    {"a journal accepted with a warning", LEDGER_MANUAL_JOURNAL, BS_OK, 1,
     "{'ManualJournals':[{'Date':'/Date(1552521600000+0000)/','Status':'POSTED',"
     "'LineAmountTypes':'NoTax','ManualJournalID':'d312dd5e-a53e-46d1-9d51-c569ef4570b7',"
     "'Narration':'Foo bar','JournalLines':[],'Warnings':[{'Message':'Account code `476` has "
     "been removed as it does not match a recognised account.'},{'Message':'Second'}],"
     "'ValidationErrors':[]}]}",
     NULL,
     {{BS_OK, true, "d312dd5e-a53e-46d1-9d51-c569ef4570b7", "", false, 0,
       "warning: Account code '476' has been removed as it does not match a recognised "
       "account.; warning: Second"}}},
    {"empty Warnings are no warning", LEDGER_INVOICE, BS_OK, 1,
     "{'Invoices':[{'InvoiceID':'id-1','InvoiceNumber':'N-1','Total':1,'Warnings':[],"
     "'ValidationErrors':[]}]}",
     NULL, {OK_ID("id-1", "N-1", 1000000)}},
    {"a contact: its number is its name, no total", LEDGER_CONTACT, BS_OK, 2,
     "{'Contacts':[{'ContactID':'3ff6d40c-af9a-40a3-89ce-3c1556a25591','ContactStatus':"
     "'ACTIVE','Name':'Foo9987','HasValidationErrors':false},{'ContactID':'c-2','Name':"
     "'Aroha Ltd','ValidationErrors':[{'Message':'The contact name Aroha Ltd is already "
     "assigned to another contact. The contact name must be unique across all active "
     "contacts.'}]}]}",
     NULL,
     {OK_NO_TOTAL("3ff6d40c-af9a-40a3-89ce-3c1556a25591", "Foo9987"),
      REFUSED("Aroha Ltd", false, 0, "The contact name Aroha Ltd is already assigned to "
              "another contact. The contact name must be unique across all active contacts.")}},
    {"an item: its number is its code", LEDGER_ITEM, BS_OK, 1,
     "{'Items':[{'ItemID':'a4544d51-48f6-441f-a623-99ecbced6ab7','Code':'SKU-1',"
     "'Name':'Blue mug','IsTrackedAsInventory':false}]}",
     NULL, {OK_NO_TOTAL("a4544d51-48f6-441f-a623-99ecbced6ab7", "SKU-1")}},
    {"credit note: CreditNoteNumber and Total", LEDGER_CREDIT_NOTE, BS_OK, 1,
     "{'CreditNotes':[{'CreditNoteID':'f9256f04-5a99-4680-acb9-6b4639cc439a',"
     "'CreditNoteNumber':'CN-0001','Type':'ACCPAYCREDIT','Status':'AUTHORISED',"
     "'Total':46.00,'StatusAttributeString':'OK'}]}",
     NULL, {OK_ID("f9256f04-5a99-4680-acb9-6b4639cc439a", "CN-0001", 46000000)}},
    {"purchase order: its number", LEDGER_PURCHASE_ORDER, BS_OK, 1,
     "{'PurchaseOrders':[{'PurchaseOrderID':'po-1','PurchaseOrderNumber':'PO-0001',"
     "'Total':27.00,'HasErrors':false}]}",
     NULL, {OK_ID("po-1", "PO-0001", 27000000)}},
    {"a payment's total is its Amount", LEDGER_PAYMENT, BS_OK, 2,
     "{'Payments':[{'PaymentID':'61ed71fc-01bf-4eb8-8419-8a18789ff45f','Amount':25.39,"
     "'Status':'AUTHORISED','Reference':'PAY-1'},{'PaymentID':'61ed71fc-0000',"
     "'Amount':1.00,'Status':'AUTHORISED','ValidationErrors':[{'Message':'Payment amount "
     "exceeds the amount outstanding on this document'}]}]}",
     NULL,
     {OK_ID("61ed71fc-01bf-4eb8-8419-8a18789ff45f", "", 25390000),
      REFUSED("", true, 1000000,
              "Payment amount exceeds the amount outstanding on this document")}},
    {"a bank transaction: Total, no number", LEDGER_BANK_TRANSACTION, BS_OK, 1,
     "{'BankTransactions':[{'BankTransactionID':'1289c190-e46d-434b-9628-463ffdb52f00',"
     "'Type':'SPEND','Reference':'MT-2','Status':'AUTHORISED','Total':20.00,"
     "'StatusAttributeString':'OK'}]}",
     NULL, {OK_ID("1289c190-e46d-434b-9628-463ffdb52f00", "", 20000000)}},
    {"an allocation with its id", LEDGER_ALLOCATION, BS_OK, 1,
     "{'Allocations':[{'AllocationID':'al-1','Amount':5.00,'Date':'/Date(1551744000000+0000)/',"
     "'Invoice':{'InvoiceID':'" I1 "','HasErrors':false},'CreditNote':{'CreditNoteID':'"
     SC1 "'},'ValidationErrors':[]}]}",
     NULL, {OK_ID("al-1", "", 5000000)}},
    {"a total of more than micros is no total", LEDGER_INVOICE, BS_OK, 2,
     "{'Invoices':[{'InvoiceID':'id-1','Total':1.0000001},{'InvoiceID':'id-2',"
     "'Total':'n/a'}]}",
     NULL, {OK_NO_TOTAL("id-1", ""), OK_NO_TOTAL("id-2", "")}},
    {"accepted without an id is refused", LEDGER_INVOICE, BS_OK, 1,
     "{'Invoices':[{'InvoiceNumber':'N-1','Total':1.00,'StatusAttributeString':'OK'}]}",
     NULL,
     {REFUSED("N-1", true, 1000000, "Xero accepted the element but returned no id")}},
    {"no elements asked, none answered", LEDGER_CONTACT, BS_OK, 0, "{'Contacts':[]}", NULL,
     {{0}}},

    /* bodies Xero would not send for a batch */
    {"not JSON", LEDGER_INVOICE, BS_EPROTO, 1, "The Xero API is currently offline for maintenance",
     "no Invoices list", {{0}}},
    {"an empty body", LEDGER_INVOICE, BS_EPROTO, 1, "", "no Invoices list", {{0}}},
    {"cut short", LEDGER_INVOICE, BS_EPROTO, 1, "{'Invoices':[{'InvoiceID':'id-1'",
     "no Invoices list", {{0}}},
    {"another collection", LEDGER_INVOICE, BS_EPROTO, 1, "{'CreditNotes':[{'CreditNoteID':'x'}]}",
     "no Invoices list", {{0}}},
    {"the collection is not a list", LEDGER_PAYMENT, BS_EPROTO, 1,
     "{'Payments':{'PaymentID':'x'}}", "no Payments list", {{0}}},
    {"a list, not an object", LEDGER_CONTACT, BS_EPROTO, 1, "[{'ContactID':'x'}]",
     "no Contacts list", {{0}}},
    {"null", LEDGER_ITEM, BS_EPROTO, 1, "null", "no Items list", {{0}}},
    /* what a 400 for the whole request carries (FACTS §6) */
    {"a ValidationException", LEDGER_INVOICE, BS_EPROTO, 1,
     "{'ErrorNumber':10,'Type':'ValidationException','Message':'A validation exception "
     "occurred','Elements':[{'InvoiceID':'x','ValidationErrors':[{'Message':'m'}]}]}",
     "no Invoices list", {{0}}},
    {"a problem document (401)", LEDGER_ALLOCATION, BS_EPROTO, 1,
     "{'Type':null,'Title':'Unauthorized','Status':401,'Detail':'AuthenticationUnsuccessful'}",
     "no Allocations list", {{0}}},
    {"fewer answers than elements", LEDGER_INVOICE, BS_EPROTO, 2,
     "{'Invoices':[{'InvoiceID':'id-1'}]}",
     "sent 2 Invoices, Xero answered for 1", {{0}}},
    {"more answers than elements", LEDGER_CONTACT, BS_EPROTO, 1,
     "{'Contacts':[{'ContactID':'a'},{'ContactID':'b'}]}",
     "sent 1 Contacts, Xero answered for 2", {{0}}},
    {"no answers", LEDGER_MANUAL_JOURNAL, BS_EPROTO, 3, "{'ManualJournals':[]}",
     "sent 3 ManualJournals, Xero answered for 0", {{0}}},

    /* a type that is none: refused before anything is read */
    {"a type past the last", LEDGER_DOC_TYPE_COUNT, BS_EINVAL, 1,
     "{'Invoices':[{'InvoiceID':'id-1'}]}", "not a ledger document type", {{0}}},
    {"a negative type", (enum ledger_doc_type)-1, BS_EINVAL, 1,
     "{'Invoices':[{'InvoiceID':'id-1'}]}", "not a ledger document type", {{0}}},
};
/* clang-format on */

static void check_elem(const char *name, size_t i, const struct ledger_elem *e,
                       const struct want_elem *w)
{
	if (e->status != w->status || e->warned != w->warned || strcmp(e->id, w->id) != 0 ||
	    strcmp(e->number, w->number) != 0 || e->has_total != w->has_total ||
	    (w->has_total && e->total != w->total) ||
	    strcmp(buf_cstr(&e->message), w->message) != 0)
		fail_msg("%s: element %zu: status %d warned %d id '%s' number '%s' total %d/%lld "
		         "message '%s'\n want status %d warned %d id '%s' number '%s' total "
		         "%d/%lld message '%s'",
		         name, i, e->status, e->warned, e->id, e->number, e->has_total,
		         (long long)e->total, buf_cstr(&e->message), w->status, w->warned, w->id,
		         w->number, w->has_total, (long long)w->total, w->message);
}

static void test_parse_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		char *body = js(c->body);
		struct bs_error err;
		struct batch b;
		int rc;

		batch_init(&b, c->n);
		bs_error_clear(&err);
		rc = batch_parse(&b, c->type, body, strlen(body), &err);
		if (rc != c->rc)
			fail_msg("%s: rc %d (%s), want %d", c->name, rc, err.msg, c->rc);
		if (rc != BS_OK && strstr(err.msg, c->errmsg) == NULL)
			fail_msg("%s: message '%s' lacks '%s'", c->name, err.msg, c->errmsg);
		for (size_t k = 0; rc == BS_OK && k < c->n; k++)
			check_elem(c->name, k, &b.e[k], &c->want[k]);
		batch_free(&b);
		free(body);
	}
}

/* Only body[0..len) is read: it need not end in a NUL, and a body cut
 * short inside a longer buffer is cut short. */
static void test_parse_reads_len_bytes(void **state)
{
	static const char text[] = "{\"Invoices\":[{\"InvoiceID\":\"id-1\"}]}";
	size_t len = sizeof(text) - 1;
	char *body = malloc(len); /* exactly the answer: ASan sees any read past it */
	struct batch b;

	(void)state;
	assert_non_null(body);
	memcpy(body, text, len);
	batch_init(&b, 1);
	assert_int_equal(batch_parse(&b, LEDGER_INVOICE, body, len, NULL), BS_OK);
	assert_string_equal(b.e[0].id, "id-1");
	assert_int_equal(batch_parse(&b, LEDGER_INVOICE, text, len - 2, NULL), BS_EPROTO);
	batch_free(&b);
	free(body);
}

/* Elements read twice (a retry): nothing of the first answer stays. */
static void test_parse_overwrites(void **state)
{
	char *refused = js("{'Invoices':[{'InvoiceID':'x','InvoiceNumber':'N-1','Total':5,"
	                   "'ValidationErrors':[{'Message':'no'}],'Warnings':[{'Message':'w'}]}]}");
	char *accepted = js("{'Invoices':[{'InvoiceID':'id-9'}]}");
	struct want_elem first = {BS_EINVAL, true, "", "N-1", true, 5000000, "no; warning: w"};
	struct want_elem second = OK_NO_TOTAL("id-9", "");
	struct batch b;

	(void)state;
	batch_init(&b, 1);
	assert_int_equal(batch_parse(&b, LEDGER_INVOICE, refused, strlen(refused), NULL), BS_OK);
	check_elem("first", 0, &b.e[0], &first);
	assert_int_equal(batch_parse(&b, LEDGER_INVOICE, accepted, strlen(accepted), NULL), BS_OK);
	check_elem("second", 0, &b.e[0], &second);
	batch_free(&b);
	free(refused);
	free(accepted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_map_cases),          cmocka_unit_test(test_map_asks_for_symbols),
	    cmocka_unit_test(test_map_escapes_text),   cmocka_unit_test(test_map_appends),
	    cmocka_unit_test(test_map_not_a_document), cmocka_unit_test(test_build_cases),
	    cmocka_unit_test(test_parse_cases),        cmocka_unit_test(test_parse_reads_len_bytes),
	    cmocka_unit_test(test_parse_overwrites),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
