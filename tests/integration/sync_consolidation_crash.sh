#!/bin/sh
# sync_consolidation_crash.sh - SIGKILL booksync during consolidated syncs:
# no consolidated document is posted twice and no member is lost
# (docs/consolidation.md "How it is posted exactly once").
#
# Three channels, daily consolidation of invoices, COGS and payments,
# 2,700 sales over three days.  Ten syncs are killed after 120..950 ms (a
# fixed sequence, so a failure reproduces; at least three must cut a sync
# short).  Every ledger call takes 300 ms (the
# sandbox's `slow` fault), so a sync outlasts the kills on an idle machine
# as on a loaded one, then syncs run unkilled until nothing is pending.  Asserts, from the sandbox: every consolidated Reference once;
# the invoices total the sales and the payments total the payments, to the
# cent; every member listed by `consolidated` exactly once.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
. "$(dirname "$0")/lib/history_whole.sh"
GEN="node $(dirname "$0")/lib/cons_gen.js"

cat >"$T/all.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"product","id":"P-1","sku":"W-1","name":"Widget","type":"product","category":"Gadgets"}
J
for d in 1 2 3; do
	for ch in A B C; do
		$GEN "$T/g.jsonl" "$ch$d" "2026-10-0$d" 300 "Shop$ch" Main pay
		cat "$T/g.jsonl" >>"$T/all.jsonl"
	done
done
sb_start --limits off --faults rate=1,seed=1,kinds=slow,slow-ms=300
fresh_store crash
expect 0 "$B" import "$T/all.jsonl"
connect "$SB_URL"
expect 0 "$B" settings consolidation.enabled true
for t in invoices cogs payments; do
	expect 0 "$B" settings "consolidation.channel.*.$t" daily
done

cut=0
for ms in 120 610 290 950 450 180 780 520 330 870; do
	timeout -s KILL "0.$(printf '%03d' "$ms")" "$B" sync --everything --today 2026-10-04 \
		>/dev/null 2>&1
	# 137: the sync was still running when it was killed
	[ $? -eq 137 ] && cut=$((cut + 1))
done
echo "# $cut of 10 kills cut a sync short"
[ "$cut" -ge 3 ] && ok || bad "only $cut kills cut a sync short: the test proves little"
i=0
while [ $i -lt 6 ]; do
	bs_sync --everything --today 2026-10-04
	[ "$bs_rc" -eq 0 ] || bad "sync after the kills exited $bs_rc"
	i=$((i + 1))
done
expect 0 "$B" pending --tab sales
lacks "$T/out" "not_imported"
lacks "$T/out" "queued"
eq "history whole: broken moves, wrong last moves, rows held" "$(history_whole)" "0 0 0"

xlogin "$SB_URL"
xget Invoices >"$T/inv.json"
xget Payments >"$T/pay.json"
refs=$(jv 'j.Invoices.filter(i => i.Type == "ACCREC").map(i => i.Reference)' <"$T/inv.json")
eq "each consolidated invoice once" "$(echo "$refs" | jv 'j.length')" "$(echo "$refs" | jv 'new Set(j).size')"
eq "nine daily invoices (3 channels x 3 days)" "$(echo "$refs" | jv 'j.length')" 9
want=$(node -e '
let s = 0, p = 0; for (const l of require("fs").readFileSync(process.argv[1], "utf8").split("\n")) {
  if (!l) continue; const r = JSON.parse(l);
  if (r.kind == "sale") for (const x of r.lines) { const a = Math.round(Number(x.qty) * Number(x.unit_price) * 100); s += a + Math.round(a * 0.15); }
  if (r.kind == "payment") p += Math.round(Number(r.amount) * 100);
}
console.log((s / 100).toFixed(2) + " " + (p / 100).toFixed(2));' "$T/all.jsonl")
eq "invoices total the sales" "$(jv 'c(sum(j.Invoices.filter(i => i.Type == "ACCREC"), i => i.Total))' <"$T/inv.json")" "${want% *}"
eq "payments total the payments" "$(jv 'c(sum(j.Payments, p => p.Amount))' <"$T/pay.json")" "${want#* }"
expect 0 "$B" consolidated --csv
eq "every member listed once" "$(tail -n +2 "$T/out" | cut -d, -f1 | sort -u | wc -l)" \
	"$(grep -c '"kind":"\(sale\|payment\|cogs\)"' "$T/all.jsonl")"
eq "no member twice" "$(tail -n +2 "$T/out" | cut -d, -f1 | sort | uniq -d | wc -l)" 0
finish
