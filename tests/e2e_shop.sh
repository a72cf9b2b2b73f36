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

# order NAME FO_JSON...: adds an order to the mock shop; its ids in $T/NAME.ids
order() {
	_n=$1
	shift
	_fos=$(printf '%s,' "$@")
	mctl '{"op":"add_order","name":"'"$_n"'","fos":['"${_fos%,}"']}' >"$T/${_n#\#}.ids"
}
here() {	# here METHOD LINES_JSON
	printf '{"location":%s,"method":"%s","lines":%s}' "$LOC" "$1" "$2"
}
# pushes_for NAME: the mock's fulfillments of an order, as [[fo...],[[lineitem,q]...]]
pushes_for() {
	_fos=$(jq -c '.fos' "$T/${1#\#}.ids")
	mstate "[.fulfillments[] | select(.fos[0] as \$f | $_fos | index(\$f)) | [.fos, .lines]]"
}
line_gid() {
	jq -r ".lines[\"$2\"]" "$T/${1#\#}.ids"
}
push_state() {
	sql "SELECT p.state FROM shop_pushes p JOIN orders o ON o.id = p.order_id WHERE o.name = '$1' ORDER BY p.fulfillment_id DESC LIMIT 1"
}

order '#1002' "$(here SHIPPING '[{"sku":"HAT","qty":1}]')"
order '#1003' "$(here SHIPPING '[{"sku":"CUP","qty":2},{"sku":"BAG","qty":1}]')"
order '#1004' "$(here SHIPPING '[{"sku":"PEN","qty":3}]')"
order '#1005' "$(here SHIPPING '[{"sku":"LOCAL","qty":1}]')" \
    '{"location":999,"lines":[{"sku":"FARAWAY","qty":4}]}'
order '#1006' "$(here SHIPPING '[{"sku":"ONE","qty":1}]')" "$(here SHIPPING '[{"sku":"TWO","qty":2}]')"
order '#1007' "$(here PICK_UP '[{"sku":"PICK","qty":1}]')"
order '#1008' "$(here SHIPPING '[{"sku":"BOXA","qty":2},{"sku":"BOXB","qty":2}]')"
order '#1009' "$(here SHIPPING '[{"sku":"KILL","qty":1}]')"
order '#1010' "$(here SHIPPING '[{"sku":"LOST","qty":1}]')"
order '#1011' "$(here SHIPPING '[{"sku":"DOWN","qty":1}]')"
_r=$(sync)
expect_contains "incremental sync" "order(s) updated; pushed 0" "$_r"
expect_eq "new orders pulled" "18" "$(sql "SELECT count(*) FROM orders")"

# --- holds and releases upstream win ----------------------------------------------
mctl '{"op":"hold","name":"#1002","reason":"INCORRECT_ADDRESS","notes":"Unit number missing"}' >/dev/null
sync >/dev/null
expect_eq "hold pulled" "on_hold|INCORRECT_ADDRESS: Unit number missing|shop" \
    "$(sql "SELECT status, hold_reason, hold_source FROM orders WHERE name = '#1002'")"
scan '#1002' '["on_hold",0,0]'
expect_contains "upstream change logged" "updated from shopify: status ready → on_hold — INCORRECT_ADDRESS: Unit number missing" \
    "$(ctl log --order '#1002' --kind update 2>&1)"
mctl '{"op":"release","name":"#1002"}' >/dev/null
sync >/dev/null
expect_eq "release pulled" "ready|" "$(sql "SELECT status, hold_reason FROM orders WHERE name = '#1002'")"

# --- cancelled upstream while a packer is mid-order --------------------------------
scan '#1003' '["opened",0,3]'
scan CUP '["ok",1,2]'
mctl '{"op":"cancel","name":"#1003"}' >/dev/null
sync >/dev/null
scan CUP '["cancelled",0,0]'
expect_eq "#1003 cancelled" "cancelled" "$(sql "SELECT status FROM orders WHERE name = '#1003'")"
expect_eq "#1003 nothing pushed" "[]" "$(pushes_for '#1003')"

# --- an edit lowers a quantity mid-pack: n of m follows ------------------------------
scan '#1004' '["opened",0,3]'
scan PEN '["ok",1,3]'
mctl '{"op":"edit","name":"#1004","sku":"PEN","qty":2}' >/dev/null
sync >/dev/null
scan PEN '["completed",2,2]'
wait_for "[ \"\$(push_state '#1004')\" = done ]" 10 || fail "#1004 pushed"
expect_eq "#1004 pushed 2" "[[$(jq -c '.fos' "$T/1004.ids"),[[\"$(line_gid '#1004' PEN)\",2]]]]" "$(pushes_for '#1004')"

# --- multi-location: only this location's lines ----------------------------------------
expect_eq "#1005 lines here only" '["ready",[["LOCAL",1,0,0]]]' "$(lines '#1005')"
order '#1018' '{"location":999,"lines":[{"sku":"ELSEWHERE","qty":1}]}'
sync >/dev/null
expect_eq "#1018 (another location's) not kept" "0|0" \
    "$(sql "SELECT (SELECT count(*) FROM orders WHERE name = '#1018'), (SELECT count(*) FROM shop_fos WHERE order_shop_id = $(jq -r .order "$T/1018.ids" | sed 's|.*/||'))")"

# --- two fulfillment orders here: one order, one push naming both ------------------------
expect_eq "#1006 one order" '["ready",[["ONE",1,0,0],["TWO",2,0,0]]]' "$(lines '#1006')"
scan '#1006' '["opened",0,3]'
scan ONE '["ok",1,1]'
scan TWO '["ok",1,2]'
scan TWO '["completed",2,2]'
wait_for "[ \"\$(push_state '#1006')\" = done ]" 10 || fail "#1006 pushed"
expect_eq "#1006 one fulfillmentCreate, both fulfillment orders" \
    "[[$(jq -c '.fos' "$T/1006.ids"),[[\"$(line_gid '#1006' ONE)\",1],[\"$(line_gid '#1006' TWO)\",2]]]]" \
    "$(pushes_for '#1006')"

# --- a fulfillment order moved to another location mid-pack ---------------------------------
order '#1015' "$(here SHIPPING '[{"sku":"STAY","qty":1}]')" "$(here SHIPPING '[{"sku":"MOVE","qty":1}]')"
sync >/dev/null
scan '#1015' '["opened",0,2]'
scan MOVE '["ok",1,1]'
mctl '{"op":"move","name":"#1015","fo":1,"location":999}' >/dev/null
sync >/dev/null
expect_eq "#1015 moved line gone" '["in_progress",[["STAY",1,0,0]]]' "$(ctl show '#1015' --format json | jq -c '[.status, [.lines[] | select(.removed != true) | [.sku, .quantity, .packed, .shipped]]]')"
expect_contains "#1015 conflict for the packed unit" "MOVE: removed by the shop but 1 packed" "$(ctl log --order '#1015' --kind conflict 2>&1)"
scan STN:UNDO '["undone",0,0]'
scan STAY '["completed",1,1]'
wait_for "[ \"\$(push_state '#1015')\" = done ]" 10 || fail "#1015 pushed"
expect_eq "#1015 pushed only what stayed" "[[[$(jq -c '.fos[0]' "$T/1015.ids")],[[\"$(line_gid '#1015' STAY)\",1]]]]" "$(pushes_for '#1015')"

# --- more lines than one page of lineItems: not synced, said so (never read as removed lines) --------
_big=$(python3 -c 'import json; print(json.dumps([{"sku": "BIG-%d" % i, "qty": 1} for i in range(51)]))')
order '#1017' "$(here SHIPPING "$_big")"
sync >/dev/null
expect_eq "#1017 not imported" "0" "$(sql "SELECT count(*) FROM orders WHERE name = '#1017'")"
expect_contains "#1017 said" "of #1017 has more than 50 lines: not synced" "$(ctl log --kind refused 2>&1)"

# --- pick-up ----------------------------------------------------------------------------
expect_eq "#1007 pick-up" "1|0" "$(sql "SELECT pickup, has_ship FROM orders WHERE name = '#1007'")"

# --- partial shipment of two boxes -------------------------------------------------------
scan '#1008' '["opened",0,4]'
scan BOXA '["ok",1,2]'
ctl scan --station pack-1 STN:NEWBOX >/dev/null
scan BOXA '["ok",2,2]'
scan STN:PARTIAL '["partial_shipped",2,4]'
wait_for "[ \"\$(push_state '#1008')\" = done ]" 10 || fail "#1008 pushed"
expect_eq "#1008 partial push" "[[$(jq -c '.fos' "$T/1008.ids"),[[\"$(line_gid '#1008' BOXA)\",2]]]]" "$(pushes_for '#1008')"
expect_eq "#1008 upstream remaining" "[0,2]" "$(mstate ".fos[\"$(jq -r '.fos[0]' "$T/1008.ids")\"].remaining")"

# --- kill -9 right after the shop received fulfillmentCreate --------------------------------
mctl '{"op":"fault","hold_create":true}' >/dev/null
_seen=$(mstate .creates_seen)
scan '#1009' '["opened",0,1]'
scan KILL '["completed",1,1]'
wait_for "[ \"\$(mstate .creates_seen)\" -gt $_seen ]" 10 || fail "create reached the shop"
lib_kill9
mctl '{"op":"fault","hold_create":false}' >/dev/null
expect_eq "#1009 sending when killed" "sending" "$(push_state '#1009')"
lib_start || fail "restart after kill -9"
wait_for "[ \"\$(push_state '#1009')\" = done ]" 10 || fail "#1009 done after restart"
expect_eq "#1009 exactly one fulfillment" "1" "$(pushes_for '#1009' | jq 'length')"
expect_contains "#1009 recognised" "already applied; recognised on read-back" "$(ctl log --kind push 2>&1)"

# --- the reply is lost after the shop applied it ---------------------------------------------
mctl '{"op":"fault","drop_after_apply":1}' >/dev/null
scan '#1010' '["opened",0,1]'
scan LOST '["completed",1,1]'
wait_for "[ \"\$(push_state '#1010')\" = done ]" 10 || fail "#1010 done"
expect_eq "#1010 exactly one fulfillment" "1" "$(pushes_for '#1010' | jq 'length')"

# --- a 502 while the shop applies it a second later: read back only after a request's time ---------
order '#1016' "$(here SHIPPING '[{"sku":"LATE","qty":2}]')"
sync >/dev/null
_before=$(mstate .requests.order)
scan '#1016' '["opened",0,2]'
wait_for "[ \"\$(mstate .requests.order)\" -gt $_before ]" 5 || fail "#1016 refreshed"
mctl '{"op":"fault","late_apply":1}' >/dev/null
scan LATE '["ok",1,2]'
scan STN:PARTIAL '["partial_shipped",1,2]'
wait_for "[ \"\$(push_state '#1016')\" = done ]" 15 || fail "#1016 done"
wait_for "[ \"\$(mstate .late_applied)\" = 1 ]" 5 || fail "the shop applied #1016 late"
expect_eq "#1016 exactly one fulfillment" "1" "$(pushes_for '#1016' | jq 'length')"
expect_contains "#1016 recognised" "shipment $(sql "SELECT p.fulfillment_id FROM shop_pushes p JOIN orders o ON o.id = p.order_id WHERE o.name = '#1016'") pushed: gid://shopify/Fulfillment/" "$(ctl log --order '#1016' --kind push 2>&1 | grep recognised)"

# --- the shop down for a while: verdicts unaffected, pushed after ---------------------------
mctl '{"op":"fault","down":true}' >/dev/null
scan '#1011' '["opened",0,1]'
scan DOWN '["completed",1,1]'
wait_for "ctl status | grep -q 'last error: shop answered HTTP 503'" 5 || fail "status shows the 503"
expect_true "#1011 not pushed while down" [ "$(push_state '#1011')" != done ]
mctl '{"op":"fault","down":false}' >/dev/null
wait_for "[ \"\$(push_state '#1011')\" = done ]" 10 || fail "#1011 done after the shop is back"
expect_eq "#1011 exactly one fulfillment" "1" "$(pushes_for '#1011' | jq 'length')"

# --- a refusal is kept with the shop's words, retried only when asked ---------------------------
order '#1012' "$(here SHIPPING '[{"sku":"HELD","qty":1}]')"
sync >/dev/null
scan '#1012' '["opened",0,1]'
mctl '{"op":"hold","name":"#1012","reason":"OTHER","notes":"late hold"}' >/dev/null
scan HELD '["completed",1,1]'
wait_for "[ \"\$(push_state '#1012')\" = refused ]" 10 || fail "#1012 refused"
_f=$(ctl pushes --failed --format csv)
expect_contains "pushes --failed" "refused,1,,fulfillment: Fulfillment order" "$_f"
expect_contains "refusal event" "refused by the shop: fulfillment: Fulfillment order" "$(ctl log --kind refused 2>&1)"
_fid=$(sql "SELECT p.fulfillment_id FROM shop_pushes p JOIN orders o ON o.id = p.order_id WHERE o.name = '#1012'")
mctl '{"op":"release","name":"#1012"}' >/dev/null
sync >/dev/null
expect_eq "#1012 still refused (never retried blindly)" "refused" "$(push_state '#1012')"
_r=$(ctl push --retry "$_fid")
expect_eq "push --retry" "shipment $_fid: push queued again" "$_r"
wait_for "[ \"\$(push_state '#1012')\" = done ]" 10 || fail "#1012 done after retry"
expect_eq "pushes json" "done" "$(ctl pushes --format json | jq -r ".[] | select(.shipment == $_fid) | .state")"

# --- refresh on open: a cancellation nobody pulled reaches the bench -----------------------------
order '#1013' "$(here SHIPPING '[{"sku":"RFR","qty":2}]')"
sync >/dev/null
mctl '{"op":"cancel","name":"#1013"}' >/dev/null
_before=$(mstate .requests.order)
scan '#1013' '["opened",0,2]'
wait_for "[ \"\$(sql \"SELECT status FROM orders WHERE name = '#1013'\")\" = cancelled ]" 5 || fail "#1013 refreshed on open"
expect_eq "one order refresh" "$((_before + 1))" "$(mstate .requests.order)"
scan RFR '["cancelled",0,0]'

# --- 5xx and 429 on a pull: retried, Retry-After honoured ---------------------------------------
mctl '{"op":"fault","fail":[502],"http429":1}' >/dev/null
_t0=$(date +%s%N)
_r=$(sync)
_ms=$(( ($(date +%s%N) - _t0) / 1000000 ))
expect_contains "sync through 502 and 429" "pulled" "$_r"
expect_true "Retry-After: 1 honoured ($_ms ms)" [ "$_ms" -ge 1000 ]

# --- a push that times out before the shop applies it: read back, sent once more ------------------
order '#1014' "$(here SHIPPING '[{"sku":"SLOW","qty":1}]')"
sync >/dev/null
_before=$(mstate .requests.order)
scan '#1014' '["opened",0,1]'
wait_for "[ \"\$(mstate .requests.order)\" -gt $_before ]" 5 || fail "#1014 refreshed"
mctl '{"op":"fault","stall":1}' >/dev/null
scan SLOW '["completed",1,1]'
wait_for "[ \"\$(push_state '#1014')\" = done ]" 15 || fail "#1014 done after a timeout"
expect_eq "#1014 exactly one fulfillment" "1" "$(pushes_for '#1014' | jq 'length')"
expect_contains "#1014 timeout seen" "outcome unknown (shop unreachable: Timeout was reached" "$(ctl log --kind push 2>&1)"

# --- a reply larger than the bound is refused ---------------------------------------------------
mctl '{"op":"fault","fail":["huge","huge","huge"]}' >/dev/null
_r=$(sync)
expect_contains "huge reply refused" "stopped: shop unreachable: reply larger than 16777216 bytes: refused" "$_r"

# --- supervisors see it; the token is never shown or logged ---------------------------------------
_s=$(ctl status)
expect_contains "status shop line" "fulfillment orders pulled, $(sql "SELECT count(*) FROM shop_pushes WHERE state = 'done'") pushed, 0 pending, 0 failed; last error: shop unreachable: reply larger than 16777216 bytes: refused" "$_s"
expect_eq "pushes csv header" "shipment,order,state,attempts,shop_fulfillment,error" "$(ctl pushes --format csv | head -1 | tr -d '\r')"
expect_eq "token not in the log" "" "$(grep -l shpat_test_token "$T/stationd.log" "$DB" "$SPOOL"/out/* 2>/dev/null)"

lib_stop
expect_rc "daemon stops" 0 $?
[ -n "$STOP_AFTER_PUSHES" ] && lib_finish

# --- https: the shop's certificate is verified ------------------------------------------------------
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 >/dev/null 2>&1; then
	rm -f "$T/tls.port"
	/usr/bin/python3 "$MOCK" serve --port-file "$T/tls.port" --token-file "$T/shopify.token" \
	    --cert "$T/cert.pem" --key "$T/key.pem" 2>>"$T/mock.log" &
	LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $!"
	wait_for "[ -s '$T/tls.port' ]" 10 || fail "tls mock starts"
	cp "$CONF" "$T/plain.ini"
	sed -i "s|^endpoint = .*|endpoint = https://127.0.0.1:$(cat "$T/tls.port")/admin/api/2026-10/graphql.json|" "$CONF"
	lib_start || fail "start against https"
	_r=$(sync)
	expect_contains "self-signed certificate refused" "stopped: shop unreachable: SSL peer certificate or SSH remote key was not OK" "$_r"
	lib_stop
	cp "$T/plain.ini" "$CONF"
fi

# --- throttling: the cost budget is never exceeded ----------------------------------------------
# Every query costs what it asks for here (no refund), the bucket refills at
# 2000 a second: a full pull of pages of 4 (638 points) must wait for it.
mctl '{"op":"budget","max":1000,"restore":2000,"flat":true}' >/dev/null
mctl '{"op":"generate","count":12,"location":'$LOC',"start":4000}' >/dev/null
sql "DELETE FROM shop_state" >/dev/null
sed -i 's/^page_size = .*/page_size = 8/' "$CONF"
lib_start || fail "restart for throttling"
_t0=$(mstate .throttled)
_r=$(sync)
expect_contains "throttled pull complete" "12 order(s) updated" "$_r"
expect_eq "never throttled (budget obeyed)" "$_t0" "$(mstate .throttled)"
expect_eq "one page too dear" "1" "$(mstate .too_dear)"
expect_contains "pages halved" "a page of 8 costs more than the shop allows; pages of 4 now" "$(cat "$T/stationd.log")"
expect_eq "budget never below zero" "true" "$(mstate '.min_available >= 0')"
mctl '{"op":"budget","avail":0}' >/dev/null
_r=$(sync)
expect_contains "THROTTLED answered, then waited for" "pulled" "$_r"
expect_eq "one THROTTLED answer" "$((_t0 + 1))" "$(mstate .throttled)"
expect_eq "no push was ever sent twice" "$(mstate '.fulfillments | length')" "$(sql "SELECT count(*) FROM shop_pushes WHERE state = 'done'")"

lib_stop
expect_rc "daemon stops" 0 $?
lib_finish
