/*
 * synclock.c - one sync of a target at a time (see synclock.h).
 */
#include "sync/synclock.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* gethostname, always NUL-terminated ("" when it fails). */
static void this_host(char *out, size_t cap)
{
	if (gethostname(out, cap) != 0)
		out[0] = '\0';
	out[cap - 1] = '\0';
}

/* A zombie has died but is not reaped yet: kill(pid, 0) still succeeds.
 * Linux tells by /proc/PID/stat's state; elsewhere none is seen. */
static bool is_zombie(pid_t pid)
{
	char path[64], line[512];
	const char *paren;
	FILE *f;
	bool z = false;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	/* "PID (COMM) S ...": COMM may hold ") ", so the last one counts */
	if (fgets(line, sizeof(line), f) != NULL && (paren = strrchr(line, ')')) != NULL)
		z = paren[1] == ' ' && paren[2] == 'Z';
	fclose(f);
	return z;
}

bool synclock_holder_gone(const struct store_lock *holder)
{
	char host[STORE_LOCK_HOST_MAX];

	this_host(host, sizeof(host));
	if (host[0] == '\0' || strcmp(host, holder->host) != 0)
		return false;
	if (holder->pid <= 0 || (int64_t)(pid_t)holder->pid != holder->pid)
		return true; /* no process has that pid */
	if (kill((pid_t)holder->pid, 0) == 0 || errno == EPERM)
		return is_zombie((pid_t)holder->pid);
	return errno == ESRCH;
}

static bool gone_cb(void *arg, const struct store_lock *holder)
{
	(void)arg;
	return synclock_holder_gone(holder);
}

int synclock_take(struct synclock *lk, struct store *st, const char *target, int64_t now_ms,
                  struct bs_error *err)
{
	unsigned char id[16];
	struct store_lock holder;
	int n, rc;

	memset(lk, 0, sizeof(*lk));
	lk->st = st;
	n = snprintf(lk->name, sizeof(lk->name), "sync:%s", target);
	if (n < 0 || (size_t)n >= sizeof(lk->name))
		return bs_error_set(err, BS_EINVAL, "target name too long for a lock: %s", target);
	randombytes_buf(id, sizeof(id));
	sodium_bin2hex(lk->me.owner, sizeof(lk->me.owner), id, sizeof(id));
	this_host(lk->me.host, sizeof(lk->me.host));
	lk->me.pid = (int64_t)getpid();
	lk->me.acquired_ms = now_ms;
	lk->me.expires_ms = now_ms + SYNCLOCK_LEASE_MS;
	memset(&holder, 0, sizeof(holder));
	rc = store_lock_take(st, lk->name, &lk->me, now_ms, gone_cb, NULL, &holder, err);
	if (rc == BS_EBUSY && holder.owner[0] != '\0') {
		int64_t for_s = (now_ms - holder.acquired_ms) / 1000;

		return bs_error_set(err, BS_EBUSY,
		                    "another sync of %s is running (process %lld on %s, for %lld "
		                    "s); try again when it has finished",
		                    target, (long long)holder.pid, holder.host,
		                    (long long)(for_s > 0 ? for_s : 0));
	}
	if (rc == BS_OK) {
		lk->held = true;
		lk->renewed_ms = now_ms;
	}
	return rc;
}

int synclock_renew(struct synclock *lk, int64_t now_ms, struct bs_error *err)
{
	struct store_lock holder;
	int rc;

	if (!lk->held || now_ms - lk->renewed_ms < SYNCLOCK_LEASE_MS / 4)
		return BS_OK;
	lk->me.expires_ms = now_ms + SYNCLOCK_LEASE_MS;
	memset(&holder, 0, sizeof(holder));
	rc = store_lock_take(lk->st, lk->name, &lk->me, now_ms, gone_cb, NULL, &holder, err);
	if (rc == BS_EBUSY && holder.owner[0] != '\0') {
		lk->held = false;
		return bs_error_set(err, BS_EBUSY,
		                    "this sync's lock lapsed and process %lld on %s took it over: "
		                    "stopping",
		                    (long long)holder.pid, holder.host);
	}
	/* the store busy for a moment: three quarters of the lease are left,
	 * the next call tries again */
	if (rc == BS_OK)
		lk->renewed_ms = now_ms;
	return BS_OK;
}

void synclock_release(struct synclock *lk)
{
	if (lk->held)
		store_lock_release(lk->st, lk->name, lk->me.owner, NULL);
	lk->held = false;
}
