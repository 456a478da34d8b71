#!/bin/sh
# fleet_jobs.sh - a serve hands its sync jobs to the fleet (docs/scale-out.md
# "Jobs go to the fleet"): `serve --fleet` on a PostgreSQL store runs no
# sync of its own; a job asked through its API is a row any `booksync
# worker` of the database takes, on this machine or another.
#   - with no worker running, the job stays queued (and says no worker has
#     it); the same sync asked again is refused with the first job's id; a
#     serve that restarts leaves the fleet's job queued;
#   - a worker started later takes it, and the job ends done, with the
#     worker's id, its progress and summary read back through the serve;
#     every invoice is in the tenant once, to the cent;
#   - a worker killed with SIGKILL in the middle of a job: once its lease
#     ends, the next worker takes the job over and finishes it, nothing
#     posted twice, nothing lost.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
. "$(dirname "$0")/lib/pg.sh"

pg_start || exit 1
trap 'pg_stop; lib_cleanup' EXIT
export BOOKSYNC_KEY_FILE="$T/fleet.key"

# app-minute 3 in a 3 s "minute" (time-scale 20): a batch of 50 invoices a
# second, so a job of 400 sales runs for seconds, long enough to be killed
sb_start --tenants 2 --limits app-minute=3,time-scale=20
XU=$SB_URL
xlogin "$XU"
X_TEN=b5000000-0000-4000-8000-000000000002

# each invoice once, to the cent: the tenant holds exactly sales 1..N
tenant_holds() {
	xget "Invoices" >"$T/inv.json"
	eq "$2: invoices" \
		"$(jv '(j.Invoices || []).filter(d => d.Status !== "DELETED" && d.Status !== "VOIDED").length' <"$T/inv.json")" "$1"
	eq "$2: distinct numbers" "$(jv 'new Set((j.Invoices || []).map(d => d.InvoiceNumber)).size' <"$T/inv.json")" "$1"
	eq "$2: total" "$(jv 'c(sum(j.Invoices || [], d => d.Total))' <"$T/inv.json")" "$(sales_total "$1")"
}

export BOOKSYNC_DB="$PG_URL?schema=org1"
sales_jsonl 1 100 >"$T/s1.jsonl"
"$B" init >/dev/null || bad "init"
"$B" import "$T/s1.jsonl" >/dev/null || bad "import"
"$B" settings limits.app_per_minute 3 >/dev/null || bad "settings"
"$B" settings limits.time_scale 20 >/dev/null || bad "settings"
"$B" connect xero --base-url "$XU" --tenant "$X_TEN" </dev/null >"$T/connect.out" 2>&1 ||
	{ bad "connect"; cat "$T/connect.out" >&2; }
expect 0 "$B" token add ci --scope sync,read
TOKEN=$(grep '^bst_' "$T/out")

# what serve refuses: --fleet on a file, --fleet with --workers
expect 2 env BOOKSYNC_DB="$T/one.db" "$B" serve --fleet
has "$T/err" "postgresql://"
expect 2 "$B" serve --fleet --workers 2
has "$T/err" "--fleet"

serve_start --fleet
has "$T/serve$serve_n.err" "go to the fleet's workers"

post_sync() { # post_sync FILE: POST /sync {}, the status code out
	curl -s -o "$1" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' --data '{}' "$S_URL/api/v1/sync"
}
job() { curl -s -H "Authorization: Bearer $TOKEN" "$S_URL/api/v1/jobs/$1"; }
# wait_job ID STATE TENTHS: until job ID is in STATE (or ended)
wait_job() {
	wn=0
	while [ $wn -lt "$3" ]; do
		job "$1" >"$T/job.json"
		st=$(jv j.state <"$T/job.json")
		[ "$st" = "$2" ] && return 0
		case $st in done | failed) return 1 ;; esac
		sleep 0.1
		wn=$((wn + 1))
	done
	return 1
}

eq "POST /sync" "$(post_sync "$T/j1.json")" 202
J1=$(jv j.id <"$T/j1.json")
eq "a fleet job names no worker yet" "$(jv 'j.worker === null' <"$T/j1.json")" true
eq "the same sync again" "$(post_sync "$T/j1b.json")" 409
eq "409 names the first job" "$(jv j.error.job <"$T/j1b.json")" "$J1"
sleep 2
job "$J1" >"$T/job.json"
eq "no worker: still queued" "$(jv j.state <"$T/job.json")" queued
eq "and says so" "$(jv j.message <"$T/job.json")" "waiting for a worker of the fleet"
expect 0 "$B" --db "$PG_URL" worker --status
has "$T/out" "(a job waits)"
curl -s -H "Authorization: Bearer $TOKEN" "$S_URL/api/v1/metrics" >"$T/metrics.txt"
has "$T/metrics.txt" 'booksync_jobs{state="queued"} 1'
has "$T/metrics.txt" 'booksync_jobs{state="running"} 0'
eq "nothing posted without a worker" "$(xq Invoices '(j.Invoices || []).length')" 0

# a serve restarting leaves the fleet's job alone
kill -TERM "$S_PID"
gone "$S_PID" 150 || bad "serve still running 15 s after SIGTERM"
serve_start --fleet
job "$J1" >"$T/job.json"
eq "after a serve restart: still queued" "$(jv j.state <"$T/job.json")" queued

# the test's own reads and the connect are calls of the app's minute too:
# it passes (3 s) before any worker calls
sleep 4
# what the sandbox refused so far (the test's own reads wait out a 429 and
# are counted too: the workers' share is read around them)
refused() { curl -s "$XU/sandbox/counters" | jv 'sum(j.tenants, t => t.rate_limited)'; }
r0=$(refused)

# start_worker NAME N: `booksync worker --concurrency N` in the background,
# its pid in W_<NAME>
start_worker() {
	"$B" worker --concurrency "$2" --lease 2 --every 3600 >"$T/w$1.out" 2>"$T/w$1.err" &
	eval "W_$1=$!"
	echo $! >>"$T/pids"
}
# ended_by JOB NAME: job JOB ended done, taken last by worker NAME
ended_by() {
	wait_job "$1" done 900 || { bad "job $1 did not end done"; cat "$T/job.json" >&2; }
	wid=$(sed -n 's/^booksync worker \([0-9a-f]*\):.*/\1/p' "$T/w$2.err")
	case $(jv j.worker <"$T/job.json") in
	"$wid"/*) ok ;;
	*) bad "job $1's worker: $(jv j.worker <"$T/job.json"), not worker $2 ($wid/...)" ;;
	esac
}

# a worker (another process, as on another machine) takes it
start_worker a 2
ended_by "$J1" a
eq "job $J1's summary" "$(jv j.summary.posted <"$T/job.json")" 101
eq "job $J1's progress" "$(jv j.progress.posted <"$T/job.json")" 101
has "$T/wa.out" "job $J1 done"
r1=$(refused)
tenant_holds 100 "first job"
sleep 4 # the reads' minute passes
r2=$(refused)

# kill -9 in the middle of a job: 400 more sales, 8 batches at one a second
sales_jsonl 101 500 >"$T/s2.jsonl"
"$B" import "$T/s2.jsonl" >/dev/null || bad "import 2"
eq "POST /sync 2" "$(post_sync "$T/j2.json")" 202
J2=$(jv j.id <"$T/j2.json")
n=0
while [ $n -lt 600 ]; do
	job "$J2" >"$T/job.json"
	[ "$(jv 'j.state === "running" && j.progress.posted > 0' <"$T/job.json")" = true ] && break
	sleep 0.05
	n=$((n + 1))
done
eq "job $J2 running, part posted" "$(jv 'j.state === "running" && j.progress.posted > 0' <"$T/job.json")" true
kill -9 "$W_a"
wait "$W_a" 2>/dev/null
mid=$(jv j.progress.posted <"$T/job.json")
start_worker b 1
ended_by "$J2" b
[ "$mid" -gt 0 ] && [ "$mid" -lt 400 ] && ok || bad "killed at $mid of 400 posted"
r3=$(refused)
tenant_holds 500 "after the kill"

# the sandbox refused the workers nothing: they kept the app's minute
eq "workers' calls the sandbox refused" $((r1 - r0 + r3 - r2)) 0

# a record's Re-Sync is a job of the fleet's too: the worker reads its
# request back (resync, the one record) and updates the invoice in place
code=$(curl -s -o "$T/j3.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
	"$S_URL/api/v1/records/sale/SO-7/resync")
eq "POST resync" "$code" 202
J3=$(jv j.id <"$T/j3.json")
eq "the resync's request" "$(jv 'j.request.resync === true && j.request.select[0]' <"$T/j3.json")" sale:SO-7
ended_by "$J3" b
eq "job $J3 re-sent one" "$(jv j.summary.posted <"$T/job.json")" 1
tenant_holds 500 "after the resync"

# a job that meets another process's sync of its target (a `sync` from a
# shell holds the target's lock for the 300 sales it posts, 6 s at a batch
# a second) is not failed: it goes back to the queue, says what it waits
# for, and is taken again once the lock is free
sales_jsonl 501 800 >"$T/s3.jsonl"
"$B" import "$T/s3.jsonl" >/dev/null || bad "import 3"
sleep 4 # the reads' minute passes
"$B" sync >"$T/cli.out" 2>"$T/cli.err" &
CLI=$!
sleep 1
eq "POST /sync 4" "$(post_sync "$T/j4.json")" 202
J4=$(jv j.id <"$T/j4.json")
wait "$CLI"
eq "the shell's sync" $? 0
ended_by "$J4" b
has "$T/wb.out" "job $J4 queued: waiting: "
tenant_holds 800 "after the job that waited"

kill -TERM "$W_b" "$S_PID"
gone "$W_b" 150 || bad "worker still running 15 s after SIGTERM"
gone "$S_PID" 150 || bad "serve still running 15 s after SIGTERM"
finish
