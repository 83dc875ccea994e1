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

#endif
