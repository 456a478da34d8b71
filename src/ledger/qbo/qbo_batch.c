/*
 * qbo_batch.c - QuickBooks Online /batch bodies: documents as
 * BatchItemRequest items (bId = the element's index), and lookups by
 * natural key as Query items.  Pure: no I/O.  docs/mapping-qbo.md,
 * "Batches" and "Natural keys".
 */
#include "ledger/qbo/qbo_paper.h"

#include "core/jsonr.h"
#include "core/jsonw.h"

#include <json-c/json.h>
#include <string.h>

/* ------------------------------------------------------------- documents */

static const char *op_name(enum qbo_op op)
{
	switch (op) {
	case QBO_OP_CREATE:
		return "create";
	case QBO_OP_DELETE:
		return "delete";
	default:
		return "update"; /* a void is an update with optionsData "void" */
	}
}

int qbo_batch_build(enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
                    const char *const *sync_tokens, ledger_resolve_fn resolve, void *arg,
                    struct buf *out, struct bs_error *err)
{
	int rc;

	if ((unsigned)type >= LEDGER_DOC_TYPE_COUNT || n == 0 || n > QBO_BATCH_MAX)
		return bs_error_set(err, BS_EINVAL, "a batch holds 1 to %d documents, not %zu",
		                    QBO_BATCH_MAX, n);
	buf_reset(out);
	rc = buf_addstr(out, "{\"BatchItemRequest\":[");
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		const char *ent = qbo_entity_of(type, elems[i].doc);
		enum qbo_op op;

		if (ent == NULL || qbo_op_of(type, elems[i].doc, &op) != BS_OK) {
			rc = bs_error_set(err, BS_EINVAL,
			                  "document %zu of the batch has no QuickBooks "
			                  "Online form",
			                  i + 1);
			break;
		}
		rc = buf_printf(out, "%s{\"bId\":\"%zu\",\"operation\":\"%s\"", i ? "," : "", i,
		                op_name(op));
		if (rc == BS_OK && op == QBO_OP_VOID)
			rc = buf_addstr(out, ",\"optionsData\":\"void\"");
		if (rc == BS_OK)
			rc = buf_printf(out, ",\"%s\":", ent);
		if (rc == BS_OK)
			rc = qbo_map_element(type, elems[i].doc, elems[i].ledger_id,
			                     sync_tokens ? sync_tokens[i] : NULL, resolve, arg, out,
			                     err);
		if (rc != BS_OK)
			bs_error_prefix(err, "document %zu of the batch: ", i + 1);
		if (rc == BS_OK)
			rc = buf_addc(out, '}');
	}
	if (rc == BS_OK)
		rc = buf_addstr(out, "]}");
	return rc;
}

/* ------------------------------------------------------------- natural keys */

int qbo_marker(struct buf *b, struct json_object *doc)
{
	const char *self = jsonr_str(doc, "self");
	const char *other = jsonr_str(doc, "document");
	int rc;

	if (other == NULL)
		other = jsonr_str(doc, "credit_note");
	if (self == NULL || self[0] == '\0')
		return BS_EINVAL;
	rc = buf_printf(b, "[booksync %s", self);
	if (rc == BS_OK && other != NULL)
		rc = buf_printf(b, " %s", other);
	if (rc == BS_OK)
		rc = buf_addc(b, ']');
	return rc;
}

int qbo_natural_key(enum ledger_doc_type type, struct json_object *doc, const char **field,
                    struct buf *value, const char **party)
{
	const char *v = NULL;

	*party = NULL;
	buf_reset(value);
	switch (type) {
	case LEDGER_CONTACT:
		*field = "DisplayName";
		v = jsonr_str(doc, "name");
		break;
	case LEDGER_ITEM:
		*field = "Name";
		v = jsonr_str(doc, "code") ? jsonr_str(doc, "code") : jsonr_str(doc, "name");
		break;
	case LEDGER_PURCHASE_ORDER:
	case LEDGER_INVOICE:
	case LEDGER_CREDIT_NOTE:
		*field = "DocNumber";
		v = jsonr_str(doc, "number");
		/* a bill's number is unique for its vendor only */
		if (type != LEDGER_PURCHASE_ORDER && qbo_is_purchase(doc))
			*party = jsonr_str(doc, "contact");
		break;
	case LEDGER_MANUAL_JOURNAL:
		*field = "PrivateNote";
		v = jsonr_str(doc, "narration");
		break;
	case LEDGER_BANK_TRANSACTION:
	case LEDGER_PAYMENT:
	case LEDGER_ALLOCATION:
		*field = "PrivateNote";
		if (qbo_marker(value, doc) != BS_OK)
			return BS_ENOTFOUND;
		return BS_OK;
	default:
		return BS_ENOTFOUND;
	}
	if (v == NULL || v[0] == '\0')
		return BS_ENOTFOUND;
	return buf_addstr(value, v);
}

int qbo_quoted(struct buf *q, const char *v)
{
	int rc = buf_addc(q, '\'');

	for (; rc == BS_OK && *v; v++) {
		if (*v == '\'' || *v == '\\')
			rc = buf_addc(q, '\\');
		if (rc == BS_OK)
			rc = buf_addc(q, *v);
	}
	if (rc == BS_OK)
		rc = buf_addc(q, '\'');
	return rc;
}

#define MAX_ENTS 8

int qbo_lookup_batch(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n,
                     struct buf *out, size_t *keyed, struct bs_error *err)
{
	const char *ents[MAX_ENTS];
	size_t nents = 0;
	struct buf key, q;
	int rc = BS_OK;

	*keyed = 0;
	/* the entities involved, in order of first appearance */
	for (size_t i = 0; i < n; i++) {
		const char *e = qbo_entity_of(type, elems[i].doc);
		size_t k;

		if (e == NULL)
			continue;
		for (k = 0; k < nents && strcmp(ents[k], e) != 0; k++)
			;
		if (k == nents && nents < MAX_ENTS)
			ents[nents++] = e;
	}
	buf_init(&key, 8192);
	buf_init(&q, 1 << 20);
	buf_reset(out);
	rc = buf_addstr(out, "{\"BatchItemRequest\":[");
	for (size_t k = 0, items = 0; rc == BS_OK && k < nents; k++) {
		const char *field = NULL, *party;
		size_t in = 0;

		buf_reset(&q);
		for (size_t i = 0; rc == BS_OK && i < n; i++) {
			const char *f;
			const char *e = qbo_entity_of(type, elems[i].doc);

			if (e == NULL || strcmp(e, ents[k]) != 0 ||
			    qbo_natural_key(type, elems[i].doc, &f, &key, &party) != BS_OK)
				continue;
			field = f;
			rc = buf_addstr(&q, in++ ? "," : "");
			if (rc == BS_OK)
				rc = qbo_quoted(&q, buf_cstr(&key));
		}
		if (rc != BS_OK || in == 0)
			continue;
		if (items == QBO_BATCH_MAX) {
			rc = bs_error_set(err, BS_EINVAL, "more than %d lookups in one batch",
			                  QBO_BATCH_MAX);
			break;
		}
		*keyed += in;
		rc = buf_printf(out, "%s{\"bId\":\"q%zu\",\"Query\":", items++ ? "," : "", k);
		if (rc == BS_OK) {
			struct buf stmt;

			buf_init(&stmt, (1 << 20) + 256);
			rc = buf_printf(&stmt, "select * from %s where %s in (%s) maxresults 1000",
			                ents[k], field, buf_cstr(&q));
			if (rc == BS_OK)
				rc = jsonw_str(out, buf_cstr(&stmt));
			buf_free(&stmt);
		}
		if (rc == BS_OK)
			rc = buf_addc(out, '}');
	}
	if (rc == BS_OK)
		rc = buf_addstr(out, "]}");
	if (rc == BS_OK && *keyed == 0)
		rc = BS_ENOTFOUND;
	buf_free(&key);
	buf_free(&q);
	return rc;
}
