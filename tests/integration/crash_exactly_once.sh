#!/bin/sh
# crash_exactly_once.sh - SIGKILL booksync at 50 random points of a
# 2,000-document sync against a ledger that loses answers; every document
# must still reach the ledger exactly once and to the cent.
#
# 1,600 invoiced sales + 400 customers.  The sandbox keeps its state in a
# file (--state) and injects faults on 5% of API calls: "lost" (the
# ledger commits, then closes without answering), plus 500, 503 and drop.
# Every 10th round the sandbox itself is stopped and started again on the
# same port from its state file.  Each round runs `booksync sync
# --everything` under `timeout -s KILL` after a pseudo-random delay (a
# shell LCG with a fixed seed, so a failure reproduces); then rounds run
# without a kill until one completes cleanly.  Asserts: 1,600 invoices,
# unique InvoiceNumbers, one per source sale; 400 contacts, unique names,
# one per customer; each invoice on its customer; each Total equal to the
# source total in exact integer cents; nothing pending or in error.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_BUILD_DIR (for
# gen_records), BS_SOURCE_DIR.  CRASH_SEED, CRASH_KILLS, CRASH_MAX_MS
# override the defaults (7, 50, 500): kill delays are 20 ms + 0..MAX_MS ms.
# CRASH_PER_MINUTE (default 3) calls a minute, time-scaled ×60, on both the
# ledger and booksync: with Xero's 60 a sliding window lets the whole sync
# (about 40 writes) go in one burst inside a single round, and later rounds
# find nothing left to interrupt; at 3 a second it takes ~15 s, so the 50
# kills land mid-sync and the final clean run finishes what is left.
set -u

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}
GEN=${BS_BUILD_DIR:-$(dirname "$BOOKSYNC")}/gen_records
NSALES=1600
NCUST=400
SEED=${CRASH_SEED:-7}
KILLS=${CRASH_KILLS:-50}
MAX_MS=${CRASH_MAX_MS:-500}
PER_MINUTE=${CRASH_PER_MINUTE:-3}
FAULTS="rate=0.05,seed=$SEED,kinds=lost+500+503+drop"

. "$src/tests/integration/lib/tap.sh"

[ -x "$BOOKSYNC" ] || bail "booksync not executable: $BOOKSYNC"
[ -x "$GEN" ] || bail "gen_records not executable: $GEN"
command -v node >/dev/null 2>&1 || bail "node not found (scripts/install-deps)"
command -v timeout >/dev/null 2>&1 || bail "timeout(1) not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-crash.XXXXXX") || bail "mktemp"
export BOOKSYNC_DB="$tmp/booksync.db" BOOKSYNC_XERO_CLIENT_ID=t BOOKSYNC_XERO_CLIENT_SECRET=s


# start_sandbox LISTEN: the ledger, $PER_MINUTE calls a minute time-scaled x60,
# faults on, state in $tmp/ledger.db; sets sbpid and url.
start_sandbox() {
	sandbox_start "$1" --state "$tmp/ledger.db" \
		--limits minute=$PER_MINUTE,day=5000,concurrent=5,app-minute=10000,time-scale=60 \
		--faults "$FAULTS"
}
# harvest: add this sandbox life's faults, writes and 429s to $tmp/harvest
# (the request log lives in memory and starts empty on a restart)
harvest() {
	curl -sf "$url/sandbox/log" >"$tmp/log.json" || return 1
	node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		for (const e of j.entries) {
			if (e.fault) console.log("fault " + e.fault);
			if (e.status === 429) console.log("429");
			if (e.method !== "GET" && e.path.startsWith("/api.xro/")) console.log("write");
			if (e.method === "GET" && e.path.startsWith("/api.xro/")) console.log("read");
		}' "$tmp/log.json" >>"$tmp/harvest"
}
stop_sandbox() {
	harvest || nok "GET /sandbox/log"
	kill "$sbpid" 2>/dev/null
	wait "$sbpid" 2>/dev/null
	sbpid=
}

start_sandbox 127.0.0.1:0 || bail "sandbox did not start"
listen=${url#http://}

"$GEN" sales "$NSALES" --customers "$NCUST" --lines 2 >"$tmp/sales.jsonl" || bail "gen_records"
"$BOOKSYNC" init >/dev/null || bail "init"
"$BOOKSYNC" import "$tmp/sales.jsonl" >/dev/null || bail "import"
# booksync paces itself like the ledger, from connect on
"$BOOKSYNC" settings limits.time_scale 60 >/dev/null || bail "settings limits.time_scale 60"
"$BOOKSYNC" settings limits.per_minute "$PER_MINUTE" >/dev/null ||
	bail "settings limits.per_minute $PER_MINUTE"
# connect reads the ledger through the same faults: a few tries
n=0
until "$BOOKSYNC" connect xero --base-url "$url" </dev/null >"$tmp/connect.out" 2>&1; do
	n=$((n + 1))
	[ "$n" -lt 10 ] || { cat "$tmp/connect.out" >&2; bail "connect"; }
done

# --- 50 rounds, each killed after a pseudo-random delay
rng=$SEED
killed=0
finished=0
restarts=0
t0=$(now_ms)
i=1
while [ "$i" -le "$KILLS" ]; do
	rng=$(((rng * 1103515245 + 12345) % 2147483648))
	ms=$((20 + (rng / 65536) % MAX_MS))
	timeout -s KILL "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))" \
		"$BOOKSYNC" sync --everything --json >"$tmp/round.json" 2>"$tmp/round.err"
	rc=$?
	echo "# round $i: kill after $ms ms, rc $rc $(head -c 200 "$tmp/round.err" | tr '\n' ' ')"
	case $rc in
	137) killed=$((killed + 1)) ;;
	0 | 1 | 3) finished=$((finished + 1)) ;; # ran to the end (1/3: faults)
	*)
		cat "$tmp/round.err" >&2
		nok "round $i: sync exited $rc (not killed, not a sync outcome)"
		;;
	esac
	if [ $((i % 10)) -eq 0 ] && [ "$i" -lt "$KILLS" ]; then
		# the ledger restarts too, from its state file, on the same port
		stop_sandbox
		start_sandbox "$listen" || bail "sandbox did not restart on $listen from its state"
		restarts=$((restarts + 1))
	fi
	i=$((i + 1))
done
t1=$(now_ms)
check "$KILLS rounds: $killed killed mid-sync, $finished ran to their end" \
	[ $((killed + finished)) -eq "$KILLS" ]
check "at least half the rounds were killed mid-sync ($killed)" [ $((killed * 2)) -ge "$KILLS" ]

# --- then clean runs until one completes (faults still on)
clean=0
n=0
while [ "$n" -lt 5 ]; do
	n=$((n + 1))
	timeout 120 "$BOOKSYNC" sync --everything --json >"$tmp/final.json" 2>"$tmp/final.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		clean=1
		break
	fi
done
t2=$(now_ms)
check "a clean sync completes (after $n runs, last rc=$rc)" [ "$clean" -eq 1 ]
[ "$clean" -eq 1 ] || cat "$tmp/final.err" >&2

"$BOOKSYNC" pending --json >"$tmp/pending.json" || bail "pending --json"
check "nothing pending" [ "$(json "$tmp/pending.json" j.total)" = 0 ]
"$BOOKSYNC" errors --json >"$tmp/errors.json" 2>&1
check "no record in error ($(head -c 300 "$tmp/errors.json" | tr '\n' ' '))" \
	[ "$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const a = Array.isArray(j) ? j : (j.errors || j.records || []);
		console.log(a.length)' "$tmp/errors.json" 2>/dev/null || echo unreadable)" = 0 ]

final_posted=$(json "$tmp/final.json" j.posted 2>/dev/null || echo 0)
final_recovered=$(json "$tmp/final.json" j.recovered 2>/dev/null || echo 0)
check "the killed rounds made progress: the clean run posted $final_posted of $((NSALES + NCUST))" \
	[ "$final_posted" -lt $((NSALES + NCUST)) ]

# booksync's calls end here: count them before this test's own reads of the ledger
harvest || nok "GET /sandbox/log"
limited=$(grep -c '^429' "$tmp/harvest")
check "booksync met no 429: each process starts from the calls the last one made ($limited)" \
	[ "$limited" -eq 0 ]

node "$src/tests/integration/lib/read_ledger.js" "$url" "$tmp/ledger.json" || bail "reading the ledger back"

cat >"$tmp/verify.js" <<'EOF'
// verify.js SOURCE LEDGER: one line "name|ok|detail" per assertion.  Money is compared in
// integer cents parsed from decimal text, never through floating-point arithmetic.
const fs = require('fs');
const [srcf, ledf] = process.argv.slice(2);
// "1585.11" -> 158511n; null if not a decimal with at most 2 places
const cents = (s) => {
	const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(s));
	if (!m) return null;
	const v = BigInt(m[2]) * 100n + BigInt((m[3] || '').padEnd(2, '0'));
	return m[1] ? -v : v;
};
const sales = new Map(), customers = new Map();
for (const line of fs.readFileSync(srcf, 'utf8').split('\n')) {
	if (!line) continue;
	const r = JSON.parse(line);
	if (r.kind === 'sale') sales.set(r.reference, r);
	else if (r.kind === 'customer') customers.set(r.id, r.name);
}
const { invoices, contacts } = JSON.parse(fs.readFileSync(ledf, 'utf8'));
const say = (name, ok, detail) => console.log(`${name}|${ok ? 1 : 0}|${detail}`);
const numbers = new Set(invoices.map((i) => i.InvoiceNumber));
const refs = new Map();
for (const i of invoices) refs.set(i.Reference, (refs.get(i.Reference) || 0) + 1);
const dups = [...refs].filter(([, n]) => n > 1).map(([r]) => r);
say('invoices in the ledger == sales', invoices.length === sales.size,
	`${invoices.length} vs ${sales.size}`);
say('InvoiceNumbers unique', numbers.size === invoices.length,
	`${numbers.size} unique of ${invoices.length}`);
say('no sale posted twice', dups.length === 0, `${dups.length} duplicated: ${dups.slice(0, 5)}`);
const missing = [...sales.keys()].filter((r) => !refs.has(r));
say('every sale posted', missing.length === 0, `${missing.length} missing: ${missing.slice(0, 5)}`);
const wrongc = invoices.filter((i) => {
	const s = sales.get(i.Reference);
	return !s || i.Contact.Name !== customers.get(s.customer_id);
});
say('each invoice on its customer', wrongc.length === 0, `${wrongc.length} on the wrong contact`);
const bad = [];
for (const i of invoices) {
	const s = sales.get(i.Reference);
	const want = s ? cents(s.total) : null, got = cents(i.Total);
	if (want === null || got === null || want !== got)
		bad.push(`${i.InvoiceNumber}: ledger ${i.Total} source ${s ? s.total : '?'}`);
}
say('every invoice Total == source total to the cent', bad.length === 0 && invoices.length > 0,
	`${bad.length} differ: ${bad.slice(0, 3).join('; ')}`);
let srcsum = 0n, ledsum = 0n;
for (const s of sales.values()) srcsum += cents(s.total);
for (const i of invoices) ledsum += cents(i.Total) ?? 0n;
say('sum of Totals == sum of source totals', srcsum === ledsum, `${ledsum} vs ${srcsum} cents`);
const names = contacts.map((c) => c.Name);
const uniq = new Set(names);
const want = new Set(customers.values());
say('contacts: every customer exactly once',
	names.length === want.size && uniq.size === names.length && [...want].every((n) => uniq.has(n)),
	`${names.length} contacts, ${uniq.size} distinct, ${want.size} customers`);
EOF
node "$tmp/verify.js" "$tmp/sales.jsonl" "$tmp/ledger.json" >"$tmp/verify.out" || bail "verify.js"
while IFS='|' read -r name good detail; do
	if [ "$good" = 1 ]; then ok "$name ($detail)"; else nok "$name ($detail)"; fi
done <"$tmp/verify.out"

faults=$(grep '^fault' "$tmp/harvest" | sort | uniq -c | awk '{printf "%s%s=%s", sep, $3, $1; sep=","}')
echo "# figures: seed $SEED, $KILLS rounds ($killed killed mid-sync, $finished ran to the end)" \
	"in $(((t1 - t0) / 1000)) s; sandbox restarts $restarts; clean runs $n ($(((t2 - t1) / 1000)) s," \
	"posted $final_posted, recovered $final_recovered); faults injected ${faults:-none};" \
	"API writes $(grep -c '^write' "$tmp/harvest"), reads $(grep -c '^read' "$tmp/harvest")," \
	"429s $limited"
finish
