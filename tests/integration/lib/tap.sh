# tap.sh - the harness the scale and crash tests share (sourced).
#
# TAP-style lines ("ok - ...", "not ok - ..."), a closing "N passed, N failed"
# and a non-zero exit on any failure; a temp dir ($tmp) and a sandbox
# ($sbpid) that the EXIT trap removes and stops whatever happened.
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

# json FILE EXPR: evaluate EXPR over the parsed file (bound to j)
json() {
	node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		console.log(eval(process.argv[2]))' "$1" "$2"
}
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
