#!/bin/sh
# End to end: never lose a scan. A scripted packer scans against the real
# stationd while `kill -9` hits the daemon at a random moment; after each
# restart every verdict the packer saw must be in the scans table, the open
# session must come back with exact counts, no fulfillment may be recorded
# twice and spool/out must hold only whole JSON documents.
. "$(dirname "$0")/lib.sh"
lib_init e2e_crash
lib_station
ROUNDS=${CRASH_ROUNDS:-30}
NORDERS=40
if ! lib_start; then
	fail "daemon starts"
	lib_finish
fi
ctl import "$SAMPLES/products/products_export.csv" >/dev/null || fail "products"
{
	printf '{"orders":['
	i=1
	while [ $i -le $NORDERS ]; do
		[ $i -gt 1 ] && printf ','
		printf '{"id":%d,"name":"#C%03d","financial_status":"paid","shipping_address":{"name":"Crash %d","address1":"x"},"line_items":[{"id":%d,"sku":"MUG-BLK-12","title":"Mug","quantity":2,"requires_shipping":true},{"id":%d,"sku":"TOTE-CAN","title":"Tote","quantity":1,"requires_shipping":true}]}' \
		    $((9007199254800000 + i)) $i $i $((9007199254900000 + 2 * i)) $((9007199254900001 + 2 * i))
		i=$((i + 1))
	done
	printf ']}'
} >"$T/orders.json"
ctl import "$T/orders.json" >/dev/null || fail "orders imported"

# The packer: asks the daemon what is open, scans what is missing, writes
# "CODE VERDICT PACKED" for every verdict it was shown; stops at the first
# scan without a verdict (the daemon is gone) or after $1 scans.
packer() {
	_max=$1 _n=0
	while [ $_n -lt "$_max" ]; do
		_st=$(ctl status --format json 2>/dev/null) || return 0
		_code=$(printf '%s' "$_st" | jq -r '.stations[0] as $s | if $s.order == null then "" else ([$s.lines[] | select(.packed < .of) | .sku][0] // "STUCK") end')
		if [ -z "$_code" ]; then
			_code=$(ctl orders --status ready --format csv 2>/dev/null | tr -d '\r' | sed -n 2p | cut -d, -f1)
			[ -n "$_code" ] || return 0	# nothing left to pack
		fi
		_out=$(ctl scan --format json "$_code" 2>/dev/null)
		_v=$(printf '%s' "$_out" | jq -r '.verdict + " " + (.packed | tostring)' 2>/dev/null)
		[ -n "$_v" ] || return 0
		echo "$_code $_v" >>"$PLOG"
		_n=$((_n + 1))
	done
}

rand() {	# 0 .. $1-1
	echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 ))
}

last_scan_id() {
	sql "SELECT coalesce(max(id), 0) FROM scans"
}

round=1
restarts_ok=0
lost=0
while [ $round -le $ROUNDS ]; do
	PLOG=$T/round$round.log
	: >"$PLOG"
	before=$(last_scan_id)
	packer 1000 &
	ppid_=$!
	LIB_EXTRA_PIDS=$ppid_
	delay=$(rand 300)
	sleep "$(printf "0.%03d" "$delay")"
	lib_kill9
	wait $ppid_
	LIB_EXTRA_PIDS=
	if lib_start; then
		restarts_ok=$((restarts_ok + 1))
	else
		fail "round $round: restart after kill -9"
		break
	fi
	# every verdict shown is a committed scan row, in order; at most one more row
	# (committed, but its reply never left the daemon)
	sql "SELECT code || ' ' || verdict FROM scans WHERE id > $before ORDER BY id" >"$T/db.rows"
	cut -d' ' -f1-2 "$PLOG" >"$T/shown.rows"
	shown=$(wc -l <"$T/shown.rows" | tr -d ' ')
	inb=$(wc -l <"$T/db.rows" | tr -d ' ')
	if head -n "$shown" "$T/db.rows" | cmp -s - "$T/shown.rows" &&
	    [ "$inb" -ge "$shown" ] && [ "$inb" -le $((shown + 1)) ]; then
		ok "round $round: $shown scans shown, all recorded"
	else
		lost=$((lost + 1))
		fail "round $round: scans shown vs recorded" "shown $shown, in database $inb"
		diff "$T/shown.rows" "$T/db.rows" | head -5
	fi
	# the open session comes back with exact counts: the database's counted scans,
	# and the last count the packer saw when nothing unseen was committed after it
	st=$(ctl status --format json)
	order=$(printf '%s' "$st" | jq -r '.stations[0].order // ""')
	if [ -n "$order" ]; then
		want=$(sql "SELECT l.sku || ' ' || coalesce((SELECT sum(s.units) FROM scans s WHERE s.line_id = l.id AND s.state = 'counted'), 0)
		    FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.name = '$order' ORDER BY l.position")
		got=$(printf '%s' "$st" | jq -r '.stations[0].lines[] | .sku + " " + (.packed | tostring)')
		expect_eq "round $round: open $order restored with the counted scans" "$want" "$got"
		last=$(tail -1 "$PLOG")
		case "$last" in
		*" ok "*)
			if [ "$inb" -eq "$shown" ]; then
				sku=$(sql "SELECT sku FROM product_codes WHERE code = '${last%% *}' UNION SELECT '${last%% *}' LIMIT 1")
				seen=${last##* }
				now=$(printf '%s' "$st" | jq -r --arg s "${last%% *}" '.stations[0].lines[] | select(.sku == $s) | .packed')
				expect_eq "round $round: $order ${last%% *} count as last shown" "$seen" "$now"
			fi ;;
		esac
	fi
	round=$((round + 1))
done
expect_eq "daemon restarted after every kill" "$ROUNDS" "$restarts_ok"

# finish the shift without killing, then look at the books
PLOG=$T/final.log
packer 2000
expect_eq "every order fulfilled" "$NORDERS" "$(sql "SELECT count(*) FROM orders WHERE status = 'fulfilled'")"
expect_eq "one fulfillment per order" "" \
    "$(sql "SELECT order_id FROM fulfillments GROUP BY order_id HAVING count(*) <> 1")"
expect_eq "shipped quantities exact" "" \
    "$(sql "SELECT l.id FROM order_lines l LEFT JOIN (SELECT line_id, sum(quantity) q FROM fulfillment_lines GROUP BY line_id) f ON f.line_id = l.id WHERE coalesce(f.q, 0) <> l.quantity")"
expect_eq "no unit counted twice" "" \
    "$(sql "SELECT line_id FROM scans WHERE state IN ('counted','shipped') GROUP BY line_id HAVING sum(units) > (SELECT quantity FROM order_lines WHERE id = line_id)")"
expect_eq "every package has one SSCC" "" \
    "$(sql "SELECT id FROM packages WHERE state = 'shipped' AND (sscc IS NULL OR length(sscc) <> 18)")"
lib_stop
expect_rc "final SIGTERM: exit 0" 0 $?

# spool/out: one whole JSON document per fulfillment, nothing half-written
nout=$(ls "$SPOOL/out" | grep -c '^fulfillment-.*\.json$')
expect_eq "one spool/out file per fulfillment" "$(sql "SELECT count(*) FROM fulfillments")" "$nout"
bad=0
for f in "$SPOOL"/out/fulfillment-*.json; do
	jq -e '.order_name and (.line_items | length == 2)' "$f" >/dev/null 2>&1 || bad=$((bad + 1))
done
expect_eq "every spool/out file is a whole document" 0 "$bad"
expect_eq "every order once in spool/out" "$NORDERS" \
    "$(cat "$SPOOL"/out/fulfillment-*.json | grep -o '"order_name": *"#C[0-9]*"' | sort -u | wc -l | tr -d ' ')"
expect_eq "no temporary files left in spool/out" "" "$(ls -A "$SPOOL/out" | grep -v '^fulfillment-.*\.json$')"
expect_eq "every fulfillment marked written" "" "$(sql "SELECT id FROM fulfillments WHERE outbox_name IS NULL")"
echo "e2e_crash: $ROUNDS kill -9 rounds, $(cat "$T"/round*.log | wc -l | tr -d ' ') scans shown before kills"
lib_finish
