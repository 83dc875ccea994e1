#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Repeatable side-by-side comparison of XenStore daemons with xsbench: the
# same scenarios and settings against each daemon in turn (never at the
# same time: on a small machine they would steal each other's CPU), each
# scenario run RUNS times in rounds, per-metric medians reported, so that
# one noisy run does not decide a comparison.
#
# usage: bench/compare.sh [-r RUNS] [-p PIN] TARGET... [-- XSBENCH-OPTIONS]
#   TARGET is one of
#     NAME=SOCKET  a daemon already listening on SOCKET, shown as NAME
#     SOCKET       the same, shown as its path
#     ours         start build/bin/xenstored (or $BENCH_DAEMON) afresh
#     cxenstored   start Xen's C xenstored afresh       } with the scripts of
#     oxenstored   start Xen's OCaml oxenstored afresh  } $XS_REFERENCE_DIR
#   RUNS defaults to 3.  XSBENCH-OPTIONS go to every xsbench run, e.g.
#   "-- -d 5 -s read" (see build/bin/xsbench --help).
#   PIN is DAEMON_CPUS:XSBENCH_CPUS for taskset, default 0:0, or "none".
#   Why pin by default: in a small VM a wake-up on another CPU costs tens of
#   microseconds and whether the client and the daemon share a CPU changes
#   from run to run, so unpinned single-client results swing 3x.  On one
#   CPU they are steady (a few %) and measure the daemon's cost per request,
#   which is what a comparison wants.  Daemons given as SOCKET are not
#   started here and so not pinned (only xsbench is).
# Examples:
#   bench/compare.sh ours cxenstored oxenstored
#   bench/compare.sh c=/tmp/ref/c.sock o=/tmp/ref/o.sock -- -d 2
# Needs jq for the combined table (plus a second one for the scenarios with
# extra metrics: txn-* EAGAIN rate, watch-* event latency and lost events);
# without jq each daemon's own table is printed instead.  Exit status 1 if any daemon failed or had errors.
set -u

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
XSBENCH="${XSBENCH:-$ROOT/build/bin/xsbench}"
REF="${XS_REFERENCE_DIR:-/work/shared/reference}"
RUNS=3
PIN=0:0

die() { echo "compare: $*" >&2; exit 2; }

TARGETS=()
while [ $# -gt 0 ]; do
    case "$1" in
    -r) [ $# -ge 2 ] || die "-r needs a number"; RUNS="$2"; shift 2 ;;
    -p) [ $# -ge 2 ] || die "-p needs CPUS:CPUS or none"; PIN="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) die "unknown option $1 (xsbench options go after --)" ;;
    *) TARGETS+=("$1"); shift ;;
    esac
done
XARGS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || die "no target (try --help)"
[ -x "$XSBENCH" ] || die "$XSBENCH missing: run make build/bin/xsbench"
HAVE_JQ=; command -v jq >/dev/null && HAVE_JQ=1
DPIN=(); BPIN=()
if [ "$PIN" != none ]; then
    case "$PIN" in *:*) ;; *) die "-p wants DAEMON_CPUS:XSBENCH_CPUS or none" ;; esac
    command -v taskset >/dev/null || die "taskset missing (util-linux); use -p none"
    DPIN=(taskset -c "${PIN%%:*}"); BPIN=(taskset -c "${PIN#*:}")
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/xscompare.XXXXXX")" || exit 2
PID=            # daemon we started and must stop
PID_IS_CHILD=   # started by us directly (waitable) or via a reference script

alive() { [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null &&
          ! grep -q '^State:[[:space:]]*Z' "/proc/$PID/status" 2>/dev/null; }

stop_daemon() {
    [ -n "$PID" ] || return 0
    kill "$PID" 2>/dev/null
    # Bounded: SIGKILL a daemon that has not gone after 5 s.
    for _ in $(seq 50); do alive || break; sleep 0.1; done
    alive && kill -KILL "$PID" 2>/dev/null
    [ -n "$PID_IS_CHILD" ] && wait "$PID" 2>/dev/null
    PID=; PID_IS_CHILD=
}
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() { stop_daemon; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Start our daemon on $1 and wait for it to answer.
start_ours() {
    local bin="${BENCH_DAEMON:-$ROOT/build/bin/xenstored}"
    [ -x "$bin" ] || { echo "compare: $bin missing" >&2; return 1; }
    ${DPIN[@]+"${DPIN[@]}"} "$bin" --no-fork --socket "$1" </dev/null >"$TMP/ours.log" 2>&1 &
    PID=$!; PID_IS_CHILD=1
    for _ in $(seq 100); do
        alive || { tail -n 20 "$TMP/ours.log" >&2; return 1; }
        "$XSBENCH" --probe -t 500 -S "$1" && return 0
        sleep 0.1
    done
    echo "compare: $bin did not answer on $1" >&2
    return 1
}

# Start a reference daemon with its script, which waits and prints the PID.
start_ref() {
    local script="$REF/start-$1.sh" extra=()
    [ -x "$script" ] || { echo "compare: $script missing" >&2; return 1; }
    [ "$1" = oxenstored ] && extra=(--no-access-log)
    # Its logs go under our temporary directory, removed at exit.
    PID="$(XS_WORKDIR="$TMP/$1.work" ${DPIN[@]+"${DPIN[@]}"} "$script" "$2" "${extra[@]}" 2>"$TMP/$1.start" | tail -1)"
    case "$PID" in
    ''|*[!0-9]*) PID=; cat "$TMP/$1.start" >&2; return 1 ;;
    esac
}

status=0
n=0
for t in "${TARGETS[@]}"; do
    n=$((n + 1))
    sock=
    case "$t" in
    ours|cxenstored|oxenstored)
        name="$t"; sock="$TMP/$t.sock"
        if [ "$t" = ours ]; then start_ours "$sock"; else start_ref "$t" "$sock"; fi ||
            { echo "compare: cannot start $t" >&2; status=1; stop_daemon; continue; }
        ;;
    *=*) name="${t%%=*}"; sock="${t#*=}" ;;
    *) name="$t"; sock="$t" ;;
    esac
    echo "compare: $name ($sock), $RUNS runs ..." >&2
    if [ -n "$HAVE_JQ" ]; then
        ${BPIN[@]+"${BPIN[@]}"} "$XSBENCH" -S "$sock" -L "$name" -r "$RUNS" -q --json ${XARGS[@]+"${XARGS[@]}"} \
            >"$TMP/$n.json" || status=1
    else
        ${BPIN[@]+"${BPIN[@]}"} "$XSBENCH" -S "$sock" -L "$name" -r "$RUNS" -q ${XARGS[@]+"${XARGS[@]}"} || status=1
        echo
    fi
    stop_daemon
done

[ -n "$HAVE_JQ" ] || exit $status

# Pivot: one row per scenario, one column group per daemon.
files=()
for i in $(seq "$n"); do
    [ -s "$TMP/$i.json" ] && files+=("$TMP/$i.json")
done
[ ${#files[@]} -gt 0 ] || exit 1
head="$(jq -r '"xsbench, median of \(.repeat) runs, " +
        (if .op_count > 0 then "\(.op_count) ops" else "\(.duration_s) s" end) +
        " per scenario, \(.keys) keys/client, \(.value_bytes)-byte values"' "${files[0]}")"
echo "$head"
if [ "$PIN" = none ]; then echo "not pinned to CPUs"
else echo "daemons started here on CPU ${PIN%%:*}, xsbench on CPU ${PIN#*:} (taskset)"; fi
for f in "${files[@]}"; do
    jq -r '.label as $l | .scenarios[] |
           [$l, .name, .clients, .ops_per_s, .lat_us.p50, .lat_us.p99, .errors] | @tsv' "$f"
done | awk -F'\t' '
    !($1 in seen_l) { seen_l[$1] = 1; labels[++nl] = $1 }
    !($2 in seen_s) { seen_s[$2] = 1; scen[++ns] = $2 }
    { cell[$1, $2] = sprintf("%9.0f %8.1f %8.1f %4d", $4, $5, $6, $7) }
    END {
        printf "%-16s", ""
        for (i = 1; i <= nl; i++) printf " | %-32s", labels[i]
        printf "\n%-16s", "scenario"
        for (i = 1; i <= nl; i++) printf " | %9s %8s %8s %4s", "ops/s", "p50 us", "p99 us", "err"
        printf "\n"
        for (j = 1; j <= ns; j++) {
            printf "%-16s", scen[j]
            for (i = 1; i <= nl; i++) {
                c = ((labels[i], scen[j]) in cell) ? cell[labels[i], scen[j]] : sprintf("%32s", "-")
                printf " | %s", c
            }
            printf "\n"
        }
    }'

# The extra metrics of the scenarios that have them (transactions, watches).
for f in "${files[@]}"; do
    jq -r '.label as $l | .scenarios[] | select(.retry_rate != null or .events != null) |
           [$l, .name,
            (if .retry_rate == null then "-" else .retry_rate * 100 end),
            (.events.lat_us.p50 // "-"), (.events.lat_us.p99 // "-"),
            (.events.lost // "-")] | @tsv' "$f"
done | awk -F'\t' '
    function num(v, w, fmt) { return v == "-" ? sprintf("%" w "s", v) : sprintf("%" w fmt, v) }
    !($1 in seen_l) { seen_l[$1] = 1; labels[++nl] = $1 }
    !($2 in seen_s) { seen_s[$2] = 1; scen[++ns] = $2 }
    { cell[$1, $2] = num($3, 7, ".1f") " " num($4, 9, ".1f") " " num($5, 9, ".1f") " " num($6, 5, "d") }
    END {
        if (ns == 0) exit
        printf "\nretry%% = EAGAIN commits / attempts; ev = write sent to watch event received\n"
        printf "%-16s", ""
        for (i = 1; i <= nl; i++) printf " | %-33s", labels[i]
        printf "\n%-16s", "scenario"
        for (i = 1; i <= nl; i++) printf " | %7s %9s %9s %5s", "retry%", "ev p50 us", "ev p99 us", "lost"
        printf "\n"
        for (j = 1; j <= ns; j++) {
            printf "%-16s", scen[j]
            for (i = 1; i <= nl; i++) {
                c = ((labels[i], scen[j]) in cell) ? cell[labels[i], scen[j]] : sprintf("%33s", "-")
                printf " | %s", c
            }
            printf "\n"
        }
    }'
exit $status
