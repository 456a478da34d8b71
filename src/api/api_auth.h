/*
 * api_auth.h - the credentials of `booksync serve` as the CLI makes them:
 * users with a password (`booksync user add`) and API tokens (`booksync
 * token add`).  How requests prove who they are is api_auth.c's business
 * (api_core_int.h); docs/serve.md says how it all works.
 */
#ifndef BS_API_API_AUTH_H
#define BS_API_API_AUTH_H

#include "core/buf.h"
#include "core/error.h"

#include <stdint.h>

struct store;

#define API_PASSWORD_MIN 8    /* characters (bytes) */
#define API_PASSWORD_MAX 1024 /* a bound on what the hash is asked to chew */

/*
 * Add user `name` with `password`, stored as its crypto_pwhash_str
 * (Argon2id, libsodium's interactive limits).  BS_EINVAL for a bad name or
 * a password shorter than API_PASSWORD_MIN or longer than
 * API_PASSWORD_MAX; BS_ECONFLICT when the user exists; BS_ENOMEM when the
 * hash cannot get its memory.
 */
int api_user_add(struct store *st, const char *name, const char *password, int64_t now_ms,
                 struct bs_error *err);

/*
 * Make API token `name` with `scopes` (enum api_scope bits): its text
 * ("bst_" and 43 URL-safe characters, 256 random bits) goes to *token for
 * the caller to show once; only its SHA-256 is stored.  BS_EINVAL,
 * BS_ECONFLICT as store_token_add.
 */
int api_token_create(struct store *st, const char *name, unsigned scopes, int64_t now_ms,
                     struct buf *token, struct bs_error *err);

/* "read,sync" -> bits.  BS_EINVAL naming an unknown scope or an empty list. */
int api_scopes_parse(const char *list, unsigned *scopes, struct bs_error *err);

/* Bits -> "records:write,read" (in the fixed order of enum api_scope). */
int api_scopes_format(unsigned scopes, struct buf *out);

#endif
