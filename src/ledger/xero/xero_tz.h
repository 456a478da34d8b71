/*
 * xero_tz.h - Xero's organisation time zones (Organisation.Timezone, a
 * Windows zone name written in capitals without spaces, e.g.
 * "NEWZEALANDSTANDARDTIME") as IANA zone names ("Pacific/Auckland"),
 * so "today" can be the organisation's (docs/consolidation.md "Today").
 */
#ifndef BS_LEDGER_XERO_XERO_TZ_H
#define BS_LEDGER_XERO_XERO_TZ_H

#include <stddef.h>

/*
 * The IANA zone of a Xero Timezone value (case-insensitive), each the
 * zone CLDR's Windows mapping names for the whole world ("001"); NULL for
 * a value Xero's list does not have.  The string is static.
 */
const char *xero_tz_iana(const char *xero);

/* The i-th entry of the table (i < xero_tz_count()): its Xero value and zone. */
size_t xero_tz_count(void);
void xero_tz_nth(size_t i, const char **xero, const char **iana);

#endif
