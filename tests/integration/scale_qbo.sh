#!/bin/sh
# scale_qbo.sh - bench/qbo_batches as a test: 10,000 bills and 2,000
# vendors reach the QuickBooks Online sandbox in at most 1.02 x the fewest
# /batch calls QBO allows (ceil(2000/30) + ceil(10000/30) = 401), with no
# 429 under QBO's default limits time-scaled x60, each bill once at the
# source's total to the cent.  QBO_BILLS / QBO_VENDORS make it smaller.
#
# Env (set by CTest): BOOKSYNC, BS_BUILD_DIR (gen_records), BS_SOURCE_DIR.
src=${BS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec sh "$src/bench/qbo_batches"
