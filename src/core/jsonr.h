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

struct json_object;

/*
 * The text of o[key] when it is a string, number or boolean ("true" /
 * "false"); NULL when o is NULL, the key is missing or null, or the value
 * is an object or array.  Owned by o: valid while o lives.
 */
const char *jsonr_str(struct json_object *o, const char *key);

/* True only when o[key] is the JSON boolean true. */
bool jsonr_bool(struct json_object *o, const char *key);

#endif
