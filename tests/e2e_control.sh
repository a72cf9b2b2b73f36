#!/bin/sh
# End to end: the control socket against clients that misbehave. Slow readers
# and pipeliners keep the daemon's memory bounded; watchers that stop reading
# lose events and are told so.
. "$(dirname "$0")/lib.sh"
lib_init e2e_control
lib_station
CLIENT="/usr/bin/python3 $LIB_ROOT/tests/rig/ctl_client.py"
if ! lib_start; then
	fail "daemon starts"
	lib_finish
fi

# rss_kb: the daemon's resident set in kB, from /proc.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status"
}
# An order of 100 lines with long names, so that every watch event is big (~13 KB).
set --
i=1
while [ $i -le 100 ]; do
	set -- "$@" "$((500000 + i)):SKU-WITH-A-RATHER-LONG-NAME-FOR-THE-WATCH-EVENTS-$i:1"
	i=$((i + 1))
done
lib_order 5001 '#5001' paid '' "$@" >"$T/5001.json"
lib_import "$T/5001.json" || fail "import #5001"
expect_eq "#5001 opens" "opened: OPENED #5001: scan the items (100 units)" "$(ctl scan '#5001')"
RSS0=$(rss_kb)

# --- closed clients are let go: more requests in a row than the client limit ----
n=0
i=0
while [ $i -lt 200 ]; do
	ctl status >/dev/null 2>&1 && n=$((n + 1))
	i=$((i + 1))
done
expect_eq "200 requests in a row answered" 200 "$n"
expect_eq "at most 128 clients at once; the others are told" "ok=128 refused=12" \
    "$($CLIENT many "$SOCK" 140)"
expect_eq "clients served again once they left" "opened: #5001 is already open here" \
    "$(ctl scan '#5001' 2>&1)"

# --- a client that pipelines 20 MB of requests and never reads a reply ----------
mkfifo "$T/flood.in"
$CLIENT flood "$SOCK" 20 <"$T/flood.in" >"$T/flood.out" &
FLOOD=$!
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $FLOOD"
exec 7>"$T/flood.in"
wait_for "[ -s '$T/flood.out' ]" 30 || fail "flood client finishes writing"
expect_eq "daemon answers others during the flood" "opened: #5001 is already open here" \
    "$(ctl scan '#5001' 2>&1)"
RSS1=$(rss_kb)
echo "flood: $(cat "$T/flood.out") bytes written without reading; daemon RSS ${RSS0} kB -> ${RSS1} kB"
expect_true "daemon RSS < 40 MB with a 20 MB pipelining client (${RSS1} kB)" test "$RSS1" -lt 40960
expect_true "daemon RSS grew < 16 MB with a 20 MB pipelining client (${RSS0} -> ${RSS1} kB)" \
    test $((RSS1 - RSS0)) -lt 16384
exec 7>&-
wait "$FLOOD" 2>/dev/null

# --- a watcher that never reads while 20,000 scans happen ------------------------
mkfifo "$T/watch.in"
$CLIENT watch "$SOCK" <"$T/watch.in" >"$T/watch.out" &
WATCH=$!
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $WATCH"
exec 8>"$T/watch.in"
wait_for "[ -s '$T/watch.out' ]" 10 || fail "watch client subscribes"
t0=$(date +%s)
expect_eq "20000 scans answered" 20000 "$($CLIENT scans "$SOCK" 20000 NOPE-NOT-A-CODE)"
RSS2=$(rss_kb)
echo "watch: 20000 scans in $(( $(date +%s) - t0 )) s, watcher not reading; daemon RSS ${RSS0} kB -> ${RSS2} kB"
expect_true "daemon RSS < 40 MB with a watcher that never reads (${RSS2} kB)" test "$RSS2" -lt 40960
expect_true "daemon RSS grew < 16 MB with a watcher that never reads (${RSS0} -> ${RSS2} kB)" \
    test $((RSS2 - RSS0)) -lt 16384
expect_true "daemon alive" kill -0 "$DPID"
expect_eq "daemon answers others" "unknown_code: UNKNOWN CODE: NOPE" "$(ctl scan NOPE 2>&1)"
# The watcher now reads: what it gets says that events were dropped.
exec 8>&-
wait "$WATCH" 2>/dev/null
expect_contains "watcher told that events were dropped" \
    "events were dropped: this watcher did not read them in time" "$(cat "$T/watch.out")"
# every scan (20000 and the one after) was either delivered or counted as dropped
expect_eq "events delivered + dropped = scans" 20001 \
    "$(awk '$1 == "scan" { n += $2 } $1 == "dropped" && NF > 2 { n += $2 } END { print n }' "$T/watch.out")"

# --- import reads only what the client could read (issue 9 #15) ---------------------
# The socket is opened to everyone here, as socket_group would to a group of clerks.
chmod 0666 "$SOCK"
printf 'SECRET-CUSTOMER-DATA,not,an,order\n' >"$T/secret.csv"
chmod 0600 "$T/secret.csv"
lib_order 5002 '#5002' paid '' 500201:MUG-BLK-12:1 >"$T/nobody.json"
chmod 0644 "$T/nobody.json"
out=$(runuser -u nobody -- "$STATIONCTL" -c "$CONF" import "$T/secret.csv" 2>&1)
expect_rc "nobody: import of a root 0600 file refused" 1 $?
expect_eq "nobody: told why, nothing of the file echoed" \
    "stationctl: $T/secret.csv: Permission denied" "$out"
out=$(runuser -u nobody -- $CLIENT raw "$SOCK" "{\"cmd\":\"import\",\"path\":\"$T/secret.csv\"}" 2>&1)
expect_eq "nobody: a raw import by path is refused" \
    '{"ok":false,"error":"import: send the file itself, not a path (stationctl import passes the open file)"}' "$out"
expect_eq "nobody: no order imported from the secret file" 0 \
    "$(sql "SELECT count(*) FROM events WHERE message LIKE '%SECRET%'")"
out=$(runuser -u nobody -- "$STATIONCTL" -c "$CONF" import "$T/nobody.json" 2>&1)
expect_rc "nobody: import of a file it can read" 0 $?
expect_eq "nobody: import reply" "$T/nobody.json: orders-json: 1 imported, 0 updated, 0 unchanged, 0 codes" "$out"
expect_eq "#5002 imported" ready "$(ctl show '#5002' --format json | jq -r .status)"
mkfifo "$T/fifo.json"
out=$(ctl import "$T/fifo.json" 2>&1)
expect_rc "a FIFO is refused at once" 1 $?
expect_eq "a FIFO: reason" "stationctl: $T/fifo.json: not a regular file" "$out"

# --- shop data cannot drive the terminal (issue 9 #16) --------------------------------
ESC=$(printf '\033')
EVIL=$(printf '#66\033[2J\nX')
lib_order 5066 '#66\u001b[2J\nX' paid '' '506601:EVIL\u001b]0;pwned\u0007:1' >"$T/evil.json"
lib_import "$T/evil.json" || fail "import the hostile order"
for cmd in "orders" "show $EVIL" "log" "status"; do
	# shellcheck disable=SC2086
	out=$(ctl $cmd 2>&1)
	case "$out" in
	*"$ESC"*) fail "$cmd: no raw escape reaches the terminal" ;;
	*) ok "$cmd: no raw escape" ;;
	esac
done
expect_contains "orders: the name escaped visibly" '#66\x1b[2J\x0aX' "$(ctl orders)"
expect_eq "show: the name and the SKU escaped visibly" \
    '#66\x1b[2J\x0aX  ready
EVIL\x1b]0;pwned\x07' "$(ctl show "$EVIL" | sed -n '1p;$p' | awk '{ print ($1 ~ /^EVIL/) ? $1 : $0 }')"
out=$(ctl scan "$EVIL" 2>&1)
expect_eq "scan: the verdict line has no raw control characters" 'order_open: #66?[2J?X not opened: finish, STN:PARTIAL or STN:ABANDON #5001 first' "$out"
expect_eq "orders --format json keeps the exact name" "$EVIL" \
    "$(ctl orders --format json | jq -r '.[] | select(.order | startswith("#66")) | .order')"
expect_eq "show --format json keeps the exact SKU" "$(printf 'EVIL\033]0;pwned\007')" \
    "$(ctl show "$EVIL" --format json | jq -r '.lines[0].sku')"
# a file whose name is not UTF-8 keeps its message in log --format json
printf 'not an order\n' >"$T/bad.txt"
spool_drop "$T/bad.txt" "$(printf 'bad\377name.json')"
spool_wait "$(printf 'bad\377name.json')" || fail "non-UTF-8 file taken"
expect_eq "log --format json: the message of a non-UTF-8 file name, invalid bytes as \\xNN" 1 \
    "$(ctl log --format json | jq '[.[] | select(.message != null and (.message | contains("bad\\xffname.json")))] | length')"

# --- scan events in log --format json carry the exact code and its AIM id (issue 9 #19) ---
out=$($CLIENT raw "$SOCK" '{"cmd":"scan","station":"pack-1","code":"0109506000134352\u001d10LOT7","aim":"]C1"}')
expect_contains "GS1 scan answered" '"verdict":"unknown_code"' "$out"
ctl scan NOPE-KEYBOARD >/dev/null 2>&1
expect_eq "log --format json: scan events carry code (GS1 separator exact) and aim" \
    '["0109506000134352\u001d10LOT7","]C1"]
["NOPE-KEYBOARD",""]' \
    "$(ctl log --format json --kind scan | jq -c '.[-2:][] | [.code, .aim]')"
expect_eq "log --format json: other events carry neither" 0 \
    "$(ctl log --format json --kind import | jq '[.[] | select(has("code") or has("aim"))] | length')"
expect_eq "log table keeps its columns" "time  station  order  packer  kind  verdict  message" \
    "$(ctl log | head -1 | sed 's/  */  /g')"

# --- control requests the parser refuses --------------------------------------------
expect_eq "not JSON" '{"ok":false,"error":"bad request: expected a JSON object with \"cmd\""}' \
    "$($CLIENT raw "$SOCK" 'scan #5001')"
expect_eq "code of the wrong type" '{"ok":false,"error":"bad request: \"code\" must be a string"}' \
    "$($CLIENT raw "$SOCK" '{"cmd":"scan","code":5}')"
expect_eq "duplicate keys" '{"ok":false,"error":"bad request: expected a JSON object with \"cmd\""}' \
    "$($CLIENT raw "$SOCK" '{"cmd":"scan","code":"A","code":"B"}')"

expect_true "daemon stops cleanly" lib_stop

# --- a daemon that dies mid-request: said, exit 1, no SIGPIPE (issue 9 #17) ----------
sed "s|^socket .*|socket = $T/dying.sock|" "$CONF" >"$T/dying.ini"
$CLIENT dying "$T/dying.sock" &
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $!"
wait_for "[ -S '$T/dying.sock' ]" 10 || fail "dying daemon listens"
# two 120 KB arguments: more than the socket holds, so the send is cut mid-request
big=$(head -c 122880 /dev/zero | tr '\0' 'x')
"$STATIONCTL" -c "$T/dying.ini" hold "#$big" --reason "$big" >/dev/null 2>"$T/dying.err"
expect_rc "daemon gone mid-request: exit 1 (not 141)" 1 $?
expect_eq "daemon gone mid-request: said" \
    "stationctl: the station daemon closed the connection while the request was being sent (Broken pipe): did it stop or refuse the request? See its log" \
    "$(cat "$T/dying.err")"
lib_finish
