/*
 * tzif.h - the UTC offset of an IANA time zone at an instant, read from
 * the system's zone files (TZif, RFC 8536) without touching TZ.
 *
 * The C library answers this through localtime_r after setenv("TZ"),
 * which changes the whole process: fine in a command, wrong in `booksync
 * serve`, whose other threads read the environment and the zone at the
 * same time.  This reader has no state: it opens the zone's file, finds
 * the transition in force, and closes it.
 */
#ifndef BS_CORE_TZIF_H
#define BS_CORE_TZIF_H

#include <stddef.h>
#include <stdint.h>

/*
 * The offset east of UTC, in minutes, of zone ("Pacific/Auckland") at
 * now_ms (Unix ms) into *minutes, read from $TZDIR or /usr/share/zoneinfo.
 * BS_EINVAL a name that is not Area/City-like (no "..", no leading '/');
 * BS_ENOTFOUND no such zone file; BS_EPARSE a file that is not TZif;
 * BS_EUNSUPPORTED an instant after the file's last transition in a zone
 * whose rule then still changes (a "slim" file's footer: not read here).
 */
int tzif_offset(const char *zone, int64_t now_ms, int *minutes);

/* The same over a TZif file's bytes (pure; for tests). */
int tzif_offset_data(const unsigned char *p, size_t n, int64_t now_ms, int *minutes);

#endif
