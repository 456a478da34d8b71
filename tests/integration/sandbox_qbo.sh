#!/bin/sh
# sandbox_qbo.sh - `booksync sandbox qbo` as a process: the base URL as the
# first stdout line and the realm on stderr; Intuit's OAuth paths with curl
# (authorize -> code and realmId -> tokens/bearer); an entity written
# through to --state survives SIGTERM (exit 0) and a restart, the token too;
# options that are Xero's (--rounding, the limits key day) are usage errors.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}

. "$src/tests/integration/lib/tap.sh"

[ -x "$BOOKSYNC" ] || bail "booksync not executable: $BOOKSYNC"
command -v curl >/dev/null 2>&1 || bail "curl not found (scripts/install-deps)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-sbqbo.XXXXXX") || bail "mktemp"
unset BOOKSYNC_SANDBOX_ADMIN_TOKEN
BS_LEDGER=qbo

# refused CASE ARGS...: exit 2 at once, nothing on stdout
refused() {
	what=$1
	shift
	timeout 10 "$BOOKSYNC" sandbox qbo "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$what: exit 2 (got $rc)" [ "$rc" -eq 2 ]
	check "$what: nothing on stdout" [ ! -s "$tmp/out" ]
}
refused "--rounding is Xero's" --rounding half-even
check "the message says so" grep -q "xero" "$tmp/err"
refused "the limits key day is Xero's" --limits day=5
refused "a non-loopback listen without a token" --listen 0.0.0.0:0
refused "another ledger" --limits off sage
"$BOOKSYNC" sandbox --help >"$tmp/out" 2>&1
check "--help names qbo" grep -q "xero|qbo" "$tmp/out"

# --- OAuth and an entity, kept in a state file
sandbox_start 127.0.0.1:0 --state "$tmp/state.db" --limits off || bail "sandbox qbo did not start"
check "the first stdout line is the base URL" grep -q '^http://127\.0\.0\.1:[0-9]*$' "$tmp/sandbox.out"
check "stderr names the realm" grep -q "default realm" "$tmp/sandbox.err"
loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
	"$url/connect/oauth2?client_id=app&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=http://localhost/cb&state=st")
code=$(printf '%s' "$loc" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
realm=$(printf '%s' "$loc" | sed -n 's/.*[?&]realmId=\([0-9]*\).*/\1/p')
check "authorize redirects with a code" [ -n "$code" ]
check "and the realmId" [ -n "$realm" ]
check "and the state" expr "$loc" : '.*state=st' >/dev/null
curl -s -u app:secret -d "grant_type=authorization_code&code=$code&redirect_uri=http://localhost/cb" \
	"$url/oauth2/v1/tokens/bearer" >"$tmp/token.json"
at=$(json "$tmp/token.json" 'j.access_token')
check "tokens/bearer gives an access token" [ -n "$at" ]
check "valid for an hour" [ "$(json "$tmp/token.json" 'j.expires_in')" = 3600 ]
api="$url/v3/company/$realm"
st=$(curl -s -o "$tmp/c.json" -w '%{http_code}' -H "Authorization: Bearer $at" \
	-H 'Content-Type: application/json' -d '{"DisplayName":"Kept Ltd"}' "$api/customer?minorversion=75")
check "customer created (200, got $st)" [ "$st" = 200 ]
id=$(json "$tmp/c.json" 'j.Customer.Id')
kill "$sbpid"
wait "$sbpid"
rc=$?
sbpid=
check "SIGTERM: exit 0 (got $rc)" [ "$rc" -eq 0 ]

sandbox_start 127.0.0.1:0 --state "$tmp/state.db" --limits off || bail "restart did not start"
api="$url/v3/company/$realm"
st=$(curl -s -o "$tmp/r.json" -w '%{http_code}' -H "Authorization: Bearer $at" "$api/customer/$id")
check "after a restart the token still works (got $st)" [ "$st" = 200 ]
check "and the customer is there" [ "$(json "$tmp/r.json" 'j.Customer.DisplayName')" = "Kept Ltd" ]
st=$(curl -s -o "$tmp/d.json" -w '%{http_code}' -H "Authorization: Bearer $at" \
	-H 'Content-Type: application/json' -d '{"DisplayName":"kept ltd"}' "$api/vendor")
check "its name is still taken (400, got $st)" [ "$st" = 400 ]
check "with 6240" [ "$(json "$tmp/d.json" 'j.Fault.Error[0].code')" = 6240 ]

finish
