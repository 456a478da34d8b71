#!/bin/sh
# scale_calls.sh - 10,000 invoiced sales for 2,000 customers reach the
# sandbox in (almost) the fewest calls Xero allows, without one 429.
#
# Batches of 50 make the minimum ceil(2000/50) + ceil(10000/50) = 240 write
# calls.  The sandbox runs Xero's default limits (60/min, 5,000/day, 5 at
# once, 10,000/min app-wide) time-scaled x60, and booksync's governor uses
# the same scale, so the run takes seconds and any pacing bug shows as a
# 429.  Asserts: write_calls <= 1.02 x 240; no 429 in booksync's figures,
# the sandbox's counters or its request log; every invoice in the ledger
# exactly once (count, unique InvoiceNumber, unique Reference = source id)
# and every customer once; a second sync makes no write call.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_BUILD_DIR (for
# gen_records), BS_SOURCE_DIR.
set -u

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}
GEN=${BS_BUILD_DIR:-$(dirname "$BOOKSYNC")}/gen_records
NSALES=${SCALE_SALES:-10000}
NCUST=${SCALE_CUSTOMERS:-2000}

. "$src/tests/integration/lib/tap.sh"

[ -x "$BOOKSYNC" ] || bail "booksync not executable: $BOOKSYNC"
[ -x "$GEN" ] || bail "gen_records not executable: $GEN"
command -v node >/dev/null 2>&1 || bail "node not found (scripts/install-deps)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-scale.XXXXXX") || bail "mktemp"
export BOOKSYNC_DB="$tmp/booksync.db" BOOKSYNC_XERO_CLIENT_ID=t BOOKSYNC_XERO_CLIENT_SECRET=s


# --- the ledger: Xero's default limits, time-scaled x60
sandbox_start 127.0.0.1:0 \
	--limits minute=60,day=5000,concurrent=5,app-minute=10000,time-scale=60 ||
	bail "sandbox did not start"

# --- the records and the connection
"$GEN" sales "$NSALES" --customers "$NCUST" --lines 2 >"$tmp/sales.jsonl" || bail "gen_records"
"$BOOKSYNC" init >/dev/null || bail "init"
"$BOOKSYNC" import "$tmp/sales.jsonl" >/dev/null || bail "import"
"$BOOKSYNC" connect xero --base-url "$url" </dev/null >"$tmp/connect.out" 2>&1 ||
	{ cat "$tmp/connect.out" >&2; bail "connect"; }
"$BOOKSYNC" settings limits.time_scale 60 >/dev/null || bail "settings limits.time_scale 60"

# --- first sync: everything
t0=$(now_ms)
timeout 300 "$BOOKSYNC" sync --everything --json >"$tmp/sync1.json" 2>"$tmp/sync1.err"
rc=$?
t1=$(now_ms)
check "first sync exits 0 (rc=$rc)" [ "$rc" -eq 0 ]
node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$tmp/sync1.json" \
	2>/dev/null || { cat "$tmp/sync1.err" >&2; bail "first sync printed no JSON"; }

min=$(((NCUST + 49) / 50 + (NSALES + 49) / 50))
writes=$(json "$tmp/sync1.json" j.write_calls)
calls=$(json "$tmp/sync1.json" j.calls)
posted=$(json "$tmp/sync1.json" j.posted)
failedn=$(json "$tmp/sync1.json" j.failed)
limited=$(json "$tmp/sync1.json" j.rate_limited)
retries=$(json "$tmp/sync1.json" j.retries)
elapsed_ms=$((t1 - t0))

check "posted $posted == $((NSALES + NCUST)) documents" [ "$posted" -eq $((NSALES + NCUST)) ]
check "failed $failedn == 0" [ "$failedn" -eq 0 ]
# write_calls / min <= 1.02, in integers: write_calls * 100 <= min * 102
check "write calls $writes <= 1.02 x minimum $min" [ $((writes * 100)) -le $((min * 102)) ]
check "write calls $writes >= minimum $min (batches of at most 50)" [ "$writes" -ge "$min" ]
check "booksync saw no 429 (rate_limited=$limited)" [ "$limited" -eq 0 ]

# The sandbox's own account: counters and the request log.
curl -sf "$url/sandbox/counters" >"$tmp/counters.json" || bail "GET /sandbox/counters"
curl -sf "$url/sandbox/log" >"$tmp/log.json" || bail "GET /sandbox/log"
sb_limited=$(json "$tmp/counters.json" 'j.tenants.reduce((a, t) => a + t.rate_limited, 0)')
log_429=$(json "$tmp/log.json" 'j.entries.filter((e) => e.status === 429).length')
log_kept=$(json "$tmp/log.json" 'j.total === j.entries.length')
sb_writes=$(json "$tmp/log.json" \
	'j.entries.filter((e) => (e.method === "PUT" || e.method === "POST") && e.path.startsWith("/api.xro/")).length')
check "sandbox counters: no 429 (rate_limited=$sb_limited)" [ "$sb_limited" -eq 0 ]
check "sandbox log holds every request" [ "$log_kept" = true ]
check "sandbox log: no 429 ($log_429)" [ "$log_429" -eq 0 ]
check "sandbox saw $sb_writes write calls == booksync's $writes" [ "$sb_writes" -eq "$writes" ]

# --- second sync: nothing left to write
timeout 120 "$BOOKSYNC" sync --everything --json >"$tmp/sync2.json" 2>"$tmp/sync2.err"
rc=$?
check "second sync exits 0 (rc=$rc)" [ "$rc" -eq 0 ]
w2=$(json "$tmp/sync2.json" j.write_calls 2>/dev/null || echo missing)
check "second sync makes 0 write calls ($w2)" [ "$w2" = 0 ]

# --- the ledger holds each document exactly once
node "$src/tests/integration/lib/read_ledger.js" "$url" "$tmp/ledger.json" || bail "reading the ledger back"

# Source ids and customer names, then the ledger's view of them.
cat >"$tmp/verify.js" <<'EOF'
// verify.js SOURCE LEDGER: one line "name|ok|detail" per assertion.
const fs = require('fs');
const [srcf, ledf] = process.argv.slice(2);
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
const refs = new Set(invoices.map((i) => i.Reference));
say('invoices in the ledger == sales', invoices.length === sales.size,
	`${invoices.length} vs ${sales.size}`);
say('InvoiceNumbers unique', numbers.size === invoices.length,
	`${numbers.size} unique of ${invoices.length}`);
say('one invoice per source sale (Reference)',
	refs.size === sales.size && [...refs].every((r) => sales.has(r)),
	`${refs.size} distinct references`);
const wrong = invoices.filter((i) => {
	const s = sales.get(i.Reference);
	return !s || i.Contact.Name !== customers.get(s.customer_id);
});
say('each invoice on its customer', wrong.length === 0, `${wrong.length} on the wrong contact`);
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

secs=$((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000)))
ratio=$(node -p "($writes / $min).toFixed(3)")
echo "# figures: $NSALES sales + $NCUST customers: write calls $writes / minimum $min (x$ratio)," \
	"all calls $calls, retries $retries, 429s $limited, first sync $secs s"
finish
