#!/bin/sh
# cli_store.sh - what the CLI does with the store file itself: an empty,
# foreign or corrupt file, a read-only store in a read-only directory, and
# an empty --db.  Exit codes and messages per README's contract.
set -u
B=${BOOKSYNC:?BOOKSYNC must name the booksync binary}
T=$(mktemp -d /tmp/bs-store-XXXXXX)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
fails=0
pass=0

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect CODE CMD...: run, keep stdout/stderr in $T/out $T/err, check exit code
expect() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "'$*' exited $got, want $want"
		sed 's/^/  out: /' "$T/out" >&2; sed 's/^/  err: /' "$T/err" >&2
		return 1
	fi
	ok
}
has() { # has FILE TEXT
	if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks '$2'"; sed 's/^/  | /' "$1" >&2; fi
}
same() { # same FILE COPY: the command left the file as it was
	if cmp -s "$1" "$2"; then ok; else bad "$1 was changed"; fi
}

printf '%s\n' '{"kind":"customer","id":"C-1","name":"Aroha Ltd"}' >"$T/one.jsonl"
awk 'BEGIN { for (i = 1; i <= 3000; i++)
	printf "{\"kind\":\"customer\",\"id\":\"C-%d\",\"name\":\"Customer %d\"}\n", i, i }' \
	>"$T/many.jsonl"

# --- an empty --db is a usage error ------------------------------------------
expect 2 "$B" --db "" pending && has "$T/err" "--db needs a PATH"
expect 2 "$B" --db= import "$T/one.jsonl"

# --- an empty file is no store: only init makes it one -------------------------
: >"$T/empty.db"
expect 4 "$B" --db "$T/empty.db" import "$T/one.jsonl" && has "$T/err" "not a booksync store"
has "$T/err" "booksync init"
expect 4 "$B" --db "$T/empty.db" pending && has "$T/err" "not a booksync store"
if [ -s "$T/empty.db" ]; then bad "import wrote into the empty file"; else ok; fi
if [ -e "$T/empty.db.key" ]; then bad "import made a key file for the empty file"; else ok; fi
expect 0 "$B" --db "$T/empty.db" init && has "$T/out" "schema version"
expect 0 "$B" --db "$T/empty.db" import "$T/one.jsonl" && has "$T/out" "1 new"

# --- a foreign file is refused, even by init, and left alone -----------------
printf 'name,email\nx,y\n' >"$T/text.db"
cp "$T/text.db" "$T/text.copy"
expect 4 "$B" --db "$T/text.db" init && has "$T/err" "not a booksync store"
same "$T/text.db" "$T/text.copy"
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$T/other.db" "CREATE TABLE invoices(id, total); INSERT INTO invoices VALUES(1, 2)"
	cp "$T/other.db" "$T/other.copy"
	expect 4 "$B" --db "$T/other.db" init && has "$T/err" "not a booksync store"
	expect 4 "$B" --db "$T/other.db" import "$T/one.jsonl"
	same "$T/other.db" "$T/other.copy"
	# a store from before the mark still opens, and gets the mark
	sqlite3 "$T/empty.db" "PRAGMA application_id = 0"
	expect 0 "$B" --db "$T/empty.db" pending && has "$T/out" "Total"
	id=$(sqlite3 "$T/empty.db" "PRAGMA application_id")
	if [ "$id" -ne 0 ]; then ok; else bad "an unmarked store was not marked on open"; fi
else
	echo "# SKIP foreign SQLite file: no sqlite3 shell"
fi

# --- a corrupt store: init and the writing commands refuse it ----------------
db="$T/c.db"
expect 0 "$B" --db "$db" init
expect 0 "$B" --db "$db" import --quiet "$T/many.jsonl"
size=$(wc -c <"$db")
# 12 KiB of garbage in the middle, as a bad disk or a stray write leaves it
yes garbage | head -c 12288 | dd of="$db" bs=4096 seek=$((size / 8192)) conv=notrunc 2>/dev/null
cp "$db" "$T/c.copy"
expect 4 "$B" --db "$db" init && has "$T/err" "corrupt"
expect 4 "$B" --db "$db" import "$T/one.jsonl" && has "$T/err" "corrupt"
expect 4 "$B" --db "$db" settings invoice_status DRAFT && has "$T/err" "corrupt"
expect 4 "$B" --db "$db" reset C-1 && has "$T/err" "corrupt"
same "$db" "$T/c.copy"

# --- a read-only store in a read-only directory: the read commands work -----
# Root ignores directory permissions, so this needs an unprivileged user.
if [ "$(id -u)" -ne 0 ]; then
	as_user() { "$@"; }
elif command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	as_user() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$@"; }
elif id nobody >/dev/null 2>&1; then
	as_user() { su -s /bin/sh nobody -c 'exec "$0" "$@"' "$@"; }
else
	as_user() { return 125; }
fi
mkdir "$T/ro"
expect 0 "$B" --db "$T/ro/s.db" init
expect 0 "$B" --db "$T/ro/s.db" import "$T/one.jsonl"
ls "$T/ro" >"$T/ls.before"
chmod 755 "$T"
chmod 444 "$T/ro/s.db"
chmod 555 "$T/ro"
if ! as_user "$B" --version >/dev/null 2>&1 || ! as_user test -r "$T/ro/s.db"; then
	echo "# SKIP read-only directory: no unprivileged user can run $B here"
elif as_user sh -c ': >"$1/x"' sh "$T/ro" 2>/dev/null; then
	echo "# SKIP read-only directory: the test user can write $T/ro"
else
	ro="file:$T/ro/s.db?mode=ro"
	expect 0 as_user "$B" --db "$ro" pending && has "$T/out" "Total"
	expect 0 as_user "$B" --db "$ro" pending --json
	expect 0 as_user "$B" --db "$ro" history C-1 && has "$T/out" "customer:C-1"
	expect 0 as_user "$B" --db "$ro" errors
	expect 0 as_user "$B" --db "$ro" settings && has "$T/out" "invoice_status"
	expect 0 as_user "$B" --db "$T/ro/s.db" pending && has "$T/out" "Total"
	printf '%s\n' '{"kind":"customer","id":"C-2","name":"New"}' >"$T/two.jsonl"
	chmod 644 "$T/two.jsonl"
	expect 4 as_user "$B" --db "$ro" import "$T/two.jsonl" && has "$T/err" "read-only"
	ls "$T/ro" >"$T/ls.after"
	same "$T/ls.after" "$T/ls.before"
fi

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
