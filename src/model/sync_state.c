/*
 * sync_state.c - the sync state transition table (see sync_state.h).
 *
 * The table is the single statement of what may follow what; the store
 * and the planner only ever move a record through sync_transition().
 */
#include "model/sync_state.h"

#include "core/error.h"

#include <string.h>

static const char *const state_names[SYNC_STATE_COUNT] = {
    "not_imported", "queued", "imported", "error", "changed", "skipped", "waiting", "consolidated",
};

static const char *const state_labels[SYNC_STATE_COUNT] = {
    "Not Imported Yet Or Reset For Re-import",
    "Queued",
    "Imported",
    "Error",
    "Has changes",
    "Skipped",
    "Waiting",
    "Consolidated",
};

static const char *const event_names[SYNC_EVENT_COUNT] = {
    "new_version", "plan", "posted", "failed", "skip", "wait", "consolidate", "reset", "resync",
};

/* One cell: the next state, or -1 with the refusal in words. */
struct cell {
	int to;
	const char *why;
};

#define NI SYNC_NOT_IMPORTED
#define QU SYNC_QUEUED
#define IM SYNC_IMPORTED
#define ER SYNC_ERROR
#define CH SYNC_CHANGED
#define SK SYNC_SKIPPED
#define WA SYNC_WAITING
#define CO SYNC_CONSOLIDATED

static const char why_queued[] = "it is queued: wait for the running sync to finish";
static const char why_consolidated[] =
    "it is part of a consolidated document, which is locked in the ledger";
static const char why_waiting[] = "it is waiting for a record it depends on";
static const char why_not_queued[] = "it is not queued";
static const char why_done[] = "it is already imported and unchanged";

/* [from][event]; "new version" while queued is handled in code (flag). */
/* clang-format off */
static const struct cell table[SYNC_STATE_COUNT][SYNC_EVENT_COUNT] = {
	/*            new_version   plan             posted               failed */
	/*            skip          wait             consolidate          reset        resync */
	[NI] = {{NI, NULL}, {QU, NULL}, {-1, why_not_queued}, {-1, why_not_queued},
		{SK, NULL}, {WA, NULL}, {CO, NULL}, {NI, NULL}, {QU, NULL}},
	[QU] = {{QU, NULL}, {QU, NULL}, {IM, NULL}, {ER, NULL},
		{SK, NULL}, {WA, NULL}, {CO, NULL}, {-1, why_queued}, {-1, why_queued}},
	[IM] = {{CH, NULL}, {-1, why_done}, {IM, NULL}, {-1, why_not_queued},
		{-1, why_done}, {-1, why_done}, {-1, why_done}, {NI, NULL}, {QU, NULL}},
	[ER] = {{NI, NULL}, {-1, "it failed: fix it, then re-sync or reset it"},
		{-1, why_not_queued}, {-1, why_not_queued},
		{SK, NULL}, {WA, NULL}, {-1, "it failed: fix it, then re-sync or reset it"},
		{NI, NULL}, {QU, NULL}},
	[CH] = {{CH, NULL}, {QU, NULL}, {-1, why_not_queued}, {-1, why_not_queued},
		{SK, NULL}, {WA, NULL}, {-1, "it was imported on its own and has changes"},
		{NI, NULL}, {QU, NULL}},
	[SK] = {{NI, NULL}, {QU, NULL}, {-1, why_not_queued}, {-1, why_not_queued},
		{SK, NULL}, {WA, NULL}, {CO, NULL}, {NI, NULL}, {QU, NULL}},
	[WA] = {{WA, NULL}, {QU, NULL}, {-1, why_not_queued}, {-1, why_not_queued},
		{SK, NULL}, {WA, NULL}, {CO, NULL}, {-1, why_waiting}, {-1, why_waiting}},
	[CO] = {{-1, why_consolidated}, {-1, why_consolidated}, {-1, why_not_queued},
		{-1, why_not_queued}, {-1, why_consolidated}, {-1, why_consolidated},
		{CO, NULL}, {-1, why_consolidated}, {-1, why_consolidated}},
};
/* clang-format on */

const char *sync_state_name(enum sync_state s)
{
	return (unsigned)s < SYNC_STATE_COUNT ? state_names[s] : "?";
}

const char *sync_state_label(enum sync_state s)
{
	return (unsigned)s < SYNC_STATE_COUNT ? state_labels[s] : "?";
}

const char *sync_event_name(enum sync_event ev)
{
	return (unsigned)ev < SYNC_EVENT_COUNT ? event_names[ev] : "?";
}

int sync_state_from_name(const char *name, enum sync_state *out)
{
	for (int i = 0; i < SYNC_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum sync_state)i;
			return BS_OK;
		}
	}
	return BS_ENOTFOUND;
}

int sync_transition(enum sync_state from, bool pending_change, enum sync_event ev,
                    enum sync_state *to, bool *pending_out, const char **why)
{
	const struct cell *c;

	if ((unsigned)from >= SYNC_STATE_COUNT || (unsigned)ev >= SYNC_EVENT_COUNT)
		return BS_EINVAL;
	c = &table[from][ev];
	if (c->to < 0) {
		if (why != NULL)
			*why = c->why;
		return BS_ESTATE;
	}
	*to = (enum sync_state)c->to;
	/*
	 * The pending-change flag only means something while queued: a new
	 * version sets it, and the post that drains the queue turns it into
	 * "changed" so the newer content is sent next time.
	 */
	if (from == SYNC_QUEUED && ev == SYNC_EV_NEW_VERSION)
		*pending_out = true;
	else if (from == SYNC_QUEUED && ev == SYNC_EV_POSTED && pending_change) {
		*to = SYNC_CHANGED;
		*pending_out = false;
	} else if (*to == SYNC_QUEUED)
		*pending_out = pending_change;
	else
		*pending_out = false;
	return BS_OK;
}
