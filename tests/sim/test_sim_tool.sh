#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Test of the xenstore-sim tool without a daemon: the directory layout it
# makes (docs/sim.md), state changes and their virq byte, reaping, listing,
# running a guest command, parallel creates, and its usage errors and exit
# statuses (0 success, 1 failure, 2 usage).  "introduce" is only checked
# for failing cleanly when no daemon listens; with a daemon it belongs to
# the integration tests.  Run by "make check-sim":
#
#   XENSTORE_SIM_BIN=build/bin/xenstore-sim sh tests/sim/test_sim_tool.sh
set -u

SIM=${XENSTORE_SIM_BIN:-build/bin/xenstore-sim}
case $SIM in /*) ;; *) SIM=$(pwd)/$SIM ;; esac
T=$(mktemp -d /tmp/xs-sim-tool.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
D=$T/sim
unset XENSTORE_SIM_DIR XENSTORE_SIM_DOMID

failures=0
checks=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect STATUS CMD...: run CMD, its stdout in $out, stderr in $err.
expect() {
	want=$1
	shift
	checks=$((checks + 1))
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
	[ "$got" = "$want" ] || fail "$* exited $got, wanted $want (stderr: $err)"
}

same() { # same WHAT GOT WANT
	checks=$((checks + 1))
	[ "$2" = "$3" ] || fail "$1: got '$2', wanted '$3'"
}

# ---- usage ----
expect 0 "$SIM" --help
same "help" "$(echo "$out" | head -n 1)" "Usage: xenstore-sim [--dir DIR] COMMAND [ARGS]"
expect 2 "$SIM"
expect 2 "$SIM" --dir "$D"
expect 2 "$SIM" --dir
expect 2 "$SIM" --dir "$D" frobnicate 1
expect 2 "$SIM" --bogus list
expect 2 "$SIM" create 1 # no DIR
same "no DIR message" "$(echo "$err" | head -n 1)" \
	"xenstore-sim: no sim directory: use --dir DIR or set XENSTORE_SIM_DIR"
for bad in 0 32752 01 -1 +1 1x "" " 1" 99999999999999999999; do
	expect 2 "$SIM" --dir "$D" create "$bad"
done
expect 2 "$SIM" --dir "$D" create 1 2
expect 2 "$SIM" --dir "$D" shutdown
expect 2 "$SIM" --dir "$D" list 1
expect 2 "$SIM" --dir "$D" guest 1
expect 2 "$SIM" --dir "$D" guest 1 --
[ ! -e "$D" ] || fail "usage errors created $D"

# ---- create ----
expect 1 "$SIM" --dir "$D" list # no directory yet
expect 0 "$SIM" --dir "$D" create 5
same "create 5" "$out" "5 65541 1"
[ -p "$D/virq" ] || fail "no virq FIFO"
[ -p "$D/dom5/evtchn-up" ] || fail "no evtchn-up FIFO"
[ -p "$D/dom5/evtchn-down" ] || fail "no evtchn-down FIFO"
same "ring size" "$(wc -c <"$D/dom5/ring" | tr -d ' ')" 4096
same "ring zeros" "$(tr -d '\000' <"$D/dom5/ring" | wc -c | tr -d ' ')" 0
same "info" "$(cat "$D/dom5/info")" "5 65541 1"
same "info newline" "$(tail -c 1 "$D/dom5/info" | od -An -c | tr -d ' ')" '\n'
same "state" "$(cat "$D/dom5/state")" "running"
expect 1 "$SIM" --dir "$D" create 5
same "exists message" "$err" "xenstore-sim: domain 5 already exists in $D"
expect 0 "$SIM" --dir="$D" create
same "create next" "$out" "1 65537 1"
expect 0 env XENSTORE_SIM_DIR="$D" "$SIM" create
same "create from env" "$out" "2 65538 1"
expect 0 "$SIM" --dir "$D" create 32751
same "create max" "$out" "32751 98287 1"

# ---- states and the virq ----
exec 3<>"$D/virq"
# Bytes waiting on DIR/virq, drained: dd reads one byte at a time and is
# stopped by timeout once the FIFO is empty.
virq_bytes() {
	n=0
	while [ $n -lt 100 ] &&
		timeout 0.5 dd bs=1 count=1 status=none <&3 >/dev/null 2>&1; do
		n=$((n + 1))
	done
	echo $n
}
expect 0 "$SIM" --dir "$D" shutdown 5
same "shutdown state" "$(cat "$D/dom5/state")" "shutdown"
same "shutdown virq" "$(virq_bytes)" 1
expect 0 "$SIM" --dir "$D" destroy 5
same "destroy state" "$(cat "$D/dom5/state")" "dead"
same "destroy virq" "$(virq_bytes)" 1
expect 1 "$SIM" --dir "$D" shutdown 5
same "shutdown dead" "$err" "xenstore-sim: domain 5 is dead"
expect 1 "$SIM" --dir "$D" shutdown 6
same "no domain" "$err" "xenstore-sim: no domain 6 in $D"
expect 1 "$SIM" --dir "$D" destroy 6
same "no virq on failure" "$(virq_bytes)" 0

# ---- list and reap ----
expect 0 "$SIM" --dir "$D" shutdown 2
expect 0 "$SIM" --dir "$D" list
same "list" "$out" "1 running
2 shutdown
5 dead
32751 running"
printf 'garbage\n' >"$D/dom1/state"
mkdir "$D/dom007" "$D/domx" "$D/.new-dom9.1"
expect 0 "$SIM" --dir "$D" list
same "list with junk" "$out" "1 invalid
2 shutdown
5 dead
32751 running"
rmdir "$D/dom007" "$D/domx" "$D/.new-dom9.1"
expect 1 "$SIM" --dir "$D" reap 2
same "reap running" "$err" "xenstore-sim: domain 2 is shutdown; destroy it first"
expect 0 "$SIM" --dir "$D" reap 5
[ ! -e "$D/dom5" ] || fail "reap left dom5"
expect 1 "$SIM" --dir "$D" reap 5
expect 0 "$SIM" --dir "$D" reap 1 # an invalid state reads as dead
expect 0 "$SIM" --dir "$D" create 5 # the id can be used again
same "recreate" "$out" "5 65541 1"
same "leftovers" "$(ls -A "$D" "$D"/dom* | grep '^\.' || true)" ""

# ---- guest ----
expect 0 "$SIM" --dir "$D" guest 5 -- sh -c 'echo "$XENSTORE_SIM_DIR $XENSTORE_SIM_DOMID"'
same "guest env" "$out" "$(cd "$D" && pwd -P) 5"
same "guest abs dir" \
	"$(cd "$T" && "$SIM" --dir sim guest 5 sh -c 'echo "$XENSTORE_SIM_DIR"')" \
	"$(cd "$D" && pwd -P)"
expect 7 "$SIM" --dir "$D" guest 5 -- sh -c 'exit 7'
expect 127 "$SIM" --dir "$D" guest 5 -- /nonexistent/program
expect 1 "$SIM" --dir "$D" guest 6 -- true

# ---- introduce without a daemon ----
expect 1 env XENSTORED_PATH="$T/no-socket" "$SIM" --dir "$D" introduce 8
case $err in
"xenstore-sim: cannot connect to the daemon at $T/no-socket: "*) ;;
*) fail "introduce message: $err" ;;
esac
[ -d "$D/dom8" ] || fail "introduce did not create dom8"
expect 0 "$SIM" --dir "$D" destroy 8
expect 1 env XENSTORED_PATH="$T/no-socket" "$SIM" --dir "$D" introduce 8
same "introduce dead" "$err" "xenstore-sim: domain 8 is not running"

# ---- parallel creates get distinct ids ----
P=$T/par
pids=""
for i in $(seq 1 20); do
	"$SIM" --dir "$P" create >"$T/par.$i" 2>&1 &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "parallel create failed"
done
same "parallel ids" "$(cat "$T"/par.* | cut -d' ' -f1 | sort -n | tr '\n' ' ')" \
	"$(seq 1 20 | tr '\n' ' ')"
same "parallel leftovers" "$(ls -A "$P" | grep -v '^dom[0-9]*$' | grep -v '^virq$' || true)" ""

exec 3<&-
if [ "$failures" -ne 0 ]; then
	echo "test_sim_tool: $failures of $checks checks FAILED"
	exit 1
fi
echo "test_sim_tool: all $checks checks passed"
