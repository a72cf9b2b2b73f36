#!/bin/sh
# The library and the Check suites built twice more and run (Redis's
# SANITIZER= idea), each in its own build directory:
#   build/fortify  -O2 -D_FORTIFY_SOURCE=3: a fixed buffer overrun aborts
#   build/san      ASan + UBSan (-fno-sanitize-recover): any report fails
# Each variant also runs the end-to-end pack and hostile-input tests with its own stationd and
# stationctl, so the daemon's paths (render child included) run fortified
# and sanitized too. Prints "sanitize: N passed, M failed".
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
SUITES="test_core test_session test_intake_parse test_intake_csv test_intake_stream
test_hid test_labels test_labels_proof test_fontcache test_printer test_printer_faults
test_scanner_umockdev"
E2E="tests/e2e_pack.sh tests/e2e_hostile.sh"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
FORT="-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3"
# LeakSanitizer stays on; the umockdev preload is put before the ASan
# runtime by fake_usb's re-exec, which ASan would otherwise refuse
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:verify_asan_link_order=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export CK_FORK=yes
mkdir -p build
pass=0; fail=0

# run_variant NAME BUILD_DIR CFLAGS; the flags go into CC too, so that
# every link (station/station.mk's included) gets the sanitizer runtimes
run_variant() {
	name=$1 b=$2 cflags=$3
	rm -f "$b.counts"
	targets="$b/stationd $b/stationctl"
	for s in $SUITES; do
		[ -f "tests/$s.c" ] && targets="$targets $b/tests/$s"
	done
	mkdir -p "$b"
	# shellcheck disable=SC2086
	if ! make -s -j2 B="$b" CC="cc $cflags" CFLAGS="" $targets >"$b.log" 2>&1; then
		echo "--- $name: build failed"; tail -40 "$b.log"
		fail=$((fail + 1))
		return
	fi
	for t in $targets; do
		case "$t" in */tests/*) ;; *) continue ;; esac
		if "$t" >"$b.out" 2>&1 &&
		    ! grep -q 'runtime error\|ERROR: AddressSanitizer\|LeakSanitizer\|buffer overflow detected' "$b.out"; then
			pass=$((pass + 1))
		else
			echo "--- $name: $t"; tail -40 "$b.out"
			fail=$((fail + 1))
		fi
	done
	for e in $E2E; do
		if STATIOND=$top/$b/stationd STATIONCTL=$top/$b/stationctl sh "$e" >"$b.out" 2>&1; then
			pass=$((pass + 1))
		else
			echo "--- $name: $e"; tail -40 "$b.out"
			fail=$((fail + 1))
		fi
	done
	echo "sanitize: $name done"
}

# both variants at once (their suites mostly wait on timers and printers),
# each reporting into its own file; then the sums
( run_variant fortify build/fortify "-O2 -g $FORT" >build/fortify.report 2>&1
  echo "$pass $fail" >build/fortify.counts ) &
( run_variant asan+ubsan build/san "-O1 -g $SAN" >build/san.report 2>&1
  echo "$pass $fail" >build/san.counts ) &
wait
for v in fortify san; do
	cat build/$v.report
	read -r p f <build/$v.counts || { p=0; f=1; }
	pass=$((pass + p)); fail=$((fail + f))
done
echo "sanitize: $pass passed, $fail failed"
[ $fail -eq 0 ]
