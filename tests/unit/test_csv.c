/*
 * test_csv.c - CSV input through the public contract (src/ingest/source.h).
 *
 * Each case feeds CSV bytes to a source and compares a transcript: one line
 * per item, "L<first line>" then the record as compact JSON or
 * "!<status> <message>".  Every case runs with 1-byte, 5-byte and default
 * reads, from memory and from a file descriptor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/source.h"
#include "test_source_util.h"

struct ccase {
	const char *name;
	const char *file;
	const char *kind; /* --kind */
	size_t max_line;
	const char *in;
	size_t in_len;
	int open_rc;
	const char *want; /* transcript, or a substring of the open error */
};

static const struct ccase cases[] = {
    {"basic strings only", "sales.csv", NULL, 0,
     "id,total,qty,invoiced\nSO-1,12.30,007,true\nSO-2,,1e3,\n", 0, 0,
     "L2 {\"id\":\"SO-1\",\"total\":\"12.30\",\"qty\":\"007\",\"invoiced\":\"true\",\"kind\":"
     "\"sale\"}\nL3 {\"id\":\"SO-2\",\"qty\":\"1e3\",\"kind\":\"sale\"}\n"},
    {"crlf bom blank lines", "customers.csv", NULL, 0,
     "\xEF\xBB\xBFid,name\r\n\r\nC1,Ann\r\n  \r\n,,\r\nC2,Bob", 0, 0,
     "L3 {\"id\":\"C1\",\"name\":\"Ann\",\"kind\":\"customer\"}\nL6 "
     "{\"id\":\"C2\",\"name\":\"Bob\",\"kind\":\"customer\"}\n"},
    {"quoted fields", "customers.csv", NULL, 0,
     "id,name,note\n\"C1\",\"Smith, Ann\",\"say \"\"hi\"\"\"\nC2,\"\",\"\"\"\"\n", 0, 0,
     "L2 {\"id\":\"C1\",\"name\":\"Smith, Ann\",\"note\":\"say \\\"hi\\\"\",\"kind\":"
     "\"customer\"}\nL3 {\"id\":\"C2\",\"note\":\"\\\"\",\"kind\":\"customer\"}\n"},
    {"embedded newlines keep line numbers", "customers.csv", NULL, 0,
     "id,address.line1,name\nC1,\"1 Main St\r\nUnit 2\nRear\",Ann\nC2,x,Bob\n", 0, 0,
     "L2 {\"id\":\"C1\",\"address\":{\"line1\":\"1 Main St\\r\\nUnit 2\\nRear\"},\"name\":"
     "\"Ann\",\"kind\":\"customer\"}\nL5 {\"id\":\"C2\",\"address\":{\"line1\":\"x\"},\"name\":"
     "\"Bob\",\"kind\":\"customer\"}\n"},
    {"quote mid field is literal", "products.csv", NULL, 0, "id,name\nP1,5\" pipe\n", 0, 0,
     "L2 {\"id\":\"P1\",\"name\":\"5\\\" pipe\",\"kind\":\"product\"}\n"},
    {"nested dotted names", "sales.csv", NULL, 0,
     " id , channel.type,channel.name,address.geo.lat\nS1,Shopify,MyShop,1.5\n", 0, 0,
     "L2 {\"id\":\"S1\",\"channel\":{\"type\":\"Shopify\",\"name\":\"MyShop\"},\"address\":{"
     "\"geo\":{\"lat\":\"1.5\"}},\"kind\":\"sale\"}\n"},
    {"fewer fields than header", "sales.csv", NULL, 0, "id,a,b\nS1\nS2,x\n", 0, 0,
     "L2 {\"id\":\"S1\",\"kind\":\"sale\"}\nL3 {\"id\":\"S2\",\"a\":\"x\",\"kind\":\"sale\"}\n"},
    {"more fields than header", "sales.csv", NULL, 0, "id,a\nS1,x,y\nS2,z\n", 0, 0,
     "L2 !-4 line 2: row has 3 fields, the header has 2\nL3 "
     "{\"id\":\"S2\",\"a\":\"z\",\"kind\":\"sale\"}\n"},
    {"unbalanced quote at eof", "sales.csv", NULL, 0, "id,a\nS1,x\nS2,\"open\nmore\nS3,y\n", 0, 0,
     "L2 {\"id\":\"S1\",\"a\":\"x\",\"kind\":\"sale\"}\nL3 !-4 line 3: unbalanced quote in CSV "
     "field\n"},
    {"unbalanced quote field starts later", "sales.csv", NULL, 0,
     "id,a,b\nS1,\"two\nlines\",\"open\n", 0, 0, "L2 !-4 line 3: unbalanced quote in CSV field\n"},
    {"text after closing quote", "sales.csv", NULL, 0, "id,a\nS1,\"x\"y\nS2,z\n", 0, 0,
     "L2 !-4 line 2: unexpected text after a closing quote in field 2\nL3 "
     "{\"id\":\"S2\",\"a\":\"z\",\"kind\":\"sale\"}\n"},
    {"invalid utf8 cells", "sales.csv", NULL, 0,
     "id,name\nS1,\xC0\xAF\nS2,\"a\n\xED\xA0\x80\"\nS3,\xE2\x82\nS4,\xC3\xA9\n", 0, 0,
     "L2 !-4 line 2: invalid UTF-8 in column name\nL3 !-4 line 3: invalid UTF-8 in column "
     "name\nL5 !-4 line 5: invalid UTF-8 in column name\nL6 "
     "{\"id\":\"S4\",\"name\":\"\xC3\xA9\",\"kind\":\"sale\"}\n"},
    {"nul byte in cell", "sales.csv", NULL, 0, "id,name\nS1,a\0b\nS2,c\n", 20, 0,
     "L2 !-4 line 2: NUL byte in column name\nL3 "
     "{\"id\":\"S2\",\"name\":\"c\",\"kind\":\"sale\"}\n"},
    {"overlong record skipped", "sales.csv", NULL, 12,
     "id,a\nS1,x\nS2,\"0123456789\n0123456789\"\nS3,y\n", 0, 0,
     "L2 {\"id\":\"S1\",\"a\":\"x\",\"kind\":\"sale\"}\nL3 !-6 line 3: CSV record is longer "
     "than 12 bytes\nL5 {\"id\":\"S3\",\"a\":\"y\",\"kind\":\"sale\"}\n"},
    {"value under unnamed column", "sales.csv", NULL, 0, "id,,a,\nS1,,x,\nS2,oops,y,\n", 0, 0,
     "L2 {\"id\":\"S1\",\"a\":\"x\",\"kind\":\"sale\"}\nL3 !-4 line 3: a value in column 2, "
     "which has no name in the header\n"},
    /* kind */
    {"kind column wins, falls back", "sales.csv", "purchases", 0, "id,kind\nA,customer\nB,\n", 0, 0,
     "L2 {\"id\":\"A\",\"kind\":\"customer\"}\nL3 {\"id\":\"B\",\"kind\":\"purchase\"}\n"},
    {"--kind beats file name", "sales.csv", "credit_notes", 0, "id\nA\n", 0, 0,
     "L2 {\"id\":\"A\",\"kind\":\"credit_note\"}\n"},
    {"unknown --kind passed through", "x.csv", "widgets", 0, "id\nA\n", 0, 0,
     "L2 {\"id\":\"A\",\"kind\":\"widgets\"}\n"},
    {"kind from plural file name", "data/2024_gift_vouchers.csv", NULL, 0, "id\nG1\n", 0, 0,
     "L2 {\"id\":\"G1\",\"kind\":\"gift_voucher\"}\n"},
    {"no kind anywhere", "export.csv", NULL, 0, "id,name\nA,b\n", 0, BS_EINVAL,
     "export.csv: cannot tell which kind of records it holds"},
    {"kind column only", "export.csv", NULL, 0, "kind,id\nsale,A\n,B\n", 0, 0,
     "L2 {\"kind\":\"sale\",\"id\":\"A\"}\nL3 {\"id\":\"B\"}\n"},
    /* header problems */
    {"empty file", "sales.csv", NULL, 0, "", 0, 0, ""},
    {"only header", "sales.csv", NULL, 0, "id,name\r\n", 0, 0, ""},
    {"only header no kind", "export.csv", NULL, 0, "id,name", 0, BS_EINVAL, "--kind"},
    {"no id column", "sales.csv", NULL, 0, "name,total\nx,1\n", 0, BS_EPARSE,
     "sales.csv: the CSV header (line 1) has no id column"},
    {"duplicate column", "sales.csv", NULL, 0, "id,a,a\n", 0, BS_EPARSE, "duplicate column a"},
    {"conflicting columns", "sales.csv", NULL, 0, "id,address,address.city\n", 0, BS_EPARSE,
     "columns address and address.city conflict"},
    {"lines json and lines.sku conflict", "sales.csv", NULL, 0, "id,lines.sku,lines\n", 0,
     BS_EPARSE, "columns lines and lines.sku conflict"},
    {"empty name part", "sales.csv", NULL, 0, "id,address..city\n", 0, BS_EPARSE,
     "column name address..city has an empty part"},
    {"header unbalanced quote", "sales.csv", NULL, 0, "id,\"name\n", 0, BS_EPARSE,
     "sales.csv: header: line 1: unbalanced quote in CSV field"},
    {"header invalid utf8", "sales.csv", NULL, 0, "id,n\xFF\n", 0, BS_EPARSE,
     "sales.csv: line 1: invalid UTF-8 in the header"},
    {"header too long", "sales.csv", NULL, 8, "id,aaaaaaaaaaaa\nx,y\n", 0, BS_ETOOBIG,
     "sales.csv: header row longer than 8 bytes"},
    /* lines as a JSON column */
    {"lines json column", "sales.csv", NULL, 0,
     "id,lines\nS1,\"[{\"\"sku\"\":\"\"A\"\",\"\"qty\"\":2,\"\"unit_price\"\":12.30}]\"\nS2,\nS3,"
     "\"[{\"\"sku\"\":}]\"\nS4,{}\nS5,[1] x\n",
     0, 0,
     "L2 {\"id\":\"S1\",\"lines\":[{\"sku\":\"A\",\"qty\":2,\"unit_price\":12.30}],\"kind\":"
     "\"sale\"}\nL3 {\"id\":\"S2\",\"kind\":\"sale\"}\nL4 !-4 line 4: column lines: malformed "
     "JSON: unexpected character\nL5 !-4 line 5: column lines: expected a JSON array\nL6 !-4 "
     "line 6: column lines: malformed JSON: unexpected character\n"},
    /* lines.* columns and grouping */
    {"grouped rows", "sales.csv", NULL, 0,
     "id,customer_id,lines.sku,lines.qty,lines.tracking.Region\n"
     "S1,C1,A,1,North\n"
     "S1,,B,2,\n"
     "S1,C1,C,3,South\n"
     "S2,C2,A,5,\n"
     "S3,C3,,,\n",
     0, 0,
     "L2 {\"id\":\"S1\",\"customer_id\":\"C1\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"A\","
     "\"qty\":\"1\",\"tracking\":{\"Region\":\"North\"}},{\"sku\":\"B\",\"qty\":\"2\"},{\"sku\":"
     "\"C\",\"qty\":\"3\",\"tracking\":{\"Region\":\"South\"}}]}\nL5 "
     "{\"id\":\"S2\",\"customer_id\":\"C2\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"A\","
     "\"qty\":\"5\"}]}\nL6 {\"id\":\"S3\",\"customer_id\":\"C3\",\"kind\":\"sale\"}\n"},
    /* Only consecutive rows group; a later run of an id seen before is
     * refused naming both runs (it would replace the first and drop its
     * lines), every later run alike, a bad first run's too. */
    {"only consecutive rows group", "sales.csv", NULL, 0, "id,lines.sku\nS1,A\nS2,B\nS1,C\n", 0, 0,
     "L2 {\"id\":\"S1\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"A\"}]}\nL3 "
     "{\"id\":\"S2\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"B\"}]}\nL4 !-4 line 4: the "
     "row of id S1 at line 4 is apart from its rows from line 2 (a record's rows must be "
     "consecutive): rejected, so the record from line 2 lacks its line\n"},
    {"rows apart: S1 S1 S2 S1 S1 S3 S1", "sales.csv", NULL, 0,
     "id,customer_id,lines.sku\nS1,C1,a\nS1,C1,b\nS2,C2,x\nS1,C1,c\nS1,C1,d\nS3,C3,y\nS1,C9,e\n", 0,
     0,
     "L2 {\"id\":\"S1\",\"customer_id\":\"C1\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"a\"},"
     "{\"sku\":\"b\"}]}\nL4 {\"id\":\"S2\",\"customer_id\":\"C2\",\"kind\":\"sale\",\"lines\":"
     "[{\"sku\":\"x\"}]}\nL5 !-4 line 5: rows of id S1 at lines 5-6 are apart from its rows "
     "from line 2 (a record's rows must be consecutive): rejected, so the record from line 2 "
     "lacks their lines\nL7 {\"id\":\"S3\",\"customer_id\":\"C3\",\"kind\":\"sale\",\"lines\":"
     "[{\"sku\":\"y\"}]}\nL8 !-4 line 8: the row of id S1 at line 8 is apart from its rows "
     "from line 2 (a record's rows must be consecutive): rejected, so the record from line 2 "
     "lacks its line\n"},
    {"rows apart after a bad run", "sales.csv", NULL, 0,
     "id,name,lines.sku\nS1,x,A\nS1,y,B\nS2,z,C\nS1,x,D\n", 0, 0,
     "L2 !-4 line 3: rows of id S1 disagree on field name\nL4 {\"id\":\"S2\",\"name\":\"z\","
     "\"kind\":\"sale\",\"lines\":[{\"sku\":\"C\"}]}\nL5 !-4 line 5: the row of id S1 at line 5 "
     "is apart from its rows from line 2 (a record's rows must be consecutive): rejected, so "
     "the record from line 2 lacks its line\n"},
    {"rows apart, the later run bad too", "sales.csv", NULL, 0,
     "id,name,lines.sku\nS1,x,A\nS2,z,C\nS1,\xFF,D\nS1,x,E,9\n", 0, 0,
     "L2 {\"id\":\"S1\",\"name\":\"x\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"A\"}]}\nL3 "
     "{\"id\":\"S2\",\"name\":\"z\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"C\"}]}\nL4 !-4 "
     "line 4: rows of id S1 at lines 4-5 are apart from its rows from line 2 (a record's rows "
     "must be consecutive): rejected, so the record from line 2 lacks their lines\n"},
    {"ids differing in case or space are different ids", "sales.csv", NULL, 0,
     "id,lines.sku\nS1,A\ns1,B\nS1 ,C\n", 0, 0,
     "L2 {\"id\":\"S1\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"A\"}]}\nL3 "
     "{\"id\":\"s1\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"B\"}]}\nL4 "
     "{\"id\":\"S1 \",\"kind\":\"sale\",\"lines\":[{\"sku\":\"C\"}]}\n"},
    {"rows disagree", "sales.csv", NULL, 0,
     "id,customer_id,lines.sku\nS1,C1,A\nS1,C2,B\nS1,C1,C\nS2,C1,D\n", 0, 0,
     "L2 !-4 line 3: rows of id S1 disagree on field customer_id\nL5 "
     "{\"id\":\"S2\",\"customer_id\":\"C1\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"D\"}]}\n"},
    {"later row fills a field the first left empty", "sales.csv", NULL, 0,
     "id,customer_id,lines.sku\nS1,,A\nS1,C2,B\n", 0, 0,
     "L2 !-4 line 3: rows of id S1 disagree on field customer_id\n"},
    {"bad row spoils its group", "sales.csv", NULL, 0,
     "id,name,lines.sku\nS1,x,A\nS1,\xFF,B\nS1,x,C\nS2,y,D\n", 0, 0,
     "L2 !-4 line 3: invalid UTF-8 in column name (in the rows of id S1 from line 2)\nL5 "
     "{\"id\":\"S2\",\"name\":\"y\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"D\"}]}\n"},
    {"bad first row spoils its group", "sales.csv", NULL, 0,
     "id,name,lines.sku,x\nS1,x,A,1,9\nS1,x,B\nS2,y,D\n", 0, 0,
     "L2 !-4 line 2: row has 5 fields, the header has 4\nL4 "
     "{\"id\":\"S2\",\"name\":\"y\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"D\"}]}\n"},
    {"unreadable row ends a group", "sales.csv", NULL, 12,
     "id,lines.sku\nS1,A\nS1,B\nS1,0123456789ab\nS1,C\n", 0, 0,
     "L2 !-4 line 2: rows of id S1 are followed by an unreadable row (line 4) that may belong "
     "to them\nL4 !-6 line 4: CSV record is longer than 12 bytes\nL5 !-4 line 5: rows of id S1 "
     "follow an unreadable row (line 4) that may belong to them\n"},
    {"unreadable first row", "sales.csv", NULL, 12, "id,lines.sku\nS1,0123456789ab\nS1,C\n", 0, 0,
     "L2 !-6 line 2: CSV record is longer than 12 bytes\nL3 !-4 line 3: rows of id S1 follow "
     "an unreadable row (line 2) that may belong to them\n"},
    {"rows without id never group", "sales.csv", NULL, 0, "id,lines.sku\n,A\n,B\n", 0, 0,
     "L2 {\"kind\":\"sale\",\"lines\":[{\"sku\":\"A\"}]}\nL3 "
     "{\"kind\":\"sale\",\"lines\":[{\"sku\":\"B\"}]}\n"},
    {"no grouping without lines columns", "sales.csv", NULL, 0, "id,a\nS1,x\nS1,y\n", 0, 0,
     "L2 {\"id\":\"S1\",\"a\":\"x\",\"kind\":\"sale\"}\nL3 "
     "{\"id\":\"S1\",\"a\":\"y\",\"kind\":\"sale\"}\n"},
    {"group at eof without newline", "sales.csv", NULL, 0, "id,lines.sku\r\nS1,A\r\nS1,B", 0, 0,
     "L2 {\"id\":\"S1\",\"kind\":\"sale\",\"lines\":[{\"sku\":\"A\"},{\"sku\":\"B\"}]}\n"},
};

static void test_cases(void **state)
{
	static const size_t chunks[] = {1, 5, 0};
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ccase *c = &cases[i];
		size_t n = c->in_len ? c->in_len : strlen(c->in);

		for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			for (int fd = 0; fd < 2; fd++) {
				struct source_opts o = {SOURCE_AUTO, c->kind, c->max_line,
				                        chunks[k]};
				struct bs_error err;
				int rc;

				bs_error_clear(&err);
				rc = transcript(c->file, c->in, n, &o, fd, SOURCE_CSV, &out, &err);
				if (rc != c->open_rc)
					fail_msg("%s: open rc %d want %d (%s)", c->name, rc,
					         c->open_rc, err.msg);
				if (rc != 0) {
					if (strstr(err.msg, c->want) == NULL)
						fail_msg("%s: open error '%s' lacks '%s'", c->name,
						         err.msg, c->want);
				} else if (strcmp(buf_cstr(&out), c->want) != 0) {
					fail_msg("%s (chunk %zu, fd %d):\n got: %s\nwant: %s",
					         c->name, chunks[k], fd, buf_cstr(&out), c->want);
				}
			}
		}
	}
	buf_free(&out);
}

/* CSV cells are strings, and a money cell's text is exactly what was written. */
static void test_cells_are_strings(void **state)
{
	static const char in[] = "id,total,lines.unit_price\nS1,0.1000001,12.30\n";
	struct source *s;
	struct json_object *rec, *v, *lines;
	struct source_pos pos;

	(void)state;
	assert_int_equal(source_open_mem(in, strlen(in), "sales.csv", NULL, &s, NULL), 0);
	assert_int_equal(source_next(s, &rec, &pos, NULL), 1);
	assert_int_equal(pos.line, 2);
	assert_true(json_object_object_get_ex(rec, "total", &v));
	assert_true(json_object_is_type(v, json_type_string));
	assert_string_equal(json_object_get_string(v), "0.1000001");
	assert_true(json_object_object_get_ex(rec, "lines", &lines));
	v = json_object_object_get(json_object_array_get_idx(lines, 0), "unit_price");
	assert_true(json_object_is_type(v, json_type_string));
	assert_string_equal(json_object_get_string(v), "12.30");
	json_object_put(rec);
	source_close(s);
}

/* A large grouped record streams in bounded memory and keeps every line. */
static void test_many_rows(void **state)
{
	struct buf in;
	struct source *s;
	struct json_object *rec, *lines;
	struct source_pos pos;
	int n = 0;

	(void)state;
	buf_init(&in, 0);
	assert_int_equal(buf_addstr(&in, "id,lines.sku,lines.qty\n"), 0);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(buf_printf(&in, "S%d,SKU-%d,%d\n", i / 1000, i, i), 0);
	assert_int_equal(source_open_mem(in.ptr, in.len, "sales.csv", NULL, &s, NULL), 0);
	while (source_next(s, &rec, &pos, NULL) == 1) {
		assert_int_equal(pos.line, 2 + 1000 * (uint64_t)n);
		assert_true(json_object_object_get_ex(rec, "lines", &lines));
		assert_int_equal(json_object_array_length(lines), 1000);
		json_object_put(rec);
		n++;
	}
	assert_int_equal(n, 3);
	source_close(s);
	buf_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_cells_are_strings),
	    cmocka_unit_test(test_many_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
