#!/bin/sh
# End to end: stationctl migrate --to URI copies a SQLite station (orders,
# sessions, packages, scans, fulfillments, jobs, log, counters) into an empty
# PostgreSQL database: the log, orders and stats read the same on both; a
# non-empty target is refused; the daemon carries on there (the open session
# resumes, new ids and SSCCs continue past the copied ones).
# Run by tests/e2e_pg.sh (or alone: it starts its own server).
. "$(dirname "$0")/lib.sh"
STATION_DB=sqlite
lib_init e2e_pg_migrate
. "$LIB_ROOT/tests/rig/pg.sh"
if [ -z "$PG_RIG_DIR" ]; then
	LIB_OWN_PG=1
	pg_rig_start || exit 1
fi
lib_station
lib_start || fail "daemon starts"
ctl import "$SAMPLES/products/products_export.csv" >/dev/null || fail "products"
lib_order 9007199254740993 '#4001' paid '' 9007199254741001:MUG-BLK-12:2 9007199254741003:TOTE-CAN:1 >"$T/4001.json"
lib_order 4002 '#4002' paid '' 4201:MUG-BLK-12:2 >"$T/4002.json"
lib_order 4003 '#4003' paid '' 4301:TOTE-CAN:2 >"$T/4003.json"
for n in 4001 4002 4003; do lib_import "$T/$n.json" || fail "import $n"; done
for code in STN:PACKER:ann '#4001' MUG-BLK-12 MUG-BLK-12 TOTE-CAN '#4002' MUG-BLK-12 STN:PARTIAL \
    '#4003' TOTE-CAN XYZ; do
	ctl scan "$code" >/dev/null 2>&1
done
ctl hold '#4002' --reason "customer called" >/dev/null 2>&1
lib_stop || fail "daemon stops"
log1=$(ctl log --format csv)
orders1=$(ctl orders --format csv)
stats1=$(ctl stats --by station --format csv)
show1=$(ctl show '#4001' --format json)

URI=$(pg_rig_createdb "e2e_migrate_$$") || fail "createdb"
out=$(ctl migrate --to "$URI" 2>&1)
expect_rc "migrate into an empty database" 0 $?
expect_contains "migrate reports the rows" "orders 3, order_lines 4" "$out"
expect_contains "scans copied" "scans 11" "$out"
ctl migrate --to "$URI" >"$T/again.out" 2>&1
expect_rc "a non-empty target is refused" 1 $?
expect_contains "refusal says why" "is not empty" "$(cat "$T/again.out")"

sed -i "s|^database = .*|database = $(printf '%s' "$URI" | sed 's/[&|]/\\&/g')|" "$CONF"
expect_eq "log equal on PostgreSQL" "$log1" "$(ctl log --format csv)"
expect_eq "orders equal on PostgreSQL" "$orders1" "$(ctl orders --format csv)"
expect_eq "stats equal on PostgreSQL" "$stats1" "$(ctl stats --by station --format csv)"
expect_eq "show equal on PostgreSQL (ids above 2^53 exact)" "$show1" "$(ctl show '#4001' --format json)"
expect_eq "counts equal" "3 4 11 2" "$(pg_rig_psql "e2e_migrate_$$" -F ' ' -c "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines), (SELECT count(*) FROM scans), (SELECT count(*) FROM fulfillments)")"

lib_start || fail "daemon starts on PostgreSQL"
expect_eq "the open session resumes" '"#4003"' "$(ctl status --format json | jq -c '.stations[0].order')"
got=$(ctl scan --format json TOTE-CAN | jq -r .verdict)
expect_eq "and completes there" completed "$got"
expect_eq "new fulfillment numbered past the copied ones" "3" \
    "$(pg_rig_psql "e2e_migrate_$$" -c "SELECT max(id) FROM fulfillments")"
expect_eq "SSCCs still unique, serials continue" "$(pg_rig_psql "e2e_migrate_$$" -c "SELECT count(sscc) FROM packages")" \
    "$(pg_rig_psql "e2e_migrate_$$" -c "SELECT count(DISTINCT substr(sscc, 9, 9)) FROM packages")"
lib_stop || fail "daemon stops"
lib_finish
