/*
 * plan_cons_int.h - what plan_consolidate.c (taking members) and
 * plan_cons_flush.c (writing the consolidated records) share.
 */
#ifndef BS_SYNC_PLAN_PLAN_CONS_INT_H
#define BS_SYNC_PLAN_PLAN_CONS_INT_H

#include "consolidate/consolidate.h"
#include "sync/plan/plan_int.h"

#define CONS_LINK "Consolidation" /* a member's link: ledger_id = the record it went into */
/* The customers consolidation writes for its documents: one for all while
 * customer contacts are off, else one per channel (prefix + a hash). */
#define CONS_CONTACT_ID             "booksync-consolidation"
#define CONS_CHANNEL_CONTACT_PREFIX "booksync-channel-"

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
	/* an individual payment or COGS record of a consolidated sale: its own
	 * id, so it is a group of one; "" otherwise */
	char single[RECORD_ID_MAX + 1];
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
	/* where consolidated customer credits are held: consolidation.credit_account,
	 * else account.gift_voucher (a liability that takes payments) */
	char credit_account[64];
	struct cons_grp *g;
	size_t ng, capg;
	struct plan_ref *made;
	size_t nmade, capmade;
};

/* One payment record of a group: the part it pays and how much. */
struct cons_pay_part {
	char target[RECORD_ID_MAX + 1];
	int64_t amount;
};

/*
 * Where a payment or refund group's amount goes (plan_cons_parts.c): the
 * document it pays when that is in one part (*n 1, the group's target and
 * total); else over the parts, each taking what is still due on it
 * (cons_alloc_parts; what earlier payments booked against a part counts
 * as paid).  *out is malloc'd, the caller frees.
 */
int plan_cons_pay_parts(struct planner *p, const struct cons_grp *g, struct cons_pay_part **out,
                        size_t *n);

/* ---- plan_cons_flush.c's helpers, shared with plan_cons_tasks.c ---- */

/* The record kind a consolidated document is written as. */
enum record_kind plan_cons_kind(enum cons_doc d);
/* The last day of a period "YYYY-MM-DD" or "YYYY-MM": the day, or the month's last. */
void plan_cons_period_end(const char *period, char out[11]);
/* The next free name for k (N counts per date, shop type and name) into
 * name, and the record id (the name, or its short form when too long). */
int plan_cons_next_name(struct planner *p, const struct cons_key *k, struct buf *name,
                        struct buf *id);
/* A decimal string of v (scale decimals, at least min_dp); the caller owns it. */
struct json_object *plan_cons_jdec(int64_t v, int scale, int min_dp);
/* Validate and store a record built here (it is then planned like any). */
int plan_cons_put(struct planner *p, struct json_object *o);
/* The `consolidation` field of part `part` of `parts` (members on part 1). */
struct json_object *plan_cons_info(const struct cons_grp *g, const char *name,
                                   const char *short_name, size_t part, size_t parts,
                                   const struct cons_fx_out *fx);
/* The rounding line's amount: the members' total less the grouped lines'. */
int plan_cons_rounding_diff(const struct cons_grp *g, enum money_tax_mode tm, int64_t *diff);
/* A journal or money task group as records (plan_cons_tasks.c); *first
 * gets "<id>\n<name>" of the first. */
int plan_cons_write_task(struct planner *p, struct cons_grp *g, const struct cons_fx_out *fx,
                         struct buf *first);

/* ---- plan_consolidate.c / plan_cons_credit.c ---- */

/* "<type>(<name>)" of a sale or credit note record, "" when it has none. */
void plan_cons_channel_of(struct json_object *o, char out[CONS_CHANNEL_MAX]);
/*
 * A store credit used or refunded: whether every issued credit it draws on
 * went into a consolidated money task (*drawn); *pending names one that
 * will but has not yet (the record waits for it), else "".  Fills
 * p->cur.sc (plan_store_credit_draws).
 */
int plan_cons_credit_draws(struct planner *p, const struct plan_item *it, bool *drawn,
                           char pending[RECORD_ID_MAX + 1]);
/* A customer credit of `amount` as a money task line of g: the customer
 * credit account, untaxed. */
int plan_cons_credit_line(struct planner *p, struct cons_grp *g, int64_t amount);

/* Make room for one more of `size` bytes in *v (n used of *cap). */
int plan_cons_grow(void **v, size_t *cap, size_t n, size_t size);

#endif
