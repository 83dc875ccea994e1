#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Debian packages (debian/, docs/packaging.md): "make deb" builds them
# with dpkg-buildpackage -b -us -uc from a copy of the tree, into the
# test's directory; then
#
#  - each package holds exactly the expected files, links and modes
#    (dpkg-deb -c): the daemon in /usr/libexec/xsd with its unit file,
#    tmpfiles.d entry, /etc/default file and manual page; the library with
#    its libxenstore.so.4 link; the tools with their links and pages, but
#    not xenstore-control (Xen's xen-utils-common owns that name); the
#    header, archive, link and pkg-config file in -dev;
#  - the control fields that let them take the place of Debian's packages
#    (Provides/Conflicts/Replaces) and a daemon built with the Xen backend
#    (it depends on Xen's libraries); the unit is installed disabled;
#  - everything extracted with dpkg -x into an empty root: the packaged
#    daemon, on a socket of the test's, serves Debian's xenstore-utils
#    (write, read, ls), Debian's tools also run on the packaged library,
#    the packaged tools and xenstore-sim work, and a client builds with the
#    packaged header and pkg-config file and runs.
#
# Run by "make check-deb" (part of "make check"); needs dpkg-dev,
# debhelper and debian/control's Build-Depends.  Environment: BUILD, the
# build tree whose daemon lib.sh checks for (the packages build their own).
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
XS_LIB_DIR=$(cd "$(dirname "$0")/../integration" && pwd)
XENSTORED_BIN=${XENSTORED_BIN:-$(cd "$XS_LIB_DIR/../.." && pwd)/${BUILD:-build}/bin/xenstored}
. "$XS_LIB_DIR/lib.sh"

for t in dpkg-buildpackage dpkg-deb dh; do
	command -v "$t" >/dev/null || xs_die "$t missing (apt-get install dpkg-dev debhelper)"
done

ARCH=$(dpkg --print-architecture)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
VERSION=$(dpkg-parsechangelog -l "$XS_ROOT/debian/changelog" -S Version)
DEBS=$XS_TMP/debs
ROOT=$XS_TMP/root
PACKAGES="xsd-daemon libxenstore4-xsd xsd-utils libxenstore-xsd-dev"

# --- build ------------------------------------------------------------------------
XS_CMD_TIMEOUT=600 expect_ok "make deb (dpkg-buildpackage -b -us -uc)" \
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -C "$XS_ROOT" --no-print-directory INSTALL_DEPS=0 \
	BUILD="$XS_TMP/build" DEB_OUT="$DEBS" deb
[ "$XS_RC" -eq 0 ] || {
	echo "$XS_OUT" | tail -n 30
	xs_die "the packages did not build"
}
deb_of() {
	echo "$DEBS/${1}_${VERSION}_$ARCH.deb"
}
for p in $PACKAGES; do
	expect_true "built $(basename "$(deb_of "$p")")" test -f "$(deb_of "$p")"
done
expect_eq "no other package than those and their -dbgsym" "" \
	"$(for f in "$DEBS"/*.deb; do basename "$f"; done | grep -v -e '-dbgsym_' |
		grep -v -x -F "$(for p in $PACKAGES; do basename "$(deb_of "$p")"; done)")"

# --- contents ---------------------------------------------------------------------
# contents PKG: "MODE PATH" per file and "l PATH -> TARGET" per link, sorted.
contents() {
	dpkg-deb -c "$(deb_of "$1")" | awk '
		$1 ~ /^-/ { sub(/^\.\//, "", $6); print substr($1, 2), $6 }
		$1 ~ /^l/ { sub(/^\.\//, "", $6); print "l", $6, "->", $8 }' | sort
}
doc() {
	printf '%s\n' "rw-r--r-- usr/share/doc/$1/changelog.gz" \
		"rw-r--r-- usr/share/doc/$1/copyright"
}

expect_eq "xsd-daemon: daemon, unit, tmpfiles.d, /etc/default, manual page" \
	"$({
		printf '%s\n' "rw-r--r-- etc/default/xenstored" \
			"rw-r--r-- lib/systemd/system/xenstored.service" \
			"rw-r--r-- usr/lib/tmpfiles.d/xenstored.conf" \
			"rwxr-xr-x usr/libexec/xsd/xenstored" \
			"rw-r--r-- usr/share/man/man8/xenstored.8.gz"
		doc xsd-daemon
	} | sort)" "$(contents xsd-daemon)"

expect_eq "libxenstore4-xsd: libxenstore.so.4.0 and the libxenstore.so.4 link" \
	"$({
		printf '%s\n' "l usr/lib/$MA/libxenstore.so.4 -> libxenstore.so.4.0" \
			"rw-r--r-- usr/lib/$MA/libxenstore.so.4.0"
		doc libxenstore4-xsd
	} | sort)" "$(contents libxenstore4-xsd)"

TOOLS="chmod exists list ls read rm watch write"
expect_eq "xsd-utils: xenstore, its links and pages, xenstore-sim; no xenstore-control" \
	"$({
		printf '%s\n' "rwxr-xr-x usr/bin/xenstore" "rwxr-xr-x usr/bin/xenstore-sim" \
			"rw-r--r-- usr/share/man/man1/xenstore.1.gz"
		for t in $TOOLS; do
			echo "l usr/bin/xenstore-$t -> xenstore"
			echo "l usr/share/man/man1/xenstore-$t.1.gz -> xenstore.1.gz"
		done
		doc xsd-utils
	} | sort)" "$(contents xsd-utils)"

expect_eq "libxenstore-xsd-dev: header, archive, link, pkg-config file" \
	"$({
		printf '%s\n' "rw-r--r-- usr/include/xenstore.h" \
			"rw-r--r-- usr/lib/$MA/libxenstore.a" \
			"l usr/lib/$MA/libxenstore.so -> libxenstore.so.4.0" \
			"rw-r--r-- usr/lib/$MA/pkgconfig/xenstore.pc"
		doc libxenstore-xsd-dev
	} | sort)" "$(contents libxenstore-xsd-dev)"

# --- control fields and maintainer scripts ----------------------------------------
field() {
	dpkg-deb -f "$(deb_of "$1")" "$2"
}
expect_eq "libxenstore4-xsd provides libxenstore4 (Xen's ABI)" \
	"libxenstore4 (= 4.17.0)" "$(field libxenstore4-xsd Provides)"
for f in Conflicts Replaces; do
	expect_eq "libxenstore4-xsd $f: libxenstore4" "libxenstore4" "$(field libxenstore4-xsd "$f")"
	expect_eq "xsd-utils $f: xenstore-utils" "xenstore-utils" "$(field xsd-utils "$f")"
	expect_eq "libxenstore-xsd-dev $f: libxen-dev" "libxen-dev" "$(field libxenstore-xsd-dev "$f")"
done
expect_eq "xsd-utils provides xenstore-utils" "xenstore-utils" "$(field xsd-utils Provides)"
expect_true "xsd-daemon depends on Xen's event channel library (built with --xen)" \
	grep -q 'libxenevtchn1' <<<"$(field xsd-daemon Depends)"
expect_eq "libxenstore-xsd-dev depends on this very library" \
	"libxenstore4-xsd (= $VERSION)" "$(field libxenstore-xsd-dev Depends)"
expect_eq "the library's shlibs entry" "libxenstore 4 libxenstore4-xsd (>= $VERSION)" \
	"$(dpkg-deb --info "$(deb_of libxenstore4-xsd)" shlibs)"
expect_eq "/etc/default/xenstored is a conffile" "/etc/default/xenstored" \
	"$(dpkg-deb --info "$(deb_of xsd-daemon)" conffiles)"
postinst=$(dpkg-deb --info "$(deb_of xsd-daemon)" postinst)
expect_true "postinst applies the tmpfiles.d entry" \
	grep -q 'systemd-tmpfiles .*--create xenstored.conf' <<<"$postinst"
expect_eq "postinst starts nothing (no deb-systemd-invoke, no systemctl start)" "" \
	"$(grep -E 'deb-systemd-invoke|systemctl.*start' <<<"$postinst")"
expect_eq "postinst enables the unit only where it was enabled before" \
	"if deb-systemd-helper --quiet was-enabled 'xenstored.service'; then" \
	"$(grep -B2 "deb-systemd-helper enable 'xenstored.service'" <<<"$postinst" |
		grep -o "if deb-systemd-helper.*")"

# --- extracted and run --------------------------------------------------------------
mkdir -p "$ROOT"
for p in $PACKAGES; do
	expect_ok "dpkg -x $p" dpkg -x "$(deb_of "$p")" "$ROOT"
done
expect_out "the unit runs the packaged daemon" \
	"ExecStart=/usr/libexec/xsd/xenstored --no-fork --xen \$XENSTORED_ARGS" \
	grep '^ExecStart=' "$ROOT/lib/systemd/system/xenstored.service"
expect_true "the packaged daemon takes --xen (Xen backend built in)" \
	grep -q -- '--xen' <<<"$("$ROOT/usr/libexec/xsd/xenstored" --help 2>&1)"

XENSTORED_BIN=$ROOT/usr/libexec/xsd/xenstored
xs_start_daemon
expect_out "Debian's xenstore-write to the packaged daemon" "" \
	/usr/bin/xenstore-write /deb/a hello /deb/b "two words"
expect_out "Debian's xenstore-read" "hello" /usr/bin/xenstore-read /deb/a
expect_out "Debian's xenstore-ls" 'a = "hello"
b = "two words"' /usr/bin/xenstore-ls /deb

LIB=$ROOT/usr/lib/$MA
loaded=$(LD_LIBRARY_PATH=$LIB ldd /usr/bin/xenstore-read | awk '$1 == "libxenstore.so.4" { print $3 }')
expect_eq "Debian's xenstore-read loads the packaged library" \
	"$(readlink -f "$LIB/libxenstore.so.4")" "$(readlink -f "$loaded")"
expect_out "Debian's xenstore-read on the packaged library" "two words" \
	env LD_LIBRARY_PATH="$LIB" /usr/bin/xenstore-read /deb/b
expect_out "the packaged xenstore-ls -f" '/deb/a = "hello"
/deb/b = "two words"' "$ROOT/usr/bin/xenstore-ls" -f /deb
expect_out "the packaged xenstore control (multi-call)" "OK" \
	"$ROOT/usr/bin/xenstore" control print deb-test

# A simulated guest through the packaged xenstore-sim, against a daemon
# started with the simulated hypervisor.
XS_SIM_TOOL=$ROOT/usr/bin/xenstore-sim
xs_stop_daemon
XS_SIM_DIR=$XS_TMP/sim
xs_start_daemon --sim "$XS_SIM_DIR"
xs_sim_domain 3 debguest
expect_out "a guest of the packaged xenstore-sim reads its name (relative path)" \
	"debguest" as_guest 3 "$ROOT/usr/bin/xenstore-read" name

# A client of the packaged -dev files.
cat >"$XS_TMP/client.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <xenstore.h>

int main(int argc, char **argv)
{
	struct xs_handle *h = xs_open(0);
	unsigned int len;
	char *v;

	if (!h || argc != 2)
		return 2;
	v = xs_read(h, XBT_NULL, argv[1], &len);
	if (!v)
		return 1;
	printf("%.*s\n", (int)len, v);
	free(v);
	xs_close(h);
	return 0;
}
EOF
pc_flags=$(PKG_CONFIG_LIBDIR="$LIB/pkgconfig" PKG_CONFIG_PATH='' \
	PKG_CONFIG_SYSROOT_DIR="$ROOT" pkg-config --cflags --libs xenstore | sed 's/ *$//')
expect_eq "pkg-config flags of the packaged xenstore.pc" \
	"-I$ROOT/usr/include -L$LIB -lxenstore" "$pc_flags"
read -ra pc_words <<<"$pc_flags"
expect_ok "a client builds with the packaged header and library" \
	cc -std=c11 -Wall -Werror -o "$XS_TMP/client" "$XS_TMP/client.c" "${pc_words[@]}"
expect_out "... and runs on the packaged library" "debguest" \
	env LD_LIBRARY_PATH="$LIB" "$XS_TMP/client" /local/domain/3/name

xs_finish
