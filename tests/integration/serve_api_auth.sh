#!/bin/sh
# serve_api_auth.sh - `booksync serve` over real HTTP with curl: the URL
# line, health, security headers on every answer, no token / a bad token
# (401), the wrong scope (403), a session's state change without its CSRF
# token (403), malformed JSON (400), oversize bodies (413), path traversal
# on the embedded files (404), logging in and out, the lockout (429 with
# Retry-After), the CLI's user and token commands, and SIGTERM stopping
# the server with exit 0.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}

. "$src/tests/integration/lib/tap.sh"

[ -x "$BOOKSYNC" ] || bail "booksync not executable: $BOOKSYNC"
command -v curl >/dev/null 2>&1 || bail "curl not found (scripts/install-deps)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-serve.XXXXXX") || bail "mktemp"
db=$tmp/t.db
bs() { "$BOOKSYNC" --db "$db" "$@"; }

# --- the CLI: store, users, tokens
bs init >/dev/null 2>&1 || bail "booksync init"
printf 'correct horse\n' | bs user add ann >"$tmp/out" 2>"$tmp/err"
check "user add reads the password from stdin" [ $? -eq 0 ]
printf 'short\n' | bs user add bob >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a short password is a usage error (exit 2, got $rc)" [ "$rc" -eq 2 ]
check "  saying why" grep -q "at least 8" "$tmp/err"
printf 'correct horse\n' | bs user add ann >"$tmp/out" 2>"$tmp/err"
rc=$?
check "an existing user is refused (exit 1, got $rc)" [ "$rc" -eq 1 ]
printf 'x\n' | bs user add 'a b' >/dev/null 2>&1
check "a bad user name is a usage error" [ $? -eq 2 ]
# on a terminal: asked twice, without echo (script(1) gives it a pty)
if command -v script >/dev/null 2>&1; then
	(sleep 0.5; printf 'tty password\n'; sleep 0.5; printf 'tty password\n'; sleep 0.5) |
		timeout 20 script -qec "'$BOOKSYNC' --db '$db' user add tina" /dev/null >"$tmp/out" 2>&1
	check "user add on a terminal asks twice" grep -q "Again:" "$tmp/out"
	check "  and adds the user" grep -q "user tina added" "$tmp/out"
	check "  without echoing the password" sh -c "! grep -q 'tty password' '$tmp/out'"
	(sleep 0.5; printf 'tty password\n'; sleep 0.5; printf 'another one\n'; sleep 0.5) |
		timeout 20 script -qec "'$BOOKSYNC' --db '$db' user add tom" /dev/null >"$tmp/out" 2>&1
	check "  two different answers are refused" grep -q "the two passwords differ" "$tmp/out"
else
	ok "# SKIP script(1) not installed: the terminal prompt is not tested"
fi
bs user list >"$tmp/out"
check "user list shows ann" grep -q "^ann " "$tmp/out"
bs token add reader --scope read >"$tmp/tok_read" 2>"$tmp/err"
check "token add prints the token once" grep -Eq '^bst_[A-Za-z0-9_-]{43}$' "$tmp/tok_read"
check "  and says it is shown only once" grep -q "only this once" "$tmp/err"
bs token add admin --scope admin,read >"$tmp/tok_admin" 2>/dev/null
bs token add x --scope write >/dev/null 2>"$tmp/err"
rc=$?
check "an unknown scope is a usage error (exit 2, got $rc)" [ "$rc" -eq 2 ]
check "  naming it" grep -q "unknown scope 'write'" "$tmp/err"
bs token add y >/dev/null 2>&1
check "a token without --scope is a usage error" [ $? -eq 2 ]
bs token list >"$tmp/out"
check "token list shows names and scopes" grep -q "^reader *read " "$tmp/out"
check "token list never shows a token" sh -c "! grep -q bst_ '$tmp/out'"
check "the store holds no token text" sh -c "! grep -aq \"\$(cat '$tmp/tok_read')\" '$db'"
bs token add temp --scope read >/dev/null 2>&1
bs token remove temp >/dev/null
check "token remove" sh -c "! \"$BOOKSYNC\" --db '$db' token list | grep -q '^temp '"
bs token remove temp >/dev/null 2>&1
check "removing a missing token exits 1" [ $? -eq 1 ]
"$BOOKSYNC" --db "$tmp/missing.db" serve --listen 127.0.0.1:0 >/dev/null 2>&1
check "serve without a store exits 4" [ $? -eq 4 ]
bs serve --listen 127.0.0.1:99999 >/dev/null 2>&1
check "serve on a bad address exits 2" [ $? -eq 2 ]
bs serve --listen 127.0.0.1:0 --today 2026-02-30 >/dev/null 2>&1
check "serve with a bad --today exits 2" [ $? -eq 2 ]
bs serve --help >"$tmp/out"
check "serve --help documents --listen" grep -q -- "--listen ADDR:PORT" "$tmp/out"

# --- the server
# not through bs(): a function run with & is a subshell, and its pid not booksync's
"$BOOKSYNC" --db "$db" serve --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
sbpid=$!
i=0
while [ ! -s "$tmp/serve.out" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
U=$(head -n 1 "$tmp/serve.out")
case "$U" in
http://127.0.0.1:[0-9]*) ok "the first line is the URL ($U)" ;;
*) cat "$tmp/serve.err"; bail "no URL from serve: '$U'" ;;
esac
R=$(cat "$tmp/tok_read")
A=$(cat "$tmp/tok_admin")
J='Content-Type: application/json'

# code METHOD PATH [CURL ARGS...]: the HTTP status
code() {
	m=$1
	p=$2
	shift 2
	curl -s -o "$tmp/body" -w '%{http_code}' -X "$m" "$@" "$U$p"
}

c=$(code GET /api/v1/healthz)
check "healthz 200 without credentials (got $c)" [ "$c" = 200 ]
check "  says ok" grep -q '"status":"ok"' "$tmp/body"
curl -s -D "$tmp/hdr" -o /dev/null "$U/api/v1/healthz"
check "CSP without inline script" grep -qi "^Content-Security-Policy: .*script-src 'self'" "$tmp/hdr"
check "  and no 'unsafe-inline'" sh -c "! grep -qi 'unsafe-inline' '$tmp/hdr'"
check "X-Frame-Options: DENY" grep -qi "^X-Frame-Options: DENY" "$tmp/hdr"
check "X-Content-Type-Options: nosniff" grep -qi "^X-Content-Type-Options: nosniff" "$tmp/hdr"
check "Referrer-Policy: no-referrer" grep -qi "^Referrer-Policy: no-referrer" "$tmp/hdr"
check "Cache-Control: no-store on /api" grep -qi "^Cache-Control: no-store" "$tmp/hdr"
curl -s -D "$tmp/hdr" -o /dev/null "$U/api/v1/nothing-here"
check "security headers on a 404 too" grep -qi "^X-Frame-Options: DENY" "$tmp/hdr"

c=$(code GET /api/v1/users)
check "no token: 401 (got $c)" [ "$c" = 401 ]
check "  in the error shape" grep -q '"error":{"status":401' "$tmp/body"
c=$(code GET /api/v1/users -H "Authorization: Bearer bst_not-a-real-token")
check "a bad token: 401 (got $c)" [ "$c" = 401 ]
c=$(code GET /api/v1/users -H "Authorization: Bearer ${R%?}x")
check "a token off by one character: 401 (got $c)" [ "$c" = 401 ]
c=$(code GET /api/v1/users -H "Authorization: Bearer $R")
check "the wrong scope: 403 (got $c)" [ "$c" = 403 ]
check "  naming the scope" grep -q "'admin'" "$tmp/body"
c=$(code GET /api/v1/users -H "Authorization: Bearer $A")
check "the right scope: 200 (got $c)" [ "$c" = 200 ]
check "  listing ann" grep -q '"name":"ann"' "$tmp/body"
c=$(code PUT /api/v1/users -H "Authorization: Bearer $A")
check "a wrong method: 405 (got $c)" [ "$c" = 405 ]
c=$(code GET /api/v1/nothing-here)
check "an unknown endpoint: 404 (got $c)" [ "$c" = 404 ]

# --- logging in, bodies
c=$(code POST /api/v1/session -H "$J" --data '{"name":"ann","password":')
check "malformed JSON: 400 (got $c)" [ "$c" = 400 ]
c=$(code POST /api/v1/session -H "$J" --data '{"name":"ann"}')
check "a missing password: 400 (got $c)" [ "$c" = 400 ]
check "  naming the parameter" grep -q '"param":"password"' "$tmp/body"
c=$(code POST /api/v1/session --data '{"name":"ann","password":"correct horse"}')
check "a login that is not JSON: 415 (got $c)" [ "$c" = 415 ]
head -c 100000 /dev/zero | tr '\0' 'a' >"$tmp/100k"
c=$(code POST /api/v1/session -H "$J" --data-binary @"$tmp/100k")
check "a 100 KB body where 64 KiB is the limit: 413 (got $c)" [ "$c" = 413 ]
head -c 9000000 /dev/zero | tr '\0' 'a' >"$tmp/9m"
c=$(code POST /api/v1/session -H "$J" --data-binary @"$tmp/9m")
check "a 9 MB body: 413 (got $c)" [ "$c" = 413 ]
c=$(code POST /api/v1/session -H "$J" -H "Transfer-Encoding: chunked" --data-binary @"$tmp/9m")
check "a 9 MB chunked body: 413 (got $c)" [ "$c" = 413 ]

c=$(code POST /api/v1/session -H "$J" -c "$tmp/jar" -D "$tmp/hdr" \
	--data '{"name":"ann","password":"correct horse"}')
check "login: 200 (got $c)" [ "$c" = 200 ]
check "  the cookie is HttpOnly and SameSite=Strict" \
	grep -qi "^Set-Cookie: bs_session=.*HttpOnly; SameSite=Strict" "$tmp/hdr"
check "  not Secure over plain HTTP" sh -c "! grep -qi '^Set-Cookie:.*Secure' '$tmp/hdr'"
CSRF=$(sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p' "$tmp/body")
check "  with a CSRF token" [ ${#CSRF} -eq 43 ]
c=$(code GET /api/v1/session -b "$tmp/jar")
check "the session cookie authenticates (got $c)" [ "$c" = 200 ]
c=$(code GET /api/v1/users -b "$tmp/jar")
check "a session holds every scope (got $c)" [ "$c" = 200 ]
c=$(code POST /api/v1/users -b "$tmp/jar" -H "$J" --data '{"name":"cat","password":"long enough"}')
check "a session's POST without X-CSRF-Token: 403 (got $c)" [ "$c" = 403 ]
c=$(code POST /api/v1/users -b "$tmp/jar" -H "$J" -H "X-CSRF-Token: wrong" \
	--data '{"name":"cat","password":"long enough"}')
check "a wrong X-CSRF-Token: 403 (got $c)" [ "$c" = 403 ]
c=$(code POST /api/v1/users -b "$tmp/jar" -H "$J" -H "X-CSRF-Token: $CSRF" \
	--data '{"name":"cat","password":"long enough"}')
check "with the CSRF token: 201 (got $c)" [ "$c" = 201 ]
c=$(code DELETE /api/v1/users/cat -b "$tmp/jar")
check "a session's DELETE without X-CSRF-Token: 403 (got $c)" [ "$c" = 403 ]
c=$(code DELETE /api/v1/users/cat -b "$tmp/jar" -H "X-CSRF-Token: $CSRF")
check "  with it: 204 (got $c)" [ "$c" = 204 ]
c=$(code DELETE /api/v1/session -b "$tmp/jar" -H "X-CSRF-Token: $CSRF")
check "logout: 204 (got $c)" [ "$c" = 204 ]
c=$(code GET /api/v1/session -b "$tmp/jar")
check "  the session is over (got $c)" [ "$c" = 401 ]

# --- the embedded files and path traversal
c=$(code GET /robots.txt)
check "an embedded file: 200 (got $c)" [ "$c" = 200 ]
for p in "/../../../../etc/passwd" "/%2e%2e/%2e%2e/%2e%2e/etc/passwd" \
	"/..%2f..%2f..%2fetc%2fpasswd" "/%2e%2e%2f%2e%2e%2fetc%2fpasswd" "/..%5c..%5cetc%5cpasswd" \
	"/.%2e/CMakeLists.txt" "/CMakeLists.txt" "/src/api/api_core.c" "/web/robots.txt" \
	"//etc/passwd" "/robots.txt%00.html"; do
	c=$(code GET "$p" --path-as-is)
	check "traversal $p: 404 or 400 (got $c)" sh -c "[ $c = 404 ] || [ $c = 400 ]"
	check "  and no file content" sh -c "! grep -q 'root:' '$tmp/body'"
done

# --- the lockout: 10 failures in 15 minutes, then 429 even for the right password
i=0
while [ $i -lt 10 ]; do
	code POST /api/v1/session -H "$J" --data '{"name":"ann","password":"wrong guess"}' \
		>"$tmp/c"
	[ "$(cat "$tmp/c")" = 401 ] || nok "failed login $i: $(cat "$tmp/c")"
	i=$((i + 1))
done
c=$(code POST /api/v1/session -H "$J" -D "$tmp/hdr" \
	--data '{"name":"ann","password":"correct horse"}')
check "the 11th login within 15 minutes: 429 (got $c)" [ "$c" = 429 ]
check "  with Retry-After" grep -qi "^Retry-After: [0-9]" "$tmp/hdr"
check "  saying when to retry" grep -q "try again in" "$tmp/body"
c=$(code GET /api/v1/users -H "Authorization: Bearer $A")
check "tokens still work during a lockout (got $c)" [ "$c" = 200 ]

# --- SIGTERM stops it cleanly
kill -TERM "$sbpid"
wait "$sbpid"
rc=$?
sbpid=
check "SIGTERM: exit 0 (got $rc)" [ "$rc" -eq 0 ]
c=$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/healthz")
check "  and nothing listens any more (got $c)" [ "$c" = 000 ]
finish
