#!/bin/bash
# SPDX-License-Identifier: MIT
#
# CONTROL stats: after a scripted session - writes, reads, refused reads
# and writes, an unprivileged domain's nodes and watches, a watch over its
# quota, a bad CONTROL command - the counters moved by exactly what the
# session did (requests per type, errors per name, watch events, quota
# hits), domain 5's nodes and watches stand against its quotas, and every
# reply is valid JSON (jq).  "stats domain", "stats domains" and "stats
# connections" answer; bad arguments are EINVAL, an unknown domain ENOENT.
# The quota hit is logged, naming the domain, the quota and its limit,
# and repeated hits are held back rather than logged each time.
# memreport names its categories.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || xs_die "jq is missing (scripts/install-deps.sh installs it)"

# One watch per domain, so domain 5's second watch is refused.
xs_start_daemon -W 1
xs_start_proxy 5
ctl() { xs_exec "$XS_CONTROL" "$@"; }

# The number at jq path $2 in JSON $1.
num() { printf '%s' "$1" | jq -r "$2"; }
valid_json() { printf '%s' "$1" | jq -e . >/dev/null 2>&1; }
# expect_delta desc path expected: the counter at path moved by expected.
expect_delta() {
	expect_eq "$1" "$3" "$(($(num "$AFTER" "$2") - $(num "$BEFORE" "$2")))"
}

# Domain 5's home, owned by it.
expect_out "make /local/domain/5" "" xenstore-write /local/domain/5 ""
expect_out "give it to domain 5" "" xenstore-chmod /local/domain/5 n5

xs_run ctl stats
expect_eq "stats succeeds" 0 "$XS_RC"
expect_true "stats is JSON" valid_json "$XS_OUT"
BEFORE=$XS_OUT

# --- the session --------------------------------------------------------------------------
for i in 1 2 3; do
	expect_out "write /s/$i" "" xenstore-write "/s/$i" "$i"
done
expect_out "read /s/1" "1" xenstore-read /s/1
expect_out "read /s/2" "2" xenstore-read /s/2
expect_fail "read of a missing node (1)" xenstore-read /s/none
expect_fail "read of a missing node (2)" xenstore-read /s/none
expect_fail "domain 5 may not write /s/x" as_dom 5 xenstore-write /s/x 1
expect_out "domain 5 writes in its home" "" as_dom 5 xenstore-write /local/domain/5/a x

WATCH_OUT=$XS_TMP/watch.out
xs_bg env XENSTORED_PATH="$(xs_proxy_sock 5)" xenstore-watch -n 3 /local/domain/5 \
	>"$WATCH_OUT"
watcher=$XS_BG
expect_true "domain 5's watcher has its first event" xs_wait_lines "$WATCH_OUT" 1
expect_fail "domain 5's second watch is over its quota" \
	as_dom 5 xenstore-watch -n 1 /local/domain/5/a
expect_fail "stats with a bad argument" ctl stats bogus
expect_out "dom0 writes under domain 5's home (fires its watch)" "" \
	xenstore-write /local/domain/5/b y
expect_true "the watcher saw the event" xs_wait_lines "$WATCH_OUT" 2

xs_run ctl stats
expect_true "stats is JSON after the session" valid_json "$XS_OUT"
AFTER=$XS_OUT

expect_delta "WRITE requests" .requests.WRITE 6
expect_delta "READ requests" .requests.READ 4
expect_delta "WATCH requests" .requests.WATCH 2
# xenstore-control asks for "help" after an EINVAL.
expect_delta "CONTROL requests (the bad one, help, this stats)" .requests.CONTROL 3
expect_delta "SET_PERMS requests" .requests.SET_PERMS 0
expect_delta "ENOENT errors" .errors.ENOENT 2
expect_delta "EACCES errors" .errors.EACCES 1
expect_delta "E2BIG errors (the watch quota)" .errors.E2BIG 1
expect_delta "EINVAL errors" .errors.EINVAL 1
expect_delta "no other errors" '[.errors[]] | add' 5
expect_delta "watch events sent" .watch_events.sent 2
expect_delta "watch quota hits" .quota_hits.watches 1
expect_delta "no other quota hits" '[.quota_hits[]] | add' 1
expect_eq "watches now" 1 "$(num "$AFTER" .watches)"
expect_eq "no transactions" 0 "$(num "$AFTER" .transactions)"
expect_eq "no events queued" 0 "$(num "$AFTER" .watch_events.queued)"

# --- one domain ---------------------------------------------------------------------------
xs_run ctl stats domain 5
expect_eq "stats domain 5 succeeds" 0 "$XS_RC"
expect_true "stats domain 5 is JSON" valid_json "$XS_OUT"
expect_eq "domain 5: nodes against the quota" "[3,1000]" "$(num "$XS_OUT" '.nodes|tojson')"
expect_eq "domain 5: watches against the quota" "[1,1]" "$(num "$XS_OUT" '.watches|tojson')"
expect_eq "domain 5: transactions" "[0,10]" "$(num "$XS_OUT" '.transactions|tojson')"
expect_eq "domain 5: the watcher's connection" '[{"kind":"socket","watches":1}]' \
	"$(num "$XS_OUT" '[.connections[] | {kind, watches}] | tojson')"
expect_eq "domain 5: memory within its quota" true \
	"$(num "$XS_OUT" '.memory[0] > 0 and .memory[0] < .memory[1]')"

xs_run ctl stats domains
expect_true "stats domains is JSON" valid_json "$XS_OUT"
expect_eq "stats domains: 0 and 5, on one page" '[0,5]null' \
	"$(num "$XS_OUT" '([.domains[].domid] | tojson) + (.next | tojson)')"
xs_run ctl stats domains 1
expect_eq "stats domains from 1" '[5]' "$(num "$XS_OUT" '[.domains[].domid] | tojson')"
xs_run ctl stats connections
expect_true "stats connections is JSON" valid_json "$XS_OUT"
expect_eq "stats connections: the watcher's" 1 \
	"$(num "$XS_OUT" '[.connections[] | select(.domid == 5)] | length')"
expect_fail "stats domain of an unknown domain" ctl stats domain 77
expect_fail "stats domain without a domid" ctl stats domain
expect_fail "stats domains with a bad start" ctl stats domains x

# --- the log ------------------------------------------------------------------------------
for _ in 1 2 3 4 5; do
	as_dom 5 xenstore-watch -n 1 /local/domain/5/a >/dev/null 2>&1
done
hits=$(grep -c 'domain 5 hit its watches quota: 2 wanted, limit 1' "$XS_TMP/daemon.log")
expect_true "the quota hit is logged" test "$hits" -ge 1
expect_true "repeated hits are held back ($hits lines for 6 hits)" test "$hits" -lt 6
xs_stop_pid "$watcher"

# --- memreport ------------------------------------------------------------------------------
xs_run ctl memreport
for cat in nodes "node names" "node values" "node permissions" "hash buckets" \
	"per-domain tables" watches transactions "transaction history" connections \
	"queued output bytes" "heap in use"; do
	expect_true "memreport: $cat" eval "printf '%s\n' \"\$XS_OUT\" | grep -Eq '^$cat: [0-9]+'"
done

xs_finish
