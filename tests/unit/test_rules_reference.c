/*
 * test_rules_reference.c - UTF-8 prefixes, unique invoice references
 * (docs/mapping-xero.md) and bill numbers (same) from src/rules/rules.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */

struct utf8_case {
	const char *s;
	size_t max;
	int rc;
	size_t nbytes;
	bool truncated;
};

static const struct utf8_case utf8_cases[] = {
    {"", 0, BS_OK, 0, false},
    {"", 5, BS_OK, 0, false},
    {"abc", 3, BS_OK, 3, false},
    {"abc", 2, BS_OK, 2, true},
    {"abc", 0, BS_OK, 0, true},
    {"abc", 100, BS_OK, 3, false},
    {"caf\xc3\xa9", 4, BS_OK, 5, false}, /* café: 4 chars, 5 bytes */
    {"caf\xc3\xa9", 3, BS_OK, 3, true},  /* never half an é */
    {"\xc3\xa9t\xc3\xa9", 2, BS_OK, 3, true},
    {"\xe2\x82\xac"
     "5",
     1, BS_OK, 3, true}, /* €5 */
    {"\xe2\x82\xac"
     "5",
     2, BS_OK, 4, false},
    {"\xf0\x9f\x98\x80x", 1, BS_OK, 4, true}, /* emoji, 4 bytes */
    {"\xf0\x9f\x98\x80x", 0, BS_OK, 0, true},
    {"\xe6\x97\xa5\xe6\x9c\xac", 1, BS_OK, 3, true}, /* 日本 */
    {"\xf4\x8f\xbf\xbf", 1, BS_OK, 4, false},        /* U+10FFFF */
    {"\xed\x9f\xbf", 1, BS_OK, 3, false},            /* U+D7FF */
    {"\xee\x80\x80", 1, BS_OK, 3, false},            /* U+E000 */
    /* invalid anywhere, even beyond the cut */
    {"ab\xff", 1, BS_EINVAL, 0, false},
    {"\x80", 5, BS_EINVAL, 0, false},             /* lone continuation */
    {"\xc3", 5, BS_EINVAL, 0, false},             /* truncated sequence */
    {"\xc3(", 5, BS_EINVAL, 0, false},            /* bad continuation */
    {"\xc0\xaf", 5, BS_EINVAL, 0, false},         /* overlong / */
    {"\xc1\xbf", 5, BS_EINVAL, 0, false},         /* overlong */
    {"\xe0\x80\xaf", 5, BS_EINVAL, 0, false},     /* overlong 3-byte */
    {"\xed\xa0\x80", 5, BS_EINVAL, 0, false},     /* surrogate U+D800 */
    {"\xf0\x80\x80\xaf", 5, BS_EINVAL, 0, false}, /* overlong 4-byte */
    {"\xf4\x90\x80\x80", 5, BS_EINVAL, 0, false}, /* U+110000 */
    {"\xf5\x80\x80\x80", 5, BS_EINVAL, 0, false},
    {"\xe2\x82", 5, BS_EINVAL, 0, false},
};

static void test_utf8_prefix(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(utf8_cases); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		size_t nb = 999;
		bool tr = false;
		int rc = rules_utf8_prefix(c->s, strlen(c->s), c->max, &nb, &tr);

		if (rc != c->rc || (rc == BS_OK && (nb != c->nbytes || tr != c->truncated)))
			fail_msg("utf8 case %zu: rc %d nbytes %zu truncated %d", i, rc, nb, tr);
	}
	/* An embedded NUL is refused (n counts past it). */
	{
		size_t nb;
		bool tr;

		assert_int_equal(rules_utf8_prefix("a\0b", 3, 5, &nb, &tr), BS_EINVAL);
		assert_int_equal(rules_utf8_prefix(NULL, 0, 5, &nb, &tr), BS_OK);
		assert_int_equal(nb, 0);
		assert_int_equal(rules_utf8_prefix(NULL, 1, 5, &nb, &tr), BS_EINVAL);
	}
}

/* ------------------------------------------------------------------ */

struct ref_case {
	const char *prefix;
	uint64_t serial;
	const char *ref;
	size_t max;
	int rc;
	const char *want;
	bool truncated;
};

static const struct ref_case ref_cases[] = {
    {"WEB-", 42, "SO-1001", 255, BS_OK, "WEB-42-SO-1001", false},
    {NULL, 42, "SO-1001", 255, BS_OK, "42-SO-1001", false},
    {"", 42, "SO-1001", 255, BS_OK, "42-SO-1001", false},
    {"INV", 1, "SO-1", 255, BS_OK, "INV1-SO-1", false},
    {"WEB-", 0, "SO-1", 255, BS_OK, "WEB-0-SO-1", false},
    {"WEB-", UINT64_MAX, "R", 255, BS_OK, "WEB-18446744073709551615-R", false},
    {"WEB-", 42, "", 255, BS_OK, "WEB-42", false},
    {"WEB-", 42, NULL, 255, BS_OK, "WEB-42", false},
    /* exact fit, one over: the source reference is cut, never the serial */
    {"WEB-", 42, "SO-1001", 14, BS_OK, "WEB-42-SO-1001", false},
    {"WEB-", 42, "SO-1001", 13, BS_OK, "WEB-42-SO-100", true},
    {"WEB-", 42, "SO-1001", 8, BS_OK, "WEB-42-S", true},
    {"WEB-", 42, "SO-1001", 7, BS_OK, "WEB-42", true}, /* no room for a character */
    {"WEB-", 42, "SO-1001", 6, BS_OK, "WEB-42", true},
    {"WEB-", 42, "SO-1001", 5, BS_ETOOBIG, "", false},
    {"WEB-", 42, "", 6, BS_OK, "WEB-42", false},
    {NULL, 123456, "X", 3, BS_ETOOBIG, "", false},
    /* QuickBooks' 21 */
    {"SHOP-", 1234, "ORDER-2026-000123456", 21, BS_OK, "SHOP-1234-ORDER-2026-", true},
    /* characters, not bytes */
    {"\xc3\x89-", 7, "caf\xc3\xa9-1", 10, BS_OK, "\xc3\x89-7-caf\xc3\xa9-1", false},
    {"\xc3\x89-", 7, "caf\xc3\xa9-1", 7, BS_OK, "\xc3\x89-7-caf", true},
    {"\xc3\x89-", 7, "caf\xc3\xa9-1", 8, BS_OK, "\xc3\x89-7-caf\xc3\xa9", true},
    {NULL, 9, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, BS_OK, "9-\xe6\x97\xa5\xe6\x9c\xac", true},
    {NULL, 9, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 3, BS_OK, "9-\xf0\x9f\x98\x80", true},
    /* invalid UTF-8 */
    {"W\xff", 1, "SO", 255, BS_EINVAL, "", false},
    {"W", 1, "SO\xc3", 255, BS_EINVAL, "", false},
    {"W", 1, "\xed\xa0\x80", 255, BS_EINVAL, "", false},
};

static void test_unique_reference(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(ref_cases); i++) {
		const struct ref_case *c = &ref_cases[i];
		struct buf b;
		struct bs_error err;
		bool tr = !c->truncated;
		int rc;

		buf_init(&b, 0);
		buf_addstr(&b, "[");
		rc = rules_unique_reference(&b, c->prefix, c->serial, c->ref, c->max, &tr, &err);
		if (rc != c->rc)
			fail_msg("ref case %zu: rc %d want %d (%s)", i, rc, c->rc, err.msg);
		if (rc == BS_OK) {
			if (strcmp(buf_cstr(&b) + 1, c->want) != 0 || tr != c->truncated)
				fail_msg("ref case %zu: \"%s\" truncated %d, want \"%s\" %d", i,
				         buf_cstr(&b) + 1, tr, c->want, c->truncated);
		} else {
			/* out unchanged on error */
			assert_string_equal(buf_cstr(&b), "[");
		}
		buf_free(&b);
	}
}

/* The serial survives any cut, so two records with the same long source
 * reference still get distinct numbers. */
static void test_reference_serial_unique(void **state)
{
	char ref[300];

	(void)state;
	memset(ref, 'R', sizeof(ref) - 1);
	ref[sizeof(ref) - 1] = '\0';
	for (uint64_t serial = 1; serial < 2000; serial += 37) {
		struct buf a, b;
		bool ta, tb;

		buf_init(&a, 0);
		buf_init(&b, 0);
		assert_int_equal(rules_unique_reference(&a, "P-", serial, ref, 255, &ta, NULL),
		                 BS_OK);
		assert_int_equal(rules_unique_reference(&b, "P-", serial + 1, ref, 255, &tb, NULL),
		                 BS_OK);
		assert_true(ta && tb);
		assert_int_equal(a.len, 255);
		assert_true(strcmp(buf_cstr(&a), buf_cstr(&b)) != 0);
		buf_free(&a);
		buf_free(&b);
	}
}

/* ------------------------------------------------------------------ */

struct bill_case {
	const char *inv;
	const char *po;
	size_t max;
	int rc;
	const char *want;
	bool truncated;
};

static const struct bill_case bill_cases[] = {
    {"INV-77", "PO-2001", 255, BS_OK, "INV-77 / PO-2001", false},
    {"INV-77", "PO-2001", 21, BS_OK, "INV-77 / PO-2001", false},
    {"INV-77", "PO-2001", 16, BS_OK, "INV-77 / PO-2001", false},
    {"INV-77", "PO-2001", 15, BS_OK, "INV-77 / PO-200", true},
    {"INV-77", "PO-2001", 10, BS_OK, "INV-77 / P", true},
    {"INV-77", "PO-2001", 9, BS_OK, "INV-77", true}, /* would dangle " / " */
    {"INV-77", "PO-2001", 8, BS_OK, "INV-77", true},
    {"INV-77", "PO-2001", 6, BS_OK, "INV-77", true},
    {"INV-77", "PO-2001", 5, BS_OK, "INV-7", true},
    {"INV-77", "", 21, BS_OK, "INV-77", false},
    {"INV-77", NULL, 21, BS_OK, "INV-77", false},
    {"SUPPLIER-INVOICE-000123", "PO-2001", 21, BS_OK, "SUPPLIER-INVOICE-0001", true},
    {"A1234567", "PO-000000009999", 21, BS_OK, "A1234567 / PO-0000000", true},
    {"\xc3\xa9\xc3\xa9", "PO-\xe2\x82\xac", 8, BS_OK, "\xc3\xa9\xc3\xa9 / PO-", true},
    {"\xc3\xa9\xc3\xa9", "PO-\xe2\x82\xac", 9, BS_OK, "\xc3\xa9\xc3\xa9 / PO-\xe2\x82\xac", false},
    {"", "PO-1", 21, BS_EINVAL, "", false},
    {NULL, "PO-1", 21, BS_EINVAL, "", false},
    {"INV", "PO-1", 0, BS_EINVAL, "", false},
    {"IN\xff", "PO-1", 21, BS_EINVAL, "", false},
    {"INV", "PO\xc3", 21, BS_EINVAL, "", false},
};

static void test_bill_number(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(bill_cases); i++) {
		const struct bill_case *c = &bill_cases[i];
		struct buf b;
		bool tr = !c->truncated;
		int rc;

		buf_init(&b, 0);
		rc = rules_bill_number(&b, c->inv, c->po, c->max, &tr, NULL);
		if (rc != c->rc)
			fail_msg("bill case %zu: rc %d want %d", i, rc, c->rc);
		if (rc == BS_OK && (strcmp(buf_cstr(&b), c->want) != 0 || tr != c->truncated))
			fail_msg("bill case %zu: \"%s\" truncated %d, want \"%s\" %d", i,
			         buf_cstr(&b), tr, c->want, c->truncated);
		if (rc != BS_OK)
			assert_int_equal(b.len, 0);
		buf_free(&b);
	}
}

/* ------------------------------------------------------------------ */
/* Property: random UTF-8 in, valid UTF-8 out, never over the limit. */

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

/* Append one random character of 1 to 4 bytes; returns its byte count. */
static size_t rnd_char(char *p)
{
	static const char *const pool[] = {"A",
	                                   "-",
	                                   "7",
	                                   "\xc3\xa9",
	                                   "\xd0\x96",
	                                   "\xe2\x82\xac",
	                                   "\xe6\x97\xa5",
	                                   "\xf0\x9f\x98\x80",
	                                   "\xf4\x8f\xbf\xbf"};
	const char *c = pool[rng() % N(pool)];
	size_t n = strlen(c);

	memcpy(p, c, n);
	return n;
}

static size_t count_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static void test_reference_property(void **state)
{
	(void)state;
	rng_state = UINT64_C(0x853c49e6748fea9b);
	for (int iter = 0; iter < 20000; iter++) {
		char prefix[64], ref[256], inv[128];
		size_t pn = 0, rn = 0, in_n = 0, pc, rc_chars, max, nb;
		size_t nprefix = rng() % 5, nref = rng() % 40, ninv = 1 + rng() % 25;
		uint64_t serial = rng() % 100000;
		char num[24];
		struct buf b;
		bool tr, tr2;
		int rc;

		for (size_t i = 0; i < nprefix; i++)
			pn += rnd_char(prefix + pn);
		prefix[pn] = '\0';
		for (size_t i = 0; i < nref; i++)
			rn += rnd_char(ref + rn);
		ref[rn] = '\0';
		for (size_t i = 0; i < ninv; i++)
			in_n += rnd_char(inv + in_n);
		inv[in_n] = '\0';
		pc = count_chars(prefix, pn);
		rc_chars = count_chars(ref, rn);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)serial);
		max = 1 + rng() % 60;

		buf_init(&b, 0);
		rc = rules_unique_reference(&b, prefix, serial, ref, max, &tr, NULL);
		if (pc + strlen(num) > max) {
			assert_int_equal(rc, BS_ETOOBIG);
		} else {
			size_t full = pc + strlen(num) + (rn > 0 ? 1 + rc_chars : 0);

			assert_int_equal(rc, BS_OK);
			assert_int_equal(rules_utf8_prefix(b.ptr, b.len, SIZE_MAX, &nb, &tr2),
			                 BS_OK);
			assert_true(count_chars(b.ptr, b.len) <= max);
			assert_int_equal(tr, full > max);
			if (!tr)
				assert_int_equal(count_chars(b.ptr, b.len), full);
			/* prefix and serial always whole */
			assert_int_equal(memcmp(b.ptr, prefix, pn), 0);
			assert_int_equal(memcmp(b.ptr + pn, num, strlen(num)), 0);
			/* what follows is "-" and a prefix of the source reference */
			if (b.len > pn + strlen(num)) {
				assert_int_equal(b.ptr[pn + strlen(num)], '-');
				assert_int_equal(memcmp(b.ptr + pn + strlen(num) + 1, ref,
				                        b.len - pn - strlen(num) - 1),
				                 0);
			}
		}
		buf_reset(&b);
		rc = rules_bill_number(&b, inv, ref, max, &tr, NULL);
		assert_int_equal(rc, BS_OK);
		assert_int_equal(rules_utf8_prefix(b.ptr, b.len, SIZE_MAX, &nb, &tr2), BS_OK);
		assert_true(count_chars(b.ptr, b.len) <= max);
		assert_int_equal(tr, count_chars(inv, in_n) + (rn > 0 ? 3 + rc_chars : 0) > max);
		/* never a dangling separator */
		assert_true(b.len < 3 || strcmp(b.ptr + b.len - 3, " / ") != 0);
		assert_true(b.len < 2 || strcmp(b.ptr + b.len - 2, " /") != 0);
		assert_true(b.len < 1 || b.ptr[b.len - 1] != ' ' || inv[0] == ' ');
		buf_free(&b);
	}
}

/* A bounded buffer that is full: the error is passed on and out unchanged. */
static void test_buf_full(void **state)
{
	struct buf b;
	bool tr;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_addstr(&b, "12345"), BS_OK);
	assert_int_equal(rules_unique_reference(&b, "WEB-", 42, "SO-1", 255, &tr, NULL),
	                 BS_ETOOBIG);
	assert_string_equal(buf_cstr(&b), "12345");
	assert_int_equal(rules_bill_number(&b, "INV-1", "PO-1", 255, &tr, NULL), BS_ETOOBIG);
	assert_string_equal(buf_cstr(&b), "12345");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_prefix),
	    cmocka_unit_test(test_unique_reference),
	    cmocka_unit_test(test_reference_serial_unique),
	    cmocka_unit_test(test_bill_number),
	    cmocka_unit_test(test_reference_property),
	    cmocka_unit_test(test_buf_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
