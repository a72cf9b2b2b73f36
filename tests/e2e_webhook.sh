#!/bin/sh
# Shopify's webhooks reach the shop sync through the web console's HTTP
# server (issues 12 and 14): POST /webhooks/shopify with a bad signature is
# 401 and logged; a signed fulfillment_orders/placed_on_hold delivery is 200
# at once and refreshes that order (no poll, no stationctl sync), so the
# bench sees the hold; a repeated X-Shopify-Webhook-Id is 200 and not applied
# twice; without [shopify] the route is 404.
. "$(dirname "$0")/lib.sh"
lib_init e2e_webhook
MOCK=$LIB_ROOT/tests/rig/mock_shopify.py
LOC=68414513201
SECRET=hush-webhook-secret
printf 'shpat_test_token_0123456789\n' >"$T/shopify.token"
printf '%s\n' "$SECRET" >"$T/webhook.secret"
chmod 600 "$T/shopify.token" "$T/webhook.secret"
/usr/bin/python3 "$MOCK" serve --port-file "$T/mock.port" --token-file "$T/shopify.token" \
    2>>"$T/mock.log" &
LIB_EXTRA_PIDS="$!"
wait_for "[ -s '$T/mock.port' ]" 10 || { fail "mock starts"; lib_finish; }
MPORT=$(cat "$T/mock.port")
mctl() { /usr/bin/python3 "$MOCK" ctl "$MPORT" "$1"; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/webhooks/shopify

# post BODY TOPIC ID HMAC: the HTTP status
post() {
	printf '%s' "$1" >"$T/body"
	curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$T/body" \
	    -H 'Content-Type: application/json' -H "X-Shopify-Topic: $2" \
	    -H "X-Shopify-Webhook-Id: $3" -H "X-Shopify-Hmac-Sha256: $4" "$URL"
}
sign() {
	printf '%s' "$1" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
}

# --- without [shopify]: 404 --------------------------------------------------------
lib_station "
[web]
listen     = 127.0.0.1:$PORT
users_file = web.users"
echo 'boss-password' | ctl web-user boss --role supervisor >/dev/null
lib_start || { fail "daemon starts"; lib_finish; }
expect_eq "no shop sync: 404" 404 "$(post '{}' fulfillment_orders/placed_on_hold w0 x)"
lib_stop

# --- with [shopify] ------------------------------------------------------------------
mctl '{"op":"add_order","name":"#1001","fos":[{"location":'$LOC',"lines":[{"sku":"MUG","qty":2}]}]}' >"$T/1001.ids"
FO=$(jq -r '.fos[0]' "$T/1001.ids")
lib_station "
[web]
listen     = 127.0.0.1:$PORT
users_file = web.users

[shopify]
endpoint = http://127.0.0.1:$MPORT/admin/api/2026-10/graphql.json
token_file = shopify.token
location_id = $LOC
poll_interval = 0
webhook_secret_file = webhook.secret
timeout = 2
connect_timeout = 1
retry_min = 100
retry_max = 400"
lib_start || { fail "daemon starts"; lib_finish; }
ctl sync >/dev/null 2>&1
expect_eq "the order is pulled, ready" ready "$(ctl show '#1001' --format json | jq -r .status)"

mctl '{"op":"hold","name":"#1001","reason":"INCORRECT_ADDRESS","notes":"check the street"}' >/dev/null
BODY='{"fulfillment_order":{"id":"'$FO'","status":"on_hold"},"fulfillment_hold":{"reason":"incorrect_address"}}'
expect_eq "a bad signature is refused" 401 "$(post "$BODY" fulfillment_orders/placed_on_hold w1 AAAA)"
expect_eq "and logged" 1 "$(ctl log --kind refused --format json | jq '[.[] | select(.message | test("bad or missing X-Shopify-Hmac"))] | length')"
expect_eq "the order is still ready" ready "$(ctl show '#1001' --format json | jq -r .status)"

HMAC=$(sign "$BODY")
expect_eq "a signed delivery is taken" 200 "$(post "$BODY" fulfillment_orders/placed_on_hold w2 "$HMAC")"
expect_true "it refreshes the order: on hold, with the shop's reason" \
    wait_for "[ \"\$(ctl show '#1001' --format json | jq -r .status)\" = on_hold ]" 10
expect_eq "the bench is told" on_hold "$(ctl scan --format json '#1001' | jq -r .verdict)"
expect_eq "a repeated delivery is taken again" 200 "$(post "$BODY" fulfillment_orders/placed_on_hold w2 "$HMAC")"
expect_eq "a tampered body is refused" 401 "$(post "${BODY%\}}, \"x\":1}" fulfillment_orders/placed_on_hold w3 "$HMAC")"
lib_stop
lib_finish
