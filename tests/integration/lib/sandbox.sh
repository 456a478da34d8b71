# sandbox.sh - start `booksync sandbox xero` (or, with BS_LEDGER=qbo,
# `sandbox qbo`) for a test (sourced by tap.sh and sync_lib.sh, whose
# harnesses differ in how they keep temp dirs and PIDs but start and wait
# for a sandbox the one way).

# sandbox_launch OUT ERR LISTEN [ARGS...]: `$BOOKSYNC sandbox ${BS_LEDGER:-xero}
# --listen LISTEN ARGS` in the background, stdout into OUT, stderr appended to ERR;
# waits up to 10 s for the base URL on its first stdout line.  Sets
# launched_pid and launched_url; on failure shows ERR, returns 1 (the
# process, if still alive, is the caller's to stop: launched_pid).
sandbox_launch() {
	sl_out=$1
	sl_err=$2
	sl_listen=$3
	shift 3
	: >"$sl_out"
	"$BOOKSYNC" sandbox "${BS_LEDGER:-xero}" --listen "$sl_listen" "$@" >"$sl_out" 2>>"$sl_err" &
	launched_pid=$!
	launched_url=
	sl_n=0
	while [ "$sl_n" -lt 100 ]; do
		launched_url=$(head -n 1 "$sl_out" 2>/dev/null)
		case $launched_url in http://*) return 0 ;; esac
		launched_url=
		kill -0 "$launched_pid" 2>/dev/null || break
		sleep 0.1
		sl_n=$((sl_n + 1))
	done
	echo "sandbox did not start:" >&2
	cat "$sl_err" >&2
	return 1
}
