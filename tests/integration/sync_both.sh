#!/bin/sh
# sync_both.sh - one store connected to the Xero sandbox and the QuickBooks
# Online sandbox at once: the sample month synced into each, state kept per
# target (a sync of one leaves the other's pending as it was), both ledgers
# holding the same invoices at the same totals, and a changed record updated
# in each ledger in place, once.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u
. "$(dirname "$0")/lib/qbo_lib.sh"
EX=$BS_SRC/examples

qbo_node
sb_start --limits minute=60,day=5000,concurrent=5,app-minute=10000,time-scale=60
XU=$SB_URL
qsb_start --limits minute=500,concurrent=10,batch-minute=40,time-scale=60
QU=$QSB_URL

fresh_store both
expect 0 "$B" import "$EX"/*.csv "$EX"/*.jsonl
connect "$XU"
qconnect "$QU"
expect 0 "$B" settings limits.time_scale 60
sqlite3 "$BOOKSYNC_DB" "SELECT id FROM targets ORDER BY id" >"$T/targets"
XT=$(grep '^xero:' "$T/targets")
QT=$(grep '^qbo:' "$T/targets")
eq "two targets" "$(wc -l <"$T/targets" | tr -d ' ')" 2
# state TARGET STATE: how many records are in STATE on TARGET
state() {
	sqlite3 "$BOOKSYNC_DB" "SELECT count(*) FROM sync_state WHERE target = '$1' AND state = '$2'"
}

# without --target, a sync must not guess between two ledgers
"$B" sync --everything >"$T/out" 2>"$T/err"
eq "sync without --target: usage error" "$?" 2

bs_sync --everything --target "$XT"
eq "xero: exit" "$bs_rc" 0
eq "xero: posted" "$(jv j.posted <"$T/sync.json")" 1962
eq "qbo untouched: nothing imported" "$(state "$QT" imported)" 0
"$B" pending --target "$QT" --json >"$T/pq.json"
eq "qbo: all 1,991 still pending" "$(jv j.total <"$T/pq.json")" 1991

bs_sync --everything --target "$QT"
eq "qbo: exit" "$bs_rc" 0
eq "qbo: posted" "$(jv j.posted <"$T/sync.json")" 1950
eq "qbo: failed" "$(jv j.failed <"$T/sync.json")" 0
eq "xero imported" "$(state "$XT" imported)" 1962
eq "qbo imported" "$(state "$QT" imported)" 1950
# Xero takes open orders as purchase orders; QBO only with upload_po_as_qbo_po
eq "open orders waiting on qbo only" \
	"$(sqlite3 "$BOOKSYNC_DB" "SELECT count(*) FROM sync_state s JOIN records r ON r.rowid = s.record
		WHERE s.target = '$QT' AND s.state = 'waiting' AND r.kind = 6")" 13

# the same invoices at the same totals in both ledgers
node "$BS_LIB/read_ledger.js" "$XU" "$T/x.json" Invoices || bad "reading Xero back"
qread "$QU" "$T/q.json" Invoice
node -e '
const fs = require("fs");
const x = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).invoices.filter((i) => i.Type === "ACCREC");
const q = JSON.parse(fs.readFileSync(process.argv[2], "utf8")).invoice;
const qt = new Map(q.map((i) => [i.PrivateNote, Number(i.TotalAmt).toFixed(2)]));
const diff = x.filter((i) => qt.get(i.Reference) !== Number(i.Total).toFixed(2));
console.log(`${x.length} ${q.length} ${diff.length} ${diff.slice(0, 3).map((i) => i.Reference + ":" + i.Total + "/" + qt.get(i.Reference)).join(" ")}`);
' "$T/x.json" "$T/q.json" >"$T/cmp"
read -r nx nq ndiff rest <"$T/cmp"
eq "invoices in Xero" "$nx" 574
eq "invoices in QBO" "$nq" 574
eq "invoices whose totals differ between the ledgers ($rest)" "$ndiff" 0

# a changed sale: changed on both targets; a sync of one updates that one only
# SO-1151: 25 x 1.234567 (35.49 with GST, unpaid) becomes 30 x 1.234567:
# 37.04 + 5.56 = 42.60
sed -n '/"id":"SO-1151"/p' "$EX/sales.jsonl" |
	sed 's/"id":"SO-1151",/"id":"SO-1151","version":1,/; s/"qty":25,/"qty":30,/; s/"total":35.49/"total":42.60/' >"$T/change.jsonl"
expect 0 "$B" import "$T/change.jsonl"
bs_sync --tab invoices --target "$QT"
eq "qbo: the change posted" "$(jv j.posted <"$T/sync.json")" 1
"$B" pending --target "$XT" --tab invoices --json >"$T/px.json"
eq "xero: the change still pending" "$(jv "JSON.stringify(j.rows).includes('SO-1151')" <"$T/px.json")" true
bs_sync --tab invoices --target "$XT"
eq "xero: the change posted" "$(jv j.posted <"$T/sync.json")" 1
node "$BS_LIB/read_ledger.js" "$XU" "$T/x2.json" Invoices || bad "reading Xero back"
qread "$QU" "$T/q2.json" Invoice
eq "xero: SO-1151 once, updated" \
	"$(jv "j.invoices.filter(i => i.Reference == 'SO-1151').map(i => c(i.Total)).join()" <"$T/x2.json")" 42.60
eq "qbo: SO-1151 once, updated" \
	"$(qj "$T/q2.json" "j.invoice.filter(i => i.PrivateNote == 'SO-1151').map(i => c(i.TotalAmt)).join()")" 42.60
eq "qbo: still 574 invoices" "$(qj "$T/q2.json" 'j.invoice.length')" 574
finish
