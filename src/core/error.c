/*
 * error.c - status strings and the bs_error helpers.
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *bs_strerror(int status)
{
	switch (status) {
	case BS_OK:
		return "ok";
	case BS_ENOMEM:
		return "out of memory";
	case BS_EINVAL:
		return "invalid value";
	case BS_ERANGE:
		return "value out of range";
	case BS_EPARSE:
		return "malformed input";
	case BS_EDIGITS:
		return "too many decimal places";
	case BS_ETOOBIG:
		return "over the size limit";
	case BS_EIO:
		return "input/output error";
	case BS_ENOTFOUND:
		return "not found";
	case BS_ESTORE:
		return "store error";
	case BS_EREADONLY:
		return "store is read-only";
	case BS_EBUSY:
		return "busy or locked";
	case BS_ECONFLICT:
		return "conflicting content";
	case BS_ESTALE:
		return "stale version";
	case BS_ENET:
		return "network error";
	case BS_EAUTH:
		return "not authorised";
	case BS_EPROTO:
		return "unexpected answer from peer";
	case BS_ELIMIT:
		return "rate limited";
	case BS_EUNSUPPORTED:
		return "not supported";
	case BS_ESTATE:
		return "not allowed in the current state";
	case BS_EINTERNAL:
		return "internal error";
	default:
		return "unknown error";
	}
}

void bs_error_clear(struct bs_error *e)
{
	if (e == NULL)
		return;
	e->code = BS_OK;
	e->msg[0] = '\0';
}

int bs_error_set(struct bs_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int bs_error_prefix(struct bs_error *e, const char *fmt, ...)
{
	char head[BS_ERROR_MSG_MAX];
	char old[BS_ERROR_MSG_MAX];
	size_t hl, ol;
	va_list ap;

	if (e == NULL)
		return BS_OK;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	/* head + old message, cut to fit: the end of a long message matters least. */
	memcpy(old, e->msg, sizeof(old));
	hl = strlen(head);
	ol = strnlen(old, sizeof(old) - 1);
	if (ol > sizeof(e->msg) - 1 - hl)
		ol = sizeof(e->msg) - 1 - hl;
	memcpy(e->msg, head, hl);
	memcpy(e->msg + hl, old, ol);
	e->msg[hl + ol] = '\0';
	return e->code;
}
