#!/bin/sh
# sync_rules.sh - the eligibility rules (docs/states-and-tabs.md
# "Eligibility", "Tabs", "Sync states"): what waits and why, what is skipped and why, what
# Sync All covers, Upload Selected, and that a second sync writes nothing.
# Assertions read the sandbox (GET, request log), not booksync's summary.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"

cat >"$T/rules.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"supplier","id":"S-1","name":"Totara Supplies"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"A","qty":"1","unit_price":"10.00","tax_rate":"15"}]}
{"kind":"sale","id":"SO-2","reference":"SO-2","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"B","qty":"1","unit_price":"20.00","tax_rate":"15"}]}
{"kind":"sale","id":"SO-W","reference":"SO-W","customer_id":"C-1","date":"2026-10-01","version":1,"invoiced":false,"status":"open","tax_mode":"exclusive","lines":[{"description":"W","qty":"1","unit_price":"30.00","tax_rate":"15"}]}
{"kind":"sale","id":"SO-Z","reference":"SO-Z","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"Free","qty":"1","unit_price":"10.00","discount_pct":"100","tax_rate":"15"}]}
{"kind":"sale","id":"SO-ZP","reference":"SO-ZP","customer_id":"C-1","date":"2026-10-01","status":"paid","tax_mode":"exclusive","lines":[{"description":"Free but paid","qty":"1","unit_price":"0","tax_rate":"15"}]}
{"kind":"sale","id":"SO-NEG","reference":"SO-NEG","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"Refund","qty":"-1","unit_price":"10.00","tax_rate":"15"}]}
{"kind":"sale","id":"SO-C","reference":"SO-C","customer_id":"C-9","date":"2026-10-01","invoiced":true,"tax_mode":"none","lines":[{"description":"C","qty":"1","unit_price":"5.00","tax_rate":"0"}]}
{"kind":"payment","id":"PAY-X","sale_id":"SO-X","date":"2026-10-02","amount":"5.00","account":"090"}
{"kind":"payment","id":"PAY-1","sale_id":"SO-1","date":"2026-10-02","amount":"11.50","account":"090"}
{"kind":"purchase","id":"PO-O","reference":"PO-O","supplier_id":"S-1","date":"2026-10-01","status":"open","tax_mode":"exclusive","lines":[{"description":"O","qty":"1","unit_cost":"5.00","tax_rate":"15"}]}
{"kind":"purchase","id":"PO-B","reference":"PO-B","supplier_id":"S-1","version":1,"date":"2026-10-01","status":"billed","invoice_date":"2026-10-02","tax_mode":"exclusive","lines":[{"description":"B","qty":"1","unit_cost":"5.00","tax_rate":"15"}]}
{"kind":"purchase","id":"PO-I","reference":"PO-I","supplier_id":"S-1","date":"2026-10-01","status":"billed","supplier_invoice_no":"SI-1","invoice_date":"2026-10-02","tax_mode":"exclusive","lines":[{"description":"I","qty":"1","unit_cost":"8.00","tax_rate":"15"}]}
{"kind":"cogs","id":"CG-1","sale_id":"SO-1","date":"2026-10-01","lines":[{"sku":"W-1","cost":"4.00"}]}
{"kind":"journal","id":"J-1","reference":"J-1","date":"2026-10-08","lines":[{"account":"429","debit":"10.00"},{"account":"260","credit":"10.00"}]}
J

sb_start --limits off
U=$SB_URL
fresh_store rules
expect 0 "$B" import "$T/rules.jsonl"
connect "$U"
xlogin "$U"

accrec() { xq Invoices "j.Invoices.filter(i => i.Type == 'ACCREC').map(i => i.Reference).sort().join(',')"; }

# --- Upload Selected: only SO-2 (and the contact it needs) --------------------
# The documented order puts --json after the REF list (usage line); a dry run
# so that a parse failure here does not derail the rest.
expect 0 "$B" sync --tab invoices --select SO-2 --dry-run --json
bs_sync --tab invoices --select SO-2
eq "--select SO-2 exit" "$bs_rc" 0
eq "only SO-2 in Xero" "$(accrec)" SO-2
eq "its contact created" "$(xq Contacts "j.Contacts.map(c => c.Name).join(',')")" "Aroha Ltd"
eq "no bills, journals yet" "$(xq Invoices "j.Invoices.filter(i => i.Type == 'ACCPAY').length"),$(xq ManualJournals 'j.ManualJournals.length')" "0,0"

# --- a payment waits for its sale to be synced (only contacts are pulled in) ----
bs_sync --tab sales/payments
eq "payments before their sales: none in Xero, no sale pulled in" "$(xq Payments 'j.Payments.length'),$(accrec)" "0,SO-2"
jv 'JSON.stringify(j.waiting_records)' <"$T/sync.json" >"$T/waiting"
has "$T/waiting" '"payment:PAY-1"'
has "$T/waiting" 'SO-1'

# --- a dry run sends and saves nothing ----------------------------------------
seq=$(log_total "$U")
expect 0 "$B" sync --dry-run --everything
has "$T/out" "SO-1"
eq "dry run: no API calls at all" "$(curl -s "$U/sandbox/log?since=$seq" | jv 'j.entries.filter(e => e.path.startsWith("/api.xro/")).length')" 0
expect 0 "$B" pending --tab invoices
has "$T/out" "SO-1"

# --- Sync All: customers, invoices, suppliers, supplier invoices, COGS --------
expect 0 "$B" settings disable_po_sync true
bs_sync
eq "Sync All exit" "$bs_rc" 0
eq "invoices after Sync All" "$(accrec)" "SO-1,SO-2,SO-ZP"
eq "\$0 sale marked paid is posted at 0.00" \
	"$(xq Invoices "(i => i && c(i.Total))(j.Invoices.find(i => i.Reference == 'SO-ZP'))")" 0.00
eq "bill SI-1 / PO-I" "$(xq Invoices "j.Invoices.filter(i => i.Type == 'ACCPAY').map(i => i.InvoiceNumber + '=' + c(i.Total)).join(',')")" \
	"SI-1 / PO-I=9.20"
eq "supplier contact" "$(xq Contacts "j.Contacts.filter(c => c.Name == 'Totara Supplies').length")" 1
eq "only the COGS journal" "$(xq ManualJournals "j.ManualJournals.map(m => /CG-1/.test(m.Narration) ? 'CG-1' : m.Narration).join(',')")" CG-1
eq "no purchase order, no payment" "$(xq PurchaseOrders 'j.PurchaseOrders.length'),$(xq Payments 'j.Payments.length')" "0,0"
jv 'JSON.stringify(j.skipped_records)' <"$T/sync.json" >"$T/skipped"
has "$T/skipped" '"sale:SO-Z"'
has "$T/skipped" 'zero'
has "$T/skipped" '"sale:SO-NEG"'
has "$T/skipped" 'negative'
# the reason is kept with the record, not only printed once
expect 0 "$B" history sale:SO-NEG
has "$T/out" "skipped"
has "$T/out" "negative"
expect 0 "$B" history sale:SO-Z
has "$T/out" "zero"

# what waits says why (pending), and journals are left for their own tab
expect 0 "$B" pending --tab invoices
has "$T/out" "SO-W"
has "$T/out" "not invoiced"
has "$T/out" "SO-C"
has "$T/out" "C-9"
lacks "$T/out" "SO-Z "
expect 0 "$B" pending --tab supplier-invoices
has "$T/out" "PO-B"
has "$T/out" "supplier invoice number"
expect 0 "$B" pending --tab journals
has "$T/out" "J-1"
expect 0 "$B" pending --tab sales/payments
has "$T/out" "PAY-1"

# --- a second sync right after a complete one writes nothing -------------------
seq=$(log_total "$U")
bs_sync
eq "second Sync All: write_calls" "$(jv j.write_calls <"$T/sync.json")" 0
eq "second Sync All: writes in the sandbox log" "$(writes_since "$U" "$seq")" 0

# --- disable payment sync / PO sync: skipped, nothing sent -------------------------
expect 0 "$B" settings disable_payment_sync true
bs_sync --tab sales/payments
eq "payments skipped: none in Xero" "$(xq Payments 'j.Payments.length')" 0
jv 'JSON.stringify(j.skipped_records)' <"$T/sync.json" >"$T/skipped"
has "$T/skipped" '"payment:PAY-1"'
has "$T/skipped" 'disabled'
bs_sync --tab purchase-orders
eq "POs skipped: none in Xero" "$(xq PurchaseOrders 'j.PurchaseOrders.length')" 0
jv 'JSON.stringify(j.skipped_records)' <"$T/sync.json" >"$T/skipped"
has "$T/skipped" '"purchase:PO-O"'
has "$T/skipped" 'disabled'

# payments back on: reset the skipped ones; PAY-1 posts, PAY-X waits for SO-X
expect 0 "$B" settings disable_payment_sync false
expect 0 "$B" reset PAY-1 PAY-X
bs_sync --tab sales/payments
eq "PAY-1 posted" "$(xq Invoices "(i => i.Status + ' ' + c(i.AmountDue))(j.Invoices.find(i => i.Reference == 'SO-1'))")" "PAID 0.00"
eq "payments in Xero" "$(xq Payments "j.Payments.map(p => p.Reference).join(',')")" PAY-1
expect 0 "$B" pending --tab sales/payments
has "$T/out" "PAY-X"
has "$T/out" "SO-X"

# --- late arrivals: contact, invoiced version, supplier invoice number, sale ------
cat >"$T/late.jsonl" <<'J'
{"kind":"customer","id":"C-9","name":"Late Customer"}
{"kind":"sale","id":"SO-W","reference":"SO-W","customer_id":"C-1","date":"2026-10-01","version":2,"invoiced":true,"tax_mode":"exclusive","lines":[{"description":"W","qty":"1","unit_price":"30.00","tax_rate":"15"}]}
{"kind":"purchase","id":"PO-B","reference":"PO-B","supplier_id":"S-1","version":2,"date":"2026-10-01","status":"billed","supplier_invoice_no":"SI-2","invoice_date":"2026-10-02","tax_mode":"exclusive","lines":[{"description":"B","qty":"1","unit_cost":"5.00","tax_rate":"15"}]}
{"kind":"sale","id":"SO-X","reference":"SO-X","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"none","lines":[{"description":"X","qty":"1","unit_price":"5.00","tax_rate":"0"}]}
J
expect 0 "$B" import "$T/late.jsonl"
bs_sync
eq "Sync All after late arrivals" "$bs_rc" 0
eq "invoices now" "$(accrec)" "SO-1,SO-2,SO-C,SO-W,SO-X,SO-ZP"
eq "SO-C's contact" "$(xq Invoices "j.Invoices.find(i => i.Reference == 'SO-C').Contact.Name")" "Late Customer"
eq "SO-W total" "$(xq Invoices "c(j.Invoices.find(i => i.Reference == 'SO-W').Total)")" 34.50
eq "bill SI-2 / PO-B" "$(xq Invoices "j.Invoices.filter(i => i.Type == 'ACCPAY' && i.InvoiceNumber == 'SI-2 / PO-B').length")" 1
eq "skipped stay out of Xero" "$(xq Invoices "j.Invoices.filter(i => ['SO-Z','SO-NEG'].includes(i.Reference)).length")" 0
bs_sync --tab sales/payments
eq "PAY-X posted once SO-X is in" "$(xq Invoices "(i => i.Status)(j.Invoices.find(i => i.Reference == 'SO-X'))")" PAID

# --- everything else, then nothing more to write ----------------------------------
bs_sync --everything
eq "--everything exit" "$bs_rc" 0
eq "J-1 posted by --everything" "$(xq ManualJournals "j.ManualJournals.filter(m => /J-1/.test(m.Narration)).length")" 1
eq "still no PO (PO sync off)" "$(xq PurchaseOrders 'j.PurchaseOrders.length')" 0
seq=$(log_total "$U")
bs_sync --everything
eq "second --everything: write_calls" "$(jv j.write_calls <"$T/sync.json")" 0
eq "second --everything: writes in the sandbox log" "$(writes_since "$U" "$seq")" 0
eq "no duplicate ACCREC numbers" "$(xq Invoices "(a => a.length - new Set(a).size)(j.Invoices.map(i => i.InvoiceNumber))")" 0

# --- a second ledger: sync state is per target ---------------------------------------
ta=xero:$X_TEN
sb_start --limits off
U2=$SB_URL
connect "$U2"
xlogin "$U2"
tb=xero:$X_TEN
expect 2 "$B" sync && has "$T/err" "--target"
expect 0 "$B" pending --target "$tb" --json
eq "everything pending again for the new ledger" "$(jv 'j.total > 0' <"$T/out")" true
seq=$(log_total "$U")
bs_sync --target "$tb" --everything
eq "sync to the second ledger" "$bs_rc" 0
eq "the first ledger untouched" "$(writes_since "$U" "$seq")" 0
eq "second ledger: same invoices" "$(accrec)" "SO-1,SO-2,SO-C,SO-W,SO-X,SO-ZP"
expect 0 "$B" pending --target "$ta" --json
eq "first ledger still has nothing pending" "$(jv j.total <"$T/out")" 0

finish
