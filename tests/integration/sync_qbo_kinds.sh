#!/bin/sh
# sync_qbo_kinds.sh - every record kind of lib/kinds.jsonl synced into the
# QuickBooks Online sandbox (`booksync sandbox qbo`, `connect qbo`), then
# read back through QBO's API as a second app would (docs/mapping-qbo.md):
# each entity where it belongs, totals to the cent (the same figures the
# Xero test sync_kinds.sh finds), payments linked, markers in PrivateNote,
# and the records QBO cannot take refused with their reason.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
export BS_LEDGER=qbo
export BOOKSYNC_QBO_CLIENT_ID=app BOOKSYNC_QBO_CLIENT_SECRET=secret

cp "$(dirname "$0")/lib/kinds.jsonl" "$T/kinds.jsonl"

sb_start --limits off
fresh_store qkinds
expect 0 "$B" import "$T/kinds.jsonl"
expect 0 "$B" connect qbo --base-url "$SB_URL" </dev/null
# open purchases go up as QBO purchase orders only when asked (seeds/004)
expect 0 "$B" settings upload_po_as_qbo_po true
bs_sync --everything
# the sandbox's company has the accounts of Xero's default chart kinds.jsonl
# names (260, 310) and multicurrency; but a QBO customer has one currency,
# and SO-USD is a USD sale for Aroha Ltd, an NZD customer: refused
eq "sync exit (one refused)" "$bs_rc" 1
eq "posted" "$(jv j.posted <"$T/sync.json")" 30
eq "failed" "$(jv j.failed <"$T/sync.json")" 1
expect 0 "$B" errors
has "$T/out" "sale:SO-USD"
has "$T/out" "must be the customer's currency (NZD)"

# qlogin: Intuit's code flow by hand; sets Q_API and Q_TOK
loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
	"$SB_URL/connect/oauth2?client_id=reader&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=http://localhost/cb&state=s")
code=$(printf '%s' "$loc" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
realm=$(printf '%s' "$loc" | sed -n 's/.*[?&]realmId=\([0-9]*\).*/\1/p')
Q_TOK=$(curl -s -u reader:secret -d "grant_type=authorization_code&code=$code&redirect_uri=http://localhost/cb" \
	"$SB_URL/oauth2/v1/tokens/bearer" | jv j.access_token)
Q_API="$SB_URL/v3/company/$realm"

# qq ENTITY EXPR: every ENTITY (as l, an array) through EXPR
qq() {
	curl -s -H "Authorization: Bearer $Q_TOK" \
		"$Q_API/query?query=select%20*%20from%20$1%20maxresults%201000" |
		jv "(l => $2)(j.QueryResponse.$1 || [])"
}
# one ENTITY NOTE EXPR: the ENTITY whose PrivateNote is NOTE, through EXPR (as x)
one() {
	qq "$1" "(x => x ? $3 : 'missing')(l.find(x => x.PrivateNote == '$2'))"
}

# --- contacts and items: the role decides Customer or Vendor
eq "customers" "$(qq Customer 'l.map(x => x.DisplayName).sort().join(",")')" "Aroha Ltd,Kowhai Cafe"
eq "vendors" "$(qq Vendor 'l.map(x => x.DisplayName).join(",")')" "Totara Supplies"
eq "item W-1" "$(qq Item "(i => [i.Type, i.IncomeAccountRef ? 'income' : 'none'].join('|'))(l.find(i => i.Name == 'W-1'))")" \
	"Service|income"

# --- sales: the same totals as in Xero
eq "SO-1" "$(one Invoice SO-1 'c(x.TotalAmt) + "|" + x.GlobalTaxCalculation')" "33.35|TaxExcluded"
eq "SO-2 inclusive" "$(one Invoice SO-2 'c(x.TotalAmt) + "|" + x.GlobalTaxCalculation')" "69.00|TaxInclusive"
eq "SO-3 no tax" "$(one Invoice SO-3 'c(x.TotalAmt) + "|" + x.GlobalTaxCalculation')" "40.00|NotApplicable"
eq "DocNumbers fit" "$(qq Invoice 'l.every(x => x.DocNumber.length <= 21)')" true
eq "every line: Amount = Qty x UnitPrice" \
	"$(qq Invoice "l.every(x => x.Line.filter(n => n.SalesItemLineDetail && n.SalesItemLineDetail.Qty !== undefined).every(n => Math.round(n.SalesItemLineDetail.Qty * n.SalesItemLineDetail.UnitPrice * 100) == Math.round(n.Amount * 100)))")" true
eq "credit memo CN-1" "$(one CreditMemo CN-1 'c(x.TotalAmt)')" "14.38"

# --- purchases: bills, orders, a supplier credit
eq "bills" "$(qq Bill 'l.length')" 2
eq "bill of PO-2" "$(qq Bill "(x => x ? x.DocNumber + '|' + c(x.TotalAmt) : 'missing')(l.find(x => x.DocNumber == 'INV-77 / PO-2'))")" "INV-77 / PO-2|28.75"
eq "purchase orders" "$(qq PurchaseOrder 'l.map(x => x.DocNumber + ":" + c(x.TotalAmt)).sort().join(",")')" \
	"PO-1:57.50,PO-3:11.50"
eq "vendor credit" "$(qq VendorCredit 'l.map(x => x.DocNumber + ":" + c(x.TotalAmt)).join(",")')" "SCN-1:11.50"

# --- money: payments link their documents; refunds and allocations
eq "PAY-1 pays SO-1 in full" \
	"$(qq Payment "(p => c(p.TotalAmt) + '|' + p.Line[0].LinkedTxn[0].TxnType)(l.find(x => x.PrivateNote.startsWith('[booksync Payment/payment:PAY-1 ')))")" \
	"33.35|Invoice"
eq "SO-1 balance" "$(one Invoice SO-1 'c(x.Balance)')" "0.00"
eq "bill payment" "$(qq BillPayment 'l.map(x => c(x.TotalAmt) + "|" + x.Line[0].LinkedTxn[0].TxnType).join(",")')" \
	"10.00|Bill"
eq "store credit used: a payment of 0" \
	"$(qq Payment "(p => c(p.TotalAmt) + '|' + p.Line.map(n => n.LinkedTxn[0].TxnType).join('+'))(l.find(x => x.PrivateNote.startsWith('[booksync Allocation/')))")" \
	"0.00|Invoice+CreditMemo"
eq "refunds are expenses to the customer" \
	"$(qq Purchase "l.filter(x => x.PrivateNote.includes(' CreditNote/')).map(x => x.EntityRef.type + ':' + c(x.TotalAmt)).sort().join(',')")" \
	"Customer:14.38,Customer:5.00"
eq "money task spent" "$(qq Purchase "(x => x.DocNumber + '|' + c(x.TotalAmt))(l.find(x => x.PrivateNote == '[booksync BankTransaction/money_task:MT-2]'))")" \
	"MT-2|23.00"
eq "journals keyed by narration" "$(qq JournalEntry "l.filter(x => /\\[(adjustment|cogs|gift_voucher):[^\\]]+\\]$/.test(x.PrivateNote)).length")" 4

# --- a second sync sends nothing again
bs_sync
eq "second sync posts nothing" "$(jv j.posted <"$T/sync.json")" 0
eq "invoices still 4" "$(qq Invoice 'l.length')" 4

finish
