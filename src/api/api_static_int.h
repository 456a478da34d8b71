/*
 * api_static_int.h - the dashboard's files, embedded into the binary at
 * build time (cmake/embed_web.cmake writes the table from web/), and the
 * one function that serves them (api_static.c).
 */
#ifndef BS_API_API_STATIC_INT_H
#define BS_API_API_STATIC_INT_H

#include "http/server.h"

#include <stddef.h>

struct api_static_file {
	const char *path;          /* relative to web/: "index.html", "js/app.js" */
	const unsigned char *data; /* len bytes, then a NUL */
	size_t len;
	const char *etag; /* "\"<16 hex digits of SHA-256>\"" */
};

/* Every embedded file, sorted by path, ended by a row with path == NULL. */
extern const struct api_static_file api_static_files[];

/* The embedded file at `path` ("index.html"), or NULL. */
const struct api_static_file *api_static_find(const char *path);

/*
 * Answer a request outside /api/ from the embedded set: "/" is index.html,
 * "/<path>" the file at path; anything else 404 (nothing is read from the
 * file system, so there is nothing to traverse to).  GET and HEAD only
 * (405 otherwise).  ETag / If-None-Match give 304.
 */
void api_static_serve(const struct http_req *req, struct http_resp *resp);

#endif
