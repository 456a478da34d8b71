/*
 * error.h - status codes and the caller-supplied error struct.
 *
 * Every fallible function in booksync returns an int: BS_OK (0) on success,
 * or one of the negative codes below.  Results go to out-parameters.  A
 * function that can say more than its code takes a `struct bs_error *` and
 * writes a human message there (never to stderr).  The pointer may be NULL
 * when the caller does not want the message.
 */
#ifndef BS_CORE_ERROR_H
#define BS_CORE_ERROR_H

#include <stddef.h>

enum bs_status {
	BS_OK = 0,
	BS_ENOMEM = -1,        /* out of memory */
	BS_EINVAL = -2,        /* invalid argument or invalid field */
	BS_ERANGE = -3,        /* value out of range, arithmetic overflow */
	BS_EPARSE = -4,        /* malformed input (not JSON, not a decimal, ...) */
	BS_EDIGITS = -5,       /* more decimal places than allowed */
	BS_ETOOBIG = -6,       /* over a size limit (line, body, field length) */
	BS_EIO = -7,           /* read or write failed */
	BS_ENOTFOUND = -8,     /* no such thing */
	BS_ESTORE = -9,        /* store failed (corrupt, schema, constraint) */
	BS_EREADONLY = -10,    /* store or file is read-only */
	BS_EBUSY = -11,        /* store locked, or resource busy */
	BS_ECONFLICT = -12,    /* same identity, incompatible content */
	BS_ESTALE = -13,       /* older than what is stored */
	BS_ENET = -14,         /* network: unreachable, timeout, connection lost */
	BS_EAUTH = -15,        /* not authorised, token invalid or expired */
	BS_EPROTO = -16,       /* the peer answered something we cannot use */
	BS_ELIMIT = -17,       /* rate limited */
	BS_EUNSUPPORTED = -18, /* not supported (unknown kind, format, ...) */
	BS_ESTATE = -19,       /* operation not allowed in the current state */
	BS_EINTERNAL = -20,    /* a bug: an invariant did not hold */
};

/* A static, human description of a status code ("out of memory"). */
const char *bs_strerror(int status);

#define BS_ERROR_MSG_MAX 512

/* A detailed error: the code plus a message naming what and where. */
struct bs_error {
	int code;
	char msg[BS_ERROR_MSG_MAX];
};

/* Clear to BS_OK and an empty message.  `e` may be NULL. */
void bs_error_clear(struct bs_error *e);

/*
 * Record `code` and a printf-style message in `e` (may be NULL) and return
 * `code`, so a failure path reads `return bs_error_set(err, BS_EINVAL, ...)`.
 * Messages longer than BS_ERROR_MSG_MAX - 1 are truncated.
 */
int bs_error_set(struct bs_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Prepend context to an existing message: "sale SO-1: " + "qty is ...".
 * Keeps the code.  Returns e->code (BS_OK when e is NULL).
 */
int bs_error_prefix(struct bs_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
