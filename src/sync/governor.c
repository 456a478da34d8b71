/*
 * governor.c - sliding-window rate governor (see governor.h).
 *
 * Start times live in ring buffers as long as the window they count
 * against; the oldest entry says when the next slot frees up.  A small
 * margin on every window keeps clock skew between us and the ledger from
 * turning into a 429.
 */
#include "sync/governor.h"

#include <stdlib.h>

struct ring {
	int64_t *t;
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
	return r->t != NULL;
}

static void ring_expire(struct ring *r, int64_t now, int64_t window)
{
	while (r->n > 0 && r->t[r->head] + window <= now) {
		r->head = (r->head + 1) % r->cap;
		r->n--;
	}
}

static void ring_push(struct ring *r, int64_t now)
{
	if (r->n == r->cap) { /* full: the oldest is forgotten (cannot happen when paced) */
		r->head = (r->head + 1) % r->cap;
		r->n--;
	}
	r->t[(r->head + r->n) % r->cap] = now;
	r->n++;
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
	free(g->minute.t);
	free(g->day.t);
	free(g->batch.t);
	free(g);
}

/* When the oldest call of a full window leaves it (0: now, or no limit). */
static int64_t ring_free_at(const struct ring *r, int limit, int64_t window, int64_t margin)
{
	if (limit <= 0 || r->n < limit)
		return 0;
	return r->t[r->head] + window + margin;
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
	t = ring_free_at(&g->minute, g->lim.per_minute, g->minute_ms, g->margin_ms);
	if (t > at)
		at = t;
	t = ring_free_at(&g->day, g->lim.per_day, g->day_ms, g->margin_ms);
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
	ring_push(&g->minute, now);
	ring_push(&g->day, now);
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
	t = ring_free_at(&g->batch, g->lim.batch_per_minute, g->minute_ms, g->margin_ms);
	return t > now && t - now > w ? t - now : w;
}

void governor_start_batch(struct governor *g, int64_t now)
{
	governor_start(g, now);
	if (g->lim.batch_per_minute > 0)
		ring_push(&g->batch, now);
}

void governor_end(struct governor *g, int64_t now, int64_t min_remaining, int64_t day_remaining,
                  int64_t app_min_remaining, int64_t retry_after_s)
{
	int scale = g->lim.time_scale > 0 ? g->lim.time_scale : 1;

	if (g->in_flight > 0)
		g->in_flight--;
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

void governor_unanswered(struct governor *g)
{
	if (g->in_flight > 0)
		g->in_flight--;
}

int64_t governor_calls(const struct governor *g)
{
	return g->calls;
}

size_t governor_recent(struct governor *g, int64_t now, int64_t *out, size_t cap)
{
	size_t n = 0;

	ring_expire(&g->minute, now, g->minute_ms + g->margin_ms);
	for (int i = 0; i < g->minute.n && n < cap; i++)
		out[n++] = g->minute.t[(g->minute.head + i) % g->minute.cap];
	return n;
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
		ring_push(&g->minute, times[i]);
		ring_push(&g->day, times[i]);
	}
}

size_t governor_recent_batch(struct governor *g, int64_t now, int64_t *out, size_t cap)
{
	size_t n = 0;

	ring_expire(&g->batch, now, g->minute_ms + g->margin_ms);
	for (int i = 0; i < g->batch.n && n < cap; i++)
		out[n++] = g->batch.t[(g->batch.head + i) % g->batch.cap];
	return n;
}

void governor_seed_batch(struct governor *g, const int64_t *times, size_t n)
{
	for (size_t i = 0; g->lim.batch_per_minute > 0 && i < n; i++)
		ring_push(&g->batch, times[i]);
}
