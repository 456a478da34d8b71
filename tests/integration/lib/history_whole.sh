# history_whole.sh - is the store's history whole?  For tests that kill or
# cut syncs short (docs/exactly-once.md "Held by the outbox").
#
# store_query SQL: SQL's one-row, one-column answer from the store
# $BOOKSYNC_DB, a SQLite file or a PostgreSQL address ending in
# ?schema=NAME (sync_lib.sh's fresh_store).
store_query() {
	case $BOOKSYNC_DB in
	postgresql://* | postgres://*)
		psql -q -X -A -t "${BOOKSYNC_DB%\?schema=*}" \
			-c "SET search_path TO ${BOOKSYNC_DB##*\?schema=}" -c "$1"
		;;
	*) sqlite3 "$BOOKSYNC_DB" "$1" ;;
	esac
}

# history_whole: three counts, each 0 when history is whole: moves that do
# not start where the record's last move on that ledger ended; records
# whose last move does not end in their state; outbox rows still holding
# a move or a serial (0 only when nothing is queued).
history_whole() {
	echo "$(store_query "SELECT count(*) FROM (SELECT from_state, lag(to_state)
		OVER (PARTITION BY record, target ORDER BY seq) AS prev FROM history
		WHERE target <> '') AS m WHERE from_state <> coalesce(prev, 'not_imported')")" \
		"$(store_query "SELECT count(*) FROM sync_state s WHERE s.state <> coalesce((
		SELECT h.to_state FROM history h WHERE h.record = s.record AND h.target = s.target
		ORDER BY h.seq DESC LIMIT 1), 'not_imported')")" \
		"$(store_query "SELECT count(*) FROM outbox
		WHERE hist_from IS NOT NULL OR serial IS NOT NULL")"
}
