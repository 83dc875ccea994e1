/* SPDX-License-Identifier: MIT */
/*
 * Opening and closing connections: choosing where to connect (the daemon's
 * socket, then the xenbus device, like Xen's library), creating and
 * destroying the handle with its locks, and the post-fork release.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "xs_handle.h"

static struct xs_handle *handle_new(const char *path, bool ring, int *err)
{
	struct xs_handle *h;
	int ret;

	if (!ring && !path) {
		*err = ENAMETOOLONG;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		*err = ENOMEM;
		return NULL;
	}
	ret = ring ? xs__transport_ring_open(&h->tp)
		   : xs__transport_fd_open(path, &h->tp);
	if (ret != 0) {
		free(h);
		*err = -ret;
		return NULL;
	}
	pthread_mutex_init(&h->request_lock, NULL);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->reply_cond, NULL);
	pthread_cond_init(&h->watch_cond, NULL);
	h->watch_tail = &h->watch_head;
	h->watch_pipe[0] = h->watch_pipe[1] = -1;
	/* Any start will do; the daemon echoes it and we check the echo. */
	h->next_req_id = 1;
	return h;
}

struct xs_handle *xs_open(unsigned long flags)
{
	struct xs_handle *h;
	int err = 0;

	/*
	 * The socket first, then the device: in dom0 the daemon's socket
	 * exists, in a guest only the kernel's xenbus device does.  With
	 * XENSTORED_PATH set both names are that path.  The errno left is
	 * the one of the last attempt.  A simulated guest (docs/sim.md) uses
	 * its ring only: falling back to the socket would make it dom0.
	 */
	if (!(flags & XS_OPEN_SOCKETONLY) && xs__transport_ring_wanted()) {
		h = handle_new(NULL, true, &err);
	} else {
		h = handle_new(xs_daemon_socket(), false, &err);
		if (!h)
			h = handle_new(xs__domain_dev(), false, &err);
	}
	if (!h) {
		errno = err;
		return NULL;
	}
	h->unwatch_filter = (flags & XS_UNWATCH_FILTER) != 0;
	return h;
}

struct xs_handle *xs_daemon_open(void)
{
	return xs_open(0);
}

struct xs_handle *xs_domain_open(void)
{
	return xs_open(0);
}

struct xs_handle *xs_daemon_open_readonly(void)
{
	return xs_open(0);
}

/* Release what both close paths release; no locks, no threads. */
static void handle_free(struct xs_handle *h)
{
	xs__msg_free_list(h->watch_head);
	free(h->reply);
	if (h->watch_pipe[0] >= 0) {
		close(h->watch_pipe[0]);
		close(h->watch_pipe[1]);
	}
	h->tp.ops->close(h->tp.ctx);
	free(h);
}

void xs_daemon_close(struct xs_handle *h)
{
	xs__reader_stop(h);
	pthread_mutex_destroy(&h->request_lock);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->reply_cond);
	pthread_cond_destroy(&h->watch_cond);
	handle_free(h);
}

void xs_close(struct xs_handle *h)
{
	if (h)
		xs_daemon_close(h);
}

void xs_daemon_destroy_postfork(struct xs_handle *h)
{
	/*
	 * In the child the reader thread does not exist and the locks may
	 * have been copied while held by a parent thread: touch neither.
	 * Closing our copy of the descriptor leaves the parent's link alone.
	 */
	handle_free(h);
}
