/*
 * sync_state.h - the sync state machine of one record for one target.
 *
 * docs/states-and-tabs.md "Sync states", "Transitions" in code.  Pure: a table of
 * (state, event) -> state, plus the reason a refused event is refused.  The
 * store applies it inside the transaction that writes the new state and
 * the history row, so every transition is checked in one place.  It lives
 * in the model, below both the store that applies it and the sync engine
 * that raises the events, so neither module needs the other for it.
 *
 *   not_imported --plan--> queued --posted--> imported --new version--> changed
 *                              \--failed--> error      (reset: back to not_imported)
 *   not_imported/changed --wait--> waiting, --skip--> skipped
 *   queued --consolidate--> consolidated (locked)
 *
 * A new version that arrives while a record is queued does not disturb the
 * planned operation: it sets `pending_change`, and the post that follows
 * lands in `changed` instead of `imported`.
 */
#ifndef BS_MODEL_SYNC_STATE_H
#define BS_MODEL_SYNC_STATE_H

#include <stdbool.h>

enum sync_state {
	SYNC_NOT_IMPORTED,
	SYNC_QUEUED,
	SYNC_IMPORTED,
	SYNC_ERROR,
	SYNC_CHANGED,
	SYNC_SKIPPED,
	SYNC_WAITING,
	SYNC_CONSOLIDATED,
	SYNC_STATE_COUNT
};

enum sync_event {
	SYNC_EV_NEW_VERSION, /* the source sent changed content */
	SYNC_EV_PLAN,        /* the planner wrote its operation to the outbox */
	SYNC_EV_POSTED,      /* the ledger confirmed the document */
	SYNC_EV_FAILED,      /* the ledger refused it, or a warning failed it */
	SYNC_EV_SKIP,        /* a no-sync setting or an ineligibility rule */
	SYNC_EV_WAIT,        /* a dependency is missing */
	SYNC_EV_CONSOLIDATE, /* became a member of a consolidated document */
	SYNC_EV_RESET,       /* "Reset For Re-import" */
	SYNC_EV_RESYNC,      /* "Re-Sync": send now, update in place or create */
	SYNC_EVENT_COUNT
};

/* "not_imported", "queued", ... as stored and printed. */
const char *sync_state_name(enum sync_state s);

/* The dashboard's words: "Not Imported Yet Or Reset For Re-import", ... */
const char *sync_state_label(enum sync_state s);

/* Parse a stored state name; BS_ENOTFOUND for anything else. */
int sync_state_from_name(const char *name, enum sync_state *out);

const char *sync_event_name(enum sync_event ev);

/*
 * Apply `ev` to (`from`, `pending_change`).  On BS_OK, *to and *pending_out
 * hold the new state (which may equal `from`: a no-op is allowed and still
 * reported as BS_OK).  On BS_ESTATE the event is refused and *why says why
 * in words for the user ("it is queued: wait for the running sync to
 * finish"); *to and *pending_out are left untouched.
 */
int sync_transition(enum sync_state from, bool pending_change, enum sync_event ev,
                    enum sync_state *to, bool *pending_out, const char **why);

#endif
