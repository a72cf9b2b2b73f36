#!/bin/sh
# End to end: every file of tests/data/hostile/ (truncated and deeply nested
# JSON, huge and negative numbers, invalid UTF-8, NUL and control bytes,
# CSV with wrong columns, BOMs, 1 MB single lines, ...) dropped on a running
# stationd. For each: the daemon is alive, the file is in failed/ with a
# one-line .reason naming the problem (a keyword per file below), and the
# database is unchanged (integrity_check ok, row counts of every table)
# but for the station log, which gains exactly one "refused" event a file.
. "$(dirname "$0")/lib.sh"
lib_init e2e_hostile
lib_station
mkdir -p "$SPOOL/in"
HOSTILE=$LIB_ROOT/tests/data/hostile

# NAME|what the reason must contain (its own words today)
TABLE='array-of-numbers.json|orders[0]: expected an object
binary.bin|not an order or product file
bom-only.json|empty file
codes-empty-barcode.csv|column '"'"'barcode'"'"': empty
codes-huge-multiplier.csv|expected a whole number from 1 to 10000
codes-negative-multiplier.csv|expected a whole number from 1 to 10000, got '"'"'-6'"'"'
codes-zero-multiplier.csv|expected a whole number from 1 to 10000, got '"'"'0'"'"'
control-char.json|control character 0x1
csv-header-only.csv|no orders in file
csv-huge-id.csv|column '"'"'Id'"'"': expected a whole number
csv-huge-quantity.csv|column '"'"'Lineitem quantity'"'"': expected a whole number
csv-invalid-utf8.csv|invalid UTF-8
csv-long-rows.csv|82 fields, but the header has 79
csv-missing-quantity-column.csv|missing column Lineitem quantity
csv-negative-quantity.csv|got '"'"'-2'"'"'
csv-nul-byte.csv|line 2, column 98
csv-one-mb-line.csv|line 2: column '"'"'Lineitem quantity'"'"'
csv-short-rows.csv|column '"'"'Lineitem quantity'"'"': expected a whole number
csv-text-quantity.csv|got '"'"'two'"'"'
csv-unterminated-quote.csv|a closing quote is missing
deep-array.json|maximum parsing depth
deep-object.json|maximum parsing depth
empty.json|empty file
float-id.json|real number overflow
fractional-quantity.json|line_items[0].quantity: expected an integer
huge-id.json|too big integer
huge-quantity.json|too big integer
invalid-utf8.json|unable to decode byte 0xff
line-items-not-array.json|line_items: expected an array
lone-surrogate.json|invalid Unicode
missing-line-items.json|line_items: missing
nan-quantity.json|invalid token
negative-quantity.json|-3 is out of range
not-an-order.json|name: missing
nul-byte.json|control character 0x0
one-mb-line.json|expected near end of file
overlong-utf8.json|unable to decode byte 0xc0
products-short-rows.csv|no row has both
string-quantity.json|line_items[0].quantity: expected an integer
trailing-garbage.json|end of file expected
truncated-array.json|expected near end of file
truncated-object.json|premature end of input
two-documents.json|end of file expected
utf16.json|not an order or product file
whitespace-only.json|empty file'

# Row counts of every table but the log, one "table n" line each, in name order.
db_digest() {
	for t in $(sql "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'events' ORDER BY name"); do
		printf '%s %s\n' "$t" "$(sql "SELECT count(*) FROM \"$t\"")"
	done
}

# something in the database to keep: two orders and the product codes
cp "$SAMPLES/orders/1001-berlin.json" "$SPOOL/in/"
cp "$SAMPLES/products/codes.csv" "$SPOOL/in/"
if ! lib_start; then
	fail "daemon starts"
	lib_finish
fi
expect_true "seed files imported" \
    wait_for "[ -e '$SPOOL/done/1001-berlin.json' ] && [ -e '$SPOOL/done/codes.csv' ]" 10
before=$(db_digest)
events_before=$(sql "SELECT count(*) FROM events")
expect_contains "database has the seed orders" "orders 1" "$before"

# every file in the directory has a row in the table, and the other way round
expect_eq "table covers tests/data/hostile/" \
    "$(ls "$HOSTILE" | sort)" "$(printf '%s\n' "$TABLE" | cut -d'|' -f1 | sort)"

printf '%s\n' "$TABLE" | while IFS='|' read -r n want; do
	spool_drop "$HOSTILE/$n" "$n"
done
printf '%s\n' "$TABLE" | {
	while IFS='|' read -r n want; do
		# the reason is written just before the move: wait for the file
		wait_for "[ -e '$SPOOL/failed/$n' ] || [ -e '$SPOOL/done/$n' ]" 10
		if [ -e "$SPOOL/failed/$n" ] && [ -s "$SPOOL/failed/$n.reason" ]; then
			ok "$n in failed/ with a reason"
		else
			fail "$n in failed/ with a reason" \
			    "$(ls "$SPOOL/done/$n" "$SPOOL/failed/$n" "$SPOOL/failed/$n.reason" 2>&1 | tr '\n' ' ')"
		fi
		r=$(cat "$SPOOL/failed/$n.reason" 2>/dev/null)
		expect_contains "$n reason names the file" "$n: " "$r"
		expect_contains "$n reason" "$want" "$r"
		expect_eq "$n reason is one line" 1 "$(printf '%s\n' "$r" | wc -l | tr -d ' ')"
		expect_true "$n: daemon alive" kill -0 "$DPID"
	done
	echo "$LIB_PASS $LIB_FAIL" >"$T/counts"
}
read -r LIB_PASS LIB_FAIL <"$T/counts"

expect_true "daemon answers after the corpus" lib_ping
expect_eq "nothing imported from the corpus" "" "$(ls "$SPOOL/done" | grep -v -x -e 1001-berlin.json -e codes.csv)"
expect_eq "integrity_check" "ok" "$(sql 'PRAGMA integrity_check')"
expect_eq "row counts of every table unchanged" "$before" "$(db_digest)"
nfiles=$(printf '%s\n' "$TABLE" | wc -l | tr -d ' ')
expect_eq "one log event a refused file" $((events_before + nfiles)) "$(sql "SELECT count(*) FROM events")"
expect_eq "each a 'refused' event" "$nfiles" \
    "$(sql "SELECT count(*) FROM events WHERE kind = 'refused' AND id > (SELECT max(id) FROM events) - $nfiles")"
lib_stop
expect_rc "daemon stops cleanly" 0 $?
lib_finish
