/*
 * sb_api.c - the Accounting API's shared request shapes, driven by the
 * sb_kinds table: GET one, GET a filtered/ordered/paged list, PUT/POST a
 * batch (with summarizeErrors), POST /X/{id}, DELETE /Items/{id} and
 * PUT /CreditNotes/{id}/Allocations.  The per-kind rules live in sb_doc_<kind>.c.
 */
#include "sandbox/sb_int.h"

#include "core/civil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PAGE_SIZE 1000
#define DEFAULT_PAGE  100

static void not_found(struct sandbox_response *resp)
{
	sb_resp_text(resp, 404, "text/plain", "The resource you're looking for cannot be found");
}

static bool scope_ok(const char *granted, const struct sb_kind *k, bool write)
{
	char s[96];

	if (sb_scope_has(granted, k->scope))
		return true;
	snprintf(s, sizeof(s), "%s.read", k->scope);
	if (!write && sb_scope_has(granted, s))
		return true;
	if (k->gscope != NULL) {
		if (sb_scope_has(granted, k->gscope))
			return true;
		snprintf(s, sizeof(s), "%s.read", k->gscope);
		if (!write && sb_scope_has(granted, s))
			return true;
	}
	return false;
}

/* ---- GET ---- */

static int doc_cmp(const struct sb_doc *x, const struct sb_doc *y, const char *order)
{
	int c = sb_order_cmp(order, x->obj, y->obj);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Bottom-up merge sort (stable; qsort_r is not in POSIX). */
static int sort_docs(struct sb_doc **v, size_t n, const char *order)
{
	/* an array of pointers: sizeof(*tmp) is a pointer's size, as meant */
	struct sb_doc **tmp =
	    malloc((n ? n : 1) * sizeof(*tmp)); // NOLINT(bugprone-sizeof-expression)
	struct sb_doc **src = v, **dst = tmp;

	if (tmp == NULL)
		return BS_ENOMEM;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				dst[k++] = doc_cmp(src[j], src[i], order) < 0 ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		struct sb_doc **s = src;
		src = dst;
		dst = s;
	}
	if (src != v)
		memcpy(v, src,
		       n * sizeof(*v)); // NOLINT(bugprone-sizeof-expression): an array of pointers
	free(tmp);
	return BS_OK;
}

/* Does doc's field at `path` equal one of the comma-separated `list` values? */
static bool in_csv(json_object *doc, const char *path, const char *list)
{
	json_object *v = sb_jget_path(doc, path);
	const char *s, *p = list;
	size_t n;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	n = strlen(s);
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *q = p;

		while (*q == ' ' && len > 0) {
			q++;
			len--;
		}
		if (len == n && strncasecmp(q, s, n) == 0)
			return true;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return false;
}

static void handle_list(struct sandbox *sb, struct sb_tenant *tn, int kind,
                        const struct sandbox_request *req, struct sandbox_response *resp,
                        int *elements)
{
	const struct sb_kind *k = &sb_kinds[kind];
	struct sb_coll *c = &tn->coll[kind];
	const char *where = sb_query(req, "where"), *order = sb_query(req, "order");
	const char *page_s = sb_query(req, "page"), *size_s = sb_query(req, "pageSize");
	const char *ims = sb_header(req, "If-Modified-Since");
	const char *inc_arch = sb_query(req, "includeArchived");
	struct sb_expr *ex = NULL;
	struct sb_doc **sel = NULL;
	size_t nsel = 0, first = 0, count;
	int64_t since = INT64_MIN, page = 0, psize = DEFAULT_PAGE;
	json_object *env, *arr;
	static const struct {
		const char *param, *path;
		bool numbers;
	} filters[] = {
	    {"IDs", NULL, false},
	    {"ContactIDs", "Contact.ContactID", false},
	    {"Statuses", "Status", false},
	    {"InvoiceNumbers", "InvoiceNumber", false},
	    {"CreditNoteNumbers", "CreditNoteNumber", false},
	    {"PurchaseOrderNumbers", "PurchaseOrderNumber", false},
	};

	if (where != NULL && *where && sb_where_parse(where, &ex) != BS_OK) {
		sb_resp_error(resp, 400, 16, "QueryParseException",
		              "The where clause could not be parsed");
		return;
	}
	if (ims != NULL && sb_parse_http_date(ims, &since) != BS_OK)
		since = INT64_MIN;
	if (page_s != NULL) {
		int64_t v;

		if (money_parse_fixed(page_s, strlen(page_s), 0, 0, &v) != BS_OK || v < 1)
			v = 1;
		page = v;
	}
	if (size_s != NULL) {
		int64_t v;

		if (money_parse_fixed(size_s, strlen(size_s), 0, 0, &v) == BS_OK && v >= 1)
			psize = v > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : v;
	}
	sel = malloc((c->n ? c->n : 1) *
	             sizeof(*sel)); // NOLINT(bugprone-sizeof-expression): an array of pointers
	if (sel == NULL) {
		sb_where_free(ex);
		sb_resp_error(resp, 500, 500, "InternalError", "out of memory");
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct sb_doc *d = c->docs[i];
		bool ok = !d->gone;

		if (ok && since != INT64_MIN && d->updated_ms <= since)
			ok = false;
		if (ok && kind == SBK_CONTACTS &&
		    (inc_arch == NULL || strcasecmp(inc_arch, "true") != 0) &&
		    (where == NULL || strstr(where, "ContactStatus") == NULL)) {
			const char *st = sb_jstr(d->obj, "ContactStatus");

			if (st && strcmp(st, "ARCHIVED") == 0)
				ok = false;
		}
		for (size_t f = 0; ok && f < sizeof(filters) / sizeof(filters[0]); f++) {
			const char *v = sb_query(req, filters[f].param);

			if (v != NULL && *v &&
			    !in_csv(d->obj, filters[f].path ? filters[f].path : k->id_field, v))
				ok = false;
		}
		if (ok && ex != NULL && !sb_where_eval(ex, d->obj))
			ok = false;
		if (ok)
			sel[nsel++] = d;
	}
	sb_where_free(ex);
	if (order != NULL && *order) {
		sort_docs(sel, nsel, order);
	}
	count = nsel;
	if (page > 0 && k->paged) {
		/* page is client-controlled: compare before multiplying */
		if (page - 1 > (int64_t)(nsel / (size_t)psize))
			first = nsel;
		else
			first = (size_t)((page - 1) * psize);
		if (first > nsel)
			first = nsel;
		count = nsel - first < (size_t)psize ? nsel - first : (size_t)psize;
	}
	env = json_object_new_object();
	sb_envelope(sb, env);
	if (page > 0 && k->paged) {
		json_object *pg = json_object_new_object();

		json_object_object_add(pg, "page", json_object_new_int64(page));
		json_object_object_add(pg, "pageSize", json_object_new_int64(psize));
		json_object_object_add(
		    pg, "pageCount",
		    json_object_new_int64((int64_t)((nsel + (size_t)psize - 1) / (size_t)psize)));
		json_object_object_add(pg, "itemCount", json_object_new_int64((int64_t)nsel));
		json_object_object_add(env, "pagination", pg);
	}
	arr = json_object_new_array_ext((int)(count ? count : 1));
	for (size_t i = first; i < first + count; i++)
		json_object_array_add(arr, json_object_get(sel[i]->obj));
	json_object_object_add(env, k->name, arr);
	free(sel);
	*elements = (int)count;
	if (count == 0 && since != INT64_MIN) {
		/* nothing changed since: Xero answers 304 */
		json_object_put(env);
		sb_resp_text(resp, 304, "application/json", "");
		return;
	}
	sb_resp_json(resp, 200, env);
	json_object_put(env);
}

static struct sb_doc *find_by_id_or_number(struct sb_tenant *tn, int kind, const char *key)
{
	struct sb_doc *d = sb_find(tn, kind, key);

	if (d != NULL || sb_kinds[kind].num_field == NULL)
		return d;
	return sb_find_number(tn, kind, key);
}

/* 200 with the envelope holding obj as the one element of array `key`. */
static void reply_one(struct sandbox *sb, const char *key, json_object *obj,
                      struct sandbox_response *resp, int *elements)
{
	json_object *env = json_object_new_object(), *arr;

	sb_envelope(sb, env);
	arr = json_object_new_array();
	json_object_array_add(arr, json_object_get(obj));
	json_object_object_add(env, key, arr);
	*elements = 1;
	sb_resp_json(resp, 200, env);
	json_object_put(env);
}

static void handle_get_one(struct sandbox *sb, struct sb_tenant *tn, int kind, const char *id,
                           struct sandbox_response *resp, int *elements)
{
	struct sb_doc *d = find_by_id_or_number(tn, kind, id);

	if (d == NULL) {
		not_found(resp);
		return;
	}
	reply_one(sb, sb_kinds[kind].name, d->obj, resp, elements);
}

/* ---- writes ---- */

static json_object *parse_body(const struct sandbox_request *req)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	json_object *o = NULL;

	if (tok == NULL || req->body_len == 0 || req->body_len > INT32_MAX)
		goto out;
	o = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
	if (o != NULL && tok->char_offset < (int)req->body_len) {
		/* trailing garbage after the JSON value */
		for (int i = tok->char_offset; i < (int)req->body_len; i++) {
			if (req->body[i] != ' ' && req->body[i] != '\n' && req->body[i] != '\r' &&
			    req->body[i] != '\t') {
				json_object_put(o);
				o = NULL;
				break;
			}
		}
	}
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
out:
	json_tokener_free(tok);
	return o;
}

/* The elements of a write body: {"Invoices":[...]}, a bare array or one object. */
static json_object *body_elements(json_object *body, const char *key)
{
	json_object *v;

	if (json_object_is_type(body, json_type_array))
		return json_object_get(body);
	if (!json_object_is_type(body, json_type_object))
		return NULL;
	if (json_object_object_get_ex(body, key, &v) && json_object_is_type(v, json_type_array))
		return json_object_get(v);
	v = json_object_new_array();
	json_object_array_add(v, json_object_get(body));
	return v;
}

/* The stored doc an element updates, NULL when it creates one; *missing when
 * it names an ID that does not exist. */
static struct sb_doc *element_target(struct sb_tenant *tn, int kind, json_object *e, bool post,
                                     bool *missing)
{
	const struct sb_kind *k = &sb_kinds[kind];
	const char *id = sb_jstr(e, k->id_field);

	*missing = false;
	if (id != NULL && *id) {
		struct sb_doc *d = sb_find(tn, kind, id);

		if (d == NULL)
			*missing = true;
		return d;
	}
	if (post && k->num_field != NULL) {
		char key[600];

		if (sb_numkey(kind, e, key, sizeof(key)))
			return sb_find_num(tn, kind, key);
		if (kind == SBK_INVOICES && sb_jstr(e, "InvoiceNumber") != NULL &&
		    sb_jstr(e, "Type") == NULL)
			return find_by_id_or_number(tn, kind, sb_jstr(e, "InvoiceNumber"));
	}
	return NULL;
}

/* The merge Xero applies on update: the stored doc with the element's fields on top. */
static json_object *merge(json_object *old, json_object *e)
{
	json_object *m = NULL;

	if (json_object_deep_copy(old, &m, NULL) != 0)
		return NULL;
	json_object_object_foreach(e, key, val)
	{
		json_object_object_add(m, key, json_object_get(val));
	}
	return m;
}

static json_object *error_element(json_object *e, const struct sb_kind *k, struct sb_errs *errs,
                                  json_object *warnings)
{
	json_object *o = NULL;

	if (json_object_is_type(e, json_type_object))
		json_object_deep_copy(e, &o, NULL);
	if (o == NULL)
		o = json_object_new_object();
	/* echo request dates in the wire form, as Xero does */
	{
		static const char *const dates[] = {"Date",
		                                    "DueDate",
		                                    "DeliveryDate",
		                                    "ExpectedPaymentDate",
		                                    "PlannedPaymentDate",
		                                    "ExpectedArrivalDate"};

		for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
			const char *v = sb_jstr(o, dates[i]);
			int64_t ms;

			if (v != NULL && strncmp(v, "/Date(", 6) != 0 &&
			    civil_parse(v, &ms) == BS_OK)
				sb_jset_date(o, dates[i], NULL, ms);
		}
	}
	json_object_object_add(o, k->errflag, json_object_new_boolean(1));
	json_object_object_add(o, "ValidationErrors", json_object_get(errs->arr));
	if (warnings != NULL)
		json_object_object_add(o, "Warnings", json_object_get(warnings));
	return o;
}

struct batch_op {
	int kind;
	bool post;               /* POST: create or update */
	const char *path_id;     /* POST /X/{id}: the element updates this one */
	struct sb_doc *alloc_cn; /* allocations on this credit note */
};

static int apply_element(struct sb_txn *t, const struct batch_op *op, json_object *e,
                         json_object **result, struct sb_errs *errs)
{
	const struct sb_kind *k = &sb_kinds[op->kind];
	struct sb_doc *old = NULL, *d = NULL;
	json_object *in = e, *built = NULL;
	bool missing = false;
	int rc;

	if (!json_object_is_type(e, json_type_object)) {
		sb_err(errs, "Each element must be a JSON object");
		return BS_EINVAL;
	}
	if (op->alloc_cn != NULL) {
		/* the credit note may have been replaced by an earlier element */
		struct sb_doc *cn = sb_find(t->tn, SBK_CREDITNOTES, op->alloc_cn->id);

		return sb_allocate(t, cn, e, result, errs);
	}
	if (op->path_id != NULL) {
		old = find_by_id_or_number(t->tn, op->kind, op->path_id);
		if (old == NULL) {
			sb_err(errs, "%s %s could not be found", k->name, op->path_id);
			return BS_ENOTFOUND;
		}
	} else {
		old = element_target(t->tn, op->kind, e, op->post, &missing);
		if (missing) {
			sb_err(errs, "%s could not be found", k->id_field);
			return BS_EINVAL;
		}
		if (old != NULL && !op->post) {
			/* PUT only creates: the element clashes with an existing doc */
			if (sb_jstr(e, k->id_field) != NULL) {
				sb_err(errs, "%s already exists; PUT only creates (use POST)",
				       k->id_field);
				return BS_EINVAL;
			}
			old = NULL; /* a number clash: build reports it */
		}
	}
	if (old != NULL) {
		in = merge(old->obj, e);
		if (in == NULL)
			return BS_ENOMEM;
	}
	rc = k->build(t, in, old, &built, errs);
	if (in != e)
		json_object_put(in);
	if (rc != BS_OK) {
		if (errs->n == 0)
			sb_err(errs, "The element could not be saved");
		return rc;
	}
	rc = sb_put(t, op->kind, old, built, &d);
	if (rc != BS_OK) {
		sb_err(errs, "The element could not be saved");
		return rc;
	}
	*result = json_object_get(d->obj);
	return BS_OK;
}

static void handle_batch(struct sandbox *sb, struct sb_tenant *tn, const struct batch_op *op,
                         const struct sandbox_request *req, struct sandbox_response *resp,
                         int *elements)
{
	const struct sb_kind *k = &sb_kinds[op->kind];
	const char *se = sb_query(req, "summarizeErrors");
	const char *unitdp = sb_query(req, "unitdp");
	const char *key = op->alloc_cn ? "Allocations" : k->name;
	bool summarize = se == NULL || strcasecmp(se, "false") != 0;
	json_object *body = parse_body(req), *els, *out_arr, *failed;
	struct sb_txn t;
	size_t n;
	int nerr = 0, status = 200;

	if (body == NULL) {
		sb_resp_error(resp, 400, 14, "PostDataInvalidException",
		              "The request body is not valid JSON");
		return;
	}
	els = body_elements(body, key);
	json_object_put(body);
	if (els == NULL || json_object_array_length(els) == 0) {
		json_object_put(els);
		sb_resp_error(resp, 400, 14, "PostDataInvalidException",
		              "The request contains no elements");
		return;
	}
	n = json_object_array_length(els);
	if (op->path_id != NULL && n > 1)
		n = 1; /* POST /X/{id} updates one document */
	*elements = (int)n;
	sb_txn_init(&t, sb, tn);
	t.unitdp4 = unitdp != NULL && strcmp(unitdp, "4") == 0;
	out_arr = json_object_new_array();
	failed = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(els, i), *res = NULL;
		struct sb_errs errs = {NULL, 0};
		size_t mark = t.n;
		int rc;

		t.warnings = NULL;
		rc = apply_element(&t, op, e, &res, &errs);
		if (rc == BS_ENOTFOUND && op->path_id != NULL) {
			json_object_put(errs.arr);
			json_object_put(t.warnings);
			json_object_put(out_arr);
			json_object_put(failed);
			json_object_put(els);
			sb_txn_free(&t);
			not_found(resp);
			return;
		}
		if (rc != BS_OK) {
			json_object *ee;

			sb_txn_rollback_to(&t, mark);
			ee = error_element(e, k, &errs, t.warnings);
			nerr++;
			if (!summarize)
				sb_jset_str(ee, "StatusAttributeString", "ERROR");
			json_object_array_add(failed, json_object_get(ee));
			json_object_array_add(out_arr, ee);
		} else {
			if (t.warnings != NULL || !summarize) {
				json_object *copy = NULL;

				json_object_deep_copy(res, &copy, NULL);
				json_object_put(res);
				res = copy;
				if (t.warnings != NULL)
					json_object_object_add(res, "Warnings",
					                       json_object_get(t.warnings));
				if (!summarize)
					sb_jset_str(res, "StatusAttributeString", "OK");
			}
			json_object_array_add(out_arr, res);
		}
		json_object_put(errs.arr);
		json_object_put(t.warnings);
		t.warnings = NULL;
	}
	json_object_put(els);
	if (summarize && nerr > 0) {
		/* nothing is saved when a summarised batch has a bad element */
		json_object *o = json_object_new_object();

		sb_txn_rollback_to(&t, 0);
		json_object_object_add(o, "ErrorNumber", json_object_new_int(10));
		sb_jset_str(o, "Type", "ValidationException");
		sb_jset_str(o, "Message", "A validation exception occurred");
		json_object_object_add(o, "Elements", json_object_get(failed));
		sb_resp_json(resp, 400, o);
		json_object_put(o);
	} else {
		json_object *env = json_object_new_object();

		if (sb_txn_commit(&t) != BS_OK) {
			status = 500;
		}
		sb_envelope(sb, env);
		json_object_object_add(env, key, json_object_get(out_arr));
		sb_resp_json(resp, status, env);
		json_object_put(env);
	}
	json_object_put(out_arr);
	json_object_put(failed);
	sb_txn_free(&t);
}

static void handle_delete_item(struct sandbox *sb, struct sb_tenant *tn, const char *id,
                               struct sandbox_response *resp)
{
	struct sb_doc *d = sb_find(tn, SBK_ITEMS, id);
	struct sb_txn t;
	json_object *copy = NULL;

	if (d == NULL) {
		not_found(resp);
		return;
	}
	/* a new version marked gone keeps undo/persist in one code path */
	sb_txn_init(&t, sb, tn);
	if (json_object_deep_copy(d->obj, &copy, NULL) != 0 ||
	    sb_put(&t, SBK_ITEMS, d, copy, NULL) != BS_OK) {
		sb_txn_free(&t);
		sb_resp_error(resp, 500, 500, "InternalError", "out of memory");
		return;
	}
	if (d->numkey != NULL) {
		if (sb_map_get(&tn->coll[SBK_ITEMS].by_num, d->numkey) == d)
			sb_map_del(&tn->coll[SBK_ITEMS].by_num, d->numkey);
		free(d->numkey);
		d->numkey = NULL;
	}
	d->gone = true;
	sb_txn_commit(&t);
	sb_txn_free(&t);
	sb_resp_text(resp, 204, "text/plain", "");
}

static void handle_delete_allocation(struct sandbox *sb, struct sb_tenant *tn, const char *cn_id,
                                     const char *alloc_id, struct sandbox_response *resp)
{
	struct sb_doc *cn = find_by_id_or_number(tn, SBK_CREDITNOTES, cn_id);
	struct sb_txn t;
	json_object *out = NULL;
	int rc;

	if (cn == NULL) {
		not_found(resp);
		return;
	}
	sb_txn_init(&t, sb, tn);
	rc = sb_unallocate(&t, cn, alloc_id, &out);
	if (rc == BS_ENOTFOUND) {
		not_found(resp);
	} else if (rc != BS_OK || sb_txn_commit(&t) != BS_OK) {
		sb_resp_error(resp, 500, 500, "InternalError",
		              "the allocation could not be removed");
	} else {
		sb_resp_json(resp, 200, out);
	}
	json_object_put(out);
	sb_txn_free(&t);
}

void sb_api_handle(struct sandbox *sb, struct sb_tenant *tn, const struct sandbox_request *req,
                   const char *rest, struct sandbox_response *resp, int *elements)
{
	char seg[4][256];
	int nseg = 0, kind;
	const char *p = rest;
	struct sb_token *tok = sb_oauth_check(sb, sb_header(req, "Authorization"));
	bool get = strcmp(req->method, "GET") == 0, put = strcmp(req->method, "PUT") == 0,
	     post = strcmp(req->method, "POST") == 0, del = strcmp(req->method, "DELETE") == 0;
	struct batch_op op;

	while (*p && nseg < 4) {
		size_t n = strcspn(p, "/");

		if (n >= sizeof(seg[0])) {
			not_found(resp);
			return;
		}
		memcpy(seg[nseg], p, n);
		seg[nseg][n] = '\0';
		nseg++;
		p += n;
		if (*p == '/')
			p++;
	}
	if (nseg == 0 || *p != '\0' ||
	    (nseg == 4 && !(del && strcasecmp(seg[2], "Allocations") == 0))) {
		not_found(resp);
		return;
	}
	p = nseg == 4 ? seg[3] : "";
	kind = sb_kind_of(seg[0], strlen(seg[0]));
	if (kind == -2) {
		if (!sb_scope_has(tok->scope, "accounting.settings") &&
		    !sb_scope_has(tok->scope, "accounting.settings.read")) {
			sb_resp_problem(
			    resp, 403, "Forbidden",
			    "AuthorizationUnsuccessful: missing scope accounting.settings");
			return;
		}
		if (!get || nseg != 1) {
			sb_resp_error(resp, 501, 501, "NotImplemented",
			              "The method is not implemented for Organisation");
			return;
		}
		reply_one(sb, "Organisations", tn->org, resp, elements);
		return;
	}
	if (kind < 0) {
		not_found(resp);
		return;
	}
	if (!scope_ok(tok->scope, &sb_kinds[kind], !get)) {
		sb_resp_problem(resp, 403, "Forbidden",
		                "AuthorizationUnsuccessful: the token's scopes do not cover this "
		                "endpoint");
		return;
	}
	if (get) {
		if (nseg == 1)
			handle_list(sb, tn, kind, req, resp, elements);
		else if (nseg == 2)
			handle_get_one(sb, tn, kind, seg[1], resp, elements);
		else
			not_found(resp);
		return;
	}
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	if (kind == SBK_CREDITNOTES && nseg == 3 && strcasecmp(seg[2], "Allocations") == 0 &&
	    (put || post)) {
		op.alloc_cn = find_by_id_or_number(tn, kind, seg[1]);
		if (op.alloc_cn == NULL) {
			not_found(resp);
			return;
		}
		handle_batch(sb, tn, &op, req, resp, elements);
		return;
	}
	if (del && kind == SBK_CREDITNOTES && nseg == 4) {
		handle_delete_allocation(sb, tn, seg[1], p, resp);
		return;
	}
	if (del && kind == SBK_ITEMS && nseg == 2) {
		handle_delete_item(sb, tn, seg[1], resp);
		return;
	}
	if (!sb_kinds[kind].writable || !(put || post) || nseg > 2 || (put && nseg != 1)) {
		sb_resp_error(resp, 501, 501, "NotImplemented",
		              "The method is not implemented by the sandbox for this endpoint");
		return;
	}
	op.post = post;
	op.path_id = nseg == 2 ? seg[1] : NULL;
	handle_batch(sb, tn, &op, req, resp, elements);
}
