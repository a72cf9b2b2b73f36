#!/bin/sh
# The pack-session end-to-end suite again with stationd under valgrind:
# the daemon must finish with no memory errors and no leaks.
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$(mktemp -d /tmp/station-vg.XXXXXX)
wrap=$logs/stationd-vg
cat >"$wrap" <<EOW
#!/bin/sh
exec valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \\
    --errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes \\
    --log-file=$logs/vg.%p "$top/build/stationd" "\$@"
EOW
chmod +x "$wrap"
STATIOND=$wrap sh "$top/tests/e2e_pack.sh" >"$logs/out" 2>&1
rc=$?
tail -1 "$logs/out"
pass=0; fail=0
if [ $rc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); tail -20 "$logs/out"; fi
if [ -n "$(cat "$logs"/vg.* 2>/dev/null)" ]; then
	cat "$logs"/vg.*
	fail=$((fail + 1))
else
	pass=$((pass + 1))
fi
rm -rf "$logs"
echo "daemon_valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
