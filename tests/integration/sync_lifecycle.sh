#!/bin/sh
# sync_lifecycle.sh - a record's life after its first post (docs/states-and-tabs.md,
# docs/exactly-once.md, docs/mapping-xero.md): reset and resync update
# the same Xero document, a changed record updates it in place, void voids
# it, a locked period and unknown accounts land on Errors with the reason and
# nothing half-posted, a Warning never drops a line silently.  Every check
# reads the sandbox back.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
. "$(dirname "$0")/lib/history_whole.sh"

sb_start --limits off
U=$SB_URL
fresh_store life
cat >"$T/a.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-10-01","version":1,"invoiced":true,"tax_mode":"exclusive","lines":[{"description":"A","qty":"1","unit_price":"10.00","tax_rate":"15"}]}
{"kind":"sale","id":"SO-P","reference":"SO-P","customer_id":"C-1","date":"2026-10-01","version":1,"invoiced":true,"tax_mode":"none","lines":[{"description":"P","qty":"1","unit_price":"40.00","tax_rate":"0"}]}
{"kind":"payment","id":"PAY-P","sale_id":"SO-P","date":"2026-10-02","amount":"40.00","account":"090"}
{"kind":"sale","id":"SO-V","reference":"SO-V","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"none","lines":[{"description":"V","qty":"1","unit_price":"7.00","tax_rate":"0"}]}
J
expect 0 "$B" import "$T/a.jsonl"
connect "$U"
bs_sync --everything
eq "first sync" "$bs_rc" 0
xlogin "$U"
# inv REF EXPR: EXPR over the ACCREC invoices whose Reference is REF (as a)
inv() { xq Invoices "(a => $2)(j.Invoices.filter(i => i.Type == 'ACCREC' && i.Reference == '$1'))"; }
id1=$(inv SO-1 'a.length == 1 ? a[0].InvoiceID : "count " + a.length')
case $id1 in *-*-*) ok ;; *) bad "SO-1 not posted once: $id1" ;; esac

# --- Upload Selected naming a record of another tab: said, exit 2, nothing sent ---
seq=$(log_total "$U")
expect 2 "$B" sync --tab invoices --select customer:C-1
has "$T/err" "customer:C-1 is not on the sales/invoices tab (it is on sales/customers)"
expect 2 "$B" sync --tab invoices --select SO-1 customer:C-1
has "$T/err" "customer:C-1 is not on the sales/invoices tab"
eq "a wrong selection sends nothing" "$(writes_since "$U" "$seq")" 0
expect 0 "$B" sync --tab sales --select customer:C-1 # the group holds the tab
has "$T/out" "0 documents posted"

# --- reset (Reset For Re-import), then sync: the same invoice ------------------
expect 0 "$B" reset SO-1
expect 0 "$B" pending --tab invoices
has "$T/out" "SO-1"
has "$T/out" "Not Imported Yet Or Reset For Re-import"
bs_sync
eq "sync after reset" "$bs_rc" 0
eq "after reset: same InvoiceID, no copy" "$(inv SO-1 'a.map(i => i.InvoiceID).join(",")')" "$id1"

# --- resync of an imported record: updated in place ------------------------------
seq=$(log_total "$U")
expect 0 "$B" resync SO-1
eq "resync wrote" "$(writes_since "$U" "$seq")" 1
eq "after resync: same InvoiceID, no copy" "$(inv SO-1 'a.map(i => i.InvoiceID).join(",")')" "$id1"

# --- a changed record (higher version, qty 1 -> 3): changed, updated in place -----
sed -e 's/"version":1/"version":2/' -e 's/"qty":"1","unit_price":"10.00"/"qty":"3","unit_price":"10.00"/' \
	"$T/a.jsonl" | grep '"SO-1"' >"$T/v2.jsonl"
expect 0 "$B" import "$T/v2.jsonl"
has "$T/out" "1 changed"
expect 0 "$B" pending --tab invoices
has "$T/out" "Has changes"
bs_sync
eq "sync of the change" "$bs_rc" 0
eq "changed: same InvoiceID, new Total" "$(inv SO-1 'a.map(i => i.InvoiceID + " " + c(i.Total) + " " + i.LineItems[0].Quantity).join(",")')" \
	"$id1 34.50 3"

# --- void after posting: the Xero invoice is VOIDED ---------------------------------
printf '%s\n' '{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-10-01","version":3,"status":"void","tax_mode":"exclusive","lines":[{"description":"A","qty":"3","unit_price":"10.00","tax_rate":"15"}]}' >"$T/v3.jsonl"
expect 0 "$B" import "$T/v3.jsonl"
bs_sync
eq "sync of the void" "$bs_rc" 0
eq "voided in place" "$(inv SO-1 'a.map(i => i.InvoiceID + " " + i.Status).join(",")')" "$id1 VOIDED"

# --- void refused while a payment is applied: Errors, invoice untouched ------------
eq "SO-P paid" "$(inv SO-P 'a.map(i => i.Status).join(",")')" PAID
printf '%s\n' '{"kind":"sale","id":"SO-P","reference":"SO-P","customer_id":"C-1","date":"2026-10-01","version":2,"status":"void","tax_mode":"none","lines":[{"description":"P","qty":"1","unit_price":"40.00","tax_rate":"0"}]}' >"$T/p2.jsonl"
expect 0 "$B" import "$T/p2.jsonl"
bs_sync
eq "void of a paid sale fails" "$bs_rc" 1
expect 0 "$B" errors
has "$T/out" "SO-P"
has "$T/out" "payment"
eq "paid invoice untouched, no copy" "$(inv SO-P 'a.map(i => i.Status + " " + c(i.AmountPaid)).join(",")')" "PAID 40.00"

# --- an edit the ledger forbids (a paid invoice): Errors with its reason, no copy ---
printf '%s\n' '{"kind":"sale","id":"SO-P","reference":"SO-P","customer_id":"C-1","date":"2026-10-01","version":3,"invoiced":true,"tax_mode":"none","lines":[{"description":"P","qty":"2","unit_price":"40.00","tax_rate":"0"}]}' >"$T/p3.jsonl"
expect 0 "$B" import "$T/p3.jsonl"
bs_sync
eq "edit of a paid sale fails" "$bs_rc" 1
expect 0 "$B" errors
has "$T/out" "SO-P"
eq "paid invoice unchanged, no copy" "$(inv SO-P 'a.map(i => i.Status + " " + c(i.Total)).join(",")')" "PAID 40.00"

# --- reset refuses a waiting record, with the reason --------------------------------
printf '%s\n' '{"kind":"sale","id":"SO-WAIT","reference":"SO-WAIT","customer_id":"C-404","date":"2026-10-01","invoiced":true,"tax_mode":"none","lines":[{"description":"w","qty":"1","unit_price":"1.00","tax_rate":"0"}]}' >"$T/w.jsonl"
expect 0 "$B" import "$T/w.jsonl"
bs_sync
expect 1 "$B" reset SO-WAIT
has "$T/err" "waiting"

# --- a changed customer: the same Xero contact, renamed ------------------------------
cid=$(xq Contacts "j.Contacts.find(c => c.Name == 'Aroha Ltd').ContactID")
printf '%s\n' '{"kind":"customer","id":"C-1","name":"Aroha Limited","email":"new@aroha.example"}' >"$T/c2.jsonl"
expect 0 "$B" import "$T/c2.jsonl"
has "$T/out" "1 changed"
bs_sync --tab customers
eq "customer update" "$bs_rc" 0
eq "contact updated in place" "$(xq Contacts "j.Contacts.map(c => (c.ContactID == '$cid' ? 'same' : 'other') + ' ' + c.Name + ' ' + c.EmailAddress).join(',')")" \
	"same Aroha Limited new@aroha.example"

# --- voided in the ledger, then reset: a new invoice with a new serial ---------------
idv=$(inv SO-V 'a[0].InvoiceID')
numv=$(inv SO-V 'a[0].InvoiceNumber')
code=$(curl -s -o "$T/void.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $X_TOK" -H "xero-tenant-id: $X_TEN" \
	-H 'Content-Type: application/json' -d '{"Invoices":[{"InvoiceID":"'"$idv"'","Status":"VOIDED"}]}' "$U/api.xro/2.0/Invoices/$idv")
eq "voided by hand in the ledger" "$code" 200
expect 0 "$B" reset SO-V
bs_sync
eq "sync after reset of a voided invoice" "$bs_rc" 0
eq "old one stays VOIDED, a new AUTHORISED one" "$(inv SO-V 'a.map(i => (i.InvoiceID == "'"$idv"'" ? "old" : "new") + " " + i.Status).sort().join(",")')" \
	"new AUTHORISED,old VOIDED"
eq "the new one has a new serial" "$(inv SO-V 'a.filter(i => i.Status != "VOIDED").map(i => i.InvoiceNumber != "'"$numv"'" && /^[0-9]+-SO-V$/.test(i.InvoiceNumber)).join(",")')" true

# --- a locked period: Errors naming the lock date, nothing posted ---------------------
code=$(curl -s -o "$T/lock.out" -w '%{http_code}' -X POST -d '{"PeriodLockDate":"2026-09-30"}' \
	"$U/sandbox/tenants/$X_TEN/settings")
eq "lock date set" "$code" 200
connect "$U"
printf '%s\n' '{"kind":"sale","id":"SO-L","reference":"SO-L","customer_id":"C-1","date":"2026-09-15","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"L","qty":"1","unit_price":"10.00","tax_rate":"15"}]}' \
	'{"kind":"sale","id":"SO-OK","reference":"SO-OK","customer_id":"C-1","date":"2026-10-15","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"fine","qty":"1","unit_price":"10.00","tax_rate":"15"}]}' >"$T/lock.jsonl"
expect 0 "$B" import "$T/lock.jsonl"
bs_sync
eq "sync with a locked-period sale" "$bs_rc" 1
expect 0 "$B" errors
has "$T/out" "SO-L"
has "$T/out" "2026-09-30"
eq "SO-L not in Xero" "$(inv SO-L 'a.length')" 0
eq "SO-OK posted beside it" "$(inv SO-OK 'a.length')" 1

# the lock lifted, the re-sync its Errors entry asks for posts it
code=$(curl -s -o "$T/lock.out" -w '%{http_code}' -X POST -d '{"PeriodLockDate":""}' \
	"$U/sandbox/tenants/$X_TEN/settings")
eq "lock date cleared" "$code" 200
connect "$U"
expect 0 "$B" resync SO-L
eq "SO-L posted after the lock is lifted" "$(inv SO-L 'a.map(i => c(i.Total)).join(",")')" 11.50

# --- a payment larger than what is owed: Errors with the ledger's reason --------------
printf '%s\n' '{"kind":"payment","id":"PAY-OVER","sale_id":"SO-OK","date":"2026-10-16","amount":"500.00","account":"090"}' >"$T/over.jsonl"
expect 0 "$B" import "$T/over.jsonl"
bs_sync --tab sales/payments
eq "overpayment fails" "$bs_rc" 1
expect 0 "$B" errors
has "$T/out" "PAY-OVER"
eq "no payment recorded" "$(inv SO-OK 'a.map(i => c(i.AmountPaid) + " " + i.Status).join(",")')" "0.00 AUTHORISED"

# --- an unknown account on a sale line: Errors, nothing half-posted -------------------
printf '%s\n' '{"kind":"sale","id":"SO-ACC","reference":"SO-ACC","customer_id":"C-1","date":"2026-10-01","version":1,"invoiced":true,"tax_mode":"exclusive","lines":[{"description":"ok","qty":"1","unit_price":"10.00","tax_rate":"15"},{"description":"bad account","qty":"1","unit_price":"5.00","tax_rate":"15","account":"999"}]}' >"$T/acc.jsonl"
expect 0 "$B" import "$T/acc.jsonl"
bs_sync --tab invoices
eq "sync with an unknown account" "$bs_rc" 1
expect 0 "$B" errors --json
jv 'JSON.stringify(j.errors.filter(e => /SO-ACC/.test(e.ref)))' <"$T/out" >"$T/e"
has "$T/e" "999"
eq "SO-ACC not in Xero, not even in part" "$(inv SO-ACC 'a.length')" 0
# fixed at the source (version 2): it posts whole
sed -e 's/"version":1/"version":2/' -e 's/"account":"999"/"account":"260"/' "$T/acc.jsonl" >"$T/acc2.jsonl"
expect 0 "$B" import "$T/acc2.jsonl"
bs_sync --tab invoices
eq "SO-ACC fixed" "$(inv SO-ACC 'a.map(i => c(i.Total) + " " + i.LineItems.map(l => l.AccountCode).join("/")).join(",")')" "17.25 200/260"

# --- a tax rate the ledger has no code for: Errors naming it, nothing posted --------
printf '%s\n' '{"kind":"sale","id":"SO-T","reference":"SO-T","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"nine","qty":"1","unit_price":"100.00","tax_rate":"9"}]}' >"$T/tax.jsonl"
expect 0 "$B" import "$T/tax.jsonl"
bs_sync --tab invoices
eq "sync with an unknown tax rate" "$bs_rc" 1
expect 0 "$B" errors
has "$T/out" "SO-T"
has "$T/out" "9"
eq "SO-T not in Xero" "$(inv SO-T 'a.length')" 0

# --- journal lines with unknown accounts: Xero drops them with a Warning -------------
# J-W still balances without the two bad lines, so Xero posts it and warns; the
# record must land on Errors anyway.  J-BAD does not balance once dropped.
printf '%s\n' '{"kind":"journal","id":"J-W","reference":"J-W","version":1,"date":"2026-10-08","lines":[{"account":"429","debit":"10.00"},{"account":"260","credit":"10.00"},{"account":"999","debit":"5.00"},{"account":"998","credit":"5.00"}]}' \
	'{"kind":"journal","id":"J-BAD","reference":"J-BAD","date":"2026-10-08","lines":[{"account":"429","debit":"10.00"},{"account":"999","credit":"10.00"}]}' >"$T/j.jsonl"
expect 0 "$B" import "$T/j.jsonl"
bs_sync --tab journals
eq "journals with unknown accounts fail" "$bs_rc" 1
expect 0 "$B" errors --json
jv 'j.errors.filter(e => /J-W|J-BAD/.test(e.ref)).map(e => e.ref).sort().join(",")' <"$T/out" >"$T/e"
has "$T/e" "journal:J-BAD,journal:J-W"
jv 'JSON.stringify(j.errors.filter(e => /J-W/.test(e.ref)))' <"$T/out" >"$T/e"
has "$T/e" "999"
has "$T/e" "998"
mjw() { xq ManualJournals "(a => $1)(j.ManualJournals.filter(m => /(^|[^A-Za-z0-9-])J-W($|[^A-Za-z0-9-])/.test(m.Narration)))"; }
jwid=$(mjw 'a.length == 1 ? a[0].ManualJournalID : "count " + a.length')
# the link is kept: fixing J-W updates that journal, it does not add a second
printf '%s\n' '{"kind":"journal","id":"J-W","reference":"J-W","version":2,"date":"2026-10-08","lines":[{"account":"429","debit":"10.00"},{"account":"260","credit":"10.00"},{"account":"429","debit":"5.00"},{"account":"200","credit":"5.00"}]}' >"$T/j2.jsonl"
expect 0 "$B" import "$T/j2.jsonl"
bs_sync --tab journals --select J-W
eq "fixed J-W" "$bs_rc" 0
eq "J-W updated in place with all 4 lines" "$(mjw 'a.map(m => m.ManualJournalID + " " + m.JournalLines.length).join(",")')" "$jwid 4"

# --- nothing posted twice over the whole run ------------------------------------------
eq "ACCREC numbers unique" "$(xq Invoices "(a => a.length - new Set(a).size)(j.Invoices.map(i => i.InvoiceNumber))")" 0
seq=$(log_total "$U")
bs_sync --everything
eq "a last --everything writes nothing new" "$(writes_since "$U" "$seq")" 0
# after every kind of move the run made (plans, posts, failures, resets,
# resyncs, new versions): history tells each record's story whole
eq "history whole: broken moves, wrong last moves, rows held" "$(history_whole)" "0 0 0"

finish
