#!/bin/sh
# qbo_conformance.sh - run the QuickBooks Online conformance suite
# (tests/conformance-qbo) against `booksync sandbox qbo`: Intuit's
# intuit-oauth and npm's node-quickbooks drive the sandbox.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR = repo root.
# The npm install and the run are tests/integration/lib/npm_suite.sh's.
set -eu

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}
. "$src/tests/integration/lib/npm_suite.sh"
npm_suite qbo_conformance "$src/tests/conformance-qbo"
