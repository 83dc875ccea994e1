#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Install the Debian packages that building and testing need, but only the
# ones that are missing: cmocka for the unit tests, Debian's xenstore-utils
# so integration tests can drive our daemon with the reference client
# binaries, libxen-dev for the Xen headers (xs_wire.h, xenstore.h) and the
# real hypervisor backend, pkg-config to find them, and xen-utils-4.17 for
# Xen's own xenstore-control and test-xenstore programs (real peers), and jq
# to check the JSON of "xenstore-control stats".  Made for Debian 12
# with nothing but gcc and make; runs apt-get (after one apt-get update)
# only when something is missing, never prompts, and says what it does.
# Needs root for an install (uses sudo when run as another user).
#
#   scripts/install-deps.sh        install what is missing
#   scripts/install-deps.sh -n     only report what is missing (exit
#                                  status 1 when something is)
set -eu

PACKAGES="libcmocka-dev xenstore-utils libxen-dev pkg-config xen-utils-4.17 jq"
# systemd for systemd-analyze and systemd-tmpfiles (the unit file's test);
# dpkg-dev and debhelper to build the .debs (make deb, make check-deb).
PACKAGES="$PACKAGES systemd dpkg-dev debhelper"
# clang and libFuzzer (libclang-rt-14-dev: Debian 12's clang 14 only
# recommends it) for the fuzz targets (make check-fuzz); llvm-14 for
# llvm-symbolizer, so sanitizer reports name functions and lines.
PACKAGES="$PACKAGES clang libclang-rt-14-dev llvm-14"

dry_run=0
case "${1:-}" in
-n | --dry-run) dry_run=1 ;;
"") ;;
*)
	echo "usage: $0 [-n|--dry-run]" >&2
	exit 2
	;;
esac

# A package counts as present only when fully installed; "dpkg -s" also
# succeeds for a removed package whose configuration files remain.
installed() {
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing=""
for pkg in $PACKAGES; do
	if ! installed "$pkg"; then
		echo "install-deps: $pkg: missing"
		missing="$missing $pkg"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: already installed: $PACKAGES"
	exit 0
fi
if [ "$dry_run" = 1 ]; then
	echo "install-deps: would install:$missing"
	exit 1
fi

if [ "$(id -u)" = 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "install-deps: need root (or sudo) to install:$missing" >&2
	exit 1
fi

echo "install-deps: running apt-get update"
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
echo "install-deps: running apt-get install -y --no-install-recommends$missing"
# shellcheck disable=SC2086 # $missing is a list of words on purpose
$as_root env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends $missing

for pkg in $missing; do
	if ! installed "$pkg"; then
		echo "install-deps: $pkg still missing after apt-get" >&2
		exit 1
	fi
done
echo "install-deps: installed:$missing"
