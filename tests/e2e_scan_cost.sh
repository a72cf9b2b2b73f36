#!/bin/sh
# What one scan costs the database (issue 11), counted, not timed: every
# statement the daemon runs is traced (STATION_TEST_SQL_TRACE: time, VM
# steps, pages written, SQL). An ok scan runs a bounded number of statements, and reading
# the open order does the same work on the 3rd unit of a line as on the
# 300th (its packed counts are kept, not summed over every scan), and no
# statement of it walks a table (EXPLAIN QUERY PLAN); opened, ok and completed
# scans write a bounded number of pages, and shipping reads the order's scans only.
. "$(dirname "$0")/lib.sh"
lib_init scan_cost
lib_station ""
TR=$T/sql.trace
: >"$TR"
export STATION_TEST_SQL_TRACE="$TR"
lib_start || exit 1
unset STATION_TEST_SQL_TRACE
lib_order 5101 '#5101' paid "" 6101:MUG-BLK-12:1000 6102:CUP-RED-1:1 >"$T/o.json"
lib_import "$T/o.json"
expect_eq "order opened" opened "$(ctl scan --format json '#5101' | jq -r .verdict)"

# one_scan CODE VERDICT OUT: scans CODE, expects VERDICT, keeps its statements in OUT
one_scan() {
	_before=$(wc -l <"$TR")
	_got=$(ctl scan --format json "$1" | jq -r .verdict)
	[ "$_got" = "$2" ] || echo "want $2, got $_got" >&2
	tail -n +$((_before + 1)) "$TR" >"$3"
}
# view_steps FILE: VM steps of the open order's line read (the view) in FILE
view_steps() {
	awk -F'\t' 'index($4, "FROM order_lines l") && index($4, "ORDER BY l.position") { print $2; exit }' "$1"
}
# STN:REPRINT and STN:UNDO still look up what they need (only they do)
expect_eq "no label to reprint yet" "reprint|no label to reprint yet" \
    "$(ctl scan --format json STN:REPRINT | jq -r '.verdict + "|" + .message')"
one_scan MUG-BLK-12 ok "$T/first"
one_scan MUG-BLK-12 ok "$T/early"
i=0
while [ $i -lt 300 ]; do
	echo '{"cmd":"scan","station":"pack-1","code":"MUG-BLK-12"}'
	i=$((i + 1))
done | python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rb")
for line in sys.stdin:
    s.sendall(line.encode()); r = f.readline()
    if b"\"verdict\":\"ok\"" not in r: sys.exit("not ok: %r" % r)
' "$SOCK" || fail "300 ok scans" "a scan was not ok"
one_scan MUG-BLK-12 ok "$T/late"
expect_eq "undo the last unit" "undone|UNDONE  MUG-BLK-12  now 302 of 1000" \
    "$(ctl scan --format json STN:UNDO | jq -r '.verdict + "|" + .message')"
n=$(wc -l <"$T/late" | tr -d ' ')
expect_true "an ok scan runs at most 16 statements (got $n)" test "$n" -le 16 -a "$n" -gt 0
e=$(view_steps "$T/early"); l=$(view_steps "$T/late")
expect_true "the open order is read once per ok scan" \
    test "$(grep -c 'ORDER BY l.position' "$T/late")" -eq 1
expect_true "reading the open order costs the same at unit 302 as at unit 2 ($e, $l steps)" \
    test -n "$e" -a "$e" = "$l"
w=$(awk -F'\t' '$4 ~ /^(UPDATE|INSERT|DELETE)/ { n++ } END { print n + 0 }' "$T/late")
expect_true "an ok scan runs at most 3 writing statements (got $w)" test "$w" -le 3
# pages_of FILE: pages the scan's commit wrote to the WAL
pages_of() {
	awk -F'\t' '$4 == "COMMIT" { p = $3 } END { print p + 0 }' "$1"
}
p=$(pages_of "$T/late")
expect_true "an ok scan's commit writes at most 11 pages (got $p)" test "$p" -le 11 -a "$p" -gt 0
one_scan STN:ABANDON abandoned "$T/abandon"
lib_order 5102 '#5102' paid "" 6103:MUG-BLK-12:1 >"$T/o2.json"
lib_import "$T/o2.json"
one_scan '#5102' opened "$T/opened"
p=$(pages_of "$T/opened")
expect_true "opening an order writes at most 10 pages (got $p)" test "$p" -le 10 -a "$p" -gt 0
one_scan MUG-BLK-12 completed "$T/completed"
p=$(pages_of "$T/completed")
expect_true "a completed scan writes at most 24 pages (got $p)" test "$p" -le 24 -a "$p" -gt 0
expect_eq "after a label: reprint" "reprint|REPRINT: the last label prints again" \
    "$(ctl scan --format json STN:REPRINT | jq -r '.verdict + "|" + .message')"
# shipping reads the order's scans, not every scan of the bench (300 and more here)
m=$(awk -F'\t' '$4 ~ /scans/ && $2 > m { m = $2 } END { print m + 0 }' "$T/completed")
expect_true "no statement of a completed scan walks the bench's scans ($m VM steps)" test "$m" -le 400
# every statement of an ok, an opened and a completed scan finds its rows
# through an index (no walk of a table: its work would grow with the years)
walks_in() {
	awk -F'\t' '$4 !~ /^(BEGIN|COMMIT)/ { print $4 }' "$1" | sort -u >"$T/stmts"
	while IFS= read -r q; do
		sql "EXPLAIN QUERY PLAN $q" | grep -E 'SCAN [a-z_]+( |$)' | grep -v CONSTANT |
		    grep -v 'USING INDEX fulfillments_unwritten' | sed "s|^|${q%% FROM*}: |"
	done <"$T/stmts"
}
# (fulfillments_unwritten is partial: it holds the documents spool/out has
# yet to get, a handful, whatever the history)
expect_eq "no statement of an ok scan walks a table" "" "$(walks_in "$T/late")"
expect_eq "no statement of an opened scan walks a table" "" "$(walks_in "$T/opened")"
expect_eq "no statement of a completed scan walks a table" "" "$(walks_in "$T/completed")"
lib_stop
lib_finish
