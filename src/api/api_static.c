/*
 * api_static.c - the dashboard's files from the embedded set (see
 * api_static_int.h).  The request path is only ever compared with the
 * names in the table: "..", encoded slashes and the like cannot reach
 * anything else, because there is nothing else.  Names that are not
 * plain (a dot-segment, an empty segment, a backslash) are refused before
 * the lookup, so the rule does not hang on the table's contents.
 */
#include "api/api_int.h"
#include "api/api_static_int.h"

#include <string.h>

static const struct {
	const char *ext;
	const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
    {".webmanifest", "application/manifest+json"},
    {".yaml", "application/yaml"},
};

static const char *type_of(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);

		if (n > e && strcmp(path + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

/* A plain relative name: segments of [A-Za-z0-9._-], none empty or
 * starting with a dot (so no "..", no hidden file). */
static bool plain_name(const char *p)
{
	bool seg_start = true;

	if (*p == '\0')
		return false;
	for (; *p; p++) {
		char c = *p;

		if (c == '/') {
			if (seg_start)
				return false;
			seg_start = true;
			continue;
		}
		if (seg_start && c == '.')
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
		seg_start = false;
	}
	return !seg_start;
}

const struct api_static_file *api_static_find(const char *path)
{
	if (!plain_name(path))
		return NULL;
	for (const struct api_static_file *f = api_static_files; f->path != NULL; f++)
		if (strcmp(f->path, path) == 0)
			return f;
	return NULL;
}

static bool encoded_sep(const char *raw)
{
	for (const char *p = raw; p != NULL && (p = strchr(p, '%')) != NULL; p++)
		if (p[1] == '2' && (p[2] == 'f' || p[2] == 'F'))
			return true;
		else if (p[1] == '5' && (p[2] == 'c' || p[2] == 'C'))
			return true;
	return false;
}

void api_static_serve(const struct http_req *req, struct http_resp *resp)
{
	const struct api_static_file *f = NULL;
	const char *inm;

	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		http_resp_header(resp, "Allow", "GET, HEAD");
		api_error(resp, 405, NULL, "the dashboard's files are read with GET");
		return;
	}
	/* an encoded slash or backslash never comes from a link: refuse it
	 * rather than let decoding make a name out of it */
	if (req->path[0] == '/' && !encoded_sep(req->raw_path))
		f = api_static_find(strcmp(req->path, "/") == 0 ? "index.html" : req->path + 1);
	if (f == NULL) {
		api_error(resp, 404, NULL, "no such file");
		return;
	}
	http_resp_header(resp, "ETag", f->etag);
	http_resp_header(resp, "Cache-Control", "no-cache");
	inm = http_req_header(req, "If-None-Match");
	if (inm != NULL && strstr(inm, f->etag) != NULL) {
		resp->status = 304;
		resp->content_type = NULL;
		return;
	}
	resp->status = 200;
	resp->content_type = type_of(f->path);
	resp->static_body = f->data;
	resp->static_len = f->len;
}
