#!/bin/sh
# The pure suites again, built with AddressSanitizer and UBSan in build/san
# (Redis's SANITIZER= idea): any report fails the run.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
SUITES="test_core test_session test_intake_parse test_intake_csv test_hid test_labels test_fontcache"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
targets=""
for s in $SUITES; do
	[ -f "tests/$s.c" ] && targets="$targets build/san/tests/$s"
done
pass=0; fail=0
if ! make -s -j2 B=build/san CFLAGS="-O1 -g $SAN" LDFLAGS="$SAN" $targets >build/san.log 2>&1; then
	cat build/san.log
	echo "sanitize: 0 passed, 1 failed"
	exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
for t in $targets; do
	if "$t" >build/san.out 2>&1 && ! grep -q 'runtime error\|ERROR: AddressSanitizer\|LeakSanitizer' build/san.out; then
		pass=$((pass + 1))
	else
		echo "--- $t"; tail -40 build/san.out
		fail=$((fail + 1))
	fi
done
echo "sanitize: $pass passed, $fail failed"
[ $fail -eq 0 ]
