#!/bin/sh
# dashboard_web.sh - the dashboard's own logic and static rules without a
# browser (tests/dashboard/unit/*.test.js, node:test, no npm packages):
# every web/ module parses, index.html has no inline script or style (the
# CSP forbids them), no module builds HTML from strings, and the pure
# functions (chart scale, the 30-day window, tab labels and counts,
# settings, job sentences, state names) give what they should.
#
# Env (set by CTest): BS_SOURCE_DIR.
set -eu
src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v node >/dev/null 2>&1 || { echo "dashboard_web: node not found (run scripts/install-deps)" >&2; exit 1; }
cd "$src/tests/dashboard"
node --test --test-reporter=tap unit/*.test.js
