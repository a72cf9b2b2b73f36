#!/bin/sh
# Shop sync figures (issue 12), against tests/rig/mock_shopify.py on loopback:
#  - pull rate: fulfillment orders per second of a full first pull (pages of 6: ~950 of the 1000 points one query may cost);
#  - verdict latency (scan -> reply on the control socket, open + complete of
#    one-unit orders) with the shop answering at once and with the shop slow
#    (every request takes SLOW seconds, pulls every second, each open refreshes
#    its order, each shipment is pushed). Prints figures; never asserts.
. "$(dirname "$0")/../tests/lib.sh"
lib_init bench_shop
MOCK=$LIB_ROOT/tests/rig/mock_shopify.py
LOC=68414513201
NFO=${BENCH_SHOP_FOS:-3000}
NORD=${BENCH_SHOP_ORDERS:-150}
SLOW=${BENCH_SHOP_SLOW:-2}
printf 'shpat_bench\n' >"$T/shopify.token"
chmod 600 "$T/shopify.token"
/usr/bin/python3 "$MOCK" serve --port-file "$T/mock.port" --token-file "$T/shopify.token" \
    --max-cost 1000000 --restore 100000 2>"$T/mock.log" &
LIB_EXTRA_PIDS=$!
wait_for "[ -s '$T/mock.port' ]" 10 || exit 1
PORT=$(cat "$T/mock.port")
m() { /usr/bin/python3 "$MOCK" ctl "$PORT" "$1" >/dev/null; }
conf() {
	lib_station "[shopify]
endpoint = http://127.0.0.1:$PORT/admin/api/2026-10/graphql.json
token_file = shopify.token
location_id = $LOC
poll_interval = $1
timeout = 30
retry_min = 200
retry_max = 1000
page_size = 6"
}
m '{"op":"generate","count":'"$NFO"',"location":'$LOC',"start":100000,"lines":2}'
conf 0
lib_start || exit 1
t0=$(date +%s%N)
ctl sync >/dev/null
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "pull: $NFO fulfillment orders (2 lines each) in $ms ms: $(( NFO * 1000 / (ms > 0 ? ms : 1) )) fulfillment orders/s"
lib_stop

# latency LABEL FIRST: NORD orders #FIRST.. (one unit each), open + complete, median / p99 / max
latency() {
	/usr/bin/python3 - "$SOCK" "$2" "$NORD" "$1" <<'PY'
import json, socket, sys, time
path, first, n, label = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_UNIX); s.connect(path); f = s.makefile("rb")
lat = []
for i in range(first, first + n):
    for code in ("#%d" % i, "GEN-%d-0" % i):
        t = time.perf_counter()
        s.sendall((json.dumps({"cmd": "scan", "station": "pack-1", "code": code}) + "\n").encode())
        r = json.loads(f.readline())
        lat.append((time.perf_counter() - t) * 1000)
        assert r.get("ok", True) and r.get("verdict") in ("opened", "completed"), r
lat.sort()
print("verdicts %-34s %d scans: median %.2f ms, p99 %.2f ms, max %.2f ms" % (
    label, len(lat), lat[len(lat) // 2], lat[int(len(lat) * 0.99)], lat[-1]))
PY
}
m '{"op":"generate","count":'"$((NORD * 2))"',"location":'$LOC',"start":500000,"lines":1}'
conf 1
lib_start || exit 1
ctl sync >/dev/null
latency "(shop answering at once)" 500000
m '{"op":"fault","delay":'"$SLOW"'}'
latency "(every shop request takes ${SLOW} s)" $((500000 + NORD))
echo "shop meanwhile: $(ctl status | grep '^shop')"
lib_stop
