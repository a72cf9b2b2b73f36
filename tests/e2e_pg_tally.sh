#!/bin/sh
# PostgreSQL, issue 11's packed counts (line_tally, schema 7): kept by the
# database's triggers as units are counted, undone, boxed and shipped; and a
# database at schema 6 (before line_tally) migrates at the daemon's start,
# its tally filled from the scans already there, equal to their sums, and
# packing goes on from where it was.
# Run by tests/e2e_pg.sh (or alone: it starts its own server).
STATION_DB=pg
export STATION_DB
. "$(dirname "$0")/lib.sh"
lib_init e2e_pg_tally
lib_station ""
lib_start || exit 1
lib_order 5301 '#5301' paid "" 7301:MUG-BLK-12:5 7302:CUP-RED-1:3 >"$T/o.json"
lib_import "$T/o.json"

# TALLY: the tally as kept; SUMS: the same figures summed from the scans
TALLY="SELECT line_id, counted, boxed FROM line_tally WHERE counted <> 0 OR boxed <> 0 ORDER BY line_id"
SUMS="SELECT c.line_id, sum(c.units), sum(CASE WHEN p.state = 'open' THEN c.units ELSE 0 END)
 FROM scans c LEFT JOIN packages p ON p.id = c.package_id
 WHERE c.state = 'counted' AND c.line_id IS NOT NULL GROUP BY c.line_id ORDER BY c.line_id"
verdict() {
	ctl scan --format json "$1" | jq -r '.verdict + "|" + .message'
}
for c in '#5301' MUG-BLK-12 MUG-BLK-12 STN:NEWBOX MUG-BLK-12 CUP-RED-1 STN:UNDO CUP-RED-1; do
	verdict "$c" >/dev/null
done
mug=$(sql "SELECT id FROM order_lines WHERE sku = 'MUG-BLK-12'")
cup=$(sql "SELECT id FROM order_lines WHERE sku = 'CUP-RED-1'")
# 3 mugs counted (2 in the closed first box, 1 in the open one), 1 cup (in the open box)
expect_eq "the tally as the scans were counted, undone and boxed" "$mug|3|1
$cup|1|1" "$(sql "$TALLY")"
expect_eq "the tally equals the scans' sums" "$(sql "$SUMS")" "$(sql "$TALLY")"
expect_eq "schema 8" 8 "$(sql "SELECT max(version) FROM schema_version")"
lib_stop

# Back to schema 6: what 6 -> 7 made, gone (the scans, packages and sessions stay).
pg_rig_psql "$PGDB" -q -c "DROP TRIGGER line_tally_scan ON scans;
DROP TRIGGER line_tally_box ON packages;
DROP FUNCTION line_tally_scan(); DROP FUNCTION line_tally_box(); DROP FUNCTION station_refuse(text);
DROP TABLE line_tally; DROP INDEX product_codes_sku; DROP INDEX packages_station;
DROP INDEX fulfillment_lines_fulfillment; DROP INDEX packages_fulfillment;
DELETE FROM schema_version WHERE version >= 7" >/dev/null
expect_eq "the database is at schema 6" "6|0" \
    "$(sql "SELECT max(version), (SELECT count(*) FROM pg_tables WHERE tablename = 'line_tally') FROM schema_version")"
lib_start || exit 1
expect_eq "migrated to schema 8 at start (line_tally at 7)" 8 "$(sql "SELECT max(version) FROM schema_version")"
expect_eq "line_tally filled from the existing scans" "$mug|3|1
$cup|1|1" "$(sql "$TALLY")"
expect_eq "the migrated tally equals the scans' sums" "$(sql "$SUMS")" "$(sql "$TALLY")"
expect_eq "packing goes on from the migrated counts" "ok|OK  MUG-BLK-12  4 of 5" "$(verdict MUG-BLK-12)"
expect_eq "the tally follows the next scans" "$(sql "$SUMS")" "$(sql "$TALLY")"
verdict MUG-BLK-12 >/dev/null
verdict CUP-RED-1 >/dev/null
expect_eq "the order completes" completed "$(verdict CUP-RED-1 | cut -d'|' -f1)"
expect_eq "shipped: nothing counted any more" "" "$(sql "$TALLY")"
lib_stop
lib_finish
