/*
 * onboard.h - what `connect` learns from the organisation.
 *
 * Reads the organisation (base currency, lock dates), its chart of
 * accounts and tax rates -- kept in the store for the planner -- and its
 * contacts and items, linking the store's customers, suppliers and
 * products that already exist there (contacts by name, case-insensitive;
 * items by code) so connecting never creates copies.
 */
#ifndef BS_SYNC_ONBOARD_H
#define BS_SYNC_ONBOARD_H

#include "core/error.h"
#include "sync/session.h"

#include <stdint.h>

struct onboard_stats {
	char org_name[256];
	char base_currency[4];
	char lock_date[11];
	size_t accounts, tax_rates, tracking, contacts_seen, items_seen;
	size_t contacts_linked, items_linked;
	char gift_account[16]; /* a liability account with payments enabled, or "" */
	uint64_t calls;
};

int onboard_run(struct session *s, struct onboard_stats *stats, struct bs_error *err);

#endif
