#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Golden test of the command-line tools and of the library's binary
# compatibility, against Debian's xenstore-utils (Xen 4.17) as the oracle.
#
#   XENSTORED_PATH=/path/to/socket BUILD=build tests/integration/tools_golden.sh
#
# The caller starts a daemon (ours or any other) on XENSTORED_PATH; this
# script only uses its socket.  It owns the subtree /golden and rebuilds it
# before every check that changes the store.
#
# Checks:
#   tools:   each of Debian's tools and ours ($BUILD/bin/xenstore under the
#            same argv[0]) run with the same arguments; stdout, stderr and
#            exit status must be identical, and for commands that change
#            the store, so must the resulting /golden subtree.
#   library: Debian's binaries run on our libxenstore.so.4
#            (LD_LIBRARY_PATH=$BUILD/lib, verified with ldd) must behave as
#            they do on Debian's library.
# Prints one line per check and ends with "N passed, M failed"; exits 1 if
# any check failed, 2 if it cannot run at all.
#
# Environment: XENSTORED_PATH (required), BUILD (default: build),
# DEB_BIN (default /usr/bin), DEB_CONTROL (default
# /usr/lib/xen-4.17/bin/xenstore-control), XS_TEST (Xen's test-xenstore,
# default /usr/lib/xen-4.17/bin/test-xenstore), VERBOSE=1 shows diffs in full.
set -u

BUILD=${BUILD:-build}
DEB_BIN=${DEB_BIN:-/usr/bin}
DEB_CONTROL=${DEB_CONTROL:-/usr/lib/xen-4.17/bin/xenstore-control}
VERBOSE=${VERBOSE:-0}
TIMEOUT=20

die() {
	echo "tools_golden: $*" >&2
	exit 2
}

[ -n "${XENSTORED_PATH:-}" ] || die "XENSTORED_PATH is not set"
[ -S "$XENSTORED_PATH" ] || die "no socket at $XENSTORED_PATH"
export XENSTORED_PATH
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || die "no build directory"
OURS="$BUILD/bin/xenstore"
OURLIB="$BUILD/lib"
[ -x "$OURS" ] || die "$OURS not built"
[ -e "$OURLIB/libxenstore.so.4" ] || die "$OURLIB/libxenstore.so.4 not built"
for t in xenstore xenstore-read xenstore-write xenstore-ls xenstore-list \
	xenstore-rm xenstore-exists xenstore-chmod xenstore-watch; do
	[ -x "$DEB_BIN/$t" ] || die "$DEB_BIN/$t missing (apt-get install xenstore-utils)"
done
[ -x "$DEB_CONTROL" ] || die "$DEB_CONTROL missing (apt-get install xen-utils-4.17)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tools_golden.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
# Extra env(1) arguments for the tools of the next checks (see check_env).
RUN_ENV=()

# Debian's binary for a tool name.
deb_path() {
	if [ "$1" = xenstore-control ]; then
		echo "$DEB_CONTROL"
	else
		echo "$DEB_BIN/$1"
	fi
}

# run_tool DIR VARIANT TOOL ARGS...: run one side, keeping out/err/rc in DIR.
# VARIANT: deb (Debian's binary and library), ours (our binary),
# deblib (Debian's binary on our library).  argv[0] is always the bare
# tool name, so messages that quote it compare equal; timeout(1) guards
# against a hang and bash's exec -a sets that name.
run_tool() {
	local dir=$1 variant=$2 tool=$3 prog
	shift 3
	mkdir -p "$dir"
	case $variant in
	ours) prog=$OURS ;;
	*) prog=$(deb_path "$tool") ;;
	esac
	if [ "$variant" = deblib ]; then
		env "${RUN_ENV[@]}" LD_LIBRARY_PATH="$OURLIB" timeout "$TIMEOUT" \
			bash -c 'exec -a "$0" "$@"' "$tool" "$prog" "$@"
	else
		env "${RUN_ENV[@]}" timeout "$TIMEOUT" \
			bash -c 'exec -a "$0" "$@"' "$tool" "$prog" "$@"
	fi >"$dir/out" 2>"$dir/err" </dev/null
	echo $? >"$dir/rc"
}

# Compare two result directories; print details on mismatch.
same_results() {
	local a=$1 b=$2 f ok=0
	for f in rc out err snap; do
		[ -e "$a/$f" ] || [ -e "$b/$f" ] || continue
		if ! cmp -s "$a/$f" "$b/$f"; then
			ok=1
			echo "    $f differs:"
			if [ "$VERBOSE" = 1 ]; then
				diff -a "$a/$f" "$b/$f" | sed 's/^/      /'
			else
				diff -a "$a/$f" "$b/$f" | head -n 8 | sed 's/^/      /'
			fi
		fi
	done
	return $ok
}

report() {
	local name=$1 ok=$2 details=$3
	if [ "$ok" = 0 ]; then
		passed=$((passed + 1))
		echo "PASS $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		[ -n "$details" ] && printf '%s\n' "$details"
	fi
}

# ---------------------------------------------------------------------------
# The fixed tree.  Built with Debian's xenstore-write (the reference), in
# one transaction, then permissions with Debian's xenstore-chmod.  Owners
# stay dom0: Xen 4.17's C daemon refuses owners that are not running.

LONGVAL=$(printf 'v%.0s' $(seq 1 120))
LONGNAME=$(printf 'n%.0s' $(seq 1 100))
EDGE67=$(printf 'e%.0s' $(seq 1 67))
EDGE68=$(printf 'e%.0s' $(seq 1 68))
CTRL30=$(printf '\\001%.0s' $(seq 1 30))

build_tree() {
	"$DEB_BIN/xenstore-rm" /golden >/dev/null 2>&1
	"$DEB_BIN/xenstore-write" \
		/golden/a hello \
		/golden/a/b/c "deep value" \
		/golden/a/b/d/e/f/g leaf \
		/golden/empty "" \
		/golden/bin 'x\001\002\t\n\r\\\x7f\xff\x1b\000end' \
		/golden/ctrl "$CTRL30" \
		/golden/long "$LONGVAL" \
		/golden/edge "$EDGE67" \
		/golden/edgf "$EDGE68" \
		/golden/sp 'with spaces and "quotes"' \
		/golden/perm x \
		/golden/perm/child y \
		/golden/deep/l1/l2/l3/"$LONGNAME" "$LONGVAL" \
		/golden/"$LONGNAME" short \
		/golden/many/k01 1 /golden/many/k02 2 /golden/many/k03 3 \
		/golden/many/k04 4 /golden/many/k05 5 /golden/many/k06 6 \
		/golden/many/k07 7 /golden/many/k08 8 /golden/many/k09 9 \
		/golden/many/k10 10 /golden/many/k11 11 /golden/many/k12 12 \
		/golden/tidy/x/y/z v \
		/golden/w "" \
		|| die "cannot build the tree (is the daemon working?)"
	"$DEB_BIN/xenstore-chmod" /golden/perm n0 r5 w7 b9 ||
		die "cannot set permissions"
	"$DEB_BIN/xenstore-chmod" /golden/a/b b0 r3 ||
		die "cannot set permissions"
}

snapshot() {
	"$DEB_BIN/xenstore-ls" -f -p /golden >"$1/snap" 2>&1
	echo "rc=$?" >>"$1/snap"
}

# check NAME TOOL ARGS...: a command that does not change the store.
check() {
	local name=$1 d="$WORK/c$((passed + failed))"
	shift
	run_tool "$d/deb" deb "$@"
	run_tool "$d/ours" ours "$@"
	local details
	details=$(same_results "$d/deb" "$d/ours")
	report "tools: $name" $? "$details"
}

# check_mut NAME TOOL ARGS...: a command that changes /golden.
check_mut() {
	local name=$1 d="$WORK/c$((passed + failed))"
	shift
	build_tree
	run_tool "$d/deb" deb "$@"
	snapshot "$d/deb"
	build_tree
	run_tool "$d/ours" ours "$@"
	snapshot "$d/ours"
	local details
	details=$(same_results "$d/deb" "$d/ours")
	report "tools: $name" $? "$details"
}

# check_lib NAME TOOL ARGS...: Debian's binary, on both libraries.
check_lib() {
	local name=$1 d="$WORK/c$((passed + failed))"
	shift
	build_tree
	run_tool "$d/deb" deb "$@"
	snapshot "$d/deb"
	build_tree
	run_tool "$d/ours" deblib "$@"
	snapshot "$d/ours"
	local details
	details=$(same_results "$d/deb" "$d/ours")
	report "library: $name" $? "$details"
}

# Watch with a second event: start the watcher, wait for its first line
# (the event every new watch fires), then change a node below it.
run_watch2() {
	local dir=$1 variant=$2
	mkdir -p "$dir"
	run_tool "$dir" "$variant" xenstore-watch -n 2 /golden/w &
	local pid=$! i
	for i in $(seq 1 100); do
		[ -s "$dir/out" ] && break
		sleep 0.1
	done
	"$DEB_BIN/xenstore-write" /golden/w/x 1
	wait $pid
}

check_watch2() {
	local name=$1 variant=$2 d="$WORK/c$((passed + failed))"
	build_tree
	run_watch2 "$d/deb" deb
	build_tree
	run_watch2 "$d/ours" "$variant"
	local details
	details=$(same_results "$d/deb" "$d/ours")
	report "$name" $? "$details"
}

build_tree

# --- dispatch and usage --------------------------------------------------
check "xenstore without mode" xenstore
check "unknown mode" xenstore nosuchmode
check "xenstore read (mode as argument)" xenstore read /golden/a
check "xenstore ls -p (mode as argument)" xenstore ls -p /golden/a
check "xenstore read without key" xenstore read
check "bad option, mode as argument" xenstore read -x /golden/a
for t in read write rm exists list ls chmod watch; do
	check "xenstore-$t -h" xenstore-$t -h
done
check "xenstore-read without key" xenstore-read
check "xenstore-write odd arguments" xenstore-write /golden/x
check "xenstore-chmod option of another tool" xenstore-chmod -t /golden/a n0
check "xenstore-read invalid option" xenstore-read -x /golden/a
check "xenstore-read long option" xenstore-read --prefix /golden/a
check "xenstore-read unknown long option" xenstore-read --socket /golden/a
check "xenstore-read -s" xenstore-read -s /golden/a
check "xenstore-watch -n without number" xenstore-watch -n

# --- finding the daemon ------------------------------------------------------
# check_env NAME ENV-ARGS TOOL ARGS...: run a check with env(1) arguments
# (such as -u XENSTORED_PATH) applied to both tools.
check_env() {
	local name=$1
	read -r -a RUN_ENV <<<"$2"
	shift 2
	check "$name" "$@"
	RUN_ENV=()
}
mkdir -p "$WORK/rundir"
ln -s "$XENSTORED_PATH" "$WORK/rundir/socket"
: >"$WORK/plainfile1"
check_env "no daemon at XENSTORED_PATH" "XENSTORED_PATH=$WORK/nonexistent" \
	xenstore-read /golden/a
check_env "control: no daemon" "XENSTORED_PATH=$WORK/nonexistent" \
	xenstore-control help
check_env "XENSTORED_RUNDIR/socket" \
	"-u XENSTORED_PATH XENSTORED_RUNDIR=$WORK/rundir" xenstore-read /golden/a
check_env "XENSTORED_RUNDIR without a socket" \
	"-u XENSTORED_PATH XENSTORED_RUNDIR=$WORK/nonexistent" xenstore-ls /golden
check_env "XENSTORED_PATH names a plain file" \
	"XENSTORED_PATH=$WORK/plainfile1" xenstore-ls /golden

# --- read ------------------------------------------------------------------
check "read one" xenstore-read /golden/a
check "read several (transaction)" xenstore-read /golden/a /golden/a/b/c /golden/empty
check "read binary value" xenstore-read /golden/bin
check "read -R binary value" xenstore-read -R /golden/bin
check "read -p" xenstore-read -p /golden/a /golden/bin /golden/sp
check "read -R -p" xenstore-read -R -p /golden/a /golden/bin
check "read empty value" xenstore-read /golden/empty
check "read missing node" xenstore-read /golden/nope
check "read missing after good ones" xenstore-read /golden/a /golden/nope /golden/sp
check "read bad path" xenstore-read '/golden//a'
check "read trailing slash" xenstore-read /golden/a/
check "read bad characters" xenstore-read '/golden/a b'
check "read relative path" xenstore-read golden/a

# --- exists ----------------------------------------------------------------
check "exists" xenstore-exists /golden/a
check "exists several" xenstore-exists /golden/a /golden/empty
check "exists missing" xenstore-exists /golden/nope
check "exists one missing" xenstore-exists /golden/a /golden/nope
check "exists bad path" xenstore-exists 'bad//path'

# --- list ------------------------------------------------------------------
check "list" xenstore-list /golden
check "list -p" xenstore-list -p /golden/many
check "list -p root" xenstore-list -p /
check "list leaf" xenstore-list /golden/a/b/c
check "list missing" xenstore-list /golden/nope
check "list several with a missing one" xenstore-list /golden/a /golden/nope /golden/many

# --- ls --------------------------------------------------------------------
check "ls subtree" xenstore-ls /golden
check "ls -p" xenstore-ls -p /golden
check "ls -f" xenstore-ls -f /golden
check "ls -f -p" xenstore-ls -f -p /golden
check "ls -fp combined" xenstore-ls -fp /golden/a
check "ls whole store" xenstore-ls
check "ls -p whole store" xenstore-ls -p
check "ls several paths" xenstore-ls /golden/a /golden/many
check "ls root with slash" xenstore-ls /
check "ls trailing slash" xenstore-ls /golden/
check "ls leaf" xenstore-ls /golden/a/b/c
check "ls missing" xenstore-ls /golden/nope
check "ls bad path" xenstore-ls 'bad//path'
check "ls relative missing" xenstore-ls golden
check "ls option of another tool" xenstore-ls -t /golden

# --- write -----------------------------------------------------------------
check_mut "write one" xenstore-write /golden/new value
check_mut "write several pairs" xenstore-write /golden/n1 one /golden/n2/deeper two /golden/a changed
check_mut "write escapes" xenstore-write /golden/esc 'a\tb\x41\101\0z\q\x\'
check_mut "write escape corner cases" xenstore-write /golden/e1 '\x414\1011\08' \
	/golden/e2 '\777\xzz\x 41\x-1\x+4' /golden/e3 '\x0x4\-1\xg\\\'
check_mut "write -R" xenstore-write -R /golden/esc 'a\tb\x41'
check_mut "write empty value" xenstore-write /golden/a ""
check_mut "write bad path" xenstore-write '/golden//x' v
check_mut "write bad path after good one" xenstore-write /golden/ok v '/golden//x' v

# --- rm --------------------------------------------------------------------
check_mut "rm leaf" xenstore-rm /golden/a/b/c
check_mut "rm subtree" xenstore-rm /golden/a
check_mut "rm several" xenstore-rm /golden/a /golden/many/k01 /golden/empty
check_mut "rm missing leaf" xenstore-rm /golden/nope
check_mut "rm missing parent" xenstore-rm /golden/nope/deeper
check_mut "rm bad path" xenstore-rm '/golden//a'
check_mut "rm -t" xenstore-rm -t /golden/tidy/x/y/z
check_mut "rm -t stops at a value" xenstore-rm -t /golden/a/b/d/e/f/g

# --- chmod -----------------------------------------------------------------
check_mut "chmod" xenstore-chmod /golden/a n0 r5
check_mut "chmod -r" xenstore-chmod -r /golden/a b0 r4
check_mut "chmod -u" xenstore-chmod -u /golden/a/b/c n0 w6
check_mut "chmod -u -r" xenstore-chmod -u -r /golden/a/b n0 r2
check_mut "chmod bad permission letter" xenstore-chmod /golden/a n0 x5
check_mut "chmod missing node" xenstore-chmod /golden/nope n0
check_mut "chmod without permissions" xenstore-chmod /golden/a
check_mut "chmod -u relative path" xenstore-chmod -u golden/a n0

# --- watch -----------------------------------------------------------------
check "watch -n 1" xenstore-watch -n 1 /golden/w
check "watch -n 2 two paths" xenstore-watch -n 2 /golden/w /golden/a
check "watch special path" xenstore-watch -n 1 @introduceDomain
check "watch -n 0" xenstore-watch -n 0 /golden/w
check "watch bad path" xenstore-watch -n 1 'bad//path'
check_watch2 "tools: watch -n 2 with a change" ours

# --- control ---------------------------------------------------------------
check "control without command" xenstore-control
check "control unknown command" xenstore-control no-such-command
check "control help" xenstore-control help
check "control live-update without binary" xenstore-control live-update
check "control live-update -t without value" xenstore-control live-update -t
check "control live-update -c without value" xenstore-control live-update -c

# --- xenstore-ls on a terminal --------------------------------------------
# The width comes from the terminal (columns - 2); script(1) provides one.
# Our side runs through the build's xenstore-ls symlink.
check_tty() {
	local cols=$1 d="$WORK/c$((passed + failed))"
	shift
	mkdir -p "$d/deb" "$d/ours"
	timeout "$TIMEOUT" script -qec "stty cols $cols; $DEB_BIN/xenstore-ls $*" \
		/dev/null >"$d/deb/out" 2>&1 </dev/null
	echo $? >"$d/deb/rc"
	timeout "$TIMEOUT" script -qec "stty cols $cols; $BUILD/bin/xenstore-ls $*" \
		/dev/null >"$d/ours/out" 2>&1 </dev/null
	echo $? >"$d/ours/rc"
	local details
	details=$(same_results "$d/deb" "$d/ours")
	report "tools: ls $* on a $cols-column terminal" $? "$details"
}
if command -v script >/dev/null 2>&1 && command -v stty >/dev/null 2>&1; then
	for cols in 50 80 132 10 0; do
		check_tty $cols -p /golden
		check_tty $cols -f -p /golden
	done
	check_tty 60 /golden
else
	echo "(script(1) not available: terminal-width checks skipped)"
fi

# --- Debian's tools on our library ----------------------------------------
for t in xenstore-read xenstore-ls xenstore-control; do
	d="$WORK/ldd$t"
	mkdir -p "$d"
	LD_LIBRARY_PATH="$OURLIB" ldd "$(deb_path "$t")" >"$d/ldd" 2>&1
	loaded=$(awk '$1 == "libxenstore.so.4" { print $3 }' "$d/ldd")
	loaded=$(readlink -f "$loaded" 2>/dev/null)
	want=$(readlink -f "$OURLIB/libxenstore.so.4")
	if [ -n "$loaded" ] && [ "$loaded" = "$want" ]; then
		report "library: ldd $t loads $OURLIB/libxenstore.so.4" 0 ""
	else
		report "library: ldd $t loads $OURLIB/libxenstore.so.4" 1 \
			"    loaded: ${loaded:-none}"
	fi
done

check_lib "read" xenstore-read /golden/a /golden/bin /golden/empty
check_lib "read -R -p" xenstore-read -R -p /golden/bin
check_lib "read missing" xenstore-read /golden/nope
check_lib "exists missing" xenstore-exists /golden/nope
check_lib "list -p" xenstore-list -p /golden/many
check_lib "ls -p" xenstore-ls -p /golden
check_lib "ls -f -p whole store" xenstore-ls -f -p
check_lib "ls missing" xenstore-ls /golden/nope
check_lib "write several pairs" xenstore-write /golden/n1 one /golden/n2/deeper two
check_lib "write bad path" xenstore-write '/golden//x' v
check_lib "rm -t" xenstore-rm -t /golden/tidy/x/y/z
check_lib "chmod -u -r" xenstore-chmod -u -r /golden/a/b n0 r2
check_lib "chmod missing node" xenstore-chmod /golden/nope n0
check_lib "watch -n 2 two paths" xenstore-watch -n 2 /golden/w /golden/a
check_lib "control help" xenstore-control help
check_lib "control unknown command" xenstore-control no-such-command
check_watch2 "library: watch -n 2 with a change" deblib

# Xen's own library test program, on both libraries.  Timings differ, so
# only each test's verdict and the exit status are compared: a failure that
# both libraries see is the daemon's business, not the library's.
XS_TEST=${XS_TEST:-/usr/lib/xen-4.17/bin/test-xenstore}
verdicts() {
	sed -E 's/^([^:]*):( avg:)? [0-9].*$/\1: ok/' "$1"
}
if [ -x "$XS_TEST" ]; then
	d="$WORK/xstest"
	mkdir -p "$d/deb" "$d/ours"
	timeout 120 "$XS_TEST" -i 5 >"$d/deb/raw" 2>&1
	echo $? >"$d/deb/rc"
	LD_LIBRARY_PATH="$OURLIB" timeout 120 "$XS_TEST" -i 5 >"$d/ours/raw" 2>&1
	echo $? >"$d/ours/rc"
	verdicts "$d/deb/raw" >"$d/deb/out"
	verdicts "$d/ours/raw" >"$d/ours/out"
	details=$(same_results "$d/deb" "$d/ours")
	report "library: test-xenstore verdicts (exit $(cat "$d/deb/rc") with Debian's)" \
		$? "$details"
	grep failed "$d/deb/out" | sed 's/^/    (daemon) /'
else
	echo "($XS_TEST not available: skipped)"
fi

"$DEB_BIN/xenstore-rm" /golden >/dev/null 2>&1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
