#!/bin/sh
# Run every test program; sum the counts each one prints last
# (Check's "Checks: N, Failures: F, Errors: E" or "N passed, M failed").
export CK_FORK=yes
pass=0; fail=0; bad=""
for t in "$@"; do
	echo "=== $t"
	out=$(mktemp)
	case "$t" in
	*.sh) sh "$t" >"$out" 2>&1 ;;
	*) "$t" >"$out" 2>&1 ;;
	esac
	rc=$?
	cat "$out"
	line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+|[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	rm -f "$out"
	case "$line" in
	*Checks:*)
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1+\2/')
		f=$(($f)); p=$((n - f)) ;;
	*passed*)
		p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
		f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+') ;;
	*)	p=0; f=1 ;;
	esac
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	[ "$f" -ne 0 ] && bad="$bad $t"
	pass=$((pass + p)); fail=$((fail + f))
done
[ -n "$bad" ] && echo "failing:$bad"
echo "check: $pass passed, $fail failed"
[ $fail -eq 0 ]
