#!/bin/sh
# sync_consolidation_month_qbo.sh - the month of sync_consolidation_month.sh
# (three channels, two daily and one monthly, with payments and COGS) into
# the QuickBooks Online sandbox: every invoice, payment and COGS journal
# read back equals the sum of its members to the cent, no member is in two
# documents.  CONS_MONTH_SALES sales (default 3,000: all 126 documents of
# each type, about 5 s here, under a minute in `make check`).
CONS_MONTH_LEDGER=qbo
export CONS_MONTH_LEDGER
exec sh "$(dirname "$0")/sync_consolidation_month.sh"
