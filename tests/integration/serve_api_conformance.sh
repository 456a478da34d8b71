#!/bin/sh
# serve_api_conformance.sh - every answer of the REST API against
# docs/openapi.yaml: a real `booksync serve` on a store connected to
# `booksync sandbox xero`, the example records imported and synced once,
# then tests/api-conformance (node:test + ajv, JSON Schema 2020-12) calls
# every endpoint and validates each answer (status, Content-Type, body).
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR = repo root.
set -u
src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}
export BOOKSYNC BS_SOURCE_DIR="$src"
BS_LIB=$src/tests/integration/lib
. "$BS_LIB/sync_lib.sh"

sb_start --limits off
fresh_store conf
expect 0 "$B" import "$src"/examples/customers.csv "$src"/examples/suppliers.jsonl \
	"$src"/examples/products.csv "$src"/examples/sales.jsonl || finish
connect "$SB_URL" || finish
bs_sync --everything
# two imported ledger payments (docs/inbound.md) for GET /inbound: one
# applied, one skipped two days ago (overdue)
TGT=$(sqlite3 "$BOOKSYNC_DB" "SELECT id FROM targets LIMIT 1")
now_ms=$(($(date +%s) * 1000))
sqlite3 "$BOOKSYNC_DB" "INSERT INTO inbound_payments(target, ledger_id, state, reason, contact,
	customer, invoice, sale, currency, amount, date, updated_ms, event, decided_ms) VALUES
	('$TGT', 'pay-1', 'applied', '', 'ct-1', 'C-1', 'inv-1', 'SO-1', 'NZD', 100000000,
	 '2026-11-10', $now_ms, '', $now_ms),
	('$TGT', 'pay-2', 'skipped', 'partial payment', 'ct-1', 'C-1', 'inv-2', '', 'NZD', 69000000,
	 '2026-11-10', $now_ms, '', $((now_ms - 172800000)))" || bad "inbound rows"
# a refused re-import (docs/consolidation.md "Locking") for GET /refused:
# what the store writes when a consolidated member's new content is refused
sqlite3 "$BOOKSYNC_DB" "INSERT INTO refusals(record, target, at_ms, message)
	SELECT rowid, '$TGT', $now_ms, 'sale SO-1001 is in consolidated document SO-2026/11/10-Web(A)-1,
	already posted: its total can''t change' FROM records WHERE id = 'SO-1001' AND kind = 3" ||
	bad "refusal row"
printf 'conformance pw\n' | "$B" user add conf >/dev/null 2>&1 || bad "user add"
BS_TOKEN_ALL=$("$B" token add all --scope records:write,read,sync,admin 2>/dev/null)
BS_TOKEN_READ=$("$B" token add reader --scope read 2>/dev/null)
export BS_TOKEN_ALL BS_TOKEN_READ BS_USER=conf BS_PASSWORD='conformance pw'

"$B" serve --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err" &
SRV=$!
echo "$SRV" >>"$T/pids"
i=0
until [ -s "$T/serve.out" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
BS_API_URL=$(head -n 1 "$T/serve.out" | grep -o 'http://[0-9.:]*')
[ -n "$BS_API_URL" ] || { bad "serve did not start: $(cat "$T/serve.err")"; finish; }
export BS_API_URL

# the suite's own exit status decides; npm_suite runs it in a subshell so
# this script's trap still stops the sandbox and the server
(. "$BS_LIB/npm_suite.sh" && npm_suite serve_api_conformance "$src/tests/api-conformance")
rc=$?
[ "$rc" -eq 0 ] && ok || bad "the conformance suite failed (exit $rc)"
kill "$SRV" 2>/dev/null
wait "$SRV" 2>/dev/null
eq "serve stopped cleanly" "$?" 0
finish
