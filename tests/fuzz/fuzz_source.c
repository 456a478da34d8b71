/*
 * fuzz_source.c - libFuzzer target: any bytes through source_open's format
 * detection and the JSON Lines / JSON array / CSV readers.
 *
 * The first input byte picks the file name (which drives detection), the
 * read size and the line limit.  Oracles: items are JSON objects, error
 * messages are set, and 1 MiB reads give the same transcript as small ones.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"fuzz", "fuzz.json", "fuzz.jsonl", "sales.csv"};

static void run(const uint8_t *data, size_t size, const char *name, size_t chunk,
		size_t max_line, struct buf *out)
{
	struct source_opts o = {SOURCE_AUTO, NULL, max_line, chunk};
	struct source *s;
	struct bs_error err;
	int rc = source_open_mem(data, size, name, &o, &s, &err);

	if (rc != 0) {
		if (err.code != rc || err.msg[0] == '\0')
			abort();
		buf_printf(out, "open %d %s\n", rc, err.msg);
		return;
	}
	buf_printf(out, "format %d\n", (int)source_format(s));
	for (int n = 0; n < 100000; n++) {
		struct json_object *rec = NULL;
		struct source_pos pos;

		rc = source_next(s, &rec, &pos, &err);
		if (rc == 0)
			break;
		if (pos.file == NULL || strcmp(pos.file, name) != 0)
			abort();
		if (rc == 1) {
			if (rec == NULL || !json_object_is_type(rec, json_type_object))
				abort();
			buf_printf(out, "%llu/%lld %s\n", (unsigned long long)pos.line,
				   (long long)pos.index,
				   json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN));
			json_object_put(rec);
		} else {
			if (rec != NULL || rc == BS_EIO || err.msg[0] == '\0')
				abort();
			buf_printf(out, "%llu/%lld !%d %s\n", (unsigned long long)pos.line,
				   (long long)pos.index, rc, err.msg);
		}
	}
	source_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a, b;
	const char *name;
	size_t chunk, max_line;

	if (size < 1)
		return 0;
	name = names[data[0] & 3];
	chunk = 1 + ((data[0] >> 2) & 7);
	max_line = (size_t)32 << ((data[0] >> 5) & 7);
	buf_init(&a, 0);
	buf_init(&b, 0);
	run(data + 1, size - 1, name, chunk, max_line, &a);
	run(data + 1, size - 1, name, 0, max_line, &b);
	if (a.len != b.len || memcmp(buf_cstr(&a), buf_cstr(&b), a.len) != 0)
		abort();
	buf_free(&a);
	buf_free(&b);
	return 0;
}
