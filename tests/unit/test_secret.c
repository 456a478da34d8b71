/*
 * test_secret.c - secrets at rest (src/core/secret.h): seal/open round
 * trips, tamper detection at every byte, wrong key, malformed text, and the
 * key file's creation, permissions and size checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/secret.h"

static const unsigned char key1[SECRET_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const unsigned char key2[SECRET_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8, 10};

static void test_round_trip(void **state)
{
	static const struct {
		const char *plain;
		size_t n;
	} cases[] = {
	    {"", 0},
	    {"x", 1},
	    {"refresh-token-0123456789abcdef", 30},
	    {"with\0nul\0inside", 15},
	};
	struct buf sealed, sealed2, plain;
	struct bs_error err;
	(void)state;

	buf_init(&sealed, 0);
	buf_init(&sealed2, 0);
	buf_init(&plain, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&sealed);
		buf_reset(&sealed2);
		buf_reset(&plain);
		assert_int_equal(secret_seal(key1, cases[i].plain, cases[i].n, &sealed), BS_OK);
		/* printable, no separators that would upset a TEXT column or a line */
		for (size_t j = 0; j < sealed.len; j++)
			assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			                   "0123456789+/=",
			                   sealed.ptr[j]) != NULL);
		assert_int_equal(sealed.len, 4 * ((24 + 16 + cases[i].n + 2) / 3));
		assert_int_equal(secret_seal(key1, cases[i].plain, cases[i].n, &sealed2), BS_OK);
		assert_string_not_equal(buf_cstr(&sealed), buf_cstr(&sealed2)); /* fresh nonce */
		assert_int_equal(secret_open(key1, buf_cstr(&sealed), &plain, &err), BS_OK);
		assert_int_equal(plain.len, cases[i].n);
		if (cases[i].n)
			assert_memory_equal(plain.ptr, cases[i].plain, cases[i].n);
		assert_string_equal(buf_cstr(&plain), cases[i].plain); /* NUL-terminated */
	}
	/* a big secret */
	{
		size_t n = 100000;
		unsigned char *big = malloc(n);

		assert_non_null(big);
		randombytes_buf(big, n);
		buf_reset(&sealed);
		buf_reset(&plain);
		assert_int_equal(secret_seal(key1, big, n, &sealed), BS_OK);
		assert_int_equal(secret_open(key1, buf_cstr(&sealed), &plain, &err), BS_OK);
		assert_int_equal(plain.len, n);
		assert_memory_equal(plain.ptr, big, n);
		free(big);
	}
	/* the output buffer's bound is honoured, leaving it unchanged */
	{
		struct buf small;

		buf_init(&small, 16);
		assert_int_equal(secret_seal(key1, "abc", 3, &small), BS_ETOOBIG);
		assert_int_equal(small.len, 0);
		buf_free(&small);
	}
	buf_free(&sealed);
	buf_free(&sealed2);
	secret_buf_wipe(&plain);
	assert_null(plain.ptr);
}

static void test_tamper_and_wrong_key(void **state)
{
	const char *msg = "access-token";
	struct buf sealed, plain, text;
	struct bs_error err;
	unsigned char raw[256];
	size_t rawlen;
	char b64[512];
	(void)state;

	buf_init(&sealed, 0);
	buf_init(&plain, 0);
	buf_init(&text, 0);
	assert_int_equal(secret_seal(key1, msg, strlen(msg), &sealed), BS_OK);
	assert_int_equal(secret_open(key2, buf_cstr(&sealed), &plain, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "another key"));
	assert_int_equal(plain.len, 0);

	/* flip one bit in every byte of nonce, MAC and ciphertext: none opens */
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), buf_cstr(&sealed), sealed.len, NULL,
	                                   &rawlen, NULL, sodium_base64_VARIANT_ORIGINAL),
	                 0);
	assert_int_equal(rawlen, 24 + 16 + strlen(msg));
	for (size_t i = 0; i < rawlen; i++) {
		raw[i] ^= 0x01;
		sodium_bin2base64(b64, sizeof(b64), raw, rawlen, sodium_base64_VARIANT_ORIGINAL);
		raw[i] ^= 0x01;
		assert_int_equal(secret_open(key1, b64, &plain, &err), BS_EINVAL);
		assert_int_equal(plain.len, 0);
	}
	/* truncated (drop the last ciphertext byte), and too short for nonce + MAC */
	sodium_bin2base64(b64, sizeof(b64), raw, rawlen - 1, sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(secret_open(key1, b64, &plain, &err), BS_EINVAL);
	sodium_bin2base64(b64, sizeof(b64), raw, 39, sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(secret_open(key1, b64, &plain, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "too short"));
	/* not base64 at all, and empty */
	assert_int_equal(secret_open(key1, "not base64!*", &plain, &err), BS_EINVAL);
	assert_int_equal(secret_open(key1, "", &plain, &err), BS_EINVAL);
	/* the untouched text still opens */
	sodium_bin2base64(b64, sizeof(b64), raw, rawlen, sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(secret_open(key1, b64, &plain, &err), BS_OK);
	assert_string_equal(buf_cstr(&plain), msg);
	buf_free(&sealed);
	secret_buf_wipe(&plain);
	buf_free(&text);
}

struct tmpdir {
	char path[64];
	char file[96];
};

static int mk_tmpdir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->path, sizeof(t->path), "/tmp/bs-secret-XXXXXX");
	assert_non_null(mkdtemp(t->path));
	snprintf(t->file, sizeof(t->file), "%s/key", t->path);
	*state = t;
	return 0;
}

static int rm_tmpdir(void **state)
{
	struct tmpdir *t = *state;
	char p[128];

	unlink(t->file);
	snprintf(p, sizeof(p), "%s/link", t->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s/dir", t->path);
	rmdir(p);
	rmdir(t->path);
	free(t);
	return 0;
}

static void write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_key_create_then_load(void **state)
{
	struct tmpdir *t = *state;
	unsigned char k[SECRET_KEY_BYTES], k2[SECRET_KEY_BYTES], zero[SECRET_KEY_BYTES] = {0};
	struct bs_error err;
	struct stat st;
	mode_t old = umask(022);

	assert_int_equal(secret_key_load_or_create(t->file, k, &err), BS_OK);
	umask(old);
	assert_int_equal(stat(t->file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, SECRET_KEY_BYTES);
	assert_memory_not_equal(k, zero, SECRET_KEY_BYTES);
	/* the second call loads the same key */
	assert_int_equal(secret_key_load_or_create(t->file, k2, &err), BS_OK);
	assert_memory_equal(k, k2, SECRET_KEY_BYTES);
	/* and a secret sealed with one opens with the other */
	{
		struct buf s, p;

		buf_init(&s, 0);
		buf_init(&p, 0);
		assert_int_equal(secret_seal(k, "tok", 3, &s), BS_OK);
		assert_int_equal(secret_open(k2, buf_cstr(&s), &p, &err), BS_OK);
		assert_string_equal(buf_cstr(&p), "tok");
		buf_free(&s);
		secret_buf_wipe(&p);
	}
}

static void test_key_file_refused(void **state)
{
	static const struct {
		size_t size;
		mode_t mode;
		const char *needle;
	} cases[] = {
	    {32, 0644, "chmod 600"}, {32, 0640, "chmod 600"}, {32, 0604, "chmod 600"},
	    {32, 0620, "chmod 600"}, {31, 0600, "31 bytes"},  {33, 0600, "33 bytes"},
	    {0, 0600, "0 bytes"},
	};
	struct tmpdir *t = *state;
	unsigned char data[64], k[SECRET_KEY_BYTES], zero[SECRET_KEY_BYTES] = {0};
	struct bs_error err;
	char p[128];

	memset(data, 0xAB, sizeof(data));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unlink(t->file);
		write_file(t->file, data, cases[i].size, cases[i].mode);
		memset(k, 0x55, sizeof(k));
		assert_int_equal(secret_key_load_or_create(t->file, k, &err), BS_EINVAL);
		if (strstr(err.msg, cases[i].needle) == NULL)
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg,
			         cases[i].needle);
		assert_memory_equal(k, zero, SECRET_KEY_BYTES); /* nothing half-loaded */
	}
	/* 0600 and 0400 are accepted */
	unlink(t->file);
	write_file(t->file, data, 32, 0400);
	assert_int_equal(secret_key_load_or_create(t->file, k, &err), BS_OK);
	assert_memory_equal(k, data, SECRET_KEY_BYTES);
	chmod(t->file, 0600);
	/* a directory, a symbolic link, a missing directory */
	snprintf(p, sizeof(p), "%s/dir", t->path);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(secret_key_load_or_create(p, k, &err), BS_EINVAL);
	snprintf(p, sizeof(p), "%s/link", t->path);
	assert_int_equal(symlink(t->file, p), 0);
	assert_int_equal(secret_key_load_or_create(p, k, &err), BS_EINVAL);
	assert_non_null(strstr(err.msg, "symbolic link"));
	snprintf(p, sizeof(p), "%s/missing/key", t->path);
	assert_int_equal(secret_key_load_or_create(p, k, &err), BS_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_tamper_and_wrong_key),
	    cmocka_unit_test_setup_teardown(test_key_create_then_load, mk_tmpdir, rm_tmpdir),
	    cmocka_unit_test_setup_teardown(test_key_file_refused, mk_tmpdir, rm_tmpdir),
	};

	if (sodium_init() < 0) /* the test itself uses libsodium too */
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
