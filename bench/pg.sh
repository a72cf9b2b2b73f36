#!/bin/sh
# PostgreSQL beside SQLite in one run: the import rate of N orders, and
# scan-to-verdict p50/p99 through the control socket (bench/core_scan_latency:
# open + one item = a completed order, a durable commit each), one bench
# alone, 8 benches scanning back to back (saturation: one daemon with 8
# benches; on PostgreSQL also 4 boxes x 2 benches), and the floor's case:
# 8 benches each scanning every 100 ms (bench/verdict_latency: open, ok,
# completed; packers not in step, as in bench/verdict.sh: BENCH_JITTER=1),
# one daemon and (PostgreSQL) 4 boxes x 2. And PostgreSQL's round
# trips per scan, counted (STATION_TEST_PG_TRACE). PostgreSQL: a private
# server (tests/rig/pg.sh) on a local socket, fsync on. Prints figures,
# asserts nothing. BENCH_PG_ONLY=1 skips SQLite; BENCH_PG_ORDERS,
# BENCH_PG_SCANS(_EACH), BENCH_PG_PACED (orders per bench, 3 scans each) size it.
. "$(dirname "$0")/../tests/lib.sh"
. "$LIB_ROOT/tests/rig/pg.sh"
lib_init bench_pg
if ! pg_rig_available; then
	echo "bench/pg.sh: PostgreSQL not installed (scripts/deps.sh); skipped"
	exit 0
fi
N=${BENCH_PG_ORDERS:-10000}
ALONE=${BENCH_PG_SCANS:-2000}
EACH=${BENCH_PG_SCANS_EACH:-400}
PACED=${BENCH_PG_PACED:-25}
CLIENT=$LIB_ROOT/build/bench/core_scan_latency
PCLIENT=$LIB_ROOT/build/bench/verdict_latency
LIB_OWN_PG=1
PG_RIG_FSYNC=${PG_RIG_FSYNC:-on} pg_rig_start || exit 1
cd "$T" || exit 1
awk -v n="$N" 'BEGIN { printf "{\"orders\":[";
	for (i = 1; i <= n; i++)
		printf "%s{\"id\":%d,\"name\":\"#B%d\",\"financial_status\":\"paid\",\"shipping_address\":{\"name\":\"Bench %d\",\"address1\":\"%d Bench Road\",\"city\":\"Springfield\",\"zip\":\"01101\",\"country_code\":\"US\"},\"line_items\":[{\"id\":%d,\"sku\":\"MUG-BLK-12\",\"title\":\"Mug\",\"quantity\":1,\"requires_shipping\":true,\"grams\":420}]}", (i > 1 ? "," : ""), 3000000 + i, i, i, i, 4000000 + i;
	printf "]}\n" }' >orders.json

# the paced benches' orders: #P1.., one line of 2 units each (opened, ok, completed)
awk -v n=$((8 * PACED + 2)) 'BEGIN { printf "{\"orders\":[";
	for (i = 1; i <= n; i++)
		printf "%s{\"id\":%d,\"name\":\"#P%d\",\"financial_status\":\"paid\",\"shipping_address\":{\"name\":\"Bench %d\",\"address1\":\"%d Bench Road\",\"city\":\"Springfield\",\"zip\":\"01101\",\"country_code\":\"US\"},\"line_items\":[{\"id\":%d,\"sku\":\"MUG-BLK-12\",\"title\":\"Mug\",\"quantity\":2,\"requires_shipping\":true,\"grams\":420}]}", (i > 1 ? "," : ""), 5000000 + i, i, i, i, 6000000 + i;
	printf "]}\n" }' >orders_paced.json

# 200 more for counting an import's round trips
awk 'BEGIN { printf "{\"orders\":[";
	for (i = 1; i <= 200; i++)
		printf "%s{\"id\":%d,\"name\":\"#R%d\",\"financial_status\":\"paid\",\"shipping_address\":{\"name\":\"Bench %d\",\"address1\":\"%d Bench Road\",\"city\":\"Springfield\",\"zip\":\"01101\",\"country_code\":\"US\"},\"line_items\":[{\"id\":%d,\"sku\":\"MUG-BLK-12\",\"title\":\"Mug\",\"quantity\":1,\"requires_shipping\":true,\"grams\":420}]}", (i > 1 ? "," : ""), 7000000 + i, i, i, i, 8000000 + i;
	printf "]}\n" }' >orders_rt.json


# fresh ENGINE EXTRA: a stopped station on a fresh database, EXTRA appended to its ini
fresh() {
	lib_kill9
	rm -rf var raw.*
	STATION_DB=$1
	LIB_PGDB=${LIB_PGDB:-0}
	lib_station "$2"
}

# run ENGINE: import rate, then one bench alone, then 8 benches at once
run() {
	_e=$1
	extra=
	i=2
	while [ $i -le 8 ]; do
		extra="$extra
[station b$i]
duplicate_window = 0"
		i=$((i + 1))
	done
	fresh "$_e" "$extra"
	lib_start || { echo "bench/pg.sh: stationd ($_e) did not start"; return 1; }
	ctl import "$SAMPLES/products/products_export.csv" >/dev/null
	_t0=$(date +%s%N)
	ctl import orders.json >/dev/null || { echo "  import failed"; return 1; }
	_t1=$(date +%s%N)
	echo "$_e: import $N orders: $(echo "$N $(( (_t1 - _t0) / 1000000 ))" | awk '{ printf "%.0f orders/s (%.2f s)", $1 * 1000 / $2, $2 / 1000 }')"
	: >raw.alone
	BENCH_STATION=pack-1 "$CLIENT" "$SOCK" 1 200 MUG-BLK-12 >/dev/null || echo "  warm-up failed"
	BENCH_STATION=pack-1 "$CLIENT" "$SOCK" 101 "$ALONE" MUG-BLK-12 raw.alone >/dev/null ||
	    echo "  alone: failed"
	echo "$_e: scan->verdict, 1 bench:  p50 $(lib_pct raw.alone 0.5) ms  p99 $(lib_pct raw.alone 0.99) ms ($(wc -l <raw.alone | tr -d ' ') scans)"
	: >raw.eight
	first=$(( 101 + ALONE / 2 + 10 ))
	pids=
	for st in pack-1 b2 b3 b4 b5 b6 b7 b8; do
		BENCH_STATION=$st "$CLIENT" "$SOCK" "$first" "$EACH" MUG-BLK-12 raw.$st >/dev/null &
		pids="$pids $!"
		first=$(( first + EACH / 2 + 5 ))
	done
	for p in $pids; do wait "$p" || echo "  a bench failed"; done
	cat raw.pack-1 raw.b[2-8] >raw.eight 2>/dev/null
	echo "$_e: scan->verdict, 8 benches back to back (saturation, one daemon): p50 $(lib_pct raw.eight 0.5) ms  p99 $(lib_pct raw.eight 0.99) ms ($(wc -l <raw.eight | tr -d ' ') scans)"
	ctl import orders_paced.json >/dev/null || echo "  paced orders: import failed"
	paced "$_e" "one daemon" "$SOCK" pack-1 "$SOCK" b2 "$SOCK" b3 "$SOCK" b4 \
	    "$SOCK" b5 "$SOCK" b6 "$SOCK" b7 "$SOCK" b8
	lib_stop
	[ "$_e" = pg ] && round_trips
}

# paced ENGINE LABEL SOCKET STATION...: 8 benches, each a scan every 100 ms
# (PACED orders: opened, ok, completed), all at once
paced() {
	_e=$1 _label=$2
	shift 2
	rm -f raw.paced.*
	first=1
	pids=
	while [ $# -ge 2 ]; do
		BENCH_JITTER=${BENCH_PG_JITTER:-1} "$PCLIENT" "$1" "$2" '#P' "$first" "$PACED" MUG-BLK-12 "raw.paced.$2" 100 &
		pids="$pids $!"
		first=$((first + PACED))
		shift 2
	done
	for p in $pids; do wait "$p" || echo "  a paced bench failed"; done
	cat raw.paced.*.opened raw.paced.*.ok raw.paced.*.completed >raw.paced 2>/dev/null
	cat raw.paced.*.completed >raw.paced.done 2>/dev/null
	echo "$_e: scan->verdict, 8 benches each scanning every 100 ms ($_label): p50 $(lib_pct raw.paced 0.5) ms  p99 $(lib_pct raw.paced 0.99) ms ($(wc -l <raw.paced | tr -d ' ') scans; completed alone p99 $(lib_pct raw.paced.done 0.99) ms)"
}

# round_trips: PostgreSQL's waits for the server per scan (opened, ok,
# completed with its spool/out document), counted on a traced daemon after a
# warm-up order (statements are prepared once per connection)
round_trips() {
	: >"$T/rt.trace"
	STATION_TEST_PG_TRACE=$T/rt.trace
	export STATION_TEST_PG_TRACE
	lib_start || { echo "  traced daemon did not start"; unset STATION_TEST_PG_TRACE; return; }
	unset STATION_TEST_PG_TRACE
	_n=$((8 * PACED + 1))
	_counts=
	for c in "#P$_n" MUG-BLK-12 MUG-BLK-12 "#P$((_n + 1))" MUG-BLK-12 MUG-BLK-12; do
		_b=$(wc -l <"$T/rt.trace")
		ctl scan --station pack-1 "$c" >/dev/null
		# the round trips of the transaction that recorded the scan (BEGIN to COMMIT)
		_counts="$_counts $(tail -n +$((_b + 1)) "$T/rt.trace" | awk -F'\t' '
		    $2 == "BEGIN" { n = 0; scan = 0; on = 1 }
		    on && $1 == "rt" { n++ }
		    on && index($2, "INSERT INTO scans") == 1 { scan = 1 }
		    on && $1 == "rt" && ($2 == "COMMIT" || $2 == "ROLLBACK") { on = 0; if (scan) found = n }
		    END { print found + 0 }')"
	done
	set -- $_counts
	echo "pg: round trips per scan (counted, in the scan's transaction): opened $4, ok $5, completed $6 (before: 13, 14, 28)"
	_b=$(wc -l <"$T/rt.trace")
	ctl import orders_rt.json >/dev/null
	echo "pg: round trips per imported order (counted): $(tail -n +$((_b + 1)) "$T/rt.trace" | grep -c '^rt' | awk '{ printf "%.2f", $1 / 200 }') (before: 5)"
	lib_stop
}

# boxes: 4 daemons (boxes) x 2 benches on one PostgreSQL database, 8 benches at once
boxes() {
	STATION_DB=pg
	lib_database
	for b in 1 2 3 4; do
		mkdir -p "box$b"
		sed -e "s|^database = .*|database = $(printf '%s' "$LIB_DBLINE" | sed 's/[&|]/\\&/g')|" \
		    -e "s|^\[daemon\]|[daemon]\nbox = box$b|" \
		    -e "s|pack-1|x$b|" "$CONF" >"box$b/station.ini"
		printf '[station y%s]\nduplicate_window = 0\n' "$b" >>"box$b/station.ini"
		sed -i '/^\[station b[2-8]\]/,+1d' "box$b/station.ini"
		mkdir -p "box$b/var"
		"$STATIOND" -d -c "box$b/station.ini" 2>>"box$b/log" &
		LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $!"
	done
	for b in 1 2 3 4; do
		wait_for "'$STATIONCTL' -c box$b/station.ini status >/dev/null 2>&1" 15 ||
		    { echo "  box$b did not start"; tail -3 "box$b/log"; return 1; }
	done
	"$STATIONCTL" -c box1/station.ini import "$SAMPLES/products/products_export.csv" orders.json >/dev/null
	first=101
	pids=
	for b in 1 2 3 4; do
		for st in x$b y$b; do
			BENCH_STATION=$st "$CLIENT" "box$b/var/station.sock" "$first" "$EACH" MUG-BLK-12 \
			    raw.box.$st >/dev/null &
			pids="$pids $!"
			first=$(( first + EACH / 2 + 5 ))
		done
	done
	for p in $pids; do wait "$p" || echo "  a bench failed"; done
	cat raw.box.* >raw.boxes
	echo "pg: scan->verdict, 8 benches back to back (saturation, 4 boxes x 2): p50 $(lib_pct raw.boxes 0.5) ms  p99 $(lib_pct raw.boxes 0.99) ms ($(wc -l <raw.boxes | tr -d ' ') scans)"
	"$STATIONCTL" -c box1/station.ini import orders_paced.json >/dev/null || echo "  paced orders: import failed"
	paced pg "4 boxes x 2" box1/var/station.sock x1 box1/var/station.sock y1 \
	    box2/var/station.sock x2 box2/var/station.sock y2 box3/var/station.sock x3 \
	    box3/var/station.sock y3 box4/var/station.sock x4 box4/var/station.sock y4
	for p in $LIB_EXTRA_PIDS; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	LIB_EXTRA_PIDS=
}

[ -n "$BENCH_PG_ONLY" ] || run sqlite
run pg
boxes
echo "target: p99 <= 10 ms on PostgreSQL, alone and with 8 benches each scanning every 100 ms"
lib_finish >/dev/null 2>&1
