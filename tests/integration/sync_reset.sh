#!/bin/sh
# sync_reset.sh - Reset For Re-import (and resync, and a changed version) of
# every record of every kind, then sync: each linked document is updated where it stands or left alone where
# the ledger allows no edit; none is posted a second time (docs/states-and-tabs.md
# "Reset and resync": reset keeps the link; docs/exactly-once.md).  Differential: the
# ledger's fingerprint after reset + sync equals the one before.
set -u
. "$(dirname "$0")/lib/sync_lib.sh"

cp "$(dirname "$0")/lib/kinds.jsonl" "$T/kinds.jsonl"
sb_start --limits off
fresh_store reset
expect 0 "$B" import "$T/kinds.jsonl"
connect "$SB_URL"
bs_sync --everything
eq "first sync" "$bs_rc" 0
xlogin "$SB_URL"
fingerprint >"$T/before.txt"

# every record, as KIND:ID
refs=$(node -e 'require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).forEach(l => { const o = JSON.parse(l); console.log(o.kind + ":" + o.id); })' "$T/kinds.jsonl")
# shellcheck disable=SC2086
expect 0 "$B" reset $refs
bs_sync --everything
echo "after reset of all $(echo "$refs" | wc -l | tr -d ' ') records: sync exit $bs_rc, $(jv j.posted <"$T/sync.json") posted, $(jv j.failed <"$T/sync.json") failed"
"$B" errors | sed 's/^/  /' >&2
fingerprint >"$T/after.txt"
if cmp -s "$T/before.txt" "$T/after.txt"; then ok; else
	bad "the ledger changed after reset + sync (< before, > after):"
	diff "$T/before.txt" "$T/after.txt" | grep '^[<>]' | cut -c1-200 | head -20 >&2
fi
# record by record, each in a fresh ledger: which kinds double up
for r in $refs; do
	sb_reset "$SB_URL"
	fresh_store "one"
	"$B" import "$T/kinds.jsonl" >/dev/null 2>&1
	"$B" connect xero --base-url "$SB_URL" </dev/null >/dev/null 2>&1
	bs_sync --everything
	fingerprint >"$T/one-before.txt"
	"$B" reset "$r" >/dev/null 2>&1
	bs_sync --everything
	fingerprint >"$T/one-after.txt"
	if cmp -s "$T/one-before.txt" "$T/one-after.txt"; then ok; else
		bad "$r: reset + sync changed the ledger (< before, > after):"
		diff "$T/one-before.txt" "$T/one-after.txt" | grep '^[<>]' | cut -c1-200 | head -6 >&2
	fi
	# resync (send now: update the linked document) changes nothing either
	"$B" resync "$r" >/dev/null 2>&1
	fingerprint >"$T/one-resync.txt"
	if cmp -s "$T/one-after.txt" "$T/one-resync.txt"; then ok; else
		bad "$r: resync changed the ledger (< before, > after):"
		diff "$T/one-after.txt" "$T/one-resync.txt" | grep '^[<>]' | cut -c1-200 | head -6 >&2
	fi
	# a changed version whose change the fingerprint does not show (the date,
	# or a contact's email): updated in place or refused, never a second document
	node -e '
const fs = require("fs"), [file, ref, out] = process.argv.slice(1);
for (const l of fs.readFileSync(file, "utf8").split("\n").filter(Boolean)) {
	const o = JSON.parse(l);
	if (o.kind + ":" + o.id !== ref) continue;
	if (o.date) o.date = "2026-10-20"; else if (o.kind != "product") o.email = "changed@example.com"; else o.category = "changed";
	if (o.version) o.version++;
	fs.writeFileSync(out, JSON.stringify(o) + "\n");
}' "$T/kinds.jsonl" "$r" "$T/changed.jsonl"
	"$B" import "$T/changed.jsonl" >/dev/null 2>&1
	bs_sync --everything
	fingerprint >"$T/one-changed.txt"
	if cmp -s "$T/one-resync.txt" "$T/one-changed.txt"; then ok; else
		bad "$r: a changed version changed the ledger's documents (< before, > after):"
		diff "$T/one-resync.txt" "$T/one-changed.txt" | grep '^[<>]' | cut -c1-200 | head -6 >&2
	fi
	case $r in
	sale:*) # an unpaid invoice is editable: the new date must be in Xero
		id=${r#sale:}
		paid=$(xq Invoices "(i => i.AmountPaid > 0 || i.AmountCredited > 0)(j.Invoices.find(i => i.Reference == '$id'))")
		[ "$paid" = true ] ||
			eq "$r: changed date posted in place" "$(xq Invoices "j.Invoices.find(i => i.Reference == '$id').DateString.slice(0, 10)")" 2026-10-20
		;;
	esac
done

finish
