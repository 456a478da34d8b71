/*
 * jsonr.h - read fields of json-c objects the one way booksync needs.
 *
 * The twin of jsonw.h: documents, canonical records and ledger answers are
 * read field by field, and every reader wants the same answer: a scalar's
 * text, or nothing.  Numbers come back as their source text (json-c keeps
 * it), so money read this way keeps its exact decimal digits for
 * core/money to parse.
 */
#ifndef BS_CORE_JSONR_H
#define BS_CORE_JSONR_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;
struct json_tokener;

/*
 * The text of o[key] when it is a string, number or boolean ("true" /
 * "false"); NULL when o is NULL, the key is missing or null, or the value
 * is an object or array.  Owned by o: valid while o lives.
 */
const char *jsonr_str(struct json_object *o, const char *key);

/* True only when o[key] is the JSON boolean true. */
bool jsonr_bool(struct json_object *o, const char *key);

/*
 * Parse s[0..len) as json_tokener_parse_ex(tok, s, len) does after a
 * json_tokener_reset(tok), and return the same tree (the caller puts it),
 * or NULL where json-c finds no value.  Faster for the JSON booksync
 * writes itself (canonical records, outbox documents): a direct descent
 * makes the json-c objects for plain objects, arrays, strings with the
 * common escapes, integers that fit 18 digits, decimals without exponent
 * and literals, with whitespace only after the value; anything else --
 * exponents, surrogate pairs, control characters, comments, deep
 * nesting, malformed text -- is left to json-c itself, so the result never
 * differs (tests/unit/test_jsonr.c compares them).  tok is used only then.
 */
struct json_object *jsonr_parse(struct json_tokener *tok, const char *s, size_t len);

/*
 * The keys jsonr_parse adds without a copy (jsonr.c), ordered by length,
 * then bytes: *keys points at the constant list; returns its length.  For
 * the tests, which check that order and that a tree of these keys is
 * json-c's.
 */
size_t jsonr_known_keys(const char *const **keys);

#endif
