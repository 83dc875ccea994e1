#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A split-driver handshake between two simulated guests, the way a vif is
# connected under Xen: dom0 (the toolstack, as libxl__device_generic_add
# does) creates the frontend directory /local/domain/2/device/vif/0 owned
# by the frontend domain 2 and readable by the backend domain 1, and the
# backend directory /local/domain/1/backend/vif/2/0 owned by 1 and
# readable by 2, each naming the other end and holding state 1
# (Initialising).  Then both guests run at once, each a small bash loop of
# our tools under "xenstore-sim guest", waiting for the other end's state
# with xenstore-watch -n (re-reading the node after every event):
#
#   backend:  state 2 (InitWait); wait for frontend 3; state 4 (Connected);
#             wait for frontend 4
#   frontend: wait for backend 2; state 3 (Initialised); wait for
#             backend 4; state 4 (Connected)
#
# Checked: both loops finish in bounded time, the final states are 4 and
# 4, each side saw the other's transitions in order and acted only after
# them, each could watch the other end's node, and neither end may write
# the other's state.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

xs_start_sim_daemon
xs_sim_domain 1 backend
xs_sim_domain 2 frontend

FE=/local/domain/2/device/vif/0
BE=/local/domain/1/backend/vif/2/0

# --- the toolstack's part (dom0, over the socket) -------------------------------------
expect_ok "dom0 writes the frontend directory" xenstore-write \
	"$FE/backend" "$BE" "$FE/backend-id" 1 "$FE/handle" 0 \
	"$FE/mac" 00:16:3e:00:00:02 "$FE/state" 1
expect_ok "dom0 writes the backend directory" xenstore-write \
	"$BE/frontend" "$FE" "$BE/frontend-id" 2 "$BE/handle" 0 \
	"$BE/mac" 00:16:3e:00:00:02 "$BE/online" 1 "$BE/state" 1
expect_ok "frontend directory: owned by 2, readable by 1" xenstore-chmod -r "$FE" n2 r1
expect_ok "backend directory: owned by 1, readable by 2" xenstore-chmod -r "$BE" n1 r2

# --- the two drivers ---------------------------------------------------------------------

# wait_state DOMID PATH WANT LOG: as guest DOMID, until PATH reads WANT (20 s
# at most): read it, and if it is not there yet, wait for a change with
# xenstore-watch -n 2 (its initial event, then one more) and read again.
# Every value read goes to LOG as "read <value>", each watch's events as
# "event <path>".  A change that lands between the read and the watch's
# registration is seen only when the watch gives up (3 s): one process per
# guest holds the ring at a time, so the watcher cannot read in between.
# While a guest process's watch outlives the process (test_sim_guests.sh
# checks that it should not), watching the same node again fails at once
# and the loop falls back to reading every 0.1 s.
wait_state() {
	local dom=$1 path=$2 want=$3 log=$4 v end=$((SECONDS + 20))
	while [ "$SECONDS" -lt "$end" ]; do
		v=$(as_guest "$dom" xenstore-read "$path" 2>>"$log.err")
		echo "read $v" >>"$log"
		[ "$v" = "$want" ] && return 0
		as_guest "$dom" timeout 3 "$XS_BUILD/bin/xenstore-watch" -n 2 \
			"$path" 2>>"$log.err" | sed 's/^/event /' >>"$log"
		# Could not watch (or no change within 3 s): read again soon.
		[ "${PIPESTATUS[0]}" -eq 0 ] || sleep 0.1
	done
	return 1
}

# set_state DOMID PATH VALUE LOG
set_state() {
	echo "write $3" >>"$4"
	as_guest "$1" xenstore-write "$2" "$3" 2>>"$4.err"
}

backend() {
	local log=$XS_TMP/backend.log
	set_state 1 "$BE/state" 2 "$log" &&
		wait_state 1 "$FE/state" 3 "$log" &&
		set_state 1 "$BE/state" 4 "$log" &&
		wait_state 1 "$FE/state" 4 "$log" &&
		echo "done" >>"$log"
}

frontend() {
	local log=$XS_TMP/frontend.log
	wait_state 2 "$BE/state" 2 "$log" &&
		set_state 2 device/vif/0/state 3 "$log" &&
		wait_state 2 "$BE/state" 4 "$log" &&
		set_state 2 device/vif/0/state 4 "$log" &&
		echo "done" >>"$log"
}

: >"$XS_TMP/backend.log"
: >"$XS_TMP/frontend.log"
xs_bg frontend
FRONT_PID=$XS_BG
# The backend starts once the frontend has found it still at 1, so the
# frontend's first wait needs a watch whatever the timing.
xs_wait_lines "$XS_TMP/frontend.log" 1 10
xs_bg backend
BACK_PID=$XS_BG

xs_wait_pid "$FRONT_PID" 40
expect_eq "the frontend's loop finishes (status)" 0 "$XS_RC"
xs_wait_pid "$BACK_PID" 40
expect_eq "the backend's loop finishes (status)" 0 "$XS_RC"

for side in frontend backend; do
	echo "# $side: $(tr '\n' ';' <"$XS_TMP/$side.log")"
	[ -s "$XS_TMP/$side.log.err" ] && sed "s/^/# $side stderr: /" "$XS_TMP/$side.log.err"
done

expect_out "final frontend state: 4 (Connected)" 4 xenstore-read "$FE/state"
expect_out "final backend state: 4 (Connected)" 4 xenstore-read "$BE/state"
expect_out "the frontend reads its own state relative" 4 \
	as_guest 2 xenstore-read device/vif/0/state
expect_out "the backend reads its own state relative" 4 \
	as_guest 1 xenstore-read backend/vif/2/0/state

# What each side read of the other end, duplicates removed: the
# transitions it saw, in order.
seen() {
	sed -n 's/^read //p' "$XS_TMP/$1.log" | uniq | tr '\n' ' '
}
FRONT_SEEN=$(seen frontend)
BACK_SEEN=$(seen backend)
expect_true "the frontend saw the backend reach 2 and then 4 (saw: $FRONT_SEEN)" \
	grep -qE '(^| )2 (.* )?4 $' <<<"$FRONT_SEEN"
expect_true "the backend saw the frontend reach 3 and then 4 (saw: $BACK_SEEN)" \
	grep -qE '(^| )3 (.* )?4 $' <<<"$BACK_SEEN"
expect_true "the frontend never saw a state the backend did not write (saw: $FRONT_SEEN)" \
	grep -qE '^([124] )+$' <<<"$FRONT_SEEN"
expect_true "the backend never saw a state the frontend did not write (saw: $BACK_SEEN)" \
	grep -qE '^([134] )+$' <<<"$BACK_SEEN"
# after LOG FIRST THEN: line THEN comes, and only after a line FIRST.
after() {
	awk -v a="$2" -v b="$3" '$0 == a { seen = 1 } $0 == b { ok = seen; found = 1; exit }
		END { exit !(found && ok) }' "$1"
}
expect_true "the frontend wrote 3 only after reading the backend's 2" \
	after "$XS_TMP/frontend.log" "read 2" "write 3"
expect_true "the frontend wrote 4 only after reading the backend's 4" \
	after "$XS_TMP/frontend.log" "read 4" "write 4"
expect_true "the backend wrote 4 only after reading the frontend's 3" \
	after "$XS_TMP/backend.log" "read 3" "write 4"
# The frontend's first wait needed a change (see above), so it set a watch
# on the backend's node and its initial event came.  Whether the backend's
# waits needed one depends on timing, but every wait that did - a read not
# the last of its wait - must have been followed by a watch (an event
# line), never by a fallback read.
expect_true "the frontend watched the backend's state" \
	grep -qx "event $BE/state" "$XS_TMP/frontend.log"
for side in frontend backend; do
	expect_true "the $side could watch whenever it waited" \
		awk 'prev ~ /^read / && /^read / { bad = 1 } { prev = $0 } END { exit bad }' \
		"$XS_TMP/$side.log"
done

# --- neither end may write the other's node ------------------------------------------------
expect_err "the frontend cannot write the backend's state" 1 \
	"xenstore-write: could not write path $BE/state" as_guest 2 xenstore-write "$BE/state" 6
expect_err "the backend cannot write the frontend's state" 1 \
	"xenstore-write: could not write path $FE/state" as_guest 1 xenstore-write "$FE/state" 6
expect_out "the backend reads the frontend's mac" 00:16:3e:00:00:02 \
	as_guest 1 xenstore-read "$FE/mac"
expect_out "the frontend reads where its backend is" "$BE" as_guest 2 xenstore-read device/vif/0/backend

expect_alive
xs_finish
