/*
 * session.c - credentials at rest and token refresh (see session.h).
 *
 * The sealed blob is JSON: {"base_url","client_id","client_secret",
 * "tenant_id","tenant_name","access_token","refresh_token","expires_at_ms",
 * "issued_at_ms","scope"} (issued_at_ms is absent from blobs written before
 * it was kept: the token's lifetime is then not known), stored under the setting "cred:<target>"
 * (not in the settings catalogue, so `booksync settings` never shows it).
 */
#include "sync/session.h"

#include "core/jsonw.h"
#include "core/secret.h"
#include "http/client.h"
#include "store/settings.h"

#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int session_key_path(const char *db_path, struct buf *out, struct bs_error *err)
{
	const char *p = db_path, *env = getenv("BOOKSYNC_KEY_FILE");
	size_t n;

	buf_reset(out);
	if (env != NULL && env[0] != '\0')
		return buf_addstr(out, env);
	if (store_path_is_pg(p))
		return bs_error_set(err, BS_EINVAL,
		                    "a PostgreSQL store keeps the key that seals its credentials "
		                    "outside the database: set BOOKSYNC_KEY_FILE to its file");
	if (strncmp(p, "file:", 5) == 0)
		p += 5;
	n = strcspn(p, "?");
	if (buf_add(out, p, n) != BS_OK)
		return BS_ENOMEM;
	return buf_addstr(out, ".key");
}

static int creds_json(const struct session_creds *c, struct buf *b)
{
	int rc = buf_addc(b, '{');

	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 0, "base_url", c->base_url);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "client_id", c->client_id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "client_secret", c->client_secret);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "tenant_id", c->tenant_id);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "tenant_name", c->tenant_name);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "access_token", c->tokens.access_token);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "refresh_token", c->tokens.refresh_token);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "expires_at_ms", c->tokens.expires_at_ms);
	if (rc == BS_OK)
		rc = jsonw_kv_int(b, 1, "issued_at_ms", c->tokens.issued_at_ms);
	if (rc == BS_OK)
		rc = jsonw_kv_str(b, 1, "scope", c->tokens.scope);
	if (rc == BS_OK)
		rc = buf_addc(b, '}');
	return rc;
}

int session_save(struct store *st, const unsigned char key[32], const char *target,
                 const struct session_creds *c, struct bs_error *err)
{
	struct buf plain, sealed, name;
	int rc;

	buf_init(&plain, 65536);
	buf_init(&sealed, 131072);
	buf_init(&name, 256);
	rc = creds_json(c, &plain);
	if (rc == BS_OK)
		rc = secret_seal(key, plain.ptr, plain.len, &sealed);
	if (rc == BS_OK)
		rc = buf_printf(&name, "cred:%s", target);
	if (rc == BS_OK)
		rc = store_setting_set(st, buf_cstr(&name), buf_cstr(&sealed), err);
	else
		bs_error_set(err, rc, "cannot seal the credentials");
	secret_buf_wipe(&plain);
	buf_free(&sealed);
	buf_free(&name);
	return rc;
}

static void copy_field(struct json_object *o, const char *key, char *dst, size_t cap)
{
	struct json_object *v;

	dst[0] = '\0';
	if (json_object_object_get_ex(o, key, &v) && v != NULL)
		snprintf(dst, cap, "%s", json_object_get_string(v));
}

static int load(struct session *s, struct bs_error *err)
{
	struct buf name, sealed, plain;
	struct json_object *o = NULL, *v;
	int rc;

	buf_init(&name, 256);
	buf_init(&sealed, 131072);
	buf_init(&plain, 65536);
	buf_printf(&name, "cred:%s", s->target);
	rc = store_setting_get(s->st, buf_cstr(&name), &sealed, err);
	if (rc == BS_ENOTFOUND) {
		rc = bs_error_set(err, BS_EAUTH, "%s is not connected: run booksync connect %s",
		                  s->target, s->ledger->name);
		goto out;
	}
	if (rc == BS_OK)
		rc = secret_open(s->key, buf_cstr(&sealed), &plain, err);
	if (rc != BS_OK) {
		if (rc == BS_EINVAL)
			rc = bs_error_set(err, BS_EAUTH,
			                  "the stored credentials cannot be opened with this key "
			                  "file: run booksync connect %s",
			                  s->ledger->name);
		goto out;
	}
	o = json_tokener_parse(buf_cstr(&plain));
	if (o == NULL) {
		rc = bs_error_set(err, BS_EAUTH, "stored credentials are damaged: reconnect");
		goto out;
	}
	copy_field(o, "base_url", s->creds.base_url, sizeof(s->creds.base_url));
	copy_field(o, "client_id", s->creds.client_id, sizeof(s->creds.client_id));
	copy_field(o, "client_secret", s->creds.client_secret, sizeof(s->creds.client_secret));
	copy_field(o, "tenant_id", s->creds.tenant_id, sizeof(s->creds.tenant_id));
	copy_field(o, "tenant_name", s->creds.tenant_name, sizeof(s->creds.tenant_name));
	copy_field(o, "access_token", s->creds.tokens.access_token,
	           sizeof(s->creds.tokens.access_token));
	copy_field(o, "refresh_token", s->creds.tokens.refresh_token,
	           sizeof(s->creds.tokens.refresh_token));
	copy_field(o, "scope", s->creds.tokens.scope, sizeof(s->creds.tokens.scope));
	if (json_object_object_get_ex(o, "expires_at_ms", &v))
		s->creds.tokens.expires_at_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "issued_at_ms", &v))
		s->creds.tokens.issued_at_ms = json_object_get_int64(v);
out:
	json_object_put(o);
	secret_buf_wipe(&plain);
	buf_free(&sealed);
	buf_free(&name);
	return rc;
}

int session_refresh_if_needed(struct session *s, struct bs_error *err)
{
	struct ledger_tokens fresh;
	int64_t now = s->now_ms();
	int rc;

	if (!s->ledger->refresh_due(&s->creds.tokens, now, s->time_scale))
		return BS_OK;
	if (s->creds.tokens.refresh_token[0] == '\0')
		return bs_error_set(err, BS_EAUTH,
		                    "the access token expired and there is no refresh token: run "
		                    "booksync connect %s",
		                    s->ledger->name);
	rc = s->ledger->refresh(s->http, s->creds.base_url, s->creds.client_id,
	                        s->creds.client_secret, s->creds.tokens.refresh_token, now, &fresh,
	                        err);
	if (rc == BS_EAUTH) {
		/* the connector knows why, the session which ledger to reconnect */
		char why[BS_ERROR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", err != NULL ? err->msg : "refused");
		return bs_error_set(err, BS_EAUTH, "%.300s: run: booksync connect %s", why,
		                    s->ledger->name);
	}
	if (rc != BS_OK)
		return rc;
	s->creds.tokens = fresh;
	sodium_memzero(&fresh, sizeof(fresh));
	/* the rotated refresh token replaces the old one at once, on its own */
	rc = session_save(s->st, s->key, s->target, &s->creds, err);
	if (rc == BS_OK)
		rc = s->ledger->set_token(s->conn, s->creds.tokens.access_token);
	return rc;
}

void session_sleep_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	if (ms > 0)
		nanosleep(&ts, NULL);
}

/* An explicit setting only: an unset limits.* keeps the ledger's own. */
static int setting_int(struct store *st, const char *key, int *out)
{
	struct buf v;
	int rc;

	buf_init(&v, 64);
	rc = store_setting_get(st, key, &v, NULL);
	if (rc == BS_OK && v.len == 0)
		rc = BS_ENOTFOUND;
	if (rc == BS_OK) {
		long n = strtol(buf_cstr(&v), NULL, 10);

		*out = n > 0 && n < 1000000000 ? (int)n : 1;
	}
	buf_free(&v);
	return rc;
}

static int64_t clock_now(void *clock)
{
	return ((struct session *)clock)->now_ms();
}

static void clock_sleep(void *clock, int64_t ms)
{
	(void)clock;
	session_sleep_ms(ms);
}

static int refresh_hook(void *arg, struct bs_error *err)
{
	return session_refresh_if_needed(arg, err);
}

static void window_hook(void *arg)
{
	session_window_save(arg);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Call times saved by session_window_save ("t,t,to": o marks a call that
 * was in flight, as when the process was killed during it), up to the
 * first character that is neither, into times[cap], oldest first.  A call
 * left in flight may reach the ledger later than now: it counts from
 * open_at (governor_inherited_at).
 */
static size_t window_parse(const char *p, int64_t open_at, int64_t *times, size_t cap)
{
	size_t n = 0;

	while (*p != '\0' && n < cap) {
		char *end;
		long long t = strtoll(p, &end, 10);

		if (end == p)
			break;
		if (*end == 'o') {
			t = t > open_at ? t : open_at;
			end++;
		}
		times[n++] = (int64_t)t;
		if (*end != ',')
			break;
		p = end + 1;
	}
	qsort(times, n, sizeof(*times), cmp_i64);
	return n;
}

/* The governor, from settings, seeded with the last process's window. */
static int governor_load(struct session *s, struct bs_error *err)
{
	/* the connector's limits, unless the limits.* settings say otherwise */
	const struct ledger_caps *caps = s->ledger->caps;
	struct governor_limits lim = {.per_minute = (int)caps->per_minute,
	                              .per_day = (int)caps->per_day,
	                              .concurrent = (int)caps->concurrent,
	                              .app_per_minute = (int)caps->app_per_minute,
	                              .time_scale = 1,
	                              .batch_per_minute = (int)caps->batch_per_minute};
	int64_t times[600];
	size_t n = 0;
	struct buf key, v;
	const char *q;

	setting_int(s->st, "limits.per_minute", &lim.per_minute);
	setting_int(s->st, "limits.per_day", &lim.per_day);
	setting_int(s->st, "limits.concurrent", &lim.concurrent);
	setting_int(s->st, "limits.app_per_minute", &lim.app_per_minute);
	setting_int(s->st, "limits.batch_minute", &lim.batch_per_minute);
	setting_int(s->st, "limits.time_scale", &lim.time_scale);
	s->time_scale = lim.time_scale; /* the token refresh margin shrinks with it */
	s->gov = governor_new(&lim);
	if (s->gov == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	s->pc.gov = s->gov;
	s->pc.now_ms = clock_now;
	s->pc.sleep_ms = clock_sleep;
	s->pc.clock = s;
	s->pc.before = refresh_hook;
	s->pc.arg = s;
	s->pc.started = window_hook;
	s->pc.started_arg = s;
	s->pc.rng = (uint64_t)s->now_ms() * 2654435761u + 1;
	buf_init(&key, 256);
	buf_init(&v, 32768);
	buf_printf(&key, "govwin:%s", s->target);
	if (store_setting_get(s->st, buf_cstr(&key), &v, NULL) == BS_OK) {
		const char *p = buf_cstr(&v);
		int64_t now = governor_inherited_at(s->gov, s->now_ms());

		n = window_parse(p, now, times, sizeof(times) / sizeof(times[0]));
		governor_seed(s->gov, times, n);
		/* the batch calls among them (QBO's batch minute) */
		q = strstr(p, ";batch=");
		n = q != NULL ? window_parse(q + 7, now, times, sizeof(times) / sizeof(times[0]))
		              : 0;
		governor_seed_batch(s->gov, times, n);
		p = strstr(p, ";day=");
		if (p != NULL) {
			char *end;
			long long rem = strtoll(p + 5, &end, 10), at;

			if (*end == '@') {
				at = strtoll(end + 1, &end, 10);
				if (*end == '\0')
					governor_seed_day(s->gov, (int64_t)rem, (int64_t)at,
					                  s->now_ms());
			}
		}
	}
	buf_free(&key);
	buf_free(&v);
	return BS_OK;
}

void session_window_save(struct session *s)
{
	int64_t times[600], rem, at;
	bool open[600];
	size_t n;
	struct buf key, v;

	if (s->gov == NULL || s->st == NULL)
		return;
	buf_init(&key, 256);
	buf_init(&v, 32768);
	buf_printf(&key, "govwin:%s", s->target);
	n = governor_recent(s->gov, s->now_ms(), times, open, sizeof(times) / sizeof(times[0]));
	for (size_t i = 0; i < n; i++)
		buf_printf(&v, "%s%lld%s", i ? "," : "", (long long)times[i], open[i] ? "o" : "");
	n = governor_recent_batch(s->gov, s->now_ms(), times, open,
	                          sizeof(times) / sizeof(times[0]));
	for (size_t i = 0; i < n; i++)
		buf_printf(&v, "%s%lld%s", i ? "," : ";batch=", (long long)times[i],
		           open[i] ? "o" : "");
	if (governor_day_belief(s->gov, &rem, &at))
		buf_printf(&v, ";day=%lld@%lld", (long long)rem, (long long)at);
	store_setting_set(s->st, buf_cstr(&key), buf_cstr(&v), NULL);
	buf_free(&key);
	buf_free(&v);
}

struct get_call {
	struct session *s;
	const char *path;
	struct buf *body;
};

static int do_get(void *ctx, struct ledger_call *call, struct bs_error *err)
{
	struct get_call *g = ctx;

	return g->s->ledger->get(g->s->conn, g->path, g->body, call, err);
}

int session_revoke(struct session *s, struct bs_error *err)
{
	if (s->ledger->revoke == NULL)
		return bs_error_set(err, BS_EUNSUPPORTED, "%s cannot revoke a connection",
		                    s->ledger->name);
	return s->ledger->revoke(s->http, s->creds.base_url, s->creds.client_id,
	                         s->creds.client_secret, s->creds.tenant_id, &s->creds.tokens, err);
}

int session_get(struct session *s, const char *path, struct buf *body, struct bs_error *err)
{
	struct get_call g = {s, path, body};

	return paced_call(&s->pc, do_get, &g, err);
}

int session_open(struct session *s, struct store *st, const char *db_path, const char *target,
                 int64_t (*now_ms)(void), struct bs_error *err)
{
	struct ledger_conn_config cfg = {0};
	struct buf kp, chart, taxes;
	int rc;

	memset(s, 0, sizeof(*s));
	s->st = st;
	s->now_ms = now_ms;
	snprintf(s->target, sizeof(s->target), "%s", target);
	s->ledger = ledger_for_target(target);
	if (s->ledger == NULL)
		return bs_error_set(err, BS_EINVAL, "%s: no connector for that ledger", target);
	buf_init(&kp, 4096);
	rc = session_key_path(db_path, &kp, err);
	if (rc == BS_OK)
		rc = secret_key_load_or_create(buf_cstr(&kp), s->key, err);
	buf_free(&kp);
	if (rc == BS_OK)
		rc = load(s, err);
	if (rc == BS_OK)
		rc = s->ledger->api_root(s->creds.base_url, s->api_root, sizeof(s->api_root), err);
	if (rc == BS_OK)
		rc = http_client_new(&s->http, err);
	if (rc != BS_OK)
		return rc;
	cfg.api_base = s->api_root;
	cfg.tenant_id = s->creds.tenant_id;
	cfg.access_token = s->creds.tokens.access_token;
	/* what connect saved of the organisation, for connectors naming
	 * accounts and tax codes by id (QBO); absent before the first read */
	buf_init(&chart, (size_t)16 << 20);
	buf_init(&taxes, (size_t)4 << 20);
	buf_printf(&kp, "chart:%s", target);
	if (store_setting_get(st, buf_cstr(&kp), &chart, NULL) == BS_OK)
		cfg.chart = buf_cstr(&chart);
	buf_reset(&kp);
	buf_printf(&kp, "taxrates:%s", target);
	if (store_setting_get(st, buf_cstr(&kp), &taxes, NULL) == BS_OK)
		cfg.tax_rates = buf_cstr(&taxes);
	buf_free(&kp);
	rc = s->ledger->conn_new(&cfg, &s->conn, err);
	buf_free(&chart);
	buf_free(&taxes);
	if (rc == BS_OK)
		rc = governor_load(s, err);
	if (rc == BS_OK)
		rc = session_refresh_if_needed(s, err);
	return rc;
}

void session_close(struct session *s)
{
	session_window_save(s);
	governor_free(s->gov);
	s->gov = NULL;
	if (s->ledger != NULL && s->conn != NULL)
		s->ledger->conn_free(s->conn);
	http_client_free(s->http);
	sodium_memzero(&s->creds, sizeof(s->creds));
	sodium_memzero(s->key, sizeof(s->key));
	s->conn = NULL;
	s->http = NULL;
}
