/* SPDX-License-Identifier: MIT */
/* Raw-protocol test helpers; see proto.h. */
#include "proto.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint32_t next_req_id = 1000;

/* Watch events that arrived while a request waited for its reply, kept
 * per connection until collect_events() reads them. */
#define STASH_FDS 1024
static struct events *stash[STASH_FDS];

static void stash_event(int fd, const struct xmsg *m)
{
	if (fd < 0 || fd >= STASH_FDS)
		return;
	if (!stash[fd]) {
		stash[fd] = calloc(1, sizeof(*stash[fd]));
		if (!stash[fd])
			return;
	}
	struct events *ev = stash[fd];
	size_t plen = strlen(m->payload);
	size_t len = strlen(ev->text);
	snprintf(ev->text + len, sizeof(ev->text) - len, "%s %s|", m->payload,
		 m->payload + plen + 1);
	ev->count++;
}

void collect_events(int fd, struct events *ev)
{
	struct xmsg m;
	uint32_t id = 0x5e5e;

	ev->text[0] = '\0';
	ev->count = 0;
	if (fd >= 0 && fd < STASH_FDS && stash[fd]) {
		*ev = *stash[fd];
		free(stash[fd]);
		stash[fd] = NULL;
	}
	if (xsend(fd, XS_READ, id, 0, "/\0", 2) < 0)
		return;
	while (xrecv(fd, &m, 5000) == 1) {
		if (m.hdr.type != XS_WATCH_EVENT)
			break;
		size_t plen = strlen(m.payload);
		size_t len = strlen(ev->text);
		snprintf(ev->text + len, sizeof(ev->text) - len, "%s %s|", m.payload,
			 m.payload + plen + 1);
		ev->count++;
	}
}

void forget_events(int fd)
{
	if (fd >= 0 && fd < STASH_FDS) {
		free(stash[fd]);
		stash[fd] = NULL;
	}
}

int xconn(const struct daemon_proc *dp)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", dp->sock);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int daemon_start(struct daemon_proc *dp, const char *extra_arg)
{
	const char *bin = getenv("XENSTORED_BIN");

	if (!bin)
		bin = "build/bin/xenstored";
	snprintf(dp->dir, sizeof(dp->dir), "/tmp/xsproto.XXXXXX");
	if (!mkdtemp(dp->dir))
		return -1;
	snprintf(dp->sock, sizeof(dp->sock), "%s/sock", dp->dir);
	dp->pid = fork();
	if (dp->pid < 0)
		return -1;
	if (dp->pid == 0) {
		char log[128];
		snprintf(log, sizeof(log), "%s/log", dp->dir);
		FILE *f = freopen(log, "w", stderr);
		(void)f;
		execl(bin, bin, "-N", "--socket", dp->sock, extra_arg, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		int fd = xconn(dp);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		usleep(10000);
	}
	return -1;
}

bool daemon_alive(const struct daemon_proc *dp)
{
	return waitpid(dp->pid, NULL, WNOHANG) == 0;
}

int daemon_stop(struct daemon_proc *dp)
{
	int status = -1;

	kill(dp->pid, SIGTERM);
	for (int i = 0; i < 1000; i++) {
		pid_t p = waitpid(dp->pid, &status, WNOHANG);
		if (p == dp->pid)
			break;
		usleep(10000);
		if (i == 999) {
			kill(dp->pid, SIGKILL);
			waitpid(dp->pid, &status, 0);
			return -1;
		}
	}
	/* A clean shutdown removes the socket. */
	bool sock_left = access(dp->sock, F_OK) == 0;
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dp->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dp->dir);
	if (sock_left) {
		fprintf(stderr, "daemon left its socket behind\n");
		return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int xsend_raw(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int xsend(int fd, uint32_t type, uint32_t req_id, uint32_t tx_id,
	  const void *payload, size_t len)
{
	struct xs_msg_hdr hdr = {type, req_id, tx_id, (uint32_t)len};

	if (xsend_raw(fd, &hdr, sizeof(hdr)) < 0)
		return -1;
	return len ? xsend_raw(fd, payload, len) : 0;
}

static int read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	char *p = buf;

	while (len) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int r = poll(&pfd, 1, timeout_ms);
		if (r <= 0)
			return -1;
		ssize_t n = recv(fd, p, len, 0);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECONNRESET ? 0 : -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

int xrecv(int fd, struct xmsg *m, int timeout_ms)
{
	int r = read_full(fd, &m->hdr, sizeof(m->hdr), timeout_ms);

	if (r <= 0)
		return r;
	if (m->hdr.len > XS_PAYLOAD_MAX)
		return -1;
	r = m->hdr.len ? read_full(fd, m->payload, m->hdr.len, timeout_ms) : 1;
	if (r <= 0)
		return r;
	m->payload[m->hdr.len] = '\0';
	return 1;
}

int xreq(int fd, uint32_t type, uint32_t tx_id, const void *payload,
	 size_t len, struct xmsg *reply)
{
	uint32_t id = next_req_id++;

	if (xsend(fd, type, id, tx_id, payload, len) < 0)
		return -1;
	for (;;) {
		int r = xrecv(fd, reply, 5000);
		if (r <= 0)
			return -1;
		if (reply->hdr.type == XS_WATCH_EVENT) {
			stash_event(fd, reply);
			continue;
		}
		return reply->hdr.req_id == id ? 0 : -1;
	}
}

int xconn_as(const struct daemon_proc *dp, unsigned int domid)
{
	char buf[16];
	struct xmsg m;
	int fd = xconn(dp);
	int n = snprintf(buf, sizeof(buf), "%u", domid);

	if (fd < 0)
		return -1;
	if (xreq(fd, XS_RESTRICT, 0, buf, (size_t)n + 1, &m) < 0 ||
	    m.hdr.type != XS_RESTRICT) {
		close(fd);
		return -1;
	}
	return fd;
}
