#!/bin/sh
# inbound_qbo.sh - payments made in QuickBooks Online come back
# (docs/inbound.md), against the QBO sandbox: payments are made through its
# API as a second app would (curl, its own OAuth grant), left unapplied (no
# LinkedTxn: matched by amount) or applied to an invoice.  `booksync
# inbound --once` applies the exact ones and lists the others with the
# reason: a cent short, two candidate invoices, an unknown customer; an
# import that fails is recorded and never tried again.  The first run
# queries (paged); later runs start with Change Data Capture.
set -u
. "$(dirname "$0")/lib/qbo_lib.sh"

qsb_start --limits off
U=$QSB_URL
fresh_store inq
cat >"$T/a.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"customer","id":"C-2","name":"Kowhai Cafe"}
{"kind":"customer","id":"C-3","name":"Rata Books"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"A","qty":"1","unit_price":"100.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-2","reference":"SO-2","customer_id":"C-2","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"B","qty":"1","unit_price":"50.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-3A","reference":"SO-3A","customer_id":"C-3","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"C","qty":"1","unit_price":"80.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-3B","reference":"SO-3B","customer_id":"C-3","date":"2026-11-02","invoiced":true,"tax_mode":"none","lines":[{"description":"D","qty":"1","unit_price":"80.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-4","reference":"SO-4","customer_id":"C-1","date":"2026-11-03","invoiced":true,"tax_mode":"none","lines":[{"description":"E","qty":"1","unit_price":"40.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-6","reference":"SO-6","customer_id":"C-2","date":"2026-11-03","invoiced":true,"tax_mode":"none","lines":[{"description":"G","qty":"1","unit_price":"65.00","tax_rate":"0"}]}
J
expect 0 "$B" import "$T/a.jsonl"
qconnect "$U"
bs_sync --everything
eq "first sync" "$bs_rc" 0
expect 0 "$B" settings import_payments true
# events are kept only for a receiver (docs/events.md); none listens here
expect 0 "$B" settings events.url http://127.0.0.1:9/events

# the second app's grant (the sandbox approves at once)
loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
	"$U/connect/oauth2?response_type=code&client_id=other&redirect_uri=http://127.0.0.1:9/cb&scope=com.intuit.quickbooks.accounting&state=x")
code=$(printf '%s\n' "$loc" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
REALM=$(printf '%s\n' "$loc" | sed -n 's/.*[?&]realmId=\([^&]*\).*/\1/p')
TOK=$(curl -s -u other:secret -d grant_type=authorization_code -d "code=$code" \
	-d redirect_uri=http://127.0.0.1:9/cb "$U/oauth2/v1/tokens/bearer" | jv j.access_token)
[ -n "$REALM" ] && [ "$TOK" != undefined ] && ok || bad "no QBO grant: $loc"
qpost() { # qpost ENTITY JSON: the answer in $T/qpost.json
	curl -s -o "$T/qpost.json" -X POST -H "Authorization: Bearer $TOK" -H "Accept: application/json" \
		-H "Content-Type: application/json" --data "$2" "$U/v3/company/$REALM/$1"
}
link() { sqlite3 "$BOOKSYNC_DB" "SELECT ledger_id FROM links WHERE source_id = '$1' AND ledger_id <> '' LIMIT 1"; }
pay() { # pay CUSTOMER_LEDGER_ID AMOUNT [INVOICE_LEDGER_ID]: its Id on stdout
	if [ $# -gt 2 ]; then
		lines=",\"Line\":[{\"Amount\":$2,\"LinkedTxn\":[{\"TxnId\":\"$3\",\"TxnType\":\"Invoice\"}]}]"
	else
		lines=""
	fi
	qpost payment "{\"CustomerRef\":{\"value\":\"$1\"},\"TotalAmt\":$2,\"TxnDate\":\"2026-11-10\"$lines}"
	jv 'j.Payment ? j.Payment.Id : "ERR " + JSON.stringify(j).slice(0, 300)' <"$T/qpost.json"
}

p1=$(pay "$(link C-1)" 100.00)                 # unapplied, exactly SO-1
p2=$(pay "$(link C-2)" 49.99)                  # a cent short of SO-2
p3=$(pay "$(link C-3)" 80.00)                  # SO-3A and SO-3B
p6=$(pay "$(link C-2)" 65.00 "$(link SO-6)")  # applied to SO-6 in QBO
qpost customer '{"DisplayName":"Stranger Things Ltd"}'
cx=$(jv 'j.Customer.Id' <"$T/qpost.json")
p4=$(pay "$cx" 20.00)                          # a customer booksync does not know
for p in "$p1" "$p2" "$p3" "$p4" "$p6"; do
	case $p in ERR*|undefined|"") bad "payment not made: $p" ;; *) ok ;; esac
done

expect 0 "$B" inbound --once
has "$T/out" "2 applied, 3 skipped, 0 failed"
expect 0 "$B" inbound --status --json
st() { jv "(j.payments.find(p => p.ledger_id == '$1') || {}).$2" <"$T/out"; }
eq "unapplied exact: applied" "$(st "$p1" state)" applied
eq "unapplied exact: to SO-1" "$(st "$p1" sale)" SO-1
eq "applied in QBO: to SO-6" "$(st "$p6" sale)" SO-6
eq "a cent short" "$(st "$p2" state) $(st "$p2" reason)" "skipped partial payment"
eq "two candidates" "$(st "$p3" state) $(st "$p3" reason)" "skipped ambiguous"
eq "unknown customer" "$(st "$p4" state) $(st "$p4" reason)" "skipped unknown customer"
eq "two events" "$(sqlite3 "$BOOKSYNC_DB" "SELECT COUNT(*) FROM events WHERE type = 'payment.applied'")" 2

# a failed import is recorded and not retried (a trigger stands in for a fault)
sqlite3 "$BOOKSYNC_DB" "CREATE TRIGGER no_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
p5=$(pay "$(link C-1)" 40.00 "$(link SO-4)")
seq=$(curl -s "$U/sandbox/log" | jv j.total)
expect 1 "$B" inbound --once
has "$T/out" "0 applied, 0 skipped, 1 failed"
eq "a later run starts with CDC" \
	"$(curl -s "$U/sandbox/log?since=$seq" | jv 'j.entries.filter(e => /\/cdc$/.test(e.path)).length > 0')" true
sqlite3 "$BOOKSYNC_DB" "DROP TRIGGER no_events"
expect 0 "$B" inbound --once
has "$T/out" "0 applied, 0 skipped, 0 failed"
expect 0 "$B" inbound --status --json
eq "failed: recorded" "$(st "$p5" state)" failed
eq "failed: no event" "$(sqlite3 "$BOOKSYNC_DB" "SELECT COUNT(*) FROM events")" 2
eq "counts" "$(jv '[j.applied, j.skipped, j.failed].join(" ")' <"$T/out")" "2 3 1"

# applied, then deleted in QBO (CDC's "Deleted" stub): reversed, the source
# told, SO-1's balance whole again
qpost "payment?operation=delete" "{\"Id\":\"$p1\",\"SyncToken\":\"0\"}"
eq "deleted in the sandbox" "$(jv 'j.Payment ? j.Payment.status : JSON.stringify(j).slice(0, 200)' <"$T/qpost.json")" Deleted
expect 0 "$B" inbound --once
has "$T/out" "1 applied before and deleted in the ledger since: reversed"
expect 0 "$B" inbound --status --json
eq "reversed" "$(st "$p1" state) $(st "$p1" sale)" "reversed SO-1"
eq "one payment.reversed event" \
	"$(sqlite3 "$BOOKSYNC_DB" "SELECT COUNT(*) FROM events WHERE type = 'payment.reversed'")" 1
p7=$(pay "$(link C-1)" 100.00)
expect 0 "$B" inbound --once
has "$T/out" "1 applied, 0 skipped, 0 failed"
expect 0 "$B" inbound --status --json
eq "the balance is whole again" "$(st "$p7" state) $(st "$p7" sale)" "applied SO-1"
finish
