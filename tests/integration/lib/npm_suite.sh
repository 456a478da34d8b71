# npm_suite.sh - run a node:test conformance suite that drives `booksync
# sandbox ...` through npm packages: sourced by xero_conformance.sh and
# qbo_conformance.sh.
#
# npm_suite NAME DIR: installs DIR's pinned packages (npm ci) when
# node_modules is missing or was installed from another package-lock.json
# (one installer at a time: parallel ctest runs share the source tree),
# then runs DIR/test/*.test.js with TAP output.  Sandboxes the suite starts
# write their PIDs to $BS_CONFORMANCE_PIDFILE and are killed on exit.  A
# missing node/npm is a failure, not a skip: scripts/install-deps installs
# them.  Env: BOOKSYNC = booksync binary (exported for the suite).
#
# npm_ensure NAME DIR: only the install step (also used by qbo_lib.sh, whose
# read_qbo.js needs tests/conformance-qbo's node-quickbooks); returns 1 with
# a message on stderr when node/npm are missing or npm ci fails.

npm_ensure() {
	_ne_name=$1
	_ne_dir=$2
	command -v node >/dev/null 2>&1 || { echo "$_ne_name: node not found (run scripts/install-deps)" >&2; return 1; }
	command -v npm >/dev/null 2>&1 || { echo "$_ne_name: npm not found (run scripts/install-deps)" >&2; return 1; }
	_ne_stamp="$_ne_dir/node_modules/.bs-lock-stamp"
	_ne_lock="$_ne_dir/.npm-install.lock"
	cmp -s "$_ne_dir/package-lock.json" "$_ne_stamp" 2>/dev/null && return 0
	_ne_n=0
	until mkdir "$_ne_lock" 2>/dev/null; do
		_ne_n=$((_ne_n + 1))
		if [ "$_ne_n" -ge 300 ]; then
			echo "$_ne_name: timed out waiting for $_ne_lock" >&2
			return 1
		fi
		sleep 1
	done
	_ne_held=$_ne_lock # an EXIT trap may rmdir it (npm_release) if we are killed
	_ne_rc=0
	if ! cmp -s "$_ne_dir/package-lock.json" "$_ne_stamp" 2>/dev/null; then
		_ne_log=$(mktemp "${TMPDIR:-/tmp}/bs-npm.XXXXXX")
		if (cd "$_ne_dir" && npm ci --no-audit --no-fund --loglevel=error) >"$_ne_log" 2>&1; then
			cp "$_ne_dir/package-lock.json" "$_ne_stamp"
		else
			cat "$_ne_log" >&2
			echo "$_ne_name: npm ci failed in $_ne_dir" >&2
			_ne_rc=1
		fi
		rm -f "$_ne_log"
	fi
	rmdir "$_ne_lock"
	_ne_held=
	return $_ne_rc
}

# npm_release: for an EXIT trap, the install lock if this shell holds it.
npm_release() {
	[ -n "${_ne_held:-}" ] && rmdir "$_ne_held" 2>/dev/null
	_ne_held=
	return 0
}

npm_suite() {
	_name=$1
	_dir=$2

	_fail() {
		echo "$_name: $*" >&2
		exit 1
	}

	command -v node >/dev/null 2>&1 || _fail "node not found (run scripts/install-deps)"
	command -v npm >/dev/null 2>&1 || _fail "npm not found (run scripts/install-deps)"
	[ -x "$BOOKSYNC" ] || _fail "booksync binary not executable: $BOOKSYNC"
	export BOOKSYNC

	_major=$(node -p 'process.versions.node.split(".")[0]')
	_minor=$(node -p 'process.versions.node.split(".")[1]')
	[ "$_major" -ge 18 ] || _fail "node >= 18 required, have $(node --version)"

	_pidfile=$(mktemp "${TMPDIR:-/tmp}/bs-conformance.XXXXXX")
	_cleanup() {
		# Kill any sandbox the suite started and did not stop (node killed etc.).
		if [ -s "$_pidfile" ]; then
			while read -r pid; do
				if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
			done <"$_pidfile"
		fi
		rm -f "$_pidfile"
		npm_release
		return 0
	}
	trap _cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	npm_ensure "$_name" "$_dir" || exit 1

	export BS_CONFORMANCE_PIDFILE="$_pidfile"
	# TAP: failure details inline, node's summary (# tests/pass/fail) last.
	# --test-reporter arrived in node 18.15; before that TAP is the default
	# when stdout is not a terminal, as under CTest.
	_reporter="--test-reporter=tap"
	if [ "$_major" -eq 18 ] && [ "$_minor" -lt 15 ]; then _reporter=""; fi
	cd "$_dir" || _fail "cannot cd to $_dir"
	# shellcheck disable=SC2086
	node --test $_reporter test/*.test.js
}
