/*
 * secret.c - key file handling and secretbox sealing (see secret.h).
 *
 * The key file is created with O_EXCL so two processes starting at once
 * cannot each write a different key: the loser of the race reads the
 * winner's file.  Permissions are checked on the open descriptor (fstat),
 * not the path, so nothing can be swapped in between.
 */
#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NONCE_BYTES crypto_secretbox_NONCEBYTES
#define MAC_BYTES   crypto_secretbox_MACBYTES

static int sodium_ready(struct bs_error *err)
{
	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	return BS_OK;
}

/* fsync the directory holding `path`, so a new file's name is durable. */
static int sync_dir(const char *path, struct bs_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc = BS_OK;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = bs_error_set(err, BS_EIO, "key file %s: cannot sync its directory: %s", path,
		                  strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

static int create_key(const char *path, unsigned char key[SECRET_KEY_BYTES], struct bs_error *err)
{
	size_t done = 0;
	int fd, rc = BS_OK;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return BS_EBUSY; /* someone else created it just now: load theirs */
		return bs_error_set(err, BS_EIO, "key file %s: cannot create: %s", path,
		                    strerror(errno));
	}
	randombytes_buf(key, SECRET_KEY_BYTES);
	while (done < SECRET_KEY_BYTES) {
		ssize_t w = write(fd, key + done, SECRET_KEY_BYTES - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = bs_error_set(err, BS_EIO, "key file %s: write failed: %s", path,
			                  w < 0 ? strerror(errno) : "wrote nothing");
			goto out;
		}
		done += (size_t)w;
	}
	if (fsync(fd) != 0) {
		rc = bs_error_set(err, BS_EIO, "key file %s: fsync failed: %s", path,
		                  strerror(errno));
		goto out;
	}
out:
	if (close(fd) != 0 && rc == BS_OK)
		rc = bs_error_set(err, BS_EIO, "key file %s: close failed: %s", path,
		                  strerror(errno));
	if (rc == BS_OK)
		rc = sync_dir(path, err);
	if (rc != BS_OK)
		unlink(path); /* never leave a key nobody holds, or half a key */
	return rc;
}

/* BS_ENOTFOUND when the file does not exist. */
static int load_key(const char *path, unsigned char key[SECRET_KEY_BYTES], struct bs_error *err)
{
	struct stat st;
	size_t done = 0;
	int fd, rc = BS_OK;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return BS_ENOTFOUND;
		if (errno == ELOOP)
			return bs_error_set(err, BS_EINVAL,
			                    "key file %s is a symbolic link: point the key path "
			                    "at the file itself",
			                    path);
		return bs_error_set(err, BS_EIO, "key file %s: cannot open: %s", path,
		                    strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		rc = bs_error_set(err, BS_EIO, "key file %s: fstat failed: %s", path,
		                  strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = bs_error_set(err, BS_EINVAL, "key file %s is not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		rc = bs_error_set(err, BS_EINVAL,
		                  "key file %s is accessible by group or others (mode %04o): "
		                  "run chmod 600 %s",
		                  path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_size != SECRET_KEY_BYTES) {
		rc = bs_error_set(err, BS_EINVAL,
		                  "key file %s is %lld bytes, a key is %d: restore the right "
		                  "file (a new key cannot open secrets sealed with the old one)",
		                  path, (long long)st.st_size, SECRET_KEY_BYTES);
		goto out;
	}
	while (done < SECRET_KEY_BYTES) {
		ssize_t r = read(fd, key + done, SECRET_KEY_BYTES - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = bs_error_set(err, BS_EIO, "key file %s: read failed: %s", path,
			                  r < 0 ? strerror(errno) : "short file");
			goto out;
		}
		done += (size_t)r;
	}
out:
	close(fd);
	return rc;
}

int secret_key_load_or_create(const char *path, unsigned char key[SECRET_KEY_BYTES],
                              struct bs_error *err)
{
	int rc = sodium_ready(err);

	if (rc != BS_OK)
		goto out;
	rc = load_key(path, key, err);
	if (rc == BS_ENOTFOUND) {
		rc = create_key(path, key, err);
		if (rc == BS_EBUSY)
			rc = load_key(path, key, err);
		if (rc == BS_ENOTFOUND)
			rc = bs_error_set(err, BS_EIO, "key file %s vanished while creating it",
			                  path);
	}
out:
	if (rc != BS_OK)
		sodium_memzero(key, SECRET_KEY_BYTES);
	return rc;
}

int secret_seal(const unsigned char key[SECRET_KEY_BYTES], const void *plain, size_t n,
                struct buf *out)
{
	size_t blen, tlen;
	unsigned char *box = NULL;
	char *text = NULL;
	int rc = sodium_ready(NULL);

	if (rc != BS_OK)
		return rc;
	if (n > BUF_MAX_DEFAULT)
		return BS_ETOOBIG;
	blen = NONCE_BYTES + MAC_BYTES + n;
	tlen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	box = malloc(blen);
	text = malloc(tlen);
	if (box == NULL || text == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	randombytes_buf(box, NONCE_BYTES);
	crypto_secretbox_easy(box + NONCE_BYTES, plain, n, box, key);
	sodium_bin2base64(text, tlen, box, blen, sodium_base64_VARIANT_ORIGINAL);
	rc = buf_addstr(out, text);
out:
	free(box);
	free(text);
	return rc;
}

int secret_open(const unsigned char key[SECRET_KEY_BYTES], const char *sealed, struct buf *plain,
                struct bs_error *err)
{
	size_t slen = strlen(sealed), blen = 0;
	unsigned char *box = NULL, *clear = NULL;
	int rc = sodium_ready(err);

	if (rc != BS_OK)
		return rc;
	/* base64 is 4 chars per 3 bytes: this bounds the decoded size */
	box = malloc(slen / 4 * 3 + 3);
	if (box == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory opening a secret");
	if (sodium_base642bin(box, slen / 4 * 3 + 3, sealed, slen, NULL, &blen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0) {
		rc = bs_error_set(err, BS_EINVAL, "sealed secret is not valid base64");
		goto out;
	}
	if (blen < NONCE_BYTES + MAC_BYTES) {
		rc = bs_error_set(err, BS_EINVAL, "sealed secret is too short (%zu bytes)", blen);
		goto out;
	}
	clear = malloc(blen - NONCE_BYTES - MAC_BYTES + 1);
	if (clear == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory opening a secret");
		goto out;
	}
	if (crypto_secretbox_open_easy(clear, box + NONCE_BYTES, blen - NONCE_BYTES, box, key) !=
	    0) {
		rc = bs_error_set(err, BS_EINVAL,
		                  "sealed secret does not open: tampered with, or sealed "
		                  "under another key");
		goto out;
	}
	rc = buf_add(plain, clear, blen - NONCE_BYTES - MAC_BYTES);
	if (rc != BS_OK)
		bs_error_set(err, rc, "opened secret does not fit the buffer");
out:
	if (clear != NULL) {
		sodium_memzero(clear, blen - NONCE_BYTES - MAC_BYTES + 1);
		free(clear);
	}
	free(box);
	return rc;
}

void secret_buf_wipe(struct buf *b)
{
	if (b->ptr != NULL)
		sodium_memzero(b->ptr, b->cap);
	buf_free(b);
}
