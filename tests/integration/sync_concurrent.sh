#!/bin/sh
# sync_concurrent.sh - one sync of a target at a time (sync/synclock.h).
# Three `sync`s started at once against a slow ledger: one posts, the others
# exit 4 at once saying another sync is running, and none lists a failure
# for a document the other posted; the ledger holds exactly what one sync
# alone makes (compared with a reference ledger), `errors` has nothing.  A
# dry run needs no lock; a sync killed with SIGKILL does not block the next.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
S=${BS_SOURCE_DIR:?BS_SOURCE_DIR must name the source tree}

# the reference: the examples synced alone, on a quick ledger
sb_start --limits off
REF=$SB_URL
fresh_store ref
expect 0 "$B" import "$S"/examples/*.csv "$S"/examples/*.jsonl
connect "$REF"
bs_sync
eq "reference sync" "$bs_rc" 0

# every API call takes 200 ms: a Sync All of the examples lasts seconds
sb_start --limits off --faults rate=1,seed=1,kinds=slow,slow-ms=200
U=$SB_URL
fresh_store conc
expect 0 "$B" import "$S"/examples/*.csv "$S"/examples/*.jsonl
connect "$U"

# --- three at once ------------------------------------------------------------
for i in 1 2 3; do
	"$B" sync --json >"$T/c$i.json" 2>"$T/c$i.err" &
	eval "pid$i=\$!"
done
sleep 1
# meanwhile: a dry run writes nothing and needs no lock; a resync waits its turn
expect 0 "$B" sync --dry-run
has "$T/out" "nothing was sent or saved"
expect 4 "$B" resync sale:SO-1001
has "$T/err" "another sync of xero:"
wins=0
losses=0
for i in 1 2 3; do
	eval "wait \$pid$i"
	rc=$?
	case $rc in
	0)
		wins=$((wins + 1))
		eq "sync $i: nothing failed" "$(jv 'j.failed + " " + j.errors.length' <"$T/c$i.json")" "0 0"
		;;
	4)
		losses=$((losses + 1))
		has "$T/c$i.err" "another sync of xero:"
		has "$T/c$i.err" "is running"
		lacks "$T/c$i.err" "must be unique"
		eq "sync $i: a loser prints no summary" "$(wc -c <"$T/c$i.json" | tr -d ' ')" 0
		;;
	*)
		bad "sync $i exited $rc, want 0 (it posted) or 4 (another was running)"
		sed 's/^/  err: /' "$T/c$i.err" | head -5 >&2
		;;
	esac
done
eq "one sync posted" "$wins" 1
eq "two were turned away" "$losses" 2
expect 0 "$B" errors
has "$T/out" "0 records in error"
bs_sync
eq "a sync after: nothing left, nothing failed" "$bs_rc $(jv 'j.posted + " " + j.failed' <"$T/sync.json")" "0 0 0"
xlogin "$REF"
fingerprint >"$T/ref.fp"
xlogin "$U"
fingerprint >"$T/conc.fp"
if cmp -s "$T/ref.fp" "$T/conc.fp"; then ok; else
	bad "the ledger differs from one sync alone's"
	diff "$T/ref.fp" "$T/conc.fp" | head -10 >&2
fi

# --- a sync killed mid-way does not block the next ------------------------------
"$B" sync --everything --json >"$T/k.json" 2>"$T/k.err" &
kpid=$!
sleep 1
kill -9 "$kpid"
wait "$kpid"
eq "killed mid-sync" "$?" 137
bs_sync --everything
eq "the next sync runs at once" "$bs_rc" 0
lacks "$T/sync.err" "another sync"
eq "and finishes the work, failing nothing" "$(jv 'j.failed + " " + (j.posted > 0)' <"$T/sync.json")" "0 true"
eq "no document twice" "$(xq Invoices 'j.Invoices.length - new Set(j.Invoices.map(i => i.InvoiceNumber)).size')" 0

finish
