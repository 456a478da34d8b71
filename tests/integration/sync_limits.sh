#!/bin/sh
# sync_limits.sh - the rate governor against a sandbox with tight limits
# (docs/mapping-xero.md §1; src/sync/governor.h: "A 429 is a bug in the governor; it is
# still handled").  Time is scaled 60x on both sides: a "minute" is a second.
#  1. booksync told the real limits: it stays under them, no 429, right after
#     the calls `connect` made and right after another sync.
#  2. another client uses the same tenant's minute: the sync still completes
#     (paced by the headers, or 429s waited out), counts what the ledger
#     counted, and the ledger ends up exactly as without limits.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"

cp "$(dirname "$0")/lib/kinds.jsonl" "$T/kinds.jsonl"
LIM=minute=5,concurrent=2,time-scale=60
limited() { curl -s "$1/sandbox/counters" | jv 'j.tenants.reduce((s, t) => s + t.rate_limited, 0)'; }

# --- reference ledger without limits ------------------------------------------------
sb_start --limits off
fresh_store ref
expect 0 "$B" import "$T/kinds.jsonl"
connect "$SB_URL"
bs_sync --everything
eq "reference sync" "$bs_rc" 0
xlogin "$SB_URL"
fingerprint >"$T/ref.txt"
sb_stop

# --- 1. told the truth: never a 429 ----------------------------------------------------
sb_start --limits "$LIM"
U=$SB_URL
fresh_store told
expect 0 "$B" import "$T/kinds.jsonl"
expect 0 "$B" settings limits.per_minute 5
expect 0 "$B" settings limits.concurrent 2
expect 0 "$B" settings limits.time_scale 60
connect "$U"
# straight after connect's five calls, in the same (scaled) minute
bs_sync --tab customers
eq "[told] customers synced" "$bs_rc" 0
eq "[told] 429s right after connect" "$(limited "$U")" 0
# straight after another sync (the window clear of connect's calls first)
sleep 1.2
before=$(limited "$U")
bs_sync --tab invoices
eq "[told] invoices synced" "$bs_rc" 0
bs_sync --everything
eq "[told] everything synced" "$bs_rc" 0
eq "[told] 429s right after a sync" "$(($(limited "$U") - before))" 0
eq "[told] booksync saw no 429" "$(jv j.rate_limited <"$T/sync.json")" 0
sleep 1.2
xlogin "$U"
fingerprint >"$T/told.txt"
if cmp -s "$T/ref.txt" "$T/told.txt"; then ok; else
	bad "[told] the ledger differs from the reference (< reference, > limited):"
	diff "$T/ref.txt" "$T/told.txt" | grep '^[<>]' | cut -c1-200 | head -20 >&2
fi
sb_stop

# --- connect itself under a limit smaller than its own calls ---------------------------
# (an organisation with many contacts and items reads many pages on connect)
sb_start --limits minute=3,time-scale=60
fresh_store connect3
expect 0 "$B" settings limits.per_minute 3
expect 0 "$B" settings limits.time_scale 60
expect 0 "$B" connect xero --base-url "$SB_URL" </dev/null &&
	has "$T/out" "Connected to"
sb_stop

# --- 2. another client eats the same tenant's minute: 429s booksync cannot foresee ---
# are waited out (Retry-After) and the ledger ends up exactly as without limits.
sb_start --limits "$LIM"
U=$SB_URL
fresh_store busy
expect 0 "$B" import "$T/kinds.jsonl"
expect 0 "$B" settings limits.per_minute 5
expect 0 "$B" settings limits.concurrent 2
expect 0 "$B" settings limits.time_scale 60
connect "$U"
xlogin "$U"
# a noisy neighbour: a GET every 50 ms for as long as the sync runs
(while :; do xget Organisation >/dev/null 2>&1; sleep 0.05; done) &
noisy=$!
echo "$noisy" >>"$T/pids"
bs_sync --everything
kill "$noisy" 2>/dev/null
eq "[busy] everything synced despite 429s" "$bs_rc" 0
# booksync paces itself by the X-MinLimit-Remaining it reads, so whether it
# meets a 429 here depends on timing; what it reports must match the ledger.
n=$(jv j.rate_limited <"$T/sync.json")
echo "[busy] booksync met $n 429s"
eq "[busy] its 429s are the sandbox's 429s on writes" \
	"$(curl -s "$U/sandbox/log" | jv 'j.entries.filter(e => e.status == 429 && e.method != "GET").length')" "$n"
sleep 1.2
fingerprint >"$T/busy.txt"
if cmp -s "$T/ref.txt" "$T/busy.txt"; then ok; else
	bad "[busy] the ledger differs from the reference (< reference, > limited):"
	diff "$T/ref.txt" "$T/busy.txt" | grep '^[<>]' | cut -c1-200 | head -20 >&2
fi

finish
