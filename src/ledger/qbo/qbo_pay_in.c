/*
 * qbo_pay_in.c - QuickBooks Online's half of the inbound payment import
 * (ledger.h payments_get / payments_parse; docs/inbound.md "Reading the
 * ledger").
 *
 * Page 1 after a first run is Change Data Capture (GET /cdc?entities=
 * Payment&changedSince=...): one call for what changed, deleted payments
 * included.  CDC answers at most 1000 objects in no stated order and has
 * no paging, so a full CDC answer is not the whole change: the pass goes
 * on with the query `SELECT * FROM Payment WHERE MetaData.LastUpdatedTime
 * > since ORDERBY MetaData.LastUpdatedTime`, QBO_PAY_PAGE a page from page
 * 2, whose last row is a key.  The first run ever (since 0) only queries.
 */
#include "ledger/qbo/qbo.h"

#include "core/civil.h"
#include "core/jsonr.h"
#include "core/money.h"
#include "http/client.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define QBO_PAY_PAGE 1000
#define QBO_CDC_MAX  1000 /* QBO's cap on a CDC answer */

/* Whether `page` of a pass from since_ms is the CDC call. */
static bool is_cdc(int64_t since_ms, int64_t page)
{
	return since_ms > 0 && page <= 1;
}

/* The query page's STARTPOSITION (from 1). */
static int64_t start_of(int64_t since_ms, int64_t page)
{
	int64_t first = since_ms > 0 ? 2 : 1;

	return (page > first ? page - first : 0) * QBO_PAY_PAGE + 1;
}

int qbo_payments_get(struct qbo_conn *q, int64_t since_ms, int64_t page, struct buf *body,
                     struct ledger_call *call, struct bs_error *err)
{
	char since[40];
	struct buf stmt, path;
	int rc;

	civil_format(since_ms, true, since, sizeof(since));
	buf_init(&stmt, 1024);
	buf_init(&path, 4096);
	if (is_cdc(since_ms, page)) {
		rc = buf_printf(&path, "/cdc?entities=Payment&changedSince=%sZ", since);
	} else {
		rc = buf_addstr(&stmt, "SELECT * FROM Payment");
		if (rc == BS_OK && since_ms > 0)
			rc = buf_printf(&stmt, " WHERE MetaData.LastUpdatedTime > '%sZ'", since);
		if (rc == BS_OK)
			rc = buf_printf(&stmt,
			                " ORDERBY MetaData.LastUpdatedTime STARTPOSITION %lld "
			                "MAXRESULTS %d",
			                (long long)start_of(since_ms, page), QBO_PAY_PAGE);
		if (rc == BS_OK)
			rc = buf_addstr(&path, "/query?query=");
		if (rc == BS_OK)
			rc = http_url_encode(&path, buf_cstr(&stmt));
	}
	if (rc != BS_OK)
		rc = bs_error_set(err, rc, "out of memory");
	else
		rc = qbo_get(q, buf_cstr(&path), body, call, err);
	buf_free(&stmt);
	buf_free(&path);
	return rc;
}

static const char *str_or_empty(struct json_object *o, const char *key)
{
	const char *s = jsonr_str(o, key);

	return s != NULL ? s : "";
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return o != NULL && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The invoice a payment's lines name: the first Invoice LinkedTxn; *split
 * when lines name more than one document. */
static const char *linked_invoice(struct json_object *el, bool *split)
{
	struct json_object *lines = get(el, "Line");
	const char *inv = "";
	size_t docs = 0;

	for (size_t i = 0; lines != NULL && i < json_object_array_length(lines); i++) {
		struct json_object *lt = get(json_object_array_get_idx(lines, i), "LinkedTxn");

		for (size_t j = 0; lt != NULL && j < json_object_array_length(lt); j++) {
			struct json_object *t = json_object_array_get_idx(lt, j);

			docs++;
			if (inv[0] == '\0' && strcmp(str_or_empty(t, "TxnType"), "Invoice") == 0)
				inv = str_or_empty(t, "TxnId");
		}
	}
	*split = docs > 1;
	return inv;
}

static int one(struct json_object *el, struct ledger_payment *p, struct bs_error *err)
{
	const char *amount = jsonr_str(el, "TotalAmt");

	memset(p, 0, sizeof(*p));
	p->id = str_or_empty(el, "Id");
	p->deleted = strcmp(str_or_empty(el, "status"), "Deleted") == 0;
	if (p->id[0] == '\0' ||
	    civil_parse(jsonr_str(get(el, "MetaData"), "LastUpdatedTime"), &p->updated_ms) != BS_OK)
		return bs_error_set(err, BS_EPROTO, "QBO payment %s: no id or update time", p->id);
	p->contact_id = str_or_empty(get(el, "CustomerRef"), "value");
	p->currency = str_or_empty(get(el, "CurrencyRef"), "value");
	p->date = str_or_empty(el, "TxnDate");
	p->invoice_id = linked_invoice(el, &p->split);
	p->receivable = true; /* a Payment is always a customer's (a bill's is BillPayment) */
	if (!p->deleted && (amount == NULL || money_parse_fixed(amount, strlen(amount), MONEY_DP,
	                                                        MONEY_DP, &p->amount) != BS_OK))
		return bs_error_set(err, BS_EPROTO, "QBO payment %s: no TotalAmt", p->id);
	return BS_OK;
}

/* The Payment array of a query or CDC answer, or NULL. */
static struct json_object *payments_of(struct json_object *root, bool cdc)
{
	struct json_object *qr;

	if (!cdc)
		return get(get(root, "QueryResponse"), "Payment");
	qr = get(root, "CDCResponse");
	if (qr == NULL || !json_object_is_type(qr, json_type_array) ||
	    json_object_array_length(qr) == 0)
		return NULL;
	qr = get(json_object_array_get_idx(qr, 0), "QueryResponse");
	for (size_t i = 0; qr != NULL && i < json_object_array_length(qr); i++) {
		struct json_object *a = get(json_object_array_get_idx(qr, i), "Payment");

		if (a != NULL)
			return a;
	}
	return NULL;
}

int qbo_payments_parse(int64_t since_ms, int64_t page, const char *body, size_t len,
                       ledger_payment_fn each, void *arg, struct ledger_pay_page *pg,
                       struct bs_error *err)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root = NULL, *arr;
	bool cdc = is_cdc(since_ms, page);
	int rc = BS_OK;

	memset(pg, 0, sizeof(*pg));
	pg->sorted = !cdc;
	pg->key_page = 2; /* after a key, query pages (the CDC would answer the same again) */
	if (tok == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (root == NULL || (!cdc && get(root, "QueryResponse") == NULL) ||
	    (cdc && get(root, "CDCResponse") == NULL)) {
		rc = bs_error_set(err, BS_EPROTO, "QBO's payments answer is not a %s response",
		                  cdc ? "CDC" : "query");
		goto out;
	}
	arr = payments_of(root, cdc);
	pg->n = arr != NULL && json_object_is_type(arr, json_type_array)
	            ? json_object_array_length(arr)
	            : 0;
	pg->full = pg->n >= (cdc ? QBO_CDC_MAX : QBO_PAY_PAGE);
	for (size_t i = 0; i < pg->n && rc == BS_OK; i++) {
		struct ledger_payment p;

		rc = one(json_object_array_get_idx(arr, i), &p, err);
		if (rc != BS_OK)
			break;
		rc = ledger_pay_page_take(pg, &p, each, arg);
	}
out:
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}
