/*
 * events_deliver.c - delivering the outbox to events.url (events.h): the
 * retry schedule, the signature, the body, and one delivery run.
 *
 * A run reads the due events first and posts them after, so no store
 * statement stays open across a slow receiver; each outcome is its own
 * small write.  Two deliverers at once (serve and a cron `booksync events
 * --deliver`) may both post an event: delivery is at least once by design,
 * and the receiver drops a repeat by Booksync-Event-Id.
 */
#include "events/events.h"

#include "core/grow.h"
#include "core/buf.h"
#include "core/jsonw.h"
#include "http/client.h"
#include "store/store.h"
#include "store/store_events.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_LIMIT 100

struct events_backoff_out events_backoff(const struct events_backoff_in *in)
{
	struct events_backoff_out out = {false, 0};
	/* unit_ms is a schedule minute; the schedule is in seconds */
	int64_t unit = in->unit_ms > 0 ? in->unit_ms : 60000;
	int64_t end = in->since_ms + (int64_t)EVENTS_WINDOW_S * unit / 60;
	int64_t delay = EVENTS_CAP_S;

	if (in->now_ms >= end) {
		out.dead = true;
		return out;
	}
	/* 30 s doubling: by the 8th attempt it is past the cap (30 * 2^7) */
	if (in->attempts >= 1 && in->attempts < 8)
		delay = (int64_t)EVENTS_FIRST_S << (in->attempts - 1);
	else if (in->attempts < 1)
		delay = EVENTS_FIRST_S;
	if (delay > EVENTS_CAP_S)
		delay = EVENTS_CAP_S;
	out.next_ms = in->now_ms + delay * unit / 60;
	if (out.next_ms > end)
		out.next_ms = end;
	return out;
}

int events_sign(const char *secret, const char *timestamp, const char *body, size_t len, char *out,
                struct bs_error *err)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state h;

	if (secret == NULL || timestamp == NULL || (body == NULL && len > 0) || out == NULL)
		return bs_error_set(err, BS_EINVAL, "events_sign: missing argument");
	crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)".", 1);
	if (len > 0)
		crypto_auth_hmacsha256_update(&h, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&h, mac);
	memcpy(out, "v1=", 4); /* the hex that follows overwrites the NUL */
	sodium_bin2hex(out + 3, EVENTS_SIG_MAX - 3, mac, sizeof(mac));
	sodium_memzero(&h, sizeof(h));
	return BS_OK;
}

int events_body(const struct store_event *e, const char *data, struct buf *out,
                struct bs_error *err)
{
	json_object *o = json_tokener_parse(data != NULL ? data : "{}");
	const char *text;
	int rc;

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		rc = bs_error_set(err, BS_EINVAL, "event %s: data is not a JSON object", e->id);
		goto out;
	}
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	rc = buf_addstr(out, "{");
	if (rc == BS_OK)
		rc = jsonw_kv_str(out, 0, "id", e->id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(out, 1, "type", e->type);
	if (rc == BS_OK)
		rc = jsonw_kv_str(out, 1, "target", e->target);
	if (rc == BS_OK)
		rc = jsonw_kv_int(out, 1, "created_ms", e->created_ms);
	if (rc == BS_OK)
		rc = buf_addstr(out, ",\"data\":");
	if (rc == BS_OK)
		rc = buf_addstr(out, text);
	if (rc == BS_OK)
		rc = buf_addstr(out, "}");
	if (rc != BS_OK)
		rc = bs_error_set(err, rc, "event %s: the body does not fit", e->id);
out:
	json_object_put(o);
	return rc;
}

int64_t events_unit_ms(void)
{
	const char *v = getenv(EVENTS_UNIT_ENV);
	char *end = NULL;
	long long n;

	if (v == NULL || *v == '\0')
		return 60000;
	n = strtoll(v, &end, 10);
	if (end == v || *end != '\0' || n <= 0 || n > 60000)
		return 60000;
	return (int64_t)n;
}

/* The due events, copied out of the walk (the store is free while posting). */
struct due {
	struct store_event ev;
	char *data;
};
struct due_list {
	struct due *v;
	size_t n, cap;
};

static int collect(void *arg, const struct store_event *e, const char *data)
{
	struct due_list *l = arg;

	if (grow_array(&l->v, &l->cap, l->n, 16, sizeof(*l->v)) != BS_OK)
		return BS_ENOMEM;
	l->v[l->n].ev = *e;
	l->v[l->n].data = strdup(data);
	if (l->v[l->n].data == NULL)
		return BS_ENOMEM;
	l->n++;
	return BS_OK;
}

/* POST one event; BS_OK with *ok and a reason for the event's last_error. */
static int post_one(struct http_client *c, const char *url, const char *secret, const struct due *d,
                    int64_t now_ms, bool *ok, char *why, size_t whylen, struct bs_error *err)
{
	char ts[24], sig[EVENTS_SIG_MAX], h_id[80], h_ts[64], h_sig[100];
	const char *hdrs[5];
	struct http_request rq;
	struct http_response resp;
	struct bs_error perr;
	struct buf body;
	int rc;

	*ok = false;
	buf_init(&body, BUF_MAX_DEFAULT);
	http_response_init(&resp);
	resp.body.max = 64 << 10; /* the receiver's answer is not ours to keep */
	rc = events_body(&d->ev, d->data, &body, err);
	if (rc != BS_OK)
		goto out;
	snprintf(ts, sizeof(ts), "%lld", (long long)(now_ms / 1000));
	rc = events_sign(secret, ts, buf_cstr(&body), body.len, sig, err);
	if (rc != BS_OK)
		goto out;
	snprintf(h_id, sizeof(h_id), "%s: %s", EVENTS_HDR_ID, d->ev.id);
	snprintf(h_ts, sizeof(h_ts), "%s: %s", EVENTS_HDR_TIME, ts);
	snprintf(h_sig, sizeof(h_sig), "%s: %s", EVENTS_HDR_SIG, sig);
	hdrs[0] = "Content-Type: application/json";
	hdrs[1] = h_id;
	hdrs[2] = h_ts;
	hdrs[3] = h_sig;
	hdrs[4] = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.headers = hdrs;
	rq.body = buf_cstr(&body);
	rq.body_len = body.len;
	rq.timeout_ms = 10000;
	bs_error_clear(&perr);
	if (http_send(c, &rq, &resp, &perr) != BS_OK) {
		/* the reason is kept as long as the caller's buffer allows */
		size_t n = strnlen(perr.msg, whylen - 1);
		memcpy(why, perr.msg, n);
		why[n] = '\0';
	} else if (resp.status < 200 || resp.status > 299)
		snprintf(why, whylen, "the receiver answered %ld", resp.status);
	else
		*ok = true;
out:
	http_response_free(&resp);
	buf_free(&body);
	return rc;
}

static int setting(struct store *st, const char *key, struct buf *v, struct bs_error *err)
{
	int rc = store_setting_get(st, key, v, err);

	if (rc == BS_ENOTFOUND) {
		bs_error_clear(err);
		buf_reset(v);
		rc = BS_OK;
	}
	return rc;
}

int events_deliver_due(struct store *st, struct http_client *client, int64_t now_ms,
                       int64_t unit_ms, size_t limit, struct events_run *run, struct bs_error *err)
{
	struct due_list l = {NULL, 0, 0};
	struct buf url, secret;
	int rc;

	buf_init(&url, 4096);
	buf_init(&secret, 4096);
	rc = setting(st, "events.url", &url, err);
	if (rc == BS_OK)
		rc = setting(st, "events.secret", &secret, err);
	if (rc != BS_OK || buf_cstr(&url)[0] == '\0')
		goto out;
	/* an HMAC with an empty key proves nothing: no delivery unsigned */
	if (buf_cstr(&secret)[0] == '\0') {
		rc = bs_error_set(err, BS_EINVAL,
		                  "events.url is set but events.secret is not: set it "
		                  "(booksync settings events.secret KEY)");
		goto out;
	}
	rc = store_events_due(st, now_ms, limit > 0 ? limit : RUN_LIMIT, collect, &l, err);
	if (rc == BS_ENOMEM)
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
	for (size_t i = 0; rc == BS_OK && i < l.n; i++) {
		struct events_backoff_in bi;
		struct events_backoff_out bo;
		char why[200] = "";
		bool ok;

		rc = post_one(client, buf_cstr(&url), buf_cstr(&secret), &l.v[i], now_ms, &ok, why,
		              sizeof(why), err);
		if (rc != BS_OK)
			break;
		if (ok) {
			rc = store_event_attempt(st, l.v[i].ev.id, "delivered", now_ms, 0, "", err);
			run->delivered += rc == BS_OK;
		} else {
			bi.attempts = l.v[i].ev.attempts + 1;
			bi.since_ms = l.v[i].ev.since_ms;
			bi.now_ms = now_ms;
			bi.unit_ms = unit_ms;
			bo = events_backoff(&bi);
			rc = store_event_attempt(st, l.v[i].ev.id, bo.dead ? "dead" : "pending",
			                         now_ms, bo.next_ms, why, err);
			if (rc == BS_OK) {
				run->dead += bo.dead;
				run->retried += !bo.dead;
			}
		}
		/* another deliverer or a re-delivery moved it meanwhile: not ours */
		if (rc == BS_ENOTFOUND) {
			bs_error_clear(err);
			rc = BS_OK;
		}
	}
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].data);
	free(l.v);
	if (secret.ptr != NULL)
		sodium_memzero(secret.ptr, secret.len);
	buf_free(&secret);
	buf_free(&url);
	return rc;
}
