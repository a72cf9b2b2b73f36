#!/bin/sh
# tests/e2e_systemd.sh: stationd speaks systemd's notify protocol (Type=notify):
# READY=1 once the store is open and the socket listens, STATUS=, WATCHDOG=1 at
# half of WATCHDOG_USEC from the loop, STOPPING=1 on SIGTERM, in that order; a
# loop blocked on purpose (the STATION_TEST_STALL hook) stops the pings, and
# they resume when it unblocks. The listener is a datagram socket of our own.
. "$(dirname "$0")/lib.sh"
lib_init systemd
lib_station ""
NS=$T/notify.sock
MSGS=$T/notify.log
/usr/bin/python3 - "$NS" "$MSGS" <<'EOP' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        m = s.recv(4096).decode()
        for line in m.split("\n"):
            if line:
                out.write(line + "\n")
EOP
LIB_EXTRA_PIDS=$!
wait_for "[ -S '$NS' ]" 5 || { fail listener "no socket"; lib_finish; }

# 200 ms watchdog: pings every 100 ms
NOTIFY_SOCKET=$NS WATCHDOG_USEC=200000 STATION_TEST_STALL=$T/stall \
    "$STATIOND" -d -c "$CONF" 2>>"$T/stationd.log" &
DPID=$!
count() { grep -c "^$1" "$MSGS" 2>/dev/null || true; }
expect_true "READY sent" wait_for "[ \$(count READY=1) -ge 1 ]" 10
expect_true "socket answers once READY" lib_ping
expect_true "STATUS sent" wait_for "[ \$(count STATUS=) -ge 1 ]" 5
expect_contains "STATUS summary" "STATUS=orders: 0 ready, 0 in progress; benches: 0 of 1 busy" \
    "$(cat "$MSGS")"
expect_true "watchdog pings" wait_for "[ \$(count WATCHDOG=1) -ge 5 ]" 5
expect_eq "READY comes first" "READY=1" "$(head -1 "$MSGS")"

# a wedged loop: no pings while it is blocked (a window of 8 periods)
touch "$T/stall"
expect_true "loop stalled" wait_for "grep -q 'loop stalled' '$T/stationd.log'" 5
n1=$(count WATCHDOG=1)
sleep 0.8
n2=$(count WATCHDOG=1)
expect_eq "no watchdog ping while the loop is blocked" "$n1" "$n2"
rm -f "$T/stall"
expect_true "pings resume" wait_for "[ \$(count WATCHDOG=1) -ge $((n2 + 3)) ]" 5

lib_stop
expect_rc "SIGTERM exits 0" 0 $?
expect_true "STOPPING sent" wait_for "[ \$(count STOPPING=1) -ge 1 ]" 5
expect_eq "STOPPING comes last" "STOPPING=1" "$(tail -1 "$MSGS")"
# order: READY, then STATUS before the first WATCHDOG? READY < STATUS < STOPPING
order=$(awk -F= '{print $1}' "$MSGS" | uniq | tr '\n' ' ')
case "$order" in
"READY STATUS WATCHDOG "*"STOPPING ") ok order ;;
*) fail order "$order" ;;
esac

# without NOTIFY_SOCKET nothing is sent and the daemon runs as before
: >"$MSGS"
lib_start
lib_stop
expect_eq "no notifications without NOTIFY_SOCKET" "" "$(cat "$MSGS")"

# the journal: with stderr being the stream JOURNAL_STREAM names, entries go to
# journald's socket with PRIORITY and STATION=/ORDER= fields. journald is ours:
# a listener on a socket bind-mounted over /run/systemd in a private mount
# namespace (root only; skipped otherwise).
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir -p "$T/run/journal"
	JL=$T/journal.log
	/usr/bin/python3 - "$T/run/journal/socket" "$JL" <<'EOP' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        d = s.recv(65536).decode(errors="replace")
        out.write(json.dumps(dict(l.split("=", 1) for l in d.split("\n") if "=" in l)) + "\n")
EOP
	LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $!"
	wait_for "[ -S '$T/run/journal/socket' ]" 5 || fail "journal listener"
	: >"$T/stderr.log"
	JS=$(stat -c '%d:%i' "$T/stderr.log")
	unshare -m sh -c "mount --bind '$T/run' /run/systemd && JOURNAL_STREAM=$JS exec '$STATIOND' -d -v -c '$CONF'" 2>>"$T/stderr.log" &
	DPID=$!
	wait_for lib_ping 10 || fail "stationd under a journal"
	lib_order 7001 "#7001" paid "" "7101:MUG-BLK-12:2" >"$T/o.json"
	lib_import "$T/o.json"
	ctl scan '#7001' >/dev/null
	ctl scan MUG-BLK-12 >/dev/null
	lib_stop
	expect_rc "stops under a journal" 0 $?
	expect_eq "nothing on stderr when it is the journal" "" "$(cat "$T/stderr.log")"
	expect_eq "ready entry: info" "6 stationd" "$(jq -r 'select(.MESSAGE | startswith("ready:")) | "\(.PRIORITY) \(.SYSLOG_IDENTIFIER)"' "$JL")"
	expect_eq "scan entry: debug, STATION and ORDER" "7 pack-1 #7001" \
	    "$(jq -r 'select(.MESSAGE | test("MUG-BLK-12 → ok")) | "\(.PRIORITY) \(.STATION) \(.ORDER)"' "$JL")"
	expect_eq "no ORDER where none is known" "null" \
	    "$(jq -r 'select(.MESSAGE | startswith("ready:")) | .ORDER' "$JL")"
	# JOURNAL_STREAM naming another stream (stderr redirected since): plain stderr
	export JOURNAL_STREAM="$JS"
	lib_start
	lib_stop
	unset JOURNAL_STREAM
	expect_contains "stderr when JOURNAL_STREAM is not ours" "stationd: ready:" "$(cat "$T/stationd.log")"
else
	echo "    (not root or no mount namespaces: journal fields not checked)"
fi
lib_finish
