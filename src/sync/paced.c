/*
 * paced.c - the paced, retried ledger call (see paced.h).
 */
#include "sync/paced.h"

#include <stdbool.h>

#define ATTEMPTS_DEFAULT 6

static void bump(uint64_t *n)
{
	if (n != NULL)
		(*n)++;
}

/* 200 ms doubling to 30 s, each 50% .. 150% (xorshift), so retries of
 * several clients do not fall into step. */
static int64_t backoff_ms(struct paced *p, int attempt)
{
	int64_t base = 200LL << (attempt < 8 ? attempt : 8);

	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	if (base > 30000)
		base = 30000;
	return base / 2 + (int64_t)(p->rng % (uint64_t)(base + 1));
}

static int call(struct paced *p, paced_fn fn, void *ctx, bool batch, struct bs_error *err)
{
	int max = p->max_attempts > 0 ? p->max_attempts : ATTEMPTS_DEFAULT;
	int attempt = 0, rc;
	bool stale_retried = false;

	for (;;) {
		/* "absent" until the call fills them: a failure before any exchange
		 * must not read as "nothing remains" */
		struct ledger_call call = {.min_remaining = -1,
		                           .day_remaining = -1,
		                           .app_min_remaining = -1,
		                           .retry_after_s = -1};
		int64_t w;

		if (p->before != NULL && (rc = p->before(p->arg, err)) != BS_OK)
			return rc;
		while ((w = batch ? governor_wait_batch_ms(p->gov, p->now_ms(p->clock))
		                  : governor_wait_ms(p->gov, p->now_ms(p->clock))) > 0)
			p->sleep_ms(p->clock, w);
		if (p->app_take != NULL) {
			struct governor_limits lim;

			governor_limits_of(p->gov, &lim);
			while ((w = p->app_take(p->app_arg, lim.app_per_minute, lim.time_scale)) >
			       0)
				p->sleep_ms(p->clock, w);
		}
		if (batch)
			governor_start_batch(p->gov, p->now_ms(p->clock));
		else
			governor_start(p->gov, p->now_ms(p->clock));
		if (p->started != NULL)
			p->started(p->started_arg);
		rc = fn(ctx, &call, err);
		/* only an HTTP answer is the ledger's word on its limits: figures of
		 * a call that got none (or was never sent) are not read at all */
		if (call.http_status == 0)
			governor_unanswered(p->gov, p->now_ms(p->clock), batch);
		else
			governor_end(p->gov, p->now_ms(p->clock), batch, call.min_remaining,
			             call.day_remaining, call.app_min_remaining,
			             call.http_status == 429 ? call.retry_after_s : -1);
		bump(p->calls);
		if (rc == BS_ELIMIT) {
			bump(p->rate_limited);
			continue; /* not processed: the same call, after Retry-After */
		}
		if (rc == BS_ENET && call.stale_conn && !stale_retried) {
			/* a kept-alive connection had closed: once, at once, on a new
			 * one (libcurl would have; this way the governor counts it) */
			stale_retried = true;
			bump(p->retries);
			continue;
		}
		if (rc == BS_ENET || rc == BS_EPROTO) {
			if (++attempt >= max)
				return rc;
			bump(p->retries);
			p->sleep_ms(p->clock, backoff_ms(p, attempt));
			continue;
		}
		return rc;
	}
}

int paced_call(struct paced *p, paced_fn fn, void *ctx, struct bs_error *err)
{
	return call(p, fn, ctx, false, err);
}

int paced_call_batch(struct paced *p, paced_fn fn, void *ctx, struct bs_error *err)
{
	return call(p, fn, ctx, true, err);
}
