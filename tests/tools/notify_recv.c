/* SPDX-License-Identifier: MIT */
/*
 * notify_recv: plays systemd's side of the Type=notify protocol for a
 * test.  It binds a datagram socket at ADDR (a path, or "@name" in the
 * abstract namespace), runs CMD with NOTIFY_SOCKET=ADDR, and prints, in
 * the order they happen, every line of every notice CMD sends and what
 * became of CMD:
 *
 *   notify_recv [-t SEC] [-c SOCKET] [-k] ADDR CMD [ARG...]
 *
 *   message: LINE      one line of a notice; in MAINPID=N, N is printed as
 *                      "child" when it is CMD's pid
 *   sender: child      the kernel's credentials of that notice name CMD's
 *                      pid ("sender: pid N" otherwise)
 *   connect: ok        after a notice holding READY=1, with -c: a stream
 *                      connection to SOCKET succeeded at once (else
 *                      "connect: <error>"), so whoever said ready was
 *                      accepting connections by then
 *   exit: N            CMD ended with status N ("signal: N" if killed)
 *   timeout            SEC seconds (default 10) passed first; CMD is killed
 *
 * -k sends SIGTERM to CMD after the first READY=1 (and the connect check),
 * so that a daemon's shutdown notice can be seen too.  Each line is
 * flushed at once.  Exit status: 0 CMD ran and ended, 1 timeout, 2 usage
 * or set-up error.  The helper waits in poll() on the socket and a pidfd
 * of CMD: no busy waiting.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* systemd sends at most a few KiB; a larger notice is cut, not lost. */
#define NOTICE_MAX 4096

static int make_addr(const char *name, struct sockaddr_un *addr,
		     socklen_t *len)
{
	size_t n = strlen(name);

	if ((name[0] != '/' && name[0] != '@') || n < 2 ||
	    n + 1 > sizeof(addr->sun_path))
		return -1;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, name, n);
	if (name[0] == '@')
		addr->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
			   (name[0] == '/'));
	return 0;
}

static int bind_notify_socket(const char *name)
{
	struct sockaddr_un addr;
	socklen_t len;
	int one = 1;
	int fd;

	if (make_addr(name, &addr, &len) != 0) {
		fprintf(stderr, "notify_recv: bad address %s\n", name);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, len) < 0) {
		fprintf(stderr, "notify_recv: %s: %s\n", name, strerror(errno));
		return -1;
	}
	return fd;
}

/* Can a client connect to the stream socket at path right now? */
static void report_connect(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		printf("connect: path too long\n");
		return;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		printf("connect: ok\n");
	else
		printf("connect: %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);
	fflush(stdout);
}

/* Print one notice line by line; true if it held READY=1. */
static bool print_notice(char *buf, pid_t child)
{
	bool ready = false;
	char *line, *save = NULL;

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "MAINPID=", 8) == 0 &&
		    atol(line + 8) == (long)child)
			printf("message: MAINPID=child\n");
		else
			printf("message: %s\n", line);
		if (strcmp(line, "READY=1") == 0)
			ready = true;
	}
	return ready;
}

/* Read every notice waiting; true once one held READY=1. */
static bool drain_notices(int fd, pid_t child)
{
	bool ready = false;

	for (;;) {
		char buf[NOTICE_MAX + 1];
		union {
			struct cmsghdr align;
			char space[CMSG_SPACE(sizeof(struct ucred))];
		} ctl;
		struct iovec iov = {.iov_base = buf, .iov_len = NOTICE_MAX};
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.space, .msg_controllen = sizeof(ctl.space),
		};
		struct cmsghdr *c;
		ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		pid_t sender = 0;

		if (n < 0)
			return ready;
		buf[n] = '\0';
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred cred;
				memcpy(&cred, CMSG_DATA(c), sizeof(cred));
				sender = cred.pid;
			}
		}
		if (print_notice(buf, child))
			ready = true;
		if (sender == child)
			printf("sender: child\n");
		else
			printf("sender: pid %ld\n", (long)sender);
		fflush(stdout);
	}
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000L +
	       (now.tv_nsec - t0->tv_nsec) / 1000000L;
}

static void usage(void)
{
	fprintf(stderr, "usage: notify_recv [-t SEC] [-c SOCKET] [-k] ADDR CMD [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *check_sock = NULL;
	long limit_ms = 10000;
	bool kill_after_ready = false, seen_ready = false;
	struct timespec t0;
	int opt, fd, pidfd, status;
	pid_t child;

	while ((opt = getopt(argc, argv, "+t:c:k")) != -1) {
		switch (opt) {
		case 't': limit_ms = atol(optarg) * 1000L; break;
		case 'c': check_sock = optarg; break;
		case 'k': kill_after_ready = true; break;
		default: usage();
		}
	}
	if (argc - optind < 2 || limit_ms <= 0)
		usage();
	fd = bind_notify_socket(argv[optind]);
	if (fd < 0)
		return 2;
	if (setenv("NOTIFY_SOCKET", argv[optind], 1) != 0)
		return 2;
	child = fork();
	if (child < 0)
		return 2;
	if (child == 0) {
		execvp(argv[optind + 1], argv + optind + 1);
		fprintf(stderr, "notify_recv: %s: %s\n", argv[optind + 1], strerror(errno));
		_exit(127);
	}
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0) {
		fprintf(stderr, "notify_recv: pidfd_open: %s\n", strerror(errno));
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
				      {.fd = pidfd, .events = POLLIN}};
		long left = limit_ms - elapsed_ms(&t0);

		if (left <= 0 || poll(p, 2, (int)left) == 0) {
			printf("timeout\n");
			fflush(stdout);
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			return 1;
		}
		/* Notices first: one sent just before exiting is still shown. */
		if (drain_notices(fd, child) && !seen_ready) {
			seen_ready = true;
			if (check_sock)
				report_connect(check_sock);
			if (kill_after_ready)
				kill(child, SIGTERM);
		}
		if (p[1].revents & POLLIN)
			break;
	}
	drain_notices(fd, child);
	if (waitpid(child, &status, 0) < 0)
		return 2;
	if (WIFEXITED(status))
		printf("exit: %d\n", WEXITSTATUS(status));
	else
		printf("signal: %d\n", WTERMSIG(status));
	return 0;
}
