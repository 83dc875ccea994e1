#!/bin/bash
# SPDX-License-Identifier: MIT
#
# systemd: the unit file and tmpfiles.d entry as "make install" writes them,
# and the daemon's side of Type=notify.
#
# The unit is installed with PREFIX in the test's directory (the daemon and
# its manual page too), so that its ExecStart= names a real program, and
# checked with "systemd-analyze verify": status 0 and not one line of
# output (unknown keys and sections are only warnings there).  Two broken
# copies show the check can fail: a missing program, a misspelt key.  The
# tmpfiles.d entry is applied with systemd-tmpfiles --root to an empty
# directory: /run/xenstored, mode 755.
#
# The daemon is run by tests/tools/notify_recv, which plays systemd: it
# owns the notify socket (a path, then an abstract "@name"), prints each
# line of each notice in order, checks at READY=1 that the daemon's socket
# accepts a connection, and then stops the daemon with SIGTERM.  Exactly
# READY=1, MAINPID (the daemon's own pid, also the sender the kernel
# names), STATUS, and at the end STOPPING=1, in that order.  A
# NOTIFY_SOCKET nobody listens on, or that is not a socket address, only
# costs a warning in the log: the daemon serves all the same.
#
# Needs systemd-analyze and systemd-tmpfiles (Debian's systemd package,
# which scripts/install-deps.sh installs when missing).
# Helpers run indirectly, through expect_*: not unreachable.
# shellcheck disable=SC2119,SC2317
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD_DIR=${BUILD:-build}
NOTIFY_RECV=$XS_BUILD/tests/tools/notify_recv
P=$XS_TMP/prefix
UNIT=$P/lib/systemd/system/xenstored.service

for t in systemd-analyze systemd-tmpfiles; do
	command -v "$t" >/dev/null || xs_die "$t missing (apt-get install systemd)"
done

# --- the installed unit ----------------------------------------------------------
run_install() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$XS_ROOT" --no-print-directory INSTALL_DEPS=0 \
		BUILD="$BUILD_DIR" SANITIZE="${XS_SANITIZED:-}" "$@"
}
XS_CMD_TIMEOUT=300 expect_ok "make install-daemon install-man install-systemd PREFIX=..." \
	run_install PREFIX="$P" install-daemon install-man install-systemd
[ -f "$UNIT" ] || xs_die "no unit file at $UNIT: $XS_ERR"

expect_out "ExecStart= runs the installed daemon in the foreground, on Xen" \
	"ExecStart=$P/sbin/xenstored --no-fork --xen \$XENSTORED_ARGS" \
	grep '^ExecStart=' "$UNIT"
expect_out "Type=notify" "Type=notify" grep '^Type=' "$UNIT"
expect_eq "unit and tmpfiles.d entry are plain files, mode 644" "644 644" \
	"$(stat -c %a "$UNIT" "$P/lib/tmpfiles.d/xenstored.conf" | tr '\n' ' ' | sed 's/ $//')"

# systemd-analyze looks Documentation=man:xenstored(8) up with man(1) when
# man is installed; MANPATH points it at the page just installed.
if command -v man >/dev/null; then
	VERIFY=(env MANPATH="$P/share/man" systemd-analyze verify --man=yes)
else
	echo "note: man not installed, Documentation= not looked up (--man=no)"
	VERIFY=(systemd-analyze verify --man=no)
fi
expect_err "systemd-analyze verify: no error, no warning" 0 "" "${VERIFY[@]}" "$UNIT"
expect_true "... and no output on stdout either" test -z "$XS_OUT"

# Broken copies must not pass (the file name is the unit's name).
mkdir -p "$XS_TMP/broken1" "$XS_TMP/broken2"
sed "s|^ExecStart=$P/sbin/xenstored|ExecStart=$P/sbin/missing|" "$UNIT" \
	>"$XS_TMP/broken1/xenstored.service"
xs_run "${VERIFY[@]}" "$XS_TMP/broken1/xenstored.service"
expect_true "verify fails on a unit whose program is missing" \
	grep -q "Command $P/sbin/missing is not executable" <<<"$XS_ERR"
expect_true "... with a failure status" test "$XS_RC" -ne 0
sed 's/^NotifyAccess=/NotifyAcess=/' "$UNIT" >"$XS_TMP/broken2/xenstored.service"
xs_run "${VERIFY[@]}" "$XS_TMP/broken2/xenstored.service"
expect_true "verify reports a misspelt key" \
	grep -q "Unknown key 'NotifyAcess' in section \[Service\]" <<<"$XS_ERR"

# --- the tmpfiles.d entry ----------------------------------------------------------
mkdir -p "$XS_TMP/troot"
expect_err "systemd-tmpfiles --create accepts the entry" 0 "" \
	systemd-tmpfiles --create --root="$XS_TMP/troot" "$P/lib/tmpfiles.d/xenstored.conf"
expect_out "it makes /run/xenstored, a directory of mode 755" "directory 755" \
	stat -c '%F %a' "$XS_TMP/troot/run/xenstored"

# --- Type=notify --------------------------------------------------------------------
# Xen's daemon (XENSTORED_BIN=...) sends other notices; only ours is checked.
if ! timeout 5 "$XENSTORED_BIN" --help 2>&1 </dev/null | grep -q -- '--sim'; then
	echo "# notify checks skipped: $XENSTORED_BIN is not this project's daemon"
	xs_finish
fi
[ -x "$NOTIFY_RECV" ] || xs_die "$NOTIFY_RECV not built"

SOCK=$XS_TMP/notify-daemon.sock
# notices ADDR: what notify_recv sees of a daemon on $SOCK, with the
# simulated hypervisor as its backend.
notices() {
	rm -f "$SOCK"
	XS_CMD_TIMEOUT=20 xs_run "$NOTIFY_RECV" -t 15 -c "$SOCK" -k "$1" \
		"$XENSTORED_BIN" -N --socket "$SOCK" --sim "$XS_TMP/sim"
}
expected="message: READY=1
message: MAINPID=child
message: STATUS=listening on $SOCK
sender: child
connect: ok
message: STOPPING=1
message: STATUS=shutting down
sender: child
exit: 0"

notices "$XS_TMP/notify"
expect_eq "path NOTIFY_SOCKET: ready once listening, stopping at SIGTERM" \
	"$expected" "$XS_OUT"
expect_eq "... notify_recv status 0" 0 "$XS_RC"
expect_true "... the socket is removed at exit" test ! -e "$SOCK"

notices "@xs-test-notify-$$-$RANDOM"
expect_eq "abstract NOTIFY_SOCKET (@name): the same notices" "$expected" "$XS_OUT"

# A notify socket that is not there, or not a socket address: a warning.
for bad in "$XS_TMP/nobody-listens" relative/path; do
	case $bad in
	/*) why="No such file or directory" ;;
	*) why="Invalid argument" ;;
	esac
	NOTIFY_SOCKET=$bad xs_start_daemon
	expect_out "NOTIFY_SOCKET=$bad: the daemon serves anyway" "" \
		xenstore-write /notify/ok 1
	expect_true "... and logs: cannot notify \$NOTIFY_SOCKET: $why" \
		grep -qF "cannot notify \$NOTIFY_SOCKET: $why" "$XS_TMP/daemon.log"
	xs_stop_daemon
	: >"$XS_TMP/daemon.log"
done

xs_finish
