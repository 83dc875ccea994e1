/* SPDX-License-Identifier: MIT */
/*
 * The Unix stream socket transport: a listening socket whose clients are
 * connections acting as dom0 (privileged), as with the reference daemon.
 */
#ifndef XS_DAEMON_TRANSPORT_SOCK_H
#define XS_DAEMON_TRANSPORT_SOCK_H

#include "loop.h"

struct daemon;

struct sock_listener {
	struct loop_fd lf;
	struct daemon *d;
	char *path;	/* owned; unlinked on close */
};

/* Create, bind and listen at path (replacing a stale socket); 0 or -errno. */
int sock_listen(struct daemon *d, struct sock_listener *l, const char *path);
void sock_listener_close(struct sock_listener *l);

/*
 * Live update: take over fds an earlier process of the daemon handed down.
 * A connected client acting as who (NULL on failure, fd then closed by the
 * caller); the fd of a socket connection (-1 for other transports); the
 * listening socket bound at path.
 */
struct conn;
struct caller;
struct conn *sock_conn_adopt(struct daemon *d, int fd, const struct caller *who);
int sock_conn_fd(const struct conn *c);
int sock_listen_adopt(struct daemon *d, struct sock_listener *l, int fd,
		      const char *path);

#endif
