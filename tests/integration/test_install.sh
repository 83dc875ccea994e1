#!/bin/bash
# SPDX-License-Identifier: MIT
#
# "make install" into a staging directory (DESTDIR, PREFIX=/usr), then the
# result: exactly the expected files, links and modes (daemon in sbin, the
# multi-call tool and its xenstore-* links in bin, libxenstore.so.4.0 with
# its links, the archive, header and pkg-config file, manual pages and
# their per-command links); the library's SONAME and symbol version; the
# pkg-config file's prefix; the installed daemon serving the installed
# tools; a program built against the installed header and library, through
# pkg-config, run with LD_LIBRARY_PATH into the staging directory (and
# Debian's tools on the installed library); the manual pages rendering
# without a warning, and their synopses and option lists matching what the
# installed programs print.  A second install over the first must work, and
# without PREFIX everything goes under /usr/local.
#
# Environment (set by mk/integration.mk): BUILD, the build tree to install
# from (default build); XS_SANITIZED, the -fsanitize= list that tree was
# built with (programs are then built with it too, and Debian's binaries,
# which cannot load a sanitized library, are not run on it).
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD_DIR=${BUILD:-build}
SAN=${XS_SANITIZED:-}
DEST=$XS_TMP/dest
USR=$DEST/usr
TOOLS="read write ls list rm exists chmod watch control"

# make install, from the repository, with the build tree and sanitizer of
# this run; MAKEFLAGS of an enclosing make (its jobserver) are not ours.
run_install() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$XS_ROOT" --no-print-directory INSTALL_DEPS=0 \
		BUILD="$BUILD_DIR" SANITIZE="$SAN" install "$@"
}
XS_CMD_TIMEOUT=300 expect_ok "make install DESTDIR=... PREFIX=/usr" \
	run_install DESTDIR="$DEST" PREFIX=/usr
[ "$XS_RC" -eq 0 ] || xs_die "make install failed: $XS_ERR"

# --- what is installed ------------------------------------------------------
# Every page of man/ is installed; programs other fragments install when
# they are built (xenstore-sim) are expected when the build tree has them.
MAN_SRC=("$XS_ROOT"/man/*.[1-8])
OPTIONAL_BINS="xenstore-sim"
expected_files() {
	local t p
	{
		echo "usr/sbin/xenstored"
		echo "usr/bin/xenstore"
		for t in $TOOLS; do echo "usr/bin/xenstore-$t"; done
		for t in $OPTIONAL_BINS; do
			[ ! -e "$XS_ROOT/$BUILD_DIR/bin/$t" ] || echo "usr/bin/$t"
		done
		echo "usr/lib/libxenstore.so.4.0"
		echo "usr/lib/libxenstore.so.4"
		echo "usr/lib/libxenstore.so"
		echo "usr/lib/libxenstore.a"
		echo "usr/lib/pkgconfig/xenstore.pc"
		echo "usr/include/xenstore.h"
		echo "usr/lib/systemd/system/xenstored.service"
		echo "usr/lib/tmpfiles.d/xenstored.conf"
		for p in "${MAN_SRC[@]}"; do
			echo "usr/share/man/man${p##*.}/${p##*/}"
		done
		for t in $TOOLS; do echo "usr/share/man/man1/xenstore-$t.1"; done
	} | sort -u
}
installed_files() {
	(cd "$DEST" && find . ! -type d | sed 's|^\./||' | sort)
}
expect_eq "exactly the expected files under DESTDIR" \
	"$(expected_files)" "$(installed_files)"

# mode_of path: permission bits and type, as "755 f" / "l".
mode_of() {
	if [ -L "$1" ]; then
		echo l
	elif [ -f "$1" ]; then
		echo "$(stat -c %a "$1") f"
	else
		echo missing
	fi
}
for f in sbin/xenstored bin/xenstore lib/libxenstore.so.4.0; do
	expect_eq "$f is an executable file" "755 f" "$(mode_of "$USR/$f")"
done
for f in lib/libxenstore.a lib/pkgconfig/xenstore.pc include/xenstore.h \
	share/man/man1/xenstore.1 share/man/man8/xenstored.8; do
	expect_eq "$f is a plain file, mode 644" "644 f" "$(mode_of "$USR/$f")"
done
for t in $TOOLS; do
	expect_eq "bin/xenstore-$t links to xenstore" "xenstore" \
		"$(readlink "$USR/bin/xenstore-$t")"
	expect_eq "man1/xenstore-$t.1 links to xenstore.1" "xenstore.1" \
		"$(readlink "$USR/share/man/man1/xenstore-$t.1")"
done
expect_eq "libxenstore.so.4 links to libxenstore.so.4.0" "libxenstore.so.4.0" \
	"$(readlink "$USR/lib/libxenstore.so.4")"
expect_eq "libxenstore.so leads to libxenstore.so.4.0" \
	"$(readlink -f "$USR/lib/libxenstore.so.4.0")" \
	"$(readlink -f "$USR/lib/libxenstore.so")"
expect_true "the header is the repository's" \
	cmp -s "$XS_ROOT/include/xenstore.h" "$USR/include/xenstore.h"

# --- the library --------------------------------------------------------------
soname=$(readelf -d "$USR/lib/libxenstore.so.4.0" 2>&1 |
	sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
expect_eq "SONAME is libxenstore.so.4" "libxenstore.so.4" "$soname"
expect_true "xs_open is exported as version VERS_4.0" \
	grep -q ' xs_open@@VERS_4.0$' \
	<(readelf --dyn-syms -W "$USR/lib/libxenstore.so.4.0" | awk '{ print " " $8 }')
expect_true "libxenstore.a holds xs_open" \
	grep -q ' T xs_open$' <(nm "$USR/lib/libxenstore.a" 2>/dev/null)

PC=(env PKG_CONFIG_LIBDIR="$USR/lib/pkgconfig" PKG_CONFIG_PATH= \
	PKG_CONFIG_SYSROOT_DIR="$DEST" pkg-config)
if command -v pkg-config >/dev/null; then
	expect_out "pkg-config: prefix is /usr" "/usr" \
		env PKG_CONFIG_LIBDIR="$USR/lib/pkgconfig" PKG_CONFIG_PATH= \
		pkg-config --variable=prefix xenstore
	expect_out "pkg-config: version 4.0" "4.0" "${PC[@]}" --modversion xenstore
	pc_flags=$("${PC[@]}" --cflags --libs xenstore | sed 's/ *$//')
	expect_eq "pkg-config: flags point into the staging directory" \
		"-I$USR/include -L$USR/lib -lxenstore" "$pc_flags"
else
	echo "note: pkg-config not installed, .pc file checked by hand"
	expect_true "xenstore.pc says prefix=/usr" \
		grep -qx 'prefix=/usr' "$USR/lib/pkgconfig/xenstore.pc"
	pc_flags="-I$USR/include -L$USR/lib -lxenstore"
fi

# --- the installed daemon and tools --------------------------------------------
XENSTORED_BIN=$USR/sbin/xenstored
xs_start_daemon
XS_LIB=$USR/lib
# Our tools link the library statically; they are run as a packaged
# system would run them all the same, with the installed library in reach.
INST=(env LD_LIBRARY_PATH="$XS_LIB")

expect_out "installed xenstore-write" "" "${INST[@]}" "$USR/bin/xenstore-write" /inst/a hello /inst/b "two words"
expect_out "installed xenstore-read" "hello" "${INST[@]}" "$USR/bin/xenstore-read" /inst/a
expect_out "installed xenstore read (multi-call)" "two words" "${INST[@]}" "$USR/bin/xenstore" read /inst/b
expect_out "installed xenstore-ls -f" '/inst/a = "hello"
/inst/b = "two words"' "${INST[@]}" "$USR/bin/xenstore-ls" -f /inst
expect_out "installed xenstore-list" 'a
b' "${INST[@]}" "$USR/bin/xenstore-list" /inst
expect_ok "installed xenstore-exists" "${INST[@]}" "$USR/bin/xenstore-exists" /inst/a
expect_out "installed xenstore-chmod" "" "${INST[@]}" "$USR/bin/xenstore-chmod" /inst/a b0 r3
expect_out "installed xenstore-watch -n 1" "/inst" "${INST[@]}" "$USR/bin/xenstore-watch" -n 1 /inst
expect_out "installed xenstore-rm" "" "${INST[@]}" "$USR/bin/xenstore-rm" /inst/b
expect_out "installed xenstore-control print" "OK" "${INST[@]}" "$USR/bin/xenstore-control" print install-test
expect_fail "installed xenstore-read of a removed node" "${INST[@]}" "$USR/bin/xenstore-read" /inst/b

if [ -z "$SAN" ]; then
	# Debian's tools are dynamically linked against libxenstore.so.4.
	loaded=$("${INST[@]}" ldd /usr/bin/xenstore-read | awk '$1 == "libxenstore.so.4" { print $3 }')
	expect_eq "Debian's xenstore-read loads the installed library" \
		"$(readlink -f "$XS_LIB/libxenstore.so.4")" "$(readlink -f "$loaded")"
	expect_out "Debian's xenstore-read on the installed library" "hello" \
		"${INST[@]}" /usr/bin/xenstore-read /inst/a
else
	echo "note: Debian's tools not run on a -fsanitize=$SAN library"
fi

# A client built against the installation: header and flags from it.
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
san_flags=()
[ -n "$SAN" ] && san_flags=("-fsanitize=$SAN")
read -ra pc_words <<<"$pc_flags"
expect_ok "a client builds with the installed header and pkg-config flags" \
	cc -std=c11 -Wall -Werror "${san_flags[@]}" -o "$XS_TMP/client" \
	"$XS_TMP/client.c" "${pc_words[@]}"
expect_true "the client needs libxenstore.so.4" \
	grep -q 'NEEDED.*\[libxenstore.so.4\]' <(readelf -d "$XS_TMP/client")
expect_out "the client runs on the installed library" "hello" \
	"${INST[@]}" "$XS_TMP/client" /inst/a
expect_ok "a client links statically with libxenstore.a" \
	cc -std=c11 -Wall -Werror "${san_flags[@]}" -o "$XS_TMP/client_static" \
	"$XS_TMP/client.c" -I"$USR/include" "$USR/lib/libxenstore.a" -lpthread
expect_out "the static client runs" "hello" "$XS_TMP/client_static" /inst/a

# --- manual pages --------------------------------------------------------------
pages=("$USR"/share/man/man1/*.1 "$USR"/share/man/man8/*.8)
expect_true "xenstore.1 and xenstored.8 among ${#pages[@]} pages" \
	test -f "$USR/share/man/man1/xenstore.1" -a -f "$USR/share/man/man8/xenstored.8"
if command -v groff >/dev/null; then
	for p in "${pages[@]}"; do
		expect_err "groff -ww: no warning for ${p#"$USR"/}" 0 "" \
			groff -man -Tutf8 -ww -z "$p"
	done
else
	echo "note: groff not installed, pages not checked for warnings"
fi
if command -v man >/dev/null; then
	for p in "${pages[@]}"; do
		expect_eq "man -l renders ${p#"$USR"/} silently" "" \
			"$(MANWIDTH=80 man -l "$p" 2>&1 >/dev/null)"
	done
else
	echo "note: man not installed, man -l not tried"
fi

# Plain text of a page on one long line per paragraph: synopsis and option
# lines come out whole.
render() {
	groff -man -Tascii -P-cbou -rLL=250n "$1" 2>/dev/null | sed 's/^ *//'
}
if command -v groff >/dev/null; then
	page1=$(render "$USR/share/man/man1/xenstore.1")
	# "xenstore-read: Usage: /path/xenstore-read [-h] ..." -> "xenstore-read [-h] ..."
	for t in read write ls list rm exists chmod watch; do
		XS_CMD_TIMEOUT=5 xs_run "$USR/bin/xenstore-$t" -h
		usage=$(printf '%s\n' "$XS_ERR" | sed -n "s|^xenstore-$t: Usage: .*/\(xenstore-$t .*\)|\1|p")
		expect_true "xenstore-$t -h prints its usage (status 1)" \
			test "$XS_RC" -eq 1 -a -n "$usage"
		expect_true "xenstore.1 synopsis has: $usage" \
			grep -qxF "$usage" <<<"$page1"
	done
	XS_CMD_TIMEOUT=5 xs_run "$USR/bin/xenstore"
	usage=$(printf '%s\n' "$XS_ERR" | sed -n 's|^xenstore: Usage: .*/\(xenstore .*\)|\1|p')
	expect_true "xenstore.1 synopsis has: $usage" grep -qxF "$usage" <<<"$page1"
	XS_CMD_TIMEOUT=5 xs_run "$USR/bin/xenstore-control"
	usage=$(printf '%s\n' "$XS_ERR" | sed -n 's|^.*/\(xenstore-control .*\)|\1|p')
	expect_true "xenstore.1 synopsis has: $usage" grep -qxF "$usage" <<<"$page1"

	# Every option of "xenstored --help", as "-X, --long" or "--long".
	page8=$(render "$USR/share/man/man8/xenstored.8")
	"$USR/sbin/xenstored" --help >"$XS_TMP/help" 2>&1
	n=0
	while read -r opt; do
		n=$((n + 1))
		expect_true "xenstored.8 describes $opt" \
			grep -qE "^${opt}( |$)" <<<"$page8"
	done < <(sed -n 's/^ *\(\(-[A-Za-z], \)\{0,1\}--[a-z-]*\).*/\1/p' "$XS_TMP/help")
	expect_true "xenstored --help lists options ($n)" test "$n" -gt 10
	expect_true "xenstored.8 synopsis is the usage line" \
		grep -qxF "$(sed -n 's/^Usage: //p' "$XS_TMP/help")" <<<"$page8"
fi

# --- again, and the default prefix ----------------------------------------------
XS_CMD_TIMEOUT=300 expect_ok "a second make install over the first" \
	run_install DESTDIR="$DEST" PREFIX=/usr
expect_eq "still exactly the expected files" "$(expected_files)" "$(installed_files)"
DEST2=$XS_TMP/dest2
XS_CMD_TIMEOUT=300 expect_ok "make install DESTDIR=... (default PREFIX)" \
	run_install DESTDIR="$DEST2"
expect_eq "default PREFIX is /usr/local" \
	"$(expected_files | sed 's|^usr/|usr/local/|')" \
	"$(cd "$DEST2" && find . ! -type d | sed 's|^\./||' | sort)"
expect_true "its xenstore.pc says prefix=/usr/local" \
	grep -qx 'prefix=/usr/local' "$DEST2/usr/local/lib/pkgconfig/xenstore.pc"

xs_finish
