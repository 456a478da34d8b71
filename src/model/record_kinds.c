/*
 * record_kinds.c - what each source record kind is (docs/records.md):
 * its field tables and the rules that span fields (line amounts, totals,
 * exclusive references, base-currency-only kinds, tabs).
 *
 * Field tables are sorted bytewise by name ('_' sorts before letters):
 * record.c binary-searches them and rf_spec_check (run by the unit tests)
 * refuses an unsorted one.  Adding a field is adding a row.
 */
#include "model/record_int.h"

#include "core/error.h"
#include "core/money.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 255
#define DESC_MAX_LEN 4000 /* Xero's line description limit */
#define SKU_MAX_LEN  30   /* Xero's item code limit */

#define KIND_BIT(k) (1u << (k))

/* Row shorthands (kept one per line: clang-format would spread each over four). */
/* clang-format off */
#define TEXT(n, m)		{.name = n, .type = RF_TEXT, .max = m}
#define TEXT_F(n, m, fl)	{.name = n, .type = RF_TEXT, .max = m, .flags = fl}
#define TEXT_S(n, m, s)		{.name = n, .type = RF_TEXT, .max = m, .slot = s}
#define CODE(n, m)		{.name = n, .type = RF_CODE, .max = m}
#define CODE_F(n, m, fl)	{.name = n, .type = RF_CODE, .max = m, .flags = fl}
#define CODE_S(n, m, fl, s)	{.name = n, .type = RF_CODE, .max = m, .flags = fl, .slot = s}
#define REF(n, s, kinds, fl)	{.name = n, .type = RF_REF, .slot = s, .ref_kinds = kinds, \
				 .flags = fl}
#define ENUM(n, e, s, fl)	{.name = n, .type = RF_ENUM, .enums = e, .slot = s, .flags = fl}
#define DATE(n, s)		{.name = n, .type = RF_DATE, .slot = s}
#define CURRENCY		{.name = "currency", .type = RF_CURRENCY}
#define FXRATE			{.name = "fx_rate", .type = RF_FX, .slot = S_FX_RATE}
#define AMOUNT(n, s, fl)	{.name = n, .type = RF_AMOUNT, .slot = s, .flags = fl}
#define PRICE(n, s, fl)		{.name = n, .type = RF_PRICE, .slot = s, .flags = fl}
#define QTY(fl)			{.name = "qty", .type = RF_QTY, .slot = S_QTY, .flags = fl}
#define TAX_RATE		{.name = "tax_rate", .type = RF_PCT, .slot = S_TAX_RATE, \
				 .pct_min = 0, .pct_max = -1}
#define DISCOUNT		{.name = "discount_pct", .type = RF_PCT, .slot = S_DISCOUNT, \
				 .pct_min = 0, .pct_max = 100 * PCT_SCALE}
#define BOOL(n)			{.name = n, .type = RF_BOOL}
#define OBJECT(n, sub_)		{.name = n, .type = RF_OBJECT, .sub = sub_}
#define LINES(sub_)		{.name = "lines", .type = RF_LINES, .sub = sub_, \
				 .flags = RF_REQUIRED}
#define TRACKING		{.name = "tracking", .type = RF_TRACKING}
#define TAX_MODE		{.name = "tax_mode", .type = RF_ENUM, .enums = tax_modes, \
				 .dflt = "exclusive"}
#define TOTAL			AMOUNT("total", S_TOTAL, 0)
#define SPEC(name, rows)	static const struct rf_object name = \
				{rows, sizeof(rows) / sizeof(rows[0])}
/* clang-format on */

/* Enum tables: the order is the index rules test (st->top[S].v). */
static const char *const tax_modes[] = {"exclusive", "inclusive", "none", NULL};
static const char *const sale_statuses[] = {"open", "invoiced", "paid", "void", NULL};
static const char *const purchase_statuses[] = {"open", "billed", "finished", NULL};
static const char *const product_types[] = {"product", "service", NULL};
static const char *const voucher_events[] = {"sold", "redeemed", "expired", NULL};
static const char *const credit_events[] = {"issued", "used", "refunded", NULL};
static const char *const credit_origins[] = {"refund", "prepayment", "other", NULL};
static const char *const directions[] = {"receive", "spend", NULL};

enum { PURCHASE_OPEN, PURCHASE_BILLED, PURCHASE_FINISHED };
enum { VOUCHER_SOLD, VOUCHER_REDEEMED, VOUCHER_EXPIRED };
enum { CREDIT_ISSUED, CREDIT_USED, CREDIT_REFUNDED };

/* The common fields, which every top-level table lists in its sorted place
 * (one table per object keeps the walk a single ordered pass). */
/* clang-format off */
#define C_DATE		DATE("date", S_DATE)
#define C_ID		{.name = "id", .type = RF_ID}
#define C_KIND		{.name = "kind", .type = RF_KIND}
#define C_VERSION	{.name = "version", .type = RF_VERSION}
/* clang-format on */
static const char *const common_names[] = {"date", "id", "kind", "version"};

/* ---- contacts and products ------------------------------------------ */

static const struct rf_field address_rows[] = {
    TEXT("city", NAME_MAX_LEN),  TEXT("country", NAME_MAX_LEN),  TEXT("line1", NAME_MAX_LEN),
    TEXT("line2", NAME_MAX_LEN), TEXT("postcode", NAME_MAX_LEN), TEXT("region", NAME_MAX_LEN),
};
SPEC(address_spec, address_rows);

static const struct rf_field contact_rows[] = {
    OBJECT("address", &address_spec),
    CURRENCY,
    C_DATE,
    TEXT("email", NAME_MAX_LEN),
    C_ID,
    C_KIND,
    TEXT_F("name", NAME_MAX_LEN, RF_REQUIRED),
    TEXT("phone", NAME_MAX_LEN),
    TEXT("tax_number", NAME_MAX_LEN),
    C_VERSION,
};
SPEC(contact_spec, contact_rows);

static const struct rf_field product_rows[] = {
    TEXT("category", NAME_MAX_LEN),
    C_DATE,
    C_ID,
    C_KIND,
    TEXT("name", NAME_MAX_LEN),
    CODE("purchase_account", NAME_MAX_LEN),
    CODE("sales_account", NAME_MAX_LEN),
    CODE_F("sku", SKU_MAX_LEN, RF_REQUIRED),
    TRACKING,
    ENUM("type", product_types, S_NONE, 0),
    C_VERSION,
};
SPEC(product_spec, product_rows);

/* ---- sales documents ------------------------------------------------ */

static const struct rf_field channel_rows[] = {
    TEXT("name", NAME_MAX_LEN),
    TEXT("type", NAME_MAX_LEN),
};
SPEC(channel_spec, channel_rows);

static const struct rf_field sale_line_rows[] = {
    CODE_S("account", NAME_MAX_LEN, 0, S_ACCOUNT),
    TEXT_S("description", DESC_MAX_LEN, S_DESCRIPTION),
    DISCOUNT,
    QTY(RF_REQUIRED),
    CODE_S("sku", SKU_MAX_LEN, 0, S_SKU),
    TAX_RATE,
    TRACKING,
    PRICE("unit_price", S_PRICE, RF_REQUIRED),
};
SPEC(sale_line_spec, sale_line_rows);

static const struct rf_field sale_rows[] = {
    OBJECT("channel", &channel_spec),
    CURRENCY,
    REF("customer_id", S_CUSTOMER_ID, KIND_BIT(RECORD_CUSTOMER), 0),
    C_DATE,
    DATE("due_date", S_NONE),
    FXRATE,
    C_ID,
    DATE("invoice_date", S_NONE),
    BOOL("invoiced"),
    C_KIND,
    LINES(&sale_line_spec),
    TEXT("reference", NAME_MAX_LEN),
    ENUM("status", sale_statuses, S_STATUS, 0),
    TEXT("store", NAME_MAX_LEN),
    TAX_MODE,
    TOTAL,
    C_VERSION,
};
SPEC(sale_spec, sale_rows);

static const struct rf_field credit_note_rows[] = {
    OBJECT("channel", &channel_spec),
    CURRENCY,
    REF("customer_id", S_CUSTOMER_ID, KIND_BIT(RECORD_CUSTOMER), 0),
    C_DATE,
    DATE("due_date", S_NONE),
    FXRATE,
    C_ID,
    DATE("invoice_date", S_NONE),
    BOOL("invoiced"),
    C_KIND,
    LINES(&sale_line_spec),
    REF("purchase_id", S_PURCHASE_ID, KIND_BIT(RECORD_PURCHASE), 0),
    TEXT("reference", NAME_MAX_LEN),
    REF("sale_id", S_SALE_ID, KIND_BIT(RECORD_SALE), 0),
    ENUM("status", sale_statuses, S_STATUS, 0),
    TEXT("store", NAME_MAX_LEN),
    REF("supplier_id", S_SUPPLIER_ID, KIND_BIT(RECORD_SUPPLIER), 0),
    TAX_MODE,
    TOTAL,
    C_VERSION,
};
SPEC(credit_note_spec, credit_note_rows);

static const struct rf_field payment_rows[] = {
    CODE_S("account", NAME_MAX_LEN, 0, S_ACCOUNT),
    AMOUNT("amount", S_AMOUNT, RF_REQUIRED | RF_POSITIVE),
    REF("credit_note_id", S_CREDIT_NOTE_ID, KIND_BIT(RECORD_CREDIT_NOTE), 0),
    CURRENCY,
    C_DATE,
    FXRATE,
    C_ID,
    BOOL("is_refund"),
    C_KIND,
    TEXT("method", NAME_MAX_LEN),
    REF("purchase_id", S_PURCHASE_ID, KIND_BIT(RECORD_PURCHASE), 0),
    REF("sale_id", S_SALE_ID, KIND_BIT(RECORD_SALE), 0),
    C_VERSION,
};
SPEC(payment_spec, payment_rows);

/* ---- purchases ------------------------------------------------------ */

static const struct rf_field purchase_line_rows[] = {
    CODE_S("account", NAME_MAX_LEN, 0, S_ACCOUNT),
    TEXT_S("description", DESC_MAX_LEN, S_DESCRIPTION),
    QTY(RF_REQUIRED),
    CODE_S("sku", SKU_MAX_LEN, 0, S_SKU),
    TAX_RATE,
    PRICE("unit_cost", S_PRICE, RF_REQUIRED),
};
SPEC(purchase_line_spec, purchase_line_rows);

static const struct rf_field purchase_rows[] = {
    CURRENCY,
    C_DATE,
    DATE("dispatch_date", S_NONE),
    DATE("due_date", S_NONE),
    FXRATE,
    C_ID,
    DATE("invoice_date", S_INVOICE_DATE),
    C_KIND,
    LINES(&purchase_line_spec),
    TEXT("reference", NAME_MAX_LEN),
    ENUM("status", purchase_statuses, S_STATUS, 0),
    REF("supplier_id", S_SUPPLIER_ID, KIND_BIT(RECORD_SUPPLIER), RF_REQUIRED),
    TEXT_S("supplier_invoice_no", NAME_MAX_LEN, S_SUPPLIER_INVOICE_NO),
    TAX_MODE,
    TOTAL,
    C_VERSION,
};
SPEC(purchase_spec, purchase_rows);

/* ---- stock ---------------------------------------------------------- */

static const struct rf_field adjustment_line_rows[] = {
    CODE_S("account", NAME_MAX_LEN, 0, S_ACCOUNT),
    QTY(RF_REQUIRED),
    CODE_S("sku", SKU_MAX_LEN, RF_REQUIRED, S_SKU),
    PRICE("unit_cost", S_PRICE, RF_REQUIRED),
};
SPEC(adjustment_line_spec, adjustment_line_rows);

static const struct rf_field adjustment_rows[] = {
    CURRENCY,  C_DATE, C_ID, C_KIND, LINES(&adjustment_line_spec), TEXT("reference", NAME_MAX_LEN),
    C_VERSION,
};
SPEC(adjustment_spec, adjustment_rows);

static const struct rf_field cogs_line_rows[] = {
    PRICE("cost", S_COST, RF_REQUIRED),
    CODE_S("sku", SKU_MAX_LEN, RF_REQUIRED, S_SKU),
};
SPEC(cogs_line_spec, cogs_line_rows);

static const struct rf_field cogs_rows[] = {
    REF("credit_note_id", S_CREDIT_NOTE_ID, KIND_BIT(RECORD_CREDIT_NOTE), 0),
    CURRENCY,
    C_DATE,
    C_ID,
    C_KIND,
    LINES(&cogs_line_spec),
    REF("sale_id", S_SALE_ID, KIND_BIT(RECORD_SALE), 0),
    C_VERSION,
};
SPEC(cogs_spec, cogs_rows);

/* ---- retail --------------------------------------------------------- */

static const struct rf_field gift_voucher_rows[] = {
    AMOUNT("amount", S_AMOUNT, RF_REQUIRED | RF_POSITIVE),
    CODE("code", NAME_MAX_LEN),
    CURRENCY,
    C_DATE,
    ENUM("event", voucher_events, S_EVENT, RF_REQUIRED),
    FXRATE,
    C_ID,
    C_KIND,
    REF("sale_id", S_SALE_ID, KIND_BIT(RECORD_SALE), 0),
    C_VERSION,
};
SPEC(gift_voucher_spec, gift_voucher_rows);

static const struct rf_field store_credit_rows[] = {
    AMOUNT("amount", S_AMOUNT, RF_REQUIRED | RF_POSITIVE),
    CURRENCY,
    REF("customer_id", S_CUSTOMER_ID, KIND_BIT(RECORD_CUSTOMER), RF_REQUIRED),
    C_DATE,
    ENUM("event", credit_events, S_EVENT, RF_REQUIRED),
    C_ID,
    C_KIND,
    ENUM("origin", credit_origins, S_NONE, 0),
    REF("sale_id", S_SALE_ID, KIND_BIT(RECORD_SALE), 0),
    C_VERSION,
};
SPEC(store_credit_spec, store_credit_rows);

/* ---- money tasks and journals --------------------------------------- */

static const struct rf_field money_task_line_rows[] = {
    CODE_S("account", NAME_MAX_LEN, 0, S_ACCOUNT),
    AMOUNT("amount", S_AMOUNT, RF_REQUIRED),
    TEXT_S("description", DESC_MAX_LEN, S_DESCRIPTION),
    TAX_RATE,
};
SPEC(money_task_line_spec, money_task_line_rows);

static const struct rf_field money_task_rows[] = {
    CODE("bank_account", NAME_MAX_LEN),
    REF("contact_id", S_CONTACT_ID, KIND_BIT(RECORD_CUSTOMER) | KIND_BIT(RECORD_SUPPLIER), 0),
    CURRENCY,
    C_DATE,
    ENUM("direction", directions, S_NONE, RF_REQUIRED),
    FXRATE,
    C_ID,
    C_KIND,
    LINES(&money_task_line_spec),
    TAX_MODE,
    TOTAL,
    C_VERSION,
};
SPEC(money_task_spec, money_task_rows);

static const struct rf_field journal_line_rows[] = {
    CODE_S("account", NAME_MAX_LEN, RF_REQUIRED, S_ACCOUNT),
    AMOUNT("credit", S_CREDIT, RF_NONNEG | RF_ZERO_PAIR),
    AMOUNT("debit", S_DEBIT, RF_NONNEG | RF_ZERO_PAIR),
    TEXT_S("description", DESC_MAX_LEN, S_DESCRIPTION),
};
SPEC(journal_line_spec, journal_line_rows);

static const struct rf_field journal_rows[] = {
    CURRENCY,
    C_DATE,
    FXRATE,
    C_ID,
    C_KIND,
    LINES(&journal_line_spec),
    TEXT("reference", NAME_MAX_LEN),
    C_VERSION,
};
SPEC(journal_spec, journal_rows);

/* ---- rules ---------------------------------------------------------- */

static int add_checked(struct rf_state *st, int64_t *sum, int64_t v)
{
	if (money_add(*sum, v, sum) != BS_OK)
		return rf_fail(st, BS_ERANGE, NULL, "the lines' total is out of range");
	return BS_OK;
}

/* Add a line's rounded amount and its tax (rate in the line's tax_rate). */
static int add_amount_and_tax(struct rf_state *st, int64_t amount)
{
	int64_t rate = st->ln[S_TAX_RATE].set ? st->ln[S_TAX_RATE].v : 0, tax;
	int rc;

	if (money_tax(amount, rate, st->tax_mode, st->exp, MONEY_HALF_AWAY, &tax) != BS_OK)
		return rf_fail(st, BS_ERANGE, "tax_rate", "gives a tax out of range");
	st->ln_amount = amount;
	st->ln_tax = tax;
	if ((rc = add_checked(st, &st->sum_amount, amount)) != BS_OK)
		return rc;
	return add_checked(st, &st->sum_tax, tax);
}

/* sale, credit note, purchase: qty × price × (1 − discount), rounded half
 * away from zero to the currency exponent (docs/rounding.md "The source's rule"). */
static int document_line(struct rf_state *st)
{
	const struct rf_val *l = st->ln;
	int64_t amount;

	if (!l[S_SKU].set && !l[S_DESCRIPTION].set)
		return rf_fail(st, BS_EINVAL, "sku or description", "is required");
	if (money_line_amount(l[S_QTY].v, l[S_PRICE].v, l[S_DISCOUNT].set ? l[S_DISCOUNT].v : 0,
	                      st->exp, MONEY_HALF_AWAY, &amount) != BS_OK)
		return rf_fail(st, BS_ERANGE, NULL, "amount (qty x price) is out of range");
	return add_amount_and_tax(st, amount);
}

static int adjustment_line(struct rf_state *st)
{
	int64_t amount;

	if (money_line_amount(st->ln[S_QTY].v, st->ln[S_PRICE].v, 0, st->exp, MONEY_HALF_AWAY,
	                      &amount) != BS_OK)
		return rf_fail(st, BS_ERANGE, NULL, "amount (qty x unit_cost) is out of range");
	st->ln_amount = amount;
	return add_checked(st, &st->sum_amount, amount);
}

/* A COGS line's cost is its whole cost (no qty); it posts rounded to the
 * currency exponent, so the total is the sum of the rounded costs. */
static int cogs_line(struct rf_state *st)
{
	int64_t amount;

	if (money_round(st->ln[S_COST].v, MONEY_DP, st->exp, MONEY_HALF_AWAY, &amount) != BS_OK)
		return rf_fail(st, BS_ERANGE, "cost", "is out of range");
	st->ln_amount = amount;
	return add_checked(st, &st->sum_amount, amount);
}

static int money_task_line(struct rf_state *st)
{
	return add_amount_and_tax(st, st->ln[S_AMOUNT].v);
}

static int journal_line(struct rf_state *st)
{
	const struct rf_val *l = st->ln;
	int rc;

	/* Exports write both columns, the unused one 0: the walk has dropped
	 * such a zero (RF_ZERO_PAIR), so both set means two non-zero sides.
	 * Both dropped leaves a line of nothing. */
	if (!l[S_DEBIT].set && !l[S_CREDIT].set && st->ln_zeros > 0)
		return rf_fail(st, BS_EINVAL, NULL, "needs one of debit, credit (both are 0)");
	if (l[S_DEBIT].set == l[S_CREDIT].set)
		return rf_fail(st, BS_EINVAL, NULL, "needs exactly one of debit, credit");
	if (l[S_DEBIT].set) {
		st->ln_amount = l[S_DEBIT].v;
		rc = add_checked(st, &st->sum_debit, l[S_DEBIT].v);
	} else {
		st->ln_amount = -l[S_CREDIT].v; /* non-negative, so no overflow */
		rc = add_checked(st, &st->sum_credit, l[S_CREDIT].v);
	}
	return rc;
}

/* Σ amounts (+ Σ tax when exclusive); a given `total` must agree within
 * one minor unit per line and then is the source total. */
static int document_total(struct rf_state *st)
{
	int64_t computed = st->sum_amount, diff, tol;

	if (st->tax_mode == MONEY_TAX_EXCLUSIVE && money_add(computed, st->sum_tax, &computed) != 0)
		return rf_fail(st, BS_ERANGE, "total", "of the lines is out of range");
	st->out->has_total = true;
	st->out->total = computed;
	if (!st->top[S_TOTAL].set)
		return BS_OK;
	tol = money_unit(st->exp) * (int64_t)st->nlines;
	if (money_sub(st->top[S_TOTAL].v, computed, &diff) != BS_OK || diff > tol || diff < -tol) {
		char given[48], lines[48];

		rf_amount_text(st, st->top[S_TOTAL].v, given, sizeof(given));
		rf_amount_text(st, computed, lines, sizeof(lines));
		return rf_fail(st, BS_EINVAL, "total", "%s does not match the lines (%s)", given,
		               lines);
	}
	st->out->total = st->top[S_TOTAL].v;
	return BS_OK;
}

static void set_amount_total(struct rf_state *st, int64_t v)
{
	st->out->has_total = true;
	st->out->total = v;
}

/* Adjustments and COGS post as journals in the base currency. */
static int base_currency_only(struct rf_state *st)
{
	const char *base = st->ctx != NULL ? st->ctx->base_currency : NULL;

	if (st->out->currency[0] != '\0' && base != NULL && strcmp(st->out->currency, base) != 0)
		return rf_fail(st, BS_EINVAL, "currency", "%s is not the base currency (%s)",
		               st->out->currency, base);
	return BS_OK;
}

static int one_of(struct rf_state *st, const char *what, int n)
{
	if (n != 1)
		return rf_fail(st, BS_EINVAL, NULL, "needs exactly one of %s", what);
	return BS_OK;
}

static int contact_finish(struct rf_state *st)
{
	st->out->tab = st->out->kind == RECORD_CUSTOMER ? "sales/customers" : "purchases/suppliers";
	return BS_OK;
}

static int product_finish(struct rf_state *st)
{
	st->out->tab = "other/products";
	return BS_OK;
}

static int sale_finish(struct rf_state *st)
{
	st->out->tab = "sales/invoices";
	return document_total(st);
}

static int credit_note_finish(struct rf_state *st)
{
	const struct rf_val *t = st->top;
	int rc;

	if ((rc = one_of(st, "customer_id, supplier_id",
	                 t[S_CUSTOMER_ID].set + t[S_SUPPLIER_ID].set)) != BS_OK)
		return rc;
	if (t[S_CUSTOMER_ID].set && t[S_PURCHASE_ID].set)
		return rf_fail(st, BS_EINVAL, "purchase_id",
		               "is only for a supplier credit note (with supplier_id)");
	if (t[S_SUPPLIER_ID].set && t[S_SALE_ID].set)
		return rf_fail(st, BS_EINVAL, "sale_id",
		               "is only for a customer credit note (with customer_id)");
	st->out->tab = t[S_CUSTOMER_ID].set ? "sales/credit-notes" : "purchases/supplier-credits";
	return document_total(st);
}

static int payment_finish(struct rf_state *st)
{
	const struct rf_val *t = st->top;
	int rc;

	rc = one_of(st, "sale_id, credit_note_id, purchase_id",
	            t[S_SALE_ID].set + t[S_CREDIT_NOTE_ID].set + t[S_PURCHASE_ID].set);
	if (rc != BS_OK)
		return rc;
	st->out->tab = t[S_PURCHASE_ID].set ? "purchases/payments" : "sales/payments";
	set_amount_total(st, t[S_AMOUNT].v);
	return BS_OK;
}

static int purchase_finish(struct rf_state *st)
{
	const struct rf_val *t = st->top;
	/* without a status, billed once it has an invoice number or date, as the
	 * rules say (docs/states-and-tabs.md "Purchase orders and bills") */
	bool open = t[S_STATUS].set ? t[S_STATUS].v == PURCHASE_OPEN
	                            : !t[S_INVOICE_DATE].set && !t[S_SUPPLIER_INVOICE_NO].set;

	st->out->tab = open ? "purchases/purchase-orders" : "purchases/supplier-invoices";
	return document_total(st);
}

static int adjustment_finish(struct rf_state *st)
{
	int rc;

	if ((rc = base_currency_only(st)) != BS_OK)
		return rc;
	st->out->tab = "adjustments/adjustments";
	set_amount_total(st, st->sum_amount);
	return BS_OK;
}

static int cogs_finish(struct rf_state *st)
{
	int rc;

	rc = one_of(st, "sale_id, credit_note_id",
	            st->top[S_SALE_ID].set + st->top[S_CREDIT_NOTE_ID].set);
	if (rc != BS_OK || (rc = base_currency_only(st)) != BS_OK)
		return rc;
	st->out->tab = "adjustments/cogs";
	set_amount_total(st, st->sum_amount);
	return BS_OK;
}

static int gift_voucher_finish(struct rf_state *st)
{
	if (st->top[S_EVENT].v == VOUCHER_REDEEMED && !st->top[S_SALE_ID].set)
		return rf_fail(st, BS_EINVAL, "sale_id", "is required when event is redeemed");
	st->out->tab = "retail/gift-vouchers";
	set_amount_total(st, st->top[S_AMOUNT].v);
	return BS_OK;
}

static int store_credit_finish(struct rf_state *st)
{
	if (st->top[S_EVENT].v == CREDIT_USED && !st->top[S_SALE_ID].set)
		return rf_fail(st, BS_EINVAL, "sale_id", "is required when event is used");
	st->out->tab = "retail/store-credits";
	set_amount_total(st, st->top[S_AMOUNT].v);
	return BS_OK;
}

static int money_task_finish(struct rf_state *st)
{
	st->out->tab = "other/money-tasks";
	return document_total(st);
}

static int journal_finish(struct rf_state *st)
{
	const char *base = st->ctx != NULL ? st->ctx->base_currency : NULL;

	if (st->sum_debit != st->sum_credit) {
		char d[48], c[48];

		rf_amount_text(st, st->sum_debit, d, sizeof(d));
		rf_amount_text(st, st->sum_credit, c, sizeof(c));
		return rf_fail(st, BS_EINVAL, NULL, "debits (%s) do not equal credits (%s)", d, c);
	}
	if (st->out->currency[0] != '\0' && base != NULL && strcmp(st->out->currency, base) != 0 &&
	    !st->top[S_FX_RATE].set)
		return rf_fail(st, BS_EINVAL, "fx_rate",
		               "is required when the currency (%s) is not the base currency (%s)",
		               st->out->currency, base);
	st->out->tab = "other/journals";
	set_amount_total(st, st->sum_debit);
	return BS_OK;
}

const struct rf_kind rf_kinds[RECORD_KIND_COUNT] = {
    [RECORD_CUSTOMER] = {RECORD_CUSTOMER, "customer", &contact_spec, NULL, contact_finish},
    [RECORD_SUPPLIER] = {RECORD_SUPPLIER, "supplier", &contact_spec, NULL, contact_finish},
    [RECORD_PRODUCT] = {RECORD_PRODUCT, "product", &product_spec, NULL, product_finish},
    [RECORD_SALE] = {RECORD_SALE, "sale", &sale_spec, document_line, sale_finish},
    [RECORD_CREDIT_NOTE] = {RECORD_CREDIT_NOTE, "credit_note", &credit_note_spec, document_line,
                            credit_note_finish},
    [RECORD_PAYMENT] = {RECORD_PAYMENT, "payment", &payment_spec, NULL, payment_finish},
    [RECORD_PURCHASE] = {RECORD_PURCHASE, "purchase", &purchase_spec, document_line,
                         purchase_finish},
    [RECORD_ADJUSTMENT] = {RECORD_ADJUSTMENT, "adjustment", &adjustment_spec, adjustment_line,
                           adjustment_finish},
    [RECORD_COGS] = {RECORD_COGS, "cogs", &cogs_spec, cogs_line, cogs_finish},
    [RECORD_GIFT_VOUCHER] = {RECORD_GIFT_VOUCHER, "gift_voucher", &gift_voucher_spec, NULL,
                             gift_voucher_finish},
    [RECORD_STORE_CREDIT] = {RECORD_STORE_CREDIT, "store_credit", &store_credit_spec, NULL,
                             store_credit_finish},
    [RECORD_MONEY_TASK] = {RECORD_MONEY_TASK, "money_task", &money_task_spec, money_task_line,
                           money_task_finish},
    [RECORD_JOURNAL] = {RECORD_JOURNAL, "journal", &journal_spec, journal_line, journal_finish},
};

/* ---- self-check ----------------------------------------------------- */

static int check_object(const struct rf_object *o, const char *where, struct bs_error *err,
                        int depth)
{
	if (depth > 4)
		return bs_error_set(err, BS_EINTERNAL, "%s: specs nest too deeply", where);
	if (o->n > 64)
		return bs_error_set(err, BS_EINTERNAL, "%s: more than 64 fields", where);
	for (size_t i = 0; i < o->n; i++) {
		const struct rf_field *f = &o->fields[i];
		int rc;

		if (i > 0 && strcmp(o->fields[i - 1].name, f->name) >= 0)
			return bs_error_set(err, BS_EINTERNAL, "%s: %s is out of order", where,
			                    f->name);
		if (f->slot >= S_COUNT)
			return bs_error_set(err, BS_EINTERNAL, "%s.%s: bad slot", where, f->name);
		if ((f->type == RF_TEXT || f->type == RF_CODE) && f->max == 0)
			return bs_error_set(err, BS_EINTERNAL, "%s.%s: no length", where, f->name);
		if (f->type == RF_ENUM && f->enums == NULL)
			return bs_error_set(err, BS_EINTERNAL, "%s.%s: no choices", where, f->name);
		if (f->type == RF_REF && f->ref_kinds == 0)
			return bs_error_set(err, BS_EINTERNAL, "%s.%s: no kinds", where, f->name);
		if ((f->type == RF_OBJECT || f->type == RF_LINES) &&
		    (f->sub == NULL || (rc = check_object(f->sub, f->name, err, depth + 1)) != 0))
			return f->sub == NULL ? bs_error_set(err, BS_EINTERNAL, "%s.%s: no spec",
			                                     where, f->name)
			                      : rc;
	}
	return BS_OK;
}

static bool has_field(const struct rf_object *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->fields[i].name, name) == 0)
			return true;
	return false;
}

int rf_spec_check(struct bs_error *err)
{
	int rc;

	for (int k = 0; k < RECORD_KIND_COUNT; k++) {
		const struct rf_kind *kd = &rf_kinds[k];

		if (kd->name == NULL || (int)kd->kind != k)
			return bs_error_set(err, BS_EINTERNAL, "kind %d: bad entry", k);
		if ((rc = check_object(kd->top, kd->name, err, 0)) != BS_OK)
			return rc;
		for (size_t i = 0; i < sizeof(common_names) / sizeof(common_names[0]); i++)
			if (!has_field(kd->top, common_names[i]))
				return bs_error_set(err, BS_EINTERNAL, "%s: no %s field", kd->name,
				                    common_names[i]);
	}
	return BS_OK;
}
