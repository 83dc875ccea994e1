#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The hostile-input catalogue (docs/hostile.md), the attacks that need
# guest domains over the simulated hypervisor (docs/sim.md): what happens
# when the hypervisor takes a domain away in the middle of something.
#
# - A guest fills its node quota through its ring: the 1000th node it
#   would own is refused (ENOSPC), a neighbour and dom0 carry on; when it
#   is destroyed its nodes go, and a new domain with the same id has the
#   whole quota again (XSA-483).
# - A guest is destroyed with a transaction open (writes in it), watches
#   set, and half a request published in its ring: none of it survives,
#   @releaseDomain fires once, the transaction's writes never reach the
#   store.
# - A guest granted access to dom0's node and to @releaseDomain dies; a
#   new domain with the same id cannot read the node (XSA-322; also in
#   test_sim_lifecycle.sh), the old entry is still listed, and a fresh
#   grant of @releaseDomain works.
#
# After each, a bystander guest's write, read and watch give exact
# answers, and CONTROL memreport gives back the baseline taken before the
# attacker existed: nodes, watches, transactions and connections exactly,
# the heap in use within 64 KiB (indexes that keep their peak size; see
# tests/proto/attack.h) - unless the heap reads 0, as under
# AddressSanitizer, whose allocator mallinfo2() does not see.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

HEAP_SLACK=$((64 * 1024))

xs_start_sim_daemon
xs_sim_domain 2 bystander

# memreport LINE: the number on that line of CONTROL memreport.
memreport() {
	"$XS_BUILD/bin/xenstore-control" memreport </dev/null |
		sed -n "s/^$1: \([0-9]*\).*/\1/p"
}

# snapshot: the counted lines, one string ("nodes watches txns conns").
snapshot() {
	echo "$(memreport nodes) $(memreport watches) $(memreport transactions)" \
		"$(memreport connections)"
}

# expect_baseline DESC COUNTS HEAP: back to that snapshot (waiting up to
# 5 s for the daemon to notice everything), heap within the slack.
expect_baseline() {
	local desc=$1 counts=$2 heap=$3 now
	for _ in $(seq 50); do
		now=$(snapshot)
		[ "$now" = "$counts" ] && break
		sleep 0.1
	done
	expect_eq "$desc: nodes, watches, transactions, connections as before" \
		"$counts" "$now"
	now=$(memreport 'heap in use')
	if [ "$heap" -eq 0 ]; then
		echo "# heap in use reads 0 (a sanitizer's allocator): not judged"
	else
		echo "# heap in use: $heap before, $now after"
		expect_true "$desc: heap in use back within $HEAP_SLACK bytes" \
			test "$now" -le $((heap + HEAP_SLACK))
	fi
}

# bystander_ok DESC: guest 2, the bystander, sets a watch on its data
# over its ring and waits for two events (ring_poke holds the ring
# meanwhile, so the write comes from dom0): the initial one and exactly
# that of the write; then it writes a node of its own and reads both back
# (through the library, which starts from a reconnected ring and so drops
# the watch again).
BY_ROUND=0
bystander_ok() {
	local out=$XS_TMP/by.out
	BY_ROUND=$((BY_ROUND + 1))
	xs_bg "$RING_POKE" msg -e 2 -t 10 -g "$XS_SIM_DIR" 2 WATCH data "by$BY_ROUND" \
		>"$out" 2>&1
	local pid=$XS_BG
	xs_wait_lines "$out" 2 5
	expect_ok "$1: dom0 writes the bystander's data/k" \
		xenstore-write /local/domain/2/data/k "r$BY_ROUND"
	xs_wait_pid "$pid" 10
	expect_out "$1: the bystander's watch hears exactly that write" \
		"$(printf 'WATCH OK\nWATCH_EVENT data by%s\nWATCH_EVENT data/k by%s' \
			"$BY_ROUND" "$BY_ROUND")" cat "$out"
	expect_ok "$1: the bystander writes" as_guest 2 xenstore-write data/own "o$BY_ROUND"
	expect_out "$1: and reads back" "$(printf 'r%s\no%s' "$BY_ROUND" "$BY_ROUND")" \
		as_guest 2 xenstore-read data/k data/own
}

# A first round, so that the bystander's node is in every baseline.
bystander_ok "set-up"

# --- a guest fills its node quota over its ring; XSA-483 ----------------------
BASE=$(snapshot)
HEAP=$(memreport 'heap in use')
xs_sim_domain 5 filler
# Its home gives it a few nodes of its own (data, control/shutdown: see
# xs_sim_domain): count them, then fill up to 1000.
xs_run "$XS_BUILD/bin/xenstore-control" quota 5
OWNED=$(sed -n 's/^nodes *: *\([0-9]*\) .*/\1/p' <<<"$XS_OUT")
expect_true "domain 5 owns a few nodes at the start ($OWNED)" test "${OWNED:-0}" -ge 1
ARGS=()
for i in $(seq $((1000 - OWNED))); do
	ARGS+=("data/n$i" v)
done
expect_ok "guest 5 writes its remaining $((1000 - OWNED)) nodes in one go" \
	as_guest 5 xenstore-write "${ARGS[@]}"
expect_msg "the next one: ENOSPC" "ERROR ENOSPC" -g "$XS_SIM_DIR" 5 WRITE data/over v
expect_msg "also below a node it owns" "ERROR ENOSPC" -g "$XS_SIM_DIR" 5 WRITE data/n1/c v
expect_msg "overwriting is fine" "WRITE OK" -g "$XS_SIM_DIR" 5 WRITE data/n1 w
bystander_ok "guest 5 at its quota"
expect_ok "dom0 is served" xenstore-write /dom0/x 1
expect_ok "xenstore-sim destroy 5" xs_sim destroy 5
expect_ok "xenstore-sim reap 5" xs_sim reap 5
expect_fail "its nodes are gone" xenstore-exists /local/domain/5/data/n1
xs_sim_domain 5 filler-again
xs_run "$XS_BUILD/bin/xenstore-control" quota 5
expect_true "a new domain 5 starts from $OWNED nodes, not 1000 (XSA-483)" \
	grep -qE "^nodes +: +$OWNED / 1000\$" <<<"$XS_OUT"
ARGS=()
for i in $(seq $((1000 - OWNED))); do
	ARGS+=("data/m$i" v)
done
expect_ok "and can write $((1000 - OWNED)) nodes again" as_guest 5 xenstore-write "${ARGS[@]}"
expect_msg "and then no more" "ERROR ENOSPC" -g "$XS_SIM_DIR" 5 WRITE data/over v
expect_ok "xenstore-sim destroy 5" xs_sim destroy 5
expect_ok "xenstore-sim reap 5" xs_sim reap 5
expect_ok "dom0 removes its home, as the toolstack does" xenstore-rm /local/domain/5
expect_ok "and its own node" xenstore-rm /dom0
bystander_ok "after the filler"
expect_baseline "after the filler" "$BASE" "$HEAP"

# --- destroyed mid-transaction, with watches, mid-message -----------------------
BASE=$(snapshot)
HEAP=$(memreport 'heap in use')
xs_sim_domain 6 victim
xs_run "$RING_POKE" msg -g "$XS_SIM_DIR" 6 TRANSACTION_START ""
TX=${XS_OUT#TRANSACTION_START }
expect_true "guest 6 starts a transaction ($XS_OUT)" grep -qE '^[0-9]+$' <<<"$TX"
for i in 1 2 3; do
	expect_msg "and writes in it ($i)" "WRITE OK" -T "$TX" -g "$XS_SIM_DIR" 6 \
		WRITE "data/tx$i" "value $i"
done
for i in 1 2 3; do
	expect_msg "guest 6 sets watch $i" "$(printf 'WATCH OK\nWATCH_EVENT / w%s' "$i")" \
		-e 1 -g "$XS_SIM_DIR" 6 WATCH / "w$i"
done
xs_run "$XS_BUILD/bin/xenstore-control" quota 6
expect_true "quota 6: 1 transaction" grep -qE '^transactions +: +1 / 10$' <<<"$XS_OUT"
expect_true "quota 6: 3 watches" grep -qE '^watches +: +3 / 128$' <<<"$XS_OUT"
CONS=$("$RING_POKE" "$XS_SIM_DIR/dom6/ring" get req_cons)
expect_ok "guest 6 publishes 12 bytes of a request (a header and a half)" \
	"$RING_POKE" "$XS_SIM_DIR/dom6/ring" set req_prod $(((CONS + 12) & 0xffffffff))
expect_ok "and notifies" "$RING_POKE" notify "$XS_SIM_DIR/dom6/evtchn-up"
XENSTORED_PATH=$XS_SOCK xs_bg timeout 30 xenstore-watch -n 2 @releaseDomain \
	>"$XS_TMP/rel" 2>&1
REL=$XS_BG
xs_wait_lines "$XS_TMP/rel" 1 5
expect_ok "xenstore-sim destroy 6" xs_sim destroy 6
xs_wait_pid "$REL" 10
expect_out "@releaseDomain fires once (initial event, then one)" \
	"$(printf '@releaseDomain\n@releaseDomain')" cat "$XS_TMP/rel"
expect_msg "domain 6 is no longer introduced" "IS_DOMAIN_INTRODUCED F" IS_DOMAIN_INTRODUCED 6
for i in 1 2 3; do
	expect_fail "its transaction's write $i never reached the store" \
		xenstore-exists "/local/domain/6/data/tx$i"
done
bystander_ok "guest 6 destroyed"
expect_ok "xenstore-sim reap 6" xs_sim reap 6
expect_ok "dom0 removes its home" xenstore-rm /local/domain/6
expect_baseline "after guest 6" "$BASE" "$HEAP"

# --- stale permissions on a node and on @releaseDomain (XSA-322) ---------------
BASE=$(snapshot)
HEAP=$(memreport 'heap in use')
xs_sim_domain 7 granted
expect_ok "dom0 writes /secret7" xenstore-write /secret7 s
expect_ok "and grants domain 7 read" xenstore-chmod /secret7 n0 r7
expect_ok "and grants domain 7 @releaseDomain" xenstore-chmod @releaseDomain n0 r7
expect_out "guest 7 reads /secret7" s as_guest 7 xenstore-read /secret7
expect_ok "xenstore-sim destroy 7" xs_sim destroy 7
expect_ok "xenstore-sim reap 7" xs_sim reap 7
xs_sim_domain 7 newcomer
expect_err "a new domain 7 cannot read /secret7" 1 \
	"xenstore-read: couldn't read path /secret7" as_guest 7 xenstore-read /secret7
expect_msg "the grant still reads as set: entries are ignored, not dropped" \
	"GET_PERMS n0 r7" GET_PERMS /secret7
# Nor does it hear of /secret7 or of deaths through the old grants: only
# the initial event of each watch.
xs_bg "$RING_POKE" msg -e 2 -t 3 -g "$XS_SIM_DIR" 7 WATCH /secret7 s7 \
	>"$XS_TMP/sec7" 2>/dev/null
SEC7=$XS_BG
xs_wait_lines "$XS_TMP/sec7" 2 5
expect_ok "dom0 writes /secret7 again" xenstore-write /secret7 t
xs_wait_pid "$SEC7" 10
expect_eq "the new domain 7 hears only the initial event of /secret7" \
	"$(printf 'WATCH OK\nWATCH_EVENT /secret7 s7')" "$(cat "$XS_TMP/sec7")"
xs_bg "$RING_POKE" msg -e 2 -t 3 -g "$XS_SIM_DIR" 7 WATCH @releaseDomain r7a \
	>"$XS_TMP/rel7a" 2>/dev/null
REL7A=$XS_BG
xs_wait_lines "$XS_TMP/rel7a" 2 5
xs_sim_domain 8 mortal
expect_ok "domain 8 dies" xs_sim destroy 8
xs_wait_pid "$REL7A" 10
expect_eq "nor of a death through the old @releaseDomain grant" \
	"$(printf 'WATCH OK\nWATCH_EVENT @releaseDomain r7a')" "$(cat "$XS_TMP/rel7a")"
expect_ok "dom0 grants the new domain 7 @releaseDomain" xenstore-chmod @releaseDomain n0 r7
xs_bg "$RING_POKE" msg -e 2 -t 10 -g "$XS_SIM_DIR" 7 WATCH @releaseDomain r7b \
	>"$XS_TMP/rel7b" 2>&1
REL7B=$XS_BG
xs_wait_lines "$XS_TMP/rel7b" 1 5
xs_sim_domain 9 mortal
expect_ok "domain 9 dies" xs_sim destroy 9
xs_wait_pid "$REL7B" 10
expect_eq "granted afresh, it hears the next death" \
	"$(printf 'WATCH OK\nWATCH_EVENT @releaseDomain r7b\nWATCH_EVENT @releaseDomain r7b')" \
	"$(cat "$XS_TMP/rel7b")"
bystander_ok "after the id reuse"
for n in 7 8 9; do
	[ "$n" = 7 ] && xs_sim destroy 7 >/dev/null
	xs_sim reap "$n" >/dev/null
	xenstore-rm "/local/domain/$n"
done
expect_ok "dom0 removes /secret7" xenstore-rm /secret7
expect_ok "and restores @releaseDomain's permissions" xenstore-chmod @releaseDomain n0
expect_baseline "after the id reuse" "$BASE" "$HEAP"

expect_alive
xs_finish
