#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make bench-fsync: WRITE throughput with --state-dir under each fsync
# policy (and without --state-dir, for reference), with 1 and 16 clients:
# xsbench's write-1 and write-16, median of 3 runs each
# (docs/durability.md).  The state directory is in $BENCH_STATE_TMP
# (default /var/tmp: a real disk; /tmp may be tmpfs, where fsync is free).
set -eu
DAEMON=${BENCH_DAEMON:-build/bin/xenstored}
XSBENCH=${XSBENCH:-build/bin/xsbench}
TMP=$(mktemp -d "${BENCH_STATE_TMP:-/var/tmp}/xs-fsync.XXXXXX")
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

for policy in off always interval=10 never; do
	rm -rf "$TMP/state" "$TMP/sock"
	if [ "$policy" = off ]; then
		"$DAEMON" -N --socket "$TMP/sock" >"$TMP/log" 2>&1 &
	else
		"$DAEMON" -N --socket "$TMP/sock" --state-dir "$TMP/state" \
			--fsync "$policy" >"$TMP/log" 2>&1 &
	fi
	PID=$!
	until "$XSBENCH" --probe -t 200 -S "$TMP/sock" 2>/dev/null; do sleep 0.05; done
	"$XSBENCH" -S "$TMP/sock" -s write-1,write-16 -d 2 -r 3 -q \
		-L "fsync=$policy"
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
done
