# with_pg.sh CMD...: run CMD with a PostgreSQL server of its own (lib/pg.sh)
# named by $BOOKSYNC_TEST_PG, and stop the server after, whatever CMD did.
# How CTest runs the store's tests and the sync tests against PostgreSQL:
# test_store makes each case's store a schema there, sync_lib.sh's
# fresh_store makes BOOKSYNC_DB an address there instead of a file.
. "$(dirname "$0")/pg.sh"
trap pg_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_start || exit 1
BOOKSYNC_TEST_PG=$PG_URL
export BOOKSYNC_TEST_PG
# the key that seals credentials: a PostgreSQL store has no file beside it
BOOKSYNC_KEY_FILE=$PG_DIR/booksync.key
export BOOKSYNC_KEY_FILE
"$@"
