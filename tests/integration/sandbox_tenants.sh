#!/bin/sh
# sandbox_tenants.sh - sandboxes with many organisations (docs/sandbox.md
# "Several organisations"): `sandbox xero --tenants 3` lists its three
# tenants in GET /connections with the ids derived from their index; one
# booksync store connects to tenants 2 and 3 (two targets), syncs some sales
# to each, and each tenant then holds exactly the invoices and contacts
# booksync linked on its target, tenant 1 none (read back through the API as
# a second app would).  The limits hold across tenants: app-minute counts
# every tenant's calls, minute one tenant's, GET /sandbox/counters says so
# per tenant.  The same for `sandbox qbo --companies 3`: `connect qbo
# --tenant REALM` picks each company, each holds its own invoices, the
# default company none, a grant's token is its company's.  Last, 2,000
# tenants start at once and the last one can be connected and synced.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u
. "$(dirname "$0")/lib/qbo_lib.sh"

ID2=b5000000-0000-4000-8000-000000000002
ID3=b5000000-0000-4000-8000-000000000003
R1=9341453050071234
R2=9341453050100002
R3=9341453050100003

cat >"$T/sales.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"customer","id":"C-2","name":"Kowhai Cafe"}
{"kind":"customer","id":"C-3","name":"Rata Books"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"A","qty":"1","unit_price":"100.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-2","reference":"SO-2","customer_id":"C-2","date":"2026-11-01","invoiced":true,"tax_mode":"none","lines":[{"description":"B","qty":"2","unit_price":"25.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-3","reference":"SO-3","customer_id":"C-3","date":"2026-11-02","invoiced":true,"tax_mode":"none","lines":[{"description":"C","qty":"1","unit_price":"80.00","tax_rate":"0"}]}
{"kind":"sale","id":"SO-4","reference":"SO-4","customer_id":"C-1","date":"2026-11-03","invoiced":true,"tax_mode":"none","lines":[{"description":"D","qty":"1","unit_price":"40.00","tax_rate":"0"}]}
J

# linked TARGET TYPE: the ledger ids booksync linked on TARGET, sorted, one line
linked() {
	sqlite3 "$BOOKSYNC_DB" "SELECT ledger_id FROM links WHERE target = '$1'
		AND ledger_type = '$2' ORDER BY ledger_id" | tr '\n' ' '
}
# xids TENANT KIND IDFIELD: the ids of KIND the Xero tenant holds, sorted, one line
xids() {
	X_TEN=$1
	xget "$2" | jv "(j.$2 || []).map(d => d.$3).sort().join(' ') + ' '"
}

# --- Xero: three tenants, one store on two of them ---------------------------------
sb_start --tenants 3 --limits off
XU=$SB_URL
xlogin "$XU"
curl -s -H "Authorization: Bearer $X_TOK" "$XU/connections" >"$T/conns.json"
eq "connections" "$(jv j.length <"$T/conns.json")" 3
eq "tenant 2's id" "$(jv 'j[1].tenantId' <"$T/conns.json")" "$ID2"
eq "tenant 3's name" "$(jv 'j[2].tenantName' <"$T/conns.json")" "Booksync Demo 3"
X1=$(jv 'j[0].tenantId' <"$T/conns.json")

fresh_store xero
expect 0 "$B" import "$T/sales.jsonl"
# a grant covering three tenants: connect must be told which
expect 2 "$B" connect xero --base-url "$XU" </dev/null
has "$T/err" "$ID3"
expect 0 "$B" connect xero --base-url "$XU" --tenant "$ID2" </dev/null
has "$T/out" "Booksync Demo 2"
expect 0 "$B" connect xero --base-url "$XU" --tenant "$ID3" </dev/null
eq "two targets" "$(sqlite3 "$BOOKSYNC_DB" "SELECT group_concat(id, ' ') FROM
	(SELECT id FROM targets ORDER BY id)")" "xero:$ID2 xero:$ID3"
# tenant 2 gets two of the sales, tenant 3 all four
bs_sync --target "xero:$ID2" --tab invoices --select SO-1 SO-2
eq "tenant 2: exit" "$bs_rc" 0
eq "tenant 2: posted" "$(jv j.posted <"$T/sync.json")" 4
bs_sync --target "xero:$ID3" --everything
eq "tenant 3: exit" "$bs_rc" 0
eq "tenant 3: posted" "$(jv j.posted <"$T/sync.json")" 7

for tn in "$ID2" "$ID3"; do
	eq "tenant $tn: its invoices" "$(xids "$tn" Invoices InvoiceID)" "$(linked "xero:$tn" Invoice)"
	eq "tenant $tn: its contacts" "$(xids "$tn" Contacts ContactID)" "$(linked "xero:$tn" Contact)"
done
X_TEN=$ID2
eq "tenant 2: references" "$(xq Invoices "j.Invoices.map(i => i.Reference).sort().join(' ')")" "SO-1 SO-2"
X_TEN=$ID3
eq "tenant 3: references" "$(xq Invoices "j.Invoices.map(i => i.Reference).sort().join(' ')")" "SO-1 SO-2 SO-3 SO-4"
eq "tenant 1: no invoices" "$(xids "$X1" Invoices InvoiceID)" " "
eq "tenant 1: no contacts" "$(xids "$X1" Contacts ContactID)" " "
curl -s "$XU/sandbox/counters" >"$T/counters.json"
eq "tenant 1: the reader's two calls only" "$(jv 'j.tenants[0].calls' <"$T/counters.json")" 2
sb_stop

# --- Xero limits across tenants --------------------------------------------------
# status TENANT: the HTTP status of one GET Organisation as the reader app
status() {
	curl -s -o /dev/null -D "$T/hdr" -w '%{http_code}' -H "Authorization: Bearer $X_TOK" \
		-H "xero-tenant-id: $1" "$X_URL/api.xro/2.0/Organisation"
}
problem() { sed -n 's/^X-Rate-Limit-Problem: *\([A-Za-z]*\).*/\1/p' "$T/hdr"; }

sb_start --tenants 3 --limits app-minute=6,minute=1000
xlogin "$SB_URL"
got=
for tn in "$X_TEN" "$ID2" "$ID3" "$X_TEN" "$ID2" "$ID3"; do got="$got$(status "$tn") "; done
eq "six calls over three tenants" "$got" "200 200 200 200 200 200 "
for tn in "$X_TEN" "$ID2" "$ID3"; do
	eq "the seventh, to any tenant" "$(status "$tn")" 429
	eq "  says why" "$(problem)" AppMinute
done
curl -s "$SB_URL/sandbox/counters" >"$T/counters.json"
eq "app-minute calls" "$(jv j.app_minute_calls <"$T/counters.json")" 6
eq "calls per tenant" "$(jv "j.tenants.map(t => t.calls + '/' + t.rate_limited).join(' ')" <"$T/counters.json")" "2/1 2/1 2/1"
sb_stop

sb_start --tenants 3 --limits minute=2,app-minute=1000
xlogin "$SB_URL"
eq "tenant 2: two calls" "$(status "$ID2") $(status "$ID2")" "200 200"
eq "tenant 2: the third" "$(status "$ID2")" 429
eq "  says why" "$(problem)" Minute
eq "tenant 3: its own minute" "$(status "$ID3")" 200
eq "tenant 1: its own minute" "$(status "$X_TEN")" 200
sb_stop

# --- QBO: three companies, one store on two of them ------------------------------
# qtoken REALM: a second app's grant for company REALM (the authorize page
# picks it from realmId=), its access token on stdout
qtoken() {
	loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
		"$QU/connect/oauth2?response_type=code&client_id=other&redirect_uri=http://127.0.0.1:9/cb&scope=com.intuit.quickbooks.accounting&state=x&realmId=$1")
	code=$(printf '%s\n' "$loc" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
	curl -s -u other:secret -d grant_type=authorization_code -d "code=$code" \
		-d redirect_uri=http://127.0.0.1:9/cb "$QU/oauth2/v1/tokens/bearer" | jv j.access_token
}
# qids REALM ENTITY: the Ids of ENTITY company REALM holds, sorted, one line
qids() {
	curl -s -H "Authorization: Bearer $(qtoken "$1")" -H "Accept: application/json" \
		"$QU/v3/company/$1/query?query=select%20*%20from%20$2" |
		jv "((j.QueryResponse || {}).$2 || []).map(d => d.Id).sort().join(' ') + ' '"
}

qsb_start --companies 3 --limits off
QU=$QSB_URL
curl -s "$QU/sandbox/tenants" >"$T/companies.json"
eq "companies" "$(jv "j.map(c => c.tenantId).join(' ')" <"$T/companies.json")" "$R1 $R2 $R3"
fresh_store qbo
expect 0 "$B" import "$T/sales.jsonl"
expect 0 "$B" connect qbo --base-url "$QU" --tenant "$R2" </dev/null
has "$T/out" "Booksync Demo 2"
expect 0 "$B" connect qbo --base-url "$QU" --tenant "$R3" </dev/null
has "$T/out" "qbo:$R3"
expect 3 "$B" connect qbo --base-url "$QU" --tenant 9341453050100009 </dev/null
bs_sync --target "qbo:$R2" --tab invoices --select SO-3
eq "company 2: exit" "$bs_rc" 0
bs_sync --target "qbo:$R3" --everything
eq "company 3: exit" "$bs_rc" 0
for r in "$R2" "$R3"; do
	eq "company $r: its invoices" "$(qids "$r" Invoice)" "$(linked "qbo:$r" Invoice)"
	eq "company $r: its customers" "$(qids "$r" Customer)" "$(linked "qbo:$r" Contact)"
done
eq "company 2: one invoice" "$(linked "qbo:$R2" Invoice | wc -w | tr -d ' ')" 1
eq "company 3: four invoices" "$(linked "qbo:$R3" Invoice | wc -w | tr -d ' ')" 4
eq "company 1: no invoices" "$(qids "$R1" Invoice)" " "
eq "company 1: no customers" "$(qids "$R1" Customer)" " "
# a grant's token is its company's only
tok=$(qtoken "$R2")
eq "company 2's token on company 3" "$(curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $tok" "$QU/v3/company/$R3/companyinfo/$R3")" 403
curl -s "$QU/sandbox/counters" >"$T/counters.json"
eq "company 1: the reader's two calls only" "$(jv 'j.tenants[0].calls' <"$T/counters.json")" 2
qsb_stop

# --- 2,000 tenants ----------------------------------------------------------------
t0=$(date +%s)
sb_start --tenants 2000 --limits off
t1=$(date +%s)
echo "# sandbox xero --tenants 2000 started in about $((t1 - t0)) s"
xlogin "$SB_URL"
eq "2,000 connections" "$(curl -s -H "Authorization: Bearer $X_TOK" "$SB_URL/connections" | jv j.length)" 2000
ID2000=b5000000-0000-4000-8000-000000002000
fresh_store many
expect 0 "$B" import "$T/sales.jsonl"
expect 0 "$B" connect xero --base-url "$SB_URL" --tenant "$ID2000" </dev/null
bs_sync --everything
eq "tenant 2000: posted" "$(jv j.posted <"$T/sync.json")" 7
curl -s "$SB_URL/sandbox/counters" >"$T/counters.json"
eq "only tenant 2000 was called" \
	"$(jv "j.tenants.filter(t => t.calls > 0).map(t => t.tenantId).join(' ')" <"$T/counters.json")" "$ID2000"
sb_stop

finish
