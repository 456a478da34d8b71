/*
 * cmd_worker.c - `booksync worker`: sync the due targets of every store in
 * a PostgreSQL database, N at a time, beside other workers on this and
 * other machines (fleet/fleet.h, docs/scale-out.md).
 *
 * Each of N threads has its own connections: it claims the most overdue
 * target whose lease has ended, opens that target's store, runs Sync All
 * on it (sync_run, as `booksync sync` and serve's schedule do) and hands
 * it back due again in --every.  A heartbeat thread renews the leases held
 * every third of a lease, whatever the syncs are doing: a sync may wait on
 * the ledger's limits far longer than a lease, and only a dead process
 * should lose its targets.
 * Every ledger call of a Xero target takes a slot of the app-wide budget
 * first, so the workers together keep under Xero's calls a minute for the
 * app.  A worker killed with SIGKILL loses nothing: its targets' leases
 * end and another worker claims them, and the outbox makes the second try
 * post nothing twice (docs/exactly-once.md).
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "fleet/fleet.h"
#include "store/store.h"
#include "sync/run.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int cmd_worker_exec(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_cmd cmd_worker_entry = {
    "worker",
    "sync every store of a PostgreSQL database, beside other workers",
    "usage: booksync --db postgresql://... worker [--concurrency N] [--every SECONDS]\n"
    "                                              [--lease SECONDS] [--once] [--status]\n"
    "\n"
    "Syncs the targets of every store in the database (each 'booksync init' on a\n"
    "postgresql://...?schema=NAME address registers its store), N at a time.  Run\n"
    "as many workers on as many machines as you like against one database: each\n"
    "target is synced by one worker at a time (a lease in the database, renewed\n"
    "while it syncs), a killed worker's targets go to another once its lease ends,\n"
    "and Xero's app-wide calls a minute are shared by all of them.  Each run is\n"
    "Sync All, as the dashboard's button.  The credentials' key: $BOOKSYNC_KEY_FILE,\n"
    "the same file on every machine.  SIGTERM or SIGINT stop it once the running\n"
    "syncs end.\n"
    "\n"
    "Options:\n"
    "  --concurrency N   targets synced at once by this worker (default 4, 1..64)\n"
    "  --every SECONDS   how soon a synced target is due again (default 300)\n"
    "  --lease SECONDS   how long a claim lasts unless renewed (default 60): how\n"
    "                    soon a dead worker's targets are taken over\n"
    "  --once            stop when no target is due or being synced\n"
    "  --status          print every target's lease and exit\n"
    "\n"
    "Exit: 0 done or stopped, 1 some syncs failed (--once), 2 usage error,\n"
    "4 database error.\n",
    cmd_worker_exec,
};

#define WORKER_MAX 64

/* A thread's claim, as the heartbeat sees it. */
struct slot {
	pthread_mutex_t mu;
	bool active;
	struct fleet_lease lease;
};

struct worker {
	const char *url;
	int64_t every_ms, lease_ms;
	bool once;
	atomic_bool stop;
	char id[24];         /* this process's random id: owners are id/thread */
	pthread_mutex_t out; /* one line at a time on stdout */
	atomic_int failed_runs, fatal;
	atomic_llong posted, failed, calls, app_waits;
	atomic_int running; /* sync threads not yet ended */
	struct slot slots[WORKER_MAX];
};

/* What one thread keeps while it syncs a claimed target. */
struct job {
	struct worker *w;
	struct fleet *f;
	struct fleet_lease lease;
};

static int64_t now_ms(void)
{
	return cli_now_ms();
}

static void nap_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The heartbeat: every third of a lease, renew every lease held. */
static void *heartbeat_main(void *arg)
{
	struct worker *w = arg;
	struct fleet *f = NULL;
	struct bs_error err;

	if (fleet_open(w->url, &f, &err) != BS_OK)
		return NULL; /* the leases then run out: another worker retries */
	while (atomic_load(&w->running) > 0) {
		for (int64_t t = 0; t < w->lease_ms / 3 && atomic_load(&w->running) > 0; t += 50)
			nap_ms(50);
		for (int i = 0; i < WORKER_MAX; i++) {
			struct fleet_lease l;
			bool active;

			pthread_mutex_lock(&w->slots[i].mu);
			active = w->slots[i].active;
			l = w->slots[i].lease;
			pthread_mutex_unlock(&w->slots[i].mu);
			/* a lease lost meanwhile stays lost: the store's sync lock
			 * keeps a second sync of the target out */
			if (active)
				fleet_renew(f, &l, w->lease_ms, &err);
		}
	}
	fleet_close(f);
	return NULL;
}

/* Publish (or, NULL, withdraw) thread i's claim for the heartbeat. */
static void slot_set(struct worker *w, int i, const struct fleet_lease *l)
{
	pthread_mutex_lock(&w->slots[i].mu);
	w->slots[i].active = l != NULL;
	if (l != NULL)
		w->slots[i].lease = *l;
	pthread_mutex_unlock(&w->slots[i].mu);
}

/*
 * A slot of Xero's app-wide budget (struct paced's app_take).  The window
 * is a twentieth longer than the ledger's: a call is counted when its slot
 * is taken and reaches the ledger a little later.  A database failure lets
 * the call go: this process's governor still paces its own share.
 */
static int64_t app_take(void *arg, int per_minute, int time_scale)
{
	struct job *j = arg;
	int64_t window = 60000 / (time_scale > 0 ? time_scale : 1), wait = 0;
	struct bs_error err;

	if (per_minute <= 0)
		return 0;
	if (fleet_app_take(j->f, "xero", per_minute, window + window / 20, &wait, &err) != BS_OK)
		return 0;
	if (wait > 0)
		atomic_fetch_add(&j->w->app_waits, 1);
	return wait;
}

/* Sync the claimed target; the result's words into result[cap]. */
static int run_one(struct job *j, char *result, size_t cap)
{
	struct sync_run_opts o = {0};
	struct sync_summary sum;
	struct store *st = NULL;
	struct bs_error err;
	char path[1024];
	uint64_t failed;
	int rc;

	memset(&sum, 0, sizeof(sum));
	if (fleet_store_url(j->w->url, j->lease.store, path, sizeof(path)) != BS_OK) {
		snprintf(result, cap, "the store's address is too long");
		return BS_EINVAL;
	}
	rc = store_open(path, 0, &st, &err);
	if (rc == BS_OK) {
		o.db_path = path;
		o.target = j->lease.target;
		o.now_ms = now_ms;
		if (strncmp(j->lease.target, "xero:", 5) == 0) {
			o.app_take = app_take;
			o.app_arg = j;
		}
		rc = sync_run(st, &o, &sum, &err);
	}
	store_close(st);
	failed = sum.sent.failed + sum.plan.failed;
	atomic_fetch_add(&j->w->posted, (long long)sum.sent.posted);
	atomic_fetch_add(&j->w->failed, (long long)failed);
	atomic_fetch_add(&j->w->calls, (long long)sum.sent.calls);
	if (rc == BS_OK)
		snprintf(result, cap, "ok: posted %llu, failed %llu, calls %llu",
		         (unsigned long long)sum.sent.posted, (unsigned long long)failed,
		         (unsigned long long)sum.sent.calls);
	else
		snprintf(result, cap, "error: %.400s", err.msg);
	return rc;
}

struct thread_arg {
	struct worker *w;
	int index;
};

static void *thread_main(void *arg)
{
	struct thread_arg *ta = arg;
	struct worker *w = ta->w;
	struct job j = {.w = w};
	struct bs_error err;
	char owner[64], result[512];
	int misses = 0;

	snprintf(owner, sizeof(owner), "%s/%d", w->id, ta->index);
	if (fleet_open(w->url, &j.f, &err) != BS_OK) {
		pthread_mutex_lock(&w->out);
		fprintf(stderr, "booksync worker: %s\n", err.msg);
		pthread_mutex_unlock(&w->out);
		atomic_store(&w->fatal, 1);
		return NULL;
	}
	while (!atomic_load(&w->stop)) {
		int64_t next_in = -1, added = 0, busy = 0;
		int rc = fleet_claim(j.f, owner, w->lease_ms, &j.lease, &next_in, &err);

		if (rc == BS_ENOTFOUND) {
			/* nothing due: once, stop when nothing is running either */
			if (w->once && (fleet_busy(j.f, &busy, &err) != BS_OK || busy == 0))
				break;
			/* a store or target added since: now and then, thread 0 */
			if (ta->index == 0 && ++misses % 10 == 0)
				fleet_refresh(j.f, &added, &err);
			nap_ms(next_in >= 0 && next_in < 1000 ? (next_in > 50 ? next_in : 50)
			                                      : 1000);
			continue;
		}
		if (rc != BS_OK) {
			pthread_mutex_lock(&w->out);
			fprintf(stderr, "booksync worker: %s\n", err.msg);
			pthread_mutex_unlock(&w->out);
			atomic_store(&w->fatal, 1);
			break;
		}
		slot_set(w, ta->index, &j.lease);
		rc = run_one(&j, result, sizeof(result));
		if (rc != BS_OK)
			atomic_fetch_add(&w->failed_runs, 1);
		pthread_mutex_lock(&w->out);
		printf("%s %s: %s\n", j.lease.store, j.lease.target, result);
		fflush(stdout);
		pthread_mutex_unlock(&w->out);
		/* a failed run is tried again in a minute, not a whole --every
		 * (--once: not again) */
		fleet_release(j.f, &j.lease, rc == BS_OK || w->once ? w->every_ms : 60000, result,
		              &err);
		slot_set(w, ta->index, NULL);
	}
	fleet_close(j.f);
	atomic_fetch_sub(&w->running, 1);
	return NULL;
}

static int print_row(void *arg, const struct fleet_row *r)
{
	(void)arg;
	printf("%-24s %-48s %-20s %6lld runs  due %+lld s  %s\n", r->store, r->target,
	       r->owner[0] != '\0' ? r->owner : "idle", (long long)r->runs,
	       (long long)(r->due_in_ms / 1000), r->result);
	return 0;
}

/* A whole number in [lo, hi] from text, into *v. */
static bool whole(const char *text, long lo, long hi, int64_t *v)
{
	char *end = NULL;
	long n = strtol(text, &end, 10);

	if (end == text || *end != '\0' || n < lo || n > hi)
		return false;
	*v = n;
	return true;
}

static int cmd_worker_exec(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"concurrency", required_argument, NULL, 'c'},
	    {"every", required_argument, NULL, 'e'},
	    {"lease", required_argument, NULL, 'l'},
	    {"once", no_argument, NULL, 'o'},
	    {"status", no_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	struct worker w = {.url = ctx->db_path};
	struct thread_arg *ta = NULL;
	pthread_t *th = NULL, hb;
	struct fleet *f = NULL;
	struct bs_error err;
	int64_t n = 4, every_s = 300, lease_s = 60, added = 0;
	unsigned char rnd[8];
	bool status = false;
	sigset_t set;
	int opt, rc = CLI_OK, started = 0;
	bool beating = false;

	if (cli_wants_help(&cmd_worker_entry, argc, argv))
		return CLI_OK;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (!whole(optarg, 1, 64, &n))
				return cli_usage_error(&cmd_worker_entry,
				                       "--concurrency takes 1 to 64, not '%s'",
				                       optarg);
			break;
		case 'e':
			if (!whole(optarg, 1, 86400 * 7, &every_s))
				return cli_usage_error(
				    &cmd_worker_entry,
				    "--every takes seconds, 1 to a week, not '%s'", optarg);
			break;
		case 'l':
			if (!whole(optarg, 2, 3600, &lease_s))
				return cli_usage_error(&cmd_worker_entry,
				                       "--lease takes seconds, 2 to 3600, not '%s'",
				                       optarg);
			break;
		case 'o':
			w.once = true;
			break;
		case 's':
			status = true;
			break;
		default:
			return cli_usage_error(&cmd_worker_entry, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_worker_entry, "unexpected argument '%s'", argv[optind]);
	w.every_ms = every_s * 1000;
	w.lease_ms = lease_s * 1000;
	if (!store_path_is_pg(ctx->db_path))
		return cli_usage_error(
		    &cmd_worker_entry,
		    "workers share a PostgreSQL database: --db postgresql://...");
	if (fleet_open(ctx->db_path, &f, &err) != BS_OK ||
	    fleet_refresh(f, &added, &err) != BS_OK ||
	    (status && fleet_each(f, print_row, NULL, &err) != BS_OK)) {
		fleet_close(f);
		return cli_fail(&cmd_worker_entry, err.code, err.msg);
	}
	fleet_close(f);
	if (status)
		return CLI_OK;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(w.id, sizeof(w.id), rnd, sizeof(rnd));
	pthread_mutex_init(&w.out, NULL);
	for (int i = 0; i < WORKER_MAX; i++)
		pthread_mutex_init(&w.slots[i].mu, NULL);
	/* the id owners are named by (worker --status): which process holds what */
	fprintf(stderr, "booksync worker %s: %lld at a time\n", w.id, (long long)n);
	if (!w.once)
		cli_stop_signals_block(&set);
	th = calloc((size_t)n, sizeof(*th));
	ta = calloc((size_t)n, sizeof(*ta));
	if (th == NULL || ta == NULL) {
		rc = cli_fail(&cmd_worker_entry, BS_ENOMEM, "out of memory");
		goto out;
	}
	atomic_store(&w.running, (int)n);
	for (; started < n; started++) {
		ta[started] = (struct thread_arg){&w, started};
		if (pthread_create(&th[started], NULL, thread_main, &ta[started]) != 0)
			break;
	}
	atomic_fetch_sub(&w.running, (int)n - started); /* those that never started */
	beating = pthread_create(&hb, NULL, heartbeat_main, &w) == 0;
	if (!w.once) {
		cli_stop_signals_wait(&set);
		atomic_store(&w.stop, true);
	}
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (beating)
		pthread_join(hb, NULL);
	if (w.once)
		printf("worker: posted %lld, failed %lld, calls %lld, %d failed runs, "
		       "%lld waits for the app's budget\n",
		       (long long)atomic_load(&w.posted), (long long)atomic_load(&w.failed),
		       (long long)atomic_load(&w.calls), atomic_load(&w.failed_runs),
		       (long long)atomic_load(&w.app_waits));
	if (atomic_load(&w.fatal))
		rc = CLI_STORE;
	else if (w.once && (atomic_load(&w.failed_runs) > 0 || atomic_load(&w.failed) > 0))
		rc = CLI_REJECTED;
out:
	free(th);
	free(ta);
	for (int i = 0; i < WORKER_MAX; i++)
		pthread_mutex_destroy(&w.slots[i].mu);
	pthread_mutex_destroy(&w.out);
	return rc;
}
