#!/bin/sh
# labels/ under valgrind: every API path, the error paths included, must be
# free of memory errors and leaks (definite or indirect).
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/build/tests/test_labels"
pass=0; fail=0
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind missing"; fail=1
elif [ ! -x "$bin" ]; then
	echo "$bin missing (make build-tests)"; fail=1
else
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT INT TERM
	if CK_FORK=no valgrind -q --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --error-exitcode=99 \
	    "$bin" >"$log" 2>&1; then
		pass=1
	else
		cat "$log"; fail=1
	fi
	grep -E '^[0-9]+%: Checks' "$log"
fi
echo "labels_valgrind: $pass passed, $fail failed"
