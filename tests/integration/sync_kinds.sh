#!/bin/sh
# sync_kinds.sh - every record kind posts to the right Xero document with the
# right fields (docs/mapping-xero.md).  Each check
# reads back what the sandbox holds, as a second app would; booksync's own
# report is only used to know that the sync ran.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"

# one record of every kind (and a few variants); shared with sync_faults.sh
cp "$(dirname "$0")/lib/kinds.jsonl" "$T/kinds.jsonl"

sb_start --limits off
fresh_store kinds
expect 0 "$B" import "$T/kinds.jsonl"
connect "$SB_URL"
expect 0 "$B" settings reference_prefix WEB-
bs_sync --everything
eq "sync --everything exit" "$bs_rc" 0
eq "posted" "$(jv j.posted <"$T/sync.json")" 31
xlogin "$SB_URL"

# --- contacts and items -------------------------------------------------------
xget Contacts >"$T/contacts.json"
for n in "Aroha Ltd" "Kowhai Cafe" "Totara Supplies"; do
	eq "contacts named $n" "$(jv "j.Contacts.filter(c => c.Name == '$n').length" <"$T/contacts.json")" 1
done
eq "customer email" "$(jv "j.Contacts.find(c => c.Name == 'Aroha Ltd').EmailAddress" <"$T/contacts.json")" \
	accounts@aroha.example
eq "supplier email" "$(jv "j.Contacts.find(c => c.Name == 'Totara Supplies').EmailAddress" <"$T/contacts.json")" \
	ap@totara.example
xget Items >"$T/items.json"
eq "item W-1" "$(jv "(i => [i.Name, i.IsTrackedAsInventory].join('|'))(j.Items.find(i => i.Code == 'W-1'))" \
	<"$T/items.json")" "Widget|false"

# --- sales invoices -----------------------------------------------------------
xget Invoices >"$T/inv.json"
# inv REF FIELDS: the ACCREC invoice whose Reference is REF, as "f1|f2|..."
inv() {
	jv "(i => i ? [$2].join('|') : 'missing')(j.Invoices.find(i => i.Type == 'ACCREC' && i.Reference == '$1'))" \
		<"$T/inv.json"
}
eq "SO-1 invoice" "$(inv SO-1 'i.Contact.Name, i.LineAmountTypes, c(i.SubTotal), c(i.TotalTax), c(i.Total)')" \
	"Aroha Ltd|Exclusive|29.00|4.35|33.35"
eq "SO-1 lines" "$(inv SO-1 "i.LineItems.map(l => l.Quantity + 'x' + c(l.UnitAmount) + '@' + l.AccountCode + '/' + l.TaxType).join(',')")" \
	"2x12.50@200/OUTPUT2,1x4.00@200/OUTPUT2"
for r in SO-1 SO-2 SO-3; do
	num=$(inv $r i.InvoiceNumber)
	case $num in
	WEB-[0-9]*-$r) ok ;;
	*) bad "$r InvoiceNumber '$num' is not WEB-<serial>-$r (docs/mapping-xero.md)" ;;
	esac
done
eq "invoice numbers unique" "$(jv 'new Set(j.Invoices.filter(i => i.Type == "ACCREC").map(i => i.InvoiceNumber)).size' <"$T/inv.json")" 5
eq "ACCREC count" "$(jv 'j.Invoices.filter(i => i.Type == "ACCREC").length' <"$T/inv.json")" 5
# fx_rate is NZD per USD; Xero's CurrencyRate is sent as 1 / fx_rate
# (docs/mapping-xero.md "Currency")
eq "SO-USD" "$(inv SO-USD 'i.CurrencyCode, c(i.Total), i.CurrencyRate')" "USD|100.00|0.625"
eq "SO-2 inclusive" "$(inv SO-2 'i.LineAmountTypes, c(i.TotalTax), c(i.Total)')" "Inclusive|9.00|69.00"
eq "SO-3 (status invoiced, no tax)" "$(inv SO-3 'i.LineAmountTypes, c(i.Total)')" "NoTax|40.00"

# --- payments: AmountDue drops, PAID when fully paid --------------------------
eq "SO-1 paid" "$(inv SO-1 'i.Status, c(i.AmountPaid), c(i.AmountDue)')" "PAID|33.35|0.00"
eq "SO-2 part-paid" "$(inv SO-2 'i.Status, c(i.AmountPaid), c(i.AmountDue)')" "AUTHORISED|20.00|49.00"
xget Payments >"$T/pay.json"
eq "PAY-1" "$(jv "(p => [p.Invoice.InvoiceID == '$(inv SO-1 i.InvoiceID)', c(p.Amount), p.Account.Code].join('|'))(j.Payments.find(p => p.Reference == 'PAY-1'))" <"$T/pay.json")" \
	"true|33.35|090"

# --- credit notes ---------------------------------------------------------------
xget CreditNotes >"$T/cn.json"
cn() {
	jv "(i => i ? [$2].join('|') : 'missing')(j.CreditNotes.find(i => i.Reference == '$1' || i.CreditNoteNumber.endsWith('$1')))" \
		<"$T/cn.json"
}
eq "CN-1" "$(cn CN-1 'i.Type, i.Contact.Name, c(i.Total)')" "ACCRECCREDIT|Aroha Ltd|14.38"
# credit notes take no discount in Xero: 10.00 less 10 % folded into 9.00
eq "CN-D discount folded" "$(cn CN-D "c(i.Total), i.LineItems.map(l => l.Quantity + 'x' + c(l.UnitAmount) + '/' + (l.DiscountRate || 0)).join(',')")" \
	"31.05|3x9.00/0"
eq "SCN-1" "$(cn SCN-1 'i.Type, i.Contact.Name, c(i.Total)')" "ACCPAYCREDIT|Totara Supplies|11.50"
eq "SCN-1 line" "$(cn SCN-1 "i.LineItems.map(l => l.Quantity + 'x' + c(l.UnitAmount)).join(',')")" "1x10.00"

# --- purchases: open -> PO, billed -> bill "SUPPINV / PO-REF" -------------------
xget PurchaseOrders >"$T/po.json"
eq "PO-1" "$(jv "(p => p ? [p.Contact.Name, p.Status, c(p.Total)].join('|') : 'missing')(j.PurchaseOrders.find(p => p.Reference == 'PO-1' || p.PurchaseOrderNumber == 'PO-1'))" <"$T/po.json")" \
	"Totara Supplies|AUTHORISED|57.50"
eq "PO-2 is not a PO" "$(jv "j.PurchaseOrders.filter(p => p.Reference == 'PO-2').length" <"$T/po.json")" 0
bill() {
	jv "(i => i ? [$2].join('|') : 'missing')(j.Invoices.find(i => i.Type == 'ACCPAY' && i.InvoiceNumber == '$1'))" \
		<"$T/inv.json"
}
eq "PO-2 bill" "$(bill 'INV-77 / PO-2' 'i.Contact.Name, i.Status, c(i.Total)')" \
	"Totara Supplies|AUTHORISED|28.75"

eq "finished purchase -> bill" "$(bill 'SI-9 / PO-F' 'c(i.Total)')" 7.00
eq "RF-1 refunds CN-1" "$(cn CN-1 'i.Status, c(i.RemainingCredit), i.Payments.map(p => p.Reference + "=" + c(p.Amount)).join()')" \
	"PAID|0.00|RF-1=14.38"
eq "PAY-B pays the bill" "$(bill 'INV-77 / PO-2' 'c(i.AmountPaid), c(i.AmountDue), i.Payments.map(p => p.Reference).join()')" \
	"10.00|18.75|PAY-B"

# --- journals: adjustment, COGS, a foreign-currency journal, gift vouchers ------
xget ManualJournals >"$T/mj.json"
# mj TEXT: the journal whose Narration mentions TEXT, as "acct:amount,..." + balance
mj() {
	jv "(m => m ? m.JournalLines.map(l => l.AccountCode + ':' + c(l.LineAmount)).join(',') + ' sum=' + c(sum(m.JournalLines, l => l.LineAmount)) : 'missing')(j.ManualJournals.find(m => new RegExp('(^|[^A-Za-z0-9-])$1($|[^A-Za-z0-9-])').test(m.Narration)))" \
		<"$T/mj.json"
}
eq "ADJ-1 journal" "$(mj ADJ-1)" "630:10.00,310:-10.00 sum=0.00"
eq "CG-1 journal" "$(mj CG-1)" "310:10.00,630:-10.00 sum=0.00"
# J-1: AUD at 1.5 NZD per AUD; 10.01/20.01/30.01 -> 15.015/30.015/45.015 each,
# 60.03 -> 90.045: line by line they would not balance, so the spread must.
j1=$(mj J-1)
case $j1 in
*" sum=0.00") ok ;;
*) bad "J-1 not balanced: $j1" ;;
esac
eq "J-1 lines within a cent, credit 90.04 or 90.05" "$(jv "(m => m.JournalLines.every((l, k) => Math.abs(Math.abs(l.LineAmount) - [15.015, 30.015, 45.015, 90.045][k]) <= 0.0051) && [90.04, 90.05].includes(-m.JournalLines[3].LineAmount))(j.ManualJournals.find(m => /(^|[^A-Za-z0-9-])J-1($|[^A-Za-z0-9-])/.test(m.Narration)))" <"$T/mj.json")" true
eq "GV-1 sold: to the voucher liability" "$(mj GV-1)" "090:50.00,825:-50.00 sum=0.00"
eq "GV-3 expired: liability to breakage" "$(mj GV-3)" "825:15.00,260:-15.00 sum=0.00"
eq "GV-2 redeemed is not a journal" "$(mj GV-2)" missing
eq "GV-2 redeemed: payment on SO-3 from 825" \
	"$(jv "(p => p ? [p.Invoice.InvoiceID == '$(inv SO-3 i.InvoiceID)', c(p.Amount), p.Account.Code].join('|') : 'missing')(j.Payments.find(p => p.Reference == 'GV-2'))" <"$T/pay.json")" \
	"true|20.00|825"
eq "SO-3 after redemption" "$(inv SO-3 'i.Status, c(i.AmountDue)')" "AUTHORISED|20.00"

# --- store credit issued -> customer credit note ---------------------------------
eq "SC-1" "$(cn SC-1 'i.Type, i.Contact.Name, c(i.Total)')" "ACCRECCREDIT|Aroha Ltd|25.00"
# used -> an allocation of that credit note to the sale's invoice; refunded ->
# a refund payment on the credit note; 25 - 15 - 5 leaves 5
eq "SC-2 allocated to SO-4" "$(inv SO-4 'c(i.AmountCredited), c(i.AmountDue), i.CreditNotes.map(n => n.CreditNoteNumber).join()')" \
	"15.00|25.00|$(cn SC-1 i.CreditNoteNumber)"
eq "SC-3 refund payment on the credit note" \
	"$(jv "(p => p ? [p.CreditNote && p.CreditNote.CreditNoteID == '$(cn SC-1 i.CreditNoteID)', c(p.Amount)].join('|') : 'missing')(j.Payments.find(p => p.Reference == 'SC-3'))" <"$T/pay.json")" \
	"true|5.00"
eq "SC-1 credit left" "$(cn SC-1 'c(i.RemainingCredit)')" 5.00

# --- money tasks -> bank transactions ---------------------------------------------
xget BankTransactions >"$T/bt.json"
bt() {
	jv "(b => b ? [b.Type, b.BankAccount.Code, b.Contact.Name, b.LineAmountTypes, c(b.Total)].join('|') : 'missing')(j.BankTransactions.find(b => b.Reference == '$1'))" \
		<"$T/bt.json"
}
eq "MT-1 receive with contact" "$(bt MT-1)" "RECEIVE|090|Kowhai Cafe|NoTax|50.00"
eq "MT-2 spend, default contact" "$(bt MT-2)" "SPEND|090|$("$B" settings money_task_contact)|Inclusive|23.00"

# --- a purchase posted as a PO, then billed: bill + PO BILLED ----------------------
cat >"$T/po3.jsonl" <<'J'
{"kind":"purchase","id":"PO-3","reference":"PO-3","supplier_id":"S-1","version":2,"date":"2026-10-01","status":"billed","supplier_invoice_no":"INV-78","invoice_date":"2026-10-12","due_date":"2026-11-12","tax_mode":"exclusive","lines":[{"sku":"W-1","qty":"2","unit_cost":"5.00","tax_rate":"15"}]}
J
expect 0 "$B" import "$T/po3.jsonl"
bs_sync --everything
eq "sync of billed PO-3 exit" "$bs_rc" 0
xget Invoices >"$T/inv.json"
xget PurchaseOrders >"$T/po.json"
eq "PO-3 bill" "$(bill 'INV-78 / PO-3' 'i.Contact.Name, c(i.Total)')" "Totara Supplies|11.50"
eq "PO-3 purchase order BILLED" "$(jv "j.PurchaseOrders.filter(p => p.Reference == 'PO-3' || p.PurchaseOrderNumber == 'PO-3').map(p => p.Status).join(',')" <"$T/po.json")" BILLED
eq "no second bill" "$(jv 'j.Invoices.filter(i => i.Type == "ACCPAY").length' <"$T/inv.json")" 3

# --- fields carried over: product accounts, tracking, a payment's own rate -----------
sb_reset "$SB_URL"
cat >"$T/fields.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"product","id":"P-2","sku":"W-2","name":"Service plan","type":"service","sales_account":"260","purchase_account":"429"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"exclusive","lines":[{"sku":"W-2","qty":"1","unit_price":"10.00","tax_rate":"15"},{"description":"tracked","qty":"1","unit_price":"5.00","tax_rate":"15","tracking":{"Region":"North"}},{"description":"own account","qty":"1","unit_price":"1.00","tax_rate":"15","account":"260"}]}
{"kind":"sale","id":"SO-E","reference":"SO-E","customer_id":"C-1","date":"2026-10-01","invoiced":true,"currency":"USD","fx_rate":"1.6","tax_mode":"none","lines":[{"description":"x","qty":"1","unit_price":"10.00","tax_rate":"0"}]}
{"kind":"payment","id":"PAY-E","sale_id":"SO-E","date":"2026-10-02","amount":"10.00","currency":"USD","fx_rate":"1.65","account":"090"}
J
fresh_store fields
expect 0 "$B" import "$T/fields.jsonl"
connect "$SB_URL"
bs_sync --everything
eq "fields sync exit" "$bs_rc" 0
xlogin "$SB_URL"
eq "region tracking exists in the sandbox" \
	"$(xq TrackingCategories "j.TrackingCategories.filter(t => t.Name == 'Region' && t.Options.some(o => o.Name == 'North')).length")" 1
xget Invoices >"$T/inv.json"
eq "line accounts: product's, settings', line's own" "$(inv SO-1 "i.LineItems.map(l => l.AccountCode).join(',')")" "260,200,260"
eq "line tracking kept" "$(inv SO-1 "i.LineItems[1].Tracking.map(t => t.Name + '=' + t.Option).join(',')")" "Region=North"
# 1 / 1.65 = 0.60606060... -> 0.606061 at 6 dp (docs/mapping-xero.md "Currency")
eq "PAY-E at its own rate" "$(xq Payments "(p => p ? p.CurrencyRate.toFixed(6) : 'missing')(j.Payments.find(p => p.Reference == 'PAY-E'))")" 0.606061

# --- contacts matched, not copied; DRAFT status setting ---------------------------
# A contact already in Xero (name differs in case only) is linked on connect;
# a customer and a supplier of the same name are one Xero contact.
sb_reset "$SB_URL"
xlogin "$SB_URL"
code=$(curl -s -o "$T/pre.out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $X_TOK" \
	-H "xero-tenant-id: $X_TEN" -H 'Content-Type: application/json' \
	-d '{"Contacts":[{"Name":"KOWHAI CAFE","EmailAddress":"k@kowhai.example"},{"Name":"Rimu Trading","EmailAddress":"Accounts@Rimu.example"},{"Name":"Matai Holdings","TaxNumber":"123-456-789"}]}' "$SB_URL/api.xro/2.0/Contacts")
eq "contact made in Xero first" "$code" 200
cat >"$T/match.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"supplier","id":"S-1","name":"aroha ltd"}
{"kind":"customer","id":"C-2","name":"Kowhai Cafe"}
{"kind":"customer","id":"C-3","name":"Rimu","email":"accounts@rimu.example"}
{"kind":"customer","id":"C-4","name":"Matai","tax_number":"123-456-789"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-2","date":"2026-10-01","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"A","qty":"1","unit_price":"100.00","tax_rate":"15"}]}
{"kind":"purchase","id":"PO-2","reference":"PO-2","supplier_id":"S-1","date":"2026-10-01","status":"billed","supplier_invoice_no":"INV-77","invoice_date":"2026-10-04","tax_mode":"none","lines":[{"description":"B","qty":"4","unit_cost":"6.25","tax_rate":"0"}]}
J
fresh_store match
expect 0 "$B" import "$T/match.jsonl"
expect 0 "$B" settings invoice_status DRAFT
connect "$SB_URL"
bs_sync --everything
eq "matching sync exit" "$bs_rc" 0
# matched by name (any case), by email (any case), by tax number
eq "contacts linked, no copies" "$(xq Contacts "j.Contacts.map(c => c.Name).sort().join(',')")" \
	"Aroha Ltd,KOWHAI CAFE,Matai Holdings,Rimu Trading"
eq "SO-1 on the existing contact, as DRAFT" \
	"$(xq Invoices "(i => i.Contact.Name + '|' + i.Status)(j.Invoices.find(i => i.Reference == 'SO-1'))")" "KOWHAI CAFE|DRAFT"
eq "bill on the customer's contact" \
	"$(xq Invoices "(i => i.Contact.Name)(j.Invoices.find(i => i.InvoiceNumber == 'INV-77 / PO-2'))")" "Aroha Ltd"

finish
