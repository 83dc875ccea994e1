#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Live update (docs/live-update.md) driven by Debian's xenstore-control,
# five times in a row, under load: a socket client (lu_load) keeps eight
# pipelined WRITEs in flight and checks that every reply comes exactly
# once and in order, with a watch set and a transaction open across all
# updates that commits at the end; dom0 and a simulated guest (over its
# ring) keep watches that must fire after each update; another guest
# writes over its ring in a loop and no write may fail.  The daemon keeps
# its pid, nodes and quotas, and passes CONTROL check after each update.
# A binary that cannot be run is refused and the daemon goes on.  Then
# `xenstore-control state-save` and `xenstored --restore` carry the tree
# to a fresh daemon.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

LU_LOAD=$XS_BUILD/tests/tools/lu_load
[ -x "$LU_LOAD" ] || xs_die "$LU_LOAD not built"
ROUNDS=5

xs_start_sim_daemon
PID0=$XS_DAEMON_PID
xs_sim_domain 1
xs_sim_domain 2

expect_ok "a quota set before the updates" xs_exec "$XS_CONTROL" quota set nodes 4321

# Watchers: dom0 on /ctl over the socket, guest 1 on its data/ over its ring.
XENSTORED_PATH=$XS_SOCK xs_bg timeout 60 xenstore-watch /ctl >"$XS_TMP/w0" 2>&1
W0=$XS_BG
xs_bg timeout 60 "$XS_SIM_TOOL" --dir "$XS_SIM_DIR" guest 1 -- \
	"$XS_BUILD/bin/xenstore-watch" data >"$XS_TMP/w1" 2>&1
W1=$XS_BG
xs_wait_lines "$XS_TMP/w0" 1 5
xs_wait_lines "$XS_TMP/w1" 1 5

# Guest 2 writes in a loop over its ring until told to stop.
(
	i=0
	while [ ! -e "$XS_TMP/stop" ]; do
		i=$((i + 1))
		timeout 20 "$XS_SIM_TOOL" --dir "$XS_SIM_DIR" guest 2 -- \
			"$XS_BUILD/bin/xenstore-write" "data/k$((i % 10))" "$i" \
			>/dev/null 2>>"$XS_TMP/g2.err" || echo "write $i failed" >>"$XS_TMP/g2.fail"
	done
	echo "$i" >"$XS_TMP/g2.count"
) </dev/null &
G2=$!
XS_BG_PIDS+=("$G2")

xs_bg "$LU_LOAD" "$XS_SOCK" "$XS_TMP/stop" >"$XS_TMP/load.out" 2>&1
LOAD=$XS_BG

for r in $(seq $ROUNDS); do
	expect_out "live update $r: OK" "" \
		"$XS_CONTROL" live-update -f "$XENSTORED_BIN"
	expect_true "live update $r: the same process" [ "$XS_DAEMON_PID" = "$PID0" ]
	expect_alive "live update $r: daemon alive"
	expect_out "live update $r: CONTROL check" "OK" "$XS_CONTROL" check
	expect_ok "live update $r: dom0 writes" xs_exec xenstore-write "/ctl/r$r" "$r" \
		"/local/domain/1/data/round$r" "$r"
done
expect_out "quota kept across updates" "4321" \
	bash -c "'$XS_CONTROL' quota | awk '\$1 == \"nodes\" { print \$3 }'"

expect_err "a binary that cannot run is refused" 3 \
	"$(printf 'Setting update binary failed:\nBinary not executable')" \
	"$XS_CONTROL" live-update -f /nonexistent/xenstored
expect_alive "the daemon goes on after a refused update"

# Stop the load: every reply came once, in order; the transaction commits.
touch "$XS_TMP/stop"
xs_wait_pid "$LOAD" 30
expect_true "lu_load: every request answered once, in order; transaction committed" \
	grep -Eq '^replies [0-9]+ events yes$' "$XS_TMP/load.out"
[ "$XS_RC" = 0 ] || echo "lu_load: $(cat "$XS_TMP/load.out")"
expect_out "the transaction's write is in the tree" "committed" xenstore-read /lutxn/v

xs_wait_pid "$G2" 30
expect_true "guest 2 wrote over its ring throughout" [ -s "$XS_TMP/g2.count" ]
expect_true "no guest write failed" [ ! -e "$XS_TMP/g2.fail" ]
[ -e "$XS_TMP/g2.fail" ] && head -3 "$XS_TMP/g2.fail" "$XS_TMP/g2.err"

# Watches fired after every update, over the socket and over the ring.
xs_wait_lines "$XS_TMP/w0" $((ROUNDS + 1)) 5
xs_wait_lines "$XS_TMP/w1" $((ROUNDS + 1)) 5
expect_out "dom0's watch fired after each update" \
	"$(printf '/ctl\n'; for r in $(seq $ROUNDS); do printf '/ctl/r%s\n' "$r"; done)" \
	cat "$XS_TMP/w0"
expect_out "guest 1's watch (over its ring) fired after each update" \
	"$(printf 'data\n'; for r in $(seq $ROUNDS); do printf 'data/round%s\n' "$r"; done)" \
	grep -v '^data/k' "$XS_TMP/w1"
xs_stop_pid "$W0"
xs_stop_pid "$W1"

# A state dump, loaded by a fresh daemon.
xs_exec xenstore-ls -p / >"$XS_TMP/tree.before"
expect_out "state-save" "OK" "$XS_CONTROL" state-save "$XS_TMP/state"
xs_stop_daemon
xs_start_daemon --restore "$XS_TMP/state"
xs_exec xenstore-ls -p / >"$XS_TMP/tree.after"
expect_ok "--restore brings back the same tree" \
	diff "$XS_TMP/tree.before" "$XS_TMP/tree.after"
expect_out "--restore: CONTROL check" "OK" "$XS_CONTROL" check

xs_finish
