#!/bin/sh
# sync_consolidation_credits.sh - customer credits under consolidation, in
# the Xero sandbox (docs/consolidation.md "Customer credits"): credits
# issued from a refund or a prepayment go into a receive money task on the
# customer credit account; a credit used on a consolidated sale is paid
# out of that account into the consolidated invoice, in the day's payment
# document of that account; a credit refunded out of them, a spend money
# task; a credit note of one customer used on a consolidated sale is
# refunded into the account and the consolidated invoice paid out of it.
# Everything is read back from the sandbox.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"

cat >"$T/in.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"customer","id":"C-2","name":"Kowhai Ltd"}
{"kind":"sale","id":"V-1","customer_id":"C-1","date":"2026-10-08","invoiced":true,"channel":{"type":"Web","name":"V"},"lines":[{"description":"Widget","qty":"1","unit_price":"40.00","tax_rate":"15"}]}
{"kind":"sale","id":"V-2","customer_id":"C-1","date":"2026-10-08","invoiced":true,"channel":{"type":"Web","name":"V"},"lines":[{"description":"Widget","qty":"1","unit_price":"20.00","tax_rate":"15"}]}
{"kind":"sale","id":"V-3","customer_id":"C-2","date":"2026-10-08","invoiced":true,"channel":{"type":"Web","name":"V"},"lines":[{"description":"Widget","qty":"1","unit_price":"10.00","tax_rate":"15"}]}
{"kind":"store_credit","id":"SC-1","customer_id":"C-1","event":"issued","origin":"refund","amount":"30.00","date":"2026-10-08"}
{"kind":"store_credit","id":"SC-2","customer_id":"C-1","event":"issued","origin":"prepayment","amount":"20.00","date":"2026-10-08"}
{"kind":"store_credit","id":"SC-3","customer_id":"C-1","event":"used","sale_id":"V-2","amount":"25.00","date":"2026-10-08"}
{"kind":"store_credit","id":"SC-4","customer_id":"C-1","event":"refunded","amount":"5.00","date":"2026-10-08"}
{"kind":"store_credit","id":"SC-7","customer_id":"C-2","event":"issued","origin":"other","amount":"10.00","date":"2026-10-08"}
{"kind":"store_credit","id":"SC-8","customer_id":"C-2","event":"used","sale_id":"V-3","amount":"10.00","date":"2026-10-08"}
J

sb_start --limits off
fresh_store credits
expect 0 "$B" import "$T/in.jsonl"
connect "$SB_URL"
expect 0 "$B" settings consolidation.enabled true
expect 0 "$B" settings 'consolidation.channel.*.invoices' daily
expect 0 "$B" settings 'consolidation.channel.*.payments' daily
expect 0 "$B" settings consolidation.money_tasks daily
expect 0 "$B" settings consolidation.credit_account 825
expect 2 "$B" settings consolidation.credit_account 'no such'

# day 1: sales and the credits issued from a refund or a prepayment consolidate;
# what is used waits for them, then follows its consolidated sale
bs_sync --everything --today 2026-10-08
eq "first sync exit" "$bs_rc" 0
expect 0 "$B" history SC-3
has "$T/out" "waits for store credit SC-1 to be consolidated"
bs_sync --everything --today 2026-10-08
eq "second sync exit" "$bs_rc" 0
bs_sync --everything --today 2026-10-08
eq "third sync exit" "$bs_rc" 0
expect 0 "$B" errors
lacks "$T/out" "SC-"

xlogin "$SB_URL"
xget BankTransactions >"$T/bt.json"
eq "credits issued: one receive money on the credit account" \
	"$(jv 'j.BankTransactions.filter(b => b.Type == "RECEIVE").map(b => c(b.Total) + ":" + b.LineItems.map(l => l.AccountCode).join("+")).join()' <"$T/bt.json")" \
	"50.00:825"
eq "credit refunded: one spend money out of the credit account" \
	"$(jv 'j.BankTransactions.filter(b => b.Type == "SPEND").map(b => c(b.Total) + ":" + b.LineItems.map(l => l.AccountCode).join("+")).join()' <"$T/bt.json")" \
	"5.00:825"
xget Invoices >"$T/inv.json"
eq "the consolidated invoice is paid by the credits used" \
	"$(jv 'j.Invoices.filter(i => i.Type == "ACCREC").map(i => (i.Reference || "") + "=" + c(i.Total) + "/" + c(i.AmountPaid)).join()' <"$T/inv.json")" \
	"SO-2026/10/08-Web(V)-1=80.50/35.00"
xget Payments >"$T/pay.json"
eq "credit account payments: 25.00 (consolidated), 10.00 in, 10.00 out" \
	"$(jv 'j.Payments.map(p => (p.Invoice ? "invoice" : "credit note") + ":" + c(p.Amount) + ":" + p.Account.Code).sort().join()' <"$T/pay.json")" \
	"credit note:10.00:825,invoice:10.00:825,invoice:25.00:825"
xget CreditNotes >"$T/cn.json"
eq "only the credit of another origin is a credit note, refunded into the account" \
	"$(jv 'j.CreditNotes.map(n => c(n.Total) + ":" + n.Status + ":" + n.Contact.Name).join()' <"$T/cn.json")" \
	"10.00:PAID:Kowhai Ltd"
expect 0 "$B" consolidated --type "sale invoice payment"
has "$T/out" "SC-3"
expect 0 "$B" consolidated --type "receive money"
has "$T/out" "SC-1"
has "$T/out" "SC-2"
expect 0 "$B" consolidated --type "spend money"
has "$T/out" "SC-4"
# the credit account nets to what is still owed: 50 in, 25 + 5 out, 10 in and out
eq "credit account balance" \
	"$(node -e '
const bt = JSON.parse(require("fs").readFileSync(process.argv[1])).BankTransactions;
const pay = JSON.parse(require("fs").readFileSync(process.argv[2])).Payments;
let s = 0;
for (const b of bt) for (const l of b.LineItems) if (l.AccountCode == "825") s += (b.Type == "RECEIVE" ? 1 : -1) * Math.round(l.LineAmount * 100);
for (const p of pay) if (p.Account.Code == "825") s += (p.Invoice ? -1 : 1) * Math.round(p.Amount * 100);
console.log((s / 100).toFixed(2));' "$T/bt.json" "$T/pay.json")" "20.00"

finish
