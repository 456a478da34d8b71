/*
 * governor.h - pace calls so a ledger's rate limits are never exceeded.
 *
 * Xero allows, per tenant, 60 calls a minute, 5,000 a day and 5 at once,
 * and 10,000 a minute across the app (docs/mapping-xero.md §1).  The governor keeps its
 * own account of the calls it started (sliding windows over their start
 * times), believes the ledger's X-*Limit-Remaining headers when they are
 * lower, and obeys Retry-After.  A 429 is a bug in the governor; it is
 * still handled.  Pure: the caller passes `now` in milliseconds.
 *
 * `time_scale` shrinks the windows (scale 60: a "minute" lasts a second),
 * matching a sandbox started with the same --limits time-scale, so tests of
 * a day's worth of calls take seconds.
 */
#ifndef BS_SYNC_GOVERNOR_H
#define BS_SYNC_GOVERNOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each limit <= 0 means none (QBO has no daily cap).  Xero's figures shown;
 * session.c takes them from the ledger's caps, then the limits.* settings. */
struct governor_limits {
	int per_minute;       /* 60 */
	int per_day;          /* 5000 */
	int concurrent;       /* 5 */
	int app_per_minute;   /* 10000 */
	int time_scale;       /* 1 = real time */
	int batch_per_minute; /* QBO: 40 /batch calls a minute (counted in per_minute too) */
};

struct governor;

/* NULL on allocation failure.  Free with governor_free. */
struct governor *governor_new(const struct governor_limits *limits);
void governor_free(struct governor *g);

/* The limits g was made with. */
void governor_limits_of(const struct governor *g, struct governor_limits *out);

/* Milliseconds to wait before the next call may start (0 = now). */
int64_t governor_wait_ms(struct governor *g, int64_t now_ms);

/* A call starts now. */
void governor_start(struct governor *g, int64_t now_ms);

/* The same for a batch call, which also counts against batch_per_minute. */
int64_t governor_wait_batch_ms(struct governor *g, int64_t now_ms);
void governor_start_batch(struct governor *g, int64_t now_ms);

/*
 * A call ended (`batch`: one started with governor_start_batch).  From now
 * on it counts in the windows from `now_ms`, its answer, instead of its
 * start: the ledger stamped it somewhere in between.  Remaining counts (-1 = header absent) lower
 * the budget the governor believes in; retry_after_s >= 0 on a 429 blocks every call until then
 * (scaled like the windows).
 */
void governor_end(struct governor *g, int64_t now_ms, bool batch, int64_t min_remaining,
                  int64_t day_remaining, int64_t app_min_remaining, int64_t retry_after_s);

/*
 * A call ended without an answer from the ledger: no connection, a timeout,
 * or a call that was never sent at all.  It stays counted in the windows
 * (it may have reached the ledger), frees its slot, and teaches nothing:
 * what the ledger last said still stands.  Reading "no figures" as zeros
 * would be believing that nothing remains of the day.
 */
void governor_unanswered(struct governor *g, int64_t now_ms, bool batch);

/* Calls started so far. */
int64_t governor_calls(const struct governor *g);

/*
 * The times of the calls still inside the minute window at `now`, oldest
 * first, into out[cap]; returns how many.  open[i] (when open is not NULL)
 * says the call was still in flight, so out[i] is its start and the ledger
 * may stamp it later.  With governor_seed, a process hands its window to
 * the next one (the ledger counts the calls of every process of the app; a
 * fresh governor would know none of them).
 */
size_t governor_recent(struct governor *g, int64_t now_ms, int64_t *out, bool *open, size_t cap);

/* Count calls made at times[0..n) (oldest first) as if made here and
 * answered.  A call the last process left in flight is given as
 * governor_inherited_at, not as its start. */
void governor_seed(struct governor *g, const int64_t *times, size_t n);

/*
 * When to count a call the last process left in flight, for a process
 * starting at now: a quarter of a minute later (scaled like the windows).
 * A process killed during a call leaves its request on its way or queued
 * at a busy ledger, which stamps it when it reads it -- after the next
 * process has started, and its windows have begun to count.  Counting the
 * call from that start let the next process's third call of a (scaled)
 * minute meet a 429; the quarter covers a request that waits that long.
 */
int64_t governor_inherited_at(const struct governor *g, int64_t now_ms);

/* The same two for the batch calls of the minute (batch_per_minute): the
 * seeded times must also be among those given to governor_seed. */
size_t governor_recent_batch(struct governor *g, int64_t now_ms, int64_t *out, bool *open,
                             size_t cap);
void governor_seed_batch(struct governor *g, const int64_t *times, size_t n);

/*
 * What the ledger last said remained of the day's calls (X-DayLimit-
 * Remaining, less the calls started since) and when it said so: the day's
 * count for the next process, which its minute window does not carry.
 * Returns 0 and leaves the outs alone when the ledger never said.
 */
int governor_day_belief(const struct governor *g, int64_t *remaining, int64_t *seen_at);

/* Believe the last process's day count (governor_day_belief) while it is
 * younger than a day and newer than what this governor was told. */
void governor_seed_day(struct governor *g, int64_t remaining, int64_t seen_at, int64_t now_ms);

#endif
