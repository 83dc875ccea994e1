#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Driver for `make bench`: start a fresh daemon on a private socket, wait
# until it answers, run xsbench against it, then stop the daemon (SIGTERM,
# wait, SIGKILL if it lingers).  A fresh daemon per run keeps results
# comparable: no state or memory growth left over from earlier runs.
#
# Environment (set by mk/bench.mk):
#   XSBENCH       the xsbench binary (default build/bin/xsbench)
#   BENCH_DAEMON  daemon binary taking --no-fork --socket PATH
#                 (default build/bin/xenstored)
#   BENCH_SOCKET  if set, use the daemon already listening there instead
#   BENCH_PIN     DAEMON_CPUS:XSBENCH_CPUS, e.g. 0:0, to pin both with
#                 taskset: steadier numbers in small VMs (see compare.sh)
# Arguments are passed to xsbench unchanged.
set -u

XSBENCH="${XSBENCH:-build/bin/xsbench}"
DAEMON="${BENCH_DAEMON:-build/bin/xenstored}"
DPIN=(); BPIN=()
if [ -n "${BENCH_PIN:-}" ]; then
    case "$BENCH_PIN" in
    *:*) DPIN=(taskset -c "${BENCH_PIN%%:*}"); BPIN=(taskset -c "${BENCH_PIN#*:}") ;;
    *) echo "bench: BENCH_PIN wants DAEMON_CPUS:XSBENCH_CPUS" >&2; exit 2 ;;
    esac
fi
START_TIMEOUT="${BENCH_START_TIMEOUT:-10}"   # seconds

if [ -n "${BENCH_SOCKET:-}" ]; then
    if ! "$XSBENCH" --probe -t 2000 -S "$BENCH_SOCKET"; then
        echo "bench: no daemon answers on $BENCH_SOCKET" >&2
        exit 2
    fi
    exec ${BPIN[@]+"${BPIN[@]}"} "$XSBENCH" -S "$BENCH_SOCKET" "$@"
fi

[ -x "$DAEMON" ] || { echo "bench: $DAEMON is not an executable" >&2; exit 2; }
TMP="$(mktemp -d "${TMPDIR:-/tmp}/xsbench.XXXXXX")" || exit 2
SOCK="$TMP/sock"
PID=

# Running and not a zombie: a daemon that exited stays kill-able until waited.
alive() { [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null &&
          ! grep -q '^State:[[:space:]]*Z' "/proc/$PID/status" 2>/dev/null; }

# shellcheck disable=SC2317  # called from the EXIT trap

stop_daemon() {
    if alive; then
        kill "$PID" 2>/dev/null
        # Bounded wait: a daemon that ignores SIGTERM gets SIGKILL.
        for _ in $(seq 50); do alive || break; sleep 0.1; done
        alive && kill -KILL "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
    fi
    PID=
    rm -rf "$TMP"
}
trap stop_daemon EXIT
trap 'exit 130' INT TERM

${DPIN[@]+"${DPIN[@]}"} "$DAEMON" --no-fork --socket "$SOCK" </dev/null >"$TMP/daemon.log" 2>&1 &
PID=$!

ready=
for _ in $(seq $((START_TIMEOUT * 10))); do
    if ! alive; then
        echo "bench: $DAEMON exited during start-up:" >&2
        tail -n 20 "$TMP/daemon.log" >&2
        exit 2
    fi
    if [ -S "$SOCK" ] && "$XSBENCH" --probe -t 500 -S "$SOCK"; then
        ready=1
        break
    fi
    sleep 0.1
done
if [ -z "$ready" ]; then
    echo "bench: $DAEMON did not answer on $SOCK within ${START_TIMEOUT}s" >&2
    tail -n 20 "$TMP/daemon.log" >&2
    exit 2
fi

${BPIN[@]+"${BPIN[@]}"} "$XSBENCH" -S "$SOCK" -L "$DAEMON" "$@"
rc=$?
if ! alive; then
    echo "bench: $DAEMON died during the benchmark:" >&2
    tail -n 20 "$TMP/daemon.log" >&2
    [ $rc -eq 0 ] && rc=1
fi
exit $rc
