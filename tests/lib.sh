# tests/lib.sh: shared helpers for the end-to-end scripts (sourced, POSIX sh).
#   . tests/lib.sh
#   lib_init NAME            temp dir $T, counters, cleanup trap (kills what we started)
#   lib_station [EXTRA]      writes $T/station.ini ([daemon],[shop],[station pack-1] + EXTRA)
#   lib_start                starts `stationd -d -c $CONF` in the background, waits for the socket
#   lib_stop                 SIGTERM, waits, asserts exit 0
#   lib_kill9                kill -9, waits
#   ctl ARGS...              stationctl -c $CONF ARGS...
#   ok NAME / fail NAME MSG  count a case; expect_eq NAME WANT GOT; expect_rc NAME WANT GOT
#   lib_finish               prints "NAME: N passed, M failed" and exits non-zero on failure
# STATION_DB=pg runs the same script on PostgreSQL: lib_station writes a postgresql: URI
# to a fresh database (createdb per call) on the server of tests/rig/pg.sh (started
# here unless the caller's PG_RIG_DIR/PG_RIG_PORT name one); `sql` asks it with psql.
# Binaries are taken from $STATIOND / $STATIONCTL or build/ of the repository.

LIB_ROOT=${LIB_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
STATIOND=${STATIOND:-$LIB_ROOT/build/stationd}
STATIONCTL=${STATIONCTL:-$LIB_ROOT/build/stationctl}
SAMPLES=$LIB_ROOT/samples
LIB_PASS=0
LIB_FAIL=0
DPID=

lib_cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -9 "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	for p in $LIB_EXTRA_PIDS; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -n "$LIB_MOUNT" ]; then
		umount "$LIB_MOUNT" 2>/dev/null
	fi
	if [ -n "$LIB_OWN_PG" ]; then
		pg_rig_stop
	fi
	if [ -n "$T" ] && [ -d "$T" ] && [ -z "$KEEP" ]; then
		rm -rf "$T"
	fi
}

lib_init() {
	LIB_NAME=$1
	T=$(mktemp -d /tmp/e2e-"$LIB_NAME".XXXXXX) || exit 1
	chmod 755 "$T"
	CONF=$T/station.ini
	LIB_EXTRA_PIDS=
	LIB_MOUNT=
	trap lib_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	LIB_PGDB=0
	if [ "${STATION_DB:-sqlite}" = pg ]; then
		. "$LIB_ROOT/tests/rig/pg.sh"
		if [ -z "$PG_RIG_DIR" ]; then
			LIB_OWN_PG=1
			pg_rig_start || exit 1
		fi
	fi
}

# LIB_DBLINE: the [daemon] database value: a file, or (STATION_DB=pg) a fresh PostgreSQL database.
lib_database() {
	if [ "${STATION_DB:-sqlite}" = pg ]; then
		LIB_PGDB=$((LIB_PGDB + 1))
		PGDB=$(echo "e2e_${LIB_NAME}_$$_$LIB_PGDB" | tr -c 'a-zA-Z0-9_\n' _)
		LIB_DBLINE=$(pg_rig_createdb "$PGDB") || exit 1
	else
		LIB_DBLINE=var/station.db
	fi
}

# Writes a configuration with one station "pack-1"; $1 is appended verbatim.
lib_station() {
	lib_database
	cat >"$CONF" <<EOC
[daemon]
database = $LIB_DBLINE
spool    = var/spool
socket   = var/station.sock

[shop]
name     = Example Goods
address1 = 1 Dock Road
city     = Springfield
province = MA
zip      = 01101
country  = US
gs1_prefix = 0614141

[station pack-1]
duplicate_window = 0
$1
EOC
	mkdir -p "$T/var"
	SPOOL=$T/var/spool
	DB=$T/var/station.db
	SOCK=$T/var/station.sock
}

ctl() {
	"$STATIONCTL" -c "$CONF" "$@"
}

# Waits until $1 (a shell condition) holds, polling every 10 ms, for at most $2 s.
wait_for() {
	_cond=$1
	_deadline=$(( $(date +%s%N) / 1000000 + ${2:-5} * 1000 ))
	while ! eval "$_cond"; do
		if [ $(( $(date +%s%N) / 1000000 )) -gt $_deadline ]; then
			return 1
		fi
		sleep 0.01
	done
	return 0
}

# The daemon answers a ping on its socket (not only: the socket file exists).
lib_ping() {
	ctl status >/dev/null 2>&1
}

lib_start() {
	"$STATIOND" -d -c "$CONF" 2>>"$T/stationd.log" &
	DPID=$!
	if ! wait_for lib_ping 10; then
		echo "lib_start: stationd did not come up; its log:" >&2
		tail -20 "$T/stationd.log" >&2
		return 1
	fi
	return 0
}

# SIGTERM; returns the daemon's exit status (0 expected).
lib_stop() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	# a daemon that hangs while stopping fails the test (within 30 s), never the run
	if ! wait_for '! kill -0 "$DPID" 2>/dev/null || grep -q "^State:.*zombie" /proc/$DPID/status 2>/dev/null' 30; then
		echo "lib_stop: stationd (pid $DPID) did not stop within 30 s of SIGTERM" >&2
		kill -9 "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		DPID=
		return 124
	fi
	wait "$DPID"
	_rc=$?
	DPID=
	return $_rc
}

lib_kill9() {
	[ -n "$DPID" ] || return 0
	kill -9 "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}

ok() {
	LIB_PASS=$((LIB_PASS + 1))
}

fail() {
	LIB_FAIL=$((LIB_FAIL + 1))
	echo "FAIL: $1${2:+: $2}"
}

# expect_eq NAME WANT GOT: exact comparison, a diff on failure.
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1"
		printf '%s\n' "$2" >"$T/.want"
		printf '%s\n' "$3" >"$T/.got"
		diff -u "$T/.want" "$T/.got" | sed 's/^/    /' | head -40
	fi
}

# expect_rc NAME WANT GOT
expect_rc() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1" "exit status $3, want $2"
	fi
}

# expect_contains NAME NEEDLE HAYSTACK
expect_contains() {
	case "$3" in
	*"$2"*) ok "$1" ;;
	*) fail "$1" "'$2' not in: $(printf '%s' "$3" | head -c 400)" ;;
	esac
}

# expect_true NAME COMMAND...: passes when the command succeeds.
expect_true() {
	_n=$1
	shift
	if "$@"; then ok "$_n"; else fail "$_n" "$*"; fi
}

# Drops a file into spool/in atomically (written as .tmp, then renamed).
spool_drop() {
	cp "$1" "$SPOOL/in/.$2.tmp" && mv "$SPOOL/in/.$2.tmp" "$SPOOL/in/$2"
}

# Waits until spool/in/$1 has been taken (moved to done/ or failed/).
spool_wait() {
	wait_for "[ ! -e '$SPOOL/in/$1' ]" 10
}

# A read-only query on the station database: sqlite3, or psql for STATION_DB=pg
# (rows as sqlite3 prints them: columns joined by '|').
sql() {
	if [ "${STATION_DB:-sqlite}" = pg ]; then
		# a boolean alone on its line reads as sqlite3 prints it (1 / 0)
		pg_rig_psql "$PGDB" -F '|' -c "$1" | sed 's/^t$/1/; s/^f$/0/'
		return
	fi
	sqlite3 -readonly -batch "file:$DB?mode=ro" "$1" 2>/dev/null || sqlite3 -batch "$DB" "$1"
}

lib_finish() {
	echo "$LIB_NAME: $LIB_PASS passed, $LIB_FAIL failed"
	[ "$LIB_FAIL" -eq 0 ]
	exit $?
}

# lib_order ID NAME FINANCIAL CANCELLED_AT LINE... > file.json
# LINE is "LINEID:SKU:QTY" (fulfillable = QTY, requires shipping). CANCELLED_AT "" = null.
# Prints a Shopify order webhook body ({"order":{...}}).
lib_order() {
	_id=$1 _name=$2 _fin=$3 _can=$4
	shift 4
	_lines= _sep=
	for _l in "$@"; do
		_lid=${_l%%:*}; _r=${_l#*:}; _sku=${_r%%:*}; _q=${_r#*:}
		_lines="$_lines$_sep{\"id\":$_lid,\"sku\":\"$_sku\",\"title\":\"Item $_sku\",\"name\":\"Item $_sku\",\"quantity\":$_q,\"fulfillable_quantity\":$_q,\"requires_shipping\":true,\"grams\":100,\"fulfillment_status\":null}"
		_sep=,
	done
	if [ -n "$_can" ]; then _can="\"$_can\""; else _can=null; fi
	printf '{"order":{"id":%s,"name":"%s","created_at":"2024-03-04T09:00:00+01:00","financial_status":"%s","fulfillment_status":null,"cancelled_at":%s,"cancel_reason":null,"shipping_address":{"name":"Test Person","address1":"%s","city":"Berlin","zip":"10623","country":"Germany","country_code":"DE"},"shipping_lines":[{"title":"DHL Paket","code":"DHL"}],"line_items":[%s]}}\n' \
	    "$_id" "$_name" "$_fin" "$_can" "${LIB_ADDRESS:-Street 1}" "$_lines"
}

# Imports a file through the daemon, quietly; returns stationctl's status.
lib_import() {
	ctl import "$1" >/dev/null
}

# --- for the benchmarks -----------------------------------------------------------
# Several stations side by side: lib_keep NAME saves the current one (T, CONF,
# SOCK, DB, SPOOL and its running daemon, which the cleanup then kills too);
# lib_use NAME makes it the one ctl, sql, lib_start and lib_stop see.
lib_keep() {
	eval "T_$1=\$T CONF_$1=\$CONF SOCK_$1=\$SOCK DB_$1=\$DB SPOOL_$1=\$SPOOL DPID_$1=\$DPID"
	LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $DPID"
}
lib_use() {
	eval "T=\$T_$1 CONF=\$CONF_$1 SOCK=\$SOCK_$1 DB=\$DB_$1 SPOOL=\$SPOOL_$1 DPID=\$DPID_$1"
}
# lib_bulk_orders N PREFIX: N ready orders PREFIX1..PREFIXN, one line (1 x MUG-BLK-12)
# each, inserted straight into the daemon's schema (the daemon must have created
# the database and be stopped). Far faster than intake, for big databases.
lib_bulk_orders() {
	sqlite3 -batch "$DB" >/dev/null <<EOS
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
INSERT INTO orders(shop_id, name, created_at, financial_status, has_ship, ship_name,
    ship_address1, ship_city, ship_zip, ship_country, ship_country_code, shipping_title,
    status, imported_at, updated_at)
SELECT 8000000000000 + i, '$2' || i, '2024-03-04T09:00:00Z', 'paid', 1, 'Bench Person ' || i,
    i || ' Bench Road', 'Springfield', '01101', 'United States', 'US', 'UPS Ground',
    'ready', 1700000000000, 1700000000000 FROM n;
INSERT INTO order_lines(order_id, shop_line_id, position, sku, title, name, quantity,
    fulfillable_quantity, requires_shipping, grams)
SELECT id, 7000000000000 + id, 1, 'MUG-BLK-12', 'Ceramic Mug', 'Ceramic Mug', 1, 1, 1, 420
    FROM orders WHERE name GLOB '$2*';
COMMIT;
EOS
}

# lib_bulk_events N: N station-log events over 8 stations, 20 packers and 30 days.
lib_bulk_events() {
	sqlite3 -batch "$DB" <<EOS
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
INSERT INTO events(at, station, order_id, order_name, packer, kind, verdict, message, error)
SELECT (strftime('%s','now') - 30 * 86400) * 1000 + i * (30 * 86400000 / $1),
    'pack-' || (i % 8), i % 100000 + 1, '#B' || (i % 100000 + 1), 'p' || (i % 20),
    CASE WHEN i % 10 = 0 THEN 'open' ELSE 'scan' END,
    CASE WHEN i % 17 = 0 THEN 'wrong_item' ELSE 'ok' END,
    'OK  MUG-BLK-12  1 of 1', CASE WHEN i % 17 = 0 THEN 1 ELSE 0 END FROM n;
COMMIT;
EOS
}

# lib_median: the median of the numbers on stdin, one per line.
lib_median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# lib_pct FILE P: the P-th percentile (0 < P <= 1) of the numbers in FILE, one a line
lib_pct() {
	sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int(NR * p); if (i < 1) i = 1; print v[i] }'
}

# lib_ms COMMAND...: wall time of one run in ms (output discarded).
lib_ms() {
	_t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	_t1=$(date +%s%N)
	echo $(( (_t1 - _t0) / 1000 )) | awk '{ printf "%.3f\n", $1 / 1000 }'
}
