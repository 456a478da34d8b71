/*
 * qbo_ent.c - the QuickBooks Online sandbox's entities: the table of what
 * each one allows, the operations (create, read, full and sparse update
 * with SyncToken, delete, void), references and lengths, and the checks of
 * the list entities (Customer, Vendor, Item, Account) and Preferences.
 * Transactions are checked in qbo_txn.c.
 */
#include "sandbox/qbo_int.h"

#include "core/civil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REQ_MSG "Required param missing, need to supply the required value for the API"
#define BIZ_MSG "A business validation error has occurred while processing your request"
#define DUP_MSG "Duplicate Name Exists Error"

static int check_party(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
static int check_item(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
static int check_account(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);
static int check_prefs(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old);

#define LIST (QBF_WRITE | QBF_ACTIVE | QBF_CDC)
#define TXN  (QBF_WRITE | QBF_DELETE | QBF_TXN | QBF_CDC)

const struct qbo_ent_desc qbo_ents[QBE_COUNT] = {
    [QBE_ACCOUNT] = {"Account", "account", LIST, check_account},
    [QBE_TAXCODE] = {"TaxCode", "taxcode", QBF_ACTIVE, NULL},
    [QBE_TAXRATE] = {"TaxRate", "taxrate", QBF_ACTIVE, NULL},
    [QBE_CUSTOMER] = {"Customer", "customer", LIST | QBF_NAME, check_party},
    [QBE_VENDOR] = {"Vendor", "vendor", LIST | QBF_NAME, check_party},
    [QBE_ITEM] = {"Item", "item", LIST, check_item},
    [QBE_INVOICE] = {"Invoice", "invoice", TXN | QBF_VOID, qbo_check_sales},
    [QBE_CREDITMEMO] = {"CreditMemo", "creditmemo", TXN | QBF_VOID, qbo_check_sales},
    [QBE_PAYMENT] = {"Payment", "payment", TXN | QBF_VOID, qbo_check_payment},
    [QBE_BILL] = {"Bill", "bill", TXN, qbo_check_purchase},
    [QBE_BILLPAYMENT] = {"BillPayment", "billpayment", TXN | QBF_VOID, qbo_check_payment},
    [QBE_PURCHASEORDER] = {"PurchaseOrder", "purchaseorder", TXN, qbo_check_purchase},
    [QBE_VENDORCREDIT] = {"VendorCredit", "vendorcredit", TXN, qbo_check_purchase},
    [QBE_JOURNALENTRY] = {"JournalEntry", "journalentry", TXN, qbo_check_journal},
    [QBE_DEPOSIT] = {"Deposit", "deposit", TXN, qbo_check_deposit},
    [QBE_PURCHASE] = {"Purchase", "purchase", TXN, qbo_check_purchase},
    [QBE_COMPANYINFO] = {"CompanyInfo", "companyinfo", 0, NULL},
    [QBE_PREFERENCES] = {"Preferences", "preferences", QBF_UPDATE, check_prefs},
};

/* ------------------------------------------------------------- helpers */

static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int qbo_len(struct qbo_ctx *c, json_object *doc, const char *key, size_t max)
{
	const char *s = sb_jstr(doc, key);

	if (s == NULL || utf8_len(s) <= max)
		return BS_OK;
	return qbo_verr(c->f, "2050",
	                "String length is either shorter or longer than supported by "
	                "specification",
	                key, "%s: at most %zu characters, got %zu", key, max, utf8_len(s));
}

static const char *display_of(const struct qbo_doc *d)
{
	const char *s = sb_jstr(d->obj, "DisplayName");

	if (s == NULL)
		s = sb_jstr(d->obj, "FullyQualifiedName");
	return s ? s : sb_jstr(d->obj, "Name");
}

int qbo_ref(struct qbo_ctx *c, json_object *doc, const char *key, int ent, bool required,
            struct qbo_doc **out)
{
	json_object *v = json_object_object_get(doc, key);
	const char *id = v ? sb_jstr(v, "value") : NULL;
	struct qbo_doc *d;

	if (out)
		*out = NULL;
	if (v == NULL || json_object_is_type(v, json_type_null)) {
		if (!required)
			return BS_OK;
		return qbo_verr(c->f, "2020", REQ_MSG, key,
		                "Required parameter %s is missing in the request", key);
	}
	if (id == NULL)
		return qbo_verr(c->f, "2020", REQ_MSG, key,
		                "Required parameter %s.value is missing", key);
	d = qbo_find(c, ent, id);
	if (d == NULL)
		return qbo_verr(c->f, "2500", "Invalid Reference Id", key,
		                "Invalid Reference Id : %s element id %s not found",
		                qbo_ents[ent].name, id);
	if (!sb_jbool(d->obj, "Active", true))
		return qbo_verr(
		    c->f, "610", "Object Not Found", key,
		    "Object Not Found : Something you're trying to use has been made "
		    "inactive. Check the fields with accounts, customers, items, vendors "
		    "or employees. (%s %s)",
		    qbo_ents[ent].name, id);
	if (display_of(d) != NULL)
		sb_jset_str(v, "name", display_of(d));
	if (out)
		*out = d;
	return BS_OK;
}

/* Is `name` used (case-insensitively) by a live document of ent other than self? */
static bool name_taken(struct qbo_ctx *c, int ent, const char *field, const char *name,
                       const struct qbo_doc *self)
{
	struct qbo_coll *cl = &c->r->coll[ent];

	for (size_t i = 0; i < cl->n; i++) {
		const char *s = sb_jstr(cl->docs[i]->obj, field);

		if (!cl->docs[i]->deleted && cl->docs[i] != self && s != NULL &&
		    strcasecmp(s, name) == 0)
			return true;
	}
	return false;
}

static void set_currency(json_object *doc)
{
	if (json_object_object_get(doc, "CurrencyRef") == NULL) {
		json_object *cur = json_object_new_object();

		sb_jset_str(cur, "value", "NZD");
		sb_jset_str(cur, "name", "New Zealand Dollar");
		json_object_object_add(doc, "CurrencyRef", cur);
	}
}

/* ------------------------------------------------------------- list entities */

static int check_party(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	static const char *const parts[] = {"Title", "GivenName", "MiddleName", "FamilyName",
	                                    "Suffix"};
	static const char *const hundred[] = {"GivenName",   "MiddleName",       "FamilyName",
	                                      "CompanyName", "PrintOnCheckName", "AcctNum"};
	const char *dn = sb_jstr(doc, "DisplayName");
	char built[512];
	struct buf b;

	(void)ent; /* one rule for customers and vendors */
	for (size_t i = 0; i < 6; i++)
		if (qbo_len(c, doc, hundred[i], 100) != BS_OK)
			return BS_EINVAL;
	if (qbo_len(c, doc, "Title", 16) != BS_OK || qbo_len(c, doc, "Suffix", 16) != BS_OK)
		return BS_EINVAL;
	if (dn == NULL || dn[0] == '\0') {
		buf_init(&b, sizeof(built) - 1);
		for (size_t i = 0; i < 5; i++) {
			const char *p = sb_jstr(doc, parts[i]);

			if (p != NULL && p[0] != '\0')
				buf_printf(&b, "%s%s", b.len ? " " : "", p);
		}
		if (b.len == 0 && sb_jstr(doc, "CompanyName") != NULL)
			buf_addstr(&b, sb_jstr(doc, "CompanyName"));
		snprintf(built, sizeof(built), "%s", buf_cstr(&b));
		buf_free(&b);
		if (built[0] == '\0')
			return qbo_verr(c->f, "6080", BIZ_MSG, "DisplayName",
			                "Name fields are empty: give DisplayName or a name part");
		sb_jset_str(doc, "DisplayName", built);
		dn = sb_jstr(doc, "DisplayName");
	}
	if (qbo_len(c, doc, "DisplayName", 500) != BS_OK)
		return BS_EINVAL;
	if (strchr(dn, ':') != NULL)
		return qbo_verr(c->f, "6000", BIZ_MSG, "DisplayName",
		                "The DisplayName cannot contain a colon (:)");
	if (name_taken(c, QBE_CUSTOMER, "DisplayName", dn, old) ||
	    name_taken(c, QBE_VENDOR, "DisplayName", dn, old))
		return qbo_verr(
		    c->f, "6240", DUP_MSG, "DisplayName",
		    "The name supplied already exists. : Another customer, vendor or "
		    "employee is already using this name. Please use a different name.");
	if (json_object_object_get(doc, "Active") == NULL)
		json_object_object_add(doc, "Active", json_object_new_boolean(true));
	if (json_object_object_get(doc, "Balance") == NULL)
		json_object_object_add(doc, "Balance", sb_jdec_json(0, 2, 2));
	return qbo_check_currency(c, doc, false);
}

/* Name rules shared by Item and Account: required, 100, no ':' (or '"'), unique. */
static int check_list_name(struct qbo_ctx *c, json_object *doc, int ent, const char *bad,
                           const struct qbo_doc *old)
{
	const char *name = sb_jstr(doc, "Name");

	if (name == NULL || name[0] == '\0')
		return qbo_verr(c->f, "2020", REQ_MSG, "Name",
		                "Required parameter Name is missing in the request");
	if (qbo_len(c, doc, "Name", 100) != BS_OK)
		return BS_EINVAL;
	if (strpbrk(name, bad) != NULL)
		return qbo_verr(c->f, "6000", BIZ_MSG, "Name", "The Name cannot contain %s", bad);
	if (name_taken(c, ent, "Name", name, old))
		return qbo_verr(c->f, "6240", DUP_MSG, "Name",
		                "The name supplied already exists. : Another %s is already using "
		                "this name. Please use a different name.",
		                ent == QBE_ITEM ? "product or service" : "account");
	sb_jset_str(doc, "FullyQualifiedName", name);
	if (json_object_object_get(doc, "Active") == NULL)
		json_object_object_add(doc, "Active", json_object_new_boolean(true));
	return BS_OK;
}

static int check_item(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	static const char *const types[] = {"Service", "NonInventory", "Inventory"};
	const char *type = sb_jstr(doc, "Type");
	int64_t v;

	if (check_list_name(c, doc, ent, ":", old) != BS_OK)
		return BS_EINVAL;
	if (type == NULL) {
		sb_jset_str(doc, "Type", "Service");
		type = "Service";
	}
	if (!sb_in_list(types, 3, type))
		return qbo_verr(c->f, "2170", "Invalid Enumeration", "Type",
		                "Invalid Enumeration : %s (Service, NonInventory or Inventory)",
		                type);
	if (qbo_len(c, doc, "Description", 4000) != BS_OK || qbo_len(c, doc, "Sku", 100) != BS_OK)
		return BS_EINVAL;
	for (size_t i = 0; i < 3; i++) {
		static const char *const money[] = {"UnitPrice", "PurchaseCost", "QtyOnHand"};
		json_object *m = json_object_object_get(doc, money[i]);

		if (m != NULL && !json_object_is_type(m, json_type_null) &&
		    sb_jdec(m, 7, 7, &v) != BS_OK)
			return qbo_verr(c->f, "6000", BIZ_MSG, money[i],
			                "%s must be a number with at most 7 decimal places",
			                money[i]);
	}
	if (qbo_ref(c, doc, "IncomeAccountRef", QBE_ACCOUNT, false, NULL) != BS_OK ||
	    qbo_ref(c, doc, "ExpenseAccountRef", QBE_ACCOUNT, false, NULL) != BS_OK ||
	    qbo_ref(c, doc, "AssetAccountRef", QBE_ACCOUNT, false, NULL) != BS_OK)
		return BS_EINVAL;
	if (strcmp(type, "Inventory") == 0) {
		static const char *const need[] = {"IncomeAccountRef", "ExpenseAccountRef",
		                                   "AssetAccountRef", "QtyOnHand", "InvStartDate"};

		for (size_t i = 0; i < 5; i++)
			if (json_object_object_get(doc, need[i]) == NULL)
				return qbo_verr(
				    c->f, "2020", REQ_MSG, need[i],
				    "Required parameter %s is missing for an Inventory item",
				    need[i]);
		json_object_object_add(doc, "TrackQtyOnHand", json_object_new_boolean(true));
	} else if (json_object_object_get(doc, "IncomeAccountRef") == NULL &&
	           json_object_object_get(doc, "ExpenseAccountRef") == NULL) {
		return qbo_verr(c->f, "2020", REQ_MSG, "IncomeAccountRef",
		                "Required parameter IncomeAccountRef (or ExpenseAccountRef) is "
		                "missing in the request");
	}
	return BS_OK;
}

static const struct {
	const char *type, *cls, *sub;
} acct_types[] = {
    {"Bank", "Asset", "Checking"},
    {"Other Current Asset", "Asset", "OtherCurrentAssets"},
    {"Fixed Asset", "Asset", "OtherFixedAssets"},
    {"Other Asset", "Asset", "OtherLongTermAssets"},
    {"Accounts Receivable", "Asset", "AccountsReceivable"},
    {"Equity", "Equity", "OwnersEquity"},
    {"Expense", "Expense", "OtherMiscellaneousServiceCost"},
    {"Other Expense", "Expense", "OtherMiscellaneousExpense"},
    {"Cost of Goods Sold", "Expense", "SuppliesMaterialsCogs"},
    {"Accounts Payable", "Liability", "AccountsPayable"},
    {"Credit Card", "Liability", "CreditCard"},
    {"Long Term Liability", "Liability", "OtherLongTermLiabilities"},
    {"Other Current Liability", "Liability", "OtherCurrentLiabilities"},
    {"Income", "Revenue", "SalesOfProductIncome"},
    {"Other Income", "Revenue", "OtherMiscellaneousIncome"},
};

static int check_account(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	const char *type = sb_jstr(doc, "AccountType"), *sub = sb_jstr(doc, "AccountSubType");
	size_t n = sizeof(acct_types) / sizeof(acct_types[0]), i;

	if (check_list_name(c, doc, ent, ":\"", old) != BS_OK ||
	    qbo_len(c, doc, "Description", 100) != BS_OK || qbo_len(c, doc, "AcctNum", 20) != BS_OK)
		return BS_EINVAL;
	if (type == NULL && sub == NULL)
		return qbo_verr(c->f, "6010", BIZ_MSG, "AccountType",
		                "Either AccountType or AccountSubType is required");
	for (i = 0; i < n; i++)
		if (type != NULL ? strcmp(acct_types[i].type, type) == 0
		                 : strcmp(acct_types[i].sub, sub) == 0)
			break;
	if (i == n)
		return qbo_verr(c->f, "2170", "Invalid Enumeration",
		                type ? "AccountType" : "AccountSubType", "Invalid Enumeration : %s",
		                type ? type : sub);
	sb_jset_str(doc, "AccountType", acct_types[i].type);
	sb_jset_str(doc, "Classification", acct_types[i].cls);
	if (sub == NULL)
		sb_jset_str(doc, "AccountSubType", acct_types[i].sub);
	json_object_object_add(doc, "SubAccount", json_object_new_boolean(false));
	if (json_object_object_get(doc, "CurrentBalance") == NULL)
		json_object_object_add(doc, "CurrentBalance", json_object_new_int(0));
	set_currency(doc);
	return BS_OK;
}

/* Preferences: only AccountingInfoPrefs.BookCloseDate is checked (a date or null). */
static int check_prefs(struct qbo_ctx *c, int ent, json_object *doc, const struct qbo_doc *old)
{
	json_object *close = sb_jget_path(doc, "AccountingInfoPrefs.BookCloseDate");
	int64_t ms;

	(void)ent;
	(void)old;
	if (close != NULL && !json_object_is_type(close, json_type_null) &&
	    (!json_object_is_type(close, json_type_string) ||
	     civil_parse(json_object_get_string(close), &ms) != BS_OK))
		return qbo_verr(c->f, "2170", "Invalid Enumeration", "BookCloseDate",
		                "BookCloseDate must be a date YYYY-MM-DD or null");
	return BS_OK;
}

/* ------------------------------------------------------------- operations */

static const char *const readonly[] = {"Id",     "SyncToken", "MetaData", "domain",
                                       "sparse", "status",    "time"};

static json_object *copy_writable(json_object *in)
{
	json_object *doc = NULL;

	if (json_object_deep_copy(in, &doc, NULL) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++)
		json_object_object_del(doc, readonly[i]);
	return doc;
}

/* A sparse update: the stored document with the request's fields over it. */
static json_object *merge_sparse(json_object *stored, json_object *in)
{
	json_object *doc = NULL;

	if (json_object_deep_copy(stored, &doc, NULL) != 0)
		return NULL;
	json_object_object_foreach(in, k, v)
	{
		json_object *cp = NULL;

		if (sb_in_list(readonly, sizeof(readonly) / sizeof(readonly[0]), k))
			continue;
		if (v != NULL && json_object_deep_copy(v, &cp, NULL) != 0)
			continue;
		json_object_object_add(doc, k, cp);
	}
	return doc;
}

static int unsupported(struct qbo_ctx *c, int ent, const char *op)
{
	return qbo_verr(c->f, "500", "Unsupported Operation", NULL,
	                "Operation %s is not supported for %s", op, qbo_ents[ent].name);
}

/* The stored document `in` names, its SyncToken current and its date open;
 * else NULL with the Fault in c->f. */
static struct qbo_doc *target(struct qbo_ctx *c, int ent, json_object *in)
{
	const char *id = sb_jstr(in, "Id"), *st = sb_jstr(in, "SyncToken");
	struct qbo_doc *d;

	if (id == NULL) {
		qbo_verr(c->f, "2020", REQ_MSG, "Id", "Required parameter Id is missing");
		return NULL;
	}
	if (st == NULL) {
		qbo_verr(c->f, "2020", REQ_MSG, "SyncToken",
		         "Required parameter SyncToken is missing");
		return NULL;
	}
	d = qbo_find(c, ent, id);
	if (d == NULL) {
		qbo_verr(c->f, "610", "Object Not Found", NULL,
		         "Object Not Found : Something you're trying to use has been made "
		         "inactive or does not exist. (%s %s)",
		         qbo_ents[ent].name, id);
		return NULL;
	}
	if (strcmp(st, sb_jstr(d->obj, "SyncToken")) != 0) {
		qbo_verr(c->f, "5010", "Stale Object Error", "SyncToken",
		         "Stale Object Error : You and another user were working on the same "
		         "thing. SyncToken %s is not the current one (%s).",
		         st, sb_jstr(d->obj, "SyncToken"));
		return NULL;
	}
	if ((qbo_ents[ent].flags & QBF_TXN) && qbo_closed(c, sb_jstr(d->obj, "TxnDate"))) {
		qbo_fault(c->f, 400, "ValidationFault", "6210", "Account Period Closed", "TxnDate",
		          "Account Period Closed, Cannot Update Through Services API : The "
		          "account period has closed and the books are locked.");
		return NULL;
	}
	return d;
}

/* A document with payments applied (Balance below TotalAmt) can be neither
 * deleted nor voided: they would be left pointing at nothing. */
static int check_unpaid(struct qbo_ctx *c, const struct qbo_doc *d)
{
	if (json_object_object_get(d->obj, "Balance") != NULL &&
	    sb_jamount(d->obj, "Balance") != sb_jamount(d->obj, "TotalAmt") &&
	    (d->ent == QBE_INVOICE || d->ent == QBE_BILL || d->ent == QBE_CREDITMEMO ||
	     d->ent == QBE_VENDORCREDIT))
		return qbo_verr(c->f, "6000", BIZ_MSG, NULL,
		                "This transaction has payments applied: delete or void them first");
	return BS_OK;
}

static void zero_amounts(json_object *doc)
{
	json_object *lines = json_object_object_get(doc, "Line");
	const char *note = sb_jstr(doc, "PrivateNote");
	char buf[4100];

	for (size_t i = 0; lines && i < json_object_array_length(lines); i++)
		sb_jset_amount(json_object_array_get_idx(lines, i), "Amount", 0, 2);
	sb_jset_amount(doc, "TotalAmt", 0, 2);
	if (json_object_object_get(doc, "Balance") != NULL)
		sb_jset_amount(doc, "Balance", 0, 2);
	if (json_object_object_get(doc, "UnappliedAmt") != NULL)
		sb_jset_amount(doc, "UnappliedAmt", 0, 2);
	if (sb_jget_path(doc, "TxnTaxDetail") != NULL) {
		json_object *tt = json_object_new_object();

		sb_jset_amount(tt, "TotalTax", 0, 2);
		json_object_object_add(doc, "TxnTaxDetail", tt);
	}
	/* a second void leaves the note as the first made it */
	if (note != NULL && strncmp(note, "Voided", 6) == 0)
		return;
	snprintf(buf, sizeof(buf), "Voided%s%.4000s", note ? " - " : "", note ? note : "");
	sb_jset_str(doc, "PrivateNote", buf);
}

static int op_remove(struct qbo_ctx *c, int ent, bool is_void, json_object *in, json_object **out)
{
	struct qbo_doc *d;
	json_object *doc = NULL;
	bool pay = ent == QBE_PAYMENT || ent == QBE_BILLPAYMENT;
	int rc;

	if (!(qbo_ents[ent].flags & (is_void ? QBF_VOID : QBF_DELETE)))
		return unsupported(c, ent, is_void ? "void" : "delete");
	if ((d = target(c, ent, in)) == NULL || check_unpaid(c, d) != BS_OK)
		return BS_EINVAL;
	if (pay && (rc = qbo_unapply(c, ent, d->obj)) != BS_OK)
		return rc;
	if (!is_void) {
		if ((rc = qbo_mark_deleted(c, d)) != BS_OK)
			return rc;
		*out = json_object_new_object();
		sb_jset_str(*out, "domain", "QBO");
		sb_jset_str(*out, "status", "Deleted");
		sb_jset_str(*out, "Id", d->id);
		return BS_OK;
	}
	if (json_object_deep_copy(d->obj, &doc, NULL) != 0)
		return BS_ENOMEM;
	zero_amounts(doc);
	if ((rc = qbo_put(c, ent, d, doc, &d)) != BS_OK)
		return rc;
	*out = json_object_get(d->obj);
	return BS_OK;
}

static int op_write(struct qbo_ctx *c, int ent, const char *op, json_object *in, json_object **out)
{
	const struct qbo_ent_desc *ed = &qbo_ents[ent];
	struct qbo_doc *old = NULL, *d;
	json_object *doc;
	int rc;

	*out = NULL;
	if (strcasecmp(op, "delete") == 0 || strcasecmp(op, "void") == 0)
		return op_remove(c, ent, strcasecmp(op, "void") == 0, in, out);
	if (strcasecmp(op, "create") == 0) {
		if (!(ed->flags & QBF_WRITE))
			return unsupported(c, ent, op);
		doc = copy_writable(in);
	} else if (strcasecmp(op, "update") == 0) {
		if (!(ed->flags & (QBF_WRITE | QBF_UPDATE)))
			return unsupported(c, ent, op);
		if ((old = target(c, ent, in)) == NULL)
			return BS_EINVAL;
		doc = sb_jbool(in, "sparse", false) || (ed->flags & QBF_UPDATE)
		          ? merge_sparse(old->obj, in)
		          : copy_writable(in);
	} else {
		return qbo_verr(c->f, "2170", "Invalid Enumeration", "operation",
		                "Invalid Enumeration : operation %s", op);
	}
	if (doc == NULL)
		return BS_ENOMEM;
	if (ed->check != NULL && (rc = ed->check(c, ent, doc, old)) != BS_OK) {
		json_object_put(doc);
		return rc;
	}
	if ((rc = qbo_put(c, ent, old, doc, &d)) != BS_OK)
		return rc;
	*out = json_object_get(d->obj);
	return BS_OK;
}

/* Queue the webhook event of a change: {"name", "id", "operation",
 * "lastUpdated"} (operation Create, Update, Delete or Void). */
static void hook_event(struct qbo_ctx *c, int ent, const char *op, json_object *out)
{
	static const char *const names[] = {"Create", "Update", "Delete", "Void"};
	const char *opname = NULL;
	json_object *o;
	char t[48];

	for (size_t i = 0; i < 4; i++)
		if (strcasecmp(op, names[i]) == 0)
			opname = names[i];
	if (!c->sb->hook_running || !(qbo_ents[ent].flags & QBF_CDC) || opname == NULL ||
	    sb_jstr(out, "Id") == NULL)
		return;
	qbo_time(t, sizeof(t), c->now);
	o = json_object_new_object();
	sb_jset_str(o, "name", qbo_ents[ent].name);
	sb_jset_str(o, "id", sb_jstr(out, "Id"));
	sb_jset_str(o, "operation", opname);
	sb_jset_str(o, "lastUpdated", t);
	sb_hook_enqueue(c->sb, o, c->r->id);
	json_object_put(o);
}

int qbo_op(struct qbo_ctx *c, int ent, const char *op, json_object *in, json_object **out)
{
	int rc = op_write(c, ent, op, in, out);

	if (rc == BS_OK)
		hook_event(c, ent, op, *out);

	/* out of memory or the state file failing: a SystemFault, not silence */
	if (rc != BS_OK && c->f->n == 0)
		qbo_fault(c->f, 500, "SystemFault", "10000",
		          "An application error has occurred while processing your request", NULL,
		          "System Failure Error: %s", bs_strerror(rc));
	return rc;
}

int qbo_read(struct qbo_ctx *c, int ent, const char *id, json_object **out)
{
	struct qbo_doc *d = qbo_find(c, ent, id);

	*out = NULL;
	if (d == NULL)
		return qbo_verr(c->f, "610", "Object Not Found", NULL,
		                "Object Not Found : Something you're trying to use has been made "
		                "inactive or does not exist. (%s %s)",
		                qbo_ents[ent].name, id ? id : "");
	*out = json_object_get(d->obj);
	return BS_OK;
}
