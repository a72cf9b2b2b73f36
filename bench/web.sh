#!/bin/sh
# The web console never in the way (issue 14): scan->verdict latency through
# the control socket with no browser and with 50 browsers following the floor
# (SSE), rounds interleaved. Prints p50/p99 per verdict; never asserts.
. "$(dirname "$0")/../tests/lib.sh"
lib_init bench_web
ROUNDS=${BENCH_ROUNDS:-4}
PER_ROUND=${BENCH_ORDERS:-100}	# orders per round: 3 scans each
CLIENTS=${BENCH_SSE:-50}
CLIENT=$LIB_ROOT/build/bench/verdict_latency
[ -x "$CLIENT" ] || { echo "bench/web.sh: build $CLIENT first (make bench)"; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cd "$T" || exit 1
lib_station "
[web]
listen     = 127.0.0.1:$PORT
users_file = web.users"
echo 'bench-password' | ctl web-user bench --role viewer >/dev/null || exit 1
lib_start || exit 1
lib_stop
N=$((ROUNDS * PER_ROUND * 2))
sqlite3 -batch "$DB" >/dev/null <<EOS
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO orders(shop_id, name, created_at, financial_status, has_ship, ship_name,
    ship_address1, ship_city, ship_zip, ship_country, ship_country_code, shipping_title,
    status, imported_at, updated_at)
SELECT 8000000000000 + i, '#W' || i, '2024-03-04T09:00:00Z', 'paid', 1, 'Bench Person ' || i,
    i || ' Bench Road', 'Springfield', '01101', 'United States', 'US', 'UPS Ground',
    'ready', 1700000000000, 1700000000000 FROM n;
INSERT INTO order_lines(order_id, shop_line_id, position, sku, title, name, quantity,
    fulfillable_quantity, requires_shipping, grams)
SELECT id, 7000000000000 + id, 1, 'MUG-BLK-12', 'Ceramic Mug', 'Ceramic Mug', 2, 2, 1, 420
FROM orders;
COMMIT;
EOS
lib_start || exit 1

streams() {
	curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 == "station_web_streams" { print $2 }'
}

next=1
r=0
while [ $r -lt "$ROUNDS" ]; do
	"$CLIENT" "$SOCK" pack-1 '#W' "$next" "$PER_ROUND" MUG-BLK-12 none 20 || echo "  scans failed"
	next=$((next + PER_ROUND))
	/usr/bin/python3 "$LIB_ROOT/tests/web/sse_clients.py" "http://127.0.0.1:$PORT" bench \
	    bench-password "$CLIENTS" >sse.$r 2>&1 &
	SSE=$!
	LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $SSE"
	wait_for '[ "$(streams)" = "$CLIENTS" ]' 10 || echo "  only $(streams) streams opened"
	"$CLIENT" "$SOCK" pack-1 '#W' "$next" "$PER_ROUND" MUG-BLK-12 sse 20 || echo "  scans failed"
	next=$((next + PER_ROUND))
	kill -TERM "$SSE"
	wait "$SSE"
	r=$((r + 1))
done
echo "verdict latency through the control socket, $((ROUNDS * PER_ROUND)) orders each, rounds interleaved:"
for k in opened ok completed; do
	for m in none sse; do
		printf '  %-10s %-22s %5s scans  p50 %7s ms  p99 %7s ms\n' "$k" \
		    "$([ $m = none ] && echo "no browser" || echo "$CLIENTS SSE clients")" \
		    "$(wc -l <$m.$k | tr -d ' ')" "$(lib_pct $m.$k 0.5)" "$(lib_pct $m.$k 0.99)"
	done
done
cat none.opened none.ok none.completed >none.all
cat sse.opened sse.ok sse.completed >sse.all
echo "  all verdicts: p99 $(lib_pct none.all 0.99) ms without, $(lib_pct sse.all 0.99) ms with $CLIENTS SSE clients"
echo "  $(tail -1 sse.0)"
lib_stop
