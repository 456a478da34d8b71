/*
 * xero_map.c - ledger-neutral documents to Xero payloads, and Xero's
 * per-element answers back (see xero.h).  Pure: no I/O.
 *
 * Field names follow the official OpenAPI spec (spec/xero/).  Amounts are
 * written as JSON numbers from the planner's exact decimal text, never
 * through a double.
 */
#include "ledger/xero/xero.h"

#include "core/jsonr.h"
#include "core/jsonw.h"
#include "core/money.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* Per type: collection name, id field, number field, total field, path. */
struct xtype {
	const char *coll;
	const char *id;
	const char *number;
	const char *total;
};

static const struct xtype xtypes[LEDGER_DOC_TYPE_COUNT] = {
    [LEDGER_CONTACT] = {"Contacts", "ContactID", "Name", NULL},
    [LEDGER_ITEM] = {"Items", "ItemID", "Code", NULL},
    [LEDGER_PURCHASE_ORDER] = {"PurchaseOrders", "PurchaseOrderID", "PurchaseOrderNumber", "Total"},
    [LEDGER_INVOICE] = {"Invoices", "InvoiceID", "InvoiceNumber", "Total"},
    [LEDGER_CREDIT_NOTE] = {"CreditNotes", "CreditNoteID", "CreditNoteNumber", "Total"},
    [LEDGER_MANUAL_JOURNAL] = {"ManualJournals", "ManualJournalID", NULL, NULL},
    [LEDGER_BANK_TRANSACTION] = {"BankTransactions", "BankTransactionID", NULL, "Total"},
    [LEDGER_PAYMENT] = {"Payments", "PaymentID", NULL, "Amount"},
    [LEDGER_ALLOCATION] = {"Allocations", "AllocationID", NULL, "Amount"},
};

struct mapper {
	struct buf *out;
	ledger_resolve_fn resolve;
	void *arg;
	struct bs_error *err;
	int comma; /* a value has been written at this level */
};

static int add(struct mapper *m, const char *s)
{
	return buf_addstr(m->out, s);
}

/* A key and the start of its value, raw ("\"Phones\":["), after a comma
 * when something came before it at this level. */
static int put_key(struct mapper *m, const char *raw)
{
	int rc = m->comma ? buf_addc(m->out, ',') : BS_OK;

	m->comma = 1;
	return rc == BS_OK ? add(m, raw) : rc;
}

/* "Key":"value" when value is present. */
static int put_str(struct mapper *m, const char *xkey, const char *value)
{
	int rc;

	if (value == NULL)
		return BS_OK;
	rc = jsonw_kv_str(m->out, m->comma, xkey, value);
	m->comma = 1;
	return rc;
}

/*
 * Is value written as a JSON number may be?  money_check_text takes
 * leading zeros ("007"), which JSON does not: only a lone 0 may start the
 * integer part.
 */
static bool is_json_decimal(const char *value)
{
	const char *d = value[0] == '-' ? value + 1 : value;

	if (money_check_text(value, strlen(value)) != BS_OK)
		return false;
	return !(d[0] == '0' && d[1] >= '0' && d[1] <= '9');
}

/*
 * "Key":<number> from exact decimal text.  The text goes on the wire as it
 * is, so it must be plain decimal text (no '+', exponent, ".5", "5." or
 * leading zeros) that also parses to micros.
 */
static int put_num(struct mapper *m, const char *xkey, const char *value)
{
	int64_t probe;
	int rc;

	if (value == NULL)
		return BS_OK;
	if (!is_json_decimal(value) ||
	    money_parse_fixed(value, strlen(value), 6, 6, &probe) != BS_OK)
		return bs_error_set(m->err, BS_EINVAL, "%s: '%s' is not a decimal", xkey, value);
	if ((rc = m->comma ? buf_addc(m->out, ',') : BS_OK) != BS_OK)
		return rc;
	m->comma = 1;
	if ((rc = jsonw_key(m->out, xkey)) != BS_OK)
		return rc;
	return buf_addstr(m->out, value);
}

/* "Key":{"IdField":"<resolved id>"} for a symbol. */
static int put_link(struct mapper *m, const char *xkey, const char *idfield, const char *symbol)
{
	char id[LEDGER_ID_MAX];
	int rc;

	if (symbol == NULL)
		return BS_OK;
	rc = m->resolve(m->arg, symbol, id);
	if (rc != BS_OK)
		return bs_error_set(m->err, BS_ENOTFOUND, "%s is not posted yet", symbol);
	if ((rc = m->comma ? buf_addc(m->out, ',') : BS_OK) != BS_OK)
		return rc;
	m->comma = 1;
	rc = jsonw_key(m->out, xkey);
	if (rc == BS_OK)
		rc = buf_addc(m->out, '{');
	if (rc == BS_OK)
		rc = jsonw_kv_str(m->out, 0, idfield, id);
	if (rc == BS_OK)
		rc = buf_addc(m->out, '}');
	return rc;
}

static const char *amount_types(struct json_object *doc)
{
	const char *a = jsonr_str(doc, "amounts");

	if (a == NULL || strcmp(a, "exclusive") == 0)
		return "Exclusive";
	if (strcmp(a, "inclusive") == 0)
		return "Inclusive";
	return "NoTax";
}

static int put_tracking(struct mapper *m, struct json_object *tracking)
{
	int rc, first = 1;

	if (tracking == NULL || !json_object_is_type(tracking, json_type_object) ||
	    json_object_object_length(tracking) == 0)
		return BS_OK;
	/* The line may have nothing before its tracking. */
	rc = add(m, m->comma ? ",\"Tracking\":[" : "\"Tracking\":[");
	m->comma = 1;
	json_object_object_foreach(tracking, name, opt)
	{
		if (rc != BS_OK)
			break;
		/* null would be no text at all, an object its JSON text. */
		if (!json_object_is_type(opt, json_type_string))
			return bs_error_set(m->err, BS_EINVAL,
			                    "Tracking: the option of '%s' is not a string", name);
		rc = buf_addstr(m->out, first ? "{" : ",{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(m->out, 0, "Name", name);
		if (rc == BS_OK)
			rc = jsonw_kv_str(m->out, 1, "Option", json_object_get_string(opt));
		if (rc == BS_OK)
			rc = buf_addc(m->out, '}');
		first = 0;
	}
	if (rc == BS_OK)
		rc = buf_addc(m->out, ']');
	return rc;
}

/* LineItems of an invoice, credit note, PO or bank transaction. */
static int put_lines(struct mapper *m, struct json_object *doc, bool bank, bool journal)
{
	struct json_object *lines;
	size_t n;
	int rc;

	if (!json_object_object_get_ex(doc, "lines", &lines) ||
	    !json_object_is_type(lines, json_type_array))
		return bs_error_set(m->err, BS_EINVAL, "document has no lines");
	n = json_object_array_length(lines);
	rc = put_key(m, journal ? "\"JournalLines\":[" : "\"LineItems\":[");
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);
		struct mapper lm = {m->out, m->resolve, m->arg, m->err, 0};
		struct json_object *tr = NULL;

		if (!json_object_is_type(l, json_type_object))
			return bs_error_set(m->err, BS_EINVAL, "line %zu is not an object", i + 1);
		rc = buf_addstr(m->out, i ? ",{" : "{");
		if (rc == BS_OK)
			rc = put_str(&lm, "Description", jsonr_str(l, "description"));
		if (journal) {
			if (rc == BS_OK)
				rc = put_num(&lm, "LineAmount", jsonr_str(l, "amount"));
		} else if (bank) {
			if (rc == BS_OK)
				rc = put_num(&lm, "Quantity", "1");
			if (rc == BS_OK)
				rc = put_num(&lm, "UnitAmount", jsonr_str(l, "amount"));
		} else {
			if (rc == BS_OK)
				rc = put_num(&lm, "Quantity", jsonr_str(l, "quantity"));
			if (rc == BS_OK)
				rc = put_num(&lm, "UnitAmount", jsonr_str(l, "unit_amount"));
			if (rc == BS_OK)
				rc = put_num(&lm, "DiscountRate", jsonr_str(l, "discount_rate"));
			if (rc == BS_OK)
				rc = put_str(&lm, "ItemCode", jsonr_str(l, "item_code"));
		}
		if (rc == BS_OK)
			rc = put_str(&lm, "AccountCode", jsonr_str(l, "account"));
		if (rc == BS_OK)
			rc = put_str(&lm, "TaxType", jsonr_str(l, "tax_type"));
		if (rc == BS_OK && !journal && json_object_object_get_ex(l, "tracking", &tr))
			rc = put_tracking(&lm, tr);
		if (rc == BS_OK)
			rc = buf_addc(m->out, '}');
	}
	if (rc == BS_OK)
		rc = buf_addc(m->out, ']');
	return rc;
}

static int map_contact(struct mapper *m, struct json_object *doc)
{
	struct json_object *addr = NULL;
	int rc = put_str(m, "Name", jsonr_str(doc, "name"));

	if (rc == BS_OK)
		rc = put_str(m, "EmailAddress", jsonr_str(doc, "email"));
	if (rc == BS_OK)
		rc = put_str(m, "TaxNumber", jsonr_str(doc, "tax_number"));
	if (rc == BS_OK)
		rc = put_str(m, "DefaultCurrency", jsonr_str(doc, "currency"));
	if (rc == BS_OK && jsonr_str(doc, "phone") != NULL) {
		rc = put_key(m, "\"Phones\":[{\"PhoneType\":\"DEFAULT\"");
		if (rc == BS_OK)
			rc = jsonw_kv_str(m->out, 1, "PhoneNumber", jsonr_str(doc, "phone"));
		if (rc == BS_OK)
			rc = add(m, "}]");
	}
	if (rc == BS_OK && json_object_object_get_ex(doc, "address", &addr) &&
	    json_object_is_type(addr, json_type_object)) {
		struct mapper am = {m->out, m->resolve, m->arg, m->err, 1};

		rc = put_key(m, "\"Addresses\":[{\"AddressType\":\"STREET\"");
		if (rc == BS_OK)
			rc = put_str(&am, "AddressLine1", jsonr_str(addr, "line1"));
		if (rc == BS_OK)
			rc = put_str(&am, "AddressLine2", jsonr_str(addr, "line2"));
		if (rc == BS_OK)
			rc = put_str(&am, "City", jsonr_str(addr, "city"));
		if (rc == BS_OK)
			rc = put_str(&am, "Region", jsonr_str(addr, "region"));
		if (rc == BS_OK)
			rc = put_str(&am, "PostalCode", jsonr_str(addr, "postcode"));
		if (rc == BS_OK)
			rc = put_str(&am, "Country", jsonr_str(addr, "country"));
		if (rc == BS_OK)
			rc = add(m, "}]");
	}
	return rc;
}

static int map_item(struct mapper *m, struct json_object *doc)
{
	int rc = put_str(m, "Code", jsonr_str(doc, "code"));

	if (rc == BS_OK)
		rc = put_str(m, "Name", jsonr_str(doc, "name"));
	if (rc == BS_OK)
		rc = put_str(m, "Description", jsonr_str(doc, "description"));
	if (rc == BS_OK)
		rc = put_key(m, "\"IsTrackedAsInventory\":false");
	if (rc == BS_OK && jsonr_str(doc, "sales_account") != NULL) {
		rc = put_key(m, "\"SalesDetails\":{");
		if (rc == BS_OK)
			rc =
			    jsonw_kv_str(m->out, 0, "AccountCode", jsonr_str(doc, "sales_account"));
		if (rc == BS_OK)
			rc = add(m, "}");
	}
	if (rc == BS_OK && jsonr_str(doc, "purchase_account") != NULL) {
		rc = put_key(m, "\"PurchaseDetails\":{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(m->out, 0, "AccountCode",
			                  jsonr_str(doc, "purchase_account"));
		if (rc == BS_OK)
			rc = add(m, "}");
	}
	return rc;
}

/* Invoices (ACCREC / ACCPAY), credit notes and purchase orders. */
static int map_document(struct mapper *m, enum ledger_doc_type t, struct json_object *doc)
{
	const char *sub = jsonr_str(doc, "subtype");
	bool purchases = sub != NULL && strcmp(sub, "purchases") == 0;
	int rc = BS_OK;

	if (t == LEDGER_INVOICE)
		rc = put_str(m, "Type", purchases ? "ACCPAY" : "ACCREC");
	else if (t == LEDGER_CREDIT_NOTE)
		rc = put_str(m, "Type", purchases ? "ACCPAYCREDIT" : "ACCRECCREDIT");
	if (rc == BS_OK)
		rc = put_link(m, "Contact", "ContactID", jsonr_str(doc, "contact"));
	if (rc == BS_OK)
		rc = put_str(m, xtypes[t].number, jsonr_str(doc, "number"));
	/* Xero keeps no Reference on bills (docs/mapping-xero.md §7); the number carries it. */
	if (rc == BS_OK && !(t == LEDGER_INVOICE && purchases))
		rc = put_str(m, "Reference", jsonr_str(doc, "reference"));
	if (rc == BS_OK)
		rc = put_str(m, "Date", jsonr_str(doc, "date"));
	if (rc == BS_OK)
		rc = put_str(m, "DueDate", jsonr_str(doc, "due_date"));
	if (rc == BS_OK)
		rc = put_str(m, "DeliveryDate", jsonr_str(doc, "delivery_date"));
	if (rc == BS_OK)
		rc = put_str(m, "CurrencyCode", jsonr_str(doc, "currency"));
	if (rc == BS_OK)
		rc = put_num(m, "CurrencyRate", jsonr_str(doc, "currency_rate"));
	if (rc == BS_OK)
		rc = put_str(m, "Status", jsonr_str(doc, "status"));
	if (rc == BS_OK)
		rc = put_str(m, "LineAmountTypes", amount_types(doc));
	if (rc == BS_OK)
		rc = put_lines(m, doc, false, false);
	return rc;
}

static int map_payment(struct mapper *m, struct json_object *doc)
{
	const char *target = jsonr_str(doc, "document");
	int rc;

	if (target == NULL)
		return bs_error_set(m->err, BS_EINVAL, "payment names no document");
	if (strncmp(target, "CreditNote/", 11) == 0)
		rc = put_link(m, "CreditNote", "CreditNoteID", target);
	else
		rc = put_link(m, "Invoice", "InvoiceID", target);
	if (rc == BS_OK && jsonr_str(doc, "account") != NULL) {
		rc = put_key(m, "\"Account\":{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(m->out, 0, "Code", jsonr_str(doc, "account"));
		if (rc == BS_OK)
			rc = add(m, "}");
	}
	if (rc == BS_OK)
		rc = put_str(m, "Date", jsonr_str(doc, "date"));
	if (rc == BS_OK)
		rc = put_num(m, "Amount", jsonr_str(doc, "amount"));
	if (rc == BS_OK)
		rc = put_num(m, "CurrencyRate", jsonr_str(doc, "currency_rate"));
	if (rc == BS_OK)
		rc = put_str(m, "Reference", jsonr_str(doc, "reference"));
	return rc;
}

static int map_allocation(struct mapper *m, struct json_object *doc)
{
	int rc = put_link(m, "Invoice", "InvoiceID", jsonr_str(doc, "invoice"));

	if (rc == BS_OK)
		rc = put_num(m, "Amount", jsonr_str(doc, "amount"));
	if (rc == BS_OK)
		rc = put_str(m, "Date", jsonr_str(doc, "date"));
	return rc;
}

static int map_journal(struct mapper *m, struct json_object *doc)
{
	int rc = put_str(m, "Narration", jsonr_str(doc, "narration"));

	if (rc == BS_OK)
		rc = put_str(m, "Date", jsonr_str(doc, "date"));
	if (rc == BS_OK)
		rc = put_str(m, "Status", "POSTED");
	if (rc == BS_OK)
		rc = put_str(m, "LineAmountTypes", "NoTax");
	if (rc == BS_OK)
		rc = put_lines(m, doc, false, true);
	return rc;
}

static int map_bank(struct mapper *m, struct json_object *doc)
{
	const char *dir = jsonr_str(doc, "direction");
	int rc = put_str(m, "Type", dir != NULL && strcmp(dir, "spend") == 0 ? "SPEND" : "RECEIVE");

	if (rc == BS_OK && jsonr_str(doc, "contact") != NULL)
		rc = put_link(m, "Contact", "ContactID", jsonr_str(doc, "contact"));
	else if (rc == BS_OK) {
		rc = put_key(m, "\"Contact\":{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(m->out, 0, "Name",
			                  jsonr_str(doc, "contact_name")
			                      ? jsonr_str(doc, "contact_name")
			                      : "booksync money tasks");
		if (rc == BS_OK)
			rc = add(m, "}");
	}
	if (rc == BS_OK && jsonr_str(doc, "bank_account") != NULL) {
		rc = put_key(m, "\"BankAccount\":{");
		if (rc == BS_OK)
			rc = jsonw_kv_str(m->out, 0, "Code", jsonr_str(doc, "bank_account"));
		if (rc == BS_OK)
			rc = add(m, "}");
	}
	if (rc == BS_OK)
		rc = put_str(m, "Date", jsonr_str(doc, "date"));
	if (rc == BS_OK)
		rc = put_str(m, "Reference", jsonr_str(doc, "reference"));
	if (rc == BS_OK)
		rc = put_str(m, "CurrencyCode", jsonr_str(doc, "currency"));
	if (rc == BS_OK)
		rc = put_str(m, "LineAmountTypes", amount_types(doc));
	if (rc == BS_OK)
		rc = put_lines(m, doc, true, false);
	return rc;
}

int xero_map_element(enum ledger_doc_type type, struct json_object *doc, const char *ledger_id,
                     ledger_resolve_fn resolve, void *arg, struct buf *out, struct bs_error *err)
{
	struct mapper m = {out, resolve, arg, err, 0};
	const char *op = jsonr_str(doc, "op");
	int rc;

	if ((unsigned)type >= LEDGER_DOC_TYPE_COUNT || doc == NULL ||
	    !json_object_is_type(doc, json_type_object))
		return bs_error_set(err, BS_EINVAL, "not a ledger document");
	if ((rc = buf_addc(out, '{')) != BS_OK)
		return rc;
	if (ledger_id != NULL && ledger_id[0] != '\0' && type != LEDGER_ALLOCATION)
		rc = put_str(&m, xtypes[type].id, ledger_id);
	if (rc == BS_OK && op != NULL && strcmp(op, "void") == 0) {
		/* Voiding sends only the id and the new status (docs/mapping-xero.md §7). */
		rc = put_str(&m, "Status", type == LEDGER_PAYMENT ? "DELETED" : "VOIDED");
		goto close;
	}
	if (rc == BS_OK && op != NULL && strcmp(op, "status") == 0) {
		/* A status change alone, e.g. a purchase order marked BILLED. */
		rc = put_str(&m, "Status", jsonr_str(doc, "status"));
		goto close;
	}
	if (rc != BS_OK)
		return rc;
	switch (type) {
	case LEDGER_CONTACT:
		rc = map_contact(&m, doc);
		break;
	case LEDGER_ITEM:
		rc = map_item(&m, doc);
		break;
	case LEDGER_PURCHASE_ORDER:
	case LEDGER_INVOICE:
	case LEDGER_CREDIT_NOTE:
		rc = map_document(&m, type, doc);
		break;
	case LEDGER_PAYMENT:
		rc = map_payment(&m, doc);
		break;
	case LEDGER_ALLOCATION:
		rc = map_allocation(&m, doc);
		break;
	case LEDGER_MANUAL_JOURNAL:
		rc = map_journal(&m, doc);
		break;
	case LEDGER_BANK_TRANSACTION:
		rc = map_bank(&m, doc);
		break;
	default:
		rc = BS_EINVAL;
	}
close:
	if (rc == BS_OK)
		rc = buf_addc(out, '}');
	return rc;
}

int xero_build_request(enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
                       ledger_resolve_fn resolve, void *arg, const char **method, struct buf *path,
                       struct buf *out, struct bs_error *err)
{
	bool update = false;
	int rc;

	if ((unsigned)type >= LEDGER_DOC_TYPE_COUNT || n == 0)
		return bs_error_set(err, BS_EINVAL, "empty batch");
	for (size_t i = 0; i < n; i++)
		update |= elems[i].ledger_id != NULL && elems[i].ledger_id[0] != '\0';
	buf_reset(path);
	buf_reset(out);
	if (type == LEDGER_ALLOCATION) {
		const char *cn = jsonr_str(elems[0].doc, "credit_note");
		char id[LEDGER_ID_MAX];

		if (cn == NULL)
			return bs_error_set(err, BS_EINVAL, "an allocation names no credit note");
		if (resolve(arg, cn, id) != BS_OK)
			return bs_error_set(err, BS_ENOTFOUND, "%s is not posted yet", cn);
		for (size_t i = 1; i < n; i++) {
			const char *other = jsonr_str(elems[i].doc, "credit_note");

			if (other == NULL || strcmp(other, cn) != 0)
				return bs_error_set(err, BS_EINVAL,
				                    "allocations of one call must share a credit "
				                    "note");
		}
		*method = "PUT";
		rc = buf_printf(path, "/CreditNotes/%s/Allocations?summarizeErrors=false", id);
	} else {
		/* PUT only creates; POST creates or updates (docs/mapping-xero.md §2). */
		*method = update ? "POST" : "PUT";
		rc = buf_printf(path, "/%s?summarizeErrors=false%s", xtypes[type].coll,
		                type == LEDGER_INVOICE || type == LEDGER_CREDIT_NOTE ||
		                        type == LEDGER_PURCHASE_ORDER ||
		                        type == LEDGER_BANK_TRANSACTION
		                    ? "&unitdp=4"
		                    : "");
	}
	if (rc == BS_OK)
		rc = buf_printf(out, "{\"%s\":[", xtypes[type].coll);
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		if (i > 0)
			rc = buf_addc(out, ',');
		if (rc == BS_OK)
			rc = xero_map_element(type, elems[i].doc, elems[i].ledger_id, resolve, arg,
			                      out, err);
	}
	if (rc == BS_OK)
		rc = buf_addstr(out, "]}");
	return rc;
}

/* "Message; Message" of an array of {Message} objects into b. */
static void collect_messages(struct json_object *el, const char *key, struct buf *b)
{
	struct json_object *arr;
	size_t n;

	if (!json_object_object_get_ex(el, key, &arr) || !json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		const char *msg = jsonr_str(json_object_array_get_idx(arr, i), "Message");

		if (msg == NULL)
			continue;
		if (b->len > 0)
			buf_addstr(b, "; ");
		if (strcmp(key, "Warnings") == 0)
			buf_addstr(b, "warning: ");
		buf_addstr(b, msg);
	}
}

/* Line-level ValidationErrors (Xero nests them in LineItems). */
static void collect_line_messages(struct json_object *el, struct buf *b)
{
	struct json_object *lines;
	size_t n;

	if (!json_object_object_get_ex(el, "LineItems", &lines) ||
	    !json_object_is_type(lines, json_type_array))
		return;
	n = json_object_array_length(lines);
	for (size_t i = 0; i < n; i++)
		collect_messages(json_object_array_get_idx(lines, i), "ValidationErrors", b);
}

/*
 * Xero says why in English only: class its ValidationErrors (not its
 * Warnings) here, so nothing past the connector reads Xero's words.
 */
static enum ledger_refusal classify(const char *errors)
{
	static const struct {
		const char *words;
		enum ledger_refusal r;
	} table[] = {
	    {"not of valid status", LEDGER_REFUSAL_WRONG_STATUS},
	    {"already assigned", LEDGER_REFUSAL_DUPLICATE},
	    {"must be unique", LEDGER_REFUSAL_DUPLICATE},
	    {"lock date", LEDGER_REFUSAL_LOCKED_PERIOD},
	    {"could not be found", LEDGER_REFUSAL_NOT_FOUND},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strstr(errors, table[i].words) != NULL)
			return table[i].r;
	}
	return LEDGER_REFUSAL_INVALID;
}

int xero_parse_response(enum ledger_doc_type type, const char *body, size_t len,
                        struct ledger_elem *elems, size_t n, struct bs_error *err)
{
	struct json_tokener *tok;
	struct json_object *root = NULL, *arr = NULL;
	int rc = BS_OK;

	if ((unsigned)type >= LEDGER_DOC_TYPE_COUNT)
		return bs_error_set(err, BS_EINVAL, "%d is not a ledger document type", (int)type);
	tok = json_tokener_new();
	if (tok == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (root == NULL || !json_object_object_get_ex(root, xtypes[type].coll, &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		rc =
		    bs_error_set(err, BS_EPROTO, "Xero's answer has no %s list", xtypes[type].coll);
		goto out;
	}
	if (json_object_array_length(arr) != n) {
		rc = bs_error_set(err, BS_EPROTO, "sent %zu %s, Xero answered for %zu", n,
		                  xtypes[type].coll, json_object_array_length(arr));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *el = json_object_array_get_idx(arr, i), *v;
		struct ledger_elem *e = &elems[i];
		const char *status = jsonr_str(el, "StatusAttributeString");
		const char *id = jsonr_str(el, xtypes[type].id);
		const char *num = xtypes[type].number ? jsonr_str(el, xtypes[type].number) : NULL;
		const char *total = xtypes[type].total ? jsonr_str(el, xtypes[type].total) : NULL;
		bool has_errors =
		    (status != NULL && strcmp(status, "ERROR") == 0) ||
		    (json_object_object_get_ex(el, "HasErrors", &v) && json_object_get_boolean(v));

		buf_reset(&e->message);
		collect_messages(el, "ValidationErrors", &e->message);
		collect_line_messages(el, &e->message);
		has_errors |= e->message.len > 0;
		e->refusal = has_errors ? classify(buf_cstr(&e->message)) : LEDGER_REFUSAL_NONE;
		collect_messages(el, "Warnings", &e->message);
		e->warned = json_object_object_get_ex(el, "Warnings", &v) &&
		            json_object_is_type(v, json_type_array) &&
		            json_object_array_length(v) > 0;
		e->status = has_errors ? BS_EINVAL : BS_OK;
		snprintf(e->id, sizeof(e->id), "%s", id != NULL && !has_errors ? id : "");
		snprintf(e->number, sizeof(e->number), "%s", num != NULL ? num : "");
		e->has_total = total != NULL && money_parse_fixed(total, strlen(total), MONEY_DP,
		                                                  MONEY_DP, &e->total) == BS_OK;
		if (!has_errors && e->id[0] == '\0') {
			e->status = BS_EINVAL;
			e->refusal = LEDGER_REFUSAL_NO_ID;
			buf_addstr(&e->message, "Xero accepted the element but returned no id");
		}
	}
out:
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}
