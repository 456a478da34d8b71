/*
 * dispatch.h - send the outbox to the ledger, exactly once.
 *
 * Operations whose dependencies are posted are taken in dependency order,
 * at most the connector's batch size a call and never over its body limit
 * (struct ledger_caps; Xero: 50 and 3.5 MB), frozen
 * into a request with its idempotency key in one transaction, and only then
 * sent.  Each element's answer -- its ledger id, or the ledger's message --
 * is recorded in one transaction.  A request found frozen at start (a crash,
 * a lost answer) is resumed first: its creates are looked up by natural key
 * and its allocations on their credit note, what the ledger already holds
 * is linked and only what is missing is sent again; updates, voids and
 * status changes name their document and are sent again at once, with no
 * lookup (dispatch_recover.c says why, kind by kind).  A 429 waits for
 * Retry-After and sends the same request again; 5xx and timeouts back off
 * exponentially with jitter and send the same request, same key.
 */
#ifndef BS_SYNC_DISPATCH_H
#define BS_SYNC_DISPATCH_H

#include "core/error.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "sync/governor.h"

#include <stdint.h>

struct dispatch_opts {
	const char *target;
	const struct ledger_ops *ledger; /* the connector (ledger_find) */
	struct ledger_conn *conn;        /* its connection (ledger->conn_new) */
	struct governor *gov;
	size_t batch_max; /* elements per call; 0 = ledger->caps->batch_max */
	size_t bytes_max; /* request body bound; 0 = ledger->caps->bytes_max */
	int max_attempts; /* per request on 5xx / no answer; 0 = 6 */
	int64_t (*now_ms)(void *clock);
	void (*sleep_ms)(void *clock, int64_t ms);
	void *clock;
	/* Before each call: refresh the token when it is about to expire.
	 * Non-zero stops the run with that status.  May be NULL. */
	int (*before_call)(void *arg, struct bs_error *err);
	/* Once the governor counted a call, before it goes out: keep the rate
	 * window for the next process (session_window_save).  May be NULL. */
	void (*call_started)(void *arg);
	/* A slot of the fleet's app-wide budget before each call (struct
	 * paced's app_take).  May be NULL. */
	int64_t (*app_take)(void *app_arg, int per_minute, int time_scale);
	void *app_arg;
	/* After each request: for progress display.  May be NULL. */
	void (*on_progress)(void *arg, uint64_t posted, uint64_t failed, uint64_t calls);
	/* Every record that ends in error, with the ledger's words. */
	void (*on_failure)(void *arg, enum record_kind kind, const char *id, const char *msg);
	/* Every record set aside to wait because a document it needs did not
	 * post, with why (dispatch_stats.waiting counts them).  May be NULL. */
	void (*on_waiting)(void *arg, enum record_kind kind, const char *id, const char *why);
	void *arg;
};

struct dispatch_stats {
	uint64_t calls;        /* every API call, reads included */
	uint64_t write_calls;  /* PUT/POST calls */
	uint64_t posted;       /* documents the ledger accepted */
	uint64_t failed;       /* documents refused or warned */
	uint64_t waiting;      /* operations whose dependency failed */
	uint64_t rate_limited; /* 429 answers (each one a governor bug) */
	uint64_t retries;      /* requests sent again after 5xx / no answer */
	uint64_t recovered;    /* elements found by lookup after a lost answer */
	uint64_t corrected;    /* documents whose ledger total was corrected after posting */
	uint64_t replanned;    /* records whose ledger document was voided or deleted there:
	                          reset, to be created anew by the next plan */
};

/*
 * Drain the target's outbox.  BS_OK when every ready operation was sent or
 * set aside; BS_EAUTH (re-connect), BS_ENET (the ledger stayed unreachable;
 * frozen requests are resumed next run) and store errors stop the run.
 */
int dispatch_run(struct store *st, const struct dispatch_opts *opts, struct dispatch_stats *stats,
                 struct bs_error *err);

#endif
