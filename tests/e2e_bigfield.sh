#!/bin/sh
# Issue 9 #11: a shop field of 1,300 characters (ship-to name, line title)
# must never overflow a buffer. The daemon is built fortified
# (-O2 -D_FORTIFY_SOURCE=3, in build/fortify) and the label and the slip of
# such an order must reach real IPP printers, with the intake's cut logged.
. "$(dirname "$0")/lib.sh"
lib_init bigfield
FB=build/fortify
if ! make -s -C "$LIB_ROOT" -j2 B=$FB CFLAGS="-O2 -g -D_FORTIFY_SOURCE=3" \
    $FB/stationd $FB/stationctl >"$T/build.log" 2>&1; then
	cat "$T/build.log"
	fail "fortified build"
	lib_finish
fi
STATIOND=$LIB_ROOT/$FB/stationd
STATIONCTL=$LIB_ROOT/$FB/stationctl
RIG=$T/rig
mkdir -p "$RIG"
chmod 755 "$RIG"
rig() { sh "$LIB_ROOT/tests/rig/printers.sh" "$@"; }
rigenv=$(rig start "$RIG") || { echo "bigfield: cannot start the printer rig"; echo "bigfield: 0 passed, 1 failed"; exit 1; }
eval "$rigenv"
LIB_RIG=$RIG
trap 'rig stop "$LIB_RIG" >/dev/null 2>&1; lib_cleanup' EXIT

lib_station "label_printer = $EVE1_URI
slip_printer = $EVE2_URI"
lib_start || exit 1
count() { ls "$RIG/recv/$1" 2>/dev/null | grep -c '\.pdf$'; }
has() { [ "$(count "$1")" -ge "$2" ]; }
newest() { ls -t "$RIG/recv/$1"/*.pdf | head -1; }
jobname() { sed -n 's/^IPP_JOB_NAME=//p' "${1%.pdf}.env"; }

long=$(awk 'BEGIN { for (i = 0; i < 130; i++) printf "Longname%02d ", i % 100 }')
expect_eq "the name is 1,430 characters" 1430 "${#long}"
printf '{"order":{"id":9007199254770001,"name":"#L1","financial_status":"paid","shipping_address":{"name":"%s","address1":"%s","city":"Berlin","zip":"10623","country":"Germany","country_code":"DE"},"line_items":[{"id":9007199254770101,"sku":"BIG-1","title":"%s","name":"%s","quantity":1,"requires_shipping":true,"grams":100}]}}\n' \
    "$long" "$long" "$long" "$long" >"$T/big.json"
expect_rc "the order imports" 0 "$(lib_import "$T/big.json"; echo $?)"

out=$(ctl scan '#L1')
expect_contains "the order opens" "#L1" "$out"
expect_true "its slip reaches the slip printer" wait_for 'has eve2 1' 15
expect_eq "slip job" "#L1 packing slip" "$(jobname "$(newest eve2)")"
out=$(ctl scan BIG-1)
expect_contains "the scan completes the order" "COMPLETE #L1" "$out"
expect_true "its label reaches the label printer" wait_for 'has eve1 1' 15
expect_eq "label job" "#L1 package 1 label" "$(jobname "$(newest eve1)")"
expect_contains "the label shows the start of the name" "Longname00" \
    "$(pdftotext "$(newest eve1)" - 2>/dev/null)"
# since issue 9 #13 the intake bounds shop fields (a name at 255 bytes) and
# logs what it cut; the documents are made from what was kept
expect_eq "the intake logged the cut fields" 1 \
    "$(sql "SELECT count(*) > 0 FROM events WHERE kind = 'truncated'")"
expect_eq "no rendering failed" 0 "$(sql "SELECT count(*) FROM events WHERE kind = 'print' AND error = 1")"
expect_true "the daemon is alive" kill -0 "$DPID"
lib_stop
expect_rc "it stops cleanly" 0 $?
lib_finish
