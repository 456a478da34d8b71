#!/bin/sh
# fleet_budget.sh - a sync that is not a worker's keeps the app's budget
# too (docs/scale-out.md "The app budget"): on a PostgreSQL store, a CLI
# `booksync sync` and a serve's API job take their calls' slots of Xero's
# app-wide minute from the database, as the fleet's workers do.
#   - two organisations, each a store connected to its own tenant of one
#     `sandbox xero --tenants` whose app minute is 6 calls (time-scale 10:
#     a 6 s minute); each needs about six calls, so either alone fits a
#     minute and the two at once would pass it;
#   - org1 syncs with the CLI while org2's serve runs a job from the API,
#     at the same time: the sandbox refuses no call, and each tenant holds
#     its invoices once, to the cent.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
. "$(dirname "$0")/lib/pg.sh"

SALES=200
pg_start || exit 1
trap 'pg_stop; lib_cleanup' EXIT
export BOOKSYNC_KEY_FILE="$T/fleet.key"

sb_start --tenants 3 --limits app-minute=6,time-scale=10
XU=$SB_URL
xlogin "$XU"
tenant_of() { printf 'b5000000-0000-4000-8000-%012d' $(($1 + 1)); }

sales_jsonl 1 "$SALES" >"$T/sales.jsonl"
want_total=$(sales_total "$SALES")

for i in 1 2; do
	export BOOKSYNC_DB="$PG_URL?schema=org$i"
	"$B" init >/dev/null || bad "init org$i"
	"$B" import "$T/sales.jsonl" >/dev/null || bad "import org$i"
	# each process's own governor knows the app's minute: alone, it keeps it
	"$B" settings limits.app_per_minute 6 >/dev/null || bad "settings org$i"
	"$B" settings limits.time_scale 10 >/dev/null || bad "settings org$i"
	"$B" connect xero --base-url "$XU" --tenant "$(tenant_of $i)" </dev/null \
		>"$T/connect.out" 2>&1 || { bad "connect org$i"; cat "$T/connect.out" >&2; }
done
export BOOKSYNC_DB="$PG_URL?schema=org2"
expect 0 "$B" token add ci --scope sync,read
TOKEN=$(grep '^bst_' "$T/out")

serve_start

# the connects' calls are outside any shared count: their window passes first
refused_before=$(curl -s "$XU/sandbox/counters" | jv 'sum(j.tenants, t => t.rate_limited)')
sleep 7

# both at once: org1 by the CLI, org2 by the serve's job runner
BOOKSYNC_DB="$PG_URL?schema=org1" "$B" sync >"$T/sync1.out" 2>"$T/sync1.err" &
C_PID=$!
code=$(curl -s -o "$T/job.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' --data '{}' "$S_URL/api/v1/sync")
eq "POST /sync" "$code" 202
JOB=$(jv j.id <"$T/job.json")
wait "$C_PID"
eq "org1's sync" $? 0
n=0
state=
while [ $n -lt 600 ]; do
	curl -s -o "$T/job.json" -H "Authorization: Bearer $TOKEN" "$S_URL/api/v1/jobs/$JOB"
	state=$(jv j.state <"$T/job.json")
	case $state in done | failed) break ;; esac
	sleep 0.1
	n=$((n + 1))
done
eq "org2's job" "$state" done

# no call refused: together they kept the app's minute
curl -s "$XU/sandbox/counters" >"$T/counters.json"
eq "calls the sandbox refused" \
	"$(jv "sum(j.tenants, t => t.rate_limited) - $refused_before" <"$T/counters.json")" 0

# each tenant holds its invoices once, to the cent
for i in 1 2; do
	X_TEN=$(tenant_of $i)
	xget "Invoices" >"$T/inv.json"
	eq "org$i invoices" \
		"$(jv '(j.Invoices || []).filter(d => d.Status !== "DELETED" && d.Status !== "VOIDED").length' <"$T/inv.json")" \
		"$SALES"
	eq "org$i distinct numbers" "$(jv 'new Set((j.Invoices || []).map(d => d.InvoiceNumber)).size' <"$T/inv.json")" "$SALES"
	eq "org$i total" "$(jv 'c(sum(j.Invoices || [], d => d.Total))' <"$T/inv.json")" "$want_total"
done

kill -TERM "$S_PID"
gone "$S_PID" 150 || bad "serve still running 15 s after SIGTERM"
finish
