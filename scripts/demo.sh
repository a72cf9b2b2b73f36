#!/bin/sh
# make demo: a station on embedded defaults, end to end, in ./demo.
# SQLite, a spool of sample orders, two virtual IPP printers and a private
# CUPS, a scripted shift of scans; the directory is left for inspection.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DEMO=$ROOT/demo
B=$ROOT/build

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

# A previous demo's processes, if any, are stopped first.
[ -f "$DEMO/var/stationd.pid" ] && kill "$(cat "$DEMO/var/stationd.pid")" 2>/dev/null
[ -d "$DEMO/printers" ] && sh tests/rig/printers.sh stop "$DEMO/printers" >/dev/null 2>&1
rm -rf "$DEMO"
mkdir -p "$DEMO/var" "$DEMO/printers" "$DEMO/labels"
chmod 755 "$DEMO" "$DEMO/printers"

step "virtual printers (ippeveprinter) and a private CUPS on loopback"
eval "$(sh tests/rig/printers.sh start "$DEMO/printers")" || die "cannot start the virtual printers"
export CUPS_SERVER
echo "label printer pack-1: $EVE1_URI"
echo "slip printer:         $EVE2_URI"
echo "label printer pack-2: CUPS queue $Q_RAW on $CUPS_SERVER"

# The web console (issue 14): 127.0.0.1:8080, or a free port when 8080 is taken.
WEB_PORT=${DEMO_WEB_PORT:-8080}
python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',$WEB_PORT))" 2>/dev/null ||
	WEB_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat >"$DEMO/station.ini" <<INI
; Station demo configuration: paths are relative to this file.
[daemon]
database = var/station.db
spool    = var/spool
socket   = var/station.sock

[shop]
name     = Example Goods
address1 = 1 Dock Road
city     = Springfield
province = MA
zip      = 01101
country  = US
gs1_prefix = 0614141

[station pack-1]
label_printer = $EVE1_URI
slip_printer  = $EVE2_URI
label_media   = 4x6
label_dpi     = 203
slip_media    = letter

[station pack-2]
label_printer = $Q_RAW
slip_printer  = $EVE2_URI
label_media   = 4x6
label_dpi     = 300

[web]
listen     = 127.0.0.1:$WEB_PORT
users_file = var/web.users
INI

CTL="$B/stationctl -c $DEMO/station.ini"
last=""
scan() {
	st=$1; shift
	for code in "$@"; do
		# a packer takes longer than the duplicate-read window to scan the next unit
		[ "$st $code" = "$last" ] && sleep 0.6
		last="$st $code"
		printf '  %-8s %-18s ' "$st" "$code"
		$CTL scan --station "$st" "$code"
	done
}

step "web console logins (stationctl web-user, password on stdin)"
echo 'demo-station' | $CTL web-user demo --role supervisor
echo 'viewer-station' | $CTL web-user wall --role viewer

step "stationd -n (configuration check)"
$B/stationd -n -c "$DEMO/station.ini" || die "configuration check failed"

step "start stationd"
$B/stationd -d -c "$DEMO/station.ini" 2>"$DEMO/stationd.log" &
echo $! >"$DEMO/var/stationd.pid"
i=0
until [ -S "$DEMO/var/station.sock" ] && $CTL status >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 100 ] && die "stationd did not start (see demo/stationd.log)"
	sleep 0.05
done
$CTL status
echo
echo "web console: http://127.0.0.1:$WEB_PORT/  (log in as demo / demo-station;"
echo "             viewer: wall / viewer-station; TV mode: http://127.0.0.1:$WEB_PORT/?tv=1)"

step "drop sample orders and product barcodes into spool/in"
for f in samples/products/*.csv samples/orders/*.json samples/orders/export.csv; do
	n=$(basename "$f")
	cp "$f" "$DEMO/var/spool/in/.$n.tmp" && mv "$DEMO/var/spool/in/.$n.tmp" "$DEMO/var/spool/in/$n"
done
cp samples/bad/truncated.json "$DEMO/var/spool/in/bad-order.json"
i=0
while [ -n "$(ls -A "$DEMO/var/spool/in")" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && die "spool/in was not emptied"
	sleep 0.05
done
echo "done:   $(ls "$DEMO/var/spool/done" | wc -l) files"
echo "failed: $(ls "$DEMO/var/spool/failed" | grep -vc '\.reason$') file(s):"
cat "$DEMO/var/spool/failed/"*.reason

step "stationctl orders"
$CTL orders

step "a scripted shift"
scan pack-1 STN:PACKER:ana '#1001' 4006381333931 4006381333931 4006381334013
scan pack-1 '#1007' '#1008' '#1009' '#1999'
scan pack-1 '#1010' STN:QTY:6 4006381333931 14006381333938 4006381334181 9999999999 \
    STN:NEWBOX STN:QTY:6 4006381333948 4006381334020 STN:UNDO STN:PARTIAL
scan pack-2 STN:PACKER:ben '#1010' 4006381334020 4006381334020 4006381334020 \
    061414100038 061414100038
scan pack-1 '#1003'
scan pack-2 '#1003' '#1005' STN:QTY:2 4901234567894 061414100038
scan pack-1 24901234567898 STN:QTY:4 4901234567894 4006381334181
scan pack-2 '#1011' TOTE-CAN TOTE-CAN 061414100021 STN:REPRINT
$CTL hold '#1004' --reason "address check: apartment number missing"
scan pack-2 '#1004'
scan pack-1 '#1002' 061414100021 STN:ABANDON

step "stationctl show #1010"
$CTL show '#1010'

step "stationctl log --since 10m (last 25 lines)"
$CTL log --since 10m | tail -25

step "stationctl stats --by packer"
$CTL stats --by packer

step "spool/out: one JSON document per shipment"
ls "$DEMO/var/spool/out"

step "sample labels, slips and a command sheet"
if [ -x "$B/labels-sample" ]; then
	"$B/labels-sample" "$DEMO/labels" && ls "$DEMO/labels"
fi

step "stop stationd (SIGTERM)"
kill "$(cat "$DEMO/var/stationd.pid")"
wait 2>/dev/null
rm -f "$DEMO/var/stationd.pid"
mkdir -p "$DEMO/printed"
cp -r "$DEMO/printers/recv/." "$DEMO/printed/" 2>/dev/null
sh tests/rig/printers.sh stop "$DEMO/printers" >/dev/null 2>&1
echo "printed documents: $(find "$DEMO/printed" -name '*.pdf' | wc -l) PDF(s) in demo/printed/"
tail -3 "$DEMO/stationd.log"
sh scripts/demo_shop.sh	# issue 12: shop sync against a mock Shopify shop
echo
echo "Left for inspection: demo/ (station.ini, var/station.db, var/spool/{done,failed,out},"
echo "stationd.log, printed/, labels/). Try: build/stationctl -c demo/station.ini log"
echo "The console again: build/stationd -d -c demo/station.ini, then http://127.0.0.1:$WEB_PORT/"
echo "(demo / demo-station)."
