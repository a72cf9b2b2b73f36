#!/bin/sh
# Plain `make` (the default goal, no target named) builds every program:
# stationd and stationctl both (issue 9 #18: a fragment's first rule once
# became the default goal and only stationd was built).
. "$(dirname "$0")/lib.sh"
lib_init make
make -s -C "$LIB_ROOT" B="$T/build" >"$T/make.log" 2>&1
expect_rc "plain make succeeds" 0 $?
for p in stationd stationctl; do
	expect_true "plain make builds $p" test -x "$T/build/$p"
done
"$T/build/stationctl" -c /nonexistent/station.ini no-such-command >/dev/null 2>&1
expect_rc "the stationctl it built runs (usage error exits 2)" 2 $?
"$T/build/stationd" -h >/dev/null 2>&1
expect_rc "the stationd it built runs (usage error exits 2)" 2 $?
lib_finish
