#!/bin/sh
# sync_purchases_004.sh - purchase orders and bills, the ledger-neutral rules
# (docs/states-and-tabs.md "Purchase orders and bills"), against the Xero
# sandbox: a billed purchase syncs as a bill only with an invoice date, a
# supplier invoice number and a linked contact, and only while its Accounting
# Status is Not Imported Yet Or Reset For Re-import, then Imported; its
# reference (supplier invoice number + purchase reference) shown whole; two
# references that the ledger's limit makes one fail the second, naming both;
# a tax rate the company lacks says what to do; Errors > Supplier Invoices
# and Errors > Purchase Orders, fixed and re-uploaded.
# Assertions read the sandbox through its API, not booksync's summary.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"

# 250 characters: with " / PO-L1" the bill number passes Xero's 255
LONG=$(printf 'L%.0s' $(seq 1 250))
line() { printf '"tax_mode":"exclusive","lines":[{"description":"Stock","qty":"2","unit_cost":"%s","tax_rate":"%s","account":"630"}]' "$1" "$2"; }

{
	echo '{"kind":"supplier","id":"S-1","name":"Kauri Supplies"}'
	echo "{\"kind\":\"purchase\",\"id\":\"PO-A\",\"reference\":\"PO-A\",\"supplier_id\":\"S-1\",\"version\":1,\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"SI-100\",\"invoice_date\":\"2026-10-02\",$(line 10.00 15)}"
	echo "{\"kind\":\"purchase\",\"id\":\"PO-N\",\"reference\":\"PO-N\",\"supplier_id\":\"S-1\",\"date\":\"2026-10-01\",\"status\":\"billed\",\"invoice_date\":\"2026-10-02\",$(line 1.00 15)}"
	echo "{\"kind\":\"purchase\",\"id\":\"PO-D\",\"reference\":\"PO-D\",\"supplier_id\":\"S-1\",\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"SI-D\",$(line 1.00 15)}"
	echo "{\"kind\":\"purchase\",\"id\":\"PO-C\",\"reference\":\"PO-C\",\"supplier_id\":\"S-9\",\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"SI-C\",\"invoice_date\":\"2026-10-02\",$(line 1.00 15)}"
	echo "{\"kind\":\"purchase\",\"id\":\"PO-T\",\"reference\":\"PO-T\",\"supplier_id\":\"S-1\",\"version\":1,\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"SI-T\",\"invoice_date\":\"2026-10-02\",$(line 5.00 9)}"
	echo "{\"kind\":\"purchase\",\"id\":\"PO-L1\",\"reference\":\"PO-L1\",\"supplier_id\":\"S-1\",\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"$LONG\",\"invoice_date\":\"2026-10-02\",$(line 3.00 15)}"
	echo "{\"kind\":\"purchase\",\"id\":\"PO-L2\",\"reference\":\"PO-L2\",\"supplier_id\":\"S-1\",\"version\":1,\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"$LONG\",\"invoice_date\":\"2026-10-02\",$(line 4.00 15)}"
	echo "{\"kind\":\"purchase\",\"id\":\"PO-O\",\"reference\":\"PO-O\",\"supplier_id\":\"S-1\",\"version\":1,\"date\":\"2026-10-01\",\"status\":\"open\",$(line 6.00 9)}"
} >"$T/p.jsonl"

sb_start --limits off
U=$SB_URL
fresh_store p004
expect 0 "$B" import "$T/p.jsonl"
connect "$U"
xlogin "$U"
TGT=$("$B" pending --json | jv j.target)

bills() { xq Invoices "j.Invoices.filter(i => i.Type == 'ACCPAY' && i.Status != 'DELETED' && i.Status != 'VOIDED').map(i => i.InvoiceNumber + '=' + c(i.Total)).sort().join(',')"; }
row() { # row FILE ID EXPR: EXPR over the pending/errors row of purchase ID (bound to r)
	jv "(r => r ? $3 : 'none')((j.rows || j.errors).find(r => r.id == '$2' || r.ref == 'purchase:$2'))" <"$1"
}

# --- before any sync: the reference whole, the Accounting Status -------------
expect 0 "$B" pending --tab supplier-invoices --json
cp "$T/out" "$T/pend0"
eq "pending: PO-A's reference is its bill's" "$(row "$T/pend0" PO-A r.reference)" "SI-100 / PO-A"
eq "pending: PO-A not imported yet" "$(row "$T/pend0" PO-A r.accounting_status)" \
	"Not Imported Yet Or Reset For Re-import"
eq "pending: the long reference whole" "$(row "$T/pend0" PO-L2 r.reference.length)" 258
expect 0 "$B" pending --tab supplier-invoices
has "$T/out" "PO-A                   2026-10-01 SI-100 / PO-A"
has "$T/out" "$LONG / PO-L2"

# --- Sync All: the bills that meet the three conditions ------------------------
bs_sync
eq "Sync All with failures exits 1" "$bs_rc" 1
eq "bills in Xero: PO-A and the first long one" "$(bills)" "$LONG / PO=6.90,SI-100 / PO-A=23.00"
eq "no purchase order from Sync All" "$(xq PurchaseOrders 'j.PurchaseOrders.length')" 0

# what waits says why
expect 0 "$B" pending --tab supplier-invoices --json
cp "$T/out" "$T/pend1"
eq "PO-N waits for its number" "$(row "$T/pend1" PO-N 'r.state + ": " + r.reason')" \
	"waiting: needs a supplier invoice number"
eq "PO-D waits for its date" "$(row "$T/pend1" PO-D 'r.state + ": " + r.reason')" \
	"waiting: needs an invoice date"
eq "PO-C waits for a contact linked to the ledger" "$(row "$T/pend1" PO-C r.reason)" \
	"supplier S-9 not imported yet"
eq "PO-A no longer pending" "$(row "$T/pend1" PO-A r.state)" none

# Errors > Supplier Invoices: the clash naming both, the tax rate with a hint
expect 1 "$B" sync --tab supplier-invoices --select PO-L2
has "$T/out" "fix it"
expect 0 "$B" errors --tab supplier-invoices --json
cp "$T/out" "$T/err1"
eq "errors on Supplier Invoices" "$(jv 'j.errors.map(e => e.ref).sort().join(",")' <"$T/err1")" \
	"purchase:PO-L2,purchase:PO-T"
eq "the clash names the other purchase" \
	"$(row "$T/err1" PO-L2 '/purchase PO-L1/.test(r.message) && r.message.includes("LLL / PO-L1\"") && r.message.includes("LLL / PO-L2\"")')" true
eq "the clash says what to do" "$(row "$T/err1" PO-L2 '/first 255 characters differ/.test(r.message)')" true
eq "the clash's reference whole" "$(row "$T/err1" PO-L2 r.reference)" "$LONG / PO-L2"
eq "the tax rate named, with a hint" \
	"$(row "$T/err1" PO-T '/9% tax rate/.test(r.message) && /tax.purchases.9/.test(r.message) && /add the rate in Xero/.test(r.message)')" true
expect 0 "$B" errors --tab supplier-invoices
has "$T/out" "purchase:PO-T            SI-T / PO-T - no active 9% tax rate"
expect 0 "$B" errors --tab purchase-orders --json
eq "nothing on Errors > Purchase Orders yet" "$(jv j.count <"$T/out")" 0

# --- Accounting Status: Imported; reset for re-import; synced again ------------
expect 0 "$B" history purchase:PO-A
has "$T/out" "Accounting Status on $TGT: Imported"
has "$T/out" "Reference: SI-100 / PO-A"
expect 0 "$B" history --json purchase:PO-A
eq "history: the last entry left it Imported" "$(jv 'j.history[j.history.length - 1].accounting_status' <"$T/out")" Imported
eq "history: status per ledger" "$(jv 'j.accounting_status.map(a => a.target + "=" + a.accounting_status).join(",")' <"$T/out")" "$TGT=Imported"
seq=$(log_total "$U")
bs_sync --tab supplier-invoices --select PO-A
eq "an Imported bill is not sent again" "$(writes_since "$U" "$seq")" 0
expect 0 "$B" reset purchase:PO-A
expect 0 "$B" history purchase:PO-A
has "$T/out" "Accounting Status on $TGT: Not Imported Yet Or Reset For Re-import"
expect 0 "$B" pending --tab supplier-invoices --json
eq "reset: pending again" "$(row "$T/out" PO-A r.accounting_status)" "Not Imported Yet Or Reset For Re-import"
bs_sync --tab supplier-invoices --select PO-A
eq "re-import exit" "$bs_rc" 0
eq "re-import updates the same bill" "$(xq Invoices "j.Invoices.filter(i => i.InvoiceNumber == 'SI-100 / PO-A').length")" 1
expect 0 "$B" history purchase:PO-A
has "$T/out" "Accounting Status on $TGT: Imported"

# --- fix, then re-upload -------------------------------------------------------
{
	echo "{\"kind\":\"purchase\",\"id\":\"PO-T\",\"reference\":\"PO-T\",\"supplier_id\":\"S-1\",\"version\":2,\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"SI-T\",\"invoice_date\":\"2026-10-02\",$(line 5.00 15)}"
	echo "{\"kind\":\"purchase\",\"id\":\"PO-L2\",\"reference\":\"PO-L2\",\"supplier_id\":\"S-1\",\"version\":2,\"date\":\"2026-10-01\",\"status\":\"billed\",\"supplier_invoice_no\":\"SI-L2\",\"invoice_date\":\"2026-10-02\",$(line 4.00 15)}"
} >"$T/fix.jsonl"
expect 0 "$B" import "$T/fix.jsonl"
bs_sync --tab supplier-invoices
eq "fixed bills posted" "$(bills)" "$LONG / PO=6.90,SI-100 / PO-A=23.00,SI-L2 / PO-L2=9.20,SI-T / PO-T=11.50"
expect 0 "$B" errors --tab supplier-invoices --json
eq "Errors > Supplier Invoices empty" "$(jv j.count <"$T/out")" 0

# --- Errors > Purchase Orders, then billed (Xero: the bill, the order BILLED) ---
bs_sync --tab purchase-orders
eq "an open purchase with an unknown rate" "$bs_rc" 1
expect 0 "$B" errors --tab purchase-orders --json
eq "on Errors > Purchase Orders" "$(jv 'j.errors.map(e => e.tab + " " + e.ref).join(",")' <"$T/out")" \
	"purchases/purchase-orders purchase:PO-O"
sed -e 's/"version":1/"version":2/' -e 's/"tax_rate":"9"/"tax_rate":"15"/' "$T/p.jsonl" | grep '"PO-O"' >"$T/po2.jsonl"
expect 0 "$B" import "$T/po2.jsonl"
bs_sync --tab purchase-orders
eq "the purchase order fixed and uploaded" "$(xq PurchaseOrders "j.PurchaseOrders.map(p => p.PurchaseOrderNumber + ' ' + p.Status + ' ' + c(p.Total)).join(',')")" "PO-O AUTHORISED 13.80"
sed -e 's/"version":1/"version":3/' -e 's/"status":"open"/"status":"billed","supplier_invoice_no":"SI-O","invoice_date":"2026-10-05"/' \
	-e 's/"tax_rate":"9"/"tax_rate":"15"/' "$T/p.jsonl" | grep '"PO-O"' >"$T/po3.jsonl"
expect 0 "$B" import "$T/po3.jsonl"
bs_sync
eq "billed after its order: the bill" "$(xq Invoices "j.Invoices.filter(i => i.InvoiceNumber == 'SI-O / PO-O').map(i => c(i.Total)).join(',')")" 13.80
eq "and its order marked billed" "$(xq PurchaseOrders "j.PurchaseOrders.map(p => p.Status).join(',')")" BILLED

# --- the setting is listed and checked -------------------------------------------
expect 0 "$B" settings
has "$T/out" "upload_po_as_qbo_po"
has "$T/out" "Upload purchase orders as QuickBooks purchase orders"
expect 0 "$B" settings upload_po_as_qbo_po true
expect 2 "$B" settings upload_po_as_qbo_po maybe
has "$T/err" "true|false"
# on Xero it changes nothing: a second Sync All writes nothing
seq=$(log_total "$U")
bs_sync
eq "setting on Xero: nothing new" "$(writes_since "$U" "$seq")" 0

finish
