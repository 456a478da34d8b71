/*
 * qbo_conn.c - one connection to a QuickBooks Online company: the bearer
 * token, the realm, the account and tax code ids connect saved, and every
 * call's verdict (see qbo_int.h qbo_call, qbo.h qbo_judge).
 *
 * QBO answers a refused request with HTTP 400 and a Fault body that names
 * the element and the code; that is the caller's to read (a batch item, a
 * duplicate DocNumber), so it is BS_OK here.  Throttling is a 429 with
 * Fault code 3001 -- older answers used 403 with the same code -- and no
 * Retry-After: both read as a 429 with a 60-second wait (docs/connect-qbo.md).
 * requestid stays in the caller's path: only the caller knows which calls
 * must replay.
 */
#include "ledger/qbo/qbo.h"
#include "ledger/qbo/qbo_int.h"

#include "core/secret.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct qbo_conn {
	struct http_client *http;
	char *company; /* api_base + "/" + realm: paths go under it */
	char *token;
	long timeout_ms;
	struct http_response resp;
	struct qbo_refs *refs;
};

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static void wipe_free(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

int qbo_conn_new(const struct ledger_conn_config *cfg, struct qbo_conn **out, struct bs_error *err)
{
	struct qbo_conn *q;
	struct buf company;
	int rc;

	*out = NULL;
	if (cfg->tenant_id == NULL || cfg->tenant_id[0] == '\0' || cfg->api_base == NULL ||
	    strpbrk(cfg->tenant_id, "/?#&% ") != NULL)
		return bs_error_set(err, BS_EINVAL, "a QuickBooks connection needs a realmId");
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	http_response_init(&q->resp);
	q->timeout_ms = cfg->timeout_ms;
	buf_init(&company, 4096);
	rc = buf_printf(&company, "%s/%s", cfg->api_base, cfg->tenant_id);
	if (rc == BS_OK) {
		q->company = dupstr(buf_cstr(&company));
		q->token = dupstr(cfg->access_token != NULL ? cfg->access_token : "");
		if (q->company == NULL || q->token == NULL)
			rc = bs_error_set(err, BS_ENOMEM, "out of memory");
	} else {
		rc = bs_error_set(err, BS_EINVAL, "the API root is too long");
	}
	buf_free(&company);
	if (rc == BS_OK)
		rc = qbo_refs_new(cfg->chart, cfg->tax_rates, &q->refs, err);
	if (rc == BS_OK)
		rc = http_client_new(&q->http, err);
	if (rc != BS_OK) {
		qbo_conn_free(q);
		return rc;
	}
	*out = q;
	return BS_OK;
}

void qbo_conn_free(struct qbo_conn *q)
{
	if (q == NULL)
		return;
	http_client_free(q->http);
	secret_buf_wipe(&q->resp.body);
	http_response_free(&q->resp);
	free(q->company);
	wipe_free(q->token);
	qbo_refs_free(q->refs);
	free(q);
}

int qbo_conn_set_token(struct qbo_conn *q, const char *access_token)
{
	char *t = dupstr(access_token);

	if (t == NULL)
		return BS_ENOMEM;
	wipe_free(q->token);
	q->token = t;
	return BS_OK;
}

const struct qbo_refs *qbo_conn_refs(const struct qbo_conn *q)
{
	return q->refs;
}

/* The first Fault error's code and message (either NULL) and whether any
 * error of it is the throttle code 3001; false when o is not a Fault. */
static bool fault_of(struct json_object *o, const char **code, const char **msg, bool *throttled)
{
	struct json_object *f, *errs, *e, *v;

	*code = *msg = NULL;
	*throttled = false;
	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "Fault", &f) ||
	    !json_object_object_get_ex(f, "Error", &errs) ||
	    !json_object_is_type(errs, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(errs); i++) {
		const char *c = NULL;

		e = json_object_array_get_idx(errs, i);
		if (json_object_object_get_ex(e, "code", &v))
			c = json_object_get_string(v);
		if (i == 0) {
			*code = c;
			if (json_object_object_get_ex(e, "Message", &v))
				*msg = json_object_get_string(v);
		}
		if (c != NULL && (strcmp(c, "3001") == 0 || strcmp(c, "003001") == 0))
			*throttled = true;
	}
	return true;
}

/* Whether body looks like one JSON object (2xx answers are not parsed twice). */
static bool looks_object(const char *body, size_t len)
{
	size_t a = 0, b = len;

	while (a < len && strchr(" \t\r\n", body[a]) != NULL && body[a] != '\0')
		a++;
	while (b > a && strchr(" \t\r\n", body[b - 1]) != NULL && body[b - 1] != '\0')
		b--;
	return b - a >= 2 && body[a] == '{' && body[b - 1] == '}';
}

int qbo_judge(long status, const char *body, size_t len, int64_t retry_after_s,
              struct ledger_call *call, struct bs_error *err)
{
	struct json_object *o = NULL;
	const char *code = NULL, *msg = NULL;
	char c[80], m[80];
	bool fault = false, throttled = false;
	int rc;

	call->http_status = status;
	if (status / 100 == 2) {
		if (body != NULL && looks_object(body, len))
			return BS_OK;
		return bs_error_set(err, BS_EPROTO,
		                    "QuickBooks answered HTTP %ld with a body that is not JSON",
		                    status);
	}
	if (body != NULL && len > 0 && len < (size_t)INT32_MAX) {
		struct json_tokener *tok = json_tokener_new();

		if (tok != NULL) {
			o = json_tokener_parse_ex(tok, body, (int)len);
			json_tokener_free(tok);
		}
		fault = fault_of(o, &code, &msg, &throttled);
	}
	oauth2_sanitise(code, c, sizeof(c));
	oauth2_sanitise(msg, m, sizeof(m));
	if (status == 429 || throttled) {
		/* not processed: the engine waits and sends the same call again */
		call->http_status = 429;
		call->retry_after_s = retry_after_s >= 0 ? retry_after_s : QBO_RETRY_AFTER_S;
		snprintf(call->problem, sizeof(call->problem), "%s", "ThrottleExceeded");
		rc = bs_error_set(err, BS_ELIMIT,
		                  "QuickBooks rate limit (HTTP %ld): retry after %llds", status,
		                  (long long)call->retry_after_s);
	} else if (status == 401 || status == 403) {
		rc =
		    bs_error_set(err, BS_EAUTH,
		                 "QuickBooks refused the credentials (HTTP %ld%s%s): run: booksync "
		                 "connect qbo",
		                 status, c[0] ? ", code " : "", c);
	} else if (status == 400 && fault) {
		rc = BS_OK; /* the caller reads the Fault */
	} else if (status == 404) {
		rc = bs_error_set(err, BS_ENOTFOUND, "QuickBooks: not found (HTTP 404%s%s)",
		                  m[0] ? ": " : "", m);
	} else if (status >= 500 || status < 400) {
		rc = bs_error_set(err, BS_EPROTO, "QuickBooks answered HTTP %ld%s%s", status,
		                  m[0] ? ": " : "", m);
	} else {
		rc = bs_error_set(err, BS_EINVAL,
		                  "QuickBooks refused the request (HTTP %ld%s%s%s%s)", status,
		                  c[0] ? ", code " : "", c, m[0] ? ": " : "", m);
	}
	json_object_put(o);
	return rc;
}

/* path with ?minorversion= unless it has one already. */
static int add_path(struct buf *url, const char *path)
{
	const char *q = strchr(path, '?');
	int rc = buf_addstr(url, path);

	if (rc == BS_OK && (q == NULL || strstr(q, "minorversion=") == NULL))
		rc = buf_printf(url, "%cminorversion=%s", q == NULL ? '?' : '&', QBO_MINORVERSION);
	return rc;
}

int qbo_call(struct qbo_conn *q, const char *method, const char *path, const char *body,
             struct buf *out, struct ledger_call *call, struct bs_error *err)
{
	struct buf url, auth;
	const char *headers[5];
	size_t nh = 0;
	struct http_request req = {0};
	int64_t ra = -1, v;
	int rc;

	ledger_call_init(call);
	buf_init(&url, 65536);
	buf_init(&auth, LEDGER_ACCESS_TOKEN_MAX + 64);
	rc = buf_addstr(&url, q->company);
	if (rc == BS_OK)
		rc = add_path(&url, path);
	if (rc == BS_OK)
		rc = buf_printf(&auth, "Authorization: Bearer %s", q->token);
	if (rc != BS_OK) {
		rc = bs_error_set(err, BS_EINVAL, "QuickBooks call: path or token too long");
		goto out;
	}
	headers[nh++] = buf_cstr(&auth);
	headers[nh++] = "Accept: application/json";
	if (body != NULL)
		/* a query statement POSTed is text; everything else JSON */
		headers[nh++] = strncmp(path, "/query", 6) == 0 ? "Content-Type: application/text"
		                                                : "Content-Type: application/json";
	headers[nh] = NULL;
	req.method = method;
	req.url = buf_cstr(&url);
	req.headers = headers;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.timeout_ms = q->timeout_ms;
	req.caller_resends = true; /* paced_call sends again, through the governor */
	call->request_bytes = req.body_len;
	rc = http_send(q->http, &req, &q->resp, err);
	call->stale_conn = q->resp.stale_conn;
	if (rc == BS_ETOOBIG)
		rc = bs_error_set(err, BS_EPROTO, "QuickBooks answer too big");
	if (rc != BS_OK) {
		call->http_status = 0; /* no answer: the outcome is unknown */
		goto out;
	}
	if (http_response_header_int(&q->resp, "Retry-After", &v) == BS_OK)
		ra = v;
	if (out != NULL) {
		buf_reset(out);
		if (q->resp.body.len > 0 &&
		    buf_add(out, q->resp.body.ptr, q->resp.body.len) != BS_OK) {
			rc = bs_error_set(err, BS_EPROTO,
			                  "QuickBooks answer too big for the buffer");
			call->http_status = q->resp.status;
			goto out;
		}
	}
	rc = qbo_judge(q->resp.status, q->resp.body.ptr, q->resp.body.len, ra, call, err);
out:
	buf_free(&url);
	secret_buf_wipe(&auth);
	return rc;
}

int qbo_get(struct qbo_conn *q, const char *path, struct buf *body, struct ledger_call *call,
            struct bs_error *err)
{
	return qbo_call(q, "GET", path, NULL, body, call, err);
}
