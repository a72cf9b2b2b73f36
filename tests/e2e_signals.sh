#!/bin/sh
# Signals: SIGHUP re-reads the configuration (a broken one is refused and the
# running one kept), SIGTERM and SIGINT stop cleanly with exit 0, the socket
# is mode 0660 and a stale socket from a kill -9 does not stop a restart.
. "$(dirname "$0")/lib.sh"
lib_init signals
lib_station ""
lib_start || exit 1
ctl import "$LIB_ROOT/samples/products/products_export.csv" "$LIB_ROOT/samples/orders/1002-lodz.json" >/dev/null

expect_eq "control socket mode" "660" "$(stat -c %a "$SOCK")"

# duplicate_window = 0 here: the same code twice is two units
expect_eq "no duplicate window yet" "ok" "$(ctl scan '#1002' >/dev/null; ctl scan 061414100021 >/dev/null; ctl scan --format json 061414100021 | jq -r .verdict)"

# HUP with a 5 s window: the same code again right away is a double read
sed -i 's/^duplicate_window = 0$/duplicate_window = 5000/' "$CONF"
kill -HUP "$DPID"
expect_true "HUP re-reads the configuration" wait_for 'grep -q "HUP: configuration re-read" "$T/stationd.log"' 5
expect_eq "the new window applies" "duplicate_read" "$(ctl scan --format json 061414100021 | jq -r .verdict)"

# HUP with a broken file: refused, the running configuration stays
cp "$CONF" "$T/good.ini"
echo "colour = blue" >>"$CONF"
kill -HUP "$DPID"
expect_true "a broken configuration is refused on HUP" \
    wait_for 'grep -q "has errors; keeping the running configuration" "$T/stationd.log"' 5
expect_true "and the daemon keeps answering" "$STATIONCTL" -c "$T/good.ini" status
sed -i '/^colour = blue$/d' "$CONF"

lib_stop
expect_eq "SIGTERM exits 0" "0" "$?"
expect_eq "the socket is removed on exit" "" "$(ls "$SOCK" 2>/dev/null)"

lib_start || exit 1
kill -INT "$DPID"
wait "$DPID"
expect_eq "SIGINT exits 0" "0" "$?"
DPID=

lib_start || exit 1
lib_kill9
expect_true "kill -9 leaves a stale socket" test -S "$SOCK"
lib_start
expect_eq "a restart replaces the stale socket" "0" "$?"
expect_eq "and the open order is still open there" "#1002" "$(ctl status --format json | jq -r '.stations[0].order')"
lib_stop
lib_finish
