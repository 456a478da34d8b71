/*
 * governor.c - sliding-window rate governor (see governor.h).
 *
 * Call times live in ring buffers as long as the window they count
 * against; the oldest entry says when the next slot frees up.  The ledger
 * stamps a call when it arrives, somewhere between our start and its
 * answer, and a call that waited longer on its way (a busy ledger, a busy
 * machine) than a later one did would make our start times too early for
 * the ledger's window.  So a call counts from its start only while it is
 * in flight ("open"), and from its answer once it has one: never earlier
 * than the ledger's own stamp.  An open entry does not expire.  A small
 * margin on every window keeps clock skew between us and the ledger from
 * turning into a 429.
 */
#include "sync/governor.h"

#include <stdbool.h>
#include <stdlib.h>

/* Oldest first; times never decrease from head to tail. */
struct ring {
	int64_t *t;
	bool *open; /* in flight: t is its start, the answer is still to come */
	int cap, head, n;
};

struct governor {
	struct governor_limits lim;
	int64_t minute_ms, day_ms, margin_ms;
	struct ring minute, day, batch;
	int in_flight;
	int64_t blocked_until;
	int64_t calls;
	/* the ledger's own view after the last answer */
	int64_t seen_at, min_remaining, day_remaining, app_remaining;
};

static int ring_init(struct ring *r, int cap)
{
	r->cap = cap > 0 ? cap : 1;
	r->head = r->n = 0;
	r->t = calloc((size_t)r->cap, sizeof(*r->t));
	r->open = calloc((size_t)r->cap, sizeof(*r->open));
	return r->t != NULL && r->open != NULL;
}

static void ring_free(struct ring *r)
{
	free(r->t);
	free(r->open);
}

#define AT(r, i) (((r)->head + (i)) % (r)->cap)

static void ring_expire(struct ring *r, int64_t now, int64_t window)
{
	while (r->n > 0 && !r->open[r->head] && r->t[r->head] + window <= now) {
		r->head = (r->head + 1) % r->cap;
		r->n--;
	}
}

/* Add a call at `t`, in time order (t is normally the newest). */
static void ring_push(struct ring *r, int64_t t, bool open)
{
	int i;

	if (r->n == r->cap) { /* full: the oldest is forgotten (cannot happen when paced) */
		r->head = (r->head + 1) % r->cap;
		r->n--;
	}
	for (i = r->n; i > 0 && r->t[AT(r, i - 1)] > t; i--) {
		r->t[AT(r, i)] = r->t[AT(r, i - 1)];
		r->open[AT(r, i)] = r->open[AT(r, i - 1)];
	}
	r->t[AT(r, i)] = t;
	r->open[AT(r, i)] = open;
	r->n++;
}

/*
 * A call in flight got its answer (or gave up) at `now`: it counts from
 * then.  Which of several open calls it was is not known; closing the
 * oldest is safe, since an open call left behind keeps a later start than
 * its own, so it counts for longer, not shorter.
 */
static void ring_close(struct ring *r, int64_t now)
{
	int i;

	for (i = 0; i < r->n && !r->open[AT(r, i)]; i++)
		;
	if (i == r->n)
		return; /* forgotten when the ring was full, or a seeded window */
	for (; i + 1 < r->n; i++) {
		r->t[AT(r, i)] = r->t[AT(r, i + 1)];
		r->open[AT(r, i)] = r->open[AT(r, i + 1)];
	}
	r->n--;
	ring_push(r, now, false);
}

struct governor *governor_new(const struct governor_limits *limits)
{
	struct governor *g = calloc(1, sizeof(*g));
	int scale;

	if (g == NULL)
		return NULL;
	g->lim = *limits;
	scale = limits->time_scale > 0 ? limits->time_scale : 1;
	g->minute_ms = 60000 / scale;
	g->day_ms = 86400000LL / scale;
	g->margin_ms = g->minute_ms / 50 + 5;
	g->min_remaining = g->day_remaining = g->app_remaining = -1;
	if (!ring_init(&g->minute, limits->per_minute) || !ring_init(&g->day, limits->per_day) ||
	    !ring_init(&g->batch, limits->batch_per_minute)) {
		governor_free(g);
		return NULL;
	}
	return g;
}

void governor_free(struct governor *g)
{
	if (g == NULL)
		return;
	ring_free(&g->minute);
	ring_free(&g->day);
	ring_free(&g->batch);
	free(g);
}

/* When the oldest call of a full window leaves it (0: now, or no limit;
 * a millisecond from now while it is still in flight). */
static int64_t ring_free_at(const struct ring *r, int limit, int64_t window, int64_t margin,
                            int64_t now)
{
	if (limit <= 0 || r->n < limit)
		return 0;
	if (r->open[r->head])
		return now + 1;
	return r->t[r->head] + window + margin;
}

void governor_limits_of(const struct governor *g, struct governor_limits *out)
{
	*out = g->lim;
}

int64_t governor_wait_ms(struct governor *g, int64_t now)
{
	int64_t at = 0, t;

	ring_expire(&g->minute, now, g->minute_ms + g->margin_ms);
	ring_expire(&g->day, now, g->day_ms + g->margin_ms);
	if (g->blocked_until > now)
		at = g->blocked_until;
	if (g->lim.concurrent > 0 && g->in_flight >= g->lim.concurrent)
		return 1; /* wait for a call to end */
	t = ring_free_at(&g->minute, g->lim.per_minute, g->minute_ms, g->margin_ms, now);
	if (t > at)
		at = t;
	t = ring_free_at(&g->day, g->lim.per_day, g->day_ms, g->margin_ms, now);
	if (t > at)
		at = t;
	/*
	 * The ledger says a budget is used up although our own windows have
	 * room: someone else (another process, another app) is spending it.
	 * Then wait out a window from its answer.  When our windows are full
	 * too they already say the exact moment, so they are not overridden.
	 */
	if (g->min_remaining == 0 && g->minute.n < g->lim.per_minute &&
	    g->seen_at + g->minute_ms + g->margin_ms > at)
		at = g->seen_at + g->minute_ms + g->margin_ms;
	if (g->app_remaining == 0 && g->seen_at + g->minute_ms + g->margin_ms > at)
		at = g->seen_at + g->minute_ms + g->margin_ms;
	if (g->day_remaining == 0 && g->day.n < g->lim.per_day && g->seen_at + g->day_ms > at)
		at = g->seen_at + g->day_ms;
	return at > now ? at - now : 0;
}

void governor_start(struct governor *g, int64_t now)
{
	ring_push(&g->minute, now, true);
	ring_push(&g->day, now, true);
	g->in_flight++;
	g->calls++;
	/* our own call uses one of what the ledger said remained */
	if (g->min_remaining > 0)
		g->min_remaining--;
	if (g->app_remaining > 0)
		g->app_remaining--;
	if (g->day_remaining > 0)
		g->day_remaining--;
}

int64_t governor_wait_batch_ms(struct governor *g, int64_t now)
{
	int64_t w = governor_wait_ms(g, now), t;

	ring_expire(&g->batch, now, g->minute_ms + g->margin_ms);
	t = ring_free_at(&g->batch, g->lim.batch_per_minute, g->minute_ms, g->margin_ms, now);
	return t > now && t - now > w ? t - now : w;
}

void governor_start_batch(struct governor *g, int64_t now)
{
	governor_start(g, now);
	if (g->lim.batch_per_minute > 0)
		ring_push(&g->batch, now, true);
}

/* A call of the given kind is over at `now`: it counts from then. */
static void call_over(struct governor *g, int64_t now, bool batch)
{
	if (g->in_flight > 0)
		g->in_flight--;
	ring_close(&g->minute, now);
	ring_close(&g->day, now);
	if (batch && g->lim.batch_per_minute > 0)
		ring_close(&g->batch, now);
}

void governor_end(struct governor *g, int64_t now, bool batch, int64_t min_remaining,
                  int64_t day_remaining, int64_t app_min_remaining, int64_t retry_after_s)
{
	int scale = g->lim.time_scale > 0 ? g->lim.time_scale : 1;

	call_over(g, now, batch);
	g->seen_at = now;
	g->min_remaining = min_remaining;
	g->day_remaining = day_remaining;
	g->app_remaining = app_min_remaining;
	if (retry_after_s >= 0) {
		int64_t until = now + retry_after_s * 1000 / scale + g->margin_ms;

		if (until > g->blocked_until)
			g->blocked_until = until;
		/* Retry-After is the ledger's exact answer: it replaces the
		 * "nothing remains, wait out a whole window" guess */
		g->min_remaining = g->app_remaining = -1;
	}
}

void governor_unanswered(struct governor *g, int64_t now, bool batch)
{
	call_over(g, now, batch);
}

int64_t governor_calls(const struct governor *g)
{
	return g->calls;
}

/* The entries of `r` still in its window at `now`, oldest first. */
static size_t ring_recent(struct ring *r, int64_t now, int64_t window, int64_t *out, bool *open,
                          size_t cap)
{
	size_t n = 0;

	ring_expire(r, now, window);
	for (int i = 0; i < r->n && n < cap; i++) {
		out[n] = r->t[AT(r, i)];
		if (open != NULL)
			open[n] = r->open[AT(r, i)];
		n++;
	}
	return n;
}

size_t governor_recent(struct governor *g, int64_t now, int64_t *out, bool *open, size_t cap)
{
	return ring_recent(&g->minute, now, g->minute_ms + g->margin_ms, out, open, cap);
}

int governor_day_belief(const struct governor *g, int64_t *remaining, int64_t *seen_at)
{
	if (g->day_remaining < 0)
		return 0;
	*remaining = g->day_remaining;
	*seen_at = g->seen_at;
	return 1;
}

void governor_seed_day(struct governor *g, int64_t remaining, int64_t seen_at, int64_t now_ms)
{
	if (remaining < 0 || seen_at + g->day_ms <= now_ms || seen_at <= g->seen_at)
		return;
	g->seen_at = seen_at;
	g->day_remaining = remaining;
}

void governor_seed(struct governor *g, const int64_t *times, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ring_push(&g->minute, times[i], false);
		ring_push(&g->day, times[i], false);
	}
}

int64_t governor_inherited_at(const struct governor *g, int64_t now_ms)
{
	return now_ms + g->minute_ms / 4;
}

size_t governor_recent_batch(struct governor *g, int64_t now, int64_t *out, bool *open, size_t cap)
{
	return ring_recent(&g->batch, now, g->minute_ms + g->margin_ms, out, open, cap);
}

void governor_seed_batch(struct governor *g, const int64_t *times, size_t n)
{
	for (size_t i = 0; g->lim.batch_per_minute > 0 && i < n; i++)
		ring_push(&g->batch, times[i], false);
}
