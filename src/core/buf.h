/*
 * buf.h - a growable, bounded, always NUL-terminated byte buffer.
 *
 * The one way booksync builds strings (after curl's dynbuf): every append is
 * bounds-checked against `max`, so an attacker-sized input fails with
 * BS_ETOOBIG instead of eating memory.  A zeroed struct buf is not valid:
 * call buf_init first.  The struct is public so it can live on the stack or
 * inside another struct; treat its fields as read-only outside buf.c.
 *
 * Ownership: the buffer owns `ptr`; buf_free releases it, buf_take hands it
 * to the caller (who then frees it with free()).
 */
#ifndef BS_CORE_BUF_H
#define BS_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_MAX_DEFAULT ((size_t)64 << 20) /* 64 MiB */

struct buf {
	char *ptr;  /* NULL until the first append; buf_cstr never returns NULL */
	size_t len; /* bytes used, excluding the terminating NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* largest len allowed */
};

/* Empty buffer that may grow to `max` bytes (0 means BUF_MAX_DEFAULT). */
void buf_init(struct buf *b, size_t max);

/* Release the memory; the buffer is empty and usable again afterwards. */
void buf_free(struct buf *b);

/* Make the content empty, keeping the allocation for reuse. */
void buf_reset(struct buf *b);

/* Shorten to `len` bytes (no-op when len >= b->len). */
void buf_truncate(struct buf *b, size_t len);

/* Append bytes.  BS_ETOOBIG past max, BS_ENOMEM; on error b is unchanged. */
int buf_add(struct buf *b, const void *p, size_t n);

/*
 * Copy the C string src into the array dst[cap] (cap > 0), cut to cap - 1
 * bytes and always terminated: snprintf(dst, cap, "%s", src) without the
 * format machinery, for the copies on hot paths.  A NULL src (a column's
 * SQL NULL) is "".  Returns strlen(src), so a result >= cap says it was
 * cut.
 */
size_t buf_copy(char *dst, size_t cap, const char *src);

/*
 * Append n bytes for the caller to write: *at points at them (valid until
 * the next change to b), and the NUL after them is in place.  For writers
 * that know a piece's length and fill it in one pass.  Errors as buf_add.
 */
int buf_extend(struct buf *b, size_t n, char **at);
/* The value of the hex digit c (either case), or -1 if c is not one. */
int buf_hexval(int c);

int buf_addstr(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The content as a C string ("" when empty).  Valid until the next change. */
const char *buf_cstr(const struct buf *b);

/*
 * Detach the content: returns a malloc'd NUL-terminated string the caller
 * must free(), or NULL when out of memory.  The buffer is left empty.
 */
char *buf_take(struct buf *b);

#endif
