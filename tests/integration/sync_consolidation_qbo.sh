#!/bin/sh
# sync_consolidation_qbo.sh - consolidation into the QuickBooks Online
# sandbox (docs/consolidation.md "Names and numbers"): a day's sales of a
# channel in one invoice whose DocNumber is the short form (at most 21
# characters) and whose PrivateNote is the full name, its total the sum of
# its members to the cent, and the day's payments in one payment on it.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
export BS_LEDGER=qbo
export BOOKSYNC_QBO_CLIENT_ID=app BOOKSYNC_QBO_CLIENT_SECRET=secret
GEN="node $(dirname "$0")/lib/cons_gen.js"

cat >"$T/base.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"product","id":"P-1","sku":"W-1","name":"Widget","type":"product"}
J
$GEN "$T/day.jsonl" Q 2026-10-01 25 Shopify MyShop pay
grep -v '"kind":"cogs"' "$T/day.jsonl" >"$T/sales.jsonl"

sb_start --limits off
fresh_store qcons
expect 0 "$B" import "$T/base.jsonl"
expect 0 "$B" import "$T/sales.jsonl"
expect 0 "$B" connect qbo --base-url "$SB_URL" </dev/null
# QBO's API gives no company time zone: today is UTC's unless the
# timezone setting says otherwise
has "$T/out" "Time zone: not given by QuickBooks"
bs_sync --dry-run
eq "today is UTC's" "$(jv j.today <"$T/sync.json")" \
	"$(node -e 'console.log(new Date().toISOString().slice(0, 10))')"
expect 0 "$B" settings consolidation.enabled true
expect 0 "$B" settings 'consolidation.channel.Shopify(MyShop).invoices' daily
expect 0 "$B" settings 'consolidation.channel.Shopify(MyShop).payments' daily
bs_sync --everything --today 2026-10-01
eq "first sync exit" "$bs_rc" 0
bs_sync --everything --today 2026-10-01
eq "second sync exit" "$bs_rc" 0

loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
	"$SB_URL/connect/oauth2?client_id=reader&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=http://localhost/cb&state=s")
code=$(printf '%s' "$loc" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
realm=$(printf '%s' "$loc" | sed -n 's/.*[?&]realmId=\([0-9]*\).*/\1/p')
Q_TOK=$(curl -s -u reader:secret -d "grant_type=authorization_code&code=$code&redirect_uri=http://localhost/cb" \
	"$SB_URL/oauth2/v1/tokens/bearer" | jv j.access_token)
Q_API="$SB_URL/v3/company/$realm"
qq() { # qq ENTITY EXPR: every ENTITY (as l) through EXPR
	curl -s -H "Authorization: Bearer $Q_TOK" \
		"$Q_API/query?query=select%20*%20from%20$1%20maxresults%201000" |
		jv "(l => $2)(j.QueryResponse.$1 || [])"
}
want=$(node -e '
let t = 0; for (const l of require("fs").readFileSync(process.argv[1], "utf8").split("\n")) {
  if (!l) continue; const r = JSON.parse(l); if (r.kind != "sale") continue;
  for (const x of r.lines) { const a = Math.round(Number(x.qty) * Number(x.unit_price) * 100); t += a + Math.round(a * 0.15); } }
console.log((t / 100).toFixed(2));' "$T/sales.jsonl")
eq "one invoice" "$(qq Invoice 'l.length')" 1
eq "its total = the 25 members" "$(qq Invoice 'c(l[0].TotalAmt)')" "$want"
eq "PrivateNote: the full name" "$(qq Invoice 'l[0].PrivateNote')" "SO-2026/10/01-Shopify(MyShop)-1"
num=$(qq Invoice 'l[0].DocNumber')
case $num in
S261001-??????-1) ok ;;
*) bad "DocNumber '$num' is not the short form S261001-XXXXXX-1" ;;
esac
eq "DocNumber fits" "$(printf '%s' "$num" | wc -c)" 16
eq "one payment, the whole day" "$(qq Payment 'l.length + ":" + c(l[0] && l[0].TotalAmt)')" "1:$want"
finish
