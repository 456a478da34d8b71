#!/bin/sh
# sync_recover.sh - a sync killed mid-call leaves its request frozen; the
# next sync resumes it at once and posts each document once, whatever the
# operation: an update, a void, a payment, an allocation (issue 15 item 1:
# a frozen update used to make a lookup that sent nothing, the governor read
# its zeroed figures as "nothing left today", and the next sync hung a day).
#
# Each scenario imports a change, syncs against a ledger that answers every
# API call only after $SLOW ms (or drops every one), kills the sync with
# SIGKILL mid-call, checks that a request of the expected type is frozen in
# the store, restarts the ledger without faults (it finishes the call in
# flight first, and forgets its idempotency keys), then syncs under a
# timeout: it must finish, and the ledger must hold each document once, at
# its latest version.  The last scenario kills before the ledger commits
# anything, with an allocation of the same credit note, invoice and amount
# as one already posted: it must still be sent.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 not found (scripts/install-deps)" >&2; exit 1; }

SLOW=1500
KILL_AFTER=0.8

sale() { # sale ID TOTAL [STATUS]: one line, no tax, so the total is the price
	printf '{"kind":"sale","id":"%s","reference":"%s","customer_id":"C-1","date":"2026-10-01","invoiced":true,"status":"%s","tax_mode":"none","lines":[{"description":"goods","qty":"1","unit_price":"%s","tax_rate":"0"}]}\n' \
		"$1" "$1" "${3:-invoiced}" "$2"
}
used() { # used ID AMOUNT SALE: store credit applied to a sale (an allocation)
	printf '{"kind":"store_credit","id":"%s","customer_id":"C-1","event":"used","amount":"%s","sale_id":"%s","date":"2026-10-07"}\n' \
		"$1" "$2" "$3"
}

{
	echo '{"kind":"customer","id":"C-1","name":"Aroha Ltd"}'
	sale SO-1 10.00
	sale SO-2 40.00
	sale SO-3 30.00
	echo '{"kind":"store_credit","id":"SC-1","customer_id":"C-1","event":"issued","amount":"50.00","origin":"refund","date":"2026-10-02"}'
} >"$T/v1.jsonl"
{
	sale SO-1 20.00
	sale SO-2 80.00
	sale SO-3 60.00
} >"$T/updates.jsonl"
sale SO-3 60.00 void >"$T/voids.jsonl"
echo '{"kind":"payment","id":"PAY-1","sale_id":"SO-1","date":"2026-10-05","amount":"20.00","account":"090"}' >"$T/payments.jsonl"
used SC-2 20.00 SO-2 >"$T/allocations.jsonl"
used SC-3 20.00 SO-2 >"$T/allocations2.jsonl"

sb_start --state "$T/ledger.db"
fresh_store recover
expect 0 "$B" import "$T/v1.jsonl"
connect "$SB_URL"
bs_sync --everything
eq "first sync" "$bs_rc" 0
SB_LISTEN=${SB_URL#http://}

# killed NAME TYPE FILE FAULT: import FILE, sync against a ledger with FAULT
# on every call, SIGKILL it after $KILL_AFTER s; a TYPE request must be left
# frozen.  Then the ledger without faults (left running, on the same port),
# and a sync that must finish.
killed() {
	sb_stop
	expect 0 "$B" import "$3"
	sb_start --state "$T/ledger.db" --faults "rate=1,seed=1,kinds=$4,slow-ms=$SLOW"
	"$B" sync --everything >/dev/null 2>&1 &
	pid=$!
	sleep "$KILL_AFTER"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	eq "[$1] the kill left a $2 request frozen" \
		"$(sqlite3 "$BOOKSYNC_DB" "SELECT group_concat(doc_type) FROM requests WHERE status = 'frozen'")" "$2"
	sb_stop
	sb_start --state "$T/ledger.db"
	"$B" sync --everything --json >"$T/sync.json" 2>"$T/sync.err" &
	pid=$!
	# a sync that waits for the governor's day would run for hours
	if ! gone "$pid" 200; then
		kill "$pid"
		bad "[$1] the next sync still runs after 20 s"
	fi
	wait "$pid"
	eq "[$1] the next sync finishes, exit 0" "$?" 0
	eq "[$1] nothing left frozen" \
		"$(sqlite3 "$BOOKSYNC_DB" "SELECT count(*) FROM requests WHERE status = 'frozen'")" 0
	# the ledger keeps its tokens across restarts: one login reads them all
	[ -n "${X_TOK:-}" ] || xlogin "$SB_URL"
}

# an update names its document: sent again at once, no lookup
killed updates Invoice "$T/updates.jsonl" slow
eq "[updates] one call: the request again, with its key" "$(jv j.calls <"$T/sync.json")" 1
eq "[updates] invoices at their new totals, once each" \
	"$(xq Invoices 'j.Invoices.map(i => i.Reference + "=" + c(i.Total)).sort().join(" ")')" \
	"SO-1=20.00 SO-2=80.00 SO-3=60.00"

# a void sent again finds its invoice void already: that is the void done
killed voids Invoice "$T/voids.jsonl" slow
eq "[voids] SO-3 voided, not created anew" \
	"$(xq Invoices 'j.Invoices.map(i => i.Reference + ":" + i.Status).sort().join(" ")')" \
	"SO-1:AUTHORISED SO-2:AUTHORISED SO-3:VOIDED"
eq "[voids] the void posted" "$(jv '"posted " + j.posted + ", failed " + j.failed' <"$T/sync.json")" \
	"posted 1, failed 0"
expect 0 "$B" history sale:SO-3
lacks "$T/out" "voided there"

# a payment is looked up by its reference on its invoice
killed payments Payment "$T/payments.jsonl" slow
eq "[payments] found by lookup" "$(jv j.recovered <"$T/sync.json")" 1
eq "[payments] one payment" "$(xq Payments 'j.Payments.map(p => p.Reference + "=" + c(p.Amount)).join(" ")')" \
	"PAY-1=20.00"

# an allocation: the credit note's allocations, compared on invoice + amount
killed allocations Allocation "$T/allocations.jsonl" slow
eq "[allocations] found on the credit note" "$(jv j.recovered <"$T/sync.json")" 1
eq "[allocations] one allocation" \
	"$(xq CreditNotes 'j.CreditNotes[0].Allocations.map(a => c(a.Amount)).join(" ") + " left " + c(j.CreditNotes[0].RemainingCredit)')" \
	"20.00 left 30.00"

# killed before the ledger took it: the one allocation there with the same
# credit note, invoice and amount is SC-2's, posted already, not this one
killed "allocations, same triple" Allocation "$T/allocations2.jsonl" drop
eq "[allocations, same triple] not taken for found" "$(jv j.recovered <"$T/sync.json")" 0
eq "[allocations, same triple] two allocations" \
	"$(xq CreditNotes 'j.CreditNotes[0].Allocations.map(a => c(a.Amount)).join(" ") + " left " + c(j.CreditNotes[0].RemainingCredit)')" \
	"20.00 20.00 left 10.00"

expect 0 "$B" pending --json
eq "nothing pending" "$(jv j.total <"$T/out")" 0
"$B" errors >"$T/errors.txt" 2>&1
has "$T/errors.txt" "0 records in error"
sb_stop
finish
