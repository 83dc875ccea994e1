#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make bench-restart: how long the daemon takes to start from a
# --state-dir holding a 1,000,000-node store (docs/durability.md).
# A daemon is filled with NODES nodes (/r/<i>/<j>, 16-byte values,
# pipelined WRITEs over one connection, fsync never) and stopped with
# SIGKILL; the time from exec to the first answer is measured three
# times: (1) everything in the journal, (2) after a compaction (snapshot
# plus a short journal), each the median of 3 starts.
set -eu
DAEMON=${XENSTORED_BIN:-build/bin/xenstored}
XSFILL=${XSFILL:-build/bin/xsfill}
NODES=${NODES:-1000000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/xs-restart.XXXXXX")
PID=
cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

start() {
	rm -f "$TMP/sock"
	t0=$(date +%s%N)
	"$DAEMON" -N --socket "$TMP/sock" --state-dir "$TMP/state" --fsync never "$@" \
		>>"$TMP/log" 2>&1 &
	PID=$!
	until [ -S "$TMP/sock" ] && XENSTORED_PATH=$TMP/sock xenstore-exists / 2>/dev/null; do
		kill -0 "$PID" 2>/dev/null || { cat "$TMP/log"; exit 1; }
		sleep 0.01
	done
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}

crash() {
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
}

fill() {
	"$XSFILL" "$TMP/sock" "$NODES"
}

start >/dev/null
t0=$(date +%s%N); fill; t1=$(date +%s%N)
echo "restart: $NODES nodes written in $(( (t1 - t0) / 1000000 )) ms"
crash
median() { sort -n | sed -n 2p; }
j=$( (start; crash; start; crash; start; crash) | median)
echo "restart: from the journal only ($(du -sh "$TMP/state" | cut -f1)): median of 3 starts $j ms"
# A compaction: any journal past 4 KiB is compacted at the next write.
start --journal-max 4096 >/dev/null
XENSTORED_PATH=$TMP/sock xenstore-write /trigger 1
while ! grep -q "snapshot .* written" "$TMP/log"; do sleep 0.1; done
crash
s=$( (start; crash; start; crash; start; crash) | median)
echo "restart: from a snapshot ($(du -sh "$TMP/state" | cut -f1)): median of 3 starts $s ms"
