/*
 * xero_pay.c - Xero's half of the inbound payment import (ledger.h
 * payments_get / payments_parse; docs/inbound.md "Reading the ledger").
 *
 * GET Payments with If-Modified-Since, oldest change first, a page of
 * XERO_PAY_PAGE at a time: sorted by UpdatedDateUTC, so the last payment's
 * time is a key the next page can start after (no page number to drift
 * when payments change mid-pass).
 */
#include "ledger/xero/xero.h"

#include "core/civil.h"
#include "core/jsonr.h"
#include "core/money.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define XERO_PAY_PAGE 1000

int xero_payments_get(struct xero_conn *x, int64_t since_ms, int64_t page, struct buf *body,
                      struct ledger_call *call, struct bs_error *err)
{
	char path[160], since[40];

	snprintf(path, sizeof(path), "/Payments?page=%lld&pageSize=%d&order=UpdatedDateUTC%%20ASC",
	         (long long)(page < 1 ? 1 : page), XERO_PAY_PAGE);
	civil_format(since_ms, true, since, sizeof(since));
	return xero_get_since(x, path, since_ms > 0 ? since : NULL, body, call, err);
}

static const char *str_or_empty(struct json_object *o, const char *key)
{
	const char *s = jsonr_str(o, key);

	return s != NULL ? s : "";
}

/* One element of Payments[] into p (strings borrowed from el). */
static int one(struct json_object *el, struct ledger_payment *p, char *date, size_t dcap,
               struct bs_error *err)
{
	struct json_object *inv = NULL, *contact = NULL;
	const char *amount = jsonr_str(el, "Amount"), *d = jsonr_str(el, "Date");
	const char *type = str_or_empty(el, "PaymentType");
	int64_t dms;

	memset(p, 0, sizeof(*p));
	json_object_object_get_ex(el, "Invoice", &inv);
	if (inv != NULL)
		json_object_object_get_ex(inv, "Contact", &contact);
	p->id = str_or_empty(el, "PaymentID");
	p->invoice_id = str_or_empty(inv, "InvoiceID");
	p->contact_id = str_or_empty(contact, "ContactID");
	p->currency = str_or_empty(inv, "CurrencyCode");
	p->deleted = strcmp(str_or_empty(el, "Status"), "DELETED") == 0;
	p->receivable = strcmp(type, "ACCRECPAYMENT") == 0 && inv != NULL;
	if (p->id[0] == '\0' || amount == NULL ||
	    money_parse_fixed(amount, strlen(amount), MONEY_DP, MONEY_DP, &p->amount) != BS_OK ||
	    civil_parse(jsonr_str(el, "UpdatedDateUTC"), &p->updated_ms) != BS_OK)
		return bs_error_set(err, BS_EPROTO, "Xero payment %s: no id, amount or update time",
		                    p->id);
	date[0] = '\0';
	if (civil_parse(d, &dms) == BS_OK) {
		civil_format(dms, true, date, dcap);
		date[dcap > 10 ? 10 : dcap - 1] = '\0';
	}
	p->date = date;
	return BS_OK;
}

int xero_payments_parse(int64_t since_ms, int64_t page, const char *body, size_t len,
                        ledger_payment_fn each, void *arg, struct ledger_pay_page *pg,
                        struct bs_error *err)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root = NULL, *arr = NULL;
	int rc = BS_OK;

	(void)since_ms;
	(void)page;
	memset(pg, 0, sizeof(*pg));
	pg->sorted = true;
	pg->key_page = 1;
	if (tok == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	if (len == 0) /* 304: nothing changed since */
		goto out;
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (root == NULL || !json_object_object_get_ex(root, "Payments", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		rc = bs_error_set(err, BS_EPROTO, "Xero's Payments answer has no Payments list");
		goto out;
	}
	pg->n = json_object_array_length(arr);
	pg->full = pg->n >= XERO_PAY_PAGE;
	for (size_t i = 0; i < pg->n && rc == BS_OK; i++) {
		struct ledger_payment p;
		char date[40];

		rc = one(json_object_array_get_idx(arr, i), &p, date, sizeof(date), err);
		if (rc != BS_OK)
			break;
		rc = ledger_pay_page_take(pg, &p, each, arg);
	}
out:
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}
