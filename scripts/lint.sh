#!/bin/sh
# Static analysis for make lint; exits 1 on any finding not in the baseline.
#   sh scripts/lint.sh tidy FILE.c -- CFLAGS...   clang-tidy (.clang-tidy) on one file
#   sh scripts/lint.sh cppcheck                   cppcheck over the whole tree
# scripts/lint-baseline.txt lists "FILE CHECK" pairs known today in files
# other engineers own (station/), to be fixed there and then removed: a
# finding of another check, or in another file, fails.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
base=scripts/lint-baseline.txt
out=$(mktemp) || exit 1
trap 'rm -f "$out" "$out.new"' EXIT

# keeps the "FILE:L:C: warning: ... [check]" lines whose FILE CHECK is not in the baseline
filter() {
	awk -v basefile="$base" -v top="$top/" '
	BEGIN {
		while ((getline line < basefile) > 0) {
			sub(/#.*/, "", line)
			if (split(line, w, " ") == 2) known[w[1] " " w[2]] = 1
		}
	}
	/: (warning|error): / {
		f = $0; sub(/:.*/, "", f)
		if (index(f, top) == 1) f = substr(f, length(top) + 1)
		c = $0
		if (match(c, /\[[A-Za-z0-9_.,-]+\]$/)) c = substr(c, RSTART + 1, RLENGTH - 2)
		else c = "?"
		if ((f " " c) in known) next
		print; n++
	}
	END { exit n > 0 }'
}

case "$1" in
tidy)
	file=$2
	shift 2
	[ "${1:-}" = -- ] && shift
	clang-tidy --quiet "$file" -- "$@" >"$out" 2>/dev/null
	if ! filter <"$out" >"$out.new"; then
		cat "$out.new"
		echo "lint: clang-tidy findings in $file (fix them, or see .clang-tidy)" >&2
		exit 1
	fi
	;;
cppcheck)
	# warning,portability; system headers are not given (fast), so the
	# jansson iteration macro is unknown to it: suppressed in the list
	cppcheck -q --std=c11 -I. --enable=warning,portability --inline-suppr \
	    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
	    --suppressions-list=scripts/cppcheck-suppressions.txt \
	    common station drivers labels >"$out" 2>&1
	if ! filter <"$out" >"$out.new"; then
		cat "$out.new"
		echo "lint: cppcheck findings" >&2
		exit 1
	fi
	;;
*)
	echo "usage: lint.sh tidy FILE -- CFLAGS | lint.sh cppcheck" >&2
	exit 2
	;;
esac
