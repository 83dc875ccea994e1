#!/bin/bash
# SPDX-License-Identifier: MIT
#
# "make run": a whole simulated Xen host in one command.  Starts xenstored
# with the simulated hypervisor (docs/sim.md), sets the host up the way
# Xen's toolstack would - dom0's name, three guest domains each with a home
# under /local/domain/N, their network (vif) and guest 2's disk (vbd)
# connected by the split-driver handshake, the backend played by dom0 and
# the frontend by the guest itself through its ring - then prints how to
# explore it with the tools and waits.  Ctrl-C (SIGINT) or SIGTERM stops
# the daemon and removes the socket and the simulated hypervisor's
# directory; nothing is left running.
#
# Environment: BUILD (the build tree with bin/xenstored, default build),
# DEMO_DIR (socket, sim directory, log; default /tmp/xenstored-run; removed
# at the end when the demo made it), DEMO_EXIT_AFTER_SETUP=1 (stop as soon
# as the host is set up: for tests and scripts).
# Exit status: 0 after a clean stop, 1 when the demo cannot start (a daemon
# already answers on its socket, the set-up failed).
# Functions run from traps: not unreachable.
# shellcheck disable=SC2317
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
bin=$build/bin
dir=${DEMO_DIR:-/tmp/xenstored-run}
sock=$dir/socket
sim=$dir/sim
log=$dir/xenstored.log
pidfile=$dir/xenstored.pid
daemon_pid=
made_dir=0

for t in xenstored xenstore xenstore-sim; do
	if [ ! -x "$bin/$t" ]; then
		echo "demo: $bin/$t not built (run make first)" >&2
		exit 1
	fi
done
export XENSTORED_PATH=$sock
unset XENSTORE_SIM_DIR XENSTORE_SIM_DOMID

# Another demo (or daemon) on the same socket keeps it: never take over.
if [ -S "$sock" ] && timeout 2 "$bin/xenstore-exists" / >/dev/null 2>&1 </dev/null; then
	echo "demo: a daemon already answers on $sock; stop it first (or set DEMO_DIR)" >&2
	exit 1
fi

# stop and on_signal run from traps.
stop() {
	trap '' INT TERM
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	daemon_pid=
	rm -rf "$sim"
	rm -f "$sock" "$pidfile" "$log"
	[ "$made_dir" = 1 ] && rmdir "$dir" 2>/dev/null
	return 0
}
on_signal() {
	echo
	echo "demo: stopping"
	stop
	echo "demo: stopped; $dir cleaned up"
	exit 0
}
trap on_signal INT TERM
trap stop EXIT

fail() {
	echo "demo: $*" >&2
	[ -s "$log" ] && sed 's/^/  xenstored: /' "$log" >&2
	exit 1
}

[ -d "$dir" ] || made_dir=1
mkdir -p "$dir" || fail "cannot make $dir"
rm -rf "$sim"
"$bin/xenstored" -N --socket "$sock" --sim "$sim" -F "$pidfile" </dev/null >"$log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do
	kill -0 "$daemon_pid" 2>/dev/null || fail "xenstored did not start"
	[ -S "$sock" ] && "$bin/xenstore-exists" / </dev/null 2>/dev/null && break
	sleep 0.05
done
"$bin/xenstore-exists" / </dev/null 2>/dev/null || fail "xenstored does not answer on $sock"

# Tools as dom0 (over the socket), and as guest N (over its ring).
xs() {
	local cmd=$1
	shift
	"$bin/xenstore-$cmd" "$@" </dev/null || fail "xenstore-$cmd $*"
}
as_guest() {
	local n=$1 cmd=$2
	shift 2
	"$bin/xenstore-sim" --dir "$sim" guest "$n" -- "$bin/xenstore-$cmd" "$@" </dev/null ||
		fail "guest $n: xenstore-$cmd $*"
}

# dom0 as Xen's xen-init-dom0 leaves it.
xs write /local/domain/0/name Domain-0 /local/domain/0/domid 0

# new_domain N NAME: create it in the sim and give it a home as libxl
# does - readable by the guest, with data/ and control/shutdown its own -
# then introduce it to the daemon.
new_domain() {
	local n=$1 name=$2 home=/local/domain/$1
	"$bin/xenstore-sim" --dir "$sim" create "$n" >/dev/null || fail "cannot create domain $n"
	xs write "$home" "" "$home/name" "$name" "$home/domid" "$n" \
		"$home/vm" "/vm/00000000-0000-0000-0000-00000000000$n" \
		"$home/memory/target" 524288 "$home/device" "" \
		"$home/control" "" "$home/control/shutdown" "" "$home/data" ""
	xs chmod -r "$home" n0 "r$n"
	xs chmod "$home/data" "n$n"
	xs chmod "$home/control/shutdown" "n$n"
	"$bin/xenstore-sim" --dir "$sim" introduce "$n" >/dev/null || fail "cannot introduce domain $n"
}

# connect N KIND ID KEY VALUE: a split-driver device between the backend in
# dom0 and the frontend in guest N, through XenbusState 1 (Initialising),
# 2 (InitWait, backend), 3 (Initialised, frontend) and 4 (Connected, both).
connect() {
	local n=$1 kind=$2 id=$3 key=$4 value=$5
	local fe=/local/domain/$n/device/$kind/$id
	local be=/local/domain/0/backend/$kind/$n/$id
	# The toolstack writes both ends, each owned by its driver's domain.
	xs write "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/state" 1
	xs write "$be/frontend" "$fe" "$be/frontend-id" "$n" "$be/online" 1 \
		"$be/$key" "$value" "$be/state" 1
	xs chmod -r "$fe" "n$n" r0
	xs chmod -r "$be" n0 "r$n"
	xs write "$be/state" 2
	# The guest's frontend, through its own ring, with a relative path.
	as_guest "$n" write "device/$kind/$id/state" 3
	xs write "$be/state" 4
	as_guest "$n" write "device/$kind/$id/state" 4
}

new_domain 1 web
new_domain 2 db
new_domain 3 cache
connect 1 vif 0 mac 00:16:3e:00:00:01
connect 2 vif 0 mac 00:16:3e:00:00:02
connect 2 vbd 51712 params /var/lib/xen/images/db.img
connect 3 vif 0 mac 00:16:3e:00:00:03

cat <<EOF
A simulated Xen host is running: xenstored (pid $daemon_pid) with the
simulated hypervisor in $sim, dom0 and three guests:
domain 1 "web" (vif), 2 "db" (vif, vbd), 3 "cache" (vif), every device
connected (state 4 at both ends).  Explore it from another terminal:

  export XENSTORED_PATH=$sock PATH=$bin:\$PATH
  xenstore-ls -p /local/domain        (Debian's /usr/bin/xenstore-ls too)
  xenstore-watch /local/domain/1      (then, in a third terminal:)
  xenstore-write /local/domain/1/device/vif/0/state 5
  xenstore-sim --dir $sim guest 1 -- xenstore-read name
  xenstore-sim --dir $sim guest 1 -- xenstore-read /local/domain/2/name
                                      (refused: a guest reads only its own)
  xenstore-sim --dir $sim destroy 3
                                      (the daemon fires @releaseDomain; a
                                      toolstack would remove its home now)
  xenstore control memreport

The daemon's log: $log
Stop with Ctrl-C.
EOF

if [ "${DEMO_EXIT_AFTER_SETUP:-0}" = 1 ]; then
	stop
	echo "demo: stopped after set-up (DEMO_EXIT_AFTER_SETUP=1)"
	exit 0
fi
# Until a signal (the trap stops everything), or the daemon dies.
wait "$daemon_pid"
status=$?
daemon_pid=
fail "xenstored exited (status $status)"
