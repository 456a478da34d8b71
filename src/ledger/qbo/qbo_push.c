/*
 * qbo_push.c - QuickBooks Online's side of sending: a batch of up to 30
 * documents as one /batch call under a requestid, lookups by natural key,
 * the SyncTokens an update or void needs, the allocations of a credit memo
 * and a document's status.  The mapping and parsing are the pure files';
 * the calls are qbo_call's (qbo_conn.c).  docs/mapping-qbo.md.
 *
 * The SyncTokens of an update or void are read (one /query per entity) by
 * qbo_prepare, which the dispatcher calls through its paced path before
 * the push (ledger_ops.prepare); a push whose elements come without them
 * reads them itself (docs/exactly-once.md, "QuickBooks Online").
 */
#include "ledger/qbo/qbo.h"
#include "ledger/qbo/qbo_paper.h"

#include "core/jsonr.h"
#include "core/money.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The engine's resolver, with accounts and tax codes from the refs. */
struct wrap {
	const struct qbo_refs *refs;
	ledger_resolve_fn resolve;
	void *arg;
};

static int wrapped(void *arg, const char *symbol, char *id)
{
	struct wrap *w = arg;

	if (strncmp(symbol, QBO_SYM_ACCOUNT, strlen(QBO_SYM_ACCOUNT)) == 0 ||
	    strncmp(symbol, QBO_SYM_TAXCODE, strlen(QBO_SYM_TAXCODE)) == 0)
		return qbo_refs_resolve(w->refs, symbol, id) == BS_OK ? BS_OK : BS_ENOTFOUND;
	return w->resolve(w->arg, symbol, id);
}

int qbo_query_path(struct buf *path, const char *stmt)
{
	int rc = buf_addstr(path, "/query?query=");

	for (const unsigned char *p = (const unsigned char *)stmt; rc == BS_OK && *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~')
			rc = buf_addc(path, (char)*p);
		else
			rc = buf_printf(path, "%%%02X", *p);
	}
	if (rc == BS_OK)
		rc = buf_addstr(path, "&minorversion=" QBO_MINORVERSION);
	return rc;
}

/* Add one call's figures to the push's (the last answer's status). */
static void add_call(struct ledger_call *sum, const struct ledger_call *c)
{
	size_t bytes = sum->request_bytes + c->request_bytes;

	*sum = *c;
	sum->request_bytes = bytes;
}

/*
 * The SyncToken of each element that needs one (tokens[i], "" when none):
 * one /query per entity over the elements' ids.
 */
static int read_tokens(struct qbo_conn *q, enum ledger_doc_type type, struct ledger_elem *elems,
                       size_t n, char (*tokens)[LEDGER_ID_MAX], struct ledger_call *call,
                       struct bs_error *err)
{
	const char **ids = calloc(n, sizeof(*ids));
	char(*got)[LEDGER_ID_MAX] = calloc(n, sizeof(*got)); /* one query's tokens */
	struct buf stmt, path, body;
	bool *done = calloc(n, sizeof(*done));
	int rc = BS_OK;

	buf_init(&stmt, 65536);
	buf_init(&path, 3 * 65536);
	buf_init(&body, (size_t)64 << 20);
	if (ids == NULL || done == NULL || got == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		tokens[i][0] = '\0';
		done[i] = !qbo_needs_sync_token(elems[i].doc) || elems[i].ledger_id == NULL ||
		          elems[i].ledger_id[0] == '\0';
	}
	for (size_t i = 0; rc == BS_OK && i < n; i++) {
		const char *ent = qbo_entity_of(type, elems[i].doc);
		struct ledger_call c;
		size_t k = 0;

		if (done[i] || ent == NULL)
			continue;
		ledger_call_init(&c); /* no call made when the query cannot be built */
		buf_reset(&stmt);
		buf_reset(&path);
		/* this entity's ids only: qbo_parse_sync_tokens clears every slot,
		 * so an earlier entity's tokens are kept aside in tokens[] below */
		for (size_t j = 0; j < n; j++)
			ids[j] = NULL;
		rc = buf_printf(&stmt, "select * from %s where Id in (", ent);
		for (size_t j = i; rc == BS_OK && j < n; j++) {
			const char *e = qbo_entity_of(type, elems[j].doc);

			if (done[j] || e == NULL || strcmp(e, ent) != 0)
				continue;
			/* ids are QBO's own digits: nothing to escape */
			rc = buf_printf(&stmt, "%s'%s'", k++ ? "," : "", elems[j].ledger_id);
			ids[j] = elems[j].ledger_id;
			done[j] = true;
		}
		if (rc == BS_OK)
			rc = buf_printf(&stmt, ") maxresults 1000");
		if (rc == BS_OK)
			rc = qbo_query_path(&path, buf_cstr(&stmt));
		if (rc == BS_OK)
			rc = qbo_call(q, "GET", buf_cstr(&path), NULL, &body, &c, err);
		add_call(call, &c);
		if (rc == BS_OK)
			rc = qbo_parse_sync_tokens(buf_cstr(&body), body.len, ids, n, got, err);
		for (size_t j = 0; rc == BS_OK && j < n; j++)
			if (ids[j] != NULL)
				memcpy(tokens[j], got[j], LEDGER_ID_MAX);
		for (size_t j = 0; rc == BS_OK && j < n; j++)
			if (ids[j] != NULL && tokens[j][0] == '\0')
				rc = bs_error_set(err, BS_ENOTFOUND,
				                  "QuickBooks Online has no %s %s to change", ent,
				                  ids[j]);
	}
out:
	buf_free(&stmt);
	buf_free(&path);
	buf_free(&body);
	free(ids);
	free(got);
	free(done);
	return rc;
}

/*
 * requestid: QBO takes at most 36 characters on /batch.  A longer key is
 * replaced by a digest of it (32 hex digits), the same for the same key,
 * so a resend replays as the key would.
 */
static void request_id(const char *key, char out[40])
{
	unsigned char h[16];

	if (strlen(key) <= 36) {
		snprintf(out, 40, "%s", key);
		return;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)key, strlen(key), NULL, 0);
	for (size_t i = 0; i < sizeof(h); i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* Whether elems[i] needs a SyncToken (an update or void of a linked one). */
static bool needs_token(const struct ledger_elem *e)
{
	return qbo_needs_sync_token(e->doc) && e->ledger_id != NULL && e->ledger_id[0] != '\0';
}

bool qbo_prepare_needed(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n)
{
	(void)type;
	for (size_t i = 0; i < n; i++)
		if (needs_token(&elems[i]) && elems[i].version[0] == '\0')
			return true;
	return false;
}

int qbo_prepare(struct qbo_conn *q, enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
                struct ledger_call *call, struct bs_error *err)
{
	char(*tokens)[LEDGER_ID_MAX] = calloc(n ? n : 1, sizeof(*tokens));
	int rc;

	ledger_call_init(call);
	if (tokens == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	rc = read_tokens(q, type, elems, n, tokens, call, err);
	for (size_t i = 0; rc == BS_OK && i < n; i++)
		if (needs_token(&elems[i]))
			snprintf(elems[i].version, LEDGER_ID_MAX, "%s", tokens[i]);
	free(tokens);
	return rc;
}

/* Refuse elems[i] before sending: its document cannot be mapped. */
static void refuse_unmapped(struct ledger_elem *e, int rc, const struct bs_error *why)
{
	e->status = BS_EINVAL;
	e->refusal = rc == BS_ENOTFOUND ? LEDGER_REFUSAL_NOT_FOUND : LEDGER_REFUSAL_INVALID;
	e->id[0] = '\0';
	e->has_total = false;
	buf_reset(&e->message);
	buf_addstr(&e->message, why->msg);
}

/* A sent element's verdict back into the batch's element. */
static void take_verdict(struct ledger_elem *to, struct ledger_elem *from)
{
	struct buf msg = to->message;

	to->message = from->message;
	from->message = msg;
	to->status = from->status;
	to->refusal = from->refusal;
	to->warned = from->warned;
	to->has_total = from->has_total;
	to->total = from->total;
	memcpy(to->id, from->id, sizeof(to->id));
	memcpy(to->number, from->number, sizeof(to->number));
}

/*
 * Each document is mapped on its own first: one that cannot be (an account
 * the company lacks, a DocNumber over 21) is refused alone, with its
 * reason, and the others are sent (bId = their position in what is sent).
 * When none is left, nothing is sent and call says no answer.
 */
int qbo_push(struct qbo_conn *q, enum ledger_doc_type type, struct ledger_elem *elems, size_t n,
             const char *idempotency_key, ledger_resolve_fn resolve, void *arg,
             struct ledger_call *call, struct bs_error *err)
{
	struct wrap w = {qbo_conn_refs(q), resolve, arg};
	struct ledger_elem *sub = NULL;
	const char **tp = NULL;
	size_t *idx = NULL, k = 0;
	struct buf body, path, ans, scratch;
	char rid[40];
	int rc = BS_OK;

	ledger_call_init(call);
	buf_init(&body, (size_t)8 << 20);
	buf_init(&path, 256);
	buf_init(&ans, (size_t)64 << 20);
	buf_init(&scratch, (size_t)8 << 20);
	if (n == 0 || n > QBO_BATCH_MAX) {
		rc = bs_error_set(err, BS_EINVAL, "a batch holds 1 to %d documents", QBO_BATCH_MAX);
		goto out;
	}
	/* the SyncTokens: read by the dispatcher's prepare, else here */
	if (qbo_prepare_needed(type, elems, n) &&
	    (rc = qbo_prepare(q, type, elems, n, call, err)) != BS_OK)
		goto out;
	sub = calloc(n, sizeof(*sub));
	tp = calloc(n, sizeof(*tp));
	idx = calloc(n, sizeof(*idx));
	if (sub == NULL || tp == NULL || idx == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct bs_error why;
		int mrc;

		bs_error_clear(&why);
		buf_reset(&scratch);
		mrc = qbo_map_element(type, elems[i].doc, elems[i].ledger_id, elems[i].version,
		                      wrapped, &w, &scratch, &why);
		if (mrc == BS_ENOMEM) {
			rc = bs_error_set(err, BS_ENOMEM, "out of memory");
			goto out;
		}
		if (mrc != BS_OK) {
			refuse_unmapped(&elems[i], mrc, &why);
			continue;
		}
		ledger_elem_init(&sub[k]);
		sub[k].doc = elems[i].doc;
		sub[k].ledger_id = elems[i].ledger_id;
		memcpy(sub[k].version, elems[i].version, sizeof(sub[k].version));
		tp[k] = elems[i].version;
		idx[k++] = i;
	}
	if (k == 0)
		goto out;
	rc = qbo_batch_build(type, sub, k, tp, wrapped, &w, &body, err);
	if (rc == BS_OK) {
		request_id(idempotency_key ? idempotency_key : "", rid);
		rc = idempotency_key != NULL && idempotency_key[0] != '\0'
		         ? buf_printf(&path, "/batch?requestid=%s&minorversion=%s", rid,
		                      QBO_MINORVERSION)
		         : buf_printf(&path, "/batch?minorversion=%s", QBO_MINORVERSION);
	}
	if (rc == BS_OK) {
		struct ledger_call c;

		rc = qbo_call(q, "POST", buf_cstr(&path), buf_cstr(&body), &ans, &c, err);
		add_call(call, &c);
	}
	if (rc == BS_OK)
		rc = qbo_parse_response(type, buf_cstr(&ans), ans.len, sub, k, err);
	for (size_t j = 0; rc == BS_OK && j < k; j++) {
		/* a new one whose name an inactive twin holds: that one, active again */
		if ((type == LEDGER_CONTACT || type == LEDGER_ITEM) && sub[j].ledger_id == NULL &&
		    sub[j].refusal == LEDGER_REFUSAL_DUPLICATE) {
			struct ledger_call c;
			int r = qbo_reactivate(q, type, &sub[j], &c, err);

			if (c.http_status != 0)
				add_call(call, &c);
			if (r != BS_OK && r != BS_ENOTFOUND)
				rc = r;
		}
		/* QBO keeps one DisplayName across customers and vendors: say so */
		if (rc == BS_OK && type == LEDGER_CONTACT &&
		    sub[j].refusal == LEDGER_REFUSAL_DUPLICATE)
			buf_addstr(&sub[j].message,
			           "; QuickBooks Online keeps one DisplayName across customers and "
			           "vendors: if a customer and a supplier share this name, rename "
			           "one of them at the source (e.g. \"Name (supplier)\")");
		take_verdict(&elems[idx[j]], &sub[j]);
	}
out:
	for (size_t j = 0; sub != NULL && j < k; j++)
		ledger_elem_release(&sub[j]);
	free(sub);
	free(tp);
	free(idx);
	buf_free(&body);
	buf_free(&path);
	buf_free(&ans);
	buf_free(&scratch);
	return rc;
}

/* ------------------------------------------------------------- lookups */

size_t qbo_lookup_keyed(enum ledger_doc_type type, const struct ledger_elem *elems, size_t n)
{
	struct buf key;
	size_t k = 0;

	buf_init(&key, 8192);
	for (size_t i = 0; i < n; i++) {
		const char *field, *party;

		if (qbo_entity_of(type, elems[i].doc) != NULL &&
		    qbo_natural_key(type, elems[i].doc, &field, &key, &party) == BS_OK)
			k++;
	}
	buf_free(&key);
	return k;
}

/*
 * The lookup's call: one query (one entity, the usual case) is a GET of
 * /query, which QBO does not count among its 40 batch calls a minute;
 * several go as the /batch of queries body holds.
 */
static int lookup_call(struct qbo_conn *q, const struct buf *body, struct buf *ans,
                       struct ledger_call *call, struct bs_error *err)
{
	struct json_object *root = json_tokener_parse(buf_cstr(body)), *items = NULL;
	struct buf path;
	int rc;

	buf_init(&path, (size_t)4 << 20);
	if (root != NULL && json_object_object_get_ex(root, "BatchItemRequest", &items) &&
	    json_object_array_length(items) == 1) {
		const char *stmt = jsonr_str(json_object_array_get_idx(items, 0), "Query");

		rc = stmt != NULL ? qbo_query_path(&path, stmt)
		                  : bs_error_set(err, BS_EINTERNAL, "a lookup without a query");
		if (rc == BS_OK)
			rc = qbo_call(q, "GET", buf_cstr(&path), NULL, ans, call, err);
	} else {
		rc = qbo_call(q, "POST", "/batch?minorversion=" QBO_MINORVERSION, buf_cstr(body),
		              ans, call, err);
	}
	buf_free(&path);
	json_object_put(root);
	return rc;
}

int qbo_lookup_many(struct qbo_conn *q, enum ledger_doc_type type, struct ledger_elem *elems,
                    size_t n, ledger_resolve_fn resolve, void *arg, bool *found,
                    struct ledger_call *call, struct bs_error *err)
{
	char(*vid)[LEDGER_ID_MAX] = calloc(n ? n : 1, sizeof(*vid));
	const char **vp = calloc(n ? n : 1, sizeof(*vp));
	struct buf body, ans, key;
	size_t keyed = 0;
	int rc;

	ledger_call_init(call);
	buf_init(&body, (size_t)8 << 20);
	buf_init(&ans, (size_t)64 << 20);
	buf_init(&key, 8192);
	for (size_t i = 0; i < n; i++)
		found[i] = false;
	if (vid == NULL || vp == NULL) {
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
		goto out;
	}
	/* a bill's number is its vendor's: an unposted vendor matches none */
	for (size_t i = 0; i < n; i++) {
		const char *field, *party = NULL;

		if (qbo_natural_key(type, elems[i].doc, &field, &key, &party) == BS_OK &&
		    party != NULL) {
			if (resolve(arg, party, vid[i]) != BS_OK)
				snprintf(vid[i], LEDGER_ID_MAX, "%s", "(not posted)");
			vp[i] = vid[i];
		}
	}
	rc = qbo_lookup_batch(type, elems, n, &body, &keyed, err);
	if (rc == BS_ENOTFOUND) {
		rc = bs_error_set(err, BS_EUNSUPPORTED,
		                  "no document of the batch has a natural key");
		goto out;
	}
	if (rc == BS_OK)
		rc = lookup_call(q, &body, &ans, call, err);
	if (rc == BS_OK)
		rc = qbo_parse_query(type, buf_cstr(&ans), ans.len, elems, n, vp, found, err);
out:
	buf_free(&body);
	buf_free(&ans);
	buf_free(&key);
	free(vid);
	free(vp);
	return rc;
}

/* ------------------------------------------------------------- reads */

/* GET a query into a parsed QueryResponse (*qr borrowed from *root). */
static int run_query(struct qbo_conn *q, const char *stmt, struct json_object **root,
                     struct json_object **qr, struct ledger_call *call, struct bs_error *err)
{
	struct buf path, body;
	int rc;

	*root = *qr = NULL;
	buf_init(&path, 65536);
	buf_init(&body, (size_t)64 << 20);
	rc = qbo_query_path(&path, stmt);
	if (rc == BS_OK)
		rc = qbo_call(q, "GET", buf_cstr(&path), NULL, &body, call, err);
	if (rc == BS_OK) {
		*root = json_tokener_parse(buf_cstr(&body));
		if (*root == NULL || !json_object_object_get_ex(*root, "QueryResponse", qr))
			rc = bs_error_set(err, BS_EPROTO,
			                  "QuickBooks Online's answer has no "
			                  "QueryResponse");
	}
	buf_free(&path);
	buf_free(&body);
	return rc;
}

/*
 * The allocations of a credit memo are the Payments booksync wrote for them
 * (PrivateNote "[booksync Allocation/..."): each has a line linking the
 * CreditMemo and one linking the Invoice, for the same amount.
 */
int qbo_allocations(struct qbo_conn *q, const char *credit_note_id, struct ledger_allocation **out,
                    size_t *n, struct ledger_call *call, struct bs_error *err)
{
	struct json_object *root = NULL, *qr = NULL, *list;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = run_query(q,
	               "select * from Payment where PrivateNote like '[booksync Allocation/%' "
	               "maxresults 1000",
	               &root, &qr, call, err);
	if (rc != BS_OK || !json_object_object_get_ex(qr, "Payment", &list))
		goto out;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *p = json_object_array_get_idx(list, i), *lines;
		const char *inv = NULL, *amount = NULL;
		bool mine = false;

		if (!json_object_object_get_ex(p, "Line", &lines))
			continue;
		for (size_t j = 0; j < json_object_array_length(lines); j++) {
			struct json_object *l = json_object_array_get_idx(lines, j), *lt, *t;

			if (!json_object_object_get_ex(l, "LinkedTxn", &lt) ||
			    (t = json_object_array_get_idx(lt, 0)) == NULL)
				continue;
			if (strcmp(jsonr_str(t, "TxnType") ? jsonr_str(t, "TxnType") : "",
			           "CreditMemo") == 0)
				mine |= jsonr_str(t, "TxnId") != NULL &&
				        strcmp(jsonr_str(t, "TxnId"), credit_note_id) == 0;
			else {
				inv = jsonr_str(t, "TxnId");
				amount = jsonr_str(l, "Amount");
			}
		}
		if (!mine || inv == NULL || amount == NULL)
			continue;
		if (*n == cap) {
			struct ledger_allocation *g;

			cap = cap ? 2 * cap : 4;
			if ((g = realloc(*out, cap * sizeof(**out))) == NULL) {
				rc = bs_error_set(err, BS_ENOMEM, "out of memory");
				goto out;
			}
			*out = g;
		}
		memset(&(*out)[*n], 0, sizeof(**out));
		snprintf((*out)[*n].id, LEDGER_ID_MAX, "%s",
		         jsonr_str(p, "Id") ? jsonr_str(p, "Id") : "");
		snprintf((*out)[*n].invoice_id, LEDGER_ID_MAX, "%s", inv);
		if (money_parse_fixed(amount, strlen(amount), MONEY_DP, MONEY_DP,
		                      &(*out)[*n].amount) != BS_OK)
			continue;
		(*n)++;
	}
out:
	if (rc != BS_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	json_object_put(root);
	return rc;
}

/* The status an entity read back says. */
static enum ledger_doc_status status_of(struct json_object *e)
{
	const char *note = jsonr_str(e, "PrivateNote"), *st = jsonr_str(e, "status");
	struct json_object *a;
	bool active = !json_object_object_get_ex(e, "Active", &a) || json_object_get_boolean(a);

	if ((note != NULL && strncmp(note, "Voided", 6) == 0) ||
	    (st != NULL && strcmp(st, "Voided") == 0))
		return LEDGER_DOC_VOIDED;
	if ((st != NULL && strcmp(st, "Deleted") == 0) || !active)
		return LEDGER_DOC_DELETED;
	return LEDGER_DOC_LIVE;
}

/*
 * A document's status: read by Id from the entities its type may be (a
 * ledger Invoice is an Invoice or a Bill, ...), the first that has it, in
 * one call: a GET of /query for one entity, a /batch of queries for
 * several.  QBO forgets a deleted entity, so that is BS_ENOTFOUND; a
 * voided one keeps its Id with "Voided" leading its PrivateNote.
 */
int qbo_doc_status(struct qbo_conn *q, enum ledger_doc_type type, const char *id,
                   enum ledger_doc_status *out, struct ledger_call *call, struct bs_error *err)
{
	static const char *const cands[LEDGER_DOC_TYPE_COUNT][4] = {
	    [LEDGER_CONTACT] = {"Customer", "Vendor"},
	    [LEDGER_ITEM] = {"Item"},
	    [LEDGER_PURCHASE_ORDER] = {"PurchaseOrder"},
	    [LEDGER_INVOICE] = {"Invoice", "Bill"},
	    [LEDGER_CREDIT_NOTE] = {"CreditMemo", "VendorCredit"},
	    [LEDGER_MANUAL_JOURNAL] = {"JournalEntry"},
	    [LEDGER_BANK_TRANSACTION] = {"Deposit", "Purchase"},
	    [LEDGER_PAYMENT] = {"Payment", "BillPayment", "Purchase", "Deposit"},
	    [LEDGER_ALLOCATION] = {"Payment"},
	};
	struct json_object *root = NULL, *qr = NULL, *list, *e, *items;
	struct buf body, ans;
	size_t nc = 0;
	int rc = BS_OK;

	if ((unsigned)type >= LEDGER_DOC_TYPE_COUNT || id == NULL)
		return bs_error_set(err, BS_EINVAL, "no such document type");
	/* ids are QBO's own digits; anything else cannot be one */
	if (id[0] == '\0' || strspn(id, "0123456789") != strlen(id))
		return bs_error_set(err, BS_ENOTFOUND, "'%s' is not a QuickBooks Online Id", id);
	while (nc < 4 && cands[type][nc] != NULL)
		nc++;
	buf_init(&body, 8192);
	buf_init(&ans, (size_t)64 << 20);
	if (nc == 1) {
		char stmt[128];

		snprintf(stmt, sizeof(stmt), "select * from %s where Id = '%s'", cands[type][0],
		         id);
		rc = run_query(q, stmt, &root, &qr, call, err);
		if (rc == BS_OK && json_object_object_get_ex(qr, cands[type][0], &list) &&
		    (e = json_object_array_get_idx(list, 0)) != NULL) {
			*out = status_of(e);
			goto out;
		}
		goto none;
	}
	rc = buf_addstr(&body, "{\"BatchItemRequest\":[");
	for (size_t i = 0; rc == BS_OK && i < nc; i++)
		rc = buf_printf(&body,
		                "%s{\"bId\":\"c%zu\",\"Query\":\"select * from %s where Id = "
		                "'%s'\"}",
		                i ? "," : "", i, cands[type][i], id);
	if (rc == BS_OK)
		rc = buf_addstr(&body, "]}");
	if (rc == BS_OK)
		rc = qbo_call(q, "POST", "/batch?minorversion=" QBO_MINORVERSION, buf_cstr(&body),
		              &ans, call, err);
	if (rc != BS_OK)
		goto out;
	root = json_tokener_parse(buf_cstr(&ans));
	if (root == NULL || !json_object_object_get_ex(root, "BatchItemResponse", &items)) {
		rc = bs_error_set(err, BS_EPROTO,
		                  "QuickBooks Online's answer has no "
		                  "BatchItemResponse");
		goto out;
	}
	/* the first candidate, in order, that has it */
	for (size_t i = 0; i < nc; i++)
		for (size_t j = 0; j < json_object_array_length(items); j++) {
			struct json_object *it = json_object_array_get_idx(items, j);
			const char *bid = jsonr_str(it, "bId");

			if (bid == NULL || bid[0] != 'c' ||
			    (size_t)strtol(bid + 1, NULL, 10) != i ||
			    !json_object_object_get_ex(it, "QueryResponse", &qr) ||
			    !json_object_object_get_ex(qr, cands[type][i], &list) ||
			    (e = json_object_array_get_idx(list, 0)) == NULL)
				continue;
			*out = status_of(e);
			goto out;
		}
none:
	if (rc == BS_OK)
		rc = bs_error_set(err, BS_ENOTFOUND, "QuickBooks Online has no %s %s",
		                  ledger_doc_type_name(type), id);
out:
	json_object_put(root);
	buf_free(&body);
	buf_free(&ans);
	return rc;
}
