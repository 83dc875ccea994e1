#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The CONTROL request through Xen's xenstore-control (Debian installs the
# real program in /usr/lib/xen-4.17/bin; /usr/bin/xenstore-control is a
# wrapper needing a hypervisor): help, check, print, quota (show, per
# domain, set, and the new value enforced on domain 5), quota-soft, the
# trace file given with -T switched by "log off"/"log on" and moved by
# "logfile", and unknown or malformed commands.  Output lines are checked by
# name and value only where Xen versions word them differently.
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

TRACE=$XS_TMP/trace.log
xs_start_daemon -T "$TRACE"
xs_start_proxy 5
ctl() { xs_exec "$XS_CONTROL" "$@"; }

# Does a line of the last command's stdout match the extended regex $1 /
# equal the string $1?
out_has() { printf '%s\n' "$XS_OUT" | grep -Eq -- "$1"; }
out_line() { printf '%s\n' "$XS_OUT" | grep -Fxq -- "$1"; }
# Does file $2 lack the string $1?
lacks() { ! grep -Fq -- "$1" "$2"; }

# --- help, check, print --------------------------------------------------------------
xs_run ctl help
expect_eq "help succeeds" 0 "$XS_RC"
for l in $'check\t' $'log\ton|off' $'logfile\t<file>' $'print\t<string>' \
	$'quota\t[set <name> <val> [<domid>]|<domid>]' $'quota-soft\t[set <name> <val> [<domid>]]' \
	$'help\t'; do
	expect_true "help lists '${l%%$'\t'*}'" out_line "$l"
done
expect_out "check" "OK" ctl check
expect_out "print" "OK" ctl print hello-from-the-test
expect_err "no command: usage" 2 "Usage:
$XS_CONTROL <command> [<arg>...]" "$XS_CONTROL"

# --- quota -------------------------------------------------------------------------------
xs_run ctl quota
expect_eq "quota succeeds" 0 "$XS_RC"
expect_true "quota: header" out_has '^Quota settings:$'
for q in nodes:1000 watches:128 transactions:10 outstanding:20 \
	transaction-nodes:1024 memory:2621440 node-size:2048 path-max:2048; do
	expect_true "quota: ${q%%:*} is ${q#*:}" out_has "^${q%%:*} *: +${q#*:} "
done
expect_true "quota: permissions per node is 5" \
	out_has '^(node-)?permissions *: +5 '
expect_out "quota set nodes 2000" "OK" ctl quota set nodes 2000
xs_run ctl quota
expect_true "quota shows nodes 2000" out_has '^nodes *: +2000 '
expect_true "other quotas unchanged" out_has '^watches *: +128 '
expect_fail "quota set of an unknown name" ctl quota set no-such-quota 1
expect_fail "quota set without a value" ctl quota set nodes
expect_fail "quota set with a bad value" ctl quota set nodes many
xs_run ctl quota
expect_true "nodes still 2000 after the bad sets" out_has '^nodes *: +2000 '

xs_run ctl quota 0
expect_eq "quota 0 succeeds" 0 "$XS_RC"
expect_true "quota 0: header" out_has '^Domain 0:$'
expect_true "quota 0: dom0 owns the 3 initial nodes" out_has '^nodes *: +3( |$)'
expect_true "quota 0: no watches" out_has '^watches *: +0( |$)'
expect_true "quota 0: no transactions" out_has '^transactions *: +0( |$)'
expect_ok "write two nodes" xenstore-write /q/a 1
xs_run ctl quota 0
expect_true "quota 0: now 5 nodes" out_has '^nodes *: +5( |$)'
expect_err "quota of an unknown domain" 3 \
	"Error 2 when trying to execute command." ctl quota 77

xs_run ctl quota-soft
expect_eq "quota-soft succeeds" 0 "$XS_RC"
expect_true "quota-soft: memory 2 MiB" out_has '^memory *: +2097152 '

# The node quota applies to domain 5: it owns its home, so with nodes=3 it
# may create 2 more nodes, not 3.
expect_ok "dom0 makes domain 5's home" xenstore-write /local/domain/5 ""
expect_ok "owned by 5" xenstore-chmod /local/domain/5 n5
expect_out "quota set nodes 3" "OK" ctl quota set nodes 3
expect_out "dom5 creates its 2nd node" "" as_dom 5 xenstore-write a 1
expect_out "dom5 creates its 3rd node" "" as_dom 5 xenstore-write b 1
expect_err "its 4th is over the quota" 1 \
	"xenstore-write: could not write path c" as_dom 5 xenstore-write c 1
expect_out "rewriting an existing node is fine" "" as_dom 5 xenstore-write a 2
expect_out "dom0 is exempt" "" xenstore-write /q/b 1 /q/c 1 /q/d 1
expect_out "quota set nodes 2000 again" "OK" ctl quota set nodes 2000
expect_out "now dom5 may create it" "" as_dom 5 xenstore-write c 1

# --- the trace: -T file, log off / log on, logfile ---------------------------------------
expect_out "write /tr/m1 while tracing" "" xenstore-write /tr/m1 a
expect_out "log off" "OK" ctl log off
expect_out "write /tr/m2 with the trace off" "" xenstore-write /tr/m2 b
expect_out "log on" "OK" ctl log on
expect_out "write /tr/m3 with the trace on again" "" xenstore-write /tr/m3 c
expect_out "read /tr/m3" "c" xenstore-read /tr/m3
expect_true "trace has the first write" grep -q 'WRITE.*/tr/m1 a' "$TRACE"
expect_true "trace has the replies" grep -Eq '^OUT .*\(OK \)' "$TRACE"
expect_true "trace has the print" grep -q 'hello-from-the-test' "$TRACE"
expect_true "trace has the quota request" grep -q 'quota set nodes 2000' "$TRACE"
expect_true "trace lacks the write made with the trace off" \
	lacks /tr/m2 "$TRACE"
expect_true "trace has the write made after log on" grep -q 'WRITE.*/tr/m3 c' "$TRACE"
expect_true "trace has the read" grep -q 'READ.*/tr/m3' "$TRACE"
expect_true "trace has dom5's refused write" grep -Eq 'WRITE.*\(c 1\)' "$TRACE"
expect_out "logfile moves the trace" "OK" ctl logfile "$XS_TMP/trace2.log"
expect_out "write /tr/m4" "" xenstore-write /tr/m4 d
expect_true "the new file has it" grep -q 'WRITE.*/tr/m4 d' "$XS_TMP/trace2.log"
expect_true "the old file does not" lacks /tr/m4 "$TRACE"
expect_fail "log with a bad argument" ctl log maybe
expect_fail "log without an argument" ctl log

# --- unknown commands ----------------------------------------------------------------------
xs_run ctl no-such-command
expect_eq "unknown command: status 3" 3 "$XS_RC"
expect_eq "unknown command: message" "Command not supported. Valid commands are:" \
	"$(printf '%s\n' "$XS_ERR" | head -n 1)"
expect_alive

xs_finish
