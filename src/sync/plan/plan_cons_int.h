/*
 * plan_cons_int.h - what plan_consolidate.c (taking members) and
 * plan_cons_flush.c (writing the consolidated records) share.
 */
#ifndef BS_SYNC_PLAN_PLAN_CONS_INT_H
#define BS_SYNC_PLAN_PLAN_CONS_INT_H

#include "consolidate/consolidate.h"
#include "sync/plan/plan_int.h"

#define CONS_LINK "Consolidation" /* a member's link: ledger_id = the record it went into */

struct cons_mem {
	enum record_kind kind;
	char id[RECORD_ID_MAX + 1];
	char date[11];
	int64_t amount;
};

struct cons_grp {
	struct cons_key key;
	enum record_kind target_kind; /* payments and COGS: the consolidated document they follow */
	char target[RECORD_ID_MAX + 1];
	int exp;
	struct cons_line_out *lines;
	size_t nlines, caplines;
	int64_t total; /* Σ member totals, document currency */
	bool all_fx;   /* every member had its own rate */
	struct cons_fx_in *fx;
	size_t nfx, capfx;
	struct cons_mem *mem;
	size_t nmem, capmem;
};

struct plan_cons {
	struct cons_config cfg;
	struct cons_channel *chans;
	size_t nchans, capchans;
	char today[11];
	struct cons_grp *g;
	size_t ng, capg;
	struct plan_ref *made;
	size_t nmade, capmade;
};

/* Make room for one more of `size` bytes in *v (n used of *cap). */
int plan_cons_grow(void **v, size_t *cap, size_t n, size_t size);

#endif
