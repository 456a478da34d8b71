/*
 * oauth_int.h - what the two halves of the Xero OAuth client share:
 * oauth.c (the token endpoint and the tenant list) and oauth_code.c (the
 * authorization code).  Not a public contract: only those files include it.
 */
#ifndef BS_LEDGER_XERO_OAUTH_INT_H
#define BS_LEDGER_XERO_OAUTH_INT_H

#include <stddef.h>

/* How long one call to the identity server may take, in ms. */
#define XERO_OAUTH_TIMEOUT_MS 30000L

/*
 * Copy at most 64 printable ASCII characters of server text `s` (NULL:
 * none) into out[outlen], others as '?', always NUL-terminated: text from
 * the server is made safe this way before it enters a message.
 */
void xero_oauth_sanitise(const char *s, char *out, size_t outlen);

#endif
