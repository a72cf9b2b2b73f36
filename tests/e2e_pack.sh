#!/bin/sh
# End to end: pack sessions on the real stationd through `stationctl scan`:
# exact verdict lines, exit codes, fulfillments in the database and spool/out,
# two stations, the station log and its statistics.
. "$(dirname "$0")/lib.sh"
lib_init e2e_pack
lib_station "duplicate_window = 2000

[station pack-2]
duplicate_window = 0"
# pack-1 keeps its own 2000 ms window: drop the helper's default line for it
sed -i '0,/^duplicate_window = 0$/{/^duplicate_window = 0$/d}' "$CONF"
if ! lib_start; then
	fail "daemon starts"
	lib_finish
fi
ctl import "$SAMPLES/products/products_export.csv" "$SAMPLES/products/codes.csv" >/dev/null
expect_rc "products imported" 0 $?

# Line and order ids above 2^53 must come out exactly.
lib_order 9007199254740993 '#2001' paid '' 9007199254741001:MUG-BLK-12:2 9007199254741003:TEE-NAT-M:1 >"$T/2001.json"
lib_order 9007199254760001 '#2002' paid '' 9007199254760011:SOCK-GRY-3P:2 9007199254760013:NOTE-A5-DOT:2 >"$T/2002.json"
lib_order 2003 '#2003' paid '' 2301:MUG-BLK-12:8 2302:TEE-NAT-M:2 >"$T/2003.json"
lib_order 2004 '#2004' paid '' 2401:TEE-NAT-L:3 >"$T/2004.json"
lib_order 2005 '#2005' paid '' 2501:PEN-BLU-10:2 >"$T/2005.json"
lib_order 2006 '#2006' paid '' 2601:TOTE-CAN:1 >"$T/2006.json"
lib_order 2007 '#2007' paid '' 2701:CANDLE-CED:1 >"$T/2007.json"
lib_order 2008 '#2008' paid '' 2801:TEA-SEN-100:1 >"$T/2008.json"
for n in 2001 2002 2003 2004 2005 2006 2007 2008; do
	lib_import "$T/$n.json" || fail "import #$n"
done

# scan STATION CODE WANT_JSON [WANT_RC]: one scan, its exact JSON line and exit code.
NSCAN=0
scan() {
	_got=$(ctl scan --station "$1" --format json "$2" 2>&1)
	_rc=$?
	NSCAN=$((NSCAN + 1))
	expect_eq "scan $NSCAN $1 $2" "$3" "$_got"
	expect_rc "scan $NSCAN $1 $2 exit" "${4:-0}" "$_rc"
}
# line STATUS and per line [quantity, packed, shipped] from show --format json
lines() {
	ctl show "$1" --format json | jq -c '[.status, .station, [.lines[] | [.sku, .quantity, .packed, .shipped]]]'
}
# GS1 mod-10 check of an 18-digit SSCC
sscc_ok() {
	echo "$1" | awk '{ if (length($0) != 18 || $0 !~ /^[0-9]+$/) exit 1;
		s = 0; for (i = 1; i <= 17; i++) { d = substr($0, i, 1); s += (i % 2 ? 3 * d : d) }
		exit ((10 - s % 10) % 10 == substr($0, 18, 1)) ? 0 : 1 }'
}

# --- full pack ---------------------------------------------------------------
scan pack-1 '#2001' '{"verdict":"opened","station":"pack-1","order":"#2001","sku":null,"packed":0,"of":3,"message":"OPENED #2001: scan the items (3 units)"}'
expect_eq "#2001 in progress" '["in_progress","pack-1",[["MUG-BLK-12",2,0,0],["TEE-NAT-M",1,0,0]]]' "$(lines '#2001')"
scan pack-1 4006381333931 '{"verdict":"ok","station":"pack-1","order":"#2001","sku":"MUG-BLK-12","packed":1,"of":2,"message":"OK  MUG-BLK-12  1 of 2"}'
scan pack-1 MUG-BLK-12 '{"verdict":"ok","station":"pack-1","order":"#2001","sku":"MUG-BLK-12","packed":2,"of":2,"message":"OK  MUG-BLK-12  2 of 2"}'
expect_eq "#2001 packed 2" '["in_progress","pack-1",[["MUG-BLK-12",2,2,0],["TEE-NAT-M",1,0,0]]]' "$(lines '#2001')"
scan pack-1 4006381333931 '{"verdict":"too_many","station":"pack-1","order":"#2001","sku":"MUG-BLK-12","packed":2,"of":2,"message":"TOO MANY: MUG-BLK-12 already 2 of 2"}' 1
scan pack-1 XYZ-NOPE '{"verdict":"unknown_code","station":"pack-1","order":"#2001","sku":null,"packed":0,"of":0,"message":"UNKNOWN CODE: XYZ-NOPE"}' 1
scan pack-1 4006381334020 '{"verdict":"wrong_item","station":"pack-1","order":"#2001","sku":"TEE-NAT-L","packed":0,"of":0,"message":"WRONG ITEM: TEE-NAT-L is not in #2001"}' 1
scan pack-1 '#2002' '{"verdict":"order_open","station":"pack-1","order":"#2001","sku":null,"packed":0,"of":0,"message":"#2002 not opened: finish, STN:PARTIAL or STN:ABANDON #2001 first"}' 1
scan pack-1 4006381334013 '{"verdict":"completed","station":"pack-1","order":"#2001","sku":"TEE-NAT-M","packed":1,"of":1,"message":"COMPLETE #2001: all 3 units packed, label printing"}'
expect_eq "#2001 fulfilled" '["fulfilled",null,[["MUG-BLK-12",2,0,2],["TEE-NAT-M",1,0,1]]]' "$(lines '#2001')"
scan pack-1 '#2001' '{"verdict":"already_fulfilled","station":"pack-1","order":"#2001","sku":null,"packed":0,"of":0,"message":"#2001 already shipped"}' 1
scan pack-1 4006381333931 '{"verdict":"no_order_open","station":"pack-1","order":null,"sku":"MUG-BLK-12","packed":0,"of":0,"message":"NO ORDER OPEN: scan the order'"'"'s slip before MUG-BLK-12"}' 1
scan pack-1 '#9999' '{"verdict":"not_found","station":"pack-1","order":null,"sku":null,"packed":0,"of":0,"message":"no order #9999"}' 1
F=$SPOOL/out/fulfillment-000001-2001.json
# spool/out is written off the loop, just after the verdict
expect_true "spool/out document for #2001" wait_for 'test -s "$F"' 5
expect_eq "#2001 document: order and lines" '["#2001",[["MUG-BLK-12",2],["TEE-NAT-M",1]],true]' \
    "$(jq -c '[.order_name, [.line_items[] | [.sku, .quantity]], .fulfillment.notifyCustomer]' "$F")"
expect_eq "#2001 document: fulfillmentCreate line items by LineItem gid" \
    '[["gid://shopify/LineItem/9007199254741001",2],["gid://shopify/LineItem/9007199254741003",1]]' \
    "$(jq -c '[.fulfillment.lineItemsByFulfillmentOrder[0].fulfillmentOrderLineItems[] | [.lineItemId, .quantity]]' "$F")"
# ids above 2^53 exactly as the shop sent them (jq would round them: grep the text)
expect_eq "#2001 document: exact ids" "9007199254740993
9007199254741001
9007199254741003" "$(grep -oE '"(order_id|id)": *[0-9]{16,}' "$F" | grep -oE '[0-9]{16,}' | sort -u)"
pk=$(jq -r '.packages[0].sscc' "$F")
expect_true "#2001 SSCC $pk has a valid check digit" sscc_ok "$pk"
expect_contains "#2001 SSCC carries the GS1 prefix" "0614141" "$pk"

# --- partial, then the rest later (two fulfillments) ----------------------------
scan pack-1 '#2002' '{"verdict":"opened","station":"pack-1","order":"#2002","sku":null,"packed":0,"of":4,"message":"OPENED #2002: scan the items (4 units)"}'
scan pack-1 061414100014 '{"verdict":"ok","station":"pack-1","order":"#2002","sku":"SOCK-GRY-3P","packed":1,"of":2,"message":"OK  SOCK-GRY-3P  1 of 2"}'
scan pack-1 061414100021 '{"verdict":"ok","station":"pack-1","order":"#2002","sku":"NOTE-A5-DOT","packed":1,"of":2,"message":"OK  NOTE-A5-DOT  1 of 2"}'
scan pack-1 STN:PARTIAL '{"verdict":"partial_shipped","station":"pack-1","order":"#2002","sku":null,"packed":2,"of":4,"message":"PARTIAL #2002: shipping 2 of 4 units, the rest stays open"}'
expect_eq "#2002 partial" '["partial",null,[["SOCK-GRY-3P",2,0,1],["NOTE-A5-DOT",2,0,1]]]' "$(lines '#2002')"
scan pack-1 '#2002' '{"verdict":"opened","station":"pack-1","order":"#2002","sku":null,"packed":0,"of":2,"message":"OPENED #2002: scan the items (2 units)"}'
scan pack-1 061414100014 '{"verdict":"ok","station":"pack-1","order":"#2002","sku":"SOCK-GRY-3P","packed":1,"of":1,"message":"OK  SOCK-GRY-3P  1 of 1"}'
scan pack-1 061414100014 '{"verdict":"duplicate_read","station":"pack-1","order":"#2002","sku":null,"packed":0,"of":0,"message":"duplicate read ignored: 061414100014"}'
scan pack-1 061414100021 '{"verdict":"completed","station":"pack-1","order":"#2002","sku":"NOTE-A5-DOT","packed":1,"of":1,"message":"COMPLETE #2002: all 2 units packed, label printing"}'
expect_eq "#2002 fulfilled" '["fulfilled",null,[["SOCK-GRY-3P",2,0,2],["NOTE-A5-DOT",2,0,2]]]' "$(lines '#2002')"
expect_eq "#2002 two fulfillments" '[[true,2],[false,2]]' \
    "$(ctl show '#2002' --format json | jq -c '[.fulfillments[] | [.partial, .units]]')"
wait_for '[ "$(ls "$SPOOL/out" | grep -c 2002)" = 2 ]' 5
expect_eq "#2002 two spool/out files" "fulfillment-000002-2002.json
fulfillment-000003-2002.json" "$(ls "$SPOOL/out" | grep 2002)"
for f in "$SPOOL"/out/fulfillment-00000[23]-2002.json; do
	expect_eq "$(basename "$f") lines" "9007199254760011 1
9007199254760013 1" "$(tr -d ' \n' <"$f" | grep -oE '"id":[0-9]{16,},"name":"[^"]*","quantity":[0-9]+' | sed -E 's/"id":([0-9]+),"name":"[^"]*","quantity":([0-9]+)/\1 \2/' | sort -u)"
done

# --- two packages (STN:NEWBOX), undo, quantity, case-pack alias --------------------
scan pack-1 '#2003' '{"verdict":"opened","station":"pack-1","order":"#2003","sku":null,"packed":0,"of":10,"message":"OPENED #2003: scan the items (10 units)"}'
scan pack-1 14006381333938 '{"verdict":"ok","station":"pack-1","order":"#2003","sku":"MUG-BLK-12","packed":6,"of":8,"message":"OK  MUG-BLK-12  6 of 8"}'
scan pack-1 MUGBLK '{"verdict":"ok","station":"pack-1","order":"#2003","sku":"MUG-BLK-12","packed":7,"of":8,"message":"OK  MUG-BLK-12  7 of 8"}'
scan pack-1 STN:UNDO '{"verdict":"undone","station":"pack-1","order":"#2003","sku":"MUG-BLK-12","packed":6,"of":8,"message":"UNDONE  MUG-BLK-12  now 6 of 8"}'
scan pack-1 STN:QTY:2 '{"verdict":"quantity_set","station":"pack-1","order":"#2003","sku":null,"packed":0,"of":0,"message":"QUANTITY 2: the next item scan counts 2 times"}'
scan pack-1 MUGBLK '{"verdict":"ok","station":"pack-1","order":"#2003","sku":"MUG-BLK-12","packed":8,"of":8,"message":"OK  MUG-BLK-12  8 of 8"}'
scan pack-1 STN:NEWBOX '{"verdict":"new_box","station":"pack-1","order":"#2003","sku":null,"packed":0,"of":0,"message":"NEW BOX 2 for #2003: box 1 closed, label printing"}'
scan pack-1 4006381334013 '{"verdict":"ok","station":"pack-1","order":"#2003","sku":"TEE-NAT-M","packed":1,"of":2,"message":"OK  TEE-NAT-M  1 of 2"}'
scan pack-1 TEE-NAT-M '{"verdict":"completed","station":"pack-1","order":"#2003","sku":"TEE-NAT-M","packed":2,"of":2,"message":"COMPLETE #2003: all 10 units packed, label printing"}'
j=$(ctl show '#2003' --format json)
expect_eq "#2003 two shipped packages, one fulfillment" '[[1,"shipped",true],[2,"shipped",true]]' \
    "$(echo "$j" | jq -c '[.packages[] | [.box, .state, (.fulfillment != null)]]')"
expect_eq "#2003 one fulfillment" 1 "$(echo "$j" | jq '.fulfillments | length')"
for s in $(echo "$j" | jq -r '.packages[].sscc'); do
	expect_true "#2003 SSCC $s valid" sscc_ok "$s"
done
expect_eq "#2003 SSCCs differ" 2 "$(echo "$j" | jq -r '.packages[].sscc' | sort -u | wc -l | tr -d ' ')"
wait_for 'ls "$SPOOL"/out/*-2003.json >/dev/null 2>&1' 5
F=$(ls "$SPOOL"/out/*-2003.json)
expect_eq "#2003 document: two packages, all units" '[2,[["MUG-BLK-12",8],["TEE-NAT-M",2]]]' \
    "$(jq -c '[(.packages | length), [.line_items[] | [.sku, .quantity]]]' "$F")"

# --- cancelled mid-pack --------------------------------------------------------
scan pack-1 '#2004' '{"verdict":"opened","station":"pack-1","order":"#2004","sku":null,"packed":0,"of":3,"message":"OPENED #2004: scan the items (3 units)"}'
scan pack-1 4006381334020 '{"verdict":"ok","station":"pack-1","order":"#2004","sku":"TEE-NAT-L","packed":1,"of":3,"message":"OK  TEE-NAT-L  1 of 3"}'
lib_order 2004 '#2004' paid '2024-03-05T10:00:00Z' 2401:TEE-NAT-L:3 >"$T/2004c.json"
lib_import "$T/2004c.json"
# (another code than the last: the same one again within 2 s is a duplicate read)
scan pack-1 TEE-NAT-L '{"verdict":"cancelled","station":"pack-1","order":"#2004","sku":null,"packed":0,"of":0,"message":"#2004 CANCELLED — do not ship, return items to stock"}' 1
expect_eq "#2004 closed, nothing shipped" '["cancelled",null,[["TEE-NAT-L",3,0,0]]]' "$(lines '#2004')"
scan pack-1 4006381334020 '{"verdict":"no_order_open","station":"pack-1","order":null,"sku":"TEE-NAT-L","packed":0,"of":0,"message":"NO ORDER OPEN: scan the order'"'"'s slip before TEE-NAT-L"}' 1
expect_eq "no fulfillment for #2004" "" "$(ls "$SPOOL/out" | grep 2004)"

# --- a quantity lowered below what is packed: conflict event, too many ----------------
scan pack-1 '#2005' '{"verdict":"opened","station":"pack-1","order":"#2005","sku":null,"packed":0,"of":2,"message":"OPENED #2005: scan the items (2 units)"}'
scan pack-1 PEN-BLU-10 '{"verdict":"ok","station":"pack-1","order":"#2005","sku":"PEN-BLU-10","packed":1,"of":2,"message":"OK  PEN-BLU-10  1 of 2"}'
lib_order 2005 '#2005' paid '' 2501:PEN-BLU-10:0 2502:TOTE-CAN:1 >"$T/2005b.json"
lib_import "$T/2005b.json"
expect_eq "conflict event for #2005" 1 "$(ctl log --kind conflict --order '#2005' --errors --format csv | tr -d '\r' | tail -n +2 | wc -l | tr -d ' ')"
scan pack-1 061414100038 '{"verdict":"too_many","station":"pack-1","order":"#2005","sku":"PEN-BLU-10","packed":1,"of":0,"message":"TOO MANY: PEN-BLU-10 already 1 of 0"}' 1
# the session's own conflict event must name the line as the supervisor knows it (SKU),
# not the database's row id
expect_contains "session conflict event names the SKU" "PEN-BLU-10: more packed" \
    "$(ctl log --kind conflict --order '#2005' --format csv | tr -d '\r' | tail -1)"
scan pack-1 STN:ABANDON '{"verdict":"abandoned","station":"pack-1","order":"#2005","sku":null,"packed":0,"of":0,"message":"ABANDONED #2005: nothing shipped, return items to stock"}'
expect_eq "#2005 ready again" "ready" "$(ctl show '#2005' --format json | jq -r .status)"

# --- on hold: refused until released ----------------------------------------------
ctl hold '#2006' --reason 'fraud check' >/dev/null
scan pack-1 '#2006' '{"verdict":"on_hold","station":"pack-1","order":"#2006","sku":null,"packed":0,"of":0,"message":"ON HOLD #2006: fraud check — do not pack"}' 1
ctl release '#2006' >/dev/null
scan pack-1 '2006' '{"verdict":"opened","station":"pack-1","order":"#2006","sku":null,"packed":0,"of":1,"message":"OPENED #2006: scan the items (1 units)"}'

# --- two stations at once; busy elsewhere; packers ------------------------------------
scan pack-2 '#2006' '{"verdict":"busy_elsewhere","station":"pack-2","order":"#2006","sku":null,"packed":0,"of":0,"message":"#2006 is open at station pack-1"}' 1
scan pack-2 STN:PACKER:bob '{"verdict":"packer","station":"pack-2","order":null,"sku":null,"packed":0,"of":0,"message":"PACKER bob logged in"}'
scan pack-2 '#2007' '{"verdict":"opened","station":"pack-2","order":"#2007","sku":null,"packed":0,"of":1,"message":"OPENED #2007: scan the items (1 units)"}'
scan pack-1 TOTE '{"verdict":"completed","station":"pack-1","order":"#2006","sku":"TOTE-CAN","packed":1,"of":1,"message":"COMPLETE #2006: all 1 units packed, label printing"}'
scan pack-2 4006381334181 '{"verdict":"completed","station":"pack-2","order":"#2007","sku":"CANDLE-CED","packed":1,"of":1,"message":"COMPLETE #2007: all 1 units packed, label printing"}'
# pack-2 has no duplicate window: the same code twice is two reads
scan pack-2 '#2008' '{"verdict":"opened","station":"pack-2","order":"#2008","sku":null,"packed":0,"of":1,"message":"OPENED #2008: scan the items (1 units)"}'
scan pack-2 XYZ '{"verdict":"unknown_code","station":"pack-2","order":"#2008","sku":null,"packed":0,"of":0,"message":"UNKNOWN CODE: XYZ"}' 1
scan pack-2 XYZ '{"verdict":"unknown_code","station":"pack-2","order":"#2008","sku":null,"packed":0,"of":0,"message":"UNKNOWN CODE: XYZ"}' 1
scan pack-2 STN:LOGOUT '{"verdict":"logout","station":"pack-2","order":"#2008","sku":null,"packed":0,"of":0,"message":"LOGGED OUT bob"}'
ctl scan '#2008' >/dev/null 2>"$T/err"
expect_rc "scan without --station with two stations" 1 $?
expect_eq "scan without --station: reason" "stationctl: several stations: say which (--station NAME)" "$(cat "$T/err")"
ctl scan --station nope '#2008' >/dev/null 2>"$T/err"
expect_rc "scan at an unknown station" 1 $?
expect_eq "unknown station: reason" "stationctl: no station 'nope' in the configuration" "$(cat "$T/err")"
expect_eq "text format" "unknown_code: UNKNOWN CODE: QQQ" "$(ctl scan --station pack-2 QQQ)"

# --- spool/out: every file parses, no leftovers -------------------------------------
wait_for '[ "$(ls -A "$SPOOL/out" | wc -l)" -ge 6 ]' 5
expect_eq "spool/out files" "fulfillment-000001-2001.json
fulfillment-000002-2002.json
fulfillment-000003-2002.json
fulfillment-000004-2003.json
fulfillment-000005-2006.json
fulfillment-000006-2007.json" "$(ls -A "$SPOOL/out")"
for f in "$SPOOL"/out/*; do
	expect_true "$(basename "$f") parses" jq -e . "$f" >/dev/null
done
expect_eq "#2007 document: station, packer" '["pack-2","bob"]' \
    "$(jq -c '[.station, .packer]' "$SPOOL/out/fulfillment-000006-2007.json")"

# --- the station log ------------------------------------------------------------
log() {
	ctl log "$@" | tr -d '\r' | tail -n +2 | cut -d, -f2-
}
expect_eq "log --station pack-2" 'pack-2,#2006,,scan,busy_elsewhere,#2006 is open at station pack-1
pack-2,,bob,login,packer,PACKER bob logged in
pack-2,#2007,bob,open,opened,OPENED #2007: scan the items (1 units)
pack-2,#2007,bob,complete,completed,"COMPLETE #2007: all 1 units packed, label printing"
pack-2,#2008,bob,open,opened,OPENED #2008: scan the items (1 units)
pack-2,#2008,bob,scan,unknown_code,UNKNOWN CODE: XYZ
pack-2,#2008,bob,scan,unknown_code,UNKNOWN CODE: XYZ
pack-2,#2008,bob,logout,logout,LOGGED OUT bob
pack-2,#2008,,scan,unknown_code,UNKNOWN CODE: QQQ' "$(log --station pack-2 --format csv)"
expect_eq "log --order #2002 --kind scan" 'pack-1,#2002,,scan,ok,OK  SOCK-GRY-3P  1 of 2
pack-1,#2002,,scan,ok,OK  NOTE-A5-DOT  1 of 2
pack-1,#2002,,scan,ok,OK  SOCK-GRY-3P  1 of 1
pack-1,#2002,,scan,duplicate_read,duplicate read ignored: 061414100014' "$(log --order '#2002' --kind scan --format csv)"
expect_eq "log --errors --station pack-1" 'pack-1,#2001,,scan,too_many,TOO MANY: MUG-BLK-12 already 2 of 2
pack-1,#2001,,scan,unknown_code,UNKNOWN CODE: XYZ-NOPE
pack-1,#2001,,scan,wrong_item,WRONG ITEM: TEE-NAT-L is not in #2001
pack-1,#2001,,scan,order_open,"#2002 not opened: finish, STN:PARTIAL or STN:ABANDON #2001 first"
pack-1,#2001,,scan,already_fulfilled,#2001 already shipped
pack-1,,,scan,no_order_open,NO ORDER OPEN: scan the order'"'"'s slip before MUG-BLK-12
pack-1,,,scan,not_found,no order #9999
pack-1,#2004,,scan,cancelled,"#2004 CANCELLED — do not ship, return items to stock"
pack-1,,,scan,no_order_open,NO ORDER OPEN: scan the order'"'"'s slip before TEE-NAT-L
pack-1,#2005,,scan,too_many,TOO MANY: PEN-BLU-10 already 1 of 0
pack-1,#2006,,scan,on_hold,ON HOLD #2006: fraud check — do not pack' "$(log --errors --station pack-1 --format csv | grep -v ',conflict,')"
expect_eq "log --kind partial --format json" '[["pack-1","#2002","partial","partial_shipped"]]' \
    "$(ctl log --kind partial --format json | jq -c '[.[] | [.station, .order, .kind, .verdict]]')"
expect_eq "log --packer bob: kinds" "login open complete open scan scan logout" \
    "$(log --packer bob --format csv | cut -d, -f4 | tr '\n' ' ' | sed 's/ $//')"

# --- statistics by station -----------------------------------------------------------
# orders, shipments, units, partial shipments, item scans, mis-scans, mis-scan rate
stats=$(ctl stats --by station --format csv | tr -d '\r')
expect_eq "stats header" "group,orders,shipments,units,units_per_hour,partial_shipments,item_scans,misscans,misscan_rate,avg_seconds_per_order,weighings,misweighs,misweigh_rate,label_scans,wrong_labels,wrong_label_rate" \
    "$(echo "$stats" | head -1)"
expect_eq "stats figures" "pack-1,4,5,18,1,19,4,0.2105
pack-2,1,1,1,0,4,3,0.7500" "$(echo "$stats" | tail -n +2 | cut -d, -f1-4,6-9)"

# --- issue 9 #1: a line partly fulfilled upstream ships exactly what is left ------------
# #2101: TEE-NAT-M x3, 2 already fulfilled in the shop (1 left).
lib_order 2101 '#2101' paid '' 2111:TEE-NAT-M:3 |
    jq -c '.order.line_items[0].fulfillable_quantity = 1' >"$T/2101.json"
lib_import "$T/2101.json" || fail "import #2101"
expect_eq "#2101 partial at import, 1 to ship" '["partial",null,[["TEE-NAT-M",1,0,0]]]' "$(lines '#2101')"
scan pack-1 '#2101' '{"verdict":"opened","station":"pack-1","order":"#2101","sku":null,"packed":0,"of":1,"message":"OPENED #2101: scan the items (1 units)"}'
scan pack-1 TEE-NAT-M '{"verdict":"completed","station":"pack-1","order":"#2101","sku":"TEE-NAT-M","packed":1,"of":1,"message":"COMPLETE #2101: all 1 units packed, label printing"}'
expect_eq "#2101 fulfilled after 1 unit" '["fulfilled",null,[["TEE-NAT-M",1,0,1]]]' "$(lines '#2101')"
scan pack-1 '#2101' '{"verdict":"already_fulfilled","station":"pack-1","order":"#2101","sku":null,"packed":0,"of":0,"message":"#2101 already shipped"}' 1
expect_eq "#2101 units left 0" "0" "$(ctl orders --status fulfilled --format json | jq -r '.[] | select(.order == "#2101") | .units')"
# the same file again: the shop has not heard of our shipment yet
lib_import "$T/2101.json" || fail "re-import #2101"
expect_eq "#2101 re-import (shop not told yet): still fulfilled" '["fulfilled",null,[["TEE-NAT-M",1,0,1]]]' "$(lines '#2101')"
# the shop heard of it: fulfillable 0; our unit must not be taken off twice
jq -c '.order.line_items[0].fulfillable_quantity = 0' "$T/2101.json" >"$T/2101b.json"
lib_import "$T/2101b.json" || fail "re-import #2101 (shop told)"
expect_eq "#2101 re-import (shop told): still fulfilled" '["fulfilled",null,[["TEE-NAT-M",1,0,1]]]' "$(lines '#2101')"
# then the shop raises the quantity to 4: exactly one more unit, not two
jq -c '.order.line_items[0].quantity = 4 | .order.line_items[0].fulfillable_quantity = 1' "$T/2101.json" >"$T/2101c.json"
lib_import "$T/2101c.json" || fail "re-import #2101 (quantity 4)"
expect_eq "#2101 quantity 4: one more to ship" '["partial",null,[["TEE-NAT-M",2,0,1]]]' "$(lines '#2101')"
# (another code than the last '#2101': the same one within 2 s is a duplicate read)
scan pack-1 '2101' '{"verdict":"opened","station":"pack-1","order":"#2101","sku":null,"packed":0,"of":1,"message":"OPENED #2101: scan the items (1 units)"}'
scan pack-1 STN:ABANDON '{"verdict":"abandoned","station":"pack-1","order":"#2101","sku":null,"packed":0,"of":0,"message":"ABANDONED #2101: nothing shipped, return items to stock"}'
expect_eq "#2101 one fulfillment of 1 unit" '[[false,1]]' \
    "$(ctl show '#2101' --format json | jq -c '[.fulfillments[] | [.partial, .units]]')"

# --- issue 9 #2: a catalog SKU that is in no order is a wrong item, not unknown ----------
lib_order 2102 '#2102' paid '' 2121:TEA-SEN-100:1 >"$T/2102.json"
lib_import "$T/2102.json" || fail "import #2102"
scan pack-1 '#2102' '{"verdict":"opened","station":"pack-1","order":"#2102","sku":null,"packed":0,"of":1,"message":"OPENED #2102: scan the items (1 units)"}'
scan pack-1 MUG-WHT-12 '{"verdict":"wrong_item","station":"pack-1","order":"#2102","sku":"MUG-WHT-12","packed":0,"of":0,"message":"WRONG ITEM: MUG-WHT-12 is not in #2102"}' 1
scan pack-1 4006381333948 '{"verdict":"wrong_item","station":"pack-1","order":"#2102","sku":"MUG-WHT-12","packed":0,"of":0,"message":"WRONG ITEM: MUG-WHT-12 is not in #2102"}' 1
scan pack-1 TEA-SEN-100 '{"verdict":"completed","station":"pack-1","order":"#2102","sku":"TEA-SEN-100","packed":1,"of":1,"message":"COMPLETE #2102: all 1 units packed, label printing"}'

# --- issue 9 #3: a quantity 0 line never makes an order fulfilled at import -------------
lib_order 2103 '#2103' paid '' 2131:PEN-BLU-10:0 >"$T/2103.json"
lib_import "$T/2103.json" || fail "import #2103"
expect_eq "#2103 (only a quantity 0 line): nothing to ship, not fulfilled" '["digital",null,[["PEN-BLU-10",0,0,0]]]' "$(lines '#2103')"
expect_eq "#2103 no fulfillment" "0" "$(ctl show '#2103' --format json | jq '.fulfillments | length')"
lib_order 2104 '#2104' paid '' 2141:PEN-BLU-10:0 2142:TOTE-CAN:1 >"$T/2104.json"
lib_import "$T/2104.json" || fail "import #2104"
expect_eq "#2104 (a quantity 0 line beside a real one): ready" '["ready",null,[["PEN-BLU-10",0,0,0],["TOTE-CAN",1,0,0]]]' "$(lines '#2104')"


lib_stop
expect_rc "SIGTERM: exit 0" 0 $?
lib_finish
