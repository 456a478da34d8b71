#!/bin/sh
# connect_qbo.sh - `booksync connect qbo` against `booksync sandbox qbo`
# (docs/connect-qbo.md): credentials from the environment or the settings,
# completing by itself with stdin not a terminal; the target is
# qbo:<realmId>; chart and tax codes saved with their QBO ids; the tokens
# sealed (no token in the store in clear); existing customers and vendors
# linked by name, each to its own side; existing items linked to products by
# SKU (or, for an item without one, by name), and a sync after connect
# creates only the product the company lacks; a refresh token the ledger
# refuses exits 3 saying "run: booksync connect qbo".
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}

. "$src/tests/integration/lib/tap.sh"

[ -x "$BOOKSYNC" ] || bail "booksync not executable: $BOOKSYNC"
command -v curl >/dev/null 2>&1 || bail "curl not found (scripts/install-deps)"
command -v sqlite3 >/dev/null 2>&1 || bail "sqlite3 not found (scripts/install-deps)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-cqbo.XXXXXX") || bail "mktemp"
unset BOOKSYNC_SANDBOX_ADMIN_TOKEN BOOKSYNC_XERO_CLIENT_ID BOOKSYNC_XERO_CLIENT_SECRET
unset BOOKSYNC_QBO_CLIENT_ID BOOKSYNC_QBO_CLIENT_SECRET
BS_LEDGER=qbo
DB=$tmp/s.db
B() { "$BOOKSYNC" --db "$DB" "$@"; }
setting() { sqlite3 "$DB" "select value from settings where key = '$1'"; }

# access tokens last an hour / 600 = 6 s (codes 1 s): a command 5 s after
# connect must refresh first (in the last quarter of the token's life)
sandbox_start 127.0.0.1:0 --limits time-scale=600 || bail "sandbox qbo did not start"
port=${url##*:}
realm=$(sed -n 's/.*default realm \([0-9][0-9]*\).*/\1/p' "$tmp/sandbox.err" | head -n 1)
[ -n "$realm" ] || bail "no realm on the sandbox's stderr"

B init >/dev/null 2>&1 || bail "init"
# a customer and a supplier the company already has, under one name each
cat >"$tmp/a.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"customer","id":"C-2","name":"Kowhai Cafe"}
{"kind":"supplier","id":"S-1","name":"Totara Supplies"}
{"kind":"supplier","id":"S-2","name":"Kowhai Cafe"}
{"kind":"product","id":"P-1","sku":"WID-1","name":"Widget","type":"product","sales_account":"200","purchase_account":"630"}
{"kind":"product","id":"P-2","sku":"GAD-2","name":"Gadget","type":"product","sales_account":"200"}
{"kind":"product","id":"P-3","sku":"NEW-3","name":"Newcomer","type":"product","sales_account":"200"}
J
B import "$tmp/a.jsonl" >/dev/null 2>&1 || bail "import"
tok=$(curl -s -X POST -u cid:sec -d "grant_type=authorization_code" \
	-d "code=$(curl -s -o /dev/null -w '%{redirect_url}' \
		"$url/connect/oauth2?client_id=cid&response_type=code&scope=com.intuit.quickbooks.accounting&state=s&redirect_uri=http://127.0.0.1:9/cb" |
		sed -n 's/.*code=\([^&]*\).*/\1/p')" \
	-d "redirect_uri=http://127.0.0.1:9/cb" "$url/oauth2/v1/tokens/bearer" |
	sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
[ -n "$tok" ] || bail "a token for seeding the company"
for e in "customer Aroha Ltd" "vendor Kowhai Cafe"; do
	ent=${e%% *}
	name=${e#* }
	code=$(curl -s -o "$tmp/seed" -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' -d "{\"DisplayName\":\"$name\"}" \
		"$url/v3/company/$realm/$ent")
	[ "$code" = 200 ] || bail "seed $ent $name: HTTP $code $(cat "$tmp/seed")"
done
vendor_id=$(sed -n 's/.*"Id" *: *"\([0-9]*\)".*/\1/p' "$tmp/seed")
# two items the company already has: one with P-1's SKU under another name,
# one without a SKU whose name is P-2's SKU
seed_item() { # seed_item BODY: its Id on stdout
	code=$(curl -s -o "$tmp/seed" -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' -H 'Accept: application/json' -d "$1" "$url/v3/company/$realm/item")
	[ "$code" = 200 ] || bail "seed item $1: HTTP $code $(cat "$tmp/seed")"
	json "$tmp/seed" j.Item.Id
}
item1=$(seed_item '{"Name":"Widget (blue)","Sku":"WID-1","Type":"Service","IncomeAccountRef":{"value":"9"}}')
item2=$(seed_item '{"Name":"GAD-2","Type":"Service","IncomeAccountRef":{"value":"9"}}')
# items as the company holds them, read through the API: "Name|Sku|Id" sorted
items() {
	curl -s -G -H "Authorization: Bearer $tok" -H 'Accept: application/json' \
		--data-urlencode "query=select * from Item" "$url/v3/company/$realm/query" >"$tmp/items"
	json "$tmp/items" '(j.QueryResponse.Item || []).map(i => i.Name + "|" + (i.Sku || "") + "|" + i.Id).sort().join(",")'
}

# --- no credentials: a usage error naming where they come from
B connect qbo --base-url "$url" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
check "no credentials: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "it names BOOKSYNC_QBO_CLIENT_ID" grep -q "BOOKSYNC_QBO_CLIENT_ID" "$tmp/err"
check "and the settings" grep -q "qbo.client_id" "$tmp/err"

# --- credentials from the settings, completing by itself
B settings qbo.client_id cid >/dev/null 2>&1 || nok "settings qbo.client_id"
B settings qbo.client_secret sec >/dev/null 2>&1 || nok "settings qbo.client_secret"
B connect qbo --base-url "$url" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
check "connect qbo: exit 0 (got $rc; $(cat "$tmp/err"))" [ "$rc" -eq 0 ]
check "the target is qbo:<realmId>" grep -q "as target qbo:$realm" "$tmp/out"
check "the company's name" grep -q "Booksync Sandbox Ltd (NZD)" "$tmp/out"
check "21 accounts, 4 tax rates read" grep -q "Read 21 accounts, 4 tax rates" "$tmp/out"
target=qbo:$realm
check "target registered" [ "$(sqlite3 "$DB" "select count(*) from targets where id = '$target'")" -eq 1 ]
chart=$(setting "chart:$target")
check "chart saved with ids" sh -c "echo '$chart' | grep -q '\"code\":\"200\",\"name\":\"Sales\",\"id\":\"9\"'"
taxes=$(setting "taxrates:$target")
check "tax codes saved with ids" sh -c "echo '$taxes' | grep -q '\"code\":\"GST\",\"name\":\"GST\",\"rate\":\"15\",\"id\":\"5\"'"
check "base currency from Preferences" [ "$(setting base_currency)" = NZD ]
check "gift voucher account found" [ "$(setting account.gift_voucher)" = 825 ]
cred=$(setting "cred:$target")
check "credentials stored" [ -n "$cred" ]
check "no token in clear in the store" sh -c "! sqlite3 '$DB' .dump | grep -q -e access_token -e refresh_token"
check "credentials sealed" sh -c "! echo '$cred' | grep -q -e refresh_token -e '\"sec\"'"
# linked by name, each to its own side: C-1 to the customer, S-2 to the
# vendor (not to a customer of the same name), nothing else
links=$(sqlite3 "$DB" "select source_id || '=' || ledger_id from links where target = '$target' order by source_id")
check "customer Aroha Ltd linked" sh -c "echo '$links' | grep -q '^C-1='"
check "vendor Kowhai Cafe linked to the vendor ($vendor_id)" sh -c "echo '$links' | grep -q '^S-2=$vendor_id\$'"
check "customer Kowhai Cafe not linked to the vendor" sh -c "! echo '$links' | grep -q '^C-2='"
check "Totara Supplies not linked" sh -c "! echo '$links' | grep -q '^S-1='"
check "the linking is said" grep -q "Linked 2 existing contacts and 2 items" "$tmp/out"
# items: P-1 to the item with its SKU, P-2 to the item named by its SKU, P-3 to nothing
ilinks=$(sqlite3 "$DB" "select source_id || '=' || ledger_id from links where target = '$target' and ledger_type = 'Item' order by source_id" | tr '\n' ' ')
check "P-1 linked to the item with its SKU ($item1), P-2 to the one named GAD-2 ($item2): $ilinks" \
	[ "$ilinks" = "P-1=$item1 P-2=$item2 " ]
for p in P-1 P-2; do
	B history "product:$p" >"$tmp/hist" 2>&1
	check "$p: linked on connect in its history" grep -q "already in the ledger: linked on connect" "$tmp/hist"
done
# a sync of the products creates only P-3: one item of each SKU / name
B sync --tab other/products --json >"$tmp/sync.json" 2>"$tmp/err"
rc=$?
check "products sync: exit 0 (got $rc; $(head -c 300 "$tmp/err"))" [ "$rc" -eq 0 ]
check "one item posted, P-3's" [ "$(json "$tmp/sync.json" j.posted)" = 1 ]
have=$(items)
p3=$(sqlite3 "$DB" "select ledger_id from links where target = '$target' and ledger_type = 'Item' and source_id = 'P-3'")
check "the company's items: the default, the two it had, P-3's new one ($have)" \
	[ "$have" = "GAD-2||$item2,NEW-3|NEW-3|$p3,Services||30,Widget (blue)|WID-1|$item1" ]
check "no copy of WID-1 or GAD-2" \
	[ "$(json "$tmp/items" '(j.QueryResponse.Item || []).filter(i => /WID-1|GAD-2/.test(i.Name + " " + (i.Sku || ""))).length')" = 2 ]
B sync --tab other/products --json >"$tmp/sync.json" 2>"$tmp/err"
check "a second products sync posts nothing" [ "$(json "$tmp/sync.json" j.posted)" = 0 ]
check "and the items are as they were" [ "$(items)" = "$have" ]

# --- credentials from the environment
BOOKSYNC_QBO_CLIENT_ID=cid BOOKSYNC_QBO_CLIENT_SECRET=sec B connect qbo --base-url "$url" \
	</dev/null >"$tmp/out" 2>"$tmp/err"
check "connect again with the environment: exit 0" [ $? -eq 0 ]

# --- the ledger forgets the grant (a restart without state): the refresh
# token is refused, exit 3 and how to reconnect
kill "$sbpid" 2>/dev/null
wait "$sbpid" 2>/dev/null
sbpid=
sleep 1
sandbox_start "127.0.0.1:$port" --limits time-scale=600 || bail "sandbox qbo did not restart"
sleep 5
B sync >"$tmp/out" 2>"$tmp/err"
rc=$?
check "refused refresh: exit 3 (got $rc)" [ "$rc" -eq 3 ]
check "says the refresh token was refused" grep -q "refresh token was refused" "$tmp/err"
check "says: run: booksync connect qbo" grep -q "run: booksync connect qbo" "$tmp/err"
# and reconnecting mends it
B connect qbo --base-url "$url" </dev/null >"$tmp/out" 2>"$tmp/err"
check "reconnect: exit 0" [ $? -eq 0 ]
# a sync sends its documents in /batch calls, and leaves the batch minute
# (QBO's 40) for the next process beside the call window
B sync >"$tmp/out" 2>"$tmp/err"
check "sync after reconnecting: exit 0 or 1 (got $?)" [ $? -le 1 ]
check "the batch minute is kept for the next process" \
	sh -c "sqlite3 '$DB' \"select value from settings where key = 'govwin:$target'\" | grep -q ';batch=[0-9]'"

finish
