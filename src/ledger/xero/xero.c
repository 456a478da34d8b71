/*
 * xero.c - the connector's calls: batches, lookups, reads (see xero.h).
 *
 * Every call carries the bearer token and xero-tenant-id; writes carry the
 * Idempotency-Key the dispatcher froze with the request.  Rate-limit headers
 * are read on every answer so the governor can pace the next call.
 */
#include "ledger/xero/xero.h"

#include "core/jsonr.h"
#include "core/money.h"
#include "http/client.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct xero_conn {
	struct http_client *http;
	char *api_base;
	char *tenant;
	char *token;
	long timeout_ms;
	struct http_response resp;
};

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

int xero_conn_new(const struct xero_conn_config *cfg, struct xero_conn **out, struct bs_error *err)
{
	struct xero_conn *x = calloc(1, sizeof(*x));
	int rc;

	*out = NULL;
	if (x == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	http_response_init(&x->resp);
	x->timeout_ms = cfg->timeout_ms;
	x->api_base = dupstr(cfg->api_base);
	x->tenant = dupstr(cfg->tenant_id);
	x->token = dupstr(cfg->access_token != NULL ? cfg->access_token : "");
	if (x->api_base == NULL || x->tenant == NULL || x->token == NULL) {
		xero_conn_free(x);
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	}
	rc = http_client_new(&x->http, err);
	if (rc != BS_OK) {
		xero_conn_free(x);
		return rc;
	}
	*out = x;
	return BS_OK;
}

void xero_conn_free(struct xero_conn *x)
{
	if (x == NULL)
		return;
	http_client_free(x->http);
	http_response_free(&x->resp);
	free(x->api_base);
	free(x->tenant);
	if (x->token != NULL) {
		memset(x->token, 0, strlen(x->token));
		free(x->token);
	}
	free(x);
}

int xero_conn_set_token(struct xero_conn *x, const char *access_token)
{
	char *t = dupstr(access_token);

	if (t == NULL)
		return BS_ENOMEM;
	memset(x->token, 0, strlen(x->token));
	free(x->token);
	x->token = t;
	return BS_OK;
}

/* A numeric header (digits only, overflow checked), -1 when absent or bad.
 * Retry-After from Xero is delay-seconds (docs/mapping-xero.md §1). */
static int64_t header_int(const struct http_response *r, const char *name)
{
	int64_t v;

	return http_response_header_int(r, name, &v) == BS_OK ? v : -1;
}

static void read_limits(const struct http_response *r, struct ledger_call *call)
{
	const char *p = http_response_header(r, "X-Rate-Limit-Problem");

	call->http_status = r->status;
	call->min_remaining = header_int(r, "X-MinLimit-Remaining");
	call->day_remaining = header_int(r, "X-DayLimit-Remaining");
	call->app_min_remaining = header_int(r, "X-AppMinLimit-Remaining");
	call->retry_after_s = header_int(r, "Retry-After");
	snprintf(call->problem, sizeof(call->problem), "%s", p != NULL ? p : "");
}

/* One HTTP exchange with the API; maps the status to a bs_status. */
static int call_api(struct xero_conn *x, const char *method, const char *path, const char *idem_key,
                    const char *since, const struct buf *body, struct ledger_call *call,
                    struct bs_error *err)
{
	struct buf url, auth, tenant, idem, ims;
	const char *headers[8];
	size_t nh = 0;
	struct http_request req = {0};
	int rc;

	memset(call, 0, sizeof(*call));
	call->min_remaining = call->day_remaining = call->app_min_remaining = -1;
	call->retry_after_s = -1;
	buf_init(&url, 16384);
	buf_init(&auth, 8192);
	buf_init(&tenant, 256);
	buf_init(&idem, 256);
	buf_init(&ims, 128);
	rc = buf_printf(&url, "%s%s", x->api_base, path);
	if (rc == BS_OK)
		rc = buf_printf(&auth, "Authorization: Bearer %s", x->token);
	if (rc == BS_OK)
		rc = buf_printf(&tenant, "xero-tenant-id: %s", x->tenant);
	if (rc == BS_OK && idem_key != NULL)
		rc = buf_printf(&idem, "Idempotency-Key: %s", idem_key);
	if (rc == BS_OK && since != NULL)
		rc = buf_printf(&ims, "If-Modified-Since: %s", since);
	if (rc != BS_OK)
		goto out;
	headers[nh++] = buf_cstr(&auth);
	headers[nh++] = buf_cstr(&tenant);
	headers[nh++] = "Accept: application/json";
	if (body != NULL)
		headers[nh++] = "Content-Type: application/json";
	if (idem_key != NULL)
		headers[nh++] = buf_cstr(&idem);
	if (since != NULL)
		headers[nh++] = buf_cstr(&ims);
	headers[nh] = NULL;
	req.method = method;
	req.url = buf_cstr(&url);
	req.headers = headers;
	req.body = body != NULL ? buf_cstr(body) : NULL;
	req.body_len = body != NULL ? body->len : 0;
	req.timeout_ms = x->timeout_ms;
	req.caller_resends = true; /* paced_call sends again, through the governor */
	call->request_bytes = req.body_len;
	rc = http_send(x->http, &req, &x->resp, err);
	call->stale_conn = x->resp.stale_conn;
	if (rc != BS_OK)
		goto out; /* BS_ENET: no answer, outcome unknown */
	read_limits(&x->resp, call);
	switch (x->resp.status / 100) {
	case 2:
		rc = BS_OK;
		break;
	case 4:
		if (x->resp.status == 429)
			rc = bs_error_set(err, BS_ELIMIT, "Xero rate limit (%s): retry after %lds",
			                  call->problem[0] ? call->problem : "unknown",
			                  call->retry_after_s);
		else if (x->resp.status == 401 || x->resp.status == 403)
			rc = bs_error_set(err, BS_EAUTH,
			                  "Xero refused the credentials (HTTP %ld): run booksync "
			                  "connect xero",
			                  x->resp.status);
		else if (x->resp.status == 404)
			rc = bs_error_set(err, BS_ENOTFOUND, "Xero: not found (%s)", path);
		else
			rc = bs_error_set(err, BS_EINVAL,
			                  "Xero refused the request (HTTP %ld): %.300s",
			                  x->resp.status, buf_cstr(&x->resp.body));
		break;
	default:
		rc = bs_error_set(err, BS_EPROTO, "Xero answered HTTP %ld: %.200s", x->resp.status,
		                  buf_cstr(&x->resp.body));
	}
out:
	buf_free(&url);
	if (auth.ptr != NULL)
		memset(auth.ptr, 0, auth.len);
	buf_free(&auth);
	buf_free(&tenant);
	buf_free(&idem);
	buf_free(&ims);
	return rc;
}

int xero_push(struct xero_conn *x, enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
              const char *idempotency_key, ledger_resolve_fn resolve, void *arg,
              struct ledger_call *call, struct bs_error *err)
{
	struct buf path, body;
	const char *method = "PUT";
	int rc;

	buf_init(&path, 4096);
	buf_init(&body, (size_t)64 << 20);
	rc = xero_build_request(type, elems, n, resolve, arg, &method, &path, &body, err);
	if (rc == BS_OK)
		rc = call_api(x, method, buf_cstr(&path), idempotency_key, NULL, &body, call, err);
	if (rc == BS_OK)
		rc = xero_parse_response(type, buf_cstr(&x->resp.body), x->resp.body.len, elems, n,
		                         err);
	buf_free(&path);
	buf_free(&body);
	return rc;
}

int xero_get(struct xero_conn *x, const char *path, struct buf *body, struct ledger_call *call,
             struct bs_error *err)
{
	return xero_get_since(x, path, NULL, body, call, err);
}

int xero_get_since(struct xero_conn *x, const char *path, const char *since, struct buf *body,
                   struct ledger_call *call, struct bs_error *err)
{
	int rc = call_api(x, "GET", path, NULL, since, NULL, call, err);

	/* 304 Not Modified: nothing changed after `since`, an empty list */
	if (rc != BS_OK && since != NULL && call->http_status == 304) {
		bs_error_clear(err);
		buf_reset(body);
		return BS_OK;
	}
	if (rc == BS_OK) {
		buf_reset(body);
		rc = buf_add(body, x->resp.body.ptr != NULL ? x->resp.body.ptr : "",
		             x->resp.body.len);
	}
	return rc;
}

/* `Field=="value"` (quotes and backslashes escaped) appended raw to clause. */
static int where_eq(struct buf *clause, const char *field, const char *value)
{
	int rc = buf_printf(clause, "%s==\"", field);

	for (const char *p = value; rc == BS_OK && *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			rc = buf_addc(clause, '\\');
		if (rc == BS_OK)
			rc = buf_addc(clause, *p);
	}
	if (rc == BS_OK)
		rc = buf_addc(clause, '"');
	return rc;
}

static const char *const coll_names[LEDGER_DOC_TYPE_COUNT] = {
    "Contacts",         "Items",    "PurchaseOrders", "Invoices", "CreditNotes", "ManualJournals",
    "BankTransactions", "Payments", "Allocations",
};

/* The natural key of a document (docs/exactly-once.md "Natural keys"): the Xero
 * field and the document's value for it; false when it has none. */
static bool natural_key(enum ledger_doc_type type, struct json_object *doc, const char **field,
                        const char **value)
{
	static const struct {
		const char *field, *doc_key;
	} keys[LEDGER_DOC_TYPE_COUNT] = {
	    [LEDGER_CONTACT] = {"Name", "name"},
	    [LEDGER_ITEM] = {"Code", "code"},
	    [LEDGER_PURCHASE_ORDER] = {"PurchaseOrderNumber", "number"},
	    [LEDGER_INVOICE] = {"InvoiceNumber", "number"},
	    [LEDGER_CREDIT_NOTE] = {"CreditNoteNumber", "number"},
	    [LEDGER_MANUAL_JOURNAL] = {"Narration", "narration"},
	    [LEDGER_BANK_TRANSACTION] = {"Reference", "reference"},
	    [LEDGER_PAYMENT] = {"Reference", "reference"},
	};

	if ((unsigned)type >= LEDGER_DOC_TYPE_COUNT || keys[type].field == NULL)
		return false;
	*field = keys[type].field;
	*value = jsonr_str(doc, keys[type].doc_key);
	return *value != NULL;
}

size_t xero_lookup_keyed(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n)
{
	size_t keyed = 0;

	for (size_t i = 0; i < n; i++) {
		const char *field, *value;

		if (elems[i].doc != NULL && natural_key(type, elems[i].doc, &field, &value))
			keyed++;
	}
	return keyed;
}

/* Read one looked-up element through the batch parser; true when usable. */
static bool lookup_take(enum ledger_doc_type type, const char *coll, struct json_object *el,
                        struct ledger_elem *e, struct bs_error *err)
{
	struct buf one;
	bool ok = false;

	buf_init(&one, (size_t)16 << 20);
	if (buf_printf(&one, "{\"%s\":[%s]}", coll, json_object_to_json_string(el)) == BS_OK &&
	    xero_parse_response(type, buf_cstr(&one), one.len, e, 1, err) == BS_OK)
		ok = e->status == BS_OK;
	buf_free(&one);
	return ok;
}

/* Does ledger element `el` stand for elems[i]?  Same key value; a bill on
 * the same contact; a payment on the same document. */
static bool same_document(enum ledger_doc_type type, struct json_object *el, const char *field,
                          const char *value, struct json_object *doc, ledger_resolve_fn resolve,
                          void *arg)
{
	const char *v = jsonr_str(el, field), *sym;
	char id[LEDGER_ID_MAX];

	/* Xero's where= compares text without case, and so does its unique-name
	 * rule for contacts: "aroha ltd" is the contact "Aroha Ltd" */
	if (v == NULL || strcasecmp(v, value) != 0)
		return false;
	if (type == LEDGER_PAYMENT && (sym = jsonr_str(doc, "document")) != NULL &&
	    resolve(arg, sym, id) == BS_OK)
		return strstr(json_object_to_json_string(el), id) != NULL;
	if (type == LEDGER_INVOICE && (sym = jsonr_str(doc, "contact")) != NULL &&
	    resolve(arg, sym, id) == BS_OK)
		return strstr(json_object_to_json_string(el), id) != NULL;
	return true;
}

int xero_lookup_many(struct xero_conn *x, enum ledger_doc_type type, struct ledger_elem *elems,
                     size_t n, ledger_resolve_fn resolve, void *arg, bool *found,
                     struct ledger_call *call, struct bs_error *err)
{
	const char *coll = coll_names[type];
	struct buf clause, path, body;
	struct json_object *root = NULL, *arr;
	size_t keyed = 0;
	int rc = BS_OK;

	/* nothing sent yet: no figures (-1), never "nothing remains" (0) */
	memset(call, 0, sizeof(*call));
	call->min_remaining = call->day_remaining = call->app_min_remaining = -1;
	call->retry_after_s = -1;
	for (size_t i = 0; i < n; i++)
		found[i] = false;
	buf_init(&clause, (size_t)1 << 20);
	buf_init(&path, (size_t)2 << 20);
	buf_init(&body, (size_t)64 << 20);
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		const char *field, *value;

		if (!natural_key(type, elems[i].doc, &field, &value))
			continue;
		if (keyed++ > 0)
			rc = buf_addstr(&clause, " OR ");
		if (rc == BS_OK)
			rc = where_eq(&clause, field, value);
	}
	if (rc == BS_OK && keyed == 0)
		rc = bs_error_set(err, BS_EUNSUPPORTED, "no natural key to look up a %s",
		                  ledger_doc_type_name(type));
	/* one call for the whole batch: every key, one page as large as the batch */
	if (rc == BS_OK)
		rc = buf_printf(&path, "/%s?pageSize=%zu&where=", coll, n < 100 ? (size_t)100 : n);
	if (rc == BS_OK)
		rc = http_url_encode(&path, buf_cstr(&clause));
	if (rc == BS_OK && type == LEDGER_INVOICE)
		rc = buf_addstr(&path, "&unitdp=4");
	if (rc == BS_OK)
		rc = xero_get(x, buf_cstr(&path), &body, call, err);
	if (rc != BS_OK)
		goto out;
	root = json_tokener_parse(buf_cstr(&body));
	if (root == NULL || !json_object_object_get_ex(root, coll, &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		rc = bs_error_set(err, BS_EPROTO, "Xero's %s lookup answer has no list", coll);
		goto out;
	}
	for (size_t j = 0; j < json_object_array_length(arr); j++) {
		struct json_object *el = json_object_array_get_idx(arr, j);
		const char *st = jsonr_str(el, "Status");

		if (st != NULL && (strcmp(st, "DELETED") == 0 || strcmp(st, "VOIDED") == 0))
			continue;
		for (size_t i = 0; i < n; i++) {
			const char *field, *value;

			if (found[i] || !natural_key(type, elems[i].doc, &field, &value) ||
			    !same_document(type, el, field, value, elems[i].doc, resolve, arg))
				continue;
			found[i] = lookup_take(type, coll, el, &elems[i], err);
			break;
		}
	}
out:
	json_object_put(root);
	buf_free(&clause);
	buf_free(&path);
	buf_free(&body);
	return rc;
}

int xero_lookup(struct xero_conn *x, enum ledger_doc_type type, struct ledger_elem *e,
                ledger_resolve_fn resolve, void *arg, bool *found, struct ledger_call *call,
                struct bs_error *err)
{
	return xero_lookup_many(x, type, e, 1, resolve, arg, found, call, err);
}

int xero_doc_status(struct xero_conn *x, enum ledger_doc_type type, const char *id, char *status,
                    struct ledger_call *call, struct bs_error *err)
{
	static const char *const coll[LEDGER_DOC_TYPE_COUNT] = {
	    "Contacts",         "Items",       "PurchaseOrders",
	    "Invoices",         "CreditNotes", "ManualJournals",
	    "BankTransactions", "Payments",    "Allocations",
	};
	struct json_object *root = NULL, *arr;
	struct buf path, body;
	int rc;

	status[0] = '\0';
	buf_init(&path, 512);
	buf_init(&body, (size_t)16 << 20);
	rc = buf_printf(&path, "/%s/%s", coll[type], id);
	if (rc == BS_OK)
		rc = xero_get(x, buf_cstr(&path), &body, call, err);
	if (rc == BS_OK) {
		root = json_tokener_parse(buf_cstr(&body));
		if (root != NULL && json_object_object_get_ex(root, coll[type], &arr) &&
		    json_object_is_type(arr, json_type_array) &&
		    json_object_array_length(arr) > 0) {
			const char *st = jsonr_str(json_object_array_get_idx(arr, 0), "Status");

			snprintf(status, 32, "%s", st != NULL ? st : "");
		} else {
			rc = bs_error_set(err, BS_ENOTFOUND, "Xero has no %s %s", coll[type], id);
		}
	}
	json_object_put(root);
	buf_free(&path);
	buf_free(&body);
	return rc;
}

/* One entry of a credit note's Allocations into a; false when unusable. */
static bool allocation_take(struct json_object *el, struct ledger_allocation *a)
{
	struct json_object *inv;
	const char *id = jsonr_str(el, "AllocationID"), *amt = jsonr_str(el, "Amount");
	const char *iid =
	    json_object_object_get_ex(el, "Invoice", &inv) ? jsonr_str(inv, "InvoiceID") : NULL;

	if (id == NULL || iid == NULL || amt == NULL || jsonr_bool(el, "IsDeleted") ||
	    strlen(id) >= sizeof(a->id) || strlen(iid) >= sizeof(a->invoice_id) ||
	    money_parse_fixed(amt, strlen(amt), MONEY_DP, MONEY_DP, &a->amount) != BS_OK)
		return false;
	memcpy(a->id, id, strlen(id) + 1);
	memcpy(a->invoice_id, iid, strlen(iid) + 1);
	return true;
}

int xero_credit_note_allocations(struct xero_conn *x, const char *credit_note_id,
                                 struct ledger_allocation **out, size_t *n,
                                 struct ledger_call *call, struct bs_error *err)
{
	struct json_object *root = NULL, *arr, *al;
	struct buf path, body;
	size_t len;
	int rc;

	*out = NULL;
	*n = 0;
	buf_init(&path, 512);
	buf_init(&body, (size_t)16 << 20);
	rc = buf_printf(&path, "/CreditNotes/%s", credit_note_id);
	if (rc == BS_OK)
		rc = xero_get(x, buf_cstr(&path), &body, call, err);
	if (rc != BS_OK)
		goto out;
	root = json_tokener_parse(buf_cstr(&body));
	if (root == NULL || !json_object_object_get_ex(root, "CreditNotes", &arr) ||
	    !json_object_is_type(arr, json_type_array) || json_object_array_length(arr) == 0) {
		rc = bs_error_set(err, BS_EPROTO, "Xero's answer for credit note %s has no list",
		                  credit_note_id);
		goto out;
	}
	if (!json_object_object_get_ex(json_object_array_get_idx(arr, 0), "Allocations", &al) ||
	    !json_object_is_type(al, json_type_array) || (len = json_object_array_length(al)) == 0)
		goto out; /* none */
	*out = calloc(len, sizeof(**out));
	if (*out == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		if (allocation_take(json_object_array_get_idx(al, i), &(*out)[*n]))
			(*n)++;
out:
	json_object_put(root);
	buf_free(&path);
	buf_free(&body);
	return rc;
}
