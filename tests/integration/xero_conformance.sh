#!/bin/sh
# xero_conformance.sh - run the Xero conformance suite (tests/conformance)
# against `booksync sandbox xero`: xero-node drives the sandbox and every
# reply is validated against Xero's OpenAPI spec.
#
# Env (set by CTest): BOOKSYNC = booksync binary, BS_SOURCE_DIR = repo root.
# The npm install and the run are tests/integration/lib/npm_suite.sh's.
set -eu

src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BOOKSYNC=${BOOKSYNC:-$src/build/booksync}
. "$src/tests/integration/lib/npm_suite.sh"
npm_suite xero_conformance "$src/tests/conformance"
