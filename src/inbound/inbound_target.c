/*
 * inbound_target.c - a whole inbound run of one target (inbound.h
 * inbound_run_target): the lock, the session, and the run a page at a time
 * so the lock's lease and the token stay fresh through a long first import.
 */
#include "inbound/inbound.h"

#include "sync/session.h"
#include "sync/synclock.h"

#include <string.h>

int inbound_run_target(struct store *st, const char *db_path, const char *target,
                       int64_t (*now_ms)(void), int64_t max_pages, struct inbound_result *res,
                       struct bs_error *err)
{
	struct synclock lk;
	struct session s;
	bool have_session = false;
	int rc;

	memset(&lk, 0, sizeof(lk));
	memset(res, 0, sizeof(*res));
	rc = synclock_take(&lk, st, target, now_ms(), err);
	if (rc != BS_OK)
		goto out;
	rc = session_open(&s, st, db_path, target, now_ms, err);
	have_session = true;
	while (rc == BS_OK && !res->done && (max_pages <= 0 || res->pages < max_pages)) {
		struct inbound_result one = {0};

		rc = synclock_renew(&lk, now_ms(), err);
		if (rc == BS_OK)
			rc = session_refresh_if_needed(&s, err);
		if (rc == BS_OK)
			rc = inbound_run(&s, now_ms, 1, &one, err);
		res->pages += one.pages;
		res->read += one.read;
		res->applied += one.applied;
		res->skipped += one.skipped;
		res->failed += one.failed;
		res->ignored += one.ignored;
		res->reversed += one.reversed;
		res->done = rc == BS_OK && one.done;
	}
out:
	if (have_session)
		session_close(&s);
	synclock_release(&lk);
	return rc;
}
