/* SPDX-License-Identifier: MIT */
/*
 * Live update: `xenstore-control live-update` replaces the running daemon
 * with a new binary without losing a connection, a watch, a transaction or
 * a queued byte.  The CONTROL command only records what was asked; the
 * update itself runs at the main loop's next quiet point (every request
 * read so far fully handled), where lu_run() writes the state stream
 * (stream.h) to a memfd, hands the listening socket, every client socket
 * and the memfd to the new binary across execve(), and the new process
 * (lu_resume()) reads it all back and answers the live-update request
 * "OK".  Rings need nothing handed over: the new process maps them again
 * through the backend.  docs/live-update.md has the details.
 *
 * Owns struct lu (one per daemon, d->lu) and the binary path and command
 * line it was given.
 */
#ifndef XS_DAEMON_LU_H
#define XS_DAEMON_LU_H

#include <stdbool.h>

struct daemon;
struct request;
struct sock_listener;

/* Remember how this process was started (argv stays the caller's). */
int lu_init(struct daemon *d, int argc, char **argv);
void lu_release(struct daemon *d);

/* CONTROL live-update <option>...: -f FILE, -c CMDLINE, -s [-t SEC] [-F]
 * [-v N], -a; as Xen's daemon takes them. */
int lu_control(struct request *r, unsigned int argc, const char **argv);

/* CONTROL state-save FILE: write the state stream to FILE. */
int lu_state_save(struct request *r, unsigned int argc, const char **argv);

/* True when a live update waits for the quiet point. */
bool lu_due(const struct daemon *d);

/*
 * At the quiet point: save and exec.  Returns only when that failed; the
 * requester then gets the reason as its reply and the daemon goes on.
 */
void lu_run(struct daemon *d, const struct sock_listener *l);

/*
 * In the new process: restore everything from the stream on fd (closed),
 * listen again on the inherited socket (l, bound at socket_path) and answer
 * the request that started the update.  0 or -errno (logged).
 */
int lu_resume(struct daemon *d, int fd, struct sock_listener *l,
	      const char *socket_path);

/* --restore FILE: load nodes, domains and quotas of a saved stream. */
int lu_load_file(struct daemon *d, const char *path);

#endif
