#!/bin/sh
# make bench: run every bench program and script; each prints its own figures
# (medians and ratios). Timing is never asserted: these machines are shared.
echo "bench: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%MZ)"
for b in "$@" bench/*.sh; do
	[ -e "$b" ] || continue
	echo "=== $b"
	case "$b" in
	*.sh) sh "$b" ;;
	*) "$b" ;;
	esac || echo "bench: $b failed"
done
