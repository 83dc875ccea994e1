# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Helpers for the integration tests (tests/integration/test_*.sh), sourced
# by each of them:  . "$(dirname "$0")/lib.sh"
#
# A test starts its own daemon on a socket in a fresh temporary directory
# (xs_start_daemon), talks to it with Debian's command-line tools, which
# reach it through XENSTORED_PATH, and checks each result with expect_*.
# Unprivileged domains are played through restrict_proxy (xs_start_proxy,
# then "as_dom <domid> cmd..."). Every check prints "ok - <desc>" or
# "FAIL - <desc>" with what was expected and what came; xs_finish prints
# the summary line "N passed, M failed" and exits 1 if anything failed.
# Everything a test started (daemon, proxies, background commands) is
# stopped, and the temporary directory removed, when the script exits for
# whatever reason.
#
# Environment: XENSTORED_BIN (daemon, default build/bin/xenstored; it must
# take -N --socket PATH), RESTRICT_PROXY (default
# build/tests/tools/restrict_proxy), XS_CMD_TIMEOUT (seconds one command may
# take, default 10), XS_KEEP_TMP=1 keeps the temporary directory; for the
# simulated guests (test_sim_*.sh), BUILD (our build tree, default the one
# holding XENSTORED_BIN) and RING_POKE (default
# $BUILD/tests/tools/ring_poke).

set -u

XS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XENSTORED_BIN=${XENSTORED_BIN:-$XS_ROOT/build/bin/xenstored}
RESTRICT_PROXY=${RESTRICT_PROXY:-$XS_ROOT/build/tests/tools/restrict_proxy}
XS_CMD_TIMEOUT=${XS_CMD_TIMEOUT:-10}
# Debian's tools (xenstore-utils); /usr/bin/xenstore-control is a wrapper
# that needs a hypervisor, the real program lives here.
XS_CONTROL=/usr/lib/xen-4.17/bin/xenstore-control
# Debian's tools first, so that "xenstore-read" is never our own build.
PATH=/usr/bin:/bin:/usr/sbin:/sbin
export PATH
unset XENSTORED_PATH XENSTORE_DOMAIN_INTERFACE

XS_PASSED=0
XS_FAILED=0
XS_TMP=
XS_SOCK=
XS_DAEMON_PID=
XS_BG_PIDS=()
XS_TEST_NAME=$(basename "$0" .sh)

# Resolve relative binary paths against the repository, not the cwd.
case $XENSTORED_BIN in /*) ;; *) XENSTORED_BIN=$XS_ROOT/$XENSTORED_BIN ;; esac
case $RESTRICT_PROXY in /*) ;; *) RESTRICT_PROXY=$XS_ROOT/$RESTRICT_PROXY ;; esac

xs_die() {
	echo "FAIL - $XS_TEST_NAME: $*"
	XS_FAILED=$((XS_FAILED + 1))
	xs_finish
}

# Is the process there (and not a zombie)?
xs_pid_alive() {
	kill -0 "$1" 2>/dev/null &&
		! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Is the daemon (if one was started) still running?
xs_daemon_running() {
	[ -z "$XS_DAEMON_PID" ] || xs_pid_alive "$XS_DAEMON_PID"
}

# If the daemon has died, the test cannot go on: report it and finish.
xs_check_daemon() {
	local rc
	xs_daemon_running && return 0
	wait "$XS_DAEMON_PID"
	rc=$?
	XS_DAEMON_PID=
	xs_fail "daemon still running" "running" \
		"$(printf 'exited with status %s; end of its log:\n%s' "$rc" \
			"$(tail -n 20 "$XS_TMP/daemon.log")")"
	xs_finish
}

# Stop one process: TERM, then KILL if it lingers; reap it.
xs_stop_pid() {
	local pid=$1
	xs_pid_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do
		xs_pid_alive "$pid" || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

xs_cleanup() {
	local pid
	[ -z "${XS_CLEANING:-}" ] || return 0
	XS_CLEANING=1
	trap - EXIT
	for pid in "${XS_BG_PIDS[@]}"; do
		xs_stop_pid "$pid"
	done
	XS_BG_PIDS=()
	[ -n "$XS_DAEMON_PID" ] && xs_stop_pid "$XS_DAEMON_PID"
	XS_DAEMON_PID=
	if [ -n "$XS_TMP" ] && [ "${XS_KEEP_TMP:-0}" != 1 ]; then
		rm -rf "$XS_TMP"
	fi
}

# ---------------------------------------------------------------------------
# Running commands

# Run a command (a shell function or a program) with stdin from /dev/null;
# programs are killed after XS_CMD_TIMEOUT seconds (status 124/137).
xs_exec() {
	if [ "$(type -t "$1")" = function ]; then
		"$@" </dev/null
	else
		timeout --foreground -k 2 "$XS_CMD_TIMEOUT" "$@" </dev/null
	fi
}

# xs_run cmd...: run it, leaving XS_OUT, XS_ERR (text, trailing newlines
# dropped as by $(...)) and XS_RC.
xs_run() {
	xs_exec "$@" >"$XS_TMP/.out" 2>"$XS_TMP/.err"
	XS_RC=$?
	XS_OUT=$(cat "$XS_TMP/.out")
	XS_ERR=$(cat "$XS_TMP/.err")
	xs_check_daemon
}

# Start a command in the background, stopped at exit; its pid is in XS_BG.
xs_bg() {
	"$@" </dev/null &
	XS_BG=$!
	XS_BG_PIDS+=("$XS_BG")
}

# Wait up to $2 seconds (default 5) for pid $1 to end; its status in
# XS_RC (124 if it had to be killed).
xs_wait_pid() {
	local pid=$1 limit=${2:-5}
	for _ in $(seq $((limit * 20))); do
		xs_pid_alive "$pid" || break
		[ "$pid" = "$XS_DAEMON_PID" ] || xs_daemon_running || break
		sleep 0.05
	done
	if xs_pid_alive "$pid"; then
		xs_stop_pid "$pid"
		XS_RC=124
		return 1
	fi
	wait "$pid"
	XS_RC=$?
	return 0
}

# Wait up to $3 seconds (default 5) until file $1 has at least $2 lines.
xs_wait_lines() {
	local file=$1 want=$2 limit=${3:-5} n
	for _ in $(seq $((limit * 20))); do
		n=$(wc -l <"$file" 2>/dev/null || echo 0)
		[ "$n" -ge "$want" ] && return 0
		xs_daemon_running || return 1
		sleep 0.05
	done
	return 1
}

# ---------------------------------------------------------------------------
# Daemon and proxies

# xs_start_daemon [daemon options...]: start a fresh daemon on
# $XS_TMP/sock (stopping the previous one), wait until it answers, and
# point XENSTORED_PATH at it.
xs_start_daemon() {
	[ -n "$XS_DAEMON_PID" ] && xs_stop_pid "$XS_DAEMON_PID"
	XS_SOCK=$XS_TMP/sock
	rm -f "$XS_SOCK"
	"$XENSTORED_BIN" -N --socket "$XS_SOCK" "$@" \
		</dev/null >>"$XS_TMP/daemon.log" 2>&1 &
	XS_DAEMON_PID=$!
	export XENSTORED_PATH=$XS_SOCK
	for _ in $(seq 100); do
		if ! xs_pid_alive "$XS_DAEMON_PID"; then
			wait "$XS_DAEMON_PID"
			echo "daemon exited with status $? at start; its log:"
			sed 's/^/    /' "$XS_TMP/daemon.log"
			XS_DAEMON_PID=
			xs_die "daemon did not start"
		fi
		if [ -S "$XS_SOCK" ] &&
			timeout --foreground 2 /usr/bin/xenstore-exists / </dev/null >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05
	done
	xs_die "daemon does not answer on $XS_SOCK"
}

# xs_stop_daemon: stop it now (SIGTERM); a crash or a status other than 0
# (or 143, death by that signal) is a failed check.
xs_stop_daemon() {
	local rc
	[ -n "$XS_DAEMON_PID" ] || return 0
	if ! xs_pid_alive "$XS_DAEMON_PID"; then
		wait "$XS_DAEMON_PID"
		rc=$?
		XS_DAEMON_PID=
		xs_fail "daemon stops cleanly" "running daemon" "it had already exited with status $rc"
		return 1
	fi
	kill -TERM "$XS_DAEMON_PID"
	xs_wait_pid "$XS_DAEMON_PID" 5
	rc=$XS_RC
	XS_DAEMON_PID=
	# 143: killed by the signal itself, as a daemon without a handler is.
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 143 ]; then
		xs_pass "daemon stops cleanly on SIGTERM"
	else
		xs_fail "daemon stops cleanly on SIGTERM" "status 0 (or 143)" "status $rc"
	fi
}

# xs_start_proxy <domid>: connections to $(xs_proxy_sock <domid>) act as
# unprivileged domain <domid>.
xs_proxy_sock() {
	echo "$XS_TMP/dom$1.sock"
}
xs_start_proxy() {
	local domid=$1 sock log
	sock=$(xs_proxy_sock "$domid")
	log=$XS_TMP/proxy$domid.log
	[ -x "$RESTRICT_PROXY" ] || xs_die "$RESTRICT_PROXY not built"
	RESTRICT_PROXY_LIFETIME=120 \
		"$RESTRICT_PROXY" "$sock" "$XS_SOCK" "$domid" </dev/null >"$log" 2>&1 &
	XS_BG_PIDS+=("$!")
	if ! xs_wait_lines "$log" 1 5 || [ "$(head -n 1 "$log")" != ready ]; then
		xs_die "restrict_proxy for domain $domid did not start: $(cat "$log")"
	fi
}

# as_dom <domid> cmd...: run cmd as unprivileged domain <domid> (through
# its proxy, started with xs_start_proxy).
as_dom() {
	local domid=$1
	shift
	XENSTORED_PATH=$(xs_proxy_sock "$domid") xs_exec "$@"
}

# Is the daemon still running and answering?
xs_daemon_alive() {
	[ -n "$XS_DAEMON_PID" ] && xs_pid_alive "$XS_DAEMON_PID" &&
		XENSTORED_PATH=$XS_SOCK timeout --foreground 5 /usr/bin/xenstore-exists / \
			</dev/null >/dev/null 2>&1
}

# ---------------------------------------------------------------------------
# Simulated guests (docs/sim.md; used by test_sim_*.sh)
#
# xs_start_sim_daemon [options...] starts the daemon as xs_start_daemon
# does, with the simulated hypervisor in $XS_SIM_DIR.  xs_sim runs
# xenstore-sim on that directory; xs_sim_domain N makes domain N the way
# Xen's toolstack (libxl__domain_make) does and introduces it; as_guest N
# cmd... runs cmd as guest N (a bare xenstore-* name means our own tool
# from $XS_BUILD/bin: Debian's would ignore the guest's ring and act as
# dom0).  $RING_POKE is tests/tools/ring_poke.  Our build tree is $BUILD
# (as mk/integration.mk passes it), else the one holding XENSTORED_BIN.

XS_BUILD=${BUILD:-$(dirname "$XENSTORED_BIN")/..}
case $XS_BUILD in /*) ;; *) XS_BUILD=$XS_ROOT/$XS_BUILD ;; esac
XS_SIM_TOOL=$XS_BUILD/bin/xenstore-sim
RING_POKE=${RING_POKE:-$XS_BUILD/tests/tools/ring_poke}
XS_SIM_DIR=

xs_start_sim_daemon() {
	local t
	# Another daemon (XENSTORED_BIN=Xen's) has no simulated hypervisor.
	if ! timeout 5 "$XENSTORED_BIN" --help 2>&1 </dev/null | grep -q -- '--sim'; then
		echo "# skipped: $XENSTORED_BIN has no --sim"
		xs_finish
	fi
	for t in "$XS_SIM_TOOL" "$XS_BUILD/bin/xenstore" "$RING_POKE"; do
		[ -x "$t" ] || xs_die "$t not built"
	done
	XS_SIM_DIR=$XS_TMP/sim
	xs_start_daemon --sim "$XS_SIM_DIR" "$@"
}

# xs_sim command [args...]: xenstore-sim on $XS_SIM_DIR (time-limited).
xs_sim() {
	timeout --foreground -k 2 "$XS_CMD_TIMEOUT" \
		"$XS_SIM_TOOL" --dir "$XS_SIM_DIR" "$@" </dev/null
}

# as_guest N cmd...: run cmd as guest N (time-limited).
as_guest() {
	local domid=$1 cmd=$2
	shift 2
	case $cmd in xenstore-*) cmd=$XS_BUILD/bin/$cmd ;; esac
	timeout --foreground -k 2 "$XS_CMD_TIMEOUT" \
		"$XS_SIM_TOOL" --dir "$XS_SIM_DIR" guest "$domid" -- "$cmd" "$@" </dev/null
}

# expect_msg desc expected [ring_poke msg options] TYPE [args...]: send one
# raw request (over the socket as dom0, or with -g "$XS_SIM_DIR" N as guest
# N) and expect exactly that output ("<TYPE> <fields>", plus any watch
# events asked for with -e); an ERROR reply (status 3) is fine.
expect_msg() {
	local desc=$1 want=$2
	shift 2
	xs_run "$RING_POKE" msg "$@"
	if { [ "$XS_RC" -eq 0 ] || [ "$XS_RC" -eq 3 ]; } && [ "$XS_OUT" = "$want" ]; then
		xs_pass "$desc"
	else
		xs_fail "$desc" "$(printf 'status 0 or 3\nstdout:\n%s' "$want")" "$(_xs_actual)"
	fi
}

# xs_sim_domain N [name]: create domain N, give it a home as libxl does -
# /local/domain/N, device and control owned by dom0 and readable by N,
# data and control/shutdown owned by N - then introduce it.  Dies on
# failure.
xs_sim_domain() {
	local n=$1 name=${2:-guest$1} home=/local/domain/$1 out
	out=$(xs_sim create "$n" 2>&1) || xs_die "xenstore-sim create $n: $out"
	out=$({
		xs_exec xenstore-write "$home" "" "$home/name" "$name" \
			"$home/domid" "$n" "$home/device" "" "$home/control" "" \
			"$home/control/shutdown" "" "$home/data" "" &&
			xs_exec xenstore-chmod -r "$home" n0 "r$n" &&
			xs_exec xenstore-chmod "$home/data" "n$n" &&
			xs_exec xenstore-chmod "$home/control/shutdown" "n$n"
	} 2>&1) || xs_die "home of domain $n: $out"
	out=$(xs_sim introduce "$n" 2>&1) || xs_die "xenstore-sim introduce $n: $out"
}

# ---------------------------------------------------------------------------
# Checks

xs_pass() {
	XS_PASSED=$((XS_PASSED + 1))
	echo "ok - $1"
}

# xs_fail desc expected actual
xs_fail() {
	XS_FAILED=$((XS_FAILED + 1))
	echo "FAIL - $1"
	printf '%s\n' "$2" | sed 's/^/    expected: /'
	printf '%s\n' "$3" | sed 's/^/    actual:   /'
}

# What a command did, for failure reports.
_xs_actual() {
	printf 'status %s\nstdout:\n%s\nstderr:\n%s' "$XS_RC" "$XS_OUT" "$XS_ERR"
}

# expect_out desc expected-stdout cmd...: status 0 and exactly that stdout
# (trailing newlines aside).
expect_out() {
	local desc=$1 want=$2
	shift 2
	xs_run "$@"
	if [ "$XS_RC" -eq 0 ] && [ "$XS_OUT" = "$want" ]; then
		xs_pass "$desc"
	else
		xs_fail "$desc" "$(printf 'status 0\nstdout:\n%s' "$want")" "$(_xs_actual)"
	fi
}

# expect_ok desc cmd...: status 0 (output not checked).
expect_ok() {
	local desc=$1
	shift
	xs_run "$@"
	if [ "$XS_RC" -eq 0 ]; then
		xs_pass "$desc"
	else
		xs_fail "$desc" "status 0" "$(_xs_actual)"
	fi
}

# expect_rc desc status cmd...: exactly that exit status.
expect_rc() {
	local desc=$1 want=$2
	shift 2
	xs_run "$@"
	if [ "$XS_RC" -eq "$want" ]; then
		xs_pass "$desc"
	else
		xs_fail "$desc" "status $want" "$(_xs_actual)"
	fi
}

# expect_fail desc cmd...: a plain failure: status 1..123 (not a timeout,
# not a signal).
expect_fail() {
	local desc=$1
	shift
	xs_run "$@"
	if [ "$XS_RC" -ge 1 ] && [ "$XS_RC" -le 123 ]; then
		xs_pass "$desc"
	else
		xs_fail "$desc" "a failure status (1..123)" "$(_xs_actual)"
	fi
}

# expect_err desc status expected-stderr cmd...: that status and exactly
# that stderr text.
expect_err() {
	local desc=$1 want_rc=$2 want=$3
	shift 3
	xs_run "$@"
	if [ "$XS_RC" -eq "$want_rc" ] && [ "$XS_ERR" = "$want" ]; then
		xs_pass "$desc"
	else
		xs_fail "$desc" "$(printf 'status %s\nstderr:\n%s' "$want_rc" "$want")" \
			"$(_xs_actual)"
	fi
}

# expect_true desc cmd...: the command (usually a test or grep) succeeds.
expect_true() {
	local desc=$1
	shift
	xs_check_daemon
	if "$@"; then
		xs_pass "$desc"
	else
		xs_fail "$desc" "true: $*" "false"
	fi
}

# expect_eq desc expected actual: two strings are equal.
expect_eq() {
	if [ "$2" = "$3" ]; then
		xs_pass "$1"
	else
		xs_fail "$1" "$2" "$3"
	fi
}

# expect_alive [desc]: the daemon is still running and answering.
expect_alive() {
	if xs_daemon_alive; then
		xs_pass "${1:-daemon still serving}"
	else
		xs_fail "${1:-daemon still serving}" "daemon running and answering" \
			"$(printf 'not answering; daemon log:\n%s' "$(tail -n 20 "$XS_TMP/daemon.log")")"
	fi
}

# xs_finish: stop the daemon (a crash or an unclean stop fails), print the
# summary line and exit.
xs_finish() {
	if [ -n "$XS_DAEMON_PID" ]; then
		expect_alive "daemon still serving at the end"
		xs_stop_daemon
	fi
	if [ -n "$XS_TMP" ] && [ -f "$XS_TMP/daemon.log" ] &&
		grep -qE 'Sanitizer|runtime error:' "$XS_TMP/daemon.log"; then
		xs_fail "no sanitizer report from the daemon" "none" \
			"$(grep -E -A5 'Sanitizer|runtime error:' "$XS_TMP/daemon.log" | head -n 30)"
	fi
	echo "$XS_PASSED passed, $XS_FAILED failed"
	[ "$XS_FAILED" -eq 0 ] && exit 0
	exit 1
}

# ---------------------------------------------------------------------------
# Set-up, when sourced

for _t in xenstore-read xenstore-write xenstore-ls xenstore-list \
	xenstore-rm xenstore-exists xenstore-chmod xenstore-watch; do
	[ -x "/usr/bin/$_t" ] || xs_die "/usr/bin/$_t missing (apt-get install xenstore-utils)"
done
[ -x "$XS_CONTROL" ] || xs_die "$XS_CONTROL missing (apt-get install xen-utils-4.17)"
[ -x "$XENSTORED_BIN" ] || xs_die "daemon $XENSTORED_BIN not built"

# On a signal: clean up, then die of that signal so that run.sh (or the
# shell) sees the interruption.
xs_on_signal() {
	# The same signal often comes twice (from the terminal and from
	# run.sh's timeout): do not let the second one cut the cleanup short.
	trap '' INT TERM HUP
	echo "FAIL - $XS_TEST_NAME: interrupted by SIG$1"
	xs_cleanup
	trap - "$1"
	kill -"$1" $$
	exit 1
}
trap xs_cleanup EXIT
trap 'xs_on_signal INT' INT
trap 'xs_on_signal TERM' TERM
trap 'xs_on_signal HUP' HUP
XS_TMP=$(mktemp -d /tmp/xs-integ.XXXXXX) || xs_die "mktemp failed"
