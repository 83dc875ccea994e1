#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Scale: 1000 simulated guest domains introduced to one daemon, each with
# a watch, through tests/tools/sim_scale (all the guests' rings in one
# process, speaking the wire protocol itself).  With 10 domains and then
# with 1000, sim_scale checks that every domain is introduced, sets one
# watch per domain, has domain 1 write 2000 times (each write fires its
# watch) and removes the watches again.  The checks are functional only:
# all introduced, all watches set and removed, every write answered with
# its event.  The latencies (p50/p99 of one guest's writes) are printed
# as "# ..." lines for people to read, never judged: timing depends on
# the machine and the build (sanitizers).  SIM_SCALE_DOMAINS and
# SIM_SCALE_WRITES change the sizes (defaults 1000 and 2000).
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

NDOM=${SIM_SCALE_DOMAINS:-1000}
WRITES=${SIM_SCALE_WRITES:-2000}
SIM_SCALE=${SIM_SCALE:-$XS_BUILD/tests/tools/sim_scale}

xs_start_sim_daemon
[ -x "$SIM_SCALE" ] || xs_die "$SIM_SCALE not built"
xs_sim_domain 1

# introduce_stripe FROM TO STEP: create and introduce FROM, FROM+STEP, ...
# up to TO; prints how many failed (the first failure's message on stderr).
# In a sanitized build, LeakSanitizer's check at the exit of each of these
# hundreds of short xenstore-sim runs is skipped (it costs a third of
# their time; the tool's own tests keep it).
introduce_stripe() {
	local n failed=0 out
	local -x ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	for n in $(seq "$1" "$3" "$2"); do
		if ! out=$(xs_sim introduce "$n" 2>&1 >/dev/null); then
			[ "$failed" -eq 0 ] && echo "introduce $n: $out" >&2
			failed=$((failed + 1))
		fi
	done
	echo "$failed"
}

# introduce_range FROM TO: the same for FROM..TO, four processes at a time
# (a sanitized xenstore-sim takes ~30 ms to start); prints the failures.
introduce_range() {
	local j pids=() total=0
	for j in 0 1 2 3; do
		introduce_stripe $(($1 + j)) "$2" 4 >"$XS_TMP/intro.$j" &
		pids+=("$!")
		XS_BG_PIDS+=("$!")
	done
	for j in 0 1 2 3; do
		wait "${pids[$j]}"
		total=$((total + $(cat "$XS_TMP/intro.$j")))
	done
	echo "$total"
}

# run_scale LAST: sim_scale over domains 1..LAST; checks its counts.
run_scale() {
	local last=$1
	XS_CMD_TIMEOUT=120 xs_run "$SIM_SCALE" "$XS_SIM_DIR" 1 "$last" "$WRITES"
	local line
	while IFS= read -r line; do echo "# $last domains: $line"; done <<<"$XS_OUT"
	[ -z "$XS_ERR" ] || echo "# sim_scale: $XS_ERR"
	expect_eq "$last domains: sim_scale finishes" 0 "$XS_RC"
	local counts
	counts=$(head -n 1 <<<"$XS_OUT")
	expect_eq "$last domains: all introduced, one watch each, every write answered with its event, watches removed" \
		"domains=$last introduced=$last watches=$last writes=$WRITES answered=$WRITES events=$WRITES unwatched=$last" \
		"$counts"
}

SECONDS=0
expect_eq "domains 2..10 introduced" 0 "$(introduce_range 2 10)"
run_scale 10

SECONDS=0
expect_eq "domains 11..$NDOM introduced" 0 "$(introduce_range 11 "$NDOM")"
echo "# introducing $((NDOM - 10)) more domains with xenstore-sim took ${SECONDS}s"
expect_eq "xenstore-sim lists $NDOM running domains" "$NDOM" \
	"$(xs_sim list | grep -c ' running$')"
run_scale "$NDOM"

expect_out "dom0 still served" guest1 xenstore-read /local/domain/1/name
expect_out "guest 1's own tools still work" guest1 as_guest 1 xenstore-read name
expect_msg "domain $NDOM is introduced" "IS_DOMAIN_INTRODUCED T" IS_DOMAIN_INTRODUCED "$NDOM"
expect_alive
xs_finish
