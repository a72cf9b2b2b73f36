#!/bin/sh
# The behaviour suites (pack, intake, crash, print, resume, abandon, retention,
# backup's check and refusals, web, shop sync) on PostgreSQL: one
# private server (tests/rig/pg.sh) for the run, each suite with STATION_DB=pg (a
# fresh database per lib_station), the same assertions as on SQLite. Then the
# PostgreSQL-only cases: several boxes and outages (a blackholed reconnect: the
# loop never waits), the shop-sync election, migrate, the race; and
# test_scale_e2e (the packing checks) when it is built.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/rig/pg.sh"
if ! pg_rig_available; then
	echo "e2e_pg: PostgreSQL not installed (scripts/deps.sh installs it); skipped"
	echo "e2e_pg: 0 passed, 0 failed"
	exit 0
fi
trap pg_rig_stop EXIT
trap 'exit 130' INT TERM HUP
pg_rig_start || exit 1
export PG_RIG_DIR PG_RIG_PORT STATION_DB=pg
pass=0 fail=0
# tally NAME OUTPUT RC: the suite's output, prefixed, and its counts added up
tally() {
	printf '%s\n' "$2" | sed "s/^/[pg] /"
	line=$(printf '%s\n' "$2" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -1)
	p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
	f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	[ -z "$line" ] && { p=0; f=1; }
	[ "$3" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p)) fail=$((fail + f))
}
# e2e_shop spends its minute waiting on its mock shop's timeouts, not on the
# machine: it runs beside the others (its own database, mock and daemon).
BG=
if [ -f "$ROOT/tests/e2e_shop.sh" ] && [ -z "${E2E_PG_NO_SHOP:-}" ]; then
	BG=$PG_RIG_DIR/e2e_shop
	(sh "$ROOT/tests/e2e_shop.sh" >"$BG.out" 2>&1; echo $? >"$BG.rc") &
	BGPID=$!
fi
for t in e2e_pack e2e_intake e2e_crash e2e_print e2e_resume e2e_abandon e2e_retention \
    e2e_backup e2e_web ${E2E_PG_MORE:-e2e_pg_boxes e2e_pg_outage e2e_pg_lead e2e_pg_migrate e2e_pg_race e2e_pg_round_trips e2e_pg_tally}; do
	[ -f "$ROOT/tests/$t.sh" ] || continue
	out=$(sh "$ROOT/tests/$t.sh" 2>&1)
	tally "$t" "$out" $?
done
if [ -n "$BG" ]; then
	wait "$BGPID"
	tally e2e_shop "$(cat "$BG.out")" "$(cat "$BG.rc" 2>/dev/null || echo 1)"
fi
# The store's packing-check case (test_store_checks) on a fresh database here; the
# other test_store cases keep SQLite.
if [ -x "$ROOT/build/tests/test_store" ]; then
	uri=$(pg_rig_createdb "store_checks_$$") || uri=
	if [ -n "$uri" ] && out=$(STATION_TEST_DATABASE=$uri "$ROOT/build/tests/test_store" 2>&1); then
		echo "[pg] test_store (test_store_checks on PostgreSQL): passed"
		pass=$((pass + 1))
	else
		printf '%s\n' "$out" | sed "s/^/[pg] /"
		fail=$((fail + 1))
	fi
fi
# The packing checks (issue 15) end to end: test_scale_e2e (emulated scale, printer
# rig) with its stationd on a fresh database of this server.
if [ -x "$ROOT/build/tests/test_scale_e2e" ] && [ -z "${E2E_PG_NO_SCALE:-}" ]; then
	uri=$(pg_rig_createdb "e2e_scale_$$") || uri=
	if [ -n "$uri" ]; then
		out=$(STATION_TEST_DATABASE=$uri "$ROOT/build/tests/test_scale_e2e" 2>&1)
		rc=$?
	else
		out="test_scale_e2e: cannot create its database" rc=1
	fi
	printf '%s\n' "$out" | sed "s/^/[pg] /"
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -1)
	p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
	f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	[ -z "$line" ] && { p=0; f=1; }
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p)) fail=$((fail + f))
fi
echo "e2e_pg: $pass passed, $fail failed"
[ $fail -eq 0 ]
