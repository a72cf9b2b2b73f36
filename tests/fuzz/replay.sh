#!/bin/sh
# Builds every tests/fuzz/fuzz_*.c into build-fuzz/ (clang + libFuzzer +
# ASan/UBSan; without clang, gcc + ASan/UBSan and a plain replay main) and
# runs each once over every file of its corpus and of its crashes: a crash
# found once stays a test. With --build-only, builds and stops.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
B=build-fuzz
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
build_only=0
[ "${1:-}" = --build-only ] && build_only=1
# clang's libFuzzer when there is clang; else gcc and a plain replay main
# (FUZZ_NO_CLANG=1 tries the latter where clang is installed)
if [ -z "${FUZZ_NO_CLANG:-}" ] && command -v clang >/dev/null 2>&1; then
	cc=clang; cflags="-O1 -g $SAN -fsanitize=fuzzer-no-link -Wno-unknown-warning-option"; only=0
else
	cc=cc; cflags="-O1 -g $SAN"; only=1; B=build-fuzz/gcc
fi
mkdir -p $B
if ! make -s -j2 B=$B CC=$cc CFLAGS="$cflags" LDFLAGS="$SAN" \
    FUZZ_REPLAY_ONLY=$only fuzz-bins >$B/build.log 2>&1; then
	cat $B/build.log
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
[ $build_only = 1 ] && exit 0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
pass=0; fail=0
for src in tests/fuzz/fuzz_*.c; do
	n=${src#tests/fuzz/fuzz_}; n=${n%.c}
	files=$(find tests/fuzz/corpus/$n tests/fuzz/crashes/$n -type f ! -name .keep 2>/dev/null | sort)
	if [ -z "$files" ]; then
		echo "--- fuzz_$n: no corpus in tests/fuzz/corpus/$n"
		fail=$((fail + 1)); continue
	fi
	count=$(echo "$files" | wc -l)
	# shellcheck disable=SC2086
	if echo "$files" | xargs $B/fuzz/fuzz_$n >$B/replay_$n.out 2>&1; then
		pass=$((pass + 1))
		echo "fuzz_$n: $count inputs ok"
	else
		echo "--- fuzz_$n"; tail -40 $B/replay_$n.out
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
