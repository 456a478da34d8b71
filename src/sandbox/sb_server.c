/*
 * sb_server.c - the sandbox's life cycle and its HTTP server: the
 * configuration SPECs (limits, faults) and clients file, the listen address
 * (loopback unless an admin token is set), the HTTP server (src/http/
 * server.h, shared with `booksync serve`: a thread per connection, bodies
 * capped at 3.5 MB) around sandbox_handle(), start and stop.
 */
#include "sandbox/sb_int.h"
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BODY_MAX ((size_t)3670016) /* 3.5 MB */
#define KV_MAX   64                /* query arguments and headers passed on */
#define LOG_CAP  10000

/* ------------------------------------------------------------- specs */

/* Walk "k=v,k=v": calls fn for each pair. */
static int spec_walk(const char *spec,
                     int (*fn)(struct sandbox *, const char *, size_t, const char *, size_t,
                               struct bs_error *),
                     struct sandbox *sb, struct bs_error *err)
{
	const char *p = spec;

	while (*p) {
		const char *end = strchr(p, ',');
		const char *eq;
		size_t len;
		int rc;

		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		eq = memchr(p, '=', len);
		if (eq == NULL)
			return bs_error_set(err, BS_EINVAL, "'%.*s': expected KEY=VALUE", (int)len,
			                    p);
		rc = fn(sb, p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1), err);
		if (rc != BS_OK)
			return rc;
		p = *end ? end + 1 : end;
	}
	return BS_OK;
}

static bool key_is(const char *k, size_t kn, const char *name)
{
	return strlen(name) == kn && memcmp(k, name, kn) == 0;
}

/* The limits SPEC keys of each ledger, and the fields they set. */
static int limit_pair(struct sandbox *sb, const char *k, size_t kn, const char *v, size_t vn,
                      struct bs_error *err)
{
	static const char *const xkeys[] = {"minute", "day", "concurrent", "app-minute",
	                                    "time-scale"};
	static const char *const qkeys[] = {"minute", "concurrent", "batch-minute", "time-scale"};
	int *const xslots[] = {&sb->lim_minute, &sb->lim_day, &sb->lim_conc, &sb->lim_app,
	                       &sb->time_scale};
	int *const qslots[] = {&sb->lim_minute, &sb->lim_conc, &sb->lim_batch, &sb->time_scale};
	bool qbo = sb->ledger == SANDBOX_QBO;
	const char *const *keys = qbo ? qkeys : xkeys;
	int *const *slots = qbo ? qslots : xslots;
	size_t nkeys = qbo ? sizeof(qkeys) / sizeof(qkeys[0]) : sizeof(xkeys) / sizeof(xkeys[0]);
	uint64_t n;

	if (!sb_parse_uint(v, vn, 100000000, &n) || n == 0)
		return bs_error_set(err, BS_EINVAL, "limits: '%.*s' needs a positive integer",
		                    (int)kn, k);
	for (size_t i = 0; i < nkeys; i++) {
		if (key_is(k, kn, keys[i])) {
			*slots[i] = (int)n;
			return BS_OK;
		}
	}
	return bs_error_set(err, BS_EINVAL, "limits: unknown key '%.*s'", (int)kn, k);
}

/* The fault kind a faults SPEC names ("500", "slow", ...), or SBF_NONE. */
static enum sb_fault fault_kind(const char *p, size_t len)
{
	for (int f = SBF_500; f <= SBF_LOST; f++)
		if (key_is(p, len, sb_fault_name((enum sb_fault)f)))
			return (enum sb_fault)f;
	return SBF_NONE;
}

static int fault_pair(struct sandbox *sb, const char *k, size_t kn, const char *v, size_t vn,
                      struct bs_error *err)
{
	uint64_t n;

	if (key_is(k, kn, "rate")) {
		int64_t ppm;

		if (money_parse_fixed(v, vn, 6, 6, &ppm) != BS_OK || ppm < 0 || ppm > 1000000)
			return bs_error_set(err, BS_EINVAL, "faults: rate must be 0..1");
		sb->fault_ppm = (uint32_t)ppm;
	} else if (key_is(k, kn, "seed")) {
		if (!sb_parse_uint(v, vn, UINT64_MAX, &n))
			return bs_error_set(err, BS_EINVAL, "faults: bad seed");
		sb->fault_seed = n;
	} else if (key_is(k, kn, "slow-ms")) {
		if (!sb_parse_uint(v, vn, 600000, &n))
			return bs_error_set(err, BS_EINVAL, "faults: bad slow-ms");
		sb->slow_ms = (int)n;
	} else if (key_is(k, kn, "kinds")) {
		const char *p = v, *end = v + vn;

		sb->nfault_kinds = 0;
		while (p < end) {
			const char *q = memchr(p, '+', (size_t)(end - p));
			size_t len;
			enum sb_fault f;

			if (q == NULL)
				q = end;
			len = (size_t)(q - p);
			f = fault_kind(p, len);
			if (f == SBF_NONE)
				return bs_error_set(err, BS_EINVAL, "faults: unknown kind '%.*s'",
				                    (int)len, p);
			if (sb->nfault_kinds == 6)
				return bs_error_set(err, BS_EINVAL, "faults: too many kinds");
			sb->fault_kinds[sb->nfault_kinds++] = f;
			p = q < end ? q + 1 : q;
		}
	} else {
		return bs_error_set(err, BS_EINVAL, "faults: unknown key '%.*s'", (int)kn, k);
	}
	return BS_OK;
}

static int load_clients(struct sandbox *sb, const char *path, struct bs_error *err)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (f == NULL)
		return bs_error_set(err, BS_EINVAL, "clients file %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strcspn(line, "\r\n");
		char **nc;

		line[n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (strchr(line, ':') == NULL) {
			fclose(f);
			return bs_error_set(err, BS_EINVAL,
			                    "clients file %s: '%s' is not id:secret", path, line);
		}
		nc = realloc(sb->clients, (sb->nclients + 1) * sizeof(*nc));
		if (nc == NULL || (nc[sb->nclients] = strdup(line)) == NULL) {
			if (nc)
				sb->clients = nc;
			fclose(f);
			return BS_ENOMEM;
		}
		sb->clients = nc;
		sb->nclients++;
	}
	fclose(f);
	return BS_OK;
}

/* ------------------------------------------------------------- HTTP */

/*
 * The server is src/http/server.c (a thread per connection, the body cap
 * answered 413 before sandbox_handle runs); this turns its request into
 * the sandbox's and the sandbox's answer back.
 */
static void on_http(void *arg, const struct http_req *hq, struct http_resp *hr)
{
	struct sandbox *sb = arg;
	struct sandbox_kv q[KV_MAX], h[KV_MAX];
	struct sandbox_request req;
	struct sandbox_response resp;
	struct buf swap;

	memset(&req, 0, sizeof(req));
	req.method = hq->method;
	req.path = hq->path;
	for (size_t i = 0; i < hq->nquery && req.nquery < KV_MAX; i++, req.nquery++) {
		q[i].key = hq->query[i].key;
		q[i].value = hq->query[i].value;
	}
	for (size_t i = 0; i < hq->nheaders && req.nheaders < KV_MAX; i++, req.nheaders++) {
		h[i].key = hq->headers[i].key;
		h[i].value = hq->headers[i].value;
	}
	req.query = q;
	req.headers = h;
	req.body = hq->body;
	req.body_len = hq->body_len;
	sandbox_response_init(&resp);
	sandbox_handle(sb, &req, &resp);
	hr->drop = resp.drop;
	hr->status = resp.status;
	hr->content_type = resp.status != 204 && resp.status != 302 ? resp.content_type : NULL;
	for (size_t i = 0; i < resp.nheaders; i++)
		http_resp_header(hr, resp.hname[i], resp.hvalue[i]);
	swap = hr->body; /* the body changes hands, no copy */
	hr->body = resp.body;
	resp.body = swap;
	sandbox_response_free(&resp);
}

/* ------------------------------------------------------------- life cycle */

const char *sandbox_url(const struct sandbox *sb)
{
	return sb->url;
}

const char *sandbox_default_tenant(const struct sandbox *sb)
{
	return sb->default_tenant;
}

/*
 * Parse --listen into sa.  A listen address outside 127.0.0.0/8 is refused
 * unless an admin token guards /sandbox/ (reset wipes every tenant): the
 * sandbox must not hand that to whoever can reach it on the network.
 */
static int parse_listen(struct sandbox *sb, const char *spec, struct sockaddr_in *sa,
                        struct bs_error *err)
{
	char host[64];
	int rc = http_listen_parse(spec, sa, host, sizeof(host), err);

	if (rc != BS_OK)
		return rc;
	if ((ntohl(sa->sin_addr.s_addr) >> 24) != 127 && !sb->admin_auth)
		return bs_error_set(err, BS_EINVAL,
		                    "--listen '%s' is not a loopback address: give --admin-token "
		                    "(or BOOKSYNC_SANDBOX_ADMIN_TOKEN) so the /sandbox/ admin "
		                    "endpoints are not open to the network",
		                    spec);
	return BS_OK;
}

/* Everything cfg sets beyond the defaults: admin token, limits, faults,
 * clients, webhooks; then the rate window and request log. */
static int configure(struct sandbox *sb, const struct sandbox_config *cfg, struct bs_error *err)
{
	int rc;

	if ((rc = sb_admin_token_set(sb, cfg->admin_token, err)) != BS_OK)
		return rc;
	if (cfg->limits != NULL) {
		if (strcmp(cfg->limits, "off") == 0)
			sb->limits_off = true;
		else if ((rc = spec_walk(cfg->limits, limit_pair, sb, err)) != BS_OK)
			return rc;
	}
	if (cfg->faults != NULL && (rc = spec_walk(cfg->faults, fault_pair, sb, err)) != BS_OK)
		return rc;
	if (sb->fault_ppm > 0 && sb->nfault_kinds == 0) {
		sb->fault_kinds[0] = SBF_500;
		sb->nfault_kinds = 1;
	}
	if (cfg->clients_path != NULL && (rc = load_clients(sb, cfg->clients_path, err)) != BS_OK)
		return rc;
	if (cfg->webhook_url != NULL) {
		if (cfg->webhook_key == NULL || cfg->webhook_key[0] == '\0')
			return bs_error_set(err, BS_EINVAL, "--webhook-url needs --webhook-key");
		sb->hook_url = strdup(cfg->webhook_url);
		sb->hook_key = strdup(cfg->webhook_key);
		if (sb->hook_url == NULL || sb->hook_key == NULL)
			return BS_ENOMEM;
	}
	sb_window_init(&sb->app, sb->lim_app);
	sb->log_cap = LOG_CAP;
	sb->log = calloc(sb->log_cap, sizeof(*sb->log));
	if (sb->log == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	return BS_OK;
}

/* Listen on `listen` (port 0: a free one) and keep the URL bound. */
static int serve(struct sandbox *sb, const char *listen, struct bs_error *err)
{
	struct http_server_opts o;
	struct sockaddr_in sa;
	int rc;

	if ((rc = parse_listen(sb, listen, &sa, err)) != BS_OK)
		return rc;
	memset(&o, 0, sizeof(o));
	o.listen = listen;
	o.body_max = BODY_MAX;
	o.conn_limit = 512;
	o.handler = on_http;
	o.arg = sb;
	if ((rc = http_server_start(&o, &sb->http, err)) != BS_OK)
		return rc;
	snprintf(sb->url, sizeof(sb->url), "%s", http_server_url(sb->http));
	return BS_OK;
}

int sandbox_start(const struct sandbox_config *cfg, struct sandbox **out, struct bs_error *err)
{
	struct sandbox *sb;
	bool loaded = false;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return bs_error_set(err, BS_EINTERNAL, "libsodium failed to initialise");
	sb = calloc(1, sizeof(*sb));
	if (sb == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	pthread_mutex_init(&sb->lock, NULL);
	pthread_cond_init(&sb->hook_cond, NULL);
	sb->clock = cfg->clock;
	sb->rounding = cfg->rounding;
	sb->no_listen = cfg->no_listen;
	sb->ledger = cfg->ledger;
	sb->lim_minute = 60;
	sb->lim_day = 5000;
	sb->lim_conc = 5;
	sb->lim_app = 10000;
	/* Xero: access 30 min, refresh 60 days unused, 30-minute grace for a
	 * replaced refresh token (FACTS §4 of each ledger) */
	sb->tok_access_ms = INT64_C(30) * 60 * 1000;
	sb->tok_refresh_ms = INT64_C(60) * 86400 * 1000;
	sb->tok_grace_ms = INT64_C(30) * 60 * 1000;
	if (sb->ledger == SANDBOX_QBO) {
		/* 500 a minute, 10 in flight, 40 batch calls a minute per realm;
		 * access 1 hour, refresh 100 days (rolling) */
		sb->lim_minute = 500;
		sb->lim_conc = 10;
		sb->lim_batch = 40;
		sb->tok_access_ms = INT64_C(60) * 60 * 1000;
		sb->tok_refresh_ms = INT64_C(100) * 86400 * 1000;
	}
	sb->time_scale = 1;
	sb->slow_ms = 2000;
	sb->norgs = cfg->tenants > 0 ? cfg->tenants : 1;
	if (sb->norgs > SANDBOX_TENANTS_MAX) {
		rc = bs_error_set(err, BS_EINVAL, "%s: 1 to %d organisations",
		                  sb->ledger == SANDBOX_QBO ? "--companies" : "--tenants",
		                  SANDBOX_TENANTS_MAX);
		goto fail;
	}
	randombytes_buf(sb->jwt_key, sizeof(sb->jwt_key));
	if ((rc = configure(sb, cfg, err)) != BS_OK)
		goto fail;
	if (cfg->state_path != NULL) {
		if ((rc = sb_state_open(sb, cfg->state_path, err)) != BS_OK)
			goto fail;
		rc = sb->ledger == SANDBOX_QBO ? qbo_state_load(sb, &loaded, err)
		                               : sb_state_load(sb, &loaded, err);
		if (rc != BS_OK)
			goto fail;
	}
	if (sb->ledger == SANDBOX_QBO) {
		if (!loaded && (rc = sb_reset_state(sb)) != BS_OK) {
			bs_error_set(err, rc, "cannot seed the default company");
			goto fail;
		}
	} else if (loaded) {
		snprintf(sb->default_tenant, sizeof(sb->default_tenant), "%s", sb->tenants[0]->id);
		/* a restart resumes the same ids; a larger N adds the missing */
		if ((rc = sb_tenants_ensure(sb)) != BS_OK) {
			bs_error_set(err, rc, "cannot create the organisations of --tenants");
			goto fail;
		}
	} else if ((rc = sb_reset_state(sb)) != BS_OK) {
		bs_error_set(err, rc, "cannot seed the default organisation");
		goto fail;
	}
	if (sb->hook_url != NULL && (rc = sb_hook_start(sb)) != BS_OK) {
		bs_error_set(err, rc, "cannot start the webhook thread");
		goto fail;
	}
	if (!sb->no_listen &&
	    (rc = serve(sb, cfg->listen ? cfg->listen : "127.0.0.1:0", err)) != BS_OK)
		goto fail;
	*out = sb;
	return BS_OK;
fail:
	sandbox_stop(sb);
	return rc;
}

void sandbox_stop(struct sandbox *sb)
{
	if (sb == NULL)
		return;
	http_server_stop(sb->http);
	sb_hook_stop(sb);
	pthread_mutex_lock(&sb->lock);
	sb_tenants_clear(sb);
	qbo_free(sb);
	sb_map_free(&sb->tokens, sb_token_free);
	sb_state_close(sb);
	pthread_mutex_unlock(&sb->lock);
	for (size_t i = 0; i < sb->nclients; i++)
		free(sb->clients[i]);
	free(sb->clients);
	sb_window_free(&sb->app);
	free(sb->log);
	free(sb->hook_url);
	if (sb->hook_key != NULL)
		sodium_memzero(sb->hook_key, strlen(sb->hook_key));
	free(sb->hook_key);
	pthread_mutex_destroy(&sb->lock);
	pthread_cond_destroy(&sb->hook_cond);
	free(sb);
}
