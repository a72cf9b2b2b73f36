#!/bin/sh
# End to end, PostgreSQL only: the shop-sync election (issue 13). Three boxes
# (daemons) on one database, each with [shopify] pointing at the mock shop
# under its own path (/box-X/admin/...), so the mock counts requests per box.
# Exactly one box pulls; status says which on every box; a follower's sync
# names it; shipments packed on every box are pushed exactly once (by the
# elected box); kill -9 of the elected box while the shop holds its
# fulfillmentCreate: another box takes over within the deadline, logs it,
# reads the push back (recognised, not sent again) and pulls from then on;
# a clean stop of that box hands over to the last one.
# Run by tests/e2e_pg.sh (or alone: it starts its own server).
STATION_DB=pg
export STATION_DB
. "$(dirname "$0")/lib.sh"
lib_init e2e_pg_lead
lib_station
URI=$(sed -n 's/^database = //p' "$CONF")
MOCK=$LIB_ROOT/tests/rig/mock_shopify.py
LOC=68414513201
TAKEOVER_S=15

printf 'shpat_test_token_0123456789\n' >"$T/shopify.token"
chmod 600 "$T/shopify.token"
rm -f "$T/mock.port"
/usr/bin/python3 "$MOCK" serve --port-file "$T/mock.port" --token-file "$T/shopify.token" \
    --max-cost 100000 --restore 10000 2>>"$T/mock.log" &
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $!"
wait_for "[ -s '$T/mock.port' ]" 10 || { fail "mock starts"; lib_finish; }
MPORT=$(cat "$T/mock.port")
mctl() {
	/usr/bin/python3 "$MOCK" ctl "$MPORT" "$1"
}
mstate() {
	/usr/bin/python3 "$MOCK" ctl "$MPORT" | jq -c "$1"
}
# reqs BOX KIND: requests of KIND the mock saw from BOX
reqs() {
	mstate ".by_path[\"/$1/admin/api/2026-10/graphql.json\"].$2 // 0"
}

# box NAME STATION: a daemon's folder $T/NAME: own spool, socket and shop path.
box() {
	mkdir -p "$T/$1/var"
	cp "$T/shopify.token" "$T/$1/shopify.token"
	cat >"$T/$1/station.ini" <<EOC
[daemon]
database = $URI
spool    = var/spool
socket   = var/station.sock
box      = $1

[shop]
name     = Example Goods
address1 = 1 Dock Road
city     = Springfield
province = MA
zip      = 01101
country  = US
gs1_prefix = 0614141

[station $2]
duplicate_window = 0

[shopify]
endpoint = http://127.0.0.1:$MPORT/$1/admin/api/2026-10/graphql.json
token_file = shopify.token
location_id = gid://shopify/Location/$LOC
poll_interval = 1
timeout = 2
connect_timeout = 1
retry_min = 100
retry_max = 400
EOC
}
start() {
	"$STATIOND" -d -c "$T/$1/station.ini" 2>>"$T/$1/stationd.log" &
	eval "BOXPID_$(echo "$1" | tr - _)=$!"
	LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $!"
	wait_for "'$STATIONCTL' -c '$T/$1/station.ini' status >/dev/null 2>&1" 10
}
pid_of() {
	eval "echo \$BOXPID_$(echo "$1" | tr - _)"
}
on() {
	_b=$1
	shift
	"$STATIONCTL" -c "$T/$_b/station.ini" "$@"
}
# pack BOX STATION ORDER SKU: opens the order and scans its one item
pack() {
	expect_eq "$3 opens at $2 ($1)" opened \
	    "$(on "$1" scan --station "$2" --format json "$3" | jq -r .verdict)"
	expect_eq "$3 completes at $2 ($1)" completed \
	    "$(on "$1" scan --station "$2" --format json "$4" | jq -r .verdict)"
}
order() {
	mctl '{"op":"add_order","name":"'"$1"'","fos":[{"location":'$LOC',"lines":[{"sku":"'"$2"'","qty":1}]}]}' >/dev/null
}
for n in 1 2 3 4 5; do
	order "#500$n" "ITEM-$n"
done
box box-a pack-1
box box-b pack-2
box box-c pack-3
start box-a || fail "box-a starts"
start box-b || fail "box-b starts"
start box-c || fail "box-c starts"
expect_true "the orders are pulled" wait_for "[ \"\$(sql 'SELECT count(*) FROM orders')\" = 5 ]" 10

# --- one box pulls: the first one up ------------------------------------------------
expect_true "box-a pulls again and again (poll_interval 1)" wait_for "[ \"\$(reqs box-a pull)\" -ge 3 ]" 10
expect_eq "box-b never pulled" 0 "$(reqs box-b pull)"
expect_eq "box-c never pulled" 0 "$(reqs box-c pull)"
expect_contains "status on box-b names the box that pulls" "shop sync: pulled by box-a" "$(on box-b status)"
expect_contains "status on box-a: this box" "shop sync: pulled by box-a (this box)" "$(on box-a status)"
expect_eq "status json" '["box-a",false]' "$(on box-c status --format json | jq -c '[.shop.puller, .shop.pulls]')"
out=$(on box-b sync 2>&1)
expect_rc "sync on a box that does not pull: refused" 1 $?
expect_contains "sync names the box that pulls" "box box-a pulls the shop (one box at a time): run sync there" "$out"
expect_contains "the election is logged" "box box-a pulls the shop now" "$(on box-c log --kind pull)"

# --- every box's shipments pushed exactly once, by the elected box ----------------
pack box-a pack-1 '#5001' ITEM-1
pack box-b pack-2 '#5002' ITEM-2
pack box-c pack-3 '#5003' ITEM-3
expect_true "three shipments pushed" wait_for \
    "[ \"\$(sql \"SELECT count(*) FROM shop_pushes WHERE state = 'done'\")\" = 3 ]" 15
expect_eq "the shop saw three creates, all from box-a" '[3,3,0,0]' \
    "$(mstate '[.creates_seen, (.by_path | to_entries | map(select(.key | startswith("/box-a/"))) | .[0].value.create // 0), (.by_path | to_entries | map(select(.key | startswith("/box-b/"))) | .[0].value.create // 0), (.by_path | to_entries | map(select(.key | startswith("/box-c/"))) | .[0].value.create // 0)]')"

# --- kill -9 of the elected box with its push in the shop's hands ------------------
mctl '{"op":"fault","hold_create":true}' >/dev/null
pack box-b pack-2 '#5004' ITEM-4
expect_true "box-a sent #5004's create" wait_for "[ \"\$(mstate .creates_seen)\" = 4 ]" 10
K0=$(date +%s%N)
kill -9 "$(pid_of box-a)"
wait "$(pid_of box-a)" 2>/dev/null
mctl '{"op":"fault","hold_create":false}' >/dev/null
A_PULLS=$(reqs box-a pull)
expect_true "another box takes over within ${TAKEOVER_S} s" wait_for \
    "on box-b log --kind pull 2>/dev/null | grep -q 'pulls the shop now (after box-a)'" $TAKEOVER_S
echo "takeover seen $(( ($(date +%s%N) - K0) / 1000000 )) ms after kill -9"
NEW=$(sql "SELECT value FROM shop_state WHERE key = 'puller'")
OTHER=box-c
[ "$NEW" = box-c ] && OTHER=box-b
expect_true "the new box ($NEW) is one of the others" sh -c "[ '$NEW' = box-b ] || [ '$NEW' = box-c ]"
expect_true "$NEW pulls now" wait_for "[ \"\$(reqs $NEW pull)\" -ge 2 ]" 10
expect_eq "$OTHER still never pulled" 0 "$(reqs $OTHER pull)"
expect_eq "box-a pulls no more" "$A_PULLS" "$(reqs box-a pull)"
expect_contains "status on $OTHER names $NEW" "shop sync: pulled by $NEW" "$(on $OTHER status)"
expect_true "#5004 pushed (read back by $NEW)" wait_for \
    "[ \"\$(sql \"SELECT count(*) FROM shop_pushes WHERE state = 'done'\")\" = 4 ]" 15
expect_contains "#5004 recognised, not sent again" "already applied; recognised on read-back" \
    "$(on box-b log --kind push)"
pack $OTHER "$( [ $OTHER = box-b ] && echo pack-2 || echo pack-3)" '#5005' ITEM-5
expect_true "#5005 pushed by $NEW" wait_for \
    "[ \"\$(sql \"SELECT count(*) FROM shop_pushes WHERE state = 'done'\")\" = 5 ]" 15
expect_eq "every shipment exactly once: 5 creates, 5 fulfillments, one per order" '[5,5,5]' \
    "$(mstate '[.creates_seen, (.fulfillments | length), ([.fulfillments[].fos[0]] | unique | length)]')"
expect_eq "$OTHER sent no create" 0 "$(reqs $OTHER create)"

# --- a clean stop of the elected box: the last one takes over -------------------
kill -TERM "$(pid_of $NEW)" 2>/dev/null
wait "$(pid_of $NEW)"
expect_rc "$NEW stops cleanly" 0 $?
expect_true "$OTHER takes over after the clean stop" wait_for \
    "on $OTHER log --kind pull 2>/dev/null | grep -q 'box $OTHER pulls the shop now (after $NEW)'" $TAKEOVER_S
expect_true "$OTHER pulls now" wait_for "[ \"\$(reqs $OTHER pull)\" -ge 2 ]" 10
expect_contains "status on $OTHER: this box" "shop sync: pulled by $OTHER (this box)" "$(on $OTHER status)"
kill -TERM "$(pid_of $OTHER)" 2>/dev/null
wait "$(pid_of $OTHER)"
expect_rc "$OTHER stops cleanly" 0 $?
lib_finish
