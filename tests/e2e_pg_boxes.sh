#!/bin/sh
# End to end, PostgreSQL only: several boxes (daemons) on one database.
# Every box sees every bench; one bench per order across boxes (busy_elsewhere
# names the box); a hold on one box reaches a packer on another at the next
# scan; a second daemon claiming a bench refuses to start; watch follows a
# bench on another box; a box killed mid-order comes back to the same
# session, shows offline meanwhile, and its order can be abandoned from any
# box; the same order imported on two boxes at once is one order; the
# server going away gives store_unavailable (nothing recorded), then normal.
# Run by tests/e2e_pg.sh (or alone: it starts its own server).
STATION_DB=pg
export STATION_DB
. "$(dirname "$0")/lib.sh"
lib_init e2e_pg_boxes
lib_station
URI=$(sed -n 's/^database = //p' "$CONF")

# box NAME STATION: a daemon's folder $T/NAME with its own spool and socket.
box() {
	mkdir -p "$T/$1/var"
	cat >"$T/$1/station.ini" <<EOC
[daemon]
database = $URI
spool    = var/spool
socket   = var/station.sock
box      = $1

[shop]
name     = Example Goods
address1 = 1 Dock Road
city     = Springfield
province = MA
zip      = 01101
country  = US
gs1_prefix = 0614141

[station $2]
duplicate_window = 0
EOC
}
# start NAME: stationd for box NAME, waits for its socket; BOXPID_NAME is its pid.
start() {
	"$STATIOND" -d -c "$T/$1/station.ini" 2>>"$T/$1/stationd.log" &
	eval "BOXPID_$(echo "$1" | tr - _)=$!"
	LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $!"
	wait_for "'$STATIONCTL' -c '$T/$1/station.ini' status >/dev/null 2>&1" 10
}
pid_of() {
	eval "echo \$BOXPID_$(echo "$1" | tr - _)"
}
on() {
	_b=$1
	shift
	"$STATIONCTL" -c "$T/$_b/station.ini" "$@"
}
# scan BOX STATION CODE: "verdict message" of one scan
scanv() {
	on "$1" scan --station "$2" --format json "$3" | jq -r '"\(.verdict) \(.message)"'
}

box box-a pack-1
box box-b pack-2
# --- stationd -n: a URI is not a path, a password in it is refused, box checked ---
box box-n pack-9
expect_eq "stationd -n accepts a URI and a box" "$T/box-n/station.ini: configuration OK (1 station)" \
    "$("$STATIOND" -n -c "$T/box-n/station.ini" 2>&1)"
sed -i "s|^database = .*|database = postgresql://station:secret@/x?host=/nowhere|" "$T/box-n/station.ini"
out=$("$STATIOND" -n -c "$T/box-n/station.ini" 2>&1)
expect_rc "password in the URI: rc 1" 1 $?
expect_contains "password in the URI refused" "station.ini:2: database: no password in the address: use ~/.pgpass" "$out"
start box-a || fail "box-a starts"
start box-b || fail "box-b starts"
on box-a import "$SAMPLES/products/products_export.csv" >/dev/null || fail "products"
lib_order 9007199254740993 '#3001' paid '' 9007199254741001:MUG-BLK-12:2 >"$T/3001.json"
lib_order 3002 '#3002' paid '' 3201:TOTE-CAN:1 >"$T/3002.json"
lib_order 3003 '#3003' paid '' 3301:MUG-BLK-12:1 3302:TOTE-CAN:1 >"$T/3003.json"
on box-a import "$T/3001.json" >/dev/null || fail "import on box-a"
on box-b import "$T/3002.json" "$T/3003.json" >/dev/null || fail "import on box-b"

# --- one warehouse: any box sees every order and bench ---------------------------
expect_eq "box-b sees box-a's order" ready "$(on box-b show '#3001' --format json | jq -r .status)"
expect_eq "status on box-b lists both benches with their boxes" \
    '[["pack-1","box-a",true],["pack-2","box-b",true]]' \
    "$(on box-b status --format json | jq -c '[.benches[] | [.name, .box, .online]]')"
expect_contains "status text: bench with box" "bench pack-1: box box-a online, idle" "$(on box-b status)"

# --- one bench per order across boxes ---------------------------------------------
expect_eq "pack-1 opens #3001" "opened OPENED #3001: scan the items (2 units)" "$(scanv box-a pack-1 '#3001')"
expect_eq "pack-2 on box-b: busy_elsewhere naming bench and box" \
    "busy_elsewhere #3001 is open at station pack-1 on box box-a" "$(scanv box-b pack-2 '#3001')"
expect_eq "pack-1 scans" "ok OK  MUG-BLK-12  1 of 2" "$(scanv box-a pack-1 MUG-BLK-12)"

# --- a watcher on box-b follows pack-1 on box-a ----------------------------------
mkfifo "$T/watch.in"
on box-b watch --station pack-1 <"$T/watch.in" >"$T/watch.out" 2>&1 &
WPID=$!
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $WPID"
exec 9>"$T/watch.in"	# its keyboard stays open (EOF would end it)
wait_for "grep -q 'scan>' '$T/watch.out' 2>/dev/null" 5
on box-a hold '#3001' --reason "address check" >/dev/null || fail "hold on box-a"
# --- a hold made on box-b reaches pack-1 (box-a) at its next scan -----------------
on box-b release '#3001' >/dev/null
on box-b hold '#3001' --reason "fraud check" >/dev/null || fail "hold on box-b"
got=$(scanv box-a pack-1 MUG-BLK-12)
expect_contains "hold from box-b reaches pack-1 mid-order" "on_hold" "$got"
expect_true "watcher on box-b saw pack-1's verdict" \
    wait_for "grep -q 'ON HOLD' '$T/watch.out'" 5
kill "$WPID" 2>/dev/null
exec 9>&-
on box-b release '#3001' >/dev/null || fail "release on box-b"

# --- a second daemon claiming pack-1 refuses to start -----------------------------
box box-c pack-1
"$STATIOND" -d -c "$T/box-c/station.ini" >"$T/box-c/out" 2>&1
expect_rc "second daemon with bench pack-1 refused" 1 $?
expect_contains "refusal names the holder" "[station pack-1] already runs on box box-a" \
    "$(cat "$T/box-c/out")"

# --- the same order imported on two boxes at once is one order --------------------
lib_order 3100 '#3100' paid '' 3101:MUG-BLK-12:3 3102:TOTE-CAN:1 >"$T/3100.json"
on box-a import "$T/3100.json" >/dev/null & IA=$!
on box-b import "$T/3100.json" >/dev/null & IB=$!
wait $IA; wait $IB
expect_eq "one order, its lines once" "1 2" \
    "$(sql "SELECT (SELECT count(*) FROM orders WHERE name = '#3100'), (SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.name = '#3100')" | tr '|' ' ')"

# --- a box killed mid-order: offline, the order freed from another box -----------
kill -9 "$(pid_of box-a)"
wait "$(pid_of box-a)" 2>/dev/null
expect_true "box-a shows offline on box-b" wait_for \
    "on box-b status --format json | jq -e '.benches[] | select(.name == \"pack-1\") | .online == false' >/dev/null" 10
expect_eq "abandon from box-b" "#3001 abandoned at pack-1: nothing shipped, ready again" \
    "$(on box-b abandon '#3001')"
expect_eq "#3001 ready again, nothing shipped" '["ready",null,0]' \
    "$(on box-b show '#3001' --format json | jq -c '[.status, .station, ([.lines[].shipped] | add)]')"
expect_contains "abandon logged" 'pack-1,#3001,,abandon,,"ABANDONED #3001 at pack-1 by a supervisor: nothing shipped, ready again"' \
    "$(on box-b log --kind abandon --format csv)"
on box-b abandon '#3001' >/dev/null 2>&1
expect_rc "abandon of an order at no bench refused" 1 $?

# --- kill -9 mid-order: the box comes back to the same session --------------------
start box-a || fail "box-a restarts (its bench is free again)"
expect_eq "pack-1 opens #3003" "opened OPENED #3003: scan the items (2 units)" "$(scanv box-a pack-1 '#3003')"
expect_eq "pack-1 scans a mug" "ok OK  MUG-BLK-12  1 of 1" "$(scanv box-a pack-1 MUG-BLK-12)"
kill -9 "$(pid_of box-a)"
wait "$(pid_of box-a)" 2>/dev/null
start box-a || fail "box-a restarts after kill -9"
expect_eq "resumed: same open order on pack-1" '"#3003"' \
    "$(on box-a status --format json | jq -c '.stations[0].order')"
expect_eq "the order completes where it stopped" \
    "completed COMPLETE #3003: all 2 units packed, label printing" "$(scanv box-a pack-1 TOTE-CAN)"

# --- the server restarted mid-shift: the next scan reconnects and is recorded ------
expect_eq "pack-2 opens #3002" "opened OPENED #3002: scan the items (1 units)" "$(scanv box-b pack-2 '#3002')"
pg_rig_restart || fail "server restarted"
expect_eq "first scan after a restart: recorded normally" \
    "wrong_item WRONG ITEM: MUG-BLK-12 is not in #3002" "$(scanv box-b pack-2 MUG-BLK-12)"

# --- the server goes away: store_unavailable, nothing recorded, then normal -------
NS=$(sql "SELECT count(*) FROM scans")
pg_rig_down || fail "server stopped"
got=$(on box-b scan --station pack-2 --format json TOTE-CAN)
expect_rc "scan while the server is away: refused" 1 $?
expect_eq "store_unavailable verdict" \
    '["store_unavailable","STORE DOWN: scan again in a moment"]' \
    "$(printf '%s' "$got" | jq -c '[.verdict, .message]')"
expect_eq "again while away" "store_unavailable" "$(on box-b scan --station pack-2 --format json TOTE-CAN | jq -r .verdict)"
pg_rig_up || fail "server started again"
UP=$(( $(date +%s%N) / 1000000 ))
expect_true "box-b is back on the database (its heartbeat reconnected)" \
    wait_for "[ \"\$(sql \"SELECT heartbeat_at > $UP FROM boxes WHERE box = 'box-b'\")\" = 1 ]" 10
expect_eq "after the outage: normal (the daemon reconnected)" \
    "completed COMPLETE #3002: all 1 units packed, label printing" "$(scanv box-b pack-2 TOTE-CAN)"
expect_eq "the refused scans were not recorded" "$((NS + 1))" "$(sql "SELECT count(*) FROM scans")"
expect_true "spool/out written after the outage" wait_for \
    "ls '$T/box-b/var/spool/out/' 2>/dev/null | grep -q 3002" 10
expect_eq "box-b still beats after the outage" true \
    "$(on box-b status --format json | jq -c '.benches[] | select(.name == "pack-2") | .online')"

lib_finish
