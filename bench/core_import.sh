#!/bin/sh
# Core bench: import rate for 100,000 orders from Shopify JSON and from the
# order export CSV (median of 3 runs, each into a fresh database), and the
# daemon's resident memory with 100,000 orders. Prints figures, asserts nothing.
. "$(dirname "$0")/../tests/lib.sh"
lib_init bench_import
N=${BENCH_ORDERS:-100000}
RUNS=${BENCH_RUNS:-3}
cd "$T" || exit 1
awk -v n="$N" 'BEGIN {
	printf "{\"orders\":[";
	for (i = 1; i <= n; i++) {
		if (i > 1) printf ",";
		printf "{\"id\":9007199254%06d,\"name\":\"#J%d\",\"created_at\":\"2024-03-04T09:00:00+01:00\",\"financial_status\":\"paid\",\"fulfillment_status\":null,\"cancelled_at\":null,\"shipping_address\":{\"name\":\"Bench Person %d\",\"address1\":\"%d Bench Road\",\"city\":\"Springfield\",\"zip\":\"01101\",\"country\":\"United States\",\"country_code\":\"US\"},\"shipping_lines\":[{\"title\":\"UPS Ground\",\"code\":\"UPS\"}],\"line_items\":[{\"id\":80000000%07d,\"sku\":\"MUG-BLK-12\",\"title\":\"Ceramic Mug\",\"name\":\"Ceramic Mug - Black\",\"quantity\":2,\"fulfillable_quantity\":2,\"requires_shipping\":true,\"grams\":420},{\"id\":80000000%07d,\"sku\":\"TOTE-CAN\",\"title\":\"Canvas Tote\",\"name\":\"Canvas Tote\",\"quantity\":1,\"fulfillable_quantity\":1,\"requires_shipping\":true,\"grams\":210}]}", i, i, i, i, 2 * i, 2 * i + 1;
	}
	printf "]}\n";
}' >orders.json
awk -v n="$N" 'BEGIN {
	printf "Name,Email,Financial Status,Fulfillment Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku,Lineitem requires shipping,Shipping Name,Shipping Address1,Shipping City,Shipping Zip,Shipping Country,Shipping Method,Id\r\n";
	for (i = 1; i <= n; i++) {
		printf "#K%d,b%d@example.com,paid,unfulfilled,2024-03-08 09:15:00 -0500,2,Ceramic Mug - Black,MUG-BLK-12,true,Bench Person %d,\"%d Bench Road, Unit 4\",Springfield,01101,US,UPS Ground,500000%07d\r\n", i, i, i, i, i;
		printf "#K%d,b%d@example.com,,,,1,Canvas Tote,TOTE-CAN,true,,,,,,,\r\n", i, i;
	}
}' >orders.csv
echo "files: $(du -h orders.json | cut -f1) JSON, $(du -h orders.csv | cut -f1) CSV, $N orders each"

run_one() {	# FILE: prints seconds for one import into a fresh database
	lib_kill9
	rm -rf var
	lib_station
	lib_start || { echo "bench: stationd did not start" >&2; return 1; }
	_t0=$(date +%s%N)
	ctl import "$1" >import.out 2>&1 || { cat import.out >&2; return 1; }
	_t1=$(date +%s%N)
	echo $(( (_t1 - _t0) / 1000 )) | awk '{ printf "%.3f\n", $1 / 1000000 }'
}
for kind in json csv; do
	: >times.$kind
	r=1
	while [ $r -le "$RUNS" ]; do
		run_one "orders.$kind" >>times.$kind || exit 1
		r=$((r + 1))
	done
	echo "  $(cat import.out)"
	s=$(lib_median <times.$kind)
	printf 'import %s: %d orders, median %.2f s of %d runs -> %.0f orders/s (target >= 20000)\n' \
	    "$kind" "$N" "$s" "$RUNS" "$(echo "$N $s" | awk '{ print $1 / $2 }')"
done
# the last daemon holds 100,000 orders (CSV): its memory, after a few reads too
ctl orders --status ready --format csv >/dev/null
ctl show '#K50000' >/dev/null
ctl status >/dev/null
rss=$(grep VmRSS /proc/$DPID/status | awk '{ print $2 }')
hwm=$(grep VmHWM /proc/$DPID/status | awk '{ print $2 }')
printf 'stationd memory with %d orders: VmRSS %.1f MB, VmHWM %.1f MB (peak, includes the import) (target <= 16 MB)\n' \
    "$N" "$(echo "$rss" | awk '{ print $1 / 1024 }')" "$(echo "$hwm" | awk '{ print $1 / 1024 }')"
lib_stop
lib_start
ctl status >/dev/null
ctl show '#K50000' >/dev/null
rss=$(grep VmRSS /proc/$DPID/status | awk '{ print $2 }')
printf 'stationd memory after a restart on %d orders: VmRSS %.1f MB\n' "$N" "$(echo "$rss" | awk '{ print $1 / 1024 }')"
lib_stop
