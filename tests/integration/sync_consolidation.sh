#!/bin/sh
# sync_consolidation.sh - consolidation into the Xero sandbox
# (docs/consolidation.md): daily and monthly documents per channel, their
# names and numbers, the month-end hold, no-sync as Skipped, payments that
# follow their consolidated sale, COGS, 510 lines in two documents, and
# --today.  Every total is read back from the sandbox, as a second app
# would, and compared with the sum of the members to the cent.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
GEN="node $(dirname "$0")/lib/cons_gen.js"

cat >"$T/base.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"product","id":"P-1","sku":"W-1","name":"Widget","type":"product","category":"Gadgets"}
J
# gen OUT PREFIX DAY N TYPE NAME [pay]: N invoiced sales of a channel on DAY,
# each with a COGS record and (pay) a payment of its whole total
$GEN "$T/shop1.jsonl" SH1 2026-10-01 40 Shopify MyShop pay
$GEN "$T/shop2.jsonl" SH2 2026-10-01 7 Shopify MyShop pay
$GEN "$T/amz.jsonl" AMZ 2026-10-03 12 Amazon EU
$GEN "$T/pos.jsonl" POS 2026-10-01 3 POS Till

sb_start --limits off
fresh_store cons
expect 0 "$B" import "$T/base.jsonl"
expect 0 "$B" import "$T/shop1.jsonl"
expect 0 "$B" import "$T/amz.jsonl"
expect 0 "$B" import "$T/pos.jsonl"
connect "$SB_URL"

# --- today is the organisation's: connect reads Xero's Organisation.Timezone
# (the sandbox's is NEWZEALANDSTANDARDTIME); the timezone setting wins over it
has "$T/out" "Time zone: Pacific/Auckland"
dayin() { node -e 'console.log(new Intl.DateTimeFormat("en-CA", {timeZone: process.argv[1]}).format(new Date()))' "$1"; }
bs_sync --dry-run
eq "today in the organisation's zone" "$(jv j.today <"$T/sync.json")" "$(dayin Pacific/Auckland)"
expect 0 "$B" settings timezone +00:00
bs_sync --dry-run
eq "the timezone setting wins" "$(jv j.today <"$T/sync.json")" "$(dayin UTC)"
expect 0 "$B" settings --unset timezone

# --- settings ---------------------------------------------------------------
expect 0 "$B" settings consolidation.enabled true
expect 0 "$B" settings 'consolidation.channel.Shopify(MyShop).invoices' daily
expect 0 "$B" settings 'consolidation.channel.Shopify(MyShop).cogs' daily
expect 0 "$B" settings 'consolidation.channel.Shopify(MyShop).payments' daily
expect 0 "$B" settings 'consolidation.channel.Amazon(EU).invoices' monthly
expect 0 "$B" settings 'consolidation.channel.POS(Till).invoices' no-sync
expect 0 "$B" settings 'consolidation.channel.POS(Till).cogs' no-sync
# a payment period longer than its invoices' is refused, with the reason
expect 0 "$B" settings 'consolidation.channel.Amazon(EU).payments' monthly
expect 0 "$B" settings 'consolidation.channel.Ebay(X).invoices' daily
expect 2 "$B" settings 'consolidation.channel.Ebay(X).payments' monthly
expect 0 "$B" settings 'consolidation.channel.Shopify(MyShop).invoices' monthly
expect 2 "$B" settings 'consolidation.channel.Shopify(MyShop).invoices' individual
has "$T/err" "payment period can't be longer than its invoice period"
expect 0 "$B" settings 'consolidation.channel.Shopify(MyShop).invoices' daily
# unset returns a channel to the '*' default, checked the same way
expect 2 "$B" settings --unset 'consolidation.channel.Shopify(MyShop).invoices'
expect 0 "$B" settings 'consolidation.channel.Amazon(EU).cogs'
has "$T/out" "individual"
expect 0 "$B" settings 'consolidation.channel.*.cogs' monthly
expect 0 "$B" settings 'consolidation.channel.Amazon(EU).cogs'
has "$T/out" "monthly"
expect 0 "$B" settings --unset 'consolidation.channel.*.cogs'
expect 0 "$B" settings
has "$T/out" "consolidation.channel.Shopify(MyShop).invoices daily"
expect 2 "$B" sync --today 2026-02-30

# --- day 1 --------------------------------------------------------------------
bs_sync --everything --today 2026-10-01
eq "day 1 sync exit" "$bs_rc" 0
eq "day 1: 40 sales consolidated" "$(jv j.consolidated <"$T/sync.json")" 40
xlogin "$SB_URL"
xget Invoices >"$T/inv.json"
# inv REF EXPR: the ACCREC invoice whose Reference is REF
inv() {
	jv "(i => i ? $2 : 'missing')(j.Invoices.find(i => i.Type == 'ACCREC' && i.Reference == '$1'))" <"$T/inv.json"
}
# members' total from the source: Σ (qty × price + shipping) × 1.15, each rounded
srcsum() { # srcsum FILE...
	cat "$@" | node -e '
let t = 0; for (const l of require("fs").readFileSync(0, "utf8").split("\n")) {
  if (!l) continue; const r = JSON.parse(l); if (r.kind != "sale") continue;
  let s = 0; for (const x of r.lines) { const a = Math.round(Number(x.qty) * Number(x.unit_price) * 100);
    s += a + Math.round(a * 0.15); } t += s; }
console.log((t / 100).toFixed(2));'
}
eq "day 1: one Shopify invoice, named" "$(inv 'SO-2026/10/01-Shopify(MyShop)-1' 'i.Contact.Name')" \
	"Shopify(MyShop) sales"
eq "day 1: Shopify total = its 40 members" "$(inv 'SO-2026/10/01-Shopify(MyShop)-1' 'c(i.Total)')" \
	"$(srcsum "$T/shop1.jsonl")"
eq "ACCREC documents after day 1" "$(jv 'j.Invoices.filter(i => i.Type == "ACCREC").length' <"$T/inv.json")" 1
# monthly: nothing before the month has ended; no-sync: Skipped
eq "Amazon held" "$(inv 'SO-2026/10-Amazon(EU)-1' 'i.Total')" missing
expect 0 "$B" history POS-1
has "$T/out" "no-sync"
expect 0 "$B" pending --tab invoices
has "$T/out" "AMZ-1"
has "$T/out" "posts once 2026-10 has ended"
# members: consolidated, with the document they went into
expect 0 "$B" history SH1-7
has "$T/out" "consolidated into SO-2026/10/01-Shopify(MyShop)-1"
# payments follow their sale: none posted in the run that posted the sale
eq "no payment yet" "$(xq Payments 'j.Payments.length')" 0

# --- day 1, later arrivals; payments and COGS of the first document --------------
expect 0 "$B" import "$T/shop2.jsonl"
bs_sync --everything --today 2026-10-01
eq "day 1 second sync exit" "$bs_rc" 0
xget Invoices >"$T/inv.json"
eq "day 1: later sales in document 2" "$(inv 'SO-2026/10/01-Shopify(MyShop)-2' 'c(i.Total)')" \
	"$(srcsum "$T/shop2.jsonl")"
eq "document 1 unchanged" "$(inv 'SO-2026/10/01-Shopify(MyShop)-1' 'c(i.Total)')" \
	"$(srcsum "$T/shop1.jsonl")"
xget Payments >"$T/pay.json"
eq "one consolidated payment for document 1" "$(jv 'j.Payments.length' <"$T/pay.json")" 1
eq "it pays document 1 in full" "$(jv 'c(j.Payments[0].Amount)' <"$T/pay.json")" "$(srcsum "$T/shop1.jsonl")"
xget ManualJournals >"$T/mj.json"
eq "one consolidated COGS journal" \
	"$(jv 'j.ManualJournals.filter(m => m.Narration.includes("COGS")).length' <"$T/mj.json")" 1

# --- the month ends ---------------------------------------------------------------
bs_sync --everything --today 2026-11-01
eq "November sync exit" "$bs_rc" 0
xget Invoices >"$T/inv.json"
eq "Amazon: one monthly invoice" "$(inv 'SO-2026/10-Amazon(EU)-1' 'c(i.Total)')" "$(srcsum "$T/amz.jsonl")"
eq "POS never posted" "$(jv 'j.Invoices.filter(i => (i.Reference || "").includes("POS")).length' <"$T/inv.json")" 0

# --- locking: a posted member's lines can't change; its memo can -----------------------------
sed -n 1p "$T/shop1.jsonl" | sed 's/"qty":"2"/"qty":"5"/' >"$T/changed.jsonl"
expect 1 "$B" import "$T/changed.jsonl"
has "$T/err" "SH1-1 is in consolidated document SO-2026/10/01-Shopify(MyShop)-1"
# the refusal lands on Errors, beside what the ledger refused, and counts there
expect 0 "$B" errors --json
eq "refused re-import on Errors" "$(jv 'j.refused.map(r => r.ref).join()' <"$T/out")" sale:SH1-1
has "$T/out" "consolidated document SO-2026/10/01-Shopify(MyShop)-1"
eq "its tab" "$(jv 'j.refused[0].tab' <"$T/out")" "$(sqlite3 "$BOOKSYNC_DB" "SELECT tab FROM records WHERE id = 'SH1-1'")"
expect 0 "$B" errors
has "$T/out" "Refused re-imports"
has "$T/out" "1 refused re-import"
# refused again: still one row, the latest words
expect 1 "$B" import "$T/changed.jsonl"
expect 0 "$B" errors --json
eq "one row per record" "$(jv 'j.refused_count' <"$T/out")" 1
# a person keeps the posted version: dismissed, gone from Errors
expect 0 "$B" errors --dismiss sale:SH1-1
expect 1 "$B" errors --dismiss sale:SH1-1
expect 0 "$B" errors --json
eq "dismissed" "$(jv 'j.refused_count' <"$T/out")" 0
# refused, then the posted version imported again: the refusal is over
expect 1 "$B" import "$T/changed.jsonl"
sed -n 1p "$T/shop1.jsonl" >"$T/posted.jsonl"
expect 0 "$B" import "$T/posted.jsonl"
expect 0 "$B" errors --json
eq "withdrawn by the posted version" "$(jv 'j.refused_count' <"$T/out")" 0
expect 1 "$B" import "$T/changed.jsonl"
sed -n 1p "$T/shop1.jsonl" | sed 's/"reference"/"memo":"gift","reference"/' >"$T/memo.jsonl"
expect 0 "$B" import "$T/memo.jsonl"
expect 0 "$B" errors --json
eq "withdrawn by a memo change the lock allows" "$(jv 'j.refused_count' <"$T/out")" 0
expect 0 "$B" history SH1-1
has "$T/out" "consolidated document is locked"

# --- no member in two documents; the listing ------------------------------------------
expect 0 "$B" consolidated --csv
eq "members listed" "$(grep -c '^SH1-\|^SH2-\|^AMZ-' "$T/out" | head -1)" \
	"$(grep -c . "$T/out" | awk '{print $1 - 1}')"
eq "each member once" "$(cut -d, -f1,2 "$T/out" | sort | uniq -d | wc -l)" 0
expect 0 "$B" consolidated --search SO-2026/10-Amazon
has "$T/out" "AMZ-12"

# --- 510 lines: two documents of 500 and 10 ---------------------------------------------
fresh_store lines
node -e '
let lines = []; for (let i = 1; i <= 510; i++) lines.push({sku: "S" + i, qty: "1", unit_price: "1.00", tax_rate: "15"});
let ps = ""; for (let i = 1; i <= 510; i++) ps += JSON.stringify({kind: "product", id: "P" + i, sku: "S" + i, name: "S" + i}) + "\n";
console.log(ps + JSON.stringify({kind: "customer", id: "C-1", name: "Big Buyer"}));
console.log(JSON.stringify({kind: "sale", id: "BIG-1", customer_id: "C-1", date: "2026-10-05", invoiced: true,
  channel: {type: "Shopify", name: "Wide"}, lines}));
console.log(JSON.stringify({kind: "payment", id: "BIG-1-P", sale_id: "BIG-1", date: "2026-10-05",
  amount: "586.50", account: "090"}));' >"$T/big.jsonl"
expect 0 "$B" import "$T/big.jsonl"
sb_reset "$SB_URL"
connect "$SB_URL"
expect 0 "$B" settings consolidation.enabled true
expect 0 "$B" settings consolidation.grouping sku
expect 0 "$B" settings 'consolidation.channel.*.invoices' daily
expect 0 "$B" settings 'consolidation.channel.*.payments' daily
bs_sync --everything --today 2026-10-05
eq "510-line sync exit" "$bs_rc" 0
xlogin "$SB_URL"
xget Invoices >"$T/inv.json"
eq "part 1: 500 lines" "$(inv 'SO-2026/10/05-Shopify(Wide)-1' 'i.LineItems.length')" 500
eq "part 2: 10 lines" "$(inv 'SO-2026/10/05-Shopify(Wide)-2' 'i.LineItems.length')" 10
eq "parts total the sale" \
	"$(jv 'c(sum(j.Invoices.filter(i => i.Type == "ACCREC"), i => i.Total))' <"$T/inv.json")" "586.50"
# the sale's payment follows it; spread over the parts, each is paid in full
bs_sync --everything --today 2026-10-05
eq "510-line payment sync exit" "$bs_rc" 0
xget Invoices >"$T/inv.json"
eq "both parts paid" "$(jv 'j.Invoices.filter(i => i.Type == "ACCREC").map(i => i.Status + ":" + c(i.AmountDue)).join()' <"$T/inv.json")" \
	"PAID:0.00,PAID:0.00"
eq "one payment per part" \
	"$(xq Payments 'j.Payments.map(p => p.Invoice.InvoiceNumber.replace(/.*SO-/, "SO-") + "=" + c(p.Amount)).sort().join()')" \
	"SO-2026/10/05-Shopify(Wide)-1=575.00,SO-2026/10/05-Shopify(Wide)-2=11.50"
expect 0 "$B" consolidated --search BIG-1-P
has "$T/out" "SO-2026/10/05-Shopify(Wide)-3"

# two payments a day apart on a split document: the second pays what the
# first left due on each part, found through the payments that name the
# parts (docs/consolidation.md "Payments of a split document")
node -e '
let lines = []; for (let i = 1; i <= 510; i++) lines.push({sku: "S" + i, qty: "1", unit_price: "1.00", tax_rate: "15"});
console.log(JSON.stringify({kind: "sale", id: "BIG-2", customer_id: "C-1", date: "2026-10-06", invoiced: true,
  channel: {type: "Shopify", name: "Wide"}, lines}));
console.log(JSON.stringify({kind: "payment", id: "BIG-2-P1", sale_id: "BIG-2", date: "2026-10-06",
  amount: "300.00", account: "090"}));' >"$T/big2.jsonl"
expect 0 "$B" import "$T/big2.jsonl"
bs_sync --everything --today 2026-10-06
bs_sync --everything --today 2026-10-06
eq "first payment of the second split sale" "$bs_rc" 0
echo '{"kind":"payment","id":"BIG-2-P2","sale_id":"BIG-2","date":"2026-10-07","amount":"286.50","account":"090"}' \
	>"$T/big2p.jsonl"
expect 0 "$B" import "$T/big2p.jsonl"
bs_sync --everything --today 2026-10-07
eq "second payment of the second split sale" "$bs_rc" 0
xget Invoices >"$T/inv.json"
eq "both parts of the second paid in full, over two payments" \
	"$(jv 'j.Invoices.filter(i => i.Type == "ACCREC" && i.InvoiceNumber.includes("10/06")).map(i => i.Status + ":" + c(i.AmountDue) + ":" + c(i.AmountPaid)).join()' <"$T/inv.json")" \
	"PAID:0.00:575.00,PAID:0.00:11.50"

# --- journals and money tasks; one contact for every consolidated document ------------------
fresh_store other
cat >"$T/other.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"supplier","id":"SUP-1","name":"Totara Supplies"}
{"kind":"product","id":"P-1","sku":"W-1","name":"Widget"}
{"kind":"journal","id":"J-1","date":"2026-10-02","lines":[{"account":"400","debit":"10.00"},{"account":"090","credit":"10.00"}]}
{"kind":"journal","id":"J-2","date":"2026-10-02","lines":[{"account":"400","debit":"5.55"},{"account":"090","credit":"5.55"}]}
{"kind":"journal","id":"J-3","date":"2026-10-03","lines":[{"account":"400","debit":"1.00"},{"account":"090","credit":"1.00"}]}
{"kind":"money_task","id":"M-1","date":"2026-10-02","direction":"receive","bank_account":"090","tax_mode":"inclusive","lines":[{"account":"260","amount":"11.50","tax_rate":"15"}]}
{"kind":"money_task","id":"M-2","date":"2026-10-02","direction":"receive","bank_account":"090","tax_mode":"inclusive","lines":[{"account":"260","amount":"23.00","tax_rate":"15"}]}
{"kind":"money_task","id":"M-3","date":"2026-10-02","direction":"spend","bank_account":"090","tax_mode":"inclusive","lines":[{"account":"429","amount":"5.00","tax_rate":"15"}]}
{"kind":"money_task","id":"M-4","date":"2026-10-02","direction":"receive","bank_account":"090","contact_id":"SUP-1","tax_mode":"inclusive","lines":[{"account":"260","amount":"7.00","tax_rate":"15"}]}
{"kind":"sale","id":"W-1","customer_id":"C-1","date":"2026-10-02","invoiced":true,"channel":{"type":"Web","name":"Shop"},"lines":[{"sku":"W-1","qty":"1","unit_price":"10.00","tax_rate":"15"}]}
{"kind":"customer","id":"C-2","name":"Kowhai Ltd"}
{"kind":"customer","id":"C-3","name":"Rimu Ltd"}
{"kind":"sale","id":"W-2","customer_id":"C-2","date":"2026-10-02","invoiced":true,"channel":{"type":"Phone","name":"Desk"},"lines":[{"sku":"W-1","qty":"1","unit_price":"10.00","tax_rate":"15"}]}
J
expect 0 "$B" import "$T/other.jsonl"
sb_reset "$SB_URL"
connect "$SB_URL"
expect 0 "$B" settings consolidation.enabled true
expect 0 "$B" settings consolidation.journals daily
expect 0 "$B" settings consolidation.money_tasks monthly
expect 0 "$B" settings consolidation.money_task_type receive
expect 0 "$B" settings consolidation.sync_customer_contacts false
expect 0 "$B" settings 'consolidation.channel.*.invoices' daily
expect 0 "$B" settings 'consolidation.channel.Phone(Desk).invoices' individual
bs_sync --everything --today 2026-10-03
eq "journals/money tasks sync exit" "$bs_rc" 0
xlogin "$SB_URL"
xget ManualJournals >"$T/mj.json"
eq "two daily journals (2nd, 3rd)" "$(jv 'j.ManualJournals.length' <"$T/mj.json")" 2
eq "the 2nd nets its members" \
	"$(jv 'c(j.ManualJournals.find(m => m.Narration.includes("JN-2026/10/02-NZD-1")).JournalLines.filter(l => l.LineAmount > 0).reduce((s, l) => s + l.LineAmount, 0))' <"$T/mj.json")" "15.55"
xget BankTransactions >"$T/bt.json"
# monthly money tasks wait for the month; spend (not consolidated by
# money_task_type=receive) and the supplier's (never) post on their own
eq "October receive money held" "$(jv 'j.BankTransactions.filter(b => b.Type == "RECEIVE" && b.Contact.Name != "Totara Supplies").length' <"$T/bt.json")" 0
eq "spend and supplier money posted alone" "$(jv 'j.BankTransactions.length' <"$T/bt.json")" 2
xget Invoices >"$T/inv.json"
eq "one contact for consolidated sales" "$(inv 'SO-2026/10/02-Web(Shop)-1' 'i.Contact.Name')" \
	"booksync sales consolidation"
# customer contacts off: customers stay out of the ledger, but the one a
# sale posting on its own (channel Phone(Desk) is individual) needs, and
# supplier contacts and products, sync
xget Contacts >"$T/ct.json"
eq "customer contacts not synced" \
	"$(jv 'j.Contacts.map(c => c.Name).sort().join()' <"$T/ct.json")" \
	"Kowhai Ltd,Totara Supplies,booksync money tasks,booksync sales consolidation"
eq "products still sync" "$(xq Items 'j.Items.map(i => i.Code).join()')" "W-1"
expect 0 "$B" pending --tab customers
has "$T/out" "C-3"
has "$T/out" "sync_customer_contacts is false"
expect 0 "$B" sync --tab customers --today 2026-10-03
xget Contacts >"$T/ct.json"
eq "the customers tab syncs none" "$(jv 'j.Contacts.length' <"$T/ct.json")" 4
bs_sync --everything --today 2026-11-01
xget BankTransactions >"$T/bt.json"
expect 0 "$B" consolidated --type journal
has "$T/out" "J-2"
eq "one receive money for October" \
	"$(jv 'c(j.BankTransactions.filter(b => b.Type == "RECEIVE" && b.Contact.Name != "Totara Supplies").map(b => b.Total))' <"$T/bt.json")" "34.50"
expect 0 "$B" consolidated --type "receive money"
has "$T/out" "M-2"
lacks "$T/out" "M-4"

# --- foreign currency at the average rate; credit notes and their refunds -------------------
fresh_store fx
cat >"$T/fx.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"sale","id":"U-1","customer_id":"C-1","date":"2026-10-06","invoiced":true,"currency":"USD","fx_rate":"1.65","channel":{"type":"Web","name":"US"},"tax_mode":"none","lines":[{"description":"Widget","qty":"1","unit_price":"100.00"}]}
{"kind":"sale","id":"U-2","customer_id":"C-1","date":"2026-10-06","invoiced":true,"currency":"USD","fx_rate":"1.70","channel":{"type":"Web","name":"US"},"tax_mode":"none","lines":[{"description":"Widget","qty":"2","unit_price":"100.00"}]}
{"kind":"sale","id":"U-3","customer_id":"C-1","date":"2026-10-06","invoiced":true,"currency":"USD","fx_rate":"1.666666667","channel":{"type":"Web","name":"US"},"tax_mode":"none","lines":[{"description":"Widget","qty":"1","unit_price":"33.33"}]}
{"kind":"sale","id":"N-1","customer_id":"C-1","date":"2026-10-06","invoiced":true,"channel":{"type":"Web","name":"US"},"lines":[{"description":"Widget","qty":"1","unit_price":"50.00","tax_rate":"15"}]}
{"kind":"credit_note","id":"CN-1","customer_id":"C-1","sale_id":"N-1","date":"2026-10-06","channel":{"type":"Web","name":"US"},"lines":[{"description":"Widget back","qty":"1","unit_price":"20.00","tax_rate":"15"}]}
{"kind":"credit_note","id":"CN-2","customer_id":"C-1","date":"2026-10-06","channel":{"type":"Web","name":"US"},"lines":[{"description":"Widget back","qty":"1","unit_price":"10.00","tax_rate":"15"}]}
{"kind":"payment","id":"R-1","credit_note_id":"CN-1","date":"2026-10-06","amount":"23.00","account":"090"}
{"kind":"payment","id":"R-2","credit_note_id":"CN-2","date":"2026-10-06","amount":"11.50","account":"090"}
J
expect 0 "$B" import "$T/fx.jsonl"
sb_reset "$SB_URL"
connect "$SB_URL"
expect 0 "$B" settings consolidation.enabled true
for t in invoices cogs payments; do
	expect 0 "$B" settings "consolidation.channel.*.$t" daily
done
bs_sync --everything --today 2026-10-06
eq "fx sync exit" "$bs_rc" 0
bs_sync --everything --today 2026-10-06
xlogin "$SB_URL"
xget Invoices >"$T/inv.json"
usd=$(jv 'j.Invoices.find(i => i.CurrencyCode == "USD")' <"$T/inv.json")
eq "USD members in one invoice" "$(echo "$usd" | jv 'c(j.Total)')" "333.33"
# the amount-weighted average: (165.00 + 340.00 + 55.55) / 333.33 =
# 1.6816668167 NZD per USD; Xero holds its inverse
eq "at the average rate" "$(echo "$usd" | jv '(1 / j.CurrencyRate).toFixed(4)')" "1.6817"
eq "NZD members in another" "$(jv 'c(j.Invoices.filter(i => i.Type == "ACCREC" && i.CurrencyCode != "USD")[0].Total)' <"$T/inv.json")" "57.50"
xget CreditNotes >"$T/cn.json"
eq "credit notes in one" "$(jv 'j.CreditNotes.length + ":" + c(j.CreditNotes[0].Total)' <"$T/cn.json")" "1:34.50"
eq "its refunds in one payment" \
	"$(xq Payments 'j.Payments.length + ":" + c(j.Payments[0].Amount)')" "1:34.50"
expect 0 "$B" consolidated --type "sale credit note refund"
has "$T/out" "R-2"

# --- payments and COGS set to individual, of consolidated sales; of no-sync sales -------------
fresh_store indiv
$GEN "$T/ind.jsonl" IN 2026-10-07 4 Web Ind pay
$GEN "$T/ns.jsonl" NS 2026-10-07 2 Web Off pay
expect 0 "$B" import "$T/base.jsonl"
expect 0 "$B" import "$T/ind.jsonl"
expect 0 "$B" import "$T/ns.jsonl"
# a member that cannot be placed fails alone, with the reason; the rest consolidate
echo '{"kind":"sale","id":"IN-BAD","customer_id":"C-1","date":"2026-10-07","invoiced":true,"channel":{"type":"Web","name":"Ind"},"lines":[{"description":"x","qty":"1","unit_price":"1.00","tax_rate":"15","account":"999"}]}' >"$T/bad.jsonl"
expect 0 "$B" import "$T/bad.jsonl"
sb_reset "$SB_URL"
connect "$SB_URL"
expect 0 "$B" settings consolidation.enabled true
expect 0 "$B" settings 'consolidation.channel.Web(Ind).invoices' daily
expect 0 "$B" settings 'consolidation.channel.Web(Off).invoices' no-sync
bs_sync --everything --today 2026-10-07
bs_sync --everything --today 2026-10-07
eq "individual payments sync exit" "$bs_rc" 0
xlogin "$SB_URL"
eq "each payment alone, on the consolidated invoice" \
	"$(xq Payments 'j.Payments.length + ":" + new Set(j.Payments.map(p => p.Invoice.InvoiceID)).size')" "4:1"
eq "the invoice is paid in full" \
	"$(xq Invoices 'j.Invoices.map(i => i.Status + ":" + c(i.AmountDue)).join()')" "PAID:0.00"
eq "each COGS journal alone" "$(xq ManualJournals 'j.ManualJournals.length')" 4
expect 0 "$B" errors
has "$T/out" "IN-BAD"
has "$T/out" "999"
expect 0 "$B" history NS-1-P
has "$T/out" "its sale's channel Web(Off) is set to no-sync"
expect 0 "$B" history NS-1-C
has "$T/out" "no-sync"

# --- a gift voucher redeemed on a consolidated sale pays the consolidated invoice ---------------
fresh_store voucher
cat >"$T/v.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"sale","id":"V-1","customer_id":"C-1","date":"2026-10-08","invoiced":true,"channel":{"type":"Web","name":"V"},"lines":[{"description":"Widget","qty":"1","unit_price":"40.00","tax_rate":"15"}]}
{"kind":"sale","id":"V-2","customer_id":"C-1","date":"2026-10-08","invoiced":true,"channel":{"type":"Web","name":"V"},"lines":[{"description":"Widget","qty":"1","unit_price":"20.00","tax_rate":"15"}]}
{"kind":"gift_voucher","id":"GV-1","event":"sold","amount":"25.00","date":"2026-10-01"}
{"kind":"gift_voucher","id":"GV-1R","event":"redeemed","amount":"25.00","sale_id":"V-2","date":"2026-10-08"}
J
expect 0 "$B" import "$T/v.jsonl"
sb_reset "$SB_URL"
connect "$SB_URL"
expect 0 "$B" settings consolidation.enabled true
expect 0 "$B" settings 'consolidation.channel.*.invoices' daily
bs_sync --everything --today 2026-10-08
bs_sync --everything --today 2026-10-08
eq "voucher sync exit" "$bs_rc" 0
xlogin "$SB_URL"
eq "the voucher pays the consolidated invoice" \
	"$(xq Invoices 'j.Invoices.filter(i => i.Type == "ACCREC" && (i.Reference || "").startsWith("SO-")).map(i => c(i.Total) + "/" + c(i.AmountPaid)).join()')" \
	"69.00/25.00"

finish
