/* SPDX-License-Identifier: MIT */
/*
 * Unix socket transport; see transport_sock.h.  Every accepted client is
 * dom0 and privileged.  Sockets are non-blocking; sends use MSG_NOSIGNAL so
 * a vanished client can never raise SIGPIPE.
 */
#include "transport_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "daemon.h"
#include "domain.h"
#include "log.h"

struct sock_conn {
	struct loop_fd lf;
	struct conn *conn;
	struct daemon *d;
};

static ssize_t sock_recv(struct conn *c, void *buf, size_t len)
{
	struct sock_conn *sc = c->tdata;
	ssize_t n = recv(sc->lf.fd, buf, len, 0);

	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? -EAGAIN : -errno;
	return n;
}

static ssize_t sock_sendv(struct conn *c, const struct iovec *iov, int iovcnt)
{
	struct sock_conn *sc = c->tdata;
	struct msghdr mh = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
	ssize_t n = sendmsg(sc->lf.fd, &mh, MSG_NOSIGNAL);

	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? -EAGAIN : -errno;
	return n;
}

static void sock_want(struct conn *c, bool rd, bool wr)
{
	struct sock_conn *sc = c->tdata;

	loop_set(&sc->d->loop, &sc->lf, (rd ? EPOLLIN : 0) | (wr ? EPOLLOUT : 0));
}

static void sock_close(struct conn *c)
{
	struct sock_conn *sc = c->tdata;

	loop_del(&sc->d->loop, &sc->lf);
	close(sc->lf.fd);
	sc->lf.fd = -1;
}

static void sock_destroy(struct conn *c)
{
	free(c->tdata);
	c->tdata = NULL;
}

static const struct conn_ops sock_ops = {
	.name = "socket",
	.recv = sock_recv,
	.sendv = sock_sendv,
	.want = sock_want,
	.close = sock_close,
	.destroy = sock_destroy,
};

static void sock_event(struct loop_fd *lf, uint32_t events)
{
	struct sock_conn *sc = lf->data;
	struct conn *c = sc->conn;

	if (events & EPOLLIN) {
		conn_on_readable(c);
	} else if (events & (EPOLLHUP | EPOLLERR)) {
		/* Gone while we were not reading (output backlog). */
		conn_close(c, "peer hung up");
		return;
	}
	if (!c->dead && (events & EPOLLOUT))
		conn_on_writable(c);
}

static void accept_event(struct loop_fd *lf, uint32_t events)
{
	struct sock_listener *l = lf->data;
	static const struct caller dom0 = {
		.domid = 0, .target = ACL_NO_TARGET, .privileged = true,
		.features = DOMAIN_FEATURES_ALL};

	for (;;) {
		int fd = accept4(lf->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_msg(LOG_LVL_WARN, "accept: %s", strerror(errno));
			return;
		}
		struct sock_conn *sc = calloc(1, sizeof(*sc));
		struct conn *c = sc ? conn_new(l->d, &sock_ops, sc, &dom0) : NULL;
		if (!c) {
			free(sc);
			close(fd);
			log_msg(LOG_LVL_ERR, "out of memory accepting a client");
			return;
		}
		sc->conn = c;
		sc->d = l->d;
		sc->lf.fd = fd;
		sc->lf.handler = sock_event;
		sc->lf.data = sc;
		if (loop_add(&l->d->loop, &sc->lf, EPOLLIN) != 0) {
			conn_close(c, "cannot watch socket");
			continue;
		}
	}
}

int sock_listen(struct daemon *d, struct sock_listener *l, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd, ret;

	memset(l, 0, sizeof(*l));
	l->lf.fd = -1;
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path); /* a stale socket from an earlier run */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 128) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	l->d = d;
	l->path = strdup(path);
	l->lf.fd = fd;
	l->lf.handler = accept_event;
	l->lf.data = l;
	if (!l->path)
		ret = -ENOMEM;
	else
		ret = loop_add(&d->loop, &l->lf, EPOLLIN);
	if (ret) {
		sock_listener_close(l);
		return ret;
	}
	return 0;
}

void sock_listener_close(struct sock_listener *l)
{
	if (l->lf.fd >= 0) {
		if (l->d)
			loop_del(&l->d->loop, &l->lf);
		close(l->lf.fd);
		l->lf.fd = -1;
	}
	if (l->path)
		unlink(l->path);
	free(l->path);
	l->path = NULL;
}

struct conn *sock_conn_adopt(struct daemon *d, int fd, const struct caller *who)
{
	struct sock_conn *sc = calloc(1, sizeof(*sc));
	struct conn *c = sc ? conn_new(d, &sock_ops, sc, who) : NULL;

	if (!c) {
		free(sc);
		return NULL;
	}
	sc->conn = c;
	sc->d = d;
	sc->lf.fd = fd;
	sc->lf.handler = sock_event;
	sc->lf.data = sc;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    loop_add(&d->loop, &sc->lf, EPOLLIN) != 0) {
		sc->lf.fd = -1;
		conn_close(c, "cannot watch socket");
		return NULL;
	}
	return c;
}

int sock_conn_fd(const struct conn *c)
{
	if (c->ops != &sock_ops || !c->tdata)
		return -1;
	return ((const struct sock_conn *)c->tdata)->lf.fd;
}

int sock_listen_adopt(struct daemon *d, struct sock_listener *l, int fd,
		      const char *path)
{
	memset(l, 0, sizeof(*l));
	l->d = d;
	l->lf.fd = fd;
	l->lf.handler = accept_event;
	l->lf.data = l;
	l->path = strdup(path);
	if (!l->path)
		return -ENOMEM;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return loop_add(&d->loop, &l->lf, EPOLLIN);
}
