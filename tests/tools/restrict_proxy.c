/* SPDX-License-Identifier: MIT */
/*
 * restrict_proxy: a test helper that lets ordinary XenStore clients act as
 * an unprivileged domain over the Unix socket.
 *
 *   restrict_proxy <listen-path> <daemon-path> <domid>
 *
 * It listens on <listen-path>.  For every client that connects it opens a
 * connection to the daemon at <daemon-path>, sends RESTRICT <domid> there,
 * checks that the daemon answered "OK", and from then on copies bytes both
 * ways unchanged.  Tools run with XENSTORED_PATH=<listen-path> are thus
 * treated by the daemon as domain <domid> instead of dom0.  "ready" is
 * printed on stdout once the socket listens.
 *
 * It is meant to live only as long as the test that started it: it stops
 * on SIGTERM/SIGINT/SIGHUP, when its parent process goes away, and in any
 * case after RESTRICT_PROXY_LIFETIME seconds (default 300).  Resources are
 * bounded: at most MAX_PAIRS clients at a time, fixed buffers per direction.
 * It removes <listen-path> when it stops.  Exit status: 0 after a signal or
 * the parent's end, 1 on timeout, 2 on a usage or set-up error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "xenstore/wire.h"

#define MAX_PAIRS 64
#define BUF_SIZE 65536
#define TICK_MS 200
#define HANDSHAKE_TIMEOUT_S 5
#define DEFAULT_LIFETIME_S 300

/* One direction of a relayed connection: bytes read from src, for dst. */
struct pipe_dir {
	char buf[BUF_SIZE];
	size_t off; /* first byte not yet written */
	size_t len; /* bytes held, from off */
	bool eof;   /* src has no more to say */
	bool shut;  /* dst has been told (shutdown SHUT_WR) */
};

struct pair {
	bool used;
	int fd[2];	     /* 0: client, 1: daemon */
	struct pipe_dir dir[2]; /* dir[i] reads fd[i], writes fd[1 - i] */
};

static struct pair pairs[MAX_PAIRS];
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void die(const char *what)
{
	fprintf(stderr, "restrict_proxy: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

/* Blocking I/O of exactly len bytes (handshake only, under SO_*TIMEO). */
static int xfer_all(int fd, void *p, size_t len, bool out)
{
	char *c = p;

	while (len > 0) {
		ssize_t n = out ? send(fd, c, len, MSG_NOSIGNAL)
				: recv(fd, c, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Connect to the daemon and make the connection act as domid.  Returns the
 * connected fd, or -1 (with a message on stderr).
 */
static int open_restricted(const char *daemon_path, const char *domid)
{
	struct sockaddr_un sa;
	struct xs_msg_hdr hdr;
	struct timeval tv = {.tv_sec = HANDSHAKE_TIMEOUT_S};
	char reply[XS_PAYLOAD_MAX + 1];
	size_t plen = strlen(domid) + 1;
	char msg[XS_HDR_SIZE + 32];
	int fd;

	if (fill_addr(&sa, daemon_path) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "restrict_proxy: connect %s: %s\n",
			daemon_path, strerror(errno));
		goto fail;
	}

	hdr = (struct xs_msg_hdr){.type = XS_RESTRICT,
				  .req_id = 0x52535452u,
				  .tx_id = 0,
				  .len = (uint32_t)plen};
	memcpy(msg, &hdr, XS_HDR_SIZE);
	memcpy(msg + XS_HDR_SIZE, domid, plen);
	if (xfer_all(fd, msg, XS_HDR_SIZE + plen, true) != 0 ||
	    xfer_all(fd, &hdr, XS_HDR_SIZE, false) != 0 ||
	    hdr.len > XS_PAYLOAD_MAX ||
	    xfer_all(fd, reply, hdr.len, false) != 0) {
		fprintf(stderr, "restrict_proxy: RESTRICT handshake failed\n");
		goto fail;
	}
	reply[hdr.len] = '\0';
	if (hdr.type != XS_RESTRICT || strcmp(reply, "OK") != 0) {
		fprintf(stderr, "restrict_proxy: RESTRICT %s refused: type %u %s\n",
			domid, (unsigned)hdr.type, reply);
		goto fail;
	}

	tv = (struct timeval){0};
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    set_nonblock(fd) != 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

static void close_pair(struct pair *p)
{
	close(p->fd[0]);
	close(p->fd[1]);
	p->used = false;
}

static void accept_client(int lfd, const char *daemon_path, const char *domid)
{
	int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	int dfd;
	int i;

	if (cfd < 0)
		return;
	for (i = 0; i < MAX_PAIRS && pairs[i].used; i++)
		;
	if (i == MAX_PAIRS) {
		fprintf(stderr, "restrict_proxy: too many clients\n");
		close(cfd);
		return;
	}
	dfd = open_restricted(daemon_path, domid);
	if (dfd < 0) {
		close(cfd);
		return;
	}
	memset(&pairs[i], 0, sizeof(pairs[i]));
	pairs[i].used = true;
	pairs[i].fd[0] = cfd;
	pairs[i].fd[1] = dfd;
}

/*
 * Move what can be moved for direction d of p without blocking.
 * Returns -1 when the pair must be dropped (an I/O error).
 */
static int pump(struct pair *p, int d, short rev_src, short rev_dst)
{
	struct pipe_dir *pd = &p->dir[d];
	int src = p->fd[d], dst = p->fd[1 - d];

	if (!pd->eof && (rev_src & (POLLIN | POLLHUP | POLLERR)) &&
	    pd->off + pd->len < BUF_SIZE) {
		ssize_t n = recv(src, pd->buf + pd->off + pd->len,
				 BUF_SIZE - pd->off - pd->len, 0);
		if (n > 0)
			pd->len += (size_t)n;
		else if (n == 0)
			pd->eof = true;
		else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			 errno != EINTR)
			return -1;
	}
	if (pd->len > 0 && (rev_dst & (POLLOUT | POLLERR | POLLHUP))) {
		ssize_t n = send(dst, pd->buf + pd->off, pd->len,
				 MSG_NOSIGNAL);
		if (n > 0) {
			pd->off += (size_t)n;
			pd->len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			   errno != EINTR) {
			return -1;
		}
	}
	if (pd->len == 0)
		pd->off = 0;
	if (pd->eof && pd->len == 0 && !pd->shut) {
		shutdown(dst, SHUT_WR);
		pd->shut = true;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	struct sigaction act;
	const char *listen_path, *daemon_path, *domid;
	const char *env;
	pid_t parent = getppid();
	long lifetime = DEFAULT_LIFETIME_S;
	char *end;
	time_t deadline;
	int lfd;
	int status = 0;

	if (argc != 4) {
		fprintf(stderr,
			"usage: restrict_proxy <listen-path> <daemon-path> <domid>\n");
		return 2;
	}
	listen_path = argv[1];
	daemon_path = argv[2];
	domid = argv[3];
	errno = 0;
	(void)strtoul(domid, &end, 10);
	if (!*domid || *end || errno || strlen(domid) > 10) {
		fprintf(stderr, "restrict_proxy: bad domid '%s'\n", domid);
		return 2;
	}
	env = getenv("RESTRICT_PROXY_LIFETIME");
	if (env && *env) {
		lifetime = strtol(env, &end, 10);
		if (*end || lifetime <= 0)
			lifetime = DEFAULT_LIFETIME_S;
	}
	deadline = time(NULL) + lifetime;

	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigemptyset(&act.sa_mask);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGHUP, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Also learn of the parent's end at once, not just at the next tick. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 0;

	if (fill_addr(&sa, listen_path) != 0)
		die(listen_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0)
		die("socket");
	unlink(listen_path);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die(listen_path);
	if (listen(lfd, 16) != 0)
		die("listen");
	printf("ready\n");
	fflush(stdout);

	while (!stop_signal) {
		struct pollfd pfd[1 + 2 * MAX_PAIRS];
		int idx[MAX_PAIRS]; /* pfd index of pair i's client fd */
		int n = 1;

		if (getppid() != parent)
			break;
		if (time(NULL) >= deadline) {
			fprintf(stderr, "restrict_proxy: lifetime over\n");
			status = 1;
			break;
		}
		pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (int i = 0; i < MAX_PAIRS; i++) {
			struct pair *p = &pairs[i];

			idx[i] = -1;
			if (!p->used)
				continue;
			idx[i] = n;
			for (int s = 0; s < 2; s++) {
				short ev = 0;

				/* read side s; write side s what dir[1-s] holds */
				if (!p->dir[s].eof &&
				    p->dir[s].off + p->dir[s].len < BUF_SIZE)
					ev |= POLLIN;
				if (p->dir[1 - s].len > 0)
					ev |= POLLOUT;
				pfd[n++] = (struct pollfd){.fd = p->fd[s],
							   .events = ev};
			}
		}
		if (poll(pfd, (nfds_t)n, TICK_MS) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (int i = 0; i < MAX_PAIRS; i++) {
			struct pair *p = &pairs[i];
			short r0, r1;

			if (!p->used || idx[i] < 0)
				continue;
			r0 = pfd[idx[i]].revents;
			r1 = pfd[idx[i] + 1].revents;
			if (pump(p, 0, r0, r1) != 0 || pump(p, 1, r1, r0) != 0 ||
			    (p->dir[0].shut && p->dir[1].shut))
				close_pair(p);
		}
		if (pfd[0].revents & POLLIN)
			accept_client(lfd, daemon_path, domid);
	}

	for (int i = 0; i < MAX_PAIRS; i++)
		if (pairs[i].used)
			close_pair(&pairs[i]);
	close(lfd);
	unlink(listen_path);
	return status;
}
