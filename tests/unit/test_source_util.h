/*
 * test_source_util.h - the transcript both reader tests compare against
 * (test_csv.c, test_source.c).  Header-only, test code.
 *
 * transcript() reads every item of `in` through src/ingest/source.h, from
 * memory or from a file descriptor, and writes one line per item:
 * "L<line>" or "[<index>]", then the record as compact JSON or
 * "!<status> <message>".  With `want` other than SOURCE_AUTO the detected
 * format must be that one.  Returns source_open's status (0 once read).
 */
#ifndef BS_TEST_SOURCE_UTIL_H
#define BS_TEST_SOURCE_UTIL_H

#include <json-c/json.h>
#include <stdio.h>

#include "core/buf.h"
#include "ingest/source.h"

static int transcript(const char *name, const char *in, size_t n, const struct source_opts *o,
                      int use_fd, enum source_format want, struct buf *out, struct bs_error *err)
{
	struct source *s = NULL;
	FILE *tmp = NULL;
	int rc;

	buf_reset(out);
	if (use_fd) {
		tmp = tmpfile();
		assert_non_null(tmp);
		assert_int_equal(fwrite(in, 1, n, tmp), n);
		assert_int_equal(fflush(tmp), 0);
		rewind(tmp);
		rc = source_open_fd(fileno(tmp), name, o, &s, err);
	} else {
		rc = source_open_mem(in, n, name, o, &s, err);
	}
	if (rc == 0 && want != SOURCE_AUTO)
		assert_int_equal(source_format(s), want);
	if (rc == 0) {
		for (int guard = 0; guard < 1000; guard++) {
			struct json_object *rec = NULL;
			struct source_pos pos;
			struct bs_error e;

			rc = source_next(s, &rec, &pos, &e);
			if (rc == 0)
				break;
			assert_string_equal(pos.file, name);
			/* only an array has element positions */
			if (want == SOURCE_CSV || want == SOURCE_JSONL)
				assert_int_equal(pos.index, -1);
			if (pos.index >= 0)
				buf_printf(out, "[%lld]", (long long)pos.index);
			else
				buf_printf(out, "L%llu", (unsigned long long)pos.line);
			if (rc == 1) {
				assert_non_null(rec);
				buf_printf(
				    out, " %s\n",
				    json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN));
				json_object_put(rec);
			} else {
				assert_null(rec);
				buf_printf(out, " !%d %s\n", rc, e.msg);
				if (rc == BS_EIO)
					break;
			}
		}
		uint64_t done, total;

		source_progress(s, &done, &total);
		if (total != 0)
			assert_int_equal(done, total);
		source_close(s);
		rc = 0;
	}
	if (tmp != NULL)
		fclose(tmp);
	return rc;
}

#endif
