/*
 * idset.h - the record ids one CSV input has had so far (internal to
 * src/ingest; the module's contract is source.h).
 *
 * A record read from `lines.*` rows is the run of consecutive rows with its
 * id.  The reader streams, so when the same id comes back after other rows
 * its first run is already handed on; this set is how it notices, and it
 * keeps the line each id's rows began on so the refusal can name both.
 *
 * Memory: an id is kept as a 64-bit keyed hash (SipHash-2-4 from
 * libsodium, key drawn at random per set, so no input can aim collisions)
 * and a 32-bit line, 12 bytes an id in arrays kept in the order added,
 * plus a 4-byte slot in an index kept at most 3/4 full: 17 to 23 bytes per
 * id, about 20 MiB for a million ids, and growing never holds two copies
 * of the ids.  Two different ids share a hash with odds of about
 * n^2 / 2^65 (1 in 3e7 for a million ids); such an id would be refused as
 * a repeat.  At most 2^32 - 2 ids (BS_ENOMEM beyond).
 */
#ifndef BS_INGEST_IDSET_H
#define BS_INGEST_IDSET_H

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

struct idset; /* opaque */

/* A new empty set into *out (the caller frees it with idset_free).
 * BS_ENOMEM. */
int idset_new(struct idset **out);

/*
 * Add id[0..n), whose rows begin at `line`.  Returns 0 when it was new;
 * 1 when it was there already, with *first = the line given when it was
 * added (0 when that line was past 2^32 - 2, which the set does not keep);
 * BS_ENOMEM when the table cannot grow (the set is unchanged).
 */
int idset_add(struct idset *s, const char *id, size_t n, uint64_t line, uint64_t *first);

/* Bytes the set holds (for tests and measurements). */
size_t idset_bytes(const struct idset *s);

/* Free the set (NULL is a no-op). */
void idset_free(struct idset *s);

#endif
