# tap.sh - the harness the scale and crash tests share (sourced).
#
# TAP-style lines ("ok - ...", "not ok - ..."), a closing "N passed, N failed"
# and a non-zero exit on any failure; a temp dir ($tmp) and a sandbox
# ($sbpid, started by sandbox_start) that the EXIT trap removes and stops
# whatever happened.  Needs $BOOKSYNC for sandbox_start.
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

# sandbox_start LISTEN [ARGS...]: `booksync sandbox xero --listen LISTEN ARGS`
# in the background, stdout in $tmp/sandbox.out, stderr appended to
# $tmp/sandbox.err; waits up to 10 s for the base URL on its first line.
# Sets sbpid and url; on failure shows its stderr, clears sbpid, returns 1.
sandbox_start() {
	sb_listen=$1
	shift
	: >"$tmp/sandbox.out"
	"$BOOKSYNC" sandbox xero --listen "$sb_listen" "$@" >"$tmp/sandbox.out" 2>>"$tmp/sandbox.err" &
	sbpid=$!
	n=0
	until [ -s "$tmp/sandbox.out" ]; do
		n=$((n + 1))
		if [ "$n" -gt 100 ] || ! kill -0 "$sbpid" 2>/dev/null; then
			cat "$tmp/sandbox.err" >&2
			sbpid=
			return 1
		fi
		sleep 0.1
	done
	url=$(head -n 1 "$tmp/sandbox.out")
}

# json FILE EXPR: evaluate EXPR over the parsed file (bound to j)
json() {
	node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		console.log(eval(process.argv[2]))' "$1" "$2"
}
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
