# tests/rig/pg.sh: a private PostgreSQL server for one test run (sourced, POSIX sh).
#   . tests/rig/pg.sh
#   pg_rig_start            initdb into a temp dir (as the postgres user), Unix socket
#                           there, a port of its own; sets PG_RIG_DIR, PG_RIG_PORT
#   pg_rig_createdb NAME    a fresh database owned by the role "station"; prints its URI
#   pg_rig_uri NAME         the libpq URI of database NAME (as role "station")
#   pg_rig_psql NAME ARGS   psql on database NAME (as "station"), unaligned, tuples only
#   pg_rig_restart          pg_ctl restart -m fast (an outage mid-test)
#   pg_rig_down / pg_rig_up the server stopped (fast) and started again: a longer outage
#   pg_rig_stop             pg_ctl -m fast stop and removes the directory (call from a trap)
# No system service is touched. PostgreSQL refuses root: initdb and pg_ctl run as
# "postgres" (runuser); the directory is chowned to it.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_RIG_DIR=${PG_RIG_DIR:-}
PG_RIG_PORT=${PG_RIG_PORT:-}

pg_rig_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_rig_available() {
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && { [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1; }
}

pg_rig_start() {
	pg_rig_available || { echo "pg_rig: PostgreSQL binaries not found (scripts/deps.sh)" >&2; return 1; }
	PG_RIG_DIR=$(mktemp -d /tmp/pgrig.XXXXXX) || return 1
	chmod 755 "$PG_RIG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres "$PG_RIG_DIR"
	# A port per run names the socket file; with no TCP listener two runs never meet.
	PG_RIG_PORT=$(( 20000 + ($$ % 20000) ))
	pg_rig_as "$PG_BIN/initdb" -D "$PG_RIG_DIR/data" -U postgres -A trust -E UTF8 \
	    --locale=C --no-sync >"$PG_RIG_DIR/initdb.log" 2>&1 || {
		cat "$PG_RIG_DIR/initdb.log" >&2; return 1; }
	echo "local all all trust" >"$PG_RIG_DIR/hba"
	pg_rig_as cp "$PG_RIG_DIR/hba" "$PG_RIG_DIR/data/pg_hba.conf"
	pg_rig_as "$PG_BIN/pg_ctl" -D "$PG_RIG_DIR/data" -l "$PG_RIG_DIR/server.log" \
	    -o "-c listen_addresses='' -k $PG_RIG_DIR -p $PG_RIG_PORT -c fsync=${PG_RIG_FSYNC:-off} -c max_connections=200" \
	    -w start >/dev/null || { tail -20 "$PG_RIG_DIR/server.log" >&2; return 1; }
	pg_rig_as "$PG_BIN/psql" -X -q -h "$PG_RIG_DIR" -p "$PG_RIG_PORT" -U postgres -d postgres \
	    -c "CREATE ROLE station LOGIN CREATEDB" >/dev/null || return 1
	return 0
}

pg_rig_uri() {
	echo "postgresql:///$1?host=$PG_RIG_DIR&port=$PG_RIG_PORT&user=station"
}

pg_rig_createdb() {
	"$PG_BIN/createdb" -h "$PG_RIG_DIR" -p "$PG_RIG_PORT" -U station -O station "$1" || return 1
	pg_rig_uri "$1"
}

pg_rig_psql() {
	_db=$1
	shift
	"$PG_BIN/psql" -X -q -A -t -h "$PG_RIG_DIR" -p "$PG_RIG_PORT" -U station -d "$_db" "$@"
}

pg_rig_restart() {
	pg_rig_as "$PG_BIN/pg_ctl" -D "$PG_RIG_DIR/data" -m fast -w restart \
	    -o "-c listen_addresses='' -k $PG_RIG_DIR -p $PG_RIG_PORT -c fsync=${PG_RIG_FSYNC:-off} -c max_connections=200" \
	    -l "$PG_RIG_DIR/server.log" >/dev/null
}

pg_rig_down() {
	pg_rig_as "$PG_BIN/pg_ctl" -D "$PG_RIG_DIR/data" -m fast -w stop >/dev/null
}

pg_rig_up() {
	pg_rig_as "$PG_BIN/pg_ctl" -D "$PG_RIG_DIR/data" -l "$PG_RIG_DIR/server.log" \
	    -o "-c listen_addresses='' -k $PG_RIG_DIR -p $PG_RIG_PORT -c fsync=${PG_RIG_FSYNC:-off} -c max_connections=200" \
	    -w start >/dev/null
}

pg_rig_stop() {
	[ -n "$PG_RIG_DIR" ] || return 0
	if [ -d "$PG_RIG_DIR/data" ]; then
		pg_rig_as "$PG_BIN/pg_ctl" -D "$PG_RIG_DIR/data" -m fast -w stop >/dev/null 2>&1
	fi
	[ -z "$KEEP" ] && rm -rf "$PG_RIG_DIR"
	PG_RIG_DIR=
}
