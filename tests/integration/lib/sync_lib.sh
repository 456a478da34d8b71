# sync_lib.sh - shared helpers for the sync_*.sh integration tests: a
# sandbox per test (started on a free port, stopped by the trap), a fresh
# booksync store per scenario, and a reader that does Xero's OAuth code flow
# itself so tests assert on what the sandbox holds, not on what booksync says.
#
# Set BS_KEEP_TMP=1 to keep the temp dir (stores, sync output) for a post-mortem.
# Source it after setting nothing; it sets B (the binary), T (a temp dir),
# the pass/fail counters and an EXIT trap.  POSIX sh; needs curl and node.

B=${BOOKSYNC:?BOOKSYNC must name the booksync binary}
# BS_LIB: this directory (set it when sourcing from outside tests/integration)
BS_LIB=${BS_LIB:-$(dirname "$0")/lib}
. "$BS_LIB/sandbox.sh"
T=$(mktemp -d /tmp/bs-sync-XXXXXX)
export FP_DIR="$T"
fails=0
pass=0
: >"$T/pids"

lib_cleanup() {
	while read -r pid; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done <"$T/pids"
	sleep 0.1
	if [ -n "${BS_KEEP_TMP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export BOOKSYNC_XERO_CLIENT_ID=test BOOKSYNC_XERO_CLIENT_SECRET=secret

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect CODE CMD...: run, keep stdout/stderr in $T/out $T/err, check exit code
expect() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "'$*' exited $got, want $want"
		sed 's/^/  out: /' "$T/out" | head -40 >&2
		sed 's/^/  err: /' "$T/err" | head -20 >&2
		return 1
	fi
	ok
}
has() { # has FILE TEXT
	if grep -qF -- "$2" "$1"; then ok; else
		bad "$1 lacks '$2'"
		sed 's/^/  | /' "$1" | head -30 >&2
	fi
}
lacks() { # lacks FILE TEXT
	if grep -qF -- "$2" "$1"; then
		bad "$1 has '$2'"
		grep -F -- "$2" "$1" | sed 's/^/  | /' | head -5 >&2
	else ok; fi
}
eq() { # eq WHAT GOT WANT
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
finish() {
	echo "$pass passed, $fails failed"
	[ "$fails" -eq 0 ]
	exit $?
}

# sb_start [ARGS...]: start a sandbox on a free port (or on $SB_LISTEN, e.g.
# to restart one on its old address); sets SB_URL, SB_PID.
# Waits at most 10 s for the base URL on its first stdout line.
sb_n=0
sb_start() {
	sb_n=$((sb_n + 1))
	sandbox_launch "$T/sb$sb_n.out" "$T/sb$sb_n.err" "${SB_LISTEN:-127.0.0.1:0}" "$@"
	sb_rc=$?
	SB_PID=$launched_pid
	echo "$SB_PID" >>"$T/pids"
	SB_URL=$launched_url
	[ "$sb_rc" -eq 0 ] || exit 1
}

# sales_jsonl FROM TO: records of customer C-1 and its invoiced sales
# SO-FROM..SO-TO, one line of 10 + 3i units and (17i mod 100) cents each
# (amounts that do not repeat); sales_total N: the sum of SO-1..SO-N, to
# the cent, as "D.CC".
sales_jsonl() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		print "{\"kind\":\"customer\",\"id\":\"C-1\",\"name\":\"Sales Customer\"}";
		for (i = a; i <= b; i++)
			printf "{\"kind\":\"sale\",\"id\":\"SO-%d\",\"reference\":\"SO-%d\",\"customer_id\":\"C-1\",\"date\":\"2026-11-01\",\"invoiced\":true,\"tax_mode\":\"none\",\"lines\":[{\"description\":\"Item\",\"qty\":\"1\",\"unit_price\":\"%d.%02d\",\"tax_rate\":\"0\"}]}\n", i, i, 10 + i * 3, (i * 17) % 100;
	}'
}
sales_total() {
	awk -v n="$1" 'BEGIN { s = 0; for (i = 1; i <= n; i++) s += (10 + i * 3) * 100 + (i * 17) % 100; printf "%d.%02d", s / 100, s % 100 }'
}

# serve_start [ARGS...]: `booksync serve --listen 127.0.0.1:0 ARGS...` in
# the background, with the environment as the caller set it; its output in
# $T/serveN.out and $T/serveN.err (N counts the serves started, from 1).
# Sets S_PID and S_URL once the address is printed (it comes last, after
# any other line serve prints); after 10 s without it, shows serve's
# stderr and exits.
serve_n=0
serve_start() {
	serve_n=$((serve_n + 1))
	"$B" serve --listen 127.0.0.1:0 "$@" >"$T/serve$serve_n.out" 2>"$T/serve$serve_n.err" &
	S_PID=$!
	echo "$S_PID" >>"$T/pids"
	S_URL=
	sn=0
	while [ $sn -lt 100 ] && [ -z "$S_URL" ]; do
		S_URL=$(head -n 1 "$T/serve$serve_n.out" 2>/dev/null | grep '^http://')
		[ -n "$S_URL" ] || sleep 0.1
		sn=$((sn + 1))
	done
	[ -n "$S_URL" ] || { cat "$T/serve$serve_n.err" >&2; echo "serve did not start" >&2; exit 1; }
}

# gone PID TENTHS: wait up to TENTHS tenths of a second for PID to end;
# 0 when it has, 1 when it still runs
gone() {
	gi=0
	while kill -0 "$1" 2>/dev/null && [ $gi -lt "$2" ]; do
		sleep 0.1
		gi=$((gi + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# sb_stop: stop the last sandbox started (TERM; it saves its state) and wait
sb_stop() {
	kill "$SB_PID" 2>/dev/null
	gone "$SB_PID" 100 || true
}

# sb_reset URL: the sandbox back to its one default organisation, empty log.
sb_reset() {
	curl -sf -X POST "$1/sandbox/reset" >/dev/null || { bad "sandbox reset failed"; return 1; }
}

# fresh_store NAME: a new booksync store for one scenario (BOOKSYNC_DB): a
# file in $T, or with $BOOKSYNC_TEST_PG (lib/with_pg.sh) a schema of that
# PostgreSQL server, dropped first.
fresh_store() {
	if [ -n "${BOOKSYNC_TEST_PG:-}" ]; then
		schema=$(printf 's_%s_%s' "$1" "$$" | tr -c 'A-Za-z0-9_\n' _)
		psql -q -X "$BOOKSYNC_TEST_PG" -c "SET client_min_messages TO warning;
			DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null ||
			{ echo "fresh_store: cannot reach PostgreSQL" >&2; exit 1; }
		export BOOKSYNC_DB="$BOOKSYNC_TEST_PG?schema=$schema"
	else
		export BOOKSYNC_DB="$T/$1.db"
		rm -f "$BOOKSYNC_DB" "$BOOKSYNC_DB"-*
	fi
	"$B" init >/dev/null || { echo "init failed" >&2; exit 1; }
}

# connect URL: booksync connect (non-interactive); fails the test if it does not.
connect() {
	expect 0 "$B" connect xero --base-url "$1" </dev/null
}

# bs_sync ARGS...: booksync sync --json ARGS, output in $T/sync.json, exit in $bs_rc
# (stderr is shown when stdout is not the JSON document: a crash, a sanitizer)
bs_sync() {
	"$B" sync --json "$@" >"$T/sync.json" 2>"$T/sync.err"
	bs_rc=$?
	if [ "$(head -c 1 "$T/sync.json")" != "{" ]; then
		echo "sync $* (exit $bs_rc) printed no JSON; stderr:" >&2
		sed 's/^/  err: /' "$T/sync.err" | head -20 >&2
	fi
}

# jv EXPR: evaluate a JavaScript expression over the JSON on stdin (bound to
# j); strings print raw, undefined prints "undefined", others as JSON.
# Helpers in scope: c(x) = a number as a 2-dp string; sum(arr, f).
jv() {
	node -e '
const fs = require("fs");
let t = fs.readFileSync(0, "utf8"), j;
try { j = JSON.parse(t); } catch (e) { console.log("BADJSON"); process.exit(0); }
const c = (x) => (x === undefined || x === null) ? String(x) : Number(x).toFixed(2);
const sum = (a, f) => (a || []).reduce((s, x) => s + Math.round(f(x) * 100), 0) / 100;
let v; try { v = eval(process.argv[1]); } catch (e) { v = "ERR:" + e.message; }
console.log(typeof v === "string" ? v : v === undefined ? "undefined" : JSON.stringify(v));
' "$1"
}

# xlogin URL: the OAuth2 code flow by hand (as a second app would); sets
# X_URL, X_TOK, X_TEN for xget.
xlogin() {
	X_URL=$1
	scope="offline_access%20accounting.settings%20accounting.contacts%20accounting.invoices"
	scope="$scope%20accounting.payments%20accounting.banktransactions%20accounting.manualjournals"
	loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
		"$X_URL/identity/connect/authorize?response_type=code&client_id=test&redirect_uri=http://127.0.0.1:9/cb&scope=$scope&state=x")
	code=$(printf '%s\n' "$loc" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
	X_TOK=$(curl -s -u test:secret -d grant_type=authorization_code -d "code=$code" \
		-d redirect_uri=http://127.0.0.1:9/cb "$X_URL/connect/token" | jv j.access_token)
	X_TEN=$(curl -s -H "Authorization: Bearer $X_TOK" "$X_URL/connections" | jv 'j[0].tenantId')
	case $X_TEN in
	*-*) ;;
	*) echo "xlogin: no tenant from $X_URL" >&2; exit 1 ;;
	esac
}

# xget PATH: GET $X_URL/api.xro/2.0/PATH as the reader app (unitdp=4 added).
# A 429 (a sandbox with tight limits) is waited out, at most ~10 s.
xget() {
	case $1 in *\?*) sep='&' ;; *) sep='?' ;; esac
	xi=0
	while :; do
		xcode=$(curl -s -o "$T/xget.body" -w '%{http_code}' -H "Authorization: Bearer $X_TOK" \
			-H "xero-tenant-id: $X_TEN" -H "Accept: application/json" "$X_URL/api.xro/2.0/$1${sep}unitdp=4")
		[ "$xcode" = 429 ] && [ $xi -lt 50 ] || break
		xi=$((xi + 1))
		sleep 0.2
	done
	cat "$T/xget.body"
}

# xq PATH EXPR: xget PATH | jv EXPR
xq() { xget "$1" | jv "$2"; }

# writes_since URL SEQ: number of PUT/POST/DELETE API calls logged from SEQ on
writes_since() {
	curl -s "$1/sandbox/log?since=$2" | jv 'j.entries.filter(e => e.path.startsWith("/api.xro/") && e.method !== "GET").length'
}
log_total() { curl -s "$1/sandbox/log" | jv j.total; }

# fingerprint: one sorted line per document the sandbox holds (X_* set):
# natural key, contact, status, amounts, lines; no ids, no timestamps.
FP_KINDS="Contacts Items Invoices CreditNotes Payments PurchaseOrders ManualJournals BankTransactions"
fingerprint() {
	for k in $FP_KINDS; do xget "$k" >"$T/fp.$k"; done
	node -e '
const fs = require("fs"), out = [];
for (const k of process.argv.slice(1)) {
	let j; try { j = JSON.parse(fs.readFileSync(process.env.FP_DIR + "/fp." + k, "utf8")); } catch (e) { j = {}; }
	if (!Array.isArray(j[k])) { out.push(k + " GET failed"); continue; }
	for (const d of j[k]) out.push(k + " " + [
		d.Name, d.Code, d.Type, d.InvoiceNumber, d.CreditNoteNumber, d.PurchaseOrderNumber, d.Reference,
		d.Narration, d.Contact && d.Contact.Name, d.Status, d.Total, d.AmountPaid, d.AmountCredited,
		d.RemainingCredit, d.Amount, d.Invoice && d.Invoice.InvoiceNumber,
		d.CreditNote && d.CreditNote.CreditNoteNumber, d.Account && d.Account.Code,
		(d.LineItems || []).map(l => l.Quantity + "x" + l.UnitAmount + "@" + l.AccountCode).join(" "),
		(d.JournalLines || []).map(l => l.AccountCode + ":" + l.LineAmount).join(" "),
		(d.Allocations || []).map(a => a.Amount + ">" + (a.Invoice && a.Invoice.InvoiceNumber)).join(" ")
	].filter(x => x !== undefined && x !== "").join("|"));
}
console.log(out.sort().join("\n"));
' $FP_KINDS
}
