/*
 * qbo_parse.c - QuickBooks Online's answers to per-element verdicts: a
 * /batch answer (a BatchItemResponse per bId, each an entity or a Fault),
 * QueryResponses for lookups by natural key, SyncTokens of a read.  Pure:
 * no I/O.
 *
 * A refusal is classed by its Fault code (docs/mapping-qbo.md, "Faults"),
 * never by its words, except where QBO uses one code for several things
 * (6000); the message kept for people is "code: detail".
 */
#include "ledger/qbo/qbo_paper.h"

#include "core/jsonr.h"
#include "core/money.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ledger_refusal qbo_refusal_of(const char *code, const char *message)
{
	static const struct {
		const char *code;
		enum ledger_refusal r;
	} table[] = {
	    {"6240", LEDGER_REFUSAL_DUPLICATE},     /* duplicate name */
	    {"6140", LEDGER_REFUSAL_DUPLICATE},     /* duplicate document number */
	    {"5010", LEDGER_REFUSAL_STALE},         /* stale SyncToken */
	    {"610", LEDGER_REFUSAL_NOT_FOUND},      /* object not found */
	    {"2500", LEDGER_REFUSAL_NOT_FOUND},     /* invalid reference id */
	    {"6210", LEDGER_REFUSAL_LOCKED_PERIOD}, /* account period closed */
	    {"3001", LEDGER_REFUSAL_RATE_LIMITED},  /* throttled */
	    {"6540", LEDGER_REFUSAL_WRONG_STATUS},  /* deposited: cannot change */
	    {"6070", LEDGER_REFUSAL_INVALID},       /* Amount != Qty x UnitPrice */
	    {"2020", LEDGER_REFUSAL_INVALID},       /* required field missing */
	    {"2050", LEDGER_REFUSAL_INVALID},       /* field too long */
	};

	if (code == NULL)
		return LEDGER_REFUSAL_INVALID;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(code, table[i].code) == 0)
			return table[i].r;
	/* 6000 is every business rule: a few are a status, a closed period */
	if (message != NULL && strcmp(code, "6000") == 0) {
		if (strstr(message, "payments applied") != NULL ||
		    strstr(message, "has been voided") != NULL)
			return LEDGER_REFUSAL_WRONG_STATUS;
		if (strstr(message, "closed period") != NULL ||
		    strstr(message, "Period Closed") != NULL)
			return LEDGER_REFUSAL_LOCKED_PERIOD;
	}
	return LEDGER_REFUSAL_INVALID;
}

/*
 * A Fault's errors into msg ("code: detail; code: detail") and their class
 * (the first error's; a rate limit anywhere wins, as it is not the
 * document's fault).
 */
static enum ledger_refusal read_fault(struct json_object *fault, struct buf *msg)
{
	struct json_object *errs = NULL;
	enum ledger_refusal r = LEDGER_REFUSAL_INVALID;
	size_t n;

	if (!json_object_object_get_ex(fault, "Error", &errs) ||
	    !json_object_is_type(errs, json_type_array) || json_object_array_length(errs) == 0) {
		buf_addstr(msg, "QuickBooks Online refused it without saying why");
		return r;
	}
	n = json_object_array_length(errs);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(errs, i);
		const char *code = jsonr_str(e, "code"), *detail = jsonr_str(e, "Detail");
		const char *m = jsonr_str(e, "Message");
		enum ledger_refusal c;

		if (detail == NULL)
			detail = m;
		c = qbo_refusal_of(code, detail);
		if (i == 0 || c == LEDGER_REFUSAL_RATE_LIMITED)
			r = c;
		if (msg->len > 0)
			buf_addstr(msg, "; ");
		buf_printf(msg, "%s: %s", code ? code : "?", detail ? detail : "(no detail)");
	}
	return r;
}

/* The number QBO shows for an entity: DocNumber, else its name. */
static const char *number_of(struct json_object *ent)
{
	const char *s = jsonr_str(ent, "DocNumber");

	if (s == NULL)
		s = jsonr_str(ent, "DisplayName");
	if (s == NULL)
		s = jsonr_str(ent, "Name");
	return s;
}

/* Id, number and TotalAmt of an entity into e. */
static void fill(struct ledger_elem *e, struct json_object *ent)
{
	const char *id = jsonr_str(ent, "Id"), *num = number_of(ent);
	const char *total = jsonr_str(ent, "TotalAmt");

	snprintf(e->id, sizeof(e->id), "%s", id ? id : "");
	snprintf(e->number, sizeof(e->number), "%s", num ? num : "");
	e->has_total = total != NULL && money_parse_fixed(total, strlen(total), MONEY_DP, MONEY_DP,
	                                                  &e->total) == BS_OK;
}

/* The entity object of a BatchItemResponse: the member named want, else
 * the one object member that is not a Fault. */
static struct json_object *entity_in(struct json_object *item, const char *want)
{
	struct json_object *v = NULL;

	if (want != NULL && json_object_object_get_ex(item, want, &v) &&
	    json_object_is_type(v, json_type_object))
		return v;
	v = NULL;
	json_object_object_foreach(item, k, val)
	{
		if (strcmp(k, "Fault") != 0 && json_object_is_type(val, json_type_object) &&
		    strcmp(k, "QueryResponse") != 0)
			v = val;
	}
	return v;
}

/* The element index of a bId ("0".."n-1"), or -1. */
static long bid_index(const char *bid, size_t n)
{
	char *end;
	long v;

	if (bid == NULL || bid[0] < '0' || bid[0] > '9')
		return -1;
	v = strtol(bid, &end, 10);
	return *end == '\0' && v >= 0 && (size_t)v < n ? v : -1;
}

/* Parse body as a JSON object. */
static struct json_object *parse(const char *body, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root;

	if (tok == NULL)
		return NULL;
	root = json_tokener_parse_ex(tok, body, (int)len);
	json_tokener_free(tok);
	if (root != NULL && !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		root = NULL;
	}
	return root;
}

/* A Fault for the whole request into err. */
static int whole_fault(struct json_object *root, struct bs_error *err)
{
	struct json_object *f;
	struct buf msg;
	int rc;

	if (!json_object_object_get_ex(root, "Fault", &f))
		return BS_OK;
	buf_init(&msg, 8192);
	read_fault(f, &msg);
	rc = bs_error_set(err, BS_EINVAL, "QuickBooks Online refused the request: %s",
	                  buf_cstr(&msg));
	buf_free(&msg);
	return rc;
}

int qbo_parse_response(enum ledger_doc_type type, const char *body, size_t len,
                       struct ledger_elem *elems, size_t n, struct bs_error *err)
{
	struct json_object *root = NULL, *arr = NULL;
	bool *seen = NULL;
	size_t answered = 0;
	int rc = BS_OK;

	if ((unsigned)type >= LEDGER_DOC_TYPE_COUNT)
		return bs_error_set(err, BS_EINVAL, "%d is not a ledger document type", (int)type);
	if ((root = parse(body, len)) == NULL) {
		rc = bs_error_set(err, BS_EPROTO, "QuickBooks Online's answer is not JSON");
		goto out;
	}
	if ((rc = whole_fault(root, err)) != BS_OK)
		goto out;
	if (!json_object_object_get_ex(root, "BatchItemResponse", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		rc = bs_error_set(err, BS_EPROTO,
		                  "QuickBooks Online's answer has no "
		                  "BatchItemResponse");
		goto out;
	}
	if ((seen = calloc(n ? n : 1, sizeof(*seen))) == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *item = json_object_array_get_idx(arr, i), *f, *ent;
		long k = bid_index(jsonr_str(item, "bId"), n);
		struct ledger_elem *e;

		if (k < 0 || seen[k]) {
			rc = bs_error_set(err, BS_EPROTO,
			                  "QuickBooks Online answered for bId '%s', "
			                  "which was not asked or was answered twice",
			                  jsonr_str(item, "bId") ? jsonr_str(item, "bId") : "");
			goto out;
		}
		seen[k] = true;
		answered++;
		e = &elems[k];
		buf_reset(&e->message);
		e->warned = false;
		e->id[0] = e->number[0] = '\0';
		e->has_total = false;
		if (json_object_object_get_ex(item, "Fault", &f)) {
			e->status = BS_EINVAL;
			e->refusal = read_fault(f, &e->message);
			continue;
		}
		ent = entity_in(item, qbo_entity_of(type, e->doc));
		if (ent != NULL)
			fill(e, ent);
		if (e->id[0] == '\0') {
			e->status = BS_EINVAL;
			e->refusal = LEDGER_REFUSAL_NO_ID;
			buf_addstr(&e->message,
			           "QuickBooks Online accepted the element but returned "
			           "no Id");
			continue;
		}
		e->status = BS_OK;
		e->refusal = LEDGER_REFUSAL_NONE;
	}
	if (answered != n)
		rc = bs_error_set(err, BS_EPROTO,
		                  "sent %zu documents, QuickBooks Online answered "
		                  "for %zu",
		                  n, answered);
out:
	free(seen);
	json_object_put(root);
	return rc;
}

/* ------------------------------------------------------------- queries */

/* Does entity ent (of QBO type name) answer elems[i]'s natural key? */
static bool matches(enum ledger_doc_type type, const char *ename, struct json_object *ent,
                    const struct ledger_elem *e, const char *vendor_id, struct buf *key)
{
	const char *want = qbo_entity_of(type, e->doc), *field, *party, *have;

	if (want == NULL || strcmp(want, ename) != 0 ||
	    qbo_natural_key(type, e->doc, &field, key, &party) != BS_OK)
		return false;
	have = jsonr_str(ent, field);
	if (have == NULL || strcmp(have, buf_cstr(key)) != 0)
		return false;
	if (party != NULL && vendor_id != NULL) {
		struct json_object *vr;
		const char *v = json_object_object_get_ex(ent, "VendorRef", &vr)
		                    ? jsonr_str(vr, "value")
		                    : NULL;

		return v != NULL && strcmp(v, vendor_id) == 0;
	}
	return true;
}

/* One QueryResponse's entities against every element. */
static void match_response(enum ledger_doc_type type, struct json_object *qr,
                           struct ledger_elem *elems, size_t n, const char *const *vendor_ids,
                           bool *found, struct buf *key)
{
	json_object_object_foreach(qr, ename, list)
	{
		if (!json_object_is_type(list, json_type_array))
			continue;
		for (size_t j = 0; j < json_object_array_length(list); j++) {
			struct json_object *ent = json_object_array_get_idx(list, j);

			for (size_t i = 0; i < n; i++) {
				if (found[i] || !matches(type, ename, ent, &elems[i],
				                         vendor_ids ? vendor_ids[i] : NULL, key))
					continue;
				fill(&elems[i], ent);
				found[i] = elems[i].id[0] != '\0';
			}
		}
	}
}

int qbo_parse_query(enum ledger_doc_type type, const char *body, size_t len,
                    struct ledger_elem *elems, size_t n, const char *const *vendor_ids, bool *found,
                    struct bs_error *err)
{
	struct json_object *root = parse(body, len), *qr, *arr;
	struct buf key;
	int rc = BS_OK;

	buf_init(&key, 8192);
	for (size_t i = 0; i < n; i++)
		found[i] = false;
	if (root == NULL) {
		rc = bs_error_set(err, BS_EPROTO, "QuickBooks Online's answer is not JSON");
		goto out;
	}
	if ((rc = whole_fault(root, err)) != BS_OK) {
		rc = BS_EPROTO;
		goto out;
	}
	if (json_object_object_get_ex(root, "QueryResponse", &qr)) {
		match_response(type, qr, elems, n, vendor_ids, found, &key);
		goto out;
	}
	if (!json_object_object_get_ex(root, "BatchItemResponse", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		rc =
		    bs_error_set(err, BS_EPROTO, "QuickBooks Online's answer has no QueryResponse");
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *item = json_object_array_get_idx(arr, i), *f;

		if (json_object_object_get_ex(item, "Fault", &f)) {
			struct buf msg;

			buf_init(&msg, 8192);
			read_fault(f, &msg);
			rc = bs_error_set(err, BS_EPROTO, "a lookup failed: %s", buf_cstr(&msg));
			buf_free(&msg);
			goto out;
		}
		if (json_object_object_get_ex(item, "QueryResponse", &qr))
			match_response(type, qr, elems, n, vendor_ids, found, &key);
	}
out:
	buf_free(&key);
	json_object_put(root);
	return rc;
}

int qbo_parse_sync_tokens(const char *body, size_t len, const char *const *ids, size_t n,
                          char (*tokens)[LEDGER_ID_MAX], struct bs_error *err)
{
	struct json_object *root = parse(body, len), *qr;
	int rc = BS_OK;

	for (size_t i = 0; i < n; i++)
		tokens[i][0] = '\0';
	if (root == NULL || !json_object_object_get_ex(root, "QueryResponse", &qr)) {
		rc =
		    bs_error_set(err, BS_EPROTO, "QuickBooks Online's answer has no QueryResponse");
		goto out;
	}
	json_object_object_foreach(qr, ename, list)
	{
		(void)ename;
		if (!json_object_is_type(list, json_type_array))
			continue;
		for (size_t j = 0; j < json_object_array_length(list); j++) {
			struct json_object *ent = json_object_array_get_idx(list, j);
			const char *id = jsonr_str(ent, "Id"), *st = jsonr_str(ent, "SyncToken");

			for (size_t i = 0; id != NULL && st != NULL && i < n; i++)
				if (ids[i] != NULL && strcmp(ids[i], id) == 0)
					snprintf(tokens[i], LEDGER_ID_MAX, "%s", st);
		}
	}
out:
	json_object_put(root);
	return rc;
}
