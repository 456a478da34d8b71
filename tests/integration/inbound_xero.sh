#!/bin/sh
# inbound_xero.sh - payments made in Xero come back (docs/inbound.md):
# against the Xero sandbox, payments are made through its API as a second
# app would (not by booksync), then `booksync inbound --once` applies the
# one that exactly pays an open invoice and lists the others for a person
# with the reason: a cent short, two candidate invoices, an unknown
# customer; a payment booksync posted itself is left alone; an import that
# fails is recorded and not tried again; a second run changes nothing.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"

sb_start --limits off
U=$SB_URL
fresh_store inx
cat >"$T/a.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"customer","id":"C-2","name":"Kowhai Cafe"}
{"kind":"customer","id":"C-3","name":"Rata Books"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"A","qty":"1","unit_price":"100.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-2","reference":"SO-2","customer_id":"C-2","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"B","qty":"1","unit_price":"50.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-3A","reference":"SO-3A","customer_id":"C-3","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"C","qty":"1","unit_price":"80.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-3B","reference":"SO-3B","customer_id":"C-3","date":"2026-11-02","invoiced":true,"tax_mode":"none","lines":[{"description":"D","qty":"1","unit_price":"80.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-4","reference":"SO-4","customer_id":"C-1","date":"2026-11-03","invoiced":true,"tax_mode":"none","lines":[{"description":"E","qty":"1","unit_price":"40.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-5","reference":"SO-5","customer_id":"C-2","date":"2026-11-03","invoiced":true,"tax_mode":"none","lines":[{"description":"F","qty":"1","unit_price":"30.00","tax_rate":"0"}]}
{"kind":"payment","id":"PAY-5","sale_id":"SO-5","date":"2026-11-04","amount":"30.00","account":"090"}
J
expect 0 "$B" import "$T/a.jsonl"
connect "$U"
bs_sync --everything
eq "first sync" "$bs_rc" 0
xlogin "$U"

# xput PATH JSON: PUT as the second app; the answer in $T/xput.json
xput() {
	curl -s -o "$T/xput.json" -X PUT -H "Authorization: Bearer $X_TOK" -H "xero-tenant-id: $X_TEN" \
		-H "Accept: application/json" -H "Content-Type: application/json" \
		--data "$2" "$X_URL/api.xro/2.0/$1"
}
inv_id() { xq Invoices "j.Invoices.filter(i => i.Reference == '$1').map(i => i.InvoiceID).join(',')"; }
pay() { # pay INVOICE_ID AMOUNT: a payment made in Xero; its id on stdout
	xput Payments "{\"Payments\":[{\"Invoice\":{\"InvoiceID\":\"$1\"},\"Account\":{\"Code\":\"090\"},\"Date\":\"2026-11-10\",\"Amount\":$2}]}"
	jv 'j.Payments ? j.Payments[0].PaymentID : "ERR " + JSON.stringify(j).slice(0, 200)' <"$T/xput.json"
}

# import_payments is off by default: --once reads nothing
expect 0 "$B" inbound --once
has "$T/err" "importing payments is off"
eq "off: no read" "$(sqlite3 "$BOOKSYNC_DB" 'SELECT COUNT(*) FROM inbound_marks')" 0
expect 0 "$B" settings import_payments true
# events are kept only for a receiver (docs/events.md); none listens here
expect 0 "$B" settings events.url http://127.0.0.1:9/events

p1=$(pay "$(inv_id SO-1)" 100.00)  # exact
p2=$(pay "$(inv_id SO-2)" 49.99)   # a cent short
p3=$(pay "$(inv_id SO-3A)" 80.00)  # SO-3B has the same balance
# an unknown customer: a contact and invoice made in Xero only
xput Contacts '{"Contacts":[{"Name":"Stranger Things Ltd"}]}'
cx=$(jv 'j.Contacts[0].ContactID' <"$T/xput.json")
xput Invoices "{\"Invoices\":[{\"Type\":\"ACCREC\",\"Contact\":{\"ContactID\":\"$cx\"},\"Date\":\"2026-11-01\",\"DueDate\":\"2026-11-30\",\"Status\":\"AUTHORISED\",\"LineAmountTypes\":\"NoTax\",\"LineItems\":[{\"Description\":\"X\",\"Quantity\":1,\"UnitAmount\":20,\"AccountCode\":\"200\"}]}]}"
ix=$(jv 'j.Invoices[0].InvoiceID' <"$T/xput.json")
p4=$(pay "$ix" 20.00)
for p in "$p1" "$p2" "$p3" "$p4"; do
	case $p in *-*-*) ok ;; *) bad "payment not made: $p" ;; esac
done

expect 0 "$B" inbound --once
has "$T/out" "1 applied, 3 skipped, 0 failed"
expect 0 "$B" inbound --status --json
st() { jv "(j.payments.find(p => p.ledger_id == '$1') || {}).$2" <"$T/out"; }
eq "exact: applied" "$(st "$p1" state)" applied
eq "exact: to SO-1" "$(st "$p1" sale)" SO-1
eq "a cent short: skipped" "$(st "$p2" state)" skipped
eq "a cent short: why" "$(st "$p2" reason)" "partial payment"
eq "two candidates: skipped" "$(st "$p3" state)" skipped
eq "two candidates: why" "$(st "$p3" reason)" ambiguous
eq "unknown customer: skipped" "$(st "$p4" state)" skipped
eq "unknown customer: why" "$(st "$p4" reason)" "unknown customer"
eq "booksync's own payment (PAY-5) is not imported" \
	"$(jv 'j.payments.filter(p => p.sale == "SO-5").length' <"$T/out")" 0
eq "one payment.applied event" \
	"$(sqlite3 "$BOOKSYNC_DB" "SELECT COUNT(*) FROM events WHERE type = 'payment.applied'")" 1
eq "the event names the sale and the payment" \
	"$(sqlite3 "$BOOKSYNC_DB" "SELECT json_extract(data, '\$.sale_id') || ' ' || json_extract(data, '\$.amount') || ' ' || (json_extract(data, '\$.ledger_payment_id') = '$p1') FROM events")" \
	"SO-1 100.00 1"

# a second run: nothing new, nothing twice
expect 0 "$B" inbound --once
has "$T/out" "0 applied, 0 skipped, 0 failed"
eq "still one event" "$(sqlite3 "$BOOKSYNC_DB" "SELECT COUNT(*) FROM events")" 1

# an import that fails (its event refused: a trigger stands in for a store
# fault) is recorded failed, and the next run does not try it again
sqlite3 "$BOOKSYNC_DB" "CREATE TRIGGER no_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
p5=$(pay "$(inv_id SO-4)" 40.00)
expect 1 "$B" inbound --once
has "$T/out" "0 applied, 0 skipped, 1 failed"
sqlite3 "$BOOKSYNC_DB" "DROP TRIGGER no_events"
expect 0 "$B" inbound --once
has "$T/out" "0 applied, 0 skipped, 0 failed"
expect 0 "$B" inbound --status --json
eq "failed: recorded" "$(st "$p5" state)" failed
case $(st "$p5" reason) in "import failed: "*) ok ;; *) bad "failed reason: $(st "$p5" reason)" ;; esac
eq "failed: no event" "$(sqlite3 "$BOOKSYNC_DB" "SELECT COUNT(*) FROM events")" 1
eq "counts" "$(jv '[j.applied, j.skipped, j.failed, j.overdue].join(" ")' <"$T/out")" "1 3 1 0"

# applied, then deleted in the ledger: reversed, the source told by a
# payment.reversed event, and the sale's balance whole again
curl -s -o "$T/xpost.json" -X POST -H "Authorization: Bearer $X_TOK" -H "xero-tenant-id: $X_TEN" \
	-H "Accept: application/json" -H "Content-Type: application/json" \
	--data '{"Status":"DELETED"}' "$X_URL/api.xro/2.0/Payments/$p1"
eq "deleted in the sandbox" "$(jv 'j.Payments[0].Status' <"$T/xpost.json")" DELETED
expect 0 "$B" inbound --once
has "$T/out" "0 applied, 0 skipped, 0 failed"
has "$T/out" "1 applied before and deleted in the ledger since: reversed"
expect 0 "$B" inbound --status --json
eq "deleted after it was applied: reversed" "$(st "$p1" state)" reversed
eq "its reason" "$(st "$p1" reason)" "deleted in the ledger"
eq "counts with the reversal" \
	"$(jv '[j.applied, j.skipped, j.failed, j.reversed, j.overdue].join(" ")' <"$T/out")" "0 3 1 1 0"
eq "one payment.reversed event" \
	"$(sqlite3 "$BOOKSYNC_DB" "SELECT COUNT(*) FROM events WHERE type = 'payment.reversed'")" 1
eq "what it reverses" \
	"$(sqlite3 "$BOOKSYNC_DB" "SELECT json_extract(data, '$.sale_id') || ' ' || json_extract(data, '$.amount') || ' ' || (json_extract(data, '$.ledger_payment_id') = '$p1') FROM events WHERE type = 'payment.reversed'")" \
	"SO-1 100.00 1"
expect 0 "$B" inbound --once
lacks "$T/out" "reversed"
p6=$(pay "$(inv_id SO-1)" 100.00)
expect 0 "$B" inbound --once
has "$T/out" "1 applied, 0 skipped, 0 failed"
expect 0 "$B" inbound --status --json
eq "the balance is whole again: a new exact payment applied" "$(st "$p6" state)" applied

# a skipped payment reconciled by hand in the ledger: off the list
expect 0 "$B" inbound --reconciled "$p2"
has "$T/out" "reconciled"
expect 1 "$B" inbound --reconciled "$p2"
expect 1 "$B" inbound --reconciled "$p6"
has "$T/err" "none skipped or failed"
expect 2 "$B" inbound --reconciled "$p2" --once
expect 0 "$B" inbound --status --json
eq "reconciled by hand" "$(st "$p2" state)" reconciled
eq "counts with it" \
	"$(jv '[j.applied, j.skipped, j.failed, j.reversed, j.reconciled].join(" ")' <"$T/out")" "1 2 1 1 1"

# paging: the request carried If-Modified-Since after the first run
eq "payments read with paging" \
	"$(curl -s "$U/sandbox/log" | jv 'j.entries.filter(e => e.path.startsWith("/api.xro/2.0/Payments") && e.method == "GET").length > 0')" true
finish
