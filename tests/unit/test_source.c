/*
 * test_source.c - format detection, JSON Lines and JSON arrays through the
 * public contract (src/ingest/source.h).
 *
 * Each case feeds bytes to a source and compares a transcript of what it
 * yields: one line per item, "L<line>" or "[<index>]" then either the
 * record as compact JSON or "!<status> <message>".  Every case runs from
 * memory and from a file descriptor, with 1-byte, 3-byte and default reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "ingest/source.h"
#include "test_source_util.h"

struct scase {
	const char *name; /* test label */
	const char *file; /* name given to the source */
	enum source_format format;
	size_t max_line;
	const char *in;
	size_t in_len; /* 0: strlen */
	int open_rc;
	const char *want; /* transcript, or a substring of the open error */
};

static const struct scase cases[] = {
    /* JSON Lines basics */
    {"jsonl two", "a.jsonl", SOURCE_AUTO, 0, "{\"id\":\"1\"}\n{\"id\":\"2\"}\n", 0, 0,
     "L1 {\"id\":\"1\"}\nL2 {\"id\":\"2\"}\n"},
    {"jsonl crlf blank bom", "a.jsonl", SOURCE_AUTO, 0,
     "\xEF\xBB\xBF{\"a\":1}\r\n\r\n   \n\t{\"b\":2} \r\n", 0, 0, "L1 {\"a\":1}\nL4 {\"b\":2}\n"},
    {"jsonl no final newline", "x.ndjson", SOURCE_AUTO, 0, "{\"a\":1}", 0, 0, "L1 {\"a\":1}\n"},
    {"jsonl malformed then ok", "a.jsonl", SOURCE_AUTO, 0, "{\"a\":1}\n{\"a\":}\n{\"a\":3}\n", 0, 0,
     "L1 {\"a\":1}\nL2 !-4 line 2: malformed JSON: unexpected character at byte 6\nL3 "
     "{\"a\":3}\n"},
    {"jsonl truncated object", "a.jsonl", SOURCE_AUTO, 0, "{\"a\":1,\n\"b\":2}\n", 0, 0,
     "L1 !-4 line 1: malformed JSON: unexpected end of line (JSON Lines needs each object on "
     "one line)\nL2 !-4 line 2: expected a JSON object\n"},
    {"jsonl not objects", "a.jsonl", SOURCE_AUTO, 0, "[1]\n\"x\"\n5\nnull\n", 0, 0,
     "L1 !-4 line 1: expected a JSON object\nL2 !-4 line 2: expected a JSON object\nL3 !-4 "
     "line 3: expected a JSON object\nL4 !-4 line 4: expected a JSON object\n"},
    {"jsonl trailing garbage", "a.jsonl", SOURCE_AUTO, 0, "{\"a\":1} x\n{\"a\":1}{\"b\":2}\n", 0, 0,
     "L1 !-4 line 1: malformed JSON: unexpected text after the object at byte 9\nL2 !-4 line "
     "2: malformed JSON: unexpected text after the object at byte 8\n"},
    {"jsonl overlong skipped", "a.jsonl", SOURCE_AUTO, 20,
     "{\"a\":1}\n{\"a\":\"0123456789012345678901234567890\"}\n{\"a\":3}\n", 0, 0,
     "L1 {\"a\":1}\nL2 !-6 line 2: line is longer than 20 bytes\nL3 {\"a\":3}\n"},
    {"jsonl overlong last line", "a.jsonl", SOURCE_AUTO, 10,
     "{\"a\":1}\n{\"a\":\"0123456789012345678901234567890\"}", 0, 0,
     "L1 {\"a\":1}\nL2 !-6 line 2: line is longer than 10 bytes\n"},
    {"jsonl utf8 overlong", "a.jsonl", SOURCE_AUTO, 0,
     "{\"a\":\"\xC0\xAF\"}\n{\"a\":\"\xC3\xA9\"}\n", 0, 0,
     "L1 !-4 line 1: invalid UTF-8 at byte 7\nL2 {\"a\":\"\xC3\xA9\"}\n"},
    {"jsonl utf8 surrogate", "a.jsonl", SOURCE_AUTO, 0, "{\"a\":\"\xED\xA0\x80\"}\n", 0, 0,
     "L1 !-4 line 1: invalid UTF-8 at byte 7\n"},
    {"jsonl utf8 truncated", "a.jsonl", SOURCE_AUTO, 0, "{\"a\":\"\xE2\x82\"}\n", 0, 0,
     "L1 !-4 line 1: invalid UTF-8 at byte 7\n"},
    {"jsonl nul byte", "a.jsonl", SOURCE_AUTO, 0, "{\"a\":\"x\0\"}\n", 11, 0,
     "L1 !-4 line 1: NUL byte at byte 8\n"},
    {"jsonl escaped nul", "a.jsonl", SOURCE_AUTO, 0, "{\"a\":\"x\\u0000y\"}\n", 0, 0,
     "L1 !-4 line 1: string contains \\u0000\n"},
    {"jsonl huge integer", "a.jsonl", SOURCE_AUTO, 0,
     "{\"a\":99999999999999999999}\n{\"a\":[-99999999999999999999]}\n{\"a\":"
     "9223372036854775806}\n",
     0, 0,
     "L1 !-4 line 1: number 18446744073709551615 is out of range (give large amounts as "
     "decimal text)\nL2 !-4 line 2: number -9223372036854775808 is out of range (give large "
     "amounts as decimal text)\nL3 {\"a\":9223372036854775806}\n"},
    {"jsonl money verbatim", "a.jsonl", SOURCE_AUTO, 0,
     "{\"p\":12.30,\"q\":0.1000001,\"r\":1.0E2,\"s\":-0.50}\n", 0, 0,
     "L1 {\"p\":12.30,\"q\":0.1000001,\"r\":1.0E2,\"s\":-0.50}\n"},
    {"empty jsonl", "a.jsonl", SOURCE_AUTO, 0, "", 0, 0, ""},
    {"blank input auto", "data", SOURCE_AUTO, 0, " \n\r\n\t\n", 0, 0, ""},
    {"bom only", "x", SOURCE_AUTO, 0, "\xEF\xBB\xBF", 0, 0, ""},
    /* detection by first byte */
    {"auto jsonl", "data", SOURCE_AUTO, 0, "\n\n{\"a\":1}\n", 0, 0, "L3 {\"a\":1}\n"},
    {"auto array", "-", SOURCE_AUTO, 0, "  [{\"a\":1},{\"b\":2}]", 0, 0,
     "[0] {\"a\":1}\n[1] {\"b\":2}\n"},
    {"auto csv", "data", SOURCE_AUTO, 0, "id,kind\n1,sale\n", 0, 0,
     "L2 {\"id\":\"1\",\"kind\":\"sale\"}\n"},
    {"auto neither", "data", SOURCE_AUTO, 0, "hello world\nfoo\n", 0, BS_EPARSE,
     "data: not JSON, and not CSV: the CSV header (line 1) has no id column"},
    {"auto binary", "data", SOURCE_AUTO, 0, "\x01\x02\x00\x01", 4, BS_EPARSE,
     "data: not JSON, and not CSV: line 1: NUL byte in the header"},
    {"auto binary 2", "data", SOURCE_AUTO, 0, "\x01\x02\xC0\x80", 4, BS_EPARSE,
     "data: not JSON, and not CSV: line 1: invalid UTF-8 in the header"},
    {"utf16 le", "sales.csv", SOURCE_AUTO, 0, "\xFF\xFEi\0d\0\n\0", 8, BS_EPARSE,
     "sales.csv: not UTF-8 text (UTF-16 or binary?): save it as UTF-8"},
    {"utf16 be", "x.jsonl", SOURCE_AUTO, 0, "\xFE\xFF\0{", 4, BS_EPARSE,
     "x.jsonl: not UTF-8 text (UTF-16 or binary?)"},
    {"semicolons", "sales.csv", SOURCE_AUTO, 0, "id;name\n1;x\n", 0, BS_EPARSE,
     "has no id column (it uses ';': only ',' separates CSV fields)"},
    /* detection by name wins over content */
    {"name jsonl beats [", "a.JSONL", SOURCE_AUTO, 0, "[1]\n", 0, 0,
     "L1 !-4 line 1: expected a JSON object\n"},
    {"name csv beats {", "sales.CSV", SOURCE_AUTO, 0, "{id}\n", 0, BS_EPARSE,
     "sales.CSV: the CSV header (line 1) has no id column"},
    {"name json with jsonl inside", "x.json", SOURCE_AUTO, 0, "{\"a\":1}\n{\"a\":2}\n", 0, 0,
     "L1 {\"a\":1}\nL2 {\"a\":2}\n"},
    {"explicit format beats name", "x.csv", SOURCE_JSONL, 0, "{\"a\":1}\n", 0, 0, "L1 {\"a\":1}\n"},
    /* arrays */
    {"array elements", "x.json", SOURCE_AUTO, 0,
     "\xEF\xBB\xBF[\n {\"a\":1},\n 2,\n {\"b\":\"x\"},\n [],\n {\"c\":1e999999}\n]\n", 0, 0,
     "[0] {\"a\":1}\n[1] !-4 element 1: expected a JSON object\n[2] {\"b\":\"x\"}\n[3] !-4 "
     "element 3: expected a JSON object\n[4] {\"c\":1e999999}\n"},
    {"array empty", "x.json", SOURCE_AUTO, 0, "[]", 0, 0, ""},
    {"array empty file", "x.json", SOURCE_AUTO, 0, "", 0, 0, ""},
    {"array bad element value", "x.json", SOURCE_AUTO, 0, "[{\"a\":\"\\u0000\"},{\"a\":1}]", 0, 0,
     "[0] !-4 element 0: string contains \\u0000\n[1] {\"a\":1}\n"},
    {"array malformed", "x.json", SOURCE_AUTO, 0, "[{\"a\":1},\n{\"a\":}]", 0, BS_EPARSE,
     "x.json: line 2: malformed JSON: unexpected character"},
    {"array truncated", "x.json", SOURCE_AUTO, 0, "[{\"a\":1},\n", 0, BS_EPARSE,
     "x.json: line 2: malformed JSON: unexpected end of data"},
    {"array trailing", "x.json", SOURCE_AUTO, 0, "[]\n\n]", 0, BS_EPARSE,
     "x.json: line 3: malformed JSON: unexpected text after the array"},
    {"array not array", "y", SOURCE_JSON_ARRAY, 0, "{\"a\":1}", 0, BS_EPARSE,
     "y: expected a JSON array of objects"},
    {"array bad utf8", "x.json", SOURCE_AUTO, 0, "[{\"a\":\n\"\xED\xBF\xBF\"}]", 0, BS_EPARSE,
     "x.json: line 2: invalid UTF-8"},
    {"array too big", "x.json", SOURCE_AUTO, 16, "[{\"a\":1},{\"a\":2},{\"a\":3}]", 0, BS_ETOOBIG,
     "x.json: a JSON array larger than 16 bytes is not read: give it as JSON Lines"},
};

static void test_cases(void **state)
{
	static const size_t chunks[] = {1, 3, 0};
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scase *c = &cases[i];
		size_t n = c->in_len ? c->in_len : strlen(c->in);

		for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			for (int fd = 0; fd < 2; fd++) {
				struct source_opts o = {c->format, NULL, c->max_line, chunks[k]};
				struct bs_error err;
				int rc;

				bs_error_clear(&err);
				rc = transcript(c->file, c->in, n, &o, fd, SOURCE_AUTO, &out, &err);
				if (rc != c->open_rc)
					fail_msg("%s: open rc %d want %d (%s)", c->name, rc,
					         c->open_rc, err.msg);
				if (rc != 0) {
					if (strstr(err.msg, c->want) == NULL)
						fail_msg("%s: open error '%s' lacks '%s'", c->name,
						         err.msg, c->want);
					assert_int_equal(err.code, rc);
				} else if (strcmp(buf_cstr(&out), c->want) != 0) {
					fail_msg("%s (chunk %zu, fd %d):\n got: %s\nwant: %s",
					         c->name, chunks[k], fd, buf_cstr(&out), c->want);
				}
			}
		}
	}
	buf_free(&out);
}

/*
 * The model parses money from the number's source text: json-c keeps it
 * for numbers with a fraction or exponent, and json_object_get_string
 * returns it verbatim.  This is the property src/model relies on.
 */
static void test_money_text_verbatim(void **state)
{
	static const char in[] = "{\"a\":12.30,\"b\":0.1000001,\"c\":100,\"d\":-0.000001,"
	                         "\"e\":\"7.10\",\"f\":1234567890123.456789}\n";
	static const struct {
		const char *key, *text;
		enum json_type type;
	} want[] = {
	    {"a", "12.30", json_type_double}, {"b", "0.1000001", json_type_double},
	    {"c", "100", json_type_int},      {"d", "-0.000001", json_type_double},
	    {"e", "7.10", json_type_string},  {"f", "1234567890123.456789", json_type_double},
	};
	struct source *s;
	struct json_object *rec, *v;
	struct source_pos pos;

	(void)state;
	assert_int_equal(source_open_mem(in, strlen(in), "m.jsonl", NULL, &s, NULL), 0);
	assert_int_equal(source_next(s, &rec, &pos, NULL), 1);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_true(json_object_object_get_ex(rec, want[i].key, &v));
		assert_int_equal(json_object_get_type(v), want[i].type);
		assert_string_equal(json_object_get_string(v), want[i].text);
	}
	json_object_put(rec);
	assert_int_equal(source_next(s, &rec, &pos, NULL), 0);
	source_close(s);
}

static void test_open_errors(void **state)
{
	struct source *s = (struct source *)1;
	struct bs_error err;
	char dir[] = "/tmp/test_source_XXXXXX";

	(void)state;
	assert_int_equal(source_open("/nonexistent/dir/sales.jsonl", NULL, &s, &err), BS_EIO);
	assert_null(s);
	assert_string_equal(err.msg, "/nonexistent/dir/sales.jsonl: No such file or directory");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(source_open(dir, NULL, &s, &err), BS_EIO);
	assert_non_null(strstr(err.msg, "Is a directory"));
	rmdir(dir);
}

/* A real file by path: progress, format, ownership of the fd. */
static void test_open_path(void **state)
{
	char path[] = "/tmp/test_source_XXXXXX";
	static const char data[] = "{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n";
	struct source *s;
	struct json_object *rec;
	struct source_pos pos;
	uint64_t done, total;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
	assert_int_equal(source_open(path, NULL, &s, NULL), 0);
	assert_int_equal(source_format(s), SOURCE_JSONL);
	source_progress(s, &done, &total);
	assert_int_equal(total, strlen(data));
	assert_int_equal(source_next(s, &rec, &pos, NULL), 1);
	assert_string_equal(pos.file, path);
	assert_int_equal(pos.line, 1);
	assert_int_equal(pos.index, -1);
	json_object_put(rec);
	assert_int_equal(source_next(s, &rec, &pos, NULL), 1);
	assert_int_equal(pos.line, 3);
	json_object_put(rec);
	assert_int_equal(source_next(s, &rec, &pos, NULL), 0);
	source_progress(s, &done, &total);
	assert_int_equal(done, total);
	source_close(s);
	unlink(path);
}

/* "-" reads standard input and is called <stdin>. */
static void test_stdin(void **state)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDIN_FILENO);
	struct source *s;
	struct json_object *rec;
	struct source_pos pos;
	uint64_t done, total;

	(void)state;
	assert_non_null(tmp);
	fputs("[{\"id\":\"x\"}]", tmp);
	fflush(tmp);
	rewind(tmp);
	assert_true(dup2(fileno(tmp), STDIN_FILENO) >= 0);
	assert_int_equal(source_open("-", NULL, &s, NULL), 0);
	assert_int_equal(source_format(s), SOURCE_JSON_ARRAY);
	assert_int_equal(source_next(s, &rec, &pos, NULL), 1);
	assert_string_equal(pos.file, "<stdin>");
	assert_int_equal(pos.line, 0);
	assert_int_equal(pos.index, 0);
	json_object_put(rec);
	source_progress(s, &done, &total);
	assert_int_equal(done, 12);
	source_close(s);
	assert_true(dup2(saved, STDIN_FILENO) >= 0);
	close(saved);
	fclose(tmp);
}

/* A read error is fatal and stays so. */
static void test_read_error(void **state)
{
	struct source *s = NULL;
	struct bs_error err;
	int fd;

	(void)state;
	/* A directory opened as a file: read(2) fails with EISDIR after open succeeded. */
	fd = open("/", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(source_open_fd(fd, "dir.jsonl", NULL, &s, &err), BS_EIO);
	assert_null(s);
	assert_non_null(strstr(err.msg, "dir.jsonl: "));
	assert_non_null(strstr(err.msg, "read failed: Is a directory"));
	close(fd);
}

struct kcase {
	const char *in, *want;
};

static void test_kind_words(void **state)
{
	static const struct kcase words[] = {
	    {"customer", "customer"},
	    {"customers", "customer"},
	    {"supplier", "supplier"},
	    {"suppliers", "supplier"},
	    {"product", "product"},
	    {"products", "product"},
	    {"sale", "sale"},
	    {"sales", "sale"},
	    {"Sales", "sale"},
	    {"credit_note", "credit_note"},
	    {"credit_notes", "credit_note"},
	    {"credit-notes", "credit_note"},
	    {"Credit Notes", "credit_note"},
	    {"payment", "payment"},
	    {"payments", "payment"},
	    {"purchase", "purchase"},
	    {"purchases", "purchase"},
	    {"adjustment", "adjustment"},
	    {"adjustments", "adjustment"},
	    {"cogs", "cogs"},
	    {"COGS", "cogs"},
	    {"gift_voucher", "gift_voucher"},
	    {"gift_vouchers", "gift_voucher"},
	    {"store_credit", "store_credit"},
	    {"store_credits", "store_credit"},
	    {"money_task", "money_task"},
	    {"money_tasks", "money_task"},
	    {"journal", "journal"},
	    {"journals", "journal"},
	    {"cogss", NULL},
	    {"salesx", NULL},
	    {"sal", NULL},
	    {"", NULL},
	    {"invoices", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *k = source_kind_from_word(words[i].in, strlen(words[i].in));

		if (words[i].want == NULL ? k != NULL : (k == NULL || strcmp(k, words[i].want)))
			fail_msg("word %s: got %s", words[i].in, k ? k : "NULL");
	}
}

static void test_kind_filenames(void **state)
{
	static const struct kcase names[] = {
	    {"sales.csv", "sale"},
	    {"sale.csv", "sale"},
	    {"customers.csv", "customer"},
	    {"/data/in/Customers.CSV", "customer"},
	    {"credit_notes.csv", "credit_note"},
	    {"2024-06_credit_notes.csv", "credit_note"},
	    {"export-gift_vouchers.csv", "gift_voucher"},
	    {"shop.sales.csv", "sale"},
	    {"cogs", "cogs"},
	    {"journals.v2.csv", NULL},
	    {"wholesales.csv", NULL},
	    {"notes.csv", NULL},
	    {"data.csv", NULL},
	    {"-", NULL},
	    {".csv", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *k = source_kind_from_filename(names[i].in);

		if (names[i].want == NULL ? k != NULL : (k == NULL || strcmp(k, names[i].want)))
			fail_msg("file %s: got %s", names[i].in, k ? k : "NULL");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),       cmocka_unit_test(test_money_text_verbatim),
	    cmocka_unit_test(test_open_errors), cmocka_unit_test(test_open_path),
	    cmocka_unit_test(test_stdin),       cmocka_unit_test(test_read_error),
	    cmocka_unit_test(test_kind_words),  cmocka_unit_test(test_kind_filenames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
