#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Hostile simulated guests against the shared ring (docs/sim.md,
# xenstore-ring.txt; HOSTILE.md "Ring and transport"), through ring_poke,
# which writes the page's fields and the event-channel FIFOs directly and
# sends raw requests.  A guest whose request producer runs more than 1024
# bytes ahead (cons + 2000, 0xffffffff), whose response consumer is out of
# range, or that announces a message over 4096 bytes (4097, 0xffffffff)
# gets error indicator 2 or 3 and is no longer served, while other guests
# and dom0 carry on, the daemon lives and the domain stays introduced
# (XSA-325).  Ring reconnection (connection = 1, then a notification)
# resets the four indexes to 0, clears the error and the connection field,
# drops the old connection's watches and transactions, and the guest can
# talk again.  Also: the feature bits read 7 once introduced (0 before),
# indexes wrap at 2^32, a request larger than the ring passes in pieces,
# unknown message types get ENOSYS on a usable connection, odd
# /local/domain/ paths get errors (XSA-481), a partial header left in the
# ring harms no one, a guest that never reads the events it asked for
# slows no one, and notification storms on a guest's event channel and
# on the VIRQ leave the daemon responsive.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

xs_start_sim_daemon
for n in 1 2 3; do
	xs_sim_domain "$n"
done

# field N NAME [VALUE]: read (print) or set a field of guest N's ring page.
field() {
	if [ $# -eq 3 ]; then
		"$RING_POKE" "$XS_SIM_DIR/dom$1/ring" set "$2" "$3"
	else
		"$RING_POKE" "$XS_SIM_DIR/dom$1/ring" get "$2"
	fi
}

# kick N: one notification from guest N to the daemon.
kick() {
	"$RING_POKE" notify "$XS_SIM_DIR/dom$1/evtchn-up"
}

# field_becomes N NAME VALUE: wait up to 5 s for the field to read VALUE.
field_becomes() {
	for _ in $(seq 100); do
		[ "$(field "$1" "$2")" = "$3" ] && return 0
		sleep 0.05
	done
	return 1
}

# indexes N: "req_cons req_prod rsp_cons rsp_prod" of guest N.
indexes() {
	echo "$(field "$1" req_cons) $(field "$1" req_prod)" \
		"$(field "$1" rsp_cons) $(field "$1" rsp_prod)"
}

# reconnect N: ask for a fresh ring as xenstore-ring.txt describes.
reconnect() {
	field "$1" connection 1 && kick "$1" && field_becomes "$1" connection 0
}

# others_fine DESC: dom0 and guest 2 or 3 still served, daemon alive.
others_fine() {
	local g=$1
	expect_out "guest $g is still served" "guest$g" as_guest "$g" xenstore-read name
	expect_ok "dom0 is still served" xenstore-write /dom0/alive "$RANDOM"
	expect_alive
}

# --- features ---------------------------------------------------------------------------
expect_ok "xenstore-sim create 7 (not introduced)" xs_sim create 7
expect_out "feature bits before introduction: 0" 0 field 7 server_features
expect_ok "introduce 7" xs_sim introduce 7
for n in 1 2 3 7; do
	expect_out "guest $n: feature bits 7 (reconnection, error, watch depth)" 7 \
		field "$n" server_features
done
expect_out "connection field 0, error 0" "0 0" \
	echo "$(field 1 connection) $(field 1 error)"

# --- a producer index far ahead -----------------------------------------------------
expect_ok "guest 1 writes data/x" as_guest 1 xenstore-write data/x one
expect_msg "guest 1 leaves a watch" "$(printf 'WATCH OK\nWATCH_EVENT data tok1')" \
	-e 1 -g "$XS_SIM_DIR" 1 WATCH data tok1
xs_run "$RING_POKE" msg -g "$XS_SIM_DIR" 1 TRANSACTION_START ""
TX1=${XS_OUT#TRANSACTION_START }
expect_true "and a transaction ($XS_OUT)" grep -qE '^[0-9]+$' <<<"$TX1"
CONS=$(field 1 req_cons)
expect_ok "guest 1 sets req_prod = req_cons + 2000" field 1 req_prod $(((CONS + 2000) & 0xffffffff))
expect_ok "and notifies" kick 1
expect_true "the daemon sets error indicator 2" field_becomes 1 error 2
expect_fail "guest 1's tool fails at once (the library sees the indicator)" \
	as_guest 1 xenstore-read data/x
others_fine 2
expect_msg "domain 1 is still introduced (XSA-325)" "IS_DOMAIN_INTRODUCED T" \
	IS_DOMAIN_INTRODUCED 1
expect_out "its nodes stay" one xenstore-read /local/domain/1/data/x
# The daemon stopped serving the ring, not just the guest's library: with
# sane indexes and the indicator cleared by the guest, nothing answers.
expect_ok "guest 1 puts req_prod back" field 1 req_prod "$CONS"
expect_ok "and clears the indicator itself" field 1 error 0
expect_err "a request on the stopped ring gets no answer" 1 "ring_poke: time limit reached" \
	"$RING_POKE" msg -t 1 -g "$XS_SIM_DIR" 1 READ data/x

expect_true "reconnection: the daemon sets the connection field back to 0" reconnect 1
expect_out "and the indexes to 0" "0 0 0 0" indexes 1
expect_out "and the error indicator to 0" 0 field 1 error
expect_out "the feature bits stay" 7 field 1 server_features
expect_out "guest 1 talks again" one as_guest 1 xenstore-read data/x
expect_ok "and writes" as_guest 1 xenstore-write data/y two
expect_out "dom0 sees it" two xenstore-read /local/domain/1/data/y
expect_msg "the old connection's watch is gone (the same one can be set)" \
	"$(printf 'WATCH OK\nWATCH_EVENT data tok1')" -e 1 -g "$XS_SIM_DIR" 1 WATCH data tok1
expect_msg "the old connection's transaction is gone" "ERROR ENOENT" \
	-T "$TX1" -g "$XS_SIM_DIR" 1 READ data/x

# --- req_prod = 0xffffffff ------------------------------------------------------------
expect_ok "guest 2 sets req_prod = 0xffffffff" field 2 req_prod 0xffffffff
expect_ok "and notifies" kick 2
expect_true "the daemon sets error indicator 2" field_becomes 2 error 2
others_fine 3
expect_msg "domain 2 is still introduced" "IS_DOMAIN_INTRODUCED T" IS_DOMAIN_INTRODUCED 2
expect_true "reconnection" reconnect 2
expect_out "indexes 0, error 0" "0 0 0 0 0" echo "$(indexes 2) $(field 2 error)"
expect_out "guest 2 talks again" guest2 as_guest 2 xenstore-read name

# --- a response consumer out of range -----------------------------------------------
expect_msg "guest 3 sets a watch" "$(printf 'WATCH OK\nWATCH_EVENT data tok3')" \
	-e 1 -g "$XS_SIM_DIR" 3 WATCH data tok3
PROD=$(field 3 rsp_prod)
expect_ok "guest 3 sets rsp_cons = rsp_prod + 5000" field 3 rsp_cons $(((PROD + 5000) & 0xffffffff))
expect_ok "dom0 changes the watched node (an event for guest 3)" \
	xenstore-write /local/domain/3/data/ev 1
expect_true "the daemon sets error indicator 2 instead of writing" field_becomes 3 error 2
expect_out "and did not move rsp_prod" "$PROD" field 3 rsp_prod
others_fine 1
expect_true "reconnection" reconnect 3
expect_out "guest 3 talks again" guest3 as_guest 3 xenstore-read name

# --- announced lengths over 4096 ---------------------------------------------------------
expect_err "guest 3 announces a 4097-byte payload: error indicator 3" 1 \
	"ring_poke: ring error indicator 3" "$RING_POKE" msg -l 4097 -g "$XS_SIM_DIR" 3 READ name
expect_out "the field reads 3" 3 field 3 error
others_fine 2
expect_true "reconnection" reconnect 3
expect_out "guest 3 talks again" guest3 as_guest 3 xenstore-read name
expect_err "guest 2 announces 0xffffffff bytes: error indicator 3" 1 \
	"ring_poke: ring error indicator 3" "$RING_POKE" msg -l 0xffffffff -g "$XS_SIM_DIR" 2 READ name
others_fine 3
expect_true "reconnection" reconnect 2
expect_out "guest 2 talks again" guest2 as_guest 2 xenstore-read name
# A 4096-byte payload is allowed (the node-size quota may refuse it).
xs_run "$RING_POKE" msg -g "$XS_SIM_DIR" 2 WRITE data/max "$(head -c $((4096 - 9)) /dev/zero | tr '\0' v)"
expect_true "a 4096-byte payload gets a reply ($XS_OUT$XS_ERR)" grep -qE '^(WRITE OK|ERROR E[A-Z0-9]+)$' <<<"$XS_OUT"
expect_out "and no error indicator" 0 field 2 error

# --- indexes wrapping at 2^32 ----------------------------------------------------------
W=$((0xffffffff - 300))
for f in req_cons req_prod rsp_cons rsp_prod; do
	field 3 "$f" "$W"
done
BIG=$(head -c 1500 /dev/zero | tr '\0' w)
expect_ok "with every index at 2^32 - 301, guest 3 writes 1500 bytes" \
	as_guest 3 xenstore-write data/wrap "$BIG"
expect_out "and reads them back" "$BIG" as_guest 3 xenstore-read data/wrap
expect_true "the indexes wrapped past 0 ($(indexes 3))" \
	test "$(field 3 req_prod)" -lt "$W" -a "$(field 3 rsp_prod)" -lt "$W"
expect_out "no error" 0 field 3 error

# --- unknown types, odd paths -----------------------------------------------------------
for t in 27 99 0xffff 15 16; do
	expect_msg "message type $t: ENOSYS" "ERROR ENOSYS" -g "$XS_SIM_DIR" 1 "$t" x
done
expect_out "the connection still works" one as_guest 1 xenstore-read data/x
expect_msg "READ /local/domain/ (XSA-481): EINVAL" "ERROR EINVAL" \
	-g "$XS_SIM_DIR" 1 READ /local/domain/
for p in /local/domain/99999/x /local/domain/-1/x /local/domain/007/x /local/domain//x; do
	xs_run "$RING_POKE" msg -g "$XS_SIM_DIR" 1 WRITE "$p" v
	expect_true "WRITE $p: an error ($XS_OUT)" grep -qE '^ERROR E[A-Z]+$' <<<"$XS_OUT"
done
expect_out "the connection still works" one as_guest 1 xenstore-read data/x

# --- a partial header left in the ring ------------------------------------------------
CONS=$(field 1 req_cons)
expect_ok "guest 1 publishes 5 bytes of a header and stops" \
	field 1 req_prod $(((CONS + 5) & 0xffffffff))
expect_ok "and notifies" kick 1
others_fine 2
expect_out "no error for a message not yet complete" 0 field 1 error
expect_true "reconnection clears it" reconnect 1
expect_out "guest 1 talks again" one as_guest 1 xenstore-read data/x

# --- a guest that never reads its events --------------------------------------------------
expect_msg "guest 2 sets a watch on its data and reads nothing more" \
	"$(printf 'WATCH OK\nWATCH_EVENT data flood')" -e 1 -g "$XS_SIM_DIR" 2 WATCH data flood
FLOOD=()
for i in $(seq 500); do
	FLOOD+=("/local/domain/2/data/f$i" v)
done
for k in 1 2 3; do
	expect_ok "dom0 writes 500 nodes under it (events for guest 2), round $k" \
		xenstore-write "${FLOOD[@]}"
done
expect_ok "dom0 is served" xenstore-write /dom0/after-flood 1
expect_out "guest 3 is served" guest3 as_guest 3 xenstore-read name
expect_out "guest 2's response ring holds no more than it can (error 0)" 0 field 2 error
expect_out "guest 2 itself is served, past the backlog" guest2 as_guest 2 xenstore-read name

# --- notification storms --------------------------------------------------------------------
xs_bg "$RING_POKE" notify "$XS_SIM_DIR/dom1/evtchn-up" 200000
STORM=$XS_BG
xs_bg "$RING_POKE" notify "$XS_SIM_DIR/virq" 20000
VSTORM=$XS_BG
for i in 1 2 3; do
	expect_out "during the storms: guest 2 read $i" guest2 as_guest 2 xenstore-read name
	expect_ok "during the storms: dom0 write $i" xenstore-write /dom0/storm "$i"
done
xs_wait_pid "$STORM" 30
expect_eq "200000 notifications from guest 1 were all taken" 0 "$XS_RC"
xs_wait_pid "$VSTORM" 30
expect_eq "20000 VIRQ bytes were all taken" 0 "$XS_RC"
expect_out "guest 1 is served after its storm" one as_guest 1 xenstore-read data/x
for n in 1 2 3 7; do
	expect_msg "domain $n is still introduced" "IS_DOMAIN_INTRODUCED T" IS_DOMAIN_INTRODUCED "$n"
done

expect_alive
xs_finish
