#!/bin/sh
# Printing end to end: the real stationd prints slips, labels, reprints and
# command sheets to real IPP printers (ippeveprinter) directly and through a
# private cupsd (raw queue), follows every job to completion, and survives
# printer faults: an alert while a printer is gone, the job kept and printed
# when it returns. What the printers received is decoded (zbarimg).
. "$(dirname "$0")/lib.sh"
lib_init print
RIG=$T/rig
mkdir -p "$RIG"
chmod 755 "$RIG"
rig() { sh "$LIB_ROOT/tests/rig/printers.sh" "$@"; }
rigenv=$(rig start "$RIG") || { echo "print: cannot start the printer rig"; echo "print: 0 passed, 1 failed"; exit 1; }
eval "$rigenv"
LIB_RIG=$RIG
trap 'rig stop "$LIB_RIG" >/dev/null 2>&1; lib_cleanup' EXIT
export CUPS_SERVER

lib_station "label_printer = $EVE1_URI
slip_printer = $EVE2_URI

[station pack-2]
duplicate_window = 0
label_printer = $Q_RAW
slip_printer = $EVE2_URI
label_dpi = 300"
lib_start || exit 1
ctl import "$LIB_ROOT/samples/products/products_export.csv" "$LIB_ROOT/samples/orders/1001-berlin.json" \
    "$LIB_ROOT/samples/orders/1002-lodz.json" "$LIB_ROOT/samples/orders/1004-athina.json" \
    "$LIB_ROOT/samples/orders/1006-seoul.json" "$LIB_ROOT/samples/orders/1010-multi-line.json" >/dev/null

count() { ls "$RIG/recv/$1" 2>/dev/null | grep -c '\.pdf$'; }
has() { [ "$(count "$1")" -ge "$2" ]; }
newest() { ls -t "$RIG/recv/$1"/*.pdf | head -1; }
jobname() { sed -n 's/^IPP_JOB_NAME=//p' "${1%.pdf}.env"; }
decode() { pdftoppm -r "${2:-203}" -mono -f 1 -l 1 "$1" "$T/page" && zbarimg -q --raw "$T"/page-*.pbm 2>/dev/null; rm -f "$T"/page-*.pbm; }
jobstate() { sql "SELECT state FROM print_jobs WHERE title = '$1' ORDER BY id DESC LIMIT 1"; }
scan() { ctl scan --station "$1" "$2" >/dev/null; }

# 1. The slip prints when the order is opened; it decodes to what opens the order.
scan pack-1 '#1001'
expect_true "slip for #1001 reaches the slip printer" wait_for 'has eve2 1' 10
f=$(newest eve2)
expect_eq "slip job name" "#1001 packing slip" "$(jobname "$f")"
expect_contains "slip barcode decodes to the order name" "#1001" "$(decode "$f" 300)"
expect_contains "slip text names the customer" "Anna Müller" "$(pdftotext "$f" - 2>/dev/null)"

# 2. Completing the order prints its label, with 4x6 media, job name and SSCC.
scan pack-1 4006381333931; scan pack-1 4006381333931; scan pack-1 4006381334013
expect_true "label for #1001 reaches the label printer" wait_for 'has eve1 1' 10
f=$(newest eve1)
sscc=$(sql "SELECT sscc FROM packages p JOIN orders o ON o.id = p.order_id WHERE o.name = '#1001'")
expect_eq "label job name" "#1001 package 1 label" "$(jobname "$f")"
expect_eq "label media" "IPP_MEDIA=na_index-4x6_4x6in" "$(grep '^IPP_MEDIA=' "${f%.pdf}.env")"
expect_contains "label barcode decodes to (00)+SSCC" "00$sscc" "$(decode "$f" 203)"
expect_true "label job followed to completed" wait_for '[ "$(jobstate "#1001 package 1 label")" = completed ]' 10
expect_eq "a completed job's PDF is dropped" "1" "$(sql "SELECT pdf IS NULL FROM print_jobs WHERE title = '#1001 package 1 label'")"

# 3. Through cupsd's raw queue: station pack-2's label, at 300 dpi.
scan pack-2 '#1006'; scan pack-2 061414100045
n1=$(count eve1)
expect_true "pack-2 label arrives through the CUPS raw queue" wait_for "has eve1 $((n1 > 1 ? n1 : 2))" 15
f=$(newest eve1)
sscc=$(sql "SELECT sscc FROM packages p JOIN orders o ON o.id = p.order_id WHERE o.name = '#1006'")
expect_contains "raw-queue label decodes to its SSCC" "00$sscc" "$(decode "$f" 300)"

# 4. Reprints and the command sheet.
n1=$(count eve1); n2=$(count eve2)
out=$(ctl reprint '#1001' --label)
expect_eq "reprint --label answers" "label for #1001 queued again" "$out"
expect_true "the reprinted label arrives" wait_for "has eve1 $((n1 + 1))" 10
expect_eq "reprint job name" "#1001 package 1 label (reprint)" "$(jobname "$(newest eve1)")"
out=$(ctl reprint '#1001' --slip)
expect_eq "reprint --slip answers" "slip for #1001 queued again" "$out"
expect_true "the reprinted slip arrives" wait_for "has eve2 $((n2 + 1))" 10
ctl reprint 123456789012345678 2>"$T/err" >/dev/null
expect_eq "reprint of an unknown SSCC exits 1" "1" "$?"
expect_eq "and says why" "stationctl: no package with SSCC 123456789012345678" "$(cat "$T/err")"
n2=$(count eve2)
out=$(ctl sheet --station pack-1)
expect_eq "sheet answers" "command sheet for pack-1 queued" "$out"
expect_true "the command sheet arrives" wait_for "has eve2 $((n2 + 1))" 10
expect_contains "the sheet carries STN:PARTIAL" "STN:PARTIAL" "$(decode "$(newest eve2)" 300)"

# 5. Slips ahead of time for a wave, oldest first, each once.
n2=$(count eve2)
out=$(ctl print-slips --limit 2 --station pack-1)
expect_eq "print-slips answers" "2 slip(s) queued" "$out"
expect_true "two wave slips arrive" wait_for "has eve2 $((n2 + 2))" 10
expect_eq "slips marked printed (#1001, #1006 on open, two in the wave)" "4" "$(sql "SELECT count(*) FROM orders WHERE slip_printed = 1")"
n2=$(count eve2)
scan pack-1 '#1002'
sleep 0.3	# nothing must arrive: give a wrong print the time it would take
expect_eq "a slip printed in the wave is not printed again on open" "$n2" "$(count eve2)"
scan pack-1 STN:ABANDON

# 6. The label printer dies before the job: alert, job kept, printed on return.
rig kill-eve "$RIG" 1
n1=$(count eve1)
scan pack-1 '#1004'; scan pack-1 061414100014; scan pack-1 061414100014
expect_true "status shows the printer alert" wait_for 'ctl status | grep -q "^ALERT pack-1 $EVE1_URI"' 20
expect_true "the failed job is kept for retry" wait_for '[ "$(jobstate "#1004 package 1 label")" = failed ]' 10
expect_eq "an alert event is in the log" "1" "$(sql "SELECT count(*) > 0 FROM events WHERE kind = 'alert' AND error = 1")"
rig start-eve "$RIG" 1 >/dev/null
# (a restarted ippeveprinter numbers its jobs from 1 again: look at the newest file)
expect_true "the kept label prints when the printer returns" \
    wait_for '[ "$(jobname "$(newest eve1)")" = "#1004 package 1 label" ]' 20
expect_true "the job ends completed" wait_for '[ "$(jobstate "#1004 package 1 label")" = completed ]' 15
expect_true "the alert clears" wait_for '! ctl status | grep -q "^ALERT pack-1"' 20

# 7. A disabled CUPS queue: the job waits, then prints after cupsenable.
cupsdisable -h "$CUPS_SERVER" "$Q_RAW"
n1=$(count eve1)
scan pack-2 '#1010'; scan pack-2 STN:QTY:6; scan pack-2 4006381333931; scan pack-2 STN:PARTIAL
expect_true "status shows the paused queue" wait_for 'ctl status | grep -q "^ALERT pack-2 $Q_RAW"' 20
expect_eq "nothing printed while paused" "#1004 package 1 label" "$(jobname "$(newest eve1)")"
cupsenable -h "$CUPS_SERVER" "$Q_RAW"
expect_true "the job prints after cupsenable" \
    wait_for '[ "$(jobname "$(newest eve1)")" = "#1010 package 1 label" ]' 20

# 8. Nothing was lost: every job row completed.
expect_true "all jobs completed" wait_for '[ "$(sql "SELECT count(*) FROM print_jobs WHERE state <> '"'"'completed'"'"'")" = 0 ]' 20

# 9. stationd -n: an unknown CUPS queue is a configuration error.
sed "s|^label_printer = $Q_RAW|label_printer = NoSuchQueue|" "$CONF" >"$T/bad.ini"
"$STATIOND" -n -c "$T/bad.ini" 2>"$T/err" >/dev/null
expect_eq "stationd -n rejects an unknown queue" "1" "$?"
expect_contains "and names it with file:line" "bad.ini:" "$(cat "$T/err")"
expect_contains "and the queue" "NoSuchQueue" "$(cat "$T/err")"

# 10. kill -9 while a printer is working on a label: after the restart the
#     daemon follows the accepted job to completion instead of losing it.
ctl import "$LIB_ROOT/samples/orders/1005-tokyo.json" >/dev/null
touch "$RIG/faults/eve1.hold"
scan pack-1 '#1005'; scan pack-1 STN:QTY:2; scan pack-1 4901234567894; scan pack-1 061414100038
expect_true "the label is accepted and held by the printer" \
    wait_for '[ "$(jobstate "#1005 package 1 label")" = processing ]' 15
lib_kill9
lib_start || exit 1
rm -f "$RIG/faults/eve1.hold"
expect_true "after kill -9 and restart the held label is followed to completion" \
    wait_for '[ "$(jobstate "#1005 package 1 label")" = completed ]' 20
expect_eq "and printed once" "1" "$(grep -l '^IPP_JOB_NAME=#1005 package 1 label$' "$RIG"/recv/eve1/*.env | wc -l)"

# 11. The printer dies in the middle of a label (power cut): the restarted
#     printer has forgotten the job, so it is sent again and printed.
ctl import "$LIB_ROOT/samples/orders/1003-moskva.json" >/dev/null
touch "$RIG/faults/eve1.hold"
scan pack-1 '#1003'; scan pack-1 STN:QTY:4; scan pack-1 4901234567894; scan pack-1 4006381334181
expect_true "the label is accepted and in the printer's hands" \
    wait_for '[ "$(jobstate "#1003 package 1 label")" = processing ]' 15
rig kill-eve "$RIG" 1
rm -f "$RIG/faults/eve1.hold"
rig start-eve "$RIG" 1 >/dev/null
expect_true "the lost label is sent again and completes" \
    wait_for '[ "$(jobstate "#1003 package 1 label")" = completed ]' 40
expect_eq "it reached the printer" "#1003 package 1 label" "$(jobname "$(newest eve1)")"
expect_eq "the loss is in the log" "1" \
    "$(sql "SELECT count(*) > 0 FROM events WHERE kind = 'print' AND message LIKE '%lost:%sending it again'")"

lib_stop
lib_finish
