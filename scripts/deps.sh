#!/bin/sh
# Install the Debian packages Station needs to build, test and demo.
# As root: installs what is missing. Otherwise: prints the one apt-get line.
set -u
PKGS="build-essential pkg-config libsqlite3-dev sqlite3 check libsubunit-dev
libjansson-dev libcsv-dev libinih-dev libhpdf-dev libzint-dev
libusb-1.0-0-dev libcups2-dev cups cups-client cups-ipp-utils
umockdev libumockdev-dev poppler-utils zbar-tools dmtx-utils
fonts-ipafont-gothic fonts-nanum fonts-dejavu-core dbus valgrind jq
libsystemd-dev debhelper dpkg-dev fakeroot lintian man-db groff-base python3
clang clang-tidy clang-format cppcheck strace
libmicrohttpd-dev libcrypt-dev curl chromium chromium-driver python3-selenium
python3-prometheus-client
libcurl4-openssl-dev libssl-dev openssl postgresql libpq-dev"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
		echo "deps: apt-get install failed" >&2; exit 1; }
	exit 0
fi
echo "deps: missing Debian packages; run as root:" >&2
echo "  apt-get install -y$missing" >&2
exit 1
