/*
 * idset.c - the record ids one CSV input has had so far (see idset.h).
 *
 * The ids' hashes and lines sit in two arrays in the order they were
 * added; an open-addressing index (linear probing) of 32-bit entry numbers
 * finds them.  Hashes are uniformly spread, so a hash's low bits are its
 * home slot.  Growing the arrays is a realloc (large blocks are remapped,
 * not copied) and growing the index rebuilds it from the arrays, so the
 * peak is the set's own size plus one old index, not two copies of it.
 */
#include "ingest/idset.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_INITIAL 1024             /* index slots to start with: 4 KiB */
#define LINE_UNKNOWN  UINT32_MAX       /* a line past what 32 bits keep */
#define ENTRIES_MAX   (UINT32_MAX - 1) /* index slots hold entry + 1 */

struct idset {
	uint64_t *hashes; /* by entry, in the order added */
	uint32_t *lines;  /* by entry */
	size_t n, ncap;   /* entries, and room for them */
	uint32_t *index;  /* by slot: 0 empty, else entry + 1 */
	size_t cap;       /* slots, a power of two */
	unsigned char key[crypto_shorthash_KEYBYTES];
};

static uint64_t hash_id(const struct idset *s, const char *id, size_t n)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, (const unsigned char *)id, n, s->key);
	memcpy(&h, out, sizeof(h));
	return h;
}

/* The slot of the entry with hash h, or the empty slot where it belongs. */
static size_t find_slot(const struct idset *s, const uint32_t *index, size_t cap, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (index[i] != 0 && s->hashes[index[i] - 1] != h)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Room for one more entry in the arrays. */
static int reserve(struct idset *s)
{
	size_t ncap = s->ncap + s->ncap / 2;
	uint64_t *h;
	uint32_t *l;

	if (s->n < s->ncap)
		return BS_OK;
	if (ncap > ENTRIES_MAX)
		ncap = ENTRIES_MAX;
	if (s->n >= ncap)
		return BS_ENOMEM;
	if ((h = realloc(s->hashes, ncap * sizeof(*h))) == NULL)
		return BS_ENOMEM;
	s->hashes = h;
	if ((l = realloc(s->lines, ncap * sizeof(*l))) == NULL)
		return BS_ENOMEM; /* the hashes' extra room stays, unused */
	s->lines = l;
	s->ncap = ncap;
	return BS_OK;
}

/* An index of twice the slots, rebuilt from the arrays. */
static int grow_index(struct idset *s)
{
	size_t cap = s->cap * 2;
	uint32_t *index = calloc(cap, sizeof(*index));

	if (index == NULL)
		return BS_ENOMEM;
	for (size_t e = 0; e < s->n; e++)
		index[find_slot(s, index, cap, s->hashes[e])] = (uint32_t)(e + 1);
	free(s->index);
	s->index = index;
	s->cap = cap;
	return BS_OK;
}

int idset_new(struct idset **out)
{
	struct idset *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL)
		return BS_ENOMEM;
	s->cap = INDEX_INITIAL;
	s->ncap = INDEX_INITIAL * 3 / 4;
	s->index = calloc(s->cap, sizeof(*s->index));
	s->hashes = malloc(s->ncap * sizeof(*s->hashes));
	s->lines = malloc(s->ncap * sizeof(*s->lines));
	if (s->index == NULL || s->hashes == NULL || s->lines == NULL) {
		idset_free(s);
		return BS_ENOMEM;
	}
	/* A fresh key per set: which ids collide cannot be known in advance. */
	randombytes_buf(s->key, sizeof(s->key));
	*out = s;
	return BS_OK;
}

int idset_add(struct idset *s, const char *id, size_t n, uint64_t line, uint64_t *first)
{
	uint64_t h = hash_id(s, id, n);
	size_t i = find_slot(s, s->index, s->cap, h);
	int rc;

	if (s->index[i] != 0) {
		uint32_t l = s->lines[s->index[i] - 1];

		*first = l == LINE_UNKNOWN ? 0 : l;
		return 1;
	}
	if ((rc = reserve(s)) != BS_OK)
		return rc;
	if ((s->n + 1) * 4 > s->cap * 3) {
		if ((rc = grow_index(s)) != BS_OK)
			return rc;
		i = find_slot(s, s->index, s->cap, h);
	}
	s->hashes[s->n] = h;
	s->lines[s->n] = line < LINE_UNKNOWN ? (uint32_t)line : LINE_UNKNOWN;
	s->index[i] = (uint32_t)(s->n + 1);
	s->n++;
	return 0;
}

size_t idset_bytes(const struct idset *s)
{
	return sizeof(*s) + s->ncap * (sizeof(*s->hashes) + sizeof(*s->lines)) +
	       s->cap * sizeof(*s->index);
}

void idset_free(struct idset *s)
{
	if (s == NULL)
		return;
	free(s->hashes);
	free(s->lines);
	free(s->index);
	free(s);
}
