#!/bin/sh
# End to end: the web console (issue 14) on the real stationd with scripted
# scans. Plain HTTP checks (tests/web/http_test.py), then Chromium headless
# (tests/web/browser_test.py) when Debian's chromium and selenium are there;
# screenshots go to build/test-output/web/. With STATION_DB=pg (tests/e2e_pg.sh)
# the same on PostgreSQL, the browser part left to the SQLite run (the pages'
# store reads are the plain HTTP tests' and the SKU and log checks here).
. "$(dirname "$0")/lib.sh"
lib_init e2e_web
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# pack-2's label printer is a port where nobody listens: a printer alert on its tile
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
lib_station "
[station pack-2]
duplicate_window = 0
label_printer = ipp://127.0.0.1:$DEAD/ipp/print

[web]
listen     = 127.0.0.1:$PORT
users_file = web.users"
USERS=$T/web.users
OUT=$LIB_ROOT/build/test-output/web
mkdir -p "$OUT"

# --- stationctl web-user and the users file's mode ----------------------------
echo 'boss-password' | ctl web-user boss --role supervisor >/dev/null
expect_rc "web-user adds a supervisor" 0 $?
echo 'eve-password' | ctl web-user eve --role viewer >/dev/null
expect_rc "web-user adds a viewer" 0 $?
expect_eq "users file is 0600" 600 "$(stat -c %a "$USERS")"
expect_eq "one name:role:hash line each" "boss:supervisor eve:viewer" \
    "$(cut -d: -f1,2 "$USERS" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "hashes are crypt(3) yescrypt or SHA-512" 2 \
    "$(grep -c -E '^[a-z]+:[a-z]+:[$](y|6)[$]' "$USERS")"
echo 'short' | ctl web-user bob --role viewer >/dev/null 2>&1
expect_rc "a short password is refused" 1 $?
echo 'long-enough' | ctl web-user bob --role admin >/dev/null 2>&1
expect_rc "an unknown role is refused" 1 $?

chmod 644 "$USERS"
"$STATIOND" -d -c "$CONF" 2>"$T/refused.log"
expect_rc "stationd refuses a users file that is not 0600" 1 $?
expect_contains "and says why" "refused unless 0600" "$(cat "$T/refused.log")"
chmod 600 "$USERS"

if ! lib_start; then
	fail "daemon starts with [web]"
	lib_finish
fi
expect_contains "the console is announced" "web: console on http://127.0.0.1:$PORT" \
    "$(cat "$T/stationd.log")"

# --- a scripted shift ---------------------------------------------------------------
ctl import "$SAMPLES/products/products_export.csv" "$SAMPLES/products/codes.csv" >/dev/null
lib_order 3001 '#3001' paid '' 3101:MUG-BLK-12:2 3102:TEE-NAT-M:1 >"$T/3001.json"
lib_order 3002 '#3002' paid '' 3201:TEE-NAT-L:1 >"$T/3002.json"
lib_order 3003 '<script>alert(1)</script>' paid '' '3301:<img src=x onerror=alert(2)>:1' >"$T/3003.json"
lib_order 3004 '#3004' paid '' 3401:TOTE-CAN:1 >"$T/3004.json"
lib_order 3005 '#3005' paid '' 3501:PEN-BLU-10:2 >"$T/3005.json"
lib_order 3006 '#3006' paid '' 3601:CANDLE-CED:1 >"$T/3006.json"
lib_order 3007 '#3007' paid '' 3701:TEA-SEN-100:1 >"$T/3007.json"
for n in 3001 3002 3003 3004 3005 3006 3007; do
	lib_import "$T/$n.json" || fail "import $n"
done
for code in STN:PACKER:alice '#3001' MUG-BLK-12 MUG-BLK-12 TEE-NAT-M; do
	ctl scan --station pack-1 "$code" >/dev/null
done
for code in STN:PACKER:bob '#3006' CANDLE-CED; do
	ctl scan --station pack-2 "$code" >/dev/null
done
expect_eq "#3001 shipped by the script" fulfilled "$(ctl show '#3001' --format json | jq -r .status)"
ctl scan --station pack-1 '<script>alert(1)</script>' >/dev/null
expect_eq "the hostile order is open at pack-1" in_progress \
    "$(ctl show '<script>alert(1)</script>' --format json | jq -r .status)"

ctl hold '#3007' --reason 'address <check>' >/dev/null
export WEB_BASE="http://127.0.0.1:$PORT" STATIONCTL CONF WEB_OUT="$OUT" HOLD_ORDER='#3004' \
    WEB_SOCK="$SOCK" DEAD_PRINTER="ipp://127.0.0.1:$DEAD/ipp/print"
/usr/bin/python3 "$LIB_ROOT/tests/web/http_test.py" >"$T/http.out" 2>&1
rc=$?
cat "$T/http.out" | grep -v '^ok ' | sed 's/^/  /'
expect_rc "plain HTTP tests ($(tail -1 "$T/http.out"))" 0 $rc
cp "$T/http.out" "$OUT/http_test.out"

# --- the queue's search by SKU; the log page: the newest rows, oldest first ---------
sid=$(curl -s -D - -o /dev/null -d 'user=eve&password=eve-password' \
    "http://127.0.0.1:$PORT/login" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
page=$(curl -s -b "$sid" "http://127.0.0.1:$PORT/orders?q=TOTE-CAN")
expect_contains "search by SKU finds the order with that line" '">#3004</a>' "$page"
expect_eq "and only that one" 1 "$(printf '%s' "$page" | grep -o '<tr><td><a href="/orders/' | wc -l)"
# 2,100 events more than the page's 2,000 rows (sqlite3, or psql on PostgreSQL)
bulk="INSERT INTO events(at, station, kind, message, error)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2100)
    SELECT $(date +%s%3N) + i, 'pack-1', 'scan', 'bulk event ' || (10000 + i), 0 FROM n"
if [ "${STATION_DB:-sqlite}" = pg ]; then
	pg_rig_psql "$PGDB" -v ON_ERROR_STOP=1 -c "$bulk" >/dev/null || fail "bulk events written"
else
	sqlite3 "$DB" "$bulk" || fail "bulk events written"
fi
page=$(curl -s -b "$sid" "http://127.0.0.1:$PORT/log")
expect_eq "the log page: the newest 2,000 rows" "2000" \
    "$(printf '%s' "$page" | grep -o 'bulk event 1[0-9]*' | wc -l)"
expect_eq "oldest first, from the 101st to the last" "bulk event 10101 bulk event 12100" \
    "$(printf '%s' "$page" | grep -o 'bulk event 1[0-9]*' | sed -n '1p;$p' | tr '\n' ' ' | sed 's/ $//')"

if [ "${STATION_DB:-sqlite}" = pg ]; then
	echo "  (browser tests run on SQLite only: the same pages over the same store calls)"
elif [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] &&
    /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
	/usr/bin/python3 "$LIB_ROOT/tests/web/browser_test.py" >"$T/browser.out" 2>&1
	rc=$?
	grep -v '^ok ' "$T/browser.out" | sed 's/^/  /'
	expect_rc "browser tests ($(tail -1 "$T/browser.out"))" 0 $rc
	cp "$T/browser.out" "$OUT/browser_test.out"
else
	echo "  (chromium, chromium-driver or python3-selenium missing: browser tests skipped;"
	echo "   make deps installs them)"
fi

# a users file opened up while running: logins refused from then on
chmod 640 "$USERS"
expect_eq "users file no longer 0600: login refused" 401 "$(curl -s -o /dev/null \
    -w '%{http_code}' -d 'user=eve&password=eve-password' "http://127.0.0.1:$PORT/login")"
chmod 600 "$USERS"

# SIGTERM with a live page open: the stream ends, the daemon exits 0
streams() {
	curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 == "station_web_streams" { print $2 }'
}
sid=$(curl -s -D - -o /dev/null -d 'user=eve&password=eve-password' \
    "http://127.0.0.1:$PORT/login" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
curl -s -N -b "$sid" "http://127.0.0.1:$PORT/events" >"$T/stream.out" 2>/dev/null &
CURL=$!
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $CURL"
expect_true "a live page is counted in /metrics (a closed page is noticed within 2 s)" wait_for '[ "$(streams)" = 1 ]' 5

# --- failed logins: rate limited and logged (last: it locks this address out) -------
codes=""
for i in 1 2 3 4 5 6; do
	codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -d 'user=boss&password=guess'$i \
	    "http://127.0.0.1:$PORT/login")"
done
expect_eq "five failures, then refused without checking" " 401 401 401 401 401 429" "$codes"
expect_eq "even the right password waits out the minute" 429 \
    "$(curl -s -o /dev/null -w '%{http_code}' -d 'user=boss&password=boss-password' \
    "http://127.0.0.1:$PORT/login")"
expect_contains "failed logins are logged" "web: failed login for 'boss' from 127.0.0.1" \
    "$(cat "$T/stationd.log")"
expect_eq "the daemon still scans" 0 "$(ctl scan --station pack-2 STN:PACKER:carol >/dev/null; echo $?)"

lib_stop
expect_rc "stationd stops cleanly with the console (and a live page)" 0 $?
wait "$CURL"
expect_contains "the page's stream had opened" ": hello" "$(cat "$T/stream.out")"

# --- https with tls_cert/tls_key; the floor remembers the last verdicts --------------
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
    -days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1; then
	printf 'tls_cert = cert.pem\ntls_key = key.pem\n' >>"$CONF"
	lib_start || fail "daemon starts with tls"
	expect_eq "https: the login page" 200 "$(curl -sk -o /dev/null -w '%{http_code}' \
	    "https://127.0.0.1:$PORT/login")"
	expect_eq "plain http is not spoken on the https port" 000 \
	    "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/login")"
	ck=$(curl -sk -D - -o /dev/null -d 'user=boss&password=boss-password' \
	    "https://127.0.0.1:$PORT/login" | tr -d '\r' | grep -i '^set-cookie:')
	expect_contains "https: the cookie is Secure" "; Secure" "$ck"
	sid=$(echo "$ck" | sed 's/^[^:]*: *//; s/;.*//')
	floor=$(curl -sk -b "$sid" "https://127.0.0.1:$PORT/")
	expect_contains "after a restart the floor shows pack-2's last verdict" \
	    '<div class="verdict v-good">packer</div>' "$floor"
	lib_stop
	expect_rc "stops cleanly (tls)" 0 $?
else
	echo "  (openssl missing: https not tested)"
fi
lib_finish
