/*
 * plan.h - the planner: pending records to ledger-neutral outbox operations.
 *
 * For one target, the planner takes the records a sync covers (a tab,
 * selected records, Sync All's five tabs or everything) plus the contacts
 * their documents need, in dependency order, and decides each one with the
 * rules (src/rules): send, skip or wait.  A record to send becomes one or
 * more documents (ledger/ledger.h) whose amounts are final — rounding
 * corrections, tax codes, accounts, references — written to the outbox in
 * the same transaction that marks it queued.  Planning never talks to the
 * network; a dry run plans inside a transaction and rolls it back.
 */
#ifndef BS_SYNC_PLAN_H
#define BS_SYNC_PLAN_H

#include "core/error.h"
#include "core/money.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

#define PLAN_CHUNK_DEFAULT 1000
#define PLAN_CHUNK_MIN     5

struct rules_ledger; /* rules/rules.h */
struct ledger_caps;  /* ledger/ledger.h */

struct plan_ref {
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
};

struct plan_opts {
	const char *target; /* "xero:<tenant>" */
	const char *tab;    /* a tab or group (sync/tabs.h); NULL with !everything = Sync All */
	bool everything;    /* every tab */
	const struct plan_ref *refs; /* Upload Selected / resync: just these (and their contacts) */
	size_t nrefs;
	bool resync; /* refs are re-sent now (update in place, or create) */
	int64_t now_ms;
	/* "YYYY-MM-DD", the organisation's today: whether a consolidation
	 * period has ended (docs/consolidation.md).  NULL: the UTC date of
	 * now_ms. */
	const char *today;
	enum money_round ledger_round; /* the target's midpoint rule */
	/* The target ledger's capabilities: decimals it keeps, its tax codes
	 * (plan_ledger_of its connector's caps).  NULL: the default
	 * connector's (ledger_nth(0)). */
	const struct rules_ledger *ledger;
	bool dry_run; /* plan, report, write nothing */
	/* Candidates held at once.  Records are planned in chunks of at most
	 * this many, kind by kind in dependency order and by id within a kind,
	 * each chunk seeing what the ones before it planned (a dry run's
	 * included), so memory does not grow with the store.  What is
	 * planned does not depend on the size; only where the contacts a tab
	 * sync pulls in fall in the outbox's order does (each chunk's go
	 * before its documents).  0: PLAN_CHUNK_DEFAULT; less than
	 * PLAN_CHUNK_MIN (a document and the four contacts it may pull in)
	 * counts as PLAN_CHUNK_MIN. */
	size_t chunk;
	/* Called for every planned document (dry runs print them). */
	void (*on_doc)(void *arg, enum record_kind kind, const char *id, const char *doc_type,
	               const char *op, const char *body);
	/* Called for every record not planned: skipped, waiting or failed. */
	void (*on_verdict)(void *arg, enum record_kind kind, const char *id, enum sync_state state,
	                   const char *reason);
	void *arg;
};

struct plan_stats {
	uint64_t considered;
	uint64_t planned;   /* records queued */
	uint64_t documents; /* outbox operations written */
	uint64_t skipped;
	uint64_t waiting;
	uint64_t failed;            /* could not be planned (no tax code, locked period, ...) */
	uint64_t corrections;       /* documents carrying a rounding correction */
	uint64_t tracking_dropped;  /* tracking values the ledger has no category for */
	char tracking_example[128]; /* the first of them, "Store=Main Street" */
	uint64_t chunks;            /* chunks of candidates planned */
	uint64_t held_max;          /* the most candidates held at once (<= chunk) */
};

/*
 * Plan.  Returns BS_OK when every candidate was decided (some may be
 * skipped, waiting or failed: see stats); a store error is fatal and leaves
 * nothing half-planned (each record is planned in its own transaction).
 */
int plan_run(struct store *st, const struct plan_opts *opts, struct plan_stats *stats,
             struct bs_error *err);

/* What the rules need of a ledger, from its connector's capabilities.
 * out's strings are borrowed from caps, which must outlive it. */
void plan_ledger_of(const struct ledger_caps *caps, struct rules_ledger *out);

#endif
