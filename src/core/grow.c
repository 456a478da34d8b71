/*
 * grow.c - the doubling step shared by booksync's growable arrays (grow.h).
 */
#include "core/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

int grow_array(void *itemsp, size_t *cap, size_t n, size_t first, size_t size)
{
	size_t ncap;
	void *old, *grown;

	if (n < *cap)
		return BS_OK;
	if (size == 0)
		return BS_EINVAL;
	if (*cap == 0)
		ncap = first ? first : 1;
	else if (*cap > SIZE_MAX / 2)
		return BS_ENOMEM;
	else
		ncap = *cap * 2;
	if (ncap > SIZE_MAX / size)
		return BS_ENOMEM;
	/* itemsp is a T **: copy the pointer out and back rather than cast it
	 * to void **, which would alias it through the wrong type */
	memcpy(&old, itemsp, sizeof(old));
	grown = realloc(old, ncap * size);
	if (grown == NULL)
		return BS_ENOMEM;
	memcpy(itemsp, &grown, sizeof(grown));
	*cap = ncap;
	// cppcheck-suppress memleak ; grown is stored through itemsp, which the caller owns
	return BS_OK;
}
