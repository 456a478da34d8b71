# qbo_lib.sh - helpers for the QuickBooks Online integration tests
# (sync_qbo.sh, sync_both.sh, crash_qbo.sh) and bench/qbo_batches: a QBO
# sandbox on a free port beside (or instead of) the Xero one, `booksync
# connect qbo`, and read_qbo.js, which reads what the sandbox holds through
# its API as a second app would (intuit-oauth + node-quickbooks, installed
# from tests/conformance-qbo's pinned package-lock.json).
#
# Source it instead of sync_lib.sh (it sources that: B, T, ok/bad/expect/
# has/eq/finish, fresh_store, bs_sync, jv, sb_start for Xero).  Set BS_LIB
# when sourcing from outside tests/integration.  POSIX sh; needs curl, node.

BS_LIB=${BS_LIB:-$(dirname "$0")/lib}
. "$BS_LIB/sync_lib.sh"
. "$BS_LIB/npm_suite.sh"
BS_SRC=${BS_SOURCE_DIR:-$(cd "$BS_LIB/../../.." && pwd)}
trap 'npm_release; lib_cleanup' EXIT

export BOOKSYNC_QBO_CLIENT_ID=test-qbo BOOKSYNC_QBO_CLIENT_SECRET=secret-qbo

# qbo_node: node-quickbooks for read_qbo.js (npm ci once, as the conformance
# suite does); exits the test when it cannot be had.
qbo_node() {
	npm_ensure qbo_lib "$BS_SRC/tests/conformance-qbo" || exit 1
}

# qsb_start [ARGS...]: `booksync sandbox qbo` on a free port (or $SB_LISTEN);
# sets QSB_URL and QSB_PID (and SB_URL / SB_PID, as sb_start does).
qsb_start() {
	qsb_saved=${BS_LEDGER:-}
	BS_LEDGER=qbo
	sb_start "$@"
	BS_LEDGER=$qsb_saved
	QSB_URL=$SB_URL
	QSB_PID=$SB_PID
}

# qsb_stop: stop the QBO sandbox (TERM: it saves its state) and wait.
qsb_stop() {
	SB_PID=$QSB_PID
	sb_stop
}

# qconnect URL: booksync connect qbo, non-interactive; fails the test if not.
qconnect() {
	expect 0 "$B" connect qbo --base-url "$1" </dev/null
}

# qread URL OUT [ENTITY...]: what the QBO sandbox holds into OUT (JSON,
# {"invoice": [...], ...}); a failed read fails the test and returns 1.
qread() {
	qr_url=$1
	qr_out=$2
	shift 2
	if node "$BS_LIB/read_qbo.js" "$qr_url" "$qr_out" "$@" 2>"$T/read_qbo.err"; then
		return 0
	fi
	bad "reading the QBO sandbox back: $(head -c 300 "$T/read_qbo.err")"
	echo '{}' >"$qr_out"
	return 1
}

# qj FILE EXPR: jv EXPR over FILE (a read_qbo.js dump or any JSON).
qj() {
	jv "$2" <"$1"
}

# qlog URL OUT: the sandbox's request log (as JSON) into OUT.
qlog() {
	curl -sf "$1/sandbox/log" >"$2" || {
		bad "GET $1/sandbox/log"
		echo '{"entries":[],"total":0}' >"$2"
	}
}

# qcalls LOGFILE: "batch=N 429=N writes=N reads=N total=N" from a qlog dump:
# /batch calls answered (not 429), 429s, other POSTs, GETs under /v3/company.
qcalls() {
	node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
let b = 0, l = 0, w = 0, r = 0;
for (const e of j.entries) {
	if (!e.path.startsWith("/v3/company/")) continue;
	if (e.status === 429) { l++; continue; }
	if (/\/batch$/.test(e.path)) b++;
	else if (e.method === "GET" || /\/query$/.test(e.path)) r++;
	else w++;
}
console.log(`batch=${b} 429=${l} writes=${w} reads=${r} total=${j.total} kept=${j.entries.length}`);
' "$1"
}
