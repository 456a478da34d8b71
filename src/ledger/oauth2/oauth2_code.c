/*
 * oauth2_code.c - OAuth 2.0 client side, getting an authorization code
 * (see oauth2.h): the state, the authorize URL, judging the redirect back,
 * auto-approval, the one-shot callback listener and the two put together
 * (oauth2_get_code).  The calls with a token in them are oauth2_token.c.
 *
 * The callback listener runs libmicrohttpd with a thread per connection:
 * the /callback handler records the query, then blocks until
 * oauth2_callback_wait (which knows the expected state) gives a
 * verdict, so the browser is told the truth.  Buffers that held a code are
 * wiped before they are freed; text from the server is sanitised before
 * it enters a message.
 */
#include "ledger/oauth2/oauth2.h"

#include "core/secret.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ------------------------------------------------------------- authorize */

void oauth2_new_state(char *out, size_t n)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	if (n == 0)
		return;
	if (sodium_init() < 0) {
		out[0] = '\0'; /* an empty state is refused by every check below */
		return;
	}
	for (size_t i = 0; i + 1 < n; i++)
		out[i] = alphabet[randombytes_uniform(64)];
	out[n - 1] = '\0';
}

int oauth2_authorize_url(const struct oauth2_endpoints *ep, const char *client_id,
                         const char *redirect_uri, const char *scopes, const char *state,
                         struct buf *out)
{
	size_t before = out->len;
	int rc;

	rc = buf_addstr(out, ep->authorize_url);
	if (rc == BS_OK)
		rc = buf_addstr(out, strchr(ep->authorize_url, '?') ? "&" : "?");
	if (rc == BS_OK)
		rc = buf_addstr(out, "response_type=code&client_id=");
	if (rc == BS_OK)
		rc = http_url_encode(out, client_id);
	if (rc == BS_OK)
		rc = buf_addstr(out, "&redirect_uri=");
	if (rc == BS_OK)
		rc = http_url_encode(out, redirect_uri);
	if (rc == BS_OK)
		rc = buf_addstr(out, "&scope=");
	if (rc == BS_OK)
		rc = http_url_encode(out, scopes ? scopes : ep->scopes);
	if (rc == BS_OK)
		rc = buf_addstr(out, "&state=");
	if (rc == BS_OK)
		rc = http_url_encode(out, state);
	if (rc != BS_OK)
		buf_truncate(out, before);
	return rc;
}

/* ------------------------------------------------------------- redirects */

/*
 * Judge the parameters of a redirect back to us.  error first (its message
 * is the useful one), then state in constant time, then the code.
 */
static int judge(const char *error, const char *error_desc, const char *state, const char *code,
                 const char *expected_state, struct buf *out, struct bs_error *err)
{
	size_t sl, el;

	if (error != NULL) {
		char e[80], d[80];

		oauth2_sanitise(error, e, sizeof(e));
		oauth2_sanitise(error_desc, d, sizeof(d));
		return bs_error_set(err, BS_EAUTH, "authorization refused: %s%s%s", e,
		                    d[0] ? ": " : "", d);
	}
	if (expected_state == NULL || expected_state[0] == '\0')
		return bs_error_set(err, BS_EINVAL, "no expected state to check the redirect with");
	sl = state ? strlen(state) : 0;
	el = strlen(expected_state);
	if (state == NULL || sl != el || sodium_memcmp(state, expected_state, el) != 0)
		return bs_error_set(err, BS_EAUTH,
		                    "the redirect's state %s: it does not answer this connect "
		                    "attempt (possible forgery); run booksync connect again",
		                    state == NULL ? "is missing" : "does not match");
	if (code == NULL || code[0] == '\0')
		return bs_error_set(err, BS_EPROTO, "the redirect carries no authorization code");
	if (buf_addstr(out, code) != BS_OK)
		return bs_error_set(err, BS_EPROTO, "the authorization code is too long");
	return BS_OK;
}

/* Read one query parameter: value in b (or NULL when absent). */
static int param(const char *url, const char *name, struct buf *b, const char **val,
                 struct bs_error *err)
{
	int rc = http_url_query_param(url, name, b);

	*val = NULL;
	if (rc == BS_OK) {
		*val = buf_cstr(b);
		return BS_OK;
	}
	if (rc == BS_ENOTFOUND)
		return BS_OK;
	return bs_error_set(err, BS_EPROTO, "the redirect's %s parameter is malformed", name);
}

int oauth2_code_from_redirect(const char *location, const char *expected_state, struct buf *code,
                              const char *extra_name, struct buf *extra, struct bs_error *err)
{
	struct buf b[5];
	const char *v[5] = {NULL};
	const char *names[5] = {"error", "error_description", "state", "code", extra_name};
	int n = extra_name != NULL && extra != NULL ? 5 : 4;
	int rc = BS_OK;

	for (int i = 0; i < 5; i++)
		buf_init(&b[i], 8192);
	for (int i = 0; i < n && rc == BS_OK; i++)
		rc = param(location, names[i], &b[i], &v[i], err);
	if (rc == BS_OK)
		rc = judge(v[0], v[1], v[2], v[3], expected_state, code, err);
	if (rc == BS_OK && n == 5 && v[4] != NULL && buf_addstr(extra, v[4]) != BS_OK)
		rc = bs_error_set(err, BS_EPROTO, "the redirect's %s is too long", extra_name);
	for (int i = 0; i < 5; i++)
		secret_buf_wipe(&b[i]);
	return rc;
}

/* Does `loc` start with redirect_uri, followed by '?', '#' or nothing? */
static bool is_redirect_to(const char *loc, const char *redirect_uri)
{
	size_t n = strlen(redirect_uri);

	return strncmp(loc, redirect_uri, n) == 0 &&
	       (loc[n] == '\0' || loc[n] == '?' || loc[n] == '#');
}

int oauth2_auto_approve(struct http_client *http, const struct oauth2_endpoints *ep,
                        const char *client_id, const char *redirect_uri, const char *scopes,
                        const char *state, struct buf *code, const char *extra_name,
                        struct buf *extra, struct bs_error *err)
{
	struct buf url;
	struct http_response resp;
	struct http_request req = {.method = "GET", .timeout_ms = OAUTH2_TIMEOUT_MS};
	const char *loc;
	int rc;

	buf_init(&url, 16384);
	http_response_init(&resp);
	resp.body.max = (size_t)1 << 20;
	rc = oauth2_authorize_url(ep, client_id, redirect_uri, scopes, state, &url);
	if (rc != BS_OK) {
		rc = bs_error_set(err, rc, "authorize URL too long");
		goto out;
	}
	req.url = buf_cstr(&url);
	rc = http_send(http, &req, &resp, err);
	if (rc == BS_ETOOBIG)
		rc = bs_error_set(err, BS_ESTATE,
		                  "the authorization page needs a person: open the URL in a "
		                  "browser");
	if (rc != BS_OK)
		goto out;
	loc = http_response_header(&resp, "Location");
	if (resp.status >= 300 && resp.status < 400 && loc != NULL &&
	    is_redirect_to(loc, redirect_uri)) {
		rc = oauth2_code_from_redirect(loc, state, code, extra_name, extra, err);
	} else if (resp.status >= 400 && resp.status < 500) {
		char e[80];

		oauth2_sanitise(buf_cstr(&resp.body), e, sizeof(e));
		rc = bs_error_set(err, BS_EAUTH, "the authorization server refused: HTTP %ld%s%s",
		                  resp.status, e[0] ? ": " : "", e);
	} else if (resp.status >= 500) {
		rc =
		    bs_error_set(err, BS_ENET, "the authorization server is unavailable (HTTP %ld)",
		                 resp.status);
	} else {
		rc = bs_error_set(err, BS_ESTATE,
		                  "the authorization page needs a person: open the URL in a "
		                  "browser (HTTP %ld)",
		                  resp.status);
	}
out:
	buf_free(&url);
	http_response_free(&resp);
	return rc;
}

/* ------------------------------------------------------------- callback listener */

enum verdict { V_NONE, V_OK, V_FAIL };

struct oauth2_listener {
	struct MHD_Daemon *d;
	char redirect_uri[64];
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool arrived;        /* the first /callback request came */
	bool answered;       /* and its response was sent (or the connection ended) */
	bool closing;
	enum verdict verdict;
	struct buf p[5]; /* error, error_description, state, code, extra as received */
	bool has[5];
	const char *names[5]; /* cb_names, then the extra parameter (or NULL) */
};

static const char *const cb_names[4] = {"error", "error_description", "state", "code"};
/* extra_name is kept by pointer: callers pass a string literal */

static const char page_ok[] =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>booksync</title></head>"
    "<body><h1>booksync is connected</h1><p>You may close this tab.</p></body></html>\n";
static const char page_fail[] =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>booksync</title></head>"
    "<body><h1>booksync could not connect</h1><p>The terminal running booksync says why. "
    "You may close this tab.</p></body></html>\n";
static const char page_gone[] = "This connect attempt is already complete.\n";
static const char page_404[] = "Not found.\n";

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *text,
                              const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Connection", "close");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static enum MHD_Result cb_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct oauth2_listener *l = cls;
	static int marker;
	struct timespec dl;
	enum verdict v;
	(void)version;
	(void)upload;

	if (*con_cls == NULL) { /* headers only so far */
		*con_cls = &marker;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0; /* a body is ignored */
		return MHD_YES;
	}
	if (strcmp(url, "/callback") != 0 || strcmp(method, "GET") != 0)
		return answer(conn, 404, page_404, "text/plain; charset=utf-8");
	pthread_mutex_lock(&l->lock);
	if (l->arrived) {
		pthread_mutex_unlock(&l->lock);
		return answer(conn, 410, page_gone, "text/plain; charset=utf-8");
	}
	l->arrived = true;
	for (int i = 0; i < 5 && l->names[i] != NULL; i++) {
		const char *val =
		    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, l->names[i]);

		l->has[i] = val != NULL && buf_addstr(&l->p[i], val) == BS_OK;
	}
	*con_cls = l; /* this connection carries the decisive request */
	pthread_cond_broadcast(&l->cond);
	/* the verdict comes from oauth2_callback_wait; do not wait forever */
	deadline_in(&dl, 60000);
	while (l->verdict == V_NONE && !l->closing)
		if (pthread_cond_timedwait(&l->cond, &l->lock, &dl) == ETIMEDOUT)
			break;
	v = l->verdict;
	pthread_mutex_unlock(&l->lock);
	if (v == V_OK)
		return answer(conn, 200, page_ok, "text/html; charset=utf-8");
	return answer(conn, 400, page_fail, "text/html; charset=utf-8");
}

static void cb_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct oauth2_listener *l = cls;
	(void)conn;
	(void)toe;

	if (*con_cls == l) {
		pthread_mutex_lock(&l->lock);
		l->answered = true;
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
	}
	*con_cls = NULL;
}

int oauth2_callback_listen(unsigned port, const char *extra_name, struct oauth2_listener **out,
                           struct bs_error *err)
{
	struct oauth2_listener *l;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const union MHD_DaemonInfo *info;
	pthread_condattr_t ca;
	int rc = BS_OK;

	*out = NULL;
	if (port > 65535)
		return bs_error_set(err, BS_EINVAL, "port %u is out of range", port);
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return bs_error_set(err, BS_ENOMEM, "out of memory");
	for (int i = 0; i < 5; i++)
		buf_init(&l->p[i], 8192);
	for (int i = 0; i < 4; i++)
		l->names[i] = cb_names[i];
	l->names[4] = extra_name;
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cond, &ca);
	pthread_condattr_destroy(&ca);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	l->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
	                        (uint16_t)port, NULL, NULL, cb_handler, l, MHD_OPTION_SOCK_ADDR,
	                        (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, cb_completed,
	                        l, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	                        MHD_OPTION_CONNECTION_LIMIT, (unsigned)16, MHD_OPTION_END);
	if (l->d == NULL) {
		rc = bs_error_set(err, BS_EIO, "cannot listen on 127.0.0.1:%u (in use?)", port);
		goto out;
	}
	info = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0) {
		rc = bs_error_set(err, BS_EIO, "cannot tell which port the listener got");
		goto out;
	}
	snprintf(l->redirect_uri, sizeof(l->redirect_uri), "http://127.0.0.1:%u/callback",
	         (unsigned)info->port);
	*out = l;
	l = NULL;
out:
	oauth2_callback_free(l);
	return rc;
}

const char *oauth2_callback_redirect_uri(const struct oauth2_listener *l)
{
	return l->redirect_uri;
}

int oauth2_callback_wait(struct oauth2_listener *l, const char *expected_state, long timeout_ms,
                         struct buf *code, struct buf *extra, struct bs_error *err)
{
	struct timespec dl;
	const char *v[5];
	int rc;

	deadline_in(&dl, timeout_ms > 0 ? timeout_ms : 0);
	pthread_mutex_lock(&l->lock);
	while (!l->arrived)
		if (pthread_cond_timedwait(&l->cond, &l->lock, &dl) == ETIMEDOUT)
			break;
	if (!l->arrived) {
		pthread_mutex_unlock(&l->lock);
		return bs_error_set(err, BS_ESTATE,
		                    "no browser came back to %s within %ld s: open the URL and "
		                    "approve, then try again",
		                    l->redirect_uri, timeout_ms / 1000);
	}
	for (int i = 0; i < 5; i++)
		v[i] = l->has[i] ? buf_cstr(&l->p[i]) : NULL;
	rc = judge(v[0], v[1], v[2], v[3], expected_state, code, err);
	if (rc == BS_OK && extra != NULL && v[4] != NULL && buf_addstr(extra, v[4]) != BS_OK)
		rc = bs_error_set(err, BS_EPROTO, "the redirect's %s is too long", l->names[4]);
	l->verdict = rc == BS_OK ? V_OK : V_FAIL;
	pthread_cond_broadcast(&l->cond);
	/* let the page reach the browser before the caller frees the listener */
	deadline_in(&dl, 2000);
	while (!l->answered)
		if (pthread_cond_timedwait(&l->cond, &l->lock, &dl) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void oauth2_callback_free(struct oauth2_listener *l)
{
	if (l == NULL)
		return;
	if (l->d != NULL) {
		pthread_mutex_lock(&l->lock);
		l->closing = true;
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
		MHD_stop_daemon(l->d);
	}
	for (int i = 0; i < 5; i++)
		secret_buf_wipe(&l->p[i]);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

/* ------------------------------------------------------------- both */

int oauth2_get_code(struct http_client *http, const struct oauth2_code_req *r, struct buf *code,
                    struct buf *redirect, struct buf *extra, struct bs_error *err)
{
	struct oauth2_listener *l = NULL;
	struct buf url;
	int rc;

	if (r->auto_approve) {
		buf_reset(redirect);
		buf_addstr(redirect, "http://127.0.0.1:8719/callback");
		rc = oauth2_auto_approve(http, r->ep, r->client_id, buf_cstr(redirect), NULL,
		                         r->state, code, r->extra_name, extra, err);
		if (rc != BS_ESTATE)
			return rc;
	}
	rc = oauth2_callback_listen(0, r->extra_name, &l, err);
	if (rc != BS_OK)
		return rc;
	if (l == NULL) /* listen's contract: BS_OK comes with a listener */
		return bs_error_set(err, BS_EINTERNAL, "no callback listener");
	buf_reset(redirect);
	buf_addstr(redirect, oauth2_callback_redirect_uri(l));
	buf_init(&url, 8192);
	rc = oauth2_authorize_url(r->ep, r->client_id, buf_cstr(redirect), NULL, r->state, &url);
	if (rc == BS_OK) {
		if (r->show_url != NULL)
			r->show_url(r->arg, buf_cstr(&url));
		rc = oauth2_callback_wait(l, r->state, 300000, code, extra, err);
	}
	buf_free(&url);
	oauth2_callback_free(l);
	return rc;
}
