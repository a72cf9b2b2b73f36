#!/bin/sh
# tests/e2e_backup.sh: stationctl backup while scans run gives a copy that holds
# every scan confirmed before the backup began (and none confirmed after it
# ended), passes stationctl check, and restores; restore refuses while stationd
# runs and refuses a file that is not a sound station database; check finds
# references to rows that do not exist.
# With STATION_DB=pg (tests/e2e_pg.sh): backup and restore refuse and name the
# server's tools (a copy of a file is SQLite's business); check, and the refusal
# while stationd runs, are the same.
. "$(dirname "$0")/lib.sh"
lib_init backup
lib_station ""
lib_start || { fail start; lib_finish; }

N=30
i=1
while [ $i -le $N ]; do
	lib_order $((5000 + i)) "#$((5000 + i))" paid "" "$((9000 + i)):MUG-BLK-12:3"
	i=$((i + 1))
done | jq -s '{orders: map(.order)}' >"$T/orders.json"
expect_true "import $N orders" lib_import "$T/orders.json"

# a packer at work: every confirmed verdict is appended to $T/confirmed
: >"$T/confirmed"
(
	i=1
	while [ $i -le $N ]; do
		for code in "#$((5000 + i))" MUG-BLK-12 MUG-BLK-12 MUG-BLK-12; do
			v=$(ctl scan "$code" 2>/dev/null | cut -d: -f1)
			echo "$i $code $v" >>"$T/confirmed"
		done
		i=$((i + 1))
	done
) &
PACKER=$!
LIB_EXTRA_PIDS="$LIB_EXTRA_PIDS $PACKER"
expect_true "scans under way" wait_for "[ \$(wc -l <'$T/confirmed') -ge 20 ]" 20
c0=$(wc -l <"$T/confirmed")
out=$(ctl backup "$T/copy.db" 2>&1)
rc=$?
c1=$(wc -l <"$T/confirmed")
if [ "${STATION_DB:-sqlite}" = pg ]; then
	expect_rc "backup refused on PostgreSQL" 1 $rc
	expect_eq "backup names pg_dump" "stationctl: backup: on PostgreSQL, back up with pg_dump" "$out"
	expect_true "no copy written" test ! -e "$T/copy.db"
else
	expect_rc "backup while scanning" 0 $rc
	expect_contains "backup says so" "backup of $DB written" "$out"
fi
wait $PACKER
expect_eq "every scan confirmed" "$((N * 4))" "$(wc -l <"$T/confirmed")"
expect_eq "no refusal during the shift" "" "$(grep -v -E ' (opened|ok|completed)$' "$T/confirmed")"
expect_rc "the live database passes check" 0 "$(ctl check >/dev/null 2>&1; echo $?)"

# restore refuses while the daemon answers, and leaves the database alone
before=$(sql "SELECT count(*) FROM scans")
out=$(ctl restore "$T/copy.db" 2>&1)
expect_rc "restore refused while stationd runs" 1 $?
expect_contains "refusal says why" "stationd is running" "$out"
expect_eq "database untouched" "$before" "$(sql "SELECT count(*) FROM scans")"
lib_stop
expect_rc "stationd stops" 0 $?

# check finds what points at nothing (writes: sqlite3, or psql on PostgreSQL)
check_dangling() {
	_sql="UPDATE sessions SET order_id = 999999 WHERE station = 'pack-1';
    INSERT INTO print_jobs(created_at, kind, order_id, state) VALUES (1, 'label', 888888, 'pending');
    INSERT INTO fulfillments(order_id, station, at, partial, units, doc) VALUES (777777, 'pack-1', 1, 0, 1, '{}');"
	if [ "${STATION_DB:-sqlite}" = pg ]; then
		pg_rig_psql "$PGDB" -v ON_ERROR_STOP=1 -c "$_sql" >/dev/null || fail "dangling rows written"
	else
		sqlite3 "$DB" "$_sql"
	fi
	out=$(ctl check 2>/dev/null)
	expect_rc "check fails on dangling references" 1 "$(ctl check >/dev/null 2>&1; echo $?)"
	expect_contains "dangling session" "session at station pack-1: order id 999999 does not exist" "$out"
	expect_contains "dangling job" "order id 888888 does not exist" "$out"
	expect_contains "dangling push" "pending push" "$out"
}
if [ "${STATION_DB:-sqlite}" = pg ]; then
	out=$(ctl restore "$T/copy.db" 2>&1)
	expect_rc "restore refused on PostgreSQL" 1 $?
	expect_contains "restore names the server's tools" "restore a PostgreSQL store with pg_restore or psql" "$out"
	expect_eq "refused restore: database untouched" "$before" "$(sql "SELECT count(*) FROM scans")"
	out=$(ctl check 2>&1)
	expect_rc "check passes after the shift" 0 $?
	expect_contains "check says ok" "ok (integrity, sessions, print jobs, pending pushes)" "$out"
	echo "note: file copies, restore and the copy's scans are a database file's; skipped on PostgreSQL"
	check_dangling
	lib_finish
fi
sql "SELECT id, station, code, verdict, coalesce(order_id, 0), units FROM scans ORDER BY id" \
    >"$T/live.scans"

# a file that is not a station database is refused; nothing changes
printf 'not a database at all, just some bytes\n' >"$T/junk.db"
out=$(ctl restore "$T/junk.db" 2>&1)
expect_rc "junk refused" 1 $?
expect_eq "junk: database untouched" "$before" "$(sql "SELECT count(*) FROM scans")"
sqlite3 "$T/other.db" "CREATE TABLE t(x); PRAGMA user_version = 2;"
out=$(ctl restore "$T/other.db" 2>&1)
expect_rc "foreign database refused" 1 $?
expect_contains "foreign database: why" "is not a station database" "$out"

# the copy: restored, checked, and holding exactly a prefix of the shift
# (the database belongs to the daemon's user; restore runs as root)
[ "$(id -u)" = 0 ] && chown 65534:65534 "$DB"
owner=$(stat -c %u:%g "$DB")
out=$(ctl restore "$T/copy.db" 2>&1)
expect_rc "restore with stationd stopped" 0 $?
expect_true "old database kept" test -s "$DB.before-restore"
expect_eq "the copy is not world-readable" "640" "$(stat -c %a "$T/copy.db")"
expect_eq "the restored file keeps the old one's owner" "$owner" "$(stat -c %u:%g "$DB")"
expect_true "no stale WAL beside the restored file" test ! -e "$DB-wal"
out=$(ctl check 2>&1)
expect_rc "restored database passes check" 0 $?
expect_contains "check says ok" "ok (integrity, sessions, print jobs, pending pushes)" "$out"
sql "SELECT id, station, code, verdict, coalesce(order_id, 0), units FROM scans ORDER BY id" \
    >"$T/copy.scans"
b=$(wc -l <"$T/copy.scans")
echo "    scans confirmed when the backup began: $c0, in the copy: $b, when it ended: $c1 (of $((N * 4)))"
expect_true "the copy holds every scan confirmed before the backup ($c0 <= $b)" [ "$c0" -le "$b" ]
expect_true "and none confirmed after it ended ($b <= $c1)" [ "$b" -le "$c1" ]
expect_eq "the copy's scans are the shift's first $b, exactly" \
    "$(head -n "$b" "$T/live.scans")" "$(cat "$T/copy.scans")"
# the copy is consistent: every completed order's shipment is there with its scans
expect_eq "shipments match completed scans" \
    "$(sql "SELECT count(*) FROM scans WHERE verdict = 'completed'")" \
    "$(sql "SELECT count(*) FROM fulfillments")"
expect_eq "the old database kept every scan" "$(wc -l <"$T/live.scans")" \
    "$(sqlite3 "$DB.before-restore" "SELECT count(*) FROM scans")"

# the station runs on the restored database and carries on where the copy ends
lib_start || fail "start on the restored database"
expect_eq "ready orders after restore" \
    "$(sql "SELECT count(*) FROM orders WHERE status IN ('ready', 'in_progress')")" \
    "$(ctl orders --format csv | tail -n +2 | grep -c -E ',(ready|in_progress),')"
lib_stop

check_dangling

# backup to a folder that is not there fails cleanly
out=$(ctl backup "$T/no/such/dir/x.db" 2>&1)
expect_rc "backup to a missing folder fails" 1 $?
lib_finish
