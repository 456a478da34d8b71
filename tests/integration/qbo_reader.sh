#!/bin/sh
# qbo_reader.sh - the QBO tests' own instruments, checked against the QBO
# sandbox before they are trusted: read_qbo.js (via qbo_lib.sh) reads back
# what was written with curl - every entity kind a mapping uses, lists past
# one page of 1,000 (STARTPOSITION paging), TotalAmt to the cent, foreign
# currency documents - and qcalls counts /batch calls and 429s from the
# sandbox's request log.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u
. "$(dirname "$0")/lib/qbo_lib.sh"

qbo_node
qsb_start --limits minute=500,concurrent=10,batch-minute=40
U=$QSB_URL

# a token of our own, by hand (Intuit's code flow with curl)
loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
	"$U/connect/oauth2?client_id=w&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=http://localhost/cb&state=s")
code=$(printf '%s' "$loc" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
realm=$(printf '%s' "$loc" | sed -n 's/.*[?&]realmId=\([0-9]*\).*/\1/p')
tok=$(curl -s -u w:x -d "grant_type=authorization_code&code=$code&redirect_uri=http://localhost/cb" \
	"$U/oauth2/v1/tokens/bearer" | jv j.access_token)
api="$U/v3/company/$realm"
post() { # post PATH BODY -> reply in $T/post.json, status echoed
	curl -s -o "$T/post.json" -w '%{http_code}' -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' -d "$2" "$api/$1"
}

# 1,020 customers in 34 batches of 30
node -e 'for (let n = 0; n < 34; n++) {
	const items = [];
	for (let i = 0; i < 30; i++) items.push({ bId: String(i), operation: "create",
		Customer: { DisplayName: "Reader " + (n * 30 + i) } });
	require("fs").writeFileSync(process.argv[1] + "/batch" + n + ".json",
		JSON.stringify({ BatchItemRequest: items }));
}' "$T"
n=0
while [ $n -lt 34 ]; do
	st=$(post batch "@$T/batch$n.json")
	[ "$st" = 200 ] || bad "batch $n: $st"
	n=$((n + 1))
done
eq "an AUD customer" "$(post customer '{"DisplayName":"Bondi Beans","CurrencyRef":{"value":"AUD"}}')" 200
aud=$(qj "$T/post.json" j.Customer.Id)
eq "a vendor" "$(post vendor '{"DisplayName":"Green Bean Traders"}')" 200
ven=$(qj "$T/post.json" j.Vendor.Id)
eq "an invoice" "$(post invoice '{"CustomerRef":{"value":"33"},"DocNumber":"SO-1","Line":[{"DetailType":"SalesItemLineDetail","Amount":30.86,"SalesItemLineDetail":{"Qty":25,"UnitPrice":1.234567,"TaxCodeRef":{"value":"5"}}}]}')" 200
eq "an AUD invoice" "$(post invoice "{\"CustomerRef\":{\"value\":\"$aud\"},\"CurrencyRef\":{\"value\":\"AUD\"},\"ExchangeRate\":1.093808,\"DocNumber\":\"SO-2\",\"Line\":[{\"DetailType\":\"SalesItemLineDetail\",\"Amount\":70.75,\"SalesItemLineDetail\":{\"TaxCodeRef\":{\"value\":\"6\"}}}]}")" 200
eq "a bill" "$(post bill "{\"VendorRef\":{\"value\":\"$ven\"},\"DocNumber\":\"INV-30863 PO-2001\",\"PrivateNote\":\"INV-30863 PO-2001\",\"Line\":[{\"DetailType\":\"AccountBasedExpenseLineDetail\",\"Amount\":95.58,\"AccountBasedExpenseLineDetail\":{\"AccountRef\":{\"value\":\"15\"},\"TaxCodeRef\":{\"value\":\"5\"}}}]}")" 200
eq "a journal" "$(post journalentry '{"PrivateNote":"COGS for sale SO-1 [cogs:COGS-SO-1]","Line":[{"DetailType":"JournalEntryLineDetail","Amount":30.96,"JournalEntryLineDetail":{"PostingType":"Debit","AccountRef":{"value":"13"}}},{"DetailType":"JournalEntryLineDetail","Amount":30.96,"JournalEntryLineDetail":{"PostingType":"Credit","AccountRef":{"value":"15"}}}]}')" 200

qread "$U" "$T/q.json"
eq "realm" "$(qj "$T/q.json" j.realmId)" "$realm"
eq "customers past one page" "$(qj "$T/q.json" j.customer.length)" 1021
eq "customer names unique" "$(qj "$T/q.json" 'new Set(j.customer.map(c => c.DisplayName)).size')" 1021
eq "the AUD customer" "$(qj "$T/q.json" "j.customer.find(c => c.Id == '$aud').CurrencyRef.value")" AUD
eq "vendors" "$(qj "$T/q.json" 'j.vendor.map(v => v.DisplayName).join()')" "Green Bean Traders"
# 30.86 + 15 % GST 4.63 = 35.49
eq "SO-1 TotalAmt" "$(qj "$T/q.json" "c(j.invoice.find(i => i.DocNumber == 'SO-1').TotalAmt)")" 35.49
eq "SO-2 in AUD at its rate" "$(qj "$T/q.json" "(i => [i.CurrencyRef.value, i.ExchangeRate, c(i.TotalAmt)].join('|'))(j.invoice.find(i => i.DocNumber == 'SO-2'))")" \
	"AUD|1.093808|70.75"
eq "the bill" "$(qj "$T/q.json" "(b => [b.VendorRef.value, b.PrivateNote, c(b.TotalAmt)].join('|'))(j.bill[0])")" \
	"$ven|INV-30863 PO-2001|109.92"
eq "the journal" "$(qj "$T/q.json" "j.journalentry.map(e => e.PrivateNote + '|' + e.Line.length).join()")" \
	"COGS for sale SO-1 [cogs:COGS-SO-1]|2"
eq "the chart" "$(qj "$T/q.json" "['090','200','260','310','429','630','820','825','860'].every(n => j.account.some(a => a.AcctNum == n))")" true
eq "kinds read" "$(qj "$T/q.json" "['creditmemo','payment','billpayment','purchaseorder','vendorcredit','deposit','purchase','item','taxcode'].filter(k => Array.isArray(j[k])).length")" 9

# only some kinds, when asked
qread "$U" "$T/q2.json" Invoice Bill
eq "asked kinds only" "$(qj "$T/q2.json" 'Object.keys(j).sort().join()')" "bill,invoice,realmId"

# qcalls: 34 /batch calls, no 429 so far; then a burst over batch-minute=40
qlog "$U" "$T/log1.json"
case $(qcalls "$T/log1.json") in
batch=34\ 429=0\ *) ok ;;
*) bad "qcalls: $(qcalls "$T/log1.json"), want batch=34 429=0" ;;
esac
n=0
while [ $n -lt 8 ]; do
	post batch '{"BatchItemRequest":[{"bId":"1","Query":"select * from TaxCode"}]}' >/dev/null
	n=$((n + 1))
done
qlog "$U" "$T/log2.json"
case $(qcalls "$T/log2.json") in
batch=40\ 429=2\ *) ok ;;
*) bad "qcalls after 8 more: $(qcalls "$T/log2.json"), want batch=40 429=2" ;;
esac
finish
