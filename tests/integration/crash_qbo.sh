#!/bin/sh
# crash_qbo.sh - the crash test (crash_exactly_once.sh: SIGKILL at 50 points
# of a sync that creates, updates, voids, pays and allocates, against a
# ledger that loses answers) with QuickBooks Online's sandbox as the ledger:
# every document once, at its latest version, totals to the cent.
#
# Env (set by CTest): BOOKSYNC, BS_BUILD_DIR, BS_SOURCE_DIR; CRASH_SEED,
# CRASH_KILLS, CRASH_MAX_MS, CRASH_PER_MINUTE as for crash_exactly_once.sh.
CRASH_LEDGER=qbo
export CRASH_LEDGER
exec sh "$(dirname "$0")/crash_exactly_once.sh"
