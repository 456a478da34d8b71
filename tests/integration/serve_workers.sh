#!/bin/sh
# serve_workers.sh - `booksync serve --workers N` on PostgreSQL
# (docs/scale-out.md): a serve is the dashboard of its store and N fleet
# workers for every store of the database.
#   - two organisations, each a store (a schema) connected to its own tenant
#     of one `sandbox xero --tenants`; a serve on the first with --workers 2
#     posts both organisations' sales with no API call and no `worker`;
#   - a store's schedule.sync_minutes is the workers' schedule: org1 (1
#     minute) is synced again and posts a new sale, org2 (no schedule: the
#     workers' 5 minutes) is not;
#   - the scheduler of the serve leaves the syncs to the workers: no job of
#     origin "schedule"; a sync asked through the API still runs;
#   - refusals: --workers on a SQLite store, out of range; SIGTERM stops it.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
. "$(dirname "$0")/lib/pg.sh"

pg_start || exit 1
trap 'pg_stop; lib_cleanup' EXIT
export BOOKSYNC_KEY_FILE="$T/fleet.key"
# one schedule minute lasts 1.5 s here
export BOOKSYNC_SCHEDULE_UNIT_MS=1500

# refusals, before anything runs
expect 2 env BOOKSYNC_DB="$T/one.db" "$B" serve --workers 2
has "$T/err" "postgresql://"
expect 2 env BOOKSYNC_DB="$PG_URL?schema=org1" "$B" serve --workers 65
has "$T/err" "--workers takes 0 to 64"
expect 2 env BOOKSYNC_DB="$PG_URL?schema=org1" "$B" serve --workers many

sb_start --tenants 3 --limits off
XU=$SB_URL
xlogin "$XU"
tenant_of() { printf 'b5000000-0000-4000-8000-%012d' $(($1 + 1)); }

# gen FROM TO: invoiced sales FROM..TO of one customer, 10.00 + n cents
gen() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		print "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Serve Customer\"}";
		for (i = a; i <= b; i++)
			printf "{\"kind\":\"sale\",\"id\":\"SO-%d\",\"reference\":\"SO-%d\",\"customer_id\":\"C-1\",\"date\":\"2026-11-01\",\"invoiced\":true,\"tax_mode\":\"none\",\"lines\":[{\"description\":\"Item\",\"qty\":\"1\",\"unit_price\":\"10.%02d\",\"tax_rate\":\"0\"}]}\n", i, i, i % 100;
	}'
}
gen 1 5 >"$T/first.jsonl"
for i in 1 2; do
	export BOOKSYNC_DB="$PG_URL?schema=org$i"
	"$B" init >/dev/null || bad "init org$i"
	"$B" import "$T/first.jsonl" >/dev/null || bad "import org$i"
	"$B" connect xero --base-url "$XU" --tenant "$(tenant_of $i)" </dev/null \
		>"$T/connect.out" 2>&1 || { bad "connect org$i"; cat "$T/connect.out" >&2; }
done
export BOOKSYNC_DB="$PG_URL?schema=org1"
expect 0 "$B" settings schedule.sync_minutes 1
expect 0 "$B" token add ci --scope sync,read
TOKEN=$(grep '^bst_' "$T/out")

# invoices NAME I: the non-void invoices of org I's tenant
invoices() {
	X_TEN=$(tenant_of "$1")
	xget "Invoices" | jv '(j.Invoices || []).filter(d => d.Status !== "DELETED" && d.Status !== "VOIDED").length'
}
# wait_invoices I N: up to 30 s for org I's tenant to hold N invoices
wait_invoices() {
	n=0
	while [ $n -lt 150 ] && [ "$(invoices "$1")" != "$2" ]; do
		sleep 0.2
		n=$((n + 1))
	done
	eq "org$1's invoices" "$(invoices "$1")" "$2"
}

serve_start --workers 2
has "$T/serve1.err" "2 workers"

# both organisations synced by the serve's workers, nothing asked
wait_invoices 1 5
wait_invoices 2 5

# new sales in both: org1's schedule (1 minute, 1.5 s here) posts its own;
# org2 is due again only in the workers' 5 minutes
gen 6 6 | sed 1d >"$T/more.jsonl"
BOOKSYNC_DB="$PG_URL?schema=org1" "$B" import "$T/more.jsonl" >/dev/null || bad "import org1"
BOOKSYNC_DB="$PG_URL?schema=org2" "$B" import "$T/more.jsonl" >/dev/null || bad "import org2"
wait_invoices 1 6
sleep 2
eq "org2, no schedule, not synced again yet" "$(invoices 2)" 5

# the scheduler left the syncs to the workers: no scheduled job in org1
code=$(curl -s -o "$T/jobs.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	"$S_URL/api/v1/jobs?limit=20")
eq "GET /jobs" "$code" 200
eq "scheduled jobs in serve" "$(jv 'j.items.filter(i => i.origin == "schedule").length' <"$T/jobs.json")" 0

# the workers' lines
# its contact and 5 invoices
has "$T/serve1.err" "worker: org2 xero:$(tenant_of 2): ok: posted 6"
lacks "$T/serve1.err" "error:"

# and a lease per target, held by this serve's workers or idle
BOOKSYNC_DB="$PG_URL" "$B" worker --status >"$T/status.out" 2>&1
eq "leases" "$(grep -c ' runs ' "$T/status.out")" 2

kill -TERM "$S_PID"
if ! gone "$S_PID" 150; then
	bad "serve still running 15 s after SIGTERM"
else
	wait "$S_PID"
	eq "serve's exit after SIGTERM" $? 0
fi
finish
