#!/bin/sh
# What a scan costs on PostgreSQL, counted, not timed: every wait for the
# server (a round trip) is traced (STATION_TEST_PG_TRACE). Opening an order,
# an ok scan and the scan that completes the order (SSCC, shipment, label,
# outbox) each take at most a bounded number of round trips: the statements
# whose answers nobody reads go out pipelined with the next one that is read,
# reads that do not wait on each other go out together.
# Before the pipelining: opened 13, ok 14, completed 28 (31 with the spool/out
# document written after the commit).
# Run by tests/e2e_pg.sh (or alone: it starts its own server).
STATION_DB=pg
export STATION_DB
. "$(dirname "$0")/lib.sh"
lib_init e2e_pg_round_trips
lib_station ""
TR=${RT_TRACE:-$T/rt.trace}
: >"$TR"
export STATION_TEST_PG_TRACE="$TR"
lib_start || exit 1
unset STATION_TEST_PG_TRACE
lib_order 5201 '#5201' paid "" 6201:MUG-BLK-12:2 >"$T/o.json"
lib_import "$T/o.json"
lib_order 5202 '#5202' paid "" 6202:MUG-BLK-12:1 >"$T/o2.json"
lib_import "$T/o2.json"

# trips CODE VERDICT: scans CODE, expects VERDICT, prints the round trips of
# the scan's transaction (BEGIN to COMMIT, the one that records the scan): the
# daemon's timers (heartbeat, upkeep) may run between two requests, never
# inside a transaction
trips() {
	_before=$(wc -l <"$TR")
	_got=$(ctl scan --format json "$1" | jq -r .verdict)
	[ "$_got" = "$2" ] || echo "$1: want $2, got $_got" >&2
	tail -n +$((_before + 1)) "$TR" | awk -F'\t' '
	    $2 == "BEGIN" { n = 0; scan = 0; on = 1 }
	    on && $1 == "rt" { n++ }
	    on && index($2, "INSERT INTO scans") == 1 { scan = 1 }
	    on && $1 == "rt" && ($2 == "COMMIT" || $2 == "ROLLBACK") { on = 0; if (scan) found = n }
	    END { print found + 0 }'
}
# the first of each kind prepares its statements: the counted ones come after
trips '#5201' opened >/dev/null
trips MUG-BLK-12 ok >/dev/null
trips MUG-BLK-12 completed >/dev/null
o=$(trips '#5202' opened)
c=$(trips MUG-BLK-12 completed)
lib_order 5203 '#5203' paid "" 6203:MUG-BLK-12:2 >"$T/o3.json"
lib_import "$T/o3.json"
trips '#5203' opened >/dev/null
k=$(trips MUG-BLK-12 ok)
echo "round trips: opened $o, ok $k, completed $c"
expect_true "opening an order takes at most ${RT_OPEN:-3} round trips (got $o)" \
    test "$o" -le "${RT_OPEN:-3}" -a "$o" -gt 0
expect_true "an ok scan takes at most ${RT_OK:-3} round trips (got $k)" \
    test "$k" -le "${RT_OK:-3}" -a "$k" -gt 0
expect_true "a completing scan takes at most ${RT_DONE:-5} round trips (got $c)" \
    test "$c" -le "${RT_DONE:-5}" -a "$c" -gt 0
# The claim is not waited for: an order another bench holds makes the
# statement itself fail (station_refuse), aborting the transaction with the
# refusal's message. The claim as pg_store_open_order sends it:
lib_order 5204 '#5204' paid "" 6204:MUG-BLK-12:1 >"$T/o4.json"
lib_import "$T/o4.json"
id=$(sql "SELECT id FROM orders WHERE name = '#5204'")
pg_rig_psql "$PGDB" -c "UPDATE orders SET station = 'pack-9' WHERE id = $id" >/dev/null
claim() {
	pg_rig_psql "$PGDB" -c "WITH claim AS (UPDATE orders SET status = 'in_progress',
	    station = '$1', updated_at = 0 WHERE id = $id AND (station IS NULL OR station = '$1')
	    RETURNING id) SELECT station_refuse('order ' || $id || ' is open at another bench')
	    WHERE NOT EXISTS (SELECT 1 FROM claim)" 2>&1 | grep -v "^CONTEXT:"
}
expect_eq "a claim of an order held elsewhere fails, with the refusal" \
    "ERROR:  order $id is open at another bench" "$(claim pack-1)"
expect_eq "the holder's own claim passes" "" "$(claim pack-9)"
lib_finish
