#!/bin/sh
# inbound_contacts.sh - `booksync inbound --contacts` against the Xero
# sandbox (docs/inbound-contacts.md).  booksync holds customers and a
# supplier it has not synced; after connect, contacts are created in the
# ledger through its API (as another app would): two booksync lacks, three
# that match one of booksync's by name, e-mail and tax number, and three
# near-identical names.  The import brings the two in (already synced), links
# the three (no new record, nothing posted), lists the three; a second run
# does nothing; a person's decisions (link, create, dismiss) apply once; the
# events are written; and a sync afterwards posts only booksync's own
# unlinked records, never a copy of a ledger contact.
#
# Env (set by CTest): BOOKSYNC = booksync binary.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"

sb_start
U=$SB_URL
fresh_store xero
DB=$BOOKSYNC_DB

cat >"$T/ours.jsonl" <<'J'
{"kind":"customer","id":"C-1","name":"Acme Widgets Ltd"}
{"kind":"customer","id":"C-2","name":"Brown Trading","email":"orders@brown.test"}
{"kind":"supplier","id":"S-1","name":"Northwind Traders","tax_number":"GB-123-456"}
{"kind":"customer","id":"C-3","name":"Jonathan Smith"}
{"kind":"customer","id":"C-4","name":"Delta Foods"}
{"kind":"supplier","id":"S-2","name":"Echo Supplies"}
J
expect 0 "$B" import "$T/ours.jsonl"
connect "$U"
# events are kept only for a receiver (docs/events.md); none listens here
expect 0 "$B" settings events.url http://127.0.0.1:9/events
xlogin "$U"

# xput NAME [EMAIL [TAX]]: a contact created in the ledger; its id on stdout
xput() {
	node -e '
const [n, e, t] = process.argv.slice(1);
const c = { Name: n };
if (e) c.EmailAddress = e;
if (t) c.TaxNumber = t;
console.log(JSON.stringify({ Contacts: [c] }));' "$@" >"$T/xput.json"
	curl -s -X PUT -H "Authorization: Bearer $X_TOK" -H "xero-tenant-id: $X_TEN" \
		-H "Content-Type: application/json" -H "Accept: application/json" \
		--data-binary @"$T/xput.json" "$X_URL/api.xro/2.0/Contacts" | jv 'j.Contacts[0].ContactID'
}

before=$(xq Contacts 'j.Contacts.length')
L_NEW1=$(xput "Ledger Only Customer" "hello@ledgeronly.test")
L_NEW2=$(xput "Ledger Supplier Co")
L_NAME=$(xput "ACME WIDGETS LIMITED")
L_MAIL=$(xput "Brown T. Trading Company" "ORDERS@brown.test")
L_TAX=$(xput "Northwind" "" "GB123456")
L_NEAR1=$(xput "Jonathon Smith")
L_NEAR2=$(xput "Delta Food")
L_NEAR3=$(xput "Echo Suplies")
for v in "$L_NEW1" "$L_NEW2" "$L_NAME" "$L_MAIL" "$L_TAX" "$L_NEAR1" "$L_NEAR2" "$L_NEAR3"; do
	case $v in *-*) ok ;; *) bad "a contact was not created in the sandbox: '$v'" ;; esac
done
# contacts the sandbox held before (none of them like booksync's) come in too
want_imported=$((before + 2))

# --- the import ------------------------------------------------------------------
seq0=$(log_total "$U")
expect 0 "$B" inbound --contacts --json
cp "$T/out" "$T/run1.json"
eq "read" "$(jv j.read <"$T/run1.json")" "$((before + 8))"
eq "imported" "$(jv j.imported <"$T/run1.json")" "$want_imported"
eq "linked" "$(jv j.linked <"$T/run1.json")" 3
eq "listed" "$(jv j.listed <"$T/run1.json")" 3
eq "failed" "$(jv j.failed <"$T/run1.json")" 0
eq "the import wrote nothing to the ledger" "$(writes_since "$U" "$seq0")" 0

q() { sqlite3 "$DB" "$1"; }
link_of() { # link_of KIND_NUMBER ID: the ledger id kind:id is linked to
	q "SELECT ledger_id FROM links WHERE kind = $1 AND source_id = '$2' AND ledger_type = 'Contact'"
}
eq "C-1 linked by name" "$(link_of 0 C-1)" "$L_NAME"
eq "C-2 linked by e-mail" "$(link_of 0 C-2)" "$L_MAIL"
eq "S-1 linked by tax number" "$(link_of 1 S-1)" "$L_TAX"
eq "C-3 not linked" "$(link_of 0 C-3)" ""
new1=$(q "SELECT id FROM records WHERE kind = 0 AND id = 'xero-$L_NEW1'")
eq "a ledger-only contact imported as customer xero-<id>" "$new1" "xero-$L_NEW1"
eq "and linked to its ledger id" "$(link_of 0 "xero-$L_NEW1")" "$L_NEW1"
has_email=$(q "SELECT json_extract(body, '$.email') FROM records WHERE id = 'xero-$L_NEW1'" 2>/dev/null ||
	q "SELECT body FROM records WHERE id = 'xero-$L_NEW1'")
case $has_email in *hello@ledgeronly.test*) ok ;; *) bad "e-mail not kept: $has_email" ;; esac
st=$(q "SELECT s.state FROM sync_state s JOIN records r ON r.rowid = s.record
	WHERE r.id = 'xero-$L_NEW1'")
eq "the imported record is synced already" "$st" imported
eq "no record for the listed ones" "$(q "SELECT count(*) FROM records WHERE id = 'xero-$L_NEAR1'")" 0
eq "records: 6 + the imported" "$(q 'SELECT count(*) FROM records')" "$((6 + want_imported))"

expect 0 "$B" inbound --contacts --list
has "$T/out" "$L_NEAR1"
has "$T/out" "near-identical name"
has "$T/out" "customer:C-3"
expect 0 "$B" inbound --contacts --list --json
eq "three listed" "$(jv 'j.contacts.length' <"$T/out")" 3
eq "listed with its candidate" \
	"$(jv "j.contacts.find(c => c.ledger_id === '$L_NEAR2').record.id" <"$T/out")" C-4

# --- a second run does nothing ----------------------------------------------------
expect 0 "$B" inbound --contacts --json
eq "second run imports nothing" "$(jv j.imported <"$T/out")" 0
eq "second run links nothing" "$(jv j.linked <"$T/out")" 0
eq "second run lists nothing new" "$(jv j.listed <"$T/out")" 0
eq "second run: every contact known" "$(jv j.known <"$T/out")" "$((before + 8))"
eq "records unchanged" "$(q 'SELECT count(*) FROM records')" "$((6 + want_imported))"

# --- the high-water mark ------------------------------------------------------------
mark=$(q "SELECT value FROM settings WHERE key LIKE 'contacts_since:%'")
case $mark in [0-9]*) ok ;; *) bad "no high-water mark after a complete run: '$mark'" ;; esac
expect 0 "$B" inbound --contacts --json
eq "the re-run read from the mark" "$(jv j.since_ms <"$T/out")" "$mark"
# a mark of now (no overlap): the next run reads only what changes after it
# If-Modified-Since carries whole seconds, so the mark reaches back up to
# one second: two seconds after the last contact above, one before the next.
sleep 2
now=$(node -e 'console.log(Date.now())')
q "UPDATE settings SET value = '$now' WHERE key LIKE 'contacts_since:%'"
sleep 1.1
L_LATE=$(xput "Late Arrival Ltd")
seq2=$(log_total "$U")
expect 0 "$B" inbound --contacts --json
eq "since the mark: only the late one read" "$(jv j.read <"$T/out")" 1
eq "and imported" "$(jv j.imported <"$T/out")" 1
eq "the late one linked" "$(link_of 0 "xero-$L_LATE")" "$L_LATE"
# the ledger filtered: its one Contacts GET returned one contact
wh=$(curl -s "$U/sandbox/log?since=$seq2" | jv 'j.entries.filter(e => e.method === "GET" && e.path.startsWith("/api.xro/2.0/Contacts")).map(e => e.elements).join(",")')
eq "the ledger's answer held the late one only" "$wh" 1
expect 0 "$B" inbound --contacts --full --json
eq "--full reads everything" "$(jv j.read <"$T/out")" "$((before + 9))"
eq "--full: nothing new" "$(jv j.imported <"$T/out")" 0
want_imported=$((want_imported + 1))

# --- a person's decisions -------------------------------------------------------
expect 0 "$B" inbound --contacts --link "$L_NEAR2" --to customer:C-4
eq "C-4 linked by a person" "$(link_of 0 C-4)" "$L_NEAR2"
expect 0 "$B" inbound --contacts --create "$L_NEAR1"
eq "created anyway" "$(link_of 0 "xero-$L_NEAR1")" "$L_NEAR1"
expect 0 "$B" inbound --contacts --dismiss "$L_NEAR3"
expect 2 "$B" inbound --contacts --dismiss "$L_NEAR3"
has "$T/err" "decided already"
expect 2 "$B" inbound --contacts --link "$L_NEW1" --to C-3
expect 2 "$B" inbound --contacts --create nosuch
expect 2 "$B" inbound --contacts --link "$L_NEAR1"
expect 0 "$B" inbound --contacts --list
has "$T/out" "no contacts await a decision"
expect 0 "$B" inbound --contacts --list --all --json
eq "dismissed kept" "$(jv "j.contacts.find(c => c.ledger_id === '$L_NEAR3').status" <"$T/out")" dismissed
eq "decided by a person" "$(jv "j.contacts.find(c => c.ledger_id === '$L_NEAR2').decided_by" <"$T/out")" cli
expect 0 "$B" inbound --contacts --json
eq "a decided contact is not listed again" "$(jv j.listed <"$T/out")" 0
eq "nor imported" "$(jv j.imported <"$T/out")" 0

# --- events: one per contact imported or linked ------------------------------------
evs=$(q "SELECT count(*) FROM events WHERE type = 'contact.imported'")
eq "events" "$evs" "$((want_imported + 3 + 2))"
ev=$(q "SELECT data FROM events WHERE type = 'contact.imported' AND data LIKE '%$L_MAIL%'")
case $ev in *'"action":"linked"'*'"id":"C-2"'*'"reason":"same e-mail"'*) ok ;; *) bad "event data: $ev" ;; esac

# --- the sync posts booksync's own unlinked records only ---------------------------------
seq1=$(log_total "$U")
bs_sync --everything
eq "sync exit" "$bs_rc" 0
after=$(xq Contacts 'j.Contacts.length')
# C-3 (Jonathan Smith) and S-2 (Echo Supplies) were booksync's and unlinked
eq "only booksync's two unlinked contacts were posted" "$after" "$((before + 9 + 2))"
eq "one Ledger Only Customer in the ledger" \
	"$(xq Contacts "j.Contacts.filter(c => c.Name === 'Ledger Only Customer').length")" 1
: "$seq1"

# --- usage ---------------------------------------------------------------------
expect 0 "$B" inbound --contacts --help
has "$T/out" "--dismiss"
expect 2 "$B" inbound --contacts --list --create x
expect 2 "$B" inbound --contacts --bogus
finish
