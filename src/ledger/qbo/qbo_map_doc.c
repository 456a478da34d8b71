/*
 * qbo_map_doc.c - QuickBooks Online's transaction forms from ledger-neutral
 * documents: Invoice, CreditMemo, Bill, VendorCredit, PurchaseOrder (one
 * shape with lines), JournalEntry, Deposit and Purchase (money tasks); and
 * the line shape that keeps QBO's Amount = Qty x UnitPrice rule without
 * moving the total by a cent (docs/rounding.md, "QuickBooks Online").
 * Pure: no I/O.
 */
#include "ledger/qbo/qbo_paper.h"

#include "core/jsonr.h"
#include "core/jsonw.h"
#include "core/money.h"

#include <json-c/json.h>
#include <string.h>

#define PCT_100 (100 * INT64_C(10000)) /* 100 % in PCT_DP */
#define QTY_ONE INT64_C(10000)         /* 1 in QTY_DP */

/* ------------------------------------------------------------- line shape */

/* qty x price rounded to cents, once from the exact product and once
 * through micros (as a ledger holding 7 decimals may): both into *a, *b. */
static int product_cents(int64_t qty, int64_t price, int64_t *a, int64_t *b)
{
	int64_t cents, micros;
	int rc = money_muldiv(qty, price, INT64_C(100000000), MONEY_HALF_AWAY, &cents);

	if (rc == BS_OK)
		rc = money_muldiv(cents, INT64_C(10000), 1, MONEY_HALF_AWAY, a);
	if (rc == BS_OK)
		rc = money_muldiv(qty, price, QTY_ONE, MONEY_HALF_AWAY, &micros);
	if (rc == BS_OK)
		rc = money_round(micros, MONEY_DP, 2, MONEY_HALF_AWAY, b);
	return rc;
}

int qbo_line_shape(int64_t qty, int64_t price, int64_t discount_pct, struct qbo_line_shape *out)
{
	int64_t folded = price, a = 0, b = 0;
	int rc;

	if (discount_pct < 0 || discount_pct > PCT_100)
		return BS_ERANGE;
	rc = money_line_amount(qty, price, discount_pct, 2, MONEY_HALF_AWAY, &out->amount);
	/* QBO holds no discount on a line: fold it into the price */
	if (rc == BS_OK && discount_pct != 0)
		rc = money_muldiv(price, PCT_100 - discount_pct, PCT_100, MONEY_HALF_AWAY, &folded);
	if (rc == BS_OK)
		rc = product_cents(qty, folded, &a, &b);
	if (rc != BS_OK)
		return BS_ERANGE;
	if (a == out->amount && b == out->amount) {
		out->qty = qty;
		out->price = folded;
		out->rewritten = discount_pct != 0 && folded != price;
	} else {
		out->qty = QTY_ONE;
		out->price = out->amount;
		out->rewritten = true;
	}
	return BS_OK;
}

int qbo_line_fit(struct qbo_line_shape *s, int64_t amount)
{
	int64_t a, b;

	if (amount == s->amount)
		return BS_OK;
	if (product_cents(s->qty, s->price, &a, &b) != BS_OK)
		return BS_ERANGE;
	s->amount = amount;
	if (a != amount || b != amount) {
		s->qty = QTY_ONE;
		s->price = amount;
		s->rewritten = true;
	}
	return BS_OK;
}

int qbo_line_note(struct buf *b, int64_t qty, int64_t price, int64_t discount_pct)
{
	int rc = buf_addstr(b, " (orig: ");

	if (rc == BS_OK)
		rc = money_format(b, qty, QTY_DP, 0);
	if (rc == BS_OK)
		rc = buf_addstr(b, " \xc3\x97 "); /* U+00D7 MULTIPLICATION SIGN */
	if (rc == BS_OK)
		rc = money_format(b, price, MONEY_DP, 2);
	if (rc == BS_OK && discount_pct != 0) {
		rc = buf_addstr(b, " less ");
		if (rc == BS_OK)
			rc = money_format(b, discount_pct, PCT_DP, 0);
		if (rc == BS_OK)
			rc = buf_addc(b, '%');
	}
	if (rc == BS_OK)
		rc = buf_addc(b, ')');
	return rc;
}

/* ------------------------------------------------------------- helpers */

/* A decimal field of a line into *v at scale dp; absent: dflt. */
static int line_dec(struct qbo_w *w, struct json_object *l, const char *key, int dp, int64_t dflt,
                    int64_t *v)
{
	const char *s = jsonr_str(l, key);

	*v = dflt;
	if (s == NULL)
		return BS_OK;
	if (money_parse_fixed(s, strlen(s), dp, dp, v) != BS_OK)
		return bs_error_set(w->err, BS_EINVAL,
		                    "line %s '%s' is not a decimal of at most %d "
		                    "places",
		                    key, s, dp);
	return BS_OK;
}

static const char *tax_calc(struct json_object *doc)
{
	const char *a = jsonr_str(doc, "amounts");

	if (a == NULL || strcmp(a, "exclusive") == 0)
		return "TaxExcluded";
	if (strcmp(a, "inclusive") == 0)
		return "TaxInclusive";
	return "NotApplicable";
}

static bool inclusive(struct json_object *doc)
{
	return strcmp(tax_calc(doc), "TaxInclusive") == 0;
}

/* The lines array of a document, or an error. */
static struct json_object *lines_of(struct qbo_w *w, struct json_object *doc)
{
	struct json_object *lines;

	if (!json_object_object_get_ex(doc, "lines", &lines) ||
	    !json_object_is_type(lines, json_type_array) || json_object_array_length(lines) == 0) {
		bs_error_set(w->err, BS_EINVAL, "document has no lines");
		return NULL;
	}
	return lines;
}

/* "TaxCodeRef" and, when the form's amounts include tax, "TaxInclusiveAmt"
 * (the line's amount: it holds its tax). */
static int put_tax(struct qbo_w *w, struct json_object *doc, struct json_object *l, int64_t amount)
{
	const char *tax = jsonr_str(l, "tax_type");
	int rc = qbo_w_code_ref(w, "TaxCodeRef", QBO_SYM_TAXCODE, tax);

	if (rc == BS_OK && tax != NULL && inclusive(doc))
		rc = qbo_w_micros(w, "TaxInclusiveAmt", amount, 2);
	return rc;
}

/* The description of a line, with the original qty x price when rewritten. */
static int line_description(struct buf *d, struct json_object *l, int64_t qty, int64_t price,
                            int64_t disc, bool note)
{
	const char *desc = jsonr_str(l, "description");
	int rc = buf_addstr(d, desc ? desc : "");

	if (rc == BS_OK && note)
		rc = qbo_line_note(d, qty, price, disc);
	return rc;
}

/*
 * One line of a form.  Sales forms (Invoice, CreditMemo) carry
 * SalesItemLineDetail with Qty and UnitPrice; purchase forms (Bill,
 * VendorCredit, PurchaseOrder) AccountBasedExpenseLineDetail, which has
 * neither, so a quantity other than 1 is kept in the description.
 */
static int put_form_line(struct qbo_w *w, struct json_object *doc, struct json_object *l,
                         bool sales, size_t i)
{
	struct qbo_w lw = {w->out, w->resolve, w->arg, w->err, 0};
	struct qbo_w dw = {w->out, w->resolve, w->arg, w->err, 0};
	struct qbo_line_shape s;
	int64_t qty, price, disc;
	struct buf desc;
	bool note;
	int rc;

	if (!json_object_is_type(l, json_type_object))
		return bs_error_set(w->err, BS_EINVAL, "line %zu is not an object", i + 1);
	if ((rc = line_dec(w, l, "quantity", QTY_DP, QTY_ONE, &qty)) != BS_OK ||
	    (rc = line_dec(w, l, "unit_amount", MONEY_DP, -1, &price)) != BS_OK ||
	    (rc = line_dec(w, l, "discount_rate", PCT_DP, 0, &disc)) != BS_OK)
		return rc;
	if (price == -1 && jsonr_str(l, "unit_amount") == NULL)
		return bs_error_set(w->err, BS_EINVAL, "line %zu has no unit_amount", i + 1);
	if (qbo_line_shape(qty, price, disc, &s) != BS_OK)
		return bs_error_set(w->err, BS_EINVAL, "line %zu: its amount is out of range",
		                    i + 1);
	/* the planner's line amount, when it says one, is the one to keep */
	if (jsonr_str(l, "line_amount") != NULL) {
		int64_t la;

		if ((rc = line_dec(w, l, "line_amount", MONEY_DP, 0, &la)) != BS_OK)
			return rc;
		if (qbo_line_fit(&s, la) != BS_OK)
			return bs_error_set(w->err, BS_EINVAL, "line %zu: out of range", i + 1);
	}
	note = sales ? s.rewritten : qty != QTY_ONE || disc != 0;
	buf_init(&desc, 8192);
	rc = line_description(&desc, l, qty, price, disc, note);
	if (rc == BS_OK)
		rc = buf_addstr(w->out, i ? ",{" : "{");
	if (rc == BS_OK && desc.len > 0)
		rc = qbo_w_bounded(&lw, "Description", buf_cstr(&desc), 4000);
	if (rc == BS_OK)
		rc = qbo_w_micros(&lw, "Amount", s.amount, 2);
	if (rc == BS_OK)
		rc = qbo_w_str(&lw, "DetailType",
		               sales ? "SalesItemLineDetail" : "AccountBasedExpenseLineDetail");
	if (rc == BS_OK)
		rc = qbo_w_raw(&lw, sales ? "SalesItemLineDetail" : "AccountBasedExpenseLineDetail",
		               "{");
	if (rc == BS_OK && sales) {
		rc = qbo_w_micros(&dw, "Qty", s.qty * 100, 0); /* QTY_DP -> micros */
		if (rc == BS_OK)
			rc = qbo_w_micros(&dw, "UnitPrice", s.price, 2);
		/* the line's account: QBO takes it from an item, so it is
		 * sent as ItemAccountRef (docs/mapping-qbo.md, "Lines") */
		if (rc == BS_OK)
			rc = qbo_w_code_ref(&dw, "ItemAccountRef", QBO_SYM_ACCOUNT,
			                    jsonr_str(l, "account"));
	} else if (rc == BS_OK) {
		if (jsonr_str(l, "account") == NULL)
			rc = bs_error_set(w->err, BS_EINVAL, "line %zu has no account", i + 1);
		else
			rc = qbo_w_code_ref(&dw, "AccountRef", QBO_SYM_ACCOUNT,
			                    jsonr_str(l, "account"));
	}
	if (rc == BS_OK)
		rc = put_tax(&dw, doc, l, s.amount);
	if (rc == BS_OK)
		rc = buf_addstr(w->out, "}}");
	buf_free(&desc);
	return rc;
}

/* PrivateNote: the whole of the reference (DocNumber may hold at most 21). */
static int put_note(struct qbo_w *w, const char *note)
{
	return qbo_w_bounded(w, "PrivateNote", note, QBO_PRIVATENOTE_MAX);
}

/* ------------------------------------------------------------- forms */

int qbo_map_form(struct qbo_w *w, enum ledger_doc_type type, struct json_object *doc)
{
	bool purchases = type == LEDGER_PURCHASE_ORDER || qbo_is_purchase(doc);
	const char *num = jsonr_str(doc, "number"), *ref = jsonr_str(doc, "reference");
	struct json_object *lines = lines_of(w, doc);
	int rc;

	if (lines == NULL)
		return BS_EINVAL;
	if (jsonr_str(doc, "contact") == NULL)
		return bs_error_set(w->err, BS_EINVAL, "the document names no contact");
	rc = qbo_w_ref(w, purchases ? "VendorRef" : "CustomerRef", jsonr_str(doc, "contact"));
	if (rc == BS_OK)
		rc = qbo_w_bounded(w, "DocNumber", num, QBO_DOCNUMBER_MAX);
	if (rc == BS_OK)
		rc = put_note(w, ref ? ref : num);
	if (rc == BS_OK)
		rc = qbo_w_str(w, "TxnDate", jsonr_str(doc, "date"));
	if (rc == BS_OK && type != LEDGER_CREDIT_NOTE)
		rc = qbo_w_str(w, "DueDate", jsonr_str(doc, "due_date"));
	if (rc == BS_OK && (type == LEDGER_PURCHASE_ORDER || !purchases) &&
	    type != LEDGER_CREDIT_NOTE)
		rc = qbo_w_str(w, "ShipDate", jsonr_str(doc, "delivery_date"));
	if (rc == BS_OK)
		rc = qbo_w_currency(w, doc);
	if (rc == BS_OK)
		rc = qbo_w_str(w, "GlobalTaxCalculation", tax_calc(doc));
	if (rc == BS_OK && type == LEDGER_PURCHASE_ORDER)
		rc = qbo_w_str(w, "POStatus", "Open");
	/* a bill of a purchase order names it (docs/mapping-qbo.md, "Bills") */
	if (rc == BS_OK && type == LEDGER_INVOICE && purchases &&
	    jsonr_str(doc, "purchase_order") != NULL) {
		char id[LEDGER_ID_MAX];

		if (w->resolve(w->arg, jsonr_str(doc, "purchase_order"), id) != BS_OK)
			return bs_error_set(w->err, BS_ENOTFOUND, "%s is not posted yet",
			                    jsonr_str(doc, "purchase_order"));
		rc = qbo_w_raw(w, "LinkedTxn", "[{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(w->out, 0, "TxnId", id);
		if (rc == BS_OK)
			rc = jsonw_kv_str(w->out, 1, "TxnType", "PurchaseOrder");
		if (rc == BS_OK)
			rc = buf_addstr(w->out, "}]");
	}
	if (rc == BS_OK)
		rc = qbo_w_raw(w, "Line", "[");
	for (size_t i = 0; rc == BS_OK && i < json_object_array_length(lines); i++)
		rc = put_form_line(w, doc, json_object_array_get_idx(lines, i), !purchases, i);
	if (rc == BS_OK)
		rc = buf_addc(w->out, ']');
	return rc;
}

/* ------------------------------------------------------------- journals */

/*
 * A JournalEntry: each line a Debit (amount > 0) or a Credit (< 0) of its
 * absolute amount.  Its PrivateNote is the narration, which holds the
 * record's identity (the planner's "[kind:id]"): the natural key.
 */
int qbo_map_journal(struct qbo_w *w, struct json_object *doc)
{
	struct json_object *lines = lines_of(w, doc);
	const char *nar = jsonr_str(doc, "narration");
	int rc;

	if (lines == NULL)
		return BS_EINVAL;
	if (nar == NULL || nar[0] == '\0')
		return bs_error_set(w->err, BS_EINVAL, "a journal needs its narration (its key)");
	rc = qbo_w_str(w, "TxnDate", jsonr_str(doc, "date"));
	if (rc == BS_OK)
		rc = put_note(w, nar);
	if (rc == BS_OK)
		rc = qbo_w_raw(w, "Line", "[");
	for (size_t i = 0; rc == BS_OK && i < json_object_array_length(lines); i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);
		struct qbo_w lw = {w->out, w->resolve, w->arg, w->err, 0};
		struct qbo_w dw = {w->out, w->resolve, w->arg, w->err, 0};
		int64_t amount;

		if ((rc = line_dec(w, l, "amount", MONEY_DP, 0, &amount)) != BS_OK)
			break;
		if (jsonr_str(l, "amount") == NULL || jsonr_str(l, "account") == NULL)
			return bs_error_set(w->err, BS_EINVAL,
			                    "journal line %zu needs an account "
			                    "and an amount",
			                    i + 1);
		rc = buf_addstr(w->out, i ? ",{" : "{");
		if (rc == BS_OK)
			rc = qbo_w_bounded(&lw, "Description", jsonr_str(l, "description"), 4000);
		if (rc == BS_OK)
			rc = qbo_w_micros(&lw, "Amount", amount < 0 ? -amount : amount, 2);
		if (rc == BS_OK)
			rc = qbo_w_str(&lw, "DetailType", "JournalEntryLineDetail");
		if (rc == BS_OK)
			rc = qbo_w_raw(&lw, "JournalEntryLineDetail", "{");
		if (rc == BS_OK)
			rc = qbo_w_str(&dw, "PostingType", amount < 0 ? "Credit" : "Debit");
		if (rc == BS_OK)
			rc = qbo_w_code_ref(&dw, "AccountRef", QBO_SYM_ACCOUNT,
			                    jsonr_str(l, "account"));
		if (rc == BS_OK)
			rc = qbo_w_code_ref(&dw, "TaxCodeRef", QBO_SYM_TAXCODE,
			                    jsonr_str(l, "tax_type"));
		if (rc == BS_OK)
			rc = buf_addstr(w->out, "}}");
	}
	if (rc == BS_OK)
		rc = buf_addc(w->out, ']');
	return rc;
}

/* ------------------------------------------------------------- money tasks */

int qbo_w_entity(struct qbo_w *w, const char *key, const char *symbol)
{
	char id[LEDGER_ID_MAX];
	int rc;

	if (symbol == NULL)
		return BS_OK;
	if (w->resolve(w->arg, symbol, id) != BS_OK)
		return bs_error_set(w->err, BS_ENOTFOUND, "%s is not posted yet", symbol);
	rc = qbo_w_raw(w, key, "{");
	if (rc == BS_OK)
		rc = jsonw_kv_str(w->out, 0, "value", id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(w->out, 1, "type",
		                  strncmp(symbol, "Contact/supplier:", 17) == 0 ? "Vendor"
		                                                                : "Customer");
	if (rc == BS_OK)
		rc = buf_addc(w->out, '}');
	return rc;
}

/*
 * A money task: received money a Deposit into the bank account, spent money
 * a Purchase (PaymentType Cash) out of it.  Each line an account and an
 * amount.  PrivateNote holds the marker (the natural key); DocNumber the
 * reference when it fits, else nothing (the marker keeps it whole).
 */
int qbo_map_bank(struct qbo_w *w, struct json_object *doc)
{
	struct json_object *lines = lines_of(w, doc);
	const char *dir = jsonr_str(doc, "direction"), *ref = jsonr_str(doc, "reference");
	bool spend = dir != NULL && strcmp(dir, "spend") == 0;
	const char *bank = jsonr_str(doc, "bank_account");
	struct buf note;
	int rc;

	if (lines == NULL)
		return BS_EINVAL;
	if (bank == NULL)
		return bs_error_set(w->err, BS_EINVAL, "a money task names no bank account");
	buf_init(&note, 8192);
	rc = qbo_marker(&note, doc);
	if (rc != BS_OK) {
		buf_free(&note);
		return bs_error_set(w->err, rc, "a money task needs its self symbol");
	}
	rc = qbo_w_str(w, "TxnDate", jsonr_str(doc, "date"));
	if (rc == BS_OK && ref != NULL && strlen(ref) <= QBO_DOCNUMBER_MAX)
		rc = qbo_w_str(w, "DocNumber", ref);
	if (rc == BS_OK)
		rc = put_note(w, buf_cstr(&note));
	if (rc == BS_OK)
		rc = qbo_w_code_ref(w, spend ? "AccountRef" : "DepositToAccountRef",
		                    QBO_SYM_ACCOUNT, bank);
	if (rc == BS_OK && spend)
		rc = qbo_w_str(w, "PaymentType", "Cash");
	if (rc == BS_OK && spend)
		rc = qbo_w_entity(w, "EntityRef", jsonr_str(doc, "contact"));
	if (rc == BS_OK)
		rc = qbo_w_currency(w, doc);
	if (rc == BS_OK)
		rc = qbo_w_str(w, "GlobalTaxCalculation", tax_calc(doc));
	if (rc == BS_OK)
		rc = qbo_w_raw(w, "Line", "[");
	for (size_t i = 0; rc == BS_OK && i < json_object_array_length(lines); i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);
		struct qbo_w lw = {w->out, w->resolve, w->arg, w->err, 0};
		struct qbo_w dw = {w->out, w->resolve, w->arg, w->err, 0};
		const char *dt = spend ? "AccountBasedExpenseLineDetail" : "DepositLineDetail";
		int64_t amount;

		if ((rc = line_dec(w, l, "amount", MONEY_DP, 0, &amount)) != BS_OK)
			break;
		if (jsonr_str(l, "account") == NULL || jsonr_str(l, "amount") == NULL) {
			rc = bs_error_set(w->err, BS_EINVAL,
			                  "money task line %zu needs an account and an amount",
			                  i + 1);
			break;
		}
		rc = buf_addstr(w->out, i ? ",{" : "{");
		if (rc == BS_OK)
			rc = qbo_w_bounded(&lw, "Description", jsonr_str(l, "description"), 4000);
		if (rc == BS_OK)
			rc = qbo_w_micros(&lw, "Amount", amount, 2);
		if (rc == BS_OK)
			rc = qbo_w_str(&lw, "DetailType", dt);
		if (rc == BS_OK)
			rc = qbo_w_raw(&lw, dt, "{");
		if (rc == BS_OK && !spend)
			rc = qbo_w_entity(&dw, "Entity", jsonr_str(doc, "contact"));
		if (rc == BS_OK)
			rc = qbo_w_code_ref(&dw, "AccountRef", QBO_SYM_ACCOUNT,
			                    jsonr_str(l, "account"));
		if (rc == BS_OK)
			rc = put_tax(&dw, doc, l, amount);
		if (rc == BS_OK)
			rc = buf_addstr(w->out, "}}");
	}
	if (rc == BS_OK)
		rc = buf_addc(w->out, ']');
	buf_free(&note);
	return rc;
}
