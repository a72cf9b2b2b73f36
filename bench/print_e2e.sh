#!/bin/sh
# Printing at the daemon level: from the last item scan to the label job
# accepted by a real IPP printer (ippeveprinter, direct ipp://), and scan
# verdict latency with the label printer up versus killed (unreachable).
. "$(dirname "$0")/../tests/lib.sh"
lib_init benchprint
RIG=$T/rig
mkdir -p "$RIG"; chmod 755 "$RIG"
rig() { sh "$LIB_ROOT/tests/rig/printers.sh" "$@"; }
rigenv=$(rig start "$RIG") || { echo "print_e2e: cannot start the printer rig"; exit 0; }
eval "$rigenv"
LIB_RIG=$RIG
trap 'rig stop "$LIB_RIG" >/dev/null 2>&1; lib_cleanup' EXIT
N=${BENCH_PRINT_ORDERS:-300}
LAT=$LIB_ROOT/build/bench/core_scan_latency

lib_station "label_printer = $EVE1_URI
slip_on_open = no"
lib_start || exit 0
lib_bulk_orders $((3 * N)) '#B' 2>/dev/null
ctl import "$LIB_ROOT/samples/products/products_export.csv" >/dev/null

# 1. scan -> label accepted, one order at a time as at a bench (a label
#    printer takes one job at a time: a burst would measure its queue)
M=${BENCH_PRINT_PACED:-60}
for i in $(seq 1 "$M"); do
	ctl scan "#B$i" >/dev/null
	ctl scan 4006381333931 >/dev/null
	wait_for '[ "$(sql "SELECT count(*) FROM print_jobs WHERE state = '"'"'completed'"'"'")" -ge '"$i"' ]' 10
done
sql "SELECT j.accepted_at - c.at FROM print_jobs j JOIN packages p ON p.id = j.package_id
     JOIN scans c ON c.order_id = p.order_id AND c.verdict = 'completed'
     WHERE j.accepted_at IS NOT NULL ORDER BY 1" >"$T/lat"
n=$(wc -l <"$T/lat")
p50=$(sed -n "$(( (n + 1) / 2 ))p" "$T/lat")
p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$T/lat")
echo "print: last item scan -> label accepted by the printer (direct IPP), $n labels:" \
    "p50 ${p50} ms, p99 ${p99} ms (target p99 <= 50 ms; ms clock resolution)"

# 2. verdict latency with the printer up, then killed
"$LAT" "$SOCK" $((M + 1)) $((2 * N)) 4006381333931 2>&1 | sed 's/^/print: printer up:   /'
rig kill-eve "$RIG" 1
"$LAT" "$SOCK" $((M + N + 1)) $((2 * N)) 4006381333931 2>&1 | sed 's/^/print: printer dead: /'
echo "print: jobs kept while the printer is dead: $(sql "SELECT count(*) FROM print_jobs WHERE state <> 'completed'")"
lib_stop
