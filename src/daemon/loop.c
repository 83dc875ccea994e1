/* SPDX-License-Identifier: MIT */
/* The epoll event loop; see loop.h. */
#include "loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#define LOOP_BATCH 64

int loop_init(struct loop *l)
{
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void loop_release(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int loop_add(struct loop *l, struct loop_fd *lf, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = lf};

	lf->events = events;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, lf->fd, &ev) < 0 ? -errno : 0;
}

int loop_set(struct loop *l, struct loop_fd *lf, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = lf};

	if (lf->events == events)
		return 0;
	lf->events = events;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, lf->fd, &ev) < 0 ? -errno : 0;
}

void loop_del(struct loop *l, struct loop_fd *lf)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, lf->fd, NULL);
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[LOOP_BATCH];
	int n = epoll_wait(l->epfd, evs, LOOP_BATCH, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct loop_fd *lf = evs[i].data.ptr;
		lf->handler(lf, evs[i].events);
	}
	return n;
}
