/* SPDX-License-Identifier: MIT */
/*
 * xsfill SOCKET COUNT [VALUE_LEN]: fill a daemon with COUNT nodes as fast
 * as one connection can, for benchmarks that need a big store (restart
 * time, live-update pause).  Nodes are /r/<i/1000>/<i%1000> with values of
 * VALUE_LEN (default 16) 'v' bytes, written as pipelined WRITEs with at
 * most WINDOW requests unanswered.  Exit status 0 when every WRITE was
 * answered OK, 1 otherwise (the error is printed).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xenstore/wire.h"

#define WINDOW 4000u

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Input bytes not yet parsed into replies. */
static char in[1 << 20];
static size_t in_len;

/* Read until `want` more replies were parsed; -1 on error. */
static int read_replies(int fd, uint64_t want)
{
	while (want) {
		ssize_t n = read(fd, in + in_len, sizeof(in) - in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "xsfill: connection lost\n");
			return -1;
		}
		in_len += (size_t)n;
		size_t off = 0;
		while (want && in_len - off >= XS_HDR_SIZE) {
			struct xs_msg_hdr h;
			memcpy(&h, in + off, sizeof(h));
			if (h.len > XS_PAYLOAD_MAX || in_len - off < XS_HDR_SIZE + h.len)
				break;
			if (h.type == XS_ERROR) {
				fprintf(stderr, "xsfill: request %u: %.*s\n", h.req_id,
					(int)h.len, in + off + XS_HDR_SIZE);
				return -1;
			}
			off += XS_HDR_SIZE + h.len;
			want--;
		}
		memmove(in, in + off, in_len - off);
		in_len -= off;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char out[1 << 16];
	char value[XS_PAYLOAD_MAX];
	size_t out_len = 0;
	uint64_t count, sent = 0, answered = 0;
	unsigned long vlen = 16;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: xsfill SOCKET COUNT [VALUE_LEN]\n");
		return 2;
	}
	count = strtoull(argv[2], NULL, 10);
	if (argc == 4)
		vlen = strtoul(argv[3], NULL, 10);
	if (vlen > 1024) {
		fprintf(stderr, "xsfill: VALUE_LEN at most 1024\n");
		return 2;
	}
	memset(value, 'v', vlen);
	int fd = connect_to(argv[1]);
	if (fd < 0) {
		perror("xsfill: connect");
		return 1;
	}
	while (sent < count) {
		char payload[64 + 1024];
		int plen = snprintf(payload, sizeof(payload), "/r/%llu/%llu",
				    (unsigned long long)(sent / 1000),
				    (unsigned long long)(sent % 1000));
		memcpy(payload + plen + 1, value, vlen);
		struct xs_msg_hdr h = {.type = XS_WRITE, .req_id = (uint32_t)sent,
				       .len = (uint32_t)(plen + 1 + vlen)};
		if (out_len + XS_HDR_SIZE + h.len > sizeof(out)) {
			if (write_all(fd, out, out_len) != 0)
				return 1;
			out_len = 0;
		}
		memcpy(out + out_len, &h, XS_HDR_SIZE);
		memcpy(out + out_len + XS_HDR_SIZE, payload, h.len);
		out_len += XS_HDR_SIZE + h.len;
		sent++;
		if (sent - answered >= WINDOW) {
			if (write_all(fd, out, out_len) != 0)
				return 1;
			out_len = 0;
			if (read_replies(fd, WINDOW / 2) != 0)
				return 1;
			answered += WINDOW / 2;
		}
	}
	if (write_all(fd, out, out_len) != 0 || read_replies(fd, sent - answered) != 0)
		return 1;
	close(fd);
	return 0;
}
