/*
 * registry.c - the connectors booksync has, by name (see ledger.h).  A new
 * ledger adds its ops here and nowhere else in the engine.
 */
#include "ledger/ledger.h"
#include "ledger/qbo/qbo.h"
#include "ledger/xero/xero.h"

#include <string.h>

static const struct ledger_ops *const connectors[] = {
    &xero_ledger,
    &qbo_ledger,
};

const struct ledger_ops *ledger_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(connectors) / sizeof(connectors[0]); i++) {
		if (strcmp(connectors[i]->name, name) == 0)
			return connectors[i];
	}
	return NULL;
}

const struct ledger_ops *ledger_nth(size_t i)
{
	return i < sizeof(connectors) / sizeof(connectors[0]) ? connectors[i] : NULL;
}

const struct ledger_ops *ledger_for_target(const char *target)
{
	const char *colon = target != NULL ? strchr(target, ':') : NULL;
	char name[32];

	if (colon == NULL || (size_t)(colon - target) >= sizeof(name))
		return NULL;
	memcpy(name, target, (size_t)(colon - target));
	name[colon - target] = '\0';
	return ledger_find(name);
}
