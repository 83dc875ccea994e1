/* SPDX-License-Identifier: MIT */
/*
 * The event loop: epoll over file descriptors, each with a handler.  Knows
 * nothing about XenStore; the daemon runs its own work between rounds.
 */
#ifndef XS_DAEMON_LOOP_H
#define XS_DAEMON_LOOP_H

#include <stdint.h>

struct loop_fd;
typedef void (*loop_handler)(struct loop_fd *lf, uint32_t events);

struct loop_fd {
	int fd;
	uint32_t events;	/* EPOLLIN / EPOLLOUT currently asked for */
	loop_handler handler;
	void *data;		/* the handler's object */
};

struct loop {
	int epfd;
};

int loop_init(struct loop *l);
void loop_release(struct loop *l);

/* Watch lf->fd for events; 0 or -errno. */
int loop_add(struct loop *l, struct loop_fd *lf, uint32_t events);
/* Change the events asked for (no system call if unchanged). */
int loop_set(struct loop *l, struct loop_fd *lf, uint32_t events);
void loop_del(struct loop *l, struct loop_fd *lf);

/*
 * Wait up to timeout_ms (-1: forever) and run the handlers of ready fds.
 * Returns the number handled, or -errno (-EINTR is not an error).
 */
int loop_run_once(struct loop *l, int timeout_ms);

#endif
