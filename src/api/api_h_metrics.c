/*
 * api_h_metrics.c - GET /api/v1/metrics: what an operator graphs and alerts
 * on, in Prometheus' text format (version 0.0.4).
 *
 * Per target: records by sync state and tab; the outbox's depth (planned
 * operations not yet answered); the day's calls (the governor's figures:
 * the allowance it paces by, and what the ledger last said remained of the
 * day, saved by the session as setting govwin:<target>); 429 answers met
 * by this server's jobs; the last job's end and result; the payments
 * imported from the ledger by decision and those unapplied for over 24
 * hours (docs/inbound.md).  And this server's
 * job queue.  Everything is read from the store at each scrape, so the
 * figures are the same whichever process did the work, except the queue.
 */
#include "api/api_jobs_int.h"

#include "ledger/ledger.h"
#include "store/settings.h"
#include "store/store_inbound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (INT64_C(24) * 3600 * 1000)

struct prom {
	struct buf *b;
	int bad;
};

/* A label value, escaped as the format wants (\\, \", \n). */
static void label(struct prom *p, const char *name, const char *v, bool first)
{
	p->bad |= buf_printf(p->b, "%s%s=\"", first ? "" : ",", name);
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			p->bad |= buf_printf(p->b, "\\%c", *v);
		else if (*v == '\n')
			p->bad |= buf_addstr(p->b, "\\n");
		else
			p->bad |= buf_addc(p->b, *v);
	}
	p->bad |= buf_addc(p->b, '"');
}

static void head(struct prom *p, const char *name, const char *type, const char *help)
{
	p->bad |= buf_printf(p->b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{target="..."} n */
static void sample_t(struct prom *p, const char *name, const char *target, int64_t n)
{
	p->bad |= buf_printf(p->b, "%s{", name);
	label(p, "target", target, true);
	p->bad |= buf_printf(p->b, "} %lld\n", (long long)n);
}

struct walk {
	struct prom *p;
	const char *name;
};

static int states_row(void *arg, const char *target, const char *state, const char *tab, int64_t n)
{
	struct walk *w = arg;

	w->p->bad |= buf_printf(w->p->b, "%s{", w->name);
	label(w->p, "target", target, true);
	label(w->p, "state", state, false);
	label(w->p, "tab", tab, false);
	w->p->bad |= buf_printf(w->p->b, "} %lld\n", (long long)n);
	return w->p->bad != 0 ? BS_ETOOBIG : BS_OK;
}

static int target_row(void *arg, const char *target, const char *a, const char *b, int64_t n)
{
	struct walk *w = arg;

	(void)a, (void)b;
	sample_t(w->p, w->name, target, n);
	return w->p->bad != 0 ? BS_ETOOBIG : BS_OK;
}

/* A whole number setting or text, else -1. */
static int64_t num(const char *s, const char **end)
{
	int64_t v = 0;
	size_t i = 0;

	for (; s[i] >= '0' && s[i] <= '9' && i < 18; i++)
		v = v * 10 + (s[i] - '0');
	if (end != NULL)
		*end = s + i;
	return i > 0 ? v : -1;
}

/* The day's allowance the governor paces by: limits.per_day, else the
 * ledger's (Xero 5,000; 0 = none, QBO). */
static int64_t allowance(struct store *st, const char *target)
{
	const struct ledger_ops *l = ledger_for_target(target);
	struct buf v;
	int64_t n = l != NULL ? l->caps->per_day : 0;

	buf_init(&v, 64);
	if (settings_get(st, "limits.per_day", &v, NULL) == BS_OK && v.len > 0 &&
	    num(buf_cstr(&v), NULL) > 0)
		n = num(buf_cstr(&v), NULL);
	buf_free(&v);
	return n;
}

/* What the ledger last said remained of today (govwin:<target> ";day=R@MS"
 * with MS today, UTC), or -1 when it has not said so today. */
static int64_t left_today(struct store *st, const char *target, int64_t now_ms)
{
	struct buf key, v;
	const char *p, *end;
	int64_t rem = -1, at;

	buf_init(&key, 256);
	buf_init(&v, 32768);
	if (buf_printf(&key, "govwin:%s", target) == BS_OK &&
	    store_setting_get(st, buf_cstr(&key), &v, NULL) == BS_OK &&
	    (p = strstr(buf_cstr(&v), ";day=")) != NULL) {
		rem = num(p + 5, &end);
		at = *end == '@' ? num(end + 1, NULL) : -1;
		if (at < 0 || at / DAY_MS != now_ms / DAY_MS)
			rem = -1;
	}
	buf_free(&key);
	buf_free(&v);
	return rem;
}

struct calls {
	struct api_targets *ts;
	int64_t *n;
};

static int calls_row(void *arg, const char *target, const char *a, const char *b, int64_t n)
{
	struct calls *c = arg;

	(void)a, (void)b;
	for (size_t i = 0; i < c->ts->n; i++)
		if (strcmp(c->ts->t[i], target) == 0)
			c->n[i] = n;
	return BS_OK;
}

/* The day's calls per target: allowance, used, left. */
static int day_calls(struct store *st, struct prom *p, int64_t now_ms, struct bs_error *err)
{
	struct api_targets ts = {0};
	struct calls c = {&ts, NULL};
	int rc = api_targets_collect(st, &ts, err);

	if (rc == BS_OK && ts.n > 0 && (c.n = calloc(ts.n, sizeof(*c.n))) == NULL)
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
	if (rc == BS_OK && ts.n > 0)
		rc = store_metrics_each(st, STORE_METRIC_REQUESTS, now_ms / DAY_MS * DAY_MS,
		                        calls_row, &c, err);
	if (rc != BS_OK)
		goto out;
	head(p, "booksync_calls_allowance_day", "gauge",
	     "Ledger calls a day the governor paces by (limits.per_day or the ledger's; 0 = no "
	     "daily limit).");
	for (size_t i = 0; i < ts.n; i++)
		sample_t(p, "booksync_calls_allowance_day", ts.t[i], allowance(st, ts.t[i]));
	head(p, "booksync_calls_used_today", "gauge",
	     "Ledger calls used today (UTC): the allowance less what the ledger said remains, "
	     "else the requests booksync sent.");
	for (size_t i = 0; i < ts.n; i++) {
		int64_t allow = allowance(st, ts.t[i]), left = left_today(st, ts.t[i], now_ms);

		sample_t(p, "booksync_calls_used_today", ts.t[i],
		         allow > 0 && left >= 0 && left <= allow ? allow - left : c.n[i]);
	}
	head(p, "booksync_calls_left_today", "gauge",
	     "Ledger calls left today: what the ledger last said, else the allowance less the "
	     "calls used (absent with no daily limit).");
	for (size_t i = 0; i < ts.n; i++) {
		int64_t allow = allowance(st, ts.t[i]), left = left_today(st, ts.t[i], now_ms);

		if (left < 0 && allow > 0)
			left = allow > c.n[i] ? allow - c.n[i] : 0;
		if (left >= 0)
			sample_t(p, "booksync_calls_left_today", ts.t[i], left);
	}
out:
	free(ts.t);
	free(c.n);
	return rc;
}

struct last {
	struct prom *p;
	int which; /* 0 time, 1 success, 2 posted */
};

static int last_row(void *arg, const struct store_job *j, const char *request)
{
	static const char *const names[] = {"booksync_last_sync_timestamp_seconds",
	                                    "booksync_last_sync_success",
	                                    "booksync_last_sync_posted"};
	struct last *l = arg;
	struct prom *p = l->p;

	(void)request;
	p->bad |= buf_printf(p->b, "%s{", names[l->which]);
	label(p, "target", j->target, true);
	if (l->which == 0)
		p->bad |= buf_printf(p->b, "} %lld.%03lld\n", (long long)(j->finished_ms / 1000),
		                     (long long)(j->finished_ms % 1000));
	else if (l->which == 1)
		p->bad |= buf_printf(p->b, "} %d\n", strcmp(j->state, "done") == 0 ? 1 : 0);
	else
		p->bad |= buf_printf(p->b, "} %lld\n", (long long)j->s_posted);
	return p->bad != 0 ? BS_ETOOBIG : BS_OK;
}

/* The last job of each target, one family at a time (the format wants a
 * family's samples together). */
static int last_jobs(struct store *st, struct prom *p, struct bs_error *err)
{
	static const char *const help[][2] = {
	    {"booksync_last_sync_timestamp_seconds",
	     "When the last sync job of the target ended (Unix time)."},
	    {"booksync_last_sync_success",
	     "1 when the last sync job of the target went through, 0 when it failed."},
	    {"booksync_last_sync_posted", "Documents the last sync job of the target posted."},
	};
	int rc = BS_OK;

	for (int i = 0; i < 3 && rc == BS_OK; i++) {
		struct last l = {p, i};

		head(p, help[i][0], "gauge", help[i][1]);
		rc = store_jobs_last(st, last_row, &l, err);
	}
	return rc;
}

/* The inbound import (store_inbound.h), per target: decisions by state,
 * and the 24-hour flag (skipped or failed, decided over a day ago). */
static int inbound_metrics(struct store *st, struct prom *p, int64_t now_ms, struct bs_error *err)
{
	static const char *const states[] = {"applied", "skipped", "failed", "reversed",
	                                     "reconciled"};
	struct api_targets ts = {0};
	struct store_inbound_counts *c = NULL;
	int rc = api_targets_collect(st, &ts, err);

	if (rc == BS_OK && ts.n > 0 && (c = calloc(ts.n, sizeof(*c))) == NULL)
		rc = bs_error_set(err, BS_ENOMEM, "out of memory");
	for (size_t i = 0; rc == BS_OK && i < ts.n; i++)
		rc = store_inbound_count(st, ts.t[i], now_ms - DAY_MS, &c[i], err);
	if (rc != BS_OK)
		goto out;
	head(p, "booksync_inbound_payments", "gauge",
	     "Ledger payments the inbound import decided about, by decision, per target.");
	for (size_t i = 0; c != NULL && i < ts.n; i++) {
		int64_t n[5] = {c[i].applied, c[i].skipped, c[i].failed, c[i].reversed,
		                c[i].reconciled};

		for (int k = 0; k < 5; k++) {
			p->bad |= buf_addstr(p->b, "booksync_inbound_payments{");
			label(p, "target", ts.t[i], true);
			label(p, "state", states[k], false);
			p->bad |= buf_printf(p->b, "} %lld\n", (long long)n[k]);
		}
	}
	head(p, "booksync_inbound_unapplied_overdue", "gauge",
	     "Ledger payments skipped or failed over 24 hours ago: reconcile them by hand.");
	for (size_t i = 0; c != NULL && i < ts.n; i++)
		sample_t(p, "booksync_inbound_unapplied_overdue", ts.t[i], c[i].overdue);
out:
	free(ts.t);
	free(c);
	return rc;
}

void api_h_metrics(struct api_ctx *c, const struct http_req *req, struct http_resp *resp)
{
	struct prom p = {&resp->body, 0};
	struct walk w = {&p, NULL};
	struct bs_error err;
	int64_t queued = 0, running = 0;
	int rc;

	(void)req;
	buf_reset(&resp->body);
	head(&p, "booksync_records", "gauge", "Records by sync state and tab, per target.");
	w.name = "booksync_records";
	rc = store_metrics_each(c->st, STORE_METRIC_STATES, 0, states_row, &w, &err);
	if (rc == BS_OK) {
		head(&p, "booksync_outbox_depth", "gauge",
		     "Planned ledger operations not yet answered (the queue of the next sync).");
		w.name = "booksync_outbox_depth";
		rc = store_metrics_each(c->st, STORE_METRIC_OUTBOX, 0, target_row, &w, &err);
	}
	if (rc == BS_OK)
		rc = day_calls(c->st, &p, c->now_ms, &err);
	if (rc == BS_OK) {
		head(&p, "booksync_rate_limited_total", "counter",
		     "429 answers met by serve's sync jobs (each one a pacing miss).");
		w.name = "booksync_rate_limited_total";
		rc = store_metrics_each(c->st, STORE_METRIC_429, 0, target_row, &w, &err);
	}
	if (rc == BS_OK)
		rc = last_jobs(c->st, &p, &err);
	if (rc == BS_OK)
		rc = inbound_metrics(c->st, &p, c->now_ms, &err);
	if (rc != BS_OK) {
		api_error_bs(resp, rc, &err);
		return;
	}
	if (api_jobs_of(c->srv) != NULL)
		api_jobs_counts(api_jobs_of(c->srv), c->st, &queued, &running);
	head(&p, "booksync_jobs", "gauge",
	     "This server's sync jobs queued and running (its store's, when the fleet runs them).");
	p.bad |= buf_printf(p.b, "booksync_jobs{state=\"queued\"} %lld\n", (long long)queued);
	p.bad |= buf_printf(p.b, "booksync_jobs{state=\"running\"} %lld\n", (long long)running);
	if (p.bad != 0) {
		api_error(resp, 500, NULL, "the answer is too big");
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
