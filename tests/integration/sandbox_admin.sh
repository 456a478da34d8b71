#!/bin/sh
# sandbox_admin.sh - `booksync sandbox xero` guards its /sandbox/ admin
# endpoints: a listen address outside loopback without an admin token is a
# usage error (exit 2, saying why); the token comes from --admin-token or
# $BOOKSYNC_SANDBOX_ADMIN_TOKEN, and with one every admin call needs
# "Authorization: Bearer TOKEN" (401 otherwise, a refused reset resets
# nothing); loopback without a token stays open.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}

. "$src/tests/integration/lib/tap.sh"

[ -x "$BOOKSYNC" ] || bail "booksync not executable: $BOOKSYNC"
command -v curl >/dev/null 2>&1 || bail "curl not found (scripts/install-deps)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-sbadmin.XXXXXX") || bail "mktemp"
unset BOOKSYNC_SANDBOX_ADMIN_TOKEN

# refused CASE ARGS...: the sandbox exits 2 at once, naming the problem
refused() {
	what=$1
	shift
	timeout 10 "$BOOKSYNC" sandbox xero "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$what: exit 2 (got $rc)" [ "$rc" -eq 2 ]
	check "$what: nothing on stdout" [ ! -s "$tmp/out" ]
}
# status URL [TOKEN]: the HTTP status of GET/POST URL, with the token if given
status() {
	if [ $# -ge 3 ]; then
		curl -s -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" "$2"
	else
		curl -s -o /dev/null -w '%{http_code}' -X "$1" "$2"
	fi
}
stop() {
	kill "$sbpid" 2>/dev/null
	wait "$sbpid" 2>/dev/null
	sbpid=
}

# --- refused: non-loopback without a token
refused "0.0.0.0 without a token" --listen 0.0.0.0:0
check "the message says why" grep -q "not a loopback address" "$tmp/err"
check "the message names --admin-token" grep -q -- "--admin-token" "$tmp/err"
refused "a non-local address without a token" --listen 192.0.2.1:0
# (exported and unset around the calls: an assignment before a shell
# function may outlive the call)
export BOOKSYNC_SANDBOX_ADMIN_TOKEN=
refused "an empty token variable counts as none" --listen 0.0.0.0:0
unset BOOKSYNC_SANDBOX_ADMIN_TOKEN
refused "an empty --admin-token" --listen 0.0.0.0:0 --admin-token ""
check "the message says it is empty" grep -q "admin-token is empty" "$tmp/err"
refused "a token with a space" --listen 127.0.0.1:0 --admin-token "a b"
"$BOOKSYNC" sandbox --help >"$tmp/out" 2>&1
check "--help documents --admin-token" grep -q -- "--admin-token" "$tmp/out"

# --- any address with the token from the environment
export BOOKSYNC_SANDBOX_ADMIN_TOKEN=env-t0ken
sandbox_start 0.0.0.0:0 || bail "sandbox on 0.0.0.0 with a token did not start"
u="http://127.0.0.1:${url##*:}"
check "no token: 401" [ "$(status GET "$u/sandbox/health")" = 401 ]
check "wrong token: 401" [ "$(status GET "$u/sandbox/health" env-t0ke)" = 401 ]
check "the token: 200" [ "$(status GET "$u/sandbox/health" env-t0ken)" = 200 ]
check "tenant created" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
	-H "Authorization: Bearer env-t0ken" -d '{"Name":"Two"}' "$u/sandbox/tenants")" = 201 ]
check "reset without the token: 401" [ "$(status POST "$u/sandbox/reset")" = 401 ]
curl -s -H "Authorization: Bearer env-t0ken" "$u/sandbox/tenants" >"$tmp/tenants.json"
check "a refused reset reset nothing" [ "$(grep -o tenantId "$tmp/tenants.json" | wc -l)" -eq 2 ]
curl -s -D "$tmp/h" -o /dev/null "$u/sandbox/log"
check "the 401 says what to send" grep -qi "WWW-Authenticate: Bearer" "$tmp/h"
stop

# --- --admin-token wins over the environment, also on loopback
sandbox_start 127.0.0.1:0 --admin-token flag-t0ken ||
	bail "sandbox with --admin-token did not start"
check "flag token: 200" [ "$(status GET "$url/sandbox/counters" flag-t0ken)" = 200 ]
check "environment token ignored: 401" [ "$(status GET "$url/sandbox/counters" env-t0ken)" = 401 ]
check "no token on loopback with one set: 401" [ "$(status GET "$url/sandbox/counters")" = 401 ]
stop
unset BOOKSYNC_SANDBOX_ADMIN_TOKEN

# --- loopback without a token: open, as every other test uses it
sandbox_start 127.0.0.1:0 || bail "sandbox on loopback did not start"
check "open without a token" [ "$(status GET "$url/sandbox/health")" = 200 ]
check "reset open without a token" [ "$(status POST "$url/sandbox/reset")" = 200 ]
stop

finish
