#!/bin/sh
# sync_purchases_004_qbo.sh - purchase orders and bills on QuickBooks Online
# (docs/states-and-tabs.md "Purchase orders and bills"), against `booksync
# sandbox qbo`: DocNumber cut to 21 with the whole reference in PrivateNote;
# two references the cut makes one fail the second, naming both, nothing
# posted; unbilled orders go up as PurchaseOrders only with
# upload_po_as_qbo_po; an order uploaded as a PurchaseOrder and billed since
# lands on Errors > Supplier Invoices with what to do by hand; a tax rate the
# company lacks says what to do; fix, then re-upload.  A billed order without
# an invoice date waits, no bill, until its next version has one.  An order
# with upload_po_as_qbo_po whose account the chart lacks, or whose account
# QuickBooks refuses (made inactive there), lands on Errors > Purchase Orders
# with a message; fixed and re-uploaded, it posts once.  A supplier imported
# but not linked to QuickBooks (its Vendor refused, then reset and refused
# again) holds its bill back, with the reason, until its Vendor posts.
# Assertions read the sandbox through its API (/query), not booksync's summary.
set -u
BS_LEDGER=qbo
. "$(dirname "$0")/lib/sync_lib.sh"
export BOOKSYNC_QBO_CLIENT_ID=cid BOOKSYNC_QBO_CLIENT_SECRET=sec

line() { # line UNIT RATE [ACCOUNT]
	printf '"tax_mode":"exclusive","lines":[{"description":"Stock","qty":"2","unit_cost":"%s","tax_rate":"%s","account":"%s"}]' "$1" "$2" "${3:-429}"
}
pur() { # pur ID REF STATUS EXTRA UNIT RATE [VERSION [ACCOUNT]]
	printf '{"kind":"purchase","id":"%s","reference":"%s","supplier_id":"S-1","version":%s,"date":"2026-10-01","status":"%s"%s,%s}\n' \
		"$1" "$2" "${7:-1}" "$3" "$4" "$(line "$5" "$6" "${8:-429}")"
}
BILLED=',"supplier_invoice_no":"INV-2024-0001","invoice_date":"2026-10-02"'

{
	echo '{"kind":"supplier","id":"S-1","name":"Kauri Supplies"}'
	pur PA-1 PO-1234 billed "$BILLED" 10.00 15
	pur PA-2 PO-1299 billed "$BILLED" 4.00 15
	pur PA-4 PURCHASE-ORDER-2024-000123 open "" 5.00 15
	pur PA-5 PO-5 open ',"dispatch_date":"2026-10-03"' 5.00 15
	pur PA-6 PO-6 billed ',"invoice_date":"2026-10-02"' 1.00 15
	pur PA-9 PO-9 billed ',"supplier_invoice_no":"INV-9","invoice_date":"2026-10-02"' 3.00 9
	pur PA-7 PO-7 billed ',"supplier_invoice_no":"INV-7"' 2.00 15
	echo "{\"kind\":\"purchase\",\"id\":\"PA-C\",\"reference\":\"PO-C\",\"supplier_id\":\"S-9\",\"date\":\"2026-10-01\",\"status\":\"billed\"$BILLED,$(line 1.00 15)}"
} >"$T/p.jsonl"

sb_start --limits off
U=$SB_URL
REALM=$(sed -n 's/.*default realm \([0-9][0-9]*\).*/\1/p' "$T/sb1.err" | head -n 1)

# a second app's token, to read the company as QuickBooks holds it
code=$(curl -s -o /dev/null -w '%{redirect_url}' \
	"$U/connect/oauth2?client_id=cid&response_type=code&scope=com.intuit.quickbooks.accounting&state=s&redirect_uri=http://127.0.0.1:9/cb" |
	sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
TOK=$(curl -s -X POST -u cid:sec -d grant_type=authorization_code -d "code=$code" \
	-d redirect_uri=http://127.0.0.1:9/cb "$U/oauth2/v1/tokens/bearer" | jv j.access_token)
qpost() { # qpost ENTITY BODY: create or update, the answer on stdout
	curl -s -X POST -H "Authorization: Bearer $TOK" -H "Accept: application/json" \
		-H "Content-Type: application/json" -d "$2" "$U/v3/company/$REALM/$1"
}
# an account of the company's own, read on connect (made inactive later)
FREIGHT=$(qpost account '{"Name":"Freight","AcctNum":"431","AccountType":"Expense"}' | jv j.Account.Id)
case $FREIGHT in [0-9]*) ;; *) bad "creating the Freight account: $FREIGHT" ;; esac

fresh_store q004
expect 0 "$B" import "$T/p.jsonl"
expect 0 "$B" connect qbo --base-url "$U" </dev/null
TGT=qbo:$REALM
q() { # q ENTITY EXPR: EXPR over the entity's list (bound to a)
	curl -s -G -H "Authorization: Bearer $TOK" -H "Accept: application/json" \
		--data-urlencode "query=select * from $1" "$U/v3/company/$REALM/query" |
		jv "(a => $2)(j.QueryResponse.$1 || [])"
}
bills() { q Bill 'a.map(b => b.DocNumber + "|" + b.PrivateNote + "=" + c(b.TotalAmt)).sort().join(",")'; }
row() { jv "(r => r ? $3 : 'none')((j.rows || j.errors).find(r => r.id == '$2' || r.ref == 'purchase:$2'))" <"$1"; }

# --- Sync All: the bill, its number cut, its reference whole -------------------
bs_sync
eq "Sync All with failures exits 1" "$bs_rc" 1
eq "one bill: DocNumber 21, PrivateNote whole" "$(bills)" \
	"INV-2024-0001 / PO-12|INV-2024-0001 / PO-1234=23.00"
eq "no purchase order without the setting" "$(q PurchaseOrder a.length)" 0
eq "no bill for PA-7 (no invoice date)" "$(q Bill 'a.filter(b => /INV-7/.test(b.DocNumber + b.PrivateNote)).length')" 0
eq "Sync All says why PA-7 waits" \
	"$(jv "j.waiting_records.filter(r => r.ref == 'purchase:PA-7').map(r => r.reason).join()" <"$T/sync.json")" \
	"needs an invoice date"

# the clash: the second fails naming both; nothing posted for it
expect 0 "$B" errors --tab supplier-invoices --json
cp "$T/out" "$T/err1"
eq "PA-2 on Errors > Supplier Invoices" "$(row "$T/err1" PA-2 r.tab)" purchases/supplier-invoices
eq "the message names both" \
	"$(row "$T/err1" PA-2 'r.message.includes("\"INV-2024-0001 / PO-1299\" becomes \"INV-2024-0001 / PO-12\" in QuickBooks Online (21 characters)") && r.message.includes("purchase PA-1") && r.message.includes("\"INV-2024-0001 / PO-1234\"")')" true
eq "its reference whole" "$(row "$T/err1" PA-2 r.reference)" "INV-2024-0001 / PO-1299"
eq "the tax rate the company lacks" \
	"$(row "$T/err1" PA-9 '/9% tax rate/.test(r.message) && /tax.purchases.9/.test(r.message) && /add the rate in QuickBooks Online/.test(r.message)')" true

# Sync All leaves Purchase Orders alone; their own tab, with the setting off:
# unbilled orders wait to be billed
bs_sync --tab purchase-orders
eq "still no purchase order" "$(q PurchaseOrder a.length)" 0

# what waits says why
expect 0 "$B" pending --tab purchases --json
cp "$T/out" "$T/pend1"
eq "PA-4 waits to be billed" "$(row "$T/pend1" PA-4 r.reason)" \
	"not billed yet (purchase orders go to QuickBooks Online only with the setting upload_po_as_qbo_po)"
eq "PA-6 waits for its number" "$(row "$T/pend1" PA-6 r.reason)" "needs a supplier invoice number"
eq "PA-7 waits for its invoice date" "$(row "$T/pend1" PA-7 'r.state + ": " + r.reason')" \
	"waiting: needs an invoice date"
eq "PA-7 not imported" "$(row "$T/pend1" PA-7 r.accounting_status)" "Not Imported Yet Or Reset For Re-import"
eq "PA-C waits for its contact" "$(row "$T/pend1" PA-C r.reason)" "supplier S-9 not imported yet"
eq "Accounting Status of what waits" "$(row "$T/pend1" PA-4 r.accounting_status)" \
	"Not Imported Yet Or Reset For Re-import"
expect 0 "$B" history purchase:PA-1
has "$T/out" "Accounting Status on $TGT: Imported"
has "$T/out" "Reference: INV-2024-0001 / PO-1234"

# --- upload_po_as_qbo_po: unbilled orders as PurchaseOrders ---------------------
expect 0 "$B" settings upload_po_as_qbo_po true
bs_sync --tab purchase-orders
eq "the purchase order, its number cut" \
	"$(q PurchaseOrder 'a.map(p => p.DocNumber + "|" + p.PrivateNote + "=" + c(p.TotalAmt)).join(",")')" \
	"PURCHASE-ORDER-2024-0|PURCHASE-ORDER-2024-000123=11.50"
expect 0 "$B" pending --tab purchase-orders --json
eq "dispatched: no longer unbilled" "$(row "$T/out" PA-5 r.reason)" \
	"not billed yet, and no longer uploadable as a purchase order: its invoice date, invoice number and dispatch date must be empty"

# --- billed after it went up as a PurchaseOrder: by hand -------------------------
pur PA-4 PURCHASE-ORDER-2024-000123 billed ',"supplier_invoice_no":"INV-4","invoice_date":"2026-10-05"' 5.00 15 2 >"$T/b4.jsonl"
expect 0 "$B" import "$T/b4.jsonl"
bs_sync
expect 0 "$B" errors --tab supplier-invoices --json
eq "on Errors > Supplier Invoices with what to do" "$(row "$T/out" PA-4 r.message)" \
	"uploaded to QuickBooks Online as a purchase order, so it cannot sync as a bill: create the bill by hand in QuickBooks Online and add the purchase order to it"
eq "no bill for it" "$(q Bill 'a.filter(b => /INV-4/.test(b.DocNumber)).length')" 0
eq "its purchase order untouched" "$(q PurchaseOrder 'a.length + " " + a[0].POStatus')" "1 Open"

# --- fix, then re-upload ----------------------------------------------------------
{
	pur PA-2 PO-1299 billed ',"supplier_invoice_no":"INV-2024-0002","invoice_date":"2026-10-02"' 4.00 15 2
	pur PA-9 PO-9 billed ',"supplier_invoice_no":"INV-9","invoice_date":"2026-10-02"' 3.00 15 2
	pur PA-7 PO-7 billed ',"supplier_invoice_no":"INV-7","invoice_date":"2026-10-04"' 2.00 15 2
} >"$T/fix.jsonl"
expect 0 "$B" import "$T/fix.jsonl"
bs_sync --tab supplier-invoices
eq "fixed bills posted" "$(bills)" \
	"INV-2024-0001 / PO-12|INV-2024-0001 / PO-1234=23.00,INV-2024-0002 / PO-12|INV-2024-0002 / PO-1299=9.20,INV-7 / PO-7|INV-7 / PO-7=4.60,INV-9 / PO-9|INV-9 / PO-9=6.90"
eq "PA-7's bill dated by its invoice date" "$(q Bill 'a.filter(b => b.DocNumber == "INV-7 / PO-7").map(b => b.TxnDate).join()')" 2026-10-04
expect 0 "$B" errors --tab supplier-invoices --json
eq "only the one to do by hand is left" "$(jv 'j.errors.map(e => e.ref).join(",")' <"$T/out")" purchase:PA-4

# --- Errors > Purchase Orders (upload_po_as_qbo_po on): fix, re-upload, once ------
# PA-8 names an account the chart lacks (refused before anything is sent);
# PA-10 names Freight, which QuickBooks refuses once it is made inactive there
pos() { # pos DOCNUMBER: that purchase order's count and totals in the sandbox
	q PurchaseOrder "a.filter(p => p.DocNumber == '$1').map(p => c(p.TotalAmt)).join(',') || 'none'"
}
{
	pur PA-8 PO-8 open "" 3.00 15 1 999
	pur PA-10 PO-10 open "" 4.00 15 1 431
} >"$T/po.jsonl"
expect 0 "$B" import "$T/po.jsonl"
st=$(curl -s -H "Authorization: Bearer $TOK" -H "Accept: application/json" \
	"$U/v3/company/$REALM/account/$FREIGHT" | jv j.Account.SyncToken)
eq "Freight made inactive in QuickBooks" \
	"$(qpost account "{\"Id\":\"$FREIGHT\",\"SyncToken\":\"$st\",\"sparse\":true,\"Active\":false}" | jv j.Account.Active)" false
bs_sync --tab purchase-orders
eq "Upload All with refused orders exits 1" "$bs_rc" 1
expect 0 "$B" errors --tab purchase-orders --json
cp "$T/out" "$T/errpo"
eq "both on Errors > Purchase Orders" \
	"$(jv 'j.errors.map(e => e.tab + " " + e.ref).sort().join(",")' <"$T/errpo")" \
	"purchases/purchase-orders purchase:PA-10,purchases/purchase-orders purchase:PA-8"
eq "PA-8: the account the chart lacks" \
	"$(row "$T/errpo" PA-8 '/account 999/.test(r.message) && /not in the ledger.s chart/.test(r.message)')" true
eq "PA-10: QuickBooks' own words" \
	"$(row "$T/errpo" PA-10 '/^610: /.test(r.message) && /inactive/.test(r.message)')" true
eq "PA-10's reference" "$(row "$T/errpo" PA-10 r.reference)" PO-10
eq "nothing posted for PA-8" "$(pos PO-8)" none
eq "nothing posted for PA-10" "$(pos PO-10)" none
expect 0 "$B" errors --tab supplier-invoices --json
eq "not on Errors > Supplier Invoices" "$(jv 'j.errors.filter(e => /PA-8|PA-10/.test(e.ref)).length' <"$T/out")" 0

# fix: PA-8's next version names 429; Freight active again, PA-10 re-uploaded
pur PA-8 PO-8 open "" 3.00 15 2 429 >"$T/po8.jsonl"
expect 0 "$B" import "$T/po8.jsonl"
st=$(curl -s -H "Authorization: Bearer $TOK" -H "Accept: application/json" \
	"$U/v3/company/$REALM/account/$FREIGHT" | jv j.Account.SyncToken)
eq "Freight active again" \
	"$(qpost account "{\"Id\":\"$FREIGHT\",\"SyncToken\":\"$st\",\"sparse\":true,\"Active\":true}" | jv j.Account.Active)" true
expect 0 "$B" reset purchase:PA-10
bs_sync --tab purchase-orders
eq "re-upload exits 0" "$bs_rc" 0
eq "PA-8 posted once" "$(pos PO-8)" 6.90
eq "PA-10 posted once" "$(pos PO-10)" 9.20
eq "PA-10 on Freight" \
	"$(q PurchaseOrder "a.filter(p => p.DocNumber == 'PO-10').map(p => p.Line[0].AccountBasedExpenseLineDetail.AccountRef.value).join()")" "$FREIGHT"
expect 0 "$B" errors --tab purchase-orders --json
eq "Errors > Purchase Orders empty" "$(jv j.count <"$T/out")" 0
bs_sync --tab purchase-orders
eq "a second upload posts nothing" "$(pos PO-8) $(pos PO-10)" "6.90 9.20"
expect 0 "$B" history purchase:PA-10
has "$T/out" "Accounting Status on $TGT: Imported"

# --- a supplier imported but not linked to QuickBooks: its bill waits -----------
# S-2's Vendor is refused by QuickBooks (a currency the company lacks), in
# the same Sync All as its bill: the bill is set aside, no Bill is posted
vbills() { q Bill "a.filter(b => /INV-B1/.test(b.DocNumber)).map(b => b.DocNumber + '@' + b.VendorRef.value + '=' + c(b.TotalAmt)).join(',') || 'none'"; }
qwrites() { # qwrites SEQ: API writes logged from SEQ on
	curl -s "$U/sandbox/log?since=$1" | jv 'j.entries.filter(e => e.path.startsWith("/v3/company/") && e.method !== "GET").length'
}
{
	echo '{"kind":"supplier","id":"S-2","name":"Rimu Timber","currency":"CHF"}'
	echo "{\"kind\":\"purchase\",\"id\":\"PB-1\",\"reference\":\"PO-B1\",\"supplier_id\":\"S-2\",\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"INV-B1\",\"invoice_date\":\"2026-10-02\",$(line 10.00 15)}"
} >"$T/s2.jsonl"
expect 0 "$B" import "$T/s2.jsonl"
bs_sync
eq "a refused Vendor: Sync All exits 1" "$bs_rc" 1
eq "the Vendor's Fault" "$(jv "j.errors.filter(e => e.ref == 'supplier:S-2').map(e => e.reason).join()" <"$T/sync.json")" \
	"6000: Currency CHF is not in the company's currency list"
eq "no Vendor Rimu Timber" "$(q Vendor 'a.filter(v => v.DisplayName == "Rimu Timber").length')" 0
eq "no bill for PB-1" "$(vbills)" none
eq "Sync All lists PB-1 as waiting, and why" \
	"$(jv "j.waiting_records.filter(r => r.ref == 'purchase:PB-1').map(r => r.reason).join()" <"$T/sync.json")" \
	"Contact/supplier:S-2 is not in the ledger (see errors)"
expect 0 "$B" pending --tab supplier-invoices --json
eq "PB-1 waits for S-2" "$(row "$T/out" PB-1 'r.state + ": " + r.reason + " / " + r.accounting_status')" \
	"waiting: Contact/supplier:S-2 is not in the ledger (see errors) / Not Imported Yet Or Reset For Re-import"
s2link() { sqlite3 "$BOOKSYNC_DB" "select ledger_id from links where source_id = 'S-2' and ledger_type = 'Contact'" 2>&1; }
eq "S-2 not linked" "$(s2link)" ""

# Sync All again, S-2 still in error: the bill still waits, nothing is written
seq=$(log_total "$U")
bs_sync
eq "Sync All again: nothing written" "$(qwrites "$seq")" 0
eq "still no bill" "$(vbills)" none
expect 0 "$B" pending --tab supplier-invoices --json
eq "PB-1 waits for S-2 to sync" "$(row "$T/out" PB-1 'r.state + ": " + r.reason')" "waiting: supplier S-2 not synced yet"

# S-2 reset for re-import, still refused: its bill waits again
expect 0 "$B" reset supplier:S-2
bs_sync
eq "reset, refused again" "$(jv "j.errors.map(e => e.ref).join()" <"$T/sync.json")" supplier:S-2
eq "no bill after the reset either" "$(vbills)" none
expect 0 "$B" errors --tab suppliers --json
eq "S-2 on Errors > Suppliers" "$(jv "j.errors.map(e => e.tab + ' ' + e.ref).join()" <"$T/out")" "purchases/suppliers supplier:S-2"

# fixed (no foreign currency): Upload All of Supplier Invoices takes the
# Vendor it needs, then the bill, once, on that Vendor
echo '{"kind":"supplier","id":"S-2","name":"Rimu Timber","version":2}' >"$T/s2v2.jsonl"
expect 0 "$B" import "$T/s2v2.jsonl"
bs_sync --tab supplier-invoices
eq "fixed: exit 0" "$bs_rc" 0
VID=$(q Vendor 'a.filter(v => v.DisplayName == "Rimu Timber").map(v => v.Id).join()')
eq "one Vendor Rimu Timber" "$(q Vendor 'a.filter(v => v.DisplayName == "Rimu Timber").length')" 1
eq "S-2 linked to it" "$(s2link)" "$VID"
eq "PB-1's bill on it, once" "$(vbills)" "INV-B1 / PO-B1@$VID=23.00"
bs_sync
eq "a second Sync All: still once" "$(vbills)" "INV-B1 / PO-B1@$VID=23.00"
expect 0 "$B" history purchase:PB-1
has "$T/out" "Accounting Status on $TGT: Imported"

finish
