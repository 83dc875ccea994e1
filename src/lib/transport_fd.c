/* SPDX-License-Identifier: MIT */
/*
 * File-descriptor transports: the daemon's Unix stream socket (dom0 tools)
 * and the kernel's xenbus character device (/dev/xen/xenbus in a guest),
 * which both carry the plain message stream.  Owns the descriptor; knows
 * nothing about messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xs_handle.h"

struct fd_transport {
	int fd;
	bool is_socket; /* send() with MSG_NOSIGNAL instead of write() */
};

static ssize_t fd_read(void *ctx, void *buf, size_t len)
{
	struct fd_transport *ft = ctx;
	ssize_t n;

	do
		n = read(ft->fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static ssize_t fd_write(void *ctx, const void *buf, size_t len)
{
	struct fd_transport *ft = ctx;
	ssize_t n;

	/*
	 * A daemon that went away must not kill the application with
	 * SIGPIPE; on a socket MSG_NOSIGNAL avoids touching the process-wide
	 * signal disposition (a device never raises SIGPIPE).
	 */
	do
		n = ft->is_socket ? send(ft->fd, buf, len, MSG_NOSIGNAL)
				  : write(ft->fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static void fd_close(void *ctx)
{
	struct fd_transport *ft = ctx;

	close(ft->fd);
	free(ft);
}

static const struct xs__transport_ops fd_ops = {
	.name = "fd",
	.read = fd_read,
	.write = fd_write,
	.close = fd_close,
};

static int connect_socket(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	int fd, err;

	if (len >= sizeof(addr.sun_path))
		return -EINVAL;
	memcpy(addr.sun_path, path, len + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int xs__transport_fd_open(const char *path, struct xs__transport *out)
{
	struct fd_transport *ft;
	struct stat st;
	int fd;

	if (stat(path, &st) != 0)
		return -errno;
	ft = malloc(sizeof(*ft));
	if (!ft)
		return -ENOMEM;
	ft->is_socket = S_ISSOCK(st.st_mode);
	if (ft->is_socket) {
		fd = connect_socket(path);
	} else {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	if (fd < 0) {
		free(ft);
		return fd;
	}
	ft->fd = fd;
	out->ops = &fd_ops;
	out->ctx = ft;
	return 0;
}
