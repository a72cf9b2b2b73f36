#!/bin/sh
# SQLite schema 7 -> 8 (issue 11: fewer index pages in each scan's commit).
# A station's file at schema 7, with a shipped order, an order mid-pack (two
# boxes, one closed, one open) and its log, migrates at the daemon's start:
# every row stays as it was, the indexes are the new set, the tally triggers
# (one of them on the rebuilt packages table) still keep the packed counts,
# the SSCC stays unique, and packing goes on where it stopped.
. "$(dirname "$0")/lib.sh"
lib_init e2e_schema8
lib_station ""
STATION_TEST_SCHEMA=7 lib_start || exit 1
lib_order 5401 '#5401' paid "" 7401:MUG-BLK-12:2 >"$T/a.json"
lib_order 5402 '#5402' paid "" 7402:MUG-BLK-12:5 7403:CUP-RED-1:3 >"$T/b.json"
lib_import "$T/a.json"
lib_import "$T/b.json"
verdicts() {
	for _c in "$@"; do
		ctl scan --format json "$_c" | jq -r .verdict
	done | tr '\n' ' '
}
expect_eq "#5401 packed at schema 7" "opened ok completed " \
    "$(verdicts '#5401' MUG-BLK-12 MUG-BLK-12)"
expect_eq "#5402 half packed at schema 7, a box closed and one open" \
    "opened ok ok new_box ok ok undone ok " \
    "$(verdicts '#5402' MUG-BLK-12 MUG-BLK-12 STN:NEWBOX MUG-BLK-12 CUP-RED-1 STN:UNDO CUP-RED-1)"
lib_stop
expect_eq "the file is at schema 7" 7 "$(sql 'PRAGMA user_version')"

TALLY="SELECT line_id, counted, boxed FROM line_tally WHERE counted <> 0 OR boxed <> 0 ORDER BY line_id"
SUMS="SELECT c.line_id, sum(c.units), sum(CASE WHEN p.state = 'open' THEN c.units ELSE 0 END)
 FROM scans c LEFT JOIN packages p ON p.id = c.package_id
 WHERE c.state = 'counted' AND c.line_id IS NOT NULL GROUP BY c.line_id ORDER BY c.line_id"
ROWS="SELECT * FROM packages ORDER BY id;
SELECT * FROM fulfillment_lines ORDER BY rowid;
SELECT id, at, station, order_name, kind, verdict, message FROM events
 WHERE kind <> 'resume' ORDER BY id;
SELECT * FROM line_tally ORDER BY line_id"
before=$(sql "$ROWS")
boxes=$(sql "SELECT count(*) || ' ' || count(sscc) FROM packages")
expect_eq "three boxes before, two with an SSCC" "3 2" "$boxes"

lib_start || exit 1
lib_stop
expect_eq "the daemon migrated the file to schema 8" 8 "$(sql 'PRAGMA user_version')"
expect_eq "every package, shipment line, event and tally row as it was" "$before" "$(sql "$ROWS")"
expect_eq "the indexes of events, fulfillment_lines and packages" \
    "events_station fulfillment_lines_order packages_order packages_sscc packages_station" \
    "$(sql "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master
      WHERE type = 'index' AND tbl_name IN ('events', 'fulfillment_lines', 'packages')
      ORDER BY name)")"
expect_eq "the five tally triggers" \
    "line_tally_add line_tally_box line_tally_change_in line_tally_change_out line_tally_drop" \
    "$(sql "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master
      WHERE type = 'trigger' ORDER BY name)")"
expect_eq "the file is sound" ok "$(sql 'PRAGMA integrity_check')"
# a second box with the first one's SSCC is refused, a box without one is not
sql "UPDATE packages SET sscc = (SELECT min(sscc) FROM packages) WHERE sscc IS NULL" \
    >"$T/dup.out" 2>&1
expect_contains "an SSCC stays unique" "UNIQUE constraint failed: packages.sscc" "$(cat "$T/dup.out")"

lib_start || exit 1
# where #5402 stopped: 3 mugs (2 in the closed box, 1 in the open one), 1 cup
expect_eq "packing goes on where it stopped" "ok ok ok completed " \
    "$(verdicts MUG-BLK-12 MUG-BLK-12 CUP-RED-1 CUP-RED-1)"
expect_eq "#5402 shipped in full" fulfilled "$(sql "SELECT status FROM orders WHERE name = '#5402'")"
expect_eq "its two boxes, each with an SSCC, shipped" "2|2|shipped" \
    "$(sql "SELECT count(*), count(sscc), group_concat(DISTINCT state) FROM packages
      WHERE order_id = (SELECT id FROM orders WHERE name = '#5402')")"
expect_eq "its shipments: 5 mugs and 3 cups" "MUG-BLK-12|5
CUP-RED-1|3" "$(sql "SELECT l.sku, sum(f.quantity) FROM fulfillment_lines f
      JOIN order_lines l ON l.id = f.line_id
      WHERE f.order_id = (SELECT id FROM orders WHERE name = '#5402')
      GROUP BY l.id ORDER BY l.position")"
expect_eq "nothing is left counted" "" "$(sql "$TALLY")"
expect_eq "the tally equals the scans' sums" "$(sql "$SUMS")" "$(sql "$TALLY")"
# show reads the shipped units through the new fulfillment_lines index
expect_eq "show: 5 mugs and 3 cups shipped, none packed" "MUG-BLK-12 5 0 5
CUP-RED-1 3 0 3" "$(ctl show '#5402' | awk '$1 ~ /-/ { print $1, $(NF - 2), $(NF - 1), $NF }')"
lib_stop
lib_finish
