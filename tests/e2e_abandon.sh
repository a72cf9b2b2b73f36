#!/bin/sh
# End to end: stationctl abandon ORDER frees an order open at a bench (a dead
# box's, say): its counted items and open box dropped, nothing shipped, the
# order ready again, the bench's session let go, the event logged; an order
# at no bench is refused. Runs on SQLite, and on PostgreSQL from e2e_pg.sh.
. "$(dirname "$0")/lib.sh"
lib_init e2e_abandon
lib_station
lib_start || { fail "daemon starts"; lib_finish; }
ctl import "$SAMPLES/products/products_export.csv" >/dev/null || fail "products"
lib_order 6001 '#6001' paid '' 6101:MUG-BLK-12:2 6102:TOTE-CAN:1 >"$T/6001.json"
lib_import "$T/6001.json" || fail "import"
ctl scan '#6001' >/dev/null
ctl scan MUG-BLK-12 >/dev/null
expect_eq "#6001 open with one packed" '["in_progress","pack-1",1]' \
    "$(ctl show '#6001' --format json | jq -c '[.status, .station, ([.lines[].packed] | add)]')"
expect_eq "abandon" "#6001 abandoned at pack-1: nothing shipped, ready again" "$(ctl abandon '#6001')"
expect_eq "#6001 ready, nothing packed or shipped" '["ready",null,0,0]' \
    "$(ctl show '#6001' --format json | jq -c '[.status, .station, ([.lines[].packed] | add), ([.lines[].shipped] | add)]')"
expect_eq "the bench let go of it" null "$(ctl status --format json | jq -c '.stations[0].order')"
expect_eq "logged" 'pack-1,#6001,,abandon,,"ABANDONED #6001 at pack-1 by a supervisor: nothing shipped, ready again"' \
    "$(ctl log --kind abandon --format csv | tr -d '\r' | tail -n +2 | cut -d, -f2-)"
out=$(ctl abandon '#6001' 2>&1)
expect_rc "an order at no bench: refused" 1 $?
expect_eq "refusal" "stationctl: #6001 is not open at any bench" "$out"
out=$(ctl abandon '#nope' 2>&1)
expect_eq "unknown order" "stationctl: no order #nope" "$out"
expect_eq "it opens again, from the start" "opened: OPENED #6001: scan the items (3 units)" "$(ctl scan '#6001')"
lib_stop || fail "daemon stops"
lib_finish
