#!/bin/sh
# make demo, shop part: a short shift against a mock Shopify shop (issue 12).
# A mock Admin GraphQL server on loopback holds four orders; the station
# pulls them, a packer ships two (one in two boxes), the shop pushes them
# back (one fulfillmentCreate each), a hold placed upstream reaches the bench.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
D=$ROOT/demo/shop
B=$ROOT/build
MOCK=$ROOT/tests/rig/mock_shopify.py
LOC=68414513201

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
rm -rf "$D"
mkdir -p "$D/var"
printf 'shpat_demo_token\n' >"$D/shopify.token"
chmod 600 "$D/shopify.token"
/usr/bin/python3 "$MOCK" serve --port-file "$D/mock.port" --token-file "$D/shopify.token" 2>"$D/mock.log" &
MPID=$!
i=0
until [ -s "$D/mock.port" ]; do i=$((i + 1)); [ $i -gt 200 ] && exit 1; sleep 0.05; done
PORT=$(cat "$D/mock.port")
m() { /usr/bin/python3 "$MOCK" ctl "$PORT" "$1" >/dev/null; }
m '{"op":"add_order","name":"#5001","fos":[{"location":'$LOC',"lines":[{"sku":"MUG-BLK-12","qty":2,"barcode":"4006381333931"},{"sku":"TEE-NAT-M","qty":1}]}]}'
m '{"op":"add_order","name":"#5002","fos":[{"location":'$LOC',"lines":[{"sku":"SOCK-GRY-3P","qty":2}]},{"location":999,"lines":[{"sku":"FAR-AWAY","qty":1}]}]}'
m '{"op":"add_order","name":"#5003","fos":[{"location":'$LOC',"method":"PICK_UP","lines":[{"sku":"TOTE-CAN","qty":1}]}]}'
m '{"op":"add_order","name":"#5004","fos":[{"location":'$LOC',"lines":[{"sku":"PEN-BLU-10","qty":1}]}]}'

cat >"$D/station.ini" <<INI
[daemon]
database = var/station.db
spool    = var/spool
socket   = var/station.sock

[shop]
name     = Example Goods
gs1_prefix = 0614141

[shopify]
endpoint = http://127.0.0.1:$PORT/admin/api/2026-10/graphql.json
token_file = shopify.token
location_id = $LOC
poll_interval = 0
notify_customer = yes

[station pack-1]
duplicate_window = 0
INI
CTL="$B/stationctl -c $D/station.ini"
step "shop sync: stationd -n with [shopify], then start it against the mock shop on :$PORT"
$B/stationd -n -c "$D/station.ini"
$B/stationd -d -c "$D/station.ini" 2>"$D/stationd.log" &
SPID=$!
i=0
until $CTL status >/dev/null 2>&1; do i=$((i + 1)); [ $i -gt 200 ] && break; sleep 0.05; done
step "stationctl sync (pull this location's fulfillment orders)"
$CTL sync
$CTL orders
step "a short shift: #5001 complete, #5002 in two boxes"
for c in '#5001' 4006381333931 MUG-BLK-12 TEE-NAT-M '#5002' SOCK-GRY-3P STN:NEWBOX SOCK-GRY-3P; do
	printf '  %-14s ' "$c"; $CTL scan "$c"
done
step "a hold placed in the shop reaches the bench"
m '{"op":"hold","name":"#5004","reason":"INCORRECT_ADDRESS","notes":"apartment number missing"}'
$CTL sync
printf '  %-14s ' '#5004'; $CTL scan '#5004'
step "stationctl pushes (each shipment pushed once)"
$CTL pushes
$CTL status | grep '^shop'
echo "the shop now holds: $(/usr/bin/python3 "$MOCK" ctl "$PORT" | jq -c '[.fulfillments[] | .lines]')"
kill "$SPID"; wait "$SPID" 2>/dev/null
kill "$MPID"; wait "$MPID" 2>/dev/null
echo "left in demo/shop/ (station.ini, var/, stationd.log)"
