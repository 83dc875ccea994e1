#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Damaged state directories (--state-dir, docs/durability.md), as the
# daemon's command line sees them: a torn journal tail is cut off and
# logged (offset, bytes, records) and everything before it is there; a
# flipped byte in a journal record followed by valid ones, a missing
# snapshot and a snapshot failing its checksum each stop the start with
# exit status 3 and a message naming the file and offset;
# --state-recover=partial then starts with what is valid, says what it
# dropped, keeps the damaged file aside and starts a clean chain, which a
# later strict start accepts.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

STATE=$XS_TMP/state

# A state with snapshot.1 and journal.1 holding one record per write.
make_state() {
	rm -rf "$STATE"
	xs_start_daemon --state-dir "$STATE" --fsync never
	for i in 1 2 3 4 5 6; do
		xs_exec xenstore-write "/d/k$i" "value $i" || xs_die "write /d/k$i"
	done
	xs_stop_daemon >/dev/null
}

# Offset of the n-th record (1: the header) of a file.
record_offset() {
	grep -boa XSJ1 "$1" | sed -n "${2}p" | cut -d: -f1
}

# Flip one byte of file $1 at offset $2.
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 0x5a)))" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}

# Start the daemon expecting it to refuse: status in XS_RC, stderr in XS_ERR.
start_refused() {
	rm -f "$XS_TMP/sock"
	timeout 10 "$XENSTORED_BIN" -N --socket "$XS_TMP/sock" --state-dir "$STATE" \
		"$@" </dev/null >/dev/null 2>"$XS_TMP/refused.err"
	XS_RC=$?
	XS_ERR=$(cat "$XS_TMP/refused.err")
}

keys() {
	xs_exec xenstore-list /d | tr '\n' ' '
}

# --- torn tail ---------------------------------------------------------------
make_state
size=$(stat -c %s "$STATE/journal.1")
truncate -s $((size - 5)) "$STATE/journal.1"
last=$(record_offset "$STATE/journal.1" 7)
xs_start_daemon --state-dir "$STATE"
expect_eq "torn tail: the five complete records are there" "k1 k2 k3 k4 k5 " "$(keys)"
expect_true "the log says what was dropped: offset, bytes, records" \
	grep -q "journal.1: dropped a torn tail at offset $last: $((size - 5 - last)) bytes, 1 incomplete record(s)" \
	"$XS_TMP/daemon.log"
expect_eq "the tail was cut off the file" "$last" "$(stat -c %s "$STATE/journal.1")"
expect_ok "writes go on after it" xenstore-write /d/k6 again
xs_stop_daemon
xs_start_daemon --state-dir "$STATE"
expect_out "and are recovered at the next start" "again" xenstore-read /d/k6
xs_stop_daemon

# --- a flipped byte in the middle of the journal ---------------------------
make_state
off=$(record_offset "$STATE/journal.1" 4) # the record of k3
flip_byte "$STATE/journal.1" $((off + 20))
start_refused
expect_eq "a flipped byte with valid records after it: exit status 3" 3 "$XS_RC"
expect_true "the message names the file and offset" \
	grep -q "state: $STATE/journal.1 offset $off: bad record (checksum, marker or length), followed by valid records; refusing to start" \
	"$XS_TMP/refused.err"
expect_true "nothing listens" test ! -S "$XS_TMP/sock"
xs_start_daemon --state-dir "$STATE" --state-recover=partial
expect_eq "partial: the records before the damage" "k1 k2 " "$(keys)"
expect_true "partial: the log says what was dropped" \
	grep -q "journal.1 offset $off: .*partial recovery drops the $(( $(stat -c %s "$STATE/journal.1.damaged") - off )) bytes from there" \
	"$XS_TMP/daemon.log"
expect_true "the damaged journal is kept aside" test -f "$STATE/journal.1.damaged"
expect_ok "writes go on" xenstore-write /d/new 1
xs_stop_daemon
xs_start_daemon --state-dir "$STATE"
expect_eq "a strict start accepts the new chain" "k1 k2 new " "$(keys)"
xs_stop_daemon

# --- a missing snapshot ------------------------------------------------------
make_state
rm "$STATE/snapshot.1"
start_refused
expect_eq "a missing snapshot: exit status 3" 3 "$XS_RC"
expect_true "the message names the journal and the snapshot" \
	grep -q "state: $STATE/journal.1 follows snapshot.1, which is missing; refusing to start" \
	"$XS_TMP/refused.err"
xs_start_daemon --state-dir "$STATE" --state-recover=partial
expect_fail "partial: the journal cannot be applied without its base" \
	xenstore-exists /d
expect_out "partial: the initial tree" "" xenstore-read /tool/xenstored
xs_stop_daemon

# --- a snapshot failing its checksum ------------------------------------------
make_state
flip_byte "$STATE/snapshot.1" 40
start_refused
expect_eq "a damaged snapshot: exit status 3" 3 "$XS_RC"
expect_true "the message names the snapshot and offset (its first record after the 36-byte header)" \
	grep -q "state: $STATE/snapshot.1 offset 36: bad record (checksum, marker or length); refusing to start" \
	"$XS_TMP/refused.err"
start_refused --state-recover=bogus
expect_eq "a bad --state-recover value is a usage error" 1 "$XS_RC"
xs_start_daemon --state-dir "$STATE" --state-recover=partial
expect_true "partial: the log names what was dropped" \
	grep -q "partial recovery: 0 nodes from the valid part of snapshot.1" "$XS_TMP/daemon.log"
expect_ok "partial: the daemon serves" xenstore-write /d/after 1
xs_finish
