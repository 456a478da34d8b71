/*
 * oauth2_due.c - when an access token should be refreshed (see oauth2.h).
 *
 * Pure, apart from oauth2_token.c because it is a decision, not a call.  The
 * margin is there so a token does not expire between the check and the
 * call that uses it (a governor wait, a slow answer); both shrink with the
 * time scale.  The lifetime cap matters when the margin would outlast the
 * token: a sandbox at time scale 20 issues 90-second tokens, and a fixed
 * two-minute margin refreshed before every call.
 */
#include "ledger/oauth2/oauth2.h"

bool oauth2_refresh_due(const struct ledger_tokens *t, int64_t now_ms, int time_scale)
{
	int64_t margin = OAUTH2_REFRESH_MARGIN_MS / (time_scale > 1 ? time_scale : 1);
	int64_t life = t->expires_at_ms - t->issued_at_ms;

	if (t->issued_at_ms > 0 && life > 0 && margin > life / 4)
		margin = life / 4;
	return t->expires_at_ms - now_ms <= margin;
}
