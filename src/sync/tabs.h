/*
 * tabs.h - the dashboard's tabs (docs/states-and-tabs.md "Tabs").
 *
 * A tab is "group/name" ("sales/invoices").  Users may name a tab by its
 * last part where that is unique ("invoices"), or a whole group ("sales").
 * Sync All is the five tabs of docs/states-and-tabs.md.  Static data, pure functions.
 */
#ifndef BS_SYNC_TABS_H
#define BS_SYNC_TABS_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

struct tabs_def {
	const char *name;  /* "sales/invoices" */
	const char *label; /* "Sales > Invoices" */
	bool sync_all;     /* one of Sync All's five tabs */
};

/* Every tab in dependency and display order; *n receives the count. */
const struct tabs_def *tabs_all(size_t *n);

/*
 * Resolve what a user typed: a full tab name, a unique last part, or a
 * group ("sales").  *out is the full tab or group name (static).
 * BS_ENOTFOUND (message lists the tabs) or BS_ECONFLICT for an ambiguous
 * last part ("payments": sales/payments or purchases/payments).
 */
int tabs_resolve(const char *name, const char **out, struct bs_error *err);

/*
 * Whether a record on tab `record_tab` ("sales/customers") is on `tab`, a
 * full tab name or a group as tabs_resolve gives it ("sales/invoices": no;
 * "sales": yes).
 */
bool tabs_holds(const char *tab, const char *record_tab);

#endif
