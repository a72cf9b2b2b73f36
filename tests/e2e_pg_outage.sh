#!/bin/sh
# End to end, PostgreSQL only: the database goes away and the daemon's loop
# never waits for it. The box's address names two hosts: the real server's
# socket, then a TCP "blackhole" (a listener that accepts and never answers,
# as a dropped network swallows packets). With the server stopped, a
# connection attempt falls through to the blackhole and would hang for its
# whole timeout: every scan must still get store_unavailable at once (reply
# times measured on the control socket), while the loop reconnects by
# itself; once the server is back the next scans are committed verdicts,
# the listener LISTENs again and a completed order's document is written.
# Run by tests/e2e_pg.sh (or alone: it starts its own server).
STATION_DB=pg
export STATION_DB
. "$(dirname "$0")/lib.sh"
lib_init e2e_pg_outage
lib_station
# A reply slower than this means the loop waited on the network (a blocking
# attempt takes its 3 s connect_timeout); measured figures are printed.
BOUND_MS=${OUTAGE_BOUND_MS:-1000}

# The blackhole: accepts, keeps every connection, never writes a byte.
cat >"$T/blackhole.py" <<'EOP'
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
kept = []
n = 0
while True:
    c, _ = s.accept()
    kept.append(c)
    n += 1
    open(sys.argv[2], "w").write(str(n))
EOP
/usr/bin/python3 "$T/blackhole.py" "$T/bh.port" "$T/bh.count" &
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $!"
wait_for "[ -s '$T/bh.port' ]" 10 || fail "blackhole listens"
BHPORT=$(cat "$T/bh.port")
URI="postgresql:///$PGDB?host=$PG_RIG_DIR,127.0.0.1&port=$PG_RIG_PORT,$BHPORT&user=station"
sed -i "s|^database = .*|database = $(printf '%s' "$URI" | sed 's/[&|]/\\&/g')|" "$CONF"

# scan CODE: "verdict ms": one scan on the control socket, its reply time measured
cat >"$T/scan.py" <<'EOP'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
f = s.makefile("rb")
t0 = time.monotonic()
s.sendall((json.dumps({"cmd": "scan", "station": "pack-1", "code": sys.argv[2]}) + "\n").encode())
rep = json.loads(f.readline())
ms = int((time.monotonic() - t0) * 1000)
print(rep.get("verdict") or rep.get("error"), ms)
EOP
scan() {
	/usr/bin/python3 "$T/scan.py" "$SOCK" "$1"
}

lib_start || { fail "daemon starts"; lib_finish; }
ctl import "$SAMPLES/products/products_export.csv" >/dev/null || fail "products"
lib_order 4001 '#4001' paid '' 4101:MUG-BLK-12:2 4102:TOTE-CAN:1 >"$T/4001.json"
ctl import "$T/4001.json" >/dev/null || fail "import"
expect_eq "opens #4001" opened "$(scan '#4001' | cut -d' ' -f1)"
expect_eq "scans a mug" ok "$(scan MUG-BLK-12 | cut -d' ' -f1)"
expect_true "listening for other boxes" wait_for \
    "[ \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stationd-listen' AND datname = '$PGDB'\")\" = 1 ]" 10
NS=$(sql "SELECT count(*) FROM scans")

# --- the server stops: the attempt hangs on the blackhole, scans do not ----------
pg_rig_down || fail "server stopped"
worst=0 all=
i=0
while [ $i -lt 8 ]; do
	got=$(scan MUG-BLK-12)
	v=${got% *} ms=${got#* }
	all="$all $ms"
	[ "$v" = store_unavailable ] || fail "scan $i during the outage: $got (want store_unavailable)"
	[ "$ms" -gt "$worst" ] && worst=$ms
	i=$((i + 1))
	sleep 0.3
done
echo "outage: scan reply times (ms):$all"
expect_true "every refusal within ${BOUND_MS} ms (worst $worst ms)" [ "$worst" -lt "$BOUND_MS" ]
expect_true "the reconnect really went to the blackhole" [ "$(cat "$T/bh.count" 2>/dev/null || echo 0)" -ge 1 ]
t0=$(date +%s%N)
ctl ping >/dev/null 2>&1 || ctl status >/dev/null 2>&1
expect_true "the control socket answers during the outage" \
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt "$BOUND_MS" ]
expect_contains "the loop said it reconnects" "reconnecting" "$(cat "$T/stationd.log")"

# --- the server is back: the loop reconnects by itself ----------------------------
pg_rig_up || fail "server started again"
expect_true "the loop reconnected by itself (no scan asked)" \
    wait_for "grep -q 'database: back' '$T/stationd.log'" 15
expect_eq "the next scan is a committed verdict" ok "$(scan MUG-BLK-12 | cut -d' ' -f1)"
expect_eq "and the next completes the order" completed "$(scan TOTE-CAN | cut -d' ' -f1)"
expect_eq "only the committed scans were recorded" "$((NS + 2))" "$(sql "SELECT count(*) FROM scans")"
expect_true "LISTENing again after the outage" wait_for \
    "[ \"\$(sql \"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stationd-listen' AND datname = '$PGDB'\")\" = 1 ]" 10
expect_true "spool/out written after the outage" wait_for \
    "ls '$SPOOL/out/' 2>/dev/null | grep -q 4001" 10
lib_stop
expect_rc "stops cleanly" 0 $?
lib_finish
