#!/bin/sh
# Issue 9 #8 and #14: one stationd per database and socket, and nothing it
# creates is readable by other local users.
. "$(dirname "$0")/lib.sh"
lib_init guard
lib_station
umask 022	# a typical login shell: the daemon must not rely on it
lib_start || exit 1
ctl import "$SAMPLES/products/products_export.csv" "$SAMPLES/orders/1001-berlin.json" >/dev/null
ctl scan '#1001' >/dev/null; ctl scan 4006381333931 >/dev/null; ctl scan 4006381333931 >/dev/null
ctl scan 4006381334013 >/dev/null
expect_true "a fulfillment was written (after the verdict)" \
    wait_for '[ "$(ls "$SPOOL/out" | grep -c "^fulfillment-.*\.json$")" = 1 ]' 5

# 1. A second daemon on the same configuration refuses, in the foreground...
timeout 5 "$STATIOND" -d -c "$CONF" 2>"$T/second.err"
rc=$?
expect_rc "a second stationd -d exits 1" 1 $rc
expect_contains "and says why" "another stationd (pid $DPID) already runs on database" "$(cat "$T/second.err")"
# ... and detached (the refusal still reaches the terminal); not tried when
# the foreground one was not refused (it would leave a daemon behind)
if [ $rc = 1 ]; then
	"$STATIOND" -c "$CONF" 2>"$T/second2.err"
	expect_rc "a second detached stationd exits 1" 1 $?
	expect_contains "and says why on stderr" "already runs on database" "$(cat "$T/second2.err")"
fi
expect_true "the first daemon's socket is still there" test -S "$SOCK"
expect_true "and it still answers" lib_ping

# 2. Another database, same socket: refused too, the socket is left alone.
sed 's|^database .*|database = var/other.db|' "$CONF" >"$T/other.ini"
timeout 5 "$STATIOND" -d -c "$T/other.ini" 2>"$T/third.err"
expect_rc "a daemon on another database but the same socket exits 1" 1 $?
expect_contains "and names the socket" "already runs on socket" "$(cat "$T/third.err")"
expect_true "the first daemon still answers" lib_ping

# 3. Modes: group-only, no world bits (the socket is 0660 already).
mode() { stat -c %a "$1"; }
expect_eq "database mode" 640 "$(mode "$DB")"
expect_eq "WAL mode" 640 "$(mode "$DB-wal")"
expect_eq "SHM mode" 640 "$(mode "$DB-shm")"
expect_eq "socket mode" 660 "$(mode "$SOCK")"
wait_for 'ls "$SPOOL"/out/fulfillment-*.json >/dev/null 2>&1' 5
expect_eq "spool/out document mode" 640 "$(mode "$(ls -d "$SPOOL"/out/fulfillment-*.json | head -1)")"
for d in in done failed out; do
	expect_eq "spool/$d has no world bits" 0 "$(( 0$(mode "$SPOOL/$d") & 7 ))"
done

# 4. Stopping the first daemon, then a new one: starts (the lock went with it).
lib_stop
expect_rc "the first daemon stops cleanly" 0 $?
chmod 644 "$DB"
lib_start || fail "a new daemon starts once the first is gone"
expect_eq "a database left world-readable is tightened at start" 640 "$(mode "$DB")"
lib_kill9
lib_start || fail "after kill -9 the next daemon starts at once"
lib_stop
lib_finish
