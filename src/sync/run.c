/*
 * run.c - one sync of a target (see run.h).
 *
 * The dispatcher's hooks are this file's: before each ledger call the
 * lock's lease is renewed, a stop asked by on_progress is honoured, and the
 * token is refreshed when due; the governor's waits (a day's limit may mean
 * hours) sleep in slices that keep the lease alive.
 */
#include "sync/run.h"

#include "core/buf.h"
#include "fleet/fleet.h"
#include "ledger/ledger.h"
#include "rules/rules.h"
#include "store/settings.h"
#include "sync/session.h"
#include "sync/synclock.h"

#include <string.h>

struct run {
	const struct sync_run_opts *o;
	struct session sess;
	struct synclock lock;
	struct sync_summary *sum;
	int stop; /* on_progress's answer after a request: BS_OK = go on */
	struct bs_error stop_err;
};

static void on_failure(void *arg, enum record_kind kind, const char *id, const char *msg)
{
	struct run *r = arg;

	if (r->o->on_record != NULL)
		r->o->on_record(r->o->arg, kind, id, SYNC_ERROR, msg);
}

static void on_waiting(void *arg, enum record_kind kind, const char *id, const char *why)
{
	struct run *r = arg;

	if (r->o->on_record != NULL)
		r->o->on_record(r->o->arg, kind, id, SYNC_WAITING, why);
}

static void on_verdict(void *arg, enum record_kind kind, const char *id, enum sync_state s,
                       const char *reason)
{
	struct run *r = arg;

	if (r->o->on_record != NULL)
		r->o->on_record(r->o->arg, kind, id, s, reason);
}

static void on_doc(void *arg, enum record_kind kind, const char *id, const char *type,
                   const char *op, const char *body)
{
	struct run *r = arg;

	if (r->o->on_doc != NULL)
		r->o->on_doc(r->o->arg, kind, id, type, op, body);
}

static int progress(struct run *r, enum sync_run_phase phase, struct bs_error *err)
{
	struct sync_progress p = {phase, r->sum->sent.posted, r->sum->sent.failed,
	                          r->sum->sent.calls};

	return r->o->on_progress != NULL ? r->o->on_progress(r->o->arg, &p, err) : BS_OK;
}

static void on_sent(void *arg, uint64_t posted, uint64_t failed, uint64_t calls)
{
	struct run *r = arg;

	/* the same figures are in r->sum->sent */
	(void)posted;
	(void)failed;
	(void)calls;
	if (r->stop == BS_OK)
		r->stop = progress(r, SYNC_PHASE_SEND, &r->stop_err);
}

static int64_t now_cb(void *clock)
{
	return ((struct run *)clock)->o->now_ms();
}

static void sleep_cb(void *clock, int64_t ms)
{
	struct run *r = clock;

	while (ms > 0) {
		int64_t slice = ms < SYNCLOCK_LEASE_MS / 8 ? ms : SYNCLOCK_LEASE_MS / 8;

		session_sleep_ms(slice);
		ms -= slice;
		synclock_renew(&r->lock, r->o->now_ms(), NULL);
	}
}

static int before_call(void *arg, struct bs_error *err)
{
	struct run *r = arg;
	int rc = synclock_renew(&r->lock, r->o->now_ms(), err);

	if (rc == BS_OK && r->stop != BS_OK) {
		if (err != NULL)
			*err = r->stop_err;
		rc = r->stop;
	}
	return rc != BS_OK ? rc : session_refresh_if_needed(&r->sess, err);
}

static void call_started(void *arg)
{
	session_window_save(&((struct run *)arg)->sess);
}

/* The target, and the plan's options that depend on it. */
static int pick_target(struct run *r, struct store *st, struct plan_opts *po, struct bs_error *err)
{
	struct buf tbuf, round;
	const char *target = NULL;
	int rc;

	buf_init(&tbuf, 256);
	buf_init(&round, 64);
	rc = store_target_pick(st, r->o->target, &tbuf, &target, err);
	if (rc == BS_OK && target == NULL)
		rc = bs_error_set(err, BS_EAUTH, "no ledger is connected: run booksync connect %s",
		                  ledger_nth(0)->name);
	else if (rc == BS_OK && strlen(target) >= sizeof(r->sum->target))
		rc = bs_error_set(err, BS_EINVAL, "target name too long: %s", target);
	if (rc == BS_OK)
		rc = settings_get(st, "ledger_rounding", &round, err);
	if (rc == BS_OK && target != NULL) {
		memcpy(r->sum->target, target, strlen(target) + 1);
		po->target = r->sum->target;
		po->ledger_round =
		    strcmp(buf_cstr(&round), "half-even") == 0 ? MONEY_HALF_EVEN : MONEY_HALF_AWAY;
	}
	buf_free(&tbuf);
	buf_free(&round);
	return rc;
}

/* Plan, and unless it is a dry run, send.  `first`: the lease is renewed
 * (after a long plan) and the token refreshed before the dispatcher starts,
 * whether or not it has anything to send. */
static int plan_and_send(struct run *r, struct store *st, const struct plan_opts *po,
                         const struct dispatch_opts *d, bool first, struct bs_error *err)
{
	int rc;

	r->sum->phase = SYNC_PHASE_PLAN;
	rc = progress(r, SYNC_PHASE_PLAN, err);
	if (rc == BS_OK)
		rc = plan_run(st, po, &r->sum->plan, err);
	if (rc != BS_OK || po->dry_run)
		return rc;
	r->sum->phase = SYNC_PHASE_SEND;
	if (first)
		rc = before_call(r, err);
	if (rc == BS_OK)
		rc = dispatch_run(st, d, &r->sum->sent, err);
	if (rc == BS_OK && r->stop != BS_OK) {
		if (err != NULL)
			*err = r->stop_err;
		rc = r->stop;
	}
	return rc;
}

int sync_run(struct store *st, const struct sync_run_opts *o, struct sync_summary *sum,
             struct bs_error *err)
{
	struct plan_opts po = {0};
	struct dispatch_opts d = {0};
	struct run r;
	bool have_session = false;
	const struct ledger_ops *ledger;
	struct rules_ledger rl;
	struct fleet *fleet = NULL; /* the app budget's connection, when run.c opens it */
	int rc;

	memset(&r, 0, sizeof(r));
	memset(sum, 0, sizeof(*sum));
	r.o = o;
	r.sum = sum;
	sum->phase = SYNC_PHASE_TARGET;
	rc = pick_target(&r, st, &po, err);
	if (rc != BS_OK)
		return rc;
	po.tab = o->tab;
	po.everything = o->everything;
	po.refs = o->refs;
	po.nrefs = o->nrefs;
	po.resync = o->resync;
	po.dry_run = o->dry_run;
	po.now_ms = o->now_ms();
	po.today = o->today;
	po.on_doc = on_doc;
	po.on_verdict = on_verdict;
	po.arg = &r;
	/* what the planner needs of the ledger (decimals, tax codes) comes from
	 * the target's connector, dry run or not */
	ledger = ledger_for_target(sum->target);
	if (ledger == NULL) {
		rc = bs_error_set(err, BS_EINVAL, "no connector for target %s", sum->target);
		goto out;
	}
	plan_ledger_of(ledger->caps, &rl);
	po.ledger = &rl;
	if (!o->dry_run) {
		/* the lock before the session: its token refresh must not race another's */
		sum->phase = SYNC_PHASE_LOCK;
		rc = synclock_take(&r.lock, st, sum->target, o->now_ms(), err);
		if (rc != BS_OK)
			goto out;
		sum->phase = SYNC_PHASE_SESSION;
		rc = session_open(&r.sess, st, o->db_path, sum->target, o->now_ms, err);
		have_session = true;
		if (rc != BS_OK)
			goto out;
		d.target = sum->target;
		d.ledger = r.sess.ledger;
		d.conn = r.sess.conn;
		d.gov = r.sess.gov; /* one governor per process: connect, sync, lookups */
		if (o->app_take != NULL) {
			d.app_take = o->app_take;
			d.app_arg = o->app_arg;
		} else if (ledger->caps->app_per_minute > 0 && o->db_path != NULL &&
		           store_path_is_pg(o->db_path)) {
			/* a PostgreSQL store is one of a fleet's (cmd_init registers
			 * it): its calls share the app's budget with the workers */
			sum->phase = SYNC_PHASE_SESSION;
			rc = fleet_open(o->db_path, &fleet, err);
			if (rc != BS_OK)
				goto out;
			d.app_take = fleet_sync_app_take;
			d.app_arg = fleet;
		}
		r.sess.pc.app_take = d.app_take; /* the session's own calls: token, reads */
		r.sess.pc.app_arg = d.app_arg;
		d.now_ms = now_cb;
		d.sleep_ms = sleep_cb;
		d.clock = &r;
		d.before_call = before_call;
		d.call_started = call_started;
		d.on_progress = on_sent;
		d.on_failure = on_failure;
		d.on_waiting = on_waiting;
		d.arg = &r;
	}
	rc = plan_and_send(&r, st, &po, &d, true, err);
	/* documents voided in the ledger were reset: plan and send them anew */
	if (rc == BS_OK && !o->dry_run && sum->sent.replanned > 0) {
		sum->sent.replanned = 0;
		rc = plan_and_send(&r, st, &po, &d, false, err);
	}
	if (rc == BS_OK)
		sum->phase = SYNC_PHASE_DONE;
out:
	if (have_session)
		session_close(&r.sess);
	synclock_release(&r.lock);
	fleet_close(fleet);
	return rc;
}
