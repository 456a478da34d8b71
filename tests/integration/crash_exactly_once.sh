#!/bin/sh
# crash_exactly_once.sh - SIGKILL booksync at 50 random points of a sync
# that creates, updates, voids, pays and allocates, against a ledger that
# loses answers; every document must still reach the ledger exactly once,
# at its latest version, to the cent.
#
# Five phases, each imported in turn and synced in KILLS/5 rounds (10):
#   creates      200 customers, 600 invoiced sales, 12 store credits issued
#                (credit notes)
#   updates      400 of the sales changed (other lines, other totals)
#   voids        the other 200 voided
#   payments     400 payments: a third of the sales paid in full, a third
#                1.00 on account
#   allocations  24 uses of the 12 store credits on part-paid sales, two per
#                credit note; half of the pairs have the same credit note,
#                invoice and amount twice (an allocation has no reference)
# Each round runs `booksync sync --everything` under `timeout -s KILL`
# after a pseudo-random delay (a shell LCG with a fixed seed, so a failure
# reproduces) and notes which kinds of request the kill left frozen; half
# way through each phase the sandbox itself is stopped and started again
# from its state file, forgetting its idempotency keys.  Then syncs run
# without a kill until one completes.  The sandbox keeps its state in a
# file (--state) and injects faults on 5% of API calls: "lost" (the ledger
# commits, then closes without answering), 500, 503 and drop.
#
# Asserts per phase: a sync after the kills completes; some kill left the
# phase's own kind of request frozen (so its recovery ran): a create of any
# type, an invoice update, an invoice void, a payment, an allocation.  At the end:
# one invoice per sale (unique numbers, on its customer), voided where the
# source is void, each Total the source's latest total in exact integer
# cents; each payment once, its amount on its invoice; one credit note per
# issued credit, its allocations exactly the uses (invoice and amount, as a
# multiset), its remaining credit right; each invoice's paid, credited and
# due amounts consistent; every customer once; nothing pending or in error;
# no 429.
#
# The ledger is Xero's sandbox, or with CRASH_LEDGER=qbo QuickBooks Online's
# (crash_qbo.sh): then the limits are QBO's keys (minute, concurrent,
# batch-minute) at the same pace, the ledger is read back through
# read_qbo.js and put in the shape the checks below read (lib/crash_qbo.js:
# DocNumber as the invoice number, PrivateNote as the reference, a void is
# TotalAmt 0 with "Voided" in PrivateNote, payments and allocations as QBO
# Payments linking invoices and credit memos), and a voided invoice's total
# is 0 as QBO keeps it.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_BUILD_DIR (for
# gen_records), BS_SOURCE_DIR.  CRASH_LEDGER (xero), CRASH_SEED, CRASH_KILLS, CRASH_MAX_MS
# override the defaults (7, 50, 500): kill delays are 20 ms + 0..MAX_MS ms, four times
# as far in the second half of a phase no kill of which has caught its request yet.
# CRASH_PER_MINUTE (default 3) calls a minute, time-scaled x60, on both the
# ledger and booksync: with Xero's 60 a sliding window lets a phase (4 to 17
# writes) go in one burst inside a single round, and later rounds find
# nothing left to interrupt; at 3 a second the kills land mid-sync.
set -u

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}
GEN=${BS_BUILD_DIR:-$(dirname "$BOOKSYNC")}/gen_records
NSALES=600
NCUST=200
NCREDIT=12
SEED=${CRASH_SEED:-7}
KILLS=${CRASH_KILLS:-50}
MAX_MS=${CRASH_MAX_MS:-500}
PER_MINUTE=${CRASH_PER_MINUTE:-3}
FAULTS="rate=0.05,seed=$SEED,kinds=lost+500+503+drop"
PHASES="creates updates voids payments allocations"
LEDGER=${CRASH_LEDGER:-xero}
case $LEDGER in
xero)
	API=/api.xro/
	LIMITS=minute=$PER_MINUTE,day=5000,concurrent=5,app-minute=10000,time-scale=60
	;;
qbo)
	export BS_LEDGER=qbo # lib/sandbox.sh: `sandbox qbo`
	API=/v3/company/
	LIMITS=minute=$PER_MINUTE,concurrent=5,batch-minute=$PER_MINUTE,time-scale=60
	;;
*)
	echo "CRASH_LEDGER must be xero or qbo, not $LEDGER" >&2
	exit 2
	;;
esac

. "$src/tests/integration/lib/tap.sh"
. "$src/tests/integration/lib/history_whole.sh"

[ -x "$BOOKSYNC" ] || bail "booksync not executable: $BOOKSYNC"
[ -x "$GEN" ] || bail "gen_records not executable: $GEN"
command -v node >/dev/null 2>&1 || bail "node not found (scripts/install-deps)"
command -v sqlite3 >/dev/null 2>&1 || bail "sqlite3 not found (scripts/install-deps)"
command -v timeout >/dev/null 2>&1 || bail "timeout(1) not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-crash.XXXXXX") || bail "mktemp"
export BOOKSYNC_DB="$tmp/booksync.db" BOOKSYNC_XERO_CLIENT_ID=t BOOKSYNC_XERO_CLIENT_SECRET=s
export BOOKSYNC_QBO_CLIENT_ID=t BOOKSYNC_QBO_CLIENT_SECRET=s
if [ "$LEDGER" = qbo ]; then
	. "$src/tests/integration/lib/npm_suite.sh"
	npm_ensure crash_qbo "$src/tests/conformance-qbo" || bail "node-quickbooks (npm ci)"
fi

# start_sandbox LISTEN: the ledger, $PER_MINUTE calls a minute time-scaled x60,
# faults on, state in $tmp/ledger.db; sets sbpid and url.
start_sandbox() {
	sandbox_start "$1" --state "$tmp/ledger.db" --limits "$LIMITS" --faults "$FAULTS"
}
# harvest: add this sandbox life's faults, writes and 429s to $tmp/harvest
# (the request log lives in memory and starts empty on a restart)
# (the first life's log from $since on: connect's own reads are not the sync's)
since=0
harvest() {
	curl -sf "$url/sandbox/log?since=$since" >"$tmp/log.json" || return 1
	since=0
	node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const api = process.argv[2];
		for (const e of j.entries) {
			if (e.fault) console.log("fault " + e.fault);
			if (e.status === 429) console.log("429 " + e.seq + " " + e.time + " " + e.method + " " + e.path);
			if (e.method !== "GET" && e.path.startsWith(api)) console.log("write");
			if (e.method === "GET" && e.path.startsWith(api)) console.log("read");
		}' "$tmp/log.json" "$API" >>"$tmp/harvest"
}
stop_sandbox() {
	harvest || nok "GET /sandbox/log"
	kill "$sbpid" 2>/dev/null
	wait "$sbpid" 2>/dev/null
	sbpid=
}
# frozen: the kinds of operation in requests left frozen ("Invoice:update" ...)
frozen() {
	sqlite3 "$BOOKSYNC_DB" "SELECT DISTINCT o.doc_type || ':' || o.op FROM outbox o
		JOIN requests r ON r.id = o.request WHERE r.status = 'frozen'" | tr '\n' ' '
}

# --- the records: one file per phase, from two generations of the same sales
"$GEN" sales "$NSALES" --customers "$NCUST" --lines 2 >"$tmp/v1.jsonl" || bail "gen_records"
"$GEN" sales "$NSALES" --customers "$NCUST" --lines 2 --seed $((SEED + 1)) >"$tmp/v2.jsonl" ||
	bail "gen_records"
cat >"$tmp/phases.js" <<'EOF'
// phases.js V1 V2 DIR NCREDIT: DIR/<phase>.jsonl.  Sale n: n % 3 == 0 voided (v1 content),
// else updated to v2's content on the same customer; n % 3 == 1 paid in full, n % 3 == 2
// paid 1.00 and, for the first NCREDIT customers with such a sale of 20.00 or more, a store
// credit of 50.00 used on it twice (5.00 + 5.00 or 5.00 + 7.50).
const fs = require('fs');
const [v1f, v2f, dir, ncredit] = process.argv.slice(2);
const read = (f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const v1 = read(v1f), v2 = new Map(read(v2f).filter((r) => r.kind === 'sale').map((r) => [r.id, r]));
const ph = { creates: [], updates: [], voids: [], payments: [], allocations: [] };
const big = (t) => /^\d{2,}\./.test(t);
const credit = new Map(); // customer -> sale
ph.creates = v1.filter((r) => r.kind === 'customer' || r.kind === 'sale');
for (const s of v1.filter((r) => r.kind === 'sale')) {
	const n = Number(s.id.slice(3));
	if (n % 3 === 0) {
		ph.voids.push({ ...s, status: 'void' });
		continue;
	}
	const u = { ...v2.get(s.id), customer_id: s.customer_id };
	ph.updates.push(u);
	ph.payments.push({ kind: 'payment', id: 'PAY-' + n, sale_id: s.id, date: '2026-10-31',
		amount: n % 3 === 1 ? u.total : '1.00', account: '090' });
	if (n % 3 === 2 && big(u.total) && !credit.has(s.customer_id) && credit.size < Number(ncredit))
		credit.set(s.customer_id, s.id);
}
let k = 0;
for (const [cust, sale] of credit) {
	k++;
	ph.creates.push({ kind: 'store_credit', id: 'SC-' + k, customer_id: cust, event: 'issued',
		amount: '50.00', origin: 'refund', date: '2026-10-01' });
	for (const [x, amount] of [['a', '5.00'], ['b', k % 2 ? '5.00' : '7.50']])
		ph.allocations.push({ kind: 'store_credit', id: `SCU-${k}-${x}`, customer_id: cust,
			event: 'used', amount, sale_id: sale, date: '2026-10-31' });
}
for (const [name, recs] of Object.entries(ph))
	fs.writeFileSync(`${dir}/${name}.jsonl`, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
EOF
node "$tmp/phases.js" "$tmp/v1.jsonl" "$tmp/v2.jsonl" "$tmp" "$NCREDIT" || bail "phases.js"

start_sandbox 127.0.0.1:0 || bail "sandbox did not start"
listen=${url#http://}
"$BOOKSYNC" init >/dev/null || bail "init"
# booksync paces itself like the ledger, from connect on
"$BOOKSYNC" settings limits.time_scale 60 >/dev/null || bail "settings limits.time_scale 60"
"$BOOKSYNC" settings limits.per_minute "$PER_MINUTE" >/dev/null ||
	bail "settings limits.per_minute $PER_MINUTE"
if [ "$LEDGER" = qbo ]; then
	"$BOOKSYNC" settings limits.batch_minute "$PER_MINUTE" >/dev/null ||
		bail "settings limits.batch_minute $PER_MINUTE"
fi
# connect reads the ledger through the same faults: a few tries
n=0
until "$BOOKSYNC" connect "$LEDGER" --base-url "$url" </dev/null >"$tmp/connect.out" 2>&1; do
	n=$((n + 1))
	[ "$n" -lt 10 ] || { cat "$tmp/connect.out" >&2; bail "connect"; }
done
# connect's calls are before the governor knows the store's pace (QBO's
# authorize reads CompanyInfo unpaced): the syncs' calls are counted from here
since=$(curl -sf "$url/sandbox/log" | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).total)')

# --- each phase: KILLS/5 rounds, each killed after a pseudo-random delay,
# then clean runs until one completes (faults still on)
per=$((KILLS / 5))
rng=$SEED
killed=0
finished=0
restarts=0
clean_posted=0
clean_runs=0
t0=$(now_ms)
i=1
for phase in $PHASES; do
	case $phase in
	creates) want='*:create' ;; # contacts, invoices or credit notes
	updates) want=Invoice:update ;;
	voids) want=Invoice:void ;;
	payments) want=Payment:create ;;
	allocations) want=Allocation:create ;;
	esac
	"$BOOKSYNC" import "$tmp/$phase.jsonl" >"$tmp/import.out" 2>&1 || {
		cat "$tmp/import.out" >&2
		bail "[$phase] import"
	}
	hits=0
	j=1
	while [ "$j" -le "$per" ]; do
		rng=$(((rng * 1103515245 + 12345) % 2147483648))
		# no kill has caught the phase's request yet half way through: the
		# sync reaches it later than MAX_MS (a slow build, a loaded
		# machine: ASan under -j 2), so later kills reach four times as far
		span=$MAX_MS
		if [ "$j" -gt $((per / 2)) ] && [ "$hits" -eq 0 ]; then
			span=$((MAX_MS * 4))
		fi
		ms=$((20 + (rng / 65536) % span))
		timeout -s KILL "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))" \
			"$BOOKSYNC" sync --everything --json >"$tmp/round.json" 2>"$tmp/round.err"
		rc=$?
		left=$(frozen)
		echo "# round $i ($phase): kill after $ms ms, rc $rc, frozen: ${left:-none}" \
			"$(head -c 200 "$tmp/round.err" | tr '\n' ' ')"
		case $rc in
		137) killed=$((killed + 1)) ;;
		0 | 1 | 3) finished=$((finished + 1)) ;; # ran to the end (1/3: faults)
		*)
			cat "$tmp/round.err" >&2
			nok "round $i: sync exited $rc (not killed, not a sync outcome)"
			;;
		esac
		for k in $left; do
			# shellcheck disable=SC2254 # $want is a pattern
			case $k in $want)
				hits=$((hits + 1))
				break
				;;
			esac
		done
		if [ "$j" -eq $((per / 2)) ]; then
			# the ledger restarts too, from its state file, on the same port;
			# it forgets its idempotency keys
			stop_sandbox
			start_sandbox "$listen" || bail "sandbox did not restart on $listen from its state"
			restarts=$((restarts + 1))
		fi
		i=$((i + 1))
		j=$((j + 1))
	done
	check "[$phase] kills left a $want request frozen ($hits of $per rounds)" [ "$hits" -gt 0 ]
	clean=0
	n=0
	while [ "$n" -lt 5 ]; do
		n=$((n + 1))
		timeout 60 "$BOOKSYNC" sync --everything --json >"$tmp/final.json" 2>"$tmp/final.err"
		rc=$?
		if [ "$rc" -eq 0 ]; then
			clean=1
			break
		fi
	done
	clean_runs=$((clean_runs + n))
	check "[$phase] then a clean sync completes (after $n runs, last rc=$rc)" [ "$clean" -eq 1 ]
	[ "$clean" -eq 1 ] || cat "$tmp/final.err" >&2
	clean_posted=$((clean_posted + $(json "$tmp/final.json" j.posted 2>/dev/null || echo 0)))
done
t1=$(now_ms)
check "$KILLS rounds: $killed killed mid-sync, $finished ran to their end" \
	[ $((killed + finished)) -eq "$KILLS" ]
check "at least half the rounds were killed mid-sync ($killed)" [ $((killed * 2)) -ge "$KILLS" ]

"$BOOKSYNC" pending --json >"$tmp/pending.json" || bail "pending --json"
check "nothing pending" [ "$(json "$tmp/pending.json" j.total)" = 0 ]
# history tells each record's story whole, whatever the kills cut
whole=$(history_whole)
check "history whole: broken moves, wrong last moves, rows held ($whole)" [ "$whole" = "0 0 0" ]
"$BOOKSYNC" errors --json >"$tmp/errors.json" 2>&1
check "no record in error ($(head -c 300 "$tmp/errors.json" | tr '\n' ' '))" \
	[ "$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const a = Array.isArray(j) ? j : (j.errors || j.records || []);
		console.log(a.length)' "$tmp/errors.json" 2>/dev/null || echo unreadable)" = 0 ]
ndocs=$(cat "$tmp"/creates.jsonl "$tmp"/updates.jsonl "$tmp"/voids.jsonl "$tmp"/payments.jsonl \
	"$tmp"/allocations.jsonl | wc -l)
check "the killed rounds made progress: the clean runs posted $clean_posted of $ndocs" \
	[ "$clean_posted" -lt "$ndocs" ]

# booksync's calls end here: count them before this test's own reads of the ledger
harvest || nok "GET /sandbox/log"
limited=$(grep -c '^429' "$tmp/harvest")
check "booksync met no 429: each process starts from the calls the last one made ($limited)" \
	[ "$limited" -eq 0 ]
[ "$limited" -eq 0 ] || grep '^429' "$tmp/harvest" | head -5 >&2

if [ "$LEDGER" = qbo ]; then
	node "$src/tests/integration/lib/read_qbo.js" "$url" "$tmp/qbo.json" \
		Invoice Customer CreditMemo Payment || bail "reading the ledger back"
	node "$src/tests/integration/lib/crash_qbo.js" "$tmp/qbo.json" "$tmp/ledger.json" ||
		bail "crash_qbo.js"
else
	node "$src/tests/integration/lib/read_ledger.js" "$url" "$tmp/ledger.json" \
		Invoices Contacts CreditNotes Payments || bail "reading the ledger back"
fi

cat >"$tmp/verify.js" <<'EOF'
// verify.js DIR LEDGER: one line "name|ok|detail" per assertion.  Money is compared in
// integer cents parsed from decimal text, never through floating-point arithmetic.
const fs = require('fs');
const [dir, ledf, ledger] = process.argv.slice(2);
// "1585.11" -> 158511n; null if not a decimal with at most 2 places
const cents = (s) => {
	const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(s));
	if (!m) return null;
	const v = BigInt(m[2]) * 100n + BigInt((m[3] || '').padEnd(2, '0'));
	return m[1] ? -v : v;
};
const read = (p) => fs.readFileSync(`${dir}/${p}.jsonl`, 'utf8').split('\n').filter(Boolean)
	.map((l) => JSON.parse(l));
// the latest version of each record, phase after phase
const sales = new Map(), customers = new Map(), pays = [], issued = [], used = [];
for (const p of ['creates', 'updates', 'voids', 'payments', 'allocations'])
	for (const r of read(p)) {
		if (r.kind === 'sale') sales.set(r.reference, r);
		else if (r.kind === 'customer') customers.set(r.id, r.name);
		else if (r.kind === 'payment') pays.push(r);
		else if (r.event === 'issued') issued.push(r);
		else if (r.event === 'used') used.push(r);
	}
const { invoices, contacts, creditnotes, payments } = JSON.parse(fs.readFileSync(ledf, 'utf8'));
const say = (name, ok, detail) => console.log(`${name}|${ok ? 1 : 0}|${detail}`);
const first = (a) => a.slice(0, 3).join('; ');

// invoices: one per sale, on its customer, voided where void, at the latest total
const numbers = new Set(invoices.map((i) => i.InvoiceNumber));
const byRef = new Map(), byNumber = new Map();
for (const i of invoices) {
	byRef.set(i.Reference, (byRef.get(i.Reference) || 0) + 1);
	byNumber.set(i.InvoiceNumber, i);
}
say('invoices in the ledger == sales', invoices.length === sales.size,
	`${invoices.length} vs ${sales.size}`);
say('InvoiceNumbers unique', numbers.size === invoices.length,
	`${numbers.size} unique of ${invoices.length}`);
const dups = [...byRef].filter(([, n]) => n > 1).map(([r]) => r);
say('no sale posted twice', dups.length === 0, `${dups.length} duplicated: ${first(dups)}`);
const missing = [...sales.keys()].filter((r) => !byRef.has(r));
say('every sale posted', missing.length === 0, `${missing.length} missing: ${first(missing)}`);
const wrongc = invoices.filter((i) => {
	const s = sales.get(i.Reference);
	return !s || i.Contact.Name !== customers.get(s.customer_id);
});
say('each invoice on its customer', wrongc.length === 0, `${wrongc.length} on the wrong contact`);
const wrongs = invoices.filter((i) => {
	const s = sales.get(i.Reference);
	return !s || (s.status === 'void') !== (i.Status === 'VOIDED') || i.Status === 'DELETED';
});
say('voided exactly where the source is void',
	wrongs.length === 0 && invoices.some((i) => i.Status === 'VOIDED'),
	`${wrongs.length} wrong: ${first(wrongs.map((i) => i.Reference + ' ' + i.Status))}`);
const bad = [];
for (const i of invoices) {
	const s = sales.get(i.Reference);
	// QBO keeps a voided invoice at 0 (Xero keeps its total)
	const want = s ? (ledger === 'qbo' && i.Status === 'VOIDED' ? 0n : cents(s.total)) : null;
	const got = cents(i.Total);
	if (want === null || got === null || want !== got)
		bad.push(`${i.InvoiceNumber}: ledger ${i.Total} source ${s ? s.total : '?'}`);
}
say('every invoice Total == the latest source total to the cent',
	bad.length === 0 && invoices.length > 0, `${bad.length} differ: ${first(bad)}`);

// payments: each once, on its invoice, for its amount
const live = payments.filter((p) => p.Status !== 'DELETED');
const payRef = new Map();
for (const p of live) payRef.set(p.Reference, [...(payRef.get(p.Reference) || []), p]);
const payBad = [];
for (const src of pays) {
	const got = payRef.get(src.id) || [];
	const inv = got.length === 1 && byNumber.get(got[0].Invoice && got[0].Invoice.InvoiceNumber);
	if (got.length !== 1 || !inv || inv.Reference !== src.sale_id ||
	    cents(got[0].Amount) !== cents(src.amount))
		payBad.push(`${src.id}: ${got.length} in the ledger`);
}
say('every payment once, on its invoice, for its amount',
	payBad.length === 0 && live.length === pays.length,
	`${live.length} payments for ${pays.length}; ${payBad.length} wrong: ${first(payBad)}`);

// credit notes: one per issued credit; allocations exactly the uses
const custOf = new Map([...customers].map(([id, name]) => [name, id]));
const want = new Map(issued.map((c) => [c.customer_id, []]));
for (const u of used) want.get(u.customer_id).push(`${u.sale_id}=${cents(u.amount)}`);
const cnBad = [];
for (const cn of creditnotes.filter((c) => c.Status !== 'VOIDED' && c.Status !== 'DELETED')) {
	const cust = custOf.get(cn.Contact.Name), w = want.get(cust);
	const got = (cn.Allocations || []).map((a) => `${(byNumber.get(a.Invoice.InvoiceNumber) || {}).Reference}=${cents(a.Amount)}`);
	const left = 5000n - (w || []).reduce((s, x) => s + BigInt(x.split('=')[1]), 0n);
	if (!w || got.sort().join() !== [...w].sort().join() || cents(cn.RemainingCredit) !== left)
		cnBad.push(`${cn.CreditNoteNumber} (${cn.Contact.Name}): ${got.sort().join(' ')}` +
			` left ${cn.RemainingCredit}, want ${w ? [...w].sort().join(' ') : 'no credit note'}`);
	want.delete(cust);
}
say('one credit note per credit, its allocations exactly the uses',
	cnBad.length === 0 && want.size === 0 && used.length > 0,
	`${cnBad.length} wrong, ${want.size} missing: ${first(cnBad)}`);

// each invoice: paid + credited + due == total
const paid = new Map(), credited = new Map();
for (const p of pays) paid.set(p.sale_id, (paid.get(p.sale_id) || 0n) + cents(p.amount));
for (const u of used) credited.set(u.sale_id, (credited.get(u.sale_id) || 0n) + cents(u.amount));
const dueBad = invoices.filter((i) => i.Status !== 'VOIDED').filter((i) => {
	const p = paid.get(i.Reference) || 0n, c = credited.get(i.Reference) || 0n;
	return cents(i.AmountPaid) !== p || cents(i.AmountCredited) !== c ||
		cents(i.AmountDue) !== cents(i.Total) - p - c;
});
say('every invoice paid, credited and due as the source says', dueBad.length === 0,
	`${dueBad.length} differ: ${first(dueBad.map((i) => `${i.Reference} paid ${i.AmountPaid}` +
		` credited ${i.AmountCredited} due ${i.AmountDue} of ${i.Total}`))}`);

const names = contacts.map((c) => c.Name);
const uniq = new Set(names);
const wantc = new Set(customers.values());
say('contacts: every customer exactly once',
	names.length === wantc.size && uniq.size === names.length && [...wantc].every((n) => uniq.has(n)),
	`${names.length} contacts, ${uniq.size} distinct, ${wantc.size} customers`);
EOF
node "$tmp/verify.js" "$tmp" "$tmp/ledger.json" "$LEDGER" >"$tmp/verify.out" || bail "verify.js"
while IFS='|' read -r name good detail; do
	if [ "$good" = 1 ]; then ok "$name ($detail)"; else nok "$name ($detail)"; fi
done <"$tmp/verify.out"

faults=$(grep '^fault' "$tmp/harvest" | sort | uniq -c | awk '{printf "%s%s=%s", sep, $3, $1; sep=","}')
echo "# figures: $LEDGER, seed $SEED, $KILLS rounds ($killed killed mid-sync, $finished ran to the end)" \
	"and $clean_runs clean runs (posted $clean_posted) in $(((t1 - t0) / 1000)) s; sandbox" \
	"restarts $restarts; faults injected ${faults:-none}; API writes" \
	"$(grep -c '^write' "$tmp/harvest"), reads $(grep -c '^read' "$tmp/harvest"), 429s $limited"
finish
