/*
 * civil.h - dates and times as the ledgers write them, in and out of
 * milliseconds since 1970-01-01 UTC, without the C library's time zone.
 *
 * Xero writes "/Date(1556236800000+0000)/" and ISO 8601 with or without a
 * time, fraction and offset; QBO writes ISO 8601 with an offset.  The
 * connectors read them, the sandboxes read and write them, and
 * consolidation names its periods by civil date.  gmtime/timegm would do,
 * but timegm is not POSIX and both go through the process's TZ, which
 * `booksync serve`'s threads share; these are pure arithmetic (Howard
 * Hinnant's days-from-civil algorithms), proleptic Gregorian, any year.
 */
#ifndef BS_CORE_CIVIL_H
#define BS_CORE_CIVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days from 1970-01-01 to y-m-d (m 1..12, d 1..31; not checked against
 * the month's length: 2019-02-30 is 2019-03-02). */
int64_t civil_days(int64_t y, int m, int d);

/* The civil date `days` days from 1970-01-01 (negative: before). */
void civil_date(int64_t days, int64_t *y, int *m, int *d);

/* "/Date(ms[+-hhmm])/" or "YYYY-MM-DD[(T| )HH:MM:SS[.fff…][Z|+-hh:mm]]"
 * into *ms (UTC; an offset is applied, a time without one is UTC).
 * BS_EPARSE for anything else or a field out of range (month 13, hour 24);
 * *ms is untouched then.  NULL is BS_EPARSE. */
int civil_parse(const char *s, int64_t *ms);

/* ms as "YYYY-MM-DDTHH:MM:SS" (UTC), with ".fff" when `frac`, into out
 * (cap bytes, NUL-terminated, truncated if short; 24 always suffice for
 * years 0-9999). */
void civil_format(int64_t ms, bool frac, char *out, size_t cap);

#endif
