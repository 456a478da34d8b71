/*
 * grow.h - room for one more element in a heap array that grows by doubling.
 *
 * Lists across booksync (planner candidates, blocked operations, pending
 * requests, sandbox collections, ...) keep `items`, `n` and `cap` and double
 * `cap` when full.  grow_array is that one step, with the size overflow
 * check every hand-written copy would need.
 *
 * Ownership: the caller owns the array before and after; on failure it is
 * left exactly as it was (still to be freed by the caller).
 */
#ifndef BS_CORE_GROW_H
#define BS_CORE_GROW_H

#include <stddef.h>

/*
 * Make sure the array at *itemsp (a `T **`, passed as void *) has room for
 * element `n`: when n < *cap nothing happens; otherwise the array is
 * reallocated to twice *cap elements of `size` bytes (`first` when *cap is 0)
 * and *itemsp and *cap are updated.  BS_OK; BS_ENOMEM when the allocation
 * fails or the new size would overflow size_t; BS_EINVAL when `size` is 0.
 * On error *itemsp and *cap are unchanged.
 */
int grow_array(void *itemsp, size_t *cap, size_t n, size_t first, size_t size);

#endif
