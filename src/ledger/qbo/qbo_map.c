/*
 * qbo_map.c - ledger-neutral documents to QuickBooks Online entities: which
 * entity a document becomes, its batch operation, the JSON writer the
 * mappers share, and the list entities (Customer, Vendor, Item).  Pure: no
 * I/O.  docs/mapping-qbo.md is the reference for every field.
 *
 * Amounts go on the wire as the planner's exact decimal text, or formatted
 * from integer micros, exact at every step.  Accounts and tax codes are resolved
 * through the resolver as "Account:<code>" / "TaxCode:<code>" (qbo_int.h).
 */
#include "ledger/qbo/qbo_paper.h"

#include "core/jsonr.h"
#include "core/jsonw.h"
#include "core/money.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------- writer */

static int comma(struct qbo_w *w)
{
	int rc = w->comma ? buf_addc(w->out, ',') : BS_OK;

	w->comma = 1;
	return rc;
}

int qbo_w_str(struct qbo_w *w, const char *key, const char *value)
{
	int rc;

	if (value == NULL)
		return BS_OK;
	rc = jsonw_kv_str(w->out, w->comma, key, value);
	w->comma = 1;
	return rc;
}

/* Plain decimal text JSON takes: no '+', exponent, ".5", "5." or leading
 * zeros, and parseable to micros. */
static bool is_json_decimal(const char *v)
{
	const char *d = v[0] == '-' ? v + 1 : v;
	int64_t probe;

	if (money_check_text(v, strlen(v)) != BS_OK ||
	    money_parse_fixed(v, strlen(v), 6, 6, &probe) != BS_OK)
		return false;
	return !(d[0] == '0' && d[1] >= '0' && d[1] <= '9');
}

int qbo_w_num(struct qbo_w *w, const char *key, const char *value)
{
	int rc;

	if (value == NULL)
		return BS_OK;
	if (!is_json_decimal(value))
		return bs_error_set(w->err, BS_EINVAL, "%s: '%s' is not a decimal", key, value);
	if ((rc = comma(w)) == BS_OK && (rc = jsonw_key(w->out, key)) == BS_OK)
		rc = buf_addstr(w->out, value);
	return rc;
}

int qbo_w_micros(struct qbo_w *w, const char *key, int64_t v, int min_dp)
{
	int rc;

	if ((rc = comma(w)) == BS_OK && (rc = jsonw_key(w->out, key)) == BS_OK)
		rc = money_format(w->out, v, MONEY_DP, min_dp);
	return rc;
}

int qbo_w_raw(struct qbo_w *w, const char *key, const char *raw)
{
	int rc;

	if ((rc = comma(w)) == BS_OK && (rc = jsonw_key(w->out, key)) == BS_OK)
		rc = buf_addstr(w->out, raw);
	return rc;
}

static int put_id(struct qbo_w *w, const char *key, const char *id)
{
	int rc = qbo_w_raw(w, key, "{");

	if (rc == BS_OK)
		rc = jsonw_kv_str(w->out, 0, "value", id);
	if (rc == BS_OK)
		rc = buf_addc(w->out, '}');
	return rc;
}

int qbo_w_ref(struct qbo_w *w, const char *key, const char *symbol)
{
	char id[LEDGER_ID_MAX];

	if (symbol == NULL)
		return BS_OK;
	if (w->resolve(w->arg, symbol, id) != BS_OK)
		return bs_error_set(w->err, BS_ENOTFOUND, "%s is not posted yet", symbol);
	return put_id(w, key, id);
}

int qbo_w_code_ref(struct qbo_w *w, const char *key, const char *prefix, const char *code)
{
	char sym[LEDGER_SYMBOL_MAX], id[LEDGER_ID_MAX];
	int n;

	if (code == NULL)
		return BS_OK;
	n = snprintf(sym, sizeof(sym), "%s%s", prefix, code);
	if (n < 0 || (size_t)n >= sizeof(sym))
		return bs_error_set(w->err, BS_EINVAL, "%s: code '%s' is too long", key, code);
	if (w->resolve(w->arg, sym, id) != BS_OK)
		return bs_error_set(w->err, BS_ENOTFOUND,
		                    "%s %s is not in the QuickBooks company (reconnect to read "
		                    "its %s again, or add it there)",
		                    strcmp(prefix, QBO_SYM_TAXCODE) == 0 ? "tax code" : "account",
		                    code,
		                    strcmp(prefix, QBO_SYM_TAXCODE) == 0 ? "tax codes" : "chart");
	return put_id(w, key, id);
}

/* Characters, not bytes: QBO counts characters (UTF-8 continuation bytes
 * do not start one). */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int qbo_w_bounded(struct qbo_w *w, const char *key, const char *value, size_t max)
{
	size_t shown;

	if (value == NULL)
		return BS_OK;
	if (chars(value) <= max)
		return qbo_w_str(w, key, value);
	/* a long value is shown by its start (whole characters) */
	for (shown = strlen(value) < 60 ? strlen(value) : 60;
	     shown > 0 && ((unsigned char)value[shown] & 0xC0) == 0x80; shown--)
		;
	return bs_error_set(w->err, BS_EINVAL,
	                    "%s '%.*s%s' is %zu characters; QuickBooks Online takes at most %zu "
	                    "(it is not cut: shorten it at the source)",
	                    key, (int)shown, value, shown < strlen(value) ? "..." : "",
	                    chars(value), max);
}

/* ------------------------------------------------------------- entities */

bool qbo_is_purchase(struct json_object *doc)
{
	const char *sub = jsonr_str(doc, "subtype");

	return sub != NULL && strcmp(sub, "purchases") == 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The contact's role: the symbol's kind ("Contact/supplier:" is a vendor). */
static bool vendor_symbol(const char *sym)
{
	return has_prefix(sym, "Contact/supplier:");
}

/* Whether a payment's party is a vendor: its contact says so, else the
 * document it pays (a bill is "Invoice/purchase:"). */
static bool payment_to_vendor(struct json_object *doc)
{
	const char *c = jsonr_str(doc, "contact");

	if (c != NULL)
		return vendor_symbol(c);
	return has_prefix(jsonr_str(doc, "document"), "Invoice/purchase:");
}

const char *qbo_entity_of(enum ledger_doc_type type, struct json_object *doc)
{
	const char *self = jsonr_str(doc, "self");
	const char *dir = jsonr_str(doc, "direction");

	if (doc == NULL || !json_object_is_type(doc, json_type_object))
		return NULL;
	switch (type) {
	case LEDGER_CONTACT:
		if (vendor_symbol(self))
			return "Vendor";
		return has_prefix(self, "Contact/customer:") ? "Customer" : NULL;
	case LEDGER_ITEM:
		return "Item";
	case LEDGER_PURCHASE_ORDER:
		return "PurchaseOrder";
	case LEDGER_INVOICE:
		return qbo_is_purchase(doc) ? "Bill" : "Invoice";
	case LEDGER_CREDIT_NOTE:
		return qbo_is_purchase(doc) ? "VendorCredit" : "CreditMemo";
	case LEDGER_MANUAL_JOURNAL:
		return "JournalEntry";
	case LEDGER_BANK_TRANSACTION:
		return dir != NULL && strcmp(dir, "spend") == 0 ? "Purchase" : "Deposit";
	case LEDGER_PAYMENT:
		/* a credit note paid out is money moving the other way
		 * (docs/mapping-qbo.md, "Refunds") */
		if (has_prefix(jsonr_str(doc, "document"), "CreditNote/"))
			return payment_to_vendor(doc) ? "Deposit" : "Purchase";
		return payment_to_vendor(doc) ? "BillPayment" : "Payment";
	case LEDGER_ALLOCATION:
		return "Payment";
	default:
		return NULL;
	}
}

/* ------------------------------------------------------------- ops */

int qbo_op_of(enum ledger_doc_type type, struct json_object *doc, enum qbo_op *out)
{
	const char *op = jsonr_str(doc, "op");
	const char *ent = qbo_entity_of(type, doc);

	if (op == NULL || strcmp(op, "create") == 0)
		*out = QBO_OP_CREATE;
	else if (strcmp(op, "update") == 0 || strcmp(op, "status") == 0)
		*out = QBO_OP_UPDATE;
	else if (strcmp(op, "void") != 0 || ent == NULL)
		return BS_EINVAL;
	else if (type == LEDGER_CONTACT || type == LEDGER_ITEM)
		*out = QBO_OP_UPDATE; /* lists are made inactive, never deleted */
	else if (strcmp(ent, "Invoice") == 0 || strcmp(ent, "CreditMemo") == 0 ||
	         strcmp(ent, "Payment") == 0 || strcmp(ent, "BillPayment") == 0)
		*out = QBO_OP_VOID;
	else
		*out = QBO_OP_DELETE;
	return BS_OK;
}

bool qbo_needs_sync_token(struct json_object *doc)
{
	const char *op = jsonr_str(doc, "op");

	return op != NULL && strcmp(op, "create") != 0;
}

/* ------------------------------------------------------------- lists */

int qbo_map_contact(struct qbo_w *w, struct json_object *doc, bool vendor)
{
	struct json_object *addr = NULL;
	const char *name = jsonr_str(doc, "name");
	int rc;

	if (name == NULL || name[0] == '\0')
		return bs_error_set(w->err, BS_EINVAL, "a contact needs a name");
	/* DisplayName is unique across customers and vendors and takes no ':'
	 * (docs/mapping-qbo.md, "Contacts") */
	if (strchr(name, ':') != NULL)
		return bs_error_set(w->err, BS_EINVAL,
		                    "DisplayName '%s' has a ':', which QuickBooks Online refuses",
		                    name);
	rc = qbo_w_bounded(w, "DisplayName", name, 100);
	if (rc == BS_OK)
		rc = qbo_w_bounded(w, "CompanyName", name, 100);
	if (rc == BS_OK && jsonr_str(doc, "email") != NULL) {
		rc = qbo_w_raw(w, "PrimaryEmailAddr", "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(w->out, 0, "Address", jsonr_str(doc, "email"));
		if (rc == BS_OK)
			rc = buf_addc(w->out, '}');
	}
	if (rc == BS_OK && jsonr_str(doc, "phone") != NULL) {
		rc = qbo_w_raw(w, "PrimaryPhone", "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(w->out, 0, "FreeFormNumber", jsonr_str(doc, "phone"));
		if (rc == BS_OK)
			rc = buf_addc(w->out, '}');
	}
	/* a vendor's tax number is its TaxIdentifier; a customer has no
	 * such field in every edition (docs/mapping-qbo.md) */
	if (rc == BS_OK && vendor)
		rc = qbo_w_str(w, "TaxIdentifier", jsonr_str(doc, "tax_number"));
	if (rc == BS_OK && jsonr_str(doc, "currency") != NULL) {
		rc = qbo_w_raw(w, "CurrencyRef", "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(w->out, 0, "value", jsonr_str(doc, "currency"));
		if (rc == BS_OK)
			rc = buf_addc(w->out, '}');
	}
	if (rc == BS_OK && json_object_object_get_ex(doc, "address", &addr) &&
	    json_object_is_type(addr, json_type_object)) {
		struct qbo_w aw = {w->out, w->resolve, w->arg, w->err, 0};

		rc = qbo_w_raw(w, "BillAddr", "{");
		if (rc == BS_OK)
			rc = qbo_w_str(&aw, "Line1", jsonr_str(addr, "line1"));
		if (rc == BS_OK)
			rc = qbo_w_str(&aw, "Line2", jsonr_str(addr, "line2"));
		if (rc == BS_OK)
			rc = qbo_w_str(&aw, "City", jsonr_str(addr, "city"));
		if (rc == BS_OK)
			rc = qbo_w_str(&aw, "CountrySubDivisionCode", jsonr_str(addr, "region"));
		if (rc == BS_OK)
			rc = qbo_w_str(&aw, "PostalCode", jsonr_str(addr, "postcode"));
		if (rc == BS_OK)
			rc = qbo_w_str(&aw, "Country", jsonr_str(addr, "country"));
		if (rc == BS_OK)
			rc = buf_addc(w->out, '}');
	}
	return rc;
}

/*
 * An Item is found by Name, which QBO keeps unique: the product's code
 * (its SKU) when it has one, else its name.  A product bought and sold is
 * NonInventory (booksync posts no stock levels), one only sold a Service.
 */
int qbo_map_item(struct qbo_w *w, struct json_object *doc)
{
	const char *code = jsonr_str(doc, "code"), *name = jsonr_str(doc, "name");
	const char *desc = jsonr_str(doc, "description");
	const char *buy = jsonr_str(doc, "purchase_account");
	int rc;

	if (code == NULL && name == NULL)
		return bs_error_set(w->err, BS_EINVAL, "an item needs a code or a name");
	if (strchr(code ? code : name, ':') != NULL)
		return bs_error_set(w->err, BS_EINVAL,
		                    "Item Name '%s' has a ':', which QuickBooks Online refuses",
		                    code ? code : name);
	rc = qbo_w_bounded(w, "Name", code ? code : name, 100);
	if (rc == BS_OK)
		rc = qbo_w_bounded(w, "Sku", code, 100);
	if (rc == BS_OK)
		rc = qbo_w_bounded(w, "Description", desc ? desc : name, 4000);
	if (rc == BS_OK)
		rc = qbo_w_str(w, "Type", buy != NULL ? "NonInventory" : "Service");
	/* QBO wants an income account on every item: the product's, else
	 * the default sales account the planner says */
	if (rc == BS_OK)
		rc = qbo_w_code_ref(w, "IncomeAccountRef", QBO_SYM_ACCOUNT,
		                    jsonr_str(doc, "sales_account")
		                        ? jsonr_str(doc, "sales_account")
		                        : jsonr_str(doc, "default_sales_account"));
	if (rc == BS_OK)
		rc = qbo_w_code_ref(w, "ExpenseAccountRef", QBO_SYM_ACCOUNT, buy);
	return rc;
}

/* ------------------------------------------------------------- element */

/* What a void, delete or status change sends beyond Id and SyncToken. */
static int map_short(struct qbo_w *w, enum ledger_doc_type type, struct json_object *doc,
                     enum qbo_op op, bool *done)
{
	const char *o = jsonr_str(doc, "op");

	*done = true;
	if (op == QBO_OP_VOID || op == QBO_OP_DELETE)
		return BS_OK;
	if (o != NULL && strcmp(o, "void") == 0) /* a list entity made inactive */
		return qbo_w_raw(w, "Active", "false");
	if (o != NULL && strcmp(o, "status") == 0) {
		const char *st = jsonr_str(doc, "status");

		/* a purchase order billed in full is closed */
		if (type == LEDGER_PURCHASE_ORDER && st != NULL && strcmp(st, "BILLED") == 0)
			return qbo_w_str(w, "POStatus", "Closed");
		return bs_error_set(w->err, BS_EINVAL,
		                    "status %s of a %s has no QuickBooks Online form",
		                    st ? st : "(none)", ledger_doc_type_name(type));
	}
	*done = false;
	return BS_OK;
}

int qbo_map_element(enum ledger_doc_type type, struct json_object *doc, const char *ledger_id,
                    const char *sync_token, ledger_resolve_fn resolve, void *arg, struct buf *out,
                    struct bs_error *err)
{
	struct qbo_w w = {out, resolve, arg, err, 0};
	const char *ent = qbo_entity_of(type, doc);
	bool edit = ledger_id != NULL && ledger_id[0] != '\0', done = false;
	enum qbo_op op;
	int rc;

	if (ent == NULL)
		return bs_error_set(err, BS_EINVAL,
		                    "not a document QuickBooks Online has a form for");
	if (qbo_op_of(type, doc, &op) != BS_OK)
		return bs_error_set(err, BS_EINVAL, "op '%s' is not create, update, status or void",
		                    jsonr_str(doc, "op"));
	if (op != QBO_OP_CREATE && !edit)
		return bs_error_set(err, BS_EINVAL, "a %s of a %s needs its ledger id",
		                    jsonr_str(doc, "op"), ent);
	if (op != QBO_OP_CREATE && (sync_token == NULL || sync_token[0] == '\0'))
		return bs_error_set(err, BS_EINVAL,
		                    "a %s of %s %s needs its SyncToken (read it first)",
		                    jsonr_str(doc, "op"), ent, ledger_id);
	if ((rc = buf_addc(out, '{')) != BS_OK)
		return rc;
	if (op != QBO_OP_CREATE) {
		rc = qbo_w_str(&w, "Id", ledger_id);
		if (rc == BS_OK)
			rc = qbo_w_str(&w, "SyncToken", sync_token);
		if (rc == BS_OK && op == QBO_OP_UPDATE)
			rc = qbo_w_raw(&w, "sparse", "true");
		if (rc == BS_OK)
			rc = map_short(&w, type, doc, op, &done);
	}
	if (rc != BS_OK || done)
		goto close;
	switch (type) {
	case LEDGER_CONTACT:
		rc = qbo_map_contact(&w, doc, strcmp(ent, "Vendor") == 0);
		break;
	case LEDGER_ITEM:
		rc = qbo_map_item(&w, doc);
		break;
	case LEDGER_PURCHASE_ORDER:
	case LEDGER_INVOICE:
	case LEDGER_CREDIT_NOTE:
		rc = qbo_map_form(&w, type, doc);
		break;
	case LEDGER_MANUAL_JOURNAL:
		rc = qbo_map_journal(&w, doc);
		break;
	case LEDGER_BANK_TRANSACTION:
		rc = qbo_map_bank(&w, doc);
		break;
	case LEDGER_PAYMENT:
		rc = qbo_map_payment(&w, doc);
		break;
	case LEDGER_ALLOCATION:
		rc = qbo_map_allocation(&w, doc);
		break;
	default:
		rc = bs_error_set(err, BS_EINVAL, "unknown document type");
	}
close:
	if (rc == BS_OK)
		rc = buf_addc(out, '}');
	return rc;
}

/* CurrencyRef from the document's currency, and ExchangeRate from its
 * currency_rate: 1 / it, since the planner counts foreign units per home
 * unit (as Xero does) and QBO home units per foreign unit.  A payment must
 * be in its customer's or vendor's currency: QBO refuses another. */
int qbo_w_currency(struct qbo_w *w, struct json_object *doc)
{
	const char *cur = jsonr_str(doc, "currency"), *rate = jsonr_str(doc, "currency_rate");
	int64_t fx, inv;
	int rc = BS_OK;

	if (cur != NULL && cur[0] != '\0') {
		rc = qbo_w_raw(w, "CurrencyRef", "{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(w->out, 0, "value", cur);
		if (rc == BS_OK)
			rc = buf_addc(w->out, '}');
	}
	if (rc != BS_OK || rate == NULL || rate[0] == '\0')
		return rc;
	if (money_parse_fx(rate, strlen(rate), &fx) != BS_OK ||
	    money_fx_invert(fx, 6, MONEY_HALF_AWAY, &inv) != BS_OK)
		return bs_error_set(w->err, BS_EINVAL, "currency_rate '%s' cannot be used", rate);
	return qbo_w_micros(w, "ExchangeRate", inv, 0);
}
