/*
 * qbo_map_pay.c - money applied to documents, in QuickBooks Online's forms:
 *
 *   payment of a sale's invoice       Payment, LinkedTxn Invoice
 *   payment of a bill                 BillPayment (Check), LinkedTxn Bill
 *   a customer credit note paid out   Purchase to the customer, on A/R
 *   a supplier credit paid back       Deposit from the vendor, on A/P
 *   allocation (credit to invoice)    Payment of 0: the Invoice and the
 *                                     CreditMemo linked for the same amount
 *
 * Each carries a PrivateNote marker naming the record and the document it
 * pays: the natural key that finds it after a crash (one record may pay
 * several documents).  Pure: no I/O.  docs/mapping-qbo.md, "Payments".
 */
#include "ledger/qbo/qbo_paper.h"

#include "core/jsonr.h"
#include "core/jsonw.h"
#include "core/money.h"

#include <json-c/json.h>
#include <string.h>

/* The party of a payment: its "contact" symbol (the planner names it;
 * QBO needs the customer or vendor a payment is from). */
static const char *party(struct qbo_w *w, struct json_object *doc)
{
	const char *c = jsonr_str(doc, "contact");

	if (c == NULL)
		bs_error_set(w->err, BS_EINVAL,
		             "a payment for QuickBooks Online must name its contact (the "
		             "customer or supplier of %s)",
		             jsonr_str(doc, "document") ? jsonr_str(doc, "document")
		                                        : jsonr_str(doc, "invoice"));
	return c;
}

/* The amount of a payment, as exact text (> 0). */
static const char *amount_of(struct qbo_w *w, struct json_object *doc, int64_t *v)
{
	const char *a = jsonr_str(doc, "amount");

	if (a == NULL || money_parse_fixed(a, strlen(a), MONEY_DP, 2, v) != BS_OK || *v <= 0) {
		bs_error_set(w->err, BS_EINVAL, "amount '%s' is not a positive amount of cents",
		             a ? a : "(none)");
		return NULL;
	}
	return a;
}

/* {"Amount":a,"LinkedTxn":[{"TxnId":id,"TxnType":t}]} for a symbol. */
static int linked_line(struct qbo_w *w, bool first, int64_t amount, const char *symbol,
                       const char *txn_type)
{
	struct qbo_w lw = {w->out, w->resolve, w->arg, w->err, 0};
	char id[LEDGER_ID_MAX];
	int rc;

	if (symbol == NULL)
		return bs_error_set(w->err, BS_EINVAL, "a payment names no document");
	if (w->resolve(w->arg, symbol, id) != BS_OK)
		return bs_error_set(w->err, BS_ENOTFOUND, "%s is not posted yet", symbol);
	rc = buf_addstr(w->out, first ? "{" : ",{");
	if (rc == BS_OK)
		rc = qbo_w_micros(&lw, "Amount", amount, 2);
	if (rc == BS_OK)
		rc = qbo_w_raw(&lw, "LinkedTxn", "[{");
	if (rc == BS_OK)
		rc = jsonw_kv_str(w->out, 0, "TxnId", id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(w->out, 1, "TxnType", txn_type);
	if (rc == BS_OK)
		rc = buf_addstr(w->out, "}]}");
	return rc;
}

static int put_marker(struct qbo_w *w, struct json_object *doc)
{
	struct buf note;
	int rc;

	buf_init(&note, 8192);
	rc = qbo_marker(&note, doc);
	if (rc == BS_OK)
		rc = qbo_w_bounded(w, "PrivateNote", buf_cstr(&note), QBO_PRIVATENOTE_MAX);
	else
		rc = bs_error_set(w->err, rc, "a payment needs its self symbol");
	buf_free(&note);
	return rc;
}

/*
 * A credit note paid out.  QBO has no refund of a credit memo by API: an
 * accountant writes a cheque (an expense) to the customer on Accounts
 * Receivable, and a supplier's refund is a deposit on Accounts Payable; the
 * open credit is then matched to it in QuickBooks.  The A/R or A/P account
 * is "receivable_account" / "payable_account" of the document, else the
 * account QBO names "Accounts Receivable (A/R)" / "Accounts Payable (A/P)"
 * in every company (accounts resolve by name as by number).
 */
static int map_refund(struct qbo_w *w, struct json_object *doc, const char *who, bool vendor,
                      int64_t amount)
{
	const char *acct = jsonr_str(doc, vendor ? "payable_account" : "receivable_account");
	const char *dt = vendor ? "DepositLineDetail" : "AccountBasedExpenseLineDetail";
	struct qbo_w lw = {w->out, w->resolve, w->arg, w->err, 0};
	struct qbo_w dw = {w->out, w->resolve, w->arg, w->err, 0};
	int rc = qbo_w_str(w, "TxnDate", jsonr_str(doc, "date"));

	if (acct == NULL)
		acct = vendor ? "Accounts Payable (A/P)" : "Accounts Receivable (A/R)";
	if (rc == BS_OK)
		rc = put_marker(w, doc);
	if (rc == BS_OK)
		rc = qbo_w_code_ref(w, vendor ? "DepositToAccountRef" : "AccountRef",
		                    QBO_SYM_ACCOUNT, jsonr_str(doc, "account"));
	if (rc == BS_OK && !vendor)
		rc = qbo_w_str(w, "PaymentType", "Cash");
	if (rc == BS_OK && !vendor)
		rc = qbo_w_entity(w, "EntityRef", who);
	if (rc == BS_OK)
		rc = qbo_w_currency(w, doc);
	if (rc == BS_OK)
		rc = qbo_w_raw(w, "Line", "[{");
	if (rc == BS_OK)
		rc = qbo_w_str(&lw, "Description", "Refund of credit");
	if (rc == BS_OK)
		rc = qbo_w_micros(&lw, "Amount", amount, 2);
	if (rc == BS_OK)
		rc = qbo_w_str(&lw, "DetailType", dt);
	if (rc == BS_OK)
		rc = qbo_w_raw(&lw, dt, "{");
	if (rc == BS_OK && vendor)
		rc = qbo_w_entity(&dw, "Entity", who);
	if (rc == BS_OK)
		rc = qbo_w_code_ref(&dw, "AccountRef", QBO_SYM_ACCOUNT, acct);
	if (rc == BS_OK && !vendor)
		rc = qbo_w_ref(&dw, "CustomerRef", who);
	if (rc == BS_OK)
		rc = buf_addstr(w->out, "}}]");
	return rc;
}

int qbo_map_payment(struct qbo_w *w, struct json_object *doc)
{
	const char *target = jsonr_str(doc, "document"), *who = party(w, doc);
	const char *amount;
	bool vendor;
	int64_t v;
	int rc;

	if (who == NULL)
		return BS_EINVAL;
	if ((amount = amount_of(w, doc, &v)) == NULL)
		return BS_EINVAL;
	if (target == NULL)
		return bs_error_set(w->err, BS_EINVAL, "a payment names no document");
	if (jsonr_str(doc, "account") == NULL)
		return bs_error_set(w->err, BS_EINVAL, "a payment names no account");
	vendor = strncmp(who, "Contact/supplier:", 17) == 0;
	if (strncmp(target, "CreditNote/", 11) == 0)
		return map_refund(w, doc, who, vendor, v);
	rc = qbo_w_ref(w, vendor ? "VendorRef" : "CustomerRef", who);
	if (rc == BS_OK)
		rc = qbo_w_str(w, "TxnDate", jsonr_str(doc, "date"));
	if (rc == BS_OK)
		rc = qbo_w_num(w, "TotalAmt", amount);
	if (rc == BS_OK)
		rc = put_marker(w, doc);
	if (rc == BS_OK && !vendor)
		rc = qbo_w_code_ref(w, "DepositToAccountRef", QBO_SYM_ACCOUNT,
		                    jsonr_str(doc, "account"));
	if (rc == BS_OK && vendor) {
		struct qbo_w cw = {w->out, w->resolve, w->arg, w->err, 0};

		rc = qbo_w_str(w, "PayType", "Check");
		if (rc == BS_OK)
			rc = qbo_w_raw(w, "CheckPayment", "{");
		if (rc == BS_OK)
			rc = qbo_w_code_ref(&cw, "BankAccountRef", QBO_SYM_ACCOUNT,
			                    jsonr_str(doc, "account"));
		if (rc == BS_OK)
			rc = buf_addc(w->out, '}');
	}
	if (rc == BS_OK)
		rc = qbo_w_currency(w, doc);
	if (rc == BS_OK)
		rc = qbo_w_raw(w, "Line", "[");
	if (rc == BS_OK)
		rc = linked_line(w, true, v, target, vendor ? "Bill" : "Invoice");
	if (rc == BS_OK)
		rc = buf_addc(w->out, ']');
	return rc;
}

/*
 * A credit note applied to an invoice: a Payment of 0 whose lines take the
 * amount off the Invoice and off the CreditMemo (how QuickBooks itself
 * records a credit applied in Receive Payment).  Customers only: the
 * planner allocates store credits, which are sales credit notes.
 */
int qbo_map_allocation(struct qbo_w *w, struct json_object *doc)
{
	const char *who = party(w, doc);
	int64_t v;
	int rc;

	if (who == NULL)
		return BS_EINVAL;
	if (strncmp(who, "Contact/customer:", 17) != 0)
		return bs_error_set(w->err, BS_EINVAL,
		                    "only a customer's credit is allocated in QuickBooks Online "
		                    "(%s is not a customer)",
		                    who);
	if (amount_of(w, doc, &v) == NULL)
		return BS_EINVAL;
	rc = qbo_w_ref(w, "CustomerRef", who);
	if (rc == BS_OK)
		rc = qbo_w_str(w, "TxnDate", jsonr_str(doc, "date"));
	if (rc == BS_OK)
		rc = qbo_w_num(w, "TotalAmt", "0");
	if (rc == BS_OK)
		rc = put_marker(w, doc);
	if (rc == BS_OK)
		rc = qbo_w_raw(w, "Line", "[");
	if (rc == BS_OK)
		rc = linked_line(w, true, v, jsonr_str(doc, "invoice"), "Invoice");
	if (rc == BS_OK)
		rc = linked_line(w, false, v, jsonr_str(doc, "credit_note"), "CreditMemo");
	if (rc == BS_OK)
		rc = buf_addc(w->out, ']');
	return rc;
}
