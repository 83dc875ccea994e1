/* SPDX-License-Identifier: MIT */
/*
 * Readiness and shutdown notices to a service manager (systemd's
 * Type=notify), by the plain notify-socket protocol: one datagram of
 * newline-separated KEY=VALUE lines sent to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).  No
 * libsystemd: the protocol is a single sendto(), and the daemon keeps no
 * dependency it does not need.  Owns nothing between calls; reads the
 * environment only.
 *
 * Without $NOTIFY_SOCKET every call does nothing and returns 0, so the
 * daemon calls these unconditionally.  $NOTIFY_SOCKET is left in the
 * environment: a process that execve()s into a new binary (live update)
 * keeps the same pid and can still tell the manager it is stopping.
 */
#ifndef XS_DAEMON_SD_NOTIFY_H
#define XS_DAEMON_SD_NOTIFY_H

/*
 * Send state (e.g. "READY=1\nSTATUS=...") as one datagram.  0 when sent or
 * when $NOTIFY_SOCKET is unset or empty; -EINVAL when it names neither an
 * absolute path nor "@name", -ENAMETOOLONG when it does not fit a socket
 * address, else the -errno of socket() or sendto().
 */
int sd_notify_send(const char *state);

/*
 * READY=1 with MAINPID (this process) and STATUS, the printf-style text
 * fmt makes: the daemon listens and its guest backend is up.  Returns as
 * sd_notify_send(), or -EMSGSIZE for a status over about 480 bytes.
 */
int sd_notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* STOPPING=1: the daemon is shutting down.  Returns as sd_notify_send(). */
int sd_notify_stopping(void);

#endif
