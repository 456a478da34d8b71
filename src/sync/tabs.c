/*
 * tabs.c - the tab table and name resolution (see tabs.h).
 */
#include "sync/tabs.h"

#include <string.h>

static const struct tabs_def tabs[] = {
    {"sales/customers", "Sales > Customers", true},
    {"sales/invoices", "Sales > Invoices", true},
    {"sales/credit-notes", "Sales > Credit Notes", false},
    {"sales/payments", "Sales > Payments", false},
    {"purchases/suppliers", "Purchases > Suppliers", true},
    {"purchases/supplier-invoices", "Purchases > Supplier Invoices", true},
    {"purchases/purchase-orders", "Purchases > Purchase Orders", false},
    {"purchases/supplier-credits", "Purchases > Supplier Credits", false},
    {"purchases/payments", "Purchases > Payments", false},
    {"adjustments/adjustments", "Adjustments & COGS > Adjustments", false},
    {"adjustments/cogs", "Adjustments & COGS > COGS", true},
    {"retail/gift-vouchers", "Retail > Gift Vouchers", false},
    {"retail/store-credits", "Retail > Store Credits", false},
    {"other/products", "Other > Products", false},
    {"other/money-tasks", "Other > Money Tasks", false},
    {"other/journals", "Other > Journals", false},
};

#define NTABS (sizeof(tabs) / sizeof(tabs[0]))

static const char *const groups[] = {"sales", "purchases", "adjustments", "retail", "other"};

const struct tabs_def *tabs_all(size_t *n)
{
	*n = NTABS;
	return tabs;
}

int tabs_resolve(const char *name, const char **out, struct bs_error *err)
{
	const char *hit = NULL, *second = NULL;

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (strcmp(name, groups[i]) == 0) {
			*out = groups[i];
			return BS_OK;
		}
	}
	for (size_t i = 0; i < NTABS; i++) {
		const char *slash = strchr(tabs[i].name, '/');

		if (strcmp(name, tabs[i].name) == 0) {
			*out = tabs[i].name;
			return BS_OK;
		}
		if (slash != NULL && strcmp(name, slash + 1) == 0) {
			if (hit == NULL)
				hit = tabs[i].name;
			else
				second = tabs[i].name;
		}
	}
	if (hit != NULL && second == NULL) {
		*out = hit;
		return BS_OK;
	}
	if (hit != NULL)
		return bs_error_set(err, BS_ECONFLICT, "tab '%s' is ambiguous: say %s or %s", name,
		                    hit, second);
	return bs_error_set(err, BS_ENOTFOUND,
	                    "no tab '%s'; tabs are sales/{customers,invoices,credit-notes,"
	                    "payments}, purchases/{suppliers,supplier-invoices,purchase-orders,"
	                    "supplier-credits,payments}, adjustments/{adjustments,cogs}, "
	                    "retail/{gift-vouchers,store-credits}, other/{products,money-tasks,"
	                    "journals}",
	                    name);
}

bool tabs_holds(const char *tab, const char *record_tab)
{
	size_t n = strlen(tab);

	return strncmp(record_tab, tab, n) == 0 && (record_tab[n] == '\0' || record_tab[n] == '/');
}
