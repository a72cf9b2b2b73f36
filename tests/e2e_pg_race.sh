#!/bin/sh
# End to end, PostgreSQL only: a race of boxes on one database. 4 daemons
# (boxes) x 2 benches, 500 orders; every bench opens random orders and scans
# random items (now and then a partial shipment) for RACE_SECONDS. Then:
#   no order was open at two benches at once (the scans, in commit order);
#   no line shipped beyond its quantity; SSCCs unique;
#   every verdict a bench was shown has its scan committed, in order;
#   the totals of `stats` equal the sum of every box's spool/out.
# Run by tests/e2e_pg.sh (or alone: it starts its own server).
STATION_DB=pg
export STATION_DB
. "$(dirname "$0")/lib.sh"
lib_init e2e_pg_race
lib_station
URI=$(sed -n 's/^database = //p' "$CONF")
SECS=${RACE_SECONDS:-30}
NORDERS=500
BOXES="b1 b2 b3 b4"

box() {
	mkdir -p "$T/$1/var"
	cat >"$T/$1/station.ini" <<EOC
[daemon]
database = $URI
spool    = var/spool
socket   = var/station.sock
box      = $1

[shop]
name     = Example Goods
address1 = 1 Dock Road
city     = Springfield
province = MA
zip      = 01101
country  = US
gs1_prefix = 0614141

[station $1-x]
duplicate_window = 0
[station $1-y]
duplicate_window = 0
EOC
}
on() {
	_b=$1
	shift
	"$STATIONCTL" -c "$T/$_b/station.ini" "$@"
}
for b in $BOXES; do
	box "$b"
	"$STATIOND" -d -c "$T/$b/station.ini" 2>>"$T/$b/stationd.log" &
	LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $!"
	eval "PID_$b=$!"
done
for b in $BOXES; do
	wait_for "on $b status >/dev/null 2>&1" 15 || fail "box $b starts"
done
on b1 import "$SAMPLES/products/products_export.csv" >/dev/null || fail "products"
# 500 orders of 1 to 3 lines (MUG-BLK-12, TOTE-CAN, TEE-NAT-M), 1 or 2 of each
awk -v n=$NORDERS 'BEGIN { srand(7); printf "{\"orders\":[";
	split("MUG-BLK-12 TOTE-CAN TEE-NAT-M", sku, " ");
	for (i = 1; i <= n; i++) {
		printf "%s{\"id\":%d,\"name\":\"#R%d\",\"financial_status\":\"paid\",\"shipping_address\":{\"name\":\"Race %d\",\"address1\":\"x\"},\"line_items\":[", (i > 1 ? "," : ""), 1000000 + i, i, i;
		k = 1 + int(rand() * 3);
		for (j = 1; j <= k; j++)
			printf "%s{\"id\":%d,\"sku\":\"%s\",\"title\":\"%s\",\"quantity\":%d,\"requires_shipping\":true}", (j > 1 ? "," : ""), 2000000 + 4 * i + j, sku[j], sku[j], 1 + int(rand() * 2);
		printf "]}";
	}
	printf "]}\n" }' >"$T/orders.json"
on b2 import "$T/orders.json" >/dev/null || fail "orders imported"

# bench BOX STATION: scans until the deadline; "CODE VERDICT" per verdict shown.
bench() {
	_end=$(( $(date +%s) + SECS ))
	_seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	awk -v seed="$_seed" -v n=$NORDERS 'BEGIN { srand(seed);
		split("MUG-BLK-12 TOTE-CAN TEE-NAT-M MUG-BLK-12 TOTE-CAN", sku, " ");
		for (i = 0; i < 100000; i++) {
			r = rand();
			if (r < 0.2) print "#R" (1 + int(rand() * n));
			else if (r < 0.23) print "STN:PARTIAL";
			else print sku[1 + int(rand() * 5)];
		} }' | while read -r _code; do
		[ "$(date +%s)" -lt "$_end" ] || break
		_v=$(on "$1" scan --station "$2" --format json "$_code" 2>/dev/null |
		    sed -n 's/.*"verdict":"\([a-z_]*\)".*/\1/p')
		[ -n "$_v" ] && echo "$_code $_v"
	done >"$T/$2.seen"
}
BPIDS=
for b in $BOXES; do
	bench "$b" "$b-x" &
	BPIDS="$BPIDS $!"
	bench "$b" "$b-y" &
	BPIDS="$BPIDS $!"
done
for p in $BPIDS; do
	wait "$p"
done
total=$(cat "$T"/*.seen | wc -l)
echo "e2e_pg_race: $total verdicts on 8 benches in ${SECS}s"
expect_true "benches scanned" [ "$total" -gt 100 ]
expect_true "some orders shipped" [ "$(sql "SELECT count(*) FROM fulfillments")" -gt 10 ]

# every verdict shown is a committed scan row of that bench, in the same order
for b in $BOXES; do
	for st in "$b-x" "$b-y"; do
		expect_eq "$st: verdicts shown = scans committed" "$(cat "$T/$st.seen")" \
		    "$(sql "SELECT code || ' ' || verdict FROM scans WHERE station = '$st' ORDER BY id")"
	done
done
# no order opened at a bench while another held it (scans in commit order)
expect_eq "no order open at two benches" "" "$(sql "SELECT order_id, station, verdict FROM scans
    WHERE order_id IS NOT NULL AND verdict IN ('opened', 'completed', 'partial_shipped', 'abandoned')
    ORDER BY id" | awk -F'|' '
	$3 == "opened" { if (($1 in own) && own[$1] != $2) print "order " $1 " opened at " $2 " while at " own[$1]; own[$1] = $2; next }
	{ if (own[$1] == $2) delete own[$1] }')"
expect_eq "no two sessions on one order" "" \
    "$(sql "SELECT order_id FROM sessions WHERE order_id IS NOT NULL GROUP BY order_id HAVING count(*) > 1")"
expect_eq "no line shipped beyond its quantity" "" \
    "$(sql "SELECT l.id FROM order_lines l JOIN (SELECT line_id, sum(quantity) q FROM fulfillment_lines GROUP BY line_id) f ON f.line_id = l.id WHERE f.q > l.quantity")"
expect_eq "no line counted beyond its quantity" "" \
    "$(sql "SELECT line_id FROM scans WHERE state IN ('counted', 'shipped') GROUP BY line_id HAVING sum(units) > (SELECT quantity FROM order_lines WHERE id = line_id)")"
expect_eq "SSCCs unique" "$(sql "SELECT count(sscc) FROM packages")" \
    "$(sql "SELECT count(DISTINCT sscc) FROM packages")"
expect_true "packages labelled" [ "$(sql "SELECT count(sscc) FROM packages")" -gt 0 ]

# stats totals = the sum of every box's spool/out (written once each)
for b in $BOXES; do
	wait_for "[ \$(ls '$T/$b/var/spool/out' | grep -c '^fulfillment-') -ge \
	    \$(sql \"SELECT count(*) FROM fulfillments f JOIN (SELECT DISTINCT box, station FROM benches) x ON x.station = f.station WHERE x.box = '$b'\") ]" 10
done
nout=$(cat "$T"/b*/var/spool/out/fulfillment-*.json | jq -s 'length')
uout=$(cat "$T"/b*/var/spool/out/fulfillment-*.json | jq -s '[.[].line_items[].quantity] | add // 0')
st=$(on b3 stats --format csv | tr -d '\r' | tail -n +2 | cut -d, -f3,4)
expect_eq "stats shipments,units = spool/out files, units" "$nout,$uout" "$st"
expect_eq "one spool/out file per fulfillment" "$(sql "SELECT count(*) FROM fulfillments")" "$nout"

for b in $BOXES; do
	eval "p=\$PID_$b"
	kill -TERM "$p"
	wait "$p"
	expect_rc "box $b stops cleanly" 0 $?
done
lib_finish
