#!/bin/sh
# sync_consolidation_month.sh - a month of sales across three channels
# (two daily, one monthly), with payments and COGS, consolidated into the
# Xero sandbox (issue 11, docs/consolidation.md).  Read back through the
# API: every consolidated invoice, payment and COGS journal equals the sum
# of its members to the cent, each member's date falls in its document's
# period, and no member is in two documents.
#
# CONS_MONTH_SALES sales over October 2026, spread over the channels
# Web(A), Web(B) (daily) and Market(C) (monthly); each sale has a payment
# and a COGS record.  The default, 20,000, keeps `make check` short on a
# shared machine; CONS_MONTH_SALES=100000 is issue 11's month (about six
# minutes on two busy cores; its result is in bench/RESULTS.md).
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
N=${CONS_MONTH_SALES:-20000}

node -e '
const n = Number(process.argv[1]);
const w = process.stdout;
w.write(JSON.stringify({kind: "customer", id: "C-1", name: "Aroha Ltd"}) + "\n");
w.write(JSON.stringify({kind: "product", id: "P-1", sku: "W-1", name: "Widget"}) + "\n");
const chans = [["Web", "A"], ["Web", "B"], ["Market", "C"]];
let s = "";
for (let i = 1; i <= n; i++) {
  const day = "2026-10-" + String(1 + (i % 31)).padStart(2, "0"), ch = chans[i % 3];
  const q = 1 + (i % 4), price = (4.99 + (i % 11) * 0.77).toFixed(2), id = "M" + i;
  const a = Math.round(q * Number(price) * 100), tot = ((a + Math.round(a * 0.15)) / 100).toFixed(2);
  s += JSON.stringify({kind: "sale", id, reference: id, customer_id: "C-1", date: day, invoiced: true,
    channel: {type: ch[0], name: ch[1]}, store: i % 5 ? "Main" : "Mall",
    lines: [{sku: "W-1", qty: String(q), unit_price: price, tax_rate: "15"}]}) + "\n";
  s += JSON.stringify({kind: "payment", id: id + "-P", sale_id: id, date: day, amount: tot, account: "090"}) + "\n";
  s += JSON.stringify({kind: "cogs", id: id + "-C", sale_id: id, date: day, lines: [{sku: "W-1", cost: (q * 2.05).toFixed(2)}]}) + "\n";
  if (s.length > 1 << 20) { w.write(s); s = ""; }
}
w.write(s);' "$N" >"$T/month.jsonl"

sb_start --limits off
fresh_store month
expect 0 "$B" import --quiet "$T/month.jsonl"
connect "$SB_URL"
expect 0 "$B" settings limits.per_minute 100000
expect 0 "$B" settings limits.per_day 1000000
expect 0 "$B" settings consolidation.enabled true
for t in invoices cogs payments; do
	expect 0 "$B" settings "consolidation.channel.Web(A).$t" daily
	expect 0 "$B" settings "consolidation.channel.Web(B).$t" daily
	expect 0 "$B" settings "consolidation.channel.Market(C).$t" monthly
done
for pass in 1 2 3; do
	bs_sync --everything --today 2026-11-01
	eq "sync $pass exit" "$bs_rc" 0
done
expect 0 "$B" pending --tab sales
lacks "$T/out" "waiting"
expect 0 "$B" consolidated --csv
mv "$T/out" "$T/members.csv"

xlogin "$SB_URL"
for k in Invoices Payments ManualJournals; do
	p=1
	: >"$T/$k.all"
	while :; do # pages of 100
		xget "$k?page=$p" >"$T/$k.p"
		n=$(jv "(j.$k || []).length" <"$T/$k.p")
		jv "(j.$k || []).map(x => JSON.stringify(x)).join('\\n')" <"$T/$k.p" >>"$T/$k.all"
		[ "$n" -ge 100 ] || break
		p=$((p + 1))
	done
done

node -e '
const fs = require("fs"), T = process.argv[1];
const rows = fs.readFileSync(T + "/members.csv", "utf8").trim().split("\n").slice(1).map(l => l.split(","));
const lines = (f) => fs.readFileSync(T + "/" + f + ".all", "utf8").split("\n").filter(Boolean).map(JSON.parse);
const cents = (x) => Math.round(Number(x) * 100);
const say = (what, ok, detail) => console.log((ok ? "ok" : "FAIL") + "|" + what + "|" + detail);
const byDoc = new Map(), seen = new Map();
let twice = 0, outside = 0;
for (const [num, type, cons, , date, amount] of rows) {
  const k = type + "|" + num;
  if (seen.has(k)) twice++;
  seen.set(k, cons);
  const d = byDoc.get(cons) || {sum: 0, n: 0};
  d.sum += cents(amount); d.n++; byDoc.set(cons, d);
  const per = cons.split("-")[1].replace(/\//g, "-");
  if (!date.startsWith(per)) outside++;
}
const want = Number(process.argv[2]);
say("members listed: sales + payments + COGS", rows.length == 3 * want, rows.length + " of " + 3 * want);
say("no member in two documents", twice == 0, twice + " twice");
say("each member within its document period", outside == 0, outside + " outside");
const inv = lines("Invoices").filter(i => i.Type == "ACCREC");
let bad = 0, checked = 0;
for (const i of inv) { const d = byDoc.get(i.Reference); checked++;
  if (!d || cents(i.Total) != d.sum) bad++; }
// 31 days x 2 daily channels x 2 stores, and 2 stores of the monthly channel
if (want >= 1000) say("invoices: 31 x 2 x 2 daily + 2 monthly", inv.length == 126, inv.length + " invoices");
say("each invoice total = its members, to the cent", bad == 0 && checked > 0, bad + " of " + checked + " differ");
const pays = lines("Payments");
bad = 0;
for (const p of pays) { const d = byDoc.get(p.Reference); if (!d || cents(p.Amount) != d.sum) bad++; }
say("each payment = its members, to the cent", bad == 0 && pays.length > 0, bad + " of " + pays.length + " differ");
const mj = lines("ManualJournals").filter(m => m.Narration.startsWith("COGS"));
bad = 0;
for (const m of mj) {
  const name = (m.Narration.match(/\[cogs:(.*)\]/) || [])[1], d = byDoc.get(name);
  let debit = 0; for (const l of m.JournalLines) if (l.LineAmount > 0) debit += cents(l.LineAmount);
  if (!d || debit != d.sum) bad++;
}
say("each COGS journal = its members, to the cent", bad == 0 && mj.length == inv.length, bad + " of " + mj.length + " differ");
' "$T" "$N" >"$T/verify.out"
while IFS='|' read -r res what detail; do
	if [ "$res" = ok ]; then ok; else bad "$what ($detail)"; fi
	echo "# $res: $what ($detail)"
done <"$T/verify.out"
finish
