/*
 * test_jsonr.c - jsonr_parse makes exactly json-c's tree (core/jsonr.h).
 *
 * Every case is parsed twice, by jsonr_parse and by json_tokener_parse_ex
 * on a fresh tokener, and the two must agree: both no value, or equal
 * trees (json_object_equal) that print the same text (a decimal keeps its
 * source digits in both).  The cases: a table of the shapes the fast
 * descent takes and of those it must leave to json-c, then thousands of
 * generated documents and their mutations (a byte dropped, changed or
 * doubled), from a fixed seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core/jsonr.h"

static int agree(const char *s, size_t len)
{
	/* fresh tokeners for both: json-c's reset leaves a half-read \u
	 * escape's state behind, and the fast descent is not to answer for it */
	struct json_tokener *tok = json_tokener_new(), *ref = json_tokener_new();
	struct json_object *a = jsonr_parse(tok, s, len);
	struct json_object *b = json_tokener_parse_ex(ref, s, (int)len);
	int same;

	if (a == NULL || b == NULL) {
		same = a == b;
	} else {
		const char *ta = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
		const char *tb = json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN);

		/* NaN is never equal to itself: its text decides */
		same =
		    strcmp(ta, tb) == 0 && (json_object_equal(a, b) || strstr(ta, "NaN") != NULL);
		if (!same)
			fprintf(stderr, "jsonr: %s\njson-c: %s\n", ta, tb);
	}
	if (!same) {
		fprintf(stderr, "differs on [%.*s]:", (int)len, s);
		for (size_t i = 0; i < len && i < 40; i++)
			fprintf(stderr, " %02x", (unsigned char)s[i]);
		fprintf(stderr, "\n");
	}
	json_object_put(a);
	json_object_put(b);
	json_tokener_free(ref);
	json_tokener_free(tok);
	return same;
}

static void test_table(void **state)
{
	static const char *const cases[] = {
	    /* the fast descent's own */
	    "{}",
	    "[]",
	    " {\"a\":1} ",
	    "{\"a\":\"b\",\"c\":[1,2,3],\"d\":{\"e\":null,\"f\":true,\"g\":false}}",
	    "{\"amount\":\"12.50\",\"qty\":1.500,\"neg\":-0.25,\"zero\":0,\"n\":-17}",
	    "{\"big\":999999999999999999,\"neg\":-999999999999999999}",
	    "{\"esc\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}",
	    "{\"u\":\"\\u00e9\\u4e2d\\u0041\\u07ff\\u0800\\uffff\"}",
	    "{\"utf8\":\"caf\xc3\xa9 \xe4\xb8\xad\"}",
	    "{\"dup\":1,\"dup\":2}",
	    "[[[[[]]]]]",
	    "{ \"a\" : [ 1 , { \"b\" : \"c\" } ] }\n",
	    "[\"\",{},[],0.0,-0.0]",
	    /* json-c's: what the descent must not decide */
	    "",
	    "   ",
	    "1",
	    "\"top\"",
	    "true",
	    "null",
	    "{\"e\":1e5}",
	    "{\"e\":1.5E-3}",
	    "{\"z\":-0}",
	    "{\"lead\":007}",
	    "{\"huge\":9999999999999999999}",
	    "{\"huger\":123456789012345678901234567890}",
	    "{\"dot\":1.}",
	    "{\"dot\":.5}",
	    "{\"pair\":\"\\ud83d\\ude00\"}",
	    "{\"lone\":\"\\ud83d\"}",
	    "{\"nul\":\"a\\u0000b\"}",
	    "{\"ctl\":\"a\tb\"}",
	    "{\"bad\":\"\\x\"}",
	    "{\"hex\":\"\\u00zz\"}",
	    "{\"a\":1,}",
	    "[1,]",
	    "{\"a\" 1}",
	    "{a:1}",
	    "{'a':1}",
	    "{\"a\":1} x",
	    "{\"a\":1}{}",
	    "/* c */ {\"a\":1}",
	    "{\"a\":1 /* c */}",
	    "{\"a\":True}",
	    "{\"a\":nul}",
	    "{\"a\":NaN}",
	    "{\"a\":Infinity}",
	    "{\"a\":-Infinity}",
	    "{\"a\":\"open",
	    "{\"a\":[1,2",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_true(agree(cases[i], strlen(cases[i])));
	/* an escape, a control character or a UTF-8 byte at every place of
	 * strings of 0 to 24 bytes, whole and cut short inside */
	for (int len = 0; len <= 24; len++) {
		static const char *const odd[] = {
		    "\\\"", "\\\\", "\\n", "\x01", "\x1f", "\xc3\xa9", "\xe2\x82\xac", "\x7f", " "};

		for (int at = 0; at <= len; at++) {
			for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
				char doc[128];
				int n = snprintf(doc, sizeof(doc), "{\"k\":\"%.*s%s%.*s\",\"z\":1}",
				                 at, "abcdefghijklmnopqrstuvwxyz", odd[k], len - at,
				                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

				assert_true(agree(doc, (size_t)n));
				/* and the text cut short inside the string */
				assert_true(agree(doc, (size_t)(at + 7)));
			}
		}
	}
	/* a long key and a long string */
	{
		char big[1200];
		int n = snprintf(big, sizeof(big), "{\"%0300d\":\"%0800d\"}", 1, 2);

		assert_true(agree(big, (size_t)n));
	}
}

/* The known keys: in the order the lookup needs, and each a member json-c
 * makes the same, alone, repeated, and past the members jsonr.c tracks. */
static void test_known_keys(void **state)
{
	const char *const *keys;
	size_t n = jsonr_known_keys(&keys), len = 0;
	char doc[16384];

	(void)state;
	assert_true(n > 100);
	for (size_t i = 1; i < n; i++) {
		size_t a = strlen(keys[i - 1]), b = strlen(keys[i]);

		assert_true(a < b || (a == b && memcmp(keys[i - 1], keys[i], a) < 0));
	}
	/* every key twice, the repeats after all the firsts: the first place,
	 * the last value, as json-c keeps them */
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < n; i++) {
			assert_true(len + strlen(keys[i]) + 32 < sizeof(doc));
			len +=
			    (size_t)snprintf(doc + len, sizeof(doc) - len, "%s\"%s\":%d",
			                     len == 0 ? "{" : ",", keys[i], round * 1000 + (int)i);
		}
	}
	doc[len++] = '}';
	doc[len] = '\0';
	assert_true(agree(doc, len));
	/* a lone key each, and one repeated at once; each found in the list
	 * (json-c holds it as the constant, not a copy) */
	for (size_t i = 0; i < n; i++) {
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o;
		char one[128];
		int m = snprintf(one, sizeof(one), "{\"%s\":[{\"%s\":1,\"%s\":\"x\"}]}", keys[i],
		                 keys[i], keys[i]);

		assert_true(agree(one, (size_t)m));
		o = jsonr_parse(tok, one, (size_t)m);
		assert_non_null(o);
		assert_true(lh_table_head(json_object_get_object(o))->k_is_constant);
		assert_ptr_equal(lh_entry_k(lh_table_head(json_object_get_object(o))), keys[i]);
		json_object_put(o);
		json_tokener_free(tok);
	}
	/* a tree of constant keys outlives edits and copies */
	{
		struct json_tokener *tok = json_tokener_new();
		static const char text[] = "{\"id\":\"a\",\"type\":{\"kind\":1}}";
		struct json_object *o = jsonr_parse(tok, text, sizeof(text) - 1);
		struct json_object *copy = NULL;

		assert_non_null(o);
		assert_int_equal(json_object_deep_copy(o, &copy, NULL), 0);
		json_object_object_del(o, "id");
		json_object_object_add(o, "id", json_object_new_string("b"));
		assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		                    "{\"type\":{\"kind\":1},\"id\":\"b\"}");
		json_object_put(o);
		assert_string_equal(json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN),
		                    "{\"id\":\"a\",\"type\":{\"kind\":1}}");
		json_object_put(copy);
		json_tokener_free(tok);
	}
}

/* jsonr_str and jsonr_bool against json-c's own lookup: every key of
 * objects walked (small) and hashed (over 24 members), absent keys, keys
 * sharing a first byte, repeats, values of every type, and no object. */
static void test_readers(void **state)
{
	static const char every[] = "{\"a\":\"1\",\"ab\":2,\"abc\":true,\"b\":false,\"n\":null,"
	                            "\"o\":{},\"arr\":[1],\"d\":12.50,\"\":\"empty key\"}";
	static const char *const docs[] = {
	    every,
	    "{\"id\":\"x\",\"id\":\"y\",\"type\":\"Invoice\"}",
	    "[\"not\",\"an\",\"object\"]",
	    "\"text\"",
	    NULL, /* the big one, made below */
	};
	static const char *const keys[] = {"a",  "ab",  "abc", "abcd", "b",  "n",
	                                   "o",  "arr", "d",   "",     "id", "type",
	                                   "k7", "k30", "k31", "zz",   "A"};
	char big[2048];
	size_t len = 0;

	(void)state;
	len += (size_t)snprintf(big, sizeof(big), "{");
	for (int i = 0; i < 32; i++)
		len +=
		    (size_t)snprintf(big + len, sizeof(big) - len, "%s\"k%d\":%s", i ? "," : "", i,
		                     i % 3 == 0   ? "true"
		                     : i % 3 == 1 ? "\"v\""
		                                  : "7");
	snprintf(big + len, sizeof(big) - len, "}");
	for (size_t d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		const char *text = docs[d] != NULL ? docs[d] : big;
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o = jsonr_parse(tok, text, strlen(text));

		assert_non_null(o);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			struct json_object *v = NULL;
			bool has = json_object_is_type(o, json_type_object) &&
			           json_object_object_get_ex(o, keys[k], &v) && v != NULL;
			const char *want = has && !json_object_is_type(v, json_type_object) &&
			                           !json_object_is_type(v, json_type_array)
			                       ? json_object_get_string(v)
			                       : NULL;
			const char *got = jsonr_str(o, keys[k]);

			if (want == NULL)
				assert_null(got);
			else
				assert_string_equal(got, want);
			assert_int_equal(jsonr_bool(o, keys[k]),
			                 has && json_object_is_type(v, json_type_boolean) &&
			                     json_object_get_boolean(v));
		}
		json_object_put(o);
		json_tokener_free(tok);
	}
	assert_null(jsonr_str(NULL, "a"));
	assert_false(jsonr_bool(NULL, "a"));
}

/* ---- generated documents ---------------------------------------------- */

struct gen {
	uint64_t s;
	char *buf;
	size_t n, cap;
};

static uint32_t rnd(struct gen *g, uint32_t below)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return (uint32_t)(g->s % below);
}

static void put(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	if (g->n + n + 1 > g->cap) {
		g->cap = (g->n + n + 1) * 2;
		g->buf = realloc(g->buf, g->cap);
		assert_non_null(g->buf);
	}
	memcpy(g->buf + g->n, s, n + 1);
	g->n += n;
}

static void gen_string(struct gen *g)
{
	static const char *const bits[] = {"a",   "Z",       " ",       "\\\"",          "\\\\",
	                                   "\\n", "\\u00e9", "\\u0041", "\xc3\xa9",      "-",
	                                   "12",  "\\/",     "\\t",     "\\ud83d\\ude00"};
	int n = (int)rnd(g, 6);

	put(g, "\"");
	for (int i = 0; i < n; i++)
		put(g, bits[rnd(g, sizeof(bits) / sizeof(bits[0]))]);
	put(g, "\"");
}

static void gen_value(struct gen *g, int depth)
{
	static const char *const nums[] = {"0",
	                                   "1",
	                                   "-1",
	                                   "12.50",
	                                   "0.001",
	                                   "-3.25",
	                                   "1e3",
	                                   "100",
	                                   "-0",
	                                   "2.5E-1",
	                                   "10.0",
	                                   "7",
	                                   "12345678901234567",
	                                   "-0.0"};
	char tmp[32];
	uint32_t k = rnd(g, depth > 4 ? 5 : 7);

	switch (k) {
	case 0:
		gen_string(g);
		break;
	case 1:
		put(g, nums[rnd(g, sizeof(nums) / sizeof(nums[0]))]);
		break;
	case 2:
		snprintf(tmp, sizeof(tmp), "%d", (int)rnd(g, 100000) - 50000);
		put(g, tmp);
		break;
	case 3:
		put(g, rnd(g, 2) ? "true" : "false");
		break;
	case 4:
		put(g, "null");
		break;
	case 5: {
		int n = (int)rnd(g, 5);

		put(g, "{");
		for (int i = 0; i < n; i++) {
			static const char *const known[] = {"\"id\"", "\"type\"", "\"lines\"",
			                                    "\"amount\"", "\"unit_price\""};

			if (i > 0)
				put(g, rnd(g, 4) ? "," : ", ");
			/* keys jsonr.c adds uncopied, repeats among them */
			if (rnd(g, 2))
				put(g, known[rnd(g, sizeof(known) / sizeof(known[0]))]);
			else
				gen_string(g);
			put(g, rnd(g, 3) ? ":" : " : ");
			gen_value(g, depth + 1);
		}
		put(g, "}");
		break;
	}
	default: {
		int n = (int)rnd(g, 5);

		put(g, "[");
		for (int i = 0; i < n; i++) {
			if (i > 0)
				put(g, ",");
			gen_value(g, depth + 1);
		}
		put(g, "]");
		break;
	}
	}
}

static void test_generated(void **state)
{
	struct gen g = {.s = 0x9E3779B97F4A7C15ull};
	char *m = NULL;
	int docs = 0;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		g.n = 0;
		put(&g, rnd(&g, 2) ? "{\"doc\":" : "[");
		gen_value(&g, 0);
		put(&g, g.buf[0] == '{' ? "}" : "]");
		assert_true(agree(g.buf, g.n));
		docs++;
		/* three mutations of each: a byte dropped, changed, doubled */
		{
			char *more = realloc(m, g.n + 2);

			assert_non_null(more);
			m = more;
		}
		for (int k = 0; k < 3 && g.n > 1; k++) {
			size_t at = rnd(&g, (uint32_t)g.n), n = g.n;
			static const char alphabet[] = "{}[]\",:\\0123456789.-eEtfnu \t";

			memcpy(m, g.buf, g.n);
			if (k == 0) {
				memmove(m + at, m + at + 1, n - at - 1);
				n--;
			} else if (k == 1) {
				m[at] = alphabet[rnd(&g, sizeof(alphabet) - 1)];
			} else {
				memmove(m + at + 1, m + at, n - at);
				n++;
			}
			assert_true(agree(m, n));
			docs++;
		}
	}
	assert_int_equal(docs, 12000);
	free(m);
	free(g.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_known_keys),
	    cmocka_unit_test(test_readers),
	    cmocka_unit_test(test_generated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
