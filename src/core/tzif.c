/*
 * tzif.c - a zone's UTC offset from its TZif file (see tzif.h).
 *
 * RFC 8536: a header ("TZif", version, six counts), then transition times,
 * the local time type of each, and the types (UTC offset, DST flag, name).
 * Version 2 and later files repeat the data with 64-bit times after the
 * first block, then a footer with a POSIX TZ rule for instants after the
 * last transition.  Only the times and types are used; the 64-bit block
 * when there is one.
 */
#include "core/tzif.h"

#include "core/error.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZIF_HDR  44
#define TZIF_MAX  (1u << 20) /* zone files are a few KiB */
#define ZONE_ROOT "/usr/share/zoneinfo"

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct counts {
	uint32_t isut, isstd, leap, time, type, chr;
};

/* The counts of the header at p (n bytes left); false when it is not one. */
static bool header(const unsigned char *p, size_t n, struct counts *c)
{
	if (n < TZIF_HDR || memcmp(p, "TZif", 4) != 0)
		return false;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chr = be32(p + 40);
	/* counts bounded by the file's size, so the sums below cannot wrap */
	return c->isut <= n && c->isstd <= n && c->leap <= n && c->time <= n && c->type <= n &&
	       c->chr <= n && c->type > 0;
}

/* The size of a data block with tsize-byte times. */
static size_t block(const struct counts *c, size_t tsize)
{
	return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 + c->chr +
	       (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

int tzif_offset_data(const unsigned char *p, size_t n, int64_t now_ms, int *minutes)
{
	struct counts c;
	size_t tsize = 4, size, k;
	const unsigned char *times, *idx, *types, *end;
	int64_t t = now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000);
	uint32_t type = 0;
	bool after_last = false;

	if (!header(p, n, &c))
		return BS_EPARSE;
	size = block(&c, 4);
	if (p[4] >= '2') {
		/* the 64-bit block, after the first */
		if (TZIF_HDR + size > n || !header(p + TZIF_HDR + size, n - TZIF_HDR - size, &c))
			return BS_EPARSE;
		p += TZIF_HDR + size;
		n -= TZIF_HDR + size;
		tsize = 8;
		size = block(&c, 8);
	}
	if (TZIF_HDR + size > n)
		return BS_EPARSE;
	times = p + TZIF_HDR;
	idx = times + (size_t)c.time * tsize;
	types = idx + c.time;
	end = p + TZIF_HDR + size;
	/* the last transition at or before t; none: type 0 (RFC 8536 3.2) */
	for (k = c.time; k > 0; k--) {
		int64_t at =
		    tsize == 8 ? be64(times + (k - 1) * 8) : (int32_t)be32(times + (k - 1) * 4);

		if (at <= t)
			break;
	}
	if (k > 0) {
		type = idx[k - 1];
		after_last = k == c.time;
	}
	if (type >= c.type)
		return BS_EPARSE;
	/* past the last transition, the footer's rule governs: when it has a
	 * daylight-saving part ("EST5EDT,M3.2.0,M11.1.0") the last type may
	 * be the wrong half of the year */
	if (after_last && tsize == 8 && end < p + n && memchr(end, ',', (size_t)(p + n - end)))
		return BS_EUNSUPPORTED;
	*minutes = (int)((int32_t)be32(types + (size_t)type * 6) / 60);
	return BS_OK;
}

int tzif_offset(const char *zone, int64_t now_ms, int *minutes)
{
	const char *root = getenv("TZDIR");
	unsigned char *data = NULL;
	char path[512];
	size_t n;
	FILE *f = NULL;
	int rc;

	if (zone == NULL || zone[0] == '\0' || zone[0] == '/' || strstr(zone, "..") != NULL ||
	    strlen(zone) > 64 ||
	    strspn(zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") !=
	        strlen(zone))
		return BS_EINVAL;
	if (root == NULL || root[0] == '\0')
		root = ZONE_ROOT;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, zone) >= sizeof(path))
		return BS_EINVAL;
	f = fopen(path, "rb");
	if (f == NULL)
		return BS_ENOTFOUND;
	data = malloc(TZIF_MAX);
	if (data == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	n = fread(data, 1, TZIF_MAX, f);
	rc = ferror(f) ? BS_EIO : tzif_offset_data(data, n, now_ms, minutes);
out:
	free(data);
	fclose(f);
	return rc;
}
