#!/bin/sh
# fleet_workers.sh - many organisations, four workers, one PostgreSQL
# (docs/scale-out.md): a PostgreSQL server of the test's own
# (lib/pg.sh) holds one store per organisation, each connected to its own
# tenant of one `sandbox xero --tenants`, each with the same sales to post.
# Four `booksync worker` processes share the work; one of them is killed
# with SIGKILL while it holds a lease, three times, and a new worker takes
# its place each time.  Then:
#   - every invoice of every organisation is in its tenant exactly once,
#     to the cent, and a second round posts nothing;
#   - the sandbox refused no call: the app-wide budget (set low, so the
#     workers must share it) and each tenant's limits held;
#   - the killed workers' leases were taken over after they ended.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
# FLEET_ORGS, FLEET_SALES: organisations and sales each (default 12, 150:
# four calls an organisation, more than the app budget lets through at once).
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
. "$(dirname "$0")/lib/pg.sh"

ORGS=${FLEET_ORGS:-12}
SALES=${FLEET_SALES:-150}
pg_start || exit 1
trap 'pg_stop; lib_cleanup' EXIT
export BOOKSYNC_KEY_FILE="$T/fleet.key"

# what a worker refuses: no PostgreSQL, numbers out of range; a PostgreSQL
# store without a key file named
expect 2 env BOOKSYNC_DB="$T/one.db" "$B" worker --once
has "$T/err" "postgresql://"
expect 2 "$B" --db "$PG_URL" worker --concurrency 0
expect 2 "$B" --db "$PG_URL" worker --lease 1
expect 2 "$B" --db "$PG_URL" worker --every soon
expect 2 env -u BOOKSYNC_KEY_FILE "$B" --db "$PG_URL?schema=nokey" init
has "$T/err" "BOOKSYNC_KEY_FILE"
expect 2 "$B" --db "$PG_URL?schema=bad-name" init
has "$T/err" "letters, digits and '_'"

# app-minute 40 in a 6 s "minute" (time-scale 10) across every tenant:
# four workers with their own governors alone would pass it
sb_start --tenants $((ORGS + 1)) --limits app-minute=40,time-scale=10
XU=$SB_URL
xlogin "$XU"

# the sales: a customer each, amounts in cents that do not repeat
awk -v n="$SALES" 'BEGIN {
	print "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Fleet Customer\"}";
	for (i = 1; i <= n; i++)
		printf "{\"kind\":\"sale\",\"id\":\"SO-%d\",\"reference\":\"SO-%d\",\"customer_id\":\"C-1\",\"date\":\"2026-11-01\",\"invoiced\":true,\"tax_mode\":\"none\",\"lines\":[{\"description\":\"Item\",\"qty\":\"1\",\"unit_price\":\"%d.%02d\",\"tax_rate\":\"0\"}]}\n", i, i, 10 + i * 7, (i * 13) % 100;
}' >"$T/sales.jsonl"
want_total=$(awk -v n="$SALES" 'BEGIN { s = 0; for (i = 1; i <= n; i++) s += (10 + i * 7) * 100 + (i * 13) % 100; printf "%d.%02d", s / 100, s % 100 }')

tenant_of() { printf 'b5000000-0000-4000-8000-%012d' $(($1 + 1)); }

i=1
while [ $i -le "$ORGS" ]; do
	export BOOKSYNC_DB="$PG_URL?schema=org$i"
	"$B" init >/dev/null || { bad "init org$i"; break; }
	"$B" import "$T/sales.jsonl" >/dev/null || bad "import org$i"
	"$B" settings limits.app_per_minute 40 >/dev/null || bad "settings org$i"
	"$B" settings limits.time_scale 10 >/dev/null || bad "settings org$i"
	"$B" connect xero --base-url "$XU" --tenant "$(tenant_of $i)" </dev/null >"$T/connect.out" 2>&1 ||
		{ bad "connect org$i"; cat "$T/connect.out" >&2; }
	i=$((i + 1))
done
ok
export BOOKSYNC_DB="$PG_URL"
# the connects above were separate processes, each pacing only itself: what
# they ran into is theirs, not the workers'
refused_before=$(curl -s "$XU/sandbox/counters" | jv 'sum(j.tenants, t => t.rate_limited)')
# and their calls fill the app's window for its length (6 s at time-scale
# 10), outside the workers' shared count: the workers start after it
sleep 7

# start_worker N: a worker in the background, its pid in W<N>, its id in ID<N>
start_worker() {
	"$B" worker --concurrency 1 --once --lease 3 --every 3600 \
		>"$T/w$1.out" 2>"$T/w$1.err" &
	eval "W$1=$!"
	echo $! >>"$T/pids"
}
worker_id() { sed -n 's/^booksync worker \([0-9a-f]*\):.*/\1/p' "$T/w$1.err"; }

for n in 1 2 3 4; do start_worker $n; done

# three times: wait until worker N holds a lease mid-sync, kill -9 it,
# start another in its place
kills=0
held=0
for n in 1 2 3; do
	tries=0
	while [ $tries -lt 200 ]; do
		id=$(worker_id $n)
		if [ -n "$id" ] && "$B" worker --status 2>/dev/null | grep -q " $id/"; then
			eval "kill -9 \$W$n"
			kills=$((kills + 1))
			held=$((held + 1))
			break
		fi
		tries=$((tries + 1))
		sleep 0.05
	done
	start_worker $((n + 4))
done
eq "workers killed while holding a lease" "$held" 3

# the survivors and the three new ones finish, the dead ones' targets too
for n in 4 5 6 7; do
	eval "wait \$W$n" || { bad "worker $n exited $?"; sed 's/^/  | /' "$T/w$n.err" | tail -n 5 >&2; }
done
"$B" worker --status >"$T/status.out" 2>&1
eq "every target synced, none leased" "$(grep -c ' idle ' "$T/status.out")" "$ORGS"
lacks "$T/status.out" "error:"

# every organisation's tenant holds each invoice once, to the cent
i=1
while [ $i -le "$ORGS" ]; do
	X_TEN=$(tenant_of $i)
	xget "Invoices" >"$T/inv.json"
	got=$(jv '(j.Invoices || []).filter(d => d.Status !== "DELETED" && d.Status !== "VOIDED").length' <"$T/inv.json")
	distinct=$(jv 'new Set((j.Invoices || []).map(d => d.InvoiceNumber)).size' <"$T/inv.json")
	total=$(jv 'c(sum(j.Invoices || [], d => d.Total))' <"$T/inv.json")
	eq "org$i invoices" "$got" "$SALES"
	eq "org$i distinct numbers" "$distinct" "$SALES"
	eq "org$i total" "$total" "$want_total"
	i=$((i + 1))
done

# no call was refused: the app budget, the minute and the concurrent limit held
curl -s "$XU/sandbox/counters" >"$T/counters.json"
eq "calls the sandbox refused the workers" \
	"$(jv "sum(j.tenants, t => t.rate_limited) - $refused_before" <"$T/counters.json")" 0
# and the shared budget was what held the app's minute: the workers waited on it
waits=$(cat "$T"/w[4567].out | sed -n 's/.*, \([0-9]*\) waits for the app.s budget/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
if [ "$waits" -gt 0 ]; then ok; else bad "no worker waited for the app's budget"; fi

if [ "$fails" -gt 0 ]; then
	curl -s "$XU/sandbox/log" | jv 'j.entries.filter(e => e.status === 429).map(e => e.seq + " " + e.time + " " + e.tenant + " " + e.method + " " + e.path).join("\n")' >&2
fi

# a second round posts nothing: every target is due again at once
psql -q -X "$PG_URL" -c "UPDATE booksync_fleet.leases SET next_due_ms = 0" >/dev/null
expect 0 "$B" worker --concurrency 4 --once --lease 3 --every 3600
has "$T/out" "worker: posted 0, failed 0"

# without --once a worker waits for due targets until SIGTERM, then stops
"$B" worker --concurrency 2 --every 3600 >"$T/wt.out" 2>"$T/wt.err" &
wt=$!
echo "$wt" >>"$T/pids"
sleep 1
kill -TERM "$wt"
if ! gone "$wt" 100; then
	bad "worker still running 10 s after SIGTERM"
else
	wait "$wt"
	eq "worker's exit after SIGTERM" $? 0
fi

echo "# fleet: $ORGS organisations x $SALES sales, 4 workers, $kills killed mid-sync"
finish
