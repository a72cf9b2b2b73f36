#!/bin/sh
# tests/e2e_deb.sh: `make deb` builds station_VERSION_ARCH.deb (dpkg-buildpackage
# in a copy of the tree), lintian reports no errors, and the package unpacked
# into a throwaway root (dpkg -x: never this machine's own root) has the
# binaries, man pages, unit, udev rule and conffile; the unit passes
# systemd-analyze verify; the maintainer scripts create the user and remove
# it and the data only on purge.
. "$(dirname "$0")/lib.sh"
lib_init deb
R=$LIB_ROOT
for tool in dpkg-buildpackage dh lintian; do
	if ! command -v $tool >/dev/null; then
		fail "$tool installed" "run make deps (scripts/deps.sh)"
		lib_finish
	fi
done

# 1. the package, built once in a copy of the tree
if make -s -C "$R" deb B="$T/b" >"$T/make.log" 2>&1; then ok "make deb"; else
	fail "make deb" "$(tail -20 "$T/make.log")"; lib_finish; fi
ver=$(dpkg-parsechangelog -l "$R/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB=$T/b/station_${ver}_${arch}.deb
expect_true "station_${ver}_${arch}.deb" test -s "$DEB"

# 2. lintian: no errors (E:) at all; warnings are printed for the record
lintian "$DEB" >"$T/lintian.txt" 2>/dev/null
expect_eq "lintian errors" "" "$(grep '^E:' "$T/lintian.txt")"
grep '^W:' "$T/lintian.txt" | sed 's/^/    lintian: /'

# 3. the control data: shlibs-computed dependencies, conffile, scripts
info=$(dpkg-deb -f "$DEB" Depends)
expect_contains "Depends from dh_shlibdeps: libsqlite3" "libsqlite3-0" "$info"
expect_contains "Depends from dh_shlibdeps: libsystemd" "libsystemd0" "$info"
expect_contains "Depends: adduser" "adduser" "$info"
mkdir "$T/ctl"
dpkg-deb -e "$DEB" "$T/ctl"
expect_eq conffiles "/etc/station/station.ini" "$(cat "$T/ctl/conffiles")"
expect_true "postinst is sh" sh -n "$T/ctl/postinst"
expect_true "postrm is sh" sh -n "$T/ctl/postrm"
expect_contains "postinst creates the station user" "adduser --system --group" \
    "$(cat "$T/ctl/postinst")"
expect_contains "postinst enables the unit" "deb-systemd-helper enable 'stationd.service'" \
    "$(cat "$T/ctl/postinst")"
# data and user go only on purge: the removal lines sit inside the purge branch
purge=$(awk '/"\$1" = purge/,/^fi/' "$T/ctl/postrm")
expect_contains "postrm purge removes the data" "rm -rf /var/lib/station" "$purge"
expect_contains "postrm purge removes the user" "deluser --system" "$purge"
expect_eq "postrm removes nothing else" "1" "$(grep -c 'rm -rf /var/lib/station' "$T/ctl/postrm")"

# 4. the files, in a throwaway root
ROOT=$T/root
dpkg -x "$DEB" "$ROOT"
for f in usr/sbin/stationd usr/bin/stationctl \
    usr/share/man/man8/stationd.8.gz usr/share/man/man1/stationctl.1.gz \
    usr/share/man/man5/station.ini.5.gz lib/systemd/system/stationd.service \
    lib/udev/rules.d/70-station.rules etc/station/station.ini \
    usr/share/doc/station/copyright; do
	expect_true "$f" test -s "$ROOT/$f"
done
expect_true "stationd runs" sh -c "'$ROOT/usr/sbin/stationd' -h 2>&1 | grep -q 'usage: stationd'"
expect_contains "unit runs /usr/sbin/stationd" "ExecStart=/usr/sbin/stationd -d" \
    "$(cat "$ROOT/lib/systemd/system/stationd.service")"
expect_contains "unit is Type=notify" "Type=notify" "$(cat "$ROOT/lib/systemd/system/stationd.service")"
expect_contains "unit has a watchdog" "WatchdogSec=" "$(cat "$ROOT/lib/systemd/system/stationd.service")"
expect_contains "unit keeps its sandbox" "ProtectSystem=strict" \
    "$(cat "$ROOT/lib/systemd/system/stationd.service")"
# the packaged configuration is good apart from the printers that are not there
cp "$ROOT/etc/station/station.ini" "$T/pkg.ini"
sed -i -e "s|/var/lib/station|$T/var|g" -e "s|/run/station|$T/var|g" "$T/pkg.ini"
sed -i -e '/_printer/d' "$T/pkg.ini"
mkdir -p "$T/var"
expect_true "packaged station.ini passes stationd -n" \
    sh -c "'$ROOT/usr/sbin/stationd' -n -c '$T/pkg.ini' >/dev/null"
# man pages render
for m in man8/stationd.8.gz man1/stationctl.1.gz man5/station.ini.5.gz; do
	w=$(zcat "$ROOT/usr/share/man/$m" | groff -ww -z -man 2>&1)
	expect_eq "man $m renders cleanly" "" "$w"
done

# 5. the unit, checked by systemd (paths pointed into the throwaway root)
if command -v systemd-analyze >/dev/null; then
	mkdir "$T/units"
	sed "s|/usr/sbin/stationd|$ROOT/usr/sbin/stationd|g" \
	    "$ROOT/lib/systemd/system/stationd.service" >"$T/units/stationd.service"
	out=$(MANPATH=$ROOT/usr/share/man systemd-analyze verify "$T/units/stationd.service" 2>&1)
	rc=$?
	expect_rc "systemd-analyze verify" 0 $rc
	expect_eq "systemd-analyze verify says nothing" "" "$out"
else
	echo "    (no systemd-analyze: unit not verified)"
fi
lib_finish
