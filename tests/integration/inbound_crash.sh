#!/bin/sh
# inbound_crash.sh - kill -9 during an inbound run (docs/inbound.md "Runs,
# pages and the mark"): 2,500 payments made in the Xero sandbox, each
# exactly paying one of booksync's invoices, read a slow page at a time;
# the run is killed after its first page committed, and the next run
# applies every payment exactly once: none twice (one decision and one
# event each), none skipped (every invoice paid), the mark at the end.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
N=2500

sb_start --limits off --state "$T/sb.state"
U=$SB_URL
fresh_store crash
node -e '
for (let i = 1; i <= Number(process.argv[1]); i++) {
	console.log(JSON.stringify({kind: "customer", id: "C-" + i, name: "Customer " + i}));
	console.log(JSON.stringify({kind: "sale", id: "SO-" + i, reference: "SO-" + i, customer_id: "C-" + i,
		date: "2026-11-01", invoiced: true, tax_mode: "none",
		lines: [{description: "x", qty: "1", unit_price: "25.00", tax_rate: "0"}]}));
}' $N >"$T/in.jsonl"
expect 0 "$B" import --quiet "$T/in.jsonl"
connect "$U"
bs_sync --everything
eq "sync" "$bs_rc" 0
expect 0 "$B" settings import_payments true
# events are kept only for a receiver (docs/events.md); none listens here
expect 0 "$B" settings events.url http://127.0.0.1:9/events
xlogin "$U"
sqlite3 "$BOOKSYNC_DB" "SELECT ledger_id FROM links WHERE ledger_type = 'Invoice'" >"$T/ids"
eq "invoices" "$(wc -l <"$T/ids" | tr -d ' ')" $N
node "$BS_LIB/xero_payments.js" "$U" "$X_TOK" "$X_TEN" $N "$T/ids" 25.00 || bad "payments not made"

# every API call slow now: the run spends seconds per page
sb_stop
SB_LISTEN=${U#http://} sb_start --limits off --state "$T/sb.state" --faults rate=1,kinds=slow,slow-ms=1500
"$B" inbound --once >"$T/run1.out" 2>&1 &
run=$!
i=0
while [ "$(sqlite3 "$BOOKSYNC_DB" 'SELECT COUNT(*) FROM inbound_payments' 2>/dev/null || echo 0)" -eq 0 ] &&
	[ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -9 $run 2>/dev/null
wait $run 2>/dev/null
first=$(sqlite3 "$BOOKSYNC_DB" 'SELECT COUNT(*) FROM inbound_payments')
case $first in 0 | $N) bad "killed run decided $first of $N: not mid-run" ;; *) ok ;; esac
echo "# killed after $first of $N decided"
eq "the page and its events together" "$(sqlite3 "$BOOKSYNC_DB" 'SELECT COUNT(*) FROM events')" "$first"

sb_stop
SB_LISTEN=${U#http://} sb_start --limits off --state "$T/sb.state"
expect 0 "$B" inbound --once
q() { sqlite3 "$BOOKSYNC_DB" "$1"; }
eq "every payment decided once" "$(q 'SELECT COUNT(*) FROM inbound_payments')" $N
eq "every one applied" "$(q "SELECT COUNT(*) FROM inbound_payments WHERE state = 'applied'")" $N
eq "every invoice paid once" "$(q "SELECT COUNT(DISTINCT sale) FROM inbound_payments")" $N
eq "one event each" "$(q "SELECT COUNT(*) FROM events WHERE type = 'payment.applied'")" $N
eq "no event twice for a payment" \
	"$(q "SELECT COUNT(*) FROM (SELECT json_extract(data, '\$.ledger_payment_id') p FROM events GROUP BY p HAVING COUNT(*) > 1)")" 0
expect 0 "$B" inbound --once
has "$T/out" "0 applied, 0 skipped, 0 failed"
finish
