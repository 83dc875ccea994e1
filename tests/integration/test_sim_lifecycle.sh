#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The life cycle of simulated guest domains as the hypervisor reports it
# (xenstore-sim shutdown / destroy: a state file and a VIRQ_DOM_EXC byte).
# Destroying a domain fires @releaseDomain, @releaseDomain/<domid> for a
# depth-1 watch (a raw WATCH with depth 1, through ring_poke: Xen's
# xenstore-watch has no depth) and for a watch on @releaseDomain/<domid>
# itself, and removes every node the domain owned - in its home and
# elsewhere, firing watches on them - but not its home, which dom0 owns
# (the toolstack removes it, as libxl does), and drops its watches and
# transactions (xenstore-control quota <domid>, as Xen 4.17 prints it).
# A shut-down domain fires @releaseDomain once, not again on later
# VIRQs, until RESUME re-arms it; it stays introduced and served.  Domain
# id reuse (XSA-322): a permission granted to domain 6 does not carry
# over to a new domain 6.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

xs_start_sim_daemon
for n in 3 4 5 6; do
	xs_sim_domain "$n"
done

# bg_watch NAME N PATH: dom0 (Debian's xenstore-watch) collects N events of
# PATH in $XS_TMP/NAME; waits for the first (the watch is set).
bg_watch() {
	XENSTORED_PATH=$XS_SOCK xs_bg timeout 30 xenstore-watch -n "$2" "$3" \
		>"$XS_TMP/$1" 2>"$XS_TMP/$1.err"
	printf -v "PID_$1" '%s' "$XS_BG"
	xs_wait_lines "$XS_TMP/$1" 1 5 || echo "watch $1: no initial event: $(cat "$XS_TMP/$1.err")"
}

# bg_depth_watch NAME N TOKEN: a raw WATCH @releaseDomain TOKEN 1 (depth
# 1: events name the domain), its reply and the first N events in
# $XS_TMP/NAME; waits for the initial event.
bg_depth_watch() {
	xs_bg "$RING_POKE" msg -t 30 -e "$2" WATCH @releaseDomain "$3" 1 \
		>"$XS_TMP/$1" 2>"$XS_TMP/$1.err"
	printf -v "PID_$1" '%s' "$XS_BG"
	xs_wait_lines "$XS_TMP/$1" 2 5 || echo "watch $1: no initial event: $(cat "$XS_TMP/$1.err")"
}

# collected NAME [SECONDS]: wait until that watcher has had all its events
# (default 5 s), then print what it printed.
collected() {
	local pid_var=PID_$1
	xs_wait_pid "${!pid_var}" "${2:-5}"
	cat "$XS_TMP/$1"
}

# --- a domain's nodes, watches and transactions --------------------------------------
expect_ok "set-up: /pool where domain 3 may create nodes" xenstore-write /pool ""
expect_ok "set-up: /pool n0 b3" xenstore-chmod /pool n0 b3
expect_ok "guest 3 writes in its home" as_guest 3 xenstore-write data/x 1 data/y/z 2
expect_ok "guest 3 creates nodes outside its home" as_guest 3 xenstore-write /pool/g3/deep 1
expect_ok "dom0 adds a node under guest 3's" xenstore-write /local/domain/3/data/by-dom0 0
expect_ok "and makes it its own" xenstore-chmod /local/domain/3/data/by-dom0 n0 r3
expect_true "the nodes guest 3 created are its own" \
	grep -q '^GET_PERMS n3' <("$RING_POKE" msg GET_PERMS /pool/g3/deep)
expect_msg "guest 3 leaves a watch on its connection" \
	"$(printf 'WATCH OK\nWATCH_EVENT /pool tok3')" -e 1 -g "$XS_SIM_DIR" 3 WATCH /pool tok3
xs_run "$RING_POKE" msg -g "$XS_SIM_DIR" 3 TRANSACTION_START ""
expect_true "guest 3 leaves a transaction open ($XS_OUT$XS_ERR)" \
	grep -qE '^TRANSACTION_START [0-9]+$' <<<"$XS_OUT"
xs_run "$XS_BUILD/bin/xenstore-control" quota 3
expect_true "quota 3 counts one watch ($(tr '\n' ' ' <<<"$XS_OUT$XS_ERR"))" \
	grep -qE '^watches +: +1 / 128$' <<<"$XS_OUT"
expect_true "quota 3 counts one transaction" grep -qE '^transactions +: +1 / 10$' <<<"$XS_OUT"

bg_watch any 2 @releaseDomain
bg_watch rel3 2 @releaseDomain/3
bg_watch rel4 2 @releaseDomain/4
bg_watch pool 2 /pool
bg_watch root 1000 /
bg_depth_watch depth 2 tokd

expect_ok "xenstore-sim destroy 3" xs_sim destroy 3
expect_out "@releaseDomain fires" "$(printf '@releaseDomain\n@releaseDomain')" collected any
expect_out "a depth-1 watch of @releaseDomain names the domain" \
	"$(printf 'WATCH OK\nWATCH_EVENT @releaseDomain tokd\nWATCH_EVENT @releaseDomain/3 tokd')" \
	collected depth
expect_out "a watch on @releaseDomain/3 fires" \
	"$(printf '@releaseDomain/3\n@releaseDomain/3')" collected rel3
POOL_EVENTS=$(collected pool)
expect_true "removing guest 3's nodes in /pool fires /pool's watch ($(tr '\n' ' ' <<<"$POOL_EVENTS"))" \
	grep -qE '^/pool/g3(/deep)?$' <<<"$POOL_EVENTS"
# What a watch on / heard of the removals: up to a change dom0 makes after.
expect_ok "dom0 writes /sync (after the removals)" xenstore-write /sync 1
xs_wait_lines "$XS_TMP/root" 3 5
for _ in $(seq 50); do
	grep -qx /sync "$XS_TMP/root" && break
	sleep 0.1
done
REMOVED=$(sed '1d;/^\/sync$/,$d' "$XS_TMP/root" | sort)
# shellcheck disable=SC2154 # set by bg_watch through printf -v
xs_stop_pid "$PID_root"
echo "# events of the removals: $(tr '\n' ' ' <<<"$REMOVED")"
expect_eq "every event of the removals is in a removed subtree" "" \
	"$(grep -vE '^(/local/domain/3/data|/local/domain/3/control/shutdown|/pool/g3)(/|$)' <<<"$REMOVED")"
for top in /local/domain/3/control/shutdown /local/domain/3/data /pool/g3; do
	expect_true "the removal of $top was heard" grep -qE "^$top(/|\$)" <<<"$REMOVED"
done
# Xen's C xenstored (domain_tree_remove) walks the tree from the root and
# removes each node the domain owns with its whole subtree, firing the
# watches once per removed subtree, at its top.
expect_eq "one event per removed subtree, at its top (as Xen's tree walk)" \
	"$(printf '%s\n' /local/domain/3/control/shutdown /local/domain/3/data /pool/g3)" \
	"$REMOVED"
expect_out "a watch on @releaseDomain/4 has not fired (initial event only)" \
	"@releaseDomain/4" cat "$XS_TMP/rel4"

expect_fail "guest 3's nodes in its home are gone" xenstore-exists /local/domain/3/data/x
expect_fail "with their children" xenstore-exists /local/domain/3/data/y
expect_fail "its node outside its home is gone" xenstore-exists /pool/g3
expect_fail "dom0's node below one of them went with it (a removal takes the subtree)" \
	xenstore-exists /local/domain/3/data/by-dom0
expect_out "its home, owned by dom0, stays (the toolstack removes it)" guest3 \
	xenstore-read /local/domain/3/name
expect_ok "/pool stays" xenstore-exists /pool
expect_msg "domain 3 is no longer introduced" "IS_DOMAIN_INTRODUCED F" IS_DOMAIN_INTRODUCED 3
expect_fail "xenstore-control quota 3: no such domain any more" \
	"$XS_BUILD/bin/xenstore-control" quota 3
expect_ok "dom0 writes under /pool, which the dead guest watched" xenstore-write /pool/after 1
expect_out "the other guests are served" guest5 as_guest 5 xenstore-read name

expect_ok "xenstore-sim reap 3" xs_sim reap 3
xs_sim_domain 3
expect_msg "a new domain 3 starts without the old one's watch" \
	"$(printf 'WATCH OK\nWATCH_EVENT /pool tok3')" -e 1 -g "$XS_SIM_DIR" 3 WATCH /pool tok3
xs_run "$XS_BUILD/bin/xenstore-control" quota 3
expect_true "nor its transaction ($(tr '\n' ' ' <<<"$XS_OUT$XS_ERR"))" \
	grep -qE '^transactions +: +0 / 10$' <<<"$XS_OUT"

# --- shutdown: @releaseDomain once; RESUME re-arms -----------------------------------
bg_depth_watch sd 4 toks
expect_ok "xenstore-sim shutdown 4" xs_sim shutdown 4
xs_wait_lines "$XS_TMP/sd" 3 5
expect_out "shutdown fires @releaseDomain (depth 1: /4)" \
	"WATCH_EVENT @releaseDomain/4 toks" sed -n 3p "$XS_TMP/sd"
expect_out "and the watch on @releaseDomain/4" "$(printf '@releaseDomain/4\n@releaseDomain/4')" \
	collected rel4
expect_msg "a shut-down domain is still introduced" "IS_DOMAIN_INTRODUCED T" IS_DOMAIN_INTRODUCED 4
expect_out "and still served" guest4 as_guest 4 xenstore-read name
expect_ok "its nodes stay" xenstore-exists /local/domain/4/control/shutdown
expect_ok "another VIRQ for domain 4 (shutdown again)" xs_sim shutdown 4
expect_ok "and a few bare VIRQ bytes" "$RING_POKE" notify "$XS_SIM_DIR/virq" 5
expect_ok "xenstore-sim destroy 5 (the next event)" xs_sim destroy 5
xs_wait_lines "$XS_TMP/sd" 4 5
expect_out "no second event for 4: the next one is 5's" \
	"WATCH_EVENT @releaseDomain/5 toks" sed -n 4p "$XS_TMP/sd"
expect_msg "RESUME 4" "RESUME OK" RESUME 4
expect_ok "domain 4 shuts down again" xs_sim shutdown 4
expect_out "after RESUME, shutdown fires again" "$(printf '%s\n' 'WATCH OK' \
	'WATCH_EVENT @releaseDomain toks' 'WATCH_EVENT @releaseDomain/4 toks' \
	'WATCH_EVENT @releaseDomain/5 toks' 'WATCH_EVENT @releaseDomain/4 toks')" collected sd
expect_msg "RESUME of a domain never introduced: ENOENT" "ERROR ENOENT" RESUME 9
expect_msg "RESUME of a dead domain: ENOENT" "ERROR ENOENT" RESUME 5
expect_ok "a shut-down domain can be destroyed" xs_sim destroy 4
expect_msg "and is no longer introduced" "IS_DOMAIN_INTRODUCED F" IS_DOMAIN_INTRODUCED 4

# --- domain id reuse (XSA-322) ----------------------------------------------------
expect_ok "dom0 writes /shared" xenstore-write /shared secret
expect_ok "and grants domain 6 read" xenstore-chmod /shared n0 r6
expect_out "guest 6 reads /shared" secret as_guest 6 xenstore-read /shared
expect_ok "xenstore-sim destroy 6" xs_sim destroy 6
expect_ok "xenstore-sim reap 6" xs_sim reap 6
xs_sim_domain 6
expect_msg "a new domain 6 is introduced" "IS_DOMAIN_INTRODUCED T" IS_DOMAIN_INTRODUCED 6
expect_err "the new domain 6 cannot read /shared" 1 \
	"xenstore-read: couldn't read path /shared" as_guest 6 xenstore-read /shared
expect_err "nor write it" 1 "xenstore-write: could not write path /shared" \
	as_guest 6 xenstore-write /shared mine
expect_ok "dom0 grants the new domain 6 read" xenstore-chmod /shared n0 r6
expect_out "now the new domain 6 reads /shared" secret as_guest 6 xenstore-read /shared

expect_alive
xs_finish
