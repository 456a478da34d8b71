# pg.sh - a PostgreSQL server of the test's own: Debian's postgresql (15),
# initdb in a temporary directory, listening on a free port of 127.0.0.1
# only, stopped by pg_stop.  As root the server runs as the `postgres` user
# the package made (PostgreSQL refuses to run as root).  POSIX sh.
#
#   . lib/pg.sh; pg_start || exit 1; ...; pg_stop
#
# pg_start sets PG_URL (postgresql://booksync@127.0.0.1:PORT/postgres:
# trust authentication, for the loopback only) and PG_DIR.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

pg_as() { # pg_as CMD...: run as the server's user
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
		console.log(s.address().port); s.close(); });'
}

pg_start() {
	if [ ! -x "$PG_BIN/initdb" ]; then
		echo "pg_start: no PostgreSQL server (scripts/install-deps installs it)" >&2
		return 1
	fi
	PG_DIR=$(mktemp -d /tmp/bs-pg-XXXXXX)
	chmod 755 "$PG_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
	if ! pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U booksync --auth=trust --no-locale \
		-E UTF8 >"$PG_DIR/initdb.log" 2>&1; then
		echo "pg_start: initdb failed:" >&2
		tail -n 5 "$PG_DIR/initdb.log" >&2
		return 1
	fi
	tries=0
	while :; do
		PG_PORT=$(pg_free_port)
		# fsync off: a test's server is thrown away, never recovered
		if pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
			-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
			start >/dev/null 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ $tries -ge 3 ]; then
			echo "pg_start: the server did not start:" >&2
			tail -n 5 "$PG_DIR/server.log" >&2
			return 1
		fi
	done
	PG_URL="postgresql://booksync@127.0.0.1:$PG_PORT/postgres"
	export PG_URL PG_DIR
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=
}
