#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A simulated guest across a crash of the daemon (--state-dir,
# docs/durability.md): domain 1 is made and introduced the way the
# toolstack does it; a guest process sets a watch on its ring and keeps
# waiting; the daemon is killed with SIGKILL and started again with the
# same state and sim directories.  The guest's ring is mapped again (its
# indexes untouched), its watch is restored and fires once (spurious
# events are allowed, missed ones are not), then fires for a change made
# after the restart, without the guest process doing anything; its nodes,
# permissions and introduced state are all there, and a new guest process
# works on the ring.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

STATE=$XS_TMP/state
xs_start_sim_daemon --state-dir "$STATE"
xs_sim_domain 1
expect_ok "guest 1 writes data/x" as_guest 1 xenstore-write data/x before
expect_ok "dom0 grants domain 2 read on data/x" \
	xenstore-chmod /local/domain/1/data/x n1 r2

# A guest process watching data/w: it holds the ring until it has seen
# three events (the initial one, the restored one, one after the restart).
as_guest 1 xenstore-watch -n 3 data/w >"$XS_TMP/gw" 2>"$XS_TMP/gw.err" &
GW_PID=$!
XS_BG_PIDS+=("$GW_PID")
xs_wait_lines "$XS_TMP/gw" 1 5 || echo "guest watch: no initial event: $(cat "$XS_TMP/gw.err")"
expect_eq "the initial event" "data/w" "$(cat "$XS_TMP/gw")"

# --- crash ---------------------------------------------------------------------
kill -KILL "$XS_DAEMON_PID"
wait "$XS_DAEMON_PID" 2>/dev/null
XS_DAEMON_PID=
xs_start_sim_daemon --state-dir "$STATE"
expect_true "the daemon logged the restored ring" \
	grep -q "state: .* 1 rings restored" "$XS_TMP/daemon.log"

xs_wait_lines "$XS_TMP/gw" 2 5
expect_eq "the restored watch fired once" "$(printf 'data/w\ndata/w')" "$(cat "$XS_TMP/gw")"
expect_ok "dom0 writes under the watched path" xenstore-write /local/domain/1/data/w/sub 1
xs_wait_pid "$GW_PID" 5
expect_eq "the guest hears of a change after the restart, on the same ring" \
	"$(printf 'data/w\ndata/w\ndata/w/sub')" "$(cat "$XS_TMP/gw")"

expect_out "the guest's node survived" "before" xenstore-read /local/domain/1/data/x
expect_msg "with its permissions" "GET_PERMS n1 r2" GET_PERMS /local/domain/1/data/x
expect_msg "the domain is still introduced" "IS_DOMAIN_INTRODUCED T" \
	IS_DOMAIN_INTRODUCED 1
expect_out "a new guest process reads through the ring" "before" \
	as_guest 1 xenstore-read data/x
expect_ok "and writes" as_guest 1 xenstore-write data/y after
expect_out "dom0 sees it" "after" xenstore-read /local/domain/1/data/y
expect_msg "CONTROL check: the accounting of the restored state is exact" \
	"CONTROL OK" CONTROL check

# A clean stop keeps it too.
xs_stop_daemon
xs_start_sim_daemon --state-dir "$STATE"
expect_out "after a clean restart, the guest still works" "after" \
	as_guest 1 xenstore-read data/y
xs_finish
