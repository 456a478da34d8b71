/*
 * buf.c - growable bounded buffer (see buf.h).
 *
 * Growth doubles the capacity so appends are amortised O(1); the cap is
 * clamped to max + 1 so the terminating NUL always fits.
 */
#include "core/buf.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_MAX_DEFAULT;
}

void buf_free(struct buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->ptr != NULL)
		b->ptr[0] = '\0';
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

static int buf_reserve(struct buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return BS_ETOOBIG;
	need = b->len + n + 1;
	if (need <= b->cap)
		return BS_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->ptr, cap);
	if (p == NULL)
		return BS_ENOMEM;
	b->ptr = p;
	b->cap = cap;
	return BS_OK;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc != BS_OK)
		return rc;
	if (n > 0)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return BS_OK;
}

size_t buf_copy(char *dst, size_t cap, const char *src)
{
	size_t n, m;

	if (src == NULL)
		src = "";
	n = strlen(src);
	m = n < cap ? n : cap - 1;
	memmove(dst, src, m);
	dst[m] = '\0';
	return n;
}

int buf_extend(struct buf *b, size_t n, char **at)
{
	int rc = buf_reserve(b, n);

	if (rc != BS_OK)
		return rc;
	*at = b->ptr + b->len;
	b->len += n;
	b->ptr[b->len] = '\0';
	return BS_OK;
}

int buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return BS_EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc != BS_OK)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return BS_OK;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *buf_cstr(const struct buf *b)
{
	return b->ptr != NULL ? b->ptr : "";
}

char *buf_take(struct buf *b)
{
	char *p = b->ptr;

	if (p == NULL)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int buf_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
