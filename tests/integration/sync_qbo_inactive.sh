#!/bin/sh
# sync_qbo_inactive.sh - names QuickBooks Online still holds for inactive
# entries (docs/mapping-qbo.md "Inactive names"): a person made an item, a
# vendor and a customer inactive in QBO ("deleted" them), and booksync
# then has records under those names.  Creating them is refused with 6240
# (the name is taken) and a lookup by name finds nothing; booksync makes
# each one active again and links it, and the sale and the bill that use
# them post.  Nothing is duplicated: each name is in QBO once.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u
. "$(dirname "$0")/lib/qbo_lib.sh"

qbo_node
qsb_start
U=$QSB_URL
fresh_store qbo
qconnect "$U"

# mk ENTITY NAME: made in QBO by another app, then made inactive; its Id
mk() { node "$BS_LIB/qbo_inactive.js" "$U" "$1" "$2" 2>>"$T/mk.err"; }
I_ITEM=$(mk Item "W-9")
I_VEND=$(mk Vendor "Totara Supplies")
I_CUST=$(mk Customer "Aroha Ltd")
for v in "$I_ITEM" "$I_VEND" "$I_CUST"; do
	case $v in [0-9]*) ok ;; *) bad "not made inactive in the sandbox: '$v' $(head -c 300 "$T/mk.err")" ;; esac
done
qread "$U" "$T/before.json" Item Vendor Customer
eq "inactive: not listed" \
	"$(qj "$T/before.json" '[j.item, j.vendor, j.customer].flat().filter(e => ["W-9", "Totara Supplies", "Aroha Ltd"].includes(e.Name || e.DisplayName)).length')" 0

cat >"$T/in.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd"}
{"kind":"supplier","id":"S-1","name":"Totara Supplies"}
{"kind":"product","id":"P-9","sku":"W-9","name":"Widget nine"}
{"kind":"sale","id":"SO-1","reference":"SO-1","customer_id":"C-1","date":"2026-10-05","invoiced":true,"tax_mode":"exclusive","lines":[{"sku":"W-9","qty":"2","unit_price":"10.00","tax_rate":"15"}]}
{"kind":"purchase","id":"PO-1","reference":"PO-1","supplier_id":"S-1","date":"2026-10-05","status":"billed","supplier_invoice_no":"T-77","invoice_date":"2026-10-06","tax_mode":"exclusive","lines":[{"sku":"W-9","qty":"1","unit_cost":"4.00","tax_rate":"15"}]}
J
expect 0 "$B" import "$T/in.jsonl"
bs_sync --everything
eq "sync exit" "$bs_rc" 0
expect 0 "$B" errors --json
eq "nothing in error" "$(jv j.count <"$T/out")" 0

link() { sqlite3 "$BOOKSYNC_DB" "SELECT ledger_id FROM links WHERE source_id = '$1' AND ledger_type = '$2'"; }
eq "the item linked to the inactive one" "$(link P-9 Item)" "$I_ITEM"
eq "the supplier linked to the inactive vendor" "$(link S-1 Contact)" "$I_VEND"
eq "the customer linked to the inactive one" "$(link C-1 Contact)" "$I_CUST"
qread "$U" "$T/after.json" Item Vendor Customer Invoice Bill
eq "each active again, once" \
	"$(qj "$T/after.json" '[j.item.filter(e => e.Name == "W-9").map(e => e.Id + ":" + e.Active), j.vendor.filter(e => e.DisplayName == "Totara Supplies").map(e => e.Id + ":" + e.Active), j.customer.filter(e => e.DisplayName == "Aroha Ltd").map(e => e.Id + ":" + e.Active)].flat().join(" ")')" \
	"$I_ITEM:true $I_VEND:true $I_CUST:true"
eq "the sale posted to the customer" \
	"$(qj "$T/after.json" 'j.invoice.filter(i => i.CustomerRef.value == "'"$I_CUST"'").length')" 1
eq "the bill posted on the vendor" \
	"$(qj "$T/after.json" 'j.bill.filter(b => b.VendorRef.value == "'"$I_VEND"'").length')" 1

# a second sync changes nothing
bs_sync --everything
eq "second sync exit" "$bs_rc" 0
qread "$U" "$T/again.json" Item Vendor Customer
eq "still once each" \
	"$(qj "$T/again.json" '[j.item.filter(e => e.Name == "W-9"), j.vendor.filter(e => e.DisplayName == "Totara Supplies"), j.customer.filter(e => e.DisplayName == "Aroha Ltd")].map(a => a.length).join(" ")')" \
	"1 1 1"
finish
