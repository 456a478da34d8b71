#!/bin/sh
# inbound_serve.sh - the inbound import under `booksync serve`
# (docs/inbound.md "In serve"): off while import_payments is off; a target
# whose `inbound.due:<target>` setting has come (what a webhook sets) is
# imported within a few seconds and the setting unset in the run's
# transaction; GET /api/v1/metrics counts the decisions and flags what has
# waited over 24 hours; GET /api/v1/inbound lists each payment with its
# reason and flag; `booksync inbound --status` flags it too.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"

sb_start --limits off
U=$SB_URL
fresh_store srv
cat >"$T/a.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"A","qty":"1","unit_price":"100.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-2","reference":"SO-2","customer_id":"C-1","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"B","qty":"1","unit_price":"70.00","tax_rate":"0"}]}
J
expect 0 "$B" import "$T/a.jsonl"
connect "$U"
bs_sync --everything
eq "sync" "$bs_rc" 0
TGT=$(sqlite3 "$BOOKSYNC_DB" "SELECT id FROM targets LIMIT 1")
expect 0 "$B" token add ci --scope read
TOKEN=$(grep '^bst_' "$T/out")
xlogin "$U"
xput() {
	curl -s -o "$T/xput.json" -X PUT -H "Authorization: Bearer $X_TOK" -H "xero-tenant-id: $X_TEN" \
		-H "Accept: application/json" -H "Content-Type: application/json" --data "$2" "$X_URL/api.xro/2.0/$1"
}
inv_id() { xq Invoices "j.Invoices.filter(i => i.Reference == '$1').map(i => i.InvoiceID).join(',')"; }
xput Payments "{\"Payments\":[{\"Invoice\":{\"InvoiceID\":\"$(inv_id SO-1)\"},\"Account\":{\"Code\":\"090\"},\"Date\":\"2026-11-10\",\"Amount\":100.00},{\"Invoice\":{\"InvoiceID\":\"$(inv_id SO-2)\"},\"Account\":{\"Code\":\"090\"},\"Date\":\"2026-11-10\",\"Amount\":69.00}]}"

due() { sqlite3 "$BOOKSYNC_DB" "INSERT OR REPLACE INTO settings(key, value) VALUES('inbound.due:$TGT', '$1')"; }
dueval() { sqlite3 "$BOOKSYNC_DB" "SELECT COUNT(*) FROM settings WHERE key = 'inbound.due:$TGT'"; }
decided() { sqlite3 "$BOOKSYNC_DB" "SELECT COUNT(*) FROM inbound_payments"; }
wait_for() { # wait_for CMD WANT: up to 10 s
	w=0
	while [ "$($1)" != "$2" ] && [ $w -lt 100 ]; do sleep 0.1; w=$((w + 1)); done
}

serve_start

# off: a due target is not imported
due 0
sleep 3
eq "import_payments off: nothing read" "$(decided)" 0
eq "import_payments off: the ask stays" "$(dueval)" 1

# on: due in the future waits, due now runs within seconds
expect 0 "$B" settings import_payments true
due 99999999999999
sleep 2
eq "not due yet" "$(decided)" 0
due 0
wait_for dueval 0
eq "due: unset by the run" "$(dueval)" 0
wait_for decided 2
eq "due: imported" "$(decided)" 2
eq "applied" "$(sqlite3 "$BOOKSYNC_DB" "SELECT sale FROM inbound_payments WHERE state = 'applied'")" SO-1

# 24 hours later (the skipped one's decision moved back a day and a minute)
sqlite3 "$BOOKSYNC_DB" "UPDATE inbound_payments SET decided_ms = decided_ms - 86460000 WHERE state = 'skipped'"
curl -s -H "Authorization: Bearer $TOKEN" "$S_URL/api/v1/metrics" >"$T/metrics"
has "$T/metrics" "booksync_inbound_payments{target=\"$TGT\",state=\"applied\"} 1"
has "$T/metrics" "booksync_inbound_payments{target=\"$TGT\",state=\"skipped\"} 1"
has "$T/metrics" "booksync_inbound_unapplied_overdue{target=\"$TGT\"} 1"
# GET /api/v1/inbound: the same figures, each payment with its reason and flag
curl -s -H "Authorization: Bearer $TOKEN" "$S_URL/api/v1/inbound" >"$T/inbound.json"
jq_eq() { eq "inbound: $1" "$(node -e "const j = JSON.parse(require('fs').readFileSync('$T/inbound.json', 'utf8')); console.log($1)")" "$2"; }
jq_eq "JSON.stringify(j.counts)" '{"applied":1,"skipped":1,"failed":0,"reversed":0,"reconciled":0,"overdue":1}'
jq_eq "j.items.length" 2
jq_eq "j.target" "$TGT"
jq_eq "j.items.map(i => i.state + ':' + (i.reason || '') + ':' + i.overdue).join(',')" \
	"skipped:partial payment:true,applied::false"
jq_eq "j.items[0].amount + ' ' + j.items[0].customer + ' ' + j.items[0].sale" "69.00 C-1 null"
jq_eq "j.items[1].sale + ' ' + j.items[1].amount + ' ' + j.items[1].date" "SO-1 100.00 2026-11-10"
curl -s -H "Authorization: Bearer $TOKEN" "$S_URL/api/v1/inbound?state=unapplied&limit=1" >"$T/inbound.json"
jq_eq "j.items.length + ' ' + j.items[0].state + ' ' + j.next" "1 skipped null"
code=$(curl -s -o "$T/inbound.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$S_URL/api/v1/inbound?state=overdue")
eq "inbound: a bad state is 400" "$code" 400
jq_eq "j.error.param" state
code=$(curl -s -o "$T/inbound.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$S_URL/api/v1/inbound?cursor=x")
eq "inbound: a bad cursor is 400" "$code" 400
jq_eq "j.error.param" cursor
code=$(curl -s -o /dev/null -w '%{http_code}' "$S_URL/api/v1/inbound")
eq "inbound: no token is 401" "$code" 401
expect 0 "$B" inbound --status
has "$T/out" "[unapplied over 24 h]"
has "$T/out" "1 applied, 1 skipped, 0 failed, 0 reversed, 0 reconciled; 1 unapplied for over 24 hours"
kill -TERM "$S_PID"
wait "$S_PID"
finish
