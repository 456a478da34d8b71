#!/bin/sh
# cli_import.sh - booksync's CLI as a user meets it: init, import (good and
# bad input of every kind), re-import, changes, pending, history, reset,
# settings; exit codes and messages per docs/architecture.md "Command line".
set -u
B=${BOOKSYNC:?BOOKSYNC must name the booksync binary}
SRC=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/bs-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
export BOOKSYNC_DB="$T/s.db"
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

# --- front door -------------------------------------------------------------
expect 0 "$B" --help && has "$T/out" "import"
expect 0 "$B" import --help && has "$T/out" "--kind"
expect 2 "$B" frobnicate && has "$T/err" "unknown command"
expect 4 "$B" pending && has "$T/err" "booksync init"
expect 0 "$B" init && has "$T/out" "schema version"
expect 0 "$B" init
expect 2 "$B" import && has "$T/err" "FILE"
expect 2 "$B" import --format xml x.json

# --- good records -------------------------------------------------------------
cat >"$T/good.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd","email":"a@example.com"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-10-01","invoiced":true,"currency":"NZD","tax_mode":"exclusive","lines":[{"sku":"W-1","qty":"2","unit_price":"10.005","tax_rate":"15"}]}
{"kind":"sale","id":"SO-2","reference":"SO-2","customer_id":"C-404","date":"2026-10-02","invoiced":true,"lines":[{"description":"Service","qty":1,"unit_price":50.00,"tax_rate":15}]}

{"kind":"payment","id":"P-1","sale_id":"SO-1","date":"2026-10-03","amount":"23.01","account":"090"}
J
expect 0 "$B" import "$T/good.jsonl" && has "$T/out" "4 records: 4 new"
expect 0 "$B" import "$T/good.jsonl" && has "$T/out" "4 unchanged"
expect 0 "$B" pending && has "$T/out" "No ledger connected"
has "$T/out" "Sales > Invoices"
expect 0 "$B" pending --tab invoices && has "$T/out" "SO-2"
has "$T/out" "customer_id C-404"
expect 0 "$B" pending --json
has "$T/out" '"total": 4'
expect 2 "$B" pending --tab payments && has "$T/err" "ambiguous"

# a changed record becomes pending again; a stale version is ignored
sed 's/"Aroha Ltd"/"Aroha Limited"/' "$T/good.jsonl" >"$T/changed.jsonl"
expect 0 "$B" import "$T/changed.jsonl" && has "$T/out" "1 changed"
printf '%s\n' '{"kind":"customer","id":"C-9","version":3,"name":"V3"}' >"$T/v3.jsonl"
printf '%s\n' '{"kind":"customer","id":"C-9","version":2,"name":"V2"}' >"$T/v2.jsonl"
printf '%s\n' '{"kind":"customer","id":"C-9","version":3,"name":"Other"}' >"$T/v3b.jsonl"
expect 0 "$B" import "$T/v3.jsonl"
expect 0 "$B" import "$T/v2.jsonl" && has "$T/out" "1 stale"
expect 1 "$B" import "$T/v3b.jsonl" && has "$T/err" "version 3 is already stored"

# --- bad records: listed with file, line, field; the good ones kept ----------
cat >"$T/bad.jsonl" <<'J'
{"kind":"customer","id":"C-2","name":"Good One"}
{"kind":"customer","id":"C-3","name":
{"kind":"sale","id":"SO-3","lines":[{"sku":"A","qty":"1","unit_price":"12.3x"}]}
{"kind":"sale","id":"SO-4","lines":[{"sku":"A","qty":"1","unit_price":"1.1234567"}]}
{"kind":"gizmo","id":"G-1"}
{"kind":"sale","id":"SO-5","tax_mode":"none","total":"99.00","lines":[{"sku":"A","qty":"1","unit_price":"10"}]}
{"kind":"payment","id":"P-2","sale_id":"","amount":"1.00"}
{"kind":"customer","id":"C-4","name":{"first":"Jo"}}
{"kind":"customer","id":"C-5","name":"Last Good"}
J
printf '{"kind":"customer","id":"C-6","name":"bad \377 utf8"}\n' >>"$T/bad.jsonl"
expect 1 "$B" import "$T/bad.jsonl"
has "$T/out" "10 records: 2 new"
has "$T/err" "bad.jsonl: line 2:"
has "$T/err" 'line 3: sale SO-3 line 1: unit_price "12.3x"'
has "$T/err" "line 4: sale SO-4 line 1: unit_price"
has "$T/err" "line 5:"
has "$T/err" "gizmo"
has "$T/err" "line 6: sale SO-5"
has "$T/err" "total"
has "$T/err" "line 7: payment P-2"
has "$T/err" "line 8: customer C-4"
has "$T/err" "line 10:"
has "$T/err" "8 records rejected"
expect 0 "$B" history customer:C-5 && has "$T/out" "customer:C-5"
expect 1 "$B" history sale:SO-3 && has "$T/err" "no record"

# an overlong line is rejected without stopping the rest
{ printf '{"kind":"customer","id":"C-L","name":"'; head -c 5000 /dev/zero | tr '\0' 'x'; printf '"}\n'
  printf '%s\n' '{"kind":"customer","id":"C-7","name":"After Long"}'; } >"$T/long.jsonl"
expect 1 "$B" import --max-line 1024 "$T/long.jsonl" && has "$T/err" "line 1:"
has "$T/out" "1 new"

# CSV: quotes, embedded newline, CRLF, BOM; unbalanced quote rejected
printf '\357\273\277id,name,address.city\r\nCU-1,"Smith, ""Jo""",Auckland\r\nCU-2,"Two\nLines",Wellington\r\n' >"$T/customers.csv"
expect 0 "$B" import "$T/customers.csv" && has "$T/out" "2 new"
printf 'id,name\nCU-3,"never closed\nCU-4,fine\n' >"$T/suppliers.csv"
expect 1 "$B" import "$T/suppliers.csv" && has "$T/err" "quote"

# issue 15 item 2: a record's CSV rows apart (S1, S1, S2, S1) -- the later
# run is refused naming both runs, never silently replacing the first
printf 'id,customer_id,lines.sku,lines.qty,lines.unit_price\nSA-1,C-1,a,1,1.00\nSA-1,C-1,b,1,2.00\nSA-2,C-1,x,1,9.00\nSA-1,C-1,c,1,4.00\n' >"$T/sales.csv"
expect 1 "$B" import "$T/sales.csv" && has "$T/out" "3 records: 2 new, 0 changed"
has "$T/out" "1 rejected"
has "$T/err" "sales.csv: line 5: the row of id SA-1 at line 5 is apart from its rows from line 2"
# SA-1 is its first run (a + b = 3.00), not the later row (c, 4.00)
expect 0 "$B" pending --tab invoices
if grep -qE 'SA-1 +3\.00 ' "$T/out"; then ok; else bad "SA-1 is not 3.00"; sed 's/^/  | /' "$T/out" >&2; fi

# issue 15 item 4: both journal columns filled, the unused one 0 (CSV "0",
# JSON "0.00" and 0): a zero side is absent; two non-zero or two zeros are not
printf 'id,reference,lines.account,lines.debit,lines.credit\nJ-1,Both,429,25.00,0\nJ-1,Both,090,0,25.00\n' >"$T/journals.csv"
expect 0 "$B" import "$T/journals.csv" && has "$T/out" "1 new"
cat >"$T/journals.jsonl" <<'J'
{"kind":"journal","id":"J-2","lines":[{"account":"429","debit":"5.00","credit":"0.00"},{"account":"090","debit":0,"credit":"5"}]}
{"kind":"journal","id":"J-3","lines":[{"account":"429","debit":"5","credit":"5"},{"account":"090","credit":"5"}]}
{"kind":"journal","id":"J-4","lines":[{"account":"429","debit":"0","credit":0}]}
J
expect 1 "$B" import "$T/journals.jsonl" && has "$T/out" "3 records: 1 new"
has "$T/err" "line 2: journal J-3 line 1: needs exactly one of debit, credit"
has "$T/err" "line 3: journal J-4 line 1: needs one of debit, credit (both are 0)"

# issue 15 item 9: money as text is plain decimal; a JSON number keeps JSON's
# own grammar (an exponent is fine there)
cat >"$T/money.jsonl" <<'J'
{"kind":"payment","id":"PM-1","sale_id":"SO-1","amount":"1e3","account":"090"}
{"kind":"payment","id":"PM-2","sale_id":"SO-1","amount":"+12.30","account":"090"}
{"kind":"payment","id":"PM-3","sale_id":"SO-1","amount":".5","account":"090"}
{"kind":"payment","id":"PM-4","sale_id":"SO-1","amount":"5.","account":"090"}
{"kind":"payment","id":"PM-5","sale_id":"SO-1","amount":1e1,"account":"090"}
J
printf 'id,sale_id,amount\nPM-6,SO-1,1E2\nPM-7,SO-1,12.30\n' >"$T/payments.csv"
expect 1 "$B" import "$T/money.jsonl" "$T/payments.csv"
has "$T/err" 'line 1: payment PM-1: amount "1e3" is not a decimal'
has "$T/err" 'line 2: payment PM-2: amount "+12.30" is not a decimal'
has "$T/err" 'line 3: payment PM-3: amount ".5" is not a decimal'
has "$T/err" 'line 4: payment PM-4: amount "5." is not a decimal'
has "$T/err" 'payments.csv: line 2: payment PM-6: amount "1E2" is not a decimal'
has "$T/out" "money.jsonl: 5 records: 1 new"
has "$T/out" "payments.csv: 2 records: 1 new"

# the same three from examples/bad (each says what, where)
expect 1 "$B" import "$SRC/examples/bad/rows_apart.csv" \
	"$SRC/examples/bad/journal_sides.csv" "$SRC/examples/bad/money_text.jsonl"
has "$T/err" "rows_apart.csv: line 5: the row of id BAD-PO-1 at line 5 is apart from its rows from line 2"
has "$T/err" "journal_sides.csv: line 4: journal BAD-JNL-11 line 1: needs exactly one of debit, credit"
has "$T/err" "journal_sides.csv: line 6: journal BAD-JNL-12 line 1: needs one of debit, credit (both are 0)"
has "$T/err" 'money_text.jsonl: line 1: payment BAD-PAY-60: amount "1e1" is not a decimal'
has "$T/err" "7 records rejected"

# unreadable input: exit 2, nothing written
expect 2 "$B" import "$T/no-such-file.jsonl" && has "$T/err" "no-such-file.jsonl"
printf 'name,email\nx,y\n' >"$T/noid.csv"
expect 2 "$B" import "$T/noid.csv" && has "$T/err" "id"

# the worst code wins across files: rejected (1) + unreadable (2) = 2
expect 2 "$B" import "$T/bad.jsonl" "$T/no-such-file.jsonl"

# a read-only store: exit 4, clear message, nothing written (re-importing
# unchanged records writes nothing, so that alone still succeeds)
printf '%s\n' '{"kind":"customer","id":"C-RO","name":"New"}' >"$T/new.jsonl"
expect 0 "$B" --db "file:$T/s.db?mode=ro" import "$T/v3.jsonl"
expect 4 "$B" --db "file:$T/s.db?mode=ro" import "$T/new.jsonl" && has "$T/err" "read-only"
expect 1 "$B" history customer:C-RO

# --- reset, settings ----------------------------------------------------------
expect 0 "$B" reset SO-1 && has "$T/out" "no ledger is connected"
expect 1 "$B" reset nothing-here && has "$T/err" "no record"
expect 0 "$B" settings && has "$T/out" "invoice_status"
expect 0 "$B" settings invoice_status DRAFT
expect 0 "$B" settings invoice_status && has "$T/out" "DRAFT"
expect 2 "$B" settings invoice_status PAID && has "$T/err" "AUTHORISED|DRAFT"
expect 2 "$B" settings no_such && has "$T/err" "unknown setting"
expect 0 "$B" settings --unset invoice_status
expect 0 "$B" settings invoice_status && has "$T/out" "AUTHORISED"
# a count's value may begin with '-': it is a value, checked, not an option
for v in -5 0 1.5 -x; do
	expect 2 "$B" settings limits.per_minute "$v" &&
		has "$T/err" "limits.per_minute: '$v' is not a positive whole number"
	if grep -q "unknown option" "$T/err"; then bad "'$v' taken for an option"; else ok; fi
done
expect 2 "$B" settings limits.per_minute 1234567890 && has "$T/err" "from 1 to 999999999"
# refused values left it unset: the ledger's own limit (Xero 60, QBO 500)
expect 0 "$B" settings limits.per_minute
if [ -n "$(tr -d "\n" <"$T/out")" ]; then bad "refused values set limits.per_minute: $(cat "$T/out")"; else ok; fi
expect 0 "$B" settings limits.per_minute 30
expect 0 "$B" settings limits.per_minute && has "$T/out" "30"
expect 2 "$B" settings --bogus limits.per_minute && has "$T/err" "unknown option '--bogus'"
expect 2 "$B" settings --unset limits.per_minute -5 && has "$T/err" "unknown option '-5'"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
