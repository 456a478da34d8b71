#!/bin/sh
# dashboard.sh - the dashboard in a real browser: starts `booksync sandbox
# xero`, a fresh store with sample records (tests/dashboard/records.jsonl)
# and a user, then `booksync serve --listen 127.0.0.1:0`, and runs
# tests/dashboard/test/*.test.js (node:test + playwright-core driving
# Debian's chromium headless): log in, connect, pending counts, Upload
# Selected, Upload All, an unknown account onto Errors and back, CSV export.
# Screenshots of each tab go to $BS_TEST_OUT, else
# $BS_BUILD_DIR/Testing/dashboard.
#
# Env (set by CTest): BOOKSYNC, BS_SOURCE_DIR, BS_BUILD_DIR.  Needs node >= 20
# (playwright-core) and /usr/bin/chromium (or $BS_CHROMIUM): scripts/install-deps.
# BS_KEEP_TMP=1 keeps the store and the servers' output.
set -u

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}
B=$BOOKSYNC
dir=$src/tests/dashboard
. "$src/tests/integration/lib/npm_suite.sh"
. "$src/tests/integration/lib/sandbox.sh"

fail() {
	echo "dashboard: $*" >&2
	exit 1
}

[ -x "$B" ] || fail "booksync binary not executable: $B"
command -v node >/dev/null 2>&1 || fail "node not found (run scripts/install-deps)"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || fail "node >= 20 needed by playwright-core, have $(node --version)"
BS_CHROMIUM=${BS_CHROMIUM:-/usr/bin/chromium}
[ -x "$BS_CHROMIUM" ] || fail "$BS_CHROMIUM not found (run scripts/install-deps: Debian's chromium)"
export BS_CHROMIUM

T=$(mktemp -d /tmp/bs-dash-XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	npm_release
	if [ -n "${BS_KEEP_TMP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

BS_OUT=${BS_TEST_OUT:-${BS_BUILD_DIR:-$src/build}/Testing/dashboard}
mkdir -p "$BS_OUT" || fail "cannot make $BS_OUT"
rm -f "$BS_OUT"/*.png "$BS_OUT"/*.csv "$BS_OUT"/*.jsonl
export BS_OUT

npm_ensure dashboard "$dir" || exit 1

# --- the ledger, the store, the user -------------------------------------------
sandbox_launch "$T/sb.out" "$T/sb.err" 127.0.0.1:0 || fail "the sandbox did not start"
pids="$pids $launched_pid"
BS_SB_URL=$launched_url
export BS_SB_URL

export BOOKSYNC_DB="$T/dash.db"
export BOOKSYNC_XERO_CLIENT_ID=test BOOKSYNC_XERO_CLIENT_SECRET=secret
"$B" init >/dev/null || fail "init failed"
"$B" import "$dir/records.jsonl" >"$T/import.out" 2>&1 || { cat "$T/import.out" >&2; fail "import failed"; }
# the Shopify sales are consolidated daily: the Consolidated tab has rows
"$B" settings consolidation.enabled true >/dev/null || fail "settings failed"
"$B" settings 'consolidation.channel.Shopify(MyShop).invoices' daily >/dev/null || fail "settings failed"
BS_USER=admin
BS_PASS="correct horse $(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export BS_USER BS_PASS
printf '%s\n' "$BS_PASS" | "$B" user add "$BS_USER" >"$T/user.out" 2>&1 || { cat "$T/user.out" >&2; fail "user add failed"; }

# --- serve -----------------------------------------------------------------------
# --today: the Shopify sales' day (2026-10-01) has ended whatever the clock says
"$B" serve --listen 127.0.0.1:0 --today 2026-11-01 >"$T/serve.out" 2>"$T/serve.err" &
serve_pid=$!
pids="$pids $serve_pid"
BS_URL=
n=0
while [ $n -lt 100 ]; do
	BS_URL=$(head -n 1 "$T/serve.out" 2>/dev/null)
	case $BS_URL in http://*) break ;; esac
	BS_URL=
	kill -0 "$serve_pid" 2>/dev/null || break
	sleep 0.1
	n=$((n + 1))
done
[ -n "$BS_URL" ] || { cat "$T/serve.err" >&2; fail "serve did not print its URL"; }
BS_URL=${BS_URL%/}
export BS_URL BOOKSYNC

# --- the browser -----------------------------------------------------------------
cd "$dir" || fail "cannot cd to $dir"
node --test --test-reporter=tap test/*.test.js
rc=$?

# SIGTERM stops serve cleanly: exit 0, nothing from a sanitizer (an ASan
# build checks for leaks at exit)
kill "$serve_pid" 2>/dev/null
wait "$serve_pid"
serve_rc=$?
if [ $serve_rc -ne 0 ]; then
	echo "not ok - serve exited $serve_rc after SIGTERM" >&2
	rc=1
fi
if [ $rc -ne 0 ]; then
	echo "--- serve stderr (last 30 lines)" >&2
	tail -n 30 "$T/serve.err" >&2
fi
echo "screenshots: $BS_OUT" >&2
exit $rc
