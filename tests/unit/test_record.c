/*
 * test_record.c - source records (src/model/record.h): validation of every
 * kind, canonical form, totals, references, tabs and hashing.
 *
 * Table-driven: a row is a record as JSON text, the ctx's base currency and
 * what record_from_json must say about it — the exact canonical text, tab,
 * total and references for a valid one; the exact status and message for a
 * bad one.  A failing row prints its index and input.  Totals are worked
 * out by hand in the comments (half away from zero at the currency
 * exponent, docs/rounding.md "The source's rule").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <sodium.h>

#include "core/error.h"
#include "model/record.h"
#include "model/record_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define U    INT64_C(1000000) /* one unit in micros */

#define CUST  (1u << RECORD_CUSTOMER)
#define SUPP  (1u << RECORD_SUPPLIER)
#define SALE  (1u << RECORD_SALE)
#define CRED  (1u << RECORD_CREDIT_NOTE)
#define PURCH (1u << RECORD_PURCHASE)

/* Parse `json` and run record_from_json with base currency `base`. */
static int run(const char *base, const char *json, struct record *r, struct bs_error *err)
{
	struct record_ctx ctx = {base};
	struct json_object *o = json_tokener_parse(json);
	int rc;

	if (o == NULL)
		fail_msg("test input is not JSON: %s", json);
	bs_error_clear(err);
	rc = record_from_json(o, &ctx, r, err);
	json_object_put(o);
	return rc;
}

/* ------------------------------------------------------------------ */
/* valid records: exact canonical text, tab, total, references */

struct ok_case {
	const char *base;
	const char *in;
	const char *canonical; /* NULL: not checked */
	const char *tab;
	bool has_total;
	int64_t total;
	const char *refs; /* "field=id/kinds,..." or "" */
};

static const struct ok_case ok_cases[] = {
    /* 0: customer, minimal */
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Acme\"}",
     "{\"id\":\"C-1\",\"kind\":\"customer\",\"name\":\"Acme\"}", "sales/customers", false, 0, ""},
    /* 1: customer, full: nested keys sorted, unknown kept, currency upper-cased, version out */
    {"NZD",
     "{\"version\":7,\"name\":\"Acme \\\"Ltd\\\"\",\"kind\":\"customer\",\"id\":\"C-2\","
     "\"email\":\"a@b.nz\",\"phone\":\"+64 4 555\",\"tax_number\":\"123-456-789\","
     "\"currency\":\"nzd\",\"address\":{\"region\":\"WGN\",\"city\":\"Wellington\","
     "\"line1\":\"1 Main St\",\"line2\":\"\",\"postcode\":6011,\"country\":\"NZ\","
     "\"geo\":{\"lon\":174.7,\"lat\":-41.3}},\"notes\":[\"vip\",null,true]}",
     "{\"address\":{\"city\":\"Wellington\",\"country\":\"NZ\",\"geo\":{\"lat\":-41.3,\"lon\":174."
     "7},\"line1\":\"1 Main St\",\"postcode\":\"6011\",\"region\":\"WGN\"},\"currency\":\"NZD\","
     "\"email\":\"a@b.nz\",\"id\":\"C-2\",\"kind\":\"customer\",\"name\":\"Acme \\\"Ltd\\\"\","
     "\"notes\":[\"vip\",null,true],\"phone\":\"+64 4 555\",\"tax_number\":\"123-456-789\"}",
     "sales/customers", false, 0, ""},
    /* 2: supplier */
    {"NZD", "{\"kind\":\"supplier\",\"id\":\"V-1\",\"name\":\"Parts Co\",\"date\":null}",
     "{\"id\":\"V-1\",\"kind\":\"supplier\",\"name\":\"Parts Co\"}", "purchases/suppliers", false,
     0, ""},
    /* 3: product, minimal */
    {"NZD", "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"WIDGET\"}",
     "{\"id\":\"P-1\",\"kind\":\"product\",\"sku\":\"WIDGET\"}", "other/products", false, 0, ""},
    /* 4: product, full (enum normalised to the table's spelling, tracking sorted) */
    {"NZD",
     "{\"kind\":\"product\",\"id\":\"P-2\",\"sku\":\"SVC-1\",\"name\":\"Install\","
     "\"type\":\"Service\",\"category\":\"Labour\",\"sales_account\":200,"
     "\"purchase_account\":\"310\",\"tracking\":{\"Region\":\"North\",\"Channel\":\"Web\"}}",
     "{\"category\":\"Labour\",\"id\":\"P-2\",\"kind\":\"product\",\"name\":\"Install\","
     "\"purchase_account\":\"310\",\"sales_account\":\"200\",\"sku\":\"SVC-1\","
     "\"tracking\":{\"Channel\":\"Web\",\"Region\":\"North\"},\"type\":\"service\"}",
     "other/products", false, 0, ""},
    /* 5: sale, minimal: tax_mode written, total 1 x 10 = 10.00 */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-1\",\"lines\":[{\"sku\":\"A\",\"qty\":1,\"unit_price\":10}]}",
     "{\"id\":\"S-1\",\"kind\":\"sale\",\"lines\":[{\"qty\":\"1\",\"sku\":\"A\",\"unit_price\":"
     "\"10\"}],\"tax_mode\":\"exclusive\"}",
     "sales/invoices", true, 10 * U, ""},
    /* 6: sale, full.  Inclusive: line 1 = 2 x 12.30 = 24.60, line 2 = 1 x 5 x 0.9 = 4.50;
     * total 29.10 (tax inside); given total 29.11 is within 2 minor units and wins. */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"date\":\"2024-02-29\",\"reference\":\"SO-1001\","
     "\"customer_id\":\"C-1\",\"channel\":{\"type\":\"Shopify\",\"name\":\"MyShop\"},"
     "\"store\":\"Main\",\"invoiced\":\"yes\",\"invoice_date\":\"2024-03-01\","
     "\"due_date\":\"2024-03-31\",\"status\":\"invoiced\",\"currency\":\"USD\","
     "\"fx_rate\":\"1.6500\",\"tax_mode\":\"inclusive\",\"total\":\"29.11\",\"lines\":["
     "{\"sku\":\"A\",\"qty\":2,\"unit_price\":12.30,\"tax_rate\":15,\"account\":\"200\","
     "\"tracking\":{\"Region\":\"North\"}},"
     "{\"description\":\"Shipping\",\"qty\":\"1.0000\",\"unit_price\":\"5.000000\","
     "\"discount_pct\":\"10.00\",\"tax_rate\":\"0\"}]}",
     "{\"channel\":{\"name\":\"MyShop\",\"type\":\"Shopify\"},\"currency\":\"USD\","
     "\"customer_id\":\"C-1\",\"date\":\"2024-02-29\",\"due_date\":\"2024-03-31\","
     "\"fx_rate\":\"1.65\",\"id\":\"SO-1001\",\"invoice_date\":\"2024-03-01\",\"invoiced\":true,"
     "\"kind\":\"sale\",\"lines\":[{\"account\":\"200\",\"qty\":\"2\",\"sku\":\"A\",\"tax_rate\":"
     "\"15\",\"tracking\":{\"Region\":\"North\"},\"unit_price\":\"12.3\"},{\"description\":"
     "\"Shipping\",\"discount_pct\":\"10\",\"qty\":\"1\",\"tax_rate\":\"0\",\"unit_price\":\"5\"}],"
     "\"reference\":\"SO-1001\",\"status\":\"invoiced\",\"store\":\"Main\",\"tax_mode\":"
     "\"inclusive\",\"total\":\"29.11\"}",
     "sales/invoices", true, 29110000, "customer_id=C-1/1"},
    /* 7: customer credit note with its sale */
    {"NZD",
     "{\"kind\":\"credit_note\",\"id\":\"CN-1\",\"customer_id\":\"C-1\",\"sale_id\":\"S-1\","
     "\"lines\":[{\"description\":\"Return\",\"qty\":-1,\"unit_price\":\"0.125\"}],"
     "\"tax_mode\":\"none\"}",
     /* -1 x 0.125 = -0.125 -> -0.13 (half away from zero) */
     "{\"customer_id\":\"C-1\",\"id\":\"CN-1\",\"kind\":\"credit_note\",\"lines\":[{"
     "\"description\":"
     "\"Return\",\"qty\":\"-1\",\"unit_price\":\"0.125\"}],\"sale_id\":\"S-1\",\"tax_mode\":"
     "\"none\"}",
     "sales/credit-notes", true, -130000, "customer_id=C-1/1,sale_id=S-1/8"},
    /* 8: supplier credit note with its purchase */
    {"NZD",
     "{\"kind\":\"credit_note\",\"id\":\"CN-2\",\"supplier_id\":\"V-1\",\"purchase_id\":\"PO-1\","
     "\"lines\":[{\"sku\":\"A\",\"qty\":1,\"unit_price\":\"20\",\"tax_rate\":15}]}",
     NULL, "purchases/supplier-credits", true, 23 * U, "purchase_id=PO-1/64,supplier_id=V-1/2"},
    /* 9: payment of a sale */
    {"NZD",
     "{\"kind\":\"payment\",\"id\":\"PAY-1\",\"sale_id\":\"S-1\",\"amount\":10.5,"
     "\"account\":\"090\",\"method\":\"card\",\"is_refund\":false,\"date\":\"2024-01-31\"}",
     "{\"account\":\"090\",\"amount\":\"10.50\",\"date\":\"2024-01-31\",\"id\":\"PAY-1\","
     "\"is_refund\":false,\"kind\":\"payment\",\"method\":\"card\",\"sale_id\":\"S-1\"}",
     "sales/payments", true, 10500000, "sale_id=S-1/8"},
    /* 10: payment of a credit note */
    {"NZD", "{\"kind\":\"payment\",\"id\":\"PAY-2\",\"credit_note_id\":\"CN-1\",\"amount\":\"3\"}",
     "{\"amount\":\"3.00\",\"credit_note_id\":\"CN-1\",\"id\":\"PAY-2\",\"kind\":\"payment\"}",
     "sales/payments", true, 3 * U, "credit_note_id=CN-1/16"},
    /* 11: bill payment, numeric reference id; a JSON number may carry an
     * exponent (its own grammar), decimal text may not (see the bad cases) */
    {"NZD", "{\"kind\":\"payment\",\"id\":\"PAY-3\",\"purchase_id\":2001,\"amount\":1e2}",
     "{\"amount\":\"100.00\",\"id\":\"PAY-3\",\"kind\":\"payment\",\"purchase_id\":\"2001\"}",
     "purchases/payments", true, 100 * U, "purchase_id=2001/64"},
    /* 12: purchase, open (status absent): purchase order.  3 x 1.005 = 3.015 -> 3.02,
     * tax 15% = 0.453 -> 0.45: 3.47 */
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-1\",\"supplier_id\":\"V-1\",\"lines\":[{\"sku\":\"A\","
     "\"qty\":3,\"unit_cost\":\"1.005\",\"tax_rate\":15}]}",
     "{\"id\":\"PO-1\",\"kind\":\"purchase\",\"lines\":[{\"qty\":\"3\",\"sku\":\"A\",\"tax_rate\":"
     "\"15\",\"unit_cost\":\"1.005\"}],\"supplier_id\":\"V-1\",\"tax_mode\":\"exclusive\"}",
     "purchases/purchase-orders", true, 3470000, "supplier_id=V-1/2"},
    /* 13: purchase, billed: supplier invoice */
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-2\",\"supplier_id\":\"V-1\",\"status\":\"billed\","
     "\"supplier_invoice_no\":\"INV-9\",\"invoice_date\":\"2024-05-01\",\"dispatch_date\":"
     "\"2024-04-30\",\"reference\":\"PO-2\",\"lines\":[{\"description\":\"Bolts\",\"qty\":100,"
     "\"unit_cost\":\"0.0333\",\"tax_rate\":0,\"account\":\"630\"}]}",
     NULL, "purchases/supplier-invoices", true, 3330000, "supplier_id=V-1/2"},
    /* 14: purchase, finished */
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-3\",\"supplier_id\":\"V-1\",\"status\":\"finished\","
     "\"tax_mode\":\"none\",\"lines\":[{\"sku\":\"A\",\"qty\":1,\"unit_cost\":5}]}",
     NULL, "purchases/supplier-invoices", true, 5 * U, "supplier_id=V-1/2"},
    /* 14b: purchase without a status but with a supplier invoice number: billed */
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-4\",\"supplier_id\":\"V-1\",\"supplier_invoice_no\":"
     "\"INV-4\",\"tax_mode\":\"none\",\"lines\":[{\"sku\":\"A\",\"qty\":1,\"unit_cost\":5}]}",
     NULL, "purchases/supplier-invoices", true, 5 * U, "supplier_id=V-1/2"},
    /* 14c: ... or an invoice date: billed; a dispatch date alone leaves it open */
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-5\",\"supplier_id\":\"V-1\",\"invoice_date\":"
     "\"2024-05-01\",\"tax_mode\":\"none\",\"lines\":[{\"sku\":\"A\",\"qty\":1,\"unit_cost\":5}]}",
     NULL, "purchases/supplier-invoices", true, 5 * U, "supplier_id=V-1/2"},
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-6\",\"supplier_id\":\"V-1\",\"dispatch_date\":"
     "\"2024-05-01\",\"tax_mode\":\"none\",\"lines\":[{\"sku\":\"A\",\"qty\":1,\"unit_cost\":5}]}",
     NULL, "purchases/purchase-orders", true, 5 * U, "supplier_id=V-1/2"},
    /* 15: adjustment: -2 x 1.125 = -2.25; 3 x 0.3333 = 0.9999 -> 1.00: -1.25 */
    {"NZD",
     "{\"kind\":\"adjustment\",\"id\":\"ADJ-1\",\"reference\":\"Stocktake\",\"currency\":\"NZD\","
     "\"lines\":[{\"sku\":\"A\",\"qty\":-2,\"unit_cost\":\"1.125\",\"account\":\"630\"},"
     "{\"sku\":\"B\",\"qty\":3,\"unit_cost\":\"0.3333\"}]}",
     "{\"currency\":\"NZD\",\"id\":\"ADJ-1\",\"kind\":\"adjustment\",\"lines\":[{\"account\":"
     "\"630\","
     "\"qty\":\"-2\",\"sku\":\"A\",\"unit_cost\":\"1.125\"},{\"qty\":\"3\",\"sku\":\"B\","
     "\"unit_cost\":\"0.3333\"}],\"reference\":\"Stocktake\"}",
     "adjustments/adjustments", true, -1250000, ""},
    /* 16: cogs of a sale: 1.2345 -> 1.23, 2.005 -> 2.01: 3.24 */
    {"NZD",
     "{\"kind\":\"cogs\",\"id\":\"COGS-1\",\"sale_id\":\"S-1\",\"lines\":[{\"sku\":\"A\","
     "\"cost\":\"1.2345\"},{\"sku\":\"B\",\"cost\":2.005}]}",
     "{\"id\":\"COGS-1\",\"kind\":\"cogs\",\"lines\":[{\"cost\":\"1.2345\",\"sku\":\"A\"},"
     "{\"cost\":\"2.005\",\"sku\":\"B\"}],\"sale_id\":\"S-1\"}",
     "adjustments/cogs", true, 3240000, "sale_id=S-1/8"},
    /* 17: cogs of a credit note */
    {"NZD",
     "{\"kind\":\"cogs\",\"id\":\"COGS-2\",\"credit_note_id\":\"CN-1\",\"lines\":[{\"sku\":\"A\","
     "\"cost\":\"-1\"}]}",
     NULL, "adjustments/cogs", true, -1 * U, "credit_note_id=CN-1/16"},
    /* 18: gift voucher sold */
    {"NZD",
     "{\"kind\":\"gift_voucher\",\"id\":\"GV-1\",\"code\":\"ABC123\",\"event\":\"sold\","
     "\"amount\":\"50\"}",
     "{\"amount\":\"50.00\",\"code\":\"ABC123\",\"event\":\"sold\",\"id\":\"GV-1\",\"kind\":"
     "\"gift_voucher\"}",
     "retail/gift-vouchers", true, 50 * U, ""},
    /* 19: gift voucher redeemed on a sale */
    {"NZD",
     "{\"kind\":\"gift_voucher\",\"id\":\"GV-2\",\"event\":\"redeemed\",\"amount\":\"20.00\","
     "\"sale_id\":\"S-1\",\"currency\":\"AUD\",\"fx_rate\":\"1.08\"}",
     NULL, "retail/gift-vouchers", true, 20 * U, "sale_id=S-1/8"},
    /* 20: store credit issued */
    {"NZD",
     "{\"kind\":\"store_credit\",\"id\":\"SC-1\",\"customer_id\":\"C-1\",\"event\":\"issued\","
     "\"amount\":\"15\",\"origin\":\"refund\"}",
     "{\"amount\":\"15.00\",\"customer_id\":\"C-1\",\"event\":\"issued\",\"id\":\"SC-1\",\"kind\":"
     "\"store_credit\",\"origin\":\"refund\"}",
     "retail/store-credits", true, 15 * U, "customer_id=C-1/1"},
    /* 21: store credit used on a sale */
    {"NZD",
     "{\"kind\":\"store_credit\",\"id\":\"SC-2\",\"customer_id\":\"C-1\",\"event\":\"used\","
     "\"amount\":\"5\",\"sale_id\":\"S-2\"}",
     NULL, "retail/store-credits", true, 5 * U, "customer_id=C-1/1,sale_id=S-2/8"},
    /* 22: money task, exclusive: 100 + 15% = 115.00; -10 + 0 = -10: 105.00 */
    {"NZD",
     "{\"kind\":\"money_task\",\"id\":\"MT-1\",\"direction\":\"receive\",\"bank_account\":\"090\","
     "\"contact_id\":\"C-1\",\"lines\":[{\"account\":\"260\",\"amount\":\"100\",\"tax_rate\":15,"
     "\"description\":\"Interest\"},{\"account\":\"404\",\"amount\":-10}]}",
     "{\"bank_account\":\"090\",\"contact_id\":\"C-1\",\"direction\":\"receive\",\"id\":\"MT-1\","
     "\"kind\":\"money_task\",\"lines\":[{\"account\":\"260\",\"amount\":\"100.00\","
     "\"description\":\"Interest\",\"tax_rate\":\"15\"},{\"account\":\"404\",\"amount\":"
     "\"-10.00\"}],\"tax_mode\":\"exclusive\"}",
     "other/money-tasks", true, 105 * U, "contact_id=C-1/3"},
    /* 23: journal in base currency: total = debits */
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-1\",\"reference\":\"Accrual\",\"lines\":[{\"account\":"
     "\"400\",\"debit\":\"12.5\",\"description\":\"Rent\"},{\"account\":\"800\",\"credit\":"
     "12.50}]}",
     "{\"id\":\"J-1\",\"kind\":\"journal\",\"lines\":[{\"account\":\"400\",\"debit\":\"12.50\","
     "\"description\":\"Rent\"},{\"account\":\"800\",\"credit\":\"12.50\"}],\"reference\":"
     "\"Accrual\"}",
     "other/journals", true, 12500000, ""},
    /* 24: journal in a foreign currency with its rate */
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-2\",\"currency\":\"USD\",\"fx_rate\":\"1.6543210000\","
     "\"lines\":[{\"account\":\"400\",\"debit\":1},{\"account\":\"800\",\"credit\":1}]}",
     "{\"currency\":\"USD\",\"fx_rate\":\"1.654321\",\"id\":\"J-2\",\"kind\":\"journal\",\"lines\":"
     "[{\"account\":\"400\",\"debit\":\"1.00\"},{\"account\":\"800\",\"credit\":\"1.00\"}]}",
     "other/journals", true, 1 * U, ""},
    /* 25: JPY (0 dp): 3 x 333.5 = 1000.5 -> 1001, tax 10% 100.1 -> 100: 1101 */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-JPY\",\"currency\":\"JPY\",\"lines\":[{\"sku\":\"A\",\"qty\":3,"
     "\"unit_price\":\"333.5\",\"tax_rate\":10}],\"total\":1101}",
     "{\"currency\":\"JPY\",\"id\":\"S-JPY\",\"kind\":\"sale\",\"lines\":[{\"qty\":\"3\",\"sku\":"
     "\"A\",\"tax_rate\":\"10\",\"unit_price\":\"333.5\"}],\"tax_mode\":\"exclusive\",\"total\":"
     "\"1101\"}",
     "sales/invoices", true, 1101 * U, ""},
    /* 26: KWD (3 dp): 1 x 1.2345 = 1.2345 -> 1.235 */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-KWD\",\"currency\":\"KWD\",\"tax_mode\":\"none\",\"lines\":[{"
     "\"sku\":\"A\",\"qty\":1,\"unit_price\":\"1.2345\"}],\"total\":\"1.235\"}",
     NULL, "sales/invoices", true, 1235000, ""},
    /* 27: KWD payment amount written at 3 decimals */
    {"NZD",
     "{\"kind\":\"payment\",\"id\":\"P-K\",\"sale_id\":\"S\",\"currency\":\"KWD\",\"amount\":5}",
     "{\"amount\":\"5.000\",\"currency\":\"KWD\",\"id\":\"P-K\",\"kind\":\"payment\",\"sale_id\":"
     "\"S\"}",
     "sales/payments", true, 5 * U, "sale_id=S/8"},
    /* 28: no base currency yet: amounts held to 2 dp */
    {NULL, "{\"kind\":\"payment\",\"id\":\"P-N\",\"sale_id\":\"S\",\"amount\":\"7.1\"}",
     "{\"amount\":\"7.10\",\"id\":\"P-N\",\"kind\":\"payment\",\"sale_id\":\"S\"}",
     "sales/payments", true, 7100000, "sale_id=S/8"},
    /* 29: base JPY, no currency: the base's exponent applies */
    {"JPY", "{\"kind\":\"payment\",\"id\":\"P-J\",\"sale_id\":\"S\",\"amount\":\"700\"}",
     "{\"amount\":\"700\",\"id\":\"P-J\",\"kind\":\"payment\",\"sale_id\":\"S\"}", "sales/payments",
     true, 700 * U, "sale_id=S/8"},
    /* 30: discount: 3 x 9.99 x 0.875 = 26.22375 -> 26.22, none */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-D\",\"tax_mode\":\"none\",\"lines\":[{\"sku\":\"A\",\"qty\":3,"
     "\"unit_price\":\"9.99\",\"discount_pct\":\"12.5\",\"tax_rate\":15}]}",
     NULL, "sales/invoices", true, 26220000, ""},
    /* 31: exclusive, two lines: 24.60 + 3.69 + 3.333x3=10.00 (9.999) + 1.50 = 39.79 */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-X\",\"lines\":[{\"sku\":\"A\",\"qty\":2,\"unit_price\":"
     "\"12.30\",\"tax_rate\":15},{\"sku\":\"B\",\"qty\":3,\"unit_price\":\"3.333\",\"tax_rate\":"
     "15}]}",
     NULL, "sales/invoices", true, 39790000, ""},
    /* 32: given total within one minor unit per line (2 lines: 39.81 ok) */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-T\",\"total\":\"39.81\",\"lines\":[{\"sku\":\"A\",\"qty\":2,"
     "\"unit_price\":\"12.30\",\"tax_rate\":15},{\"sku\":\"B\",\"qty\":3,\"unit_price\":\"3.333\","
     "\"tax_rate\":15}]}",
     NULL, "sales/invoices", true, 39810000, ""},
    /* 33: strings escaped in canonical text; unknown double keeps its text; NaN becomes text */
    {"NZD",
     "{\"kind\":\"customer\",\"id\":\"C-\\u00e9\",\"name\":\"Tab\\there\\u0001\",\"x\":1.50,"
     "\"y\":NaN,\"z\":-0.0e0}",
     "{\"id\":\"C-\xc3\xa9\",\"kind\":\"customer\",\"name\":\"Tab\\there\\u0001\",\"x\":1.50,"
     "\"y\":\"NaN\",\"z\":-0.0e0}",
     "sales/customers", false, 0, ""},
    /* 34: empty optional fields are absent; null unknown field kept */
    {"NZD",
     "{\"kind\":\"customer\",\"id\":\"C-3\",\"name\":\"N\",\"email\":\"\",\"phone\":null,"
     "\"currency\":\"\",\"other\":null}",
     "{\"id\":\"C-3\",\"kind\":\"customer\",\"name\":\"N\",\"other\":null}", "sales/customers",
     false, 0, ""},
    /* 35: numeric id */
    {"NZD", "{\"kind\":\"customer\",\"id\":42,\"name\":\"N\"}",
     "{\"id\":\"42\",\"kind\":\"customer\",\"name\":\"N\"}", "sales/customers", false, 0, ""},
    /* 36: lines given as JSON text (a CSV cell), booleans as text */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-1\",\"invoiced\":\"0\",\"lines\":\"[{\\\"sku\\\":\\\"A\\\","
     "\\\"qty\\\":\\\"1\\\",\\\"unit_price\\\":\\\"10\\\",\\\"tracking\\\":\\\"{\\\\\\\"R\\\\"
     "\\\":\\\\\\\"N\\\\\\\"}\\\"}]\"}",
     "{\"id\":\"S-1\",\"invoiced\":false,\"kind\":\"sale\",\"lines\":[{\"qty\":\"1\",\"sku\":"
     "\"A\",\"tracking\":{\"R\":\"N\"},\"unit_price\":\"10\"}],\"tax_mode\":\"exclusive\"}",
     "sales/invoices", true, 10 * U, ""},
    /* 37: adjustment without a base currency may name any currency */
    {NULL,
     "{\"kind\":\"adjustment\",\"id\":\"A\",\"currency\":\"USD\",\"lines\":[{\"sku\":\"A\","
     "\"qty\":1,\"unit_cost\":1}]}",
     NULL, "adjustments/adjustments", true, 1 * U, ""},
    /* 38, 39: tax_mode "" or null is absent, so its default is written (found by fuzz_record) */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-E\",\"tax_mode\":\"\",\"lines\":[{\"sku\":\"A\",\"qty\":1,"
     "\"unit_price\":1,\"tax_rate\":10}]}",
     "{\"id\":\"S-E\",\"kind\":\"sale\",\"lines\":[{\"qty\":\"1\",\"sku\":\"A\",\"tax_rate\":"
     "\"10\","
     "\"unit_price\":\"1\"}],\"tax_mode\":\"exclusive\"}",
     "sales/invoices", true, 1100000, ""},
    {"NZD",
     "{\"kind\":\"money_task\",\"id\":\"MT-N\",\"direction\":\"spend\",\"tax_mode\":null,"
     "\"lines\":[{\"amount\":1}]}",
     "{\"direction\":\"spend\",\"id\":\"MT-N\",\"kind\":\"money_task\",\"lines\":[{\"amount\":"
     "\"1.00\"}],\"tax_mode\":\"exclusive\"}",
     "other/money-tasks", true, 1 * U, ""},
    /* 40: valid UTF-8 passes through unchanged (macron, emoji) */
    {"NZD",
     "{\"kind\":\"customer\",\"id\":\"C-\xc5\x8d\",\"name\":\"K\xc5\x8dwhai \xf0\x9f\x8c\xbc\"}",
     "{\"id\":\"C-\xc5\x8d\",\"kind\":\"customer\",\"name\":\"K\xc5\x8dwhai \xf0\x9f\x8c\xbc\"}",
     "sales/customers", false, 0, ""},
    /* 41: leap day, zero amounts on a journal */
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-0\",\"date\":\"2000-02-29\",\"lines\":[{\"account\":\"1\","
     "\"debit\":0},{\"account\":\"2\",\"credit\":\"0.00\"}]}",
     NULL, "other/journals", true, 0, ""},
    /* 42: both columns filled, as exports write them: the zero side ("0",
     * "0.00", JSON 0 and 0.0) is absent, and not in the canonical text */
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-Z\",\"lines\":[{\"account\":\"1\",\"debit\":\"10.00\","
     "\"credit\":\"0\"},{\"account\":\"2\",\"debit\":\"0.00\",\"credit\":\"4\"},{\"account\":"
     "\"3\",\"debit\":0,\"credit\":6},{\"account\":\"4\",\"debit\":1.5,\"credit\":0.0},{"
     "\"account\":\"5\",\"debit\":\"\",\"credit\":\"1.50\"}]}",
     "{\"id\":\"J-Z\",\"kind\":\"journal\",\"lines\":[{\"account\":\"1\",\"debit\":\"10.00\"},{"
     "\"account\":\"2\",\"credit\":\"4.00\"},{\"account\":\"3\",\"credit\":\"6.00\"},{"
     "\"account\":\"4\",\"debit\":\"1.50\"},{\"account\":\"5\",\"credit\":\"1.50\"}]}",
     "other/journals", true, 11500000, ""},
};

static void format_refs(const struct record *r, char *out, size_t outsz)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->nrefs && o < outsz; i++) {
		int w = snprintf(out + o, outsz - o, "%s%s=%s/%u", i ? "," : "", r->refs[i].field,
		                 r->refs[i].id, r->refs[i].kinds);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static void test_ok_cases(void **state)
{
	struct record r;
	struct bs_error err;

	(void)state;
	record_init(&r);
	for (size_t i = 0; i < N(ok_cases); i++) {
		const struct ok_case *c = &ok_cases[i];
		unsigned char h[RECORD_HASH_LEN];
		char refs[512];
		int rc = run(c->base, c->in, &r, &err);

		if (rc != BS_OK)
			fail_msg("case %zu: rc %d (%s) for %s", i, rc, err.msg, c->in);
		if (c->canonical != NULL && strcmp(buf_cstr(&r.canonical), c->canonical) != 0)
			fail_msg("case %zu: canonical\n got  %s\n want %s", i,
			         buf_cstr(&r.canonical), c->canonical);
		if (strcmp(r.tab, c->tab) != 0)
			fail_msg("case %zu: tab %s, want %s", i, r.tab, c->tab);
		if (r.has_total != c->has_total || r.total != c->total)
			fail_msg("case %zu: total %d/%lld, want %d/%lld", i, r.has_total,
			         (long long)r.total, c->has_total, (long long)c->total);
		format_refs(&r, refs, sizeof(refs));
		if (strcmp(refs, c->refs) != 0)
			fail_msg("case %zu: refs \"%s\", want \"%s\"", i, refs, c->refs);
		/* the canonical text is itself valid JSON */
		{
			struct json_object *back = json_tokener_parse(buf_cstr(&r.canonical));

			if (back == NULL)
				fail_msg("case %zu: canonical text is not JSON", i);
			json_object_put(back);
		}
		crypto_generichash(h, sizeof(h), (const unsigned char *)buf_cstr(&r.canonical),
		                   r.canonical.len, NULL, 0);
		assert_memory_equal(h, r.hash, sizeof(h));
	}
	record_release(&r);
}

/* The facts beside the canonical text: kind, id, version, date, currency. */
static void test_header_facts(void **state)
{
	struct record r;
	struct bs_error err;

	(void)state;
	record_init(&r);
	assert_int_equal(run("NZD", ok_cases[6].in, &r, &err), BS_OK);
	assert_int_equal(r.kind, RECORD_SALE);
	assert_string_equal(r.id, "SO-1001");
	assert_int_equal(r.version, 0);
	assert_string_equal(r.date, "2024-02-29");
	assert_string_equal(r.currency, "USD");

	assert_int_equal(run("NZD", ok_cases[1].in, &r, &err), BS_OK);
	assert_int_equal(r.kind, RECORD_CUSTOMER);
	assert_int_equal(r.version, 7);
	assert_string_equal(r.date, "");
	assert_string_equal(r.currency, "NZD");

	assert_int_equal(run("NZD",
	                     "{\"kind\":\"customer\",\"id\":\"C\",\"name\":\"N\",\"version\":"
	                     "\"9223372036854775807\"}",
	                     &r, &err),
	                 BS_OK);
	assert_int_equal(r.version, INT64_MAX);
	assert_string_equal(r.currency, "");
	/* "" is absent, like any other field */
	assert_int_equal(run("NZD",
	                     "{\"kind\":\"customer\",\"id\":\"C\",\"name\":\"N\",\"version\":\"\"}",
	                     &r, &err),
	                 BS_OK);
	assert_int_equal(r.version, 0);
	record_release(&r);
}

/* ------------------------------------------------------------------ */
/* errors: exact status and message */

struct err_case {
	const char *base;
	const char *in;
	int rc;
	const char *msg;
};

#define SALE_LINE(l) "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"lines\":[" l "]}"
#define GOOD         "{\"sku\":\"A\",\"qty\":1,\"unit_price\":1}"

static const struct err_case err_cases[] = {
    /* the record itself */
    {"NZD", "[1,2]", BS_EINVAL, "record: not a JSON object"},
    {"NZD", "{\"id\":\"X\"}", BS_EINVAL, "record: kind is missing"},
    {"NZD", "{\"kind\":null,\"id\":\"X\"}", BS_EINVAL, "record: kind is missing"},
    {"NZD", "{\"kind\":5,\"id\":\"X\"}", BS_EINVAL, "record: kind is not a string"},
    {"NZD", "{\"kind\":\"foo\",\"id\":\"X\"}", BS_EUNSUPPORTED, "unknown kind \"foo\""},
    {"NZD", "{\"kind\":\"Sale\",\"id\":\"X\"}", BS_EUNSUPPORTED, "unknown kind \"Sale\""},
    {"NZD", "{\"kind\":\"customer\",\"name\":\"N\"}", BS_EINVAL, "record: id is missing"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"\",\"name\":\"N\"}", BS_EINVAL,
     "record: id is missing"},
    {"NZD", "{\"kind\":\"customer\",\"id\":[1],\"name\":\"N\"}", BS_EINVAL,
     "record: id is not a string"},
    {"NZD",
     "{\"kind\":\"customer\",\"id\":\"12345678901234567890123456789012345678901234567890123456789"
     "012345\",\"name\":\"N\"}",
     BS_ETOOBIG, "record: id is longer than 64 bytes"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"a\\nb\",\"name\":\"N\"}", BS_EINVAL,
     "record: id contains a control character"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"version\":0}", BS_EINVAL,
     "customer C-1: version \"0\" is not an integer >= 1"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"version\":-3}", BS_EINVAL,
     "customer C-1: version \"-3\" is not an integer >= 1"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"version\":1.5}", BS_EINVAL,
     "customer C-1: version \"1.5\" is not an integer >= 1"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"version\":\"2x\"}", BS_EINVAL,
     "customer C-1: version \"2x\" is not an integer >= 1"},
    {"NZD",
     "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"version\":\"9223372036854775808\"}",
     BS_EINVAL, "customer C-1: version \"9223372036854775808\" is not an integer >= 1"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"version\":true}", BS_EINVAL,
     "customer C-1: version is not an integer >= 1"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"date\":\"2023-02-29\"}",
     BS_EINVAL, "customer C-1: date \"2023-02-29\" is not a valid date (YYYY-MM-DD)"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"date\":\"2024-1-01\"}",
     BS_EINVAL, "customer C-1: date \"2024-1-01\" is not a valid date (YYYY-MM-DD)"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"date\":\"2024-13-01\"}",
     BS_EINVAL, "customer C-1: date \"2024-13-01\" is not a valid date (YYYY-MM-DD)"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"date\":\"1900-02-29\"}",
     BS_EINVAL, "customer C-1: date \"1900-02-29\" is not a valid date (YYYY-MM-DD)"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"date\":20240101}", BS_EINVAL,
     "customer C-1: date \"20240101\" is not a valid date (YYYY-MM-DD)"},
    /* contacts and products */
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\"}", BS_EINVAL, "customer C-1: name is required"},
    {"NZD", "{\"kind\":\"supplier\",\"id\":\"V-1\",\"name\":\"\"}", BS_EINVAL,
     "supplier V-1: name is required"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":{\"a\":1}}", BS_EINVAL,
     "customer C-1: name is not a string"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":true}", BS_EINVAL,
     "customer C-1: name is not a string"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"currency\":\"XYZ\"}", BS_EINVAL,
     "customer C-1: currency \"XYZ\" is not an ISO 4217 currency code"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"currency\":\"NZDD\"}",
     BS_EINVAL, "customer C-1: currency \"NZDD\" is not an ISO 4217 currency code"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"address\":[1]}", BS_EINVAL,
     "customer C-1: address is not an object"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"address\":{\"city\":[]}}",
     BS_EINVAL, "customer C-1: address.city is not a string"},
    {"NZD", "{\"kind\":\"product\",\"id\":\"P-1\"}", BS_EINVAL, "product P-1: sku is required"},
    {"NZD", "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"1234567890123456789012345678901\"}",
     BS_ETOOBIG, "product P-1: sku is longer than 30 bytes"},
    {"NZD", "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"A\\tB\"}", BS_EINVAL,
     "product P-1: sku contains a control character"},
    {"NZD", "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"A\",\"type\":\"thing\"}", BS_EINVAL,
     "product P-1: type \"thing\" is not one of product, service"},
    {"NZD",
     "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"A\",\"tracking\":{\"a\":\"1\",\"b\":\"2\","
     "\"c\":\"3\"}}",
     BS_EINVAL, "product P-1: tracking has more than 2 categories"},
    {"NZD", "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"A\",\"tracking\":{\"Region\":[1]}}",
     BS_EINVAL, "product P-1: tracking.Region is not a string"},
    {"NZD", "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"A\",\"tracking\":\"{nope\"}", BS_EINVAL,
     "product P-1: tracking is not an object"},
    /* sales: lines and money */
    {"NZD", "{\"kind\":\"sale\",\"id\":\"SO-1001\"}", BS_EINVAL, "sale SO-1001: lines is required"},
    {"NZD", SALE_LINE(""), BS_EINVAL, "sale SO-1001: lines is empty"},
    {"NZD", "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"lines\":{}}", BS_EINVAL,
     "sale SO-1001: lines is not an array"},
    {"NZD", SALE_LINE(GOOD ",5"), BS_EINVAL, "sale SO-1001 line 2: is not an object"},
    {"NZD", SALE_LINE(GOOD "," GOOD ",{\"sku\":\"A\",\"qty\":1,\"unit_price\":\"12.3x\"}"),
     BS_EPARSE, "sale SO-1001 line 3: unit_price \"12.3x\" is not a decimal"},
    {"NZD", SALE_LINE(GOOD "," GOOD ",{\"sku\":\"A\",\"qty\":1,\"unit_price\":\"1.1234567\"}"),
     BS_EDIGITS, "sale SO-1001 line 3: unit_price \"1.1234567\" has more than 6 decimals"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":true}"), BS_EINVAL,
     "sale SO-1001 line 1: unit_price is not a decimal"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":\"1.23456\",\"unit_price\":1}"), BS_EDIGITS,
     "sale SO-1001 line 1: qty \"1.23456\" has more than 4 decimals"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"unit_price\":1}"), BS_EINVAL,
     "sale SO-1001 line 1: qty is required"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1}"), BS_EINVAL,
     "sale SO-1001 line 1: unit_price is required"},
    {"NZD", SALE_LINE("{\"qty\":1,\"unit_price\":1,\"account\":\"200\"}"), BS_EINVAL,
     "sale SO-1001 line 1: sku or description is required"},
    {"NZD", SALE_LINE("{\"sku\":\"\",\"description\":\"\",\"qty\":1,\"unit_price\":1}"), BS_EINVAL,
     "sale SO-1001 line 1: sku or description is required"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":1,\"discount_pct\":\"100.5\"}"),
     BS_ERANGE, "sale SO-1001 line 1: discount_pct \"100.5\" is not between 0 and 100"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":1,\"discount_pct\":-1}"), BS_ERANGE,
     "sale SO-1001 line 1: discount_pct \"-1\" is negative"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":1,\"discount_pct\":\"1.00001\"}"),
     BS_EDIGITS, "sale SO-1001 line 1: discount_pct \"1.00001\" has more than 4 decimals"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":1,\"tax_rate\":\"-15\"}"), BS_ERANGE,
     "sale SO-1001 line 1: tax_rate \"-15\" is negative"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":1,\"tax_rate\":\"12.55555\"}"),
     BS_EDIGITS, "sale SO-1001 line 1: tax_rate \"12.55555\" has more than 4 decimals"},
    {"NZD",
     SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":1,\"tracking\":{\"a\":\"1\",\"b\":\"2\","
               "\"c\":\"3\"}}"),
     BS_EINVAL, "sale SO-1001 line 1: tracking has more than 2 categories"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":\"99999999999999\"}"), BS_ERANGE,
     "sale SO-1001 line 1: unit_price \"99999999999999\" is out of range"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":\"900000000\",\"unit_price\":\"9000000000\"}"),
     BS_ERANGE, "sale SO-1001 line 1: amount (qty x price) is out of range"},
    {"NZD",
     SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":\"12.3456789012345678901234567890"
               "1234567890\"}"),
     BS_EDIGITS,
     "sale SO-1001 line 1: unit_price \"12.3456789012345678901234567890123456789...\" has more "
     "than 6 decimals"},
    {"NZD", "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"tax_mode\":\"gross\",\"lines\":[" GOOD "]}",
     BS_EINVAL, "sale SO-1001: tax_mode \"gross\" is not one of exclusive, inclusive, none"},
    {"NZD", "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"status\":\"done\",\"lines\":[" GOOD "]}",
     BS_EINVAL, "sale SO-1001: status \"done\" is not one of open, invoiced, paid, void"},
    {"NZD", "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"invoiced\":\"maybe\",\"lines\":[" GOOD "]}",
     BS_EINVAL, "sale SO-1001: invoiced \"maybe\" is not a boolean"},
    {"NZD", "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"invoiced\":[],\"lines\":[" GOOD "]}",
     BS_EINVAL, "sale SO-1001: invoiced is not a boolean"},
    {"NZD", "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"customer_id\":\"\",\"lines\":[" GOOD "]}",
     BS_EINVAL, "sale SO-1001: customer_id is empty"},
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"customer_id\":\"1234567890123456789012345678901234"
     "5678901234567890123456789012345\",\"lines\":[" GOOD "]}",
     BS_ETOOBIG, "sale SO-1001: customer_id is longer than 64 bytes"},
    {"NZD", "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"customer_id\":true,\"lines\":[" GOOD "]}",
     BS_EINVAL, "sale SO-1001: customer_id is not a string"},
    {"NZD", "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"fx_rate\":\"0\",\"lines\":[" GOOD "]}",
     BS_ERANGE, "sale SO-1001: fx_rate \"0\" is not a rate greater than 0"},
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"fx_rate\":\"1.23456789012\",\"lines\":[" GOOD "]}",
     BS_EDIGITS, "sale SO-1001: fx_rate \"1.23456789012\" has more than 10 significant digits"},
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"SO-1001\",\"reference\":\"" /* 256 bytes */
     "0123456789012345678901234567890123456789012345678901234567890123"
     "0123456789012345678901234567890123456789012345678901234567890123"
     "0123456789012345678901234567890123456789012345678901234567890123"
     "0123456789012345678901234567890123456789012345678901234567890123"
     "\",\"lines\":[" GOOD "]}",
     BS_ETOOBIG, "sale SO-1001: reference is longer than 255 bytes"},
    /* totals */
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"SO-1\",\"total\":\"100.05\",\"tax_mode\":\"none\",\"lines\":[{"
     "\"sku\":\"A\",\"qty\":1,\"unit_price\":100}]}",
     BS_EINVAL, "sale SO-1: total 100.05 does not match the lines (100.00)"},
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"SO-1\",\"total\":\"100.02\",\"tax_mode\":\"none\",\"lines\":[{"
     "\"sku\":\"A\",\"qty\":1,\"unit_price\":100}]}",
     BS_EINVAL, "sale SO-1: total 100.02 does not match the lines (100.00)"},
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-T\",\"total\":\"39.82\",\"lines\":[{\"sku\":\"A\",\"qty\":2,"
     "\"unit_price\":\"12.30\",\"tax_rate\":15},{\"sku\":\"B\",\"qty\":3,\"unit_price\":\"3.333\","
     "\"tax_rate\":15}]}",
     BS_EINVAL, "sale S-T: total 39.82 does not match the lines (39.79)"},
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"SO-1\",\"total\":\"100.001\",\"lines\":[{"
     "\"sku\":\"A\",\"qty\":1,\"unit_price\":100}]}",
     BS_EDIGITS, "sale SO-1: total \"100.001\" has more than 2 decimals (NZD)"},
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-J\",\"currency\":\"JPY\",\"total\":\"10.5\",\"lines\":[" GOOD
     "]}",
     BS_EDIGITS, "sale S-J: total \"10.5\" has more than 0 decimals (JPY)"},
    /* credit notes */
    {"NZD", "{\"kind\":\"credit_note\",\"id\":\"CN-1\",\"lines\":[" GOOD "]}", BS_EINVAL,
     "credit_note CN-1: needs exactly one of customer_id, supplier_id"},
    {"NZD",
     "{\"kind\":\"credit_note\",\"id\":\"CN-1\",\"customer_id\":\"C\",\"supplier_id\":\"V\","
     "\"lines\":[" GOOD "]}",
     BS_EINVAL, "credit_note CN-1: needs exactly one of customer_id, supplier_id"},
    {"NZD",
     "{\"kind\":\"credit_note\",\"id\":\"CN-1\",\"customer_id\":\"C\",\"purchase_id\":\"PO\","
     "\"lines\":[" GOOD "]}",
     BS_EINVAL,
     "credit_note CN-1: purchase_id is only for a supplier credit note (with supplier_id)"},
    {"NZD",
     "{\"kind\":\"credit_note\",\"id\":\"CN-1\",\"supplier_id\":\"V\",\"sale_id\":\"S\","
     "\"lines\":[" GOOD "]}",
     BS_EINVAL, "credit_note CN-1: sale_id is only for a customer credit note (with customer_id)"},
    /* payments */
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"10.001\",\"sale_id\":\"S\"}",
     BS_EDIGITS, "payment P-9: amount \"10.001\" has more than 2 decimals (NZD)"},
    {NULL, "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"10.001\",\"sale_id\":\"S\"}",
     BS_EDIGITS, "payment P-9: amount \"10.001\" has more than 2 decimals"},
    {"NZD",
     "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"1.5\",\"currency\":\"JPY\",\"sale_id\":"
     "\"S\"}",
     BS_EDIGITS, "payment P-9: amount \"1.5\" has more than 0 decimals (JPY)"},
    {"JPY", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"1.5\",\"sale_id\":\"S\"}",
     BS_EDIGITS, "payment P-9: amount \"1.5\" has more than 0 decimals (JPY)"},
    {"NZD",
     "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"1.0001\",\"currency\":\"KWD\","
     "\"sale_id\":\"S\"}",
     BS_EDIGITS, "payment P-9: amount \"1.0001\" has more than 3 decimals (KWD)"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"sale_id\":\"S\"}", BS_EINVAL,
     "payment P-9: amount is required"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":0,\"sale_id\":\"S\"}", BS_ERANGE,
     "payment P-9: amount \"0\" is not greater than 0"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"-5\",\"sale_id\":\"S\"}", BS_ERANGE,
     "payment P-9: amount \"-5\" is not greater than 0"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"abc\",\"sale_id\":\"S\"}", BS_EPARSE,
     "payment P-9: amount \"abc\" is not a decimal"},
    /* decimal text (a string, a CSV cell) is -?digits(.digits)? and nothing more */
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"1e3\",\"sale_id\":\"S\"}", BS_EPARSE,
     "payment P-9: amount \"1e3\" is not a decimal (text takes no exponent: write the digits "
     "out)"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"1E-2\",\"sale_id\":\"S\"}",
     BS_EPARSE,
     "payment P-9: amount \"1E-2\" is not a decimal (text takes no exponent: write the digits "
     "out)"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"+12.30\",\"sale_id\":\"S\"}",
     BS_EPARSE, "payment P-9: amount \"+12.30\" is not a decimal (text takes no '+' sign)"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\".5\",\"sale_id\":\"S\"}", BS_EPARSE,
     "payment P-9: amount \".5\" is not a decimal (a digit must come before the '.', as in "
     "0.5)"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"5.\",\"sale_id\":\"S\"}", BS_EPARSE,
     "payment P-9: amount \"5.\" is not a decimal (a digit must follow the '.', or leave the "
     "'.' out)"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"-.5\",\"sale_id\":\"S\"}", BS_EPARSE,
     "payment P-9: amount \"-.5\" is not a decimal (a digit must come before the '.', as in "
     "0.5)"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":\"1.5e\",\"sale_id\":\"S\"}",
     BS_EPARSE, "payment P-9: amount \"1.5e\" is not a decimal"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":\"1e1\",\"unit_price\":1}"), BS_EPARSE,
     "sale SO-1001 line 1: qty \"1e1\" is not a decimal (text takes no exponent: write the "
     "digits out)"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":\"+1\"}"), BS_EPARSE,
     "sale SO-1001 line 1: unit_price \"+1\" is not a decimal (text takes no '+' sign)"},
    {"NZD", SALE_LINE("{\"sku\":\"A\",\"qty\":1,\"unit_price\":1,\"tax_rate\":\"15.\"}"), BS_EPARSE,
     "sale SO-1001 line 1: tax_rate \"15.\" is not a decimal (a digit must follow the '.', or "
     "leave the '.' out)"},
    {"NZD",
     "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":5,\"fx_rate\":\".92\",\"sale_id\":\"S\"}",
     BS_EPARSE,
     "payment P-9: fx_rate \".92\" is not a decimal (a digit must come before the '.', as in "
     "0.5)"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":5}", BS_EINVAL,
     "payment P-9: needs exactly one of sale_id, credit_note_id, purchase_id"},
    {"NZD",
     "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":5,\"sale_id\":\"S\",\"purchase_id\":\"P\"}",
     BS_EINVAL, "payment P-9: needs exactly one of sale_id, credit_note_id, purchase_id"},
    {"NZD", "{\"kind\":\"payment\",\"id\":\"P-9\",\"amount\":5,\"sale_id\":\"S\",\"is_refund\":2}",
     BS_EINVAL, "payment P-9: is_refund \"2\" is not a boolean"},
    /* purchases */
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-1\",\"lines\":[{\"sku\":\"A\",\"qty\":1,\"unit_cost\":1}]"
     "}",
     BS_EINVAL, "purchase PO-1: supplier_id is required"},
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-1\",\"supplier_id\":\"V\",\"status\":\"invoiced\","
     "\"lines\":[{\"sku\":\"A\",\"qty\":1,\"unit_cost\":1}]}",
     BS_EINVAL, "purchase PO-1: status \"invoiced\" is not one of open, billed, finished"},
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-1\",\"supplier_id\":\"V\",\"lines\":[{\"sku\":\"A\","
     "\"qty\":1,\"unit_cost\":\"0.0000001\"}]}",
     BS_EDIGITS, "purchase PO-1 line 1: unit_cost \"0.0000001\" has more than 6 decimals"},
    {"NZD",
     "{\"kind\":\"purchase\",\"id\":\"PO-1\",\"supplier_id\":\"V\",\"lines\":[{\"sku\":\"A\","
     "\"qty\":1}]}",
     BS_EINVAL, "purchase PO-1 line 1: unit_cost is required"},
    /* stock */
    {"NZD",
     "{\"kind\":\"adjustment\",\"id\":\"ADJ-1\",\"currency\":\"USD\",\"lines\":[{\"sku\":\"A\","
     "\"qty\":1,\"unit_cost\":1}]}",
     BS_EINVAL, "adjustment ADJ-1: currency USD is not the base currency (NZD)"},
    {"NZD", "{\"kind\":\"adjustment\",\"id\":\"ADJ-1\",\"lines\":[{\"qty\":1,\"unit_cost\":1}]}",
     BS_EINVAL, "adjustment ADJ-1 line 1: sku is required"},
    {"NZD",
     "{\"kind\":\"cogs\",\"id\":\"COGS-1\",\"sale_id\":\"S\",\"currency\":\"AUD\",\"lines\":[{"
     "\"sku\":\"A\",\"cost\":1}]}",
     BS_EINVAL, "cogs COGS-1: currency AUD is not the base currency (NZD)"},
    {"NZD", "{\"kind\":\"cogs\",\"id\":\"COGS-1\",\"lines\":[{\"sku\":\"A\",\"cost\":1}]}",
     BS_EINVAL, "cogs COGS-1: needs exactly one of sale_id, credit_note_id"},
    {"NZD",
     "{\"kind\":\"cogs\",\"id\":\"COGS-1\",\"sale_id\":\"S\",\"credit_note_id\":\"C\",\"lines\":[{"
     "\"sku\":\"A\",\"cost\":1}]}",
     BS_EINVAL, "cogs COGS-1: needs exactly one of sale_id, credit_note_id"},
    {"NZD", "{\"kind\":\"cogs\",\"id\":\"COGS-1\",\"sale_id\":\"S\",\"lines\":[{\"sku\":\"A\"}]}",
     BS_EINVAL, "cogs COGS-1 line 1: cost is required"},
    /* retail */
    {"NZD", "{\"kind\":\"gift_voucher\",\"id\":\"GV-1\",\"event\":\"redeemed\",\"amount\":5}",
     BS_EINVAL, "gift_voucher GV-1: sale_id is required when event is redeemed"},
    {"NZD", "{\"kind\":\"gift_voucher\",\"id\":\"GV-1\",\"event\":\"lost\",\"amount\":5}",
     BS_EINVAL, "gift_voucher GV-1: event \"lost\" is not one of sold, redeemed, expired"},
    {"NZD", "{\"kind\":\"gift_voucher\",\"id\":\"GV-1\",\"amount\":5}", BS_EINVAL,
     "gift_voucher GV-1: event is required"},
    {"NZD",
     "{\"kind\":\"store_credit\",\"id\":\"SC-1\",\"customer_id\":\"C\",\"event\":\"used\","
     "\"amount\":5}",
     BS_EINVAL, "store_credit SC-1: sale_id is required when event is used"},
    {"NZD",
     "{\"kind\":\"store_credit\",\"id\":\"SC-1\",\"customer_id\":\"C\",\"event\":\"issued\","
     "\"amount\":5,\"origin\":\"gift\"}",
     BS_EINVAL, "store_credit SC-1: origin \"gift\" is not one of refund, prepayment, other"},
    {"NZD", "{\"kind\":\"store_credit\",\"id\":\"SC-1\",\"event\":\"issued\",\"amount\":5}",
     BS_EINVAL, "store_credit SC-1: customer_id is required"},
    /* money tasks and journals */
    {"NZD",
     "{\"kind\":\"money_task\",\"id\":\"MT-1\",\"direction\":\"sideways\",\"lines\":[{\"amount\":"
     "1}]}",
     BS_EINVAL, "money_task MT-1: direction \"sideways\" is not one of receive, spend"},
    {"NZD", "{\"kind\":\"money_task\",\"id\":\"MT-1\",\"direction\":\"spend\",\"lines\":[{}]}",
     BS_EINVAL, "money_task MT-1 line 1: amount is required"},
    {"NZD",
     "{\"kind\":\"money_task\",\"id\":\"MT-1\",\"direction\":\"spend\",\"contact_id\":\"\","
     "\"lines\":[{\"amount\":1}]}",
     BS_EINVAL, "money_task MT-1: contact_id is empty"},
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"account\":\"1\",\"debit\":\"10.00\"},{"
     "\"account\":\"2\",\"credit\":\"9.99\"}]}",
     BS_EINVAL, "journal J-1: debits (10.00) do not equal credits (9.99)"},
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"account\":\"1\",\"debit\":1,\"credit\":1}"
     "]}",
     BS_EINVAL, "journal J-1 line 1: needs exactly one of debit, credit"},
    {"NZD", "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"account\":\"1\"}]}", BS_EINVAL,
     "journal J-1 line 1: needs exactly one of debit, credit"},
    /* a zero side beside the other is absent; both zero is a line of nothing */
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"account\":\"1\",\"debit\":\"0\","
     "\"credit\":\"0.00\"}]}",
     BS_EINVAL, "journal J-1 line 1: needs one of debit, credit (both are 0)"},
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"account\":\"1\",\"debit\":0,"
     "\"credit\":0}]}",
     BS_EINVAL, "journal J-1 line 1: needs one of debit, credit (both are 0)"},
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"account\":\"1\",\"debit\":\"5\","
     "\"credit\":\"0.01\"}]}",
     BS_EINVAL, "journal J-1 line 1: needs exactly one of debit, credit"},
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"account\":\"1\",\"debit\":\"0\","
     "\"credit\":\"-1\"}]}",
     BS_ERANGE, "journal J-1 line 1: credit \"-1\" is negative"},
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"account\":\"1\",\"debit\":\"10\","
     "\"credit\":\"0\"},{\"account\":\"2\",\"debit\":\"0\",\"credit\":\"9.99\"}]}",
     BS_EINVAL, "journal J-1: debits (10.00) do not equal credits (9.99)"},
    {"NZD", "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"account\":\"1\",\"debit\":-1}]}",
     BS_ERANGE, "journal J-1 line 1: debit \"-1\" is negative"},
    {"NZD", "{\"kind\":\"journal\",\"id\":\"J-1\",\"lines\":[{\"debit\":1}]}", BS_EINVAL,
     "journal J-1 line 1: account is required"},
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J-1\",\"currency\":\"USD\",\"lines\":[{\"account\":\"1\","
     "\"debit\":1},{\"account\":\"2\",\"credit\":1}]}",
     BS_EINVAL,
     "journal J-1: fx_rate is required when the currency (USD) is not the base currency (NZD)"},
    /* UTF-8: canonical text must be valid JSON */
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Caf\xe9\"}", BS_EINVAL,
     "customer C-1: name is not valid UTF-8"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Truncated \xc3\"}", BS_EINVAL,
     "customer C-1: name is not valid UTF-8"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"over\xc0\xaflong\"}", BS_EINVAL,
     "customer C-1: name is not valid UTF-8"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"sur\xed\xa0\x80rogate\"}", BS_EINVAL,
     "customer C-1: name is not valid UTF-8"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"big\xf4\x90\x80\x80\"}", BS_EINVAL,
     "customer C-1: name is not valid UTF-8"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C\xe9\",\"name\":\"N\"}", BS_EINVAL,
     "record: id is not valid UTF-8"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"note\":[\"ok\",\"\xff\"]}",
     BS_EINVAL, "customer C-1: note is not valid UTF-8"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"n\xe9\":1}", BS_EINVAL,
     "customer C-1: a field name is not valid UTF-8"},
    {"NZD", "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"N\",\"x\":{\"n\xe9\":1}}", BS_EINVAL,
     "customer C-1: a field name is not valid UTF-8"},
    {"NZD", "{\"kind\":\"sale\",\"id\":\"S\",\"customer_id\":\"C\xe9\",\"lines\":[" GOOD "]}",
     BS_EINVAL, "sale S: customer_id is not valid UTF-8"},
    {"NZD", "{\"kind\":\"product\",\"id\":\"P\",\"sku\":\"A\",\"tracking\":{\"R\":\"N\xe9\"}}",
     BS_EINVAL, "product P: tracking.R is not valid UTF-8"},
    {"NZD", "{\"kind\":\"sa\xe9le\",\"id\":\"S\"}", BS_EUNSUPPORTED, "unknown kind \"sa?le\""},
    /* unknown fields nested deeper than we copy (json-c's own limit is 32, so
     * build the deep value by hand in test_deep_unknown instead) */
};

static void test_err_cases(void **state)
{
	struct record r;
	struct bs_error err;

	(void)state;
	record_init(&r);
	for (size_t i = 0; i < N(err_cases); i++) {
		const struct err_case *c = &err_cases[i];
		int rc = run(c->base, c->in, &r, &err);

		if (rc != c->rc || strcmp(err.msg, c->msg) != 0)
			fail_msg("case %zu: %s\n got  %d \"%s\"\n want %d \"%s\"", i, c->in, rc,
			         err.msg, c->rc, c->msg);
		if (err.code != c->rc)
			fail_msg("case %zu: err.code %d, want %d", i, err.code, c->rc);
	}
	record_release(&r);
}

/* A NULL error struct is allowed; a NULL object is an error. */
static void test_null_args(void **state)
{
	struct record r;
	struct bs_error err;

	(void)state;
	record_init(&r);
	assert_int_equal(record_from_json(NULL, NULL, &r, &err), BS_EINVAL);
	assert_string_equal(err.msg, "record: not a JSON object");
	{
		struct json_object *o = json_tokener_parse("{\"kind\":\"customer\",\"id\":\"C\"}");

		assert_int_equal(record_from_json(o, NULL, &r, NULL), BS_EINVAL);
		json_object_put(o);
	}
	record_release(&r);
}

/* Unknown values nested past the copy limit are refused, not recursed into. */
static void test_deep_unknown(void **state)
{
	struct json_object *o =
	    json_tokener_parse("{\"kind\":\"customer\",\"id\":\"C\",\"name\":\"N\"}");
	struct json_object *deep = json_object_new_array();
	struct record r;
	struct bs_error err;
	struct record_ctx ctx = {"NZD"};

	(void)state;
	for (int i = 0; i < 100; i++) {
		struct json_object *outer = json_object_new_array();

		json_object_array_add(outer, deep);
		deep = outer;
	}
	json_object_object_add(o, "deep", deep);
	record_init(&r);
	assert_int_equal(record_from_json(o, &ctx, &r, &err), BS_EINVAL);
	assert_string_equal(err.msg, "customer C: deep is nested too deeply");
	json_object_put(o);
	record_release(&r);
}

/* Many unknown keys (past the on-stack entry array) still come out sorted. */
static void test_many_keys(void **state)
{
	struct json_object *o =
	    json_tokener_parse("{\"kind\":\"customer\",\"id\":\"C\",\"name\":\"N\"}");
	struct json_object *inner = json_object_new_object();
	struct record r;
	struct bs_error err;
	struct record_ctx ctx = {"NZD"};
	const char *p, *prev;

	(void)state;
	for (int i = 99; i >= 0; i--) {
		char k[16];

		snprintf(k, sizeof(k), "k%02d", i);
		json_object_object_add(o, k, json_object_new_int(i));
		json_object_object_add(inner, k, json_object_new_int(i));
	}
	json_object_object_add(o, "inner", inner);
	record_init(&r);
	assert_int_equal(record_from_json(o, &ctx, &r, &err), BS_OK);
	p = buf_cstr(&r.canonical);
	assert_non_null(strstr(p, "\"inner\":{\"k00\":0,\"k01\":1,"));
	assert_non_null(strstr(p, "\"k98\":98,\"k99\":99}"));
	assert_non_null(strstr(p, "\"k99\":99,\"kind\":\"customer\",\"name\":\"N\"}"));
	prev = strstr(p, "\"k00\":0,\"k01\":1,\"k02\"");
	assert_non_null(prev);
	json_object_put(o);
	record_release(&r);
}

/* Values longer than the writer's staging area (and than its one-append
 * fast path) come out whole, escapes included. */
static void test_long_values(void **state)
{
	struct json_object *o = json_tokener_parse("{\"kind\":\"sale\",\"id\":\"S-L\",\"lines\":[{"
	                                           "\"sku\":\"A\",\"qty\":1,\"unit_price\":1}]}");
	struct json_object *line;
	struct record r;
	struct bs_error err;
	struct record_ctx ctx = {"NZD"};
	char desc[3001], note[5001], want[6000];
	const char *p;

	(void)state;
	memset(desc, 'd', sizeof(desc) - 1);
	desc[sizeof(desc) - 1] = '\0';
	for (size_t i = 0; i < sizeof(note) - 1; i++)
		note[i] = i % 100 == 99 ? '"' : 'n';
	note[sizeof(note) - 1] = '\0';
	line = json_object_array_get_idx(json_object_object_get(o, "lines"), 0);
	json_object_object_add(line, "description", json_object_new_string(desc));
	json_object_object_add(o, "note", json_object_new_string(note));
	record_init(&r);
	assert_int_equal(record_from_json(o, &ctx, &r, &err), BS_OK);
	p = buf_cstr(&r.canonical);
	snprintf(want, sizeof(want), "\"description\":\"%s\",\"qty\"", desc);
	assert_non_null(strstr(p, want));
	/* every 100th character of the note is an escaped quote */
	assert_non_null(strstr(p, "\"note\":\"nnnn"));
	assert_int_equal(r.canonical.len, strlen(p));
	{
		struct json_object *back = json_tokener_parse(p), *n;

		assert_non_null(back);
		n = json_object_object_get(back, "note");
		assert_string_equal(json_object_get_string(n), note);
		json_object_put(back);
	}
	json_object_put(o);
	record_release(&r);
}

/* ------------------------------------------------------------------ */
/* JSON and CSV (every value a string) give byte-identical canonical text */

struct pair_case {
	const char *base;
	const char *json;
	const char *csv;
};

static const struct pair_case pair_cases[] = {
    {"NZD",
     "{\"kind\":\"sale\",\"id\":\"S-1\",\"version\":2,\"invoiced\":true,\"total\":28.29,"
     "\"lines\":[{\"sku\":\"A\",\"qty\":2,\"unit_price\":12.30,\"tax_rate\":15,"
     "\"discount_pct\":0}]}",
     "{\"kind\":\"sale\",\"id\":\"S-1\",\"version\":\"2\",\"invoiced\":\"Yes\",\"total\":\"28.29\","
     "\"tax_mode\":\"exclusive\",\"lines\":\"[{\\\"sku\\\":\\\"A\\\",\\\"qty\\\":\\\"2.0\\\","
     "\\\"unit_price\\\":\\\"12.3000\\\",\\\"tax_rate\\\":\\\"15.00\\\",\\\"discount_pct\\\":"
     "\\\"0\\\",\\\"account\\\":\\\"\\\"}]\"}"},
    {"NZD",
     "{\"kind\":\"payment\",\"id\":\"P-1\",\"sale_id\":\"S-1\",\"amount\":10.5,\"is_refund\":"
     "false,\"fx_rate\":1.5}",
     "{\"kind\":\"payment\",\"id\":\"P-1\",\"sale_id\":\"S-1\",\"amount\":\"10.50\",\"is_refund\":"
     "\"0\",\"fx_rate\":\"1.500\",\"method\":\"\",\"currency\":\"\"}"},
    {"NZD",
     "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"A\",\"sales_account\":200,\"tracking\":{"
     "\"Region\":\"North\"}}",
     "{\"kind\":\"product\",\"id\":\"P-1\",\"sku\":\"A\",\"sales_account\":\"200\",\"tracking\":"
     "\"{\\\"Region\\\":\\\"North\\\"}\"}"},
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J\",\"lines\":[{\"account\":400,\"debit\":10},{\"account\":"
     "800,\"credit\":1e1}]}",
     "{\"kind\":\"journal\",\"id\":\"J\",\"lines\":[{\"account\":\"400\",\"debit\":\"10.00\","
     "\"credit\":\"\"},{\"account\":\"800\",\"credit\":\"10\",\"debit\":\"\"}]}"},
    /* a journal from CSV carries both columns, the unused one 0 */
    {"NZD",
     "{\"kind\":\"journal\",\"id\":\"J\",\"lines\":[{\"account\":\"400\",\"debit\":10},{"
     "\"account\":\"800\",\"credit\":10}]}",
     "{\"kind\":\"journal\",\"id\":\"J\",\"lines\":[{\"account\":\"400\",\"debit\":\"10.00\","
     "\"credit\":\"0\"},{\"account\":\"800\",\"credit\":\"10\",\"debit\":\"0.00\"}]}"},
    {"NZD", "{\"kind\":\"customer\",\"id\":7,\"name\":\"N\",\"address\":{\"postcode\":6011}}",
     "{\"kind\":\"customer\",\"id\":\"7\",\"name\":\"N\",\"address\":\"{\\\"postcode\\\":"
     "\\\"6011\\\"}\"}"},
};

static void test_json_csv_equivalence(void **state)
{
	struct record a, b;
	struct bs_error err;

	(void)state;
	record_init(&a);
	record_init(&b);
	for (size_t i = 0; i < N(pair_cases); i++) {
		const struct pair_case *c = &pair_cases[i];

		if (run(c->base, c->json, &a, &err) != BS_OK)
			fail_msg("case %zu json: %s", i, err.msg);
		if (run(c->base, c->csv, &b, &err) != BS_OK)
			fail_msg("case %zu csv: %s", i, err.msg);
		if (strcmp(buf_cstr(&a.canonical), buf_cstr(&b.canonical)) != 0)
			fail_msg("case %zu:\n json %s\n csv  %s", i, buf_cstr(&a.canonical),
			         buf_cstr(&b.canonical));
		assert_memory_equal(a.hash, b.hash, RECORD_HASH_LEN);
		assert_int_equal(a.total, b.total);
		assert_int_equal(a.version, b.version);
	}
	record_release(&a);
	record_release(&b);
}

/* ------------------------------------------------------------------ */
/* hashing */

static void test_hash(void **state)
{
	static const char *const same[] = {
	    "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Acme\",\"email\":\"a@b\"}",
	    "{ \"email\" : \"a@b\", \"name\":\"Acme\", \"id\":\"C-1\", \"kind\":\"customer\" }",
	    "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Acme\",\"email\":\"a@b\",\"version\":"
	    "5}",
	    "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Acme\",\"email\":\"a@b\",\"phone\":"
	    "\"\"}",
	};
	static const char *const differ[] = {
	    "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Acme.\",\"email\":\"a@b\"}",
	    "{\"kind\":\"customer\",\"id\":\"C-2\",\"name\":\"Acme\",\"email\":\"a@b\"}",
	    "{\"kind\":\"supplier\",\"id\":\"C-1\",\"name\":\"Acme\",\"email\":\"a@b\"}",
	    "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Acme\",\"email\":\"a@b\",\"x\":1}",
	};
	struct record r;
	struct bs_error err;
	unsigned char first[RECORD_HASH_LEN];

	(void)state;
	record_init(&r);
	assert_int_equal(run("NZD", same[0], &r, &err), BS_OK);
	memcpy(first, r.hash, sizeof(first));
	/* BLAKE2b-256 of the canonical text, fixed: a change here changes every stored hash */
	{
		char hex[2 * RECORD_HASH_LEN + 1];

		sodium_bin2hex(hex, sizeof(hex), first, sizeof(first));
		unsigned char want[RECORD_HASH_LEN];

		crypto_generichash(want, sizeof(want),
		                   (const unsigned char
		                        *)"{\"email\":\"a@b\",\"id\":\"C-1\",\"kind\":\"customer\","
		                          "\"name\":\"Acme\"}",
		                   strlen("{\"email\":\"a@b\",\"id\":\"C-1\",\"kind\":\"customer\","
		                          "\"name\":\"Acme\"}"),
		                   NULL, 0);
		assert_memory_equal(want, first, sizeof(want));
	}
	for (size_t i = 1; i < N(same); i++) {
		assert_int_equal(run("NZD", same[i], &r, &err), BS_OK);
		if (memcmp(first, r.hash, sizeof(first)) != 0)
			fail_msg("same[%zu] hashes differently: %s", i, buf_cstr(&r.canonical));
	}
	for (size_t i = 0; i < N(differ); i++) {
		assert_int_equal(run("NZD", differ[i], &r, &err), BS_OK);
		if (memcmp(first, r.hash, sizeof(first)) == 0)
			fail_msg("differ[%zu] hashes the same: %s", i, buf_cstr(&r.canonical));
	}
	/* a money change of one minor unit changes the hash; a spelling of the same value does not
	 */
	{
		unsigned char a[RECORD_HASH_LEN];

		assert_int_equal(run("NZD",
		                     "{\"kind\":\"payment\",\"id\":\"P\",\"sale_id\":\"S\","
		                     "\"amount\":\"10.00\"}",
		                     &r, &err),
		                 BS_OK);
		memcpy(a, r.hash, sizeof(a));
		assert_int_equal(
		    run("NZD",
		        "{\"kind\":\"payment\",\"id\":\"P\",\"sale_id\":\"S\",\"amount\":10}", &r,
		        &err),
		    BS_OK);
		assert_memory_equal(a, r.hash, sizeof(a));
		assert_int_equal(run("NZD",
		                     "{\"kind\":\"payment\",\"id\":\"P\",\"sale_id\":\"S\","
		                     "\"amount\":\"10.01\"}",
		                     &r, &err),
		                 BS_OK);
		assert_memory_not_equal(a, r.hash, sizeof(a));
	}
	record_release(&r);
}

/* A failed call leaves nothing that looks valid; the record is reusable. */
static void test_reuse_after_error(void **state)
{
	struct record r;
	struct bs_error err;

	(void)state;
	record_init(&r);
	assert_int_equal(run("NZD", ok_cases[6].in, &r, &err), BS_OK);
	assert_int_equal(run("NZD", "{\"kind\":\"customer\",\"id\":\"C-1\"}", &r, &err), BS_EINVAL);
	assert_null(r.tab);
	assert_false(r.has_total);
	assert_int_equal(r.nrefs, 0);
	assert_int_equal(run("NZD", ok_cases[0].in, &r, &err), BS_OK);
	assert_string_equal(buf_cstr(&r.canonical), ok_cases[0].canonical);
	record_release(&r);
	record_release(&r); /* twice is harmless */
}

/* ------------------------------------------------------------------ */
/* kinds and tables */

static void test_kind_names(void **state)
{
	static const char *const names[RECORD_KIND_COUNT] = {
	    "customer",     "supplier",   "product",    "sale", "credit_note",
	    "payment",      "purchase",   "adjustment", "cogs", "gift_voucher",
	    "store_credit", "money_task", "journal",
	};
	enum record_kind k;

	(void)state;
	for (int i = 0; i < RECORD_KIND_COUNT; i++) {
		assert_string_equal(record_kind_name((enum record_kind)i), names[i]);
		assert_int_equal(record_kind_from_name(names[i], &k), BS_OK);
		assert_int_equal(k, i);
	}
	assert_int_equal(record_kind_from_name("Sale", &k), BS_ENOTFOUND);
	assert_int_equal(record_kind_from_name("", &k), BS_ENOTFOUND);
	assert_int_equal(record_kind_from_name(NULL, &k), BS_ENOTFOUND);
	assert_string_equal(record_kind_name(RECORD_KIND_COUNT), "record");
}

static void test_spec_tables(void **state)
{
	struct bs_error err;

	(void)state;
	bs_error_clear(&err);
	if (rf_spec_check(&err) != BS_OK)
		fail_msg("%s", err.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_tables),  cmocka_unit_test(test_kind_names),
	    cmocka_unit_test(test_ok_cases),     cmocka_unit_test(test_header_facts),
	    cmocka_unit_test(test_err_cases),    cmocka_unit_test(test_null_args),
	    cmocka_unit_test(test_deep_unknown), cmocka_unit_test(test_many_keys),
	    cmocka_unit_test(test_long_values),  cmocka_unit_test(test_json_csv_equivalence),
	    cmocka_unit_test(test_hash),         cmocka_unit_test(test_reuse_after_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
