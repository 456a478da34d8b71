#!/bin/sh
# sync_consolidation_month.sh - a month of sales across three channels
# (two daily, one monthly), with payments and COGS, consolidated into the
# Xero sandbox (issue 11, docs/consolidation.md), or with
# CONS_MONTH_LEDGER=qbo into the QuickBooks Online sandbox
# (sync_consolidation_month_qbo.sh).  Read back through the ledger's API:
# every consolidated invoice, payment and COGS journal equals the sum of its
# members to the cent, each member's date falls in its document's period,
# and no member is in two documents.  Prints the calls the syncs used.
#
# CONS_MONTH_SALES sales over October 2026 (lib/cons_month_gen.js), spread
# over the channels Web(A), Web(B) (daily) and Market(C) (monthly); each
# sale has a payment and a COGS record.  The default, 20,000 (Xero) or
# 3,000 (QBO), keeps `make check` short on a shared machine;
# CONS_MONTH_SALES=100000 is issue 11's month (about eight minutes on two
# busy cores; its result is in bench/RESULTS.md, and bench/consolidation_month
# measures the individual sync of the same month beside it).
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
LEDGER=${CONS_MONTH_LEDGER:-xero}
case $LEDGER in
xero) N=${CONS_MONTH_SALES:-20000} ;;
qbo)
	N=${CONS_MONTH_SALES:-3000}
	export BS_LEDGER=qbo BOOKSYNC_QBO_CLIENT_ID=app BOOKSYNC_QBO_CLIENT_SECRET=secret
	;;
*) echo "CONS_MONTH_LEDGER: xero or qbo, not '$LEDGER'" >&2; exit 2 ;;
esac

node "$(dirname "$0")/lib/cons_month_gen.js" "$N" >"$T/month.jsonl"

sb_start --limits off
fresh_store month
expect 0 "$B" import --quiet "$T/month.jsonl"
expect 0 "$B" connect "$LEDGER" --base-url "$SB_URL" </dev/null
expect 0 "$B" settings limits.per_minute 100000
expect 0 "$B" settings limits.per_day 1000000
expect 0 "$B" settings consolidation.enabled true
for t in invoices cogs payments; do
	expect 0 "$B" settings "consolidation.channel.Web(A).$t" daily
	expect 0 "$B" settings "consolidation.channel.Web(B).$t" daily
	expect 0 "$B" settings "consolidation.channel.Market(C).$t" monthly
done
calls=0 writes=0
for pass in 1 2 3; do
	bs_sync --everything --today 2026-11-01
	eq "sync $pass exit" "$bs_rc" 0
	calls=$((calls + $(jv 'j.calls || 0' <"$T/sync.json")))
	writes=$((writes + $(jv 'j.write_calls || 0' <"$T/sync.json")))
done
echo "# $LEDGER: $N sales + payments + COGS consolidated in $calls calls ($writes write calls)"
expect 0 "$B" pending --tab sales
lacks "$T/out" "waiting"
expect 0 "$B" consolidated --csv
mv "$T/out" "$T/members.csv"

# each document the ledger holds, as a second app reads it, into $T/<Entity>.all
# (one JSON object a line)
if [ "$LEDGER" = xero ]; then
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
else
	loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
		"$SB_URL/connect/oauth2?client_id=reader&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=http://localhost/cb&state=s")
	code=$(printf '%s' "$loc" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
	realm=$(printf '%s' "$loc" | sed -n 's/.*[?&]realmId=\([0-9]*\).*/\1/p')
	Q_TOK=$(curl -s -u reader:secret -d "grant_type=authorization_code&code=$code&redirect_uri=http://localhost/cb" \
		"$SB_URL/oauth2/v1/tokens/bearer" | jv j.access_token)
	for k in Invoice Payment JournalEntry; do
		p=1
		: >"$T/$k.all"
		while :; do # pages of 100
			curl -s -H "Authorization: Bearer $Q_TOK" -H "Accept: application/json" \
				"$SB_URL/v3/company/$realm/query?query=select%20*%20from%20$k%20startposition%20$p%20maxresults%20100" >"$T/$k.p"
			n=$(jv "(j.QueryResponse.$k || []).length" <"$T/$k.p")
			jv "(j.QueryResponse.$k || []).map(x => JSON.stringify(x)).join('\\n')" <"$T/$k.p" >>"$T/$k.all"
			[ "$n" -ge 100 ] || break
			p=$((p + 100))
		done
	done
fi

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
// the documents in the ledger as {name, total}: a COGS journal has its debits as total
const sum = (ls, f) => ls.reduce((t, l) => t + f(l), 0);
let inv, pays, mj;
if (process.argv[3] == "xero") {
  inv = lines("Invoices").filter(i => i.Type == "ACCREC").map(i => ({name: i.Reference, total: cents(i.Total)}));
  pays = lines("Payments").map(p => ({name: p.Reference, total: cents(p.Amount)}));
  mj = lines("ManualJournals").filter(m => m.Narration.startsWith("COGS")).map(m => ({
    name: (m.Narration.match(/\[cogs:(.*)\]/) || [])[1],
    total: sum(m.JournalLines, l => l.LineAmount > 0 ? cents(l.LineAmount) : 0)}));
} else {
  // QBO: the full name is the PrivateNote of an invoice, inside a payment
  // marker "[booksync Payment/payment:NAME Invoice/sale:...]", and in a
  // journal narration
  inv = lines("Invoice").map(i => ({name: i.PrivateNote, total: cents(i.TotalAmt)}));
  pays = lines("Payment").map(p => ({name: (p.PrivateNote.match(/\[booksync Payment\/payment:(\S+)/) || [])[1],
    total: cents(p.TotalAmt)}));
  mj = lines("JournalEntry").filter(m => /\[cogs:/.test(m.PrivateNote || "")).map(m => ({
    name: (m.PrivateNote.match(/\[cogs:(.*)\]/) || [])[1],
    total: sum(m.Line, l => l.JournalEntryLineDetail.PostingType == "Debit" ? cents(l.Amount) : 0)}));
}
const differ = (docs) => docs.filter(x => { const d = byDoc.get(x.name); return !d || d.sum != x.total; }).length;
// 31 days x 2 daily channels x 2 stores, and 2 stores of the monthly channel
if (want >= 1000) say("invoices: 31 x 2 x 2 daily + 2 monthly", inv.length == 126, inv.length + " invoices");
say("each invoice total = its members, to the cent", differ(inv) == 0 && inv.length > 0, differ(inv) + " of " + inv.length + " differ");
say("each payment = its members, to the cent", differ(pays) == 0 && pays.length == inv.length, differ(pays) + " of " + pays.length + " differ");
say("each COGS journal = its members, to the cent", differ(mj) == 0 && mj.length == inv.length, differ(mj) + " of " + mj.length + " differ");
// every consolidated document the listing names is in the ledger once
const names = [...inv, ...pays, ...mj].map(x => x.name), uniq = new Set(names);
say("no document twice in the ledger", uniq.size == names.length, names.length - uniq.size + " twice");
say("every listed document is in the ledger", [...byDoc.keys()].every(k => uniq.has(k)),
  [...byDoc.keys()].filter(k => !uniq.has(k)).length + " missing");
' "$T" "$N" "$LEDGER" >"$T/verify.out"
# a verifier that died says nothing: that is a failure too
eq "checks made" "$(grep -c '|' "$T/verify.out")" "$([ "$N" -ge 1000 ] && echo 9 || echo 8)"
while IFS='|' read -r res what detail; do
	if [ "$res" = ok ]; then ok; else bad "$what ($detail)"; fi
	echo "# $res: $what ($detail)"
done <"$T/verify.out"
finish
