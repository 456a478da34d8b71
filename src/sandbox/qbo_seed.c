/*
 * qbo_seed.c - the QuickBooks Online sandbox's default company, so a demo
 * or a connector needs no setup: an NZ company in NZD with GST (15 %) as
 * non-US QBO companies model it (TaxRate + TaxCode), the chart of accounts
 * a booksync mapping needs, one Service item, CompanyInfo and Preferences
 * (multicurrency on: the currencies are qbo_cur.c's).  Account numbers match
 * the Xero sandbox's chart where both have the account (090, 200, 260, 310,
 * 429, 610, 630, 800, 820, 825, 860, 960), so the records of examples/ and one
 * store's settings serve both ledgers.  docs/sandbox.md lists it.  Ids follow
 * the order below (one sequence); tests rely on them, so change names and
 * numbers in place rather than inserting.
 */
#include "sandbox/qbo_int.h"

#include <stdio.h>
#include <string.h>

struct seed {
	int ent;
	const char *json;
};

#define ACC(name, type, sub, num, cls)                                                             \
	{                                                                                          \
		QBE_ACCOUNT, "{\"Name\":\"" name "\",\"FullyQualifiedName\":\"" name               \
		             "\",\"AccountType\":\"" type "\",\"AccountSubType\":\"" sub           \
		             "\",\"AcctNum\":\"" num "\",\"Classification\":\"" cls                \
		             "\",\"SubAccount\":false,\"Active\":true,\"CurrentBalance\":0,"       \
		             "\"CurrencyRef\":{\"value\":\"NZD\",\"name\":\"New Zealand "          \
		             "Dollar\"}}"                                                          \
	}

static const struct seed seeds[] = {
    /* 1-4: tax rates */
    {QBE_TAXRATE, "{\"Name\":\"GST on Sales\",\"Description\":\"GST 15% on sales\","
                  "\"RateValue\":15,\"Active\":true,\"SpecialTaxType\":\"NONE\"}"},
    {QBE_TAXRATE, "{\"Name\":\"GST on Purchases\",\"Description\":\"GST 15% on purchases\","
                  "\"RateValue\":15,\"Active\":true,\"SpecialTaxType\":\"NONE\"}"},
    {QBE_TAXRATE, "{\"Name\":\"Zero-rated\",\"Description\":\"Zero-rated supplies\","
                  "\"RateValue\":0,\"Active\":true,\"SpecialTaxType\":\"ZERO_RATE\"}"},
    {QBE_TAXRATE, "{\"Name\":\"Exempt\",\"Description\":\"Exempt supplies\","
                  "\"RateValue\":0,\"Active\":true,\"SpecialTaxType\":\"EXEMPT\"}"},
    /* 5-8: tax codes */
    {QBE_TAXCODE, "{\"Name\":\"GST\",\"Description\":\"GST 15%\",\"Active\":true,"
                  "\"Taxable\":true,\"TaxGroup\":false,"
                  "\"SalesTaxRateList\":{\"TaxRateDetail\":[{\"TaxRateRef\":{\"value\":\"1\","
                  "\"name\":\"GST on Sales\"},\"TaxTypeApplicable\":\"TaxOnAmount\","
                  "\"TaxOrder\":0}]},"
                  "\"PurchaseTaxRateList\":{\"TaxRateDetail\":[{\"TaxRateRef\":{\"value\":"
                  "\"2\",\"name\":\"GST on Purchases\"},\"TaxTypeApplicable\":"
                  "\"TaxOnAmount\",\"TaxOrder\":0}]}}"},
    {QBE_TAXCODE, "{\"Name\":\"Zero-rated\",\"Description\":\"Zero-rated 0%\",\"Active\":true,"
                  "\"Taxable\":true,\"TaxGroup\":false,"
                  "\"SalesTaxRateList\":{\"TaxRateDetail\":[{\"TaxRateRef\":{\"value\":\"3\"},"
                  "\"TaxTypeApplicable\":\"TaxOnAmount\",\"TaxOrder\":0}]},"
                  "\"PurchaseTaxRateList\":{\"TaxRateDetail\":[{\"TaxRateRef\":{\"value\":"
                  "\"3\"},\"TaxTypeApplicable\":\"TaxOnAmount\",\"TaxOrder\":0}]}}"},
    {QBE_TAXCODE, "{\"Name\":\"Exempt\",\"Description\":\"Exempt 0%\",\"Active\":true,"
                  "\"Taxable\":true,\"TaxGroup\":false,"
                  "\"SalesTaxRateList\":{\"TaxRateDetail\":[{\"TaxRateRef\":{\"value\":\"4\"},"
                  "\"TaxTypeApplicable\":\"TaxOnAmount\",\"TaxOrder\":0}]},"
                  "\"PurchaseTaxRateList\":{\"TaxRateDetail\":[{\"TaxRateRef\":{\"value\":"
                  "\"4\"},\"TaxTypeApplicable\":\"TaxOnAmount\",\"TaxOrder\":0}]}}"},
    {QBE_TAXCODE, "{\"Name\":\"Out of Scope\",\"Description\":\"No GST\",\"Active\":true,"
                  "\"Taxable\":false,\"TaxGroup\":false,"
                  "\"SalesTaxRateList\":{\"TaxRateDetail\":[]},"
                  "\"PurchaseTaxRateList\":{\"TaxRateDetail\":[]}}"},
    /* 9-29: accounts */
    ACC("Sales", "Income", "SalesOfProductIncome", "200", "Revenue"),
    ACC("Services", "Income", "ServiceFeeIncome", "210", "Revenue"),
    ACC("Other Revenue", "Income", "OtherPrimaryIncome", "260", "Revenue"),
    ACC("Discounts Given", "Income", "DiscountsRefundsGiven", "230", "Revenue"),
    ACC("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs", "310", "Expense"),
    ACC("Purchases", "Cost of Goods Sold", "SuppliesMaterialsCogs", "510", "Expense"),
    ACC("Inventory Asset", "Other Current Asset", "Inventory", "630", "Asset"),
    ACC("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "610", "Asset"),
    ACC("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "800", "Liability"),
    ACC("Business Bank Account", "Bank", "Checking", "090", "Asset"),
    ACC("Credit Card", "Credit Card", "CreditCard", "095", "Liability"),
    ACC("Undeposited Funds", "Other Current Asset", "UndepositedFunds", "620", "Asset"),
    ACC("GST Payable", "Other Current Liability", "GlobalTaxPayable", "820", "Liability"),
    ACC("Gift Vouchers", "Other Current Liability", "OtherCurrentLiabilities", "825", "Liability"),
    ACC("Customer Store Credit", "Other Current Liability", "OtherCurrentLiabilities", "835",
        "Liability"),
    ACC("Rounding", "Expense", "OtherMiscellaneousServiceCost", "860", "Expense"),
    ACC("Inventory Adjustments", "Cost of Goods Sold", "OtherCostsOfServiceCos", "520", "Expense"),
    ACC("Bank Fees", "Expense", "BankCharges", "404", "Expense"),
    ACC("Opening Balance Equity", "Equity", "OpeningBalanceEquity", "970", "Equity"),
    ACC("Retained Earnings", "Equity", "RetainedEarnings", "960", "Equity"),
    ACC("General Expenses", "Expense", "OfficeGeneralAdministrativeExpenses", "429", "Expense"),
    /* 30: the item a line without ItemRef stands for */
    {QBE_ITEM, "{\"Name\":\"Services\",\"FullyQualifiedName\":\"Services\",\"Type\":"
               "\"Service\",\"Active\":true,\"Taxable\":true,\"UnitPrice\":0,"
               "\"IncomeAccountRef\":{\"value\":\"10\",\"name\":\"Services\"}}"},
    /* 31, 32 */
    {QBE_COMPANYINFO,
     "{\"CompanyName\":\"Booksync Sandbox Ltd\",\"LegalName\":\"Booksync Sandbox Ltd\","
     "\"Country\":\"NZ\",\"SupportedLanguages\":\"en\",\"CompanyAddr\":{\"Line1\":\"1 Queen "
     "Street\",\"City\":\"Auckland\",\"Country\":\"NZ\",\"PostalCode\":\"1010\"},"
     "\"FiscalYearStartMonth\":\"April\",\"Email\":{\"Address\":\"sandbox@example.com\"},"
     "\"NameValue\":[{\"Name\":\"OfferingSku\",\"Value\":\"QuickBooks Online Plus\"}]}"},
    {QBE_PREFERENCES,
     "{\"AccountingInfoPrefs\":{\"TrackDepartments\":false,\"ClassTrackingPerTxn\":false,"
     "\"CustomerTerminology\":\"Customers\",\"BookCloseDate\":null},"
     "\"SalesFormsPrefs\":{\"CustomTxnNumbers\":true,\"AllowDiscount\":false,"
     "\"AllowShipping\":false},"
     "\"VendorAndPurchasesPrefs\":{\"BillableExpenseTracking\":false,"
     "\"TrackingByCustomer\":false},"
     "\"TaxPrefs\":{\"UsingSalesTax\":true,\"PartnerTaxEnabled\":false},"
     "\"CurrencyPrefs\":{\"MultiCurrencyEnabled\":true,\"HomeCurrency\":{\"value\":\"NZD\"}},"
     "\"OtherPrefs\":{\"NameValue\":[{\"Name\":\"VendorAndPurchasesPrefs."
     "UseCustomTxnNumbers\",\"Value\":\"true\"}]}}"},
};

int qbo_seed(struct qbo_ctx *c)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		json_object *o = json_tokener_parse(seeds[i].json);
		int rc;

		if (o == NULL)
			return BS_EINTERNAL;
		if (seeds[i].ent == QBE_COMPANYINFO && c->r->name[0] != '\0') {
			/* a --companies company's own name */
			sb_jset_str(o, "CompanyName", c->r->name);
			sb_jset_str(o, "LegalName", c->r->name);
		}
		rc = qbo_put(c, seeds[i].ent, NULL, o, NULL);
		if (rc != BS_OK)
			return rc;
	}
	return BS_OK;
}
