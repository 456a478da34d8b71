/*
 * fuzz_csv.c - libFuzzer target: CSV bytes through the CSV reader.
 *
 * The first input byte picks the read size and the record limit; the rest
 * is the CSV.  Oracles beyond "no crash, no leak": every record is a JSON
 * object whose leaves outside `lines` are strings, and reading with 1 MiB
 * chunks yields exactly the same items and messages as reading with the
 * small chunk (record boundaries must not depend on where reads split).
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Leaves of a CSV record are strings, except inside a parsed `lines` column. */
static void check_strings(struct json_object *o, int depth)
{
	if (depth > 64)
		abort();
	json_object_object_foreach(o, key, val)
	{
		if (depth == 0 && strcmp(key, "lines") == 0) {
			if (!json_object_is_type(val, json_type_array))
				abort();
			continue;
		}
		if (json_object_is_type(val, json_type_object))
			check_strings(val, depth + 1);
		else if (!json_object_is_type(val, json_type_string) ||
			 json_object_get_string_len(val) == 0)
			abort();
	}
}

static void run(const uint8_t *data, size_t size, size_t chunk, size_t max_line, struct buf *out)
{
	struct source_opts o = {SOURCE_CSV, "sale", max_line, chunk};
	struct source *s;
	struct bs_error err;
	int rc = source_open_mem(data, size, "fuzz.csv", &o, &s, &err);

	if (rc != 0) {
		if (err.code != rc || err.msg[0] == '\0')
			abort();
		buf_printf(out, "open %d %s\n", rc, err.msg);
		return;
	}
	for (int n = 0; n < 100000; n++) {
		struct json_object *rec = NULL;
		struct source_pos pos;

		rc = source_next(s, &rec, &pos, &err);
		if (rc == 0)
			break;
		if (rc == 1) {
			if (rec == NULL || !json_object_is_type(rec, json_type_object))
				abort();
			check_strings(rec, 0);
			buf_printf(out, "%llu %s\n", (unsigned long long)pos.line,
				   json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN));
			json_object_put(rec);
		} else {
			if (rec != NULL || rc == BS_EIO)
				abort();
			buf_printf(out, "%llu !%d %s\n", (unsigned long long)pos.line, rc, err.msg);
		}
	}
	source_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a, b;
	size_t chunk, max_line;

	if (size < 1)
		return 0;
	chunk = 1 + (data[0] & 15);
	max_line = (size_t)16 << ((data[0] >> 4) & 7);
	buf_init(&a, 0);
	buf_init(&b, 0);
	run(data + 1, size - 1, chunk, max_line, &a);
	run(data + 1, size - 1, 0, max_line, &b);
	if (a.len != b.len || memcmp(buf_cstr(&a), buf_cstr(&b), a.len) != 0)
		abort();
	buf_free(&a);
	buf_free(&b);
	return 0;
}
