/*
 * jsonw.h - write JSON text straight into a struct buf.
 *
 * For output that is produced in bulk (ledger payloads, API answers) where
 * building a json-c tree first would cost an allocation per value.  The
 * caller writes structure ({, [, commas); these helpers write the values
 * correctly escaped.  Every function returns BS_OK or the buf's error.
 */
#ifndef BS_CORE_JSONW_H
#define BS_CORE_JSONW_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/*
 * The escape sequence for byte c inside a JSON string, into esc[6]: its
 * length (2 or 6), or 0 when c goes as it is.  Quotes, backslashes and
 * control characters are escaped (\n \r \t \b \f short, the rest \u00XX);
 * bytes >= 0x80 pass, so UTF-8 stays UTF-8.  Every JSON writer in booksync
 * uses this one table, so canonical record text never changes by writer.
 */
size_t jsonw_escape(unsigned char c, char esc[6]);

/* 1 for the bytes jsonw_escape escapes (control characters, '"', '\\'),
 * 0 for the rest: one load a byte for the scans of strings. */
extern const unsigned char jsonw_special[256];

/* A JSON string literal of s[0..n) ("..." with escapes; bytes >= 0x80 as is). */
int jsonw_strn(struct buf *b, const char *s, size_t n);
int jsonw_str(struct buf *b, const char *s);

/* `"key":` — key must be a plain literal that needs no escaping. */
int jsonw_key(struct buf *b, const char *key);

/* `"key":"value"` and `"key":123`, with a leading comma when `comma`. */
int jsonw_kv_str(struct buf *b, int comma, const char *key, const char *value);
int jsonw_kv_int(struct buf *b, int comma, const char *key, int64_t value);

#endif
