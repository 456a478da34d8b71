/*
 * api_auth_int.h - the handlers of the session, users and health endpoints (see api_int.h for the
 * handler contract and api_routes.c for their paths).
 */
#ifndef BS_API_API_AUTH_INT_H
#define BS_API_API_AUTH_INT_H

#include "api/api_int.h"

/* Handlers are added here, one declaration each, as they are written. */

#endif
