/*
 * api_h_webhooks.c - POST /webhooks/xero and /webhooks/qbo (docs/serve.md
 * "Webhooks"): the ledgers' change notices, authenticated by their
 * signature alone (no token, no session, no CSRF).
 *
 * The order matters: the signature over the raw body is checked before
 * anything reads the body; a wrong one gets 401 and one log line without
 * the body.  A right one is kept in the inbox in one transaction, each
 * new event asking for an early inbound run of its target
 * (`inbound.due:<target>` or `inbound.contacts_due:<target>` = now), and
 * only then is 200 sent, empty, as Xero expects: the inbox is what makes
 * "answered" mean "kept".  The import itself runs later, in the inbound
 * scheduler, well outside Xero's 5 seconds.
 */
#include "api/api_core_int.h"
#include "api/api_data_int.h"
#include "events/hooks.h"
#include "store/store.h"
#include "store/store_hooks.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct keep {
	struct store *st;
	const char *source;
	int64_t now_ms;
	int64_t added, known;
	struct bs_error *err;
};

static int keep_one(void *arg, const struct hooks_event *ev)
{
	struct keep *k = arg;
	unsigned char h[crypto_hash_sha256_BYTES];
	char key[100], hex[sizeof(h) * 2 + 1], due[128], now[24];
	struct store_hook sh;
	bool added = false;
	int rc;

	crypto_hash_sha256(h, (const unsigned char *)ev->identity, strlen(ev->identity));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(key, sizeof(key), "%s:%s", k->source, hex);
	sh.source = k->source;
	sh.key = key;
	sh.target = ev->target;
	sh.category = ev->category;
	sh.resource = ev->resource;
	sh.body = ev->json;
	rc = store_hook_add(k->st, &sh, k->now_ms, &added, k->err);
	if (rc != BS_OK)
		return rc;
	if (!added) {
		k->known++;
		return BS_OK;
	}
	k->added++;
	snprintf(due, sizeof(due), "%s:%s", ev->contact ? "inbound.contacts_due" : "inbound.due",
	         ev->target);
	snprintf(now, sizeof(now), "%lld", (long long)k->now_ms);
	return store_setting_set(k->st, due, now, k->err);
}

/* The refusal's log line: source and peer, never the body. */
static void log_refused(const struct api_ctx *c, const char *source, const char *peer)
{
	const struct api_opts *o = c->srv != NULL ? api_server_opts(c->srv) : NULL;
	char line[256];

	if (o == NULL || o->log == NULL)
		return;
	snprintf(line, sizeof(line), "webhook %s from %s refused: wrong or missing signature (401)",
	         source, peer != NULL ? peer : "?");
	o->log(line);
}

static void webhook(struct api_ctx *c, const struct http_req *req, struct http_resp *resp,
                    const char *source, const char *setting, const char *header)
{
	struct keep k;
	struct bs_error err;
	struct buf key;
	int rc;

	buf_init(&key, 4096);
	bs_error_clear(&err);
	rc = store_setting_get(c->st, setting, &key, &err);
	if (rc != BS_OK && rc != BS_ENOTFOUND) {
		api_error_bs(resp, rc, &err);
		goto out;
	}
	if (!hooks_verify(rc == BS_OK ? buf_cstr(&key) : "", req->body, req->body_len,
	                  http_req_header(req, header))) {
		/* the peer, never the body: it is unauthenticated input */
		log_refused(c, source, req->peer);
		resp->status = 401;
		resp->content_type = NULL;
		goto out;
	}
	memset(&k, 0, sizeof(k));
	k.st = c->st;
	k.source = source;
	k.now_ms = c->now_ms;
	k.err = &err;
	rc = store_begin(c->st, &err);
	if (rc == BS_OK) {
		rc = hooks_parse(source, req->body, keep_one, &k, &err);
		if (rc == BS_OK)
			rc = store_commit(c->st, &err);
		else
			store_rollback(c->st);
	}
	if (rc == BS_EINVAL) {
		api_error(resp, 400, NULL, "%s", err.msg);
		goto out;
	}
	if (rc != BS_OK) {
		/* not kept: a 5xx makes the ledger send it again */
		api_error_bs(resp, rc, &err);
		goto out;
	}
	resp->status = 200;
	resp->content_type = NULL;
	buf_reset(&resp->body);
out:
	if (key.ptr != NULL)
		sodium_memzero(key.ptr, key.len);
	buf_free(&key);
}

void api_h_webhook_xero(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	webhook(c, req, resp, "xero", "webhooks.xero_secret", "x-xero-signature");
}

void api_h_webhook_qbo(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	webhook(c, req, resp, "qbo", "webhooks.qbo_secret", "intuit-signature");
}
