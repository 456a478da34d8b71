/*
 * onboard.h - connecting an organisation, and what `connect` learns from it.
 *
 * onboard_authorize runs the connector's OAuth2 authorisation-code flow
 * (ledger_ops.authorize; Xero's: docs/mapping-xero.md §4) and lists the organisations granted;
 * onboard_pick_tenant chooses one; onboard_connect seals the credentials in the store and reads it.
 * The reading, onboard_run: it reads the organisation (base currency, lock dates), its chart of
 * accounts and tax rates -- kept in the store for the planner -- and its
 * contacts and items, linking the store's customers, suppliers and
 * products that already exist there (contacts by name, case-insensitive;
 * items by code) so connecting never creates copies.
 */
#ifndef BS_SYNC_ONBOARD_H
#define BS_SYNC_ONBOARD_H

#include "core/buf.h"
#include "core/error.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "sync/session.h"

#include <stdbool.h>
#include <stdint.h>

struct onboard_stats {
	char org_name[256];
	char base_currency[4];
	char lock_date[11];
	char timezone[64]; /* the organisation's IANA zone, "" when the ledger does not say */
	size_t accounts, tax_rates, tracking, contacts_seen, items_seen;
	size_t contacts_linked, items_linked;
	char gift_account[16]; /* a liability account with payments enabled, or "" */
	uint64_t calls;
};

/* How to authorise. */
struct onboard_auth {
	const char *ledger;   /* the connector's name (ledger_find); NULL = Xero */
	const char *base_url; /* NULL = the real ledger; a sandbox: http://127.0.0.1:PORT */
	const char *client_id;
	const char *client_secret;
	/* first try a page that redirects straight back (the sandbox
	 * approves so): for a caller with no person at hand */
	bool auto_approve;
	/* otherwise a listener on 127.0.0.1 waits up to 5 minutes for the
	 * browser: show_url shows the person the URL to open first */
	void (*show_url)(void *arg, const char *url);
	void *arg;
	int64_t now_ms;
	/* the organisation wanted (--tenant), or NULL: passed to the
	 * authorize page of a ledger that grants one company (QBO) */
	const char *tenant_hint;
};

/*
 * Authorise: get a code (by itself, or from the browser), exchange it for
 * tokens, and list the organisations they may use.  On success creds holds
 * the base URL, client id and secret and tokens (its tenant fields empty;
 * the caller wipes it when done) and *tenants a malloc'd array of *n that
 * the caller frees.  Errors: BS_EINVAL a bad base URL; BS_EAUTH refused
 * (client, code, state); BS_ESTATE nobody came back from the browser in
 * time; BS_ENET, BS_EPROTO, BS_ELIMIT as ledger_ops.authorize;
 * BS_EINVAL also for a ledger booksync has no connector for.
 */
int onboard_authorize(const struct onboard_auth *a, struct session_creds *creds,
                      struct ledger_tenant **tenants, size_t *n, struct bs_error *err);

/*
 * The same authorisation in two legs, for a caller that owns the redirect
 * (`booksync serve`: its callback endpoint is redirect_uri).  Start: the
 * authorize URL for a's ledger, client id and base URL with `state` into
 * url (appended).  Finish, when the browser came back: its code (and extra,
 * the ledger's redirect_extra parameter: QBO's realmId) exchanged for
 * tokens, the organisations listed; creds and *tenants as
 * onboard_authorize.  a's auto_approve and show_url are not used.  Errors
 * as onboard_authorize.
 */
int onboard_authorize_start(const struct onboard_auth *a, const char *redirect_uri,
                            const char *state, struct buf *url, struct bs_error *err);
int onboard_authorize_finish(const struct onboard_auth *a, const char *redirect_uri,
                             const char *code, const char *extra, struct session_creds *creds,
                             struct ledger_tenant **tenants, size_t *n, struct bs_error *err);

/*
 * Which granted organisation to connect: `want` (a tenant id), or the only
 * one when want is NULL; its index into *pick.  BS_EAUTH when none was
 * granted, BS_ENOTFOUND when want is not among them, BS_ECONFLICT when
 * there are several and none was named.
 */
int onboard_pick_tenant(const struct ledger_tenant *t, size_t n, const char *want, size_t *pick,
                        struct bs_error *err);

/*
 * Connect organisation `t` with the authorised creds (its tenant fields are
 * filled here): register the target "<ledger>:<tenant id>" (e.g. "xero:...") (its name into
 * `target`, reset first), seal the credentials in the store under the key
 * file beside db_path, open the session and read the organisation
 * (onboard_run, into *stats).  Errors as those calls'.
 */
int onboard_connect(struct store *st, const char *db_path, struct session_creds *creds,
                    const struct ledger_tenant *t, int64_t (*now_ms)(void), struct buf *target,
                    struct onboard_stats *stats, struct bs_error *err);

/*
 * The app's client id and secret for ledger ("xero", "qbo"), as `connect`
 * and `serve` find them: id / secret when given and not empty, else
 * $BOOKSYNC_<LEDGER>_CLIENT_ID / _SECRET, else the settings
 * <ledger>.client_id / client_secret where the catalogue has them (QBO).
 * Into id_out and secret_out (reset first; the caller wipes secret_out).
 * BS_EINVAL "no client credentials: set ..." when either is missing.
 */
int onboard_client_creds(struct store *st, const char *ledger, const char *id, const char *secret,
                         struct buf *id_out, struct buf *secret_out, struct bs_error *err);

/* Read the organisation through session s and link what exists (above). */
int onboard_run(struct session *s, struct onboard_stats *stats, struct bs_error *err);

/*
 * The time zone that decides "today" for `target` (NULL: the only one
 * connected) into out: the `timezone` setting when set, else the
 * organisation's as connect read it (`org_timezone:<target>`), else
 * "UTC".  An offset ("+12:00") or an IANA name; resolving a name is the
 * caller's.  BS_OK, or a store error.
 */
int onboard_org_timezone(struct store *st, const char *target, struct buf *out,
                         struct bs_error *err);

/*
 * Today at now_ms in that zone, "YYYY-MM-DD" into out[11]: the day a sync
 * of `target` passes as its consolidation day (sync_run_opts.today) when
 * none is given, as `sync` has it.  An IANA name is read from its zone
 * file (core/tzif.h), not through TZ, so threads may call it; a zone that
 * cannot be read counts as UTC.
 */
void onboard_org_today(struct store *st, const char *target, int64_t now_ms, char out[11]);

#endif
