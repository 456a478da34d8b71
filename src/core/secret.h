/*
 * secret.h - secrets at rest (OAuth tokens, client secrets) sealed with
 * libsodium's secretbox (XSalsa20-Poly1305) under a 32-byte key kept in a
 * file of its own, mode 0600.
 *
 * A sealed secret is printable text, safe for a SQLite TEXT column: the
 * standard base64 (with padding) of nonce (24 random bytes) || MAC (16) ||
 * ciphertext.  A fresh random nonce per seal, so sealing the same plaintext
 * twice gives different text.
 *
 * libsodium set-up: every function here calls sodium_init() itself (it is
 * idempotent and thread-safe), so no caller has to; other modules that use
 * libsodium directly call it the same way.
 *
 * Key material and plaintext are the caller's: wipe a key array with
 * sodium_memzero when done, and a buffer that held plaintext with
 * secret_buf_wipe.
 */
#ifndef BS_CORE_SECRET_H
#define BS_CORE_SECRET_H

#include "core/buf.h"
#include "core/error.h"

#include <stddef.h>

#define SECRET_KEY_BYTES 32

/*
 * Read the key in `path` into key[], or create the file when it does not
 * exist: 32 random bytes, O_CREAT|O_EXCL with mode 0600, written fully and
 * fsync'd (with its directory).  Refuses (BS_EINVAL, the message naming the
 * fix) a key file readable or writable by group or others, one that is not
 * a regular file, and one that is not exactly 32 bytes.  BS_EIO when the
 * file or its directory cannot be read or written; BS_EINTERNAL when
 * libsodium cannot initialise.  On error key[] is zeroed and a half-written
 * new file is removed.
 */
int secret_key_load_or_create(const char *path, unsigned char key[SECRET_KEY_BYTES],
                              struct bs_error *err);

/*
 * Seal plain[0..n) under key and append the printable text to `out`.
 * BS_ETOOBIG / BS_ENOMEM from the buffer (out unchanged), BS_EINTERNAL when
 * libsodium cannot initialise.
 */
int secret_seal(const unsigned char key[SECRET_KEY_BYTES], const void *plain, size_t n,
                struct buf *out);

/*
 * Open text made by secret_seal and append the plaintext to `plain` (the
 * buffer also gets a terminating NUL, so a sealed string reads back with
 * buf_cstr).  BS_EINVAL when the text is not base64, too short, tampered
 * with, or sealed under another key (these cannot be told apart, by
 * design); BS_ETOOBIG / BS_ENOMEM from the buffer.  Temporaries holding
 * plaintext are wiped.
 */
int secret_open(const unsigned char key[SECRET_KEY_BYTES], const char *sealed, struct buf *plain,
                struct bs_error *err);

/* Zero the whole allocation of `b` (which held a secret), then buf_free it. */
void secret_buf_wipe(struct buf *b);

#endif
