# tap.sh - the harness the scale and crash tests share (sourced).
#
# TAP-style lines ("ok - ...", "not ok - ..."), a closing "N passed, N failed"
# and a non-zero exit on any failure; a temp dir ($tmp) and a sandbox
# ($sbpid, started by sandbox_start) that the EXIT trap removes and stops
# whatever happened.  Needs $src (the source tree) and $BOOKSYNC.
. "$src/tests/integration/lib/sandbox.sh"

pass=0
failed=0
tmp=
sbpid=

cleanup() {
	if [ -n "$sbpid" ]; then
		kill "$sbpid" 2>/dev/null
		wait "$sbpid" 2>/dev/null
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}
nok() {
	failed=$((failed + 1))
	echo "not ok - $*"
}
# check NAME CONDITION...: one assertion
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
finish() {
	echo "$pass passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}
# bail MESSAGE: a step the rest depends on failed
bail() {
	nok "$*"
	finish
}

# sandbox_start LISTEN [ARGS...]: a sandbox (lib/sandbox.sh), stdout in
# $tmp/sandbox.out, stderr appended to $tmp/sandbox.err.  Sets sbpid and
# url; on failure shows its stderr, clears sbpid, returns 1.
sandbox_start() {
	if sandbox_launch "$tmp/sandbox.out" "$tmp/sandbox.err" "$@"; then
		sbpid=$launched_pid
		url=$launched_url
		return 0
	fi
	kill "$launched_pid" 2>/dev/null
	sbpid=
	return 1
}

# json FILE EXPR: evaluate EXPR over the parsed file (bound to j)
json() {
	node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		console.log(eval(process.argv[2]))' "$1" "$2"
}
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
