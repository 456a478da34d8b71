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
	_lock="$_dir/.npm-install.lock"
	_havelock=0
	_cleanup() {
		# Kill any sandbox the suite started and did not stop (node killed etc.).
		if [ -s "$_pidfile" ]; then
			while read -r pid; do
				if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
			done <"$_pidfile"
		fi
		rm -f "$_pidfile"
		[ "$_havelock" -eq 1 ] && rmdir "$_lock" 2>/dev/null
		return 0
	}
	trap _cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	_stamp="$_dir/node_modules/.bs-lock-stamp"
	if ! cmp -s "$_dir/package-lock.json" "$_stamp" 2>/dev/null; then
		_n=0
		until mkdir "$_lock" 2>/dev/null; do
			_n=$((_n + 1))
			[ "$_n" -lt 300 ] || _fail "timed out waiting for $_lock"
			sleep 1
		done
		_havelock=1
		if ! cmp -s "$_dir/package-lock.json" "$_stamp" 2>/dev/null; then
			_log=$(mktemp "${TMPDIR:-/tmp}/bs-npm.XXXXXX")
			if ! (cd "$_dir" && npm ci --no-audit --no-fund --loglevel=error) >"$_log" 2>&1; then
				cat "$_log" >&2
				rm -f "$_log"
				_fail "npm ci failed in $_dir"
			fi
			rm -f "$_log"
			cp "$_dir/package-lock.json" "$_stamp"
		fi
		rmdir "$_lock"
		_havelock=0
	fi

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
