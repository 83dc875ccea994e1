#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The access trace (-T FILE): a scripted session of Debian's tools - write,
# read, ls, rm (in a transaction, as the tool does), a refused read, an
# unprivileged domain's refused write, a watch and the event a write
# fires - leaves exactly the expected request, reply and watch-event lines
# in order (connections renamed c1, c2... by first appearance; date and
# time checked for their layout only).  "log off" stops the trace, "log
# on" resumes it, "logfile" switches it to another file; SIGHUP after the
# file was moved away (logrotate) starts a new file at the same path, and
# the same for the daemon's own log (--log-file).
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

TRACE=$XS_TMP/trace
LOG=$XS_TMP/xenstored.log
xs_start_daemon -T "$TRACE" --log-file "$LOG"
xs_start_proxy 5
ctl() { xs_exec "$XS_CONTROL" "$@"; }

# Every line has the reference layout: direction, connection, date, time,
# type, then ours (id, tx) and the payload in parentheses.
LINE_RE='^(IN|OUT) 0x[0-9a-f]+ [0-9]{8} [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Z_]+ id [0-9]+ tx [0-9]+ \(.*\)$'
all_lines_well_formed() { ! grep -Evq -- "$LINE_RE" "$1"; }

# The trace without date and time, connections named c1, c2... in order of
# first appearance.
normalize() {
	awk '{
		if (!($2 in name)) name[$2] = "c" (++n)
		c = name[$2]
		sub(/^(IN|OUT) 0x[0-9a-f]+ [0-9]+ [0-9:]+ /, $1 " " c " ")
		print
	}' "$1"
}
# The lines of file $1 from line $2 on, normalized.
lines_from() { tail -n +"$2" "$1" | normalize /dev/stdin; }
nlines() { wc -l <"$1"; }
# Wait (5 s at most) until file $1 exists.
wait_file() {
	for _ in $(seq 100); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# --- a scripted session ------------------------------------------------------------------
start=$(($(nlines "$TRACE") + 1))
expect_out "write /t/a" "" xenstore-write /t/a 1
expect_out "read /t/a" "1" xenstore-read /t/a
expect_fail "read of a missing node" xenstore-read /t/none
expect_out "ls /t" 'a = "1"' xenstore-ls /t
expect_out "rm /t/a" "" xenstore-rm /t/a
expect_fail "domain 5 may not write /t/x" as_dom 5 xenstore-write /t/x 1

WATCH_OUT=$XS_TMP/watch.out
xs_bg xenstore-watch -n 2 /t/w >"$WATCH_OUT"
watcher=$XS_BG
expect_true "watcher has its first event" xs_wait_lines "$WATCH_OUT" 1
expect_out "write /t/w/x (fires the watch)" "" xenstore-write /t/w/x 2
expect_true "watcher ends after the second event" xs_wait_pid "$watcher" 5
expect_true "trace lines have the reference layout" all_lines_well_formed "$TRACE"

expected='IN c1 WRITE id 0 tx 0 (/t/a 1)
OUT c1 WRITE id 0 tx 0 (OK )
IN c2 READ id 0 tx 0 (/t/a )
OUT c2 READ id 0 tx 0 (1)
IN c3 READ id 0 tx 0 (/t/none )
OUT c3 ERROR id 0 tx 0 (ENOENT )
IN c4 DIRECTORY id 0 tx 0 (/t )
OUT c4 DIRECTORY id 0 tx 0 (a )
IN c4 READ id 0 tx 0 (/t/a )
OUT c4 READ id 0 tx 0 (1)
IN c4 DIRECTORY id 0 tx 0 (/t/a )
OUT c4 DIRECTORY id 0 tx 0 ()
IN c5 TRANSACTION_START id 0 tx 0 ( )
OUT c5 TRANSACTION_START id 0 tx 0 (1 )
IN c5 RM id 0 tx 1 (/t/a )
OUT c5 RM id 0 tx 1 (OK )
IN c5 TRANSACTION_END id 0 tx 1 (T )
OUT c5 TRANSACTION_END id 0 tx 1 (OK )
IN c6 RESTRICT id 1381192786 tx 0 (5 )
OUT c6 RESTRICT id 1381192786 tx 0 (OK )
IN c6 WRITE id 0 tx 0 (/t/x 1)
OUT c6 ERROR id 0 tx 0 (EACCES )
IN c7 WATCH id 0 tx 0 (/t/w /t/w )
OUT c7 WATCH id 0 tx 0 (OK )
OUT c7 WATCH_EVENT id 0 tx 0 (/t/w /t/w )
IN c8 WRITE id 0 tx 0 (/t/w/x 2)
OUT c7 WATCH_EVENT id 0 tx 0 (/t/w/x /t/w )
OUT c8 WRITE id 0 tx 0 (OK )'
expect_eq "the session's requests, replies and events, in order" "$expected" \
	"$(lines_from "$TRACE" "$start")"

# --- log off / log on --------------------------------------------------------------------
expect_out "log off" "OK" ctl log off
n=$(nlines "$TRACE")
expect_out "write with the trace off" "" xenstore-write /t/off 1
expect_out "read with the trace off" "1" xenstore-read /t/off
expect_eq "nothing traced while off" "$n" "$(nlines "$TRACE")"
expect_out "log on" "OK" ctl log on
expect_out "write with the trace on again" "" xenstore-write /t/on 1
# The "log on" request came while off; its reply is traced.
expect_eq "traced again after log on" 'OUT c1 CONTROL id 0 tx 0 (OK )
IN c2 WRITE id 0 tx 0 (/t/on 1)
OUT c2 WRITE id 0 tx 0 (OK )' "$(lines_from "$TRACE" $((n + 1)))"

# --- logfile: switch files ---------------------------------------------------------------
TRACE2=$XS_TMP/trace2
n=$(nlines "$TRACE")
expect_out "logfile switches the trace" "OK" ctl logfile "$TRACE2"
expect_out "write after logfile" "" xenstore-write /t/two 2
expect_eq "the old file ends with the logfile request" "$((n + 1))" "$(nlines "$TRACE")"
expect_eq "the new file has the rest" 'OUT c1 CONTROL id 0 tx 0 (OK )
IN c2 WRITE id 0 tx 0 (/t/two 2)
OUT c2 WRITE id 0 tx 0 (OK )' "$(lines_from "$TRACE2" 1)"
expect_fail "logfile without a file" ctl logfile

# --- SIGHUP reopens the trace and the log (logrotate) -----------------------------------
mv "$TRACE2" "$TRACE2.1"
mv "$LOG" "$LOG.1"
n=$(nlines "$TRACE2.1")
kill -HUP "$XS_DAEMON_PID"
expect_true "SIGHUP: a new trace file at the same path" wait_file "$TRACE2"
expect_true "SIGHUP: a new log file at the same path" wait_file "$LOG"
expect_out "write after SIGHUP" "" xenstore-write /t/hup 1
expect_out "print after SIGHUP" "OK" ctl print after-the-hup
expect_eq "the moved trace got nothing more" "$n" "$(nlines "$TRACE2.1")"
expect_eq "the new trace has what came after" 'IN c1 WRITE id 0 tx 0 (/t/hup 1)
OUT c1 WRITE id 0 tx 0 (OK )
IN c2 CONTROL id 0 tx 0 (print after-the-hup )' "$(lines_from "$TRACE2" 1 | head -n 3)"
expect_true "the new log has the print" grep -q 'info: control: after-the-hup$' "$LOG"
expect_true "the moved log kept the start" grep -q 'info: listening on ' "$LOG.1"
expect_true "the moved log got nothing more" eval "! grep -q after-the-hup '$LOG.1'"

xs_finish
