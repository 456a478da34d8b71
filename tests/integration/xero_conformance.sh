#!/bin/sh
# xero_conformance.sh - run the Xero conformance suite (tests/conformance)
# against `booksync sandbox xero`: xero-node drives the sandbox and every
# reply is validated against Xero's OpenAPI spec.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR = repo root.
# Installs the suite's pinned npm packages (npm ci) when node_modules is
# missing or older than package-lock.json.  A missing node/npm is a failure,
# not a skip: scripts/install-deps installs them.
set -eu

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
dir="$src/tests/conformance"
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}
export BOOKSYNC

fail() {
	echo "xero_conformance: $*" >&2
	exit 1
}

command -v node >/dev/null 2>&1 || fail "node not found (run scripts/install-deps)"
command -v npm >/dev/null 2>&1 || fail "npm not found (run scripts/install-deps)"
[ -x "$BOOKSYNC" ] || fail "booksync binary not executable: $BOOKSYNC"

major=$(node -p 'process.versions.node.split(".")[0]')
minor=$(node -p 'process.versions.node.split(".")[1]')
[ "$major" -ge 18 ] || fail "node >= 18 required, have $(node --version)"

pidfile=$(mktemp "${TMPDIR:-/tmp}/bs-conformance.XXXXXX")
lock="$dir/.npm-install.lock"
havelock=0
cleanup() {
	# Kill any sandbox the suite started and did not stop (node killed etc.).
	if [ -s "$pidfile" ]; then
		while read -r pid; do
			if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
		done <"$pidfile"
	fi
	rm -f "$pidfile"
	[ "$havelock" -eq 1 ] && rmdir "$lock" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# (Re)install when node_modules is missing or was installed from another lock.
stamp="$dir/node_modules/.bs-lock-stamp"
if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
	# One installer at a time (parallel ctest runs share the source tree).
	n=0
	until mkdir "$lock" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 300 ] || fail "timed out waiting for $lock"
		sleep 1
	done
	havelock=1
	if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
		log=$(mktemp "${TMPDIR:-/tmp}/bs-npm.XXXXXX")
		if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
			cat "$log" >&2
			rm -f "$log"
			fail "npm ci failed in $dir"
		fi
		rm -f "$log"
		cp "$dir/package-lock.json" "$stamp"
	fi
	rmdir "$lock"
	havelock=0
fi

export BS_CONFORMANCE_PIDFILE="$pidfile"
# TAP: failure details inline, node's summary (# tests/pass/fail) last.
# --test-reporter arrived in node 18.15; before that TAP is the default
# when stdout is not a terminal, as under CTest.
reporter="--test-reporter=tap"
if [ "$major" -eq 18 ] && [ "$minor" -lt 15 ]; then reporter=""; fi
cd "$dir"
# shellcheck disable=SC2086
node --test $reporter test/*.test.js
