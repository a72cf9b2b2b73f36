#!/bin/sh
# tests/man_check.sh: the man pages are clean roff and document what the code has.
# Extracts from the code (by the tables' shapes, not by a list kept here):
#   config keys      { SEC_*, "key", ... }       in station/daemon/config*.c -> station.ini.5
#   commands         { "name", cmd_* }            in station/ctl/*.c          -> stationctl.1 (as a tag)
#   long options     { "name", *_argument, ... }  in station/ctl/*.c          -> stationctl.1 (--name)
#   short options    getopt(..., "c:dnv")         in stationd.c / stationctl.c -> stationd.8 / stationctl.1
#   verdicts         [V_*] = "name"               in station/core/session*.c  -> stationctl.1
#   order states     [ORDER_*] = "name"           in station/core/order_state.c -> stationctl.1
#   command barcodes { "WORD", CMD_* }, "WORD:"   in station/core/session*.c  -> stationd.8 (STN:WORD)
# and fails naming each one missing. Run from anywhere: paths are the repository's.
set -u
R=$(cd "$(dirname "$0")/.." && pwd)
M=$R/man
pass=0; fail=0
T=$(mktemp -d /tmp/mancheck.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
good() { pass=$((pass + 1)); }

# 1. clean roff: groff's warnings and man's own (-ww: all of them)
for p in stationd.8 stationctl.1 station.ini.5; do
	if [ ! -f "$M/$p" ]; then bad "man/$p is missing"; continue; fi
	w=$(groff -ww -z -man "$M/$p" 2>&1)
	[ -z "$w" ] && good || bad "man/$p: groff warnings: $w"
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$M/$p" 2>&1 >/dev/null)
	[ -z "$w" ] && good || bad "man/$p: man --warnings: $w"
	# rendered as ASCII (\- is '-'), wide, unhyphenated, no overstrike
	groff -man -Tascii -rLL=200n -rHY=0 -P-cbou "$M/$p" 2>/dev/null >"$T/$p.txt"
done

# has PAGE WORD: WORD appears in PAGE's text, not as part of a longer name
has() {
	_w=$(printf '%s' "$2" | sed 's/[].[^$*+?(){}|\\/]/\\&/g')
	_end='([^A-Za-z0-9_-]|$)'
	case "$2" in *:) _end= ;; esac	# STN:QTY: is followed by its argument
	grep -Eq "(^|[^A-Za-z0-9_-])$_w$_end" "$T/$1.txt"
}
# tag PAGE WORD: WORD starts an indented line (a .TP tag: a command's entry)
tag() {
	_w=$(printf '%s' "$2" | sed 's/[].[^$*+?(){}|\\/]/\\&/g')
	grep -Eq "^ +$_w( |\$)" "$T/$1.txt"
}
# want KIND PAGE CHECK SOURCE WORDS...: each word must pass CHECK in PAGE
want() {
	_kind=$1 _page=$2 _check=$3 _src=$4
	shift 4
	if [ $# -eq 0 ]; then
		bad "found no $_kind in $_src: the extraction no longer matches the code"
		return
	fi
	for _x in "$@"; do
		if $_check "$_page" "$_x"; then good; else
			bad "man/$_page does not document the $_kind '$_x' (from $_src)"
		fi
	done
}

cd "$R" || exit 1
keys=$(grep -ohE '\{ *SEC_[A-Z]+, *"[A-Za-z0-9_]+"' station/daemon/config*.c |
    sed -E 's/.*"(.*)"/\1/' | sort -u)
cmds=$(grep -ohE '\{ *"[a-z][a-z0-9-]*", *cmd_[a-z0-9_]+ *\}' station/ctl/*.c |
    sed -E 's/\{ *"([^"]*)".*/\1/' | sort -u)
lopts=$(grep -ohE '\{ *"[a-z][a-z0-9-]*", *(no|required|optional)_argument' station/ctl/*.c |
    sed -E 's/\{ *"([^"]*)".*/--\1/' | sort -u)
sdopts=$(grep -ohE 'getopt\(argc, argv, "[^"]*"' station/daemon/stationd.c |
    sed -E 's/.*"(.*)"/\1/' | tr -d ':+' | sed 's/./-& /g')
ctlopts=$(grep -ohE 'getopt\(argc, argv, "[^"]*"' station/ctl/stationctl.c |
    sed -E 's/.*"(.*)"/\1/' | tr -d ':+h' | sed 's/./-& /g')
verdicts=$(grep -ohE '\[V_[A-Z_]+\] *= *"[a-z_]+"' station/core/session*.c |
    sed -E 's/.*"(.*)"/\1/' | sort -u)
states=$(grep -ohE '\[ORDER_[A-Z_]+\] *= *"[a-z_]+"' station/core/order_state.c |
    sed -E 's/.*"(.*)"/\1/' | sort -u)
barcodes=$( (grep -ohE '\{ *"[A-Z]+", *CMD_[A-Z_]+ *\}' station/core/session*.c |
    sed -E 's/\{ *"([^"]*)".*/STN:\1/'
    grep -ohE 'strncmp\(rest, "[A-Z]+:"' station/core/session*.c |
    sed -E 's/.*"(.*)"/STN:\1/') | sort -u)

# shellcheck disable=SC2086
{
want "configuration key" station.ini.5 has "station/daemon/config.c" $keys
want "command" stationctl.1 tag "station/ctl/*.c" $cmds
want "option" stationctl.1 has "station/ctl/*.c" $lopts
want "option" stationd.8 has "station/daemon/stationd.c" $sdopts
want "option" stationctl.1 has "station/ctl/stationctl.c" $ctlopts
want "verdict" stationctl.1 has "station/core/session_names.c" $verdicts
want "order state" stationctl.1 has "station/core/order_state.c" $states
want "command barcode" stationd.8 has "station/core/session_names.c" $barcodes
}
echo "man_check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
