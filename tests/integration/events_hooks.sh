#!/bin/sh
# events_hooks.sh - webhooks in and events out (docs/events.md), against
# both sandboxes.
#
# In: serve answers Xero's intent-to-receive check (the sandbox's six
# bodies: 200 to each signed, 401 to each forged); a sync makes the Xero
# and the QBO sandbox send signed webhooks, which serve keeps in its inbox
# and turns into inbound.due / inbound.contacts_due requests; a body sent
# twice is kept once and asks nothing again; a forged or unsigned one gets
# 401, changes nothing, and is logged without its body.  Without events.url
# no event is kept.
# Out: with events.url set, the sync's document.posted events go to a node
# receiver that checks the signature; the receiver is down for 10 scaled
# minutes (BOOKSYNC_EVENTS_UNIT_MS=500: a minute of 0.5 s) and, once back,
# gets every event exactly once by id; with a minute of 10 ms (24 hours in
# 14.4 s) undeliverable events go dead, are listed (`events --failed`, GET
# /api/v1/events?state=dead) and re-delivered (`events --redeliver`, POST
# /api/v1/events/{id}/redeliver, `events --deliver`).
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u
. "$(dirname "$0")/lib/qbo_lib.sh"
RECV="$BS_LIB/event_receiver.js"
XKEY=xero-hook-key-1
QKEY=qbo-verifier-1
ESECRET=event-secret-1

sql() { sqlite3 "$BOOKSYNC_DB" "$1"; }

serve_stop() {
	kill -TERM "$S_PID"
	wait "$S_PID"
}

# recv_start PORT: the receiver (0 = a free port); sets R_PORT, R_PID
recv_start() {
	node "$RECV" "$1" "$ESECRET" "$T/received" >"$T/recv.out" 2>"$T/recv.err" &
	R_PID=$!
	echo "$R_PID" >>"$T/pids"
	R_PORT=
	n=0
	while [ $n -lt 100 ] && [ -z "$R_PORT" ]; do
		R_PORT=$(head -n 1 "$T/recv.out" 2>/dev/null)
		[ -n "$R_PORT" ] || sleep 0.1
		n=$((n + 1))
	done
	[ -n "$R_PORT" ] || { cat "$T/recv.err" >&2; echo "receiver did not start" >&2; exit 1; }
}
recv_stop() {
	kill -TERM "$R_PID" 2>/dev/null
	wait "$R_PID" 2>/dev/null
}

# api METHOD PATH: with the token; body in $T/resp, status in $code
api() {
	code=$(curl -s -o "$T/resp" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" \
		"$S_URL$2")
}

# hook PATH HEADER KEY BODY: POST a webhook signed with KEY ("" = no
# header); status in $code, body in $T/hook
hook() {
	if [ -n "$3" ]; then
		sig=$(node -e 'const c = require("crypto"); process.stdout.write(c.createHmac("sha256", process.argv[1]).update(process.argv[2]).digest("base64"))' "$3" "$4")
		code=$(curl -s -o "$T/hook" -w '%{http_code}' -X POST -H "$2: $sig" \
			-H 'Content-Type: application/json' --data-binary "$4" "$S_URL$1")
	else
		code=$(curl -s -o "$T/hook" -w '%{http_code}' -X POST \
			-H 'Content-Type: application/json' --data-binary "$4" "$S_URL$1")
	fi
}

# wait_for SQL WANT [SECONDS]: poll until the query answers WANT
wait_for() {
	n=0
	lim=$((${3:-20} * 10))
	while [ $n -lt $lim ]; do
		[ "$(sql "$1")" = "$2" ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	bad "waited for '$1' = $2, got $(sql "$1")"
	return 1
}

sales() { # sales FIRST LAST
	i=$1
	while [ "$i" -le "$2" ]; do
		printf '{"kind":"sale","id":"SO-%d","reference":"SO-%d","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"A","qty":"1","unit_price":"10.00","tax_rate":"15"}]}\n' "$i" "$i"
		i=$((i + 1))
	done
}

# ================= webhooks in =================
fresh_store hooks
expect 0 "$B" settings webhooks.xero_secret "$XKEY"
expect 0 "$B" settings webhooks.qbo_secret "$QKEY"
expect 0 "$B" settings
lacks "$T/out" "$XKEY"
lacks "$T/out" "$QKEY"
has "$T/out" "********"
expect 0 "$B" settings webhooks.xero_secret
lacks "$T/out" "$XKEY"
{
	echo '{"kind":"customer","id":"C-1","name":"Aroha Ltd"}'
	sales 1 2
} >"$T/a.jsonl"
expect 0 "$B" import "$T/a.jsonl"
expect 0 "$B" token add ci --scope sync,read,admin
TOKEN=$(grep '^bst_' "$T/out")
serve_start --today 2026-10-02

# ---- Xero ----
sb_start --limits off --webhook-url "$S_URL/webhooks/xero" --webhook-key "$XKEY"
XSB_URL=$SB_URL # qsb_start sets SB_URL to its own
curl -s -X POST "$SB_URL/sandbox/webhooks/intent" >"$T/intent"
eq "intent to receive" "$(jv j.ok <"$T/intent")" true
eq "intent: six checks" "$(jv 'j.attempts.length' <"$T/intent")" 6
connect "$SB_URL"
XT=$(sql "SELECT id FROM targets WHERE id LIKE 'xero:%'")
bs_sync --everything
eq "sync posted" "$bs_rc" 0
wait_for "SELECT count(*) > 0 FROM webhook_inbox WHERE source = 'xero' AND category = 'INVOICE'" 1
wait_for "SELECT count(*) > 0 FROM webhook_inbox WHERE source = 'xero' AND category = 'CONTACT'" 1
eq "invoices ask for an early inbound run" \
	"$(sql "SELECT count(*) FROM settings WHERE key = 'inbound.due:$XT'")" 1
eq "contacts ask for an early contacts run" \
	"$(sql "SELECT count(*) FROM settings WHERE key = 'inbound.contacts_due:$XT'")" 1
eq "no events.url: no events kept" "$(sql "SELECT count(*) FROM events")" 0
grep -q 'refused' "$T/serve1.err" && ok || bad "the intent check's forged bodies were not logged"

# a body sent twice: kept once, the second asks nothing again
TEN=${XT#xero:}
BODY="{\"events\":[{\"resourceUrl\":\"https://api.xero.com/api.xro/2.0/Invoices/inv-77\",\"resourceId\":\"inv-77\",\"eventDateUtc\":\"2026-10-02T01:02:03.456\",\"eventType\":\"UPDATE\",\"eventCategory\":\"INVOICE\",\"tenantId\":\"$TEN\",\"tenantType\":\"ORGANISATION\"}],\"firstEventSequence\":900,\"lastEventSequence\":900,\"entropy\":\"RPLY\"}"
before=$(sql "SELECT count(*) FROM webhook_inbox")
hook /webhooks/xero x-xero-signature "$XKEY" "$BODY"
eq "a signed webhook" "$code" 200
eq "answered with an empty body" "$(wc -c <"$T/hook" | tr -d ' ')" 0
due1=$(sql "SELECT value FROM settings WHERE key = 'inbound.due:$XT'")
sleep 0.05
hook /webhooks/xero x-xero-signature "$XKEY" "$BODY"
eq "the replay is answered 200 (Xero would retry otherwise)" "$code" 200
eq "the replay is kept once" "$(sql "SELECT count(*) FROM webhook_inbox")" $((before + 1))
eq "the replay asks nothing again" "$(sql "SELECT value FROM settings WHERE key = 'inbound.due:$XT'")" "$due1"

# forged and unsigned: 401, nothing kept, logged without the body
FORGED=$(echo "$BODY" | sed 's/inv-77/FORGED-MARKER-inv-78/g')
hook /webhooks/xero x-xero-signature "not-the-key" "$FORGED"
eq "a forged signature" "$code" 401
eq "the 401 has no body" "$(wc -c <"$T/hook" | tr -d ' ')" 0
hook /webhooks/xero x-xero-signature "" "$FORGED"
eq "no signature" "$code" 401
eq "nothing kept from forged bodies" "$(sql "SELECT count(*) FROM webhook_inbox")" $((before + 1))
has "$T/serve1.err" "webhook xero from 127.0.0.1 refused"
lacks "$T/serve1.err" "FORGED-MARKER"
lacks "$T/serve1.err" "$XKEY"
code=$(curl -s -o /dev/null -w '%{http_code}' "$S_URL/webhooks/xero")
eq "GET /webhooks/xero" "$code" 405

# ---- QuickBooks Online ----
qsb_start --limits off --webhook-url "$S_URL/webhooks/qbo" --webhook-key "$QKEY"
qconnect "$QSB_URL"
QT=$(sql "SELECT id FROM targets WHERE id LIKE 'qbo:%'")
bs_sync --everything --target "$QT"
eq "qbo sync posted" "$bs_rc" 0
wait_for "SELECT count(*) > 0 FROM webhook_inbox WHERE source = 'qbo' AND target = '$QT'" 1
eq "QBO invoices ask for an early inbound run" \
	"$(sql "SELECT count(*) FROM settings WHERE key = 'inbound.due:$QT'")" 1
REALM=${QT#qbo:}
QBODY="{\"eventNotifications\":[{\"realmId\":\"$REALM\",\"dataChangeEvent\":{\"entities\":[{\"name\":\"Payment\",\"id\":\"991\",\"operation\":\"Create\",\"lastUpdated\":\"2026-10-02T01:02:03.000Z\"}]}}]}"
before=$(sql "SELECT count(*) FROM webhook_inbox")
hook /webhooks/qbo intuit-signature "$QKEY" "$QBODY"
eq "a signed QBO webhook" "$code" 200
hook /webhooks/qbo intuit-signature "$QKEY" "$QBODY"
eq "the QBO replay" "$code" 200
eq "the QBO replay is kept once" "$(sql "SELECT count(*) FROM webhook_inbox")" $((before + 1))
hook /webhooks/qbo intuit-signature "$XKEY" "$(echo "$QBODY" | sed 's/991/FORGED-MARKER-992/')"
eq "a QBO body signed with another key" "$code" 401
has "$T/serve1.err" "webhook qbo from 127.0.0.1 refused"
lacks "$T/serve1.err" "FORGED-MARKER"
eq "nothing kept from it" "$(sql "SELECT count(*) FROM webhook_inbox")" $((before + 1))
serve_stop
qsb_stop

# ================= events out: the receiver down for 10 minutes =================
sb_reset "$XSB_URL"
fresh_store events
recv_start 0
PORT=$R_PORT
recv_stop # down from the start
: >"$T/received"
expect 0 "$B" settings events.url "http://127.0.0.1:$PORT/booksync-events"
expect 0 "$B" settings events.secret "$ESECRET"
{
	echo '{"kind":"customer","id":"C-1","name":"Aroha Ltd"}'
	sales 1 5
} >"$T/b.jsonl"
expect 0 "$B" import "$T/b.jsonl"
expect 0 "$B" token add ci --scope sync,read,admin
TOKEN=$(grep '^bst_' "$T/out")
connect "$XSB_URL"
BOOKSYNC_EVENTS_UNIT_MS=500 serve_start --today 2026-10-02
bs_sync --everything
eq "sync posted (events)" "$bs_rc" 0
NEV=$(sql "SELECT count(*) FROM events WHERE type = 'document.posted'")
[ "$NEV" -ge 6 ] && ok || bad "document.posted events: $NEV, want one per document (6)"
eq "each names its record" \
	"$(sql "SELECT count(*) FROM events WHERE json_extract(data, '\$.id') = 'SO-3'")" 1
sleep 5 # ten minutes of 0.5 s
eq "nothing delivered while down" "$(sql "SELECT count(*) FROM events WHERE state <> 'pending'")" 0
[ "$(sql "SELECT min(attempts) FROM events")" -ge 3 ] && ok ||
	bad "attempts while down: $(sql "SELECT group_concat(attempts) FROM events")"
recv_start "$PORT"
wait_for "SELECT count(*) FROM events WHERE state = 'delivered'" "$NEV" 20
eq "received" "$(wc -l <"$T/received" | tr -d ' ')" "$NEV"
# receiver: distinct ids, all signed right, and the store's ids
node -e '
const fs = require("fs");
const rows = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const ids = rows.map((r) => r.id);
console.log(new Set(ids).size, rows.filter((r) => !r.ok).length);
console.log(ids.slice().sort().join("\n"));
' "$T/received" >"$T/recv_ids"
eq "each event once by id, signatures good" "$(head -n 1 "$T/recv_ids")" "$NEV 0"
sql "SELECT id FROM events ORDER BY id" >"$T/store_ids"
eq "the receiver has the store's ids" "$(tail -n +2 "$T/recv_ids")" "$(cat "$T/store_ids")"
api GET "/api/v1/events?state=delivered&limit=1000"
eq "GET /events?state=delivered" "$code" 200
eq "delivered, by the API" "$(jv 'j.events.length' <"$T/resp")" "$NEV"
api GET "/api/v1/events?state=lost"
eq "a bad state" "$code" 400
serve_stop
recv_stop

# ================= dead letters and re-delivery =================
# a minute of 10 ms: 24 hours in 14.4 s
: >"$T/received"
sales 6 7 >"$T/c.jsonl"
expect 0 "$B" import "$T/c.jsonl"
BOOKSYNC_EVENTS_UNIT_MS=10 serve_start --today 2026-10-02
bs_sync --everything
eq "sync posted (dead letters)" "$bs_rc" 0
NEW=$(sql "SELECT count(*) FROM events WHERE state = 'pending'")
[ "$NEW" -ge 2 ] && ok || bad "new events: $NEW"
wait_for "SELECT count(*) FROM events WHERE state = 'dead'" "$NEW" 40
api GET "/api/v1/events?state=dead"
eq "dead, by the API" "$(jv 'j.events.length' <"$T/resp")" "$NEW"
case $(jv 'j.events[0].last_error' <"$T/resp") in "") bad "a dead event without its last error" ;; *) ok ;; esac
expect 2 "$B" events --json
expect 0 "$B" events --failed --json
eq "events --failed --json" "$(jv 'j.events.length' <"$T/out")" "$NEW"
ID1=$(jv 'j.events[0].id' <"$T/out")
ID2=$(jv 'j.events[1].id' <"$T/out")
api POST "/api/v1/events/$ID2/redeliver"
eq "POST /events/{id}/redeliver" "$code" 200
api POST "/api/v1/events/$ID2/redeliver"
eq "re-delivering a pending event" "$code" 404
api POST "/api/v1/events/evt_nope/redeliver"
eq "re-delivering an unknown event" "$code" 404
serve_stop
recv_start "$PORT"
expect 0 "$B" events --redeliver "$ID1"
expect 2 "$B" events --redeliver "$ID1" --all-failed
sleep 1
expect 0 "$B" events --deliver
has "$T/out" "delivered 2"
eq "the two re-delivered reached the receiver" \
	"$(grep -c '"ok":true' "$T/received")" 2
grep -q "$ID1" "$T/received" && grep -q "$ID2" "$T/received" && ok || bad "ids not received"
expect 0 "$B" events --all-failed
eq "all-failed, each re-delivered" "$(cat "$T/out")" "$(( NEW - 2 )) event(s) due again"
expect 0 "$B" events --deliver
expect 0 "$B" events --failed
eq "no dead events left" "$(cat "$T/out")" ""
eq "every event delivered" "$(sql "SELECT count(*) FROM events WHERE state <> 'delivered'")" 0
recv_stop

# a document the ledger refuses: document.failed, with the ledger's reason
expect 0 "$B" settings account.sales 999
sales 8 8 >"$T/d.jsonl"
expect 0 "$B" import "$T/d.jsonl"
bs_sync --everything
eq "the refused sync exits 1" "$bs_rc" 1
eq "document.failed for SO-8" \
	"$(sql "SELECT count(*) FROM events WHERE type = 'document.failed' AND json_extract(data, '\$.id') = 'SO-8' AND json_extract(data, '\$.reason') <> ''")" 1
eq "and no document.posted for it" \
	"$(sql "SELECT count(*) FROM events WHERE type = 'document.posted' AND json_extract(data, '\$.id') = 'SO-8'")" 0
finish
