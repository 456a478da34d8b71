/*
 * settings.h - the catalogue of settings: names, defaults, what is valid.
 *
 * Settings live in the store (key/value text); this table says which keys
 * exist, what each means, its default, and how a value is checked, so
 * `booksync settings`, the REST API and the sync engine agree.  Static
 * const data and pure functions.
 */
#ifndef BS_STORE_SETTINGS_H
#define BS_STORE_SETTINGS_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct buf;

struct settings_def {
	const char *key;
	const char *def; /* default value, "" = none */
	const char *help;
	/* Check `value`; BS_EINVAL with a message naming what is allowed. */
	int (*check)(const struct settings_def *d, const char *value, struct bs_error *err);
	const char *choices; /* for enumerations: "a|b|c", else NULL */
};

/* All settings, in display order; *n receives the count. */
const struct settings_def *settings_all(size_t *n);

/* The definition of `key`, or NULL. */
const struct settings_def *settings_find(const char *key);

/* Validate `value` for `key`; BS_ENOTFOUND for an unknown key (the message
 * lists the nearest known keys). */
int settings_check(const char *key, const char *value, struct bs_error *err);

/* Whether `d` is a family (its key holds a '*': tax.sales.*,
 * consolidation.channel.*.cogs). */
bool settings_is_family(const struct settings_def *d);

/*
 * settings_check, then what one key cannot say alone: a channel's payment
 * consolidation period may not be longer than its invoices' (for the '*'
 * default, of every channel that relies on it), read from `st`'s other
 * settings as they would be with `key` set to `value`.
 */
int settings_check_with(struct store *st, const char *key, const char *value, struct bs_error *err);

/*
 * The effective value of `key`: the stored one, else the default.  `out` is
 * reset first.  Unknown keys: BS_ENOTFOUND.
 */
int settings_get(struct store *st, const char *key, struct buf *out, struct bs_error *err);

/*
 * The effective value of a minutes setting (schedule.sync_minutes,
 * inbound.every_minutes) as a number; 0 when off, unreadable or invalid.
 */
int64_t settings_minutes(struct store *st, const char *key);

/*
 * How long one minute of those settings lasts, in milliseconds: 60,000, or
 * in tests $BOOKSYNC_SCHEDULE_UNIT_MS (docs/serve.md) when it is a whole
 * number.
 */
int64_t settings_minute_ms(void);

#endif
