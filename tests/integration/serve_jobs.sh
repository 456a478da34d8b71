#!/bin/sh
# serve_jobs.sh - `booksync serve`'s sync jobs, connections, scheduler and
# metrics against the Xero sandbox (docs/serve.md "Jobs and the scheduler",
# "Connections").
#
# Connect through the API (the sandbox approves at once, so following the
# authorize URL's redirect is the browser's part); POST /sync and poll the
# job to done; a replayed POST /sync while the job runs gets 409 naming it;
# a CLI sync meanwhile exits 4 and nothing is posted twice; SIGTERM during a
# job stops serve with exit 0, the job is stored as stopped, and a later
# sync finishes the rest exactly once; the scheduler runs with
# schedule.sync_minutes=1 and a minute of 300 ms (BOOKSYNC_SCHEDULE_UNIT_MS);
# /metrics parses as Prometheus text; QuickBooks connects through the API
# too (its redirect carries the company's realmId); disconnecting leaves
# the target unconnected.  Every ledger call takes 300 ms (the sandbox's slow fault)
# and calls go one at a time, so a job is still running when the test acts
# on it.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
export BOOKSYNC_QBO_CLIENT_ID=test BOOKSYNC_QBO_CLIENT_SECRET=secret

# gen FIRST LAST: sales SO-FIRST..SO-LAST of customer C-1, one line each
gen() {
	i=$1
	while [ "$i" -le "$2" ]; do
		printf '{"kind":"sale","id":"SO-%d","reference":"SO-%d","customer_id":"C-1","date":"2026-10-01","invoiced":true,"tax_mode":"exclusive","lines":[{"description":"A","qty":"1","unit_price":"10.00","tax_rate":"15"}]}\n' "$i" "$i"
		i=$((i + 1))
	done
}


# serve_stop: SIGTERM and wait; the exit status in serve_rc
serve_stop() {
	kill -TERM "$S_PID"
	wait "$S_PID"
	serve_rc=$?
}

# api METHOD PATH [BODY]: the answer's body in $T/resp, status in $code
api() {
	if [ $# -ge 3 ]; then
		code=$(curl -s -o "$T/resp" -D "$T/hdr" -w '%{http_code}' -X "$1" \
			-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
			--data "$3" "$S_URL$2")
	else
		code=$(curl -s -o "$T/resp" -D "$T/hdr" -w '%{http_code}' -X "$1" \
			-H "Authorization: Bearer $TOKEN" "$S_URL$2")
	fi
}

# wait_job ID: poll GET /jobs/ID until it has ended (30 s at most)
wait_job() {
	n=0
	while [ $n -lt 300 ]; do
		api GET "/api/v1/jobs/$1"
		case $(jv j.state <"$T/resp") in done | failed) return 0 ;; esac
		sleep 0.1
		n=$((n + 1))
	done
	bad "job $1 did not end: $(cat "$T/resp")"
}

sb_start --limits off --faults rate=1,seed=1,kinds=slow,slow-ms=300
fresh_store serve
{
	echo '{"kind":"customer","id":"C-1","name":"Aroha Ltd"}'
	gen 1 300
} >"$T/a.jsonl"
expect 0 "$B" import "$T/a.jsonl"
# one call at a time, so a job lasts (a call of 300 ms per 50 invoices)
expect 0 "$B" settings limits.concurrent 1
expect 0 "$B" token add ci --scope sync,read,admin
TOKEN=$(grep '^bst_' "$T/out")
[ -n "$TOKEN" ] && ok || bad "token add printed no token"
expect 2 "$B" settings schedule.sync_minutes soon
has "$T/err" "not a whole number of minutes"
expect 0 "$B" settings
has "$T/out" "schedule.sync_minutes"
serve_start --today 2026-10-02

# ---- connect through the API ----
api POST /api/v1/sync '{}'
eq "sync before connecting" "$code" 409
api POST /api/v1/connections/xero "{\"base_url\":\"$SB_URL\"}"
eq "POST /connections/xero" "$code" 200
auth=$(jv j.authorize_url <"$T/resp")
case $auth in "$SB_URL"/*redirect_uri=*) ok ;; *) bad "authorize_url: $auth" ;; esac
back=$(curl -s -o /dev/null -w '%{redirect_url}' "$auth")
case $back in "$S_URL/api/v1/connections/xero/callback?"*) ok ;; *) bad "redirect: $back" ;; esac
eq "callback redirects to the Connect page" \
	"$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$back")" "302 $S_URL/#connect"
eq "the state is single-use" "$(curl -s -o "$T/cb2" -w '%{http_code}' "$back")" 400
eq "the refusal names the state" "$(jv j.error.param <"$T/cb2")" state
api POST /api/v1/connections/sage '{}'
eq "an unknown ledger" "$code" 404
api GET /api/v1/connections
eq "GET /connections" "$code" 200
eq "xero connected" "$(jv 'j.items.filter(i => i.ledger == "xero").map(i => i.connected).join()' <"$T/resp")" true
TARGET=$(jv 'j.items.find(i => i.ledger == "xero").target' <"$T/resp")
case $TARGET in xero:*) ok ;; *) bad "target: $TARGET" ;; esac

# ---- a job, a replay, a CLI sync meanwhile ----
api POST /api/v1/sync '{"select":["SO-1"]}'
eq "select without a tab" "$code" 400
api POST /api/v1/sync '{"tab":"invoices","bogus":1}'
eq "an unknown field" "$(jv j.error.param <"$T/resp")" bogus
api POST /api/v1/sync 'not json'
eq "malformed JSON" "$code" 400
api POST /api/v1/sync '{}'
eq "POST /sync" "$code" 202
JOB=$(jv j.id <"$T/resp")
has "$T/hdr" "Location: /api/v1/jobs/$JOB"
eq "origin of a token's job" "$(jv j.origin <"$T/resp")" api
api POST /api/v1/sync '{"all":true}'
eq "a replayed POST /sync" "$code" 409
eq "409 names the job" "$(jv j.error.job <"$T/resp")" "$JOB"
# the CLI while the job sends (it holds the target's lock): exit 4
n=0
while [ $n -lt 200 ] && ! grep -q '"phase":"send"' "$T/resp"; do
	sleep 0.02
	api GET "/api/v1/jobs/$JOB"
	n=$((n + 1))
done
has "$T/resp" '"state":"running"'
expect 4 "$B" sync
has "$T/err" "another sync of $TARGET is running"
wait_job "$JOB"
eq "the job is done" "$(jv j.state <"$T/resp")" done
eq "it posted every record" "$(jv j.summary.posted <"$T/resp")" 301
eq "its phase" "$(jv j.phase <"$T/resp")" done
eq "finished_at is ISO 8601 UTC" "$(jv 'j.finished_at.length' <"$T/resp")" 20
api GET /api/v1/jobs/99999
eq "an unknown job" "$code" 404
api GET '/api/v1/jobs?limit=1'
eq "jobs list, newest first" "$(jv 'j.items[0].id' <"$T/resp")" "$JOB"
api GET '/api/v1/jobs?cursor=nope'
eq "a bad cursor" "$(jv j.error.param <"$T/resp")" cursor
expect 0 "$B" pending --tab sales
lacks "$T/out" "SO-"
xlogin "$SB_URL"
eq "300 invoices reached the sandbox, each once" \
	"$(xq Invoices 'new Set(j.Invoices.map(i => i.Reference)).size + "/" + j.Invoices.length')" "300/300"

# ---- SIGTERM during a job: exit 0, nothing half-done ----
gen 301 500 >"$T/b.jsonl"
expect 0 "$B" import "$T/b.jsonl"
api POST /api/v1/sync '{"tab":"invoices"}'
eq "POST /sync (invoices)" "$code" 202
JOB2=$(jv j.id <"$T/resp")
# SIGTERM as soon as the first request has been answered
n=0
while [ $n -lt 300 ]; do
	api GET "/api/v1/jobs/$JOB2"
	grep -q '"state":"running"' "$T/resp" && ! grep -q '"posted":0,' "$T/resp" && break
	sleep 0.02
	n=$((n + 1))
done
has "$T/resp" '"state":"running"'
serve_stop
eq "serve exits 0 on SIGTERM" "$serve_rc" 0
serve_start --today 2026-10-02
api GET "/api/v1/jobs/$JOB2"
eq "the stopped job is stored failed" "$(jv j.state <"$T/resp")" failed
has "$T/resp" "stopped: serve is stopping"
posted=$(jv j.summary.posted <"$T/resp")
[ "$posted" -gt 0 ] && [ "$posted" -lt 200 ] && ok || bad "stopped job posted $posted of 200"
api POST /api/v1/sync '{"tab":"invoices"}'
JOB3=$(jv j.id <"$T/resp")
wait_job "$JOB3"
eq "the next job posts the rest" "$(jv "j.summary.posted + $posted" <"$T/resp")" 200
eq "500 invoices in the sandbox, each once" \
	"$(xq Invoices 'new Set(j.Invoices.map(i => i.Reference)).size + "/" + j.Invoices.length')" "500/500"
serve_stop

# ---- the scheduler: one minute of 300 ms ----
expect 0 "$B" settings schedule.sync_minutes 1
gen 501 505 >"$T/c.jsonl"
expect 0 "$B" import "$T/c.jsonl"
BOOKSYNC_SCHEDULE_UNIT_MS=300 serve_start --today 2026-10-02
n=0
SJOB=
while [ $n -lt 100 ] && [ -z "$SJOB" ]; do
	api GET '/api/v1/jobs?limit=5'
	# the first scheduled job (later ones find nothing left)
	SJOB=$(jv '(a => a.length ? Math.min(...a) : "")(j.items.filter(i => i.origin == "schedule" && i.state == "done").map(i => i.id))' <"$T/resp")
	[ -n "$SJOB" ] || sleep 0.1
	n=$((n + 1))
done
[ -n "$SJOB" ] && ok || bad "no scheduled job ran: $(cat "$T/resp")"
api GET "/api/v1/jobs/$SJOB"
eq "the scheduled job posted the new sales" "$(jv j.summary.posted <"$T/resp")" 5
eq "a scheduled job is Sync All" "$(jv 'Object.keys(j.request).join()' <"$T/resp")" target

# ---- metrics ----
code=$(curl -s -o "$T/metrics" -D "$T/mhdr" -w '%{http_code}' \
	-H "Authorization: Bearer $TOKEN" "$S_URL/api/v1/metrics")
eq "GET /metrics" "$code" 200
has "$T/mhdr" "text/plain; version=0.0.4"
eq "every line is Prometheus text" "$(node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
const lab = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"`;
const sample = new RegExp(String.raw`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{${lab}(,${lab})*\})? -?[0-9]+(\.[0-9]+)?$`);
const bad = lines.filter(l => l !== "" && !/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(l) && !sample.test(l));
const fams = lines.filter(l => l.startsWith("# TYPE ")).map(l => l.split(" ")[2]);
console.log(bad.length == 0 && new Set(fams).size == fams.length ? "yes" : "no: " + bad.slice(0, 3).join(" | "));
' "$T/metrics")" yes
has "$T/metrics" "booksync_records{target=\"$TARGET\",state=\"imported\",tab=\"sales/invoices\"} 505"
has "$T/metrics" "booksync_last_sync_success{target=\"$TARGET\"} 1"
has "$T/metrics" "booksync_calls_allowance_day{target=\"$TARGET\"} 5000"
has "$T/metrics" "booksync_jobs{state=\"running\"}"
has "$T/metrics" "booksync_rate_limited_total{target=\"$TARGET\"} 0"

# ---- QuickBooks through the API: the redirect carries the realmId ----
expect 0 "$B" settings schedule.sync_minutes 0
XERO_SB=$SB_URL
BS_LEDGER=qbo sb_start --limits off
QBO_SB_URL=$SB_URL
api POST /api/v1/connections/qbo "{\"base_url\":\"$SB_URL\"}"
eq "POST /connections/qbo" "$code" 200
back=$(curl -s -o /dev/null -w '%{redirect_url}' "$(jv j.authorize_url <"$T/resp")")
case $back in *realmId=*) ok ;; *) bad "qbo redirect: $back" ;; esac
eq "qbo callback" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$back")" \
	"302 $S_URL/#connect"
api GET /api/v1/connections
case $(jv 'j.items.filter(i => i.ledger == "qbo" && i.connected).map(i => i.target).join()' <"$T/resp") in
qbo:[0-9]*) ok ;;
*) bad "qbo not connected: $(cat "$T/resp")" ;;
esac
api POST /api/v1/sync '{}'
eq "two ledgers connected: name one" "$code" 400
api POST /api/v1/sync "{\"target\":\"$TARGET\",\"tab\":\"invoices\"}"
eq "a named target" "$code" 202
wait_job "$(jv j.id <"$T/resp")"
eq "nothing left for xero" "$(jv j.summary.posted <"$T/resp")" 0
SB_URL=$XERO_SB

# ---- disconnect: the ledger is told (Xero: its connection deleted; QBO:
# the grant revoked), then the credentials are forgotten here ----
QBO_SB=$QBO_SB_URL
api DELETE /api/v1/connections/xero
eq "DELETE /connections/xero" "$code" 200
eq "xero: revoked at the ledger" "$(jv j.revoked <"$T/resp")" true
curl -s "$XERO_SB/sandbox/log" >"$T/xlog"
eq "the Xero sandbox saw its connection deleted" \
	"$(jv 'j.entries.filter(e => e.method == "DELETE" && e.path.startsWith("/connections/")).map(e => e.status).join()' <"$T/xlog")" 204
api GET /api/v1/connections
eq "xero no longer connected" "$(jv 'j.items.find(i => i.ledger == "xero").connected' <"$T/resp")" false
api DELETE /api/v1/connections/xero
eq "disconnecting twice" "$code" 404
api DELETE /api/v1/connections/qbo
eq "DELETE /connections/qbo" "$code" 200
eq "qbo: revoked at the ledger" "$(jv j.revoked <"$T/resp")" true
curl -s "$QBO_SB/sandbox/log" >"$T/qlog"
eq "the QBO sandbox saw the grant revoked" \
	"$(jv 'j.entries.filter(e => e.path == "/oauth2/v1/tokens/revoke").map(e => e.status).join()' <"$T/qlog")" 200
serve_stop
eq "serve exits 0" "$serve_rc" 0
finish
