/*
 * session.h - a live connection to one target: credentials, tokens, client.
 *
 * Credentials (client id and secret, tokens, tenant, base URL) live in the
 * store sealed with libsodium secretbox under a key file beside the store
 * (PATH.key, mode 0600).  A session unseals them, refreshes the access
 * token before it expires, and writes a rotated refresh token back at once
 * -- in its own transaction, because the old one stops working soon after
 * (docs/mapping-xero.md §4).  Secrets are never printed or logged.
 */
#ifndef BS_SYNC_SESSION_H
#define BS_SYNC_SESSION_H

#include "core/error.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "sync/governor.h"
#include "sync/paced.h"

#include <stdint.h>

struct session_creds {
	char ledger[32];    /* the connector's name; "" = Xero (stores before it was kept) */
	char base_url[512]; /* "" = the real Xero */
	char client_id[256];
	char client_secret[256];
	char tenant_id[64];
	char tenant_name[256];
	struct ledger_tokens tokens;
};

struct session {
	struct store *st;
	char target[128];
	unsigned char key[32];
	struct session_creds creds;
	char api_root[512]; /* the ledger's API root (ledger->api_root) */
	struct http_client *http;
	const struct ledger_ops *ledger; /* the target's connector (ledger_for_target) */
	struct ledger_conn *conn;
	struct governor *gov; /* paces every call of this process to the target */
	struct paced pc;      /* session_get's calls through it (the struct must not move) */
	int64_t (*now_ms)(void);
	int time_scale; /* limits.time_scale: tokens live that much shorter */
};

/*
 * The key file that seals a store's credentials: $BOOKSYNC_KEY_FILE when
 * set, else "<db path>.key" beside a SQLite file (URIs: the file part).  A
 * PostgreSQL store has no file to sit beside, and its key must not be in
 * the database it protects: it needs $BOOKSYNC_KEY_FILE, the same file on
 * every machine whose workers sync it (docs/scale-out.md).  BS_EINVAL with
 * a message when there is none.
 */
int session_key_path(const char *db_path, struct buf *out, struct bs_error *err);

/* Seal and save creds for target (after connect). */
int session_save(struct store *st, const unsigned char key[32], const char *target,
                 const struct session_creds *c, struct bs_error *err);

/*
 * Open a session for target: unseal, build the client and connection,
 * build the governor from the limits.* settings, seeded with the calls the previous
 * process made in the current minute (saved by session_close), and refresh
 * the token when it is due (session_refresh_if_needed).  BS_EAUTH with "run
 * booksync connect" when there are no credentials or the refresh is
 * refused.  Release with session_close.
 */
int session_open(struct session *s, struct store *st, const char *db_path, const char *target,
                 int64_t (*now_ms)(void), struct bs_error *err);
/*
 * Save the times of the calls in the current minute window (governor_recent:
 * a call still in flight marked "o", at its start) and what
 * the ledger last said remained of the day (setting govwin:<target>, as
 * "t1,t2,...;batch=b1,...;day=REMAINING@MS", the batch calls among them
 * listed again) for the next process's governor.  Called as each call
 * starts, so a SIGKILL loses nothing, and on close.  A failure to save is
 * not an error: the next process paces by the ledger's headers instead.
 */
void session_window_save(struct session *s);

void session_close(struct session *s);

/*
 * Refresh now if the token is due (ledger_ops.refresh_due; Xero: expiring within
 * two minutes divided by limits.time_scale, at most a quarter of its
 * lifetime), so each token is refreshed once.  The dispatcher's hook.
 */
int session_refresh_if_needed(struct session *s, struct bs_error *err);

/*
 * GET path under the API base, paced by the session's governor: a 429
 * waits for Retry-After, a 5xx or no answer backs off and asks again (up
 * to six times).  Same errors as ledger_ops.get otherwise.
 */
int session_get(struct session *s, const char *path, struct buf *body, struct bs_error *err);

/*
 * End this app's access to the session's organisation at the ledger
 * (ledger_ops.revoke) with the session's tokens, refreshed by session_open
 * when due.  The stored credentials stay: forgetting them is the caller's
 * step, taken whether or not the ledger could be told.  Errors as revoke.
 */
int session_revoke(struct session *s, struct bs_error *err);

/* Sleep for ms milliseconds (the session's clock; sync uses it too). */
void session_sleep_ms(int64_t ms);

#endif
