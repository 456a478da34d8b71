/*
 * sb_hook.c - webhooks: signed deliveries of INVOICE / CONTACT / CREDITNOTE
 * events (Xero) or of entity changes (QuickBooks Online) to --webhook-url,
 * from a background thread so no API request waits on the receiver, and
 * Xero's intent-to-receive check.
 *
 * Both ledgers sign alike, in their own header: base64(HMAC-SHA256(key,
 * raw body)) in x-xero-signature (Xero) or intuit-signature (QBO, the key
 * being the app's verifier token).  The envelope is the ledger's: Xero's
 * {"events":[...], sequences, entropy}; QBO's {"eventNotifications":
 * [{"realmId", "dataChangeEvent":{"entities":[...]}}]}, one notification per
 * company (--companies) in a delivery.
 * A failed delivery is retried 3 times (1 s, 2 s, 4 s apart), then counted
 * as failed; Xero's 24-hour retry schedule is not emulated.
 */
#include "sandbox/sb_int.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sb_hook_ev {
	struct sb_hook_ev *next;
	char *json; /* one event object */
	uint32_t seq;
	char realm[24]; /* QBO: the company it is about */
};

static void sign(const char *key, const char *body, size_t len, char *out, size_t outlen)
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const uint8_t *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, outlen, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
}

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return sz * n;
}

/* POST body with signature `sig` in the ledger's header; returns the HTTP
 * status, or 0 when unreachable. */
static long post(const struct sandbox *sb, const char *url, const char *body, const char *sig)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char hdr[160];
	long code = 0;

	if (c == NULL)
		return 0;
	snprintf(hdr, sizeof(hdr), "%s: %s",
	         sb->ledger == SANDBOX_QBO ? "intuit-signature" : "x-xero-signature", sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, hdr);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

static void entropy(char *out, size_t n)
{
	uint8_t b[15];
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

	randombytes_buf(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b) && i + 1 < n; i++) {
		out[i] = alpha[b[i] % 26];
		out[i + 1] = '\0';
	}
}

/* QBO's envelope: one eventNotifications entry per run of one company's
 * events (realmIds are digits: no escaping needed). */
static int qbo_body(struct buf *b, const struct sb_hook_ev *list)
{
	const char *realm = NULL;
	int rc = buf_addstr(b, "{\"eventNotifications\":[");

	for (const struct sb_hook_ev *e = list; e && rc == BS_OK; e = e->next) {
		if (realm == NULL || strcmp(realm, e->realm) != 0) {
			if (realm != NULL)
				rc = buf_addstr(b, "]}},");
			if (rc == BS_OK)
				rc = buf_printf(b,
				                "{\"realmId\":\"%s\",\"dataChangeEvent\":{"
				                "\"entities\":[",
				                e->realm);
			realm = e->realm;
		} else {
			rc = buf_addc(b, ',');
		}
		if (rc == BS_OK)
			rc = buf_addstr(b, e->json);
	}
	if (rc == BS_OK)
		rc = buf_addstr(b, realm != NULL ? "]}}]}" : "]}");
	return rc;
}

static void deliver(struct sandbox *sb, struct sb_hook_ev *list)
{
	struct buf b;
	char sig[64], ent[20];
	uint32_t first = list->seq, last = list->seq;
	bool ok = false;
	int rc;

	buf_init(&b, 0);
	if (sb->ledger == SANDBOX_QBO) {
		rc = qbo_body(&b, list);
	} else {
		rc = buf_addstr(&b, "{\"events\":[");
		for (struct sb_hook_ev *e = list; e && rc == BS_OK; e = e->next) {
			if (e != list)
				rc = buf_addc(&b, ',');
			if (rc == BS_OK)
				rc = buf_addstr(&b, e->json);
			last = e->seq;
		}
		entropy(ent, sizeof(ent));
		if (rc == BS_OK)
			rc = buf_printf(&b,
			                "],\"firstEventSequence\":%u,\"lastEventSequence\":%u,"
			                "\"entropy\":\"%s\"}",
			                first, last, ent);
	}
	if (rc == BS_OK) {
		sign(sb->hook_key, b.ptr, b.len, sig, sizeof(sig));
		for (int attempt = 0; attempt < 4 && !ok; attempt++) {
			if (attempt > 0) {
				bool stop;

				sleep(1u << (attempt - 1));
				pthread_mutex_lock(&sb->lock);
				stop = sb->hook_stop;
				pthread_mutex_unlock(&sb->lock);
				if (stop)
					break;
			}
			ok = post(sb, sb->hook_url, b.ptr, sig) / 100 == 2;
		}
	}
	pthread_mutex_lock(&sb->lock);
	if (ok)
		sb->hook_sent++;
	else
		sb->hook_failed++;
	pthread_mutex_unlock(&sb->lock);
	buf_free(&b);
}

static void free_list(struct sb_hook_ev *e)
{
	while (e) {
		struct sb_hook_ev *n = e->next;

		free(e->json);
		free(e);
		e = n;
	}
}

static void *hook_main(void *arg)
{
	struct sandbox *sb = arg;

	for (;;) {
		struct sb_hook_ev *list;
		bool stop;

		pthread_mutex_lock(&sb->lock);
		while (!sb->hook_stop && sb->hook_head == NULL)
			pthread_cond_wait(&sb->hook_cond, &sb->lock);
		list = sb->hook_head;
		sb->hook_head = sb->hook_tail = NULL;
		stop = sb->hook_stop;
		pthread_mutex_unlock(&sb->lock);
		if (list != NULL)
			deliver(sb, list);
		free_list(list);
		if (stop)
			break;
	}
	return NULL;
}

int sb_hook_start(struct sandbox *sb)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (pthread_create(&sb->hook_thread, NULL, hook_main, sb) != 0)
		return BS_ENOMEM;
	sb->hook_running = true;
	return BS_OK;
}

void sb_hook_stop(struct sandbox *sb)
{
	if (!sb->hook_running)
		return;
	pthread_mutex_lock(&sb->lock);
	sb->hook_stop = true;
	pthread_cond_signal(&sb->hook_cond);
	pthread_mutex_unlock(&sb->lock);
	pthread_join(sb->hook_thread, NULL);
	free_list(sb->hook_head);
	sb->hook_head = sb->hook_tail = NULL;
	sb->hook_running = false;
	curl_global_cleanup();
}

void sb_hook_enqueue(struct sandbox *sb, json_object *o, const char *realm)
{
	struct sb_hook_ev *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return;
	snprintf(e->realm, sizeof(e->realm), "%s", realm != NULL ? realm : "");
	e->json = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
	/* sequence numbers run 1 .. 2^31-1 (webhooks spec) */
	if (++sb->hook_seq > INT32_MAX)
		sb->hook_seq = 1;
	e->seq = sb->hook_seq;
	if (e->json == NULL) {
		free(e);
		return;
	}
	if (sb->hook_tail)
		sb->hook_tail->next = e;
	else
		sb->hook_head = e;
	sb->hook_tail = e;
	pthread_cond_signal(&sb->hook_cond);
}

/* Called under the lock, at commit. */
void sb_hook_event(struct sandbox *sb, struct sb_tenant *tn, int kind, struct sb_doc *doc,
                   bool created)
{
	json_object *o;
	char url[256], d[48];

	if (!sb->hook_running || sb_kinds[kind].webhook == NULL)
		return;
	o = json_object_new_object();
	snprintf(url, sizeof(url), "%s/api.xro/2.0/%s/%s", sb->url, sb_kinds[kind].name, doc->id);
	sb_jset_str(o, "resourceUrl", url);
	sb_jset_str(o, "resourceId", doc->id);
	sb_isodate(d, sizeof(d), doc->updated_ms, true);
	sb_jset_str(o, "eventDateUtc", d);
	sb_jset_str(o, "eventType", created ? "CREATE" : "UPDATE");
	sb_jset_str(o, "eventCategory", sb_kinds[kind].webhook);
	sb_jset_str(o, "tenantId", tn->id);
	sb_jset_str(o, "tenantType", "ORGANISATION");
	if (kind == SBK_CREDITNOTES) {
		json_object *data = json_object_new_object();

		sb_jset_str(data, "Type", sb_jstr(doc->obj, "Type"));
		sb_jset_str(data, "Status", sb_jstr(doc->obj, "Status"));
		json_object_object_add(o, "data", data);
	}
	sb_hook_enqueue(sb, o, NULL);
	json_object_put(o);
}

/* Called under the lock; releases it while talking to the receiver. */
void sb_hook_intent(struct sandbox *sb, struct sandbox_response *resp)
{
	static const bool valid[] = {true, false, true, false, false, true};
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	bool all = true;
	size_t n = sizeof(valid) / sizeof(valid[0]);

	if (sb->hook_url == NULL) {
		json_object_put(o);
		json_object_put(arr);
		sb_resp_problem(resp, 400, "Bad Request", "no --webhook-url configured");
		return;
	}
	pthread_mutex_unlock(&sb->lock);
	for (size_t i = 0; i < n; i++) {
		char body[160], ent[20], sig[64];
		long got;
		long want = valid[i] ? 200 : 401;
		json_object *a = json_object_new_object();

		entropy(ent, sizeof(ent));
		snprintf(body, sizeof(body),
		         "{\"events\":[],\"lastEventSequence\":0,\"firstEventSequence\":0,"
		         "\"entropy\":\"%s\"}",
		         ent);
		if (valid[i])
			sign(sb->hook_key, body, strlen(body), sig, sizeof(sig));
		else
			sign("not-the-key", body, strlen(body), sig, sizeof(sig));
		got = post(sb, sb->hook_url, body, sig);
		json_object_object_add(a, "signed", json_object_new_boolean(valid[i]));
		json_object_object_add(a, "expected", json_object_new_int((int)want));
		json_object_object_add(a, "status", json_object_new_int((int)got));
		json_object_object_add(a, "ok", json_object_new_boolean(got == want));
		json_object_array_add(arr, a);
		if (got != want)
			all = false;
	}
	pthread_mutex_lock(&sb->lock);
	json_object_object_add(o, "ok", json_object_new_boolean(all));
	json_object_object_add(o, "attempts", arr);
	sb_resp_json(resp, 200, o);
	json_object_put(o);
}
