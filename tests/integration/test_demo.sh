#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The "make run" demo (scripts/demo.sh), run as a user would, in the
# background with a directory of the test's: once it prints "Stop with
# Ctrl-C.", the host it built is checked with Debian's tools - dom0's and
# each guest's name, every device's state 4 at both ends, the owners and
# readers of both ends - and as guests through their rings: a guest reads
# its own name by a relative path and may not read another's.  A second
# demo on the same directory refuses to start and leaves the first alone.
# Then SIGINT (Ctrl-C): the demo exits 0, its daemon is gone, and its
# directory (socket, simulated hypervisor, log) is removed.  Last,
# DEMO_EXIT_AFTER_SETUP=1 sets up and stops by itself, as cleanly.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

DEMO=$XS_ROOT/scripts/demo.sh
DIR=$XS_TMP/demo
OUT=$XS_TMP/demo.out
for t in "$XS_BUILD/bin/xenstore" "$XS_SIM_TOOL"; do
	[ -x "$t" ] || xs_die "$t not built"
done
# The demo runs the build tree's daemon: Xen's (XENSTORED_BIN=...) has no
# simulated hypervisor.
if ! timeout 5 "$XENSTORED_BIN" --help 2>&1 </dev/null | grep -q -- '--sim'; then
	echo "# skipped: $XENSTORED_BIN has no --sim"
	xs_finish
fi

# A background job of a script starts with SIGINT ignored; env puts the
# default back, so the demo can trap Ctrl-C as it does in a terminal.
env --default-signal=INT BUILD="$XS_BUILD" DEMO_DIR="$DIR" \
	bash "$DEMO" </dev/null >"$OUT" 2>&1 &
DEMO_PID=$!
XS_BG_PIDS+=("$DEMO_PID")
for _ in $(seq 600); do
	grep -qx 'Stop with Ctrl-C.' "$OUT" 2>/dev/null && break
	xs_pid_alive "$DEMO_PID" || break
	sleep 0.05
done
expect_true "the demo sets the host up and says how to stop it" \
	grep -qx 'Stop with Ctrl-C.' "$OUT"
grep -qx 'Stop with Ctrl-C.' "$OUT" || xs_die "demo output: $(cat "$OUT")"
expect_true "... and how to reach it" \
	grep -qxF "  export XENSTORED_PATH=$DIR/socket PATH=$XS_BUILD/bin:\$PATH" "$OUT"
DAEMON=$(cat "$DIR/xenstored.pid" 2>/dev/null)
expect_true "its daemon's pid is in $DIR/xenstored.pid and it runs" \
	xs_pid_alive "${DAEMON:-0}"

export XENSTORED_PATH=$DIR/socket
expect_out "dom0 is Domain-0" "Domain-0" xenstore-read /local/domain/0/name
expect_out "dom0 and three guests" "0
1
2
3" xenstore-list /local/domain
# shellcheck disable=SC2016 # expanded by the inner bash
expect_out "guest names" "web db cache" bash -c \
	'echo $(for n in 1 2 3; do xenstore-read /local/domain/$n/name; done)'
# state_perms DIR: "DIR/state = "V" (PERMS)" from xenstore-ls -fp, its
# padding squeezed.
state_perms() {
	xenstore-ls -fp "$1" | grep "^$1/state = " | sed 's/" [ .]*(/" (/'
}
# Each device: frontend and backend state, then the ends' permissions.
for dev in 1/vif/0 2/vif/0 2/vbd/51712 3/vif/0; do
	n=${dev%%/*}
	rest=${dev#*/}
	kind=${rest%%/*}
	id=${rest#*/}
	fe=/local/domain/$n/device/$kind/$id
	be=/local/domain/0/backend/$kind/$n/$id
	expect_out "$dev: both ends Connected (4)" "4 4" bash -c \
		"echo \$(xenstore-read $fe/state) \$(xenstore-read $be/state)"
	expect_out "$dev: frontend state owned by the guest, readable by dom0" \
		"$fe/state = \"4\" (n$n,r0)" state_perms "$fe"
	expect_out "$dev: backend state owned by dom0, readable by the guest" \
		"$be/state = \"4\" (n0,r$n)" state_perms "$be"
	expect_out "$dev: each end names the other" "$be $fe" bash -c \
		"echo \$(xenstore-read $fe/backend) \$(xenstore-read $be/frontend)"
done
XS_SIM_DIR=$DIR/sim
expect_out "guest 2 reads its own name through its ring" "db" as_guest 2 xenstore-read name
expect_fail "guest 1 may not read guest 2's name" as_guest 1 xenstore-read /local/domain/2/name

expect_rc "a second demo on the same directory refuses to start" 1 \
	env BUILD="$XS_BUILD" DEMO_DIR="$DIR" bash "$DEMO"
expect_true "... saying why" grep -q "a daemon already answers on $DIR/socket" <<<"$XS_ERR"
expect_out "... and the first still serves" "web" xenstore-read /local/domain/1/name

# Ctrl-C.
kill -INT "$DEMO_PID"
xs_wait_pid "$DEMO_PID" 10
expect_eq "Ctrl-C: the demo exits with status 0" 0 "$XS_RC"
expect_true "... its daemon is gone" test -n "$DAEMON" -a ! -d "/proc/$DAEMON"
expect_true "... and its directory is removed" test ! -e "$DIR"
expect_true "... saying so" grep -qx "demo: stopped; $DIR cleaned up" "$OUT"

# Set up and stop at once.
expect_ok "DEMO_EXIT_AFTER_SETUP=1: set up, then stop" \
	env BUILD="$XS_BUILD" DEMO_DIR="$DIR" DEMO_EXIT_AFTER_SETUP=1 bash "$DEMO"
expect_true "... after the instructions" grep -qx 'Stop with Ctrl-C.' <<<"$XS_OUT"
expect_true "... its directory removed" test ! -e "$DIR"
DAEMON2=$(sed -n 's/.*xenstored (pid \([0-9]*\)).*/\1/p' <<<"$XS_OUT")
expect_true "... its daemon (pid ${DAEMON2:-?}) gone" test -n "$DAEMON2" -a ! -d "/proc/$DAEMON2"

xs_finish
