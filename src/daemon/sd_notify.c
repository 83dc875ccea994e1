/* SPDX-License-Identifier: MIT */
/*
 * The notify-socket protocol of systemd's Type=notify services; see
 * sd_notify.h.  The socket is opened for each notice and closed again: the
 * daemon sends two in its life (ready, stopping), so keeping one open
 * would only hold an fd that a live update must then account for.
 */
#include "sd_notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * $NOTIFY_SOCKET as a socket address: a path starting with '/', or '@name'
 * for the abstract namespace (the '@' becomes the leading NUL byte, and
 * the address length counts the name exactly, with no trailing NUL).
 */
static int notify_addr(const char *name, struct sockaddr_un *addr,
		       socklen_t *addr_len)
{
	size_t len = strlen(name);

	if (name[0] != '/' && name[0] != '@')
		return -EINVAL;
	if (len < 2 && name[0] == '@')
		return -EINVAL;
	/* A path needs room for its NUL; an abstract name has none. */
	if (len + (name[0] == '/') > sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, name, len);
	if (name[0] == '@')
		addr->sun_path[0] = '\0';
	*addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
				(name[0] == '/'));
	return 0;
}

int sd_notify_send(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr;
	socklen_t addr_len;
	size_t len = strlen(state);
	ssize_t n;
	int fd, ret;

	if (!name || !name[0])
		return 0;
	ret = notify_addr(name, &addr, &addr_len);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The manager's socket is a datagram one: all or nothing is sent. */
	n = sendto(fd, state, len, MSG_NOSIGNAL, (struct sockaddr *)&addr,
		   addr_len);
	ret = n < 0 ? -errno : 0;
	close(fd);
	return ret;
}

int sd_notify_ready(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n, m;

	n = snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld\nSTATUS=",
		     (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -EMSGSIZE;
	va_start(ap, fmt);
	m = vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= sizeof(msg) - (size_t)n)
		return -EMSGSIZE;
	return sd_notify_send(msg);
}

int sd_notify_stopping(void)
{
	return sd_notify_send("STOPPING=1\nSTATUS=shutting down");
}
