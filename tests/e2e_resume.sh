#!/bin/sh
# Issue 9 #6: a crash between commit and verdict must not make a packer
# scan twice. After a restart each bench first repeats its last committed
# verdict (log and `watch`), and `stationctl scan --key K` retried with the
# same key returns the original verdict without counting again.
. "$(dirname "$0")/lib.sh"
lib_init resume
lib_station
lib_start || exit 1
ctl import "$SAMPLES/products/products_export.csv" >/dev/null
lib_order 9101 '#R1' paid "" 9201:MUG-BLK-12:3 >"$T/r1.json"
lib_import "$T/r1.json"
ctl scan '#R1' >/dev/null
expect_eq "first unit" "ok: OK  MUG-BLK-12  1 of 3" "$(ctl scan MUG-BLK-12)"
lib_kill9
lib_start || exit 1

# 1. The bench repeats its last committed verdict: in the log...
want="RESUMED #R1: last scan OK  MUG-BLK-12  1 of 3"
expect_eq "the log carries the resume" "$want" \
    "$(sql "SELECT message FROM events WHERE kind = 'resume' AND station = 'pack-1' ORDER BY id DESC LIMIT 1")"
# ... and on the packer's screen (watch), before any new scan
watch_out() {
	: >"$T/watch.out"
	(sleep 5 | "$STATIONCTL" -c "$CONF" watch --station pack-1 >"$T/watch.out" 2>&1) &
	wpid=$!
	LIB_EXTRA_PIDS=$wpid
}
watch_out
expect_true "watch shows the resumed verdict" wait_for "grep -q '$want' '$T/watch.out'" 5
expect_contains "with the open order's lines" "1 / 3" "$(cat "$T/watch.out")"
kill $wpid 2>/dev/null; wait $wpid 2>/dev/null

# 2. Idempotency keys: a retried request is not counted twice.
expect_eq "a keyed scan" "ok: OK  MUG-BLK-12  2 of 3" "$(ctl scan --key bench1-0042 MUG-BLK-12)"
n=$(sql "SELECT count(*) FROM scans")
expect_eq "the same key again returns the original verdict" "ok: OK  MUG-BLK-12  2 of 3" \
    "$(ctl scan --key bench1-0042 MUG-BLK-12)"
expect_eq "and records nothing" "$n" "$(sql "SELECT count(*) FROM scans")"
expect_eq "the unit counted once" 2 \
    "$(ctl status --format json | jq '.stations[0].lines[0].packed')"
expect_eq "the key is stored with its scan" "bench1-0042 ok" \
    "$(sql "SELECT request_key, verdict FROM scans WHERE request_key IS NOT NULL" | tr '|' ' ')"
watch_out
sleep 0.3	# a watcher after a scan gets no stale RESUMED: give it the time it would take
expect_eq "no RESUMED once the bench has scanned" 0 "$(grep -c RESUMED "$T/watch.out")"
kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
LIB_EXTRA_PIDS=
lib_stop
lib_start || exit 1
expect_eq "the key survives a restart" "ok: OK  MUG-BLK-12  2 of 3" \
    "$(ctl scan --key bench1-0042 MUG-BLK-12)"
out=$(ctl scan --key bench1-0043 MUG-BLK-12)
expect_contains "a new key is a new scan" "COMPLETE #R1" "$out"
ctl scan --key "$(printf '%0129d' 0)" MUG-BLK-12 >/dev/null 2>"$T/err"
expect_rc "an overlong key is refused" 1 $?
lib_stop
lib_finish
