#!/bin/sh
# inbound_contacts_qbo.sh - `booksync inbound --contacts` against the
# QuickBooks Online sandbox (docs/inbound-contacts.md), where customers and
# vendors are apart.  After connect, customers and vendors are created in
# the ledger with node-quickbooks (lib/inbound_contacts_qbo.js): a customer
# and a vendor booksync lacks come in as a customer and a supplier; matches
# by e-mail, tax number and name are linked (no new record, nothing posted);
# a near-identical name is listed, on its own side only; a second run does
# nothing; a person's link and create apply; events are written; a sync
# afterwards posts only booksync's own unlinked record.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR.
set -u
. "$(dirname "$0")/lib/qbo_lib.sh"

qbo_node
qsb_start
U=$QSB_URL
fresh_store qbo
DB=$BOOKSYNC_DB

cat >"$T/ours.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Aroha Ltd","email":"a@aroha.test"}
{"kind":"supplier","id":"S-1","name":"Totara Supplies","tax_number":"123-456-789"}
{"kind":"customer","id":"C-2","name":"Kauri Kitchen"}
{"kind":"supplier","id":"S-2","name":"Rimu Timber"}
{"kind":"customer","id":"C-3","name":"Matai Motors"}
J
expect 0 "$B" import "$T/ours.jsonl"
qconnect "$U"
# events are kept only for a receiver (docs/events.md); none listens here
expect 0 "$B" settings events.url http://127.0.0.1:9/events

# mk ENTITY NAME [EMAIL [TAX]]: created in the ledger; its Id on stdout
mk() {
	node "$BS_LIB/inbound_contacts_qbo.js" "$U" "$@" 2>>"$T/mk.err"
}
count() { # count: active customers + vendors in the ledger
	qread "$U" "$T/q.json" Customer Vendor
	qj "$T/q.json" 'j.customer.length + j.vendor.length'
}
before=$(count)
L_CUST=$(mk Customer "Ledger Customer Only" "hi@lco.test")
L_VEND=$(mk Vendor "Ledger Vendor Only")
L_MAIL=$(mk Customer "Aroha Trading" "A@AROHA.TEST")
L_TAX=$(mk Vendor "Totara" "" "123456789")
L_NAME=$(mk Customer "KAURI KITCHEN LIMITED")
L_NEAR=$(mk Vendor "Rimu Timbers")
L_SIDE=$(mk Customer "Rimu Timber")
L_NEAR2=$(mk Customer "Matai Motor")
for v in "$L_CUST" "$L_VEND" "$L_MAIL" "$L_TAX" "$L_NAME" "$L_NEAR" "$L_SIDE" "$L_NEAR2"; do
	case $v in [0-9]*) ok ;; *) bad "not created in the sandbox: '$v' $(head -c 300 "$T/mk.err")" ;; esac
done
want_imported=$((before + 3))

expect 0 "$B" inbound --contacts --json
cp "$T/out" "$T/run1.json"
eq "read" "$(jv j.read <"$T/run1.json")" "$((before + 8))"
eq "imported" "$(jv j.imported <"$T/run1.json")" "$want_imported"
eq "linked" "$(jv j.linked <"$T/run1.json")" 3
eq "listed" "$(jv j.listed <"$T/run1.json")" 2
eq "failed" "$(jv j.failed <"$T/run1.json")" 0

q() { sqlite3 "$DB" "$1"; }
link_of() { # link_of KIND_NUMBER ID
	q "SELECT ledger_id FROM links WHERE kind = $1 AND source_id = '$2' AND ledger_type = 'Contact'"
}
eq "C-1 linked by e-mail" "$(link_of 0 C-1)" "$L_MAIL"
eq "S-1 linked by tax number" "$(link_of 1 S-1)" "$L_TAX"
eq "C-2 linked by name" "$(link_of 0 C-2)" "$L_NAME"
eq "S-2 not linked" "$(link_of 1 S-2)" ""
eq "the ledger customer imported as a customer" "$(link_of 0 "qbo-$L_CUST")" "$L_CUST"
eq "the ledger vendor imported as a supplier" "$(link_of 1 "qbo-$L_VEND")" "$L_VEND"
eq "a customer named like a supplier is its own" "$(link_of 0 "qbo-$L_SIDE")" "$L_SIDE"
st=$(q "SELECT s.state FROM sync_state s JOIN records r ON r.rowid = s.record WHERE r.id = 'qbo-$L_VEND'")
eq "the imported supplier is synced already" "$st" imported
expect 0 "$B" inbound --contacts --list --json
eq "listed near name, vendor side" \
	"$(jv "j.contacts.find(c => c.ledger_id === '$L_NEAR').record.id" <"$T/out")" S-2
eq "its reason" "$(jv "j.contacts.find(c => c.ledger_id === '$L_NEAR').reason" <"$T/out")" \
	"near-identical name"

expect 0 "$B" inbound --contacts --json
eq "second run imports nothing" "$(jv j.imported <"$T/out")" 0
eq "second run links nothing" "$(jv j.linked <"$T/out")" 0
eq "second run lists nothing" "$(jv j.listed <"$T/out")" 0

# the high-water mark: a mark of now reads only what changes after it
mark=$(q "SELECT value FROM settings WHERE key LIKE 'contacts_since:%'")
case $mark in [0-9]*) ok ;; *) bad "no high-water mark after a complete run: '$mark'" ;; esac
# QBO's filter compares whole seconds, so the mark reaches back up to one
# second: leave two seconds between the last contact above and the mark,
# and one more before the late one, so the window holds only the late one.
sleep 2
now=$(node -e 'console.log(Date.now())')
q "UPDATE settings SET value = '$now' WHERE key LIKE 'contacts_since:%'"
sleep 1.1
L_LATE=$(mk Vendor "Late Vendor")
expect 0 "$B" inbound --contacts --json
eq "since the mark: only the late one read" "$(jv j.read <"$T/out")" 1
eq "read from the mark" "$(jv j.since_ms <"$T/out")" "$now"
eq "the late vendor imported as a supplier" "$(link_of 1 "qbo-$L_LATE")" "$L_LATE"
expect 0 "$B" inbound --contacts --full --json
eq "--full reads everything" "$(jv j.read <"$T/out")" "$((before + 9))"
eq "--full: nothing new" "$(jv j.imported <"$T/out")" 0
want_imported=$((want_imported + 1))

expect 0 "$B" inbound --contacts --link "$L_NEAR" --to supplier:S-2
eq "S-2 linked by a person" "$(link_of 1 S-2)" "$L_NEAR"
expect 0 "$B" inbound --contacts --create "$L_NEAR2"
eq "created anyway" "$(link_of 0 "qbo-$L_NEAR2")" "$L_NEAR2"
expect 2 "$B" inbound --contacts --create "$L_NEAR2"
expect 0 "$B" inbound --contacts --json
eq "nothing listed again" "$(jv j.listed <"$T/out")" 0

evs=$(q "SELECT count(*) FROM events WHERE type = 'contact.imported'")
eq "events" "$evs" "$((want_imported + 3 + 2))"

# the sync posts C-3 (Matai Motors, booksync's, unlinked) and nothing else
bs_sync --everything
eq "sync exit" "$bs_rc" 0
eq "only booksync's one unlinked contact was posted" "$(count)" "$((before + 9 + 1))"
finish
