#!/bin/sh
# End to end: the control socket against clients that misbehave. Slow readers
# and pipeliners keep the daemon's memory bounded; watchers that stop reading
# lose events and are told so.
. "$(dirname "$0")/lib.sh"
lib_init e2e_control
lib_station
CLIENT="/usr/bin/python3 $LIB_ROOT/tests/rig/ctl_client.py"
if ! lib_start; then
	fail "daemon starts"
	lib_finish
fi

# rss_kb: the daemon's resident set in kB, from /proc.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status"
}
# An order of 100 lines with long names, so that every watch event is big (~13 KB).
set --
i=1
while [ $i -le 100 ]; do
	set -- "$@" "$((500000 + i)):SKU-WITH-A-RATHER-LONG-NAME-FOR-THE-WATCH-EVENTS-$i:1"
	i=$((i + 1))
done
lib_order 5001 '#5001' paid '' "$@" >"$T/5001.json"
lib_import "$T/5001.json" || fail "import #5001"
expect_eq "#5001 opens" "opened: OPENED #5001: scan the items (100 units)" "$(ctl scan '#5001')"
RSS0=$(rss_kb)

# --- closed clients are let go: more requests in a row than the client limit (64) ----
n=0
i=0
while [ $i -lt 100 ]; do
	ctl status >/dev/null 2>&1 && n=$((n + 1))
	i=$((i + 1))
done
expect_eq "100 requests in a row answered" 100 "$n"

# --- a client that pipelines 20 MB of requests and never reads a reply ----------
mkfifo "$T/flood.in"
$CLIENT flood "$SOCK" 20 <"$T/flood.in" >"$T/flood.out" &
FLOOD=$!
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $FLOOD"
exec 7>"$T/flood.in"
wait_for "[ -s '$T/flood.out' ]" 30 || fail "flood client finishes writing"
expect_eq "daemon answers others during the flood" "opened: #5001 is already open here" \
    "$(ctl scan '#5001' 2>&1)"
RSS1=$(rss_kb)
echo "flood: $(cat "$T/flood.out") bytes written without reading; daemon RSS ${RSS0} kB -> ${RSS1} kB"
expect_true "daemon RSS < 40 MB with a 20 MB pipelining client (${RSS1} kB)" test "$RSS1" -lt 40960
exec 7>&-
wait "$FLOOD" 2>/dev/null

# --- a watcher that never reads while 20,000 scans happen ------------------------
mkfifo "$T/watch.in"
$CLIENT watch "$SOCK" <"$T/watch.in" >"$T/watch.out" &
WATCH=$!
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $WATCH"
exec 8>"$T/watch.in"
wait_for "[ -s '$T/watch.out' ]" 10 || fail "watch client subscribes"
t0=$(date +%s)
expect_eq "20000 scans answered" 20000 "$($CLIENT scans "$SOCK" 20000 NOPE-NOT-A-CODE)"
RSS2=$(rss_kb)
echo "watch: 20000 scans in $(( $(date +%s) - t0 )) s, watcher not reading; daemon RSS ${RSS0} kB -> ${RSS2} kB"
expect_true "daemon RSS < 40 MB with a watcher that never reads (${RSS2} kB)" test "$RSS2" -lt 40960
expect_true "daemon alive" kill -0 "$DPID"
expect_eq "daemon answers others" "unknown_code: UNKNOWN CODE: NOPE" "$(ctl scan NOPE 2>&1)"
# The watcher now reads: what it gets says that events were dropped.
exec 8>&-
wait "$WATCH" 2>/dev/null
expect_contains "watcher told that events were dropped" \
    "events were dropped: this watcher did not read them in time" "$(cat "$T/watch.out")"
# every scan (20000 and the one after) was either delivered or counted as dropped
expect_eq "events delivered + dropped = scans" 20001 \
    "$(awk '$1 == "scan" { n += $2 } $1 == "dropped" && NF > 2 { n += $2 } END { print n }' "$T/watch.out")"

expect_true "daemon stops cleanly" lib_stop
lib_finish
